//! `deployspec new <type> <id-slug>`: create a spec from the built-in template.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use crate::index::id_from_file_name;
use crate::templates;
use crate::workspace::Workspace;

#[derive(clap::Args)]
pub struct Args {
    /// Spec type: the folder under the spec root (deployment-procedure, component, design, …)
    #[arg(value_name = "TYPE")]
    kind: String,
    /// File name without `.md`: `<prefix>-<number>[-slug]`, e.g. deploy-002-export-prod
    #[arg(value_name = "ID-SLUG")]
    slug: String,
}

pub fn run(args: Args) -> ExitCode {
    match create(&args) {
        Ok(path) => {
            println!("{}", super::check::display_path(&path));
            ExitCode::SUCCESS
        }
        Err(msg) => {
            eprintln!("error: {msg}");
            ExitCode::from(2)
        }
    }
}

fn create(args: &Args) -> Result<PathBuf, String> {
    let kind = args.kind.trim();
    if kind.is_empty() || kind.contains(['/', '\\', '.']) {
        return Err(format!("`{kind}` is not a spec type: use a folder name such as deployment-procedure, component or design"));
    }
    let slug = args.slug.trim().trim_end_matches(".md");
    let file_name = format!("{slug}.md");
    if slug.contains(['/', '\\']) {
        return Err(format!("`{slug}` must be a file name, not a path"));
    }
    let id = id_from_file_name(&file_name).ok_or_else(|| {
        format!("`{slug}` does not start with an ID: name it `<prefix>-<number>[-slug]`, e.g. deploy-002-export-prod")
    })?;
    let ws = Workspace::discover(&PathBuf::from("."));
    let (index, _) = ws.build_index();
    if let Some(existing) = index.lookup(&id).first() {
        return Err(format!(
            "{id} already exists ({}): pick another number",
            existing.display
        ));
    }
    let dir = ws.spec_root().join(kind);
    let path = dir.join(&file_name);
    if path.exists() {
        return Err(format!(
            "{} already exists: not overwriting it",
            path.display()
        ));
    }
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let text = templates::render(kind, &id, &templates::title_from_slug(slug));
    // Write to a temporary file beside the target, then link it into place without replacing
    // anything: a crash leaves no half-written spec, and a file created meanwhile is kept.
    let mut tmp = tempfile::NamedTempFile::new_in(&dir)
        .map_err(|e| format!("cannot write in {}: {e}", dir.display()))?;
    tmp.write_all(text.as_bytes())
        .and_then(|_| tmp.as_file().sync_all())
        .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    tmp.persist_noclobber(&path)
        .map_err(|e| format!("cannot create {}: {}", path.display(), e.error))?;
    Ok(path)
}
