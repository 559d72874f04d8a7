//! End to end through the binary a user runs: `paymux serve` in sandbox mode (every linked
//! adapter's real simulator in-process), driven over HTTP as a PortOne V2 client would.
#![cfg(all(feature = "galaxia", feature = "ksnet", feature = "smartro"))]

mod common;

use std::time::Duration;

use serde_json::{json, Value};

const SECRET: &str = "sandbox-e2e-secret";
const CARD_OK: &str = "4518420012345678";
const CARD_DECLINED: &str = "4518420012340002";
const BIRTH: &str = "880315";

async fn call(method: reqwest::Method, url: String, body: Option<Value>) -> (u16, Value) {
    let c = reqwest::Client::new();
    let mut r = c
        .request(method, url)
        .header("Authorization", format!("PortOne {SECRET}"));
    if let Some(b) = body {
        r = r.json(&b);
    }
    let resp = r.send().await.expect("gateway answers");
    let status = resp.status().as_u16();
    let text = resp.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

fn customer() -> Value {
    json!({ "id": "matthew", "name": { "full": "홍길동" },
            "phoneNumber": "01012345678", "email": "buyer@example.com" })
}

/// A keyed-in card body every card-capable sandbox PG accepts (Galaxia wants ITEM_CODE and a
/// customer id, KSNET a productType).
fn card_body(group: &str, number: &str, total: i64) -> Value {
    json!({
        "channelGroupId": group,
        "orderName": "커피 2잔",
        "amount": { "total": total },
        "currency": "KRW",
        "customer": customer(),
        "productType": "PHYSICAL",
        "method": { "card": { "credential": {
            "number": number, "expiryYear": "28", "expiryMonth": "06",
            "birthOrBusinessRegistrationNumber": BIRTH, "passwordTwoDigits": "37"
        } } },
        "bypass": { "galaxia": { "ITEM_CODE": "ITEM0001" } }
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sandbox_pays_cancels_and_issues_super_billing_keys_across_real_simulators() {
    let sb = common::start_sandbox("sandbox-e2e", SECRET);
    let base = sb.base.clone();
    use reqwest::Method as M;

    // Every linked adapter has a test channel, and the demo group spans them.
    let (s, channels) = call(M::GET, format!("{base}/channels"), None).await;
    assert_eq!(s, 200, "{channels}");
    let mut keys: Vec<&str> = channels["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["key"].as_str().unwrap())
        .collect();
    keys.sort_unstable();
    assert_eq!(keys, ["galaxia-test", "ksnet-test", "smartro-test"]);
    let (_, groups) = call(M::GET, format!("{base}/channel-groups"), None).await;
    let group = groups["items"][0]["id"].as_str().unwrap().to_string();

    // Keyed-in card through the group: Smartro cannot take it, so Galaxia or KSNET does.
    let mut used = std::collections::BTreeSet::new();
    for i in 0..12 {
        let id = format!("e2ecard{i:04}");
        let (s, r) = call(
            M::POST,
            format!("{base}/payments/{id}/instant"),
            Some(card_body(&group, CARD_OK, 9000)),
        )
        .await;
        assert_eq!(s, 200, "{id}: {r}");
        assert!(r["payment"]["pgTxId"].is_string(), "{r}");
        let (_, p) = call(M::GET, format!("{base}/payments/{id}"), None).await;
        assert_eq!(p["status"], "PAID", "{p}");
        used.insert(p["channel"]["key"].as_str().unwrap().to_string());
    }
    assert!(!used.contains("smartro-test"), "{used:?}");
    assert_eq!(used.len(), 2, "both card PGs should get traffic: {used:?}");

    // Partial then full cancel, then nothing left.
    let (s, r) = call(
        M::POST,
        format!("{base}/payments/e2ecard0000/cancel"),
        Some(json!({ "amount": 4000, "reason": "one coffee returned" })),
    )
    .await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(r["cancellation"]["totalAmount"], 4000);
    let (s, r) = call(
        M::POST,
        format!("{base}/payments/e2ecard0000/cancel"),
        Some(json!({ "reason": "the rest" })),
    )
    .await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(r["cancellation"]["totalAmount"], 5000);
    let (_, p) = call(M::GET, format!("{base}/payments/e2ecard0000"), None).await;
    assert_eq!(p["status"], "CANCELLED", "{p}");
    let (s, r) = call(
        M::POST,
        format!("{base}/payments/e2ecard0000/cancel"),
        Some(json!({ "amount": 1, "reason": "again" })),
    )
    .await;
    assert_eq!(s, 409, "{r}");

    // A declined card is a PG_PROVIDER error with the PG's own code, and a FAILED payment.
    let (s, r) = call(
        M::POST,
        format!("{base}/payments/e2edecl0001/instant"),
        Some(card_body(&group, CARD_DECLINED, 1000)),
    )
    .await;
    assert_eq!(s, 502, "{r}");
    assert_eq!(r["type"], "PG_PROVIDER", "{r}");
    assert!(r["pgCode"].as_str().is_some_and(|c| !c.is_empty()), "{r}");
    let (_, p) = call(M::GET, format!("{base}/payments/e2edecl0001"), None).await;
    assert_eq!(p["status"], "FAILED", "{p}");

    // Virtual account through the group: Galaxia cannot issue one by API.
    let (s, r) = call(
        M::POST,
        format!("{base}/payments/e2eva0001/instant"),
        Some(json!({
            "channelGroupId": group,
            "orderName": "가상계좌 테스트",
            "amount": { "total": 15000 },
            "currency": "KRW",
            "customer": customer(),
            "productCount": 1,
            "method": { "virtualAccount": {
                "bank": "SHINHAN",
                "expiry": { "validHours": 72 },
                "option": { "type": "NORMAL" },
                "cashReceipt": { "type": "NO_RECEIPT" },
                "remitteeName": "테스트상점"
            } }
        })),
    )
    .await;
    assert_eq!(s, 200, "{r}");
    let (_, p) = call(M::GET, format!("{base}/payments/e2eva0001"), None).await;
    assert_eq!(p["status"], "VIRTUAL_ACCOUNT_ISSUED", "{p}");
    assert_ne!(p["channel"]["key"], "galaxia-test", "{p}");

    // A super billing key over the group, then a charge with it.
    let (s, r) = call(
        M::POST,
        format!("{base}/billing-keys"),
        Some(json!({
            "channelGroupId": group,
            "customer": customer(),
            "method": { "card": { "credential": {
                "number": CARD_OK, "expiryYear": "28", "expiryMonth": "06",
                "birthOrBusinessRegistrationNumber": BIRTH, "passwordTwoDigits": "37"
            } } },
            "bypass": { "galaxia": { "ITEM_CODE": "ITEM0001" } }
        })),
    )
    .await;
    assert_eq!(s, 200, "{r}");
    let key = r["billingKeyInfo"]["billingKey"]
        .as_str()
        .unwrap()
        .to_string();
    let issued = r["billingKeyInfo"]["channels"].as_array().unwrap().len();
    let failed = r["channelSpecificFailures"].as_array().map_or(0, Vec::len);
    assert_eq!(issued + failed, 3, "every enabled channel was tried: {r}");
    assert!(issued >= 2, "{r}");
    let (s, r) = call(
        M::POST,
        format!("{base}/payments/e2ebk0001/billing-key"),
        Some(json!({
            "billingKey": key,
            "orderName": "정기결제",
            "amount": { "total": 5500 },
            "currency": "KRW",
            "customer": customer(),
            "productType": "PHYSICAL",
            "bypass": { "galaxia": { "ITEM_CODE": "ITEM0001" } }
        })),
    )
    .await;
    assert_eq!(s, 200, "{r}");

    // Nothing secret in what the process printed or in the sandbox database.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let printed = sb.output.lock().unwrap().clone();
    let mut db = Vec::new();
    for e in std::fs::read_dir(&sb.dir).unwrap().flatten() {
        db.extend(std::fs::read(e.path()).unwrap_or_default());
    }
    let db = String::from_utf8_lossy(&db);
    for secret in [CARD_OK, CARD_DECLINED, BIRTH] {
        assert!(
            !printed.contains(secret),
            "{secret} in the gateway's output"
        );
        assert!(!db.contains(secret), "{secret} in the sandbox database");
    }
}
