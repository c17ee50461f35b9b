//! Code lenses: total deployment and rollback time on the procedure heading, `12/31 checked` on
//! Prerequisites.

use std::ops::Range;

use crate::analysis::model::SectionKind;

use super::hints::duration;
use super::Snapshot;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Lens {
    /// The heading the lens sits on.
    pub range: Range<usize>,
    pub title: String,
}

pub fn lenses(snap: &Snapshot) -> Vec<Lens> {
    let m = snap.model();
    let mut out = Vec::new();
    if let Some(p) = m.section(SectionKind::Procedure) {
        let part = |rollback: bool| {
            let steps: Vec<_> = m
                .steps
                .iter()
                .filter(|s| s.in_rollback == rollback)
                .collect();
            let total = steps
                .iter()
                .filter_map(|s| s.time.seconds())
                .fold(0, u64::saturating_add);
            let untimed = steps.iter().filter(|s| s.time.seconds().is_none()).count();
            let mut s = duration(total);
            if untimed > 0 {
                s.push_str(&format!(" ({untimed} untimed)"));
            }
            (steps.len(), s)
        };
        let (n, forward) = part(false);
        let (r, rollback) = part(true);
        let mut title = format!("Deployment: {forward} in {n} step{}", plural(n));
        if r > 0 || m.section(SectionKind::Rollback).is_some() {
            title.push_str(&format!(" · Rollback: {rollback} in {r} step{}", plural(r)));
        }
        out.push(Lens {
            range: m.headings[p.heading].text_range.clone(),
            title,
        });
    }
    if let Some(p) = m.section(SectionKind::Prerequisites) {
        let items: Vec<_> = m
            .tasks
            .iter()
            .filter(|t| !t.struck && p.range.contains(&t.line.start))
            .collect();
        if !items.is_empty() {
            let done = items.iter().filter(|t| t.checked).count();
            out.push(Lens {
                range: m.headings[p.heading].text_range.clone(),
                title: format!("{done}/{} checked", items.len()),
            });
        }
    }
    out.sort_by_key(|l| l.range.start);
    out
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ide::test_support::snapshot;

    #[test]
    fn procedure_and_prerequisites() {
        let text = "# T\n\n## Prerequisites\n\n- [x] a\n- [ ] b\n- [ ] ~~c~~\n  - [x] d\n\n## Deployment Procedure\n\n**Step 1: A**\n\n- Time: 10 minutes\n\n**Step 2: B**\n\n### Rollback\n\n**Step 3: C**\n\n- Time: 90s\n";
        let snap = snapshot(text);
        let l = lenses(&snap);
        assert_eq!(l.len(), 2);
        assert_eq!(&text[l[0].range.clone()], "Prerequisites");
        assert_eq!(l[0].title, "2/3 checked");
        assert_eq!(&text[l[1].range.clone()], "Deployment Procedure");
        assert_eq!(
            l[1].title,
            "Deployment: 10m (1 untimed) in 2 steps · Rollback: 1m30s in 1 step"
        );
    }

    #[test]
    fn nothing_without_the_sections() {
        assert!(lenses(&snapshot("# T\n\nText.\n")).is_empty());
        // Prerequisites without task items: no count.
        assert!(lenses(&snapshot("# T\n\n## Prerequisites\n\nNone.\n")).is_empty());
    }
}
