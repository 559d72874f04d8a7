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

#[utoipa::path(
    post,
    path = "/payments/{paymentId}/instant",
    operation_id = "payInstantly",
    tag = "PortOne V2",
    summary = "Pay instantly (keyed-in card or virtual account)",
    description = "PortOne payInstantly. The payment row is written before the PG is called: a duplicate paymentId reaches the PG once. A FAILED payment may be retried with the same paymentId.",
    security(("portOne" = [])),
    params(
        ("paymentId" = String, Path, description = "The merchant's payment id (unique)."),
    ),
    request_body(content = ref("#/components/schemas/InstantPaymentInput"), content_type = "application/json"),
    responses(
        (status = 200, description = "OK", body = ref("#/components/schemas/PaymentSummaryResponse"), content_type = "application/json"),
        (status = 400, description = "INVALID_REQUEST", body = ref("#/components/schemas/Error"), content_type = "application/json"),
        (status = 404, description = "CHANNEL_NOT_FOUND", body = ref("#/components/schemas/Error"), content_type = "application/json"),
        (status = 409, description = "ALREADY_PAID | ALREADY_PAID_OR_WAITING | PAYMENT_SCHEDULE_ALREADY_EXISTS | SUM_OF_PARTS_EXCEEDS_TOTAL_AMOUNT", body = ref("#/components/schemas/Error"), content_type = "application/json"),
        (status = 502, description = "PG_PROVIDER", body = ref("#/components/schemas/Error"), content_type = "application/json"),
        (status = 504, description = "PAYMENT_OUTCOME_UNKNOWN | PAYMENT_PENDING", body = ref("#/components/schemas/Error"), content_type = "application/json"),
        (status = 401, description = "UNAUTHORIZED", body = ref("#/components/schemas/Error"), content_type = "application/json"),
        (status = 413, description = "INVALID_REQUEST (body too large)", body = ref("#/components/schemas/Error"), content_type = "application/json"),
        (status = 500, description = "INTERNAL_SERVER_ERROR (storage unavailable)", body = ref("#/components/schemas/Error"), content_type = "application/json"),
    ),
)]
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

#[utoipa::path(
    post,
    path = "/payments/{paymentId}/billing-key",
    operation_id = "payWithBillingKey",
    tag = "PortOne V2",
    summary = "Pay with a billing key",
    description = "PortOne payWithBillingKey. With a super billing key the channel is chosen by the group's current weights among the channels holding a key; channelKey forces one.",
    security(("portOne" = [])),
    params(
        ("paymentId" = String, Path, description = "The merchant's payment id (unique)."),
    ),
    request_body(content = ref("#/components/schemas/BillingKeyPaymentInput"), content_type = "application/json"),
    responses(
        (status = 200, description = "OK", body = ref("#/components/schemas/PaymentSummaryResponse"), content_type = "application/json"),
        (status = 400, description = "INVALID_REQUEST", body = ref("#/components/schemas/Error"), content_type = "application/json"),
        (status = 404, description = "BILLING_KEY_NOT_FOUND | CHANNEL_NOT_FOUND", body = ref("#/components/schemas/Error"), content_type = "application/json"),
        (status = 409, description = "ALREADY_PAID | ALREADY_PAID_OR_WAITING | BILLING_KEY_ALREADY_DELETED | PAYMENT_SCHEDULE_ALREADY_EXISTS | SUM_OF_PARTS_EXCEEDS_TOTAL_AMOUNT", body = ref("#/components/schemas/Error"), content_type = "application/json"),
        (status = 502, description = "PG_PROVIDER", body = ref("#/components/schemas/Error"), content_type = "application/json"),
        (status = 504, description = "PAYMENT_OUTCOME_UNKNOWN | PAYMENT_PENDING", body = ref("#/components/schemas/Error"), content_type = "application/json"),
        (status = 401, description = "UNAUTHORIZED", body = ref("#/components/schemas/Error"), content_type = "application/json"),
        (status = 413, description = "INVALID_REQUEST (body too large)", body = ref("#/components/schemas/Error"), content_type = "application/json"),
        (status = 500, description = "INTERNAL_SERVER_ERROR (storage unavailable)", body = ref("#/components/schemas/Error"), content_type = "application/json"),
    ),
)]
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

