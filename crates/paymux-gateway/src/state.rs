//! The gateway's shared state and the PG call path.

use std::sync::Arc;

use paymux_core::adapter::{EncodeContext, PgRequest, WireRequest};
use paymux_core::error::PgError;
use paymux_core::execute;
use paymux_core::outcome::Outcome;
use paymux_core::secret::Secret;
use paymux_core::transport::{Timeouts, Transport};
use paymux_routing::HealthTracker;

use crate::channels::{ChannelEntry, ChannelRegistry};
use crate::config::Tuning;
use crate::store::db::Db;

/// Everything a request handler or background worker needs.
pub struct AppState {
    /// Storage.
    pub db: Db,
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

    /// PG timeouts. The read timeout is the configured one; whether it also beats an adapter's
    /// recommended one is the transport's setting (`caller_read_wins`, set from
    /// [`Tuning::read_timeout_overrides_adapter`] where the transport is built).
    pub fn timeouts(&self) -> Timeouts {
        Timeouts {
            connect: self.tuning.connect_timeout,
            read: self.tuning.read_timeout,
        }
    }

    /// Whether `channel_key`'s own rules accept `req` (what its adapter checks before
    /// encoding); `Err` names the field path and the rule. Pure and cheap: routing asks every
    /// eligible channel of a group before choosing (rule-aware selection).
    pub fn rules_verdict(&self, channel_key: &str, req: &PgRequest) -> Result<(), String> {
        let Some(entry) = self.channels.get(channel_key) else {
            return Err(format!("channel `{channel_key}` is not configured"));
        };
        entry
            .adapter
            .validate(&entry.ctx, req)
            .map_err(|e| match e {
                PgError::Validation(v) => v.to_string(),
                e => e.to_string(),
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
            nonce: rand::random(),
        };
        execute::execute(
            channel.adapter.as_ref(),
            self.transport.as_ref(),
            &ctx,
            req,
            self.timeouts(),
        )
        .await
    }

    /// Check a request against the generic and the channel's own rules, and that the adapter
    /// can encode it (encoding is pure), without sending anything. Run before a payment row is
    /// written, so a request that could never be sent leaves no record. The encoded request is
    /// kept for [`AppState::call_prechecked`], which sends it without encoding it again.
    pub fn precheck(
        &self,
        channel: &ChannelEntry,
        ctx_now: chrono::DateTime<chrono::FixedOffset>,
        req: &PgRequest,
    ) -> Result<Prechecked, PgError> {
        let nonce = rand::random();
        let ctx = EncodeContext {
            channel: &channel.ctx,
            now: ctx_now,
            nonce,
        };
        let wire = execute::prepare(channel.adapter.as_ref(), &ctx, req)?;
        Ok(Prechecked {
            channel_key: channel.ctx.key.clone(),
            now: ctx_now,
            nonce,
            wire,
        })
    }

    /// [`AppState::call_pg`] for a request [`AppState::precheck`] encoded: sends `prechecked`
    /// when it was encoded for this channel at this `ctx_now` (the request must be the one
    /// prechecked), else encodes afresh (a failover to another channel).
    pub async fn call_prechecked(
        &self,
        channel: &ChannelEntry,
        ctx_now: chrono::DateTime<chrono::FixedOffset>,
        req: &PgRequest,
        prechecked: Option<Prechecked>,
    ) -> Result<Outcome, PgError> {
        match prechecked {
            Some(p) if p.is_for(channel.ctx.key.as_str()) && p.now == ctx_now => {
                let ctx = EncodeContext {
                    channel: &channel.ctx,
                    now: p.now,
                    nonce: p.nonce,
                };
                execute::execute_prepared(
                    channel.adapter.as_ref(),
                    self.transport.as_ref(),
                    &ctx,
                    req,
                    &p.wire,
                    self.timeouts(),
                )
                .await
            }
            _ => self.call_pg(channel, ctx_now, req).await,
        }
    }
}

/// A request validated and encoded for one channel by [`AppState::precheck`], with the clock
/// and nonce it was encoded with: what [`AppState::call_prechecked`] sends.
pub struct Prechecked {
    channel_key: String,
    now: chrono::DateTime<chrono::FixedOffset>,
    nonce: [u8; 16],
    wire: WireRequest,
}

impl Prechecked {
    /// Whether it was encoded for the channel `key`.
    pub fn is_for(&self, key: &str) -> bool {
        self.channel_key == key
    }

    /// The channel it was encoded for (where the first attempt goes).
    pub fn channel_key(&self) -> &str {
        &self.channel_key
    }
}
