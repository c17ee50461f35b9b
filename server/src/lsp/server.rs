//! The `LanguageServer` implementation: thin handlers that convert from the protocol, call the
//! document store / analysis, and convert back. Every handler runs inside [`guard`], so a panic
//! answers one request with an internal error and the server keeps serving.

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;

use futures::FutureExt;
use serde_json::Value;
use tower_lsp_server::jsonrpc::{Error, Result};
use tower_lsp_server::ls_types::*;
use tower_lsp_server::{Client, LanguageServer};
use tracing::{debug, error, info, warn};

use crate::panics::message as panic_message;
use crate::workspace::{self, read_spec};

use super::convert;
use super::diagnostics;
use super::documents::{is_markdown, Document};
use super::features;
use super::navigation;
use super::state::{lock, Session, Shared};
use super::tasks;
use super::watch;
use super::workspace_index::{self, FileEvent};

/// The command that panics on purpose, for testing the panic guard. Only offered by debug builds
/// (what `cargo test` runs) with `DEPLOYSPEC_TEST_PANIC=1`; a release build never offers it.
pub const PANIC_COMMAND: &str = "deployspec.debug.panic";

/// How long the server waits for the client to answer one of its requests before going on.
pub const CLIENT_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(2);

pub struct Backend {
    shared: Arc<Shared>,
    /// Keeps the fallback file watcher alive.
    watcher: std::sync::Mutex<Option<watch::Watcher>>,
}

impl Backend {
    pub fn new(
        client: Client,
        shut_down: Arc<std::sync::atomic::AtomicBool>,
        out: super::output::Output,
    ) -> Backend {
        Backend {
            shared: Arc::new(Shared::new(client, out, shut_down)),
            watcher: std::sync::Mutex::new(None),
        }
    }
}

impl Backend {
    /// The session state (for the test-only requests in `debug`).
    pub(super) fn shared(&self) -> &Arc<Shared> {
        &self.shared
    }

    /// Answers a message the transport could not pass on (see `transport`).
    pub async fn invalid_message(&self, params: super::transport::InvalidMessage) -> Result<()> {
        Err(Error {
            code: params.code.into(),
            message: params.message.into(),
            data: None,
        })
    }
}

/// Runs a request handler, turning a panic into an internal error response.
async fn guard<T>(method: &'static str, fut: impl Future<Output = Result<T>>) -> Result<T> {
    match AssertUnwindSafe(fut).catch_unwind().await {
        Ok(r) => r,
        Err(p) => {
            let msg = panic_message(p.as_ref());
            error!(method, "handler panicked: {msg}");
            let mut e = Error::internal_error();
            e.message = format!("deployspec: internal error in {method}: {msg}").into();
            Err(e)
        }
    }
}

/// Runs a notification handler, logging a panic.
async fn guard_notification(method: &'static str, fut: impl Future<Output = ()>) {
    if let Err(p) = AssertUnwindSafe(fut).catch_unwind().await {
        error!(method, "handler panicked: {}", panic_message(p.as_ref()));
    }
}

fn test_panic_enabled() -> bool {
    cfg!(debug_assertions) && std::env::var("DEPLOYSPEC_TEST_PANIC").is_ok_and(|v| v == "1")
}

