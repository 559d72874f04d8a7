//! PortOne's escrow operations, `registerStoreReceipt`, `closeVirtualAccount` on a PG that
//! cannot close, `getPromotion` and `getKakaopayPaymentOrder` over HTTP: every error case of
//! their PortOne error unions, hostile input, and nothing sent to the PG when it cannot do the
//! operation. (Closing at a PG that can: `tests/notices/closes.rs`.)

use std::sync::Arc;

use axum::http::StatusCode;
use serde_json::{json, Value};

use crate::harness::*;

/// Breaks one rule of a valid body.
type Breaker = fn(&mut Value);

fn uid(prefix: &str) -> String {
    format!("{prefix}-{}", uuid::Uuid::new_v4().simple())
}

fn type_of(v: &Value) -> &str {
    v["type"].as_str().unwrap_or("")
}

fn message(v: &Value) -> &str {
    v["message"].as_str().unwrap_or("")
}

/// A card-number-like value: if it shows in an error, values are echoed.
const SECRETISH: &str = "4111111111111111";

fn logistics() -> Value {
    json!({
        "sender": {"name": "보내는이", "phoneNumber": "01000000000", "zipcode": "06236",
                   "address": {"addressLine1": "서울 강남구", "addressLine2": "1층"}},
        "receiver": {"name": "받는이", "phoneNumber": "01011112222", "zipcode": "04524",
                     "address": {"addressLine1": "서울 중구", "addressLine2": ""}},
        "logistics": {"company": "CJ", "invoiceNumber": "123456789012",
                      "sentAt": "2026-01-02T10:00:00+09:00"},
        "sendEmail": true,
        "products": [{"id": "p1", "name": "상품", "amount": 10000, "quantity": 1}],
    })
}

fn store_receipt() -> Value {
    json!({"items": [{
        "storeBusinessRegistrationNumber": "1234567890",
        "storeName": "하위 상점",
        "totalAmount": 10000, "taxFreeAmount": 0, "vatAmount": 909, "supplyAmount": 9091,
        "currency": "KRW",
    }]})
}

