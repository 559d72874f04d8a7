//! Server configuration: the TOML file of `paymux serve --config FILE` (see
//! `paymux.example.toml`, which documents every option), and the flags that override it.

use std::path::PathBuf;
use std::time::Duration;

use paymux_core::channel::ChannelContext;
use serde::Deserialize;

/// What `paymux serve` was given on the command line.
#[derive(Debug, Clone, Default)]
pub struct ServeOptions {
    /// `--config FILE`; absent = sandbox.
    pub config: Option<PathBuf>,
    /// `--listen ADDR`.
    pub listen: Option<String>,
    /// `--database URL`.
    pub database: Option<String>,
    /// `--api-secret S`.
    pub api_secret: Option<String>,
    /// `--webhook-secret S`.
    pub webhook_secret: Option<String>,
    /// `--operator-secret S`: signs operators in to the console.
    pub operator_secret: Option<String>,
    /// `--webhook-url URL`: where webhooks go (overrides the file's `webhook_url`; in the
    /// sandbox, instead of its inbox).
    pub webhook_url: Option<String>,
    /// `--public-url URL`: the gateway's URL as browsers reach it (overrides `public_url`).
    pub public_url: Option<String>,
}

/// The configuration file.
#[derive(Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    /// Address to listen on (`127.0.0.1:8080`).
    #[serde(default)]
    pub listen: Option<String>,
    /// `sqlite:FILE` / `postgres://...`.
    #[serde(default)]
    pub database: Option<String>,
    /// The API secret clients send as `Authorization: PortOne <secret>`.
    #[serde(default)]
    pub api_secret: Option<String>,
    /// Webhook signing secret (`whsec_<base64>`).
    #[serde(default)]
    pub webhook_secret: Option<String>,
    /// The operator console's sign-in secret (separate from the API secret).
    #[serde(default)]
    pub operator_secret: Option<String>,
    /// Where webhooks go when a request gives no `noticeUrls`.
    #[serde(default)]
    pub webhook_url: Option<String>,
    /// `merchantId` reported on payments and billing keys.
    #[serde(default)]
    pub merchant_id: Option<String>,
    /// Default `storeId` (requests may name their own).
    #[serde(default)]
    pub store_id: Option<String>,
    /// Largest request body accepted, in bytes.
    #[serde(default)]
    pub body_limit_bytes: Option<usize>,
    /// The gateway's URL as browsers reach it (`https://pay.example.com`): the base of
    /// `checkoutUrl` and of the return URL PG windows post to. Absent: `http://<listen>`, or
    /// the `Host` the merchant's server called with when listening on an unspecified address.
    #[serde(default)]
    pub public_url: Option<String>,
    /// PG timeouts.
    #[serde(default)]
    pub pg: PgSection,
    /// Reconciler.
    #[serde(default)]
    pub reconciler: ReconcilerSection,
    /// Scheduled payments.
    #[serde(default)]
    pub scheduler: SchedulerSection,
    /// Webhook delivery.
    #[serde(default)]
    pub webhooks: WebhookSection,
    /// Hosted checkout (payment windows).
    #[serde(default)]
    pub checkout: CheckoutSection,
    /// Channels (the channel TOML format of the design brief).
    #[serde(default)]
    pub channels: Vec<ChannelContext>,
    /// Channel groups, in the admin API's JSON shape (written with TOML syntax).
    #[serde(default)]
    pub channel_groups: Vec<toml::Value>,
    /// The browser SDKs (`/v2/browser-sdk.js`, `/v1/iamport.js`): which stores may open
    /// payment windows from a browser, and from which origins.
    #[serde(default)]
    pub browser: BrowserSection,
    /// Channel health (groups with `healthSkip`), shared by the instances of a PostgreSQL
    /// database.
    #[serde(default)]
    pub health: HealthSection,
    /// Metrics and routing statistics.
    #[serde(default)]
    pub observability: ObservabilitySection,
    /// Throttling of console sign-ins, the token endpoints and PG notices.
    #[serde(default)]
    pub limits: LimitsSection,
}

