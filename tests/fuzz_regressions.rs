//! Replays every committed fuzz input under `fuzz/regressions/<target>/` through the same
//! harness the cargo-fuzz targets run (`fuzz/src/lib.rs`), on stable. Each crash the fuzzers
//! found also has a named test here that states what went wrong.

#[path = "../fuzz/src/lib.rs"]
#[allow(dead_code)]
mod harness;

use std::path::Path;

/// Runs `target` on every file in `fuzz/regressions/<name>/`; returns how many ran.
fn replay(name: &str, target: fn(&[u8])) -> usize {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/regressions")
        .join(name);
    let mut n = 0;
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file() && p.file_name().is_some_and(|n| n != ".gitkeep"))
        .collect();
    files.sort();
    for f in files {
        let data = std::fs::read(&f).unwrap();
        let result = std::panic::catch_unwind(|| target(&data));
        assert!(result.is_ok(), "{} fails again", f.display());
        n += 1;
    }
    n
}

#[test]
fn committed_analysis_inputs() {
    replay("analysis", harness::analysis);
}

#[test]
fn committed_edits_inputs() {
    replay("edits", harness::edits);
}

#[test]
fn committed_positions_inputs() {
    replay("positions", harness::positions);
}

#[test]
fn committed_config_inputs() {
    replay("config", harness::config);
}

/// Found by the `analysis` target (`fuzz/regressions/analysis/step-times-overflow-u64`): step
/// estimates as large as the author writes them (`~5 min111…`) overflowed the u64 sums of
/// forward and rollback time (DP050), a panic in debug builds and a wrong comparison in release.
#[test]
fn huge_step_times_saturate_instead_of_overflowing() {
    use deployspec::analysis::{analyze_text, Input};
    let huge = "9".repeat(40);
    let text = format!(
        "# Deploy\n\n## Deployment Procedure\n\n**Step 1: A**\n\n- Time: ~{huge} minutes\n\n\
         **Step 2: B**\n\n- Time: ~{huge} hours\n\n## Rollback Procedure\n\n**Step 3: C**\n\n\
         - Time: ~{huge} hours\n\n**Step 4: D**\n\n- Time: ~{huge} hours\n"
    );
    let config = deployspec::config::Config::default();
    let index = deployspec::index::SpecIndex::default();
    let a = analyze_text(&Input {
        text: &text,
        path: Some(Path::new("docs/specs/deployment-procedure/deploy-001-x.md")),
        explicit: true,
        config: &config,
        index: &index,
    });
    assert_eq!(a.model.rollback_seconds(), u64::MAX);
    assert_eq!(a.model.forward_seconds(), u64::MAX);
}
