//! `cargo xtask bench`: the translation benches (every adapter operation, encode and decode,
//! next to a same-run baseline of the wire primitives alone) and the routing bench.
//!
//! Both are criterion benches with `harness = false` that print a same-run summary after
//! criterion's report; this command runs them in release and collects the summaries in
//! `target/paymux-bench/` (`translation.md`, `routing.txt`). Nothing is asserted: the figures
//! go to docs/BENCHMARKS.md by hand. Flags:
//!
//! - `--quick`: only the same-run tables (skip criterion's per-function runs).
//! - `--features LIST`: facade features (default `all-adapters`).

use anyhow::{bail, Context, Result};
use std::process::Stdio;

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
    if quick {
        // criterion's quick mode: fewer samples; the same-run summary is unchanged.
        rt.args(["--", "--quick"]);
    }
    eprintln!("$ {rt:?}");
    let out = rt
        .stderr(Stdio::inherit())
        .output()
        .with_context(|| format!("spawn {rt:?}"))?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    print!("{stdout}");
    if !out.status.success() {
        bail!("routing bench failed: {}", out.status);
    }
    let summary: String = stdout
        .lines()
        .skip_while(|l| !l.starts_with("same-run summary"))
        .map(|l| format!("{l}\n"))
        .collect();
    std::fs::write(out_dir.join("routing.txt"), &summary)?;

    println!();
    println!("== translation (target/paymux-bench/translation.md)");
    print!(
        "{}",
        std::fs::read_to_string(out_dir.join("translation.md")).unwrap_or_default()
    );
    println!();
    println!("== routing (target/paymux-bench/routing.txt)");
    print!("{summary}");
    Ok(())
}
