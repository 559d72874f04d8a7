//! Notices from PGs: the append-only `pg_notices` log and the deposit transition
//! (`VIRTUAL_ACCOUNT_ISSUED` → `PAID`), written with its webhook and its log row in one unit of
//! work.

use chrono::{DateTime, Utc};

use super::db::{Db, Row, Tx};
use super::outbox::{self, Event};
use crate::util;

/// One notice as the log keeps it.
#[derive(Debug, Clone)]
pub struct NoticeEntry {
    /// `pgn_<uuid>`.
    pub id: String,
    /// The channel it came in on.
    pub channel_key: String,
    /// The payment it named.
    pub payment_id: String,
    /// The PG's TID, when the notice carried it.
    pub pg_tx_id: Option<String>,
    /// `DEPOSITED` | `STATUS_CHANGED`.
    pub event: &'static str,
    /// `VERIFIED` | `UNSIGNED`.
    pub trust: &'static str,
    /// What the gateway did: `APPLIED`, `DUPLICATE`, `AMOUNT_MISMATCH`, `NOT_CONFIRMED`,
    /// `NO_CHANGE`, `NOT_APPLICABLE`.
    pub verdict: String,
    /// Why, in a sentence (no secret: built from the adapter's masked view and our state).
    pub detail: String,
    /// The adapter's masked view of the notice's fields, as a JSON object.
    pub view_json: String,
    /// When it arrived.
    pub received_at: DateTime<Utc>,
}

impl NoticeEntry {
    fn from_row(r: &Row) -> Result<Self, sqlx::Error> {
        let event = match r.req_text("event")?.as_str() {
            "DEPOSITED" => "DEPOSITED",
            _ => "STATUS_CHANGED",
        };
        let trust = match r.req_text("trust")?.as_str() {
            "VERIFIED" => "VERIFIED",
            _ => "UNSIGNED",
        };
        Ok(NoticeEntry {
            id: r.req_text("id")?,
            channel_key: r.req_text("channel_key")?,
            payment_id: r.req_text("payment_id")?,
            pg_tx_id: r.text("pg_tx_id")?,
            event,
            trust,
            verdict: r.req_text("verdict")?,
            detail: r.req_text("detail")?,
            view_json: r.req_text("view_json")?,
            received_at: util::from_micros(r.req_int("received_at")?),
        })
    }
}

const INSERT: &str = "INSERT INTO pg_notices (id, channel_key, payment_id, pg_tx_id, event, trust, verdict, detail, view_json, received_at) \
                      VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)";

fn insert_args(e: &NoticeEntry) -> Vec<super::db::Arg> {
    crate::args![
        e.id.clone(),
        e.channel_key.clone(),
        e.payment_id.clone(),
        e.pg_tx_id.clone(),
        e.event,
        e.trust,
        e.verdict.clone(),
        e.detail.clone(),
        e.view_json.clone(),
        util::micros(e.received_at)
    ]
}

/// Append `entry` to the log.
pub async fn log(db: &Db, entry: &NoticeEntry) -> Result<(), sqlx::Error> {
    db.execute(INSERT, insert_args(entry)).await?;
    Ok(())
}

async fn log_in(tx: &mut Tx, entry: &NoticeEntry) -> Result<(), sqlx::Error> {
    tx.execute(INSERT, insert_args(entry)).await?;
    Ok(())
}

/// The newest `limit` notices, of one payment when `payment_id` is given, newest first.
pub async fn newest(
    db: &Db,
    payment_id: Option<&str>,
    limit: i64,
) -> Result<Vec<NoticeEntry>, sqlx::Error> {
    let rows = match payment_id {
        Some(p) => {
            db.fetch_all(
                "SELECT * FROM pg_notices WHERE payment_id = $1 ORDER BY received_at DESC, id DESC LIMIT $2",
                crate::args![p, limit],
            )
            .await?
        }
        None => {
            db.fetch_all(
                "SELECT * FROM pg_notices ORDER BY received_at DESC, id DESC LIMIT $1",
                crate::args![limit],
            )
            .await?
        }
    };
    rows.iter().map(NoticeEntry::from_row).collect()
}

/// The payment of channel `channel_key` the PG knows as `pg_tx_id`.
pub async fn payment_by_pg_tx_id(
    db: &Db,
    channel_key: &str,
    pg_tx_id: &str,
) -> Result<Option<String>, sqlx::Error> {
    let row = db
        .fetch_optional(
            "SELECT id FROM payments WHERE pg_tx_id = $1 AND channel_key = $2",
            crate::args![pg_tx_id, channel_key],
        )
        .await?;
    row.map(|r| r.req_text("id")).transpose()
}

/// The payer deposited: the attempt `transaction_id` of `payment_id`, still
/// `VIRTUAL_ACCOUNT_ISSUED`, becomes `PAID` at `paid_at`, with its webhook and the notice's
/// log row, in one unit of work. `false` (nothing written) when the payment is no longer
/// waiting for the deposit (a resent notice, or one that lost a race).
pub async fn record_deposit(
    db: &Db,
    payment_id: &str,
    transaction_id: &str,
    paid_at: DateTime<Utc>,
    event: Option<&Event>,
    entry: &NoticeEntry,
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let mut tx = db.begin().await?;
    let n = tx
        .execute(
            "UPDATE payments SET status = 'PAID', paid_at = $3, updated_at = $4, status_changed_at = $4, \
             reconcile_at = NULL WHERE id = $1 AND transaction_id = $2 AND status = 'VIRTUAL_ACCOUNT_ISSUED'",
            crate::args![payment_id, transaction_id, util::micros(paid_at), util::micros(now)],
        )
        .await?;
    if n != 1 {
        return Ok(false);
    }
    outbox::insert_opt(&mut tx, event).await?;
    log_in(&mut tx, entry).await?;
    tx.commit().await?;
    Ok(true)
}
