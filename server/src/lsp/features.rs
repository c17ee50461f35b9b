//! Adapters from the protocol to `crate::ide`: each request takes the snapshot of the current
//! version, converts positions to bytes, calls the feature, converts back.

use std::collections::HashMap;
use std::sync::Arc;

use tower_lsp_server::jsonrpc::{Error, ErrorCode, Result};
use tower_lsp_server::ls_types::*;

use crate::ide::{self, Snapshot};
use crate::position::{Encoding, LineCol};

use super::convert;
use super::diagnostics;
use super::state::Shared;

/// `source.fixAll.deployspec`.
pub fn fix_all_kind() -> CodeActionKind {
    CodeActionKind::new("source.fixAll.deployspec")
}

/// The snapshot of the document's current version, or `None` when it is not an open Markdown
/// document. An edit that arrived meanwhile makes the answer stale: the client asks again.
pub(super) async fn snapshot(shared: &Arc<Shared>, uri: &Uri) -> Result<Option<Arc<Snapshot>>> {
    let Some(entry) = shared.docs.get(uri) else {
        return Ok(None);
    };
    let checked = diagnostics::check(shared, &entry)
        .await
        .ok_or_else(Error::internal_error)?;
    if checked.version != entry.version() {
        return Err(Error {
            code: ErrorCode::ContentModified,
            message: "the document changed while this was computed".into(),
            data: None,
        });
    }
    Ok(checked.snapshot.clone())
}

pub(super) fn offset(snap: &Snapshot, p: Position, enc: Encoding) -> usize {
    snap.lines().offset(
        &snap.text,
        LineCol {
            line: p.line,
            col: p.character,
        },
        enc,
    )
}

pub(super) fn range(snap: &Snapshot, r: std::ops::Range<usize>, enc: Encoding) -> Range {
    convert::range(snap.lines(), &snap.text, r, enc)
}

/// Whether an action of `kind` passes the client's `only` filter (kinds are hierarchical:
/// `source.fixAll` admits `source.fixAll.deployspec`).
fn wanted(only: Option<&[CodeActionKind]>, kind: &CodeActionKind) -> bool {
    only.is_none_or(|o| {
        o.iter().any(|k| {
            kind.as_str() == k.as_str()
                || kind
                    .as_str()
                    .strip_prefix(k.as_str())
                    .is_some_and(|r| r.starts_with('.'))
        })
    })
}

pub async fn code_action(
    shared: &Arc<Shared>,
    params: CodeActionParams,
) -> Result<Option<CodeActionResponse>> {
    let ctx = shared.ctx();
    if !ctx.config.features.code_actions {
        return Ok(None);
    }
    let uri = params.text_document.uri;
    let Some(snap) = snapshot(shared, &uri).await? else {
        return Ok(None);
    };
    let session = shared.session();
    let enc = ctx.encoding;
    let only = params.context.only.as_deref();
    let start = offset(&snap, params.range.start, enc);
    let end = offset(&snap, params.range.end, enc).max(start);
    let env = ide::Env {
        // ls-types has no snippet text edit (LSP 3.18), so edits go out as plain text.
        snippets: false,
        create_files: session.create_files,
        spec_root: shared.workspace().map(|w| w.spec_root()),
        index: Some(ctx.index.clone()),
    };
    let mut actions = Vec::new();
    // The fix-all is a source action: offered when asked for by kind (on save, or the menu).
    if only.is_some() && wanted(only, &fix_all_kind()) {
        actions.extend(ide::actions::fix_all(&snap));
    }
    if wanted(only, &CodeActionKind::QUICKFIX) {
        actions.extend(ide::actions::quick_fixes(&snap, start..end, &env));
    }
    let out = actions
        .into_iter()
        .map(|a| CodeActionOrCommand::CodeAction(to_lsp(&snap, &uri, a, &session, enc)))
        .collect();
    Ok(Some(out))
}

