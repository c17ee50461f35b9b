//! `--format github`: GitHub Actions workflow commands, one annotation per finding.

use std::fmt::Write;

use super::FileReport;
use crate::diagnostic::Severity;

/// One annotation per finding of `file`.
pub fn file(file: &FileReport) -> String {
    let mut out = String::new();
    {
        for l in &file.findings {
            let f = l.finding;
            let kind = match f.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
                _ => "notice",
            };
            let _ = writeln!(
                out,
                "::{kind} file={},line={},col={},endLine={},endColumn={},title={}::{}",
                property(&file.path),
                l.start.0,
                l.start.1,
                l.end.0,
                l.end.1,
                property(&format!("{} {}", f.rule.code(), f.rule.name())),
                data(&f.message)
            );
        }
    }
    out
}

fn data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn property(s: &str) -> String {
    data(s).replace(':', "%3A").replace(',', "%2C")
}
