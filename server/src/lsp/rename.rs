//! `textDocument/prepareRename` and `textDocument/rename` over `ide::rename`: a refusal is a
//! `RequestFailed` error whose message the editor shows. A spec ID's edits cover the open
//! documents (their current text, versioned) and the index's other files; the defining file is
//! renamed with a `RenameFile` operation when the client can apply one.

use std::path::PathBuf;
use std::sync::Arc;

use tower_lsp_server::jsonrpc::{Error, ErrorCode, Result};
use tower_lsp_server::ls_types::*;

use crate::ide::{self, rename::Renameable, Edit, Snapshot};
use crate::position::LineIndex;

use super::convert;
use super::features::{offset, range, snapshot};
use super::state::Shared;

/// LSP's `RequestFailed`: the request was valid, the server refuses it, and says why.
fn refused(message: String) -> Error {
    Error {
        code: ErrorCode::ServerError(-32803),
        message: message.into(),
        data: None,
    }
}

pub async fn prepare_rename(
    shared: &Arc<Shared>,
    params: TextDocumentPositionParams,
) -> Result<Option<PrepareRenameResponse>> {
    let Some(snap) = snapshot(shared, &params.text_document.uri).await? else {
        return Ok(None);
    };
    let ctx = shared.ctx();
    let at = offset(&snap, params.position, ctx.encoding);
    let r = ide::rename::prepare(&snap, at, &ctx.index).map_err(refused)?;
    let span = r.range().clone();
    Ok(Some(PrepareRenameResponse::RangeWithPlaceholder {
        range: range(&snap, span.clone(), ctx.encoding),
        placeholder: snap.text[span].to_string(),
    }))
}

/// The edits of one file, with the text their offsets point into and the open version.
struct FileEdits {
    uri: Uri,
    version: Option<i32>,
    lines: LineIndex,
    text: Arc<str>,
    edits: Vec<Edit>,
}

pub async fn rename(shared: &Arc<Shared>, params: RenameParams) -> Result<Option<WorkspaceEdit>> {
    let p = params.text_document_position;
    let uri = p.text_document.uri;
    let Some(snap) = snapshot(shared, &uri).await? else {
        return Ok(None);
    };
    let ctx = shared.ctx();
    let enc = ctx.encoding;
    let at = offset(&snap, p.position, enc);
    let session = shared.session();
    let (files, rename_file) = match ide::rename::prepare(&snap, at, &ctx.index).map_err(refused)? {
        Renameable::Step { step, .. } => {
            let edits = ide::rename::step_edits(&snap, step, &params.new_name).map_err(refused)?;
            (vec![file_edits(uri, &snap, edits)], None)
        }
        Renameable::Spec { id, .. } => {
            let path = shared.docs.get(&uri).and_then(|e| e.doc().path.clone());
            let config = {
                let ctx = ctx.clone();
                tokio::task::spawn_blocking(move || ctx.config_for(path.as_deref()))
                    .await
                    .map_err(|_| Error::internal_error())?
            };
            let new = ide::rename::new_spec_id(
                &id,
                &params.new_name,
                &config.references.prefixes,
                &ctx.index,
            )
            .map_err(refused)?;
            spec_rename(shared, &ctx.index, &id, &new, session.rename_files).await?
        }
    };
    let mut edits: Vec<(Uri, Option<i32>, Vec<TextEdit>)> = files
        .into_iter()
        .filter(|f| !f.edits.is_empty())
        .map(|f| {
            let text_edits = f
                .edits
                .into_iter()
                .map(|e| TextEdit {
                    range: convert::range(&f.lines, &f.text, e.range, enc),
                    new_text: e.text,
                })
                .collect();
            (f.uri, f.version, text_edits)
        })
        .collect();
    edits.sort_by(|a, b| a.0.as_str().cmp(b.0.as_str()));
    if !session.document_changes {
        return Ok(Some(WorkspaceEdit {
            changes: Some(edits.into_iter().map(|(u, _, e)| (u, e)).collect()),
            ..Default::default()
        }));
    }
    // Text edits first, on the files' current names; the rename last.
    let mut ops: Vec<DocumentChangeOperation> = edits
        .into_iter()
        .map(|(uri, version, e)| {
            DocumentChangeOperation::Edit(TextDocumentEdit {
                text_document: OptionalVersionedTextDocumentIdentifier { uri, version },
                edits: e.into_iter().map(OneOf::Left).collect(),
            })
        })
        .collect();
    if let Some((old_uri, new_uri)) = rename_file {
        ops.push(DocumentChangeOperation::Op(ResourceOp::Rename(
            RenameFile {
                old_uri,
                new_uri,
                options: Some(RenameFileOptions {
                    overwrite: Some(false),
                    ignore_if_exists: Some(false),
                }),
                annotation_id: None,
            },
        )));
    }
    Ok(Some(WorkspaceEdit {
        document_changes: Some(DocumentChanges::Operations(ops)),
        ..Default::default()
    }))
}

