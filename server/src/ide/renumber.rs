//! Step renumbering: the one fix that is certain. Steps are numbered in document order from 1
//! (or from 0 when the first step is 0), and every `Step N` mention that named exactly one step
//! follows that step. A mention of a number no step or several steps had is left as written:
//! which step it meant is not known.
//!
//! Steps written as an ordered list (`1.`, `1)`) are never renumbered, and neither is a
//! document that has any: their numbers are list markers, and a marker that grows a digit moves
//! the column the item's content must start at, so a nested block under `9.` would leave the
//! item once it reads `10.`. Those numbers are the author's to fix.

use std::collections::HashMap;

use crate::analysis::model::{SpecModel, StepForm};

use super::{Edit, Snapshot};

/// The edits that renumber the steps, sorted; empty when the numbering is already right.
pub fn edits(snap: &Snapshot) -> Vec<Edit> {
    edits_in(&snap.text, snap.model())
}

/// [`edits`] for a text and its model.
pub fn edits_in(text: &str, m: &SpecModel) -> Vec<Edit> {
    let first = match m.steps.first() {
        Some(s) if s.number == 0 => 0,
        Some(_) => 1,
        None => return Vec::new(),
    };
    if m.steps.iter().any(|s| s.form == StepForm::OrderedItem) {
        return Vec::new();
    }
    let mut count: HashMap<u32, usize> = HashMap::new();
    for s in &m.steps {
        *count.entry(s.number).or_default() += 1;
    }
    let mut new_of: HashMap<u32, u32> = HashMap::new();
    let mut edits = Vec::new();
    for (i, s) in m.steps.iter().enumerate() {
        let n = first + i as u32;
        if count[&s.number] == 1 {
            new_of.insert(s.number, n);
        }
        if s.number != n {
            edits.push(Edit {
                range: s.number_range.clone(),
                text: n.to_string(),
            });
        }
    }
    if edits.is_empty() {
        return edits;
    }
    for r in &m.step_refs {
        let Some(&n) = new_of.get(&r.number) else {
            continue;
        };
        if n != r.number {
            edits.push(Edit {
                range: r.number_range(text),
                text: n.to_string(),
            });
        }
    }
    edits.sort_by_key(|e| e.range.start);
    edits
}

/// The text `source.fixAll` / `check --fix` make of `text`, or `None` when nothing changes.
pub fn fix_all_text(text: &str, m: &SpecModel) -> Option<String> {
    let edits = edits_in(text, m);
    (!edits.is_empty()).then(|| super::apply(text, &edits))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ide::{apply, test_support::snapshot};

    fn renumbered(text: &str) -> String {
        let snap = snapshot(text);
        apply(text, &edits(&snap))
    }

    const HEAD: &str = "# T\n\n## Deployment Procedure\n\n";

    #[test]
    fn gaps_duplicates_and_references() {
        let text = format!("{HEAD}**Step 1: A**\n\nThen Step 3.\n\n**Step 3: B**\n\n### Step 3: C\n\n**Step 7: D**\n\nIf it fails, roll back with Step 7; Step 3 is ambiguous; Step 9 does not exist.\n");
        let want = format!("{HEAD}**Step 1: A**\n\nThen Step 3.\n\n**Step 2: B**\n\n### Step 3: C\n\n**Step 4: D**\n\nIf it fails, roll back with Step 4; Step 3 is ambiguous; Step 9 does not exist.\n");
        assert_eq!(renumbered(&text), want);
    }

    #[test]
    fn references_follow_their_step() {
        let text = format!("{HEAD}**Step 2: A**\n\nSee Step 4.\n\n**Step 4: B**\n");
        let want = format!("{HEAD}**Step 1: A**\n\nSee Step 2.\n\n**Step 2: B**\n");
        assert_eq!(renumbered(&text), want);
    }

    #[test]
    fn right_numbering_is_left_alone() {
        for text in [
            format!("{HEAD}**Step 1: A**\n\nSee Step 2.\n\n**Step 2: B**\n"),
            format!("{HEAD}**Step 0: A**\n\n**Step 1: B**\n"),
            "# T\n\nNo steps; Step 4 mentioned.\n".to_string(),
        ] {
            assert!(edits(&snapshot(&text)).is_empty(), "{text}");
        }
    }

    #[test]
    fn step_bullets_are_renumbered_in_their_text_only() {
        let text = format!("{HEAD}- Step 1: A\n- Step 3: B\n\nAfter Step 3, stop.\n");
        let want = format!("{HEAD}- Step 1: A\n- Step 2: B\n\nAfter Step 2, stop.\n");
        assert_eq!(renumbered(&text), want);
    }

    #[test]
    fn ordered_list_markers_are_never_rewritten() {
        // A gap, a duplicate, a list beside bold steps: DP021 reports them, but no edit touches
        // a marker (`9.` → `10.` would push the nested code block out of the item).
        for text in [
            format!("{HEAD}1. A\n3. B\n"),
            format!("{HEAD}1. A\n\n```\nx\n```\n\n1. B\n"),
            format!("{HEAD}8. A\n9. B\n\n   ```\n   make\n   ```\n"),
            format!("{HEAD}**Step 2: A**\n\n### Rollback\n\n1. Undo\n"),
        ] {
            let snap = snapshot(&text);
            assert!(
                snap.model()
                    .steps
                    .iter()
                    .any(|s| s.form == StepForm::OrderedItem),
                "{text}"
            );
            assert!(edits(&snap).is_empty(), "{text}");
        }
    }

    #[test]
    fn leading_zeros_are_the_authors_choice() {
        let text = format!("{HEAD}### Step 01: A\n\n### Step 02: B\n");
        assert!(edits(&snapshot(&text)).is_empty());
    }
}
