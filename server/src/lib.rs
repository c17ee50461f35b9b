//! deployspec: checks deployment-procedure specs (Markdown runbooks) as a language server and as
//! a command-line checker. See ARCHITECTURE.md for the map.

pub mod analysis;
pub mod cli;
pub mod config;
pub mod diagnostic;
pub mod ide;
pub mod index;
pub mod lsp;
pub mod panics;
pub mod position;
pub mod rules;
pub mod suggest;
pub mod templates;
pub mod workspace;
