//! Navigation requests over stdio (the real binary), in UTF-8 and UTF-16, with emoji and CJK
//! before the reference on the same line: definition, hover, document symbols, folding ranges,
//! completion.

mod lsp_support;

use lsp_support::{fixture_ws, uri, Init, TestServer};
use serde_json::{json, Value};

const DOC: &str = "# Deploy export — 輸出 🚀\n\n**Component**: export\n**Target**: production\n**Owner**: @data-team\n\n## Prerequisites\n\n- [x] 🚀 請求 see [CMP-001] first\n\n## Deployment Procedure\n\n**Step 1: Build 構築**\n\n- Time: ~10 minutes\n\n**Step 2: Ship**\n\n- Time: ~5 minutes\n\n🚀 請求 if it fails, go back to Step 1.\n\n<!-- deployspec-disable-next-line step-without-time -->\n**Step 3: Check**\n\n## Rollback Procedure\n\n**Step 4: Revert**\n\n- Time: ~5 minutes\n";

fn start(encoding: &'static str) -> (TestServer, String) {
    let mut s = TestServer::start(Init {
        encodings: vec![encoding],
        root: Some(fixture_ws()),
        ..Default::default()
    });
    assert_eq!(s.init_result["capabilities"]["positionEncoding"], encoding);
    let dir = fixture_ws().join("docs/specs/deployment-procedure");
    let u = format!("{}/deploy-020-navigation.md", uri(&dir));
    s.open_text(&u, DOC, 1);
    // The first report comes after the index is ready.
    s.diagnostics(&u, 1);
    (s, u)
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

/// Position of the `n`th byte of the first occurrence of `needle`.
fn at(needle: &str, n: usize, encoding: &str) -> Value {
    pos(DOC, DOC.find(needle).expect(needle) + n, encoding)
}

fn range_of(needle: &str, encoding: &str) -> Value {
    let i = DOC.find(needle).expect(needle);
    json!({"start": pos(DOC, i, encoding), "end": pos(DOC, i + needle.len(), encoding)})
}

fn tdp(u: &str, p: Value) -> Value {
    json!({"textDocument": {"uri": u}, "position": p})
}

#[test]
fn definition_in_both_encodings() {
    for enc in ["utf-8", "utf-16"] {
        let (mut s, u) = start(enc);
        // A spec ID → the title line of the file that defines it.
        let r = s.request("textDocument/definition", tdp(&u, at("CMP-001]", 4, enc)));
        let links = r["result"].as_array().unwrap_or_else(|| panic!("{r}"));
        assert_eq!(links.len(), 1, "{r}");
        let cmp = fixture_ws().join("docs/specs/component/cmp-001-export-service.md");
        assert_eq!(links[0]["targetUri"], uri(&cmp));
        assert_eq!(
            links[0]["targetSelectionRange"],
            json!({"start": {"line": 0, "character": 2}, "end": {"line": 0, "character": 16}})
        );
        assert_eq!(links[0]["originSelectionRange"], range_of("CMP-001", enc));
        // `Step 1` in prose → the step's head in this document.
        let r = s.request("textDocument/definition", tdp(&u, at("Step 1.", 5, enc)));
        let links = r["result"].as_array().unwrap_or_else(|| panic!("{r}"));
        assert_eq!(links[0]["targetUri"], u.as_str());
        assert_eq!(
            links[0]["targetRange"],
            range_of("**Step 1: Build 構築**", enc)
        );
        assert_eq!(
            links[0]["originSelectionRange"],
            range_of("Step 1.", enc).pipe_trim()
        );
        // Plain text: nothing.
        let r = s.request("textDocument/definition", tdp(&u, at("first", 1, enc)));
        assert_eq!(r["result"], Value::Null, "{r}");
        s.shutdown();
    }
}

/// `Step 1.` → the range of `Step 1` (the mention, without the full stop).
trait PipeTrim {
    fn pipe_trim(self) -> Value;
}

impl PipeTrim for Value {
    fn pipe_trim(mut self) -> Value {
        let end = &mut self["end"]["character"];
        *end = json!(end.as_u64().unwrap() - 1);
        self
    }
}

#[test]
fn hover_in_both_encodings() {
    for enc in ["utf-8", "utf-16"] {
        let (mut s, u) = start(enc);
        let r = s.request("textDocument/hover", tdp(&u, at("CMP-001]", 2, enc)));
        let h = &r["result"];
        assert_eq!(h["contents"]["kind"], "markdown", "{r}");
        let md = h["contents"]["value"].as_str().unwrap();
        assert!(md.starts_with("**CMP-001** — Export Service"), "{md}");
        assert!(md.contains("owner @data-team"), "{md}");
        assert!(md.contains("cmp-001-export-service.md"), "{md}");
        assert!(
            md.ends_with("Exports customer data to the warehouse every night."),
            "{md}"
        );
        assert_eq!(h["range"], range_of("CMP-001", enc));
        // A step: its time and when it starts.
        let r = s.request("textDocument/hover", tdp(&u, at("Ship", 1, enc)));
        let md = r["result"]["contents"]["value"]
            .as_str()
            .unwrap_or_default();
        assert!(md.contains("time 5m · starts at T+10m"), "{r}");
        // A rule in a suppression comment.
        let r = s.request(
            "textDocument/hover",
            tdp(&u, at("step-without-time", 3, enc)),
        );
        let md = r["result"]["contents"]["value"]
            .as_str()
            .unwrap_or_default();
        assert!(md.starts_with("**DP020**"), "{r}");
        assert_eq!(r["result"]["range"], range_of("step-without-time", enc));
        let r = s.request("textDocument/hover", tdp(&u, at("fails", 1, enc)));
        assert_eq!(r["result"], Value::Null, "{r}");
        s.shutdown();
    }
}

#[test]
fn symbols_and_folding() {
    for enc in ["utf-8", "utf-16"] {
        let (mut s, u) = start(enc);
        let r = s.request(
            "textDocument/documentSymbol",
            json!({"textDocument": {"uri": u}}),
        );
        let title = &r["result"][0];
        assert_eq!(title["name"], "Deploy export — 輸出 🚀", "{r}");
        assert_eq!(
            title["selectionRange"],
            range_of("Deploy export — 輸出 🚀", enc)
        );
        let proc = &title["children"][1];
        assert_eq!(proc["name"], "Deployment Procedure");
        assert_eq!(proc["detail"], "procedure");
        let step1 = &proc["children"][0];
        assert_eq!(step1["name"], "Step 1: Build 構築");
        assert_eq!(step1["detail"], "10m");
        assert_eq!(
            step1["selectionRange"],
            range_of("**Step 1: Build 構築**", enc)
        );
        assert_eq!(proc["children"][2]["detail"], "no time");
        let r = s.request(
            "textDocument/foldingRange",
            json!({"textDocument": {"uri": u}}),
        );
        let folds = r["result"].as_array().unwrap_or_else(|| panic!("{r}"));
        let line = |needle: &str| DOC[..DOC.find(needle).unwrap()].matches('\n').count();
        assert!(
            folds
                .iter()
                .any(|f| f["startLine"] == line("## Deployment Procedure")
                    && f["endLine"] == line("**Step 3: Check**")),
            "{r}"
        );
        assert!(folds
            .iter()
            .any(|f| f["startLine"] == line("**Step 1") && f["endLine"] == line("- Time: ~10")));
        s.shutdown();
    }
}

#[test]
fn switched_off_features_answer_empty() {
    let mut s = TestServer::start(Init {
        root: Some(fixture_ws()),
        settings: Some(
            json!({"features": {"hover": false, "symbols": false, "completion": false}}),
        ),
        ..Default::default()
    });
    let dir = fixture_ws().join("docs/specs/deployment-procedure");
    let u = format!("{}/deploy-021-off.md", uri(&dir));
    s.open_text(&u, DOC, 1);
    s.diagnostics(&u, 1);
    let r = s.request("textDocument/hover", tdp(&u, at("CMP-001]", 2, "utf-16")));
    assert_eq!(r["result"], Value::Null, "{r}");
    let r = s.request(
        "textDocument/documentSymbol",
        json!({"textDocument": {"uri": u}}),
    );
    assert_eq!(r["result"], Value::Null, "{r}");
    let r = s.request(
        "textDocument/completion",
        tdp(&u, at("[CMP-001]", 1, "utf-16")),
    );
    assert_eq!(r["result"], Value::Null, "{r}");
    // Definition has no switch: still answers.
    let r = s.request(
        "textDocument/definition",
        tdp(&u, at("CMP-001]", 2, "utf-16")),
    );
    assert!(r["result"].as_array().is_some_and(|a| a.len() == 1), "{r}");
    s.shutdown();
}

#[test]
fn completion_in_both_encodings() {
    for enc in ["utf-8", "utf-16"] {
        let (mut s, _) = start(enc);
        let dir = fixture_ws().join("docs/specs/deployment-procedure");
        let u = format!("{}/deploy-022-typing.md", uri(&dir));
        let text = "# Typing 🚀\n\n## Deployment Procedure\n\n**Step 1: 構築**\n\n- Time: ~5 minutes\n\n🚀 請求 see [cmp-00\n\n<!-- deployspec-disable-next-line DP0 -->\n\n## Rol\n";
        s.open_text(&u, text, 1);
        s.diagnostics(&u, 1);
        let p = |needle: &str| pos(text, text.find(needle).unwrap() + needle.len(), enc);
        let r = s.request("textDocument/completion", tdp(&u, p("[cmp-00")));
        let items = r["result"]["items"]
            .as_array()
            .unwrap_or_else(|| panic!("{r}"));
        let labels: Vec<&str> = items.iter().map(|i| i["label"].as_str().unwrap()).collect();
        assert_eq!(labels, ["CMP-001", "CMP-002"], "{r}");
        // The edit replaces what was typed after `[` and closes the bracket.
        let start = text.find("[cmp-00").unwrap() + 1;
        assert_eq!(
            items[0]["textEdit"],
            json!({"range": {"start": pos(text, start, enc), "end": p("[cmp-00")}, "newText": "CMP-001]"})
        );
        assert_eq!(items[0]["detail"], "Export Service (component)");
        let r = s.request("textDocument/completion", tdp(&u, p("next-line DP0")));
        let items = r["result"]["items"]
            .as_array()
            .unwrap_or_else(|| panic!("{r}"));
        assert!(items.iter().any(|i| i["label"] == "DP020"), "{r}");
        let r = s.request("textDocument/completion", tdp(&u, p("## Rol")));
        let items = r["result"]["items"]
            .as_array()
            .unwrap_or_else(|| panic!("{r}"));
        assert!(
            items.iter().any(|i| i["label"] == "Rollback Procedure"),
            "{r}"
        );
        assert!(
            !items.iter().any(|i| i["label"] == "Deployment Procedure"),
            "{r}"
        );
        // After `Time:`: the presets, short to long, replacing the value.
        let r = s.request("textDocument/completion", tdp(&u, p("- Time: ~5")));
        let items = r["result"]["items"]
            .as_array()
            .unwrap_or_else(|| panic!("{r}"));
        let labels: Vec<&str> = items.iter().map(|i| i["label"].as_str().unwrap()).collect();
        assert_eq!(
            labels[..3],
            ["~1 minute", "~2 minutes", "~5 minutes"],
            "{r}"
        );
        let value = text.find("~5 minutes").unwrap();
        assert_eq!(
            items[2]["textEdit"],
            json!({"range": {"start": pos(text, value, enc), "end": pos(text, value + 10, enc)}, "newText": "~5 minutes"})
        );
        let sorted: Vec<&str> = items
            .iter()
            .map(|i| i["sortText"].as_str().unwrap())
            .collect();
        assert!(sorted.windows(2).all(|w| w[0] < w[1]), "{r}");
        // Nothing in plain prose.
        let r = s.request("textDocument/completion", tdp(&u, p("🚀 請求 see")));
        assert_eq!(r["result"]["items"], json!([]), "{r}");
        s.shutdown();
    }
}

#[test]
fn references_across_the_workspace() {
    for enc in ["utf-8", "utf-16"] {
        let (mut s, u) = start(enc);
        let r = s.request(
            "textDocument/references",
            json!({"textDocument": {"uri": u}, "position": at("CMP-001]", 3, enc),
                   "context": {"includeDeclaration": true}}),
        );
        let locs = r["result"].as_array().unwrap_or_else(|| panic!("{r}"));
        let specs = fixture_ws().join("docs/specs");
        let mut got: Vec<(String, Value)> = locs
            .iter()
            .map(|l| {
                let name = l["uri"].as_str().unwrap().rsplit('/').next().unwrap();
                (name.to_string(), l["range"]["start"].clone())
            })
            .collect();
        got.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.to_string().cmp(&b.1.to_string())));
        // Unopened files, read from disk: the emoji line of deploy-003 in the right encoding.
        let unicode =
            std::fs::read_to_string(specs.join("deployment-procedure/deploy-003-unicode.md"))
                .unwrap();
        let emoji_ref = unicode.find("👩‍💻 [CMP-001]").unwrap() + "👩‍💻 [".len();
        let names: Vec<&str> = got.iter().map(|g| g.0.as_str()).collect();
        assert_eq!(
            names,
            [
                "cmp-001-export-service.md",
                "deploy-001-export-prod.md",
                "deploy-002-generated.md",
                "deploy-003-unicode.md",
                "deploy-003-unicode.md",
                "deploy-020-navigation.md",
                "des-001-export-pipeline.md"
            ],
            "{r}"
        );
        assert!(got.contains(&(
            "deploy-003-unicode.md".into(),
            pos(&unicode, emoji_ref, enc)
        )));
        assert!(got.contains(&("deploy-020-navigation.md".into(), at("CMP-001]", 0, enc))));
        // The declaration: the defining file's title.
        assert_eq!(got[0].1, json!({"line": 0, "character": 2}));
        // A step: its title and its mention, in this document only.
        let r = s.request(
            "textDocument/references",
            json!({"textDocument": {"uri": u}, "position": at("Step 1: Build", 2, enc),
                   "context": {"includeDeclaration": true}}),
        );
        let ranges: Vec<&Value> = r["result"]
            .as_array()
            .unwrap_or_else(|| panic!("{r}"))
            .iter()
            .map(|l| &l["range"])
            .collect();
        assert_eq!(
            ranges,
            [
                &range_of("**Step 1: Build 構築**", enc),
                &range_of("Step 1.", enc).pipe_trim()
            ]
        );
        s.shutdown();
    }
}

