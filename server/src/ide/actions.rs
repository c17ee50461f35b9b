//! Code actions: quick fixes tied to findings, and the fix-all. Plain functions from a
//! snapshot and a byte range to [`Action`]s; `lsp/features.rs` turns them into protocol edits.

use std::ops::Range;
use std::path::PathBuf;

use crate::analysis::model::{SectionKind, SpecModel, Step, StepForm};
use crate::diagnostic::Finding;
use crate::rules::Rule;

use super::{
    continuation, line_start, next_line, renumber, scaffold, Action, ActionKind, Edit, Env,
    NewFile, Snapshot, Template,
};

fn quick(title: impl Into<String>, finding: Option<usize>, edits: Vec<Edit>) -> Action {
    Action {
        title: title.into(),
        kind: ActionKind::QuickFix,
        finding,
        edits,
        snippet: false,
        create: None,
        preferred: false,
    }
}

/// Quick fixes for the findings on the lines `range` touches (what an editor asks for at the
/// cursor), plus "fill an empty spec" on a blank file.
pub fn quick_fixes(snap: &Snapshot, range: Range<usize>, env: &Env) -> Vec<Action> {
    let text = &*snap.text;
    let lo = line_start(text, range.start.min(text.len()));
    let hi = next_line(text, range.end.min(text.len()));
    let mut out = Vec::new();
    for (i, f) in snap.analysis.findings.iter().enumerate() {
        if f.range.start <= hi && f.range.end >= lo {
            for_finding(snap, i, f, env, &mut out);
        }
    }
    if let Some(a) = fill_empty(snap) {
        out.insert(0, a);
    }
    out
}

/// `source.fixAll.deployspec`: step renumbering with the references it implies, nothing else.
pub fn fix_all(snap: &Snapshot) -> Option<Action> {
    let edits = renumber::edits(snap);
    (!edits.is_empty()).then(|| Action {
        kind: ActionKind::FixAll,
        ..quick("Renumber the steps and their references", None, edits)
    })
}

/// Which section a DP001 finding is about: its message names the section's heading first
/// (then, maybe, the present section it goes after or before).
pub fn missing_kind(f: &Finding) -> Option<SectionKind> {
    SectionKind::ALL
        .into_iter()
        .filter_map(|k| Some((f.message.find(&format!("\"{}\"", k.heading()))?, k)))
        .min()
        .map(|(_, k)| k)
}

