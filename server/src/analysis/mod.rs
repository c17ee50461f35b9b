//! The analysis core: text in, spec model and findings out. No I/O, no protocol types; the CLI
//! and the language server both call [`analyze`], so they cannot disagree.

pub mod document;
pub mod frontmatter;
pub mod model;
pub mod placement;
pub mod prose;
pub mod regions;
mod sections;
mod steps;
pub mod syntax;
pub mod time;

use std::path::{Path, PathBuf};

use crate::config::Config;
use crate::diagnostic::Finding;
use crate::index::{self, SpecIndex};
use crate::position::LineIndex;
use crate::rules::{self, Rule, RuleContext};
use document::RegionCache;
use model::{SpecModel, SuppressionKind};

/// What the analysis knows about the file a text came from.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FileKind {
    pub path: Option<PathBuf>,
    /// The spec's own ID (front matter `id:` or the file name).
    pub id: Option<String>,
    /// Whether the deployment-procedure rules apply.
    pub deployment: bool,
}

impl FileKind {
    /// `explicit`: the file was named on the command line, which opts it into every rule.
    pub fn classify(path: Option<&Path>, explicit: bool, model: &SpecModel) -> FileKind {
        let fm = model.front_matter.as_ref();
        let name = path
            .and_then(|p| p.file_name())
            .map(|n| n.to_string_lossy().to_string());
        let deployment = explicit
            || fm.and_then(|f| f.get("type")) == Some("deployment-procedure")
            || path.is_some_and(|p| {
                p.components()
                    .any(|c| c.as_os_str() == "deployment-procedure")
            })
            || name.as_deref().is_some_and(|n| n.starts_with("deploy-"));
        let id = fm
            .and_then(|f| f.get("id"))
            .and_then(model::spec_id_of)
            .or_else(|| name.as_deref().and_then(index::id_from_file_name));
        FileKind {
            path: path.map(Path::to_path_buf),
            id,
            deployment,
        }
    }
}

#[derive(Clone, Debug)]
pub struct Analysis {
    pub model: SpecModel,
    pub file: FileKind,
    /// Sorted by position.
    pub findings: Vec<Finding>,
}

/// Where a text comes from and how to check it.
pub struct Input<'a> {
    pub text: &'a str,
    pub path: Option<&'a Path>,
    pub explicit: bool,
    pub config: &'a Config,
    pub index: &'a SpecIndex,
}

/// Analyses `input.text`, reusing the parse of unchanged regions from `cache`.
pub fn analyze(input: &Input, cache: &mut RegionCache) -> Analysis {
    let (facts, _) = document::parse_facts(input.text, cache);
    analyze_facts(input, facts)
}

/// Analyses a text whose facts are already parsed.
pub fn analyze_facts(input: &Input, facts: syntax::Facts) -> Analysis {
    let model = model::build(input.text, facts, &input.config.sections.headings);
    let file = FileKind::classify(input.path, input.explicit, &model);
    let ctx = RuleContext {
        text: input.text,
        model: &model,
        config: input.config,
        index: input.index,
        file: &file,
    };
    let mut findings = rules::run(&ctx);
    apply_config_and_suppressions(input.text, &model, input.config, &mut findings);
    findings.sort_by(|a, b| {
        (a.range.start, a.range.end, a.rule).cmp(&(b.range.start, b.range.end, b.rule))
    });
    Analysis {
        model,
        file,
        findings,
    }
}

/// One-shot analysis (CLI, tests): a single whole-document parse, which costs less than
/// parsing regions when nothing is reused. `tests/regions_differential.rs` proves both parses give
/// the same facts, so this and [`analyze`] always agree.
pub fn analyze_text(input: &Input) -> Analysis {
    analyze_facts(input, document::parse_whole(input.text))
}

fn apply_config_and_suppressions(
    text: &str,
    model: &SpecModel,
    config: &Config,
    findings: &mut Vec<Finding>,
) {
    for f in findings.iter_mut() {
        if config.overridden(f.rule) {
            if let Some(s) = config.severity(f.rule) {
                f.severity = s;
            }
        }
    }
    if model.suppressions.is_empty() {
        return;
    }
    let lines = LineIndex::new(text);
    // (first line, last line, rules) that each suppression covers; empty rules = all.
    let mut spans: Vec<(usize, usize, Vec<Rule>, bool)> = Vec::new();
    let mut open: Vec<(usize, Vec<Rule>, bool)> = Vec::new();
    for s in &model.suppressions {
        let rules: Vec<Rule> = s
            .rules
            .iter()
            .filter_map(|(n, _)| Rule::lookup(n))
            .collect();
        let all = s.rules.is_empty();
        let end_line = lines.line_of(s.range.end.saturating_sub(1));
        match s.kind {
            SuppressionKind::DisableNextLine => {
                spans.push((end_line + 1, end_line + 1, rules, all));
            }
            SuppressionKind::Disable => open.push((end_line, rules, all)),
            SuppressionKind::Enable => {
                let start_line = lines.line_of(s.range.start);
                let mut keep = Vec::new();
                for (from, r, a) in open.drain(..) {
                    let closes = all || a || r.iter().any(|x| rules.contains(x));
                    if closes {
                        spans.push((from, start_line, r, a));
                    } else {
                        keep.push((from, r, a));
                    }
                }
                open = keep;
            }
        }
    }
    for (from, r, a) in open {
        spans.push((from, usize::MAX, r, a));
    }
    findings.retain(|f| {
        if f.rule == Rule::UnknownRuleInSuppression {
            return true;
        }
        let line = lines.line_of(f.range.start);
        !spans
            .iter()
            .any(|(a, b, r, all)| (*a..=*b).contains(&line) && (*all || r.contains(&f.rule)))
    });
}
