//! The payment window with server approval (`api/payment-window-server.md`):
//!
//! - `checkout.prepare` builds the object the browser hands to `AUTHNICE.requestPay({...})`
//!   of NICE's JS SDK (`clientId`, `method`, `orderId`, `amount`, `goodsName`, `returnUrl`, the
//!   buyer, and `vbankHolder` / `vbankValidHours` for virtual accounts), as form fields;
//! - the window authenticates the payer and POSTs `authResultCode`, `tid`, `clientId`,
//!   `orderId`, `amount`, `authToken` and `signature = hex(sha256(authToken + clientId +
//!   amount + SecretKey))` to `returnUrl`;
//! - `checkout.complete` checks that return — the window's own result, the signature, and that
//!   client key, order and amount are the ones prepared — and only then approves with
//!   `POST /v1/payments/{tid} {amount, ediDate, signData}`. A bad signature or another amount
//!   is refused before anything is sent ("반드시 생성한 결제정보와 일치하는지 체크 후 승인 API를
//!   호출").

use chrono::{DateTime, FixedOffset, TimeZone};
use paymux_core::adapter::{
    kst, CheckoutCompleteCall, CheckoutPrepareCall, CheckoutRequest, EncodeContext, WindowOpen,
    WireRequest, WireTarget, WireView,
};
use paymux_core::error::PgError;
use paymux_core::model::{parse_sdk_due_date, CheckoutExpiry, PaymentPayMethod};
use paymux_core::money::Money;
use paymux_core::secret::Secret;
use paymux_core::validation::ValidationErrors;
use paymux_core::wire::{form_urlencode, Charset};
use serde_json::{json, Value};

use crate::channel::NiceChannel;
use crate::frame::{
    digits, edi_date, masked_view, post, segment, sign, signature_matches, ApproveRequest,
    WindowForm,
};
use crate::protocol::{code, fixed, method, path};

/// `vbankValidHours` of a window: `validHours`, or the whole hours (rounded up) until
/// `dueDate` (read in KST when it has no offset); absent = NICE's default (D+7). The
/// conversion of `dueDate` is paymux's: the manual's `vbankExpDate` has no documented format,
/// `vbankValidHours` (hours, 4 digits) has.
pub fn valid_hours(
    expiry: Option<&CheckoutExpiry>,
    now: &DateTime<FixedOffset>,
) -> Result<Option<i64>, String> {
    let Some(e) = expiry else { return Ok(None) };
    let hours = match (e.valid_hours, e.due_date.as_deref()) {
        (Some(h), _) => i64::from(h),
        (None, Some(d)) => {
            let due = match DateTime::parse_from_rfc3339(d) {
                Ok(t) => t,
                Err(_) => {
                    let naive = parse_sdk_due_date(d).ok_or("dueDate is not a date")?;
                    kst()
                        .from_local_datetime(&naive)
                        .single()
                        .ok_or("dueDate is not a KST time")?
                }
            };
            let secs = (due - *now).num_seconds();
            if secs <= 0 {
                return Err("must be in the future (the deposit deadline)".into());
            }
            (secs + 3599) / 3600
        }
        (None, None) => return Ok(None),
    };
    if !(1..=9999).contains(&hours) {
        return Err("must be 1 to 9999 hours ahead (vbankValidHours, 4 digits)".into());
    }
    Ok(Some(hours))
}

