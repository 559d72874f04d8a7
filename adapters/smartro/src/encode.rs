//! Unified request → SmartroPay wire structs, per operation (pure: the clock comes from
//! [`EncodeContext`]).
//!
//! Documented calls live here: the cancel (id36636996423) and the billing-key charge
//! (`ssbbill.do`, id42417833469). The window is in [`crate::checkout`]. The calls the public
//! material does not show (virtual-account issue, billing-key issue and delete, the inquiry)
//! are here too, each marked **reconstructed**; the reasons are listed in
//! [`crate::reconstructed`].

use paymux_core::adapter::{
    BillingKeyPaymentCall, CancelCall, DeleteBillingKeyCall, EncodeContext, GetPaymentCall,
    InstantPaymentCall, IssueBillingKeyCall, PgRequest, WireRequest,
};
use paymux_core::error::PgError;
use paymux_core::model::{
    CashReceiptInputType, CustomerInput, InstantPaymentMethodInput, VirtualAccountOptionType,
};
use paymux_core::money::Money;
use paymux_core::secret::Secret;
use paymux_core::validation::{FieldPath, ValidationErrors};

pub use crate::channel::bill_token_key;
use crate::channel::{stored_key, Call, SmartroChannel};
use crate::frame::{
    self, delete_verify_value, inquiry_hash, BillKeyDeleteParams, BillKeyIssueParams, BillParams,
    CancelParams, InquiryParams, Params, RefundAccountParams, VacctParams,
};
pub use crate::frame::{digits, edi_date, post_json};
use crate::protocol::{self, fixed, pay_method};
pub use crate::rules::{resolve_cancel, CancelPlan};
use crate::{checkout, rules};

#[cfg(test)]
use chrono::DateTime;
#[cfg(test)]
use paymux_core::wire::codec::digits14;

