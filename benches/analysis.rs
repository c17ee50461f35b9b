//! Parse and analysis cost on a 10,000-line deployment spec.
//!
//! ```sh
//! python3 gen_corpus.py doc --lines 10000 /tmp/spec-10000.md     # shared/bench/gen_corpus.py
//! DEPLOYSPEC_BENCH_DOC=/tmp/spec-10000.md \
//!     cargo bench --bench analysis -- --warm-up-time 1 --measurement-time 3
//! ```
//!
//! Without `DEPLOYSPEC_BENCH_DOC`, the committed 3,000-line generated spec is repeated up to
//! 10,000 lines (same kinds of blocks; the numbers are close but not identical).

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use deployspec::analysis::document::{self, RegionCache};
use deployspec::analysis::model::SectionKind;
use deployspec::analysis::{self, Input};
use deployspec::config::Config;
use deployspec::ide::{actions, scaffold, Env, Snapshot};
use deployspec::index::SpecIndex;
use deployspec::position::LineIndex;
use std::sync::Arc;

const LINES: usize = 10_000;

fn spec() -> String {
    if let Ok(path) = std::env::var("DEPLOYSPEC_BENCH_DOC") {
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        eprintln!("bench document: {path}");
        return text;
    }
    let base = include_str!("../tests/corpus/generated/spec-3000.md");
    let mut text = String::new();
    for line in base.lines().cycle().take(LINES) {
        text.push_str(line);
        text.push('\n');
    }
    eprintln!("bench document: tests/corpus/generated/spec-3000.md repeated to {LINES} lines");
    text
}

/// The text with one character typed at the end of a prose word near the middle, as an editor
/// keystroke would: `(original, edited)`.
fn keystroke(text: &str) -> (String, String) {
    let mid = text.len() / 2;
    let line_start = text[..mid].rfind('\n').map_or(0, |i| i + 1);
    // The next list item or paragraph line with a word to extend (not code, not a heading).
    let mut at = None;
    let mut pos = line_start;
    let mut in_fence = false;
    for line in text[line_start..].split_inclusive('\n') {
        let t = line.trim_start();
        if t.starts_with("```") {
            in_fence = !in_fence;
        } else if !in_fence
            && (t.starts_with("- ") || t.chars().next().is_some_and(char::is_alphabetic))
        {
            if let Some(i) = line.find(" the ") {
                at = Some(pos + i + 4);
                break;
            }
        }
        pos += line.len();
    }
    let at = at.expect("a prose line after the middle");
    let mut edited = text.to_string();
    edited.insert(at, 'x');
    (text.to_string(), edited)
}

fn benches(c: &mut Criterion) {
    let text = spec();
    let (a, b) = keystroke(&text);
    let lines = text.lines().count();
    let mut g = c.benchmark_group(format!("spec-{lines}-lines"));
    g.sample_size(20);

    g.bench_function("a_bare_tree_sitter_md_parse", |bench| {
        let mut parser = tree_sitter_md::MarkdownParser::default();
        bench.iter(|| black_box(parser.parse(black_box(text.as_bytes()), None)));
    });

    g.bench_function("b_parse_whole", |bench| {
        bench.iter(|| black_box(document::parse_whole(black_box(&text))));
    });

    g.bench_function("c_parse_facts_fresh", |bench| {
        bench.iter(|| {
            black_box(document::parse_facts(
                black_box(&text),
                &mut RegionCache::default(),
            ))
        });
    });

    // One keystroke per iteration: the text alternates between the original and the edited
    // version, so each parse finds all regions but one in the cache.
    g.bench_function("d_keystroke_parse_facts_warm", |bench| {
        let mut cache = RegionCache::default();
        document::parse_facts(&a, &mut cache);
        let (_, stats) = document::parse_facts(&b, &mut cache);
        assert_eq!(stats.parsed, 1, "{stats:?}");
        let mut flip = false;
        bench.iter(|| {
            flip = !flip;
            let t = if flip { &a } else { &b };
            black_box(document::parse_facts(t, &mut cache))
        });
    });

    g.bench_function("e_keystroke_analyze_warm", |bench| {
        let config = Config::default();
        let index = SpecIndex::default();
        let input = |text| Input {
            text,
            path: None,
            explicit: true,
            config: &config,
            index: &index,
        };
        let mut cache = RegionCache::default();
        analysis::analyze(&input(&a), &mut cache);
        let mut flip = false;
        bench.iter(|| {
            flip = !flip;
            let t = if flip { &b } else { &a };
            black_box(analysis::analyze(&input(t), &mut cache))
        });
    });
    // Code actions answer from the snapshot the last check left: its analysis is done, its line
    // index is built on the first request. Asked at the title (DP001: the section scaffolds,
    // the rollback mirroring every forward step) and at a step near the middle.
    let config = Config::default();
    let index = SpecIndex::default();
    let analysed = analysis::analyze_text(&Input {
        text: &text,
        path: None,
        explicit: true,
        config: &config,
        index: &index,
    });
    let snap = Snapshot::new(1, Arc::from(text.as_str()), analysed);
    let env = Env::default();
    let mid = snap
        .model()
        .steps
        .get(snap.model().steps.len() / 2)
        .map_or(0, |s| s.title_range.start);
    g.bench_function("f_line_index", |bench| {
        bench.iter(|| black_box(LineIndex::new(black_box(&text))));
    });
    g.bench_function("g_code_actions_at_title", |bench| {
        bench.iter(|| black_box(actions::quick_fixes(&snap, 0..0, &env)));
    });
    g.bench_function("h_code_actions_at_middle_step", |bench| {
        bench.iter(|| black_box(actions::quick_fixes(&snap, mid..mid, &env)));
    });
    g.bench_function("i_rollback_scaffold", |bench| {
        bench.iter(|| {
            black_box(scaffold::missing_section(
                snap.model(),
                &text,
                SectionKind::Rollback,
                false,
                "\n",
            ))
        });
    });
    g.bench_function("j_fix_all", |bench| {
        bench.iter(|| black_box(actions::fix_all(&snap)));
    });
    g.finish();
}

criterion_group!(analysis_benches, benches);
criterion_main!(analysis_benches);
