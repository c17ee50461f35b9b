//! Splitting a document into regions that tree-sitter-md parses independently.
//!
//! tree-sitter-md reparses every inline node on every reparse, so a whole-document reparse costs
//! ~100 ms on a 10,000-line spec. Parsing small regions separately, and only the regions an edit
//! touched, is what keeps a keystroke cheap. The split must never change what the parser sees:
//! a region boundary is placed only where a whole-document parse also starts a new top-level
//! block. This line scan finds boundaries only; all structure comes from the parser.
//!
//! A boundary is the start of a line, outside fences, HTML blocks and front matter, that is
//! - an ATX heading at column 0 (headings interrupt every open block except the ones skipped), or
//! - a non-blank line at column 0 after a blank line (nothing but a fence, an HTML block of
//!   types 1–5 or front matter can continue past a blank line into an unindented line), or
//! - a bullet list item at column 0 inside a long list, picked by a hash of the line's content so
//!   that a boundary does not move when text elsewhere changes.
//!
//! Lines that could be read as front matter (`---`, `+++`) never start a region, since a region
//! starting with them would be parsed as metadata.

use std::ops::Range;

/// Regions longer than this many lines get extra boundaries at list items when possible.
const LIST_SPLIT_MIN_LINES: usize = 24;

/// Byte ranges of the regions of `text`, contiguous and covering it entirely.
pub fn split(text: &str) -> Vec<Range<usize>> {
    let mut scan = Scanner::default();
    let mut cuts = vec![0];
    let mut offset = 0;
    let mut lines_in_region = 0;
    let mut prev_blank = true;
    let mut first = true;
    for line in text.split_inclusive('\n') {
        let content = line.trim_end_matches(['\n', '\r']);
        let blank = content.trim().is_empty();
        let was_inside = scan.inside();
        if !first && !was_inside && offset > *cuts.last().unwrap() {
            let col0 = !content.starts_with([' ', '\t']) && !blank;
            let cut = col0
                && !is_metadata_fence(content)
                && (is_atx_heading(content)
                    || prev_blank
                    || (lines_in_region >= LIST_SPLIT_MIN_LINES
                        && is_bullet_item(content)
                        && content_hash(content).is_multiple_of(4)));
            if cut {
                cuts.push(offset);
                lines_in_region = 0;
            }
        }
        scan.feed(content, first);
        first = false;
        prev_blank = blank;
        lines_in_region += 1;
        offset += line.len();
    }
    let mut regions = Vec::with_capacity(cuts.len());
    for (i, &start) in cuts.iter().enumerate() {
        let end = cuts.get(i + 1).copied().unwrap_or(text.len());
        regions.push(start..end);
    }
    if regions.is_empty() {
        regions.push(0..0);
    }
    regions
}

/// Tracks the multi-line constructs that a boundary must not fall into.
#[derive(Default)]
struct Scanner {
    fence: Option<(u8, usize)>,
    /// End marker of an open HTML block of type 1–5, or `None` for types 6–7 (end at a blank line).
    html: Option<Option<&'static str>>,
    front_matter: bool,
}

impl Scanner {
    fn inside(&self) -> bool {
        self.fence.is_some() || self.html.is_some() || self.front_matter
    }

    fn feed(&mut self, line: &str, first: bool) {
        if self.front_matter {
            if line.trim_end() == "---" || line.trim_end() == "..." {
                self.front_matter = false;
            }
            return;
        }
        if first && line.trim_end() == "---" {
            self.front_matter = true;
            return;
        }
        if let Some((ch, len)) = self.fence {
            let t = strip_indent(line);
            if let Some(t) = t {
                let run = t.bytes().take_while(|&b| b == ch).count();
                if run >= len && t[run..].trim().is_empty() {
                    self.fence = None;
                }
            }
            return;
        }
        if let Some(end) = self.html {
            match end {
                Some(marker) if line.contains(marker) => self.html = None,
                None if line.trim().is_empty() => self.html = None,
                _ => {}
            }
            return;
        }
        // A fence or HTML block may follow a list or quote marker; look past those too.
        let mut t = line;
        loop {
            let Some(s) = strip_indent(t) else { return };
            if let Some(rest) = s.strip_prefix('>') {
                t = rest.strip_prefix(' ').unwrap_or(rest);
                continue;
            }
            if let Some(rest) = strip_list_marker(s) {
                t = rest;
                continue;
            }
            t = s;
            break;
        }
        for ch in [b'`', b'~'] {
            let run = t.bytes().take_while(|&b| b == ch).count();
            if run >= 3 && !(ch == b'`' && t[run..].contains('`')) {
                self.fence = Some((ch, run));
                return;
            }
        }
        if let Some(end) = html_block_start(t) {
            // Types 1–5 may close on their opening line.
            match end {
                Some(marker) if t[1..].contains(marker) => {}
                _ => self.html = Some(end),
            }
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

/// For a line that opens an HTML block: `Some(Some(end marker))` for types 1–5,
/// `Some(None)` for types 6–7.
fn html_block_start(t: &str) -> Option<Option<&'static str>> {
    if !t.starts_with('<') {
        return None;
    }
    let lower = t.to_ascii_lowercase();
    for (open, close) in [
        ("<script", "</script>"),
        ("<pre", "</pre>"),
        ("<style", "</style>"),
        ("<textarea", "</textarea>"),
    ] {
        if lower.starts_with(open) {
            return Some(Some(close));
        }
    }
    if t.starts_with("<!--") {
        return Some(Some("-->"));
    }
    if t.starts_with("<?") {
        return Some(Some("?>"));
    }
    if t.starts_with("<![CDATA[") {
        return Some(Some("]]>"));
    }
    if t.starts_with("<!") {
        return Some(Some(">"));
    }
    // Types 6 and 7: any other tag. Treating every `<` line as one is conservative: it only
    // suppresses boundaries until the next blank line.
    Some(None)
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
