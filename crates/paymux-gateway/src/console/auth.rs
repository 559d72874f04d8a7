//! Signing in and out, sessions, and the CSRF check on every change.
//!
//! - Sign-in compares the operator secret in constant time (failures throttled per client
//!   address and in all: `[limits]`) and starts a session: a random
//!   256-bit token in the cookie `paymux_console` (`HttpOnly`, `SameSite=Strict`,
//!   `Path=/console`, `Secure` behind https), kept in the database only as its SHA-256, with
//!   its own random CSRF token. Sessions end after [`SESSION_HOURS`] or at sign-out.
//! - Every page behind the sign-in goes through [`require_session`]: without a live session a
//!   `GET` is sent to the sign-in page and a `POST` changes nothing.
//! - Every `POST` must carry the session's CSRF token as the form field `csrf`, and a browser
//!   `Origin` (when sent) must be this host: a page elsewhere cannot make a signed-in
//!   operator's browser change anything.

use std::sync::Arc;

use axum::body::{to_bytes, Body};
use std::net::SocketAddr;

use axum::extract::{ConnectInfo, Path, Query, Request};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use paymux_core::secret::constant_time_eq;
use sha2::{Digest, Sha256};

use super::render::{self, cookie, Ctx, LANG_COOKIE};
use super::{Console, Cs};
use crate::store;
use crate::throttle;
use crate::util;

/// The session cookie.
pub const SESSION_COOKIE: &str = "paymux_console";
/// How long a session lasts.
pub const SESSION_HOURS: i64 = 12;
/// Largest form the console reads.
pub const FORM_LIMIT: usize = 64 * 1024;

/// A signed-in session, as handlers see it.
#[derive(Clone)]
pub struct Session {
    /// What each form sends back as `csrf`.
    pub csrf_token: String,
    token_hash: String,
}

fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

fn random_token() -> String {
    hex::encode(rand::random::<[u8; 32]>())
}

/// The form's fields, in order (repeated names kept).
pub fn form_pairs(body: &[u8]) -> Vec<(String, String)> {
    serde_urlencoded::from_bytes::<Vec<(String, String)>>(body).unwrap_or_default()
}

/// The first value of `name` in a form.
pub fn field<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// Whether the browser's `Origin` (when it sent one) is this host, or the configured public
/// URL (behind a proxy the `Host` may differ). Browsers send it on every cross-site `POST`; a
/// form posted from another site names that site.
fn same_origin(headers: &HeaderMap, public_url: Option<&str>) -> bool {
    let Some(origin) = headers.get(header::ORIGIN) else {
        return true;
    };
    if public_url.is_some_and(|u| origin.to_str().is_ok_and(|o| o.eq_ignore_ascii_case(u))) {
        return true;
    }
    let (Some(origin), Some(host)) = (
        origin.to_str().ok(),
        headers.get(header::HOST).and_then(|h| h.to_str().ok()),
    ) else {
        return false;
    };
    origin
        .strip_prefix("http://")
        .or_else(|| origin.strip_prefix("https://"))
        .is_some_and(|o| o.eq_ignore_ascii_case(host))
}

fn refused(ctx: &Ctx) -> Response {
    render::message(
        ctx,
        StatusCode::FORBIDDEN,
        "forbidden_title",
        "csrf_refused",
    )
}

/// Let a request through only with a live session; on a `POST`, only with the session's
/// CSRF token and a same-origin `Origin`.
pub async fn require_session(
    axum::extract::State(console): Cs,
    req: Request,
    next: Next,
) -> Response {
    let (mut parts, body) = req.into_parts();
    let session = match cookie(&parts.headers, SESSION_COOKIE) {
        Some(token) if !token.is_empty() => {
            let token_hash = hash_token(&token);
            match store::console::load_session(&console.app.db, &token_hash, util::now()).await {
                Ok(Some(row)) => Some(Session {
                    csrf_token: row.csrf_token,
                    token_hash,
                }),
                Ok(None) => None,
                Err(e) => {
                    tracing::error!(error = %e, "console session lookup failed");
                    return (StatusCode::SERVICE_UNAVAILABLE, "storage unavailable")
                        .into_response();
                }
            }
        }
        _ => None,
    };
    let Some(session) = session else {
        return Redirect::to("/console/login").into_response();
    };
    let ctx = Ctx {
        lang: cookie(&parts.headers, LANG_COOKIE)
            .and_then(|v| super::i18n::Lang::parse(&v))
            .unwrap_or_default(),
        session: Some(session.clone()),
        path: parts.uri.path().to_string(),
    };
    let body = if parts.method == Method::POST {
        if !same_origin(&parts.headers, console.app.public_url.as_deref()) {
            return refused(&ctx);
        }
        let Ok(bytes) = to_bytes(body, FORM_LIMIT).await else {
            return refused(&ctx);
        };
        let pairs = form_pairs(&bytes);
        let sent = field(&pairs, "csrf").unwrap_or("");
        if !constant_time_eq(sent.as_bytes(), session.csrf_token.as_bytes()) {
            return refused(&ctx);
        }
        Body::from(bytes)
    } else {
        body
    };
    parts.extensions.insert(session);
    next.run(Request::from_parts(parts, body)).await
}

/// `GET /console/login`.
pub async fn login_form(ctx: Ctx) -> Response {
    render::page(
        &ctx,
        StatusCode::OK,
        "login.html",
        minijinja::context! { failed => false, throttled => 0 },
    )
}

