//! Admin endpoints: channel groups, channels, the sandbox's webhook inbox.

use std::collections::HashMap;

use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::Json;
use serde_json::{json, Value};

use super::request::json_body;
use super::{ApiResult, St};
use crate::error::ApiError;
use crate::{groups, util};

pub(super) async fn list_groups(State(st): St) -> ApiResult {
    let items: Vec<Value> = groups::list(&st).await?.iter().map(groups::view).collect();
    Ok(Json(json!({"items": items})))
}

pub(super) async fn get_group(State(st): St, Path(id): Path<String>) -> ApiResult {
    match groups::load(&st, &id).await? {
        Some((s, _)) => Ok(Json(groups::view(&s))),
        None => Err(ApiError::not_found(
            "CHANNEL_GROUP_NOT_FOUND",
            format!("no channel group `{id}`"),
        )),
    }
}

pub(super) async fn put_group(State(st): St, Path(id): Path<String>, body: Body) -> ApiResult {
    let v: Value = json_body(&st, body).await?;
    let s = groups::put(&st, &id, &v).await?;
    Ok(Json(groups::view(&s)))
}

pub(super) async fn delete_group(State(st): St, Path(id): Path<String>) -> ApiResult {
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

/// `POST /channel-groups/{id}/explain`: the channel a payment body would take, and why.
pub(super) async fn explain_group(State(st): St, Path(id): Path<String>, body: Body) -> ApiResult {
    let v: Value = json_body(&st, body).await?;
    let x = groups::explain(&st, &id, v).await?;
    Ok(Json(json!(x)))
}

/// `GET /channel-groups/{id}/stats`: the group's routing, measured (see [`crate::stats`]).
pub(super) async fn group_stats(State(st): St, Path(id): Path<String>) -> ApiResult {
    match crate::stats::for_group(&st, &id).await? {
        Some(s) => Ok(Json(json!(s))),
        None => Err(ApiError::not_found(
            "CHANNEL_GROUP_NOT_FOUND",
            format!("no channel group `{id}`"),
        )),
    }
}

/// `GET /metrics`: the Prometheus text format (see [`crate::metrics`]).
pub(super) async fn metrics(State(st): St) -> Result<axum::response::Response, ApiError> {
    use axum::response::IntoResponse;
    let m = &st.metrics;
    m.outbox_pending
        .set(crate::store::backlog::outbox_pending(&st.db).await?);
    m.reconcile_pending
        .set(crate::store::backlog::reconcile_pending(&st.db).await?);
    for c in st.channels.iter() {
        let key = c.ctx.key.as_str();
        let healthy = !matches!(
            st.health.status(key),
            paymux_routing::ChannelHealth::CoolingDown { .. }
                | paymux_routing::ChannelHealth::Probing
        );
        m.channel_healthy
            .with_label_values(&[key])
            .set(i64::from(healthy));
    }
    Ok((
        [(
            axum::http::header::CONTENT_TYPE,
            crate::metrics::CONTENT_TYPE,
        )],
        m.render(),
    )
        .into_response())
}

/// `GET /sandbox/webhooks[?limit=N]`: the webhooks the sandbox kept instead of sending,
/// newest first, each as sent (`headers`, `body`, and `rawBody` to check the signature over).
pub(super) async fn sandbox_webhooks(
    State(st): St,
    Query(q): Query<HashMap<String, String>>,
) -> ApiResult {
    let inbox = st
        .inbox
        .as_ref()
        .ok_or_else(|| ApiError::not_found("INVALID_REQUEST", "no such endpoint"))?;
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

pub(super) async fn list_channels(State(st): St) -> ApiResult {
    let items: Vec<Value> = st.channels.iter().map(|c| c.admin_view()).collect();
    Ok(Json(json!({"items": items})))
}
