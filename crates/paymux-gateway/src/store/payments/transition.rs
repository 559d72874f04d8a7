//! A payment's transitions while in flight (`READY`/`PAY_PENDING`): what a transition needs
//! to know of its payment ([`Known`]), [`apply`] (the row update, its webhook and its
//! schedule's status in one unit of work), and the attempt's own bookkeeping (its channel,
//! its VAT split, a window payment's send).

use chrono::{DateTime, Utc};
use paymux_core::money::AmountBreakdown;
use serde_json::Value;

use super::method::{merged_method, method_text, parse_method};
use super::NewPayment;
use crate::domain::{Destination, Failure, PaymentMethod, PaymentStatus, PlatformType, Transition};
use crate::store::db::Db;
use crate::store::outbox::{self, Event};
use crate::store::payment_search as search;
use crate::util;

/// What a transition needs to know of its payment besides the ids: the columns an attempt
/// never changes (only a new claim, with a new `transaction_id`, rewrites them) and the
/// status before.
#[derive(Debug, Clone)]
pub struct Known {
    /// Status before the transition (`READY` / `PAY_PENDING`).
    pub status: PaymentStatus,
    /// The stored method (a transition's method update is merged into it).
    pub method: Option<PaymentMethod>,
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
            method: np.method.clone(),
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
        method: parse_method(prev.text("method_json")?.as_deref()),
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
    let merged = |update: &Option<_>| merged_method(known.method.as_ref(), update.as_ref());
    let (sql, args) = match t {
        Transition::Paid {
            pg_tx_id,
            paid_at,
            method,
            receipt_url,
        } => {
            let merged = merged(method);
            let m = merged.as_ref().and_then(method_text);
            let (kind, last4) = search::method_columns(merged.as_ref());
            (
                format!("UPDATE payments SET status = 'PAID', outcome_unknown = 0, pg_tx_id = COALESCE($3, pg_tx_id), paid_at = $4, \
                         method_json = COALESCE($5, method_json), updated_at = $6, status_changed_at = $6, reconcile_at = NULL, \
                         method_type = COALESCE($7, method_type), card_last4 = COALESCE($8, card_last4), \
                         receipt_url = COALESCE($9, receipt_url) {guard}"),
                crate::args![payment_id, transaction_id, pg_tx_id.clone(), util::micros(*paid_at), m.clone(), nu,
                             kind, last4, receipt_url.clone()],
            )
        }
        Transition::VirtualAccountIssued {
            pg_tx_id,
            method,
        } => {
            let merged = merged(method);
            let m = merged.as_ref().and_then(method_text);
            let (kind, _) = search::method_columns(merged.as_ref());
            (
                format!("UPDATE payments SET status = 'VIRTUAL_ACCOUNT_ISSUED', outcome_unknown = 0, pg_tx_id = COALESCE($3, pg_tx_id), \
                         method_json = COALESCE($4, method_json), updated_at = $5, status_changed_at = $5, reconcile_at = NULL, \
                         method_type = COALESCE($6, method_type) {guard}"),
                crate::args![payment_id, transaction_id, pg_tx_id.clone(), m.clone(), nu, kind],
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

/// A window payment about to be sent: it gets its reconcile safety net (`reconcile_at`), the
/// platform its browser came back from and, when given, new `extra_json` (the browser's
/// origin). Only while still `READY`.
pub async fn prepare_window_send(
    db: &Db,
    payment_id: &str,
    transaction_id: &str,
    reconcile_at: DateTime<Utc>,
    platform: PlatformType,
    extra_json: Option<String>,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    db.execute(
        "UPDATE payments SET reconcile_at = $3, extra_json = COALESCE($4, extra_json), updated_at = $5, \
         platform_type = $6 WHERE id = $1 AND transaction_id = $2 AND status = 'READY'",
        crate::args![
            payment_id,
            transaction_id,
            util::micros(reconcile_at),
            extra_json,
            util::micros(now),
            platform.as_str()
        ],
    )
    .await?;
    Ok(())
}

/// A failure as its column stores it (`{"pgCode", "pgMessage", "reason"}`, keys sorted as
/// they always were).
pub fn failure_text(f: &Failure) -> String {
    serde_json::to_value(f).unwrap_or(Value::Null).to_string()
}
