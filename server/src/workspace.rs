//! The file system side: finding `.deployspec.toml`, reading spec files safely, walking
//! directories, building the index from disk. The analysis core never touches the disk.

use std::fmt;
use std::io::Read;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::config::{self, Config, ConfigError};
use crate::index::{self, SpecEntry, SpecIndex};

/// Files larger than this are refused rather than read.
pub const MAX_FILE_BYTES: u64 = 10 * 1024 * 1024;

/// The configuration in force for a place on disk.
#[derive(Clone, Debug)]
pub struct Workspace {
    /// The folder holding `.deployspec.toml`, else the folder the search started from.
    pub root: PathBuf,
    pub config: Config,
    pub config_path: Option<PathBuf>,
    /// A malformed configuration: reported, and the defaults apply.
    pub config_error: Option<ConfigError>,
}

impl Workspace {
    /// Finds the configuration by walking up from `start` (a file or a folder).
    pub fn discover(start: &Path) -> Workspace {
        let start = absolute(start);
        let dir = if start.is_dir() {
            start.clone()
        } else {
            start
                .parent()
                .map(Path::to_path_buf)
                .unwrap_or(start.clone())
        };
        let found = dir
            .ancestors()
            .map(|d| d.join(config::FILE_NAME))
            .find(|p| p.is_file());
        let Some(path) = found else {
            return Workspace {
                root: guess_root(&dir),
                config: Config::default(),
                config_path: None,
                config_error: None,
            };
        };
        Workspace::from_config_file(&path).unwrap_or_else(|e| Workspace {
            root: path.parent().map(Path::to_path_buf).unwrap_or(dir),
            config: Config::default(),
            config_error: Some(ConfigError {
                line: 0,
                column: 0,
                message: format!("cannot read {}: {e}", path.display()),
            }),
            config_path: Some(path),
        })
    }

    /// The workspace of a given configuration file (its folder is the root). A malformed file
    /// leaves the defaults in force, with the error in `config_error`; an unreadable one is an
    /// error.
    pub fn from_config_file(path: &Path) -> std::io::Result<Workspace> {
        let text = std::fs::read_to_string(path)?;
        let root = absolute(path)
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default();
        let (config, config_error) = match Config::from_toml(&text) {
            Ok(c) => (c, None),
            Err(e) => (Config::default(), Some(e)),
        };
        Ok(Workspace {
            root,
            config,
            config_path: Some(path.to_path_buf()),
            config_error,
        })
    }

    pub fn spec_root(&self) -> PathBuf {
        self.root.join(&self.config.spec_root)
    }

    /// The spec type of a file: the first folder under the spec root.
    pub fn spec_type(&self, path: &Path) -> Option<String> {
        let rel = absolute(path)
            .strip_prefix(self.spec_root())
            .ok()?
            .to_path_buf();
        let mut comps = rel.components();
        let first = comps.next()?;
        comps.next()?;
        Some(first.as_os_str().to_string_lossy().to_string())
    }

    /// How a path is shown: relative to the workspace root when inside it.
    pub fn display(&self, path: &Path) -> String {
        let abs = absolute(path);
        abs.strip_prefix(&self.root)
            .map(|p| p.display().to_string())
            .unwrap_or_else(|_| abs.display().to_string())
    }

    /// Indexes every spec under the spec root, in parallel. Unreadable files are returned with
    /// their reason and left out of the index.
    pub fn build_index(&self) -> (SpecIndex, Vec<(PathBuf, ReadError)>) {
        let root = self.spec_root();
        if !root.is_dir() {
            return (SpecIndex::default(), Vec::new());
        }
        let (files, walk_errors) = walk_markdown(&[root]);
        let (index, mut errors) = self.index_files(&files);
        errors.extend(walk_errors);
        (index, errors)
    }

    /// Indexes the given files, in parallel. A file that cannot be read (deleted since it was
    /// listed, unreadable, not text) is returned with its reason and left out.
    pub fn index_files(&self, files: &[PathBuf]) -> (SpecIndex, Vec<(PathBuf, ReadError)>) {
        let results: Vec<Result<Option<SpecEntry>, (PathBuf, ReadError)>> = files
            .par_iter()
            .map(|p| match read_spec(p) {
                Ok(text) => Ok(self.entry(p, &text)),
                Err(e) => Err((p.clone(), e)),
            })
            .collect();
        let mut entries = Vec::new();
        let mut errors = Vec::new();
        for r in results {
            match r {
                Ok(Some(e)) => entries.push(e),
                Ok(None) => {}
                Err(e) => errors.push(e),
            }
        }
        let mut index = SpecIndex::from_entries(entries);
        index.set_authoritative(true);
        (index, errors)
    }

    /// The index entry of one file's text.
    pub fn entry(&self, path: &Path, text: &str) -> Option<SpecEntry> {
        let abs = absolute(path);
        let mut e = index::entry_from_text(&abs, self.spec_type(&abs).as_deref(), text)?;
        e.display = self.display(&abs);
        Some(e)
    }
}

/// Without a configuration file, the root is the nearest ancestor holding `docs/specs` or `.git`.
fn guess_root(dir: &Path) -> PathBuf {
    dir.ancestors()
        .find(|d| d.join("docs/specs").is_dir() || d.join(".git").exists())
        .unwrap_or(dir)
        .to_path_buf()
}

