//! Code actions, inlay hints and code lenses over stdio (the real binary): actions applied as a
//! client applies them, then the document re-checked; the fix-all against `check --fix`.

mod lsp_support;

use std::io::Write;
use std::process::{Command, Stdio};

use lsp_support::{codes, fixture_ws, uri, TestServer};
use serde_json::{json, Value};

/// Starts a server whose client announces versioned document changes and file creation.
fn start(resource_ops: bool) -> TestServer {
    let init = lsp_support::Init {
        root: Some(fixture_ws()),
        ..Default::default()
    };
    let mut s = TestServer::spawn(&init);
    let ops = if resource_ops {
        json!(["create"])
    } else {
        json!([])
    };
    let r = s.request(
        "initialize",
        json!({
            "processId": null,
            "rootUri": uri(&fixture_ws()),
            "capabilities": {
                "general": {"positionEncodings": ["utf-16"]},
                "textDocument": {"publishDiagnostics": {"versionSupport": true}},
                "workspace": {"workspaceEdit": {"documentChanges": true, "resourceOperations": ops}}
            }
        }),
    );
    assert!(r.get("error").is_none(), "{r}");
    s.init_result = r["result"].clone();
    s.notify("initialized", json!({}));
    s
}

fn spec_uri(name: &str) -> String {
    let dir = fixture_ws().join("docs/specs/deployment-procedure");
    format!("{}/{name}", uri(&dir))
}

/// Byte offset of an LSP position (UTF-16 columns) in `text`.
fn offset(text: &str, p: &Value) -> usize {
    let line = p["line"].as_u64().unwrap() as usize;
    let col = p["character"].as_u64().unwrap() as usize;
    let start: usize = text.split_inclusive('\n').take(line).map(str::len).sum();
    let mut units = 0;
    for (i, c) in text[start..].char_indices() {
        if units >= col || c == '\n' {
            return start + i;
        }
        units += c.len_utf16();
    }
    text.len()
}

/// The text edits of an action for `uri` (from `documentChanges` or `changes`).
fn edits_for(action: &Value, uri: &str) -> Vec<Value> {
    let edit = &action["edit"];
    if let Some(dc) = edit["documentChanges"].as_array() {
        return dc
            .iter()
            .filter(|c| c["textDocument"]["uri"] == uri)
            .flat_map(|c| c["edits"].as_array().cloned().unwrap_or_default())
            .collect();
    }
    edit["changes"][uri].as_array().cloned().unwrap_or_default()
}

/// Applies an action's edits the way a client does: as one batch of content changes (last
/// first, so earlier positions stay valid); returns the new text.
fn apply(s: &mut TestServer, uri: &str, text: &str, action: &Value, version: i32) -> String {
    let mut edits = edits_for(action, uri);
    edits.sort_by_key(|e| std::cmp::Reverse(offset(text, &e["range"]["start"])));
    let mut out = text.to_string();
    for e in &edits {
        let a = offset(text, &e["range"]["start"]);
        let b = offset(text, &e["range"]["end"]);
        out.replace_range(a..b, e["newText"].as_str().unwrap());
    }
    let changes: Vec<Value> = edits
        .iter()
        .map(|e| json!({"range": e["range"], "text": e["newText"]}))
        .collect();
    s.change(uri, version, Value::Array(changes));
    out
}

fn actions(s: &mut TestServer, uri: &str, range: &Value, only: Option<Value>) -> Vec<Value> {
    let mut context = json!({"diagnostics": []});
    if let Some(o) = only {
        context["only"] = o;
    }
    let r = s.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": uri}, "range": range, "context": context}),
    );
    assert!(r.get("error").is_none(), "{r}");
    r["result"].as_array().cloned().unwrap_or_default()
}

const MISSING_BOTH: &str = "# Deploy billing — 請求 🚀\n\n**Component**: billing\n**Target**: production\n**Owner**: @payments\n\n## Prerequisites\n\n### Infrastructure\n\n- [x] Cluster healthy\n\n### Code & Build\n\n- [x] Build green\n\n### Team & Access\n\n- [x] Access granted\n\n### Approvals\n\n- [x] Change approved\n\n## Deployment Procedure\n\n**Step 1: Deploy billing v3**\n\n```bash\nkubectl apply -f billing-v3.yaml\n```\n\n- Verify: pods are ready\n- Time: ~10 minutes\n\n**Step 2: Migrate the ledger**\n\n```bash\n./migrate.sh ledger\n```\n\n- Verify: `migrate.sh status` is clean\n- Time: ~5 minutes\n\n## Deployment Success Criteria\n\n- [x] Error rate at baseline\n\n## Monitoring and Alerting\n\n- Dashboards: billing\n\n## After Deployment\n\n- Close the change.\n";

