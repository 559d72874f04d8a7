//! Cash receipts over HTTP (PortOne `issueCashReceipt`, `getCashReceiptByPaymentId`,
//! `cancelCashReceiptByPaymentId`, `getCashReceipts`, `Payment.cashReceipt`), issued through
//! NICE Pay's and Toss Payments' simulators; a PG without standalone receipts (the fake) is
//! refused naming it. Unknown outcomes, concurrency, hostile input and masking.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::http::StatusCode;
use paymux_core::simulator::Simulator;
use paymux_nice::NiceSimulator;
use paymux_tosspayments::TossSimulator;
use serde_json::{json, Value};

use crate::harness::{self, Backend, Harness};

const NICE: &str = "nice-cr";
const TOSS: &str = "toss-cr";
/// A test phone number (no simulator behaviour on its last four digits).
const IDENTITY: &str = "01000001234";

/// Start NICE's and Toss's simulators, add a channel of each, and run the scenario.
pub async fn run(backend: Backend) {
    let late = Duration::from_millis(1500); // after the harness's 1 s read timeout
    let nice = Arc::new(NiceSimulator::default().with_late_delay(late));
    let toss = Arc::new(TossSimulator::default().with_late_delay(late));
    let any = SocketAddr::from(([127, 0, 0, 1], 0));
    let nice_handle = nice.clone().start(any).await.unwrap();
    let toss_handle = toss.clone().start(any).await.unwrap();
    let channels = vec![
        nice.sandbox_channel(NICE, &nice_handle.endpoint()),
        toss.sandbox_channel(TOSS, &toss_handle.endpoint()),
    ];
    harness::run_with(
        backend,
        move |o| o.channels.extend(channels),
        move |h| async move {
            scenario(&h).await;
            drop((nice_handle, toss_handle));
        },
    )
    .await
}

/// The channel the Python SDK test issues its receipts through.
pub const SDK_CHANNEL: &str = "toss-cr";

/// A Toss simulator (kept running while the handle lives) and its sandbox channel.
pub async fn toss_channel() -> (
    paymux_core::channel::ChannelContext,
    paymux_core::simulator::SimulatorHandle,
) {
    let toss = Arc::new(TossSimulator::default());
    let handle = toss
        .clone()
        .start(SocketAddr::from(([127, 0, 0, 1], 0)))
        .await
        .unwrap();
    (
        toss.sandbox_channel(SDK_CHANNEL, &handle.endpoint()),
        handle,
    )
}

fn new_id(prefix: &str) -> String {
    format!("{prefix}{}", uuid::Uuid::new_v4().simple())
}

fn body(payment_id: &str, channel: &str, identity: &str) -> Value {
    json!({
        "paymentId": payment_id,
        "channelKey": channel,
        "type": "PERSONAL",
        "orderName": "현금영수증 주문",
        "currency": "KRW",
        "amount": {"total": 15000, "taxFree": 4000},
        "customer": {"identityNumber": identity, "name": "홍길동"},
    })
}

async fn issue(h: &Harness, b: &Value) -> (StatusCode, Value) {
    h.post("/cash-receipts", b).await
}

fn path(id: &str) -> String {
    format!("/payments/{id}/cash-receipt")
}

async fn list(h: &Harness, b: Value) -> Value {
    let (s, v) = h
        .send(reqwest::Method::GET, "/cash-receipts", Some(&b))
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    v
}

fn ids(v: &Value) -> Vec<String> {
    v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["paymentId"].as_str().unwrap().to_string())
        .collect()
}