fn to_lsp(
    snap: &Snapshot,
    uri: &Uri,
    a: ide::Action,
    session: &super::state::Session,
    enc: Encoding,
) -> CodeAction {
    let edits: Vec<TextEdit> = a
        .edits
        .iter()
        .map(|e| TextEdit {
            range: range(snap, e.range.clone(), enc),
            new_text: e.text.clone(),
        })
        .collect();
    let mut ops: Vec<DocumentChangeOperation> = Vec::new();
    if let Some(file) = &a.create {
        if let Some(new_uri) = convert::path_to_uri(&file.path) {
            ops.push(DocumentChangeOperation::Op(ResourceOp::Create(
                CreateFile {
                    uri: new_uri.clone(),
                    options: Some(CreateFileOptions {
                        overwrite: Some(false),
                        ignore_if_exists: Some(true),
                    }),
                    annotation_id: None,
                },
            )));
            ops.push(DocumentChangeOperation::Edit(TextDocumentEdit {
                text_document: OptionalVersionedTextDocumentIdentifier {
                    uri: new_uri,
                    version: None,
                },
                edits: vec![OneOf::Left(TextEdit {
                    range: Range::default(),
                    new_text: file.text.clone(),
                })],
            }));
        }
    }
    let edit = if !ops.is_empty() || session.document_changes {
        if !edits.is_empty() {
            // Versioned: a client whose buffer moved on rejects the edit instead of misplacing it.
            ops.push(DocumentChangeOperation::Edit(TextDocumentEdit {
                text_document: OptionalVersionedTextDocumentIdentifier {
                    uri: uri.clone(),
                    version: Some(snap.version),
                },
                edits: edits.into_iter().map(OneOf::Left).collect(),
            }));
        }
        WorkspaceEdit {
            document_changes: Some(DocumentChanges::Operations(ops)),
            ..Default::default()
        }
    } else {
        WorkspaceEdit {
            changes: Some(HashMap::from([(uri.clone(), edits)])),
            ..Default::default()
        }
    };
    let diagnostics = a
        .finding
        .and_then(|i| snap.analysis.findings.get(i))
        .map(|f| convert::diagnostics(&snap.text, std::slice::from_ref(f), enc));
    CodeAction {
        title: a.title,
        kind: Some(match a.kind {
            ide::ActionKind::QuickFix => CodeActionKind::QUICKFIX,
            ide::ActionKind::FixAll => fix_all_kind(),
        }),
        diagnostics,
        edit: Some(edit),
        command: None,
        is_preferred: a.preferred.then_some(true),
        disabled: None,
        data: None,
    }
}

pub async fn inlay_hint(
    shared: &Arc<Shared>,
    params: InlayHintParams,
) -> Result<Option<Vec<InlayHint>>> {
    let ctx = shared.ctx();
    if !ctx.config.features.inlay_hints {
        return Ok(None);
    }
    let Some(snap) = snapshot(shared, &params.text_document.uri).await? else {
        return Ok(None);
    };
    let enc = ctx.encoding;
    let start = offset(&snap, params.range.start, enc);
    let end = offset(&snap, params.range.end, enc).max(start);
    let hints = ide::hints::hints(&snap, start..end)
        .into_iter()
        .map(|h| {
            let p = snap.lines().position(&snap.text, h.offset, enc);
            InlayHint {
                position: Position::new(p.line, p.col),
                label: InlayHintLabel::String(h.label),
                kind: None,
                text_edits: None,
                tooltip: Some(InlayHintTooltip::String(
                    "cumulative time at the end of this step".into(),
                )),
                padding_left: Some(true),
                padding_right: None,
                data: None,
            }
        })
        .collect();
    Ok(Some(hints))
}

pub async fn code_lens(
    shared: &Arc<Shared>,
    params: CodeLensParams,
) -> Result<Option<Vec<CodeLens>>> {
    let ctx = shared.ctx();
    if !ctx.config.features.code_lens {
        return Ok(None);
    }
    let Some(snap) = snapshot(shared, &params.text_document.uri).await? else {
        return Ok(None);
    };
    let lenses = ide::lens::lenses(&snap)
        .into_iter()
        .map(|l| CodeLens {
            range: range(&snap, l.range, ctx.encoding),
            // A label only: clicking it does nothing.
            command: Some(Command {
                title: l.title,
                command: String::new(),
                arguments: None,
            }),
            data: None,
        })
        .collect();
    Ok(Some(lenses))
}
