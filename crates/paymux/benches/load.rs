//! Load generator for `cargo xtask load` (see docs/BENCHMARKS.md).
//!
//! Sends instant card payments with unique `paymentId`s for a bounded time (and count), from
//! `--concurrency` concurrent clients, and prints one `RESULT key=value ...` line: payments
//! per second and latency percentiles of the measured window (after a warm-up).
//!
//! Two modes, compared in the same `cargo xtask load` run:
//!
//! - `--gateway URL --secret S [--channel-key K] [--channel-group ID]`: `POST
//!   URL/payments/{id}/instant` to a running `paymux serve` (PortOne V2 shape,
//!   `Authorization: PortOne S`); with `--channel-group`, through a group it creates first
//!   (see [`put_group`]).
//! - `--direct CHANNEL.toml`: the same payment sent by the adapter straight to its simulator
//!   (`paymux_core::execute::execute` + `NetTransport`), no gateway: the baseline.
//!
//! Bounds: `--duration SECS` (default 10) after `--warmup SECS` (default 2), at most
//! `--count N` payments (default 200000). Only 127.0.0.1 targets are meant; nothing retries.
//! Run without a mode (as a plain `cargo bench` does) it prints how to use it and exits.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use paymux_core::adapter::{EncodeContext, Operation, PgAdapter, PgRequest};
use paymux_core::channel::ChannelContext;
use paymux_core::outcome::Outcome;
use paymux_core::transport::{NetTransport, Timeouts};
use serde_json::{json, Value};

#[derive(Debug, Clone)]
struct Args {
    gateway: Option<String>,
    secret: String,
    channel_key: String,
    channel_group: Option<String>,
    direct: Option<String>,
    concurrency: usize,
    duration: Duration,
    warmup: Duration,
    count: u64,
    threads: usize,
    label: String,
}

