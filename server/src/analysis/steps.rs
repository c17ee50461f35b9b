//! Step recognition: numbered step headings and bold `**Step N:**` paragraphs inside the
//! procedure and rollback sections, each with its body, time estimate, command and verification.

use std::ops::Range;

use super::model::{Section, SectionKind, SpecModel, Step, StepForm, TimeEstimate};
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

/// A step's opening block, before its body is known.
struct Head {
    number: u32,
    number_range: Range<usize>,
    title: String,
    title_range: Range<usize>,
    head: Range<usize>,
    /// A heading step's level: its body ends at the next heading at this level or above.
    level: Option<u8>,
    form: StepForm,
}

impl Head {
    /// Steps of one group may form a run: same form, and headings at the same level.
    fn group(&self) -> (StepForm, u8) {
        (self.form, self.level.unwrap_or(0))
    }
}

/// Numbered headings (`### Step 3: …`, `## 3. …`) that `keep` accepts.
fn heading_heads(m: &SpecModel, keep: impl Fn(usize) -> bool) -> Vec<Head> {
    let mut heads = Vec::new();
    for (hi, h) in m.headings.iter().enumerate() {
        if Some(hi) == m.title || !keep(hi) {
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
                form: StepForm::Heading,
            });
        }
    }
    heads
}

/// Bold step titles: strong spans that read `Step N` and open a paragraph. Few spans are strong,
/// so start from them rather than from every paragraph.
fn bold_heads(text: &str, facts: &Facts, keep: impl Fn(usize) -> bool) -> Vec<Head> {
    let mut heads = Vec::new();
    for strong in facts
        .spans
        .iter()
        .filter(|s| s.kind == SpanKind::Strong && keep(s.range.start))
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
            let line_end = first_line_end(text, strong.end..b.content.end);
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
            form: StepForm::Bold,
        });
    }
    heads
}

/// Where the first line of `r` ends.
fn first_line_end(text: &str, r: Range<usize>) -> usize {
    text[r.clone()]
        .find(['\n', '\r'])
        .map_or(r.end, |i| r.start + i)
}

/// Top-level list items that are steps: ordered items (`3.`, `3)`), numbered by their marker,
/// and bullet items that read `Step N: …`. The head is the item's marker and first paragraph.
fn item_heads(text: &str, facts: &Facts, keep: impl Fn(usize) -> bool) -> Vec<Head> {
    let mut heads: Vec<Head> = Vec::new();
    // Ordered items of the list being read: (index in `heads`, written number), to number a
    // list written `1. 1. 1.` the way it renders, 1, 2, 3.
    let mut list: Vec<(usize, u32)> = Vec::new();
    let mut list_end = usize::MAX;
    let mut delimiter = b'.';
    for (bi, b) in facts.blocks.iter().enumerate() {
        let BlockKind::Item { ordered } = b.kind else {
            continue;
        };
        let marker = b.content.clone();
        // The item's own paragraph starts right after its marker (on the same line).
        let para = facts.blocks[bi + 1..]
            .iter()
            .take_while(|p| p.range.start < b.range.end)
            .find(|p| p.kind == BlockKind::Paragraph)
            .filter(|p| {
                p.range.start >= marker.end
                    && text[marker.end..p.range.start]
                        .trim_matches([' ', '\t'])
                        .is_empty()
            });
        let head = marker.start..para.map_or(marker.end, |p| p.range.end);
        let title_range = para.map_or(marker.end..marker.end, |p| {
            p.content.start..first_line_end(text, p.content.clone())
        });
        if ordered {
            let written = &text[marker.clone()];
            let digits = written.len() - 1;
            let Ok(number) = written[..digits].parse::<u32>() else {
                continue;
            };
            // Items of one list follow each other with nothing but blank space between.
            let d = written.as_bytes()[digits];
            let same_list = d == delimiter
                && list_end <= b.range.start
                && text[list_end..b.range.start].trim().is_empty();
            if !same_list {
                finish_lazy_list(&mut heads, &list);
                list.clear();
            }
            list_end = b.range.end;
            delimiter = d;
            if !keep(b.range.start) {
                continue;
            }
            list.push((heads.len(), number));
            heads.push(Head {
                number,
                number_range: marker.start..marker.start + digits,
                title: text[title_range.clone()].trim().to_string(),
                title_range,
                head,
                level: None,
                form: StepForm::OrderedItem,
            });
        } else if keep(b.range.start) {
            let line = &text[title_range.clone()];
            let Some((number, title_at)) = parse_step_title(line) else {
                continue;
            };
            let digits = step_number_range(line);
            heads.push(Head {
                number,
                number_range: title_range.start + digits.start..title_range.start + digits.end,
                title: line[title_at..].trim().to_string(),
                title_range,
                head,
                level: None,
                form: StepForm::BulletItem,
            });
        }
    }
    finish_lazy_list(&mut heads, &list);
    heads
}

/// A list whose items all carry the same number (`1. 1. 1.`) renders them 1, 2, 3: its steps
/// take the rendered numbers. Any other list keeps the numbers written.
fn finish_lazy_list(heads: &mut [Head], list: &[(usize, u32)]) {
    let Some(&(_, first)) = list.first() else {
        return;
    };
    if list.len() < 2 || list.iter().any(|&(_, n)| n != first) {
        return;
    }
    for (k, &(i, _)) in list.iter().enumerate() {
        heads[i].number = first.saturating_add(k as u32);
    }
}

