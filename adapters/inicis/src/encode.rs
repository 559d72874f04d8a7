//! Unified request → INIAPI calls (pure: the clock comes from [`EncodeContext`]).
//!
//! **v1 or v2, per operation** (both generations are live; INIAPI answers JSON either way):
//!
//! | operation | call | why this generation |
//! |---|---|---|
//! | card cancel, full | v2 `refund` `{tid, msg}` | public v2 samples show it; JSON keeps `msg` free of form-encoding pitfalls |
//! | card cancel, partial | v2 `partialRefund` `{tid, msg, price, confirmPrice}` | as above |
//! | virtual-account refund (deposited) | v1 `Refund` / `PartialRefund`, `paymethod=Vacct`, `refundAcctNum` `[ENC]` | the refund-account fields and their `[ENC]` rule are documented for v1 only (INIAPI FAQ, manual sample); the v2 field list is NOT FOUND |
//! | `payment.get` | v2 `inquiry` `{tid}` | only v2 has an inquiry in public samples |
//! | `billing-key.issue` | v1 billing `Auth` | seen only as v1 (public merchant code) |
//! | `payment.billing-key` | v1 billing `Billing` | v1's field list and hash tail are documented (vendor notes §5); v2's data object is not |
//! | `payment.instant` CARD | v1 `formpay` `Pay` | 비인증결제 is a v1 form call; its field list is **reconstructed** ([`KEYED_IN_FIELDS`]) |

use paymux_core::adapter::{
    BillingKeyPaymentCall, CancelCall, EncodeContext, GetPaymentCall, Header, InstantPaymentCall,
    IssueBillingKeyCall, PgRequest, WireRequest, WireTarget, WireView,
};
use paymux_core::error::PgError;
use paymux_core::model::{CardCredential, CustomerInput};
use paymux_core::validation::{FieldPath, ValidationErrors};

use crate::channel::{InicisChannel, Merchant};
use crate::checkout;
use crate::frame::{enc, V1Form, V2Json};
use crate::protocol::{bank_code, fixed, kind, path, paymethod, READ_TIMEOUT_MS};
use crate::rules::{resolve_cancel, CancelPlan};

/// Encode any operation.
pub fn encode(ctx: &EncodeContext<'_>, req: &PgRequest) -> Result<WireRequest, PgError> {
    let ch = InicisChannel::from_context(ctx.channel)?;
    match req {
        PgRequest::Instant(c) => keyed_in(ctx, &ch, c),
        PgRequest::IssueBillingKey(c) => issue_billing_key(ctx, &ch, c),
        PgRequest::PayWithBillingKey(c) => charge_billing_key(ctx, &ch, c),
        PgRequest::Cancel(c) => cancel(ctx, &ch, c),
        PgRequest::Get(c) => inquiry(ctx, &ch, c),
        PgRequest::CheckoutPrepare(c) => checkout::prepare(ctx, &ch, c),
        PgRequest::CheckoutComplete(c) => checkout::complete(ctx, &ch, c),
        PgRequest::DeleteBillingKey(_) => Err(PgError::Unsupported {
            adapter: crate::ADAPTER_ID,
            what: "billing-key.delete (no public INIAPI call)".into(),
        }),
        PgRequest::CloseVirtualAccount(_) => Err(PgError::Unsupported {
            adapter: crate::ADAPTER_ID,
            what: "virtual-account.close (no public INIAPI call)".into(),
        }),
    }
}

/// INIAPI's `timestamp`: `YYYYMMDDhhmmss` in KST (manual sample `date("YmdHis")`).
pub fn timestamp(ctx: &EncodeContext<'_>) -> String {
    ctx.now.format("%Y%m%d%H%M%S").to_string()
}

fn post(url: String, content_type: &str, body: Vec<u8>, view: WireView) -> WireRequest {
    WireRequest {
        target: WireTarget::Http {
            url_secret: None,
            method: "POST".into(),
            url,
            headers: vec![Header {
                name: "Content-Type".into(),
                value: content_type.into(),
                sensitive: false,
            }],
        },
        body,
        view,
        read_timeout: Some(std::time::Duration::from_millis(READ_TIMEOUT_MS)),
    }
}

