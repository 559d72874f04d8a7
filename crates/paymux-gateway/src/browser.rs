//! The browser SDKs' side of hosted checkout: a merchant page that loaded
//! `/v2/browser-sdk.js` (`PortOne.requestPayment`, ...) or `/v1/iamport.js`
//! (`IMP.request_pay`) creates its checkout session here, without the API secret.
//!
//! The page names its store by the public `storeId` (V1: the code given to `IMP.init`); only
//! stores configured under `[browser]` (the sandbox's `store-paymux-sandbox`) are served, only
//! to their origins, only with their channels and channel groups of their environment. Nothing
//! else differs from `POST /checkout/sessions`: the same validation, routing and records, and
//! the amount is what the request says, recorded on the payment for the merchant's server to
//! compare (PortOne's guide). A pre-registered amount (`POST /payments/{id}/pre-register`,
//! another issue) would be checked in [`create`], before [`checkout::create_parsed`].
//!
//! The result reaches the page by the window mode: `POPUP` / `IFRAME` sessions return to
//! `GET /browser/result?origin=<page origin>`, a page that posts PortOne's result fields to
//! its opener (or parent) for that origin only; `REDIRECTION` sessions return to the page's
//! `redirectUrl`, which must be on one of the store's origins.

use paymux_core::adapter::CheckoutRequest;
use paymux_core::channel::Environment;
use paymux_core::model::checkout::v1;
use serde_json::{json, Map, Value};

use crate::checkout::{self, public_base, CreateRequest, Kind};
use crate::config::BrowserStore;
use crate::error::ApiError;
use crate::state::AppState;

/// Path of the result page popup and iframe windows return to.
pub const RESULT_PATH: &str = "/browser/result";

/// Path V1 redirect-mode windows return to, on their way to `m_redirect_url`.
pub const V1_RETURN_PATH: &str = "/browser/v1/return";

/// The fields a result page gives the SDK (PortOne's `PaymentResponse` /
/// `IssueBillingKeyResponse`).
pub const RESULT_FIELDS: &[&str] = &[
    "paymentId",
    "billingKey",
    "txId",
    "transactionType",
    "code",
    "message",
    "pgCode",
    "pgMessage",
];

/// How the SDK shows the PG's window (`windowMode`; `POPUP` when absent).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[schema(as = WindowMode)]
pub enum Mode {
    /// A popup window; the result is posted to its opener.
    Popup,
    /// An iframe over the page; the result is posted to its parent.
    Iframe,
    /// The page itself goes to the window and comes back to `redirectUrl`.
    Redirection,
}

impl Mode {
    fn parse(v: Option<&Value>) -> Result<Mode, ApiError> {
        match v {
            None | Some(Value::Null) => Ok(Mode::Popup),
            Some(Value::String(s)) if s == "POPUP" => Ok(Mode::Popup),
            Some(Value::String(s)) if s == "IFRAME" => Ok(Mode::Iframe),
            Some(Value::String(s)) if s == "REDIRECTION" => Ok(Mode::Redirection),
            _ => Err(ApiError::invalid(
                "windowMode: must be POPUP, IFRAME or REDIRECTION",
            )),
        }
    }
}

/// The configured store named `id`: an unknown one is refused.
pub fn store<'a>(st: &'a AppState, id: &str) -> Result<&'a BrowserStore, ApiError> {
    st.browser_stores.iter().find(|s| s.id == id).ok_or_else(|| {
        ApiError::new(
            axum::http::StatusCode::FORBIDDEN,
            "STORE_NOT_FOUND",
            format!(
                "storeId: `{}` is not a store this gateway serves to browsers (configure it under [[browser.stores]])",
                printable(id)
            ),
        )
    })
}

/// Whether any configured store allows pages of `origin` (CORS preflight: no body yet).
pub fn any_store_allows(st: &AppState, origin: &str) -> bool {
    st.browser_stores.iter().any(|s| s.allows_origin(origin))
}

