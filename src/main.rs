//! The `forgehand` binary: a thin shell around [`forgehand::cli`].

fn main() -> std::process::ExitCode {
    forgehand::cli::main()
}
