//! Payments: instant (keyed-in) and billing-key payments, their storage and the PortOne
//! `Payment` view.
//!
//! **Never a double charge.** A payment row is written *before* any PG is called: an
//! `INSERT ... ON CONFLICT (id) DO NOTHING` claims the `paymentId`, so of concurrent duplicate
//! requests exactly one reaches the PG. The others get `409 ALREADY_PAID` (paid) or
//! `409 ALREADY_PAID_OR_WAITING` (still in flight or unresolved). A `FAILED` payment — failed
//! for certain: declined, or never sent — may be tried again with the same `paymentId`; the
//! retry claims the row atomically (`UPDATE ... WHERE status = 'FAILED'`) under a new
//! `transactionId`.
//!
//! **Outcomes are honest.** Approved → `PAID`; declined → `FAILED` + `502 PG_PROVIDER`; not
//! sent → `FAILED` (safe to retry); unknown (sent, no usable answer) → `PAY_PENDING` with
//! `reconcile_at` set, answered `504 PAYMENT_OUTCOME_UNKNOWN`, and resolved only by asking the
//! PG ([`crate::reconciler`]). A claimed row also carries `reconcile_at` from the start, so a
//! gateway that dies mid-request leaves a row the reconciler resolves later.

use std::sync::Mutex;

use chrono::{DateTime, FixedOffset, Utc};
use paymux_core::adapter::{
    kst, BillingKeyPaymentCall, InstantPaymentCall, Method, Operation, PgRequest, PriorTransaction,
};
use paymux_core::error::PgError;
use paymux_core::model::{
    BillingKeyPaymentInput, InstantPaymentInput, InstantPaymentMethodInput, Validate,
};
use paymux_core::outcome::{ApprovedDetail, Outcome};
use paymux_core::secret::Secret;
use paymux_core::validation::FieldPath;
use paymux_routing::{FailoverPlan, RoutingError, SkipReason, SkippedChannel};
use serde_json::{json, Map, Value};

pub use crate::domain::Transition;
use crate::domain::{
    BillingKeyStatus, Failure, IssuedAccount, MethodUpdate, PaymentKind, PaymentStatus,
};
use crate::error::{ApiError, PG_CODE_NOT_SENT};
use crate::state::{AppState, Prechecked};
use crate::store;
pub use crate::store::payments::{Claim, Known, NewPayment, PaymentRow};
use crate::util::{self, put};
use crate::views;
use crate::webhooks;

/// Load a payment.
pub async fn load(st: &AppState, id: &str) -> Result<Option<PaymentRow>, sqlx::Error> {
    store::payments::load(&st.db, id).await
}

/// Claim `paymentId` (see the module docs). `now` is the encode time; its KST rendering is
/// stored as the order date the PG will know the payment by.
pub async fn claim(
    st: &AppState,
    np: &NewPayment,
    now: DateTime<Utc>,
) -> Result<Claim, sqlx::Error> {
    let stale = now + chrono::Duration::from_std(st.tuning.stale_after()).unwrap_or_default();
    store::payments::claim(&st.db, np, now, stale).await
}

/// Apply a transition to a payment still in flight (`READY`/`PAY_PENDING`) for the attempt
/// `transaction_id`, with its webhook and the schedule's status, in one unit of work.
/// `false` when the payment had already moved on (someone else settled it).
pub async fn apply(
    st: &AppState,
    payment_id: &str,
    transaction_id: &str,
    t: &Transition,
) -> Result<bool, sqlx::Error> {
    match store::payments::load_known(&st.db, payment_id, transaction_id).await? {
        Some(known) => apply_known(st, payment_id, transaction_id, t, &known).await,
        None => Ok(false),
    }
}

/// [`apply`] for a payment whose [`Known`] columns the caller has (no read).
pub async fn apply_known(
    st: &AppState,
    payment_id: &str,
    transaction_id: &str,
    t: &Transition,
    known: &Known,
) -> Result<bool, sqlx::Error> {
    let event_type = match t {
        Transition::Paid { .. } => Some(webhooks::TRANSACTION_PAID),
        Transition::VirtualAccountIssued { .. } => {
            Some(webhooks::TRANSACTION_VIRTUAL_ACCOUNT_ISSUED)
        }
        Transition::Failed { .. } => Some(webhooks::TRANSACTION_FAILED),
        Transition::Pending { .. } => {
            (known.status != PaymentStatus::PayPending).then_some(webhooks::TRANSACTION_PAY_PENDING)
        }
        Transition::Unknown { .. } => None,
    };
    let event = event_type.and_then(|e| {
        let data = webhooks::transaction_data(&known.store_id, payment_id, transaction_id, None);
        webhooks::event(st, e, data, &known.dest)
    });
    store::payments::apply(
        &st.db,
        payment_id,
        transaction_id,
        t,
        known,
        event.as_ref(),
        util::now(),
    )
    .await
}

