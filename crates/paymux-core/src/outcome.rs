//! Honest outcomes of an operation at a PG.
//!
//! `Unknown` (the request was sent, no usable answer came back) is never turned into
//! "failed" without asking the PG (status inquiry) or reversing (net cancel).

use chrono::{DateTime, FixedOffset};
use serde::Serialize;
use std::fmt;

use crate::money::Money;
use crate::secret::Secret;

/// What happened at the PG.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "outcome", rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Outcome {
    /// The PG accepted the operation (a payment approved, a cancel done, a key issued, an
    /// inquiry answered). What was accepted is in [`Approved::detail`].
    Approved(Approved),
    /// A virtual account was issued; the payment completes on deposit.
    VirtualAccountIssued(VirtualAccountIssued),
    /// The PG accepted the request but the result comes later (e.g. a webhook).
    Pending(Pending),
    /// The PG refused. Certainly nothing was charged.
    Declined(Declined),
    /// Sent, but no usable answer: the PG may or may not have acted. Resolve by inquiry or
    /// reversal, never by guessing.
    Unknown(Unknown),
}

impl Outcome {
    /// A short name for logs and metrics: `approved`, `declined`, ...
    pub fn kind_str(&self) -> &'static str {
        match self {
            Outcome::Approved(_) => "approved",
            Outcome::VirtualAccountIssued(_) => "virtual_account_issued",
            Outcome::Pending(_) => "pending",
            Outcome::Declined(_) => "declined",
            Outcome::Unknown(_) => "unknown",
        }
    }
}

/// The PG accepted the operation.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Approved {
    /// The PG's transaction id (TID) for this operation.
    pub pg_tx_id: Option<String>,
    /// When the PG says it happened.
    pub at: Option<DateTime<FixedOffset>>,
    /// The amount the PG reports (approved or cancelled).
    pub amount: Option<Money>,
    /// The PG's raw result code and message, kept for support and the `pgResponse` field.
    pub pg_code: String,
    /// Message that came with `pg_code`.
    pub pg_message: String,
    /// The PG's receipt page for this payment or cancel (PortOne `Payment.receiptUrl`,
    /// `PaymentCancellation.receiptUrl`), when the PG's answer names one. `None` when it does
    /// not: adapters never build one from a guessed URL pattern.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub receipt_url: Option<String>,
    /// Operation-specific details.
    pub detail: ApprovedDetail,
}

/// Operation-specific part of an approval.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ApprovedDetail {
    /// A payment was approved.
    Payment {
        /// Card approval number.
        approval_number: Option<String>,
        /// Masked card summary, when the PG reports one.
        card: Option<CardSummary>,
        /// Installment months (0 = lump sum).
        installment_month: Option<u32>,
        /// A billing key issued with the payment (billing-key-and-pay).
        pg_billing_key: Option<Secret<String>>,
    },
    /// A billing key was issued at the PG.
    BillingKeyIssued {
        /// The PG's own billing key (masked in every view).
        pg_billing_key: Secret<String>,
        /// Masked card summary.
        card: Option<CardSummary>,
    },
    /// A billing key was deleted at the PG.
    BillingKeyDeleted,
    /// A (partial) cancel was done.
    Cancelled {
        /// Amount cancelled by this request.
        cancelled: Money,
        /// Balance left at the PG, when it says.
        remaining: Option<Money>,
        /// The PG's cancel sequence number, when it has one.
        sequence: Option<u32>,
    },
    /// The PG answered a status inquiry.
    Inquiry(TxReport),
    /// A checkout window was prepared (nothing sent to the PG yet).
    CheckoutPrepared,
    /// The PG revoked an issued virtual account: no deposit can be made into it any more.
    VirtualAccountClosed,
}

