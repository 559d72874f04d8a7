//! PG notices end to end, over real HTTP: the sandbox's simulators issue virtual accounts, the
//! payer deposits (`POST /sandbox/virtual-accounts/{id}/deposit`), the simulator's notice goes
//! to `POST /pg-notices/{channelKey}`, the payment becomes PAID and `Transaction.Paid` is
//! sent. Forged, replayed, oversized and garbage notices; the notice log; the webhook history,
//! resends and secret rotation. SQLite and PostgreSQL (skipped loudly when unreachable).

mod closes;
#[path = "../support/test_db.rs"]
mod test_db;
mod unsigned;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, OnceLock};

use axum::body::Bytes;
use axum::http::StatusCode;
use base64::Engine as _;
use hmac::{Hmac, Mac};
use paymux_core::adapter::{Method, Operation};
use paymux_core::money::Money;
use paymux_gateway::config::{FileConfig, Tuning};
use paymux_gateway::{GatewayOptions, RunningGateway};
use paymux_smartro::simulator::{deposit_notice, payment, State, TEST_MERCHANT_KEY, TEST_MID};
use serde_json::{json, Value};
use sha2::Sha256;
use test_db::Backend;

// Link the Smartro adapter (its registration) even where nothing else names it.
use paymux_smartro as _;
// Toss Payments closes virtual accounts (`closes`).
use closes::closing_virtual_accounts;
use paymux_tosspayments as _;

const API_SECRET: &str = "test-api-secret-notices-0123456789";
const WEBHOOK_SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const OLD_WEBHOOK_SECRET: &str = "whsec_pzQGE83cSIRKM4/WH5QY+g==";

// ---------------------------------------------------------------------------------------------
// Harness

fn log_buffer() -> &'static Arc<Mutex<Vec<u8>>> {
    static BUF: OnceLock<Arc<Mutex<Vec<u8>>>> = OnceLock::new();
    BUF.get_or_init(|| Arc::new(Mutex::new(Vec::new())))
}

struct LogWriter(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for LogWriter {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Everything logged in this test binary.
fn logs() -> String {
    String::from_utf8_lossy(&log_buffer().lock().unwrap()).into_owned()
}

fn init_logs() {
    static ONCE: OnceLock<()> = OnceLock::new();
    ONCE.get_or_init(|| {
        let buf = log_buffer().clone();
        let _ = tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::new(
                "info,paymux_gateway=debug,paymux_core=debug",
            ))
            .with_ansi(false)
            .with_writer(move || LogWriter(buf.clone()))
            .try_init();
    });
}

struct Gw {
    gw: RunningGateway,
    database: String,
    http: reqwest::Client,
    _sandbox: paymux_gateway::Sandbox,
    cleanup: Option<test_db::Cleanup>,
}

impl Gw {
    /// A gateway over every registered simulator (the sandbox), webhooks into its inbox.
    async fn start(backend: Backend, tweak: impl FnOnce(&mut GatewayOptions)) -> Option<Gw> {
        init_logs();
        let (database, cleanup) = test_db::create(backend, "notices").await?;
        let sb = paymux_gateway::start_sandbox().await.unwrap();
        let mut tuning = Tuning::from_file(&FileConfig::empty());
        tuning.webhook_backoff_base = std::time::Duration::ZERO;
        let mut opts = GatewayOptions {
            listen: "127.0.0.1:0".into(),
            database: database.clone(),
            api_secret: API_SECRET.into(),
            webhook_secret: WEBHOOK_SECRET.into(),
            webhook_previous_secret: None,
            webhook_url: Some("paymux-sandbox:inbox".into()),
            merchant_id: "merchant-test".into(),
            store_id: "store-test".into(),
            tuning,
            channels: sb.channels.clone(),
            channel_groups: Vec::new(),
            background_workers: false,
            public_url: None,
            browser_stores: Vec::new(),
            operator_secret: None,
        };
        tweak(&mut opts);
        let gw = paymux_gateway::start(opts).await.unwrap();
        gw.attach_simulators(&sb.depositors);
        Some(Gw {
            gw,
            database,
            http: reqwest::Client::new(),
            _sandbox: sb,
            cleanup: Some(cleanup),
        })
    }

    async fn finish(mut self) {
        let cleanup = self.cleanup.take();
        self.gw.shutdown().await;
        if let Some(c) = cleanup {
            test_db::remove(c).await;
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.gw.base_url)
    }

    async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<&Value>,
    ) -> (u16, Value) {
        let mut rb = self
            .http
            .request(method, self.url(path))
            .header("authorization", format!("PortOne {API_SECRET}"));
        if let Some(b) = body {
            rb = rb.json(b);
        }
        let r = rb.send().await.unwrap();
        let status = r.status().as_u16();
        let text = r.text().await.unwrap();
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }

    async fn post(&self, path: &str, body: &Value) -> (u16, Value) {
        self.call(reqwest::Method::POST, path, Some(body)).await
    }

    async fn get(&self, path: &str) -> (u16, Value) {
        self.call(reqwest::Method::GET, path, None).await
    }

    /// POST raw bytes to `/pg-notices/{key}` as a PG would (no API secret).
    async fn notice(&self, key: &str, content_type: &str, body: Vec<u8>) -> (u16, String) {
        let r = self
            .http
            .post(self.url(&format!("/pg-notices/{key}")))
            .header("content-type", content_type)
            .body(body)
            .send()
            .await
            .unwrap();
        (r.status().as_u16(), r.text().await.unwrap())
    }

    async fn payment(&self, id: &str) -> Value {
        let (s, p) = self.get(&format!("/payments/{id}")).await;
        assert_eq!(s, 200, "{p}");
        p
    }

    /// Issue a virtual account on `channel`.
    async fn issue_va(&self, id: &str, channel: &str, total: i64) -> (u16, Value) {
        self.post(&format!("/payments/{id}/instant"), &va_body(channel, total))
            .await
    }

    /// The sandbox inbox's webhooks about `payment_id`, oldest first.
    async fn inbox_for(&self, payment_id: &str) -> Vec<Value> {
        self.gw.deliver_webhooks_once().await.unwrap();
        let (s, v) = self.get("/sandbox/webhooks").await;
        assert_eq!(s, 200, "{v}");
        let mut items: Vec<Value> = v["items"]
            .as_array()
            .or_else(|| v.as_array())
            .cloned()
            .unwrap_or_default()
            .into_iter()
            .filter(|w| w["body"]["data"]["paymentId"] == payment_id)
            .collect();
        // Delivered concurrently: order them by the event's time.
        items.sort_by(|a, b| {
            a["body"]["timestamp"]
                .as_str()
                .cmp(&b["body"]["timestamp"].as_str())
        });
        items
    }

    async fn notice_log(&self, payment_id: &str) -> Vec<Value> {
        let (s, v) = self
            .get(&format!("/pg-notices?paymentId={payment_id}"))
            .await;
        assert_eq!(s, 200, "{v}");
        v["items"].as_array().cloned().unwrap_or_default()
    }
}