#[test]
fn workspace_symbols_and_links() {
    for enc in ["utf-8", "utf-16"] {
        let (mut s, u) = start(enc);
        let r = s.request("workspace/symbol", json!({"query": "cmp"}));
        let names: Vec<&str> = r["result"]
            .as_array()
            .unwrap_or_else(|| panic!("{r}"))
            .iter()
            .map(|x| x["name"].as_str().unwrap())
            .collect();
        // ID prefix matches first; a scattered match in a title (c…m…p) after them.
        assert_eq!(
            names,
            [
                "CMP-001: Export Service",
                "CMP-002: Billing",
                "DEPLOY-002: Deployment Procedure: Payment Gateway to Production"
            ],
            "{r}"
        );
        let r = s.request("workspace/symbol", json!({"query": "export pipe"}));
        assert_eq!(
            r["result"][0]["name"], "DES-001: Export Pipeline Design",
            "{r}"
        );
        let r = s.request(
            "textDocument/documentLink",
            json!({"textDocument": {"uri": u}}),
        );
        let links = r["result"].as_array().unwrap_or_else(|| panic!("{r}"));
        assert_eq!(links.len(), 1, "{r}");
        assert_eq!(links[0]["range"], range_of("CMP-001", enc));
        let cmp = fixture_ws().join("docs/specs/component/cmp-001-export-service.md");
        assert_eq!(links[0]["target"], uri(&cmp));
        s.shutdown();
    }
}

