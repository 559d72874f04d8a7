//! The simulator contract: every adapter ships an in-process vendor simulator that speaks the
//! vendor's protocol, keeps a ledger and honors the shared test-card convention.
//!
//! Test cards (every simulator): a number ending in `0002` is declined (card declined),
//! `0051` insufficient funds, `0098` approved but the answer arrives after the client's read
//! timeout, `0099` connection closed without an answer and nothing recorded. Any other valid
//! number is approved.
//!
//! With the `simulator` feature (on by default) this module also holds the kit simulators are
//! built from, so an adapter keeps only its protocol handlers: [`server`] (listener, one port
//! for HTTP and length-prefixed telegrams, the fault hooks of [`server::Reply`]), [`http`]
//! (the HTTP/1.1 side), [`ledger`] (payments, cancels, billing keys, virtual accounts and
//! deposits), [`window`] (the payment window's HTML shell) and [`notify`] (sending what a PG
//! sends on its own, such as a [`Notice`]). A production build can leave the feature out: the
//! contract below stays, no simulator code is built.

#[cfg(feature = "simulator")]
pub mod http;
#[cfg(feature = "simulator")]
pub mod ledger;
#[cfg(feature = "simulator")]
pub mod notify;
#[cfg(feature = "simulator")]
pub mod server;
#[cfg(feature = "simulator")]
pub mod window;

/// The items given, compiled only when paymux-core's `simulator` feature is on: how an adapter
/// gates its simulator module. The facade's `simulators` feature turns the core feature on, so
/// an adapter gated this way needs no `NAME?/simulator` line of its own in the facade (what
/// `cargo xtask new-adapter` generates; its own default-on `simulator` feature turns the core
/// feature on for `cargo test -p`).
#[cfg(feature = "simulator")]
#[macro_export]
macro_rules! with_simulator {
    ($($item:item)*) => { $($item)* };
}

/// See the `simulator`-feature definition: without the feature, the items are left out.
#[cfg(not(feature = "simulator"))]
#[macro_export]
macro_rules! with_simulator {
    ($($item:item)*) => {};
}

/// `Some(factory)` with paymux-core's `simulator` feature, `None` without (the factory is then
/// not compiled): an adapter registration's `simulator` field, gated like
/// [`with_simulator!`](crate::with_simulator).
#[cfg(feature = "simulator")]
#[macro_export]
macro_rules! simulator_factory {
    ($factory:expr) => {
        Some($factory)
    };
}

/// See the `simulator`-feature definition: without the feature, `None`.
#[cfg(not(feature = "simulator"))]
#[macro_export]
macro_rules! simulator_factory {
    ($factory:expr) => {
        None
    };
}

use async_trait::async_trait;
use serde::Serialize;
use std::net::SocketAddr;
use std::sync::Arc;

use crate::channel::ChannelContext;
use crate::money::Money;

/// What a test card number asks the simulator to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TestCard {
    /// Approve.
    Approve,
    /// Decline: card declined.
    Declined,
    /// Decline: insufficient funds.
    InsufficientFunds,
    /// Approve, but answer after the client gave up.
    ApproveLate,
    /// Close the connection, record nothing.
    Drop,
}

impl TestCard {
    /// Classify a card number by its last four digits.
    pub fn of(number: &str) -> TestCard {
        let digits: String = number.chars().filter(char::is_ascii_digit).collect();
        match digits.get(digits.len().saturating_sub(4)..) {
            Some("0002") => TestCard::Declined,
            Some("0051") => TestCard::InsufficientFunds,
            Some("0098") => TestCard::ApproveLate,
            Some("0099") => TestCard::Drop,
            _ => TestCard::Approve,
        }
    }
}

/// One transaction in a simulator's ledger.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LedgerEntry {
    /// The merchant's order id (paymentId) as the PG saw it.
    pub order_id: String,
    /// The simulator's TID.
    pub pg_tx_id: String,
    /// Approved amount.
    pub amount: Money,
    /// Cancelled so far.
    pub cancelled: Money,
    /// Number of cancels.
    pub cancel_count: u32,
    /// `APPROVED`, `PARTIALLY_CANCELLED`, `CANCELLED`, `VIRTUAL_ACCOUNT_ISSUED`.
    pub state: String,
    /// Method (`CARD`, `MOBILE`, ...).
    pub method: String,
}

/// A running simulator.
pub struct SimulatorHandle {
    /// Where it listens.
    pub local_addr: SocketAddr,
    /// Stops it when dropped or on [`SimulatorHandle::shutdown`].
    pub shutdown: Option<tokio::sync::oneshot::Sender<()>>,
}

impl SimulatorHandle {
    /// Stop serving.
    pub fn shutdown(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
    /// `host:port` or base URL to put in a channel's `endpoint`.
    pub fn endpoint(&self) -> String {
        self.local_addr.to_string()
    }
}

impl Drop for SimulatorHandle {
    fn drop(&mut self) {
        self.shutdown();
    }
}

/// Something a PG sends on its own (a virtual-account deposit notice, a payment-status
/// webhook): what to POST, to a URL the test gives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    /// `Content-Type` of the body.
    pub content_type: String,
    /// Further headers, as the vendor sends them.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
}

/// A vendor simulator.
#[async_trait]
pub trait Simulator: Send + Sync + 'static {
    /// The adapter it simulates.
    fn adapter_id(&self) -> &'static str;
    /// Start serving on `addr` (port 0 = any free port).
    async fn start(self: Arc<Self>, addr: SocketAddr) -> std::io::Result<SimulatorHandle>;
    /// A test channel whose credentials this simulator accepts, pointing at `endpoint`.
    fn sandbox_channel(&self, key: &str, endpoint: &str) -> ChannelContext;
    /// Every transaction recorded so far.
    fn ledger(&self) -> Vec<LedgerEntry>;
    /// The payer deposits into the virtual account of `pg_tx_id`: the simulator records it
    /// and returns the vendor's deposit notice to send (see `notify::send`). `None` when no
    /// account of that TID awaits a deposit, or when the vendor's notice format is not
    /// documented (the default).
    fn deposit(&self, pg_tx_id: &str) -> Option<Notice> {
        let _ = pg_tx_id;
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_cards_by_suffix() {
        assert_eq!(TestCard::of("4111111111110002"), TestCard::Declined);
        assert_eq!(
            TestCard::of("4111-1111-1111-0051"),
            TestCard::InsufficientFunds
        );
        assert_eq!(TestCard::of("4111111111110098"), TestCard::ApproveLate);
        assert_eq!(TestCard::of("4111111111110099"), TestCard::Drop);
        assert_eq!(TestCard::of("4111111111111111"), TestCard::Approve);
        assert_eq!(TestCard::of("99"), TestCard::Approve);
    }
}