fn for_finding(snap: &Snapshot, i: usize, f: &Finding, env: &Env, out: &mut Vec<Action>) {
    let text = &*snap.text;
    let m = snap.model();
    let eol = snap.eol();
    match f.rule {
        Rule::MissingSection => {
            if let Some(kind) = missing_kind(f) {
                let edit = scaffold::missing_section(m, text, kind, env.snippets, eol);
                out.push(Action {
                    snippet: env.snippets,
                    preferred: matches!(kind, SectionKind::Rollback | SectionKind::Troubleshooting),
                    ..quick(
                        format!("Add a \"{}\" section", kind.heading()),
                        Some(i),
                        vec![edit],
                    )
                });
            }
        }
        Rule::EmptySection => {
            if let Some(s) = m
                .sections
                .iter()
                .find(|s| m.headings[s.heading].text_range == f.range)
            {
                let edit = scaffold::fill_section(m, text, s, env.snippets, eol);
                out.push(Action {
                    snippet: env.snippets,
                    preferred: true,
                    ..quick(
                        format!("Write a scaffold for \"{}\"", m.headings[s.heading].text),
                        Some(i),
                        vec![edit],
                    )
                });
            }
        }
        Rule::IncompleteTroubleshootingEntry => {
            if let Some(e) = m
                .troubleshooting
                .iter()
                .find(|e| m.headings[e.heading].text_range == f.range)
            {
                let mut t = Template::default();
                let parts = [
                    (!e.has_symptoms, "Symptoms", "what the operator sees"),
                    (!e.has_diagnosis, "Diagnosis", "how to confirm the cause"),
                    (!e.has_fix, "Fix", "what to do"),
                ];
                let mut first = true;
                for (_, label, what) in parts.iter().filter(|p| p.0) {
                    if !first {
                        t.text("\n");
                    }
                    first = false;
                    t.text(format!("**{label}**: "))
                        .hole(what, &format!("TBD: {what}"))
                        .text("\n");
                }
                let block = scaffold::render(&t, env.snippets, eol);
                let at = content_end(text, e.range.clone());
                out.push(Action {
                    snippet: env.snippets,
                    preferred: true,
                    ..quick(
                        "Complete the troubleshooting entry",
                        Some(i),
                        vec![scaffold::insert_block(text, at, &block, eol)],
                    )
                });
            }
        }
        Rule::StepWithoutTime => {
            if let Some(s) = m.steps.iter().find(|s| s.title_range == f.range) {
                out.push(Action {
                    snippet: env.snippets,
                    preferred: true,
                    ..quick(
                        format!("Add a time estimate to Step {}", s.number),
                        Some(i),
                        vec![time_line(text, s, env.snippets, eol)],
                    )
                });
            }
        }
        Rule::StepNumbering => {
            let edits = renumber::edits(snap);
            if !edits.is_empty() {
                out.push(Action {
                    preferred: true,
                    ..quick("Renumber the steps and their references", Some(i), edits)
                });
            }
        }
        Rule::UncheckedPrerequisite => {
            if let Some(t) = m.tasks.iter().find(|t| t.line == f.range) {
                out.push(Action {
                    preferred: true,
                    ..quick("Mark as done", Some(i), vec![mark(t.marker.clone(), true)])
                });
            }
        }
        Rule::InconsistentChecklist => {
            if let Some(p) = m.tasks.iter().position(|t| t.line == f.range) {
                out.push(quick(
                    "Uncheck this item",
                    Some(i),
                    vec![mark(m.tasks[p].marker.clone(), false)],
                ));
                let nested: Vec<Edit> = m
                    .tasks
                    .iter()
                    .enumerate()
                    .filter(|(_, t)| !t.checked && !t.struck && descends(m, t, p))
                    .map(|(_, t)| mark(t.marker.clone(), true))
                    .collect();
                out.push(quick("Check its nested items", Some(i), nested));
            }
        }
        Rule::BrokenReference => {
            if let Some(a) = create_spec(snap, i, f, env) {
                out.push(a);
            }
        }
        _ => {}
    }
    if let Some(a) = ignore(snap, i, f) {
        out.push(a);
    }
}

fn mark(marker: Range<usize>, checked: bool) -> Edit {
    Edit {
        range: marker,
        text: if checked { "[x]" } else { "[ ]" }.into(),
    }
}

fn descends(m: &SpecModel, t: &crate::analysis::model::TaskItem, ancestor: usize) -> bool {
    let mut p = t.parent;
    while let Some(i) = p {
        if i == ancestor {
            return true;
        }
        p = m.tasks[i].parent;
    }
    false
}

/// Just after the last line of `r` that holds something other than whitespace.
fn content_end(text: &str, r: Range<usize>) -> usize {
    let e = r.start + text[r.clone()].trim_end().len();
    if e == r.start {
        return r.start;
    }
    next_line(text, e)
}

