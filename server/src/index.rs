//! The workspace index: spec ID → file, title, type, owner. Pure data; `workspace.rs` fills it
//! from disk. An entry is built from the head of a file (front matter and title), never from a
//! full parse, so indexing thousands of specs stays cheap.

use std::collections::{HashMap, HashSet};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::analysis::model::{self, spec_id_of};
use crate::analysis::{regions, syntax};
use crate::position::{Encoding, LineCol};

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
    let m = model::build(head, facts, model::SectionHeadings::built_in());
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
    let m = model::build(
        head,
        syntax::parse(head),
        model::SectionHeadings::built_in(),
    );
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

/// One written spec ID: its bytes, its position (in the encoding the occurrences were built
/// with) and whether it was written in lower case (a rename keeps the case).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Occurrence {
    pub id: Arc<str>,
    pub range: Range<usize>,
    pub start: LineCol,
    pub end: LineCol,
    pub lower: bool,
}

/// The spec IDs one file mentions, and the ID its front matter declares (`id:`), with where.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FileOccurrences {
    /// In document order.
    pub refs: Vec<Occurrence>,
    pub front_id: Option<Occurrence>,
    /// The file's size and modification time when it was read (set by the reader): an answer
    /// built from these positions checks the file has not moved on since.
    pub stamp: Option<(u64, Option<std::time::SystemTime>)>,
}

impl FileOccurrences {
    pub fn of<'a>(&'a self, id: &'a str) -> impl Iterator<Item = &'a Occurrence> + 'a {
        self.refs.iter().filter(move |o| &*o.id == id)
    }

    fn ids(&self) -> HashSet<Arc<str>> {
        self.refs
            .iter()
            .chain(&self.front_id)
            .map(|o| o.id.clone())
            .collect()
    }
}

/// Every occurrence of every spec ID in the workspace's files: file → its occurrences, and ID →
/// the files that mention it. Files are replaced whole (a file is read or parsed whole anyway).
#[derive(Clone, Debug, Default)]
pub struct OccurrenceIndex {
    files: HashMap<PathBuf, Arc<FileOccurrences>>,
    by_id: HashMap<Arc<str>, HashSet<PathBuf>>,
}

impl OccurrenceIndex {
    /// Puts `occ` (or nothing) in place of what `path` had; returns the IDs whose occurrences
    /// changed.
    pub fn set_file(&mut self, path: &Path, occ: Option<FileOccurrences>) -> HashSet<Arc<str>> {
        let old = self.files.remove(path);
        let old_ids = old.as_ref().map(|o| o.ids()).unwrap_or_default();
        for id in &old_ids {
            if let Some(set) = self.by_id.get_mut(id) {
                set.remove(path);
                if set.is_empty() {
                    self.by_id.remove(id);
                }
            }
        }
        let Some(occ) = occ else {
            return old_ids;
        };
        let new_ids = occ.ids();
        for id in &new_ids {
            self.by_id
                .entry(id.clone())
                .or_default()
                .insert(path.to_path_buf());
        }
        let changed = if old
            .as_deref()
            .is_some_and(|o| o.refs == occ.refs && o.front_id == occ.front_id)
        {
            HashSet::new()
        } else {
            old_ids.union(&new_ids).cloned().collect()
        };
        self.files.insert(path.to_path_buf(), Arc::new(occ));
        changed
    }

    /// Removes every file under `dir` (a deleted or moved folder); returns their paths.
    pub fn remove_under(&mut self, dir: &Path) -> Vec<PathBuf> {
        let gone: Vec<PathBuf> = self
            .files
            .keys()
            .filter(|p| p.starts_with(dir))
            .cloned()
            .collect();
        for p in &gone {
            self.set_file(p, None);
        }
        gone
    }

    /// The files that mention `id` or declare it in front matter, sorted by path.
    pub fn files_with(&self, id: &str) -> Vec<(PathBuf, Arc<FileOccurrences>)> {
        let mut out: Vec<(PathBuf, Arc<FileOccurrences>)> = self
            .by_id
            .get(id)
            .into_iter()
            .flatten()
            .filter_map(|p| Some((p.clone(), self.files.get(p)?.clone())))
            .collect();
        out.sort_by(|a, b| a.0.cmp(&b.0));
        out
    }

