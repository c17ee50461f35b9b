//! Rename over stdio (the real binary), in UTF-8 and UTF-16 with emoji and CJK before the
//! references: `prepareRename` and its refusals, a spec ID renamed across open and unopened files
//! with the defining file renamed, the edit applied by this client (open buffers through
//! `didChange`, other files on disk) and the workspace re-checked clean; a step renumbered with
//! its mentions; a client that cannot rename files.

mod lsp_support;

use std::path::{Path, PathBuf};

use lsp_support::{uri, Init, TestServer};
use serde_json::{json, Value};

const COMPLETE: &str = include_str!("fixtures/complete.md");

/// The open deployment spec: the complete fixture with references to CMP-001 after emoji and
/// CJK on the same line, and a mention of Step 2.
fn deploy_text() -> String {
    COMPLETE.replace(
        "Deploys export-service v2.4 as designed in [DES-001].",
        "Deploys export-service v2.4 as designed in [DES-001].\n🚀 請求 it also feeds [cmp-001] 👩‍💻 [CMP-001].",
    )
}

/// A workspace: CMP-001 takes its ID from its file name, CMP-002 from front matter; deploy-002
/// (never opened) mentions CMP-001 after emoji, and once inside a code span.
fn workspace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    for d in ["component", "design", "deployment-procedure"] {
        std::fs::create_dir_all(root.join("docs/specs").join(d)).unwrap();
    }
    let w = |p: &str, t: &str| std::fs::write(root.join("docs/specs").join(p), t).unwrap();
    std::fs::write(
        root.join(".deployspec.toml"),
        "spec_root = \"docs/specs\"\n",
    )
    .unwrap();
    w(
        "component/cmp-001-export.md",
        "# Export service\n\nExports data.\n",
    );
    w(
        "component/cmp-002-billing.md",
        "---\nid: CMP-002\n---\n\n# Billing\n\nBills. Uses [CMP-001].\n",
    );
    w("design/des-001-pipeline.md", "# Pipeline\n\nDesign.\n");
    w("deployment-procedure/deploy-001-export.md", &deploy_text());
    w(
        "deployment-procedure/deploy-002-other.md",
        &COMPLETE.replace(
            "Deploys export-service v2.4 as designed in [DES-001].",
            "Deploys export-service v2.4 as designed in [DES-001].\n👩‍💻 依存 [CMP-001], not `[CMP-001]`.",
        ),
    );
    dir
}

fn deploy(root: &Path) -> PathBuf {
    root.join("docs/specs/deployment-procedure/deploy-001-export.md")
}

/// Client capabilities: documentChanges, and the resource operations given.
fn start(root: &Path, encoding: &'static str, resource_ops: Value) -> TestServer {
    TestServer::start(Init {
        root: Some(root.to_path_buf()),
        capabilities: Some(json!({
            "general": {"positionEncodings": [encoding]},
            "textDocument": {
                "synchronization": {"dynamicRegistration": false},
                "publishDiagnostics": {"versionSupport": true},
                "rename": {"prepareSupport": true}
            },
            "workspace": {
                "didChangeWatchedFiles": {"dynamicRegistration": true},
                "workspaceEdit": {"documentChanges": true, "resourceOperations": resource_ops},
                "workspaceFolders": true
            },
            "window": {"workDoneProgress": true}
        })),
        ..Init::default()
    })
}

/// The LSP position of byte `offset` of `text` in `encoding`.
fn pos(text: &str, offset: usize, encoding: &str) -> Value {
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let line = text[..offset].matches('\n').count();
    let before = &text[line_start..offset];
    let col = if encoding == "utf-8" {
        before.len()
    } else {
        before.encode_utf16().count()
    };
    json!({"line": line, "character": col})
}

/// The byte offset of an LSP position (the client's side of the conversion).
fn offset(text: &str, p: &Value, encoding: &str) -> usize {
    let line = p["line"].as_u64().unwrap() as usize;
    let col = p["character"].as_u64().unwrap() as usize;
    let start: usize = text.split_inclusive('\n').take(line).map(str::len).sum();
    let mut units = 0;
    for (i, c) in text[start..].char_indices() {
        if units >= col || c == '\n' {
            return start + i;
        }
        units += if encoding == "utf-8" {
            c.len_utf8()
        } else {
            c.len_utf16()
        };
    }
    text.len()
}

