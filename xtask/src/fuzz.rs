//! `cargo xtask fuzz [--seconds N] [TARGET...]`: the long version of the hostile-input checks
//! (docs/RELIABILITY.md, item 5). Runs every cargo-fuzz target in `fuzz/` for N seconds each
//! (default 60) and fails on the first crash; libFuzzer writes the crashing input under
//! `fuzz/artifacts/<target>/`. The CI part is the proptest "never panics" tests in each adapter.
//!
//! Needs `cargo install cargo-fuzz`. On stable Rust it sets `RUSTC_BOOTSTRAP=1` (cargo-fuzz
//! passes nightly-only flags) and builds without a sanitizer (`-s none`): the code under test
//! is safe Rust, and a panic is what we look for.

use anyhow::{bail, Context, Result};
use std::process::Command;

/// The targets in `fuzz/Cargo.toml`.
pub const TARGETS: &[&str] = &[
    "decode_galaxia",
    "decode_ksnet",
    "decode_smartro",
    "sim_galaxia",
    "sim_ksnet",
    "sim_smartro",
];

/// Parse `[--seconds N] [TARGET...]` and run.
pub fn fuzz(root: &std::path::Path, args: &[String]) -> Result<()> {
    let mut seconds: u64 = 60;
    let mut targets: Vec<String> = Vec::new();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--seconds" => {
                seconds = it
                    .next()
                    .context("--seconds needs a number")?
                    .parse()
                    .context("--seconds needs a number")?;
            }
            t if TARGETS.contains(&t) => targets.push(t.to_string()),
            other => bail!("unknown fuzz target or option `{other}` (targets: {TARGETS:?})"),
        }
    }
    if targets.is_empty() {
        targets = TARGETS.iter().map(|t| t.to_string()).collect();
    }
    let installed = Command::new("cargo")
        .args(["fuzz", "--version"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !installed {
        bail!("cargo-fuzz is not installed: run `cargo install cargo-fuzz` (about 4 minutes)");
    }
    let dir = root.join("fuzz");
    let started = std::time::Instant::now();
    for t in &targets {
        // The corpus lives under fuzz/target/ so it stays out of git and of the scaffold copy.
        let corpus = dir.join("target").join("corpus").join(t);
        std::fs::create_dir_all(&corpus).with_context(|| format!("create {}", corpus.display()))?;
        let mut cmd = Command::new("cargo");
        cmd.current_dir(&dir)
            .env("RUSTC_BOOTSTRAP", "1")
            .args(["fuzz", "run", "-s", "none", t])
            .arg(&corpus)
            .args([
                "--",
                &format!("-max_total_time={seconds}"),
                "-max_len=4096",
                "-rss_limit_mb=1024",
                "-print_final_stats=1",
            ]);
        eprintln!("$ {cmd:?}");
        let status = cmd.status().with_context(|| format!("spawn {cmd:?}"))?;
        if !status.success() {
            bail!("fuzz target {t} found a crash: see fuzz/artifacts/{t}/ (reproduce with `cargo fuzz run -s none {t} <file>`)");
        }
    }
    eprintln!(
        "xtask fuzz: {} targets x {seconds}s, no crash, in {:.0?}",
        targets.len(),
        started.elapsed()
    );
    Ok(())
}
