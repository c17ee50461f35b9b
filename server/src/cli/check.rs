//! `deployspec check`: analyse files in parallel and print the findings.

use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use rayon::prelude::*;

use super::output::{self, FileReport};
use super::{fix, Format};
use crate::analysis::{self, Analysis, Input};
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
    /// Check only part K of N (e.g. 2/4) of the files, for CI jobs that split the work: parts
    /// are balanced by size and the same on every machine; every spec is still indexed, so
    /// references are checked exactly. The N parts together report what one run reports.
    #[arg(long, value_name = "K/N")]
    shard: Option<Shard>,
}

/// `--shard K/N`: the K-th of N parts of the files (1-based).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    pub k: usize,
    pub n: usize,
}

impl std::str::FromStr for Shard {
    type Err = String;

    fn from_str(s: &str) -> Result<Shard, String> {
        let usage = "expected K/N with 1 <= K <= N, e.g. --shard 2/4 for the second of four parts";
        let (k, n) = s
            .split_once('/')
            .ok_or_else(|| format!("'{s}' is not a shard: {usage}"))?;
        let parse = |v: &str| v.trim().parse::<usize>().ok();
        match (parse(k), parse(n)) {
            (Some(k), Some(n)) if k >= 1 && k <= n => Ok(Shard { k, n }),
            _ => Err(format!("'{s}' is not a shard: {usage}")),
        }
    }
}

/// What one file contributes to the output, or why it has none.
type Outcome = Result<output::Piece, (String, Failure)>;

/// Files are analysed in parallel this many at a time and their output written in order before
/// the next batch, so memory holds one batch of analyses, never the whole workspace's.
const BATCH: usize = 512;

