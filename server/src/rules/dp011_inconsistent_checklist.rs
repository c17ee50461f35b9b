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

Fix: check the nested items, or uncheck the parent until they are done.",
};

pub fn check(ctx: &RuleContext, out: &mut Sink) {
    let tasks = &ctx.model.tasks;
    for (i, t) in tasks.iter().enumerate() {
        if !t.checked {
            continue;
        }
        let open = tasks
            .iter()
            .enumerate()
            .filter(|(_, c)| !c.checked && !c.struck && descends_from(tasks, c.parent, i))
            .count();
        if open > 0 {
            out.report(
                t.line.clone(),
                format!(
                    "checked item has {open} unchecked nested item{}: check them or uncheck this one",
                    if open == 1 { "" } else { "s" }
                ),
            );
        }
    }
}

fn descends_from(
    tasks: &[crate::analysis::model::TaskItem],
    mut p: Option<usize>,
    root: usize,
) -> bool {
    while let Some(i) = p {
        if i == root {
            return true;
        }
        p = tasks[i].parent;
    }
    false
}
