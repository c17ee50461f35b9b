//! The fuzz harness: one function per target, each taking raw bytes and panicking when an
//! invariant breaks. The same file is compiled by the cargo-fuzz targets (`fuzz/fuzz_targets/`,
//! nightly) and included by the stable tests (`tests/fuzz_regressions.rs` replays committed
//! crash inputs, `tests/fuzz_props.rs` feeds it proptest-built inputs), so a regression input
//! means the same thing in both.
//!
//! Inputs are plain bytes with a short header, not `arbitrary` structures, so that seeds are
//! readable Markdown with a few bytes in front and the stable tests need no extra dependency.
//! Invalid UTF-8 is replaced (`from_utf8_lossy`): the core takes `&str`; the file reader's UTF-8
//! check is tested elsewhere.

use std::path::Path;
use std::sync::Arc;

use deployspec::analysis::model::SectionKind;
use deployspec::analysis::{analyze_text, Input};
use deployspec::cli::output::{self, FileReport};
use deployspec::cli::Format;
use deployspec::config::Config;
use deployspec::diagnostic::{Finding, Severity};
use deployspec::index::{self, SpecEntry, SpecIndex};
use deployspec::lsp::convert;
use deployspec::lsp::documents::{Context, Document, Entry};
use deployspec::position::{self, rope_offset, rope_position, Encoding, LineCol, LineIndex};
use deployspec::rules::Rule;
use deployspec::workspace::ConfigResolver;
use ropey::Rope;
use tower_lsp_server::ls_types::{Position, Range, TextDocumentContentChangeEvent, Uri};

/// Bytes in front of the text in the `analysis` target: configuration choices.
pub const ANALYSIS_HEADER: usize = 6;

const PATHS: [Option<&str>; 4] = [
    None,
    Some("/ws/docs/specs/deployment-procedure/deploy-001-fuzz.md"),
    Some("/ws/docs/specs/component/cmp-002-fuzz.md"),
    Some("/ws/README.md"),
];

const ENCODINGS: [Encoding; 3] = [Encoding::Utf16, Encoding::Utf8, Encoding::Char];

const FORMATS: [Format; 6] = [
    Format::Human,
    Format::Json,
    Format::Sarif,
    Format::Github,
    Format::Gitlab,
    Format::Junit,
];

/// Odd prefixes a configuration may hold (the config file accepts any string).
const PREFIX_SETS: [&[&str]; 4] = [&["ADR"], &["", "X-Y"], &["日本", "CMP"], &["DES", "RFC"]];

fn severity_choice(b: u8) -> Option<Option<Severity>> {
    match b % 8 {
        1 => Some(None),
        2 => Some(Some(Severity::Hint)),
        3 => Some(Some(Severity::Information)),
        4 => Some(Some(Severity::Warning)),
        5 => Some(Some(Severity::Error)),
        _ => None,
    }
}

fn sections(mask: u8) -> Vec<SectionKind> {
    SectionKind::ALL
        .into_iter()
        .enumerate()
        .filter(|(i, _)| mask & (1 << i) != 0)
        .map(|(_, k)| k)
        .collect()
}

fn entry(id: &str, path: &str) -> SpecEntry {
    SpecEntry {
        id: id.into(),
        path: path.into(),
        display: path.trim_start_matches("/ws/").into(),
        title: Some(format!("{id} title")),
        kind: Some("component".into()),
        owner: None,
        summary: None,
    }
}

/// What the `analysis` header chose. An all-zero header is the default configuration, an empty
/// index and no path.
pub struct Setup {
    pub path: Option<&'static str>,
    pub explicit: bool,
    pub encoding: Encoding,
    pub format: Option<Format>,
    pub config: Config,
    pub index: SpecIndex,
}

