//! Prometheus metrics: what `GET /metrics` shows, in the Prometheus text format (version
//! 0.0.4), kept with the `prometheus` crate. Every series is listed in docs/OPERATIONS.md.
//!
//! Each gateway has its own registry ([`Metrics`]); the store's two (database commit latency,
//! group-commit batch sizes) are process-wide, since the store has no gateway to report to.
//! Counters count what *this instance* did (Prometheus sums instances); the per-group numbers
//! every instance answers alike come from the store (`GET /channel-groups/{id}/stats`).

use std::sync::LazyLock;
use std::time::Duration;

use prometheus::{
    Encoder, Histogram, HistogramOpts, HistogramVec, IntCounterVec, IntGauge, IntGaugeVec, Opts,
    Registry, TextEncoder,
};

/// Latency buckets (seconds) of PG calls and HTTP requests: 1 ms to 30 s.
const LATENCY_BUCKETS: &[f64] = &[
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 20.0, 30.0,
];

/// Database commit latency (seconds), by backend. Process-wide.
pub static DB_COMMIT_SECONDS: LazyLock<HistogramVec> = LazyLock::new(|| {
    HistogramVec::new(
        HistogramOpts::new(
            "paymux_db_commit_duration_seconds",
            "Time a write transaction's commit took (SQLite: until its group commit was durable).",
        )
        .buckets(vec![
            0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0,
        ]),
        &["backend"],
    )
    .expect("a valid metric definition")
});

/// Transactions per SQLite group commit. Process-wide.
pub static GROUP_COMMIT_BATCH: LazyLock<Histogram> = LazyLock::new(|| {
    Histogram::with_opts(
        HistogramOpts::new(
            "paymux_db_group_commit_batch_size",
            "Write transactions made durable by one SQLite group commit (one fsync).",
        )
        .buckets(vec![1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0]),
    )
    .expect("a valid metric definition")
});