/// The procedure fallback: when no heading names the procedure, a run of consecutively numbered
/// steps of one form (headings at one level, bold paragraphs, ordered items, `- Step N` items)
/// outside every recognised section is the procedure: the first run of at least two steps
/// that say they are steps (headings, bold, `Step N` bullets), else the first ordered list run
/// of at least three items. A run of
/// headings opens it at its first heading; a run of paragraphs or list items opens it at the
/// heading they sit under (a run under no heading but the title is not taken). Returns the
/// index of the section's heading when that heading is itself a step.
fn procedure_fallback(text: &str, facts: &Facts, m: &mut SpecModel) -> Option<usize> {
    let outside = |o: usize| !m.sections.iter().any(|s| s.range.contains(&o));
    let section_heading = |hi: usize| m.sections.iter().any(|s| s.heading == hi);
    let mut candidates = heading_heads(m, |hi| {
        !section_heading(hi) && outside(m.headings[hi].range.start)
    });
    candidates.extend(bold_heads(text, facts, outside));
    candidates.extend(item_heads(text, facts, outside));
    candidates.sort_by_key(|h| h.head.start);

    // Runs of steps that say they are steps (numbered headings, `Step N` in bold or after a
    // bullet) come first; plain ordered lists, which also enumerate options, criteria or
    // tables of contents, are taken only when no such run exists, and from three items. Of
    // runs of the same kind the first wins: a procedure comes before the appendices, templates
    // and troubleshooting lists that follow it.
    let mut best: Option<(bool, Vec<&Head>)> = None;
    let mut groups: Vec<(StepForm, u8)> = candidates.iter().map(Head::group).collect();
    groups.sort_by_key(|g| (g.1, g.0 as u8));
    groups.dedup();
    for g in groups {
        let strong = g.0 != StepForm::OrderedItem;
        let least = if strong { 2 } else { 3 };
        let of_group: Vec<&Head> = candidates.iter().filter(|h| h.group() == g).collect();
        let mut i = 0;
        while i < of_group.len() {
            let mut j = i + 1;
            while j < of_group.len() && of_group[j].number == of_group[j - 1].number + 1 {
                j += 1;
            }
            let better = best.as_ref().is_none_or(|(s, b)| {
                (strong, std::cmp::Reverse(of_group[i].head.start))
                    > (*s, std::cmp::Reverse(b[0].head.start))
            });
            if j - i >= least && better {
                best = Some((strong, of_group[i..j].to_vec()));
            }
            i = j;
        }
    }
    let (_, run) = best?;
    let (first, last) = (run[0], run[run.len() - 1]);
    let section_end = |hi: usize| {
        let level = m.headings[hi].level;
        m.headings[hi + 1..]
            .iter()
            .find(|n| n.level <= level)
            .map_or(text.len(), |n| n.range.start)
    };
    let (heading, range, step_heading) = if first.form == StepForm::Heading {
        let hi = m.headings.iter().position(|h| h.range == first.head)?;
        let li = m.headings.iter().position(|h| h.range == last.head)?;
        (hi, first.head.start..section_end(li), Some(hi))
    } else {
        let hi = m
            .headings
            .partition_point(|h| h.range.start < first.head.start)
            .checked_sub(1)?;
        if Some(hi) == m.title {
            return None;
        }
        let start = m.headings[hi].range.start;
        (hi, start..section_end(hi).max(last.head.end), None)
    };
    let at = m.sections.partition_point(|s| s.range.start <= range.start);
    m.sections.insert(
        at,
        Section {
            kind: SectionKind::Procedure,
            heading,
            range,
        },
    );
    step_heading
}

pub(super) fn collect_steps(text: &str, facts: &Facts, m: &mut SpecModel) {
    let fallback = if m.section(SectionKind::Procedure).is_none() {
        procedure_fallback(text, facts, m)
    } else {
        None
    };
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
    let section_headings: Vec<usize> = areas
        .iter()
        .map(|(_, h)| *h)
        .filter(|&h| Some(h) != fallback)
        .collect();
    let in_area = |o: usize| areas.iter().any(|(r, _)| r.contains(&o));
    // The innermost procedure or rollback section holding `o` (a rollback inside the procedure
    // is its own area).
    let area_of = |o: usize| {
        areas
            .iter()
            .enumerate()
            .filter(|(_, (r, _))| r.contains(&o))
            .max_by_key(|(_, (r, _))| r.start)
            .map(|(i, _)| i)
    };

    let mut heads = heading_heads(m, |hi| {
        !section_headings.contains(&hi) && in_area(m.headings[hi].range.start)
    });
    heads.extend(bold_heads(text, facts, in_area));
    // Ordered list items are the steps of an area written as a list; where the area has step
    // headings or bold steps, its lists are the details of those steps.
    let written: Vec<Option<usize>> = heads.iter().map(|h| area_of(h.head.start)).collect();
    heads.extend(
        item_heads(text, facts, in_area)
            .into_iter()
            .filter(|h| h.form == StepForm::BulletItem || !written.contains(&area_of(h.head.start))),
    );
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
            form: h.form,
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
