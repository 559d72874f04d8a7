//! Routing measured: `GET /channel-groups/{id}/stats`.
//!
//! Every routed payment leaves `RoutingEvent`s: one per attempt (the channel, the outcome,
//! the PG's latency, whether routing failed over after it) and one per channel whose own rules
//! refused it. They are buffered in [`RoutingLog`] and written in batches (a worker flushes
//! every 250 ms, and the stats endpoint flushes before counting), so recording costs a payment
//! no database write of its own; a crash loses at most the last batch of *statistics*, never a
//! payment. Rows older than [`RETENTION`] are pruned. They go to
//! the diagnostics store (`store::diagnostics`: a file of their own on SQLite).
//!
//! [`compute`] counts them from the store — a plain function of the database and the group,
//! so every instance (and the console) answers the same — over sliding windows of 5 minutes,
//! 1 hour and 1 day: per channel, attempts, approvals, declines by kind, unknown outcomes,
//! failovers, rule skips, p50/p99 PG latency (read off ~9 %-wide buckets), and the share of
//! the group's payments selection gave it against its configured weight. [`warnings`] says
//! when the configuration makes a channel unreachable for the payments the group actually
//! gets; the gateway also logs them when a group is changed.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use chrono::{DateTime, Utc};
use paymux_routing::{ChannelGroup, ChannelHealth, SkippedChannel};
use serde::Serialize;

use crate::domain::AttemptOutcome;
use crate::metrics::Metrics;
use crate::state::AppState;
use crate::store::db::Db;
use crate::store::routing_stats::{self, bucket_upper_micros, EventKind, RoutingEvent};
use crate::util;

/// How long routing events are kept: the widest window plus an hour.
pub const RETENTION: Duration = Duration::from_secs(25 * 3600);

/// The windows counted, with their names.
pub const WINDOWS: &[(&str, Duration)] = &[
    ("5m", Duration::from_secs(300)),
    ("1h", Duration::from_secs(3600)),
    ("1d", Duration::from_secs(86_400)),
];

/// Payments a window needs before [`warnings`] judge it.
pub const WARNING_MIN_PAYMENTS: i64 = 20;

/// One attempt of a routed payment, as [`RoutingLog::record`] takes it.
#[derive(Debug, Clone)]
pub struct AttemptRecord<'a> {
    /// The channel.
    pub channel_key: &'a str,
    /// The result, summarized.
    pub result: &'a paymux_routing::AttemptResult,
    /// How long the PG took.
    pub took: Duration,
}

/// Routing events waiting to be written (see the module docs).
#[derive(Debug, Default)]
pub struct RoutingLog {
    pending: Mutex<Vec<RoutingEvent>>,
    flushing: tokio::sync::Mutex<()>,
    last_prune: AtomicI64,
}

fn outcome_of(r: &paymux_routing::AttemptResult) -> (AttemptOutcome, Option<&'static str>) {
    use paymux_routing::AttemptResult as A;
    match r {
        A::Approved => (AttemptOutcome::Approved, None),
        A::VirtualAccountIssued => (AttemptOutcome::VirtualAccountIssued, None),
        A::Pending => (AttemptOutcome::Pending, None),
        A::Declined { kind, .. } => (AttemptOutcome::Declined, Some(kind.as_str())),
        A::Unknown { .. } => (AttemptOutcome::Unknown, None),
        A::Error { not_sent: true, .. } => (AttemptOutcome::NotSent, None),
        A::Error { .. } => (AttemptOutcome::Error, None),
    }
}