/// A v1 call: `application/x-www-form-urlencoded; charset=utf-8` (manual: "JSON방식
/// 요청불가", "전체 URLencode").
pub fn v1_request(ch: &InicisChannel, api: &str, form: V1Form) -> Result<WireRequest, PgError> {
    let body = form.body()?;
    Ok(post(
        ch.url(api),
        "application/x-www-form-urlencoded; charset=utf-8",
        body,
        WireView::lazy(move || form.view()),
    ))
}

/// A v2 call: JSON.
pub fn v2_request(ch: &InicisChannel, api: &str, json: V2Json) -> WireRequest {
    let body = json.body();
    post(
        ch.url(api),
        "application/json; charset=utf-8",
        body,
        WireView::lazy(move || json.view()),
    )
}

fn buyer(c: Option<&CustomerInput>) -> (String, String, String) {
    let c = c.cloned().unwrap_or_default();
    (
        c.full_name().unwrap_or_default(),
        c.email.unwrap_or_default(),
        c.phone_number
            .map(|p| p.chars().filter(char::is_ascii_digit).collect())
            .unwrap_or_default(),
    )
}

fn encrypt(m: &Merchant, plain: &str) -> Result<String, PgError> {
    Ok(enc(
        m.key.expose().as_bytes(),
        m.iv.expose().as_bytes(),
        plain,
    )?)
}

/// The card fields of `formpay` `Pay` and billing `Auth`: `cardNumber`, `regNo` and `cardPw`
/// encrypted (`[ENC]`), `cardExpire` as `YYMM`.
fn card_fields(m: &Merchant, c: &CardCredential) -> Result<Vec<(&'static str, String)>, PgError> {
    Ok(vec![
        ("cardNumber", encrypt(m, c.number.expose())?),
        ("cardExpire", format!("{}{}", c.expiry_year, c.expiry_month)),
        (
            "regNo",
            match &c.birth_or_business_registration_number {
                Some(r) => encrypt(m, r.expose())?,
                None => String::new(),
            },
        ),
        (
            "cardPw",
            match &c.password_two_digits {
                Some(p) => encrypt(m, p.expose())?,
                None => String::new(),
            },
        ),
    ])
}

fn quota(month: Option<i32>) -> String {
    format!("{:02}", month.unwrap_or(0).clamp(0, 99))
}

/// **Reconstructed**: the field list of the keyed-in `formpay` `Pay` (비인증결제): the
/// manual's 비인증결제 page is public but its v1 parameter table is not in any stored copy;
/// paymux sends the billing `Auth` call's buyer and card fields (public merchant code) plus
/// `currency`, `cardQuota` and `quotaInterest` of the billing charge. The hash tail
/// (`moid + price`) is documented (vendor notes §5).
pub const KEYED_IN_FIELDS: &[&str] = &[
    "url",
    "moid",
    "goodName",
    "buyerName",
    "buyerEmail",
    "buyerTel",
    "price",
    "currency",
    "cardNumber",
    "cardExpire",
    "regNo",
    "cardPw",
    "cardQuota",
    "quotaInterest",
];

/// The merchant site `url` INIAPI's billing and form calls carry. **Reconstructed** value:
/// the unified request has no site URL; paymux sends the channel's `site_url` option.
fn site_url(ch: &InicisChannel) -> String {
    ch.site_url.clone()
}

fn keyed_in(
    ctx: &EncodeContext<'_>,
    ch: &InicisChannel,
    call: &InstantPaymentCall,
) -> Result<WireRequest, PgError> {
    let b = &call.body;
    let card = b.method.card().ok_or_else(|| PgError::Unsupported {
        adapter: crate::ADAPTER_ID,
        what: "payment.instant other than CARD".into(),
    })?;
    let amount = b.amount.resolve(&FieldPath::root("amount"))?;
    let (name, email, tel) = buyer(b.customer.as_ref());
    let m = &ch.main;
    let mut fields = vec![
        ("url", site_url(ch)),
        ("moid", call.payment_id.clone()),
        ("goodName", b.order_name.clone()),
        ("buyerName", name),
        ("buyerEmail", email),
        ("buyerTel", tel),
        ("price", amount.total.to_string()),
        ("currency", fixed::BILLING_CURRENCY.into()),
    ];
    fields.extend(card_fields(m, &card.credential)?);
    fields.push(("cardQuota", quota(card.installment_month)));
    fields.push(("quotaInterest", fixed::QUOTA_INTEREST_OFF.into()));
    let form = V1Form {
        kind: kind::V1_PAY,
        paymethod: paymethod::CARD,
        timestamp: timestamp(ctx),
        client_ip: ch.client_ip.clone(),
        mid: m.mid.clone(),
        fields,
        tail: &["moid", "price"],
        hash_data: String::new(),
    }
    .signed(m.key.expose());
    v1_request(ch, path::V1_FORMPAY, form)
}

