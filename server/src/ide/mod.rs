//! Editor features over one analysed version of a document, in byte ranges and plain data:
//! code actions (`actions`, with the section scaffolds in `scaffold` and step renumbering in
//! `renumber`), inlay hints (`hints`), code lenses (`lens`). No protocol types: `lsp/features.rs`
//! converts. Every function takes a [`Snapshot`], so what it answers always matches the text its
//! ranges point into.

pub mod actions;
pub mod at;
pub mod completion;
pub mod definition;
pub mod folding;
pub mod hints;
pub mod hover;
pub mod lens;
pub mod links;
pub mod references;
pub mod rename;
pub mod renumber;
pub mod scaffold;
pub mod selection;
pub mod symbols;
pub mod workspace_symbols;

use std::ops::Range;
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use crate::analysis::model::SpecModel;
use crate::analysis::Analysis;
use crate::position::LineIndex;

/// One version of a document with the analysis of exactly that text.
#[derive(Debug)]
pub struct Snapshot {
    pub version: i32,
    pub text: Arc<str>,
    pub analysis: Analysis,
    /// Built on first use: most versions are never asked anything but diagnostics.
    lines: OnceLock<LineIndex>,
}

impl Snapshot {
    pub fn new(version: i32, text: Arc<str>, analysis: Analysis) -> Snapshot {
        Snapshot {
            version,
            text,
            analysis,
            lines: OnceLock::new(),
        }
    }

    pub fn lines(&self) -> &LineIndex {
        self.lines.get_or_init(|| LineIndex::new(&self.text))
    }

    pub fn model(&self) -> &SpecModel {
        &self.analysis.model
    }

    /// The document's line ending (that of its first line), used by every inserted line.
    pub fn eol(&self) -> &'static str {
        eol_of(&self.text)
    }
}

pub fn eol_of(text: &str) -> &'static str {
    match text.find('\n') {
        Some(i) if i > 0 && text.as_bytes()[i - 1] == b'\r' => "\r\n",
        _ => "\n",
    }
}

/// Replace `range` with `text`. When `snippet` is set the text is in LSP snippet syntax (`$1`,
/// `${1:5}`, with `$`, `}` and `\` escaped elsewhere).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Edit {
    pub range: Range<usize>,
    pub text: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ActionKind {
    QuickFix,
    /// `source.fixAll.deployspec`: only what is certain.
    FixAll,
}

/// A file an action creates, with its content.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewFile {
    pub path: PathBuf,
    pub text: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Action {
    pub title: String,
    pub kind: ActionKind,
    /// The finding (index into the snapshot's findings) this action fixes.
    pub finding: Option<usize>,
    /// Non-overlapping edits of this document, sorted by position.
    pub edits: Vec<Edit>,
    /// The edits' texts are snippets.
    pub snippet: bool,
    pub create: Option<NewFile>,
    pub preferred: bool,
}

/// What the client can apply, and where new specs go.
#[derive(Clone, Debug, Default)]
pub struct Env {
    /// Snippet text edits in workspace edits.
    pub snippets: bool,
    /// `CreateFile` resource operations.
    pub create_files: bool,
    /// The spec root, for the file a broken reference names.
    pub spec_root: Option<PathBuf>,
    /// The spec index's entries (for the folder of a prefix).
    pub index: Option<Arc<crate::index::SpecIndex>>,
}

/// Applies sorted, non-overlapping edits (plain text) to `text`.
pub fn apply(text: &str, edits: &[Edit]) -> String {
    let mut out =
        String::with_capacity(text.len() + edits.iter().map(|e| e.text.len()).sum::<usize>());
    let mut at = 0;
    for e in edits {
        out.push_str(&text[at..e.range.start]);
        out.push_str(&e.text);
        at = e.range.end;
    }
    out.push_str(&text[at..]);
    out
}

/// Offset of the start of the line holding `offset`.
pub fn line_start(text: &str, offset: usize) -> usize {
    text[..offset].rfind('\n').map_or(0, |i| i + 1)
}

/// Offset just after the line break ending the line holding `offset` (or the end of the text).
pub fn next_line(text: &str, offset: usize) -> usize {
    text[offset..]
        .find('\n')
        .map_or(text.len(), |i| offset + i + 1)
}

