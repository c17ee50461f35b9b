//! How well deployspec reads real runbooks, against what a human reviewer reads in them
//! (issue 10, §5 "Proof").
//!
//! `tests/realworld_truth.toml` records, for every runbook of `tests/corpus/realworld`, the
//! sections by kind with their lines, the steps with their lines and times, and the prerequisite
//! items, written by reading each document. This test runs the analysis on each file the way
//! `deployspec check` does for a file named on the command line (`explicit: true`), compares, and
//! prints recall and precision per section kind and the step count per file:
//!
//! ```text
//! cargo test --test realworld_truth -- --nocapture
//! ```
//!
//! It asserts a ratchet: today's figures are a floor. The issue's targets are section recall
//! ≥ 0.9 and precision ≥ 0.95, and a step count within 10% of the truth on ≥ 90% of the files;
//! raise the floors below as the recogniser improves, never lower them to make a change pass.
//! Where the recogniser and the truth disagree, fix the recogniser or, on a better reading of the
//! document, the truth with a note — never the truth to match the tool.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use deployspec::analysis::model::{SectionKind, SpecModel};
use deployspec::analysis::{analyze_text, Input};
use deployspec::config::Config;
use deployspec::index::SpecIndex;
use deployspec::position::LineIndex;
use serde::Deserialize;

// The ratchet. When the truth was first committed (before any tuning): 1 of 36 truth sections
// found (mozilla's rollback), 0 of 131 steps, step counts agreeing on 3 of 17 files. After the
// section phrases of issue 10 §1: 25 of 36 sections found, 1 extra (alphagov "Release process",
// a policy note under a heading the issue lists as a procedure phrase): recall 0.694,
// precision 0.962; prometheus's numbered H3 steps are now inside a recognised procedure (4 of
// 131 steps, counts agreeing on 4 files). Of the 11 sections missed, 4 are headless procedures
// (a run of numbered steps with no procedure heading: issue 10 part B), 4 are the alert runbook's
// (a dashboard paragraph and three H2 cases named only by their symptom), and 3 are headings
// that say nothing of their kind ("Response process", "Authenticating with Jenkins", "Fixing the
// CI"). The issue's targets: section recall ≥ 0.9, section precision ≥ 0.95, step count within
// 10% on ≥ 90% of files (16 of 17). Raise these floors as the recogniser improves; never lower
// them to make a change pass.
//
// After the step forms of issue 10 §2-3 (ordered-list items, `- Step N`, the procedure
// fallback on runs of numbered headings, times in titles and first paragraphs): 26 of 36
// sections (dubbo-go's headless procedure at its numbered chapter 2), still 1 extra; 62 of 131
// steps at their line (67 found), counts agreeing on 7 files, prometheus's "for 3 days" read.
// The counts that still disagree: steps written as unnumbered phase headings (rails,
// security-ir, mozilla) or checklist bullets (curl, zulip, security-ir-checklist, updating-cf),
// which are not numbered step forms (PRODUCT.md §2); a table-of-contents list and appendix
// chapters counted as steps (admin-ui 10/7, dubbo-go 8/6); github-unavailable's second
// procedure, whose heading ("Authenticating with Jenkins") names no kind (11/18).
/// Truth sections found with their kind and line, over all kinds (26/36 = 0.722).
const FLOOR_SECTION_RECALL: f64 = 0.72;
/// Found sections that are in the truth, over all kinds (26/27 = 0.963); the floor is the
/// issue's target.
const FLOOR_SECTION_PRECISION: f64 = 0.95;
/// Files whose step count is within 10% of the truth (0 steps must be exactly 0); 7/17.
const FLOOR_STEP_COUNT_FILES: usize = 7;
/// Truth steps found at their line (62/131 = 0.473).
const FLOOR_STEP_RECALL: f64 = 0.47;
/// Truth steps with a time found at their line with the same number of seconds (1/1).
const FLOOR_TIMED_RECALL: f64 = 1.0;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileTruth {
    #[allow(dead_code)]
    note: Option<String>,
    sections: Vec<SectionTruth>,
    steps: Vec<StepTruth>,
    prerequisite_items: Vec<usize>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SectionTruth {
    kind: String,
    line: usize,
    /// No heading names the section; `line` is where it starts.
    #[serde(default)]
    #[allow(dead_code)]
    headless: bool,
    #[allow(dead_code)]
    note: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct StepTruth {
    line: usize,
    seconds: Option<u64>,
    #[allow(dead_code)]
    note: Option<String>,
}

/// One runbook with its truth, checked against the file.
struct Case {
    name: String,
    text: String,
    sections: Vec<(SectionKind, usize)>,
    steps: Vec<StepTruth>,
    prerequisite_items: Vec<usize>,
}

/// Parses the truth and checks it against the corpus folder: every file it names exists, every
/// runbook in the folder has a truth, kinds are known, lines are inside the file and steps are in
/// order. Any error names the file and says what to fix.
fn load(truth: &str, dir: &Path) -> Result<Vec<Case>, String> {
    let table: BTreeMap<String, FileTruth> =
        toml::from_str(truth).map_err(|e| format!("realworld_truth.toml does not parse: {e}"))?;
    let on_disk: BTreeSet<String> = std::fs::read_dir(dir)
        .map_err(|e| format!("cannot list {}: {e}", dir.display()))?
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.ends_with(".md") && n != "SOURCES.md")
        .collect();
    let missing: Vec<_> = on_disk.iter().filter(|n| !table.contains_key(*n)).collect();
    if !missing.is_empty() {
        return Err(format!(
            "runbooks without a truth: {missing:?}; read each and add its table to realworld_truth.toml"
        ));
    }
    let mut cases = Vec::new();
    for (name, t) in table {
        if !on_disk.contains(&name) {
            return Err(format!(
                "the truth names {name:?}, which is not a runbook in {}; fix the name or remove the table",
                dir.display()
            ));
        }
        let text = std::fs::read_to_string(dir.join(&name))
            .map_err(|e| format!("cannot read {name}: {e}"))?;
        let lines = text.lines().count();
        let in_file = |what: &str, line: usize| {
            if line == 0 || line > lines {
                Err(format!(
                    "{name}: {what} line {line} is outside the file (1..={lines})"
                ))
            } else {
                Ok(())
            }
        };
        let mut sections = Vec::new();
        for s in &t.sections {
            let kind = SectionKind::from_key(&s.kind).ok_or_else(|| {
                let known: Vec<_> = SectionKind::ALL.iter().map(|k| k.key()).collect();
                format!(
                    "{name}: unknown section kind {:?}; use one of {known:?}",
                    s.kind
                )
            })?;
            in_file("section", s.line)?;
            sections.push((kind, s.line));
        }
        for (i, s) in t.steps.iter().enumerate() {
            in_file("step", s.line)?;
            if i > 0 && t.steps[i - 1].line >= s.line {
                return Err(format!(
                    "{name}: step lines must increase (line {} after {})",
                    s.line,
                    t.steps[i - 1].line
                ));
            }
        }
        for &p in &t.prerequisite_items {
            in_file("prerequisite item", p)?;
        }
        cases.push(Case {
            name,
            text,
            sections,
            steps: t.steps,
            prerequisite_items: t.prerequisite_items,
        });
    }
    Ok(cases)
}

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus/realworld")
}