/// A `- Time:` line at the end of a step (head at `head`, body ending at `end`): right under
/// a list the step ends with, else as a block of its own; indented like the step's head.
fn time_line(text: &str, step: &Step, snippet: bool, eol: &str) -> Edit {
    let (head, end) = (step.head.start, step.body.end);
    // A list-item step gets the line inside the item, at its content's column, with no blank
    // line before it: a line at the marker's column would end the list (and restart its
    // numbering).
    let item = matches!(step.form, StepForm::OrderedItem | StepForm::BulletItem);
    let indent = continuation(text, if item { step.title_range.start } else { head });
    let mut t = Template::default();
    scaffold::time_line(&mut t, &indent);
    let line = scaffold::render(&t, snippet, eol);
    let at = content_end(text, head..end);
    let last = text[line_start(text, at.saturating_sub(1).max(head))..at]
        .trim_start_matches([' ', '\t', '>']);
    if item || last.starts_with("- ") || last.starts_with("* ") || last.starts_with("+ ") {
        let lead = if at == text.len() && !text.ends_with('\n') {
            eol
        } else {
            ""
        };
        return Edit {
            range: at..at,
            text: format!("{lead}{line}"),
        };
    }
    scaffold::insert_block(text, at, &line, eol)
}

/// `<!-- deployspec-disable-next-line DPxxx -->` above the finding's line. Not offered inside a
/// table, nor on the line of a list-item step: a comment line cuts a table in two, and ends a
/// list (the items after it start a new list, renumbered from 1 if written `1. 1. 1.`).
fn ignore(snap: &Snapshot, i: usize, f: &Finding) -> Option<Action> {
    if f.rule == Rule::UnknownRuleInSuppression {
        // A suppression comment cannot silence a mistake in a suppression comment.
        return None;
    }
    let text = &*snap.text;
    let m = snap.model();
    let blocks = &m.facts.blocks;
    let first = blocks.partition_point(|b| b.range.end <= f.range.start);
    if blocks[first..]
        .iter()
        .take_while(|b| b.range.start <= f.range.start)
        .any(|b| b.kind == crate::analysis::syntax::BlockKind::TableCell)
    {
        return None;
    }
    let at = line_start(text, f.range.start.min(text.len()));
    if m.steps.iter().any(|s| {
        matches!(s.form, StepForm::OrderedItem | StepForm::BulletItem)
            && line_start(text, s.head.start) == at
    }) {
        return None;
    }
    let lead: String = text[at..]
        .chars()
        .take_while(|c| matches!(c, ' ' | '\t' | '>'))
        .collect();
    let code = f.rule.code();
    // Without a title, findings about the whole document sit on its first line, which a
    // comment inserted above becomes: ignore those from here on instead.
    let body = m
        .front_matter
        .as_ref()
        .map_or(0, |fm| fm.range.end)
        .min(text.len());
    let first = body + (text[body..].len() - text[body..].trim_start().len());
    let (title, comment) = if m.title.is_none() && f.range.start == first {
        (format!("Ignore {code} in this file"), "deployspec-disable")
    } else {
        (
            format!("Ignore {code} for this line"),
            "deployspec-disable-next-line",
        )
    };
    Some(quick(
        title,
        Some(i),
        vec![Edit {
            range: at..at,
            text: format!("{lead}<!-- {comment} {code} -->{}", snap.eol()),
        }],
    ))
}

/// The folder specs with this prefix live in: where the index has one, else by convention.
fn folder_for(prefix: &str, env: &Env) -> String {
    if let Some(index) = &env.index {
        let p = format!("{}-", prefix.to_ascii_uppercase());
        if let Some(kind) = index
            .entries()
            .iter()
            .filter(|e| e.id.starts_with(&p))
            .find_map(|e| e.kind.clone())
        {
            return kind;
        }
    }
    match prefix.to_ascii_uppercase().as_str() {
        "CMP" => "component".into(),
        "DES" => "design".into(),
        "DEPLOY" => "deployment-procedure".into(),
        other => other.to_ascii_lowercase(),
    }
}

fn create_spec(snap: &Snapshot, i: usize, f: &Finding, env: &Env) -> Option<Action> {
    if !env.create_files {
        return None;
    }
    let root = env.spec_root.as_ref()?;
    let r = snap.model().spec_refs.iter().find(|r| r.range == f.range)?;
    let id = r.id.to_string();
    let prefix = id.split('-').next()?;
    let kind = folder_for(prefix, env);
    let path: PathBuf = root
        .join(&kind)
        .join(format!("{}.md", id.to_ascii_lowercase()));
    let text = crate::templates::render(&kind, &id, "Untitled");
    Some(Action {
        create: Some(NewFile { path, text }),
        ..quick(format!("Create {id} ({kind})"), Some(i), Vec::new())
    })
}

