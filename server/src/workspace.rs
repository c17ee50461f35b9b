//! The file system side: finding `.deployspec.toml`, reading spec files safely, walking
//! directories, building the index from disk. The analysis core never touches the disk.

use std::collections::HashMap;
use std::fmt;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

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
        self.build(Self::entry)
    }

    /// The index `check` and `status` need: IDs, types and paths, without titles, owners and
    /// summaries (which only editor features show), at a fraction of the cost.
    pub fn build_id_index(&self) -> (SpecIndex, Vec<(PathBuf, ReadError)>) {
        self.build(Self::id_entry)
    }

    fn build(&self, entry: EntryFn) -> (SpecIndex, Vec<(PathBuf, ReadError)>) {
        let root = self.spec_root();
        if !root.is_dir() {
            return (SpecIndex::default(), Vec::new());
        }
        let (files, walk_errors) = walk_markdown(&[root]);
        let (index, mut errors) = self.index_files_with(&files, entry);
        errors.extend(walk_errors);
        (index, errors)
    }

    /// Indexes the given files, in parallel. A file that cannot be read (deleted since it was
    /// listed, unreadable, not text) is returned with its reason and left out.
    pub fn index_files(&self, files: &[PathBuf]) -> (SpecIndex, Vec<(PathBuf, ReadError)>) {
        self.index_files_with(files, Self::entry)
    }

    fn index_files_with(
        &self,
        files: &[PathBuf],
        entry: EntryFn,
    ) -> (SpecIndex, Vec<(PathBuf, ReadError)>) {
        let results: Vec<Result<Option<SpecEntry>, (PathBuf, ReadError)>> = files
            .par_iter()
            .map(|p| match read_spec(p) {
                // A bug tripped by one file's head leaves that file out, not the index.
                Ok(text) => std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    crate::panics::panic_if_marked_for_index(&text);
                    entry(self, p, &text)
                }))
                .map_err(|e| {
                    (
                        p.clone(),
                        ReadError::Internal(crate::panics::message(e.as_ref())),
                    )
                }),
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

    /// [`Workspace::build_index`] and the occurrences of spec IDs in every Markdown file under
    /// the spec root (positions in `enc`), from one read of each file. For the server: `check`
    /// needs no occurrences.
    pub fn build_index_with_occurrences(
        &self,
        enc: crate::position::Encoding,
    ) -> (SpecIndex, index::OccurrenceIndex, Vec<(PathBuf, ReadError)>) {
        let root = self.spec_root();
        if !root.is_dir() {
            return Default::default();
        }
        let (files, walk_errors) = walk_markdown(&[root]);
        type One = Result<(Option<SpecEntry>, index::FileOccurrences), (PathBuf, ReadError)>;
        let results: Vec<(PathBuf, One)> = files
            .par_iter()
            .map(|p| {
                let r = read_occurrences(p, enc).and_then(|(text, occ)| {
                    // A bug tripped by one file's head leaves that file out, not the index.
                    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                        crate::panics::panic_if_marked_for_index(&text);
                        self.entry(p, &text)
                    }))
                    .map(|e| (e, occ))
                    .map_err(|e| {
                        (
                            p.clone(),
                            ReadError::Internal(crate::panics::message(e.as_ref())),
                        )
                    })
                });
                (p.clone(), r)
            })
            .collect();
        let mut entries = Vec::new();
        let mut occurrences = index::OccurrenceIndex::default();
        let mut errors = walk_errors;
        for (path, r) in results {
            match r {
                Ok((e, occ)) => {
                    entries.extend(e);
                    occurrences.set_file(&absolute(&path), Some(occ));
                }
                Err(e) => errors.push(e),
            }
        }
        let mut idx = SpecIndex::from_entries(entries);
        idx.set_authoritative(true);
        (idx, occurrences, errors)
    }

    /// The index entry of one file's text.
    pub fn entry(&self, path: &Path, text: &str) -> Option<SpecEntry> {
        let abs = absolute(path);
        let mut e = index::entry_from_text(&abs, self.spec_type(&abs).as_deref(), text)?;
        e.display = self.display(&abs);
        Some(e)
    }

    /// [`Self::entry`] without title, owner and summary (see [`index::id_entry_from_text`]).
    pub fn id_entry(&self, path: &Path, text: &str) -> Option<SpecEntry> {
        let abs = absolute(path);
        let mut e = index::id_entry_from_text(&abs, self.spec_type(&abs).as_deref(), text)?;
        e.display = self.display(&abs);
        Some(e)
    }
}

/// How an index entry is made from a file's text.
type EntryFn = fn(&Workspace, &Path, &str) -> Option<SpecEntry>;

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
    InvalidUtf8 {
        line: usize,
    },
    Io(std::io::Error),
    /// Reading it tripped a bug (a caught panic, with its message).
    Internal(String),
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
            ReadError::Internal(msg) => write!(
                f,
                "internal error: {msg} (a bug in deployspec: please report it with this file)"
            ),
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

