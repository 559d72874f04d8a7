//! A BillGate simulator: a tokio TCP server that speaks the telegram protocol of
//! [`crate::frame`], keeps a ledger (payments, partial cancels, balances, billing keys) and
//! honours the shared test cards.
//!
//! - Every service code is served on one port (a channel `endpoint` points there).
//! - Known merchants: the public samples' test SERVICE_IDs `M2103135` (general), `M2103139`
//!   (auto-billing) and `S1600881` (keyed-in), all with the sample key and IV. An unknown MID,
//!   a frame that does not decrypt, or one that is cut short gets the connection closed; a
//!   frame that decrypts but breaks a rule — a malformed tag record included — gets a
//!   protocol error answer. Nothing panics.
//! - Test cards (for mobile payments: the phone number): `…0002` declined, `…0051`
//!   insufficient funds, `…0098` approved and recorded, answered after
//!   [`GalaxiaSimulator::late_delay`] (longer than a test's read timeout), `…0099` connection
//!   closed, nothing recorded.
//! - A second payment with the same ORDER_ID is declined as a duplicate.
//! - The answers' codes are the simulator's own ([`crate::reconstructed::SIMULATOR_CODES`]).
//!
//! ## One port, two protocols
//!
//! [`Simulator::start`] binds **one** port: a connection that starts with an HTTP method
//! (`GET `, `POST`, `HEAD`) is served as HTTP — the simulated payment window
//! ([`window`]: `POST /window` with the merchant's window form, see [`window::WINDOW_PATH`]) —
//! and anything else is read as a telegram (which starts with its 4-digit length). So a
//! sandbox channel's `endpoint` (`127.0.0.1:PORT`) is both the telegram host and, as
//! `http://127.0.0.1:PORT/window`, the window a browser is sent to (the paymux gateway's
//! hosted checkout posts its hand-off form there for `test` channels with an `endpoint`).
//! `paymux simulate galaxia` serves both the same way.

mod handlers;
mod ledger;
pub mod window;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use paymux_core::adapter::kst;
use paymux_core::channel::{ChannelContext, Environment};
use paymux_core::secret::Secret;
use paymux_core::simulator::http::HttpError;
use paymux_core::simulator::server::{self, Incoming, TelegramFraming};
use paymux_core::simulator::{LedgerEntry, Notice, Simulator, SimulatorHandle};
use paymux_core::wire::{codec, crypto};
use tokio::io::{AsyncRead, AsyncWrite};

use crate::frame::{split_frame, Cipher, Telegram};
use crate::protocol::sim;

pub use handlers::Reply;
pub use ledger::Ledger;

/// Test SERVICE_ID for ordinary payments (`PayInput.php`: "일반결제 : M2103135").
pub const TEST_MID: &str = "M2103135";
/// Test SERVICE_ID for auto-billing (`PayInput.php`: "자동과금1회차결제:M2103139").
pub const TEST_MID_AUTO_BILLING: &str = "M2103139";
/// Test SERVICE_ID for keyed-in payments (`Galaxia.java`: "수기거래용 테스트 아이디").
pub const TEST_MID_KEYED_IN: &str = "S1600881";
/// The sample's SEED key (`config.ini`).
pub const TEST_KEY: &str = "QkZJRlBDRTI4T0c1OUtBMw==";
/// The sample's IV (`config.ini`).
pub const TEST_IV: &str = "PRJ59Q2GHPT844TQ";
/// ITEM_CODE of the sandbox channel (`PayInput.php` uses `item_code`).
pub const TEST_ITEM_CODE: &str = "item_code";

/// The simulator. Cloning shares the ledger.
#[derive(Clone)]
pub struct GalaxiaSimulator {
    ledger: Arc<Mutex<Ledger>>,
    windows: Arc<Mutex<window::WindowBook>>,
    late_delay: Duration,
}

impl Default for GalaxiaSimulator {
    fn default() -> Self {
        GalaxiaSimulator {
            ledger: Arc::default(),
            windows: Arc::default(),
            late_delay: Duration::from_secs(3),
        }
    }
}

impl GalaxiaSimulator {
    /// How long a `…0098` approval waits before answering (default 3 s).
    pub fn with_late_delay(mut self, delay: Duration) -> Self {
        self.late_delay = delay;
        self
    }

    /// The configured late-answer delay.
    pub fn late_delay(&self) -> Duration {
        self.late_delay
    }

