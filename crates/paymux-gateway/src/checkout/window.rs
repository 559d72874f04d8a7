//! Where a payment window's form goes, and how the window's return is read.
//!
//! **Where the window form goes.** `checkout.prepare` answers a [`WireTarget::Browser`]
//! `{url, accept_charset}` and the exact form body:
//!
//! - **Sandbox** — a `test` channel with an `endpoint` (a simulator): the form is posted to the
//!   simulator's window page, `http://<endpoint>/window` ([`SANDBOX_WINDOW_PATH`]). Every paymux
//!   simulator that has a payment window serves it there. The gateway also adds
//!   [`SANDBOX_KIND_FIELD`] (`PAYMENT` / `ISSUE_BILLING_KEY` / `ISSUE_BILLING_KEY_AND_PAY`),
//!   because some vendors' forms (Galaxia's) do not say which window they open.
//! - **Live** (and `test` channels on the vendor's own test servers): the form is posted to the
//!   target URL — unless that URL is a vendor *loader script* (`….js`), which must be loaded
//!   and called instead. The only loader the gateway drives is Galaxia's
//!   `GX_pay(form, "submit", protocolType)` (its view names it: `{"GX_pay": {"protocolType"}}`);
//!   a channel whose window needs another loader is refused when the session is created.
//!
//! This vendor knowledge belongs to the adapters (as typed fields of the browser target they
//! return); until the adapter contract carries it, it is kept here, in one place.
//!
//! [`WireTarget::Browser`]: paymux_core::adapter::WireTarget::Browser

use paymux_core::channel::{ChannelContext, Environment};
use paymux_core::money::Money;
use paymux_core::wire::Charset;
use serde_json::{json, Value};

/// Path of a simulator's payment window on its endpoint.
pub const SANDBOX_WINDOW_PATH: &str = "/window";
/// Form field naming the window kind, added in sandbox only.
pub const SANDBOX_KIND_FIELD: &str = "PAYMUX_WINDOW";

/// The charset of an `accept-charset` label.
pub fn charset_of(label: &str) -> Option<Charset> {
    match label.trim().to_ascii_uppercase().as_str() {
        "EUC-KR" | "EUCKR" | "KS_C_5601-1987" => Some(Charset::EucKr),
        "CP949" | "MS949" | "WINDOWS-949" | "X-WINDOWS-949" | "UHC" => Some(Charset::Cp949),
        "UTF-8" | "UTF8" => Some(Charset::Utf8),
        _ => None,
    }
}

/// The charset to read a PG's return with: the window's, except that EUC-KR is read as CP949
/// (its superset, which is what browsers actually send for `accept-charset="EUC-KR"`).
pub fn return_charset(label: &str) -> Charset {
    match charset_of(label) {
        Some(Charset::EucKr) | Some(Charset::Cp949) => Charset::Cp949,
        _ => Charset::Utf8,
    }
}

/// A `test` channel pointing at a simulator.
pub fn is_sandbox(ctx: &ChannelContext) -> bool {
    ctx.environment == Environment::Test && ctx.endpoint.as_deref().is_some_and(|e| !e.is_empty())
}

/// The window URL of a simulator endpoint (`host:port` or a base URL).
pub fn simulator_window_url(endpoint: &str) -> String {
    let ep = endpoint.trim().trim_end_matches('/');
    if ep.starts_with("http://") || ep.starts_with("https://") {
        format!("{ep}{SANDBOX_WINDOW_PATH}")
    } else {
        format!("http://{ep}{SANDBOX_WINDOW_PATH}")
    }
}

/// Where the hand-off form goes and, for a loader-script window, the loader call.
pub fn launch_for(
    ctx: &ChannelContext,
    target_url: &str,
    view: &Value,
) -> Result<(String, Option<Value>), String> {
    if is_sandbox(ctx) {
        let ep = ctx.endpoint.as_deref().unwrap_or_default();
        return Ok((simulator_window_url(ep), None));
    }
    let path = target_url.split(['?', '#']).next().unwrap_or_default();
    if !path.ends_with(".js") {
        return Ok((target_url.to_string(), None));
    }
    match view
        .get("GX_pay")
        .and_then(|g| g.get("protocolType"))
        .and_then(Value::as_str)
    {
        Some(p) => Ok((
            target_url.to_string(),
            Some(json!({"function": "GX_pay", "viewType": "submit", "protocolType": p})),
        )),
        None => Err(format!(
            "its payment window is opened by the vendor's loader script ({target_url}), which this \
             gateway cannot drive yet; use the vendor's SDK for this channel"
        )),
    }
}

