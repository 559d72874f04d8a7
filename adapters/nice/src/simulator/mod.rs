//! A NICE Pay simulator: the kit's HTTP server ([`paymux_core::simulator::server`], one
//! request per connection, so test cards can drop connections and answer late) serving the
//! start API's paths ([`crate::protocol::path`]) with a [`Ledger`] of payments, cancels,
//! balances, billing keys and window authorizations.
//!
//! - Every API call must carry `Authorization: Basic base64(clientKey:secretKey)` of the
//!   known merchant (else HTTP 401, `U304`); `signData` is checked against the manual's
//!   formula (a wrong one: `U312`); `encData` must decrypt under the secret key in the mode
//!   `encMode` names (else `U314`); malformed input gets an error answer (`P007`, `U125`),
//!   never a crash. Bodies are capped at [`paymux_core::simulator::http::MAX_BODY`].
//! - Answers are the manual's payment object, signed with `signature = hex(sha256(tid +
//!   amount + ediDate + SecretKey))`.
//! - Test cards (billing-key charges, card windows at approval): `…0002` declined (`3095`),
//!   `…0051` insufficient funds (`3099`, the simulator's own code), `…0098` approved and
//!   recorded but answered after [`NiceSimulator::late_delay`], `…0099` connection closed and
//!   nothing recorded. At billing-key issue (no money moves) only `…0002` and `…0099` apply.
//! - The payment window ([`window`]): `POST /window` takes the `requestPay` form, shows card
//!   or bank entry with `#pay` / `#cancel`, and posts the auth result to `returnUrl`.
//! - Cash receipts ([`receipts`]): `POST /v1/receipt`, `POST /v1/receipt/{tid}/cancel`,
//!   `GET /v1/receipt/{tid}`; the identity number's last four digits pick the behaviour as
//!   a test card's do (`…0002` refused `7010`, `…0098` issued and answered late, `…0099`
//!   dropped, nothing recorded).
//! - Test-only endpoints: [`handlers::WINDOW_PATH`] (the form plus `cardNumber` → the auth
//!   result as JSON), [`handlers::DEPOSIT_PATH`] (`{"tid"}`: the payer deposits).
//! - The merchant: NICE's published sandbox keys ([`TEST_CLIENT_KEY`], [`TEST_SECRET_KEY`]).

pub mod handlers;
pub mod receipts;
pub mod window;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use paymux_core::adapter::kst;
use paymux_core::channel::{ChannelContext, Environment};
use paymux_core::secret::Secret;
use paymux_core::simulator::http::{HttpError, Response};
use paymux_core::simulator::server::{self, Incoming};
use paymux_core::simulator::{LedgerEntry, Notice, Simulator, SimulatorHandle};
use tokio::io::{AsyncRead, AsyncWrite};

pub use handlers::{handle, Ledger, Reply};

/// NICE's published sandbox client key (`nicepay-manual` README.md, Basic auth example).
pub const TEST_CLIENT_KEY: &str = "S2_af4543a0be4d49a98122e01ec2059a56";
/// NICE's published sandbox secret key (same place).
pub const TEST_SECRET_KEY: &str = "9eb85607103646da9f9c02b128f2e5ee";
/// The simulator's MID, the head of its tids (the manual's example tids use `nictest00m`).
pub const TEST_MID: &str = "nictest00m";

/// The secret key of a known client key.
pub fn secret_key(client_key: &str) -> Option<&'static str> {
    (client_key == TEST_CLIENT_KEY).then_some(TEST_SECRET_KEY)
}

/// The simulator. Cloning shares the ledger.
#[derive(Clone)]
pub struct NiceSimulator {
    ledger: Arc<Mutex<Ledger>>,
    late_delay: Duration,
}

impl Default for NiceSimulator {
    fn default() -> Self {
        NiceSimulator {
            ledger: Arc::default(),
            late_delay: Duration::from_secs(3),
        }
    }
}

