//! A payment's webhook history: the `webhook_outbox` rows about it (schema version 7 records
//! the payment, the status reported, the trigger and the last answer), and manual resends.

use chrono::{DateTime, Utc};

use super::db::{Db, Row};
use crate::domain::DeliveryStatus;
use crate::util;

/// One delivery of one event to one URL, with its attempts so far.
#[derive(Debug, Clone)]
pub struct WebhookRow {
    /// `webhook-id`.
    pub id: String,
    /// `Transaction.Paid`, …
    pub event_type: String,
    /// Target URL (or the sandbox inbox).
    pub url: String,
    /// The exact body.
    pub payload: String,
    /// Pending, delivered, or given up.
    pub status: DeliveryStatus,
    /// Attempts made.
    pub attempts: i64,
    /// The payment's status the event reports.
    pub payment_status: Option<String>,
    /// PortOne `PaymentWebhookTrigger`, when not an ordinary state change.
    pub trigger: Option<String>,
    /// The webhook-id a manual resend repeats.
    pub resend_of: Option<String>,
    /// HTTP status of the last attempt's answer.
    pub last_code: Option<i64>,
    /// When the last attempt ended (µs).
    pub last_attempt_at: Option<i64>,
    /// When the event was written (µs).
    pub created_at: i64,
}

const COLUMNS: &str =
    "id, event_type, url, payload, status, attempts, payment_status, trigger_kind, \
                       resend_of, last_code, last_attempt_at, created_at";

impl WebhookRow {
    fn from_row(r: &Row) -> Result<Self, sqlx::Error> {
        Ok(WebhookRow {
            id: r.req_text("id")?,
            event_type: r.req_text("event_type")?,
            url: r.req_text("url")?,
            payload: r.req_text("payload")?,
            status: r.spelled("status", DeliveryStatus::parse)?,
            attempts: r.req_int("attempts")?,
            payment_status: r.text("payment_status")?,
            trigger: r.text("trigger_kind")?,
            resend_of: r.text("resend_of")?,
            last_code: r.int("last_code")?,
            last_attempt_at: r.int("last_attempt_at")?,
            created_at: r.req_int("created_at")?,
        })
    }
}

/// Every delivery about `payment_id`, oldest first.
pub async fn for_payment(db: &Db, payment_id: &str) -> Result<Vec<WebhookRow>, sqlx::Error> {
    let rows = db
        .fetch_all(
            &format!(
                "SELECT {COLUMNS} FROM webhook_outbox WHERE payment_id = $1 ORDER BY created_at, id"
            ),
            crate::args![payment_id],
        )
        .await?;
    rows.iter().map(WebhookRow::from_row).collect()
}

/// One delivery by `webhook-id`, when it is about `payment_id`.
pub async fn load(db: &Db, payment_id: &str, id: &str) -> Result<Option<WebhookRow>, sqlx::Error> {
    let row = db
        .fetch_optional(
            &format!("SELECT {COLUMNS} FROM webhook_outbox WHERE id = $1 AND payment_id = $2"),
            crate::args![id, payment_id],
        )
        .await?;
    row.as_ref().map(WebhookRow::from_row).transpose()
}

/// How many manual resends of `id` were made.
pub async fn resends_of(db: &Db, id: &str) -> Result<i64, sqlx::Error> {
    let row = db
        .fetch_optional(
            "SELECT COUNT(*) AS n FROM webhook_outbox WHERE resend_of = $1",
            crate::args![id],
        )
        .await?;
    Ok(match row {
        Some(r) => r.int("n")?.unwrap_or(0),
        None => 0,
    })
}

/// A manual resend of `original` (same body and URL, a new `webhook-id`, trigger `MANUAL`),
/// due at once, counted against the delivery it ultimately repeats. Returns its id.
pub async fn insert_resend(
    db: &Db,
    payment_id: &str,
    original: &WebhookRow,
    now: DateTime<Utc>,
) -> Result<String, sqlx::Error> {
    let id = format!("whmsg_{}", uuid::Uuid::new_v4().simple());
    db.execute(
        "INSERT INTO webhook_outbox (id, event_type, url, payload, status, attempts, next_attempt_at, created_at, \
         payment_id, payment_status, trigger_kind, resend_of) \
         VALUES ($1, $2, $3, $4, 'PENDING', 0, $5, $5, $6, $7, 'MANUAL', $8)",
        crate::args![
            id.clone(),
            original.event_type.clone(),
            original.url.clone(),
            original.payload.clone(),
            util::micros(now),
            payment_id,
            original.payment_status.clone(),
            original.resend_of.clone().unwrap_or_else(|| original.id.clone())
        ],
    )
    .await?;
    Ok(id)
}
