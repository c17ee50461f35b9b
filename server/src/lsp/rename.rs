//! `textDocument/prepareRename` and `textDocument/rename` over `ide::rename`: a refusal is a
//! `RequestFailed` error whose message the editor shows. A spec ID's edits cover the open
//! documents (their current text, versioned) and the index's other files; the defining file is
//! renamed with a `RenameFile` operation when the client can apply one.

use std::sync::Arc;

use tower_lsp_server::jsonrpc::{Error, ErrorCode, Result};
use tower_lsp_server::ls_types::*;

use crate::ide::{self, rename::Renameable, Edit, Snapshot};
use crate::position::Encoding;

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

/// The edits of one file, and its version when it is open.
struct FileEdits {
    uri: Uri,
    version: Option<i32>,
    edits: Vec<TextEdit>,
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
            (vec![file_edits(uri, &snap, edits, enc)], None)
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
            spec_rename(shared, &ctx.index, &id, &new, session.rename_files, enc).await?
        }
    };
    let mut edits: Vec<(Uri, Option<i32>, Vec<TextEdit>)> = files
        .into_iter()
        .filter(|f| !f.edits.is_empty())
        .map(|f| (f.uri, f.version, f.edits))
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

fn file_edits(uri: Uri, snap: &Snapshot, edits: Vec<Edit>, enc: Encoding) -> FileEdits {
    FileEdits {
        uri,
        version: Some(snap.version),
        edits: edits
            .into_iter()
            .map(|e| TextEdit {
                range: range(snap, e.range, enc),
                new_text: e.text,
            })
            .collect(),
    }
}

type SpecRename = (Vec<FileEdits>, Option<(Uri, Uri)>);

/// Every file's edits renaming `old` to `new`, and the defining file's rename. Open documents
/// are edited in their current text; the others from the occurrence index.
async fn spec_rename(
    shared: &Arc<Shared>,
    index: &Arc<crate::index::SpecIndex>,
    old: &str,
    new: &str,
    can_rename_files: bool,
    enc: Encoding,
) -> Result<SpecRename> {
    let def = index.lookup(old).first().map(|e| (*e).clone());
    let mut files = Vec::new();
    // Whether the defining file's ID comes from its name only.
    let mut def_by_name = true;
    let open = super::workspace_index::open_paths(shared).await;
    for entry in shared.docs.all() {
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
        let path = entry
            .doc()
            .path
            .clone()
            .map(|p| crate::workspace::absolute(&p));
        if def.as_ref().is_some_and(|d| Some(&d.path) == path.as_ref()) {
            def_by_name = ide::rename::id_from_name_only(s.model());
        }
        let edits = ide::rename::spec_edits(&s.text, s.model(), old, new);
        files.push(file_edits(entry.uri.clone(), &s, edits, enc));
    }
    for (path, occ) in super::workspace_index::files_with(shared, old, open).await {
        let front = occ.front_id.as_ref().filter(|o| &*o.id == old);
        if def.as_ref().is_some_and(|d| d.path == path) {
            def_by_name = front.is_none();
        }
        let Some(uri) = convert::path_to_uri(&path) else {
            continue;
        };
        let edits = occ
            .of(old)
            .chain(front)
            .map(|o| TextEdit {
                range: convert::lsp_range(o.start, o.end),
                new_text: if o.lower {
                    new.to_ascii_lowercase()
                } else {
                    new.to_string()
                },
            })
            .collect();
        files.push(FileEdits {
            uri,
            version: None,
            edits,
        });
    }
    let Some(def) = def else {
        // No file defines the old ID: only its mentions change.
        return Ok((files, None));
    };
    let target = ide::rename::renamed_path(&def.path, old, new);
    let target_exists = match target.clone() {
        Some(t) => Some(
            tokio::task::spawn_blocking(move || t.exists())
                .await
                .map_err(|_| Error::internal_error())?,
        ),
        None => None,
    };
    let rename = match (target, target_exists) {
        (Some(target), Some(true)) => {
            return Err(refused(format!(
                "{} already exists: move it away or pick another ID",
                target.display()
            )))
        }
        (Some(target), _) if can_rename_files => {
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
