//! Starting the gateway: `paymux serve`, the sandbox, and an embeddable [`start`] for tests
//! and other hosts.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use paymux_core::adapter::Maturity;
use paymux_core::channel::ChannelContext;
use paymux_core::registry;
use paymux_core::secret::Secret;
use paymux_core::simulator::{Simulator, SimulatorHandle};
use paymux_core::transport::NetTransport;
use paymux_routing::HealthTracker;
use serde_json::{json, Value};
use tokio::task::JoinHandle;

use crate::channels::ChannelRegistry;
use crate::config::{FileConfig, ServeOptions, Tuning};
use crate::state::AppState;
use crate::store::db::Db;
use crate::{console, groups, http, reconciler, schedules, webhooks};

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
        if let Err(e) = self.state.routing_log.flush(&self.state.db).await {
            tracing::warn!(error = %e, "could not write the last routing events");
        }
        self.state.db.close().await;
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
            |st| Box::pin(async move { st.routing_log.flush(&st.db).await.map(|_| ()) }),
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

/// The sandbox: every linked adapter's simulator running in-process, one test channel per
/// adapter pointing at it, and a demo group over all of them (traffic only to ready adapters).
pub struct Sandbox {
    /// `<adapter>-test` channels.
    pub channels: Vec<ChannelContext>,
    /// The demo group (admin-API JSON), absent when no linked adapter is ready.
    pub group: Option<Value>,
    /// The running simulators (stop when dropped).
    pub simulators: Vec<SimulatorHandle>,
    /// Each sandbox channel's simulator, for deposits
    /// ([`RunningGateway::attach_simulators`]).
    pub depositors: Vec<(String, Arc<dyn Simulator>)>,
}

/// The sandbox demo group over `(channel key, adapter maturity)`: the ready adapters share
/// 100 percent (the first ones get the remainder); a draft adapter is a member at weight 0
/// and disabled, so it takes no traffic — not even a super billing key's issue, which goes to
/// every enabled channel whatever its weight. `None` when no adapter is ready: a group's
/// weights must sum to 100.
fn demo_group(members: &[(String, Maturity)]) -> Option<Value> {
    let n = members
        .iter()
        .filter(|(_, m)| *m == Maturity::Ready)
        .count() as u32;
    if n == 0 {
        return None;
    }
    let mut ready_seen = 0u32;
    let channels: Vec<Value> = members
        .iter()
        .map(|(key, maturity)| match maturity {
            Maturity::Ready => {
                let extra = u32::from(ready_seen < 100 % n);
                ready_seen += 1;
                json!({"channelKey": key, "weight": 100 / n + extra, "enabled": true})
            }
            Maturity::Draft => json!({"channelKey": key, "weight": 0, "enabled": false}),
        })
        .collect();
    Some(json!({
        "id": SANDBOX_GROUP_ID,
        "name": "sandbox demo group",
        "isForTest": true,
        "channels": channels
    }))
}

/// Start every registered adapter's simulator on `127.0.0.1:0`. An error when an adapter was
/// built without its simulator (its `simulator` feature): such a build needs a configuration.
pub async fn start_sandbox() -> anyhow::Result<Sandbox> {
    let mut channels = Vec::new();
    let mut simulators = Vec::new();
    let mut depositors: Vec<(String, Arc<dyn Simulator>)> = Vec::new();
    let mut members = Vec::new();
    for reg in registry::adapters() {
        let Some(make) = reg.simulator else {
            anyhow::bail!(
                "the {} adapter was built without its simulator (cargo feature `simulator`): \
                 a sandbox needs simulators; start with --config FILE naming your channels",
                reg.descriptor.id
            );
        };
        let sim = make();
        let handle = sim
            .clone()
            .start(SocketAddr::from(([127, 0, 0, 1], 0)))
            .await
            .map_err(|e| anyhow::anyhow!("start the {} simulator: {e}", reg.descriptor.id))?;
        let key = format!("{}-test", reg.descriptor.id);
        channels.push(sim.sandbox_channel(&key, &handle.endpoint()));
        depositors.push((key.clone(), sim));
        members.push((key, reg.descriptor.maturity));
        simulators.push(handle);
    }
    let group = demo_group(&members);
    Ok(Sandbox {
        channels,
        group,
        simulators,
        depositors,
    })
}

