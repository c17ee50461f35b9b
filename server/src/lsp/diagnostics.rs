//! Checking open documents and delivering the results: pushed with the version
//! (`textDocument/publishDiagnostics`) or kept for the client to pull, never both.

use std::sync::Arc;

use tower_lsp_server::ls_types::{Diagnostic, Uri};
use tracing::{debug, error};

use super::documents::{Checked, Entry};
use super::state::Shared;

/// Checks the current text of `entry` off the async threads. `None` if the check panicked
/// (logged) or the document was closed meanwhile.
pub async fn check(shared: &Arc<Shared>, entry: &Arc<Entry>) -> Option<Arc<Checked>> {
    shared.wait_index_ready().await;
    let ctx = shared.ctx();
    let e = entry.clone();
    let s = shared.clone();
    // The index update after the check (a canonicalised path, a head parse) runs on the same
    // blocking thread, never on the async ones.
    let checked = match tokio::task::spawn_blocking(move || {
        let c = e.check(&ctx);
        // The index entry comes from the same text; a bug there must not cost the diagnostics.
        if let Err(p) = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            super::workspace_index::note_buffer(&s, &e, &c)
        })) {
            error!(
                uri = e.uri.as_str(),
                "indexing the buffer panicked: {}",
                crate::panics::message(p.as_ref())
            );
        }
        c
    })
    .await
    {
        Ok(c) => c,
        Err(err) => {
            error!(uri = entry.uri.as_str(), "analysis failed: {err}");
            return None;
        }
    };
    Some(checked)
}

/// Checks `entry` and, in push mode, publishes the result unless a newer version exists.
pub async fn refresh(shared: Arc<Shared>, entry: Arc<Entry>) {
    let t0 = std::time::Instant::now();
    let Some(checked) = check(&shared, &entry).await else {
        return;
    };
    let t1 = t0.elapsed();
    if !shared.session().pull {
        publish(&shared, &entry, &checked).await;
    }
    debug!(
        check_us = t1.as_micros() as u64,
        total_us = t0.elapsed().as_micros() as u64,
        "refresh"
    );
}

/// Publishes `checked` for `entry`. Publishes of one document are serialised; a result older
/// than the document's current version, or than what was already published, is dropped (a
/// newer check is on its way), so a stale result never replaces a newer one.
pub async fn publish(shared: &Shared, entry: &Entry, checked: &Checked) {
    let mut last = entry.published.lock().await;
    if entry.is_closed() {
        return;
    }
    let current = entry.version();
    if *last == Some((checked.version, checked.generation)) {
        // Already published (several queued checks of a burst found the same result).
        return;
    }
    if is_stale((checked.version, checked.generation), current, *last) {
        debug!(
            uri = entry.uri.as_str(),
            version = checked.version,
            current,
            "dropping a stale result"
        );
        return;
    }
    send(
        shared,
        &entry.uri,
        &checked.diagnostics,
        Some(checked.version),
    )
    .await;
    *last = Some((checked.version, checked.generation));
    debug!(
        uri = entry.uri.as_str(),
        version = checked.version,
        count = checked.diagnostics.len(),
        "published"
    );
}

/// Whether a result tagged (version, generation) must not be published: it is not for the
/// document's current version, or something newer was published already. Generations order
/// results of the same version (a configuration or index change re-checks the same text), so an
/// older generation that finishes late never overtakes a newer one, and a newer generation of
/// the same version is published.
fn is_stale(result: (i32, u64), current: i32, last: Option<(i32, u64)>) -> bool {
    result.0 != current || last.is_some_and(|l| l > result)
}

/// Clears the diagnostics of a closed document (push mode).
pub async fn clear(shared: &Shared, entry: &Entry) {
    let _last = entry.published.lock().await;
    send(shared, &entry.uri, &[], None).await;
}

#[derive(serde::Serialize)]
struct PublishParams<'a> {
    uri: &'a Uri,
    diagnostics: &'a [Diagnostic],
    #[serde(skip_serializing_if = "Option::is_none")]
    version: Option<i32>,
}

/// `textDocument/publishDiagnostics`, serialised straight from the diagnostics.
async fn send(shared: &Shared, uri: &Uri, diagnostics: &[Diagnostic], version: Option<i32>) {
    shared
        .out
        .notify(
            "textDocument/publishDiagnostics",
            PublishParams {
                uri,
                diagnostics,
                version,
            },
        )
        .await;
}

/// Re-checks every open document (configuration or index changed). Pull clients are asked to
/// pull again instead.
pub fn recheck(shared: &Arc<Shared>, entries: Vec<Arc<Entry>>) {
    if entries.is_empty() {
        return;
    }
    let session = shared.session();
    if session.pull {
        for e in &entries {
            e.invalidate();
        }
        if session.refresh {
            let client = shared.client.clone();
            super::tasks::spawn("diagnostic refresh", async move {
                let _ = client.workspace_diagnostic_refresh().await;
            });
        }
        return;
    }
    for e in entries {
        e.invalidate();
        super::tasks::spawn("re-check", refresh(shared.clone(), e));
    }
}

#[cfg(test)]
mod tests {
    use super::is_stale;

    #[test]
    fn stale_results_are_ordered_by_version_then_generation() {
        // Not the current version.
        assert!(is_stale((3, 9), 4, None));
        // Nothing published yet, or something older.
        assert!(!is_stale((4, 1), 4, None));
        assert!(!is_stale((4, 1), 4, Some((3, 7))));
        // Same version, newer generation (configuration or index changed): published.
        assert!(!is_stale((4, 2), 4, Some((4, 1))));
        // Same version, older generation finishing late: dropped, it would overtake the newer.
        assert!(is_stale((4, 1), 4, Some((4, 2))));
        // A newer version was published already.
        assert!(is_stale((4, 9), 4, Some((5, 1))));
    }
}
