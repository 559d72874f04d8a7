//! Fixed requests for the decoder targets: each adapter's own encoding of a few PortOne
//! requests, so `decode` sees the same `(request, sent)` pair a real exchange would.

use chrono::{DateTime, FixedOffset};
use paymux_core::adapter::{
    EncodeContext, Operation, PgAdapter, PgRequest, WireRequest, WireResponse,
};
use paymux_core::channel::ChannelContext;
use serde_json::{json, Value};

/// A test card (never a real one).
pub const CARD: &str = "4518420012345678";

/// A fixed "now" for deterministic encoding.
pub fn now() -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339("2025-03-14T09:26:53+09:00").expect("a valid date")
}

fn card() -> Value {
    json!({ "card": { "credential": {
        "number": CARD, "expiryYear": "28", "expiryMonth": "06",
        "birthOrBusinessRegistrationNumber": "880315", "passwordTwoDigits": "37"
    } } })
}

fn customer() -> Value {
    json!({ "id": "user_01", "name": { "full": "홍길동" }, "email": "buyer@example.com",
            "phoneNumber": "01012345678" })
}

fn prior(method: &str) -> Value {
    json!({
        "pgTxId": "100000000001",
        "paidAt": "2025-03-01T10:15:00+09:00",
        "amount": { "total": 1000, "cancelled": 0 },
        "cancelCount": 0,
        "method": method,
        "orderDate": "20250301101500"
    })
}

/// The requests every decoder target is fed with (those the adapter accepts).
pub fn requests(channel_key: &str) -> Vec<PgRequest> {
    let bodies = [
        (
            Operation::PaymentInstant,
            json!({
                "paymentId": "fuzz-pay-1", "channelKey": channel_key, "method": card(),
                "orderName": "퍼징 상품", "customer": customer(),
                "amount": { "total": 1000 }, "currency": "KRW", "productType": "PHYSICAL",
                "bypass": { "galaxia": { "ITEM_CODE": "ITEM01" } }
            }),
        ),
        (
            Operation::PaymentInstant,
            json!({
                "paymentId": "fuzz-va-1", "channelKey": channel_key, "orderName": "가상계좌",
                "customer": customer(), "amount": { "total": 1000 }, "currency": "KRW",
                "productCount": 1,
                "method": { "virtualAccount": { "bank": "SHINHAN",
                    "expiry": { "validHours": 72 }, "option": { "type": "NORMAL" },
                    "cashReceipt": { "type": "NO_RECEIPT" }, "remitteeName": "상점" } }
            }),
        ),
        (
            Operation::PaymentCancel,
            json!({ "paymentId": "fuzz-pay-1", "reason": "고객 요청", "amount": 10, "prior": prior("CARD") }),
        ),
        (
            Operation::PaymentGet,
            json!({ "paymentId": "fuzz-pay-1", "prior": prior("CARD") }),
        ),
        (
            Operation::BillingKeyIssue,
            json!({ "billingKey": "bk-fuzz", "channelKey": channel_key,
                    "method": card(), "customer": customer() }),
        ),
    ];
    bodies
        .into_iter()
        .filter_map(|(op, v)| PgRequest::from_json(op, &v.to_string()).ok())
        .collect()
}

/// `(request, what the adapter sent)` for every request the adapter can encode.
pub fn exchanges(
    adapter: &dyn PgAdapter,
    channel: &ChannelContext,
) -> Vec<(PgRequest, WireRequest)> {
    let ctx = EncodeContext {
        channel,
        now: now(),
        nonce: [7; 16],
    };
    let out: Vec<_> = requests(&channel.key)
        .into_iter()
        .filter_map(|r| adapter.encode(&ctx, &r).ok().map(|sent| (r, sent)))
        .collect();
    assert!(
        out.len() >= 2,
        "the fixed requests no longer encode: fix fuzz/src/lib.rs"
    );
    out
}

/// Feed `data` to `adapter.decode` as the answer to every fixed request. The first byte
/// picks the HTTP status (or none, for TCP answers).
pub fn decode_all(
    adapter: &dyn PgAdapter,
    channel: &ChannelContext,
    exchanges: &[(PgRequest, WireRequest)],
    data: &[u8],
) {
    let (status, body) = match data.split_first() {
        Some((s, rest)) => (
            match s % 4 {
                0 => None,
                1 => Some(200),
                2 => Some(400 + u16::from(*s)),
                _ => Some(100 + u16::from(*s) * 2),
            },
            rest,
        ),
        None => (Some(200), data),
    };
    let ctx = EncodeContext {
        channel,
        now: now(),
        nonce: [7; 16],
    };
    for (req, sent) in exchanges {
        let resp = WireResponse {
            status,
            headers: vec![],
            body: body.to_vec(),
        };
        let _ = adapter.decode(&ctx, req, sent, &resp);
    }
}