fn va_body(channel: &str, total: i64) -> Value {
    json!({
        "channelKey": channel,
        "orderName": "테스트 주문",
        "amount": {"total": total},
        "currency": "KRW",
        "method": {"virtualAccount": {
            "bank": "KOOKMIN",
            "expiry": {"validHours": 72},
            "option": {"type": "NORMAL"},
            "cashReceipt": {"type": "NO_RECEIPT"},
            "remitteeName": "테스트상점"
        }},
        "customer": {"id": "cust1", "name": {"full": "홍길동"}, "email": "payer@example.com", "phoneNumber": "01012345678"},
    })
}

fn pay_id(prefix: &str) -> String {
    // Letters and digits only (Smartro's Moid).
    format!(
        "{prefix}{}",
        &uuid::Uuid::new_v4().simple().to_string()[..16]
    )
}

async fn on<F, Fut>(backend: Backend, scenario: F)
where
    F: FnOnce(Arc<Gw>) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    on_with(backend, |_| {}, scenario).await
}

async fn on_with<F, Fut>(backend: Backend, tweak: impl FnOnce(&mut GatewayOptions), scenario: F)
where
    F: FnOnce(Arc<Gw>) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let Some(g) = Gw::start(backend, tweak).await else {
        return;
    };
    let g = Arc::new(g);
    scenario(g.clone()).await;
    if let Ok(g) = Arc::try_unwrap(g) {
        g.finish().await;
    }
}

/// Every registered adapter whose `payment.instant` issues virtual accounts.
fn va_adapters() -> Vec<&'static str> {
    paymux_core::registry::adapters()
        .into_iter()
        .filter(|r| {
            r.descriptor
                .capabilities
                .supports(Operation::PaymentInstant, Some(Method::VirtualAccount))
        })
        .map(|r| r.descriptor.id)
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Scenarios

/// The adapters whose simulators must deposit (the others are covered when they do).
const MUST_DEPOSIT: [&str; 2] = ["smartro", unsigned::ID];

