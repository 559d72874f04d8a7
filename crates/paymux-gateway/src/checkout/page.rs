//! The pages a customer's browser sees: the hand-off to the PG's window (`GET
//! /checkout/{sessionId}`), results without a `redirectUrl`, and error pages.
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
//! [`WireTarget::Browser`]: paymux_core::adapter::WireTarget::Browser

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use paymux_core::channel::{ChannelContext, Environment};
use paymux_core::money::Money;
use paymux_core::wire::{form_urldecode, Charset};
use serde_json::{json, Value};

use super::{status, SessionRow};
use crate::state::AppState;
use crate::util;

/// Path of a simulator's payment window on its endpoint.
pub const SANDBOX_WINDOW_PATH: &str = "/window";
/// Form field naming the window kind, added in sandbox only.
pub const SANDBOX_KIND_FIELD: &str = "PAYMUX_WINDOW";
/// `id` and `name` of the hand-off form.
pub const FORM_ID: &str = "paymux_checkout";

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

/// The amount a window shows when the request gave none (a billing-key window without
/// `displayAmount`): the form's `AMOUNT` field, where the PG put its default.
pub fn shown_amount(pairs: &[(String, String)]) -> Option<Money> {
    pairs
        .iter()
        .find(|(k, _)| k == "AMOUNT")
        .and_then(|(_, v)| v.trim().parse::<i64>().ok())
        .and_then(|n| Money::new(n).ok())
}

/// Escape text for HTML content and attribute values.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A JavaScript string literal (JSON string, with `<` escaped so it cannot end a script).
fn js_str(s: &str) -> String {
    Value::String(s.to_string())
        .to_string()
        .replace('<', "\\u003c")
}

fn shell(title: &str, body: &str) -> String {
    format!(
        "<!doctype html>\n<html lang=\"ko\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{}</title><style>body{{font-family:sans-serif;max-width:32rem;margin:2rem auto;padding:0 1rem}}\
         .err{{color:#b00}}code{{word-break:break-all}}</style></head><body>{body}</body></html>\n",
        esc(title)
    )
}

/// An HTML answer: UTF-8, never cached.
pub fn html(status: StatusCode, body: String) -> Response {
    (
        status,
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        ],
        body,
    )
        .into_response()
}

/// A page with a title, a message (`#message`, class `err` for errors) and an optional link.
pub fn message_page(
    status: StatusCode,
    title: &str,
    message: &str,
    link: Option<(&str, &str)>,
) -> Response {
    let class = if status.is_success() {
        ""
    } else {
        " class=\"err\""
    };
    let link = link
        .map(|(label, url)| {
            format!(
                "<p><a id=\"continue\" href=\"{}\">{}</a></p>",
                esc(url),
                esc(label)
            )
        })
        .unwrap_or_default();
    html(
        status,
        shell(
            title,
            &format!(
                "<h1 id=\"title\">{}</h1><p id=\"message\"{class}>{}</p>{link}",
                esc(title),
                esc(message)
            ),
        ),
    )
}

/// The hand-off page: the window form as hidden inputs, submitted at once (or, for a loader
/// window, given to the vendor's loader).
pub fn launch_page(s: &SessionRow, pairs: &[(String, String)], kind_hint: bool) -> String {
    let loader = util::parse_json(s.window_loader.as_deref());
    let action = if loader.is_null() {
        format!(" action=\"{}\"", esc(&s.window_url))
    } else {
        String::new()
    };
    let mut inputs = String::new();
    for (k, v) in pairs {
        inputs.push_str(&format!(
            "<input type=\"hidden\" name=\"{}\" value=\"{}\">",
            esc(k),
            esc(v)
        ));
    }
    if kind_hint {
        inputs.push_str(&format!(
            "<input type=\"hidden\" name=\"{SANDBOX_KIND_FIELD}\" value=\"{}\">",
            s.kind.as_str()
        ));
    }
    let script = match loader.get("function").and_then(Value::as_str) {
        Some("GX_pay") => format!(
            "<script src=\"{}\"></script><script>GX_pay({}, {}, {});</script>",
            esc(&s.window_url),
            js_str(FORM_ID),
            js_str(loader["viewType"].as_str().unwrap_or("submit")),
            js_str(loader["protocolType"].as_str().unwrap_or_default()),
        ),
        _ => format!(
            "<script>document.getElementById({}).submit();</script>",
            js_str(FORM_ID)
        ),
    };
    shell(
        "결제창으로 이동합니다",
        &format!(
            "<p>결제창으로 이동합니다… / Opening the payment window…</p>\
             <form id=\"{FORM_ID}\" name=\"{FORM_ID}\" method=\"post\"{action} accept-charset=\"{}\">{inputs}\
             <noscript><button type=\"submit\">결제창 열기 / Continue</button></noscript></form>{script}",
            esc(&s.window_charset)
        ),
    )
}