/// Billing key from card data: v1 billing `Auth` under the billing MID; hash tail `moid +
/// price + cardNumber` (the encrypted value), price `0` (public merchant code).
fn issue_billing_key(
    ctx: &EncodeContext<'_>,
    ch: &InicisChannel,
    call: &IssueBillingKeyCall,
) -> Result<WireRequest, PgError> {
    let b = &call.body;
    let card = b.method.card.as_ref().ok_or_else(|| PgError::Unsupported {
        adapter: crate::ADAPTER_ID,
        what: "billing-key.issue without a card".into(),
    })?;
    let (name, email, tel) = buyer(b.customer.as_ref());
    let m = &ch.billing;
    let mut fields = vec![
        ("url", site_url(ch)),
        ("moid", call.billing_key.clone()),
        ("goodName", "billing key".to_string()),
        ("buyerName", name),
        ("buyerEmail", email),
        ("buyerTel", tel),
        ("price", "0".to_string()),
    ];
    fields.extend(card_fields(m, &card.credential)?);
    let form = V1Form {
        kind: kind::V1_AUTH,
        paymethod: paymethod::CARD,
        timestamp: timestamp(ctx),
        client_ip: ch.client_ip.clone(),
        mid: m.mid.clone(),
        fields,
        tail: &["moid", "price", "cardNumber"],
        hash_data: String::new(),
    }
    .signed(m.key.expose());
    v1_request(ch, path::V1_BILLING, form)
}

/// Billing charge: v1 billing `Billing` (vendor notes §5 field list), hash tail `moid + price
/// + billKey`.
fn charge_billing_key(
    ctx: &EncodeContext<'_>,
    ch: &InicisChannel,
    call: &BillingKeyPaymentCall,
) -> Result<WireRequest, PgError> {
    let b = &call.body;
    let amount = b.amount.resolve(&FieldPath::root("amount"))?;
    let key = call.prior.pg_billing_key.as_ref().ok_or_else(|| {
        let mut e = ValidationErrors::default();
        e.add(
            "prior.pgBillingKey",
            "is required: the billKey Inicis issued",
        );
        PgError::Validation(e)
    })?;
    let (name, email, tel) = buyer(b.customer.as_ref());
    let m = &ch.billing;
    let fields = vec![
        ("url", site_url(ch)),
        ("moid", call.payment_id.clone()),
        ("goodName", b.order_name.clone()),
        ("buyerName", name),
        ("buyerEmail", email),
        ("buyerTel", tel),
        ("price", amount.total.to_string()),
        ("billKey", key.expose().clone()),
        ("authentification", fixed::AUTHENTIFICATION.into()),
        ("currency", fixed::BILLING_CURRENCY.into()),
        ("cardQuota", quota(b.installment_month)),
        ("quotaInterest", fixed::QUOTA_INTEREST_OFF.into()),
    ];
    let form = V1Form {
        kind: kind::V1_BILLING,
        paymethod: paymethod::CARD,
        timestamp: timestamp(ctx),
        client_ip: ch.client_ip.clone(),
        mid: m.mid.clone(),
        fields,
        tail: &["moid", "price", "billKey"],
        hash_data: String::new(),
    }
    .signed(m.key.expose());
    v1_request(ch, path::V1_BILLING, form)
}

