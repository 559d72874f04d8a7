//! Every **reconstructed** part of the Galaxia wire format, in one place.
//!
//! Galaxia's public material (the `BillgatePay-PHP` sample, the keyed-in `Galaxia.java`) names
//! the commands and tags below but never shows these requests being built. Each layout here is
//! paymux's reconstruction: the closest documented layout (keyed-in approval 3040, the
//! cancels of `CancelReturn.php`) plus the tag whose meaning `Const.php` gives. Confirm each
//! against Galaxia's merchant manual before going live; the simulator speaks exactly these.
//!
//! | operation | reconstruction | why |
//! |---|---|---|
//! | `billing-key.issue` | 2100 `AUTO_BILL_CERTIFY` on 0900: the 3040 customer and card tags (no amount, item name or instalments) | `Const.php` names 2100 "자동과금 인증 요청"; the tag set is NOT FOUND |
//! | `payment.billing-key` (card) | 3020 `AUTO_BILL_AUTH` on 0900: the 3040 tags with `1018 USER_KEY` instead of card data | "자동과금 승인 요청"; tag set NOT FOUND |
//! | `payment.billing-key` (mobile key) | 3910 `AUTO_BILL_AGREE_BILL` on 1100: amount + `1018` | "자동 과금 동의 과금 요청" (mobile auto-billing after consent); tag set NOT FOUND |
//! | `billing-key.delete` | 9000 `CANCEL` on 0900 with `1018` only | no delete command exists; 9000 is the sample's generic cancel |
//! | `payment.get` | 5000 `AUTH_QUERY`: original ORDER_ID/ORDER_DATE in the header, `0025 ORDER_ID`, `1001` when known; answer `1007` amount, `1006` balance | "승인 내역 조회 요청"; tags NOT FOUND |
//! | window `MESSAGE` commands | 3000 (payment), 2100 (billing-key window), 3030 (mobile billing-key-and-pay) | the `MESSAGE` is opaque to the merchant; the simulator needs a concrete command |
//! | response codes other than `0000` | see [`SIMULATOR_CODES`] | Galaxia's code list is NOT FOUND |
//! | inquiry "not found" | [`sim::NOT_FOUND`] answered as `TxState::NotFound` | as above |

use paymux_core::adapter::{
    BillingKeyPaymentCall, DeleteBillingKeyCall, EncodeContext, GetPaymentCall,
    IssueBillingKeyCall, Method,
};
use paymux_core::error::PgError;
use paymux_core::money::Money;
use paymux_core::outcome::{TxReport, TxState};
use paymux_core::validation::FieldPath;

use crate::channel::GalaxiaChannel;
use crate::encode::{customer_id, order_date, put_vat_and_fixed, quota, service_of};
use crate::frame::Telegram;
use crate::protocol::{command, fixed, service, sim, tag};
use crate::rules;

/// The simulator's response codes, with what they mean (paymux's choice, not Galaxia's).
pub const SIMULATOR_CODES: &[(&str, &str)] = &[
    (sim::CARD_DECLINED, "card declined (test card …0002)"),
    (
        sim::INSUFFICIENT_FUNDS,
        "insufficient funds (test card …0051)",
    ),
    (sim::DUPLICATE_ORDER, "ORDER_ID already used"),
    (sim::NOT_FOUND, "no such transaction"),
    (sim::BILLING_KEY_NOT_FOUND, "no such active USER_KEY"),
    (sim::CANCEL_EXCEEDS_BALANCE, "cancel exceeds the balance"),
    (sim::ALREADY_CANCELLED, "nothing left to cancel"),
    (sim::INVALID_REQUEST, "required tag missing or malformed"),
    (
        sim::UNKNOWN_COMMAND,
        "command not served for this service code",
    ),
    (sim::UNKNOWN_MERCHANT, "MID unknown"),
];

