//! Billing keys.

use std::collections::HashMap;

use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::Json;

use super::request::{json_body, query_or_body, store_id};
use super::{ApiResult, St};
use crate::error::ApiError;
use crate::{billing_key_list, billing_keys};

#[utoipa::path(
    post,
    path = "/billing-keys",
    operation_id = "issueBillingKey",
    tag = "PortOne V2",
    summary = "Issue a billing key",
    description = "PortOne issueBillingKey. With channelGroupId: a super billing key issued on every enabled channel of the group concurrently; channels that failed are listed in channelSpecificFailures.",
    security(("portOne" = [])),
    request_body(content = ref("#/components/schemas/IssueBillingKeyBody"), content_type = "application/json"),
    responses(
        (status = 200, description = "OK", body = ref("#/components/schemas/IssueBillingKeyResponse"), content_type = "application/json"),
        (status = 400, description = "INVALID_REQUEST", body = ref("#/components/schemas/Error"), content_type = "application/json"),
        (status = 404, description = "CHANNEL_NOT_FOUND", body = ref("#/components/schemas/Error"), content_type = "application/json"),
        (status = 502, description = "PG_PROVIDER | CHANNEL_SPECIFIC", body = ref("#/components/schemas/Error"), content_type = "application/json"),
        (status = 401, description = "UNAUTHORIZED", body = ref("#/components/schemas/Error"), content_type = "application/json"),
        (status = 413, description = "INVALID_REQUEST (body too large)", body = ref("#/components/schemas/Error"), content_type = "application/json"),
        (status = 500, description = "INTERNAL_SERVER_ERROR (storage unavailable)", body = ref("#/components/schemas/Error"), content_type = "application/json"),
    ),
)]
pub(super) async fn issue_billing_key(State(st): St, body: Body) -> ApiResult {
    let b = json_body(&st, body).await?;
    billing_keys::issue(&st, b).await.map(Json)
}

#[utoipa::path(
    get,
    path = "/billing-keys/{billingKey}",
    operation_id = "getBillingKeyInfo",
    tag = "PortOne V2",
    summary = "Get a billing key",
    description = "PortOne getBillingKeyInfo (ISSUED or DELETED).",
    security(("portOne" = [])),
    params(
        ("billingKey" = String, Path, description = "The billing key."),
        ("storeId" = Option<String>, Query, description = "Must match when given."),
    ),
    responses(
        (status = 200, description = "OK", body = ref("#/components/schemas/BillingKeyInfo"), content_type = "application/json"),
        (status = 404, description = "BILLING_KEY_NOT_FOUND", body = ref("#/components/schemas/Error"), content_type = "application/json"),
        (status = 401, description = "UNAUTHORIZED", body = ref("#/components/schemas/Error"), content_type = "application/json"),
        (status = 413, description = "INVALID_REQUEST (body too large)", body = ref("#/components/schemas/Error"), content_type = "application/json"),
        (status = 500, description = "INTERNAL_SERVER_ERROR (storage unavailable)", body = ref("#/components/schemas/Error"), content_type = "application/json"),
    ),
)]
pub(super) async fn get_billing_key(
    State(st): St,
    Path(key): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> ApiResult {
    billing_keys::get(&st, &key, store_id(&q)).await.map(Json)
}

#[utoipa::path(
    delete,
    path = "/billing-keys/{billingKey}",
    operation_id = "deleteBillingKey",
    tag = "PortOne V2",
    summary = "Delete a billing key",
    description = "PortOne deleteBillingKey: deleted on every channel holding a PG key; partial failures answer 502 CHANNEL_SPECIFIC with succeededChannels (retry deletes the rest).",
    security(("portOne" = [])),
    params(
        ("billingKey" = String, Path, description = "The billing key."),
        ("storeId" = Option<String>, Query, description = "Must match when given."),
        ("reason" = Option<String>, Query, description = "Ignored."),
        ("skipWebhook" = Option<bool>, Query, description = "true: no BillingKey.Deleted webhook."),
    ),
    responses(
        (status = 200, description = "OK", body = ref("#/components/schemas/DeleteBillingKeyResponse"), content_type = "application/json"),
        (status = 404, description = "BILLING_KEY_NOT_FOUND | BILLING_KEY_NOT_ISSUED", body = ref("#/components/schemas/Error"), content_type = "application/json"),
        (status = 409, description = "BILLING_KEY_ALREADY_DELETED | PAYMENT_SCHEDULE_ALREADY_EXISTS", body = ref("#/components/schemas/Error"), content_type = "application/json"),
        (status = 502, description = "PG_PROVIDER | CHANNEL_SPECIFIC", body = ref("#/components/schemas/Error"), content_type = "application/json"),
        (status = 401, description = "UNAUTHORIZED", body = ref("#/components/schemas/Error"), content_type = "application/json"),
        (status = 413, description = "INVALID_REQUEST (body too large)", body = ref("#/components/schemas/Error"), content_type = "application/json"),
        (status = 500, description = "INTERNAL_SERVER_ERROR (storage unavailable)", body = ref("#/components/schemas/Error"), content_type = "application/json"),
    ),
)]
pub(super) async fn delete_billing_key(
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

/// `GET /billing-keys`: PortOne `getBillingKeyInfos` (the body as JSON or in `requestBody`).
#[utoipa::path(
    get,
    path = "/billing-keys",
    operation_id = "getBillingKeyInfos",
    tag = "PortOne V2",
    summary = "List billing keys (page based)",
    description = "PortOne getBillingKeyInfos: filter by storeId, timeRangeField (REQUESTED_AT default, ISSUED_AT, DELETED_AT, STATUS_TIMESTAMP) with from (inclusive) / until (exclusive), status (ISSUED, DELETED), channelGroupIds, customerId, pgProviders, methods, version, textSearch (BILLING_KEY, CUSTOMER_NAME, CUSTOMER_EMAIL, CUSTOMER_PHONE_NUMBER exactly; CARD_NUMBER by the last four digits); platformType and pgCompanies are refused with 400. Sort by REQUESTED_AT (default), ISSUED_AT, DELETED_AT or STATUS_TIMESTAMP, DESC by default; page.number from 0, page.size 1 to 1000 (default 10); page.totalCount counts every match. The body may also come as the `requestBody` query parameter (JSON).",
    security(("portOne" = [])),
    params(
        ("requestBody" = Option<String>, Query, description = "The body as JSON (alternative to a request body), as PortOne's SDKs send it."),
    ),
    request_body(content = ref("#/components/schemas/GetBillingKeyInfosBody"), content_type = "application/json"),
    responses(
        (status = 200, description = "OK", body = ref("#/components/schemas/GetBillingKeyInfosResponse"), content_type = "application/json"),
        (status = 400, description = "INVALID_REQUEST (the message names the field)", body = ref("#/components/schemas/Error"), content_type = "application/json"),
        (status = 401, description = "UNAUTHORIZED", body = ref("#/components/schemas/Error"), content_type = "application/json"),
        (status = 413, description = "INVALID_REQUEST (body too large)", body = ref("#/components/schemas/Error"), content_type = "application/json"),
        (status = 500, description = "INTERNAL_SERVER_ERROR (storage unavailable)", body = ref("#/components/schemas/Error"), content_type = "application/json"),
    ),
)]
pub(super) async fn list_billing_keys(
    State(st): St,
    Query(q): Query<HashMap<String, String>>,
    body: Body,
) -> ApiResult {
    let b = query_or_body(&st, &q, body).await?;
    billing_key_list::list(&st, b).await.map(Json)
}
