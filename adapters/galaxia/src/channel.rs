//! What the adapter reads from a channel: MID, SEED key and IV, host and port, ITEM_CODE.
//!
//! Credentials: `mid` (SERVICE_ID), `key` (base64 of the 16-byte SEED key), `iv` (16 ASCII
//! characters). Option: `item_code` (default ITEM_CODE when the request has none).

use paymux_core::channel::{ChannelConfigError, ChannelContext, Environment};
use paymux_core::validation::ValidationErrors;
use paymux_core::wire::Charset;

use crate::frame::Cipher;
use crate::protocol::{host, service};
use crate::DESCRIPTOR;

/// Channel option naming the default ITEM_CODE.
pub const ITEM_CODE_OPTION: &str = "item_code";

/// A channel's Galaxia settings, parsed.
#[derive(Debug, Clone)]
pub struct GalaxiaChannel {
    /// SERVICE_ID (the MID in every header).
    pub mid: String,
    /// SEED key and IV.
    pub cipher: Cipher,
    endpoint: Option<(String, u16)>,
    environment: Environment,
}

impl GalaxiaChannel {
    /// Read and check the channel. Errors name the credential, never its value.
    pub fn from_context(ctx: &ChannelContext) -> Result<Self, ChannelConfigError> {
        let mid = ctx.credential("mid")?.expose().clone();
        let key = ctx.credential("key")?.expose();
        let iv = ctx.credential("iv")?.expose();
        let cipher = Cipher::from_text(key, iv).map_err(|msg| {
            let (field, rule) = msg.split_once(": ").unwrap_or(("credentials", msg));
            ctx.config_error(field, rule)
        })?;
        Ok(GalaxiaChannel {
            mid,
            cipher,
            endpoint: ctx.endpoint_host_port()?,
            environment: ctx.environment,
        })
    }

    /// Host and port for a service code: the channel's `endpoint` when set (a simulator serves
    /// every service code on one port), else the vendor host with port `3` + service code.
    pub fn host_port(&self, service_code: &str) -> (String, u16) {
        if let Some((h, p)) = &self.endpoint {
            return (h.clone(), *p);
        }
        let host = match self.environment {
            Environment::Live => host::LIVE,
            Environment::Test => host::TEST,
        };
        // Service codes are constants of this crate, so the port always parses.
        (
            host.to_string(),
            service::port(service_code).unwrap_or(30900),
        )
    }

    /// The payment-window loader script and `GX_pay` protocol type for the environment.
    pub fn window(&self) -> (&'static str, &'static str) {
        match self.environment {
            Environment::Live => (host::WINDOW_SCRIPT_LIVE, "https_pay"),
            Environment::Test => (host::WINDOW_SCRIPT_TEST, "https_tpay"),
        }
    }
}

/// Unified path of Galaxia's item code.
pub const ITEM_CODE_PATH: &str = "bypass.galaxia.ITEM_CODE";

/// The ITEM_CODE to send: `bypass.galaxia.ITEM_CODE`, else the channel's `item_code` option.
/// Errors name `bypass.galaxia.ITEM_CODE`.
pub fn resolve_item_code(
    ctx: &ChannelContext,
    bypass: Option<&serde_json::Value>,
) -> Result<String, ValidationErrors> {
    let mut errs = ValidationErrors::default();
    let from_request = bypass
        .and_then(|b| b.get("galaxia"))
        .and_then(|g| g.get("ITEM_CODE"));
    let code = match from_request {
        Some(serde_json::Value::String(s)) => Some(s.clone()),
        Some(_) => {
            errs.add(ITEM_CODE_PATH, "must be a string");
            return Err(errs);
        }
        None => ctx.option(ITEM_CODE_OPTION).map(str::to_string),
    };
    match code.filter(|c| !c.trim().is_empty()) {
        None => errs.add(
            ITEM_CODE_PATH,
            "is required (Galaxia's 상품코드); give it in bypass or set the channel option item_code",
        ),
        Some(c) => {
            DESCRIPTOR.check_field(
                ITEM_CODE_PATH,
                ITEM_CODE_PATH,
                &c,
                Some(Charset::EucKr),
                &mut errs,
            );
            if errs.is_empty() {
                return Ok(c);
            }
        }
    }
    Err(errs)
}
