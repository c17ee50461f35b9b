//! Output formats of `deployspec check`. Each takes the same [`Report`] and writes text.

use crate::diagnostic::{Finding, Severity};
use crate::position::{Encoding, LineIndex};

mod github;
mod gitlab;
mod human;
mod json;
mod junit;
mod sarif;

pub use junit::{header as junit_header, FOOTER as JUNIT_FOOTER};
pub use sarif::frame as sarif_frame;

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

/// One file's part of the output, rendered on its own (so files can be rendered in parallel
/// and dropped at once) and written in order by [`Stream`].
pub struct Piece {
    text: String,
    /// Findings per severity: (errors, warnings, others).
    counts: (usize, usize, usize),
}

impl Piece {
    pub fn new(format: super::Format, file: &FileReport) -> Piece {
        let text = match format {
            super::Format::Human => human::file(file),
            super::Format::Json => json::items(file),
            super::Format::Sarif => sarif::items(file),
            super::Format::Github => github::file(file),
            super::Format::Gitlab => gitlab::items(file),
            super::Format::Junit => junit::testcase(file),
        };
        Piece {
            text,
            counts: counts(std::slice::from_ref(file)),
        }
    }

    pub fn has_errors(&self) -> bool {
        self.counts.0 > 0
    }
}

/// Writes a format's output file by file: the parts that come before the files at once, each
/// file's [`Piece`] as it comes, the totals at the end. Only JUnit, whose header holds the
/// totals, keeps its pieces (rendered text, not analyses) until [`Stream::finish`].
pub struct Stream<W: std::io::Write> {
    format: super::Format,
    out: W,
    /// Human output in a terminal: colours per line.
    color: bool,
    files: usize,
    with_findings: usize,
    counts: (usize, usize, usize),
    /// JSON-array formats: whether an item was written (the separator and the closing form
    /// depend on it).
    items: bool,
    /// SARIF: what follows the results array, and the indentation of its closing bracket.
    sarif_tail: (String, String),
    junit: Vec<String>,
    /// JUnit: test cases with a finding of error severity.
    failed: usize,
}

impl<W: std::io::Write> Stream<W> {
    pub fn new(format: super::Format, mut out: W, color: bool) -> std::io::Result<Self> {
        let mut sarif_tail = Default::default();
        if format == super::Format::Sarif {
            let (head, indent, tail) = sarif::frame();
            out.write_all(head.as_bytes())?;
            sarif_tail = (indent, tail);
        }
        Ok(Stream {
            format,
            out,
            color,
            files: 0,
            with_findings: 0,
            counts: (0, 0, 0),
            items: false,
            sarif_tail,
            junit: Vec::new(),
            failed: 0,
        })
    }

    pub fn push(&mut self, piece: Piece) -> std::io::Result<()> {
        self.files += 1;
        let (e, w, i) = piece.counts;
        self.counts = (self.counts.0 + e, self.counts.1 + w, self.counts.2 + i);
        if e + w + i > 0 {
            self.with_findings += 1;
        }
        match self.format {
            super::Format::Human if self.color => {
                self.out.write_all(colorize(&piece.text).as_bytes())
            }
            super::Format::Human | super::Format::Github => {
                self.out.write_all(piece.text.as_bytes())
            }
            super::Format::Json | super::Format::Gitlab | super::Format::Sarif => {
                if piece.text.is_empty() {
                    return Ok(());
                }
                // serde_json's pretty layout of an array: `[`, items separated by `,` and a
                // newline, each indented one level, `]` on its own line.
                let sep = if self.items { ",\n" } else { "[\n" };
                self.items = true;
                self.out.write_all(sep.as_bytes())?;
                self.out.write_all(piece.text.as_bytes())
            }
            super::Format::Junit => {
                self.failed += usize::from(e > 0);
                self.junit.push(piece.text);
                Ok(())
            }
        }
    }

    /// Writes what follows the files and returns the writer.
    pub fn finish(mut self) -> std::io::Result<W> {
        let close = |items: bool, indent: &str| {
            if items {
                format!("\n{indent}]")
            } else {
                "[]".to_string()
            }
        };
        match self.format {
            super::Format::Human => {
                let summary = human::summary(self.counts, self.with_findings, self.files);
                writeln!(self.out, "{summary}")?;
            }
            super::Format::Github => {}
            super::Format::Json | super::Format::Gitlab => {
                writeln!(self.out, "{}", close(self.items, ""))?;
            }
            super::Format::Sarif => {
                let (indent, tail) = &self.sarif_tail;
                write!(self.out, "{}{tail}", close(self.items, indent))?;
            }
            super::Format::Junit => {
                self.out
                    .write_all(junit::header(self.files, self.failed).as_bytes())?;
                for t in &self.junit {
                    self.out.write_all(t.as_bytes())?;
                }
                self.out.write_all(junit::FOOTER.as_bytes())?;
            }
        }
        self.out.flush()?;
        Ok(self.out)
    }
}

/// The whole output for `files` at once (what [`Stream`] writes piece by piece).
pub fn render(format: super::Format, files: &[FileReport]) -> String {
    let render = || -> std::io::Result<Vec<u8>> {
        let mut s = Stream::new(format, Vec::new(), false)?;
        for f in files {
            s.push(Piece::new(format, f))?;
        }
        s.finish()
    };
    // Writing to a Vec cannot fail, and every piece is valid UTF-8.
    String::from_utf8(render().unwrap_or_default()).unwrap_or_default()
}

/// Indents every line of `text` by `by` spaces: an item pretty-printed alone, placed inside
/// an array as serde_json's pretty printer would place it.
pub(crate) fn indent(text: &str, by: usize) -> String {
    let pad = " ".repeat(by);
    let mut out = String::with_capacity(text.len() + 16 * by);
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(&pad);
        out.push_str(line);
    }
    out
}

/// Pretty-prints `items` as array elements `by` spaces deep, separated as in an array.
pub(crate) fn array_items(items: impl Iterator<Item = serde_json::Value>, by: usize) -> String {
    let items: Vec<String> = items
        .map(|v| indent(&serde_json::to_string_pretty(&v).unwrap_or_default(), by))
        .collect();
    items.join(",\n")
}

/// Colours for human output in a terminal, line by line.
fn colorize(s: &str) -> String {
    if std::env::var_os("NO_COLOR").is_some() {
        return s.to_string();
    }
    s.lines()
        .map(|l| {
            for (prefix, color) in [
                ("error[", "\x1b[1;31m"),
                ("warning[", "\x1b[1;33m"),
                ("information[", "\x1b[1;36m"),
                ("hint[", "\x1b[1;36m"),
            ] {
                if let Some(rest) = l.strip_prefix(prefix) {
                    let (label, msg) = rest.split_once("]:").unwrap_or((rest, ""));
                    return format!("{color}{prefix}{label}]\x1b[0m\x1b[1m:{msg}\x1b[0m\n");
                }
            }
            if l.trim_start().starts_with('|') || l.trim_start().starts_with("-->") {
                return format!("\x1b[34m{l}\x1b[0m\n");
            }
            format!("{l}\n")
        })
        .collect()
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