fn parse_args() -> Result<Args, String> {
    let mut a = Args {
        gateway: None,
        secret: String::new(),
        channel_key: "galaxia-test".into(),
        channel_group: None,
        direct: None,
        concurrency: 16,
        duration: Duration::from_secs(10),
        warmup: Duration::from_secs(2),
        count: 200_000,
        threads: 2,
        label: String::new(),
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut val = || it.next().ok_or(format!("{flag}: needs a value"));
        let secs = |v: String| {
            v.parse::<f64>()
                .map(Duration::from_secs_f64)
                .map_err(|_| format!("{flag}: seconds"))
        };
        match flag.as_str() {
            "--bench" => {}
            "--gateway" => a.gateway = Some(val()?),
            "--secret" => a.secret = val()?,
            "--channel-key" => a.channel_key = val()?,
            "--channel-group" => a.channel_group = Some(val()?),
            "--direct" => a.direct = Some(val()?),
            "--concurrency" => a.concurrency = val()?.parse().map_err(|_| "--concurrency: N")?,
            "--duration" => a.duration = secs(val()?)?,
            "--warmup" => a.warmup = secs(val()?)?,
            "--count" => a.count = val()?.parse().map_err(|_| "--count: N")?,
            "--threads" => a.threads = val()?.parse().map_err(|_| "--threads: N")?,
            "--label" => a.label = val()?,
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    if a.label.is_empty() {
        a.label = if a.direct.is_some() {
            "direct"
        } else {
            "gateway"
        }
        .into();
    }
    Ok(a)
}

/// The PortOne body of one instant card payment (Galaxia card, test-card "approve").
fn body(channel_key: &str) -> Value {
    json!({
        "channelKey": channel_key,
        "orderName": "커피 2잔",
        "amount": { "total": 9000 },
        "currency": "KRW",
        "customer": { "id": "load-user", "name": { "full": "홍길동" } },
        "method": { "card": { "credential": {
            "number": "4518420012345678", "expiryYear": "28", "expiryMonth": "06"
        } } },
        "bypass": { "galaxia": { "ITEM_CODE": "ITEM0001" } }
    })
}

/// Sends one payment; `Ok(())` when it was approved.
enum Client {
    Gateway {
        http: reqwest::Client,
        base: String,
        auth: String,
        body: Vec<u8>,
    },
    Direct {
        adapter: Arc<dyn PgAdapter>,
        channel: ChannelContext,
        transport: NetTransport,
        template: Value,
    },
}

impl Client {
    async fn pay(&self, payment_id: &str) -> Result<(), String> {
        match self {
            Client::Gateway {
                http,
                base,
                auth,
                body,
            } => {
                let resp = http
                    .post(format!("{base}/payments/{payment_id}/instant"))
                    .header("Authorization", auth)
                    .header("Content-Type", "application/json")
                    .body(body.clone())
                    .send()
                    .await
                    .map_err(|e| format!("send: {e}"))?;
                let status = resp.status().as_u16();
                let bytes = resp.bytes().await.map_err(|e| format!("read: {e}"))?;
                if status != 200 {
                    return Err(format!(
                        "HTTP {status}: {}",
                        String::from_utf8_lossy(&bytes[..bytes.len().min(200)])
                    ));
                }
                let v: Value = serde_json::from_slice(&bytes).map_err(|e| format!("json: {e}"))?;
                match v.pointer("/payment/paidAt") {
                    Some(at) if !at.is_null() => Ok(()),
                    _ => Err(format!("not paid: {v}")),
                }
            }
            Client::Direct {
                adapter,
                channel,
                transport,
                template,
            } => {
                let mut v = template.clone();
                v["paymentId"] = json!(payment_id);
                let req = PgRequest::from_json(Operation::PaymentInstant, &v.to_string())?;
                let ctx = EncodeContext::now(channel);
                match paymux_core::execute::execute(
                    adapter.as_ref(),
                    transport,
                    &ctx,
                    &req,
                    Timeouts::default(),
                )
                .await
                {
                    Ok(Outcome::Approved(_)) => Ok(()),
                    Ok(other) => Err(format!("not approved: {}", other.kind_str())),
                    Err(e) => Err(e.to_string()),
                }
            }
        }
    }
}

/// `--channel-group ID`: create (or replace) the group the payments are routed through — the
/// `--channel-key` channel at weight 100, so the PG work is the direct baseline's and the
/// difference is the gateway's, group lookup and routing included.
async fn put_group(
    http: &reqwest::Client,
    base: &str,
    auth: &str,
    id: &str,
    channel_key: &str,
) -> Result<(), String> {
    let group = json!({
        "id": id, "name": "load", "isForTest": true,
        "channels": [{ "channelKey": channel_key, "weight": 100, "enabled": true }]
    });
    let resp = http
        .put(format!("{base}/channel-groups/{id}"))
        .header("Authorization", auth)
        .json(&group)
        .send()
        .await
        .map_err(|e| format!("create the channel group: {e}"))?;
    if !resp.status().is_success() {
        let status = resp.status();
        let text = resp.text().await.unwrap_or_default();
        return Err(format!("create the channel group: HTTP {status}: {text}"));
    }
    Ok(())
}

fn client(a: &Args) -> Result<Client, String> {
    if let Some(base) = &a.gateway {
        let http = reqwest::Client::builder()
            .no_proxy()
            .pool_max_idle_per_host(a.concurrency)
            .tcp_nodelay(true)
            .build()
            .map_err(|e| e.to_string())?;
        return Ok(Client::Gateway {
            http,
            base: base.trim_end_matches('/').to_string(),
            auth: format!("PortOne {}", a.secret),
            body: serde_json::to_vec(&match &a.channel_group {
                Some(g) => {
                    let mut b = body(&a.channel_key);
                    b.as_object_mut().map(|m| m.remove("channelKey"));
                    b["channelGroupId"] = json!(g);
                    b
                }
                None => body(&a.channel_key),
            })
            .map_err(|e| e.to_string())?,
        });
    }
    let path = a.direct.as_deref().ok_or("no mode")?;
    let text = std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))?;
    // What `paymux simulate --channel-out` writes: a server config with one channel.
    let channel = paymux::cli::channel_file(&text).map_err(|e| format!("{path}: {e}"))?;
    let reg = paymux_core::registry::find(&channel.adapter)
        .ok_or(format!("adapter `{}` is not linked", channel.adapter))?;
    let mut template = body(&channel.key);
    template["channelKey"] = json!(channel.key);
    Ok(Client::Direct {
        adapter: (reg.adapter)(),
        channel,
        transport: NetTransport::new(),
        template,
    })
}

