//! The claim on a `paymentId` (see the module docs of [`super`]): the row is written before
//! any PG is called, so of duplicate requests exactly one goes on.

use std::sync::OnceLock;

use chrono::{DateTime, Utc};
use paymux_core::adapter::kst;

use super::{load, method_text, NewPayment, PaymentRow};
use crate::domain::{PaymentKind, PaymentStatus, PlatformType};
use crate::store::db::{Arg, Db};
use crate::store::payment_search as search;
use crate::util;

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
    let method_json = np.method.as_ref().and_then(method_text);
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
        (
            "method_type",
            search::method_type(method_json.as_deref()).into(),
        ),
        (
            "card_last4",
            search::card_last4(method_json.as_deref()).into(),
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
    crate::store::attempts::keep_failed_claim(db, &np.id).await?;
    let args: Vec<Arg> = cols.into_iter().map(|(_, a)| a).collect();
    if db.execute(retry, args).await? == 1 {
        // Earlier failed cancellations of an earlier attempt are irrelevant; none can exist
        // for a FAILED payment.
        return Ok(Claim::Claimed { transaction_id });
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