    fn with_ledger<T>(&self, f: impl FnOnce(&mut Ledger) -> T) -> T {
        // A poisoned lock means a handler panicked; the books are still the best we have.
        let mut guard = self.ledger.lock().unwrap_or_else(|p| p.into_inner());
        f(&mut guard)
    }

    /// What the simulator writes back to a connection that sends `input` and then closes its
    /// sending side: the answer bytes (HTTP response or telegram), or nothing when it closes
    /// without an answer. No socket involved: for tests and fuzzing.
    pub async fn respond(&self, input: &[u8]) -> Vec<u8> {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let (mut client, server_end) = tokio::io::duplex(64 * 1024);
        let sim = self.clone();
        let task = tokio::spawn(async move { sim.serve(server_end).await });
        let _ = client.write_all(input).await;
        let _ = client.shutdown().await;
        let mut out = Vec::new();
        let _ = client.read_to_end(&mut out).await;
        let _ = task.await;
        out
    }

    /// Serve one connection: the payment window over HTTP, or one telegram.
    async fn serve<S: AsyncRead + AsyncWrite + Unpin>(&self, mut stream: S) {
        match server::read_incoming(&mut stream, Some(FRAMING)).await {
            None | Some(Incoming::Http(Err(HttpError::Closed))) => {}
            Some(Incoming::Http(Err(HttpError::Refused(status, why)))) => {
                let page = window::error_page(status, why);
                server::deliver(
                    &mut stream,
                    server::Reply::Answer(page),
                    self.late_delay,
                    |r| r.to_bytes(),
                )
                .await;
            }
            Some(Incoming::Http(Ok(req))) => {
                let page = window::handle(self, &req);
                server::deliver(
                    &mut stream,
                    server::Reply::Answer(page),
                    self.late_delay,
                    |r| r.to_bytes(),
                )
                .await;
            }
            Some(Incoming::Telegram(frame)) => {
                let (reply, cipher) = self.telegram(&frame);
                server::deliver(&mut stream, reply, self.late_delay, |t: Telegram| {
                    cipher
                        .as_ref()
                        .and_then(|c| t.to_frame(c).ok())
                        .unwrap_or_default()
                })
                .await;
            }
        }
    }

    /// Handle one telegram frame; the merchant's cipher to answer with.
    fn telegram(&self, frame: &[u8]) -> (Reply, Option<Cipher>) {
        let Ok(((_, mid, _), _)) = split_frame(frame) else {
            return (Reply::Drop, None);
        };
        let Some(cipher) = merchant_cipher(&mid) else {
            tracing::debug!("galaxia simulator: unknown MID, closing");
            return (Reply::Drop, None);
        };
        let now = chrono::Utc::now()
            .with_timezone(&kst())
            .format("%Y%m%d%H%M%S")
            .to_string();
        let reply = match Telegram::from_frame(frame, &cipher) {
            Ok(request) if request.records.is_empty() => Reply::Answer(handlers::fail(
                &request,
                sim::INVALID_REQUEST,
                "telegram has no records",
            )),
            Ok(request) => self.with_ledger(|ledger| handlers::handle(ledger, &request, &now)),
            // Decrypts, but a tag record is malformed: answer with the header, as a PG does.
            Err(e) => match header_only(frame, &cipher) {
                Some(request) => Reply::Answer(handlers::fail(
                    &request,
                    sim::INVALID_REQUEST,
                    &format!("malformed tag record: {e}"),
                )),
                // Does not decrypt with the merchant's key: nothing sensible to answer.
                None => Reply::Drop,
            },
        };
        (reply, Some(cipher))
    }

    fn with_windows<T>(&self, f: impl FnOnce(&mut window::WindowBook) -> T) -> T {
        let mut guard = self.windows.lock().unwrap_or_else(|p| p.into_inner());
        f(&mut guard)
    }
}

#[async_trait]
impl Simulator for GalaxiaSimulator {
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

    fn sandbox_channel(&self, key: &str, endpoint: &str) -> ChannelContext {
        let secret = |s: &str| Secret::new(s.to_string());
        ChannelContext {
            key: key.to_string(),
            adapter: crate::ADAPTER_ID.to_string(),
            environment: Environment::Test,
            name: None,
            endpoint: (!endpoint.is_empty()).then(|| endpoint.to_string()),
            credentials: [
                ("mid".to_string(), secret(TEST_MID)),
                ("key".to_string(), secret(TEST_KEY)),
                ("iv".to_string(), secret(TEST_IV)),
            ]
            .into_iter()
            .collect(),
            options: [("item_code".to_string(), TEST_ITEM_CODE.to_string())]
                .into_iter()
                .collect(),
        }
    }

