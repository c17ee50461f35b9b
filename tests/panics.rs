//! A panic while checking one file stays with that file (issue 6): `check` reports it as an
//! internal error naming the file and exits 2 after checking and reporting every other file; the
//! server answers the other documents (pushed, pulled, workspace pull), keeps its index and
//! stays alive.
//!
//! The panic comes from the debug-only trigger in `deployspec::panics` (a marker in the text and
//! `DEPLOYSPEC_TEST_PANIC=1`), so these tests run against debug builds only.
#![cfg(debug_assertions)]

mod lsp_support;

use std::path::{Path, PathBuf};
use std::process::Command;

use deployspec::panics::{INDEX_PANIC_MARKER, PANIC_MARKER};
use lsp_support::{uri, Init, TestServer};
use serde_json::{json, Value};

/// `deploy-001-bad.md` trips the trigger; `deploy-002-good.md` has one unchecked prerequisite
/// (DP010) and references the bad one's neighbour CMP-001.
/// `deploy-003-unindexable.md` trips the trigger while its head is indexed (and then while
/// checked).
fn workspace() -> (tempfile::TempDir, PathBuf, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let procs = root.join("docs/specs/deployment-procedure");
    std::fs::create_dir_all(&procs).unwrap();
    std::fs::create_dir_all(root.join("docs/specs/component")).unwrap();
    std::fs::write(
        root.join(".deployspec.toml"),
        // Only DP010 and DP030 matter here.
        "spec_root = \"docs/specs\"\n[rules]\nDP001 = \"off\"\nDP002 = \"off\"\nDP003 = \"off\"\n",
    )
    .unwrap();
    std::fs::write(
        root.join("docs/specs/component/cmp-001-api.md"),
        "# API\n\nThe API.\n",
    )
    .unwrap();
    let bad = procs.join("deploy-001-bad.md");
    let good = procs.join("deploy-002-good.md");
    std::fs::write(
        &bad,
        format!("# Bad\n\n<!-- {PANIC_MARKER} -->\n\n## Prerequisites\n\n- [ ] x\n"),
    )
    .unwrap();
    std::fs::write(
        procs.join("deploy-003-unindexable.md"),
        format!("# Unindexable\n\n<!-- {INDEX_PANIC_MARKER} -->\n"),
    )
    .unwrap();
    std::fs::write(
        &good,
        "# Good\n\nUses [CMP-001].\n\n## Prerequisites\n\n- [ ] unchecked\n",
    )
    .unwrap();
    (dir, bad, good)
}

fn check(root: &Path, panic: bool) -> std::process::Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_deployspec"));
    cmd.args(["check", "--format", "json", "docs/specs"])
        .current_dir(root)
        .env_remove("DEPLOYSPEC_TEST_PANIC");
    if panic {
        cmd.env("DEPLOYSPEC_TEST_PANIC", "1");
    }
    cmd.output().unwrap()
}

fn files_with_findings(stdout: &[u8]) -> Vec<String> {
    let v: Vec<Value> = serde_json::from_slice(stdout).expect("check printed JSON");
    let mut files: Vec<String> = v
        .iter()
        .map(|f| f["file"].as_str().unwrap().to_string())
        .collect();
    files.dedup();
    files
}

#[test]
fn check_reports_a_panic_for_its_file_and_checks_the_others() {
    let (dir, _, _) = workspace();
    let out = check(dir.path(), true);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    for name in ["deploy-001-bad.md", "deploy-003-unindexable.md"] {
        assert!(
            stderr.contains(&format!("{name}: internal error while checking this file")),
            "{stderr}"
        );
    }
    // The other file was checked and reported.
    assert_eq!(
        files_with_findings(&out.stdout),
        ["docs/specs/deployment-procedure/deploy-002-good.md"]
    );
    // Without the trigger the marker is an ordinary comment: both files are reported.
    let out = check(dir.path(), false);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert_eq!(files_with_findings(&out.stdout).len(), 2, "{out:?}");
}