fn file_edits(uri: Uri, snap: &Snapshot, edits: Vec<Edit>) -> FileEdits {
    FileEdits {
        uri,
        version: Some(snap.version),
        lines: snap.lines().clone(),
        text: snap.text.clone(),
        edits,
    }
}

type SpecRename = (Vec<FileEdits>, Option<(Uri, Uri)>);

/// Every file's edits renaming `old` to `new`, and the defining file's rename.
async fn spec_rename(
    shared: &Arc<Shared>,
    index: &Arc<crate::index::SpecIndex>,
    old: &str,
    new: &str,
    can_rename_files: bool,
) -> Result<SpecRename> {
    let def = index.lookup(old).first().map(|e| (*e).clone());
    let mut files = Vec::new();
    let mut open = Vec::new();
    // Whether the defining file's ID comes from its name only.
    let mut def_by_name = true;
    for entry in shared.docs.all() {
        let path = entry
            .doc()
            .path
            .clone()
            .map(|p| crate::workspace::absolute(&p));
        let Some(checked) = super::diagnostics::check(shared, &entry).await else {
            continue;
        };
        let Some(s) = checked.snapshot.clone() else {
            continue;
        };
        if checked.version != entry.version() {
            return Err(Error {
                code: ErrorCode::ContentModified,
                message: "a document changed while the rename was computed".into(),
                data: None,
            });
        }
        if def.as_ref().is_some_and(|d| Some(&d.path) == path.as_ref()) {
            def_by_name = ide::rename::id_from_name_only(s.model());
        }
        let edits = ide::rename::spec_edits(&s.text, s.model(), old, new);
        files.push(file_edits(entry.uri.clone(), &s, edits));
        open.extend(path);
    }
    let closed: Vec<PathBuf> = index
        .entries()
        .iter()
        .map(|e| e.path.clone())
        .filter(|p| !open.contains(p))
        .collect();
    let (old_id, new_id) = (old.to_string(), new.to_string());
    let def_path = def.as_ref().map(|d| d.path.clone());
    let target = def_path
        .as_ref()
        .and_then(|p| ide::rename::renamed_path(p, old, new));
    let (found, target_exists) = tokio::task::spawn_blocking(move || {
        use rayon::prelude::*;
        let found: Vec<(PathBuf, String, Vec<Edit>, bool)> = closed
            .par_iter()
            .filter_map(|path| {
                let text = crate::workspace::read_spec(path).ok()?;
                let (edits, by_name) = ide::rename::spec_edits_in_text(&text, &old_id, &new_id);
                Some((path.clone(), text, edits, by_name))
            })
            .filter(|f| !f.2.is_empty() || Some(&f.0) == def_path.as_ref())
            .collect();
        let exists = target.as_ref().map(|t| (t.clone(), t.exists()));
        (found, exists)
    })
    .await
    .map_err(|_| Error::internal_error())?;
    for (path, text, edits, by_name) in found {
        if def.as_ref().is_some_and(|d| d.path == path) {
            def_by_name = by_name;
        }
        let Some(uri) = convert::path_to_uri(&path) else {
            continue;
        };
        files.push(FileEdits {
            uri,
            version: None,
            lines: LineIndex::new(&text),
            text: Arc::from(text),
            edits,
        });
    }
    let Some(def) = def else {
        // No file defines the old ID: only its mentions change.
        return Ok((files, None));
    };
    let rename = match target_exists {
        Some((target, true)) => {
            return Err(refused(format!(
                "{} already exists: move it away or pick another ID",
                target.display()
            )))
        }
        Some((target, false)) if can_rename_files => {
            convert::path_to_uri(&def.path).zip(convert::path_to_uri(&target))
        }
        _ => None,
    };
    if rename.is_none() && def_by_name {
        return Err(refused(format!(
            "{old} takes its ID from the file name of {}, and this editor cannot rename files: rename the file yourself, or add `id: {old}` front matter first",
            def.display
        )));
    }
    Ok((files, rename))
}
