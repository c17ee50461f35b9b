//! The rule catalogue: one module per rule (`DP020` → `dp020_step_without_time.rs`), each a
//! plain function from the spec model to findings.

use std::ops::Range;

use crate::analysis::model::SpecModel;
use crate::analysis::FileKind;
use crate::config::Config;
use crate::diagnostic::{Finding, Severity};
use crate::index::SpecIndex;

mod dp001_missing_section;
mod dp002_missing_metadata;
mod dp003_incomplete_prerequisites;
mod dp010_unchecked_prerequisite;
mod dp011_inconsistent_checklist;
mod dp020_step_without_time;
mod dp021_step_numbering;
mod dp022_unreadable_time;
mod dp023_unknown_step;
mod dp024_misdirected_rollback_reference;
mod dp025_step_without_detail;
mod dp030_broken_reference;
mod dp031_duplicate_spec_id;
mod dp040_placeholder;
mod dp041_empty_section;
mod dp050_slow_rollback;
mod dp060_incomplete_troubleshooting_entry;
mod dp070_unknown_rule_in_suppression;

/// A rule of the catalogue. Codes and names are stable: configuration and suppression comments
/// use them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Rule {
    MissingSection,
    MissingMetadata,
    IncompletePrerequisites,
    UncheckedPrerequisite,
    InconsistentChecklist,
    StepWithoutTime,
    StepNumbering,
    UnreadableTime,
    UnknownStep,
    MisdirectedRollbackReference,
    StepWithoutDetail,
    BrokenReference,
    DuplicateSpecId,
    Placeholder,
    EmptySection,
    SlowRollback,
    IncompleteTroubleshootingEntry,
    UnknownRuleInSuppression,
}

pub struct RuleInfo {
    pub code: &'static str,
    pub name: &'static str,
    pub default: Severity,
    /// Applies to deployment-procedure specs only (the others apply to every spec).
    pub deployment_only: bool,
    pub summary: &'static str,
    /// What `deployspec explain` prints: what it checks, why, how to fix.
    pub explanation: &'static str,
}

impl Rule {
    pub const ALL: [Rule; 18] = [
        Rule::MissingSection,
        Rule::MissingMetadata,
        Rule::IncompletePrerequisites,
        Rule::UncheckedPrerequisite,
        Rule::InconsistentChecklist,
        Rule::StepWithoutTime,
        Rule::StepNumbering,
        Rule::UnreadableTime,
        Rule::UnknownStep,
        Rule::MisdirectedRollbackReference,
        Rule::StepWithoutDetail,
        Rule::BrokenReference,
        Rule::DuplicateSpecId,
        Rule::Placeholder,
        Rule::EmptySection,
        Rule::SlowRollback,
        Rule::IncompleteTroubleshootingEntry,
        Rule::UnknownRuleInSuppression,
    ];

    pub fn info(self) -> &'static RuleInfo {
        match self {
            Rule::MissingSection => &dp001_missing_section::INFO,
            Rule::MissingMetadata => &dp002_missing_metadata::INFO,
            Rule::IncompletePrerequisites => &dp003_incomplete_prerequisites::INFO,
            Rule::UncheckedPrerequisite => &dp010_unchecked_prerequisite::INFO,
            Rule::InconsistentChecklist => &dp011_inconsistent_checklist::INFO,
            Rule::StepWithoutTime => &dp020_step_without_time::INFO,
            Rule::StepNumbering => &dp021_step_numbering::INFO,
            Rule::UnreadableTime => &dp022_unreadable_time::INFO,
            Rule::UnknownStep => &dp023_unknown_step::INFO,
            Rule::MisdirectedRollbackReference => &dp024_misdirected_rollback_reference::INFO,
            Rule::StepWithoutDetail => &dp025_step_without_detail::INFO,
            Rule::BrokenReference => &dp030_broken_reference::INFO,
            Rule::DuplicateSpecId => &dp031_duplicate_spec_id::INFO,
            Rule::Placeholder => &dp040_placeholder::INFO,
            Rule::EmptySection => &dp041_empty_section::INFO,
            Rule::SlowRollback => &dp050_slow_rollback::INFO,
            Rule::IncompleteTroubleshootingEntry => &dp060_incomplete_troubleshooting_entry::INFO,
            Rule::UnknownRuleInSuppression => &dp070_unknown_rule_in_suppression::INFO,
        }
    }

    pub fn code(self) -> &'static str {
        self.info().code
    }

    pub fn name(self) -> &'static str {
        self.info().name
    }

    /// Looks a rule up by code (`DP010`, any case) or name (`unchecked-prerequisite`).
    pub fn lookup(key: &str) -> Option<Rule> {
        let key = key.trim();
        Rule::ALL
            .into_iter()
            .find(|r| r.code().eq_ignore_ascii_case(key) || r.name() == key)
    }
}

