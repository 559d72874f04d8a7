//! The `payments` table: a payment's row ([`PaymentRow`], [`load`]), its claim ([`claim`]:
//! `claim.rs`), and its transitions (`transition.rs`: each with its webhook and its schedule's
//! status, in one unit of work; a transition's method update is merged into the stored
//! method by `method.rs`).
//!
//! **The claim.** A payment row is written *before* any PG is called: an
//! `INSERT ... ON CONFLICT (id) DO NOTHING` claims the `paymentId`, so of concurrent duplicate
//! requests exactly one reaches the PG. A `FAILED` payment may be claimed again under a new
//! `transactionId` (`UPDATE ... WHERE status = 'FAILED'`). A claimed row carries
//! `reconcile_at` from the start, so a gateway that dies mid-request leaves a row the
//! reconciler resolves later.

mod claim;
mod method;
mod transition;

use paymux_core::money::AmountBreakdown;

use super::db::{Db, Row};
use crate::domain::{
    Destination, Failure, PaymentKind, PaymentMethod, PaymentStatus, PlatformType,
};

pub use claim::{claim, Claim};
pub use method::{method_text, parse_method};
pub use transition::{
    apply, failure_text, load_known, prepare_window_send, record_channel, record_vat, Known,
};

/// A stored payment.
#[derive(Debug, Clone)]
pub struct PaymentRow {
    /// paymentId.
    pub id: String,
    /// storeId.
    pub store_id: String,
    /// Current attempt's transactionId.
    pub transaction_id: String,
    /// How it was made.
    pub kind: PaymentKind,
    /// Status.
    pub status: PaymentStatus,
    /// Channel used.
    pub channel_key: Option<String>,
    /// `SelectedChannel` JSON.
    pub channel_json: Option<String>,
    /// `{id, name, isForTest}` JSON.
    pub channel_group_json: Option<String>,
    /// Masked `PaymentMethod` JSON.
    pub method_json: Option<String>,
    /// Billing key (billing-key payments).
    pub billing_key: Option<String>,
    /// Schedule that made it.
    pub schedule_id: Option<String>,
    /// Order name.
    pub order_name: String,
    /// Currency.
    pub currency: String,
    /// Total.
    pub amount_total: i64,
    /// Tax-free part.
    pub amount_tax_free: i64,
    /// VAT.
    pub amount_vat: i64,
    /// Supply value.
    pub amount_supply: i64,
    /// Cancelled so far.
    pub amount_cancelled: i64,
    /// Tax-free cancelled so far.
    pub amount_cancelled_tax_free: i64,
    /// VAT cancelled so far.
    pub amount_cancelled_vat: i64,
    /// Customer JSON (no birth date).
    pub customer_json: Option<String>,
    /// customData.
    pub custom_data: Option<String>,
    /// Other order fields JSON.
    pub extra_json: Option<String>,
    /// noticeUrls JSON.
    pub notice_urls_json: Option<String>,
    /// skipWebhook.
    pub skip_webhook: bool,
    /// Order date at the PG.
    pub order_date: Option<String>,
    /// PG TID.
    pub pg_tx_id: Option<String>,
    /// The PG's receipt page (`Payment.receiptUrl`), when it gave one.
    pub receipt_url: Option<String>,
    /// Paid at (µs).
    pub paid_at: Option<i64>,
    /// Failed at (µs).
    pub failed_at: Option<i64>,
    /// Why it failed (`FAILED`).
    pub failure: Option<Failure>,
    /// Fully cancelled at (µs).
    pub cancelled_at: Option<i64>,
    /// Cancels done.
    pub cancel_count: i64,
    /// Requested at (µs).
    pub requested_at: i64,
    /// Updated at (µs).
    pub updated_at: i64,
    /// Status changed at (µs).
    pub status_changed_at: i64,
}

