//! Bad input never crashes, hangs or corrupts: panics in handlers, malformed JSON-RPC, unknown
//! methods, wrong params, requests before `initialize`, edits to unopened documents,
//! out-of-range positions, unreadable files on disk.

mod lsp_support;

use std::time::Duration;

use lsp_support::{fixture_ws, uri, Init, TestServer};
use serde_json::{json, Value};

/// Enables the test-only requests (`deployspec/debug/*`).
const DEBUG: (&str, &str) = ("DEPLOYSPEC_TEST_DEBUG", "1");

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
    assert!(s.log_shows("handler panicked"), "{}", s.stderr());
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
    assert_eq!(r["error"]["code"], -32002, "{r}");
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
    let mut s = start_with(Init {
        env: vec![DEBUG],
        ..Init::default()
    });
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
    assert_eq!(s.server_text(&u), Some((2, expected.to_string())));
    // The unopened document was not created by the edit.
    assert_eq!(s.server_text("file:///never/opened.md"), None);
    assert_eq!(s.stats()["openDocuments"], 1);
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
    // The log is read by another thread and can lag behind the diagnostics: wait for it.
    assert!(s.log_shows("not open"), "{}", s.stderr());
    assert!(s.log_shows("clamped"), "{}", s.stderr());
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
    // 50 MB, sparse: refused from its size.
    std::fs::File::create(specs.join("cmp-005-fifty.md"))
        .unwrap()
        .set_len(50 * 1024 * 1024)
        .unwrap();
    // No read permission, and a folder that cannot be listed (the server runs as `nobody`
    // when this test runs as root, so the bits apply).
    use std::os::unix::fs::PermissionsExt;
    let mode = |p: &std::path::Path, m: u32| {
        std::fs::set_permissions(p, std::fs::Permissions::from_mode(m)).unwrap()
    };
    std::fs::write(specs.join("cmp-006-secret.md"), "# S\n").unwrap();
    mode(&specs.join("cmp-006-secret.md"), 0o000);
    let hidden = root.join("docs/specs/design");
    std::fs::create_dir_all(&hidden).unwrap();
    std::fs::write(hidden.join("des-001-x.md"), "# D\n").unwrap();
    for d in [root, &root.join("docs"), &root.join("docs/specs"), &specs] {
        mode(d, 0o755);
    }
    mode(&hidden, 0o000);
    let mut s = TestServer::start(Init {
        pull: true,
        root: Some(root.to_path_buf()),
        unprivileged: true,
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
    let items = s.pull(&uri(&specs.join("cmp-005-fifty.md")));
    assert!(
        items[0]["message"]
            .as_str()
            .unwrap()
            .contains("file is 50.0 MB"),
        "{items:?}"
    );
    let items = s.pull(&uri(&specs.join("cmp-006-secret.md")));
    assert!(
        items[0]["message"]
            .as_str()
            .unwrap()
            .contains("permission denied"),
        "{items:?}"
    );
    let r = s.request("workspace/diagnostic", json!({"previousResultIds": []}));
    assert!(r.get("error").is_none(), "{r}");
    // Every unreadable file under the spec root has its report in the workspace pull; the
    // readable one has its findings.
    let items = r["result"]["items"].as_array().unwrap();
    for name in [
        "cmp-002-binary.md",
        "cmp-003-latin1.md",
        "cmp-004-huge.md",
        "cmp-005-fifty.md",
        "cmp-006-secret.md",
    ] {
        let it = items
            .iter()
            .find(|i| i["uri"].as_str().unwrap().ends_with(name))
            .unwrap_or_else(|| panic!("{name} missing from the workspace pull: {r}"));
        assert!(
            it["items"][0]["message"]
                .as_str()
                .unwrap()
                .starts_with("cannot check this file: "),
            "{it}"
        );
    }
    // The folder that could not be listed is logged with its reason.
    assert!(
        s.log_shows("docs/specs/design: permission denied"),
        "{}",
        s.stderr()
    );
    assert!(s.is_running());
    mode(&hidden, 0o755);
    assert!(s.shutdown().success());
}

#[test]
fn stdout_carries_only_protocol_even_with_debug_logging() {
    // The test client reads every byte of stdout as a framed JSON-RPC message and fails on
    // anything else (see the strict reader test); `shutdown` reads stdout to its end before
    // checking. Debug logging is on (DEPLOYSPEC_LOG=debug) in every test.
    let mut s = start_with(Init::default());
    let path = fixture_ws().join("docs/specs/deployment-procedure/deploy-001-export-prod.md");
    let u = s.open(&path, 1);
    s.diagnostics(&u, 1);
    let _ = s.drain("window/logMessage", Duration::from_millis(100));
    assert!(s.log_shows("DEBUG"), "logs go to stderr");
    assert!(s.shutdown().success());
}

#[test]
fn a_cancelled_pending_request_is_answered_as_cancelled() {
    // The first index is held (test switch) and every analysis waits for it, so the requests
    // below are provably still pending when they are cancelled.
    let mut s = start_with(Init {
        pull: true,
        env: vec![DEBUG, ("DEPLOYSPEC_TEST_HOLD_INDEX", "1")],
        ..Init::default()
    });
    let u = s.open_text("file:///tmp/deploy-cancel.md", "# T\n\n[CMP-999]\n", 1);
    let ws = s.send_request("workspace/diagnostic", json!({"previousResultIds": []}));
    s.notify("$/cancelRequest", json!({"id": ws}));
    let r = s.response(ws);
    assert_eq!(r["error"]["code"], -32800, "{r}");
    assert!(r.get("result").is_none(), "{r}");
    // A document pull is answered by the server's own fast path, which is not cancellable:
    // cancelled while pending, it still gets the full result once the index is ready (the
    // protocol allows either).
    let pull = s.send_request(
        "textDocument/diagnostic",
        json!({"textDocument": {"uri": u}}),
    );
    s.notify("$/cancelRequest", json!({"id": pull}));
    s.change(&u, 2, json!([{"text": "# T\n\n[DES-998]\n"}]));
    s.notify("deployspec/debug/releaseIndex", Value::Null);
    let r = s.response(pull);
    assert_eq!(r["result"]["kind"], "full", "{r}");
    // It answers for the text current when the check ran: the edit after it was applied
    // first, as edits are applied on arrival.
    let msgs: Vec<&str> = r["result"]["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["message"].as_str().unwrap())
        .collect();
    assert!(msgs.iter().any(|m| m.contains("DES-998")), "{msgs:?}");
    assert!(!msgs.iter().any(|m| m.contains("CMP-999")), "{msgs:?}");
    // The server keeps serving: the workspace pull now completes.
    let r = s.request("workspace/diagnostic", json!({"previousResultIds": []}));
    assert!(r["result"]["items"].as_array().is_some(), "{r}");
    assert!(s.shutdown().success());
}

#[test]
fn cancelling_unknown_or_finished_requests_changes_nothing() {
    let mut s = start_with(Init {
        pull: true,
        ..Init::default()
    });
    let u = s.open_text("file:///tmp/deploy-c.md", "# T\n\n[CMP-999]\n", 1);
    let before = s.pull(&u);
    // Never sent, already answered, a string id, no id at all.
    s.notify("$/cancelRequest", json!({"id": 4242}));
    s.notify("$/cancelRequest", json!({"id": 1}));
    s.notify("$/cancelRequest", json!({"id": "nope"}));
    s.notify("$/cancelRequest", json!({}));
    assert_eq!(s.pull(&u), before);
    let r = s.request("shutdown", Value::Null);
    assert!(r.get("error").is_none(), "{r}");
    // Nothing answered the cancelled ids: every response read was to a request made here.
    assert!(
        s.queued_responses().is_empty(),
        "{:?}",
        s.queued_responses()
    );
    s.notify("exit", Value::Null);
    assert!(s.wait_exit().success());
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

/// The test client's reader is strict: each of these streams must be rejected, so a stray
/// print on the server's stdout fails every test that reads past it.
#[test]
fn the_strict_reader_rejects_anything_that_is_not_a_framed_message() {
    use lsp_support::read_message_strict;
    let good = "Content-Length: 17\r\n\r\n{\"jsonrpc\":\"2.0\"}";
    let mut r = std::io::Cursor::new(format!("{good}{good}"));
    assert!(read_message_strict(&mut r).unwrap().is_some());
    assert!(read_message_strict(&mut r).unwrap().is_some());
    assert_eq!(read_message_strict(&mut r), Ok(None));
    for polluted in [
        format!("hello from a stray println!\n{good}"),
        format!("{good}stray"),
        format!("{good}\n"),
        format!("X-Debug: 1\r\n{}", &good),
        good.replace("\r\n", "\n"),
        good.replace("17", "16"),
        good.replace("17", "18"),
        "Content-Length: 7\r\n\r\n{\"a\":1}".to_string(),
        "Content-Length: 3\r\n\r\nabc".to_string(),
        "\r\n".to_string(),
    ] {
        let mut r = std::io::Cursor::new(polluted.clone());
        let outcome = (0..3)
            .map(|_| read_message_strict(&mut r))
            .find(|m| !matches!(m, Ok(Some(_))));
        assert!(
            matches!(outcome, Some(Err(_))),
            "accepted {polluted:?}: {outcome:?}"
        );
    }
}

#[test]
fn huge_headers_bad_lengths_and_junk_between_frames_get_errors_and_the_session_goes_on() {
    let mut s = start_with(Init {
        env: vec![DEBUG],
        ..Init::default()
    });
    // A 1 MB header line.
    let mut huge = b"X-Padding: ".to_vec();
    huge.extend(std::iter::repeat_n(b'a', 1024 * 1024));
    huge.extend_from_slice(b"\r\nContent-Length: 2\r\n\r\n{}");
    s.send_raw(&huge);
    let r = s.response_null_id();
    assert_eq!(r["error"]["code"], -32700, "{r}");
    assert!(
        r["error"]["message"]
            .as_str()
            .unwrap()
            .contains("header line over"),
        "{r}"
    );
    // A negative length, then a frame with no length at all.
    s.send_raw(b"Content-Length: -5\r\n\r\n");
    let r = s.response_null_id();
    assert_eq!(r["error"]["message"], "bad Content-Length `-5`", "{r}");
    s.send_raw(b"Content-Type: application/json\r\n\r\n");
    let r = s.response_null_id();
    assert_eq!(
        r["error"]["message"], "message without Content-Length",
        "{r}"
    );
    // A length over the limit: the body is skipped, not read into memory, and not taken for
    // the next frame.
    let n = 64 * 1024 * 1024 + 1;
    s.send_raw(format!("Content-Length: {n}\r\n\r\n").as_bytes());
    let chunk = vec![b' '; 1024 * 1024];
    for _ in 0..64 {
        s.send_raw(&chunk);
    }
    s.send_raw(b" ");
    let r = s.response_null_id();
    assert!(
        r["error"]["message"]
            .as_str()
            .unwrap()
            .contains("over the limit"),
        "{r}"
    );
    // A JSON-RPC message of the wrong shape (a batch) and a request whose id is an object.
    s.send(&json!([{"jsonrpc": "2.0", "id": 90, "method": "shutdown"}]));
    let r = s.response_null_id();
    assert_eq!(r["error"]["code"], -32600, "{r}");
    s.send(&json!({"jsonrpc": "2.0", "id": {"x": 1}, "method": "shutdown"}));
    let r = s.response_null_id();
    assert_eq!(r["error"]["code"], -32600, "{r}");
    // Still serving, with exactly the text sent.
    let u = s.open_text("file:///tmp/deploy-h.md", "# T\n\n[CMP-999]\n", 1);
    assert!(!s.diagnostics(&u, 1).is_empty());
    assert_eq!(s.server_text(&u), Some((1, "# T\n\n[CMP-999]\n".into())));
    assert!(s.log_shows("malformed message header"), "{}", s.stderr());
    assert!(s.shutdown().success());
}

#[test]
fn notifications_before_initialize_are_dropped_and_initialize_still_works() {
    let mut s = TestServer::spawn(&Init {
        env: vec![DEBUG],
        ..Init::default()
    });
    s.open_text("file:///tmp/deploy-early.md", "# Early\n", 1);
    let r = s.request("deployspec/debug/stats", Value::Null);
    assert_eq!(r["error"]["code"], -32002, "{r}");
    let r = s.request(
        "initialize",
        json!({"processId": null, "rootUri": null, "capabilities": {}}),
    );
    assert!(r["result"]["capabilities"].is_object(), "{r}");
    // A second initialize is refused.
    let r = s.request(
        "initialize",
        json!({"processId": null, "rootUri": null, "capabilities": {}}),
    );
    assert_eq!(r["error"]["code"], -32600, "{r}");
    s.notify("initialized", json!({}));
    // The didOpen sent before initialize did not open anything.
    assert_eq!(s.stats()["openDocuments"], 0);
    assert!(s.shutdown().success());
}

#[test]
fn after_shutdown_requests_are_refused_notifications_ignored_and_exit_is_clean() {
    let mut s = start_with(Init {
        env: vec![DEBUG],
        ..Init::default()
    });
    let u = s.open_text("file:///tmp/deploy-s.md", "# T\n", 1);
    s.diagnostics(&u, 1);
    let r = s.request("shutdown", Value::Null);
    assert!(r.get("error").is_none(), "{r}");
    let r = s.request(
        "textDocument/diagnostic",
        json!({"textDocument": {"uri": u}}),
    );
    assert_eq!(r["error"]["code"], -32600, "{r}");
    let r = s.request("shutdown", Value::Null);
    assert_eq!(r["error"]["code"], -32600, "{r}");
    s.change(&u, 2, json!([{"text": "# Changed\n"}]));
    s.notify("exit", Value::Null);
    assert!(s.wait_exit().success());
}

#[test]
fn exit_without_shutdown_exits_with_status_one() {
    let mut s = start_with(Init::default());
    s.notify("exit", Value::Null);
    assert_eq!(s.wait_exit().code(), Some(1));
}

#[test]
fn versions_going_backwards_are_logged_and_the_text_still_follows_the_client() {
    let mut s = start_with(Init {
        pull: true,
        env: vec![DEBUG],
        ..Init::default()
    });
    let u = s.open_text("file:///tmp/deploy-v.md", "# T\n", 5);
    s.change(&u, 3, json!([{"text": "# T\n\n[CMP-999]\n"}]));
    s.change(&u, 3, json!([{"range": {"start": {"line": 0, "character": 3}, "end": {"line": 0, "character": 3}}, "text": "itle"}]));
    // The client's text is what it has sent; the server keeps it, and checks it.
    assert_eq!(
        s.server_text(&u),
        Some((3, "# Title\n\n[CMP-999]\n".into()))
    );
    let d = s.pull(&u);
    assert!(
        d.iter()
            .any(|d| d["code"] == "DP030" && d["message"].as_str().unwrap().contains("CMP-999")),
        "{d:?}"
    );
    assert_eq!(
        s.log_count("document version did not increase", 2),
        2,
        "{}",
        s.stderr()
    );
    assert!(s.shutdown().success());
}

#[test]
fn the_debug_requests_do_not_exist_without_the_test_switch() {
    let mut s = start_with(Init::default());
    for (method, params) in [
        ("deployspec/debug/text", json!({"uri": "file:///x.md"})),
        ("deployspec/debug/stats", Value::Null),
    ] {
        let r = s.request(method, params);
        assert_eq!(r["error"]["code"], -32601, "{r}");
    }
    assert!(s.shutdown().success());
}