#[utoipa::path(
    post,
    path = "/payments/{paymentId}/schedule",
    operation_id = "createPaymentSchedule",
    tag = "PortOne V2",
    summary = "Schedule a billing-key payment",
    description = "PortOne createPaymentSchedule. A worker runs it at timeToPay (once, even with several gateway instances).",
    security(("portOne" = [])),
    params(
        ("paymentId" = String, Path, description = "The merchant's payment id (unique)."),
    ),
    request_body(content = ref("#/components/schemas/CreatePaymentScheduleBody"), content_type = "application/json"),
    responses(
        (status = 200, description = "OK", body = ref("#/components/schemas/CreatePaymentScheduleResponse"), content_type = "application/json"),
        (status = 400, description = "INVALID_REQUEST", body = ref("#/components/schemas/Error"), content_type = "application/json"),
        (status = 404, description = "BILLING_KEY_NOT_FOUND", body = ref("#/components/schemas/Error"), content_type = "application/json"),
        (status = 409, description = "ALREADY_PAID_OR_WAITING | BILLING_KEY_ALREADY_DELETED | PAYMENT_SCHEDULE_ALREADY_EXISTS | SUM_OF_PARTS_EXCEEDS_TOTAL_AMOUNT", body = ref("#/components/schemas/Error"), content_type = "application/json"),
        (status = 401, description = "UNAUTHORIZED", body = ref("#/components/schemas/Error"), content_type = "application/json"),
        (status = 413, description = "INVALID_REQUEST (body too large)", body = ref("#/components/schemas/Error"), content_type = "application/json"),
        (status = 500, description = "INTERNAL_SERVER_ERROR (storage unavailable)", body = ref("#/components/schemas/Error"), content_type = "application/json"),
    ),
)]
pub(super) async fn create_schedule(
    State(st): St,
    Path(id): Path<String>,
    body: Body,
) -> ApiResult {
    let b = json_body(&st, body).await?;
    schedules::create(&st, &id, b).await.map(Json)
}

#[utoipa::path(
    post,
    path = "/payments/{paymentId}/cancel",
    operation_id = "cancelPayment",
    tag = "PortOne V2",
    summary = "Cancel a payment (full or partial)",
    description = "PortOne cancelPayment. One cancel at a time per payment. An unknown PG answer gives status REQUESTED, resolved later by inquiry.",
    security(("portOne" = [])),
    params(
        ("paymentId" = String, Path, description = "The merchant's payment id (unique)."),
    ),
    request_body(content = ref("#/components/schemas/CancelPaymentBody"), content_type = "application/json"),
    responses(
        (status = 200, description = "OK", body = ref("#/components/schemas/CancelPaymentResponse"), content_type = "application/json"),
        (status = 400, description = "INVALID_REQUEST", body = ref("#/components/schemas/Error"), content_type = "application/json"),
        (status = 404, description = "PAYMENT_NOT_FOUND", body = ref("#/components/schemas/Error"), content_type = "application/json"),
        (status = 409, description = "PAYMENT_NOT_PAID | PAYMENT_ALREADY_CANCELLED | CANCEL_AMOUNT_EXCEEDS_CANCELLABLE_AMOUNT | CANCELLABLE_AMOUNT_CONSISTENCY_BROKEN | CANCEL_TAX_FREE_AMOUNT_EXCEEDS_CANCELLABLE_TAX_FREE_AMOUNT | CANCEL_TAX_AMOUNT_EXCEEDS_CANCELLABLE_TAX_AMOUNT | SUM_OF_PARTS_EXCEEDS_CANCEL_AMOUNT", body = ref("#/components/schemas/Error"), content_type = "application/json"),
        (status = 502, description = "PG_PROVIDER", body = ref("#/components/schemas/Error"), content_type = "application/json"),
        (status = 401, description = "UNAUTHORIZED", body = ref("#/components/schemas/Error"), content_type = "application/json"),
        (status = 413, description = "INVALID_REQUEST (body too large)", body = ref("#/components/schemas/Error"), content_type = "application/json"),
        (status = 500, description = "INTERNAL_SERVER_ERROR (storage unavailable)", body = ref("#/components/schemas/Error"), content_type = "application/json"),
    ),
)]
pub(super) async fn cancel_payment(State(st): St, Path(id): Path<String>, body: Body) -> ApiResult {
    let b = json_body(&st, body).await?;
    cancel::cancel(&st, &id, b).await.map(Json)
}