#[allow(deprecated)] // root_uri / root_path: older clients send only these
fn negotiate(params: &InitializeParams) -> Session {
    let caps = &params.capabilities;
    let encoding = convert::negotiate(
        caps.general
            .as_ref()
            .and_then(|g| g.position_encodings.as_deref()),
    );
    let ws = caps.workspace.as_ref();
    let root = params
        .workspace_folders
        .as_ref()
        .and_then(|f| f.first())
        .and_then(|f| convert::uri_to_path(&f.uri))
        .or_else(|| params.root_uri.as_ref().and_then(convert::uri_to_path));
    let root = root.or_else(|| params.root_path.as_ref().map(Into::into));
    Session {
        encoding,
        pull: caps
            .text_document
            .as_ref()
            .is_some_and(|t| t.diagnostic.is_some()),
        refresh: ws
            .and_then(|w| w.diagnostics.as_ref())
            .and_then(|d| d.refresh_support)
            .unwrap_or(false),
        client_watches: ws
            .and_then(|w| w.did_change_watched_files.as_ref())
            .and_then(|d| d.dynamic_registration)
            .unwrap_or(false)
            && !reports_only_own_writes(params.client_info.as_ref()),
        config_pull: ws.and_then(|w| w.configuration).unwrap_or(false),
        progress: caps
            .window
            .as_ref()
            .and_then(|w| w.work_done_progress)
            .unwrap_or(false),
        root,
        document_changes: ws
            .and_then(|w| w.workspace_edit.as_ref())
            .and_then(|e| e.document_changes)
            .unwrap_or(false),
        create_files: ws.and_then(|w| w.workspace_edit.as_ref()).is_some_and(|e| {
            e.document_changes == Some(true)
                && e.resource_operations
                    .as_ref()
                    .is_some_and(|r| r.contains(&ResourceOperationKind::Create))
        }),
        completion_snippets: caps
            .text_document
            .as_ref()
            .and_then(|t| t.completion.as_ref())
            .and_then(|c| c.completion_item.as_ref())
            .and_then(|i| i.snippet_support)
            .unwrap_or(false),
    }
}

/// Helix (25.07) declares dynamic registration of watched files, but forwards only the files it
/// writes itself: a spec created by `git checkout` or another tool would never reach the index.
/// For such a client the server watches the spec root on its own.
fn reports_only_own_writes(client: Option<&ClientInfo>) -> bool {
    client.is_some_and(|c| c.name.eq_ignore_ascii_case("helix"))
}

fn capabilities(session: &Session) -> ServerCapabilities {
    let commands = if test_panic_enabled() {
        vec![PANIC_COMMAND.to_string()]
    } else {
        Vec::new()
    };
    ServerCapabilities {
        position_encoding: Some(convert::encoding_kind(session.encoding)),
        text_document_sync: Some(TextDocumentSyncCapability::Options(
            TextDocumentSyncOptions {
                open_close: Some(true),
                change: Some(TextDocumentSyncKind::INCREMENTAL),
                ..Default::default()
            },
        )),
        diagnostic_provider: session.pull.then(|| {
            DiagnosticServerCapabilities::Options(DiagnosticOptions {
                identifier: Some("deployspec".into()),
                inter_file_dependencies: true,
                workspace_diagnostics: true,
                work_done_progress_options: Default::default(),
            })
        }),
        code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
            code_action_kinds: Some(vec![CodeActionKind::QUICKFIX, features::fix_all_kind()]),
            work_done_progress_options: Default::default(),
            resolve_provider: None,
        })),
        inlay_hint_provider: Some(OneOf::Left(true)),
        code_lens_provider: Some(CodeLensOptions {
            resolve_provider: Some(false),
        }),
        definition_provider: Some(OneOf::Left(true)),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        document_symbol_provider: Some(OneOf::Left(true)),
        folding_range_provider: Some(FoldingRangeProviderCapability::Simple(true)),
        references_provider: Some(OneOf::Left(true)),
        selection_range_provider: Some(SelectionRangeProviderCapability::Simple(true)),
        workspace_symbol_provider: Some(OneOf::Left(true)),
        document_link_provider: Some(DocumentLinkOptions {
            resolve_provider: Some(false),
            work_done_progress_options: Default::default(),
        }),
        completion_provider: Some(CompletionOptions {
            // `[` opens a spec ID; a space or comma a rule in a suppression comment or a
            // heading after `## `.
            trigger_characters: Some(vec!["[".into(), " ".into(), ",".into()]),
            ..Default::default()
        }),
        execute_command_provider: (!commands.is_empty()).then(|| ExecuteCommandOptions {
            commands,
            ..Default::default()
        }),
        ..Default::default()
    }
}

/// Settings sent with `didChangeConfiguration`: `{ "deployspec": {...} }` or the section itself.
fn settings_in(v: &Value) -> Option<Value> {
    v.get("deployspec").cloned()
}

