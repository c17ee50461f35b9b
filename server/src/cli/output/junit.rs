//! `--format junit`: one test case per file; every finding of error severity fails it, the
//! others are listed in its output.

use std::fmt::Write;

use super::FileReport;
use crate::diagnostic::Severity;

/// The lines before the test cases, with the totals.
pub fn header(tests: usize, failures: usize) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"deployspec\" tests=\"{tests}\" failures=\"{failures}\">"
    );
    let _ = writeln!(
        out,
        "  <testsuite name=\"deployspec check\" tests=\"{tests}\" failures=\"{failures}\">"
    );
    out
}

pub const FOOTER: &str = "  </testsuite>\n</testsuites>\n";

/// One file's test case.
pub fn testcase(file: &FileReport) -> String {
    let mut out = String::new();
    let _ = write!(
        out,
        "    <testcase classname=\"deployspec\" name=\"{}\"",
        esc(&file.path)
    );
    if file.findings.is_empty() {
        out.push_str("/>\n");
        return out;
    }
    out.push_str(">\n");
    let lines: Vec<String> = file
        .findings
        .iter()
        .map(|l| {
            format!(
                "{}:{}:{}: {}[{}] {}",
                file.path,
                l.start.0,
                l.start.1,
                l.finding.severity.as_str(),
                l.finding.rule.code(),
                l.finding.message
            )
        })
        .collect();
    let errors: Vec<&String> = file
        .findings
        .iter()
        .zip(&lines)
        .filter(|(l, _)| l.finding.severity == Severity::Error)
        .map(|(_, s)| s)
        .collect();
    if let Some(first) = errors.first() {
        let body: Vec<&str> = errors.iter().map(|s| s.as_str()).collect();
        let _ = writeln!(
            out,
            "      <failure message=\"{}\" type=\"deployspec\">{}</failure>",
            esc(first),
            esc(&body.join("\n"))
        );
    }
    let _ = writeln!(
        out,
        "      <system-out>{}</system-out>",
        esc(&lines.join("\n"))
    );
    out.push_str("    </testcase>\n");
    out
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
