//! The HTTP API: PortOne V2 paths and shapes, plus the admin endpoints of the design brief.

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::{ConnectInfo, Path, Query, Request, State};
use axum::http::HeaderMap;
use axum::http::{header, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::Extension;
use axum::{Json, Router};
use serde::de::DeserializeOwned;
use serde_json::{json, Value};
use std::net::SocketAddr;

use crate::error::{sanitize_serde_message, ApiError};
use crate::state::AppState;
use crate::{billing_keys, cancel, checkout, groups, payments, schedules, util};

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
    ("get", "/channels"),
    ("post", "/checkout/sessions"),
    ("get", "/checkout/sessions/{sessionId}"),
    ("get", "/checkout/{sessionId}"),
    ("post", "/checkout/return/{sessionId}"),
    ("get", "/openapi.json"),
];

/// The routes a customer's browser (or a PG window) uses, without the API secret: the
/// unguessable session id in the path is their credential.
pub const BROWSER_ROUTES: &[(&str, &str)] = &[
    ("get", "/checkout/{sessionId}"),
    ("post", "/checkout/return/{sessionId}"),
];

/// The gateway's own OpenAPI document.
pub const OPENAPI: &str = include_str!("../openapi.json");

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
        .route("/billing-keys", post(issue_billing_key))
        .route(
            "/billing-keys/{billing_key}",
            get(get_billing_key).delete(delete_billing_key),
        )
        .route("/payment-schedules/{id}", get(get_schedule))
        .route(
            "/payment-schedules",
            axum::routing::delete(revoke_schedules),
        )
        .route("/channel-groups", get(list_groups))
        .route(
            "/channel-groups/{id}",
            put(put_group).get(get_group).delete(delete_group),
        )
        .route("/channels", get(list_channels))
        .route("/checkout/sessions", post(create_checkout))
        .route("/checkout/sessions/{id}", get(get_checkout))
        .route_layer(middleware::from_fn_with_state(state.clone(), auth));
    // The customer's browser: no API secret (the unguessable session id is the credential).
    let browser = Router::new()
        .route("/checkout/{id}", get(checkout_page))
        .route("/checkout/return/{id}", post(checkout_return));
    Router::new()
        .route("/openapi.json", get(openapi))
        .merge(api)
        .merge(browser)
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(middleware::map_response(json_rejections))
        .with_state(state)
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

async fn auth(State(st): St, req: Request, next: Next) -> Response {
    let header = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    let ok = match header.and_then(|h| h.strip_prefix("PortOne ")) {
        Some(secret) => st.api_secret.ct_eq(secret.trim()),
        None => false,
    };
    if !ok {
        let msg = if header.is_none() {
            "the Authorization header is missing: send `Authorization: PortOne <API secret>`"
        } else {
            "the API secret is not valid"
        };
        return ApiError::unauthorized(msg).into_response();
    }
    next.run(req).await
}

async fn not_found() -> ApiError {
    ApiError::not_found("NOT_FOUND", "no such endpoint")
}

async fn method_not_allowed() -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "METHOD_NOT_ALLOWED",
        "this endpoint does not accept that method",
    )
}

async fn openapi() -> Response {
    ([(header::CONTENT_TYPE, "application/json")], OPENAPI).into_response()
}

/// Read a body within the size limit.
async fn body_bytes(st: &AppState, body: Body) -> Result<axum::body::Bytes, ApiError> {
    let limit = st.tuning.body_limit;
    axum::body::to_bytes(body, limit).await.map_err(|_| {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "INVALID_REQUEST",
            format!("the request body is larger than {limit} bytes"),
        )
    })
}

/// Read and parse a JSON body within the size limit. Type and syntax errors are
/// `400 INVALID_REQUEST` naming the field path; the offending value is never echoed.
async fn json_body<T: DeserializeOwned>(st: &AppState, body: Body) -> Result<T, ApiError> {
    let limit = st.tuning.body_limit;
    let bytes = axum::body::to_bytes(body, limit).await.map_err(|_| {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "INVALID_REQUEST",
            format!("the request body is larger than {limit} bytes"),
        )
    })?;
    parse_json(&bytes)
}

