//! `cargo xtask <command>`: project automation, in Rust so it runs wherever cargo does.
//!
//! - `ci`: format check, clippy with `-D warnings`, every test, and no pending insta snapshot.
//!   This is the README's test command and what `.ci/run` calls.

use anyhow::{bail, Context, Result};
use std::path::{Path, PathBuf};
use std::process::Command;

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("ci") => ci(),
        Some("fmt") => run(cargo().args(["fmt", "--all"])),
        _ => {
            eprintln!("usage: cargo xtask <ci | fmt>");
            eprintln!("  ci    fmt check, clippy -D warnings, all tests, no pending snapshots");
            eprintln!("  fmt   format the workspace");
            std::process::exit(2)
        }
    }
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives in the workspace root")
        .to_path_buf()
}

fn cargo() -> Command {
    let mut c = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    c.current_dir(root());
    c
}

fn run(cmd: &mut Command) -> Result<()> {
    eprintln!("$ {cmd:?}");
    let status = cmd.status().with_context(|| format!("spawn {cmd:?}"))?;
    if !status.success() {
        bail!("{cmd:?} failed: {status}");
    }
    Ok(())
}

fn has_nextest() -> bool {
    Command::new("cargo-nextest")
        .arg("--version")
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false)
}

fn ci() -> Result<()> {
    let started = std::time::Instant::now();
    run(cargo().args(["fmt", "--all", "--check"]))?;
    run(cargo().args([
        "clippy",
        "--workspace",
        "--all-targets",
        "--all-features",
        "--",
        "-D",
        "warnings",
    ]))?;
    // Snapshot mismatches fail instead of writing `.snap.new` files.
    let mut tests = cargo();
    tests.env("INSTA_UPDATE", "no").env("CI", "true");
    if has_nextest() {
        tests.args([
            "nextest",
            "run",
            "--workspace",
            "--all-features",
            "--no-fail-fast",
        ]);
    } else {
        tests.args(["test", "--workspace", "--all-features", "--no-fail-fast"]);
    }
    run(&mut tests)?;
    // Doc tests (nextest does not run them).
    run(cargo().args(["test", "--workspace", "--all-features", "--doc"]))?;
    // An adapter-less build must still compile and run.
    run(cargo().args(["build", "-p", "paymux", "--no-default-features"]))?;
    check_no_pending_snapshots()?;
    eprintln!("xtask ci: all green in {:.0?}", started.elapsed());
    Ok(())
}

fn check_no_pending_snapshots() -> Result<()> {
    let mut pending = Vec::new();
    let mut stack = vec![root()];
    while let Some(dir) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&dir) else {
            continue;
        };
        for e in rd.flatten() {
            let p = e.path();
            let name = e.file_name().to_string_lossy().into_owned();
            if p.is_dir() {
                if name != "target" && !name.starts_with('.') && name != "node_modules" {
                    stack.push(p);
                }
            } else if name.ends_with(".snap.new") || name.ends_with(".pending-snap") {
                pending.push(p);
            }
        }
    }
    if !pending.is_empty() {
        bail!("pending insta snapshots (review with `cargo insta review`): {pending:?}");
    }
    Ok(())
}
