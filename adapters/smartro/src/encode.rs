//! Unified request → SmartroPay wire structs, per operation (pure: the clock comes from
//! [`EncodeContext`]).
//!
//! Documented calls live here: the cancel (id36636996423) and the billing-key charge
//! (`ssbbill.do`, id42417833469). The window is in [`crate::checkout`]; what the public material
//! does not show is in [`crate::reconstructed`].

use chrono::{DateTime, FixedOffset};
use paymux_core::adapter::{
    BillingKeyPaymentCall, CancelCall, EncodeContext, Header, Method, PgRequest, PriorCancel,
    WireRequest, WireTarget, WireView,
};
use paymux_core::error::PgError;
use paymux_core::model::CustomerInput;
use paymux_core::money::Money;
use paymux_core::secret::Secret;
use paymux_core::validation::{FieldPath, ValidationErrors};
use paymux_core::wire::codec::digits14;

use crate::channel::{Call, SmartroChannel};
use crate::frame::{self, BillParams, CancelParams, Params};
use crate::protocol::fixed;
use crate::{checkout, reconstructed, rules};

/// Encode any operation.
pub fn encode(ctx: &EncodeContext<'_>, req: &PgRequest) -> Result<WireRequest, PgError> {
    let ch = SmartroChannel::from_context(ctx.channel)?;
    match req {
        PgRequest::Instant(c) => reconstructed::issue_virtual_account(ctx, &ch, c),
        PgRequest::IssueBillingKey(c) => reconstructed::issue_billing_key(ctx, &ch, c),
        PgRequest::PayWithBillingKey(c) => charge_billing_key(ctx, &ch, c),
        PgRequest::Cancel(c) => cancel(&ch, c),
        PgRequest::Get(c) => reconstructed::inquiry(ctx, &ch, c),
        PgRequest::DeleteBillingKey(c) => reconstructed::delete_billing_key(ctx, &ch, c),
        PgRequest::CheckoutPrepare(c) => checkout::prepare(ctx, &ch, c),
        PgRequest::CheckoutComplete(c) => checkout::complete(&ch, c),
    }
}

/// A JSON POST as the samples send it (`Accept` and `Content-Type: application/json`).
pub fn post_json(url: String, body: Vec<u8>, view: WireView) -> WireRequest {
    WireRequest {
        target: WireTarget::Http {
            method: "POST".into(),
            url,
            headers: vec![
                header("Accept", "application/json"),
                header("Content-Type", "application/json"),
            ],
        },
        body,
        view,
        // The samples read for 10 s (protocol::READ_TIMEOUT_MS); the caller's timeouts decide.
        read_timeout: None,
    }
}

fn header(name: &str, value: &str) -> Header {
    Header {
        name: name.into(),
        value: value.into(),
        sensitive: false,
    }
}

/// An encrypted `{EncData, Mid}` call.
pub fn encrypted_call(
    ch: &SmartroChannel,
    call: Call,
    mid: &str,
    params: &dyn Params,
) -> Result<WireRequest, PgError> {
    let (body, view) = frame::encrypted_body(mid, &ch.aes_key, params)?;
    Ok(post_json(ch.url(call), body, view))
}

/// `EdiDate`: `yyyyMMddHHmmss` in KST (id36707751919 `date("YmdHis")`).
pub fn edi_date(now: &DateTime<FixedOffset>) -> String {
    let t = now.with_timezone(&paymux_core::adapter::kst());
    digits14(&t).unwrap_or_else(|| t.format("%Y%m%d%H%M%S").to_string())
}

/// A phone number as the samples send it: digits only (id42417833469: "\"-\" 제외").
pub fn digits(phone: &str) -> String {
    phone.chars().filter(char::is_ascii_digit).collect()
}

/// Buyer name, phone (digits), e-mail and user id of a REST customer (empty when absent).
pub fn buyer(customer: Option<&CustomerInput>) -> (String, String, String, String) {
    let c = customer.cloned().unwrap_or_default();
    (
        c.full_name().unwrap_or_default(),
        c.phone_number.as_deref().map(digits).unwrap_or_default(),
        c.email.unwrap_or_default(),
        c.id.unwrap_or_default(),
    )
}

/// `GoodsCnt`: `productCount`, else 1.
pub fn goods_cnt(product_count: Option<i32>) -> String {
    product_count
        .map(|c| c.to_string())
        .unwrap_or_else(|| fixed::GOODS_COUNT.into())
}

