use super::{RuleContext, RuleInfo, Sink};
use crate::analysis::model::SectionKind;
use crate::analysis::time::format_seconds;
use crate::diagnostic::Severity;

pub static INFO: RuleInfo = RuleInfo {
    code: "DP050",
    name: "slow-rollback",
    default: Severity::Warning,
    deployment_only: true,
    summary: "rollback takes longer than the forward deployment",
    explanation: "\
The rollback steps' time estimates add up to more than the forward steps' (steps without a
readable estimate count as 0).

Why: a rollback slower than the deployment it undoes usually means it was never rehearsed, or the
deployment window is too short to roll back in.

Fix: make the rollback faster (feature flags, blue/green switch), or correct the estimates.",
};

pub fn check(ctx: &RuleContext, out: &mut Sink) {
    let m = ctx.model;
    let (fwd, back) = (m.forward_seconds(), m.rollback_seconds());
    if back <= fwd {
        return;
    }
    let Some(rb) = m.section(SectionKind::Rollback) else {
        return;
    };
    out.report(
        m.headings[rb.heading].text_range.clone(),
        format!(
            "rollback steps add up to {}, longer than the deployment steps ({}): shorten the rollback or correct the estimates",
            format_seconds(back),
            format_seconds(fwd)
        ),
    );
}
