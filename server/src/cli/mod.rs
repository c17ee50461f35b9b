//! The command line: `check`, `status`, `new`, `explain`, `config-schema`, `server`.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

mod check;
mod explain;
mod fix;
mod merge;
mod new;
pub mod output;
mod status;

#[derive(Parser)]
#[command(
    name = "deployspec",
    version,
    about = "Checks deployment-procedure specs (Markdown runbooks): a language server and a CI checker"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the language server on stdio
    Server {
        /// Accepted for editor clients that pass it; stdio is the only transport
        #[arg(long)]
        stdio: bool,
    },
    /// Check specs and report findings (exit 0: no errors, 1: errors found, 2: could not check)
    Check(check::Args),
    /// Join the reports of `check --shard K/N` runs into the report of one run
    MergeReports(merge::Args),
    /// Show how complete each spec is
    Status(status::Args),
    /// Create a spec from the built-in template
    New(new::Args),
    /// Explain a rule: what it checks, why, and how to fix it
    Explain {
        /// A rule code (DP010) or name (unchecked-prerequisite); omit to list all rules
        rule: Option<String>,
    },
    /// Print the JSON Schema of .deployspec.toml
    ConfigSchema,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Human,
    Json,
    Sarif,
    Github,
    Gitlab,
    Junit,
}

/// Runs the command line. `server` is what the `server` subcommand runs (the binary passes the
/// language server), so the command line does not depend on the protocol layer.
pub fn main(server: fn() -> ExitCode) -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    match cli.command {
        Command::Server { stdio: _ } => server(),
        Command::Check(args) => check::run(args),
        Command::MergeReports(args) => merge::run(args),
        Command::Status(args) => status::run(args),
        Command::New(args) => new::run(args),
        Command::Explain { rule } => explain::run(rule.as_deref()),
        Command::ConfigSchema => {
            let schema = crate::config::json_schema();
            println!(
                "{}",
                serde_json::to_string_pretty(&schema).unwrap_or_default()
            );
            ExitCode::SUCCESS
        }
    }
}

/// Resolves the paths given on the command line: none means the spec root.
fn default_paths(paths: Vec<PathBuf>, ws: &crate::workspace::Workspace) -> Vec<PathBuf> {
    if paths.is_empty() {
        vec![ws.spec_root()]
    } else {
        paths
    }
}
