//! Billing keys.

use std::collections::HashMap;

use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::Json;

use super::request::{json_body, query_or_body, store_id};
use super::{ApiResult, St};
use crate::error::ApiError;
use crate::{billing_key_list, billing_keys};

pub(super) async fn issue_billing_key(State(st): St, body: Body) -> ApiResult {
    let b = json_body(&st, body).await?;
    billing_keys::issue(&st, b).await.map(Json)
}

pub(super) async fn get_billing_key(
    State(st): St,
    Path(key): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> ApiResult {
    billing_keys::get(&st, &key, store_id(&q)).await.map(Json)
}

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
pub(super) async fn list_billing_keys(
    State(st): St,
    Query(q): Query<HashMap<String, String>>,
    body: Body,
) -> ApiResult {
    let b = query_or_body(&st, &q, body).await?;
    billing_key_list::list(&st, b).await.map(Json)
}
