//! Payments: instant (keyed-in) and billing-key payments, their storage and the PortOne
//! `Payment` view.
//!
//! **Never a double charge.** A payment row is written *before* any PG is called: an
//! `INSERT ... ON CONFLICT (id) DO NOTHING` claims the `paymentId`, so of concurrent duplicate
//! requests exactly one reaches the PG. The others get `409 ALREADY_PAID` (paid) or
//! `409 ALREADY_PAID_OR_WAITING` (still in flight or unresolved). A `FAILED` payment — failed
//! for certain: declined, or never sent — may be tried again with the same `paymentId`; the
//! retry claims the row atomically (`UPDATE ... WHERE status = 'FAILED'`) under a new
//! `transactionId`.
//!
//! **Outcomes are honest.** Approved → `PAID`; declined → `FAILED` + `502 PG_PROVIDER`; not
//! sent → `FAILED` (safe to retry); unknown (sent, no usable answer) → `PAY_PENDING` with
//! `reconcile_at` set, answered `504 PAYMENT_OUTCOME_UNKNOWN`, and resolved only by asking the
//! PG ([`crate::reconciler`]). A claimed row also carries `reconcile_at` from the start, so a
//! gateway that dies mid-request leaves a row the reconciler resolves later.

use std::sync::{Mutex, OnceLock};

use chrono::{DateTime, FixedOffset, Utc};
use paymux_core::adapter::{
    kst, BillingKeyPaymentCall, InstantPaymentCall, Method, Operation, PgRequest, PriorTransaction,
};
use paymux_core::error::PgError;
use paymux_core::model::{
    BillingKeyPaymentInput, InstantPaymentInput, InstantPaymentMethodInput, Validate,
};
use paymux_core::money::AmountBreakdown;
use paymux_core::outcome::{ApprovedDetail, Outcome};
use paymux_core::secret::Secret;
use paymux_core::validation::FieldPath;
use paymux_routing::{FailoverPlan, RoutingError, SkipReason, SkippedChannel};
use serde_json::{json, Map, Value};

use crate::db::{Arg, Row};
use crate::error::{ApiError, PG_CODE_NOT_SENT};
use crate::state::{AppState, Prechecked};
use crate::util::{self, put};
use crate::webhooks::{self, Destination};

/// Payment statuses.
pub mod status {
    /// Claimed; the PG call is in flight.
    pub const READY: &str = "READY";
    /// Sent, answer unknown or pending at the PG.
    pub const PAY_PENDING: &str = "PAY_PENDING";
    /// Virtual account issued, waiting for the deposit.
    pub const VIRTUAL_ACCOUNT_ISSUED: &str = "VIRTUAL_ACCOUNT_ISSUED";
    /// Paid.
    pub const PAID: &str = "PAID";
    /// Failed for certain.
    pub const FAILED: &str = "FAILED";
    /// Partly cancelled.
    pub const PARTIAL_CANCELLED: &str = "PARTIAL_CANCELLED";
    /// Fully cancelled.
    pub const CANCELLED: &str = "CANCELLED";
}

/// A stored payment.
#[derive(Debug, Clone)]
pub struct PaymentRow {
    /// paymentId.
    pub id: String,
    /// storeId.
    pub store_id: String,
    /// Current attempt's transactionId.
    pub transaction_id: String,
    /// `INSTANT` / `BILLING_KEY`.
    pub kind: String,
    /// Status (see [`status`]).
    pub status: String,
    /// Sent with no usable answer yet.
    pub outcome_unknown: bool,
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
    /// Paid at (µs).
    pub paid_at: Option<i64>,
    /// Failed at (µs).
    pub failed_at: Option<i64>,
    /// Failure JSON.
    pub failure_json: Option<String>,
    /// Fully cancelled at (µs).
    pub cancelled_at: Option<i64>,
    /// Cancels done.
    pub cancel_count: i64,
    /// Cancellation in progress.
    pub cancel_lock: Option<String>,
    /// Requested at (µs).
    pub requested_at: i64,
    /// Updated at (µs).
    pub updated_at: i64,
    /// Status changed at (µs).
    pub status_changed_at: i64,
    /// When the reconciler may look at it.
    pub reconcile_at: Option<i64>,
}

impl PaymentRow {
    /// Decode a `SELECT * FROM payments` row.
    pub fn from_row(r: &Row) -> Result<Self, sqlx::Error> {
        Ok(PaymentRow {
            id: r.req_text("id")?,
            store_id: r.req_text("store_id")?,
            transaction_id: r.req_text("transaction_id")?,
            kind: r.req_text("kind")?,
            status: r.req_text("status")?,
            outcome_unknown: r.flag("outcome_unknown")?,
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
            paid_at: r.int("paid_at")?,
            failed_at: r.int("failed_at")?,
            failure_json: r.text("failure_json")?,
            cancelled_at: r.int("cancelled_at")?,
            cancel_count: r.req_int("cancel_count")?,
            cancel_lock: r.text("cancel_lock")?,
            requested_at: r.req_int("requested_at")?,
            updated_at: r.req_int("updated_at")?,
            status_changed_at: r.req_int("status_changed_at")?,
            reconcile_at: r.int("reconcile_at")?,
        })
    }

    /// Where this payment's webhooks go.
    pub fn destination(&self) -> Destination {
        Destination::from_columns(self.notice_urls_json.as_deref(), self.skip_webhook)
    }

    /// The earlier transaction as adapters want it (cancel, inquiry).
    pub fn prior(&self) -> PriorTransaction {
        use paymux_core::adapter::PriorAmount;
        use paymux_core::money::Money;
        let m = |v: i64| Money::new(v).unwrap_or(Money::ZERO);
        let method = util::parse_json(self.method_json.as_deref());
        let method = match method.get("type").and_then(Value::as_str) {
            Some("PaymentMethodCard") => Some(Method::Card),
            Some("PaymentMethodVirtualAccount") => Some(Method::VirtualAccount),
            Some("PaymentMethodMobile") => Some(Method::Mobile),
            Some("PaymentMethodTransfer") => Some(Method::Transfer),
            Some("PaymentMethodEasyPay") => Some(Method::EasyPay),
            _ => None,
        };
        PriorTransaction {
            pg_tx_id: self.pg_tx_id.clone(),
            paid_at: self
                .paid_at
                .map(|u| util::from_micros(u).with_timezone(&kst())),
            amount: Some(PriorAmount {
                total: m(self.amount_total),
                tax_free: m(self.amount_tax_free),
                cancelled: m(self.amount_cancelled),
                cancelled_tax_free: m(self.amount_cancelled_tax_free),
            }),
            cancel_count: u32::try_from(self.cancel_count).unwrap_or(0),
            pg_billing_key: None,
            method,
            order_date: self.order_date.clone(),
            currency: paymux_core::money::Currency::parse(&self.currency).ok(),
        }
    }

    /// Whether money was taken (and may be cancelled).
    pub fn is_paid(&self) -> bool {
        matches!(
            self.status.as_str(),
            status::PAID | status::PARTIAL_CANCELLED | status::CANCELLED
        )
    }
}

