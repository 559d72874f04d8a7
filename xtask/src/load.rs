//! `cargo xtask load`: gateway throughput and latency against a same-run direct baseline, and
//! the gateway's memory (see docs/BENCHMARKS.md).
//!
//! 1. Builds `paymux` (release) and the load generator (`crates/paymux/benches/load.rs`).
//! 2. **direct** baseline: `paymux simulate galaxia` on a free local port; the load generator
//!    sends the payments through the adapter straight to it (`execute` + `NetTransport`).
//! 3. **sqlite**: `paymux serve` (no config: the sandbox, simulators in-process) on a fresh
//!    SQLite file; the load generator creates a channel group over `galaxia-test` (weight 100,
//!    so the PG work equals the baseline's) and posts `POST /payments/{id}/instant` with its
//!    `channelGroupId` (`--no-group`: `channelKey: galaxia-test`). The gateway's VmRSS is read idle and every 100 ms under load, and its
//!    CPU time is read from `/proc/<pid>/stat`.
//! 4. **postgres**: the same on a fresh PostgreSQL database created for the run (from
//!    `--database`, default `postgres://postgres@127.0.0.1:5432/test`) and dropped after.
//!    Skipped with a note when the server is not reachable or `psql` is missing.
//!
//! Flags: `--duration SECS` (10), `--warmup SECS` (2), `--concurrency N` (16), `--features
//! LIST` (`all-adapters`), `--database URL`, `--no-postgres`, `--no-group`, `--footprint` (also the clean
//! release builds of [`footprint`]), `--compare-metrics` (three more SQLite runs, metrics and
//! layers off / on / off, and their throughput ratio), `--against PAYMUX` (another build's
//! `paymux` binary, e.g. the commit before a refactor: the gateway runs alternate between it
//! and this build, `--rounds N` (3) times per store, and the report gives this build's
//! payments/s and p99 as ratios of the other's, median over the rounds). Every target is on
//! 127.0.0.1; every loop is bounded. `--paymux PATH` uses that `paymux` binary as this
//! build instead of building one (two prebuilt builds compared with `--against`).
//! `--no-wire-views`: every gateway run with `PAYMUX_WIRE_VIEWS=off` (`[observability]
//! wire_views = false`: no masked wire view recorded per PG attempt; a build without them
//! ignores it), to compare builds feature for feature.

use anyhow::{bail, Context, Result};
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::{cargo, root};

struct Opts {
    duration: String,
    warmup: String,
    concurrency: String,
    features: String,
    database: String,
    postgres: bool,
    group: bool,
    footprint: bool,
    compare_metrics: bool,
    against: Option<PathBuf>,
    rounds: usize,
    paymux: Option<PathBuf>,
    wire_views: bool,
}

fn parse(args: &[String]) -> Result<Opts> {
    let mut o = Opts {
        duration: "10".into(),
        warmup: "2".into(),
        concurrency: "16".into(),
        features: "all-adapters".into(),
        database: "postgres://postgres@127.0.0.1:5432/test".into(),
        postgres: true,
        group: true,
        footprint: false,
        compare_metrics: false,
        against: None,
        rounds: 3,
        paymux: None,
        wire_views: true,
    };
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut val = || {
            it.next()
                .cloned()
                .with_context(|| format!("{a}: needs a value"))
        };
        match a.as_str() {
            "--duration" => o.duration = val()?,
            "--warmup" => o.warmup = val()?,
            "--concurrency" => o.concurrency = val()?,
            "--features" => o.features = val()?,
            "--database" => o.database = val()?,
            "--no-postgres" => o.postgres = false,
            "--no-group" => o.group = false,
            "--no-wire-views" => o.wire_views = false,
            "--footprint" => o.footprint = true,
            "--compare-metrics" => o.compare_metrics = true,
            "--against" => o.against = Some(PathBuf::from(val()?)),
            "--paymux" => o.paymux = Some(PathBuf::from(val()?)),
            "--rounds" => {
                o.rounds = val()?
                    .parse()
                    .ok()
                    .filter(|n| (1..=20).contains(n))
                    .context("--rounds: a number from 1 to 20")?
            }
            other => bail!("load: unknown argument `{other}`"),
        }
    }
    Ok(o)
}

