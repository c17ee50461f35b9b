//! End-to-end: the real binary over stdio. Encodings, exact ranges, incremental edits with
//! versions, push and pull, bursts, shutdown.

mod lsp_support;

use std::time::Duration;

use lsp_support::{codes, fixture_ws, summary, Init, TestServer};
use serde_json::{json, Value};

fn unicode_fixture() -> std::path::PathBuf {
    fixture_ws().join("docs/specs/deployment-procedure/deploy-003-unicode.md")
}

fn export_fixture() -> std::path::PathBuf {
    fixture_ws().join("docs/specs/deployment-procedure/deploy-001-export-prod.md")
}

fn start(encodings: Vec<&'static str>, pull: bool) -> TestServer {
    TestServer::start(Init {
        encodings,
        pull,
        root: Some(fixture_ws()),
        ..Init::default()
    })
}

fn dp030(diags: &[Value]) -> Vec<[u64; 4]> {
    summary(diags)
        .into_iter()
        .filter(|(c, _)| c == "DP030")
        .map(|(_, r)| r)
        .collect()
}

#[test]
fn utf16_is_the_default_and_ranges_count_utf16_units() {
    let mut s = start(vec!["utf-16"], false);
    assert_eq!(s.init_result["capabilities"]["positionEncoding"], "utf-16");
    assert_eq!(
        s.init_result["capabilities"]["textDocumentSync"]["change"],
        2
    );
    assert!(s.init_result["capabilities"]["diagnosticProvider"].is_null());
    let uri = s.open(&unicode_fixture(), 1);
    let diags = s.diagnostics(&uri, 1);
    // Emoji before the reference (surrogate pairs), CJK, a combining mark.
    assert_eq!(
        dp030(&diags),
        vec![[6, 23, 6, 30], [7, 26, 7, 33], [8, 33, 8, 40]]
    );
    let d = diags.iter().find(|d| d["code"] == "DP030").unwrap();
    assert_eq!(d["source"], "deployspec");
    assert_eq!(d["severity"], 1);
    assert!(d["message"].as_str().unwrap().contains("CMP-999"), "{d}");
    assert!(s.shutdown().success());
}

#[test]
fn utf8_when_offered_and_ranges_count_bytes() {
    let mut s = start(vec!["utf-8", "utf-16"], false);
    assert_eq!(s.init_result["capabilities"]["positionEncoding"], "utf-8");
    let uri = s.open(&unicode_fixture(), 1);
    let diags = s.diagnostics(&uri, 1);
    assert_eq!(
        dp030(&diags),
        vec![[6, 36, 6, 43], [7, 36, 7, 43], [8, 34, 8, 41]]
    );
    assert!(s.shutdown().success());
}

#[test]
fn no_encodings_offered_means_utf16() {
    let s = start(vec![], false);
    assert_eq!(s.init_result["capabilities"]["positionEncoding"], "utf-16");
}

#[test]
fn incremental_edits_update_diagnostics_with_versions() {
    let mut s = start(vec!["utf-16"], false);
    let uri = s.open(&unicode_fixture(), 1);
    assert_eq!(dp030(&s.diagnostics(&uri, 1)).len(), 3);
    // Fix CMP-999 → CMP-001 (replace "999" after the emoji line's prefix).
    s.change(
        &uri,
        2,
        json!([{"range": {"start": {"line": 6, "character": 27}, "end": {"line": 6, "character": 30}}, "text": "001"}]),
    );
    assert_eq!(
        dp030(&s.diagnostics(&uri, 2)),
        vec![[7, 26, 7, 33], [8, 33, 8, 40]]
    );
    // Two changes in one notification, applied in sequence: insert a line at the top of the
    // body, then delete the 👍🏽 (4 UTF-16 units) on what is now line 8.
    s.change(
        &uri,
        3,
        json!([
            {"range": {"start": {"line": 6, "character": 0}, "end": {"line": 6, "character": 0}}, "text": "新しい [CMP-555]\n"},
            {"range": {"start": {"line": 8, "character": 19}, "end": {"line": 8, "character": 24}}, "text": ""}
        ]),
    );
    assert_eq!(
        dp030(&s.diagnostics(&uri, 3)),
        vec![[6, 5, 6, 12], [8, 21, 8, 28], [9, 33, 9, 40]]
    );
    assert!(s.shutdown().success());
}

