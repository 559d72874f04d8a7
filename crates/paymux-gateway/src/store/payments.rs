//! The `payments` table: a payment's row, its claim, and its transitions (each with its
//! webhook and its schedule's status, in one unit of work).
//!
//! **The claim.** A payment row is written *before* any PG is called: an
//! `INSERT ... ON CONFLICT (id) DO NOTHING` claims the `paymentId`, so of concurrent duplicate
//! requests exactly one reaches the PG. A `FAILED` payment may be claimed again under a new
//! `transactionId` (`UPDATE ... WHERE status = 'FAILED'`). A claimed row carries
//! `reconcile_at` from the start, so a gateway that dies mid-request leaves a row the
//! reconciler resolves later.

use std::sync::OnceLock;

use chrono::{DateTime, Utc};
use paymux_core::adapter::kst;
use paymux_core::money::AmountBreakdown;
use serde_json::{json, Map, Value};

use super::db::{Arg, Db, Row};
use super::outbox::{self, Event};
use super::payment_search as search;
use crate::domain::{Destination, Failure, MethodUpdate, PaymentKind, PaymentStatus, Transition};
use crate::util::{self, put};

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
    /// The first channel's `SelectedChannel` JSON.
    pub first_channel_json: Option<String>,
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
/// `stale` is when the reconciler may look at the row if nothing settles it first.
pub async fn claim(
    db: &Db,
    np: &NewPayment,
    now: DateTime<Utc>,
    stale: DateTime<Utc>,
) -> Result<Claim, sqlx::Error> {
    let transaction_id = uuid::Uuid::new_v4().hyphenated().to_string();
    let t = util::micros(now);
    let cols: Vec<(&str, Arg)> = vec![
        ("id", np.id.clone().into()),
        ("store_id", np.store_id.clone().into()),
        ("transaction_id", transaction_id.clone().into()),
        ("kind", np.kind.as_str().into()),
        ("status", PaymentStatus::Ready.as_str().into()),
        ("outcome_unknown", 0i64.into()),
        ("channel_key", np.first_channel.clone().into()),
        ("channel_json", np.first_channel_json.clone().into()),
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
        (
            "method_type",
            search::method_type(np.method_json.as_deref()).into(),
        ),
        (
            "card_last4",
            search::card_last4(np.method_json.as_deref()).into(),
        ),
        (
            "customer_name",
            search::customer_field(np.customer_json.as_deref(), "name").into(),
        ),
        (
            "customer_email",
            search::customer_field(np.customer_json.as_deref(), "email").into(),
        ),
        (
            "customer_phone",
            search::customer_field(np.customer_json.as_deref(), "phoneNumber").into(),
        ),
        ("search_ready", 1i64.into()),
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
    if db.execute(insert, args).await? == 1 {
        return Ok(Claim::Claimed { transaction_id });
    }
    // A payment that failed for certain may be tried again under the same id; the failed
    // attempt is kept first (idempotent: a lost race leaves a true record of it).
    super::attempts::keep_failed_claim(db, &np.id).await?;
    let args: Vec<Arg> = cols.into_iter().map(|(_, a)| a).collect();
    if db.execute(retry, args).await? == 1 {
        // Earlier failed cancellations of an earlier attempt are irrelevant; none can exist
        // for a FAILED payment.
        return Ok(Claim::Claimed { transaction_id });
    }
    if np.refuse_if_scheduled && super::schedules::holds_payment(db, &np.id).await? {
        return Ok(Claim::Scheduled);
    }
    match load(db, &np.id).await? {
        Some(p) => Ok(Claim::Existing(Box::new(p))),
        // Deleted between the two statements: nothing to report but a conflict.
        None => Ok(Claim::Existing(Box::new(placeholder_row(&np.id)))),
    }
}

fn placeholder_row(id: &str) -> PaymentRow {
    PaymentRow {
        id: id.to_string(),
        store_id: String::new(),
        transaction_id: String::new(),
        kind: PaymentKind::Instant,
        status: PaymentStatus::Ready,
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
        receipt_url: None,
        paid_at: None,
        failed_at: None,
        failure: None,
        cancelled_at: None,
        cancel_count: 0,
        requested_at: 0,
        updated_at: 0,
        status_changed_at: 0,
    }
}

/// What a transition needs to know of its payment besides the ids: the columns an attempt
/// never changes (only a new claim, with a new `transaction_id`, rewrites them) and the
/// status before.
#[derive(Debug, Clone)]
pub struct Known {
    /// Status before the transition (`READY` / `PAY_PENDING`).
    pub status: PaymentStatus,
    /// The stored method JSON (a transition's method update is merged into it).
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
            status: PaymentStatus::Ready,
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

/// What a transition of the attempt `transaction_id` needs to know of its payment (`None`
/// when the payment has a newer attempt, or none).
pub async fn load_known(
    db: &Db,
    payment_id: &str,
    transaction_id: &str,
) -> Result<Option<Known>, sqlx::Error> {
    let prev = db
        .fetch_optional(
            "SELECT status, method_json, store_id, notice_urls_json, skip_webhook, schedule_id \
             FROM payments WHERE id = $1 AND transaction_id = $2",
            crate::args![payment_id, transaction_id],
        )
        .await?;
    let Some(prev) = prev else {
        return Ok(None);
    };
    Ok(Some(Known {
        status: prev.spelled("status", PaymentStatus::parse)?,
        method_json: prev.text("method_json")?,
        store_id: prev.req_text("store_id")?,
        dest: Destination::from_columns(
            prev.text("notice_urls_json")?.as_deref(),
            prev.flag("skip_webhook")?,
        ),
        schedule_id: prev.text("schedule_id")?,
    }))
}

/// Apply a transition to a payment still in flight (`READY`/`PAY_PENDING`) for the attempt
/// `transaction_id`, with its webhook `event` and the schedule's status, in one unit of work.
/// `false` when the payment had already moved on (someone else settled it). `known` may have
/// been read outside the write: the update is guarded by `transaction_id` and an in-flight
/// status, and the known columns are fixed for an attempt.
pub async fn apply(
    db: &Db,
    payment_id: &str,
    transaction_id: &str,
    t: &Transition,
    known: &Known,
    event: Option<&Event>,
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let nu = util::micros(now);
    let guard = "WHERE id = $1 AND transaction_id = $2 AND status IN ('READY', 'PAY_PENDING')";
    let merged = |update: &Option<MethodUpdate>| -> Option<String> {
        let patch = method_patch(update.as_ref()?)?;
        let mut base = util::parse_json(known.method_json.as_deref());
        merge(&mut base, &patch);
        util::to_json_text(&base)
    };
    let (sql, args) = match t {
        Transition::Paid {
            pg_tx_id,
            paid_at,
            method,
            receipt_url,
        } => {
            let m = merged(method);
            (
                format!("UPDATE payments SET status = 'PAID', outcome_unknown = 0, pg_tx_id = COALESCE($3, pg_tx_id), paid_at = $4, \
                         method_json = COALESCE($5, method_json), updated_at = $6, status_changed_at = $6, reconcile_at = NULL, \
                         method_type = COALESCE($7, method_type), card_last4 = COALESCE($8, card_last4), \
                         receipt_url = COALESCE($9, receipt_url) {guard}"),
                crate::args![payment_id, transaction_id, pg_tx_id.clone(), util::micros(*paid_at), m.clone(), nu,
                             search::method_type(m.as_deref()), search::card_last4(m.as_deref()), receipt_url.clone()],
            )
        }
        Transition::VirtualAccountIssued {
            pg_tx_id,
            method,
        } => {
            let m = merged(method);
            (
                format!("UPDATE payments SET status = 'VIRTUAL_ACCOUNT_ISSUED', outcome_unknown = 0, pg_tx_id = COALESCE($3, pg_tx_id), \
                         method_json = COALESCE($4, method_json), updated_at = $5, status_changed_at = $5, reconcile_at = NULL, \
                         method_type = COALESCE($6, method_type) {guard}"),
                crate::args![payment_id, transaction_id, pg_tx_id.clone(), m.clone(), nu, search::method_type(m.as_deref())],
            )
        }
        Transition::Failed { failure } => (
            format!("UPDATE payments SET status = 'FAILED', outcome_unknown = 0, failed_at = $3, failure_json = $4, \
                     updated_at = $3, status_changed_at = $3, reconcile_at = NULL {guard}"),
            crate::args![payment_id, transaction_id, nu, failure_text(failure)],
        ),
        Transition::Pending { pg_tx_id, retry_at } => (
            format!("UPDATE payments SET status = 'PAY_PENDING', outcome_unknown = 0, pg_tx_id = COALESCE($3, pg_tx_id), \
                     updated_at = $4, status_changed_at = $4, reconcile_at = $5 {guard}"),
            crate::args![payment_id, transaction_id, pg_tx_id.clone(), nu, util::micros(*retry_at)],
        ),
        Transition::Unknown { retry_at } => (
            format!("UPDATE payments SET status = 'PAY_PENDING', outcome_unknown = 1, \
                     updated_at = $3, status_changed_at = $3, reconcile_at = $4 {guard}"),
            crate::args![payment_id, transaction_id, nu, util::micros(*retry_at)],
        ),
    };
    let schedule = known.schedule_id.as_deref().zip(Some(t.schedule_status()));
    if event.is_none() && schedule.is_none() {
        // Nothing to write with it: one statement, no transaction (two round trips fewer on
        // PostgreSQL).
        return Ok(db.execute(&sql, args).await? == 1);
    }
    let mut tx = db.begin().await?;
    if tx.execute(&sql, args).await? != 1 {
        return Ok(false);
    }
    outbox::insert_opt(&mut tx, event).await?;
    if let Some((sid, ss)) = schedule {
        let completed = ss.is_final().then_some(nu);
        tx.execute(
            "UPDATE payment_schedules SET status = $2, completed_at = $3 WHERE id = $1 AND status IN ('STARTED', 'PENDING')",
            crate::args![sid, ss.as_str(), completed],
        )
        .await?;
    }
    tx.commit().await?;
    Ok(true)
}

/// Record the channel an attempt goes to. `false` when the attempt is no longer the
/// payment's.
pub async fn record_channel(
    db: &Db,
    payment_id: &str,
    transaction_id: &str,
    channel_key: &str,
    channel_json: Option<String>,
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    Ok(db
        .execute(
            "UPDATE payments SET channel_key = $3, channel_json = $4, updated_at = $5 WHERE id = $1 AND transaction_id = $2",
            crate::args![payment_id, transaction_id, channel_key, channel_json, util::micros(now)],
        )
        .await?
        == 1)
}

/// The VAT split of the channel an attempt moved to (a failover to a PG that rounds the VAT
/// it computes another way). The total and tax-free part never change.
pub async fn record_vat(
    db: &Db,
    payment_id: &str,
    transaction_id: &str,
    amounts: &AmountBreakdown,
) -> Result<(), sqlx::Error> {
    db.execute(
        "UPDATE payments SET amount_vat = $3, amount_supply = $4 WHERE id = $1 AND transaction_id = $2",
        crate::args![payment_id, transaction_id, amounts.vat.get(), amounts.supply.get()],
    )
    .await?;
    Ok(())
}

/// A window payment about to be sent: it gets its reconcile safety net (`reconcile_at`) and,
/// when given, new `extra_json` (the browser's origin). Only while still `READY`.
pub async fn prepare_window_send(
    db: &Db,
    payment_id: &str,
    transaction_id: &str,
    reconcile_at: DateTime<Utc>,
    extra_json: Option<String>,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    db.execute(
        "UPDATE payments SET reconcile_at = $3, extra_json = COALESCE($4, extra_json), updated_at = $5 \
         WHERE id = $1 AND transaction_id = $2 AND status = 'READY'",
        crate::args![payment_id, transaction_id, util::micros(reconcile_at), extra_json, util::micros(now)],
    )
    .await?;
    Ok(())
}

/// A failure as its column stores it (`{"pgCode", "pgMessage", "reason"}`, keys sorted as
/// they always were).
pub fn failure_text(f: &Failure) -> String {
    serde_json::to_value(f).unwrap_or(Value::Null).to_string()
}

/// The JSON merged into a payment's stored PortOne `PaymentMethod` for a method update.
fn method_patch(u: &MethodUpdate) -> Option<Value> {
    let mut patch = Map::new();
    if let Some(n) = &u.approval_number {
        patch.insert("approvalNumber".into(), json!(n));
    }
    let mut card = Map::new();
    put(&mut card, "issuer", json!(u.card_issuer));
    put(&mut card, "publisher", json!(u.card_publisher));
    put(&mut card, "name", json!(u.card_name));
    put(&mut card, "number", json!(u.card_number));
    put(&mut card, "bin", json!(u.card_bin));
    if !card.is_empty() {
        patch.insert("card".into(), Value::Object(card));
    }
    if let Some(m) = u.installment_month {
        patch.insert(
            "installment".into(),
            json!({"month": m, "isInterestFree": false}),
        );
    }
    if let Some(v) = &u.virtual_account {
        patch.insert("accountNumber".into(), json!(v.account_number));
        put(&mut patch, "bank", json!(v.bank));
        put(&mut patch, "remitteeName", json!(v.remittee_name));
        put(
            &mut patch,
            "expiredAt",
            json!(v.expires_at.map(util::rfc3339)),
        );
        patch.insert("issuedAt".into(), json!(util::rfc3339(v.issued_at)));
    }
    (!patch.is_empty()).then_some(Value::Object(patch))
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