/// Issue → deposit → PAID + `Transaction.Paid`, on every adapter whose simulator deposits (the
/// registry decides: an adapter added later is covered as soon as its simulator answers
/// `deposit`). A second deposit resends the same notice: acknowledged, nothing changes.
async fn deposits_on_every_adapter(g: Arc<Gw>) {
    let mut covered = Vec::new();
    for adapter in va_adapters() {
        let channel = format!("{adapter}-test");
        let id = pay_id("dep");
        let (s, v) = g.issue_va(&id, &channel, 12_500).await;
        if s == 400 && !MUST_DEPOSIT.contains(&adapter) {
            // This generic request breaks the adapter's own rules: say so loudly; the adapters
            // that must be covered are checked below.
            eprintln!("NOTE: {adapter} refuses the generic virtual-account request: {v}");
            continue;
        }
        assert_eq!(s, 200, "{adapter}: {v}");
        let p = g.payment(&id).await;
        assert_eq!(p["status"], "VIRTUAL_ACCOUNT_ISSUED", "{adapter}: {p}");
        // Delivered before the deposit, so the inbox order below is the events' order.
        assert_eq!(g.inbox_for(&id).await.len(), 1, "{adapter}");
        assert!(p.get("paidAt").is_none(), "{p}");

        let (s, d) = g
            .post(
                &format!("/sandbox/virtual-accounts/{id}/deposit"),
                &json!({}),
            )
            .await;
        if s == 400
            && d["message"]
                .as_str()
                .unwrap_or("")
                .contains("sends no deposit notice")
        {
            eprintln!("NOTE: the {adapter} simulator sends no deposit notice: not covered");
            continue;
        }
        assert_eq!(s, 200, "{adapter}: {d}");
        assert_eq!(d["notice"]["status"], 200, "{adapter}: {d}");
        assert_eq!(d["payment"]["status"], "PAID", "{adapter}: {d}");
        assert!(d["payment"]["paidAt"].is_string(), "{d}");
        let p = g.payment(&id).await;
        assert_eq!(p["status"], "PAID");
        let paid_at = p["paidAt"].clone();

        let hooks = g.inbox_for(&id).await;
        let types: Vec<&str> = hooks.iter().filter_map(|h| h["type"].as_str()).collect();
        assert_eq!(
            types,
            ["Transaction.VirtualAccountIssued", "Transaction.Paid"],
            "{adapter}"
        );
        let paid = &hooks[1];
        assert_eq!(paid["body"]["data"]["transactionId"], p["transactionId"]);
        // The history: both deliveries, the deposit's with its trigger.
        let p = g.payment(&id).await;
        let history = p["webhooks"].as_array().unwrap();
        assert_eq!(history.len(), 2, "{p}");
        assert_eq!(history[1]["trigger"], "VIRTUAL_ACCOUNT_DEPOSIT");
        assert_eq!(history[1]["paymentStatus"], "PAID");
        assert_eq!(history[1]["status"], "SUCCEEDED");
        assert_eq!(history[1]["currentExecutionCount"], 1);
        assert_eq!(history[0]["paymentStatus"], "VIRTUAL_ACCOUNT_ISSUED");
        assert!(history[0].get("trigger").is_none(), "{}", history[0]);

        // The PG resends its notice: acknowledged, no second webhook, paidAt kept.
        let (s, d) = g
            .post(
                &format!("/sandbox/virtual-accounts/{id}/deposit"),
                &json!({}),
            )
            .await;
        assert_eq!(
            (s, &d["notice"]["status"]),
            (200, &json!(200)),
            "{adapter}: {d}"
        );
        assert_eq!(g.payment(&id).await["paidAt"], paid_at);
        assert_eq!(
            g.inbox_for(&id).await.len(),
            2,
            "{adapter}: one Transaction.Paid"
        );
        let log = g.notice_log(&id).await;
        let verdicts: Vec<&str> = log.iter().filter_map(|e| e["verdict"].as_str()).collect();
        assert_eq!(verdicts, ["DUPLICATE", "APPLIED"], "{adapter}: {log:?}");
        covered.push(adapter);
    }
    for must in MUST_DEPOSIT {
        assert!(covered.contains(&must), "{must} not covered: {covered:?}");
    }
    eprintln!("deposits covered on: {covered:?}");
}

fn smartro_notice(tid: &str, moid: &str, amount: i64) -> paymux_core::simulator::Notice {
    let p = payment(
        TEST_MID,
        moid,
        tid.into(),
        "VBANK",
        Money::new(amount).unwrap(),
        State::Deposited,
    );
    deposit_notice(&p)
}

fn replace_field(body: &[u8], name: &str, value: &str) -> Vec<u8> {
    let pairs =
        paymux_core::wire::form::form_urldecode(body, paymux_core::wire::Charset::Utf8).unwrap();
    let pairs: Vec<(String, String)> = pairs
        .into_iter()
        .map(|(k, v)| {
            if k == name {
                (k, value.to_string())
            } else {
                (k, v)
            }
        })
        .collect();
    let refs: Vec<(&str, &str)> = pairs
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    paymux_core::wire::form_urlencode(&refs, paymux_core::wire::Charset::Utf8).unwrap()
}

const FORM: &str = "application/x-www-form-urlencoded; charset=UTF-8";