/// A masked card summary. Never holds the full number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CardSummary {
    /// Masked number as the PG returns it (e.g. `411111******1111`).
    pub masked_number: Option<String>,
    /// Issuer code in the PG's table.
    pub issuer_code: Option<String>,
    /// Issuer name.
    pub issuer_name: Option<String>,
    /// Acquirer code.
    pub acquirer_code: Option<String>,
}

/// The PG's view of one transaction, answered to a status inquiry.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TxReport {
    /// What the PG says the transaction is.
    pub state: TxState,
    /// Approved amount.
    pub amount: Option<Money>,
    /// Amount still cancellable.
    pub balance: Option<Money>,
    /// The PG's TID.
    pub pg_tx_id: Option<String>,
}

/// Transaction state according to the PG.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum TxState {
    /// Approved and not cancelled.
    Approved,
    /// Partly cancelled.
    PartiallyCancelled,
    /// Fully cancelled.
    Cancelled,
    /// The PG has no such transaction (it never happened).
    NotFound,
    /// The PG has it but it did not succeed.
    Failed,
    /// Still in progress.
    Pending,
}

/// A virtual account was issued.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct VirtualAccountIssued {
    /// PG TID.
    pub pg_tx_id: Option<String>,
    /// The bank as PortOne's `Bank` code (`SHINHAN`): adapters translate their PG's code
    /// with their own table (KFTC codes: [`crate::display::bank_of_kftc`]). A code an
    /// adapter cannot translate is kept as the PG sent it; the gateway then leaves `bank`
    /// out of the PortOne `Payment` (an enum there) and logs the code.
    pub bank: Option<String>,
    /// The account number to deposit into.
    pub account_number: String,
    /// Account holder shown to the payer.
    pub remittee_name: Option<String>,
    /// Deposit deadline.
    pub expires_at: Option<DateTime<FixedOffset>>,
    /// Issue time.
    pub issued_at: Option<DateTime<FixedOffset>>,
    /// Amount to deposit.
    pub amount: Option<Money>,
    /// Raw PG code.
    pub pg_code: String,
    /// Raw PG message.
    pub pg_message: String,
}

/// Accepted, result later.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Pending {
    /// PG TID.
    pub pg_tx_id: Option<String>,
    /// Raw PG code.
    pub pg_code: String,
    /// Raw PG message.
    pub pg_message: String,
}

/// The PG refused.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Declined {
    /// The PG's raw code, kept exactly.
    pub pg_code: String,
    /// The PG's raw message.
    pub pg_message: String,
    /// Normalized kind, for routing and reporting.
    pub kind: DeclineKind,
    /// Certain that nothing happened *and* that trying again (on this or another channel)
    /// is reasonable: maintenance, merchant configuration. Card-holder declines are not
    /// retry-safe: retrying them elsewhere is card testing.
    pub retry_safe: bool,
}

impl Declined {
    /// A decline with the kind's default retry-safety.
    pub fn new(
        pg_code: impl Into<String>,
        pg_message: impl Into<String>,
        kind: DeclineKind,
    ) -> Self {
        Declined {
            pg_code: pg_code.into(),
            pg_message: pg_message.into(),
            retry_safe: kind.default_retry_safe(),
            kind,
        }
    }
}

/// The decline code of an operation whose outcome was in doubt and which the PG's documented
/// reversal voided ([`PgAdapter::reversal`](crate::adapter::PgAdapter::reversal)):
/// **paymux's own** code, not a vendor's.
pub const REVERSED_CODE: &str = "PAYMUX_REVERSED";

