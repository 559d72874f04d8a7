//! `--measure`: the list requests against a running gateway over a loaded store, one at a
//! time, in rounds (each round sends every scenario once, so a busy moment of the machine
//! falls on all of them alike), and a markdown table with p50/p99/max and each scenario's
//! ratio to the same-run baseline `GET /banks` (the HTTP stack with no database).

use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::data::{self, Rng};

/// What to send.
struct Request {
    path: String,
    /// The body, sent as PortOne's SDKs send a `GET` body: JSON in `requestBody`.
    body: Option<Value>,
    /// The payment a by-id request must answer with.
    expect_id: Option<String>,
}

/// One scenario: a name, what it shows, and how to make its next request.
struct Scenario {
    key: &'static str,
    what: &'static str,
    make: Box<dyn Fn(&mut Rng) -> Request>,
    /// Whether the first-page target (p99 < 50 ms) applies.
    first_page: bool,
    latencies_us: Vec<u64>,
    total: Option<i64>,
}

fn scenario(
    key: &'static str,
    what: &'static str,
    first_page: bool,
    make: impl Fn(&mut Rng) -> Request + 'static,
) -> Scenario {
    Scenario {
        key,
        what,
        make: Box::new(make),
        first_page,
        latencies_us: Vec::new(),
        total: None,
    }
}

fn list(filter: Value) -> Request {
    Request {
        path: "/payments".into(),
        body: Some(json!({"page": {"number": 0, "size": 10}, "filter": filter})),
        expect_id: None,
    }
}

fn iso(us: i64) -> String {
    chrono::DateTime::from_timestamp_micros(us)
        .map(|t| t.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string())
        .unwrap_or_default()
}

/// What the measuring run is told.
pub struct Opts {
    pub base: String,
    pub secret: String,
    pub seed: u64,
    pub payments: u64,
    pub rounds: usize,
    pub warmup: usize,
    pub max_secs: u64,
    pub label: String,
}

async fn send(
    http: &reqwest::Client,
    o: &Opts,
    req: &Request,
) -> Result<(Duration, Option<i64>), String> {
    let mut rb = http
        .get(format!("{}{}", o.base, req.path))
        .header("Authorization", format!("PortOne {}", o.secret));
    if let Some(b) = &req.body {
        rb = rb.query(&[("requestBody", b.to_string())]);
    }
    let started = Instant::now();
    let resp = rb.send().await.map_err(|e| format!("{}: {e}", req.path))?;
    let status = resp.status();
    let bytes = resp
        .bytes()
        .await
        .map_err(|e| format!("{}: {e}", req.path))?;
    let took = started.elapsed();
    if !status.is_success() {
        return Err(format!(
            "{} answered {status}: {}",
            req.path,
            String::from_utf8_lossy(&bytes[..bytes.len().min(300)])
        ));
    }
    let v: Value = serde_json::from_slice(&bytes).map_err(|e| format!("{}: {e}", req.path))?;
    if let Some(id) = &req.expect_id {
        let found = v["items"][0]["id"].as_str().or(v["id"].as_str());
        if found != Some(id.as_str()) {
            return Err(format!("{}: expected payment {id}, got {v:.300}", req.path));
        }
    }
    Ok((took, v["page"]["totalCount"].as_i64()))
}

/// Cursors at several depths of the 90-day window (the first item created after each day).
async fn deep_cursors(
    http: &reqwest::Client,
    o: &Opts,
    now_us: i64,
) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    for days_ago in [20, 30, 40, 50, 60, 70] {
        let from = now_us - days_ago * 86_400_000_000;
        let body = json!({"from": iso(from), "size": 1});
        let v: Value = http
            .get(format!("{}/payments-by-cursor", o.base))
            .header("Authorization", format!("PortOne {}", o.secret))
            .query(&[("requestBody", body.to_string())])
            .send()
            .await
            .map_err(|e| e.to_string())?
            .json()
            .await
            .map_err(|e| e.to_string())?;
        let c = v["items"][0]["cursor"]
            .as_str()
            .ok_or_else(|| format!("no cursor at {days_ago} days: {v:.300}"))?;
        out.push(c.to_string());
    }
    Ok(out)
}

