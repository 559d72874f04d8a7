//! `cargo xtask bench`: the translation benches (every adapter operation, encode and decode,
//! next to a same-run baseline of the wire primitives alone), the routing bench, and rule-aware
//! routing with the real adapters' rules.
//!
//! Both are criterion benches with `harness = false` that print a same-run summary after
//! criterion's report; this command runs them in release and collects the summaries in
//! `target/paymux-bench/` (`translation.md`, `routing.txt`, `routing_rules.txt`). Nothing is asserted: the figures
//! go to docs/BENCHMARKS.md by hand. Flags:
//!
//! - `--quick`: only the same-run tables (skip criterion's per-function runs).
//! - `--features LIST`: facade features (default `all-adapters`).

use anyhow::{bail, Context, Result};
use std::path::Path;
use std::process::{Command, Stdio};

use crate::{cargo, root};

/// Run the benches.
pub fn bench(args: &[String]) -> Result<()> {
    let mut quick = false;
    let mut features = "all-adapters".to_string();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--quick" => quick = true,
            "--features" => features = it.next().context("--features: needs a list")?.clone(),
            other => bail!("bench: unknown argument `{other}` (try --quick, --features LIST)"),
        }
    }
    // The benches drive the simulators.
    let features = format!("{features},simulators");
    let out_dir = root().join("target/paymux-bench");
    std::fs::create_dir_all(&out_dir)?;
    eprintln!("machine: {}", crate::load::machine());

    let mut tr = cargo();
    tr.args([
        "bench",
        "-p",
        "paymux",
        "--no-default-features",
        "--features",
        &features,
        "--bench",
        "translation",
    ]);
    if quick {
        tr.env("PAYMUX_BENCH_QUICK", "1");
    }
    crate::run(&mut tr)?;

    let mut rt = cargo();
    rt.args(["bench", "-p", "paymux-routing", "--bench", "routing"]);
    let summary = summary_of(rt, quick, &out_dir.join("routing.txt"))?;

    // Rule-aware selection with the real adapters' rules (docs/BENCHMARKS.md §2).
    let mut rr = cargo();
    rr.args([
        "bench",
        "-p",
        "paymux",
        "--no-default-features",
        "--features",
    ])
    .args([&features, "--bench", "routing_rules"]);
    let rules_summary = summary_of(rr, quick, &out_dir.join("routing_rules.txt"))?;

    println!();
    println!("== translation (target/paymux-bench/translation.md)");
    print!(
        "{}",
        std::fs::read_to_string(out_dir.join("translation.md")).unwrap_or_default()
    );
    println!();
    println!("== routing (target/paymux-bench/routing.txt)");
    print!("{summary}");
    println!();
    println!("== rule-aware routing (target/paymux-bench/routing_rules.txt)");
    print!("{rules_summary}");
    Ok(())
}

/// Run a bench that prints a same-run summary after criterion's report; keep the summary in
/// `file` and return it.
fn summary_of(mut cmd: Command, quick: bool, file: &Path) -> Result<String> {
    if quick {
        // criterion's quick mode: fewer samples; the same-run summary is unchanged.
        cmd.args(["--", "--quick"]);
    }
    eprintln!("$ {cmd:?}");
    let out = cmd
        .stderr(Stdio::inherit())
        .output()
        .with_context(|| format!("spawn {cmd:?}"))?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    print!("{stdout}");
    if !out.status.success() {
        bail!("{cmd:?} failed: {}", out.status);
    }
    let summary: String = stdout
        .lines()
        .skip_while(|l| !l.starts_with("same-run summary"))
        .map(|l| format!("{l}\n"))
        .collect();
    std::fs::write(file, &summary)?;
    Ok(summary)
}
