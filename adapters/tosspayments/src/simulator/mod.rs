//! A Toss Payments simulator: the kit's HTTP server ([`paymux_core::simulator::server`])
//! serving the core API paths of [`crate::protocol::path`] with Toss's JSON, its error bodies and
//! its idempotency, plus the standard payment window ([`window`]) and deposit notices.
//!
//! - Every call must carry `Authorization: Basic base64(secretKey + ":")` with a `test_sk_` key
//!   (401 `UNAUTHORIZED_KEY` otherwise); the key is the merchant, as at Toss.
//! - `Idempotency-Key`: a request repeating a key (same secret key, method and path) gets the
//!   first answer again and changes nothing, as Toss documents; so a retry after a lost answer
//!   cannot charge twice.
//! - Test cards (keyed-in, billing keys, the window): `…0002` 403 `REJECT_CARD_COMPANY`,
//!   `…0051` 403 `REJECT_CARD_PAYMENT` (한도초과 혹은 잔액부족), `…0098` approved and recorded
//!   but answered after [`TossSimulator::late_delay`], `…0099` connection closed, nothing
//!   recorded. At billing-key issue (no money moves) only `…0002` and `…0099` apply.
//! - Malformed requests get Toss's error body (`INVALID_REQUEST`, `NOT_FOUND_PAYMENT`, ...);
//!   nothing panics; bodies are capped at [`paymux_core::simulator::http::MAX_BODY`].

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
use paymux_core::simulator::server::{self, Incoming, Reply};
use paymux_core::simulator::{LedgerEntry, Notice, Simulator, SimulatorHandle};
use tokio::io::{AsyncRead, AsyncWrite};

pub use handlers::{handle, Answer, Books, Extra};

use crate::protocol::{PUBLISHED_TEST_CLIENT_KEY, PUBLISHED_TEST_SECRET_KEY};

/// The simulator. Cloning shares the books.
#[derive(Clone)]
pub struct TossSimulator {
    books: Arc<Mutex<Books>>,
    late_delay: Duration,
}

impl Default for TossSimulator {
    fn default() -> Self {
        TossSimulator {
            books: Arc::default(),
            late_delay: Duration::from_secs(3),
        }
    }
}

impl TossSimulator {
    /// How long a `…0098` approval waits before answering (default 3 s).
    pub fn with_late_delay(mut self, delay: Duration) -> Self {
        self.late_delay = delay;
        self
    }

    /// The configured late-answer delay.
    pub fn late_delay(&self) -> Duration {
        self.late_delay
    }

    /// Run `f` on the books.
    pub fn with_books<T>(&self, f: impl FnOnce(&mut Books) -> T) -> T {
        // A poisoned lock means a handler panicked; the books are still the best we have.
        let mut guard = self.books.lock().unwrap_or_else(|p| p.into_inner());
        f(&mut guard)
    }

    /// Serve one connection: one request, answered as [`handle`] decides.
    pub async fn serve<S: AsyncRead + AsyncWrite + Unpin>(&self, mut stream: S) {
        let reply = match server::read_incoming(&mut stream, None).await {
            None | Some(Incoming::Telegram(_)) | Some(Incoming::Http(Err(HttpError::Closed))) => {
                return
            }
            Some(Incoming::Http(Err(HttpError::Refused(status, why)))) => {
                Reply::Answer(handlers::error(status, "INVALID_REQUEST", why))
            }
            Some(Incoming::Http(Ok(req))) => {
                let now = chrono::Utc::now().with_timezone(&kst());
                self.with_books(|b| handle(b, &req, &now))
            }
        };
        if matches!(reply, Reply::Drop) {
            tracing::debug!("tosspayments simulator: test card …0099, closing without an answer");
        }
        server::deliver(&mut stream, reply, self.late_delay, |a| match a {
            Answer::Json(status, body) => Response::json(status, body).to_bytes(),
            Answer::Page(status, page) => Response::html(status, page).to_bytes(),
        })
        .await;
    }
}

#[async_trait]
impl Simulator for TossSimulator {
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

    /// The published test keys (`secret_key`, and `client_key` for the window), pointing at
    /// `endpoint` (a bare `host:port` becomes `http://host:port`; empty = Toss's host).
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
                    crate::channel::SECRET_KEY.to_string(),
                    secret(PUBLISHED_TEST_SECRET_KEY),
                ),
                (
                    crate::channel::CLIENT_KEY.to_string(),
                    secret(PUBLISHED_TEST_CLIENT_KEY),
                ),
            ]
            .into_iter()
            .collect(),
            options: Default::default(),
        }
    }

    fn ledger(&self) -> Vec<LedgerEntry> {
        self.with_books(|b| b.ledger.entries())
    }

    /// Records the deposit and builds Toss's `DEPOSIT_CALLBACK` ([`handlers::deposit_notice`]).
    fn deposit(&self, pg_tx_id: &str) -> Option<Notice> {
        let now = chrono::Utc::now().with_timezone(&kst());
        self.with_books(|b| handlers::deposit(b, pg_tx_id, &now))
    }
}
