use super::{RuleContext, RuleInfo, Sink};
use crate::diagnostic::Severity;

pub static INFO: RuleInfo = RuleInfo {
    code: "DP041",
    name: "empty-section",
    default: Severity::Warning,
    deployment_only: true,
    summary: "required section present but empty",
    explanation: "\
A required section whose heading is followed by nothing (or only by empty subsections) is as good
as missing, but DP001 cannot see it.

Fix: write the section, or use the \"Write a scaffold\" quick fix, which inserts the section's
template (placeholders included) under its heading.",
};

pub fn check(ctx: &RuleContext, out: &mut Sink) {
    let m = ctx.model;
    for s in &m.sections {
        let required = ctx.config.sections.required.contains(&s.kind)
            || ctx.config.sections.recommended.contains(&s.kind);
        if !required {
            continue;
        }
        let body = m.section_body(s);
        let blocks = &m.facts.blocks;
        let first = blocks.partition_point(|b| b.range.start < body.start);
        let has_content = blocks[first..]
            .iter()
            .take_while(|b| b.range.start < body.end)
            .any(|b| {
                !matches!(b.kind, crate::analysis::syntax::BlockKind::Heading { .. })
                    && !ctx.text[b.range.clone()].trim().is_empty()
            });
        if !has_content {
            let h = &m.headings[s.heading];
            out.report(
                h.text_range.clone(),
                format!("section \"{}\" is empty: write its content", h.text),
            );
        }
    }
}
