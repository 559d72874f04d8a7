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

#[utoipa::path(
    get,
    path = "/channel-groups",
    operation_id = "list_groups",
    tag = "Admin",
    summary = "List channel groups",
    description = "Admin: every group (configuration in force plus scheduledChanges).",
    security(("portOne" = [])),
    responses(
        (status = 200, description = "OK", body = ref("#/components/schemas/ChannelGroupList"), content_type = "application/json"),
        (status = 401, description = "UNAUTHORIZED", body = ref("#/components/schemas/Error"), content_type = "application/json"),
        (status = 413, description = "INVALID_REQUEST (body too large)", body = ref("#/components/schemas/Error"), content_type = "application/json"),
        (status = 500, description = "INTERNAL_SERVER_ERROR (storage unavailable)", body = ref("#/components/schemas/Error"), content_type = "application/json"),
    ),
)]
pub(super) async fn list_groups(State(st): St) -> ApiResult {
    let now = util::now();
    let items = groups::list(&st)
        .await?
        .iter()
        .map(|s| groups::view_at(s, now))
        .collect();
    Ok(Json(crate::views::render(&groups::GroupList { items })))
}

#[utoipa::path(
    get,
    path = "/channel-groups/{channelGroupId}",
    operation_id = "get_group",
    tag = "Admin",
    summary = "Get a channel group",
    description = "Admin.",
    security(("portOne" = [])),
    params(
        ("channelGroupId" = String, Path, description = "channel-group-{test|live}-<uuid>"),
    ),
    responses(
        (status = 200, description = "OK", body = ref("#/components/schemas/ChannelGroup"), content_type = "application/json"),
        (status = 404, description = "CHANNEL_GROUP_NOT_FOUND", body = ref("#/components/schemas/Error"), content_type = "application/json"),
        (status = 401, description = "UNAUTHORIZED", body = ref("#/components/schemas/Error"), content_type = "application/json"),
        (status = 413, description = "INVALID_REQUEST (body too large)", body = ref("#/components/schemas/Error"), content_type = "application/json"),
        (status = 500, description = "INTERNAL_SERVER_ERROR (storage unavailable)", body = ref("#/components/schemas/Error"), content_type = "application/json"),
    ),
)]
pub(super) async fn get_group(State(st): St, Path(id): Path<String>) -> ApiResult {
    match groups::load(&st, &id).await? {
        Some((s, _)) => Ok(Json(groups::view(&s))),
        None => Err(ApiError::not_found(
            "CHANNEL_GROUP_NOT_FOUND",
            format!("no channel group `{id}`"),
        )),
    }
}

#[utoipa::path(
    put,
    path = "/channel-groups/{channelGroupId}",
    operation_id = "put_group",
    tag = "Admin",
    summary = "Create or change a channel group",
    description = "Admin. Weights are integer percents summing to 100; effectiveAt (a future whole hour) schedules the change.",
    security(("portOne" = [])),
    params(
        ("channelGroupId" = String, Path, description = "channel-group-{test|live}-<uuid>"),
    ),
    request_body(content = ref("#/components/schemas/ChannelGroupInput"), content_type = "application/json"),
    responses(
        (status = 200, description = "OK", body = ref("#/components/schemas/ChannelGroup"), content_type = "application/json"),
        (status = 400, description = "INVALID_REQUEST", body = ref("#/components/schemas/Error"), content_type = "application/json"),
        (status = 409, description = "CHANNEL_GROUP_CONFLICT", body = ref("#/components/schemas/Error"), content_type = "application/json"),
        (status = 401, description = "UNAUTHORIZED", body = ref("#/components/schemas/Error"), content_type = "application/json"),
        (status = 413, description = "INVALID_REQUEST (body too large)", body = ref("#/components/schemas/Error"), content_type = "application/json"),
        (status = 500, description = "INTERNAL_SERVER_ERROR (storage unavailable)", body = ref("#/components/schemas/Error"), content_type = "application/json"),
    ),
)]
pub(super) async fn put_group(State(st): St, Path(id): Path<String>, body: Body) -> ApiResult {
    let v: Value = json_body(&st, body).await?;
    let s = groups::put(&st, &id, &v).await?;
    Ok(Json(groups::view(&s)))
}

#[utoipa::path(
    delete,
    path = "/channel-groups/{channelGroupId}",
    operation_id = "delete_group",
    tag = "Admin",
    summary = "Delete a channel group",
    description = "Admin.",
    security(("portOne" = [])),
    params(
        ("channelGroupId" = String, Path, description = "Group id."),
    ),
    responses(
        (status = 200, description = "OK", body = ref("#/components/schemas/ChannelGroupDeleted"), content_type = "application/json"),
        (status = 404, description = "CHANNEL_GROUP_NOT_FOUND", body = ref("#/components/schemas/Error"), content_type = "application/json"),
        (status = 401, description = "UNAUTHORIZED", body = ref("#/components/schemas/Error"), content_type = "application/json"),
        (status = 413, description = "INVALID_REQUEST (body too large)", body = ref("#/components/schemas/Error"), content_type = "application/json"),
        (status = 500, description = "INTERNAL_SERVER_ERROR (storage unavailable)", body = ref("#/components/schemas/Error"), content_type = "application/json"),
    ),
)]
pub(super) async fn delete_group(State(st): St, Path(id): Path<String>) -> ApiResult {
    if groups::delete(&st, &id).await? {
        Ok(Json(crate::views::render(&groups::GroupDeleted {
            id,
            deleted_at: util::rfc3339(util::now()),
        })))
    } else {
        Err(ApiError::not_found(
            "CHANNEL_GROUP_NOT_FOUND",
            format!("no channel group `{id}`"),
        ))
    }
}

