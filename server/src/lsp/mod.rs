//! The language server: the only module that knows LSP. Built on tower-lsp-server.
//!
//! - [`server`]: the `LanguageServer` implementation (thin handlers, panic guard).
//! - [`documents`]: open buffers (ropes), edits in arrival order, per-document analysis state.
//! - [`diagnostics`]: checking and delivering results (push with version, or pull).
//! - [`features`]: code actions, inlay hints, code lenses: adapters over `crate::ide`.
//! - [`convert`]: findings → LSP diagnostics, encodings, URIs (positions via `crate::position`).
//! - [`workspace_index`]: configuration, the background index, file changes.
//! - [`watch`]: the fallback file watcher.
//! - [`output`]: the single writer of stdout; diagnostics are serialised without a JSON tree.
//! - [`debug`]: test-only requests (`DEPLOYSPEC_TEST_DEBUG=1`): a document's text, counts.
//! - [`transport`]: a tolerant reader in front of the framing (malformed input never ends the
//!   session).

pub mod convert;
pub mod debug;
pub mod diagnostics;
pub mod documents;
pub mod features;
pub mod navigation;
pub mod output;
pub mod rename;
pub mod server;
pub mod state;
pub mod tasks;
pub mod transport;
pub mod watch;
pub mod workspace_index;

use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use tower_lsp_server::{LspService, Server};

/// Serves LSP on stdin/stdout until `exit`. Exits 0 when `shutdown` came before `exit` (or the
/// end of input), 1 otherwise, as the protocol asks.
pub fn run_stdio() -> ExitCode {
    init_logging();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("deployspec-lsp")
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("deployspec: cannot start the async runtime: {e}");
            return ExitCode::from(2);
        }
    };
    let shut_down = Arc::new(AtomicBool::new(false));
    let flag = shut_down.clone();
    runtime.block_on(async move {
        let (for_tower, pipe) = output::start(tokio::io::stdout());
        let out = pipe.output.clone();
        let (service, socket) = LspService::build(|client| server::Backend::new(client, flag, out))
            .custom_method(transport::INVALID_MESSAGE, server::Backend::invalid_message)
            .custom_method(transport::FAST_PULL, server::Backend::fast_pull)
            .custom_method(debug::TEXT, debug::text)
            .custom_method(debug::STATS, debug::stats)
            .custom_method(debug::RELEASE_INDEX, debug::release_index)
            .finish();
        let (input, sanitized) = tokio::io::duplex(64 * 1024);
        tokio::spawn(transport::sanitize(tokio::io::stdin(), input));
        Server::new(sanitized, for_tower, socket)
            .serve(service)
            .await;
        pipe.finish().await;
    });
    // Do not wait for background work (an analysis of a document nobody will read).
    runtime.shutdown_timeout(Duration::from_millis(200));
    if shut_down.load(Ordering::SeqCst) {
        tracing::info!("exiting after shutdown");
        ExitCode::SUCCESS
    } else {
        tracing::warn!("exiting without a shutdown request");
        ExitCode::from(1)
    }
}

/// Logs go to stderr (stdout is the protocol channel); the level comes from `DEPLOYSPEC_LOG`
/// (`warn`, `info`, `debug`, or any `tracing` filter), `info` by default.
fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("DEPLOYSPEC_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .try_init();
}
