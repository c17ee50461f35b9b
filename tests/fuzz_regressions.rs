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
