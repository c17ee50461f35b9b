use super::{RuleContext, RuleInfo, Sink};
use crate::diagnostic::Severity;

pub static INFO: RuleInfo = RuleInfo {
    code: "DP030",
    name: "broken-reference",
    default: Severity::Error,
    deployment_only: false,
    summary: "cross-reference to a spec ID that no file defines",
    explanation: "\
`[PREFIX-NNN]` in prose (plain, as link text, or as a reference label) must name a spec that
exists under the spec root. Only known prefixes count: CMP, DES, DEPLOY, every prefix present in
the workspace, and those under [references] prefixes; `[JIRA-123]` is not a spec reference unless
configured. The ID is alone between the brackets, digits after the hyphen: `[CLIENT-URL]`,
`[DATE]`, `[!NOTE]`, `[RC.0 only]` or `[CMP-001 notes]` are not references. References inside
code are ignored. Checked only when the spec root exists.

Fix: correct the ID (the message names the closest existing ones), or create the spec
(`deployspec new component cmp-004-name`, or the editor's \"Create CMP-004\" quick fix where the
editor can create files).",
};

pub fn check(ctx: &RuleContext, out: &mut Sink) {
    if !ctx.index.is_authoritative() {
        // No spec root: whether an ID exists is unknown, and guessing would flood the file.
        return;
    }
    let mut nearest: std::collections::HashMap<std::sync::Arc<str>, Vec<String>> =
        Default::default();
    for r in &ctx.model.spec_refs {
        let prefix = r.id.split('-').next().unwrap_or("");
        let known = ctx
            .config
            .references
            .prefixes
            .iter()
            .any(|p| p.eq_ignore_ascii_case(prefix))
            || ctx.index.has_prefix(prefix);
        if !known || ctx.index.contains(&r.id) {
            continue;
        }
        // The same broken ID tends to recur; look its neighbours up once.
        let near = nearest
            .entry(r.id.clone())
            .or_insert_with(|| ctx.index.nearest(&r.id, 3));
        let hint = if near.is_empty() {
            format!("create it, or correct the ID (no spec with prefix {prefix} exists yet)")
        } else {
            format!("did you mean {}?", near.join(", "))
        };
        out.report(r.range.clone(), format!("no spec defines {}: {hint}", r.id));
    }
}
