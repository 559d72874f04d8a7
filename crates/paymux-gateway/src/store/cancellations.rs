//! The `cancellations` table, and the payment columns a cancel moves (`cancel_lock`, the
//! cancelled amounts, the status): one cancel at a time per payment.

use chrono::{DateTime, Utc};

use super::db::{Arg, Db, Row};
use super::outbox::{self, Event};
use super::payments::PaymentRow;
use crate::domain::{CancellationStatus, PaymentStatus};
use crate::util;

/// A stored cancellation.
#[derive(Debug, Clone)]
pub struct CancellationRow {
    /// Cancellation id.
    pub id: String,
    /// Payment.
    pub payment_id: String,
    /// Status.
    pub status: CancellationStatus,
    /// Amount.
    pub total_amount: i64,
    /// Tax-free part.
    pub tax_free_amount: i64,
    /// VAT part.
    pub vat_amount: i64,
    /// Cancellable amount before it.
    pub balance_before: i64,
    /// Reason.
    pub reason: String,
    /// PG's cancel id.
    pub pg_cancellation_id: Option<String>,
    /// Requested at.
    pub requested_at: i64,
    /// Cancelled at.
    pub cancelled_at: Option<i64>,
    /// skipWebhook.
    pub skip_webhook: bool,
}

impl CancellationRow {
    fn from_row(r: &Row) -> Result<Self, sqlx::Error> {
        Ok(CancellationRow {
            id: r.req_text("id")?,
            payment_id: r.req_text("payment_id")?,
            status: r.spelled("status", CancellationStatus::parse)?,
            total_amount: r.req_int("total_amount")?,
            tax_free_amount: r.req_int("tax_free_amount")?,
            vat_amount: r.req_int("vat_amount")?,
            balance_before: r.req_int("balance_before")?,
            reason: r.req_text("reason")?,
            pg_cancellation_id: r.text("pg_cancellation_id")?,
            requested_at: r.req_int("requested_at")?,
            cancelled_at: r.int("cancelled_at")?,
            skip_webhook: r.flag("skip_webhook")?,
        })
    }
}

/// Every cancellation of a payment, oldest first.
pub async fn list(db: &Db, payment_id: &str) -> Result<Vec<CancellationRow>, sqlx::Error> {
    let rows = db
        .fetch_all(
            "SELECT * FROM cancellations WHERE payment_id = $1 ORDER BY requested_at, id",
            crate::args![payment_id],
        )
        .await?;
    rows.iter().map(CancellationRow::from_row).collect()
}

/// The cancellations of several payments (a page of a payment list), in one statement.
pub async fn list_for(db: &Db, payment_ids: &[&str]) -> Result<Vec<CancellationRow>, sqlx::Error> {
    if payment_ids.is_empty() {
        return Ok(Vec::new());
    }
    let ps: Vec<String> = (1..=payment_ids.len()).map(|i| format!("${i}")).collect();
    let rows = db
        .fetch_all(
            &format!(
                "SELECT * FROM cancellations WHERE payment_id IN ({}) ORDER BY requested_at, id",
                ps.join(", ")
            ),
            payment_ids.iter().map(|id| Arg::from(*id)).collect(),
        )
        .await?;
    rows.iter().map(CancellationRow::from_row).collect()
}

/// Load one cancellation.
pub async fn load(db: &Db, id: &str) -> Result<Option<CancellationRow>, sqlx::Error> {
    match db
        .fetch_optional(
            "SELECT * FROM cancellations WHERE id = $1",
            crate::args![id],
        )
        .await?
    {
        Some(r) => Ok(Some(CancellationRow::from_row(&r)?)),
        None => Ok(None),
    }
}

/// A cancel about to be sent.
#[derive(Debug, Clone)]
pub struct NewCancellation {
    /// Cancellation id.
    pub id: String,
    /// Payment.
    pub payment_id: String,
    /// Amount.
    pub total_amount: i64,
    /// Tax-free part.
    pub tax_free_amount: i64,
    /// VAT part.
    pub vat_amount: i64,
    /// Cancellable amount before it.
    pub balance_before: i64,
    /// Reason.
    pub reason: String,
    /// Who asked (`CUSTOMER` / `ADMIN`).
    pub requester: Option<String>,
    /// skipWebhook.
    pub skip_webhook: bool,
}

