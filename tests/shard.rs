//! `check --shard K/N` and `merge-reports`: on a generated workspace whose specs reference each
//! other across shards (some references broken), the shards together report exactly what one
//! run reports, finding for finding, and their merged reports are the unsharded report byte for
//! byte.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Output};

fn run_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_deployspec"))
        .env("NO_COLOR", "1")
        .current_dir(dir)
        .args(args)
        .output()
        .expect("run deployspec")
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}

/// 45 specs of very different sizes: components referencing neighbours (`[CMP-017]`), some IDs
/// that no file defines (`[CMP-9xx]`, `[DES-0xx]` past the last), and deployment procedures
/// built on the complete fixture with extra references.
fn workspace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let specs = dir.path().join("docs/specs");
    for sub in ["component", "design", "deployment-procedure"] {
        std::fs::create_dir_all(specs.join(sub)).unwrap();
    }
    let complete = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/complete.md"),
    )
    .unwrap();
    let mut seed: u64 = 0x5eed_1234;
    let mut rand = |below: u64| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed % below
    };
    for i in 1..=30 {
        let mut text = format!(
            "# Component {i}\n\n**ID**: CMP-{i:03}\n**Owner**: @team-{}\n\nThe service number {i}.\n\n## Overview\n\n",
            i % 4
        );
        // From a few lines to a few hundred, so balancing by size matters.
        for line in 0..(rand(6) * rand(40) + 2) {
            let target = match rand(10) {
                0 => format!("CMP-{}", 900 + rand(30)),
                1 => format!("DES-{:03}", 10 + rand(5)),
                _ => format!("CMP-{:03}", 1 + rand(30)),
            };
            text.push_str(&format!("Line {line} depends on [{target}] for 😀 data.\n"));
        }
        std::fs::write(specs.join(format!("component/cmp-{i:03}-c{i}.md")), text).unwrap();
    }
    for i in 1..=5 {
        let text = format!(
            "# Design {i}\n\n**ID**: DES-{i:03}\n\nA design.\n\n## Context\n\nUses [CMP-{:03}] and [CMP-{}].\n",
            i * 3,
            950 + i
        );
        std::fs::write(specs.join(format!("design/des-{i:03}-d{i}.md")), text).unwrap();
    }
    for i in 1..=10 {
        let mut text = complete.clone();
        for _ in 0..rand(20) {
            text.push_str(&format!("\nSee [CMP-{:03}].\n", 1 + rand(40)));
        }
        std::fs::write(
            specs.join(format!("deployment-procedure/deploy-{i:03}-d{i}.md")),
            text,
        )
        .unwrap();
    }
    dir
}

/// Findings of a JSON report, each as one comparable line.
fn findings(json: &str) -> Vec<String> {
    let v: serde_json::Value = serde_json::from_str(json).unwrap();
    v.as_array()
        .unwrap()
        .iter()
        .map(|f| f.to_string())
        .collect()
}

#[test]
fn shards_together_equal_one_run() {
    let ws = workspace();
    let dir = ws.path();
    let whole = run_in(dir, &["check", "--format", "json"]);
    assert_eq!(whole.status.code(), Some(1), "{}", stderr(&whole));
    let all = findings(&stdout(&whole));
    let broken: Vec<&String> = all.iter().filter(|f| f.contains("DP030")).collect();
    assert!(broken.len() > 20, "the workspace has broken references");
    assert!(
        all.iter().any(|f| f.contains("did you mean")),
        "and suggestions"
    );

    for n in [3usize, 7] {
        let mut union = Vec::new();
        let mut files_seen: BTreeMap<String, usize> = BTreeMap::new();
        for k in 1..=n {
            let shard = format!("{k}/{n}");
            let o = run_in(dir, &["check", "--shard", &shard, "--format", "json"]);
            assert!(matches!(o.status.code(), Some(0 | 1)), "{}", stderr(&o));
            union.extend(findings(&stdout(&o)));
            // Every file is in exactly one shard (JUnit lists each checked file).
            let junit = run_in(dir, &["check", "--shard", &shard, "--format", "junit"]);
            for line in stdout(&junit).lines() {
                if let Some(rest) =
                    line.strip_prefix("    <testcase classname=\"deployspec\" name=\"")
                {
                    let name = rest.split('"').next().unwrap().to_string();
                    *files_seen.entry(name).or_default() += 1;
                }
            }
        }
        let mut expected = all.clone();
        expected.sort();
        union.sort();
        assert_eq!(union, expected, "{n} shards report what one run reports");
        assert_eq!(files_seen.len(), 45, "{n} shards cover every file");
        assert!(
            files_seen.values().all(|&c| c == 1),
            "{n} shards: once each"
        );
    }
}

