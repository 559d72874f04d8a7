//! Channel health (groups with `healthSkip`): the routing crate's per-channel circuit breaker
//! ([`HealthTracker`]), shared by every instance of one PostgreSQL database.
//!
//! On PostgreSQL a routed attempt's not-sent failure is counted in the `channel_health` table
//! (one count for all instances; at `[health] failure_threshold` consecutive ones the channel
//! is skipped until `cool_down_ms` from then), and a success clears it. Each instance adopts
//! the table into its own tracker every `[health] sync_interval_ms` ([`sync`]), and at once
//! for its own writes, so selection never waits on the database. After a cool-down every
//! instance may send its own single probe. On SQLite (one instance) the tracker alone is used.

use paymux_core::error::PgError;
use paymux_core::outcome::Outcome;
use paymux_routing::{ChannelHealth, HealthSignal, HealthTracker};

use crate::store;
use crate::store::db::{Backend, Db};
use crate::util;

/// Where a gateway keeps channel health: its tracker, plus the database when shared.
#[derive(Clone, Copy)]
pub struct SharedHealth<'a> {
    /// This instance's tracker (what selection reads).
    pub tracker: &'a HealthTracker,
    /// The database shared with other instances (PostgreSQL), if any.
    pub shared: Option<&'a Db>,
}

impl<'a> SharedHealth<'a> {
    /// Health kept in `tracker`, shared through `db` when it is PostgreSQL.
    pub fn new(tracker: &'a HealthTracker, db: &'a Db) -> Self {
        SharedHealth {
            tracker,
            shared: (db.backend() == Backend::Postgres).then_some(db),
        }
    }

    /// Record a routed attempt's result.
    pub async fn record(&self, channel_key: &str, result: &Result<Outcome, PgError>) {
        let signal = HealthSignal::of(result);
        let Some(db) = self.shared else {
            self.tracker.record_signal(channel_key, signal);
            return;
        };
        let before = self.tracker.status(channel_key);
        self.tracker.record_signal(channel_key, signal);
        let written = match signal {
            HealthSignal::NotSentFailure => {
                let cfg = self.tracker.config();
                let now = util::now();
                let until = now + chrono::Duration::from_std(cfg.cool_down).unwrap_or_default();
                match store::health::record_failure(
                    db,
                    channel_key,
                    i64::from(cfg.failure_threshold),
                    util::micros(now),
                    util::micros(until),
                )
                .await
                {
                    Ok(row) => {
                        adopt(self.tracker, &row, util::micros(now));
                        Ok(())
                    }
                    Err(e) => Err(e),
                }
            }
            // Only a channel with failures on record needs clearing.
            HealthSignal::Success
                if before
                    != (ChannelHealth::Healthy {
                        consecutive_failures: 0,
                    }) =>
            {
                store::health::record_success(db, channel_key).await
            }
            _ => Ok(()),
        };
        if let Err(e) = written {
            tracing::warn!(error = %e, channel = channel_key, "could not share the channel's health");
        }
    }
}

fn adopt(tracker: &HealthTracker, row: &store::health::SharedHealthRow, now_us: i64) {
    let failures = u32::try_from(row.failures).unwrap_or(u32::MAX);
    let open_for = row
        .open_until
        .map(|until| std::time::Duration::from_micros(u64::try_from(until - now_us).unwrap_or(0)));
    tracker.adopt(&row.channel_key, failures, open_for);
}

/// Adopt the shared table into `tracker` (PostgreSQL; nothing to do on SQLite). Channels
/// without a row are healthy.
pub async fn sync(tracker: &HealthTracker, db: &Db) -> Result<(), sqlx::Error> {
    if db.backend() != Backend::Postgres {
        return Ok(());
    }
    let rows = store::health::list(db).await?;
    let now = util::micros(util::now());
    for key in tracker.tracked() {
        if !rows.iter().any(|r| r.channel_key == key) {
            tracker.adopt(&key, 0, None);
        }
    }
    for r in &rows {
        adopt(tracker, r, now);
    }
    Ok(())
}