/// Load a payment.
pub async fn load(st: &AppState, id: &str) -> Result<Option<PaymentRow>, sqlx::Error> {
    match st
        .db
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
    /// `INSTANT` / `BILLING_KEY`.
    pub kind: &'static str,
    /// Masked method JSON.
    pub method_json: Option<String>,
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
    /// The channel the first attempt will go to, when known at the claim: recorded by the
    /// claim itself, so that attempt needs no statement of its own. A crash before sending
    /// then leaves a `READY` row with a channel, which the reconciler settles by inquiry
    /// (`FAILED` once the PG has answered "not found" past `not_found_grace`).
    pub first_channel: Option<String>,
    /// Refuse the claim while a `SCHEDULED` schedule holds the `paymentId` (checked by the
    /// claim's own statement: no separate read).
    pub refuse_if_scheduled: bool,
}

/// The claim on a `paymentId`.
pub enum Claim {
    /// This request owns the payment now; call the PG with this transaction id.
    Claimed {
        /// The attempt's transactionId.
        transaction_id: String,
    },
    /// Someone else has it.
    Existing(Box<PaymentRow>),
    /// A schedule holds it (only with [`NewPayment::refuse_if_scheduled`]).
    Scheduled,
}

/// Claim `paymentId` (see the module docs). `now` is the encode time; its KST rendering is
/// stored as the order date the PG will know the payment by.
pub async fn claim(
    st: &AppState,
    np: &NewPayment,
    now: DateTime<Utc>,
) -> Result<Claim, sqlx::Error> {
    let transaction_id = uuid::Uuid::new_v4().hyphenated().to_string();
    let t = util::micros(now);
    let stale = now + chrono::Duration::from_std(st.tuning.stale_after()).unwrap_or_default();
    let first = np
        .first_channel
        .as_deref()
        .and_then(|k| Some((k, st.channels.get(k)?)));
    let cols: Vec<(&str, Arg)> = vec![
        ("id", np.id.clone().into()),
        ("store_id", np.store_id.clone().into()),
        ("transaction_id", transaction_id.clone().into()),
        ("kind", np.kind.into()),
        ("status", status::READY.into()),
        ("outcome_unknown", 0i64.into()),
        ("channel_key", first.map(|(k, _)| k).into()),
        (
            "channel_json",
            first
                .and_then(|(_, e)| util::to_json_text(&e.selected()))
                .into(),
        ),
        ("channel_group_json", np.channel_group_json.clone().into()),
        ("method_json", np.method_json.clone().into()),
        ("billing_key", np.billing_key.clone().into()),
        ("schedule_id", np.schedule_id.clone().into()),
        ("order_name", np.order_name.clone().into()),
        ("currency", np.currency.clone().into()),
        ("amount_total", np.amounts.total.get().into()),
        ("amount_tax_free", np.amounts.tax_free.get().into()),
        ("amount_vat", np.amounts.vat.get().into()),
        ("amount_supply", np.amounts.supply.get().into()),
        ("amount_cancelled", 0i64.into()),
        ("amount_cancelled_tax_free", 0i64.into()),
        ("amount_cancelled_vat", 0i64.into()),
        ("customer_json", np.customer_json.clone().into()),
        ("custom_data", np.custom_data.clone().into()),
        ("extra_json", np.extra_json.clone().into()),
        (
            "notice_urls_json",
            util::to_json_text(&np.notice_urls).into(),
        ),
        ("skip_webhook", np.skip_webhook.into()),
        (
            "order_date",
            util::order_date(now.with_timezone(&kst())).into(),
        ),
        ("pg_tx_id", Arg::Text(None)),
        ("paid_at", Arg::Int(None)),
        ("failed_at", Arg::Int(None)),
        ("failure_json", Arg::Text(None)),
        ("cancelled_at", Arg::Int(None)),
        ("cancel_count", 0i64.into()),
        ("cancel_lock", Arg::Text(None)),
        ("requested_at", t.into()),
        ("updated_at", t.into()),
        ("status_changed_at", t.into()),
        ("reconcile_at", util::micros(stale).into()),
        ("reconcile_attempts", 0i64.into()),
    ];
    // The statements depend only on the column names and the schedule guard: built once each.
    static SQL: [OnceLock<(String, String)>; 2] = [OnceLock::new(), OnceLock::new()];
    let (insert, retry) = SQL[usize::from(np.refuse_if_scheduled)].get_or_init(|| {
        let names: Vec<&str> = cols.iter().map(|(n, _)| *n).collect();
        let placeholders: Vec<String> = (1..=cols.len()).map(|i| format!("${i}")).collect();
        let sets: Vec<String> = names
            .iter()
            .enumerate()
            .skip(1)
            .map(|(i, n)| format!("{n} = ${}", i + 1))
            .collect();
        // `INSERT … SELECT … WHERE` rather than `VALUES` so the guard rides along; the WHERE
        // also keeps SQLite from reading `ON CONFLICT` as part of the SELECT.
        let unscheduled = if np.refuse_if_scheduled {
            "NOT EXISTS (SELECT 1 FROM payment_schedules WHERE payment_id = $1 AND status = 'SCHEDULED')"
        } else {
            "1 = 1"
        };
        (
            format!(
                "INSERT INTO payments ({}) SELECT {} WHERE {unscheduled} ON CONFLICT (id) DO NOTHING",
                names.join(", "),
                placeholders.join(", ")
            ),
            format!(
                "UPDATE payments SET {} WHERE id = $1 AND status = 'FAILED' AND {unscheduled}",
                sets.join(", ")
            ),
        )
    });
    let args: Vec<Arg> = cols.iter().map(|(_, a)| a.clone()).collect();
    if st.db.execute(insert, args).await? == 1 {
        return Ok(Claim::Claimed { transaction_id });
    }
    // A payment that failed for certain may be tried again under the same id.
    let args: Vec<Arg> = cols.into_iter().map(|(_, a)| a).collect();
    if st.db.execute(retry, args).await? == 1 {
        // Earlier failed cancellations of an earlier attempt are irrelevant; none can exist
        // for a FAILED payment.
        return Ok(Claim::Claimed { transaction_id });
    }
    if np.refuse_if_scheduled && is_scheduled(st, &np.id).await? {
        return Ok(Claim::Scheduled);
    }
    match load(st, &np.id).await? {
        Some(p) => Ok(Claim::Existing(Box::new(p))),
        // Deleted between the two statements: nothing to report but a conflict.
        None => Ok(Claim::Existing(Box::new(PaymentRow {
            status: status::READY.into(),
            ..placeholder_row(&np.id)
        }))),
    }
}

fn placeholder_row(id: &str) -> PaymentRow {
    PaymentRow {
        id: id.to_string(),
        store_id: String::new(),
        transaction_id: String::new(),
        kind: String::new(),
        status: String::new(),
        outcome_unknown: false,
        channel_key: None,
        channel_json: None,
        channel_group_json: None,
        method_json: None,
        billing_key: None,
        schedule_id: None,
        order_name: String::new(),
        currency: String::new(),
        amount_total: 0,
        amount_tax_free: 0,
        amount_vat: 0,
        amount_supply: 0,
        amount_cancelled: 0,
        amount_cancelled_tax_free: 0,
        amount_cancelled_vat: 0,
        customer_json: None,
        custom_data: None,
        extra_json: None,
        notice_urls_json: None,
        skip_webhook: false,
        order_date: None,
        pg_tx_id: None,
        paid_at: None,
        failed_at: None,
        failure_json: None,
        cancelled_at: None,
        cancel_count: 0,
        cancel_lock: None,
        requested_at: 0,
        updated_at: 0,
        status_changed_at: 0,
        reconcile_at: None,
    }
}

