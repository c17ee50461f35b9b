//! The workspace side of the session: configuration (file + editor settings), the spec index
//! built in the background with `$/progress`, and keeping both current as files and buffers
//! change. When the index changes, open documents that reference a changed ID are re-checked.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use tower_lsp_server::ls_types::{
    notification::Progress as ProgressNotification, request::WorkDoneProgressCreate, Diagnostic,
    DiagnosticSeverity, MessageType, NumberOrString, ProgressParams, ProgressParamsValue, Uri,
    WorkDoneProgress, WorkDoneProgressBegin, WorkDoneProgressCreateParams, WorkDoneProgressEnd,
};
use tracing::{debug, info, warn};

use crate::config::Config;
use crate::workspace::{self, read_spec, ConfigResolver, Workspace};

use super::diagnostics;
use super::documents::{Checked, Entry};
use super::state::{lock, Shared};

/// The configuration in force: the workspace's file, then the editor's settings over it. A bad
/// layer is logged and skipped; the defaults stay in force.
pub fn effective_config(shared: &Shared) -> Config {
    let state = lock(&shared.config);
    let base = state
        .workspace
        .as_ref()
        .map(|w| w.config.clone())
        .unwrap_or_default();
    match &state.settings {
        Some(s) if s.is_object() => match base.with_settings(s) {
            Ok((c, ignored)) => {
                if !ignored.is_empty() {
                    info!(keys = ?ignored, "editor settings deployspec does not know: ignored");
                }
                c
            }
            Err(e) => {
                warn!("ignoring the editor's deployspec settings: {e}");
                let client = shared.client.clone();
                let msg = format!("deployspec: ignoring the editor settings: {e}");
                super::tasks::spawn("show message", async move {
                    client.show_message(MessageType::WARNING, msg).await
                });
                base
            }
        },
        _ => base,
    }
}

/// Puts the configuration in force into the analysis context: the root's (file and editor
/// settings) and a fresh per-document resolver, so every `.deployspec.toml` is read again.
pub fn apply_config(shared: &Shared) -> Arc<Config> {
    install_config(shared, effective_config(shared))
}

/// [`apply_config`] with the root's configuration already computed.
fn install_config(shared: &Shared, config: Config) -> Arc<Config> {
    let config = Arc::new(config);
    let configs = {
        let state = lock(&shared.config);
        let base = state
            .workspace
            .as_ref()
            .map(|w| w.config.clone())
            .unwrap_or_default();
        Arc::new(ConfigResolver::new(base, state.settings.clone()))
    };
    let c = config.clone();
    shared.update_ctx(|ctx| {
        ctx.config = c;
        ctx.configs = configs;
    });
    config
}

/// Finds `.deployspec.toml` for the session's root and logs a malformed one.
pub fn discover(shared: &Shared) {
    let Some(root) = shared.session().root else {
        return;
    };
    let ws = Workspace::discover(&root);
    if let Some(e) = &ws.config_error {
        let path = ws
            .config_path
            .as_ref()
            .map(|p| p.display().to_string())
            .unwrap_or_default();
        warn!("{path}:{e} (the defaults apply)");
        let client = shared.client.clone();
        let msg = format!("deployspec: {path}:{e} (the defaults apply)");
        super::tasks::spawn("show message", async move {
            client.show_message(MessageType::WARNING, msg).await
        });
    }
    info!(root = %ws.root.display(), spec_root = %ws.spec_root().display(), "workspace");
    let diags = config_diagnostics(&ws, shared.ctx().encoding);
    let mut state = lock(&shared.config);
    state.config_diagnostics = diags;
    state.workspace = Some(ws);
}

/// The diagnostics of the workspace's `.deployspec.toml`: one for a malformed file, none for a
/// good one; `None` without a file.
fn config_diagnostics(
    ws: &Workspace,
    enc: crate::position::Encoding,
) -> Option<(Uri, Vec<Diagnostic>)> {
    use crate::position::{Encoding, LineCol, LineIndex};
    let path = ws.config_path.as_ref()?;
    let uri = super::convert::path_to_uri(path)?;
    let Some(e) = &ws.config_error else {
        return Some((uri, Vec::new()));
    };
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let lines = LineIndex::new(&text);
    let at = LineCol {
        line: e.line.saturating_sub(1) as u32,
        col: e.column.saturating_sub(1) as u32,
    };
    let start = lines.offset(&text, at, Encoding::Char);
    let end = lines
        .line_content(&text, lines.line_of(start))
        .end
        .max(start);
    let range = super::convert::range(&lines, &text, start..end, enc);
    let d = Diagnostic {
        range,
        severity: Some(DiagnosticSeverity::ERROR),
        source: Some(super::convert::SOURCE.into()),
        message: format!("{}: the defaults apply until it is fixed", e.message),
        ..Default::default()
    };
    Some((uri, vec![d]))
}