impl PaymentRow {
    /// The earlier transaction as adapters want it (cancel, inquiry).
    pub fn prior(&self) -> PriorTransaction {
        use paymux_core::adapter::PriorAmount;
        use paymux_core::money::Money;
        let m = |v: i64| Money::new(v).unwrap_or(Money::ZERO);
        let method = util::parse_json(self.method_json.as_deref());
        let method = match method.get("type").and_then(Value::as_str) {
            Some("PaymentMethodCard") => Some(Method::Card),
            Some("PaymentMethodVirtualAccount") => Some(Method::VirtualAccount),
            Some("PaymentMethodMobile") => Some(Method::Mobile),
            Some("PaymentMethodTransfer") => Some(Method::Transfer),
            Some("PaymentMethodEasyPay") => Some(Method::EasyPay),
            _ => None,
        };
        PriorTransaction {
            pg_tx_id: self.pg_tx_id.clone(),
            paid_at: self
                .paid_at
                .map(|u| util::from_micros(u).with_timezone(&kst())),
            amount: Some(PriorAmount {
                total: m(self.amount_total),
                tax_free: m(self.amount_tax_free),
                cancelled: m(self.amount_cancelled),
                cancelled_tax_free: m(self.amount_cancelled_tax_free),
            }),
            cancel_count: u32::try_from(self.cancel_count).unwrap_or(0),
            pg_billing_key: None,
            method,
            order_date: self.order_date.clone(),
        }
    }

    /// Whether money was taken (and may be cancelled).
    pub fn is_paid(&self) -> bool {
        self.status.is_paid()
    }
}

/// The answer to a request whose `paymentId` is taken.
pub fn existing_error(p: &PaymentRow) -> ApiError {
    match p.status {
        PaymentStatus::Ready | PaymentStatus::PayPending => ApiError::conflict(
            "ALREADY_PAID_OR_WAITING",
            format!(
                "payment `{}` is already being processed ({}); its outcome comes by webhook or GET /payments/{}",
                p.id, p.status, p.id
            ),
        ),
        _ => ApiError::conflict(
            "ALREADY_PAID",
            format!("payment `{}` is already paid ({})", p.id, p.status),
        ),
    }
}

/// What the PG's answer to a payment means, as HTTP and as a transition.
pub fn settle(
    payment_id: &str,
    result: &Result<Outcome, PgError>,
    retry_at: DateTime<Utc>,
) -> (Transition, Result<Value, ApiError>) {
    let now = util::now();
    match result {
        Ok(Outcome::Approved(a)) => {
            let paid_at = a.at.map(|t| t.with_timezone(&Utc)).unwrap_or(now);
            let mut update = MethodUpdate::default();
            if let ApprovedDetail::Payment {
                approval_number,
                card,
                installment_month,
                ..
            } = &a.detail
            {
                update.approval_number = approval_number.clone();
                if let Some(c) = card {
                    update.card_issuer = c.issuer_code.clone();
                    update.card_publisher = c.acquirer_code.clone();
                    update.card_name = c.issuer_name.clone();
                }
                update.installment_month = installment_month.filter(|m| *m > 0);
            }
            let t = Transition::Paid {
                pg_tx_id: a.pg_tx_id.clone(),
                paid_at,
                method: (!update.is_empty()).then_some(update),
            };
            let body = json!({"payment": {"pgTxId": a.pg_tx_id, "paidAt": util::rfc3339(paid_at)}});
            (t, Ok(body))
        }
        Ok(Outcome::VirtualAccountIssued(v)) => {
            let issued = v.issued_at.map(|t| t.with_timezone(&Utc)).unwrap_or(now);
            let t = Transition::VirtualAccountIssued {
                pg_tx_id: v.pg_tx_id.clone(),
                method: Some(MethodUpdate {
                    virtual_account: Some(IssuedAccount {
                        account_number: v.account_number.clone(),
                        bank: v.bank.clone(),
                        remittee_name: v.remittee_name.clone(),
                        expires_at: v.expires_at.map(|t| t.with_timezone(&Utc)),
                        issued_at: issued,
                    }),
                    ..MethodUpdate::default()
                }),
            };
            let body = json!({"payment": {"pgTxId": v.pg_tx_id, "paidAt": util::rfc3339(issued)}});
            (t, Ok(body))
        }
        Ok(Outcome::Pending(p)) => (
            Transition::Pending {
                pg_tx_id: p.pg_tx_id.clone(),
                retry_at,
            },
            Err(ApiError::new(
                axum::http::StatusCode::GATEWAY_TIMEOUT,
                "PAYMENT_PENDING",
                format!(
                    "the PG accepted payment `{payment_id}` but its result comes later; it is PAY_PENDING. \
                     Check GET /payments/{payment_id} or wait for the webhook"
                ),
            )),
        ),
        Ok(Outcome::Declined(d)) => (
            Transition::Failed {
                failure: Failure::from_pg(
                    format!("declined by the PG ({})", d.kind),
                    d.pg_code.clone(),
                    d.pg_message.clone(),
                ),
            },
            Err(ApiError::pg_provider(
                format!("the PG declined the payment ({})", d.kind),
                &d.pg_code,
                &d.pg_message,
            )),
        ),
        Ok(Outcome::Unknown(_)) => (
            Transition::Unknown { retry_at },
            Err(ApiError::outcome_unknown(payment_id)),
        ),
        Err(e) if e.is_certainly_not_sent() => (
            Transition::Failed {
                failure: Failure::reason(e.to_string()),
            },
            Err(not_sent_error(e)),
        ),
        Err(_) => (
            Transition::Unknown { retry_at },
            Err(ApiError::outcome_unknown(payment_id)),
        ),
    }
}

