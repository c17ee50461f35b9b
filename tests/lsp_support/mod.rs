//! A small typed LSP client for end-to-end tests: spawns the real `deployspec server`, speaks
//! JSON-RPC over its stdio, answers the server's requests, and bounds every wait with a timeout
//! so no test can hang.

#![allow(dead_code)]

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

pub const TIMEOUT: Duration = Duration::from_secs(20);

pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/lsp_support/fixtures")
}

pub fn fixture_ws() -> PathBuf {
    fixtures().join("ws")
}

pub fn uri(path: &Path) -> String {
    let abs = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    format!("file://{}", abs.display())
}

/// Whether file permission bits bind this process: false when it can read a `chmod 000` file
/// (root, or `CAP_DAC_OVERRIDE`).
#[cfg(unix)]
pub fn permissions_bind() -> bool {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("probe");
    std::fs::write(&f, "x").unwrap();
    std::fs::set_permissions(&f, std::fs::Permissions::from_mode(0o000)).unwrap();
    std::fs::read(&f).is_err()
}

/// How to start and initialise a session.
#[derive(Clone)]
pub struct Init {
    /// Encodings the client offers, in order (`general.positionEncodings`); empty = omit.
    pub encodings: Vec<&'static str>,
    /// Offer pull diagnostics (`textDocument.diagnostic`).
    pub pull: bool,
    /// Offer dynamic registration of watched files.
    pub watch: bool,
    /// Offer `workspace/configuration`, answered with `settings`.
    pub settings: Option<Value>,
    pub root: Option<PathBuf>,
    pub env: Vec<(&'static str, &'static str)>,
    /// Leave the server's requests unanswered (a client that never replies).
    pub silent: bool,
    /// Run the server as a user that file permissions apply to: as `nobody` when this process
    /// is privileged (root reads `chmod 000` files).
    pub unprivileged: bool,
    /// A real client's capabilities, sent as they are (`encodings`, `pull` and `watch` are then
    /// ignored), and its `clientInfo`.
    pub capabilities: Option<Value>,
    pub client_info: Option<Value>,
}

impl Default for Init {
    fn default() -> Self {
        Init {
            encodings: vec!["utf-16"],
            pull: false,
            watch: true,
            settings: None,
            root: None,
            env: Vec::new(),
            silent: false,
            unprivileged: false,
            capabilities: None,
            client_info: None,
        }
    }
}

pub struct TestServer {
    child: Child,
    stdin: ChildStdin,
    rx: Receiver<Value>,
    next_id: i64,
    /// Notifications (and responses to other requests) read but not consumed yet.
    queue: VecDeque<Value>,
    settings: Arc<Mutex<Value>>,
    stderr: Arc<Mutex<String>>,
    /// Server requests seen (method names), in order.
    pub server_requests: Vec<String>,
    silent: bool,
    pub init_result: Value,
    /// What was wrong with the server's stdout, if anything (see [`read_message_strict`]).
    violation: Arc<Mutex<Option<String>>>,
    reader: Option<std::thread::JoinHandle<()>>,
}