pub fn run(args: Args) -> ExitCode {
    let ws = match load_workspace(args.config.as_deref(), args.paths.first()) {
        Ok(ws) => ws,
        Err(code) => return code,
    };
    let (index, _) = ws.build_id_index();
    let mut failures: Vec<(String, ReadError)> = Vec::new();
    let mut inputs: Vec<(PathBuf, bool)> = Vec::new();
    let mut stdin_text = None;
    let explicit_paths = !args.paths.is_empty();
    for p in super::default_paths(args.paths, &ws) {
        if p.as_os_str() == "-" {
            if args.shard.is_some() {
                eprintln!(
                    "error: --shard cannot check stdin (`-`): pass files or folders, or leave out --shard"
                );
                return ExitCode::from(2);
            }
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
    // Each input keeps its place on the command line (`order`): read errors are reported in
    // that order, output in the order of the paths shown.
    let mut files: Vec<FileInput> = inputs
        .into_iter()
        .enumerate()
        .map(|(order, (path, explicit))| FileInput {
            display: display_path(&path),
            path,
            explicit,
            order,
        })
        .collect();
    if let Some(shard) = args.shard {
        files = select_shard(files, shard);
    }

    // Each file's configuration is the nearest `.deployspec.toml` above it (as in the server),
    // unless `--config` names one for all. Resolved before any output, so that a malformed one
    // is reported first.
    let configs = if args.config.is_some() {
        ConfigResolver::fixed(ws.config.clone())
    } else {
        ConfigResolver::new(ws.config.clone(), None)
    };
    let configs = &configs;
    files.par_iter().for_each(|f| {
        configs.for_file(&workspace::absolute(&f.path));
    });
    let index = &index;

    let mut stdin_piece: Option<(String, Outcome)> = None;
    let mut fixed_stdin = None;
    if let Some(text) = stdin_text {
        let name = args.stdin_filename.clone();
        let abs = name.as_deref().map(workspace::absolute);
        let display = name.map_or("<stdin>".into(), |n| display_path(&n));
        let config = match &abs {
            Some(p) => configs.for_file(p).config.clone(),
            None => std::sync::Arc::new(ws.config.clone()),
        };
        let outcome = match analyze_contained(&Input {
            text: &text,
            path: abs.as_deref(),
            explicit: true,
            config: &config,
            index,
        }) {
            Ok(analysis) if args.fix => {
                fixed_stdin = Some((text, analysis, config, abs));
                None
            }
            Ok(analysis) => Some(Ok(output::Piece::new(
                args.format,
                &FileReport::new(display.clone(), &text, &analysis.findings),
            ))),
            Err(msg) => Some(Err((display.clone(), Failure::Internal(msg)))),
        };
        stdin_piece = outcome.map(|o| (display, o));
    }
    // Malformed configuration files below the workspace's (which was reported already).
    for (path, e) in configs.errors() {
        if ws.config_path.as_deref().map(workspace::absolute) != Some(workspace::absolute(&path)) {
            eprintln!(
                "warning: {}:{e}\n  (the configuration was not applied; the defaults are in force for the files under it)",
                display_path(&path)
            );
        }
    }

    // The output is in the order of the paths shown; stdin goes after files shown the same.
    files.sort_by(|a, b| a.display.cmp(&b.display));
    let check_one = |f: &FileInput| -> Outcome {
        let display = f.display.clone();
        let internal = |msg| (display.clone(), Failure::Internal(msg));
        let mut text =
            workspace::read_spec(&f.path).map_err(|e| (display.clone(), Failure::Read(e)))?;
        let abs = workspace::absolute(&f.path);
        let config = configs.for_file(&abs).config.clone();
        let analyze = |text: &str| {
            analyze_contained(&Input {
                text,
                path: Some(&abs),
                explicit: f.explicit,
                config: &config,
                index,
            })
        };
        let mut analysis = analyze(&text).map_err(internal)?;
        if args.fix {
            let fixed = contained(|| fix::fix_file(&f.path, &text, &analysis.model))
                .map_err(internal)?
                .map_err(|e| (display.clone(), Failure::Read(ReadError::Io(e))))?;
            if let Some(fixed) = fixed {
                text = fixed;
                analysis = analyze(&text).map_err(internal)?;
            }
        }
        let report = FileReport::new(display.clone(), &text, &analysis.findings);
        Ok(output::Piece::new(args.format, &report))
    };

    let color = args.format == Format::Human && std::io::stdout().is_terminal();
    let mut read_failures: Vec<(usize, String, ReadError)> = Vec::new();
    let mut internal: Vec<(String, String)> = Vec::new();
    let mut errors = false;
    let written = (|| -> std::io::Result<()> {
        // With `--fix -` the fixed text is the output: the files are fixed, not reported.
        let out: Box<dyn Write> = if fixed_stdin.is_some() {
            Box::new(std::io::sink())
        } else {
            Box::new(std::io::BufWriter::new(std::io::stdout().lock()))
        };
        let mut stream = output::Stream::new(args.format, out, color)?;
        let mut stdin_piece = stdin_piece.take();
        let mut take = |stream: &mut output::Stream<_>,
                        order: usize,
                        outcome: Outcome|
         -> std::io::Result<()> {
            match outcome {
                Ok(piece) => {
                    errors |= piece.has_errors();
                    stream.push(piece)?;
                }
                Err((path, Failure::Read(e))) => read_failures.push((order, path, e)),
                Err((path, Failure::Internal(msg))) => internal.push((path, msg)),
            }
            Ok(())
        };
        for batch in files.chunks(BATCH) {
            let outcomes: Vec<Outcome> = batch.par_iter().map(check_one).collect();
            for (f, outcome) in batch.iter().zip(outcomes) {
                if let Some((display, _)) = &stdin_piece {
                    if *display < f.display {
                        let (_, o) = stdin_piece.take().expect("checked above");
                        take(&mut stream, usize::MAX, o)?;
                    }
                }
                take(&mut stream, f.order, outcome)?;
            }
        }
        if let Some((_, o)) = stdin_piece.take() {
            take(&mut stream, usize::MAX, o)?;
        }
        stream.finish()?;
        Ok(())
    })();
    if let Some((text, analysis, config, abs)) = fixed_stdin {
        return fix::print_fixed(&text, &analysis, &config, index, abs.as_deref());
    }
    if written.is_err() {
        return ExitCode::from(2);
    }
    read_failures.sort_by_key(|(order, ..)| *order);
    failures.extend(read_failures.into_iter().map(|(_, path, e)| (path, e)));
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
    ExitCode::from(if errors { 1 } else { 0 })
}

/// A file to check, with the path shown for it and its place among the inputs.
struct FileInput {
    path: PathBuf,
    display: String,
    explicit: bool,
    order: usize,
}

/// The files of shard `k` of `n`: sizes balanced greedily (largest file first, to the part with
/// the fewest bytes so far, the lowest-numbered on ties), ordered by path among equal sizes, so
/// every machine that sees the same files makes the same parts. A file whose size cannot be
/// read counts as empty; reading it fails later, in its shard, with the reason.
fn select_shard(files: Vec<FileInput>, shard: Shard) -> Vec<FileInput> {
    let mut sized: Vec<(u64, FileInput)> = files
        .into_par_iter()
        .map(|f| (std::fs::metadata(&f.path).map_or(0, |m| m.len()), f))
        .collect();
    sized.sort_by(|(sa, a), (sb, b)| {
        sb.cmp(sa)
            .then_with(|| a.display.cmp(&b.display))
            .then(a.order.cmp(&b.order))
    });
    // Parts past the number of files stay empty (each file would open a new one first), so
    // `1/1000000000` needs no billion-entry heap.
    let parts_used = shard.n.min(sized.len()).max(1);
    let mut parts: std::collections::BinaryHeap<std::cmp::Reverse<(u64, usize)>> =
        (0..parts_used).map(|i| std::cmp::Reverse((0, i))).collect();
    let mut mine = Vec::new();
    for (size, f) in sized {
        let Some(std::cmp::Reverse((total, part))) = parts.pop() else {
            break;
        };
        if part == shard.k - 1 {
            mine.push(f);
        }
        // A file's weight is at least 1, so empty files are spread too.
        parts.push(std::cmp::Reverse((total + size.max(1), part)));
    }
    mine
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