/// One load run's figures (the load generator's `RESULT` line, plus gateway measurements).
#[derive(Default)]
struct Run {
    label: String,
    fields: BTreeMap<String, String>,
    rss_idle_kib: Option<u64>,
    rss_peak_kib: Option<u64>,
    cpu_ms_per_payment: Option<f64>,
    /// CPU of every `postgres` process on the machine per payment (PostgreSQL runs only).
    db_cpu_ms_per_payment: Option<f64>,
}

impl Run {
    fn f(&self, k: &str) -> f64 {
        self.fields
            .get(k)
            .and_then(|v| v.parse().ok())
            .unwrap_or(0.0)
    }
}

/// `cargo xtask load`.
pub fn load(args: &[String]) -> Result<()> {
    let o = parse(args)?;
    let root = root();
    let work = root
        .join("target/paymux-load")
        .join(format!("run-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work)?;
    let _cleanup = crate::RemoveOnDrop(work.clone());

    // The load run talks to the simulators (`paymux simulate`, the sandbox).
    let features = format!("{},simulators", o.features);
    let paymux = match &o.paymux {
        Some(p) if p.is_file() => p.clone(),
        Some(p) => bail!("--paymux {}: no such binary", p.display()),
        None => build_paymux(&features)?,
    };
    let loader = build_loader(&features)?;
    eprintln!("machine: {}", machine());

    let mut runs = Vec::new();
    // The baseline is reported when it runs; the gateway runs (and the metrics comparison)
    // do not depend on it.
    match direct(&o, &paymux, &loader, &work) {
        Ok(r) => runs.push(r),
        Err(e) => eprintln!("load: the direct baseline failed: {e:#}"),
    }
    runs.push(gateway(
        &o,
        &paymux,
        &loader,
        "sqlite",
        &format!("sqlite://{}", work.join("load.sqlite").display()),
        true,
    )?);
    if o.compare_metrics {
        // Metrics and layers off, then on and off again, each on a fresh file: the ratio is
        // read over interleaved runs so a busy machine's drift falls on both sides.
        for (i, on) in [false, true, false].into_iter().enumerate() {
            let label = if on { "sqlite" } else { "sqlite, metrics off" };
            let file = work.join(format!("load-{i}.sqlite"));
            runs.push(gateway(
                &o,
                &paymux,
                &loader,
                label,
                &format!("sqlite://{}", file.display()),
                on,
            )?);
        }
    }
    if o.postgres {
        match fresh_postgres(&o.database) {
            Ok((url, drop_db)) => {
                let r = gateway(&o, &paymux, &loader, "postgres", &url, true);
                drop_db();
                runs.push(r?);
            }
            Err(e) => eprintln!("load: PostgreSQL skipped: {e:#}"),
        }
    }
    let comparison = match &o.against {
        Some(other) => Some(against(&o, other, &paymux, &loader, &work)?),
        None => None,
    };
    let mut table = report(&o, &runs);
    if let Some(c) = comparison {
        table.push('\n');
        table.push_str(&c);
    }
    if o.footprint {
        table.push('\n');
        table.push_str(&footprint()?);
    }
    let out = root.join("target/paymux-bench");
    std::fs::create_dir_all(&out)?;
    std::fs::write(out.join("load.md"), &table)?;
    println!();
    println!("== load (target/paymux-bench/load.md)");
    print!("{table}");
    Ok(())
}

/// `--against`: the gateway runs alternated between `other` (another build's binary) and this
/// build, on fresh stores, `o.rounds` times per store; which build goes first alternates too,
/// so drift on a busy machine falls on both sides. Returns the report section.
fn against(o: &Opts, other: &Path, this: &Path, loader: &Path, work: &Path) -> Result<String> {
    if !other.is_file() {
        bail!("--against {}: no such binary", other.display());
    }
    let mut stores = vec!["sqlite"];
    if o.postgres {
        stores.push("postgres");
    }
    let mut s = format!(
        "### this build against `{}`{}\n\n| store | round | build | payments/s | p50 | p99 | gateway CPU/payment |\n|---|---:|---|---:|---:|---:|---:|\n",
        other.display(),
        if o.wire_views { "" } else { " (wire views off)" }
    );
    let mut summary = String::new();
    for store in stores {
        // (payments/s ratio, p99 ratio) per round: this build ÷ the other.
        let mut ratios = Vec::new();
        for round in 0..o.rounds {
            let order = if round % 2 == 0 {
                [("other", other), ("this", this)]
            } else {
                [("this", this), ("other", other)]
            };
            let mut pair = BTreeMap::new();
            for (which, bin) in order {
                let label = format!("{store} {which} #{}", round + 1);
                let run = if store == "sqlite" {
                    let file = work.join(format!("against-{which}-{round}.sqlite"));
                    gateway(
                        o,
                        bin,
                        loader,
                        &label,
                        &format!("sqlite://{}", file.display()),
                        true,
                    )?
                } else {
                    let (url, drop_db) = fresh_postgres(&o.database)?;
                    let r = gateway(o, bin, loader, &label, &url, true);
                    drop_db();
                    r?
                };
                s.push_str(&format!(
                    "| {store} | {} | {which} | {:.0} | {:.2} ms | {:.2} ms | {} |\n",
                    round + 1,
                    run.f("rps"),
                    run.f("p50_us") / 1000.0,
                    run.f("p99_us") / 1000.0,
                    run.cpu_ms_per_payment
                        .map_or("–".into(), |c| format!("{c:.2} ms")),
                ));
                pair.insert(which, (run.f("rps"), run.f("p99_us")));
            }
            let (t, ot) = (pair["this"], pair["other"]);
            if ot.0 > 0.0 && ot.1 > 0.0 {
                ratios.push((t.0 / ot.0, t.1 / ot.1));
            }
        }
        let median = |mut v: Vec<f64>| {
            v.sort_by(f64::total_cmp);
            v.get(v.len() / 2).copied().unwrap_or(0.0)
        };
        let rps = median(ratios.iter().map(|r| r.0).collect());
        let p99 = median(ratios.iter().map(|r| r.1).collect());
        summary.push_str(&format!(
            "- {store}: this build's payments/s × {rps:.3}, p99 × {p99:.3} of the other's (median of {} rounds); within 10 % {}\n",
            ratios.len(),
            if rps >= 0.9 && p99 <= 1.1 { "met" } else { "**not met**" }
        ));
    }
    s.push('\n');
    s.push_str(&summary);
    Ok(s)
}

/// `nproc`, CPU model, memory, rustc: one line for the report.
pub fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|t| {
            t.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, v)| v.trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let mem = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|t| {
            t.lines()
                .find(|l| l.starts_with("MemTotal"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<u64>().ok())
        })
        .map_or("?".into(), |kib| {
            format!("{:.0} GiB", kib as f64 / 1024.0 / 1024.0)
        });
    let rustc = Command::new("rustc")
        .arg("--version")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default();
    format!("{cores} cores ({cpu}), {mem} RAM, {rustc}")
}

pub(crate) fn build_paymux(features: &str) -> Result<PathBuf> {
    crate::run(cargo().args([
        "build",
        "--release",
        "-p",
        "paymux",
        "--bin",
        "paymux",
        "--no-default-features",
        "--features",
        features,
    ]))?;
    Ok(target_dir().join("release/paymux"))
}

pub(crate) fn target_dir() -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from) {
        Some(d) if d.is_relative() => root().join(d),
        Some(d) => d,
        None => root().join("target"),
    }
}

