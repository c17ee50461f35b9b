//! `--format json`: an array of findings, 1-based lines and character columns.

use serde_json::json;

use super::FileReport;

pub fn render(files: &[FileReport]) -> String {
    let items: Vec<_> = files
        .iter()
        .flat_map(|file| {
            file.findings.iter().map(move |l| {
                json!({
                    "file": file.path,
                    "code": l.finding.rule.code(),
                    "severity": l.finding.severity.as_str(),
                    "message": l.finding.message,
                    "range": {
                        "start": {"line": l.start.0, "column": l.start.1},
                        "end": {"line": l.end.0, "column": l.end.1},
                    }
                })
            })
        })
        .collect();
    let mut s = serde_json::to_string_pretty(&items).unwrap_or_else(|_| "[]".into());
    s.push('\n');
    s
}