#[utoipa::path(
    get,
    path = "/payments/{paymentId}",
    operation_id = "getPayment",
    tag = "PortOne V2",
    summary = "Get a payment",
    description = "PortOne getPayment: the status-discriminated Payment.",
    security(("portOne" = [])),
    params(
        ("paymentId" = String, Path, description = "The merchant's payment id (unique)."),
        ("storeId" = Option<String>, Query, description = "Must match the payment's store when given."),
    ),
    responses(
        (status = 200, description = "OK", body = ref("#/components/schemas/Payment"), content_type = "application/json"),
        (status = 404, description = "PAYMENT_NOT_FOUND", body = ref("#/components/schemas/Error"), content_type = "application/json"),
        (status = 401, description = "UNAUTHORIZED", body = ref("#/components/schemas/Error"), content_type = "application/json"),
        (status = 413, description = "INVALID_REQUEST (body too large)", body = ref("#/components/schemas/Error"), content_type = "application/json"),
        (status = 500, description = "INTERNAL_SERVER_ERROR (storage unavailable)", body = ref("#/components/schemas/Error"), content_type = "application/json"),
    ),
)]
pub(super) async fn get_payment(
    State(st): St,
    Path(id): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> ApiResult {
    payments::get(&st, &id, store_id(&q)).await.map(Json)
}

#[utoipa::path(
    get,
    path = "/payment-schedules/{paymentScheduleId}",
    operation_id = "getPaymentSchedule",
    tag = "PortOne V2",
    summary = "Get a payment schedule",
    description = "PortOne getPaymentSchedule.",
    security(("portOne" = [])),
    params(
        ("paymentScheduleId" = String, Path, description = "Schedule id."),
        ("storeId" = Option<String>, Query, description = "Must match the schedule's store when given."),
    ),
    responses(
        (status = 200, description = "OK", body = ref("#/components/schemas/PaymentSchedule"), content_type = "application/json"),
        (status = 404, description = "PAYMENT_SCHEDULE_NOT_FOUND", body = ref("#/components/schemas/Error"), content_type = "application/json"),
        (status = 401, description = "UNAUTHORIZED", body = ref("#/components/schemas/Error"), content_type = "application/json"),
        (status = 413, description = "INVALID_REQUEST (body too large)", body = ref("#/components/schemas/Error"), content_type = "application/json"),
        (status = 500, description = "INTERNAL_SERVER_ERROR (storage unavailable)", body = ref("#/components/schemas/Error"), content_type = "application/json"),
    ),
)]
pub(super) async fn get_schedule(
    State(st): St,
    Path(id): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> ApiResult {
    schedules::get(&st, &id, store_id(&q)).await.map(Json)
}

/// `DELETE /payment-schedules`: the body as JSON, or — as PortOne's SDKs send it — in the
/// `requestBody` query parameter.
#[utoipa::path(
    delete,
    path = "/payment-schedules",
    operation_id = "revokePaymentSchedules",
    tag = "PortOne V2",
    summary = "Revoke payment schedules",
    description = "PortOne revokePaymentSchedules: by ids and/or billing key, all or nothing. The body may also come as the `requestBody` query parameter (JSON), as PortOne's SDKs send it.",
    security(("portOne" = [])),
    params(
        ("requestBody" = Option<String>, Query, description = "The body as JSON (alternative to a request body)."),
    ),
    request_body(content = ref("#/components/schemas/RevokePaymentSchedulesBody"), content_type = "application/json"),
    responses(
        (status = 200, description = "OK", body = ref("#/components/schemas/RevokePaymentSchedulesResponse"), content_type = "application/json"),
        (status = 400, description = "INVALID_REQUEST", body = ref("#/components/schemas/Error"), content_type = "application/json"),
        (status = 404, description = "PAYMENT_SCHEDULE_NOT_FOUND | BILLING_KEY_NOT_FOUND", body = ref("#/components/schemas/Error"), content_type = "application/json"),
        (status = 409, description = "PAYMENT_SCHEDULE_ALREADY_PROCESSED | PAYMENT_SCHEDULE_ALREADY_REVOKED", body = ref("#/components/schemas/Error"), content_type = "application/json"),
        (status = 401, description = "UNAUTHORIZED", body = ref("#/components/schemas/Error"), content_type = "application/json"),
        (status = 413, description = "INVALID_REQUEST (body too large)", body = ref("#/components/schemas/Error"), content_type = "application/json"),
        (status = 500, description = "INTERNAL_SERVER_ERROR (storage unavailable)", body = ref("#/components/schemas/Error"), content_type = "application/json"),
    ),
)]
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
#[utoipa::path(
    get,
    path = "/payments",
    operation_id = "getPayments",
    tag = "PortOne V2",
    summary = "List payments (page based)",
    description = "PortOne getPayments: payments matching the filter, sorted (default: requestedAt, newest first), one page at a time (page.number from 0, page.size 1 to 1000, default 10); page.totalCount counts every match. The body may also come as the `requestBody` query parameter (JSON), as PortOne's SDKs send it.",
    security(("portOne" = [])),
    params(
        ("requestBody" = Option<String>, Query, description = "The body as JSON (alternative to a request body), as PortOne's SDKs send it."),
    ),
    request_body(content = ref("#/components/schemas/GetPaymentsBody"), content_type = "application/json"),
    responses(
        (status = 200, description = "OK", body = ref("#/components/schemas/GetPaymentsResponse"), content_type = "application/json"),
        (status = 400, description = "INVALID_REQUEST (a filter, page or cursor that is not valid, or a filter paymux keeps no data for; the message names the field)", body = ref("#/components/schemas/Error"), content_type = "application/json"),
        (status = 401, description = "UNAUTHORIZED", body = ref("#/components/schemas/Error"), content_type = "application/json"),
        (status = 413, description = "INVALID_REQUEST (body too large)", body = ref("#/components/schemas/Error"), content_type = "application/json"),
        (status = 500, description = "INTERNAL_SERVER_ERROR (storage unavailable)", body = ref("#/components/schemas/Error"), content_type = "application/json"),
    ),
)]
pub(super) async fn list_payments(
    State(st): St,
    Query(q): Query<HashMap<String, String>>,
    body: Body,
) -> ApiResult {
    let b = query_or_body(&st, &q, body).await?;
    payment_list::list(&st, b).await.map(Json)
}

