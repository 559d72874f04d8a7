//! What every reliability scenario needs: the vendors' simulators in this process (so their
//! ledgers can be read), `paymux serve --config` as separate processes (so they can be killed),
//! a throwaway database, a webhook receiver, and the check that the gateway's books and every
//! simulator's ledger agree.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use paymux_core::channel::ChannelContext;
use paymux_core::simulator::{LedgerEntry, Simulator, SimulatorHandle};
use serde_json::{json, Value};

#[path = "../../../paymux-gateway/tests/support/test_db.rs"]
pub mod test_db;
pub use test_db::Backend;

/// The API secret every gateway of these tests is started with.
pub const SECRET: &str = "reliability-api-secret-3f9c2a71d0";
/// The webhook signing secret (`whsec_` + base64 of 24 bytes).
pub const WEBHOOK_SECRET: &str = "whsec_cmVsaWFiaWxpdHktd2ViaG9vay1rZXktOTk=";
/// An approving card (every simulator), with its birth date and password digits.
pub const CARD_OK: &str = "4518420012345678";
/// Approved, but the answer comes after the gateway's read timeout.
pub const CARD_LATE: &str = "4518420012340098";
/// The PG closes the connection without answering and records nothing.
pub const CARD_DROP: &str = "4518420012340099";
/// Declined.
pub const CARD_DECLINED: &str = "4518420012340002";
/// Birth date sent with every card.
pub const BIRTH: &str = "880315";

/// `PAYMUX_RELIABILITY_SCALE` (default 1): how many times the CI-sized load each scenario
/// runs. `cargo xtask reliability --scale N` sets it.
pub fn scale() -> usize {
    std::env::var("PAYMUX_RELIABILITY_SCALE")
        .ok()
        .and_then(|s| s.parse().ok())
        .filter(|n| *n >= 1)
        .unwrap_or(1)
}

/// One figure line, collected by `cargo xtask reliability` into docs/RELIABILITY.md.
pub fn report(item: &str, line: &str) {
    println!("RELIABILITY {item}: {line}");
}

/// Vendor simulators running in this process, one per adapter.
pub struct Sims {
    sims: BTreeMap<String, Arc<dyn Simulator>>,
    _handles: Vec<SimulatorHandle>,
    /// One test channel per adapter, pointing at its simulator (key `<adapter>-rel`).
    pub channels: Vec<ChannelContext>,
}

/// Start a fresh simulator for each adapter (registered in this binary through `paymux`).
pub async fn start_sims(adapters: &[&str]) -> Sims {
    assert!(!paymux::registered_adapters().is_empty());
    let mut sims = BTreeMap::new();
    let mut handles = Vec::new();
    let mut channels = Vec::new();
    for id in adapters {
        let reg = paymux_core::registry::find(id).expect("adapter linked");
        let sim = (reg.simulator.expect("tests need the `simulators` feature"))();
        let h = sim
            .clone()
            .start("127.0.0.1:0".parse().unwrap())
            .await
            .expect("simulator starts");
        channels.push(sim.sandbox_channel(&format!("{id}-rel"), &h.endpoint()));
        handles.push(h);
        sims.insert(id.to_string(), sim);
    }
    Sims {
        sims,
        _handles: handles,
        channels,
    }
}

impl Sims {
    /// Every ledger entry, with the adapter whose simulator recorded it.
    pub fn ledger(&self) -> Vec<(String, LedgerEntry)> {
        self.sims
            .iter()
            .flat_map(|(id, s)| s.ledger().into_iter().map(move |e| (id.clone(), e)))
            .collect()
    }

    /// The channel of `adapter`.
    pub fn channel(&self, adapter: &str) -> &ChannelContext {
        self.channels
            .iter()
            .find(|c| c.adapter == adapter)
            .expect("channel")
    }
}

/// A channel as a `[[channels]]` TOML table (credentials in the clear: the file is the
/// operator's), optionally pointing at another endpoint (a fault proxy).
pub fn channel_toml(c: &ChannelContext, endpoint: Option<&str>) -> String {
    let mut s = format!(
        "[[channels]]\nkey = {:?}\nadapter = {:?}\nenvironment = {:?}\n",
        c.key,
        c.adapter,
        c.environment.as_str()
    );
    if let Some(ep) = endpoint.map(str::to_string).or(c.endpoint.clone()) {
        s.push_str(&format!("endpoint = {ep:?}\n"));
    }
    s.push_str("[channels.credentials]\n");
    for (k, v) in &c.credentials {
        s.push_str(&format!("{k} = {:?}\n", v.expose()));
    }
    if !c.options.is_empty() {
        s.push_str("[channels.options]\n");
        for (k, v) in &c.options {
            s.push_str(&format!("{k} = {v:?}\n"));
        }
    }
    s
}

