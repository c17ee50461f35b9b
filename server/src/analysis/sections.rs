//! Section recognition: which headings open which kind of section, and where each section ends.
//!
//! A heading names a section kind when its title holds one of the kind's keywords or phrases
//! ([`BUILT_IN`], plus `[sections.headings]` from the configuration). Case, emoji, leading
//! numbers ("6. Production smoke test") and trailing colons do not matter. Which headings can
//! open a section at all is decided by their place, not their level:
//!
//! - a heading with no recognised section above it can: the document's sections may sit at H2,
//!   at H3/H4 under a single H2, or at H1 (an H1 per phase, where the title H1 can be one too);
//! - inside a recognised section, only a rollback, troubleshooting or follow-up heading one level
//!   below the procedure's heading opens a section (the canonical "### Rollback Procedure"), and
//!   never a numbered step heading ("### 5. Roll back the migration" is step 5) nor a phase
//!   ("### Post-Deployment (Verification Phase)"). Anything else nested in a section is part of
//!   it: an H3 "Verification" inside the procedure is a phase, not the success criteria.

use super::model::{PrereqGroup, Section, SectionKind, SpecModel};
use super::steps::parse_step_title;

/// The keywords and phrases that name each kind, in the order they are tried (the first kind
/// whose phrase a heading holds wins: "Pre-deployment steps" is prerequisites, "Rollback
/// procedure" rollback, "Post-release tasks" post-deployment, "Validation steps" success
/// criteria). A phrase matches whole words, in order, anywhere in the heading; a trailing `*`
/// lets its last word be the start of a longer one (`prerequisite*` matches "Prerequisites"); a
/// leading `=` asks for the whole title ("Deployment" is the procedure, "Badger deployment (on
/// hold)" is not).
/// A phrase in a script written without spaces (Chinese, Japanese) matches anywhere.
pub const BUILT_IN: &[(SectionKind, &[&str])] = &[
    (
        SectionKind::Prerequisites,
        &[
            "prerequisite*",
            "pre-requisite*",
            "before you begin",
            "before you start",
            "before starting",
            "before deploy*",
            "before release",
            "before the release",
            "before releasing",
            "pre-deployment",
            "pre-release",
            "requirements",
            "preparation",
            "prepare",
            "preparing",
            "准备",
        ],
    ),
    (
        SectionKind::Rollback,
        &[
            "rollback*",
            "roll back",
            "rolling back",
            "roll-back",
            "revert*",
            "downgrad*",
            "back-out",
            "backout",
            "back out",
            "回滚",
        ],
    ),
    (
        SectionKind::PostDeployment,
        &[
            "after deploy*",
            "after the deploy*",
            "after release",
            "after the release",
            "post-deployment",
            "post deployment",
            "post-release",
            "post release",
            "cleanup",
            "clean up",
            "clean-up",
            "follow-up",
            "follow up",
            "next steps",
        ],
    ),
    (
        SectionKind::Troubleshooting,
        &[
            "troubleshoot*",
            "common problems",
            "common issues",
            "known issues",
            "known problems",
            "mitigation*",
            "故障",
            "常见问题",
        ],
    ),
    (
        SectionKind::Monitoring,
        &[
            "monitoring",
            "monitor",
            "alerting",
            "alerts",
            "dashboards",
            "dashboard",
            "observability",
            "监控",
        ],
    ),
    (
        SectionKind::SuccessCriteria,
        &[
            "success criteria",
            "verification",
            "verify",
            "verifying",
            "validation",
            "validate",
            "smoke test*",
            "acceptance",
            "验证",
        ],
    ),
    (
        SectionKind::Procedure,
        &[
            "procedure*",
            "steps",
            "release process",
            "upgrade process",
            "how to deploy",
            "how to release",
            "how to upgrade",
            "how to cut",
            "how to do a release",
            "deploying",
            "=deployment",
            "=deployment process",
            "deploy steps",
            "rollout",
            "rolling out",
            "release day",
            "day of release",
            "executing the release",
            "create the release",
            "creating the release",
            "cut the release",
            "cutting the release",
            "发布过程",
            "发布流程",
            "发版流程",
            "部署步骤",
            "部署流程",
        ],
    ),
];

