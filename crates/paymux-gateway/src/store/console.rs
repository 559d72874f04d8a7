//! What the operator console keeps and reads: its sign-in sessions (`console_sessions`) and
//! the settled outcomes per channel that its channel list summarises (`payments`,
//! `payment_attempts`: every payment, routed or not; a group's charts read
//! [`crate::stats`] instead).

use chrono::{DateTime, Utc};

use super::db::Db;
use crate::domain::PaymentStatus;
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

/// One attempt's settled outcome on a channel, for the channel list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutcomeRow {
    /// The channel it went to.
    pub channel_key: String,
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
            "SELECT channel_key, status, requested_at, paid_at, failed_at FROM payments \
             WHERE requested_at >= $1 AND channel_key IS NOT NULL ORDER BY requested_at DESC LIMIT $2",
            crate::args![since, limit],
        )
        .await?;
    for r in rows {
        let status = r.req_text("status")?;
        let approved = match PaymentStatus::parse(&status) {
            Some(s) if s.is_paid() || s == PaymentStatus::VirtualAccountIssued => Some(true),
            Some(PaymentStatus::Failed) => Some(false),
            _ => None,
        };
        let settled_at = match approved {
            Some(true) => r.int("paid_at")?,
            Some(false) => r.int("failed_at")?,
            None => None,
        };
        out.push(OutcomeRow {
            channel_key: r.req_text("channel_key")?,
            approved,
            requested_at: r.req_int("requested_at")?,
            settled_at,
            superseded: false,
        });
    }
    let attempts = db
        .fetch_all(
            "SELECT a.channel_key, a.requested_at, a.failed_at FROM payment_attempts a \
             JOIN payments p ON p.id = a.payment_id \
             WHERE a.requested_at >= $1 AND a.channel_key IS NOT NULL AND a.id <> p.transaction_id ORDER BY a.requested_at DESC LIMIT $2",
            crate::args![since, limit],
        )
        .await?;
    for r in attempts {
        out.push(OutcomeRow {
            channel_key: r.req_text("channel_key")?,
            approved: Some(false),
            requested_at: r.req_int("requested_at")?,
            settled_at: r.int("failed_at")?,
            superseded: true,
        });
    }
    Ok(out)
}
