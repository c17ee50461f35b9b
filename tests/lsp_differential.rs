//! Differential test of the incremental path: random edit sequences applied to the server's
//! document store as LSP content changes (UTF-16 and UTF-8 positions, several changes per
//! notification) must leave exactly the text a plain string edit gives, and an analysis that
//! equals a fresh analysis of that text — model, findings and diagnostics.

use std::path::Path;
use std::sync::Arc;

use deployspec::analysis::{analyze_text, Input};
use deployspec::config::Config;
use deployspec::index::SpecIndex;
use deployspec::lsp::convert;
use deployspec::lsp::documents::{Context, Document, Entry};
use deployspec::position::{Encoding, LineIndex};
use deployspec::workspace::ConfigResolver;
use proptest::prelude::*;
use tower_lsp_server::ls_types::{Position, Range, TextDocumentContentChangeEvent, Uri};

const BASE: &str = include_str!(
    "lsp_support/fixtures/ws/docs/specs/deployment-procedure/deploy-001-export-prod.md"
);

/// Snippets that change structure: fences opened and closed, HTML comments, front matter,
/// headings, list and task items, steps, references, multi-byte text, line breaks.
const SNIPPETS: &[&str] = &[
    "x",
    " ",
    "\n",
    "\n\n",
    "\r\n",
    "```\n",
    "```bash\n",
    "~~~\n",
    "`",
    "<!-- ",
    " -->",
    "<!-- deployspec-disable DP030 -->\n",
    "---\n",
    "---\ntype: deployment-procedure\n---\n",
    "# Title\n",
    "## Rollback\n",
    "## Prerequisites\n",
    "### Step 7: Extra\n",
    "- [ ] item\n",
    "- [x] done\n  - [ ] nested\n",
    "**Step 12: Late**\n",
    "- Time: ~5 minutes\n",
    "see Step 3 for rollback",
    "[CMP-999]",
    "[CMP-001]",
    "TODO",
    "é",
    "e\u{301}",
    "😀",
    "👩‍💻",
    "日本語",
    "> quote\n",
    "| a | b |\n|---|---|\n",
];

#[derive(Clone, Debug)]
enum Edit {
    Insert {
        at: usize,
        snippet: usize,
    },
    Delete {
        at: usize,
        len: usize,
    },
    Replace {
        at: usize,
        len: usize,
        snippet: usize,
    },
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        4 => (any::<usize>(), 0..SNIPPETS.len()).prop_map(|(at, snippet)| Edit::Insert { at, snippet }),
        3 => (any::<usize>(), 1usize..60).prop_map(|(at, len)| Edit::Delete { at, len }),
        2 => (any::<usize>(), 1usize..20, 0..SNIPPETS.len())
            .prop_map(|(at, len, snippet)| Edit::Replace { at, len, snippet }),
    ]
}

/// Char boundaries where an editor can put a cursor (not between `\r` and `\n`).
fn cursor_offsets(text: &str) -> Vec<usize> {
    let b = text.as_bytes();
    (0..=text.len())
        .filter(|&o| text.is_char_boundary(o))
        .filter(|&o| !(o > 0 && o < b.len() && b[o - 1] == b'\r' && b[o] == b'\n'))
        .collect()
}

/// Turns an edit into a byte range + replacement on `text`, and the LSP change that says it.
fn to_change(
    text: &str,
    e: &Edit,
    enc: Encoding,
) -> (
    std::ops::Range<usize>,
    String,
    TextDocumentContentChangeEvent,
) {
    let offs = cursor_offsets(text);
    let pick = |at: usize| offs[at % offs.len()];
    let (range, new) = match *e {
        Edit::Insert { at, snippet } => {
            let o = pick(at);
            (o..o, SNIPPETS[snippet].to_string())
        }
        Edit::Delete { at, len } => {
            let i = at % offs.len();
            (offs[i]..offs[(i + len).min(offs.len() - 1)], String::new())
        }
        Edit::Replace { at, len, snippet } => {
            let i = at % offs.len();
            (
                offs[i]..offs[(i + len).min(offs.len() - 1)],
                SNIPPETS[snippet].to_string(),
            )
        }
    };
    let idx = LineIndex::new(text);
    let p = |o: usize| {
        let lc = idx.position(text, o, enc);
        Position::new(lc.line, lc.col)
    };
    let change = TextDocumentContentChangeEvent {
        range: Some(Range::new(p(range.start), p(range.end))),
        range_length: None,
        text: new.clone(),
    };
    (range, new, change)
}

fn context(enc: Encoding) -> Context {
    Context {
        config: Arc::new(Config::default()),
        configs: Arc::new(ConfigResolver::default()),
        index: Arc::new(SpecIndex::default()),
        encoding: enc,
        generation: 1,
    }
}

