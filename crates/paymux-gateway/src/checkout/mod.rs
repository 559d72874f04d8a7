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
pub mod rules;
pub mod window;

use chrono::{DateTime, Utc};
use paymux_core::adapter::{
    kst, CheckoutPrepareCall, CheckoutRequest, EncodeContext, Method, Operation, PgRequest,
    WireTarget,
};
use paymux_core::execute;
use paymux_core::model::{
    CheckoutCustomer, IssueBillingKeyAndPayRequest, IssueBillingKeyRequest, PaymentRequest,
    ProductType, Validate,
};
use paymux_core::money::{AmountBreakdown, Money, PaymentAmountInput};
use paymux_core::validation::{FieldPath, ValidationErrors};
use paymux_core::wire::form_urldecode;
use paymux_routing::FailoverPlan;
use serde_json::{json, Map, Value};

use crate::channels::ChannelEntry;
use crate::domain::Transition;
use crate::error::ApiError;
use crate::flow;
use crate::payments::{NewPayment, Origin};
use crate::state::AppState;
use crate::store;
use crate::store::billing_keys::NewKey;
use crate::store::payments::Claim;
use crate::store::sessions::WindowPayment;
use crate::util::{self, put};
use crate::views::checkout::ResultView;
use crate::webhooks::{self, Destination};

/// Prefix of session ids (`cs_` + 32 hex digits).
pub const SESSION_PREFIX: &str = "cs_";

pub use crate::domain::SessionKind as Kind;
use crate::domain::{PaymentKind, PaymentStatus, SessionStatus};

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

    /// The admin/API view (`GET /checkout/sessions/{id}`).
    pub fn view(&self, st: &AppState) -> Value {
        let mut m = Map::new();
        m.insert("id".into(), json!(self.id));
        m.insert("kind".into(), json!(self.kind.as_str()));
        m.insert("status".into(), json!(self.status.as_str()));
        m.insert("storeId".into(), json!(self.store_id));
        put(&mut m, "paymentId", json!(self.payment_id));
        put(&mut m, "transactionId", json!(self.transaction_id));
        put(&mut m, "billingKey", json!(self.billing_key));
        m.insert("orderId".into(), json!(self.order_id));
        if let Some(c) = st.channels.get(&self.channel_key) {
            m.insert(
                "channel".into(),
                serde_json::to_value(c.selected()).unwrap_or(Value::Null),
            );
        }
        m.insert("method".into(), json!(self.method));
        m.insert("amount".into(), json!(self.amount_total));
        put(&mut m, "redirectUrl", json!(self.redirect_url));
        m.insert("createdAt".into(), util::time_json(Some(self.created_at)));
        m.insert("expiresAt".into(), util::time_json(Some(self.expires_at)));
        put(&mut m, "openedAt", util::time_json(self.opened_at));
        put(&mut m, "finishedAt", util::time_json(self.finished_at));
        put(
            &mut m,
            "result",
            util::parse_json(self.result_json.as_deref()),
        );
        Value::Object(m)
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
        Some(s) => Ok(s.view(st)),
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

/// The parsed request of `POST /checkout/sessions`.
#[derive(Debug, Clone)]
pub struct CreateRequest {
    /// The SDK call.
    pub kind: Kind,
    /// Its parameters.
    pub checkout: CheckoutRequest,
    /// Whether the body named a `channelGroupId`.
    pub channel_group_id: Option<String>,
}

/// Parse the body: `kind` plus the SDK parameters. Errors name the field path.
pub fn parse_request(bytes: &[u8]) -> Result<CreateRequest, ApiError> {
    let raw: Value = crate::error::parse_body(bytes)?;
    let Value::Object(mut obj) = raw else {
        return Err(ApiError::invalid("the request body must be a JSON object"));
    };
    let kind = match obj.remove("kind") {
        None | Some(Value::Null) => Kind::Payment,
        Some(Value::String(s)) => Kind::parse(&s).ok_or_else(|| {
            ApiError::invalid(
                "kind: must be PAYMENT (requestPayment), ISSUE_BILLING_KEY (requestIssueBillingKey) \
                 or ISSUE_BILLING_KEY_AND_PAY (requestIssueBillingKeyAndPay)",
            )
        })?,
        Some(_) => return Err(ApiError::invalid("kind: must be a string")),
    };
    let channel_group_id = match obj.get("channelGroupId") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(_) => return Err(ApiError::invalid("channelGroupId: must be a string")),
    };
    if kind != Kind::Payment && channel_group_id.is_some() {
        return Err(ApiError::invalid(format!(
            "channelGroupId: a {} window takes a channelKey only; PortOne issues billing keys \
             through a channel group only with the API (POST /billing-keys with channelGroupId)",
            match kind {
                Kind::IssueBillingKey => "billing-key (requestIssueBillingKey)",
                _ => "billing-key-and-pay (requestIssueBillingKeyAndPay)",
            }
        )));
    }
    let text = Value::Object(obj).to_string();
    let checkout = match kind {
        Kind::Payment => {
            CheckoutRequest::Payment(Box::new(crate::error::parse_body(text.as_bytes())?))
        }
        Kind::IssueBillingKey => {
            CheckoutRequest::IssueBillingKey(Box::new(crate::error::parse_body(text.as_bytes())?))
        }
        Kind::IssueBillingKeyAndPay => CheckoutRequest::IssueBillingKeyAndPay(Box::new(
            crate::error::parse_body(text.as_bytes())?,
        )),
    };
    Ok(CreateRequest {
        kind,
        checkout,
        channel_group_id,
    })
}

