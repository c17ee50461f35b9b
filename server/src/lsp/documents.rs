//! Open documents: the editor's buffers as ropes, edited in arrival order, and each one's
//! analysis state (the region cache of the incremental parse and the last result).
//!
//! Edits are applied synchronously by the `didChange` handler before it awaits anything, so they
//! can never be reordered (tower-lsp-server polls up to four handlers at once). Analysis runs on
//! a snapshot of (text, version) and is tagged with that version; whoever publishes checks it.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use dashmap::DashMap;
use ropey::Rope;
use tower_lsp_server::ls_types::{Diagnostic, TextDocumentContentChangeEvent, Uri};

use crate::analysis::document::RegionCache;
use crate::analysis::{self, Input};
use crate::config::Config;
use crate::ide::Snapshot;
use crate::index::SpecIndex;
use crate::position::{rope_offset, Encoding, LineCol};
use crate::workspace::{ConfigResolver, MAX_FILE_BYTES};

use super::convert;

/// One open buffer.
#[derive(Debug)]
pub struct Document {
    pub rope: Rope,
    pub version: i32,
    pub language_id: String,
    /// The file behind the URI, when it is a `file:` URI.
    pub path: Option<PathBuf>,
    /// Smallest byte offset edited since the last check (`Some(0)` for a new document).
    pub dirty_from: Option<usize>,
}

/// What applying a batch of content changes did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct EditOutcome {
    /// Positions that were out of range and had to be clamped.
    pub clamped: usize,
    /// Smallest byte offset touched by the batch (for deciding what else must be redone).
    pub first_byte: Option<usize>,
}

impl Document {
    pub fn new(text: &str, version: i32, language_id: &str, path: Option<PathBuf>) -> Document {
        Document {
            rope: Rope::from_str(text),
            version,
            language_id: language_id.to_string(),
            path,
            dirty_from: Some(0),
        }
    }

    /// Diagnostics are only computed for Markdown buffers.
    pub fn is_markdown(&self) -> bool {
        is_markdown(&self.language_id, self.path.as_deref())
    }

    /// Applies LSP content changes in sequence, each against the text the previous one left.
    /// Out-of-range positions are clamped (counted in the outcome); a reversed range is
    /// treated as the range between its two ends.
    pub fn apply_changes(
        &mut self,
        changes: &[TextDocumentContentChangeEvent],
        enc: Encoding,
    ) -> EditOutcome {
        let mut out = EditOutcome::default();
        for change in changes {
            let Some(range) = change.range else {
                self.rope = Rope::from_str(&change.text);
                out.first_byte = Some(0);
                continue;
            };
            let (a, ca) = rope_offset(&self.rope, to_linecol(range.start), enc);
            let (b, cb) = rope_offset(&self.rope, to_linecol(range.end), enc);
            out.clamped += usize::from(ca) + usize::from(cb);
            let (start, end) = if a <= b { (a, b) } else { (b, a) };
            let cs = self.rope.byte_to_char(start);
            let ce = self.rope.byte_to_char(end);
            if ce > cs {
                self.rope.remove(cs..ce);
            }
            if !change.text.is_empty() {
                self.rope.insert(cs, &change.text);
            }
            out.first_byte = Some(out.first_byte.map_or(start, |f| f.min(start)));
        }
        if let Some(b) = out.first_byte {
            self.dirty_from = Some(self.dirty_from.map_or(b, |d| d.min(b)));
        }
        out
    }
}

fn to_linecol(p: tower_lsp_server::ls_types::Position) -> LineCol {
    LineCol {
        line: p.line,
        col: p.character,
    }
}

pub fn is_markdown(language_id: &str, path: Option<&Path>) -> bool {
    language_id.eq_ignore_ascii_case("markdown")
        || path
            .and_then(|p| p.extension())
            .is_some_and(|e| e == "md" || e == "markdown")
}

/// The inputs every analysis of a session shares, swapped as a whole when they change.
#[derive(Clone)]
pub struct Context {
    /// The configuration at the workspace root (file and editor settings).
    pub config: Arc<Config>,
    /// Each document's configuration: the nearest `.deployspec.toml` above it, as `check`
    /// finds it, with the editor settings over it.
    pub configs: Arc<ConfigResolver>,
    pub index: Arc<SpecIndex>,
    pub encoding: Encoding,
    /// Bumped whenever configuration or the index change: results of an older generation are
    /// recomputed even when the text did not change.
    pub generation: u64,
}

impl Context {
    /// The configuration a document is checked with (the root's when it has no path).
    /// Blocking on first use of a folder (it looks for the file): call off the async threads.
    pub fn config_for(&self, path: Option<&Path>) -> Arc<Config> {
        match path {
            Some(p) => self.configs.for_file(p).config.clone(),
            None => self.config.clone(),
        }
    }
}

