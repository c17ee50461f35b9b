use super::{RuleContext, RuleInfo, Sink};
use crate::diagnostic::Severity;

pub static INFO: RuleInfo = RuleInfo {
    code: "DP040",
    name: "placeholder",
    default: Severity::Warning,
    deployment_only: false,
    summary: "placeholder left in prose: TODO, TBD, FIXME, {{…}}",
    explanation: "\
`TODO`, `TBD`, `FIXME` and template markers such as `{{service_name}}` in prose (not in code)
mean the spec is not finished.

Fix: replace the placeholder with the real content.",
};

pub fn check(ctx: &RuleContext, out: &mut Sink) {
    for r in &ctx.model.placeholders {
        let word = &ctx.text[r.clone()];
        out.report(
            r.clone(),
            format!("placeholder `{word}` left in the spec: replace it with the real content"),
        );
    }
}