/// Splits an `analysis` input into its setup and text.
///
/// Header bytes: `h0` path (bits 0-1), explicit (2), authoritative index (3), the text's own
/// index entry (4), encoding (5-6), render the CLI output (7); `h1`/`h2` required/recommended
/// sections when bit 7 of each is set; `h3`, `h4` one rule override each (rule in bits 0-4,
/// severity in 5-7); `h5` output format (bits 0-2), prefixes (bit 3 on, set in 4-5), index
/// entries CMP-001 (6) and a duplicate DEPLOY-001 (7).
pub fn setup(data: &[u8]) -> (Setup, String) {
    let mut h = [0u8; ANALYSIS_HEADER];
    let n = data.len().min(ANALYSIS_HEADER);
    h[..n].copy_from_slice(&data[..n]);
    let text = String::from_utf8_lossy(&data[n..]).into_owned();

    let path = PATHS[(h[0] & 3) as usize];
    let mut config = Config::default();
    if h[1] & 0x80 != 0 {
        config.sections.required = sections(h[1]);
    }
    if h[2] & 0x80 != 0 {
        config.sections.recommended = sections(h[2]);
    }
    for b in [h[3], h[4]] {
        if let Some(s) = severity_choice(b >> 5) {
            config
                .rules
                .insert(Rule::ALL[(b & 31) as usize % Rule::ALL.len()], s);
        }
    }
    if h[5] & 8 != 0 {
        config.references.prefixes = PREFIX_SETS[((h[5] >> 4) & 3) as usize]
            .iter()
            .map(|p| p.to_string())
            .collect();
    }
    let mut entries = Vec::new();
    if h[5] & 0x40 != 0 {
        entries.push(entry(
            "CMP-001",
            "/ws/docs/specs/component/cmp-001-export.md",
        ));
    }
    if h[5] & 0x80 != 0 {
        entries.push(entry("DEPLOY-001", "/ws/docs/specs/other/deploy-001-a.md"));
    }
    if h[0] & 0x10 != 0 {
        let p = Path::new(path.unwrap_or("/ws/docs/specs/deployment-procedure/deploy-009-x.md"));
        if let Some(e) = index::entry_from_text(p, Some("deployment-procedure"), &text) {
            assert!(!e.id.is_empty(), "an index entry without an ID");
            entries.push(e);
        }
    }
    let mut index = SpecIndex::from_entries(entries);
    index.set_authoritative(h[0] & 8 != 0);
    let setup = Setup {
        path,
        explicit: h[0] & 4 != 0,
        encoding: ENCODINGS[((h[0] >> 5) & 3) as usize % 3],
        format: (h[0] & 0x80 != 0).then(|| FORMATS[(h[5] & 7) as usize % FORMATS.len()]),
        config,
        index,
    };
    (setup, text)
}

/// Every finding's range lies inside the text, on character boundaries, and findings are
/// sorted: the CLI and the server slice and convert these ranges.
pub fn assert_well_formed(text: &str, findings: &[Finding]) {
    for f in findings {
        let r = &f.range;
        assert!(
            r.start <= r.end && r.end <= text.len(),
            "{} range {r:?} outside a text of {} bytes",
            f.rule.code(),
            text.len()
        );
        assert!(
            text.is_char_boundary(r.start) && text.is_char_boundary(r.end),
            "{} range {r:?} splits a character",
            f.rule.code()
        );
        assert!(!f.message.is_empty(), "{} without a message", f.rule.code());
    }
    assert!(
        findings
            .windows(2)
            .all(|w| (w[0].range.start, w[0].range.end) <= (w[1].range.start, w[1].range.end)),
        "findings out of order"
    );
}

/// Target 1: the analysis of arbitrary text with an index and a configuration (the one-shot
/// analysis `check` runs), then the findings converted as the server and the CLI do. The
/// region-by-region analysis the server runs is compared with it by [`edits`], on open and
/// after every edit; doing it here too halved the executions per second.
pub fn analysis(data: &[u8]) {
    let (s, text) = setup(data);
    let input = Input {
        text: &text,
        path: s.path.map(Path::new),
        explicit: s.explicit,
        config: &s.config,
        index: &s.index,
    };
    let whole = analyze_text(&input);
    assert_well_formed(&text, &whole.findings);
    let diags = convert::diagnostics(&text, &whole.findings, s.encoding);
    assert_eq!(diags.len(), whole.findings.len());
    if let Some(format) = s.format {
        let files = [FileReport::new(
            s.path.unwrap_or("spec.md").into(),
            &text,
            &whole.findings,
        )];
        let out = output::render(format, &files);
        assert!(!out.is_empty() || whole.findings.is_empty());
    }
}

/// Char boundaries an editor can put a cursor on (not between `\r` and `\n`).
pub fn cursor_offsets(text: &str) -> Vec<usize> {
    let b = text.as_bytes();
    (0..=text.len())
        .filter(|&o| text.is_char_boundary(o))
        .filter(|&o| !(o > 0 && o < b.len() && b[o - 1] == b'\r' && b[o] == b'\n'))
        .collect()
}

/// One edit of the `edits` target, decoded from a segment.
#[derive(Debug)]
pub struct Edit {
    /// Index into the cursor offsets (modulo their count).
    pub at: usize,
    /// Characters (cursor offsets) deleted from `at` on.
    pub delete: usize,
    pub insert: String,
    /// Check after this edit (the end of a `didChange` batch).
    pub check: bool,
}

