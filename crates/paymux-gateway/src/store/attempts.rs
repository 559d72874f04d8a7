//! The `payment_attempts` table: the attempts a payment's row no longer shows (failed-over
//! channels, and a `FAILED` claim replaced by a new one), for `GET /payments/{id}/transactions`.

use super::db::{Db, Row};
use crate::domain::Failure;

/// A superseded, failed attempt.
#[derive(Debug, Clone)]
pub struct AttemptRow {
    /// Its PortOne transaction id.
    pub id: String,
    /// paymentId.
    pub payment_id: String,
    /// The claim it was part of.
    pub transaction_id: String,
    /// The channel it went to.
    pub channel_key: Option<String>,
    /// That channel's `SelectedChannel` JSON.
    pub channel_json: Option<String>,
    /// The masked method JSON.
    pub method_json: Option<String>,
    /// Why it failed.
    pub failure: Option<Failure>,
    /// Requested at (µs).
    pub requested_at: i64,
    /// Failed at (µs).
    pub failed_at: i64,
}

impl AttemptRow {
    fn from_row(r: &Row) -> Result<Self, sqlx::Error> {
        Ok(AttemptRow {
            id: r.req_text("id")?,
            payment_id: r.req_text("payment_id")?,
            transaction_id: r.req_text("transaction_id")?,
            channel_key: r.text("channel_key")?,
            channel_json: r.text("channel_json")?,
            method_json: r.text("method_json")?,
            failure: r
                .text("failure_json")?
                .and_then(|f| serde_json::from_str(&f).ok()),
            requested_at: r.req_int("requested_at")?,
            failed_at: r.req_int("failed_at")?,
        })
    }
}

/// Keep a `FAILED` payment's attempt before a new claim replaces it (nothing when the payment
/// is not `FAILED`, or is kept already).
pub async fn keep_failed_claim(db: &Db, payment_id: &str) -> Result<(), sqlx::Error> {
    db.execute(
        "INSERT INTO payment_attempts (id, payment_id, transaction_id, channel_key, channel_json, method_json, \
         failure_json, requested_at, failed_at) \
         SELECT transaction_id, id, transaction_id, channel_key, channel_json, method_json, failure_json, \
         requested_at, COALESCE(failed_at, updated_at) FROM payments WHERE id = $1 AND status = 'FAILED' \
         ON CONFLICT (id) DO NOTHING",
        crate::args![payment_id],
    )
    .await?;
    Ok(())
}

/// Record attempts routing failed over from.
pub async fn insert(db: &Db, rows: &[AttemptRow]) -> Result<(), sqlx::Error> {
    for a in rows {
        db.execute(
            "INSERT INTO payment_attempts (id, payment_id, transaction_id, channel_key, channel_json, method_json, \
             failure_json, requested_at, failed_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
             ON CONFLICT (id) DO NOTHING",
            crate::args![
                a.id.as_str(),
                a.payment_id.as_str(),
                a.transaction_id.as_str(),
                a.channel_key.clone(),
                a.channel_json.clone(),
                a.method_json.clone(),
                a.failure.as_ref().map(super::payments::failure_text),
                a.requested_at,
                a.failed_at
            ],
        )
        .await?;
    }
    Ok(())
}

/// A payment's superseded attempts, oldest first.
pub async fn list(db: &Db, payment_id: &str) -> Result<Vec<AttemptRow>, sqlx::Error> {
    let rows = db
        .fetch_all(
            "SELECT * FROM payment_attempts WHERE payment_id = $1 ORDER BY requested_at, failed_at, id",
            crate::args![payment_id],
        )
        .await?;
    rows.iter().map(AttemptRow::from_row).collect()
}
