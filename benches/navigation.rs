//! Latency of definition, hover and completion on a 10,000-line deployment spec, with an index
//! of 10,000 specs, each from a ready snapshot (what a request gets after the document's check):
//! position → byte offset, the pure feature, and back for the answer's range.
//!
//! ```sh
//! python3 gen_corpus.py doc --lines 10000 /tmp/spec-10000.md     # shared/bench/gen_corpus.py
//! DEPLOYSPEC_BENCH_DOC=/tmp/spec-10000.md \
//!     cargo bench --bench navigation -- --warm-up-time 1 --measurement-time 3
//! ```
//!
//! Without `DEPLOYSPEC_BENCH_DOC`, the committed 3,000-line generated spec is repeated up to
//! 10,000 lines.

use std::hint::black_box;
use std::sync::Arc;

use criterion::{criterion_group, criterion_main, Criterion};
use deployspec::analysis::{analyze_text, Input};
use deployspec::config::Config;
use deployspec::ide::{self, Snapshot};
use deployspec::index::{SpecEntry, SpecIndex};
use deployspec::position::{Encoding, LineIndex};

fn spec() -> String {
    if let Ok(path) = std::env::var("DEPLOYSPEC_BENCH_DOC") {
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        eprintln!("bench document: {path}");
        return text;
    }
    let base = include_str!("../tests/corpus/generated/spec-3000.md");
    let mut text = String::new();
    for line in base.lines().cycle().take(10_000) {
        text.push_str(line);
        text.push('\n');
    }
    eprintln!("bench document: tests/corpus/generated/spec-3000.md repeated to 10000 lines");
    text
}

/// 10,000 specs over three prefixes, as `gen_corpus.py workspace --files 10000` names them.
fn index() -> SpecIndex {
    SpecIndex::from_entries((0..10_000).map(|i| {
        let (prefix, kind) = match i % 3 {
            0 => ("CMP", "component"),
            1 => ("DES", "design"),
            _ => ("DEPLOY", "deployment-procedure"),
        };
        let id = format!("{prefix}-{:03}", i / 3 + 1);
        SpecEntry {
            path: format!("/ws/docs/specs/{kind}/{}.md", id.to_lowercase()).into(),
            display: format!("docs/specs/{kind}/{}.md", id.to_lowercase()),
            title: Some(format!("Spec number {i}")),
            kind: Some(kind.into()),
            owner: Some("@team".into()),
            summary: Some("What it is.".into()),
            id,
        }
    }))
}

fn bench(c: &mut Criterion) {
    let text = spec();
    let index = Arc::new(index());
    let config = Config::default();
    let analysis = analyze_text(&Input {
        text: &text,
        path: Some(std::path::Path::new(
            "docs/specs/deployment-procedure/deploy-001-big.md",
        )),
        explicit: false,
        config: &config,
        index: &index,
    });
    let snap = Snapshot::new(1, Arc::from(text.as_str()), analysis);
    let m = snap.model();
    // Targets near the end of the document: the worst case for anything linear in position.
    let spec_ref = m.spec_refs.last().expect("a spec reference").range.start + 1;
    let mention = m
        .step_refs
        .iter()
        .rfind(|r| !r.in_title)
        .expect("a step mention")
        .range
        .start
        + 1;
    let step_title = m.steps.last().expect("a step").title_range.start + 3;
    // Just after `[`: every ID matches (capped at 200).
    let bracket = m.spec_refs.last().expect("a spec reference").range.start;
    let env = ide::completion::Env {
        snippets: true,
        sections: config.sections.required.clone(),
        max_specs: 200,
    };
    let enc = Encoding::Utf16;
    // Position round trip as the adapter does it (the line index is built once per version).
    let at = |o: usize| {
        let p = snap.lines().position(&snap.text, o, enc);
        snap.lines().offset(&snap.text, p, enc)
    };
    assert!(
        ide::completion::complete(&snap, bracket, &index, &env).incomplete,
        "every ID matches after a bare `[`"
    );
    let mut g = c.benchmark_group("navigation-10000-lines");
    g.bench_function("definition spec ID", |b| {
        b.iter(|| ide::definition::definition(&snap, black_box(at(spec_ref)), &index))
    });
    g.bench_function("definition Step N", |b| {
        b.iter(|| ide::definition::definition(&snap, black_box(at(mention)), &index))
    });
    g.bench_function("hover spec ID", |b| {
        b.iter(|| ide::hover::hover(&snap, black_box(at(spec_ref)), &index))
    });
    g.bench_function("hover last step", |b| {
        b.iter(|| ide::hover::hover(&snap, black_box(at(step_title)), &index))
    });
    g.bench_function("completion after [ (10,000 IDs)", |b| {
        b.iter(|| ide::completion::complete(&snap, black_box(at(bracket)), &index, &env))
    });
    // An empty line in the body of a step near the end, where the step snippet is offered.
    let blank = m
        .steps
        .iter()
        .rev()
        .filter_map(|s| {
            let at = s.body.start + snap.text[s.body.clone()].find("\n\n")? + 1;
            (ide::completion::complete(&snap, at, &index, &env)
                .items
                .len()
                == 1)
                .then_some(at)
        })
        .next()
        .expect("an empty line in a step where the step snippet is offered");
    g.bench_function("completion step snippet", |b| {
        b.iter(|| ide::completion::complete(&snap, black_box(at(blank)), &index, &env))
    });
    g.bench_function("document symbols", |b| {
        b.iter(|| ide::symbols::document_symbols(black_box(&snap)))
    });
    g.bench_function("line index (first request of a version)", |b| {
        b.iter(|| LineIndex::new(black_box(&snap.text)))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
