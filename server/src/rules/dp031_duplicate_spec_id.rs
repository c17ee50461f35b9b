use super::{document_anchor, RuleContext, RuleInfo, Sink};
use crate::diagnostic::Severity;

pub static INFO: RuleInfo = RuleInfo {
    code: "DP031",
    name: "duplicate-spec-id",
    default: Severity::Warning,
    deployment_only: false,
    summary: "spec ID defined by more than one file",
    explanation: "\
A spec's ID comes from its file name (`cmp-001-export.md` → CMP-001) or its front matter `id:`.
Two files with the same ID make every reference to it ambiguous.

Fix: give one of them a new number (rename the file, or change `id:`).",
};

pub fn check(ctx: &RuleContext, out: &mut Sink) {
    let Some(id) = ctx.file.id.as_deref() else {
        return;
    };
    let others: Vec<String> = ctx
        .index
        .lookup(id)
        .iter()
        .filter(|e| Some(e.path.as_path()) != ctx.file.path.as_deref())
        .map(|e| e.display.clone())
        .collect();
    if others.is_empty() {
        return;
    }
    let range = ctx
        .model
        .front_matter
        .as_ref()
        .and_then(|f| f.field_range("id"))
        .unwrap_or_else(|| document_anchor(ctx));
    out.report(
        range,
        format!(
            "{id} is also defined by {}: give one of them another number",
            others.join(", ")
        ),
    );
}
