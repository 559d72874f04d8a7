//! Cash receipts: PortOne's `issueCashReceipt`, `getCashReceipts`,
//! `getCashReceiptByPaymentId` and `cancelCashReceiptByPaymentId` ([`crate::cash_receipts`]).

use std::collections::HashMap;

use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::Json;

use super::request::{json_body, query_or_body, store_id};
use super::{ApiResult, St};
use crate::{cash_receipt_list, cash_receipts};

#[utoipa::path(
    post,
    path = "/cash-receipts",
    operation_id = "issueCashReceipt",
    tag = "PortOne V2",
    summary = "Issue a cash receipt",
    description = "PortOne issueCashReceipt, through the channel's PG (NICE Pay, Toss Payments; other PGs answer 400 naming the PG). The paymentId is claimed before the PG is called: a second issue for it is 409 CASH_RECEIPT_ALREADY_ISSUED. issueNumber and url are \"\" when the PG's answer carries none. An issue whose answer was lost is 502 PG_PROVIDER (pgCode PAYMUX_OUTCOME_UNKNOWN) and stays pending until the PG's inquiry settles it (docs/API.md). The identity number is never stored or shown.",
    security(("portOne" = [])),
    request_body(content = ref("#/components/schemas/IssueCashReceiptBody"), content_type = "application/json"),
    responses(
        (status = 200, description = "OK", body = ref("#/components/schemas/IssueCashReceiptResponse"), content_type = "application/json"),
        (status = 400, description = "INVALID_REQUEST (the message names the field; a channel whose PG issues no standalone receipts is named with its PG)", body = ref("#/components/schemas/Error"), content_type = "application/json"),
        (status = 404, description = "CHANNEL_NOT_FOUND", body = ref("#/components/schemas/Error"), content_type = "application/json"),
        (status = 409, description = "CASH_RECEIPT_ALREADY_ISSUED", body = ref("#/components/schemas/Error"), content_type = "application/json"),
        (status = 502, description = "PG_PROVIDER", body = ref("#/components/schemas/Error"), content_type = "application/json"),
        (status = 401, description = "UNAUTHORIZED", body = ref("#/components/schemas/Error"), content_type = "application/json"),
        (status = 413, description = "INVALID_REQUEST (body too large)", body = ref("#/components/schemas/Error"), content_type = "application/json"),
        (status = 500, description = "INTERNAL_SERVER_ERROR (storage unavailable)", body = ref("#/components/schemas/Error"), content_type = "application/json"),
    ),
)]
pub(super) async fn issue_cash_receipt(State(st): St, body: Body) -> ApiResult {
    let b = json_body(&st, body).await?;
    cash_receipts::issue(&st, b).await.map(Json)
}

#[utoipa::path(
    get,
    path = "/cash-receipts",
    operation_id = "getCashReceipts",
    tag = "PortOne V2",
    summary = "List cash receipts (page based)",
    description = "PortOne getCashReceipts: filter by storeId, timeRangeField (ISSUED_AT by default, CANCELLED_AT, STATUS_UPDATED_AT) with from (inclusive; default 90 days before until) and until (exclusive; default now), paymentId, isTest, orderName (contains), statuses (ISSUED, CANCELLED, FAILED), isManual, pgReceiptId, pgMerchantId, pgProviders, version; pgCompanies is refused. Sort by ISSUED_AT (default), CANCELLED_AT or STATUS_UPDATED_AT, DESC by default; page.number from 0, page.size 1 to 1000 (default 10); page.totalCount counts every match. Receipts whose issue is still unsettled are not listed. The body may also come as the `requestBody` query parameter (JSON).",
    security(("portOne" = [])),
    params(
        ("requestBody" = Option<String>, Query, description = "The body as JSON (alternative to a request body), as PortOne's SDKs send it."),
    ),
    request_body(content = ref("#/components/schemas/GetCashReceiptsBody"), content_type = "application/json"),
    responses(
        (status = 200, description = "OK", body = ref("#/components/schemas/GetCashReceiptsResponse"), content_type = "application/json"),
        (status = 400, description = "INVALID_REQUEST (the message names the field)", body = ref("#/components/schemas/Error"), content_type = "application/json"),
        (status = 401, description = "UNAUTHORIZED", body = ref("#/components/schemas/Error"), content_type = "application/json"),
        (status = 413, description = "INVALID_REQUEST (body too large)", body = ref("#/components/schemas/Error"), content_type = "application/json"),
        (status = 500, description = "INTERNAL_SERVER_ERROR (storage unavailable)", body = ref("#/components/schemas/Error"), content_type = "application/json"),
    ),
)]
pub(super) async fn list_cash_receipts(
    State(st): St,
    Query(q): Query<HashMap<String, String>>,
    body: Body,
) -> ApiResult {
    let b = query_or_body(&st, &q, body).await?;
    cash_receipt_list::list(&st, b).await.map(Json)
}

