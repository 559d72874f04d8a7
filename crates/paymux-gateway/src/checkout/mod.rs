//! Hosted checkout: the payment-window flow (인증결제) of PortOne's browser SDK, served by the
//! gateway.
//!
//! 1. **`POST /checkout/sessions`** (authenticated) takes the parameters of the SDK's
//!    `requestPayment` (`kind: "PAYMENT"`, the default), `requestIssueBillingKey`
//!    (`"ISSUE_BILLING_KEY"`) or `requestIssueBillingKeyAndPay`
//!    (`"ISSUE_BILLING_KEY_AND_PAY"`), as the SDK spells them, plus `kind`. It validates
//!    (PortOne's generic rules, the [smart-routing rules](rules) with `channelGroupId`, then
//!    the chosen channel's adapter), routes (a group picks one channel by its weights among
//!    channels whose adapter can both prepare and complete a window for the method), builds
//!    the window with the adapter's `checkout.prepare`, records a `READY` payment (or an
//!    `ISSUING` billing key) and an `OPEN` session, queues `Transaction.Ready` /
//!    `BillingKey.Ready`, and answers `{sessionId, checkoutUrl, paymentId, billingKey,
//!    channel, expiresAt}`.
//! 2. **`GET /checkout/{sessionId}`** (the `checkoutUrl`, for the customer's browser) serves a
//!    small page that hands the browser to the PG's window: an auto-submitting form with the
//!    exact fields `checkout.prepare` encoded (decoded from the vendor charset into hidden
//!    inputs; the form's `accept-charset` is the vendor's, so the browser re-encodes them to
//!    the same bytes). See [`window`] for where the form goes (simulator in sandbox, the vendor
//!    in live).
//! 3. **`POST /checkout/return/{sessionId}`** is where the PG window posts its result
//!    ([`complete`]): the gateway runs `checkout.complete`, stores the outcome, queues the
//!    webhook, and redirects to `redirectUrl` with PortOne's result query parameters.
//!
//! **A window's result counts once.** The session row is a state machine claimed with
//! conditional `UPDATE`s: `OPEN → COMPLETING → COMPLETED | FAILED`, `OPEN → FAILED` (the window
//! reported failure), `OPEN → EXPIRED`. A second return, a late one, or one whose fields do not
//! verify gets an error page and never reaches the PG.
//!
//! **Nothing sensitive is stored.** The session keeps the prepared form (no card data: the
//! card is typed into the PG's window) and the result query parameters; the PG's return is
//! read in memory as secrets and dropped.

pub mod complete;
mod create;
pub mod request;
pub mod result;
pub mod rules;
pub mod window;

pub use create::{create, create_parsed};
pub use request::{parse_value, CreateRequest};

use paymux_core::adapter::{Method, Operation};
use paymux_core::wire::form_urldecode;
use serde_json::{json, Value};

use crate::domain::Destination;
use crate::domain::Transition;
use crate::error::ApiError;
use crate::flow;
use crate::state::AppState;
use crate::store;
use crate::util;
use crate::views::{self, checkout::CheckoutSession, checkout::ResultView};

/// Prefix of session ids (`cs_` + 32 hex digits).
pub const SESSION_PREFIX: &str = "cs_";

pub use crate::domain::SessionKind as Kind;
use crate::domain::SessionStatus;

pub use crate::store::sessions::SessionRow;

impl SessionRow {
    /// Whether the session's lifetime is over at `now` (µs).
    pub fn is_expired_at(&self, now: i64) -> bool {
        self.expires_at <= now
    }

    /// The method as the adapter contract names it.
    pub fn method(&self) -> Option<Method> {
        method_of(&self.method)
    }

    /// Where this session's webhooks go.
    pub fn destination(&self) -> Destination {
        Destination::from_columns(self.notice_urls_json.as_deref(), false)
    }
}

/// `CARD` → [`Method::Card`], ...
pub fn method_of(s: &str) -> Option<Method> {
    serde_json::from_value(Value::String(s.to_string())).ok()
}