/// An absolute, normalised form of `path` (canonical when it exists).
pub fn absolute(path: &Path) -> PathBuf {
    if let Ok(c) = std::fs::canonicalize(path) {
        return c;
    }
    if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir()
            .map(|d| d.join(path))
            .unwrap_or_else(|_| path.to_path_buf())
    }
}

/// Why a file could not be checked.
#[derive(Debug)]
pub enum ReadError {
    TooLarge(u64),
    Binary,
    InvalidUtf8 { line: usize },
    Io(std::io::Error),
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReadError::TooLarge(n) => write!(
                f,
                "file is {:.1} MB, over the 10 MB limit: split it, or exclude it with .gitignore",
                *n as f64 / (1024.0 * 1024.0)
            ),
            ReadError::Binary => write!(f, "binary file (contains NUL bytes): not a Markdown spec"),
            ReadError::InvalidUtf8 { line } => {
                write!(f, "invalid UTF-8 on line {line}: re-save the file as UTF-8")
            }
            ReadError::Io(e) => {
                match e.kind() {
                    std::io::ErrorKind::NotFound => write!(f, "no such file or directory"),
                    std::io::ErrorKind::PermissionDenied => {
                        write!(f, "permission denied: check its permissions, or exclude it with .gitignore")
                    }
                    _ => write!(f, "cannot read: {e}"),
                }
            }
        }
    }
}

/// Reads a spec as UTF-8 text, refusing oversized, binary and non-UTF-8 files.
pub fn read_spec(path: &Path) -> Result<String, ReadError> {
    let file = std::fs::File::open(path).map_err(ReadError::Io)?;
    let len = file.metadata().map_err(ReadError::Io)?.len();
    if len > MAX_FILE_BYTES {
        return Err(ReadError::TooLarge(len));
    }
    let mut bytes = Vec::with_capacity(len as usize);
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(ReadError::Io)?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(ReadError::TooLarge(bytes.len() as u64));
    }
    decode(bytes)
}

/// Checks that bytes are a text file and turns them into a string.
pub fn decode(bytes: Vec<u8>) -> Result<String, ReadError> {
    if bytes.contains(&0) {
        return Err(ReadError::Binary);
    }
    String::from_utf8(bytes).map_err(|e| {
        let good = e.utf8_error().valid_up_to();
        let line = e.as_bytes()[..good].iter().filter(|&&b| b == b'\n').count() + 1;
        ReadError::InvalidUtf8 { line }
    })
}

/// Markdown files under `paths` (files are taken as given, folders walked respecting
/// `.gitignore`), sorted. Paths that do not exist come back separately.
pub fn walk_markdown(paths: &[PathBuf]) -> (Vec<PathBuf>, Vec<(PathBuf, ReadError)>) {
    let mut files = Vec::new();
    let mut missing = Vec::new();
    for p in paths {
        if p.is_file() {
            files.push(p.clone());
            continue;
        }
        if !p.is_dir() {
            let err = std::fs::metadata(p)
                .err()
                .unwrap_or_else(|| std::io::Error::other("not a file or folder"));
            missing.push((p.clone(), ReadError::Io(err)));
            continue;
        }
        let walker = ignore::WalkBuilder::new(p)
            .hidden(true)
            .git_ignore(true)
            .require_git(false)
            .follow_links(false)
            .build();
        for entry in walker {
            let entry = match entry {
                Ok(e) => e,
                Err(e) => {
                    // A folder that cannot be listed (or an entry that cannot be stat'ed) is
                    // reported, not skipped: its specs would silently go unchecked.
                    missing.extend(walk_error(e, p));
                    continue;
                }
            };
            let path = entry.path();
            if entry.file_type().is_some_and(|t| t.is_file())
                && path
                    .extension()
                    .is_some_and(|e| e == "md" || e == "markdown")
            {
                files.push(path.to_path_buf());
            }
        }
    }
    files.sort();
    files.dedup();
    (files, missing)
}

/// The path and reason of a walking error that hides files: I/O errors (unreadable folders) and
/// link loops. Errors in ignore files themselves (a bad glob in `.gitignore`) hide nothing and
/// are left out, as `git` leaves them out.
fn walk_error(e: ignore::Error, fallback: &Path) -> Option<(PathBuf, ReadError)> {
    let mut path = None;
    let mut cur = &e;
    loop {
        match cur {
            ignore::Error::WithPath { path: p, err } => {
                path.get_or_insert_with(|| p.clone());
                cur = err;
            }
            ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
                cur = err
            }
            ignore::Error::Loop { child, .. } => {
                path.get_or_insert_with(|| child.clone());
                break;
            }
            _ => break,
        }
    }
    let is_loop = matches!(cur, ignore::Error::Loop { .. });
    let path = path.unwrap_or_else(|| fallback.to_path_buf());
    if is_loop {
        let io = std::io::Error::other("symbolic link loop");
        return Some((path, ReadError::Io(io)));
    }
    let kind = e.io_error()?.kind();
    let msg = e.io_error()?.to_string();
    Some((path, ReadError::Io(std::io::Error::new(kind, msg))))
}
