//! A KG Inicis simulator on `paymux_core::simulator`'s kit: INIAPI (v1 form and v2 JSON, the
//! same bytes the adapter sends, `hashData` and `[ENC]` checked with the merchant's key) and
//! the standard window (`/window` pages, `/api/payAuth` approval, `/api/netCancel` net
//! cancel), with a ledger.
//!
//! - Test cards (keyed-in, billing keys, the window): `…0002` declined, `…0051` insufficient
//!   funds, `…0098` approved and recorded but answered after [`InicisSimulator::late_delay`],
//!   `…0099` connection closed, nothing recorded. At billing-key issue only `…0002` (refused)
//!   and `…0099` (dropped) apply; `…0051` and `…0098` keys show their behaviour when charged.
//! - The window's approval URL is this simulator's `/api/payAuth` with `idc_name` `stg`, and
//!   its net cancel `/api/netCancel`: a channel whose `endpoint` is this simulator allows
//!   exactly these ([`crate::channel::InicisChannel::allowed_auth_urls`]).
//! - Known merchants: Inicis' published test MIDs with their published INIAPI keys and IV
//!   ([`TEST_MID`], [`TEST_BILLING_MID`]) and the sample signKey of `INIpayTest`.
//! - Virtual-account windows (`gopaymethod=VBank`) issue an account at approval;
//!   [`Simulator::deposit`] records the payer's deposit and returns INIpay's deposit notice.
//! - Result codes other than `00` / `0000` are the simulator's own ([`crate::protocol::sim`]).

pub mod handlers;
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
use paymux_core::simulator::window::WindowBook;
use paymux_core::simulator::{LedgerEntry, Notice, Simulator, SimulatorHandle};
use paymux_core::wire::{form_urlencode, Charset};
use tokio::io::{AsyncRead, AsyncWrite};

pub use handlers::{handle, Reply};

/// Inicis' published test MID (INIAPI manual).
pub const TEST_MID: &str = "INIpayTest";
/// Its published INIAPI key (INIAPI manual sample).
pub const TEST_API_KEY: &str = "ItEQKi3rY7uvDS8l";
/// Its INIAPI IV (Inicis' official sample, copied in public repositories).
pub const TEST_API_IV: &str = "HYb3yQ4f65QL89==";
/// Its standard-window signKey (Inicis' official INIStdPay sample).
pub const TEST_SIGN_KEY: &str = "SU5JTElURV9UUklQTEVERVNfS0VZU1RS";
/// Inicis' published billing test MID.
pub const TEST_BILLING_MID: &str = "INIBillTst";
/// Its published INIAPI key. Its IV is NOT FOUND publicly: the simulator and the sandbox
/// channel use [`TEST_API_IV`] for it (paymux's choice).
pub const TEST_BILLING_API_KEY: &str = "rKnPljRn5m6J9Mzz";

/// A known merchant's INIAPI key and IV, and signKey.
pub fn merchant(mid: &str) -> Option<(&'static str, &'static str, &'static str)> {
    match mid {
        TEST_MID => Some((TEST_API_KEY, TEST_API_IV, TEST_SIGN_KEY)),
        TEST_BILLING_MID => Some((TEST_BILLING_API_KEY, TEST_API_IV, TEST_SIGN_KEY)),
        _ => None,
    }
}

/// A window the payer authenticated: what its `authToken` approves.
#[derive(Debug, Clone)]
pub struct WindowAuth {
    /// `authToken`.
    pub token: String,
    /// MID.
    pub mid: String,
    /// `oid`.
    pub oid: String,
    /// `price`.
    pub price: String,
    /// `goodname`.
    pub goods: String,
    /// The card entered (card windows).
    pub card: String,
    /// `gopaymethod` (`Card`, `VBank`).
    pub method: String,
    /// The bank chosen (virtual-account windows).
    pub bank: String,
    /// `acceptmethod` (the `vbank(YYYYMMDD)` deadline).
    pub accept: String,
    /// The TID once approved.
    pub tid: Option<String>,
    /// Approved or refused once already.
    pub used: bool,
}

