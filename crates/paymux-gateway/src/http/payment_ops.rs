//! PortOne's operations on a payment at its PG besides paying and cancelling — closing a
//! virtual account, escrow delivery and confirmation, sub-store receipts — and the two lookups
//! paymux has nothing behind (promotions, KakaoPay orders).

use std::collections::HashMap;

use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::Json;

use super::{ApiResult, St};
use crate::error::{parse_body, ApiError};
use crate::state::AppState;
use crate::{escrow, lookups, virtual_account};

/// Refuse query parameters other than `allowed` (a misspelt `storeId` must not be ignored).
fn only_query(q: &HashMap<String, String>, allowed: &[&str]) -> Result<(), ApiError> {
    if q.keys().all(|k| allowed.contains(&k.as_str())) {
        return Ok(());
    }
    Err(ApiError::invalid(if allowed.is_empty() {
        "query: this operation takes no query parameters".to_string()
    } else {
        format!("query: only {} may be given", allowed.join(", "))
    }))
}

/// A JSON body, `{}` when empty.
async fn body_or_empty<T: serde::de::DeserializeOwned>(
    st: &AppState,
    body: Body,
) -> Result<T, ApiError> {
    let b = super::request::body_bytes(st, body).await?;
    if b.iter().all(u8::is_ascii_whitespace) {
        return parse_body(b"{}");
    }
    parse_body(&b)
}

/// A JSON body that must be there.
async fn body_required<T: serde::de::DeserializeOwned>(
    st: &AppState,
    body: Body,
) -> Result<T, ApiError> {
    let b = super::request::body_bytes(st, body).await?;
    if b.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::invalid("body: a JSON object is required"));
    }
    parse_body(&b)
}

