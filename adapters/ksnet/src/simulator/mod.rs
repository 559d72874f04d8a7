//! A KSNET simulator serving **both** interfaces on one TCP port: the first four bytes of a
//! connection tell them apart (a KSPay frame starts with its 4-digit length, an HTTP request
//! with an ASCII method such as `POST`). So [`Simulator::start`] gives one endpoint; the
//! sandbox channel names it as a base URL for WEBFEP (`http://127.0.0.1:PORT`) or as
//! `127.0.0.1:PORT` for KSPay ([`KsnetSimulator::sandbox_channel_for`]).
//!
//! - One ledger for both: payments, partial cancels (sequence 1–9, at most 9), balances,
//!   virtual accounts, batch keys; cancels older than 6 months answer KSNET's `7003`.
//! - Known merchant: the reference's test mid `2999199999` with the reference's documented
//!   `pgapi` key (decoding to `2999199999:MA01:…`); also `2999199994` (the virtual-account test
//!   mid) on the KSPay side. WEBFEP requests need that key in `Authorization: pgapi …` and the
//!   key's mid in the body (`A0401` otherwise); KSPay requests need a known `StoreId` and
//!   `EncType` 0.
//! - Test cards: `…0002` declined, `…0051` insufficient funds, `…0098` approved and recorded,
//!   answered after [`KsnetSimulator::late_delay`], `…0099` connection closed without an answer,
//!   nothing recorded. A second payment with the same order number is a duplicate.
//! - Malformed input: an HTTP request that cannot be read gets `400` with an `A0403` envelope
//!   (`413` when too large); a KSPay frame whose header reads but records do not gets an `X`
//!   record with `S400`; less than that is closed. Heads ≤ 16 KiB, bodies ≤ 64 KiB, KSPay
//!   frames ≤ 9999 bytes (the 4-digit prefix), 10 s to send a request. Nothing panics.
//! - Codes besides the documented ones are the simulator's own ([`crate::protocol::sim`]).

mod kspay;
mod ledger;
mod webfep;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use paymux_core::adapter::kst;
use paymux_core::channel::{ChannelContext, Environment};
use paymux_core::secret::Secret;
use paymux_core::simulator::http::{HttpError, Response};
use paymux_core::simulator::server::{self, Incoming, TelegramFraming};
use paymux_core::simulator::{LedgerEntry, Simulator, SimulatorHandle};
use tokio::io::{AsyncRead, AsyncWrite};

use crate::channel::{Protocol, PROTOCOL_OPTION};
use crate::frame::webfep::envelope;
use crate::protocol::kspay::{LEN_WIDTH, MAX_BODY};
use crate::protocol::webfep::code;

pub use ledger::Ledger;

/// The reference's test mid for cards.
pub const TEST_MID: &str = "2999199999";
/// The reference's test mid for virtual accounts (accepted on the KSPay side).
pub const TEST_MID_VIRTUAL_ACCOUNT: &str = "2999199994";
/// The reference's documented example key (`Authorization: pgapi …`), which decodes to
/// `2999199999:MA01:A4E76BDA337DCCA95298FB495A84D369`.
pub const TEST_API_KEY: &str = "Mjk5OTE5OTk5OTpNQTAxOkE0RTc2QkRBMzM3RENDQTk1Mjk4RkI0OTVBODREMzY5";

/// The merchant a `pgapi` key belongs to.
pub fn merchant_of_key(key: &str) -> Option<&'static str> {
    paymux_core::secret::constant_time_eq(key.as_bytes(), TEST_API_KEY.as_bytes())
        .then_some(TEST_MID)
}

/// Whether the simulator knows a store id.
pub fn is_merchant(mid: &str) -> bool {
    mid == TEST_MID || mid == TEST_MID_VIRTUAL_ACCOUNT
}

/// What to do with a connection: answer now, answer late (`…0098`), close without an answer
/// (`…0099`, unreadable input), or garbage.
pub use paymux_core::simulator::server::Reply;

/// KSPay frames: a 4-digit length prefix.
const FRAMING: TelegramFraming = TelegramFraming {
    digits: LEN_WIDTH,
    max_len: MAX_BODY,
};

/// The simulator. Cloning shares the ledger.
#[derive(Clone)]
pub struct KsnetSimulator {
    ledger: Arc<Mutex<Ledger>>,
    late_delay: Duration,
    protocol: Protocol,
}