/// `GET /checkout/{sessionId}`: the hand-off page while the session is open.
pub async fn show(st: &AppState, id: &str) -> Response {
    let s = match super::load(st, id).await {
        Ok(Some(s)) => s,
        Ok(None) => {
            return message_page(
                StatusCode::NOT_FOUND,
                "결제 세션을 찾을 수 없습니다",
                "This checkout link is not valid.",
                None,
            )
        }
        Err(e) => return storage_error(&e),
    };
    let now = util::micros(util::now());
    if s.status == status::OPEN && s.is_expired_at(now) {
        if let Err(e) = super::expire(st, &s).await {
            return storage_error(&e);
        }
        return expired_page();
    }
    if s.status != status::OPEN {
        return finished_page(&s);
    }
    let Some(charset) = charset_of(&s.window_charset) else {
        return message_page(
            StatusCode::INTERNAL_SERVER_ERROR,
            "결제창을 열 수 없습니다",
            "The stored payment window uses an unknown charset.",
            None,
        );
    };
    let pairs = match form_urldecode(s.window_form.as_bytes(), charset) {
        Ok(p) => p,
        Err(_) => {
            return message_page(
                StatusCode::INTERNAL_SERVER_ERROR,
                "결제창을 열 수 없습니다",
                "The stored payment window form does not decode.",
                None,
            )
        }
    };
    let sandbox = st
        .channels
        .get(&s.channel_key)
        .is_some_and(|c| is_sandbox(&c.ctx));
    if let Err(e) = st
        .db
        .execute(
            "UPDATE checkout_sessions SET opened_at = COALESCE(opened_at, $2), updated_at = $2 WHERE id = $1",
            crate::args![s.id.clone(), now],
        )
        .await
    {
        tracing::warn!(error = %e, session = %s.id, "could not record that the window was opened");
    }
    html(StatusCode::OK, launch_page(&s, &pairs, sandbox))
}

/// 410: the session's time is over.
pub fn expired_page() -> Response {
    message_page(
        StatusCode::GONE,
        "결제 시간이 만료되었습니다",
        "This checkout session has expired; nothing was charged. Please start the payment again.",
        None,
    )
}

/// 409: the session already has its result (or is being completed).
pub fn finished_page(s: &SessionRow) -> Response {
    let (title, message) = match s.status.as_str() {
        status::COMPLETING => (
            "결제를 처리하고 있습니다",
            "This payment window's result is being processed; it is not processed twice.",
        ),
        status::EXPIRED => (
            "결제 시간이 만료되었습니다",
            "This checkout session has expired; nothing was charged.",
        ),
        _ => (
            "이미 처리된 결제입니다",
            "This payment window's result was already processed; it is not processed twice.",
        ),
    };
    let back = s
        .redirect_url
        .as_deref()
        .zip(s.result_json.as_deref())
        .and_then(|(url, r)| super::complete::redirect_target(url, &util::parse_json(Some(r))));
    let status = if s.status == status::EXPIRED {
        StatusCode::GONE
    } else {
        StatusCode::CONFLICT
    };
    message_page(
        status,
        title,
        message,
        back.as_deref()
            .map(|u| ("상점으로 돌아가기 / Back to the store", u)),
    )
}