/// `POST /payments/{paymentId}/virtual-account/close`: PortOne `closeVirtualAccount`.
#[utoipa::path(
    post,
    path = "/payments/{paymentId}/virtual-account/close",
    operation_id = "closeVirtualAccount",
    tag = "PortOne V2",
    summary = "Close an issued virtual account (가상계좌 말소)",
    description = "PortOne closeVirtualAccount: the payment's PG revokes its issued, undeposited virtual account (Toss Payments: its cancel of the WAITING_FOR_DEPOSIT payment). The payment becomes CANCELLED without ever being paid (no paidAt, no cancellation) and Transaction.Cancelled is sent; a later deposit notice changes nothing. A PG whose adapter cannot close accounts answers 502 PG_PROVIDER (pgCode PAYMUX_PG_UNSUPPORTED) and nothing is sent. A close whose answer is lost or refused is settled by asking the PG; the account is recorded closed only when the PG says so.",
    security(("portOne" = [])),
    params(
        ("paymentId" = String, Path),
        ("storeId" = Option<String>, Query, description = "The payment's store (optional)."),
    ),
    responses(
        (status = 200, description = "OK", body = crate::views::virtual_account::CloseVirtualAccountResponse, content_type = "application/json"),
        (status = 400, description = "INVALID_REQUEST (the message names the parameter)", body = ref("#/components/schemas/Error"), content_type = "application/json"),
        (status = 401, description = "UNAUTHORIZED", body = ref("#/components/schemas/Error"), content_type = "application/json"),
        (status = 404, description = "PAYMENT_NOT_FOUND", body = ref("#/components/schemas/Error"), content_type = "application/json"),
        (status = 409, description = "PAYMENT_NOT_WAITING_FOR_DEPOSIT (not VIRTUAL_ACCOUNT_ISSUED)", body = ref("#/components/schemas/Error"), content_type = "application/json"),
        (status = 500, description = "INTERNAL_SERVER_ERROR (storage unavailable)", body = ref("#/components/schemas/Error"), content_type = "application/json"),
        (status = 502, description = "PG_PROVIDER (the PG refused, could not be reached, or cannot close accounts through paymux)", body = ref("#/components/schemas/Error"), content_type = "application/json"),
    ),
)]
pub(super) async fn close_virtual_account(
    State(st): St,
    Path(id): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> ApiResult {
    only_query(&q, &["storeId"])?;
    virtual_account::close(&st, &id, q.get("storeId").map(String::as_str))
        .await
        .map(Json)
}

/// `POST /payments/{paymentId}/escrow/logistics`: PortOne `applyEscrowLogistics`.
#[utoipa::path(
    post,
    path = "/payments/{paymentId}/escrow/logistics",
    operation_id = "applyEscrowLogistics",
    tag = "PortOne V2",
    summary = "Register escrow delivery (에스크로 배송 정보 등록)",
    description = "PortOne applyEscrowLogistics. No adapter linked into paymux has a public wire format for this call, so after the request (400, naming the field) and the payment (404 PAYMENT_NOT_FOUND, 409 PAYMENT_NOT_PAID) are checked, every PG answers 502 PG_PROVIDER naming itself (pgCode PAYMUX_PG_UNSUPPORTED); nothing is sent to the PG.",
    security(("portOne" = [])),
    params(("paymentId" = String, Path)),
    request_body(content = ref("#/components/schemas/RegisterEscrowLogisticsBody"), content_type = "application/json"),
    responses(
        (status = 200, description = "OK (from a PG that registers escrow delivery; none through paymux yet)", body = ref("#/components/schemas/ApplyEscrowLogisticsResponse"), content_type = "application/json"),
        (status = 400, description = "INVALID_REQUEST (the message names the field)", body = ref("#/components/schemas/Error"), content_type = "application/json"),
        (status = 401, description = "UNAUTHORIZED", body = ref("#/components/schemas/Error"), content_type = "application/json"),
        (status = 404, description = "PAYMENT_NOT_FOUND", body = ref("#/components/schemas/Error"), content_type = "application/json"),
        (status = 409, description = "PAYMENT_NOT_PAID", body = ref("#/components/schemas/Error"), content_type = "application/json"),
        (status = 502, description = "PG_PROVIDER (the PG cannot do this through paymux)", body = ref("#/components/schemas/Error"), content_type = "application/json"),
    ),
)]
pub(super) async fn apply_escrow_logistics(
    State(st): St,
    Path(id): Path<String>,
    body: Body,
) -> ApiResult {
    let b = body_required(&st, body).await?;
    escrow::apply_logistics(&st, &id, b).await.map(Json)
}

/// `PATCH /payments/{paymentId}/escrow/logistics`: PortOne `modifyEscrowLogistics`.
#[utoipa::path(
    patch,
    path = "/payments/{paymentId}/escrow/logistics",
    operation_id = "modifyEscrowLogistics",
    tag = "PortOne V2",
    summary = "Change escrow delivery (에스크로 배송 정보 수정)",
    description = "PortOne modifyEscrowLogistics (the body of applyEscrowLogistics). No adapter linked into paymux has a public wire format for this call, so after the request (400, naming the field) and the payment (404 PAYMENT_NOT_FOUND, 409 PAYMENT_NOT_PAID) are checked, every PG answers 502 PG_PROVIDER naming itself (pgCode PAYMUX_PG_UNSUPPORTED); nothing is sent to the PG.",
    security(("portOne" = [])),
    params(("paymentId" = String, Path)),
    request_body(content = ref("#/components/schemas/RegisterEscrowLogisticsBody"), content_type = "application/json"),
    responses(
        (status = 200, description = "OK (from a PG that changes escrow delivery; none through paymux yet)", body = ref("#/components/schemas/ModifyEscrowLogisticsResponse"), content_type = "application/json"),
        (status = 400, description = "INVALID_REQUEST (the message names the field)", body = ref("#/components/schemas/Error"), content_type = "application/json"),
        (status = 401, description = "UNAUTHORIZED", body = ref("#/components/schemas/Error"), content_type = "application/json"),
        (status = 404, description = "PAYMENT_NOT_FOUND", body = ref("#/components/schemas/Error"), content_type = "application/json"),
        (status = 409, description = "PAYMENT_NOT_PAID", body = ref("#/components/schemas/Error"), content_type = "application/json"),
        (status = 502, description = "PG_PROVIDER (the PG cannot do this through paymux)", body = ref("#/components/schemas/Error"), content_type = "application/json"),
    ),
)]
pub(super) async fn modify_escrow_logistics(
    State(st): St,
    Path(id): Path<String>,
    body: Body,
) -> ApiResult {
    let b = body_required(&st, body).await?;
    escrow::modify_logistics(&st, &id, b).await.map(Json)
}

