//! Unified request → NICE wire structs, per operation (pure: the clock and nonce come from
//! [`EncodeContext`]).
//!
//! Every call here is documented in NICE's manual (`nicepayments/nicepay-manual`); the window
//! is in [`crate::checkout`]. Two choices the manual leaves open are paymux's, marked
//! **reconstructed** where they are made ([`fresh_order_id`], [`order_date`]).

use paymux_core::adapter::{
    BillingKeyPaymentCall, CancelCall, CloseVirtualAccountCall, DeleteBillingKeyCall,
    EncodeContext, GetPaymentCall, IssueBillingKeyCall, PgRequest, WireRequest, WireView,
};
use paymux_core::error::PgError;
use paymux_core::model::CustomerInput;
use paymux_core::money::Money;
use paymux_core::secret::Secret;
use paymux_core::validation::{FieldPath, ValidationErrors};
use serde_json::json;

use crate::channel::NiceChannel;
use crate::checkout;
use crate::frame::{
    self, api_call, digits, edi_date, post, post_with_view, segment, sign, BillingPayRequest,
    CancelRequest, CardData, EncMode, ExpireRequest, RegistRequest,
};
use crate::protocol::{self, fixed, path};
use crate::rules::{self, resolve_cancel};

/// Encode any operation.
pub fn encode(ctx: &EncodeContext<'_>, req: &PgRequest) -> Result<WireRequest, PgError> {
    let ch = NiceChannel::from_context(ctx.channel)?;
    match req {
        PgRequest::Instant(c) => Err(rules::unsupported_instant(c.body.method.card().is_some())),
        PgRequest::IssueBillingKey(c) => issue_billing_key(ctx, &ch, c),
        PgRequest::PayWithBillingKey(c) => charge_billing_key(ctx, &ch, c),
        PgRequest::Cancel(c) => cancel(ctx, &ch, c),
        PgRequest::Get(c) => inquiry(ctx, &ch, c),
        PgRequest::DeleteBillingKey(c) => delete_billing_key(ctx, &ch, c),
        PgRequest::CheckoutPrepare(c) => checkout::prepare(ctx, &ch, c),
        PgRequest::CheckoutComplete(c) => checkout::complete(ctx, &ch, c),
        PgRequest::CloseVirtualAccount(c) => close_virtual_account(ctx, &ch, c),
    }
}

fn validation(path: &str, rule: &str) -> PgError {
    let mut e = ValidationErrors::default();
    e.add(path, rule);
    PgError::Validation(e)
}

/// Buyer name, phone (digits) and e-mail of a REST customer, when given.
fn buyer(customer: Option<&CustomerInput>) -> (Option<String>, Option<String>, Option<String>) {
    let c = customer.cloned().unwrap_or_default();
    (
        c.full_name(),
        c.phone_number
            .as_deref()
            .map(digits)
            .filter(|p| !p.is_empty()),
        c.email,
    )
}

/// A fresh `orderId` for a call that must not reuse one: `base`, cut to fit, then `-` and 12
/// hex digits of the request's nonce. **Reconstructed**: the manual says a partial cancel
/// "중복된 orderId로 재호출 불가" and every call's orderId is "Unique", but not how to make one.
pub fn fresh_order_id(base: &str, nonce: &[u8; 16]) -> String {
    const MAX: usize = 64 - 13;
    let mut cut = String::new();
    for c in base.chars() {
        if cut.len() + c.len_utf8() > MAX {
            break;
        }
        cut.push(c);
    }
    let tail: String = nonce[..6].iter().map(|b| format!("{b:02x}")).collect();
    format!("{cut}-{tail}")
}

/// The `bid` of the stored billing key ([`crate::channel::open_bid`]).
fn bid(ch: &NiceChannel, stored: Option<&Secret<String>>) -> Result<Secret<String>, PgError> {
    let stored = stored.ok_or_else(|| {
        validation(
            "prior.pgBillingKey",
            "is required: the billing key billing-key.issue returned",
        )
    })?;
    crate::channel::open_bid(ch, stored).map_err(|rule| validation("prior.pgBillingKey", rule))
}