/// `[limits]` (see [`crate::throttle`] and docs/OPERATIONS.md).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LimitsSection {
    /// The window every limit counts in (ms). Default 60000.
    #[serde(default)]
    pub window_ms: Option<u64>,
    /// Most client addresses (or channels) each limiter tracks at once. Default 10000.
    #[serde(default)]
    pub max_tracked: Option<usize>,
    /// Failed console sign-ins per client address per window. Default 5.
    #[serde(default)]
    pub console_sign_in_failures: Option<u32>,
    /// Failed console sign-ins from all addresses per window. Default 50.
    #[serde(default)]
    pub console_sign_in_failures_total: Option<u32>,
    /// Refused `POST /login/api-secret` / `POST /token/refresh` per client address per window.
    /// Default 10.
    #[serde(default)]
    pub token_failures: Option<u32>,
    /// The same from all addresses per window. Default 100.
    #[serde(default)]
    pub token_failures_total: Option<u32>,
    /// PG notices per channel per window. Default 600.
    #[serde(default)]
    pub pg_notices_per_channel: Option<u32>,
}

/// `[limits]` resolved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LimitsConfig {
    /// Failed console sign-ins.
    pub console_sign_in: crate::throttle::Limit,
    /// Refused token requests.
    pub tokens: crate::throttle::Limit,
    /// PG notices per channel.
    pub pg_notices: crate::throttle::Limit,
}

impl LimitsConfig {
    /// From the file's section, with the defaults.
    pub fn from_section(l: &LimitsSection) -> Self {
        let window = Duration::from_millis(l.window_ms.unwrap_or(60_000).max(1));
        let max_keys = l.max_tracked.unwrap_or(10_000).max(1);
        let limit = |per_key: Option<u32>, d: u32, global: Option<u32>| crate::throttle::Limit {
            per_key: per_key.unwrap_or(d).max(1),
            global: global.map(|g| g.max(1)),
            window,
            max_keys,
        };
        LimitsConfig {
            console_sign_in: limit(
                l.console_sign_in_failures,
                5,
                Some(l.console_sign_in_failures_total.unwrap_or(50)),
            ),
            tokens: limit(
                l.token_failures,
                10,
                Some(l.token_failures_total.unwrap_or(100)),
            ),
            pg_notices: limit(l.pg_notices_per_channel, 600, None),
        }
    }
}

/// `[health]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HealthSection {
    /// Consecutive not-sent failures (by any instance) that make a channel unhealthy.
    /// Default 3; at least 1.
    #[serde(default)]
    pub failure_threshold: Option<u32>,
    /// How long an unhealthy channel is skipped before one probe (ms). Default 30000.
    #[serde(default)]
    pub cool_down_ms: Option<u64>,
    /// How often an instance reads the health other instances recorded (ms; PostgreSQL).
    /// Default 1000.
    #[serde(default)]
    pub sync_interval_ms: Option<u64>,
}

/// `[observability]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ObservabilitySection {
    /// `false` turns off the PG call's metrics and tracing layers and the routing counters
    /// (`GET /metrics` still answers; `GET /channel-groups/{id}/stats` still counts): for
    /// measuring what they cost. Default `true`.
    #[serde(default)]
    pub metrics: Option<bool>,
    /// `false` stops recording each PG attempt's masked wire view for the console's payment
    /// page (`crate::wire_log`): nothing of the request or answer is stored; the page says
    /// the views are off. Default `true`.
    #[serde(default)]
    pub wire_views: Option<bool>,
}

/// `[pg]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PgSection {
    /// Connect timeout (ms). Default 2000.
    #[serde(default)]
    pub connect_timeout_ms: Option<u64>,
    /// Read timeout (ms). Default 20000. When set, it also overrides an adapter's own
    /// recommended read timeout.
    #[serde(default)]
    pub read_timeout_ms: Option<u64>,
}

/// `[reconciler]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReconcilerSection {
    /// How often the reconciler wakes (ms). Default 5000.
    #[serde(default)]
    pub interval_ms: Option<u64>,
    /// First retry delay after an unknown outcome (ms); doubles per attempt, capped at 1 h.
    /// Default 5000.
    #[serde(default)]
    pub retry_base_ms: Option<u64>,
    /// How long after a payment was requested a PG's "no such transaction" is believed (ms).
    /// Before that, the PG may simply not have finished recording it, so the reconciler asks
    /// again. Default 60000.
    #[serde(default)]
    pub not_found_grace_ms: Option<u64>,
    /// Added to connect + read timeout to decide when a payment or cancel still in flight
    /// (the instance handling it may have died) is asked about (ms). Default 30000.
    #[serde(default)]
    pub in_flight_margin_ms: Option<u64>,
}