impl Default for KsnetSimulator {
    fn default() -> Self {
        KsnetSimulator {
            ledger: Arc::default(),
            late_delay: Duration::from_secs(3),
            protocol: Protocol::Webfep,
        }
    }
}

impl KsnetSimulator {
    /// How long a `…0098` approval waits before answering (default 3 s).
    pub fn with_late_delay(mut self, delay: Duration) -> Self {
        self.late_delay = delay;
        self
    }

    /// Which interface [`Simulator::sandbox_channel`] names (default WEBFEP). The server
    /// always speaks both.
    pub fn with_protocol(mut self, protocol: Protocol) -> Self {
        self.protocol = protocol;
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

    /// What the simulator writes back to a connection that sends `input` and then closes its
    /// sending side: the answer bytes (HTTP response or KSPay frame), or nothing when it closes
    /// without an answer. No socket involved: for tests and fuzzing.
    pub async fn respond(&self, input: &[u8]) -> Vec<u8> {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let (mut client, server_end) = tokio::io::duplex(16 * 1024);
        let sim = self.clone();
        let task = tokio::spawn(async move { sim.serve(server_end).await });
        let _ = client.write_all(input).await;
        let _ = client.shutdown().await;
        let mut out = Vec::new();
        let _ = client.read_to_end(&mut out).await;
        let _ = task.await;
        out
    }

    /// Serve one connection (a socket, or an in-memory stream for [`KsnetSimulator::respond`]);
    /// the first four bytes pick the interface.
    async fn serve<S: AsyncRead + AsyncWrite + Unpin>(&self, mut stream: S) {
        let now = || {
            chrono::Utc::now()
                .with_timezone(&kst())
                .format("%Y%m%d%H%M%S")
                .to_string()
        };
        let http = |(status, body): (u16, Vec<u8>)| Response::json(status, body).to_bytes();
        match server::read_incoming(&mut stream, Some(FRAMING)).await {
            None | Some(Incoming::Http(Err(HttpError::Closed))) => {}
            Some(Incoming::Telegram(frame)) => {
                let reply = self.with_ledger(|l| kspay::handle(l, &frame, &now()));
                server::deliver(&mut stream, reply, self.late_delay, |b| b).await;
            }
            Some(Incoming::Http(Err(HttpError::Refused(status, what)))) => {
                let body = envelope(
                    "WFVSIM-PROTOCOL",
                    code::PROTOCOL_ERROR,
                    &format!("protocol error: {what}"),
                    None,
                );
                let body = serde_json::to_vec(&body).unwrap_or_default();
                server::deliver(
                    &mut stream,
                    Reply::Answer((status, body)),
                    self.late_delay,
                    http,
                )
                .await;
            }
            Some(Incoming::Http(Ok(req))) => {
                let reply = self.with_ledger(|l| webfep::handle(l, &req, &now()));
                server::deliver(&mut stream, reply, self.late_delay, http).await;
            }
        }
    }

    /// A test channel for `protocol` whose credentials the simulator accepts. `endpoint` is the
    /// running simulator's `host:port` (or a base URL); empty means KSNET's own host.
    pub fn sandbox_channel_for(protocol: Protocol, key: &str, endpoint: &str) -> ChannelContext {
        let endpoint = endpoint.trim();
        let endpoint = match protocol {
            _ if endpoint.is_empty() => None,
            Protocol::Webfep if endpoint.contains("://") => Some(endpoint.to_string()),
            Protocol::Webfep => Some(format!("http://{endpoint}")),
            Protocol::Kspay => Some(
                endpoint
                    .split_once("://")
                    .map_or(endpoint, |(_, rest)| rest)
                    .trim_end_matches('/')
                    .to_string(),
            ),
        };
        let secret = |s: &str| Secret::new(s.to_string());
        ChannelContext {
            key: key.to_string(),
            adapter: crate::ADAPTER_ID.to_string(),
            environment: Environment::Test,
            name: None,
            endpoint,
            credentials: [
                ("mid".to_string(), secret(TEST_MID)),
                ("api_key".to_string(), secret(TEST_API_KEY)),
            ]
            .into_iter()
            .collect(),
            options: [(PROTOCOL_OPTION.to_string(), protocol.as_str().to_string())]
                .into_iter()
                .collect(),
        }
    }
}

#[async_trait]
impl Simulator for KsnetSimulator {
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
        KsnetSimulator::sandbox_channel_for(self.protocol, key, endpoint)
    }

    fn ledger(&self) -> Vec<LedgerEntry> {
        self.with_ledger(|l| l.entries())
    }
}