/// Reads one framed message, strictly: every byte of the stream must belong to a well-formed
/// frame (`Content-Length` and optional `Content-Type` headers, each ending in `\r\n`, an empty
/// line, then exactly that many bytes of a JSON-RPC 2.0 object). `Ok(None)` is a clean end of the
/// stream (between frames); anything else is an `Err` naming what was wrong, so a stray print
/// on the server's stdout fails the test instead of being skipped.
pub fn read_message_strict(r: &mut impl BufRead) -> Result<Option<Value>, String> {
    let mut len = None;
    let mut first = true;
    loop {
        let mut line = Vec::new();
        let n = r
            .read_until(b'\n', &mut line)
            .map_err(|e| format!("read error: {e}"))?;
        if n == 0 {
            return if first {
                Ok(None)
            } else {
                Err("stream ended inside a header".into())
            };
        }
        first = false;
        let Some(text) = line.strip_suffix(b"\r\n") else {
            return Err(format!(
                "header line not ended by CRLF: {:?}",
                String::from_utf8_lossy(&line)
            ));
        };
        if text.is_empty() {
            break;
        }
        let text = std::str::from_utf8(text).map_err(|_| "header is not UTF-8".to_string())?;
        let (name, value) = text
            .split_once(": ")
            .ok_or_else(|| format!("not a header: {text:?}"))?;
        match name {
            "Content-Length" => {
                if len.is_some() {
                    return Err("two Content-Length headers".into());
                }
                len = Some(
                    value
                        .parse::<usize>()
                        .map_err(|_| format!("bad Content-Length: {value:?}"))?,
                );
            }
            "Content-Type" => {}
            _ => return Err(format!("unknown header: {text:?}")),
        }
    }
    let len = len.ok_or("frame without Content-Length")?;
    let mut buf = vec![0; len];
    r.read_exact(&mut buf)
        .map_err(|e| format!("stream ended inside a body of {len} bytes: {e}"))?;
    let v: Value = serde_json::from_slice(&buf).map_err(|e| {
        format!(
            "body is not JSON ({e}): {:?}",
            String::from_utf8_lossy(&buf[..buf.len().min(200)])
        )
    })?;
    if v.get("jsonrpc") != Some(&json!("2.0")) {
        return Err(format!("not a JSON-RPC 2.0 message: {v}"));
    }
    Ok(Some(v))
}

impl TestServer {
    pub fn spawn(init: &Init) -> TestServer {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_deployspec"));
        cmd.arg("server")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .env("DEPLOYSPEC_LOG", "debug");
        if let Some(root) = &init.root {
            cmd.current_dir(root);
        }
        for (k, v) in &init.env {
            cmd.env(k, v);
        }
        #[cfg(unix)]
        if init.unprivileged && !permissions_bind() {
            use std::os::unix::process::CommandExt;
            cmd.uid(65534).gid(65534);
        }
        let mut child = cmd.spawn().expect("spawn deployspec server");
        let stdin = child.stdin.take().unwrap();
        let stdout = child.stdout.take().unwrap();
        let stderr_pipe = child.stderr.take().unwrap();
        let (tx, rx) = mpsc::channel();
        let violation = Arc::new(Mutex::new(None));
        let seen = violation.clone();
        let reader = std::thread::spawn(move || {
            let mut r = BufReader::new(stdout);
            loop {
                match read_message_strict(&mut r) {
                    Ok(Some(v)) => {
                        if tx.send(v).is_err() {
                            break;
                        }
                    }
                    Ok(None) => break,
                    Err(e) => {
                        *seen.lock().unwrap() = Some(e);
                        break;
                    }
                }
            }
        });
        let stderr = Arc::new(Mutex::new(String::new()));
        let sink = stderr.clone();
        std::thread::spawn(move || {
            let mut r = BufReader::new(stderr_pipe);
            let mut line = String::new();
            while r.read_line(&mut line).unwrap_or(0) > 0 {
                sink.lock().unwrap().push_str(&line);
                line.clear();
            }
        });
        TestServer {
            child,
            stdin,
            rx,
            next_id: 1,
            queue: VecDeque::new(),
            settings: Arc::new(Mutex::new(init.settings.clone().unwrap_or(Value::Null))),
            stderr,
            server_requests: Vec::new(),
            silent: init.silent,
            init_result: Value::Null,
            violation,
            reader: Some(reader),
        }
    }

    /// Spawns and completes `initialize` / `initialized`.
    pub fn start(init: Init) -> TestServer {
        let mut s = TestServer::spawn(&init);
        let mut caps = json!({
            "textDocument": {
                "synchronization": {"dynamicRegistration": false},
                "publishDiagnostics": {"versionSupport": true}
            },
            "workspace": {
                "didChangeWatchedFiles": {"dynamicRegistration": init.watch},
                "configuration": init.settings.is_some(),
                "diagnostics": {"refreshSupport": true},
                "workspaceFolders": true
            },
            "window": {"workDoneProgress": true}
        });
        if !init.encodings.is_empty() {
            caps["general"] = json!({"positionEncodings": init.encodings});
        }
        if init.pull {
            caps["textDocument"]["diagnostic"] = json!({"dynamicRegistration": false});
        }
        if let Some(c) = &init.capabilities {
            caps = c.clone();
        }
        let root = init.root.clone().map(|r| uri(&r));
        let folders = root
            .as_ref()
            .map(|u| json!([{"uri": u, "name": "ws"}]))
            .unwrap_or(Value::Null);
        let r = s.request(
            "initialize",
            json!({
                "processId": null,
                "rootUri": root,
                "workspaceFolders": folders,
                "capabilities": caps,
                "clientInfo": init.client_info.clone().unwrap_or(json!({"name": "deployspec-tests"}))
            }),
        );
        s.init_result = r["result"].clone();
        assert!(r.get("error").is_none(), "initialize failed: {r}");
        s.notify("initialized", json!({}));
        s
    }