/// The answer for an error raised before anything reached the PG.
pub fn not_sent_error(e: &PgError) -> ApiError {
    match e {
        PgError::Validation(v) => ApiError::validation(v),
        PgError::Unsupported { .. } | PgError::Wire(_) => ApiError::invalid(e.to_string()),
        PgError::Config(_) => ApiError::pg_provider(
            "the channel is misconfigured; nothing was sent to the PG",
            "PAYMUX_CHANNEL_CONFIG",
            &e.to_string(),
        ),
        _ => ApiError::pg_provider(
            "the PG could not be reached; nothing was sent, it is safe to retry",
            PG_CODE_NOT_SENT,
            &e.to_string(),
        ),
    }
}

/// Map a routing decision that could not be made.
pub fn routing_error(e: &RoutingError) -> ApiError {
    match e {
        RoutingError::AllChannelsFailed { failures } => {
            ApiError::channel_specific(e.to_string(), failures, &[])
        }
        // The request, not the configuration, is what no channel accepts: one 400 naming
        // each channel and the rule it broke.
        _ if e.skipped().iter().any(SkippedChannel::is_refusal) => ApiError::invalid(e.to_string()),
        _ => ApiError::not_found("CHANNEL_NOT_FOUND", e.to_string()),
    }
}

/// The channels routing left out because their rules refuse the request, as stored with the
/// payment (`routing.refused`) so an operator can see why a payment went where it went.
pub fn refused_json(refused: &[SkippedChannel]) -> Value {
    if refused.is_empty() {
        return Value::Null;
    }
    let list: Vec<Value> = refused
        .iter()
        .map(|r| {
            let rule = match &r.reason {
                SkipReason::Refused { rule } => rule.clone(),
                other => SkippedChannel {
                    channel_key: String::new(),
                    reason: other.clone(),
                }
                .to_string(),
            };
            json!({"channelKey": r.channel_key, "rule": rule})
        })
        .collect();
    json!({ "refused": list })
}

/// Encode the request for the plan's first channel. With failover on, a channel whose encoder
/// refuses (nothing sent) is passed over like one whose rules refuse, and the next is tried.
fn precheck_plan(
    st: &AppState,
    plan: &mut Plan<'_>,
    now_kst: DateTime<FixedOffset>,
    requests: &Requests,
) -> Result<Option<Prechecked>, ApiError> {
    loop {
        let primary = plan.primary();
        let (Some(entry), Some(req)) = (st.channels.get(primary), requests.for_channel(primary))
        else {
            return Ok(None);
        };
        match st.precheck(entry, now_kst, req) {
            Ok(p) => return Ok(Some(p)),
            Err(e) => {
                let passed_over = match plan {
                    Plan::Routed(p) if e.is_certainly_not_sent() => {
                        p.pass_over_primary(e.to_string())
                    }
                    _ => false,
                };
                if !passed_over {
                    return Err(not_sent_error(&e));
                }
            }
        }
    }
}

/// Per-channel requests (billing-key payments carry each channel's PG key).
pub enum Requests {
    /// One request for every channel.
    Same(Box<PgRequest>),
    /// A request per channel key.
    PerChannel(Vec<(String, PgRequest)>),
}

impl Requests {
    fn for_channel(&self, key: &str) -> Option<&PgRequest> {
        match self {
            Requests::Same(r) => Some(r),
            Requests::PerChannel(v) => v.iter().find(|(k, _)| k == key).map(|(_, r)| r),
        }
    }
}

