//! The occurrence index kept current while the session runs: a spec created on disk clears the
//! broken references to it in open documents without reopening them, and references find it;
//! deleted, the errors come back. Through the client's watched-file events, the server's own
//! watcher, and the editor's file operations (`didCreateFiles`, `didRenameFiles`,
//! `didDeleteFiles`, folders included).

mod lsp_support;

use std::path::{Path, PathBuf};

use lsp_support::{uri, Init, TestServer};
use serde_json::{json, Value};

const DEPLOY: &str = "# Deploy\n\n🚀 請求 needs [CMP-009] and [CMP-001].\n";
const OTHER: &str = "# Other\n\n👩‍💻 依存 [CMP-009] again.\n";

fn workspace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join("docs/specs/component")).unwrap();
    std::fs::create_dir_all(root.join("docs/specs/deployment-procedure")).unwrap();
    std::fs::write(
        root.join(".deployspec.toml"),
        "spec_root = \"docs/specs\"\n",
    )
    .unwrap();
    std::fs::write(
        root.join("docs/specs/component/cmp-001-api.md"),
        "# API\n\nThe API.\n",
    )
    .unwrap();
    std::fs::write(deploy(root), DEPLOY).unwrap();
    std::fs::write(other(root), OTHER).unwrap();
    dir
}

fn deploy(root: &Path) -> PathBuf {
    root.join("docs/specs/deployment-procedure/deploy-001-api.md")
}

fn other(root: &Path) -> PathBuf {
    root.join("docs/specs/deployment-procedure/deploy-002-other.md")
}

fn new_spec(root: &Path) -> PathBuf {
    root.join("docs/specs/component/cmp-009-x.md")
}

