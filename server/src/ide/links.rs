//! Document links: each spec ID reference whose spec the index knows (one file) links to it.

use std::ops::Range;
use std::path::PathBuf;

use crate::index::SpecIndex;

use super::Snapshot;

pub fn links(snap: &Snapshot, index: &SpecIndex) -> Vec<(Range<usize>, PathBuf)> {
    snap.model()
        .spec_refs
        .iter()
        .filter_map(|r| match index.lookup(&r.id).as_slice() {
            [e] => Some((r.range.clone(), e.path.clone())),
            // Unknown (DP030 reports it) or duplicated (DP031): no single target.
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ide::test_support::snapshot;
    use crate::index::SpecEntry;

    #[test]
    fn known_single_ids_link() {
        let e = |id: &str, p: &str| SpecEntry {
            id: id.into(),
            path: p.into(),
            display: p.into(),
            title: None,
            kind: None,
            owner: None,
            summary: None,
        };
        let index = SpecIndex::from_entries([
            e("CMP-001", "/ws/a.md"),
            e("CMP-002", "/ws/b.md"),
            e("CMP-002", "/ws/c.md"),
        ]);
        let text = "# T\n\n🚀 [CMP-001], [CMP-002], [CMP-009], `[CMP-001]`\n";
        let got: Vec<(&str, PathBuf)> = links(&snapshot(text), &index)
            .into_iter()
            .map(|(r, p)| (&text[r], p))
            .collect();
        assert_eq!(got, [("CMP-001", PathBuf::from("/ws/a.md"))]);
    }
}