/// **Reconstructed** billing-key issue: 2100 on 0900. ORDER_ID is the gateway's billing-key id.
pub fn issue_billing_key(
    ctx: &EncodeContext<'_>,
    ch: &GalaxiaChannel,
    call: &IssueBillingKeyCall,
) -> Result<Telegram, PgError> {
    let body = &call.body;
    let item_code = rules::resolve_item_code(ctx.channel, body.bypass.as_ref())?;
    let Some(card) = body.method.card.as_ref() else {
        return Err(PgError::Unsupported {
            adapter: crate::ADAPTER_ID,
            what: "billing-key.issue without a card".into(),
        });
    };
    let cred = &card.credential;
    let customer = body.customer.as_ref();
    let mut t = Telegram::new(
        &ch.mid,
        service::CARD,
        command::AUTO_BILL_CERTIFY,
        &call.billing_key,
        &order_date(&ctx.now),
    );
    t.put(tag::USER_ID, "customer.id", customer_id(customer))?;
    if let Some(name) = customer.and_then(|c| c.full_name()) {
        t.put(tag::USER_NAME, "customer.name", &name)?;
    }
    t.put(tag::ITEM_CODE, rules::ITEM_CODE_PATH, &item_code)?;
    if let Some(email) = customer.and_then(|c| c.email.as_deref()) {
        t.put(tag::USER_EMAIL, "customer.email", email)?;
    }
    let base = "method.card.credential";
    t.put(
        tag::PIN_NUMBER,
        &format!("{base}.number"),
        cred.number.expose(),
    )?;
    let expiry = format!("{}{}", cred.expiry_year, cred.expiry_month);
    t.put(tag::EXPIRE_DATE, &format!("{base}.expiryYear"), &expiry)?;
    if let Some(pw) = &cred.password_two_digits {
        t.put(
            tag::PASSWORD,
            &format!("{base}.passwordTwoDigits"),
            pw.expose(),
        )?;
    }
    if let Some(birth) = &cred.birth_or_business_registration_number {
        let path = format!("{base}.birthOrBusinessRegistrationNumber");
        t.put(tag::SOCIAL_NUMBER, &path, birth.expose())?;
    }
    t.put(tag::CERT_TYPE, "CERT_TYPE", fixed::CERT_TYPE_KEYED_IN)?;
    t.put(tag::USING_TYPE, "USING_TYPE", fixed::USING_TYPE_DOMESTIC)?;
    t.put(tag::CURRENCY, "currency", fixed::CURRENCY_KRW)?;
    t.put(tag::OPCODE, "OPCODE", fixed::OPCODE_KOREAN)?;
    Ok(t)
}

/// **Reconstructed** billing-key charge: 3020 on 0900 for card keys, 3910 on 1100 for keys from
/// the mobile billing-key-and-pay window (`prior.method` = MOBILE).
pub fn charge_billing_key(
    ctx: &EncodeContext<'_>,
    ch: &GalaxiaChannel,
    call: &BillingKeyPaymentCall,
) -> Result<Telegram, PgError> {
    let body = &call.body;
    let item_code = rules::resolve_item_code(ctx.channel, body.bypass.as_ref())?;
    let amount = body.amount.resolve(&FieldPath::root("amount"))?;
    let user_key = call
        .prior
        .pg_billing_key
        .as_ref()
        .map(|k| k.expose().as_str())
        .unwrap_or_default();
    let mobile = call.prior.method == Some(Method::Mobile);
    let (service_code, cmd) = if mobile {
        (service::MOBILE, command::AUTO_BILL_AGREE_BILL)
    } else {
        (service::CARD, command::AUTO_BILL_AUTH)
    };
    let customer = body.customer.as_ref();
    let mut t = Telegram::new(
        &ch.mid,
        service_code,
        cmd,
        &call.payment_id,
        &order_date(&ctx.now),
    );
    t.put(tag::USER_ID, "customer.id", customer_id(customer))?;
    if let Some(name) = customer.and_then(|c| c.full_name()) {
        t.put(tag::USER_NAME, "customer.name", &name)?;
    }
    t.put(tag::ITEM_CODE, rules::ITEM_CODE_PATH, &item_code)?;
    t.put(tag::ITEM_NAME, "orderName", &body.order_name)?;
    if let Some(email) = customer.and_then(|c| c.email.as_deref()) {
        t.put(tag::USER_EMAIL, "customer.email", email)?;
    }
    t.put(tag::DEAL_AMOUNT, "amount.total", &amount.total.to_string())?;
    t.put(tag::USER_KEY, "prior.pgBillingKey", user_key)?;
    if !mobile {
        t.put(
            tag::QUOTA,
            "installmentMonth",
            &quota(body.installment_month),
        )?;
        put_vat_and_fixed(&mut t, amount.vat, amount.total, amount.tax_free)?;
    }
    Ok(t)
}

