use super::{RuleContext, RuleInfo, Sink};
use crate::diagnostic::Severity;

pub static INFO: RuleInfo = RuleInfo {
    code: "DP023",
    name: "unknown-step",
    default: Severity::Error,
    deployment_only: true,
    summary: "reference to a step that does not exist",
    explanation: "\
`Step N` in prose (not in code) must name a step of this procedure. Checked only in specs that
define steps at all.

Why: \"if this fails, go to Step 12\" in a procedure of ten steps sends the operator nowhere.

Fix: point the reference at the right step; after renumbering, use the editor's \"Renumber
steps\" action, which updates references too.",
};

pub fn check(ctx: &RuleContext, out: &mut Sink) {
    let steps = &ctx.model.steps;
    if steps.is_empty() {
        return;
    }
    let max = steps.iter().map(|s| s.number).max().unwrap_or(0);
    for r in &ctx.model.step_refs {
        if !steps.iter().any(|s| s.number == r.number) {
            out.report(
                r.range.clone(),
                format!(
                    "Step {} does not exist (this procedure has steps up to {max}): reference an existing step",
                    r.number
                ),
            );
        }
    }
}
