//! The language server: the only module that knows LSP. Built on tower-lsp-server.

/// Serves LSP on stdin/stdout until `exit`. Returns the process exit code.
pub fn run_stdio() -> std::process::ExitCode {
    eprintln!("deployspec: the language server is not built yet");
    std::process::ExitCode::from(2)
}
