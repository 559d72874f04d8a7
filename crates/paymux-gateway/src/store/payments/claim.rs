//! The claim on a `paymentId` (see the module docs of [`super`]): the row is written before
//! any PG is called, so of duplicate requests exactly one goes on.

use chrono::{DateTime, Utc};
use paymux_core::adapter::kst;

use super::{load, method_text, NewPayment, PaymentRow};
use crate::domain::{PaymentKind, PaymentStatus, PlatformType};
use crate::store::db::{Arg, Db};
use crate::store::payment_search as search;
use crate::util;

/// The claim's columns, in the order of its arguments (checked in debug builds).
macro_rules! columns {
    () => {
        concat!(
            "id, store_id, transaction_id, kind, status, outcome_unknown, channel_key, ",
            "channel_json, channel_group_json, method_json, billing_key, schedule_id, ",
            "order_name, currency, amount_total, amount_tax_free, amount_vat, amount_supply, ",
            "amount_cancelled, amount_cancelled_tax_free, amount_cancelled_vat, ",
            "customer_json, custom_data, method_type, card_last4, customer_name, ",
            "customer_email, customer_phone, search_ready, extra_json, escrow_status, ",
            "notice_urls_json, skip_webhook, platform_type, order_date, pg_tx_id, paid_at, ",
            "failed_at, failure_json, cancelled_at, cancel_count, cancel_lock, requested_at, ",
            "updated_at, status_changed_at, reconcile_at, reconcile_attempts",
        )
    };
}

/// `$1` … `$47`, the claim's arguments.
macro_rules! values {
    () => {
        concat!(
            "$1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, ",
            "$18, $19, $20, $21, $22, $23, $24, $25, $26, $27, $28, $29, $30, $31, $32, $33, ",
            "$34, $35, $36, $37, $38, $39, $40, $41, $42, $43, $44, $45, $46, $47",
        )
    };
}

/// Every column but `id` set to its argument (the retry of a `FAILED` payment).
macro_rules! sets {
    () => {
        concat!(
            "store_id = $2, transaction_id = $3, kind = $4, status = $5, ",
            "outcome_unknown = $6, channel_key = $7, channel_json = $8, ",
            "channel_group_json = $9, method_json = $10, billing_key = $11, ",
            "schedule_id = $12, order_name = $13, currency = $14, amount_total = $15, ",
            "amount_tax_free = $16, amount_vat = $17, amount_supply = $18, ",
            "amount_cancelled = $19, amount_cancelled_tax_free = $20, ",
            "amount_cancelled_vat = $21, customer_json = $22, custom_data = $23, ",
            "method_type = $24, card_last4 = $25, customer_name = $26, customer_email = $27, ",
            "customer_phone = $28, search_ready = $29, extra_json = $30, ",
            "escrow_status = $31, notice_urls_json = $32, skip_webhook = $33, ",
            "platform_type = $34, order_date = $35, pg_tx_id = $36, paid_at = $37, ",
            "failed_at = $38, failure_json = $39, cancelled_at = $40, cancel_count = $41, ",
            "cancel_lock = $42, requested_at = $43, updated_at = $44, ",
            "status_changed_at = $45, reconcile_at = $46, reconcile_attempts = $47",
        )
    };
}

/// No `SCHEDULED` schedule holds the `paymentId`.
macro_rules! unscheduled {
    () => {
        "NOT EXISTS (SELECT 1 FROM payment_schedules WHERE payment_id = $1 AND status = 'SCHEDULED')"
    };
}

/// No pre-registration of the `paymentId` locks another store, total, tax-free part or
/// currency (checked in the claim itself: a separate read before every claim cost a statement
/// per payment; the reason is looked up only when a claim is refused).
macro_rules! preregistered_alike {
    () => {
        concat!(
            "NOT EXISTS (SELECT 1 FROM payment_preregistrations r WHERE r.payment_id = $1 AND ",
            "(r.store_id <> $2 OR r.total_amount <> $15 OR r.tax_free_amount <> $16 ",
            "OR r.currency <> $14))"
        )
    };
}

