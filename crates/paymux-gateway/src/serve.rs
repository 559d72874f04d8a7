//! `paymux serve`: start from flags and an optional configuration file (none = the sandbox),
//! print how to reach the gateway, and serve until Ctrl-C.

use crate::config::{FileConfig, ServeOptions};
use crate::sandbox::start_sandbox;
use crate::server::{start, GatewayOptions, SANDBOX_DATABASE};
use crate::{groups, webhooks};

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
    // Likewise for the console's wire views (docs/BENCHMARKS.md).
    if std::env::var("PAYMUX_WIRE_VIEWS").is_ok_and(|v| v == "off") {
        g.tuning.wire_views = false;
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
