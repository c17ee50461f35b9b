//! Prose facts of one region: `Label:` lines, spec references, placeholders and `Step N`
//! mentions, read from the inline text the parser found (never from code). They depend only on
//! the region's text, so they are computed once per region and cached with its syntax facts.

use std::ops::Range;
use std::sync::Arc;

use super::syntax::{Block, BlockKind, Facts, Span, SpanKind};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SpecRef {
    /// Upper-cased `PREFIX-NUMBER`.
    pub id: Arc<str>,
    pub range: Range<usize>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Label {
    /// Lower-cased label before the colon: `time`, `verify`, `component`.
    pub label: Arc<str>,
    pub line: Range<usize>,
    /// The text after the colon (and after closing `**`), trimmed.
    pub value: Range<usize>,
}

/// `Step N` in prose, before it is known which mentions open a step's own title.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StepMention {
    pub number: u32,
    /// `Step N`, both words.
    pub range: Range<usize>,
    /// The sentence it stands in.
    pub sentence: Range<usize>,
}

/// Everything [`extract`] finds, with ranges relative to the parsed text.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Prose {
    /// Every `Label:` line of a paragraph, in order.
    pub labels: Vec<Label>,
    pub refs: Vec<SpecRef>,
    pub placeholders: Vec<Range<usize>>,
    pub mentions: Vec<StepMention>,
    /// Where "rollback", "roll back", "roll-back" or "rolling back" starts, in sentences that
    /// mention a step.
    pub rollback_words: Vec<usize>,
}

impl Prose {
    pub fn extend_shifted(&mut self, other: &Prose, offset: usize) {
        let shift = |r: &Range<usize>| r.start + offset..r.end + offset;
        self.labels.extend(other.labels.iter().map(|l| Label {
            label: l.label.clone(),
            line: shift(&l.line),
            value: shift(&l.value),
        }));
        self.refs.extend(other.refs.iter().map(|r| SpecRef {
            id: r.id.clone(),
            range: shift(&r.range),
        }));
        self.placeholders
            .extend(other.placeholders.iter().map(shift));
        self.mentions
            .extend(other.mentions.iter().map(|m| StepMention {
                number: m.number,
                range: shift(&m.range),
                sentence: shift(&m.sentence),
            }));
        self.rollback_words
            .extend(other.rollback_words.iter().map(|w| w + offset));
    }
}

/// Reads the prose facts of `text`, whose syntax facts are `facts`.
pub fn extract(text: &str, facts: &Facts) -> Prose {
    let mut p = Prose::default();
    let finder = memchr::memmem::Finder::new("tep");
    for ib in inline_blocks(facts) {
        let b = ib.block;
        if b.kind == BlockKind::Paragraph {
            labels(text, &ib, &mut p.labels);
        }
        for link in ib.spans_of(SpanKind::Link) {
            if let Some(id) = spec_id_of(&text[link.clone()]) {
                p.refs.push(SpecRef {
                    id: id.into(),
                    range: link,
                });
            }
        }
        let segments = ib.prose_segments();
        for seg in &segments {
            find_placeholders(text, seg.clone(), &mut p.placeholders);
        }
        if finder.find(text[b.content.clone()].as_bytes()).is_some() {
            step_mentions(text, b, &segments, &finder, &mut p);
        }
    }
    p.refs.sort_by_key(|r| r.range.start);
    p.refs.dedup();
    p.placeholders.sort_by_key(|r| r.start);
    p
}

fn labels(text: &str, ib: &InlineBlock, out: &mut Vec<Label>) {
    let b = ib.block;
    let mut at = b.content.start;
    // Lines end at `\n`, `\r\n` or a lone `\r`, as in the parser.
    for (content, len) in super::regions::lines(&text[b.content.clone()]) {
        if let Some((label, value_at)) = split_label(content) {
            let value_start = at + value_at;
            let line_start = at + (content.len() - content.trim_start().len());
            if !ib
                .spans
                .iter()
                .any(|s| s.kind == SpanKind::Code && s.range.contains(&line_start))
            {
                out.push(Label {
                    label: label.into(),
                    line: line_start..at + content.len(),
                    value: value_start..at + content.trim_end().len().max(value_at),
                });
            }
        }
        at += len;
    }
}

