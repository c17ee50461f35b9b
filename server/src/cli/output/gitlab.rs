//! `--format gitlab`: GitLab Code Quality report.

use std::hash::Hasher;

use serde_json::json;

use super::FileReport;
use crate::diagnostic::Severity;

/// `file`'s findings as Code Quality array items (joined, without the brackets).
pub fn items(file: &FileReport) -> String {
    super::array_items(
        file.findings.iter().map(|l| {
            let f = l.finding;
            // Stable across runs so GitLab can tell new findings from old ones.
            let mut h = rustc_hash::FxHasher::default();
            h.write(file.path.as_bytes());
            h.write(f.rule.code().as_bytes());
            h.write(f.message.as_bytes());
            h.write(file.line_text(l.start.0).trim().as_bytes());
            json!({
                "description": f.message,
                "check_name": f.rule.code(),
                "fingerprint": format!("{:016x}", h.finish()),
                "severity": match f.severity {
                    Severity::Error => "major",
                    Severity::Warning => "minor",
                    _ => "info",
                },
                "location": {"path": file.path, "lines": {"begin": l.start.0, "end": l.end.0}},
            })
        }),
        2,
    )
}
