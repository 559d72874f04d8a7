//! Creating a hosted-checkout session: route, build the window with the adapter's
//! `checkout.prepare`, claim the payment (or record the billing key `ISSUING`), and record the
//! `OPEN` session with its `Transaction.Ready` / `BillingKey.Ready` webhook in one unit of work.

use chrono::{DateTime, Utc};
use paymux_core::adapter::{
    kst, CheckoutPrepareCall, CheckoutRequest, EncodeContext, Method, Operation, PgRequest,
    WireTarget,
};
use paymux_core::execute;
use paymux_core::model::CheckoutCustomer;
use paymux_core::money::{AmountBreakdown, Money};
use paymux_core::validation::FieldPath;
use paymux_core::wire::form_urldecode;
use paymux_routing::FailoverPlan;
use serde_json::Value;

use super::request::{
    custom_data_text, initial_method, order_of, parse_request, validate_request, CreateRequest,
};
use super::{expire_sessions_of_payment, new_session_id, public_base, window, Kind, SessionRow};
use crate::channels::ChannelEntry;
use crate::domain::Destination;
use crate::domain::{EventData, EventType};
use crate::domain::{PaymentKind, PaymentStatus, SessionStatus};
use crate::error::ApiError;
use crate::events;
use crate::flow;
use crate::state::AppState;
use crate::store;
use crate::store::billing_keys::NewKey;
use crate::store::payments::Claim;
use crate::store::payments::NewPayment;
use crate::store::sessions::WindowPayment;
use crate::util;

/// The chosen channel, its group, and the group's channels whose rules refuse the window.
type Routed = (
    String,
    Option<paymux_routing::ChannelGroup>,
    Vec<paymux_routing::SkippedChannel>,
);

/// Choose the channel: the explicit `channelKey`, or one channel of the group by its weights
/// among channels whose adapter can both prepare and complete a window for `method` and whose
/// rules accept `prepare` (the window request).
pub(super) async fn route(
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
pub async fn create(st: &AppState, bytes: &[u8], host: Option<&str>) -> Result<Value, ApiError> {
    create_parsed(st, parse_request(bytes)?, host).await
}

/// Create a session for a parsed request (the API's body, or a browser SDK's call after
/// [`crate::browser`] checked the store).
pub async fn create_parsed(
    st: &AppState,
    mut req: CreateRequest,
    host: Option<&str>,
) -> Result<Value, ApiError> {
    validate_request(&req).map_err(|e| ApiError::validation(&e))?;
    let billing_key = req.kind.has_billing_key().then(|| {
        req.billing_key_id
            .clone()
            .unwrap_or_else(|| util::new_id("billing-key"))
    });
    if let (Some(bk), Some(_)) = (&billing_key, &req.billing_key_id) {
        if crate::billing_keys::load(st, bk).await?.is_some() {
            return Err(ApiError::conflict(
                "BILLING_KEY_ALREADY_ISSUED",
                format!("customer_uid: billing key `{bk}` exists already; delete it first or choose another customer_uid"),
            ));
        }
    }
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
    let wire = execute::validate(entry.adapter.as_ref(), &ctx, &pg_req)
        .and_then(|v| execute::encode(entry.adapter.as_ref(), &ctx, &v))
        .map_err(|e| flow::not_sent_error(&e))?;
    let WireTarget::Browser {
        url,
        accept_charset,
        open,
        shown_amount,
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
    // The hand-off page decodes the stored form again: refuse now what it could not render.
    form_urldecode(form.as_bytes(), charset)
        .map_err(|_| ApiError::internal("the adapter's window form does not decode"))?;
    let (window_url, loader) = window::launch_for(&entry.ctx, url, open)
        .map_err(|why| ApiError::invalid(format!("channelKey: channel `{channel_key}`: {why}")))?;
    let amount_total = match &req.checkout {
        CheckoutRequest::Payment(r) => r.total_amount,
        CheckoutRequest::IssueBillingKeyAndPay(r) => r.total_amount,
        CheckoutRequest::IssueBillingKey(r) => r
            .display_amount
            .filter(|a| *a > Money::ZERO)
            .or(*shown_amount)
            .unwrap_or(Money::ZERO),
    };

    let order = order_of(&req.checkout);
    let store_id = order.store_id.to_string();
    let customer = order.customer.map(CheckoutCustomer::to_customer_input);
    let customer_json = crate::views::customer_json(customer.as_ref()).to_string();
    let mut transaction_id = None;
    if let (Some(payment_id), Some(amount)) = (order.payment_id, &order.amount) {
        // Recorded as the chosen PG computes it: a PG that truncates VAT (Smartro) is
        // recorded with the VAT its window charges, as API payments are (`flow::amounts_on`).
        let amounts: AmountBreakdown = amount
            .resolve_with(&FieldPath::root("amount"), entry.adapter.vat_rounding())
            .map_err(|e| ApiError::validation(&e))?;
        let mut extra = order.extra.clone();
        extra.push(("origin", crate::views::party::origin_for_checkout()));
        extra.push(("routing", flow::refused_json(&refused)));
        let np = NewPayment {
            id: payment_id.to_string(),
            store_id: store_id.clone(),
            kind: PaymentKind::Checkout,
            method: Some(initial_method(method)),
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
            extra_json: flow::extra_fields(&extra),
            notice_urls: order.notice_urls.clone(),
            skip_webhook: false,
            // Which browser completes the window decides it (prepare_window_send).
            platform_type: None,
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
            // platform_type: which browser completes the window decides it.
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
            let data = EventData::transaction(&store_id, pid, tid);
            events::event(st, EventType::TransactionReady, data, &dest)
        }
        (_, _, Some(bk)) => {
            let data = EventData::billing_key(&store_id, bk);
            events::event(st, EventType::BillingKeyReady, data, &dest)
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

    Ok(crate::views::render(
        &crate::views::checkout::CheckoutSessionCreated {
            session_id: session_id.clone(),
            checkout_url,
            kind: req.kind.as_str(),
            payment_id: order.payment_id.map(str::to_string),
            transaction_id: transaction_id.clone(),
            billing_key: billing_key.clone(),
            issue_id: (req.kind == Kind::IssueBillingKey).then(|| order_id.clone()),
            channel: entry.selected(),
            channel_group: group.as_ref().map(|g| g.summary()),
            expires_at: util::rfc3339(expires_at),
        },
    ))
}

/// Claim the payment for a window. A `READY` window payment whose sessions have all expired
/// is failed first (so the id may be used again); one with a live session is refused.
pub(super) async fn claim_payment(
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
            Claim::Preregistered(pre) => return Err(flow::preregistered_error(&pre, np)),
        }
    }
    Err(ApiError::conflict(
        "ALREADY_PAID_OR_WAITING",
        format!("payment `{}` is being processed", np.id),
    ))
}
