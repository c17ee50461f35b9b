//! Splitting a document into regions that tree-sitter-md parses independently.
//!
//! tree-sitter-md reparses every inline node on every reparse, so a whole-document reparse costs
//! ~100 ms on a 10,000-line spec. Parsing small regions separately, and only the regions an edit
//! touched, is what keeps a keystroke cheap. The split must never change what the parser sees:
//! a region boundary is placed only where a whole-document parse also starts a new top-level
//! block. This line scan finds boundaries only; all structure comes from the parser.
//!
//! A boundary is the start of a line that is outside fences, HTML blocks and front matter in
//! every reading of the text so far (see [`Scanner`]) and that is
//! - an ATX heading at column 0 (headings interrupt every open block except the ones skipped), or
//! - a non-blank line at column 0 after a blank line (nothing but a fence, an HTML block of
//!   types 1–5 or front matter can continue past a blank line into an unindented line), or
//! - a bullet list item at column 0 inside a long list, picked by a hash of the line's content so
//!   that a boundary does not move when text elsewhere changes.
//!
//! Lines that could be read as front matter (`---`, `+++`) never start a region, since a region
//! starting with them would be parsed as metadata. Lines end at `\n`, `\r\n` or a lone `\r`, as
//! in the parser; a blank line holds nothing but spaces and tabs.
//!
//! `tests/regions_differential.rs` checks the split against whole-document parses.

use std::ops::Range;

/// Regions longer than this many lines get extra boundaries at list items when possible.
const LIST_SPLIT_MIN_LINES: usize = 24;

/// Byte ranges of the regions of `text`, contiguous and covering it entirely.
pub fn split(text: &str) -> Vec<Range<usize>> {
    to_ranges(&cuts(text), text.len())
}

/// The first `n` regions of `text` (fewer if it has fewer), scanning no further than their end.
pub fn leading(text: &str, n: usize) -> Vec<Range<usize>> {
    let mut found = 1;
    let (cuts, stopped) = scan(text, 0, true, |_, _| {
        found += 1;
        found > n
    });
    match cuts.split_last() {
        // Stopped at the start of region n + 1, which is where region n ends.
        Some((&end, starts)) if stopped => to_ranges(starts, end),
        _ => to_ranges(&cuts, text.len()),
    }
}

/// Region start offsets of `text` (always beginning with 0).
pub fn cuts(text: &str) -> Vec<usize> {
    scan(text, 0, true, |_, _| false).0
}

/// Region start offsets of `new`, given those of `old` (`old_cuts == cuts(old)`): only the part
/// an edit touched is scanned again. The scan restarts at a boundary before the first changed
/// byte, where the scanner is outside every construct, and stops at the first boundary inside
/// the unchanged tail that `old` also had with the same line before it; from there on the old
/// boundaries hold, shifted. The result always equals `cuts(new)`.
pub fn cuts_after_edit(old: &str, old_cuts: &[usize], new: &str) -> Vec<usize> {
    let Change { prefix, suffix } = Change::between(old, new);
    if prefix == old.len() && prefix == new.len() {
        return old_cuts.to_vec();
    }
    // Two boundaries back: the whole first line of the restart region is then unchanged, and so
    // is the decision to cut there.
    let k = old_cuts.partition_point(|&c| c < prefix);
    let restart = k.saturating_sub(2);
    let from = old_cuts.get(restart).copied().unwrap_or(0);
    let tail = new.len() - suffix;
    let shift = |c: usize| c + new.len() - old.len();
    let mut resumed_at = None;
    let (mut cuts, synced) = scan(new, from, blank_before(new, from), |cut, prev_blank| {
        if cut < tail {
            return false;
        }
        let Some(old_cut) = (cut + old.len()).checked_sub(new.len()) else {
            return false;
        };
        match old_cuts.binary_search(&old_cut) {
            Ok(i) if blank_before(old, old_cut) == prev_blank => {
                resumed_at = Some(i);
                true
            }
            _ => false,
        }
    });
    let mut out = old_cuts[..restart].to_vec();
    out.append(&mut cuts);
    if let (true, Some(i)) = (synced, resumed_at) {
        out.extend(old_cuts[i + 1..].iter().map(|&c| shift(c)));
    }
    out
}

