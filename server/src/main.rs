fn main() -> std::process::ExitCode {
    // The binary wires the two front ends together: `cli` parses the command line and hands the
    // `server` subcommand to the language server.
    deployspec::cli::main(deployspec::lsp::run_stdio)
}