/// The IDs DP030 reports in a publication.
fn broken(p: &Value) -> Vec<String> {
    let mut ids: Vec<String> = p["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["code"] == "DP030")
        .map(|d| {
            d["message"]
                .as_str()
                .unwrap()
                .split(' ')
                .nth(3)
                .unwrap()
                .trim_end_matches(':')
                .to_string()
        })
        .collect();
    ids.sort();
    ids
}

/// Waits for the open document's diagnostics (still version 1: never reopened) to report
/// exactly `ids` as broken.
fn wait_broken(s: &mut TestServer, u: &str, ids: &[&str]) {
    s.wait_for("textDocument/publishDiagnostics", |p| {
        p["uri"] == u && p["version"] == 1 && broken(p) == ids
    });
}

/// `(file name, start)` of every reference to the ID at byte `at` of the open document.
fn references(s: &mut TestServer, u: &str, at: usize) -> Vec<(String, Value)> {
    let line = DEPLOY[..at].matches('\n').count();
    let col = DEPLOY[DEPLOY[..at].rfind('\n').unwrap() + 1..at]
        .encode_utf16()
        .count();
    let r = s.request(
        "textDocument/references",
        json!({"textDocument": {"uri": u}, "position": {"line": line, "character": col},
               "context": {"includeDeclaration": true}}),
    );
    let mut got: Vec<(String, Value)> = r["result"]
        .as_array()
        .unwrap_or_else(|| panic!("{r}"))
        .iter()
        .map(|l| {
            let name = l["uri"].as_str().unwrap().rsplit('/').next().unwrap();
            (name.to_string(), l["range"]["start"].clone())
        })
        .collect();
    got.sort_by(|a, b| a.0.cmp(&b.0));
    got
}

#[test]
fn a_spec_created_and_deleted_on_disk() {
    // The client's watcher (events sent by this test), then the server's own.
    for client_watches in [true, false] {
        let dir = workspace();
        let root = dir.path();
        let mut s = TestServer::start(Init {
            root: Some(root.to_path_buf()),
            watch: client_watches,
            ..Init::default()
        });
        let u = s.open(&deploy(root), 1);
        wait_broken(&mut s, &u, &["CMP-009"]);
        let at = DEPLOY.find("CMP-009").unwrap() + 2;
        // The unopened file's mention, after emoji and CJK (UTF-16 columns: 👩‍💻 is 5 units).
        let other_ref = (
            "deploy-002-other.md".to_string(),
            json!({"line": 2, "character": 10}),
        );
        let before = references(&mut s, &u, at);
        assert_eq!(
            before,
            [
                (
                    "deploy-001-api.md".to_string(),
                    json!({"line": 2, "character": 13})
                ),
                other_ref.clone()
            ]
        );

        std::fs::write(new_spec(root), "# X\n\nNew.\n").unwrap();
        if client_watches {
            s.notify(
                "workspace/didChangeWatchedFiles",
                json!({"changes": [{"uri": uri(&new_spec(root)), "type": 1}]}),
            );
        }
        wait_broken(&mut s, &u, &[]);
        let after = references(&mut s, &u, at);
        // The declaration (the new file's title) joins the mentions.
        assert_eq!(after.len(), 3, "{after:?}");
        assert_eq!(
            after[0],
            (
                "cmp-009-x.md".to_string(),
                json!({"line": 0, "character": 2})
            )
        );

        std::fs::remove_file(new_spec(root)).unwrap();
        if client_watches {
            s.notify(
                "workspace/didChangeWatchedFiles",
                json!({"changes": [{"uri": uri(&new_spec(root)), "type": 3}]}),
            );
        }
        wait_broken(&mut s, &u, &["CMP-009"]);
        assert_eq!(references(&mut s, &u, at), before);
        s.shutdown();
    }
}

#[test]
fn the_editors_file_operations() {
    let dir = workspace();
    let root = dir.path();
    let mut s = TestServer::start(Init {
        root: Some(root.to_path_buf()),
        ..Init::default()
    });
    let ops = &s.init_result["capabilities"]["workspace"]["fileOperations"];
    for op in ["didCreate", "didRename", "didDelete"] {
        assert!(
            ops[op]["filters"].as_array().is_some_and(|f| f.len() == 2),
            "{ops}"
        );
    }
    let u = s.open(&deploy(root), 1);
    wait_broken(&mut s, &u, &["CMP-009"]);
    // Created by the editor (no watched-file event).
    std::fs::write(new_spec(root), "# X\n\nNew.\n").unwrap();
    s.notify(
        "workspace/didCreateFiles",
        json!({"files": [{"uri": uri(&new_spec(root))}]}),
    );
    wait_broken(&mut s, &u, &[]);
    // A new deployment spec that mentions CMP-001: references find it.
    let third = root.join("docs/specs/deployment-procedure/deploy-003-third.md");
    std::fs::write(&third, "# Third\n\n[CMP-001]\n").unwrap();
    s.notify(
        "workspace/didCreateFiles",
        json!({"files": [{"uri": uri(&third)}]}),
    );
    let cmp1 = DEPLOY.find("CMP-001").unwrap() + 1;
    let mut names = Vec::new();
    for _ in 0..100 {
        names = references(&mut s, &u, cmp1)
            .into_iter()
            .map(|r| r.0)
            .collect::<Vec<_>>();
        if names.contains(&"deploy-003-third.md".to_string()) {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    assert_eq!(
        names,
        ["cmp-001-api.md", "deploy-001-api.md", "deploy-003-third.md"]
    );
    // Renamed: CMP-009 is gone, CMP-010 exists.
    let renamed = root.join("docs/specs/component/cmp-010-x.md");
    std::fs::rename(new_spec(root), &renamed).unwrap();
    s.notify(
        "workspace/didRenameFiles",
        json!({"files": [{"oldUri": uri(&new_spec(root)), "newUri": uri(&renamed)}]}),
    );
    wait_broken(&mut s, &u, &["CMP-009"]);
    // A folder deleted: every spec in it goes, CMP-001 included.
    let folder = root.join("docs/specs/component");
    std::fs::remove_dir_all(&folder).unwrap();
    s.notify(
        "workspace/didDeleteFiles",
        json!({"files": [{"uri": uri(&folder)}]}),
    );
    wait_broken(&mut s, &u, &["CMP-001", "CMP-009"]);
    s.shutdown();
}