fn step_mentions(
    text: &str,
    b: &Block,
    segments: &[Range<usize>],
    finder: &memchr::memmem::Finder,
    p: &mut Prose,
) {
    let sentences = sentence_bounds(&text[b.content.clone()], b.content.start);
    let mut with_mention: Vec<Range<usize>> = Vec::new();
    for seg in segments {
        let s = &text[seg.clone()];
        for i in finder.find_iter(s.as_bytes()) {
            if i == 0 || !matches!(s.as_bytes()[i - 1], b's' | b'S') {
                continue;
            }
            let at = i - 1;
            let before_ok = s[..at]
                .chars()
                .next_back()
                .is_none_or(|c| !c.is_alphanumeric());
            let after = &s[at + 4..];
            let gap = after.len() - after.trim_start_matches([' ', '\u{a0}']).len();
            let digits = after[gap..].bytes().take_while(u8::is_ascii_digit).count();
            if !before_ok || gap == 0 || digits == 0 || digits > 6 {
                continue;
            }
            let tail_ok = after[gap + digits..]
                .chars()
                .next()
                .is_none_or(|c| !c.is_alphanumeric());
            if !tail_ok {
                continue;
            }
            let start = seg.start + at;
            let sentence = sentences
                .iter()
                .find(|r| r.contains(&start))
                .cloned()
                .unwrap_or(b.content.clone());
            if !with_mention.contains(&sentence) {
                with_mention.push(sentence.clone());
            }
            p.mentions.push(StepMention {
                number: after[gap..gap + digits].parse().unwrap_or(0),
                range: start..start + 4 + gap + digits,
                sentence,
            });
        }
    }
    for sentence in with_mention {
        let lower = text[sentence.clone()].to_ascii_lowercase();
        for k in ["rollback", "roll back", "roll-back", "rolling back"] {
            p.rollback_words
                .extend(lower.match_indices(k).map(|(i, _)| sentence.start + i));
        }
    }
    p.rollback_words.sort_unstable();
}

/// Splits a line into `label` and value if it reads `Label: value`, `**Label**: value` or
/// `**Label:** value`. Returns the label and the value's offset in `line`.
pub fn split_label(line: &str) -> Option<(String, usize)> {
    let t = line.trim_start();
    let lead = line.len() - t.len();
    let open = t.bytes().take_while(|&b| b == b'*' || b == b'_').count();
    let body = &t[open..];
    let colon = body.find(':')?;
    let label = body[..colon].trim_end_matches(['*', '_']).trim();
    if label.is_empty()
        || label.len() > 32
        || !label
            .chars()
            .all(|c| c.is_alphabetic() || matches!(c, ' ' | '&' | '/' | '-' | '(' | ')'))
        || !label.starts_with(char::is_alphabetic)
    {
        return None;
    }
    let after = &body[colon + 1..];
    if after.starts_with(|c: char| !(c.is_whitespace() || c == '*' || c == '_')) {
        return None;
    }
    let closing = after
        .bytes()
        .take_while(|&b| b == b'*' || b == b'_')
        .count();
    let value = &after[closing..];
    let value_lead = value.len() - value.trim_start().len();
    Some((
        label.to_lowercase(),
        lead + open + colon + 1 + closing + value_lead,
    ))
}

/// A block with inline text (paragraph, heading, table cell) and the spans inside it.
pub(crate) struct InlineBlock<'a> {
    pub block: &'a Block,
    pub spans: &'a [Span],
}

impl InlineBlock<'_> {
    pub fn spans_of(&self, kind: SpanKind) -> impl Iterator<Item = Range<usize>> + '_ {
        self.spans
            .iter()
            .filter(move |s| s.kind == kind)
            .map(|s| s.range.clone())
    }

    /// The parts of the inline text that are prose: everything but code spans, link
    /// destinations, autolinks and inline HTML.
    pub fn prose_segments(&self) -> Vec<Range<usize>> {
        let r = &self.block.content;
        let mut out = Vec::new();
        let mut at = r.start;
        let not_prose = self
            .spans
            .iter()
            .filter(|s| matches!(s.kind, SpanKind::Code | SpanKind::Raw))
            .map(|s| s.range.clone());
        for code in not_prose {
            if code.start > at {
                out.push(at..code.start);
            }
            at = at.max(code.end);
        }
        if at < r.end {
            out.push(at..r.end);
        }
        out
    }
}