/// A `[[channel_groups]]` table.
pub fn group_toml(id: &str, members: &[(&str, u32)], failover: bool, health_skip: bool) -> String {
    let ms: Vec<String> = members
        .iter()
        .map(|(k, w)| format!("{{ channelKey = {k:?}, weight = {w}, enabled = true }}"))
        .collect();
    format!(
        "[[channel_groups]]\nid = {id:?}\nname = \"reliability\"\nisForTest = true\n\
         failover = {failover}\nhealthSkip = {health_skip}\nchannels = [{}]\n",
        ms.join(", ")
    )
}

/// A fresh channel-group id.
pub fn group_id() -> String {
    format!("channel-group-test-{}", uuid::Uuid::new_v4())
}

/// Fast background workers, so a CI-sized scenario settles in seconds. `read_timeout_ms` also
/// decides when a `…0098` answer (3 s late) is given up on.
pub fn fast_tuning(read_timeout_ms: u64) -> String {
    format!(
        "[pg]\nconnect_timeout_ms = 1000\nread_timeout_ms = {read_timeout_ms}\n\
         [reconciler]\ninterval_ms = 200\nretry_base_ms = 300\nnot_found_grace_ms = 2000\n\
         in_flight_margin_ms = 1000\n\
         [scheduler]\ninterval_ms = 200\n\
         [webhooks]\ninterval_ms = 200\nbackoff_base_ms = 50\nmax_attempts = 50\ntimeout_ms = 2000\n"
    )
}

/// A throwaway database and a directory for config files and SQLite.
pub struct Workspace {
    /// Temp directory (config, SQLite file).
    pub dir: PathBuf,
    /// Database URL.
    pub database: String,
    cleanup: Option<test_db::Cleanup>,
}

impl Workspace {
    /// `None` when PostgreSQL is unreachable outside CI (see `test_db`).
    pub async fn new(backend: Backend, name: &str) -> Option<Workspace> {
        let (database, cleanup) = test_db::create(backend, name).await?;
        let dir = std::env::temp_dir().join(format!("paymux-rel-{name}-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        Some(Workspace {
            dir,
            database,
            cleanup: Some(cleanup),
        })
    }

    /// Write `paymux.toml`: top-level keys, then `sections` (tuning, channels, groups).
    pub fn write_config(&self, webhook_url: Option<&str>, sections: &str) -> PathBuf {
        let mut s = format!(
            "listen = \"127.0.0.1:0\"\ndatabase = {:?}\napi_secret = {SECRET:?}\nwebhook_secret = {WEBHOOK_SECRET:?}\n",
            self.database
        );
        if let Some(u) = webhook_url {
            s.push_str(&format!("webhook_url = {u:?}\n"));
        }
        s.push_str(sections);
        let path = self.dir.join("paymux.toml");
        std::fs::write(&path, s).unwrap();
        path
    }

    /// Every byte the database holds, as text: the SQLite files, or every row of every table
    /// of the PostgreSQL schema.
    pub async fn dump(&self) -> String {
        match &self.cleanup {
            Some(test_db::Cleanup::Schema { base, schema }) => {
                use sqlx::{Connection, Row};
                let mut c = sqlx::PgConnection::connect(base).await.unwrap();
                let tables: Vec<String> = sqlx::query(
                    "SELECT table_name::text FROM information_schema.tables WHERE table_schema = $1",
                )
                .bind(schema)
                .fetch_all(&mut c)
                .await
                .unwrap()
                .iter()
                .map(|r| r.get::<String, _>(0))
                .collect();
                assert!(!tables.is_empty(), "schema {schema} has tables");
                let mut out = String::new();
                for t in tables {
                    let rows = sqlx::query(&format!("SELECT t::text FROM {schema}.{t} t"))
                        .fetch_all(&mut c)
                        .await
                        .unwrap();
                    out.push_str(&format!("-- {t}: {} rows\n", rows.len()));
                    for r in rows {
                        out.push_str(&r.get::<String, _>(0));
                        out.push('\n');
                    }
                }
                out
            }
            Some(test_db::Cleanup::Dir(db_dir)) => {
                let mut bytes = Vec::new();
                for e in std::fs::read_dir(db_dir).unwrap().flatten() {
                    if e.file_name().to_string_lossy().contains("sqlite") {
                        bytes.extend(std::fs::read(e.path()).unwrap_or_default());
                    }
                }
                assert!(!bytes.is_empty(), "SQLite files in {}", db_dir.display());
                String::from_utf8_lossy(&bytes).into_owned()
            }
            None => unreachable!("the database is removed only by `remove`"),
        }
    }