/// How the channel is chosen.
pub enum Plan<'a> {
    /// One channel.
    Single(String),
    /// Routed through a group.
    Routed(FailoverPlan<'a>),
}

impl Plan<'_> {
    fn primary(&self) -> &str {
        match self {
            Plan::Single(k) => k,
            Plan::Routed(p) => p.primary(),
        }
    }

    /// Channels left out because their rules refuse the request.
    fn refused(&self) -> &[SkippedChannel] {
        match self {
            Plan::Single(_) => &[],
            Plan::Routed(p) => p.refused(),
        }
    }
}

/// Record the channel an attempt goes to (unless the row already names it: the claim records
/// the first channel), then call the PG (sending what the precheck encoded when it was for
/// this channel).
#[allow(clippy::too_many_arguments)]
async fn attempt(
    st: &AppState,
    payment_id: &str,
    transaction_id: &str,
    channel_key: &str,
    recorded: &Mutex<Option<String>>,
    now_kst: DateTime<FixedOffset>,
    req: Option<&PgRequest>,
    prechecked: Option<Prechecked>,
) -> Result<Outcome, PgError> {
    let Some(entry) = st.channels.get(channel_key) else {
        return Err(PgError::NotSent {
            reason: format!("channel `{channel_key}` is not configured"),
        });
    };
    let Some(req) = req else {
        return Err(PgError::NotSent {
            reason: format!("the billing key holds no key on channel `{channel_key}`"),
        });
    };
    let already = lock(recorded).as_deref() == Some(channel_key);
    if !already {
        let channel_json = util::to_json_text(&entry.selected());
        if let Err(e) = store::payments::record_channel(
            &st.db,
            payment_id,
            transaction_id,
            channel_key,
            channel_json,
            util::now(),
        )
        .await
        {
            tracing::error!(error = %e, payment_id, "could not record the channel; not sending");
            return Err(PgError::NotSent {
                reason: "the gateway could not record the attempt".into(),
            });
        }
        *lock(recorded) = Some(channel_key.to_string());
    }
    tracing::info!(payment_id, transaction_id, channel = channel_key, op = %req.operation(), "calling PG");
    st.call_prechecked(entry, now_kst, req, prechecked).await
}

fn lock(m: &Mutex<Option<String>>) -> std::sync::MutexGuard<'_, Option<String>> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Run a claimed payment through its plan and settle it. Returns the HTTP answer and the
/// final status.
async fn execute_claimed(
    st: &AppState,
    np: &NewPayment,
    transaction_id: &str,
    plan: Plan<'_>,
    requests: &Requests,
    now: DateTime<Utc>,
    mut prechecked: Option<Prechecked>,
) -> (Result<Value, ApiError>, PaymentStatus) {
    let payment_id = np.id.as_str();
    let now_kst = now.with_timezone(&kst());
    // The channel the row names now: the claim recorded the precheck's channel
    // (`NewPayment::first_channel`). Attempts are sequential.
    let recorded = Mutex::new(prechecked.as_ref().map(|p| p.channel_key().to_string()));
    let result = match plan {
        Plan::Single(key) => {
            attempt(
                st,
                payment_id,
                transaction_id,
                &key,
                &recorded,
                now_kst,
                requests.for_channel(&key),
                prechecked,
            )
            .await
        }
        Plan::Routed(p) => {
            let routed = p
                .run(Some(&st.health), |c| {
                    // The precheck encoded for the primary; any other channel encodes its own.
                    let mine = match &prechecked {
                        Some(pre) if pre.is_for(c.channel_key) => prechecked.take(),
                        _ => None,
                    };
                    attempt(
                        st,
                        payment_id,
                        transaction_id,
                        c.channel_key,
                        &recorded,
                        now_kst,
                        requests.for_channel(c.channel_key),
                        mine,
                    )
                })
                .await;
            if routed.attempts.len() > 1 {
                tracing::info!(
                    payment_id,
                    attempts = routed.attempts.len(),
                    channel = routed.channel_key,
                    "failed over"
                );
            }
            routed.result
        }
    };
    let retry_at = util::now()
        + chrono::Duration::from_std(st.tuning.reconcile_retry_base).unwrap_or_default();
    let (transition, answer) = settle(payment_id, &result, retry_at);
    let final_status = transition.status();
    // This request claimed the row: what a transition needs of it is known, no read.
    match apply_known(
        st,
        payment_id,
        transaction_id,
        &transition,
        &Known::claimed(np),
    )
    .await
    {
        Ok(true) => (answer, final_status),
        Ok(false) => {
            // Settled meanwhile (the reconciler asked the PG first): answer from the record.
            match load(st, payment_id).await {
                Ok(Some(p)) => (answer_from_row(&p), p.status),
                _ => (
                    Err(ApiError::outcome_unknown(payment_id)),
                    PaymentStatus::PayPending,
                ),
            }
        }
        Err(e) => {
            // The PG answered but the answer could not be recorded: the row keeps its
            // reconcile_at, and the reconciler will ask the PG again. Never report failure.
            tracing::error!(error = %e, payment_id, "could not record the PG's answer; left to the reconciler");
            (
                Err(ApiError::outcome_unknown(payment_id)),
                PaymentStatus::PayPending,
            )
        }
    }
}