/// Build the load generator (a `harness = false` bench of the facade) and find its executable.
fn build_loader(features: &str) -> Result<PathBuf> {
    build_bench(features, "load")
}

/// Build the facade's `harness = false` bench `name` (release) and find its executable.
pub(crate) fn build_bench(features: &str, name: &str) -> Result<PathBuf> {
    let mut c = cargo();
    c.args([
        "bench",
        "-p",
        "paymux",
        "--no-default-features",
        "--features",
        features,
        "--bench",
        name,
        "--no-run",
        "--message-format=json-render-diagnostics",
    ]);
    eprintln!("$ {c:?}");
    let out = c.stderr(Stdio::inherit()).output()?;
    if !out.status.success() {
        bail!("building the load generator failed: {}", out.status);
    }
    // One JSON message per line; the bench artifact names its executable.
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        if line.contains(&format!("\"name\":\"{name}\"")) && line.contains("\"executable\":\"") {
            let start = line.find("\"executable\":\"").unwrap_or(0) + "\"executable\":\"".len();
            if let Some(len) = line[start..].find('"') {
                return Ok(PathBuf::from(&line[start..start + len]));
            }
        }
    }
    bail!("cargo did not name the executable of bench `{name}`")
}

/// A child process killed when dropped.
pub(crate) struct Proc(pub(crate) Child);

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn run_loader(loader: &Path, o: &Opts, label: &str, mode: &[&str]) -> Result<Run> {
    let mut c = Command::new(loader);
    c.args(mode).args([
        "--label",
        label,
        "--duration",
        &o.duration,
        "--warmup",
        &o.warmup,
        "--concurrency",
        &o.concurrency,
    ]);
    eprintln!("$ {c:?}");
    let out = c.stderr(Stdio::inherit()).output()?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    if !out.status.success() {
        bail!("load generator failed ({}): {stdout}", out.status);
    }
    let line = stdout
        .lines()
        .find(|l| l.starts_with("RESULT "))
        .with_context(|| format!("no RESULT line in: {stdout}"))?;
    eprintln!("{line}");
    let fields = line
        .split_whitespace()
        .skip(1)
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    Ok(Run {
        label: label.to_string(),
        fields,
        ..Run::default()
    })
}

