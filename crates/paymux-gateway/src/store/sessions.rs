//! The `checkout_sessions` table: a hosted-checkout session is a state machine claimed with
//! conditional `UPDATE`s (`OPEN → COMPLETING → COMPLETED | FAILED`, `OPEN → FAILED`,
//! `OPEN → EXPIRED`), so a window's result counts once.

use chrono::{DateTime, Utc};

use super::billing_keys::{self, NewKey};
use super::db::{Arg, Db, Row};
use super::outbox::{self, Event};
use crate::domain::{SessionKind, SessionStatus};
use crate::util;

/// A stored session.
#[derive(Debug, Clone)]
pub struct SessionRow {
    /// `cs_...`.
    pub id: String,
    /// Kind.
    pub kind: SessionKind,
    /// Status.
    pub status: SessionStatus,
    /// storeId.
    pub store_id: String,
    /// The payment (payment kinds).
    pub payment_id: Option<String>,
    /// The payment attempt.
    pub transaction_id: Option<String>,
    /// The billing key (billing-key kinds).
    pub billing_key: Option<String>,
    /// The id the PG knows the window by.
    pub order_id: String,
    /// Channel key.
    pub channel_key: String,
    /// Method (`CARD`, ...).
    pub method: String,
    /// Amount the window was opened with.
    pub amount_total: i64,
    /// Order date at the PG (`YYYYMMDDHHMMSS`, KST).
    pub order_date: String,
    /// Where the browser's form goes (or the loader script).
    pub window_url: String,
    /// The form's charset label (`EUC-KR`, `UTF-8`).
    pub window_charset: String,
    /// The prepared form body (percent-encoded ASCII).
    pub window_form: String,
    /// Loader call for loader-script windows.
    pub window_loader: Option<String>,
    /// `redirectUrl`.
    pub redirect_url: Option<String>,
    /// `noticeUrls` JSON.
    pub notice_urls_json: Option<String>,
    /// The result query parameters, once finished.
    pub result_json: Option<String>,
    /// Created at (µs).
    pub created_at: i64,
    /// Expires at (µs).
    pub expires_at: i64,
    /// First opened at (µs).
    pub opened_at: Option<i64>,
    /// Finished at (µs).
    pub finished_at: Option<i64>,
}

impl SessionRow {
    /// Decode a `SELECT * FROM checkout_sessions` row.
    pub fn from_row(r: &Row) -> Result<Self, sqlx::Error> {
        let kind = r.req_text("kind")?;
        Ok(SessionRow {
            id: r.req_text("id")?,
            kind: SessionKind::parse(&kind).ok_or_else(|| sqlx::Error::ColumnDecode {
                index: "kind".into(),
                source: format!("unknown checkout kind `{kind}`").into(),
            })?,
            status: r.spelled("status", SessionStatus::parse)?,
            store_id: r.req_text("store_id")?,
            payment_id: r.text("payment_id")?,
            transaction_id: r.text("transaction_id")?,
            billing_key: r.text("billing_key")?,
            order_id: r.req_text("order_id")?,
            channel_key: r.req_text("channel_key")?,
            method: r.req_text("method")?,
            amount_total: r.req_int("amount_total")?,
            order_date: r.req_text("order_date")?,
            window_url: r.req_text("window_url")?,
            window_charset: r.req_text("window_charset")?,
            window_form: r.req_text("window_form")?,
            window_loader: r.text("window_loader")?,
            redirect_url: r.text("redirect_url")?,
            notice_urls_json: r.text("notice_urls_json")?,
            result_json: r.text("result_json")?,
            created_at: r.req_int("created_at")?,
            expires_at: r.req_int("expires_at")?,
            opened_at: r.int("opened_at")?,
            finished_at: r.int("finished_at")?,
        })
    }
}

/// Load a session.
pub async fn load(db: &Db, id: &str) -> Result<Option<SessionRow>, sqlx::Error> {
    match db
        .fetch_optional(
            "SELECT * FROM checkout_sessions WHERE id = $1",
            crate::args![id],
        )
        .await?
    {
        Some(r) => Ok(Some(SessionRow::from_row(&r)?)),
        None => Ok(None),
    }
}

/// The window payment a new session sends, once its browser returns.
pub struct WindowPayment {
    /// paymentId.
    pub payment_id: String,
    /// The claimed attempt.
    pub transaction_id: String,
    /// `SelectedChannel` JSON of the session's channel.
    pub channel_json: Option<String>,
}