/// The answer a request gets when its payment is already settled.
fn answer_from_row(p: &PaymentRow) -> Result<Value, ApiError> {
    match p.status {
        s if s.is_paid() => Ok(json!({
            "payment": {"pgTxId": p.pg_tx_id, "paidAt": util::time_json(p.paid_at)}
        })),
        PaymentStatus::Failed => {
            let f = p.failure.as_ref();
            Err(ApiError::pg_provider(
                f.map_or("payment failed", |f| f.reason.as_str()),
                f.and_then(|f| f.pg_code.as_deref()).unwrap_or(""),
                f.and_then(|f| f.pg_message.as_deref()).unwrap_or(""),
            ))
        }
        _ => Err(ApiError::outcome_unknown(&p.id)),
    }
}

fn extra_fields(pairs: &[(&str, Value)]) -> Option<String> {
    let mut m = Map::new();
    for (k, v) in pairs {
        put(&mut m, k, v.clone());
    }
    (!m.is_empty()).then(|| Value::Object(m).to_string())
}

/// Masked PortOne `PaymentMethod` for a keyed-in request.
fn instant_method_json(m: &InstantPaymentMethodInput) -> Value {
    match m {
        InstantPaymentMethodInput::Card(c) => {
            let masked = c.credential.number.masked_card();
            let mut v = json!({
                "type": "PaymentMethodCard",
                "card": {"number": masked, "bin": masked.get(..6).unwrap_or("")},
            });
            if let Some(month) = c.installment_month.filter(|m| *m > 0) {
                v["installment"] = json!({
                    "month": month,
                    "isInterestFree": c.use_free_interest_from_merchant.unwrap_or(false)
                        || c.use_free_installment_plan.unwrap_or(false),
                });
            }
            v
        }
        InstantPaymentMethodInput::VirtualAccount(va) => json!({
            "type": "PaymentMethodVirtualAccount",
            "bank": va.bank,
            "accountNumber": "",
            "remitteeName": va.remittee_name,
        }),
    }
}

/// Where a payment request came from (PortOne `Payment.origin`).
#[derive(Debug, Clone)]
pub struct Origin {
    /// The client's IP address (the socket peer).
    pub ip: String,
    /// The client's `User-Agent`.
    pub user_agent: Option<String>,
}

impl Origin {
    /// The scheduler's own requests.
    pub fn scheduler() -> Origin {
        Origin {
            ip: "127.0.0.1".into(),
            user_agent: Some("paymux-scheduler".into()),
        }
    }

    fn json(&self) -> Value {
        let mut m = Map::new();
        m.insert("platformType".into(), json!("API"));
        m.insert("ipAddress".into(), json!(self.ip));
        put(&mut m, "userAgent", json!(self.user_agent));
        Value::Object(m)
    }

    /// `origin` of a window payment when its session is created: a browser will pay (`PC`);
    /// the browser's own address replaces this when the window returns.
    pub fn json_for_checkout(&self) -> Value {
        json!({"platformType": "PC", "ipAddress": ""})
    }

    /// `origin` of a window payment as the customer's browser came back: `MOBILE` for a
    /// mobile user agent, else `PC`.
    pub fn json_for_browser(&self) -> Value {
        let mobile = self
            .user_agent
            .as_deref()
            .is_some_and(|ua| ua.contains("Mobi") || ua.contains("Android"));
        let mut m = Map::new();
        m.insert(
            "platformType".into(),
            json!(if mobile { "MOBILE" } else { "PC" }),
        );
        m.insert("ipAddress".into(), json!(self.ip));
        put(&mut m, "userAgent", json!(self.user_agent));
        Value::Object(m)
    }
}

