//! `check --fix`: the fix-all of the language server (step renumbering with its references),
//! written back atomically.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use crate::analysis::model::SpecModel;
use crate::analysis::{self, Analysis, Input};
use crate::config::Config;
use crate::diagnostic::Severity;
use crate::ide::renumber::fix_all_text;
use crate::index::SpecIndex;

/// Fixes the file at `path` (whose content is `text`) in place, returning the new text; `None`
/// (and no write at all) when there is nothing to fix.
pub fn fix_file(path: &Path, text: &str, model: &SpecModel) -> std::io::Result<Option<String>> {
    let Some(fixed) = fix_all_text(text, model) else {
        return Ok(None);
    };
    write_atomically(path, &fixed)?;
    Ok(Some(fixed))
}

/// Writes `text` to a temporary file beside the target and renames it over the target: a crash
/// leaves the old file or the new one, never half of one. The target's permissions are kept,
/// and a symlink is followed (its target is rewritten, the link stays).
fn write_atomically(path: &Path, text: &str) -> std::io::Result<()> {
    let target = std::fs::canonicalize(path)?;
    let dir = target.parent().unwrap_or(Path::new("."));
    let permissions = std::fs::metadata(&target)?.permissions();
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    tmp.write_all(text.as_bytes())?;
    tmp.as_file().set_permissions(permissions)?;
    tmp.as_file().sync_all()?;
    tmp.persist(&target).map_err(|e| e.error)?;
    Ok(())
}

/// `check --fix -`: prints the fixed text (the text itself when nothing changes); exits 1 when
/// errors remain.
pub fn print_fixed(
    text: &str,
    analysis: &Analysis,
    config: &Config,
    index: &SpecIndex,
    path: Option<&Path>,
) -> ExitCode {
    let fixed = fix_all_text(text, &analysis.model);
    let out = fixed.as_deref().unwrap_or(text);
    if std::io::stdout().lock().write_all(out.as_bytes()).is_err() {
        return ExitCode::from(2);
    }
    let after = analysis::analyze_text(&Input {
        text: out,
        path,
        explicit: true,
        config,
        index,
    });
    let errors = after.findings.iter().any(|f| f.severity == Severity::Error);
    ExitCode::from(if errors { 1 } else { 0 })
}
