//! The `routing_events` table: what routing did with each payment of a group (the channel each
//! attempt went to, how it ended and how long the PG took; the channels the rules left out),
//! counted by `GET /channel-groups/{id}/stats` over sliding windows.

use super::db::{values_rows, Db, Row, BACKGROUND_ROWS};
use crate::domain::AttemptOutcome;

/// One routing event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoutingEvent {
    /// Unique id.
    pub id: String,
    /// When (µs).
    pub at: i64,
    /// The group the payment was routed through.
    pub group_id: String,
    /// The channel.
    pub channel_key: String,
    /// The payment.
    pub payment_id: String,
    /// What happened.
    pub kind: EventKind,
}

/// What happened on a channel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EventKind {
    /// The payment was sent to the channel.
    Attempt {
        /// 0 for the channel selection chose, 1.. for failovers.
        attempt_no: i64,
        /// How it ended.
        outcome: AttemptOutcome,
        /// For a decline: the normalized kind (`card_declined`, ...).
        decline_kind: Option<&'static str>,
        /// Routing went on to another channel after this one.
        failed_over: bool,
        /// [`latency_bucket`] of the PG call.
        latency_bucket: i64,
    },
    /// The channel's rules refused the payment, so routing left it out.
    Refused {
        /// The rule (field path and rule; never a value).
        rule: String,
    },
}

/// A latency's bucket: `ceil(8 · log2(µs))`, so a bucket is ~9 % wide
/// ([`bucket_upper_micros`] is its upper bound). Percentiles read off these buckets are within
/// that of the true value.
pub fn latency_bucket(micros: u64) -> i64 {
    let us = micros.max(1) as f64;
    (8.0 * us.log2()).ceil() as i64
}

/// The largest latency (µs) of a bucket.
pub fn bucket_upper_micros(bucket: i64) -> f64 {
    2f64.powf(bucket as f64 / 8.0)
}

/// Insert events, [`BACKGROUND_ROWS`] per transaction.
pub async fn insert(db: &Db, events: &[RoutingEvent]) -> Result<(), sqlx::Error> {
    for chunk in events.chunks(BACKGROUND_ROWS) {
        insert_chunk(db, chunk).await?;
    }
    Ok(())
}

async fn insert_chunk(db: &Db, events: &[RoutingEvent]) -> Result<(), sqlx::Error> {
    let mut args = Vec::with_capacity(events.len() * 12);
    for e in events {
        let (event, attempt_no, outcome, decline_kind, failed_over, bucket, rule) = match &e.kind {
            EventKind::Attempt {
                attempt_no,
                outcome,
                decline_kind,
                failed_over,
                latency_bucket,
            } => (
                "ATTEMPT",
                *attempt_no,
                Some(outcome.as_str()),
                *decline_kind,
                *failed_over,
                Some(*latency_bucket),
                None,
            ),
            EventKind::Refused { rule } => {
                ("REFUSED", 0, None, None, false, None, Some(rule.as_str()))
            }
        };
        args.extend(crate::args![
            e.id.as_str(),
            e.at,
            e.group_id.as_str(),
            e.channel_key.as_str(),
            e.payment_id.as_str(),
            event,
            attempt_no,
            outcome,
            decline_kind,
            failed_over,
            bucket,
            rule
        ]);
    }
    let sql = format!(
        "INSERT INTO routing_events (id, at, group_id, channel_key, payment_id, event, attempt_no, outcome, \
         decline_kind, failed_over, latency_bucket, rule) VALUES {} ON CONFLICT (id) DO NOTHING",
        values_rows(db.backend(), 12, events.len())
    );
    let mut tx = db.begin_background().await?;
    tx.execute(&sql, args).await?;
    tx.commit().await
}

/// Attempts of a group since `since` (µs), counted by channel and what they gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttemptCount {
    /// The channel.
    pub channel_key: String,
    /// `true` for the channel selection chose (attempt 0), `false` for a failover's.
    pub first: bool,
    /// The outcome (see [`EventKind::Attempt`]).
    pub outcome: String,
    /// The decline kind, for declines.
    pub decline_kind: Option<String>,
    /// Routing went on after it.
    pub failed_over: bool,
    /// Latency bucket.
    pub latency_bucket: Option<i64>,
    /// How many.
    pub count: i64,
}

/// Count a group's attempts since `since` (µs).
pub async fn count_attempts(
    db: &Db,
    group_id: &str,
    since: i64,
) -> Result<Vec<AttemptCount>, sqlx::Error> {
    let rows = db
        .fetch_all(
            "SELECT channel_key, CAST(CASE WHEN attempt_no = 0 THEN 1 ELSE 0 END AS BIGINT) AS first, outcome, decline_kind, \
             failed_over, latency_bucket, COUNT(*) AS n FROM routing_events \
             WHERE group_id = $1 AND at >= $2 AND event = 'ATTEMPT' \
             GROUP BY channel_key, CASE WHEN attempt_no = 0 THEN 1 ELSE 0 END, outcome, decline_kind, failed_over, latency_bucket",
            crate::args![group_id, since],
        )
        .await?;
    rows.iter()
        .map(|r: &Row| {
            Ok(AttemptCount {
                channel_key: r.req_text("channel_key")?,
                first: r.flag("first")?,
                outcome: r.text("outcome")?.unwrap_or_default(),
                decline_kind: r.text("decline_kind")?,
                failed_over: r.flag("failed_over")?,
                latency_bucket: r.int("latency_bucket")?,
                count: r.req_int("n")?,
            })
        })
        .collect()
}

/// Refusals of a group since `since` (µs), by channel and rule.
pub async fn count_refusals(
    db: &Db,
    group_id: &str,
    since: i64,
) -> Result<Vec<(String, String, i64)>, sqlx::Error> {
    let rows = db
        .fetch_all(
            "SELECT channel_key, rule, COUNT(*) AS n FROM routing_events \
             WHERE group_id = $1 AND at >= $2 AND event = 'REFUSED' GROUP BY channel_key, rule",
            crate::args![group_id, since],
        )
        .await?;
    rows.iter()
        .map(|r| {
            Ok((
                r.req_text("channel_key")?,
                r.text("rule")?.unwrap_or_default(),
                r.req_int("n")?,
            ))
        })
        .collect()
}

/// How many payments a group routed since `since` (µs): those with an attempt or a refusal.
pub async fn count_payments(db: &Db, group_id: &str, since: i64) -> Result<i64, sqlx::Error> {
    let row = db
        .fetch_optional(
            "SELECT COUNT(DISTINCT payment_id) AS n FROM routing_events WHERE group_id = $1 AND at >= $2",
            crate::args![group_id, since],
        )
        .await?;
    Ok(match row {
        Some(r) => r.req_int("n")?,
        None => 0,
    })
}

/// Delete events from before `before` (µs). Returns how many.
pub async fn prune(db: &Db, before: i64) -> Result<u64, sqlx::Error> {
    db.execute(
        "DELETE FROM routing_events WHERE at < $1",
        crate::args![before],
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_are_about_nine_percent_wide_and_bound_the_latency() {
        for us in [1u64, 7, 100, 999, 1_000, 12_345, 20_000_000] {
            let b = latency_bucket(us);
            let upper = bucket_upper_micros(b);
            assert!(upper >= us as f64 * 0.999_999, "{us}: {upper}");
            assert!(upper <= us as f64 * 1.0906, "{us}: {upper}");
        }
        assert!(latency_bucket(1_000) < latency_bucket(1_100));
    }
}
