//! Load: many documents under rapid interleaved edits, memory after they close, and workspace
//! pulls that do not re-read unchanged files. The server's own text is read through the
//! test-only `deployspec/debug/text` request (`DEPLOYSPEC_TEST_DEBUG=1`).

mod lsp_support;

use lsp_support::{fixture_ws, uri, Init, TestServer};
use serde_json::{json, Value};

const DEBUG: (&str, &str) = ("DEPLOYSPEC_TEST_DEBUG", "1");

/// A small deterministic generator (no timing, no global state).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// The LSP position (line, UTF-16 column) of character `at` in `text`, counted here.
fn position(text: &str, at: usize) -> Value {
    let (mut line, mut col) = (0, 0);
    for c in text.chars().take(at) {
        if c == '\n' {
            line += 1;
            col = 0;
        } else {
            col += c.len_utf16();
        }
    }
    json!({"line": line, "character": col})
}

const SNIPPETS: &[&str] = &[
    "x",
    "é",
    "😀",
    "漢字",
    "e\u{301}",
    "\n",
    "[CMP-999] ",
    "**Step 9: Go**\n",
    "- Time: ~5 minutes\n",
    "```\n",
    "\n## Rollback\n",
];

/// Replaces `len` characters at `at` with `new` in the client's text; returns the change.
fn edit(text: &mut String, at: usize, len: usize, new: &str) -> Value {
    let change = json!({
        "range": {"start": position(text, at), "end": position(text, at + len)},
        "text": new,
    });
    let start = text.char_indices().nth(at).map_or(text.len(), |(i, _)| i);
    let end = text
        .char_indices()
        .nth(at + len)
        .map_or(text.len(), |(i, _)| i);
    text.replace_range(start..end, new);
    change
}

fn rss_kb(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .unwrap()
}

