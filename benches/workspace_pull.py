#!/usr/bin/env python3
"""Times `workspace/diagnostic` on a workspace whose files do not change.

    python3 benches/workspace_pull.py SERVER_BINARY WORKSPACE_DIR [--pulls N]

Starts `SERVER_BINARY server` in WORKSPACE_DIR as a pull client, makes a first workspace pull
(every file analysed), then N pulls that send back the result ids of the previous one (nothing
changed, so every item should come back `unchanged`). Prints the first pull's time and the
median and max of the others, in milliseconds, and how many items were unchanged.
Standard library only. Generate a workspace with
`gen_corpus.py workspace --files 1000 DIR` (shared/bench).
"""
import json
import os
import subprocess
import sys
import time


def send(p, obj):
    body = json.dumps(obj).encode()
    p.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
    p.stdin.flush()


def recv(p):
    length = None
    while True:
        line = p.stdout.readline()
        if not line:
            raise SystemExit("server closed stdout")
        if line in (b"\r\n", b"\n"):
            break
        k, _, v = line.decode().partition(":")
        if k.lower() == "content-length":
            length = int(v)
    return json.loads(p.stdout.read(length))


def request(p, rid, method, params):
    send(p, {"jsonrpc": "2.0", "id": rid, "method": method, "params": params})
    while True:
        m = recv(p)
        if "method" in m and "id" in m:  # a server request: answer null
            send(p, {"jsonrpc": "2.0", "id": m["id"], "result": None})
        elif m.get("id") == rid and "method" not in m:
            return m


def main():
    binary, ws = sys.argv[1], os.path.abspath(sys.argv[2])
    pulls = int(sys.argv[sys.argv.index("--pulls") + 1]) if "--pulls" in sys.argv else 10
    p = subprocess.Popen([binary, "server"], cwd=ws, stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                         env={**os.environ, "DEPLOYSPEC_LOG": "warn"})
    root = "file://" + ws
    caps = {"textDocument": {"diagnostic": {}}, "workspace": {"diagnostics": {}},
            "general": {"positionEncodings": ["utf-16"]}}
    request(p, 1, "initialize", {"processId": None, "rootUri": root, "capabilities": caps,
                                 "workspaceFolders": [{"uri": root, "name": "ws"}]})
    send(p, {"jsonrpc": "2.0", "method": "initialized", "params": {}})
    t = time.perf_counter()
    r = request(p, 2, "workspace/diagnostic", {"previousResultIds": []})
    first = (time.perf_counter() - t) * 1000
    items = r["result"]["items"]
    prev = [{"uri": i["uri"], "value": i["resultId"]} for i in items]
    times, unchanged = [], 0
    for n in range(pulls):
        t = time.perf_counter()
        r = request(p, 3 + n, "workspace/diagnostic", {"previousResultIds": prev})
        times.append((time.perf_counter() - t) * 1000)
        unchanged = sum(1 for i in r["result"]["items"] if i["kind"] == "unchanged")
    request(p, 10_000, "shutdown", None)
    send(p, {"jsonrpc": "2.0", "method": "exit"})
    p.wait(timeout=10)
    times.sort()
    print(f"files={len(items)} first_pull_ms={first:.0f} "
          f"unchanged_pull_ms_median={times[len(times) // 2]:.1f} max={times[-1]:.1f} "
          f"unchanged_items={unchanged}/{len(r['result']['items'])}")


if __name__ == "__main__":
    main()
