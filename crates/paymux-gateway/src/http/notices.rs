//! Notices from PGs (`POST /pg-notices/{channelKey}`, no API secret: the PG calls it and the
//! adapter checks the vendor's own authentication), the notice log, webhook resends and the
//! sandbox's deposits.

use std::collections::HashMap;

use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use paymux_core::adapter::IncomingNotice;

use super::{ApiResult, St};
use crate::error::{parse_body, ApiError};
use crate::notices::{self, Answer, MAX_NOTICE_BYTES};
use crate::{sandbox, webhook_history};

/// `POST /pg-notices/{channelKey}`: the adapter's acknowledgement, or a 4xx/5xx the PG
/// resends after.
pub(super) async fn pg_notice(
    State(st): St,
    Path(channel_key): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let limit = MAX_NOTICE_BYTES.min(st.tuning.body_limit);
    let answer = match axum::body::to_bytes(body, limit).await {
        Err(_) => {
            tracing::warn!(channel = %channel_key.chars().take(64).collect::<String>(), limit, "PG notice refused: body too large");
            Answer::refuse(413, &format!("the body is larger than {limit} bytes"))
        }
        Ok(bytes) => {
            let pairs: Vec<(String, String)> = headers
                .iter()
                .filter_map(|(n, v)| Some((n.as_str().to_string(), v.to_str().ok()?.to_string())))
                .collect();
            let content_type = headers
                .get(header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("");
            let incoming = IncomingNotice {
                content_type,
                headers: &pairs,
                body: &bytes,
            };
            notices::receive(&st, &channel_key, &incoming).await
        }
    };
    let status = StatusCode::from_u16(answer.status).unwrap_or(StatusCode::OK);
    let mut resp = (
        status,
        [(header::CONTENT_TYPE, answer.content_type)],
        answer.body,
    )
        .into_response();
    if status == StatusCode::PAYLOAD_TOO_LARGE {
        resp.headers_mut().insert(
            header::CONNECTION,
            header::HeaderValue::from_static("close"),
        );
    }
    resp
}

/// `GET /pg-notices?paymentId=&limit=`: the notice log, newest first (paymux extension).
pub(super) async fn list_pg_notices(
    State(st): St,
    Query(q): Query<HashMap<String, String>>,
) -> ApiResult {
    let limit = match q.get("limit") {
        None => 100,
        Some(l) => l
            .parse::<i64>()
            .ok()
            .filter(|n| (1..=1000).contains(n))
            .ok_or_else(|| ApiError::invalid("limit: must be an integer from 1 to 1000"))?,
    };
    Ok(Json(
        notices::list(&st, q.get("paymentId").map(String::as_str), limit).await?,
    ))
}

/// `POST /payments/{paymentId}/resend-webhook`: PortOne `resendWebhook` (an empty body is
/// `{}`).
pub(super) async fn resend_webhook(State(st): St, Path(id): Path<String>, body: Body) -> ApiResult {
    let b = super::request::body_bytes(&st, body).await?;
    let b = if b.iter().all(u8::is_ascii_whitespace) {
        webhook_history::ResendWebhookBody::default()
    } else {
        parse_body(&b)?
    };
    webhook_history::resend(&st, &id, b).await.map(Json)
}

/// `POST /sandbox/virtual-accounts/{paymentId}/deposit`: the payer deposits (sandbox).
pub(super) async fn sandbox_deposit(State(st): St, Path(id): Path<String>) -> ApiResult {
    sandbox::deposit(&st, &id).await.map(Json)
}