#[test]
fn pull_mode_answers_requests_and_never_pushes() {
    let mut s = start(vec!["utf-16"], true);
    let caps = &s.init_result["capabilities"]["diagnosticProvider"];
    assert_eq!(caps["workspaceDiagnostics"], true, "{caps}");
    let uri = s.open(&unicode_fixture(), 1);
    let diags = s.pull(&uri);
    assert_eq!(dp030(&diags).len(), 3);
    s.change(
        &uri,
        2,
        json!([{"range": {"start": {"line": 6, "character": 27}, "end": {"line": 6, "character": 30}}, "text": "001"}]),
    );
    assert_eq!(dp030(&s.pull(&uri)).len(), 2);
    // Unchanged since the last pull: the server says so.
    let first = s.request(
        "textDocument/diagnostic",
        json!({"textDocument": {"uri": uri}}),
    );
    let id = first["result"]["resultId"].clone();
    let again = s.request(
        "textDocument/diagnostic",
        json!({"textDocument": {"uri": uri}, "previousResultId": id}),
    );
    assert_eq!(again["result"]["kind"], "unchanged", "{again}");
    // Workspace pull covers unopened specs too.
    let ws = s.request("workspace/diagnostic", json!({"previousResultIds": []}));
    let items = ws["result"]["items"].as_array().unwrap();
    assert!(
        items.iter().any(|i| i["uri"]
            .as_str()
            .unwrap()
            .ends_with("deploy-001-export-prod.md")),
        "{ws}"
    );
    assert!(items.iter().any(|i| i["uri"] == uri && i["version"] == 2));
    // Asked again with the result ids it got: everything is unchanged.
    let ids: Vec<Value> = items
        .iter()
        .map(|i| json!({"uri": i["uri"], "value": i["resultId"]}))
        .collect();
    let again = s.request("workspace/diagnostic", json!({"previousResultIds": ids}));
    let again = again["result"]["items"].as_array().unwrap();
    assert_eq!(again.len(), items.len());
    assert!(again.iter().all(|i| i["kind"] == "unchanged"), "{again:?}");
    let pushed = s.drain(
        "textDocument/publishDiagnostics",
        Duration::from_millis(300),
    );
    assert!(pushed.is_empty(), "pull client got pushes: {pushed:?}");
    assert!(s.shutdown().success());
}

#[test]
fn close_clears_pushed_diagnostics() {
    let mut s = start(vec!["utf-16"], false);
    let uri = s.open(&export_fixture(), 1);
    assert!(!s.diagnostics(&uri, 1).is_empty());
    s.notify(
        "textDocument/didClose",
        json!({"textDocument": {"uri": uri}}),
    );
    let p = s.wait_for("textDocument/publishDiagnostics", |p| {
        p["uri"] == uri && p["diagnostics"].as_array().is_some_and(|d| d.is_empty())
    });
    assert!(p["version"].is_null());
    // Reopening starts over at the new version.
    s.open(&export_fixture(), 1);
    assert!(!s.diagnostics(&uri, 1).is_empty());
    assert!(s.shutdown().success());
}

#[test]
fn a_burst_of_edits_ends_in_the_right_text_and_the_last_version() {
    let mut s = start(vec!["utf-16"], false);
    let path = export_fixture();
    let uri = s.open(&path, 1);
    s.diagnostics(&uri, 1);
    // Type "[CMP-777] " one character at a time at the start of line 6 (prose), without waiting,
    // then delete the last five characters one by one.
    let typed = "[CMP-777] ";
    let mut version = 1;
    for (i, ch) in typed.chars().enumerate() {
        version += 1;
        s.change(
            &uri,
            version,
            json!([{"range": {"start": {"line": 5, "character": i}, "end": {"line": 5, "character": i}}, "text": ch.to_string()}]),
        );
    }
    for i in (5..typed.len()).rev() {
        version += 1;
        s.change(
            &uri,
            version,
            json!([{"range": {"start": {"line": 5, "character": i}, "end": {"line": 5, "character": i + 1}}, "text": ""}]),
        );
    }
    let got = s.diagnostics(&uri, version);
    let original = std::fs::read_to_string(&path).unwrap();
    let mut lines: Vec<&str> = original.split_inclusive('\n').collect();
    let edited = format!("[CMP-{}", lines[5]);
    lines[5] = &edited;
    let expected = lsp_support::expected_diagnostics(&path, &lines.concat(), "utf-16");
    assert_eq!(lsp_support::sorted(got), lsp_support::sorted(expected));
    // No publish for an older version arrives after the newest.
    s.clear_queue();
    let late = s.drain(
        "textDocument/publishDiagnostics",
        Duration::from_millis(300),
    );
    assert!(
        late.iter()
            .all(|p| p["uri"] != uri || p["version"].as_i64() >= Some(version as i64)),
        "{late:?}"
    );
    assert!(s.shutdown().success());
}

#[test]
fn shutdown_then_exit_is_status_zero_and_exit_alone_is_one() {
    let s = start(vec!["utf-16"], false);
    assert_eq!(s.shutdown().code(), Some(0));
    let mut s = start(vec!["utf-16"], false);
    s.notify("exit", Value::Null);
    assert_eq!(s.wait_exit().code(), Some(1));
}

#[test]
fn codes_on_a_full_fixture() {
    let mut s = start(vec!["utf-16"], false);
    let uri = s.open(&export_fixture(), 1);
    let c = codes(&s.diagnostics(&uri, 1));
    for expected in ["DP010", "DP022", "DP023", "DP030", "DP040"] {
        assert!(
            c.iter().any(|x| x == expected),
            "{expected} missing in {c:?}"
        );
    }
    assert!(s.shutdown().success());
}

