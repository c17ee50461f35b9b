//! The `deployspec` binary end to end: output formats, exit codes, bad input, `new`, `status`,
//! `explain`, `config-schema`.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use std::io::Write;

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_deployspec"));
    c.env("NO_COLOR", "1");
    c
}

fn fixture_ws() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/workspace")
}

fn run_in(dir: &Path, args: &[&str]) -> Output {
    bin()
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

/// A scratch copy of the fixture workspace.
fn scratch() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&fixture_ws(), dir.path());
    dir
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).unwrap();
        }
    }
}

#[test]
fn human_output_snapshot() {
    let o = run_in(&fixture_ws(), &["check"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    insta::assert_snapshot!(stdout(&o));
}

#[test]
fn json_output_snapshot_with_character_columns() {
    let o = run_in(&fixture_ws(), &["check", "--format", "json"]);
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    // `- 👩‍💻 Tell the partner team, see [CMP-999].`: the ID starts at character 35 (the emoji
    // is three characters: two pictographs and a zero-width joiner).
    let last = v
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["message"].as_str().unwrap().contains("CMP-999"))
        .unwrap();
    assert_eq!(last["range"]["start"]["column"], 35);
    assert_eq!(last["range"]["end"]["column"], 42);
    insta::assert_json_snapshot!(v);
}

#[test]
fn clean_spec_exits_zero() {
    let o = run_in(
        &fixture_ws(),
        &[
            "check",
            "docs/specs/deployment-procedure/deploy-001-export.md",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert_eq!(stdout(&o), "No findings in 1 file.\n");
}

#[test]
fn the_repository_release_spec_is_clean() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let o = run_in(root, &["check"]);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
}

#[test]
fn stdin_is_checked_under_its_given_name() {
    let text = std::fs::read_to_string(
        fixture_ws().join("docs/specs/deployment-procedure/deploy-002-import.md"),
    )
    .unwrap();
    let mut child = bin()
        .current_dir(fixture_ws())
        .args([
            "check",
            "-",
            "--stdin-filename",
            "docs/specs/deployment-procedure/new.md",
            "--format",
            "json",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let files: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["file"].as_str().unwrap())
        .collect();
    assert!(!files.is_empty());
    assert!(files
        .iter()
        .all(|f| *f == "docs/specs/deployment-procedure/new.md"));
}

#[test]
fn unreadable_files_are_named_and_the_rest_still_checked() {
    let ws = scratch();
    let dir = ws.path().join("docs/specs/deployment-procedure");
    std::fs::write(dir.join("binary.md"), b"# x\0\x01\x02").unwrap();
    std::fs::write(dir.join("latin1.md"), b"# caf\xe9\n").unwrap();
    let o = run_in(ws.path(), &["check", "--format", "json"]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(err.contains("binary.md: binary file"), "{err}");
    assert!(err.contains("latin1.md: invalid UTF-8 on line 1"), "{err}");
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(v.as_array().unwrap().iter().any(|f| f["code"] == "DP030"));
}

#[test]
fn missing_path_exits_two() {
    let o = run_in(&fixture_ws(), &["check", "no/such/file.md"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("no/such/file.md: no such file or directory"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn malformed_config_is_reported_and_defaults_apply() {
    let ws = scratch();
    std::fs::write(ws.path().join(".deployspec.toml"), "[rules]\nDP010 = \n").unwrap();
    let o = run_in(ws.path(), &["check", "--format", "json"]);
    let err = stderr(&o);
    assert!(err.contains(".deployspec.toml:2:"), "{err}");
    assert!(err.contains("defaults are in force"), "{err}");
    // DP010 still reports under the defaults.
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(v.as_array().unwrap().iter().any(|f| f["code"] == "DP010"));
    assert_eq!(o.status.code(), Some(1));

    std::fs::write(
        ws.path().join(".deployspec.toml"),
        "[rules]\nDP010 = \"off\"\nDP030 = \"off\"\nDP001 = \"off\"\n",
    )
    .unwrap();
    let o = run_in(ws.path(), &["check", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(v.as_array().unwrap().iter().all(|f| f["code"] != "DP010"));
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
}

#[test]
fn machine_formats_are_well_formed() {
    let ws = fixture_ws();
    let sarif: serde_json::Value =
        serde_json::from_slice(&run_in(&ws, &["check", "--format", "sarif"]).stdout).unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 16);
    assert!(results
        .iter()
        .any(|r| r["ruleId"] == "DP030" && r["level"] == "error"));

    let gh = stdout(&run_in(&ws, &["check", "--format", "github"]));
    assert_eq!(gh.lines().count(), 16);
    assert!(
        gh.lines().any(|l| l.starts_with(
            "::error file=docs/specs/deployment-procedure/deploy-002-import.md,line=44,col=35,"
        )),
        "{gh}"
    );

    let gl: serde_json::Value =
        serde_json::from_slice(&run_in(&ws, &["check", "--format", "gitlab"]).stdout).unwrap();
    let gl = gl.as_array().unwrap();
    assert_eq!(gl.len(), 16);
    let mut prints: Vec<&str> = gl
        .iter()
        .map(|i| i["fingerprint"].as_str().unwrap())
        .collect();
    prints.sort();
    prints.dedup();
    assert_eq!(prints.len(), 16, "fingerprints are unique");

    let junit = stdout(&run_in(&ws, &["check", "--format", "junit"]));
    assert!(junit.starts_with("<?xml"));
    assert!(junit.contains("tests=\"5\" failures=\"1\""), "{junit}");
    assert_eq!(junit.matches("<testcase").count(), 5);
}

#[test]
fn explain_and_schema() {
    let o = run_in(&fixture_ws(), &["explain", "DP010"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(stdout(&o).starts_with("DP010 unchecked-prerequisite (default: warning)"));
    let o = run_in(&fixture_ws(), &["explain", "slow-rollback"]);
    assert!(stdout(&o).starts_with("DP050"));
    let o = run_in(&fixture_ws(), &["explain", "DP999"]);
    assert_eq!(o.status.code(), Some(2));
    let o = run_in(&fixture_ws(), &["config-schema"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(v["properties"]["rules"]["properties"]["DP010"].is_object());
}

#[test]
fn status_scores_and_min_score() {
    let o = run_in(&fixture_ws(), &["status", "--format", "json"]);
    assert_eq!(o.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let specs = v.as_array().unwrap();
    assert_eq!(specs.len(), 2, "only deployment specs: {v}");
    let clean = &specs[0];
    assert_eq!(
        clean["file"],
        "docs/specs/deployment-procedure/deploy-001-export.md"
    );
    assert_eq!(clean["score"], 100);
    assert_eq!(clean["deployment_seconds"], 120 + 600 + 900);
    assert_eq!(clean["rollback_seconds"], 600);
    // What was recognised: each section with its heading line, each step with its line and time.
    let sections: Vec<(String, u64)> = clean["sections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["kind"].as_str().unwrap().to_string(),
                s["line"].as_u64().unwrap(),
            )
        })
        .collect();
    let want = [
        ("prerequisites", 9),
        ("procedure", 30),
        ("rollback", 66),
        ("success-criteria", 86),
        ("monitoring", 91),
        ("troubleshooting", 96),
        ("post-deployment", 106),
    ];
    assert_eq!(
        sections,
        want.map(|(k, l)| (k.to_string(), l)),
        "{}",
        clean["sections"]
    );
    assert_eq!(clean["sections"][2]["heading"], "Rollback Procedure");
    let steps = clean["steps"].as_array().unwrap();
    let got: Vec<_> = steps
        .iter()
        .map(|s| {
            (
                s["line"].as_u64().unwrap(),
                s["number"].as_u64().unwrap(),
                s["seconds"].as_u64(),
                s["rollback"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            (34, 1, Some(120), false),
            (43, 2, Some(600), false),
            (54, 3, Some(900), false),
            (68, 4, Some(300), true),
            (77, 5, Some(300), true),
        ]
    );
    assert_eq!(steps[0]["title"], "Enable maintenance mode");
    let broken = &specs[1];
    assert!(broken["score"].as_u64().unwrap() < 60, "{broken}");
    assert_eq!(broken["steps_total"], 3);
    assert_eq!(broken["steps"].as_array().unwrap().len(), 3);
    // A step without an estimate has a null time; missing sections are absent from the list.
    assert!(broken["steps"][0]["seconds"].is_null(), "{broken}");
    assert!(!broken["sections"]
        .as_array()
        .unwrap()
        .iter()
        .any(|s| s["kind"] == "monitoring"));
    let o = run_in(&fixture_ws(), &["status", "--min-score", "90"]);
    assert_eq!(o.status.code(), Some(1));
    let o = run_in(
        &fixture_ws(),
        &[
            "status",
            "--min-score",
            "90",
            "docs/specs/deployment-procedure/deploy-001-export.md",
        ],
    );
    assert_eq!(o.status.code(), Some(0));
}

#[test]
fn new_creates_from_template_and_refuses_to_overwrite() {
    let ws = scratch();
    let o = run_in(
        ws.path(),
        &["new", "deployment-procedure", "deploy-003-billing-prod"],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(
        stdout(&o),
        "docs/specs/deployment-procedure/deploy-003-billing-prod.md\n"
    );
    let path = ws
        .path()
        .join("docs/specs/deployment-procedure/deploy-003-billing-prod.md");
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.starts_with("---\nid: DEPLOY-003\ntype: deployment-procedure\n"));
    assert!(text.contains("# Billing Prod\n"));
    // The template has every section: nothing but placeholders and open items is reported.
    let o = run_in(
        ws.path(),
        &[
            "check",
            "--format",
            "json",
            "docs/specs/deployment-procedure/deploy-003-billing-prod.md",
        ],
    );
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let codes: std::collections::BTreeSet<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes.into_iter().collect::<Vec<_>>(), ["DP010", "DP040"]);

    std::fs::write(&path, "mine").unwrap();
    let o = run_in(
        ws.path(),
        &["new", "deployment-procedure", "deploy-003-billing-prod"],
    );
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        "mine",
        "never overwritten"
    );
    // An ID that exists under another name is refused too.
    let o = run_in(ws.path(), &["new", "component", "cmp-002-other"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("CMP-002 already exists"),
        "{}",
        stderr(&o)
    );
    let o = run_in(ws.path(), &["new", "component", "notes"]);
    assert_eq!(o.status.code(), Some(2));
    let o = run_in(ws.path(), &["new", "design", "des-002-retry-policy"]);
    assert_eq!(o.status.code(), Some(0));
}

#[test]
fn folders_are_walked_respecting_gitignore() {
    let ws = scratch();
    std::fs::write(ws.path().join(".gitignore"), "deploy-002-import.md\n").unwrap();
    let o = run_in(ws.path(), &["check"]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert_eq!(stdout(&o), "No findings in 4 files.\n");
}

#[test]
fn a_file_named_on_the_command_line_gets_the_deployment_rules() {
    let o = run_in(
        &fixture_ws(),
        &[
            "check",
            "--format",
            "json",
            "docs/specs/component/cmp-001-export-service.md",
        ],
    );
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(v.as_array().unwrap().iter().any(|f| f["code"] == "DP001"));
    // Walked from its folder, a component spec only gets the general rules.
    let o = run_in(
        &fixture_ws(),
        &["check", "--format", "json", "docs/specs/component"],
    );
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v, serde_json::json!([]));
}

#[test]
fn oversized_files_and_symlink_loops_do_not_stop_the_check() {
    let ws = scratch();
    let dir = ws.path().join("docs/specs/deployment-procedure");
    let big = "- filler line for a spec that is far too large\n".repeat(240_000);
    std::fs::write(dir.join("huge.md"), big).unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(ws.path().join("docs"), dir.join("loop")).unwrap();
    let o = run_in(ws.path(), &["check", "--format", "json"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("huge.md: file is 10.8 MB, over the 10 MB limit"),
        "{}",
        stderr(&o)
    );
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(v.as_array().unwrap().iter().any(|f| f["code"] == "DP030"));
}
