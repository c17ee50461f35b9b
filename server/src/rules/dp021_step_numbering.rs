use super::{RuleContext, RuleInfo, Sink};
use crate::analysis::model::StepForm;
use crate::diagnostic::Severity;

pub static INFO: RuleInfo = RuleInfo {
    code: "DP021",
    name: "step-numbering",
    default: Severity::Warning,
    deployment_only: true,
    summary: "step numbering: duplicate, gap, or out of order",
    explanation: "\
Steps are numbered 1, 2, 3, … through the whole procedure, rollback steps included (numbering
may start at 0). A duplicate, a gap or a step out of order is reported. An ordered list that
starts again at 1 (or 0) under a new heading is a new phase of its own, as it renders: its
numbers are counted afresh.

Why: \"go back to Step 7\" must mean one step.

Fix: renumber the steps. The editor's \"Renumber the steps and their references\" quick fix,
`source.fixAll.deployspec` and `deployspec check --fix` number the steps in order and update
every `Step N` that named exactly one step; a mention of a missing or duplicated number is left
as written. Steps written as an ordered list are renumbered by hand: their numbers are list
markers, which no fix rewrites.",
};

pub fn check(ctx: &RuleContext, out: &mut Sink) {
    let steps = &ctx.model.steps;
    let mut prev: Option<u32> = None;
    let mut seen = std::collections::HashSet::new();
    let headings = &ctx.model.headings;
    for (i, s) in steps.iter().enumerate() {
        let n = s.number;
        // `1.` lists under successive phase headings each count from 1, as they render.
        let restarts = s.form == StepForm::OrderedItem && n <= 1 && i > 0 && {
            let after = steps[i - 1].head.start;
            let h = headings.partition_point(|h| h.range.start <= after);
            headings
                .get(h)
                .is_some_and(|h| h.range.start < s.head.start)
        };
        if restarts {
            prev = None;
            seen.clear();
        }
        if !seen.insert(n) {
            out.report(
                s.title_range.clone(),
                format!(
                    "Step {n} is numbered twice: renumber the steps so each number is used once"
                ),
            );
        } else {
            match prev {
                None if n > 1 => out.report(
                    s.title_range.clone(),
                    format!("steps start at {n}: number the first step 1"),
                ),
                Some(p) if n < p => out.report(
                    s.title_range.clone(),
                    format!("Step {n} comes after Step {p}: renumber the steps in order"),
                ),
                Some(p) if n > p + 1 => {
                    let missing = if n == p + 2 {
                        format!("Step {} is missing", p + 1)
                    } else {
                        format!("Steps {}–{} are missing", p + 1, n - 1)
                    };
                    out.report(
                        s.title_range.clone(),
                        format!("Step {n} follows Step {p}: {missing}; renumber the steps"),
                    );
                }
                _ => {}
            }
        }
        prev = Some(prev.map_or(n, |p| p.max(n)));
    }
}