fn run(edits: &[Vec<Edit>], enc: Encoding, check_every_step: bool) {
    run_on(BASE, edits, enc, check_every_step);
}

fn run_on(base: &str, edits: &[Vec<Edit>], enc: Encoding, check_every_step: bool) {
    let path = Path::new("/specs/deployment-procedure/deploy-001-export-prod.md");
    let uri: Uri = "file:///specs/deployment-procedure/deploy-001-export-prod.md"
        .parse()
        .unwrap();
    let entry = Entry::new(
        uri,
        Document::new(base, 1, "markdown", Some(path.to_path_buf())),
    );
    let ctx = context(enc);
    let first = entry.check(&ctx);
    let fresh = analyze_text(&Input {
        text: base,
        path: Some(path),
        explicit: false,
        config: &ctx.config,
        index: &ctx.index,
    });
    assert_eq!(
        first.analysis().unwrap().findings,
        fresh.findings,
        "on open"
    );
    let mut reference = base.to_string();
    for (n, batch) in edits.iter().enumerate() {
        // Several changes in one notification, each against the text the previous one left.
        let mut changes = Vec::new();
        for e in batch {
            let (range, new, change) = to_change(&reference, e, enc);
            reference.replace_range(range, &new);
            changes.push(change);
        }
        {
            let mut d = entry.doc();
            let out = d.apply_changes(&changes, enc);
            assert_eq!(out.clamped, 0);
            d.version = n as i32 + 2;
            assert_eq!(d.rope.to_string(), reference, "text after batch {n}");
        }
        if check_every_step || n + 1 == edits.len() {
            let got = entry.check(&ctx);
            let fresh = analyze_text(&Input {
                text: &reference,
                path: Some(path),
                explicit: false,
                config: &ctx.config,
                index: &ctx.index,
            });
            let a = got.analysis().unwrap();
            assert_eq!(a.model, fresh.model, "model after batch {n}");
            assert_eq!(a.findings, fresh.findings, "findings after batch {n}");
            assert_eq!(
                *got.diagnostics,
                convert::diagnostics(&reference, &fresh.findings, enc),
                "diagnostics after batch {n}"
            );
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn incremental_equals_fresh_utf16(edits in prop::collection::vec(prop::collection::vec(edit(), 1..4), 1..25)) {
        run(&edits, Encoding::Utf16, true);
    }

    #[test]
    fn incremental_equals_fresh_utf8(edits in prop::collection::vec(prop::collection::vec(edit(), 1..4), 1..25)) {
        run(&edits, Encoding::Utf8, true);
    }

    #[test]
    fn a_large_document_opened_in_parallel_then_edited(edits in prop::collection::vec(prop::collection::vec(edit(), 1..3), 1..12)) {
        // Over 32 KB: the regions are parsed in parallel on open.
        run_on(&BASE.repeat(30), &edits, Encoding::Utf16, false);
    }

    #[test]
    fn long_sequences_end_equal(edits in prop::collection::vec(prop::collection::vec(edit(), 1..3), 50..120)) {
        run(&edits, Encoding::Utf16, false);
    }
}

#[test]
fn a_fence_opened_and_closed_again() {
    // Open a fence in the middle (the rest of the document becomes code), then close it.
    let mid = BASE.find("**Step 2").unwrap();
    let at = BASE[..mid].chars().count();
    let edits = vec![
        vec![Edit::Insert {
            at,
            snippet: SNIPPETS.iter().position(|s| *s == "~~~\n").unwrap(),
        }],
        vec![Edit::Delete { at, len: 4 }],
    ];
    run(&edits, Encoding::Utf16, true);
}

#[test]
fn closing_a_fence_or_undoing_an_edit_reuses_earlier_regions() {
    use deployspec::analysis::document::{parse_facts, parse_whole, RegionCache};
    let base = BASE.repeat(20);
    let mut cache = RegionCache::default();
    parse_facts(&base, &mut cache);
    let mid = base.len() / 2;
    let at = mid + base[mid..].find("\n\n").unwrap() + 2;
    let mut fenced = base.clone();
    fenced.insert_str(at, "~~~\n");
    let (facts, stats) = parse_facts(&fenced, &mut cache);
    assert_eq!(facts, parse_whole(&fenced));
    assert!(stats.parsed >= 1);
    // Typing inside the fence, then closing it by deleting the opener: the regions after it are
    // those of the text before the fence, and are not parsed again.
    let mut typed = fenced.clone();
    typed.insert_str(at + 4, "abc ");
    parse_facts(&typed, &mut cache);
    let (facts, stats) = parse_facts(&base, &mut cache);
    assert_eq!(facts, parse_whole(&base));
    assert_eq!(stats.parsed, 0, "{stats:?}");
}
