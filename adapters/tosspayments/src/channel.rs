//! What the adapter reads from a channel: the secret key, the window's client key, the base URL.
//!
//! ```toml
//! key = "tosspayments-test"
//! adapter = "tosspayments"
//! environment = "test"                   # test_sk_ keys; "live" requires live_sk_ keys
//! # endpoint = "http://127.0.0.1:8090"   # optional base URL (a simulator); host:port → http://
//! [credentials]
//! secret_key = "test_sk_zXLkKEypNArWmo50nX3lmeaxYG5R"   # the published test secret key
//! client_key = "test_ck_D5GePWvyJnrK0W0k6q8gLzN97Eoq"   # the window's client key (checkout only)
//! ```

use paymux_core::channel::{ChannelConfigError, ChannelContext, Environment};
use paymux_core::secret::Secret;

use crate::frame::basic_auth;
use crate::protocol::{HOST, LIVE_KEY_PREFIX, TEST_KEY_PREFIX};

/// The credential every call needs: the API secret key (`test_sk_…` / `live_sk_…`).
pub const SECRET_KEY: &str = "secret_key";
/// The window's client key (`test_ck_…` / `live_ck_…`): needed by `checkout.prepare` only, so
/// it is not in [`CREDENTIALS`]. It is a browser key, public by design (Toss's window script
/// receives it in the page).
pub const CLIENT_KEY: &str = "client_key";

/// Credential names the channel must carry (all secrets; never logged).
pub const CREDENTIALS: &[&str] = &[SECRET_KEY];
/// Option names the channel may carry (none).
pub const OPTIONS: &[&str] = &[];

/// A channel's Toss settings, parsed.
#[derive(Clone)]
pub struct TossChannel {
    /// The secret key.
    pub secret_key: Secret<String>,
    /// The client key, when configured.
    pub client_key: Option<String>,
    /// The base URL: Toss's host or the channel's endpoint.
    pub base_url: String,
    /// Whether `endpoint` replaced Toss's host (a simulator).
    pub endpoint: bool,
}

impl std::fmt::Debug for TossChannel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TossChannel")
            .field("base_url", &self.base_url)
            .finish_non_exhaustive()
    }
}

impl TossChannel {
    /// Read and check the channel. Errors name the credential, never its value.
    pub fn from_context(ctx: &ChannelContext) -> Result<Self, ChannelConfigError> {
        let secret_key = ctx.credential(SECRET_KEY)?.clone();
        let key = secret_key.expose();
        let (want, what) = match ctx.environment {
            Environment::Test => (TEST_KEY_PREFIX, "a test channel needs a test_sk_ key"),
            Environment::Live => (LIVE_KEY_PREFIX, "a live channel needs a live_sk_ key"),
        };
        if !key.starts_with(want) {
            return Err(ctx.config_error("credentials.secret_key", what));
        }
        if key.len() > 200 || !key.bytes().all(|b| b.is_ascii_graphic()) || key.contains(':') {
            return Err(ctx.config_error(
                "credentials.secret_key",
                "must be printable ASCII without ':' (it is the Basic user name)",
            ));
        }
        let client_key = match ctx.credentials.get(CLIENT_KEY) {
            None => None,
            Some(k) => {
                let k = k.expose().trim();
                let prefix = match ctx.environment {
                    Environment::Test => "test_ck_",
                    Environment::Live => "live_ck_",
                };
                if !k.starts_with(prefix)
                    || !k.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
                {
                    return Err(ctx.config_error(
                        "credentials.client_key",
                        "must be a client key (test_ck_… for test, live_ck_… for live)",
                    ));
                }
                Some(k.to_string())
            }
        };
        let (base_url, endpoint) = match ctx.endpoint.as_deref().map(str::trim) {
            Some(ep) if !ep.is_empty() => (normalize_endpoint(ctx, ep)?, true),
            _ => (HOST.to_string(), false),
        };
        Ok(TossChannel {
            secret_key,
            client_key,
            base_url,
            endpoint,
        })
    }

    /// `Authorization` header value.
    pub fn auth(&self) -> String {
        basic_auth(&self.secret_key)
    }

    /// The full URL of `path`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }
}

/// `http://host:port`, `https://host` (any trailing `/` dropped); a bare `host:port` becomes
/// `http://host:port`.
fn normalize_endpoint(ctx: &ChannelContext, ep: &str) -> Result<String, ChannelConfigError> {
    let url = if ep.contains("://") {
        ep.to_string()
    } else {
        format!("http://{ep}")
    };
    let ok = (url.starts_with("http://") || url.starts_with("https://"))
        && url.is_ascii()
        && !url.contains(char::is_whitespace);
    if !ok {
        return Err(ctx.config_error(
            "endpoint",
            "must be a base URL (http://host:port or https://host) or host:port",
        ));
    }
    Ok(url.trim_end_matches('/').to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx(env: &str, key: &str) -> ChannelContext {
        ChannelContext::from_toml(&format!(
            "key='k'\nadapter='tosspayments'\nenvironment='{env}'\n[credentials]\nsecret_key='{key}'\n"
        ))
        .unwrap()
    }

    #[test]
    fn keys_must_match_the_environment_and_errors_never_echo_them() {
        assert!(TossChannel::from_context(&ctx("test", "test_sk_abc")).is_ok());
        let e = TossChannel::from_context(&ctx("live", "test_sk_abc")).unwrap_err();
        assert_eq!(e.field, "credentials.secret_key");
        assert!(!e.to_string().contains("test_sk_abc"));
        let e = TossChannel::from_context(&ctx("test", "test_sk_a:b")).unwrap_err();
        assert_eq!(e.field, "credentials.secret_key");
    }

    #[test]
    fn endpoint_replaces_the_host() {
        let mut c = ctx("test", "test_sk_abc");
        assert_eq!(
            TossChannel::from_context(&c)
                .unwrap()
                .url("/v1/payments/key-in"),
            "https://api.tosspayments.com/v1/payments/key-in"
        );
        c.endpoint = Some("127.0.0.1:9".into());
        assert_eq!(
            TossChannel::from_context(&c).unwrap().url("/v1/x"),
            "http://127.0.0.1:9/v1/x"
        );
    }
}
