//! The browser SDKs: the scripts (`/v2/browser-sdk.js`, `/v1/iamport.js`), the session
//! endpoints they call without the API secret (CORS for the configured stores' origins, on
//! these routes only), and the result page popup and iframe windows return to.

use axum::body::Body;
use axum::extract::{RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;

use super::request::body_bytes;
use super::{pages, St};
use crate::browser;

/// `window.PortOne`: hand-written ES2017, no build step.
pub const BROWSER_SDK_JS: &str = include_str!("../../assets/browser-sdk.js");
/// `window.IMP`: hand-written ES2017 on top of the V2 SDK (the V1 script stands alone).
pub const IAMPORT_JS: &str = concat!(
    include_str!("../../assets/browser-sdk.js"),
    include_str!("../../assets/iamport.js")
);

fn script(body: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            // Short: a merchant page picks up a new gateway version within minutes.
            (header::CACHE_CONTROL, "public, max-age=300"),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        ],
        body,
    )
        .into_response()
}

pub(super) async fn browser_sdk_js() -> Response {
    script(BROWSER_SDK_JS)
}

pub(super) async fn iamport_js() -> Response {
    script(IAMPORT_JS)
}

fn origin_of(headers: &HeaderMap) -> Option<&str> {
    headers.get(header::ORIGIN).and_then(|v| v.to_str().ok())
}

/// CORS headers for `origin` when some configured store allows it.
fn with_cors(st: &crate::state::AppState, headers: &HeaderMap, mut resp: Response) -> Response {
    if let Some(o) = origin_of(headers).filter(|o| browser::any_store_allows(st, o)) {
        if let Ok(v) = HeaderValue::from_str(o) {
            let h = resp.headers_mut();
            h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, v);
            h.insert(header::VARY, HeaderValue::from_static("Origin"));
        }
    }
    resp
}

/// `OPTIONS` (CORS preflight) of the session endpoints.
pub(super) async fn browser_preflight(State(st): St, headers: HeaderMap) -> Response {
    let allowed = origin_of(&headers).is_some_and(|o| browser::any_store_allows(&st, o));
    if !allowed {
        return StatusCode::FORBIDDEN.into_response();
    }
    let mut resp = StatusCode::NO_CONTENT.into_response();
    let h = resp.headers_mut();
    h.insert(
        header::ACCESS_CONTROL_ALLOW_METHODS,
        HeaderValue::from_static("POST"),
    );
    h.insert(
        header::ACCESS_CONTROL_ALLOW_HEADERS,
        HeaderValue::from_static("content-type"),
    );
    h.insert(
        header::ACCESS_CONTROL_MAX_AGE,
        HeaderValue::from_static("600"),
    );
    with_cors(&st, &headers, resp)
}

pub(super) async fn browser_checkout(State(st): St, headers: HeaderMap, body: Body) -> Response {
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
    let resp = match body_bytes(&st, body).await {
        Ok(bytes) => browser::create(&st, &bytes, host, origin_of(&headers))
            .await
            .map(Json)
            .into_response(),
        Err(e) => e.into_response(),
    };
    with_cors(&st, &headers, resp)
}

pub(super) async fn browser_checkout_v1(State(st): St, headers: HeaderMap, body: Body) -> Response {
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
    let resp = match body_bytes(&st, body).await {
        Ok(bytes) => browser::create_v1(&st, &bytes, host, origin_of(&headers))
            .await
            .map(Json)
            .into_response(),
        Err(e) => e.into_response(),
    };
    with_cors(&st, &headers, resp)
}

fn pairs(q: Option<String>) -> Vec<(String, String)> {
    reqwest::Url::parse(&format!("http://result/?{}", q.unwrap_or_default()))
        .map(|u| u.query_pairs().into_owned().collect())
        .unwrap_or_default()
}

/// `GET /browser/v1/return?store=...&to=...`: a V1 redirect-mode window, on its way to
/// `m_redirect_url`.
pub(super) async fn browser_v1_return(State(st): St, RawQuery(q): RawQuery) -> Response {
    match browser::v1_return(&st, &pairs(q)) {
        Ok(location) => pages::render(crate::checkout::Landing::Redirect(location)),
        Err(e) => pages::detail_page(
            StatusCode::BAD_REQUEST,
            "상점으로 돌아갈 수 없습니다",
            "결제 결과를 상점에 전달할 수 없습니다. 상점에서 주문 내역을 확인해 주세요.",
            e.body["message"].as_str(),
            None,
        ),
    }
}

/// `GET /browser/result?origin=...&paymentId=...`: where popup and iframe windows end.
pub(super) async fn browser_result(State(st): St, RawQuery(q): RawQuery) -> Response {
    let query = pairs(q);
    let fields = browser::result_fields(&query);
    let order = browser::result_order(&st, &fields).await;
    pages::browser_result_page(&fields, browser::post_origin(&query).as_deref(), order)
}

/// `frame-ancestors` for the pages a customer sees (the hand-off page, the result pages):
/// the gateway itself and the configured stores' origins, so that no other site can frame a
/// payment window under a disguise (clickjacking). A store that allows every origin (`*`, as
/// the sandbox's does) lets any page frame them.
pub(crate) fn frame_ancestors(st: &crate::state::AppState) -> String {
    let mut sources = vec!["'self'".to_string()];
    for o in st.browser_stores.iter().flat_map(|s| s.origins.iter()) {
        if o == "*" {
            return "frame-ancestors *".into();
        }
        if !sources.contains(o) {
            sources.push(o.clone());
        }
    }
    format!("frame-ancestors {}", sources.join(" "))
}

/// Adds [`frame_ancestors`] to every answer of the customer-facing routes.
pub(super) async fn frame_policy(
    State(st): St,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let mut resp = next.run(req).await;
    // Origins were checked at start (`scheme://host[:port]`), so the value is a valid header.
    if let Ok(v) = HeaderValue::from_str(&frame_ancestors(&st)) {
        resp.headers_mut()
            .insert(header::CONTENT_SECURITY_POLICY, v);
    }
    resp
}