/// `POST /payments/{paymentId}/instant`.
pub async fn pay_instant(
    st: &AppState,
    payment_id: &str,
    body: InstantPaymentInput,
    origin: &Origin,
) -> Result<Value, ApiError> {
    body.validated().map_err(|e| ApiError::validation(&e))?;
    let amounts = body
        .amount
        .resolve(&FieldPath::root("amount"))
        .map_err(|e| ApiError::validation(&e))?;
    let now = util::now();
    let now_kst = now.with_timezone(&kst());
    let req = PgRequest::Instant(InstantPaymentCall {
        payment_id: payment_id.to_string(),
        body: body.clone(),
    });
    let method = req.method();

    let group = match &body.channel_group_id {
        Some(gid) => Some(groups_current(st, gid).await?),
        None => None,
    };
    let mut plan = match (&body.channel_key, &group) {
        (Some(key), _) => {
            if st.channels.get(key).is_none() {
                return Err(ApiError::not_found(
                    "CHANNEL_NOT_FOUND",
                    format!("channelKey: no channel `{key}` is configured"),
                ));
            }
            Plan::Single(key.clone())
        }
        (None, Some(g)) => Plan::Routed(
            FailoverPlan::for_payment_with_rules(
                g,
                payment_id,
                Operation::PaymentInstant,
                method,
                &st.channels,
                Some(&st.health),
                |key| st.rules_verdict(key, &req),
            )
            .map_err(|e| routing_error(&e))?,
        ),
        (None, None) => return Err(ApiError::invalid("channelKey: is required")),
    };
    let requests = Requests::Same(Box::new(req));
    // The chosen channel's own rules, before anything is written; what it encodes is sent.
    let prechecked = precheck_plan(st, &mut plan, now_kst, &requests)?;

    let np = NewPayment {
        id: payment_id.to_string(),
        store_id: body.store_id.clone().unwrap_or_else(|| st.store_id.clone()),
        kind: PaymentKind::Instant,
        method_json: Some(instant_method_json(&body.method).to_string()),
        channel_group_json: group
            .as_ref()
            .and_then(|g| util::to_json_text(&g.summary())),
        billing_key: None,
        schedule_id: None,
        order_name: body.order_name.clone(),
        currency: body.currency.code().to_string(),
        amounts,
        customer_json: Some(util::customer_view(body.customer.as_ref()).to_string()),
        custom_data: body.custom_data.clone(),
        extra_json: extra_fields(&[
            ("products", json!(body.products)),
            ("productCount", json!(body.product_count)),
            ("productType", json!(body.product_type)),
            ("promotionId", json!(body.promotion_id)),
            ("isCulturalExpense", json!(body.is_cultural_expense)),
            ("country", json!(body.country)),
            ("origin", origin.json()),
            ("routing", refused_json(plan.refused())),
        ]),
        notice_urls: body.notice_urls.clone().unwrap_or_default(),
        skip_webhook: body.skip_webhook.unwrap_or(false),
        // The precheck's channel is where the first attempt goes.
        first_channel: prechecked.as_ref().map(|p| p.channel_key().to_string()),
        first_channel_json: first_channel_json(st, prechecked.as_ref()),
        refuse_if_scheduled: true,
    };
    let transaction_id = match claim(st, &np, now).await? {
        Claim::Claimed { transaction_id } => transaction_id,
        Claim::Existing(p) => return Err(existing_error(&p)),
        Claim::Scheduled => return Err(scheduled_error(payment_id)),
    };
    let (answer, _) =
        execute_claimed(st, &np, &transaction_id, plan, &requests, now, prechecked).await;
    answer
}

async fn groups_current(
    st: &AppState,
    gid: &str,
) -> Result<paymux_routing::ChannelGroup, ApiError> {
    crate::groups::current(st, gid).await?.ok_or_else(|| {
        ApiError::not_found(
            "CHANNEL_NOT_FOUND",
            format!("channelGroupId: no channel group `{gid}`"),
        )
    })
}

/// The `SelectedChannel` JSON of the channel a precheck encoded for (where the first attempt
/// goes).
fn first_channel_json(st: &AppState, prechecked: Option<&Prechecked>) -> Option<String> {
    let entry = st.channels.get(prechecked?.channel_key())?;
    util::to_json_text(&entry.selected())
}

/// 409 `PAYMENT_SCHEDULE_ALREADY_EXISTS`: a schedule holds the `paymentId`.
pub fn scheduled_error(payment_id: &str) -> ApiError {
    ApiError::conflict(
        "PAYMENT_SCHEDULE_ALREADY_EXISTS",
        format!("payment `{payment_id}` is scheduled; revoke the schedule first"),
    )
}

/// `POST /payments/{paymentId}/billing-key`, and the scheduler's runs (`schedule_id`).
/// Returns the HTTP answer and the payment's final status.
pub async fn pay_with_billing_key(
    st: &AppState,
    payment_id: &str,
    body: BillingKeyPaymentInput,
    schedule_id: Option<&str>,
    origin: &Origin,
) -> (Result<Value, ApiError>, PaymentStatus) {
    match pay_with_billing_key_inner(st, payment_id, body, schedule_id, origin).await {
        Ok(r) => r,
        Err(e) => (Err(e), PaymentStatus::Failed),
    }
}