/// PortOne's generic rules plus, with `channelGroupId`, the smart-routing rules.
pub fn validate_request(req: &CreateRequest) -> Result<(), ValidationErrors> {
    let mut errs = ValidationErrors::default();
    let root = FieldPath::root("");
    match &req.checkout {
        CheckoutRequest::Payment(r) => {
            r.validate(&root, &mut errs);
            if r.channel_group_id.is_some() {
                rules::smart_routing(r, &mut errs);
            }
        }
        CheckoutRequest::IssueBillingKey(r) => r.validate(&root, &mut errs),
        CheckoutRequest::IssueBillingKeyAndPay(r) => r.validate(&root, &mut errs),
    }
    errs.into_result()
}

/// The pieces of the request the records need, whatever its kind.
struct Order<'a> {
    store_id: &'a str,
    payment_id: Option<&'a str>,
    order_name: &'a str,
    currency: String,
    amount: Option<PaymentAmountInput>,
    customer: Option<&'a CheckoutCustomer>,
    custom_data: Option<&'a Value>,
    redirect_url: Option<&'a str>,
    notice_urls: Vec<String>,
    extra: Vec<(&'static str, Value)>,
}

fn order_of(c: &CheckoutRequest) -> Order<'_> {
    match c {
        CheckoutRequest::Payment(r) => order_of_payment(r),
        CheckoutRequest::IssueBillingKey(r) => order_of_issue(r),
        CheckoutRequest::IssueBillingKeyAndPay(r) => order_of_and_pay(r),
    }
}

fn order_of_payment(r: &PaymentRequest) -> Order<'_> {
    Order {
        store_id: &r.store_id,
        payment_id: Some(&r.payment_id),
        order_name: &r.order_name,
        currency: r.currency.code().to_string(),
        amount: Some(r.amount()),
        customer: r.customer.as_ref(),
        custom_data: r.custom_data.as_ref(),
        redirect_url: r.redirect_url.as_deref(),
        notice_urls: r.notice_urls.clone().unwrap_or_default(),
        extra: vec![
            ("products", json!(r.products)),
            ("productType", json!(r.product_type.map(ProductType::from))),
            ("promotionId", json!(r.promotion_id)),
            ("isCulturalExpense", json!(r.is_cultural_expense)),
            ("country", json!(r.country)),
            (
                "escrow",
                json!(r.is_escrow.filter(|e| *e).map(|_| json!({}))),
            ),
        ],
    }
}