/// Forged, mismatched, unknown, oversized and garbage notices change nothing; a real one then
/// works, and its replay is a duplicate.
async fn hostile_notices(g: Arc<Gw>) {
    let id = pay_id("hostile");
    let (s, v) = g.issue_va(&id, "smartro-test", 30_000).await;
    assert_eq!(s, 200, "{v}");
    let p = g.payment(&id).await;
    let tid = p["pgTxId"].as_str().unwrap().to_string();
    let good = smartro_notice(&tid, &id, 30_000);
    let unchanged = |p: &Value| {
        assert_eq!(p["status"], "VIRTUAL_ACCOUNT_ISSUED", "{p}");
        assert!(p.get("paidAt").is_none(), "{p}");
    };

    // Unknown channel.
    let (s, _) = g.notice("nope-test", FORM, good.body.clone()).await;
    assert_eq!(s, 404);
    // A channel whose adapter takes no notices (KSNET's).
    if paymux_core::registry::find("ksnet").is_some() {
        let (s, _) = g.notice("ksnet-test", FORM, good.body.clone()).await;
        assert_eq!(s, 404);
    }
    // Another PG's notice on a channel whose adapter takes notices (Galaxia's): refused.
    if paymux_core::registry::find("galaxia").is_some() {
        let (s, body) = g.notice("galaxia-test", FORM, good.body.clone()).await;
        assert_eq!(s, 400, "{body}");
    }
    // Bad signature: signed with another key.
    let forged = replace_field(
        &good.body,
        "SignValue",
        &paymux_smartro::frame::notice_sign_value(&tid, "4110", "not-the-merchant-key"),
    );
    let (s, body) = g.notice("smartro-test", FORM, forged).await;
    assert_eq!(s, 400, "{body}");
    // Garbage bytes, an empty body, JSON.
    for junk in [
        &b"\xff\xfe\x00\x01garbage\x80"[..],
        b"",
        b"{\"ResultCode\":\"4110\"}",
    ] {
        let (s, _) = g.notice("smartro-test", FORM, junk.to_vec()).await;
        assert_eq!(s, 400);
    }
    // Huge body: refused before it is read whole.
    let (s, _) = g.notice("smartro-test", FORM, vec![b'a'; 200 * 1024]).await;
    assert_eq!(s, 413);
    // Unknown payment: a correctly signed notice for a TID and order this gateway never saw.
    let stranger = smartro_notice("pmxtest01m03019999999999990000", "nosuchorder", 30_000);
    let (s, _) = g.notice("smartro-test", FORM, stranger.body).await;
    assert_eq!(s, 404);
    // The right TID but another order's id.
    let other = smartro_notice(&tid, "someoneelse", 30_000);
    let (s, _) = g.notice("smartro-test", FORM, other.body).await;
    assert_eq!(s, 400);
    // Mismatched amount (Smartro's SignValue does not cover Amt): refused and logged.
    let cheap = replace_field(&good.body, "Amt", "100");
    let (s, _) = g.notice("smartro-test", FORM, cheap).await;
    assert_eq!(s, 400);
    unchanged(&g.payment(&id).await);
    let log = g.notice_log(&id).await;
    assert_eq!(
        log.len(),
        1,
        "only the amount mismatch named the payment: {log:?}"
    );
    assert_eq!(log[0]["verdict"], "AMOUNT_MISMATCH");
    assert_eq!(log[0]["trust"], "VERIFIED");
    assert_eq!(log[0]["fields"]["SignValue"], "***");
    assert_eq!(log[0]["fields"]["Amt"], "100");
    assert!(g
        .inbox_for(&id)
        .await
        .iter()
        .all(|h| h["type"] != "Transaction.Paid"));

    // The real notice, delivered 8 times at once (a PG resending while the first is still
    // being handled): every delivery acknowledged, PAID once, one Transaction.Paid.
    let mut set = tokio::task::JoinSet::new();
    for _ in 0..8 {
        let (g, body) = (g.clone(), good.body.clone());
        set.spawn(async move { g.notice("smartro-test", FORM, body).await });
    }
    while let Some(r) = set.join_next().await {
        let (s, body) = r.unwrap();
        assert_eq!((s, body.as_str()), (200, "OK"));
    }
    let p = g.payment(&id).await;
    assert_eq!(p["status"], "PAID");
    // Replayed later: the same.
    let (s, body) = g.notice("smartro-test", FORM, good.body.clone()).await;
    assert_eq!((s, body.as_str()), (200, "OK"));
    assert_eq!(g.payment(&id).await["paidAt"], p["paidAt"]);
    let paid: Vec<Value> = g
        .inbox_for(&id)
        .await
        .into_iter()
        .filter(|h| h["type"] == "Transaction.Paid")
        .collect();
    assert_eq!(paid.len(), 1);
    let verdicts: Vec<String> = g
        .notice_log(&id)
        .await
        .iter()
        .map(|e| e["verdict"].as_str().unwrap().to_string())
        .collect();
    let count = |v: &str| verdicts.iter().filter(|x| *x == v).count();
    assert_eq!(
        (
            count("APPLIED"),
            count("DUPLICATE"),
            count("AMOUNT_MISMATCH")
        ),
        (1, 8, 1),
        "{verdicts:?}"
    );
    assert_eq!(verdicts.last().map(String::as_str), Some("AMOUNT_MISMATCH"));

    // The log output says why each was refused, never the merchant key or a signature.
    let out = logs();
    assert!(out.contains("PG notice refused"), "no refusal logged");
    assert!(out.contains("SignValue does not match"));
    assert!(!out.contains(TEST_MERCHANT_KEY));
    let sign = paymux_smartro::frame::notice_sign_value(&tid, "4110", TEST_MERCHANT_KEY);
    assert!(!out.contains(&sign), "a signature reached the logs");
    // Nor the database (the notice log keeps the masked view).
    let (s, v) = g.get("/pg-notices?limit=0").await;
    assert_eq!(
        (s, v["type"].as_str()),
        (400, Some("INVALID_REQUEST")),
        "{v}"
    );
    if let Some(path) = g.database.strip_prefix("sqlite://") {
        for f in [path.to_string(), format!("{path}-wal")] {
            let bytes = std::fs::read(&f).unwrap_or_default();
            let text = String::from_utf8_lossy(&bytes);
            assert!(!text.contains(&sign), "a signature reached {f}");
            assert!(
                !text.contains(TEST_MERCHANT_KEY),
                "the merchant key reached {f}"
            );
        }
    }
}

