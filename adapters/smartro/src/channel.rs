//! What the adapter reads from a channel: MIDs, the merchant key, the base URL and options.
//!
//! ```toml
//! key = "smartro-test"
//! adapter = "smartro"
//! environment = "test"                  # tapproval.smartropay.co.kr; "live" = approval.…
//! # endpoint = "http://127.0.0.1:8085"  # optional base URL (a simulator); host:port → http://
//! [credentials]
//! mid = "t_0000001m"                    # Mid (10)
//! merchant_key = "…88 base64 chars…"    # MerchantKey; its first 32 characters are the AES key
//! # cancel_pwd = "…"                    # optional CancelPwd (the merchant admin's 취소 비밀번호)
//! [options]
//! # billing_mid = "t_0000002m"          # the billing MID for ssbbill.do (default: mid)
//! # cancel_path = "/payment/cancel/cancelApproval.do"   # default /payment/approval/cancel.do
//! # mall_ip = "203.0.113.10"            # MallIp / UserIp of server calls (default 127.0.0.1)
//! # vbank_path (default /payment/approval/vacct.do), billkey_issue_path, billkey_delete_path,
//! # inquiry_path: paths of calls not in Smartro's public manual
//! ```

use std::borrow::Cow;

use paymux_core::channel::{ChannelConfigError, ChannelContext, Environment};
use paymux_core::error::PgError;
use paymux_core::secret::Secret;
use paymux_core::validation::ValidationErrors;

use crate::frame::{self, aes_key};
use crate::protocol::{host, path, MID_LEN};

/// Credential names the channel must carry (all secrets; never logged).
pub const CREDENTIALS: &[&str] = &["mid", "merchant_key"];
/// Optional credential: the cancel password (`CancelPwd`), empty when absent (id9043725511:
/// "필요시 설정, 미설정 시 빈 문자열").
pub const CANCEL_PWD_CREDENTIAL: &str = "cancel_pwd";

/// Option: the billing MID used for billing keys (id42417833469 keeps `onceMid` and
/// `billingMid` apart). Default: `mid`.
pub const BILLING_MID_OPTION: &str = "billing_mid";
/// Option: the cancel path (see [`path::CANCEL`] for the choice).
pub const CANCEL_PATH_OPTION: &str = "cancel_path";
/// Option: `MallIp` / `UserIp` of server-to-server calls.
pub const MALL_IP_OPTION: &str = "mall_ip";
/// Option: path of the server-side virtual-account issue (default [`path::VACCT`]).
pub const VBANK_PATH_OPTION: &str = "vbank_path";
/// Option: path of the **reconstructed** billing-key issue.
pub const BILLKEY_ISSUE_PATH_OPTION: &str = "billkey_issue_path";
/// Option: path of the **reconstructed** billing-key delete.
pub const BILLKEY_DELETE_PATH_OPTION: &str = "billkey_delete_path";
/// Option: path of the **reconstructed** status inquiry.
pub const INQUIRY_PATH_OPTION: &str = "inquiry_path";

/// Option names the channel may carry.
pub const OPTIONS: &[&str] = &[
    BILLING_MID_OPTION,
    CANCEL_PATH_OPTION,
    MALL_IP_OPTION,
    VBANK_PATH_OPTION,
    BILLKEY_ISSUE_PATH_OPTION,
    BILLKEY_DELETE_PATH_OPTION,
    INQUIRY_PATH_OPTION,
];

/// Which server call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Call {
    /// `urlCallApproval.do`.
    Approval,
    /// The cancel path.
    Cancel,
    /// `ssbbill.do`.
    Billing,
    /// Server-side virtual-account issue (`vacct.do`).
    Vacct,
    /// Reconstructed billing-key issue.
    BillkeyIssue,
    /// Reconstructed billing-key delete.
    BillkeyDelete,
    /// Reconstructed status inquiry.
    Inquiry,
}

/// A channel's Smartro settings, parsed.
#[derive(Clone)]
pub struct SmartroChannel {
    /// `Mid` of ordinary payments.
    pub mid: String,
    /// `Mid` of billing keys and their charges.
    pub billing_mid: String,
    /// The merchant key (in `HashData` and `EncryptData`).
    pub merchant_key: Secret<String>,
    /// The AES-256 key (its first 32 characters).
    pub aes_key: Secret<Vec<u8>>,
    /// `CancelPwd`, empty when not configured.
    pub cancel_pwd: Secret<String>,
    /// `MallIp` / `UserIp`.
    pub mall_ip: String,
    base_url: String,
    endpoint: bool,
    environment: Environment,
    /// The built-in paths are borrowed: the channel is read on every encode and decode.
    paths: [Cow<'static, str>; 7],
}

impl std::fmt::Debug for SmartroChannel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmartroChannel")
            .field("mid", &self.mid)
            .field("billing_mid", &self.billing_mid)
            .field("base_url", &self.base_url)
            .finish_non_exhaustive()
    }
}