#[test]
fn selection_ranges_grow_from_the_reference() {
    for enc in ["utf-8", "utf-16"] {
        let (mut s, u) = start(enc);
        let r = s.request(
            "textDocument/selectionRange",
            json!({"textDocument": {"uri": u}, "positions": [at("CMP-001]", 3, enc)]}),
        );
        let first = &r["result"][0];
        assert_eq!(first["range"], range_of("CMP-001", enc), "{r}");
        // Then the Prerequisites section, the title's section, the document.
        let parent = &first["parent"];
        assert_eq!(
            parent["range"]["start"],
            at("## Prerequisites", 0, enc),
            "{r}"
        );
        assert_eq!(
            parent["parent"]["range"]["start"],
            json!({"line": 0, "character": 0})
        );
        s.shutdown();
    }
}

#[test]
fn relative_spec_paths_link_and_lead_to_the_file() {
    for enc in ["utf-8", "utf-16"] {
        let (mut s, _) = start(enc);
        let dir = fixture_ws().join("docs/specs/deployment-procedure");
        let u = format!("{}/deploy-023-paths.md", uri(&dir));
        let text = "# Paths 🚀\n\n🚀 請求 [design 設計](../design/des-001-export-pipeline.md#goals), [gone](../component/cmp-404.md), [web](https://example.invalid/des-001-export-pipeline.md), `[code](../design/des-001-export-pipeline.md)`\n";
        s.open_text(&u, text, 1);
        s.diagnostics(&u, 1);
        let dest = "../design/des-001-export-pipeline.md";
        let at = text.find(dest).unwrap();
        let range = json!({"start": pos(text, at, enc), "end": pos(text, at + dest.len(), enc)});
        let des = fixture_ws().join("docs/specs/design/des-001-export-pipeline.md");
        // One link: the known spec's path (not the fragment, the unknown file, the URL or code).
        let r = s.request(
            "textDocument/documentLink",
            json!({"textDocument": {"uri": u}}),
        );
        let links = r["result"].as_array().unwrap_or_else(|| panic!("{r}"));
        assert_eq!(links.len(), 1, "{r}");
        assert_eq!(links[0]["range"], range);
        assert_eq!(links[0]["target"], uri(&des));
        // Definition on the path: the file's title line.
        let r = s.request("textDocument/definition", tdp(&u, pos(text, at + 5, enc)));
        let links = r["result"].as_array().unwrap_or_else(|| panic!("{r}"));
        assert_eq!(links[0]["targetUri"], uri(&des), "{r}");
        assert_eq!(links[0]["originSelectionRange"], range);
        assert_eq!(links[0]["targetSelectionRange"]["start"]["line"], 0, "{r}");
        // On the unknown path: nothing.
        let gone = text.find("../component/cmp-404").unwrap() + 3;
        let r = s.request("textDocument/definition", tdp(&u, pos(text, gone, enc)));
        assert_eq!(r["result"], Value::Null, "{r}");
        s.shutdown();
    }
}
