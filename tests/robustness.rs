//! No input makes the analysis panic, and every range it reports lies on character boundaries
//! inside the text.

use std::path::Path;

use deployspec::analysis::{analyze_text, Input};
use deployspec::config::Config;
use deployspec::index::SpecIndex;
use proptest::prelude::*;

fn assert_sane(text: &str) {
    let config = Config::default();
    let index = SpecIndex::default();
    let a = analyze_text(&Input {
        text,
        path: Some(Path::new("docs/specs/deployment-procedure/deploy-001-x.md")),
        explicit: true,
        config: &config,
        index: &index,
    });
    for f in &a.findings {
        assert!(
            f.range.start <= f.range.end && f.range.end <= text.len(),
            "{f:?}"
        );
        assert!(
            text.is_char_boundary(f.range.start) && text.is_char_boundary(f.range.end),
            "{f:?}"
        );
        assert!(!f.message.is_empty());
    }
}

const PIECES: &[&str] = &[
    "# Title\n",
    "## Prerequisites\n",
    "## Deployment Procedure\n",
    "### Rollback\n",
    "## Troubleshooting\n",
    "### Issue: x\n",
    "**Step 1: a**\n",
    "**Step 2 - b**\n",
    "### Step 3: c\n",
    "### 4. d\n",
    "- Time: ~5 min\n",
    "- Time: soon\n",
    "Time:\n",
    "- [ ] item\n",
    "  - [x] nested\n",
    "- [x] ~~gone~~\n",
    "```bash\n",
    "```\n",
    "~~~\n",
    "<!-- deployspec-disable DP020\n",
    "-->\n",
    "<!-- deployspec-disable-next-line -->\n",
    "---\n",
    "id: X-1\n",
    "[CMP-001]\n",
    "`[CMP-002]`\n",
    "see Step 9 to roll back\n",
    "{{ x }}\n",
    "TODO\n",
    "\n",
    "\n\n",
    "| a | b |\n|---|---|\n",
    "> quote\n",
    "    code\n",
    "😀👩‍💻 日本 e\u{301}\n",
    "\r\n",
    "\r",
    "\t- [ ] tab\n",
    "Setext\n===\n",
    "**\n",
    "[\n",
    "<div>\n",
    "1. one\n",
    "10) ten\n",
    "* star\n",
];

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_text_never_panics(s in "\\PC{0,400}") {
        assert_sane(&s);
    }

    #[test]
    fn markdown_like_text_never_panics(parts in proptest::collection::vec(0..PIECES.len(), 0..60)) {
        let text: String = parts.iter().map(|&i| PIECES[i]).collect();
        assert_sane(&text);
    }
}

#[test]
fn edge_cases() {
    for text in [
        "",
        "\n",
        "\r\n\r\n",
        "---\n",
        "---\nid: x\n---",
        "#",
        "**Step 1:**",
        "\u{feff}# BOM\n",
    ] {
        assert_sane(text);
    }
    // Deep nesting.
    let deep: String = (0..200)
        .map(|i| format!("{}- [ ] x\n", "  ".repeat(i)))
        .collect();
    assert_sane(&deep);
    let quotes = ">".repeat(500);
    assert_sane(&quotes);
}

#[test]
fn fixtures_never_panic() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
    let mut n = 0;
    for entry in ignore::Walk::new(&dir).flatten() {
        let p = entry.path();
        if p.extension().is_some_and(|e| e == "md") {
            assert_sane(&std::fs::read_to_string(p).unwrap());
            n += 1;
        }
    }
    assert!(n >= 5);
}

/// `<!-->` and `<!--->` are complete empty comments: the suppression parser once sliced them
/// backwards (`&block[4..2]`) and every check of such a file panicked.
#[test]
fn regression_empty_html_comment_openers() {
    for text in [
        "# Deploy\n\n<!-->\n",
        "# Deploy\n\n<!--->\n",
        "# Deploy\n\n<!-->deployspec-disable DP020 -->\n",
        "<!---->\n<!-- deployspec-disable-next-line DP020 -->\n**Step 1: a**\n",
    ] {
        assert_sane(text);
    }
}