/// At most 64 printable characters of a caller's value, for an error message.
fn printable(s: &str) -> String {
    s.chars().filter(|c| !c.is_control()).take(64).collect()
}

fn forbidden(message: String) -> ApiError {
    ApiError::new(axum::http::StatusCode::FORBIDDEN, "FORBIDDEN", message)
}

/// The page's origin must be one of the store's.
fn check_origin(store: &BrowserStore, origin: Option<&str>) -> Result<(), ApiError> {
    let allowed = match origin {
        Some(o) => store.allows_origin(o),
        None => store.origins.iter().any(|o| o == "*"),
    };
    if allowed {
        return Ok(());
    }
    Err(forbidden(format!(
        "Origin: `{}` is not an allowed origin of store `{}`",
        printable(origin.unwrap_or("(none)")),
        store.id
    )))
}

fn channel_key_of(c: &CheckoutRequest) -> Option<&str> {
    match c {
        CheckoutRequest::Payment(r) => r.channel_key.as_deref(),
        CheckoutRequest::IssueBillingKey(r) => r.channel_key.as_deref(),
        CheckoutRequest::IssueBillingKeyAndPay(r) => r.channel_key.as_deref(),
    }
}

fn store_id_of(c: &CheckoutRequest) -> &str {
    match c {
        CheckoutRequest::Payment(r) => &r.store_id,
        CheckoutRequest::IssueBillingKey(r) => &r.store_id,
        CheckoutRequest::IssueBillingKeyAndPay(r) => &r.store_id,
    }
}

fn redirect_url_mut(c: &mut CheckoutRequest) -> &mut Option<String> {
    match c {
        CheckoutRequest::Payment(r) => &mut r.redirect_url,
        CheckoutRequest::IssueBillingKey(r) => &mut r.redirect_url,
        CheckoutRequest::IssueBillingKeyAndPay(r) => &mut r.redirect_url,
    }
}

fn env_name(test: bool) -> &'static str {
    if test {
        "test"
    } else {
        "live"
    }
}

/// The channel (or every channel of the group) must be the store's, of its environment.
async fn check_channels(
    st: &AppState,
    store: &BrowserStore,
    req: &CreateRequest,
) -> Result<(), ApiError> {
    let env_ok = |e: Environment| store.environment.map_or(true, |s| s == e);
    if let Some(key) = channel_key_of(&req.checkout) {
        let entry = st.channels.get(key);
        if !store.allows_channel(key) || entry.is_none() {
            // An unknown channel and another store's look the same to a browser.
            return Err(forbidden(format!(
                "channelKey: `{}` is not a channel of store `{}`",
                printable(key),
                store.id
            )));
        }
        if let Some(e) = entry.filter(|e| !env_ok(e.ctx.environment)) {
            return Err(forbidden(format!(
                "channelKey: `{key}` is a {} channel; store `{}` takes {} channels only",
                e.ctx.environment,
                store.id,
                store.environment.map_or("any", |e| e.as_str())
            )));
        }
    }
    if let Some(gid) = &req.channel_group_id {
        // An unknown group is answered by the checkout itself (404 naming the group).
        if let Some(g) = crate::groups::current(st, gid).await? {
            let test = g.is_for_test();
            if let Some(want) = store.environment {
                if (want == Environment::Test) != test {
                    return Err(forbidden(format!(
                        "channelGroupId: group `{gid}` is a {} group; store `{}` takes {} groups only",
                        env_name(test),
                        store.id,
                        want
                    )));
                }
            }
            if let Some(c) = g
                .channels
                .iter()
                .find(|c| !store.allows_channel(&c.channel_key))
            {
                return Err(forbidden(format!(
                    "channelGroupId: group `{gid}` includes channel `{}`, which is not a channel of store `{}`",
                    c.channel_key, store.id
                )));
            }
        }
    }
    Ok(())
}

