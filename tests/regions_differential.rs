//! Differential test of the region split: parsing a document region by region (with or without a
//! warm cache) must give exactly the facts of parsing it as one region.
//!
//! `parse_facts(text, &mut RegionCache::default()).0 == parse_whole(text)` is checked on
//! - every real-world procedure in `tests/corpus/realworld/` (see its SOURCES.md), as is and with
//!   CRLF line endings,
//! - a generated 3,000-line spec in `tests/corpus/generated/`,
//! - hand-picked documents that broke the splitter once (regression cases),
//! - documents assembled by proptest from a vocabulary of lines and blocks that a line scan can
//!   misjudge, with LF, CRLF or CR line endings,
//! - random edit sequences that keep one cache across every step.

use std::path::Path;

use deployspec::analysis::document::{self, RegionCache};
use deployspec::analysis::regions;
use deployspec::analysis::syntax::Facts;
use proptest::prelude::*;

/// Compares the split parse of `text` with the whole parse; on a mismatch, says where.
fn mismatch(text: &str) -> Option<String> {
    let whole = document::parse_whole(text);
    let (split, _) = document::parse_facts(text, &mut RegionCache::default());
    if split == whole {
        return None;
    }
    Some(describe(text, &split, &whole))
}

fn describe(text: &str, split: &Facts, whole: &Facts) -> String {
    let mut out = String::new();
    let regions: Vec<&str> = regions::split(text).into_iter().map(|r| &text[r]).collect();
    out.push_str(&format!("text: {text:?}\nregions: {regions:#?}\n"));
    let n = split.blocks.len().max(whole.blocks.len());
    for i in 0..n {
        let (a, b) = (split.blocks.get(i), whole.blocks.get(i));
        if a != b {
            let show = |x: Option<&deployspec::analysis::syntax::Block>| {
                x.map(|b| format!("{b:?} {:?}", &text[b.range.clone()]))
            };
            out.push_str(&format!(
                "first differing block #{i}:\n  split: {:?}\n  whole: {:?}\n",
                show(a),
                show(b)
            ));
            break;
        }
    }
    let n = split.spans.len().max(whole.spans.len());
    for i in 0..n {
        let (a, b) = (split.spans.get(i), whole.spans.get(i));
        if a != b {
            out.push_str(&format!(
                "first differing span #{i}:\n  split: {a:?}\n  whole: {b:?}\n"
            ));
            break;
        }
    }
    out
}

fn assert_same(text: &str) {
    if let Some(m) = mismatch(text) {
        panic!("region split changed the facts\n{m}");
    }
}

fn corpus_files(dir: &str) -> Vec<(String, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "md") && !p.ends_with("SOURCES.md"))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().to_string();
            (name, std::fs::read_to_string(&p).unwrap())
        })
        .collect()
}

fn with_line_endings(text: &str, ending: &str) -> String {
    text.replace("\r\n", "\n").replace('\n', ending)
}

