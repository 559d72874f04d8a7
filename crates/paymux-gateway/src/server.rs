//! Starting the gateway: an embeddable [`start`] for `paymux serve` ([`crate::serve()`]), tests
//! and other hosts; the sandbox's simulators start in [`crate::sandbox`].

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use paymux_core::channel::ChannelContext;
use paymux_core::secret::Secret;
use paymux_core::simulator::Simulator;
use paymux_core::transport::NetTransport;
use paymux_routing::HealthTracker;
use serde_json::Value;
use tokio::task::JoinHandle;

use crate::channels::ChannelRegistry;
use crate::config::{FileConfig, Tuning};
use crate::state::AppState;
use crate::store::db::Db;
use crate::{console, groups, http, reconciler, schedules, webhooks};

// Their historical home: `paymux_gateway::server::{serve, start_sandbox, …}`.
pub use crate::sandbox::{start_sandbox, Sandbox};
pub use crate::serve::{redact_url, serve};

/// The SQLite file the sandbox uses, in the working directory.
pub const SANDBOX_DATABASE: &str = "sqlite://paymux-sandbox.sqlite";
/// Default listen address.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";
/// The sandbox demo group's fixed id (so a restarted sandbox keeps one group).
pub const SANDBOX_GROUP_ID: &str = "channel-group-test-00000000-0000-4000-8000-000000000001";

/// Everything [`start`] needs, resolved.
#[derive(Clone)]
pub struct GatewayOptions {
    /// Listen address (`127.0.0.1:0` for any free port).
    pub listen: String,
    /// Database URL.
    pub database: String,
    /// API secret.
    pub api_secret: String,
    /// Webhook secret (`whsec_<base64>`).
    pub webhook_secret: String,
    /// The webhook secret being rotated out, when a rotation is under way: deliveries are
    /// signed with both (`[webhooks] previous_secret`).
    pub webhook_previous_secret: Option<String>,
    /// Default webhook URL: an http(s) URL, or `webhooks::INBOX_URL` to keep webhooks in the
    /// sandbox inbox (`GET /sandbox/webhooks`).
    pub webhook_url: Option<String>,
    /// `merchantId` on responses.
    pub merchant_id: String,
    /// Default `storeId`.
    pub store_id: String,
    /// Tunables.
    pub tuning: Tuning,
    /// Channels.
    pub channels: Vec<ChannelContext>,
    /// Channel groups, admin-API JSON shape (applied at start, replacing stored ones).
    pub channel_groups: Vec<Value>,
    /// Run the reconciler, scheduler and webhook workers in the background.
    pub background_workers: bool,
    /// The gateway's URL as browsers reach it (base of `checkoutUrl`); see
    /// [`FileConfig::public_url`].
    pub public_url: Option<String>,
    /// Stores whose merchant pages may open payment windows from a browser (`[browser]`).
    pub browser_stores: Vec<crate::config::BrowserStore>,
    /// The operator console's sign-in secret; `None` serves no console.
    pub operator_secret: Option<String>,
}

impl GatewayOptions {
    /// Options from a configuration file, with defaults for everything unset (secrets are
    /// generated when absent).
    pub fn from_file(file: &FileConfig) -> anyhow::Result<GatewayOptions> {
        file.browser.check(&file.channels)?;
        let mut groups = Vec::new();
        for g in &file.channel_groups {
            groups.push(serde_json::to_value(g)?);
        }
        Ok(GatewayOptions {
            listen: file.listen.clone().unwrap_or_else(|| DEFAULT_LISTEN.into()),
            database: file
                .database
                .clone()
                .unwrap_or_else(|| "sqlite://paymux.sqlite".into()),
            api_secret: file.api_secret.clone().unwrap_or_else(generate_api_secret),
            webhook_secret: file
                .webhook_secret
                .clone()
                .unwrap_or_else(webhooks::generate_secret),
            webhook_previous_secret: file.webhooks.previous_secret.clone(),
            webhook_url: file.webhook_url.clone(),
            merchant_id: file
                .merchant_id
                .clone()
                .unwrap_or_else(|| "merchant-paymux".into()),
            store_id: file
                .store_id
                .clone()
                .unwrap_or_else(|| "store-paymux".into()),
            tuning: Tuning::from_file(file),
            channels: file.channels.clone(),
            channel_groups: groups,
            background_workers: true,
            public_url: file.public_url.clone(),
            browser_stores: file.browser.stores.clone(),
            operator_secret: Some(
                file.operator_secret
                    .clone()
                    .unwrap_or_else(generate_api_secret),
            ),
        })
    }
}

