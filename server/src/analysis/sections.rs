//! Section recognition: which headings open which kind of section, and where each section ends.

use std::ops::Range;

use super::model::{PrereqGroup, Section, SectionKind, SpecModel};
use super::steps::parse_step_title;

fn normalize_heading(h: &str) -> String {
    let h = h.trim().to_lowercase();
    // "5. Rollback" and "Phase 2 - Rollback" keep their keyword.
    let h = h.trim_start_matches(|c: char| c.is_ascii_digit() || c == '.' || c == ')' || c == ' ');
    h.trim_end_matches(':').trim().to_string()
}

fn classify_section(heading: &str, level: u8, inside_procedure: bool) -> Option<SectionKind> {
    // Inside the procedure a step heading is a step, whatever its title says: `### 5. Roll back
    // the migration` is step 5 (a rollback step only inside the rollback section). The step
    // number is read before `normalize_heading` strips it.
    if inside_procedure && parse_step_title(heading).is_some() {
        return None;
    }
    let h = normalize_heading(heading);
    let rollback = h.contains("rollback")
        || h.contains("roll back")
        || h.contains("rolling back")
        || h.contains("roll-back");
    if level == 3 && inside_procedure && rollback {
        return Some(SectionKind::Rollback);
    }
    if level != 2 {
        return None;
    }
    if h.contains("prerequisite") || h.contains("pre-requisite") {
        Some(SectionKind::Prerequisites)
    } else if rollback {
        Some(SectionKind::Rollback)
    } else if h.contains("deployment procedure")
        || h.contains("deployment steps")
        || h.starts_with("procedure")
    {
        Some(SectionKind::Procedure)
    } else if h.contains("success criteria") {
        Some(SectionKind::SuccessCriteria)
    } else if h.starts_with("monitoring") || h.contains("alerting") {
        Some(SectionKind::Monitoring)
    } else if h.starts_with("troubleshooting") {
        Some(SectionKind::Troubleshooting)
    } else if h.contains("after deployment")
        || h.starts_with("post-deployment")
        || h.starts_with("post deployment")
    {
        Some(SectionKind::PostDeployment)
    } else {
        None
    }
}

pub(super) fn collect_sections(len: usize, m: &mut SpecModel) {
    // Where each heading's section ends: at the next heading of the same or a higher level.
    let mut ends = vec![len; m.headings.len()];
    let mut open: Vec<usize> = Vec::new();
    for (i, h) in m.headings.iter().enumerate() {
        while let Some(&j) = open.last() {
            if m.headings[j].level < h.level {
                break;
            }
            ends[j] = h.range.start;
            open.pop();
        }
        open.push(i);
    }
    let mut procedure: Option<Range<usize>> = None;
    for (i, h) in m.headings.iter().enumerate() {
        let end = ends[i];
        let inside = procedure
            .as_ref()
            .is_some_and(|p| p.contains(&h.range.start));
        if let Some(kind) = classify_section(&h.text, h.level, inside) {
            if kind == SectionKind::Procedure {
                procedure = Some(h.range.start..end);
            }
            m.sections.push(Section {
                kind,
                heading: i,
                range: h.range.start..end,
            });
        }
    }
    if let Some(pre) = m.section(SectionKind::Prerequisites).cloned() {
        for h in &m.headings {
            if h.level == 3 && pre.range.contains(&h.range.start) {
                if let Some(g) = PrereqGroup::classify(&h.text) {
                    if !m.prereq_groups.contains(&g) {
                        m.prereq_groups.push(g);
                    }
                }
            }
        }
    }
}