/// An unsigned notice is never believed: the gateway asks the PG first.
async fn unsigned_notices_are_confirmed_by_inquiry(g: Arc<Gw>) {
    let channel = format!("{}-test", unsigned::ID);
    let id = pay_id("unsigned");
    let (s, v) = g.issue_va(&id, &channel, 7_000).await;
    assert_eq!(s, 200, "{v}");
    let p = g.payment(&id).await;
    let tid = p["pgTxId"].as_str().unwrap().to_string();
    // Anyone can post this: the payer has not paid, the PG says so, nothing changes.
    let claim = smartro_notice(&tid, &id, 7_000);
    let (s, _) = g.notice(&channel, FORM, claim.body.clone()).await;
    assert_eq!(s, 400);
    let p = g.payment(&id).await;
    assert_eq!(p["status"], "VIRTUAL_ACCOUNT_ISSUED");
    let log = g.notice_log(&id).await;
    assert_eq!(log[0]["verdict"], "NOT_CONFIRMED", "{log:?}");
    assert_eq!(log[0]["trust"], "UNSIGNED");
    // The payer deposits (through the sandbox): the inquiry confirms it.
    let (s, d) = g
        .post(
            &format!("/sandbox/virtual-accounts/{id}/deposit"),
            &json!({}),
        )
        .await;
    assert_eq!(s, 200, "{d}");
    assert_eq!(d["payment"]["status"], "PAID", "{d}");
    let log = g.notice_log(&id).await;
    assert_eq!(log[0]["verdict"], "APPLIED");
    assert!(
        log[0]["detail"].as_str().unwrap().contains("inquiry"),
        "{log:?}"
    );
}

/// A signed Smartro notice with result code `code` for `tid` / `moid`.
fn smartro_status_notice(tid: &str, moid: &str, code: &str) -> Vec<u8> {
    let sign = paymux_smartro::frame::notice_sign_value(tid, code, TEST_MERCHANT_KEY);
    paymux_core::wire::form_urlencode(
        &[
            ("ResultCode", code),
            ("Tid", tid),
            ("Mid", TEST_MID),
            ("Moid", moid),
            ("SignValue", &sign),
        ],
        paymux_core::wire::Charset::Utf8,
    )
    .unwrap()
}

/// Status notices are checked by inquiry: what the PG confirms is applied, a claim it
/// contradicts changes nothing, a change paymux did not make is left to an operator.
async fn status_notices_are_checked_by_inquiry(g: Arc<Gw>) {
    let id = pay_id("status");
    assert_eq!(g.issue_va(&id, "smartro-test", 9_000).await.0, 200);
    let tid = g.payment(&id).await["pgTxId"].as_str().unwrap().to_string();
    // A cash receipt (7001) while the account waits: the PG says "awaiting deposit", nothing
    // changes, acknowledged.
    let (s, body) = g
        .notice(
            "smartro-test",
            FORM,
            smartro_status_notice(&tid, &id, "7001"),
        )
        .await;
    assert_eq!((s, body.as_str()), (200, "OK"));
    assert_eq!(g.payment(&id).await["status"], "VIRTUAL_ACCOUNT_ISSUED");
    assert_eq!(g.notice_log(&id).await[0]["verdict"], "NO_CHANGE");
    // The payer deposits at the simulator, but the deposit notice is lost; a later status
    // notice makes the gateway ask, and the PG confirms the deposit: PAID.
    let sim = g
        ._sandbox
        .depositors
        .iter()
        .find(|(k, _)| k == "smartro-test")
        .map(|(_, s)| s.clone())
        .unwrap();
    assert!(sim.deposit(&tid).is_some());
    let (s, _) = g
        .notice(
            "smartro-test",
            FORM,
            smartro_status_notice(&tid, &id, "7001"),
        )
        .await;
    assert_eq!(s, 200);
    let p = g.payment(&id).await;
    assert_eq!(p["status"], "PAID", "{p}");
    let log = g.notice_log(&id).await;
    assert_eq!(log[0]["verdict"], "APPLIED");
    assert!(log[0]["detail"].as_str().unwrap().contains("inquiry"));
    let paid: Vec<Value> = g
        .inbox_for(&id)
        .await
        .into_iter()
        .filter(|h| h["type"] == "Transaction.Paid")
        .collect();
    assert_eq!(paid.len(), 1);
    // "Already cancelled" (2013) for a payment the PG reports as paid: the claim is
    // contradicted by the inquiry, nothing changes; acknowledged and logged.
    let (s, _) = g
        .notice(
            "smartro-test",
            FORM,
            smartro_status_notice(&tid, &id, "2013"),
        )
        .await;
    assert_eq!(s, 200);
    assert_eq!(g.payment(&id).await["status"], "PAID");
    let log = g.notice_log(&id).await;
    assert_eq!(log[0]["verdict"], "NO_CHANGE");
    let detail = log[0]["detail"].as_str().unwrap();
    assert!(
        detail.contains("Cancelled") && detail.contains("Approved"),
        "{detail}"
    );
}