async fn fetch_settings(shared: &Shared) -> Option<Value> {
    if !shared.session().config_pull {
        return None;
    }
    let items = vec![ConfigurationItem {
        scope_uri: None,
        section: Some("deployspec".into()),
    }];
    // A client that does not answer must not hold up the index or the diagnostics.
    match tokio::time::timeout(CLIENT_TIMEOUT, shared.client.configuration(items)).await {
        Ok(Ok(mut v)) => v.pop().filter(|v| !v.is_null()),
        Ok(Err(e)) => {
            warn!("workspace/configuration failed: {e}");
            None
        }
        Err(_) => {
            warn!("workspace/configuration: no answer within {CLIENT_TIMEOUT:?}; going on without editor settings");
            None
        }
    }
}

impl LanguageServer for Backend {
    async fn initialize(&self, params: InitializeParams) -> Result<InitializeResult> {
        guard("initialize", async {
            let session = negotiate(&params);
            info!(
                encoding = ?session.encoding,
                pull = session.pull,
                client_watches = session.client_watches,
                root = ?session.root,
                client = params.client_info.as_ref().map(|c| c.name.as_str()),
                "initialize"
            );
            let caps = capabilities(&session);
            self.shared.set_session(session);
            // Canonicalising the root and reading the configuration: off the async threads.
            let shared = self.shared.clone();
            tokio::task::spawn_blocking(move || {
                workspace_index::discover(&shared);
                workspace_index::apply_config(&shared);
            })
            .await
            .map_err(|_| Error::internal_error())?;
            Ok(InitializeResult {
                capabilities: caps,
                server_info: Some(ServerInfo {
                    name: "deployspec".into(),
                    version: Some(env!("CARGO_PKG_VERSION").into()),
                }),
                offset_encoding: None,
            })
        })
        .await
    }

    async fn initialized(&self, _: InitializedParams) {
        guard_notification("initialized", async {
            let session = self.shared.session();
            if session.client_watches {
                let client = self.shared.client.clone();
                tasks::spawn("register file watchers", async move {
                    let opts = DidChangeWatchedFilesRegistrationOptions {
                        watchers: ["**/*.md", "**/*.markdown", "**/.deployspec.toml"]
                            .into_iter()
                            .map(|g| FileSystemWatcher {
                                glob_pattern: GlobPattern::String(g.into()),
                                kind: None,
                            })
                            .collect(),
                    };
                    let reg = Registration {
                        id: "deployspec-watch".into(),
                        method: "workspace/didChangeWatchedFiles".into(),
                        register_options: serde_json::to_value(opts).ok(),
                    };
                    if let Err(e) = client.register_capability(vec![reg]).await {
                        warn!("could not register file watchers: {e}");
                    }
                });
            } else if let Some(ws) = self.shared.workspace() {
                *lock(&self.watcher) = watch::start(self.shared.clone(), &ws);
            }
            workspace_index::publish_config_diagnostics(&self.shared).await;
            let shared = self.shared.clone();
            tasks::spawn("settings and index build", async move {
                if let Some(s) = fetch_settings(&shared).await {
                    lock(&shared.config).settings = Some(s);
                    workspace_index::apply_config(&shared);
                }
                workspace_index::build(shared).await;
            });
        })
        .await
    }

    async fn shutdown(&self) -> Result<()> {
        info!("shutdown");
        self.shared
            .shut_down
            .store(true, std::sync::atomic::Ordering::SeqCst);
        *lock(&self.watcher) = None;
        Ok(())
    }

    async fn did_open(&self, params: DidOpenTextDocumentParams) {
        guard_notification("textDocument/didOpen", async {
            let td = params.text_document;
            let path = convert::uri_to_path(&td.uri);
            debug!(uri = td.uri.as_str(), version = td.version, "didOpen");
            let doc = Document::new(&td.text, td.version, &td.language_id, path);
            let entry = self.shared.docs.open(td.uri, doc);
            tasks::spawn(
                "check after didOpen",
                diagnostics::refresh(self.shared.clone(), entry),
            );
        })
        .await
    }

