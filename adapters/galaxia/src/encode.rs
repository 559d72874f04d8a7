//! Unified request → BillGate telegram, per operation (pure: the clock and randomness come
//! from [`EncodeContext`]).
//!
//! Documented layouts live here: keyed-in approval (3040, `Galaxia.java`) and the cancels
//! (`CancelReturn.php`). Layouts the public material does not show are in
//! [`crate::reconstructed`]; the payment window is in [`crate::checkout`].

use chrono::{DateTime, FixedOffset};
use paymux_core::adapter::{
    CancelCall, EncodeContext, Framing, InstantPaymentCall, Method, PgRequest, PriorCancel,
    WireRequest, WireTarget, WireView,
};
use paymux_core::error::PgError;
use paymux_core::model::InstantPaymentMethodInput;
use paymux_core::money::Money;
use paymux_core::validation::{FieldPath, ValidationErrors};

use crate::channel::GalaxiaChannel;
use crate::frame::Telegram;
use crate::protocol::{command, fixed, service, tag};
use crate::{checkout, reconstructed, rules};

/// Encode any operation.
pub fn encode(ctx: &EncodeContext<'_>, req: &PgRequest) -> Result<WireRequest, PgError> {
    let ch = GalaxiaChannel::from_context(ctx.channel)?;
    let telegram = match req {
        PgRequest::Instant(c) => keyed_in_approval(ctx, &ch, c)?,
        PgRequest::IssueBillingKey(c) => reconstructed::issue_billing_key(ctx, &ch, c)?,
        PgRequest::PayWithBillingKey(c) => reconstructed::charge_billing_key(ctx, &ch, c)?,
        PgRequest::Cancel(c) => cancel(&ch, c)?,
        PgRequest::Get(c) => reconstructed::inquiry(&ch, c)?,
        PgRequest::DeleteBillingKey(c) => reconstructed::delete_billing_key(ctx, &ch, c)?,
        PgRequest::CheckoutPrepare(c) => return checkout::prepare(ctx, &ch, c),
        PgRequest::CheckoutComplete(c) => checkout::read_return(ctx.channel, c)?,
    };
    tcp_request(&ch, telegram)
}

/// The exact frame for `telegram`, addressed to its service code's port. The telegram stays
/// in the request as its lazy view's source ([`Telegram::view`]), where `decode` reads what
/// was sent.
pub fn tcp_request(ch: &GalaxiaChannel, telegram: Telegram) -> Result<WireRequest, PgError> {
    let (host, port) = ch.host_port(&telegram.service_code);
    Ok(WireRequest {
        target: WireTarget::Tcp {
            host,
            port,
            framing: Framing::AsciiLengthPrefix { digits: 4 },
        },
        body: telegram.to_frame(&ch.cipher)?,
        view: WireView::lazy(telegram),
        // The sample's 20 s equals the default; leave the caller's timeouts in charge.
        read_timeout: None,
    })
}

/// ORDER_DATE: `YYYYMMDDHHMMSS` in KST.
pub fn order_date(now: &DateTime<FixedOffset>) -> String {
    now.format("%Y%m%d%H%M%S").to_string()
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

/// Which cancel telegram a cancel becomes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CancelPlan {
    /// Method of the original payment.
    pub method: Method,
    /// Amount cancelled now.
    pub amount: Money,
    /// What stays cancellable afterwards.
    pub remaining_after: Money,
    /// First cancel, of everything.
    pub full: bool,
}

/// Resolve the cancel amount against `prior.amount`, so the balance never goes negative.
/// Errors name `amount` (or the cancel field at fault) and are raised before anything is sent.
pub fn resolve_cancel(call: &CancelCall) -> Result<CancelPlan, ValidationErrors> {
    let mut errs = ValidationErrors::default();
    let PriorCancel {
        resolved,
        cancellable: left,
        full,
        ..
    } = call.resolve_against_prior()?;
    let method = rules::prior_method(&call.prior);
    if method == Method::VirtualAccount && !full {
        errs.add(
            "amount",
            "a VIRTUAL_ACCOUNT payment can only be cancelled in full (CancelReturn.php: 9000 with the TID)",
        );
        return Err(errs);
    }
    Ok(CancelPlan {
        method,
        amount: resolved.amount,
        remaining_after: left.checked_sub(resolved.amount).unwrap_or(Money::ZERO),
        full,
    })
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