fn direct(o: &Opts, paymux: &Path, loader: &Path, work: &Path) -> Result<Run> {
    let channel = work.join("galaxia-sim.toml");
    let sim = Proc(
        Command::new(paymux)
            .args(["simulate", "galaxia", "--listen", "127.0.0.1:0"])
            .arg("--channel-out")
            .arg(&channel)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .context("start `paymux simulate galaxia`")?,
    );
    let deadline = Instant::now() + Duration::from_secs(20);
    while !std::fs::read_to_string(&channel).is_ok_and(|t| t.contains("endpoint")) {
        if Instant::now() > deadline {
            bail!("the galaxia simulator wrote no channel file");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let run = run_loader(
        loader,
        o,
        "direct",
        &["--direct", &channel.to_string_lossy()],
    );
    drop(sim);
    run
}

/// One gateway run; `metrics` off sets `PAYMUX_METRICS=off` (no metrics or tracing layers
/// around PG calls, no routing counters: docs/OPERATIONS.md).
fn gateway(
    o: &Opts,
    paymux: &Path,
    loader: &Path,
    label: &str,
    database: &str,
    metrics: bool,
) -> Result<Run> {
    let secret = format!("load-{}", std::process::id());
    let env: &[(&str, &str)] = if o.wire_views {
        &[]
    } else {
        &[("PAYMUX_WIRE_VIEWS", "off")]
    };
    let (gw, url) = spawn_gateway(paymux, database, &secret, metrics, env)?;
    let pid = gw.0.id();
    std::thread::sleep(Duration::from_secs(1));
    let idle = rss_kib(pid);
    let cpu_before = cpu_ticks(pid);

    let peak = Arc::new(AtomicU64::new(idle.unwrap_or(0)));
    let stop = Arc::new(AtomicBool::new(false));
    let sampler = {
        let (peak, stop) = (peak.clone(), stop.clone());
        std::thread::spawn(move || {
            while !stop.load(Ordering::Relaxed) {
                if let Some(r) = rss_kib(pid) {
                    peak.fetch_max(r, Ordering::Relaxed);
                }
                std::thread::sleep(Duration::from_millis(100));
            }
        })
    };
    let mut mode = vec![
        "--gateway",
        &url,
        "--secret",
        &secret,
        "--channel-key",
        "galaxia-test",
    ];
    if o.group {
        mode.extend([
            "--channel-group",
            "channel-group-test-10ad0000-0000-4000-8000-000000000001",
        ]);
    }
    let pg = database.starts_with("postgres");
    let db_before = pg.then(postgres_ticks);
    let run = run_loader(loader, o, label, &mode);
    stop.store(true, Ordering::Relaxed);
    let _ = sampler.join();
    let cpu_after = cpu_ticks(pid);
    let db_after = pg.then(postgres_ticks);
    drop(gw);
    let mut run = run?;
    run.rss_idle_kib = idle;
    run.rss_peak_kib = Some(peak.load(Ordering::Relaxed));
    // All payments sent (warm-up included) are not counted by the generator; CPU per measured
    // payment slightly overstates it by the warm-up's share, so scale by the window.
    let secs = run.f("secs");
    let warm: f64 = o.warmup.parse().unwrap_or(0.0);
    let ok = run.f("ok");
    let per_payment = |a: u64, b: u64| {
        (ok > 0.0 && secs > 0.0).then(|| {
            let ms = b.saturating_sub(a) as f64 * 1000.0 / clock_ticks() as f64;
            ms * secs / (secs + warm) / ok
        })
    };
    if let (Some(a), Some(b)) = (cpu_before, cpu_after) {
        run.cpu_ms_per_payment = per_payment(a, b);
    }
    if let (Some(a), Some(b)) = (db_before, db_after) {
        run.db_cpu_ms_per_payment = per_payment(a, b);
    }
    Ok(run)
}

/// Start `paymux serve` (the sandbox: no config) on `database` with `secret` on a free local
/// port, `env` added to its environment; returns the process (killed when dropped) and its
/// base URL.
pub(crate) fn spawn_gateway(
    paymux: &Path,
    database: &str,
    secret: &str,
    metrics: bool,
    env: &[(&str, &str)],
) -> Result<(Proc, String)> {
    let mut child = Command::new(paymux)
        .env("PAYMUX_METRICS", if metrics { "on" } else { "off" })
        .envs(env.iter().copied())
        .args(["serve", "--listen", "127.0.0.1:0", "--database", database])
        .args(["--api-secret", secret])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .context("start `paymux serve`")?;
    let stdout = child.stdout.take().context("gateway stdout")?;
    let gw = Proc(child);
    // Read until the base URL, then keep draining in the background.
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut sent = false;
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if !sent {
                if let Some(url) = line.trim().strip_prefix("base URL:") {
                    let _ = tx.send(url.trim().to_string());
                    sent = true;
                }
            }
        }
    });
    let url = rx
        .recv_timeout(Duration::from_secs(60))
        .context("the gateway printed no base URL within 60 s")?;
    Ok((gw, url))
}

