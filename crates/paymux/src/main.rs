//! The `paymux` binary. See `paymux --help`.

// A payment allocates and frees many small objects (JSON, SQL arguments, views); mimalloc does
// that in about half the instructions of glibc's malloc (docs/BENCHMARKS.md §5e).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    paymux::cli::main()
}