/// Inline blocks in order with their spans, in one sweep: their texts never overlap, and spans
/// are sorted by start.
pub(crate) fn inline_blocks(facts: &Facts) -> Vec<InlineBlock<'_>> {
    let mut out = Vec::new();
    let mut lo = 0;
    for b in facts.blocks.iter().filter(|b| {
        matches!(
            b.kind,
            BlockKind::Paragraph | BlockKind::Heading { .. } | BlockKind::TableCell
        ) && !b.content.is_empty()
    }) {
        let spans = &facts.spans;
        while lo < spans.len() && spans[lo].range.start < b.content.start {
            lo += 1;
        }
        let mut hi = lo;
        while hi < spans.len() && spans[hi].range.start < b.content.end {
            hi += 1;
        }
        let inner = &spans[lo..hi];
        out.push(InlineBlock {
            block: b,
            spans: inner,
        });
    }
    out
}

/// `CMP-001` → `Some("CMP-001")`; anything that is not `LETTERS-DIGITS` → `None`.
pub fn spec_id_of(s: &str) -> Option<String> {
    let (prefix, number) = s.trim().split_once('-')?;
    let ok = !prefix.is_empty()
        && prefix.len() <= 16
        && prefix.starts_with(|c: char| c.is_ascii_alphabetic())
        && prefix.chars().all(|c| c.is_ascii_alphanumeric())
        && !number.is_empty()
        && number.len() <= 9
        && number.chars().all(|c| c.is_ascii_digit());
    ok.then(|| format!("{}-{}", prefix.to_ascii_uppercase(), number))
}

fn find_placeholders(text: &str, seg: Range<usize>, out: &mut Vec<Range<usize>>) {
    let s = &text[seg.clone()];
    if memchr::memchr3(b'T', b'F', b'{', s.as_bytes()).is_none() {
        return;
    }
    for word in ["TODO", "TBD", "FIXME"] {
        for (i, _) in s.match_indices(word) {
            let before = s[..i].chars().next_back();
            let after = s[i + word.len()..].chars().next();
            let boundary = |c: Option<char>| c.is_none_or(|c| !c.is_alphanumeric() && c != '_');
            if boundary(before) && boundary(after) {
                out.push(seg.start + i..seg.start + i + word.len());
            }
        }
    }
    let mut from = 0;
    while let Some(open) = s[from..].find("{{") {
        let open = from + open;
        let Some(close) = s[open..].find("}}") else {
            break;
        };
        let inner = s[open + 2..open + close].trim();
        // `{{ name }}` is a template marker; Hugo's `{{< relref >}}` shortcodes are not.
        if !inner.is_empty()
            && inner.starts_with(|c: char| c.is_alphabetic() || c == '_')
            && inner
                .chars()
                .all(|c| c.is_alphanumeric() || matches!(c, '_' | ' ' | '.' | '-'))
        {
            out.push(seg.start + open..seg.start + open + close + 2);
        }
        from = open + close + 2;
    }
}

/// Sentences of an inline text: ends at `.`, `!`, `?` followed by a space, and at line breaks.
fn sentence_bounds(s: &str, base: usize) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut start = 0;
    let bytes = s.as_bytes();
    for (i, &c) in bytes.iter().enumerate() {
        let end = match c {
            b'\n' => true,
            b'\r' => bytes.get(i + 1) != Some(&b'\n'),
            b'.' | b'!' | b'?' => bytes.get(i + 1).is_none_or(|n| n.is_ascii_whitespace()),
            _ => false,
        };
        if end {
            out.push(base + start..base + i + 1);
            start = i + 1;
        }
    }
    if start < s.len() {
        out.push(base + start..base + s.len());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels() {
        assert_eq!(split_label("Time: ~5 min"), Some(("time".into(), 6)));
        assert_eq!(split_label("**Time**: 5m"), Some(("time".into(), 10)));
        assert_eq!(
            split_label("**Estimated time:** 5m"),
            Some(("estimated time".into(), 20))
        );
        assert_eq!(split_label("see http://x"), None);
        assert_eq!(split_label("Run `a:b`"), None);
    }

    #[test]
    fn spec_ids() {
        assert_eq!(spec_id_of("CMP-001").as_deref(), Some("CMP-001"));
        assert_eq!(spec_id_of("cmp-001").as_deref(), Some("CMP-001"));
        assert_eq!(spec_id_of("see docs"), None);
        assert_eq!(spec_id_of("CMP-"), None);
    }
}
