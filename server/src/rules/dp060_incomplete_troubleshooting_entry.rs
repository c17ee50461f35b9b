use super::{RuleContext, RuleInfo, Sink};
use crate::diagnostic::Severity;

pub static INFO: RuleInfo = RuleInfo {
    code: "DP060",
    name: "incomplete-troubleshooting-entry",
    default: Severity::Information,
    deployment_only: true,
    summary: "troubleshooting entry without Symptoms, Diagnosis or Fix",
    explanation: "\
Each troubleshooting entry (`### Issue: …` under Troubleshooting) says what the operator sees
(Symptoms), how to confirm the cause (Diagnosis), and what to do (Fix or Recovery), as
`**Symptoms**:` lines or `####` subheadings.

Fix: add the missing parts (the \"Complete the troubleshooting entry\" quick fix adds their
labels with placeholders to fill in).",
};

pub fn check(ctx: &RuleContext, out: &mut Sink) {
    let m = ctx.model;
    for e in &m.troubleshooting {
        let mut missing = Vec::new();
        if !e.has_symptoms {
            missing.push("Symptoms");
        }
        if !e.has_diagnosis {
            missing.push("Diagnosis");
        }
        if !e.has_fix {
            missing.push("Fix");
        }
        if missing.is_empty() {
            continue;
        }
        let h = &m.headings[e.heading];
        let lines: Vec<String> = missing.iter().map(|w| format!("`**{w}**:`")).collect();
        out.report(
            h.text_range.clone(),
            format!(
                "troubleshooting entry lacks {}: add {}",
                missing.join(", "),
                lines.join(", ")
            ),
        );
    }
}