/// Where a popup or iframe window returns: the result page, told the page's origin.
fn result_url(st: &AppState, host: Option<&str>, origin: Option<&str>) -> String {
    let base = public_base(st, host);
    let mut url = reqwest::Url::parse(&format!("{base}{RESULT_PATH}"))
        .unwrap_or_else(|_| reqwest::Url::parse("http://127.0.0.1/").expect("static URL"));
    if let Some(o) = origin {
        url.query_pairs_mut().append_pair("origin", o);
    }
    url.to_string()
}

/// A `redirectUrl` must lead back to one of the store's origins (no open redirect).
fn check_redirect(store: &BrowserStore, url: Option<&str>) -> Result<(), ApiError> {
    check_redirect_named(store, url, "redirectUrl")
}

/// [`check_redirect`], naming the parameter as the caller spelled it (V1: `m_redirect_url`).
fn check_redirect_named(
    store: &BrowserStore,
    url: Option<&str>,
    field: &str,
) -> Result<(), ApiError> {
    let Some(url) = url else {
        return Err(ApiError::invalid(format!(
            "{field}: is required in redirect mode (on a phone, or windowType REDIRECTION)"
        )));
    };
    let parsed = reqwest::Url::parse(url)
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https"))
        .ok_or_else(|| ApiError::invalid(format!("{field}: must be an absolute http(s) URL")))?;
    let origin = parsed.origin().ascii_serialization();
    if store.allows_origin(&origin) {
        Ok(())
    } else {
        Err(forbidden(format!(
            "{field}: `{}` is not an allowed origin of store `{}`",
            printable(&origin),
            store.id
        )))
    }
}

/// The body of `POST /browser/checkout`: `windowMode` plus the body of
/// `POST /checkout/sessions` (`kind` and the SDK call's parameters). [`create`] reads
/// `windowMode` first and the rest as the checkout API does.
#[derive(Debug, Clone, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
#[allow(dead_code)] // the body is read field by field (see `create`); this names its shape
pub struct BrowserCheckoutRequest {
    /// How the window is shown (`POPUP` when absent).
    pub window_mode: Option<Mode>,
    /// `kind` and the SDK call's parameters.
    #[serde(flatten)]
    pub checkout: paymux_core::model::CheckoutRequest,
}

/// The body of `POST /browser/v1/checkout`, as `/v1/iamport.js` sends it.
#[derive(Debug, Clone, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
#[allow(dead_code)] // the body is read field by field (see `create_v1`); this names its shape
pub struct BrowserCheckoutRequestV1 {
    /// The store (`IMP.init(storeId)`).
    pub store_id: String,
    /// How the window is shown (`POPUP` when absent).
    pub window_mode: Option<Mode>,
    /// `IMP.request_pay`'s parameters.
    pub params: v1::RequestPay,
}

/// What the SDK needs from a created session (the answer of `POST /browser/checkout` and
/// `POST /browser/v1/checkout`).
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct BrowserCheckoutAnswer {
    /// Where the window opens.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub checkout_url: Option<String>,
    /// The payment (payment kinds).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub payment_id: Option<String>,
    /// The payment attempt (payment kinds).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub tx_id: Option<String>,
    /// The billing key (billing-key kinds).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub billing_key: Option<String>,
    /// When the session expires (RFC 3339).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub expires_at: Option<String>,
    /// `PAYMENT`, `ISSUE_BILLING_KEY` or `ISSUE_BILLING_KEY_AND_PAY`.
    pub transaction_type: &'static str,
}

/// What the SDK needs from a created session.
fn answer(created: &Value, kind: Kind) -> Value {
    let text = |k: &str| created.get(k).and_then(Value::as_str).map(str::to_string);
    crate::views::render(&BrowserCheckoutAnswer {
        checkout_url: text("checkoutUrl"),
        payment_id: text("paymentId"),
        tx_id: text("transactionId"),
        billing_key: text("billingKey"),
        expires_at: text("expiresAt"),
        transaction_type: kind.as_str(),
    })
}

