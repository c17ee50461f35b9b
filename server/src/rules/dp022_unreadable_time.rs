use super::{RuleContext, RuleInfo, Sink};
use crate::analysis::model::TimeEstimate;
use crate::diagnostic::Severity;

pub static INFO: RuleInfo = RuleInfo {
    code: "DP022",
    name: "unreadable-time",
    default: Severity::Warning,
    deployment_only: true,
    summary: "time estimate present but unreadable",
    explanation: "\
A time line whose value is not a duration (`Time: soon`, `Time: 5`) cannot be added up.

Readable values: `~5 minutes`, `2-3 min`, `90s`, `1h`, `1.5 hours`, `1h 30m`; a range counts as
its upper bound.

Fix: write the estimate with a unit.",
};

pub fn check(ctx: &RuleContext, out: &mut Sink) {
    for s in &ctx.model.steps {
        if let TimeEstimate::Unreadable { range } = &s.time {
            let value = ctx.text[range.clone()].trim();
            out.report(
                range.clone(),
                format!(
                    "cannot read time estimate \"{value}\" of Step {}: write a duration such as `~5 minutes`, `90s` or `1.5 hours`",
                    s.number
                ),
            );
        }
    }
}
