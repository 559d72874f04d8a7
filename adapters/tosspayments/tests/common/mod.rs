//! Fixtures shared by the integration tests: requests in PortOne JSON, a fixed clock and
//! nonce, the sandbox channel, and the payer's trip through the simulated window.
#![allow(dead_code)]

use std::collections::BTreeMap;

use chrono::{DateTime, FixedOffset};
use paymux_core::adapter::{EncodeContext, Operation, PgRequest};
use paymux_core::channel::ChannelContext;
use paymux_core::simulator::Simulator;
use paymux_tosspayments::TossSimulator;
use serde_json::{json, Value};

/// Card numbers used in the tests. They must never show in views, errors or snapshots.
pub const CARD_OK: &str = "4330123412341234";
pub const CARD_DECLINED: &str = "4330123412340002";
pub const CARD_NO_FUNDS: &str = "4330123412340051";
pub const CARD_LATE: &str = "4330123412340098";
pub const CARD_DROP: &str = "4330123412340099";
pub const PASSWORD: &str = "37";
pub const BIRTH: &str = "880315";
/// A refund account number and a cash-receipt number (secrets too).
pub const REFUND_ACCOUNT: &str = "110987654321";
pub const RECEIPT_ID: &str = "01098765432";
/// The published test secret key (it must never show in a view).
pub const SECRET_KEY: &str = "test_sk_zXLkKEypNArWmo50nX3lmeaxYG5R";

/// "Now" for deterministic encoding: 2025-03-01 10:15:00 KST.
pub fn now() -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339("2025-03-01T10:15:00+09:00").unwrap()
}

pub const NONCE: [u8; 16] = [7; 16];

/// The sandbox channel, pointing at `endpoint` ("" = Toss's host).
pub fn channel(endpoint: &str) -> ChannelContext {
    TossSimulator::default().sandbox_channel("tosspayments-test", endpoint)
}

/// A deterministic encode context.
pub fn ctx(channel: &ChannelContext) -> EncodeContext<'_> {
    EncodeContext {
        channel,
        now: now(),
        nonce: NONCE,
    }
}

/// Parse a `paymux wire`-style request.
pub fn request(op: Operation, v: Value) -> PgRequest {
    PgRequest::from_json(op, &v.to_string()).unwrap()
}

pub fn customer() -> Value {
    json!({
        "id": "user_01",
        "name": { "full": "박토스" },
        "email": "buyer@example.com",
        "phoneNumber": "010-1234-5678"
    })
}

/// `payment.instant` with a keyed-in card.
pub fn instant_card(payment_id: &str, number: &str, total: i64) -> PgRequest {
    request(
        Operation::PaymentInstant,
        json!({
            "paymentId": payment_id,
            "channelKey": "tosspayments-test",
            "orderName": "토스 티셔츠 외 2건",
            "amount": { "total": total, "taxFree": 0 },
            "currency": "KRW",
            "customer": customer(),
            "method": { "card": {
                "credential": {
                    "number": number, "expiryYear": "30", "expiryMonth": "12",
                    "birthOrBusinessRegistrationNumber": BIRTH, "passwordTwoDigits": PASSWORD
                },
                "installmentMonth": 3
            } }
        }),
    )
}

/// `payment.instant` issuing a virtual account.
pub fn virtual_account(payment_id: &str, total: i64, expiry: Value) -> PgRequest {
    request(
        Operation::PaymentInstant,
        json!({
            "paymentId": payment_id,
            "channelKey": "tosspayments-test",
            "orderName": "토스 티셔츠",
            "amount": { "total": total, "taxFree": 100 },
            "currency": "KRW",
            "customer": customer(),
            "method": { "virtualAccount": {
                "bank": "WOORI",
                "expiry": expiry,
                "option": { "type": "NORMAL" },
                "cashReceipt": { "type": "PERSONAL", "customerIdentityNumber": RECEIPT_ID }
            } }
        }),
    )
}

/// `billing-key.issue`.
pub fn issue_billing_key(billing_key: &str, number: &str) -> PgRequest {
    request(
        Operation::BillingKeyIssue,
        json!({
            "billingKey": billing_key,
            "channelKey": "tosspayments-test",
            "customer": customer(),
            "method": { "card": { "credential": {
                "number": number, "expiryYear": "30", "expiryMonth": "07",
                "birthOrBusinessRegistrationNumber": BIRTH, "passwordTwoDigits": PASSWORD
            } } }
        }),
    )
}

