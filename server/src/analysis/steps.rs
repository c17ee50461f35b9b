//! Step recognition: numbered step headings and bold `**Step N:**` paragraphs inside the
//! procedure and rollback sections, each with its body, time estimate, command and verification.

use std::ops::Range;

use super::model::spans_in;
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
            // `12.` / `12)`: digits, then the delimiter (the parser gives no empty marker, but
            // a slice is never trusted blindly).
            let Some(digits) = written
                .len()
                .checked_sub(1)
                .filter(|&d| d > 0 && matches!(written.as_bytes()[d], b'.' | b')'))
            else {
                continue;
            };
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

/// The procedure fallback: when no heading names the procedure, the first run of at least two
/// consecutively numbered steps of one form (numbered headings at one level, bold `**Step N**`
/// paragraphs, `- Step N` items) outside every recognised section is the procedure. A run of
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
    candidates.extend(
        item_heads(text, facts, outside)
            .into_iter()
            .filter(|h| h.form == StepForm::BulletItem),
    );
    candidates.sort_by_key(|h| h.head.start);

    // Only steps that say they are steps by their form: a plain ordered list also enumerates
    // options, criteria or a table of contents (on the real-world corpus, the first ordered
    // list outside the recognised sections was the procedure in one runbook of three). Of
    // several runs the first wins: a procedure comes before the appendices, templates and
    // troubleshooting lists that follow it.
    let mut best: Option<Vec<&Head>> = None;
    let mut groups: Vec<(StepForm, u8)> = candidates.iter().map(Head::group).collect();
    groups.sort_by_key(|g| (g.1, g.0 as u8));
    groups.dedup();
    for g in groups {
        let of_group: Vec<&Head> = candidates.iter().filter(|h| h.group() == g).collect();
        let mut i = 0;
        while i < of_group.len() {
            let mut j = i + 1;
            while j < of_group.len() && of_group[j].number == of_group[j - 1].number + 1 {
                j += 1;
            }
            let earlier = best
                .as_ref()
                .is_none_or(|b| of_group[i].head.start < b[0].head.start);
            if j - i >= 2 && earlier {
                best = Some(of_group[i..j].to_vec());
            }
            i = j;
        }
    }
    let run = best?;
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

