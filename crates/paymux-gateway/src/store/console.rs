//! What the operator console keeps and reads: its sign-in sessions (`console_sessions`), a
//! payment's webhook deliveries (`webhook_outbox`), and the settled outcomes per channel that
//! its charts and the channel list summarise (`payments`, `payment_attempts`).

use chrono::{DateTime, Utc};

use super::db::{Db, Row};
use crate::util;

/// A signed-in console session.
#[derive(Debug, Clone)]
pub struct SessionRow {
    /// The token every form of the session sends back (CSRF).
    pub csrf_token: String,
}

/// Keep a new session under the hash of its cookie token.
pub async fn create_session(
    db: &Db,
    token_hash: &str,
    csrf_token: &str,
    now: DateTime<Utc>,
    expires_at: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    db.execute(
        "INSERT INTO console_sessions (token_hash, csrf_token, created_at, expires_at) VALUES ($1, $2, $3, $4)",
        crate::args![token_hash, csrf_token, util::micros(now), util::micros(expires_at)],
    )
    .await?;
    Ok(())
}

/// The session with this token hash, if it has not expired at `now`.
pub async fn load_session(
    db: &Db,
    token_hash: &str,
    now: DateTime<Utc>,
) -> Result<Option<SessionRow>, sqlx::Error> {
    let row = db
        .fetch_optional(
            "SELECT csrf_token FROM console_sessions WHERE token_hash = $1 AND expires_at > $2",
            crate::args![token_hash, util::micros(now)],
        )
        .await?;
    row.map(|r| {
        Ok(SessionRow {
            csrf_token: r.req_text("csrf_token")?,
        })
    })
    .transpose()
}

/// End a session (sign-out).
pub async fn delete_session(db: &Db, token_hash: &str) -> Result<(), sqlx::Error> {
    db.execute(
        "DELETE FROM console_sessions WHERE token_hash = $1",
        crate::args![token_hash],
    )
    .await?;
    Ok(())
}

/// Forget sessions that expired before `now`.
pub async fn purge_expired_sessions(db: &Db, now: DateTime<Utc>) -> Result<u64, sqlx::Error> {
    db.execute(
        "DELETE FROM console_sessions WHERE expires_at <= $1",
        crate::args![util::micros(now)],
    )
    .await
}

/// One webhook delivery (a row of the outbox).
#[derive(Debug, Clone)]
pub struct WebhookRow {
    /// `webhook-id`.
    pub id: String,
    /// `Transaction.Paid`, …
    pub event_type: String,
    /// Where it goes.
    pub url: String,
    /// The body as sent.
    pub payload: String,
    /// `PENDING`, `DELIVERED` or `FAILED`.
    pub status: String,
    /// Deliveries tried.
    pub attempts: i64,
    /// Why the last try failed.
    pub last_error: Option<String>,
    /// Written at (µs).
    pub created_at: i64,
    /// Delivered at (µs).
    pub delivered_at: Option<i64>,
}

impl WebhookRow {
    fn from_row(r: &Row) -> Result<Self, sqlx::Error> {
        Ok(WebhookRow {
            id: r.req_text("id")?,
            event_type: r.req_text("event_type")?,
            url: r.req_text("url")?,
            payload: r.req_text("payload")?,
            status: r.req_text("status")?,
            attempts: r.req_int("attempts")?,
            last_error: r.text("last_error")?,
            created_at: r.req_int("created_at")?,
            delivered_at: r.int("delivered_at")?,
        })
    }
}

/// `s` as a `LIKE` pattern that matches only itself (with `ESCAPE '\'`).
fn like_literal(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '\\' | '%' | '_') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// The `"paymentId":"<id>"` member as the webhook body spells it (compact JSON).
fn payment_member(payment_id: &str) -> String {
    format!(
        "\"paymentId\":{}",
        serde_json::Value::String(payment_id.to_string())
    )
}

