//! `deployspec merge-reports`: joins the reports of `check --shard K/N` runs into the report one
//! unsharded run writes, byte for byte (JSON, GitLab, SARIF, JUnit).
//!
//! Every file is in exactly one shard and each shard lists its files in path order, so the
//! merged report is the shards' entries put back in path order (a stable sort by path keeps each
//! file's findings in their order). SARIF results are joined into one run (code scanning rejects
//! several runs of one tool in one upload); JUnit totals are recounted. GitHub annotations need no
//! merge (concatenate them); human output has a summary per shard and is not merged.

use std::path::PathBuf;
use std::process::ExitCode;

use serde_json::Value;

use super::output;
use super::Format;

#[derive(clap::Args)]
pub struct Args {
    /// The format the reports were written in (json, gitlab, sarif or junit)
    #[arg(long, value_enum)]
    format: Format,
    /// The shards' reports, in any order
    #[arg(required = true)]
    reports: Vec<PathBuf>,
}

pub fn run(args: Args) -> ExitCode {
    let mut texts = Vec::new();
    for path in &args.reports {
        match std::fs::read_to_string(path) {
            Ok(t) => texts.push((path.display().to_string(), t)),
            Err(e) => {
                eprintln!("error: cannot read report {}: {e}", path.display());
                return ExitCode::from(2);
            }
        }
    }
    let merged = match args.format {
        Format::Json => merge_json(&texts, &["file"], 2),
        Format::Gitlab => merge_json(&texts, &["location", "path"], 2),
        Format::Sarif => merge_sarif(&texts),
        Format::Junit => merge_junit(&texts),
        Format::Human | Format::Github => Err(
            "only json, gitlab, sarif and junit reports are merged: GitHub annotations can be concatenated as they are, and human output is read per shard"
                .to_string(),
        ),
    };
    match merged {
        Ok(text) => {
            use std::io::Write;
            if std::io::stdout().lock().write_all(text.as_bytes()).is_err() {
                return ExitCode::from(2);
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}

/// The path an item reports on, found under `key`.
fn path_of<'a>(item: &'a Value, key: &[&str]) -> &'a str {
    key.iter()
        .try_fold(item, |v, k| v.get(k))
        .and_then(Value::as_str)
        .unwrap_or("")
}

fn parse(name: &str, text: &str) -> Result<Value, String> {
    serde_json::from_str(text).map_err(|e| {
        format!("{name} is not a deployspec report in this format ({e}): pass the files `check --shard K/N --format ...` wrote")
    })
}

/// Items of all arrays, sorted by path (stably), in an array laid out as `check` lays it out.
fn merge_json(texts: &[(String, String)], key: &[&str], depth: usize) -> Result<String, String> {
    let mut items = Vec::new();
    for (name, text) in texts {
        match parse(name, text)? {
            Value::Array(a) => items.extend(a),
            _ => return Err(format!("{name} is not a JSON array of findings")),
        }
    }
    items.sort_by(|a, b| path_of(a, key).cmp(path_of(b, key)));
    Ok(if items.is_empty() {
        "[]\n".to_string()
    } else {
        format!("[\n{}\n]\n", output::array_items(items.into_iter(), depth))
    })
}

fn merge_sarif(texts: &[(String, String)]) -> Result<String, String> {
    let mut results = Vec::new();
    for (name, text) in texts {
        let log = parse(name, text)?;
        let runs = log.get("runs").and_then(Value::as_array);
        let run = match runs.map(Vec::as_slice) {
            Some([run]) => run,
            _ => return Err(format!("{name}: expected a SARIF log with one run")),
        };
        let tool = run.pointer("/tool/driver/name").and_then(Value::as_str);
        if tool != Some("deployspec") {
            return Err(format!("{name}: not a deployspec SARIF log"));
        }
        match run.get("results") {
            Some(Value::Array(r)) => results.extend(r.iter().cloned()),
            _ => return Err(format!("{name}: the run has no results array")),
        }
    }
    const URI: [&str; 4] = ["locations", "0", "physicalLocation", "artifactLocation"];
    let uri = |v: &Value| {
        URI.iter()
            .try_fold(v, |v, k| match k.parse::<usize>() {
                Ok(i) => v.get(i),
                Err(_) => v.get(k),
            })
            .and_then(|v| v.get("uri"))
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string()
    };
    results.sort_by_key(|r| uri(r));
    let (head, indent, tail) = output::sarif_frame();
    let body = if results.is_empty() {
        "[]".to_string()
    } else {
        format!(
            "[\n{}\n{indent}]",
            output::array_items(results.into_iter(), indent.len() + 2)
        )
    };
    Ok(format!("{head}{body}{tail}"))
}

/// JUnit as `check` writes it: a header, one `<testcase` element per file (its text never holds
/// a raw `<`, so a line starting with one is structure), a footer.
fn merge_junit(texts: &[(String, String)]) -> Result<String, String> {
    let mut cases: Vec<(String, String)> = Vec::new();
    for (name, text) in texts {
        let bad = || format!("{name} is not a JUnit report written by deployspec check");
        let mut lines = text.split_inclusive('\n');
        let header: Vec<&str> = lines.by_ref().take(3).collect();
        if header.len() < 3 || !header[1].starts_with("<testsuites name=\"deployspec\"") {
            return Err(bad());
        }
        let mut open: Option<(String, String)> = None;
        for line in lines {
            if let Some((case_name, body)) = open.as_mut() {
                body.push_str(line);
                if line == "    </testcase>\n" {
                    cases.push((std::mem::take(case_name), std::mem::take(body)));
                    open = None;
                }
                continue;
            }
            if line.starts_with("    <testcase ") {
                let case_name = line
                    .split_once(" name=\"")
                    .and_then(|(_, rest)| rest.split_once('"'))
                    .map(|(n, _)| unescape(n))
                    .ok_or_else(bad)?;
                if line.ends_with("/>\n") {
                    cases.push((case_name, line.to_string()));
                } else {
                    open = Some((case_name, line.to_string()));
                }
            } else if !line.starts_with("  </testsuite>") && !line.starts_with("</testsuites>") {
                return Err(bad());
            }
        }
        if open.is_some() {
            return Err(bad());
        }
    }
    cases.sort_by(|a, b| a.0.cmp(&b.0));
    let failures = cases
        .iter()
        .filter(|(_, c)| c.contains("\n      <failure "))
        .count();
    let mut out = output::junit_header(cases.len(), failures);
    for (_, c) in &cases {
        out.push_str(c);
    }
    out.push_str(output::JUNIT_FOOTER);
    Ok(out)
}

fn unescape(s: &str) -> String {
    s.replace("&quot;", "\"")
        .replace("&gt;", ">")
        .replace("&lt;", "<")
        .replace("&amp;", "&")
}