/// How two texts differ: the length of their common prefix and of their common suffix (which
/// never overlap).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Change {
    pub prefix: usize,
    pub suffix: usize,
}

impl Change {
    pub fn between(old: &str, new: &str) -> Change {
        let prefix = common_prefix(old.as_bytes(), new.as_bytes());
        let max_suffix = old.len().min(new.len()) - prefix;
        let suffix = common_suffix(old.as_bytes(), new.as_bytes(), max_suffix);
        Change { prefix, suffix }
    }
}

/// Regions from their start offsets.
pub fn to_ranges(cuts: &[usize], len: usize) -> Vec<Range<usize>> {
    let mut regions = Vec::with_capacity(cuts.len());
    for (i, &start) in cuts.iter().enumerate() {
        let end = cuts.get(i + 1).copied().unwrap_or(len);
        regions.push(start..end);
    }
    if regions.is_empty() {
        regions.push(0..0);
    }
    regions
}

fn common_prefix(a: &[u8], b: &[u8]) -> usize {
    let n = a.len().min(b.len());
    // Compare in blocks first: slices compare with memcmp.
    let mut i = 0;
    while i + 64 <= n && a[i..i + 64] == b[i..i + 64] {
        i += 64;
    }
    while i < n && a[i] == b[i] {
        i += 1;
    }
    i
}

fn common_suffix(a: &[u8], b: &[u8], max: usize) -> usize {
    let (la, lb) = (a.len(), b.len());
    let mut i = 0;
    while i + 64 <= max && a[la - i - 64..la - i] == b[lb - i - 64..lb - i] {
        i += 64;
    }
    while i < max && a[la - i - 1] == b[lb - i - 1] {
        i += 1;
    }
    i
}

/// Whether the line before offset `pos` (a line start) is blank; true at the start of the text.
fn blank_before(text: &str, pos: usize) -> bool {
    let before = &text.as_bytes()[..pos];
    let mut end = before.len();
    if before[..end].ends_with(b"\r\n") {
        end -= 2;
    } else if before[..end].ends_with(b"\n") || before[..end].ends_with(b"\r") {
        end -= 1;
    } else if end == 0 {
        return true;
    }
    let start = before[..end]
        .iter()
        .rposition(|&b| b == b'\n' || b == b'\r')
        .map_or(0, |i| i + 1);
    is_blank(&text[start..end])
}

/// Scans `text` from `from` (0, or a region boundary with `prev_blank` for the line before it)
/// and returns the boundaries from `from` on. `stop` is asked at each new boundary (with whether
/// the line before it is blank); when it says so, the scan ends there and the second value is
/// true.
fn scan(
    text: &str,
    from: usize,
    prev_blank: bool,
    mut stop: impl FnMut(usize, bool) -> bool,
) -> (Vec<usize>, bool) {
    let mut scan = Scanner::new();
    let mut cuts = vec![from];
    let mut offset = from;
    let mut lines_in_region = 0;
    let mut prev_blank = prev_blank;
    let mut first = from == 0;
    for (content, len) in lines(&text[from..]) {
        let blank = is_blank(content);
        if first {
            scan.start(content);
        } else if scan.front_matter.is_some() {
            scan.front_matter_line(content);
        } else {
            scan.container_line(content);
            if !scan.inside() && offset > *cuts.last().unwrap() {
                let col0 = !content.starts_with([' ', '\t']) && !blank;
                let cut = col0
                    && !is_metadata_fence(content)
                    // The parser skips a byte order mark at the start of its input only.
                    && !content.starts_with('\u{feff}')
                    && ((is_atx_heading(content)
                        // tree-sitter-md reads an empty heading (`#`) on a last line without a
                        // line break as paragraph text.
                        && (len > content.len() || !is_blank(content.trim_start_matches('#'))))
                        || prev_blank
                        || (lines_in_region >= LIST_SPLIT_MIN_LINES
                            && is_bullet_item(content)
                            && content_hash(content).is_multiple_of(4)));
                if cut {
                    cuts.push(offset);
                    lines_in_region = 0;
                    if stop(offset, prev_blank) {
                        return (cuts, true);
                    }
                }
            }
            scan.feed(content, blank);
        }
        first = false;
        prev_blank = blank;
        lines_in_region += 1;
        offset += len;
    }
    (cuts, false)
}

