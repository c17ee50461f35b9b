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
    !h.words.iter().any(|w| {
        matches!(w.as_str(), "pre" | "before" | "requirements") || w.starts_with("prerequisite")
    })
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::{document, model};

    fn kinds_with(text: &str, headings: &SectionHeadings) -> Vec<(SectionKind, String)> {
        let m = model::build(text, document::parse_whole(text), headings);
        m.sections
            .iter()
            .map(|s| (s.kind, m.headings[s.heading].text.clone()))
            .collect()
    }

    fn kinds(text: &str) -> Vec<(SectionKind, String)> {
        kinds_with(text, SectionHeadings::built_in())
    }

    fn classify(title: &str) -> Option<SectionKind> {
        SectionHeadings::built_in().classify(title)
    }

    use SectionKind::*;

    #[test]
    fn each_kind_by_its_phrases() {
        for (title, kind) in [
            ("Prerequisites", Prerequisites),
            ("Before you begin", Prerequisites),
            ("Preparation", Prerequisites),
            ("Pre-deployment checklist", Prerequisites),
            ("Requirements", Prerequisites),
            ("10 Days before release", Prerequisites),
            ("Steps", Procedure),
            ("Release process", Procedure),
            ("Upgrade procedure", Procedure),
            ("How to deploy", Procedure),
            ("Migration steps", Procedure),
            ("Deployment", Procedure),
            ("Deploying", Procedure),
            ("Rolling back", Rollback),
            ("Reverting", Rollback),
            ("Downgrade", Rollback),
            ("Back-out plan", Rollback),
            ("Rollback Procedure", Rollback),
            ("Verification", SuccessCriteria),
            ("Validation steps", SuccessCriteria),
            ("Smoke tests", SuccessCriteria),
            ("Deployment Success Criteria", SuccessCriteria),
            ("Monitoring and Alerting", Monitoring),
            ("Dashboards", Monitoring),
            ("Alerts", Monitoring),
            ("Common problems", Troubleshooting),
            ("Known issues", Troubleshooting),
            ("Mitigation", Troubleshooting),
            ("Troubleshooting the deployment", Troubleshooting),
            ("Cleanup", PostDeployment),
            ("Post-release tasks", PostDeployment),
            ("Follow-up", PostDeployment),
            ("After Deployment", PostDeployment),
            ("Post-deployment steps", PostDeployment),
            ("发布过程", Procedure),
            ("1. 发版准备", Prerequisites),
            ("验证发布物料", SuccessCriteria),
        ] {
            assert_eq!(classify(title), Some(kind), "{title}");
        }
    }

    #[test]
    fn emoji_numbers_colons_and_case_are_ignored() {
        for title in [
            "🔙 Rollback",
            "ROLLBACK:",
            "5. Rollback",
            "7.1 Rolling back ⏪",
            "`Rollback`",
        ] {
            assert_eq!(classify(title), Some(Rollback), "{title}");
        }
        assert_eq!(classify("6. Production smoke test"), Some(SuccessCriteria));
        assert_eq!(classify("✅ Verification:"), Some(SuccessCriteria));
    }

    #[test]
    fn words_are_whole_words() {
        // Keywords inside other words, or a step's imperative, name no section.
        for title in [
            "Environments",
            "Deploy Production",
            "Badger deployment (on hold for the moment)",
            "Experimental deployment process",
            "Holding deployment of other applications",
            "Report Issues & Status",
            "Stepping stones",
            "Monitors' lounge",
            "Test Stage",
            "Overview",
            "Release schedule",
            "",
            "🚀",
        ] {
            assert_eq!(classify(title), None, "{title}");
        }
        assert_eq!(classify("Monitors"), None);
        assert_eq!(classify("Reverted changes"), Some(Rollback));
    }

    #[test]
    fn the_template_dialect_at_h2_with_rollback_at_h3() {
        let text = "# T\n\n## Prerequisites\n\n### Infrastructure\n\n## Deployment Procedure\n\n### Phase 1\n\n**Step 1: Go**\n\n### Rollback Procedure\n\n**Step 2: Back**\n\n## Deployment Success Criteria\n\n## Monitoring and Alerting\n\n## Troubleshooting\n\n## After Deployment\n";
        assert_eq!(
            kinds(text).iter().map(|k| k.0).collect::<Vec<_>>(),
            SectionKind::ALL
        );
        let m = model::build(
            text,
            document::parse_whole(text),
            SectionHeadings::built_in(),
        );
        assert_eq!(m.prereq_groups, [PrereqGroup::Infrastructure]);
    }

    #[test]
    fn nested_headings_belong_to_their_section() {
        let text = "# T\n\n## Deployment Procedure\n\n### Verification\n\n### Monitoring the rollout\n\n### Post-Deployment (Verification Phase)\n\n### 5. Roll back the migration\n\n#### Rollback\n\n## Troubleshooting\n\n### Rollback\n";
        // Only the procedure and troubleshooting: the H3s inside the procedure are its phases,
        // step 5 is a step, the H4 is inside a step, the rollback H3 is a fix inside
        // troubleshooting.
        assert_eq!(
            kinds(text),
            [
                (Procedure, "Deployment Procedure".to_string()),
                (Troubleshooting, "Troubleshooting".to_string())
            ]
        );
        // One level below the procedure: its rollback, troubleshooting and follow-up.
        let text = "# T\n\n### Deploying from CodeCommit\n\n#### Making changes before deployment\n\n#### Rolling back\n\n#### After deploying the change\n\n#### Troubleshooting\n";
        assert_eq!(
            kinds(text).iter().map(|k| k.0).collect::<Vec<_>>(),
            [Procedure, Rollback, PostDeployment, Troubleshooting]
        );
    }

    #[test]
    fn sections_at_the_level_the_document_uses() {
        // H3 under the title only; H4 only.
        let text = "# Release checklist\n\n### A week before the release\n\n### Final release preparation\n\n### Executing the release\n\n### Post-release\n";
        assert_eq!(
            kinds(text).iter().map(|k| k.0).collect::<Vec<_>>(),
            [Prerequisites, Prerequisites, Procedure, PostDeployment]
        );
        let text = "#### Background\n\n#### Prerequisites\n\n#### Procedure\n\n1. [Deployment](#deployment)\n\n#### Deployment\n\n1. Push\n\n#### Operation\n";
        let m = model::build(
            text,
            document::parse_whole(text),
            SectionHeadings::built_in(),
        );
        assert_eq!(
            m.sections.iter().map(|s| s.kind).collect::<Vec<_>>(),
            [Prerequisites, Procedure]
        );
        // The overview and the "Deployment" part right after it are one procedure.
        assert_eq!(
            &text[m.sections[1].range.clone()],
            "#### Procedure\n\n1. [Deployment](#deployment)\n\n#### Deployment\n\n1. Push\n\n"
        );
        // H3 under an H2 that names no section.
        let text = "# T\n\n## Experimental deployment process\n\n### Deployment\n\n### Rollback\n\n## Misc\n\n### Known issues\n";
        assert_eq!(
            kinds(text).iter().map(|k| k.0).collect::<Vec<_>>(),
            [Procedure, Rollback, Troubleshooting]
        );
    }

    #[test]
    fn an_h1_per_phase() {
        // Several H1s: each is a section heading, the title too.
        let text = "curl release procedure\n======================\n\n- tag\n\nrollback\n========\n\n- revert\n";
        assert_eq!(
            kinds(text).iter().map(|k| k.0).collect::<Vec<_>>(),
            [Procedure, Rollback]
        );
        // One H1 is the title, whatever it says.
        let text = "# Rollback of the 2024 outage\n\n## Steps\n";
        assert_eq!(kinds(text), [(Procedure, "Steps".to_string())]);
    }

    #[test]
    fn preparation_after_the_procedure_is_part_of_it() {
        let text = "# T\n\n## Preparation\n\n## Release process\n\n## Prepare the release artifacts\n\n## 准备所有发布物料\n\n## Prerequisites\n";
        assert_eq!(
            kinds(text).iter().map(|k| k.0).collect::<Vec<_>>(),
            // "Prerequisites" says what it is wherever it stands.
            [Prerequisites, Procedure, Prerequisites]
        );
    }

    /// The README's phrase table is the documentation of [`BUILT_IN`]: it must list each phrase
    /// in the kind's row.
    #[test]
    fn the_readme_lists_every_built_in_phrase() {
        let readme = include_str!("../../../README.md");
        for (kind, phrases) in BUILT_IN {
            let row = readme
                .lines()
                .find(|l| l.starts_with(&format!("| {} | ", kind.key())))
                .unwrap_or_else(|| panic!("README has no phrase row for {}", kind.key()));
            for p in *phrases {
                assert!(
                    row.contains(&format!("`{p}`")),
                    "README's {} row lacks `{p}`",
                    kind.key()
                );
            }
        }
    }

    #[test]
    fn configured_headings_in_french_and_japanese() {
        let text = "# Mise en production\n\n## Étapes préalables\n\n## Déroulement\n\n## Retour arrière\n\n## 切り戻し手順\n\n## 監視\n";
        assert_eq!(kinds(text), []);
        let extra: Vec<(SectionKind, String)> = [
            (Prerequisites, "Étapes préalables"),
            (Procedure, "déroulement"),
            (Rollback, "Retour arrière"),
            (Rollback, "切り戻し"),
            (Monitoring, "監視"),
        ]
        .into_iter()
        .map(|(k, s)| (k, s.to_string()))
        .collect();
        let headings = SectionHeadings::with_extra(&extra);
        assert_eq!(
            kinds_with(text, &headings)
                .iter()
                .map(|k| k.0)
                .collect::<Vec<_>>(),
            [Prerequisites, Procedure, Rollback, Rollback, Monitoring]
        );
        // Case and accents as written; a word of the phrase must be whole.
        assert_eq!(headings.classify("RETOUR ARRIÈRE :"), Some(Rollback));
        assert_eq!(headings.classify("Retour arrièré"), None);
        assert_eq!(headings.classify("Le déroulement prévu"), Some(Procedure));
        // Configured phrases are tried first: a team's word wins over a built-in one.
        let headings = SectionHeadings::with_extra(&[(Procedure, "Deployment checklist".into())]);
        assert_eq!(headings.classify("Deployment checklist"), Some(Procedure));
        assert_eq!(
            SectionHeadings::built_in().classify("Pre-deployment checklist"),
            Some(Prerequisites)
        );
    }
}
