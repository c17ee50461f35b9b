//! Go to definition: a spec ID → the title line of every file that defines it (several when the
//! ID is duplicated); `Step N` → that step in the same document.

use std::ops::Range;
use std::path::PathBuf;

use crate::analysis::{regions, syntax};
use crate::index::SpecIndex;

use super::at::{target_at, Target};
use super::Snapshot;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Location {
    /// A range of this document.
    Here(Range<usize>),
    /// A spec file; the adapter reads it (open buffer first) and points at [`title_line`].
    File(PathBuf),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Definition {
    /// What was under the cursor.
    pub origin: Range<usize>,
    pub targets: Vec<Location>,
}

pub fn definition(snap: &Snapshot, offset: usize, index: &SpecIndex) -> Option<Definition> {
    match target_at(snap, offset)? {
        Target::Spec { id, range } => {
            let targets: Vec<Location> = index
                .lookup(&id)
                .into_iter()
                .map(|e| Location::File(e.path.clone()))
                .collect();
            (!targets.is_empty()).then_some(Definition {
                origin: range,
                targets,
            })
        }
        Target::Step {
            step: Some(i),
            range,
            ..
        } => Some(Definition {
            origin: range,
            targets: vec![Location::Here(trim_end(
                &snap.text,
                snap.model().steps[i].head.clone(),
            ))],
        }),
        Target::Step { step: None, .. } | Target::Rule { .. } => None,
    }
}

fn trim_end(text: &str, r: Range<usize>) -> Range<usize> {
    r.start..r.start + text[r].trim_end().len()
}

/// The title (first level-1 heading) of a spec, parsing only the regions before it; the start
/// of the file when it has none in its first regions.
pub fn title_line(text: &str) -> Range<usize> {
    for r in regions::leading(text, 8) {
        let facts = syntax::parse(&text[r.clone()]);
        if let Some(b) = facts
            .blocks
            .iter()
            .find(|b| b.kind == syntax::BlockKind::Heading { level: 1 })
        {
            return r.start + b.content.start..r.start + b.content.end;
        }
    }
    0..0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ide::test_support::{cursor, snapshot};
    use crate::index::SpecEntry;

    fn index() -> SpecIndex {
        SpecIndex::from_entries(["CMP-001", "CMP-002", "CMP-002"].iter().enumerate().map(
            |(i, id)| SpecEntry {
                id: id.to_string(),
                path: PathBuf::from(format!("/ws/{i}.md")),
                display: format!("{i}.md"),
                title: None,
                kind: None,
                owner: None,
                summary: None,
            },
        ))
    }

    fn def(marked: &str) -> Option<(String, Vec<Location>)> {
        let (text, off) = cursor(marked);
        let d = definition(&snapshot(&text), off, &index())?;
        Some((text[d.origin].to_string(), d.targets))
    }

    #[test]
    fn spec_ids_go_to_their_files() {
        assert_eq!(
            def("# T 🚀\n\n請求 [CMP-0$001].\n"),
            Some(("CMP-001".into(), vec![Location::File("/ws/0.md".into())]))
        );
        // A duplicated ID: both files.
        assert_eq!(def("# T\n\n[CMP-002$0]\n").unwrap().1.len(), 2);
        // An ID the index does not have, and plain text: nothing.
        assert_eq!(def("# T\n\n[CMP-0$009]\n"), None);
        assert_eq!(def("# T\n\nCMP-0$001 without brackets\n"), None);
    }

    #[test]
    fn steps_go_to_the_step() {
        let marked = "# T\n\n## Deployment Procedure\n\n**Step 1: A**\n\n**Step 2: B**\n\nIf it fails, go back to 🚀 St$0ep 1.\n";
        let (text, off) = cursor(marked);
        let d = definition(&snapshot(&text), off, &index()).unwrap();
        let [Location::Here(r)] = d.targets.as_slice() else {
            panic!("{d:?}");
        };
        assert_eq!(&text[r.clone()], "**Step 1: A**");
        // A step that does not exist: nothing.
        assert_eq!(
            def("# T\n\n## Deployment Procedure\n\n**Step 1: A**\n\nSee St$0ep 7.\n"),
            None
        );
    }

    #[test]
    fn title_lines() {
        let text = "---\nid: CMP-001\n---\n\n# Export 服务\n\nBody.\n";
        assert_eq!(&text[title_line(text)], "Export 服务");
        assert_eq!(title_line("No title.\n\n## Section\n"), 0..0);
        assert_eq!(title_line(""), 0..0);
    }
}
