//! A Nice simulator, built on `paymux_core::simulator`'s kit: [`server`] listens and
//! reads one request per connection, [`handlers::handle`] (this adapter's protocol, the only
//! part written here) books it in a [`Ledger`] and says what to answer, and
//! [`server::deliver`] writes it now, late (`…0098`: after the client's read timeout) or not
//! at all (`…0099`: closed, nothing recorded). `…0002` is declined and `…0051` refused for
//! insufficient funds ([`paymux_core::simulator::TestCard`]).
//!
//! Scaffold: every request is answered `501` until [`handlers::handle`] learns the vendor's
//! messages. An HTTP PG keeps this shape; a socket PG passes its framing to
//! [`server::read_incoming`] (as `adapters/galaxia` does) and answers telegrams.

mod handlers;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use paymux_core::channel::{ChannelContext, Environment};
use paymux_core::secret::Secret;
use paymux_core::simulator::http::{HttpError, Response};
use paymux_core::simulator::server::{self, Incoming, Reply};
use paymux_core::simulator::{LedgerEntry, Simulator, SimulatorHandle};
use tokio::io::{AsyncRead, AsyncWrite};

pub use handlers::handle;

/// The simulator's books: the kit's ledger (payments with balance and cancels, billing keys,
/// virtual accounts and deposits).
pub type Ledger = paymux_core::simulator::ledger::Ledger;

/// The merchant id the simulator accepts.
pub const TEST_MID: &str = "TESTMID1";

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
    /// How long a `…0098` approval waits before answering (default 3 s: longer than any
    /// test's read timeout).
    pub fn late_delay(&self) -> Duration {
        self.late_delay
    }

    /// Run `f` on the ledger.
    pub fn with_ledger<T>(&self, f: impl FnOnce(&mut Ledger) -> T) -> T {
        // A poisoned lock means a handler panicked; the books are still the best we have.
        let mut guard = self.ledger.lock().unwrap_or_else(|p| p.into_inner());
        f(&mut guard)
    }

    /// Serve one connection: read the request, let [`handle`] decide, deliver the reply.
    async fn serve<S: AsyncRead + AsyncWrite + Unpin>(&self, mut stream: S) {
        let reply = match server::read_incoming(&mut stream, None).await {
            Some(Incoming::Http(Ok(req))) => self.with_ledger(|l| handle(l, &req)),
            Some(Incoming::Http(Err(HttpError::Refused(status, what)))) => {
                Reply::Answer((status, format!("{{\"error\":\"{what}\"}}").into_bytes()))
            }
            _ => Reply::Drop,
        };
        let late = self.late_delay;
        server::deliver(&mut stream, reply, late, |(status, body)| {
            Response::json(status, body).to_bytes()
        })
        .await;
    }
}

#[async_trait]
impl Simulator for NiceSimulator {
    fn adapter_id(&self) -> &'static str {
        crate::ADAPTER_ID
    }

    async fn start(self: Arc<Self>, addr: SocketAddr) -> std::io::Result<SimulatorHandle> {
        server::listen(addr, move |stream| {
            let sim = self.clone();
            async move { sim.serve(stream).await }
        })
        .await
    }

    fn sandbox_channel(&self, key: &str, endpoint: &str) -> ChannelContext {
        ChannelContext {
            key: key.to_string(),
            adapter: crate::ADAPTER_ID.to_string(),
            environment: Environment::Test,
            name: None,
            endpoint: (!endpoint.is_empty()).then(|| endpoint.to_string()),
            credentials: [("mid".to_string(), Secret::new(TEST_MID.to_string()))]
                .into_iter()
                .collect(),
            options: Default::default(),
        }
    }

    fn ledger(&self) -> Vec<LedgerEntry> {
        self.with_ledger(|l| l.entries())
    }
}
