//! What an adapter's test tells the suite about its PG: extra request fields, the channel, and
//! how the payer gets through the (simulated) payment window.

use async_trait::async_trait;
use paymux_core::adapter::{Method, Operation, PgRequest, WireRequest};
use paymux_core::channel::ChannelContext;
use paymux_core::simulator::Simulator;
use serde_json::Value;
use std::collections::BTreeMap;

/// Per-adapter knowledge the suite cannot derive from the descriptor.
///
/// Every hook has a default, so [`DefaultFixture`] works for a PG that needs nothing beyond
/// PortOne's fields. Hooks stay about *data*: the suite itself never branches on an adapter.
#[async_trait]
pub trait Fixture: Send + Sync + 'static {
    /// Add what the PG requires on top of the suite's PortOne V2 body for `op` (called for
    /// every request before it is parsed): e.g. `bypass.galaxia.ITEM_CODE`, a supported bank.
    ///
    /// The body is the `paymux wire` request file shape: the PortOne body plus `paymentId` /
    /// `billingKey` and `prior`; for `checkout.prepare` the browser SDK request sits under
    /// `checkout`. The suite already fills `customer.id`, name, e-mail and phone.
    fn tailor(&self, req: &mut Value, op: Operation) {
        let _ = (req, op);
    }

    /// The channel the suite uses, pointing at the running simulator's `endpoint`. Defaults to
    /// [`Simulator::sandbox_channel`].
    fn channel(&self, simulator: &dyn Simulator, endpoint: &str) -> ChannelContext {
        simulator.sandbox_channel("conformance", endpoint)
    }

    /// Whether a channel credential may appear in views and logs (an identifier such as a MID)
    /// rather than being a key or secret the masking scenario must never find. Default: `mid`,
    /// `merchant_id`, `id` and names ending in `_id` are public; everything else is secret.
    fn is_public_credential(&self, name: &str) -> bool {
        let n = name.to_ascii_lowercase();
        n == "mid" || n == "id" || n == "merchant_id" || n.ends_with("_id")
    }

    /// Play the payer in the PG's payment window: given the window `checkout.prepare` built,
    /// "enter" [`WindowVisit::card_number`] (for CARD) in the simulator's window and return the
    /// form fields the window posts back to the merchant's return URL. They become
    /// `checkout.complete`'s `returned`.
    ///
    /// The default refuses, so an adapter that declares `checkout.complete` must teach its
    /// fixture how its simulated window answers.
    async fn pay_in_window(
        &self,
        visit: WindowVisit<'_>,
    ) -> Result<BTreeMap<String, String>, String> {
        Err(format!(
            "the fixture cannot pay in {}'s payment window: implement Fixture::pay_in_window for {}",
            visit.channel.adapter, visit.method
        ))
    }
}

/// A fixture that adds nothing: plain PortOne requests and the simulator's sandbox channel.
#[derive(Debug, Clone, Copy, Default)]
pub struct DefaultFixture;

impl Fixture for DefaultFixture {}

/// One trip of the payer through a payment window, for [`Fixture::pay_in_window`].
#[derive(Clone, Copy)]
pub struct WindowVisit<'a> {
    /// The payment method of the window.
    pub method: Method,
    /// The merchant's payment id.
    pub payment_id: &'a str,
    /// Amount shown.
    pub amount: i64,
    /// The card the payer enters (test-card convention), for CARD windows.
    pub card_number: &'a str,
    /// The `checkout.prepare` request.
    pub request: &'a PgRequest,
    /// What `checkout.prepare` produced: the window URL and the exact form bytes the browser
    /// posts, with the masked view.
    pub prepared: &'a WireRequest,
    /// The channel in use.
    pub channel: &'a ChannelContext,
    /// The running simulator's endpoint.
    pub endpoint: &'a str,
}

impl std::fmt::Debug for WindowVisit<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WindowVisit")
            .field("method", &self.method)
            .field("payment_id", &self.payment_id)
            .field("amount", &self.amount)
            .field(
                "card_number",
                &paymux_core::secret::mask_card_number(self.card_number),
            )
            .field("prepared", self.prepared)
            .field("channel", self.channel)
            .field("endpoint", &self.endpoint)
            .finish()
    }
}