/// Pushes the config file's diagnostics (push mode), clearing them once it is fixed.
pub async fn publish_config_diagnostics(shared: &Shared) {
    if shared.session().pull {
        return;
    }
    let (uri, diags) = {
        let mut state = lock(&shared.config);
        let Some((uri, diags)) = state.config_diagnostics.clone() else {
            return;
        };
        if diags.is_empty() && !state.config_published {
            return;
        }
        state.config_published = !diags.is_empty();
        (uri, diags)
    };
    #[derive(serde::Serialize)]
    struct Params<'a> {
        uri: &'a Uri,
        diagnostics: &'a [Diagnostic],
    }
    shared
        .out
        .notify(
            "textDocument/publishDiagnostics",
            Params {
                uri: &uri,
                diagnostics: &diags,
            },
        )
        .await;
}

/// Applies the configuration again (a configuration file or the settings changed). Rebuilds
/// the index when the spec root moved; re-checks open documents when anything changed.
/// `files_changed`: a `.deployspec.toml` changed, maybe one below the root that only some
/// documents use, so they are re-checked even when the root's configuration is the same.
pub async fn reconfigure(shared: Arc<Shared>, files_changed: bool) {
    let old = shared.ctx().config.clone();
    let new = effective_config(&shared);
    if !files_changed && *old == new {
        debug!("configuration unchanged");
        return;
    }
    info!("configuration changed: re-checking open documents");
    let config = install_config(&shared, new);
    let root_moved = old.spec_root != config.spec_root;
    if root_moved {
        build(shared.clone()).await;
    }
    diagnostics::recheck(&shared, shared.docs.all());
}

/// Builds the index from disk in the background, reporting `$/progress`, then overlays the open
/// buffers and re-checks the open documents.
pub async fn build(shared: Arc<Shared>) {
    // Analyses wait for the first build: whatever happens here, a panic included, they must not
    // wait forever.
    struct ReadyOnExit(Arc<Shared>);
    impl Drop for ReadyOnExit {
        fn drop(&mut self) {
            self.0.index_ready.send_replace(true);
        }
    }
    let _ready = ReadyOnExit(shared.clone());
    let Some(ws) = shared.workspace() else {
        shared.index_ready.send_replace(true);
        return;
    };
    let token = NumberOrString::String("deployspec/index".into());
    let progress = shared.session().progress
        && matches!(
            tokio::time::timeout(
                super::server::CLIENT_TIMEOUT,
                shared.client.send_request::<WorkDoneProgressCreate>(
                    WorkDoneProgressCreateParams {
                        token: token.clone(),
                    }
                ),
            )
            .await,
            Ok(Ok(()))
        );
    if progress {
        send_progress(
            &shared,
            &token,
            WorkDoneProgress::Begin(WorkDoneProgressBegin {
                title: "Indexing specs".into(),
                cancellable: Some(false),
                message: Some(ws.display(&ws.spec_root())),
                percentage: None,
            }),
        )
        .await;
    }
    let start = std::time::Instant::now();
    // Reading, head parses, the overlay of open buffers and publishing the index (a copy of
    // it) all run off the async threads.
    let s = shared.clone();
    let enc = shared.ctx().encoding;
    let built = tokio::task::spawn_blocking(move || {
        let (mut index, occurrences, errors) = ws.build_index_with_occurrences(enc);
        let occurrence_count = occurrences.count();
        *lock(&s.occurrences) = occurrences;
        for (path, e) in &errors {
            warn!("{}: {e}", path.display());
        }
        *lock(&s.unreadable) = errors
            .iter()
            .map(|(p, _)| p.clone())
            .filter(|p| is_markdown_path(p))
            .collect();
        // Open buffers win over the files on disk.
        for e in s.docs.all() {
            let (path, text) = {
                let d = e.doc();
                let Some(path) = d.path.clone() else {
                    continue;
                };
                (path, d.rope.to_string())
            };
            if let Some(ws) = s.spec_file(&workspace::absolute(&path)) {
                // As for files on disk, a bug tripped by one buffer leaves that buffer out.
                match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    crate::panics::panic_if_marked_for_index(&text);
                    ws.entry(&path, &text)
                })) {
                    Ok(Some(entry)) => {
                        index.upsert(entry);
                    }
                    Ok(None) => {}
                    Err(p) => warn!(
                        "{}: indexing the buffer panicked: {}",
                        path.display(),
                        crate::panics::message(p.as_ref())
                    ),
                }
            }
        }
        let n = index.len();
        *lock(&s.index) = index;
        s.publish_index();
        (n, errors.len(), occurrence_count)
    })
    .await;
    let (n, unreadable, occurrences) = match built {
        Ok(r) => r,
        Err(e) => {
            warn!("indexing failed: {e}");
            (0, 0, 0)
        }
    };
    info!(
        specs = n,
        occurrences,
        unreadable,
        ms = start.elapsed().as_millis() as u64,
        "index built"
    );
    if progress {
        send_progress(
            &shared,
            &token,
            WorkDoneProgress::End(WorkDoneProgressEnd {
                message: Some(format!("{n} specs")),
            }),
        )
        .await;
    }
    let first = !*shared.index_ready.borrow();
    if first && super::debug::hold_index() {
        info!("test switch: holding the first index until deployspec/debug/releaseIndex");
        shared.index_hold.notified().await;
    }
    shared.index_ready.send_replace(true);
    if !first {
        diagnostics::recheck(&shared, shared.docs.all());
    }
}