/// Check the store, origin and channel, point the window's return where `mode` needs it, and
/// create the session. `return_checked`: the caller already checked (and set) where a
/// redirect-mode window returns.
async fn open(
    st: &AppState,
    mut req: CreateRequest,
    mode: Mode,
    host: Option<&str>,
    origin: Option<&str>,
    return_checked: bool,
) -> Result<Value, ApiError> {
    let store = store(st, store_id_of(&req.checkout))?;
    check_origin(store, origin)?;
    check_channels(st, store, &req).await?;
    match mode {
        Mode::Redirection if return_checked => {}
        Mode::Redirection => check_redirect(store, redirect_url_mut(&mut req.checkout).as_deref())?,
        Mode::Popup | Mode::Iframe => {
            *redirect_url_mut(&mut req.checkout) = Some(result_url(st, host, origin));
        }
    }
    let kind = req.kind;
    let created = checkout::create_parsed(st, req, host).await?;
    Ok(answer(&created, kind))
}

/// `POST /browser/checkout`: the parameters of `PortOne.requestPayment` (or the billing-key
/// calls, with `kind`), plus `windowMode`.
pub async fn create(
    st: &AppState,
    bytes: &[u8],
    host: Option<&str>,
    origin: Option<&str>,
) -> Result<Value, ApiError> {
    let raw: Value = crate::error::parse_body(bytes)?;
    let Value::Object(mut obj) = raw else {
        return Err(ApiError::invalid("the request body must be a JSON object"));
    };
    let mode = Mode::parse(obj.remove("windowMode").as_ref())?;
    // The store first, so that an unknown store is refused before its parameters are read.
    match obj.get("storeId") {
        Some(Value::String(s)) => {
            store(st, s)?;
        }
        _ => return Err(ApiError::invalid("storeId: is required (a string)")),
    }
    let req = checkout::parse_value(Value::Object(obj))?;
    open(st, req, mode, host, origin, false).await
}

/// `POST /browser/v1/checkout`: `{storeId, windowMode, params}` where `params` are those of
/// `IMP.request_pay`, mapped by core's V1 mapping (errors name the V1 parameter).
pub async fn create_v1(
    st: &AppState,
    bytes: &[u8],
    host: Option<&str>,
    origin: Option<&str>,
) -> Result<Value, ApiError> {
    let raw: Value = crate::error::parse_body(bytes)?;
    let Value::Object(mut obj) = raw else {
        return Err(ApiError::invalid("the request body must be a JSON object"));
    };
    let mode = Mode::parse(obj.remove("windowMode").as_ref())?;
    let store_id = match obj.get("storeId") {
        Some(Value::String(s)) => store(st, s)?.id.clone(),
        _ => {
            return Err(ApiError::invalid(
                "storeId: is required: call IMP.init(storeId) first",
            ))
        }
    };
    let params = obj.remove("params").unwrap_or(Value::Null);
    let mut p: v1::RequestPay = crate::error::parse_body(params.to_string().as_bytes())?;
    if mode == Mode::Redirection {
        // The window comes back through the gateway, which answers m_redirect_url in V1's
        // words (imp_uid, merchant_uid, imp_success, error_code, error_msg).
        let store = store(st, &store_id)?;
        check_redirect_named(store, p.m_redirect_url.as_deref(), "m_redirect_url")?;
        let mut back = reqwest::Url::parse(&format!("{}{V1_RETURN_PATH}", public_base(st, host)))
            .map_err(|_| ApiError::internal("the gateway's public URL is not a URL"))?;
        back.query_pairs_mut()
            .append_pair("store", &store_id)
            .append_pair("to", p.m_redirect_url.as_deref().unwrap_or_default())
            .append_pair("merchant_uid", &p.merchant_uid);
        p.m_redirect_url = Some(back.to_string());
    } else {
        // PC windows answer the callback; m_redirect_url is for phones only (V1's rule).
        p.m_redirect_url = None;
    }
    let mapped = v1::translate(&p, &store_id).map_err(|e| ApiError::validation(&e))?;
    let kind = match &mapped.checkout {
        CheckoutRequest::Payment(_) => Kind::Payment,
        CheckoutRequest::IssueBillingKey(_) => Kind::IssueBillingKey,
        CheckoutRequest::IssueBillingKeyAndPay(_) => Kind::IssueBillingKeyAndPay,
    };
    if let Some(uid) = &mapped.customer_uid {
        check_customer_uid(uid)?;
    }
    let req = CreateRequest {
        kind,
        checkout: mapped.checkout,
        // V1's customer_uid names the billing key itself.
        billing_key_id: mapped.customer_uid,
        channel_group_id: None,
    };
    // In redirect mode the return goes through the gateway (checked above as m_redirect_url).
    open(st, req, mode, host, origin, mode == Mode::Redirection).await
}