/// The sandbox endpoint's own refusals.
async fn sandbox_deposit_refusals(g: Arc<Gw>) {
    let (s, v) = g
        .post("/sandbox/virtual-accounts/nosuch/deposit", &json!({}))
        .await;
    assert_eq!((s, v["type"].as_str()), (404, Some("PAYMENT_NOT_FOUND")));
    // An issue Smartro refuses (it requires customer.email) leaves no payment to deposit into.
    let id = pay_id("fail");
    let mut b = va_body("smartro-test", 1000);
    b["customer"]["email"] = json!(null);
    let (s, _) = g.post(&format!("/payments/{id}/instant"), &b).await;
    assert_eq!(s, 400, "Smartro requires customer.email");
    let (s, _) = g
        .post(
            &format!("/sandbox/virtual-accounts/{id}/deposit"),
            &json!({}),
        )
        .await;
    assert_eq!(s, 404);
    // Unauthenticated: 401.
    let r = g
        .http
        .post(g.url("/sandbox/virtual-accounts/x/deposit"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 401);
    // A paid payment without a notice sent before: 409.
    let id = pay_id("twice");
    g.issue_va(&id, "smartro-test", 1000).await;
    let tid = g.payment(&id).await["pgTxId"].as_str().unwrap().to_string();
    let n = smartro_notice(&tid, &id, 1000);
    assert_eq!(g.notice("smartro-test", FORM, n.body).await.0, 200);
    let (s, v) = g
        .post(
            &format!("/sandbox/virtual-accounts/{id}/deposit"),
            &json!({}),
        )
        .await;
    assert_eq!(
        (s, v["type"].as_str()),
        (409, Some("PAYMENT_NOT_WAITING_FOR_DEPOSIT")),
        "{v}"
    );
}

// ---------------------------------------------------------------------------------------------
// Webhook history, resend, rotation

#[derive(Clone, Default)]
struct Receiver {
    fail_first: Arc<Mutex<usize>>,
    got: Arc<Mutex<Vec<(axum::http::HeaderMap, String)>>>,
}

async fn receiver() -> (Receiver, String) {
    let r = Receiver::default();
    let state = r.clone();
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |headers: axum::http::HeaderMap, body: Bytes| {
            let state = state.clone();
            async move {
                let mut fail = state.fail_first.lock().unwrap();
                if *fail > 0 {
                    *fail -= 1;
                    return StatusCode::INTERNAL_SERVER_ERROR;
                }
                state
                    .got
                    .lock()
                    .unwrap()
                    .push((headers, String::from_utf8_lossy(&body).into_owned()));
                StatusCode::OK
            }
        }),
    );
    let l = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0)))
        .await
        .unwrap();
    let addr = l.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(l, app).await;
    });
    (r, format!("http://{addr}/hook"))
}

/// How many payments `GET /payments` lists with this id and `webhookStatus`.
async fn by_webhook_status(g: &Gw, id: &str, status: &str) -> u64 {
    let body = json!({"filter": {
        "webhookStatus": status,
        "textSearch": [{"field": "PAYMENT_ID", "value": id}],
    }});
    let (s, v) = g.call(reqwest::Method::GET, "/payments", Some(&body)).await;
    assert_eq!(s, 200, "{v}");
    v["page"]["totalCount"].as_u64().unwrap()
}

