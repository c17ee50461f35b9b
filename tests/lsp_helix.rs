//! Helix 25.07 as the client: its `initialize` capabilities copied from Helix's source
//! (`helix-lsp/src/client.rs`, tag 25.07.1). Helix offers utf-8 first, never pulls diagnostics,
//! and declares dynamic registration for watched files although it reports only the files it
//! writes itself: the server must push with versions, speak utf-8, and watch the spec root on
//! its own.

mod lsp_support;

use std::path::{Path, PathBuf};
use std::time::Duration;

use lsp_support::{expected_diagnostics, sorted, Init, TestServer};
use serde_json::{json, Value};

/// `lsp::ClientCapabilities` as Helix 25.07.1 builds them in `Client::initialize`
/// (snippets enabled, the default), serialised the way `lsp-types` does.
fn helix_capabilities() -> Value {
    json!({
        "workspace": {
            "configuration": true,
            "didChangeConfiguration": {"dynamicRegistration": false},
            "workspaceFolders": true,
            "applyEdit": true,
            "symbol": {"dynamicRegistration": false},
            "executeCommand": {"dynamicRegistration": false},
            "inlayHint": {"refreshSupport": false},
            "workspaceEdit": {
                "documentChanges": true,
                "resourceOperations": ["create", "rename", "delete"],
                "failureHandling": "abort",
                "normalizesLineEndings": false
            },
            "didChangeWatchedFiles": {"dynamicRegistration": true, "relativePatternSupport": false},
            "fileOperations": {"willRename": true, "didRename": true}
        },
        "textDocument": {
            "completion": {
                "completionItem": {
                    "snippetSupport": true,
                    "resolveSupport": {"properties": ["documentation", "detail", "additionalTextEdits"]},
                    "insertReplaceSupport": true,
                    "deprecatedSupport": true,
                    "tagSupport": {"valueSet": [1]}
                },
                "completionItemKind": {}
            },
            "hover": {"contentFormat": ["markdown"]},
            "signatureHelp": {
                "signatureInformation": {
                    "documentationFormat": ["markdown"],
                    "parameterInformation": {"labelOffsetSupport": true},
                    "activeParameterSupport": true
                }
            },
            "rename": {"dynamicRegistration": false, "prepareSupport": true, "honorsChangeAnnotations": false},
            "formatting": {"dynamicRegistration": false},
            "codeAction": {
                "codeActionLiteralSupport": {"codeActionKind": {"valueSet": [
                    "", "quickfix", "refactor", "refactor.extract", "refactor.inline",
                    "refactor.rewrite", "source", "source.organizeImports"
                ]}},
                "isPreferredSupport": true,
                "disabledSupport": true,
                "dataSupport": true,
                "resolveSupport": {"properties": ["edit", "command"]}
            },
            "publishDiagnostics": {"versionSupport": true, "tagSupport": {"valueSet": [1, 2]}},
            "inlayHint": {"dynamicRegistration": false}
        },
        "window": {"workDoneProgress": true},
        "general": {"positionEncodings": ["utf-8", "utf-32", "utf-16"]}
    })
}

fn helix(root: &Path) -> TestServer {
    TestServer::start(Init {
        root: Some(root.to_path_buf()),
        capabilities: Some(helix_capabilities()),
        client_info: Some(json!({"name": "helix", "version": "25.07.1 (a05c151b)"})),
        ..Init::default()
    })
}

const DEPLOY: &str = "\
# Deploy 🚀 the API

Depends on [CMP-001]. ⚠️ 日本語 — e\u{301} then [CMP-002] and more.

## Prerequisites

- [ ] unchecked
";

fn workspace() -> (tempfile::TempDir, PathBuf) {
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
    let doc = root.join("docs/specs/deployment-procedure/deploy-001-api.md");
    std::fs::write(&doc, DEPLOY).unwrap();
    (dir, doc)
}

fn dp030(diags: &[Value]) -> Vec<&Value> {
    diags.iter().filter(|d| d["code"] == "DP030").collect()
}

#[test]
fn helix_gets_utf8_pushed_diagnostics_with_versions() {
    let (dir, doc) = workspace();
    let mut s = helix(dir.path());
    let caps = &s.init_result["capabilities"];
    assert_eq!(caps["positionEncoding"], "utf-8", "{caps}");
    assert!(
        caps.get("diagnosticProvider").is_none_or(Value::is_null),
        "Helix cannot pull: {caps}"
    );

    let u = s.open(&doc, 1);
    let d = s.diagnostics(&u, 1);
    assert_eq!(
        sorted(d.clone()),
        sorted(expected_diagnostics(&doc, DEPLOY, "utf-8"))
    );
    // The column of CMP-002 is its byte offset in the line (emoji, CJK, a combining accent
    // before it), which differs from its UTF-16 offset.
    let broken = dp030(&d);
    assert_eq!(broken.len(), 1, "{d:?}");
    let line = DEPLOY.lines().nth(2).unwrap();
    let byte_col = line.find("CMP-002").unwrap();
    let utf16_col = line[..byte_col].encode_utf16().count();
    assert_ne!(byte_col, utf16_col);
    assert_eq!(broken[0]["range"]["start"]["line"], 2);
    assert_eq!(broken[0]["range"]["start"]["character"], byte_col, "{d:?}");

    // An edit: the next push carries the new version, and utf-8 edit positions are applied.
    let at = line.find("and more").unwrap();
    s.change(
        &u,
        2,
        json!([{"range": {"start": {"line": 2, "character": at}, "end": {"line": 2, "character": at + 3}}, "text": "or"}]),
    );
    let text2 = DEPLOY.replacen("and more", "or more", 1);
    let d2 = s.diagnostics(&u, 2);
    assert_eq!(
        sorted(d2),
        sorted(expected_diagnostics(&doc, &text2, "utf-8"))
    );
    assert!(s.shutdown().success());
}

#[test]
fn helix_file_created_on_disk_clears_a_broken_reference_without_a_client_notification() {
    let (dir, doc) = workspace();
    let root = dir.path();
    let mut s = helix(root);
    let u = s.open(&doc, 1);
    assert_eq!(dp030(&s.diagnostics(&u, 1)).len(), 1);
    // Wait until the first index build is done, so the new file is a change, not part of it.
    s.wait_for("$/progress", |p| p["value"]["kind"] == "end");

    // Helix only forwards the files it writes itself: nothing is sent for this one.
    let new = root.join("docs/specs/component/cmp-002-db.md");
    std::fs::write(&new, "# DB\n\nCreated by `git checkout`, not by Helix.\n").unwrap();
    let p = s.wait_for("textDocument/publishDiagnostics", |p| {
        p["uri"] == u && dp030(p["diagnostics"].as_array().unwrap()).is_empty()
    });
    assert_eq!(p["version"], 1, "{p}");

    // Removed again: the reference is broken again.
    std::fs::remove_file(&new).unwrap();
    s.wait_for("textDocument/publishDiagnostics", |p| {
        p["uri"] == u && dp030(p["diagnostics"].as_array().unwrap()).len() == 1
    });
    let _ = s.drain("textDocument/publishDiagnostics", Duration::from_millis(50));
    assert!(s.shutdown().success());
}