/// Applies LSP text edits (non-overlapping) to `text`.
fn apply_edits(text: &str, edits: &[Value], encoding: &str) -> String {
    let mut spans: Vec<(usize, usize, &str)> = edits
        .iter()
        .map(|e| {
            (
                offset(text, &e["range"]["start"], encoding),
                offset(text, &e["range"]["end"], encoding),
                e["newText"].as_str().unwrap(),
            )
        })
        .collect();
    spans.sort();
    let mut out = String::new();
    let mut at = 0;
    for (s, e, t) in spans {
        assert!(s >= at, "overlapping edits: {edits:?}");
        out.push_str(&text[at..s]);
        out.push_str(t);
        at = e;
    }
    out.push_str(&text[at..]);
    out
}

fn path_of(u: &str) -> PathBuf {
    PathBuf::from(u.strip_prefix("file://").unwrap())
}

/// Applies a `documentChanges` workspace edit as an editor would: open documents (`open`: uri →
/// (version, text)) through `didChange` with the whole new text, other files on disk, renames
/// on disk (reported as watched-file events). Returns those events.
fn apply(
    s: &mut TestServer,
    edit: &Value,
    open: &mut [(String, i32, String)],
    encoding: &str,
) -> Vec<Value> {
    let mut events = Vec::new();
    for op in edit["documentChanges"].as_array().expect("documentChanges") {
        if op["kind"] == "rename" {
            let (from, to) = (
                op["oldUri"].as_str().unwrap(),
                op["newUri"].as_str().unwrap(),
            );
            assert!(!path_of(to).exists(), "the rename would overwrite {to}");
            std::fs::rename(path_of(from), path_of(to)).unwrap();
            events.push(json!({"uri": from, "type": 3}));
            events.push(json!({"uri": to, "type": 1}));
            continue;
        }
        let u = op["textDocument"]["uri"].as_str().unwrap();
        let edits = op["edits"].as_array().unwrap();
        if let Some(doc) = open.iter_mut().find(|d| d.0 == u) {
            assert_eq!(op["textDocument"]["version"], json!(doc.1), "{op}");
            doc.2 = apply_edits(&doc.2, edits, encoding);
            doc.1 += 1;
            s.change(u, doc.1, json!([{"text": doc.2}]));
        } else {
            assert_eq!(op["textDocument"]["version"], Value::Null, "{op}");
            let text = std::fs::read_to_string(path_of(u)).unwrap();
            std::fs::write(path_of(u), apply_edits(&text, edits, encoding)).unwrap();
            events.push(json!({"uri": u, "type": 2}));
        }
    }
    if !events.is_empty() {
        s.notify(
            "workspace/didChangeWatchedFiles",
            json!({"changes": events}),
        );
    }
    events
}