    pub fn get(&self, path: &Path) -> Option<&Arc<FileOccurrences>> {
        self.files.get(path)
    }

    pub fn paths(&self) -> impl Iterator<Item = &PathBuf> {
        self.files.keys()
    }

    pub fn len(&self) -> usize {
        self.files.len()
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// How many occurrences the index holds, over all files.
    pub fn count(&self) -> usize {
        self.files.values().map(|f| f.refs.len()).sum()
    }
}

/// The occurrences of a spec's text, positions in `enc`. Only the regions that can hold a
/// reference (a `[` followed by a letter) are parsed; a region whose parse holds a syntax error
/// makes the whole text parse as one, as in the document parse (tree-sitter-md's recovery is
/// not local), so the result equals the model's references.
pub fn occurrences_in_text(text: &str, enc: Encoding) -> FileOccurrences {
    let mut refs = Vec::new();
    let candidate = |s: &str| {
        memchr::memchr_iter(b'[', s.as_bytes())
            .any(|i| s.as_bytes().get(i + 1).is_some_and(u8::is_ascii_alphabetic))
    };
    let mut front_id = None;
    if candidate(text) {
        for r in regions::split(text) {
            if !candidate(&text[r.clone()]) {
                continue;
            }
            let (facts, error) = syntax::parse_checked(&text[r.clone()]);
            if error {
                refs = syntax::parse(text).prose.refs;
                break;
            }
            refs.extend(facts.prose.refs.into_iter().map(|mut s| {
                s.range = s.range.start + r.start..s.range.end + r.start;
                s
            }));
        }
    }
    // The front matter is the first region when there is one.
    if text.starts_with("---") || text.starts_with("+++") {
        if let Some(r) = regions::leading(text, 1).into_iter().next() {
            let facts = syntax::parse(&text[r.clone()]);
            if let Some(b) = facts
                .blocks
                .first()
                .filter(|b| b.kind == syntax::BlockKind::FrontMatter)
            {
                let fm = crate::analysis::frontmatter::parse(text, b.range.clone());
                front_id = front_id_range(text, &fm);
            }
        }
    }
    let mut offsets: Vec<usize> = Vec::with_capacity(refs.len() * 2 + 2);
    for r in refs.iter().map(|r| &r.range).chain(front_id.iter()) {
        offsets.push(r.start);
        offsets.push(r.end);
    }
    let pos = crate::position::positions(text, &offsets, enc);
    let occ = |i: usize, id: Arc<str>, range: Range<usize>| Occurrence {
        lower: text[range.clone()].chars().any(|c| c.is_ascii_lowercase()),
        id,
        range,
        start: pos[2 * i],
        end: pos[2 * i + 1],
    };
    let n = refs.len();
    let front_id = front_id.and_then(|r| {
        let id = spec_id_of(&text[r.clone()])?;
        Some(occ(n, Arc::from(id), r))
    });
    FileOccurrences {
        refs: refs
            .into_iter()
            .enumerate()
            .map(|(i, r)| occ(i, r.id, r.range))
            .collect(),
        front_id,
        stamp: None,
    }
}

/// The range of the value of the front matter's `id:` line, without quotes.
pub fn front_id_range(
    text: &str,
    fm: &crate::analysis::frontmatter::FrontMatter,
) -> Option<Range<usize>> {
    let line = fm.field_range("id")?;
    let s = &text[line.clone()];
    // Inside the one `id: value` line: the value after the colon.
    let colon = s.find(':')?;
    let value = s[colon + 1..].trim().trim_matches(['"', '\'']).trim();
    if value.is_empty() {
        return None;
    }
    let start = line.start + colon + 1 + s[colon + 1..].find(value)?;
    Some(start..start + value.len())
}

#[cfg(test)]
mod occurrence_tests {
    use super::*;
    use crate::analysis::{model, syntax};

    fn ids_and_text(text: &str, o: &FileOccurrences) -> Vec<(String, String)> {
        o.refs
            .iter()
            .map(|r| (r.id.to_string(), text[r.range.clone()].to_string()))
            .collect()
    }