/// `GET /payments-by-cursor`: PortOne `getAllPaymentsByCursor`.
#[utoipa::path(
    get,
    path = "/payments-by-cursor",
    operation_id = "getAllPaymentsByCursor",
    tag = "PortOne V2",
    summary = "List all payments (cursor based)",
    description = "PortOne getAllPaymentsByCursor: every payment created in [from, until), oldest first; pass the last item's `cursor` to continue (size 1 to 1000, default 10). The body may also come as the `requestBody` query parameter (JSON).",
    security(("portOne" = [])),
    params(
        ("requestBody" = Option<String>, Query, description = "The body as JSON (alternative to a request body), as PortOne's SDKs send it."),
    ),
    request_body(content = ref("#/components/schemas/GetAllPaymentsByCursorBody"), content_type = "application/json"),
    responses(
        (status = 200, description = "OK", body = ref("#/components/schemas/GetAllPaymentsByCursorResponse"), content_type = "application/json"),
        (status = 400, description = "INVALID_REQUEST (a filter, page or cursor that is not valid, or a filter paymux keeps no data for; the message names the field)", body = ref("#/components/schemas/Error"), content_type = "application/json"),
        (status = 401, description = "UNAUTHORIZED", body = ref("#/components/schemas/Error"), content_type = "application/json"),
        (status = 413, description = "INVALID_REQUEST (body too large)", body = ref("#/components/schemas/Error"), content_type = "application/json"),
        (status = 500, description = "INTERNAL_SERVER_ERROR (storage unavailable)", body = ref("#/components/schemas/Error"), content_type = "application/json"),
    ),
)]
pub(super) async fn payments_by_cursor(
    State(st): St,
    Query(q): Query<HashMap<String, String>>,
    body: Body,
) -> ApiResult {
    let b = query_or_body(&st, &q, body).await?;
    payment_list::by_cursor(&st, b).await.map(Json)
}

