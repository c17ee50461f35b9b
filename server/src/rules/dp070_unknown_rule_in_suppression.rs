use super::{Rule, RuleContext, RuleInfo, Sink};
use crate::diagnostic::Severity;

pub static INFO: RuleInfo = RuleInfo {
    code: "DP070",
    name: "unknown-rule-in-suppression",
    default: Severity::Warning,
    deployment_only: false,
    summary: "suppression comment naming an unknown rule code",
    explanation: "\
`<!-- deployspec-disable DP999 -->` names no rule, so it suppresses nothing — probably a typo.

Fix: use a code or name from `deployspec explain` / the README's rule table.",
};

pub fn check(ctx: &RuleContext, out: &mut Sink) {
    for s in &ctx.model.suppressions {
        for (name, range) in &s.rules {
            if Rule::lookup(name).is_none() {
                out.report(
                    range.clone(),
                    format!("unknown rule `{name}` in suppression comment: use a code such as DP010 or a name such as unchecked-prerequisite"),
                );
            }
        }
    }
}