/// `POST /payments/{paymentId}/escrow/complete`: PortOne `confirmEscrow`.
#[utoipa::path(
    post,
    path = "/payments/{paymentId}/escrow/complete",
    operation_id = "confirmEscrow",
    tag = "PortOne V2",
    summary = "Confirm an escrow purchase (에스크로 구매 확정)",
    description = "PortOne confirmEscrow ({storeId?, fromStore?}; an empty body is {}). No adapter linked into paymux has a public wire format for this call, so after the request (400, naming the field) and the payment (404 PAYMENT_NOT_FOUND, 409 PAYMENT_NOT_PAID) are checked, every PG answers 502 PG_PROVIDER naming itself (pgCode PAYMUX_PG_UNSUPPORTED); nothing is sent to the PG.",
    security(("portOne" = [])),
    params(("paymentId" = String, Path)),
    request_body(content = ref("#/components/schemas/ConfirmEscrowBody"), content_type = "application/json"),
    responses(
        (status = 200, description = "OK (from a PG that confirms escrow purchases; none through paymux yet)", body = ref("#/components/schemas/ConfirmEscrowResponse"), content_type = "application/json"),
        (status = 400, description = "INVALID_REQUEST (the message names the field)", body = ref("#/components/schemas/Error"), content_type = "application/json"),
        (status = 401, description = "UNAUTHORIZED", body = ref("#/components/schemas/Error"), content_type = "application/json"),
        (status = 404, description = "PAYMENT_NOT_FOUND", body = ref("#/components/schemas/Error"), content_type = "application/json"),
        (status = 409, description = "PAYMENT_NOT_PAID", body = ref("#/components/schemas/Error"), content_type = "application/json"),
        (status = 502, description = "PG_PROVIDER (the PG cannot do this through paymux)", body = ref("#/components/schemas/Error"), content_type = "application/json"),
    ),
)]
pub(super) async fn confirm_escrow(State(st): St, Path(id): Path<String>, body: Body) -> ApiResult {
    let b = body_or_empty(&st, body).await?;
    escrow::confirm(&st, &id, b).await.map(Json)
}

