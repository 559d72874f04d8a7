//! Harness of the checkout tests: a gateway on 127.0.0.1:0 (SQLite temp file or a PostgreSQL
//! schema of its own), Galaxia's simulator (telegrams and the payment window on one port),
//! Smartro's simulator (API and payment window on one port; channel `smartro-a`), the
//! `testwin` simulator, and a webhook receiver.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode};
use paymux_core::simulator::{Simulator, SimulatorHandle};
use paymux_galaxia::GalaxiaSimulator;
use paymux_gateway::config::{FileConfig, Tuning};
use paymux_gateway::{GatewayOptions, RunningGateway};
use paymux_smartro::SmartroSimulator;
use serde_json::{json, Value};
use sqlx::Connection;

use crate::testwin::TestWinSim;

pub const API_SECRET: &str = "checkout-test-secret-0123456789";
pub const WEBHOOK_SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
/// Galaxia + testwin, 50/50.
pub const GROUP_MIXED: &str = "channel-group-test-0d0d0d0d-0000-4000-8000-000000000004";
/// Two Galaxia channels, 50/50.
pub const GROUP_GALAXIA: &str = "channel-group-test-0e0e0e0e-0000-4000-8000-000000000005";
/// Where the tests pretend the merchant's result page is.
pub const REDIRECT_URL: &str = "https://shop.example/checkout/done";

pub use crate::test_db::Backend;
use crate::test_db::{self, Cleanup};

/// Everything the gateway logged in this test binary.
pub fn logs() -> String {
    String::from_utf8_lossy(&log_buffer().lock().unwrap()).into_owned()
}

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

/// The webhook receiver.
#[derive(Clone, Default)]
pub struct Receiver {
    pub got: Arc<Mutex<Vec<String>>>,
    pub url: String,
    /// A stand-in for the merchant's result page (`redirectUrl` in the browser run).
    pub shop_url: String,
}

impl Receiver {
    async fn start() -> Receiver {
        let mut r = Receiver::default();
        let state = r.clone();
        let app = axum::Router::new()
            .route(
                "/hook",
                axum::routing::post(move |_h: HeaderMap, body: Bytes| {
                    let state = state.clone();
                    async move {
                        state
                            .got
                            .lock()
                            .unwrap()
                            .push(String::from_utf8_lossy(&body).into_owned());
                        StatusCode::OK
                    }
                }),
            )
            .route(
                "/shop/done",
                axum::routing::get(|| async {
                    axum::response::Html(
                        "<!doctype html><title>shop</title><h1 id=\"done\">주문 완료</h1>",
                    )
                }),
            );
        let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = l.local_addr().unwrap();
        tokio::spawn(async move {
            let _ = axum::serve(l, app).await;
        });
        r.url = format!("http://{addr}/hook");
        r.shop_url = format!("http://{addr}/shop/done");
        r
    }

    /// Every event received, as JSON.
    pub fn events(&self) -> Vec<Value> {
        self.got
            .lock()
            .unwrap()
            .iter()
            .filter_map(|b| serde_json::from_str(b).ok())
            .collect()
    }

    /// The event types received for one payment or billing key, in the order the events
    /// happened (their `timestamp`; deliveries themselves run concurrently).
    pub fn types_for(&self, id: &str) -> Vec<String> {
        let mut events: Vec<Value> = self
            .events()
            .into_iter()
            .filter(|e| e["data"]["paymentId"] == id || e["data"]["billingKey"] == id)
            .collect();
        events.sort_by(|a, b| {
            a["timestamp"]
                .as_str()
                .unwrap_or_default()
                .cmp(b["timestamp"].as_str().unwrap_or_default())
        });
        events
            .iter()
            .filter_map(|e| e["type"].as_str().map(str::to_string))
            .collect()
    }
}

pub struct Harness {
    pub gw: RunningGateway,
    pub galaxia: Arc<GalaxiaSimulator>,
    pub smartro: Arc<SmartroSimulator>,
    pub testwin: Arc<TestWinSim>,
    _sims: Vec<SimulatorHandle>,
    pub http: reqwest::Client,
    pub hooks: Receiver,
    pub database_url: String,
    cleanup: Cleanup,
}

/// Test tuning: short PG timeouts, immediate retries, workers run by hand.
pub fn test_tuning() -> Tuning {
    let mut t = Tuning::from_file(&FileConfig::empty());
    t.connect_timeout = Duration::from_millis(1000);
    t.read_timeout = Duration::from_millis(1500);
    t.read_timeout_overrides_adapter = true;
    t.reconcile_retry_base = Duration::ZERO;
    t.not_found_grace = Duration::ZERO;
    t.webhook_backoff_base = Duration::ZERO;
    t.webhook_timeout = Duration::from_secs(5);
    t
}