/// Build the window (`checkout.prepare`): a [`WireTarget::Browser`] pointing at the JS SDK
/// (or a simulator's stand-in), with the `requestPay` object as UTF-8 form fields.
pub fn prepare(
    ctx: &EncodeContext<'_>,
    ch: &NiceChannel,
    call: &CheckoutPrepareCall,
) -> Result<WireRequest, PgError> {
    let CheckoutRequest::Payment(r) = &call.checkout else {
        return Err(PgError::Unsupported {
            adapter: crate::ADAPTER_ID,
            what: "checkout.prepare of a billing-key window".into(),
        });
    };
    let m = match r.pay_method {
        PaymentPayMethod::Card => method::CARD,
        PaymentPayMethod::Transfer => method::BANK,
        PaymentPayMethod::VirtualAccount => method::VBANK,
        other => {
            return Err(PgError::Unsupported {
                adapter: crate::ADAPTER_ID,
                what: format!("checkout.prepare with {other:?}"),
            })
        }
    };
    let customer = r.customer.clone().unwrap_or_default();
    let vbank = r.pay_method == PaymentPayMethod::VirtualAccount;
    let vbank_valid_hours = if vbank {
        let expiry = r
            .virtual_account
            .as_ref()
            .and_then(|v| v.account_expiry.as_ref());
        valid_hours(expiry, &ctx.now).map_err(|rule| {
            let mut e = ValidationErrors::default();
            e.add("virtualAccount.accountExpiry", rule);
            PgError::Validation(e)
        })?
    } else {
        None
    };
    let tax_free = r.tax_free_amount.unwrap_or(Money::ZERO);
    let form = WindowForm {
        client_id: ch.client_key.clone(),
        method: m.into(),
        order_id: r.payment_id.clone(),
        amount: r.total_amount.get(),
        goods_name: r.order_name.clone(),
        return_url: call.return_url.clone().unwrap_or_default(),
        mall_user_id: customer.customer_id.clone(),
        buyer_name: customer.full_name(),
        buyer_tel: customer
            .phone_number
            .as_deref()
            .map(digits)
            .filter(|p| !p.is_empty()),
        buyer_email: customer.email.clone(),
        return_charset: fixed::RETURN_CHARSET,
        tax_free_amt: (tax_free > Money::ZERO).then(|| tax_free.get()),
        vbank_holder: if vbank { customer.full_name() } else { None },
        vbank_valid_hours,
    };
    let pairs = form.pairs();
    let refs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let body = form_urlencode(&refs, Charset::Utf8)?;
    let script = ch.js_sdk();
    let shown: Vec<(&'static str, Value)> = pairs
        .iter()
        .map(|(k, v)| (*k, Value::String(v.clone())))
        .collect();
    Ok(WireRequest {
        target: WireTarget::Browser {
            url: script.clone(),
            accept_charset: "UTF-8",
            // NICE's JS SDK takes the fields as an object (`AUTHNICE.requestPay({...})`), not a
            // form: only that SDK, called from the merchant's page, opens the window.
            open: WindowOpen::VendorSdkOnly {
                why: "NICE's window is opened by its JS SDK (`AUTHNICE.requestPay({...})`); use \
                      NICE's SDK for this channel"
                    .into(),
            },
            shown_amount: Some(r.total_amount),
        },
        body,
        view: WireView::lazy(move || {
            json!({
                "script": script,
                "call": "AUTHNICE.requestPay({...}): the window POSTs authResultCode, tid, clientId, orderId, amount, authToken and signature to returnUrl",
                "requestPay": masked_view(&shown),
            })
        }),
        read_timeout: None,
    })
}

/// The window's own verdict: an `authResultCode` other than `0000` means the payer cancelled
/// or authentication failed, so there is nothing to approve ("0000인 경우에만 승인 API를
/// 호출").
pub fn window_failure(call: &CheckoutCompleteCall) -> Option<PgError> {
    let get = |k: &str| call.returned.get(k).map(|v| v.expose().trim().to_string());
    match get("authResultCode") {
        Some(c) if c == code::OK => None,
        Some(c) if !c.is_empty() => Some(PgError::WindowFailed {
            pg_code: c,
            pg_message: get("authResultMsg").unwrap_or_default(),
        }),
        _ => None,
    }
}

/// What the window returned, checked: the approval to send.
#[derive(Debug, Clone)]
pub struct WindowReturn {
    /// `tid`: 결제 인증 키.
    pub tid: String,
    /// The amount, the one prepared.
    pub amount: i64,
    /// `authToken` (never shown).
    pub auth_token: Secret<String>,
}

/// Read and check the window's return. Errors name `returned.<field>` (or `prior.amount`) and
/// never echo a value.
pub fn read_return(
    ch: &NiceChannel,
    call: &CheckoutCompleteCall,
) -> Result<WindowReturn, ValidationErrors> {
    let mut errs = ValidationErrors::default();
    let get = |k: &str| {
        call.returned
            .get(k)
            .map(|v| v.expose().trim().to_string())
            .filter(|v| !v.is_empty())
    };
    let required = |k: &str, errs: &mut ValidationErrors| {
        let v = get(k);
        if v.is_none() {
            errs.add(
                format!("returned.{k}").as_str(),
                "is required (NICE's window posts it to returnUrl)",
            );
        }
        v
    };
    if get("authResultCode").is_none() {
        errs.add(
            "returned.authResultCode",
            "is required (NICE's window posts it to returnUrl)",
        );
    }
    let tid = required("tid", &mut errs);
    let client_id = required("clientId", &mut errs);
    let order_id = required("orderId", &mut errs);
    let amount_text = required("amount", &mut errs);
    let token = required("authToken", &mut errs);
    let signature = required("signature", &mut errs);
    if let Some(t) = &tid {
        if t.len() > 30 || !t.bytes().all(|b| b.is_ascii_alphanumeric()) {
            errs.add("returned.tid", "is not a NICE tid (30 letters and digits)");
        }
    }
    if client_id.as_ref().is_some_and(|c| *c != ch.client_key) {
        errs.add(
            "returned.clientId",
            "is not this channel's client key: the window was opened for another merchant",
        );
    }
    if order_id.as_ref().is_some_and(|o| *o != call.payment_id) {
        errs.add("returned.orderId", "is not the paymentId being completed");
    }
    let amount = amount_text
        .as_deref()
        .and_then(|a| a.parse::<i64>().ok().filter(|n| *n > 0));
    if amount_text.is_some() && amount.is_none() {
        errs.add("returned.amount", "is not an amount");
    }
    match (call.prior.amount.map(|a| a.total.get()), amount) {
        (None, _) => errs.add(
            "prior.amount",
            "is required: the window's amount is checked against the amount prepared",
        ),
        (Some(expected), Some(got)) if expected != got => errs.add(
            "returned.amount",
            "is not the amount prepared: refused without approving",
        ),
        _ => {}
    }
    if let (Some(token), Some(client), Some(amount), Some(sig)) =
        (&token, &client_id, &amount_text, &signature)
    {
        let expected = sign(&[token, client, amount], ch.secret_key.expose());
        if !signature_matches(&expected, sig) {
            errs.add(
                "returned.signature",
                "does not match hex(sha256(authToken + clientId + amount + SecretKey)): the return was not made by NICE for this channel",
            );
        }
    }
    errs.into_result()?;
    Ok(WindowReturn {
        tid: tid.unwrap_or_default(),
        amount: amount.unwrap_or_default(),
        auth_token: Secret::new(token.unwrap_or_default()),
    })
}

/// Approve the window's result (`checkout.complete`): `POST /v1/payments/{tid}`.
pub fn complete(
    ctx: &EncodeContext<'_>,
    ch: &NiceChannel,
    call: &CheckoutCompleteCall,
) -> Result<WireRequest, PgError> {
    if let Some(failed) = window_failure(call) {
        return Err(failed);
    }
    let ret = read_return(ch, call)?;
    let edi = edi_date(&ctx.now);
    let amount = ret.amount.to_string();
    let req = ApproveRequest {
        amount: ret.amount,
        sign_data: sign(&[&ret.tid, &amount, &edi], ch.secret_key.expose()),
        edi_date: edi,
        return_charset: fixed::RETURN_CHARSET,
    };
    Ok(post(
        ch.url(&format!("{}/{}", path::PAYMENTS, segment(&ret.tid))),
        &ch.credentials,
        &req,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_hours_from_hours_or_due_date() {
        let now = DateTime::parse_from_rfc3339("2025-03-01T10:15:00+09:00").unwrap();
        let e = |h: Option<i32>, d: Option<&str>| CheckoutExpiry {
            valid_hours: h,
            due_date: d.map(str::to_string),
        };
        assert_eq!(valid_hours(None, &now), Ok(None));
        assert_eq!(valid_hours(Some(&e(Some(24), None)), &now), Ok(Some(24)));
        assert_eq!(
            valid_hours(Some(&e(None, Some("2025-03-02T10:15:00+09:00"))), &now),
            Ok(Some(24))
        );
        assert_eq!(
            valid_hours(Some(&e(None, Some("2025-03-01T10:16:00+09:00"))), &now),
            Ok(Some(1))
        );
        assert!(valid_hours(Some(&e(None, Some("2025-02-28T00:00:00+09:00"))), &now).is_err());
        assert!(valid_hours(Some(&e(Some(0), None)), &now).is_err());
    }
}