fn cancel(
    ctx: &EncodeContext<'_>,
    ch: &InicisChannel,
    call: &CancelCall,
) -> Result<WireRequest, PgError> {
    let plan: CancelPlan = resolve_cancel(call)?;
    let tid = call.prior.pg_tx_id.clone().unwrap_or_default();
    let m = ch.merchant_of_tid(&tid);
    let msg = call.body.reason.clone();
    if plan.refund_to_account {
        return vacct_refund(ctx, ch, m, call, &plan, tid, msg);
    }
    let json = if plan.full {
        V2Json::new(
            m.key.expose(),
            m.mid.clone(),
            kind::V2_REFUND,
            timestamp(ctx),
            ch.client_ip.clone(),
            vec![("tid", tid), ("msg", msg)],
        )
    } else {
        V2Json::new(
            m.key.expose(),
            m.mid.clone(),
            kind::V2_PARTIAL_REFUND,
            timestamp(ctx),
            ch.client_ip.clone(),
            vec![
                ("tid", tid),
                ("msg", msg),
                ("price", plan.amount.to_string()),
                ("confirmPrice", plan.remaining_after.to_string()),
            ],
        )
    };
    let api = if plan.full {
        path::V2_REFUND
    } else {
        path::V2_PARTIAL_REFUND
    };
    Ok(v2_request(ch, api, json))
}

/// A deposited virtual account's refund: v1 `Refund` / `PartialRefund` with `paymethod=Vacct`
/// and the refund account; `refundAcctNum` is `[ENC]` and the hash covers the encrypted value
/// (INIAPI FAQ). Tails: `tid + refundAcctNum`, `tid + price + confirmPrice + refundAcctNum`.
fn vacct_refund(
    ctx: &EncodeContext<'_>,
    ch: &InicisChannel,
    m: &Merchant,
    call: &CancelCall,
    plan: &CancelPlan,
    tid: String,
    msg: String,
) -> Result<WireRequest, PgError> {
    let acct = call.body.refund_account.as_ref().ok_or_else(|| {
        let mut e = ValidationErrors::default();
        e.add(
            "refundAccount",
            "is required to refund a deposited VIRTUAL_ACCOUNT",
        );
        PgError::Validation(e)
    })?;
    let number: String = acct
        .number
        .expose()
        .chars()
        .filter(char::is_ascii_digit)
        .collect();
    let mut fields = vec![("tid", tid), ("msg", msg)];
    if !plan.full {
        fields.push(("price", plan.amount.to_string()));
        fields.push(("confirmPrice", plan.remaining_after.to_string()));
    }
    fields.push(("refundAcctNum", encrypt(m, &number)?));
    fields.push((
        "refundBankCode",
        bank_code(acct.bank.code()).unwrap_or_default().to_string(),
    ));
    fields.push(("refundAcctName", acct.holder_name.clone()));
    let (k, tail): (&'static str, &'static [&'static str]) = if plan.full {
        (kind::V1_REFUND, &["tid", "refundAcctNum"])
    } else {
        (
            kind::V1_PARTIAL_REFUND,
            &["tid", "price", "confirmPrice", "refundAcctNum"],
        )
    };
    let form = V1Form {
        kind: k,
        paymethod: paymethod::VACCT,
        timestamp: timestamp(ctx),
        client_ip: ch.client_ip.clone(),
        mid: m.mid.clone(),
        fields,
        tail,
        hash_data: String::new(),
    }
    .signed(m.key.expose());
    v1_request(ch, path::V1_REFUND, form)
}

/// v2 `inquiry` by `tid`; when the payment's TID is unknown (its approval answer was lost),
/// by `oid` — **reconstructed**: inquiry by order id is NOT FOUND in public material.
fn inquiry(
    ctx: &EncodeContext<'_>,
    ch: &InicisChannel,
    call: &GetPaymentCall,
) -> Result<WireRequest, PgError> {
    let tid = call.prior.pg_tx_id.clone().filter(|t| !t.is_empty());
    let m = match &tid {
        Some(t) => ch.merchant_of_tid(t),
        None if call.prior.pg_billing_key.is_some() => &ch.billing,
        None => &ch.main,
    };
    let data = match tid {
        Some(t) => vec![("tid", t)],
        None => vec![("oid", call.payment_id.clone())],
    };
    let json = V2Json::new(
        m.key.expose(),
        m.mid.clone(),
        kind::V2_INQUIRY,
        timestamp(ctx),
        ch.client_ip.clone(),
        data,
    );
    Ok(v2_request(ch, path::V2_INQUIRY, json))
}