    async fn did_change(&self, params: DidChangeTextDocumentParams) {
        // Everything up to the spawn runs before the first `.await`: edits are applied in the
        // order they arrived.
        guard_notification("textDocument/didChange", async {
            let uri = params.text_document.uri;
            let version = params.text_document.version;
            let Some(entry) = self.shared.docs.get(&uri) else {
                warn!(
                    uri = uri.as_str(),
                    "didChange for a document that is not open: ignored"
                );
                return;
            };
            let enc = self.shared.ctx().encoding;
            {
                let mut doc = entry.doc();
                if version <= doc.version {
                    warn!(
                        uri = uri.as_str(),
                        version,
                        previous = doc.version,
                        "document version did not increase"
                    );
                }
                let out = doc.apply_changes(&params.content_changes, enc);
                doc.version = version;
                if out.clamped > 0 {
                    warn!(
                        uri = uri.as_str(),
                        version,
                        clamped = out.clamped,
                        "edit positions out of range were clamped"
                    );
                }
            }
            tasks::spawn(
                "check after didChange",
                diagnostics::refresh(self.shared.clone(), entry),
            );
        })
        .await
    }

    async fn did_close(&self, params: DidCloseTextDocumentParams) {
        guard_notification("textDocument/didClose", async {
            let uri = params.text_document.uri;
            let Some(entry) = self.shared.docs.close(&uri) else {
                warn!(
                    uri = uri.as_str(),
                    "didClose for a document that is not open"
                );
                return;
            };
            let shared = self.shared.clone();
            let path = entry.doc().path.clone();
            tasks::spawn("didClose", async move {
                if !shared.session().pull {
                    diagnostics::clear(&shared, &entry).await;
                }
                if let Some(p) = path {
                    workspace_index::buffer_closed(shared, p).await;
                }
            });
        })
        .await
    }

    async fn did_change_configuration(&self, params: DidChangeConfigurationParams) {
        guard_notification("workspace/didChangeConfiguration", async {
            let shared = self.shared.clone();
            let inline = settings_in(&params.settings);
            tasks::spawn("reconfigure", async move {
                let settings = match inline {
                    Some(s) => Some(s),
                    None => fetch_settings(&shared).await,
                };
                lock(&shared.config).settings = settings.filter(|s| !s.is_null());
                workspace_index::reconfigure(shared, false).await;
            });
        })
        .await
    }

    async fn did_change_watched_files(&self, params: DidChangeWatchedFilesParams) {
        guard_notification("workspace/didChangeWatchedFiles", async {
            let events: Vec<FileEvent> = params
                .changes
                .iter()
                .filter_map(|c| {
                    let p = convert::uri_to_path(&c.uri)?;
                    // Forgotten now, in arrival order, so a pull sent after this event never
                    // answers from the old result (`files_changed` forgets the canonical path).
                    self.shared.disk.forget(&p);
                    Some(if c.typ == FileChangeType::DELETED {
                        FileEvent::Deleted(p)
                    } else {
                        FileEvent::Changed(p)
                    })
                })
                .collect();
            tasks::spawn(
                "watched files",
                workspace_index::files_changed(self.shared.clone(), events),
            );
        })
        .await
    }

    async fn diagnostic(
        &self,
        params: DocumentDiagnosticParams,
    ) -> Result<DocumentDiagnosticReportResult> {
        guard("textDocument/diagnostic", async {
            Ok(match pull(&self.shared, params).await? {
                Pulled::Full(items, result_id) => full_report(items, Some(result_id)),
                Pulled::Unchanged(result_id) => DocumentDiagnosticReportResult::Report(
                    DocumentDiagnosticReport::Unchanged(RelatedUnchangedDocumentDiagnosticReport {
                        related_documents: None,
                        unchanged_document_diagnostic_report: UnchangedDocumentDiagnosticReport {
                            result_id,
                        },
                    }),
                ),
            })
        })
        .await
    }