#[test]
fn realworld_corpus() {
    let files = corpus_files("tests/corpus/realworld");
    assert!(files.len() >= 17, "{} files", files.len());
    let mut failures = Vec::new();
    for (name, text) in &files {
        for (label, t) in [
            ("as is", text.clone()),
            ("crlf", with_line_endings(text, "\r\n")),
        ] {
            if let Some(m) = mismatch(&t) {
                failures.push(format!("{name} ({label}):\n{m}"));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn realworld_corpus_is_actually_split() {
    // Guards the test itself: a splitter that never splits would pass every differential check.
    for (name, text) in corpus_files("tests/corpus/realworld") {
        if text.len() > 4_000 {
            let n = regions::split(&text).len();
            assert!(n > 3, "{name}: only {n} regions");
        }
    }
}

#[test]
fn generated_spec() {
    let files = corpus_files("tests/corpus/generated");
    assert!(!files.is_empty());
    for (name, text) in files {
        let regions = regions::split(&text).len();
        assert!(regions > 100, "{name}: only {regions} regions");
        for t in [text.clone(), with_line_endings(&text, "\r\n")] {
            if let Some(m) = mismatch(&t) {
                panic!("{name}:\n{}", &m[m.find("first differing").unwrap_or(0)..]);
            }
        }
    }
}

#[test]
fn generated_spec_survives_edits_with_a_warm_cache() {
    let (_, mut text) = corpus_files("tests/corpus/generated").remove(0);
    let mut cache = RegionCache::default();
    let (_, stats) = document::parse_facts(&text, &mut cache);
    // Regions with the same text (`## Rollback` headings, …) are parsed once.
    assert!(
        stats.parsed <= stats.regions && stats.regions > 100,
        "{stats:?}"
    );
    // Structural edits at spread-out places: each must reparse little and agree with a whole parse.
    let edits = [
        "x",
        "\n",
        "\n```\n",
        "\n```\n",
        "<!--",
        "-->",
        "\n# H\n",
        "é",
        "\n- [ ] x\n",
    ];
    for (i, insert) in edits.iter().enumerate() {
        let mut at = text.len() * (i + 1) / (edits.len() + 1);
        while !text.is_char_boundary(at) {
            at += 1;
        }
        text.insert_str(at, insert);
        let (cached, _) = document::parse_facts(&text, &mut cache);
        let whole = document::parse_whole(&text);
        if cached != whole {
            panic!("after inserting {insert:?} at {at}:\n{}", {
                let m = describe(&text, &cached, &whole);
                m[m.find("first differing").unwrap_or(0)..].to_string()
            });
        }
    }
}

/// Documents that once broke the splitter (minimal counterexamples) or probe its edges.
#[test]
fn edge_cases() {
    let cases: &[&str] = &[
        "",
        "\n",
        "# T\n\npara\n\n## H\n- a\n",
        "```\n# not a heading\n\ncode\n",
        "- a\n  ```\n  code\n\n# in fence?\n  ```\n",
        "<!--\n\n# hidden\n\n-->\n\nafter\n",
        "---\nid: X\n\ntitle: y\n---\n# T\n",
        "text\n\n---\n\nmore\n",
        // Found by this test; the minimal counterexamples.
        // 1. A region's facts held `content: 0..0` for "no content", which moved when shifted.
        "- a\n\n- b\n",
        // 2. Front matter does not close at `...` in tree-sitter-md, only at `---`.
        "---\na: 1\n...\n\nb: 2\n---\n",
        // 3. `<span>` after a paragraph line is text, so `<pre>` opens a block that spans the
        //    blank lines; the scanner had taken `<span>` for an HTML block and skipped `<pre>`.
        "x\n<span>\n<pre>\n\n# x\n\n</pre>\n",
        "| x |\n+++\n<span>inline html</span>\n<pre>\n\n# x\n\n</pre>",
        // 4. tree-sitter-md closes `<!DOCTYPE …>` (type 4) only at a line starting with `>`.
        "<!DOCTYPE html>\n# Deployment Procedure: X",
        "<!DOCTYPE html>\n\nfoo\n\n# H\n",
        // 5. A malformed table is a syntax error whose recovery swallows later blocks: regions
        //    with an error fall back to a whole parse.
        "| x |\n-\n\n```\n",
        "| x |\n---\n- <!--\n\ncomment in item?\n-->",
        // 7. A blank line ends a block quote and the HTML comment open in it; the scanner kept
        //    the comment open, so `<!DOCTYPE` (open to a line starting with `>`) went unseen and
        //    the heading after it became a cut. Found by `edit_sequences_with_one_cache`.
        "> <!--\n\n  <!DOCTYPE html>\n## H\n\nx\n",
        "> <!--\n\n<div>\n## H\n\nx\n",
        // 6. Lines end at a lone CR too; NBSP, form feed and VT lines are not blank.
        "text\r~~~\n\n# x\n",
        "foo\n\u{a0}\nbar\n",
        "foo\n\u{c}\n# bar\n",
        // 7. tree-sitter-md: `<textarea>` is not type 1; `</pre >` closes type 1.
        "<textarea>\n\nfoo</textarea>\n\n# H\n",
        "<pre>\nx</pre >\n\n# H\n",
        "+++\ntitle = \"x\"\n\n[params]\nb = 2\n+++\n",
        // 8. tree-sitter-md: an empty heading on a last line without a line break is text.
        "#hashtag not heading\n#",
        "|>\n#",
        // 9. tree-sitter-md ends a type 1 block at `</script>` as well as at `</pre>`.
        "<pre>\n\n<script>\n</script>\n</pre>\n# H\n",
        // 10. The parser skips a byte order mark at the start of its input: no region may start
        //     with one.
        "\n\u{feff}# BO\nM taitle",
    ];
    for text in cases {
        assert_same(text);
        assert_same(&with_line_endings(text, "\r\n"));
    }
}

// ---------------------------------------------------------------------------------------------
// Generated documents

/// Fragments that may appear only at the very top of a document.
const TOP: &[&str] = &[
    "---\nid: DEPLOY-001\ntype: deployment-procedure\n---\n",
    "---\nid: X\n\ntitle: y\n---\n",
    "---\na: 1\n...\n\nb: 2\n---\n",
    "---\nunclosed: true\n\n# Not a heading?\n",
    "+++\ntitle = \"x\"\n\n[params]\nb = 2\n+++\n",
    " ---\nindented: opener\n\nx: 1\n---\n",
    "--- \ntrailing: space\n\nx: 1\n--- \n",
    "\n---\nafter: blank\n\nx\n---\n",
    "\u{feff}# BOM title\n",
];

/// Lines and blocks from anywhere in a document.
const FRAGMENTS: &[&str] = &[
    // blank lines
    "\n",
    "\n",
    "\n",
    "   \n",
    "\t\n",
    // headings
    "# Deployment Procedure: X\n",
    "## Prerequisites\n",
    "### Step 1 ###\n",
    "###### six\n",
    "####### seven is a paragraph\n",
    "#\n",
    "#hashtag not heading\n",
    "   ## indented heading\n",
    "Setext One\n===\n",
    "Setext Two\n---\n",
    "Title\n- \n",
    // paragraphs and inline
    "Plain prose with [CMP-001] and **bold** and `code`.\n",
    "**Step 2: Deploy** see [DES-004] ~~old~~\n",
    "Ünïcödé 部署 🚀 👩‍💻 cafe\u{301} [CMP-915]\n",
    "trailing spaces  \n",
    "a line with a `code span\n",
    "that closes` on the next line\n",
    "\u{a0}\n",
    "\u{3000}\n",
    "\u{b}\n",
    "\u{c}\n",
    "\u{2028}\n",
    "[link text](http://example.invalid) and [ref][CMP-001]\n",
    // fences
    "```\ncode\n```\n",
    "```bash\n# not a heading\n\nls -la\n```\n",
    "```\n",
    "~~~\n",
    "~~~ info with `backticks`\n\n# x\n~~~\n",
    "``` info`with`tick\n",
    "````\n```\n\n````\n",
    "   ```\n3-space fence\n\n   ```\n",
    "    ```\n",
    "- item\n  ```\n  code\n\n  # in fence\n  ```\n",
    "1. item\n\n   ~~~\n   code\n\n   ~~~\n",
    "- ```\n  x\n",
    "> ```\n> quoted\n",
    "\t```\n",
    // html
    "<!--\n\n# hidden\n\n-->\n",
    "<!-- one line -->\n",
    "<!--\n",
    "-->\n",
    "<!-->\n",
    "<div>\n\nx\n</div>\n",
    "<div>\n# not heading in html\n",
    "<pre>\n\n# x\n\n</pre>\n",
    "<PRE class=\"a\">\n\ny\n",
    "<prefix>\n\n",
    "<textarea>\n\n# x\n</textarea>\n",
    "</PRE>\n",
    "<!DOCTYPE html>\n",
    "<!doctype html>\n",
    ">\n",
    "</pre>\n",
    "<script>\n\nlet a = 1;\n</script>\n",
    "<?php\n\necho 1;\n?>\n",
    "<!DOCTYPE html>\n",
    "<![CDATA[\n\n]]>\n",
    "<span>inline html</span>\n",
    "<custom-tag>\n",
    "- <!--\n\ncomment in item?\n-->\n",
    "> <!--\n\n",
    // thematic breaks
    "---\n",
    "***\n",
    "- - -\n",
    "___\n",
    "+++\n",
    "===\n",
    // lists
    "- [ ] unchecked task\n",
    "- [x] checked task [CMP-002]\n",
    "  - [ ] nested task\n",
    "    - [x] deeper task\n",
    "* star item\n",
    "+ plus item\n",
    "1. first\n",
    "2. second\n",
    "7) seven\n",
    "0. zero\n",
    "123456789. long\n",
    "-\n",
    "- \n",
    "-\ttab item\n",
    "- a\n  continued\n",
    "- a\nlazy continuation\n",
    "1. a\n\n   para in item\n",
    "- a\n\n      indented code in item\n",
    "  continuation after blank\n",
    "- - nested on one line\n",
    "- # heading in item\n",
    "- > quote in item\n",
    // block quotes
    "> quote\n",
    "> # heading in quote\n",
    "> lazy\nlazy line\n",
    ">> nested quote\n",
    ">\n",
    // tables
    "| a | b |\n|---|---|\n| 1 | 2 |\n",
    "a | b\n- | -\n",
    "| x |\n",
    "|---|\n",
    // link reference definitions
    "[foo]: /url\n",
    "[foo]:\n/url \"title\"\n",
    "[CMP-001]: ./cmp-001.md\n",
    "[foo]\n",
    // indented code
    "    indented code\n",
    "\tindented by tab\n",
    // misc
    "Time: ~5 minutes\n",
    "- Verify: `curl -f http://localhost/health`\n",
    "\\# escaped\n",
    "&nbsp;entity\n",
];

/// Characters, lines and markers that edits insert.
const INSERTS: &[&str] = &[
    "a",
    " ",
    "\n",
    "\n\n",
    "\r\n",
    "\t",
    "```",
    "~~~",
    "```\n",
    "\n```\n",
    "<!--",
    "-->",
    "# ",
    "\n# H\n",
    "## ",
    "- ",
    "\n- [ ] x\n",
    "* ",
    "1. ",
    "> ",
    "    ",
    "|",
    "---",
    "\n---\n",
    "[",
    "]",
    "`",
    "**",
    "é",
    "🚀",
    "部",
    "\u{301}",
    "<div>",
    "\n<pre>\n",
    "===",
    "+++",
];

fn document() -> impl Strategy<Value = String> {
    (
        prop::option::weighted(0.2, prop::sample::select(TOP)),
        prop::collection::vec(prop::sample::select(FRAGMENTS), 0..40),
        prop::sample::select(&["\n", "\n", "\n", "\r\n", "\r"][..]),
        any::<bool>(),
    )
        .prop_map(|(top, frags, ending, trailing_newline)| {
            let mut s = String::new();
            if let Some(t) = top {
                s.push_str(t);
            }
            for f in frags {
                s.push_str(f);
            }
            if !trailing_newline && s.ends_with('\n') {
                s.pop();
            }
            if ending != "\n" {
                s = with_line_endings(&s, ending);
            }
            s
        })
}

#[derive(Clone, Debug)]
enum Edit {
    Insert(f64, &'static str),
    Delete(f64, usize),
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        3 => (0.0..1.0f64, prop::sample::select(INSERTS)).prop_map(|(p, s)| Edit::Insert(p, s)),
        2 => (0.0..1.0f64, 1..8usize).prop_map(|(p, n)| Edit::Delete(p, n)),
    ]
}

/// Byte offset of the char boundary at fraction `p` of the text's chars.
fn char_offset(text: &str, p: f64) -> usize {
    let chars = text.chars().count();
    let k = ((chars as f64) * p) as usize;
    text.char_indices().nth(k).map_or(text.len(), |(i, _)| i)
}

fn apply(text: &mut String, e: &Edit) {
    match *e {
        Edit::Insert(p, s) => {
            let at = char_offset(text, p);
            text.insert_str(at, s);
        }
        Edit::Delete(p, n) => {
            let at = char_offset(text, p);
            let end = text[at..]
                .char_indices()
                .nth(n)
                .map_or(text.len(), |(i, _)| at + i);
            text.replace_range(at..end, "");
        }
    }
}

/// `PROPTEST_CASES` overrides the case counts (for long searches); CI uses the defaults.
fn cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: cases(600),
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn generated_documents(text in document()) {
        if let Some(m) = mismatch(&text) {
            prop_assert!(false, "{}", m);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: cases(150),
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn edit_sequences_with_one_cache(
        start in document(),
        edits in prop::collection::vec(edit(), 1..12),
    ) {
        let mut text = start;
        let mut cache = RegionCache::default();
        let _ = document::parse_facts(&text, &mut cache);
        for (step, e) in edits.iter().enumerate() {
            apply(&mut text, e);
            let (cached, _) = document::parse_facts(&text, &mut cache);
            let (fresh, _) = document::parse_facts(&text, &mut RegionCache::default());
            prop_assert_eq!(&cached, &fresh, "step {}: cached parse differs from a fresh one", step);
            let whole = document::parse_whole(&text);
            if cached != whole {
                prop_assert!(false, "step {} ({:?}):\n{}", step, e, describe(&text, &cached, &whole));
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: cases(1500),
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    /// Rescanning only around an edit finds exactly the boundaries a full scan finds.
    #[test]
    fn boundaries_after_an_edit_equal_a_full_scan(
        start in document(),
        edits in prop::collection::vec(edit(), 1..6),
    ) {
        let mut text = start;
        let mut cuts = regions::cuts(&text);
        for e in &edits {
            let before = text.clone();
            apply(&mut text, e);
            let incremental = regions::cuts_after_edit(&before, &cuts, &text);
            prop_assert_eq!(&incremental, &regions::cuts(&text), "after {:?}", e);
            cuts = incremental;
        }
    }
}

#[test]
fn boundaries_after_edits_in_a_large_spec() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/corpus/generated/spec-3000.md"
    ))
    .unwrap();
    let cuts = regions::cuts(&text);
    for (at, insert) in [
        (0, "x"),
        (text.len() / 3, "\n"),
        (text.len() / 2, "\n```\n"),
        (text.len() / 2, "<!--\n"),
        (text.len() - 1, "# End\n"),
        (text.len(), "\n\ntail"),
    ] {
        let at = (at..).find(|&i| text.is_char_boundary(i)).unwrap();
        let mut edited = text.clone();
        edited.insert_str(at, insert);
        assert_eq!(
            regions::cuts_after_edit(&text, &cuts, &edited),
            regions::cuts(&edited),
            "{insert:?} at {at}"
        );
    }
}
