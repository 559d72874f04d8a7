//! No panic on arbitrary or mutated bytes: the decoder (as the answer to every operation), the
//! notice decoder, and the simulator's request handling.

mod common;

use common::*;
use paymux_core::adapter::{IncomingNotice, PgAdapter, PgRequest, WireResponse};
use paymux_core::simulator::http::Request;
use paymux_tosspayments::simulator::{handle, Books};
use paymux_tosspayments::TossAdapter;
use proptest::prelude::*;
use serde_json::json;

fn requests() -> Vec<PgRequest> {
    vec![
        instant_card("order-0001", CARD_OK, 15000),
        virtual_account("order-0002", 10000, json!({ "validHours": 72 })),
        issue_billing_key("bk-1", CARD_OK),
        charge("order-0003", "user_01|BK1", 9900),
        cancel("order-0001", Some(100), prior("pk1", "CARD", 15000, 0, 0)),
        get("order-0001", None),
        get("order-0001", Some("pk1")),
    ]
}

const SEEDS: &[&str] = &[
    r#"{"paymentKey":"pk1","orderId":"order-0001","status":"DONE","totalAmount":15000}"#,
    r#"{"code":"REJECT_CARD_COMPANY","message":"x"}"#,
    r#"{"paymentKey":"pk1","orderId":"order-0001","status":"CANCELED","cancels":[{"cancelAmount":-1}],"balanceAmount":-5}"#,
    r#"{"billingKey":"k","customerKey":"user_01","card":{"number":"1234"}}"#,
    r#"{"paymentKey":"pk1","orderId":"order-0002","status":"WAITING_FOR_DEPOSIT","totalAmount":10000,"virtualAccount":{"accountNumber":"1","dueDate":"x"}}"#,
];

fn decode_all(status: u16, body: &[u8]) {
    let ch = channel("");
    for req in requests() {
        let sent = TossAdapter.encode(&ctx(&ch), &req).unwrap();
        let _ = TossAdapter.decode(
            &ctx(&ch),
            &req,
            &sent,
            &WireResponse {
                status: Some(status),
                headers: vec![],
                body: body.to_vec(),
            },
        );
    }
    let _ = TossAdapter.decode_notice(
        &ch,
        &IncomingNotice {
            content_type: "application/json",
            headers: &[],
            body,
        },
    );
}

fn sim_request(method: &str, path: &str, body: &[u8]) {
    let mut books = Books::default();
    let auth = paymux_tosspayments::frame::basic_auth(&paymux_core::secret::Secret::new(
        SECRET_KEY.to_string(),
    ));
    let req = Request {
        method: method.into(),
        path: path.into(),
        query: String::new(),
        headers: vec![
            ("authorization".into(), auth),
            ("idempotency-key".into(), "k".into()),
        ],
        body: body.to_vec(),
    };
    let _ = handle(&mut books, &req, &now());
    let _ = handle(&mut books, &req, &now());
}

proptest! {
    #[test]
    fn the_decoder_never_panics_on_bytes(status in 100u16..600, body in proptest::collection::vec(any::<u8>(), 0..400)) {
        decode_all(status, &body);
    }

    #[test]
    fn the_decoder_never_panics_on_mutated_answers(seed in 0..SEEDS.len(), at in 0usize..200, byte in any::<u8>(), status in prop::sample::select(vec![200u16, 400, 403, 404, 500])) {
        let mut b = SEEDS[seed].as_bytes().to_vec();
        if !b.is_empty() {
            let i = at % b.len();
            b[i] = byte;
        }
        decode_all(status, &b);
    }

    #[test]
    fn the_simulator_never_panics(path in prop::sample::select(vec![
        "/v1/payments/key-in", "/v1/virtual-accounts", "/v1/billing/authorizations/card",
        "/v1/billing/BK1", "/v1/payments/confirm", "/v1/payments/pk/cancel",
        "/v1/payments/orders/o", "/window", "/window/W1", "/nope"]),
        method in prop::sample::select(vec!["GET", "POST", "DELETE"]),
        body in proptest::collection::vec(any::<u8>(), 0..300)) {
        sim_request(method, path, &body);
    }

    #[test]
    fn the_simulator_never_panics_on_json(amount in any::<i64>(), order in "[ -~]{0,70}", card in "[0-9]{0,25}") {
        let body = json!({"amount": amount, "orderId": order, "orderName": "x", "cardNumber": card,
            "cardExpirationYear": "30", "cardExpirationMonth": "12", "customerIdentityNumber": "880315",
            "customerName": "x", "bank": "20", "customerKey": order, "cancelReason": "x", "cancelAmount": amount});
        let b = serde_json::to_vec(&body).unwrap();
        for p in ["/v1/payments/key-in", "/v1/virtual-accounts", "/v1/billing/authorizations/card", "/v1/payments/pk/cancel"] {
            sim_request("POST", p, &b);
        }
    }
}
