//! Step recognition: numbered step headings and bold `**Step N:**` paragraphs inside the
//! procedure and rollback sections, each with its body, time estimate, command and verification.

use std::ops::Range;

use super::model::{SectionKind, SpecModel, Step, TimeEstimate};
use super::syntax::{BlockKind, Facts, SpanKind};
use super::time;

/// `Step 3: Deploy` / `Step 3 - Deploy` / `Step 3.` / `3. Deploy` → number and title offset.
pub(super) fn parse_step_title(s: &str) -> Option<(u32, usize)> {
    let t = s.trim_start();
    let has_word = t.get(..5).is_some_and(|w| w.eq_ignore_ascii_case("step "));
    let rest = if has_word { t[5..].trim_start() } else { t };
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 || digits > 6 {
        return None;
    }
    let number: u32 = rest[..digits].parse().ok()?;
    let after = &rest[digits..];
    let title = if has_word {
        let a = after.trim_start();
        if let Some(r) = a.strip_prefix([':', '.', '-', '\u{2013}', '\u{2014}', ')']) {
            r
        } else if after.is_empty() || after.starts_with(char::is_whitespace) {
            a
        } else {
            return None;
        }
    } else {
        let r = after.strip_prefix(['.', ')'])?;
        if !(r.is_empty() || r.starts_with(char::is_whitespace)) {
            return None;
        }
        r
    };
    Some((number, s.len() - title.trim_start().len()))
}

/// Where the digits of a step title that [`parse_step_title`] accepts sit in `s`.
fn step_number_range(s: &str) -> Range<usize> {
    let t = s.trim_start();
    let has_word = t.get(..5).is_some_and(|w| w.eq_ignore_ascii_case("step "));
    let rest = if has_word { t[5..].trim_start() } else { t };
    let at = s.len() - rest.len();
    at..at + rest.bytes().take_while(u8::is_ascii_digit).count()
}

