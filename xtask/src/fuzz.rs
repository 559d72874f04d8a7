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
    "decode_inicis",
    "decode_ksnet",
    "decode_smartro",
    "decode_tosspayments",
    "decode_nice",
    "sim_galaxia",
    "sim_ksnet",
    "sim_smartro",
    "sim_nice",
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

/// The coverage instrumentation cargo-fuzz asks rustc for (`-s none`: no sanitizer), plus
/// debug assertions, at `opt-level=1` so the build stays short.
const FUZZ_RUSTFLAGS: &str = "-Cpasses=sancov-module -Cllvm-args=-sanitizer-coverage-level=4 \
     -Cllvm-args=-sanitizer-coverage-inline-8bit-counters -Cllvm-args=-sanitizer-coverage-pc-table \
     -Cllvm-args=-sanitizer-coverage-trace-compares --cfg fuzzing -Copt-level=1 -Cdebug-assertions";

/// CI's short fuzzing run: every target for `seconds`, built without cargo-fuzz (which would
/// cost a 4-minute install): plain `cargo build` of `fuzz/` with the flags cargo-fuzz passes,
/// for the host target so build scripts stay uninstrumented. A crash fails the run and leaves
/// its input in `fuzz/artifacts/<target>/`.
pub fn short_run(root: &std::path::Path, seconds: u64) -> Result<()> {
    let started = std::time::Instant::now();
    let dir = root.join("fuzz");
    let host = host_triple()?;
    let target_dir = dir.join("target").join("ci");
    let mut build = Command::new("cargo");
    build
        .current_dir(&dir)
        .env("RUSTC_BOOTSTRAP", "1")
        .env(
            "RUSTFLAGS",
            FUZZ_RUSTFLAGS
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" "),
        )
        .env_remove("CARGO_TARGET_DIR")
        .args([
            "build",
            "--locked",
            "--bins",
            "--target",
            &host,
            "--target-dir",
        ])
        .arg(&target_dir);
    eprintln!("$ {build:?}");
    if !build
        .status()
        .context("spawn cargo build (fuzz)")?
        .success()
    {
        bail!("building the fuzz targets failed");
    }
    let bins = target_dir.join(&host).join("debug");
    let mut runs = Vec::new();
    for t in TARGETS {
        let corpus = dir.join("target").join("corpus").join(t);
        let artifacts = dir.join("artifacts").join(t);
        for d in [&corpus, &artifacts] {
            std::fs::create_dir_all(d).with_context(|| format!("create {}", d.display()))?;
        }
        let out = Command::new(bins.join(t))
            .arg(&corpus)
            .args([
                format!("-max_total_time={seconds}"),
                "-max_len=4096".into(),
                "-rss_limit_mb=1024".into(),
                format!("-artifact_prefix={}/", artifacts.display()),
            ])
            .output()
            .with_context(|| format!("run fuzz target {t}"))?;
        let log = String::from_utf8_lossy(&out.stderr);
        if !out.status.success() {
            eprintln!("{log}");
            bail!("fuzz target {t} found a crash: see {}", artifacts.display());
        }
        let done = log
            .lines()
            .rev()
            .find(|l| l.starts_with("Done "))
            .unwrap_or("(no summary)")
            .to_string();
        runs.push(format!("{t}: {done}"));
    }
    eprintln!(
        "xtask fuzz (CI short run, {seconds} s per target, {:.0?} with the build):",
        started.elapsed()
    );
    for r in runs {
        eprintln!("  {r}");
    }
    Ok(())
}

fn host_triple() -> Result<String> {
    let out = Command::new("rustc")
        .arg("-vV")
        .output()
        .context("run rustc -vV")?;
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("host: ").map(str::to_string))
        .context("rustc -vV printed no host triple")
}
