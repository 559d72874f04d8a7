//! The gateway's shared state and the PG call path.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use paymux_core::adapter::{EncodeContext, PgRequest, WireRequest, WireResponse};
use paymux_core::error::PgError;
use paymux_core::execute;
use paymux_core::outcome::Outcome;
use paymux_core::secret::Secret;
use paymux_core::transport::{NetTransport, Timeouts, Transport, TransportError};
use paymux_routing::HealthTracker;

use crate::channels::{ChannelEntry, ChannelRegistry};
use crate::config::Tuning;
use crate::db::Db;

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
    /// Webhook signing key (base64-decoded secret).
    pub webhook_key: Secret<Vec<u8>>,
    /// Default webhook URL.
    pub webhook_url: Option<String>,
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
}

impl AppState {
    /// PG timeouts.
    pub fn timeouts(&self) -> Timeouts {
        Timeouts {
            connect: self.tuning.connect_timeout,
            read: self.tuning.read_timeout,
        }
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
    /// written, so a request that could never be sent leaves no record.
    pub fn precheck(
        &self,
        channel: &ChannelEntry,
        ctx_now: chrono::DateTime<chrono::FixedOffset>,
        req: &PgRequest,
    ) -> Result<(), PgError> {
        let ctx = EncodeContext {
            channel: &channel.ctx,
            now: ctx_now,
            nonce: [0; 16],
        };
        execute::validate(channel.adapter.as_ref(), &ctx, req)?;
        channel.adapter.encode(&ctx, req).map(|_| ())
    }
}

/// The network transport, with the operator's read timeout taking precedence over an
/// adapter's recommendation when `[pg] read_timeout_ms` is set.
pub struct GatewayTransport {
    inner: NetTransport,
    override_read: Option<Duration>,
}

impl GatewayTransport {
    /// Wrap the network transport.
    pub fn new(override_read: Option<Duration>) -> Self {
        GatewayTransport {
            inner: NetTransport::new(),
            override_read,
        }
    }
}

#[async_trait]
impl Transport for GatewayTransport {
    async fn send(
        &self,
        req: &WireRequest,
        timeouts: Timeouts,
    ) -> Result<WireResponse, TransportError> {
        match self.override_read {
            Some(read) if req.read_timeout.is_some() => {
                let mut r = req.clone();
                r.read_timeout = None;
                self.inner.send(&r, Timeouts { read, ..timeouts }).await
            }
            _ => self.inner.send(req, timeouts).await,
        }
    }
}