/// The answer to a request whose `paymentId` is taken.
pub fn existing_error(p: &PaymentRow) -> ApiError {
    match p.status.as_str() {
        status::READY | status::PAY_PENDING => ApiError::conflict(
            "ALREADY_PAID_OR_WAITING",
            format!(
                "payment `{}` is already being processed ({}); its outcome comes by webhook or GET /payments/{}",
                p.id, p.status, p.id
            ),
        ),
        _ => ApiError::conflict(
            "ALREADY_PAID",
            format!("payment `{}` is already paid ({})", p.id, p.status),
        ),
    }
}

/// A state change of a payment after the PG answered (or the reconciler found out).
#[derive(Debug, Clone)]
pub enum Transition {
    /// Paid.
    Paid {
        /// PG TID.
        pg_tx_id: Option<String>,
        /// When.
        paid_at: DateTime<Utc>,
        /// Method details from the PG to merge into the stored method.
        method_patch: Option<Value>,
    },
    /// Virtual account issued.
    VirtualAccountIssued {
        /// PG TID.
        pg_tx_id: Option<String>,
        /// Method details (account number, bank, expiry).
        method_patch: Option<Value>,
    },
    /// Failed for certain.
    Failed {
        /// PortOne `failure {reason, pgCode?, pgMessage?}`.
        failure: Value,
    },
    /// Accepted at the PG, result later.
    Pending {
        /// PG TID.
        pg_tx_id: Option<String>,
        /// Next inquiry.
        retry_at: DateTime<Utc>,
    },
    /// Sent, no usable answer.
    Unknown {
        /// Next inquiry.
        retry_at: DateTime<Utc>,
    },
}

/// What a transition needs to know of its payment besides the ids: the columns an attempt
/// never changes (only a new claim, with a new `transaction_id`, rewrites them) and the
/// status before.
pub struct Known {
    /// Status before the transition (`READY` / `PAY_PENDING`).
    pub status: String,
    /// The stored method JSON (a transition's `method_patch` is merged into it).
    pub method_json: Option<String>,
    /// storeId.
    pub store_id: String,
    /// Where its webhooks go.
    pub dest: Destination,
    /// The schedule it runs for.
    pub schedule_id: Option<String>,
}

impl Known {
    /// What the claim of `np` wrote (a payment this request just claimed).
    pub fn claimed(np: &NewPayment) -> Known {
        Known {
            status: status::READY.into(),
            method_json: np.method_json.clone(),
            store_id: np.store_id.clone(),
            dest: Destination {
                notice_urls: np.notice_urls.clone(),
                skip: np.skip_webhook,
            },
            schedule_id: np.schedule_id.clone(),
        }
    }
}

/// Apply a transition to a payment still in flight (`READY`/`PAY_PENDING`) for the attempt
/// `transaction_id`, with its webhook and the schedule's status, in one transaction.
/// `false` when the payment had already moved on (someone else settled it).
pub async fn apply(
    st: &AppState,
    payment_id: &str,
    transaction_id: &str,
    t: &Transition,
) -> Result<bool, sqlx::Error> {
    let prev = st
        .db
        .fetch_optional(
            "SELECT status, method_json, store_id, notice_urls_json, skip_webhook, schedule_id \
             FROM payments WHERE id = $1 AND transaction_id = $2",
            crate::args![payment_id, transaction_id],
        )
        .await?;
    let Some(prev) = prev else {
        return Ok(false);
    };
    let known = Known {
        status: prev.req_text("status")?,
        method_json: prev.text("method_json")?,
        store_id: prev.req_text("store_id")?,
        dest: Destination::from_columns(
            prev.text("notice_urls_json")?.as_deref(),
            prev.flag("skip_webhook")?,
        ),
        schedule_id: prev.text("schedule_id")?,
    };
    apply_known(st, payment_id, transaction_id, t, &known).await
}

/// [`apply`] for a payment whose [`Known`] columns the caller has (no read). Read outside
/// the write is safe: the update is guarded by `transaction_id` and an in-flight status, and
/// the known columns are fixed for an attempt.
pub async fn apply_known(
    st: &AppState,
    payment_id: &str,
    transaction_id: &str,
    t: &Transition,
    known: &Known,
) -> Result<bool, sqlx::Error> {
    let now = util::now();
    let nu = util::micros(now);
    let guard = "WHERE id = $1 AND transaction_id = $2 AND status IN ('READY', 'PAY_PENDING')";
    let merged = |patch: &Option<Value>| -> Option<String> {
        let patch = patch.as_ref()?;
        let mut base = util::parse_json(known.method_json.as_deref());
        merge(&mut base, patch);
        util::to_json_text(&base)
    };
    let (sql, args, event, schedule_status) = match t {
        Transition::Paid {
            pg_tx_id,
            paid_at,
            method_patch,
        } => (
            format!("UPDATE payments SET status = 'PAID', outcome_unknown = 0, pg_tx_id = COALESCE($3, pg_tx_id), paid_at = $4, \
                     method_json = COALESCE($5, method_json), updated_at = $6, status_changed_at = $6, reconcile_at = NULL {guard}"),
            crate::args![payment_id, transaction_id, pg_tx_id.clone(), util::micros(*paid_at), merged(method_patch), nu],
            Some(webhooks::TRANSACTION_PAID),
            Some("SUCCEEDED"),
        ),
        Transition::VirtualAccountIssued {
            pg_tx_id,
            method_patch,
        } => (
            format!("UPDATE payments SET status = 'VIRTUAL_ACCOUNT_ISSUED', outcome_unknown = 0, pg_tx_id = COALESCE($3, pg_tx_id), \
                     method_json = COALESCE($4, method_json), updated_at = $5, status_changed_at = $5, reconcile_at = NULL {guard}"),
            crate::args![payment_id, transaction_id, pg_tx_id.clone(), merged(method_patch), nu],
            Some(webhooks::TRANSACTION_VIRTUAL_ACCOUNT_ISSUED),
            Some("SUCCEEDED"),
        ),
        Transition::Failed { failure } => (
            format!("UPDATE payments SET status = 'FAILED', outcome_unknown = 0, failed_at = $3, failure_json = $4, \
                     updated_at = $3, status_changed_at = $3, reconcile_at = NULL {guard}"),
            crate::args![payment_id, transaction_id, nu, failure.to_string()],
            Some(webhooks::TRANSACTION_FAILED),
            Some("FAILED"),
        ),
        Transition::Pending { pg_tx_id, retry_at } => (
            format!("UPDATE payments SET status = 'PAY_PENDING', outcome_unknown = 0, pg_tx_id = COALESCE($3, pg_tx_id), \
                     updated_at = $4, status_changed_at = $4, reconcile_at = $5 {guard}"),
            crate::args![payment_id, transaction_id, pg_tx_id.clone(), nu, util::micros(*retry_at)],
            (known.status != status::PAY_PENDING).then_some(webhooks::TRANSACTION_PAY_PENDING),
            Some("PENDING"),
        ),
        Transition::Unknown { retry_at } => (
            format!("UPDATE payments SET status = 'PAY_PENDING', outcome_unknown = 1, \
                     updated_at = $3, status_changed_at = $3, reconcile_at = $4 {guard}"),
            crate::args![payment_id, transaction_id, nu, util::micros(*retry_at)],
            None,
            Some("PENDING"),
        ),
    };
    let event = event.filter(|_| !webhooks::targets(st, &known.dest).is_empty());
    let schedule = known.schedule_id.as_deref().zip(schedule_status);
    if event.is_none() && schedule.is_none() {
        // Nothing to write with it: one statement, no transaction (two round trips fewer on
        // PostgreSQL).
        return Ok(st.db.execute(&sql, args).await? == 1);
    }
    let mut tx = st.db.begin().await?;
    if tx.execute(&sql, args).await? != 1 {
        return Ok(false);
    }
    if let Some(event) = event {
        let data = webhooks::transaction_data(&known.store_id, payment_id, transaction_id, None);
        webhooks::enqueue(&mut tx, st, event, data, &known.dest).await?;
    }
    if let Some((sid, ss)) = schedule {
        let completed = (ss != "PENDING").then_some(nu);
        tx.execute(
            "UPDATE payment_schedules SET status = $2, completed_at = $3 WHERE id = $1 AND status IN ('STARTED', 'PENDING')",
            crate::args![sid, ss, completed],
        )
        .await?;
    }
    tx.commit().await?;
    Ok(true)
}

