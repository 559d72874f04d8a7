//! The gateway's shared state and the PG call path.

use std::sync::Arc;

use paymux_core::adapter::{kst, EncodeContext, PgRequest, WireRequest};
use paymux_core::error::PgError;
use paymux_core::execute::{self, Checked, Validated};
use paymux_core::outcome::Outcome;
use paymux_core::secret::Secret;
use paymux_core::transport::{Timeouts, Transport};
use paymux_routing::HealthTracker;
use tower::{ServiceBuilder, ServiceExt};

use crate::channels::{ChannelEntry, ChannelRegistry};
use crate::config::Tuning;
use crate::health::SharedHealth;
use crate::metrics::Metrics;
use crate::pgcall::{
    HealthLayer, MetricsLayer, PgAnswer, PgCall, SendService, TimeoutLayer, TraceLayer,
};
use crate::store::db::Db;

/// Everything a request handler or background worker needs.
pub struct AppState {
    /// Storage.
    pub db: Db,
    /// Where wire views and routing events go (`store::diagnostics`): a file of its
    /// own on SQLite, `db` on PostgreSQL.
    pub diagnostics: Db,
    /// Configured channels.
    pub channels: ChannelRegistry,
    /// Moves bytes to PGs.
    pub transport: Arc<dyn Transport>,
    /// Channel health (used by groups with `healthSkip`).
    pub health: HealthTracker,
    /// Tunables.
    pub tuning: Tuning,
    /// `Authorization: PortOne <secret>`.
    pub api_secret: Secret<String>,
    /// The key `Authorization: Bearer` tokens are signed with (derived from the API secret and
    /// the database's salt: `crate::auth`).
    pub(crate) token_keys: crate::auth::TokenKeys,
    /// Webhook signing key (base64-decoded secret).
    pub webhook_key: Secret<Vec<u8>>,
    /// The previous webhook signing key during a secret rotation (`[webhooks]
    /// previous_secret`): deliveries are signed with both, so receivers that still know the
    /// old secret keep verifying them.
    pub webhook_previous_key: Option<Secret<Vec<u8>>>,
    /// Default webhook URL (`crate::webhooks::INBOX_URL`: the sandbox inbox).
    pub webhook_url: Option<String>,
    /// The sandbox's webhook inbox (`GET /sandbox/webhooks`); present only when the default
    /// webhook target is `crate::webhooks::INBOX_URL`.
    pub inbox: Option<crate::webhooks::Inbox>,
    /// `merchantId` on responses.
    pub merchant_id: String,
    /// Default `storeId`.
    pub store_id: String,
    /// This instance's id (schedule claims).
    pub instance_id: String,
    /// HTTP client for webhooks.
    pub http: reqwest::Client,
    /// The configured public URL (no trailing `/`), base of checkout URLs.
    pub public_url: Option<String>,
    /// The address the gateway listens on.
    pub local_addr: std::net::SocketAddr,
    /// Stores the browser SDKs may name (`[browser]`).
    pub browser_stores: Vec<crate::config::BrowserStore>,
    /// The sandbox simulators that make deposits (`POST /sandbox/virtual-accounts/…`).
    pub sandbox: crate::sandbox::SandboxDeposits,
    /// Prometheus metrics (`GET /metrics`).
    pub metrics: Metrics,
    /// Routing events waiting to be written (`GET /channel-groups/{id}/stats`).
    pub routing_log: crate::stats::RoutingLog,
    /// Payment attempts' masked wire views waiting to be written (the console's payment page).
    pub wire_log: crate::wire_log::WireLog,
    /// Throttles for sign-ins, tokens and PG notices (`[limits]`).
    pub limits: crate::throttle::Limits,
}

impl AppState {
    /// The keys webhooks are signed with: the current one, then the previous one during a
    /// rotation.
    pub fn webhook_keys(&self) -> Vec<&[u8]> {
        std::iter::once(self.webhook_key.expose().as_slice())
            .chain(
                self.webhook_previous_key
                    .iter()
                    .map(|k| k.expose().as_slice()),
            )
            .collect()
    }