impl Harness {
    /// Start on `backend`; `None` (after a loud notice; a failure under `CI`) when PostgreSQL
    /// is unreachable.
    pub async fn start_with(
        backend: Backend,
        tweak: impl FnOnce(&mut GatewayOptions),
    ) -> Option<Harness> {
        init_logs();
        let (database_url, cleanup) = test_db::create(backend, "co").await?;
        let galaxia = Arc::new(GalaxiaSimulator::default().with_late_delay(Duration::from_secs(3)));
        let g_handle = galaxia
            .clone()
            .start(SocketAddr::from(([127, 0, 0, 1], 0)))
            .await
            .unwrap();
        let smartro = Arc::new(SmartroSimulator::default());
        let s_handle = smartro
            .clone()
            .start(SocketAddr::from(([127, 0, 0, 1], 0)))
            .await
            .unwrap();
        let testwin = Arc::new(TestWinSim::new(crate::testwin::TESTWIN));
        let t_handle = testwin
            .clone()
            .start(SocketAddr::from(([127, 0, 0, 1], 0)))
            .await
            .unwrap();
        let hooks = Receiver::start().await;
        let g_ep = g_handle.endpoint();
        let channels = vec![
            galaxia.sandbox_channel("galaxia-a", &g_ep),
            galaxia.sandbox_channel("galaxia-b", &g_ep),
            smartro.sandbox_channel("smartro-a", &s_handle.endpoint()),
            testwin.sandbox_channel("testwin-a", &t_handle.endpoint()),
        ];
        let mut opts = GatewayOptions {
            listen: "127.0.0.1:0".into(),
            database: database_url.clone(),
            api_secret: API_SECRET.into(),
            webhook_secret: WEBHOOK_SECRET.into(),
            webhook_previous_secret: None,
            webhook_url: Some(hooks.url.clone()),
            merchant_id: "merchant-test".into(),
            store_id: "store-test".into(),
            tuning: test_tuning(),
            channels,
            channel_groups: vec![
                json!({"id": GROUP_MIXED, "name": "galaxia/testwin", "isForTest": true, "channels": [
                    {"channelKey": "galaxia-a", "weight": 50}, {"channelKey": "testwin-a", "weight": 50}]}),
                json!({"id": GROUP_GALAXIA, "name": "galaxia a/b", "isForTest": true, "channels": [
                    {"channelKey": "galaxia-a", "weight": 50}, {"channelKey": "galaxia-b", "weight": 50}]}),
            ],
            background_workers: false,
            public_url: None,
            browser_stores: Vec::new(),
            operator_secret: None,
        };
        tweak(&mut opts);
        let gw = paymux_gateway::start(opts).await.unwrap();
        Some(Harness {
            gw,
            galaxia,
            smartro,
            testwin,
            _sims: vec![g_handle, s_handle, t_handle],
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            hooks,
            database_url,
            cleanup,
        })
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.gw.base_url)
    }

    /// An authenticated API call.
    pub async fn api(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<&Value>,
    ) -> (StatusCode, Value) {
        let mut rb = self
            .http
            .request(method, self.url(path))
            .header("authorization", format!("PortOne {API_SECRET}"));
        if let Some(b) = body {
            rb = rb.json(b);
        }
        let resp = rb.send().await.unwrap();
        let status = StatusCode::from_u16(resp.status().as_u16()).unwrap();
        let text = resp.text().await.unwrap();
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }

    pub async fn post(&self, path: &str, body: &Value) -> (StatusCode, Value) {
        self.api(reqwest::Method::POST, path, Some(body)).await
    }

    pub async fn get(&self, path: &str) -> (StatusCode, Value) {
        self.api(reqwest::Method::GET, path, None).await
    }

    /// Create a session; panics unless 200.
    pub async fn session(&self, body: &Value) -> Value {
        let (s, v) = self.post("/checkout/sessions", body).await;
        assert_eq!(s, StatusCode::OK, "{v}");
        v
    }

    /// Deliver due webhooks (workers are run by hand).
    pub async fn flush_webhooks(&self) {
        for _ in 0..3 {
            self.gw.deliver_webhooks_once().await.unwrap();
        }
    }

    /// Every stored row of every table, as text (SQLite: the raw files).
    pub async fn dump(&self) -> String {
        let tables = [
            "payments",
            "billing_keys",
            "billing_key_channels",
            "checkout_sessions",
            "webhook_outbox",
        ];
        let mut out = String::new();
        match &self.cleanup {
            Cleanup::Schema { .. } => {
                let mut conn = sqlx::PgConnection::connect(&self.database_url)
                    .await
                    .unwrap();
                for t in tables {
                    let rows: Vec<(Option<String>,)> =
                        sqlx::query_as(&format!("SELECT t::text FROM {t} t"))
                            .fetch_all(&mut conn)
                            .await
                            .unwrap();
                    for (r,) in rows {
                        out.push_str(&r.unwrap_or_default());
                        out.push('\n');
                    }
                }
            }
            Cleanup::Dir(dir) => {
                for f in ["gw.sqlite", "gw.sqlite-wal"] {
                    if let Ok(b) = std::fs::read(dir.join(f)) {
                        out.push_str(&String::from_utf8_lossy(&b));
                    }
                }
            }
        }
        out
    }

    pub async fn finish(self) {
        let Harness { gw, cleanup, .. } = self;
        gw.shutdown().await;
        test_db::remove(cleanup).await;
    }
}