#[utoipa::path(
    get,
    path = "/payments/{paymentId}/cash-receipt",
    operation_id = "getCashReceiptByPaymentId",
    tag = "PortOne V2",
    summary = "Get a payment's cash receipt",
    description = "PortOne getCashReceiptByPaymentId: ISSUED, CANCELLED or ISSUE_FAILED. A receipt whose issue answer was lost is first looked up at the PG (when the PG has an inquiry that can find it); unsettled, it is 404 CASH_RECEIPT_NOT_FOUND saying so.",
    security(("portOne" = [])),
    params(
        ("paymentId" = String, Path, description = "The payment the receipt is for."),
        ("storeId" = Option<String>, Query, description = "Must be the receipt's store when given."),
    ),
    responses(
        (status = 200, description = "OK", body = ref("#/components/schemas/CashReceipt"), content_type = "application/json"),
        (status = 404, description = "CASH_RECEIPT_NOT_FOUND", body = ref("#/components/schemas/Error"), content_type = "application/json"),
        (status = 401, description = "UNAUTHORIZED", body = ref("#/components/schemas/Error"), content_type = "application/json"),
        (status = 500, description = "INTERNAL_SERVER_ERROR (storage unavailable)", body = ref("#/components/schemas/Error"), content_type = "application/json"),
    ),
)]
pub(super) async fn get_cash_receipt(
    State(st): St,
    Path(id): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> ApiResult {
    cash_receipts::get(&st, &id, store_id(&q)).await.map(Json)
}

#[utoipa::path(
    post,
    path = "/payments/{paymentId}/cash-receipt/cancel",
    operation_id = "cancelCashReceiptByPaymentId",
    tag = "PortOne V2",
    summary = "Cancel a payment's cash receipt",
    description = "PortOne cancelCashReceiptByPaymentId: the whole receipt, at the PG that issued it. One cancel at a time; a cancel whose answer was lost is looked up at the PG.",
    security(("portOne" = [])),
    params(
        ("paymentId" = String, Path, description = "The payment the receipt is for."),
        ("storeId" = Option<String>, Query, description = "Must be the receipt's store when given."),
    ),
    responses(
        (status = 200, description = "OK", body = ref("#/components/schemas/CancelCashReceiptResponse"), content_type = "application/json"),
        (status = 400, description = "INVALID_REQUEST", body = ref("#/components/schemas/Error"), content_type = "application/json"),
        (status = 404, description = "CASH_RECEIPT_NOT_FOUND | CASH_RECEIPT_NOT_ISSUED", body = ref("#/components/schemas/Error"), content_type = "application/json"),
        (status = 502, description = "PG_PROVIDER", body = ref("#/components/schemas/Error"), content_type = "application/json"),
        (status = 401, description = "UNAUTHORIZED", body = ref("#/components/schemas/Error"), content_type = "application/json"),
        (status = 500, description = "INTERNAL_SERVER_ERROR (storage unavailable)", body = ref("#/components/schemas/Error"), content_type = "application/json"),
    ),
)]
pub(super) async fn cancel_cash_receipt(
    State(st): St,
    Path(id): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> ApiResult {
    cash_receipts::cancel(&st, &id, store_id(&q))
        .await
        .map(Json)
}