#[test]
fn a_fence_typed_into_a_large_document_and_closed_again() {
    // The worst case for the region cache: a fence opener turns the rest of the document into
    // code. Type one, type inside it, close it; every step ends in the right diagnostics.
    let mut s = start(vec!["utf-16"], false);
    let base = std::fs::read_to_string(
        fixture_ws().join("docs/specs/deployment-procedure/deploy-002-generated.md"),
    )
    .unwrap()
    .repeat(6);
    let path = fixture_ws().join("docs/specs/deployment-procedure/deploy-009-big.md");
    let uri = lsp_support::uri(&fixture_ws()).to_string()
        + "/docs/specs/deployment-procedure/deploy-009-big.md";
    s.open_text(&uri, &base, 1);
    s.diagnostics(&uri, 1);
    let line = base.lines().count() / 2;
    let mut text: Vec<String> = base.split_inclusive('\n').map(str::to_string).collect();
    let mut version = 1;
    // Type the opener and a few characters, each change replacing what was typed so far.
    let steps = ["~", "~~", "~~~", "~~~\n", "~~~\na", "~~~\nab", "~~~\nabc"];
    let mut prev = "";
    for st in steps {
        version += 1;
        let prev_lines = prev.matches('\n').count();
        let prev_col = prev.rsplit('\n').next().unwrap().chars().count();
        s.change(
            &uri,
            version,
            json!([{"range": {"start": {"line": line, "character": 0}, "end": {"line": line + prev_lines, "character": prev_col}}, "text": st}]),
        );
        prev = st;
    }
    text.insert(line, "~~~\nabc".to_string());
    let edited: String = text.concat();
    let got = s.diagnostics(&uri, version);
    let want = lsp_support::expected_diagnostics(&path, &edited, "utf-16");
    assert_eq!(lsp_support::sorted(got), lsp_support::sorted(want));
    // Close the fence again by deleting what was typed: back to the original diagnostics.
    version += 1;
    s.change(
        &uri,
        version,
        json!([{"range": {"start": {"line": line, "character": 0}, "end": {"line": line + 1, "character": 3}}, "text": ""}]),
    );
    let got = s.diagnostics(&uri, version);
    let want = lsp_support::expected_diagnostics(&path, &base, "utf-16");
    assert_eq!(lsp_support::sorted(got), lsp_support::sorted(want));
    assert!(s.shutdown().success());
}

#[test]
fn crlf_documents_have_the_same_ranges_as_lf_ones() {
    let mut s = start(vec!["utf-16"], false);
    let lf = std::fs::read_to_string(unicode_fixture()).unwrap();
    let crlf = lf.replace('\n', "\r\n");
    let base = lsp_support::uri(&fixture_ws()) + "/docs/specs/deployment-procedure/";
    let u1 = s.open_text(&(base.clone() + "deploy-003-unicode.md"), &lf, 1);
    let u2 = s.open_text(&(base + "deploy-004-unicode-crlf.md"), &crlf, 1);
    let a = dp030(&s.diagnostics(&u1, 1));
    let b = dp030(&s.diagnostics(&u2, 1));
    assert_eq!(a, b);
    // An edit across a CRLF line break: join lines 6 and 7 (delete "\r\n" at the end of 6).
    s.change(
        &u2,
        2,
        json!([{"range": {"start": {"line": 6, "character": 99}, "end": {"line": 7, "character": 0}}, "text": " "}]),
    );
    let d = dp030(&s.diagnostics(&u2, 2));
    assert_eq!(d, vec![[6, 23, 6, 30], [6, 63, 6, 70], [7, 33, 7, 40]]);
    assert!(s.shutdown().success());
}

#[test]
fn pulls_interleaved_with_a_burst_see_every_edit_before_them() {
    let mut s = start(vec!["utf-16"], true);
    let path = export_fixture();
    let uri = s.open(&path, 1);
    s.pull(&uri);
    let typed = "[CMP-4242] ";
    let mut ids = Vec::new();
    for (i, ch) in typed.chars().enumerate() {
        s.change(
            &uri,
            i as i32 + 2,
            json!([{"range": {"start": {"line": 5, "character": i}, "end": {"line": 5, "character": i}}, "text": ch.to_string()}]),
        );
        ids.push(s.send_request(
            "textDocument/diagnostic",
            json!({"textDocument": {"uri": uri}}),
        ));
    }
    let responses: Vec<Value> = ids.iter().map(|id| s.response(*id)).collect();
    let last = responses.last().unwrap()["result"]["items"]
        .as_array()
        .unwrap()
        .clone();
    let original = std::fs::read_to_string(&path).unwrap();
    let mut lines: Vec<&str> = original.split_inclusive('\n').collect();
    let edited = format!("{typed}{}", lines[5]);
    lines[5] = &edited;
    let want = lsp_support::expected_diagnostics(&path, &lines.concat(), "utf-16");
    assert_eq!(lsp_support::sorted(last), lsp_support::sorted(want));
    // The pull after the "]" was typed already sees the complete reference.
    let after_bracket = &responses[typed.find(']').unwrap()]["result"]["items"];
    assert!(after_bracket
        .as_array()
        .unwrap()
        .iter()
        .any(|d| d["message"].as_str().unwrap().contains("CMP-4242")));
    assert!(s.shutdown().success());
}