fn order_of_issue(r: &IssueBillingKeyRequest) -> Order<'_> {
    Order {
        store_id: &r.store_id,
        payment_id: None,
        order_name: r.issue_name.as_deref().unwrap_or_default(),
        currency: r
            .currency
            .as_ref()
            .map(|c| c.code().to_string())
            .unwrap_or_else(|| "KRW".into()),
        amount: None,
        customer: r.customer.as_ref(),
        custom_data: r.custom_data.as_ref(),
        redirect_url: r.redirect_url.as_deref(),
        notice_urls: r.notice_urls.clone().unwrap_or_default(),
        extra: Vec::new(),
    }
}

fn order_of_and_pay(r: &IssueBillingKeyAndPayRequest) -> Order<'_> {
    Order {
        store_id: &r.store_id,
        payment_id: Some(&r.payment_id),
        order_name: &r.order_name,
        currency: r.currency.code().to_string(),
        amount: Some(r.amount()),
        customer: r.customer.as_ref(),
        custom_data: r.custom_data.as_ref(),
        redirect_url: r.redirect_url.as_deref(),
        notice_urls: r.notice_urls.clone().unwrap_or_default(),
        extra: vec![
            ("products", json!(r.products)),
            ("productType", json!(r.product_type.map(ProductType::from))),
            ("isCulturalExpense", json!(r.is_cultural_expense)),
            ("country", json!(r.country)),
        ],
    }
}

/// `customData` as stored: a string stays itself, other JSON is kept as its text.
fn custom_data_text(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::Null => None,
        Value::String(s) => Some(s.clone()),
        other => Some(other.to_string()),
    }
}

/// The masked `PaymentMethod` a window payment starts with (the PG's answer fills it in).
pub fn initial_method_json(m: Method) -> Value {
    let t = match m {
        Method::Card => "PaymentMethodCard",
        Method::VirtualAccount => "PaymentMethodVirtualAccount",
        Method::Transfer => "PaymentMethodTransfer",
        Method::Mobile => "PaymentMethodMobile",
        Method::EasyPay => "PaymentMethodEasyPay",
        Method::GiftCertificate => "PaymentMethodGiftCertificate",
        Method::Paypal => "PaymentMethodPaypal",
        Method::Alipay | Method::AlipayPlus => "PaymentMethodEasyPay",
        Method::ConvenienceStore => "PaymentMethodConvenienceStore",
    };
    json!({ "type": t })
}

/// The chosen channel, its group, and the group's channels whose rules refuse the window.
type Routed = (
    String,
    Option<paymux_routing::ChannelGroup>,
    Vec<paymux_routing::SkippedChannel>,
);