    async fn workspace_diagnostic(
        &self,
        params: WorkspaceDiagnosticParams,
    ) -> Result<WorkspaceDiagnosticReportResult> {
        guard("workspace/diagnostic", async {
            self.shared.wait_index_ready().await;
            let previous: std::collections::HashMap<String, String> = params
                .previous_result_ids
                .into_iter()
                .map(|p| (p.uri.as_str().to_string(), p.value))
                .collect();
            let mut items = Vec::new();
            let mut open_paths = Vec::new();
            for entry in self.shared.docs.all() {
                let Some(checked) = diagnostics::check(&self.shared, &entry).await else {
                    continue;
                };
                if let Some(p) = entry.doc().path.clone() {
                    open_paths.push(p);
                }
                items.push(report_item(
                    entry.uri.clone(),
                    Some(checked.version as i64),
                    checked.result_id(),
                    checked.diagnostics.as_ref().clone(),
                    &previous,
                ));
            }
            // Unopened spec files, from disk: those indexed, and those that could not be read
            // (reported with the reason).
            let mut files: Vec<std::path::PathBuf> = lock(&self.shared.index)
                .entries()
                .iter()
                .map(|e| e.path.clone())
                .collect();
            files.extend(lock(&self.shared.unreadable).iter().cloned());
            let shared = self.shared.clone();
            let prev = previous.clone();
            let results = tokio::task::spawn_blocking(move || {
                use rayon::prelude::*;
                let open: Vec<_> = open_paths.iter().map(|p| workspace::absolute(p)).collect();
                files.retain(|p| !open.contains(p));
                files
                    .par_iter()
                    .map(|p| {
                        let before =
                            convert::path_to_uri(p).and_then(|u| prev.get(u.as_str()).cloned());
                        (p.clone(), check_file(&shared, p, before.as_deref()))
                    })
                    .collect::<Vec<_>>()
            })
            .await
            .map_err(|_| Error::internal_error())?;
            for (path, (diags, result_id)) in results {
                if let Some(uri) = convert::path_to_uri(&path) {
                    items.push(report_item(uri, None, result_id, diags, &previous));
                }
            }
            // The configuration file, when there is one.
            let config = lock(&self.shared.config).config_diagnostics.clone();
            if let Some((uri, diags)) = config {
                let id = format!(
                    "config:{:x}",
                    hash(&serde_json::to_string(&diags).unwrap_or_default())
                );
                items.push(report_item(uri, None, id, diags, &previous));
            }
            Ok(WorkspaceDiagnosticReportResult::Report(
                WorkspaceDiagnosticReport { items },
            ))
        })
        .await
    }

    async fn code_action(&self, params: CodeActionParams) -> Result<Option<CodeActionResponse>> {
        guard(
            "textDocument/codeAction",
            features::code_action(&self.shared, params),
        )
        .await
    }

    async fn inlay_hint(&self, params: InlayHintParams) -> Result<Option<Vec<InlayHint>>> {
        guard(
            "textDocument/inlayHint",
            features::inlay_hint(&self.shared, params),
        )
        .await
    }

    async fn code_lens(&self, params: CodeLensParams) -> Result<Option<Vec<CodeLens>>> {
        guard(
            "textDocument/codeLens",
            features::code_lens(&self.shared, params),
        )
        .await
    }

    async fn goto_definition(
        &self,
        params: GotoDefinitionParams,
    ) -> Result<Option<GotoDefinitionResponse>> {
        guard(
            "textDocument/definition",
            navigation::definition(&self.shared, params),
        )
        .await
    }

    async fn hover(&self, params: HoverParams) -> Result<Option<Hover>> {
        guard(
            "textDocument/hover",
            navigation::hover(&self.shared, params),
        )
        .await
    }

    async fn document_symbol(
        &self,
        params: DocumentSymbolParams,
    ) -> Result<Option<DocumentSymbolResponse>> {
        guard(
            "textDocument/documentSymbol",
            navigation::document_symbol(&self.shared, params),
        )
        .await
    }

    async fn completion(&self, params: CompletionParams) -> Result<Option<CompletionResponse>> {
        guard(
            "textDocument/completion",
            navigation::completion(&self.shared, params),
        )
        .await
    }

    async fn references(&self, params: ReferenceParams) -> Result<Option<Vec<Location>>> {
        guard(
            "textDocument/references",
            navigation::references(&self.shared, params),
        )
        .await
    }

    async fn symbol(
        &self,
        params: WorkspaceSymbolParams,
    ) -> Result<Option<WorkspaceSymbolResponse>> {
        guard(
            "workspace/symbol",
            navigation::workspace_symbol(&self.shared, params),
        )
        .await
    }

    async fn document_link(&self, params: DocumentLinkParams) -> Result<Option<Vec<DocumentLink>>> {
        guard(
            "textDocument/documentLink",
            navigation::document_link(&self.shared, params),
        )
        .await
    }