/// What a new line inserted next to the line holding `offset` must start with to stay in the
/// same container: the line's block-quote markers and indentation, with any list marker before
/// `offset` turned into spaces (a continuation line of that item).
pub fn continuation(text: &str, offset: usize) -> String {
    text[line_start(text, offset)..offset]
        .chars()
        .map(|c| if c == '>' || c == '\t' { c } else { ' ' })
        .collect()
}

/// Escapes text for a snippet (everything but the placeholders).
pub fn snippet_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '$' | '}' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Text with placeholders, rendered as a snippet or as plain text.
#[derive(Default)]
pub struct Template {
    parts: Vec<Part>,
}

enum Part {
    Text(String),
    /// A tab stop: its snippet default, and what plain text shows instead.
    Hole {
        snippet: String,
        plain: String,
    },
}

impl Template {
    pub fn text(&mut self, s: impl Into<String>) -> &mut Self {
        self.parts.push(Part::Text(s.into()));
        self
    }

    pub fn hole(&mut self, snippet: &str, plain: &str) -> &mut Self {
        self.parts.push(Part::Hole {
            snippet: snippet.into(),
            plain: plain.into(),
        });
        self
    }

    pub fn render(&self, snippet: bool) -> String {
        let mut out = String::new();
        let mut n = 0;
        for p in &self.parts {
            match (p, snippet) {
                (Part::Text(t), false) => out.push_str(t),
                (Part::Text(t), true) => out.push_str(&snippet_escape(t)),
                (Part::Hole { plain, .. }, false) => out.push_str(plain),
                (Part::Hole { snippet: d, .. }, true) => {
                    n += 1;
                    out.push_str(&format!("${{{n}:{}}}", snippet_escape(d)));
                }
            }
        }
        out
    }
}

#[cfg(test)]
pub(crate) mod test_support {
    //! Fixtures mark the cursor with `$0` and, in expected texts, nothing: the whole result is
    //! compared.
    use super::*;
    use crate::analysis::{analyze_text, Input};
    use crate::config::Config;
    use crate::index::SpecIndex;

    pub fn snapshot(text: &str) -> Snapshot {
        snapshot_at(text, "docs/specs/deployment-procedure/deploy-009-test.md")
    }

    pub fn snapshot_at(text: &str, path: &str) -> Snapshot {
        let config = Config::default();
        let index = SpecIndex::default();
        let analysis = analyze_text(&Input {
            text,
            path: Some(std::path::Path::new(path)),
            explicit: false,
            config: &config,
            index: &index,
        });
        Snapshot::new(1, Arc::from(text), analysis)
    }

    /// The text without its `$0` marker, and the marker's offset.
    /// An index entry with only an ID and a path (what links, definition and rename read).
    pub fn entry(id: &str, path: &str) -> crate::index::SpecEntry {
        crate::index::SpecEntry {
            id: id.into(),
            path: path.into(),
            display: path.into(),
            title: None,
            kind: None,
            owner: None,
            summary: None,
        }
    }

    pub fn cursor(marked: &str) -> (String, usize) {
        let at = marked.find("$0").expect("fixture has a $0 cursor");
        (marked.replacen("$0", "", 1), at)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_render_as_snippets_or_plain_text() {
        let mut t = Template::default();
        t.text("- Time: ~").hole("5", "?").text(" minutes $HOME}");
        assert_eq!(t.render(false), "- Time: ~? minutes $HOME}");
        assert_eq!(t.render(true), "- Time: ~${1:5} minutes \\$HOME\\}");
    }

    #[test]
    fn continuation_keeps_quotes_and_indentation() {
        let text = "> - **Step 1: Go**\n";
        assert_eq!(continuation(text, 4), ">   ");
        assert_eq!(continuation("  text", 2), "  ");
        assert_eq!(continuation("1. **Step 1**", 3), "   ");
    }

    #[test]
    fn line_endings() {
        assert_eq!(eol_of("a\r\nb"), "\r\n");
        assert_eq!(eol_of("a\nb\r\n"), "\n");
        assert_eq!(eol_of("no break"), "\n");
    }
}
