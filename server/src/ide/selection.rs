//! Selection ranges: from what the cursor is on (a spec ID, a `Step N`, a rule) out through the
//! step and the sections holding it to the whole document, innermost first.

use std::ops::Range;

use super::at::target_at;
use super::symbols::{document_symbols, Symbol};
use super::Snapshot;

pub fn selection_ranges(snap: &Snapshot, offset: usize) -> Vec<Range<usize>> {
    let text = &*snap.text;
    let mut chain: Vec<Range<usize>> = Vec::new();
    let mut level: &[Symbol] = &document_symbols(snap);
    let mut outer_first = Vec::new();
    while let Some(s) = level
        .iter()
        .find(|s| s.range.start <= offset && offset <= s.range.end)
    {
        let end = s.range.start + text[s.range.clone()].trim_end().len();
        outer_first.push(s.range.start..end.max(s.range.start));
        level = &s.children;
    }
    if let Some(t) = target_at(snap, offset) {
        chain.push(match t {
            super::at::Target::Spec { range, .. }
            | super::at::Target::Step { range, .. }
            | super::at::Target::Rule { range, .. } => range,
        });
    }
    chain.extend(outer_first.into_iter().rev());
    chain.push(0..text.len());
    // Each range must hold the one before it; drop repeats and any that would not.
    let mut out: Vec<Range<usize>> = Vec::new();
    for r in chain {
        match out.last() {
            Some(prev) if r == *prev => {}
            Some(prev) if !(r.start <= prev.start && prev.end <= r.end) => {}
            _ => out.push(r),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ide::test_support::{cursor, snapshot};

    #[test]
    fn from_the_reference_out_to_the_document() {
        let marked = "# T\n\n## Deployment Procedure\n\n**Step 1: A**\n\nSee [CMP-0$001] 🚀.\n\n**Step 2: B**\n\n## Rollback\n\nNone.\n";
        let (text, off) = cursor(marked);
        let got: Vec<&str> = selection_ranges(&snapshot(&text), off)
            .into_iter()
            .map(|r| &text[r])
            .collect();
        assert_eq!(
            got,
            [
                "CMP-001",
                "**Step 1: A**\n\nSee [CMP-001] 🚀.",
                "## Deployment Procedure\n\n**Step 1: A**\n\nSee [CMP-001] 🚀.\n\n**Step 2: B**",
                text.trim_end(),
                text.as_str(),
            ]
        );
    }

    #[test]
    fn plain_text_without_headings_is_the_document() {
        let text = "just text\n";
        let got = selection_ranges(&snapshot(text), 3);
        assert_eq!(got.len(), 1);
        assert_eq!(got[0], 0..text.len());
    }
}