/// The lines of `text` without their terminators, with their full lengths. A line ends at `\n`,
/// `\r\n` or a lone `\r`, as in tree-sitter-md (and the language server protocol).
pub(crate) fn lines(text: &str) -> impl Iterator<Item = (&str, usize)> {
    let bytes = text.as_bytes();
    let mut pos = 0;
    std::iter::from_fn(move || {
        if pos >= bytes.len() {
            return None;
        }
        let start = pos;
        let end = memchr::memchr2(b'\n', b'\r', &bytes[start..]).map_or(bytes.len(), |i| start + i);
        pos = match bytes.get(end) {
            Some(b'\r') if bytes.get(end + 1) == Some(&b'\n') => end + 2,
            Some(_) => end + 1,
            None => end,
        };
        Some((&text[start..end], pos - start))
    })
}

/// Blank in the Markdown sense: spaces and tabs only. (Not `str::trim`, which also drops
/// no-break spaces, form feeds and other Unicode white space that Markdown treats as text.)
fn is_blank(line: &str) -> bool {
    line.bytes().all(|b| b == b' ' || b == b'\t')
}

/// A multi-line construct that a boundary must not fall into.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Open {
    Fence {
        ch: u8,
        len: usize,
    },
    /// An HTML block of type 1 (`<pre`, `<script`, `<style`). tree-sitter-md closes it at the end
    /// tag of any of the three, not only its own.
    HtmlRaw,
    /// An HTML block of type 2, 3 or 5, closed by a line containing the marker.
    HtmlUntil(&'static str),
    /// An HTML block of type 4 (`<!DOCTYPE`). tree-sitter-md closes it only at a line that starts
    /// with `>`, not at a `>` later in a line as CommonMark does.
    HtmlDeclaration,
    /// An HTML block of type 6 or 7, closed by a blank line.
    HtmlUntilBlank,
}

/// One reading of the text so far: the construct open at the end of the previous line, and
/// whether it sits inside a list item or block quote (then an unindented line ends it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct State {
    open: Option<Open>,
    nested: bool,
}

const OUTSIDE: State = State {
    open: None,
    nested: false,
};

/// Tracks the multi-line constructs that a boundary must not fall into.
///
/// A line scan cannot always tell what a line is: `<span>` may open an HTML block or continue a
/// paragraph; an indented fence may belong to a list item that the next unindented line closes.
/// Rather than guess, the scanner follows every reading at once (a small set of [`State`]s) and
/// allows a boundary only where every reading is outside all constructs. Guessing the "more
/// open" reading is not enough: a reading that wrongly stays inside an HTML block skips the
/// opener of a real `<pre>` block, then leaves its own block in the middle of that one.
struct Scanner {
    states: Vec<State>,
    scratch: Vec<State>,
    /// Successors of one state; kept to avoid an allocation per line.
    out: Vec<State>,
    /// The metadata delimiter (`-` or `+`) while inside front matter.
    front_matter: Option<u8>,
}

impl Scanner {
    fn new() -> Scanner {
        Scanner {
            states: vec![OUTSIDE],
            scratch: Vec::new(),
            out: Vec::with_capacity(4),
            front_matter: None,
        }
    }

    fn inside(&self) -> bool {
        self.front_matter.is_some() || self.states.iter().any(|s| s.open.is_some())
    }

    /// The first line: front matter opens as in tree-sitter-md (`---` or `+++` after up to three
    /// spaces, then only spaces or tabs). If it never closes, the parser reads no front matter
    /// but the scanner stays inside: no boundaries, which is always safe.
    fn start(&mut self, line: &str) {
        if let Some(t) = strip_indent(line) {
            for ch in [b'-', b'+'] {
                if is_metadata_delimiter(t, ch) {
                    self.front_matter = Some(ch);
                    return;
                }
            }
        }
        self.feed(line, is_blank(line));
    }

    /// Front matter closes at the same three characters at column 0, then spaces or tabs only
    /// (not at `...`).
    fn front_matter_line(&mut self, line: &str) {
        if self
            .front_matter
            .is_some_and(|ch| is_metadata_delimiter(line, ch))
        {
            self.front_matter = None;
        }
    }

