//! What the adapter reads from a channel: the client and secret keys, the `encData` mode and
//! the base URL.
//!
//! ```toml
//! key = "nice-test"
//! adapter = "nice"
//! environment = "test"                 # sandbox-api.nicepay.co.kr; "live" = api.nicepay.co.kr
//! # endpoint = "http://127.0.0.1:8086" # optional base URL (a simulator); host:port → http://
//! [credentials]
//! client_key = "S2_af4543a0be4d49a98122e01ec2059a56"   # clientId (S2_/R2_: server approval)
//! secret_key = "9eb85607103646da9f9c02b128f2e5ee"      # SecretKey (32 characters)
//! [options]
//! # enc_mode = "A2"                    # encData cipher: "default" (AES-128-ECB) or "A2" (AES-256-CBC)
//! ```

use paymux_core::adapter::Header;
use paymux_core::channel::{ChannelConfigError, ChannelContext, Environment};
use paymux_core::secret::Secret;

use crate::frame::{self, EncMode};
use crate::protocol::host;

/// Credential names the channel must carry. The client key is public by design (the window's
/// JS carries it as `clientId`); the secret key never leaves the server.
pub const CREDENTIALS: &[&str] = &[CLIENT_KEY, SECRET_KEY];
/// The client key credential.
pub const CLIENT_KEY: &str = "client_key";
/// The secret key credential.
pub const SECRET_KEY: &str = "secret_key";
/// Option: the `encData` cipher, `default` or `A2`.
pub const ENC_MODE_OPTION: &str = "enc_mode";
/// Option names the channel may carry.
pub const OPTIONS: &[&str] = &[ENC_MODE_OPTION];

/// A channel's NICE settings, parsed.
#[derive(Clone)]
pub struct NiceChannel {
    /// `clientId` / the Basic user name.
    pub client_key: String,
    /// `SecretKey`: the Basic password, the AES key and the hash salt.
    pub secret_key: Secret<String>,
    /// `Basic base64(clientKey:secretKey)`.
    pub credentials: Secret<String>,
    /// The `encData` cipher.
    pub enc_mode: EncMode,
    base_url: String,
    endpoint: bool,
    /// `test` or `live`.
    pub environment: Environment,
}

impl std::fmt::Debug for NiceChannel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NiceChannel")
            .field("enc_mode", &self.enc_mode)
            .field("base_url", &self.base_url)
            .finish_non_exhaustive()
    }
}

impl NiceChannel {
    /// Read and check the channel. Errors name the credential or option, never its value.
    pub fn from_context(ctx: &ChannelContext) -> Result<Self, ChannelConfigError> {
        let client_key = ctx.credential(CLIENT_KEY)?.expose().trim().to_string();
        if client_key.is_empty()
            || client_key.len() > 50
            || !client_key
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_')
        {
            return Err(ctx.config_error(
                "credentials.client_key",
                "must be 1 to 50 letters, digits or '_' (clientId)",
            ));
        }
        let enc_mode = match ctx.option(ENC_MODE_OPTION).map(str::trim) {
            None | Some("default") | Some("") => EncMode::Default,
            Some("A2") => EncMode::A2,
            Some(_) => {
                return Err(ctx.config_error("options.enc_mode", "must be \"default\" or \"A2\""))
            }
        };
        let secret_key = ctx.credential(SECRET_KEY)?.clone();
        frame::check_secret_key(enc_mode, secret_key.expose())
            .map_err(|rule| ctx.config_error("credentials.secret_key", rule))?;
        if secret_key.expose().contains(char::is_whitespace) {
            return Err(ctx.config_error("credentials.secret_key", "must not contain spaces"));
        }
        let (base_url, endpoint) = match ctx.endpoint.as_deref().map(str::trim) {
            Some(ep) if !ep.is_empty() => (normalize_endpoint(ctx, ep)?, true),
            _ => (
                match ctx.environment {
                    Environment::Live => host::LIVE,
                    Environment::Test => host::SANDBOX,
                }
                .to_string(),
                false,
            ),
        };
        let credentials = Secret::new(frame::basic_credentials(&client_key, secret_key.expose()));
        Ok(NiceChannel {
            client_key,
            secret_key,
            credentials,
            enc_mode,
            base_url,
            endpoint,
            environment: ctx.environment,
        })
    }

    /// The full URL of an API path.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    /// The base URL (vendor host or the channel's endpoint).
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The window's JS SDK: NICE's, or the endpoint's (a simulator standing in for it).
    pub fn js_sdk(&self) -> String {
        if self.endpoint {
            format!("{}{}", self.base_url, host::JS_SDK_PATH)
        } else {
            host::JS_SDK.to_string()
        }
    }