async fn send_progress(shared: &Shared, token: &NumberOrString, value: WorkDoneProgress) {
    shared
        .client
        .send_notification::<ProgressNotification>(ProgressParams {
            token: token.clone(),
            value: ProgressParamsValue::WorkDone(value),
        })
        .await;
}

/// Keeps the index current with an open buffer under the spec root (called after each check,
/// on the blocking thread that ran it: it canonicalises a path and parses the head).
pub fn note_buffer(shared: &Arc<Shared>, entry: &Arc<Entry>, checked: &Checked) {
    let Some(text) = checked.text.as_deref() else {
        return;
    };
    let Some(path) = entry.doc().path.clone() else {
        return;
    };
    let abs = workspace::absolute(&path);
    let Some(ws) = shared.spec_file(&abs) else {
        return;
    };
    let new = ws.entry(&abs, text);
    let changed: HashSet<String> = lock(&shared.index)
        .set_path(&abs, new)
        .into_iter()
        .collect();
    if !changed.is_empty() {
        shared.publish_index();
        affected(shared, &changed);
    }
}

/// Re-checks the open documents that reference one of `ids` or define one of them.
pub fn affected(shared: &Arc<Shared>, ids: &HashSet<String>) {
    let hit: Vec<Arc<Entry>> = shared
        .docs
        .all()
        .into_iter()
        .filter(|e| {
            e.last().is_none_or(|c| {
                c.snapshot.as_ref().map(|s| &s.analysis).is_some_and(|a| {
                    a.model.spec_refs.iter().any(|r| ids.contains(&*r.id))
                        || a.file.id.as_ref().is_some_and(|id| ids.contains(id))
                })
            })
        })
        .collect();
    diagnostics::recheck(shared, hit);
}

/// A file on disk was created, changed or deleted (client watcher or our own).
pub enum FileEvent {
    Changed(PathBuf),
    Deleted(PathBuf),
}

pub async fn files_changed(shared: Arc<Shared>, events: Vec<FileEvent>) {
    // Canonicalising paths, reading files, head parses and publishing the index run off the
    // async threads.
    let s = shared.clone();
    let config_changed = match tokio::task::spawn_blocking(move || apply_events(&s, events)).await {
        Ok(c) => c,
        Err(e) => {
            warn!("applying file changes failed: {e}");
            false
        }
    };
    if config_changed {
        let s = shared.clone();
        if let Err(e) = tokio::task::spawn_blocking(move || discover(&s)).await {
            warn!("reading the configuration failed: {e}");
        }
        publish_config_diagnostics(&shared).await;
        reconfigure(shared.clone(), true).await;
    }
}

