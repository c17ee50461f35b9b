use super::{document_anchor, RuleContext, RuleInfo, Sink};
use crate::diagnostic::Severity;

pub static INFO: RuleInfo = RuleInfo {
    code: "DP002",
    name: "missing-metadata",
    default: Severity::Warning,
    deployment_only: true,
    summary: "title or metadata (Component, Target, Owner) missing",
    explanation: "\
A deployment-procedure spec has a title — an H1, or a `title:` field in front matter as static
site generators (Hugo, Jekyll) write it — and names its Component, Target and Owner, either as
`**Component**: …` lines before the first H2 or as front matter fields.

Why: whoever runs the procedure at 3 a.m. needs to know what it deploys, where, and whom to call.

Fix: add `# Title` and the missing `**Field**: value` lines under it.",
};

pub fn check(ctx: &RuleContext, out: &mut Sink) {
    let m = ctx.model;
    let anchor = document_anchor(ctx);
    let fm = m.front_matter.as_ref();
    // Sites built by Hugo or Jekyll render front matter `title:` as the page's H1.
    let fm_title = fm
        .and_then(|fm| fm.get("title"))
        .is_some_and(|t| !t.trim().is_empty());
    if m.title.is_none() && !fm_title {
        out.report(
            anchor.clone(),
            "missing title: start the spec with a `# Title` heading",
        );
    }
    let missing: Vec<&str> = ["Component", "Target", "Owner"]
        .into_iter()
        .filter(|f| {
            let key = f.to_ascii_lowercase();
            !m.metadata.iter().any(|l| *l.label == key)
                && fm.and_then(|fm| fm.get(&key)).is_none_or(str::is_empty)
        })
        .collect();
    if !missing.is_empty() {
        let lines: Vec<String> = missing.iter().map(|f| format!("`**{f}**: …`")).collect();
        out.report(
            anchor,
            format!(
                "missing metadata {}: add {} before the first section",
                missing.join(", "),
                lines.join(", ")
            ),
        );
    }
}
