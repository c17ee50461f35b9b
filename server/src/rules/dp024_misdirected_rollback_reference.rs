use super::{RuleContext, RuleInfo, Sink};
use crate::diagnostic::Severity;

pub static INFO: RuleInfo = RuleInfo {
    code: "DP024",
    name: "misdirected-rollback-reference",
    default: Severity::Warning,
    deployment_only: true,
    summary: "rollback reference to a step outside the rollback section, or to a duplicated number",
    explanation: "\
A rollback reference is `Step N` in the same sentence as \"rollback\" or \"roll back\", outside
step titles: \"Proceed to rollback (Step 8)\". It must point to a step inside the rollback
section, and to a number only one step has.

Why: under pressure, the operator follows the reference, not the section headings.

Fix: point the reference at the first rollback step.",
};

pub fn check(ctx: &RuleContext, out: &mut Sink) {
    let steps = &ctx.model.steps;
    for r in ctx
        .model
        .step_refs
        .iter()
        .filter(|r| r.rollback && !r.in_title)
    {
        let targets: Vec<_> = steps.iter().filter(|s| s.number == r.number).collect();
        let first_rollback = steps.iter().find(|s| s.in_rollback).map(|s| s.number);
        let hint = first_rollback
            .map(|n| format!(": the rollback starts at Step {n}"))
            .unwrap_or_else(|| ": add a rollback section with its steps".to_string());
        match targets.as_slice() {
            [] => {} // DP023 reports it.
            [one] if !one.in_rollback => out.report(
                r.range.clone(),
                format!(
                    "rollback reference to Step {}, which is not a rollback step{hint}",
                    r.number
                ),
            ),
            [_] => {}
            _ => out.report(
                r.range.clone(),
                format!(
                    "rollback reference to Step {}, a number {} steps share: renumber the steps",
                    r.number,
                    targets.len()
                ),
            ),
        }
    }
}