    #[test]
    fn occurrences_equal_the_models_references() {
        let text = "---\nid: \"cmp-007\"\ntitle: X\n---\n\n# T 🚀\n\n請求 [CMP-001], [cmp-002]\n\n```\n[CMP-003]\n```\n\n- `[CMP-004]` and 👩‍💻 [DES-001]\n\n<!-- [CMP-005] -->\n\nNo refs here.\n";
        let o = occurrences_in_text(text, Encoding::Utf16);
        let m = model::build(
            text,
            syntax::parse(text),
            model::SectionHeadings::built_in(),
        );
        let want: Vec<(String, String)> = m
            .spec_refs
            .iter()
            .map(|r| (r.id.to_string(), text[r.range.clone()].to_string()))
            .collect();
        assert_eq!(ids_and_text(text, &o), want);
        assert_eq!(want.len(), 3, "{want:?}");
        // Positions in the encoding asked for: 請求 is 2 UTF-16 units, 6 UTF-8 bytes.
        let lower = &o.refs[1];
        assert!(lower.lower && !o.refs[0].lower);
        assert_eq!(lower.start, LineCol { line: 7, col: 15 });
        let o8 = occurrences_in_text(text, Encoding::Utf8);
        assert_eq!(o8.refs[1].start, LineCol { line: 7, col: 19 });
        // 👩‍💻 is 5 UTF-16 units (two surrogate pairs and a joiner).
        assert_eq!(
            o.refs[2].start.col,
            "- `[CMP-004]` and ".len() as u32 + 5 + 2
        );
        let f = o.front_id.as_ref().unwrap();
        assert_eq!((&*f.id, &text[f.range.clone()]), ("CMP-007", "cmp-007"));
        assert!(f.lower);
        assert_eq!(f.start, LineCol { line: 1, col: 5 });
    }

    #[test]
    fn a_region_with_a_syntax_error_parses_the_whole_text() {
        // Whatever the parser makes of it, the occurrences are the whole parse's.
        for text in [
            "# T\n\n| a | b |\n|---|\n| [CMP-001] |\n\n[CMP-002]\n",
            "# T\n\n<div>\n[CMP-001]\n\n[CMP-002]\n",
            "[CMP-001]",
            "",
        ] {
            let o = occurrences_in_text(text, Encoding::Utf8);
            let m = model::build(
                text,
                syntax::parse(text),
                model::SectionHeadings::built_in(),
            );
            let want: Vec<Range<usize>> = m.spec_refs.iter().map(|r| r.range.clone()).collect();
            let got: Vec<Range<usize>> = o.refs.iter().map(|r| r.range.clone()).collect();
            assert_eq!(got, want, "{text:?}");
        }
    }

    #[test]
    fn the_index_answers_by_id_and_follows_files() {
        let mut idx = OccurrenceIndex::default();
        let a = Path::new("/ws/a.md");
        let b = Path::new("/ws/sub/b.md");
        let changed = idx.set_file(
            a,
            Some(occurrences_in_text("[CMP-001] [CMP-002]\n", Encoding::Utf8)),
        );
        assert_eq!(changed.len(), 2);
        idx.set_file(b, Some(occurrences_in_text("[CMP-001]\n", Encoding::Utf8)));
        let files: Vec<PathBuf> = idx.files_with("CMP-001").into_iter().map(|f| f.0).collect();
        assert_eq!(files, [a, b]);
        // The same occurrences again: nothing changed.
        assert!(idx
            .set_file(
                a,
                Some(occurrences_in_text("[CMP-001] [CMP-002]\n", Encoding::Utf8))
            )
            .is_empty());
        // CMP-002 goes away from a.
        let changed = idx.set_file(a, Some(occurrences_in_text("[CMP-001]\n", Encoding::Utf8)));
        assert!(changed.contains("CMP-002"));
        assert!(idx.files_with("CMP-002").is_empty());
        assert_eq!(idx.remove_under(Path::new("/ws/sub")), [b.to_path_buf()]);
        assert_eq!(idx.files_with("CMP-001").len(), 1);
        assert!(idx.set_file(a, None).contains("CMP-001"));
        assert!(idx.is_empty());
        assert_eq!(idx.count(), 0);
    }
}
