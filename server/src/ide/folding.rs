//! Folding ranges: every section (heading to the next heading of its level or higher) and every
//! step, without the blank lines that end them.

use std::ops::Range;

use super::symbols::{document_symbols, Symbol};
use super::Snapshot;

pub fn folding_ranges(snap: &Snapshot) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    collect(&snap.text, &document_symbols(snap), &mut out);
    out.sort_by_key(|r| (r.start, std::cmp::Reverse(r.end)));
    out
}

fn collect(text: &str, syms: &[Symbol], out: &mut Vec<Range<usize>>) {
    for s in syms {
        let body = &text[s.range.clone()];
        let end = s.range.start + body.trim_end().len();
        // Only what spans more than one line folds.
        if text[s.range.start..end].contains('\n') {
            out.push(s.range.start..end);
        }
        collect(text, &s.children, out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ide::test_support::snapshot;

    #[test]
    fn sections_and_steps_fold() {
        let text = "# T\n\n## Deployment Procedure\n\n**Step 1: A**\n\n- Time: 5 min\n\n**Step 2: B**\n\n## Rollback\n\nNone.\n\n\n";
        let folds: Vec<&str> = folding_ranges(&snapshot(text))
            .into_iter()
            .map(|r| &text[r])
            .collect();
        assert_eq!(
            folds,
            vec![
                text.trim_end(),
                "## Deployment Procedure\n\n**Step 1: A**\n\n- Time: 5 min\n\n**Step 2: B**",
                "**Step 1: A**\n\n- Time: 5 min",
                "## Rollback\n\nNone.",
            ]
        );
    }

    #[test]
    fn single_lines_do_not_fold() {
        assert!(folding_ranges(&snapshot("# T\n")).is_empty());
        assert!(folding_ranges(&snapshot("plain\ntext\n")).is_empty());
    }
}
