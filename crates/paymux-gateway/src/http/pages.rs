//! The pages a customer's browser sees: the hand-off to the PG's window (`GET
//! /checkout/{sessionId}`), results without a `redirectUrl`, and error pages — rendered from
//! the `Landing` a checkout step ends with. Korean for the shopper; a small technical note
//! for support where it helps; never a secret.

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use paymux_core::display;
use serde_json::Value;

use super::result_page::{result_page, truncate};
use crate::checkout::window::{self, SANDBOX_KIND_FIELD};
use crate::checkout::{result, Landing, SessionRow};
use crate::domain::SessionStatus;
use crate::util;
use paymux_core::adapter::ScriptArg;

/// `id` and `name` of the hand-off form.
pub const FORM_ID: &str = "paymux_checkout";

/// The page for where a checkout step landed.
pub fn render(l: Landing) -> Response {
    match l {
        Landing::NotFound { returned } => message_page(
            StatusCode::NOT_FOUND,
            "결제 세션을 찾을 수 없습니다",
            if returned {
                "알 수 없는 결제입니다. 결제된 금액은 없으니 상점에서 다시 결제해 주세요."
            } else {
                "결제 링크가 올바르지 않습니다. 상점에서 다시 결제해 주세요."
            },
            None,
        ),
        Landing::Expired => expired_page(),
        Landing::Finished(s) => finished_page(&s),
        Landing::ChannelGone => message_page(
            StatusCode::INTERNAL_SERVER_ERROR,
            "결제를 완료할 수 없습니다",
            "상점의 결제 설정이 바뀌어 결제를 진행할 수 없습니다. 결제된 금액은 없습니다. 상점에 문의해 주세요.",
            None,
        ),
        Landing::WindowUnreadable => message_page(
            StatusCode::INTERNAL_SERVER_ERROR,
            "결제창을 열 수 없습니다",
            "결제창 정보를 읽을 수 없습니다. 결제된 금액은 없습니다. 상점에 문의해 주세요.",
            None,
        ),
        Landing::Refused(why) => refused_page(&why),
        Landing::StorageError => storage_error(),
        Landing::Redirect(location) => (
            StatusCode::FOUND,
            [
                (header::LOCATION, location),
                (header::CACHE_CONTROL, "no-store".to_string()),
            ],
        )
            .into_response(),
        Landing::Result(v) => result_page(&v),
        Landing::Launch {
            session,
            pairs,
            kind_hint,
        } => html(StatusCode::OK, launch_page(&session, &pairs, kind_hint)),
    }
}

/// 400: the window's answer does not verify. The shopper reads Korean; the technical reason
/// (field and rule, never a value) is kept small for support.
fn refused_page(why: &str) -> Response {
    detail_page(
        StatusCode::BAD_REQUEST,
        "결제 결과를 확인할 수 없습니다",
        "결제창의 응답을 확인할 수 없어 결제를 진행하지 않았습니다. 결제된 금액은 없으니 상점에서 \
         다시 결제해 주세요.",
        Some(&format!(
            "The payment window's answer could not be verified: {why}"
        )),
        None,
    )
}

/// Escape text for HTML content and attribute values (core's one escaper).
pub use paymux_core::html::escape as esc;

/// A JavaScript string literal (JSON string, with `<` escaped so it cannot end a script).
fn js_str(s: &str) -> String {
    Value::String(s.to_string())
        .to_string()
        .replace('<', "\\u003c")
}

