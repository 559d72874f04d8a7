//! A newcomer's first run, through the binary: the smart-routing founding document's own
//! requests (PortOne `payment-<uuid>` ids, a customer without an id) sent through the
//! sandbox's demo group. Rule-aware selection must send each to a channel whose rules accept
//! it, split among the accepting channels by their weights, and refuse none.
#![cfg(all(feature = "galaxia", feature = "ksnet", feature = "smartro"))]

mod common;

use std::collections::BTreeMap;

use serde_json::{json, Value};

const SECRET: &str = "first-run-secret";
const N: usize = 200;

async fn call(method: reqwest::Method, url: String, body: Option<Value>) -> (u16, Value) {
    common::call_as(SECRET, method, url, body).await
}

/// A PortOne-style id (`payment-<uuid>`), the same sequence on every run: routing is a pure
/// function of the id, so the splits below are the same every time (no flaky tolerance).
fn portone_id(prefix: &str) -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(1);
    // splitmix64 of a counter, twice, as the uuid's 128 bits.
    let mix = |mut z: u64| {
        z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    };
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let bits = (u128::from(mix(n)) << 64) | u128::from(mix(n ^ 0xA5A5_A5A5));
    format!("{prefix}-{}", uuid::Uuid::from_u128(bits))
}

/// The demo group's id and its channels' weights.
async fn demo_group(base: &str) -> (String, BTreeMap<String, u32>) {
    let (s, groups) = call(reqwest::Method::GET, format!("{base}/channel-groups"), None).await;
    assert_eq!(s, 200, "{groups}");
    let g = &groups["items"][0];
    let weights = g["channels"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["channelKey"].as_str().unwrap().to_string(),
                c["weight"].as_u64().unwrap() as u32,
            )
        })
        .collect();
    (g["id"].as_str().unwrap().to_string(), weights)
}

/// The keyed-in card request of the founding document ("API 수기(키인)결제 연동하기"), with
/// the customer of its browser example: full name, phone and e-mail, no id.
fn founding_document_payment(group: &str) -> Value {
    json!({
        "channelGroupId": group,
        "orderName": "월간 이용권 정기결제",
        "customer": {
            "name": { "full": "김포트" },
            "phoneNumber": "01000001234",
            "email": "port@portone.io"
        },
        "amount": { "total": 8900 },
        "currency": "KRW",
        "method": { "card": { "credential": {
            "number": "0000123400001234", "expiryYear": "26", "expiryMonth": "12",
            "birthOrBusinessRegistrationNumber": "900101", "passwordTwoDigits": "00"
        } } },
        "productType": "PHYSICAL"
    })
}

/// The founding document's customer for billing keys ("API 빌링키 발급 및 정기결제 연동하기").
fn key_customer() -> Value {
    json!({
        "id": "customerId_2333",
        "name": { "full": "김포트" },
        "phoneNumber": "01000001234",
        "email": "port@portone.io"
    })
}

/// Where the payment went, and which channels its rules check left out.
async fn landed(base: &str, payment_id: &str) -> (String, Vec<String>) {
    let (s, p) = call(
        reqwest::Method::GET,
        format!("{base}/payments/{payment_id}"),
        None,
    )
    .await;
    assert_eq!(s, 200, "{p}");
    assert_eq!(p["status"], "PAID", "{p}");
    let refused = p["routing"]["refused"]
        .as_array()
        .map(|v| {
            v.iter()
                .map(|r| {
                    assert!(
                        r["rule"].as_str().is_some_and(|s| !s.is_empty()),
                        "a refusal names its rule: {r}"
                    );
                    r["channelKey"].as_str().unwrap().to_string()
                })
                .collect()
        })
        .unwrap_or_default();
    (p["channel"]["key"].as_str().unwrap().to_string(), refused)
}

