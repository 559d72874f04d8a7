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
#[utoipa::path(
    post,
    path = "/pg-notices/{channelKey}",
    operation_id = "receivePgNotice",
    tag = "PG notices",
    summary = "Receive a notice from a PG (virtual-account deposit, status change)",
    description = "Where a PG posts what it sends on its own (paymux extension; give the PG this URL as its notification URL). No API secret: the channel's adapter checks the vendor's own authentication (signature, hash) against the channel's keys. A signed deposit into a VIRTUAL_ACCOUNT_ISSUED payment makes it PAID (paidAt) and sends Transaction.Paid once; an unsigned notice, or a status change, is confirmed by inquiry at the PG before anything changes. A resent notice is acknowledged and changes nothing. The answer is what the vendor expects (for example 200 `OK`); a forged, undecodable or unknown notice gets a 4xx (the PG resends) and nothing is recorded; a deposit whose amount differs from the payment's is refused (400) and kept in the notice log (GET /pg-notices).",
    security(()),
    params(
        ("channelKey" = String, Path, description = "The key of the channel the PG serves."),
    ),
    request_body(content = ref("#/components/schemas/PgNoticeBody"), content_type = "*/*"),
    responses(
        (status = 200, description = "The vendor's acknowledgement (its own body, e.g. `OK`)", body = String, content_type = "text/plain"),
        (status = 400, description = "INVALID_REQUEST (refused: bad signature, undecodable, amount mismatch, not confirmed by the PG)", body = ref("#/components/schemas/Error"), content_type = "application/json"),
        (status = 404, description = "NOT_FOUND (unknown channel, a channel that takes no notices, or no payment of this channel matches)", body = ref("#/components/schemas/Error"), content_type = "application/json"),
        (status = 409, description = "PAYMENT_NOT_WAITING_FOR_DEPOSIT (the payment is still being settled; the PG resends)", body = ref("#/components/schemas/Error"), content_type = "application/json"),
        (status = 413, description = "INVALID_REQUEST (body larger than 64 KiB)", body = ref("#/components/schemas/Error"), content_type = "application/json"),
        (status = 503, description = "SERVICE_UNAVAILABLE (the PG could not be asked to confirm, or storage failed, or the channel's notice cap `[limits] pg_notices_per_channel` is reached (with `Retry-After`); the PG resends)", body = ref("#/components/schemas/Error"), content_type = "application/json"),
    ),
)]
pub(super) async fn pg_notice(
    State(st): St,
    Path(channel_key): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    // The per-channel cap (`[limits] pg_notices_per_channel`): beyond it the PG is told to
    // come back later, before anything is read. Unknown channel keys share one count.
    let cap_key = if st.channels.get(&channel_key).is_some() {
        channel_key.as_str()
    } else {
        "(unknown channel)"
    };
    if let Err(wait) = st.limits.pg_notices.admit(cap_key) {
        tracing::warn!(channel = %channel_key.chars().take(64).collect::<String>(), retry_after_s = wait.as_secs(), "PG notice deferred: the channel's notice cap is reached");
        let answer = Answer::refuse(
            503,
            &format!(
                "too many notices for this channel: send it again in {} s",
                wait.as_secs().max(1)
            ),
        );
        let mut resp = (
            StatusCode::SERVICE_UNAVAILABLE,
            [(header::CONTENT_TYPE, answer.content_type)],
            answer.body,
        )
            .into_response();
        if let Ok(v) = header::HeaderValue::from_str(&crate::throttle::retry_after_header(wait)) {
            resp.headers_mut().insert(header::RETRY_AFTER, v);
        }
        return resp;
    }
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
#[utoipa::path(
    get,
    path = "/pg-notices",
    operation_id = "getPgNotices",
    tag = "PG notices",
    summary = "The PG notice log",
    description = "paymux extension: every notice that named one of this gateway's payments, newest first, with what the gateway did (verdict APPLIED, DUPLICATE, AMOUNT_MISMATCH, NOT_CONFIRMED, NO_CHANGE, NOT_APPLICABLE) and the adapter's masked view of its fields. Append-only. Refused notices (forged, undecodable, unknown channel or payment) are only in the log output.",
    security(("portOne" = [])),
    params(
        ("paymentId" = Option<String>, Query, description = "Only this payment's notices."),
        ("limit" = Option<i64>, Query, description = "At most this many (1 to 1000, default 100)."),
    ),
    responses(
        (status = 200, description = "OK", body = ref("#/components/schemas/PgNoticeLog"), content_type = "application/json"),
        (status = 400, description = "INVALID_REQUEST", body = ref("#/components/schemas/Error"), content_type = "application/json"),
        (status = 401, description = "UNAUTHORIZED", body = ref("#/components/schemas/Error"), content_type = "application/json"),
    ),
)]
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
#[utoipa::path(
    post,
    path = "/payments/{paymentId}/resend-webhook",
    operation_id = "resendWebhook",
    tag = "PortOne V2",
    summary = "Resend a webhook",
    description = "PortOne resendWebhook: sends again the payment's webhook `webhookId` (default: its newest) — same body and URL, a new webhook-id, trigger MANUAL — and answers after the first attempt; the worker retries it if it failed. At most 5 resends per webhook (400 MAX_WEBHOOK_RETRY_COUNT_REACHED). The payment's deliveries are its `webhooks` in GET /payments/{paymentId}.",
    security(("portOne" = [])),
    params(
        ("paymentId" = String, Path, description = "The payment whose webhook to resend."),
    ),
    request_body(content = ref("#/components/schemas/ResendWebhookBody"), content_type = "application/json"),
    responses(
        (status = 200, description = "OK: {webhook: PaymentWebhook}", body = ref("#/components/schemas/ResendWebhookResponse"), content_type = "application/json"),
        (status = 400, description = "INVALID_REQUEST, MAX_WEBHOOK_RETRY_COUNT_REACHED", body = ref("#/components/schemas/Error"), content_type = "application/json"),
        (status = 401, description = "UNAUTHORIZED", body = ref("#/components/schemas/Error"), content_type = "application/json"),
        (status = 404, description = "PAYMENT_NOT_FOUND, WEBHOOK_NOT_FOUND", body = ref("#/components/schemas/Error"), content_type = "application/json"),
    ),
)]
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