/// Parse JSON into `T` with field-path errors.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::invalid("the request body must be a JSON object"));
    }
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value: T = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.inner();
        let msg = sanitize_serde_message(&inner.to_string());
        let (path, msg) = match msg.strip_prefix("missing field `") {
            Some(rest) => {
                let field = rest.trim_end_matches('`');
                let full = if path == "." {
                    field.to_string()
                } else {
                    format!("{path}.{field}")
                };
                (full, "is required".to_string())
            }
            None => (path, msg),
        };
        let msg = if inner.is_syntax() || inner.is_eof() {
            format!("the request body is not valid JSON ({msg})")
        } else if path == "." || path.is_empty() {
            msg
        } else {
            // Custom messages may already start with the field path.
            let dup = format!("{path}: ");
            format!("{path}: {}", msg.strip_prefix(&dup).unwrap_or(&msg))
        };
        ApiError::invalid(msg)
    })?;
    de.end().map_err(|_| {
        ApiError::invalid("the request body has trailing characters after the JSON")
    })?;
    Ok(value)
}

fn store_id(q: &HashMap<String, String>) -> Option<&str> {
    q.get("storeId").map(String::as_str)
}

fn origin(
    peer: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: &HeaderMap,
) -> payments::Origin {
    payments::Origin {
        ip: peer.map(|c| c.0 .0.ip().to_string()).unwrap_or_default(),
        user_agent: headers
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(|s| s.chars().take(256).collect()),
    }
}