/// VmRSS of `pid` in KiB.
fn rss_kib(pid: u32) -> Option<u64> {
    let s = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    s.lines()
        .find(|l| l.starts_with("VmRSS:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

/// utime + stime of `pid`, in clock ticks.
fn cpu_ticks(pid: u32) -> Option<u64> {
    let s = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
    let rest = &s[s.rfind(')')? + 2..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    Some(f.get(11)?.parse::<u64>().ok()? + f.get(12)?.parse::<u64>().ok()?)
}

/// utime + stime of every process named `postgres` (the server's backends and workers; the
/// database server is assumed to serve nothing else during the run).
fn postgres_ticks() -> u64 {
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return 0;
    };
    dir.filter_map(Result::ok)
        .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            std::fs::read_to_string(format!("/proc/{pid}/comm"))
                .is_ok_and(|c| c.trim() == "postgres")
        })
        .filter_map(cpu_ticks)
        .sum()
}

fn clock_ticks() -> u64 {
    Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8_lossy(&o.stdout).trim().parse().ok())
        .unwrap_or(100)
}

/// Create a fresh database next to `url`'s (same server and user) with `psql`; returns its URL
/// and a function dropping it.
pub(crate) fn fresh_postgres(url: &str) -> Result<(String, Box<dyn FnOnce()>)> {
    if !(url.starts_with("postgres://") || url.starts_with("postgresql://")) {
        bail!("--database must be a postgres:// URL");
    }
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, format!("?{q}")),
        None => (url, String::new()),
    };
    let slash = base
        .rfind('/')
        .filter(|&i| i > base.find("://").unwrap_or(0) + 2)
        .context("--database: the URL names no database")?;
    let name = format!(
        "paymux_load_{}_{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs())
    );
    let psql = |sql: &str| -> Result<()> {
        let out = Command::new("psql")
            .args([url, "-v", "ON_ERROR_STOP=1", "-q", "-c", sql])
            .stdin(Stdio::null())
            .output()
            .context("run psql (PostgreSQL client)")?;
        if !out.status.success() {
            bail!("psql: {}", String::from_utf8_lossy(&out.stderr).trim());
        }
        Ok(())
    };
    psql(&format!("CREATE DATABASE {name}"))?;
    let fresh = format!("{}/{name}{query}", &base[..slash]);
    let admin = url.to_string();
    let drop_db: Box<dyn FnOnce()> = Box::new(move || {
        let r = Command::new("psql")
            .args([
                &admin,
                "-q",
                "-c",
                &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
            ])
            .stdin(Stdio::null())
            .output();
        if !r.is_ok_and(|o| o.status.success()) {
            eprintln!("load: could not drop database {name}: drop it by hand");
        }
    });
    Ok((fresh, drop_db))
}

