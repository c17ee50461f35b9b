//! Bad input never crashes, hangs or corrupts: panics in handlers, malformed JSON-RPC, unknown
//! methods, wrong params, requests before `initialize`, edits to unopened documents,
//! out-of-range positions, unreadable files on disk.

mod lsp_support;

use std::time::Duration;

use lsp_support::{fixture_ws, uri, Init, TestServer};
use serde_json::{json, Value};

fn start_with(init: Init) -> TestServer {
    TestServer::start(Init {
        root: Some(init.root.clone().unwrap_or_else(fixture_ws)),
        ..init
    })
}

#[test]
fn a_panic_in_a_handler_is_an_internal_error_and_the_server_keeps_serving() {
    let mut s = start_with(Init {
        env: vec![("DEPLOYSPEC_TEST_PANIC", "1")],
        ..Init::default()
    });
    let cmds = &s.init_result["capabilities"]["executeCommandProvider"]["commands"];
    assert_eq!(cmds, &json!(["deployspec.debug.panic"]));
    let r = s.request(
        "workspace/executeCommand",
        json!({"command": "deployspec.debug.panic", "arguments": []}),
    );
    assert_eq!(r["error"]["code"], -32603, "{r}");
    assert!(s.is_running());
    // Still serving: open a document and get its diagnostics, twice over.
    let path = fixture_ws().join("docs/specs/deployment-procedure/deploy-003-unicode.md");
    let u = s.open(&path, 1);
    assert!(!s.diagnostics(&u, 1).is_empty());
    let r = s.request(
        "workspace/executeCommand",
        json!({"command": "deployspec.debug.panic"}),
    );
    assert_eq!(r["error"]["code"], -32603, "{r}");
    s.change(&u, 2, json!([{"text": "# Title\n"}]));
    s.diagnostics(&u, 2);
    assert!(s.stderr().contains("handler panicked"), "{}", s.stderr());
    assert!(s.shutdown().success());
}

#[test]
fn the_panic_command_does_not_exist_without_the_test_switch() {
    let mut s = start_with(Init::default());
    assert!(s.init_result["capabilities"]["executeCommandProvider"].is_null());
    let r = s.request(
        "workspace/executeCommand",
        json!({"command": "deployspec.debug.panic"}),
    );
    assert_eq!(r["error"]["code"], -32602, "{r}");
    assert!(s.shutdown().success());
}

#[test]
fn requests_before_initialize_are_refused() {
    let mut s = TestServer::spawn(&Init::default());
    let r = s.request(
        "textDocument/diagnostic",
        json!({"textDocument": {"uri": "file:///x.md"}}),
    );
    assert_eq!(r["error"]["code"], -32002, "{r}");
    let r = s.request("shutdown", Value::Null);
    assert!(r.get("error").is_some(), "{r}");
    assert!(s.is_running());
}

#[test]
fn malformed_messages_unknown_methods_and_wrong_params_get_errors() {
    let mut s = start_with(Init::default());
    // Not JSON at all.
    s.send_raw(b"Content-Length: 9\r\n\r\n{not json");
    let r = s.response_null_id();
    assert_eq!(r["error"]["code"], -32700, "{r}");
    // JSON, but not JSON-RPC.
    s.send_raw(b"Content-Length: 9\r\n\r\n{\"foo\":1}");
    let r = s.response_null_id();
    assert_eq!(r["error"]["code"], -32600, "{r}");
    // A broken header, then a good message: the good one is still answered.
    s.send_raw(b"Content-Length: twelve\r\n\r\n");
    let r = s.response_null_id();
    assert_eq!(r["error"]["code"], -32700, "{r}");
    // Unknown method.
    let r = s.request("deployspec/doesNotExist", json!({}));
    assert_eq!(r["error"]["code"], -32601, "{r}");
    // Wrong params.
    let r = s.request("textDocument/diagnostic", json!({"textDocument": 42}));
    assert_eq!(r["error"]["code"], -32602, "{r}");
    // Unknown notifications and notifications with bad params are ignored.
    s.notify("$/somethingNew", json!({}));
    s.notify("textDocument/didOpen", json!({"bogus": true}));
    // Still serving.
    let u = s.open_text("file:///tmp/deploy-x.md", "# T\n\n[CMP-999]\n", 1);
    assert!(!s.diagnostics(&u, 1).is_empty());
    assert!(s.shutdown().success());
}

