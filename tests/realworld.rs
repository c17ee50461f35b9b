//! Real public runbooks, written by others in every style (`tests/corpus/realworld`, sources and
//! licences in its SOURCES.md), checked as deployment procedures. The snapshots are what their
//! authors would see; a change in them is a change in what deployspec tells real users.

use std::fmt::Write;
use std::path::Path;

use deployspec::analysis::{analyze_text, Input};
use deployspec::config::Config;
use deployspec::index::SpecIndex;
use deployspec::position::{Encoding, LineIndex};
use deployspec::workspace::Workspace;

/// The index of a real workspace (the fixture one: CMP, DES and DEPLOY specs), so the runbooks
/// are checked as if they lived in it and DP030 (broken references) runs on them too.
fn workspace_index() -> SpecIndex {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/workspace");
    let (index, errors) = Workspace::discover(&root).build_index();
    assert!(errors.is_empty(), "{errors:?}");
    assert!(index.is_authoritative() && index.len() >= 5);
    index
}

/// DP030 is live with this index: a broken reference is reported, a defined one is not.
#[test]
fn the_realworld_index_makes_dp030_run() {
    let index = workspace_index();
    let text = "# Deploy\n\nSee [CMP-001] and [CMP-999].\n";
    let a = analyze_text(&Input {
        text,
        path: Some(Path::new("deploy-001-x.md")),
        explicit: true,
        config: &Config::default(),
        index: &index,
    });
    let dp030: Vec<_> = a
        .findings
        .iter()
        .filter(|f| f.rule.code() == "DP030")
        .map(|f| &text[f.range.clone()])
        .collect();
    assert_eq!(dp030, ["CMP-999"]);
}

#[test]
fn realworld_runbooks() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus/realworld");
    let mut names: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "md") && !p.ends_with("SOURCES.md"))
        .collect();
    names.sort();
    assert!(names.len() >= 17);
    let config = Config::default();
    let index = workspace_index();
    for path in names {
        let text = std::fs::read_to_string(&path).unwrap();
        let a = analyze_text(&Input {
            text: &text,
            path: Some(&path),
            explicit: true,
            config: &config,
            index: &index,
        });
        let lines = LineIndex::new(&text);
        let mut out = String::new();
        let _ = writeln!(
            out,
            "sections: {:?}\nsteps: {}\ntasks: {}",
            a.model.sections.iter().map(|s| s.kind).collect::<Vec<_>>(),
            a.model.steps.len(),
            a.model.tasks.len()
        );
        for f in &a.findings {
            let p = lines.position(&text, f.range.start, Encoding::Char);
            let _ = writeln!(
                out,
                "{}:{} {} {}",
                p.line + 1,
                p.col + 1,
                f.rule.code(),
                f.message
            );
        }
        let name = path.file_stem().unwrap().to_string_lossy().to_string();
        insta::assert_snapshot!(name, out);
    }
}
