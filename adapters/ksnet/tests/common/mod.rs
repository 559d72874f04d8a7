//! Fixtures shared by the integration tests: PortOne requests, a fixed clock and nonce, and
//! the sandbox channels of both interfaces.
#![allow(dead_code)]

use chrono::{DateTime, FixedOffset};
use paymux_core::adapter::{EncodeContext, Operation, PgRequest};
use paymux_core::channel::ChannelContext;
use paymux_ksnet::{KsnetSimulator, Protocol};
use serde_json::{json, Value};

/// Card numbers used in the tests. They must never show in views, errors or snapshots.
pub const CARD_OK: &str = "4518420012345678";
pub const CARD_DECLINED: &str = "4518420012340002";
pub const CARD_NO_FUNDS: &str = "4518420012340051";
pub const CARD_LATE: &str = "4518420012340098";
pub const CARD_DROP: &str = "4518420012340099";
pub const PASSWORD: &str = "37";
pub const BIRTH: &str = "880315";
/// A PG billing key (a KSNET batch key is a TID).
pub const PG_KEY: &str = "100000000007";

/// "Now" for deterministic encoding: 2025-03-14 09:26:53 KST.
pub fn now() -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339("2025-03-14T09:26:53+09:00").unwrap()
}

pub const NONCE: [u8; 16] = [7; 16];

/// The sandbox channel of `protocol`, pointing at `endpoint` ("" = KSNET's own host).
pub fn channel(protocol: Protocol, endpoint: &str) -> ChannelContext {
    KsnetSimulator::sandbox_channel_for(protocol, "ksnet-test", endpoint)
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

/// A keyed-in card; `old_cert` adds password and birth date.
pub fn card(number: &str, old_cert: bool) -> Value {
    let mut credential = json!({ "number": number, "expiryYear": "28", "expiryMonth": "06" });
    if old_cert {
        credential["birthOrBusinessRegistrationNumber"] = json!(BIRTH);
        credential["passwordTwoDigits"] = json!(PASSWORD);
    }
    json!({ "card": { "credential": credential, "installmentMonth": 3 } })
}

pub fn customer() -> Value {
    json!({ "id": "user_01", "name": { "full": "홍길동" }, "email": "buyer@example.com", "phoneNumber": "010-1234-5678" })
}

/// `payment.instant` body with a keyed-in card.
pub fn instant_body(payment_id: &str, number: &str, total: i64, old_cert: bool) -> Value {
    json!({
        "paymentId": payment_id,
        "channelKey": "ksnet-test",
        "method": card(number, old_cert),
        "orderName": "핑크테디 곰인형",
        "customer": customer(),
        "amount": { "total": total },
        "currency": "KRW",
        "productType": "PHYSICAL"
    })
}

pub fn instant(payment_id: &str, number: &str, total: i64) -> PgRequest {
    request(
        Operation::PaymentInstant,
        instant_body(payment_id, number, total, true),
    )
}

/// `payment.instant` issuing a virtual account; `fixed` names a permanent account.
pub fn virtual_account(payment_id: &str, total: i64, fixed: Option<&str>) -> PgRequest {
    let option = match fixed {
        Some(n) => json!({ "type": "FIXED", "fixed": { "accountNumber": n } }),
        None => json!({ "type": "NORMAL" }),
    };
    request(
        Operation::PaymentInstant,
        json!({
            "paymentId": payment_id,
            "channelKey": "ksnet-test",
            "method": { "virtualAccount": {
                "bank": "NONGHYUP",
                "expiry": { "dueDate": "2025-03-21T23:59:59+09:00" },
                "option": option,
                "cashReceipt": { "type": "NO_RECEIPT" }
            } },
            "orderName": "당근 12kg",
            "customer": customer(),
            "amount": { "total": total },
            "currency": "KRW"
        }),
    )
}

/// The earlier payment, as a gateway stores it.
pub fn prior(tid: &str, total: i64, cancelled: i64, cancel_count: u32) -> Value {
    json!({
        "pgTxId": tid,
        "paidAt": "2025-03-01T10:15:00+09:00",
        "amount": { "total": total, "cancelled": cancelled },
        "cancelCount": cancel_count,
        "method": "CARD",
        "orderDate": "20250301101500"
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
            "channelKey": "ksnet-test",
            "method": { "card": { "credential": card(number, true)["card"]["credential"].clone() } },
            "customer": customer()
        }),
    )
}

pub fn charge_billing_key(payment_id: &str, pg_key: &str, total: i64) -> PgRequest {
    request(
        Operation::PaymentBillingKey,
        json!({
            "paymentId": payment_id,
            "billingKey": "bk-portone-1",
            "orderName": "정기결제 3월",
            "customer": customer(),
            "amount": { "total": total },
            "currency": "KRW",
            "productType": "DIGITAL",
            "prior": { "pgBillingKey": pg_key, "method": "CARD" }
        }),
    )
}

pub fn delete_billing_key(billing_key: &str, pg_key: &str) -> PgRequest {
    request(
        Operation::BillingKeyDelete,
        json!({ "billingKey": billing_key, "prior": { "pgBillingKey": pg_key } }),
    )
}
