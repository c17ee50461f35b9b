//! Adapters for the navigation requests (definition, hover, document symbols, folding ranges,
//! completion) over `crate::ide`, in the pattern of `features.rs`: snapshot of the current
//! version, positions to bytes, the pure feature, bytes back to positions.

use std::path::Path;
use std::sync::Arc;

use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::*;

use crate::config::Features;
use crate::ide::{self, definition::Location as Target, Snapshot};
use crate::position::LineIndex;

use super::convert;
use super::documents::Context;
use super::features::{offset, range, snapshot};
use super::state::Shared;

pub async fn definition(
    shared: &Arc<Shared>,
    params: GotoDefinitionParams,
) -> Result<Option<GotoDefinitionResponse>> {
    let p = params.text_document_position_params;
    let uri = p.text_document.uri;
    let Some(snap) = snapshot(shared, &uri).await? else {
        return Ok(None);
    };
    let ctx = shared.ctx();
    let enc = ctx.encoding;
    let at = offset(&snap, p.position, enc);
    let def = match ide::definition::definition(&snap, at, &ctx.index) {
        Some(d) => d,
        // A relative link to a spec file: that file.
        None => {
            let Some(doc) = doc_path(shared, &uri).await else {
                return Ok(None);
            };
            let Some((origin, path)) = ide::links::spec_paths(&snap, &doc, &ctx.index)
                .into_iter()
                .find(|(r, _)| ide::at::touches(r, at))
            else {
                return Ok(None);
            };
            ide::definition::Definition {
                origin,
                targets: vec![Target::File(path)],
            }
        }
    };
    let origin = range(&snap, def.origin.clone(), enc);
    let mut links = Vec::new();
    for t in def.targets {
        let (target_uri, target_range) = match t {
            Target::Here(r) => (uri.clone(), range(&snap, r, enc)),
            Target::File(path) => {
                let Some(u) = convert::path_to_uri(&path) else {
                    continue;
                };
                let r = title_in(shared, &u, &path, enc).await.unwrap_or_default();
                (u, r)
            }
        };
        links.push(LocationLink {
            origin_selection_range: Some(origin),
            target_uri,
            target_range,
            target_selection_range: target_range,
        });
    }
    Ok((!links.is_empty()).then_some(GotoDefinitionResponse::Link(links)))
}

/// The absolute path of an open document, as the index names files (canonical), resolved off
/// the async threads.
async fn doc_path(shared: &Arc<Shared>, uri: &Uri) -> Option<std::path::PathBuf> {
    let path = shared.docs.get(uri)?.doc().path.clone()?;
    tokio::task::spawn_blocking(move || crate::workspace::absolute(&path))
        .await
        .ok()
}

/// The title line of a spec: from its open buffer when it is open (the buffer, never the saved
/// file), else read from disk off the async threads. `None` when it cannot be read.
async fn title_in(
    shared: &Arc<Shared>,
    uri: &Uri,
    path: &Path,
    enc: crate::position::Encoding,
) -> Option<Range> {
    let text: String = match shared.docs.get(uri) {
        Some(entry) => entry.doc().rope.to_string(),
        None => {
            let path = path.to_path_buf();
            tokio::task::spawn_blocking(move || crate::workspace::read_spec(&path).ok())
                .await
                .ok()??
        }
    };
    let r = ide::definition::title_line(&text);
    Some(convert::range(&LineIndex::new(&text), &text, r, enc))
}

pub async fn hover(shared: &Arc<Shared>, params: HoverParams) -> Result<Option<Hover>> {
    let ctx = shared.ctx();
    if !ctx.config.features.hover {
        return Ok(None);
    }
    let p = params.text_document_position_params;
    let Some(snap) = snapshot(shared, &p.text_document.uri).await? else {
        return Ok(None);
    };
    let at = offset(&snap, p.position, ctx.encoding);
    Ok(ide::hover::hover(&snap, at, &ctx.index).map(|h| Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: MarkupKind::Markdown,
            value: h.markdown,
        }),
        range: Some(range(&snap, h.range, ctx.encoding)),
    }))
}

pub async fn document_symbol(
    shared: &Arc<Shared>,
    params: DocumentSymbolParams,
) -> Result<Option<DocumentSymbolResponse>> {
    let Some((ctx, snap)) = switched_on(shared, &params.text_document.uri, |f| f.symbols).await?
    else {
        return Ok(None);
    };
    let syms = ide::symbols::document_symbols(&snap);
    let convert_all = |syms: Vec<ide::symbols::Symbol>| -> Vec<DocumentSymbol> {
        fn go(
            snap: &ide::Snapshot,
            enc: crate::position::Encoding,
            syms: Vec<ide::symbols::Symbol>,
        ) -> Vec<DocumentSymbol> {
            syms.into_iter()
                .map(|s| {
                    #[allow(deprecated)] // `deprecated` is a required field of the struct
                    DocumentSymbol {
                        name: s.name,
                        detail: s.detail,
                        kind: match s.kind {
                            ide::symbols::SymbolKind::Title => SymbolKind::FILE,
                            ide::symbols::SymbolKind::Section => SymbolKind::NAMESPACE,
                            ide::symbols::SymbolKind::Step => SymbolKind::FUNCTION,
                        },
                        tags: None,
                        deprecated: None,
                        range: range(snap, s.range, enc),
                        selection_range: range(snap, s.selection, enc),
                        children: Some(go(snap, enc, s.children)),
                    }
                })
                .collect()
        }
        go(&snap, ctx.encoding, syms)
    };
    Ok(Some(DocumentSymbolResponse::Nested(convert_all(syms))))
}

