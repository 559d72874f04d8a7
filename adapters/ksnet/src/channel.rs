//! What the adapter reads from a channel: the merchant id, the API key, which interface to
//! speak and where.
//!
//! ```toml
//! key = "ksnet-test"
//! adapter = "ksnet"
//! environment = "test"          # webfep: paydev.ksnet.co.kr; live: pay.ksnet.co.kr
//! # endpoint = "http://127.0.0.1:21001"   # webfep: a base URL; kspay: host:port
//! [credentials]
//! mid = "2999199999"            # 상점아이디 (10)
//! api_key = "Mjk5OTE5OTk5OTpNQTAx..."  # the `pgapi` key from KSTA (WEBFEP only)
//! [options]
//! protocol = "webfep"           # or "kspay"
//! ```
//!
//! Credential and option names are fixed by the design brief: `mid`, `api_key`, `protocol`.

use std::fmt;

use paymux_core::channel::{ChannelConfigError, ChannelContext, Environment};
use paymux_core::secret::Secret;

use crate::protocol::{kspay, webfep};

/// Credential names (all secrets in views; `mid` is an identifier).
pub const CREDENTIALS: &[&str] = &["mid", "api_key"];
/// Option naming the interface.
pub const PROTOCOL_OPTION: &str = "protocol";
/// Option names the channel may carry.
pub const OPTIONS: &[&str] = &[PROTOCOL_OPTION];

/// Which KSNET interface a channel speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Protocol {
    /// The current REST API (JSON over HTTPS). The default.
    #[default]
    Webfep,
    /// The legacy fixed-length EUC-KR socket telegram.
    Kspay,
}

impl Protocol {
    /// The option value (`webfep` / `kspay`).
    pub fn as_str(self) -> &'static str {
        match self {
            Protocol::Webfep => "webfep",
            Protocol::Kspay => "kspay",
        }
    }

    /// Parse the option value.
    pub fn parse(s: &str) -> Option<Protocol> {
        match s {
            "webfep" => Some(Protocol::Webfep),
            "kspay" => Some(Protocol::Kspay),
            _ => None,
        }
    }
}

impl fmt::Display for Protocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where requests go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// WEBFEP: a base URL (`https://paydev.ksnet.co.kr`), without a trailing slash.
    Http {
        /// Base URL.
        base_url: String,
    },
    /// KSPay: a socket address.
    Tcp {
        /// Host.
        host: String,
        /// Port.
        port: u16,
    },
}

/// A channel's KSNET settings, parsed.
#[derive(Clone)]
pub struct KsnetChannel {
    /// 상점아이디 (StoreId / mid).
    pub mid: String,
    /// The `pgapi` key (required for WEBFEP; the KSPay socket takes none).
    pub api_key: Option<Secret<String>>,
    /// The interface.
    pub protocol: Protocol,
    /// Where to send.
    pub target: Target,
}

impl fmt::Debug for KsnetChannel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KsnetChannel")
            .field("mid", &self.mid)
            .field("api_key", &self.api_key.as_ref().map(|_| "***"))
            .field("protocol", &self.protocol)
            .field("target", &self.target)
            .finish()
    }
}

