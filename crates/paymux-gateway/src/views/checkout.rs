//! What the shopper's result page says, as data (the page itself is rendered by
//! [`crate::http`]).

use chrono::{DateTime, FixedOffset};

/// What the shopper is told on the result page.
#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    /// The payment went through.
    Paid,
    /// A billing key was issued: a card (`card`) or another method registered, nothing charged.
    Registered {
        /// The registered method is a card.
        card: bool,
    },
    /// A billing key was issued and the first payment went through.
    RegisteredAndPaid,
    /// A virtual account was issued; the shopper deposits into it.
    VirtualAccount {
        /// Bank: a PortOne `Bank` code or the PG's KFTC code.
        bank: Option<String>,
        /// Account number.
        account_number: String,
        /// Account holder shown to the payer.
        remittee: Option<String>,
        /// Deposit deadline.
        due: Option<DateTime<FixedOffset>>,
    },
    /// Sent to the PG, result not known yet (the store confirms it).
    Checking,
    /// It did not go through.
    Failed {
        /// Why, in Korean, for the shopper.
        reason: String,
        /// The PG's own message, when the reason above is generic.
        detail: Option<String>,
        /// The PG's code, for support.
        pg_code: Option<String>,
    },
}

/// Everything the result page shows.
#[derive(Debug, Clone, PartialEq)]
pub struct ResultView {
    /// What happened.
    pub verdict: Verdict,
    /// Order name (or the billing key's issue name).
    pub order_name: Option<String>,
    /// Amount in the currency's minor unit, and the currency code.
    pub amount: Option<(i64, String)>,
    /// paymentId, shown small for support.
    pub payment_id: Option<String>,
    /// billingKey, shown small for support when there is no payment.
    pub billing_key: Option<String>,
}