pub async fn folding_range(
    shared: &Arc<Shared>,
    params: FoldingRangeParams,
) -> Result<Option<Vec<FoldingRange>>> {
    // Folding follows the outline, so it goes with the `symbols` switch.
    let Some((_, snap)) = switched_on(shared, &params.text_document.uri, |f| f.symbols).await?
    else {
        return Ok(None);
    };
    let lines = snap.lines();
    let out = ide::folding::folding_ranges(&snap)
        .into_iter()
        .map(|r| FoldingRange {
            start_line: lines.line_of(r.start) as u32,
            end_line: lines.line_of(r.end) as u32,
            kind: Some(FoldingRangeKind::Region),
            ..Default::default()
        })
        .filter(|f| f.end_line > f.start_line)
        .collect();
    Ok(Some(out))
}

pub async fn completion(
    shared: &Arc<Shared>,
    params: CompletionParams,
) -> Result<Option<CompletionResponse>> {
    let ctx = shared.ctx();
    if !ctx.config.features.completion {
        return Ok(None);
    }
    let p = params.text_document_position;
    let Some(snap) = snapshot(shared, &p.text_document.uri).await? else {
        return Ok(None);
    };
    let enc = ctx.encoding;
    let at = offset(&snap, p.position, enc);
    let path = shared
        .docs
        .get(&p.text_document.uri)
        .and_then(|e| e.doc().path.clone());
    // The document was just checked, so its folder's configuration is already resolved.
    let config = ctx.config_for(path.as_deref());
    let env = ide::completion::Env {
        snippets: shared.session().completion_snippets,
        sections: config
            .sections
            .required
            .iter()
            .chain(&config.sections.recommended)
            .copied()
            .collect(),
        max_specs: 200,
    };
    let c = ide::completion::complete(&snap, at, &ctx.index, &env);
    let items = c
        .items
        .into_iter()
        .enumerate()
        .map(|(n, i)| CompletionItem {
            label: i.label,
            kind: Some(match i.kind {
                ide::completion::ItemKind::Spec => CompletionItemKind::REFERENCE,
                ide::completion::ItemKind::Rule => CompletionItemKind::VALUE,
                ide::completion::ItemKind::Section => CompletionItemKind::MODULE,
                ide::completion::ItemKind::Step => CompletionItemKind::SNIPPET,
                ide::completion::ItemKind::Time => CompletionItemKind::VALUE,
            }),
            // The feature's order (durations short to long, IDs sorted), not the labels'.
            sort_text: Some(format!("{n:04}")),
            detail: i.detail,
            documentation: i.documentation.map(Documentation::String),
            filter_text: Some(i.filter),
            insert_text_format: Some(if i.snippet {
                InsertTextFormat::SNIPPET
            } else {
                InsertTextFormat::PLAIN_TEXT
            }),
            text_edit: Some(CompletionTextEdit::Edit(TextEdit {
                range: range(&snap, i.edit.range, enc),
                new_text: i.edit.text,
            })),
            ..Default::default()
        })
        .collect();
    Ok(Some(CompletionResponse::List(CompletionList {
        is_incomplete: c.incomplete,
        items,
    })))
}