/// `paymux serve`: start from flags and an optional configuration file (none = sandbox),
/// print how to reach it, and serve until Ctrl-C.
///
/// Logs go to stderr, filtered by `RUST_LOG` (default `info`), coloured only when stderr is a
/// terminal and `NO_COLOR` is unset or empty.
pub async fn serve(opts: ServeOptions) -> anyhow::Result<()> {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_ansi(log_colour(
            std::io::IsTerminal::is_terminal(&std::io::stderr()),
            std::env::var_os("NO_COLOR").as_deref(),
        ))
        .with_writer(std::io::stderr)
        .try_init();
    // Flags are checked before anything starts, naming the flag.
    for (flag, value) in [
        ("--webhook-url", &opts.webhook_url),
        ("--public-url", &opts.public_url),
    ] {
        if let Some(v) = value {
            if !webhooks::is_http_url(v) {
                anyhow::bail!(
                    "{flag}: must be an absolute http:// or https:// URL such as https://shop.example.com/path"
                );
            }
        }
    }
    let (file, sandbox_mode) = match &opts.config {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
            let file = FileConfig::from_toml(&text)
                .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
            (file, false)
        }
        None => (FileConfig::empty(), true),
    };
    let mut g = GatewayOptions::from_file(&file)?;
    // For measuring what the metrics and layers cost on the sandbox, which has no config
    // file (docs/BENCHMARKS.md).
    if std::env::var("PAYMUX_METRICS").is_ok_and(|v| v == "off") {
        g.tuning.observability = false;
    }
    let mut _simulators = Vec::new();
    let mut depositors = Vec::new();
    if sandbox_mode {
        g.database = SANDBOX_DATABASE.into();
        g.merchant_id = "merchant-paymux-sandbox".into();
        g.store_id = "store-paymux-sandbox".into();
        g.browser_stores
            .push(crate::config::BrowserStore::sandbox("store-paymux-sandbox"));
        // Without --webhook-url the sandbox keeps its webhooks for GET /sandbox/webhooks.
        g.webhook_url = Some(webhooks::INBOX_URL.into());
        let sb = start_sandbox().await?;
        g.channels.extend(sb.channels);
        g.channel_groups.extend(sb.group);
        _simulators = sb.simulators;
        depositors = sb.depositors;
    }
    if let Some(v) = opts.listen {
        g.listen = v;
    }
    if let Some(v) = opts.database {
        g.database = v;
    }
    if let Some(v) = opts.webhook_url {
        g.webhook_url = Some(v);
    }
    if let Some(v) = opts.public_url {
        g.public_url = Some(v);
    }
    // The sandbox prints its secrets as the design brief says (flags included); a configured
    // deployment never echoes one the operator gave (file or flag): output ends up in logs.
    let (api_secret_given, webhook_secret_given) = (
        !sandbox_mode && (opts.api_secret.is_some() || file.api_secret.is_some()),
        !sandbox_mode && (opts.webhook_secret.is_some() || file.webhook_secret.is_some()),
    );
    let operator_secret_given =
        !sandbox_mode && (opts.operator_secret.is_some() || file.operator_secret.is_some());
    if let Some(v) = opts.operator_secret {
        g.operator_secret = Some(v);
    }
    let operator_secret_shown = if operator_secret_given {
        "<your operator secret>".to_string()
    } else {
        g.operator_secret.clone().unwrap_or_default()
    };
    if let Some(v) = opts.api_secret {
        g.api_secret = v;
    }
    if let Some(v) = opts.webhook_secret {
        g.webhook_secret = v;
    }
    let api_secret_shown = if api_secret_given {
        "<your API secret>".to_string()
    } else {
        g.api_secret.clone()
    };
    let webhook_secret_shown = if webhook_secret_given {
        "(configured; not shown)".to_string()
    } else {
        g.webhook_secret.clone()
    };
    let gw = start(g.clone()).await?;
    gw.attach_simulators(&depositors);
    say(format_args!(
        "paymux gateway{}",
        if sandbox_mode { " (sandbox)" } else { "" }
    ));
    say(format_args!("  base URL:       {}", gw.base_url));
    say(format_args!("  API secret:     {api_secret_shown}"));
    say(format_args!("  webhook secret: {webhook_secret_shown}"));
    say(format_args!(
        "  console:        {}/console (operator secret: {operator_secret_shown})",
        gw.base_url
    ));
    say(format_args!(
        "  webhooks:       {}",
        webhook_destination(g.webhook_url.as_deref(), &gw.base_url)
    ));
    say(format_args!(
        "  database:       {}",
        redact_url(&g.database)
    ));
    for c in gw.state.channels.iter() {
        say(format_args!(
            "  channel:        {} ({}, {}){}",
            c.ctx.key,
            c.descriptor.id,
            c.ctx.environment,
            c.ctx
                .endpoint
                .as_deref()
                .map(|e| format!(" -> {e}"))
                .unwrap_or_default()
        ));
    }
    for grp in groups::list(&gw.state).await? {
        say(format_args!("  channel group:  {}", grp.id()));
    }
    if sandbox_mode && gw.state.channels.is_empty() {
        say("  (no adapter is linked in this build: no sandbox channels)");
    }
    say(format_args!(
        "  try: curl -H 'Authorization: PortOne {}' {}/channels",
        api_secret_shown, gw.base_url
    ));
    if sandbox_mode {
        for line in crate::checkout::sandbox_hint(&gw.state, &gw.base_url, &api_secret_shown) {
            say(line);
        }
    }
    wait_for_stop().await?;
    say("shutting down");
    gw.shutdown().await;
    Ok(())
}

