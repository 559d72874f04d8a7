//! A BillGate simulator: a tokio TCP server that speaks the telegram protocol of
//! [`crate::frame`], keeps a ledger (payments, partial cancels, balances, billing keys) and
//! honours the shared test cards.
//!
//! - Every service code is served on one port (a channel `endpoint` points there).
//! - Known merchants: the public samples' test SERVICE_IDs `M2103135` (general), `M2103139`
//!   (auto-billing) and `S1600881` (keyed-in), all with the sample key and IV. An unknown MID,
//!   a frame that does not decrypt, or one that is cut short gets the connection closed; a
//!   frame that decrypts but breaks a rule gets a protocol error answer. Nothing panics.
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
mod http;
mod ledger;
mod server;
pub mod window;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use paymux_core::channel::{ChannelContext, Environment};
use paymux_core::secret::Secret;
use paymux_core::simulator::{LedgerEntry, Simulator, SimulatorHandle};

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
        server::start(self, addr).await
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
}
