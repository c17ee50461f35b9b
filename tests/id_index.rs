//! `check` and `status` index IDs only (`Workspace::build_id_index`): the first region of each
//! file instead of its head. The IDs, types and paths must be those of the full index.

use std::path::{Path, PathBuf};

use deployspec::index::{entry_from_text, id_entry_from_text, SpecEntry};
use deployspec::workspace::Workspace;

fn markdown_under(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            markdown_under(&p, out);
        } else if p.extension().is_some_and(|x| x == "md") {
            out.push(p);
        }
    }
}

fn lean(e: SpecEntry) -> SpecEntry {
    SpecEntry {
        title: None,
        owner: None,
        summary: None,
        ..e
    }
}

#[test]
fn the_id_entry_is_the_full_entry_without_prose() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for dir in ["tests/corpus", "tests/fixtures", "docs/specs"] {
        markdown_under(&root.join(dir), &mut files);
    }
    assert!(files.len() > 20);
    let mut texts: Vec<(PathBuf, String)> = files
        .iter()
        .map(|p| (p.clone(), std::fs::read_to_string(p).unwrap()))
        .collect();
    // Front matter in its forms, under names with and without an ID.
    for (name, text) in [
        (
            "x.md",
            "---\nid: cmp-042\ntype: component\n---\n# Title\n\nSummary.\n",
        ),
        ("cmp-001-a.md", "---\nid: DES-7\n---\n\n# T\n"),
        ("cmp-001-a.md", "---\nid:\n---\n# T\n"),
        ("cmp-001-a.md", "---\nid: not an id\n---\n"),
        ("cmp-002-b.md", "# No front matter\n\n---\nid: DES-9\n---\n"),
        ("cmp-003-c.md", "\n\n---\nid: DES-8\n---\n"),
        ("cmp-004-d.md", "```\n---\nid: DES-6\n---\n"),
        ("cmp-005-e.md", "---\r\nid: DES-5\r\n---\r\n# 🚀 T\r\n"),
        ("cmp-006-f.md", ""),
        ("notes.md", "---\ntitle: no id\n---\n"),
    ] {
        texts.push((
            PathBuf::from("/ws/docs/specs/component").join(name),
            text.into(),
        ));
    }
    let mut with_id = 0;
    for (path, text) in &texts {
        let full = entry_from_text(path, Some("component"), text).map(lean);
        let fast = id_entry_from_text(path, Some("component"), text);
        with_id += usize::from(full.is_some());
        assert_eq!(fast, full, "{}", path.display());
    }
    assert!(with_id > 10, "{with_id}");
}

#[test]
fn the_id_index_of_a_workspace_has_the_same_ids_paths_and_types() {
    let ws = Workspace::discover(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/workspace"),
    );
    let (full, errors) = ws.build_index();
    assert!(errors.is_empty());
    let (ids, errors) = ws.build_id_index();
    assert!(errors.is_empty());
    assert!(full.len() >= 5);
    assert_eq!(ids.is_authoritative(), full.is_authoritative());
    let full: Vec<SpecEntry> = full.entries().iter().cloned().map(lean).collect();
    assert_eq!(ids.entries(), full.as_slice());
}