/// A fresh API secret.
pub fn generate_api_secret() -> String {
    let bytes: [u8; 24] = rand::random();
    format!("paymux_{}", hex::encode(bytes))
}

/// A running gateway.
pub struct RunningGateway {
    /// Where it listens.
    pub local_addr: SocketAddr,
    /// `http://<addr>`.
    pub base_url: String,
    /// Shared state (for workers run by hand and for inspection).
    pub state: Arc<AppState>,
    server: Option<JoinHandle<()>>,
    workers: Vec<JoinHandle<()>>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
}

impl RunningGateway {
    /// Run the reconciler once.
    pub async fn reconcile_once(&self) -> anyhow::Result<reconciler::Report> {
        Ok(reconciler::reconcile_once(&self.state).await?)
    }

    /// Run due schedules once.
    pub async fn run_schedules_once(&self) -> anyhow::Result<usize> {
        Ok(schedules::run_due(&self.state).await?)
    }

    /// Attach the simulators serving sandbox channels (`(channel key, simulator)`, as
    /// [`Sandbox::depositors`] lists them): `POST /sandbox/virtual-accounts/{paymentId}/deposit`
    /// asks them for deposit notices.
    pub fn attach_simulators(&self, simulators: &[(String, Arc<dyn Simulator>)]) {
        for (key, sim) in simulators {
            self.state.sandbox.attach(key, sim.clone());
        }
    }

    /// Deliver due webhooks once.
    pub async fn deliver_webhooks_once(&self) -> anyhow::Result<usize> {
        Ok(webhooks::deliver_due(&self.state).await?)
    }

    /// Stop serving and stop the workers.
    pub async fn shutdown(mut self) {
        self.stop().await;
    }

    async fn stop(&mut self) {
        for w in self.workers.drain(..) {
            w.abort();
        }
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(s) = self.server.take() {
            let _ = tokio::time::timeout(Duration::from_secs(5), s).await;
        }
        if let Err(e) = self.state.routing_log.flush(&self.state.diagnostics).await {
            tracing::warn!(error = %e, "could not write the last routing events");
        }
        if let Err(e) = self.state.wire_log.flush(&self.state.diagnostics).await {
            tracing::warn!(error = %e, "could not write the last attempt wire views");
        }
        self.state.db.close().await;
        // On PostgreSQL the same pool; closing it again does nothing.
        self.state.diagnostics.close().await;
    }
}