    /// The `Authorization` header, masked in views.
    pub fn authorization(&self) -> Header {
        Header {
            name: "Authorization".into(),
            value: self.credentials.expose().clone(),
            sensitive: true,
        }
    }

    /// Whether the client key was issued for client approval (`S1_` / `R1_`,
    /// `api/payment-window-server.md`: "1 means client approval, 2 means server approval"),
    /// whose window approves by itself: paymux drives the server-approval window only.
    pub fn client_approval_key(&self) -> bool {
        self.client_key.starts_with("S1_") || self.client_key.starts_with("R1_")
    }
}

/// The billing key as paymux stores it: NICE's `bid` sealed under the channel's secret key,
/// `hex(AES-128-ECB(bid, SecretKey[0..16]))` (the `encData` cipher). NICE puts the `bid` in
/// the URL path of the charge and the expire, so every URL shows it; stored sealed, a leaked
/// billing-key table or log line is useless without the secret key, and a key of another
/// channel is refused before anything is sent. (Smartro's `BillTokenKey` is kept encrypted
/// at rest the same way.)
pub fn seal_bid(ch: &NiceChannel, bid: &str) -> Result<Secret<String>, &'static str> {
    frame::enc_data(EncMode::Default, ch.secret_key.expose(), bid.as_bytes())
        .map(Secret::new)
        .map_err(|_| "cannot be sealed with the secret key")
}

/// The `bid` of a stored billing key ([`seal_bid`]'s reverse).
pub fn open_bid(ch: &NiceChannel, stored: &Secret<String>) -> Result<Secret<String>, &'static str> {
    let plain = frame::dec_data(
        EncMode::Default,
        ch.secret_key.expose(),
        stored.expose().trim(),
    )
    .map_err(|_| {
        "is not a billing key issued to this channel: it does not open with the secret key"
    })?;
    let bid = String::from_utf8(plain).map_err(|_| "is not text once opened")?;
    if bid.is_empty() || bid.len() > 64 || !bid.bytes().all(|b| b.is_ascii_graphic() && b != b'/') {
        return Err("does not hold a NICE bid once opened");
    }
    Ok(Secret::new(bid))
}

/// `http://host:port`, `https://host` (any trailing `/` dropped); a bare `host:port` (what a
/// simulator handle reports) becomes `http://host:port`.
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

    fn ctx(extra: &str, options: &str) -> ChannelContext {
        ChannelContext::from_toml(&format!(
            "key='k'\nadapter='nice'\nenvironment='test'\n{extra}\n[credentials]\nclient_key='S2_af4543a0be4d49a98122e01ec2059a56'\nsecret_key='9eb85607103646da9f9c02b128f2e5ee'\n[options]\n{options}\n"
        ))
        .unwrap()
    }

    #[test]
    fn hosts_and_endpoint() {
        let c = NiceChannel::from_context(&ctx("", "")).unwrap();
        assert_eq!(
            c.url("/v1/subscribe/regist"),
            "https://sandbox-api.nicepay.co.kr/v1/subscribe/regist"
        );
        assert_eq!(c.js_sdk(), "https://pay.nicepay.co.kr/v1/js/");
        assert_eq!(c.enc_mode, EncMode::Default);
        let c = NiceChannel::from_context(&ctx("endpoint='127.0.0.1:9'", "enc_mode='A2'")).unwrap();
        assert_eq!(c.url("/v1/payments/x"), "http://127.0.0.1:9/v1/payments/x");
        assert_eq!(c.enc_mode, EncMode::A2);
        assert!(!format!("{c:?}").contains("9eb856"));
    }

    #[test]
    fn bad_settings_name_the_field_only() {
        let e = NiceChannel::from_context(&ctx("", "enc_mode='B7'")).unwrap_err();
        assert_eq!(e.field, "options.enc_mode");
        let mut x = ctx("", "enc_mode='A2'");
        x.credentials
            .insert("secret_key".into(), Secret::new("9eb85607103646da".into()));
        let e = NiceChannel::from_context(&x).unwrap_err();
        assert_eq!(e.field, "credentials.secret_key");
        assert!(!e.to_string().contains("9eb85607"));
        let mut x = ctx("", "");
        x.credentials
            .insert("client_key".into(), Secret::new("bad key!".into()));
        assert_eq!(
            NiceChannel::from_context(&x).unwrap_err().field,
            "credentials.client_key"
        );
    }
}
