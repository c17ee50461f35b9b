//! The workspace side: the index built in the background with `$/progress`, kept current from
//! watched-file events (the client's or our own watcher) and open buffers; configuration from
//! `.deployspec.toml` and the editor, applied live.

mod lsp_support;

use std::path::Path;
use std::time::Duration;

use lsp_support::{uri, Init, TestServer};
use serde_json::json;

/// A fresh workspace: a deployment spec that references CMP-001 (exists) and CMP-002 (not yet).
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
    std::fs::write(
        deploy(root),
        "# Deploy\n\nUses [CMP-001] and [CMP-002].\n\n## Prerequisites\n\n- [ ] unchecked\n",
    )
    .unwrap();
    dir
}

fn deploy(root: &Path) -> std::path::PathBuf {
    root.join("docs/specs/deployment-procedure/deploy-001-api-prod.md")
}

fn broken(diags: &[serde_json::Value]) -> Vec<String> {
    diags
        .iter()
        .filter(|d| d["code"] == "DP030")
        .map(|d| d["message"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn the_index_is_built_with_progress_and_follows_watched_files() {
    let dir = workspace();
    let root = dir.path();
    let mut s = TestServer::start(Init {
        root: Some(root.to_path_buf()),
        ..Init::default()
    });
    let u = s.open(&deploy(root), 1);
    let d = s.diagnostics(&u, 1);
    let b = broken(&d);
    assert_eq!(b.len(), 1, "{d:?}");
    assert!(b[0].contains("CMP-002"));
    // Progress was reported around the index build.
    let begin = s.wait_for("$/progress", |p| p["value"]["kind"] == "begin");
    assert_eq!(begin["value"]["title"], "Indexing specs");
    s.wait_for("$/progress", |p| p["value"]["kind"] == "end");
    assert!(s
        .server_requests
        .iter()
        .any(|m| m == "client/registerCapability"));
    // A new spec appears on disk; the client reports it; the reference resolves.
    let new = root.join("docs/specs/component/cmp-002-db.md");
    std::fs::write(&new, "# DB\n\nThe database.\n").unwrap();
    s.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": uri(&new), "type": 1}]}),
    );
    let p = s.wait_for("textDocument/publishDiagnostics", |p| {
        p["uri"] == u && broken(p["diagnostics"].as_array().unwrap()).is_empty()
    });
    assert_eq!(p["version"], 1);
    // Deleted again: broken again.
    std::fs::remove_file(&new).unwrap();
    s.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": uri(&new), "type": 3}]}),
    );
    s.wait_for("textDocument/publishDiagnostics", |p| {
        p["uri"] == u && broken(p["diagnostics"].as_array().unwrap()).len() == 1
    });
    assert!(s.shutdown().success());
}

#[test]
fn open_buffers_feed_the_index_before_they_are_saved() {
    let dir = workspace();
    let root = dir.path();
    let mut s = TestServer::start(Init {
        root: Some(root.to_path_buf()),
        ..Init::default()
    });
    let u = s.open(&deploy(root), 1);
    assert_eq!(broken(&s.diagnostics(&u, 1)).len(), 1);
    // An unsaved buffer for cmp-002 defines the ID: the reference resolves.
    let u2 = format!(
        "file://{}/docs/specs/component/cmp-002-db.md",
        std::fs::canonicalize(root).unwrap().display()
    );
    s.open_text(&u2, "# DB\n\nUnsaved.\n", 1);
    s.wait_for("textDocument/publishDiagnostics", |p| {
        p["uri"] == u && broken(p["diagnostics"].as_array().unwrap()).is_empty()
    });
    // Closed without saving: the file does not exist, the reference is broken again.
    s.notify(
        "textDocument/didClose",
        json!({"textDocument": {"uri": u2}}),
    );
    s.wait_for("textDocument/publishDiagnostics", |p| {
        p["uri"] == u && broken(p["diagnostics"].as_array().unwrap()).len() == 1
    });
    assert!(s.shutdown().success());
}

#[test]
fn the_fallback_watcher_sees_files_when_the_client_cannot_watch() {
    let dir = workspace();
    let root = dir.path();
    let mut s = TestServer::start(Init {
        root: Some(root.to_path_buf()),
        watch: false,
        ..Init::default()
    });
    let u = s.open(&deploy(root), 1);
    assert_eq!(broken(&s.diagnostics(&u, 1)).len(), 1);
    assert!(!s
        .server_requests
        .iter()
        .any(|m| m == "client/registerCapability"));
    std::fs::write(
        root.join("docs/specs/component/cmp-002-db.md"),
        "# DB\n\nOn disk only.\n",
    )
    .unwrap();
    s.wait_for("textDocument/publishDiagnostics", |p| {
        p["uri"] == u && broken(p["diagnostics"].as_array().unwrap()).is_empty()
    });
    assert!(s.shutdown().success());
}

#[test]
fn editor_settings_and_the_config_file_apply_live() {
    let dir = workspace();
    let root = dir.path();
    let mut s = TestServer::start(Init {
        root: Some(root.to_path_buf()),
        settings: Some(json!({"rules": {"DP030": "warning"}})),
        ..Init::default()
    });
    let u = s.open(&deploy(root), 1);
    // Settings fetched with workspace/configuration at startup: DP030 is a warning.
    let d = s.diagnostics(&u, 1);
    let dp030 = d.iter().find(|d| d["code"] == "DP030").unwrap();
    assert_eq!(dp030["severity"], 2, "{d:?}");
    assert!(s
        .server_requests
        .iter()
        .any(|m| m == "workspace/configuration"));
    // Settings pushed with didChangeConfiguration: DP030 off.
    s.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": {"deployspec": {"rules": {"broken-reference": "off"}}}}),
    );
    s.wait_for("textDocument/publishDiagnostics", |p| {
        p["uri"] == u && broken(p["diagnostics"].as_array().unwrap()).is_empty()
    });
    // Settings pulled after a bare didChangeConfiguration: back on as an error.
    s.set_settings(json!({"rules": {"DP030": "error"}}));
    s.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": null}),
    );
    let p = s.wait_for("textDocument/publishDiagnostics", |p| {
        p["uri"] == u && !broken(p["diagnostics"].as_array().unwrap()).is_empty()
    });
    let d = p["diagnostics"].as_array().unwrap();
    assert_eq!(
        d.iter().find(|d| d["code"] == "DP030").unwrap()["severity"],
        1
    );
    // The config file changes on disk (client reports it): DP010 off.
    assert!(d.iter().any(|d| d["code"] == "DP010"), "{d:?}");
    s.set_settings(serde_json::Value::Null);
    s.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": null}),
    );
    std::fs::write(
        root.join(".deployspec.toml"),
        "spec_root = \"docs/specs\"\n[rules]\nDP010 = \"off\"\n",
    )
    .unwrap();
    s.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": uri(&root.join(".deployspec.toml")), "type": 2}]}),
    );
    s.wait_for("textDocument/publishDiagnostics", |p| {
        p["uri"] == u
            && !p["diagnostics"]
                .as_array()
                .unwrap()
                .iter()
                .any(|d| d["code"] == "DP010")
    });
    // A malformed config file: logged, defaults in force, server keeps going.
    std::fs::write(root.join(".deployspec.toml"), "[rules\nDP010 = \n").unwrap();
    s.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": uri(&root.join(".deployspec.toml")), "type": 2}]}),
    );
    s.wait_for("window/showMessage", |p| {
        p["message"].as_str().unwrap().contains(".deployspec.toml")
    });
    // Reported on the config file itself, where the error is.
    let config_uri = uri(&root.join(".deployspec.toml"));
    let p = s.wait_for("textDocument/publishDiagnostics", |p| {
        p["uri"] == config_uri
    });
    let d = &p["diagnostics"][0];
    assert_eq!(d["range"]["start"]["line"], 0, "{p}");
    assert_eq!(d["severity"], 1);
    s.wait_for("textDocument/publishDiagnostics", |p| {
        p["uri"] == u
            && p["diagnostics"]
                .as_array()
                .unwrap()
                .iter()
                .any(|d| d["code"] == "DP010")
    });
    // Fixed: the config file's diagnostic is cleared.
    std::fs::write(
        root.join(".deployspec.toml"),
        "spec_root = \"docs/specs\"\n",
    )
    .unwrap();
    s.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": config_uri, "type": 2}]}),
    );
    s.wait_for("textDocument/publishDiagnostics", |p| {
        p["uri"] == config_uri && p["diagnostics"].as_array().unwrap().is_empty()
    });
    let _ = s.drain("textDocument/publishDiagnostics", Duration::from_millis(50));
    assert!(s.shutdown().success());
}

