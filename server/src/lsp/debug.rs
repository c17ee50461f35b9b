//! Test-only requests, enabled by `DEPLOYSPEC_TEST_DEBUG=1` and refused (method not found)
//! otherwise. End-to-end tests use them to observe what the protocol does not show:
//!
//! - `deployspec/debug/text` `{uri}` → `{version, text}` of an open document (`null` when it is
//!   not open): the server's text, to compare with the client's after many edits.
//! - `deployspec/debug/stats` → `{openDocuments, liveDocuments, indexedSpecs, diskReads,
//!   diskCached}`: what the server holds (live = open or still held by a task), and how many
//!   unopened files it read for pulls.
//! - `deployspec/debug/releaseIndex` (notification): with `DEPLOYSPEC_TEST_HOLD_INDEX=1` too, the
//!   first index build waits for it, so a test can keep requests provably pending (every
//!   analysis waits for the first index) and cancel them.

use serde_json::{json, Value};
use tower_lsp_server::jsonrpc::{Error, Result};
use tower_lsp_server::ls_types::Uri;

use super::server::Backend;

pub const TEXT: &str = "deployspec/debug/text";
pub const STATS: &str = "deployspec/debug/stats";
pub const RELEASE_INDEX: &str = "deployspec/debug/releaseIndex";

pub fn enabled() -> bool {
    std::env::var("DEPLOYSPEC_TEST_DEBUG").is_ok_and(|v| v == "1")
}

/// Whether the first index build waits for [`RELEASE_INDEX`].
pub fn hold_index() -> bool {
    enabled() && std::env::var("DEPLOYSPEC_TEST_HOLD_INDEX").is_ok_and(|v| v == "1")
}

fn refused(method: &str) -> Error {
    let mut e = Error::method_not_found();
    e.message = format!("{method} needs DEPLOYSPEC_TEST_DEBUG=1 (a test-only request)").into();
    e
}

#[derive(serde::Deserialize)]
pub struct TextParams {
    uri: Uri,
}

pub async fn text(b: &Backend, p: TextParams) -> Result<Value> {
    if !enabled() {
        return Err(refused(TEXT));
    }
    Ok(match b.shared().docs.get(&p.uri) {
        Some(entry) => {
            let d = entry.doc();
            json!({"version": d.version, "text": d.rope.to_string()})
        }
        None => Value::Null,
    })
}

pub async fn stats(b: &Backend) -> Result<Value> {
    if !enabled() {
        return Err(refused(STATS));
    }
    let shared = b.shared();
    let specs = super::state::lock(&shared.index).len();
    Ok(json!({
        "openDocuments": shared.docs.all().len(),
        "liveDocuments": super::documents::LIVE_ENTRIES.load(std::sync::atomic::Ordering::Relaxed),
        "indexedSpecs": specs,
        "diskReads": shared.disk.reads.load(std::sync::atomic::Ordering::Relaxed),
        "diskCached": shared.disk.len(),
    }))
}

pub async fn release_index(b: &Backend) {
    if enabled() {
        b.shared().index_hold.notify_one();
    }
}