async fn resend_and_history(g: Arc<Gw>) {
    let (rx, url) = receiver().await;
    *rx.fail_first.lock().unwrap() = 1;
    let id = pay_id("resend");
    let mut b = va_body("smartro-test", 5_000);
    b["noticeUrls"] = json!([url]);
    let (s, v) = g.post(&format!("/payments/{id}/instant"), &b).await;
    assert_eq!(s, 200, "{v}");
    g.gw.deliver_webhooks_once().await.unwrap();
    let p = g.payment(&id).await;
    let h = &p["webhooks"][0];
    assert_eq!(h["status"], "FAILED_NOT_OK_RESPONSE", "{p}");
    assert_eq!(h["response"]["code"], "500");
    assert_eq!(h["url"], url);
    assert_eq!(h["currentExecutionCount"], 1);
    assert_eq!(
        h["request"]["body"].as_str().map(|b| b.contains(&id)),
        Some(true)
    );
    let original = h["id"].as_str().unwrap().to_string();
    // `GET /payments` by `webhookStatus`: what `Payment.webhooks[].status` shows.
    assert_eq!(
        by_webhook_status(&g, &id, "FAILED_NOT_OK_RESPONSE").await,
        1
    );
    assert_eq!(by_webhook_status(&g, &id, "SUCCEEDED").await, 0);
    assert_eq!(
        by_webhook_status(&g, &id, "FAILED_UNEXPECTED_ERROR").await,
        0
    );
    let (s, v) = g
        .post(&format!("/payments/{id}/resend-webhook"), &json!({}))
        .await;
    assert_eq!(s, 200, "{v}");
    let w = &v["webhook"];
    assert_eq!(w["status"], "SUCCEEDED", "{v}");
    assert_eq!(w["trigger"], "MANUAL");
    assert_eq!(w["response"]["code"], "200");
    assert_ne!(w["id"], original);
    let got = rx.got.lock().unwrap().clone();
    assert_eq!(got.len(), 1);
    assert_eq!(
        got[0].1,
        h["request"]["body"].as_str().unwrap(),
        "same body"
    );
    assert_eq!(got[0].0["webhook-id"], w["id"].as_str().unwrap());
    // Any of its deliveries: the failed one and now the resent one.
    assert_eq!(by_webhook_status(&g, &id, "SUCCEEDED").await, 1);
    assert_eq!(
        by_webhook_status(&g, &id, "FAILED_NOT_OK_RESPONSE").await,
        1
    );
    let (s, v) = g
        .call(
            reqwest::Method::GET,
            "/payments",
            Some(&json!({"filter": {"webhookStatus": "FAILED"}})),
        )
        .await;
    assert_eq!(
        (s, v["type"].as_str()),
        (400, Some("INVALID_REQUEST")),
        "{v}"
    );
    assert!(
        v["message"]
            .as_str()
            .unwrap()
            .starts_with("filter.webhookStatus"),
        "{v}"
    );

    // Errors as PortOne's schema lists them.
    let (s, v) = g.post("/payments/nosuch/resend-webhook", &json!({})).await;
    assert_eq!((s, v["type"].as_str()), (404, Some("PAYMENT_NOT_FOUND")));
    let (s, v) = g
        .post(
            &format!("/payments/{id}/resend-webhook"),
            &json!({"webhookId": "whmsg_nope"}),
        )
        .await;
    assert_eq!((s, v["type"].as_str()), (404, Some("WEBHOOK_NOT_FOUND")));
    let (s, v) = g
        .post(
            &format!("/payments/{id}/resend-webhook"),
            &json!({"storeId": "another-store"}),
        )
        .await;
    assert_eq!((s, v["type"].as_str()), (404, Some("PAYMENT_NOT_FOUND")));
    let (s, v) = g
        .post(
            &format!("/payments/{id}/resend-webhook"),
            &json!({"webhookID": "x"}),
        )
        .await;
    assert_eq!(
        (s, v["type"].as_str()),
        (400, Some("INVALID_REQUEST")),
        "{v}"
    );
    // Five resends of one webhook at most (the first one above counts).
    for _ in 0..4 {
        let (s, v) = g
            .post(
                &format!("/payments/{id}/resend-webhook"),
                &json!({"webhookId": original}),
            )
            .await;
        assert_eq!(s, 200, "{v}");
    }
    let (s, v) = g
        .post(
            &format!("/payments/{id}/resend-webhook"),
            &json!({"webhookId": original}),
        )
        .await;
    assert_eq!(
        (s, v["type"].as_str()),
        (400, Some("MAX_WEBHOOK_RETRY_COUNT_REACHED"))
    );
    let p = g.payment(&id).await;
    assert_eq!(p["webhooks"].as_array().unwrap().len(), 6);
    // A payment without webhooks has no `webhooks`.
    let quiet = pay_id("quiet");
    let mut b = va_body("smartro-test", 5_000);
    b["skipWebhook"] = json!(true);
    assert_eq!(
        g.post(&format!("/payments/{quiet}/instant"), &b).await.0,
        200
    );
    assert!(g.payment(&quiet).await.get("webhooks").is_none());
    let (s, v) = g
        .post(&format!("/payments/{quiet}/resend-webhook"), &json!({}))
        .await;
    assert_eq!((s, v["type"].as_str()), (404, Some("WEBHOOK_NOT_FOUND")));
}

fn verify(secret: &str, id: &str, ts: &str, body: &str, sig: &str) -> bool {
    let key = base64::engine::general_purpose::STANDARD
        .decode(secret.trim_start_matches("whsec_"))
        .unwrap();
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).unwrap();
    mac.update(format!("{id}.{ts}.{body}").as_bytes());
    let want = format!(
        "v1,{}",
        base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
    );
    want == sig
}

async fn rotation_signs_with_both_secrets(g: Arc<Gw>) {
    let id = pay_id("rotate");
    assert_eq!(g.issue_va(&id, "smartro-test", 2_000).await.0, 200);
    let hooks = g.inbox_for(&id).await;
    let h = &hooks[0]["headers"];
    let sigs: Vec<&str> = h["webhook-signature"]
        .as_str()
        .unwrap()
        .split(' ')
        .collect();
    assert_eq!(sigs.len(), 2, "{h}");
    let (wid, ts) = (
        h["webhook-id"].as_str().unwrap(),
        h["webhook-timestamp"].as_str().unwrap(),
    );
    let body = hooks[0]["rawBody"].as_str().unwrap();
    assert!(
        verify(WEBHOOK_SECRET, wid, ts, body, sigs[0]),
        "current secret first"
    );
    assert!(
        verify(OLD_WEBHOOK_SECRET, wid, ts, body, sigs[1]),
        "previous secret second"
    );
    assert!(!verify(OLD_WEBHOOK_SECRET, wid, ts, body, sigs[0]));
}