fn truth_text() -> String {
    std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/realworld_truth.toml"),
    )
    .expect("read tests/realworld_truth.toml")
}

/// What the analysis found in one file, as 1-based lines.
struct Found {
    sections: Vec<(SectionKind, usize)>,
    /// Line of each step's head, with its time in seconds when readable.
    steps: Vec<(usize, Option<u64>)>,
    /// Lines of task items inside a prerequisites section (the model's prerequisite items).
    prerequisite_items: Vec<usize>,
}

fn found(model: &SpecModel, text: &str) -> Found {
    let lines = LineIndex::new(text);
    let line = |offset: usize| lines.line_of(offset) + 1;
    let prereq: Vec<_> = model.sections_of(SectionKind::Prerequisites).collect();
    Found {
        sections: model
            .sections
            .iter()
            .map(|s| (s.kind, line(s.range.start)))
            .collect(),
        steps: model
            .steps
            .iter()
            .map(|s| (line(s.head.start), s.time.seconds()))
            .collect(),
        prerequisite_items: model
            .tasks
            .iter()
            .filter(|t| prereq.iter().any(|s| s.range.contains(&t.line.start)))
            .map(|t| line(t.line.start))
            .collect(),
    }
}

#[derive(Default, Clone, Copy)]
struct Tally {
    truth: usize,
    found: usize,
    matched: usize,
}

impl Tally {
    fn recall(self) -> f64 {
        if self.truth == 0 {
            1.0
        } else {
            self.matched as f64 / self.truth as f64
        }
    }
    fn precision(self) -> f64 {
        if self.found == 0 {
            1.0
        } else {
            self.matched as f64 / self.found as f64
        }
    }
    fn add(&mut self, o: Tally) {
        self.truth += o.truth;
        self.found += o.found;
        self.matched += o.matched;
    }
}

