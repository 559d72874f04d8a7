//! Snapshots: the declared capabilities, and for every operation the exact bytes and the
//! masked view. Deterministic through a fixed clock and nonce. After a deliberate change,
//! review with `cargo insta review` (or `INSTA_UPDATE=always cargo test -p paymux-nice`
//! and read the diff).

// The simulator is part of the default `simulator` feature.
#![cfg(feature = "simulator")]

use chrono::{FixedOffset, TimeZone};
use paymux_core::adapter::{EncodeContext, Operation, PgAdapter, PgRequest};
use paymux_core::simulator::Simulator;
use paymux_nice::{NiceAdapter, NiceSimulator, DESCRIPTOR};
use serde_json::json;

/// Validate and encode; the snapshot shows the target, the masked view and the exact bytes,
/// or the error.
fn wire(req: &PgRequest) -> String {
    let channel = NiceSimulator::default().sandbox_channel("nice-test", "");
    let ctx = EncodeContext {
        channel: &channel,
        now: FixedOffset::east_opt(9 * 3600)
            .and_then(|kst| kst.with_ymd_and_hms(2025, 3, 1, 10, 15, 0).single())
            .expect("a valid date"),
        nonce: [7; 16],
    };
    let encoded = paymux_core::execute::validate(&NiceAdapter, &ctx, req)
        .and_then(|()| NiceAdapter.encode(&ctx, req));
    match encoded {
        Ok(w) => format!(
            "target: {:?}\nview: {}\nbytes: {}",
            w.target,
            serde_json::to_string_pretty(&w.view).unwrap_or_default(),
            w.body.escape_ascii()
        ),
        Err(e) => format!("error: {e}"),
    }
}

#[test]
fn descriptor() {
    insta::assert_yaml_snapshot!(&DESCRIPTOR);
}

#[test]
fn payment_instant_card() {
    let req = PgRequest::from_json(
        Operation::PaymentInstant,
        &json!({
            "paymentId": "order-0001",
            "orderName": "테스트 주문",
            "amount": { "total": 1004 },
            "currency": "KRW",
            "method": { "card": { "credential": {
                "number": "4111111111111111",
                "expiryYear": "30",
                "expiryMonth": "12"
            } } },
            "customer": { "id": "user-01", "name": { "full": "홍길동" } }
        })
        .to_string(),
    )
    .expect("a PortOne request");
    insta::assert_snapshot!(wire(&req));
}