#[test]
fn merged_reports_are_the_unsharded_report() {
    let ws = workspace();
    let dir = ws.path();
    let out = tempfile::tempdir().unwrap();
    for format in ["json", "gitlab", "sarif", "junit"] {
        let whole = stdout(&run_in(dir, &["check", "--format", format]));
        let mut reports = Vec::new();
        // Given in reverse: the order of the reports does not matter.
        for k in (1..=3).rev() {
            let o = run_in(
                dir,
                &["check", "--shard", &format!("{k}/3"), "--format", format],
            );
            let path = out.path().join(format!("{format}-{k}"));
            std::fs::write(&path, &o.stdout).unwrap();
            reports.push(path.display().to_string());
        }
        let mut args = vec!["merge-reports", "--format", format];
        args.extend(reports.iter().map(String::as_str));
        let merged = run_in(dir, &args);
        assert_eq!(merged.status.code(), Some(0), "{}", stderr(&merged));
        assert_eq!(stdout(&merged), whole, "{format}");
    }
    // GitHub annotations: the shards' lines are the run's lines.
    let mut whole: Vec<String> = stdout(&run_in(dir, &["check", "--format", "github"]))
        .lines()
        .map(String::from)
        .collect();
    let mut joined: Vec<String> = (1..=3)
        .flat_map(|k| {
            stdout(&run_in(
                dir,
                &["check", "--shard", &format!("{k}/3"), "--format", "github"],
            ))
            .lines()
            .map(String::from)
            .collect::<Vec<_>>()
        })
        .collect();
    whole.sort();
    joined.sort();
    assert_eq!(joined, whole);
}

#[test]
fn shards_are_balanced_by_size_and_deterministic() {
    let ws = workspace();
    let dir = ws.path();
    let n = 4;
    let mut totals = Vec::new();
    let mut largest = 0;
    for k in 1..=n {
        let shard = format!("{k}/{n}");
        let o = run_in(dir, &["check", "--shard", &shard, "--format", "junit"]);
        let again = run_in(dir, &["check", "--shard", &shard, "--format", "junit"]);
        assert_eq!(o.stdout, again.stdout, "the same files every time");
        let mut total = 0;
        for line in stdout(&o).lines() {
            if let Some(rest) = line.strip_prefix("    <testcase classname=\"deployspec\" name=\"")
            {
                let size = std::fs::metadata(dir.join(rest.split('"').next().unwrap()))
                    .unwrap()
                    .len();
                largest = largest.max(size);
                total += size;
            }
        }
        totals.push(total);
    }
    let (min, max) = (totals.iter().min().unwrap(), totals.iter().max().unwrap());
    // Largest-first greedy: parts differ by at most one file.
    assert!(max - min <= largest, "{totals:?}, largest file {largest}");
}

#[test]
fn more_shards_than_files_leaves_the_rest_empty() {
    let ws = workspace();
    let o = run_in(ws.path(), &["check", "--shard", "46/1000000000"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stdout(&o), "No findings in 0 files.\n");
    let o = run_in(
        ws.path(),
        &["check", "--shard", "45/1000000000", "--format", "junit"],
    );
    assert!(stdout(&o).contains("tests=\"1\""), "{}", stdout(&o));
}

#[test]
fn bad_shards_and_reports_are_refused() {
    let ws = workspace();
    let dir = ws.path();
    for bad in ["0/3", "4/3", "1/0", "x", "2/", "/2", "1/3/4", "-1/2", ""] {
        let o = run_in(dir, &["check", &format!("--shard={bad}")]);
        assert_eq!(o.status.code(), Some(2), "{bad}");
        assert!(
            stderr(&o).contains("expected K/N with 1 <= K <= N"),
            "{bad}: {}",
            stderr(&o)
        );
        assert!(o.stdout.is_empty(), "{bad}");
    }
    let o = run_in(dir, &["check", "--shard", "1/2", "-"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("--shard cannot check stdin"),
        "{}",
        stderr(&o)
    );

    let junk = dir.join("junk.txt");
    std::fs::write(&junk, "not a report").unwrap();
    for format in ["json", "gitlab", "sarif", "junit"] {
        let o = run_in(dir, &["merge-reports", "--format", format, "junk.txt"]);
        assert_eq!(o.status.code(), Some(2), "{format}");
        assert!(stderr(&o).contains("junk.txt"), "{format}: {}", stderr(&o));
    }
    let o = run_in(dir, &["merge-reports", "--format", "human", "junk.txt"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("only json, gitlab, sarif and junit"));
    let o = run_in(dir, &["merge-reports", "--format", "json", "missing.json"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("cannot read report missing.json"));
}
