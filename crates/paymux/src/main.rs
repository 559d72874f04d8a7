//! The `paymux` binary. See `paymux --help`.

fn main() -> std::process::ExitCode {
    paymux::cli::main()
}