struct WorkerResult {
    latencies_us: Vec<u32>,
    errors: u64,
    first_error: Option<String>,
}

async fn run(a: Args) -> Result<String, String> {
    let client = client(&a)?;
    if let (
        Some(group),
        Client::Gateway {
            http, base, auth, ..
        },
    ) = (&a.channel_group, &client)
    {
        put_group(http, base, auth, group, &a.channel_key).await?;
    }
    let client = Arc::new(client);
    let run_id = format!(
        "{:x}",
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default()
            .as_millis()
    );
    let started = Instant::now();
    let measure_from = started + a.warmup;
    let stop_at = measure_from + a.duration;
    let sent = Arc::new(AtomicU64::new(0));
    let mut tasks = Vec::new();
    for w in 0..a.concurrency {
        let client = client.clone();
        let sent = sent.clone();
        let run_id = run_id.clone();
        let count = a.count;
        tasks.push(tokio::spawn(async move {
            let mut r = WorkerResult {
                latencies_us: Vec::with_capacity(16_384),
                errors: 0,
                first_error: None,
            };
            let mut i = 0u64;
            loop {
                let now = Instant::now();
                if now >= stop_at || (now >= measure_from && sent.load(Ordering::Relaxed) >= count)
                {
                    break;
                }
                i += 1;
                let id = format!("load-{run_id}-{w}-{i}");
                let t = Instant::now();
                let res = client.pay(&id).await;
                let done = Instant::now();
                if t < measure_from {
                    continue;
                }
                if done > stop_at {
                    break;
                }
                sent.fetch_add(1, Ordering::Relaxed);
                match res {
                    Ok(()) => r
                        .latencies_us
                        .push(u32::try_from((done - t).as_micros()).unwrap_or(u32::MAX)),
                    Err(e) => {
                        r.errors += 1;
                        r.first_error.get_or_insert(e);
                    }
                }
            }
            r
        }));
    }
    let mut lat = Vec::new();
    let mut errors = 0;
    let mut first_error = None;
    for t in tasks {
        let r = t.await.map_err(|e| e.to_string())?;
        lat.extend(r.latencies_us);
        errors += r.errors;
        if first_error.is_none() {
            first_error = r.first_error;
        }
    }
    // The window ends at the earlier of the deadline and the last completion.
    let window = (Instant::now().min(stop_at)).saturating_duration_since(measure_from);
    let secs = window.as_secs_f64().max(1e-9);
    lat.sort_unstable();
    let pct = |q: f64| -> u32 {
        if lat.is_empty() {
            return 0;
        }
        lat[((q * (lat.len() - 1) as f64).round() as usize).min(lat.len() - 1)]
    };
    let mean = if lat.is_empty() {
        0.0
    } else {
        lat.iter().map(|&v| f64::from(v)).sum::<f64>() / lat.len() as f64
    };
    if let Some(e) = &first_error {
        eprintln!("load: first error: {e}");
    }
    Ok(format!(
        "RESULT label={} ok={} err={} secs={:.3} rps={:.1} mean_us={:.0} p50_us={} p90_us={} p99_us={} max_us={} concurrency={}",
        a.label,
        lat.len(),
        errors,
        secs,
        lat.len() as f64 / secs,
        mean,
        pct(0.50),
        pct(0.90),
        pct(0.99),
        pct(1.0),
        a.concurrency
    ))
}

fn main() {
    let a = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("load: {e}");
            std::process::exit(2);
        }
    };
    if a.gateway.is_none() && a.direct.is_none() {
        println!("load generator: run it through `cargo xtask load` (docs/BENCHMARKS.md); nothing to do without --gateway or --direct");
        return;
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(a.threads.max(1))
        .enable_all()
        .build()
        .expect("tokio runtime");
    match rt.block_on(run(a)) {
        Ok(line) => println!("{line}"),
        Err(e) => {
            eprintln!("load: {e}");
            std::process::exit(1);
        }
    }
}
