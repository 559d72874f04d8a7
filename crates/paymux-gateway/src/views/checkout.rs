//! Hosted checkout: the session as the API shows it (`GET /checkout/sessions/{id}`), and what
//! the shopper's result page says, as data (the page itself is rendered by `crate::http`).

use chrono::{DateTime, FixedOffset};
use paymux_routing::SelectedChannel;
use serde::Serialize;
use serde_json::Value;

use super::{json_column, time};
use crate::store::sessions::SessionRow;

/// A checkout session (`GET /checkout/sessions/{id}`).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CheckoutSession {
    /// `cs_…`.
    pub id: String,
    /// `PAYMENT` / `ISSUE_BILLING_KEY` / `ISSUE_BILLING_KEY_AND_PAY`.
    #[schema(value_type = crate::domain::SessionKind)]
    pub kind: &'static str,
    /// Status.
    #[schema(value_type = crate::domain::SessionStatus)]
    pub status: &'static str,
    /// storeId.
    pub store_id: String,
    /// The payment (payment kinds).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub payment_id: Option<String>,
    /// The payment attempt.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub transaction_id: Option<String>,
    /// The billing key (billing-key kinds).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub billing_key: Option<String>,
    /// The id the PG knows the window by.
    pub order_id: String,
    /// The session's channel (while it is configured).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub channel: Option<SelectedChannel>,
    /// Method (`CARD`, …).
    pub method: String,
    /// Amount the window was opened with.
    pub amount: i64,
    /// `redirectUrl`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub redirect_url: Option<String>,
    /// Created at.
    pub created_at: String,
    /// Expires at.
    pub expires_at: String,
    /// First opened at.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub opened_at: Option<String>,
    /// Finished at.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub finished_at: Option<String>,
    /// The result query parameters the browser was redirected with, once finished
    /// (`paymentId` / `billingKey`, `transactionType`, `txId`; on failure `code`, `message`,
    /// `pgCode`, `pgMessage`). Kept as the stored object: the set of parameters depends on
    /// the outcome and the PG.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    #[schema(nullable = false)]
    pub result: Option<Value>,
}

impl CheckoutSession {
    /// The view of a stored session; `channel` is its channel as configured now.
    pub fn of(s: &SessionRow, channel: Option<SelectedChannel>) -> CheckoutSession {
        CheckoutSession {
            id: s.id.clone(),
            kind: s.kind.as_str(),
            status: s.status.as_str(),
            store_id: s.store_id.clone(),
            payment_id: s.payment_id.clone(),
            transaction_id: s.transaction_id.clone(),
            billing_key: s.billing_key.clone(),
            order_id: s.order_id.clone(),
            channel,
            method: s.method.clone(),
            amount: s.amount_total,
            redirect_url: s.redirect_url.clone(),
            created_at: time(s.created_at),
            expires_at: time(s.expires_at),
            opened_at: s.opened_at.map(time),
            finished_at: s.finished_at.map(time),
            result: json_column(s.result_json.as_deref()),
        }
    }
}

/// The answer of `POST /checkout/sessions`.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CheckoutSessionCreated {
    /// `cs_` + 32 hex digits.
    pub session_id: String,
    /// Open in the customer's browser.
    pub checkout_url: String,
    /// `PAYMENT` / `ISSUE_BILLING_KEY` / `ISSUE_BILLING_KEY_AND_PAY`.
    #[schema(value_type = crate::domain::SessionKind)]
    pub kind: &'static str,
    /// The payment (payment kinds).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub payment_id: Option<String>,
    /// The payment attempt (payment kinds).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub transaction_id: Option<String>,
    /// The billing key the window issues (`ISSUED` once the window completes).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub billing_key: Option<String>,
    /// The billing key window's `issueId` (`ISSUE_BILLING_KEY`).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub issue_id: Option<String>,
    /// The channel the window opens at.
    pub channel: SelectedChannel,
    /// The group the channel was chosen from.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub channel_group: Option<paymux_routing::ChannelGroupSummary>,
    /// When the session expires (RFC 3339).
    pub expires_at: String,
}

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
