//! The webhook outbox (`webhook_outbox`): one row per event and destination URL, written in
//! the unit of work of the state change it reports; delivered, retried and given up by the
//! worker in [`crate::webhooks`].

use chrono::{DateTime, Utc};

use super::db::{Backend, Db, Tx};
use crate::util;

/// An event ready to be written: its body and where it goes.
#[derive(Debug, Clone)]
pub struct Event {
    /// `Transaction.Paid`, ...
    pub event_type: &'static str,
    /// The body, byte for byte as it will be sent.
    pub payload: String,
    /// One delivery per URL (never empty).
    pub urls: Vec<String>,
    /// The event's time.
    pub at: DateTime<Utc>,
    /// The payment it is about (transaction events), for the payment's webhook history.
    pub payment_id: Option<String>,
    /// The payment's status the event reports (PortOne `PaymentWebhookPaymentStatus`).
    pub payment_status: Option<&'static str>,
    /// Why it was sent, when not an ordinary state change (PortOne `PaymentWebhookTrigger`:
    /// `VIRTUAL_ACCOUNT_DEPOSIT`, `MANUAL`).
    pub trigger: Option<&'static str>,
}

/// Write `event` inside `tx` (one row per URL).
pub async fn insert(tx: &mut Tx, event: &Event) -> Result<(), sqlx::Error> {
    for url in &event.urls {
        tx.execute(
            "INSERT INTO webhook_outbox (id, event_type, url, payload, status, attempts, next_attempt_at, created_at, \
             payment_id, payment_status, trigger_kind) \
             VALUES ($1, $2, $3, $4, 'PENDING', 0, $5, $5, $6, $7, $8)",
            crate::args![
                format!("whmsg_{}", crate::util::row_uuid().simple()),
                event.event_type,
                url,
                event.payload.clone(),
                util::micros(event.at),
                event.payment_id.clone(),
                event.payment_status,
                event.trigger
            ],
        )
        .await?;
    }
    Ok(())
}

/// Write `event`, when there is one, inside `tx`.
pub async fn insert_opt(tx: &mut Tx, event: Option<&Event>) -> Result<(), sqlx::Error> {
    match event {
        Some(e) => insert(tx, e).await,
        None => Ok(()),
    }
}

/// A delivery that is due, leased to this instance.
pub struct Due {
    /// `webhook-id`.
    pub id: String,
    /// Target.
    pub url: String,
    /// Body.
    pub payload: String,
    /// Deliveries tried, this one included.
    pub attempts: i64,
    /// Event type.
    pub event_type: String,
}

/// Leases up to 32 due deliveries (`$1`: until when, `$2`: now), on PostgreSQL: rows another
/// instance is leasing are skipped.
pub(crate) const LEASE_DUE_POSTGRES: &str =
    "UPDATE webhook_outbox SET next_attempt_at = $1, attempts = attempts + 1 \
     WHERE id IN (SELECT id FROM webhook_outbox WHERE status = 'PENDING' AND next_attempt_at <= $2 \
                  ORDER BY next_attempt_at LIMIT 32 FOR UPDATE SKIP LOCKED) \
     RETURNING id, url, payload, attempts, event_type";

/// [`LEASE_DUE_POSTGRES`] on SQLite, where one statement on the single writer is atomic: the
/// rows the subquery picks are still due when they are updated. The update finds them by id
/// alone; repeating the due condition outside the subquery made SQLite walk every pending
/// delivery in the due index (milliseconds on the writer, every pass, while payments waited:
/// docs/BENCHMARKS.md §5g).
pub(crate) const LEASE_DUE_SQLITE: &str =
    "UPDATE webhook_outbox SET next_attempt_at = $1, attempts = attempts + 1 \
     WHERE id IN (SELECT id FROM webhook_outbox WHERE status = 'PENDING' AND next_attempt_at <= $2 \
                  ORDER BY next_attempt_at LIMIT 32) \
     RETURNING id, url, payload, attempts, event_type";

/// Lease up to 32 due deliveries until `lease` (so no other instance sends them meanwhile).
pub async fn lease_due(
    db: &Db,
    now: DateTime<Utc>,
    lease: DateTime<Utc>,
) -> Result<Vec<Due>, sqlx::Error> {
    let sql = match db.backend() {
        Backend::Postgres => LEASE_DUE_POSTGRES,
        Backend::Sqlite => LEASE_DUE_SQLITE,
    };
    let rows = db
        .fetch_all(sql, crate::args![util::micros(lease), util::micros(now)])
        .await?;
    let mut due = Vec::with_capacity(rows.len());
    for r in rows {
        due.push(Due {
            id: r.req_text("id")?,
            url: r.req_text("url")?,
            payload: r.req_text("payload")?,
            attempts: r.req_int("attempts")?,
            event_type: r.req_text("event_type")?,
        });
    }
    Ok(due)
}

/// What one delivery attempt got: the receiver's HTTP status (`None`: no answer) and when.
#[derive(Debug, Clone, Copy)]
pub struct Attempt {
    /// HTTP status of the answer, when there was one.
    pub code: Option<u16>,
    /// When the attempt ended.
    pub at: DateTime<Utc>,
}

/// The delivery succeeded.
pub async fn delivered(db: &Db, id: &str, attempt: Attempt) -> Result<(), sqlx::Error> {
    db.execute(
        "UPDATE webhook_outbox SET status = 'DELIVERED', delivered_at = $2, last_error = NULL, \
         last_code = $3, last_attempt_at = $2 WHERE id = $1",
        crate::args![id, util::micros(attempt.at), attempt.code.map(i64::from)],
    )
    .await?;
    Ok(())
}

/// The delivery is given up.
pub async fn given_up(db: &Db, id: &str, error: &str, attempt: Attempt) -> Result<(), sqlx::Error> {
    db.execute(
        "UPDATE webhook_outbox SET status = 'FAILED', last_error = $2, last_code = $3, last_attempt_at = $4 WHERE id = $1",
        crate::args![id, error, attempt.code.map(i64::from), util::micros(attempt.at)],
    )
    .await?;
    Ok(())
}

/// The delivery failed; try again at `next`.
pub async fn retry_at(
    db: &Db,
    id: &str,
    next: DateTime<Utc>,
    error: &str,
    attempt: Attempt,
) -> Result<(), sqlx::Error> {
    db.execute(
        "UPDATE webhook_outbox SET next_attempt_at = $2, last_error = $3, last_code = $4, last_attempt_at = $5 WHERE id = $1",
        crate::args![id, util::micros(next), error, attempt.code.map(i64::from), util::micros(attempt.at)],
    )
    .await?;
    Ok(())
}
