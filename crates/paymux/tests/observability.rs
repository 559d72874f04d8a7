//! Routing you can see (issue #25), end to end against real adapters and their simulators:
//!
//! - 1,000 payments through a 70/30 group: `GET /channel-groups/{id}/stats` agrees with the
//!   simulators' ledgers (approvals), with what the gateway answered (declines by kind), and
//!   with the configured split within the selection's tolerance.
//! - 1,000 random requests: `POST /channel-groups/{id}/explain` names the channel the payment
//!   then actually takes, and the rule skips it reports are the stats' rule skips; a channel
//!   refusing most payments is warned about.
//! - `GET /metrics` read with Prometheus's reference parser (the Python client's) has every
//!   series docs/OPERATIONS.md documents.
//! - On PostgreSQL, channel health is shared: what one instance saw fail, another skips.
#![cfg(all(feature = "galaxia", feature = "ksnet"))]

#[path = "../../paymux-gateway/tests/support/test_db.rs"]
mod test_db;

use std::collections::BTreeMap;
use std::sync::Arc;

use paymux_core::channel::ChannelContext;
use paymux_core::simulator::{Simulator, SimulatorHandle};
use paymux_gateway::{FileConfig, GatewayOptions, RunningGateway};
use serde_json::{json, Value};

const SECRET: &str = "observability-api-secret-81c2";
const N: usize = 1000;

/// splitmix64: the same "random" sequence every run (routing is a pure function of the id,
/// so the checks below never flake).
struct Mix(u64);

impl Mix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn payment_id(&mut self) -> String {
        let bits = (u128::from(self.next()) << 64) | u128::from(self.next());
        format!("payment-{}", uuid::Uuid::from_u128(bits))
    }
}

struct Sims {
    sims: BTreeMap<String, Arc<dyn Simulator>>,
    _handles: Vec<SimulatorHandle>,
    channels: Vec<ChannelContext>,
}

async fn start_sims(adapters: &[&str]) -> Sims {
    assert!(!paymux::registered_adapters().is_empty());
    let (mut sims, mut handles, mut channels) = (BTreeMap::new(), Vec::new(), Vec::new());
    for id in adapters {
        let reg = paymux_core::registry::find(id).expect("adapter linked");
        let sim = (reg.simulator.expect("tests need the `simulators` feature"))();
        let h = sim
            .clone()
            .start("127.0.0.1:0".parse().unwrap())
            .await
            .unwrap();
        channels.push(sim.sandbox_channel(&format!("{id}-obs"), &h.endpoint()));
        handles.push(h);
        sims.insert(id.to_string(), sim);
    }
    Sims {
        sims,
        _handles: handles,
        channels,
    }
}

/// An address nothing listens on (connection refused: nothing is sent).
fn closed_port() -> String {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = l.local_addr().unwrap().to_string();
    drop(l);
    addr
}

fn group(id: &str, members: &[(&str, u32)], extra: Value) -> Value {
    let mut g = json!({
        "id": id,
        "name": "observability",
        "isForTest": true,
        "channels": members.iter().map(|(k, w)| json!({"channelKey": k, "weight": w, "enabled": true})).collect::<Vec<_>>(),
    });
    if let (Value::Object(g), Value::Object(x)) = (&mut g, extra) {
        g.extend(x);
    }
    g
}

async fn gateway(
    database: &str,
    channels: Vec<ChannelContext>,
    groups: Vec<Value>,
    tune: impl FnOnce(&mut GatewayOptions),
) -> RunningGateway {
    let mut o = GatewayOptions::from_file(&FileConfig::empty()).unwrap();
    o.listen = "127.0.0.1:0".into();
    o.database = database.into();
    o.api_secret = SECRET.into();
    o.channels = channels;
    o.channel_groups = groups;
    tune(&mut o);
    paymux_gateway::start(o).await.unwrap()
}

/// One sample as Prometheus's reference parser reads it.
struct Sample {
    family: String,
    name: String,
    labels: BTreeMap<String, String>,
    value: f64,
}