/// Print one line of the start banner. A closed stdout (`paymux serve | head`) must not stop
/// or crash the gateway, so write errors are ignored.
fn say(line: impl std::fmt::Display) {
    use std::io::Write;
    let _ = writeln!(std::io::stdout().lock(), "{line}");
}

/// Colour in logs only on a terminal, and never when `NO_COLOR` is set to something
/// (<https://no-color.org>).
fn log_colour(stderr_is_terminal: bool, no_color: Option<&std::ffi::OsStr>) -> bool {
    stderr_is_terminal && !matches!(no_color, Some(v) if !v.is_empty())
}

/// A URL for output: no user name or password, and no query (it often carries a token).
fn shown_url(url: &str) -> String {
    match reqwest::Url::parse(url) {
        Ok(u) => {
            let port = u.port().map(|p| format!(":{p}")).unwrap_or_default();
            let query = if u.query().is_some() { "?…" } else { "" };
            format!(
                "{}://{}{port}{}{query}",
                u.scheme(),
                u.host_str().unwrap_or(""),
                u.path()
            )
        }
        Err(_) => "(invalid URL)".to_string(),
    }
}

/// The banner's `webhooks:` line.
fn webhook_destination(webhook_url: Option<&str>, base_url: &str) -> String {
    match webhook_url {
        Some(webhooks::INBOX_URL) => format!(
            "kept at GET {base_url}/sandbox/webhooks (newest {} first; --webhook-url URL sends them instead)",
            webhooks::INBOX_CAPACITY
        ),
        Some(url) => format!("sent to {}", shown_url(url)),
        None => "none by default (set webhook_url or --webhook-url; requests may give noticeUrls)"
            .to_string(),
    }
}