/// `CardQuota`: instalment months as 2 digits, `00` = lump sum.
pub fn card_quota(month: Option<i32>) -> String {
    format!("{:02}", month.unwrap_or(0).clamp(0, 99))
}

/// The stored billing key, decrypted: Smartro hands out `BillTokenKey` AES-encrypted with the
/// merchant key and the sample decrypts it before charging (id42417833469 `AESDecode(
/// encBillTokenKey, merchantKey.substring(0, 32))`).
pub fn bill_token_key(
    ch: &SmartroChannel,
    stored: &Secret<String>,
) -> Result<Secret<String>, &'static str> {
    let plain = frame::decrypt(&ch.aes_key, stored.expose()).map_err(|_| "does not decrypt")?;
    let text = String::from_utf8(plain).map_err(|_| "is not text")?;
    if text.trim().is_empty() {
        return Err("is empty");
    }
    Ok(Secret::new(text))
}

/// The stored billing key decrypted, or a validation error naming `prior.pgBillingKey`.
pub(crate) fn stored_key(
    ch: &SmartroChannel,
    stored: Option<&Secret<String>>,
) -> Result<Secret<String>, PgError> {
    let invalid = |rule: &str| {
        let mut e = ValidationErrors::default();
        e.add("prior.pgBillingKey", rule);
        PgError::Validation(e)
    };
    let stored = stored.ok_or_else(|| invalid("is required: the BillTokenKey Smartro issued"))?;
    bill_token_key(ch, stored)
        .map_err(|_| invalid("is not a BillTokenKey issued to this channel: it does not decrypt with the merchant key"))
}

/// Billing-key charge: `ssbbill.do` under the billing MID (id42417833469 `billPay`).
fn charge_billing_key(
    ctx: &EncodeContext<'_>,
    ch: &SmartroChannel,
    call: &BillingKeyPaymentCall,
) -> Result<WireRequest, PgError> {
    let body = &call.body;
    let amount = body.amount.resolve(&FieldPath::root("amount"))?;
    let key = stored_key(ch, call.prior.pg_billing_key.as_ref())?;
    let (name, tel, email, user_id) = buyer(body.customer.as_ref());
    let amt = amount.total.to_string();
    let mid = ch.billing_mid.clone();
    let params = BillParams {
        user_ip: ch.mall_ip.clone(),
        mall_ip: ch.mall_ip.clone(),
        verify_value: frame::bill_verify_value(key.expose(), &mid, &amt),
        mid: mid.clone(),
        bill_token_key: key,
        moid: call.payment_id.clone(),
        edi_date: edi_date(&ctx.now),
        buyer_name: name,
        buyer_tel: tel,
        buyer_email: email,
        card_quota: card_quota(body.installment_month),
        card_point: fixed::CARD_POINT_OFF,
        goods_cnt: goods_cnt(body.product_count),
        goods_name: body.order_name.clone(),
        amt,
        svc_amt: fixed::SERVICE_AMOUNT,
        vat_amt: amount.vat.to_string(),
        tax_amt: amount.supply.to_string(),
        tax_free_amt: amount.tax_free.to_string(),
        mall_user_id: user_id,
    };
    encrypted_call(ch, Call::Billing, &mid, &params)
}

/// What a cancel becomes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CancelPlan {
    /// Method of the original payment.
    pub method: Method,
    /// Amount cancelled now.
    pub amount: Money,
    /// Tax-free part of it.
    pub tax_free: Money,
    /// VAT part of it.
    pub vat: Money,
    /// What stays cancellable afterwards.
    pub remaining_after: Money,
    /// First cancel, of everything (`PartialCancelCode` 0).
    pub full: bool,
    /// A deposited virtual account: money goes back to `refundAccount`.
    pub refund: bool,
}