/// Parse the text with the Prometheus project's Python client
/// (`prometheus_client.parser.text_string_to_metric_families`; scripts/setup.sh installs
/// it). `None` (after a loud notice) when it is missing outside CI; in CI that fails.
fn parse_with_prometheus_client(text: &str) -> Option<Vec<Sample>> {
    use std::io::Write;
    let python = std::env::var("PAYMUX_PYTHON").unwrap_or_else(|_| "python3".into());
    let script = "import sys, json\n\
        from prometheus_client.parser import text_string_to_metric_families\n\
        out = [[f.name, s.name, s.labels, s.value] for f in text_string_to_metric_families(sys.stdin.read()) for s in f.samples]\n\
        print(json.dumps(out))";
    let probe = std::process::Command::new(&python)
        .args(["-c", "import prometheus_client"])
        .output();
    if !matches!(&probe, Ok(o) if o.status.success()) {
        assert!(
            std::env::var_os("CI").is_none(),
            "`{python}` cannot import prometheus_client; CI must parse /metrics (scripts/setup.sh installs it)"
        );
        eprintln!("\n!!! SKIPPED: `{python}` cannot import prometheus_client: /metrics was not parsed.\n!!! `pip install prometheus-client` or set PAYMUX_PYTHON.\n");
        return None;
    }
    let mut child = std::process::Command::new(&python)
        .args(["-c", script])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "the Prometheus parser refused /metrics: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let parsed: Vec<(String, String, BTreeMap<String, String>, f64)> =
        serde_json::from_slice(&out.stdout).unwrap();
    Some(
        parsed
            .into_iter()
            .map(|(family, name, labels, value)| Sample {
                family,
                name,
                labels,
                value,
            })
            .collect(),
    )
}

async fn call(method: reqwest::Method, url: String, body: Option<Value>) -> (u16, Value) {
    static CLIENT: std::sync::OnceLock<reqwest::Client> = std::sync::OnceLock::new();
    let client = CLIENT.get_or_init(reqwest::Client::new);
    let mut rb = client
        .request(method, url)
        .header("authorization", format!("PortOne {SECRET}"));
    if let Some(b) = body {
        rb = rb.json(&b);
    }
    let r = rb.send().await.unwrap();
    let status = r.status().as_u16();
    let text = r.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

/// A keyed-in card payment both Galaxia and KSNET accept (a customer id, Galaxia's item
/// code); without `customer.id` Galaxia's rules refuse it. The card number's ending picks
/// the simulators' answer.
fn payment(group: &str, card_ending: &str, with_customer_id: bool) -> Value {
    let mut customer = json!({"name": {"full": "김포트"}, "phoneNumber": "01000001234", "email": "port@portone.io"});
    if with_customer_id {
        customer["id"] = json!("customerId_2333");
    }
    json!({
        "channelGroupId": group,
        "orderName": "월간 이용권",
        "customer": customer,
        "amount": {"total": 8900},
        "currency": "KRW",
        "method": {"card": {"credential": {
            "number": format!("000012340000{card_ending}"), "expiryYear": "26", "expiryMonth": "12",
            "birthOrBusinessRegistrationNumber": "900101", "passwordTwoDigits": "00"
        }}},
        "productType": "PHYSICAL",
        "bypass": {"galaxia": {"ITEM_CODE": "ITEM0001"}}
    })
}

const CARDS: &[(&str, Option<&str>)] = &[
    ("1234", None),
    ("0002", Some("card_declined")),
    ("0051", Some("insufficient_funds")),
];

/// Pay, and return the channel the payment went to (from the gateway's record).
async fn pay(base: &str, id: &str, body: Value, declined: bool) -> String {
    let (s, r) = call(
        reqwest::Method::POST,
        format!("{base}/payments/{id}/instant"),
        Some(body),
    )
    .await;
    assert_eq!(s, if declined { 502 } else { 200 }, "{id}: {r}");
    let (s, p) = call(reqwest::Method::GET, format!("{base}/payments/{id}"), None).await;
    assert_eq!(s, 200, "{p}");
    p["channel"]["key"].as_str().unwrap().to_string()
}

fn window<'a>(stats: &'a Value, name: &str) -> &'a Value {
    stats["windows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["window"] == name)
        .unwrap()
}

