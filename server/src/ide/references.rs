//! Find references: a spec ID → every mention of it (in this document, in other open documents,
//! in the index's files, which the adapter reads); `Step N` → the step's title and every mention
//! of that step in its document.

use std::ops::Range;

use crate::analysis::model::{self, SpecModel};
use crate::analysis::syntax;

use super::at::{step_numbered, target_at, Target};
use super::Snapshot;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Query {
    /// Every mention of this ID in the workspace.
    Spec(String),
    /// The step's own title and its mentions: all in this document.
    Step(Vec<Range<usize>>),
}

/// What to look for from `offset`. `own_id` is the ID of this document (from the index), so that
/// references can be asked from the defining file's title too.
pub fn query_at(snap: &Snapshot, offset: usize, own_id: Option<&str>) -> Option<Query> {
    match target_at(snap, offset) {
        Some(Target::Spec { id, .. }) => Some(Query::Spec(id)),
        Some(Target::Step { step: Some(i), .. }) => Some(Query::Step(step_references(snap, i))),
        Some(_) => None,
        None => {
            let m = snap.model();
            let title = &m.headings[m.title?];
            (title.range.start <= offset && offset <= title.range.end)
                .then(|| own_id.map(|id| Query::Spec(id.to_string())))
                .flatten()
        }
    }
}

/// The step's title and the mentions that resolve to it (a duplicated number resolves as
/// definition does).
pub fn step_references(snap: &Snapshot, step: usize) -> Vec<Range<usize>> {
    let m = snap.model();
    let s = &m.steps[step];
    let mut out = vec![s.title_range.clone()];
    for r in m.step_refs.iter().filter(|r| !r.in_title) {
        if step_numbered(&m.steps, r.number, r.rollback) == Some(step) {
            out.push(r.range.clone());
        }
    }
    out
}

/// The mentions of `id` in an analysed document.
pub fn spec_references(m: &SpecModel, id: &str) -> Vec<Range<usize>> {
    m.spec_refs
        .iter()
        .filter(|r| &*r.id == id)
        .map(|r| r.range.clone())
        .collect()
}

/// The mentions of `id` in a text that is not open: parsed only when the ID's number occurs in
/// it at all (most files of a large workspace never mention a given spec).
pub fn spec_references_in_text(text: &str, id: &str) -> Vec<Range<usize>> {
    let number = id.rsplit('-').next().unwrap_or(id);
    if memchr::memmem::find(text.as_bytes(), number.as_bytes()).is_none() {
        return Vec::new();
    }
    let m = model::build(
        text,
        syntax::parse(text),
        model::SectionHeadings::built_in(),
    );
    spec_references(&m, id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ide::test_support::{cursor, snapshot};

    #[test]
    fn spec_ids_from_a_mention_or_the_defining_title() {
        let (text, off) = cursor("# Export 🚀\n\nSee [cmp-0$001] and [CMP-002].\n");
        let snap = snapshot(&text);
        assert_eq!(
            query_at(&snap, off, None),
            Some(Query::Spec("CMP-001".into()))
        );
        let (text, off) = cursor("# Exp$0ort\n\nBody.\n");
        let snap = snapshot(&text);
        assert_eq!(
            query_at(&snap, off, Some("CMP-001")),
            Some(Query::Spec("CMP-001".into()))
        );
        assert_eq!(query_at(&snap, off, None), None);
        assert_eq!(query_at(&snap, text.len() - 2, Some("CMP-001")), None);
    }

    #[test]
    fn mentions_in_text() {
        let text = "# T\n\n請求 [CMP-001], [cmp-001] and `[CMP-001]`; [CMP-0011].\n\n```\n[CMP-001]\n```\n";
        let refs = spec_references_in_text(text, "CMP-001");
        let got: Vec<&str> = refs.iter().map(|r| &text[r.clone()]).collect();
        assert_eq!(got, ["CMP-001", "cmp-001"]);
        assert!(spec_references_in_text("# T\n\n[CMP-002]\n", "CMP-001").is_empty());
    }

    #[test]
    fn steps_within_the_document() {
        let marked = "# T\n\n## Deployment Procedure\n\n**Step 1: A**\n\n**Step 2: B**\n\nIf B fails, repeat Step 1.\n\n## Rollback\n\n**Step 1: Undo A**\n\nRoll back with Step 1 if St$0ep 2 failed.\n";
        let (text, off) = cursor(marked);
        let snap = snapshot(&text);
        let Some(Query::Step(refs)) = query_at(&snap, off, None) else {
            panic!("no step query");
        };
        let got: Vec<&str> = refs.iter().map(|r| &text[r.clone()]).collect();
        assert_eq!(got, ["**Step 2: B**", "Step 2"]);
        // From the forward step 1's title: its mention, not the rollback step's.
        let at = text.find("Step 1: A").unwrap();
        let Some(Query::Step(refs)) = query_at(&snap, at, None) else {
            panic!("no step query");
        };
        let got: Vec<usize> = refs.iter().map(|r| r.start).collect();
        assert_eq!(got.len(), 2, "{refs:?}");
        assert_eq!(got[1], text.find("Step 1.").unwrap());
    }
}