pub async fn references(
    shared: &Arc<Shared>,
    params: ReferenceParams,
) -> Result<Option<Vec<Location>>> {
    let p = params.text_document_position;
    let uri = p.text_document.uri;
    let Some(snap) = snapshot(shared, &uri).await? else {
        return Ok(None);
    };
    let ctx = shared.ctx();
    let enc = ctx.encoding;
    let at = offset(&snap, p.position, enc);
    let own_path = shared
        .docs
        .get(&uri)
        .and_then(|e| e.doc().path.clone())
        .map(|p| crate::workspace::absolute(&p));
    let own_id = own_path.as_ref().and_then(|p| {
        ctx.index
            .entries()
            .iter()
            .find(|e| &e.path == p)
            .map(|e| e.id.clone())
    });
    let query = ide::references::query_at(&snap, at, own_id.as_deref());
    let id = match query {
        None => return Ok(None),
        Some(ide::references::Query::Step(ranges)) => {
            return Ok(Some(
                ranges
                    .into_iter()
                    .map(|r| Location::new(uri.clone(), range(&snap, r, enc)))
                    .collect(),
            ));
        }
        Some(ide::references::Query::Spec(id)) => id,
    };
    let mut out = Vec::new();
    if params.context.include_declaration {
        for e in ctx.index.lookup(&id) {
            if let Some(u) = convert::path_to_uri(&e.path) {
                if let Some(r) = title_in(shared, &u, &e.path, enc).await {
                    out.push(Location::new(u, r));
                }
            }
        }
    }
    // Open documents: their current text.
    for entry in shared.docs.all() {
        let Some(checked) = super::diagnostics::check(shared, &entry).await else {
            continue;
        };
        let Some(s) = checked.snapshot.clone() else {
            continue;
        };
        for r in ide::references::spec_references(s.model(), &id) {
            out.push(Location::new(entry.uri.clone(), range(&s, r, enc)));
        }
    }
    // Files on disk, from the occurrence index.
    let open = super::workspace_index::open_paths(shared).await;
    let mut found = Vec::new();
    for (path, occ) in super::workspace_index::files_with(shared, &id, open).await {
        let Some(u) = convert::path_to_uri(&path) else {
            continue;
        };
        found.extend(
            occ.of(&id)
                .map(|o| Location::new(u.clone(), convert::lsp_range(o.start, o.end))),
        );
    }
    out.extend(found);
    Ok(Some(out))
}

pub async fn workspace_symbol(
    shared: &Arc<Shared>,
    params: WorkspaceSymbolParams,
) -> Result<Option<WorkspaceSymbolResponse>> {
    let ctx = shared.ctx();
    if !ctx.config.features.symbols {
        return Ok(None);
    }
    let out = ide::workspace_symbols::workspace_symbols(&ctx.index, &params.query, 500)
        .into_iter()
        .filter_map(|e| {
            #[allow(deprecated)] // `deprecated` is a required field of the struct
            Some(SymbolInformation {
                name: match &e.title {
                    Some(t) => format!("{}: {t}", e.id),
                    None => e.id.clone(),
                },
                kind: SymbolKind::FILE,
                tags: None,
                deprecated: None,
                location: Location::new(convert::path_to_uri(&e.path)?, Range::default()),
                container_name: e.kind.clone(),
            })
        })
        .collect();
    Ok(Some(WorkspaceSymbolResponse::Flat(out)))
}

pub async fn document_link(
    shared: &Arc<Shared>,
    params: DocumentLinkParams,
) -> Result<Option<Vec<DocumentLink>>> {
    let Some((ctx, snap)) = switched_on(shared, &params.text_document.uri, |f| f.links).await?
    else {
        return Ok(None);
    };
    let mut found = ide::links::links(&snap, &ctx.index);
    if let Some(doc) = doc_path(shared, &params.text_document.uri).await {
        found.extend(ide::links::spec_paths(&snap, &doc, &ctx.index));
        found.sort_by_key(|(r, _)| r.start);
    }
    let out = found
        .into_iter()
        .filter_map(|(r, path)| {
            Some(DocumentLink {
                range: range(&snap, r, ctx.encoding),
                target: Some(convert::path_to_uri(&path)?),
                tooltip: None,
                data: None,
            })
        })
        .collect();
    Ok(Some(out))
}

pub async fn selection_range(
    shared: &Arc<Shared>,
    params: SelectionRangeParams,
) -> Result<Option<Vec<SelectionRange>>> {
    // Selection follows the outline, so it goes with the `symbols` switch.
    let Some((ctx, snap)) = switched_on(shared, &params.text_document.uri, |f| f.symbols).await?
    else {
        return Ok(None);
    };
    let enc = ctx.encoding;
    let out = params
        .positions
        .into_iter()
        .map(|p| {
            let at = offset(&snap, p, enc);
            let chain = ide::selection::selection_ranges(&snap, at);
            // Outermost first, each becoming the parent of the next.
            chain
                .into_iter()
                .rev()
                .fold(None, |parent, r| {
                    Some(SelectionRange {
                        range: range(&snap, r, enc),
                        parent: parent.map(Box::new),
                    })
                })
                .unwrap_or(SelectionRange {
                    range: Range::new(p, p),
                    parent: None,
                })
        })
        .collect();
    Ok(Some(out))
}

/// The context and the current snapshot of `uri`; `None` when the feature is switched off in
/// `[features]` or the document is not open.
async fn switched_on(
    shared: &Arc<Shared>,
    uri: &Uri,
    on: fn(&Features) -> bool,
) -> Result<Option<(Arc<Context>, Arc<Snapshot>)>> {
    let ctx = shared.ctx();
    if !on(&ctx.config.features) {
        return Ok(None);
    }
    Ok(snapshot(shared, uri).await?.map(|snap| (ctx, snap)))
}