/// Reads a spec and finds its spec ID occurrences (positions in `enc`), stamped with the
/// file's size and modification time. A panic in the parse is that file's error.
pub fn read_occurrences(
    path: &Path,
    enc: crate::position::Encoding,
) -> Result<(String, index::FileOccurrences), (PathBuf, ReadError)> {
    let stamp = std::fs::metadata(path)
        .ok()
        .map(|m| (m.len(), m.modified().ok()));
    let text = read_spec(path).map_err(|e| (path.to_path_buf(), e))?;
    let mut occ =
        std::panic::catch_unwind(|| index::occurrences_in_text(&text, enc)).map_err(|e| {
            (
                path.to_path_buf(),
                ReadError::Internal(crate::panics::message(e.as_ref())),
            )
        })?;
    occ.stamp = stamp;
    Ok((text, occ))
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

/// Each file's configuration, found as `check` and the server both find it: the nearest
/// `.deployspec.toml` in the file's folder or above it. A file is read once and a folder looked
/// up once; the cache lives as long as the resolver (the server makes a new one whenever a
/// configuration file or the editor's settings change). Without a file above, `fallback`
/// applies. Editor settings, when given, go over every file's configuration.
#[derive(Debug)]
pub struct ConfigResolver {
    fallback: Arc<ResolvedConfig>,
    settings: Option<serde_json::Value>,
    /// `--config`: every file gets the fallback, nothing is looked up.
    fixed: bool,
    by_dir: Mutex<HashMap<PathBuf, Arc<ResolvedConfig>>>,
    by_file: Mutex<HashMap<PathBuf, Arc<ResolvedConfig>>>,
}

/// The configuration in force for a file, and where it came from.
#[derive(Debug)]
pub struct ResolvedConfig {
    pub config: Arc<Config>,
    /// The `.deployspec.toml` it was read from; `None` for the fallback.
    pub path: Option<PathBuf>,
    /// A malformed file: the defaults apply.
    pub error: Option<ConfigError>,
}

impl Default for ConfigResolver {
    fn default() -> Self {
        ConfigResolver::fixed(Config::default())
    }
}

impl ConfigResolver {
    /// Looks each file's configuration up; `fallback` where no file is found, `settings` over
    /// every one.
    pub fn new(fallback: Config, settings: Option<serde_json::Value>) -> ConfigResolver {
        let fallback = Arc::new(ResolvedConfig {
            config: Arc::new(apply_settings(fallback, settings.as_ref())),
            path: None,
            error: None,
        });
        ConfigResolver {
            fallback,
            settings,
            fixed: false,
            by_dir: Mutex::default(),
            by_file: Mutex::default(),
        }
    }

    /// One configuration for every file (`check --config`).
    pub fn fixed(config: Config) -> ConfigResolver {
        ConfigResolver {
            fixed: true,
            ..ConfigResolver::new(config, None)
        }
    }

    /// The configuration of the file at `path` (which need not exist).
    pub fn for_file(&self, path: &Path) -> Arc<ResolvedConfig> {
        if self.fixed {
            return self.fallback.clone();
        }
        let abs = absolute(path);
        let Some(dir) = abs.parent() else {
            return self.fallback.clone();
        };
        let mut visited = Vec::new();
        let mut found = None;
        for d in dir.ancestors() {
            if let Some(r) = lock(&self.by_dir).get(d) {
                found = Some(r.clone());
                break;
            }
            visited.push(d.to_path_buf());
            let candidate = d.join(config::FILE_NAME);
            if candidate.is_file() {
                found = Some(self.load(&candidate));
                break;
            }
        }
        let resolved = found.unwrap_or_else(|| self.fallback.clone());
        let mut by_dir = lock(&self.by_dir);
        for d in visited {
            by_dir.insert(d, resolved.clone());
        }
        resolved
    }

    /// Every configuration file read so far that is malformed, with its error.
    pub fn errors(&self) -> Vec<(PathBuf, ConfigError)> {
        let mut v: Vec<(PathBuf, ConfigError)> = lock(&self.by_file)
            .values()
            .filter_map(|r| Some((r.path.clone()?, r.error.clone()?)))
            .collect();
        v.sort_by(|a, b| a.0.cmp(&b.0));
        v
    }

    fn load(&self, file: &Path) -> Arc<ResolvedConfig> {
        if let Some(r) = lock(&self.by_file).get(file) {
            return r.clone();
        }
        let (config, error) = match Workspace::from_config_file(file) {
            Ok(ws) => (ws.config, ws.config_error),
            Err(e) => (
                Config::default(),
                Some(ConfigError {
                    line: 0,
                    column: 0,
                    message: format!("cannot read {}: {e}", file.display()),
                }),
            ),
        };
        if let Some(e) = &error {
            tracing::warn!(
                "{}:{e} (the defaults apply to the files under it)",
                file.display()
            );
        }
        let r = Arc::new(ResolvedConfig {
            config: Arc::new(apply_settings(config, self.settings.as_ref())),
            path: Some(file.to_path_buf()),
            error,
        });
        lock(&self.by_file).insert(file.to_path_buf(), r.clone());
        r
    }
}

/// Editor settings over a file's configuration; settings that do not apply are reported where
/// the session reads them, and skipped here.
fn apply_settings(config: Config, settings: Option<&serde_json::Value>) -> Config {
    match settings.filter(|s| s.is_object()) {
        Some(s) => config.with_settings(s).map(|(c, _)| c).unwrap_or(config),
        None => config,
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}