/// **Reconstructed** billing-key delete: 9000 on 0900 carrying only the USER_KEY.
pub fn delete_billing_key(
    ctx: &EncodeContext<'_>,
    ch: &GalaxiaChannel,
    call: &DeleteBillingKeyCall,
) -> Result<Telegram, PgError> {
    let key = call
        .prior
        .pg_billing_key
        .as_ref()
        .map(|k| k.expose().as_str())
        .unwrap_or_default();
    let mut t = Telegram::new(
        &ch.mid,
        service::CARD,
        command::CANCEL,
        &call.billing_key,
        &order_date(&ctx.now),
    );
    t.put(tag::USER_KEY, "prior.pgBillingKey", key)?;
    Ok(t)
}

/// **Reconstructed** status inquiry: 5000 under the payment's service code, keyed like a
/// cancel by the original ORDER_ID / ORDER_DATE, with the TID when the gateway has one.
pub fn inquiry(ch: &GalaxiaChannel, call: &GetPaymentCall) -> Result<Telegram, PgError> {
    let method = rules::prior_method(&call.prior);
    let date = call.prior.order_date.as_deref().unwrap_or_default();
    let mut t = Telegram::new(
        &ch.mid,
        service_of(method),
        command::AUTH_QUERY,
        &call.payment_id,
        date,
    );
    t.put(tag::ORDER_ID, "paymentId", &call.payment_id)?;
    if let Some(tid) = call.prior.pg_tx_id.as_deref().filter(|t| !t.is_empty()) {
        t.put(tag::TRANSACTION_ID, "prior.pgTxId", tid)?;
    }
    Ok(t)
}

/// **Reconstructed** inquiry answer: `1007` approved amount and `1006` balance give the state.
pub fn inquiry_report(answer: &Telegram) -> Result<TxReport, PgError> {
    let amount = money(answer, tag::AUTH_AMOUNT)?;
    let balance = money(answer, tag::BALANCE)?;
    let state = match (amount, balance) {
        (_, Some(b)) if b == Money::ZERO => TxState::Cancelled,
        (Some(a), Some(b)) if b < a => TxState::PartiallyCancelled,
        _ => TxState::Approved,
    };
    Ok(TxReport {
        state,
        amount,
        balance,
        pg_tx_id: answer.get_nonblank(tag::TRANSACTION_ID),
    })
}

/// The inquiry answer for "no such transaction".
pub fn not_found_report() -> TxReport {
    TxReport {
        state: TxState::NotFound,
        amount: None,
        balance: None,
        pg_tx_id: None,
    }
}

/// A money tag, if present. A non-number is a malformed answer.
pub(crate) fn money(t: &Telegram, tag_code: &str) -> Result<Option<Money>, PgError> {
    let Some(v) = t.get_nonblank(tag_code) else {
        return Ok(None);
    };
    v.parse::<i64>()
        .ok()
        .and_then(|n| Money::new(n).ok())
        .map(Some)
        .ok_or_else(|| PgError::MalformedResponse {
            detail: format!("tag {tag_code} ({}) is not an amount", tag::name(tag_code)),
        })
}
