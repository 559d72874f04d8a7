//! Virtual-account deposits through the binary a user runs: `paymux serve` in sandbox mode,
//! for **every** linked adapter. Each sandbox channel is asked to issue a virtual account; those
//! that do get a deposit (`POST /sandbox/virtual-accounts/{id}/deposit`: the simulator's own
//! deposit notice, delivered to `POST /pg-notices/{channelKey}`), and must end `PAID` with one
//! `Transaction.Paid`. An adapter added later is covered as soon as its simulator answers
//! `Simulator::deposit` and its adapter `decode_notice` — no edit here.
#![cfg(feature = "smartro")]

mod common;

use std::time::Duration;

use reqwest::Method as M;
use serde_json::{json, Value};

const SECRET: &str = "sandbox-deposits-secret";

/// The adapters whose simulators must deposit.
const MUST_DEPOSIT: &[&str] = &["smartro"];

async fn call(method: M, url: String, body: Option<Value>) -> (u16, Value) {
    common::call_as(SECRET, method, url, body).await
}

fn va_body(channel: &str) -> Value {
    json!({
        "channelKey": channel,
        "orderName": "가상계좌 주문",
        "amount": {"total": 12500},
        "currency": "KRW",
        "method": {"virtualAccount": {
            "bank": "KOOKMIN", "expiry": {"validHours": 72}, "option": {"type": "NORMAL"},
            "cashReceipt": {"type": "NO_RECEIPT"}, "remitteeName": "테스트상점"
        }},
        "customer": {"id": "cust1", "name": {"full": "김포트"}, "phoneNumber": "01000001234", "email": "port@portone.io"},
        "productType": "PHYSICAL",
    })
}

/// The webhooks about `payment_id` of type `kind`, once `n` of them have arrived.
async fn hooks(base: &str, payment_id: &str, kind: &str, n: usize) -> Vec<Value> {
    let mut found = Vec::new();
    for _ in 0..100 {
        let (s, v) = call(M::GET, format!("{base}/sandbox/webhooks"), None).await;
        assert_eq!(s, 200, "{v}");
        found = v["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|w| w["body"]["data"]["paymentId"] == payment_id && w["type"] == kind)
            .cloned()
            .collect();
        if found.len() >= n {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    found
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_sandbox_simulator_that_issues_virtual_accounts_takes_deposits() {
    let sb = common::start_sandbox("deposits", SECRET);
    let base = sb.base.clone();
    let (s, channels) = call(M::GET, format!("{base}/channels"), None).await;
    assert_eq!(s, 200, "{channels}");
    let mut covered = Vec::new();
    for (i, ch) in channels["items"].as_array().unwrap().iter().enumerate() {
        let key = ch["key"].as_str().unwrap();
        let adapter = ch["adapter"].as_str().unwrap();
        let id = format!("dep{i}{}", &uuid::Uuid::new_v4().simple().to_string()[..12]);
        let (s, v) = call(
            M::POST,
            format!("{base}/payments/{id}/instant"),
            Some(va_body(key)),
        )
        .await;
        if s != 200 {
            assert!(!MUST_DEPOSIT.contains(&adapter), "{adapter}: {v}");
            eprintln!("NOTE: {adapter} issues no virtual account for this request: {v}");
            continue;
        }
        let (s, d) = call(
            M::POST,
            format!("{base}/sandbox/virtual-accounts/{id}/deposit"),
            None,
        )
        .await;
        if s == 400
            && d["message"]
                .as_str()
                .is_some_and(|m| m.contains("sends no deposit notice"))
        {
            assert!(!MUST_DEPOSIT.contains(&adapter), "{adapter}: {d}");
            eprintln!("NOTE: the {adapter} simulator sends no deposit notice yet");
            continue;
        }
        assert_eq!(s, 200, "{adapter}: {d}");
        assert_eq!(d["notice"]["status"], 200, "{adapter}: {d}");
        let (_, p) = call(M::GET, format!("{base}/payments/{id}"), None).await;
        assert_eq!(p["status"], "PAID", "{adapter}: {p}");
        assert!(p["paidAt"].is_string(), "{p}");
        let paid = hooks(&base, &id, "Transaction.Paid", 1).await;
        assert_eq!(paid.len(), 1, "{adapter}: one Transaction.Paid");
        // The PG resends: acknowledged, nothing more.
        let (s, d) = call(
            M::POST,
            format!("{base}/sandbox/virtual-accounts/{id}/deposit"),
            None,
        )
        .await;
        assert_eq!((s, &d["notice"]["status"]), (200, &json!(200)), "{d}");
        // The payment's webhook history (outbox rows, delivered or not): one PAID event.
        let (_, p) = call(M::GET, format!("{base}/payments/{id}"), None).await;
        let paid_events = p["webhooks"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|w| w["paymentStatus"] == "PAID")
            .count();
        assert_eq!(paid_events, 1, "{adapter}: {p}");
        covered.push(adapter.to_string());
    }
    for must in MUST_DEPOSIT {
        assert!(covered.iter().any(|c| c == must), "{must}: {covered:?}");
    }
    eprintln!("deposits covered: {covered:?}");
}