/// `payment.billing-key` with the stored key.
pub fn charge(payment_id: &str, stored_key: &str, total: i64) -> PgRequest {
    request(
        Operation::PaymentBillingKey,
        json!({
            "paymentId": payment_id,
            "billingKey": "bk-portone-1",
            "channelKey": "tosspayments-test",
            "orderName": "정기결제 3월",
            "amount": { "total": total },
            "currency": "KRW",
            "customer": customer(),
            "prior": { "pgBillingKey": stored_key }
        }),
    )
}

/// `prior` of a payment.
pub fn prior(key: &str, method: &str, total: i64, cancelled: i64, count: u32) -> Value {
    json!({
        "pgTxId": key,
        "paidAt": "2025-03-01T10:15:00+09:00",
        "amount": { "total": total, "cancelled": cancelled },
        "cancelCount": count,
        "method": method
    })
}

/// `payment.cancel`.
pub fn cancel(payment_id: &str, amount: Option<i64>, prior: Value) -> PgRequest {
    let mut v = json!({ "paymentId": payment_id, "reason": "고객 변심", "prior": prior });
    if let Some(a) = amount {
        v["amount"] = json!(a);
    }
    request(Operation::PaymentCancel, v)
}

/// `virtual-account.close` of the payment `prior` describes.
pub fn close_virtual_account(payment_id: &str, prior: Value) -> PgRequest {
    request(
        Operation::VirtualAccountClose,
        json!({ "paymentId": payment_id, "prior": prior }),
    )
}

/// `payment.get` (by paymentKey when `key` is given, else by orderId).
pub fn get(payment_id: &str, key: Option<&str>) -> PgRequest {
    let prior = match key {
        Some(k) => json!({ "pgTxId": k }),
        None => json!({}),
    };
    request(
        Operation::PaymentGet,
        json!({ "paymentId": payment_id, "prior": prior }),
    )
}

/// `checkout.prepare` of a card window.
pub fn checkout(payment_id: &str, total: i64) -> PgRequest {
    request(
        Operation::CheckoutPrepare,
        json!({
            "returnUrl": "https://shop.example/checkout/return/s1",
            "checkout": {
                "kind": "PAYMENT", "storeId": "store-1", "paymentId": payment_id, "channelKey": "tosspayments-test",
                "orderName": "토스 티셔츠", "totalAmount": total, "currency": "KRW",
                "payMethod": "CARD", "customer": { "fullName": "박토스", "email": "buyer@example.com" }
            }
        }),
    )
}

/// `checkout.complete` with what the success URL carried.
pub fn complete(payment_id: &str, returned: &BTreeMap<String, String>, total: i64) -> PgRequest {
    request(
        Operation::CheckoutComplete,
        json!({
            "paymentId": payment_id,
            "returned": returned,
            "prior": { "amount": { "total": total }, "method": "CARD" }
        }),
    )
}

/// The hidden inputs of a page (`name="…" value="…"`), HTML entities undone.
pub fn hidden_inputs(page: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for part in page.split("<input type=\"hidden\" ").skip(1) {
        let attr = |name: &str| {
            let start = part.find(&format!("{name}=\""))? + name.len() + 2;
            let end = part[start..].find('"')? + start;
            Some(unescape(&part[start..end]))
        };
        if let (Some(k), Some(v)) = (attr("name"), attr("value")) {
            out.insert(k, v);
        }
    }
    out
}

fn unescape(s: &str) -> String {
    s.replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// Open the simulated window with `form` (what `checkout.prepare` built), enter `card`, press
/// Pay (or Cancel), and return what the window posts back.
pub async fn pay_in_window(
    endpoint: &str,
    form: &[u8],
    card: &str,
    pay: bool,
) -> Result<BTreeMap<String, String>, String> {
    let base = if endpoint.contains("://") {
        endpoint.trim_end_matches('/').to_string()
    } else {
        format!("http://{endpoint}")
    };
    let client = reqwest::Client::new();
    let page = client
        .post(format!("{base}/window"))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(form.to_vec())
        .send()
        .await
        .map_err(|e| format!("the simulated window did not answer: {e}"))?
        .text()
        .await
        .map_err(|e| e.to_string())?;
    let start = page
        .find("action=\"/window/")
        .ok_or("the window page has no form")?
        + "action=\"".len();
    let end = page[start..].find('"').ok_or("unterminated action")? + start;
    let action = unescape(&page[start..end]);
    let answer = if pay {
        format!("cardNumber={card}&ACTION=approve")
    } else {
        "ACTION=cancel".to_string()
    };
    let back = client
        .post(format!("{base}{action}"))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(answer)
        .send()
        .await
        .map_err(|e| format!("the window did not answer the payer: {e}"))?
        .text()
        .await
        .map_err(|e| e.to_string())?;
    let fields = hidden_inputs(&back);
    if fields.is_empty() {
        return Err("the window posted nothing back".into());
    }
    Ok(fields)
}
