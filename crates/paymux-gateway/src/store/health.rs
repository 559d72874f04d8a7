//! The `channel_health` table: channel health shared by the instances of one PostgreSQL
//! database (see [`crate::health`]).

use super::db::Db;

/// A channel's shared health.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SharedHealthRow {
    /// The channel.
    pub channel_key: String,
    /// Consecutive not-sent failures, counted by every instance.
    pub failures: i64,
    /// Skipped until then (µs); `None`: healthy.
    pub open_until: Option<i64>,
}

/// Count one not-sent failure; at `threshold` consecutive ones (or while already unhealthy)
/// the channel is skipped until `open_until` (µs). Returns the row as it now stands.
pub async fn record_failure(
    db: &Db,
    channel_key: &str,
    threshold: i64,
    now: i64,
    open_until: i64,
) -> Result<SharedHealthRow, sqlx::Error> {
    let row = db
        .fetch_optional(
            "INSERT INTO channel_health (channel_key, failures, open_until, updated_at) \
             VALUES ($1, 1, CASE WHEN 1 >= $2 THEN $4 ELSE NULL END, $3) \
             ON CONFLICT (channel_key) DO UPDATE SET failures = channel_health.failures + 1, \
             open_until = CASE WHEN channel_health.open_until IS NOT NULL OR channel_health.failures + 1 >= $2 \
                          THEN $4 ELSE NULL END, updated_at = $3 \
             RETURNING channel_key, failures, open_until",
            crate::args![channel_key, threshold, now, open_until],
        )
        .await?;
    match row {
        Some(r) => Ok(SharedHealthRow {
            channel_key: r.req_text("channel_key")?,
            failures: r.req_int("failures")?,
            open_until: r.int("open_until")?,
        }),
        None => Err(sqlx::Error::RowNotFound),
    }
}

/// The channel works: forget its failures.
pub async fn record_success(db: &Db, channel_key: &str) -> Result<(), sqlx::Error> {
    db.execute(
        "DELETE FROM channel_health WHERE channel_key = $1",
        crate::args![channel_key],
    )
    .await?;
    Ok(())
}

/// Every channel with failures on record.
pub async fn list(db: &Db) -> Result<Vec<SharedHealthRow>, sqlx::Error> {
    let rows = db
        .fetch_all(
            "SELECT channel_key, failures, open_until FROM channel_health ORDER BY channel_key",
            crate::args![],
        )
        .await?;
    rows.iter()
        .map(|r| {
            Ok(SharedHealthRow {
                channel_key: r.req_text("channel_key")?,
                failures: r.req_int("failures")?,
                open_until: r.int("open_until")?,
            })
        })
        .collect()
}
