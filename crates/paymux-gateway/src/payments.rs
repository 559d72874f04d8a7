//! Payments: instant (keyed-in) and billing-key payments (and the scheduler's runs) are
//! prepared here — request, routing plan, row — and run through the payment pipeline
//! ([`crate::flow`]); `GET /payments/{paymentId}` answers with the PortOne `Payment` view.

use paymux_core::adapter::{
    BillingKeyPaymentCall, InstantPaymentCall, Method, Operation, PgRequest, PriorTransaction,
};
use paymux_core::execute::{self, Checked};
use paymux_core::model::{BillingKeyPaymentInput, InstantPaymentInput, InstantPaymentMethodInput};
use paymux_core::secret::Secret;
use paymux_core::validation::{FieldPath, ValidationErrors};
use paymux_routing::FailoverPlan;
use serde_json::{json, Value};

use crate::domain::{
    AccountDetails, Card, Installment, MethodDetails, MethodKind, Origin, PaymentMethod,
};
use crate::domain::{BillingKeyStatus, PaymentKind, PaymentStatus, PlatformType};
use crate::error::ApiError;
use crate::flow::{self, routing_error, Plan, Prepared, Requests};
use crate::state::AppState;
use crate::store;
use crate::store::payments::{NewPayment, PaymentRow};
use crate::util::{self};
use crate::views;

/// Masked PortOne `PaymentMethod` for a keyed-in request.
fn instant_method(m: &InstantPaymentMethodInput) -> PaymentMethod {
    match m {
        InstantPaymentMethodInput::Card(c) => PaymentMethod::Card(MethodDetails {
            card: Some(Some(masked_card(&c.credential.number))),
            installment: c
                .installment_month
                .and_then(|m| u32::try_from(m).ok())
                .filter(|m| *m > 0)
                .map(|month| Installment {
                    month,
                    is_interest_free: c.use_free_interest_from_merchant.unwrap_or(false)
                        || c.use_free_installment_plan.unwrap_or(false),
                }),
            ..MethodDetails::default()
        }),
        InstantPaymentMethodInput::VirtualAccount(va) => {
            PaymentMethod::VirtualAccount(MethodDetails {
                account: AccountDetails {
                    bank: Some(Some(va.bank.code().to_string())),
                    account_number: Some(String::new()),
                    // `null` when the request named none, as it always was.
                    remittee_name: Some(va.remittee_name.clone()),
                    ..AccountDetails::default()
                },
                ..MethodDetails::default()
            })
        }
    }
}

/// A card number as a payment shows it: masked, and its BIN.
fn masked_card(number: &Secret<String>) -> Card {
    let masked = number.masked_card();
    Card {
        bin: Some(masked.get(..6).unwrap_or("").to_string()),
        number: Some(masked),
        ..Card::default()
    }
}

/// `POST /payments/{paymentId}/instant`.
pub async fn pay_instant(
    st: &AppState,
    payment_id: &str,
    body: InstantPaymentInput,
    origin: &Origin,
) -> Result<Value, ApiError> {
    // PortOne's generic rules, once for this payment (the channels' own rules are asked once
    // each: by routing, or by the precheck of the one channel named).
    let checked = execute::check_routing(PgRequest::Instant(InstantPaymentCall {
        payment_id: payment_id.to_string(),
        body,
    }))
    .map_err(|e| amount_error(&e))?;
    let PgRequest::Instant(InstantPaymentCall { body, .. }) = checked.request() else {
        unreachable!("checked as an instant payment")
    };
    let amounts = body
        .amount
        .resolve(&FieldPath::root("amount"))
        .map_err(|e| amount_error(&e))?;
    let now = util::now();
    let method = checked.request().method();
    let mut validated = Vec::new();

    let group = match &body.channel_group_id {
        Some(gid) => Some(groups_current(st, gid).await?),
        None => None,
    };
    let plan = match (&body.channel_key, &group) {
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
                |key| {
                    validated.push(st.validate_for(key, &checked)?);
                    Ok(())
                },
            )
            .map_err(|e| routing_error(&e))?,
        ),
        (None, None) => return Err(ApiError::invalid("channelKey: is required")),
    };
    let np = NewPayment {
        id: payment_id.to_string(),
        store_id: body.store_id.clone().unwrap_or_else(|| st.store_id.clone()),
        kind: PaymentKind::Instant,
        method: Some(instant_method(&body.method)),
        channel_group_json: group
            .as_ref()
            .and_then(|g| util::to_json_text(&g.summary())),
        billing_key: None,
        schedule_id: None,
        order_name: body.order_name.clone(),
        currency: body.currency.code().to_string(),
        amounts,
        customer_json: Some(crate::views::customer_json(body.customer.as_ref()).to_string()),
        custom_data: body.custom_data.clone(),
        extra_json: None,
        notice_urls: body.notice_urls.clone().unwrap_or_default(),
        skip_webhook: body.skip_webhook.unwrap_or(false),
        platform_type: Some(PlatformType::Api),
        first_channel: None,
        first_channel_json: None,
        refuse_if_scheduled: true,
    };
    let prepared = Prepared {
        payment: np,
        order_fields: vec![
            ("products", json!(body.products)),
            ("productCount", json!(body.product_count)),
            ("productType", json!(body.product_type)),
            ("promotionId", json!(body.promotion_id)),
            ("isCulturalExpense", json!(body.is_cultural_expense)),
            ("country", json!(body.country)),
            ("origin", views::party::origin_of(origin, "API")),
        ],
        plan,
        requests: Requests::same(&checked, validated),
    };
    flow::run(st, prepared, now).await?.0
}

