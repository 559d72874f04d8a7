//! The Toss payment window: `checkout.prepare` builds what the standard window is opened with
//! (`TossPayments(clientKey).requestPayment('카드', {amount, orderId, orderName, customerName,
//! customerEmail, successUrl, failUrl})`, <https://docs.tosspayments.com/reference/js-sdk>), and
//! `checkout.complete` confirms what the success URL carried (`paymentKey`, `orderId`,
//! `amount`) with `POST /v1/payments/confirm`, after checking the order and the amount against
//! the session (a tampered `amount` is refused before anything is sent).
//!
//! The form body holds the window parameters as `application/x-www-form-urlencoded` UTF-8
//! pairs, with the SDK's parameter names; the view names the call.

use paymux_core::adapter::{
    CheckoutCompleteCall, CheckoutPrepareCall, CheckoutRequest, WindowOpen, WireRequest,
    WireTarget, WireView,
};
use paymux_core::error::PgError;
use paymux_core::wire::{form_urlencode, Charset};
use serde_json::json;

use crate::channel::TossChannel;
use crate::frame::{self, ConfirmRequest};
use crate::protocol::{method, path, WINDOW_SCRIPT};
use crate::rules::{idempotency_key, window_failure, window_return};

/// The window's method parameter for a card payment.
pub const CARD_METHOD: &str = method::CARD;

/// `checkout.prepare`: the window's parameters.
pub fn prepare(ch: &TossChannel, call: &CheckoutPrepareCall) -> Result<WireRequest, PgError> {
    let CheckoutRequest::Payment(r) = &call.checkout else {
        return Err(PgError::Unsupported {
            adapter: crate::ADAPTER_ID,
            what: "checkout.prepare of billing-key windows".into(),
        });
    };
    let client_key = ch.client_key.clone().ok_or_else(|| PgError::Unsupported {
        adapter: crate::ADAPTER_ID,
        what: "checkout.prepare without credentials.client_key".into(),
    })?;
    let return_url = call.return_url.clone().unwrap_or_default();
    let customer = r.customer.clone().unwrap_or_default();
    let mut pairs: Vec<(&'static str, String)> = vec![
        ("clientKey", client_key),
        ("method", CARD_METHOD.to_string()),
        ("amount", r.total_amount.get().to_string()),
        ("orderId", r.payment_id.clone()),
        ("orderName", r.order_name.clone()),
        ("successUrl", return_url.clone()),
        ("failUrl", return_url),
    ];
    if let Some(name) = customer.full_name() {
        pairs.push(("customerName", name));
    }
    if let Some(email) = customer.email.clone() {
        pairs.push(("customerEmail", email));
    }
    if let Some(tax_free) = r.tax_free_amount.filter(|m| m.get() > 0) {
        pairs.push(("taxFreeAmount", tax_free.get().to_string()));
    }
    let refs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let body = form_urlencode(&refs, Charset::Utf8)?;
    let url = if ch.endpoint {
        ch.url("/window")
    } else {
        WINDOW_SCRIPT.to_string()
    };
    Ok(WireRequest {
        target: WireTarget::Browser {
            url,
            accept_charset: "UTF-8",
            // Toss's window is opened by its JavaScript SDK with the merchant's client key and
            // returns to successUrl with a GET: only that SDK can open it.
            open: WindowOpen::VendorSdkOnly {
                why: "Toss Payments' window is opened by its JavaScript SDK \
                      (`TossPayments(clientKey).requestPayment(…)`); use Toss's SDK for this channel"
                    .into(),
            },
            shown_amount: Some(r.total_amount),
        },
        body,
        view: WireView::lazy(move || {
            json!({
                "script": WINDOW_SCRIPT,
                "call": "TossPayments(clientKey).requestPayment(method, {amount, orderId, orderName, customerName, customerEmail, successUrl, failUrl})",
                "fields": pairs.iter().map(|(k, v)| json!([k, v])).collect::<Vec<_>>(),
            })
        }),
        read_timeout: None,
    })
}

/// `checkout.complete`: `POST /v1/payments/confirm {paymentKey, orderId, amount}`.
pub fn complete(ch: &TossChannel, call: &CheckoutCompleteCall) -> Result<WireRequest, PgError> {
    if let Some(failed) = window_failure(call) {
        return Err(failed);
    }
    let ret = window_return(call)?;
    let msg = ConfirmRequest {
        payment_key: ret.payment_key,
        order_id: ret.order_id,
        amount: ret.amount,
    };
    Ok(frame::json_call(
        "POST",
        ch.url(path::CONFIRM),
        ch.auth(),
        path::CONFIRM.into(),
        Some(&|b: &[u8]| idempotency_key("confirm", &call.payment_id, 1, &ch.secret_key, b)),
        msg,
    ))
}
