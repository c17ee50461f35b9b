//! Background work of the session (checks, the index build, file events, configuration) runs
//! with its panics caught and logged: a bug ends that one piece of work, with a log line, never
//! the session, and never a loop that other work depends on. Handlers are guarded in `server`.

use std::future::Future;
use std::panic::AssertUnwindSafe;

use futures::FutureExt;

/// Runs `fut` to completion; a panic in it is logged as `what` and goes no further.
pub async fn contained(what: &'static str, fut: impl Future<Output = ()>) {
    if let Err(p) = AssertUnwindSafe(fut).catch_unwind().await {
        tracing::error!(
            task = what,
            "background task panicked: {}",
            crate::panics::message(p.as_ref())
        );
    }
}

/// Spawns `fut` on the runtime, [`contained`].
pub fn spawn(what: &'static str, fut: impl Future<Output = ()> + Send + 'static) {
    tokio::spawn(contained(what, fut));
}