#[test]
fn pull_clients_are_asked_to_refresh_when_the_index_changes() {
    let dir = workspace();
    let root = dir.path();
    let mut s = TestServer::start(Init {
        root: Some(root.to_path_buf()),
        pull: true,
        ..Init::default()
    });
    let u = s.open(&deploy(root), 1);
    assert_eq!(broken(&s.pull(&u)).len(), 1);
    let new = root.join("docs/specs/component/cmp-002-db.md");
    std::fs::write(&new, "# DB\n").unwrap();
    s.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": uri(&new), "type": 1}]}),
    );
    // The refresh request is answered by the test client; then a pull shows the change.
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while !s
        .server_requests
        .iter()
        .any(|m| m == "workspace/diagnostic/refresh")
    {
        assert!(std::time::Instant::now() < deadline, "no refresh request");
        let _ = s.try_wait_for("nothing", Duration::from_millis(50), |_| false);
    }
    assert!(broken(&s.pull(&u)).is_empty());
    assert!(s.shutdown().success());
}

#[test]
fn the_spec_root_can_come_from_editor_settings() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join("runbooks/component")).unwrap();
    std::fs::write(
        root.join("runbooks/component/cmp-001-api.md"),
        "# API\n\nThe API.\n",
    )
    .unwrap();
    let doc = root.join("runbooks/deploy-001-api.md");
    std::fs::write(&doc, "# Deploy\n\nUses [CMP-001] and [CMP-002].\n").unwrap();
    let mut s = TestServer::start(Init {
        root: Some(root.to_path_buf()),
        settings: Some(json!({"spec_root": "runbooks"})),
        ..Init::default()
    });
    let u = s.open(&doc, 1);
    let b = broken(&s.diagnostics(&u, 1));
    assert_eq!(b.len(), 1, "{b:?}");
    assert!(b[0].contains("CMP-002"), "{b:?}");
    assert!(s.shutdown().success());
}