fn report(o: &Opts, runs: &[Run]) -> String {
    let mut s = String::new();
    s.push_str(&format!(
        "machine: {}\ncommand: cargo xtask load --duration {} --warmup {} --concurrency {} --features {}{}\n\
         gateway payments: {}\n\n",
        machine(),
        o.duration,
        o.warmup,
        o.concurrency,
        o.features,
        if o.group { "" } else { " --no-group" },
        if o.group {
            "through channel group `channel-group-test-10ad…` (galaxia-test, weight 100)"
        } else {
            "channelKey galaxia-test"
        }
    ));
    s.push_str("| run | payments | errors | payments/s | p50 | p90 | p99 | max | p50 × direct | p99 × direct | gateway CPU/payment | RSS idle | RSS peak |\n");
    s.push_str("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    let direct = runs.iter().find(|r| r.label == "direct");
    let ms = |us: f64| format!("{:.2} ms", us / 1000.0);
    let mib = |k: Option<u64>| k.map_or("–".into(), |k| format!("{:.1} MiB", k as f64 / 1024.0));
    for r in runs {
        let ratio = |k: &str| match direct {
            Some(d) if d.f(k) > 0.0 => format!("{:.2}", r.f(k) / d.f(k)),
            _ => "–".into(),
        };
        s.push_str(&format!(
            "| {} | {} | {} | {:.0} | {} | {} | {} | {} | {} | {} | {} | {} | {} |\n",
            r.label,
            r.f("ok"),
            r.f("err"),
            r.f("rps"),
            ms(r.f("p50_us")),
            ms(r.f("p90_us")),
            ms(r.f("p99_us")),
            ms(r.f("max_us")),
            ratio("p50_us"),
            ratio("p99_us"),
            r.cpu_ms_per_payment
                .map_or("–".into(), |c| format!("{c:.2} ms")),
            mib(r.rss_idle_kib),
            mib(r.rss_peak_kib),
        ));
    }
    s.push('\n');
    let mean = |label: &str, k: &str| {
        let v: Vec<f64> = runs
            .iter()
            .filter(|r| r.label == label)
            .map(|r| r.f(k))
            .collect();
        (!v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64)
    };
    if let (Some(on), Some(off)) = (mean("sqlite", "rps"), mean("sqlite, metrics off", "rps")) {
        if off > 0.0 {
            let (p50_on, p50_off) = (
                mean("sqlite", "p50_us").unwrap_or(0.0),
                mean("sqlite, metrics off", "p50_us").unwrap_or(0.0),
            );
            s.push_str(&format!(
                "- metrics and layers: {on:.0} vs {off:.0} payments/s with them off (mean of the runs above): \
                 throughput × {:.3}, cost {:+.1} %; p50 × {:.3}; under 5 % {}\n",
                on / off,
                (1.0 - on / off) * 100.0,
                if p50_off > 0.0 { p50_on / p50_off } else { 0.0 },
                if on >= 0.95 * off { "met" } else { "**not met**" },
            ));
        }
    }
    for r in runs.iter().filter(|r| r.label != "direct") {
        let ok_rps = r.f("rps") >= 1000.0;
        let ok_p99 = r.f("p99_us") < 20_000.0;
        let ok_ratio =
            direct.is_some_and(|d| d.f("p50_us") > 0.0 && r.f("p50_us") <= 2.0 * d.f("p50_us"));
        s.push_str(&format!(
            "- {}: ≥ 1,000 payments/s {}; p99 < 20 ms {}; p50 within 2× direct {}\n",
            r.label,
            if ok_rps { "met" } else { "**not met**" },
            if ok_p99 { "met" } else { "**not met**" },
            if ok_ratio { "met" } else { "**not met**" },
        ));
        if let Some(db) = r.db_cpu_ms_per_payment {
            s.push_str(&format!(
                "- {}: database server CPU {db:.2} ms/payment (every `postgres` process)\n",
                r.label
            ));
        }
    }
    s
}

/// Release build time and binary size of `paymux` with one adapter and with all of them,
/// each a clean build in its own target directory (`target/footprint/<name>`).
pub fn footprint() -> Result<String> {
    let mut s = String::from(
        "| facade features | clean release build | binary size | stripped |\n|---|---:|---:|---:|\n",
    );
    for (name, features) in [("galaxia", "galaxia"), ("all", "all-adapters")] {
        let dir = target_dir().join("footprint").join(name);
        let _ = std::fs::remove_dir_all(&dir);
        let started = Instant::now();
        crate::run(
            cargo()
                .env("CARGO_TARGET_DIR", &dir)
                .args(["build", "--release", "-p", "paymux", "--bin", "paymux"])
                .args(["--no-default-features", "--features", features]),
        )?;
        let secs = started.elapsed().as_secs_f64();
        let bin = dir.join("release/paymux");
        let size = std::fs::metadata(&bin)?.len();
        let stripped = dir.join("paymux.stripped");
        let stripped_size = Command::new("strip")
            .arg("-o")
            .arg(&stripped)
            .arg(&bin)
            .status()
            .ok()
            .filter(|st| st.success())
            .and_then(|_| std::fs::metadata(&stripped).ok())
            .map(|m| m.len());
        s.push_str(&format!(
            "| `--no-default-features --features {features}` | {:.0} s | {:.1} MiB | {} |\n",
            secs,
            size as f64 / 1048576.0,
            stripped_size.map_or("–".into(), |b| format!("{:.1} MiB", b as f64 / 1048576.0)),
        ));
        let _ = std::fs::remove_dir_all(&dir);
    }
    Ok(s)
}
