//! Billing keys.

use std::collections::HashMap;

use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::Json;

use super::request::{json_body, store_id};
use super::{ApiResult, St};
use crate::billing_keys;
use crate::error::ApiError;

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
