//! `--format json`: an array of findings, 1-based lines and character columns.

use serde_json::json;

use super::FileReport;

/// `file`'s findings as array items (joined, without the brackets).
pub fn items(file: &FileReport) -> String {
    super::array_items(
        file.findings.iter().map(|l| {
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
        }),
        2,
    )
}