/// Each accepting channel's share is within `tolerance` of its renormalized weight.
fn assert_split(counts: &BTreeMap<String, usize>, weights: &BTreeMap<String, u32>, tolerance: f64) {
    let total_w: u32 = counts.keys().map(|k| weights[k]).sum();
    let n: usize = counts.values().sum();
    for (k, c) in counts {
        let expected = f64::from(weights[k]) / f64::from(total_w);
        let got = *c as f64 / n as f64;
        assert!(
            (got - expected).abs() <= tolerance,
            "{k}: {c} of {n} ({got:.2}), expected {expected:.2} ± {tolerance} ({counts:?})"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn founding_document_requests_land_on_channels_that_accept_them() {
    let sb = common::start_sandbox("first-run", SECRET);
    let base = sb.base.clone();
    let (group, weights) = demo_group(&base).await;

    // 1. The keyed-in payment exactly as the document writes it: only a channel whose rules
    //    take a customer without an id and a `-` in the id can have it.
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for _ in 0..N {
        let id = portone_id("payment");
        let (s, r) = call(
            reqwest::Method::POST,
            format!("{base}/payments/{id}/instant"),
            Some(founding_document_payment(&group)),
        )
        .await;
        assert_eq!(s, 200, "{id}: {r}");
        let (channel, refused) = landed(&base, &id).await;
        assert!(!refused.contains(&channel));
        *counts.entry(channel).or_default() += 1;
    }
    // Galaxia needs `customer.id` (its USER_ID); Smartro and NICE have no keyed-in card payment.
    assert_eq!(
        counts.keys().collect::<Vec<_>>(),
        ["ksnet-test", "tosspayments-test"],
        "{counts:?}"
    );
    assert_split(&counts, &weights, 0.12);

    // 2. The same payment from a merchant that also sends a customer id and Galaxia's item
    //    code: two channels accept, and they split by their weights.
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for _ in 0..N {
        let id = portone_id("payment");
        let mut body = founding_document_payment(&group);
        body["customer"] = key_customer();
        body["bypass"] = json!({ "galaxia": { "ITEM_CODE": "ITEM0001" } });
        let (s, r) = call(
            reqwest::Method::POST,
            format!("{base}/payments/{id}/instant"),
            Some(body),
        )
        .await;
        assert_eq!(s, 200, "{id}: {r}");
        *counts.entry(landed(&base, &id).await.0).or_default() += 1;
    }
    assert_eq!(
        counts.keys().collect::<Vec<_>>(),
        ["galaxia-test", "ksnet-test", "tosspayments-test"],
        "{counts:?}"
    );
    // 200 draws at p ≈ 0.33–0.5: ±0.12 is more than 3 standard deviations.
    assert_split(&counts, &weights, 0.12);

    // 3. A super billing key as the document issues it, then 200 payments with PortOne ids.
    let (s, issued) = call(
        reqwest::Method::POST,
        format!("{base}/billing-keys"),
        Some(json!({
            "channelGroupId": group,
            "customer": key_customer(),
            "method": { "card": { "credential": {
                "number": "0000123400001234", "expiryYear": "26", "expiryMonth": "12",
                "birthOrBusinessRegistrationNumber": "900101", "passwordTwoDigits": "00"
            } } }
        })),
    )
    .await;
    assert_eq!(s, 200, "{issued}");
    let billing_key = issued["billingKeyInfo"]["billingKey"]
        .as_str()
        .unwrap()
        .to_string();
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for _ in 0..N {
        let id = portone_id("payment");
        let (s, r) = call(
            reqwest::Method::POST,
            format!("{base}/payments/{id}/billing-key"),
            Some(json!({
                "billingKey": billing_key,
                "orderName": "후불 결제",
                "customer": key_customer(),
                "amount": { "total": 8900 },
                "currency": "KRW",
                "productType": "PHYSICAL",
                "productCount": 1
            })),
        )
        .await;
        assert_eq!(s, 200, "{id}: {r}");
        let (channel, refused) = landed(&base, &id).await;
        // Smartro holds a key but refuses a `-` in its order number (Moid); Inicis refuses
        // an order number over 40 bytes (a PortOne id is 44).
        assert_eq!(refused, ["inicis-test", "smartro-test"]);
        *counts.entry(channel).or_default() += 1;
    }
    assert_eq!(
        counts.keys().collect::<Vec<_>>(),
        [
            "galaxia-test",
            "ksnet-test",
            "nice-test",
            "tosspayments-test"
        ],
        "{counts:?}"
    );
    assert_split(&counts, &weights, 0.12);

    // 4. A request no channel accepts is one 400 naming each channel and the rule it broke;
    //    nothing is recorded. (Toss takes no productType but at most 12 installment months.)
    let id = portone_id("payment");
    let mut body = founding_document_payment(&group);
    body.as_object_mut().unwrap().remove("productType");
    body["method"]["card"]["installmentMonth"] = json!(24);
    let (s, r) = call(
        reqwest::Method::POST,
        format!("{base}/payments/{id}/instant"),
        Some(body),
    )
    .await;
    assert_eq!(s, 400, "{r}");
    assert_eq!(r["type"], "INVALID_REQUEST");
    let msg = r["message"].as_str().unwrap();
    for needle in [
        "galaxia-test: refuses the request: customer.id",
        "ksnet-test: refuses the request: productType",
        "smartro-test:",
        "tosspayments-test: refuses the request: method.card.installmentMonth",
    ] {
        assert!(msg.contains(needle), "{needle:?} not in {msg}");
    }
    let (s, _) = call(reqwest::Method::GET, format!("{base}/payments/{id}"), None).await;
    assert_eq!(s, 404);

    // 5. A schedule no channel could ever run is refused when it is created, naming each
    //    keyed channel and its rule (no productType for KSNET, no customer id for Galaxia, a
    //    `-` in the id for Smartro, an order name over NICE's 40-byte goodsName, 24 installment
    //    months for Toss).
    let id = portone_id("payment");
    let (s, r) = call(
        reqwest::Method::POST,
        format!("{base}/payments/{id}/schedule"),
        Some(json!({
            "payment": {
                "billingKey": billing_key,
                "orderName": "월간 이용권 정기 결제 프리미엄 플랜",
                "amount": { "total": 8900 },
                "currency": "KRW",
                "installmentMonth": 24
            },
            "timeToPay": "2099-05-01T00:00:00+09:00"
        })),
    )
    .await;
    assert_eq!(s, 400, "{r}");
    let msg = r["message"].as_str().unwrap();
    for needle in [
        "galaxia-test: refuses",
        "ksnet-test: refuses",
        "nice-test: refuses the request: orderName",
        "smartro-test: refuses",
        "tosspayments-test: refuses",
    ] {
        assert!(msg.contains(needle), "{needle:?} not in {msg}");
    }

    // 6. A payment window through the group: Smartro refuses the `-` in the id and Inicis its
    //    length, so the window opens on a channel that takes it, and the payment says why
    //    Smartro and Inicis were skipped.
    for _ in 0..10 {
        let id = portone_id("payment");
        let (s, session) = call(
            reqwest::Method::POST,
            format!("{base}/checkout/sessions"),
            Some(json!({
                "storeId": "store-paymux-sandbox",
                "channelGroupId": group,
                "paymentId": id,
                "orderName": "나이키 와플 트레이너 2 SD",
                "totalAmount": 1000,
                "currency": "KRW",
                "payMethod": "CARD",
                "customer": { "customerId": "customerId_2333", "fullName": "포트원",
                              "phoneNumber": "010-0000-1234", "email": "test@portone.io" }
            })),
        )
        .await;
        assert_eq!(s, 200, "{session}");
        let (s, p) = call(reqwest::Method::GET, format!("{base}/payments/{id}"), None).await;
        assert_eq!(s, 200, "{p}");
        let key = p["channel"]["key"].as_str().unwrap();
        assert!(
            ["galaxia-test", "nice-test", "tosspayments-test"].contains(&key),
            "{p}"
        );
        let refused: Vec<&str> = p["routing"]["refused"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|r| r["channelKey"].as_str())
            .collect();
        assert!(
            refused.contains(&"inicis-test") && refused.contains(&"smartro-test"),
            "{p}"
        );
    }
}