/// Choose the channel: the explicit `channelKey`, or one channel of the group by its weights
/// among channels whose adapter can both prepare and complete a window for `method` and whose
/// rules accept `prepare` (the window request).
async fn route(
    st: &AppState,
    req: &CreateRequest,
    routing_id: &str,
    method: Method,
    prepare: &PgRequest,
) -> Result<Routed, ApiError> {
    let can_window = |e: &ChannelEntry| {
        let caps = &e.descriptor.capabilities;
        caps.supports(Operation::CheckoutPrepare, Some(method))
            && caps.supports(Operation::CheckoutComplete, Some(method))
    };
    let channel_key = match &req.checkout {
        CheckoutRequest::Payment(r) => r.channel_key.clone(),
        CheckoutRequest::IssueBillingKey(r) => r.channel_key.clone(),
        CheckoutRequest::IssueBillingKeyAndPay(r) => r.channel_key.clone(),
    };
    if let Some(key) = channel_key {
        let entry = st.channels.get(&key).ok_or_else(|| {
            ApiError::not_found(
                "CHANNEL_NOT_FOUND",
                format!("channelKey: no channel `{key}` is configured"),
            )
        })?;
        if !can_window(entry) {
            let caps = &entry.descriptor.capabilities;
            let why = if caps.supports(Operation::CheckoutPrepare, Some(method)) {
                "its adapter can open such a window (checkout.prepare) but cannot complete it \
                 (no checkout.complete for this method), so the result could not be recorded"
            } else {
                "its adapter has no payment window for this method"
            };
            return Err(ApiError::invalid(format!(
                "channelKey: channel `{key}` ({}) cannot run a {method} payment window: {why}",
                entry.descriptor.id
            )));
        }
        return Ok((key, None, Vec::new()));
    }
    let Some(gid) = &req.channel_group_id else {
        return Err(ApiError::invalid(
            "channelKey: is required: give exactly one of channelKey or channelGroupId",
        ));
    };
    let group = crate::groups::current(st, gid).await?.ok_or_else(|| {
        ApiError::not_found(
            "CHANNEL_NOT_FOUND",
            format!("channelGroupId: no channel group `{gid}`"),
        )
    })?;
    let plan = FailoverPlan::for_payment_with_rules(
        &group,
        routing_id,
        Operation::CheckoutComplete,
        Some(method),
        &st.channels,
        Some(&st.health),
        |key| st.rules_verdict(key, prepare),
    )
    .map_err(|e| flow::routing_error(&e))?;
    let chosen = plan
        .order()
        .find(|k| st.channels.get(k).is_some_and(|e| can_window(e)))
        .map(str::to_string)
        .ok_or_else(|| {
            ApiError::not_found(
                "CHANNEL_NOT_FOUND",
                format!(
                    "channelGroupId: no enabled channel of group `{gid}` can run a {method} payment window"
                ),
            )
        })?;
    let refused = plan.refused().to_vec();
    drop(plan);
    Ok((chosen, Some(group), refused))
}

