//! Properties of every code action, on every fixture, the real-world corpus and generated specs
//! (each as is, and with its rollback and troubleshooting sections cut out so the scaffolds are
//! offered too). For each action offered on a finding:
//! - applying it removes that finding (one fewer finding with its rule and message),
//! - it adds no error (no rule reports more errors on the same text than before),
//! - it changes no line outside its edit: each edit inserts whole lines at a line start, or
//!   replaces text inside one line (only "fill an empty spec" replaces everything, a blank file),
//! - the result parses to the same facts with the region cache of the text before (as the
//!   server parses after an edit) and without it.
//!
//! Then the scaffolds compose: all missing sections added one after the other leave no DP001.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use deployspec::analysis::document::{self, RegionCache};
use deployspec::analysis::model::SectionKind;
use deployspec::analysis::{analyze_text, Analysis, Input};
use deployspec::config::Config;
use deployspec::diagnostic::Severity;
use deployspec::ide::{self, actions, Env, Snapshot};
use deployspec::index::SpecIndex;
use deployspec::rules::Rule;

const SPEC_PATH: &str = "docs/specs/deployment-procedure/deploy-900-props.md";

fn analyze(text: &str) -> Analysis {
    analyze_text(&Input {
        text,
        path: Some(Path::new(SPEC_PATH)),
        explicit: true,
        config: &Config::default(),
        index: &SpecIndex::default(),
    })
}

fn snapshot(text: &str) -> Snapshot {
    Snapshot::new(1, Arc::from(text), analyze(text))
}

fn markdown_under(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<PathBuf> = rd.filter_map(|e| Some(e.ok()?.path())).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            markdown_under(&p, out);
        } else if p.extension().is_some_and(|e| e == "md")
            && p.file_name() != Some("SOURCES.md".as_ref())
        {
            out.push(p);
        }
    }
}

fn documents() -> Vec<(String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
    let mut files = Vec::new();
    for dir in [
        "fixtures",
        "lsp_support/fixtures",
        "corpus/realworld",
        "corpus/generated",
    ] {
        markdown_under(&root.join(dir), &mut files);
    }
    assert!(files.len() > 30, "the corpus went missing: {}", files.len());
    let mut docs = Vec::new();
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        // The 3,000-line generated spec is for the parser tests: its findings repeat the small
        // generated specs', at forty times the cost of every re-analysis.
        if text.len() > 64 * 1024 {
            continue;
        }
        let name = f.strip_prefix(&root).unwrap().display().to_string();
        let cut = without(
            &text,
            &[SectionKind::Rollback, SectionKind::Troubleshooting],
        );
        if cut != text {
            docs.push((format!("{name} (no rollback, no troubleshooting)"), cut));
        }
        docs.push((name, text));
    }
    docs.push(("blank".into(), "\n".into()));
    docs
}

/// `text` with the sections of `kinds` removed (by the model's section ranges).
fn without(text: &str, kinds: &[SectionKind]) -> String {
    let a = analyze(text);
    let mut cuts: Vec<std::ops::Range<usize>> = a
        .model
        .sections
        .iter()
        .filter(|s| kinds.contains(&s.kind))
        .map(|s| s.range.clone())
        .collect();
    cuts.sort_by_key(|r| r.start);
    let mut out = String::new();
    let mut at = 0;
    for c in cuts {
        if c.start >= at {
            out.push_str(&text[at..c.start]);
            at = c.end;
        }
    }
    out.push_str(&text[at.min(text.len())..]);
    out
}

fn counts<K: std::hash::Hash + Eq>(keys: impl Iterator<Item = K>) -> HashMap<K, usize> {
    let mut m = HashMap::new();
    for k in keys {
        *m.entry(k).or_default() += 1;
    }
    m
}

/// Whole lines inserted at a line start, or a replacement inside one line.
fn minimal(text: &str, e: &ide::Edit) -> bool {
    let at_line_start = e.range.start == 0 || text.as_bytes()[e.range.start - 1] == b'\n';
    let insertion = e.range.is_empty()
        && ((at_line_start && e.text.ends_with('\n')) || e.range.start == text.len());
    let in_line = !text[e.range.clone()].contains('\n') && !e.text.contains('\n');
    insertion || in_line
}

