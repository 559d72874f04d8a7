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

#[utoipa::path(
    get,
    path = "/v2/browser-sdk.js",
    operation_id = "browser_sdk_js",
    tag = "Browser SDK",
    summary = "PortOne V2 browser SDK (window.PortOne)",
    description = "Defines window.PortOne with requestPayment, requestIssueBillingKey and requestIssueBillingKeyAndPay, taking PortOne's browser-SDK parameters. Popup/iframe mode resolves a Promise of {paymentId, txId, transactionType, code?, message?, pgCode?, pgMessage?}; redirect mode (a phone, or windowType REDIRECTION) returns to redirectUrl with those fields as query parameters. No API secret: storeId names a store configured under [browser].",
    security(()),
    responses(
        (status = 200, description = "The script", body = ref("#/components/schemas/JavaScript"), content_type = "text/javascript"),
    ),
)]
pub(super) async fn browser_sdk_js() -> Response {
    script(BROWSER_SDK_JS)
}

#[utoipa::path(
    get,
    path = "/v1/iamport.js",
    operation_id = "iamport_js",
    tag = "Browser SDK",
    summary = "PortOne V1 browser SDK (window.IMP)",
    description = "Defines IMP.init(storeId) and IMP.request_pay(params, callback): V1 parameters mapped to the unified checkout request on the server; the callback gets V1's rsp {success, imp_uid, merchant_uid, error_code?, error_msg?}.",
    security(()),
    responses(
        (status = 200, description = "The script", body = ref("#/components/schemas/JavaScript"), content_type = "text/javascript"),
    ),
)]
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

#[utoipa::path(
    post,
    path = "/browser/checkout",
    operation_id = "browser_checkout",
    tag = "Browser SDK",
    summary = "Open a payment window from a browser (V2 SDK)",
    description = "Called by /v2/browser-sdk.js from the merchant's page, without the API secret: PortOne's browser-SDK parameters plus kind (PAYMENT, ISSUE_BILLING_KEY, ISSUE_BILLING_KEY_AND_PAY) and windowMode (POPUP, IFRAME, REDIRECTION). storeId must be a store configured under [browser] (403 STORE_NOT_FOUND otherwise), the page's Origin one of its origins, the channel one of its channels and the channel group of its environment (403 FORBIDDEN). CORS answers the configured origins (OPTIONS preflight). Otherwise exactly POST /checkout/sessions.",
    security(()),
    request_body(content = ref("#/components/schemas/BrowserCheckoutRequest"), content_type = "application/json"),
    responses(
        (status = 200, description = "The session: {checkoutUrl, paymentId?, txId?, billingKey?, transactionType, expiresAt}", body = ref("#/components/schemas/BrowserCheckoutAnswer"), content_type = "application/json"),
        (status = 400, description = "PortOne error body; messages name the field", body = ref("#/components/schemas/Error"), content_type = "application/json"),
        (status = 403, description = "PortOne error body; messages name the field", body = ref("#/components/schemas/Error"), content_type = "application/json"),
        (status = 404, description = "PortOne error body; messages name the field", body = ref("#/components/schemas/Error"), content_type = "application/json"),
        (status = 409, description = "PortOne error body; messages name the field", body = ref("#/components/schemas/Error"), content_type = "application/json"),
    ),
)]
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

#[utoipa::path(
    post,
    path = "/browser/v1/checkout",
    operation_id = "browser_checkout_v1",
    tag = "Browser SDK",
    summary = "Open a payment window from a browser (V1 IMP.request_pay)",
    description = "Called by /v1/iamport.js: {storeId, windowMode, params} where params are IMP.request_pay's V1 parameters, mapped to the unified checkout request (errors name the V1 parameter). The same store, origin and channel checks as POST /browser/checkout.",
    security(()),
    request_body(content = ref("#/components/schemas/BrowserCheckoutRequestV1"), content_type = "application/json"),
    responses(
        (status = 200, description = "The session: {checkoutUrl, paymentId?, txId?, billingKey?, transactionType, expiresAt}", body = ref("#/components/schemas/BrowserCheckoutAnswer"), content_type = "application/json"),
        (status = 400, description = "PortOne error body; messages name the field", body = ref("#/components/schemas/Error"), content_type = "application/json"),
        (status = 403, description = "PortOne error body; messages name the field", body = ref("#/components/schemas/Error"), content_type = "application/json"),
        (status = 404, description = "PortOne error body; messages name the field", body = ref("#/components/schemas/Error"), content_type = "application/json"),
        (status = 409, description = "PortOne error body; messages name the field", body = ref("#/components/schemas/Error"), content_type = "application/json"),
    ),
)]
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
#[utoipa::path(
    get,
    path = "/browser/v1/return",
    operation_id = "browser_v1_return",
    tag = "Browser SDK",
    summary = "V1 redirect-mode return (to m_redirect_url)",
    description = "Where a V1 (IMP.request_pay) window in redirect mode lands with PortOne's result fields: redirects to `to` (the page's m_redirect_url, which must be on one of the store's origins) with V1's imp_uid, merchant_uid, imp_success, error_code, error_msg.",
    security(()),
    params(
        ("store" = String, Query, description = "The storeId."),
        ("to" = String, Query, description = "m_redirect_url."),
        ("merchant_uid" = Option<String>, Query, description = "V1's merchant_uid."),
    ),
    responses(
        (status = 302, description = "To m_redirect_url with V1's fields"),
        (status = 400, description = "Unknown store, or a destination not on the store's origins", body = ref("#/components/schemas/HtmlPage"), content_type = "text/html"),
    ),
)]
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
#[utoipa::path(
    get,
    path = "/browser/result",
    operation_id = "browser_result",
    tag = "Browser SDK",
    summary = "Result page of popup and iframe windows",
    description = "Where a browser-SDK session's window ends in popup or iframe mode: shows the result in Korean and posts PortOne's result fields (paymentId, billingKey, txId, transactionType, code, message, pgCode, pgMessage) to the opener or parent, for the page origin given in `origin` only.",
    security(()),
    params(
        ("origin" = Option<String>, Query, description = "The merchant page's origin (set by the gateway when the session was created)."),
    ),
    responses(
        (status = 200, description = "The result page", body = ref("#/components/schemas/HtmlPage"), content_type = "text/html"),
    ),
)]
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