/// V1's `customer_uid` becomes the billing key's id, a path segment of the API.
fn check_customer_uid(uid: &str) -> Result<(), ApiError> {
    let ok = !uid.is_empty()
        && uid.len() <= 80
        && uid
            .bytes()
            .all(|b| b.is_ascii_graphic() && !b"/?#%\\".contains(&b));
    if ok {
        Ok(())
    } else {
        Err(ApiError::invalid(
            "customer_uid: must be 1 to 80 printable ASCII characters without / ? # % or \\",
        ))
    }
}

/// `GET /browser/v1/return`: where a V1 redirect-mode window lands (with PortOne's result
/// fields); answers where to send the browser: `to` (the page's `m_redirect_url`, checked
/// against the store's origins again: this URL can be written by anyone) with V1's fields.
pub fn v1_return(st: &AppState, query: &[(String, String)]) -> Result<String, ApiError> {
    let get = |k: &str| query.iter().find(|(q, _)| q == k).map(|(_, v)| v.as_str());
    let store = store(st, get("store").unwrap_or_default())?;
    let to = get("to");
    check_redirect_named(store, to, "m_redirect_url")?;
    let mut url = reqwest::Url::parse(to.unwrap_or_default())
        .map_err(|_| ApiError::invalid("m_redirect_url: must be an absolute http(s) URL"))?;
    let ok = get("code").is_none();
    {
        let mut q = url.query_pairs_mut();
        q.append_pair("imp_uid", get("txId").unwrap_or_default());
        q.append_pair("merchant_uid", get("merchant_uid").unwrap_or_default());
        q.append_pair("imp_success", if ok { "true" } else { "false" });
        if !ok {
            q.append_pair("error_code", get("code").unwrap_or_default());
            q.append_pair("error_msg", get("message").unwrap_or_default());
        }
    }
    Ok(url.to_string())
}

/// The result fields of the result page's query, in [`RESULT_FIELDS`] order (others dropped).
pub fn result_fields(query: &[(String, String)]) -> Map<String, Value> {
    let mut m = Map::new();
    for f in RESULT_FIELDS {
        if let Some((_, v)) = query.iter().find(|(k, _)| k == f) {
            m.insert((*f).to_string(), json!(v));
        }
    }
    m
}

/// The order a result page shows (name, amount, currency): the payment named by `paymentId`,
/// only when `txId` is its transaction id (unguessable: whoever has it saw the window).
pub async fn result_order(
    st: &AppState,
    fields: &Map<String, Value>,
) -> Option<(String, i64, String)> {
    let pid = fields.get("paymentId")?.as_str()?;
    let tx = fields.get("txId")?.as_str()?;
    match crate::store::payments::load(&st.db, pid).await {
        Ok(Some(p)) if p.transaction_id == tx => Some((p.order_name, p.amount_total, p.currency)),
        Ok(_) => None,
        Err(e) => {
            tracing::warn!(error = %e, "result page without the order's details");
            None
        }
    }
}

/// The page origin a result page may post to: an `http(s)://host[:port]` origin, as given.
pub fn post_origin(query: &[(String, String)]) -> Option<String> {
    let (_, o) = query.iter().find(|(k, _)| k == "origin")?;
    let url = reqwest::Url::parse(o).ok()?;
    let norm = url.origin().ascii_serialization();
    (matches!(url.scheme(), "http" | "https") && norm == *o).then_some(norm)
}