    async fn selection_range(
        &self,
        params: SelectionRangeParams,
    ) -> Result<Option<Vec<SelectionRange>>> {
        guard(
            "textDocument/selectionRange",
            navigation::selection_range(&self.shared, params),
        )
        .await
    }

    async fn folding_range(&self, params: FoldingRangeParams) -> Result<Option<Vec<FoldingRange>>> {
        guard(
            "textDocument/foldingRange",
            navigation::folding_range(&self.shared, params),
        )
        .await
    }

    async fn execute_command(&self, params: ExecuteCommandParams) -> Result<Option<LSPAny>> {
        guard("workspace/executeCommand", async {
            if params.command == PANIC_COMMAND && test_panic_enabled() {
                panic!("deliberate panic for testing ({PANIC_COMMAND})");
            }
            Err(Error::invalid_params(format!(
                "unknown command `{}`",
                params.command
            )))
        })
        .await
    }
}

/// The answer to a pull: what `textDocument/diagnostic` returns, before protocol types.
enum Pulled {
    Full(Arc<Vec<Diagnostic>>, String),
    Unchanged(String),
}

/// Diagnostics of a document for a pull: the open buffer, else the file on disk.
async fn pull(shared: &Arc<Shared>, params: DocumentDiagnosticParams) -> Result<Pulled> {
    let uri = params.text_document.uri;
    let (items, result_id) = match shared.docs.get(&uri) {
        Some(entry) => {
            let checked = diagnostics::check(shared, &entry)
                .await
                .ok_or_else(Error::internal_error)?;
            (checked.diagnostics.clone(), checked.result_id())
        }
        None => {
            // Not open: the file on disk.
            let Some(path) = convert::uri_to_path(&uri) else {
                return Ok(Pulled::Full(Arc::new(Vec::new()), "none".into()));
            };
            let s = shared.clone();
            shared.wait_index_ready().await;
            let r = tokio::task::spawn_blocking(move || check_file(&s, &path, None))
                .await
                .map_err(|_| Error::internal_error())?;
            (Arc::new(r.0), r.1)
        }
    };
    if params.previous_result_id.as_deref() == Some(result_id.as_str()) {
        return Ok(Pulled::Unchanged(result_id));
    }
    Ok(Pulled::Full(items, result_id))
}

#[derive(serde::Serialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
enum PullReport<'a> {
    Full {
        #[serde(rename = "resultId")]
        result_id: &'a str,
        items: &'a [Diagnostic],
    },
    Unchanged {
        #[serde(rename = "resultId")]
        result_id: &'a str,
    },
}

#[derive(serde::Serialize)]
struct PullResponse<'a> {
    jsonrpc: &'static str,
    id: &'a Value,
    #[serde(skip_serializing_if = "Option::is_none")]
    result: Option<PullReport<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<Error>,
}

impl Backend {
    /// Answers a `textDocument/diagnostic` request that the transport passed on as a
    /// notification (see `transport::FAST_PULL`): the same answer as
    /// [`LanguageServer::diagnostic`], written straight to the output.
    pub async fn fast_pull(&self, p: super::transport::FastPull) {
        let shared = self.shared.clone();
        tasks::spawn("pull", async move {
            let result = match serde_json::from_value::<DocumentDiagnosticParams>(p.params) {
                Ok(params) => guard("textDocument/diagnostic", pull(&shared, params)).await,
                Err(e) => Err(Error::invalid_params(e.to_string())),
            };
            let response = PullResponse {
                jsonrpc: "2.0",
                id: &p.id,
                result: match &result {
                    Ok(Pulled::Full(items, result_id)) => {
                        Some(PullReport::Full { result_id, items })
                    }
                    Ok(Pulled::Unchanged(result_id)) => Some(PullReport::Unchanged { result_id }),
                    Err(_) => None,
                },
                error: result.as_ref().err().cloned(),
            };
            shared.out.send(&response).await;
        });
    }
}

fn full_report(
    items: Arc<Vec<Diagnostic>>,
    result_id: Option<String>,
) -> DocumentDiagnosticReportResult {
    DocumentDiagnosticReportResult::Report(DocumentDiagnosticReport::Full(
        RelatedFullDocumentDiagnosticReport {
            related_documents: None,
            full_document_diagnostic_report: FullDocumentDiagnosticReport {
                result_id,
                items: items.as_ref().clone(),
            },
        },
    ))
}