#[test]
fn rollback_and_troubleshooting_scaffolds_end_to_end() {
    let mut s = start(false);
    let u = spec_uri("deploy-010-actions.md");
    s.open_text(&u, MISSING_BOTH, 1);
    let diags = s.diagnostics(&u, 1);
    let dp001: Vec<&Value> = diags.iter().filter(|d| d["code"] == "DP001").collect();
    assert_eq!(dp001.len(), 2, "{diags:?}");
    let mut text = MISSING_BOTH.to_string();
    let mut version = 1;
    let mut diags_now = diags.clone();
    for title in [
        "Add a \"Rollback Procedure\" section",
        "Add a \"Troubleshooting\" section",
    ] {
        let d = diags_now
            .iter()
            .find(|d| d["code"] == "DP001")
            .expect("a DP001 left");
        let offered = actions(&mut s, &u, &d["range"], Some(json!(["quickfix"])));
        let a = offered
            .iter()
            .find(|a| a["title"] == title)
            .unwrap_or_else(|| panic!("{title} not offered: {offered:?}"));
        assert_eq!(a["kind"], "quickfix");
        assert_eq!(a["isPreferred"], true);
        assert_eq!(a["diagnostics"][0]["code"], "DP001");
        // Versioned, so a client whose buffer moved on rejects it.
        assert_eq!(
            a["edit"]["documentChanges"][0]["textDocument"]["version"],
            version
        );
        version += 1;
        text = apply(&mut s, &u, &text, a, version);
        diags_now = s.diagnostics(&u, version);
    }
    let diags = diags_now;
    assert!(!codes(&diags).contains(&"DP001".to_string()), "{diags:?}");
    assert!(!diags.iter().any(|d| d["severity"] == 1), "{diags:?}");
    // The rollback mirrors the two forward steps in reverse, numbered on.
    let rb = text.find("## Rollback Procedure").unwrap();
    let ts = text.find("## Troubleshooting").unwrap();
    let success = text.find("## Deployment Success Criteria").unwrap();
    let after = text.find("## After Deployment").unwrap();
    assert!(rb < success && ts < after && text.find("## Monitoring").unwrap() < ts);
    assert!(
        text[rb..]
            .starts_with("## Rollback Procedure\n\n**Step 3: Undo Step 2 — Migrate the ledger**\n"),
        "{text}"
    );
    assert!(text.contains("**Step 4: Undo Step 1 — Deploy billing v3**"));
    assert!(text.contains("### Issue: Step 1 fails its verification"));
    // The placeholders stay visible: unreadable estimates are flagged until written.
    assert!(codes(&diags).contains(&"DP022".to_string()));
    assert!(s.shutdown().success());
}

const MISNUMBERED: &str = "# Deploy\n\n## Deployment Procedure\n\n**Step 1: A**\n\n- Time: 1m\n\nBefore Step 4, check the feeds.\n\n**Step 4: B**\n\n- Time: 2m\n\n**Step 4: C**\n\n- Time: 2m\n\n### Rollback Procedure\n\n**Step 9: Undo**\n\n- Time: 1m\n\nIf Step 1 fails, roll back with Step 9.\n";