    /// An unindented line ends every construct inside a list item (nothing there continues
    /// lazily but a paragraph), and one that does not start with `>` every construct inside a
    /// block quote. A `>` line may or may not continue the container: both readings go on.
    fn container_line(&mut self, line: &str) {
        if !self.states.iter().any(|s| s.nested && s.open.is_some()) {
            return;
        }
        if is_blank(line) {
            // A blank line ends a block quote (and what is open inside it) but not a list item;
            // the scan does not know which container it is in: both readings go on.
            self.step(|s, out| {
                out.push(s);
                if s.nested && s.open.is_some() {
                    out.push(OUTSIDE);
                }
            });
            return;
        }
        if line.starts_with([' ', '\t']) {
            return;
        }
        let quote = line.starts_with('>');
        self.step(|s, out| {
            if s.nested && s.open.is_some() {
                if quote {
                    out.push(s);
                }
                out.push(OUTSIDE);
            } else {
                out.push(s);
            }
        });
    }

    fn feed(&mut self, line: &str, blank: bool) {
        self.step(|s, out| match s.open {
            Some(Open::Fence { ch, len }) => {
                let closes = strip_indent(line).is_some_and(|t| {
                    let run = t.bytes().take_while(|&b| b == ch).count();
                    run >= len && is_blank(&t[run..])
                });
                out.push(if closes { OUTSIDE } else { s });
            }
            Some(Open::HtmlRaw) => match raw_html_end(line) {
                Some(true) => out.push(OUTSIDE),
                Some(false) => {
                    out.push(OUTSIDE);
                    out.push(s);
                }
                None => out.push(s),
            },
            Some(Open::HtmlUntil(marker)) => {
                out.push(if line.contains(marker) { OUTSIDE } else { s });
            }
            Some(Open::HtmlDeclaration) => {
                out.push(if line.starts_with('>') { OUTSIDE } else { s });
            }
            Some(Open::HtmlUntilBlank) => out.push(if blank { OUTSIDE } else { s }),
            None => openers(line, out),
        });
    }

    /// Replaces every state by its successors, without duplicates.
    fn step(&mut self, mut f: impl FnMut(State, &mut Vec<State>)) {
        let mut next = std::mem::take(&mut self.scratch);
        next.clear();
        let mut out = std::mem::take(&mut self.out);
        for &s in &self.states {
            out.clear();
            f(s, &mut out);
            for &n in &out {
                if !next.contains(&n) {
                    next.push(n);
                }
            }
        }
        self.out = out;
        self.scratch = std::mem::replace(&mut self.states, next);
    }
}

/// The readings after a line read outside every construct: what the line may open.
fn openers(line: &str, out: &mut Vec<State>) {
    // A fence or HTML block may follow list or quote markers; look past those too.
    let indented = line.starts_with([' ', '\t']);
    let mut containers = 0;
    let mut t = line;
    loop {
        let Some(s) = strip_indent(t) else {
            out.push(OUTSIDE);
            return;
        };
        if let Some(rest) = s.strip_prefix('>') {
            t = rest.strip_prefix(' ').unwrap_or(rest);
            containers += 1;
            continue;
        }
        if let Some(rest) = strip_list_marker(s) {
            t = rest;
            containers += 1;
            continue;
        }
        t = s;
        break;
    }
    // After a marker the construct is inside a container. Indented without a marker, it may be
    // inside a list item opened earlier or at the top level: both.
    let nesting: &[bool] = match (containers > 0, indented) {
        (true, _) => &[true],
        (false, true) => &[false, true],
        (false, false) => &[false],
    };
    let open = |o: Open, out: &mut Vec<State>| {
        for &nested in nesting {
            out.push(State {
                open: Some(o),
                nested,
            });
        }
    };
    for ch in [b'`', b'~'] {
        let run = t.bytes().take_while(|&b| b == ch).count();
        if run >= 3 && !(ch == b'`' && t[run..].contains('`')) {
            open(Open::Fence { ch, len: run }, out);
            return;
        }
    }
    match html_block_start(t) {
        HtmlStart::No => out.push(OUTSIDE),
        HtmlStart::Raw(opener_len) => match raw_html_end(&t[opener_len..]) {
            Some(true) => out.push(OUTSIDE),
            end => {
                open(Open::HtmlRaw, out);
                if end.is_some() {
                    out.push(OUTSIDE);
                }
            }
        },
        HtmlStart::Until(marker, opener_len) => {
            if t[opener_len..].contains(marker) {
                out.push(OUTSIDE);
            } else {
                open(Open::HtmlUntil(marker), out);
                // A marker overlapping the opener (`<?>`) may or may not close it: both.
                if t.contains(marker) {
                    out.push(OUTSIDE);
                }
            }
        }
        HtmlStart::Declaration => open(Open::HtmlDeclaration, out),
        HtmlStart::Maybe => {
            // Any other tag: an HTML block of type 6 or 7, or text (a type 7 tag cannot
            // interrupt a paragraph, and a line scan does not know whether one is open). Both.
            open(Open::HtmlUntilBlank, out);
            out.push(OUTSIDE);
        }
    }
}