fn merge(base: &mut Value, patch: &Value) {
    match (base, patch) {
        (Value::Object(b), Value::Object(p)) => {
            for (k, v) in p {
                merge(b.entry(k.clone()).or_insert(Value::Null), v);
            }
        }
        (b, p) => *b = p.clone(),
    }
}

/// What the PG's answer to a payment means, as HTTP and as a transition.
pub fn settle(
    payment_id: &str,
    result: &Result<Outcome, PgError>,
    retry_at: DateTime<Utc>,
) -> (Transition, Result<Value, ApiError>) {
    let now = util::now();
    match result {
        Ok(Outcome::Approved(a)) => {
            let paid_at = a.at.map(|t| t.with_timezone(&Utc)).unwrap_or(now);
            let mut patch = Map::new();
            if let ApprovedDetail::Payment {
                approval_number,
                card,
                installment_month,
                ..
            } = &a.detail
            {
                if let Some(n) = approval_number {
                    patch.insert("approvalNumber".into(), json!(n));
                }
                if let Some(c) = card {
                    let mut cm = Map::new();
                    put(&mut cm, "issuer", json!(c.issuer_code));
                    put(&mut cm, "publisher", json!(c.acquirer_code));
                    put(&mut cm, "name", json!(c.issuer_name));
                    if !cm.is_empty() {
                        patch.insert("card".into(), Value::Object(cm));
                    }
                }
                if let Some(m) = installment_month.filter(|m| *m > 0) {
                    patch.insert(
                        "installment".into(),
                        json!({"month": m, "isInterestFree": false}),
                    );
                }
            }
            let t = Transition::Paid {
                pg_tx_id: a.pg_tx_id.clone(),
                paid_at,
                method_patch: (!patch.is_empty()).then_some(Value::Object(patch)),
            };
            let body = json!({"payment": {"pgTxId": a.pg_tx_id, "paidAt": util::rfc3339(paid_at)}});
            (t, Ok(body))
        }
        Ok(Outcome::VirtualAccountIssued(v)) => {
            let issued = v.issued_at.map(|t| t.with_timezone(&Utc)).unwrap_or(now);
            let mut patch = Map::new();
            patch.insert("accountNumber".into(), json!(v.account_number));
            put(&mut patch, "bank", json!(v.bank));
            put(&mut patch, "remitteeName", json!(v.remittee_name));
            put(
                &mut patch,
                "expiredAt",
                json!(v.expires_at.map(|t| util::rfc3339(t.with_timezone(&Utc)))),
            );
            patch.insert("issuedAt".into(), json!(util::rfc3339(issued)));
            let t = Transition::VirtualAccountIssued {
                pg_tx_id: v.pg_tx_id.clone(),
                method_patch: Some(Value::Object(patch)),
            };
            let body = json!({"payment": {"pgTxId": v.pg_tx_id, "paidAt": util::rfc3339(issued)}});
            (t, Ok(body))
        }
        Ok(Outcome::Pending(p)) => (
            Transition::Pending {
                pg_tx_id: p.pg_tx_id.clone(),
                retry_at,
            },
            Err(ApiError::new(
                axum::http::StatusCode::GATEWAY_TIMEOUT,
                "PAYMENT_PENDING",
                format!(
                    "the PG accepted payment `{payment_id}` but its result comes later; it is PAY_PENDING. \
                     Check GET /payments/{payment_id} or wait for the webhook"
                ),
            )),
        ),
        Ok(Outcome::Declined(d)) => (
            Transition::Failed {
                failure: json!({
                    "reason": format!("declined by the PG ({})", d.kind),
                    "pgCode": d.pg_code,
                    "pgMessage": d.pg_message,
                }),
            },
            Err(ApiError::pg_provider(
                format!("the PG declined the payment ({})", d.kind),
                &d.pg_code,
                &d.pg_message,
            )),
        ),
        Ok(Outcome::Unknown(_)) => (
            Transition::Unknown { retry_at },
            Err(ApiError::outcome_unknown(payment_id)),
        ),
        Err(e) if e.is_certainly_not_sent() => (
            Transition::Failed {
                failure: json!({"reason": e.to_string()}),
            },
            Err(not_sent_error(e)),
        ),
        Err(_) => (
            Transition::Unknown { retry_at },
            Err(ApiError::outcome_unknown(payment_id)),
        ),
    }
}

/// The answer for an error raised before anything reached the PG.
pub fn not_sent_error(e: &PgError) -> ApiError {
    match e {
        PgError::Validation(v) => ApiError::validation(v),
        PgError::Unsupported { .. } | PgError::Wire(_) => ApiError::invalid(e.to_string()),
        PgError::Config(_) => ApiError::pg_provider(
            "the channel is misconfigured; nothing was sent to the PG",
            "PAYMUX_CHANNEL_CONFIG",
            &e.to_string(),
        ),
        _ => ApiError::pg_provider(
            "the PG could not be reached; nothing was sent, it is safe to retry",
            PG_CODE_NOT_SENT,
            &e.to_string(),
        ),
    }
}

/// Map a routing decision that could not be made.
pub fn routing_error(e: &RoutingError) -> ApiError {
    match e {
        RoutingError::AllChannelsFailed { failures } => {
            ApiError::channel_specific(e.to_string(), failures, &[])
        }
        // The request, not the configuration, is what no channel accepts: one 400 naming
        // each channel and the rule it broke.
        _ if e.skipped().iter().any(SkippedChannel::is_refusal) => ApiError::invalid(e.to_string()),
        _ => ApiError::not_found("CHANNEL_NOT_FOUND", e.to_string()),
    }
}

/// The channels routing left out because their rules refuse the request, as stored with the
/// payment (`routing.refused`) so an operator can see why a payment went where it went.
pub fn refused_json(refused: &[SkippedChannel]) -> Value {
    if refused.is_empty() {
        return Value::Null;
    }
    let list: Vec<Value> = refused
        .iter()
        .map(|r| {
            let rule = match &r.reason {
                SkipReason::Refused { rule } => rule.clone(),
                other => SkippedChannel {
                    channel_key: String::new(),
                    reason: other.clone(),
                }
                .to_string(),
            };
            json!({"channelKey": r.channel_key, "rule": rule})
        })
        .collect();
    json!({ "refused": list })
}

