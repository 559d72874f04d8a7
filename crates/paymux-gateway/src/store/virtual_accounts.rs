//! A virtual account's close (가상계좌 말소): the payment leaves `VIRTUAL_ACCOUNT_ISSUED`
//! without a deposit. (The deposit, the other way out, is `notices::record_deposit`.)

use chrono::{DateTime, Utc};

use super::db::Db;
use super::outbox::{self, Event};
use crate::util;

/// The PG closed the account of attempt `transaction_id` of `payment_id`: the payment, still
/// `VIRTUAL_ACCOUNT_ISSUED`, becomes `CANCELLED` at `closed_at` (never paid: no `paidAt`, no
/// cancellation), with its webhook, in one unit of work. `false` (nothing written) when the
/// payment no longer waits for a deposit — a deposit or another close got there first.
pub async fn record_close(
    db: &Db,
    payment_id: &str,
    transaction_id: &str,
    closed_at: DateTime<Utc>,
    event: Option<&Event>,
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let mut tx = db.begin().await?;
    let n = tx
        .execute(
            "UPDATE payments SET status = 'CANCELLED', cancelled_at = $3, updated_at = $4, \
             status_changed_at = $4, reconcile_at = NULL \
             WHERE id = $1 AND transaction_id = $2 AND status = 'VIRTUAL_ACCOUNT_ISSUED' AND paid_at IS NULL",
            crate::args![payment_id, transaction_id, util::micros(closed_at), util::micros(now)],
        )
        .await?;
    if n != 1 {
        return Ok(false);
    }
    outbox::insert_opt(&mut tx, event).await?;
    tx.commit().await?;
    Ok(true)
}
