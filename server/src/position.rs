//! Every conversion between byte offsets and line/column positions lives here.
//!
//! The analysis core speaks byte offsets into UTF-8 text. Editors speak line/column pairs whose
//! column unit is negotiated (UTF-16 code units or UTF-8 bytes); the CLI prints columns in
//! characters. Line breaks are only `\n`, `\r\n` and `\r`, as in LSP (not U+2028 and friends).

use ropey::Rope;

/// The unit a column is counted in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    /// UTF-8 bytes (LSP `utf-8`).
    Utf8,
    /// UTF-16 code units (LSP `utf-16`, the protocol default).
    Utf16,
    /// Unicode scalar values (the CLI's 1-based columns).
    Char,
}

/// A zero-based line and a zero-based column in some [`Encoding`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct LineCol {
    pub line: u32,
    pub col: u32,
}

/// Line starts of a text, for offset ↔ position conversion without a rope.
#[derive(Clone, Debug)]
pub struct LineIndex {
    /// Byte offset at which each line starts; always begins with 0.
    starts: Vec<usize>,
    len: usize,
}

impl LineIndex {
    pub fn new(text: &str) -> Self {
        let bytes = text.as_bytes();
        let mut starts = vec![0];
        let mut i = 0;
        while i < bytes.len() {
            match bytes[i] {
                b'\n' => starts.push(i + 1),
                b'\r' => {
                    if bytes.get(i + 1) == Some(&b'\n') {
                        i += 1;
                    }
                    starts.push(i + 1);
                }
                _ => {}
            }
            i += 1;
        }
        LineIndex {
            starts,
            len: text.len(),
        }
    }

    pub fn line_count(&self) -> usize {
        self.starts.len()
    }

    /// Byte offset where `line` starts (clamped to the end of the text).
    pub fn line_start(&self, line: usize) -> usize {
        self.starts.get(line).copied().unwrap_or(self.len)
    }

    /// The zero-based line holding byte `offset`.
    pub fn line_of(&self, offset: usize) -> usize {
        let offset = offset.min(self.len);
        self.starts.partition_point(|&s| s <= offset) - 1
    }

    /// Byte range of `line` without its terminator.
    pub fn line_content(&self, text: &str, line: usize) -> std::ops::Range<usize> {
        let start = self.line_start(line);
        let mut end = self.line_start(line + 1);
        let bytes = text.as_bytes();
        if end > start && end <= bytes.len() && line + 1 < self.starts.len() {
            if bytes[end - 1] == b'\n' {
                end -= 1;
            }
            if end > start && bytes[end - 1] == b'\r' {
                end -= 1;
            }
        }
        start..end.max(start)
    }

    /// Position of byte `offset`. An offset inside a multi-byte character counts as its start.
    pub fn position(&self, text: &str, offset: usize, enc: Encoding) -> LineCol {
        let offset = floor_char_boundary(text, offset.min(text.len()));
        let line = self.line_of(offset);
        let start = self.starts[line];
        LineCol {
            line: line as u32,
            col: measure(&text[start..offset], enc) as u32,
        }
    }

    /// Byte offset of a position. A line past the end goes to the end of the text; a column past
    /// the end of its line goes to the end of the line (before the terminator); a column inside a
    /// character (half a surrogate pair) goes to that character's start.
    pub fn offset(&self, text: &str, pos: LineCol, enc: Encoding) -> usize {
        let line = pos.line as usize;
        if line >= self.starts.len() {
            return text.len();
        }
        let content = self.line_content(text, line);
        content.start + advance(&text[content.clone()], pos.col as usize, enc)
    }
}

/// Length of `s` in `enc` units.
pub fn measure(s: &str, enc: Encoding) -> usize {
    match enc {
        Encoding::Utf8 => s.len(),
        Encoding::Utf16 => s.chars().map(char::len_utf16).sum(),
        Encoding::Char => s.chars().count(),
    }
}

/// Byte length of the longest prefix of `line` that is at most `units` long in `enc`, never
/// splitting a character.
fn advance(line: &str, units: usize, enc: Encoding) -> usize {
    let mut used = 0;
    for (i, c) in line.char_indices() {
        let w = match enc {
            Encoding::Utf8 => c.len_utf8(),
            Encoding::Utf16 => c.len_utf16(),
            Encoding::Char => 1,
        };
        if used + w > units {
            return i;
        }
        used += w;
    }
    line.len()
}

