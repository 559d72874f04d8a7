//! The HTTP layer: axum handlers for PortOne V2's paths and shapes, the admin endpoints, and
//! the browser's checkout routes. A handler parses the request, calls one operation, and
//! answers with its view; nothing else happens here.
//!
//! - `payments`: payments, cancels, schedules.
//! - `billing_keys`: issue, get, delete.
//! - `cash_receipts`: issue, list, get, cancel.
//! - `checkout`: hosted checkout sessions and the browser's pages.
//! - `admin`: channel groups, channels, the sandbox's webhook inbox.
//! - `auth`: the credential check (`PortOne <secret>` or `Bearer <accessToken>`), PortOne's
//!   token endpoints and `GET /banks`.
//! - [`openapi`]: the OpenAPI document, generated from the handlers' `#[utoipa::path]`.
//! - [`pages`]: the HTML the customer's browser sees (Korean).

mod admin;
mod auth;
mod billing_keys;
mod browser;
mod cash_receipts;
mod checkout;
mod notices;
pub mod openapi;
pub mod pages;
mod payment_ops;
mod payments;
mod request;
mod result_page;

use std::sync::Arc;

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::middleware;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use serde_json::Value;

use crate::error::ApiError;
use crate::state::AppState;
use admin::*;
use auth::*;
use billing_keys::*;
use browser::*;
use cash_receipts::*;
use checkout::*;
use notices::*;
use payment_ops::*;
use payments::*;

/// Every route: `(method, path)` as the OpenAPI document spells it. A test keeps
/// `openapi.json` in sync with this list, and this list with the router.
pub const ROUTES: &[(&str, &str)] = &[
    ("post", "/payments/{paymentId}/instant"),
    ("post", "/payments/{paymentId}/billing-key"),
    ("post", "/payments/{paymentId}/schedule"),
    ("post", "/payments/{paymentId}/cancel"),
    ("get", "/payments/{paymentId}"),
    ("post", "/billing-keys"),
    ("get", "/billing-keys/{billingKey}"),
    ("delete", "/billing-keys/{billingKey}"),
    ("get", "/payment-schedules/{paymentScheduleId}"),
    ("delete", "/payment-schedules"),
    ("get", "/channel-groups"),
    ("get", "/channel-groups/{channelGroupId}"),
    ("put", "/channel-groups/{channelGroupId}"),
    ("delete", "/channel-groups/{channelGroupId}"),
    ("post", "/channel-groups/{channelGroupId}/explain"),
    ("get", "/channels"),
    ("post", "/checkout/sessions"),
    ("get", "/checkout/sessions/{sessionId}"),
    ("get", "/checkout/{sessionId}"),
    ("post", "/checkout/return/{sessionId}"),
    ("get", "/openapi.json"),
    ("get", "/v2/browser-sdk.js"),
    ("get", "/v1/iamport.js"),
    ("post", "/browser/checkout"),
    ("post", "/browser/v1/checkout"),
    ("get", "/browser/result"),
    ("get", "/browser/v1/return"),
    // Lists (issue #20).
    ("get", "/payments"),
    ("get", "/payments-by-cursor"),
    ("get", "/payments/{paymentId}/transactions"),
    ("get", "/payment-schedules"),
    ("get", "/billing-keys"),
    ("post", "/payments/{paymentId}/pre-register"),
    // PG notices and webhook history (issue #20).
    ("post", "/pg-notices/{channelKey}"),
    ("get", "/pg-notices"),
    ("post", "/payments/{paymentId}/resend-webhook"),
    // Tokens (issue #20).
    ("post", "/login/api-secret"),
    ("post", "/token/refresh"),
    ("get", "/banks"),
    // Observability (issue #25).
    ("get", "/channel-groups/{channelGroupId}/stats"),
    ("get", "/metrics"),
    // Virtual accounts, escrow, receipts, lookups (issue #20).
    ("post", "/payments/{paymentId}/virtual-account/close"),
    ("post", "/payments/{paymentId}/escrow/logistics"),
    ("patch", "/payments/{paymentId}/escrow/logistics"),
    ("post", "/payments/{paymentId}/escrow/complete"),
    ("post", "/payments/{paymentId}/register-store-receipt"),
    ("get", "/promotions/{promotionId}"),
    ("get", "/kakaopay/payment/order"),
    // Cash receipts (issue #20).
    ("post", "/cash-receipts"),
    ("get", "/cash-receipts"),
    ("get", "/payments/{paymentId}/cash-receipt"),
    ("post", "/payments/{paymentId}/cash-receipt/cancel"),
];

