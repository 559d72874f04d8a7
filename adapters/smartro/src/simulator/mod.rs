//! A SmartroPay simulator: the kit's HTTP server
//! ([`paymux_core::simulator::http`], hand-rolled on tokio so test cards can drop connections
//! and answer late) serving the server API paths of [`crate::protocol::path`] and
//! [`crate::reconstructed::path`], with a [`Ledger`] of payments, cancels, balances, billing
//! keys and window authorizations.
//!
//! - Every encrypted call is decrypted with the merchant's key and its `HashData` /
//!   `VerifyValue` / `EncryptData` verified; a wrong one is refused with
//!   [`sim::HASH_MISMATCH`], an unknown `Mid` with
//!   `UNKNOWN_MERCHANT`, a body that does not decrypt with `DECRYPT_FAILED`, anything else
//!   malformed with `MALFORMED_REQUEST` / `MISSING_FIELD`. Bodies are capped at
//!   [`paymux_core::simulator::http::MAX_BODY`] (answered 413). Nothing panics.
//! - Test cards, where card numbers exist (billing-key issue and charges, card windows):
//!   `…0002` declined, `…0051` insufficient funds, `…0098` approved and recorded but answered
//!   after [`SmartroSimulator::late_delay`], `…0099` connection closed, nothing recorded. At
//!   billing-key issue (no money moves) only `…0002` (refused) and `…0099` (dropped) apply;
//!   `…0051` and `…0098` keys show their behaviour when charged.
//! - The payment window ([`window`]): `POST /window` takes the merchant's window form (its
//!   `EncryptData` checked), shows card / phone / bank entry with `#approve` and `#cancel`, and
//!   posts the callback's fields (`ResultCode`, `Tid`, `TrAuthKey`, …) back to `ReturnUrl`.
//! - Test-only endpoints: [`handlers::WINDOW_PATH`] stands in for the payment window (posts the
//!   prepared form, answers the callback's `Tid`/`TrAuthKey`); [`handlers::DEPOSIT_PATH`] makes
//!   the payer deposit into a virtual account.
//! - Known merchants: [`TEST_MID`] and the billing MID [`TEST_BILLING_MID`], sharing
//!   [`TEST_MERCHANT_KEY`] (paymux's own test values, not Smartro's).

pub mod handlers;
mod ledger;
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
use paymux_core::wire::{form_urlencode, Charset};
use tokio::io::{AsyncRead, AsyncWrite};

use crate::protocol::sim;

pub use handlers::{handle, Reply};
pub use ledger::{payment, BillingKey, Extra, Ledger, OpenWindow, Payment, State, WindowAuth};

/// The simulator's ordinary MID.
pub const TEST_MID: &str = "pmxtest01m";
/// The simulator's billing MID.
pub const TEST_BILLING_MID: &str = "pmxbill01m";
/// The simulator's merchant key (88 base64 characters, like Smartro's; its first 32 are the
/// AES key). paymux's own value.
pub const TEST_MERCHANT_KEY: &str =
    "UGF5bXV4U21hcnRyb1NpbXVsYXRvck1lcmNoYW50S2V5MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZQ==";

/// The merchant key of a known MID.
pub fn merchant_key(mid: &str) -> Option<&'static str> {
    [TEST_MID, TEST_BILLING_MID]
        .contains(&mid)
        .then_some(TEST_MERCHANT_KEY)
}

/// The simulator. Cloning shares the ledger.
#[derive(Clone)]
pub struct SmartroSimulator {
    ledger: Arc<Mutex<Ledger>>,
    late_delay: Duration,
}

impl Default for SmartroSimulator {
    fn default() -> Self {
        SmartroSimulator {
            ledger: Arc::default(),
            late_delay: Duration::from_secs(3),
        }
    }
}

impl SmartroSimulator {
    /// How long a `…0098` approval waits before answering (default 3 s).
    pub fn with_late_delay(mut self, delay: Duration) -> Self {
        self.late_delay = delay;
        self
    }

    /// The configured late-answer delay.
    pub fn late_delay(&self) -> Duration {
        self.late_delay
    }

