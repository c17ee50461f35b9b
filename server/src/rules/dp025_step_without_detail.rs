use super::{RuleContext, RuleInfo, Sink};
use crate::diagnostic::Severity;

pub static INFO: RuleInfo = RuleInfo {
    code: "DP025",
    name: "step-without-detail",
    default: Severity::Information,
    deployment_only: true,
    summary: "step with no command or no verification",
    explanation: "\
A step says exactly what to run (a code block or a `Command:` line) and how to tell it worked (a
`Verify:` line or the expected output).

Fix: add the command and a `- Verify: …` line.",
};

pub fn check(ctx: &RuleContext, out: &mut Sink) {
    for s in &ctx.model.steps {
        let missing = match (s.has_command, s.has_verification) {
            (true, true) => continue,
            (false, true) => "a command (a code block or `Command:` line)",
            (true, false) => "a verification (`Verify:` line or expected output)",
            (false, false) => {
                "a command (a code block or `Command:` line) and a verification (`Verify:` line)"
            }
        };
        out.report(
            s.title_range.clone(),
            format!(
                "Step {} lacks {missing}: add it so the step can be run and checked",
                s.number
            ),
        );
    }
}