/// Encode the request for the plan's first channel. With failover on, a channel whose encoder
/// refuses (nothing sent) is passed over like one whose rules refuse, and the next is tried.
fn precheck_plan(
    st: &AppState,
    plan: &mut Plan<'_>,
    now_kst: DateTime<FixedOffset>,
    requests: &Requests,
) -> Result<Option<Prechecked>, ApiError> {
    loop {
        let primary = plan.primary();
        let (Some(entry), Some(req)) = (st.channels.get(primary), requests.for_channel(primary))
        else {
            return Ok(None);
        };
        match st.precheck(entry, now_kst, req) {
            Ok(p) => return Ok(Some(p)),
            Err(e) => {
                let passed_over = match plan {
                    Plan::Routed(p) if e.is_certainly_not_sent() => {
                        p.pass_over_primary(e.to_string())
                    }
                    _ => false,
                };
                if !passed_over {
                    return Err(not_sent_error(&e));
                }
            }
        }
    }
}

/// Per-channel requests (billing-key payments carry each channel's PG key).
pub enum Requests {
    /// One request for every channel.
    Same(Box<PgRequest>),
    /// A request per channel key.
    PerChannel(Vec<(String, PgRequest)>),
}

impl Requests {
    fn for_channel(&self, key: &str) -> Option<&PgRequest> {
        match self {
            Requests::Same(r) => Some(r),
            Requests::PerChannel(v) => v.iter().find(|(k, _)| k == key).map(|(_, r)| r),
        }
    }
}

/// How the channel is chosen.
pub enum Plan<'a> {
    /// One channel.
    Single(String),
    /// Routed through a group.
    Routed(FailoverPlan<'a>),
}

impl Plan<'_> {
    fn primary(&self) -> &str {
        match self {
            Plan::Single(k) => k,
            Plan::Routed(p) => p.primary(),
        }
    }

    /// Channels left out because their rules refuse the request.
    fn refused(&self) -> &[SkippedChannel] {
        match self {
            Plan::Single(_) => &[],
            Plan::Routed(p) => p.refused(),
        }
    }
}

/// Record the channel an attempt goes to (unless the row already names it: the claim records
/// the first channel), then call the PG (sending what the precheck encoded when it was for
/// this channel).
#[allow(clippy::too_many_arguments)]
async fn attempt(
    st: &AppState,
    payment_id: &str,
    transaction_id: &str,
    channel_key: &str,
    recorded: &Mutex<Option<String>>,
    now_kst: DateTime<FixedOffset>,
    req: Option<&PgRequest>,
    prechecked: Option<Prechecked>,
) -> Result<Outcome, PgError> {
    let Some(entry) = st.channels.get(channel_key) else {
        return Err(PgError::NotSent {
            reason: format!("channel `{channel_key}` is not configured"),
        });
    };
    let Some(req) = req else {
        return Err(PgError::NotSent {
            reason: format!("the billing key holds no key on channel `{channel_key}`"),
        });
    };
    let already = lock(recorded).as_deref() == Some(channel_key);
    if !already {
        let channel_json = util::to_json_text(&entry.selected());
        if let Err(e) = st
            .db
            .execute(
                "UPDATE payments SET channel_key = $3, channel_json = $4, updated_at = $5 WHERE id = $1 AND transaction_id = $2",
                crate::args![payment_id, transaction_id, channel_key, channel_json, util::micros(util::now())],
            )
            .await
        {
            tracing::error!(error = %e, payment_id, "could not record the channel; not sending");
            return Err(PgError::NotSent {
                reason: "the gateway could not record the attempt".into(),
            });
        }
        *lock(recorded) = Some(channel_key.to_string());
    }
    tracing::info!(payment_id, transaction_id, channel = channel_key, op = %req.operation(), "calling PG");
    st.call_prechecked(entry, now_kst, req, prechecked).await
}

fn lock(m: &Mutex<Option<String>>) -> std::sync::MutexGuard<'_, Option<String>> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Run a claimed payment through its plan and settle it. Returns the HTTP answer and the
/// final status.
async fn execute_claimed(
    st: &AppState,
    np: &NewPayment,
    transaction_id: &str,
    plan: Plan<'_>,
    requests: &Requests,
    now: DateTime<Utc>,
    mut prechecked: Option<Prechecked>,
) -> (Result<Value, ApiError>, &'static str) {
    let payment_id = np.id.as_str();
    let now_kst = now.with_timezone(&kst());
    // The channel the row names now: the claim recorded the precheck's channel
    // (`NewPayment::first_channel`). Attempts are sequential.
    let recorded = Mutex::new(prechecked.as_ref().map(|p| p.channel_key().to_string()));
    let result = match plan {
        Plan::Single(key) => {
            attempt(
                st,
                payment_id,
                transaction_id,
                &key,
                &recorded,
                now_kst,
                requests.for_channel(&key),
                prechecked,
            )
            .await
        }
        Plan::Routed(p) => {
            let routed = p
                .run(Some(&st.health), |c| {
                    // The precheck encoded for the primary; any other channel encodes its own.
                    let mine = match &prechecked {
                        Some(pre) if pre.is_for(c.channel_key) => prechecked.take(),
                        _ => None,
                    };
                    attempt(
                        st,
                        payment_id,
                        transaction_id,
                        c.channel_key,
                        &recorded,
                        now_kst,
                        requests.for_channel(c.channel_key),
                        mine,
                    )
                })
                .await;
            if routed.attempts.len() > 1 {
                tracing::info!(
                    payment_id,
                    attempts = routed.attempts.len(),
                    channel = routed.channel_key,
                    "failed over"
                );
            }
            routed.result
        }
    };
    let retry_at = util::now()
        + chrono::Duration::from_std(st.tuning.reconcile_retry_base).unwrap_or_default();
    let (transition, answer) = settle(payment_id, &result, retry_at);
    let final_status = match &transition {
        Transition::Paid { .. } => status::PAID,
        Transition::VirtualAccountIssued { .. } => status::VIRTUAL_ACCOUNT_ISSUED,
        Transition::Failed { .. } => status::FAILED,
        Transition::Pending { .. } | Transition::Unknown { .. } => status::PAY_PENDING,
    };
    // This request claimed the row: what a transition needs of it is known, no read.
    match apply_known(
        st,
        payment_id,
        transaction_id,
        &transition,
        &Known::claimed(np),
    )
    .await
    {
        Ok(true) => (answer, final_status),
        Ok(false) => {
            // Settled meanwhile (the reconciler asked the PG first): answer from the record.
            match load(st, payment_id).await {
                Ok(Some(p)) => (answer_from_row(&p), status_const(&p.status)),
                _ => (
                    Err(ApiError::outcome_unknown(payment_id)),
                    status::PAY_PENDING,
                ),
            }
        }
        Err(e) => {
            // The PG answered but the answer could not be recorded: the row keeps its
            // reconcile_at, and the reconciler will ask the PG again. Never report failure.
            tracing::error!(error = %e, payment_id, "could not record the PG's answer; left to the reconciler");
            (
                Err(ApiError::outcome_unknown(payment_id)),
                status::PAY_PENDING,
            )
        }
    }
}