async fn pay_with_billing_key_inner(
    st: &AppState,
    payment_id: &str,
    body: BillingKeyPaymentInput,
    schedule_id: Option<&str>,
    origin: &Origin,
) -> Result<(Result<Value, ApiError>, PaymentStatus), ApiError> {
    body.validated().map_err(|e| ApiError::validation(&e))?;
    let amounts = body
        .amount
        .resolve(&FieldPath::root("amount"))
        .map_err(|e| ApiError::validation(&e))?;
    let key = crate::billing_keys::load(st, &body.billing_key)
        .await?
        .ok_or_else(|| {
            ApiError::not_found(
                "BILLING_KEY_NOT_FOUND",
                format!("billingKey: no billing key `{}`", body.billing_key),
            )
        })?;
    match key.status {
        BillingKeyStatus::Issued => {}
        BillingKeyStatus::Deleted => {
            return Err(ApiError::conflict(
                "BILLING_KEY_ALREADY_DELETED",
                format!("billing key `{}` was deleted", key.billing_key),
            ))
        }
        _ => {
            return Err(ApiError::not_found(
                "BILLING_KEY_NOT_FOUND",
                format!("billingKey: `{}` is not issued", key.billing_key),
            ))
        }
    }
    let keyed: Vec<String> = key
        .active_channels()
        .map(|c| c.channel_key.clone())
        .collect();
    let (requests, key_method) = billing_key_requests(payment_id, &body, &key);
    let group = match &key.channel_group_id {
        Some(gid) => crate::groups::current(st, gid).await?,
        None => None,
    };
    let mut plan = billing_key_plan(
        st,
        group.as_ref(),
        &keyed,
        body.channel_key.as_deref(),
        payment_id,
        &requests,
    )?;
    let now = util::now();
    let now_kst = now.with_timezone(&kst());
    let prechecked = precheck_plan(st, &mut plan, now_kst, &requests)?;
    let card = util::parse_json(key.method_json.as_deref());
    let method_json = match key_method {
        Method::Mobile => json!({"type": "PaymentMethodMobile"}),
        _ => {
            json!({"type": "PaymentMethodCard", "card": card.get("card").cloned().unwrap_or(Value::Null)})
        }
    };
    let np = NewPayment {
        id: payment_id.to_string(),
        store_id: body
            .store_id
            .clone()
            .unwrap_or_else(|| key.store_id.clone()),
        kind: PaymentKind::BillingKey,
        method_json: Some(method_json.to_string()),
        channel_group_json: group
            .as_ref()
            .and_then(|g| util::to_json_text(&g.summary())),
        billing_key: Some(key.billing_key.clone()),
        schedule_id: schedule_id.map(str::to_string),
        order_name: body.order_name.clone(),
        currency: body.currency.code().to_string(),
        amounts,
        customer_json: Some(
            match &body.customer {
                Some(c) => util::customer_view(Some(c)),
                None => util::parse_json(key.customer_json.as_deref()),
            }
            .to_string(),
        ),
        custom_data: body.custom_data.clone(),
        extra_json: extra_fields(&[
            ("products", json!(body.products)),
            ("productCount", json!(body.product_count)),
            ("productType", json!(body.product_type)),
            ("promotionId", json!(body.promotion_id)),
            ("country", json!(body.country)),
            ("origin", origin.json()),
            ("routing", refused_json(plan.refused())),
        ]),
        notice_urls: body.notice_urls.clone().unwrap_or_default(),
        skip_webhook: body.skip_webhook.unwrap_or(false),
        // The precheck's channel is where the first attempt goes.
        first_channel: prechecked.as_ref().map(|p| p.channel_key().to_string()),
        first_channel_json: first_channel_json(st, prechecked.as_ref()),
        // The scheduler's own run is the schedule's payment.
        refuse_if_scheduled: schedule_id.is_none(),
    };
    let transaction_id = match claim(st, &np, now).await? {
        Claim::Claimed { transaction_id } => transaction_id,
        Claim::Existing(p) => return Err(existing_error(&p)),
        Claim::Scheduled => return Err(scheduled_error(payment_id)),
    };
    Ok(execute_claimed(st, &np, &transaction_id, plan, &requests, now, prechecked).await)
}