/// A payment's broken generic rules: `409 SUM_OF_PARTS_EXCEEDS_TOTAL_AMOUNT` when only the
/// parts of its amount are, else `400 INVALID_REQUEST`.
fn amount_error(e: &ValidationErrors) -> ApiError {
    ApiError::amounts(
        e,
        &["amount.taxFree", "amount.vat"],
        "SUM_OF_PARTS_EXCEEDS_TOTAL_AMOUNT",
    )
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
    // PortOne's generic rules, once for this payment; each channel's request differs only in
    // the PG key it carries (`prior`), which they never read.
    let checked = execute::check_routing(PgRequest::PayWithBillingKey(BillingKeyPaymentCall {
        payment_id: payment_id.to_string(),
        body,
        prior: PriorTransaction::default(),
    }))
    .map_err(|e| amount_error(&e))?;
    let PgRequest::PayWithBillingKey(BillingKeyPaymentCall { body, .. }) = checked.request() else {
        unreachable!("checked as a billing-key payment")
    };
    let amounts = body
        .amount
        .resolve(&FieldPath::root("amount"))
        .map_err(|e| amount_error(&e))?;
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
    let (requests, key_method) = billing_key_requests(&checked, &key);
    let group = match &key.channel_group_id {
        Some(gid) => crate::groups::current(st, gid).await?,
        None => None,
    };
    // Each channel routing asks validates its request once; what it validated is sent.
    let mut validated = Vec::new();
    let plan = billing_key_plan(
        st,
        group.as_ref(),
        &keyed,
        body.channel_key.as_deref(),
        payment_id,
        |k| match requests.iter().find(|(key, _)| key == k) {
            Some((_, r)) => {
                validated.push(st.validate_for(k, r)?);
                Ok(())
            }
            None => Err(NO_KEY_HERE.into()),
        },
    )?;
    let now = util::now();
    let method = match key_method {
        Method::Mobile => PaymentMethod::empty(MethodKind::Mobile),
        // The key's card (`null` when it recorded none).
        _ => PaymentMethod::Card(MethodDetails {
            card: Some(
                util::parse_json(key.method_json.as_deref())
                    .get("card")
                    .and_then(|c| serde_json::from_value(c.clone()).ok()),
            ),
            ..MethodDetails::default()
        }),
    };
    let np = NewPayment {
        id: payment_id.to_string(),
        store_id: body
            .store_id
            .clone()
            .unwrap_or_else(|| key.store_id.clone()),
        kind: PaymentKind::BillingKey,
        method: Some(method),
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
                Some(c) => crate::views::customer_json(Some(c)),
                None => util::parse_json(key.customer_json.as_deref()),
            }
            .to_string(),
        ),
        custom_data: body.custom_data.clone(),
        extra_json: None,
        notice_urls: body.notice_urls.clone().unwrap_or_default(),
        skip_webhook: body.skip_webhook.unwrap_or(false),
        platform_type: Some(PlatformType::Api),
        first_channel: None,
        first_channel_json: None,
        // The scheduler's own run is the schedule's payment.
        refuse_if_scheduled: schedule_id.is_none(),
    };
    let prepared = Prepared {
        payment: np,
        order_fields: vec![
            ("products", json!(body.products)),
            ("productCount", json!(body.product_count)),
            ("productType", json!(body.product_type)),
            ("promotionId", json!(body.promotion_id)),
            ("country", json!(body.country)),
            ("origin", views::party::origin_of(origin, "API")),
        ],
        plan,
        requests: Requests::per_channel(&requests, validated),
    };
    flow::run(st, prepared, now).await
}