    /// Serve one connection: one request, answered as [`handlers::handle`] decides.
    async fn serve<S: AsyncRead + AsyncWrite + Unpin>(&self, mut stream: S) {
        let reply = match server::read_incoming(&mut stream, None).await {
            None | Some(Incoming::Telegram(_)) | Some(Incoming::Http(Err(HttpError::Closed))) => {
                return
            }
            Some(Incoming::Http(Err(HttpError::Refused(status, why)))) => {
                let code = if status == 413 {
                    sim::REQUEST_TOO_LARGE
                } else {
                    sim::MALFORMED_REQUEST
                };
                Reply::Answer(status, handlers::error_body(code, why))
            }
            Some(Incoming::Http(Ok(req))) => {
                let now = chrono::Utc::now().with_timezone(&kst());
                self.with_ledger(|ledger| {
                    handlers::handle(ledger, &req.method, &req.path, &req.body, &now)
                })
            }
        };
        if matches!(reply, Reply::Drop) {
            tracing::debug!("smartro simulator: test card …0099, closing without an answer");
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

    /// Run `f` on the ledger.
    pub fn with_ledger<T>(&self, f: impl FnOnce(&mut Ledger) -> T) -> T {
        // A poisoned lock means a handler panicked; the books are still the best we have.
        let mut guard = self.ledger.lock().unwrap_or_else(|p| p.into_inner());
        f(&mut guard)
    }
}

#[async_trait]
impl Simulator for SmartroSimulator {
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

    /// A test channel; a bare `host:port` endpoint (what a handle reports) becomes
    /// `http://host:port`.
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
                ("mid".to_string(), secret(TEST_MID)),
                ("merchant_key".to_string(), secret(TEST_MERCHANT_KEY)),
            ]
            .into_iter()
            .collect(),
            options: [(
                crate::channel::BILLING_MID_OPTION.to_string(),
                TEST_BILLING_MID.to_string(),
            )]
            .into_iter()
            .collect(),
        }
    }

    fn ledger(&self) -> Vec<LedgerEntry> {
        self.with_ledger(|l| l.entries())
    }

    /// Records the deposit and builds Smartro's deposit notice ([`deposit_notice`]).
    fn deposit(&self, pg_tx_id: &str) -> Option<Notice> {
        let p = self.with_ledger(|l| l.deposit(pg_tx_id).ok().cloned())?;
        Some(deposit_notice(&p))
    }
}

/// `ResultCode` of a deposit notice: deposit done (vendor notes).
pub use crate::protocol::code::DEPOSIT_DONE;

/// Smartro's virtual-account deposit notice for `p`, as the adapter's
/// [`decode_notice`](crate::notice::decode_notice) reads it. Documented (vendor notes, from a
/// reseller's integration): `ResultCode` [`DEPOSIT_DONE`] and `SignValue`
/// ([`crate::frame::notice_sign_value`]). **Reconstructed**: the other field names (the ones
/// Smartro's answers use: `Tid`, `Mid`, `Moid`, `Amt`, `PayMethod`, `ResultMsg`) and the form
/// encoding (UTF-8 `application/x-www-form-urlencoded`, as the window's return posts).
pub fn deposit_notice(p: &Payment) -> Notice {
    let key = merchant_key(&p.merchant).unwrap_or_default();
    let sign = crate::frame::notice_sign_value(&p.tid, DEPOSIT_DONE, key);
    let fields = [
        ("ResultCode", DEPOSIT_DONE.to_string()),
        ("ResultMsg", "입금 완료".to_string()),
        ("Tid", p.tid.clone()),
        ("Mid", p.merchant.clone()),
        ("Moid", p.order_id.clone()),
        ("PayMethod", p.extra.pay_method.to_string()),
        ("Amt", p.amount.to_string()),
        ("SignValue", sign),
    ];
    let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    // UTF-8 encodes every string.
    let body = form_urlencode(&pairs, Charset::Utf8).unwrap_or_default();
    Notice {
        content_type: "application/x-www-form-urlencoded; charset=UTF-8".into(),
        headers: Vec::new(),
        body,
    }
}