async fn scenario(h: &Harness) {
    // Issue through NICE and through Toss.
    let nice_id = new_id("crnice");
    let (s, v) = issue(h, &body(&nice_id, NICE, IDENTITY)).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let summary = &v["cashReceipt"];
    assert_eq!(summary["issueNumber"].as_str().unwrap().len(), 9, "{v}");
    assert_eq!(
        summary["url"], "",
        "NICE's answer names no receipt page: {v}"
    );
    let nice_tid = summary["pgReceiptId"].as_str().unwrap().to_string();
    assert!(nice_tid.starts_with("nictest00m"), "{v}");

    let toss_id = new_id("crtoss");
    let (s, v) = issue(h, &body(&toss_id, TOSS, IDENTITY)).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert!(v["cashReceipt"]["url"]
        .as_str()
        .unwrap()
        .starts_with("https://"));

    // Issued twice: refused before anything is sent.
    for (id, ch) in [(&nice_id, NICE), (&toss_id, TOSS)] {
        let (s, v) = issue(h, &body(id, ch, IDENTITY)).await;
        assert_eq!(s, StatusCode::CONFLICT, "{v}");
        assert_eq!(v["type"], "CASH_RECEIPT_ALREADY_ISSUED");
    }

    // Read back.
    let (s, r) = h.get(&path(&nice_id)).await;
    assert_eq!(s, StatusCode::OK, "{r}");
    assert_eq!(r["status"], "ISSUED");
    assert_eq!(r["paymentId"], nice_id.as_str());
    assert_eq!(r["storeId"], "store-test");
    assert_eq!(r["merchantId"], "merchant-test");
    assert_eq!(
        (&r["amount"], &r["taxFreeAmount"], &r["vatAmount"]),
        (&json!(15000), &json!(4000), &json!(1000))
    );
    assert_eq!(r["currency"], "KRW");
    assert_eq!(r["type"], "PERSONAL");
    assert_eq!(r["isManual"], true);
    assert_eq!(r["pgReceiptId"], nice_tid.as_str());
    assert_eq!(r["channel"]["pgProvider"], "NICE_V2");
    assert_eq!(r["channel"]["key"], NICE);
    assert!(
        r.get("url").is_none() && r.get("cancelledAt").is_none(),
        "{r}"
    );
    assert!(r["issuedAt"].is_string() && r["statusUpdatedAt"].is_string());
    let (_, r) = h.get(&format!("{}?storeId=another", path(&nice_id))).await;
    assert_eq!(r["type"], "CASH_RECEIPT_NOT_FOUND", "another store's: {r}");

    // Lists: filters, page, totalCount.
    let v = list(h, json!({"filter": {"paymentId": nice_id}})).await;
    assert_eq!(ids(&v), vec![nice_id.clone()]);
    assert_eq!(v["page"]["totalCount"], 1);
    let v = list(
        h,
        json!({"filter": {"pgProviders": ["TOSSPAYMENTS"]}, "page": {"size": 1000}}),
    )
    .await;
    assert!(
        ids(&v).contains(&toss_id) && !ids(&v).contains(&nice_id),
        "{v}"
    );
    // pgCompanies: the company of the channel's adapter; a known company no channel is
    // matches nothing.
    for (companies, want_nice, want_toss) in [
        (json!(["NICE"]), true, false),
        (json!(["TOSSPAYMENTS"]), false, true),
        (json!(["TOSSPAYMENTS", "NICE"]), true, true),
        (json!(["KSNET"]), false, false),
        (json!([]), false, false),
    ] {
        let b = json!({"filter": {"pgCompanies": companies}, "page": {"size": 1000}});
        let got = ids(&list(h, b.clone()).await);
        assert_eq!(
            (got.contains(&nice_id), got.contains(&toss_id)),
            (want_nice, want_toss),
            "{b}: {got:?}"
        );
    }
    let v = list(
        h,
        json!({"filter": {"pgCompanies": ["NICE"], "pgProviders": ["TOSSPAYMENTS"]}}),
    )
    .await;
    assert_eq!(v["page"]["totalCount"], 0, "both filters apply: {v}");
    let v = list(h, json!({"filter": {"orderName": "영수증", "isManual": true, "isTest": true}, "page": {"size": 1000}})).await;
    assert!(
        ids(&v).contains(&toss_id) && ids(&v).contains(&nice_id),
        "{v}"
    );
    let v = list(h, json!({"filter": {"isManual": false}})).await;
    assert_eq!(v["page"]["totalCount"], 0, "{v}");
    let v = list(
        h,
        json!({"filter": {"statuses": ["CANCELLED"], "paymentId": nice_id}}),
    )
    .await;
    assert_eq!(v["page"]["totalCount"], 0);
    let v = list(
        h,
        json!({"page": {"number": 0, "size": 1}, "sort": {"by": "ISSUED_AT", "order": "ASC"}}),
    )
    .await;
    assert_eq!(v["items"].as_array().unwrap().len(), 1);
    assert!(v["page"]["totalCount"].as_i64().unwrap() >= 2, "{v}");
    assert_eq!(v["page"]["size"], 1);
    let v = list(h, json!({"filter": {"pgReceiptId": nice_tid}})).await;
    assert_eq!(ids(&v), vec![nice_id.clone()]);
    let v = list(h, json!({"filter": {"until": "2000-01-01T00:00:00Z"}})).await;
    assert_eq!(v["page"]["totalCount"], 0, "the range applies: {v}");
    let v = list(h, json!({"filter": {"version": "V1"}})).await;
    assert_eq!(v["page"]["totalCount"], 0);
    // The body as PortOne's SDKs send it (requestBody query parameter).
    let q = urlencode(&json!({"filter": {"paymentId": toss_id}}).to_string());
    let (s, v) = h.get(&format!("/cash-receipts?requestBody={q}")).await;
    assert_eq!((s, ids(&v)), (StatusCode::OK, vec![toss_id.clone()]), "{v}");

    // Cancel; a second cancel is CASH_RECEIPT_NOT_ISSUED.
    for id in [&nice_id, &toss_id] {
        let (s, c) = h.post(&format!("{}/cancel", path(id)), &json!({})).await;
        assert_eq!(s, StatusCode::OK, "{c}");
        assert_eq!(c["cancelledAmount"], 15000);
        assert!(c["cancelledAt"].is_string());
        let (s, c) = h.post(&format!("{}/cancel", path(id)), &json!({})).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{c}");
        assert_eq!(c["type"], "CASH_RECEIPT_NOT_ISSUED");
        let (_, r) = h.get(&path(id)).await;
        assert_eq!(r["status"], "CANCELLED", "{r}");
        assert!(r["cancelledAt"].is_string());
    }
    let v = list(h, json!({"filter": {"statuses": ["CANCELLED"], "timeRangeField": "CANCELLED_AT"}, "page": {"size": 1000}})).await;
    assert!(ids(&v).contains(&nice_id) && ids(&v).contains(&toss_id));

    // Nothing of the kind.
    let (s, v) = h.get(&path("no-such-receipt")).await;
    assert_eq!(
        (s, &v["type"]),
        (StatusCode::NOT_FOUND, &json!("CASH_RECEIPT_NOT_FOUND"))
    );
    let (s, v) = h
        .post(&format!("{}/cancel", path("no-such-receipt")), &json!({}))
        .await;
    assert_eq!(
        (s, &v["type"]),
        (StatusCode::NOT_FOUND, &json!("CASH_RECEIPT_NOT_FOUND"))
    );

    // A PG with no standalone receipts: refused naming it; nothing recorded.
    let fake_id = new_id("crfake");
    let (s, v) = issue(h, &body(&fake_id, "fake-a", IDENTITY)).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
    assert_eq!(v["type"], "INVALID_REQUEST");
    let m = v["message"].as_str().unwrap();
    assert!(
        m.starts_with("channelKey")
            && m.contains("Fake PG (tests)")
            && m.contains("cash-receipt.issue"),
        "{m}"
    );
    let (s, _) = h.get(&path(&fake_id)).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    // A channel that does not exist.
    let (s, v) = issue(h, &body(&new_id("cr"), "no-such-channel", IDENTITY)).await;
    assert_eq!(
        (s, &v["type"]),
        (StatusCode::NOT_FOUND, &json!("CHANNEL_NOT_FOUND"))
    );

    payment_cash_receipt(h).await;
    concurrent_issues(h).await;
    unknown_outcomes(h).await;
    hostile_input(h).await;

    // The identity number is kept nowhere: not in the database, not in the logs.
    let dump = h.dump().await;
    assert!(dump.contains("*******1234"), "the masked identity is kept");
    assert!(
        !dump.contains(IDENTITY),
        "identity number stored in the clear"
    );
    assert!(
        !harness::logs().contains(IDENTITY),
        "identity number in the logs"
    );
}