/// Opens `DOCS` documents, edits them all in rapid interleaved rounds, checks that the server's
/// text of each equals the client's, closes them and waits until the server holds none of them.
/// Returns the server's memory (VmRSS, kB) with the documents open and after closing them.
fn cycle(s: &mut TestServer, base: &str, seed: u64) -> (u64, u64) {
    const DOCS: usize = 500;
    const ROUNDS: usize = 6;
    let mut docs: Vec<(String, String, i32)> = (0..DOCS)
        .map(|i| {
            (
                format!("file:///load/deploy-{i:03}-doc.md"),
                base.to_string(),
                1,
            )
        })
        .collect();
    for (u, text, v) in &docs {
        s.open_text(u, text, *v);
    }
    let mut rng = Lcg(seed);
    for _ in 0..ROUNDS {
        // Every document edited once a round, in a shuffled order, some with several changes
        // in one notification, each against the text the previous one left.
        let mut order: Vec<usize> = (0..DOCS).collect();
        for i in (1..order.len()).rev() {
            order.swap(i, rng.below(i + 1));
        }
        for &d in &order {
            let (u, text, v) = &mut docs[d];
            let mut changes = Vec::new();
            for _ in 0..1 + rng.below(3) {
                let n = text.chars().count();
                let at = rng.below(n + 1);
                let len = if rng.below(3) == 0 {
                    rng.below(8).min(n - at)
                } else {
                    0
                };
                let new = SNIPPETS[rng.below(SNIPPETS.len())];
                changes.push(edit(text, at, len, new));
            }
            *v += 1;
            s.change(u, *v, Value::Array(changes));
        }
    }
    for (u, text, v) in &docs {
        assert_eq!(
            s.server_text(u),
            Some((*v as i64, text.clone())),
            "{u} differs"
        );
    }
    assert_eq!(s.stats()["openDocuments"], DOCS);
    let peak = rss_kb(s.pid());
    for (u, _, _) in &docs {
        s.notify("textDocument/didClose", json!({"textDocument": {"uri": u}}));
    }
    let stats = s.stats();
    assert_eq!(stats["openDocuments"], 0, "{stats}");
    // Tasks still running for a closed document (a check, clearing its index overlay) hold it
    // until they end; then nothing may. A bounded wait for that state; no timing is asserted.
    let deadline = std::time::Instant::now() + lsp_support::TIMEOUT;
    while s.stats()["liveDocuments"] != 0 {
        assert!(
            std::time::Instant::now() < deadline,
            "closed documents still held: {}",
            s.stats()
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    (peak, rss_kb(s.pid()))
}

#[test]
fn five_hundred_documents_under_interleaved_edits_end_equal_to_the_client() {
    let mut s = TestServer::start(Init {
        pull: true,
        root: Some(fixture_ws()),
        env: vec![DEBUG],
        ..Init::default()
    });
    let base = std::fs::read_to_string(
        fixture_ws().join("docs/specs/deployment-procedure/deploy-003-unicode.md"),
    )
    .unwrap();
    // Baseline once the session is up and the index built.
    let _ = s.request("workspace/diagnostic", json!({"previousResultIds": []}));
    let baseline = rss_kb(s.pid());
    let (peak1, after1) = cycle(&mut s, &base, 7);
    let (peak2, after2) = cycle(&mut s, &base, 8);
    eprintln!(
        "memory (VmRSS, kB): baseline {baseline}; 500 documents open {peak1}, closed {after1}; \
         again open {peak2}, closed {after2}"
    );
    // Closed documents are dropped (above: none is held). glibc keeps freed memory for reuse
    // rather than returning it to the system, so RSS after closing stays near the peak; what
    // shows that nothing leaks is that a second, identical load mostly reuses it. Measured: the
    // second load adds 5–32% of the first one's growth (fragmentation across threads varies);
    // documents kept after closing would add 100%.
    assert!(
        peak2 <= peak1 + (peak1 - baseline) / 2,
        "the second load grew memory: baseline {baseline}, first {peak1}, second {peak2} kB"
    );
    assert!(s.shutdown().success());
}

#[test]
fn a_workspace_pull_reads_only_what_changed() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let specs = root.join("docs/specs/component");
    std::fs::create_dir_all(&specs).unwrap();
    std::fs::write(
        root.join(".deployspec.toml"),
        "spec_root = \"docs/specs\"\n",
    )
    .unwrap();
    for i in 1..=5 {
        std::fs::write(
            specs.join(format!("cmp-00{i}-c.md")),
            format!("# C{i}\n\nSee [CMP-00{}].\n", i + 1),
        )
        .unwrap();
    }
    let mut s = TestServer::start(Init {
        pull: true,
        root: Some(root.to_path_buf()),
        env: vec![DEBUG],
        ..Init::default()
    });
    let pull = |s: &mut TestServer, prev: &[Value]| {
        let r = s.request("workspace/diagnostic", json!({"previousResultIds": prev}));
        let items = r["result"]["items"].as_array().unwrap().clone();
        let ids: Vec<Value> = items
            .iter()
            .filter(|i| i["uri"].as_str().unwrap().ends_with(".md"))
            .map(|i| json!({"uri": i["uri"], "value": i["resultId"]}))
            .collect();
        (items, ids)
    };
    let (first, ids) = pull(&mut s, &[]);
    assert_eq!(ids.len(), 5);
    assert_eq!(s.stats()["diskReads"], 5);
    // Nothing changed: every item unchanged, no file read again.
    let (second, ids) = pull(&mut s, &ids);
    assert!(
        second
            .iter()
            .filter(|i| i["uri"].as_str().unwrap().ends_with(".md"))
            .all(|i| i["kind"] == "unchanged"),
        "{second:?}"
    );
    assert_eq!(s.stats()["diskReads"], 5);
    assert_ne!(first, second);
    // A file changes on disk (no event): its new size and time are seen, it alone is read.
    let five = specs.join("cmp-005-c.md");
    std::fs::write(&five, "# C5\n\nSee [CMP-404] now.\n").unwrap();
    let (third, ids) = pull(&mut s, &ids);
    assert_eq!(s.stats()["diskReads"], 6);
    let item = third.iter().find(|i| i["uri"] == uri(&five)).unwrap();
    assert_eq!(item["kind"], "full", "{item}");
    assert!(
        item["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["message"].as_str().unwrap().contains("CMP-404")),
        "{item}"
    );
    // A watched-file event drops the remembered result even when size and time are the same.
    s.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": uri(&specs.join("cmp-001-c.md")), "type": 2}]}),
    );
    let _ = pull(&mut s, &ids);
    assert_eq!(s.stats()["diskReads"], 7);
    assert!(s.shutdown().success());
}

#[test]
fn the_servers_own_reads_are_not_taken_for_file_changes() {
    // A client that cannot watch files: the server's own watcher runs. Reading the specs
    // (indexing, the first pull) must not come back as change events that make it read them
    // again: repeated pulls read nothing.
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let specs = root.join("docs/specs/component");
    std::fs::create_dir_all(&specs).unwrap();
    std::fs::write(
        root.join(".deployspec.toml"),
        "spec_root = \"docs/specs\"\n",
    )
    .unwrap();
    for i in 1..=20 {
        std::fs::write(specs.join(format!("cmp-{i:03}-c.md")), format!("# C{i}\n")).unwrap();
    }
    let mut s = TestServer::start(Init {
        pull: true,
        watch: false,
        root: Some(root.to_path_buf()),
        env: vec![DEBUG],
        ..Init::default()
    });
    let mut prev: Vec<Value> = Vec::new();
    for _ in 0..10 {
        let r = s.request("workspace/diagnostic", json!({"previousResultIds": prev}));
        prev = r["result"]["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| json!({"uri": i["uri"], "value": i["resultId"]}))
            .collect();
    }
    assert_eq!(s.stats()["diskReads"], 20);
    assert!(s.log_shows("watching files (the client does not)"));
    assert!(
        !s.stderr().contains("index updated from disk"),
        "{}",
        s.stderr()
    );
    assert!(s.shutdown().success());
}
