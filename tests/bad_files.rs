//! Bad files for `deployspec check` and for indexing: permission denied, unreadable folders,
//! 50 MB files, symbolic link loops, files deleted while the index is built. Each is named with
//! its reason (exit 2) and every other file is still checked.
//!
//! Permission tests and root: root reads a `chmod 000` file anyway, so when the test process
//! can read such a file (it is privileged), the binary is run as user `nobody` (65534) instead,
//! where the permission bits apply. The tests never pass by skipping.

#![cfg(unix)]

use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use deployspec::workspace::{walk_markdown, ReadError, Workspace};

const NOBODY: u32 = 65534;

fn chmod(p: &Path, mode: u32) {
    std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// Whether permission bits bind this process: false when it reads a `chmod 000` file (root,
/// or `CAP_DAC_OVERRIDE`).
fn permissions_bind() -> bool {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("probe");
    std::fs::write(&f, "x").unwrap();
    chmod(&f, 0o000);
    std::fs::read(&f).is_err()
}

/// A workspace readable by everyone (so `nobody` can use it), with a spec root and specs.
fn workspace() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().to_path_buf();
    chmod(&root, 0o755);
    std::fs::write(
        root.join(".deployspec.toml"),
        "spec_root = \"docs/specs\"\n",
    )
    .unwrap();
    let specs = root.join("docs/specs");
    for (folder, name, text) in [
        ("component", "cmp-001-ok.md", "# OK\n\nFine.\n"),
        (
            "design",
            "des-001-hidden.md",
            "# Hidden design\n\nSee [CMP-001].\n",
        ),
        (
            "deployment-procedure",
            "deploy-001-x.md",
            "# Deploy\n\nSee [CMP-001] and [CMP-404].\n",
        ),
    ] {
        std::fs::create_dir_all(specs.join(folder)).unwrap();
        std::fs::write(specs.join(folder).join(name), text).unwrap();
    }
    for d in [
        "docs",
        "docs/specs",
        "docs/specs/component",
        "docs/specs/design",
    ] {
        chmod(&root.join(d), 0o755);
    }
    chmod(&root.join("docs/specs/deployment-procedure"), 0o755);
    (dir, root)
}

/// `deployspec check --format json` in `root`, as a user the permission bits apply to.
fn check(root: &Path, args: &[&str]) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_deployspec"));
    c.current_dir(root)
        .args(["check", "--format", "json"])
        .args(args);
    if !permissions_bind() {
        c.uid(NOBODY).gid(NOBODY);
    }
    c.output()
        .expect("run deployspec check (as nobody when root)")
}

fn findings(o: &Output) -> Vec<(String, String)> {
    let v: Vec<serde_json::Value> = serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("no JSON ({e}): {}", String::from_utf8_lossy(&o.stdout)));
    v.iter()
        .map(|f| {
            (
                f["file"].as_str().unwrap().to_string(),
                f["code"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn a_file_without_read_permission_is_named_and_the_rest_checked() {
    let (_d, root) = workspace();
    let secret = root.join("docs/specs/component/cmp-002-secret.md");
    std::fs::write(&secret, "# Secret\n").unwrap();
    chmod(&secret, 0o000);
    let o = check(&root, &[]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("error: docs/specs/component/cmp-002-secret.md: permission denied"),
        "{err}"
    );
    let f = findings(&o);
    assert!(f.contains(&(
        "docs/specs/deployment-procedure/deploy-001-x.md".into(),
        "DP030".into()
    )));
}

#[test]
fn an_unreadable_folder_is_reported_not_skipped() {
    let (_d, root) = workspace();
    let design = root.join("docs/specs/design");
    chmod(&design, 0o000);
    let o = check(&root, &[]);
    chmod(&design, 0o755);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("error: docs/specs/design: permission denied"),
        "{err}"
    );
    // The readable specs are still checked.
    let f = findings(&o);
    assert!(
        f.iter().any(|(file, _)| file.ends_with("deploy-001-x.md")),
        "{f:?}"
    );
}

#[test]
fn walking_reports_an_unreadable_folder_with_its_path() {
    // The same through the library, as the server's index uses it.
    let (_d, root) = workspace();
    let design = root.join("docs/specs/design");
    chmod(&design, 0o000);
    if !permissions_bind() {
        // Privileged: the walk reads the folder anyway. What is checked then is that it does
        // (the file in it is found); the denial itself is covered by the binary run as nobody.
        let (files, errors) = walk_markdown(&[root.join("docs/specs")]);
        chmod(&design, 0o755);
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(files.len(), 3, "{files:?}");
        return;
    }
    let (files, errors) = walk_markdown(&[root.join("docs/specs")]);
    chmod(&design, 0o755);
    assert_eq!(files.len(), 2, "{files:?}");
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(errors[0].0.ends_with("docs/specs/design"), "{errors:?}");
    assert!(
        matches!(&errors[0].1, ReadError::Io(e) if e.kind() == std::io::ErrorKind::PermissionDenied)
    );
}

#[test]
fn a_fifty_megabyte_file_is_refused_unread() {
    let (_d, root) = workspace();
    let big = root.join("docs/specs/component/cmp-009-big.md");
    // Sparse: 50 MB long without writing 50 MB. Refused from its size, never read.
    std::fs::File::create(&big)
        .unwrap()
        .set_len(50 * 1024 * 1024)
        .unwrap();
    let o = check(&root, &[]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("cmp-009-big.md: file is 50.0 MB, over the 10 MB limit"),
        "{err}"
    );
    assert!(!findings(&o).is_empty());
}

#[test]
fn a_symlink_loop_named_on_the_command_line_is_reported() {
    let (_d, root) = workspace();
    let dir = root.join("docs/specs/deployment-procedure");
    std::os::unix::fs::symlink("deploy-a.md", dir.join("deploy-b.md")).unwrap();
    std::os::unix::fs::symlink("deploy-b.md", dir.join("deploy-a.md")).unwrap();
    let o = check(
        &root,
        &[
            "docs/specs/deployment-procedure/deploy-a.md",
            "docs/specs/deployment-procedure/deploy-001-x.md",
        ],
    );
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("deploy-a.md: cannot read: Too many levels of symbolic links"),
        "{err}"
    );
    assert!(findings(&o)
        .iter()
        .any(|(f, _)| f.ends_with("deploy-001-x.md")));
    // Walking the folder with the loop in it: links are not followed, the loop is not entered.
    let o = check(&root, &[]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
}

#[test]
fn a_file_deleted_between_listing_and_indexing_is_skipped_with_its_reason() {
    let (_d, root) = workspace();
    let ws = Workspace::discover(&root);
    let (files, errors) = walk_markdown(&[ws.spec_root()]);
    assert!(errors.is_empty());
    assert_eq!(files.len(), 3);
    let gone = files
        .iter()
        .find(|f| f.ends_with("des-001-hidden.md"))
        .unwrap()
        .clone();
    std::fs::remove_file(&gone).unwrap();
    let (index, errors) = ws.index_files(&files);
    assert_eq!(index.len(), 2);
    assert!(!index.contains("DES-001"));
    assert!(index.contains("CMP-001") && index.contains("DEPLOY-001"));
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].0, gone);
    assert_eq!(errors[0].1.to_string(), "no such file or directory");
}
