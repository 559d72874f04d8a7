//! Unified request → BillGate telegram, per operation (pure: the clock and randomness come
//! from [`EncodeContext`]).
//!
//! Documented layouts live here: keyed-in approval (3040, `Galaxia.java`) and the cancels
//! (`CancelReturn.php`). Layouts the public material does not show (billing keys, the status
//! inquiry) are here too, each marked **reconstructed** with the reason (the list is in the
//! crate docs, "Documented vs reconstructed"); the payment window is in [`crate::checkout`].

use paymux_core::adapter::{
    BillingKeyPaymentCall, CancelCall, DeleteBillingKeyCall, EncodeContext, Framing,
    GetPaymentCall, InstantPaymentCall, IssueBillingKeyCall, Method, PgRequest, WireRequest,
    WireTarget, WireView,
};
use paymux_core::error::PgError;
use paymux_core::model::InstantPaymentMethodInput;
use paymux_core::money::Money;
use paymux_core::validation::FieldPath;

use crate::channel::GalaxiaChannel;
pub use crate::frame::order_date;
use crate::frame::Telegram;
use crate::protocol::{command, fixed, service, tag};
pub use crate::rules::{resolve_cancel, CancelPlan};
use crate::{checkout, rules};

/// Encode any operation.
pub fn encode(ctx: &EncodeContext<'_>, req: &PgRequest) -> Result<WireRequest, PgError> {
    let ch = GalaxiaChannel::from_context(ctx.channel)?;
    let telegram = match req {
        PgRequest::Instant(c) => keyed_in_approval(ctx, &ch, c)?,
        PgRequest::IssueBillingKey(c) => issue_billing_key(ctx, &ch, c)?,
        PgRequest::PayWithBillingKey(c) => charge_billing_key(ctx, &ch, c)?,
        PgRequest::Cancel(c) => cancel(&ch, c)?,
        PgRequest::Get(c) => inquiry(&ch, c)?,
        PgRequest::DeleteBillingKey(c) => delete_billing_key(ctx, &ch, c)?,
        PgRequest::CheckoutPrepare(c) => return checkout::prepare(ctx, &ch, c),
        PgRequest::CheckoutComplete(c) => {
            return match checkout::verify_return(ctx.channel, c)? {
                checkout::Return::Approve(telegram) => tcp_request(&ch, telegram),
                checkout::Return::Issued(fields) => checkout::local_answer(fields),
            }
        }
        PgRequest::CloseVirtualAccount(_) => {
            return Err(PgError::Unsupported {
                adapter: crate::ADAPTER_ID,
                what: req.operation().to_string(),
            })
        }
    };
    tcp_request(&ch, telegram)
}

/// The exact frame for `telegram`, addressed to its service code's port. The telegram stays
/// with the request's view, built from it when first read ([`Telegram::view`]).
pub fn tcp_request(ch: &GalaxiaChannel, telegram: Telegram) -> Result<WireRequest, PgError> {
    let (host, port) = ch.host_port(&telegram.service_code);
    Ok(WireRequest {
        target: WireTarget::Tcp {
            host,
            port,
            framing: Framing::AsciiLengthPrefix { digits: 4 },
        },
        body: telegram.to_frame(&ch.cipher)?,
        view: WireView::lazy(move || telegram.view()),
        // The sample's 20 s equals the default; leave the caller's timeouts in charge.
        read_timeout: None,
    })
}