/// Splits an `edits` input: `[flags] document (0xFF [at_hi, at_lo, del] inserted text)*`.
/// 0xFF never occurs in UTF-8, so the document and the inserted texts stay readable. `flags`:
/// bit 0 UTF-8 positions (else UTF-16), bit 1 a path outside a spec folder, bit 2 a
/// configuration that turns DP020 into an error and DP041 off. `del`: bits 0-5 how many
/// characters are deleted, bit 6 check after this edit.
pub fn decode_edits(data: &[u8]) -> (u8, String, Vec<Edit>) {
    let (flags, rest) = data.split_first().map_or((0, data), |(f, r)| (*f, r));
    let mut parts = rest.split(|&b| b == 0xFF);
    let doc = String::from_utf8_lossy(parts.next().unwrap_or_default()).into_owned();
    let edits = parts
        .map(|seg| {
            let b = |i: usize| seg.get(i).copied().unwrap_or(0);
            Edit {
                at: ((b(0) as usize) << 8) | b(1) as usize,
                delete: (b(2) & 63) as usize,
                insert: String::from_utf8_lossy(seg.get(3..).unwrap_or_default()).into_owned(),
                check: b(2) & 64 != 0,
            }
        })
        .collect();
    (flags, doc, edits)
}

/// Target 2: edit sequences through the server's document store (a rope edited by LSP content
/// changes, checked through its `RegionCache`) against a fresh analysis of the same text: the
/// same text, model, findings and diagnostics, byte for byte.
pub fn edits(data: &[u8]) {
    let (flags, base, edits) = decode_edits(data);
    let enc = if flags & 1 != 0 {
        Encoding::Utf8
    } else {
        Encoding::Utf16
    };
    let (path, uri) = if flags & 2 != 0 {
        ("/ws/notes/runbook.md", "file:///ws/notes/runbook.md")
    } else {
        (
            "/ws/docs/specs/deployment-procedure/deploy-001-fuzz.md",
            "file:///ws/docs/specs/deployment-procedure/deploy-001-fuzz.md",
        )
    };
    let mut config = Config::default();
    if flags & 4 != 0 {
        config
            .rules
            .insert(Rule::StepWithoutTime, Some(Severity::Error));
        config.rules.insert(Rule::EmptySection, None);
    }
    let ctx = Context {
        configs: Arc::new(ConfigResolver::fixed(config.clone())),
        config: Arc::new(config),
        index: Arc::new(SpecIndex::from_entries([entry(
            "CMP-001",
            "/ws/docs/specs/component/cmp-001-export.md",
        )])),
        encoding: enc,
        generation: 1,
    };
    let uri: Uri = uri.parse().expect("a valid URI");
    let path = Path::new(path);
    let entry = Entry::new(
        uri,
        Document::new(&base, 1, "markdown", Some(path.to_path_buf())),
    );
    let compare = |text: &str, what: &str| {
        let got = entry.check(&ctx);
        let fresh = analyze_text(&Input {
            text,
            path: Some(path),
            explicit: false,
            config: &ctx.config,
            index: &ctx.index,
        });
        let a = got.analysis().expect("a Markdown document is analysed");
        assert_eq!(a.findings, fresh.findings, "findings {what}");
        assert_eq!(a.model, fresh.model, "model {what}");
        assert_eq!(
            *got.diagnostics,
            convert::diagnostics(text, &fresh.findings, enc),
            "diagnostics {what}"
        );
    };
    compare(&base, "on open");
    let mut reference = base;
    let mut changes = Vec::new();
    let mut version = 1;
    let count = edits.len();
    for (n, e) in edits.into_iter().enumerate() {
        let offs = cursor_offsets(&reference);
        let i = e.at % offs.len();
        let range = offs[i]..offs[(i + e.delete).min(offs.len() - 1)];
        let idx = LineIndex::new(&reference);
        let p = |o: usize| {
            let lc = idx.position(&reference, o, enc);
            Position::new(lc.line, lc.col)
        };
        changes.push(TextDocumentContentChangeEvent {
            range: Some(Range::new(p(range.start), p(range.end))),
            range_length: None,
            text: e.insert.clone(),
        });
        reference.replace_range(range, &e.insert);
        if e.check || n + 1 == count {
            version += 1;
            {
                let mut d = entry.doc();
                let out = d.apply_changes(&changes, enc);
                assert_eq!(out.clamped, 0, "a position of the edit was out of range");
                d.version = version;
                assert_eq!(d.rope.to_string(), reference, "text after edit {n}");
            }
            changes.clear();
            compare(&reference, &format!("after edit {n}"));
        }
    }
}

