//! List and search at scale, for `cargo xtask list-bench` (see docs/BENCHMARKS.md §6).
//!
//! Two modes, run by the xtask against a `paymux serve` it started:
//!
//! - `--fill --gateway URL --secret S --database DB --payments N`: read the gateway's
//!   channels, then bulk-load `N` realistic payments (and their cancellations) straight into
//!   the gateway's database, whose schema the gateway's migrations made ([`fill`]).
//! - `--measure --gateway URL --secret S --payments N [--rounds R] [--warmup W]
//!   [--max-seconds S] [--label L]`: `GET /payments` with typical filters, a deep
//!   `GET /payments-by-cursor` page, text searches, and the same-run baseline `GET /banks`;
//!   prints a markdown table ([`measure`]).
//!
//! Both take `--seed` (default 1): the measuring run names payments the filling run wrote.
//! Run without a mode (as a plain `cargo bench` does) it prints how to use it and exits.

mod data;
mod fill;
mod measure;

// Keep the facade linked like the other benches (nothing of it is called here).
use paymux as _;

struct Args {
    mode: Option<String>,
    gateway: String,
    secret: String,
    database: String,
    payments: u64,
    seed: u64,
    rounds: usize,
    warmup: usize,
    max_secs: u64,
    label: String,
}

fn parse_args() -> Result<Args, String> {
    let mut a = Args {
        mode: None,
        gateway: String::new(),
        secret: String::new(),
        database: String::new(),
        payments: 1_000_000,
        seed: 1,
        rounds: 300,
        warmup: 10,
        max_secs: 900,
        label: "gateway".into(),
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut val = || it.next().ok_or(format!("{flag}: needs a value"));
        let num = |v: String| v.parse::<u64>().map_err(|_| format!("{flag}: a number"));
        match flag.as_str() {
            "--bench" => {}
            "--fill" | "--measure" => a.mode = Some(flag.clone()),
            "--gateway" => a.gateway = val()?.trim_end_matches('/').to_string(),
            "--secret" => a.secret = val()?,
            "--database" => a.database = val()?,
            "--payments" => a.payments = num(val()?)?,
            "--seed" => a.seed = num(val()?)?,
            "--rounds" => a.rounds = num(val()?)? as usize,
            "--warmup" => a.warmup = num(val()?)? as usize,
            "--max-seconds" => a.max_secs = num(val()?)?,
            "--label" => a.label = val()?,
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    Ok(a)
}

async fn run(a: Args) -> Result<(), String> {
    match a.mode.as_deref() {
        Some("--fill") => {
            let channels = fill::channels(&a.gateway, &a.secret).await?;
            let now = chrono::Utc::now().timestamp_micros();
            fill::fill(&a.database, &channels, a.seed, a.payments, now).await
        }
        _ => {
            let table = measure::measure(measure::Opts {
                base: a.gateway,
                secret: a.secret,
                seed: a.seed,
                payments: a.payments,
                rounds: a.rounds,
                warmup: a.warmup,
                max_secs: a.max_secs,
                label: a.label,
            })
            .await?;
            print!("{table}");
            Ok(())
        }
    }
}

fn main() {
    let a = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("list-bench: {e}");
            std::process::exit(2);
        }
    };
    if a.mode.is_none() || a.gateway.is_empty() {
        println!("list bench: run it through `cargo xtask list-bench` (docs/BENCHMARKS.md); nothing to do without --fill or --measure and --gateway");
        return;
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("tokio runtime");
    if let Err(e) = rt.block_on(run(a)) {
        eprintln!("list-bench: {e}");
        std::process::exit(1);
    }
}