/// One phrase, ready to match: lower-cased words, or a substring for scripts without spaces.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Phrase {
    words: Vec<String>,
    /// The phrase must be the whole title.
    whole: bool,
    /// The last word may be the start of a longer one.
    stem: bool,
    /// Match anywhere in the heading (the phrase has CJK characters).
    anywhere: Option<String>,
}

impl Phrase {
    fn new(p: &str) -> Option<Phrase> {
        let p = p.trim();
        let (p, whole) = match p.strip_prefix('=') {
            Some(s) => (s, true),
            None => (p, false),
        };
        let (p, stem) = match p.trim().strip_suffix('*') {
            Some(s) => (s, true),
            None => (p.trim(), false),
        };
        let lower = p.to_lowercase();
        if lower.chars().any(is_unspaced_script) {
            let squeezed: String = lower.chars().filter(|c| !c.is_whitespace()).collect();
            return (!squeezed.is_empty()).then_some(Phrase {
                words: Vec::new(),
                whole,
                stem,
                anywhere: Some(squeezed),
            });
        }
        let words = words_of(&lower);
        (!words.is_empty()).then_some(Phrase {
            words,
            whole,
            stem,
            anywhere: None,
        })
    }

    fn matches(&self, heading: &NormalHeading) -> bool {
        if let Some(s) = &self.anywhere {
            return if self.whole {
                heading.squeezed == *s
            } else {
                heading.squeezed.contains(s.as_str())
            };
        }
        let n = self.words.len();
        if self.whole && heading.words.len() != n {
            return false;
        }
        heading.words.windows(n).any(|w| {
            w.iter().zip(&self.words).enumerate().all(|(i, (h, p))| {
                if self.stem && i + 1 == n {
                    h.starts_with(p.as_str())
                } else {
                    h == p
                }
            })
        })
    }
}

/// Han, kana, hangul and their punctuation: scripts whose headings need not separate words.
fn is_unspaced_script(c: char) -> bool {
    matches!(c as u32, 0x2E80..=0x9FFF | 0xAC00..=0xD7AF | 0xF900..=0xFAFF | 0xFF00..=0xFFEF)
}

/// Lower-cased words: runs of letters and digits, with `-` and `'` splitting too
/// ("Pre-deployment" is "pre", "deployment"; "roll-back" is "roll", "back").
fn words_of(s: &str) -> Vec<String> {
    s.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

/// A heading's title, ready for phrase matching.
struct NormalHeading {
    words: Vec<String>,
    /// Lower case without whitespace, for phrases in scripts without spaces.
    squeezed: String,
}

impl NormalHeading {
    fn new(title: &str) -> NormalHeading {
        let lower = title.to_lowercase();
        NormalHeading {
            // Emoji, leading numbers ("6.", "7.1"), colons and `code` marks are not letters, and
            // numbers never appear in a phrase: splitting on non-letters drops them all.
            words: words_of(&lower),
            squeezed: lower.chars().filter(|c| !c.is_whitespace()).collect(),
        }
    }
}

/// The headings that name each section kind: the built-in phrases and, first, those the
/// configuration adds (`[sections.headings]`, in any language).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SectionHeadings {
    /// In the order they are tried.
    phrases: Vec<(SectionKind, Phrase)>,
}

impl Default for SectionHeadings {
    fn default() -> Self {
        SectionHeadings::with_extra(&[])
    }
}

impl SectionHeadings {
    /// The built-in phrases alone, built once (for parses that need no configuration: a spec's
    /// head for the index, references in unopened files).
    pub fn built_in() -> &'static SectionHeadings {
        static BUILT: std::sync::OnceLock<SectionHeadings> = std::sync::OnceLock::new();
        BUILT.get_or_init(SectionHeadings::default)
    }

    /// The built-in phrases after `extra` (kind, heading as written in the configuration).
    /// Configured headings are tried first, so a team's own word wins over a built-in one.
    pub fn with_extra(extra: &[(SectionKind, String)]) -> SectionHeadings {
        let configured = extra.iter().map(|(k, p)| (*k, p.as_str()));
        let built_in = BUILT_IN
            .iter()
            .flat_map(|(k, ps)| ps.iter().map(move |p| (*k, *p)));
        SectionHeadings {
            phrases: configured
                .chain(built_in)
                .filter_map(|(k, p)| Some((k, Phrase::new(p)?)))
                .collect(),
        }
    }

    /// The kind a heading title names, if any.
    pub fn classify(&self, title: &str) -> Option<SectionKind> {
        let h = NormalHeading::new(title);
        self.phrases
            .iter()
            .find(|(_, p)| p.matches(&h))
            .map(|(k, _)| *k)
    }
}

