use super::{document_anchor, RuleContext, RuleInfo, Sink};
use crate::analysis::model::SectionKind;
use crate::analysis::placement::Place;
use crate::diagnostic::Severity;
use crate::position::LineIndex;

pub static INFO: RuleInfo = RuleInfo {
    code: "DP001",
    name: "missing-section",
    default: Severity::Error,
    deployment_only: true,
    summary: "required section missing (post-deployment: recommended)",
    explanation: "\
A deployment-procedure spec needs these H2 sections: Prerequisites, Deployment Procedure,
Rollback (an H2, or an H3 inside the procedure), Success Criteria, Monitoring and
Troubleshooting. A Post-Deployment (\"After Deployment\") section is recommended and reported as
a warning.

Why: a runbook without a rollback or troubleshooting section is found out during the incident
that needed it.

Fix: add the section. The editor's quick fix inserts a scaffold at its canonical place: the
rollback gets one step per forward step that runs a command, in reverse order and numbered on,
each with a command block, a `Verify:` line and a `- Time:` line; troubleshooting gets an
`### Issue:` entry (Symptoms, Diagnosis, Fix) per step whose verification can fail. What only the
author knows stays a placeholder the rules keep flagging (`~? minutes`, `TBD`). Which sections
are required is configurable under [sections] in .deployspec.toml.",
};

pub fn check(ctx: &RuleContext, out: &mut Sink) {
    let anchor = document_anchor(ctx);
    let cfg = &ctx.config.sections;
    let mut lines = None;
    for (kinds, required) in [(&cfg.required, true), (&cfg.recommended, false)] {
        for &kind in kinds {
            if ctx.model.section(kind).is_some() {
                continue;
            }
            let lines = lines.get_or_insert_with(|| LineIndex::new(ctx.text));
            let name = kind.heading();
            let fix = where_it_goes(ctx, kind, lines);
            if required {
                out.report(
                    anchor.clone(),
                    format!("missing required section \"{name}\": {fix}"),
                );
            } else {
                out.report_with(
                    anchor.clone(),
                    Severity::Warning,
                    format!("missing recommended section \"{name}\": {fix}"),
                );
            }
        }
    }
}

/// "add a `## Rollback Procedure` section after "Deploying" (line 23)": the heading the quick
/// fix inserts (at the level the document's sections use), and its place among them.
fn where_it_goes(ctx: &RuleContext, kind: SectionKind, lines: &LineIndex) -> String {
    let m = ctx.model;
    let place = match m.section_neighbour(kind) {
        p @ (Place::After(i) | Place::Before(i)) => {
            let h = &m.headings[m.sections[i].heading];
            let line = lines.line_of(h.range.start) + 1;
            let side = if matches!(p, Place::After(_)) {
                "after"
            } else {
                "before"
            };
            format!(" {side} \"{}\" (line {line})", h.text)
        }
        Place::End => " at the end".to_string(),
    };
    let marks = "#".repeat(usize::from(m.section_level(kind)));
    format!("add a `{marks} {}` section{place}", kind.heading())
}