/// `POST /v1/subscribe/regist` (`api/payment-subscribe.md` 빌키발급): the card data in
/// `encData`, in the channel's `enc_mode`; `orderId` = the billing key id the gateway assigned.
pub fn issue_billing_key(
    ctx: &EncodeContext<'_>,
    ch: &NiceChannel,
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
    let data = CardData {
        card_no: Secret::new(digits(cred.number.expose())),
        exp_year: Secret::new(cred.expiry_year.clone()),
        exp_month: Secret::new(cred.expiry_month.clone()),
        id_no: cred
            .birth_or_business_registration_number
            .clone()
            .unwrap_or_default(),
        card_pw: cred.password_two_digits.clone().unwrap_or_default(),
    };
    let enc = frame::enc_data(
        ch.enc_mode,
        ch.secret_key.expose(),
        data.plaintext().expose().as_bytes(),
    )?;
    let edi = edi_date(&ctx.now);
    let order_id = call.billing_key.clone();
    let (name, tel, email) = buyer(body.customer.as_ref());
    let req = RegistRequest {
        enc_data: Secret::new(enc),
        sign_data: sign(&[&order_id, &edi], ch.secret_key.expose()),
        order_id,
        buyer_name: name,
        buyer_email: email,
        buyer_tel: tel,
        enc_mode: (ch.enc_mode == EncMode::A2).then_some(fixed::ENC_MODE_A2),
        edi_date: edi,
        return_charset: fixed::RETURN_CHARSET,
    };
    let cipher = match ch.enc_mode {
        EncMode::Default => "hex(AES-128-ECB(key = SecretKey[0..16]), PKCS5)",
        EncMode::A2 => "hex(AES-256-CBC(key = SecretKey, IV = SecretKey[0..16]), PKCS5)",
    };
    Ok(post_with_view(
        ch.url(path::SUBSCRIBE_REGIST),
        &ch.credentials,
        &req,
        Some((
            "encData",
            json!({ "cipher": cipher, "decrypted": data.view() }),
        )),
    ))
}

/// `POST /v1/subscribe/{bid}/payments` (빌키승인).
pub fn charge_billing_key(
    ctx: &EncodeContext<'_>,
    ch: &NiceChannel,
    call: &BillingKeyPaymentCall,
) -> Result<WireRequest, PgError> {
    let body = &call.body;
    let amount = body.amount.resolve(&FieldPath::root("amount"))?;
    let bid = bid(ch, call.prior.pg_billing_key.as_ref())?;
    let edi = edi_date(&ctx.now);
    let (name, tel, email) = buyer(body.customer.as_ref());
    let req = BillingPayRequest {
        sign_data: sign(
            &[&call.payment_id, bid.expose(), &edi],
            ch.secret_key.expose(),
        ),
        order_id: call.payment_id.clone(),
        amount: amount.total.get(),
        goods_name: body.order_name.clone(),
        card_quota: body.installment_month.unwrap_or(0).clamp(0, 99).to_string(),
        use_shop_interest: fixed::USE_SHOP_INTEREST,
        buyer_name: name,
        buyer_tel: tel,
        buyer_email: email,
        tax_free_amt: (amount.tax_free > Money::ZERO).then(|| amount.tax_free.get()),
        edi_date: edi,
        return_charset: fixed::RETURN_CHARSET,
    };
    // The bid is in NICE's path: every view of the URL masks it.
    let in_path = segment(bid.expose());
    Ok(post(
        ch.url(&format!("{}/{in_path}/payments", path::SUBSCRIBE)),
        &ch.credentials,
        &req,
    )
    .with_url_secret(Secret::new(in_path)))
}

/// `POST /v1/subscribe/{bid}/expire` (빌키삭제), under a fresh orderId.
pub fn delete_billing_key(
    ctx: &EncodeContext<'_>,
    ch: &NiceChannel,
    call: &DeleteBillingKeyCall,
) -> Result<WireRequest, PgError> {
    let bid = bid(ch, call.prior.pg_billing_key.as_ref())?;
    let edi = edi_date(&ctx.now);
    let order_id = fresh_order_id(&call.billing_key, &ctx.nonce);
    let req = ExpireRequest {
        sign_data: sign(&[&order_id, bid.expose(), &edi], ch.secret_key.expose()),
        order_id,
        edi_date: edi,
        return_charset: fixed::RETURN_CHARSET,
    };
    // The bid is in NICE's path: every view of the URL masks it.
    let in_path = segment(bid.expose());
    Ok(post(
        ch.url(&format!("{}/{in_path}/expire", path::SUBSCRIBE)),
        &ch.credentials,
        &req,
    )
    .with_url_secret(Secret::new(in_path)))
}

