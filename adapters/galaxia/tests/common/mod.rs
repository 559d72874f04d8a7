//! Fixtures shared by the integration tests: requests in PortOne JSON, a fixed clock and
//! nonce, the sandbox channel, and a forged payment-window return.
#![allow(dead_code)]

use std::collections::BTreeMap;

use chrono::{DateTime, FixedOffset};
use paymux_core::adapter::{EncodeContext, Operation, PgRequest};
use paymux_core::channel::ChannelContext;
use paymux_core::secret::Secret;
use paymux_core::simulator::Simulator;
use paymux_galaxia::checkout::hash_data;
use paymux_galaxia::frame::{Cipher, Telegram};
use paymux_galaxia::simulator::{TEST_IV, TEST_KEY};
use paymux_galaxia::GalaxiaSimulator;
use serde_json::{json, Value};

/// Card numbers used in the tests. They must never show in views, errors or snapshots.
pub const CARD_OK: &str = "4518420012345678";
pub const CARD_DECLINED: &str = "4518420012340002";
pub const CARD_NO_FUNDS: &str = "4518420012340051";
pub const CARD_LATE: &str = "4518420012340098";
pub const CARD_DROP: &str = "4518420012340099";
pub const PASSWORD: &str = "37";
pub const BIRTH: &str = "880315";
/// The raw SEED key behind the sample's base64 key.
pub const RAW_KEY: &str = "BFIFPCE28OG59KA3";

/// "Now" for deterministic encoding: 2025-03-14 09:26:53 KST.
pub fn now() -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339("2025-03-14T09:26:53+09:00").unwrap()
}

/// The fixed nonce (its first 4 bytes salt CHECK_SUM).
pub const NONCE: [u8; 16] = [
    0x1a, 0x2b, 0x3c, 0x4d, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
];

/// The sandbox channel, pointing at `endpoint` ("" = Galaxia's test host).
pub fn channel(endpoint: &str) -> ChannelContext {
    GalaxiaSimulator::default().sandbox_channel("galaxia-test", endpoint)
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

pub fn card(number: &str) -> Value {
    json!({
        "card": {
            "credential": {
                "number": number,
                "expiryYear": "28",
                "expiryMonth": "06",
                "birthOrBusinessRegistrationNumber": BIRTH,
                "passwordTwoDigits": PASSWORD
            },
            "installmentMonth": 3
        }
    })
}

pub fn customer() -> Value {
    json!({ "id": "user_01", "name": { "full": "홍길동" }, "email": "buyer@example.com" })
}

/// `payment.instant` with a keyed-in card.
pub fn instant(payment_id: &str, number: &str, total: i64) -> PgRequest {
    request(
        Operation::PaymentInstant,
        json!({
            "paymentId": payment_id,
            "channelKey": "galaxia-test",
            "method": card(number),
            "orderName": "테스트상품_123",
            "customer": customer(),
            "amount": { "total": total, "taxFree": 100 },
            "currency": "KRW",
            "bypass": { "galaxia": { "ITEM_CODE": "ITEM01" } }
        }),
    )
}

/// The earlier payment, as a gateway stores it.
pub fn prior(tid: &str, method: &str, total: i64, cancelled: i64, order_date: &str) -> Value {
    json!({
        "pgTxId": tid,
        "amount": { "total": total, "cancelled": cancelled },
        "method": method,
        "orderDate": order_date
    })
}

pub fn cancel(payment_id: &str, amount: Option<i64>, prior: Value) -> PgRequest {
    let mut body = json!({ "paymentId": payment_id, "reason": "고객 요청", "prior": prior });
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

pub fn issue_billing_key(billing_key: &str, number: &str) -> PgRequest {
    request(
        Operation::BillingKeyIssue,
        json!({
            "billingKey": billing_key,
            "channelKey": "galaxia-test",
            "method": { "card": card(number)["card"].clone() },
            "customer": customer()
        }),
    )
}

pub fn charge_billing_key(payment_id: &str, pg_key: &str, method: &str) -> PgRequest {
    request(
        Operation::PaymentBillingKey,
        json!({
            "paymentId": payment_id,
            "billingKey": "bk-portone-1",
            "orderName": "정기결제 3월",
            "customer": customer(),
            "amount": { "total": 9900 },
            "currency": "KRW",
            "prior": { "pgBillingKey": pg_key, "method": method }
        }),
    )
}

pub fn delete_billing_key(billing_key: &str, pg_key: &str) -> PgRequest {
    request(
        Operation::BillingKeyDelete,
        json!({ "billingKey": billing_key, "prior": { "pgBillingKey": pg_key } }),
    )
}

/// `checkout.prepare` of `requestPayment` with `extra` fields merged in.
pub fn checkout_payment(pay_method: &str, extra: Value) -> PgRequest {
    let mut r = json!({
        "kind": "PAYMENT",
        "storeId": "store-1",
        "channelKey": "galaxia-test",
        "paymentId": format!("win-{}", pay_method.to_lowercase()),
        "orderName": "테스트상품_123",
        "totalAmount": 1004,
        "currency": "KRW",
        "payMethod": pay_method,
        "customer": { "customerId": "user_01", "fullName": "홍길동", "email": "buyer@example.com", "phoneNumber": "010-1234-5678" },
        "redirectUrl": "https://shop.example.com/return",
        "bypass": { "galaxia": { "ITEM_CODE": "ITEM01" } }
    });
    merge(&mut r, extra);
    request(
        Operation::CheckoutPrepare,
        json!({ "returnUrl": "https://gw.example.com/galaxia/return", "checkout": r }),
    )
}

pub fn merge(into: &mut Value, extra: Value) {
    if let (Value::Object(a), Value::Object(b)) = (into, extra) {
        for (k, v) in b {
            a.insert(k, v);
        }
    }
}

/// What Galaxia's window would post back: a `MESSAGE` telegram (command `command` on
/// `service_code`) encrypted with the sandbox key, plus the clear fields and `HASH_DATA`.
pub fn window_return(
    payment_id: &str,
    service_code: &str,
    command: &str,
    amount: i64,
    tags: &[(&str, &str)],
) -> BTreeMap<String, Secret<String>> {
    let mid = paymux_galaxia::simulator::TEST_MID;
    let order_date = "20250314092653";
    let mut t = Telegram::new(mid, service_code, command, payment_id, order_date);
    t.put("0001", "USER_ID", "user_01").unwrap();
    t.put("0012", "AMOUNT", &amount.to_string()).unwrap();
    for (tag, v) in tags {
        t.put(tag, tag, v).unwrap();
    }
    let cipher = Cipher::from_text(TEST_KEY, TEST_IV).unwrap();
    let message = String::from_utf8(t.to_frame(&cipher).unwrap()).unwrap();
    [
        ("SERVICE_ID", mid.to_string()),
        ("SERVICE_CODE", service_code.to_string()),
        ("ORDER_ID", payment_id.to_string()),
        ("ORDER_DATE", order_date.to_string()),
        ("RESPONSE_CODE", "0000".to_string()),
        ("RESPONSE_MESSAGE", "인증성공".to_string()),
        ("MESSAGE", message),
        (
            "HASH_DATA",
            hash_data(mid, payment_id, order_date, &amount.to_string()),
        ),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), Secret::new(v)))
    .collect()
}