/// Normalized decline kinds, on top of the raw vendor code (as ActiveMerchant and sqlx do).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum DeclineKind {
    /// The issuer declined the card.
    CardDeclined,
    /// Not enough funds or credit.
    InsufficientFunds,
    /// Card number, expiry or CVC invalid.
    InvalidCard,
    /// Card expired.
    ExpiredCard,
    /// Card password or birth date/BRN wrong.
    AuthenticationFailed,
    /// A limit (per transaction, monthly) was exceeded.
    LimitExceeded,
    /// The PG or card company is under maintenance or temporarily unavailable.
    PgMaintenance,
    /// The merchant's configuration at the PG is wrong (MID, key, contract).
    ConfigError,
    /// The PG rejected the request's content.
    InvalidRequest,
    /// The referenced transaction or key does not exist at the PG.
    NotFound,
    /// Already cancelled, or the cancel exceeds the balance.
    CancelRefused,
    /// Too late to cancel.
    CancelPeriodExpired,
    /// The PG saw a duplicate order id.
    Duplicate,
    /// Anything else.
    Other,
}

impl DeclineKind {
    /// Whether retrying (here or on another channel) is reasonable by default.
    pub fn default_retry_safe(self) -> bool {
        matches!(self, DeclineKind::PgMaintenance | DeclineKind::ConfigError)
    }
    /// snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            DeclineKind::CardDeclined => "card_declined",
            DeclineKind::InsufficientFunds => "insufficient_funds",
            DeclineKind::InvalidCard => "invalid_card",
            DeclineKind::ExpiredCard => "expired_card",
            DeclineKind::AuthenticationFailed => "authentication_failed",
            DeclineKind::LimitExceeded => "limit_exceeded",
            DeclineKind::PgMaintenance => "pg_maintenance",
            DeclineKind::ConfigError => "config_error",
            DeclineKind::InvalidRequest => "invalid_request",
            DeclineKind::NotFound => "not_found",
            DeclineKind::CancelRefused => "cancel_refused",
            DeclineKind::CancelPeriodExpired => "cancel_period_expired",
            DeclineKind::Duplicate => "duplicate",
            DeclineKind::Other => "other",
        }
    }
}

impl fmt::Display for DeclineKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Sent, no usable answer.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Unknown {
    /// Why the outcome is unknown (timeout, connection closed, malformed answer).
    pub reason: String,
}

/// One row of a data-driven decline table: raw PG code → normalized kind.
///
/// Adapters keep their code tables as `&[DeclineRule]` so error mapping is data, not `if`s.
#[derive(Debug, Clone, Copy)]
pub struct DeclineRule {
    /// Raw PG code.
    pub code: &'static str,
    /// Kind it maps to.
    pub kind: DeclineKind,
}

/// Look a raw code up in a decline table; unknown codes map to [`DeclineKind::Other`].
pub fn classify(table: &[DeclineRule], code: &str) -> DeclineKind {
    table
        .iter()
        .find(|r| r.code == code)
        .map(|r| r.kind)
        .unwrap_or(DeclineKind::Other)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_safety_defaults() {
        assert!(Declined::new("X", "m", DeclineKind::PgMaintenance).retry_safe);
        assert!(!Declined::new("X", "m", DeclineKind::CardDeclined).retry_safe);
        assert!(!Declined::new("X", "m", DeclineKind::InsufficientFunds).retry_safe);
    }

    #[test]
    fn classify_uses_the_table() {
        const T: &[DeclineRule] = &[DeclineRule {
            code: "8326",
            kind: DeclineKind::LimitExceeded,
        }];
        assert_eq!(classify(T, "8326"), DeclineKind::LimitExceeded);
        assert_eq!(classify(T, "9999"), DeclineKind::Other);
    }

    #[test]
    fn billing_key_is_masked_in_debug_and_serialized_outcome_has_kind() {
        let o = Outcome::Approved(Approved {
            receipt_url: None,
            pg_tx_id: Some("T1".into()),
            at: None,
            amount: None,
            pg_code: "0000".into(),
            pg_message: "OK".into(),
            detail: ApprovedDetail::BillingKeyIssued {
                pg_billing_key: Secret::new("BK-SECRET-1".into()),
                card: None,
            },
        });
        assert!(!format!("{o:?}").contains("BK-SECRET-1"));
        assert_eq!(o.kind_str(), "approved");
    }
}