/// The method a billing key charges with: a key issued through a mobile window
/// (billing-key-and-pay) charges as a mobile payment.
fn key_method(key: &crate::billing_keys::KeyRow) -> Method {
    match util::parse_json(key.method_json.as_deref())
        .get("type")
        .and_then(Value::as_str)
    {
        Some("BillingKeyPaymentMethodMobile") => Method::Mobile,
        _ => Method::Card,
    }
}

/// What a charge on channel `c` of a billing key carries: the channel's PG key.
fn channel_prior(c: &store::billing_keys::KeyChannel, method: Method) -> PriorTransaction {
    PriorTransaction {
        pg_billing_key: c.pg_billing_key.clone().map(Secret::new),
        pg_tx_id: c.pg_tx_id.clone(),
        method: Some(method),
        ..PriorTransaction::default()
    }
}

/// One charge request per channel holding the billing key (`checked` with the channel's PG
/// key), and the method the key charges with.
fn billing_key_requests(
    checked: &Checked<'_>,
    key: &crate::billing_keys::KeyRow,
) -> (Vec<(String, Checked<'static>)>, Method) {
    let method = key_method(key);
    let requests = key
        .active_channels()
        .filter_map(|c| {
            let checked = checked.with_prior(channel_prior(c, method))?;
            Some((c.channel_key.clone(), checked))
        })
        .collect();
    (requests, method)
}

/// How a billing-key payment is routed: through the key's group (rule-aware, among the
/// channels holding a key: `verdict` gives each channel's), or on the one channel named or
/// holding the key.
pub fn billing_key_plan<'a>(
    st: &AppState,
    group: Option<&'a paymux_routing::ChannelGroup>,
    keyed: &'a [String],
    channel_key: Option<&str>,
    payment_id: &str,
    verdict: impl FnMut(&str) -> Result<(), String>,
) -> Result<Plan<'a>, ApiError> {
    Ok(match group {
        Some(g) => Plan::Routed(
            FailoverPlan::for_billing_key_with_rules(
                g,
                keyed,
                channel_key,
                payment_id,
                Some(&st.health),
                verdict,
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

/// Refusal of a channel the billing key holds no key on.
const NO_KEY_HERE: &str = "the billing key holds no key on this channel";

/// Whether some channel would take this billing-key payment now (the rule-aware routing the
/// payment itself will use): a schedule no channel could ever run is refused when it is
/// created, with each channel and the rule it broke. The payment is routed again when it runs
/// (its body's generic rules were checked with the schedule's: only the channels' own are
/// asked here).
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
    let method = key_method(key);
    let requests: Vec<(String, PgRequest)> = key
        .active_channels()
        .map(|c| {
            let req = PgRequest::PayWithBillingKey(BillingKeyPaymentCall {
                payment_id: payment_id.to_string(),
                body: body.clone(),
                prior: channel_prior(c, method),
            });
            (c.channel_key.clone(), req)
        })
        .collect();
    let request_for = |k: &str| requests.iter().find(|(key, _)| key == k).map(|(_, r)| r);
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
        |k| match request_for(k) {
            Some(r) => st.rules_verdict(k, r),
            None => Err(NO_KEY_HERE.into()),
        },
    )?;
    if let Plan::Single(k) = &plan {
        if let Some(r) = request_for(k) {
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
    let p = store::payments::load(&st.db, payment_id)
        .await?
        .filter(|p| store_id.map_or(true, |s| s == p.store_id));
    let Some(p) = p else {
        return Err(ApiError::not_found(
            "PAYMENT_NOT_FOUND",
            format!("no payment `{payment_id}`"),
        ));
    };
    let cancels = crate::cancel::list(st, payment_id).await?;
    let mut v = views::payment::Payment::of(&p, &cancels, &st.merchant_id);
    // PortOne's `webhooks`: the delivery history (only here: a list would read it per item).
    let hooks = crate::webhook_history::for_payment(st, payment_id).await?;
    v.webhooks = (!hooks.is_empty()).then_some(hooks);
    // PortOne's `cashReceipt`: the payment's issued or cancelled receipt, when there is one.
    v.cash_receipt = crate::cash_receipts::of_payment(st, payment_id).await?;
    Ok(views::render(&v))
}

/// `GET /payments/{paymentId}/transactions`: every attempt, oldest first — the attempts
/// routing failed over from, the failed attempts a new claim replaced, and the current one.
pub async fn transactions(
    st: &AppState,
    payment_id: &str,
    store_id: Option<&str>,
) -> Result<Value, ApiError> {
    let p = store::payments::load(&st.db, payment_id)
        .await?
        .filter(|p| store_id.map_or(true, |s| s == p.store_id));
    let Some(p) = p else {
        return Err(ApiError::not_found(
            "PAYMENT_NOT_FOUND",
            format!("no payment `{payment_id}`"),
        ));
    };
    let cancels = crate::cancel::list(st, payment_id).await?;
    let kept = store::attempts::list(&st.db, payment_id).await?;
    let mut items: Vec<views::payment::PaymentTransaction> = kept
        .iter()
        // A FAILED payment's own attempt is kept when a new claim is tried; until that claim
        // wins, the row still shows it.
        .filter(|a| a.id != p.transaction_id)
        .map(|a| views::payment::transaction(&attempt_row(&p, a), &[], &st.merchant_id))
        .collect();
    items.push(views::payment::transaction(&p, &cancels, &st.merchant_id));
    Ok(views::render(
        &views::list::GetPaymentTransactionsResponse { items },
    ))
}

/// A superseded attempt as a `FAILED` payment row (the order fields are the payment's).
fn attempt_row(p: &PaymentRow, a: &store::attempts::AttemptRow) -> PaymentRow {
    PaymentRow {
        transaction_id: a.id.clone(),
        status: PaymentStatus::Failed,
        channel_key: a.channel_key.clone(),
        channel_json: a.channel_json.clone(),
        method_json: a.method_json.clone(),
        amount_cancelled: 0,
        amount_cancelled_tax_free: 0,
        amount_cancelled_vat: 0,
        pg_tx_id: None,
        receipt_url: None,
        paid_at: None,
        failed_at: Some(a.failed_at),
        failure: a.failure.clone(),
        cancelled_at: None,
        cancel_count: 0,
        requested_at: a.requested_at,
        updated_at: a.failed_at,
        status_changed_at: a.failed_at,
        ..p.clone()
    }
}

/// PortOne `PreRegisterPaymentBody`.
#[derive(Debug, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PreRegisterPaymentBody {
    /// storeId.
    pub store_id: Option<String>,
    /// The total to lock.
    pub total_amount: Option<i64>,
    /// The tax-free part to lock.
    pub tax_free_amount: Option<i64>,
    /// The currency to lock.
    pub currency: Option<String>,
}

/// `POST /payments/{paymentId}/pre-register`: lock the total, tax-free part and currency (those
/// given) that a later payment of this id must have; a payment with others is refused before
/// anything is charged. Registering again replaces the lock, until a payment of the id exists.
pub async fn pre_register(
    st: &AppState,
    payment_id: &str,
    body: PreRegisterPaymentBody,
) -> Result<Value, ApiError> {
    if payment_id.trim().is_empty() || payment_id.len() > 256 {
        return Err(ApiError::invalid("paymentId: must be 1 to 256 bytes"));
    }
    if body.total_amount.is_some_and(|t| t < 1) {
        return Err(ApiError::invalid("totalAmount: must be at least 1"));
    }
    if body.tax_free_amount.is_some_and(|t| t < 0) {
        return Err(ApiError::invalid("taxFreeAmount: must not be negative"));
    }
    if let (Some(total), Some(tax_free)) = (body.total_amount, body.tax_free_amount) {
        if tax_free > total {
            return Err(ApiError::invalid(
                "taxFreeAmount: must not exceed totalAmount",
            ));
        }
    }
    if let Some(c) = &body.currency {
        if c.len() != 3 || !c.bytes().all(|b| b.is_ascii_uppercase()) {
            return Err(ApiError::invalid(
                "currency: must be a three-letter ISO 4217 code (KRW, USD …)",
            ));
        }
    }
    let store_id = body.store_id.unwrap_or_else(|| st.store_id.clone());
    if let Some(p) = store::payments::load(&st.db, payment_id).await? {
        if p.status != PaymentStatus::Failed {
            return Err(ApiError::conflict(
                "ALREADY_PAID",
                format!(
                    "payment `{payment_id}` already exists ({}); it can no longer be pre-registered",
                    p.status
                ),
            ));
        }
    }
    store::preregistrations::upsert(
        &st.db,
        &store::preregistrations::PreRegistration {
            payment_id: payment_id.to_string(),
            store_id,
            total_amount: body.total_amount,
            tax_free_amount: body.tax_free_amount,
            currency: body.currency,
        },
        util::micros(util::now()),
    )
    .await?;
    Ok(views::render(
        &views::answers::PreRegisterPaymentResponse::default(),
    ))
}
