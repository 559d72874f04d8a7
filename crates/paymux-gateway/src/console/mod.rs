//! The operator console at `/console`: server-rendered pages (minijinja templates, HTML
//! auto-escaped) where an operator signs in with the operator secret and manages smart-routing
//! groups as PortOne's console guide describes them, looks at channels, payments (attempts,
//! cancellations, webhooks) and charts of each group's traffic.
//!
//! It sits beside [`crate::http`] and, like it, only calls operations: group changes go
//! through `groups`, lists through `payment_list`, a cancel through
//! `cancel` — the API's own validation and flows, never a copy.
//!
//! Security: a session is a random token in an HTTP-only, `SameSite=Strict` cookie scoped to
//! `/console`, kept in the database only as its SHA-256 (`auth`); every `POST` must carry the
//! session's CSRF token and, when the browser names one, an `Origin` of this host. Pages are
//! sent with a strict Content-Security-Policy (scripts and styles only from `/console/static`),
//! no framing, and `Cache-Control: no-store`. Every value that could hold a secret is masked
//! (`mask`).

mod auth;
mod channels;
mod charts;
mod groups;
mod i18n;
mod payments;
mod render;

use std::sync::Arc;

use axum::extract::Request;
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use paymux_core::secret::Secret;

use crate::mask;
use crate::state::AppState;

pub(crate) use render::Ctx;

/// The console's shared state: the gateway's, plus the operator secret.
pub struct Console {
    app: Arc<AppState>,
    operator_secret: Secret<String>,
    /// Cookies get `Secure` when browsers reach the gateway over https.
    secure_cookies: bool,
}

type Cs = axum::extract::State<Arc<Console>>;

/// Shortest operator secret accepted: the console is reachable by anyone who can reach the
/// gateway, so the secret is all that stands in front of it.
pub const MIN_SECRET_CHARS: usize = 16;

/// The console's routes, to merge into the gateway's router.
pub fn router(app: Arc<AppState>, operator_secret: &str) -> anyhow::Result<Router> {
    let secret = operator_secret.trim();
    if secret.chars().count() < MIN_SECRET_CHARS {
        anyhow::bail!(
            "operator secret: must be at least {MIN_SECRET_CHARS} characters (it alone guards /console)"
        );
    }
    if app.api_secret.ct_eq(secret) {
        anyhow::bail!("operator secret: must differ from the API secret");
    }
    let secure_cookies = app
        .public_url
        .as_deref()
        .is_some_and(|u| u.starts_with("https://"));
    let console = Arc::new(Console {
        app,
        operator_secret: Secret::new(secret.to_string()),
        secure_cookies,
    });
    let signed_in = Router::new()
        .route(
            "/console",
            get(|| async { Redirect::to("/console/groups") }),
        )
        .route("/console/logout", post(auth::logout))
        .route(
            "/console/groups",
            get(groups::list).post(groups::create_submit),
        )
        .route("/console/groups/new", get(groups::new_form))
        .route(
            "/console/groups/{id}",
            get(groups::edit_form).post(groups::edit_submit),
        )
        .route(
            "/console/groups/{id}/delete",
            get(groups::delete_confirm).post(groups::delete_submit),
        )
        .route(
            "/console/groups/{id}/scheduled/{at}/cancel",
            post(groups::cancel_scheduled),
        )
        .route("/console/groups/{id}/chart", get(groups::chart))
        .route("/console/channels", get(channels::list))
        .route("/console/payments", get(payments::list))
        .route("/console/payments/{id}", get(payments::detail))
        .route("/console/payments/{id}/cancel", post(payments::cancel))
        .route(
            "/console/payments/{id}/webhooks/{webhook_id}/resend",
            post(payments::resend_webhook),
        )
        .route_layer(middleware::from_fn_with_state(
            console.clone(),
            auth::require_session,
        ));
    let open = Router::new()
        .route("/console/login", get(auth::login_form).post(auth::login))
        .route("/console/lang/{lang}", get(auth::switch_language))
        .route("/console/static/console.css", get(static_css))
        .route("/console/static/console.js", get(static_js))
        .route("/console/{*rest}", get(not_found).post(not_found));
    Ok(signed_in
        .merge(open)
        .layer(middleware::from_fn(security_headers))
        .with_state(console))
}

/// Headers on every console answer: what the page may load (only its own script and style),
/// no framing (clickjacking), no sniffing, no caching of pages that show payments.
async fn security_headers(req: Request, next: Next) -> Response {
    let mut resp = next.run(req).await;
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; \
             form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        ),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    resp
}

async fn static_css() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=300"),
        ],
        include_str!("static/console.css"),
    )
        .into_response()
}

async fn static_js() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=300"),
        ],
        include_str!("static/console.js"),
    )
        .into_response()
}

async fn not_found(ctx: Ctx) -> Response {
    render::message(
        &ctx,
        StatusCode::NOT_FOUND,
        "not_found_title",
        "not_found_body",
    )
}
