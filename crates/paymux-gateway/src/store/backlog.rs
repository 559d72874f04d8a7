//! Backlogs the metrics report: webhooks waiting to be delivered, payments and cancellations
//! waiting for the reconciler.

use super::db::Db;

/// Webhook deliveries still pending (due or waiting for a retry).
pub async fn outbox_pending(db: &Db) -> Result<i64, sqlx::Error> {
    count(
        db,
        "SELECT COUNT(*) AS n FROM webhook_outbox WHERE status = 'PENDING'",
    )
    .await
}

/// Payments and cancellations the reconciler still has to settle (`reconcile_at` set).
pub async fn reconcile_pending(db: &Db) -> Result<i64, sqlx::Error> {
    Ok(count(
        db,
        "SELECT COUNT(*) AS n FROM payments WHERE reconcile_at IS NOT NULL",
    )
    .await?
        + count(
            db,
            "SELECT COUNT(*) AS n FROM cancellations WHERE reconcile_at IS NOT NULL",
        )
        .await?)
}

async fn count(db: &Db, sql: &str) -> Result<i64, sqlx::Error> {
    Ok(match db.fetch_optional(sql, crate::args![]).await? {
        Some(r) => r.req_int("n")?,
        None => 0,
    })
}
