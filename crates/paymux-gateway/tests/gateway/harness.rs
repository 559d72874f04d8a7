//! Test harness: a gateway on 127.0.0.1:0 over SQLite (temp file) or PostgreSQL (a schema of
//! its own in the `test` database), the fake simulator, a webhook receiver, and captured logs.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode};
use paymux_core::simulator::{Simulator, SimulatorHandle};
use paymux_gateway::config::{FileConfig, Tuning};
use paymux_gateway::{GatewayOptions, RunningGateway};
use serde_json::{json, Value};
use sqlx::Connection;

use crate::fake::{self, FakeSim};

pub const API_SECRET: &str = "test-api-secret-0123456789";
pub const WEBHOOK_SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
pub const GROUP_AB: &str = "channel-group-test-0a0a0a0a-0000-4000-8000-000000000001";
pub const GROUP_WITH_BAD: &str = "channel-group-test-0b0b0b0b-0000-4000-8000-000000000002";
pub const GROUP_FAILOVER: &str = "channel-group-test-0c0c0c0c-0000-4000-8000-000000000003";

/// A card every simulator approves.
pub const CARD_OK: &str = "4111111111111111";
pub const CARD_DECLINED: &str = "4111111111110002";
pub const CARD_LATE: &str = "4111111111110098";
pub const CARD_DROP: &str = "4111111111110099";
pub const BIRTH: &str = "880229";

pub use crate::test_db::Backend;
use crate::test_db::{self, Cleanup};

/// Everything the gateway logged in this test binary.
pub fn logs() -> String {
    let buf = log_buffer().lock().unwrap();
    String::from_utf8_lossy(&buf).into_owned()
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
                "info,paymux_gateway=debug,paymux_core=debug,paymux_routing=debug",
            ))
            .with_ansi(false)
            .with_writer(move || LogWriter(buf.clone()))
            .try_init();
    });
}

/// What the webhook receiver got.
#[derive(Debug, Clone)]
pub struct Received {
    pub headers: HeaderMap,
    pub body: String,
}

#[derive(Clone, Default)]
pub struct Receiver {
    pub got: Arc<Mutex<Vec<Received>>>,
    /// Answer 500 to this many deliveries first.
    pub fail_first: Arc<Mutex<usize>>,
    pub url: String,
}

impl Receiver {
    async fn start() -> Receiver {
        let mut r = Receiver::default();
        let state = r.clone();
        let app = axum::Router::new().route(
            "/hook",
            axum::routing::post(move |headers: HeaderMap, body: Bytes| {
                let state = state.clone();
                async move {
                    let mut fail = state.fail_first.lock().unwrap();
                    if *fail > 0 {
                        *fail -= 1;
                        return StatusCode::INTERNAL_SERVER_ERROR;
                    }
                    state.got.lock().unwrap().push(Received {
                        headers,
                        body: String::from_utf8_lossy(&body).into_owned(),
                    });
                    StatusCode::OK
                }
            }),
        );
        let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = l.local_addr().unwrap();
        tokio::spawn(async move {
            let _ = axum::serve(l, app).await;
        });
        r.url = format!("http://{addr}/hook");
        r
    }

    pub fn events(&self) -> Vec<Value> {
        self.got
            .lock()
            .unwrap()
            .iter()
            .map(|r| serde_json::from_str(&r.body).unwrap())
            .collect()
    }
}

pub struct Harness {
    pub gw: RunningGateway,
    pub sim: Arc<FakeSim>,
    _sim_handle: SimulatorHandle,
    pub http: reqwest::Client,
    pub hooks: Receiver,
    pub backend: Backend,
    pub database_url: String,
    cleanup: Cleanup,
}

/// Tuning for tests: short PG read timeout (the simulator's late answers come after it),
/// immediate reconcile retries, workers run by hand.
pub fn test_tuning() -> Tuning {
    let mut t = Tuning::from_file(&FileConfig::empty());
    t.connect_timeout = Duration::from_millis(1000);
    t.read_timeout = Duration::from_millis(1000);
    t.read_timeout_overrides_adapter = true;
    t.reconcile_retry_base = Duration::ZERO;
    t.not_found_grace = Duration::ZERO;
    t.webhook_backoff_base = Duration::ZERO;
    t.webhook_timeout = Duration::from_secs(5);
    t
}

