//! Payments, cancels and schedules.

use std::collections::HashMap;
use std::net::SocketAddr;

use axum::body::Body;
use axum::extract::{ConnectInfo, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::{Extension, Json};

use super::request::{json_body, origin, query_or_body, store_id};
use super::{ApiResult, St};
use crate::error::{parse_body, ApiError};
use crate::{cancel, payment_list, payments, schedule_list, schedules};

pub(super) async fn instant(
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

pub(super) async fn pay_billing_key(
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

pub(super) async fn create_schedule(
    State(st): St,
    Path(id): Path<String>,
    body: Body,
) -> ApiResult {
    let b = json_body(&st, body).await?;
    schedules::create(&st, &id, b).await.map(Json)
}

pub(super) async fn cancel_payment(State(st): St, Path(id): Path<String>, body: Body) -> ApiResult {
    let b = json_body(&st, body).await?;
    cancel::cancel(&st, &id, b).await.map(Json)
}

pub(super) async fn get_payment(
    State(st): St,
    Path(id): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> ApiResult {
    payments::get(&st, &id, store_id(&q)).await.map(Json)
}

pub(super) async fn get_schedule(State(st): St, Path(id): Path<String>) -> ApiResult {
    schedules::get(&st, &id).await.map(Json)
}

/// `DELETE /payment-schedules`: the body as JSON, or — as PortOne's SDKs send it — in the
/// `requestBody` query parameter.
pub(super) async fn revoke_schedules(
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
        Some(rb) if bytes.iter().all(u8::is_ascii_whitespace) => parse_body(rb.as_bytes())?,
        _ => parse_body(&bytes)?,
    };
    schedules::revoke(&st, b).await.map(Json)
}

/// `GET /payments`: PortOne `getPayments` (the body as JSON or in `requestBody`).
pub(super) async fn list_payments(
    State(st): St,
    Query(q): Query<HashMap<String, String>>,
    body: Body,
) -> ApiResult {
    let b = query_or_body(&st, &q, body).await?;
    payment_list::list(&st, b).await.map(Json)
}

/// `GET /payments-by-cursor`: PortOne `getAllPaymentsByCursor`.
pub(super) async fn payments_by_cursor(
    State(st): St,
    Query(q): Query<HashMap<String, String>>,
    body: Body,
) -> ApiResult {
    let b = query_or_body(&st, &q, body).await?;
    payment_list::by_cursor(&st, b).await.map(Json)
}

/// `GET /payments/{paymentId}/transactions`: PortOne `getPaymentTransactions`.
pub(super) async fn payment_transactions(
    State(st): St,
    Path(id): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> ApiResult {
    payments::transactions(&st, &id, store_id(&q))
        .await
        .map(Json)
}

/// `GET /payment-schedules`: PortOne `getPaymentSchedules` (the body as JSON or in
/// `requestBody`).
pub(super) async fn list_schedules(
    State(st): St,
    Query(q): Query<HashMap<String, String>>,
    body: Body,
) -> ApiResult {
    let b = query_or_body(&st, &q, body).await?;
    schedule_list::list(&st, b).await.map(Json)
}

/// `POST /payments/{paymentId}/pre-register`: PortOne `preRegisterPayment`.
pub(super) async fn pre_register(State(st): St, Path(id): Path<String>, body: Body) -> ApiResult {
    let b = super::request::body_bytes(&st, body).await?;
    let b = if b.iter().all(u8::is_ascii_whitespace) {
        payments::PreRegisterPaymentBody::default()
    } else {
        parse_body(&b)?
    };
    payments::pre_register(&st, &id, b).await.map(Json)
}