impl KsnetChannel {
    /// Read and check the channel. Errors name the credential or option, never its value.
    pub fn from_context(ctx: &ChannelContext) -> Result<Self, ChannelConfigError> {
        let protocol = match ctx.option(PROTOCOL_OPTION) {
            None => Protocol::default(),
            Some(p) => Protocol::parse(p).ok_or_else(|| {
                ctx.config_error(
                    &format!("options.{PROTOCOL_OPTION}"),
                    "must be \"webfep\" or \"kspay\"",
                )
            })?,
        };
        let mid = ctx.credential("mid")?.expose().clone();
        if mid.len() > crate::protocol::width::MID || !mid.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(ctx.config_error(
                "credentials.mid",
                "must be KSNET's 상점아이디: at most 10 ASCII characters",
            ));
        }
        let api_key = match protocol {
            Protocol::Webfep => {
                let key = ctx.credential("api_key")?;
                if !key.expose().bytes().all(|b| b.is_ascii_graphic()) {
                    return Err(ctx.config_error(
                        "credentials.api_key",
                        "must be the pgapi key from KSTA (printable ASCII, no spaces)",
                    ));
                }
                Some(key.clone())
            }
            Protocol::Kspay => ctx.credentials.get("api_key").cloned(),
        };
        let target = match protocol {
            Protocol::Webfep => Target::Http {
                base_url: webfep_base_url(ctx)?,
            },
            Protocol::Kspay => match ctx.endpoint_host_port()? {
                Some((host, port)) if !host.contains('/') => Target::Tcp { host, port },
                Some(_) => {
                    return Err(ctx.config_error(
                        "endpoint",
                        "must be host:port for protocol kspay (not a URL)",
                    ))
                }
                None => Target::Tcp {
                    host: kspay::HOST.to_string(),
                    port: kspay::PORT,
                },
            },
        };
        Ok(KsnetChannel {
            mid,
            api_key,
            protocol,
            target,
        })
    }

    /// The full URL of a WEBFEP API path (`card/cancel`), if this is a WEBFEP channel.
    pub fn url(&self, path: &str) -> Option<String> {
        match &self.target {
            Target::Http { base_url } => Some(format!("{base_url}{}{path}", webfep::PATH_PREFIX)),
            Target::Tcp { .. } => None,
        }
    }
}

fn webfep_base_url(ctx: &ChannelContext) -> Result<String, ChannelConfigError> {
    let Some(ep) = ctx.endpoint.as_deref() else {
        return Ok(match ctx.environment {
            Environment::Live => webfep::LIVE_BASE_URL,
            Environment::Test => webfep::TEST_BASE_URL,
        }
        .to_string());
    };
    let ep = ep.trim_end_matches('/');
    let rest = ep
        .strip_prefix("https://")
        .or_else(|| ep.strip_prefix("http://"));
    match rest {
        Some(host) if !host.is_empty() && !host.contains(['/', '?', '#', ' ']) => Ok(ep.to_string()),
        _ => Err(ctx.config_error(
            "endpoint",
            "must be a base URL such as https://paydev.ksnet.co.kr for protocol webfep (scheme and host[:port], no path)",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx(extra: &str) -> ChannelContext {
        ChannelContext::from_toml(&format!(
            "key='k'\nadapter='ksnet'\nenvironment='test'\n{extra}\n[credentials]\nmid='2999199999'\napi_key='S0VZ'\n"
        ))
        .unwrap()
    }

    #[test]
    fn webfep_is_the_default_and_targets_the_dev_server() {
        let c = KsnetChannel::from_context(&ctx("")).unwrap();
        assert_eq!(c.protocol, Protocol::Webfep);
        assert_eq!(
            c.url("card/cancel").as_deref(),
            Some("https://paydev.ksnet.co.kr/kspay/webfep/api/v1/card/cancel")
        );
    }

    #[test]
    fn endpoints_are_checked_per_protocol() {
        let c = KsnetChannel::from_context(&ctx("endpoint='http://127.0.0.1:9/'")).unwrap();
        assert_eq!(
            c.url("x").as_deref(),
            Some("http://127.0.0.1:9/kspay/webfep/api/v1/x")
        );
        let e = KsnetChannel::from_context(&ctx("endpoint='127.0.0.1:9'")).unwrap_err();
        assert_eq!(e.field, "endpoint");
        let mut k = ctx("endpoint='127.0.0.1:9'");
        k.options.insert("protocol".into(), "kspay".into());
        let c = KsnetChannel::from_context(&k).unwrap();
        assert_eq!(
            c.target,
            Target::Tcp {
                host: "127.0.0.1".into(),
                port: 9
            }
        );
        let mut bad = ctx("");
        bad.options.insert("protocol".into(), "soap".into());
        let e = KsnetChannel::from_context(&bad).unwrap_err();
        assert_eq!(e.field, "options.protocol");
    }

    #[test]
    fn kspay_without_endpoint_uses_the_sample_host_and_needs_no_key() {
        let mut c = ctx("");
        c.options.insert("protocol".into(), "kspay".into());
        c.credentials.remove("api_key");
        let k = KsnetChannel::from_context(&c).unwrap();
        assert_eq!(
            k.target,
            Target::Tcp {
                host: "210.181.28.137".into(),
                port: 21001
            }
        );
        assert!(!format!("{k:?}").contains("S0VZ"));
    }
}