    fn ledger(&self) -> Vec<LedgerEntry> {
        self.with_ledger(|l| l.entries())
    }

    /// Records the deposit (its time answers later 5000 inquiries as `1005`) and builds the
    /// **reconstructed** deposit notice ([`deposit_notice`]).
    fn deposit(&self, pg_tx_id: &str) -> Option<Notice> {
        let now = chrono::Utc::now()
            .with_timezone(&kst())
            .format("%Y%m%d%H%M%S")
            .to_string();
        let p = self.with_ledger(|l| {
            let p = l.deposit(pg_tx_id).ok()?.tid.clone();
            let p = l.payments.iter_mut().find(|x| x.tid == p)?;
            p.extra.deposited_at = now;
            Some(p.clone())
        })?;
        Some(deposit_notice(&p))
    }
}

/// The **reconstructed** deposit notice for the deposited virtual account `p`, as the
/// adapter's [`decode_notice`](crate::notice::decode_notice) reads it: an EUC-KR form with the
/// window return's field names (see [`crate::notice`]), posted unsigned.
pub fn deposit_notice(p: &ledger::Payment) -> Notice {
    let account = p.account.clone().unwrap_or_default();
    let fields = [
        ("SERVICE_ID", TEST_MID.to_string()),
        ("SERVICE_CODE", p.extra.service_code.clone()),
        ("ORDER_ID", p.order_id.clone()),
        ("ORDER_DATE", p.extra.order_date.clone()),
        ("TRANSACTION_ID", p.tid.clone()),
        ("AMOUNT", p.amount.to_string()),
        ("ACCOUNT_NUMBER", account.number),
        ("BANK_CODE", account.bank),
        ("DEPOSIT_DATE", p.extra.deposited_at.clone()),
        ("RESPONSE_CODE", crate::protocol::code::SUCCESS.to_string()),
        ("RESPONSE_MESSAGE", "입금 완료".to_string()),
    ];
    let pairs: Vec<(&str, &str)> = fields
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| (*k, v.as_str()))
        .collect();
    // Every value is ASCII or KS X 1001 Hangul: EUC-KR encodes it.
    let body = paymux_core::wire::form_urlencode(&pairs, paymux_core::wire::Charset::EucKr)
        .unwrap_or_default();
    Notice {
        content_type: "application/x-www-form-urlencoded; charset=EUC-KR".into(),
        headers: Vec::new(),
        body,
    }
}

/// Telegrams: a 4-digit length prefix, at most 9999 bytes.
const FRAMING: TelegramFraming = TelegramFraming {
    digits: 4,
    max_len: 9999,
};

/// The key of a known test merchant.
pub(crate) fn merchant_cipher(mid: &str) -> Option<Cipher> {
    [TEST_MID, TEST_MID_AUTO_BILLING, TEST_MID_KEYED_IN]
        .contains(&mid)
        .then(|| Cipher::from_text(TEST_KEY, TEST_IV).ok())
        .flatten()
}

/// Width of the encrypted header: COMMAND 4, ORDER_ID 64, ORDER_DATE 14, NUM_RECORDS 4
/// (`Message.java`).
const OPAQUE_HEADER: usize = 4 + crate::frame::ORDER_ID_WIDTH + 14 + 4;

/// The request's header with no records, for a frame that decrypts with the merchant's key
/// but whose tag records do not parse (`None` when it does not decrypt, or its header does
/// not read either).
fn header_only(frame: &[u8], cipher: &Cipher) -> Option<Telegram> {
    let (_, b64) = split_frame(frame).ok()?;
    let key = codec::b64_decode("key", TEST_KEY).ok()?;
    let iv = TEST_IV.as_bytes();
    let text = std::str::from_utf8(b64).ok()?;
    let opaque =
        crypto::seed_cbc_decrypt(&key, iv, &codec::b64_decode("cipher text", text).ok()?).ok()?;
    let mut header = opaque.get(..OPAQUE_HEADER)?.to_vec();
    header[OPAQUE_HEADER - 4..].copy_from_slice(b"0000");
    let encrypted = crypto::seed_cbc_encrypt(&key, iv, &header).ok()?;
    let clear = &frame[4..frame.len() - b64.len()];
    let mut rest = clear.to_vec();
    rest.extend(codec::b64_encode(&encrypted).into_bytes());
    let mut rebuilt = format!("{:04}", rest.len()).into_bytes();
    rebuilt.extend(rest);
    Telegram::from_frame(&rebuilt, cipher).ok()
}