/// A payment's webhook deliveries, oldest first. The outbox has no payment column: the body
/// names the payment (`data.paymentId`), so the body is matched; the console reads this for
/// one payment's page, not in bulk.
pub async fn webhooks_for_payment(
    db: &Db,
    payment_id: &str,
) -> Result<Vec<WebhookRow>, sqlx::Error> {
    let pattern = format!("%{}%", like_literal(&payment_member(payment_id)));
    let rows = db
        .fetch_all(
            "SELECT * FROM webhook_outbox WHERE payload LIKE $1 ESCAPE '\\' ORDER BY created_at, id",
            crate::args![pattern],
        )
        .await?;
    rows.iter()
        .map(WebhookRow::from_row)
        // LIKE found the text; the body must also name it as its paymentId.
        .filter(|r| {
            r.as_ref().map_or(true, |w| {
                serde_json::from_str::<serde_json::Value>(&w.payload)
                    .ok()
                    .is_some_and(|v| v["data"]["paymentId"] == payment_id)
            })
        })
        .collect()
}

/// Send a delivery again: a new outbox row (its own `webhook-id`, so a receiver that already
/// processed the first one sees a new message) with the same body and URL, due now. `false`
/// when there is no delivery `id`.
pub async fn resend_webhook(
    db: &Db,
    id: &str,
    new_id: &str,
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    Ok(db
        .execute(
            "INSERT INTO webhook_outbox (id, event_type, url, payload, status, attempts, next_attempt_at, created_at) \
             SELECT $2, event_type, url, payload, 'PENDING', 0, $3, $3 FROM webhook_outbox WHERE id = $1",
            crate::args![id, new_id, util::micros(now)],
        )
        .await?
        == 1)
}

/// One attempt's settled outcome on a channel, for the charts and the channel list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutcomeRow {
    /// The channel it went to.
    pub channel_key: String,
    /// The group it was routed through (`{id, name, isForTest}` JSON), if any.
    pub group_json: Option<String>,
    /// `true` approved (paid, issued, cancelled later), `false` declined or failed, `None`
    /// still open.
    pub approved: Option<bool>,
    /// Requested at (µs).
    pub requested_at: i64,
    /// Paid or failed at (µs), when settled.
    pub settled_at: Option<i64>,
    /// An attempt routing failed over from (the payment went on elsewhere).
    pub superseded: bool,
}

/// Every attempt requested at or after `since` (µs), at most `limit` of the newest payments
/// plus their failed-over attempts.
pub async fn outcomes_since(
    db: &Db,
    since: i64,
    limit: i64,
) -> Result<Vec<OutcomeRow>, sqlx::Error> {
    let mut out = Vec::new();
    let rows = db
        .fetch_all(
            "SELECT channel_key, channel_group_json, status, requested_at, paid_at, failed_at FROM payments \
             WHERE requested_at >= $1 AND channel_key IS NOT NULL ORDER BY requested_at DESC LIMIT $2",
            crate::args![since, limit],
        )
        .await?;
    for r in rows {
        let status = r.req_text("status")?;
        let approved = match status.as_str() {
            "PAID" | "PARTIAL_CANCELLED" | "CANCELLED" | "VIRTUAL_ACCOUNT_ISSUED" => Some(true),
            "FAILED" => Some(false),
            _ => None,
        };
        let settled_at = match approved {
            Some(true) => r.int("paid_at")?,
            Some(false) => r.int("failed_at")?,
            None => None,
        };
        out.push(OutcomeRow {
            channel_key: r.req_text("channel_key")?,
            group_json: r.text("channel_group_json")?,
            approved,
            requested_at: r.req_int("requested_at")?,
            settled_at,
            superseded: false,
        });
    }
    let attempts = db
        .fetch_all(
            "SELECT a.channel_key, p.channel_group_json, a.requested_at, a.failed_at FROM payment_attempts a \
             JOIN payments p ON p.id = a.payment_id \
             WHERE a.requested_at >= $1 AND a.channel_key IS NOT NULL AND a.id <> p.transaction_id ORDER BY a.requested_at DESC LIMIT $2",
            crate::args![since, limit],
        )
        .await?;
    for r in attempts {
        out.push(OutcomeRow {
            channel_key: r.req_text("channel_key")?,
            group_json: r.text("channel_group_json")?,
            approved: Some(false),
            requested_at: r.req_int("requested_at")?,
            settled_at: r.int("failed_at")?,
            superseded: true,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_patterns_match_only_the_literal() {
        assert_eq!(like_literal("a%b_c\\d"), "a\\%b\\_c\\\\d");
        assert_eq!(payment_member("p\"1"), "\"paymentId\":\"p\\\"1\"");
    }
}
