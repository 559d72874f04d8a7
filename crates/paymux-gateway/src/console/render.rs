//! Rendering pages: the templates (compiled in, HTML auto-escaped), what every page gets
//! (language, its words, the session's CSRF token, the path for the language switch), and the
//! request context handlers take ([`Ctx`]).

use std::sync::OnceLock;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use chrono::{DateTime, FixedOffset, Utc};
use minijinja::{Environment, Value};

use super::auth::Session;
use super::i18n::{self, Lang};

/// The cookie that keeps the chosen language (not a secret; not HTTP-only so nothing depends
/// on that, but it is only read by the server).
pub const LANG_COOKIE: &str = "paymux_console_lang";

/// What a handler knows about the request: the language, the session (on signed-in pages),
/// and the path (for the language switch's way back).
#[derive(Clone)]
pub struct Ctx {
    /// Korean by default.
    pub lang: Lang,
    /// The signed-in session, on pages behind the sign-in.
    pub session: Option<Session>,
    /// The request path and query.
    pub path: String,
}

impl<S: Send + Sync> FromRequestParts<S> for Ctx {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let lang = cookie(&parts.headers, LANG_COOKIE)
            .and_then(|v| Lang::parse(&v))
            .unwrap_or_default();
        Ok(Ctx {
            lang,
            session: parts.extensions.get::<Session>().cloned(),
            path: parts
                .uri
                .path_and_query()
                .map(|p| p.as_str().to_string())
                .unwrap_or_else(|| "/console".into()),
        })
    }
}

/// A cookie's value from the request headers.
pub fn cookie(headers: &axum::http::HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim().to_string())
}

const TEMPLATES: &[(&str, &str)] = &[
    ("base.html", include_str!("templates/base.html")),
    ("login.html", include_str!("templates/login.html")),
    ("message.html", include_str!("templates/message.html")),
    ("groups.html", include_str!("templates/groups.html")),
    ("group_form.html", include_str!("templates/group_form.html")),
    (
        "group_delete.html",
        include_str!("templates/group_delete.html"),
    ),
    (
        "group_chart.html",
        include_str!("templates/group_chart.html"),
    ),
    ("channels.html", include_str!("templates/channels.html")),
    ("payments.html", include_str!("templates/payments.html")),
    ("payment.html", include_str!("templates/payment.html")),
];

fn env() -> &'static Environment<'static> {
    static ENV: OnceLock<Environment<'static>> = OnceLock::new();
    ENV.get_or_init(|| {
        let mut env = Environment::new();
        // A missing value is a bug in a handler, not an empty string on a page.
        env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
        env.add_filter("urlencode_path", |s: String| urlencode(&s));
        for (name, text) in TEMPLATES {
            env.add_template(name, text)
                .unwrap_or_else(|e| panic!("console template {name}: {e}"));
        }
        env
    })
}

/// Render `template` with `data` plus what every page gets.
pub fn page(ctx: &Ctx, status: StatusCode, template: &str, data: Value) -> Response {
    let common = minijinja::context! {
        lang => ctx.lang.code(),
        other_lang => ctx.lang.other().code(),
        other_lang_name => ctx.lang.other().name(),
        t => i18n::words(ctx.lang),
        csrf => ctx.session.as_ref().map(|s| s.csrf_token.clone()),
        signed_in => ctx.session.is_some(),
        lang_url => format!(
            "/console/lang/{}?{}",
            ctx.lang.other().code(),
            serde_urlencoded::to_string([("back", ctx.path.as_str())]).unwrap_or_default()
        ),
    };
    let merged = minijinja::context! { ..data, ..common };
    match env().get_template(template).and_then(|t| t.render(merged)) {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => {
            tracing::error!(template, error = %e, "console page failed to render");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                Html("<!doctype html><title>paymux</title><p>console error (logged)</p>"),
            )
                .into_response()
        }
    }
}

/// A page with a title and one message, both words of the catalog.
pub fn message(ctx: &Ctx, status: StatusCode, title: &str, body: &str) -> Response {
    let t = i18n::words(ctx.lang);
    text_message(ctx, status, t.get(title), t.get(body))
}

/// A page with a title and a message (already in the page's language).
pub fn text_message(ctx: &Ctx, status: StatusCode, title: &str, body: &str) -> Response {
    page(
        ctx,
        status,
        "message.html",
        minijinja::context! { title => title, body => body },
    )
}

/// A path segment, percent-encoded (payment ids are the merchant's text).
pub fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Korea's offset: the console shows every time in KST, as PortOne's console does.
pub fn kst() -> FixedOffset {
    FixedOffset::east_opt(9 * 3600).expect("a valid offset")
}

/// A time for a page: `2026-05-01 13:00:05` (KST).
pub fn show_time(t: DateTime<Utc>) -> String {
    t.with_timezone(&kst())
        .format("%Y-%m-%d %H:%M:%S")
        .to_string()
}

/// [`show_time`] of microseconds since the epoch.
pub fn show_micros(us: i64) -> String {
    show_time(crate::util::from_micros(us))
}

/// [`show_time`] of an RFC 3339 text from a view; the text itself when it is not one.
pub fn show_rfc3339(s: &str) -> String {
    DateTime::parse_from_rfc3339(s)
        .map(|t| show_time(t.with_timezone(&Utc)))
        .unwrap_or_else(|_| s.to_string())
}

/// A number of won with thousands separators: `1,234,000`.
pub fn money(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 {
        format!("-{out}")
    } else {
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_template_compiles_and_money_reads_well() {
        let _ = env();
        assert_eq!(money(0), "0");
        assert_eq!(money(1000), "1,000");
        assert_eq!(money(-1234567), "-1,234,567");
        assert_eq!(show_micros(0), "1970-01-01 09:00:00");
    }
}