impl Drop for RunningGateway {
    fn drop(&mut self) {
        for w in self.workers.drain(..) {
            w.abort();
        }
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

/// Start the gateway: open and migrate the database, load channels and groups, listen, and
/// (optionally) start the background workers.
pub async fn start(opts: GatewayOptions) -> anyhow::Result<RunningGateway> {
    let webhook_key = webhooks::decode_secret(&opts.webhook_secret)
        .map_err(|e| anyhow::anyhow!("webhook secret: {e}"))?;
    let webhook_previous_key = match &opts.webhook_previous_secret {
        Some(s) => {
            Some(Secret::new(webhooks::decode_secret(s).map_err(|e| {
                anyhow::anyhow!("[webhooks] previous_secret: {e}")
            })?))
        }
        None => None,
    };
    if opts.api_secret.trim().is_empty() {
        anyhow::bail!("api secret: must not be empty");
    }
    let channels = ChannelRegistry::new(opts.channels.clone())?;
    if let Some(u) = &opts.public_url {
        if !webhooks::is_http_url(u) {
            anyhow::bail!(
                "public_url: must be an absolute http:// or https:// URL such as https://pay.example.com"
            );
        }
    }
    let inbox = match opts.webhook_url.as_deref() {
        Some(webhooks::INBOX_URL) => Some(webhooks::Inbox::default()),
        Some(u) if !webhooks::is_http_url(u) => anyhow::bail!(
            "webhook_url: must be an absolute http:// or https:// URL such as https://shop.example.com/webhooks"
        ),
        _ => None,
    };
    let db = Db::connect(&opts.database).await?;
    let diagnostics = crate::store::diagnostics::open(&opts.database, &db).await?;
    let token_keys =
        crate::auth::TokenKeys::load(&db, opts.api_secret.trim(), &opts.merchant_id).await?;
    // Payments from before the search columns (schema version 3) become searchable.
    let filled = crate::store::payment_search::backfill(&db).await?;
    if filled > 0 {
        tracing::info!(filled, "filled the search columns of earlier payments");
    }
    let tuning = opts.tuning.clone();
    // Every call's timeouts are decided by `pgcall::TimeoutLayer` (`[pg] read_timeout_ms`
    // beats an adapter's recommended one only when set); the transport enforces them.
    let transport = NetTransport::new().caller_read_wins(true);
    let listener = tokio::net::TcpListener::bind(&opts.listen)
        .await
        .map_err(|e| anyhow::anyhow!("listen on {}: {e}", opts.listen))?;
    let local_addr = listener.local_addr()?;
    let state = Arc::new(AppState {
        db,
        diagnostics,
        channels,
        transport: Arc::new(transport),
        health: HealthTracker::with_config(tuning.health),
        tuning,
        api_secret: Secret::new(opts.api_secret.trim().to_string()),
        token_keys,
        webhook_key: Secret::new(webhook_key),
        webhook_previous_key,
        webhook_url: opts.webhook_url.clone(),
        inbox,
        merchant_id: opts.merchant_id.clone(),
        store_id: opts.store_id.clone(),
        instance_id: uuid::Uuid::new_v4().simple().to_string(),
        http: reqwest::Client::builder()
            .use_rustls_tls()
            .connect_timeout(Duration::from_secs(30))
            .build()
            .unwrap_or_else(|_| reqwest::Client::new()),
        public_url: opts
            .public_url
            .as_deref()
            .map(|u| u.trim_end_matches('/').to_string()),
        local_addr,
        browser_stores: opts.browser_stores.clone(),
        sandbox: crate::sandbox::SandboxDeposits::default(),
        metrics: crate::metrics::Metrics::new(),
        routing_log: crate::stats::RoutingLog::default(),
        wire_log: crate::wire_log::WireLog::default(),
        limits: crate::throttle::Limits::new(&opts.tuning.limits),
    });
    groups::apply_config_groups(&state, &opts.channel_groups).await?;

    let mut app = http::router(state.clone());
    if let Some(secret) = &opts.operator_secret {
        app = app.merge(console::router(state.clone(), secret)?);
    }
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(async move {
        let r = axum::serve(
            listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(async move {
            let _ = rx.await;
        })
        .await;
        if let Err(e) = r {
            tracing::error!(error = %e, "server stopped");
        }
    });
    let mut workers = Vec::new();
    if opts.background_workers {
        workers.push(spawn_worker(
            state.clone(),
            state.tuning.reconcile_interval,
            |st| Box::pin(async move { reconciler::reconcile_once(&st).await.map(|_| ()) }),
        ));
        workers.push(spawn_worker(
            state.clone(),
            state.tuning.schedule_interval,
            |st| Box::pin(async move { schedules::run_due(&st).await.map(|_| ()) }),
        ));
        workers.push(spawn_worker(
            state.clone(),
            state.tuning.webhook_interval,
            |st| Box::pin(async move { webhooks::deliver_due(&st).await.map(|_| ()) }),
        ));
        workers.push(spawn_worker(
            state.clone(),
            Duration::from_millis(250),
            |st| Box::pin(async move { st.routing_log.flush(&st.diagnostics).await.map(|_| ()) }),
        ));
        // Wire views every 50 ms: smaller batches, spread out, take the CPU from payments in
        // shorter bursts (their cost: docs/BENCHMARKS.md §5f).
        workers.push(spawn_worker(
            state.clone(),
            crate::wire_log::FLUSH_EVERY,
            |st| Box::pin(async move { st.wire_log.flush(&st.diagnostics).await.map(|_| ()) }),
        ));
        if state.db.backend() == crate::store::db::Backend::Postgres {
            workers.push(spawn_worker(
                state.clone(),
                state.tuning.health_sync_interval,
                |st| Box::pin(async move { crate::health::sync(&st.health, &st.db).await }),
            ));
        }
    }
    tracing::info!(%local_addr, channels = state.channels.len(), backend = ?state.db.backend(), "paymux gateway started");
    Ok(RunningGateway {
        local_addr,
        base_url: format!("http://{local_addr}"),
        state,
        server: Some(server),
        workers,
        shutdown: Some(tx),
    })
}

type WorkerFuture =
    std::pin::Pin<Box<dyn std::future::Future<Output = Result<(), sqlx::Error>> + Send>>;

fn spawn_worker(
    st: Arc<AppState>,
    every: Duration,
    f: fn(Arc<AppState>) -> WorkerFuture,
) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every.max(Duration::from_millis(10)));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            if let Err(e) = f(st.clone()).await {
                tracing::warn!(error = %e, "background worker pass failed; will retry");
            }
        }
    })
}