impl SmartroChannel {
    /// Read and check the channel. Errors name the credential or option, never its value.
    pub fn from_context(ctx: &ChannelContext) -> Result<Self, ChannelConfigError> {
        let mid = ctx.credential("mid")?.expose().clone();
        check_mid(ctx, "credentials.mid", &mid)?;
        let merchant_key = ctx.credential("merchant_key")?.clone();
        let aes_key = aes_key(&merchant_key)
            .map_err(|rule| ctx.config_error("credentials.merchant_key", rule))?;
        let cancel_pwd = ctx
            .credentials
            .get(CANCEL_PWD_CREDENTIAL)
            .cloned()
            .unwrap_or_default();
        if cancel_pwd.expose().chars().count() > 20 {
            return Err(ctx.config_error(
                "credentials.cancel_pwd",
                "must be at most 20 characters (CancelPwd)",
            ));
        }
        let billing_mid = match ctx.option(BILLING_MID_OPTION) {
            Some(m) => {
                check_mid(ctx, "options.billing_mid", m)?;
                m.to_string()
            }
            None => mid.clone(),
        };
        let mall_ip = ctx
            .option(MALL_IP_OPTION)
            .unwrap_or(crate::protocol::fixed::LOOPBACK_IP)
            .to_string();
        if mall_ip.is_empty() || mall_ip.len() > 20 || !mall_ip.is_ascii() {
            return Err(ctx.config_error(
                "options.mall_ip",
                "must be an IP address of at most 20 characters",
            ));
        }
        let (base_url, endpoint) = match ctx.endpoint.as_deref().map(str::trim) {
            Some(ep) if !ep.is_empty() => (normalize_endpoint(ctx, ep)?, true),
            _ => (
                match ctx.environment {
                    Environment::Live => host::LIVE,
                    Environment::Test => host::TEST,
                }
                .to_string(),
                false,
            ),
        };
        let p = |opt: &str,
                 default: &'static str|
         -> Result<Cow<'static, str>, ChannelConfigError> {
            match ctx.option(opt) {
                None => Ok(Cow::Borrowed(default)),
                Some(v)
                    if v.starts_with('/') && v.is_ascii() && !v.contains(char::is_whitespace) =>
                {
                    Ok(Cow::Owned(v.to_string()))
                }
                Some(_) => Err(ctx.config_error(
                    &format!("options.{opt}"),
                    "must be an absolute path such as /payment/approval/cancel.do",
                )),
            }
        };
        let paths = [
            Cow::Borrowed(path::APPROVAL),
            p(CANCEL_PATH_OPTION, path::CANCEL)?,
            Cow::Borrowed(path::BILLING),
            p(VBANK_PATH_OPTION, path::VACCT)?,
            p(BILLKEY_ISSUE_PATH_OPTION, path::BILLKEY_ISSUE)?,
            p(BILLKEY_DELETE_PATH_OPTION, path::BILLKEY_DELETE)?,
            p(INQUIRY_PATH_OPTION, path::INQUIRY)?,
        ];
        Ok(SmartroChannel {
            mid,
            billing_mid,
            merchant_key,
            aes_key,
            cancel_pwd,
            mall_ip,
            base_url,
            endpoint,
            environment: ctx.environment,
            paths,
        })
    }

    /// The full URL of a server call.
    pub fn url(&self, call: Call) -> String {
        let i = match call {
            Call::Approval => 0,
            Call::Cancel => 1,
            Call::Billing => 2,
            Call::Vacct => 3,
            Call::BillkeyIssue => 4,
            Call::BillkeyDelete => 5,
            Call::Inquiry => 6,
        };
        format!("{}{}", self.base_url, self.paths[i])
    }

    /// The base URL (vendor host or the channel's endpoint).
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The window script and `smartropay.init` mode: the vendor's for the environment, or the
    /// endpoint's (a simulator standing in for the window host).
    pub fn window(&self, mobile: bool) -> (String, &'static str) {
        use crate::protocol::fixed::{WINDOW_MODE_LIVE, WINDOW_MODE_TEST};
        let mode = match self.environment {
            Environment::Live => WINDOW_MODE_LIVE,
            Environment::Test => WINDOW_MODE_TEST,
        };
        if self.endpoint {
            return (
                format!("{}{}", self.base_url, host::WINDOW_SCRIPT_PATH),
                mode,
            );
        }
        let script = match (self.environment, mobile) {
            (Environment::Live, false) => host::WINDOW_SCRIPT_LIVE,
            (Environment::Live, true) => host::WINDOW_SCRIPT_MOBILE_LIVE,
            (Environment::Test, false) => host::WINDOW_SCRIPT_TEST,
            (Environment::Test, true) => host::WINDOW_SCRIPT_MOBILE_TEST,
        };
        (script.to_string(), mode)
    }

    /// The MID a payment was made under: the TID's first 10 characters when they are the
    /// billing MID, else the ordinary MID.
    pub fn mid_of_tid(&self, tid: &str) -> &str {
        match tid.get(..MID_LEN) {
            Some(head) if head == self.billing_mid => &self.billing_mid,
            _ => &self.mid,
        }
    }
}

