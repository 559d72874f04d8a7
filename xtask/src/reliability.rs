//! `cargo xtask reliability [--scale N]`: the long version of the reliability suite
//! (`crates/paymux/tests/reliability`, docs/RELIABILITY.md). It runs the same scenarios as CI
//! with `PAYMUX_RELIABILITY_SCALE=N` (default 10: ten times the requests, ids, schedules and
//! faults), one scenario at a time, and prints every `RELIABILITY …` figure line.
//! The fuzzing half of the long version is `cargo xtask fuzz`.

use anyhow::{bail, Context, Result};
use std::io::{BufRead, BufReader};
use std::process::Stdio;
use std::time::Instant;

use crate::cargo;

/// Run the suite at `--scale N` and print its figures.
pub fn reliability(args: &[String]) -> Result<()> {
    let mut scale = "10".to_string();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--scale" => scale = it.next().cloned().context("--scale: needs a value")?,
            other => bail!("unknown flag {other}; usage: cargo xtask reliability [--scale N]"),
        }
    }
    let n: u32 = scale
        .parse()
        .ok()
        .filter(|n| *n >= 1)
        .context("--scale: a whole number ≥ 1")?;
    let started = Instant::now();
    let mut cmd = cargo();
    cmd.args([
        "nextest",
        "run",
        "-p",
        "paymux",
        "--test",
        "reliability",
        // One scenario at a time (--no-capture also implies it): each loads both cores.
        "--no-capture",
        "--no-fail-fast",
    ])
    .env("PAYMUX_RELIABILITY_SCALE", n.to_string())
    // Long runs must exercise PostgreSQL too: a missing server is a failure, not a skip.
    .env("CI", "1")
    .stdout(Stdio::piped());
    eprintln!("$ PAYMUX_RELIABILITY_SCALE={n} {cmd:?}");
    let mut child = cmd.spawn().context("spawn cargo nextest")?;
    let mut figures = Vec::new();
    for line in BufReader::new(child.stdout.take().expect("piped")).lines() {
        let line = line?;
        println!("{line}");
        if let Some(f) = line.strip_prefix("RELIABILITY ") {
            figures.push(f.to_string());
        }
    }
    let status = child.wait()?;
    println!(
        "\n== reliability figures (scale {n}, {:.0} s) ==",
        started.elapsed().as_secs_f64()
    );
    for f in &figures {
        println!("- {f}");
    }
    if !status.success() {
        bail!("the reliability suite failed at scale {n}");
    }
    Ok(())
}