/// `[scheduler]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SchedulerSection {
    /// How often due schedules are looked for (ms). Default 1000.
    #[serde(default)]
    pub interval_ms: Option<u64>,
}

/// `[webhooks]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebhookSection {
    /// How often the outbox is polled (ms). Default 1000.
    #[serde(default)]
    pub interval_ms: Option<u64>,
    /// Deliveries per event before giving up (first try included). Default 6.
    #[serde(default)]
    pub max_attempts: Option<u32>,
    /// First retry delay (ms); ×4 per retry (PortOne: 1, 4, 16, 64, 256 min). Default 60000.
    #[serde(default)]
    pub backoff_base_ms: Option<u64>,
    /// Per-delivery timeout (ms). Default 30000.
    #[serde(default)]
    pub timeout_ms: Option<u64>,
    /// Longest retry delay (ms): the ×4 growth stops there, jitter included. Default
    /// 86400000 (one day).
    #[serde(default)]
    pub max_backoff_ms: Option<u64>,
    /// The webhook secret being rotated out (`whsec_<base64>`): while it is set, every
    /// delivery carries a signature under it next to the one under `webhook_secret`, so
    /// receivers can move to the new secret at their own pace. Remove it to end the rotation.
    #[serde(default)]
    pub previous_secret: Option<String>,
}

/// `[checkout]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckoutSection {
    /// How long a checkout session (and its `checkoutUrl`) stays usable, from its creation to
    /// the PG window's return (ms). Default 1800000 (30 minutes).
    #[serde(default)]
    pub session_ttl_ms: Option<u64>,
}

/// `[browser]`: the stores whose merchant pages may open payment windows without the API
/// secret. None configured: the browser SDK routes refuse every `storeId`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BrowserSection {
    /// `[[browser.stores]]`.
    #[serde(default)]
    pub stores: Vec<BrowserStore>,
}

/// `[[browser.stores]]`: one public `storeId` a merchant page may name.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BrowserStore {
    /// The public store id (`storeId` of the SDK calls).
    pub id: String,
    /// Origins of the merchant's pages (`https://shop.example.com`), answered with CORS;
    /// `"*"` allows any origin (the sandbox). A `redirectUrl` must be on one of them.
    #[serde(default)]
    pub origins: Vec<String>,
    /// Channel keys this store may use; empty = every configured channel.
    #[serde(default)]
    pub channels: Vec<String>,
    /// `test` or `live`: the store may use only channels and channel groups of this
    /// environment. Absent: either.
    #[serde(default)]
    pub environment: Option<paymux_core::channel::Environment>,
}

impl BrowserSection {
    /// Check the stores: unique ids, origins written as `scheme://host[:port]` or `*`,
    /// channels among `channels` and of the store's environment.
    pub fn check(&self, channels: &[ChannelContext]) -> anyhow::Result<()> {
        for (i, s) in self.stores.iter().enumerate() {
            for (j, key) in s.channels.iter().enumerate() {
                let Some(c) = channels.iter().find(|c| &c.key == key) else {
                    anyhow::bail!(
                        "browser.stores[{i}].channels[{j}]: no channel `{key}` is configured"
                    );
                };
                if s.environment.is_some_and(|e| e != c.environment) {
                    anyhow::bail!(
                        "browser.stores[{i}].channels[{j}]: channel `{key}` is {}, the store is {}",
                        c.environment,
                        s.environment.map_or("", |e| e.as_str())
                    );
                }
            }
            if s.id.trim().is_empty() {
                anyhow::bail!("browser.stores[{i}].id: must not be empty");
            }
            if self.stores[..i].iter().any(|t| t.id == s.id) {
                anyhow::bail!("browser.stores[{i}].id: `{}` is listed twice", s.id);
            }
            for (j, o) in s.origins.iter().enumerate() {
                let ok = o == "*"
                    || reqwest::Url::parse(o).is_ok_and(|u| {
                        matches!(u.scheme(), "http" | "https")
                            && u.origin().ascii_serialization() == o.trim_end_matches('/')
                    });
                if !ok {
                    anyhow::bail!(
                        "browser.stores[{i}].origins[{j}]: must be an origin such as https://shop.example.com (scheme, host and port only) or \"*\""
                    );
                }
            }
        }
        Ok(())
    }
}