/// "Preparation" and "prepare" name prerequisites only before the procedure: after it, "Prepare
/// the release artifacts" is one of its parts.
fn only_before_procedure(title: &str) -> bool {
    let h = NormalHeading::new(title);
    let strong = ["prerequisite", "pre", "before", "requirements"];
    !h.words
        .iter()
        .any(|w| strong.iter().any(|s| w.starts_with(s)))
}

pub(super) fn collect_sections(len: usize, headings: &SectionHeadings, m: &mut SpecModel) {
    // Where each heading's section ends (the next heading of the same or a higher level), and
    // its parent heading.
    let mut ends = vec![len; m.headings.len()];
    let mut parents: Vec<Option<usize>> = vec![None; m.headings.len()];
    let mut open: Vec<usize> = Vec::new();
    for (i, h) in m.headings.iter().enumerate() {
        while let Some(&j) = open.last() {
            if m.headings[j].level < h.level {
                break;
            }
            ends[j] = h.range.start;
            open.pop();
        }
        parents[i] = open.last().copied();
        open.push(i);
    }
    // The title H1 names a section only where the document has an H1 per phase.
    let several_h1 = m.headings.iter().filter(|h| h.level == 1).count() > 1;
    // The recognised section each heading opened, by heading.
    let mut opened: Vec<Option<SectionKind>> = vec![None; m.headings.len()];
    let mut procedure_seen = false;
    for (i, h) in m.headings.iter().enumerate() {
        if Some(i) == m.title && !several_h1 {
            continue;
        }
        // The nearest enclosing heading that opened a section.
        let mut up = parents[i];
        while let Some(p) = up.filter(|&p| opened[p].is_none()) {
            up = parents[p];
        }
        let Some(kind) = headings.classify(&h.text) else {
            continue;
        };
        if let Some(p) = up {
            // Inside a section, only the procedure's rollback, troubleshooting and follow-up,
            // one level down, open sections of their own; a numbered step heading stays a step
            // whatever its title says, and a "… Phase" heading is a phase of the procedure.
            let nested = opened[p] == Some(SectionKind::Procedure)
                && h.level == m.headings[p].level + 1
                && parse_step_title(&h.text).is_none()
                && match kind {
                    SectionKind::Rollback => true,
                    SectionKind::Troubleshooting | SectionKind::PostDeployment => {
                        !NormalHeading::new(&h.text)
                            .words
                            .iter()
                            .any(|w| w == "phase")
                    }
                    _ => false,
                };
            if !nested {
                continue;
            }
        }
        if kind == SectionKind::Prerequisites && procedure_seen && only_before_procedure(&h.text) {
            continue;
        }
        if kind == SectionKind::Procedure {
            // A procedure heading right after the procedure, at its level, continues it: an
            // overview ("Procedure": a list of links) followed by its parts ("Deployment").
            if let Some(prev) = m.sections.last_mut().filter(|s| {
                s.kind == SectionKind::Procedure
                    && s.range.end == h.range.start
                    && m.headings[s.heading].level == h.level
            }) {
                prev.range.end = ends[i];
                continue;
            }
            procedure_seen = true;
        }
        opened[i] = Some(kind);
        m.sections.push(Section {
            kind,
            heading: i,
            range: h.range.start..ends[i],
        });
    }
    if let Some(pre) = m.section(SectionKind::Prerequisites).cloned() {
        let level = m.headings[pre.heading].level;
        for h in &m.headings {
            if h.level == level + 1 && pre.range.contains(&h.range.start) {
                if let Some(g) = PrereqGroup::classify(&h.text) {
                    if !m.prereq_groups.contains(&g) {
                        m.prereq_groups.push(g);
                    }
                }
            }
        }
    }
}
