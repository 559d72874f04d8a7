//! What the adapter reads from a channel.
//!
//! ```toml
//! key = "inicis-test"
//! adapter = "inicis"
//! environment = "test"                 # stginiapi.inicis.com; "live" = iniapi.inicis.com
//! # endpoint = "http://127.0.0.1:8086" # a simulator: INIAPI and the window's approval host
//! [credentials]
//! mid = "INIpayTest"                   # MID (public)
//! api_key = "…"                        # INIAPI key (16 characters: the AES-128 key)
//! api_iv = "…"                         # INIAPI IV (16 characters)
//! sign_key = "…"                       # the window's signKey (INILite key); checkout only
//! # billing_api_key = "…"              # INIAPI key of the billing MID (default: api_key)
//! # billing_api_iv = "…"               # its IV (default: api_iv)
//! [options]
//! # billing_mid = "INIBillTst"         # MID of billing keys and their charges (default: mid)
//! # client_ip = "203.0.113.10"         # clientIp INIAPI is told (default 127.0.0.1)
//! # site_url = "https://shop.example"  # `url` of billing / keyed-in calls
//! ```

use paymux_core::channel::{ChannelConfigError, ChannelContext, Environment};
use paymux_core::secret::Secret;

use crate::protocol::{fixed, host, IDC, NET_CANCEL_PATH, PAY_AUTH_PATH};

/// Credentials the channel must carry (secrets, never logged; `mid` is an identifier).
pub const CREDENTIALS: &[&str] = &["mid", "api_key", "api_iv"];
/// Optional credential: the window's signKey.
pub const SIGN_KEY: &str = "sign_key";
/// Optional credential: the billing MID's INIAPI key.
pub const BILLING_API_KEY: &str = "billing_api_key";
/// Optional credential: the billing MID's INIAPI IV.
pub const BILLING_API_IV: &str = "billing_api_iv";
/// Option: the billing MID.
pub const BILLING_MID_OPTION: &str = "billing_mid";
/// Option: `clientIp`.
pub const CLIENT_IP_OPTION: &str = "client_ip";
/// Option: the merchant site `url` INIAPI's billing and form calls carry.
pub const SITE_URL_OPTION: &str = "site_url";
/// `url` when the channel sets no `site_url` (**reconstructed** default).
pub const DEFAULT_SITE_URL: &str = "https://localhost";
/// Option names.
pub const OPTIONS: &[&str] = &[BILLING_MID_OPTION, CLIENT_IP_OPTION, SITE_URL_OPTION];

/// A MID with its INIAPI key and IV.
#[derive(Clone)]
pub struct Merchant {
    /// MID.
    pub mid: String,
    /// INIAPI key (AES-128 key and hash prefix).
    pub key: Secret<String>,
    /// INIAPI IV.
    pub iv: Secret<String>,
}

impl std::fmt::Debug for Merchant {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Merchant")
            .field("mid", &self.mid)
            .finish_non_exhaustive()
    }
}

/// A channel's Inicis settings, parsed.
#[derive(Clone)]
pub struct InicisChannel {
    /// Ordinary payments (keyed-in, window, their cancels and inquiries).
    pub main: Merchant,
    /// Billing keys and their charges.
    pub billing: Merchant,
    /// The window's signKey, when configured.
    pub sign_key: Option<Secret<String>>,
    /// `clientIp`.
    pub client_ip: String,
    /// `url` of billing and form calls.
    pub site_url: String,
    /// INIAPI base URL (the vendor's or the channel's endpoint).
    pub base_url: String,
    /// The channel's endpoint, when one replaces the vendor hosts (a simulator).
    pub endpoint: Option<String>,
    /// Test or live.
    pub environment: Environment,
}

impl std::fmt::Debug for InicisChannel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InicisChannel")
            .field("mid", &self.main.mid)
            .field("billing_mid", &self.billing.mid)
            .field("base_url", &self.base_url)
            .finish_non_exhaustive()
    }
}

fn sixteen(
    ctx: &ChannelContext,
    field: &str,
    v: &Secret<String>,
) -> Result<(), ChannelConfigError> {
    if v.expose().len() != 16 || !v.expose().is_ascii() {
        return Err(ctx.config_error(
            field,
            "must be 16 ASCII characters (the INIAPI AES-128 key / IV)",
        ));
    }
    Ok(())
}

fn check_mid(ctx: &ChannelContext, field: &str, mid: &str) -> Result<(), ChannelConfigError> {
    if mid.is_empty() || mid.len() > 10 || !mid.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Err(ctx.config_error(field, "must be 1 to 10 ASCII letters or digits (MID)"));
    }
    Ok(())
}

