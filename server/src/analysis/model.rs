//! The spec model: plain data with byte ranges, assembled from syntax facts.
//!
//! Nothing here looks at raw lines for structure: every range starts from a block or span the
//! parser found. Small patterns (a label before a colon, a number after "Step") are read inside
//! the text of one such node.

use std::ops::Range;

use super::frontmatter::{self, FrontMatter};
use super::prose::StepMention;
pub use super::prose::{spec_id_of, split_label, Label, SpecRef};
use super::syntax::{BlockKind, Facts, SpanKind};
use super::time;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SectionKind {
    Prerequisites,
    Procedure,
    Rollback,
    SuccessCriteria,
    Monitoring,
    Troubleshooting,
    PostDeployment,
}

impl SectionKind {
    pub const ALL: [SectionKind; 7] = [
        SectionKind::Prerequisites,
        SectionKind::Procedure,
        SectionKind::Rollback,
        SectionKind::SuccessCriteria,
        SectionKind::Monitoring,
        SectionKind::Troubleshooting,
        SectionKind::PostDeployment,
    ];

    /// The name used in configuration (`[sections] required = [...]`).
    pub fn key(self) -> &'static str {
        match self {
            SectionKind::Prerequisites => "prerequisites",
            SectionKind::Procedure => "procedure",
            SectionKind::Rollback => "rollback",
            SectionKind::SuccessCriteria => "success-criteria",
            SectionKind::Monitoring => "monitoring",
            SectionKind::Troubleshooting => "troubleshooting",
            SectionKind::PostDeployment => "post-deployment",
        }
    }

    pub fn from_key(key: &str) -> Option<SectionKind> {
        SectionKind::ALL.into_iter().find(|k| k.key() == key)
    }

    /// The heading a scaffold for this section gets.
    pub fn heading(self) -> &'static str {
        match self {
            SectionKind::Prerequisites => "Prerequisites",
            SectionKind::Procedure => "Deployment Procedure",
            SectionKind::Rollback => "Rollback Procedure",
            SectionKind::SuccessCriteria => "Deployment Success Criteria",
            SectionKind::Monitoring => "Monitoring and Alerting",
            SectionKind::Troubleshooting => "Troubleshooting",
            SectionKind::PostDeployment => "Post-Deployment Actions",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum PrereqGroup {
    Infrastructure,
    CodeBuild,
    TeamAccess,
    Approvals,
}

impl PrereqGroup {
    pub const ALL: [PrereqGroup; 4] = [
        PrereqGroup::Infrastructure,
        PrereqGroup::CodeBuild,
        PrereqGroup::TeamAccess,
        PrereqGroup::Approvals,
    ];

    pub fn title(self) -> &'static str {
        match self {
            PrereqGroup::Infrastructure => "Infrastructure",
            PrereqGroup::CodeBuild => "Code & Build",
            PrereqGroup::TeamAccess => "Team & Access",
            PrereqGroup::Approvals => "Approvals",
        }
    }

    fn classify(heading: &str) -> Option<PrereqGroup> {
        let h = heading.to_lowercase();
        if h.contains("infrastructure") {
            Some(PrereqGroup::Infrastructure)
        } else if h.contains("code") || h.contains("build") {
            Some(PrereqGroup::CodeBuild)
        } else if h.contains("team") || h.contains("access") {
            Some(PrereqGroup::TeamAccess)
        } else if h.contains("approval") {
            Some(PrereqGroup::Approvals)
        } else {
            None
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Heading {
    pub level: u8,
    /// The whole heading, marker and underline included.
    pub range: Range<usize>,
    /// The heading text without markers or a closing `###`.
    pub text_range: Range<usize>,
    pub text: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Section {
    pub kind: SectionKind,
    /// Index into [`SpecModel::headings`].
    pub heading: usize,
    /// From the heading to the next heading of the same or a higher level.
    pub range: Range<usize>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TaskItem {
    pub checked: bool,
    pub struck: bool,
    /// The item's first line, from its list marker to the end of the line.
    pub line: Range<usize>,
    /// The `[ ]` / `[x]` marker.
    pub marker: Range<usize>,
    pub depth: u16,
    /// Index of the enclosing task item.
    pub parent: Option<usize>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TimeEstimate {
    Missing,
    Seconds { seconds: u64, range: Range<usize> },
    Unreadable { range: Range<usize> },
}

impl TimeEstimate {
    pub fn seconds(&self) -> Option<u64> {
        match self {
            TimeEstimate::Seconds { seconds, .. } => Some(*seconds),
            _ => None,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Step {
    pub number: u32,
    /// The digits of the step's number (what renumbering replaces).
    pub number_range: Range<usize>,
    pub title: String,
    /// The bold title or the heading text.
    pub title_range: Range<usize>,
    /// The block that opens the step (its paragraph or heading).
    pub head: Range<usize>,
    /// From the end of the head to the next step or heading.
    pub body: Range<usize>,
    pub time: TimeEstimate,
    pub has_command: bool,
    pub has_verification: bool,
    pub in_rollback: bool,
    pub is_heading: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StepRef {
    pub number: u32,
    /// `Step N`, both words.
    pub range: Range<usize>,
    /// Inside a step's own title.
    pub in_title: bool,
    /// In the same sentence as "rollback" / "roll back".
    pub rollback: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SuppressionKind {
    Disable,
    Enable,
    DisableNextLine,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Suppression {
    pub kind: SuppressionKind,
    /// Rule codes or names as written; empty means every rule.
    pub rules: Vec<(String, Range<usize>)>,
    pub range: Range<usize>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TroubleshootingEntry {
    pub heading: usize,
    pub range: Range<usize>,
    pub has_symptoms: bool,
    pub has_diagnosis: bool,
    pub has_fix: bool,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SpecModel {
    pub facts: Facts,
    pub front_matter: Option<FrontMatter>,
    /// Index of the first H1 in `headings`.
    pub title: Option<usize>,
    pub headings: Vec<Heading>,
    pub sections: Vec<Section>,
    pub prereq_groups: Vec<PrereqGroup>,
    /// `Component` / `Target` / `Owner` lines before the first H2.
    pub metadata: Vec<Label>,
    /// Every `Label:` line of prose, in order.
    pub labels: Vec<Label>,
    pub tasks: Vec<TaskItem>,
    pub steps: Vec<Step>,
    pub spec_refs: Vec<SpecRef>,
    pub step_refs: Vec<StepRef>,
    pub placeholders: Vec<Range<usize>>,
    pub suppressions: Vec<Suppression>,
    pub troubleshooting: Vec<TroubleshootingEntry>,
}

impl SpecModel {
    pub fn section(&self, kind: SectionKind) -> Option<&Section> {
        self.sections.iter().find(|s| s.kind == kind)
    }

    pub fn sections_of(&self, kind: SectionKind) -> impl Iterator<Item = &Section> {
        self.sections.iter().filter(move |s| s.kind == kind)
    }

    pub fn title_text(&self) -> Option<&str> {
        self.title.map(|i| self.headings[i].text.as_str())
    }

    /// Where the body of a section starts (after its heading).
    pub fn section_body(&self, s: &Section) -> Range<usize> {
        self.headings[s.heading].range.end..s.range.end
    }

    pub fn forward_seconds(&self) -> u64 {
        self.steps
            .iter()
            .filter(|s| !s.in_rollback)
            .filter_map(|s| s.time.seconds())
            // Estimates are the author's numbers, as large as they are written: saturate.
            .fold(0, u64::saturating_add)
    }

    pub fn rollback_seconds(&self) -> u64 {
        self.steps
            .iter()
            .filter(|s| s.in_rollback)
            .filter_map(|s| s.time.seconds())
            // Estimates are the author's numbers, as large as they are written: saturate.
            .fold(0, u64::saturating_add)
    }
}

/// Builds the model of `text` from its facts (ranges absolute in `text`).
pub fn build(text: &str, mut facts: Facts) -> SpecModel {
    let prose = std::mem::take(&mut facts.prose);
    let mut m = SpecModel::default();
    collect_headings(text, &facts, &mut m);
    collect_sections(text.len(), &mut m);
    let first_h2 = m
        .headings
        .iter()
        .find(|h| h.level >= 2)
        .map_or(text.len(), |h| h.range.start);
    m.metadata = prose
        .labels
        .iter()
        .take_while(|l| l.line.start < first_h2)
        .filter(|l| matches!(&*l.label, "component" | "target" | "owner"))
        .cloned()
        .collect();
    m.labels = prose.labels;
    m.spec_refs = prose.refs;
    m.placeholders = prose.placeholders;
    collect_tasks(text, &facts, &mut m);
    collect_steps(text, &facts, &mut m);
    collect_step_refs(text, prose.mentions, &prose.rollback_words, &mut m);
    collect_suppressions(text, &facts, &mut m);
    collect_troubleshooting(&mut m);
    if let Some(b) = facts
        .blocks
        .first()
        .filter(|b| b.kind == BlockKind::FrontMatter)
    {
        m.front_matter = Some(frontmatter::parse(text, b.range.clone()));
    }
    m.facts = facts;
    m
}

fn collect_headings(text: &str, facts: &Facts, m: &mut SpecModel) {
    for b in &facts.blocks {
        let BlockKind::Heading { level } = b.kind else {
            continue;
        };
        let text_range = heading_text(text, b.content.clone());
        m.headings.push(Heading {
            level,
            range: b.range.clone(),
            text: text[text_range.clone()].to_string(),
            text_range,
        });
    }
    m.title = m.headings.iter().position(|h| h.level == 1);
}

/// Trims a closing `###` sequence and surrounding space from a heading's inline text.
fn heading_text(text: &str, r: Range<usize>) -> Range<usize> {
    let s = &text[r.clone()];
    let mut t = s.trim_end();
    let without = t.trim_end_matches('#');
    if without.len() < t.len() && (without.is_empty() || without.ends_with([' ', '\t'])) {
        t = without.trim_end();
    }
    let lead = t.len() - t.trim_start().len();
    r.start + lead..r.start + t.len()
}

fn normalize_heading(h: &str) -> String {
    let h = h.trim().to_lowercase();
    // "5. Rollback" and "Phase 2 - Rollback" keep their keyword.
    let h = h.trim_start_matches(|c: char| c.is_ascii_digit() || c == '.' || c == ')' || c == ' ');
    h.trim_end_matches(':').trim().to_string()
}

fn classify_section(heading: &str, level: u8, inside_procedure: bool) -> Option<SectionKind> {
    // Inside the procedure a step heading is a step, whatever its title says: `### 5. Roll back
    // the migration` is step 5 (a rollback step only inside the rollback section). The step
    // number is read before `normalize_heading` strips it.
    if inside_procedure && parse_step_title(heading).is_some() {
        return None;
    }
    let h = normalize_heading(heading);
    let rollback = h.contains("rollback")
        || h.contains("roll back")
        || h.contains("rolling back")
        || h.contains("roll-back");
    if level == 3 && inside_procedure && rollback {
        return Some(SectionKind::Rollback);
    }
    if level != 2 {
        return None;
    }
    if h.contains("prerequisite") || h.contains("pre-requisite") {
        Some(SectionKind::Prerequisites)
    } else if rollback {
        Some(SectionKind::Rollback)
    } else if h.contains("deployment procedure")
        || h.contains("deployment steps")
        || h.starts_with("procedure")
    {
        Some(SectionKind::Procedure)
    } else if h.contains("success criteria") {
        Some(SectionKind::SuccessCriteria)
    } else if h.starts_with("monitoring") || h.contains("alerting") {
        Some(SectionKind::Monitoring)
    } else if h.starts_with("troubleshooting") {
        Some(SectionKind::Troubleshooting)
    } else if h.contains("after deployment")
        || h.starts_with("post-deployment")
        || h.starts_with("post deployment")
    {
        Some(SectionKind::PostDeployment)
    } else {
        None
    }
}

fn collect_sections(len: usize, m: &mut SpecModel) {
    // Where each heading's section ends: at the next heading of the same or a higher level.
    let mut ends = vec![len; m.headings.len()];
    let mut open: Vec<usize> = Vec::new();
    for (i, h) in m.headings.iter().enumerate() {
        while let Some(&j) = open.last() {
            if m.headings[j].level < h.level {
                break;
            }
            ends[j] = h.range.start;
            open.pop();
        }
        open.push(i);
    }
    let mut procedure: Option<Range<usize>> = None;
    for (i, h) in m.headings.iter().enumerate() {
        let end = ends[i];
        let inside = procedure
            .as_ref()
            .is_some_and(|p| p.contains(&h.range.start));
        if let Some(kind) = classify_section(&h.text, h.level, inside) {
            if kind == SectionKind::Procedure {
                procedure = Some(h.range.start..end);
            }
            m.sections.push(Section {
                kind,
                heading: i,
                range: h.range.start..end,
            });
        }
    }
    if let Some(pre) = m.section(SectionKind::Prerequisites).cloned() {
        for h in &m.headings {
            if h.level == 3 && pre.range.contains(&h.range.start) {
                if let Some(g) = PrereqGroup::classify(&h.text) {
                    if !m.prereq_groups.contains(&g) {
                        m.prereq_groups.push(g);
                    }
                }
            }
        }
    }
}

/// Spans of `kind` inside `r`, given spans sorted by start.
fn spans_in<'a>(
    facts: &'a Facts,
    r: Range<usize>,
    kind: SpanKind,
) -> impl Iterator<Item = Range<usize>> + 'a {
    let first = facts.spans.partition_point(|s| s.range.start < r.start);
    facts.spans[first..]
        .iter()
        .take_while(move |s| s.range.start < r.end)
        .filter(move |s| s.kind == kind && s.range.end <= r.end)
        .map(|s| s.range.clone())
}

fn collect_tasks(text: &str, facts: &Facts, m: &mut SpecModel) {
    // Stack of (depth, task index) for the enclosing task items.
    let mut stack: Vec<(u16, usize, usize)> = Vec::new();
    for b in &facts.blocks {
        let BlockKind::Task { checked, depth } = b.kind else {
            continue;
        };
        while stack
            .last()
            .is_some_and(|&(d, _, end)| d >= depth || end <= b.range.start)
        {
            stack.pop();
        }
        let line_end = text[b.range.clone()]
            .find(['\n', '\r'])
            .map_or(b.range.end, |i| b.range.start + i);
        let after_marker = b.content.end..line_end.max(b.content.end);
        let item_text = text[after_marker.clone()].trim();
        let struck = !item_text.is_empty()
            && spans_in(facts, after_marker.clone(), SpanKind::Strike).any(|s| {
                let covered = text[s.clone()].trim();
                covered.len() >= item_text.len()
            });
        let parent = stack.last().map(|&(_, i, _)| i);
        m.tasks.push(TaskItem {
            checked,
            struck,
            line: b.range.start..line_end,
            marker: b.content.clone(),
            depth,
            parent,
        });
        stack.push((depth, m.tasks.len() - 1, b.range.end));
    }
}

/// `Step 3: Deploy` / `Step 3 - Deploy` / `Step 3.` / `3. Deploy` → number and title offset.
fn parse_step_title(s: &str) -> Option<(u32, usize)> {
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

fn collect_steps(text: &str, facts: &Facts, m: &mut SpecModel) {
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

fn collect_step_refs(text: &str, mentions: Vec<StepMention>, words: &[usize], m: &mut SpecModel) {
    // Step titles, sorted by start (steps are in document order).
    let titles: Vec<Range<usize>> = m.steps.iter().map(|s| s.title_range.clone()).collect();
    let title_at = |o: usize| {
        let i = titles.partition_point(|r| r.start <= o);
        i > 0 && titles[i - 1].contains(&o)
    };
    // A step's own number ("Step 3" opening its title) defines the step; it is no reference.
    let opens_title = |o: usize| {
        let starts = |x: usize| titles.binary_search_by_key(&x, |r| r.start).is_ok();
        starts(o) || (o >= 2 && starts(o - 2) && text.as_bytes()[o - 2..].starts_with(b"**"))
    };
    let mut sentences = Vec::new();
    for mention in mentions {
        let start = mention.range.start;
        if opens_title(start) {
            continue;
        }
        m.step_refs.push(StepRef {
            number: mention.number,
            range: mention.range,
            in_title: title_at(start),
            rollback: false,
        });
        sentences.push(mention.sentence);
    }
    mark_rollback_refs(&mut m.step_refs, &sentences, words);
}

/// In each sentence that mentions rolling back, the `Step N` nearest to the keyword is the
/// rollback reference; the others are conditions ("If Step 3 fails, roll back with Step 8").
fn mark_rollback_refs(refs: &mut [StepRef], sentences: &[Range<usize>], words: &[usize]) {
    let mut i = 0;
    while i < refs.len() {
        let sentence = &sentences[i];
        let j = i + sentences[i..].iter().take_while(|s| *s == sentence).count();
        let lo = words.partition_point(|&w| w < sentence.start);
        let hi = words.partition_point(|&w| w < sentence.end);
        let keywords = &words[lo..hi];
        let distance = |r: &Range<usize>| {
            keywords
                .iter()
                .map(|&k| {
                    if k < r.start {
                        r.start - k
                    } else {
                        k.saturating_sub(r.end)
                    }
                })
                .min()
                .unwrap_or(usize::MAX)
        };
        if !keywords.is_empty() {
            if let Some(n) = (i..j).min_by_key(|&n| distance(&refs[n].range)) {
                refs[n].rollback = true;
            }
        }
        i = j;
    }
}

fn collect_suppressions(text: &str, facts: &Facts, m: &mut SpecModel) {
    for b in facts.blocks.iter().filter(|b| b.kind == BlockKind::Html) {
        let block = &text[b.range.clone()];
        let mut from = 0;
        while let Some(open) = block[from..].find("<!--") {
            let open = from + open;
            // `<!-->` and `<!--->` are complete (empty) comments in HTML and to tree-sitter-md:
            // the closing `-->` may overlap the opener, so search from just after `<!`.
            let Some(close) = block[open + 2..].find("-->") else {
                break;
            };
            let close = open + 2 + close;
            let inner_start = (open + 4).min(close);
            let inner = &block[inner_start..close];
            from = close + 3;
            let t = inner.trim_start();
            let lead = inner.len() - t.len();
            let (kind, word) = if let Some(r) = t.strip_prefix("deployspec-disable-next-line") {
                (SuppressionKind::DisableNextLine, r)
            } else if let Some(r) = t.strip_prefix("deployspec-disable") {
                (SuppressionKind::Disable, r)
            } else if let Some(r) = t.strip_prefix("deployspec-enable") {
                (SuppressionKind::Enable, r)
            } else {
                continue;
            };
            if word.starts_with(|c: char| !c.is_whitespace()) {
                continue;
            }
            let words_at = b.range.start + inner_start + lead + (t.len() - word.len());
            // Separators are any whitespace (an ideographic space is three bytes) or commas.
            let mut rules = Vec::new();
            let mut part_start = None;
            for (i, c) in word.char_indices().chain([(word.len(), ',')]) {
                let separator = c.is_whitespace() || c == ',';
                match part_start {
                    Some(s) if separator => {
                        rules.push((word[s..i].to_string(), words_at + s..words_at + i));
                        part_start = None;
                    }
                    None if !separator => part_start = Some(i),
                    _ => {}
                }
            }
            m.suppressions.push(Suppression {
                kind,
                rules,
                range: b.range.start + open..b.range.start + from,
            });
        }
    }
}

fn collect_troubleshooting(m: &mut SpecModel) {
    let Some(ts) = m.section(SectionKind::Troubleshooting).cloned() else {
        return;
    };
    let ts_level = m.headings[ts.heading].level;
    for (i, h) in m.headings.iter().enumerate() {
        if h.level <= ts_level || !ts.range.contains(&h.range.start) {
            continue;
        }
        let lower = h.text.to_lowercase();
        if !(lower.starts_with("issue") || lower.starts_with("problem")) {
            continue;
        }
        let end = m.headings[i + 1..]
            .iter()
            .find(|n| n.level <= h.level)
            .map_or(ts.range.end, |n| n.range.start)
            .min(ts.range.end);
        let range = h.range.start..end;
        let first = m.labels.partition_point(|l| l.line.start < range.start);
        let mut words: Vec<String> = m.labels[first..]
            .iter()
            .take_while(|l| l.line.start < range.end)
            .map(|l| l.label.to_string())
            .collect();
        words.extend(
            m.headings
                .iter()
                .filter(|s| s.level > h.level && range.contains(&s.range.start))
                .map(|s| s.text.to_lowercase()),
        );
        let has = |keys: &[&str]| words.iter().any(|w| keys.iter().any(|k| w.starts_with(k)));
        m.troubleshooting.push(TroubleshootingEntry {
            heading: i,
            range,
            has_symptoms: has(&["symptom"]),
            has_diagnosis: has(&["diagnos", "cause", "investigat"]),
            has_fix: has(&[
                "fix",
                "recover",
                "resolution",
                "resolve",
                "solution",
                "remediat",
            ]),
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