/// `Payment.cashReceipt` of a paymux payment whose receipt was issued by its id.
async fn payment_cash_receipt(h: &Harness) {
    let id = new_id("crpay");
    let (s, v) = h
        .post(
            &format!("/payments/{id}/instant"),
            &harness::instant_body(("channelKey", "fake-a"), harness::CARD_OK, 15000),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (_, p) = h.get(&format!("/payments/{id}")).await;
    assert!(p.get("cashReceipt").is_none(), "none issued yet: {p}");
    let (s, v) = issue(h, &body(&id, TOSS, IDENTITY)).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (_, p) = h.get(&format!("/payments/{id}")).await;
    let r = &p["cashReceipt"];
    assert_eq!(r["status"], "ISSUED", "{p}");
    assert_eq!(r["type"], "PERSONAL");
    assert_eq!(r["totalAmount"], 15000);
    assert_eq!(r["taxFreeAmount"], 4000);
    assert_eq!(r["currency"], "KRW");
    assert_eq!(r["issueNumber"], v["cashReceipt"]["issueNumber"]);
    assert_eq!(r["pgReceiptId"], v["cashReceipt"]["pgReceiptId"]);
    assert!(r["issuedAt"].is_string() && r.get("cancelledAt").is_none());
    // `GET /payments` by its receipt (and by platform: an instant payment is `API`).
    let around_now = json!({"from": "2000-01-01T00:00:00Z", "until": "2100-01-01T00:00:00Z"});
    let long_ago = json!({"from": "2000-01-01T00:00:00Z", "until": "2001-01-01T00:00:00Z"});
    for (filter, n) in [
        (json!({"cashReceiptStatus": "ISSUED"}), 1),
        (json!({"cashReceiptStatus": "CANCELLED"}), 0),
        (
            json!({"cashReceiptType": "PERSONAL", "cashReceiptIssuedAtRange": around_now}),
            1,
        ),
        (json!({"cashReceiptType": "CORPORATE"}), 0),
        (json!({"cashReceiptIssuedAtRange": long_ago}), 0),
        (json!({"cashReceiptCancelledAtRange": around_now}), 0),
        (json!({"platformType": "API"}), 1),
        (json!({"platformType": "SDK_PC"}), 0),
    ] {
        assert_eq!(listed(h, &id, filter.clone()).await, n, "{filter}");
    }
    let (s, _) = h.post(&format!("{}/cancel", path(&id)), &json!({})).await;
    assert_eq!(s, StatusCode::OK);
    let (_, p) = h.get(&format!("/payments/{id}")).await;
    assert_eq!(p["cashReceipt"]["status"], "CANCELLED", "{p}");
    assert!(p["cashReceipt"]["cancelledAt"].is_string());
    for (filter, n) in [
        (json!({"cashReceiptStatus": "ISSUED"}), 0),
        (json!({"cashReceiptStatus": "CANCELLED"}), 1),
        (json!({"cashReceiptCancelledAtRange": around_now}), 1),
        (json!({"cashReceiptCancelledAtRange": long_ago}), 0),
        (json!({"cashReceiptIssuedAtRange": around_now}), 1),
    ] {
        assert_eq!(listed(h, &id, filter.clone()).await, n, "{filter}");
    }
    // Bad values name the field; NO_RECEIPT is not kept, so it is refused, not "nothing".
    for (filter, field) in [
        (
            json!({"cashReceiptType": "NO_RECEIPT"}),
            "filter.cashReceiptType",
        ),
        (
            json!({"cashReceiptType": "personal"}),
            "filter.cashReceiptType",
        ),
        (
            json!({"cashReceiptStatus": "ISSUE_FAILED"}),
            "filter.cashReceiptStatus",
        ),
        (
            json!({"cashReceiptIssuedAtRange": {"from": "yesterday", "until": "2100-01-01T00:00:00Z"}}),
            "filter.cashReceiptIssuedAtRange.from",
        ),
        (
            json!({"cashReceiptCancelledAtRange": {"from": "2100-01-01T00:00:00Z", "until": "2000-01-01T00:00:00Z"}}),
            "filter.cashReceiptCancelledAtRange.until",
        ),
        (json!({"platformType": "PC"}), "filter.platformType"),
    ] {
        let bad = json!({"filter": filter});
        let (s, v) = h.send(reqwest::Method::GET, "/payments", Some(&bad)).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{bad}: {v}");
        assert_eq!(v["type"], "INVALID_REQUEST", "{v}");
        assert!(
            v["message"].as_str().unwrap().starts_with(field),
            "{field}: {v}"
        );
    }
    let no_until =
        json!({"filter": {"cashReceiptIssuedAtRange": {"from": "2000-01-01T00:00:00Z"}}});
    let (s, v) = h
        .send(reqwest::Method::GET, "/payments", Some(&no_until))
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "a range without until: {v}");
    // A receipt for a payment of another store is refused.
    let mut other = body(&id, TOSS, IDENTITY);
    other["storeId"] = json!("another-store");
    let (s, v) = issue(h, &other).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
    assert!(v["message"].as_str().unwrap().starts_with("paymentId"));
}