/// Keyed-in card approval: command 3040 on service 0900, tags in the order of
/// `Galaxia.java` `offlineProcess`.
fn keyed_in_approval(
    ctx: &EncodeContext<'_>,
    ch: &GalaxiaChannel,
    call: &InstantPaymentCall,
) -> Result<Telegram, PgError> {
    let body = &call.body;
    let InstantPaymentMethodInput::Card(card) = &body.method else {
        return Err(PgError::Unsupported {
            adapter: crate::ADAPTER_ID,
            what: "payment.instant with VIRTUAL_ACCOUNT (issue it through the window)".into(),
        });
    };
    let item_code = rules::resolve_item_code(ctx.channel, body.bypass.as_ref())?;
    let amount = body.amount.resolve(&FieldPath::root("amount"))?;
    let cred = &card.credential;
    let customer = body.customer.as_ref();
    let mut t = Telegram::new(
        &ch.mid,
        service::CARD,
        command::CERTIFY_AUTH,
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
    t.put(
        tag::PIN_NUMBER,
        "method.card.credential.number",
        cred.number.expose(),
    )?;
    let expiry = format!("{}{}", cred.expiry_year, cred.expiry_month);
    t.put(
        tag::EXPIRE_DATE,
        "method.card.credential.expiryYear",
        &expiry,
    )?;
    if let Some(pw) = &cred.password_two_digits {
        t.put(
            tag::PASSWORD,
            "method.card.credential.passwordTwoDigits",
            pw.expose(),
        )?;
    }
    // The unified card credential carries no CVC, so tag 0033 (optional) is never sent.
    if let Some(birth) = &cred.birth_or_business_registration_number {
        let path = "method.card.credential.birthOrBusinessRegistrationNumber";
        t.put(tag::SOCIAL_NUMBER, path, birth.expose())?;
    }
    t.put(
        tag::QUOTA,
        "method.card.installmentMonth",
        &quota(card.installment_month),
    )?;
    put_vat_and_fixed(&mut t, amount.vat, amount.total, amount.tax_free)?;
    Ok(t)
}

/// VAT, service charge, the fixed keyed-in values and the tax split, in the sample's order.
pub(crate) fn put_vat_and_fixed(
    t: &mut Telegram,
    vat: Money,
    total: Money,
    tax_free: Money,
) -> Result<(), PgError> {
    t.put(tag::VAT, "amount.vat", &vat.to_string())?;
    // The unified model has no service charge (봉사료).
    t.put(tag::SERVICE_CHARGE, "amount", "0")?;
    t.put(tag::CERT_TYPE, "CERT_TYPE", fixed::CERT_TYPE_KEYED_IN)?;
    t.put(tag::USING_TYPE, "USING_TYPE", fixed::USING_TYPE_DOMESTIC)?;
    t.put(tag::CURRENCY, "currency", fixed::CURRENCY_KRW)?;
    t.put(tag::OPCODE, "OPCODE", fixed::OPCODE_KOREAN)?;
    let taxable = total.checked_sub(tax_free).unwrap_or(Money::ZERO);
    t.put(tag::TAX_AMOUNT, "amount.total", &taxable.to_string())?;
    t.put(
        tag::TAX_FREE_AMOUNT,
        "amount.taxFree",
        &tax_free.to_string(),
    )?;
    Ok(())
}

/// QUOTA: instalment months as 2 digits, `00` = lump sum.
pub(crate) fn quota(month: Option<i32>) -> String {
    format!("{:02}", month.unwrap_or(0).clamp(0, 99))
}

pub(crate) fn customer_id(customer: Option<&paymux_core::model::CustomerInput>) -> &str {
    customer.and_then(|c| c.id.as_deref()).unwrap_or_default()
}

/// The cancel telegrams of `CancelReturn.php`, with the original ORDER_ID / ORDER_DATE.
fn cancel(ch: &GalaxiaChannel, call: &CancelCall) -> Result<Telegram, PgError> {
    let plan = resolve_cancel(call)?;
    let tid = call.prior.pg_tx_id.as_deref().unwrap_or_default();
    let date = call.prior.order_date.as_deref().unwrap_or_default();
    let amount = plan.amount.to_string();
    // 1000 = "cancel what is left": used when this cancel empties the balance.
    let cancel_type = if plan.remaining_after == Money::ZERO {
        fixed::CANCEL_TYPE_REMAINING
    } else {
        fixed::CANCEL_TYPE_PARTIAL
    };
    let new = |service_code: &str, cmd: &str| {
        Telegram::new(&ch.mid, service_code, cmd, &call.payment_id, date)
    };
    let t = match (plan.method, plan.full) {
        (Method::Card, true) => {
            let mut t = new(service::CARD, command::CANCEL_SMS);
            t.put(tag::TRANSACTION_ID, "prior.pgTxId", tid)?;
            t
        }
        (Method::Card, false) => {
            let mut t = new(service::CARD, command::CANCEL_ADMIN);
            t.put(tag::TRANSACTION_ID, "prior.pgTxId", tid)?;
            t.put(tag::DEAL_AMOUNT, "amount", &amount)?;
            t.put(tag::REQUIRE_TYPE, "amount", cancel_type)?;
            t
        }
        (Method::Transfer, true) => {
            let mut t = new(service::TRANSFER, command::CANCEL);
            t.put(tag::TRANSACTION_ID, "prior.pgTxId", tid)?;
            t
        }
        (Method::Transfer, false) => {
            let mut t = new(service::TRANSFER, command::BUY_CANCEL);
            t.put(tag::PRE_TRANSACTION_ID, "prior.pgTxId", tid)?;
            t.put(tag::CANCEL_AMOUNT, "amount", &amount)?;
            t.put(tag::USING_TYPE, "amount", cancel_type)?;
            t
        }
        (Method::Mobile, full) => {
            let mut t = new(service::MOBILE, command::CANCEL);
            t.put(tag::TRANSACTION_ID, "prior.pgTxId", tid)?;
            if !full {
                t.put(tag::MOBILE_CANCEL_AMOUNT, "amount", &amount)?;
            }
            t
        }
        (Method::VirtualAccount, _) => {
            let mut t = new(service::VIRTUAL_ACCOUNT, command::CANCEL);
            t.put(tag::TRANSACTION_ID, "prior.pgTxId", tid)?;
            t
        }
        (other, _) => {
            return Err(PgError::Unsupported {
                adapter: crate::ADAPTER_ID,
                what: format!("payment.cancel with {other}"),
            })
        }
    };
    Ok(t)
}

/// The service code a method's payments live under.
pub fn service_of(method: Method) -> &'static str {
    match method {
        Method::Transfer => service::TRANSFER,
        Method::Mobile => service::MOBILE,
        Method::VirtualAccount => service::VIRTUAL_ACCOUNT,
        _ => service::CARD,
    }
}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quota_is_two_digits() {
        assert_eq!(quota(None), "00");
        assert_eq!(quota(Some(3)), "03");
        assert_eq!(quota(Some(12)), "12");
    }
}