/// Resolve a cancel against `prior.amount`, so the balance never goes negative. Errors name
/// the field at fault and are raised before anything is sent.
pub fn resolve_cancel(call: &CancelCall) -> Result<CancelPlan, ValidationErrors> {
    let mut errs = ValidationErrors::default();
    let PriorCancel {
        resolved,
        cancellable: left,
        full,
        ..
    } = call.resolve_against_prior()?;
    if resolved.amount.get() > rules::MAX_AMT {
        errs.add("amount", "must be at most 12 digits (CancelAmt)");
    }
    let method = rules::prior_method(&call.prior);
    let deposited = call.prior.paid_at.is_some();
    let refund = method == Method::VirtualAccount && deposited;
    if method == Method::VirtualAccount && !deposited && !full {
        errs.add(
            "amount",
            "an undeposited VIRTUAL_ACCOUNT is revoked whole: cancel the full amount",
        );
    }
    if refund {
        match &call.body.refund_account {
            None => errs.add(
                "refundAccount",
                "is required to refund a deposited VIRTUAL_ACCOUNT payment with Smartro",
            ),
            Some(a) => {
                if a.holder_phone_number
                    .as_deref()
                    .map_or(true, |p| digits(p).is_empty())
                {
                    errs.add(
                        "refundAccount.holderPhoneNumber",
                        "is required with Smartro for a virtual-account refund",
                    );
                }
                if protocol_bank(a.bank.code()).is_none() {
                    errs.add(
                        "refundAccount.bank",
                        format!("Smartro has no bank code for {}", a.bank.code()),
                    );
                }
            }
        }
    }
    if !errs.is_empty() {
        return Err(errs);
    }
    Ok(CancelPlan {
        method,
        amount: resolved.amount,
        tax_free: resolved.tax_free,
        vat: resolved.vat,
        remaining_after: left.checked_sub(resolved.amount).unwrap_or(Money::ZERO),
        full,
        refund,
    })
}

fn protocol_bank(code: &str) -> Option<&'static str> {
    crate::protocol::bank_code(code)
}

/// The cancel (id36636996423): `{EncData, Mid}` to the cancel path, under the MID the TID
/// belongs to.
fn cancel(ch: &SmartroChannel, call: &CancelCall) -> Result<WireRequest, PgError> {
    let plan = resolve_cancel(call)?;
    let tid = call.prior.pg_tx_id.clone().unwrap_or_default();
    let mid = ch.mid_of_tid(&tid).to_string();
    let amt = plan.amount.to_string();
    let code = if plan.full {
        fixed::FULL_CANCEL
    } else {
        fixed::PARTIAL_CANCEL
    };
    let supply = plan
        .amount
        .checked_sub(plan.tax_free)
        .and_then(|t| t.checked_sub(plan.vat))
        .unwrap_or(Money::ZERO);
    let refund = match (&call.body.refund_account, plan.refund) {
        (Some(a), true) => Some(reconstructed::RefundAccountParams {
            refund_bank_cd: protocol_bank(a.bank.code()).unwrap_or_default().to_string(),
            refund_acct_no: Secret::new(digits(a.number.expose())),
            refund_acct_nm: a.holder_name.clone(),
            refund_tel: a
                .holder_phone_number
                .as_deref()
                .map(digits)
                .unwrap_or_default(),
        }),
        _ => None,
    };
    let params = CancelParams {
        service_mode: fixed::SERVICE_MODE_CANCEL,
        hash_data: frame::cancel_hash(&tid, ch.merchant_key.expose(), &amt, code),
        tid,
        mid: mid.clone(),
        cancel_amt: amt,
        cancel_pwd: ch.cancel_pwd.clone(),
        cancel_msg: call.body.reason.clone(),
        cancel_seq: (call.prior.cancel_count + 1).to_string(),
        partial_cancel_code: code,
        cancel_tax_amt: supply.to_string(),
        cancel_tax_free_amt: plan.tax_free.to_string(),
        cancel_vat_amt: plan.vat.to_string(),
        divide_info: String::new(),
        refund,
    };
    encrypted_call(ch, Call::Cancel, &mid, &params)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_helpers() {
        assert_eq!(card_quota(None), "00");
        assert_eq!(card_quota(Some(3)), "03");
        assert_eq!(goods_cnt(None), "1");
        assert_eq!(goods_cnt(Some(4)), "4");
        assert_eq!(digits("010-1234-5678"), "01012345678");
        let now = DateTime::parse_from_rfc3339("2025-03-01T01:15:00Z").unwrap();
        assert_eq!(edi_date(&now), "20250301101500");
        for t in [
            "0001-01-01T00:00:00+09:00",
            "0999-12-31T23:59:59+09:00",
            "9999-12-31T23:59:59+09:00",
            "2016-12-31T23:59:60+09:00",
        ] {
            let t = DateTime::parse_from_rfc3339(t).unwrap();
            if let Some(fast) = digits14(&t) {
                assert_eq!(fast, t.format("%Y%m%d%H%M%S").to_string());
            }
        }
    }
}