fn status_const(s: &str) -> &'static str {
    match s {
        status::PAID => status::PAID,
        status::FAILED => status::FAILED,
        status::VIRTUAL_ACCOUNT_ISSUED => status::VIRTUAL_ACCOUNT_ISSUED,
        status::PARTIAL_CANCELLED => status::PARTIAL_CANCELLED,
        status::CANCELLED => status::CANCELLED,
        status::READY => status::READY,
        _ => status::PAY_PENDING,
    }
}

/// The answer a request gets when its payment is already settled.
fn answer_from_row(p: &PaymentRow) -> Result<Value, ApiError> {
    match p.status.as_str() {
        status::PAID | status::PARTIAL_CANCELLED | status::CANCELLED => Ok(json!({
            "payment": {"pgTxId": p.pg_tx_id, "paidAt": util::time_json(p.paid_at)}
        })),
        status::FAILED => {
            let f = util::parse_json(p.failure_json.as_deref());
            Err(ApiError::pg_provider(
                f.get("reason")
                    .and_then(Value::as_str)
                    .unwrap_or("payment failed"),
                f.get("pgCode").and_then(Value::as_str).unwrap_or(""),
                f.get("pgMessage").and_then(Value::as_str).unwrap_or(""),
            ))
        }
        _ => Err(ApiError::outcome_unknown(&p.id)),
    }
}

fn extra_fields(pairs: &[(&str, Value)]) -> Option<String> {
    let mut m = Map::new();
    for (k, v) in pairs {
        put(&mut m, k, v.clone());
    }
    (!m.is_empty()).then(|| Value::Object(m).to_string())
}

/// Masked PortOne `PaymentMethod` for a keyed-in request.
fn instant_method_json(m: &InstantPaymentMethodInput) -> Value {
    match m {
        InstantPaymentMethodInput::Card(c) => {
            let masked = c.credential.number.masked_card();
            let mut v = json!({
                "type": "PaymentMethodCard",
                "card": {"number": masked, "bin": masked.get(..6).unwrap_or("")},
            });
            if let Some(month) = c.installment_month.filter(|m| *m > 0) {
                v["installment"] = json!({
                    "month": month,
                    "isInterestFree": c.use_free_interest_from_merchant.unwrap_or(false)
                        || c.use_free_installment_plan.unwrap_or(false),
                });
            }
            v
        }
        InstantPaymentMethodInput::VirtualAccount(va) => json!({
            "type": "PaymentMethodVirtualAccount",
            "bank": va.bank,
            "accountNumber": "",
            "remitteeName": va.remittee_name,
        }),
    }
}

/// Where a payment request came from (PortOne `Payment.origin`).
#[derive(Debug, Clone)]
pub struct Origin {
    /// The client's IP address (the socket peer).
    pub ip: String,
    /// The client's `User-Agent`.
    pub user_agent: Option<String>,
}

impl Origin {
    /// The scheduler's own requests.
    pub fn scheduler() -> Origin {
        Origin {
            ip: "127.0.0.1".into(),
            user_agent: Some("paymux-scheduler".into()),
        }
    }

    fn json(&self) -> Value {
        let mut m = Map::new();
        m.insert("platformType".into(), json!("API"));
        m.insert("ipAddress".into(), json!(self.ip));
        put(&mut m, "userAgent", json!(self.user_agent));
        Value::Object(m)
    }

    /// `origin` of a window payment when its session is created: a browser will pay (`PC`);
    /// the browser's own address replaces this when the window returns.
    pub fn json_for_checkout(&self) -> Value {
        json!({"platformType": "PC", "ipAddress": ""})
    }

    /// `origin` of a window payment as the customer's browser came back: `MOBILE` for a
    /// mobile user agent, else `PC`.
    pub fn json_for_browser(&self) -> Value {
        let mobile = self
            .user_agent
            .as_deref()
            .is_some_and(|ua| ua.contains("Mobi") || ua.contains("Android"));
        let mut m = Map::new();
        m.insert(
            "platformType".into(),
            json!(if mobile { "MOBILE" } else { "PC" }),
        );
        m.insert("ipAddress".into(), json!(self.ip));
        put(&mut m, "userAgent", json!(self.user_agent));
        Value::Object(m)
    }
}

/// `POST /payments/{paymentId}/instant`.
pub async fn pay_instant(
    st: &AppState,
    payment_id: &str,
    body: InstantPaymentInput,
    origin: &Origin,
) -> Result<Value, ApiError> {
    body.validated().map_err(|e| ApiError::validation(&e))?;
    let amounts = body
        .amount
        .resolve(&FieldPath::root("amount"))
        .map_err(|e| ApiError::validation(&e))?;
    let now = util::now();
    let now_kst = now.with_timezone(&kst());
    let req = PgRequest::Instant(InstantPaymentCall {
        payment_id: payment_id.to_string(),
        body: body.clone(),
    });
    let method = req.method();

    let group = match &body.channel_group_id {
        Some(gid) => Some(groups_current(st, gid).await?),
        None => None,
    };
    let mut plan = match (&body.channel_key, &group) {
        (Some(key), _) => {
            if st.channels.get(key).is_none() {
                return Err(ApiError::not_found(
                    "CHANNEL_NOT_FOUND",
                    format!("channelKey: no channel `{key}` is configured"),
                ));
            }
            Plan::Single(key.clone())
        }
        (None, Some(g)) => Plan::Routed(
            FailoverPlan::for_payment_with_rules(
                g,
                payment_id,
                Operation::PaymentInstant,
                method,
                &st.channels,
                Some(&st.health),
                |key| st.rules_verdict(key, &req),
            )
            .map_err(|e| routing_error(&e))?,
        ),
        (None, None) => return Err(ApiError::invalid("channelKey: is required")),
    };
    let requests = Requests::Same(Box::new(req));
    // The chosen channel's own rules, before anything is written; what it encodes is sent.
    let prechecked = precheck_plan(st, &mut plan, now_kst, &requests)?;

    let np = NewPayment {
        id: payment_id.to_string(),
        store_id: body.store_id.clone().unwrap_or_else(|| st.store_id.clone()),
        kind: "INSTANT",
        method_json: Some(instant_method_json(&body.method).to_string()),
        channel_group_json: group
            .as_ref()
            .and_then(|g| util::to_json_text(&g.summary())),
        billing_key: None,
        schedule_id: None,
        order_name: body.order_name.clone(),
        currency: body.currency.code().to_string(),
        amounts,
        customer_json: Some(util::customer_view(body.customer.as_ref()).to_string()),
        custom_data: body.custom_data.clone(),
        extra_json: extra_fields(&[
            ("products", json!(body.products)),
            ("productCount", json!(body.product_count)),
            ("productType", json!(body.product_type)),
            ("promotionId", json!(body.promotion_id)),
            ("isCulturalExpense", json!(body.is_cultural_expense)),
            ("country", json!(body.country)),
            ("origin", origin.json()),
            ("routing", refused_json(plan.refused())),
        ]),
        notice_urls: body.notice_urls.clone().unwrap_or_default(),
        skip_webhook: body.skip_webhook.unwrap_or(false),
        // The precheck's channel is where the first attempt goes.
        first_channel: prechecked.as_ref().map(|p| p.channel_key().to_string()),
        refuse_if_scheduled: true,
    };
    let transaction_id = match claim(st, &np, now).await? {
        Claim::Claimed { transaction_id } => transaction_id,
        Claim::Existing(p) => return Err(existing_error(&p)),
        Claim::Scheduled => return Err(scheduled_error(payment_id)),
    };
    let (answer, _) =
        execute_claimed(st, &np, &transaction_id, plan, &requests, now, prechecked).await;
    answer
}