fn check_fix_stdin(text: &str, name: &str) -> String {
    let mut child = Command::new(env!("CARGO_BIN_EXE_deployspec"))
        .args(["check", "--fix", "--stdin-filename", name, "-"])
        .current_dir(fixture_ws())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn fix_all_through_the_server_equals_check_fix() {
    let mut s = start(false);
    for (name, text) in [
        ("deploy-011-fixall.md", MISNUMBERED.to_string()),
        ("deploy-012-crlf.md", MISNUMBERED.replace('\n', "\r\n")),
    ] {
        let u = spec_uri(name);
        s.open_text(&u, &text, 1);
        let diags = s.diagnostics(&u, 1);
        assert!(codes(&diags).contains(&"DP021".to_string()));
        let offered = actions(
            &mut s,
            &u,
            &json!({"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}}),
            Some(json!(["source.fixAll"])),
        );
        assert_eq!(offered.len(), 1, "{offered:?}");
        assert_eq!(offered[0]["kind"], "source.fixAll.deployspec");
        let fixed = apply(&mut s, &u, &text, &offered[0], 2);
        let diags = s.diagnostics(&u, 2);
        assert!(!codes(&diags).contains(&"DP021".to_string()), "{diags:?}");
        assert_eq!(
            fixed,
            check_fix_stdin(&text, &format!("docs/specs/deployment-procedure/{name}"))
        );
        assert!(
            fixed.contains("Before Step 4, check") && fixed.contains("roll back with Step 4."),
            "{fixed}"
        );
        // Nothing is invented: quick fixes are not part of the fix-all.
        let offered = actions(
            &mut s,
            &u,
            &json!({"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}}),
            Some(json!(["source.fixAll"])),
        );
        assert!(offered.is_empty(), "{offered:?}");
    }
    assert!(s.shutdown().success());
}

#[test]
fn create_the_missing_spec_only_when_the_client_can() {
    let text =
        "# Deploy\n\nUses [CMP-042].\n\n## Deployment Procedure\n\n**Step 1: A**\n\n- Time: 1m\n";
    for can in [true, false] {
        let mut s = start(can);
        let u = spec_uri("deploy-013-create.md");
        s.open_text(&u, text, 1);
        let diags = s.diagnostics(&u, 1);
        let d = diags.iter().find(|d| d["code"] == "DP030").expect("DP030");
        let offered = actions(&mut s, &u, &d["range"], None);
        let create = offered
            .iter()
            .find(|a| a["title"] == "Create CMP-042 (component)");
        assert_eq!(create.is_some(), can, "{offered:?}");
        if let Some(a) = create {
            let ops = a["edit"]["documentChanges"].as_array().unwrap();
            assert_eq!(ops[0]["kind"], "create");
            assert!(ops[0]["uri"]
                .as_str()
                .unwrap()
                .ends_with("/docs/specs/component/cmp-042.md"));
            assert_eq!(ops[0]["options"]["overwrite"], false);
            assert!(ops[1]["edits"][0]["newText"]
                .as_str()
                .unwrap()
                .starts_with("---\nid: CMP-042\n"));
        }
        // "Ignore" is offered on every diagnostic, this one too.
        assert!(offered
            .iter()
            .any(|a| a["title"] == "Ignore DP030 for this line"));
        assert!(s.shutdown().success());
    }
}

#[test]
fn inlay_hints_and_code_lenses_honour_features() {
    let text = "# Deploy\n\n## Prerequisites\n\n- [x] a\n- [ ] b\n\n## Deployment Procedure\n\n**Step 1: A 🚀**\n\n- Time: 10 minutes\n\n**Step 2: B**\n\n- Time: 15 minutes\n\n### Rollback Procedure\n\n**Step 3: C**\n\n- Time: 5 minutes\n";
    let mut s = start(false);
    let u = spec_uri("deploy-014-hints.md");
    s.open_text(&u, text, 1);
    let whole = json!({"start": {"line": 0, "character": 0}, "end": {"line": 30, "character": 0}});
    let r = s.request(
        "textDocument/inlayHint",
        json!({"textDocument": {"uri": u}, "range": whole}),
    );
    let hints: Vec<(u64, u64, String)> = r["result"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            (
                h["position"]["line"].as_u64().unwrap(),
                h["position"]["character"].as_u64().unwrap(),
                h["label"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    // "**Step 1: A 🚀**" is 16 UTF-16 units (the emoji counts two).
    assert_eq!(
        hints,
        vec![
            (9, 16, "T+10m".to_string()),
            (13, 13, "T+25m".to_string()),
            (19, 13, "T+5m".to_string())
        ]
    );
    let r = s.request("textDocument/codeLens", json!({"textDocument": {"uri": u}}));
    let titles: Vec<&str> = r["result"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["command"]["title"].as_str().unwrap())
        .collect();
    assert_eq!(
        titles,
        vec![
            "1/2 checked",
            "Deployment: 25m in 2 steps · Rollback: 5m in 1 step"
        ]
    );
    s.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": {"deployspec": {"features": {"inlay_hints": false, "code_lens": false, "code_actions": false}}}}),
    );
    // The configuration applies asynchronously: ask until it is in force.
    let deadline = std::time::Instant::now() + lsp_support::TIMEOUT;
    loop {
        let r = s.request("textDocument/codeLens", json!({"textDocument": {"uri": u}}));
        if r["result"].is_null() {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "features never switched off"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let r = s.request(
        "textDocument/inlayHint",
        json!({"textDocument": {"uri": u}, "range": whole}),
    );
    assert!(r["result"].is_null(), "{r}");
    assert!(actions(&mut s, &u, &whole, None).is_empty());
    assert!(s.shutdown().success());
}