/// Create a session in one unit of work: its claimed payment gets the session's channel (and
/// no `reconcile_at`: nothing is sent before the browser returns), its billing key is recorded
/// `ISSUING`, the session `OPEN`, and `event` queued.
pub async fn create(
    db: &Db,
    s: &SessionRow,
    payment: Option<&WindowPayment>,
    key: Option<&NewKey>,
    event: Option<&Event>,
) -> Result<(), sqlx::Error> {
    let now = util::from_micros(s.created_at);
    let nu = s.created_at;
    let mut tx = db.begin().await?;
    if let Some(p) = payment {
        tx.execute(
            "UPDATE payments SET channel_key = $3, channel_json = $4, reconcile_at = NULL, updated_at = $5 \
             WHERE id = $1 AND transaction_id = $2",
            crate::args![
                p.payment_id.clone(),
                p.transaction_id.clone(),
                s.channel_key.clone(),
                p.channel_json.clone(),
                nu
            ],
        )
        .await?;
    }
    if let Some(k) = key {
        billing_keys::insert_issuing_in(&mut tx, k, now).await?;
    }
    let cols: Vec<(&str, Arg)> = vec![
        ("id", s.id.clone().into()),
        ("kind", s.kind.as_str().into()),
        ("status", s.status.as_str().into()),
        ("store_id", s.store_id.clone().into()),
        ("payment_id", s.payment_id.clone().into()),
        ("transaction_id", s.transaction_id.clone().into()),
        ("billing_key", s.billing_key.clone().into()),
        ("order_id", s.order_id.clone().into()),
        ("channel_key", s.channel_key.clone().into()),
        ("method", s.method.clone().into()),
        ("amount_total", s.amount_total.into()),
        ("order_date", s.order_date.clone().into()),
        ("window_url", s.window_url.clone().into()),
        ("window_charset", s.window_charset.clone().into()),
        ("window_form", s.window_form.clone().into()),
        ("window_loader", s.window_loader.clone().into()),
        ("redirect_url", s.redirect_url.clone().into()),
        ("notice_urls_json", s.notice_urls_json.clone().into()),
        ("result_json", s.result_json.clone().into()),
        ("created_at", s.created_at.into()),
        ("expires_at", s.expires_at.into()),
        ("opened_at", s.opened_at.into()),
        ("finished_at", s.finished_at.into()),
        ("updated_at", nu.into()),
    ];
    let names: Vec<&str> = cols.iter().map(|(n, _)| *n).collect();
    let marks: Vec<String> = (1..=cols.len()).map(|i| format!("${i}")).collect();
    tx.execute(
        &format!(
            "INSERT INTO checkout_sessions ({}) VALUES ({})",
            names.join(", "),
            marks.join(", ")
        ),
        cols.into_iter().map(|(_, a)| a).collect(),
    )
    .await?;
    outbox::insert_opt(&mut tx, event).await?;
    tx.commit().await
}

/// The window was opened (first time kept).
pub async fn mark_opened(db: &Db, id: &str, now: DateTime<Utc>) -> Result<(), sqlx::Error> {
    db.execute(
        "UPDATE checkout_sessions SET opened_at = COALESCE(opened_at, $2), updated_at = $2 WHERE id = $1",
        crate::args![id, util::micros(now)],
    )
    .await?;
    Ok(())
}

/// A return claims the session (`OPEN → COMPLETING`, only before it expires). `false` when
/// someone else did, or it expired.
pub async fn claim_completing(db: &Db, id: &str, now: i64) -> Result<bool, sqlx::Error> {
    Ok(db
        .execute(
            "UPDATE checkout_sessions SET status = 'COMPLETING', updated_at = $2 \
             WHERE id = $1 AND status = 'OPEN' AND expires_at > $2",
            crate::args![id, now],
        )
        .await?
        == 1)
}

/// Give a claimed session back (`COMPLETING → OPEN`): nothing was sent.
pub async fn reopen(db: &Db, id: &str) -> Result<(), sqlx::Error> {
    db.execute(
        "UPDATE checkout_sessions SET status = 'OPEN' WHERE id = $1 AND status = 'COMPLETING'",
        crate::args![id],
    )
    .await?;
    Ok(())
}

/// Close a `COMPLETING` session with `status` and the result query parameters.
pub async fn finish(
    db: &Db,
    id: &str,
    status: SessionStatus,
    result_json: String,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    db.execute(
        "UPDATE checkout_sessions SET status = $2, result_json = $3, finished_at = $4, updated_at = $4 \
         WHERE id = $1 AND status = 'COMPLETING'",
        crate::args![id, status.as_str(), result_json, util::micros(now)],
    )
    .await?;
    Ok(())
}

/// The window reported failure: `OPEN → FAILED` (only before it expires). `false` when
/// someone else moved the session.
pub async fn fail_open(
    db: &Db,
    id: &str,
    result_json: String,
    now: i64,
) -> Result<bool, sqlx::Error> {
    Ok(db
        .execute(
            "UPDATE checkout_sessions SET status = 'FAILED', result_json = $3, finished_at = $2, updated_at = $2 \
             WHERE id = $1 AND status = 'OPEN' AND expires_at > $2",
            crate::args![id, now, result_json],
        )
        .await?
        == 1)
}

/// `OPEN → EXPIRED` once due. `false` when the session was no longer `OPEN` or not yet due.
pub async fn expire(db: &Db, id: &str, result_json: String, now: i64) -> Result<bool, sqlx::Error> {
    Ok(db
        .execute(
            "UPDATE checkout_sessions SET status = 'EXPIRED', result_json = $3, finished_at = $2, updated_at = $2 \
             WHERE id = $1 AND status = 'OPEN' AND expires_at <= $2",
            crate::args![id, now, result_json],
        )
        .await?
        == 1)
}

/// The payment's `OPEN` sessions.
pub async fn open_of_payment(db: &Db, payment_id: &str) -> Result<Vec<SessionRow>, sqlx::Error> {
    let rows = db
        .fetch_all(
            "SELECT * FROM checkout_sessions WHERE payment_id = $1 AND status = 'OPEN'",
            crate::args![payment_id],
        )
        .await?;
    rows.iter().map(SessionRow::from_row).collect()
}

/// Up to 64 `OPEN` sessions due to expire at `now` (µs), oldest first.
pub async fn due_to_expire(db: &Db, now: i64) -> Result<Vec<SessionRow>, sqlx::Error> {
    let rows = db
        .fetch_all(
            "SELECT * FROM checkout_sessions WHERE status = 'OPEN' AND expires_at <= $1 ORDER BY expires_at LIMIT 64",
            crate::args![now],
        )
        .await?;
    rows.iter().map(SessionRow::from_row).collect()
}
