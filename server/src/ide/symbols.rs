//! Document symbols: the heading outline (sections by level) with the steps inside their
//! section, each step's time as its detail. A step written as a heading is a step, not a section.

use std::ops::Range;

use crate::analysis::model::TimeEstimate;

use super::hints::duration;
use super::Snapshot;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SymbolKind {
    Title,
    Section,
    Step,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Symbol {
    pub name: String,
    pub detail: Option<String>,
    pub kind: SymbolKind,
    /// The whole section or step.
    pub range: Range<usize>,
    /// The heading text or step title.
    pub selection: Range<usize>,
    pub children: Vec<Symbol>,
}

pub fn document_symbols(snap: &Snapshot) -> Vec<Symbol> {
    let m = snap.model();
    let text_end = snap.text.len();
    // Flat, in document order, with the level that decides nesting: a heading's level; a bold
    // step sits below every heading.
    let mut flat: Vec<(u8, Symbol)> = Vec::new();
    for (i, h) in m.headings.iter().enumerate() {
        if m.steps
            .iter()
            .any(|s| s.is_heading && s.head.start == h.range.start)
        {
            continue;
        }
        let end = m.headings[i + 1..]
            .iter()
            .find(|n| n.level <= h.level)
            .map_or(text_end, |n| n.range.start);
        let kind = m.sections.iter().find(|s| s.heading == i).map(|s| s.kind);
        flat.push((
            h.level,
            Symbol {
                name: non_empty(&h.text, "(empty heading)"),
                detail: kind.map(|k| k.key().to_string()),
                kind: if Some(i) == m.title {
                    SymbolKind::Title
                } else {
                    SymbolKind::Section
                },
                range: h.range.start..end,
                selection: h.text_range.clone(),
                children: Vec::new(),
            },
        ));
    }
    for s in &m.steps {
        let level = if s.is_heading {
            m.headings
                .iter()
                .find(|h| h.range.start == s.head.start)
                .map_or(7, |h| h.level)
        } else {
            7
        };
        let detail = match &s.time {
            TimeEstimate::Seconds { seconds, .. } => duration(*seconds),
            TimeEstimate::Unreadable { .. } => "time unreadable".into(),
            TimeEstimate::Missing => "no time".into(),
        };
        flat.push((
            level,
            Symbol {
                name: format!("Step {}: {}", s.number, s.title.trim()),
                detail: Some(detail),
                kind: SymbolKind::Step,
                range: s.head.start..s.body.end.max(s.head.end),
                selection: s.title_range.clone(),
                children: Vec::new(),
            },
        ));
    }
    flat.sort_by_key(|(_, s)| s.range.start);
    nest(flat)
}

/// Builds the tree: each symbol goes under the nearest earlier one of a lower level.
fn nest(flat: Vec<(u8, Symbol)>) -> Vec<Symbol> {
    let mut roots: Vec<Symbol> = Vec::new();
    // The open path from a root down, as (level, symbol) being filled.
    let mut stack: Vec<(u8, Symbol)> = Vec::new();
    for (level, sym) in flat {
        while stack.last().is_some_and(|(l, _)| *l >= level) {
            close(&mut stack, &mut roots);
        }
        stack.push((level, sym));
    }
    while !stack.is_empty() {
        close(&mut stack, &mut roots);
    }
    roots
}

fn close(stack: &mut Vec<(u8, Symbol)>, roots: &mut Vec<Symbol>) {
    if let Some((_, mut done)) = stack.pop() {
        // A parent's range covers its children (a bold step can run past a level-3 heading
        // only if the model says so; keep the tree well-formed either way).
        if let Some(last) = done.children.last() {
            done.range.end = done.range.end.max(last.range.end);
        }
        match stack.last_mut() {
            Some((_, parent)) => parent.children.push(done),
            None => roots.push(done),
        }
    }
}

fn non_empty(s: &str, fallback: &str) -> String {
    let t = s.trim();
    if t.is_empty() {
        fallback.into()
    } else {
        t.into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ide::test_support::snapshot;

    /// `name [detail]` per symbol, indented by depth.
    fn outline(syms: &[Symbol], depth: usize, out: &mut String) {
        for s in syms {
            out.push_str(&"  ".repeat(depth));
            out.push_str(&s.name);
            if let Some(d) = &s.detail {
                out.push_str(&format!(" [{d}]"));
            }
            out.push('\n');
            outline(&s.children, depth + 1, out);
        }
    }

    #[test]
    fn sections_then_steps_with_times() {
        let text = "# Deploy 🚀\n\n## Prerequisites\n\n- [ ] a\n\n## Deployment Procedure\n\n**Step 1: Build**\n\n- Time: 10 minutes\n\n### Step 2: Ship\n\n- Time: soon\n\n### Rollback\n\n**Step 3: Undo**\n\n## Notes\n";
        let snap = snapshot(text);
        let syms = document_symbols(&snap);
        let mut out = String::new();
        outline(&syms, 0, &mut out);
        assert_eq!(
            out,
            "Deploy 🚀\n  Prerequisites [prerequisites]\n  Deployment Procedure [procedure]\n    Step 1: Build [10m]\n    Step 2: Ship [time unreadable]\n    Rollback [rollback]\n      Step 3: Undo [no time]\n  Notes\n"
        );
        assert_eq!(syms[0].kind, SymbolKind::Title);
        let proc = &syms[0].children[1];
        assert_eq!(&text[proc.selection.clone()], "Deployment Procedure");
        assert!(text[proc.range.clone()].ends_with("**Step 3: Undo**\n\n"));
        let step1 = &proc.children[0];
        assert_eq!(step1.kind, SymbolKind::Step);
        assert_eq!(&text[step1.selection.clone()], "**Step 1: Build**");
        assert!(text[step1.range.clone()].starts_with("**Step 1: Build**"));
        assert!(!text[step1.range.clone()].contains("Step 2"));
    }

    #[test]
    fn no_headings_no_symbols() {
        assert!(document_symbols(&snapshot("Just text.\n")).is_empty());
        // An empty heading still has a name (clients reject empty ones).
        let syms = document_symbols(&snapshot("#\n\ntext\n"));
        assert_eq!(syms[0].name, "(empty heading)");
    }
}