/// One charge request per channel holding the billing key, and the method the key charges
/// with.
fn billing_key_requests(
    payment_id: &str,
    body: &BillingKeyPaymentInput,
    key: &crate::billing_keys::KeyRow,
) -> (Requests, Method) {
    // A key issued through a mobile window (billing-key-and-pay) charges as a mobile payment.
    let key_method = match util::parse_json(key.method_json.as_deref())
        .get("type")
        .and_then(Value::as_str)
    {
        Some("BillingKeyPaymentMethodMobile") => Method::Mobile,
        _ => Method::Card,
    };
    let requests = Requests::PerChannel(
        key.active_channels()
            .map(|c| {
                (
                    c.channel_key.clone(),
                    PgRequest::PayWithBillingKey(BillingKeyPaymentCall {
                        payment_id: payment_id.to_string(),
                        body: body.clone(),
                        prior: PriorTransaction {
                            pg_billing_key: c.pg_billing_key.clone().map(Secret::new),
                            pg_tx_id: c.pg_tx_id.clone(),
                            method: Some(key_method),
                            ..PriorTransaction::default()
                        },
                    }),
                )
            })
            .collect(),
    );
    (requests, key_method)
}

/// How a billing-key payment is routed: through the key's group (rule-aware, among the
/// channels holding a key), or on the one channel named or holding the key.
pub fn billing_key_plan<'a>(
    st: &AppState,
    group: Option<&'a paymux_routing::ChannelGroup>,
    keyed: &'a [String],
    channel_key: Option<&str>,
    payment_id: &str,
    requests: &Requests,
) -> Result<Plan<'a>, ApiError> {
    Ok(match group {
        Some(g) => Plan::Routed(
            FailoverPlan::for_billing_key_with_rules(
                g,
                keyed,
                channel_key,
                payment_id,
                Some(&st.health),
                |k| match requests.for_channel(k) {
                    Some(r) => st.rules_verdict(k, r),
                    None => Err("the billing key holds no key on this channel".into()),
                },
            )
            .map_err(|e| routing_error(&e))?,
        ),
        None => {
            let chosen = match channel_key {
                Some(k) if keyed.iter().any(|x| x == k) => k.to_string(),
                Some(k) => {
                    return Err(ApiError::not_found(
                        "CHANNEL_NOT_FOUND",
                        format!(
                            "channelKey `{k}`: the billing key was not issued on this channel (issued on: {})",
                            keyed.join(", ")
                        ),
                    ))
                }
                None => keyed.first().cloned().ok_or_else(|| {
                    ApiError::not_found(
                        "CHANNEL_NOT_FOUND",
                        "the billing key holds no usable channel",
                    )
                })?,
            };
            Plan::Single(chosen)
        }
    })
}

/// Whether some channel would take this billing-key payment now (the rule-aware routing the
/// payment itself will use): a schedule no channel could ever run is refused when it is
/// created, with each channel and the rule it broke. The payment is routed again when it runs.
pub async fn check_billing_key_payment(
    st: &AppState,
    payment_id: &str,
    body: &BillingKeyPaymentInput,
    key: &crate::billing_keys::KeyRow,
) -> Result<(), ApiError> {
    let keyed: Vec<String> = key
        .active_channels()
        .map(|c| c.channel_key.clone())
        .collect();
    let (requests, _) = billing_key_requests(payment_id, body, key);
    let group = match &key.channel_group_id {
        Some(gid) => crate::groups::current(st, gid).await?,
        None => None,
    };
    let plan = billing_key_plan(
        st,
        group.as_ref(),
        &keyed,
        body.channel_key.as_deref(),
        payment_id,
        &requests,
    )?;
    if let Plan::Single(k) = &plan {
        if let Some(r) = requests.for_channel(k) {
            st.rules_verdict(k, r).map_err(|rule| {
                ApiError::invalid(format!("channel `{k}` refuses the payment: {rule}"))
            })?;
        }
    }
    Ok(())
}

/// `GET /payments/{paymentId}`: the PortOne `Payment`.
pub async fn get(
    st: &AppState,
    payment_id: &str,
    store_id: Option<&str>,
) -> Result<Value, ApiError> {
    let p = load(st, payment_id)
        .await?
        .filter(|p| store_id.map_or(true, |s| s == p.store_id));
    let Some(p) = p else {
        return Err(ApiError::not_found(
            "PAYMENT_NOT_FOUND",
            format!("no payment `{payment_id}`"),
        ));
    };
    let cancels = crate::cancel::list(st, payment_id).await?;
    Ok(view(st, &p, &cancels))
}

/// The PortOne `Payment` object of a stored payment.
pub fn view(st: &AppState, p: &PaymentRow, cancels: &[crate::cancel::CancellationRow]) -> Value {
    views::render(&views::payment::Payment::of(p, cancels, &st.merchant_id))
}
