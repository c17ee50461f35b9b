//! Containing panics: the message of a caught one, and a test-only fault so the tests can prove
//! that a panic while checking one file stays with that file (`check`, the server's document
//! checks, pulls and index build).
//!
//! The fault exists only in debug builds, which is what `cargo test` runs; a release build has no
//! trigger at all. It fires only when the environment asks for it *and* the text carries the
//! marker, so no ordinary file or session can reach it.

/// A text holding this marker makes its check panic when `DEPLOYSPEC_TEST_PANIC=1` (debug
/// builds only).
pub const PANIC_MARKER: &str = "deployspec-test-panic";

/// The same for indexing a file's head (a text with this marker also trips [`PANIC_MARKER`]).
pub const INDEX_PANIC_MARKER: &str = "deployspec-test-panic-index";

/// Panics while checking a text if the tests asked for it (see the module documentation).
pub fn panic_if_marked(text: &str) {
    trigger(text, PANIC_MARKER);
}

/// Panics while indexing a text if the tests asked for it.
pub fn panic_if_marked_for_index(text: &str) {
    trigger(text, INDEX_PANIC_MARKER);
}

#[cfg(debug_assertions)]
fn trigger(text: &str, marker: &str) {
    static ON: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    let on = *ON.get_or_init(|| std::env::var("DEPLOYSPEC_TEST_PANIC").is_ok_and(|v| v == "1"));
    if on && text.contains(marker) {
        panic!("deliberate panic for testing ({marker})");
    }
}

/// Release builds: no trigger.
#[cfg(not(debug_assertions))]
#[inline(always)]
fn trigger(_text: &str, _marker: &str) {}

/// The message of a caught panic.
pub fn message(p: &(dyn std::any::Any + Send)) -> String {
    p.downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| p.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".into())
}