pub(super) fn collect_steps(text: &str, facts: &Facts, m: &mut SpecModel) {
    let mut areas: Vec<(Range<usize>, usize)> = m
        .sections
        .iter()
        .filter(|s| matches!(s.kind, SectionKind::Procedure | SectionKind::Rollback))
        .map(|s| (s.range.clone(), s.heading))
        .collect();
    if areas.is_empty() {
        return;
    }
    areas.sort_by_key(|(r, _)| r.start);
    let rollback: Vec<Range<usize>> = m
        .sections_of(SectionKind::Rollback)
        .map(|s| s.range.clone())
        .collect();
    let section_headings: Vec<usize> = areas.iter().map(|(_, h)| *h).collect();
    let in_area = |o: usize| areas.iter().any(|(r, _)| r.contains(&o));

    struct Head {
        number: u32,
        number_range: Range<usize>,
        title: String,
        title_range: Range<usize>,
        head: Range<usize>,
        level: Option<u8>,
    }
    let mut heads: Vec<Head> = Vec::new();
    for (hi, h) in m.headings.iter().enumerate() {
        if section_headings.contains(&hi) || !in_area(h.range.start) || h.level < 2 {
            continue;
        }
        if let Some((number, title_at)) = parse_step_title(&h.text) {
            let digits = step_number_range(&h.text);
            heads.push(Head {
                number,
                number_range: h.text_range.start + digits.start..h.text_range.start + digits.end,
                title: h.text[title_at..].trim().to_string(),
                title_range: h.text_range.clone(),
                head: h.range.clone(),
                level: Some(h.level),
            });
        }
    }
    // Bold step titles: strong spans that read `Step N` and open a paragraph. Few spans are
    // strong, so start from them rather than from every paragraph.
    for strong in facts
        .spans
        .iter()
        .filter(|s| s.kind == SpanKind::Strong && in_area(s.range.start))
        .map(|s| s.range.clone())
    {
        let first = facts
            .blocks
            .partition_point(|b| b.range.start < strong.start);
        let Some(b) = facts.blocks[first..]
            .iter()
            .take_while(|b| b.range.start == strong.start)
            .find(|b| b.kind == BlockKind::Paragraph && b.content.start == strong.start)
        else {
            continue;
        };
        let inner = text[strong.clone()].trim_matches('*');
        let Some((number, title_at)) = parse_step_title(inner) else {
            continue;
        };
        let stars = text[strong.clone()].len() - text[strong.clone()].trim_start_matches('*').len();
        let digits = step_number_range(inner);
        let number_range = strong.start + stars + digits.start..strong.start + stars + digits.end;
        let mut title = inner[title_at..].trim().to_string();
        let mut title_range = strong.clone();
        if title.is_empty() {
            // `**Step 3:** Deploy the service` — the title follows the bold label.
            let line_end = text[strong.end..b.content.end]
                .find(['\n', '\r'])
                .map_or(b.content.end, |i| strong.end + i);
            title = text[strong.end..line_end]
                .trim()
                .trim_start_matches([':', '-', '–'])
                .trim()
                .to_string();
            title_range = strong.start..line_end;
        }
        heads.push(Head {
            number,
            number_range,
            title,
            title_range,
            head: b.range.clone(),
            level: None,
        });
    }
    heads.sort_by_key(|h| h.head.start);

    for (i, h) in heads.iter().enumerate() {
        let area_end = areas
            .iter()
            .filter(|(r, _)| r.contains(&h.head.start))
            .map(|(r, _)| r.end)
            .min()
            .unwrap_or(text.len());
        let next_step = heads.get(i + 1).map_or(usize::MAX, |n| n.head.start);
        let after = m.headings.partition_point(|n| n.range.start < h.head.end);
        let next_heading = m.headings[after..]
            .iter()
            .find(|n| h.level.is_none_or(|lvl| n.level <= lvl))
            .map_or(usize::MAX, |n| n.range.start);
        let end = area_end.min(next_step).min(next_heading).max(h.head.end);
        let body = h.head.end..end;
        let mut time = TimeEstimate::Missing;
        let mut has_command = false;
        let mut has_verification = false;
        let first_label = m.labels.partition_point(|l| l.line.start < body.start);
        let in_body = m.labels[first_label..]
            .iter()
            .take_while(|l| l.line.start < body.end);
        for l in in_body {
            match &*l.label {
                "time" | "duration" | "estimated time" | "eta" | "estimated duration"
                | "time estimate" => {
                    if matches!(time, TimeEstimate::Missing) {
                        let value = &text[l.value.clone()];
                        time = match time::parse_seconds(value) {
                            Some(seconds) => TimeEstimate::Seconds {
                                seconds,
                                range: l.value.clone(),
                            },
                            None => TimeEstimate::Unreadable {
                                range: if l.value.is_empty() {
                                    l.line.clone()
                                } else {
                                    l.value.clone()
                                },
                            },
                        };
                    }
                }
                "command" | "commands" => has_command = true,
                v if v.starts_with("verif")
                    || v.starts_with("expected")
                    || v.starts_with("validat") =>
                {
                    has_verification = true
                }
                _ => {}
            }
        }
        let first = facts.blocks.partition_point(|b| b.range.start < body.start);
        has_command |= facts.blocks[first..]
            .iter()
            .take_while(|b| b.range.start < body.end)
            .any(|b| b.kind == BlockKind::Code);
        m.steps.push(Step {
            number: h.number,
            number_range: h.number_range.clone(),
            title: h.title.clone(),
            title_range: h.title_range.clone(),
            head: h.head.clone(),
            body,
            time,
            has_command,
            has_verification,
            in_rollback: rollback.iter().any(|r| r.contains(&h.head.start)),
            is_heading: h.level.is_some(),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn step_titles() {
        assert_eq!(parse_step_title("Step 3: Deploy"), Some((3, 8)));
        assert_eq!(parse_step_title("Step 3 - Deploy"), Some((3, 9)));
        assert_eq!(parse_step_title("Step 12."), Some((12, 8)));
        assert_eq!(parse_step_title("4. Verify"), Some((4, 3)));
        assert_eq!(parse_step_title("2024 plans"), None);
        assert_eq!(parse_step_title("Steps overview"), None);
        assert_eq!(step_number_range("Step 12: Deploy"), 5..7);
        assert_eq!(step_number_range(" step  3."), 7..8);
        assert_eq!(step_number_range("4. Verify"), 0..1);
    }
}
