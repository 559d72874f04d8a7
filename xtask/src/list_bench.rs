//! `cargo xtask list-bench`: list and search on a big store (docs/BENCHMARKS.md §6).
//!
//! For SQLite (a fresh file) and PostgreSQL (a fresh database created for the run from
//! `--database`, default `postgres://postgres@127.0.0.1:5432/test`, and dropped after; skipped
//! with a note when unreachable):
//!
//! 1. `paymux serve` (release, the sandbox) starts on the empty database: its migrations make
//!    the schema, and its channels are what the payments are made through.
//! 2. The facade's `list_load` bench (`crates/paymux/benches/list_load/`) reads the channels
//!    and bulk-loads `--payments N` (default 1,000,000) realistic payments into the database
//!    (PostgreSQL: `COPY`, then `VACUUM ANALYZE`); the gateway is stopped.
//! 3. A new `paymux serve` on the loaded store; the bench measures `GET /payments` (first
//!    page: no filter — PortOne's default range, the last 90 days of a year of payments —,
//!    status, time range, store + status + time, the whole store), a deep
//!    `GET /payments-by-cursor` page, text search by payment id and by order name, and the
//!    same-run baseline `GET /banks`, one request at a time, and prints a markdown table.
//! 4. With `--pg-trgm`, PostgreSQL is measured a second time on the same store after
//!    `CREATE EXTENSION pg_trgm` and trigram GIN indexes on `order_name` and `customer_name`
//!    (what the contains-searches would gain; no migration makes them).
//!
//! Flags: `--payments N`, `--rounds R` (300 measured rounds after 10 warm-up rounds),
//! `--max-seconds S` (per measurement, 900), `--database URL`, `--no-sqlite`, `--no-postgres`,
//! `--pg-trgm`.
//! Not part of `ci` (CI only builds the bench). The tables go to
//! `target/paymux-bench/list.md`; docs/BENCHMARKS.md records them by hand.

use anyhow::{bail, Context, Result};
use std::path::Path;
use std::process::{Command, Stdio};

use crate::load::{build_bench, build_paymux, fresh_postgres, machine, spawn_gateway};
use crate::root;

struct Opts {
    payments: String,
    rounds: String,
    max_seconds: String,
    database: String,
    sqlite: bool,
    postgres: bool,
    pg_trgm: bool,
}

fn parse(args: &[String]) -> Result<Opts> {
    let mut o = Opts {
        payments: "1000000".into(),
        rounds: "300".into(),
        max_seconds: "900".into(),
        database: "postgres://postgres@127.0.0.1:5432/test".into(),
        sqlite: true,
        postgres: true,
        pg_trgm: false,
    };
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut val = || {
            it.next()
                .cloned()
                .with_context(|| format!("{a}: needs a value"))
        };
        match a.as_str() {
            "--payments" => o.payments = val()?,
            "--rounds" => o.rounds = val()?,
            "--max-seconds" => o.max_seconds = val()?,
            "--database" => o.database = val()?,
            "--no-sqlite" => o.sqlite = false,
            "--no-postgres" => o.postgres = false,
            "--pg-trgm" => o.pg_trgm = true,
            other => bail!("list-bench: unknown argument `{other}` (see xtask/src/list_bench.rs)"),
        }
    }
    for (flag, v) in [
        ("--payments", &o.payments),
        ("--rounds", &o.rounds),
        ("--max-seconds", &o.max_seconds),
    ] {
        if !v.parse::<u64>().is_ok_and(|n| n > 0) {
            bail!("{flag}: a positive number");
        }
    }
    Ok(o)
}

