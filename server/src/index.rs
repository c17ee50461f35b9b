//! The workspace index: spec ID → file, title, type, owner. Pure data; `workspace.rs` fills it
//! from disk. An entry is built from the head of a file (front matter and title), never from a
//! full parse, so indexing thousands of specs stays cheap.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use crate::analysis::model::{self, spec_id_of};
use crate::analysis::{regions, syntax};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SpecEntry {
    pub id: String,
    /// Absolute path: the identity of the file.
    pub path: PathBuf,
    /// The path as shown to users (relative to the workspace root).
    pub display: String,
    pub title: Option<String>,
    /// The spec type: the folder under the spec root, or front matter `type:`.
    pub kind: Option<String>,
    pub owner: Option<String>,
    /// The first paragraph after the title.
    pub summary: Option<String>,
}

#[derive(Clone, Debug, Default)]
pub struct SpecIndex {
    entries: Vec<SpecEntry>,
    by_id: HashMap<String, Vec<usize>>,
    prefixes: HashSet<String>,
    authoritative: bool,
    /// "Did you mean" for these IDs, built on first use and cached; replaced whenever the
    /// entries change (clones share it until then, holding the same IDs).
    nearest: std::sync::Arc<crate::suggest::Nearest>,
}

impl SpecIndex {
    pub fn from_entries(entries: impl IntoIterator<Item = SpecEntry>) -> SpecIndex {
        let mut idx = SpecIndex::default();
        for e in entries {
            idx.entries.push(e);
        }
        idx.rebuild();
        idx
    }

    fn rebuild(&mut self) {
        self.entries.sort_by(|a, b| a.path.cmp(&b.path));
        self.by_id.clear();
        self.prefixes.clear();
        self.nearest = Default::default();
        for (i, e) in self.entries.iter().enumerate() {
            self.by_id.entry(e.id.clone()).or_default().push(i);
            if let Some(p) = e.id.split('-').next() {
                self.prefixes.insert(p.to_string());
            }
        }
    }

    /// Adds or replaces the entry for `entry.path`. Returns whether anything changed.
    pub fn upsert(&mut self, entry: SpecEntry) -> bool {
        if let Some(old) = self.entries.iter_mut().find(|e| e.path == entry.path) {
            if *old == entry {
                return false;
            }
            *old = entry;
        } else {
            self.entries.push(entry);
        }
        self.rebuild();
        true
    }

    /// Puts `entry` (or nothing) in place of whatever `path` had, and returns the IDs whose
    /// definitions changed: the old one and the new one, when anything changed.
    pub fn set_path(&mut self, path: &Path, entry: Option<SpecEntry>) -> Vec<String> {
        let old = self
            .entries
            .iter()
            .find(|e| e.path == path)
            .map(|e| e.id.clone());
        match entry {
            Some(e) => {
                let id = e.id.clone();
                if !self.upsert(e) {
                    return Vec::new();
                }
                old.into_iter().chain([id]).collect()
            }
            None => self.remove(path).into_iter().collect(),
        }
    }

    /// Removes the entry of `path`; returns its ID if there was one.
    pub fn remove(&mut self, path: &Path) -> Option<String> {
        let i = self.entries.iter().position(|e| e.path == path)?;
        let e = self.entries.remove(i);
        self.rebuild();
        Some(e.id)
    }

    /// Marks the index as covering an existing spec root, so that an ID missing from it is known
    /// not to exist. Without a spec root nothing can be said about references.
    pub fn set_authoritative(&mut self, yes: bool) {
        self.authoritative = yes;
    }

    pub fn is_authoritative(&self) -> bool {
        self.authoritative
    }

