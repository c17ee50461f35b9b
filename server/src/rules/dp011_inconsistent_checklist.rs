use super::{RuleContext, RuleInfo, Sink};
use crate::diagnostic::Severity;

pub static INFO: RuleInfo = RuleInfo {
    code: "DP011",
    name: "inconsistent-checklist",
    default: Severity::Warning,
    deployment_only: false,
    summary: "checked item whose nested items are not all checked",
    explanation: "\
A checked task item (`- [x]`) whose nested task items are not all checked claims more than is
true.

Fix: check the nested items, or uncheck the parent until they are done (both are quick fixes
in the editor).",
};

pub fn check(ctx: &RuleContext, out: &mut Sink) {
    let tasks = &ctx.model.tasks;
    // Each open item counts against every checked ancestor: one walk up per item.
    let mut open = vec![0usize; tasks.len()];
    for t in tasks.iter().filter(|t| !t.checked && !t.struck) {
        let mut p = t.parent;
        while let Some(i) = p {
            open[i] += 1;
            p = tasks[i].parent;
        }
    }
    for (t, &n) in tasks.iter().zip(&open) {
        if t.checked && n > 0 {
            out.report(
                t.line.clone(),
                format!(
                    "checked item has {n} unchecked nested item{}: check them or uncheck this one",
                    if n == 1 { "" } else { "s" }
                ),
            );
        }
    }
}
