//! Output formats of `deployspec check`. Each takes the same [`Report`] and writes text.

use crate::diagnostic::{Finding, Severity};
use crate::position::{Encoding, LineIndex};

mod github;
mod gitlab;
mod human;
mod json;
mod junit;
mod sarif;

pub use human::summary_line;

/// A finding located in lines and columns (1-based; columns in characters).
pub struct Located<'a> {
    pub finding: &'a Finding,
    pub start: (usize, usize),
    pub end: (usize, usize),
}

/// One checked file.
pub struct FileReport<'a> {
    /// The path as shown (relative to the working directory where possible).
    pub path: String,
    pub text: &'a str,
    pub lines: LineIndex,
    pub findings: Vec<Located<'a>>,
}

impl<'a> FileReport<'a> {
    pub fn new(path: String, text: &'a str, findings: &'a [Finding]) -> Self {
        let lines = LineIndex::new(text);
        let loc = |o: usize| {
            let p = lines.position(text, o, Encoding::Char);
            (p.line as usize + 1, p.col as usize + 1)
        };
        let findings = findings
            .iter()
            .map(|f| Located {
                finding: f,
                start: loc(f.range.start),
                end: loc(f.range.end),
            })
            .collect();
        FileReport {
            path,
            text,
            lines,
            findings,
        }
    }

    /// The text of a 1-based line, without its terminator.
    pub fn line_text(&self, line: usize) -> &str {
        &self.text[self.lines.line_content(self.text, line - 1)]
    }
}

pub fn render(format: super::Format, files: &[FileReport]) -> String {
    match format {
        super::Format::Human => human::render(files),
        super::Format::Json => json::render(files),
        super::Format::Sarif => sarif::render(files),
        super::Format::Github => github::render(files),
        super::Format::Gitlab => gitlab::render(files),
        super::Format::Junit => junit::render(files),
    }
}

/// Counts per severity: (errors, warnings, others).
pub fn counts(files: &[FileReport]) -> (usize, usize, usize) {
    let mut c = (0, 0, 0);
    for f in files.iter().flat_map(|f| &f.findings) {
        match f.finding.severity {
            Severity::Error => c.0 += 1,
            Severity::Warning => c.1 += 1,
            _ => c.2 += 1,
        }
    }
    c
}
