//! `--format sarif`: SARIF 2.1.0 for code scanning.

use serde_json::json;

use super::FileReport;
use crate::diagnostic::Severity;
use crate::rules::Rule;

pub fn render(files: &[FileReport]) -> String {
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
    let results: Vec<_> = files
        .iter()
        .flat_map(|file| {
            file.findings.iter().map(move |l| {
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
            "results": results,
        }]
    });
    let mut s = serde_json::to_string_pretty(&log).unwrap_or_default();
    s.push('\n');
    s
}

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Information | Severity::Hint => "note",
    }
}
