//! Session state shared by handlers and background tasks: what was negotiated, the open
//! documents, the configuration and the workspace index. Locks here are `std` locks held for a
//! few statements, never across an `.await`.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, RwLock};

use tower_lsp_server::Client;

use crate::config::Config;
use crate::index::SpecIndex;
use crate::position::Encoding;
use crate::workspace::Workspace;

use super::documents::{Context, Store};
use super::output::Output;

/// What `initialize` negotiated.
#[derive(Clone, Debug)]
pub struct Session {
    pub encoding: Encoding,
    /// The client pulls diagnostics (`textDocument/diagnostic`); otherwise they are pushed.
    pub pull: bool,
    /// The client honours `workspace/diagnostic/refresh`.
    pub refresh: bool,
    /// The client can watch files for us (dynamic registration of `didChangeWatchedFiles`).
    pub client_watches: bool,
    /// The client answers `workspace/configuration`.
    pub config_pull: bool,
    pub progress: bool,
    pub root: Option<PathBuf>,
    /// Workspace edits may use `documentChanges` (versioned document edits).
    pub document_changes: bool,
    /// Workspace edits may create files (`resourceOperations` has `create`).
    pub create_files: bool,
    /// Workspace edits may rename files (`resourceOperations` has `rename`).
    pub rename_files: bool,
    /// Completion items may be snippets (`completionItem.snippetSupport`).
    pub completion_snippets: bool,
}

impl Default for Session {
    fn default() -> Self {
        Session {
            encoding: Encoding::Utf16,
            pull: false,
            refresh: false,
            client_watches: false,
            config_pull: false,
            progress: false,
            root: None,
            document_changes: false,
            create_files: false,
            rename_files: false,
            completion_snippets: false,
        }
    }
}

/// The configuration layers: the file's and the editor's.
#[derive(Default)]
pub struct ConfigState {
    pub workspace: Option<Workspace>,
    /// `deployspec` editor settings, when the client sent any.
    pub settings: Option<serde_json::Value>,
    /// Diagnostics of `.deployspec.toml` (empty when it is fine), for its URI.
    pub config_diagnostics: Option<(
        tower_lsp_server::ls_types::Uri,
        Vec<tower_lsp_server::ls_types::Diagnostic>,
    )>,
    /// Whether diagnostics for the config file were pushed and must be cleared when fixed.
    pub config_published: bool,
}

pub struct Shared {
    pub client: Client,
    /// Direct output for diagnostics (see `output`).
    pub out: Output,
    pub docs: Store,
    pub session: RwLock<Session>,
    pub config: Mutex<ConfigState>,
    /// The index as built from disk plus the open buffers under the spec root.
    pub index: Mutex<SpecIndex>,
    /// Every spec ID occurrence in the spec root's files on disk (open buffers are read from the
    /// document store instead), for references and rename.
    pub occurrences: Mutex<crate::index::OccurrenceIndex>,
    ctx: RwLock<Arc<Context>>,
    /// True once the first index build finished; analyses wait for it so a first report never
    /// flags every reference as broken.
    pub index_ready: tokio::sync::watch::Sender<bool>,
    pub shut_down: Arc<AtomicBool>,
    /// Spec files under the spec root that could not be read (too large, binary, not UTF-8,
    /// permission denied): kept so a workspace pull reports them instead of leaving them out.
    pub unreadable: Mutex<std::collections::BTreeSet<PathBuf>>,
    /// Results of unopened files for workspace pulls (see `workspace_index::DiskResults`).
    pub disk: super::workspace_index::DiskResults,
    /// Released by the test-only `deployspec/debug/releaseIndex` (see `debug::hold_index`).
    pub index_hold: tokio::sync::Notify,
}

pub fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Shared {
    pub fn new(client: Client, out: Output, shut_down: Arc<AtomicBool>) -> Shared {
        Shared {
            client,
            out,
            docs: Store::default(),
            session: RwLock::new(Session::default()),
            config: Mutex::new(ConfigState::default()),
            index: Mutex::new(SpecIndex::default()),
            occurrences: Mutex::new(Default::default()),
            ctx: RwLock::new(Arc::new(Context {
                config: Arc::new(Config::default()),
                configs: Arc::default(),
                index: Arc::new(SpecIndex::default()),
                encoding: Encoding::Utf16,
                generation: 0,
            })),
            index_ready: tokio::sync::watch::Sender::new(false),
            shut_down,
            unreadable: Mutex::new(Default::default()),
            disk: Default::default(),
            index_hold: tokio::sync::Notify::new(),
        }
    }

    pub fn session(&self) -> Session {
        self.session
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    pub fn set_session(&self, s: Session) {
        let enc = s.encoding;
        *self.session.write().unwrap_or_else(|e| e.into_inner()) = s;
        self.update_ctx(|c| c.encoding = enc);
    }

    pub fn ctx(&self) -> Arc<Context> {
        self.ctx.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Changes the analysis context and bumps its generation.
    pub fn update_ctx(&self, f: impl FnOnce(&mut Context)) {
        let mut slot = self.ctx.write().unwrap_or_else(|e| e.into_inner());
        let mut next = (**slot).clone();
        f(&mut next);
        next.generation += 1;
        *slot = Arc::new(next);
    }

    /// Publishes the current index to analyses.
    pub fn publish_index(&self) {
        let index = Arc::new(lock(&self.index).clone());
        self.update_ctx(|c| c.index = index);
    }

    /// The workspace with the configuration in force (the file's, under the editor's settings),
    /// so its spec root is the effective one.
    pub fn workspace(&self) -> Option<Workspace> {
        let mut ws = lock(&self.config).workspace.clone()?;
        ws.config = (*self.ctx().config).clone();
        Some(ws)
    }

    /// The workspace a file belongs to for indexing, when it is under the spec root.
    pub fn spec_file(&self, path: &Path) -> Option<Workspace> {
        let ws = self.workspace()?;
        path.starts_with(ws.spec_root()).then_some(ws)
    }

    pub fn is_shut_down(&self) -> bool {
        self.shut_down.load(Ordering::SeqCst)
    }

    pub async fn wait_index_ready(&self) {
        let mut rx = self.index_ready.subscribe();
        let _ = rx.wait_for(|ready| *ready).await;
    }
}
