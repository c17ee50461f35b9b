//! Protocol conversions: findings (byte ranges) → LSP diagnostics, encodings, URIs. Every
//! offset ↔ position conversion goes through `crate::position`.

use std::path::PathBuf;

use tower_lsp_server::ls_types::{
    Diagnostic, DiagnosticSeverity, NumberOrString, Position, PositionEncodingKind, Range, Uri,
};

use crate::diagnostic::{Finding, Severity};
use crate::position::{self, Encoding, LineIndex};

pub const SOURCE: &str = "deployspec";

/// The encoding to use given what the client offers: UTF-8 when offered, else UTF-16 (which
/// every client must support).
pub fn negotiate(offered: Option<&[PositionEncodingKind]>) -> Encoding {
    match offered {
        Some(kinds) if kinds.contains(&PositionEncodingKind::UTF8) => Encoding::Utf8,
        _ => Encoding::Utf16,
    }
}

pub fn encoding_kind(enc: Encoding) -> PositionEncodingKind {
    match enc {
        Encoding::Utf8 => PositionEncodingKind::UTF8,
        _ => PositionEncodingKind::UTF16,
    }
}

pub fn severity(s: Severity) -> DiagnosticSeverity {
    match s {
        Severity::Error => DiagnosticSeverity::ERROR,
        Severity::Warning => DiagnosticSeverity::WARNING,
        Severity::Information => DiagnosticSeverity::INFORMATION,
        Severity::Hint => DiagnosticSeverity::HINT,
    }
}

/// Diagnostics of `findings`, whose ranges are byte offsets into `text`.
pub fn diagnostics(text: &str, findings: &[Finding], enc: Encoding) -> Vec<Diagnostic> {
    if findings.is_empty() {
        return Vec::new();
    }
    // One sweep over the text for all positions: no line table of the whole document.
    let offsets: Vec<usize> = findings
        .iter()
        .flat_map(|f| [f.range.start, f.range.end.max(f.range.start)])
        .collect();
    let pos = position::positions(text, &offsets, enc);
    findings
        .iter()
        .zip(pos.chunks_exact(2))
        .map(|(f, p)| Diagnostic {
            range: Range {
                start: Position::new(p[0].line, p[0].col),
                end: Position::new(p[1].line, p[1].col),
            },
            severity: Some(severity(f.severity)),
            code: Some(NumberOrString::String(f.rule.code().to_string())),
            code_description: None,
            source: Some(SOURCE.to_string()),
            message: f.message.clone(),
            related_information: None,
            tags: None,
            data: None,
        })
        .collect()
}

/// A range already in line/column form (the occurrence index's).
pub fn lsp_range(start: crate::position::LineCol, end: crate::position::LineCol) -> Range {
    Range {
        start: Position::new(start.line, start.col),
        end: Position::new(end.line, end.col),
    }
}

pub fn range(lines: &LineIndex, text: &str, r: std::ops::Range<usize>, enc: Encoding) -> Range {
    let s = lines.position(text, r.start, enc);
    let e = lines.position(text, r.end.max(r.start), enc);
    Range {
        start: Position::new(s.line, s.col),
        end: Position::new(e.line, e.col),
    }
}

pub fn uri_to_path(uri: &Uri) -> Option<PathBuf> {
    if uri.scheme().as_str() != "file" {
        return None;
    }
    uri.to_file_path().map(|p| p.into_owned())
}

pub fn path_to_uri(path: &std::path::Path) -> Option<Uri> {
    Uri::from_file_path(path)
}

/// The one diagnostic of a document whose check tripped a bug (a caught panic).
pub fn internal_error(msg: &str) -> Diagnostic {
    Diagnostic {
        range: Default::default(),
        severity: Some(DiagnosticSeverity::ERROR),
        source: Some(SOURCE.into()),
        message: format!(
            "internal error while checking this document: {msg} (a bug in deployspec: please report it with this file; other documents are checked as usual)"
        ),
        ..Default::default()
    }
}
