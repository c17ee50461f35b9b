//! tree-sitter-md → syntax facts: flat, position-only records of the blocks and inline spans of
//! one region, found through the query files in `queries/`.
//!
//! Facts hold byte ranges relative to the text that was parsed and nothing else, so the facts of a
//! region can be cached by its content and shifted to wherever the region sits now.

use std::cell::RefCell;
use std::ops::Range;
use std::sync::OnceLock;

use tree_sitter::{Query, QueryCursor, StreamingIterator};
use tree_sitter_md::{MarkdownParser, INLINE_LANGUAGE, LANGUAGE};

use super::prose::{self, Prose};

pub const BLOCK_QUERY_SOURCE: &str = include_str!("../../../queries/blocks.scm");
pub const INLINE_QUERY_SOURCE: &str = include_str!("../../../queries/inline.scm");

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BlockKind {
    FrontMatter,
    Heading {
        level: u8,
    },
    /// A task list item (`- [ ]`, `- [x]`); `depth` counts the list items around it. Plain list
    /// items are not facts: nothing reads them.
    Task {
        checked: bool,
        depth: u16,
    },
    /// A list item outside every other list item that may be a step: an ordered item (`1.`,
    /// `1)`), or a bullet item whose text starts with the word "Step". `content` is the range of
    /// its marker (`12.`, `-`), without the space after it. Other plain list items are not
    /// facts: they are the most numerous blocks and nothing reads them.
    Item {
        ordered: bool,
    },
    Paragraph,
    Code,
    Html,
    LinkDefinition,
    TableCell,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Block {
    pub kind: BlockKind,
    pub range: Range<usize>,
    /// The inline text (headings, paragraphs, table cells); elsewhere an empty range at the
    /// block's start. For a task item, the range of its marker (`[ ]`).
    pub content: Range<usize>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SpanKind {
    Code,
    Strong,
    Strike,
    /// Link text or label, without brackets.
    Link,
    /// Not prose: a link destination, an autolink, inline HTML (an HTML comment too).
    Raw,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Span {
    pub kind: SpanKind,
    pub range: Range<usize>,
}

/// Everything the model needs from one parse, sorted by start offset.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Facts {
    pub blocks: Vec<Block>,
    pub spans: Vec<Span>,
    pub prose: Prose,
}

/// Entry counts of a [`Facts`], list by list.
pub type Sizes = [usize; 7];

impl Facts {
    /// How many entries each list holds.
    pub fn sizes(&self) -> Sizes {
        let p = &self.prose;
        [
            self.blocks.len(),
            self.spans.len(),
            p.labels.len(),
            p.refs.len(),
            p.placeholders.len(),
            p.mentions.len(),
            p.rollback_words.len(),
        ]
    }

    /// Empty facts with room for `sizes` entries (and a few more).
    pub fn with_capacity(sizes: Sizes) -> Facts {
        let n = |i: usize| sizes[i] + 16;
        Facts {
            blocks: Vec::with_capacity(n(0)),
            spans: Vec::with_capacity(n(1)),
            prose: Prose {
                labels: Vec::with_capacity(n(2)),
                refs: Vec::with_capacity(n(3)),
                placeholders: Vec::with_capacity(n(4)),
                mentions: Vec::with_capacity(n(5)),
                rollback_words: Vec::with_capacity(n(6)),
            },
        }
    }

    /// Appends `other`, whose ranges are relative to `offset`.
    pub fn extend_shifted(&mut self, other: &Facts, offset: usize) {
        let shift = |r: &Range<usize>| r.start + offset..r.end + offset;
        self.blocks.extend(other.blocks.iter().map(|b| Block {
            kind: b.kind,
            range: shift(&b.range),
            content: shift(&b.content),
        }));
        self.spans.extend(other.spans.iter().map(|s| Span {
            kind: s.kind,
            range: shift(&s.range),
        }));
        self.prose.extend_shifted(&other.prose, offset);
    }
}

struct Queries {
    block: Query,
    inline: Query,
}

fn queries() -> &'static Queries {
    static Q: OnceLock<Queries> = OnceLock::new();
    Q.get_or_init(|| Queries {
        block: Query::new(&LANGUAGE.into(), BLOCK_QUERY_SOURCE)
            .expect("queries/blocks.scm compiles (tested)"),
        inline: Query::new(&INLINE_LANGUAGE.into(), INLINE_QUERY_SOURCE)
            .expect("queries/inline.scm compiles (tested)"),
    })
}

thread_local! {
    // A parser is Send but not Sync and holds scanner state: one per thread, never shared.
    static PARSER: RefCell<MarkdownParser> = RefCell::new(MarkdownParser::default());
}

/// Parses `text` as a standalone Markdown document and extracts its facts.
pub fn parse(text: &str) -> Facts {
    parse_checked(text).0
}

/// [`parse`], and whether the block tree holds a syntax error. tree-sitter-md's error recovery
/// is not local (a malformed table can swallow the blocks after it), so the facts of a region
/// with an error may differ from the same text inside the whole document.
pub fn parse_checked(text: &str) -> (Facts, bool) {
    let tree = PARSER.with(|p| p.borrow_mut().parse(text.as_bytes(), None));
    let Some(tree) = tree else {
        return (Facts::default(), false);
    };
    let has_error = tree.block_tree().root_node().has_error();
    let q = queries();
    let src = text.as_bytes();
    let mut facts = Facts::default();
    let mut cursor = QueryCursor::new();
    let names = q.block.capture_names();
    let mut matches = cursor.matches(&q.block, tree.block_tree().root_node(), src);
    let mut inline_nodes = Vec::new();
    while let Some(m) = matches.next() {
        let mut kind = None;
        let mut range = 0..0;
        let mut content = None;
        let mut task = None;
        let mut item = None;
        for cap in m.captures() {
            let node = cap.node;
            match names[cap.index as usize] {
                "front_matter" => {
                    kind = Some(BlockKind::FrontMatter);
                    range = node.byte_range();
                }
                "heading.atx" => {
                    let level = node
                        .child(0)
                        .map(|c| c.kind().as_bytes().get(5).map_or(1, |d| d - b'0'))
                        .unwrap_or(1);
                    kind = Some(BlockKind::Heading { level });
                    range = node.byte_range();
                }
                "heading.setext" => {
                    let h2 = (0..node.child_count())
                        .filter_map(|i| node.child(i))
                        .any(|c| c.kind() == "setext_h2_underline");
                    kind = Some(BlockKind::Heading {
                        level: if h2 { 2 } else { 1 },
                    });
                    range = node.byte_range();
                }
                "heading.text" | "paragraph.text" => {
                    content = Some(node.byte_range());
                    inline_nodes.push(node);
                }
                "paragraph" => {
                    if node.parent().is_some_and(|p| p.kind() == "setext_heading") {
                        kind = None;
                        break;
                    }
                    kind = Some(BlockKind::Paragraph);
                    range = node.byte_range();
                }
                "item" => {
                    let mut depth = 0;
                    let mut p = node.parent();
                    while let Some(n) = p {
                        if n.kind() == "list_item" {
                            depth += 1;
                        }
                        p = n.parent();
                    }
                    kind = Some(BlockKind::Task {
                        checked: false,
                        depth,
                    });
                    range = node.byte_range();
                    if depth == 0 {
                        item = step_item(node, src);
                    }
                }
                "item.checked" | "item.unchecked" => {
                    task = Some(names[cap.index as usize] == "item.checked");
                    content = Some(node.byte_range());
                }
                "code" => {
                    kind = Some(BlockKind::Code);
                    range = node.byte_range();
                }
                "html" => {
                    kind = Some(BlockKind::Html);
                    range = node.byte_range();
                }
                "link_definition" => {
                    kind = Some(BlockKind::LinkDefinition);
                    range = node.byte_range();
                }
                "table_cell" => {
                    kind = Some(BlockKind::TableCell);
                    range = node.byte_range();
                    content = Some(node.byte_range());
                    inline_nodes.push(node);
                }
                _ => {}
            }
        }
        if let Some(mut kind) = kind {
            if let BlockKind::Task { depth, .. } = kind {
                // Plain list items are the most numerous blocks and nothing reads them. (The
                // marker capture may come after the item capture.)
                match (task, item.take()) {
                    (Some(checked), _) => kind = BlockKind::Task { checked, depth },
                    (None, Some((ordered, marker))) => {
                        kind = BlockKind::Item { ordered };
                        content = Some(marker);
                    }
                    (None, None) => continue,
                }
            }
            // No content: an empty range at the block's start, not `0..0`, so that it stays
            // inside the block when a region's facts are shifted to their place in the document.
            let content = content.unwrap_or(range.start..range.start);
            facts.blocks.push(Block {
                kind,
                range,
                content,
            });
        }
    }
    let inline_names = q.inline.capture_names();
    for node in inline_nodes {
        let Some(inline_tree) = tree.inline_tree(&node) else {
            continue;
        };
        let mut c = QueryCursor::new();
        let mut it = c.captures(&q.inline, inline_tree.root_node(), src);
        while let Some((m, i)) = it.next() {
            let cap = m.captures()[*i];
            let kind = match inline_names[cap.index as usize] {
                "code" => SpanKind::Code,
                "strong" => SpanKind::Strong,
                "strike" => SpanKind::Strike,
                "link" => SpanKind::Link,
                "raw" => SpanKind::Raw,
                _ => continue,
            };
            let mut range = cap.node.byte_range();
            if kind == SpanKind::Link && text[range.clone()].starts_with('[') {
                range = range.start + 1..range.end.saturating_sub(1).max(range.start + 1);
            }
            facts.spans.push(Span { kind, range });
        }
    }
    facts
        .blocks
        .sort_by(|a, b| (a.range.start, b.range.end).cmp(&(b.range.start, a.range.end)));
    facts.spans.sort_by_key(|s| (s.range.start, s.range.end));
    facts.spans.dedup();
    facts.prose = prose::extract(text, &facts);
    (facts, has_error)
}

/// For a top-level list item that may be a step, whether it is ordered and its marker's range
/// (trailing spaces left out). The marker kind comes from the parser; only the first word of the
/// item's own paragraph is read, to keep bullet items out unless they say "Step".
fn step_item(node: tree_sitter::Node, src: &[u8]) -> Option<(bool, Range<usize>)> {
    let marker = node.child(0)?;
    let ordered = match marker.kind() {
        "list_marker_dot" | "list_marker_parenthesis" => true,
        "list_marker_minus" | "list_marker_plus" | "list_marker_star" => false,
        _ => return None,
    };
    let r = marker.byte_range();
    let written = &src[r.clone()];
    let start = r.start + (written.len() - written.trim_ascii_start().len());
    let end = r.start + written.trim_ascii_end().len();
    if !ordered {
        let para = node.child(1).filter(|c| c.kind() == "paragraph")?;
        let first = src.get(para.start_byte()..para.end_byte().min(para.start_byte() + 5))?;
        if !first.eq_ignore_ascii_case(b"step ") {
            return None;
        }
    }
    Some((ordered, start..end.max(start)))
}

/// True if the parse of `text` ends inside a fenced code block that never closed: a region
/// boundary there would cut the block in two.
pub fn ends_in_open_fence(facts: &Facts, text: &str) -> bool {
    facts
        .blocks
        .iter()
        .rev()
        .find(|b| b.kind == BlockKind::Code)
        .is_some_and(|b| {
            b.range.end == text.len() && {
                let t = text[b.range.clone()].trim_start();
                (t.starts_with("```") || t.starts_with("~~~")) && !closes_fence(t)
            }
        })
}

fn closes_fence(block: &str) -> bool {
    let ch = block.as_bytes()[0];
    let open = block.bytes().take_while(|&b| b == ch).count();
    // Lines end at `\n`, `\r\n` or a lone `\r`, as in the parser.
    let mut lines = super::regions::lines(block).map(|(l, _)| l);
    lines.next();
    lines.any(|l| {
        let t = l.trim_start();
        let n = t.bytes().take_while(|&b| b == ch).count();
        n >= open && t[n..].trim().is_empty() && l.len() - t.len() <= 3
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_query_file_compiles() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/queries");
        let mut n = 0;
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let src = std::fs::read_to_string(&path).unwrap();
            let name = path.file_name().unwrap().to_string_lossy().to_string();
            let lang = if name.starts_with("inline") {
                INLINE_LANGUAGE
            } else {
                LANGUAGE
            };
            Query::new(&lang.into(), &src).unwrap_or_else(|e| panic!("{name}: {e}"));
            n += 1;
        }
        assert!(n >= 2);
    }

    #[test]
    fn finds_blocks_and_spans() {
        let text = "# T\n\n- [ ] a `[CMP-1]`\n  - [x] b\n\n**Step 1: x** [DES-001]\n\n```\nTime: 1m\n```\n";
        let f = parse(text);
        let kinds: Vec<_> = f.blocks.iter().map(|b| b.kind).collect();
        assert!(kinds.contains(&BlockKind::Heading { level: 1 }));
        assert!(kinds.contains(&BlockKind::Task {
            checked: false,
            depth: 0
        }));
        assert!(kinds.contains(&BlockKind::Task {
            checked: true,
            depth: 1
        }));
        assert!(kinds.contains(&BlockKind::Code));
        let links: Vec<_> = f
            .spans
            .iter()
            .filter(|s| s.kind == SpanKind::Link)
            .map(|s| &text[s.range.clone()])
            .collect();
        assert_eq!(links, ["DES-001"]);
        assert!(f.spans.iter().any(|s| s.kind == SpanKind::Code));
        assert!(f
            .spans
            .iter()
            .any(|s| s.kind == SpanKind::Strong && &text[s.range.clone()] == "**Step 1: x**"));
    }

    #[test]
    fn detects_an_unclosed_fence_at_the_end() {
        let open = "text\n\n```bash\nls\n";
        assert!(ends_in_open_fence(&parse(open), open));
        let closed = "text\n\n```bash\nls\n```\n";
        assert!(!ends_in_open_fence(&parse(closed), closed));
    }
}
