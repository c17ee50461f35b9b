//! `--format gitlab`: GitLab Code Quality report.

use std::hash::Hasher;

use serde_json::json;

use super::FileReport;
use crate::diagnostic::Severity;

pub fn render(files: &[FileReport]) -> String {
    let items: Vec<_> = files
        .iter()
        .flat_map(|file| {
            file.findings.iter().map(move |l| {
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
            })
        })
        .collect();
    let mut s = serde_json::to_string_pretty(&items).unwrap_or_else(|_| "[]".into());
    s.push('\n');
    s
}
