//! What handlers read from a request: bodies within the size limit, JSON with field-path
//! errors, `storeId`, the caller's origin.

use std::collections::HashMap;
use std::net::SocketAddr;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{header, HeaderMap, StatusCode};
use axum::Extension;
use serde::de::DeserializeOwned;

use crate::domain::Origin;
use crate::error::{parse_body, ApiError};
use crate::state::AppState;

/// Read a body within the size limit.
pub(super) async fn body_bytes(st: &AppState, body: Body) -> Result<axum::body::Bytes, ApiError> {
    let limit = st.tuning.body_limit;
    axum::body::to_bytes(body, limit).await.map_err(|_| {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "INVALID_REQUEST",
            format!("the request body is larger than {limit} bytes"),
        )
    })
}

/// Read and parse a JSON body within the size limit. Type and syntax errors are
/// `400 INVALID_REQUEST` naming the field path; the offending value is never echoed.
pub(super) async fn json_body<T: DeserializeOwned>(
    st: &AppState,
    body: Body,
) -> Result<T, ApiError> {
    let limit = st.tuning.body_limit;
    let bytes = axum::body::to_bytes(body, limit).await.map_err(|_| {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "INVALID_REQUEST",
            format!("the request body is larger than {limit} bytes"),
        )
    })?;
    parse_body(&bytes)
}

/// A body that may come as JSON, or — as PortOne's SDKs send the bodies of `GET` and `DELETE`
/// calls — as JSON in the `requestBody` query parameter. Neither: `{}`.
pub(super) async fn query_or_body<T: DeserializeOwned>(
    st: &AppState,
    q: &HashMap<String, String>,
    body: Body,
) -> Result<T, ApiError> {
    let bytes = body_bytes(st, body).await?;
    let empty = bytes.iter().all(u8::is_ascii_whitespace);
    match q.get("requestBody") {
        Some(rb) if empty => {
            if rb.len() > st.tuning.body_limit {
                return Err(ApiError::new(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "INVALID_REQUEST",
                    format!("requestBody is larger than {} bytes", st.tuning.body_limit),
                ));
            }
            parse_body(rb.as_bytes())
        }
        Some(_) => Err(ApiError::invalid(
            "requestBody: give the body either as JSON or in the requestBody query parameter, not both",
        )),
        None if empty => parse_body(b"{}"),
        None => parse_body(&bytes),
    }
}

pub(super) fn store_id(q: &HashMap<String, String>) -> Option<&str> {
    q.get("storeId").map(String::as_str)
}

pub(super) fn origin(
    peer: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: &HeaderMap,
) -> Origin {
    Origin {
        ip: peer.map(|c| c.0 .0.ip().to_string()).unwrap_or_default(),
        user_agent: headers
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(|s| s.chars().take(256).collect()),
    }
}