fn internal_error(diags: &[Value]) -> bool {
    diags.len() == 1
        && diags[0]["message"]
            .as_str()
            .unwrap()
            .starts_with("internal error while checking this document")
}

fn codes(diags: &[Value]) -> Vec<String> {
    lsp_support::codes(diags)
}

#[test]
fn the_server_contains_a_panic_to_its_document() {
    let (dir, bad, good) = workspace();
    let root = dir.path();
    let mut s = TestServer::start(Init {
        root: Some(root.to_path_buf()),
        env: vec![("DEPLOYSPEC_TEST_PANIC", "1")],
        ..Init::default()
    });
    let ub = s.open(&bad, 1);
    let ug = s.open(&good, 1);
    assert!(internal_error(&s.diagnostics(&ub, 1)));
    // The index was built without the bad file, and the good one's reference resolves.
    assert_eq!(codes(&s.diagnostics(&ug, 1)), ["DP010"]);
    // The session goes on: both documents are edited and checked again.
    s.change(
        &ug,
        2,
        json!([{"range": {"start": {"line": 6, "character": 3}, "end": {"line": 6, "character": 4}}, "text": "x"}]),
    );
    assert!(codes(&s.diagnostics(&ug, 2)).is_empty());
    s.change(
        &ub,
        2,
        json!([{"range": {"start": {"line": 2, "character": 0}, "end": {"line": 3, "character": 0}}, "text": ""}]),
    );
    assert_eq!(codes(&s.diagnostics(&ub, 2)), ["DP010"]);
    assert!(s.log_shows("check panicked"), "{}", s.stderr());
    assert!(
        s.log_shows("deploy-003-unindexable.md: internal error"),
        "the index build names the file it skipped: {}",
        s.stderr()
    );
    assert!(s.shutdown().success());
}

#[test]
fn pulls_answer_every_other_file_when_one_panics() {
    let (dir, bad, good) = workspace();
    let root = dir.path();
    let mut s = TestServer::start(Init {
        root: Some(root.to_path_buf()),
        pull: true,
        env: vec![("DEPLOYSPEC_TEST_PANIC", "1")],
        ..Init::default()
    });
    // Files on disk, not open: the workspace pull reports every spec file, each one that
    // panics with the internal error and the others as usual. The unindexable file tripped the
    // trigger while indexing too, so it is not in the index (logged).
    let r = s.request("workspace/diagnostic", json!({"previousResultIds": []}));
    assert!(r.get("error").is_none(), "{r}");
    let items = r["result"]["items"].as_array().unwrap();
    let of = |p: &Path| -> Option<Vec<Value>> {
        let u = uri(p);
        let item = items.iter().find(|i| i["uri"] == u)?;
        Some(item["items"].as_array().unwrap().clone())
    };
    assert!(internal_error(&of(&bad).unwrap()));
    assert_eq!(codes(&of(&good).unwrap()), ["DP010"]);
    let unindexable = bad.with_file_name("deploy-003-unindexable.md");
    // Left out of the index (logged), but still checked and reported as a spec file.
    assert!(internal_error(&of(&unindexable).unwrap()));
    assert!(
        s.log_shows("deploy-003-unindexable.md: internal error"),
        "{}",
        s.stderr()
    );
    // A pull of the file on disk checks it: the panic is reported on it.
    let r = s.request(
        "textDocument/diagnostic",
        json!({"textDocument": {"uri": uri(&bad)}}),
    );
    assert!(r.get("error").is_none(), "{r}");
    assert!(
        internal_error(r["result"]["items"].as_array().unwrap()),
        "{r}"
    );
    // Open, pulled one by one.
    let ub = s.open(&bad, 1);
    let ug = s.open(&good, 1);
    assert!(internal_error(&s.pull(&ub)));
    assert_eq!(codes(&s.pull(&ug)), ["DP010"]);
    assert!(s.shutdown().success());
}
