//! Fixtures shared by the tests: requests (the `paymux wire` request-file shape), a fixed
//! clock and nonce, and channels with NICE's published sandbox keys.
#![allow(dead_code)]

use chrono::{DateTime, FixedOffset, TimeZone};
use paymux_core::adapter::{EncodeContext, Operation, PgRequest};
use paymux_core::channel::ChannelContext;
use paymux_core::simulator::Simulator;
use paymux_nice::NiceSimulator;
use serde_json::{json, Value};

/// The sandbox's published keys (nicepay-manual README.md).
pub const CLIENT_KEY: &str = "S2_af4543a0be4d49a98122e01ec2059a56";
pub const SECRET_KEY: &str = "9eb85607103646da9f9c02b128f2e5ee";

/// 2025-03-01 10:15:00 KST.
pub fn fixed_now() -> DateTime<FixedOffset> {
    FixedOffset::east_opt(9 * 3600)
        .and_then(|kst| kst.with_ymd_and_hms(2025, 3, 1, 10, 15, 0).single())
        .expect("a valid date")
}

/// The sandbox channel on NICE's sandbox host (or `endpoint`), `enc_mode` when given.
pub fn channel(endpoint: &str, enc_mode: Option<&str>) -> ChannelContext {
    let mut ch = NiceSimulator::default().sandbox_channel("nice-test", endpoint);
    if let Some(m) = enc_mode {
        ch.options.insert("enc_mode".into(), m.into());
    }
    ch
}

/// A context at the fixed clock with a fixed nonce.
pub fn ctx(ch: &ChannelContext) -> EncodeContext<'_> {
    EncodeContext {
        channel: ch,
        now: fixed_now(),
        nonce: [7; 16],
    }
}

pub fn req(op: Operation, v: Value) -> PgRequest {
    PgRequest::from_json(op, &v.to_string()).expect("a valid request file")
}

pub fn issue_key(billing_key: &str, card: &str) -> PgRequest {
    req(
        Operation::BillingKeyIssue,
        json!({
            "billingKey": billing_key,
            "method": { "card": { "credential": {
                "number": card,
                "expiryYear": "30",
                "expiryMonth": "12",
                "birthOrBusinessRegistrationNumber": "800101",
                "passwordTwoDigits": "12"
            } } },
            "customer": { "id": "user01", "name": { "full": "홍길동" },
                          "phoneNumber": "010-1234-5678", "email": "hong@example.com" }
        }),
    )
}

pub fn pay_with_key(payment_id: &str, stored_key: &str, amount: i64) -> PgRequest {
    req(
        Operation::PaymentBillingKey,
        json!({
            "paymentId": payment_id,
            "billingKey": "bk-1",
            "orderName": "정기구독 3월",
            "amount": { "total": amount },
            "currency": "KRW",
            "customer": { "id": "user01", "name": { "full": "홍길동" },
                          "phoneNumber": "010-1234-5678", "email": "hong@example.com" },
            "prior": { "pgBillingKey": stored_key }
        }),
    )
}

pub fn delete_key(stored_key: &str) -> PgRequest {
    req(
        Operation::BillingKeyDelete,
        json!({ "billingKey": "bk-1", "prior": { "pgBillingKey": stored_key } }),
    )
}

pub fn cancel(
    payment_id: &str,
    tid: &str,
    total: i64,
    cancelled: i64,
    count: u32,
    amount: Option<i64>,
) -> PgRequest {
    let mut v = json!({
        "paymentId": payment_id,
        "reason": "고객 요청",
        "prior": { "pgTxId": tid, "amount": { "total": total, "cancelled": cancelled }, "cancelCount": count }
    });
    if let Some(a) = amount {
        v["amount"] = json!(a);
    }
    req(Operation::PaymentCancel, v)
}

pub fn get(payment_id: &str, tid: Option<&str>) -> PgRequest {
    let mut v = json!({ "paymentId": payment_id, "prior": {} });
    if let Some(t) = tid {
        v["prior"]["pgTxId"] = json!(t);
    }
    req(Operation::PaymentGet, v)
}

pub fn checkout(payment_id: &str, pay_method: &str, amount: i64) -> PgRequest {
    let mut c = json!({
        "kind": "PAYMENT",
        "storeId": "store-paymux-sandbox",
        "channelKey": "nice-test",
        "paymentId": payment_id,
        "orderName": "테스트 상품",
        "totalAmount": amount,
        "currency": "KRW",
        "payMethod": pay_method,
        "customer": { "customerId": "user01", "fullName": "홍길동",
                      "phoneNumber": "010-1234-5678", "email": "hong@example.com" }
    });
    if pay_method == "VIRTUAL_ACCOUNT" {
        c["virtualAccount"] = json!({ "accountExpiry": { "validHours": 48 } });
    }
    req(
        Operation::CheckoutPrepare,
        json!({ "returnUrl": "https://shop.example/return", "checkout": c }),
    )
}

pub fn complete(payment_id: &str, returned: &Value, amount: i64, method: &str) -> PgRequest {
    req(
        Operation::CheckoutComplete,
        json!({
            "paymentId": payment_id,
            "returned": returned,
            "prior": { "amount": { "total": amount }, "method": method }
        }),
    )
}

pub fn instant_card(payment_id: &str) -> PgRequest {
    req(
        Operation::PaymentInstant,
        json!({
            "paymentId": payment_id,
            "orderName": "테스트 주문",
            "amount": { "total": 1004 },
            "currency": "KRW",
            "method": { "card": { "credential": {
                "number": "4111111111111111", "expiryYear": "30", "expiryMonth": "12"
            } } }
        }),
    )
}
