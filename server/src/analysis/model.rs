//! The spec model: plain data with byte ranges, assembled from syntax facts.
//!
//! Nothing here looks at raw lines for structure: every range starts from a block or span the
//! parser found. Small patterns (a label before a colon, a number after "Step") are read inside
//! the text of one such node.

use std::ops::Range;

use super::frontmatter::{self, FrontMatter};
use super::prose::StepMention;
pub use super::prose::{spec_id_of, split_label, Label, SpecRef};
pub use super::sections::{SectionHeadings, BUILT_IN as BUILT_IN_HEADINGS};
use super::syntax::{BlockKind, Facts, SpanKind};
use super::{sections, steps};

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

    pub(super) fn classify(heading: &str) -> Option<PrereqGroup> {
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

/// How a step is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StepForm {
    /// `### Step 3: Deploy`, `## 3. Deploy`.
    Heading,
    /// A paragraph opening with `**Step 3: Deploy**`.
    Bold,
    /// A top-level `3.` / `3)` list item: its number is the list marker's.
    OrderedItem,
    /// A top-level bullet item `- Step 3: Deploy`.
    BulletItem,
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
    pub form: StepForm,
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

/// Builds the model of `text` from its facts (ranges absolute in `text`); `headings` names the
/// section kinds (the built-in phrases plus the configuration's `[sections.headings]`).
pub fn build(text: &str, mut facts: Facts, headings: &SectionHeadings) -> SpecModel {
    let prose = std::mem::take(&mut facts.prose);
    let mut m = SpecModel::default();
    collect_headings(text, &facts, &mut m);
    sections::collect_sections(text.len(), headings, &mut m);
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
    steps::collect_steps(text, &facts, &mut m);
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

/// Spans of `kind` inside `r`, given spans sorted by start.
pub(super) fn spans_in<'a>(
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