/// A paid card payment on `fake-a`.
async fn paid(h: &Harness) -> String {
    let id = uid("esc");
    let (s, v) = h
        .post(
            &format!("/payments/{id}/instant"),
            &instant_body(("channelKey", "fake-a"), CARD_OK, 10_000),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    id
}

/// The four PG-side operations, as (method, path suffix, a valid body).
fn operations() -> Vec<(reqwest::Method, &'static str, Value)> {
    vec![
        (reqwest::Method::POST, "escrow/logistics", logistics()),
        (reqwest::Method::PATCH, "escrow/logistics", logistics()),
        (
            reqwest::Method::POST,
            "escrow/complete",
            json!({"fromStore": true}),
        ),
        (
            reqwest::Method::POST,
            "register-store-receipt",
            store_receipt(),
        ),
    ]
}

pub async fn escrow_and_store_receipts(h: Arc<Harness>) {
    let id = paid(&h).await;
    let calls_before = h.sim.calls().len();
    for (method, op, body) in operations() {
        let path = format!("/payments/{id}/{op}");
        // The PG cannot do it through paymux: 502 PG_PROVIDER naming the PG, nothing sent.
        let (s, v) = h.send(method.clone(), &path, Some(&body)).await;
        assert_eq!(s, StatusCode::BAD_GATEWAY, "{method} {op}: {v}");
        assert_eq!(type_of(&v), "PG_PROVIDER", "{v}");
        assert_eq!(v["pgCode"], "PAYMUX_PG_UNSUPPORTED", "{v}");
        assert!(message(&v).contains("Fake PG (tests) (FAKE_PG)"), "{v}");
        assert!(
            v["pgMessage"].as_str().is_some_and(|m| !m.is_empty()),
            "{v}"
        );
        // Another store's id, an unknown payment: 404.
        let mut other = body.clone();
        other["storeId"] = json!("another-store");
        let (s, v) = h.send(method.clone(), &path, Some(&other)).await;
        assert_eq!(
            (s, type_of(&v)),
            (StatusCode::NOT_FOUND, "PAYMENT_NOT_FOUND"),
            "{v}"
        );
        let (s, v) = h
            .send(
                method.clone(),
                &format!("/payments/no-such-payment/{op}"),
                Some(&body),
            )
            .await;
        assert_eq!(
            (s, type_of(&v)),
            (StatusCode::NOT_FOUND, "PAYMENT_NOT_FOUND"),
            "{v}"
        );
        // No credential.
        let r = h
            .http
            .request(method.clone(), h.url(&path))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 401, "{method} {op}");
        // Hostile bodies: not JSON, not an object, an unknown field — 400, never 500.
        for raw in ["not json", "[]", "null", "\"x\"", "{\"logistics\": 5"] {
            let r = h
                .http
                .request(method.clone(), h.url(&path))
                .header("authorization", format!("PortOne {API_SECRET}"))
                .header("content-type", "application/json")
                .body(raw)
                .send()
                .await
                .unwrap();
            assert_eq!(r.status().as_u16(), 400, "{method} {op} {raw}");
        }
        let mut extra = body.clone();
        extra["surprise"] = json!(1);
        let (s, v) = h.send(method.clone(), &path, Some(&extra)).await;
        assert_eq!(
            (s, type_of(&v)),
            (StatusCode::BAD_REQUEST, "INVALID_REQUEST"),
            "{v}"
        );
        assert!(message(&v).contains("surprise"), "{v}");
        // Too large: 413, unread.
        let mut big = body.clone();
        big["storeId"] = json!("x".repeat(70 * 1024));
        let (s, _) = h.send(method.clone(), &path, Some(&big)).await;
        assert_eq!(s, StatusCode::PAYLOAD_TOO_LARGE, "{method} {op}");
    }
    assert_eq!(h.sim.calls().len(), calls_before, "nothing reached the PG");

    // Not paid: a declined (FAILED) payment and a fully cancelled one are 409 PAYMENT_NOT_PAID.
    let failed = uid("esc");
    let (s, _) = h
        .post(
            &format!("/payments/{failed}/instant"),
            &instant_body(("channelKey", "fake-a"), CARD_DECLINED, 10_000),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_GATEWAY);
    let cancelled = paid(&h).await;
    let (s, v) = h
        .post(
            &format!("/payments/{cancelled}/cancel"),
            &json!({"reason": "x"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    for p in [&failed, &cancelled] {
        for (method, op, body) in operations() {
            let (s, v) = h
                .send(method, &format!("/payments/{p}/{op}"), Some(&body))
                .await;
            assert_eq!(
                (s, type_of(&v)),
                (StatusCode::CONFLICT, "PAYMENT_NOT_PAID"),
                "{op}: {v}"
            );
        }
    }

    // Escrow delivery: every rule names its field; values are never echoed.
    let path = format!("/payments/{id}/escrow/logistics");
    let cases: Vec<(Breaker, &str)> = vec![
        (
            |b| {
                b.as_object_mut().unwrap().remove("logistics");
            },
            "logistics",
        ),
        (
            |b| b["logistics"]["company"] = json!(SECRETISH),
            "logistics.company",
        ),
        (
            |b| b["logistics"]["invoiceNumber"] = json!("  "),
            "logistics.invoiceNumber",
        ),
        (
            |b| b["logistics"]["sentAt"] = json!(SECRETISH),
            "logistics.sentAt",
        ),
        (
            |b| b["logistics"]["receivedAt"] = json!("2026-01-01T10:00:00+09:00"),
            "logistics.receivedAt",
        ),
        (
            |b| b["sender"]["address"]["addressLine1"] = json!(""),
            "sender.address.addressLine1",
        ),
        (|b| b["receiver"]["name"] = json!(""), "receiver.name"),
        (|b| b["products"][0]["id"] = json!(""), "products[0].id"),
        (
            |b| b["products"][0]["quantity"] = json!(-1),
            "products[0].quantity",
        ),
        (|b| b["sendEmail"] = json!("yes"), "sendEmail"),
        (|b| b["storeId"] = json!(""), "storeId"),
    ];
    for (break_it, field) in &cases {
        let mut b = logistics();
        break_it(&mut b);
        for method in [reqwest::Method::POST, reqwest::Method::PATCH] {
            let (s, v) = h.send(method, &path, Some(&b)).await;
            assert_eq!(
                (s, type_of(&v)),
                (StatusCode::BAD_REQUEST, "INVALID_REQUEST"),
                "{field}: {v}"
            );
            assert!(message(&v).contains(field), "{field}: {v}");
            assert!(
                !v.to_string().contains(SECRETISH),
                "{field}: the value is echoed: {v}"
            );
        }
    }
    // Store receipts.
    let path = format!("/payments/{id}/register-store-receipt");
    let cases: Vec<(Breaker, &str)> = vec![
        (|b| b["items"] = json!([]), "items"),
        (
            |b| {
                b.as_object_mut().unwrap().remove("items");
            },
            "items",
        ),
        (
            |b| b["items"][0]["storeBusinessRegistrationNumber"] = json!("12345"),
            "items[0].storeBusinessRegistrationNumber",
        ),
        (
            |b| b["items"][0]["storeName"] = json!(" "),
            "items[0].storeName",
        ),
        (
            |b| b["items"][0]["totalAmount"] = json!(0),
            "items[0].totalAmount",
        ),
        (
            |b| b["items"][0]["vatAmount"] = json!(-1),
            "items[0].vatAmount",
        ),
        (
            |b| b["items"][0]["supplyAmount"] = json!(20000),
            "items[0].supplyAmount",
        ),
        (
            |b| b["items"][0]["currency"] = json!("won"),
            "items[0].currency",
        ),
        (
            |b| b["items"][0]["totalAmount"] = json!("many"),
            "totalAmount",
        ),
    ];
    for (break_it, field) in &cases {
        let mut b = store_receipt();
        break_it(&mut b);
        let (s, v) = h.post(&path, &b).await;
        assert_eq!(
            (s, type_of(&v)),
            (StatusCode::BAD_REQUEST, "INVALID_REQUEST"),
            "{field}: {v}"
        );
        assert!(message(&v).contains(field), "{field}: {v}");
    }
    // confirmEscrow: an empty body is `{}`; a blank storeId is refused.
    let r = h
        .http
        .post(h.url(&format!("/payments/{id}/escrow/complete")))
        .header("authorization", format!("PortOne {API_SECRET}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 502);
    let (s, v) = h
        .post(
            &format!("/payments/{id}/escrow/complete"),
            &json!({"storeId": ""}),
        )
        .await;
    assert_eq!(
        (s, type_of(&v)),
        (StatusCode::BAD_REQUEST, "INVALID_REQUEST"),
        "{v}"
    );
    // A body is required for the others.
    let r = h
        .http
        .post(h.url(&format!("/payments/{id}/escrow/logistics")))
        .header("authorization", format!("PortOne {API_SECRET}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 400);
}

pub async fn close_needs_a_pg_that_closes(h: Arc<Harness>) {
    // The fake PG issues no accounts: a paid card payment is not waiting for a deposit.
    let id = paid(&h).await;
    let (s, v) = h
        .post(&format!("/payments/{id}/virtual-account/close"), &json!({}))
        .await;
    assert_eq!(
        (s, type_of(&v)),
        (StatusCode::CONFLICT, "PAYMENT_NOT_WAITING_FOR_DEPOSIT"),
        "{v}"
    );
    assert!(message(&v).contains("PAID"), "{v}");
    let (s, v) = h
        .post(
            "/payments/no-such-payment/virtual-account/close",
            &json!({}),
        )
        .await;
    assert_eq!(
        (s, type_of(&v)),
        (StatusCode::NOT_FOUND, "PAYMENT_NOT_FOUND"),
        "{v}"
    );
    let (s, _) = h
        .send(
            reqwest::Method::GET,
            &format!("/payments/{id}/virtual-account/close"),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::METHOD_NOT_ALLOWED);
}

pub async fn promotions_and_kakaopay_orders(h: Arc<Harness>) {
    // getPromotion: paymux has none.
    for id in ["promotion-1", "없는-프로모션", "a%2Fb"] {
        let (s, v) = h.get(&format!("/promotions/{id}")).await;
        assert_eq!(
            (s, type_of(&v)),
            (StatusCode::NOT_FOUND, "PROMOTION_NOT_FOUND"),
            "{v}"
        );
    }
    let long = "p".repeat(300);
    let (s, v) = h.get(&format!("/promotions/{long}")).await;
    assert_eq!(
        (s, type_of(&v)),
        (StatusCode::BAD_REQUEST, "INVALID_REQUEST"),
        "{v}"
    );
    assert!(
        message(&v).contains("promotionId") && !message(&v).contains(&long),
        "{v}"
    );
    let (s, v) = h.get("/promotions/p1?storeId=x").await;
    assert_eq!(
        (s, type_of(&v)),
        (StatusCode::BAD_REQUEST, "INVALID_REQUEST"),
        "{v}"
    );
    let r = h.http.get(h.url("/promotions/p1")).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 401);

    // getKakaopayPaymentOrder: validated, then no channel is a KakaoPay channel.
    let order = "/kakaopay/payment/order";
    let (s, v) = h.get(&format!("{order}?channelKey=fake-a")).await;
    assert_eq!(
        (s, type_of(&v)),
        (StatusCode::BAD_REQUEST, "INVALID_REQUEST"),
        "{v}"
    );
    assert!(message(&v).starts_with("pgTxId"), "{v}");
    let (s, v) = h.get(&format!("{order}?pgTxId=T1")).await;
    assert!(
        message(&v).starts_with("channelKey") && s == StatusCode::BAD_REQUEST,
        "{v}"
    );
    let (s, v) = h.get(&format!("{order}?pgTxId=&channelKey=fake-a")).await;
    assert!(
        message(&v).starts_with("pgTxId") && s == StatusCode::BAD_REQUEST,
        "{v}"
    );
    let (s, v) = h.get(&format!("{order}?pgTxId=T1&channelKey=fake-a")).await;
    assert_eq!(
        (s, type_of(&v)),
        (StatusCode::BAD_REQUEST, "INVALID_REQUEST"),
        "{v}"
    );
    assert!(message(&v).starts_with("channelKey"), "{v}");
    assert!(message(&v).contains("not KakaoPay"), "{v}");
    let (s, v) = h
        .get(&format!("{order}?pgTxId=T1&channelKey=no-such-channel"))
        .await;
    assert!(
        message(&v).contains("no channel has this key") && s == StatusCode::BAD_REQUEST,
        "{v}"
    );
    let (s, v) = h
        .get(&format!("{order}?pgTxId=T1&channelKey=fake-a&extra=1"))
        .await;
    assert_eq!(
        (s, type_of(&v)),
        (StatusCode::BAD_REQUEST, "INVALID_REQUEST"),
        "{v}"
    );
    let (s, v) = h
        .get(&format!(
            "{order}?pgTxId={}&channelKey=fake-a",
            "t".repeat(300)
        ))
        .await;
    assert!(
        message(&v).starts_with("pgTxId") && s == StatusCode::BAD_REQUEST,
        "{v}"
    );
    let r = h
        .http
        .get(h.url(&format!("{order}?pgTxId=T1&channelKey=fake-a")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 401);
}