impl Harness {
    /// Start on `backend`. `None` (after a loud notice) when PostgreSQL is unreachable.
    pub async fn start_with(
        backend: Backend,
        tweak: impl FnOnce(&mut GatewayOptions),
    ) -> Option<Harness> {
        init_logs();
        let (database_url, cleanup) = test_db::create(backend, "gw").await?;
        let sim = Arc::new(FakeSim::default());
        let handle = sim
            .clone()
            .start(SocketAddr::from(([127, 0, 0, 1], 0)))
            .await
            .unwrap();
        let ep = handle.endpoint();
        let hooks = Receiver::start().await;
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
            channels: vec![
                fake::channel("fake-a", &ep, fake::MID),
                fake::channel("fake-b", &ep, fake::MID),
                fake::channel("fake-bad", &ep, "WRONG-MID"),
            ],
            channel_groups: vec![
                json!({"id": GROUP_AB, "name": "a/b", "isForTest": true, "channels": [
                    {"channelKey": "fake-a", "weight": 50}, {"channelKey": "fake-b", "weight": 50}]}),
                json!({"id": GROUP_WITH_BAD, "name": "with a bad channel", "isForTest": true, "channels": [
                    {"channelKey": "fake-a", "weight": 50}, {"channelKey": "fake-bad", "weight": 50}]}),
                json!({"id": GROUP_FAILOVER, "name": "failover", "isForTest": true, "failover": true, "channels": [
                    {"channelKey": "fake-bad", "weight": 50}, {"channelKey": "fake-a", "weight": 50}]}),
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
            sim,
            _sim_handle: handle,
            http: reqwest::Client::new(),
            hooks,
            backend,
            database_url,
            cleanup,
        })
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.gw.base_url)
    }

    pub async fn send(
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
        let v = serde_json::from_str(&text).unwrap_or(Value::String(text));
        (status, v)
    }

    pub async fn post(&self, path: &str, body: &Value) -> (StatusCode, Value) {
        self.send(reqwest::Method::POST, path, Some(body)).await
    }

    pub async fn get(&self, path: &str) -> (StatusCode, Value) {
        self.send(reqwest::Method::GET, path, None).await
    }

    pub async fn delete(&self, path: &str, body: Option<&Value>) -> (StatusCode, Value) {
        self.send(reqwest::Method::DELETE, path, body).await
    }

    /// Every stored row of every table, as text.
    pub async fn dump(&self) -> String {
        let tables = [
            "payments",
            "cancellations",
            "billing_keys",
            "billing_key_channels",
            "payment_schedules",
            "channel_groups",
            "webhook_outbox",
            "cash_receipts",
            "attempt_wire",
        ];
        let mut out = String::new();
        match self.backend {
            Backend::Postgres => {
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
            Backend::Sqlite => {
                // The raw files: the database and its write-ahead log.
                if let Cleanup::Dir(dir) = &self.cleanup {
                    // And the diagnostics file beside it (wire views, routing events).
                    for f in [
                        "gw.sqlite",
                        "gw.sqlite-wal",
                        "gw.diagnostics.sqlite",
                        "gw.diagnostics.sqlite-wal",
                    ] {
                        if let Ok(b) = std::fs::read(dir.join(f)) {
                            out.push_str(&String::from_utf8_lossy(&b));
                        }
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

/// A keyed-in card payment body.
pub fn instant_body(channel: (&str, &str), card: &str, total: i64) -> Value {
    let mut b = json!({
        "orderName": "test order",
        "amount": {"total": total},
        "currency": "KRW",
        "customer": {"id": "cust-1", "name": {"full": "홍길동"}, "birthYear": "1988", "birthMonth": "02", "birthDay": "29"},
        "method": {"card": {"credential": {
            "number": card, "expiryYear": "29", "expiryMonth": "12",
            "birthOrBusinessRegistrationNumber": BIRTH, "passwordTwoDigits": "42"
        }}},
    });
    b[channel.0] = json!(channel.1);
    b
}

/// A billing-key issue body.
pub fn issue_body(channel: (&str, &str), card: &str) -> Value {
    let mut b = json!({
        "customer": {"id": "cust-1"},
        "method": {"card": {"credential": {
            "number": card, "expiryYear": "29", "expiryMonth": "12",
            "birthOrBusinessRegistrationNumber": BIRTH, "passwordTwoDigits": "42"
        }}},
    });
    b[channel.0] = json!(channel.1);
    b
}

/// Run `scenario` against a fresh harness on `backend`, cleaning up even if it panics.
pub async fn run<F, Fut>(backend: Backend, scenario: F)
where
    F: FnOnce(Arc<Harness>) -> Fut + Send + 'static,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    run_with(backend, |_| {}, scenario).await
}

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