/// PortOne's routes that take no `Authorization` header (PortOne's schema gives them no
/// security requirement): the token endpoints, whose body carries the credential, and the
/// bank list.
pub const PUBLIC_ROUTES: &[(&str, &str)] = &[
    ("post", "/login/api-secret"),
    ("post", "/token/refresh"),
    ("get", "/banks"),
];

/// The routes a customer's browser, a PG window or a PG itself uses, without the API
/// secret: the unguessable session id in the path is the browser's credential; a PG's notice
/// carries the vendor's own authentication, which its adapter checks.
pub const BROWSER_ROUTES: &[(&str, &str)] = &[
    ("get", "/checkout/{sessionId}"),
    ("post", "/checkout/return/{sessionId}"),
    ("post", "/pg-notices/{channelKey}"),
];

/// The browser SDKs' routes: no API secret; the session endpoints answer only the configured
/// stores' origins (`[browser]`).
pub const BROWSER_SDK_ROUTES: &[(&str, &str)] = &[
    ("get", "/v2/browser-sdk.js"),
    ("get", "/v1/iamport.js"),
    ("post", "/browser/checkout"),
    ("post", "/browser/v1/checkout"),
    ("get", "/browser/result"),
    ("get", "/browser/v1/return"),
];

/// The gateway's own OpenAPI document as committed (`openapi.json`; the same as
/// [`openapi::document_text`], which `GET /openapi.json` serves — a test keeps them equal).
pub const OPENAPI: &str = include_str!("../../openapi.json");

type St = State<Arc<AppState>>;
type ApiResult = Result<Json<Value>, ApiError>;

/// Build the router.
pub fn router(state: Arc<AppState>) -> Router {
    let mut api = Router::new();
    // Sandbox only (not in ROUTES/openapi.json): elsewhere it is the 404 fallback.
    if state.inbox.is_some() {
        api = api.route("/sandbox/webhooks", get(sandbox_webhooks));
    }
    let api = api
        .route("/payments/{payment_id}/instant", post(instant))
        .route("/payments/{payment_id}/billing-key", post(pay_billing_key))
        .route("/payments/{payment_id}/schedule", post(create_schedule))
        .route("/payments/{payment_id}/cancel", post(cancel_payment))
        .route("/payments/{payment_id}", get(get_payment))
        .route(
            "/billing-keys",
            post(issue_billing_key).get(list_billing_keys),
        )
        .route(
            "/billing-keys/{billing_key}",
            get(get_billing_key).delete(delete_billing_key),
        )
        .route("/payment-schedules/{id}", get(get_schedule))
        .route(
            "/payment-schedules",
            axum::routing::delete(revoke_schedules).get(list_schedules),
        )
        .route("/channel-groups", get(list_groups))
        .route(
            "/channel-groups/{id}",
            put(put_group).get(get_group).delete(delete_group),
        )
        .route("/channel-groups/{id}/explain", post(explain_group))
        .route("/channels", get(list_channels))
        .route("/checkout/sessions", post(create_checkout))
        .route("/checkout/sessions/{id}", get(get_checkout))
        // Lists (issue #20).
        .route("/payments", get(list_payments))
        .route("/payments-by-cursor", get(payments_by_cursor))
        .route(
            "/payments/{payment_id}/transactions",
            get(payment_transactions),
        )
        .route("/payments/{payment_id}/pre-register", post(pre_register))
        .route(
            "/payments/{payment_id}/resend-webhook",
            post(resend_webhook),
        )
        .route("/pg-notices", get(list_pg_notices))
        // Sandbox deposits (not in ROUTES/openapi.json: a payment on a channel without a
        // sandbox simulator is refused with 400).
        .route(
            "/sandbox/virtual-accounts/{payment_id}/deposit",
            post(sandbox_deposit),
        )
        .route("/channel-groups/{id}/stats", get(group_stats))
        .route("/metrics", get(metrics))
        // Virtual accounts, escrow, receipts, lookups (issue #20).
        .route(
            "/payments/{payment_id}/virtual-account/close",
            post(close_virtual_account),
        )
        .route(
            "/payments/{payment_id}/escrow/logistics",
            post(apply_escrow_logistics).patch(modify_escrow_logistics),
        )
        .route(
            "/payments/{payment_id}/escrow/complete",
            post(confirm_escrow),
        )
        .route(
            "/payments/{payment_id}/register-store-receipt",
            post(register_store_receipt),
        )
        .route("/promotions/{promotion_id}", get(get_promotion))
        .route("/kakaopay/payment/order", get(get_kakaopay_payment_order))
        // Cash receipts (issue #20).
        .route(
            "/cash-receipts",
            post(issue_cash_receipt).get(list_cash_receipts),
        )
        .route("/payments/{payment_id}/cash-receipt", get(get_cash_receipt))
        .route(
            "/payments/{payment_id}/cash-receipt/cancel",
            post(cancel_cash_receipt),
        )
        .route_layer(middleware::from_fn_with_state(state.clone(), require_auth));
    // The customer's browser: no API secret (the unguessable session id is the credential).
    let browser = Router::new()
        .route("/checkout/{id}", get(checkout_page))
        .route("/checkout/return/{id}", post(checkout_return))
        .route("/pg-notices/{channel_key}", post(pg_notice))
        .route("/v2/browser-sdk.js", get(browser_sdk_js))
        .route("/v1/iamport.js", get(iamport_js))
        .route(
            "/browser/checkout",
            post(browser_checkout).options(browser_preflight),
        )
        .route(
            "/browser/v1/checkout",
            post(browser_checkout_v1).options(browser_preflight),
        )
        .route("/browser/result", get(browser_result))
        .route("/browser/v1/return", get(browser_v1_return))
        .route_layer(middleware::from_fn_with_state(
            state.clone(),
            browser::frame_policy,
        ));
    Router::new()
        .route("/openapi.json", get(openapi))
        // PortOne's token endpoints: the body carries the credential.
        .route("/login/api-secret", post(login_via_api_secret))
        .route("/token/refresh", post(refresh_token))
        .route("/banks", get(bank_infos))
        .merge(api)
        .merge(browser)
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(middleware::map_response(json_rejections))
        .layer(middleware::from_fn_with_state(state.clone(), count_request))
        .with_state(state)
}