/// `POST /checkout/sessions`.
pub async fn create(
    st: &AppState,
    bytes: &[u8],
    host: Option<&str>,
    origin: &Origin,
) -> Result<Value, ApiError> {
    let mut req = parse_request(bytes)?;
    validate_request(&req).map_err(|e| ApiError::validation(&e))?;
    let billing_key = req
        .kind
        .has_billing_key()
        .then(|| util::new_id("billing-key"));
    // A billing-key window needs an order id for the PG: the merchant's issueId, else the key.
    if let (CheckoutRequest::IssueBillingKey(r), Some(bk)) = (&mut req.checkout, &billing_key) {
        if r.issue_id.is_none() {
            r.issue_id = Some(bk.clone());
        }
    }
    let method = req.checkout.method();
    let order_id = match &req.checkout {
        CheckoutRequest::Payment(r) => r.payment_id.clone(),
        CheckoutRequest::IssueBillingKeyAndPay(r) => r.payment_id.clone(),
        CheckoutRequest::IssueBillingKey(r) => r.issue_id.clone().unwrap_or_default(),
    };
    let session_id = new_session_id();
    let base = public_base(st, host);
    let checkout_url = format!("{base}/checkout/{session_id}");
    let return_url = format!("{base}/checkout/return/{session_id}");
    let pg_req = PgRequest::CheckoutPrepare(CheckoutPrepareCall {
        return_url: Some(return_url),
        checkout: req.checkout.clone(),
    });
    let (channel_key, group, refused) = route(st, &req, &order_id, method, &pg_req).await?;
    let entry = st
        .channels
        .get(&channel_key)
        .ok_or_else(|| ApiError::internal("routed to an unknown channel"))?;
    let now = util::now();
    let now_kst = now.with_timezone(&kst());
    let ctx = EncodeContext {
        channel: &entry.ctx,
        now: now_kst,
        nonce: rand::random(),
    };
    execute::validate(entry.adapter.as_ref(), &ctx, &pg_req)
        .map_err(|e| flow::not_sent_error(&e))?;
    let wire = entry
        .adapter
        .encode(&ctx, &pg_req)
        .map_err(|e| flow::not_sent_error(&e))?;
    let WireTarget::Browser {
        url,
        accept_charset,
    } = &wire.target
    else {
        return Err(ApiError::internal(
            "the adapter's checkout.prepare did not produce a browser form",
        ));
    };
    let charset = window::charset_of(accept_charset)
        .ok_or_else(|| ApiError::internal("the adapter's window uses an unknown charset"))?;
    let form = String::from_utf8(wire.body.clone())
        .map_err(|_| ApiError::internal("the adapter's window form is not ASCII"))?;
    let pairs = form_urldecode(form.as_bytes(), charset)
        .map_err(|_| ApiError::internal("the adapter's window form does not decode"))?;
    let (window_url, loader) = window::launch_for(&entry.ctx, url, &wire.view)
        .map_err(|why| ApiError::invalid(format!("channelKey: channel `{channel_key}`: {why}")))?;
    let amount_total = match &req.checkout {
        CheckoutRequest::Payment(r) => r.total_amount,
        CheckoutRequest::IssueBillingKeyAndPay(r) => r.total_amount,
        CheckoutRequest::IssueBillingKey(r) => r
            .display_amount
            .filter(|a| *a > Money::ZERO)
            .or_else(|| window::shown_amount(&pairs))
            .unwrap_or(Money::ZERO),
    };

    let order = order_of(&req.checkout);
    let store_id = order.store_id.to_string();
    let customer = order.customer.map(CheckoutCustomer::to_customer_input);
    let customer_json = util::customer_view(customer.as_ref()).to_string();
    let mut transaction_id = None;
    if let (Some(payment_id), Some(amount)) = (order.payment_id, &order.amount) {
        let amounts: AmountBreakdown = amount
            .resolve(&FieldPath::root("amount"))
            .map_err(|e| ApiError::validation(&e))?;
        let mut extra = order.extra.clone();
        extra.push(("origin", origin.json_for_checkout()));
        extra.push(("routing", flow::refused_json(&refused)));
        let np = NewPayment {
            id: payment_id.to_string(),
            store_id: store_id.clone(),
            kind: PaymentKind::Checkout,
            method_json: Some(initial_method_json(method).to_string()),
            channel_group_json: group
                .as_ref()
                .and_then(|g| util::to_json_text(&g.summary())),
            billing_key: billing_key.clone(),
            schedule_id: None,
            order_name: order.order_name.to_string(),
            currency: order.currency.clone(),
            amounts,
            customer_json: Some(customer_json.clone()),
            custom_data: custom_data_text(order.custom_data),
            extra_json: extra_json(&extra),
            notice_urls: order.notice_urls.clone(),
            skip_webhook: false,
            // Recorded below, with the session: the window is not sent yet.
            first_channel: None,
            first_channel_json: None,
            refuse_if_scheduled: false,
        };
        transaction_id = Some(claim_payment(st, &np, now).await?);
    }

    let nu = util::micros(now);
    let ttl = chrono::Duration::from_std(st.tuning.checkout_session_ttl).unwrap_or_default();
    let expires_at = now + ttl;
    let window = match (order.payment_id, &transaction_id) {
        (Some(pid), Some(tid)) => Some(WindowPayment {
            payment_id: pid.to_string(),
            transaction_id: tid.clone(),
            channel_json: util::to_json_text(&entry.selected()),
        }),
        _ => None,
    };
    let key = billing_key.as_ref().map(|bk| {
        let (issue_id, issue_name) = match &req.checkout {
            CheckoutRequest::IssueBillingKey(r) => (r.issue_id.clone(), r.issue_name.clone()),
            _ => (None, None),
        };
        NewKey {
            billing_key: bk.clone(),
            store_id: store_id.clone(),
            customer_json: Some(customer_json.clone()),
            custom_data: custom_data_text(order.custom_data),
            notice_urls_json: util::to_json_text(&order.notice_urls),
            issue_id,
            issue_name,
            ..NewKey::default()
        }
    });
    let session = SessionRow {
        id: session_id.clone(),
        kind: req.kind,
        status: SessionStatus::Open,
        store_id: store_id.clone(),
        payment_id: order.payment_id.map(str::to_string),
        transaction_id: transaction_id.clone(),
        billing_key: billing_key.clone(),
        order_id: order_id.clone(),
        channel_key: channel_key.clone(),
        method: method.as_str().to_string(),
        amount_total: amount_total.get(),
        order_date: util::order_date(now_kst),
        window_url: window_url.clone(),
        window_charset: (*accept_charset).to_string(),
        window_form: form,
        window_loader: loader.as_ref().map(Value::to_string),
        redirect_url: order.redirect_url.map(str::to_string),
        notice_urls_json: util::to_json_text(&order.notice_urls),
        result_json: None,
        created_at: nu,
        expires_at: util::micros(expires_at),
        opened_at: None,
        finished_at: None,
    };
    let dest = Destination {
        notice_urls: order.notice_urls.clone(),
        skip: false,
    };
    let event = match (&transaction_id, order.payment_id, &billing_key) {
        (Some(tid), Some(pid), _) => {
            let data = webhooks::transaction_data(&store_id, pid, tid, None);
            webhooks::event(st, webhooks::TRANSACTION_READY, data, &dest)
        }
        (_, _, Some(bk)) => {
            let data = webhooks::billing_key_data(&store_id, bk);
            webhooks::event(st, webhooks::BILLING_KEY_READY, data, &dest)
        }
        _ => None,
    };
    store::sessions::create(
        &st.db,
        &session,
        window.as_ref(),
        key.as_ref(),
        event.as_ref(),
    )
    .await?;
    tracing::info!(
        session = %session_id,
        kind = req.kind.as_str(),
        channel = %channel_key,
        method = %method,
        "checkout session created"
    );

    let mut m = Map::new();
    m.insert("sessionId".into(), json!(session_id));
    m.insert("checkoutUrl".into(), json!(checkout_url));
    m.insert("kind".into(), json!(req.kind.as_str()));
    put(&mut m, "paymentId", json!(order.payment_id));
    put(&mut m, "transactionId", json!(transaction_id));
    put(&mut m, "billingKey", json!(billing_key));
    if req.kind == Kind::IssueBillingKey {
        m.insert("issueId".into(), json!(order_id));
    }
    m.insert(
        "channel".into(),
        serde_json::to_value(entry.selected()).unwrap_or(Value::Null),
    );
    if let Some(g) = &group {
        m.insert(
            "channelGroup".into(),
            serde_json::to_value(g.summary()).unwrap_or(Value::Null),
        );
    }
    m.insert("expiresAt".into(), json!(util::rfc3339(expires_at)));
    Ok(Value::Object(m))
}

