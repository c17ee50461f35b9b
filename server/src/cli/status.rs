//! `deployspec status`: how complete each deployment spec is.

use std::path::PathBuf;
use std::process::ExitCode;

use rayon::prelude::*;
use serde::Serialize;

use crate::analysis::model::SectionKind;
use crate::analysis::time::format_seconds;
use crate::analysis::{self, Analysis, Input};
use crate::diagnostic::Severity;
use crate::position::LineIndex;
use crate::workspace;

#[derive(clap::Args)]
pub struct Args {
    /// Files or folders (default: the spec root)
    paths: Vec<PathBuf>,
    /// Output format
    #[arg(long, value_enum, default_value_t = StatusFormat::Human)]
    format: StatusFormat,
    /// Exit 1 when a spec scores below N (0–100)
    #[arg(long, value_name = "N")]
    min_score: Option<u32>,
    /// Use this configuration file instead of searching for .deployspec.toml
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum StatusFormat {
    Human,
    Json,
}

#[derive(Serialize)]
struct Status {
    file: String,
    sections_present: usize,
    sections_expected: usize,
    missing_sections: Vec<&'static str>,
    prerequisites_checked: usize,
    prerequisites_total: usize,
    steps_timed: usize,
    steps_total: usize,
    deployment_seconds: u64,
    rollback_seconds: u64,
    errors: usize,
    score: u32,
    /// What was recognised, so a reader can see why a section counts as missing: each section
    /// with its kind and heading line, in document order.
    sections: Vec<FoundSection>,
    /// Each step with its line, number and time (`null` when it has no readable estimate).
    steps: Vec<FoundStep>,
}

#[derive(Serialize)]
struct FoundSection {
    kind: &'static str,
    /// 1-based line of the section's start (its heading).
    line: usize,
    heading: String,
}

#[derive(Serialize)]
struct FoundStep {
    /// 1-based line of the step's head (heading, bold paragraph or list item).
    line: usize,
    number: u32,
    title: String,
    seconds: Option<u64>,
    rollback: bool,
}

pub fn run(args: Args) -> ExitCode {
    let ws = match super::check::load_workspace(args.config.as_deref(), args.paths.first()) {
        Ok(ws) => ws,
        Err(code) => return code,
    };
    let (index, _) = ws.build_id_index();
    let explicit: Vec<bool> = args.paths.iter().map(|p| p.is_file()).collect();
    let mut files: Vec<(PathBuf, bool)> = Vec::new();
    let mut failed = false;
    for (i, p) in super::default_paths(args.paths.clone(), &ws)
        .into_iter()
        .enumerate()
    {
        if explicit.get(i).copied().unwrap_or(false) {
            files.push((p, true));
            continue;
        }
        let (found, missing) = workspace::walk_markdown(std::slice::from_ref(&p));
        for (path, e) in missing {
            eprintln!("error: {}: {e}", path.display());
            failed = true;
        }
        files.extend(found.into_iter().map(|f| (f, false)));
    }
    let results: Vec<Result<Option<Status>, String>> = files
        .par_iter()
        .map(|(path, explicit)| {
            let text = workspace::read_spec(path)
                .map_err(|e| format!("{}: {e}", super::check::display_path(path)))?;
            let abs = workspace::absolute(path);
            let a = analysis::analyze_text(&Input {
                text: &text,
                path: Some(&abs),
                explicit: *explicit,
                config: &ws.config,
                index: &index,
            });
            Ok(a.file
                .deployment
                .then(|| status_of(super::check::display_path(path), &text, &a, &ws.config)))
        })
        .collect();
    let mut statuses = Vec::new();
    for r in results {
        match r {
            Ok(Some(s)) => statuses.push(s),
            Ok(None) => {}
            Err(e) => {
                eprintln!("error: {e}");
                failed = true;
            }
        }
    }
    statuses.sort_by(|a, b| a.file.cmp(&b.file));
    match args.format {
        StatusFormat::Json => println!(
            "{}",
            serde_json::to_string_pretty(&statuses).unwrap_or_default()
        ),
        StatusFormat::Human => print_table(&statuses),
    }
    if failed {
        return ExitCode::from(2);
    }
    let below = args
        .min_score
        .is_some_and(|min| statuses.iter().any(|s| s.score < min));
    ExitCode::from(if below { 1 } else { 0 })
}

/// Score: 40% sections present, 20% prerequisites checked, 20% steps timed, 20% no errors.
fn status_of(file: String, text: &str, a: &Analysis, config: &crate::config::Config) -> Status {
    let m = &a.model;
    let lines = LineIndex::new(text);
    let line = |offset: usize| lines.line_of(offset) + 1;
    let expected: Vec<SectionKind> = config
        .sections
        .required
        .iter()
        .chain(&config.sections.recommended)
        .copied()
        .collect();
    let missing: Vec<&'static str> = expected
        .iter()
        .filter(|k| m.section(**k).is_none())
        .map(|k| k.key())
        .collect();
    let pre = m.section(SectionKind::Prerequisites);
    let prereqs: Vec<_> = m
        .tasks
        .iter()
        .filter(|t| !t.struck && pre.is_some_and(|p| p.range.contains(&t.line.start)))
        .collect();
    let checked = prereqs.iter().filter(|t| t.checked).count();
    let timed = m
        .steps
        .iter()
        .filter(|s| s.time.seconds().is_some())
        .count();
    let errors = a
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .count();
    let frac = |n: usize, d: usize, empty: f64| if d == 0 { empty } else { n as f64 / d as f64 };
    let score = 40.0 * frac(expected.len() - missing.len(), expected.len(), 1.0)
        + 20.0 * frac(checked, prereqs.len(), 1.0)
        + 20.0 * frac(timed, m.steps.len(), 0.0)
        + if errors == 0 { 20.0 } else { 0.0 };
    Status {
        file,
        sections_present: expected.len() - missing.len(),
        sections_expected: expected.len(),
        missing_sections: missing,
        prerequisites_checked: checked,
        prerequisites_total: prereqs.len(),
        steps_timed: timed,
        steps_total: m.steps.len(),
        deployment_seconds: m.forward_seconds(),
        rollback_seconds: m.rollback_seconds(),
        errors,
        score: score.round() as u32,
        sections: m
            .sections
            .iter()
            .map(|s| FoundSection {
                kind: s.kind.key(),
                line: line(s.range.start),
                heading: m.headings[s.heading].text.clone(),
            })
            .collect(),
        steps: m
            .steps
            .iter()
            .map(|s| FoundStep {
                line: line(s.head.start),
                number: s.number,
                title: s.title.clone(),
                seconds: s.time.seconds(),
                rollback: s.in_rollback,
            })
            .collect(),
    }
}

fn print_table(statuses: &[Status]) {
    if statuses.is_empty() {
        println!("No deployment-procedure specs found.");
        return;
    }
    println!(
        "{:<50} {:>8} {:>9} {:>7} {:>9} {:>9} {:>6}",
        "spec", "sections", "prereqs", "timed", "deploy", "rollback", "score"
    );
    for s in statuses {
        println!(
            "{:<50} {:>8} {:>9} {:>7} {:>9} {:>9} {:>6}",
            s.file,
            format!("{}/{}", s.sections_present, s.sections_expected),
            format!("{}/{}", s.prerequisites_checked, s.prerequisites_total),
            format!("{}/{}", s.steps_timed, s.steps_total),
            format_seconds(s.deployment_seconds),
            format_seconds(s.rollback_seconds),
            s.score
        );
    }
}