/// `POST /console/login`: the operator secret → a session. Failed sign-ins are throttled per
/// client address and in all (`[limits]`, [`crate::throttle`]): over the limit the answer is
/// `429` with `Retry-After`, before the secret is even compared.
pub async fn login(axum::extract::State(console): Cs, ctx: Ctx, req: Request) -> Response {
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0);
    let (parts, body) = req.into_parts();
    if !same_origin(&parts.headers, console.app.public_url.as_deref()) {
        return refused(&ctx);
    }
    let client = throttle::client_key(peer);
    let limiter = &console.app.limits.console_sign_in;
    if let Err(wait) = limiter.check(&client) {
        tracing::warn!(%client, retry_after_s = wait.as_secs(), "console sign-in throttled");
        let mut resp = render::page(
            &ctx,
            StatusCode::TOO_MANY_REQUESTS,
            "login.html",
            minijinja::context! { failed => false, throttled => wait.as_secs().max(1) },
        );
        if let Ok(v) = HeaderValue::from_str(&throttle::retry_after_header(wait)) {
            resp.headers_mut().insert(header::RETRY_AFTER, v);
        }
        return resp;
    }
    let Ok(bytes) = to_bytes(body, FORM_LIMIT).await else {
        return refused(&ctx);
    };
    let pairs = form_pairs(&bytes);
    let given = field(&pairs, "secret").unwrap_or("").trim();
    if given.is_empty() || !console.operator_secret.ct_eq(given) {
        limiter.hit(&client);
        tracing::warn!(%client, "console sign-in refused");
        return render::page(
            &ctx,
            StatusCode::UNAUTHORIZED,
            "login.html",
            minijinja::context! { failed => true, throttled => 0 },
        );
    }
    match start_session(&console).await {
        Ok(cookie) => (
            [(header::SET_COOKIE, cookie)],
            Redirect::to("/console/groups"),
        )
            .into_response(),
        Err(e) => {
            tracing::error!(error = %e, "console session could not be stored");
            (StatusCode::SERVICE_UNAVAILABLE, "storage unavailable").into_response()
        }
    }
}

async fn start_session(console: &Arc<Console>) -> Result<String, sqlx::Error> {
    let now = util::now();
    let _ = store::console::purge_expired_sessions(&console.app.db, now).await;
    let token = random_token();
    store::console::create_session(
        &console.app.db,
        &hash_token(&token),
        &random_token(),
        now,
        now + chrono::Duration::hours(SESSION_HOURS),
    )
    .await?;
    Ok(session_cookie(
        &token,
        SESSION_HOURS * 3600,
        console.secure_cookies,
    ))
}

fn session_cookie(value: &str, max_age: i64, secure: bool) -> String {
    format!(
        "{SESSION_COOKIE}={value}; Path=/console; HttpOnly; SameSite=Strict; Max-Age={max_age}{}",
        if secure { "; Secure" } else { "" }
    )
}

/// `POST /console/logout`: the session ends here and in the browser.
pub async fn logout(axum::extract::State(console): Cs, ctx: Ctx) -> Response {
    if let Some(s) = &ctx.session {
        if let Err(e) = store::console::delete_session(&console.app.db, &s.token_hash).await {
            tracing::error!(error = %e, "console session could not be deleted");
        }
    }
    (
        [(
            header::SET_COOKIE,
            session_cookie("", 0, console.secure_cookies),
        )],
        Redirect::to("/console/login"),
    )
        .into_response()
}

/// `GET /console/lang/{ko|en}?back=/console/...`: remember the language, go back. Only a
/// display preference: nothing else changes.
pub async fn switch_language(
    Path(lang): Path<String>,
    Query(q): Query<std::collections::HashMap<String, String>>,
) -> Response {
    let Some(lang) = super::i18n::Lang::parse(&lang) else {
        return Redirect::to("/console").into_response();
    };
    // Only back into the console (never another site: `//evil.example` is refused).
    let back = q
        .get("back")
        .filter(|b| b.starts_with("/console") && !b.starts_with("//") && !b.contains('\\'))
        .cloned()
        .unwrap_or_else(|| "/console".into());
    (
        [(
            header::SET_COOKIE,
            format!(
                "{LANG_COOKIE}={}; Path=/console; SameSite=Lax; Max-Age=31536000",
                lang.code()
            ),
        )],
        Redirect::to(&back),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origin_must_be_this_host_when_sent() {
        let mut h = HeaderMap::new();
        h.insert(header::HOST, "127.0.0.1:8080".parse().unwrap());
        assert!(same_origin(&h, None));
        h.insert(header::ORIGIN, "http://127.0.0.1:8080".parse().unwrap());
        assert!(same_origin(&h, None));
        h.insert(header::ORIGIN, "http://evil.example".parse().unwrap());
        assert!(!same_origin(&h, None));
        assert!(!same_origin(&h, Some("https://pay.example")));
        h.insert(header::ORIGIN, "https://pay.example".parse().unwrap());
        assert!(same_origin(&h, Some("https://pay.example")));
        h.insert(header::ORIGIN, "null".parse().unwrap());
        assert!(!same_origin(&h, None));
        assert_ne!(hash_token("a"), "a");
        assert_eq!(
            form_pairs(b"k=1&k=2&csrf=x%20y"),
            vec![
                ("k".to_string(), "1".to_string()),
                ("k".to_string(), "2".to_string()),
                ("csrf".to_string(), "x y".to_string())
            ]
        );
    }
}