/// `GET /payments/{paymentId}/transactions`: PortOne `getPaymentTransactions`.
#[utoipa::path(
    get,
    path = "/payments/{paymentId}/transactions",
    operation_id = "getPaymentTransactions",
    tag = "PortOne V2",
    summary = "List a payment's attempts",
    description = "PortOne getPaymentTransactions: every attempt of the payment, oldest first: the channels routing failed over from (each with its own transaction id, FAILED with its failure), a FAILED attempt replaced by a later one under the same paymentId, and the current attempt (the payment as GET /payments/{paymentId} shows it). Each is the Payment of that attempt with `id` its transaction id and `paymentId`.",
    security(("portOne" = [])),
    params(
        ("paymentId" = String, Path),
        ("storeId" = Option<String>, Query),
    ),
    responses(
        (status = 200, description = "OK", body = ref("#/components/schemas/GetPaymentTransactionsResponse"), content_type = "application/json"),
        (status = 401, description = "UNAUTHORIZED", body = ref("#/components/schemas/Error"), content_type = "application/json"),
        (status = 404, description = "PAYMENT_NOT_FOUND", body = ref("#/components/schemas/Error"), content_type = "application/json"),
        (status = 500, description = "INTERNAL_SERVER_ERROR (storage unavailable)", body = ref("#/components/schemas/Error"), content_type = "application/json"),
    ),
)]
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
#[utoipa::path(
    get,
    path = "/payment-schedules",
    operation_id = "getPaymentSchedules",
    tag = "PortOne V2",
    summary = "List payment schedules (page based)",
    description = "PortOne getPaymentSchedules: filter by storeId, billingKey, timeToPay range (from inclusive, until exclusive; no range when absent), status, isForTest (the billing key's channels); sort by TIME_TO_PAY (default), CREATED_AT or COMPLETED_AT, DESC by default; page.number from 0, page.size 1 to 1000 (default 10); page.totalCount counts every match. The body may also come as the `requestBody` query parameter (JSON).",
    security(("portOne" = [])),
    params(
        ("requestBody" = Option<String>, Query, description = "The body as JSON (alternative to a request body), as PortOne's SDKs send it."),
    ),
    request_body(content = ref("#/components/schemas/GetPaymentSchedulesBody"), content_type = "application/json"),
    responses(
        (status = 200, description = "OK", body = ref("#/components/schemas/GetPaymentSchedulesResponse"), content_type = "application/json"),
        (status = 400, description = "INVALID_REQUEST (the message names the field)", body = ref("#/components/schemas/Error"), content_type = "application/json"),
        (status = 401, description = "UNAUTHORIZED", body = ref("#/components/schemas/Error"), content_type = "application/json"),
        (status = 413, description = "INVALID_REQUEST (body too large)", body = ref("#/components/schemas/Error"), content_type = "application/json"),
        (status = 500, description = "INTERNAL_SERVER_ERROR (storage unavailable)", body = ref("#/components/schemas/Error"), content_type = "application/json"),
    ),
)]
pub(super) async fn list_schedules(
    State(st): St,
    Query(q): Query<HashMap<String, String>>,
    body: Body,
) -> ApiResult {
    let b = query_or_body(&st, &q, body).await?;
    schedule_list::list(&st, b).await.map(Json)
}

/// `POST /payments/{paymentId}/pre-register`: PortOne `preRegisterPayment`.
#[utoipa::path(
    post,
    path = "/payments/{paymentId}/pre-register",
    operation_id = "preRegisterPayment",
    tag = "PortOne V2",
    summary = "Pre-register a payment",
    description = "PortOne preRegisterPayment: lock the totalAmount, taxFreeAmount and currency (those given) that a later payment of this paymentId must have. An instant or billing-key payment, or a payment window, of this id with another amount, tax-free part, currency or store is refused with 400 INVALID_REQUEST before anything is written or charged. Registering again replaces the lock until a payment of the id exists.",
    security(("portOne" = [])),
    params(
        ("paymentId" = String, Path),
    ),
    request_body(content = Option<crate::payments::PreRegisterPaymentBody>, content_type = "application/json"),
    responses(
        (status = 200, description = "OK", body = ref("#/components/schemas/PreRegisterPaymentResponse"), content_type = "application/json"),
        (status = 400, description = "INVALID_REQUEST", body = ref("#/components/schemas/Error"), content_type = "application/json"),
        (status = 401, description = "UNAUTHORIZED", body = ref("#/components/schemas/Error"), content_type = "application/json"),
        (status = 409, description = "ALREADY_PAID (a payment of this id exists and has not failed)", body = ref("#/components/schemas/Error"), content_type = "application/json"),
        (status = 413, description = "INVALID_REQUEST (body too large)", body = ref("#/components/schemas/Error"), content_type = "application/json"),
        (status = 500, description = "INTERNAL_SERVER_ERROR (storage unavailable)", body = ref("#/components/schemas/Error"), content_type = "application/json"),
    ),
)]
pub(super) async fn pre_register(State(st): St, Path(id): Path<String>, body: Body) -> ApiResult {
    let b = super::request::body_bytes(&st, body).await?;
    let b = if b.iter().all(u8::is_ascii_whitespace) {
        payments::PreRegisterPaymentBody::default()
    } else {
        parse_body(&b)?
    };
    payments::pre_register(&st, &id, b).await.map(Json)
}