fn check_mid(ctx: &ChannelContext, field: &str, mid: &str) -> Result<(), ChannelConfigError> {
    if mid.is_empty() || mid.chars().count() > MID_LEN || !mid.is_ascii() {
        return Err(ctx.config_error(field, "must be 1 to 10 ASCII characters (Mid)"));
    }
    Ok(())
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

/// The stored billing key, decrypted: Smartro hands out `BillTokenKey` AES-encrypted with the
/// merchant key and the sample decrypts it before charging (id42417833469 `AESDecode(
/// encBillTokenKey, merchantKey.substring(0, 32))`).
pub fn bill_token_key(
    ch: &SmartroChannel,
    stored: &Secret<String>,
) -> Result<Secret<String>, &'static str> {
    let plain = frame::decrypt(&ch.aes_key, stored.expose()).map_err(|_| "does not decrypt")?;
    let text = String::from_utf8(plain).map_err(|_| "is not text")?;
    if text.trim().is_empty() {
        return Err("is empty");
    }
    Ok(Secret::new(text))
}

/// The stored billing key decrypted, or a validation error naming `prior.pgBillingKey`.
pub(crate) fn stored_key(
    ch: &SmartroChannel,
    stored: Option<&Secret<String>>,
) -> Result<Secret<String>, PgError> {
    let invalid = |rule: &str| {
        let mut e = ValidationErrors::default();
        e.add("prior.pgBillingKey", rule);
        PgError::Validation(e)
    };
    let stored = stored.ok_or_else(|| invalid("is required: the BillTokenKey Smartro issued"))?;
    bill_token_key(ch, stored)
        .map_err(|_| invalid("is not a BillTokenKey issued to this channel: it does not decrypt with the merchant key"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx(extra: &str) -> ChannelContext {
        ChannelContext::from_toml(&format!(
            "key='k'\nadapter='smartro'\nenvironment='test'\n{extra}\n[credentials]\nmid='pmxtest01m'\nmerchant_key='0123456789abcdef0123456789abcdef0123'\n"
        ))
        .unwrap()
    }

    #[test]
    fn hosts_paths_and_endpoint() {
        let c = SmartroChannel::from_context(&ctx("")).unwrap();
        assert_eq!(
            c.url(Call::Cancel),
            "https://tapproval.smartropay.co.kr/payment/approval/cancel.do"
        );
        let c = SmartroChannel::from_context(&ctx("endpoint='127.0.0.1:9'")).unwrap();
        assert_eq!(
            c.url(Call::Billing),
            "http://127.0.0.1:9/payment/approval/ssbbill.do"
        );
        assert_eq!(
            c.window(false).0,
            "http://127.0.0.1:9/asset/js/SmartroPAY-1.0.min.js"
        );
        let mut x = ctx("");
        x.options
            .insert("cancel_path".into(), path::CANCEL_ALTERNATIVE.into());
        let c = SmartroChannel::from_context(&x).unwrap();
        assert!(c
            .url(Call::Cancel)
            .ends_with("/payment/cancel/cancelApproval.do"));
        x.options.insert("cancel_path".into(), "no-slash".into());
        let e = SmartroChannel::from_context(&x).unwrap_err();
        assert_eq!(e.field, "options.cancel_path");
    }

    #[test]
    fn short_merchant_key_names_the_credential_only() {
        let mut x = ctx("");
        x.credentials
            .insert("merchant_key".into(), Secret::new("tooshort".into()));
        let e = SmartroChannel::from_context(&x).unwrap_err();
        assert_eq!(e.field, "credentials.merchant_key");
        assert!(!e.to_string().contains("tooshort"));
    }

    #[test]
    fn the_tid_names_its_mid() {
        let mut x = ctx("");
        x.options.insert("billing_mid".into(), "pmxbill01m".into());
        let c = SmartroChannel::from_context(&x).unwrap();
        assert_eq!(c.mid_of_tid("pmxbill01m01012503011015000001"), "pmxbill01m");
        assert_eq!(c.mid_of_tid("pmxtest01m01012503011015000001"), "pmxtest01m");
        assert_eq!(c.mid_of_tid("가"), "pmxtest01m");
    }
}
