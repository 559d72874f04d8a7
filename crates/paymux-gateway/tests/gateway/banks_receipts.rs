//! `GET /banks` (PortOne's `getBankInfos`) and `Payment.receiptUrl` over HTTP.

use std::sync::Arc;

use axum::http::StatusCode;
use serde_json::{json, Value};

use crate::harness::*;

pub async fn bank_list(h: Arc<Harness>) {
    // No credential needed (PortOne's schema gives the operation none); one given is fine.
    let r = h.http.get(h.url("/banks")).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let v: Value = r.json().await.unwrap();
    let items = v["items"].as_array().unwrap();
    assert_eq!(items.len(), 78, "PortOne's Bank enum has 78 values");
    assert_eq!(v.as_object().unwrap().len(), 1);
    assert!(items.contains(&json!({"bank": "KOOKMIN", "name": {"ko": "국민은행"}})));
    assert!(items.contains(&json!({"bank": "SHINHAN", "name": {"ko": "신한은행"}})));
    assert!(items.contains(&json!({"bank": "TOSS", "name": {"ko": "토스뱅크"}})));
    for b in items {
        let code = b["bank"].as_str().unwrap();
        assert!(code
            .bytes()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == b'_'));
        assert!(!b["name"]["ko"].as_str().unwrap().is_empty());
    }
    let (s, v2) = h.get("/banks").await;
    assert_eq!((s, &v2), (StatusCode::OK, &v));
    // Hostile: a body, a query, other methods.
    let r = h
        .http
        .get(h.url("/banks?requestBody=%7B%22x%22%3A1%7D&junk=%00"))
        .body("not json")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200, "the operation takes no input");
    for m in [reqwest::Method::POST, reqwest::Method::DELETE] {
        let r = h.http.request(m, h.url("/banks")).send().await.unwrap();
        assert_eq!(r.status().as_u16(), 405);
        let v: Value = r.json().await.unwrap();
        assert_eq!(v["type"], "INVALID_REQUEST");
    }
}

pub async fn openapi_document_is_served(h: Arc<Harness>) {
    // What `GET /openapi.json` serves (generated from the handlers) is the committed file.
    let r = h.http.get(h.url("/openapi.json")).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(r.text().await.unwrap(), paymux_gateway::api::OPENAPI);
    let doc: Value = serde_json::from_str(paymux_gateway::api::OPENAPI).unwrap();
    for (path, method, op) in [
        ("/login/api-secret", "post", "loginViaApiSecret"),
        ("/token/refresh", "post", "refreshToken"),
        ("/banks", "get", "getBankInfos"),
    ] {
        assert_eq!(doc["paths"][path][method]["operationId"], op);
    }
}

pub async fn receipt_url_from_the_pg(h: Arc<Harness>) {
    let id = format!("rcpt-{}", uuid::Uuid::new_v4().simple());
    let (s, v) = h
        .post(
            &format!("/payments/{id}/instant"),
            &instant_body(("channelKey", "fake-a"), CARD_OK, 5000),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let tid = v["payment"]["pgTxId"].as_str().unwrap().to_string();
    let (_, p) = h.get(&format!("/payments/{id}")).await;
    assert_eq!(p["status"], "PAID");
    // What the fake PG answered with the approval, kept and shown.
    assert_eq!(
        p["receiptUrl"],
        format!("https://receipts.fake-pg.invalid/{tid}"),
        "{p}"
    );
    // Still shown once (partly) cancelled.
    let (s, v) = h
        .post(
            &format!("/payments/{id}/cancel"),
            &json!({"reason": "test", "amount": 1000}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (_, p) = h.get(&format!("/payments/{id}")).await;
    assert_eq!(p["status"], "PARTIAL_CANCELLED");
    assert_eq!(
        p["receiptUrl"],
        format!("https://receipts.fake-pg.invalid/{tid}")
    );
    // A declined payment has none.
    let id = format!("rcpt-{}", uuid::Uuid::new_v4().simple());
    let (s, _) = h
        .post(
            &format!("/payments/{id}/instant"),
            &instant_body(("channelKey", "fake-a"), CARD_DECLINED, 5000),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_GATEWAY);
    let (_, p) = h.get(&format!("/payments/{id}")).await;
    assert_eq!(p["status"], "FAILED");
    assert!(p.get("receiptUrl").is_none(), "{p}");
}