fn check_action(
    name: &str,
    text: &str,
    before: &Analysis,
    a: &ide::Action,
) -> Result<String, String> {
    let i = a.finding.ok_or("an action without its finding")?;
    let target = &before.findings[i];
    let whole = text.trim().is_empty() && a.title.starts_with("Fill with");
    for e in &a.edits {
        if !whole && !minimal(text, e) {
            return Err(format!("{name}: `{}` edit {e:?} is not minimal", a.title));
        }
    }
    let out = ide::apply(text, &a.edits);
    let after = analyze(&out);
    let key = |f: &deployspec::diagnostic::Finding| (f.rule, f.message.clone());
    let n_before = before
        .findings
        .iter()
        .filter(|f| key(f) == key(target))
        .count();
    let n_after = after
        .findings
        .iter()
        .filter(|f| key(f) == key(target))
        .count();
    if n_after >= n_before {
        return Err(format!(
            "{name}: `{}` left {:?} \"{}\"\n--- result:\n{out}",
            a.title, target.rule, target.message
        ));
    }
    // Per rule: messages and ranges move with the edit (DP023 names the highest step).
    let errors = |an: &Analysis| {
        counts(
            an.findings
                .iter()
                .filter(|f| f.severity == Severity::Error)
                .map(|f| f.rule),
        )
    };
    let (eb, ea) = (errors(before), errors(&after));
    for (k, n) in &ea {
        if *n > eb.get(k).copied().unwrap_or(0) {
            return Err(format!(
                "{name}: `{}` added the error {k:?}\n--- result:\n{out}",
                a.title
            ));
        }
    }
    let mut cache = RegionCache::default();
    document::parse_facts(text, &mut cache);
    let (incremental, _) = document::parse_facts(&out, &mut cache);
    if incremental != document::parse_whole(&out) {
        return Err(format!(
            "{name}: `{}`: the region parse differs from the whole parse",
            a.title
        ));
    }
    Ok(out)
}

#[test]
fn every_offered_action_fixes_its_finding_and_only_that() {
    let env = Env::default();
    let mut tried: HashMap<Rule, usize> = HashMap::new();
    let mut failures = Vec::new();
    for (name, text) in documents() {
        let snap = snapshot(&text);
        // A few findings per rule and document keep the run short on long specs.
        let mut per_rule: HashMap<Rule, usize> = HashMap::new();
        for f in &snap.analysis.findings {
            let n = per_rule.entry(f.rule).or_default();
            *n += 1;
            if *n > 2 {
                continue;
            }
            for a in actions::quick_fixes(&snap, f.range.clone(), &env) {
                if a.finding.map(|i| &snap.analysis.findings[i]) != Some(f) {
                    continue;
                }
                *tried.entry(f.rule).or_default() += 1;
                if let Err(e) = check_action(&name, &text, &snap.analysis, &a) {
                    failures.push(e);
                }
            }
        }
        if let Some(a) = actions::fix_all(&snap) {
            let out = ide::apply(&text, &a.edits);
            if analyze(&out)
                .findings
                .iter()
                .any(|f| f.rule == Rule::StepNumbering)
            {
                failures.push(format!("{name}: the fix-all left DP021"));
            }
        }
    }
    let heads: Vec<&str> = failures
        .iter()
        .map(|f| f.lines().next().unwrap_or(""))
        .collect();
    assert!(
        failures.is_empty(),
        "{} failures:\n{}\n\nfirst in full:\n{}",
        failures.len(),
        heads.join("\n"),
        failures.first().map_or("", |f| f.as_str())
    );
    // Every kind of quick fix was exercised.
    for rule in [
        Rule::MissingSection,
        Rule::UncheckedPrerequisite,
        Rule::StepWithoutTime,
        Rule::StepNumbering,
        Rule::EmptySection,
        Rule::IncompleteTroubleshootingEntry,
        Rule::Placeholder,
    ] {
        assert!(
            tried.get(&rule).is_some_and(|&n| n > 0),
            "no action tried for {rule:?}: {tried:?}"
        );
    }
}

#[test]
fn scaffolds_compose_until_no_section_is_missing() {
    for (name, text) in documents() {
        let mut text = text;
        for _ in 0..SectionKind::ALL.len() {
            let snap = snapshot(&text);
            let Some(f) = snap
                .analysis
                .findings
                .iter()
                .find(|f| f.rule == Rule::MissingSection)
            else {
                break;
            };
            let a = actions::quick_fixes(&snap, f.range.clone(), &Env::default())
                .into_iter()
                .find(|a| a.title.starts_with("Add a \""))
                .unwrap_or_else(|| panic!("{name}: no scaffold for {}", f.message));
            text = check_action(&name, &text, &snap.analysis, &a).unwrap_or_else(|e| panic!("{e}"));
        }
        let left: Vec<String> = analyze(&text)
            .findings
            .iter()
            .filter(|f| f.rule == Rule::MissingSection)
            .map(|f| f.message.clone())
            .collect();
        assert!(left.is_empty(), "{name}: still missing {left:?}\n{text}");
    }
}
