//! Hosted checkout: sessions (API) and the browser's routes.

use std::net::SocketAddr;

use axum::body::Body;
use axum::extract::{ConnectInfo, Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::Response;
use axum::{Extension, Json};

use super::request::{body_bytes, origin};
use super::{pages, ApiResult, St};
use crate::checkout;

pub(super) async fn create_checkout(State(st): St, headers: HeaderMap, body: Body) -> ApiResult {
    let bytes = body_bytes(&st, body).await?;
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
    checkout::create(&st, &bytes, host).await.map(Json)
}

pub(super) async fn get_checkout(State(st): St, Path(id): Path<String>) -> ApiResult {
    checkout::get(&st, &id).await.map(Json)
}

pub(super) async fn checkout_page(State(st): St, Path(id): Path<String>) -> Response {
    pages::render(checkout::open_window(&st, &id).await)
}

pub(super) async fn checkout_return(
    State(st): St,
    Path(id): Path<String>,
    peer: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let Ok(bytes) = body_bytes(&st, body).await else {
        return pages::message_page(
            StatusCode::PAYLOAD_TOO_LARGE,
            "결제 결과를 확인할 수 없습니다",
            "The payment window's answer is too large; nothing was charged.",
            None,
        );
    };
    let ct = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok());
    pages::render(
        checkout::complete::on_return(&st, &id, ct, &bytes, &origin(peer, &headers)).await,
    )
}