/// Target 3: position conversions round trip. Every cursor offset → position → offset in each
/// encoding, through `LineIndex` and the rope, and the one-sweep `positions` agree; positions
/// read from the input's first bytes clamp the same way in both.
pub fn positions(data: &[u8]) {
    let (probe, rest) = data.split_at(data.len().min(8));
    let text = String::from_utf8_lossy(rest);
    let text = text.as_ref();
    let idx = LineIndex::new(text);
    let rope = Rope::from_str(text);
    assert_eq!(idx.line_count(), rope.len_lines(), "line counts");
    // Offsets near anything but ASCII text (line ends, multi-byte characters) and every 16th:
    // checking all of them makes long lines quadratic, and ASCII runs hold no surprises.
    let b = text.as_bytes();
    let special = |o: usize| {
        b.get(o.saturating_sub(4)..(o + 4).min(b.len()))
            .is_some_and(|w| w.iter().any(|&c| c >= 0x80 || c == b'\r' || c == b'\n'))
    };
    let all: Vec<usize> = (0..=text.len() + 2)
        .filter(|&o| o % 16 == 0 || o >= text.len() || special(o))
        .collect();
    for enc in ENCODINGS {
        let swept = position::positions(text, &all, enc);
        for (i, &o) in all.iter().enumerate() {
            assert_eq!(
                swept[i],
                idx.position(text, o, enc),
                "positions() at {o} ({enc:?})"
            );
        }
        for o in cursor_offsets(text)
            .into_iter()
            .filter(|o| all.binary_search(o).is_ok())
        {
            let p = idx.position(text, o, enc);
            assert_eq!(idx.offset(text, p, enc), o, "offset of {p:?} ({enc:?})");
            assert_eq!(
                rope_position(&rope, o, enc),
                p,
                "rope position of {o} ({enc:?})"
            );
            assert_eq!(
                rope_offset(&rope, p, enc),
                (o, false),
                "rope offset of {p:?} ({enc:?})"
            );
            // The same place in another encoding.
            let other = ENCODINGS[(ENCODINGS.iter().position(|e| *e == enc).unwrap() + 1) % 3];
            let q = idx.position(text, o, other);
            assert_eq!(q.line, p.line);
            assert_eq!(idx.offset(text, q, other), o);
        }
        // Arbitrary (possibly out-of-range) positions: both clamp to the same character boundary.
        for pair in probe.chunks(2) {
            let pos = LineCol {
                line: u32::from(pair[0] & 0x3f),
                col: u32::from(*pair.get(1).unwrap_or(&0)),
            };
            let o = idx.offset(text, pos, enc);
            let (ro, clamped) = rope_offset(&rope, pos, enc);
            assert_eq!(o, ro, "clamped offset of {pos:?} ({enc:?})");
            assert!(text.is_char_boundary(o));
            let past_end = pos.line as usize >= idx.line_count() || {
                let content = &text[idx.line_content(text, pos.line as usize)];
                pos.col as usize > position::measure(content, enc)
            };
            assert_eq!(clamped, past_end, "clamping of {pos:?} ({enc:?})");
        }
    }
}

/// Target 4: `.deployspec.toml` and editor settings. A configuration either loads or gives an
/// error that points into the text; a loaded one then checks a small spec without trouble.
pub fn config(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let lines = text.split('\n').count();
    let loaded = match Config::from_toml(&text) {
        Ok(c) => Some(c),
        Err(e) => {
            assert!(!e.message.is_empty(), "an error without a message");
            assert!(
                e.line <= lines + 1,
                "error at line {} of {lines}: {e}",
                e.line
            );
            let _ = e.to_string();
            None
        }
    };
    let settings = serde_json::from_str::<serde_json::Value>(&text)
        .ok()
        .and_then(|v| Config::default().with_settings(&v).ok())
        .map(|(c, _unknown)| c);
    for c in loaded.iter().chain(settings.iter()) {
        let index = SpecIndex::from_entries([entry(
            "CMP-001",
            "/ws/docs/specs/component/cmp-001-export.md",
        )]);
        let a = analyze_text(&Input {
            text: SMALL_SPEC,
            path: Some(Path::new(
                "/ws/docs/specs/deployment-procedure/deploy-001-a.md",
            )),
            explicit: true,
            config: c,
            index: &index,
        });
        assert_well_formed(SMALL_SPEC, &a.findings);
    }
}

const SMALL_SPEC: &str = "---\nid: DEPLOY-001\nowner: ops\n---\n# Deploy\n\nSee [CMP-001], [CMP-404], [ADR-7], [RFC-12] and [X-Y-1].\n\n## Prerequisites\n\n- [ ] access\n\n## Procedure\n\n**Step 1: Stop** TODO\n- Time: ~5 minutes\n\n```sh\nsystemctl stop x\n```\n\n## Rollback\n\nRun Step 1 again.\n\n<!-- deployspec-disable-next-line DP020 DP999 -->\n## Monitoring\n";
