//! The `attempt_wire` table: the masked wire view of what each payment attempt sent to its PG
//! and of what came back, for the operator console's payment page. Rows arrive in batches
//! from [`crate::wire_log::WireLog`]; their text is masked before it gets here.

use super::db::{values_rows, Arg, Db, Row, BACKGROUND_ROWS};
use super::list_query::Statement;

/// One attempt's exchange with its PG, masked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttemptWireRow {
    /// Unique id.
    pub id: String,
    /// paymentId.
    pub payment_id: String,
    /// The claim the attempt was part of (the payment's `transactionId` then).
    pub transaction_id: String,
    /// The channel it went to.
    pub channel_key: String,
    /// The operation (`payment.instant`, …).
    pub operation: String,
    /// The request's masked view (JSON text).
    pub request_view: String,
    /// The answer's masked view (JSON text).
    pub answer_view: String,
    /// Send to decoded answer (µs; 0 when nothing was sent).
    pub took_us: i64,
    /// When (µs).
    pub at: i64,
}

impl AttemptWireRow {
    fn from_row(r: &Row) -> Result<Self, sqlx::Error> {
        Ok(AttemptWireRow {
            id: r.req_text("id")?,
            payment_id: r.req_text("payment_id")?,
            transaction_id: r.req_text("transaction_id")?,
            channel_key: r.req_text("channel_key")?,
            operation: r.req_text("operation")?,
            request_view: r.req_text("request_view")?,
            answer_view: r.req_text("answer_view")?,
            took_us: r.req_int("took_us")?,
            at: r.req_int("at")?,
        })
    }
}

/// Insert rows, [`BACKGROUND_ROWS`] per transaction.
pub async fn insert(db: &Db, rows: &[AttemptWireRow]) -> Result<(), sqlx::Error> {
    for chunk in rows.chunks(BACKGROUND_ROWS) {
        insert_chunk(db, chunk).await?;
    }
    Ok(())
}

async fn insert_chunk(db: &Db, rows: &[AttemptWireRow]) -> Result<(), sqlx::Error> {
    let mut args = Vec::with_capacity(rows.len() * 9);
    for w in rows {
        args.extend(crate::args![
            w.id.as_str(),
            w.payment_id.as_str(),
            w.transaction_id.as_str(),
            w.channel_key.as_str(),
            w.operation.as_str(),
            w.request_view.as_str(),
            w.answer_view.as_str(),
            w.took_us,
            w.at
        ]);
    }
    let sql = format!(
        "INSERT INTO attempt_wire (id, payment_id, transaction_id, channel_key, operation, request_view, \
         answer_view, took_us, at) VALUES {} ON CONFLICT (id) DO NOTHING",
        values_rows(db.backend(), 9, rows.len())
    );
    let mut tx = db.begin_background().await?;
    tx.execute(&sql, args).await?;
    tx.commit().await
}

/// Most rows one payment's page reads (a payment has a handful of attempts; this bounds a
/// page whatever was stored).
pub const MAX_PER_PAYMENT: i64 = 100;

/// The exchanges of payment `payment_id` made under its claims `claims` (its transaction ids:
/// the current one and those routing failed over from), oldest first.
pub async fn for_claims(
    db: &Db,
    payment_id: &str,
    claims: &[&str],
) -> Result<Vec<AttemptWireRow>, sqlx::Error> {
    if claims.is_empty() {
        return Ok(Vec::new());
    }
    let s = claims_statement(payment_id, claims);
    let rows = db.fetch_all(&s.sql, s.args).await?;
    rows.iter().map(AttemptWireRow::from_row).collect()
}

/// [`for_claims`]'s statement. It searches the claim index (migration 20): claim ids are
/// time-ordered, so new rows append to that index, where random payment ids dirtied a page of
/// it per row.
pub(super) fn claims_statement(payment_id: &str, claims: &[&str]) -> Statement {
    let listed: Vec<String> = (0..claims.len()).map(|i| format!("${}", i + 2)).collect();
    let mut args = crate::args![payment_id];
    args.extend(claims.iter().map(|c| Arg::from(*c)));
    args.push(Arg::from(MAX_PER_PAYMENT));
    Statement {
        sql: format!(
            "SELECT * FROM attempt_wire WHERE transaction_id IN ({}) AND payment_id = $1 \
             ORDER BY at, id LIMIT ${}",
            listed.join(", "),
            claims.len() + 2
        ),
        args,
    }
}
