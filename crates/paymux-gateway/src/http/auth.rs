//! Authentication: the check every API route goes through (`PortOne <secret>` or
//! `Bearer <accessToken>`), PortOne's token endpoints, and `GET /banks` — the PortOne
//! routes that take no credential.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;

use super::request::json_body;
use super::St;
use crate::auth::{self, TokenPair};
use crate::error::ApiError;
use crate::throttle;

/// `POST /login/api-secret`.
#[utoipa::path(
    post,
    path = "/login/api-secret",
    operation_id = "loginViaApiSecret",
    tag = "PortOne V2",
    summary = "Log in with the API secret",
    description = "PortOne loginViaApiSecret: an access token (30 minutes) and a refresh token (one day). Refresh tokens issued before stop working.",
    security(()),
    request_body(content = crate::auth::LoginViaApiSecretBody, content_type = "application/json"),
    responses(
        (status = 200, description = "OK", body = crate::auth::TokenPair, content_type = "application/json"),
        (status = 400, description = "INVALID_REQUEST", body = ref("#/components/schemas/Error"), content_type = "application/json"),
        (status = 401, description = "UNAUTHORIZED", body = ref("#/components/schemas/Error"), content_type = "application/json"),
        (status = 429, description = "UNAUTHORIZED: too many refused attempts from this client (or in all) in the window; `Retry-After` says when to try again. Not in PortOne's schema (its error union has no rate-limit error): the body is PortOne's UnauthorizedError", body = ref("#/components/schemas/Error"), content_type = "application/json"),
    ),
)]
pub(super) async fn login_via_api_secret(State(st): St, req: Request) -> Response {
    let client = throttle::client_key(peer(&req));
    throttled(&st, &client, async {
        let b = json_body(&st, req.into_body()).await?;
        auth::login(&st, b).await
    })
    .await
}

/// The client's address (the connection's peer), when the server recorded it.
fn peer(req: &Request) -> Option<SocketAddr> {
    req.extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0)
}

/// Run a token operation unless `client` (or everyone) has had too many refused in the
/// window (`[limits]`): then `429` with `Retry-After` and PortOne's `UnauthorizedError` body
/// (PortOne's error union for these operations has no rate-limit error; its SDKs read the
/// body's `type`). A refusal (`401`) counts; a malformed request does not.
async fn throttled(
    st: &crate::state::AppState,
    client: &str,
    op: impl std::future::Future<Output = Result<TokenPair, ApiError>>,
) -> Response {
    let limiter = &st.limits.tokens;
    if let Err(wait) = limiter.check(client) {
        tracing::warn!(%client, retry_after_s = wait.as_secs(), "token request throttled");
        let mut resp = ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "UNAUTHORIZED",
            format!(
                "too many refused attempts from this client: retry after {} s",
                wait.as_secs().max(1)
            ),
        )
        .into_response();
        if let Ok(v) = HeaderValue::from_str(&throttle::retry_after_header(wait)) {
            resp.headers_mut().insert(header::RETRY_AFTER, v);
        }
        return resp;
    }
    match op.await {
        Ok(pair) => Json(pair).into_response(),
        Err(e) => {
            if e.status == StatusCode::UNAUTHORIZED {
                limiter.hit(client);
            }
            e.into_response()
        }
    }
}

/// `POST /token/refresh`.
#[utoipa::path(
    post,
    path = "/token/refresh",
    operation_id = "refreshToken",
    tag = "PortOne V2",
    summary = "Refresh the tokens",
    description = "PortOne refreshToken: a new pair for a live refresh token, which is used up. A used refresh token presented again is refused and revokes every token refreshed from the same login.",
    security(()),
    request_body(content = crate::auth::RefreshTokenBody, content_type = "application/json"),
    responses(
        (status = 200, description = "OK", body = crate::auth::TokenPair, content_type = "application/json"),
        (status = 400, description = "INVALID_REQUEST", body = ref("#/components/schemas/Error"), content_type = "application/json"),
        (status = 401, description = "UNAUTHORIZED", body = ref("#/components/schemas/Error"), content_type = "application/json"),
        (status = 429, description = "UNAUTHORIZED: too many refused attempts from this client (or in all) in the window; `Retry-After` says when to try again. Not in PortOne's schema (its error union has no rate-limit error): the body is PortOne's UnauthorizedError", body = ref("#/components/schemas/Error"), content_type = "application/json"),
    ),
)]
pub(super) async fn refresh_token(State(st): St, req: Request) -> Response {
    let client = throttle::client_key(peer(&req));
    throttled(&st, &client, async {
        let b = json_body(&st, req.into_body()).await?;
        auth::refresh(&st, b).await
    })
    .await
}

/// `GET /banks` (PortOne's `getBankInfos`; no credential, as in PortOne's schema).
#[utoipa::path(
    get,
    path = "/banks",
    operation_id = "getBankInfos",
    tag = "PortOne V2",
    summary = "List banks",
    description = "PortOne getBankInfos: every PortOne Bank with its Korean name.",
    security(()),
    responses(
        (status = 200, description = "OK", body = crate::views::bank::GetBankInfosResponse, content_type = "application/json"),
    ),
)]
pub(super) async fn bank_infos() -> Json<crate::views::bank::GetBankInfosResponse> {
    Json(crate::banks::list())
}

/// The API routes' guard: `Authorization: PortOne <API secret>` or
/// `Authorization: Bearer <accessToken>`. Neither the secret nor the token is ever echoed
/// or logged.
pub(super) async fn require_auth(State(st): St, req: Request, next: Next) -> Response {
    let header = req
        .headers()
        .get(header::AUTHORIZATION)
        .map(|v| v.to_str().unwrap_or(""));
    let verdict = match header {
        None => Err(ApiError::unauthorized(
            "the Authorization header is missing: send `Authorization: PortOne <API secret>` or `Authorization: Bearer <accessToken>`",
        )),
        Some(h) => {
            if let Some(secret) = h.strip_prefix("PortOne ") {
                if st.api_secret.ct_eq(secret.trim()) {
                    Ok(())
                } else {
                    Err(ApiError::unauthorized("the API secret is not valid"))
                }
            } else if let Some(token) = h.strip_prefix("Bearer ") {
                st.token_keys.check_access(token.trim())
            } else if matches!(h.trim(), "Bearer" | "PortOne") {
                // HTTP parsers drop the trailing space of `Bearer `.
                Err(ApiError::unauthorized(
                    "the Authorization header has a scheme but no credential after it",
                ))
            } else {
                Err(ApiError::unauthorized(
                    "the Authorization header must be `PortOne <API secret>` or `Bearer <accessToken>`",
                ))
            }
        }
    };
    match verdict {
        Ok(()) => next.run(req).await,
        Err(e) => e.into_response(),
    }
}
