//! A payment's webhook history: the `webhook_outbox` rows about it (schema version 7 records
//! the payment, the status reported, the trigger and the last answer), and manual resends.

use chrono::{DateTime, Utc};

use super::db::{Db, Row};
use super::outbox::Due;
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
/// counted against the delivery it ultimately repeats, written already leased to the caller
/// until `lease` (its first attempt counted): the caller delivers it at once, and the outbox
/// worker takes it only if that attempt never finished. Returns it, ready to deliver.
pub async fn insert_resend(
    db: &Db,
    payment_id: &str,
    original: &WebhookRow,
    now: DateTime<Utc>,
    lease: DateTime<Utc>,
) -> Result<Due, sqlx::Error> {
    let id = format!("whmsg_{}", crate::util::row_uuid().simple());
    db.execute(
        "INSERT INTO webhook_outbox (id, event_type, url, payload, status, attempts, next_attempt_at, created_at, \
         payment_id, payment_status, trigger_kind, resend_of) \
         VALUES ($1, $2, $3, $4, 'PENDING', 1, $5, $6, $7, $8, 'MANUAL', $9)",
        crate::args![
            id.clone(),
            original.event_type.clone(),
            original.url.clone(),
            original.payload.clone(),
            util::micros(lease),
            util::micros(now),
            payment_id,
            original.payment_status.clone(),
            original.resend_of.clone().unwrap_or_else(|| original.id.clone())
        ],
    )
    .await?;
    Ok(Due {
        id,
        url: original.url.clone(),
        payload: original.payload.clone(),
        attempts: 1,
        event_type: original.event_type.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_resend_is_written_leased_so_the_outbox_worker_cannot_send_it_too() {
        let path = std::env::temp_dir().join(format!(
            "paymux-resend-{}.sqlite",
            uuid::Uuid::new_v4().simple()
        ));
        let db = Db::connect(path.to_str().unwrap()).await.unwrap();
        let original = WebhookRow {
            id: "whmsg_original".into(),
            event_type: "Transaction.Paid".into(),
            url: "https://merchant.example/hook".into(),
            payload: "{}".into(),
            status: DeliveryStatus::Delivered,
            attempts: 1,
            payment_status: Some("PAID".into()),
            trigger: None,
            resend_of: None,
            last_code: Some(200),
            last_attempt_at: Some(1),
            created_at: 1,
        };
        let now = util::now();
        let lease = now + chrono::Duration::seconds(40);
        let due = insert_resend(&db, "payment-1", &original, now, lease)
            .await
            .unwrap();
        assert_eq!((due.attempts, due.url.as_str()), (1, original.url.as_str()));
        // The worker's lease of what is due now finds nothing: the resend is this caller's.
        let taken = super::super::outbox::lease_due(&db, now, lease)
            .await
            .unwrap();
        assert!(
            taken.iter().all(|d| d.id != due.id),
            "the worker took the resend"
        );
        // Once its lease has run out (the caller died mid-delivery), the worker retries it.
        let later = lease + chrono::Duration::seconds(1);
        let taken =
            super::super::outbox::lease_due(&db, later, later + chrono::Duration::seconds(40))
                .await
                .unwrap();
        assert!(taken.iter().any(|d| d.id == due.id && d.attempts == 2));
        db.close().await;
        let _ = std::fs::remove_file(&path);
    }
}