/// Matches truth items to found items one to one by equal key; returns (matched, unmatched truth).
fn match_items<T: PartialEq + Copy>(truth: &[T], found: &[T]) -> (usize, Vec<T>) {
    let mut used = vec![false; found.len()];
    let mut missed = Vec::new();
    let mut matched = 0;
    for t in truth {
        match (0..found.len()).find(|&i| !used[i] && found[i] == *t) {
            Some(i) => {
                used[i] = true;
                matched += 1;
            }
            None => missed.push(*t),
        }
    }
    (matched, missed)
}

/// A step count agrees when it is within 10% of the truth; a truth of 0 needs exactly 0.
fn count_agrees(truth: usize, found: usize) -> bool {
    truth.abs_diff(found) * 10 <= truth
}

struct Report {
    per_kind: BTreeMap<SectionKind, Tally>,
    sections: Tally,
    steps: Tally,
    timed: Tally,
    prerequisite_items: Tally,
    count_agree: usize,
    files: usize,
    table: String,
}

fn measure(cases: &[Case]) -> Report {
    let config = Config::default();
    let index = SpecIndex::default();
    let mut r = Report {
        per_kind: SectionKind::ALL
            .iter()
            .map(|&k| (k, Tally::default()))
            .collect(),
        sections: Tally::default(),
        steps: Tally::default(),
        timed: Tally::default(),
        prerequisite_items: Tally::default(),
        count_agree: 0,
        files: cases.len(),
        table: String::new(),
    };
    let _ = writeln!(
        r.table,
        "{:<58} {:>5} {:>5}  sections missed (kind@line) / extra",
        "file", "steps", "found"
    );
    for c in cases {
        let path = corpus_dir().join(&c.name);
        let a = analyze_text(&Input {
            text: &c.text,
            path: Some(&path),
            explicit: true,
            config: &config,
            index: &index,
        });
        let f = found(&a.model, &c.text);

        let mut missed = Vec::new();
        let mut extra = Vec::new();
        for kind in SectionKind::ALL {
            let t: Vec<usize> = c
                .sections
                .iter()
                .filter(|s| s.0 == kind)
                .map(|s| s.1)
                .collect();
            let g: Vec<usize> = f
                .sections
                .iter()
                .filter(|s| s.0 == kind)
                .map(|s| s.1)
                .collect();
            let (matched, m) = match_items(&t, &g);
            let (_, x) = match_items(&g, &t);
            missed.extend(m.into_iter().map(|l| format!("{}@{l}", kind.key())));
            extra.extend(x.into_iter().map(|l| format!("{}@{l}", kind.key())));
            let tally = Tally {
                truth: t.len(),
                found: g.len(),
                matched,
            };
            r.per_kind.get_mut(&kind).unwrap().add(tally);
            r.sections.add(tally);
        }

        let truth_lines: Vec<usize> = c.steps.iter().map(|s| s.line).collect();
        let found_lines: Vec<usize> = f.steps.iter().map(|s| s.0).collect();
        r.steps.add(Tally {
            truth: truth_lines.len(),
            found: found_lines.len(),
            matched: match_items(&truth_lines, &found_lines).0,
        });
        let truth_timed: Vec<(usize, u64)> = c
            .steps
            .iter()
            .filter_map(|s| Some((s.line, s.seconds?)))
            .collect();
        let found_timed: Vec<(usize, u64)> =
            f.steps.iter().filter_map(|s| Some((s.0, s.1?))).collect();
        r.timed.add(Tally {
            truth: truth_timed.len(),
            found: found_timed.len(),
            matched: match_items(&truth_timed, &found_timed).0,
        });
        r.prerequisite_items.add(Tally {
            truth: c.prerequisite_items.len(),
            found: f.prerequisite_items.len(),
            matched: match_items(&c.prerequisite_items, &f.prerequisite_items).0,
        });

        let agrees = count_agrees(c.steps.len(), f.steps.len());
        r.count_agree += usize::from(agrees);
        let short: String = c.name.chars().take(56).collect();
        let _ = writeln!(
            r.table,
            "{short:<58} {:>5} {:>5}{} missed {:?} extra {:?}",
            c.steps.len(),
            f.steps.len(),
            if agrees { " " } else { "!" },
            missed,
            extra
        );
    }
    r
}

impl Report {
    fn summary(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(
            s,
            "{:<18} {:>5} {:>5} {:>7} {:>6} {:>9}",
            "section kind", "truth", "found", "matched", "recall", "precision"
        );
        let row = |s: &mut String, name: &str, t: Tally| {
            let _ = writeln!(
                s,
                "{name:<18} {:>5} {:>5} {:>7} {:>6.3} {:>9.3}",
                t.truth,
                t.found,
                t.matched,
                t.recall(),
                t.precision()
            );
        };
        for (k, t) in &self.per_kind {
            row(&mut s, k.key(), *t);
        }
        row(&mut s, "ALL SECTIONS", self.sections);
        row(&mut s, "steps (by line)", self.steps);
        row(&mut s, "timed steps", self.timed);
        row(&mut s, "prereq items", self.prerequisite_items);
        let _ = writeln!(
            s,
            "step count within 10%: {}/{} files",
            self.count_agree, self.files
        );
        s
    }
}