/// Run `scenario` against a fresh harness, cleaning up even when it panics.
pub async fn run_with<F, Fut>(
    backend: Backend,
    tweak: impl FnOnce(&mut GatewayOptions),
    scenario: F,
) where
    F: FnOnce(Arc<Harness>) -> Fut + Send + 'static,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    let Some(h) = Harness::start_with(backend, tweak).await else {
        return;
    };
    let h = Arc::new(h);
    let r = tokio::spawn(scenario(h.clone())).await;
    match Arc::try_unwrap(h) {
        Ok(h) => h.finish().await,
        Err(_) => eprintln!("harness still shared; not cleaned up"),
    }
    if let Err(e) = r {
        if e.is_panic() {
            std::panic::resume_unwind(e.into_panic());
        }
        panic!("scenario failed: {e}");
    }
}

/// A unique id for this run.
pub fn uid(prefix: &str) -> String {
    format!(
        "{prefix}-{}",
        &uuid::Uuid::new_v4().simple().to_string()[..12]
    )
}

/// The customer every window request sends (smart routing needs name, phone and e-mail).
pub fn customer() -> Value {
    json!({"customerId": "cust-1", "fullName": "홍길동", "phoneNumber": "010-1234-5678", "email": "buyer@example.com"})
}

/// A `requestPayment` body.
pub fn payment(channel: (&str, &str), payment_id: &str, method: &str, amount: i64) -> Value {
    let mut b = json!({
        "storeId": "store-test",
        "paymentId": payment_id,
        "orderName": "테스트 주문",
        "totalAmount": amount,
        "currency": "CURRENCY_KRW",
        "payMethod": method,
        "customer": customer(),
        "redirectUrl": REDIRECT_URL,
    });
    b[channel.0] = json!(channel.1);
    if method == "VIRTUAL_ACCOUNT" {
        let due = (chrono::Utc::now() + chrono::Duration::days(3)).format("%Y-%m-%d");
        b["virtualAccount"] = json!({"accountExpiry": {"dueDate": due.to_string()}});
    }
    if method == "MOBILE" {
        b["productType"] = json!("DIGITAL");
    }
    b
}

/// A `requestIssueBillingKey` body (card).
pub fn issue_billing_key(channel_key: &str, issue_id: &str) -> Value {
    json!({
        "kind": "ISSUE_BILLING_KEY",
        "storeId": "store-test",
        "channelKey": channel_key,
        "billingKeyMethod": "CARD",
        "issueId": issue_id,
        "issueName": "월간 구독",
        "displayAmount": 1000,
        "currency": "KRW",
        "customer": customer(),
        "redirectUrl": REDIRECT_URL,
    })
}

/// A `requestIssueBillingKeyAndPay` body (mobile).
pub fn billing_key_and_pay(channel_key: &str, payment_id: &str, amount: i64) -> Value {
    json!({
        "kind": "ISSUE_BILLING_KEY_AND_PAY",
        "storeId": "store-test",
        "channelKey": channel_key,
        "billingKeyAndPayMethod": "MOBILE",
        "paymentId": payment_id,
        "orderName": "휴대폰 정기결제",
        "totalAmount": amount,
        "currency": "KRW",
        "productType": "DIGITAL",
        "customer": customer(),
        "redirectUrl": REDIRECT_URL,
    })
}