fn report_item(
    uri: Uri,
    version: Option<i64>,
    result_id: String,
    items: Vec<Diagnostic>,
    previous: &std::collections::HashMap<String, String>,
) -> WorkspaceDocumentDiagnosticReport {
    if previous.get(uri.as_str()) == Some(&result_id) {
        return WorkspaceDocumentDiagnosticReport::Unchanged(
            WorkspaceUnchangedDocumentDiagnosticReport {
                uri,
                version,
                unchanged_document_diagnostic_report: UnchangedDocumentDiagnosticReport {
                    result_id,
                },
            },
        );
    }
    WorkspaceDocumentDiagnosticReport::Full(WorkspaceFullDocumentDiagnosticReport {
        uri,
        version,
        full_document_diagnostic_report: FullDocumentDiagnosticReport {
            result_id: Some(result_id),
            items,
        },
    })
}

/// Diagnostics of a file on disk that is not open, and a result id for them. An unreadable
/// file gets one diagnostic saying why.
/// When `previous` is this result's id, the analysis is skipped (the client has the result).
fn check_file(
    shared: &Shared,
    path: &std::path::Path,
    previous: Option<&str>,
) -> (Vec<Diagnostic>, String) {
    let ctx = shared.ctx();
    // Unchanged on disk since the last pull, under the same context: no read, no hash.
    let stamp = workspace_index::stamp(path);
    if let Some(st) = &stamp {
        if let Some(r) = shared.disk.get(path, st, ctx.generation) {
            if previous == Some(r.result_id.as_str()) {
                return (Vec::new(), r.result_id);
            }
            return (r.diagnostics.as_ref().clone(), r.result_id);
        }
    }
    shared
        .disk
        .reads
        .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let (diags, id) = check_file_uncached(&ctx, path, previous);
    if let Some(stamp) = stamp {
        // Only a full result of a readable file is kept: an "unchanged" answer carries no
        // diagnostics, and an unreadable file may become readable without a new stamp (chmod).
        if previous != Some(id.as_str()) && !id.ends_with(":unreadable") {
            shared.disk.put(
                path.to_path_buf(),
                workspace_index::DiskResult {
                    stamp,
                    generation: ctx.generation,
                    result_id: id.clone(),
                    diagnostics: Arc::new(diags.clone()),
                },
            );
        }
    }
    (diags, id)
}

fn check_file_uncached(
    ctx: &super::documents::Context,
    path: &std::path::Path,
    previous: Option<&str>,
) -> (Vec<Diagnostic>, String) {
    match read_spec(path) {
        Ok(text) => {
            if !is_markdown("", Some(path)) {
                return (Vec::new(), format!("{}:none", ctx.generation));
            }
            let id = format!("{}:{:x}", ctx.generation, hash(&text));
            if previous == Some(id.as_str()) {
                return (Vec::new(), id);
            }
            let config = ctx.config_for(Some(path));
            // A bug tripped by one file is reported on that file; the pull answers the others.
            let diags = std::panic::catch_unwind(AssertUnwindSafe(|| {
                crate::panics::panic_if_marked(&text);
                let a = crate::analysis::analyze_text(&crate::analysis::Input {
                    text: &text,
                    path: Some(path),
                    explicit: false,
                    config: &config,
                    index: &ctx.index,
                });
                if config.features.diagnostics {
                    convert::diagnostics(&text, &a.findings, ctx.encoding)
                } else {
                    Vec::new()
                }
            }))
            .unwrap_or_else(|p| {
                let msg = crate::panics::message(p.as_ref());
                error!(path = %path.display(), "check panicked: {msg}");
                vec![convert::internal_error(&msg)]
            });
            (diags, id)
        }
        Err(e) => {
            warn!("{}: {e}", path.display());
            let d = Diagnostic {
                range: Range::default(),
                severity: Some(DiagnosticSeverity::WARNING),
                source: Some(convert::SOURCE.into()),
                message: format!("cannot check this file: {e}"),
                ..Default::default()
            };
            (vec![d], format!("{}:unreadable", ctx.generation))
        }
    }
}

fn hash(s: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = rustc_hash::FxHasher::default();
    s.hash(&mut h);
    h.finish()
}