impl RoutingLog {
    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<RoutingEvent>> {
        self.pending.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Record a routed payment: its attempts in order (routing failed over after all but the
    /// last) and the channels whose rules refused it. Counts them in `metrics` too.
    pub fn record(
        &self,
        metrics: Option<&Metrics>,
        group_id: &str,
        payment_id: &str,
        attempts: &[AttemptRecord<'_>],
        refused: &[SkippedChannel],
    ) {
        let at = util::micros(util::now());
        let mut events = Vec::with_capacity(attempts.len() + refused.len());
        for (i, a) in attempts.iter().enumerate() {
            let (outcome, decline_kind) = outcome_of(a.result);
            let failed_over = i + 1 < attempts.len();
            if let Some(m) = metrics {
                m.routing_attempts
                    .with_label_values(&[group_id, a.channel_key, outcome.as_str()])
                    .inc();
                if let Some(kind) = decline_kind {
                    m.routing_declines
                        .with_label_values(&[group_id, a.channel_key, kind])
                        .inc();
                }
                if failed_over {
                    m.routing_failovers
                        .with_label_values(&[group_id, a.channel_key])
                        .inc();
                }
            }
            events.push(RoutingEvent {
                id: crate::util::row_uuid().simple().to_string(),
                at,
                group_id: group_id.to_string(),
                channel_key: a.channel_key.to_string(),
                payment_id: payment_id.to_string(),
                kind: EventKind::Attempt {
                    attempt_no: i as i64,
                    outcome,
                    decline_kind,
                    failed_over,
                    latency_bucket: routing_stats::latency_bucket(
                        u64::try_from(a.took.as_micros()).unwrap_or(u64::MAX),
                    ),
                },
            });
        }
        for r in refused {
            if let Some(m) = metrics {
                m.routing_rule_skips
                    .with_label_values(&[group_id, &r.channel_key])
                    .inc();
            }
            let rule = match &r.reason {
                paymux_routing::SkipReason::Refused { rule } => rule.clone(),
                other => other.to_string(),
            };
            events.push(RoutingEvent {
                id: crate::util::row_uuid().simple().to_string(),
                at,
                group_id: group_id.to_string(),
                channel_key: r.channel_key.clone(),
                payment_id: payment_id.to_string(),
                kind: EventKind::Refused {
                    rule: rule.chars().take(200).collect(),
                },
            });
        }
        self.lock().extend(events);
    }

    /// Write what is pending (one transaction), and prune old rows once an hour. Returns how
    /// many events were written. On a database error the batch is dropped (it is statistics)
    /// and the error returned.
    pub async fn flush(&self, db: &Db) -> Result<usize, sqlx::Error> {
        let _one_at_a_time = self.flushing.lock().await;
        let batch = std::mem::take(&mut *self.lock());
        routing_stats::insert(db, &batch).await?;
        let now = util::micros(util::now());
        let last = self.last_prune.load(Ordering::Relaxed);
        if now - last > 3_600_000_000 {
            self.last_prune.store(now, Ordering::Relaxed);
            let before = now - i64::try_from(RETENTION.as_micros()).unwrap_or(i64::MAX);
            routing_stats::prune(db, before).await?;
        }
        Ok(batch.len())
    }
}

/// Latency percentiles (milliseconds).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, utoipa::ToSchema)]
#[schema(as = RoutingLatency)]
pub struct Latency {
    /// Median.
    pub p50: f64,
    /// 99th percentile.
    pub p99: f64,
}

/// One channel in one window.
#[derive(Debug, Clone, Default, PartialEq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = ChannelRoutingStats)]
pub struct ChannelStats {
    /// The channel.
    pub channel_key: String,
    /// Its weight now (0 when no longer in the group).
    pub weight: u32,
    /// Enabled now.
    pub enabled: bool,
    /// Its share of the enabled weights (0..1).
    pub configured_share: f64,
    /// Payments selection gave it first, over the group's payments in the window (0..1).
    pub actual_share: f64,
    /// Payments selection gave it first.
    pub selected: i64,
    /// Attempts on it (first choices and failovers to it).
    pub attempts: i64,
    /// Approved.
    pub approvals: i64,
    /// Virtual accounts issued.
    pub virtual_accounts_issued: i64,
    /// Accepted, result later.
    pub pending: i64,
    /// Declined, in all.
    pub declines: i64,
    /// Declines by normalized kind.
    pub declines_by_kind: BTreeMap<String, i64>,
    /// Sent, no usable answer (left to the reconciler).
    pub unknown_outcomes: i64,
    /// Certainly not sent (connection never made, misconfigured channel, encoder refused).
    pub not_sent: i64,
    /// Other errors.
    pub errors: i64,
    /// Attempts after which routing failed over to another channel.
    pub failovers: i64,
    /// Attempts it got as another channel's failover.
    pub failover_attempts: i64,
    /// Payments its own rules refused (routing left it out).
    pub rule_skips: i64,
    /// PG latency, when it had attempts.
    pub latency_ms: Option<Latency>,
    /// The rules that refused most often, with counts (at most 3): `[rule, count]` pairs.
    #[schema(value_type = Vec<Vec<serde_json::Value>>)]
    pub top_refusals: Vec<(String, i64)>,
}

/// One window.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = RoutingStatsWindow)]
pub struct WindowStats {
    /// `5m`, `1h` or `1d`.
    pub window: &'static str,
    /// Its length.
    pub seconds: u64,
    /// Payments routed through the group (an attempt or a refusal).
    pub payments: i64,
    /// Per channel: the group's channels in configuration order, then any other it used.
    pub channels: Vec<ChannelStats>,
}

/// A problem the stats show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = RoutingStatsWarning)]
pub struct Warning {
    /// The channel.
    pub channel_key: String,
    /// `RULES_REFUSE_MOST`, `NO_TRAFFIC` or `UNHEALTHY`.
    pub kind: &'static str,
    /// What it means, for a person.
    pub message: String,
}

/// The answer of `GET /channel-groups/{id}/stats`.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = GroupRoutingStats)]
pub struct GroupStats {
    /// The group.
    pub group_id: String,
    /// When counted (RFC 3339).
    pub at: String,
    /// 5 minutes, 1 hour, 1 day.
    pub windows: Vec<WindowStats>,
    /// See [`warnings`].
    pub warnings: Vec<Warning>,
}

/// The `q`-quantile (0..1) of bucketed latencies, in milliseconds (the bucket's upper bound).
fn quantile_ms(buckets: &BTreeMap<i64, i64>, q: f64) -> Option<f64> {
    let n: i64 = buckets.values().sum();
    if n == 0 {
        return None;
    }
    let rank = ((q * n as f64).ceil() as i64).max(1);
    let mut seen = 0;
    for (b, c) in buckets {
        seen += c;
        if seen >= rank {
            let ms = bucket_upper_micros(*b) / 1000.0;
            return Some((ms * 1000.0).round() / 1000.0);
        }
    }
    None
}

/// Count a group's routing over the windows ending at `now`, from the store. `group` is the
/// configuration the shares are compared with (normally the one in force).
pub async fn compute(
    db: &Db,
    group: &ChannelGroup,
    now: DateTime<Utc>,
) -> Result<GroupStats, sqlx::Error> {
    let enabled_total: u32 = group
        .channels
        .iter()
        .filter(|c| c.enabled)
        .map(|c| c.weight)
        .sum();
    let mut windows = Vec::new();
    for (name, len) in WINDOWS {
        let since = util::micros(now) - i64::try_from(len.as_micros()).unwrap_or(i64::MAX);
        let attempts = routing_stats::count_attempts(db, &group.id, since).await?;
        let refusals = routing_stats::count_refusals(db, &group.id, since).await?;
        let payments = routing_stats::count_payments(db, &group.id, since).await?;
        let mut by_key: BTreeMap<String, (ChannelStats, BTreeMap<i64, i64>)> = BTreeMap::new();
        let mut order: Vec<String> = group
            .channels
            .iter()
            .map(|c| c.channel_key.clone())
            .collect();
        let mut entry = |key: &str| {
            if !order.iter().any(|k| k == key) {
                order.push(key.to_string());
            }
        };
        for a in &attempts {
            entry(&a.channel_key);
        }
        for (k, _, _) in &refusals {
            entry(k);
        }
        for key in &order {
            let c = group.channels.iter().find(|c| &c.channel_key == key);
            let weight = c.map_or(0, |c| c.weight);
            let enabled = c.is_some_and(|c| c.enabled);
            let configured_share = if enabled && enabled_total > 0 {
                f64::from(weight) / f64::from(enabled_total)
            } else {
                0.0
            };
            by_key.insert(
                key.clone(),
                (
                    ChannelStats {
                        channel_key: key.clone(),
                        weight,
                        enabled,
                        configured_share,
                        ..ChannelStats::default()
                    },
                    BTreeMap::new(),
                ),
            );
        }
        for a in attempts {
            let Some((s, lat)) = by_key.get_mut(&a.channel_key) else {
                continue;
            };
            let n = a.count;
            s.attempts += n;
            if a.first {
                s.selected += n;
            } else {
                s.failover_attempts += n;
            }
            if a.failed_over {
                s.failovers += n;
            }
            let outcome = AttemptOutcome::parse(&a.outcome);
            match outcome {
                Some(AttemptOutcome::Approved) => s.approvals += n,
                Some(AttemptOutcome::VirtualAccountIssued) => s.virtual_accounts_issued += n,
                Some(AttemptOutcome::Pending) => s.pending += n,
                Some(AttemptOutcome::Declined) => {
                    s.declines += n;
                    *s.declines_by_kind
                        .entry(a.decline_kind.clone().unwrap_or_else(|| "other".into()))
                        .or_default() += n;
                }
                Some(AttemptOutcome::Unknown) => s.unknown_outcomes += n,
                Some(AttemptOutcome::NotSent) => s.not_sent += n,
                Some(AttemptOutcome::Error) | None => s.errors += n,
            }
            // Nothing sent, no latency.
            let sent = outcome != Some(AttemptOutcome::NotSent);
            if let (Some(b), true) = (a.latency_bucket, sent) {
                *lat.entry(b).or_default() += n;
            }
        }
        for (key, rule, n) in refusals {
            if let Some((s, _)) = by_key.get_mut(&key) {
                s.rule_skips += n;
                s.top_refusals.push((rule, n));
            }
        }
        let selected_total: i64 = by_key.values().map(|(s, _)| s.selected).sum();
        let channels = order
            .iter()
            .filter_map(|k| by_key.remove(k))
            .map(|(mut s, lat)| {
                if selected_total > 0 {
                    s.actual_share = s.selected as f64 / selected_total as f64;
                }
                s.latency_ms = quantile_ms(&lat, 0.5)
                    .zip(quantile_ms(&lat, 0.99))
                    .map(|(p50, p99)| Latency { p50, p99 });
                s.top_refusals
                    .sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
                s.top_refusals.truncate(3);
                s
            })
            .collect();
        windows.push(WindowStats {
            window: name,
            seconds: len.as_secs(),
            payments,
            channels,
        });
    }
    let warnings = warnings(group, &windows);
    Ok(GroupStats {
        group_id: group.id.clone(),
        at: util::rfc3339(now),
        windows,
        warnings,
    })
}

/// What the last hour (or, with too few payments, the last day) says about the group's
/// configuration: a channel with weight whose own rules refused most of the group's payments
/// (`RULES_REFUSE_MOST`), or that was never chosen although its weight says it should have
/// been (`NO_TRAFFIC`, e.g. its adapter cannot do the methods the payments use). Needs
/// [`WARNING_MIN_PAYMENTS`] payments.
pub fn warnings(group: &ChannelGroup, windows: &[WindowStats]) -> Vec<Warning> {
    let Some(w) = windows
        .iter()
        .filter(|w| w.window != "5m")
        .find(|w| w.payments >= WARNING_MIN_PAYMENTS)
    else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for c in group.channels.iter().filter(|c| c.enabled && c.weight > 0) {
        let Some(s) = w.channels.iter().find(|s| s.channel_key == c.channel_key) else {
            continue;
        };
        let refused = s.rule_skips as f64 / w.payments as f64;
        if refused >= 0.5 {
            let rule = s
                .top_refusals
                .first()
                .map(|(r, _)| format!(" (most often: {r})"))
                .unwrap_or_default();
            out.push(Warning {
                channel_key: c.channel_key.clone(),
                kind: "RULES_REFUSE_MOST",
                message: format!(
                    "its own rules refused {} of the group's {} payments in the last {} ({:.0} %){rule}: \
                     its weight {} reaches only the payments it accepts",
                    s.rule_skips,
                    w.payments,
                    w.window,
                    refused * 100.0,
                    c.weight
                ),
            });
        } else if s.selected == 0 && s.configured_share * w.payments as f64 >= 10.0 {
            out.push(Warning {
                channel_key: c.channel_key.clone(),
                kind: "NO_TRAFFIC",
                message: format!(
                    "selection chose it for none of the group's {} payments in the last {} although its weight is {} \
                     (is it able to do the methods and operations the payments use?)",
                    w.payments, w.window, c.weight
                ),
            });
        }
    }
    out
}

/// The stats of group `id` now, flushing this instance's pending events first, with a
/// warning for each of its channels health currently skips. `None` when there is no such
/// group.
pub async fn for_group(st: &AppState, id: &str) -> Result<Option<GroupStats>, sqlx::Error> {
    let Some(group) = crate::groups::current(st, id).await? else {
        return Ok(None);
    };
    if let Err(e) = st.routing_log.flush(&st.diagnostics).await {
        tracing::warn!(error = %e, "could not write the routing events");
    }
    let mut stats = compute(&st.diagnostics, &group, util::now()).await?;
    for c in group.channels.iter().filter(|c| c.enabled) {
        if let ChannelHealth::CoolingDown { remaining } = st.health.status(&c.channel_key) {
            stats.warnings.push(Warning {
                channel_key: c.channel_key.clone(),
                kind: "UNHEALTHY",
                message: format!(
                    "it keeps failing before anything reaches its PG: healthSkip groups skip it for {} s more",
                    remaining.as_secs()
                ),
            });
        }
    }
    Ok(Some(stats))
}

/// Log the warnings the last day's payments give for a group's new configuration (at
/// `PUT /channel-groups/{id}`).
pub async fn log_warnings(st: &AppState, group: &ChannelGroup) {
    if let Err(e) = st.routing_log.flush(&st.diagnostics).await {
        tracing::warn!(error = %e, "could not write the routing events");
    }
    match compute(&st.diagnostics, group, util::now()).await {
        Ok(stats) => {
            for w in stats.warnings {
                tracing::warn!(group = %group.id, channel = %w.channel_key, kind = w.kind, "{}", w.message);
            }
        }
        Err(e) => {
            tracing::warn!(error = %e, group = %group.id, "could not check the group's recent routing")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_read_off_buckets() {
        let mut b = BTreeMap::new();
        assert_eq!(quantile_ms(&b, 0.5), None);
        // 98 calls of ~1 ms, 2 of ~100 ms.
        b.insert(routing_stats::latency_bucket(1_000), 98);
        b.insert(routing_stats::latency_bucket(100_000), 2);
        let p50 = quantile_ms(&b, 0.5).unwrap();
        let p99 = quantile_ms(&b, 0.99).unwrap();
        assert!((1.0..1.1).contains(&p50), "{p50}");
        assert!((100.0..110.0).contains(&p99), "{p99}");
    }
}