async fn groups_current(
    st: &AppState,
    gid: &str,
) -> Result<paymux_routing::ChannelGroup, ApiError> {
    crate::groups::current(st, gid).await?.ok_or_else(|| {
        ApiError::not_found(
            "CHANNEL_NOT_FOUND",
            format!("channelGroupId: no channel group `{gid}`"),
        )
    })
}

/// Whether a `SCHEDULED` schedule holds `payment_id`.
async fn is_scheduled(st: &AppState, payment_id: &str) -> Result<bool, sqlx::Error> {
    Ok(st
        .db
        .fetch_optional(
            "SELECT id FROM payment_schedules WHERE payment_id = $1 AND status = 'SCHEDULED'",
            crate::args![payment_id],
        )
        .await?
        .is_some())
}

/// 409 `PAYMENT_SCHEDULE_ALREADY_EXISTS`: a schedule holds the `paymentId`.
pub fn scheduled_error(payment_id: &str) -> ApiError {
    ApiError::conflict(
        "PAYMENT_SCHEDULE_ALREADY_EXISTS",
        format!("payment `{payment_id}` is scheduled; revoke the schedule first"),
    )
}

/// `POST /payments/{paymentId}/billing-key`, and the scheduler's runs (`schedule_id`).
/// Returns the HTTP answer and the payment's final status.
pub async fn pay_with_billing_key(
    st: &AppState,
    payment_id: &str,
    body: BillingKeyPaymentInput,
    schedule_id: Option<&str>,
    origin: &Origin,
) -> (Result<Value, ApiError>, &'static str) {
    match pay_with_billing_key_inner(st, payment_id, body, schedule_id, origin).await {
        Ok(r) => r,
        Err(e) => (Err(e), status::FAILED),
    }
}

async fn pay_with_billing_key_inner(
    st: &AppState,
    payment_id: &str,
    body: BillingKeyPaymentInput,
    schedule_id: Option<&str>,
    origin: &Origin,
) -> Result<(Result<Value, ApiError>, &'static str), ApiError> {
    body.validated().map_err(|e| ApiError::validation(&e))?;
    let amounts = body
        .amount
        .resolve(&FieldPath::root("amount"))
        .map_err(|e| ApiError::validation(&e))?;
    let key = crate::billing_keys::load(st, &body.billing_key)
        .await?
        .ok_or_else(|| {
            ApiError::not_found(
                "BILLING_KEY_NOT_FOUND",
                format!("billingKey: no billing key `{}`", body.billing_key),
            )
        })?;
    match key.status.as_str() {
        "ISSUED" => {}
        "DELETED" => {
            return Err(ApiError::conflict(
                "BILLING_KEY_ALREADY_DELETED",
                format!("billing key `{}` was deleted", key.billing_key),
            ))
        }
        _ => {
            return Err(ApiError::not_found(
                "BILLING_KEY_NOT_FOUND",
                format!("billingKey: `{}` is not issued", key.billing_key),
            ))
        }
    }
    let keyed: Vec<String> = key
        .active_channels()
        .map(|c| c.channel_key.clone())
        .collect();
    let (requests, key_method) = billing_key_requests(payment_id, &body, &key);
    let group = match &key.channel_group_id {
        Some(gid) => crate::groups::current(st, gid).await?,
        None => None,
    };
    let mut plan = billing_key_plan(
        st,
        group.as_ref(),
        &keyed,
        body.channel_key.as_deref(),
        payment_id,
        &requests,
    )?;
    let now = util::now();
    let now_kst = now.with_timezone(&kst());
    let prechecked = precheck_plan(st, &mut plan, now_kst, &requests)?;
    let card = util::parse_json(key.method_json.as_deref());
    let method_json = match key_method {
        Method::Mobile => json!({"type": "PaymentMethodMobile"}),
        _ => {
            json!({"type": "PaymentMethodCard", "card": card.get("card").cloned().unwrap_or(Value::Null)})
        }
    };
    let np = NewPayment {
        id: payment_id.to_string(),
        store_id: body
            .store_id
            .clone()
            .unwrap_or_else(|| key.store_id.clone()),
        kind: "BILLING_KEY",
        method_json: Some(method_json.to_string()),
        channel_group_json: group
            .as_ref()
            .and_then(|g| util::to_json_text(&g.summary())),
        billing_key: Some(key.billing_key.clone()),
        schedule_id: schedule_id.map(str::to_string),
        order_name: body.order_name.clone(),
        currency: body.currency.code().to_string(),
        amounts,
        customer_json: Some(
            match &body.customer {
                Some(c) => util::customer_view(Some(c)),
                None => util::parse_json(key.customer_json.as_deref()),
            }
            .to_string(),
        ),
        custom_data: body.custom_data.clone(),
        extra_json: extra_fields(&[
            ("products", json!(body.products)),
            ("productCount", json!(body.product_count)),
            ("productType", json!(body.product_type)),
            ("promotionId", json!(body.promotion_id)),
            ("country", json!(body.country)),
            ("origin", origin.json()),
            ("routing", refused_json(plan.refused())),
        ]),
        notice_urls: body.notice_urls.clone().unwrap_or_default(),
        skip_webhook: body.skip_webhook.unwrap_or(false),
        // The precheck's channel is where the first attempt goes.
        first_channel: prechecked.as_ref().map(|p| p.channel_key().to_string()),
        // The scheduler's own run is the schedule's payment.
        refuse_if_scheduled: schedule_id.is_none(),
    };
    let transaction_id = match claim(st, &np, now).await? {
        Claim::Claimed { transaction_id } => transaction_id,
        Claim::Existing(p) => return Err(existing_error(&p)),
        Claim::Scheduled => return Err(scheduled_error(payment_id)),
    };
    Ok(execute_claimed(st, &np, &transaction_id, plan, &requests, now, prechecked).await)
}

/// One charge request per channel holding the billing key, and the method the key charges
/// with.
fn billing_key_requests(
    payment_id: &str,
    body: &BillingKeyPaymentInput,
    key: &crate::billing_keys::KeyRow,
) -> (Requests, Method) {
    // A key issued through a mobile window (billing-key-and-pay) charges as a mobile payment.
    let key_method = match util::parse_json(key.method_json.as_deref())
        .get("type")
        .and_then(Value::as_str)
    {
        Some("BillingKeyPaymentMethodMobile") => Method::Mobile,
        _ => Method::Card,
    };
    let requests = Requests::PerChannel(
        key.active_channels()
            .map(|c| {
                (
                    c.channel_key.clone(),
                    PgRequest::PayWithBillingKey(BillingKeyPaymentCall {
                        payment_id: payment_id.to_string(),
                        body: body.clone(),
                        prior: PriorTransaction {
                            pg_billing_key: c.pg_billing_key.clone().map(Secret::new),
                            pg_tx_id: c.pg_tx_id.clone(),
                            method: Some(key_method),
                            ..PriorTransaction::default()
                        },
                    }),
                )
            })
            .collect(),
    );
    (requests, key_method)
}

