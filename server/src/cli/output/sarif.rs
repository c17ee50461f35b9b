//! `--format sarif`: SARIF 2.1.0 for code scanning.

use serde_json::json;

use super::FileReport;
use crate::diagnostic::Severity;
use crate::rules::Rule;

/// The log around its results: the text up to the results array, the indentation of the
/// line holding it, and the text after it. The results are streamed in between.
pub fn frame() -> (String, String, String) {
    let rules: Vec<_> = Rule::ALL
        .iter()
        .map(|r| {
            let i = r.info();
            json!({
                "id": i.code,
                "name": i.name,
                "shortDescription": {"text": i.summary},
                "fullDescription": {"text": i.explanation},
                "defaultConfiguration": {"level": level(i.default)},
            })
        })
        .collect();
    let log = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "deployspec",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            }},
            "columnKind": "unicodeCodePoints",
            "results": [],
        }]
    });
    let mut s = serde_json::to_string_pretty(&log).unwrap_or_default();
    s.push('\n');
    // Keys are serialised in order and a string's quotes are escaped, so this occurs once.
    const EMPTY: &str = "\"results\": []";
    let at = s.find(EMPTY).unwrap_or(s.len());
    let line_start = s[..at].rfind('\n').map_or(0, |i| i + 1);
    let indent = s[line_start..at].to_string();
    let tail = s.get(at + EMPTY.len()..).unwrap_or_default().to_string();
    s.truncate((at + EMPTY.len()).saturating_sub(2).min(s.len()));
    (s, indent, tail)
}

/// `file`'s results, as items of the results array (joined, without the brackets).
pub fn items(file: &FileReport) -> String {
    static DEPTH: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    let depth = *DEPTH.get_or_init(|| frame().1.len() + 2);
    super::array_items(
        file.findings.iter().map(|l| {
            let rule_index = Rule::ALL.iter().position(|r| *r == l.finding.rule);
            json!({
                "ruleId": l.finding.rule.code(),
                "ruleIndex": rule_index,
                "level": level(l.finding.severity),
                "message": {"text": l.finding.message},
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": {"uri": file.path.replace('\\', "/")},
                        "region": {
                            "startLine": l.start.0,
                            "startColumn": l.start.1,
                            "endLine": l.end.0,
                            "endColumn": l.end.1,
                        }
                    }
                }]
            })
        }),
        depth,
    )
}

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Information | Severity::Hint => "note",
    }
}
