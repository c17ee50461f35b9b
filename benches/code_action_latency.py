"""`textDocument/codeAction` round trips over stdio: p50/p95 of N requests at the title, the
middle line and the first unchecked task of a spec, then right after edits (re-check included).

    python3 gen_corpus.py doc --lines 10000 /tmp/spec-10000.md      # shared/bench/gen_corpus.py
    cargo build --release
    python3 benches/code_action_latency.py target/release/deployspec /tmp/spec-10000.md 200

Standard library only. The document is opened under a deployment-procedure/ URI that does not
exist on disk, so every deployment rule applies.
"""
import json
import subprocess
import sys
import time
binp, doc, n = sys.argv[1], sys.argv[2], int(sys.argv[3]) if len(sys.argv) > 3 else 200
text = open(doc).read()
p = subprocess.Popen([binp, "server"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
def send(m):
    b = json.dumps(m).encode()
    p.stdin.write(b"Content-Length: %d\r\n\r\n" % len(b) + b); p.stdin.flush()
def recv():
    n = None
    while True:
        l = p.stdout.readline()
        if l in (b"\r\n", b"\n"): break
        if l.lower().startswith(b"content-length:"): n = int(l.split(b":")[1])
    return json.loads(p.stdout.read(n))
def until(pred):
    while True:
        m = recv()
        if "id" in m and "method" in m:
            send({"jsonrpc": "2.0", "id": m["id"], "result": None}); continue
        if pred(m): return m
send({"jsonrpc":"2.0","id":0,"method":"initialize","params":{"processId":None,"rootUri":None,"capabilities":{"workspace":{"workspaceEdit":{"documentChanges":True}}}}})
until(lambda m: m.get("id") == 0)
send({"jsonrpc":"2.0","method":"initialized","params":{}})
uri = "file:///tmp/bench/docs/specs/deployment-procedure/deploy-001-big.md"
send({"jsonrpc":"2.0","method":"textDocument/didOpen","params":{"textDocument":{"uri":uri,"languageId":"markdown","version":1,"text":text}}})
until(lambda m: m.get("method") == "textDocument/publishDiagnostics")
lines = text.split("\n")
targets = {"title": 0, "middle": len(lines) // 2, "unchecked task": next(i for i, l in enumerate(lines) if l.startswith("- [ ]"))}
for name, line in targets.items():
    ts = []
    for i in range(n):
        t0 = time.perf_counter()
        send({"jsonrpc":"2.0","id":1000+i,"method":"textDocument/codeAction","params":{"textDocument":{"uri":uri},"range":{"start":{"line":line,"character":0},"end":{"line":line,"character":0}},"context":{"diagnostics":[]}}})
        r = until(lambda m: m.get("id") == 1000+i)
        ts.append((time.perf_counter() - t0) * 1000)
    ts.sort()
    print(f"{name} (line {line}): {len(r.get('result') or [])} actions, p50 {ts[len(ts)//2]:.2f} ms, p95 {ts[int(len(ts)*0.95)]:.2f} ms, max {ts[-1]:.2f} ms")
# first request after an edit (snapshot rebuilt, line index built lazily)
ts = []
for i in range(50):
    send({"jsonrpc":"2.0","method":"textDocument/didChange","params":{"textDocument":{"uri":uri,"version":2+i},"contentChanges":[{"range":{"start":{"line":len(lines)//2,"character":0},"end":{"line":len(lines)//2,"character":0}},"text":"x" if i % 2 == 0 else ""}]}})
    t0 = time.perf_counter()
    send({"jsonrpc":"2.0","id":5000+i,"method":"textDocument/codeAction","params":{"textDocument":{"uri":uri},"range":{"start":{"line":0,"character":0},"end":{"line":0,"character":0}},"context":{"diagnostics":[]}}})
    until(lambda m: m.get("id") == 5000+i)
    ts.append((time.perf_counter() - t0) * 1000)
ts.sort()
print(f"after an edit (includes the re-check): p50 {ts[len(ts)//2]:.2f} ms, p95 {ts[int(len(ts)*0.95)]:.2f} ms")
send({"jsonrpc":"2.0","id":9,"method":"shutdown"}); until(lambda m: m.get("id") == 9)
send({"jsonrpc":"2.0","method":"exit"}); p.wait(timeout=5)
