//! Section scaffolds: the text a missing or empty section gets, built from what the spec already
//! says (the rollback mirrors the forward steps that change something, troubleshooting has one
//! entry per step that says how it is verified). An estimate or a fact is never invented: each
//! is a tab stop in a snippet, or a visible placeholder the rules keep flagging (`~? minutes`
//! for DP022, `TBD` for DP040).

use crate::analysis::model::{SectionKind, SpecModel, Step};

use super::{next_line, Edit, Template};

/// A tab stop for prose the author must write: plain text shows `TBD: …`, which DP040 flags.
fn prose(t: &mut Template, what: &str) {
    t.hole(what, &format!("TBD: {what}"));
}

/// A tab stop on a time estimate's number: plain text shows `~? minutes`, which DP022 flags.
pub fn time_line(t: &mut Template, indent: &str) {
    t.text(format!("{indent}- Time: ~"))
        .hole("5", "?")
        .text(" minutes\n");
}

/// Step title text that is safe inside `**…**`.
fn clean_title(s: &str) -> String {
    let t: String = s
        .chars()
        .filter(|c| !matches!(c, '*' | '_' | '`' | '[' | ']' | '<' | '>' | '\\'))
        .collect();
    t.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn verification(m: &SpecModel, text: &str, s: &Step) -> Option<String> {
    let first = m.labels.partition_point(|l| l.line.start < s.body.start);
    m.labels[first..]
        .iter()
        .take_while(|l| l.line.start < s.body.end)
        .find(|l| l.label.starts_with("verif") || l.label.starts_with("expected"))
        .map(|l| text[l.value.clone()].trim().to_string())
        .filter(|v| !v.is_empty())
}

fn step_block(t: &mut Template, number: u32, title: &str, command: &str, verify: &str) {
    t.text(format!("**Step {number}: {title}**\n\n```bash\n"));
    t.hole(command, command);
    t.text("\n```\n\n- Verify: ");
    prose(t, verify);
    t.text("\n");
    time_line(t, "");
}

/// The rollback steps: one per forward step with a command, in reverse order, numbered after
/// the last step; one generic step when no forward step changes anything.
fn rollback_steps(m: &SpecModel, t: &mut Template) {
    let next = m.steps.iter().map(|s| s.number).max().unwrap_or(0) + 1;
    let changing: Vec<&Step> = m
        .steps
        .iter()
        .filter(|s| !s.in_rollback && s.has_command)
        .collect();
    if changing.is_empty() {
        step_block(
            t,
            next,
            "Restore the previous version",
            "# the command that restores the previous version",
            "the previous version serves traffic",
        );
        return;
    }
    for (i, s) in changing.iter().rev().enumerate() {
        let number = next + i as u32;
        if i > 0 {
            t.text("\n");
        }
        let title = clean_title(&s.title);
        let title = if title.is_empty() {
            format!("Undo Step {}", s.number)
        } else {
            format!("Undo Step {} — {title}", s.number)
        };
        step_block(
            t,
            number,
            &title,
            &format!("# the command that undoes Step {}", s.number),
            &format!("the changes of Step {} are gone", s.number),
        );
    }
}

fn troubleshooting_entries(m: &SpecModel, text: &str, t: &mut Template) {
    let rollback = m.steps.iter().find(|s| s.in_rollback).map(|s| s.number);
    let risky: Vec<(&Step, String)> = m
        .steps
        .iter()
        .filter(|s| !s.in_rollback && s.has_command)
        .filter_map(|s| Some((s, verification(m, text, s)?)))
        .collect();
    if risky.is_empty() {
        t.text("### Issue: ");
        prose(t, "the deployment fails");
        t.text("\n\n**Symptoms**: ");
        prose(t, "what the operator sees");
        t.text("\n\n**Diagnosis**: ");
        prose(t, "how to confirm the cause");
        t.text("\n\n**Fix**: ");
        prose(t, "what to do");
        t.text("\n");
        return;
    }
    for (i, (s, verify)) in risky.iter().enumerate() {
        if i > 0 {
            t.text("\n");
        }
        t.text(format!(
            "### Issue: Step {} fails its verification\n\n**Symptoms**: the check of Step {} does not hold ({verify}).\n\n**Diagnosis**: ",
            s.number, s.number
        ));
        prose(t, "how to confirm the cause");
        t.text("\n\n**Fix**: ");
        prose(t, "what to do");
        if let Some(r) = rollback {
            t.text(format!("; if that does not help, roll back (Step {r})"));
        }
        t.text(".\n");
    }
}

/// The body of a section of `kind` (without its heading), lines ending in `\n`.
pub fn body(m: &SpecModel, text: &str, kind: SectionKind) -> Template {
    let mut t = Template::default();
    match kind {
        SectionKind::Prerequisites => {
            let groups = [
                ("Infrastructure", "Target environment is healthy"),
                ("Code & Build", "Release build is green in CI"),
                ("Team & Access", "Deployer has production access"),
                ("Approvals", "Change request approved"),
            ];
            for (i, (group, item)) in groups.into_iter().enumerate() {
                if i > 0 {
                    t.text("\n");
                }
                t.text(format!("### {group}\n\n- [ ] "))
                    .hole(item, item)
                    .text("\n");
            }
        }
        SectionKind::Procedure => {
            step_block(
                &mut t,
                1,
                "Deploy the new version",
                "# the exact command",
                "the health check passes",
            );
        }
        SectionKind::Rollback => rollback_steps(m, &mut t),
        SectionKind::SuccessCriteria => {
            for item in [
                "Error rate is at or below its baseline",
                "Latency is at or below its baseline",
            ] {
                t.text("- [ ] ").hole(item, item).text("\n");
            }
        }
        SectionKind::Monitoring => {
            t.text("- Dashboards: ");
            prose(&mut t, "the dashboards to watch");
            t.text("\n- Alerts: ");
            prose(&mut t, "the alerts that fire when it goes wrong");
            t.text("\n");
        }
        SectionKind::Troubleshooting => troubleshooting_entries(m, text, &mut t),
        SectionKind::PostDeployment => {
            t.text("- [ ] ")
                .hole("Close the change request", "Close the change request")
                .text("\n");
        }
    }
    t
}

/// Renders `t` with the document's line endings.
pub fn render(t: &Template, snippet: bool, eol: &str) -> String {
    let s = t.render(snippet);
    if eol == "\n" {
        s
    } else {
        s.replace('\n', eol)
    }
}

/// Inserts `block` (whole lines) at `at`, a line start or the end of the text, as a block of
/// its own: a blank line before it (unless there is one) and after it (unless at the end).
pub fn insert_block(text: &str, at: usize, block: &str, eol: &str) -> Edit {
    let before = &text[..at];
    let mut s = String::new();
    if at > 0 {
        if !before.ends_with('\n') {
            s.push_str(eol);
            s.push_str(eol);
        } else if !(before.ends_with("\n\n") || before.ends_with("\n\r\n")) {
            s.push_str(eol);
        }
    }
    s.push_str(block);
    let after = &text[at..];
    if !(after.is_empty() || after.starts_with('\n') || after.starts_with("\r\n")) {
        s.push_str(eol);
    }
    Edit {
        range: at..at,
        text: s,
    }
}

/// The whole missing section `kind` inserted at its canonical place.
pub fn missing_section(
    m: &SpecModel,
    text: &str,
    kind: SectionKind,
    snippet: bool,
    eol: &str,
) -> Edit {
    let mut t = Template::default();
    // At the level of the document's sections (`###` where they are H3s).
    let marks = "#".repeat(usize::from(m.section_level(kind)));
    t.text(format!("{marks} {}\n\n", kind.heading()));
    let mut full = render(&t, snippet, eol);
    full.push_str(&render(&body(m, text, kind), snippet, eol));
    insert_block(text, m.section_place(kind, text.len()), &full, eol)
}

/// The content of an empty section, inserted after its heading.
pub fn fill_section(
    m: &SpecModel,
    text: &str,
    section: &crate::analysis::model::Section,
    snippet: bool,
    eol: &str,
) -> Edit {
    let h = &m.headings[section.heading];
    let at = if text[..h.range.end].ends_with('\n') {
        h.range.end
    } else {
        next_line(text, h.range.end)
    };
    let block = render(&body(m, text, section.kind), snippet, eol);
    insert_block(text, at, &block, eol)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ide::apply;
    use crate::ide::test_support::snapshot;

    const FORWARD: &str = "# Deploy\n\n## Deployment Procedure\n\n**Step 1: Announce**\n\n- Time: ~1 minute\n\n**Step 2: Deploy *v2***\n\n```bash\nkubectl apply -f v2.yaml\n```\n\n- Verify: pods are ready\n- Time: ~10 minutes\n\n**Step 3: Migrate**\n\n```bash\n./migrate.sh\n```\n\n- Time: ~5 minutes\n\n## Monitoring\n\nDashboards.\n";

    #[test]
    fn rollback_mirrors_the_changing_steps_in_reverse() {
        let snap = snapshot(FORWARD);
        let e = missing_section(snap.model(), FORWARD, SectionKind::Rollback, false, "\n");
        let out = apply(FORWARD, &[e]);
        let expected_tail = "## Rollback Procedure\n\n**Step 4: Undo Step 3 — Migrate**\n\n```bash\n# the command that undoes Step 3\n```\n\n- Verify: TBD: the changes of Step 3 are gone\n- Time: ~? minutes\n\n**Step 5: Undo Step 2 — Deploy v2**\n\n```bash\n# the command that undoes Step 2\n```\n\n- Verify: TBD: the changes of Step 2 are gone\n- Time: ~? minutes\n\n## Monitoring\n";
        assert!(out.contains(expected_tail), "{out}");
        // Step 1 changes nothing (no command): no rollback step for it.
        assert!(!out.contains("Undo Step 1"));
        let after = snapshot(&out);
        let rb: Vec<u32> = after
            .model()
            .steps
            .iter()
            .filter(|s| s.in_rollback)
            .map(|s| s.number)
            .collect();
        assert_eq!(rb, vec![4, 5]);
    }

    #[test]
    fn rollback_snippet_has_tab_stops_on_the_estimates() {
        let snap = snapshot(FORWARD);
        let e = missing_section(snap.model(), FORWARD, SectionKind::Rollback, true, "\n");
        assert!(e.text.contains("- Time: ~${3:5} minutes"), "{}", e.text);
        assert!(e.text.contains("${4:# the command that undoes Step 2}"));
    }

    #[test]
    fn troubleshooting_has_an_entry_per_verified_changing_step() {
        let snap = snapshot(FORWARD);
        let e = missing_section(
            snap.model(),
            FORWARD,
            SectionKind::Troubleshooting,
            false,
            "\n",
        );
        let out = apply(FORWARD, &[e]);
        assert!(out.ends_with("## Troubleshooting\n\n### Issue: Step 2 fails its verification\n\n**Symptoms**: the check of Step 2 does not hold (pods are ready).\n\n**Diagnosis**: TBD: how to confirm the cause\n\n**Fix**: TBD: what to do.\n"), "{out}");
        // Step 3 has a command but no verification: the steps say too little for an entry.
        assert!(!out.contains("Issue: Step 3"));
    }

    #[test]
    fn crlf_documents_get_crlf_lines() {
        let text = FORWARD.replace('\n', "\r\n");
        let snap = snapshot(&text);
        let e = missing_section(
            snap.model(),
            &text,
            SectionKind::SuccessCriteria,
            false,
            "\r\n",
        );
        assert!(!e.text.replace("\r\n", "").contains('\n'), "{:?}", e.text);
    }

    #[test]
    fn insertion_at_an_unterminated_end_starts_a_new_block() {
        let e = insert_block("# T\n\ntext", 9, "## X\n", "\n");
        assert_eq!(e.text, "\n\n## X\n");
        let e = insert_block("# T\n\n## Y\n", 5, "## X\n", "\n");
        assert_eq!(e.text, "## X\n\n");
    }
}