/// `POST /v1/payments/{tid}/cancel` (`api/cancel.md`): a full first cancel leaves `cancelAmt`
/// out and reuses the payment's orderId; a partial one names the amount under a fresh
/// orderId; a deposited virtual account adds the refund account.
pub fn cancel(
    ctx: &EncodeContext<'_>,
    ch: &NiceChannel,
    call: &CancelCall,
) -> Result<WireRequest, PgError> {
    let plan = resolve_cancel(call)?;
    let tid = call
        .prior
        .pg_tx_id
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| {
            validation(
                "prior.pgTxId",
                "is required: the tid of the payment to cancel",
            )
        })?
        .to_string();
    let edi = edi_date(&ctx.now);
    let order_id = if plan.full {
        call.payment_id.clone()
    } else {
        fresh_order_id(&call.payment_id, &ctx.nonce)
    };
    let refund = call.body.refund_account.as_ref().filter(|_| plan.refund);
    let req = CancelRequest {
        reason: call.body.reason.clone(),
        order_id,
        cancel_amt: (!plan.full).then(|| plan.amount.get()),
        sign_data: sign(&[&tid, &edi], ch.secret_key.expose()),
        edi_date: edi,
        return_charset: fixed::RETURN_CHARSET,
        tax_free_amt: (plan.tax_free > Money::ZERO).then(|| plan.tax_free.get()),
        refund_account: refund.map(|a| Secret::new(digits(a.number.expose()))),
        refund_bank_code: refund
            .and_then(|a| protocol::bank_code(a.bank.code()))
            .map(str::to_string),
        refund_holder: refund.map(|a| a.holder_name.clone()),
    };
    Ok(post(
        ch.url(&format!("{}/{}/cancel", path::PAYMENTS, segment(&tid))),
        &ch.credentials,
        &req,
    ))
}

/// Revoke an issued, undeposited virtual account: NICE's cancel, `POST /v1/payments/{tid}/cancel`,
/// of the whole amount (no `cancelAmt`) and without refund fields. NICE's manual (`api/cancel.md`,
/// "결제수단별 취소/환불") allows a virtual account "발급 후" to be cancelled whole until its
/// deposit deadline, and refunds only after a deposit; PortOne lists "가상계좌 발급, 말소" among
/// NICE's API functions.
pub fn close_virtual_account(
    ctx: &EncodeContext<'_>,
    ch: &NiceChannel,
    call: &CloseVirtualAccountCall,
) -> Result<WireRequest, PgError> {
    let tid = call
        .prior
        .pg_tx_id
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| {
            validation(
                "prior.pgTxId",
                "is required: the tid of the virtual account to close",
            )
        })?
        .to_string();
    let edi = edi_date(&ctx.now);
    let req = CancelRequest {
        reason: fixed::CLOSE_REASON.into(),
        order_id: call.payment_id.clone(),
        cancel_amt: None,
        sign_data: sign(&[&tid, &edi], ch.secret_key.expose()),
        edi_date: edi,
        return_charset: fixed::RETURN_CHARSET,
        tax_free_amt: None,
        refund_account: None,
        refund_bank_code: None,
        refund_holder: None,
    };
    Ok(post(
        ch.url(&format!("{}/{}/cancel", path::PAYMENTS, segment(&tid))),
        &ch.credentials,
        &req,
    ))
}

/// `orderDate` (`YYYYMMDD`) of an inquiry by orderId: the stored order date, else the payment
/// time, else today (KST). **Reconstructed** fallback: the manual requires `orderDate` and an
/// unknown outcome is looked up the day it happened.
pub fn order_date(ctx: &EncodeContext<'_>, call: &GetPaymentCall) -> String {
    if let Some(d) = call.prior.order_date.as_deref() {
        if let Some(day) = d.get(..8).filter(|s| s.bytes().all(|b| b.is_ascii_digit())) {
            return day.to_string();
        }
    }
    let kst = paymux_core::adapter::kst();
    call.prior
        .paid_at
        .unwrap_or(ctx.now)
        .with_timezone(&kst)
        .format("%Y%m%d")
        .to_string()
}

/// `GET /v1/payments/{tid}` when the tid is known, else `GET /v1/payments/find/{orderId}`
/// with `orderDate` (`api/status-transaction.md`).
pub fn inquiry(
    ctx: &EncodeContext<'_>,
    ch: &NiceChannel,
    call: &GetPaymentCall,
) -> Result<WireRequest, PgError> {
    let tid = call
        .prior
        .pg_tx_id
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty());
    let (url, view) = match tid {
        Some(tid) => (
            ch.url(&format!("{}/{}", path::PAYMENTS, segment(tid))),
            json!({ "GET": "/v1/payments/{tid}", "tid": tid }),
        ),
        None => {
            let date = order_date(ctx, call);
            (
                ch.url(&format!(
                    "{}/{}?orderDate={date}",
                    path::FIND,
                    segment(&call.payment_id)
                )),
                json!({
                    "GET": "/v1/payments/find/{orderId}",
                    "orderId": call.payment_id,
                    "query": [{ "orderDate": date }],
                }),
            )
        }
    };
    Ok(api_call(
        "GET",
        url,
        &ch.credentials,
        Vec::new(),
        WireView::lazy(move || view.clone()),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fresh_order_ids_fit_64_bytes_and_differ_by_nonce() {
        let a = fresh_order_id("order-1", &[1; 16]);
        assert_eq!(a, "order-1-010101010101");
        let long = fresh_order_id(&"가".repeat(40), &[2; 16]);
        assert!(long.len() <= 64, "{}", long.len());
        assert_ne!(fresh_order_id("x", &[1; 16]), fresh_order_id("x", &[2; 16]));
    }
}
