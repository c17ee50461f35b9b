//! Parse every Markdown file under a folder, to compare with `deployspec check` on the same files.
//!
//! ```sh
//! python3 gen_corpus.py workspace --files 1000 /tmp/ws1000        # shared/bench/gen_corpus.py
//! cargo build --release --example bare_parse
//! target/release/examples/bare_parse bare /tmp/ws1000        # tree-sitter-md only, rayon
//! target/release/examples/bare_parse bare-seq /tmp/ws1000    # tree-sitter-md only, one thread
//! target/release/examples/bare_parse analyze /tmp/ws1000     # index + analyze_text, rayon
//! target/release/examples/bare_parse analyze-seq /tmp/ws1000
//! ```
//!
//! `analyze` stands in for `check` without its output: `Workspace::discover(...).build_index()`,
//! then `analysis::analyze_text` on every file with that index, in parallel. Files are read inside
//! the timed work in every mode (as `check` must). A summary goes to stderr.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use deployspec::analysis::{self, Input};
use deployspec::workspace::{self, Workspace};
use rayon::prelude::*;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(mode), Some(dir)) = (args.first(), args.get(1)) else {
        eprintln!("usage: bare_parse bare|bare-seq|analyze|analyze-seq <folder>");
        return ExitCode::from(2);
    };
    let start = Instant::now();
    let dir = PathBuf::from(dir);
    let (files, missing) = workspace::walk_markdown(std::slice::from_ref(&dir));
    if !missing.is_empty() || files.is_empty() {
        eprintln!("no Markdown files under {}", dir.display());
        return ExitCode::from(2);
    }
    let (bytes, work) = match mode.as_str() {
        "bare" => bare(&files, true),
        "bare-seq" => bare(&files, false),
        "analyze" | "analyze-seq" => {
            let ws = Workspace::discover(&dir);
            let (index, _) = ws.build_index();
            let one = |p: &PathBuf| {
                let text = workspace::read_spec(p).unwrap_or_default();
                let a = analysis::analyze_text(&Input {
                    text: &text,
                    path: Some(p),
                    explicit: false,
                    config: &ws.config,
                    index: &index,
                });
                (text.len(), a.findings.len())
            };
            let sum = |(b1, f1), (b2, f2)| (b1 + b2, f1 + f2);
            if mode == "analyze" {
                files.par_iter().map(one).reduce(|| (0, 0), sum)
            } else {
                files.iter().map(one).fold((0, 0), sum)
            }
        }
        _ => {
            eprintln!("unknown mode {mode}");
            return ExitCode::from(2);
        }
    };
    eprintln!(
        "{mode}: {} files, {:.1} MB, {work} {} in {:.1} ms",
        files.len(),
        bytes as f64 / 1e6,
        if mode.starts_with("bare") {
            "nodes"
        } else {
            "findings"
        },
        start.elapsed().as_secs_f64() * 1e3
    );
    ExitCode::SUCCESS
}

/// Reads and parses every file with its own thread's parser; `(bytes, block nodes)`.
fn bare(files: &[PathBuf], parallel: bool) -> (usize, usize) {
    let sum = |a: (usize, usize), b: (usize, usize)| (a.0 + b.0, a.1 + b.1);
    if parallel {
        files.par_iter().map(parse_one).reduce(|| (0, 0), sum)
    } else {
        files.iter().map(parse_one).fold((0, 0), sum)
    }
}

thread_local! {
    static PARSER: std::cell::RefCell<tree_sitter_md::MarkdownParser> =
        std::cell::RefCell::new(tree_sitter_md::MarkdownParser::default());
}

fn parse_one(p: &PathBuf) -> (usize, usize) {
    let text = std::fs::read(p).unwrap_or_default();
    let nodes = PARSER.with(|parser| {
        parser
            .borrow_mut()
            .parse(&text, None)
            .map_or(0, |t| t.block_tree().root_node().descendant_count())
    });
    (text.len(), nodes)
}
