//! `deployspec check --fix`: what it rewrites, how (atomically, permissions and links kept), and
//! what it leaves alone.

use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::Path;
use std::process::{Command, Output, Stdio};

use std::io::Write;

const MISNUMBERED: &str = "# Deploy\n\n## Deployment Procedure\n\n**Step 1: A**\n\n- Time: 1m\n\n**Step 3: B**\n\n- Time: 2m\n\nIf Step 3 fails, roll back with Step 5.\n\n### Rollback Procedure\n\n**Step 5: Undo B**\n\n- Time: 1m\n";
const FIXED: &str = "# Deploy\n\n## Deployment Procedure\n\n**Step 1: A**\n\n- Time: 1m\n\n**Step 2: B**\n\n- Time: 2m\n\nIf Step 2 fails, roll back with Step 3.\n\n### Rollback Procedure\n\n**Step 3: Undo B**\n\n- Time: 1m\n";

fn check(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_deployspec"))
        .env("NO_COLOR", "1")
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap()
}

fn spec_dir(root: &Path) -> std::path::PathBuf {
    let d = root.join("docs/specs/deployment-procedure");
    std::fs::create_dir_all(&d).unwrap();
    d
}

#[test]
fn fixes_in_place_keeping_permissions_and_leaves_clean_files_untouched() {
    let tmp = tempfile::tempdir().unwrap();
    let d = spec_dir(tmp.path());
    let bad = d.join("deploy-001-bad.md");
    let good = d.join("deploy-002-good.md");
    std::fs::write(&bad, MISNUMBERED).unwrap();
    std::fs::write(&good, FIXED).unwrap();
    std::fs::set_permissions(&bad, std::fs::Permissions::from_mode(0o640)).unwrap();
    let before = std::fs::metadata(&good).unwrap();
    let o = check(tmp.path(), &["check", "--fix", "--format", "json"]);
    let out = String::from_utf8_lossy(&o.stdout);
    assert_eq!(std::fs::read_to_string(&bad).unwrap(), FIXED);
    assert_eq!(
        std::fs::metadata(&bad).unwrap().permissions().mode() & 0o777,
        0o640
    );
    // The report is about the fixed text: no numbering finding left.
    assert!(!out.contains("DP021"), "{out}");
    let after = std::fs::metadata(&good).unwrap();
    assert_eq!(
        (before.ino(), before.mtime(), before.mtime_nsec()),
        (after.ino(), after.mtime(), after.mtime_nsec()),
        "a file with nothing to fix was rewritten"
    );
    // No temporary file left behind.
    let names: Vec<_> = std::fs::read_dir(&d)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names.len(), 2, "{names:?}");
    // Without --fix nothing is written.
    std::fs::write(&bad, MISNUMBERED).unwrap();
    check(tmp.path(), &["check"]);
    assert_eq!(std::fs::read_to_string(&bad).unwrap(), MISNUMBERED);
}

#[test]
fn a_symlinked_spec_is_fixed_through_the_link() {
    let tmp = tempfile::tempdir().unwrap();
    let d = spec_dir(tmp.path());
    let real = tmp.path().join("real.md");
    std::fs::write(&real, MISNUMBERED).unwrap();
    let link = d.join("deploy-003-link.md");
    std::os::unix::fs::symlink(&real, &link).unwrap();
    // Named explicitly: the folder walk does not follow links.
    check(
        tmp.path(),
        &[
            "check",
            "--fix",
            "docs/specs/deployment-procedure/deploy-003-link.md",
        ],
    );
    assert!(std::fs::symlink_metadata(&link)
        .unwrap()
        .file_type()
        .is_symlink());
    assert_eq!(std::fs::read_to_string(&real).unwrap(), FIXED);
}

#[test]
fn stdin_prints_the_fixed_text() {
    for (input, want) in [
        (MISNUMBERED.to_string(), FIXED.to_string()),
        (
            MISNUMBERED.replace('\n', "\r\n"),
            FIXED.replace('\n', "\r\n"),
        ),
        (FIXED.to_string(), FIXED.to_string()),
    ] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_deployspec"))
            .args(["check", "--fix", "-"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
        let o = child.wait_with_output().unwrap();
        assert_eq!(String::from_utf8(o.stdout).unwrap(), want);
        // Errors left (the missing sections) still fail the run.
        assert_eq!(o.status.code(), Some(1));
    }
}

#[test]
fn nothing_invented_by_fix() {
    // Missing estimates and sections, unchecked boxes: --fix leaves them for the author.
    let text = "# Deploy\n\n## Prerequisites\n\n- [ ] approved\n\n## Deployment Procedure\n\n**Step 1: A**\n";
    let tmp = tempfile::tempdir().unwrap();
    let f = spec_dir(tmp.path()).join("deploy-004-x.md");
    std::fs::write(&f, text).unwrap();
    check(tmp.path(), &["check", "--fix"]);
    assert_eq!(std::fs::read_to_string(&f).unwrap(), text);
}

#[test]
fn explain_describes_the_fixes_that_exist() {
    let tmp = tempfile::tempdir().unwrap();
    for (rule, phrase) in [
        ("DP001", "scaffold at its canonical place"),
        ("DP020", "never\ninvents one"),
        ("DP021", "`deployspec check --fix`"),
        ("DP030", "\"Create CMP-004\" quick fix"),
        ("DP041", "\"Write a scaffold\" quick fix"),
        ("DP060", "\"Complete the troubleshooting entry\""),
    ] {
        let o = check(tmp.path(), &["explain", rule]);
        let text = String::from_utf8_lossy(&o.stdout);
        assert!(text.contains(phrase), "{rule}: {text}");
    }
}