pub fn checkout_complete(
    payment_id: &str,
    returned: BTreeMap<String, Secret<String>>,
    method: &str,
    amount: i64,
) -> PgRequest {
    let returned: BTreeMap<String, String> = returned
        .into_iter()
        .map(|(k, v)| (k, v.into_inner()))
        .collect();
    request(
        Operation::CheckoutComplete,
        json!({
            "paymentId": payment_id,
            "returned": returned,
            "prior": { "amount": { "total": amount }, "method": method }
        }),
    )
}

/// What the window posts back for a virtual account it issued (service 1800; `PayReturn.php`
/// field names), as the simulator's window sends it: no `MESSAGE`, a `HASH_DATA`.
pub fn virtual_account_return(payment_id: &str, amount: i64) -> BTreeMap<String, Secret<String>> {
    let mid = paymux_galaxia::simulator::TEST_MID;
    let order_date = "20250314092653";
    [
        ("SERVICE_ID", mid.to_string()),
        ("SERVICE_CODE", "1800".to_string()),
        ("ORDER_ID", payment_id.to_string()),
        ("ORDER_DATE", order_date.to_string()),
        ("RESPONSE_CODE", "0000".to_string()),
        ("RESPONSE_MESSAGE", "가상계좌 발급".to_string()),
        ("TRANSACTION_ID", "T18000000000001".to_string()),
        ("ACCOUNT_NUMBER", "56210000000001".to_string()),
        ("BANK_CODE", "0088".to_string()),
        ("EXPIRE_DATE", "20250321".to_string()),
        ("EXPIRE_TIME", "235959".to_string()),
        ("AMOUNT", amount.to_string()),
        ("MIX_TYPE", "0000".to_string()),
        (
            "HASH_DATA",
            hash_data(mid, payment_id, order_date, &amount.to_string()),
        ),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), Secret::new(v)))
    .collect()
}