impl BrowserStore {
    /// The sandbox's store: any origin, every channel, test only.
    pub fn sandbox(id: &str) -> BrowserStore {
        BrowserStore {
            id: id.to_string(),
            origins: vec!["*".into()],
            channels: Vec::new(),
            environment: Some(paymux_core::channel::Environment::Test),
        }
    }

    /// Whether a page of `origin` (`scheme://host[:port]`) may call for this store.
    pub fn allows_origin(&self, origin: &str) -> bool {
        self.origins
            .iter()
            .any(|o| o == "*" || o.trim_end_matches('/').eq_ignore_ascii_case(origin))
    }

    /// Whether the store may use the channel `key`.
    pub fn allows_channel(&self, key: &str) -> bool {
        self.channels.is_empty() || self.channels.iter().any(|c| c == key)
    }
}

impl FileConfig {
    /// Parse the TOML text.
    pub fn from_toml(text: &str) -> anyhow::Result<FileConfig> {
        toml::from_str(text).map_err(|e| anyhow::anyhow!("{e}"))
    }

    /// An empty configuration (sandbox).
    pub fn empty() -> FileConfig {
        FileConfig::default()
    }
}

/// Tunables with their defaults resolved.
#[derive(Debug, Clone)]
pub struct Tuning {
    /// PG connect timeout.
    pub connect_timeout: Duration,
    /// PG read timeout.
    pub read_timeout: Duration,
    /// Whether `read_timeout` overrides adapters' own recommendations.
    pub read_timeout_overrides_adapter: bool,
    /// Reconciler wake-up interval.
    pub reconcile_interval: Duration,
    /// First reconcile retry delay.
    pub reconcile_retry_base: Duration,
    /// A PG's "not found" is believed only this long after the payment was requested.
    pub not_found_grace: Duration,
    /// Slack over connect + read timeout before an in-flight row counts as abandoned.
    pub in_flight_margin: Duration,
    /// Scheduler wake-up interval.
    pub schedule_interval: Duration,
    /// Webhook outbox poll interval.
    pub webhook_interval: Duration,
    /// Webhook deliveries before giving up.
    pub webhook_max_attempts: u32,
    /// First webhook retry delay.
    pub webhook_backoff_base: Duration,
    /// Webhook delivery timeout.
    pub webhook_timeout: Duration,
    /// Longest webhook retry delay.
    pub webhook_backoff_max: Duration,
    /// Largest request body.
    pub body_limit: usize,
    /// Lifetime of a checkout session.
    pub checkout_session_ttl: Duration,
    /// Channel health thresholds (`[health]`).
    pub health: paymux_routing::HealthConfig,
    /// How often shared health is read (PostgreSQL).
    pub health_sync_interval: Duration,
    /// Metrics and tracing layers around PG calls (`[observability] metrics`).
    pub observability: bool,
    /// Whether each PG attempt's masked wire view is recorded (`[observability] wire_views`).
    pub wire_views: bool,
    /// Throttling (`[limits]`).
    pub limits: LimitsConfig,
}

impl Tuning {
    /// Resolve from the file's sections.
    pub fn from_file(f: &FileConfig) -> Tuning {
        let ms = Duration::from_millis;
        Tuning {
            connect_timeout: ms(f.pg.connect_timeout_ms.unwrap_or(2_000)),
            read_timeout: ms(f.pg.read_timeout_ms.unwrap_or(20_000)),
            read_timeout_overrides_adapter: f.pg.read_timeout_ms.is_some(),
            reconcile_interval: ms(f.reconciler.interval_ms.unwrap_or(5_000)),
            reconcile_retry_base: ms(f.reconciler.retry_base_ms.unwrap_or(5_000)),
            not_found_grace: ms(f.reconciler.not_found_grace_ms.unwrap_or(60_000)),
            in_flight_margin: ms(f.reconciler.in_flight_margin_ms.unwrap_or(30_000)),
            schedule_interval: ms(f.scheduler.interval_ms.unwrap_or(1_000)),
            webhook_interval: ms(f.webhooks.interval_ms.unwrap_or(1_000)),
            webhook_max_attempts: f.webhooks.max_attempts.unwrap_or(6).max(1),
            webhook_backoff_base: ms(f.webhooks.backoff_base_ms.unwrap_or(60_000)),
            webhook_timeout: ms(f.webhooks.timeout_ms.unwrap_or(30_000)),
            webhook_backoff_max: ms(f.webhooks.max_backoff_ms.unwrap_or(86_400_000)),
            body_limit: f.body_limit_bytes.unwrap_or(64 * 1024),
            checkout_session_ttl: ms(f.checkout.session_ttl_ms.unwrap_or(30 * 60 * 1000)),
            health: paymux_routing::HealthConfig {
                failure_threshold: f.health.failure_threshold.unwrap_or(3).max(1),
                cool_down: ms(f.health.cool_down_ms.unwrap_or(30_000)),
            },
            health_sync_interval: ms(f.health.sync_interval_ms.unwrap_or(1_000)),
            observability: f.observability.metrics.unwrap_or(true),
            wire_views: f.observability.wire_views.unwrap_or(true),
            limits: LimitsConfig::from_section(&f.limits),
        }
    }

