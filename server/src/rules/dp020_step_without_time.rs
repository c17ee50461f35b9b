use super::{RuleContext, RuleInfo, Sink};
use crate::analysis::model::TimeEstimate;
use crate::diagnostic::Severity;

pub static INFO: RuleInfo = RuleInfo {
    code: "DP020",
    name: "step-without-time",
    default: Severity::Warning,
    deployment_only: true,
    summary: "step without a time estimate",
    explanation: "\
Every step of the procedure (rollback steps included) carries a time estimate: a line such as
`- Time: ~15 minutes` in its body (labels Time, Duration, Estimated time, ETA).

Why: estimates add up to the deployment window and tell the operator when a step is taking too
long.

Fix: add `- Time: ~5 minutes` (with a real number) to the step. The editor's quick fix adds
the line with `~? minutes`, which DP022 flags until you write the estimate: deployspec never
invents one, and `check --fix` does not touch estimates.",
};

pub fn check(ctx: &RuleContext, out: &mut Sink) {
    for s in &ctx.model.steps {
        if s.time == TimeEstimate::Missing {
            out.report(
                s.title_range.clone(),
                format!(
                    "Step {} has no time estimate: add a line such as `- Time: ~5 minutes`",
                    s.number
                ),
            );
        }
    }
}