    pub fn stderr(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }

    pub fn set_settings(&self, v: Value) {
        *self.settings.lock().unwrap() = v;
    }

    pub fn send(&mut self, v: &Value) {
        let body = serde_json::to_string(v).unwrap();
        self.send_raw(format!("Content-Length: {}\r\n\r\n{}", body.len(), body).as_bytes());
    }

    pub fn send_raw(&mut self, bytes: &[u8]) {
        self.stdin.write_all(bytes).expect("write to server");
        self.stdin.flush().unwrap();
    }

    pub fn notify(&mut self, method: &str, params: Value) {
        self.send(&json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    /// Sends a request without waiting; returns its id.
    pub fn send_request(&mut self, method: &str, params: Value) -> i64 {
        let id = self.next_id;
        self.next_id += 1;
        self.send(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        id
    }

    /// Sends a request and waits for its response (the whole response object).
    pub fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.send_request(method, params);
        self.response(id)
    }

    pub fn response(&mut self, id: i64) -> Value {
        self.response_to(json!(id))
    }

    /// The error response the server sends for a message it could not parse (id null).
    pub fn response_null_id(&mut self) -> Value {
        self.response_to(Value::Null)
    }

    fn response_to(&mut self, id: Value) -> Value {
        if let Some(i) = self
            .queue
            .iter()
            .position(|m| m.get("method").is_none() && m["id"] == id)
        {
            return self.queue.remove(i).unwrap();
        }
        let deadline = Instant::now() + TIMEOUT;
        // Responses are never queued (only notifications are), so read until it arrives.
        loop {
            let m = self.recv_until(deadline).unwrap_or_else(|| {
                panic!(
                    "no response to request {id} within {TIMEOUT:?}\nstderr:\n{}",
                    self.stderr()
                )
            });
            if m.get("method").is_none() && m["id"] == id {
                return m;
            }
            // Notifications and responses to other requests are kept for later.
            self.queue.push_back(m);
        }
    }

    /// Reads the next message, answering server requests on the way.
    fn recv_until(&mut self, deadline: Instant) -> Option<Value> {
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let m = match self.rx.recv_timeout(left) {
                Ok(m) => m,
                Err(RecvTimeoutError::Timeout) => {
                    self.assert_clean_stdout();
                    return None;
                }
                Err(RecvTimeoutError::Disconnected) => {
                    self.assert_clean_stdout();
                    return None;
                }
            };
            if m.get("method").is_some() && m.get("id").is_some() {
                self.answer(&m);
                continue;
            }
            return Some(m);
        }
    }

    fn answer(&mut self, req: &Value) {
        let method = req["method"].as_str().unwrap_or("").to_string();
        if self.silent {
            self.server_requests.push(method);
            return;
        }
        let result = match method.as_str() {
            "workspace/configuration" => {
                let n = req["params"]["items"].as_array().map_or(1, |a| a.len());
                let s = self.settings.lock().unwrap().clone();
                Value::Array(vec![s; n])
            }
            _ => Value::Null,
        };
        self.server_requests.push(method);
        let id = req["id"].clone();
        self.send(&json!({"jsonrpc": "2.0", "id": id, "result": result}));
    }

    /// Waits for a notification `method` whose params satisfy `pred`; others are kept.
    pub fn wait_for(&mut self, method: &str, pred: impl Fn(&Value) -> bool) -> Value {
        self.try_wait_for(method, TIMEOUT, pred).unwrap_or_else(|| {
            panic!(
                "no {method} notification matched within {TIMEOUT:?}\nstderr:\n{}",
                self.stderr()
            )
        })
    }

    pub fn try_wait_for(
        &mut self,
        method: &str,
        timeout: Duration,
        pred: impl Fn(&Value) -> bool,
    ) -> Option<Value> {
        if let Some(i) = self
            .queue
            .iter()
            .position(|m| m["method"] == method && pred(&m["params"]))
        {
            return self.queue.remove(i).map(|m| m["params"].clone());
        }
        let deadline = Instant::now() + timeout;
        loop {
            let m = self.recv_until(deadline)?;
            if m["method"] == method && pred(&m["params"]) {
                return Some(m["params"].clone());
            }
            if m.get("method").is_some() {
                self.queue.push_back(m);
            }
        }
    }

    /// Forgets the notifications read but not consumed (they arrived before anything read later).
    pub fn clear_queue(&mut self) {
        self.queue.clear();
    }

    /// All notifications `method` that arrive within `quiet` of each other (drains the queue).
    pub fn drain(&mut self, method: &str, quiet: Duration) -> Vec<Value> {
        let mut out: Vec<Value> = Vec::new();
        let queued: Vec<Value> = self.queue.drain(..).collect();
        for m in queued {
            if m["method"] == method {
                out.push(m["params"].clone());
            } else {
                self.queue.push_back(m);
            }
        }
        while let Some(m) = self.recv_until(Instant::now() + quiet) {
            if m["method"] == method {
                out.push(m["params"].clone());
            } else if m.get("method").is_some() {
                self.queue.push_back(m);
            }
        }
        out
    }

    pub fn open(&mut self, path: &Path, version: i32) -> String {
        let text = std::fs::read_to_string(path).unwrap();
        self.open_text(&uri(path), &text, version)
    }

    pub fn open_text(&mut self, uri: &str, text: &str, version: i32) -> String {
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": "markdown", "version": version, "text": text}}),
        );
        uri.to_string()
    }