/// How many payments `GET /payments` lists with paymentId `id` and `filter`'s other fields
/// (and `totalCount` agrees).
async fn listed(h: &Harness, id: &str, mut filter: Value) -> usize {
    filter["textSearch"] = json!([{"field": "PAYMENT_ID", "value": id}]);
    let body = json!({"filter": filter});
    let (s, v) = h.send(reqwest::Method::GET, "/payments", Some(&body)).await;
    assert_eq!(s, StatusCode::OK, "{body}: {v}");
    let n = v["items"].as_array().unwrap().len();
    assert_eq!(v["page"]["totalCount"], n, "{v}");
    n
}

/// Two issues of one paymentId at once: one reaches the PG, the other is refused.
async fn concurrent_issues(h: &Harness) {
    for ch in [NICE, TOSS] {
        let id = new_id("crrace");
        let b = body(&id, ch, IDENTITY);
        let (a, c) = tokio::join!(issue(h, &b), issue(h, &b));
        let mut statuses = [a.0, c.0];
        statuses.sort();
        assert_eq!(
            statuses,
            [StatusCode::OK, StatusCode::CONFLICT],
            "{ch}: {a:?} {c:?}"
        );
        let refused = if a.0 == StatusCode::CONFLICT {
            &a.1
        } else {
            &c.1
        };
        assert_eq!(refused["type"], "CASH_RECEIPT_ALREADY_ISSUED");
    }
}

