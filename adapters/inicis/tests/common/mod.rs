//! Fixtures shared by the integration tests: requests in PortOne JSON, a fixed clock and
//! nonce, and the sandbox channel (Inicis' published test credentials).
#![allow(dead_code)]

use chrono::{DateTime, FixedOffset};
use paymux_core::adapter::{EncodeContext, Operation, PgRequest};
use paymux_core::channel::ChannelContext;
use paymux_core::simulator::Simulator;
use paymux_inicis::InicisSimulator;
use serde_json::{json, Value};

/// Card numbers used in the tests. They must never show in views, errors or snapshots.
pub const CARD_OK: &str = "4518420012345678";
pub const CARD_DECLINED: &str = "4518420012340002";
pub const CARD_NO_FUNDS: &str = "4518420012340051";
pub const CARD_LATE: &str = "4518420012340098";
pub const CARD_DROP: &str = "4518420012340099";
pub const PASSWORD: &str = "37";
pub const BIRTH: &str = "880315";
pub const REFUND_ACCOUNT: &str = "110987654321";

/// "Now": 2025-03-01 10:15:00 KST.
pub fn now() -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339("2025-03-01T10:15:00+09:00").unwrap()
}

pub const NONCE: [u8; 16] = [7; 16];

/// The sandbox channel, pointing at `endpoint` ("" = Inicis' test host).
pub fn channel(endpoint: &str) -> ChannelContext {
    InicisSimulator::default().sandbox_channel("inicis-test", endpoint)
}

/// A deterministic encode context.
pub fn ctx(channel: &ChannelContext) -> EncodeContext<'_> {
    EncodeContext {
        channel,
        now: now(),
        nonce: NONCE,
    }
}

pub fn request(op: Operation, v: Value) -> PgRequest {
    PgRequest::from_json(op, &v.to_string()).unwrap()
}

pub fn customer() -> Value {
    json!({
        "id": "user01",
        "name": { "full": "홍길동" },
        "email": "buyer@example.com",
        "phoneNumber": "010-1234-5678"
    })
}

/// `payment.instant` with a keyed-in card.
pub fn instant(payment_id: &str, number: &str, total: i64) -> PgRequest {
    request(
        Operation::PaymentInstant,
        json!({
            "paymentId": payment_id,
            "orderName": "나이키 와플 트레이너 2 SD",
            "amount": { "total": total },
            "currency": "KRW",
            "customer": customer(),
            "method": { "card": { "credential": {
                "number": number, "expiryYear": "28", "expiryMonth": "06",
                "birthOrBusinessRegistrationNumber": BIRTH, "passwordTwoDigits": PASSWORD
            } } }
        }),
    )
}

pub fn issue_billing_key(billing_key: &str, number: &str) -> PgRequest {
    request(
        Operation::BillingKeyIssue,
        json!({
            "billingKey": billing_key,
            "method": { "card": { "credential": {
                "number": number,
                "expiryYear": "28",
                "expiryMonth": "06",
                "birthOrBusinessRegistrationNumber": BIRTH,
                "passwordTwoDigits": PASSWORD
            } } },
            "customer": customer()
        }),
    )
}

pub fn charge(payment_id: &str, pg_billing_key: &str, total: i64) -> PgRequest {
    request(
        Operation::PaymentBillingKey,
        json!({
            "paymentId": payment_id,
            "billingKey": "bk-portone-1",
            "orderName": "월간 이용권 정기결제",
            "customer": customer(),
            "amount": { "total": total },
            "currency": "KRW",
            "installmentMonth": 0,
            "prior": { "pgBillingKey": pg_billing_key, "method": "CARD" }
        }),
    )
}

/// The earlier payment as a gateway stores it.
pub fn prior(tid: &str, method: &str, total: i64, cancelled: i64, cancel_count: u32) -> Value {
    json!({
        "pgTxId": tid,
        "paidAt": "2025-03-01T10:00:00+09:00",
        "amount": { "total": total, "cancelled": cancelled },
        "cancelCount": cancel_count,
        "method": method
    })
}

pub fn cancel(payment_id: &str, amount: Option<i64>, prior: Value) -> PgRequest {
    let mut body = json!({ "paymentId": payment_id, "reason": "고객 요청", "prior": prior });
    if let Some(a) = amount {
        body["amount"] = json!(a);
    }
    request(Operation::PaymentCancel, body)
}

/// A deposited virtual account's refund (the refund account is encrypted on the wire).
pub fn vacct_refund(payment_id: &str, amount: Option<i64>, tid: &str, total: i64) -> PgRequest {
    let mut body = json!({
        "paymentId": payment_id,
        "reason": "환불 요청",
        "prior": prior(tid, "VIRTUAL_ACCOUNT", total, 0, 0),
        "refundAccount": {
            "bank": "SHINHAN",
            "number": REFUND_ACCOUNT,
            "holderName": "홍길동",
            "holderPhoneNumber": "010-1234-5678"
        }
    });
    if let Some(a) = amount {
        body["amount"] = json!(a);
    }
    request(Operation::PaymentCancel, body)
}

