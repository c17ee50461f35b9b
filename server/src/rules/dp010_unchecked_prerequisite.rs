use super::{RuleContext, RuleInfo, Sink};
use crate::analysis::model::SectionKind;
use crate::diagnostic::Severity;

pub static INFO: RuleInfo = RuleInfo {
    code: "DP010",
    name: "unchecked-prerequisite",
    default: Severity::Warning,
    deployment_only: true,
    summary: "unchecked prerequisite item",
    explanation: "\
Every `- [ ]` task item under Prerequisites is reported until it is checked (`- [x]`). Struck
through items (`- [ ] ~~no longer needed~~`) are exempt, and specs whose front matter says
`status: template` are not checked.

Why: a deployment that starts with an unmet prerequisite is the one that has to be rolled back.

Fix: confirm the prerequisite and check the box, or strike it through if it does not apply
(the editor's \"Mark as done\" quick fix checks it; `check --fix` never does).",
};

pub fn check(ctx: &RuleContext, out: &mut Sink) {
    let m = ctx.model;
    if m.front_matter
        .as_ref()
        .and_then(|f| f.get("status"))
        .is_some_and(|s| s.eq_ignore_ascii_case("template"))
    {
        return;
    }
    let Some(pre) = m.section(SectionKind::Prerequisites) else {
        return;
    };
    for t in &m.tasks {
        if !t.checked && !t.struck && pre.range.contains(&t.line.start) {
            let item = ctx.text[t.marker.end..t.line.end].trim();
            out.report(
                t.line.clone(),
                format!("unchecked prerequisite \"{item}\": confirm it and mark it `[x]`, or strike it through"),
            );
        }
    }
}