/// `POST /channel-groups/{id}/explain`: the channel a payment body would take, and why.
#[utoipa::path(
    post,
    path = "/channel-groups/{channelGroupId}/explain",
    operation_id = "explain_group",
    tag = "Admin",
    summary = "Explain which channel a payment would take",
    description = "Admin (paymux). The body is an instant payment's body plus paymentId; the group's configuration in force now routes it exactly as a payment (rule-aware weighted selection, health when the group asks). Nothing is recorded or sent.",
    security(("portOne" = [])),
    params(
        ("channelGroupId" = String, Path, description = "channel-group-{test|live}-<uuid>"),
    ),
    request_body(content = ref("#/components/schemas/ExplainRoutingBody"), content_type = "application/json"),
    responses(
        (status = 200, description = "OK", body = ref("#/components/schemas/RoutingExplanation"), content_type = "application/json"),
        (status = 400, description = "INVALID_REQUEST", body = ref("#/components/schemas/Error"), content_type = "application/json"),
        (status = 401, description = "UNAUTHORIZED", body = ref("#/components/schemas/Error"), content_type = "application/json"),
        (status = 404, description = "CHANNEL_GROUP_NOT_FOUND", body = ref("#/components/schemas/Error"), content_type = "application/json"),
        (status = 413, description = "INVALID_REQUEST (body too large)", body = ref("#/components/schemas/Error"), content_type = "application/json"),
        (status = 500, description = "INTERNAL_SERVER_ERROR (storage unavailable)", body = ref("#/components/schemas/Error"), content_type = "application/json"),
    ),
)]
pub(super) async fn explain_group(State(st): St, Path(id): Path<String>, body: Body) -> ApiResult {
    let v: Value = json_body(&st, body).await?;
    let x = groups::explain(&st, &id, v).await?;
    Ok(Json(json!(x)))
}

/// `GET /channel-groups/{id}/stats`: the group's routing, measured (see [`crate::stats`]).
#[utoipa::path(
    get,
    path = "/channel-groups/{channelGroupId}/stats",
    operation_id = "getChannelGroupStats",
    tag = "Admin",
    summary = "Routing measured: split, outcomes and latency per channel",
    description = "Admin (paymux). Per channel of the group over sliding windows of 5 minutes, 1 hour and 1 day: attempts, approvals, declines by kind, unknown outcomes, failovers, rule skips, p50/p99 PG latency (ms, within ~9 %), and the share of the group's payments selection gave it against its configured weight; plus warnings when the configuration makes a channel unreachable for the payments the group gets. Counted from the database, so every instance answers the same.",
    security(("portOne" = [])),
    params(
        ("channelGroupId" = String, Path, description = "channel-group-{test|live}-<uuid>"),
    ),
    responses(
        (status = 200, description = "OK", body = ref("#/components/schemas/GroupRoutingStats"), content_type = "application/json"),
        (status = 401, description = "UNAUTHORIZED", body = ref("#/components/schemas/Error"), content_type = "application/json"),
        (status = 404, description = "CHANNEL_GROUP_NOT_FOUND", body = ref("#/components/schemas/Error"), content_type = "application/json"),
    ),
)]
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
#[utoipa::path(
    get,
    path = "/metrics",
    operation_id = "getMetrics",
    tag = "Admin",
    summary = "Prometheus metrics",
    description = "Admin (paymux). The Prometheus text format (version 0.0.4); the series are listed in docs/OPERATIONS.md. Scrape with `authorization: {type: PortOne, credentials: <API secret>}` (or a Bearer access token).",
    security(("portOne" = [])),
    responses(
        (status = 200, description = "OK", body = String, content_type = "text/plain"),
        (status = 401, description = "UNAUTHORIZED", body = ref("#/components/schemas/Error"), content_type = "application/json"),
    ),
)]
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

#[utoipa::path(
    get,
    path = "/channels",
    operation_id = "list_channels",
    tag = "Admin",
    summary = "List channels",
    description = "Admin: the configured channels (SelectedChannel plus adapter).",
    security(("portOne" = [])),
    responses(
        (status = 200, description = "OK", body = ref("#/components/schemas/ChannelList"), content_type = "application/json"),
        (status = 401, description = "UNAUTHORIZED", body = ref("#/components/schemas/Error"), content_type = "application/json"),
        (status = 413, description = "INVALID_REQUEST (body too large)", body = ref("#/components/schemas/Error"), content_type = "application/json"),
        (status = 500, description = "INTERNAL_SERVER_ERROR (storage unavailable)", body = ref("#/components/schemas/Error"), content_type = "application/json"),
    ),
)]
pub(super) async fn list_channels(State(st): St) -> ApiResult {
    let items = st.channels.iter().map(|c| c.admin_view()).collect();
    Ok(Json(crate::views::render(&crate::channels::ChannelList {
        items,
    })))
}
