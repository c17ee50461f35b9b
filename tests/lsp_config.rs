//! Configuration over stdio (issue 6): a nested `.deployspec.toml` gives the same findings in the
//! server as in `deployspec check`, editor settings still go over it, and keys of the editor's
//! own in the `deployspec` settings section no longer reject every setting.

mod lsp_support;

use std::path::{Path, PathBuf};
use std::process::Command;

use lsp_support::{uri, Init, TestServer};
use serde_json::{json, Value};

const SPEC: &str = "# Deploy\n\n## Prerequisites\n\n- [ ] unchecked\n\n## Deployment Procedure\n\n**Step 1: Go**\n\nDo it.\n";

/// A workspace whose `team-a` folder has its own configuration: DP010 off, DP020 an error.
fn nested_workspace() -> (tempfile::TempDir, PathBuf, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let procs = root.join("docs/specs/deployment-procedure");
    std::fs::create_dir_all(procs.join("team-a")).unwrap();
    std::fs::write(
        root.join(".deployspec.toml"),
        "spec_root = \"docs/specs\"\n",
    )
    .unwrap();
    std::fs::write(
        procs.join("team-a/.deployspec.toml"),
        "[rules]\nDP010 = \"off\"\nDP020 = \"error\"\n",
    )
    .unwrap();
    let a = procs.join("team-a/deploy-001-a.md");
    let b = procs.join("deploy-002-b.md");
    std::fs::write(&a, SPEC).unwrap();
    std::fs::write(&b, SPEC).unwrap();
    (dir, a, b)
}

/// (code, severity, 1-based line) of each server diagnostic, sorted.
fn from_server(diags: &[Value]) -> Vec<(String, String, u64)> {
    let mut v: Vec<_> = diags
        .iter()
        .map(|d| {
            let severity = match d["severity"].as_u64() {
                Some(1) => "error",
                Some(2) => "warning",
                Some(3) => "information",
                _ => "hint",
            };
            (
                d["code"].as_str().unwrap().to_string(),
                severity.to_string(),
                d["range"]["start"]["line"].as_u64().unwrap() + 1,
            )
        })
        .collect();
    v.sort();
    v
}

/// (code, severity, line) of `deployspec check --format json` for `file`, run in `root`.
fn from_check(root: &Path, args: &[&str], file: &Path) -> Vec<(String, String, u64)> {
    let out = Command::new(env!("CARGO_BIN_EXE_deployspec"))
        .arg("check")
        .args(["--format", "json"])
        .args(args)
        .current_dir(root)
        .output()
        .unwrap();
    let all: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "check gave no JSON ({e}): {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    let rel = file
        .canonicalize()
        .unwrap()
        .strip_prefix(root.canonicalize().unwrap())
        .unwrap()
        .to_path_buf();
    let mut v: Vec<_> = all
        .iter()
        .filter(|f| Path::new(f["file"].as_str().unwrap()) == rel)
        .map(|f| {
            (
                f["code"].as_str().unwrap().to_string(),
                f["severity"].as_str().unwrap().to_string(),
                f["range"]["start"]["line"].as_u64().unwrap(),
            )
        })
        .collect();
    v.sort();
    v
}

fn has(v: &[(String, String, u64)], code: &str, severity: &str) -> bool {
    v.iter().any(|(c, s, _)| c == code && s == severity)
}

#[test]
fn a_nested_config_gives_the_same_findings_in_the_server_and_in_check() {
    let (dir, a, b) = nested_workspace();
    let root = dir.path();
    let mut s = TestServer::start(Init {
        root: Some(root.to_path_buf()),
        ..Init::default()
    });
    let ua = s.open(&a, 1);
    let ub = s.open(&b, 1);
    let server_a = from_server(&s.diagnostics(&ua, 1));
    let server_b = from_server(&s.diagnostics(&ub, 1));
    // The nested file applies to team-a only.
    assert!(!server_a.iter().any(|f| f.0 == "DP010"), "{server_a:?}");
    assert!(has(&server_a, "DP020", "error"), "{server_a:?}");
    assert!(has(&server_b, "DP010", "warning"), "{server_b:?}");
    assert!(has(&server_b, "DP020", "warning"), "{server_b:?}");
    // `check` on the folder (the root's workspace) and on the file alone agree with the server.
    assert_eq!(from_check(root, &["docs/specs"], &a), server_a);
    assert_eq!(from_check(root, &["docs/specs"], &b), server_b);
    let a_rel = a.strip_prefix(root).unwrap().to_str().unwrap().to_string();
    let b_rel = b.strip_prefix(root).unwrap().to_str().unwrap().to_string();
    // Named on the command line, a file gets every rule; so it does in the server (deploy-*).
    assert_eq!(from_check(root, &[&b_rel, &a_rel], &a), server_a);
    assert_eq!(from_check(root, &[&a_rel, &b_rel], &b), server_b);

    // The nested file changes on disk: the client reports it, team-a is re-checked.
    let nested = a.parent().unwrap().join(".deployspec.toml");
    std::fs::write(&nested, "[rules]\nDP010 = \"error\"\n").unwrap();
    s.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": uri(&nested), "type": 2}]}),
    );
    let p = s.wait_for("textDocument/publishDiagnostics", |p| {
        p["uri"] == ua
            && has(
                &from_server(p["diagnostics"].as_array().unwrap()),
                "DP010",
                "error",
            )
    });
    assert_eq!(
        from_server(p["diagnostics"].as_array().unwrap()),
        from_check(root, &["docs/specs"], &a)
    );
    assert!(s.shutdown().success());
}

#[test]
fn editor_settings_go_over_a_nested_config_and_unknown_keys_are_ignored() {
    let (dir, a, b) = nested_workspace();
    let root = dir.path();
    // What VS Code sends in the `deployspec` section, its own keys included.
    let mut s = TestServer::start(Init {
        root: Some(root.to_path_buf()),
        settings: Some(json!({
            "server": {"path": "/opt/deployspec"},
            "trace": {"server": "verbose"},
            "rules": {"DP020": "hint"}
        })),
        ..Init::default()
    });
    let ua = s.open(&a, 1);
    let ub = s.open(&b, 1);
    let da = from_server(&s.diagnostics(&ua, 1));
    let db = from_server(&s.diagnostics(&ub, 1));
    assert!(has(&da, "DP020", "hint"), "{da:?}");
    assert!(!da.iter().any(|f| f.0 == "DP010"), "{da:?}");
    assert!(has(&db, "DP020", "hint"), "{db:?}");
    assert!(has(&db, "DP010", "warning"), "{db:?}");
    assert!(
        s.log_shows("deployspec.server") && s.log_shows("ignored"),
        "{}",
        s.stderr()
    );
    assert!(s.shutdown().success());
}
