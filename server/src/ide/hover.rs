//! Hover: a spec ID → title, type, owner, path and first paragraph (from the index); a step →
//! its time and the cumulative time at its start; a rule in a suppression comment → what the
//! rule checks. Markdown text.

use std::ops::Range;

use crate::analysis::model::TimeEstimate;
use crate::index::SpecIndex;

use super::at::{target_at, Target};
use super::hints::duration;
use super::Snapshot;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hover {
    pub range: Range<usize>,
    pub markdown: String,
}

pub fn hover(snap: &Snapshot, offset: usize, index: &SpecIndex) -> Option<Hover> {
    let (range, markdown) = match target_at(snap, offset)? {
        Target::Spec { id, range } => (range, spec(&id, index)),
        Target::Step {
            step: Some(i),
            range,
            ..
        } => (range, step(snap, i)),
        Target::Step { step: None, .. } => return None,
        Target::Rule { rule, range } => {
            let info = rule.info();
            (
                range,
                format!(
                    "**{}** `{}` — {}\n\n{}",
                    info.code, info.name, info.summary, info.explanation
                ),
            )
        }
    };
    Some(Hover { range, markdown })
}

fn spec(id: &str, index: &SpecIndex) -> String {
    let entries = index.lookup(id);
    if entries.is_empty() {
        return format!("**{id}**: no spec in the workspace has this ID.");
    }
    let mut out = String::new();
    for (n, e) in entries.iter().enumerate() {
        if n > 0 {
            out.push_str("\n\n---\n\n");
        }
        out.push_str(&format!("**{id}**"));
        if let Some(t) = &e.title {
            out.push_str(&format!(" — {t}"));
        }
        let mut facts = Vec::new();
        if let Some(k) = &e.kind {
            facts.push(format!("*{k}*"));
        }
        if let Some(o) = &e.owner {
            facts.push(format!("owner {o}"));
        }
        facts.push(format!("`{}`", e.display));
        out.push_str("\n\n");
        out.push_str(&facts.join(" · "));
        if let Some(s) = &e.summary {
            out.push_str("\n\n");
            out.push_str(s);
        }
    }
    if entries.len() > 1 {
        out.push_str(&format!("\n\n{} files define {id}.", entries.len()));
    }
    out
}

fn step(snap: &Snapshot, i: usize) -> String {
    let steps = &snap.model().steps;
    let s = &steps[i];
    let time = match &s.time {
        TimeEstimate::Seconds { seconds, .. } => format!("time {}", duration(*seconds)),
        TimeEstimate::Unreadable { .. } => "time estimate unreadable".to_string(),
        TimeEstimate::Missing => "no time estimate".to_string(),
    };
    let before = steps[..i].iter().filter(|p| p.in_rollback == s.in_rollback);
    let mut start = 0;
    let mut unknown = false;
    for p in before {
        match p.time.seconds() {
            Some(t) => start += t,
            None => unknown = true,
        }
    }
    let part = if s.in_rollback {
        "rollback"
    } else {
        "deployment"
    };
    format!(
        "**Step {}: {}**\n\n{time} · starts at T+{}{} into the {part}",
        s.number,
        s.title.trim(),
        duration(start),
        if unknown { " (plus untimed steps)" } else { "" },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ide::test_support::{cursor, snapshot};
    use crate::index::SpecEntry;

    fn index() -> SpecIndex {
        SpecIndex::from_entries([SpecEntry {
            id: "CMP-001".into(),
            path: "/ws/docs/specs/component/cmp-001-export.md".into(),
            display: "docs/specs/component/cmp-001-export.md".into(),
            title: Some("Export service".into()),
            kind: Some("component".into()),
            owner: Some("@data-team".into()),
            summary: Some("Exports data nightly.".into()),
        }])
    }

    fn hover_at(marked: &str) -> Option<(String, String)> {
        let (text, off) = cursor(marked);
        let h = hover(&snapshot(&text), off, &index())?;
        Some((text[h.range].to_string(), h.markdown))
    }

    #[test]
    fn spec_ids() {
        let (on, md) = hover_at("# T\n\n🚀 請求 [CMP$0-001]\n").unwrap();
        assert_eq!(on, "CMP-001");
        assert_eq!(
            md,
            "**CMP-001** — Export service\n\n*component* · owner @data-team · `docs/specs/component/cmp-001-export.md`\n\nExports data nightly."
        );
        let (_, md) = hover_at("# T\n\n[CMP-0$009]\n").unwrap();
        assert!(md.contains("no spec in the workspace"), "{md}");
    }

    #[test]
    fn steps_with_cumulative_time() {
        let text = "# T\n\n## Deployment Procedure\n\n**Step 1: A**\n\n- Time: 10 minutes\n\n**Step 2: B**\n\n**Step 3: C$0**\n\n- Time: ~15 minutes\n\n## Rollback\n\n**Step 4: D**\n\n- Time: 5 min\n\nSee St$1ep 2.\n";
        let at3 = text.replace("$1", "");
        let (on, md) = hover_at(&at3).unwrap();
        assert_eq!(on, "**Step 3: C**");
        assert_eq!(
            md,
            "**Step 3: C**\n\ntime 15m · starts at T+10m (plus untimed steps) into the deployment"
        );
        let at2 = text.replace("$0", "").replace("$1", "$0");
        let (on, md) = hover_at(&at2).unwrap();
        assert_eq!(on, "Step 2");
        assert!(
            md.starts_with("**Step 2: B**\n\nno time estimate · starts at T+10m into"),
            "{md}"
        );
        let rollback = text
            .replace("$1", "")
            .replace("$0", "")
            .replace("Step 4: D", "Step 4: D$0");
        let (_, md) = hover_at(&rollback).unwrap();
        assert!(
            md.ends_with("time 5m · starts at T+0s into the rollback"),
            "{md}"
        );
    }

    #[test]
    fn rules_in_suppressions_and_nothing_elsewhere() {
        let (on, md) =
            hover_at("# T\n\n<!-- deployspec-disable-next-line step-without-ti$0me -->\n").unwrap();
        assert_eq!(on, "step-without-time");
        assert!(md.starts_with("**DP020** `step-without-time` — "), "{md}");
        assert_eq!(hover_at("# T\n\nPlain te$0xt.\n"), None);
        assert_eq!(hover_at("# T\n\n`[CMP-0$001]`\n"), None);
        assert_eq!(hover_at("# T\n\n<!-- DP0$020 -->\n"), None);
    }
}