/// Lost answers: never recorded as issued or failed without the PG's word.
async fn unknown_outcomes(h: &Harness) {
    // Toss answers late (after the read timeout) but issued it: its inquiry finds the receipt.
    let id = new_id("crlate");
    let (s, v) = issue(h, &body(&id, TOSS, "01000000098")).await;
    assert_eq!(s, StatusCode::OK, "settled by Toss's inquiry: {v}");
    let (_, r) = h.get(&path(&id)).await;
    assert_eq!(r["status"], "ISSUED", "{r}");
    assert_eq!(r["pgReceiptId"], v["cashReceipt"]["pgReceiptId"]);

    // NICE drops the connection: NICE has no inquiry without the tid, so the receipt stays
    // pending: not shown, not listed, not issued again.
    let id = new_id("crdrop");
    let (s, v) = issue(h, &body(&id, NICE, "01000000099")).await;
    assert_eq!(s, StatusCode::BAD_GATEWAY, "{v}");
    assert_eq!(v["type"], "PG_PROVIDER");
    assert_eq!(v["pgCode"], "PAYMUX_OUTCOME_UNKNOWN");
    let (s, r) = h.get(&path(&id)).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "{r}");
    assert_eq!(r["type"], "CASH_RECEIPT_NOT_FOUND");
    assert!(r["message"].as_str().unwrap().contains("lost"), "{r}");
    let v = list(h, json!({"filter": {"paymentId": id}})).await;
    assert_eq!(v["page"]["totalCount"], 0);
    let (s, v) = issue(h, &body(&id, NICE, IDENTITY)).await;
    assert_eq!(s, StatusCode::CONFLICT, "{v}");
    assert!(v["message"].as_str().unwrap().contains("not known"), "{v}");
    let (s, v) = h.post(&format!("{}/cancel", path(&id)), &json!({})).await;
    assert_eq!(
        (s, &v["type"]),
        (StatusCode::NOT_FOUND, &json!("CASH_RECEIPT_NOT_ISSUED"))
    );

    // NICE refuses: ISSUE_FAILED, and the id may be issued again.
    let id = new_id("crfail");
    let (s, v) = issue(h, &body(&id, NICE, "01000000002")).await;
    assert_eq!(s, StatusCode::BAD_GATEWAY, "{v}");
    assert_eq!(
        (&v["type"], &v["pgCode"]),
        (&json!("PG_PROVIDER"), &json!("7010"))
    );
    let (_, r) = h.get(&path(&id)).await;
    assert_eq!(r["status"], "ISSUE_FAILED", "{r}");
    assert!(
        r.get("amount").is_none() && r.get("issueNumber").is_none(),
        "{r}"
    );
    let v = list(h, json!({"filter": {"statuses": ["FAILED"], "timeRangeField": "STATUS_UPDATED_AT", "paymentId": id}})).await;
    assert_eq!(v["page"]["totalCount"], 1, "{v}");
    let (s, v) = h.post(&format!("{}/cancel", path(&id)), &json!({})).await;
    assert_eq!(
        (s, &v["type"]),
        (StatusCode::NOT_FOUND, &json!("CASH_RECEIPT_NOT_ISSUED"))
    );
    let (s, v) = issue(h, &body(&id, NICE, IDENTITY)).await;
    assert_eq!(s, StatusCode::OK, "a failed issue may be retried: {v}");
}