/// `line` without up to three spaces of indentation, or `None` if it is indented more.
fn strip_indent(line: &str) -> Option<&str> {
    let n = line.bytes().take_while(|&b| b == b' ').count();
    if n > 3 || line[n..].starts_with('\t') {
        return None;
    }
    Some(&line[n..])
}

fn strip_list_marker(s: &str) -> Option<&str> {
    let b = s.as_bytes();
    let marker_len = if matches!(b.first(), Some(b'-' | b'*' | b'+')) {
        1
    } else {
        let digits = b.iter().take_while(|c| c.is_ascii_digit()).count();
        if digits == 0 || digits > 9 || !matches!(b.get(digits), Some(b'.' | b')')) {
            return None;
        }
        digits + 1
    };
    match b.get(marker_len) {
        Some(b' ' | b'\t') => Some(s[marker_len..].trim_start_matches([' ', '\t'])),
        _ => None,
    }
}

enum HtmlStart {
    No,
    /// Type 1, with the length of the opener.
    Raw(usize),
    /// Types 2, 3 and 5: the end marker and the length of the opener.
    Until(&'static str, usize),
    /// Type 4.
    Declaration,
    /// Possibly type 6 or 7.
    Maybe,
}

/// What an HTML block opener at the start of `t` would be.
fn html_block_start(t: &str) -> HtmlStart {
    let b = t.as_bytes();
    if b.first() != Some(&b'<') {
        return HtmlStart::No;
    }
    // tree-sitter-md's type 1 has no `<textarea` (a type 6/7 block for it, ending at a blank line).
    for open in ["<script", "<pre", "<style"] {
        if b.len() >= open.len()
            && b[..open.len()].eq_ignore_ascii_case(open.as_bytes())
            && matches!(b.get(open.len()), None | Some(b' ' | b'\t' | b'>'))
        {
            return HtmlStart::Raw(open.len());
        }
    }
    if t.starts_with("<!--") {
        // The parser ends the opener after `<!`, so `<!-->` and `<!--->` close at once.
        return HtmlStart::Until("-->", 2);
    }
    if t.starts_with("<?") {
        return HtmlStart::Until("?>", 2);
    }
    if t.starts_with("<![CDATA[") {
        return HtmlStart::Until("]]>", 9);
    }
    // Upper case only in tree-sitter-md; `<!doctype` is read as type 7.
    if t.starts_with("<!") && b.get(2).is_some_and(u8::is_ascii_uppercase) {
        return HtmlStart::Declaration;
    }
    // Anything else, `<!` without a letter too: both readings.
    HtmlStart::Maybe
}

/// Whether `line` ends a type 1 HTML block: `Some(true)` if it holds `</pre`, `</script` or
/// `</style` (any case) followed by `>`, a space or a tab, `Some(false)` if followed by something
/// else that may end the tag name for the parser, `None` if there is none.
fn raw_html_end(line: &str) -> Option<bool> {
    let lower = line.to_ascii_lowercase();
    let mut found = None;
    for name in ["</pre", "</script", "</style"] {
        for (i, _) in lower.match_indices(name) {
            match lower.as_bytes().get(i + name.len()) {
                None | Some(b'>' | b' ' | b'\t') => return Some(true),
                Some(c) if c.is_ascii_alphabetic() => {}
                Some(_) => found = Some(false),
            }
        }
    }
    found
}

/// `---` or `+++` (by `ch`), then spaces or tabs only.
fn is_metadata_delimiter(line: &str, ch: u8) -> bool {
    let b = line.as_bytes();
    b.len() >= 3 && b[..3].iter().all(|&c| c == ch) && is_blank(&line[3..])
}

fn is_atx_heading(line: &str) -> bool {
    let hashes = line.bytes().take_while(|&b| b == b'#').count();
    (1..=6).contains(&hashes) && matches!(line.as_bytes().get(hashes), None | Some(b' ' | b'\t'))
}

fn is_metadata_fence(line: &str) -> bool {
    let t = line.trim_end();
    t.starts_with("---") || t.starts_with("+++") || t.starts_with("===")
}

fn is_bullet_item(line: &str) -> bool {
    let b = line.as_bytes();
    matches!(b.first(), Some(b'-' | b'*' | b'+'))
        && b.get(1) == Some(&b' ')
        && b.get(2)
            .is_some_and(|c| !matches!(c, b' ' | b'\t' | b'-' | b'*' | b'_' | b'+'))
}

fn content_hash(line: &str) -> u32 {
    // FNV-1a: stable across runs and platforms, which keeps boundaries reproducible.
    let mut h: u32 = 0x811c_9dc5;
    for b in line.bytes() {
        h = (h ^ b as u32).wrapping_mul(0x0100_0193);
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(text: &str) -> Vec<&str> {
        split(text).into_iter().map(|r| &text[r]).collect()
    }

    #[test]
    fn leading_regions_are_the_first_regions() {
        let text = "# T\n\npara\n\n## H\n- a\n\n## I\n";
        let all = split(text);
        for n in 1..=5 {
            assert_eq!(leading(text, n), all[..n.min(all.len())], "n = {n}");
        }
    }

    #[test]
    fn regions_cover_the_text() {
        let text = "# T\n\npara\n\n## H\n- a\n";
        let r = split(text);
        assert_eq!(r.first().unwrap().start, 0);
        assert_eq!(r.last().unwrap().end, text.len());
        assert!(r.windows(2).all(|w| w[0].end == w[1].start));
        assert_eq!(texts(text), ["# T\n\n", "para\n\n", "## H\n- a\n"]);
    }

    #[test]
    fn no_boundary_inside_fences_html_or_front_matter() {
        let text = "---\nid: X\n\ntitle: y\n---\n# T\n\n```\n# not a heading\n\ncode\n```\n\n<!--\n\n# x\n-->\n\nend\n";
        let t = texts(text);
        assert!(t
            .iter()
            .any(|r| r.starts_with("---\nid: X\n\ntitle: y\n---\n")));
        assert!(t.iter().all(|r| !r.starts_with("# not")));
        assert!(t.iter().all(|r| !r.starts_with("code")));
        assert!(t.iter().all(|r| !r.starts_with("# x")));
        assert_eq!(t.last().unwrap(), &"end\n");
    }

    #[test]
    fn thematic_breaks_never_start_a_region() {
        let t = texts("# T\n\ntext\n\n---\nmore\n");
        assert!(t.iter().all(|r| !r.starts_with("---")));
    }

    #[test]
    fn long_lists_are_split_at_stable_items() {
        let mut text = String::from("# T\n");
        for i in 0..400 {
            text.push_str(&format!("- [ ] item number {i}\n"));
        }
        let before = split(&text);
        assert!(before.len() > 10, "{} regions", before.len());
        // Inserting a line near the top moves later boundaries by its length and nothing else.
        let edited = text.replacen("- [ ] item number 3\n", "- [ ] item number 3\n  more\n", 1);
        let after = split(&edited);
        let tail_before: Vec<_> = before.iter().skip(3).map(|r| &text[r.clone()]).collect();
        let tail_after: Vec<_> = after.iter().skip(3).map(|r| &edited[r.clone()]).collect();
        assert_eq!(tail_before, tail_after);
    }
}