/// How a billing-key payment is routed: through the key's group (rule-aware, among the
/// channels holding a key), or on the one channel named or holding the key.
pub fn billing_key_plan<'a>(
    st: &AppState,
    group: Option<&'a paymux_routing::ChannelGroup>,
    keyed: &'a [String],
    channel_key: Option<&str>,
    payment_id: &str,
    requests: &Requests,
) -> Result<Plan<'a>, ApiError> {
    Ok(match group {
        Some(g) => Plan::Routed(
            FailoverPlan::for_billing_key_with_rules(
                g,
                keyed,
                channel_key,
                payment_id,
                Some(&st.health),
                |k| match requests.for_channel(k) {
                    Some(r) => st.rules_verdict(k, r),
                    None => Err("the billing key holds no key on this channel".into()),
                },
            )
            .map_err(|e| routing_error(&e))?,
        ),
        None => {
            let chosen = match channel_key {
                Some(k) if keyed.iter().any(|x| x == k) => k.to_string(),
                Some(k) => {
                    return Err(ApiError::not_found(
                        "CHANNEL_NOT_FOUND",
                        format!(
                            "channelKey `{k}`: the billing key was not issued on this channel (issued on: {})",
                            keyed.join(", ")
                        ),
                    ))
                }
                None => keyed.first().cloned().ok_or_else(|| {
                    ApiError::not_found(
                        "CHANNEL_NOT_FOUND",
                        "the billing key holds no usable channel",
                    )
                })?,
            };
            Plan::Single(chosen)
        }
    })
}

/// Whether some channel would take this billing-key payment now (the rule-aware routing the
/// payment itself will use): a schedule no channel could ever run is refused when it is
/// created, with each channel and the rule it broke. The payment is routed again when it runs.
pub async fn check_billing_key_payment(
    st: &AppState,
    payment_id: &str,
    body: &BillingKeyPaymentInput,
    key: &crate::billing_keys::KeyRow,
) -> Result<(), ApiError> {
    let keyed: Vec<String> = key
        .active_channels()
        .map(|c| c.channel_key.clone())
        .collect();
    let (requests, _) = billing_key_requests(payment_id, body, key);
    let group = match &key.channel_group_id {
        Some(gid) => crate::groups::current(st, gid).await?,
        None => None,
    };
    let plan = billing_key_plan(
        st,
        group.as_ref(),
        &keyed,
        body.channel_key.as_deref(),
        payment_id,
        &requests,
    )?;
    if let Plan::Single(k) = &plan {
        if let Some(r) = requests.for_channel(k) {
            st.rules_verdict(k, r).map_err(|rule| {
                ApiError::invalid(format!("channel `{k}` refuses the payment: {rule}"))
            })?;
        }
    }
    Ok(())
}

/// `GET /payments/{paymentId}`: the PortOne `Payment`.
pub async fn get(
    st: &AppState,
    payment_id: &str,
    store_id: Option<&str>,
) -> Result<Value, ApiError> {
    let p = load(st, payment_id)
        .await?
        .filter(|p| store_id.map_or(true, |s| s == p.store_id));
    let Some(p) = p else {
        return Err(ApiError::not_found(
            "PAYMENT_NOT_FOUND",
            format!("no payment `{payment_id}`"),
        ));
    };
    let cancels = crate::cancel::list(st, payment_id).await?;
    Ok(view(st, &p, &cancels))
}

/// The PortOne `Payment` object of a stored payment.
pub fn view(st: &AppState, p: &PaymentRow, cancels: &[crate::cancel::CancellationRow]) -> Value {
    let mut m = Map::new();
    m.insert("status".into(), json!(p.status));
    m.insert("id".into(), json!(p.id));
    m.insert("transactionId".into(), json!(p.transaction_id));
    m.insert("merchantId".into(), json!(st.merchant_id));
    m.insert("storeId".into(), json!(p.store_id));
    put(&mut m, "method", util::parse_json(p.method_json.as_deref()));
    put(
        &mut m,
        "channel",
        util::parse_json(p.channel_json.as_deref()),
    );
    put(
        &mut m,
        "channelGroup",
        util::parse_json(p.channel_group_json.as_deref()),
    );
    m.insert("version".into(), json!("V2"));
    put(&mut m, "scheduleId", json!(p.schedule_id));
    put(&mut m, "billingKey", json!(p.billing_key));
    m.insert("requestedAt".into(), util::time_json(Some(p.requested_at)));
    m.insert("updatedAt".into(), util::time_json(Some(p.updated_at)));
    m.insert(
        "statusChangedAt".into(),
        util::time_json(Some(p.status_changed_at)),
    );
    m.insert("orderName".into(), json!(p.order_name));
    let paid = if p.is_paid() { p.amount_total } else { 0 };
    m.insert(
        "amount".into(),
        json!({
            "total": p.amount_total,
            "taxFree": p.amount_tax_free,
            "vat": p.amount_vat,
            "supply": p.amount_supply,
            "discount": 0,
            "paid": paid,
            "cancelled": p.amount_cancelled,
            "cancelledTaxFree": p.amount_cancelled_tax_free,
        }),
    );
    m.insert("currency".into(), json!(p.currency));
    let customer = util::parse_json(p.customer_json.as_deref());
    m.insert(
        "customer".into(),
        if customer.is_null() {
            json!({})
        } else {
            customer
        },
    );
    if let Value::Object(extra) = util::parse_json(p.extra_json.as_deref()) {
        for (k, v) in extra {
            if k != "productType" {
                put(&mut m, &k, v);
            }
        }
    }
    if !m.contains_key("origin") {
        m.insert(
            "origin".into(),
            json!({"platformType": "API", "ipAddress": ""}),
        );
    }
    put(&mut m, "customData", json!(p.custom_data));
    match p.status.as_str() {
        status::PAID => {
            m.insert("paidAt".into(), util::time_json(p.paid_at));
            put(&mut m, "pgTxId", json!(p.pg_tx_id));
            m.insert("disputes".into(), json!([]));
        }
        status::PARTIAL_CANCELLED | status::CANCELLED => {
            m.insert("paidAt".into(), util::time_json(p.paid_at));
            put(&mut m, "pgTxId", json!(p.pg_tx_id));
            m.insert(
                "cancelledAt".into(),
                util::time_json(p.cancelled_at.or(Some(p.status_changed_at))),
            );
        }
        status::FAILED => {
            m.insert("failedAt".into(), util::time_json(p.failed_at));
            let f = util::parse_json(p.failure_json.as_deref());
            m.insert("failure".into(), if f.is_null() { json!({}) } else { f });
        }
        status::PAY_PENDING | status::VIRTUAL_ACCOUNT_ISSUED => {
            put(&mut m, "pgTxId", json!(p.pg_tx_id));
        }
        _ => {}
    }
    if !cancels.is_empty()
        || matches!(
            p.status.as_str(),
            status::PARTIAL_CANCELLED | status::CANCELLED
        )
    {
        m.insert(
            "cancellations".into(),
            Value::Array(
                cancels
                    .iter()
                    .map(crate::cancel::CancellationRow::view)
                    .collect(),
            ),
        );
    }
    Value::Object(m)
}