fn extra_json(pairs: &[(&str, Value)]) -> Option<String> {
    let mut m = Map::new();
    for (k, v) in pairs {
        put(&mut m, k, v.clone());
    }
    (!m.is_empty()).then(|| Value::Object(m).to_string())
}

/// Claim the payment for a window. A `READY` window payment whose sessions have all expired
/// is failed first (so the id may be used again); one with a live session is refused.
async fn claim_payment(
    st: &AppState,
    np: &NewPayment,
    now: DateTime<Utc>,
) -> Result<String, ApiError> {
    for _ in 0..2 {
        match flow::claim(st, np, now).await? {
            Claim::Claimed { transaction_id } => return Ok(transaction_id),
            Claim::Existing(p)
                if p.kind == PaymentKind::Checkout && p.status == PaymentStatus::Ready =>
            {
                let expired = expire_sessions_of_payment(st, &p.id).await?;
                if expired == 0 {
                    return Err(ApiError::conflict(
                        "ALREADY_PAID_OR_WAITING",
                        format!(
                            "payment `{}` has an open checkout session; wait for it to finish or expire",
                            p.id
                        ),
                    ));
                }
            }
            Claim::Existing(p) => return Err(flow::existing_error(&p)),
            Claim::Scheduled => return Err(flow::scheduled_error(&np.id)),
        }
    }
    Err(ApiError::conflict(
        "ALREADY_PAID_OR_WAITING",
        format!("payment `{}` is being processed", np.id),
    ))
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
    ]
}