pub fn inquiry(payment_id: &str, prior: Value) -> PgRequest {
    request(
        Operation::PaymentGet,
        json!({ "paymentId": payment_id, "prior": prior }),
    )
}

/// `checkout.prepare` of a card `requestPayment` window.
pub fn checkout(payment_id: &str, total: i64) -> PgRequest {
    request(
        Operation::CheckoutPrepare,
        json!({ "returnUrl": "https://merchant.example/pay/return", "checkout": {
            "kind": "PAYMENT",
            "storeId": "store-1",
            "paymentId": payment_id,
            "orderName": "나이키 와플 트레이너 2 SD",
            "totalAmount": total,
            "currency": "CURRENCY_KRW",
            "payMethod": "CARD",
            "customer": {
                "customerId": "user01",
                "fullName": "홍길동",
                "phoneNumber": "010-1234-5678",
                "email": "buyer@example.com"
            }
        } }),
    )
}

/// `checkout.complete` with what the window posted back.
pub fn complete(payment_id: &str, returned: Value, total: i64) -> PgRequest {
    request(
        Operation::CheckoutComplete,
        json!({
            "paymentId": payment_id,
            "returned": returned,
            "prior": { "amount": { "total": total }, "method": "CARD" }
        }),
    )
}

/// A window return for the simulator at `endpoint` (`http://host:port`).
pub fn window_return(payment_id: &str, endpoint: &str, token: &str) -> Value {
    json!({
        "resultCode": "0000",
        "resultMsg": "인증 성공",
        "mid": "INIpayTest",
        "orderNumber": payment_id,
        "authToken": token,
        "idc_name": "stg",
        "authUrl": format!("{endpoint}/api/payAuth"),
        "netCancelUrl": format!("{endpoint}/api/netCancel"),
        "charset": "UTF-8"
    })
}

/// The `name="value"` hidden inputs of a page.
pub fn hidden_inputs(page: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for part in page.split("<input type=\"hidden\" name=\"").skip(1) {
        let Some((name, rest)) = part.split_once("\" value=\"") else {
            continue;
        };
        let Some((value, _)) = rest.split_once('"') else {
            continue;
        };
        out.push((unescape(name), unescape(value)));
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

/// Play the simulated window: open it with the prepared form, pay with `card` (or cancel),
/// and return the fields the window posts back.
pub async fn pay_in_window(
    endpoint: &str,
    form: &[u8],
    card: Option<&str>,
) -> Result<Vec<(String, String)>, String> {
    let answer = match card {
        Some(c) => format!("cardNumber={c}&ACTION=approve"),
        None => "ACTION=cancel".to_string(),
    };
    answer_window(endpoint, form, answer).await
}

/// Open the simulated window with `form` and answer it with the form body `answer`.
pub async fn answer_window(
    endpoint: &str,
    form: &[u8],
    answer: String,
) -> Result<Vec<(String, String)>, String> {
    let client = reqwest::Client::new();
    let page = client
        .post(format!("{endpoint}/window"))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(form.to_vec())
        .send()
        .await
        .map_err(|e| format!("window: {e}"))?
        .text()
        .await
        .map_err(|e| format!("window: {e}"))?;
    let token = page
        .split("action=\"/window/")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .ok_or_else(|| "the window page has no form (refused?)".to_string())?
        .to_string();
    let ret = client
        .post(format!("{endpoint}/window/{token}"))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(answer)
        .send()
        .await
        .map_err(|e| format!("window answer: {e}"))?
        .text()
        .await
        .map_err(|e| format!("window answer: {e}"))?;
    let fields = hidden_inputs(&ret);
    if fields.is_empty() {
        return Err("the window posted nothing back".into());
    }
    Ok(fields)
}

/// `checkout.prepare` of a virtual-account `requestPayment` window.
pub fn checkout_va(payment_id: &str, total: i64) -> PgRequest {
    request(
        Operation::CheckoutPrepare,
        json!({ "returnUrl": "https://merchant.example/pay/return", "checkout": {
            "kind": "PAYMENT",
            "storeId": "store-1",
            "paymentId": payment_id,
            "orderName": "가상계좌 주문",
            "totalAmount": total,
            "currency": "CURRENCY_KRW",
            "payMethod": "VIRTUAL_ACCOUNT",
            "virtualAccount": { "accountExpiry": { "validHours": 72 } },
            "customer": { "fullName": "홍길동", "phoneNumber": "010-1234-5678", "email": "buyer@example.com" }
        } }),
    )
}