    /// How long a claimed payment may stay in flight before the reconciler asks the PG about
    /// it (covers a gateway that died mid-request): connect + read timeout + the in-flight
    /// margin (30 s by default).
    pub fn stale_after(&self) -> Duration {
        self.connect_timeout + self.read_timeout + self.in_flight_margin
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn example_config_parses() {
        let text = include_str!("../paymux.example.toml");
        let c = FileConfig::from_toml(text).unwrap();
        assert!(!c.channels.is_empty());
        assert!(!c.channel_groups.is_empty());
        let t = Tuning::from_file(&c);
        assert_eq!(t.body_limit, 65536);
        assert_eq!(t.webhook_backoff_max, Duration::from_secs(3600));
        assert!(t.wire_views);
        let off = FileConfig::from_toml("[observability]\nwire_views = false").unwrap();
        assert!(!Tuning::from_file(&off).wire_views);
        assert_eq!(c.browser.stores[0].id, "store-example");
        assert!(c.browser.stores[0].allows_origin("https://shop.example.com"));
        assert!(!c.browser.stores[0].allows_origin("https://evil.example.com"));
        c.browser.check(&c.channels).unwrap();
        // And the gateway is started with them.
        let g = crate::server::GatewayOptions::from_file(&c).unwrap();
        assert_eq!(g.browser_stores, c.browser.stores);
    }

    #[test]
    fn browser_store_origins_are_checked() {
        for (origins, bad) in [
            ("[\"https://shop.example.com/pay\"]", true),
            ("[\"shop.example.com\"]", true),
            ("[\"ftp://shop.example.com\"]", true),
            ("[\"https://shop.example.com:8443\", \"*\"]", false),
        ] {
            let c = FileConfig::from_toml(&format!(
                "[[browser.stores]]\nid = \"s\"\norigins = {origins}"
            ))
            .unwrap();
            let r = c.browser.check(&[]);
            assert_eq!(r.is_err(), bad, "{origins}: {r:?}");
            if let Err(e) = r {
                assert!(
                    e.to_string().starts_with("browser.stores[0].origins"),
                    "{e}"
                );
            }
        }
        let c =
            FileConfig::from_toml("[[browser.stores]]\nid = \"s\"\n[[browser.stores]]\nid = \"s\"")
                .unwrap();
        assert!(c
            .browser
            .check(&[])
            .unwrap_err()
            .to_string()
            .contains("twice"));
        let mut c = FileConfig::from_toml(
            "[[browser.stores]]\nid = \"s\"\nchannels = [\"galaxia-test\"]\nenvironment = \"live\"",
        )
        .unwrap();
        let e = c.browser.check(&[]).unwrap_err().to_string();
        assert!(
            e.starts_with("browser.stores[0].channels[0]: no channel"),
            "{e}"
        );
        c.channels = FileConfig::from_toml(include_str!("../paymux.example.toml"))
            .unwrap()
            .channels;
        let e = c.browser.check(&c.channels).unwrap_err().to_string();
        assert!(e.contains("is test, the store is live"), "{e}");
    }

    #[test]
    fn unknown_options_are_refused() {
        let e = FileConfig::from_toml("lisen = '127.0.0.1:1'")
            .err()
            .unwrap()
            .to_string();
        assert!(e.contains("lisen"), "{e}");
    }

    #[test]
    fn empty_is_sandbox_defaults() {
        let c = FileConfig::empty();
        assert!(c.channels.is_empty());
        let t = Tuning::from_file(&c);
        assert_eq!(t.connect_timeout, Duration::from_secs(2));
        assert!(!t.read_timeout_overrides_adapter);
    }
}
