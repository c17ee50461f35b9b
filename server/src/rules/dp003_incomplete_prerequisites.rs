use super::{RuleContext, RuleInfo, Sink};
use crate::analysis::model::{PrereqGroup, SectionKind};
use crate::diagnostic::Severity;

pub static INFO: RuleInfo = RuleInfo {
    code: "DP003",
    name: "incomplete-prerequisites",
    default: Severity::Warning,
    deployment_only: true,
    summary: "prerequisites lack a group: infrastructure, code & build, team & access, approvals",
    explanation: "\
The Prerequisites section is organised in groups, one heading level below it (H3s under an H2): Infrastructure, Code & Build, Team & Access
and Approvals (others, such as Pre-Deployment Verification, are optional).

Why: each group is a class of blocker that has stopped real deployments halfway.

Fix: add the missing `### Group` headings with their checklist items.",
};

pub fn check(ctx: &RuleContext, out: &mut Sink) {
    let m = ctx.model;
    let Some(pre) = m.section(SectionKind::Prerequisites) else {
        return;
    };
    let missing: Vec<&str> = PrereqGroup::ALL
        .into_iter()
        .filter(|g| !m.prereq_groups.contains(g))
        .map(PrereqGroup::title)
        .collect();
    if !missing.is_empty() {
        let h = &m.headings[pre.heading];
        // Groups sit one level below the prerequisites heading, wherever that is.
        let marks = "#".repeat(usize::from(h.level + 1).min(6));
        out.report(
            h.text_range.clone(),
            format!(
                "prerequisites lack {}: add a `{marks} {}` group",
                missing.join(", "),
                missing[0]
            ),
        );
    }
}
