//! Document links: each spec ID reference whose spec the index knows (one file) links to it,
//! and each relative link to a spec file the index knows (`[x](../component/cmp-001-a.md)`).

use std::ops::Range;
use std::path::{Component, Path, PathBuf};

use crate::analysis::syntax::SpanKind;
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

/// The destinations of inline links that are relative paths to spec files of the index, with
/// the file each one names. `doc` is the document's absolute path: destinations are resolved
/// against its folder, lexically (no file system here).
pub fn spec_paths(snap: &Snapshot, doc: &Path, index: &SpecIndex) -> Vec<(Range<usize>, PathBuf)> {
    let text = &*snap.text;
    let Some(dir) = doc.parent() else {
        return Vec::new();
    };
    snap.model()
        .facts
        .spans
        .iter()
        // Raw spans are destinations, autolinks and inline HTML; an inline link's destination
        // is the one right after `](`.
        .filter(|s| s.kind == SpanKind::Raw && text[..s.range.start].ends_with("]("))
        .filter_map(|s| {
            let dest = &text[s.range.clone()];
            // Inside the destination: the path before any `#fragment` or `?query`.
            let path_len = dest.find(['#', '?']).unwrap_or(dest.len());
            let rel = &dest[..path_len];
            let lower = rel.to_ascii_lowercase();
            if rel.is_empty()
                || rel.contains("://")
                || rel.starts_with('/')
                || !(lower.ends_with(".md") || lower.ends_with(".markdown"))
            {
                return None;
            }
            let target = normalize(&dir.join(rel));
            index
                .entries()
                .iter()
                .any(|e| e.path == target)
                .then(|| (s.range.start..s.range.start + path_len, target))
        })
        .collect()
}

/// `a/b/../c` → `a/c`, without touching the disk.
fn normalize(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ide::test_support::{entry, snapshot};

    #[test]
    fn known_single_ids_link() {
        let e = entry;
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

    #[test]
    fn relative_paths_to_known_specs_link() {
        let e = |p: &str| entry("CMP-001", p);
        let index = SpecIndex::from_entries([e("/ws/specs/component/cmp-001-a.md")]);
        let doc = Path::new("/ws/specs/deploy/deploy-001.md");
        let text = "# T\n\n🚀 請求 [A](../component/cmp-001-a.md#usage), [B](./../component/cmp-001-a.md \"t\"), \
                    [C](../component/cmp-009.md), [D](https://x.org/cmp-001-a.md), `[E](../component/cmp-001-a.md)`, \
                    <a href=\"../component/cmp-001-a.md\">F</a>, [G](/specs/component/cmp-001-a.md)\n";
        let got: Vec<(&str, PathBuf)> = spec_paths(&snapshot(text), doc, &index)
            .into_iter()
            .map(|(r, p)| (&text[r], p))
            .collect();
        let a = PathBuf::from("/ws/specs/component/cmp-001-a.md");
        assert_eq!(
            got,
            [
                ("../component/cmp-001-a.md", a.clone()),
                ("./../component/cmp-001-a.md", a)
            ]
        );
    }
}
