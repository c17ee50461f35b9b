//! The fallback file watcher, for clients that cannot watch files for us (Neovim on Linux,
//! Helix): notify on the spec root (recursive) and on the workspace root (for
//! `.deployspec.toml`). Events are batched briefly and fed to the same path as
//! `workspace/didChangeWatchedFiles`.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use notify::{RecursiveMode, Watcher as _};
use tracing::{info, warn};

use crate::workspace::Workspace;

use super::state::{lock, Shared};
use super::workspace_index::{self, FileEvent};

/// A running watcher; dropping it stops watching.
pub struct Watcher {
    _inner: notify::RecommendedWatcher,
    wake: Arc<tokio::sync::Notify>,
    stopped: Arc<std::sync::atomic::AtomicBool>,
}

impl Drop for Watcher {
    fn drop(&mut self) {
        // Ends the batching task.
        self.stopped
            .store(true, std::sync::atomic::Ordering::SeqCst);
        self.wake.notify_one();
    }
}

pub fn start(shared: Arc<Shared>, ws: &Workspace) -> Option<Watcher> {
    // Paths changed since the last batch: a set, so what waits is bounded by the number of
    // files watched, however many events arrive (a queue of events would grow with them).
    let pending: Arc<Mutex<BTreeSet<PathBuf>>> = Default::default();
    let wake = Arc::new(tokio::sync::Notify::new());
    let (into, woken) = (pending.clone(), wake.clone());
    let handler = move |res: notify::Result<notify::Event>| match res {
        // Reads are no change: without this, the server's own reads of the specs (indexing,
        // workspace pulls) came back as events, and every file read was read again.
        Ok(ev) if ev.kind.is_access() => {}
        Ok(ev) => {
            lock(&into).extend(ev.paths);
            woken.notify_one();
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
    let stopped = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let (task_wake, task_stopped) = (wake.clone(), stopped.clone());
    super::tasks::spawn("file watcher", async move {
        loop {
            task_wake.notified().await;
            if task_stopped.load(std::sync::atomic::Ordering::SeqCst) {
                break;
            }
            // Batch the burst an editor's save or a `git checkout` makes.
            tokio::time::sleep(Duration::from_millis(50)).await;
            let paths = std::mem::take(&mut *lock(&pending));
            if paths.is_empty() {
                continue;
            }
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
    Some(Watcher {
        _inner: inner,
        wake,
        stopped,
    })
}