impl PaymentRow {
    /// Decode a `SELECT * FROM payments` row.
    pub fn from_row(r: &Row) -> Result<Self, sqlx::Error> {
        Ok(PaymentRow {
            id: r.req_text("id")?,
            store_id: r.req_text("store_id")?,
            transaction_id: r.req_text("transaction_id")?,
            kind: r.spelled("kind", PaymentKind::parse)?,
            status: r.spelled("status", PaymentStatus::parse)?,
            channel_key: r.text("channel_key")?,
            channel_json: r.text("channel_json")?,
            channel_group_json: r.text("channel_group_json")?,
            method_json: r.text("method_json")?,
            billing_key: r.text("billing_key")?,
            schedule_id: r.text("schedule_id")?,
            order_name: r.req_text("order_name")?,
            currency: r.req_text("currency")?,
            amount_total: r.req_int("amount_total")?,
            amount_tax_free: r.req_int("amount_tax_free")?,
            amount_vat: r.req_int("amount_vat")?,
            amount_supply: r.req_int("amount_supply")?,
            amount_cancelled: r.req_int("amount_cancelled")?,
            amount_cancelled_tax_free: r.req_int("amount_cancelled_tax_free")?,
            amount_cancelled_vat: r.req_int("amount_cancelled_vat")?,
            customer_json: r.text("customer_json")?,
            custom_data: r.text("custom_data")?,
            extra_json: r.text("extra_json")?,
            notice_urls_json: r.text("notice_urls_json")?,
            skip_webhook: r.flag("skip_webhook")?,
            order_date: r.text("order_date")?,
            pg_tx_id: r.text("pg_tx_id")?,
            receipt_url: r.text("receipt_url")?,
            paid_at: r.int("paid_at")?,
            failed_at: r.int("failed_at")?,
            failure: r
                .text("failure_json")?
                .and_then(|f| serde_json::from_str(&f).ok()),
            cancelled_at: r.int("cancelled_at")?,
            cancel_count: r.req_int("cancel_count")?,
            requested_at: r.req_int("requested_at")?,
            updated_at: r.req_int("updated_at")?,
            status_changed_at: r.req_int("status_changed_at")?,
        })
    }

    /// The stored method (`None` when absent or unreadable).
    pub fn method(&self) -> Option<PaymentMethod> {
        parse_method(self.method_json.as_deref())
    }

    /// Where this payment's webhooks go.
    pub fn destination(&self) -> Destination {
        Destination::from_columns(self.notice_urls_json.as_deref(), self.skip_webhook)
    }
}

/// Load a payment.
pub async fn load(db: &Db, id: &str) -> Result<Option<PaymentRow>, sqlx::Error> {
    match db
        .fetch_optional("SELECT * FROM payments WHERE id = $1", crate::args![id])
        .await?
    {
        Some(r) => Ok(Some(PaymentRow::from_row(&r)?)),
        None => Ok(None),
    }
}

/// What a new payment row holds.
#[derive(Debug, Clone)]
pub struct NewPayment {
    /// paymentId.
    pub id: String,
    /// storeId.
    pub store_id: String,
    /// How it is made.
    pub kind: PaymentKind,
    /// The method (masked).
    pub method: Option<PaymentMethod>,
    /// Group summary JSON.
    pub channel_group_json: Option<String>,
    /// Billing key.
    pub billing_key: Option<String>,
    /// Schedule id.
    pub schedule_id: Option<String>,
    /// Order name.
    pub order_name: String,
    /// Currency.
    pub currency: String,
    /// Amounts.
    pub amounts: AmountBreakdown,
    /// Customer JSON.
    pub customer_json: Option<String>,
    /// customData.
    pub custom_data: Option<String>,
    /// Other fields JSON.
    pub extra_json: Option<String>,
    /// noticeUrls.
    pub notice_urls: Vec<String>,
    /// skipWebhook.
    pub skip_webhook: bool,
    /// Where the payment came from: `API` for the server API; `None` for a window payment
    /// until its browser comes back ([`super::payments::prepare_window_send`]).
    pub platform_type: Option<PlatformType>,
    /// The channel the first attempt will go to, when known at the claim: recorded by the
    /// claim itself, so that attempt needs no statement of its own (recording the channel and
    /// its VAT split with their own statements costs +7.1 % instructions per payment,
    /// docs/BENCHMARKS.md §5c). A crash before sending
    /// then leaves a `READY` row with a channel, which the reconciler settles by inquiry
    /// (`FAILED` once the PG has answered "not found" past `not_found_grace`).
    pub first_channel: Option<String>,
    /// The first channel's `SelectedChannel` JSON.
    pub first_channel_json: Option<String>,
    /// Refuse the claim while a `SCHEDULED` schedule holds the `paymentId` (checked by the
    /// claim's own statement: no separate read).
    pub refuse_if_scheduled: bool,
}