    /// Applies content changes `[(range, text)]` (range = `[[l, c], [l, c]]` or null).
    pub fn change(&mut self, uri: &str, version: i32, changes: Value) {
        self.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri, "version": version}, "contentChanges": changes}),
        );
    }

    /// Waits for pushed diagnostics of `uri` at `version`.
    pub fn diagnostics(&mut self, uri: &str, version: i32) -> Vec<Value> {
        let p = self.wait_for("textDocument/publishDiagnostics", |p| {
            p["uri"] == uri && p["version"] == json!(version)
        });
        p["diagnostics"].as_array().cloned().unwrap_or_default()
    }

    /// Pulls diagnostics of `uri` (full report items).
    pub fn pull(&mut self, uri: &str) -> Vec<Value> {
        let r = self.request(
            "textDocument/diagnostic",
            json!({"textDocument": {"uri": uri}}),
        );
        assert!(r.get("error").is_none(), "pull failed: {r}");
        assert_eq!(r["result"]["kind"], "full", "{r}");
        r["result"]["items"].as_array().cloned().unwrap_or_default()
    }

    /// The server's own text and version of an open document (test-only request, needs
    /// `DEPLOYSPEC_TEST_DEBUG=1` in `Init::env`); `None` when it is not open.
    pub fn server_text(&mut self, uri: &str) -> Option<(i64, String)> {
        let r = self.request("deployspec/debug/text", json!({"uri": uri}));
        assert!(r.get("error").is_none(), "debug/text failed: {r}");
        let v = &r["result"];
        if v.is_null() {
            return None;
        }
        Some((
            v["version"].as_i64().unwrap(),
            v["text"].as_str().unwrap().to_string(),
        ))
    }

    /// What the server holds: `{openDocuments, indexedSpecs}` (test-only request).
    pub fn stats(&mut self) -> Value {
        let r = self.request("deployspec/debug/stats", Value::Null);
        assert!(r.get("error").is_none(), "debug/stats failed: {r}");
        r["result"].clone()
    }

    /// Responses read but not consumed (to check that nothing answered a given id).
    pub fn queued_responses(&self) -> Vec<Value> {
        self.queue
            .iter()
            .filter(|m| m.get("method").is_none())
            .cloned()
            .collect()
    }

    /// `shutdown` then `exit`; returns the exit status (bounded wait).
    pub fn shutdown(mut self) -> ExitStatus {
        let r = self.request("shutdown", Value::Null);
        assert!(r.get("error").is_none(), "shutdown failed: {r}");
        self.notify("exit", Value::Null);
        self.wait_exit()
    }

    /// Panics if anything on the server's stdout was not a well-formed framed message.
    pub fn assert_clean_stdout(&self) {
        if let Some(e) = self.violation.lock().unwrap().clone() {
            panic!(
                "the server wrote something other than protocol on stdout: {e}\nstderr:\n{}",
                self.stderr()
            );
        }
    }

    /// Waits for the process to end, then for its stdout to be read to the end, and checks that
    /// every byte of it was protocol.
    pub fn wait_exit(&mut self) -> ExitStatus {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Some(s) = self.child.try_wait().unwrap() {
                if let Some(reader) = self.reader.take() {
                    let _ = reader.join();
                }
                self.assert_clean_stdout();
                return s;
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                panic!("server did not exit\nstderr:\n{}", self.stderr());
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// The server's process id (for reading its memory in `/proc`).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    pub fn is_running(&mut self) -> bool {
        self.child.try_wait().unwrap().is_none()
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `(code, [start line, start col, end line, end col])` of each diagnostic, for compact asserts.
pub fn summary(diags: &[Value]) -> Vec<(String, [u64; 4])> {
    let mut v: Vec<_> = diags
        .iter()
        .map(|d| {
            let r = &d["range"];
            (
                d["code"].as_str().unwrap_or("").to_string(),
                [
                    r["start"]["line"].as_u64().unwrap(),
                    r["start"]["character"].as_u64().unwrap(),
                    r["end"]["line"].as_u64().unwrap(),
                    r["end"]["character"].as_u64().unwrap(),
                ],
            )
        })
        .collect();
    v.sort();
    v
}

pub fn codes(diags: &[Value]) -> Vec<String> {
    let mut v: Vec<String> = diags
        .iter()
        .map(|d| d["code"].as_str().unwrap_or("").to_string())
        .collect();
    v.sort();
    v
}

/// What the server must report for `text` at `path`: the analysis core run directly, as
/// `deployspec check` runs it (same configuration discovery, same index), converted with the
/// server's own conversion.
pub fn expected_diagnostics(path: &Path, text: &str, encoding: &str) -> Vec<Value> {
    use deployspec::analysis::{analyze_text, Input};
    use deployspec::position::Encoding;
    use deployspec::workspace::{absolute, Workspace};
    let abs = absolute(path);
    let ws = Workspace::discover(&abs);
    let (mut index, _) = ws.build_index();
    if let Some(e) = ws.entry(&abs, text) {
        index.upsert(e);
    }
    let a = analyze_text(&Input {
        text,
        path: Some(&abs),
        explicit: false,
        config: &ws.config,
        index: &index,
    });
    let enc = if encoding == "utf-8" {
        Encoding::Utf8
    } else {
        Encoding::Utf16
    };
    let diags = deployspec::lsp::convert::diagnostics(text, &a.findings, enc);
    diags
        .into_iter()
        .map(|d| serde_json::to_value(d).unwrap())
        .collect()
}

/// Diagnostics in a canonical order, for equality checks.
pub fn sorted(mut v: Vec<Value>) -> Vec<Value> {
    v.sort_by_key(|d| d.to_string());
    v
}

impl TestServer {
    /// Waits until the server's log holds `needle`. The log is read by another thread, so it can
    /// lag behind the messages; the deadline only keeps a failing test from hanging.
    pub fn log_shows(&self, needle: &str) -> bool {
        let deadline = Instant::now() + TIMEOUT;
        while Instant::now() < deadline {
            if self.stderr().contains(needle) {
                return true;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        false
    }

    /// Waits until the server's log holds `needle` at least `n` times, then gives the count (so
    /// a test can also see that it is not more).
    pub fn log_count(&self, needle: &str, n: usize) -> usize {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let count = self.stderr().matches(needle).count();
            if count >= n || Instant::now() >= deadline {
                return count;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}