/// `cargo xtask list-bench`.
pub fn list_bench(args: &[String]) -> Result<()> {
    let o = parse(args)?;
    let work = root()
        .join("target/paymux-load")
        .join(format!("list-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work)?;
    let _cleanup = crate::RemoveOnDrop(work.clone());
    // The sandbox gateway: simulators in-process, every adapter's test channel.
    let features = "all-adapters,simulators";
    let paymux = build_paymux(features)?;
    let bench = build_bench(features, "list_load")?;

    let mut report = format!(
        "machine: {}\ncommand: cargo xtask list-bench --payments {} --rounds {}{}\n\n",
        machine(),
        o.payments,
        o.rounds,
        if o.pg_trgm { " --pg-trgm" } else { "" }
    );
    if o.sqlite {
        let url = format!("sqlite://{}", work.join("list.sqlite").display());
        report.push_str(&backend(&o, &paymux, &bench, "sqlite", &url)?);
    }
    if o.postgres {
        match fresh_postgres(&o.database) {
            Ok((url, drop_db)) => {
                let r = backend(&o, &paymux, &bench, "postgres", &url);
                drop_db();
                report.push_str(&r?);
            }
            Err(e) => {
                eprintln!("list-bench: PostgreSQL skipped: {e:#}");
                report.push_str(&format!("postgres: skipped ({e:#})\n"));
            }
        }
    }
    let out = root().join("target/paymux-bench");
    std::fs::create_dir_all(&out)?;
    std::fs::write(out.join("list.md"), &report)?;
    println!();
    println!("== list (target/paymux-bench/list.md)");
    print!("{report}");
    Ok(())
}

/// Fill one database and measure it; the run's table.
fn backend(o: &Opts, paymux: &Path, bench: &Path, label: &str, url: &str) -> Result<String> {
    let secret = format!("list-{}", std::process::id());
    {
        let (gw, base) = spawn_gateway(paymux, url, &secret, true, &[])?;
        let mut fill = Command::new(bench);
        fill.args(["--fill", "--gateway", &base, "--secret", &secret])
            .args(["--database", url, "--payments", &o.payments]);
        let r = crate::run(&mut fill);
        drop(gw);
        r?;
    }
    let mut out = measure(o, paymux, bench, label, url, &secret)?;
    if label == "postgres" && o.pg_trgm {
        psql(
            url,
            "CREATE EXTENSION IF NOT EXISTS pg_trgm; \
             CREATE INDEX payments_order_name_trgm ON payments USING gin (order_name gin_trgm_ops); \
             CREATE INDEX payments_customer_name_trgm ON payments USING gin (customer_name gin_trgm_ops)",
        )?;
        psql(url, "VACUUM ANALYZE payments")?;
        out.push_str(&measure(
            o,
            paymux,
            bench,
            "postgres + pg_trgm GIN on order_name, customer_name",
            url,
            &secret,
        )?);
    }
    Ok(out)
}

/// Run `sql` on `url` with psql.
fn psql(url: &str, sql: &str) -> Result<()> {
    eprintln!("$ psql {url} -c {sql:?}");
    let out = Command::new("psql")
        .args([url, "-v", "ON_ERROR_STOP=1", "-q", "-c", sql])
        .stdin(Stdio::null())
        .output()
        .context("run psql (PostgreSQL client)")?;
    if !out.status.success() {
        bail!("psql: {}", String::from_utf8_lossy(&out.stderr).trim());
    }
    Ok(())
}

/// Measure a loaded store through a new gateway; the run's table.
fn measure(
    o: &Opts,
    paymux: &Path,
    bench: &Path,
    label: &str,
    url: &str,
    secret: &str,
) -> Result<String> {
    let (gw, base) = spawn_gateway(paymux, url, secret, true, &[])?;
    let load = load_average();
    let mut measure = Command::new(bench);
    measure
        .args(["--measure", "--gateway", &base, "--secret", secret])
        .args(["--payments", &o.payments, "--rounds", &o.rounds])
        .args(["--max-seconds", &o.max_seconds, "--label", label]);
    eprintln!("$ {measure:?}");
    let out = measure
        .stderr(Stdio::inherit())
        .output()
        .with_context(|| format!("spawn {measure:?}"))?;
    let load_after = load_average();
    drop(gw);
    let table = String::from_utf8_lossy(&out.stdout).to_string();
    if !out.status.success() {
        bail!("the {label} measurement failed ({}): {table}", out.status);
    }
    print!("{table}");
    Ok(format!(
        "{table}\nload average (1/5/15 min) before: {load}, after: {load_after}\n\n"
    ))
}

/// The 1, 5 and 15 minute load averages (other builders share the machine).
fn load_average() -> String {
    let text = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    text.split_whitespace()
        .take(3)
        .collect::<Vec<_>>()
        .join(" ")
}
