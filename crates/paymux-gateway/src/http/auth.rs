//! Authentication: the check every API route goes through (`PortOne <secret>` or
//! `Bearer <accessToken>`), PortOne's token endpoints, and `GET /banks` — the PortOne
//! routes that take no credential.

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;

use super::request::json_body;
use super::St;
use crate::auth::{self, TokenPair};
use crate::error::ApiError;

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
    ),
)]
pub(super) async fn login_via_api_secret(
    State(st): St,
    body: Body,
) -> Result<Json<TokenPair>, ApiError> {
    let b = json_body(&st, body).await?;
    auth::login(&st, b).await.map(Json)
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
    ),
)]
pub(super) async fn refresh_token(State(st): St, body: Body) -> Result<Json<TokenPair>, ApiError> {
    let b = json_body(&st, body).await?;
    auth::refresh(&st, b).await.map(Json)
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