    pub fn entries(&self) -> &[SpecEntry] {
        &self.entries
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn lookup(&self, id: &str) -> Vec<&SpecEntry> {
        self.by_id
            .get(id)
            .map(|v| v.iter().map(|&i| &self.entries[i]).collect())
            .unwrap_or_default()
    }

    pub fn contains(&self, id: &str) -> bool {
        self.by_id.contains_key(id)
    }

    pub fn has_prefix(&self, prefix: &str) -> bool {
        self.prefixes.contains(&prefix.to_ascii_uppercase())
    }

    /// Up to `n` existing IDs closest to `id`: same prefix first, then by edit distance (see
    /// `suggest.rs`). Each distinct question is answered once per state of the index.
    pub fn nearest(&self, id: &str, n: usize) -> Vec<String> {
        self.nearest
            .nearest(id, n, || Box::new(self.by_id.keys().map(String::as_str)))
    }
}

/// `cmp-001-export-service.md` → `CMP-001`.
pub fn id_from_file_name(name: &str) -> Option<String> {
    let stem = name
        .strip_suffix(".md")
        .or_else(|| name.strip_suffix(".markdown"))?;
    let mut parts = stem.splitn(3, '-');
    let prefix = parts.next()?;
    let number = parts.next()?;
    spec_id_of(&format!("{prefix}-{number}"))
}

/// Builds the index entry of a spec from its text. `kind` is the folder the file sits in under
/// the spec root. Returns `None` for a file without an ID.
pub fn entry_from_text(path: &Path, kind: Option<&str>, text: &str) -> Option<SpecEntry> {
    // Parse regions from the top until the title and the paragraph after it are seen.
    let mut end = 0;
    let mut facts = syntax::Facts::default();
    for r in regions::leading(text, 6) {
        facts.extend_shifted(&syntax::parse(&text[r.clone()]), r.start);
        end = r.end;
        let title = facts
            .blocks
            .iter()
            .position(|b| b.kind == syntax::BlockKind::Heading { level: 1 });
        if title.is_some_and(|t| facts.blocks[t..].iter().any(|b| is_summary(text, b))) {
            break;
        }
    }
    let head = &text[..end];
    let m = model::build(head, facts);
    let fm = m.front_matter.as_ref();
    let field = |k: &str| fm.and_then(|f| f.get(k)).filter(|v| !v.is_empty());
    let file_name = path.file_name()?.to_string_lossy();
    let id = field("id")
        .and_then(spec_id_of)
        .or_else(|| id_from_file_name(&file_name))?;
    let title = m
        .title_text()
        .map(str::to_string)
        .or_else(|| field("title").map(str::to_string));
    let owner = m
        .metadata
        .iter()
        .find(|l| &*l.label == "owner")
        .map(|l| head[l.value.clone()].trim().to_string())
        .or_else(|| field("owner").map(str::to_string));
    let summary = m.title.and_then(|t| {
        let after = m.headings[t].range.end;
        m.facts
            .blocks
            .iter()
            .find(|b| b.range.start >= after && is_summary(text, b))
            .map(|b| head[b.content.clone()].trim().to_string())
    });
    Some(SpecEntry {
        id,
        path: path.to_path_buf(),
        display: path.display().to_string(),
        title,
        kind: field("type")
            .map(str::to_string)
            .or(kind.map(str::to_string)),
        owner,
        summary,
    })
}

/// The part of [`entry_from_text`] that `check` needs (DP030 and DP031 read IDs and paths
/// only): the ID, from front matter `id:` or the file name, and the type. Only the first region
/// is parsed (front matter, when there is any, is all of it), not the title and summary, so
/// indexing costs a fraction of a parse. The ID is the one `entry_from_text` finds (tested).
pub fn id_entry_from_text(path: &Path, kind: Option<&str>, text: &str) -> Option<SpecEntry> {
    let first = regions::leading(text, 1).into_iter().next().unwrap_or(0..0);
    let head = &text[first];
    let m = model::build(head, syntax::parse(head));
    let fm = m.front_matter.as_ref();
    let field = |k: &str| fm.and_then(|f| f.get(k)).filter(|v| !v.is_empty());
    let file_name = path.file_name()?.to_string_lossy();
    let id = field("id")
        .and_then(spec_id_of)
        .or_else(|| id_from_file_name(&file_name))?;
    Some(SpecEntry {
        id,
        path: path.to_path_buf(),
        display: path.display().to_string(),
        title: None,
        kind: field("type")
            .map(str::to_string)
            .or(kind.map(str::to_string)),
        owner: None,
        summary: None,
    })
}

/// A paragraph that can summarise a spec: not a metadata block (`**Owner**: @team` lines).
fn is_summary(text: &str, b: &syntax::Block) -> bool {
    b.kind == syntax::BlockKind::Paragraph
        && text[b.content.clone()]
            .lines()
            .next()
            .is_some_and(|first| crate::analysis::prose::split_label(first).is_none())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_from_file_names() {
        assert_eq!(
            id_from_file_name("cmp-001-export-service.md").as_deref(),
            Some("CMP-001")
        );
        assert_eq!(
            id_from_file_name("deploy-001.md").as_deref(),
            Some("DEPLOY-001")
        );
        assert_eq!(id_from_file_name("README.md"), None);
        assert_eq!(id_from_file_name("notes-draft.md"), None);
    }

    #[test]
    fn entry_reads_front_matter_title_and_owner() {
        let text = "---\nid: CMP-042\n---\n# Export service\n\n**Owner**: @data-team\n\nExports data.\n\n## More\n";
        let e = entry_from_text(
            Path::new("docs/specs/component/x.md"),
            Some("component"),
            text,
        )
        .unwrap();
        assert_eq!(e.id, "CMP-042");
        assert_eq!(e.title.as_deref(), Some("Export service"));
        assert_eq!(e.owner.as_deref(), Some("@data-team"));
        assert_eq!(e.kind.as_deref(), Some("component"));
        // The first paragraph that is not metadata.
        assert_eq!(e.summary.as_deref(), Some("Exports data."));
    }

    #[test]
    fn nearest_prefers_the_same_prefix() {
        let idx = SpecIndex::from_entries(["CMP-001", "CMP-002", "CMP-010", "DES-001"].map(|id| {
            SpecEntry {
                id: id.into(),
                path: PathBuf::from(id),
                display: id.into(),
                title: None,
                kind: None,
                owner: None,
                summary: None,
            }
        }));
        assert_eq!(idx.nearest("CMP-003", 2), vec!["CMP-001", "CMP-002"]);
        assert!(idx.has_prefix("des"));
    }

    #[test]
    fn set_path_reports_the_ids_that_changed() {
        let entry = |id: &str| SpecEntry {
            id: id.into(),
            path: PathBuf::from("/ws/a.md"),
            display: "a.md".into(),
            title: None,
            kind: None,
            owner: None,
            summary: None,
        };
        let mut idx = SpecIndex::default();
        let p = Path::new("/ws/a.md");
        assert_eq!(idx.set_path(p, Some(entry("CMP-001"))), ["CMP-001"]);
        assert!(
            idx.set_path(p, Some(entry("CMP-001"))).is_empty(),
            "unchanged"
        );
        assert_eq!(
            idx.set_path(p, Some(entry("CMP-002"))),
            ["CMP-001", "CMP-002"]
        );
        assert_eq!(idx.set_path(p, None), ["CMP-002"]);
        assert!(!idx.contains("CMP-002"));
    }
}