/// A step's time when no `Time:` line gives it: a duration in its title (`Build (30
/// minutes)`, `~15m`), else a duration sentence in its first paragraph ("takes about 2 hours",
/// "10-20 minutes"; see [`time::in_prose`]). For a heading that paragraph is the first in the
/// body; for a bold title or a list item, the paragraph it opens, or else (a bold title alone in
/// its paragraph) the next one. Code spans are not prose.
fn time_in_prose(
    text: &str,
    facts: &Facts,
    h: &Head,
    body: &Range<usize>,
) -> Option<(u64, Range<usize>)> {
    let not_code = |r: &Range<usize>, within: &Range<usize>| {
        !spans_in(facts, within.clone(), SpanKind::Code).any(|c| c.start < r.end && r.start < c.end)
    };
    let tr = &h.title_range;
    if let Some((secs, r)) = time::in_title(&text[tr.clone()]) {
        let r = tr.start + r.start..tr.start + r.end;
        if not_code(&r, tr) {
            return Some((secs, r));
        }
    }
    let first = facts.blocks.partition_point(|b| b.range.start < body.start);
    let body_paragraph = facts.blocks[first..]
        .iter()
        .take_while(|b| b.range.start < body.end)
        .find(|b| b.kind == BlockKind::Paragraph)
        .map(|b| b.content.clone());
    let own_paragraph = match h.form {
        StepForm::Heading => None,
        // The head ends with the paragraph it opens; its text starts at the title.
        _ => Some(tr.start..h.head.end),
    };
    let paragraphs = match (own_paragraph, h.form) {
        (Some(own), StepForm::Bold) => vec![own, body_paragraph.unwrap_or_default()],
        (Some(own), _) => vec![own],
        (None, _) => body_paragraph.into_iter().collect(),
    };
    paragraphs.into_iter().find_map(|p| {
        time::in_prose(&text[p.clone()])
            .into_iter()
            .map(|(secs, r)| (secs, p.start + r.start..p.start + r.end))
            .find(|(_, r)| not_code(r, &p))
    })
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
    // Sections of other kinds nested in the procedure (a troubleshooting or follow-up heading one
    // level below it) are not steps.
    let carved: Vec<Range<usize>> = m
        .sections
        .iter()
        .filter(|s| !matches!(s.kind, SectionKind::Procedure | SectionKind::Rollback))
        .filter(|s| areas.iter().any(|(r, _)| r.contains(&s.range.start)))
        .map(|s| s.range.clone())
        .collect();
    let in_area = |o: usize| {
        areas.iter().any(|(r, _)| r.contains(&o)) && !carved.iter().any(|r| r.contains(&o))
    };
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
        item_heads(text, facts, in_area).into_iter().filter(|h| {
            h.form == StepForm::BulletItem || !written.contains(&area_of(h.head.start))
        }),
    );
    heads.sort_by_key(|h| h.head.start);

    for (i, h) in heads.iter().enumerate() {
        let area_end = areas
            .iter()
            .filter(|(r, _)| r.contains(&h.head.start))
            .map(|(r, _)| r.end)
            .chain(carved.iter().map(|r| r.start).filter(|&s| s > h.head.start))
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
        if matches!(time, TimeEstimate::Missing) {
            time = time_in_prose(text, facts, h, &body).map_or(TimeEstimate::Missing, |(s, r)| {
                TimeEstimate::Seconds {
                    seconds: s,
                    range: r,
                }
            });
        }
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
    use crate::analysis::{document, model};

    fn model(text: &str) -> SpecModel {
        model::build(
            text,
            document::parse_whole(text),
            model::SectionHeadings::built_in(),
        )
    }

    /// (number, form, title, line of the head) of each step.
    fn steps(text: &str) -> Vec<(u32, StepForm, String, usize)> {
        let m = model(text);
        m.steps
            .iter()
            .map(|s| {
                let line = text[..s.head.start].matches('\n').count() + 1;
                (s.number, s.form, s.title.clone(), line)
            })
            .collect()
    }

    fn numbers(text: &str) -> Vec<u32> {
        steps(text).into_iter().map(|s| s.0).collect()
    }

    fn times(text: &str) -> Vec<Option<u64>> {
        model(text).steps.iter().map(|s| s.time.seconds()).collect()
    }

    const PROC: &str = "# T\n\n## Deployment Procedure\n\n";

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

    #[test]
    fn headings_bold_paragraphs_and_step_bullets_are_steps() {
        let text = format!(
            "{PROC}### Step 1: Build\n\n#### Step 2 — Push\n\n**Step 3:** Deploy\n\n\
             - Step 4: Verify\n- Step 5: Announce\n- Tidy up\n\n### 6. Close\n"
        );
        use StepForm::*;
        let got: Vec<_> = steps(&text).into_iter().map(|s| (s.0, s.1, s.2)).collect();
        let want = [
            (1, Heading, "Build"),
            (2, Heading, "Push"),
            (3, Bold, "Deploy"),
            (4, BulletItem, "Verify"),
            (5, BulletItem, "Announce"),
            (6, Heading, "Close"),
        ];
        let want: Vec<_> = want.iter().map(|w| (w.0, w.1, w.2.to_string())).collect();
        assert_eq!(got, want);
    }

    #[test]
    fn ordered_items_of_the_procedure_are_steps() {
        // The code block at column 0 ends the first list; the next list goes on at 2, and a
        // `3)` list is a list of its own, numbered as written. Nested items are not steps.
        let text = format!(
            "{PROC}1. Build the image\n   1. nested, not a step\n\n```sh\nmake\n```\n\n\
             2. Deploy it\n\n3) Verify\n\n## Monitoring\n\n1. Watch the dashboard\n"
        );
        let got = steps(&text);
        assert_eq!(
            got.iter().map(|s| (s.0, s.2.as_str())).collect::<Vec<_>>(),
            [(1, "Build the image"), (2, "Deploy it"), (3, "Verify")]
        );
        assert!(got.iter().all(|s| s.1 == StepForm::OrderedItem));
        let m = model(&text);
        assert!(m.steps[0].has_command, "the code block is in step 1's body");
        // The number range is the marker's digits.
        assert_eq!(&text[m.steps[1].number_range.clone()], "2");
    }

    #[test]
    fn a_list_numbered_one_one_one_takes_the_rendered_numbers() {
        let text = format!("{PROC}1. a\n1. b\n1. c\n\n```\nmake\n```\n\n7. d\n7. e\n");
        assert_eq!(numbers(&text), [1, 2, 3, 7, 8]);
        // One list (a blank line does not end it) with mixed numbers keeps what is written.
        let text = format!("{PROC}1. a\n1. b\n\n7. c\n");
        assert_eq!(numbers(&text), [1, 1, 7]);
        // Written numbers are kept otherwise, so DP021 sees a gap the reader sees.
        let text = format!("{PROC}1. a\n3. b\n4. c\n");
        assert_eq!(numbers(&text), [1, 3, 4]);
    }

    #[test]
    fn lists_under_step_headings_are_details_not_steps() {
        let text =
            format!("{PROC}### Step 1: Build\n\n1. make\n2. test\n\n**Step 2: Ship**\n\n1. push\n");
        assert_eq!(numbers(&text), [1, 2]);
        // A rollback section inside the procedure is its own area: its list is its steps.
        let text =
            format!("{PROC}### Step 1: Build\n\n1. make\n\n### Rollback\n\n2. Revert\n3. Verify\n");
        let m = model(&text);
        let got: Vec<_> = m.steps.iter().map(|s| (s.number, s.in_rollback)).collect();
        assert_eq!(got, [(1, false), (2, true), (3, true)]);
    }

    #[test]
    fn sections_nested_in_the_procedure_hold_no_steps() {
        let text = "# T\n\n## Deployment Procedure\n\n1. a\n2. b\n\n### Troubleshooting\n\n1. x\n2. y\n\n### Rollback\n\n3. undo\n";
        let m = model(text);
        assert!(m.section(SectionKind::Troubleshooting).is_some());
        let got: Vec<_> = m
            .steps
            .iter()
            .map(|s| (s.number, s.title.as_str()))
            .collect();
        assert_eq!(got, [(1, "a"), (2, "b"), (3, "undo")]);
        // Step 2's body stops at the troubleshooting heading.
        assert!(!text[m.steps[1].body.clone()].contains("Troubleshooting"));
    }

    #[test]
    fn ordered_lists_outside_the_procedure_are_not_steps() {
        let text = "# T\n\n## Prerequisites\n\n1. a\n2. b\n\n## Deployment Procedure\n\nSee the runbook.\n\n## Troubleshooting\n\n1. x\n2. y\n";
        assert_eq!(numbers(text), Vec::<u32>::new());
    }

    #[test]
    fn bullets_that_do_not_say_step_are_not_steps() {
        let text =
            format!("{PROC}- Build\n- Stepping stones\n- Steps: many\n* [ ] Step 1: a task\n");
        assert_eq!(numbers(&text), Vec::<u32>::new());
    }

    fn procedure_line(text: &str) -> Option<usize> {
        let m = model(text);
        m.section(SectionKind::Procedure)
            .map(|s| text[..s.range.start].matches('\n').count() + 1)
    }

    #[test]
    fn without_a_procedure_heading_a_run_of_numbered_headings_is_the_procedure() {
        let text = "# T\n\n## Background\n\ntext\n\n## 1. Package\n\n## 2. Build\n\n### Notes\n\n## 3. Ship\n\n## Rollback\n\n## Appendix\n";
        assert_eq!(procedure_line(text), Some(7));
        assert_eq!(numbers(text), [1, 2, 3]);
        let m = model(text);
        let p = m.section(SectionKind::Procedure).unwrap();
        assert_eq!(m.headings[p.heading].text, "1. Package");
        // The procedure ends where the last step's section does.
        assert!(text[p.range.clone()].ends_with("## 3. Ship\n\n"));
    }

    #[test]
    fn without_a_procedure_heading_bold_or_bullet_steps_open_it_at_their_heading() {
        let text = "# T\n\n## Shipping it\n\n**Step 1: Build**\n\n**Step 2: Push**\n\n## Other\n";
        assert_eq!(procedure_line(text), Some(3));
        assert_eq!(numbers(text), [1, 2]);
        let text = "# T\n\n## Shipping it\n\n- Step 1: Build\n- Step 2: Push\n";
        assert_eq!(procedure_line(text), Some(3));
        assert_eq!(numbers(text), [1, 2]);
    }

    #[test]
    fn the_fallback_takes_no_lone_step_no_plain_list_and_nothing_in_other_sections() {
        for text in [
            // One numbered heading is no run.
            "# T\n\n## 1. Introduction\n\n## Details\n",
            // Numbers that do not follow each other.
            "# T\n\n## 1. Intro\n\n## 3. Later\n",
            // Plain ordered lists enumerate anything.
            "# T\n\n## Notes\n\n1. a\n2. b\n3. c\n",
            // Steps inside a recognised section belong to it.
            "# T\n\n## Troubleshooting\n\n### 1. Pods crash\n\n### 2. Slow\n",
            // Bold steps under nothing but the title.
            "# T\n\n**Step 1: a**\n\n**Step 2: b**\n",
        ] {
            assert_eq!(procedure_line(text), None, "{text}");
            assert_eq!(numbers(text), Vec::<u32>::new(), "{text}");
        }
        // Headings of different levels are not one run.
        let text = "# T\n\n## 1. Intro\n\n### 2. Later\n";
        assert_eq!(procedure_line(text), None);
        // With a procedure heading there is no fallback: numbered chapters elsewhere stay out.
        let text = "# T\n\n## Steps\n\n## Deployment Procedure\n\n**Step 1: a**\n\n## 8. Appendix\n\n## 9. Links\n";
        assert_eq!(numbers(text), [1]);
    }

    #[test]
    fn times_from_labels_titles_and_first_paragraphs() {
        let text = format!(
            "{PROC}### Step 1: Build (30 minutes)\n\n\
             ### Step 2: Migrate\n\nThis takes about 2 hours on production.\n\n\
             ### Step 3: Smoke test ~15m\n\n- Time: 5 minutes\n\n\
             **Step 4: Drain**\nExpect 10-20 minutes.\n\n\
             1. Upgrade to version 1.15 on port 8080 with 3 replicas\n"
        );
        // Step 3's `Time:` line wins over its title; the list of step 5 is not a step (the
        // procedure has heading steps), so four steps.
        assert_eq!(
            times(&text),
            [Some(1800), Some(7200), Some(300), Some(1200)]
        );
        let text = format!("{PROC}1. Build, which takes ~10 min\n2. Wait 72 hours before release\n3. Deploy in 2024\n");
        assert_eq!(times(&text), [Some(600), None, None]);
    }

    #[test]
    fn a_time_in_a_code_span_or_a_later_paragraph_is_not_the_steps() {
        let text = format!(
            "{PROC}### Step 1: Run `sleep (5 minutes)`\n\nFirst paragraph.\n\nIt takes 2 hours.\n\n\
             ### Step 2: Wait\n\nRun `takes 5 minutes` here.\n"
        );
        assert_eq!(times(&text), [None, None]);
    }

    #[test]
    fn a_title_time_range_is_inside_the_title() {
        let text = format!("{PROC}### Step 1: 🚀 部署 (≈ 2h)\n");
        let m = model(&text);
        let TimeEstimate::Seconds { seconds, range } = &m.steps[0].time else {
            panic!("{:?}", m.steps[0].time);
        };
        assert_eq!((*seconds, &text[range.clone()]), (7200, "≈ 2h"));
    }
}