impl NiceSimulator {
    /// How long a `…0098` approval waits before answering (default 3 s).
    pub fn with_late_delay(mut self, delay: Duration) -> Self {
        self.late_delay = delay;
        self
    }

    /// The configured late-answer delay.
    pub fn late_delay(&self) -> Duration {
        self.late_delay
    }

    /// Run `f` on the ledger.
    pub fn with_ledger<T>(&self, f: impl FnOnce(&mut Ledger) -> T) -> T {
        // A poisoned lock means a handler panicked; the books are still the best we have.
        let mut guard = self.ledger.lock().unwrap_or_else(|p| p.into_inner());
        f(&mut guard)
    }

    async fn serve<S: AsyncRead + AsyncWrite + Unpin>(&self, mut stream: S) {
        let reply = match server::read_incoming(&mut stream, None).await {
            None | Some(Incoming::Telegram(_)) | Some(Incoming::Http(Err(HttpError::Closed))) => {
                return
            }
            Some(Incoming::Http(Err(HttpError::Refused(status, why)))) => {
                Reply::Answer(status, handlers::error_body("U125", why))
            }
            Some(Incoming::Http(Ok(req))) => {
                let now = chrono::Utc::now().with_timezone(&kst());
                self.with_ledger(|l| handle(l, &req, &now))
            }
        };
        if matches!(reply, Reply::Drop) {
            tracing::debug!("nice simulator: test card …0099, closing without an answer");
        }
        let reply = match reply {
            Reply::Answer(status, body) => server::Reply::Answer(Response::json(status, body)),
            Reply::AnswerLate(status, body) => {
                server::Reply::AnswerLate(Response::json(status, body))
            }
            Reply::Page(status, page) => server::Reply::Answer(Response::html(status, page)),
            Reply::Drop => server::Reply::Drop,
        };
        server::deliver(&mut stream, reply, self.late_delay, |r| r.to_bytes()).await;
    }
}

#[async_trait]
impl Simulator for NiceSimulator {
    fn adapter_id(&self) -> &'static str {
        crate::ADAPTER_ID
    }

    async fn start(self: Arc<Self>, addr: SocketAddr) -> std::io::Result<SimulatorHandle> {
        server::listen(addr, move |stream| {
            let sim = Arc::clone(&self);
            async move { sim.serve(stream).await }
        })
        .await
    }

    /// A test channel with NICE's published sandbox keys; a bare `host:port` endpoint (what a
    /// handle reports) becomes `http://host:port`, an empty one leaves NICE's sandbox host.
    fn sandbox_channel(&self, key: &str, endpoint: &str) -> ChannelContext {
        let secret = |s: &str| Secret::new(s.to_string());
        let endpoint = endpoint.trim();
        ChannelContext {
            key: key.to_string(),
            adapter: crate::ADAPTER_ID.to_string(),
            environment: Environment::Test,
            name: None,
            endpoint: (!endpoint.is_empty()).then(|| {
                if endpoint.contains("://") {
                    endpoint.to_string()
                } else {
                    format!("http://{endpoint}")
                }
            }),
            credentials: [
                (
                    crate::channel::CLIENT_KEY.to_string(),
                    secret(TEST_CLIENT_KEY),
                ),
                (
                    crate::channel::SECRET_KEY.to_string(),
                    secret(TEST_SECRET_KEY),
                ),
            ]
            .into_iter()
            .collect(),
            options: Default::default(),
        }
    }

    fn ledger(&self) -> Vec<LedgerEntry> {
        self.with_ledger(|l| l.entries())
    }

    /// Records the deposit and builds NICE's webhook for it ([`handlers::webhook`]).
    fn deposit(&self, pg_tx_id: &str) -> Option<Notice> {
        let now = chrono::Utc::now().with_timezone(&kst());
        self.with_ledger(|l| handlers::deposit_notice(l, pg_tx_id, &now))
    }
}