/// Bad input is 400 naming the field, never 500, never an echo of the identity number.
async fn hostile_input(h: &Harness) {
    let id = new_id("crbad");
    let base = body(&id, TOSS, IDENTITY);
    let cases: Vec<(&str, Value)> = vec![
        ("customer", {
            let mut b = base.clone();
            b.as_object_mut().unwrap().remove("customer");
            b
        }),
        ("customer.identityNumber", {
            let mut b = base.clone();
            b["customer"]["identityNumber"] = json!("010-0000-1234");
            b
        }),
        ("customer.identityNumber", {
            let mut b = base.clone();
            b["customer"]["identityNumber"] = json!(1000001234);
            b
        }),
        ("type", {
            let mut b = base.clone();
            b["type"] = json!("NO_RECEIPT");
            b
        }),
        ("amount.total", {
            let mut b = base.clone();
            b["amount"] = json!({"total": 0});
            b
        }),
        ("amount.total", {
            let mut b = base.clone();
            b["amount"] = json!({"total": "15000"});
            b
        }),
        ("amount.taxFree", {
            let mut b = base.clone();
            b["amount"] = json!({"total": 1000, "taxFree": 2000});
            b
        }),
        ("orderName", {
            let mut b = base.clone();
            b["orderName"] = json!("가".repeat(300));
            b
        }),
        ("orderName", {
            // NICE's goodsName is 40 bytes.
            let mut b = body(&id, NICE, IDENTITY);
            b["orderName"] = json!("가".repeat(14));
            b
        }),
        ("customer.identityNumber", {
            // NICE: a PERSONAL receipt goes to a phone number (10 or 11 digits).
            body(&id, NICE, "1234567890123")
        }),
        ("paymentId", {
            // Toss's orderId alphabet.
            body("crbad with spaces", TOSS, IDENTITY)
        }),
        ("paidAt", {
            let mut b = base.clone();
            b["paidAt"] = json!("yesterday");
            b
        }),
        ("businessRegistrationNumber", {
            let mut b = base.clone();
            b["businessRegistrationNumber"] = json!("1234567890");
            b
        }),
        ("currency", {
            let mut b = base.clone();
            b["currency"] = json!("USD");
            b
        }),
        ("unknown field", {
            let mut b = base.clone();
            b["identityNumberType"] = json!("PHONE");
            b
        }),
    ];
    for (field, b) in cases {
        let (s, v) = issue(h, &b).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{field}: {v}");
        assert_eq!(v["type"], "INVALID_REQUEST", "{field}: {v}");
        let m = v["message"].as_str().unwrap();
        if field != "unknown field" {
            assert!(m.contains(field), "{field}: {m}");
        }
        assert!(!m.contains("1000001234") && !m.contains(IDENTITY), "{m}");
    }
    let (s, _) = h.get(&path(&id)).await;
    assert_eq!(
        s,
        StatusCode::NOT_FOUND,
        "nothing recorded for refused input"
    );
    // Not JSON, or too large.
    let r = h
        .http
        .post(h.url("/cash-receipts"))
        .header("authorization", format!("PortOne {}", harness::API_SECRET))
        .header("content-type", "application/json")
        .body("{\"paymentId\":")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 400);
    let big = json!({"paymentId": "x".repeat(2_000_000)});
    let (s, _) = issue(h, &big).await;
    assert_eq!(s.as_u16(), 413);
    // Injection in orderName is data: stored and shown verbatim, the table intact.
    let inj = new_id("crinj");
    let mut b = body(&inj, TOSS, IDENTITY);
    let name = "'); DROP TABLE cash_receipts; -- <script>";
    b["orderName"] = json!(name);
    let (s, v) = issue(h, &b).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (_, r) = h.get(&path(&inj)).await;
    assert_eq!(r["orderName"], name);
    let v = list(h, json!({"filter": {"orderName": "DROP TABLE"}})).await;
    assert_eq!(ids(&v), vec![inj.clone()]);
    let v = list(h, json!({"filter": {"orderName": "%"}})).await;
    assert_eq!(v["page"]["totalCount"], 0, "`%` is literal: {v}");
    // List input.
    for (b, field) in [
        (
            json!({"filter": {"statuses": ["PENDING"]}}),
            "filter.statuses",
        ),
        (json!({"filter": {"from": "not a time"}}), "filter.from"),
        (
            json!({"filter": {"pgCompanies": ["NICE", "NICE_V2"]}}),
            "filter.pgCompanies[1]: must be a PortOne PgCompany",
        ),
        (
            json!({"filter": {"pgCompanies": "NICE"}}),
            "filter.pgCompanies",
        ),
        (
            json!({"filter": {"pgCompanies": [7]}}),
            "filter.pgCompanies",
        ),
        (json!({"filter": {"bogus": 1}}), "filter"),
        (json!({"page": {"size": 0}}), "page.size"),
        (json!({"sort": {"by": "AMOUNT"}}), "sort.by"),
        (
            json!({"filter": {"orderName": "가".repeat(300)}}),
            "filter.orderName",
        ),
    ] {
        let (s, v) = h
            .send(reqwest::Method::GET, "/cash-receipts", Some(&b))
            .await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{b}: {v}");
        assert!(
            v["message"].as_str().unwrap().contains(field),
            "{field}: {v}"
        );
    }
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}
