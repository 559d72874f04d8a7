//! Nice's wire structs: the vendor's messages with the vendor's field names, and their
//! exact bytes. No mapping logic here (that is [`crate::encode`] / [`crate::decode`]): keeping
//! the two apart is what lets a reviewer check these against the vendor's documentation.
//!
//! Card numbers, passwords, birth dates and keys are [`Secret`]s, so `Debug` never shows them;
//! [`ApprovalRequest::view`] is the masked, readable form snapshots and `paymux wire` print
//! (`WireView::lazy(move || request.view())`: built only when read).

use paymux_core::secret::Secret;
use serde_json::{json, Value};

/// A keyed-in card approval request, as the vendor names its fields.
///
/// TODO: replace with the vendor's real message (names, order, widths, charset).
#[derive(Debug, Clone)]
pub struct ApprovalRequest {
    /// Merchant id.
    pub mid: String,
    /// Merchant's order id (the unified `paymentId`).
    pub order_id: String,
    /// Amount in KRW.
    pub amount: i64,
    /// Card number.
    pub card_number: Secret<String>,
}

impl ApprovalRequest {
    /// The masked, readable view with the vendor's field names.
    pub fn view(&self) -> Value {
        json!({
            "mid": self.mid,
            "orderId": self.order_id,
            "amount": self.amount,
            "cardNumber": self.card_number.masked_card(),
        })
    }
}