/// `POST /payments/{paymentId}/register-store-receipt`: PortOne `registerStoreReceipt`.
#[utoipa::path(
    post,
    path = "/payments/{paymentId}/register-store-receipt",
    operation_id = "registerStoreReceipt",
    tag = "PortOne V2",
    summary = "Register sub-store transactions on the receipt (영수증 내 하위 상점 거래 등록)",
    description = "PortOne registerStoreReceipt (PortOne: KG Inicis only). No adapter linked into paymux has a public wire format for this call, so after the request (400, naming the field) and the payment (404 PAYMENT_NOT_FOUND, 409 PAYMENT_NOT_PAID) are checked, every PG answers 502 PG_PROVIDER naming itself (pgCode PAYMUX_PG_UNSUPPORTED); nothing is sent to the PG.",
    security(("portOne" = [])),
    params(("paymentId" = String, Path)),
    request_body(content = ref("#/components/schemas/RegisterStoreReceiptBody"), content_type = "application/json"),
    responses(
        (status = 200, description = "OK (from a PG that registers sub-store receipts; none through paymux yet)", body = ref("#/components/schemas/RegisterStoreReceiptResponse"), content_type = "application/json"),
        (status = 400, description = "INVALID_REQUEST (the message names the field)", body = ref("#/components/schemas/Error"), content_type = "application/json"),
        (status = 401, description = "UNAUTHORIZED", body = ref("#/components/schemas/Error"), content_type = "application/json"),
        (status = 404, description = "PAYMENT_NOT_FOUND", body = ref("#/components/schemas/Error"), content_type = "application/json"),
        (status = 409, description = "PAYMENT_NOT_PAID", body = ref("#/components/schemas/Error"), content_type = "application/json"),
        (status = 502, description = "PG_PROVIDER (the PG cannot do this through paymux)", body = ref("#/components/schemas/Error"), content_type = "application/json"),
    ),
)]
pub(super) async fn register_store_receipt(
    State(st): St,
    Path(id): Path<String>,
    body: Body,
) -> ApiResult {
    let b = body_required(&st, body).await?;
    escrow::register_store_receipt(&st, &id, b).await.map(Json)
}

/// `GET /promotions/{promotionId}`: PortOne `getPromotion`.
#[utoipa::path(
    get,
    path = "/promotions/{promotionId}",
    operation_id = "getPromotion",
    tag = "PortOne V2",
    summary = "Get a promotion",
    description = "PortOne getPromotion. paymux creates no promotions, so every valid id is 404 PROMOTION_NOT_FOUND.",
    security(("portOne" = [])),
    params(("promotionId" = String, Path)),
    responses(
        (status = 200, description = "A promotion (never: paymux has none)", body = ref("#/components/schemas/Promotion"), content_type = "application/json"),
        (status = 400, description = "INVALID_REQUEST", body = ref("#/components/schemas/Error"), content_type = "application/json"),
        (status = 401, description = "UNAUTHORIZED", body = ref("#/components/schemas/Error"), content_type = "application/json"),
        (status = 404, description = "PROMOTION_NOT_FOUND", body = ref("#/components/schemas/Error"), content_type = "application/json"),
    ),
)]
pub(super) async fn get_promotion(
    Path(id): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> ApiResult {
    only_query(&q, &[])?;
    Err(lookups::get_promotion(&id))
}

/// `GET /kakaopay/payment/order`: PortOne `getKakaopayPaymentOrder`.
#[utoipa::path(
    get,
    path = "/kakaopay/payment/order",
    operation_id = "getKakaopayPaymentOrder",
    tag = "PortOne V2",
    summary = "Get a KakaoPay order",
    description = "PortOne getKakaopayPaymentOrder (pgTxId and channelKey in the query). paymux links no KakaoPay adapter, so no channel is a KakaoPay channel: a valid query is 400 INVALID_REQUEST naming channelKey and why (PortOne's error union for this operation has only INVALID_REQUEST and UNAUTHORIZED).",
    security(("portOne" = [])),
    params(
        ("pgTxId" = String, Query, description = "KakaoPay's order number (tid)."),
        ("channelKey" = String, Query, description = "A KakaoPay channel."),
    ),
    responses(
        (status = 200, description = "KakaoPay's answer (never: no KakaoPay adapter)", body = ref("#/components/schemas/GetKakaopayPaymentOrderResponse"), content_type = "application/json"),
        (status = 400, description = "INVALID_REQUEST (the message names the parameter)", body = ref("#/components/schemas/Error"), content_type = "application/json"),
        (status = 401, description = "UNAUTHORIZED", body = ref("#/components/schemas/Error"), content_type = "application/json"),
    ),
)]
pub(super) async fn get_kakaopay_payment_order(
    State(st): St,
    Query(q): Query<HashMap<String, String>>,
) -> ApiResult {
    Err(lookups::get_kakaopay_payment_order(&st, &q))
}
