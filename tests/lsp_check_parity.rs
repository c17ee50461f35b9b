//! The server reports exactly what `deployspec check` reports, over every fixture: same files,
//! findings, severities, messages and ranges. The CLI side is the binary's `--format json`
//! output (1-based lines, 1-based character columns); the test converts its columns to UTF-16
//! and UTF-8 itself, from the file's text, without the crate's position code, so neither the
//! server's converter nor the CLI's is trusted to check the other.

mod lsp_support;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::Command;

use lsp_support::{fixture_ws, Init, TestServer};
use serde_json::Value;

/// `(code, severity, message, [start line, start col, end line, end col])`, LSP-style: 0-based
/// lines, columns in the session's encoding.
type Item = (String, String, String, [u64; 4]);

fn fixture_files() -> Vec<PathBuf> {
    let (files, _) = deployspec::workspace::walk_markdown(&[fixture_ws()]);
    assert!(files.len() >= 5, "{files:?}");
    files
}

fn rel(f: &std::path::Path) -> String {
    f.strip_prefix(fixture_ws())
        .unwrap()
        .to_string_lossy()
        .replace('\\', "/")
}

fn severity_name(n: &Value) -> String {
    match n.as_u64() {
        Some(1) => "error",
        Some(2) => "warning",
        Some(3) => "information",
        Some(4) => "hint",
        _ => panic!("bad LSP severity {n}"),
    }
    .into()
}

fn server_items(encoding: &'static str, pull: bool) -> BTreeMap<String, Vec<Item>> {
    let mut s = TestServer::start(Init {
        encodings: vec![encoding],
        pull,
        root: Some(fixture_ws()),
        ..Init::default()
    });
    assert_eq!(s.init_result["capabilities"]["positionEncoding"], encoding);
    let mut out = BTreeMap::new();
    for f in fixture_files() {
        let u = s.open(&f, 1);
        let diags = if pull {
            s.pull(&u)
        } else {
            s.diagnostics(&u, 1)
        };
        let mut items: Vec<Item> = diags
            .iter()
            .map(|d| {
                let r = &d["range"];
                let n = |v: &Value| v.as_u64().unwrap();
                (
                    d["code"].as_str().unwrap().to_string(),
                    severity_name(&d["severity"]),
                    d["message"].as_str().unwrap().to_string(),
                    [
                        n(&r["start"]["line"]),
                        n(&r["start"]["character"]),
                        n(&r["end"]["line"]),
                        n(&r["end"]["character"]),
                    ],
                )
            })
            .collect();
        items.sort();
        out.insert(rel(&f), items);
    }
    assert!(s.shutdown().success());
    out
}

/// 1-based line and character column → 0-based line and column in `encoding`, counted here
/// from the text (lines end at `\n`; the fixtures hold no lone `\r`).
fn to_lsp(text: &str, line: u64, column: u64, encoding: &str) -> [u64; 2] {
    let l = text
        .split('\n')
        .nth(line as usize - 1)
        .unwrap_or_else(|| panic!("line {line} is past the end"));
    let before = l.chars().take(column as usize - 1);
    let col = match encoding {
        "utf-16" => before.map(|c| c.len_utf16()).sum::<usize>(),
        "utf-8" => before.map(|c| c.len_utf8()).sum::<usize>(),
        _ => unreachable!(),
    };
    [line - 1, col as u64]
}

fn cli_items(encoding: &str) -> BTreeMap<String, Vec<Item>> {
    let root = fixture_ws();
    let out = Command::new(env!("CARGO_BIN_EXE_deployspec"))
        .args(["check", "--format", "json", "docs/specs"])
        .current_dir(&root)
        .output()
        .expect("run deployspec check");
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "check failed ({:?}): {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    let json: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "check --format json gave no JSON array ({e}): {}",
            String::from_utf8_lossy(&out.stdout)
        )
    });
    let mut map: BTreeMap<String, Vec<Item>> = fixture_files()
        .iter()
        .map(|f| (rel(f), Vec::new()))
        .collect();
    for d in &json {
        let file = d["file"].as_str().unwrap().replace('\\', "/");
        let text = std::fs::read_to_string(root.join(&file)).unwrap();
        assert!(!text.replace("\r\n", "\n").contains('\r'));
        let pos = |p: &Value| {
            to_lsp(
                &text,
                p["line"].as_u64().unwrap(),
                p["column"].as_u64().unwrap(),
                encoding,
            )
        };
        let [sl, sc] = pos(&d["range"]["start"]);
        let [el, ec] = pos(&d["range"]["end"]);
        map.get_mut(&file)
            .unwrap_or_else(|| panic!("check reported {file}, which is no fixture"))
            .push((
                d["code"].as_str().unwrap().to_string(),
                d["severity"].as_str().unwrap().to_string(),
                d["message"].as_str().unwrap().to_string(),
                [sl, sc, el, ec],
            ));
    }
    for items in map.values_mut() {
        items.sort();
    }
    map
}

fn assert_same(server: BTreeMap<String, Vec<Item>>, cli: BTreeMap<String, Vec<Item>>) {
    // Not a vacuous comparison: the fixtures have findings, and columns beyond ASCII.
    let total: usize = cli.values().map(Vec::len).sum();
    assert!(total >= 10, "only {total} findings from check");
    assert_eq!(
        server.keys().collect::<Vec<_>>(),
        cli.keys().collect::<Vec<_>>()
    );
    for (file, want) in &cli {
        assert_eq!(&server[file], want, "{file}");
    }
}

#[test]
fn push_in_utf16_reports_what_check_reports() {
    assert_same(server_items("utf-16", false), cli_items("utf-16"));
}

#[test]
fn pull_in_utf8_reports_what_check_reports() {
    assert_same(server_items("utf-8", true), cli_items("utf-8"));
}

/// The conversion above is not a no-op on these fixtures: somewhere a finding starts after
/// a character that is wider than one UTF-16 unit or one byte, so a column mix-up would show.
#[test]
fn the_fixtures_exercise_wide_characters_before_a_finding() {
    let u16 = cli_items("utf-16");
    let u8 = cli_items("utf-8");
    let differs = u16
        .iter()
        .any(|(f, items)| items.iter().zip(&u8[f]).any(|(a, b)| a.3 != b.3));
    assert!(differs, "no finding sits after a non-ASCII character");
}
