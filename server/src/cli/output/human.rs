//! rustc/ruff-style output: the finding, its place, the source line and a caret under the range.

use std::fmt::Write;

use unicode_width::UnicodeWidthStr;

use super::FileReport;

/// One file's findings, each with its place, source line and carets.
pub fn file(file: &FileReport) -> String {
    let mut out = String::new();
    {
        for l in &file.findings {
            let f = l.finding;
            let (line, col) = l.start;
            let gutter = line.to_string().len();
            let pad = " ".repeat(gutter);
            let _ = writeln!(
                out,
                "{}[{}]: {}",
                f.severity.as_str(),
                f.rule.code(),
                f.message
            );
            let _ = writeln!(out, "{pad}--> {}:{line}:{col}", file.path);
            let src = file.line_text(line);
            let _ = writeln!(out, "{pad} |");
            let _ = writeln!(out, "{line} | {}", src.replace('\t', "    "));
            // Carets measured in display columns, so CJK and emoji line up in a terminal.
            let before: String = src.chars().take(col - 1).collect();
            let end_col = if l.end.0 == line {
                l.end.1
            } else {
                src.chars().count() + 1
            };
            let marked: String = src
                .chars()
                .skip(col - 1)
                .take(end_col.saturating_sub(col))
                .collect();
            let indent = before.replace('\t', "    ").width();
            let width = marked.replace('\t', "    ").width().max(1);
            let _ = writeln!(
                out,
                "{pad} | {}{} {}",
                " ".repeat(indent),
                "^".repeat(width),
                f.rule.name()
            );
            let _ = writeln!(out);
        }
    }
    out
}

/// `Found 2 errors, 3 warnings in 1 of 4 files.` / `No findings in 4 files.`, from the counts
/// per severity (errors, warnings, others), the files with findings and all files.
pub fn summary((e, w, i): (usize, usize, usize), with: usize, n: usize) -> String {
    let noun = |k: usize, s: &str| format!("{k} {s}{}", if k == 1 { "" } else { "s" });
    if e + w + i == 0 {
        return format!("No findings in {}.", noun(n, "file"));
    }
    let mut parts = Vec::new();
    if e > 0 {
        parts.push(noun(e, "error"));
    }
    if w > 0 {
        parts.push(noun(w, "warning"));
    }
    if i > 0 {
        parts.push(noun(i, "note"));
    }
    format!(
        "Found {} in {with} of {}.",
        parts.join(", "),
        noun(n, "file")
    )
}