/// Encode any operation.
pub fn encode(ctx: &EncodeContext<'_>, req: &PgRequest) -> Result<WireRequest, PgError> {
    let ch = SmartroChannel::from_context(ctx.channel)?;
    match req {
        PgRequest::Instant(c) => issue_virtual_account(ctx, &ch, c),
        PgRequest::IssueBillingKey(c) => issue_billing_key(ctx, &ch, c),
        PgRequest::PayWithBillingKey(c) => charge_billing_key(ctx, &ch, c),
        PgRequest::Cancel(c) => cancel(&ch, c),
        PgRequest::Get(c) => inquiry(ctx, &ch, c),
        PgRequest::DeleteBillingKey(c) => delete_billing_key(ctx, &ch, c),
        PgRequest::CheckoutPrepare(c) => checkout::prepare(ctx, &ch, c),
        PgRequest::CheckoutComplete(c) => checkout::complete(&ch, c),
        PgRequest::CloseVirtualAccount(_) => Err(PgError::Unsupported {
            adapter: crate::ADAPTER_ID,
            what: req.operation().to_string(),
        }),
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

/// Billing-key charge: `ssbbill.do` under the billing MID (id42417833469 `billPay`).
fn charge_billing_key(
    ctx: &EncodeContext<'_>,
    ch: &SmartroChannel,
    call: &BillingKeyPaymentCall,
) -> Result<WireRequest, PgError> {
    let body = &call.body;
    let amount = body
        .amount
        .resolve_with(&FieldPath::root("amount"), rules::VAT_ROUNDING)?;
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
        (Some(a), true) => Some(RefundAccountParams {
            refund_bank_cd: protocol::bank_code(a.bank.code())
                .unwrap_or_default()
                .to_string(),
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

fn validation(path: &str, rule: impl Into<String>) -> PgError {
    let mut e = ValidationErrors::default();
    e.add(path, rule.into());
    PgError::Validation(e)
}

/// Server-side virtual-account issue: `vacct.do` with the public merchant integration's
/// fields (vendor notes §3a). A fixed account is that integration's `TransType` `04` (일괄
/// 채번) with the account number in `SubId`; the cash-receipt split follows the amount.
pub fn issue_virtual_account(
    ctx: &EncodeContext<'_>,
    ch: &SmartroChannel,
    call: &InstantPaymentCall,
) -> Result<WireRequest, PgError> {
    let body = &call.body;
    let InstantPaymentMethodInput::VirtualAccount(va) = &body.method else {
        return Err(PgError::Unsupported {
            adapter: crate::ADAPTER_ID,
            what: "payment.instant with CARD (Smartro's API keyed-in payments are virtual accounts only)".into(),
        });
    };
    let amount = body
        .amount
        .resolve_with(&FieldPath::root("amount"), rules::VAT_ROUNDING)?;
    let due = crate::rules::deposit_deadline(&va.expiry, &ctx.now)
        .map_err(|rule| validation("method.virtualAccount.expiry", rule))?;
    let bank = protocol::bank_code(va.bank.code()).ok_or_else(|| {
        validation(
            "method.virtualAccount.bank",
            format!("Smartro has no bank code for {}", va.bank.code()),
        )
    })?;
    let (trans_type, sub_id) = match (va.option.r#type, &va.option.fixed) {
        (VirtualAccountOptionType::Fixed, Some(f)) => match &f.account_number {
            Some(n) => (fixed::TRANS_TYPE_FIXED, digits(n)),
            None => {
                return Err(validation(
                    "method.virtualAccount.option.fixed.pgAccountId",
                    crate::rules::FIXED_BY_ACCOUNT_NUMBER,
                ))
            }
        },
        _ => (fixed::TRANS_TYPE_NEW, String::new()),
    };
    let total = amount.total.to_string();
    let (receipt_type, identity, split) = match &va.cash_receipt {
        Some(r) if r.r#type != CashReceiptInputType::NoReceipt => (
            match r.r#type {
                CashReceiptInputType::Corporate => "2",
                _ => "1",
            },
            r.customer_identity_number
                .as_ref()
                .map(|n| digits(n.expose()))
                .unwrap_or_default(),
            [
                (amount.supply.get() + amount.vat.get()).to_string(),
                amount.tax_free.to_string(),
                amount.supply.to_string(),
                amount.vat.to_string(),
            ],
        ),
        // The integration sends the total and zeros when no receipt is issued.
        _ => (
            "0",
            String::new(),
            ["0".into(), "0".into(), "0".into(), "0".into()],
        ),
    };
    let [receipt_tax_amt, receipt_tax_free_amt, receipt_supply_amt, receipt_vat_amt] = split;
    let (name, tel, email, _) = buyer(body.customer.as_ref());
    let params = VacctParams {
        pay_method: pay_method::VBANK,
        goods_cnt: goods_cnt(body.product_count),
        goods_name: body.order_name.clone(),
        amt: total.clone(),
        moid: call.payment_id.clone(),
        edi_date: edi_date(&ctx.now),
        mid: ch.mid.clone(),
        trans_type,
        sub_id,
        buyer_name: name,
        buyer_tel: tel,
        buyer_email: email,
        vbank_exp_date: due.format("%Y%m%d").to_string(),
        vbank_bank_code: bank.to_string(),
        vbank_account_name: va.remittee_name.clone().unwrap_or_default(),
        cash_receipt_type: receipt_type,
        receipt_amt: total,
        receipt_tax_amt,
        receipt_tax_free_amt,
        receipt_supply_amt,
        receipt_vat_amt,
        receipt_identity: Secret::new(identity),
    };
    encrypted_call(ch, Call::Vacct, &ch.mid, &params)
}

/// **Reconstructed** billing-key issue, under the billing MID.
pub fn issue_billing_key(
    ctx: &EncodeContext<'_>,
    ch: &SmartroChannel,
    call: &IssueBillingKeyCall,
) -> Result<WireRequest, PgError> {
    let body = &call.body;
    let card = body
        .method
        .card
        .as_ref()
        .ok_or_else(|| PgError::Unsupported {
            adapter: crate::ADAPTER_ID,
            what: "billing-key.issue without a card".into(),
        })?;
    let cred = &card.credential;
    let (name, tel, email, user_id) = buyer(body.customer.as_ref());
    let edi = edi_date(&ctx.now);
    let mid = ch.billing_mid.clone();
    let amt = "0";
    let params = BillKeyIssueParams {
        user_ip: ch.mall_ip.clone(),
        mall_ip: ch.mall_ip.clone(),
        encrypt_data: frame::encrypt_data(&edi, &mid, amt, ch.merchant_key.expose()),
        mid: mid.clone(),
        edi_date: edi,
        mall_user_id: user_id,
        buyer_name: name,
        buyer_tel: tel,
        buyer_email: email,
        card_num: cred.number.clone(),
        card_expire: format!("{}{}", cred.expiry_year, cred.expiry_month),
        buyer_auth_num: cred
            .birth_or_business_registration_number
            .clone()
            .unwrap_or_default(),
        card_pwd: cred.password_two_digits.clone().unwrap_or_default(),
        amt,
    };
    encrypted_call(ch, Call::BillkeyIssue, &mid, &params)
}

/// **Reconstructed** billing-key delete.
pub fn delete_billing_key(
    ctx: &EncodeContext<'_>,
    ch: &SmartroChannel,
    call: &DeleteBillingKeyCall,
) -> Result<WireRequest, PgError> {
    let key = stored_key(ch, call.prior.pg_billing_key.as_ref())?;
    let edi = edi_date(&ctx.now);
    let mid = ch.billing_mid.clone();
    let params = BillKeyDeleteParams {
        verify_value: delete_verify_value(key.expose(), &mid, &edi),
        mid: mid.clone(),
        bill_token_key: key,
        edi_date: edi,
    };
    encrypted_call(ch, Call::BillkeyDelete, &mid, &params)
}

/// **Reconstructed** status inquiry by `Moid` (and `Tid` when known).
pub fn inquiry(
    ctx: &EncodeContext<'_>,
    ch: &SmartroChannel,
    call: &GetPaymentCall,
) -> Result<WireRequest, PgError> {
    let tid = call.prior.pg_tx_id.clone().unwrap_or_default();
    let mid = if !tid.is_empty() {
        ch.mid_of_tid(&tid).to_string()
    } else if call.prior.pg_billing_key.is_some() {
        ch.billing_mid.clone()
    } else {
        ch.mid.clone()
    };
    let edi = edi_date(&ctx.now);
    let params = InquiryParams {
        hash_data: inquiry_hash(&edi, &mid, &call.payment_id, ch.merchant_key.expose()),
        mid: mid.clone(),
        moid: call.payment_id.clone(),
        tid,
        edi_date: edi,
    };
    encrypted_call(ch, Call::Inquiry, &mid, &params)
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
