//! What the cursor is on, for the navigation requests (definition, hover, references): a spec
//! ID, a `Step N` (a mention or a step's own title), or a rule in a suppression comment. Read
//! from the model, so code spans and fences never count.

use std::ops::Range;

use crate::analysis::model::Step;
use crate::rules::Rule;

use super::Snapshot;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    /// A spec reference: upper-cased ID and the reference's text range.
    Spec { id: String, range: Range<usize> },
    /// `Step N`: the step (index into the model's steps) it names, when there is one, and the
    /// range of what is under the cursor (the mention, or the step's title).
    Step {
        number: u32,
        step: Option<usize>,
        range: Range<usize>,
    },
    /// A rule code or name in a `deployspec-disable…` comment.
    Rule { rule: Rule, range: Range<usize> },
}

/// Whether `offset` is in `r` or just after it (the cursor right after a word is on it).
pub fn touches(r: &Range<usize>, offset: usize) -> bool {
    r.start <= offset && offset <= r.end
}

pub fn target_at(snap: &Snapshot, offset: usize) -> Option<Target> {
    let m = snap.model();
    if let Some(r) = m.spec_refs.iter().find(|r| touches(&r.range, offset)) {
        return Some(Target::Spec {
            id: r.id.to_string(),
            range: r.range.clone(),
        });
    }
    if let Some(r) = m.step_refs.iter().find(|r| touches(&r.range, offset)) {
        let step = if r.in_title {
            m.steps
                .iter()
                .position(|s| touches(&s.title_range, r.range.start))
        } else {
            step_numbered(&m.steps, r.number, r.rollback)
        };
        return Some(Target::Step {
            number: r.number,
            step,
            range: r.range.clone(),
        });
    }
    if let Some(i) = m.steps.iter().position(|s| touches(&s.title_range, offset)) {
        let s = &m.steps[i];
        return Some(Target::Step {
            number: s.number,
            step: Some(i),
            range: s.title_range.clone(),
        });
    }
    for s in &m.suppressions {
        for (word, range) in &s.rules {
            if touches(range, offset) {
                return Rule::lookup(word).map(|rule| Target::Rule {
                    rule,
                    range: range.clone(),
                });
            }
        }
    }
    None
}

/// The step numbered `number`: when the number occurs in both parts, the one in the part the
/// mention points at (a sentence about rolling back means the rollback step).
pub fn step_numbered(steps: &[Step], number: u32, rollback: bool) -> Option<usize> {
    let mut found = steps.iter().enumerate().filter(|(_, s)| s.number == number);
    let first = found.next()?;
    if first.1.in_rollback == rollback {
        return Some(first.0);
    }
    Some(
        found
            .find(|(_, s)| s.in_rollback == rollback)
            .map_or(first.0, |(i, _)| i),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ide::test_support::{cursor, snapshot};

    fn at(marked: &str) -> Option<Target> {
        let (text, off) = cursor(marked);
        target_at(&snapshot(&text), off)
    }

    #[test]
    fn spec_ids_steps_and_rules() {
        assert!(matches!(
            at("# T\n\nSee [CMP-0$001].\n"),
            Some(Target::Spec { id, .. }) if id == "CMP-001"
        ));
        // Just after the ID still counts.
        assert!(
            matches!(at("# T\n\nSee [cmp-001$0].\n"), Some(Target::Spec { id, .. }) if id == "CMP-001")
        );
        let steps = "# T\n\n## Deployment Procedure\n\n**Step 1: A**\n\nThen go to St$0ep 2.\n\n**Step 2: B**\n";
        assert!(matches!(
            at(steps),
            Some(Target::Step {
                number: 2,
                step: Some(1),
                ..
            })
        ));
        let title = "# T\n\n## Deployment Procedure\n\n**Step 1: Do$0 it**\n";
        assert!(matches!(
            at(title),
            Some(Target::Step {
                number: 1,
                step: Some(0),
                ..
            })
        ));
        assert!(matches!(
            at("# T\n\n<!-- deployspec-disable DP0$020 -->\n"),
            Some(Target::Rule {
                rule: Rule::StepWithoutTime,
                ..
            })
        ));
    }

    #[test]
    fn nothing_in_code_or_plain_text() {
        assert_eq!(at("# T\n\nSee `[CMP-0$001]`.\n"), None);
        assert_eq!(at("# T\n\n```\n[CMP-0$001]\n```\n"), None);
        assert_eq!(at("# T\n\nPlain te$0xt.\n"), None);
        // A comment that is not a suppression, and an unknown rule.
        assert_eq!(at("# T\n\n<!-- note DP0$020 -->\n"), None);
        assert_eq!(at("# T\n\n<!-- deployspec-disable DP99$09 -->\n"), None);
    }

    #[test]
    fn rollback_mentions_prefer_rollback_steps() {
        let text = "# T\n\n## Deployment Procedure\n\n**Step 1: A**\n\n## Rollback\n\n**Step 1: Undo A**\n\nIf it fails, roll back with St$0ep 1.\n";
        let Some(Target::Step { step: Some(i), .. }) = at(text) else {
            panic!("no step");
        };
        let (plain, _) = cursor(text);
        let snap = snapshot(&plain);
        assert!(snap.model().steps[i].in_rollback);
    }
}