/// The simulator's books: the kit's ledger, open windows and window authorizations.
#[derive(Debug, Default)]
pub struct Books {
    /// Payments and billing keys.
    pub ledger: paymux_core::simulator::ledger::Ledger,
    /// Open windows (the merchant's form fields).
    pub windows: WindowBook<Vec<(String, String)>>,
    /// Window authorizations.
    pub auths: Vec<WindowAuth>,
}

/// The simulator. Cloning shares the books.
#[derive(Clone)]
pub struct InicisSimulator {
    books: Arc<Mutex<Books>>,
    late_delay: Duration,
}

impl Default for InicisSimulator {
    fn default() -> Self {
        InicisSimulator {
            books: Arc::default(),
            late_delay: Duration::from_secs(3),
        }
    }
}

impl InicisSimulator {
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

    async fn serve<S: AsyncRead + AsyncWrite + Unpin>(&self, mut stream: S) {
        let reply = match server::read_incoming(&mut stream, None).await {
            Some(Incoming::Http(Ok(req))) => {
                let now = chrono::Utc::now().with_timezone(&kst());
                self.with_books(|b| handle(b, &req, &now))
            }
            Some(Incoming::Http(Err(HttpError::Refused(status, why)))) => Reply::Answer(
                status,
                handlers::error_body(crate::protocol::sim::MALFORMED_REQUEST, why),
            ),
            _ => return,
        };
        let reply = match reply {
            Reply::Answer(s, b) => server::Reply::Answer(Response::json(s, b)),
            Reply::AnswerLate(s, b) => server::Reply::AnswerLate(Response::json(s, b)),
            Reply::Page(s, p) => server::Reply::Answer(Response::html(s, p)),
            Reply::Drop => server::Reply::Drop,
        };
        server::deliver(&mut stream, reply, self.late_delay, |r| r.to_bytes()).await;
    }
}

#[async_trait]
impl Simulator for InicisSimulator {
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

    /// The published test channel: `INIpayTest` with its INIAPI key, IV and signKey; billing
    /// under `INIBillTst` with its INIAPI key. A bare `host:port` endpoint becomes
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
                ("mid", TEST_MID),
                ("api_key", TEST_API_KEY),
                ("api_iv", TEST_API_IV),
                ("sign_key", TEST_SIGN_KEY),
                ("billing_api_key", TEST_BILLING_API_KEY),
            ]
            .into_iter()
            .map(|(k, v)| (k.to_string(), secret(v)))
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
        self.with_books(|b| b.ledger.entries())
    }

    /// Records the deposit and builds INIpay's deposit notice ([`deposit_notice`]).
    fn deposit(&self, pg_tx_id: &str) -> Option<Notice> {
        let now = chrono::Utc::now().with_timezone(&kst());
        let p = self.with_books(|b| b.ledger.deposit(pg_tx_id).ok().cloned())?;
        Some(deposit_notice(&p, &now))
    }
}

/// INIpay's virtual-account deposit notice for `p`: a form POST in EUC-KR with the fields
/// Inicis' samples read (`no_tid`, `no_oid`, `id_merchant`, `cd_bank`, `dt_trans`,
/// `tm_trans`, `type_msg` `0200`, `no_vacct`, `amt_input`, `nm_inputbank`, `nm_input`), no
/// signature (Inicis authenticates it by source IP only).
pub fn deposit_notice(
    p: &paymux_core::simulator::ledger::Payment,
    now: &chrono::DateTime<chrono::FixedOffset>,
) -> Notice {
    let account = p.account.clone().unwrap_or_default();
    let fields = [
        ("no_tid", p.tid.clone()),
        ("no_oid", p.order_id.clone()),
        ("id_merchant", p.merchant.clone()),
        ("cd_bank", account.bank.clone()),
        ("dt_trans", now.format("%Y%m%d").to_string()),
        ("tm_trans", now.format("%H%M%S").to_string()),
        ("type_msg", crate::decode::NOTICE_DEPOSIT.to_string()),
        ("no_vacct", account.number.clone()),
        ("amt_input", p.amount.to_string()),
        ("nm_inputbank", "신한은행".to_string()),
        ("nm_input", "홍길동".to_string()),
    ];
    let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    Notice {
        content_type: "application/x-www-form-urlencoded".into(),
        headers: Vec::new(),
        body: form_urlencode(&pairs, Charset::EucKr).unwrap_or_default(),
    }
}