/// The result of checking one version of a document.
#[derive(Debug)]
pub struct Checked {
    pub version: i32,
    pub generation: u64,
    /// The checked text with its analysis (Markdown documents within the size limit): what
    /// feature requests answer from, so their ranges always match the text they point into.
    pub snapshot: Option<Arc<Snapshot>>,
    pub diagnostics: Arc<Vec<Diagnostic>>,
    /// The text that was checked, kept only when an edit reached the head of the document,
    /// where the index entry (ID, title, owner) comes from.
    pub text: Option<Arc<str>>,
    /// Smallest byte offset edited since the check before this one (`None`: no edit).
    pub first_edit: Option<usize>,
}

impl Checked {
    pub fn analysis(&self) -> Option<&crate::analysis::Analysis> {
        self.snapshot.as_ref().map(|s| &s.analysis)
    }

    /// A stable identifier of this result, for pull diagnostics' `resultId`.
    pub fn result_id(&self) -> String {
        format!("{}:{}", self.version, self.generation)
    }
}

#[derive(Default)]
struct Analyzer {
    cache: RegionCache,
    last: Option<Arc<Checked>>,
    /// The text being checked, refilled from the rope each time (no allocation per keystroke).
    buf: String,
}

/// An open document with its analysis state.
pub struct Entry {
    pub uri: Uri,
    doc: Mutex<Document>,
    analyzer: Mutex<Analyzer>,
    /// (version, generation) last published (push mode); publishing holds this lock so
    /// publishes of one document are ordered and never go backwards.
    pub published: tokio::sync::Mutex<Option<(i32, u64)>>,
    closed: AtomicBool,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic while holding a lock is answered as an error elsewhere; the data stays usable.
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Entries alive (open, or still held by a task after closing): for the test-only stats.
pub static LIVE_ENTRIES: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

impl Drop for Entry {
    fn drop(&mut self) {
        LIVE_ENTRIES.fetch_sub(1, Ordering::Relaxed);
    }
}

impl Entry {
    pub fn new(uri: Uri, doc: Document) -> Entry {
        LIVE_ENTRIES.fetch_add(1, Ordering::Relaxed);
        Entry {
            uri,
            doc: Mutex::new(doc),
            analyzer: Mutex::new(Analyzer::default()),
            published: tokio::sync::Mutex::new(None),
            closed: AtomicBool::new(false),
        }
    }

    pub fn doc(&self) -> MutexGuard<'_, Document> {
        lock(&self.doc)
    }

    pub fn version(&self) -> i32 {
        self.doc().version
    }

    pub fn close(&self) {
        self.closed.store(true, Ordering::SeqCst);
    }

    pub fn is_closed(&self) -> bool {
        self.closed.load(Ordering::SeqCst)
    }

    /// Forgets the last result, so the next check recomputes it (the index changed under it).
    pub fn invalidate(&self) {
        lock(&self.analyzer).last = None;
    }

    /// The last result, if any (whatever its version).
    pub fn last(&self) -> Option<Arc<Checked>> {
        lock(&self.analyzer).last.clone()
    }

