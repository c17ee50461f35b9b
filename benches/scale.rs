//! The server's keystroke with a 10,000-spec index: a spec with 50 broken references against
//! one with none (their "did you mean" is answered once per index state, then from the cache),
//! and what the 50 suggestions cost right after the index changed.
//!
//! ```sh
//! nice -n 5 cargo bench --bench scale -- --warm-up-time 1 --measurement-time 3
//! ```
//!
//! `check` and `status` over whole workspaces are timed by `benches/scale.sh`.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use deployspec::analysis::document::RegionCache;
use deployspec::analysis::{self, Input};
use deployspec::config::Config;
use deployspec::index::{SpecEntry, SpecIndex};
use deployspec::suggest::Nearest;

/// 10,000 specs numbered as `gen_corpus.py workspace` numbers them.
fn index() -> SpecIndex {
    let mut idx = SpecIndex::from_entries((0..10_000).map(|i| {
        let (prefix, kind, n) = match i % 20 {
            0..=7 => ("CMP", "component", i / 20 * 8 + i % 20 + 1),
            8..=12 => ("DES", "design", i / 20 * 5 + i % 20 - 7),
            _ => ("DEPLOY", "deployment-procedure", i / 20 * 7 + i % 20 - 12),
        };
        let id = format!("{prefix}-{n:03}");
        SpecEntry {
            path: format!("/ws/docs/specs/{kind}/{}.md", id.to_lowercase()).into(),
            display: format!("docs/specs/{kind}/{}.md", id.to_lowercase()),
            title: Some(format!("Spec number {i}")),
            kind: Some(kind.into()),
            owner: Some("@team".into()),
            summary: None,
            id,
        }
    }));
    idx.set_authoritative(true);
    idx
}

/// 50 distinct IDs that no spec has, near existing ones.
fn broken() -> Vec<String> {
    (0..50)
        .map(|i| match i % 3 {
            0 => format!("CMP-{}", 4_100 + i * 7),
            1 => format!("DES-{}", 2_600 + i * 11),
            _ => format!("DEPLOY-{:04}", 3_600 + i * 13),
        })
        .collect()
}

/// The complete fixture spec, with a paragraph of references appended (broken or existing).
fn spec(refs: &[String]) -> String {
    let mut text = include_str!("../tests/fixtures/complete.md").to_string();
    text.push_str("\n## Related\n\n");
    for r in refs {
        text.push_str(&format!("- Coordinate with [{r}] before the change.\n"));
    }
    text
}

/// `(original, edited)`: one character typed in the first step's text.
fn keystroke(text: &str) -> (String, String) {
    let at = text.find("status page").expect("a prose line") + "status".len();
    let mut edited = text.to_string();
    edited.insert(at, 'x');
    (text.to_string(), edited)
}

fn benches(c: &mut Criterion) {
    let index = index();
    let config = Config::default();
    let broken = broken();
    let fine: Vec<String> = (1..=50).map(|i| format!("CMP-{:03}", i * 9)).collect();
    let mut g = c.benchmark_group("keystroke-10000-specs");
    g.sample_size(30);
    for (name, refs) in [("no_broken_refs", &fine), ("50_broken_refs", &broken)] {
        let (a, b) = keystroke(&spec(refs));
        let input = |text| Input {
            text,
            path: None,
            explicit: true,
            config: &config,
            index: &index,
        };
        let mut cache = RegionCache::default();
        let first = analysis::analyze(&input(&a), &mut cache);
        let dp030 = first
            .findings
            .iter()
            .filter(|f| f.rule.code() == "DP030")
            .count();
        assert_eq!(dp030, if name == "no_broken_refs" { 0 } else { 50 });
        let mut flip = false;
        g.bench_function(name, |bench| {
            bench.iter(|| {
                flip = !flip;
                let t = if flip { &b } else { &a };
                black_box(analysis::analyze(&input(t), &mut cache))
            });
        });
    }
    // After the index changed: the sets are built anew, then each of the 50 IDs searched once.
    let ids: Vec<&str> = index.entries().iter().map(|e| e.id.as_str()).collect();
    g.bench_function("50_suggestions_after_an_index_change", |bench| {
        bench.iter(|| {
            let nearest = Nearest::default();
            for id in &broken {
                black_box(nearest.nearest(id, 3, || Box::new(ids.iter().copied())));
            }
        });
    });
    g.finish();
}

criterion_group!(scale_benches, benches);
criterion_main!(scale_benches);