fn channel<'a>(w: &'a Value, key: &str) -> &'a Value {
    w["channels"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["channelKey"] == key)
        .unwrap_or_else(|| panic!("{key} not in {w}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stats_agree_with_ledgers_and_split_explain_agrees_with_choice_and_metrics_parse() {
    let sims = start_sims(&["galaxia", "ksnet"]).await;
    let (db, cleanup) = test_db::create(test_db::Backend::Sqlite, "obs")
        .await
        .unwrap();
    let split = "channel-group-test-00000000-0000-4000-8000-000000000070";
    let mixed = "channel-group-test-00000000-0000-4000-8000-000000000071";
    let failing = "channel-group-test-00000000-0000-4000-8000-000000000073";
    let members = [("galaxia-obs", 70), ("ksnet-obs", 30)];
    // A third channel: Galaxia's adapter at a port nothing listens on (never sent).
    let mut channels = sims.channels.clone();
    let mut dead = channels[0].clone();
    dead.key = "galaxia-dead".into();
    dead.endpoint = Some(closed_port());
    channels.push(dead);
    let gw = gateway(
        &db,
        channels,
        vec![
            group(split, &members, json!({})),
            group(mixed, &members, json!({})),
            group(
                failing,
                &[("galaxia-dead", 50), ("ksnet-obs", 50)],
                json!({"failover": true}),
            ),
        ],
        |_| {},
    )
    .await;
    let base = gw.base_url.clone();
    let mut mix = Mix(25);

    // 1. 1,000 payments on the 70/30 group, a tenth declined and a tenth short of funds.
    let mut landed: BTreeMap<String, usize> = BTreeMap::new();
    let mut declines: BTreeMap<(String, &str), i64> = BTreeMap::new();
    for i in 0..N {
        let (ending, kind) = CARDS[match i % 10 {
            0 => 1,
            5 => 2,
            _ => 0,
        }];
        let id = mix.payment_id();
        let channel = pay(&base, &id, payment(split, ending, true), kind.is_some()).await;
        if let Some(k) = kind {
            *declines.entry((channel.clone(), k)).or_default() += 1;
        }
        *landed.entry(channel).or_default() += 1;
    }
    let (s, stats) = call(
        reqwest::Method::GET,
        format!("{base}/channel-groups/{split}/stats"),
        None,
    )
    .await;
    assert_eq!(s, 200, "{stats}");
    for name in ["5m", "1h", "1d"] {
        let w = window(&stats, name);
        assert_eq!(w["payments"], N as i64, "{name}: {w}");
        for (adapter, key) in [("galaxia", "galaxia-obs"), ("ksnet", "ksnet-obs")] {
            let c = channel(w, key);
            // The simulator's ledger: every approval it recorded, and no other.
            let approved = sims.sims[adapter]
                .ledger()
                .iter()
                .filter(|e| e.state == "APPROVED")
                .count() as i64;
            assert_eq!(c["approvals"], approved, "{key}: {c}");
            assert_eq!(c["attempts"], landed[key] as i64, "{key}: {c}");
            assert_eq!(c["selected"], landed[key] as i64, "{key}: {c}");
            for kind in ["card_declined", "insufficient_funds"] {
                let expected = declines.get(&(key.to_string(), kind)).copied().unwrap_or(0);
                assert_eq!(
                    c["declinesByKind"][kind].as_i64().unwrap_or(0),
                    expected,
                    "{key} {kind}: {c}"
                );
            }
            assert_eq!(c["unknownOutcomes"], 0);
            assert_eq!(c["failovers"], 0);
            assert_eq!(c["ruleSkips"], 0);
            let lat = &c["latencyMs"];
            assert!(lat["p50"].as_f64().unwrap() > 0.0, "{c}");
            assert!(
                lat["p50"].as_f64().unwrap() <= lat["p99"].as_f64().unwrap(),
                "{c}"
            );
        }
        // The split: 1,000 draws at p = 0.7 have a standard deviation of 0.0145; ±0.05 is
        // 3.4 of them (and the ids are fixed, so this is the same every run).
        let g = channel(w, "galaxia-obs");
        assert_eq!(g["configuredShare"], 0.7);
        let share = g["actualShare"].as_f64().unwrap();
        assert!((share - 0.7).abs() <= 0.05, "galaxia share {share}");
        let k = channel(w, "ksnet-obs")["actualShare"].as_f64().unwrap();
        assert!((share + k - 1.0).abs() < 1e-9);
    }
    assert_eq!(stats["warnings"], json!([]), "{stats}");

    // 2. 1,000 random requests on the second group: six in ten without a customer id, which
    //    Galaxia's rules refuse. Explain first (nothing sent), then pay: the same channel.
    let mut refused_galaxia = 0;
    let mut agreed = 0;
    for _ in 0..N {
        let id = mix.payment_id();
        let with_id = mix.next() % 10 >= 6;
        let (ending, kind) = CARDS[(mix.next() % 3) as usize];
        let body = payment(mixed, ending, with_id);
        let mut explain_body = body.clone();
        explain_body["paymentId"] = json!(id);
        let (s, x) = call(
            reqwest::Method::POST,
            format!("{base}/channel-groups/{mixed}/explain"),
            Some(explain_body),
        )
        .await;
        assert_eq!(s, 200, "{x}");
        let skipped: Vec<&str> = x["skipped"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|s| s["refusedByRules"] == true)
            .map(|s| s["channelKey"].as_str().unwrap())
            .collect();
        if skipped.contains(&"galaxia-obs") {
            refused_galaxia += 1;
            assert!(!with_id, "{x}");
        }
        let actual = pay(&base, &id, body, kind.is_some()).await;
        assert_eq!(x["channelKey"], actual.as_str(), "{id}: {x}");
        agreed += 1;
    }
    assert_eq!(agreed, N);
    let (s, stats) = call(
        reqwest::Method::GET,
        format!("{base}/channel-groups/{mixed}/stats"),
        None,
    )
    .await;
    assert_eq!(s, 200, "{stats}");
    let w = window(&stats, "1h");
    assert_eq!(channel(w, "galaxia-obs")["ruleSkips"], refused_galaxia);
    assert!(refused_galaxia > N / 2, "{refused_galaxia}");
    let warning = &stats["warnings"][0];
    assert_eq!(warning["channelKey"], "galaxia-obs", "{stats}");
    assert_eq!(warning["kind"], "RULES_REFUSE_MOST", "{stats}");
    assert!(
        warning["message"].as_str().unwrap().contains("customer.id"),
        "{warning}"
    );
    // The 70/30 group has none; an unknown group is a 404.
    let (s, _) = call(
        reqwest::Method::GET,
        format!("{base}/channel-groups/channel-group-test-nope/stats"),
        None,
    )
    .await;
    assert_eq!(s, 404);

    // 3. A group whose first channel is unreachable fails over: counted on both sides.
    for _ in 0..20 {
        let id = mix.payment_id();
        assert_eq!(
            pay(&base, &id, payment(failing, "1234", true), false).await,
            "ksnet-obs"
        );
    }
    let (_, stats3) = call(
        reqwest::Method::GET,
        format!("{base}/channel-groups/{failing}/stats"),
        None,
    )
    .await;
    let w3 = window(&stats3, "5m");
    let dead = channel(w3, "galaxia-dead");
    let ksnet = channel(w3, "ksnet-obs");
    assert!(dead["failovers"].as_i64().unwrap() > 0, "{stats3}");
    assert_eq!(dead["failovers"], dead["notSent"], "{stats3}");
    assert_eq!(dead["failovers"], ksnet["failoverAttempts"], "{stats3}");
    assert_eq!(
        dead["latencyMs"],
        Value::Null,
        "nothing sent, no latency: {stats3}"
    );
    assert_eq!(ksnet["approvals"], 20, "{stats3}");

    // 4. `GET /metrics` through a real Prometheus text parser: every documented series.
    let text = reqwest::Client::new()
        .get(format!("{base}/metrics"))
        .header("authorization", format!("PortOne {SECRET}"))
        .send()
        .await
        .unwrap();
    assert_eq!(text.status(), 200);
    assert!(text.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/plain; version=0.0.4"));
    let text = text.text().await.unwrap();
    // Route templates keep their braces: a label value may hold any character.
    assert!(text.contains(r#"route="/payments/{payment_id}/instant""#));
    let samples = match parse_with_prometheus_client(&text) {
        Some(s) => s,
        None => {
            gw.shutdown().await;
            test_db::remove(cleanup).await;
            return;
        }
    };
    let documented = include_str!("../../../docs/OPERATIONS.md");
    let names: Vec<&str> = documented
        .lines()
        .filter_map(|l| l.strip_prefix("| `paymux_"))
        .map(|l| l.split('`').next().unwrap())
        .collect();
    assert!(names.len() >= 12, "{names:?}");
    for name in &names {
        let full = format!("paymux_{name}");
        // The parser names a counter's family without `_total`; its samples keep it.
        assert!(
            samples.iter().any(|s| s.family == full
                || format!("{}_total", s.family) == full
                || s.name == full),
            "documented series {full} not scraped"
        );
    }
    let sample = |metric: &str, labels: &[(&str, &str)]| -> f64 {
        samples
            .iter()
            .filter(|s| {
                s.name == metric
                    && labels
                        .iter()
                        .all(|(k, v)| s.labels.get(*k).map(String::as_str) == Some(*v))
            })
            .map(|s| s.value)
            .sum()
    };
    // The per-channel numbers are the stats' numbers (one instance here).
    let g1 = channel(window(&stats, "1h"), "galaxia-obs");
    assert_eq!(
        sample(
            "paymux_routing_rule_skips_total",
            &[("group", mixed), ("channel", "galaxia-obs")]
        ),
        g1["ruleSkips"].as_f64().unwrap()
    );
    assert_eq!(
        sample(
            "paymux_routing_attempts_total",
            &[
                ("group", mixed),
                ("channel", "galaxia-obs"),
                ("outcome", "APPROVED")
            ]
        ),
        g1["approvals"].as_f64().unwrap()
    );
    assert_eq!(
        sample(
            "paymux_http_requests_total",
            &[
                ("route", "/payments/{payment_id}/instant"),
                ("status", "200")
            ]
        ),
        sample("paymux_routing_attempts_total", &[("outcome", "APPROVED")])
    );
    assert_eq!(
        sample(
            "paymux_routing_failovers_total",
            &[("group", failing), ("channel", "galaxia-dead")]
        ),
        dead["failovers"].as_f64().unwrap()
    );
    assert!(
        sample(
            "paymux_pg_calls_total",
            &[("channel", "ksnet-obs"), ("operation", "payment.instant")]
        ) > 0.0
    );
    assert!(sample("paymux_db_group_commit_batch_size_count", &[]) > 0.0);
    assert_eq!(
        sample("paymux_channel_healthy", &[("channel", "ksnet-obs")]),
        1.0
    );
    // No card number, and no payment id, in any label.
    assert!(!text.contains("00001234"));
    assert!(!text.contains("payment-"));

    gw.shutdown().await;
    test_db::remove(cleanup).await;
}

/// On PostgreSQL the instances of one database share channel health: instance A sees a
/// channel fail before anything is sent, three times; instance B, which never called it,
/// skips it (its explain says so) — and after the shared cool-down, probes it again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn instances_share_channel_health_on_postgres() {
    let Some((db, cleanup)) = test_db::create(test_db::Backend::Postgres, "obs_health").await
    else {
        return;
    };
    let sims = start_sims(&["galaxia", "ksnet"]).await;
    // Galaxia's channel points at a port nothing listens on: connection refused, not sent.
    let mut channels = sims.channels.clone();
    channels[0].endpoint = Some(closed_port());
    let id = "channel-group-test-00000000-0000-4000-8000-000000000072";
    let g = group(
        id,
        &[("galaxia-obs", 90), ("ksnet-obs", 10)],
        json!({"failover": true, "healthSkip": true}),
    );
    let tune = |o: &mut GatewayOptions| {
        o.tuning.health.failure_threshold = 3;
        o.tuning.health.cool_down = std::time::Duration::from_secs(600);
        o.tuning.health_sync_interval = std::time::Duration::from_millis(50);
    };
    let a = gateway(&db, channels.clone(), vec![g.clone()], tune).await;
    let b = gateway(&db, channels, vec![g], tune).await;
    let mut mix = Mix(72);
    let explain = |base: String, pid: String| async move {
        let mut body = payment(id, "1234", true);
        body["paymentId"] = json!(pid);
        let (s, x) = call(
            reqwest::Method::POST,
            format!("{base}/channel-groups/{id}/explain"),
            Some(body),
        )
        .await;
        assert_eq!(s, 200, "{x}");
        x
    };
    // Payments A routes to Galaxia first fail over to KSNET (nothing was sent).
    let mut failures = 0;
    while failures < 3 {
        let pid = mix.payment_id();
        let x = explain(a.base_url.clone(), pid.clone()).await;
        if x["channelKey"] != "galaxia-obs" {
            continue;
        }
        let landed = pay(&a.base_url, &pid, payment(id, "1234", true), false).await;
        assert_eq!(landed, "ksnet-obs");
        failures += 1;
    }
    // B never called Galaxia; within a few sync intervals it skips it too.
    let mut skipped_on_b = false;
    for _ in 0..100 {
        let x = explain(b.base_url.clone(), mix.payment_id()).await;
        let skipped = x["skipped"].as_array().unwrap();
        if skipped.iter().any(|s| s["channelKey"] == "galaxia-obs") {
            assert_eq!(x["channelKey"], "ksnet-obs", "{x}");
            skipped_on_b = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(
        skipped_on_b,
        "instance B never learned that galaxia-obs is unhealthy"
    );
    // Its stats warn, and its metrics say so.
    let (s, stats) = call(
        reqwest::Method::GET,
        format!("{}/channel-groups/{id}/stats", b.base_url),
        None,
    )
    .await;
    assert_eq!(s, 200);
    assert!(
        stats["warnings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|w| w["kind"] == "UNHEALTHY" && w["channelKey"] == "galaxia-obs"),
        "{stats}"
    );
    a.shutdown().await;
    b.shutdown().await;
    test_db::remove(cleanup).await;
}
