//! `deployspec check`: analyse files in parallel and print the findings.

use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use rayon::prelude::*;

use super::output::{self, FileReport};
use super::{fix, Format};
use crate::analysis::{self, Analysis, Input};
use crate::diagnostic::Severity;
use crate::workspace::{self, ConfigResolver, ReadError, Workspace};

#[derive(clap::Args)]
pub struct Args {
    /// Files or folders to check (folders are walked, respecting .gitignore); `-` reads stdin.
    /// Default: the spec root.
    paths: Vec<PathBuf>,
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
    /// Use this configuration file instead of searching for .deployspec.toml
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// The file name to report (and classify) text read from stdin as
    #[arg(long, value_name = "PATH")]
    stdin_filename: Option<PathBuf>,
    /// Apply the fixes that are certain (step renumbering with its `Step N` references), then
    /// report what is left. Files are rewritten atomically, unchanged files are not touched;
    /// with `-` the fixed text is printed instead of the findings.
    #[arg(long)]
    fix: bool,
}

/// One file's outcome.
struct Checked {
    display: String,
    text: String,
    analysis: Analysis,
}

pub fn run(args: Args) -> ExitCode {
    let ws = match load_workspace(args.config.as_deref(), args.paths.first()) {
        Ok(ws) => ws,
        Err(code) => return code,
    };
    let (index, _) = ws.build_index();
    let mut failures: Vec<(String, ReadError)> = Vec::new();
    let mut inputs: Vec<(PathBuf, bool)> = Vec::new();
    let mut stdin_text = None;
    let explicit_paths = !args.paths.is_empty();
    for p in super::default_paths(args.paths, &ws) {
        if p.as_os_str() == "-" {
            let mut bytes = Vec::new();
            if let Err(e) = std::io::stdin().read_to_end(&mut bytes) {
                failures.push(("<stdin>".into(), ReadError::Io(e)));
                continue;
            }
            match workspace::decode(bytes) {
                Ok(t) => stdin_text = Some(t),
                Err(e) => failures.push(("<stdin>".into(), e)),
            }
            continue;
        }
        if p.is_file() {
            // A file named on the command line gets every rule.
            inputs.push((p, true));
            continue;
        }
        if !explicit_paths && !p.exists() {
            eprintln!(
                "error: spec root {} does not exist: pass the files to check, or set spec_root in {}",
                display_path(&p),
                crate::config::FILE_NAME
            );
            return ExitCode::from(2);
        }
        let (files, missing) = workspace::walk_markdown(std::slice::from_ref(&p));
        inputs.extend(files.into_iter().map(|f| (f, false)));
        failures.extend(missing.into_iter().map(|(p, e)| (display_path(&p), e)));
    }

    // Each file's configuration is the nearest `.deployspec.toml` above it (as in the server),
    // unless `--config` names one for all.
    let configs = if args.config.is_some() {
        ConfigResolver::fixed(ws.config.clone())
    } else {
        ConfigResolver::new(ws.config.clone(), None)
    };
    let configs = &configs;
    let index = &index;
    let results: Vec<Result<Checked, (String, Failure)>> = inputs
        .par_iter()
        .map(|(path, explicit)| {
            let display = display_path(path);
            let internal = |msg| (display.clone(), Failure::Internal(msg));
            let mut text =
                workspace::read_spec(path).map_err(|e| (display.clone(), Failure::Read(e)))?;
            let abs = workspace::absolute(path);
            let config = configs.for_file(&abs).config.clone();
            let analyze = |text: &str| {
                analyze_contained(&Input {
                    text,
                    path: Some(&abs),
                    explicit: *explicit,
                    config: &config,
                    index,
                })
            };
            let mut analysis = analyze(&text).map_err(internal)?;
            if args.fix {
                let fixed = contained(|| fix::fix_file(path, &text, &analysis.model))
                    .map_err(internal)?
                    .map_err(|e| (display.clone(), Failure::Read(ReadError::Io(e))))?;
                if let Some(fixed) = fixed {
                    text = fixed;
                    analysis = analyze(&text).map_err(internal)?;
                }
            }
            Ok(Checked {
                display,
                text,
                analysis,
            })
        })
        .collect();
    let mut checked = Vec::with_capacity(results.len());
    let mut internal: Vec<(String, String)> = Vec::new();
    for r in results {
        match r {
            Ok(c) => checked.push(c),
            Err((path, Failure::Read(e))) => failures.push((path, e)),
            Err((path, Failure::Internal(msg))) => internal.push((path, msg)),
        }
    }
    if let Some(text) = stdin_text {
        let name = args.stdin_filename.clone();
        let abs = name.as_deref().map(workspace::absolute);
        let display = name.map_or("<stdin>".into(), |n| display_path(&n));
        let config = match &abs {
            Some(p) => configs.for_file(p).config.clone(),
            None => std::sync::Arc::new(ws.config.clone()),
        };
        match analyze_contained(&Input {
            text: &text,
            path: abs.as_deref(),
            explicit: true,
            config: &config,
            index,
        }) {
            Ok(analysis) => {
                if args.fix {
                    return fix::print_fixed(&text, &analysis, &config, index, abs.as_deref());
                }
                checked.push(Checked {
                    display,
                    text,
                    analysis,
                });
            }
            Err(msg) => internal.push((display, msg)),
        }
    }
    checked.sort_by(|a, b| a.display.cmp(&b.display));
    // Malformed configuration files below the workspace's (which was reported already).
    for (path, e) in configs.errors() {
        if ws.config_path.as_deref().map(workspace::absolute) != Some(workspace::absolute(&path)) {
            eprintln!(
                "warning: {}:{e}\n  (the configuration was not applied; the defaults are in force for the files under it)",
                display_path(&path)
            );
        }
    }

    let reports: Vec<FileReport> = checked
        .iter()
        .map(|c| FileReport::new(c.display.clone(), &c.text, &c.analysis.findings))
        .collect();
    let rendered = output::render(args.format, &reports);
    let mut stdout = std::io::stdout().lock();
    let rendered = if args.format == Format::Human && std::io::stdout().is_terminal() {
        colorize(&rendered)
    } else {
        rendered
    };
    if stdout.write_all(rendered.as_bytes()).is_err() {
        return ExitCode::from(2);
    }
    for (path, e) in &failures {
        eprintln!("error: {path}: {e}");
    }
    internal.sort();
    for (path, msg) in &internal {
        eprintln!(
            "error: {path}: internal error while checking this file: {msg}\n  (a bug in deployspec: please report it with this file; every other file was checked)"
        );
    }
    if !failures.is_empty() || !internal.is_empty() {
        return ExitCode::from(2);
    }
    let errors = checked
        .iter()
        .flat_map(|c| &c.analysis.findings)
        .any(|f| f.severity == Severity::Error);
    ExitCode::from(if errors { 1 } else { 0 })
}