pub(super) fn shell(title: &str, body: &str) -> String {
    format!(
        "<!doctype html>\n<html lang=\"ko\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{}</title><style>body{{font-family:sans-serif;max-width:32rem;margin:2rem auto;padding:0 1rem;\
         line-height:1.5;color:#222}}h1{{font-size:1.6rem;margin:1rem 0 .5rem}}.ok h1{{color:#0a6b2e}}\
         .bad h1,.err{{color:#b00}}dl{{display:grid;grid-template-columns:auto 1fr;gap:.4rem 1rem;\
         margin:1.2rem 0;padding:1rem;background:#f6f6f6;border-radius:.5rem}}dt{{color:#666}}\
         dd{{margin:0;font-weight:600;word-break:break-all}}#amount{{font-size:1.2rem}}\
         .note{{color:#555;font-size:.9rem}}.support{{color:#888;font-size:.75rem;margin-top:2rem}}\
         code{{word-break:break-all}}</style></head><body>{body}</body></html>\n",
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
    detail_page(status, title, message, None, link)
}

/// [`message_page`] with a small technical note (`#detail`) under the message, for support.
pub fn detail_page(
    status: StatusCode,
    title: &str,
    message: &str,
    detail: Option<&str>,
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
    let detail = detail
        .map(|d| format!("<p id=\"detail\" class=\"support\">{}</p>", esc(d)))
        .unwrap_or_default();
    html(
        status,
        shell(
            title,
            &format!(
                "<h1 id=\"title\">{}</h1><p id=\"message\"{class}>{}</p>{link}{detail}",
                esc(title),
                esc(message)
            ),
        ),
    )
}

/// The hand-off page: the window form as hidden inputs, submitted at once (or, for a loader
/// window, given to the vendor's loader).
pub fn launch_page(s: &SessionRow, pairs: &[(String, String)], kind_hint: bool) -> String {
    let calls = window::loader_calls(&util::parse_json(s.window_loader.as_deref()));
    let action = if calls.is_none() {
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
    let script = match calls {
        Some(calls) => {
            let body: Vec<String> = calls
                .iter()
                .map(|call| {
                    let args: Vec<String> = call
                        .args
                        .iter()
                        .map(|a| match a {
                            ScriptArg::FormId => js_str(FORM_ID),
                            ScriptArg::Text(t) => js_str(t),
                        })
                        .collect();
                    // `loader_calls` let through only plain (dotted) identifiers.
                    format!("{}({});", call.function, args.join(", "))
                })
                .collect();
            format!(
                "<script src=\"{}\"></script><script>{}</script>",
                esc(&s.window_url),
                body.join("")
            )
        }
        None => format!(
            "<script>document.getElementById({}).submit();</script>",
            js_str(FORM_ID)
        ),
    };
    shell(
        "결제창으로 이동합니다",
        &format!(
            "<p>결제창으로 이동합니다…</p>\
             <form id=\"{FORM_ID}\" name=\"{FORM_ID}\" method=\"post\"{action} accept-charset=\"{}\">{inputs}\
             <noscript><button type=\"submit\">결제창 열기</button></noscript></form>{script}",
            esc(&s.window_charset)
        ),
    )
}

/// Where a browser SDK's popup or iframe window ends: the result in Korean, and PortOne's
/// result fields posted to the opener (popup) or parent (iframe) for the merchant page's
/// origin only (`origin`; none: nothing is posted). The SDK takes the message only from the
/// window it opened and from the gateway's origin.
pub fn browser_result_page(
    fields: &serde_json::Map<String, Value>,
    origin: Option<&str>,
    order: Option<(String, i64, String)>,
) -> Response {
    let text = |k: &str| fields.get(k).and_then(Value::as_str);
    let failed = text("code").is_some();
    let registering = text("transactionType") == Some("ISSUE_BILLING_KEY");
    let (title, message) = match (failed, registering) {
        (true, true) => (
            "카드 등록 실패",
            text("message").unwrap_or("카드를 등록하지 못했습니다."),
        ),
        (true, false) => (
            "결제 실패",
            text("message").unwrap_or("결제가 완료되지 않았습니다."),
        ),
        (false, true) => (
            "카드 등록 완료",
            "카드가 등록되었습니다. 지금 결제된 금액은 없습니다.",
        ),
        (false, false) => ("결제 완료", "결제가 완료되었습니다."),
    };
    let post = origin
        .map(|o| {
            let result = Value::Object(fields.clone())
                .to_string()
                .replace('<', "\\u003c");
            format!(
                "<script>(function(){{var t=window.opener||(window.parent!==window?window.parent:null);\
                 if(t){{t.postMessage({result},{});}}}})();</script>",
                js_str(o)
            )
        })
        .unwrap_or_default();
    let class = if failed { "bad" } else { "ok" };
    let rows = order
        .map(|(name, amount, currency)| {
            format!(
                "<dl id=\"result\"><dt>주문명</dt><dd id=\"order-name\">{}</dd>\
                 <dt>결제 금액</dt><dd id=\"amount\">{}</dd></dl>",
                esc(&name),
                esc(&display::format_amount(amount, &currency))
            )
        })
        .unwrap_or_default();
    html(
        StatusCode::OK,
        shell(
            title,
            &format!(
                "<main class=\"result {class}\"><h1 id=\"title\">{}</h1><p id=\"message\">{}</p>\
                 {rows}<p class=\"note\">이 창은 곧 닫힙니다.</p></main>{post}",
                esc(title),
                esc(&truncate(message, 200))
            ),
        ),
    )
}

/// 410: the session's time is over.
pub fn expired_page() -> Response {
    message_page(
        StatusCode::GONE,
        "결제 시간이 만료되었습니다",
        "결제 시간이 지나 결제창이 닫혔습니다. 결제된 금액은 없으니 상점에서 다시 결제해 주세요.",
        None,
    )
}

/// 409: the session already has its result (or is being completed).
pub fn finished_page(s: &SessionRow) -> Response {
    let (title, message) = match s.status {
        SessionStatus::Completing => (
            "결제를 처리하고 있습니다",
            "이 결제는 지금 처리 중입니다. 두 번 결제되지 않으니 잠시 후 상점에서 주문 내역을 확인해 주세요.",
        ),
        SessionStatus::Expired => (
            "결제 시간이 만료되었습니다",
            "결제 시간이 지나 결제창이 닫혔습니다. 결제된 금액은 없습니다.",
        ),
        _ => (
            "이미 처리된 결제입니다",
            "이 결제창의 결과는 이미 처리되었습니다. 두 번 결제되지 않습니다.",
        ),
    };
    let back = s
        .redirect_url
        .as_deref()
        .zip(s.result_json.as_deref())
        .and_then(|(url, r)| result::redirect_target(url, &util::parse_json(Some(r))));
    let status = if s.status == SessionStatus::Expired {
        StatusCode::GONE
    } else {
        StatusCode::CONFLICT
    };
    message_page(
        status,
        title,
        message,
        back.as_deref().map(|u| ("상점으로 돌아가기", u)),
    )
}

/// 500 page for a storage failure (never request data; the error was logged).
pub fn storage_error() -> Response {
    message_page(
        StatusCode::INTERNAL_SERVER_ERROR,
        "일시적인 오류입니다",
        "일시적인 오류가 발생했습니다. 잠시 후 다시 시도해 주세요.",
        None,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn session(loader: Option<&str>) -> SessionRow {
        SessionRow {
            id: "cs_1".into(),
            kind: crate::checkout::Kind::IssueBillingKey,
            status: SessionStatus::Open,
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
        let loader = r#"{"kind": "script", "calls": [{"function": "GX_pay", "args": [{"kind": "formId"}, {"kind": "text", "value": "submit"}, {"kind": "text", "value": "https_pay"}]}]}"#;
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
    fn markup_is_escaped() {
        assert_eq!(esc("<\"&'>"), "&lt;&quot;&amp;&#39;&gt;");
        assert_eq!(js_str("</script>"), "\"\\u003c/script>\"");
    }
}
