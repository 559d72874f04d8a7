//! The reconciler's view of the store: rows whose `reconcile_at` has come (payments still
//! `READY`/`PAY_PENDING`, cancellations still `REQUESTED`), leased by moving `reconcile_at`
//! forward with a conditional `UPDATE` so two instances never ask about one row at once.

use chrono::{DateTime, Utc};

use super::db::Db;
use crate::util;

/// Which rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Table {
    /// Payments in flight.
    Payments,
    /// Cancels whose outcome is unknown.
    Cancellations,
}

impl Table {
    fn name(self) -> &'static str {
        match self {
            Table::Payments => "payments",
            Table::Cancellations => "cancellations",
        }
    }
}

/// A due row: its id and the `reconcile_at` seen (the lease's guard).
pub struct Due {
    /// Row id.
    pub id: String,
    /// `reconcile_at` when it was read (µs).
    pub seen: i64,
}

/// The payments due at `$1` (answered from an index: `store::list_plans` checks it).
pub(crate) const DUE_PAYMENTS: &str =
    "SELECT id, reconcile_at FROM payments WHERE reconcile_at IS NOT NULL AND reconcile_at <= $1 \
     AND status IN ('READY', 'PAY_PENDING') ORDER BY reconcile_at LIMIT 64";

/// Up to 64 due rows of `table` at `now`, oldest first.
pub async fn due(db: &Db, table: Table, now: DateTime<Utc>) -> Result<Vec<Due>, sqlx::Error> {
    let sql = match table {
        Table::Payments => DUE_PAYMENTS,
        Table::Cancellations => {
            "SELECT id, reconcile_at FROM cancellations WHERE reconcile_at IS NOT NULL AND reconcile_at <= $1 \
             AND status = 'REQUESTED' ORDER BY reconcile_at LIMIT 64"
        }
    };
    let rows = db.fetch_all(sql, crate::args![util::micros(now)]).await?;
    rows.iter()
        .map(|r| {
            Ok(Due {
                id: r.req_text("id")?,
                seen: r.req_int("reconcile_at")?,
            })
        })
        .collect()
}

/// Lease a due row until `until` (and count the attempt). `false` when another instance took
/// it first.
pub async fn lease(
    db: &Db,
    table: Table,
    due: &Due,
    until: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let sql = format!(
        "UPDATE {} SET reconcile_at = $2, reconcile_attempts = reconcile_attempts + 1 WHERE id = $1 AND reconcile_at = $3",
        table.name()
    );
    Ok(db
        .execute(
            &sql,
            crate::args![due.id.clone(), util::micros(until), due.seen],
        )
        .await?
        == 1)
}

/// How many times the row was leased.
pub async fn attempts(db: &Db, table: Table, id: &str) -> Result<i64, sqlx::Error> {
    let sql = format!(
        "SELECT reconcile_attempts FROM {} WHERE id = $1",
        table.name()
    );
    Ok(db
        .fetch_optional(&sql, crate::args![id])
        .await?
        .and_then(|r| r.int("reconcile_attempts").ok().flatten())
        .unwrap_or(0))
}

/// Look at the row again at `at`.
pub async fn retry_at(
    db: &Db,
    table: Table,
    id: &str,
    at: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    let sql = format!(
        "UPDATE {} SET reconcile_at = $2 WHERE id = $1",
        table.name()
    );
    db.execute(&sql, crate::args![id, util::micros(at)]).await?;
    Ok(())
}