/// Ctrl-C, or SIGTERM on Unix (container stop).
async fn wait_for_stop() -> std::io::Result<()> {
    #[cfg(unix)]
    {
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
        tokio::select! {
            r = tokio::signal::ctrl_c() => r,
            _ = term.recv() => Ok(()),
        }
    }
    #[cfg(not(unix))]
    {
        tokio::signal::ctrl_c().await
    }
}

/// A database URL without its password.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..s + 3], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn weights(group: &Value) -> Vec<(String, u64, bool)> {
        group["channels"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| {
                (
                    c["channelKey"].as_str().unwrap().to_string(),
                    c["weight"].as_u64().unwrap(),
                    c["enabled"].as_bool().unwrap(),
                )
            })
            .collect()
    }

    fn members(list: &[(&str, Maturity)]) -> Vec<(String, Maturity)> {
        list.iter().map(|(k, m)| (k.to_string(), *m)).collect()
    }

    #[test]
    fn demo_group_gives_draft_adapters_no_traffic() {
        use Maturity::{Draft, Ready};
        let group = demo_group(&members(&[
            ("galaxia-test", Ready),
            ("ksnet-test", Ready),
            ("smartro-test", Ready),
            ("zzz-test", Draft),
        ]))
        .expect("a group when some adapter is ready");
        assert_eq!(
            weights(&group),
            [
                ("galaxia-test".into(), 34, true),
                ("ksnet-test".into(), 33, true),
                ("smartro-test".into(), 33, true),
                ("zzz-test".into(), 0, false),
            ]
        );
        // A draft listed first does not take the remainder either.
        let group = demo_group(&members(&[("a-test", Draft), ("b-test", Ready)])).unwrap();
        assert_eq!(
            weights(&group),
            [("a-test".into(), 0, false), ("b-test".into(), 100, true)]
        );
        paymux_routing::GroupUpdate::from_json(&group).expect("a well-formed group");
        // Weights sum to exactly 100, as the admin API requires, whatever the count.
        for n in 1..=9 {
            let mut list: Vec<(String, Maturity)> =
                (0..n).map(|i| (format!("r{i}-test"), Ready)).collect();
            list.push(("d-test".into(), Draft));
            let w = weights(&demo_group(&list).unwrap());
            assert_eq!(w.iter().map(|(_, w, _)| w).sum::<u64>(), 100, "{n} ready");
            assert!(w
                .iter()
                .all(|(k, w, on)| (k == "d-test") != (*w > 0 && *on)));
        }
        // Only drafts: no group (it could not sum to 100 without routing to one).
        assert!(demo_group(&members(&[("zzz-test", Draft)])).is_none());
        assert!(demo_group(&[]).is_none());
    }

    #[test]
    fn log_colour_needs_a_terminal_and_no_no_color() {
        use std::ffi::OsStr;
        assert!(log_colour(true, None));
        assert!(log_colour(true, Some(OsStr::new(""))));
        assert!(!log_colour(true, Some(OsStr::new("1"))));
        assert!(!log_colour(false, None));
    }

    #[test]
    fn banner_names_the_webhook_destination() {
        let b = "http://127.0.0.1:1";
        assert!(webhook_destination(Some(webhooks::INBOX_URL), b)
            .contains("GET http://127.0.0.1:1/sandbox/webhooks"));
        assert_eq!(
            webhook_destination(Some("https://x.example/h"), b),
            "sent to https://x.example/h"
        );
        assert!(webhook_destination(None, b).contains("--webhook-url"));
        assert_eq!(
            webhook_destination(Some("https://u:pw@x.example:8443/h?token=abc"), b),
            "sent to https://x.example:8443/h?…"
        );
    }

    #[test]
    fn redacts_passwords() {
        assert_eq!(
            redact_url("postgres://u:pw@h:5432/db"),
            "postgres://u:***@h:5432/db"
        );
        assert_eq!(redact_url("postgres://u@h/db"), "postgres://u@h/db");
        assert_eq!(redact_url("sqlite://x.sqlite"), "sqlite://x.sqlite");
    }
}