/// Applies file events to the index (blocking); re-checks what they affect. Returns whether
/// the configuration file changed.
fn apply_events(shared: &Arc<Shared>, events: Vec<FileEvent>) -> bool {
    let mut config_changed = false;
    let mut changed = HashSet::new();
    for ev in events {
        let path = match &ev {
            FileEvent::Changed(p) | FileEvent::Deleted(p) => p.clone(),
        };
        if path
            .file_name()
            .is_some_and(|n| n == crate::config::FILE_NAME)
        {
            config_changed = true;
            continue;
        }
        if !is_markdown_path(&path) {
            continue;
        }
        let abs = workspace::absolute(&path);
        shared.disk.forget(&abs);
        // The occurrences on disk follow every file under the spec root (queries read open
        // documents from their buffers).
        note_occurrences(shared, &abs, matches!(ev, FileEvent::Deleted(_)));
        // Always the buffer, never the saved file: open documents are indexed from the buffer.
        if open_path(shared, &abs) {
            continue;
        }
        match ev {
            FileEvent::Deleted(_) => {
                lock(&shared.unreadable).remove(&abs);
                if let Some(id) = lock(&shared.index).remove(&abs) {
                    changed.insert(id);
                }
            }
            FileEvent::Changed(_) => {
                let Some(ws) = shared.spec_file(&abs) else {
                    continue;
                };
                let entry = read_spec(&abs).map(|text| ws.entry(&abs, &text));
                let mut index = lock(&shared.index);
                match entry {
                    Ok(e) => {
                        lock(&shared.unreadable).remove(&abs);
                        changed.extend(index.set_path(&abs, e))
                    }
                    Err(e) => {
                        warn!("{}: {e}", abs.display());
                        lock(&shared.unreadable).insert(abs.clone());
                        changed.extend(index.remove(&abs));
                    }
                }
            }
        }
    }
    if !changed.is_empty() {
        info!(ids = ?changed, "index updated from disk");
        shared.publish_index();
        affected(shared, &changed);
    }
    config_changed
}

/// Reads the occurrences of one file on disk again (blocking), or drops them.
fn note_occurrences(shared: &Shared, abs: &Path, deleted: bool) {
    let occ = if deleted || shared.spec_file(abs).is_none() {
        None
    } else {
        match workspace::read_occurrences(abs, shared.ctx().encoding) {
            Ok((_, occ)) => Some(occ),
            Err((_, e)) => {
                debug!("{}: no occurrences: {e}", abs.display());
                None
            }
        }
    };
    lock(&shared.occurrences).set_file(abs, occ);
}

/// File operations the editor made (`workspace/didCreateFiles`, `didRenameFiles`,
/// `didDeleteFiles`): the same as watched-file events, with folders expanded to the Markdown
/// files in them (a deleted folder: the files the index had under it).
pub async fn file_operations(shared: Arc<Shared>, deleted: Vec<PathBuf>, created: Vec<PathBuf>) {
    let s = shared.clone();
    let events = tokio::task::spawn_blocking(move || {
        let mut events = Vec::new();
        for d in deleted {
            let abs = workspace::absolute(&d);
            if is_markdown_path(&abs) {
                events.push(FileEvent::Deleted(abs));
                continue;
            }
            let mut under: Vec<PathBuf> = lock(&s.occurrences).remove_under(&abs);
            under.extend(
                lock(&s.index)
                    .entries()
                    .iter()
                    .filter(|e| e.path.starts_with(&abs))
                    .map(|e| e.path.clone()),
            );
            under.sort();
            under.dedup();
            events.extend(under.into_iter().map(FileEvent::Deleted));
        }
        for c in created {
            let abs = workspace::absolute(&c);
            if abs.is_dir() {
                let (files, _) = workspace::walk_markdown(&[abs]);
                events.extend(files.into_iter().map(FileEvent::Changed));
            } else {
                events.push(FileEvent::Changed(abs));
            }
        }
        events
    })
    .await
    .unwrap_or_default();
    if !events.is_empty() {
        files_changed(shared, events).await;
    }
}