/// Where a checkout step leaves the customer's browser; [`crate::http`] renders it.
#[derive(Debug)]
pub enum Landing {
    /// 404: no such session (`returned`: reached by the window's return, not the link).
    NotFound {
        /// The window's return, rather than the checkout link.
        returned: bool,
    },
    /// 410: the session's time is over.
    Expired,
    /// 409 (410 when expired): the session already has its result.
    Finished(Box<SessionRow>),
    /// 500: the session's channel is no longer configured.
    ChannelGone,
    /// 500: the stored window form cannot be read.
    WindowUnreadable,
    /// 400: the window's answer does not verify (the reason names fields, never values).
    Refused(String),
    /// 500: storage failed (logged).
    StorageError,
    /// 302 to the merchant's `redirectUrl` with the result parameters.
    Redirect(String),
    /// The shopper's result page.
    Result(ResultView),
    /// The hand-off page: the window form, submitted at once.
    Launch {
        /// The session.
        session: Box<SessionRow>,
        /// The form's fields, decoded.
        pairs: Vec<(String, String)>,
        /// Add the window kind (sandbox simulators).
        kind_hint: bool,
    },
}

impl Landing {
    /// A storage failure, logged here (pages never show it).
    pub fn storage(e: &sqlx::Error) -> Landing {
        tracing::error!(error = %e, "database error on a checkout page");
        Landing::StorageError
    }
}

/// Load a session.
pub async fn load(st: &AppState, id: &str) -> Result<Option<SessionRow>, sqlx::Error> {
    store::sessions::load(&st.db, id).await
}

/// `GET /checkout/sessions/{sessionId}`.
pub async fn get(st: &AppState, id: &str) -> Result<Value, ApiError> {
    match load(st, id).await? {
        Some(s) => Ok(views::render(&CheckoutSession::of(
            &s,
            st.channels.get(&s.channel_key).map(|c| c.selected()),
        ))),
        None => Err(ApiError::not_found(
            "CHECKOUT_SESSION_NOT_FOUND",
            format!("no checkout session `{id}`"),
        )),
    }
}

/// `GET /checkout/{sessionId}`: the hand-off page while the session is open.
pub async fn open_window(st: &AppState, id: &str) -> Landing {
    let s = match load(st, id).await {
        Ok(Some(s)) => s,
        Ok(None) => return Landing::NotFound { returned: false },
        Err(e) => return Landing::storage(&e),
    };
    let now = util::micros(util::now());
    if s.status == SessionStatus::Open && s.is_expired_at(now) {
        if let Err(e) = expire(st, &s).await {
            return Landing::storage(&e);
        }
        return Landing::Expired;
    }
    if s.status != SessionStatus::Open {
        return Landing::Finished(Box::new(s));
    }
    let Some(charset) = window::charset_of(&s.window_charset) else {
        return Landing::WindowUnreadable;
    };
    let Ok(pairs) = form_urldecode(s.window_form.as_bytes(), charset) else {
        return Landing::WindowUnreadable;
    };
    let sandbox = st
        .channels
        .get(&s.channel_key)
        .is_some_and(|c| window::is_sandbox(&c.ctx));
    if let Err(e) = store::sessions::mark_opened(&st.db, &s.id, util::from_micros(now)).await {
        tracing::warn!(error = %e, session = %s.id, "could not record that the window was opened");
    }
    Landing::Launch {
        session: Box::new(s),
        pairs,
        kind_hint: sandbox,
    }
}

/// The gateway's base URL as browsers reach it: the configured `public_url`; else, when the
/// gateway listens on an unspecified address (`0.0.0.0`), the `Host` the caller used; else
/// `http://<listen address>`.
pub fn public_base(st: &AppState, host: Option<&str>) -> String {
    if let Some(u) = &st.public_url {
        return u.clone();
    }
    let host = host.filter(|h| {
        !h.is_empty()
            && h.chars()
                .all(|c| c.is_ascii_alphanumeric() || "-.:[]".contains(c))
    });
    match host {
        Some(h) if st.local_addr.ip().is_unspecified() => format!("http://{h}"),
        _ => format!("http://{}", st.local_addr),
    }
}