fn floor_char_boundary(text: &str, mut offset: usize) -> usize {
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// Positions of many byte offsets in one forward sweep, without building a line table: what
/// [`LineIndex::position`] gives for each, in the order given. Cheaper than a [`LineIndex`] when
/// the text is large and the offsets are few (a keystroke's diagnostics): newlines are counted
/// only once, between consecutive offsets.
pub fn positions(text: &str, offsets: &[usize], enc: Encoding) -> Vec<LineCol> {
    if memchr::memchr(b'\r', text.as_bytes()).is_some() {
        let idx = LineIndex::new(text);
        return offsets
            .iter()
            .map(|&o| idx.position(text, o, enc))
            .collect();
    }
    let mut order: Vec<usize> = (0..offsets.len()).collect();
    order.sort_by_key(|&i| offsets[i]);
    let bytes = text.as_bytes();
    let mut out = vec![LineCol { line: 0, col: 0 }; offsets.len()];
    let (mut line, mut line_start, mut at) = (0usize, 0usize, 0usize);
    for i in order {
        let o = floor_char_boundary(text, offsets[i].min(text.len()));
        let seg = &bytes[at..o];
        if let Some(last) = memchr::memrchr(b'\n', seg) {
            line += memchr::memchr_iter(b'\n', seg).count();
            line_start = at + last + 1;
        }
        at = o;
        out[i] = LineCol {
            line: line as u32,
            col: measure(&text[line_start..o], enc) as u32,
        };
    }
    out
}

/// Byte offset of a position in a rope, clamped as [`LineIndex::offset`] does. Returns the offset
/// and whether clamping was needed (the caller logs it).
pub fn rope_offset(rope: &Rope, pos: LineCol, enc: Encoding) -> (usize, bool) {
    let line = pos.line as usize;
    if line >= rope.len_lines() {
        return (rope.len_bytes(), true);
    }
    let line_slice = rope.line(line);
    let mut content_chars = line_slice.len_chars();
    // Strip the terminator: LSP columns never address it.
    if content_chars > 0 && line_slice.char(content_chars - 1) == '\n' {
        content_chars -= 1;
    }
    if content_chars > 0 && line_slice.char(content_chars - 1) == '\r' {
        content_chars -= 1;
    }
    let line_start_char = rope.line_to_char(line);
    let col = pos.col as usize;
    let (char_in_line, clamped) = match enc {
        Encoding::Char => (col.min(content_chars), col > content_chars),
        Encoding::Utf8 => {
            let content_bytes = line_slice.char_to_byte(content_chars);
            let b = col.min(content_bytes);
            // byte_to_char rounds down inside a character.
            (line_slice.byte_to_char(b), col > content_bytes)
        }
        Encoding::Utf16 => {
            let content_units = line_slice.char_to_utf16_cu(content_chars);
            let u = col.min(content_units);
            // utf16_cu_to_char rounds down inside a surrogate pair.
            (line_slice.utf16_cu_to_char(u), col > content_units)
        }
    };
    (rope.char_to_byte(line_start_char + char_in_line), clamped)
}

/// Position of a byte offset in a rope (offsets past the end clamp to the end).
pub fn rope_position(rope: &Rope, offset: usize, enc: Encoding) -> LineCol {
    let offset = offset.min(rope.len_bytes());
    let line = rope.byte_to_line(offset);
    let line_start_char = rope.line_to_char(line);
    let ch = rope.byte_to_char(offset);
    let col = match enc {
        Encoding::Char => ch - line_start_char,
        Encoding::Utf8 => offset - rope.char_to_byte(line_start_char),
        Encoding::Utf16 => rope.char_to_utf16_cu(ch) - rope.char_to_utf16_cu(line_start_char),
    };
    LineCol {
        line: line as u32,
        col: col as u32,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "a😀b\r\n日本語 [CMP-001]\re\u{301}x\n\nlast";

    fn all_offsets(text: &str) -> Vec<usize> {
        (0..=text.len())
            .filter(|&o| text.is_char_boundary(o))
            .collect()
    }

    #[test]
    fn emoji_cjk_and_combining_marks_in_every_encoding() {
        let idx = LineIndex::new(TEXT);
        assert_eq!(idx.line_count(), 5);
        let b = TEXT.find('b').unwrap();
        assert_eq!(
            idx.position(TEXT, b, Encoding::Utf16),
            LineCol { line: 0, col: 3 }
        );
        assert_eq!(
            idx.position(TEXT, b, Encoding::Utf8),
            LineCol { line: 0, col: 5 }
        );
        assert_eq!(
            idx.position(TEXT, b, Encoding::Char),
            LineCol { line: 0, col: 2 }
        );
        let r = TEXT.find('[').unwrap();
        assert_eq!(
            idx.position(TEXT, r, Encoding::Utf16),
            LineCol { line: 1, col: 4 }
        );
        assert_eq!(
            idx.position(TEXT, r, Encoding::Utf8),
            LineCol { line: 1, col: 10 }
        );
        let x = TEXT.find('x').unwrap();
        // e + U+0301 is two scalar values, two UTF-16 units, three bytes.
        assert_eq!(
            idx.position(TEXT, x, Encoding::Utf16),
            LineCol { line: 2, col: 2 }
        );
        assert_eq!(
            idx.position(TEXT, x, Encoding::Utf8),
            LineCol { line: 2, col: 3 }
        );
        assert_eq!(
            idx.position(TEXT, x, Encoding::Char),
            LineCol { line: 2, col: 2 }
        );
    }

    #[test]
    fn round_trips_agree_between_line_index_and_rope() {
        let idx = LineIndex::new(TEXT);
        let rope = Rope::from_str(TEXT);
        for enc in [Encoding::Utf8, Encoding::Utf16, Encoding::Char] {
            for o in all_offsets(TEXT) {
                let p = idx.position(TEXT, o, enc);
                assert_eq!(rope_position(&rope, o, enc), p, "offset {o} {enc:?}");
                // Offsets on a terminator map to the line end; others round-trip exactly.
                let back = idx.offset(TEXT, p, enc);
                let in_terminator = matches!(TEXT.as_bytes().get(o), Some(b'\n'))
                    && o > 0
                    && TEXT.as_bytes()[o - 1] == b'\r';
                if !in_terminator {
                    assert_eq!(back, o, "offset {o} {enc:?} via {p:?}");
                }
                assert_eq!(rope_offset(&rope, p, enc).0, back, "{p:?} {enc:?}");
            }
        }
    }

    #[test]
    fn one_sweep_agrees_with_the_line_index() {
        let lf = TEXT.replace("\r\n", "\n").replace('\r', "\n");
        for text in [TEXT, lf.as_str()] {
            let idx = LineIndex::new(text);
            let mut offsets: Vec<usize> = (0..=text.len() + 2).rev().collect();
            offsets.push(3);
            for enc in [Encoding::Utf8, Encoding::Utf16, Encoding::Char] {
                let got = positions(text, &offsets, enc);
                for (o, p) in offsets.iter().zip(got) {
                    assert_eq!(p, idx.position(text, *o, enc), "offset {o} {enc:?}");
                }
            }
        }
    }

    #[test]
    fn positions_past_the_end_are_clamped() {
        let idx = LineIndex::new(TEXT);
        let rope = Rope::from_str(TEXT);
        let line0_end = TEXT.find('\r').unwrap();
        for enc in [Encoding::Utf8, Encoding::Utf16] {
            let p = LineCol { line: 0, col: 99 };
            assert_eq!(idx.offset(TEXT, p, enc), line0_end);
            assert_eq!(rope_offset(&rope, p, enc), (line0_end, true));
            let far = LineCol { line: 99, col: 0 };
            assert_eq!(idx.offset(TEXT, far, enc), TEXT.len());
            assert_eq!(rope_offset(&rope, far, enc), (TEXT.len(), true));
        }
    }

    #[test]
    fn half_a_surrogate_pair_rounds_down() {
        let idx = LineIndex::new(TEXT);
        let rope = Rope::from_str(TEXT);
        // Column 2 in UTF-16 is inside 😀 (units 1..3).
        let p = LineCol { line: 0, col: 2 };
        assert_eq!(idx.offset(TEXT, p, Encoding::Utf16), 1);
        assert_eq!(rope_offset(&rope, p, Encoding::Utf16).0, 1);
        // Byte 3 is inside 😀 (bytes 1..5).
        assert_eq!(idx.position(TEXT, 3, Encoding::Utf8).col, 1);
    }

    #[test]
    fn unicode_line_separators_are_not_line_breaks() {
        let text = "a\u{2028}b\u{85}c\nd";
        let idx = LineIndex::new(text);
        let rope = Rope::from_str(text);
        assert_eq!(idx.line_count(), 2);
        assert_eq!(rope.len_lines(), 2);
    }
}