/// `deployspec check --format json` over the workspace: (file, code) of every finding.
fn check(root: &Path) -> Vec<(String, String)> {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_deployspec"))
        .args(["check", "--format", "json"])
        .current_dir(root)
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    let mut got: Vec<(String, String)> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["file"].as_str().unwrap().to_string(),
                f["code"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    got.sort();
    got
}

fn tdp(u: &str, p: Value) -> Value {
    json!({"textDocument": {"uri": u}, "position": p})
}

fn rename(s: &mut TestServer, u: &str, p: Value, new: &str) -> Value {
    s.request(
        "textDocument/rename",
        json!({"textDocument": {"uri": u}, "position": p, "newName": new}),
    )
}

/// A refusal: LSP's RequestFailed with a message for the user.
fn refusal(r: &Value) -> String {
    assert_eq!(r["error"]["code"], -32803, "{r}");
    r["error"]["message"].as_str().unwrap().to_string()
}

#[test]
fn spec_ids_rename_across_the_workspace_and_check_clean() {
    for enc in ["utf-8", "utf-16"] {
        let dir = workspace();
        let root = dir.path();
        let before = check(root);
        assert!(
            !before.iter().any(|(_, c)| c == "DP030" || c == "DP031"),
            "{before:?}"
        );
        let mut s = start(root, enc, json!(["create", "rename", "delete"]));
        assert_eq!(
            s.init_result["capabilities"]["renameProvider"],
            json!({"prepareProvider": true})
        );
        let text = deploy_text();
        let u = s.open(&deploy(root), 1);
        s.diagnostics(&u, 1);
        let mut open = vec![(u.clone(), 1, text.clone())];
        let lower = text.find("[cmp-001]").unwrap() + 1;
        let upper = text.find("👩‍💻 [CMP-001]").unwrap() + "👩‍💻 [".len();

        // prepareRename: the ID as written, in the negotiated encoding.
        let r = s.request(
            "textDocument/prepareRename",
            tdp(&u, pos(&text, upper + 3, enc)),
        );
        assert_eq!(
            r["result"],
            json!({"range": {"start": pos(&text, upper, enc), "end": pos(&text, upper + 7, enc)},
                   "placeholder": "CMP-001"}),
            "{r}"
        );
        let r = s.request(
            "textDocument/prepareRename",
            tdp(&u, pos(&text, lower + 2, enc)),
        );
        assert_eq!(r["result"]["placeholder"], "cmp-001", "{r}");
        // Refusals, with a reason: plain text, a rule code, a taken ID, an unknown prefix.
        let plain = text.find("Deploys").unwrap() + 2;
        let r = s.request(
            "textDocument/prepareRename",
            tdp(&u, pos(&text, plain, enc)),
        );
        assert!(refusal(&r).starts_with("Only a spec ID"), "{r}");
        let r = rename(&mut s, &u, pos(&text, plain, enc), "CMP-009");
        assert!(refusal(&r).starts_with("Only a spec ID"), "{r}");
        let r = rename(&mut s, &u, pos(&text, upper, enc), "CMP-002");
        assert!(refusal(&r).contains("CMP-002 already exists"), "{r}");
        let r = rename(&mut s, &u, pos(&text, upper, enc), "ADR-001");
        assert!(
            refusal(&r).contains("ADR is not a known spec prefix"),
            "{r}"
        );
        let r = rename(&mut s, &u, pos(&text, upper, enc), "export");
        assert!(refusal(&r).contains("not a spec ID"), "{r}");

        // The rename itself, from the lower-case mention.
        let r = rename(&mut s, &u, pos(&text, lower + 1, enc), "cmp-009");
        let edit = &r["result"];
        let ops = edit["documentChanges"]
            .as_array()
            .unwrap_or_else(|| panic!("{r}"));
        // The file rename comes after every text edit.
        assert_eq!(ops.last().unwrap()["kind"], "rename", "{r}");
        assert_eq!(
            ops.last().unwrap()["options"],
            json!({"overwrite": false, "ignoreIfExists": false})
        );
        apply(&mut s, edit, &mut open, enc);
        // The open document: both mentions, in their case, after the emoji and CJK.
        let want = text
            .replace("[cmp-001]", "[cmp-009]")
            .replace("[CMP-001]", "[CMP-009]");
        assert_eq!(open[0].2, want);
        assert_eq!(open[0].1, 2);
        // Unopened files on disk; the code span is not a reference.
        let specs = root.join("docs/specs");
        let other = std::fs::read_to_string(specs.join("deployment-procedure/deploy-002-other.md"))
            .unwrap();
        assert!(
            other.contains("👩‍💻 依存 [CMP-009], not `[CMP-001]`."),
            "{other}"
        );
        let billing = std::fs::read_to_string(specs.join("component/cmp-002-billing.md")).unwrap();
        assert!(billing.ends_with("Uses [CMP-009].\n"), "{billing}");
        assert!(!specs.join("component/cmp-001-export.md").exists());
        assert_eq!(
            std::fs::read_to_string(specs.join("component/cmp-009-export.md")).unwrap(),
            "# Export service\n\nExports data.\n"
        );
        // The server re-checks the open document once the index has the renamed file: no
        // broken reference (the first report of version 2 may come before the file events).
        s.wait_for("textDocument/publishDiagnostics", |p| {
            p["uri"] == u.as_str()
                && p["version"] == 2
                && !p["diagnostics"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|d| d["code"] == "DP030")
        });
        // Definition follows the new name to the renamed file.
        let r = s.request(
            "textDocument/definition",
            tdp(&u, pos(&want, lower + 2, enc)),
        );
        assert!(
            r["result"][0]["targetUri"]
                .as_str()
                .is_some_and(|t| t.ends_with("component/cmp-009-export.md")),
            "{r}"
        );
        // The workspace, saved, checks as it did before: the rename broke nothing.
        std::fs::write(deploy(root), &open[0].2).unwrap();
        assert_eq!(check(root), before);
        s.shutdown();
    }
}

#[test]
fn steps_renumber_with_their_mentions() {
    for enc in ["utf-8", "utf-16"] {
        let dir = workspace();
        let root = dir.path();
        let mut s = start(root, enc, json!(["create", "rename", "delete"]));
        let text = deploy_text().replace(
            "- Close CR-1234.",
            "- 🚀 請求 if anything looks wrong, Step 2 can be rerun.",
        );
        let u = uri(&deploy(root));
        s.open_text(&u, &text, 1);
        s.diagnostics(&u, 1);
        let mention = text.find("Step 2 can").unwrap();
        let r = s.request(
            "textDocument/prepareRename",
            tdp(&u, pos(&text, mention + 2, enc)),
        );
        let digit = mention + "Step ".len();
        assert_eq!(
            r["result"],
            json!({"range": {"start": pos(&text, digit, enc), "end": pos(&text, digit + 1, enc)},
                   "placeholder": "2"}),
            "{r}"
        );
        // A number another step has is refused; one no step has is taken.
        let r = rename(&mut s, &u, pos(&text, mention, enc), "3");
        assert!(refusal(&r).contains("Step 3 already exists"), "{r}");
        let r = rename(&mut s, &u, pos(&text, mention, enc), "7");
        let mut open = vec![(u.clone(), 1, text.clone())];
        apply(&mut s, &r["result"], &mut open, enc);
        let want = text
            .replace("**Step 2: Run", "**Step 7: Run")
            .replace("migrations of Step 2", "migrations of Step 7")
            .replace("Step 2 can", "Step 7 can");
        if open[0].2 != want {
            let diff: Vec<(&str, &str)> = open[0]
                .2
                .lines()
                .zip(want.lines())
                .filter(|(a, b)| a != b)
                .collect();
            panic!("{diff:?}");
        }
        // Nothing else was touched: one document's edit.
        assert_eq!(r["result"]["documentChanges"].as_array().unwrap().len(), 1);
        // Out of order now: the renumbering rule says so, and names Step 7.
        let d = s.diagnostics(&u, 2);
        assert!(
            d.iter()
                .any(|d| d["message"].as_str().unwrap().contains("Step 7")),
            "{d:?}"
        );
        s.shutdown();
    }
}

#[test]
fn without_file_renames_only_front_matter_ids_can_change() {
    let dir = workspace();
    let root = dir.path();
    let mut s = start(root, "utf-16", json!(["create"]));
    let text = deploy_text().replace("[cmp-001]", "[CMP-002]");
    let u = uri(&deploy(root));
    s.open_text(&u, &text, 1);
    s.diagnostics(&u, 1);
    // CMP-001's ID is its file name, which this client cannot rename.
    let at = text.find("[CMP-001]").unwrap() + 1;
    let r = rename(&mut s, &u, pos(&text, at, "utf-16"), "CMP-009");
    let msg = refusal(&r);
    assert!(msg.contains("cannot rename files"), "{msg}");
    assert!(msg.contains("cmp-001-export.md"), "{msg}");
    // CMP-002's comes from front matter: it changes there, the file keeps its name.
    let at = text.find("[CMP-002]").unwrap() + 1;
    let r = rename(&mut s, &u, pos(&text, at, "utf-16"), "CMP-010");
    let ops = r["result"]["documentChanges"]
        .as_array()
        .unwrap_or_else(|| panic!("{r}"));
    assert!(ops.iter().all(|o| o.get("kind").is_none()), "{r}");
    let mut open = vec![(u.clone(), 1, text.clone())];
    apply(&mut s, &r["result"], &mut open, "utf-16");
    let billing = root.join("docs/specs/component/cmp-002-billing.md");
    assert!(std::fs::read_to_string(&billing)
        .unwrap()
        .starts_with("---\nid: CMP-010\n---\n"));
    assert_eq!(open[0].2, text.replace("[CMP-002]", "[CMP-010]"));
    s.wait_for("textDocument/publishDiagnostics", |p| {
        p["uri"] == u.as_str()
            && p["version"] == 2
            && !p["diagnostics"]
                .as_array()
                .unwrap()
                .iter()
                .any(|d| d["code"] == "DP030")
    });
    s.shutdown();
}