/// A billing key an interrupted issue left `ISSUING` becomes `FAILED` (with
/// `BillingKey.Failed`) once nothing can complete it; a key whose window is still open, and a
/// fresh one, are left alone.
async fn stale_issuing_keys_are_settled(g: Arc<Gw>) {
    use sqlx::Connection;
    let mut db = sqlx::SqliteConnection::connect(&g.database).await.unwrap();
    let old = chrono::Utc::now().timestamp_micros() - 3_600_000_000;
    let fresh = chrono::Utc::now().timestamp_micros();
    for (key, at) in [
        ("billing-key-interrupted", old),
        ("billing-key-window", old),
        ("billing-key-fresh", fresh),
    ] {
        // What `POST /billing-keys` writes before calling the PGs (the gateway died there).
        sqlx::query(
            "INSERT INTO billing_keys (billing_key, store_id, status, requested_at, updated_at) \
             VALUES ($1, 'store-test', 'ISSUING', $2, $2)",
        )
        .bind(key)
        .bind(at)
        .execute(&mut db)
        .await
        .unwrap();
    }
    // A billing-key window still open for the customer.
    sqlx::query(
        "INSERT INTO checkout_sessions (id, kind, status, store_id, billing_key, order_id, channel_key, method, \
         amount_total, order_date, window_url, window_charset, window_form, created_at, expires_at, updated_at) \
         VALUES ('cs_open', 'ISSUE_BILLING_KEY', 'OPEN', 'store-test', 'billing-key-window', 'issue-1', 'smartro-test', \
         'CARD', 0, '20260101000000', 'http://x', 'UTF-8', '', $1, $2, $1)",
    )
    .bind(old)
    .bind(fresh + 3_600_000_000)
    .execute(&mut db)
    .await
    .unwrap();
    let report = g.gw.reconcile_once().await.unwrap();
    assert_eq!(report.resolved, 1, "{report:?}");
    let status = |k: &'static str| {
        let url = g.database.clone();
        async move {
            let mut db = sqlx::SqliteConnection::connect(&url).await.unwrap();
            let (s,): (String,) =
                sqlx::query_as("SELECT status FROM billing_keys WHERE billing_key = $1")
                    .bind(k)
                    .fetch_one(&mut db)
                    .await
                    .unwrap();
            s
        }
    };
    assert_eq!(status("billing-key-interrupted").await, "FAILED");
    assert_eq!(status("billing-key-window").await, "ISSUING");
    assert_eq!(status("billing-key-fresh").await, "ISSUING");
    g.gw.deliver_webhooks_once().await.unwrap();
    let (_, v) = g.get("/sandbox/webhooks").await;
    let failed: Vec<&Value> = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|w| w["type"] == "BillingKey.Failed")
        .collect();
    assert_eq!(failed.len(), 1, "{v}");
    assert_eq!(
        failed[0]["body"]["data"]["billingKey"],
        "billing-key-interrupted"
    );
    // A second pass changes nothing.
    assert_eq!(g.gw.reconcile_once().await.unwrap().resolved, 0);
}

// ---------------------------------------------------------------------------------------------
// Tests

macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            use super::*;
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn sqlite() {
                on(Backend::Sqlite, super::$name).await
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn postgres() {
                on(Backend::Postgres, super::$name).await
            }
        }
    )*};
}

on_both_backends!(
    closing_virtual_accounts,
    deposits_on_every_adapter,
    hostile_notices,
    unsigned_notices_are_confirmed_by_inquiry,
    status_notices_are_checked_by_inquiry,
    resend_and_history,
);

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sandbox_deposit_refuses_what_takes_no_deposit() {
    on(Backend::Sqlite, sandbox_deposit_refusals).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn interrupted_billing_key_issues_are_settled() {
    on(Backend::Sqlite, stale_issuing_keys_are_settled).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn webhook_secret_rotation() {
    on_with(
        Backend::Sqlite,
        |o| o.webhook_previous_secret = Some(OLD_WEBHOOK_SECRET.into()),
        rotation_signs_with_both_secrets,
    )
    .await
}

#[tokio::test]
async fn rotation_is_configured_in_the_file_and_checked_at_start() {
    let f = FileConfig::from_toml(&format!(
        "webhook_secret = \"{WEBHOOK_SECRET}\"\n[webhooks]\nprevious_secret = \"{OLD_WEBHOOK_SECRET}\"\n"
    ))
    .unwrap();
    let mut o = GatewayOptions::from_file(&f).unwrap();
    assert_eq!(
        o.webhook_previous_secret.as_deref(),
        Some(OLD_WEBHOOK_SECRET)
    );
    o.listen = "127.0.0.1:0".into();
    o.webhook_previous_secret = Some("whsec_!!not base64!!".into());
    let dir = std::env::temp_dir().join(format!("paymux-rot-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    o.database = format!("sqlite://{}", dir.join("x.sqlite").display());
    let err = paymux_gateway::start(o)
        .await
        .err()
        .expect("a bad previous secret is refused");
    let msg = err.to_string();
    assert!(msg.contains("previous_secret"), "{msg}");
    assert!(
        !msg.contains("!!not base64!!"),
        "the secret is not echoed: {msg}"
    );
    let _ = std::fs::remove_dir_all(dir);
}