    /// Drop the database and the directory.
    pub async fn remove(mut self) {
        if let Some(c) = self.cleanup.take() {
            test_db::remove(c).await;
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// What most scenarios start from: a database, simulators, one channel per adapter and a
/// group over them, and the configuration file for `paymux serve --config`.
pub struct Scenario {
    /// Database and directory.
    pub ws: Workspace,
    /// The simulators.
    pub sims: Sims,
    /// The group's id.
    pub group: String,
    /// `paymux.toml`.
    pub config: PathBuf,
}

impl Scenario {
    /// Set up on `backend` with simulators for `members` (`(adapter, weight)`; channel keys
    /// `<adapter>-rel`), the PG read timeout, and an optional webhook URL. `None` when
    /// PostgreSQL is unreachable outside CI.
    pub async fn new(
        backend: Backend,
        name: &str,
        members: &[(&str, u32)],
        read_timeout_ms: u64,
        webhook_url: Option<&str>,
    ) -> Option<Scenario> {
        let ws = Workspace::new(backend, name).await?;
        let adapters: Vec<&str> = members.iter().map(|(a, _)| *a).collect();
        let sims = start_sims(&adapters).await;
        let group = group_id();
        let mut sections = fast_tuning(read_timeout_ms);
        for c in &sims.channels {
            sections.push_str(&channel_toml(c, None));
        }
        let keys: Vec<(String, u32)> = members
            .iter()
            .map(|(a, w)| (format!("{a}-rel"), *w))
            .collect();
        let keys: Vec<(&str, u32)> = keys.iter().map(|(k, w)| (k.as_str(), *w)).collect();
        sections.push_str(&group_toml(&group, &keys, false, false));
        let config = ws.write_config(webhook_url, &sections);
        Some(Scenario {
            ws,
            sims,
            group,
            config,
        })
    }

    /// Start one more gateway process on this scenario's configuration.
    pub fn gateway(&self, log: &str) -> crate::common::Sandbox {
        crate::common::start_with_config(&self.config, &self.ws.dir, log)
    }

    /// Check the gateways printed no panic, stop them and drop the database.
    pub async fn finish(self, gateways: Vec<crate::common::Sandbox>) {
        for g in &gateways {
            let out = g.output.lock().unwrap().clone();
            assert!(!out.contains("panicked"), "{out}");
        }
        drop(gateways);
        self.ws.remove().await;
    }
}

/// A one-letter tag per backend, so ids of parallel runs never meet in a log.
pub fn tag(backend: Backend) -> &'static str {
    match backend {
        Backend::Sqlite => "s",
        Backend::Postgres => "p",
    }
}

/// `POST /billing-keys` for `card` through `target` (`channelKey` / `channelGroupId`);
/// `(status, answer)`.
pub async fn issue_billing_key(api: &Api, target: (&str, &str), card: &str) -> (u16, Value) {
    let mut body = json!({
        "customer": customer(),
        "method": { "card": { "credential": card_credential(card) } },
        "bypass": { "galaxia": { "ITEM_CODE": "ITEM0001" } }
    });
    body[target.0] = json!(target.1);
    api.call(reqwest::Method::POST, "/billing-keys", Some(body))
        .await
}

/// A keyed-in card credential with the test birth date and password digits.
pub fn card_credential(number: &str) -> Value {
    json!({
        "number": number, "expiryYear": "28", "expiryMonth": "06",
        "birthOrBusinessRegistrationNumber": BIRTH, "passwordTwoDigits": "37"
    })
}

/// A PortOne V2 client of one gateway.
#[derive(Clone)]
pub struct Api {
    /// Base URL.
    pub base: String,
    client: reqwest::Client,
}

impl Api {
    /// A client of the gateway at `base`.
    pub fn new(base: &str) -> Api {
        Api {
            base: base.to_string(),
            client: reqwest::Client::builder()
                .timeout(Duration::from_secs(60))
                .pool_max_idle_per_host(256)
                .build()
                .unwrap(),
        }
    }

    /// Send; `(status, body)`. A transport error (the gateway died) is status 0.
    pub async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> (u16, Value) {
        let mut r = self
            .client
            .request(method, format!("{}{path}", self.base))
            .header("Authorization", format!("PortOne {SECRET}"));
        if let Some(b) = body {
            r = r.json(&b);
        }
        match r.send().await {
            Ok(resp) => {
                let status = resp.status().as_u16();
                let text = resp.text().await.unwrap_or_default();
                (
                    status,
                    serde_json::from_str(&text).unwrap_or(Value::String(text)),
                )
            }
            Err(e) => (0, Value::String(e.to_string())),
        }
    }

    /// `GET /payments/{id}`: the payment, or `None` (404).
    pub async fn payment(&self, id: &str) -> Option<Value> {
        let (s, p) = self
            .call(reqwest::Method::GET, &format!("/payments/{id}"), None)
            .await;
        match s {
            200 => Some(p),
            404 => None,
            _ => panic!("GET /payments/{id}: {s} {p}"),
        }
    }

    /// Poll until no payment of `ids` is `READY` or `PAY_PENDING`; their final views.
    pub async fn wait_settled(
        &self,
        ids: &[String],
        within: Duration,
    ) -> BTreeMap<String, Option<Value>> {
        let deadline = Instant::now() + within;
        loop {
            let mut all = BTreeMap::new();
            let mut open = Vec::new();
            for id in ids {
                let p = self.payment(id).await;
                if let Some(v) = &p {
                    if matches!(v["status"].as_str(), Some("READY" | "PAY_PENDING")) {
                        open.push(format!("{id}={}", v["status"]));
                    }
                }
                all.insert(id.clone(), p);
            }
            if open.is_empty() {
                return all;
            }
            assert!(
                Instant::now() < deadline,
                "{} payments still unsettled after {within:?}: {open:?}",
                open.len()
            );
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
    }
}

/// A keyed-in card payment through `target` (`channelKey` or `channelGroupId`) that every
/// card-capable sandbox PG accepts.
pub fn card_body(target: (&str, &str), number: &str, total: i64) -> Value {
    let mut b = json!({
        "orderName": "안정성 시험",
        "amount": { "total": total },
        "currency": "KRW",
        "customer": customer(),
        "productType": "PHYSICAL",
        "method": { "card": { "credential": card_credential(number) } },
        "bypass": { "galaxia": { "ITEM_CODE": "ITEM0001" } }
    });
    b[target.0] = json!(target.1);
    b
}

/// The customer of every request.
pub fn customer() -> Value {
    json!({ "id": "reliability", "name": { "full": "홍길동" },
            "phoneNumber": "01012345678", "email": "buyer@example.com" })
}

/// Check that the gateway's books (`payments`: every id the test sent, with its final view
/// or `None` when the gateway never accepted it) and the simulators' ledgers agree exactly:
/// each order charged at most once; a PAID payment is approved at its channel's PG for its
/// amount; a FAILED or unknown payment has no standing approval anywhere; a CANCELLED one is
/// cancelled at the PG; and no PG holds an approval the gateway doesn't know as PAID.
/// Returns counts per final status.
pub fn assert_books_agree(
    payments: &BTreeMap<String, Option<Value>>,
    sims: &Sims,
) -> BTreeMap<String, usize> {
    let mut by_order: BTreeMap<String, Vec<(String, LedgerEntry)>> = BTreeMap::new();
    for (adapter, e) in sims.ledger() {
        by_order
            .entry(e.order_id.clone())
            .or_default()
            .push((adapter, e));
    }
    let ours: BTreeSet<&String> = payments.keys().collect();
    for (order, entries) in &by_order {
        if ours.contains(order) {
            assert_eq!(
                entries.len(),
                1,
                "order {order} charged more than once: {entries:?}"
            );
        }
    }
    let mut counts = BTreeMap::new();
    for (id, p) in payments {
        let entry = by_order.get(id).and_then(|v| v.first());
        let status = p
            .as_ref()
            .map_or("ABSENT", |v| v["status"].as_str().unwrap_or("?"));
        *counts.entry(status.to_string()).or_insert(0) += 1;
        let standing =
            entry.filter(|(_, e)| e.state == "APPROVED" || e.state == "PARTIALLY_CANCELLED");
        match status {
            "PAID" | "PARTIAL_CANCELLED" => {
                let p = p.as_ref().unwrap();
                let (adapter, e) = standing.unwrap_or_else(|| {
                    panic!("{id} is {status} but no PG holds an approval: {entry:?}")
                });
                let channel = p["channel"]["key"].as_str().unwrap_or_default();
                let ch = sims.channels.iter().find(|c| c.key == channel);
                assert_eq!(
                    ch.map(|c| c.adapter.as_str()),
                    Some(adapter.as_str()),
                    "{id} is {status} on channel {channel} but approved at {adapter}"
                );
                assert_eq!(p["amount"]["total"], json!(e.amount.get()), "{id} amount");
            }
            "CANCELLED" => {
                let (_, e) =
                    entry.unwrap_or_else(|| panic!("{id} CANCELLED but unknown to every PG"));
                assert_eq!(e.state, "CANCELLED", "{id}: {e:?}");
            }
            "FAILED" | "ABSENT" => {
                assert!(
                    standing.is_none(),
                    "{id} is {status} at the gateway but approved at a PG: {entry:?}"
                );
            }
            other => panic!("{id} ended {other}: {p:?}"),
        }
    }
    counts
}

/// Receives webhooks; answers 503 while `accepting` is false (so the outbox must retry).
pub struct Hooks {
    /// `http://127.0.0.1:<port>/hooks`.
    pub url: String,
    /// Deliveries answered 2xx: `(webhook-id, body)`.
    pub received: Arc<Mutex<Vec<(String, Value)>>>,
    /// Raw bodies of every delivery attempt, accepted or not.
    pub raw: Arc<Mutex<Vec<String>>>,
    /// Whether deliveries are accepted.
    pub accepting: Arc<AtomicBool>,
    /// Attempts refused while not accepting.
    pub refused: Arc<Mutex<usize>>,
}

/// Start a webhook receiver.
pub async fn start_hooks() -> Hooks {
    use axum::http::{HeaderMap, StatusCode};
    let received: Arc<Mutex<Vec<(String, Value)>>> = Arc::default();
    let raw: Arc<Mutex<Vec<String>>> = Arc::default();
    let accepting = Arc::new(AtomicBool::new(true));
    let refused: Arc<Mutex<usize>> = Arc::default();
    let (r, w, a, f) = (
        received.clone(),
        raw.clone(),
        accepting.clone(),
        refused.clone(),
    );
    let app = axum::Router::new().route(
        "/hooks",
        axum::routing::post(move |headers: HeaderMap, body: String| {
            let (r, w, a, f) = (r.clone(), w.clone(), a.clone(), f.clone());
            async move {
                w.lock().unwrap().push(body.clone());
                if !a.load(Ordering::SeqCst) {
                    *f.lock().unwrap() += 1;
                    return StatusCode::SERVICE_UNAVAILABLE;
                }
                let id = headers
                    .get("webhook-id")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or_default()
                    .to_string();
                r.lock()
                    .unwrap()
                    .push((id, serde_json::from_str(&body).unwrap_or(Value::Null)));
                StatusCode::OK
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Hooks {
        url: format!("http://{addr}/hooks"),
        received,
        raw,
        accepting,
        refused,
    }
}

impl Hooks {
    /// Distinct `(type, paymentId)` events received.
    pub fn payment_events(&self) -> BTreeSet<(String, String)> {
        self.received
            .lock()
            .unwrap()
            .iter()
            .filter_map(|(_, b)| {
                Some((
                    b["type"].as_str()?.to_string(),
                    b["data"]["paymentId"].as_str()?.to_string(),
                ))
            })
            .collect()
    }

    /// Wait until every `(type, paymentId)` of `expected` has arrived.
    pub async fn wait_for(&self, expected: &BTreeSet<(String, String)>, within: Duration) {
        let deadline = Instant::now() + within;
        loop {
            let got = self.payment_events();
            let missing: Vec<_> = expected.difference(&got).collect();
            if missing.is_empty() {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "{} webhooks never arrived within {within:?}: {missing:?}",
                missing.len()
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
}

/// The webhook event a payment's final status is announced with.
pub fn final_event(status: &str) -> Option<&'static str> {
    match status {
        "PAID" => Some("Transaction.Paid"),
        "FAILED" => Some("Transaction.Failed"),
        "CANCELLED" => Some("Transaction.Cancelled"),
        _ => None,
    }
}