/// The result page shown when the request had no `redirectUrl`.
pub fn result_page(ok: bool, params: &Value) -> Response {
    let (title, message) = if ok {
        (
            "결제 결과",
            "The payment window finished. The store confirms the result.",
        )
    } else {
        (
            "결제가 완료되지 않았습니다",
            params
                .get("message")
                .and_then(Value::as_str)
                .unwrap_or("The payment was not completed."),
        )
    };
    let rows: String = params
        .as_object()
        .map(|m| {
            m.iter()
                .map(|(k, v)| {
                    format!(
                        "<dt>{}</dt><dd id=\"result-{}\">{}</dd>",
                        esc(k),
                        esc(k),
                        esc(v.as_str().unwrap_or_default())
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    html(
        StatusCode::OK,
        shell(
            title,
            &format!(
                "<h1 id=\"title\">{}</h1><p id=\"message\">{}</p><dl id=\"result\">{rows}</dl>",
                esc(title),
                esc(message)
            ),
        ),
    )
}

/// 500 page for a storage failure (never request data).
pub fn storage_error(e: &sqlx::Error) -> Response {
    tracing::error!(error = %e, "database error on a checkout page");
    message_page(
        StatusCode::INTERNAL_SERVER_ERROR,
        "일시적인 오류입니다",
        "A temporary error occurred; please try again.",
        None,
    )
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

    fn session(loader: Option<&str>) -> SessionRow {
        SessionRow {
            id: "cs_1".into(),
            kind: super::super::Kind::IssueBillingKey,
            status: status::OPEN.into(),
            store_id: "s".into(),
            payment_id: None,
            transaction_id: None,
            billing_key: Some("billing-key-1".into()),
            order_id: "o".into(),
            channel_key: "k".into(),
            method: "CARD".into(),
            amount_total: 1000,
            order_date: "20250101000000".into(),
            window_url: "https://pay.billgate.net/paygate/plugin/gx_web_client.js".into(),
            window_charset: "EUC-KR".into(),
            window_form: String::new(),
            window_loader: loader.map(str::to_string),
            redirect_url: None,
            notice_urls_json: None,
            result_json: None,
            created_at: 0,
            expires_at: 0,
            opened_at: None,
            finished_at: None,
        }
    }

    #[test]
    fn hand_off_pages() {
        let pairs = vec![("ITEM_NAME".to_string(), "\"<월간>\"".to_string())];
        let form = launch_page(&session(None), &pairs, true);
        assert!(
            form.contains("action=\"https://pay.billgate.net/paygate/plugin/gx_web_client.js\"")
        );
        assert!(form.contains("accept-charset=\"EUC-KR\""));
        assert!(
            form.contains("value=\"&quot;&lt;월간&gt;&quot;\""),
            "{form}"
        );
        assert!(form.contains("name=\"PAYMUX_WINDOW\" value=\"ISSUE_BILLING_KEY\""));
        assert!(form.contains(".submit();"));
        let loader = r#"{"function": "GX_pay", "viewType": "submit", "protocolType": "https_pay"}"#;
        let live = launch_page(&session(Some(loader)), &pairs, false);
        assert!(
            !live.contains(" action="),
            "the loader posts the form: {live}"
        );
        assert!(!live.contains("PAYMUX_WINDOW"));
        assert!(live.contains(
            "<script src=\"https://pay.billgate.net/paygate/plugin/gx_web_client.js\"></script>"
        ));
        assert!(live.contains("GX_pay(\"paymux_checkout\", \"submit\", \"https_pay\");"));
    }

    #[test]
    fn charsets() {
        assert_eq!(charset_of("EUC-KR"), Some(Charset::EucKr));
        assert_eq!(charset_of("utf-8"), Some(Charset::Utf8));
        assert_eq!(charset_of("latin1"), None);
        assert_eq!(return_charset("EUC-KR"), Charset::Cp949);
        assert_eq!(return_charset("UTF-8"), Charset::Utf8);
    }

    #[test]
    fn markup_is_escaped() {
        assert_eq!(esc("<\"&'>"), "&lt;&quot;&amp;&#39;&gt;");
        assert_eq!(js_str("</script>"), "\"\\u003c/script>\"");
    }
}