impl InicisChannel {
    /// Read and check the channel. Errors name the credential or option, never its value.
    pub fn from_context(ctx: &ChannelContext) -> Result<Self, ChannelConfigError> {
        let mid = ctx.credential("mid")?.expose().clone();
        check_mid(ctx, "credentials.mid", &mid)?;
        let key = ctx.credential("api_key")?.clone();
        sixteen(ctx, "credentials.api_key", &key)?;
        let iv = ctx.credential("api_iv")?.clone();
        sixteen(ctx, "credentials.api_iv", &iv)?;
        let optional = |name: &str| {
            ctx.credentials
                .get(name)
                .filter(|v| !v.expose().is_empty())
                .cloned()
        };
        let billing_key = match optional(BILLING_API_KEY) {
            Some(k) => {
                sixteen(ctx, "credentials.billing_api_key", &k)?;
                k
            }
            None => key.clone(),
        };
        let billing_iv = match optional(BILLING_API_IV) {
            Some(v) => {
                sixteen(ctx, "credentials.billing_api_iv", &v)?;
                v
            }
            None => iv.clone(),
        };
        let billing_mid = match ctx.option(BILLING_MID_OPTION) {
            Some(m) => {
                check_mid(ctx, "options.billing_mid", m)?;
                m.to_string()
            }
            None => mid.clone(),
        };
        let client_ip = ctx
            .option(CLIENT_IP_OPTION)
            .unwrap_or(fixed::LOOPBACK_IP)
            .to_string();
        if client_ip.is_empty()
            || client_ip.len() > 20
            || !client_ip
                .chars()
                .all(|c| c.is_ascii_hexdigit() || c == '.' || c == ':')
        {
            return Err(ctx.config_error(
                "options.client_ip",
                "must be an IP address of at most 20 characters",
            ));
        }
        let endpoint = match ctx.endpoint.as_deref().map(str::trim) {
            Some(ep) if !ep.is_empty() => Some(normalize_endpoint(ctx, ep)?),
            _ => None,
        };
        let base_url = endpoint.clone().unwrap_or_else(|| {
            match ctx.environment {
                Environment::Live => host::INIAPI_LIVE,
                Environment::Test => host::INIAPI_TEST,
            }
            .to_string()
        });
        Ok(InicisChannel {
            main: Merchant { mid, key, iv },
            billing: Merchant {
                mid: billing_mid,
                key: billing_key,
                iv: billing_iv,
            },
            sign_key: optional(SIGN_KEY),
            client_ip,
            site_url: ctx
                .option(SITE_URL_OPTION)
                .unwrap_or(DEFAULT_SITE_URL)
                .to_string(),
            base_url,
            endpoint,
            environment: ctx.environment,
        })
    }

    /// The full URL of an INIAPI path.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    /// The merchant a TID or stored method belongs to: billing payments are made under the
    /// billing MID. Inicis TIDs carry the MID (`StdpayCARDINIpayTest2021…`, manual sample),
    /// so the billing MID is found in the TID.
    pub fn merchant_of_tid(&self, tid: &str) -> &Merchant {
        if self.billing.mid != self.main.mid && tid.contains(&self.billing.mid) {
            &self.billing
        } else {
            &self.main
        }
    }

    /// The window's loader script.
    pub fn window_script(&self) -> String {
        match (&self.endpoint, self.environment) {
            (Some(ep), _) => format!("{ep}/stdjs/INIStdPay.js"),
            (None, Environment::Live) => host::STDPAY_JS_LIVE.into(),
            (None, Environment::Test) => host::STDPAY_JS_TEST.into(),
        }
    }

    /// The approval and net-cancel URLs the window's return may name for `idc_name`: Inicis'
    /// table ([`IDC`], as the official sample checks it), or — on a channel with an
    /// `endpoint` (a simulator) — that endpoint's `/api/payAuth` and `/api/netCancel` only.
    /// `None` when `idc_name` is not in the table.
    pub fn allowed_auth_urls(&self, idc_name: &str) -> Option<(String, String)> {
        let (_, auth, net) = IDC.iter().find(|(name, _, _)| *name == idc_name)?;
        Some(match &self.endpoint {
            Some(ep) => (
                format!("{ep}{PAY_AUTH_PATH}"),
                format!("{ep}{NET_CANCEL_PATH}"),
            ),
            None => ((*auth).to_string(), (*net).to_string()),
        })
    }
}

/// `http://host:port`, `https://host` (a trailing `/` dropped); a bare `host:port` becomes
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

    fn ctx(extra: &str) -> ChannelContext {
        ChannelContext::from_toml(&format!(
            "key='k'\nadapter='inicis'\nenvironment='test'\n{extra}\n[credentials]\nmid='INIpayTest'\napi_key='ItEQKi3rY7uvDS8l'\napi_iv='HYb3yQ4f65QL89=='\n"
        ))
        .unwrap()
    }

    #[test]
    fn hosts_and_endpoint() {
        let c = InicisChannel::from_context(&ctx("")).unwrap();
        assert_eq!(
            c.url("/v2/pg/refund"),
            "https://stginiapi.inicis.com/v2/pg/refund"
        );
        assert_eq!(
            c.allowed_auth_urls("stg").unwrap().0,
            "https://stgstdpay.inicis.com/api/payAuth"
        );
        assert!(c.allowed_auth_urls("evil").is_none());
        let c = InicisChannel::from_context(&ctx("endpoint='127.0.0.1:9'")).unwrap();
        assert_eq!(c.url("/x"), "http://127.0.0.1:9/x");
        assert_eq!(
            c.allowed_auth_urls("fc").unwrap().1,
            "http://127.0.0.1:9/api/netCancel"
        );
    }

    #[test]
    fn bad_key_names_the_credential_only() {
        let mut x = ctx("");
        x.credentials
            .insert("api_key".into(), Secret::new("tooshort".into()));
        let e = InicisChannel::from_context(&x).unwrap_err();
        assert_eq!(e.field, "credentials.api_key");
        assert!(!e.to_string().contains("tooshort"));
    }
}