#[test]
fn edits_to_unopened_documents_and_out_of_range_positions_are_logged_not_fatal() {
    let mut s = start_with(Init::default());
    s.change(
        "file:///never/opened.md",
        2,
        json!([{"range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}}, "text": "x"}]),
    );
    let u = s.open_text("file:///tmp/deploy-y.md", "# T\n\nabc [CMP-999]\n", 1);
    s.diagnostics(&u, 1);
    // Past the end of a line and past the end of the document: clamped.
    s.change(
        &u,
        2,
        json!([
            {"range": {"start": {"line": 2, "character": 99}, "end": {"line": 2, "character": 120}}, "text": " tail"},
            {"range": {"start": {"line": 40, "character": 0}, "end": {"line": 50, "character": 3}}, "text": "\nend [DES-999]\n"}
        ]),
    );
    let d = s.diagnostics(&u, 2);
    let expected = "# T\n\nabc [CMP-999] tail\n\nend [DES-999]\n";
    // The clamped edits landed where an editor would put them: the diagnostics are those of
    // the expected text.
    let got: Vec<_> = lsp_support::summary(&d)
        .into_iter()
        .filter(|(c, _)| c == "DP030")
        .collect();
    assert_eq!(
        got,
        vec![
            ("DP030".to_string(), [2, 5, 2, 12]),
            ("DP030".to_string(), [4, 5, 4, 12])
        ]
    );
    let _ = expected;
    let log = s.stderr();
    assert!(log.contains("not open"), "{log}");
    assert!(log.contains("clamped"), "{log}");
    assert!(s.shutdown().success());
}

#[test]
fn unreadable_files_on_disk_are_reported_not_fatal() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let specs = root.join("docs/specs/component");
    std::fs::create_dir_all(&specs).unwrap();
    std::fs::write(
        root.join(".deployspec.toml"),
        "spec_root = \"docs/specs\"\n",
    )
    .unwrap();
    std::fs::write(specs.join("cmp-001-ok.md"), "# OK\n\nFine.\n").unwrap();
    std::fs::write(specs.join("cmp-002-binary.md"), b"# B\n\0\0\0binary").unwrap();
    std::fs::write(specs.join("cmp-003-latin1.md"), b"# L\n\ncaf\xe9\n").unwrap();
    let big = vec![b'a'; 10 * 1024 * 1024 + 10];
    std::fs::write(specs.join("cmp-004-huge.md"), big).unwrap();
    let mut s = TestServer::start(Init {
        pull: true,
        root: Some(root.to_path_buf()),
        ..Init::default()
    });
    // Pull a file that is not open: read from disk, refused with a reason.
    let items = s.pull(&uri(&specs.join("cmp-003-latin1.md")));
    assert!(
        items[0]["message"]
            .as_str()
            .unwrap()
            .contains("invalid UTF-8"),
        "{items:?}"
    );
    let items = s.pull(&uri(&specs.join("cmp-002-binary.md")));
    assert!(items[0]["message"].as_str().unwrap().contains("binary"));
    let items = s.pull(&uri(&specs.join("cmp-004-huge.md")));
    assert!(items[0]["message"].as_str().unwrap().contains("10 MB"));
    let r = s.request("workspace/diagnostic", json!({"previousResultIds": []}));
    assert!(r.get("error").is_none(), "{r}");
    assert!(s.is_running());
    assert!(s.shutdown().success());
}

#[test]
fn stdout_carries_only_protocol_even_with_debug_logging() {
    // The test client parses every byte of stdout as framed JSON and panics otherwise; debug
    // logging is on (DEPLOYSPEC_LOG=debug) in every test.
    let mut s = start_with(Init::default());
    let path = fixture_ws().join("docs/specs/deployment-procedure/deploy-001-export-prod.md");
    let u = s.open(&path, 1);
    s.diagnostics(&u, 1);
    let _ = s.drain("window/logMessage", Duration::from_millis(100));
    assert!(s.stderr().contains("DEBUG"), "logs go to stderr");
    assert!(s.shutdown().success());
}

#[test]
fn cancelled_requests_are_answered_and_the_server_keeps_serving() {
    let mut s = start_with(Init {
        pull: true,
        ..Init::default()
    });
    let text = std::fs::read_to_string(
        fixture_ws().join("docs/specs/deployment-procedure/deploy-002-generated.md"),
    )
    .unwrap()
    .repeat(8);
    let u = s.open_text("file:///tmp/deploy-big.md", &text, 1);
    // Change, pull, and cancel the pull at once: the answer is the result or "cancelled".
    s.change(
        &u,
        2,
        json!([{"text": format!("{text}\nmore [CMP-999]\n")}]),
    );
    let id = s.send_request(
        "textDocument/diagnostic",
        json!({"textDocument": {"uri": u}}),
    );
    s.notify("$/cancelRequest", json!({"id": id}));
    let r = s.response(id);
    assert!(
        r.get("result").is_some() || r["error"]["code"] == -32800,
        "{r}"
    );
    // The next pull sees the latest text.
    let d = s.pull(&u);
    assert!(d
        .iter()
        .any(|d| d["message"].as_str().unwrap().contains("CMP-999")));
    assert!(s.shutdown().success());
}

#[test]
fn a_buffer_over_ten_megabytes_is_refused_with_a_diagnostic() {
    let mut s = start_with(Init::default());
    let text = "word ".repeat(2 * 1024 * 1024 + 10);
    let u = s.open_text("file:///tmp/deploy-huge.md", &text, 1);
    let d = s.diagnostics(&u, 1);
    assert_eq!(d.len(), 1, "{d:?}");
    assert!(d[0]["message"].as_str().unwrap().contains("10 MB"), "{d:?}");
    // Edited below the limit: checked normally.
    s.change(&u, 2, json!([{"text": "# T\n\n[CMP-999]\n"}]));
    let d = s.diagnostics(&u, 2);
    assert!(d.iter().any(|d| d["code"] == "DP030"), "{d:?}");
    assert!(s.shutdown().success());
}

#[test]
fn a_client_that_never_answers_does_not_stall_the_server() {
    // Configuration, progress and watcher registration requests go unanswered: diagnostics,
    // pulls and shutdown still work (no handler waits on the client).
    let mut s = start_with(Init {
        silent: true,
        settings: Some(json!({})),
        ..Init::default()
    });
    let path = fixture_ws().join("docs/specs/deployment-procedure/deploy-003-unicode.md");
    let u = s.open(&path, 1);
    assert!(!s.diagnostics(&u, 1).is_empty());
    s.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": null}),
    );
    s.change(&u, 2, json!([{"text": "# T\n\n[CMP-999]\n"}]));
    assert!(!s.diagnostics(&u, 2).is_empty());
    assert!(s
        .server_requests
        .iter()
        .any(|m| m == "workspace/configuration"));
    assert!(s.shutdown().success());
}