/// `paymux_http_requests_total` and `paymux_http_request_duration_seconds`, by the route's
/// template (never the concrete path: ids would make every payment a series).
async fn count_request(
    State(st): St,
    req: axum::extract::Request,
    next: middleware::Next,
) -> Response {
    let route = req
        .extensions()
        .get::<axum::extract::MatchedPath>()
        .map_or_else(|| "unmatched".to_string(), |p| p.as_str().to_string());
    let method = req.method().clone();
    let start = std::time::Instant::now();
    let resp = next.run(req).await;
    st.metrics
        .http_requests
        .with_label_values(&[route.as_str(), method.as_str(), resp.status().as_str()])
        .inc();
    st.metrics
        .http_duration
        .with_label_values(&[route.as_str(), method.as_str()])
        .observe(start.elapsed().as_secs_f64());
    resp
}

/// axum's own extractor rejections (a path segment or query that is not valid UTF-8, say) are
/// `text/plain`; answer them as PortOne errors like everything else (docs/RELIABILITY.md).
///
/// A `413` also says `Connection: close`: the rest of the oversized body is not read, so the
/// connection cannot carry another request, and a client that pooled it would see its next
/// request fail without an answer.
async fn json_rejections(mut resp: Response) -> Response {
    if resp.status() == StatusCode::PAYLOAD_TOO_LARGE {
        resp.headers_mut().insert(
            header::CONNECTION,
            header::HeaderValue::from_static("close"),
        );
    }
    let plain = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("text/plain"));
    if plain && resp.status().is_client_error() {
        let status = resp.status();
        return ApiError::new(
            status,
            "INVALID_REQUEST",
            "the request path or query is not valid (percent-encoded bytes must be UTF-8)",
        )
        .into_response();
    }
    resp
}

// Unknown paths and methods: PortOne's error shape with a type PortOne defines
// (`INVALID_REQUEST`, so SDKs raise their InvalidRequestError), the HTTP status saying which.
async fn not_found(method: axum::http::Method, uri: axum::http::Uri) -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "INVALID_REQUEST",
        format!(
            "no such endpoint: {method} {} (docs/API.md lists the operations)",
            shown_path(&uri)
        ),
    )
}

async fn method_not_allowed(method: axum::http::Method, uri: axum::http::Uri) -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "INVALID_REQUEST",
        format!(
            "{} does not accept {method} (docs/API.md lists the operations)",
            shown_path(&uri)
        ),
    )
}

/// The request path for an error message: at most 200 characters, the query left out (it may
/// carry a body).
fn shown_path(uri: &axum::http::Uri) -> String {
    uri.path().chars().take(200).collect()
}

#[utoipa::path(
    get,
    path = "/openapi.json",
    operation_id = "openapi",
    tag = "Meta",
    summary = "This document",
    security(()),
    responses(
        (status = 200, description = "OpenAPI 3.0 document", body = ref("#/components/schemas/OpenApiDocument"), content_type = "application/json"),
    ),
)]
async fn openapi() -> Response {
    (
        [(header::CONTENT_TYPE, "application/json")],
        openapi::document_text(),
    )
        .into_response()
}