/// Why a file has no report.
enum Failure {
    Read(ReadError),
    /// The analysis (or `--fix`) panicked (a bug): the message, reported for this file alone.
    Internal(String),
}

/// Runs `f` with a panic caught and returned as its message, so one file that trips a bug is
/// reported as such and every other file is still checked and reported.
fn contained<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f))
        .map_err(|p| crate::panics::message(p.as_ref()))
}

/// Analyses one file, [`contained`].
fn analyze_contained(input: &Input) -> Result<Analysis, String> {
    contained(|| {
        crate::panics::panic_if_marked(input.text);
        analysis::analyze_text(input)
    })
}

/// Finds the workspace: from `--config`, else by walking up from the first path (or the working
/// directory). A malformed configuration is reported and the defaults apply.
pub(super) fn load_workspace(
    config: Option<&Path>,
    first: Option<&PathBuf>,
) -> Result<Workspace, ExitCode> {
    let ws = match config {
        Some(path) => match Workspace::from_config_file(path) {
            Ok(ws) => ws,
            Err(e) => {
                eprintln!("error: cannot read config {}: {e}", path.display());
                return Err(ExitCode::from(2));
            }
        },
        None => {
            let start = first
                .filter(|p| p.as_os_str() != "-" && p.exists())
                .cloned()
                .unwrap_or_else(|| PathBuf::from("."));
            Workspace::discover(&start)
        }
    };
    if let (Some(path), Some(e)) = (&ws.config_path, &ws.config_error) {
        eprintln!(
            "warning: {}:{e}\n  (the configuration was not applied; the defaults are in force until it is fixed)",
            display_path(path)
        );
    }
    Ok(ws)
}

/// Paths relative to the working directory when inside it, else as given.
pub(super) fn display_path(p: &Path) -> String {
    static CWD: std::sync::OnceLock<Option<PathBuf>> = std::sync::OnceLock::new();
    if p.is_relative() && !p.starts_with("..") {
        return p.strip_prefix(".").unwrap_or(p).display().to_string();
    }
    let cwd = CWD.get_or_init(|| {
        std::env::current_dir()
            .ok()
            .map(|d| workspace::absolute(&d))
    });
    let abs = workspace::absolute(p);
    cwd.as_deref()
        .and_then(|cwd| abs.strip_prefix(cwd).ok())
        .map(|r| r.display().to_string())
        .unwrap_or_else(|| p.display().to_string())
}

fn colorize(s: &str) -> String {
    if std::env::var_os("NO_COLOR").is_some() {
        return s.to_string();
    }
    s.lines()
        .map(|l| {
            for (prefix, color) in [
                ("error[", "\x1b[1;31m"),
                ("warning[", "\x1b[1;33m"),
                ("information[", "\x1b[1;36m"),
                ("hint[", "\x1b[1;36m"),
            ] {
                if let Some(rest) = l.strip_prefix(prefix) {
                    let (label, msg) = rest.split_once("]:").unwrap_or((rest, ""));
                    return format!("{color}{prefix}{label}]\x1b[0m\x1b[1m:{msg}\x1b[0m\n");
                }
            }
            if l.trim_start().starts_with('|') || l.trim_start().starts_with("-->") {
                return format!("\x1b[34m{l}\x1b[0m\n");
            }
            format!("{l}\n")
        })
        .collect()
}
