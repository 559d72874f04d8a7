//! Fixtures shared by the integration tests: requests in PortOne JSON, a fixed clock and
//! nonce, the sandbox channel, and a billing key as Smartro hands it out.
#![allow(dead_code)]

use chrono::{DateTime, FixedOffset};
use paymux_core::adapter::{EncodeContext, Operation, PgRequest};
use paymux_core::channel::ChannelContext;
use paymux_core::secret::Secret;
use paymux_core::simulator::Simulator;
use paymux_smartro::frame;
use paymux_smartro::simulator::TEST_MERCHANT_KEY;
use paymux_smartro::SmartroSimulator;
use serde_json::{json, Value};

/// Card numbers used in the tests. They must never show in views, errors or snapshots.
pub const CARD_OK: &str = "4518420012345678";
pub const CARD_DECLINED: &str = "4518420012340002";
pub const CARD_NO_FUNDS: &str = "4518420012340051";
pub const CARD_LATE: &str = "4518420012340098";
pub const CARD_DROP: &str = "4518420012340099";
pub const PASSWORD: &str = "37";
pub const BIRTH: &str = "880315";
/// A refund account number and a cash-receipt identity number (secrets too).
pub const REFUND_ACCOUNT: &str = "110987654321";
pub const RECEIPT_ID: &str = "01098765432";

/// "Now" for deterministic encoding: 2025-03-01 10:15:00 KST.
pub fn now() -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339("2025-03-01T10:15:00+09:00").unwrap()
}

pub const NONCE: [u8; 16] = [7; 16];

/// The sandbox channel, pointing at `endpoint` ("" = Smartro's test host).
pub fn channel(endpoint: &str) -> ChannelContext {
    SmartroSimulator::default().sandbox_channel("smartro-test", endpoint)
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

/// A billing key as Smartro hands it out: AES-encrypted with the merchant key.
pub fn pg_key(plain: &str) -> String {
    let key = frame::aes_key(&Secret::new(TEST_MERCHANT_KEY.to_string())).unwrap();
    frame::encrypt(&key, plain.as_bytes()).unwrap()
}

pub fn customer() -> Value {
    json!({
        "id": "user01",
        "name": { "full": "홍길동" },
        "email": "buyer@example.com",
        "phoneNumber": "010-1234-5678"
    })
}

/// `payment.instant` issuing a virtual account.
pub fn virtual_account(payment_id: &str, total: i64, expiry: Value, option: Value) -> PgRequest {
    request(
        Operation::PaymentInstant,
        json!({
            "paymentId": payment_id,
            "channelKey": "smartro-test",
            "orderName": "나이키 와플 트레이너 2 SD",
            "amount": { "total": total, "taxFree": 100 },
            "currency": "KRW",
            "customer": customer(),
            "method": { "virtualAccount": {
                "bank": "SHINHAN",
                "expiry": expiry,
                "option": option,
                "cashReceipt": { "type": "PERSONAL", "customerIdentityNumber": RECEIPT_ID },
                "remitteeName": "테스트상점"
            } },
            "productCount": 2
        }),
    )
}

pub fn va(payment_id: &str, total: i64) -> PgRequest {
    virtual_account(
        payment_id,
        total,
        json!({ "validHours": 72 }),
        json!({ "type": "NORMAL" }),
    )
}

/// `payment.instant` with a keyed-in card (Smartro refuses it).
pub fn instant_card(payment_id: &str) -> PgRequest {
    request(
        Operation::PaymentInstant,
        json!({
            "paymentId": payment_id,
            "channelKey": "smartro-test",
            "orderName": "테스트",
            "amount": { "total": 1004 },
            "currency": "KRW",
            "customer": customer(),
            "method": { "card": { "credential": {
                "number": CARD_OK, "expiryYear": "28", "expiryMonth": "06"
            } } }
        }),
    )
}

pub fn issue_billing_key(billing_key: &str, number: &str) -> PgRequest {
    request(
        Operation::BillingKeyIssue,
        json!({
            "billingKey": billing_key,
            "channelKey": "smartro-test",
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
            "productCount": 1,
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

pub fn refund_account() -> Value {
    json!({
        "bank": "KOOKMIN",
        "number": REFUND_ACCOUNT,
        "holderName": "홍길동",
        "holderPhoneNumber": "010-1234-5678"
    })
}

pub fn inquiry(payment_id: &str, prior: Value) -> PgRequest {
    request(
        Operation::PaymentGet,
        json!({ "paymentId": payment_id, "prior": prior }),
    )
}

pub fn delete_billing_key(billing_key: &str, pg_billing_key: &str) -> PgRequest {
    request(
        Operation::BillingKeyDelete,
        json!({ "billingKey": billing_key, "prior": { "pgBillingKey": pg_billing_key } }),
    )
}

/// `checkout.prepare` of a `requestPayment` window.
pub fn checkout(payment_id: &str, pay_method: &str, total: i64) -> PgRequest {
    let mut c = json!({
        "kind": "PAYMENT",
        "storeId": "store-1",
        "paymentId": payment_id,
        "channelKey": "smartro-test",
        "orderName": "나이키 와플 트레이너 2 SD",
        "totalAmount": total,
        "currency": "CURRENCY_KRW",
        "payMethod": pay_method,
        "customer": {
            "customerId": "user01",
            "fullName": "홍길동",
            "phoneNumber": "010-1234-5678",
            "email": "buyer@example.com"
        },
        "bypass": { "smartro_v2": { "GoodsCnt": 2, "SkinColor": "BLUE" } }
    });
    match pay_method {
        "VIRTUAL_ACCOUNT" => c["virtualAccount"] = json!({ "accountExpiry": { "validHours": 72 } }),
        "MOBILE" => {
            c["productType"] = json!("PRODUCT_TYPE_DIGITAL");
            c["redirectUrl"] = json!("https://merchant.example/mobile-return");
        }
        _ => {}
    }
    request(
        Operation::CheckoutPrepare,
        json!({ "returnUrl": "https://merchant.example/pay/return", "checkout": c }),
    )
}

/// `checkout.complete` with what the window's callback posted.
pub fn complete(payment_id: &str, tid: &str, key: &str, method: &str, total: i64) -> PgRequest {
    request(
        Operation::CheckoutComplete,
        json!({
            "paymentId": payment_id,
            "returned": { "Tid": tid, "TrAuthKey": key },
            "prior": { "amount": { "total": total }, "method": method }
        }),
    )
}