/// A vendor loader's call, as the hand-off page makes it: `function(form, args…)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoaderCall {
    /// The loader's function (a JavaScript identifier known here).
    pub function: &'static str,
    /// The arguments after the form.
    pub args: Vec<String>,
}

/// The call for a loader a session stored (`window_loader`, from [`launch_for`]), when the
/// gateway knows how to make it.
pub fn loader_call(stored: &Value) -> Option<LoaderCall> {
    match stored.get("function").and_then(Value::as_str) {
        Some("GX_pay") => Some(LoaderCall {
            function: "GX_pay",
            args: vec![
                stored["viewType"].as_str().unwrap_or("submit").to_string(),
                stored["protocolType"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
            ],
        }),
        _ => None,
    }
}

/// The amount a window shows when the request gave none (a billing-key window without
/// `displayAmount`): the form's `AMOUNT` field, where the PG put its default.
pub fn shown_amount(pairs: &[(String, String)]) -> Option<Money> {
    pairs
        .iter()
        .find(|(k, _)| k == "AMOUNT")
        .and_then(|(_, v)| v.trim().parse::<i64>().ok())
        .and_then(|n| Money::new(n).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx(env: Environment, endpoint: Option<&str>) -> ChannelContext {
        ChannelContext {
            key: "k".into(),
            adapter: "galaxia".into(),
            environment: env,
            name: None,
            endpoint: endpoint.map(str::to_string),
            credentials: Default::default(),
            options: Default::default(),
        }
    }

    #[test]
    fn sandbox_windows_go_to_the_simulator() {
        let view = json!({"GX_pay": {"protocolType": "https_tpay"}});
        let js = "https://tpay.billgate.net/paygate/plugin/gx_web_client.js";
        let (url, loader) =
            launch_for(&ctx(Environment::Test, Some("127.0.0.1:9")), js, &view).unwrap();
        assert_eq!(url, "http://127.0.0.1:9/window");
        assert!(loader.is_none());
        let (url, _) = launch_for(
            &ctx(Environment::Test, Some("http://127.0.0.1:9/")),
            js,
            &view,
        )
        .unwrap();
        assert_eq!(url, "http://127.0.0.1:9/window");
    }

    #[test]
    fn live_loader_windows() {
        let js = "https://pay.billgate.net/paygate/plugin/gx_web_client.js";
        let view = json!({"GX_pay": {"protocolType": "https_pay"}});
        let (url, loader) = launch_for(&ctx(Environment::Live, None), js, &view).unwrap();
        assert_eq!(url, js);
        assert_eq!(loader.unwrap()["protocolType"], "https_pay");
        // A live channel with an endpoint (a TCP host override) still uses the vendor window.
        assert!(
            launch_for(&ctx(Environment::Live, Some("10.0.0.1:1")), js, &view)
                .unwrap()
                .1
                .is_some()
        );
        let e = launch_for(
            &ctx(Environment::Live, None),
            "https://x/y.min.js",
            &json!({}),
        )
        .unwrap_err();
        assert!(e.contains("loader script"), "{e}");
        let (url, loader) = launch_for(
            &ctx(Environment::Live, None),
            "https://x/pay.jsp",
            &json!({}),
        )
        .unwrap();
        assert_eq!((url.as_str(), loader), ("https://x/pay.jsp", None));
    }

    #[test]
    fn charsets() {
        assert_eq!(charset_of("EUC-KR"), Some(Charset::EucKr));
        assert_eq!(charset_of("utf-8"), Some(Charset::Utf8));
        assert_eq!(charset_of("latin1"), None);
        assert_eq!(return_charset("EUC-KR"), Charset::Cp949);
        assert_eq!(return_charset("UTF-8"), Charset::Utf8);
    }
}