/// The claim of a new payment, as literal SQL like every statement of the store (building it
/// per payment from the column list cost +4.8 % instructions per payment: docs/BENCHMARKS.md
/// §5c): `INSERT … SELECT … WHERE` rather than `VALUES` so the guard on a schedule rides
/// along (the WHERE also keeps SQLite from reading `ON CONFLICT` as part of the SELECT).
/// Indexed by [`NewPayment::refuse_if_scheduled`].
const INSERT: [&str; 2] = [
    concat!(
        "INSERT INTO payments (",
        columns!(),
        ") SELECT ",
        values!(),
        " WHERE ",
        preregistered_alike!(),
        " ON CONFLICT (id) DO NOTHING"
    ),
    concat!(
        "INSERT INTO payments (",
        columns!(),
        ") SELECT ",
        values!(),
        " WHERE ",
        preregistered_alike!(),
        " AND ",
        unscheduled!(),
        " ON CONFLICT (id) DO NOTHING"
    ),
];

/// The claim of a payment that failed for certain, under a new attempt. Indexed as [`INSERT`].
const RETRY: [&str; 2] = [
    concat!(
        "UPDATE payments SET ",
        sets!(),
        " WHERE id = $1 AND status = 'FAILED' AND ",
        preregistered_alike!()
    ),
    concat!(
        "UPDATE payments SET ",
        sets!(),
        " WHERE id = $1 AND status = 'FAILED' AND ",
        preregistered_alike!(),
        " AND ",
        unscheduled!()
    ),
];

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
    /// Its pre-registration locks other amounts, currency or store.
    Preregistered(crate::store::preregistrations::PreRegistration),
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
    let transaction_id = util::row_uuid().hyphenated().to_string();
    let t = util::micros(now);
    let method_json = np.method.as_ref().and_then(method_text);
    let (method_type, card_last4) = search::method_columns(np.method.as_ref());
    let [customer_name, customer_email, customer_phone] =
        search::customer_columns(np.customer_json.as_deref());
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
        ("method_json", method_json.clone().into()),
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
        ("method_type", method_type.into()),
        ("card_last4", card_last4.into()),
        ("customer_name", customer_name.into()),
        ("customer_email", customer_email.into()),
        ("customer_phone", customer_phone.into()),
        ("search_ready", 1i64.into()),
        ("extra_json", np.extra_json.clone().into()),
        (
            "escrow_status",
            search::escrow_status(np.extra_json.as_deref()).into(),
        ),
        (
            "notice_urls_json",
            util::to_json_text(&np.notice_urls).into(),
        ),
        ("skip_webhook", np.skip_webhook.into()),
        (
            "platform_type",
            np.platform_type.map(PlatformType::as_str).into(),
        ),
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
    debug_assert!(
        cols.iter().map(|(n, _)| *n).eq(columns!().split(", ")),
        "the claim's arguments are its columns, in order"
    );
    let guard = usize::from(np.refuse_if_scheduled);
    let (insert, retry) = (INSERT[guard], RETRY[guard]);
    let args: Vec<Arg> = cols.iter().map(|(_, a)| a.clone()).collect();
    if db.execute(insert, args).await? == 1 {
        return Ok(Claim::Claimed { transaction_id });
    }
    // A payment that failed for certain may be tried again under the same id; the failed
    // attempt is kept first (idempotent: a lost race leaves a true record of it).
    crate::store::attempts::keep_failed_claim(db, &np.id).await?;
    let args: Vec<Arg> = cols.into_iter().map(|(_, a)| a).collect();
    if db.execute(retry, args).await? == 1 {
        // Earlier failed cancellations of an earlier attempt are irrelevant; none can exist
        // for a FAILED payment.
        return Ok(Claim::Claimed { transaction_id });
    }
    if let Some(pre) = crate::store::preregistrations::load(db, &np.id).await? {
        if !pre.admits(np) {
            return Ok(Claim::Preregistered(pre));
        }
    }
    if np.refuse_if_scheduled && crate::store::schedules::holds_payment(db, &np.id).await? {
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