/// What every rule gets to look at.
pub struct RuleContext<'a> {
    pub text: &'a str,
    pub model: &'a SpecModel,
    pub config: &'a Config,
    pub index: &'a SpecIndex,
    pub file: &'a FileKind,
}

/// Collects findings with the rule's code and default severity; severities from configuration and
/// suppressions are applied afterwards, in one place.
pub struct Sink {
    rule: Rule,
    pub findings: Vec<Finding>,
}

impl Sink {
    pub fn report(&mut self, range: Range<usize>, message: impl Into<String>) {
        self.report_with(range, self.rule.info().default, message);
    }

    pub fn report_with(
        &mut self,
        range: Range<usize>,
        severity: Severity,
        message: impl Into<String>,
    ) {
        self.findings.push(Finding {
            rule: self.rule,
            severity,
            range,
            message: message.into(),
        });
    }
}

type Check = fn(&RuleContext, &mut Sink);

fn check_fn(rule: Rule) -> Check {
    match rule {
        Rule::MissingSection => dp001_missing_section::check,
        Rule::MissingMetadata => dp002_missing_metadata::check,
        Rule::IncompletePrerequisites => dp003_incomplete_prerequisites::check,
        Rule::UncheckedPrerequisite => dp010_unchecked_prerequisite::check,
        Rule::InconsistentChecklist => dp011_inconsistent_checklist::check,
        Rule::StepWithoutTime => dp020_step_without_time::check,
        Rule::StepNumbering => dp021_step_numbering::check,
        Rule::UnreadableTime => dp022_unreadable_time::check,
        Rule::UnknownStep => dp023_unknown_step::check,
        Rule::MisdirectedRollbackReference => dp024_misdirected_rollback_reference::check,
        Rule::StepWithoutDetail => dp025_step_without_detail::check,
        Rule::BrokenReference => dp030_broken_reference::check,
        Rule::DuplicateSpecId => dp031_duplicate_spec_id::check,
        Rule::Placeholder => dp040_placeholder::check,
        Rule::EmptySection => dp041_empty_section::check,
        Rule::SlowRollback => dp050_slow_rollback::check,
        Rule::IncompleteTroubleshootingEntry => dp060_incomplete_troubleshooting_entry::check,
        Rule::UnknownRuleInSuppression => dp070_unknown_rule_in_suppression::check,
    }
}

/// Runs every enabled rule that applies to the file. A Markdown file that is no spec (no ID, not
/// a deployment procedure: a README beside the specs) gets none: an editor opens those too.
pub fn run(ctx: &RuleContext) -> Vec<Finding> {
    let mut out = Vec::new();
    if !ctx.file.deployment && ctx.file.id.is_none() {
        return out;
    }
    for rule in Rule::ALL {
        if rule.info().deployment_only && !ctx.file.deployment {
            continue;
        }
        if ctx.config.severity(rule).is_none() {
            continue;
        }
        let mut sink = Sink {
            rule,
            findings: Vec::new(),
        };
        check_fn(rule)(ctx, &mut sink);
        out.append(&mut sink.findings);
    }
    out
}

/// The range findings about the whole document point at: the title, else the first line.
pub fn document_anchor(ctx: &RuleContext) -> Range<usize> {
    if let Some(t) = ctx.model.title {
        return ctx.model.headings[t].text_range.clone();
    }
    let start = ctx
        .model
        .front_matter
        .as_ref()
        .map_or(0, |f| f.range.end)
        .min(ctx.text.len());
    let rest = &ctx.text[start..];
    let skip = rest.len() - rest.trim_start().len();
    let line_start = start + skip;
    let end = ctx.text[line_start..]
        .find(['\n', '\r'])
        .map_or(ctx.text.len(), |i| line_start + i);
    line_start..end
}
