//! The fallback file watcher, for clients that cannot watch files for us (Neovim on Linux,
//! Helix): notify on the spec root (recursive) and on the workspace root (for
//! `.deployspec.toml`). Events are batched briefly and fed to the same path as
//! `workspace/didChangeWatchedFiles`.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use notify::{RecursiveMode, Watcher as _};
use tracing::{info, warn};

use crate::workspace::Workspace;

use super::state::Shared;
use super::workspace_index::{self, FileEvent};

/// A running watcher; dropping it stops watching.
pub struct Watcher {
    _inner: notify::RecommendedWatcher,
}

pub fn start(shared: Arc<Shared>, ws: &Workspace) -> Option<Watcher> {
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<PathBuf>();
    let handler = move |res: notify::Result<notify::Event>| match res {
        // Reads are no change: without this, the server's own reads of the specs (indexing,
        // workspace pulls) came back as events, and every file read was read again.
        Ok(ev) if ev.kind.is_access() => {}
        Ok(ev) => {
            for p in ev.paths {
                let _ = tx.send(p);
            }
        }
        Err(e) => warn!("file watcher: {e}"),
    };
    let mut inner = match notify::recommended_watcher(handler) {
        Ok(w) => w,
        Err(e) => {
            warn!("cannot start the file watcher: {e}");
            return None;
        }
    };
    let spec_root = ws.spec_root();
    if spec_root.is_dir() {
        if let Err(e) = inner.watch(&spec_root, RecursiveMode::Recursive) {
            warn!("cannot watch {}: {e}", spec_root.display());
        }
    }
    if let Err(e) = inner.watch(&ws.root, RecursiveMode::NonRecursive) {
        warn!("cannot watch {}: {e}", ws.root.display());
    }
    info!(root = %spec_root.display(), "watching files (the client does not)");
    super::tasks::spawn("file watcher", async move {
        while let Some(first) = rx.recv().await {
            let mut paths = vec![first];
            // Batch the burst an editor's save or a `git checkout` makes.
            tokio::time::sleep(Duration::from_millis(50)).await;
            while let Ok(p) = rx.try_recv() {
                paths.push(p);
            }
            paths.sort();
            paths.dedup();
            let events = tokio::task::spawn_blocking(move || {
                paths
                    .into_iter()
                    .map(|p| {
                        if p.exists() {
                            FileEvent::Changed(p)
                        } else {
                            FileEvent::Deleted(p)
                        }
                    })
                    .collect()
            })
            .await
            .unwrap_or_default();
            // A bug in one batch must not stop the watching.
            super::tasks::contained(
                "watched files",
                workspace_index::files_changed(shared.clone(), events),
            )
            .await;
        }
    });
    Some(Watcher { _inner: inner })
}