/// The files on disk that mention `id` (or declare it in front matter), other than `open`
/// (absolute paths of open documents, answered from their buffers), with their occurrences.
/// A file whose size or modification time moved on since it was read (an event not seen yet)
/// is read again, and the index with it: positions handed out always fit the file.
pub async fn files_with(
    shared: &Arc<Shared>,
    id: &str,
    open: Vec<PathBuf>,
) -> Vec<(PathBuf, Arc<crate::index::FileOccurrences>)> {
    let found: Vec<_> = lock(&shared.occurrences)
        .files_with(id)
        .into_iter()
        .filter(|(p, _)| !open.contains(p))
        .collect();
    let s = shared.clone();
    tokio::task::spawn_blocking(move || {
        let enc = s.ctx().encoding;
        found
            .into_iter()
            .filter_map(|(path, occ)| {
                if occ.stamp.is_some() && stamp(&path) == occ.stamp {
                    return Some((path, occ));
                }
                let fresh = workspace::read_occurrences(&path, enc).ok().map(|(_, o)| o);
                lock(&s.occurrences).set_file(&path, fresh.clone());
                Some((path, Arc::new(fresh?)))
            })
            .collect()
    })
    .await
    .unwrap_or_default()
}

/// The absolute paths of the open documents (canonicalised off the async threads).
pub async fn open_paths(shared: &Arc<Shared>) -> Vec<PathBuf> {
    let paths: Vec<PathBuf> = shared
        .docs
        .all()
        .iter()
        .filter_map(|e| e.doc().path.clone())
        .collect();
    tokio::task::spawn_blocking(move || paths.iter().map(|p| workspace::absolute(p)).collect())
        .await
        .unwrap_or_default()
}

fn open_path(shared: &Shared, abs: &Path) -> bool {
    shared.docs.all().iter().any(|e| {
        e.doc()
            .path
            .as_deref()
            .is_some_and(|p| workspace::absolute(p) == abs)
    })
}

/// A document was closed: the index goes back to the file on disk.
pub async fn buffer_closed(shared: Arc<Shared>, path: PathBuf) {
    let s = shared.clone();
    let ev = tokio::task::spawn_blocking(move || {
        let abs = workspace::absolute(&path);
        s.spec_file(&abs)?;
        Some(if abs.exists() {
            FileEvent::Changed(abs)
        } else {
            FileEvent::Deleted(abs)
        })
    })
    .await;
    if let Ok(Some(ev)) = ev {
        files_changed(shared, vec![ev]).await;
    }
}

fn is_markdown_path(p: &Path) -> bool {
    p.extension().is_some_and(|e| e == "md" || e == "markdown")
}

/// What a file on disk looked like when it was last checked: its size and modification time.
pub type Stamp = (u64, Option<std::time::SystemTime>);

pub fn stamp(path: &Path) -> Option<Stamp> {
    let m = std::fs::metadata(path).ok()?;
    Some((m.len(), m.modified().ok()))
}

/// Results of unopened files, so a workspace pull on unchanged files neither reads nor hashes
/// them: an entry holds while the file's size and modification time are the same and the
/// analysis context (configuration, index: its generation) has not changed. A watched-file
/// event for the path drops the entry too (a rewrite within the clock's resolution keeping the
/// size would otherwise go unseen).
#[derive(Default)]
pub struct DiskResults {
    map: std::sync::Mutex<std::collections::HashMap<PathBuf, DiskResult>>,
    /// Files read and analysed for pulls (for the test-only stats).
    pub reads: std::sync::atomic::AtomicU64,
}

#[derive(Clone)]
pub struct DiskResult {
    pub stamp: Stamp,
    pub generation: u64,
    pub result_id: String,
    pub diagnostics: Arc<Vec<Diagnostic>>,
}

impl DiskResults {
    pub fn get(&self, path: &Path, stamp: &Stamp, generation: u64) -> Option<DiskResult> {
        lock(&self.map)
            .get(path)
            .filter(|r| r.stamp == *stamp && r.generation == generation)
            .cloned()
    }

    pub fn put(&self, path: PathBuf, r: DiskResult) {
        lock(&self.map).insert(path, r);
    }

    pub fn forget(&self, path: &Path) {
        lock(&self.map).remove(path);
    }

    pub fn len(&self) -> usize {
        lock(&self.map).len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