#[test]
fn realworld_truth_ratchet() {
    let cases = load(&truth_text(), &corpus_dir()).unwrap_or_else(|e| panic!("{e}"));
    assert!(cases.len() >= 17, "the corpus has 17 runbooks");
    let r = measure(&cases);
    println!("{}\n{}", r.table, r.summary());

    let at_least = |what: &str, value: f64, floor: f64| {
        assert!(
            value + 1e-9 >= floor,
            "{what} fell to {value:.3}, below the floor {floor:.3}: the recogniser reads the \
             real-world runbooks worse than before; run \
             `cargo test --test realworld_truth -- --nocapture` to see which files"
        );
    };
    at_least("section recall", r.sections.recall(), FLOOR_SECTION_RECALL);
    at_least(
        "section precision",
        r.sections.precision(),
        FLOOR_SECTION_PRECISION,
    );
    at_least("step recall", r.steps.recall(), FLOOR_STEP_RECALL);
    assert!(
        r.count_agree >= FLOOR_STEP_COUNT_FILES,
        "step counts agree on {} files, below the floor {FLOOR_STEP_COUNT_FILES}",
        r.count_agree
    );
    at_least("timed step recall", r.timed.recall(), FLOOR_TIMED_RECALL);
}

// The truth file is checked, not trusted: a typo must fail the test rather than drop a file or a
// section from the measurement.

fn fixture_dir() -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(d.path().join("a.md"), "# A\n\n## Steps\n\n1. one\n2. two\n").unwrap();
    std::fs::write(d.path().join("SOURCES.md"), "not a runbook\n").unwrap();
    d
}

const GOOD: &str = r#"
["a.md"]
sections = [{ kind = "procedure", line = 3 }]
steps = [{ line = 5 }, { line = 6, seconds = 60 }]
prerequisite_items = []
"#;

#[test]
fn a_well_formed_truth_loads() {
    let d = fixture_dir();
    let cases = load(GOOD, d.path()).unwrap();
    assert_eq!(cases.len(), 1);
    assert_eq!(cases[0].sections, vec![(SectionKind::Procedure, 3)]);
}

#[test]
fn a_truth_naming_a_missing_file_fails() {
    let d = fixture_dir();
    let t = format!("{GOOD}\n[\"b.md\"]\nsections = []\nsteps = []\nprerequisite_items = []\n");
    let e = load(&t, d.path()).err().expect("must fail");
    assert!(e.contains("\"b.md\"") && e.contains("not a runbook"), "{e}");
}

#[test]
fn a_runbook_without_truth_fails() {
    let d = fixture_dir();
    std::fs::write(d.path().join("c.md"), "# C\n").unwrap();
    let e = load(GOOD, d.path()).err().expect("must fail");
    assert!(e.contains("c.md") && e.contains("without a truth"), "{e}");
}

#[test]
fn an_unknown_kind_fails() {
    let d = fixture_dir();
    let t = GOOD.replace("\"procedure\"", "\"procedures\"");
    let e = load(&t, d.path()).err().expect("must fail");
    assert!(e.contains("unknown section kind \"procedures\""), "{e}");
}

#[test]
fn unknown_fields_lines_outside_the_file_and_unordered_steps_fail() {
    let d = fixture_dir();
    for (bad, why) in [
        (GOOD.replace("line = 3", "lien = 3"), "unknown field"),
        (GOOD.replace("line = 3", "line = 99"), "outside the file"),
        (GOOD.replace("line = 6,", "line = 4,"), "must increase"),
    ] {
        let e = load(&bad, d.path()).err().expect("must fail");
        assert!(e.contains(why), "{why}: {e}");
    }
}

#[test]
fn the_measure_counts_matches_by_kind_and_line() {
    assert_eq!(match_items(&[1, 2, 2], &[2, 3]), (1, vec![1, 2]));
    assert!(count_agrees(0, 0) && !count_agrees(0, 1));
    assert!(count_agrees(10, 11) && !count_agrees(10, 12) && !count_agrees(5, 4));
    let t = Tally {
        truth: 4,
        found: 0,
        matched: 0,
    };
    assert_eq!((t.recall(), t.precision()), (0.0, 1.0));
}