async fn instant(
    State(st): St,
    Path(id): Path<String>,
    peer: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult {
    let b = json_body(&st, body).await?;
    payments::pay_instant(&st, &id, b, &origin(peer, &headers))
        .await
        .map(Json)
}

async fn pay_billing_key(
    State(st): St,
    Path(id): Path<String>,
    peer: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult {
    let b = json_body(&st, body).await?;
    payments::pay_with_billing_key(&st, &id, b, None, &origin(peer, &headers))
        .await
        .0
        .map(Json)
}

async fn create_schedule(State(st): St, Path(id): Path<String>, body: Body) -> ApiResult {
    let b = json_body(&st, body).await?;
    schedules::create(&st, &id, b).await.map(Json)
}

async fn cancel_payment(State(st): St, Path(id): Path<String>, body: Body) -> ApiResult {
    let b = json_body(&st, body).await?;
    cancel::cancel(&st, &id, b).await.map(Json)
}

async fn get_payment(
    State(st): St,
    Path(id): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> ApiResult {
    payments::get(&st, &id, store_id(&q)).await.map(Json)
}

async fn issue_billing_key(State(st): St, body: Body) -> ApiResult {
    let b = json_body(&st, body).await?;
    billing_keys::issue(&st, b).await.map(Json)
}

async fn get_billing_key(
    State(st): St,
    Path(key): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> ApiResult {
    billing_keys::get(&st, &key, store_id(&q)).await.map(Json)
}

async fn delete_billing_key(
    State(st): St,
    Path(key): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> ApiResult {
    let skip = match q.get("skipWebhook").map(String::as_str) {
        None => false,
        Some("true") => true,
        Some("false") => false,
        Some(_) => return Err(ApiError::invalid("skipWebhook: must be true or false")),
    };
    billing_keys::delete(&st, &key, store_id(&q), skip)
        .await
        .map(Json)
}

async fn get_schedule(State(st): St, Path(id): Path<String>) -> ApiResult {
    schedules::get(&st, &id).await.map(Json)
}

/// `DELETE /payment-schedules`: the body as JSON, or — as PortOne's SDKs send it — in the
/// `requestBody` query parameter.
async fn revoke_schedules(
    State(st): St,
    Query(q): Query<HashMap<String, String>>,
    body: Body,
) -> ApiResult {
    let limit = st.tuning.body_limit;
    let bytes = axum::body::to_bytes(body, limit).await.map_err(|_| {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "INVALID_REQUEST",
            format!("the request body is larger than {limit} bytes"),
        )
    })?;
    let b = match q.get("requestBody") {
        Some(rb) if bytes.iter().all(u8::is_ascii_whitespace) => parse_json(rb.as_bytes())?,
        _ => parse_json(&bytes)?,
    };
    schedules::revoke(&st, b).await.map(Json)
}

async fn list_groups(State(st): St) -> ApiResult {
    let items: Vec<Value> = groups::list(&st).await?.iter().map(groups::view).collect();
    Ok(Json(json!({"items": items})))
}

async fn get_group(State(st): St, Path(id): Path<String>) -> ApiResult {
    match groups::load(&st, &id).await? {
        Some((s, _)) => Ok(Json(groups::view(&s))),
        None => Err(ApiError::not_found(
            "CHANNEL_GROUP_NOT_FOUND",
            format!("no channel group `{id}`"),
        )),
    }
}

async fn put_group(State(st): St, Path(id): Path<String>, body: Body) -> ApiResult {
    let v: Value = json_body(&st, body).await?;
    let s = groups::put(&st, &id, &v).await?;
    Ok(Json(groups::view(&s)))
}

async fn delete_group(State(st): St, Path(id): Path<String>) -> ApiResult {
    if groups::delete(&st, &id).await? {
        Ok(Json(
            json!({"id": id, "deletedAt": util::rfc3339(util::now())}),
        ))
    } else {
        Err(ApiError::not_found(
            "CHANNEL_GROUP_NOT_FOUND",
            format!("no channel group `{id}`"),
        ))
    }
}

async fn create_checkout(
    State(st): St,
    peer: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult {
    let bytes = body_bytes(&st, body).await?;
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
    checkout::create(&st, &bytes, host, &origin(peer, &headers))
        .await
        .map(Json)
}

async fn get_checkout(State(st): St, Path(id): Path<String>) -> ApiResult {
    checkout::get(&st, &id).await.map(Json)
}

async fn checkout_page(State(st): St, Path(id): Path<String>) -> Response {
    checkout::page::show(&st, &id).await
}

async fn checkout_return(
    State(st): St,
    Path(id): Path<String>,
    peer: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let Ok(bytes) = body_bytes(&st, body).await else {
        return checkout::page::message_page(
            StatusCode::PAYLOAD_TOO_LARGE,
            "결제 결과를 확인할 수 없습니다",
            "The payment window's answer is too large; nothing was charged.",
            None,
        );
    };
    let ct = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok());
    checkout::complete::on_return(&st, &id, ct, &bytes, &origin(peer, &headers)).await
}

/// `GET /sandbox/webhooks[?limit=N]`: the webhooks the sandbox kept instead of sending,
/// newest first, each as sent (`headers`, `body`, and `rawBody` to check the signature over).
async fn sandbox_webhooks(State(st): St, Query(q): Query<HashMap<String, String>>) -> ApiResult {
    let inbox = st
        .inbox
        .as_ref()
        .ok_or_else(|| ApiError::not_found("NOT_FOUND", "no such endpoint"))?;
    let cap = inbox.capacity();
    let mut limit = cap;
    for (k, v) in &q {
        match k.as_str() {
            "limit" => {
                limit = v
                    .parse::<usize>()
                    .ok()
                    .filter(|n| (1..=cap).contains(n))
                    .ok_or_else(|| {
                        ApiError::invalid(format!("limit: must be an integer from 1 to {cap}"))
                    })?;
            }
            // The name is not echoed: it is whatever the client sent.
            _ => {
                return Err(ApiError::invalid(
                    "unknown query parameter: this endpoint accepts only `limit`",
                ))
            }
        }
    }
    let items: Vec<Value> = inbox.newest(limit).iter().map(|s| s.to_json()).collect();
    Ok(Json(json!({"items": items})))
}

async fn list_channels(State(st): St) -> ApiResult {
    let items: Vec<Value> = st.channels.iter().map(|c| c.admin_view()).collect();
    Ok(Json(json!({"items": items})))
}

#[cfg(test)]
mod tests {
    use super::*;
    use paymux_core::model::InstantPaymentInput;

    fn err<T: DeserializeOwned + std::fmt::Debug>(s: &str) -> String {
        parse_json::<T>(s.as_bytes()).unwrap_err().body["message"]
            .as_str()
            .unwrap()
            .to_string()
    }

    #[test]
    fn json_errors_name_the_field_and_hide_the_value() {
        let m = err::<InstantPaymentInput>(
            r#"{"channelKey":"a","orderName":"x","currency":"KRW","amount":{"total":-5},
               "method":{"card":{"credential":{"number":"4111111111111111","expiryYear":"28","expiryMonth":"01"}}}}"#,
        );
        assert!(m.starts_with("amount.total: must not be negative"), "{m}");
        let m = err::<InstantPaymentInput>(
            r#"{"channelKey":"a","orderName":"x","currency":"KRW","amount":{"total":5},
               "method":{"card":{"credential":{"number":4111111111111111,"expiryYear":"28","expiryMonth":"01"}}}}"#,
        );
        assert!(
            m.starts_with("method.card.credential.number: invalid type: integer"),
            "{m}"
        );
        assert!(!m.contains("4111"), "{m}");
        let m = err::<InstantPaymentInput>(r#"{"channelKey":"a"}"#);
        assert!(m.contains("is required"), "{m}");
        let m = err::<InstantPaymentInput>(r#"{"channelKey":"#);
        assert!(m.contains("not valid JSON"), "{m}");
        let m = err::<Value>("{} x");
        assert!(m.contains("trailing"), "{m}");
    }
}