    /// The layer that decides every PG call's timeouts ([`crate::pgcall::TimeoutLayer`]): the
    /// configured connect and read timeouts, the read one beaten by an adapter's recommended
    /// one unless `[pg] read_timeout_ms` is set.
    pub fn timeout_layer(&self) -> TimeoutLayer {
        TimeoutLayer {
            connect: self.tuning.connect_timeout,
            read: self.tuning.read_timeout,
            read_overrides_adapter: self.tuning.read_timeout_overrides_adapter,
        }
    }

    /// Channel health, shared through the database on PostgreSQL.
    pub fn shared_health(&self) -> SharedHealth<'_> {
        SharedHealth::new(&self.health, &self.db)
    }

    /// Whether `channel_key`'s own rules accept `req` (what its adapter checks before
    /// encoding); `Err` names the field path and the rule. For a check that encodes nothing
    /// after it (a schedule's future payment, a group's explanation); a payment is routed with
    /// [`AppState::validate_for`].
    pub fn rules_verdict(&self, channel_key: &str, req: &PgRequest) -> Result<(), String> {
        let Some(entry) = self.channels.get(channel_key) else {
            return Err(format!("channel `{channel_key}` is not configured"));
        };
        entry
            .adapter
            .validate(&entry.ctx, req)
            .map_err(|e| rule_text(&e))
    }

    /// `channel_key`'s own rules on a request PortOne's generic rules passed: `Ok` is the
    /// request validated for that channel, ready for [`AppState::encode`]; `Err` names the
    /// field path and the rule. Pure and cheap: routing asks every eligible channel of a group
    /// once before choosing (rule-aware selection), and keeps what they validated.
    pub fn validate_for<'a>(
        &'a self,
        channel_key: &str,
        checked: &'a Checked<'_>,
    ) -> Result<Validated<'a>, String> {
        let Some(entry) = self.channels.get(channel_key) else {
            return Err(format!("channel `{channel_key}` is not configured"));
        };
        checked
            .for_channel(entry.adapter.as_ref(), &entry.ctx)
            .map_err(|e| rule_text(&e))
    }

    /// Encode a request validated for `channel` (pure: nothing is validated again, nothing is
    /// sent), with the clock `ctx_now` and a fresh nonce: what [`AppState::pg_call`] sends.
    /// An `Err` means nothing can be sent.
    pub fn encode(
        &self,
        channel: &ChannelEntry,
        ctx_now: chrono::DateTime<chrono::FixedOffset>,
        validated: &Validated<'_>,
    ) -> Result<Encoded, PgError> {
        let nonce = rand::random();
        let ctx = EncodeContext {
            channel: &channel.ctx,
            now: ctx_now,
            nonce,
        };
        let wire = execute::encode(channel.adapter.as_ref(), &ctx, validated)?;
        Ok(Encoded {
            channel_key: channel.ctx.key.clone(),
            now: ctx_now,
            nonce,
            wire,
        })
    }

    /// Run one operation on one channel (validate → encode → send → decode).
    pub async fn call_pg(
        &self,
        channel: &ChannelEntry,
        ctx_now: chrono::DateTime<chrono::FixedOffset>,
        req: &PgRequest,
    ) -> Result<Outcome, PgError> {
        let ctx = EncodeContext {
            channel: &channel.ctx,
            now: ctx_now,
            nonce: [0; 16],
        };
        let encoded = execute::validate(channel.adapter.as_ref(), &ctx, req)
            .and_then(|v| self.encode(channel, ctx_now, &v));
        self.pg_call(channel, req, encoded, false).await.result
    }

    /// Send one call through the layers of [`crate::pgcall`] (or, with `[observability]
    /// metrics = false`, straight to the transport with the same timeouts and health).
    pub async fn send(&self, call: PgCall<'_>) -> PgAnswer {
        if !self.tuning.observability {
            let record = (call.record_health && crate::pgcall::is_pg_call(&call))
                .then(|| call.channel.ctx.key.clone());
            let mut call = call;
            call.timeouts = self.timeout_layer().timeouts_for(call.wire.as_ref().ok());
            let answer = match self.send_direct(call).await {
                Ok(a) => a,
                Err(never) => match never {},
            };
            if let Some(key) = record {
                self.shared_health().record(&key, &answer.result).await;
            }
            return answer;
        }
        match self.send_layered(call).await {
            Ok(a) => a,
            Err(never) => match never {},
        }
    }

    // The stacks' futures are boxed where their lifetimes are concrete, so the futures of
    // the handlers awaiting them are provably `Send`.
    fn send_layered<'a>(&'a self, call: PgCall<'a>) -> BoxedCall<'a> {
        let stack = ServiceBuilder::new()
            .layer(TraceLayer)
            .layer(HealthLayer {
                health: self.shared_health(),
            })
            .layer(MetricsLayer {
                metrics: Some(&self.metrics),
            })
            .layer(self.timeout_layer())
            .service(SendService {
                transport: self.transport.as_ref(),
            });
        Box::pin(stack.oneshot(call))
    }

    fn send_direct<'a>(&'a self, call: PgCall<'a>) -> BoxedCall<'a> {
        let service = SendService {
            transport: self.transport.as_ref(),
        };
        Box::pin(service.oneshot(call))
    }

    /// Send what [`AppState::encode`] made of `req` for `channel` (or, when it could not be
    /// encoded, answer why: nothing is sent), with how long the PG took; `record_health`
    /// reports the result to the channel's health (routed payment attempts).
    pub async fn pg_call(
        &self,
        channel: &ChannelEntry,
        req: &PgRequest,
        encoded: Result<Encoded, PgError>,
        record_health: bool,
    ) -> PgAnswer {
        let (now, nonce, wire) = match encoded {
            Ok(e) if e.channel_key == channel.ctx.key => (e.now, e.nonce, Ok(e.wire)),
            Ok(e) => (
                e.now,
                e.nonce,
                Err(PgError::NotSent {
                    reason: format!(
                        "encoded for channel `{}`, not `{}`",
                        e.channel_key, channel.ctx.key
                    ),
                }),
            ),
            Err(e) => (chrono::Utc::now().with_timezone(&kst()), [0; 16], Err(e)),
        };
        let sent_view = wire.as_ref().ok().map(|w| w.view.clone());
        let mut answer = self
            .send(PgCall {
                channel,
                req,
                now,
                nonce,
                wire,
                record_health,
                timeouts: Timeouts::default(),
            })
            .await;
        answer.sent_view = sent_view;
        answer
    }
}

/// A refusal as routing reports it: the field paths and rules, or the error.
fn rule_text(e: &PgError) -> String {
    match e {
        PgError::Validation(v) => v.to_string(),
        e => e.to_string(),
    }
}

type BoxedCall<'a> = std::pin::Pin<
    Box<dyn std::future::Future<Output = Result<PgAnswer, std::convert::Infallible>> + Send + 'a>,
>;

/// A request encoded for one channel ([`AppState::encode`]) with the clock and nonce it was
/// encoded with (its decode and reversal see the same): what [`AppState::pg_call`] sends. The
/// payment flow encodes before it claims (a request that cannot be sent leaves no row) and
/// sends that encoding: validating and encoding again at the attempt cost +5.4 % instructions
/// per payment (docs/BENCHMARKS.md §5c).
pub struct Encoded {
    channel_key: String,
    now: chrono::DateTime<chrono::FixedOffset>,
    nonce: [u8; 16],
    wire: WireRequest,
}

impl Encoded {
    /// The channel it was encoded for.
    pub fn channel_key(&self) -> &str {
        &self.channel_key
    }
}