/// A fresh, unguessable session id.
pub fn new_session_id() -> String {
    let bytes: [u8; 16] = rand::random();
    format!("{SESSION_PREFIX}{}", hex::encode(bytes))
}

/// Expire the payment's open sessions whose time is over. Returns how many were expired.
async fn expire_sessions_of_payment(st: &AppState, payment_id: &str) -> Result<usize, sqlx::Error> {
    let sessions = store::sessions::open_of_payment(&st.db, payment_id).await?;
    let now = util::micros(util::now());
    let mut n = 0;
    for s in sessions {
        if s.is_expired_at(now) && expire(st, &s).await? {
            n += 1;
        }
    }
    Ok(n)
}

/// Expire an `OPEN` session whose time is over: the session becomes `EXPIRED`, its payment
/// `FAILED` (`Transaction.Failed`), its billing key `FAILED` (`BillingKey.Failed`). `false`
/// when the session was no longer `OPEN` or not yet due (someone else moved it).
pub async fn expire(st: &AppState, s: &SessionRow) -> Result<bool, sqlx::Error> {
    let now = util::micros(util::now());
    let reason = "the payment window was not completed before its checkout session expired";
    let result = json!({"code": "FAILURE_TYPE_PG", "message": reason});
    if !store::sessions::expire(&st.db, &s.id, result.to_string(), now).await? {
        return Ok(false);
    }
    tracing::info!(session = %s.id, "checkout session expired");
    if let (Some(pid), Some(tid)) = (&s.payment_id, &s.transaction_id) {
        let t = Transition::Failed {
            failure: crate::domain::Failure::reason(reason),
        };
        flow::apply(st, pid, tid, &t).await?;
    }
    if let Some(bk) = &s.billing_key {
        complete::fail_billing_key(st, s, bk).await?;
    }
    Ok(true)
}

/// Expire every due open session (run by the reconciler's pass).
pub async fn expire_due(st: &AppState) -> Result<usize, sqlx::Error> {
    let now = util::micros(util::now());
    let mut n = 0;
    for s in store::sessions::due_to_expire(&st.db, now).await? {
        if expire(st, &s).await? {
            n += 1;
        }
    }
    Ok(n)
}

/// An example `POST /checkout/sessions` body for a sandbox channel.
pub fn sandbox_example(channel_key: &str, payment_id: &str) -> String {
    json!({
        "storeId": "store-paymux-sandbox",
        "channelKey": channel_key,
        "paymentId": payment_id,
        "orderName": "테스트 주문",
        "totalAmount": 1000,
        "currency": "KRW",
        "payMethod": "CARD",
        "customer": {"customerId": "cust-1", "fullName": "홍길동", "phoneNumber": "010-1234-5678", "email": "test@example.com"}
    })
    .to_string()
}

/// What `paymux serve` prints about hosted checkout in the sandbox.
pub fn sandbox_hint(st: &AppState, base_url: &str, api_secret: &str) -> Vec<String> {
    let Some(c) = st.channels.iter().find(|c| {
        c.descriptor
            .capabilities
            .supports(Operation::CheckoutComplete, Some(Method::Card))
    }) else {
        return Vec::new();
    };
    vec![
        format!(
            "  checkout:       curl -s -H 'Authorization: PortOne {api_secret}' -H 'Content-Type: application/json' \\\n                    -d '{}' \\\n                    {base_url}/checkout/sessions",
            sandbox_example(&c.ctx.key, &util::new_id("payment"))
        ),
        "                  then open the answered checkoutUrl in a browser and pay in the simulated window".into(),
        "                  (a card number ending in 0002 is declined, 0051 is insufficient funds)".into(),
        format!(
            "  browser SDK:    <script src=\"{base_url}/v2/browser-sdk.js\"></script> on any page, then\n                    PortOne.requestPayment({{storeId: \"{}\", channelKey: \"{}\", ...}}); V1: {base_url}/v1/iamport.js",
            st.browser_stores.first().map_or(st.store_id.as_str(), |s| s.id.as_str()),
            c.ctx.key
        ),
    ]
}