/// A blank spec file gets the full template of its type.
fn fill_empty(snap: &Snapshot) -> Option<Action> {
    if !snap.text.trim().is_empty() {
        return None;
    }
    let file = &snap.analysis.file;
    let id = file.id.clone()?;
    let kind = if file.deployment {
        "deployment-procedure".to_string()
    } else {
        file.path
            .as_ref()
            .and_then(|p| p.parent()?.file_name())
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_else(|| "component".into())
    };
    let slug = file
        .path
        .as_ref()
        .and_then(|p| p.file_stem())
        .map(|s| s.to_string_lossy().to_string())
        .unwrap_or_default();
    let mut body = crate::templates::render(&kind, &id, &crate::templates::title_from_slug(&slug));
    if snap.eol() == "\r\n" {
        body = body.replace('\n', "\r\n");
    }
    let finding = snap
        .analysis
        .findings
        .iter()
        .position(|f| f.rule == Rule::MissingSection);
    Some(Action {
        preferred: true,
        ..quick(
            format!("Fill with the {kind} template"),
            finding,
            vec![Edit {
                range: 0..snap.text.len(),
                text: body,
            }],
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ide::apply;
    use crate::ide::test_support::{cursor, snapshot, snapshot_at};

    /// Applies the action titled `title` offered at the `$0` cursor; panics if it is not offered.
    fn apply_at(marked: &str, title: &str) -> String {
        let (text, at) = cursor(marked);
        let snap = snapshot(&text);
        let actions = quick_fixes(&snap, at..at, &Env::default());
        let a = actions
            .iter()
            .find(|a| a.title == title)
            .unwrap_or_else(|| panic!("no `{title}` in {:?}", titles(&actions)));
        apply(&text, &a.edits)
    }

    fn titles(actions: &[Action]) -> Vec<&str> {
        actions.iter().map(|a| a.title.as_str()).collect()
    }

    fn offered(marked: &str) -> Vec<String> {
        let (text, at) = cursor(marked);
        let snap = snapshot(&text);
        quick_fixes(&snap, at..at, &Env::default())
            .into_iter()
            .map(|a| a.title)
            .collect()
    }

    const PROC: &str = "## Deployment Procedure\n\n";

    #[test]
    fn time_line_under_the_step_list() {
        let got = apply_at(
            &format!("# T\n\n{PROC}**Step 1: Go$0**\n\n```sh\nrun\n```\n\n- Verify: ok\n\n**Step 2: B**\n\n- Time: 1m\n"),
            "Add a time estimate to Step 1",
        );
        assert!(
            got.contains("- Verify: ok\n- Time: ~? minutes\n\n**Step 2"),
            "{got}"
        );
    }

    #[test]
    fn time_line_as_its_own_block_after_a_paragraph_or_a_heading() {
        let got = apply_at(
            &format!("# T\n\n{PROC}### Step 1: Go$0\n\nRun it.\n"),
            "Add a time estimate to Step 1",
        );
        assert_eq!(
            got,
            format!("# T\n\n{PROC}### Step 1: Go\n\nRun it.\n\n- Time: ~? minutes\n")
        );
        let got = apply_at(
            &format!("# T\n\n{PROC}### Step 1: Go$0\n### Step 2: B\n- Time: 2m"),
            "Add a time estimate to Step 1",
        );
        assert_eq!(
            got,
            format!(
                "# T\n\n{PROC}### Step 1: Go\n\n- Time: ~? minutes\n\n### Step 2: B\n- Time: 2m"
            )
        );
    }

    #[test]
    fn time_line_keeps_the_step_indentation() {
        let got = apply_at(
            &format!("# T\n\n{PROC}1. **Step 1: Go$0**\n   - Verify: ok\n"),
            "Add a time estimate to Step 1",
        );
        assert!(
            got.ends_with("   - Verify: ok\n   - Time: ~? minutes\n"),
            "{got}"
        );
    }

    #[test]
    fn time_line_inside_an_ordered_item_step() {
        // The line goes inside the item, so the list (and its numbering) stays one list.
        for (text, action, want) in [
            (
                format!("# T\n\n{PROC}1. Build$0\n2. Deploy\n   - Time: 5m\n"),
                "Add a time estimate to Step 1",
                format!("# T\n\n{PROC}1. Build\n   - Time: ~? minutes\n2. Deploy\n   - Time: 5m\n"),
            ),
            (
                format!("# T\n\n{PROC}10) Build$0\n\n    ```\n    make\n    ```\n\n11) Deploy\n     - Time: 5m\n"),
                "Add a time estimate to Step 10",
                format!("# T\n\n{PROC}10) Build\n\n    ```\n    make\n    ```\n    - Time: ~? minutes\n\n11) Deploy\n     - Time: 5m\n"),
            ),
        ] {
            let got = apply_at(&text, action);
            assert_eq!(got, want);
            let steps = snapshot(&got).model().steps.clone();
            assert_eq!(steps.len(), 2, "{got}");
            assert!(steps[0].time != crate::analysis::model::TimeEstimate::Missing, "{got}");
        }
    }

    #[test]
    fn no_ignore_comment_on_a_list_item_step() {
        let o = offered(&format!("# T\n\n{PROC}1. Build\n1. Deploy$0\n"));
        assert!(o.iter().any(|t| t.starts_with("Add a time")), "{o:?}");
        assert!(!o.iter().any(|t| t.starts_with("Ignore")), "{o:?}");
        let o = offered(&format!(
            "# T\n\n{PROC}- Step 1: Build\n- Step 2: Deploy$0\n"
        ));
        assert!(!o.iter().any(|t| t.starts_with("Ignore")), "{o:?}");
        // A bold step still gets it.
        let o = offered(&format!("# T\n\n{PROC}**Step 1: Go$0**\n"));
        assert!(o.iter().any(|t| t.starts_with("Ignore DP020")), "{o:?}");
    }

    #[test]
    fn no_time_action_where_the_step_has_one() {
        let o = offered(&format!("# T\n\n{PROC}**Step 1: Go$0**\n\n- Time: 5m\n"));
        assert!(!o.iter().any(|t| t.starts_with("Add a time")), "{o:?}");
    }

    #[test]
    fn toggle_task_items() {
        let text = "# T\n\n## Prerequisites\n\n- [ ] a$0\n- [x] b\n  - [ ] c\n";
        assert!(apply_at(text, "Mark as done").contains("- [x] a\n"));
        let text = "# T\n\n## Prerequisites\n\n- [x] b$0\n  - [ ] c\n  - [x] d\n";
        assert_eq!(
            apply_at(text, "Check its nested items"),
            "# T\n\n## Prerequisites\n\n- [x] b\n  - [x] c\n  - [x] d\n"
        );
        assert!(apply_at(text, "Uncheck this item").contains("- [ ] b\n"));
    }

    #[test]
    fn ignore_inserts_a_disable_next_line_comment_keeping_the_indent() {
        let text = "# T\n\n## Prerequisites\n\n- [x] b\n  - [ ] c$0\n";
        let got = apply_at(text, "Ignore DP010 for this line");
        assert_eq!(
            got,
            "# T\n\n## Prerequisites\n\n- [x] b\n  <!-- deployspec-disable-next-line DP010 -->\n  - [ ] c\n"
        );
        let after = snapshot(&got);
        assert!(!after
            .analysis
            .findings
            .iter()
            .any(|f| f.rule == Rule::UncheckedPrerequisite));
    }

    #[test]
    fn no_ignore_for_a_broken_suppression() {
        let text = "# T\n\n<!-- deployspec-disable-next-line DP999 -->$0\nText.\n";
        let snap = snapshot(&cursor(text).0);
        assert!(snap
            .analysis
            .findings
            .iter()
            .any(|f| f.rule == Rule::UnknownRuleInSuppression));
        let o = offered(text);
        assert!(!o.iter().any(|t| t.contains("DP070")), "{o:?}");
    }

    #[test]
    fn rollback_and_troubleshooting_offered_on_the_title() {
        let o = offered(&format!("# T$0\n\n{PROC}**Step 1: Go**\n"));
        for want in [
            "Add a \"Rollback Procedure\" section",
            "Add a \"Troubleshooting\" section",
            "Add a \"Prerequisites\" section",
            "Ignore DP001 for this line",
        ] {
            assert!(o.iter().any(|t| t == want), "{want} not in {o:?}");
        }
        // Nothing about sections away from the title.
        let o = offered(&format!("# T\n\n{PROC}**Step 1: Go**\n\nText$0.\n"));
        assert!(!o.iter().any(|t| t.starts_with("Add a \"")), "{o:?}");
    }

    #[test]
    fn a_missing_section_at_the_level_of_the_documents_sections() {
        let got = apply_at(
            "# T$0\n\n### Executing the release\n\n1. Tag\n",
            "Add a \"Troubleshooting\" section",
        );
        assert!(
            got.starts_with("# T\n\n### Executing the release\n\n1. Tag\n\n### Troubleshooting\n"),
            "{got}"
        );
    }

    #[test]
    fn complete_troubleshooting_entry() {
        let text = "# T\n\n## Troubleshooting\n\n### Issue: slow$0\n\n**Symptoms**: latency\n\n## After Deployment\n\n- done\n";
        let got = apply_at(text, "Complete the troubleshooting entry");
        assert_eq!(got, "# T\n\n## Troubleshooting\n\n### Issue: slow\n\n**Symptoms**: latency\n\n**Diagnosis**: TBD: how to confirm the cause\n\n**Fix**: TBD: what to do\n\n## After Deployment\n\n- done\n");
    }

    #[test]
    fn empty_section_gets_its_body() {
        let text = "# T\n\n## Monitoring$0\n\n## Troubleshooting\n\nx\n";
        let got = apply_at(text, "Write a scaffold for \"Monitoring\"");
        assert!(got.starts_with("# T\n\n## Monitoring\n\n- Dashboards: TBD: the dashboards to watch\n- Alerts: TBD: the alerts that fire when it goes wrong\n\n## Troubleshooting"), "{got}");
    }

    #[test]
    fn renumber_offered_only_where_numbering_is_wrong() {
        let text = format!("# T\n\n{PROC}**Step 1: A**\n\n**Step 3: B$0**\n");
        assert!(
            apply_at(&text, "Renumber the steps and their references").contains("**Step 2: B**")
        );
        let o = offered(&format!("# T\n\n{PROC}**Step 1: A**\n\n**Step 2: B$0**\n"));
        assert!(!o.iter().any(|t| t.starts_with("Renumber")));
    }

    #[test]
    fn fill_an_empty_spec_with_its_template() {
        let snap = snapshot_at(
            "\n",
            "docs/specs/deployment-procedure/deploy-004-billing-db.md",
        );
        let a = quick_fixes(&snap, 0..0, &Env::default());
        assert_eq!(a[0].title, "Fill with the deployment-procedure template");
        let out = apply("\n", &a[0].edits);
        assert!(out.starts_with("---\nid: DEPLOY-004\n"), "{out}");
        assert!(out.contains("# Billing Db\n"));
        // A file with content is never replaced.
        let snap = snapshot_at("# T\n", "docs/specs/deployment-procedure/deploy-004-x.md");
        assert!(!quick_fixes(&snap, 0..0, &Env::default())
            .iter()
            .any(|a| a.title.starts_with("Fill")));
    }
}
