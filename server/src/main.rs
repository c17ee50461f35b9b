fn main() -> std::process::ExitCode {
    deployspec::cli::main()
}