/// Take the payment's cancel lock and record the `REQUESTED` cancellation, in one unit of
/// work. `false` (nothing written) when the payment is not cancellable any more, its cancelled
/// amount is no longer `cancelled_before`, or another cancel holds the lock.
pub async fn start(
    db: &Db,
    c: &NewCancellation,
    cancelled_before: i64,
    now: DateTime<Utc>,
    reconcile_at: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let nu = util::micros(now);
    let mut tx = db.begin().await?;
    let locked = tx
        .execute(
            "UPDATE payments SET cancel_lock = $2, updated_at = $3 WHERE id = $1 AND cancel_lock IS NULL \
             AND status IN ('PAID', 'PARTIAL_CANCELLED') AND amount_cancelled = $4",
            crate::args![c.payment_id.clone(), c.id.clone(), nu, cancelled_before],
        )
        .await?;
    if locked != 1 {
        return Ok(false);
    }
    tx.execute(
        "INSERT INTO cancellations (id, payment_id, status, total_amount, tax_free_amount, vat_amount, balance_before, reason, requester, \
         requested_at, skip_webhook, reconcile_at) VALUES ($1, $2, 'REQUESTED', $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        crate::args![
            c.id.clone(),
            c.payment_id.clone(),
            c.total_amount,
            c.tax_free_amount,
            c.vat_amount,
            c.balance_before,
            c.reason.clone(),
            c.requester.clone(),
            nu,
            c.skip_webhook,
            util::micros(reconcile_at)
        ],
    )
    .await?;
    tx.commit().await?;
    Ok(true)
}

/// When the reconciler may ask about a cancel whose outcome is unknown.
pub async fn set_reconcile_at(db: &Db, id: &str, at: DateTime<Utc>) -> Result<(), sqlx::Error> {
    db.execute(
        "UPDATE cancellations SET reconcile_at = $2 WHERE id = $1 AND status = 'REQUESTED'",
        crate::args![id, util::micros(at)],
    )
    .await?;
    Ok(())
}

/// Record a successful cancel: cancellation `SUCCEEDED`, payment amounts and status, the
/// webhook `event_for` makes of the two rows, lock released — one unit of work. `false` when
/// it was already settled.
pub async fn succeed(
    db: &Db,
    id: &str,
    pg_cancellation_id: Option<String>,
    at: DateTime<Utc>,
    now: DateTime<Utc>,
    event_for: impl FnOnce(&CancellationRow, &PaymentRow, bool) -> Option<Event>,
) -> Result<bool, sqlx::Error> {
    let nu = util::micros(now);
    let mut tx = db.begin().await?;
    let Some(c) = tx
        .fetch_optional(
            "SELECT * FROM cancellations WHERE id = $1 AND status = 'REQUESTED'",
            crate::args![id],
        )
        .await?
    else {
        return Ok(false);
    };
    let c = CancellationRow::from_row(&c)?;
    tx.execute(
        "UPDATE cancellations SET status = 'SUCCEEDED', pg_cancellation_id = $2, cancelled_at = $3, reconcile_at = NULL WHERE id = $1",
        crate::args![id, pg_cancellation_id, util::micros(at)],
    )
    .await?;
    let Some(prow) = tx
        .fetch_optional(
            "SELECT * FROM payments WHERE id = $1",
            crate::args![c.payment_id.clone()],
        )
        .await?
    else {
        return Ok(false);
    };
    let p = PaymentRow::from_row(&prow)?;
    let cancelled = p.amount_cancelled + c.total_amount;
    let full = cancelled >= p.amount_total;
    let new_status = if full {
        PaymentStatus::Cancelled
    } else {
        PaymentStatus::PartialCancelled
    };
    tx.execute(
        "UPDATE payments SET status = $2, amount_cancelled = $3, amount_cancelled_tax_free = amount_cancelled_tax_free + $4, \
         amount_cancelled_vat = amount_cancelled_vat + $5, cancel_count = cancel_count + 1, cancel_lock = NULL, \
         cancelled_at = $6, updated_at = $7, status_changed_at = $7 WHERE id = $1 AND cancel_lock = $8",
        crate::args![
            c.payment_id.clone(),
            new_status.as_str(),
            cancelled,
            c.tax_free_amount,
            c.vat_amount,
            util::micros(at),
            nu,
            id
        ],
    )
    .await?;
    outbox::insert_opt(&mut tx, event_for(&c, &p, full).as_ref()).await?;
    tx.commit().await?;
    Ok(true)
}

/// Record a cancel that certainly did not happen (`failure_json` as stored); the lock is
/// released.
pub async fn fail(
    db: &Db,
    id: &str,
    failure_json: String,
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let mut tx = db.begin().await?;
    let Some(c) = tx
        .fetch_optional(
            "SELECT payment_id FROM cancellations WHERE id = $1 AND status = 'REQUESTED'",
            crate::args![id],
        )
        .await?
    else {
        return Ok(false);
    };
    let payment_id = c.req_text("payment_id")?;
    tx.execute(
        "UPDATE cancellations SET status = 'FAILED', failure_json = $2, reconcile_at = NULL WHERE id = $1",
        crate::args![id, failure_json],
    )
    .await?;
    tx.execute(
        "UPDATE payments SET cancel_lock = NULL, updated_at = $3 WHERE id = $1 AND cancel_lock = $2",
        crate::args![payment_id, id, util::micros(now)],
    )
    .await?;
    tx.commit().await?;
    Ok(true)
}
