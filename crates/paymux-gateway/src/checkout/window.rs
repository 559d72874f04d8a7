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
//! - **Live** (and `test` channels on the vendor's own test servers): the adapter's
//!   [`WindowOpen`] says how — post the form to the target URL, or load the vendor's loader
//!   script there and make the calls it names. A window only the vendor's own SDK can open is
//!   refused when the session is created, with the adapter's reason.
//!
//! The gateway names no vendor: what a page needs comes as typed fields of the browser target.
//!
//! [`WireTarget::Browser`]: paymux_core::adapter::WireTarget::Browser

use paymux_core::adapter::{ScriptCall, WindowOpen};
use paymux_core::channel::{ChannelContext, Environment};
use paymux_core::wire::Charset;
use serde_json::Value;

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

/// Where the hand-off form goes and, for a loader-script window, the calls to store with the
/// session (read back by [`loader_calls`]).
pub fn launch_for(
    ctx: &ChannelContext,
    target_url: &str,
    open: &WindowOpen,
) -> Result<(String, Option<Value>), String> {
    if is_sandbox(ctx) {
        let ep = ctx.endpoint.as_deref().unwrap_or_default();
        return Ok((simulator_window_url(ep), None));
    }
    match open {
        WindowOpen::PostForm => Ok((target_url.to_string(), None)),
        WindowOpen::Script { calls } => {
            if calls.is_empty() || !calls.iter().all(ScriptCall::is_safe_function) {
                return Err(format!(
                    "the adapter's loader call for {target_url} is not a plain function name"
                ));
            }
            let stored = serde_json::to_value(open).map_err(|e| e.to_string())?;
            Ok((target_url.to_string(), Some(stored)))
        }
        WindowOpen::VendorSdkOnly { why } => Err(format!(
            "its payment window is opened by the vendor's loader script ({target_url}): {why}"
        )),
    }
}

/// The loader calls a session stored (from [`launch_for`]); `None` for a plain form post.
/// Function names are checked again: the stored value came from the database.
pub fn loader_calls(stored: &Value) -> Option<Vec<ScriptCall>> {
    match serde_json::from_value::<WindowOpen>(stored.clone()).ok()? {
        WindowOpen::Script { calls } if calls.iter().all(ScriptCall::is_safe_function) => {
            Some(calls)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use paymux_core::adapter::ScriptArg;

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

    fn gx_pay(protocol: &str) -> WindowOpen {
        WindowOpen::Script {
            calls: vec![ScriptCall {
                function: "GX_pay".into(),
                args: vec![
                    ScriptArg::FormId,
                    ScriptArg::Text("submit".into()),
                    ScriptArg::Text(protocol.into()),
                ],
            }],
        }
    }

    #[test]
    fn sandbox_windows_go_to_the_simulator() {
        let js = "https://tpay.billgate.net/paygate/plugin/gx_web_client.js";
        let open = gx_pay("https_tpay");
        let (url, loader) =
            launch_for(&ctx(Environment::Test, Some("127.0.0.1:9")), js, &open).unwrap();
        assert_eq!(url, "http://127.0.0.1:9/window");
        assert!(loader.is_none());
        let (url, _) = launch_for(
            &ctx(Environment::Test, Some("http://127.0.0.1:9/")),
            js,
            &open,
        )
        .unwrap();
        assert_eq!(url, "http://127.0.0.1:9/window");
    }

    #[test]
    fn live_loader_windows() {
        let js = "https://pay.billgate.net/paygate/plugin/gx_web_client.js";
        let (url, loader) =
            launch_for(&ctx(Environment::Live, None), js, &gx_pay("https_pay")).unwrap();
        assert_eq!(url, js);
        let calls = loader_calls(&loader.unwrap()).unwrap();
        assert_eq!(calls[0].function, "GX_pay");
        assert_eq!(calls[0].args[2], ScriptArg::Text("https_pay".into()));
        // A live channel with an endpoint (a TCP host override) still uses the vendor window.
        assert!(launch_for(
            &ctx(Environment::Live, Some("10.0.0.1:1")),
            js,
            &gx_pay("https_pay")
        )
        .unwrap()
        .1
        .is_some());
        let sdk_only = WindowOpen::VendorSdkOnly {
            why: "use the SDK".into(),
        };
        let e = launch_for(
            &ctx(Environment::Live, None),
            "https://x/y.min.js",
            &sdk_only,
        )
        .unwrap_err();
        assert!(
            e.contains("loader script") && e.contains("use the SDK"),
            "{e}"
        );
        let (url, loader) = launch_for(
            &ctx(Environment::Live, None),
            "https://x/pay.jsp",
            &WindowOpen::PostForm,
        )
        .unwrap();
        assert_eq!((url.as_str(), loader), ("https://x/pay.jsp", None));
    }

    #[test]
    fn a_call_that_is_not_a_plain_name_is_refused_and_never_rendered() {
        let js = "https://x/loader.js";
        for bad in ["", "a;alert(1)", "x)(", "a..b", "1abc", "a b", "</script>"] {
            let open = WindowOpen::Script {
                calls: vec![ScriptCall {
                    function: bad.into(),
                    args: vec![],
                }],
            };
            assert!(
                launch_for(&ctx(Environment::Live, None), js, &open).is_err(),
                "{bad:?}"
            );
            // Nor is one read back from a tampered database row.
            let stored = serde_json::to_value(&open).unwrap();
            assert!(loader_calls(&stored).is_none(), "{bad:?}");
        }
        assert!(loader_calls(&serde_json::json!({"function": "GX_pay"})).is_none());
        assert!(loader_calls(&Value::Null).is_none());
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