/// Run the scenarios; the markdown table of the run.
pub async fn measure(o: Opts) -> Result<String, String> {
    let http = reqwest::Client::builder()
        .no_proxy()
        .tcp_nodelay(true)
        // A stuck gateway is an error, not a hang.
        .timeout(Duration::from_secs(120))
        .build()
        .map_err(|e| e.to_string())?;
    let now_us = chrono::Utc::now().timestamp_micros();
    let day = 86_400_000_000i64;
    let cursors = deep_cursors(&http, &o, now_us).await?;
    let (seed, n) = (o.seed, o.payments);
    let store = data::STORES[1].0;
    // Before the oldest payment the fill wrote: `from` for a search of the whole store.
    let everything = now_us - (data::SPAN_DAYS + 1) * day;
    let mut scenarios = vec![
        scenario(
            "banks",
            "`GET /banks` (baseline: HTTP stack, no database)",
            false,
            |_| Request {
                path: "/banks".into(),
                body: None,
                expect_id: None,
            },
        ),
        scenario(
            "get-one",
            "`GET /payments/{id}` (one row by primary key)",
            false,
            move |r| {
                let id = data::payment_id(seed, r.below(n));
                Request {
                    path: format!("/payments/{id}"),
                    body: None,
                    expect_id: Some(id),
                }
            },
        ),
        scenario(
            "first-page",
            "`GET /payments` first page, no filter (PortOne's default range: the last 90 days)",
            true,
            |_| list(json!({})),
        ),
        scenario(
            "status-paid",
            "first page, `status: [PAID]` (last 90 days)",
            true,
            |_| list(json!({"status": ["PAID"]})),
        ),
        scenario(
            "status-va",
            "first page, `status: [VIRTUAL_ACCOUNT_ISSUED]` (rare; last 90 days)",
            true,
            |_| list(json!({"status": ["VIRTUAL_ACCOUNT_ISSUED"]})),
        ),
        scenario(
            "whole-store",
            "first page, `from` before the oldest payment (the whole store)",
            true,
            move |_| list(json!({"from": iso(everything)})),
        ),
        scenario(
            "last-7-days",
            "first page, `from`/`until`: the last 7 days",
            true,
            move |_| list(json!({"from": iso(now_us - 7 * day), "until": iso(now_us)})),
        ),
        scenario(
            "store-paid-30d",
            "first page, `storeId` + `status: [PAID]` + the last 30 days",
            true,
            move |_| {
                list(json!({"storeId": store, "status": ["PAID"],
                            "from": iso(now_us - 30 * day), "until": iso(now_us)}))
            },
        ),
        scenario(
            "cursor-deep",
            "`GET /payments-by-cursor`, a cursor 20–70 days deep",
            false,
            move |r| Request {
                path: "/payments-by-cursor".into(),
                body: Some(json!({"cursor": r.pick(&cursors), "size": 10})),
                expect_id: None,
            },
        ),
        scenario(
            "payment-id",
            "text search `PAYMENT_ID` (exact; `from` before the oldest payment)",
            false,
            move |r| {
                let id = data::payment_id(seed, r.below(n));
                // Any payment of the store, not only the last 90 days'.
                let mut req = list(json!({"from": iso(everything),
                    "textSearch": [{"field": "PAYMENT_ID", "value": id}]}));
                req.expect_id = Some(id);
                req
            },
        ),
        scenario(
            "order-name",
            "text search `ORDER_NAME` contains `이어폰` (last 90 days)",
            false,
            |_| list(json!({"textSearch": [{"field": "ORDER_NAME", "value": "이어폰"}]})),
        ),
    ];
    let mut rng = Rng::new(o.seed ^ 0x4EA5);
    let started = Instant::now();
    let mut rounds = 0;
    for round in 0..o.warmup + o.rounds {
        if started.elapsed() > Duration::from_secs(o.max_secs) {
            eprintln!(
                "list-bench: stopped after {rounds} rounds (--max-seconds {})",
                o.max_secs
            );
            break;
        }
        for s in &mut scenarios {
            let req = (s.make)(&mut rng);
            let (took, total) = send(&http, &o, &req).await?;
            if round >= o.warmup {
                s.latencies_us.push(took.as_micros() as u64);
                s.total = total.or(s.total);
            }
        }
        if round >= o.warmup {
            rounds += 1;
        }
    }
    Ok(report(&o, &mut scenarios, rounds))
}

fn pct(sorted: &[u64], q: f64) -> u64 {
    if sorted.is_empty() {
        return 0;
    }
    sorted[((q * (sorted.len() - 1) as f64).round() as usize).min(sorted.len() - 1)]
}

fn report(o: &Opts, scenarios: &mut [Scenario], rounds: usize) -> String {
    for s in scenarios.iter_mut() {
        s.latencies_us.sort_unstable();
    }
    let base = scenarios
        .iter()
        .find(|s| s.key == "banks")
        .map_or(0, |s| pct(&s.latencies_us, 0.5))
        .max(1);
    let ms = |us: u64| format!("{:.2} ms", us as f64 / 1000.0);
    let mut t = format!(
        "{}: {} payments, {rounds} rounds (requests one at a time; every scenario once a round)\n\n\
         | request | totalCount | p50 | p99 | max | p50 × baseline | p99 < 50 ms |\n\
         |---|---:|---:|---:|---:|---:|---|\n",
        o.label, o.payments
    );
    for s in scenarios.iter() {
        let (p50, p99) = (pct(&s.latencies_us, 0.5), pct(&s.latencies_us, 0.99));
        let target = if s.first_page {
            if p99 < 50_000 {
                "met"
            } else {
                "**not met**"
            }
        } else {
            "–"
        };
        t.push_str(&format!(
            "| {} | {} | {} | {} | {} | {:.1} | {target} |\n",
            s.what,
            s.total.map_or("–".into(), |n| n.to_string()),
            ms(p50),
            ms(p99),
            ms(pct(&s.latencies_us, 1.0)),
            p50 as f64 / base as f64,
        ));
    }
    t
}