    /// Checks the document's *current* text, unless the last result is already for its current
    /// version and generation. Blocking (CPU-bound): call from `spawn_blocking`. Concurrent
    /// calls are serialised; a call that waited finds the work done by the one before it, which
    /// is how a burst of edits collapses into few analyses.
    pub fn check(&self, ctx: &Context) -> Arc<Checked> {
        let mut guard = lock(&self.analyzer);
        let an = &mut *guard;
        let (version, path, markdown, first_edit) = {
            let mut d = self.doc();
            if let Some(last) = &an.last {
                if last.version == d.version && last.generation == ctx.generation {
                    return last.clone();
                }
            }
            an.buf.clear();
            for chunk in d.rope.chunks() {
                an.buf.push_str(chunk);
            }
            let dirty = d.dirty_from.take();
            (d.version, d.path.clone(), d.is_markdown(), dirty)
        };
        let text = an.buf.as_str();
        let t0 = std::time::Instant::now();
        if an.last.is_none() && markdown && text.len() >= PARALLEL_OPEN_BYTES {
            warm_in_parallel(text, &mut an.cache);
        }
        let checked = if markdown && text.len() as u64 > MAX_FILE_BYTES {
            // As `deployspec check` refuses such files: say so instead of parsing for seconds.
            tracing::warn!(
                bytes = text.len(),
                "document over the 10 MB limit: not checked"
            );
            Checked {
                version,
                generation: ctx.generation,
                snapshot: None,
                diagnostics: Arc::new(vec![too_large(text.len())]),
                text: None,
                first_edit,
            }
        } else if markdown {
            let config = ctx.config_for(path.as_deref());
            let cache = &mut an.cache;
            // A bug tripped by this text is this document's alone: it gets one diagnostic
            // saying so, and the session and every other document carry on.
            let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                crate::panics::panic_if_marked(text);
                let analysis = analysis::analyze(
                    &Input {
                        text,
                        path: path.as_deref(),
                        explicit: false,
                        config: &config,
                        index: &ctx.index,
                    },
                    cache,
                );
                let diagnostics = if config.features.diagnostics {
                    convert::diagnostics(text, &analysis.findings, ctx.encoding)
                } else {
                    Vec::new()
                };
                (analysis, diagnostics)
            }));
            match result {
                Ok((analysis, diagnostics)) => {
                    let near_top = first_edit.is_some_and(|b| b <= head_len(text));
                    let snapshot = Snapshot::new(version, Arc::from(text), analysis);
                    Checked {
                        version,
                        generation: ctx.generation,
                        text: near_top.then(|| snapshot.text.clone()),
                        snapshot: Some(Arc::new(snapshot)),
                        diagnostics: Arc::new(diagnostics),
                        first_edit,
                    }
                }
                Err(p) => {
                    let msg = crate::panics::message(p.as_ref());
                    tracing::error!(uri = self.uri.as_str(), version, "check panicked: {msg}");
                    // The parse cache may be half updated: start afresh.
                    *cache = RegionCache::default();
                    Checked {
                        version,
                        generation: ctx.generation,
                        snapshot: None,
                        diagnostics: Arc::new(vec![convert::internal_error(&msg)]),
                        text: None,
                        first_edit,
                    }
                }
            }
        } else {
            Checked {
                version,
                generation: ctx.generation,
                snapshot: None,
                diagnostics: Arc::new(Vec::new()),
                text: None,
                first_edit,
            }
        };
        tracing::debug!(analysis_us = t0.elapsed().as_micros() as u64, "check");
        let checked = Arc::new(checked);
        an.last = Some(checked.clone());
        checked
    }
}

/// From this size on, a newly opened document's regions are parsed on every core first.
const PARALLEL_OPEN_BYTES: usize = 32 * 1024;

/// Parses the regions of `text` in parallel, one part per thread, into `cache`. The parts are
/// cut at region boundaries, so their regions are the document's regions; facts depend only on
/// region text, so the check that follows gives what a sequential parse gives.
fn warm_in_parallel(text: &str, cache: &mut RegionCache) {
    use rayon::prelude::*;
    let regions = crate::analysis::regions::split(text);
    let parts = rayon::current_num_threads().clamp(1, 8);
    if parts < 2 || regions.len() < 2 * parts {
        return;
    }
    let mut cuts: Vec<usize> = (1..parts)
        .map(|i| regions[i * regions.len() / parts].start)
        .collect();
    cuts.insert(0, 0);
    cuts.push(text.len());
    let caches: Vec<RegionCache> = cuts
        .par_windows(2)
        .map(|w| {
            let mut c = RegionCache::default();
            crate::analysis::document::parse_facts(&text[w[0]..w[1]], &mut c);
            c
        })
        .collect();
    for c in caches {
        cache.merge(c);
    }
}

fn too_large(bytes: usize) -> Diagnostic {
    Diagnostic {
        range: Default::default(),
        severity: Some(tower_lsp_server::ls_types::DiagnosticSeverity::WARNING),
        source: Some(convert::SOURCE.into()),
        message: format!(
            "document is {} MB, over the 10 MB limit: not checked (split it)",
            bytes / (1024 * 1024)
        ),
        ..Default::default()
    }
}

/// A generous bound on the part of a document its index entry is read from (front matter,
/// title, metadata, first paragraph: the first few regions). Edits after it cannot change the
/// entry.
pub fn head_len(text: &str) -> usize {
    crate::analysis::regions::leading(text, 8)
        .last()
        .map_or(0, |r| r.end)
}

/// Every open document by URI. Guards are held only for a lookup; entries are shared as `Arc`s.
#[derive(Default)]
pub struct Store {
    map: DashMap<Uri, Arc<Entry>>,
}

impl Store {
    pub fn open(&self, uri: Uri, doc: Document) -> Arc<Entry> {
        let entry = Arc::new(Entry::new(uri.clone(), doc));
        if let Some(old) = self.map.insert(uri, entry.clone()) {
            old.close();
        }
        entry
    }

    pub fn get(&self, uri: &Uri) -> Option<Arc<Entry>> {
        self.map.get(uri).map(|e| e.value().clone())
    }

    pub fn close(&self, uri: &Uri) -> Option<Arc<Entry>> {
        let (_, e) = self.map.remove(uri)?;
        e.close();
        Some(e)
    }

    pub fn all(&self) -> Vec<Arc<Entry>> {
        self.map.iter().map(|e| e.value().clone()).collect()
    }
}