/// One gateway's metrics.
pub struct Metrics {
    registry: Registry,
    /// `paymux_http_requests_total{route, method, status}`.
    pub http_requests: IntCounterVec,
    /// `paymux_http_request_duration_seconds{route, method}`.
    pub http_duration: HistogramVec,
    /// `paymux_pg_calls_total{channel, adapter, operation, outcome}`.
    pub pg_calls: IntCounterVec,
    /// `paymux_pg_call_duration_seconds{channel, adapter, operation}`.
    pub pg_duration: HistogramVec,
    /// `paymux_routing_attempts_total{group, channel, outcome}`.
    pub routing_attempts: IntCounterVec,
    /// `paymux_routing_declines_total{group, channel, kind}`.
    pub routing_declines: IntCounterVec,
    /// `paymux_routing_failovers_total{group, channel}`: attempts after which routing went on
    /// to another channel.
    pub routing_failovers: IntCounterVec,
    /// `paymux_routing_rule_skips_total{group, channel}`.
    pub routing_rule_skips: IntCounterVec,
    /// `paymux_channel_healthy{channel}` (1 healthy, 0 skipped by `healthSkip` groups).
    pub channel_healthy: IntGaugeVec,
    /// `paymux_webhook_outbox_pending`.
    pub outbox_pending: IntGauge,
    /// `paymux_reconcile_pending`.
    pub reconcile_pending: IntGauge,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Metrics")
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

fn counter(name: &str, help: &str, labels: &[&str]) -> IntCounterVec {
    IntCounterVec::new(Opts::new(name, help), labels).expect("a valid metric definition")
}

fn latency(name: &str, help: &str, labels: &[&str]) -> HistogramVec {
    HistogramVec::new(
        HistogramOpts::new(name, help).buckets(LATENCY_BUCKETS.to_vec()),
        labels,
    )
    .expect("a valid metric definition")
}

impl Metrics {
    /// A fresh registry with every series registered.
    pub fn new() -> Metrics {
        let m = Metrics {
            registry: Registry::new(),
            http_requests: counter(
                "paymux_http_requests_total",
                "HTTP requests answered, by route template, method and status code.",
                &["route", "method", "status"],
            ),
            http_duration: latency(
                "paymux_http_request_duration_seconds",
                "Time to answer an HTTP request, by route template and method.",
                &["route", "method"],
            ),
            pg_calls: counter(
                "paymux_pg_calls_total",
                "Calls to PGs, by channel, adapter, operation and outcome.",
                &["channel", "adapter", "operation", "outcome"],
            ),
            pg_duration: latency(
                "paymux_pg_call_duration_seconds",
                "Time a PG call took (send and answer; encoding excluded).",
                &["channel", "adapter", "operation"],
            ),
            routing_attempts: counter(
                "paymux_routing_attempts_total",
                "Payments a channel group sent to a channel, by outcome.",
                &["group", "channel", "outcome"],
            ),
            routing_declines: counter(
                "paymux_routing_declines_total",
                "Declines of payments routed through a group, by normalized kind.",
                &["group", "channel", "kind"],
            ),
            routing_failovers: counter(
                "paymux_routing_failovers_total",
                "Attempts after which routing failed over to another channel.",
                &["group", "channel"],
            ),
            routing_rule_skips: counter(
                "paymux_routing_rule_skips_total",
                "Payments a channel's own rules refused, so routing left the channel out.",
                &["group", "channel"],
            ),
            channel_healthy: IntGaugeVec::new(
                Opts::new(
                    "paymux_channel_healthy",
                    "1 when the channel is healthy, 0 while healthSkip groups skip it.",
                ),
                &["channel"],
            )
            .expect("a valid metric definition"),
            outbox_pending: IntGauge::new(
                "paymux_webhook_outbox_pending",
                "Webhook deliveries not yet delivered or given up (due or waiting to retry).",
            )
            .expect("a valid metric definition"),
            reconcile_pending: IntGauge::new(
                "paymux_reconcile_pending",
                "Payments and cancellations in flight or waiting for the reconciler.",
            )
            .expect("a valid metric definition"),
        };
        let collectors: Vec<Box<dyn prometheus::core::Collector>> = vec![
            Box::new(m.http_requests.clone()),
            Box::new(m.http_duration.clone()),
            Box::new(m.pg_calls.clone()),
            Box::new(m.pg_duration.clone()),
            Box::new(m.routing_attempts.clone()),
            Box::new(m.routing_declines.clone()),
            Box::new(m.routing_failovers.clone()),
            Box::new(m.routing_rule_skips.clone()),
            Box::new(m.channel_healthy.clone()),
            Box::new(m.outbox_pending.clone()),
            Box::new(m.reconcile_pending.clone()),
            Box::new(DB_COMMIT_SECONDS.clone()),
            Box::new(GROUP_COMMIT_BATCH.clone()),
        ];
        for c in collectors {
            m.registry
                .register(c)
                .expect("each series is registered once");
        }
        m
    }

    /// Record one PG call.
    pub fn pg_call(
        &self,
        channel: &str,
        adapter: &str,
        operation: &str,
        outcome: &str,
        took: Duration,
    ) {
        self.pg_calls
            .with_label_values(&[channel, adapter, operation, outcome])
            .inc();
        self.pg_duration
            .with_label_values(&[channel, adapter, operation])
            .observe(took.as_secs_f64());
    }

    /// The registry in the Prometheus text format.
    pub fn render(&self) -> String {
        let mut out = Vec::new();
        // Encoding into a Vec cannot fail on I/O; a collector error would be a bug.
        if let Err(e) = TextEncoder::new().encode(&self.registry.gather(), &mut out) {
            tracing::error!(error = %e, "could not encode the metrics");
        }
        String::from_utf8(out).unwrap_or_default()
    }
}

/// The content type of [`Metrics::render`].
pub const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";
