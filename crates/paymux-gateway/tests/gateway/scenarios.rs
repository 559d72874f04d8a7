//! The scenarios, each run on both backends.

use std::sync::Arc;

use axum::http::StatusCode;
use base64::Engine as _;
use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use sha2::Sha256;

use crate::harness::*;

fn uid(prefix: &str) -> String {
    format!("{prefix}-{}", uuid::Uuid::new_v4().simple())
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn type_of(v: &Value) -> &str {
    v["type"].as_str().unwrap_or("")
}

pub async fn auth_is_required(h: Arc<Harness>) {
    let url = h.url("/payments/x");
    for auth in [
        None,
        Some("PortOne wrong-secret"),
        Some(&*format!("Bearer {API_SECRET}")),
        Some("PortOne "),
    ] {
        let mut rb = h.http.get(&url);
        if let Some(a) = auth {
            rb = rb.header("authorization", a);
        }
        let r = rb.send().await.unwrap();
        assert_eq!(r.status().as_u16(), 401, "{auth:?}");
        let v: Value = r.json().await.unwrap();
        assert_eq!(type_of(&v), "UNAUTHORIZED");
    }
    // Every route of the router is behind auth (and exists: not the 404 fallback), except
    // the OpenAPI document and the checkout pages for the customer's browser (no such
    // session: their own 404 page).
    for (method, path) in paymux_gateway::api::ROUTES {
        let concrete: String = path
            .split('/')
            .map(|seg| if seg.starts_with('{') { "x" } else { seg })
            .collect::<Vec<_>>()
            .join("/");
        let m = reqwest::Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
        let r = h.http.request(m, h.url(&concrete)).send().await.unwrap();
        let expected = if *path == "/openapi.json" || *path == "/banks" {
            200
        } else if paymux_gateway::api::PUBLIC_ROUTES.contains(&(*method, *path)) {
            // The token endpoints: no body, so no credential.
            400
        } else if paymux_gateway::api::BROWSER_SDK_ROUTES.contains(&(*method, *path)) {
            // The browser SDKs: scripts and result page 200, sessions and the V1 return 400
            // (no body, no store).
            if *method == "get" && *path != "/browser/v1/return" {
                200
            } else {
                400
            }
        } else if paymux_gateway::api::BROWSER_ROUTES.contains(&(*method, *path)) {
            404
        } else {
            401
        };
        assert_eq!(r.status().as_u16(), expected, "{method} {path}");
    }
    // The right secret passes.
    let (s, v) = h.get("/payments/nope").await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert_eq!(type_of(&v), "PAYMENT_NOT_FOUND");
}

pub async fn instant_payment_via_channel(h: Arc<Harness>) {
    let id = uid("pay");
    let (s, v) = h
        .post(
            &format!("/payments/{id}/instant"),
            &instant_body(("channelKey", "fake-a"), CARD_OK, 10_000),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert!(v["payment"]["pgTxId"]
        .as_str()
        .unwrap()
        .starts_with("FAKE-T"));
    assert!(v["payment"]["paidAt"].is_string());
    let (s, p) = h.get(&format!("/payments/{id}")).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(p["status"], "PAID");
    assert_eq!(p["id"], id.as_str());
    assert_eq!(p["version"], "V2");
    assert_eq!(p["storeId"], "store-test");
    assert_eq!(p["merchantId"], "merchant-test");
    assert_eq!(p["channel"]["key"], "fake-a");
    assert_eq!(p["channel"]["type"], "TEST");
    assert_eq!(p["channel"]["pgProvider"], "FAKE_PG");
    assert_eq!(p["channel"]["pgMerchantId"], "FAKE-MID");
    assert_eq!(p["amount"]["total"], 10_000);
    assert_eq!(p["amount"]["vat"], 909);
    assert_eq!(p["amount"]["supply"], 10_000 - 909);
    assert_eq!(p["amount"]["paid"], 10_000);
    assert_eq!(p["amount"]["cancelled"], 0);
    assert_eq!(p["method"]["type"], "PaymentMethodCard");
    assert_eq!(p["method"]["card"]["number"], "411111******1111");
    assert!(p["method"]["approvalNumber"].is_string());
    assert_eq!(p["customer"]["name"], "홍길동");
    assert!(p["customer"].get("birthYear").is_none());
    assert_eq!(p["disputes"], json!([]));
    assert!(p["transactionId"].is_string());
    // Query storeId must match.
    let (s, _) = h.get(&format!("/payments/{id}?storeId=other")).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

pub async fn instant_payment_via_group(h: Arc<Harness>) {
    let mut seen = std::collections::BTreeSet::new();
    for _ in 0..12 {
        let id = uid("grp");
        let (s, v) = h
            .post(
                &format!("/payments/{id}/instant"),
                &instant_body(("channelGroupId", GROUP_AB), CARD_OK, 1000),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{v}");
        let (_, p) = h.get(&format!("/payments/{id}")).await;
        assert_eq!(p["status"], "PAID");
        assert_eq!(p["channelGroup"]["id"], GROUP_AB);
        assert_eq!(p["channelGroup"]["isForTest"], true);
        seen.insert(p["channel"]["key"].as_str().unwrap().to_string());
        assert_eq!(h.sim.count("pay", &id), 1);
    }
    assert!(
        seen.iter().all(|k| k == "fake-a" || k == "fake-b"),
        "{seen:?}"
    );
    // 12 draws at 50/50: both channels are used (fails with probability 2^-11).
    assert_eq!(seen.len(), 2, "{seen:?}");
    // Unknown group.
    let (s, v) = h
        .post(
            "/payments/x1/instant",
            &instant_body(
                (
                    "channelGroupId",
                    "channel-group-test-99999999-0000-4000-8000-000000000009",
                ),
                CARD_OK,
                1000,
            ),
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert_eq!(type_of(&v), "CHANNEL_NOT_FOUND");
}

pub async fn failover_group_routes_around_a_misconfigured_channel(h: Arc<Harness>) {
    // Ids are random and the bad channel has half the weight: at least 8 payments, and more
    // until one was routed to the bad channel first (2^-64 to find none in 64).
    let mut failed_over = 0;
    for i in 0..64 {
        if i >= 8 && failed_over > 0 {
            break;
        }
        let id = uid("fo");
        let (s, v) = h
            .post(
                &format!("/payments/{id}/instant"),
                &instant_body(("channelGroupId", GROUP_FAILOVER), CARD_OK, 1000),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{v}");
        let (_, p) = h.get(&format!("/payments/{id}")).await;
        assert_eq!(p["channel"]["key"], "fake-a");
        // The misconfigured channel refused (retry-safe): nothing charged there.
        if h.sim.count("pay", &id) == 2 {
            failed_over += 1;
        }
        assert_eq!(h.sim.entries(&id).len(), 1);
    }
    assert!(
        failed_over > 0,
        "no payment was routed to the bad channel first"
    );
}

pub async fn duplicate_payment_id_reaches_the_pg_once(h: Arc<Harness>) {
    let id = uid("dup");
    let body = instant_body(("channelKey", "fake-a"), CARD_OK, 5000);
    let (s, _) = h.post(&format!("/payments/{id}/instant"), &body).await;
    assert_eq!(s, StatusCode::OK);
    let (s, v) = h.post(&format!("/payments/{id}/instant"), &body).await;
    assert_eq!(s, StatusCode::CONFLICT, "{v}");
    assert_eq!(type_of(&v), "ALREADY_PAID");
    // Even through another channel.
    let other = instant_body(("channelKey", "fake-b"), CARD_OK, 5000);
    let (s, v) = h.post(&format!("/payments/{id}/instant"), &other).await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert_eq!(type_of(&v), "ALREADY_PAID");
    assert_eq!(h.sim.count("pay", &id), 1);
    assert_eq!(h.sim.entries(&id).len(), 1);
}

pub async fn concurrent_duplicates_approve_exactly_once(h: Arc<Harness>) {
    let id = uid("conc");
    let mut tasks = Vec::new();
    for i in 0..20 {
        let h = h.clone();
        let id = id.clone();
        let channel = if i % 2 == 0 { "fake-a" } else { "fake-b" };
        tasks.push(tokio::spawn(async move {
            h.post(
                &format!("/payments/{id}/instant"),
                &instant_body(("channelKey", channel), CARD_OK, 7000),
            )
            .await
        }));
    }
    let mut ok = 0;
    let mut conflicts = 0;
    for t in tasks {
        let (s, v) = t.await.unwrap();
        match s {
            StatusCode::OK => ok += 1,
            StatusCode::CONFLICT => {
                assert!(
                    matches!(type_of(&v), "ALREADY_PAID" | "ALREADY_PAID_OR_WAITING"),
                    "{v}"
                );
                conflicts += 1;
            }
            other => panic!("unexpected {other}: {v}"),
        }
    }
    assert_eq!((ok, conflicts), (1, 19));
    assert_eq!(
        h.sim.count("pay", &id),
        1,
        "the PG was called more than once"
    );
    assert_eq!(h.sim.entries(&id).len(), 1);
    let (_, p) = h.get(&format!("/payments/{id}")).await;
    assert_eq!(p["status"], "PAID");
}

pub async fn cancel_partial_then_full(h: Arc<Harness>) {
    let id = uid("cxl");
    let (s, _) = h
        .post(
            &format!("/payments/{id}/instant"),
            &instant_body(("channelKey", "fake-a"), CARD_OK, 10_000),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let path = format!("/payments/{id}/cancel");
    let (s, v) = h
        .post(&path, &json!({"reason": "part", "amount": 3000}))
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let c = &v["cancellation"];
    assert_eq!(c["status"], "SUCCEEDED");
    assert_eq!(c["totalAmount"], 3000);
    assert_eq!(c["taxFreeAmount"], 0);
    assert_eq!(c["vatAmount"], 273);
    assert_eq!(c["reason"], "part");
    assert!(c["pgCancellationId"]
        .as_str()
        .unwrap()
        .starts_with("FAKE-C"));
    assert!(c["cancelledAt"].is_string() && c["requestedAt"].is_string() && c["id"].is_string());
    let (_, p) = h.get(&format!("/payments/{id}")).await;
    assert_eq!(p["status"], "PARTIAL_CANCELLED");
    assert_eq!(p["amount"]["cancelled"], 3000);
    assert_eq!(p["cancellations"].as_array().unwrap().len(), 1);
    // More than what is left.
    let (s, v) = h
        .post(&path, &json!({"reason": "too much", "amount": 8000}))
        .await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert_eq!(type_of(&v), "CANCEL_AMOUNT_EXCEEDS_CANCELLABLE_AMOUNT");
    // Parts above the cancel amount: PortOne's 409 naming the field; nothing cancelled.
    for body in [
        json!({"reason": "x", "amount": 1000, "taxFreeAmount": 1001}),
        json!({"reason": "x", "amount": 1000, "vatAmount": 1001}),
        json!({"reason": "x", "taxFreeAmount": 7001}),
    ] {
        let (s, v) = h.post(&path, &body).await;
        assert_eq!(s, StatusCode::CONFLICT, "{body}: {v}");
        assert_eq!(
            type_of(&v),
            "SUM_OF_PARTS_EXCEEDS_CANCEL_AMOUNT",
            "{body}: {v}"
        );
    }
    let (_, p) = h.get(&format!("/payments/{id}")).await;
    assert_eq!(p["amount"]["cancelled"], 3000);
    // Stale currentCancellableAmount.
    let (s, v) = h
        .post(
            &path,
            &json!({"reason": "x", "amount": 1000, "currentCancellableAmount": 10000}),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert_eq!(type_of(&v), "CANCELLABLE_AMOUNT_CONSISTENCY_BROKEN");
    // The rest: the VAT adds up to the paid VAT exactly.
    let (s, v) = h
        .post(
            &path,
            &json!({"reason": "rest", "currentCancellableAmount": 7000}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["cancellation"]["totalAmount"], 7000);
    assert_eq!(v["cancellation"]["vatAmount"], 909 - 273);
    let (_, p) = h.get(&format!("/payments/{id}")).await;
    assert_eq!(p["status"], "CANCELLED");
    assert_eq!(p["amount"]["cancelled"], 10_000);
    assert!(p["cancelledAt"].is_string());
    assert_eq!(p["cancellations"].as_array().unwrap().len(), 2);
    let (s, v) = h.post(&path, &json!({"reason": "again"})).await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert_eq!(type_of(&v), "PAYMENT_ALREADY_CANCELLED");
    let e = h.sim.entries(&id);
    assert_eq!(e[0].cancelled.get(), 10_000);
    assert_eq!(e[0].cancel_count, 2);
    // Unknown payment.
    let (s, v) = h
        .post("/payments/nope/cancel", &json!({"reason": "x"}))
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert_eq!(type_of(&v), "PAYMENT_NOT_FOUND");
}

pub async fn declined_card_fails_and_may_be_retried(h: Arc<Harness>) {
    let id = uid("dec");
    let (s, v) = h
        .post(
            &format!("/payments/{id}/instant"),
            &instant_body(("channelKey", "fake-a"), CARD_DECLINED, 1000),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_GATEWAY, "{v}");
    assert_eq!(type_of(&v), "PG_PROVIDER");
    assert_eq!(v["pgCode"], "D002");
    assert_eq!(v["pgMessage"], "card declined");
    let (_, p) = h.get(&format!("/payments/{id}")).await;
    assert_eq!(p["status"], "FAILED");
    assert_eq!(p["failure"]["pgCode"], "D002");
    assert!(p["failedAt"].is_string());
    let first_tx = p["transactionId"].clone();
    // Cancel of an unpaid payment.
    let (s, v) = h
        .post(&format!("/payments/{id}/cancel"), &json!({"reason": "x"}))
        .await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert_eq!(type_of(&v), "PAYMENT_NOT_PAID");
    // A certain failure may be retried under the same paymentId (a new transaction).
    let (s, v) = h
        .post(
            &format!("/payments/{id}/instant"),
            &instant_body(("channelKey", "fake-a"), CARD_OK, 1000),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (_, p) = h.get(&format!("/payments/{id}")).await;
    assert_eq!(p["status"], "PAID");
    assert_ne!(p["transactionId"], first_tx);
    assert_eq!(h.sim.entries(&id).len(), 1);
}

pub async fn unknown_outcome_is_reconciled_by_inquiry(h: Arc<Harness>) {
    let id = uid("unk");
    let body = instant_body(("channelKey", "fake-a"), CARD_LATE, 4000);
    let started = std::time::Instant::now();
    let (s, v) = h.post(&format!("/payments/{id}/instant"), &body).await;
    assert_eq!(s, StatusCode::GATEWAY_TIMEOUT, "{v}");
    assert_eq!(type_of(&v), "PAYMENT_OUTCOME_UNKNOWN");
    assert!(started.elapsed() < crate::fake::LATE_ANSWER);
    let (_, p) = h.get(&format!("/payments/{id}")).await;
    assert_eq!(p["status"], "PAY_PENDING");
    // Never guessed: a retry is refused while unresolved, and nothing is charged twice.
    let (s, v) = h.post(&format!("/payments/{id}/instant"), &body).await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert_eq!(type_of(&v), "ALREADY_PAID_OR_WAITING");
    assert!(h.hooks.events().is_empty());
    let r = h.gw.reconcile_once().await.unwrap();
    assert_eq!(r.resolved, 1, "{r:?}");
    let (_, p) = h.get(&format!("/payments/{id}")).await;
    assert_eq!(p["status"], "PAID", "{p}");
    assert!(p["pgTxId"].as_str().unwrap().starts_with("FAKE-T"));
    assert_eq!(h.sim.count("pay", &id), 1);
    assert_eq!(h.sim.count("get", &id), 1);
    // The late answer, when it comes, changes nothing; nothing is left to reconcile.
    let r = h.gw.reconcile_once().await.unwrap();
    assert_eq!(r.examined, 0);
    h.gw.deliver_webhooks_once().await.unwrap();
    let ev = h.hooks.events();
    assert_eq!(ev.len(), 1);
    assert_eq!(ev[0]["type"], "Transaction.Paid");
}

pub async fn dropped_connection_is_reconciled_to_failed(h: Arc<Harness>) {
    let id = uid("drop");
    let (s, v) = h
        .post(
            &format!("/payments/{id}/instant"),
            &instant_body(("channelKey", "fake-b"), CARD_DROP, 4000),
        )
        .await;
    assert_eq!(s, StatusCode::GATEWAY_TIMEOUT, "{v}");
    let (_, p) = h.get(&format!("/payments/{id}")).await;
    assert_eq!(p["status"], "PAY_PENDING");
    let r = h.gw.reconcile_once().await.unwrap();
    assert_eq!(r.resolved, 1);
    let (_, p) = h.get(&format!("/payments/{id}")).await;
    assert_eq!(p["status"], "FAILED");
    assert!(p["failure"]["reason"].as_str().unwrap().contains("inquiry"));
}

pub async fn not_found_waits_for_grace(h: Arc<Harness>) {
    let id = uid("grace");
    let (s, _) = h
        .post(
            &format!("/payments/{id}/instant"),
            &instant_body(("channelKey", "fake-a"), CARD_DROP, 4000),
        )
        .await;
    assert_eq!(s, StatusCode::GATEWAY_TIMEOUT);
    let r = h.gw.reconcile_once().await.unwrap();
    assert_eq!((r.examined, r.resolved), (1, 0));
    let (_, p) = h.get(&format!("/payments/{id}")).await;
    assert_eq!(p["status"], "PAY_PENDING");
    assert_eq!(h.sim.count("get", &id), 1);
}

pub async fn unknown_cancel_is_reconciled_by_inquiry(h: Arc<Harness>) {
    let id = uid("ucx");
    let (s, _) = h
        .post(
            &format!("/payments/{id}/instant"),
            &instant_body(("channelKey", "fake-a"), CARD_OK, 10_000),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let path = format!("/payments/{id}/cancel");
    let (s, v) = h
        .post(
            &path,
            &json!({"reason": crate::fake::LATE_CANCEL_REASON, "amount": 4000}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["cancellation"]["status"], "REQUESTED");
    let cid = v["cancellation"]["id"].clone();
    // Not applied yet, and no second cancel while this one is unresolved.
    let (_, p) = h.get(&format!("/payments/{id}")).await;
    assert_eq!(p["status"], "PAID");
    assert_eq!(p["amount"]["cancelled"], 0);
    let (s, v) = h
        .post(&path, &json!({"reason": "again", "amount": 1000}))
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "{v}");
    let r = h.gw.reconcile_once().await.unwrap();
    assert_eq!(r.resolved, 1, "{r:?}");
    let (_, p) = h.get(&format!("/payments/{id}")).await;
    assert_eq!(p["status"], "PARTIAL_CANCELLED");
    assert_eq!(p["amount"]["cancelled"], 4000);
    assert_eq!(p["cancellations"][0]["id"], cid);
    assert_eq!(p["cancellations"][0]["status"], "SUCCEEDED");
    // The lock is released: the rest can be cancelled.
    let (s, v) = h.post(&path, &json!({"reason": "rest"})).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["cancellation"]["totalAmount"], 6000);
    assert_eq!(h.sim.entries(&id)[0].cancelled.get(), 10_000);
}

pub async fn super_billing_key_with_a_failing_channel(h: Arc<Harness>) {
    let (s, v) = h
        .post(
            "/billing-keys",
            &issue_body(("channelGroupId", GROUP_WITH_BAD), CARD_OK),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let key = v["billingKeyInfo"]["billingKey"]
        .as_str()
        .unwrap()
        .to_string();
    let channels = v["billingKeyInfo"]["channels"].as_array().unwrap();
    assert_eq!(channels.len(), 1);
    assert_eq!(channels[0]["key"], "fake-a");
    let failures = v["channelSpecificFailures"].as_array().unwrap();
    assert_eq!(failures.len(), 1, "{v}");
    assert_eq!(failures[0]["type"], "PG_PROVIDER");
    assert_eq!(failures[0]["channel"]["key"], "fake-bad");
    assert_eq!(failures[0]["pgCode"], "C001");
    // GET shows the issue responses.
    let (s, info) = h.get(&format!("/billing-keys/{key}")).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(info["status"], "ISSUED");
    assert_eq!(info["channelGroup"]["id"], GROUP_WITH_BAD);
    assert_eq!(info["channels"].as_array().unwrap().len(), 1);
    assert_eq!(
        info["pgBillingKeyIssueResponses"].as_array().unwrap().len(),
        2
    );
    assert_eq!(info["methods"][0]["card"]["number"], "411111******1111");
    // Pay: only the keyed channel can be chosen.
    for _ in 0..4 {
        let pid = uid("bk");
        let (s, v) = h
            .post(
                &format!("/payments/{pid}/billing-key"),
                &json!({"billingKey": key, "orderName": "sub", "amount": {"total": 990}, "currency": "KRW"}),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{v}");
        let (_, p) = h.get(&format!("/payments/{pid}")).await;
        assert_eq!(p["channel"]["key"], "fake-a");
        assert_eq!(p["billingKey"], key.as_str());
        assert_eq!(p["method"]["card"]["number"], "411111******1111");
    }
    // Forcing the channel without a key.
    let (s, v) = h
        .post(
            "/payments/forced/billing-key",
            &json!({"billingKey": key, "channelKey": "fake-bad", "orderName": "sub", "amount": {"total": 990}, "currency": "KRW"}),
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND, "{v}");
    assert_eq!(type_of(&v), "CHANNEL_NOT_FOUND");
    // Every channel failing: 502 CHANNEL_SPECIFIC.
    let (s, v) = h
        .post(
            "/billing-keys",
            &issue_body(("channelGroupId", GROUP_WITH_BAD), CARD_DECLINED),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_GATEWAY, "{v}");
    assert_eq!(type_of(&v), "CHANNEL_SPECIFIC");
    assert_eq!(v["failures"].as_array().unwrap().len(), 2);
    assert_eq!(v["succeededChannels"], json!([]));
    // Delete: on every keyed channel.
    let before = h.sim.key_count();
    let (s, v) = h.delete(&format!("/billing-keys/{key}"), None).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert!(v["deletedAt"].is_string());
    assert_eq!(h.sim.key_count(), before - 1);
    let (s, v) = h.delete(&format!("/billing-keys/{key}"), None).await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert_eq!(type_of(&v), "BILLING_KEY_ALREADY_DELETED");
    let (_, info) = h.get(&format!("/billing-keys/{key}")).await;
    assert_eq!(info["status"], "DELETED");
    assert!(info["deletedAt"].is_string());
    let (s, v) = h
        .post(
            "/payments/after-delete/billing-key",
            &json!({"billingKey": key, "orderName": "sub", "amount": {"total": 990}, "currency": "KRW"}),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert_eq!(type_of(&v), "BILLING_KEY_ALREADY_DELETED");
}

pub async fn billing_key_single_channel_and_explicit_channel(h: Arc<Harness>) {
    // A key over the a/b group: both channels hold one; an explicit channel forces.
    let (s, v) = h
        .post(
            "/billing-keys",
            &issue_body(("channelGroupId", GROUP_AB), CARD_OK),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["channelSpecificFailures"], json!([]));
    assert_eq!(v["billingKeyInfo"]["channels"].as_array().unwrap().len(), 2);
    let key = v["billingKeyInfo"]["billingKey"]
        .as_str()
        .unwrap()
        .to_string();
    for forced in ["fake-a", "fake-b"] {
        let pid = uid("bkx");
        let (s, v) = h
            .post(
                &format!("/payments/{pid}/billing-key"),
                &json!({"billingKey": key, "channelKey": forced, "orderName": "sub", "amount": {"total": 500}, "currency": "KRW"}),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{v}");
        let (_, p) = h.get(&format!("/payments/{pid}")).await;
        assert_eq!(p["channel"]["key"], forced);
        assert_eq!(p["channelGroup"]["id"], GROUP_AB);
    }
    // A cash receipt the PG cannot take is refused before anything is sent, never dropped.
    let pid = uid("bkcr");
    let (s, v) = h
        .post(
            &format!("/payments/{pid}/billing-key"),
            &json!({"billingKey": key, "orderName": "sub", "amount": {"total": 500}, "currency": "KRW",
                    "cashReceipt": {"type": "PERSONAL", "customerIdentityNumber": "01012345678"}}),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
    assert_eq!(type_of(&v), "INVALID_REQUEST");
    assert!(
        v["message"].as_str().unwrap().contains("cashReceipt"),
        "{v}"
    );
    assert!(!v.to_string().contains("01012345678"), "{v}");
    let (s, _) = h.get(&format!("/payments/{pid}")).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    // A single-channel key; the PG's refusal is PG_PROVIDER.
    let (s, v) = h
        .post(
            "/billing-keys",
            &issue_body(("channelKey", "fake-b"), CARD_OK),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["billingKeyInfo"]["channels"][0]["key"], "fake-b");
    let (s, v) = h
        .post(
            "/billing-keys",
            &issue_body(("channelKey", "fake-bad"), CARD_OK),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_GATEWAY, "{v}");
    assert_eq!(type_of(&v), "PG_PROVIDER");
    assert_eq!(v["pgCode"], "C001");
    let (s, v) = h
        .post(
            "/billing-keys",
            &issue_body(("channelKey", "nope"), CARD_OK),
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert_eq!(type_of(&v), "CHANNEL_NOT_FOUND");
    let (s, v) = h.get("/billing-keys/billing-key-nope").await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert_eq!(type_of(&v), "BILLING_KEY_NOT_FOUND");
    let (s, v) = h
        .post(
            "/payments/nokey/billing-key",
            &json!({"billingKey": "billing-key-nope", "orderName": "x", "amount": {"total": 1}, "currency": "KRW"}),
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert_eq!(type_of(&v), "BILLING_KEY_NOT_FOUND");
}

async fn issue_key(h: &Harness, channel: &str) -> String {
    let (s, v) = h
        .post(
            "/billing-keys",
            &issue_body(("channelKey", channel), CARD_OK),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    v["billingKeyInfo"]["billingKey"]
        .as_str()
        .unwrap()
        .to_string()
}

fn schedule_body(key: &str, when: chrono::DateTime<chrono::Utc>) -> Value {
    json!({
        "payment": {"billingKey": key, "orderName": "monthly", "amount": {"total": 9900}, "currency": "KRW",
                    "customer": {"id": "cust-1"}},
        "timeToPay": when.to_rfc3339(),
    })
}

pub async fn schedule_runs_once_and_revoke(h: Arc<Harness>) {
    let key = issue_key(&h, "fake-a").await;
    let now = chrono::Utc::now();
    // Parts above the whole: refused when scheduled (409), not when the schedule runs.
    let mut b = schedule_body(&key, now);
    b["payment"]["amount"]["taxFree"] = json!(10_000);
    let (s, v) = h
        .post(&format!("/payments/{}/schedule", uid("sch")), &b)
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "{v}");
    assert_eq!(type_of(&v), "SUM_OF_PARTS_EXCEEDS_TOTAL_AMOUNT");
    // And with a billing key now.
    let (s, v) = h
        .post(
            &format!("/payments/{}/billing-key", uid("bk")),
            &json!({"billingKey": key, "orderName": "x", "amount": {"total": 100, "vat": 101}, "currency": "KRW"}),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "{v}");
    assert_eq!(type_of(&v), "SUM_OF_PARTS_EXCEEDS_TOTAL_AMOUNT");
    let pid = uid("sch");
    let (s, v) = h
        .post(
            &format!("/payments/{pid}/schedule"),
            &schedule_body(&key, now - chrono::Duration::seconds(1)),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let sid = v["schedule"]["id"].as_str().unwrap().to_string();
    let (s, v) = h
        .post(
            &format!("/payments/{pid}/schedule"),
            &schedule_body(&key, now),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert_eq!(type_of(&v), "PAYMENT_SCHEDULE_ALREADY_EXISTS");
    // The paymentId is held by the schedule.
    let (s, v) = h
        .post(
            &format!("/payments/{pid}/billing-key"),
            &json!({"billingKey": key, "orderName": "x", "amount": {"total": 1}, "currency": "KRW"}),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert_eq!(type_of(&v), "PAYMENT_SCHEDULE_ALREADY_EXISTS");
    // An instant payment under it too, and nothing is written or sent.
    let (s, v) = h
        .post(
            &format!("/payments/{pid}/instant"),
            &instant_body(("channelKey", "fake-a"), CARD_OK, 1000),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "{v}");
    assert_eq!(type_of(&v), "PAYMENT_SCHEDULE_ALREADY_EXISTS");
    assert!(h.sim.entries(&pid).is_empty());
    let (s, _) = h.get(&format!("/payments/{pid}")).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (_, sc) = h.get(&format!("/payment-schedules/{sid}")).await;
    assert_eq!(sc["status"], "SCHEDULED");
    assert_eq!(sc["totalAmount"], 9900);
    assert_eq!(sc["billingKey"], key.as_str());
    // Two workers at once: the schedule runs exactly once.
    let (a, b) = tokio::join!(h.gw.run_schedules_once(), h.gw.run_schedules_once());
    assert_eq!(a.unwrap() + b.unwrap(), 1);
    assert_eq!(h.gw.run_schedules_once().await.unwrap(), 0);
    let (_, sc) = h.get(&format!("/payment-schedules/{sid}")).await;
    assert_eq!(sc["status"], "SUCCEEDED", "{sc}");
    assert!(sc["startedAt"].is_string() && sc["completedAt"].is_string());
    let (_, p) = h.get(&format!("/payments/{pid}")).await;
    assert_eq!(p["status"], "PAID");
    assert_eq!(p["scheduleId"], sid.as_str());
    assert_eq!(h.sim.count("billing_pay", &pid), 1);
    // A paid paymentId cannot be scheduled.
    let (s, v) = h
        .post(
            &format!("/payments/{pid}/schedule"),
            &schedule_body(&key, now),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert_eq!(type_of(&v), "ALREADY_PAID_OR_WAITING");

    // Revoke by ids, then by billing key; all or nothing.
    let later = now + chrono::Duration::days(30);
    let mut ids = Vec::new();
    for _ in 0..3 {
        let (s, v) = h
            .post(
                &format!("/payments/{}/schedule", uid("later")),
                &schedule_body(&key, later),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{v}");
        ids.push(v["schedule"]["id"].as_str().unwrap().to_string());
    }
    let (s, v) = h
        .delete(
            "/payment-schedules",
            Some(&json!({"scheduleIds": [ids[0], "no-such-schedule"]})),
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND, "{v}");
    assert_eq!(type_of(&v), "PAYMENT_SCHEDULE_NOT_FOUND");
    let (_, sc) = h.get(&format!("/payment-schedules/{}", ids[0])).await;
    assert_eq!(sc["status"], "SCHEDULED");
    let (s, v) = h
        .delete(
            "/payment-schedules",
            Some(&json!({"scheduleIds": [ids[0], sid]})),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "{v}");
    assert_eq!(type_of(&v), "PAYMENT_SCHEDULE_ALREADY_PROCESSED");
    // PortOne's SDKs send the body of this DELETE as `?requestBody=<json>`.
    let q = format!(
        "/payment-schedules?requestBody={}",
        urlencode(&json!({"scheduleIds": [ids[0]]}).to_string())
    );
    let (s, v) = h.delete(&q, None).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["revokedScheduleIds"], json!([ids[0]]));
    assert!(v["revokedAt"].is_string());
    let (_, sc) = h.get(&format!("/payment-schedules/{}", ids[0])).await;
    assert_eq!(sc["status"], "REVOKED");
    assert!(sc["revokedAt"].is_string());
    let (s, v) = h
        .delete(
            "/payment-schedules",
            Some(&json!({"scheduleIds": [ids[0]]})),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert_eq!(type_of(&v), "PAYMENT_SCHEDULE_ALREADY_REVOKED");
    // A key with schedules cannot be deleted.
    let (s, v) = h.delete(&format!("/billing-keys/{key}"), None).await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert_eq!(type_of(&v), "PAYMENT_SCHEDULE_ALREADY_EXISTS");
    let (s, v) = h
        .delete("/payment-schedules", Some(&json!({"billingKey": key})))
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let mut revoked: Vec<String> = serde_json::from_value(v["revokedScheduleIds"].clone()).unwrap();
    revoked.sort();
    let mut expected = ids[1..].to_vec();
    expected.sort();
    assert_eq!(revoked, expected);
    assert_eq!(h.gw.run_schedules_once().await.unwrap(), 0);
    let (s, _) = h.delete(&format!("/billing-keys/{key}"), None).await;
    assert_eq!(s, StatusCode::OK);
    let (s, v) = h.delete("/payment-schedules", Some(&json!({}))).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(v["message"].as_str().unwrap().contains("scheduleIds"));
}

fn verify(secret: &str, r: &Received) -> bool {
    let key = base64::engine::general_purpose::STANDARD
        .decode(secret.trim_start_matches("whsec_"))
        .unwrap();
    let id = r.headers["webhook-id"].to_str().unwrap();
    let ts = r.headers["webhook-timestamp"].to_str().unwrap();
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).unwrap();
    mac.update(format!("{id}.{ts}.{}", r.body).as_bytes());
    let expected = format!(
        "v1,{}",
        base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
    );
    r.headers["webhook-signature"]
        .to_str()
        .unwrap()
        .split(' ')
        .any(|s| s == expected)
}

pub async fn webhooks_are_signed_and_retried(h: Arc<Harness>) {
    let id = uid("wh");
    *h.hooks.fail_first.lock().unwrap() = 1;
    let (s, _) = h
        .post(
            &format!("/payments/{id}/instant"),
            &instant_body(("channelKey", "fake-a"), CARD_OK, 3000),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    // First delivery gets a 500, the retry (backoff 0 in tests) succeeds.
    assert_eq!(h.gw.deliver_webhooks_once().await.unwrap(), 1);
    assert!(h.hooks.events().is_empty());
    assert_eq!(h.gw.deliver_webhooks_once().await.unwrap(), 1);
    assert_eq!(h.gw.deliver_webhooks_once().await.unwrap(), 0);
    let got = h.hooks.got.lock().unwrap().clone();
    assert_eq!(got.len(), 1);
    let r = &got[0];
    assert!(verify(WEBHOOK_SECRET, r), "bad signature");
    assert!(!verify("whsec_cHpRR0U4M2NTSVJLTTQvV0g1UVkrZz09", r));
    assert!(r.headers["webhook-id"]
        .to_str()
        .unwrap()
        .starts_with("whmsg_"));
    let ts: i64 = r.headers["webhook-timestamp"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((chrono::Utc::now().timestamp() - ts).abs() < 60);
    let ev: Value = serde_json::from_str(&r.body).unwrap();
    assert_eq!(ev["type"], "Transaction.Paid");
    assert!(ev["timestamp"].is_string());
    assert_eq!(ev["data"]["paymentId"], id.as_str());
    assert_eq!(ev["data"]["storeId"], "store-test");
    let (_, p) = h.get(&format!("/payments/{id}")).await;
    assert_eq!(ev["data"]["transactionId"], p["transactionId"]);
    // Cancel: Transaction.Cancelled with the cancellation id.
    let (_, c) = h
        .post(&format!("/payments/{id}/cancel"), &json!({"reason": "x"}))
        .await;
    h.gw.deliver_webhooks_once().await.unwrap();
    let ev = h.hooks.events();
    assert_eq!(ev[1]["type"], "Transaction.Cancelled");
    assert_eq!(ev[1]["data"]["cancellationId"], c["cancellation"]["id"]);
    // skipWebhook: nothing.
    let mut body = instant_body(("channelKey", "fake-a"), CARD_OK, 3000);
    body["skipWebhook"] = json!(true);
    let (s, _) = h
        .post(&format!("/payments/{}/instant", uid("skip")), &body)
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(h.gw.deliver_webhooks_once().await.unwrap(), 0);
    // noticeUrls override the configured URL.
    let mut body = instant_body(("channelKey", "fake-a"), CARD_OK, 3000);
    body["noticeUrls"] = json!([format!("{}?via=notice", h.hooks.url)]);
    let (s, _) = h
        .post(&format!("/payments/{}/instant", uid("nu")), &body)
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(h.gw.deliver_webhooks_once().await.unwrap(), 1);
    // Billing keys: Issued and Deleted.
    let key = issue_key(&h, "fake-b").await;
    h.gw.deliver_webhooks_once().await.unwrap();
    let (s, _) = h.delete(&format!("/billing-keys/{key}"), None).await;
    assert_eq!(s, StatusCode::OK);
    h.gw.deliver_webhooks_once().await.unwrap();
    let ev = h.hooks.events();
    let types: Vec<&str> = ev.iter().map(|e| e["type"].as_str().unwrap()).collect();
    assert_eq!(
        types,
        [
            "Transaction.Paid",
            "Transaction.Cancelled",
            "Transaction.Paid",
            "BillingKey.Issued",
            "BillingKey.Deleted"
        ]
    );
    assert_eq!(ev[4]["data"]["billingKey"], key.as_str());
    assert!(h
        .hooks
        .got
        .lock()
        .unwrap()
        .iter()
        .all(|r| verify(WEBHOOK_SECRET, r)));
    // A declined payment: Transaction.Failed.
    let (s, _) = h
        .post(
            &format!("/payments/{}/instant", uid("whf")),
            &instant_body(("channelKey", "fake-a"), CARD_DECLINED, 3000),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_GATEWAY);
    h.gw.deliver_webhooks_once().await.unwrap();
    assert_eq!(
        h.hooks.events().last().unwrap()["type"],
        "Transaction.Failed"
    );
}

pub async fn invalid_input_is_400_never_500(h: Arc<Harness>) {
    let path = format!("/payments/{}/instant", uid("bad"));
    let raw = |body: &'static str| {
        let h = h.clone();
        let path = path.clone();
        async move {
            let r = h
                .http
                .post(h.url(&path))
                .header("authorization", format!("PortOne {API_SECRET}"))
                .header("content-type", "application/json")
                .body(body)
                .send()
                .await
                .unwrap();
            let s = r.status().as_u16();
            let v: Value = r.json().await.unwrap();
            (s, v)
        }
    };
    for body in ["", "{", "[]", "null", "{\"orderName\": 5}", "not json"] {
        let (s, v) = raw(body).await;
        assert_eq!(s, 400, "{body}: {v}");
        assert_eq!(type_of(&v), "INVALID_REQUEST");
    }
    let cases: Vec<(Value, &str)> = vec![
        (
            {
                let mut b = instant_body(("channelKey", "fake-a"), CARD_OK, 1000);
                b["amount"]["total"] = json!(-1000);
                b
            },
            "amount.total",
        ),
        (
            {
                let mut b = instant_body(("channelKey", "fake-a"), CARD_OK, 1000);
                b["amount"]["total"] = json!("1000");
                b
            },
            "amount.total",
        ),
        (
            {
                let mut b = instant_body(("channelKey", "fake-a"), CARD_OK, 1000);
                b["amount"]["total"] = json!(10.5);
                b
            },
            "amount.total",
        ),
        (
            {
                let mut b = instant_body(("channelKey", "fake-a"), CARD_OK, 1000);
                b["method"]["card"]["credential"]["number"] = json!(4111111111111111u64);
                b
            },
            "method.card.credential.number",
        ),
        (
            {
                let mut b = instant_body(("channelKey", "fake-a"), CARD_OK, 1000);
                b["method"]["card"]["credential"]["expiryMonth"] = json!("13");
                b
            },
            "method.card.credential.expiryMonth",
        ),
        (
            {
                let mut b = instant_body(("channelKey", "fake-a"), CARD_OK, 1000);
                b["channelGroupId"] = json!(GROUP_AB);
                b
            },
            "channelGroupId",
        ),
        (
            {
                let mut b = instant_body(("channelKey", "fake-a"), CARD_OK, 1000);
                b.as_object_mut().unwrap().remove("orderName");
                b
            },
            "orderName",
        ),
        (
            {
                let mut b = instant_body(("channelKey", "fake-a"), CARD_OK, 1000);
                b["amount"]["taxFree"] = json!(2000);
                b
            },
            "amount.taxFree",
        ),
    ];
    // Parts above the whole: PortOne's own 409 (not 400), naming the field.
    for (part, value) in [("taxFree", 2000), ("vat", 1001)] {
        let mut b = instant_body(("channelKey", "fake-a"), CARD_OK, 1000);
        b["amount"][part] = json!(value);
        let (s, v) = h.post(&path, &b).await;
        assert_eq!(s, StatusCode::CONFLICT, "{part}: {v}");
        assert_eq!(type_of(&v), "SUM_OF_PARTS_EXCEEDS_TOTAL_AMOUNT", "{v}");
        assert!(v["message"]
            .as_str()
            .unwrap()
            .contains(&format!("amount.{part}")));
    }
    let cases: Vec<_> = cases
        .into_iter()
        .filter(|(_, field)| *field != "amount.taxFree")
        .collect();
    for (body, field) in cases {
        let (s, v) = h.post(&path, &body).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{field}: {v}");
        assert_eq!(type_of(&v), "INVALID_REQUEST");
        let m = v["message"].as_str().unwrap();
        assert!(m.contains(field), "{field}: {m}");
        assert!(!m.contains(CARD_OK), "{m}");
    }
    // Other endpoints.
    for (path, body) in [
        ("/payments/x/cancel", json!({"amount": -1, "reason": "x"})),
        ("/payments/x/cancel", json!({"amount": 1})),
        (
            "/billing-keys",
            json!({"channelKey": "fake-a", "method": {}}),
        ),
        ("/payments/x/billing-key", json!({"billingKey": 1})),
        ("/payments/x/schedule", json!({"payment": {}})),
    ] {
        let (s, v) = h.post(path, &body).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{path}: {v}");
        assert_eq!(type_of(&v), "INVALID_REQUEST");
    }
    let (s, v) = h.put_group_raw("channel-group-test-x", "{oops").await;
    assert_eq!(s, 400, "{v}");
    // Too large: 413 with a PortOne error body.
    let mut big = instant_body(("channelKey", "fake-a"), CARD_OK, 1000);
    big["customData"] = json!("x".repeat(100 * 1024));
    let (s, v) = h.post(&path, &big).await;
    assert_eq!(s, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(type_of(&v), "INVALID_REQUEST");
    // Unknown channel.
    let (s, v) = h
        .post(&path, &instant_body(("channelKey", "nope"), CARD_OK, 1000))
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert_eq!(type_of(&v), "CHANNEL_NOT_FOUND");
    // Unknown route and method: PortOne's error shape with a type PortOne defines, not 500.
    let (s, v) = h.get("/no/such/route?requestBody=secret").await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert_eq!(type_of(&v), "INVALID_REQUEST");
    let m = v["message"].as_str().unwrap();
    assert!(
        m.contains("GET /no/such/route") && !m.contains("secret"),
        "{m}"
    );
    let (s, v) = h.send(reqwest::Method::PATCH, "/payments/x", None).await;
    assert_eq!(s, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(type_of(&v), "INVALID_REQUEST");
    assert!(v["message"].as_str().unwrap().contains("PATCH"), "{v}");
    // Nothing reached the PG.
    assert!(h.sim.calls().is_empty(), "{:?}", h.sim.calls());
}

impl Harness {
    async fn put_group_raw(&self, id: &str, body: &'static str) -> (u16, Value) {
        let r = self
            .http
            .put(self.url(&format!("/channel-groups/{id}")))
            .header("authorization", format!("PortOne {API_SECRET}"))
            .body(body)
            .send()
            .await
            .unwrap();
        let s = r.status().as_u16();
        (s, r.json().await.unwrap())
    }
}

pub async fn admin_channels_and_groups(h: Arc<Harness>) {
    let (s, v) = h.get("/channels").await;
    assert_eq!(s, StatusCode::OK);
    let items = v["items"].as_array().unwrap();
    assert_eq!(items.len(), 3);
    assert_eq!(items[0]["key"], "fake-a");
    assert_eq!(items[0]["adapter"], "fake");
    assert_eq!(items[0]["type"], "TEST");
    assert_eq!(items[0]["pgProvider"], "FAKE_PG");
    let (s, v) = h.get("/channel-groups").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["items"].as_array().unwrap().len(), 3);
    let (s, v) = h.get(&format!("/channel-groups/{GROUP_AB}")).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["name"], "a/b");
    assert_eq!(v["isForTest"], true);
    assert_eq!(
        v["channels"][0],
        json!({"channelKey": "fake-a", "weight": 50, "enabled": true})
    );

    let id = "channel-group-test-0d0d0d0d-0000-4000-8000-000000000004";
    let (s, v) = h
        .send(
            reqwest::Method::PUT,
            &format!("/channel-groups/{id}"),
            Some(&json!({"name": "only b", "isForTest": true, "channels": [{"channelKey": "fake-b", "weight": 100}]})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["id"], id);
    // Route through it.
    let pid = uid("adm");
    let (s, _) = h
        .post(
            &format!("/payments/{pid}/instant"),
            &instant_body(("channelGroupId", id), CARD_OK, 100),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let (_, p) = h.get(&format!("/payments/{pid}")).await;
    assert_eq!(p["channel"]["key"], "fake-b");
    // Invalid: weights, unknown channel; each named.
    let (s, v) = h
        .send(
            reqwest::Method::PUT,
            &format!("/channel-groups/{id}"),
            Some(&json!({"name": "bad", "isForTest": true, "channels": [
                {"channelKey": "fake-a", "weight": 60}, {"channelKey": "nope", "weight": 30}]})),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
    let m = v["message"].as_str().unwrap();
    assert!(
        m.contains("channels[1].channelKey") && m.contains("sum to exactly 100"),
        "{m}"
    );
    // A scheduled change shows as pending and does not apply yet.
    let at = (chrono::Utc::now() + chrono::Duration::hours(2))
        .format("%Y-%m-%dT%H:00:00Z")
        .to_string();
    let (s, v) = h
        .send(
            reqwest::Method::PUT,
            &format!("/channel-groups/{id}"),
            Some(
                &json!({"name": "later a", "isForTest": true, "effectiveAt": at,
                         "channels": [{"channelKey": "fake-a", "weight": 100}]}),
            ),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["name"], "only b");
    assert_eq!(v["scheduledChanges"][0]["name"], "later a");
    // Path and body ids must agree.
    let (s, _) = h
        .send(
            reqwest::Method::PUT,
            &format!("/channel-groups/{id}"),
            Some(&json!({"id": GROUP_AB, "name": "x", "isForTest": true, "channels": [{"channelKey": "fake-a", "weight": 100}]})),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let (s, _) = h.delete(&format!("/channel-groups/{id}"), None).await;
    assert_eq!(s, StatusCode::OK);
    let (s, v) = h.get(&format!("/channel-groups/{id}")).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert_eq!(type_of(&v), "CHANNEL_GROUP_NOT_FOUND");
    let (s, _) = h.delete(&format!("/channel-groups/{id}"), None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

pub async fn no_card_data_in_database_or_logs(h: Arc<Harness>) {
    let pid = uid("sec");
    let (s, _) = h
        .post(
            &format!("/payments/{pid}/instant"),
            &instant_body(("channelKey", "fake-a"), CARD_OK, 1000),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let (s, _) = h
        .post(
            &format!("/payments/{}/instant", uid("sec")),
            &instant_body(("channelKey", "fake-a"), CARD_DECLINED, 1000),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_GATEWAY);
    let (s, _) = h
        .post(
            "/billing-keys",
            &issue_body(("channelGroupId", GROUP_WITH_BAD), CARD_OK),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let mut bad_type = instant_body(("channelKey", "fake-a"), CARD_OK, 1000);
    bad_type["method"]["card"]["credential"]["number"] = json!(4111111111111111u64);
    let (s, _) = h
        .post(&format!("/payments/{}/instant", uid("sec")), &bad_type)
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    h.gw.deliver_webhooks_once().await.unwrap();

    let dump = h.dump().await;
    assert!(dump.contains(&pid), "the dump is empty?");
    for secret in [
        CARD_OK,
        CARD_DECLINED,
        "passwordTwoDigits",
        "birthOrBusiness",
        "\"880229\"",
        "birthYear",
        "birthMonth",
        "credential",
    ] {
        assert!(!dump.contains(secret), "database holds `{secret}`");
    }
    assert!(dump.contains("411111******1111"));
    let logs = logs();
    assert!(logs.contains("calling PG"), "no logs captured?");
    for secret in [
        CARD_OK,
        CARD_DECLINED,
        CARD_LATE,
        "880229",
        "passwordTwoDigits",
    ] {
        assert!(!logs.contains(secret), "logs hold `{secret}`");
    }
}

pub async fn two_instances_share_one_database(h: Arc<Harness>) {
    // A second gateway on the same database (and the same simulator).
    let mut opts_channels = Vec::new();
    for c in h.gw.state.channels.iter() {
        opts_channels.push(c.ctx.clone());
    }
    let second = paymux_gateway::start(paymux_gateway::GatewayOptions {
        listen: "127.0.0.1:0".into(),
        database: h.database_url.clone(),
        api_secret: API_SECRET.into(),
        webhook_secret: WEBHOOK_SECRET.into(),
        webhook_previous_secret: None,
        webhook_url: None,
        merchant_id: "merchant-test".into(),
        store_id: "store-test".into(),
        tuning: test_tuning(),
        channels: opts_channels,
        channel_groups: vec![],
        background_workers: false,
        public_url: None,
        browser_stores: Vec::new(),
        operator_secret: None,
    })
    .await
    .unwrap();
    let id = uid("multi");
    let mut tasks = Vec::new();
    for i in 0..10 {
        let base = if i % 2 == 0 {
            h.gw.base_url.clone()
        } else {
            second.base_url.clone()
        };
        let http = h.http.clone();
        let id = id.clone();
        tasks.push(tokio::spawn(async move {
            http.post(format!("{base}/payments/{id}/instant"))
                .header("authorization", format!("PortOne {API_SECRET}"))
                .json(&instant_body(("channelGroupId", GROUP_AB), CARD_OK, 1234))
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }));
    }
    let mut ok = 0;
    for t in tasks {
        match t.await.unwrap() {
            200 => ok += 1,
            409 => {}
            other => panic!("unexpected {other}"),
        }
    }
    assert_eq!(ok, 1);
    assert_eq!(h.sim.count("pay", &id), 1);
    // Schedules from both instances at once: each runs once.
    let key = issue_key(&h, "fake-a").await;
    let past = chrono::Utc::now() - chrono::Duration::seconds(1);
    let mut pids = Vec::new();
    for _ in 0..6 {
        let pid = uid("msch");
        let (s, v) = h
            .post(
                &format!("/payments/{pid}/schedule"),
                &schedule_body(&key, past),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{v}");
        pids.push(pid);
    }
    let (a, b) = tokio::join!(h.gw.run_schedules_once(), second.run_schedules_once());
    assert_eq!(a.unwrap() + b.unwrap(), 6);
    for pid in &pids {
        assert_eq!(h.sim.count("billing_pay", pid), 1);
    }
    // The group changed through one instance is what the other routes with.
    let gid = "channel-group-test-0e0e0e0e-0000-4000-8000-000000000005";
    let r = h
        .http
        .put(format!("{}/channel-groups/{gid}", second.base_url))
        .header("authorization", format!("PortOne {API_SECRET}"))
        .json(&json!({"name": "b", "isForTest": true, "channels": [{"channelKey": "fake-b", "weight": 100}]}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let pid = uid("mg");
    let (s, _) = h
        .post(
            &format!("/payments/{pid}/instant"),
            &instant_body(("channelGroupId", gid), CARD_OK, 100),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    second.shutdown().await;
}

pub async fn sandbox() {
    let sb = paymux_gateway::start_sandbox().await.unwrap();
    assert!(
        sb.channels.iter().any(|c| c.key == "fake-test"),
        "{:?}",
        sb.channels
    );
    let group = sb.group.clone().unwrap();
    let weights: u64 = group["channels"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["weight"].as_u64().unwrap())
        .sum();
    assert_eq!(weights, 100);
    let dir =
        std::env::temp_dir().join(format!("paymux-sandbox-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut opts =
        paymux_gateway::GatewayOptions::from_file(&paymux_gateway::FileConfig::empty()).unwrap();
    opts.listen = "127.0.0.1:0".into();
    opts.database = format!("sqlite://{}", dir.join("paymux-sandbox.sqlite").display());
    opts.channels = sb.channels.clone();
    opts.channel_groups = vec![group];
    opts.background_workers = true;
    assert!(opts.api_secret.len() >= 32);
    assert!(opts.webhook_secret.starts_with("whsec_"));
    let secret = opts.api_secret.clone();
    let gw = paymux_gateway::start(opts).await.unwrap();
    let r = reqwest::Client::new()
        .post(format!("{}/payments/sandbox-1/instant", gw.base_url))
        .header("authorization", format!("PortOne {secret}"))
        .json(&instant_body(
            ("channelGroupId", paymux_gateway::server::SANDBOX_GROUP_ID),
            CARD_OK,
            1000,
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200, "{}", r.text().await.unwrap());
    gw.shutdown().await;
    let _ = std::fs::remove_dir_all(dir);
}

pub async fn openapi_lists_every_route() {
    let doc: Value = serde_json::from_str(paymux_gateway::api::OPENAPI).unwrap();
    for (method, path) in paymux_gateway::api::ROUTES {
        assert!(
            doc["paths"][path][method].is_object(),
            "openapi.json lacks {method} {path}"
        );
    }
    // And nothing extra.
    let n: usize = doc["paths"]
        .as_object()
        .unwrap()
        .values()
        .map(|p| {
            p.as_object()
                .unwrap()
                .keys()
                .filter(|k| *k != "parameters")
                .count()
        })
        .sum();
    assert_eq!(n, paymux_gateway::api::ROUTES.len());
}

pub async fn python_sdk(h: Arc<Harness>) {
    let python = std::env::var("PAYMUX_PYTHON").unwrap_or_else(|_| "python3".into());
    let probe = std::process::Command::new(&python)
        .args(["-c", "import portone_server_sdk"])
        .output();
    if !matches!(&probe, Ok(o) if o.status.success()) {
        assert!(
            std::env::var_os("CI").is_none(),
            "`{python}` cannot import portone_server_sdk; CI must run the official SDK test \
             (scripts/setup.sh installs it)"
        );
        eprintln!(
            "\n!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n\
             !!! SKIPPED: `{python}` cannot import portone_server_sdk; the official PortOne\n\
             !!! Python SDK test did not run. `pip install portone-server-sdk` or set PAYMUX_PYTHON.\n\
             !!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n"
        );
        return;
    }
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/sdk/test_portone_sdk.py");
    let base = h.gw.base_url.clone();
    let out = tokio::task::spawn_blocking(move || {
        std::process::Command::new(python)
            .arg(script)
            .env("PAYMUX_BASE_URL", base)
            .env("PAYMUX_API_SECRET", API_SECRET)
            .env("PAYMUX_WEBHOOK_SECRET", WEBHOOK_SECRET)
            .env("PAYMUX_CHANNEL_KEY", "fake-a")
            .env("PAYMUX_GROUP_ID", GROUP_AB)
            .env("PAYMUX_CARD_OK", CARD_OK)
            .env("PAYMUX_CARD_DECLINED", CARD_DECLINED)
            .env(
                "PAYMUX_CASH_RECEIPT_CHANNEL_KEY",
                crate::cash_receipts::SDK_CHANNEL,
            )
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    println!("{stdout}");
    assert!(
        out.status.success(),
        "PortOne SDK script failed:\n{stdout}\n{stderr}"
    );
    assert!(stdout.contains(" passed, 0 failed"), "{stdout}");
}

/// A read timeout well under the fake's late answer and its 30 s recommendation.
pub const SHORT_READ: std::time::Duration = std::time::Duration::from_millis(400);

pub async fn late_answer_is_unknown_within_the_configured_read_timeout(h: Arc<Harness>) {
    let id = uid("shortread");
    let body = instant_body(("channelKey", "fake-a"), CARD_LATE, 4000);
    let started = std::time::Instant::now();
    let (s, v) = h.post(&format!("/payments/{id}/instant"), &body).await;
    let took = started.elapsed();
    assert_eq!(s, StatusCode::GATEWAY_TIMEOUT, "{v}");
    assert_eq!(type_of(&v), "PAYMENT_OUTCOME_UNKNOWN");
    // Waited the configured 400 ms, not the adapter's 30 s nor the 2.5 s the answer takes.
    assert!(took >= SHORT_READ, "{took:?}");
    assert!(took < SHORT_READ * 3, "{took:?}");
    let (_, p) = h.get(&format!("/payments/{id}")).await;
    assert_eq!(p["status"], "PAY_PENDING", "{p}");
}

pub async fn late_answer_is_waited_for_with_the_adapters_read_timeout(h: Arc<Harness>) {
    let id = uid("recread");
    let body = instant_body(("channelKey", "fake-a"), CARD_LATE, 4000);
    let started = std::time::Instant::now();
    let (s, v) = h.post(&format!("/payments/{id}/instant"), &body).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert!(started.elapsed() >= crate::fake::LATE_ANSWER);
    let (_, p) = h.get(&format!("/payments/{id}")).await;
    assert_eq!(p["status"], "PAID", "{p}");
}

/// `GET /payments` with `requestBody` in the query (as PortOne's SDKs send it).
async fn list(h: &Harness, path: &str, body: &Value) -> (StatusCode, Value) {
    h.get(&format!(
        "{path}?requestBody={}",
        urlencode(&body.to_string())
    ))
    .await
}

fn ids(v: &Value) -> Vec<String> {
    v["items"]
        .as_array()
        .unwrap_or(&vec![])
        .iter()
        .map(|p| {
            p.get("payment").unwrap_or(p)["id"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect()
}

/// Lists and search: `GET /payments` (every filter paymux keeps data for, sort, page,
/// `totalCount`; the body in `requestBody` or as JSON) and `GET /payments-by-cursor`, with
/// hostile filters, pages, cursors and `requestBody`s answered 400 naming the field.
pub async fn payment_lists(h: Arc<Harness>) {
    let t0 = chrono::Utc::now();
    // p1: paid, with an email and phone; p2: declined; p3: paid, then partly cancelled.
    let p1 = uid("lst1");
    let mut b = instant_body(("channelKey", "fake-a"), CARD_OK, 10_000);
    b["orderName"] = json!("blue shirt 50%_off");
    b["customer"]["email"] = json!("kim@example.com");
    b["customer"]["phoneNumber"] = json!("01012345678");
    let (s, v) = h.post(&format!("/payments/{p1}/instant"), &b).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let p1_tx = v["payment"]["pgTxId"].as_str().unwrap().to_string();
    let p2 = uid("lst2");
    let (s, _) = h
        .post(
            &format!("/payments/{p2}/instant"),
            &instant_body(("channelKey", "fake-b"), CARD_DECLINED, 2000),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_GATEWAY);
    let p3 = uid("lst3");
    let (s, _) = h
        .post(
            &format!("/payments/{p3}/instant"),
            &instant_body(("channelKey", "fake-a"), CARD_OK, 3000),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let (s, _) = h
        .post(
            &format!("/payments/{p3}/cancel"),
            &json!({"reason": "part", "amount": 1000}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let t1 = chrono::Utc::now();

    // Everything, newest first by default, the page and total as PortOne writes them.
    let (s, v) = list(&h, "/payments", &json!({})).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(ids(&v), [p3.clone(), p2.clone(), p1.clone()]);
    assert_eq!(v["page"], json!({"number": 0, "size": 10, "totalCount": 3}));
    // Each item is the full Payment, its cancellations included.
    assert_eq!(v["items"][0]["status"], "PARTIAL_CANCELLED");
    assert_eq!(v["items"][0]["cancellations"][0]["totalAmount"], 1000);
    assert_eq!(v["items"][2]["customer"]["email"], "kim@example.com");
    // No body at all, and the body as JSON: the same answer.
    let (s, v0) = h.get("/payments").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(ids(&v0), ids(&v));
    let (s, vj) = h
        .send(
            reqwest::Method::GET,
            "/payments",
            Some(&json!({"filter": {"status": ["FAILED"]}})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{vj}");
    assert_eq!(ids(&vj), [p2.as_str()]);

    let case = |filter: Value, want: Vec<&String>| {
        let h = h.clone();
        let want: Vec<String> = want.into_iter().cloned().collect();
        async move {
            let (s, v) = list(&h, "/payments", &json!({"filter": filter})).await;
            assert_eq!(s, StatusCode::OK, "{filter}: {v}");
            assert_eq!(ids(&v), want, "{filter}");
            assert_eq!(v["page"]["totalCount"], want.len(), "{filter}");
        }
    };
    case(json!({"status": ["PAID"]}), vec![&p1]).await;
    case(
        json!({"status": ["PAID", "PARTIAL_CANCELLED"]}),
        vec![&p3, &p1],
    )
    .await;
    case(
        json!({"status": ["PENDING", "VIRTUAL_ACCOUNT_ISSUED"]}),
        vec![],
    )
    .await;
    case(json!({"sortOrder": "ASC"}), vec![&p1, &p2, &p3]).await;
    case(
        json!({"sortBy": "STATUS_CHANGED_AT", "sortOrder": "ASC"}),
        vec![&p1, &p2, &p3],
    )
    .await;
    case(json!({"methods": ["CARD"]}), vec![&p3, &p2, &p1]).await;
    case(json!({"methods": ["VIRTUAL_ACCOUNT", "TRANSFER"]}), vec![]).await;
    case(json!({"pgProvider": ["FAKE_PG"]}), vec![&p3, &p2, &p1]).await;
    case(json!({"pgProvider": ["KSNET"]}), vec![]).await;
    case(json!({"isTest": true}), vec![&p3, &p2, &p1]).await;
    case(json!({"isTest": false}), vec![]).await;
    case(json!({"isScheduled": true}), vec![]).await;
    case(json!({"isScheduled": false}), vec![&p3, &p2, &p1]).await;
    case(json!({"currency": "KRW"}), vec![&p3, &p2, &p1]).await;
    case(json!({"currency": "USD"}), vec![]).await;
    case(json!({"storeId": "store-test"}), vec![&p3, &p2, &p1]).await;
    case(json!({"storeId": "other"}), vec![]).await;
    case(json!({"merchantId": "someone-else"}), vec![]).await;
    case(json!({"version": "V1"}), vec![]).await;
    case(json!({"version": "V2"}), vec![&p3, &p2, &p1]).await;
    let (from, until) = (t0.to_rfc3339(), t1.to_rfc3339());
    case(json!({"from": from, "until": until}), vec![&p3, &p2, &p1]).await;
    case(json!({"until": from}), vec![]).await;
    case(json!({"from": until}), vec![]).await;
    case(
        json!({"timestampType": "STATUS_CHANGED_AT", "from": from, "until": until}),
        vec![&p3, &p2, &p1],
    )
    .await;
    // Text search: each field, ALL, and values that look like SQL or LIKE patterns.
    let ts = |field: &str, value: &str| json!({"textSearch": [{"field": field, "value": value}]});
    case(ts("PAYMENT_ID", &p2), vec![&p2]).await;
    case(ts("PG_TX_ID", &p1_tx), vec![&p1]).await;
    case(ts("ORDER_NAME", "shirt"), vec![&p1]).await;
    case(ts("ORDER_NAME", "50%_off"), vec![&p1]).await;
    // Wildcards are literal: only the order name that holds them matches.
    case(ts("ORDER_NAME", "%"), vec![&p1]).await;
    case(ts("ORDER_NAME", "_"), vec![&p1]).await;
    case(ts("ORDER_NAME", "t%o"), vec![]).await;
    case(ts("CUSTOMER_NAME", "길동"), vec![&p3, &p2, &p1]).await;
    case(ts("CUSTOMER_EMAIL", "kim@example.com"), vec![&p1]).await;
    case(ts("CUSTOMER_PHONE_NUMBER", "01012345678"), vec![&p1]).await;
    case(ts("CARD_NUMBER", "1111"), vec![&p3, &p1]).await;
    case(ts("CARD_NUMBER", "0002"), vec![&p2]).await;
    case(ts("ALL", &p3), vec![&p3]).await;
    case(ts("ALL", "kim@example.com"), vec![&p1]).await;
    case(ts("PAYMENT_ID", "' OR 1=1 --"), vec![]).await;
    case(
        json!({"status": ["PAID", "FAILED"], "textSearch": [
            {"field": "CARD_NUMBER", "value": "1111"}, {"field": "ORDER_NAME", "value": "blue"}]}),
        vec![&p1],
    )
    .await;

    // Pages: the second page of two, the total still counts all.
    let (s, v) = list(&h, "/payments", &json!({"page": {"number": 1, "size": 2}})).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(ids(&v), [p1.as_str()]);
    assert_eq!(v["page"], json!({"number": 1, "size": 2, "totalCount": 3}));
    let (_, v) = list(&h, "/payments", &json!({"page": {"number": 7, "size": 2}})).await;
    assert_eq!(ids(&v), Vec::<String>::new());
    assert_eq!(v["page"]["totalCount"], 3);

    // The cursor: oldest first, each item's cursor continues after it.
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    for _ in 0..4 {
        let mut body = json!({"size": 2, "from": from, "until": until});
        if let Some(c) = &cursor {
            body["cursor"] = json!(c);
        }
        let (s, v) = list(&h, "/payments-by-cursor", &body).await;
        assert_eq!(s, StatusCode::OK, "{v}");
        let page = ids(&v);
        if page.is_empty() {
            break;
        }
        cursor = v["items"].as_array().unwrap().last().unwrap()["cursor"]
            .as_str()
            .map(str::to_string);
        seen.extend(page);
    }
    assert_eq!(seen, [p1.clone(), p2.clone(), p3.clone()]);
    let (s, v) = list(&h, "/payments-by-cursor", &json!({"storeId": "other"})).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v, json!({"items": []}));

    // Hostile input: 400 INVALID_REQUEST naming the field, never a 500, never the value.
    let bad = |path: &'static str, body: Value, names: &'static str| {
        let h = h.clone();
        async move {
            let (s, v) = list(&h, path, &body).await;
            assert_eq!(s, StatusCode::BAD_REQUEST, "{body}: {v}");
            assert_eq!(type_of(&v), "INVALID_REQUEST", "{body}");
            let msg = v["message"].as_str().unwrap();
            assert!(msg.contains(names), "{body}: {msg}");
        }
    };
    bad(
        "/payments",
        json!({"filter": {"status": ["NOPE"]}}),
        "filter.status",
    )
    .await;
    bad(
        "/payments",
        json!({"filter": {"methods": "CARD"}}),
        "filter.methods",
    )
    .await;
    bad(
        "/payments",
        json!({"filter": {"sortOrder": "SIDEWAYS"}}),
        "filter.sortOrder",
    )
    .await;
    bad(
        "/payments",
        json!({"filter": {"timestampType": "REQUESTED_AT"}}),
        "filter.timestampType",
    )
    .await;
    bad(
        "/payments",
        json!({"filter": {"from": "yesterday"}}),
        "filter.from",
    )
    .await;
    bad(
        "/payments",
        json!({"filter": {"from": until, "until": from}}),
        "filter.until",
    )
    .await;
    bad(
        "/payments",
        json!({"filter": {"currency": "won"}}),
        "filter.currency",
    )
    .await;
    bad(
        "/payments",
        json!({"filter": {"cardBrand": "VISA"}}),
        "filter.cardBrand",
    )
    .await;
    bad(
        "/payments",
        json!({"filter": {"escrowStatus": "SHIPPED"}}),
        "filter.escrowStatus",
    )
    .await;
    bad(
        "/payments",
        json!({"filter": {"cashReceiptType": "NO_RECEIPT"}}),
        "filter.cashReceiptType",
    )
    .await;
    bad("/payments", json!({"filter": {"colour": "red"}}), "colour").await;
    bad(
        "/payments",
        json!({"filter": {"textSearch": [{"field": "FAIL_REASON", "value": "x"}]}}),
        "filter.textSearch[0].field",
    )
    .await;
    bad(
        "/payments",
        json!({"filter": {"textSearch": [{"field": "NOPE", "value": "x"}]}}),
        "filter.textSearch[0].field",
    )
    .await;
    bad(
        "/payments",
        json!({"filter": {"textSearch": [{"field": "CARD_NUMBER", "value": "41111111"}]}}),
        "filter.textSearch[0].value",
    )
    .await;
    bad(
        "/payments",
        json!({"filter": {"textSearch": [{"field": "ALL", "value": "x".repeat(5000)}]}}),
        "filter.textSearch[0].value",
    )
    .await;
    bad(
        "/payments",
        json!({"page": {"size": 1_000_000}}),
        "page.size",
    )
    .await;
    bad("/payments", json!({"page": {"size": 0}}), "page.size").await;
    bad("/payments", json!({"page": {"number": -1}}), "page.number").await;
    bad(
        "/payments",
        json!({"page": {"number": i64::MAX, "size": 1000}}),
        "page.number",
    )
    .await;
    bad(
        "/payments",
        json!({"page": {"number": 1e40}}),
        "page.number",
    )
    .await;
    bad("/payments", json!([1, 2]), "").await;
    bad(
        "/payments-by-cursor",
        json!({"cursor": "garbage!"}),
        "cursor",
    )
    .await;
    bad(
        "/payments-by-cursor",
        json!({"cursor": base64::engine::general_purpose::URL_SAFE_NO_PAD.encode("x.y")}),
        "cursor",
    )
    .await;
    bad("/payments-by-cursor", json!({"size": 5000}), "size").await;
    bad("/payments-by-cursor", json!({"until": "soon"}), "until").await;
    for garbage in ["{{{", "", "null", "%FF%FE", "\"str\""] {
        let (s, v) = h.get(&format!("/payments?requestBody={garbage}")).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{garbage}: {v}");
        assert_eq!(type_of(&v), "INVALID_REQUEST", "{garbage}");
    }
    // Both a body and requestBody: ambiguous, refused.
    let (s, v) = h
        .send(
            reqwest::Method::GET,
            &format!("/payments?requestBody={}", urlencode("{}")),
            Some(&json!({})),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
    assert!(v["message"].as_str().unwrap().contains("requestBody"));
    // The value never comes back in an error.
    let (_, v) = list(
        &h,
        "/payments",
        &json!({"filter": {"status": ["4111111111111111"]}}),
    )
    .await;
    assert!(!v.to_string().contains("4111111111111111"), "{v}");
}

/// `GET /payments/{id}/transactions`: every attempt — the channels routing failed over from,
/// a declined attempt replaced by a retry under the same `paymentId`, and the current one.
pub async fn payment_transactions(h: Arc<Harness>) {
    // Failover: the refused channel is an attempt of its own, FAILED with its failure.
    let mut failed_over = 0;
    for _ in 0..16 {
        let id = uid("tx");
        let (s, v) = h
            .post(
                &format!("/payments/{id}/instant"),
                &instant_body(("channelGroupId", GROUP_FAILOVER), CARD_OK, 1000),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{v}");
        let (_, p) = h.get(&format!("/payments/{id}")).await;
        let (s, v) = h.get(&format!("/payments/{id}/transactions")).await;
        assert_eq!(s, StatusCode::OK, "{v}");
        let items = v["items"].as_array().unwrap();
        let last = items.last().unwrap();
        assert_eq!(last["status"], "PAID");
        assert_eq!(last["id"], p["transactionId"]);
        assert_eq!(last["paymentId"], id.as_str());
        assert_eq!(last["channel"]["key"], "fake-a");
        assert!(last.get("transactionId").is_none());
        if h.sim.count("pay", &id) == 2 {
            failed_over += 1;
            assert_eq!(items.len(), 2, "{v}");
            let first = &items[0];
            assert_eq!(first["status"], "FAILED");
            assert_eq!(first["paymentId"], id.as_str());
            assert_eq!(first["channel"]["key"], "fake-bad");
            assert_ne!(first["id"], last["id"]);
            assert!(first["failure"]["reason"].is_string(), "{first}");
            assert!(first["failedAt"].is_string());
        } else {
            assert_eq!(items.len(), 1, "{v}");
        }
    }
    assert!(failed_over > 0, "no payment failed over");

    // Declined, then retried under the same id: both attempts, oldest first.
    let id = uid("txr");
    let path = format!("/payments/{id}/instant");
    let (s, _) = h
        .post(
            &path,
            &instant_body(("channelKey", "fake-a"), CARD_DECLINED, 1000),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_GATEWAY);
    let (_, first) = h.get(&format!("/payments/{id}")).await;
    let (_, v) = h.get(&format!("/payments/{id}/transactions")).await;
    assert_eq!(v["items"].as_array().unwrap().len(), 1, "{v}");
    assert_eq!(v["items"][0]["id"], first["transactionId"]);
    let (s, _) = h
        .post(
            &path,
            &instant_body(("channelKey", "fake-a"), CARD_OK, 1000),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let (_, v) = h.get(&format!("/payments/{id}/transactions")).await;
    let items = v["items"].as_array().unwrap();
    assert_eq!(items.len(), 2, "{v}");
    assert_eq!(items[0]["id"], first["transactionId"]);
    assert_eq!(items[0]["status"], "FAILED");
    assert_eq!(items[0]["failure"]["pgCode"], "D002");
    assert_eq!(items[0]["method"]["card"]["number"], "411111******0002");
    assert_eq!(items[1]["status"], "PAID");
    assert_ne!(items[1]["id"], items[0]["id"]);

    // Unknown payment, another store: PortOne's 404.
    let (s, v) = h.get("/payments/nope/transactions").await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert_eq!(type_of(&v), "PAYMENT_NOT_FOUND");
    let (s, _) = h
        .get(&format!("/payments/{id}/transactions?storeId=other"))
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

/// `GET /payment-schedules`: filters (status, billing key, time-to-pay range, isForTest),
/// sort, page and `totalCount`; hostile input is 400 naming the field.
pub async fn schedule_lists(h: Arc<Harness>) {
    let key = issue_key(&h, "fake-a").await;
    let other_key = issue_key(&h, "fake-a").await;
    let now = chrono::Utc::now();
    let mut ids = Vec::new();
    for days in [1, 2, 3] {
        let (s, v) = h
            .post(
                &format!("/payments/{}/schedule", uid("sl")),
                &schedule_body(&key, now + chrono::Duration::days(days)),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{v}");
        ids.push(v["schedule"]["id"].as_str().unwrap().to_string());
    }
    let (s1, s2, s3) = (&ids[0], &ids[1], &ids[2]);
    let (s, v) = h
        .delete(
            "/payment-schedules",
            Some(&json!({"scheduleIds": [s3.as_str()]})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let got = |v: &Value| -> Vec<String> {
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["id"].as_str().unwrap().to_string())
            .collect()
    };
    let case = |body: Value, want: Vec<&String>| {
        let h = h.clone();
        let want: Vec<String> = want.into_iter().cloned().collect();
        async move {
            let (s, v) = list(&h, "/payment-schedules", &body).await;
            assert_eq!(s, StatusCode::OK, "{body}: {v}");
            let ids: Vec<String> = v["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|s| s["id"].as_str().unwrap().to_string())
                .collect();
            assert_eq!(ids, want, "{body}");
            assert_eq!(v["page"]["totalCount"], want.len(), "{body}");
        }
    };
    // Default: time to pay, latest first; each item is PortOne's PaymentSchedule.
    let (s, v) = list(&h, "/payment-schedules", &json!({})).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(got(&v), [s3.as_str(), s2, s1]);
    assert_eq!(v["items"][0]["status"], "REVOKED");
    assert_eq!(v["items"][1]["status"], "SCHEDULED");
    assert_eq!(v["items"][1]["billingKey"], key.as_str());
    case(json!({"filter": {"status": ["SCHEDULED"]}}), vec![s2, s1]).await;
    case(
        json!({"filter": {"status": ["REVOKED", "FAILED"]}}),
        vec![s3],
    )
    .await;
    case(json!({"filter": {"billingKey": key}}), vec![s3, s2, s1]).await;
    case(json!({"filter": {"billingKey": other_key}}), vec![]).await;
    case(json!({"filter": {"storeId": "other"}}), vec![]).await;
    case(
        json!({"filter": {"from": (now + chrono::Duration::hours(36)).to_rfc3339(),
                          "until": (now + chrono::Duration::hours(60)).to_rfc3339()}}),
        vec![s2],
    )
    .await;
    case(json!({"filter": {"isForTest": true}}), vec![s3, s2, s1]).await;
    case(json!({"filter": {"isForTest": false}}), vec![]).await;
    case(
        json!({"sort": {"by": "CREATED_AT", "order": "ASC"}}),
        vec![s1, s2, s3],
    )
    .await;
    case(json!({"sort": {"order": "ASC"}}), vec![s1, s2, s3]).await;
    let (_, v) = list(
        &h,
        "/payment-schedules",
        &json!({"page": {"number": 1, "size": 2}}),
    )
    .await;
    assert_eq!(got(&v), [s1.as_str()]);
    assert_eq!(v["page"], json!({"number": 1, "size": 2, "totalCount": 3}));
    // The body as JSON works the same.
    let (s, v) = h
        .send(
            reqwest::Method::GET,
            "/payment-schedules",
            Some(&json!({"filter": {"status": ["REVOKED"]}})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(got(&v), [s3.as_str()]);
    // Hostile input.
    for (body, names) in [
        (json!({"filter": {"status": ["NOPE"]}}), "filter.status"),
        (json!({"filter": {"from": "soon"}}), "filter.from"),
        (json!({"sort": {"by": "AMOUNT"}}), "sort.by"),
        (json!({"page": {"size": 100_000}}), "page.size"),
        (json!({"filter": {"isForTest": "yes"}}), "filter.isForTest"),
        (json!({"filter": {"colour": 1}}), "colour"),
    ] {
        let (s, v) = list(&h, "/payment-schedules", &body).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{body}: {v}");
        assert_eq!(type_of(&v), "INVALID_REQUEST");
        assert!(
            v["message"].as_str().unwrap().contains(names),
            "{body}: {v}"
        );
    }
    let (s, v) = h.get("/payment-schedules?requestBody={{").await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
    assert_eq!(type_of(&v), "INVALID_REQUEST");
}

/// `GET /billing-keys`: filters (status, time range by field, channel group, customer id,
/// PG provider, methods, text search), sort, page and `totalCount`; hostile input is 400.
pub async fn billing_key_lists(h: Arc<Harness>) {
    let t0 = chrono::Utc::now();
    let issue = |channel: (&'static str, &'static str), customer: Value| {
        let h = h.clone();
        async move {
            let mut b = issue_body(channel, CARD_OK);
            b["customer"] = customer;
            let (s, v) = h.post("/billing-keys", &b).await;
            assert_eq!(s, StatusCode::OK, "{v}");
            v["billingKeyInfo"]["billingKey"]
                .as_str()
                .unwrap()
                .to_string()
        }
    };
    let k1 = issue(
        ("channelKey", "fake-a"),
        json!({"id": "cust-A", "email": "a@example.com", "phoneNumber": "01011112222", "name": {"full": "김철수"}}),
    )
    .await;
    let k2 = issue(("channelGroupId", GROUP_AB), json!({"id": "cust-B\"%"})).await;
    let k3 = issue(("channelKey", "fake-b"), json!({"id": "cust-A"})).await;
    let (s, v) = h.delete(&format!("/billing-keys/{k3}"), None).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let t1 = chrono::Utc::now();
    let case = |body: Value, want: Vec<&String>| {
        let h = h.clone();
        let want: Vec<String> = want.into_iter().cloned().collect();
        async move {
            let (s, v) = list(&h, "/billing-keys", &body).await;
            assert_eq!(s, StatusCode::OK, "{body}: {v}");
            let keys: Vec<String> = v["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|k| k["billingKey"].as_str().unwrap().to_string())
                .collect();
            assert_eq!(keys, want, "{body}");
            assert_eq!(v["page"]["totalCount"], want.len(), "{body}");
        }
    };
    let (s, v) = list(&h, "/billing-keys", &json!({})).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["items"][0]["status"], "DELETED");
    assert_eq!(v["items"][2]["customer"]["email"], "a@example.com");
    case(json!({}), vec![&k3, &k2, &k1]).await;
    case(json!({"sort": {"order": "ASC"}}), vec![&k1, &k2, &k3]).await;
    case(json!({"filter": {"status": ["ISSUED"]}}), vec![&k2, &k1]).await;
    case(json!({"filter": {"status": ["DELETED"]}}), vec![&k3]).await;
    case(json!({"filter": {"customerId": "cust-A"}}), vec![&k3, &k1]).await;
    case(json!({"filter": {"customerId": "cust-B\"%"}}), vec![&k2]).await;
    case(json!({"filter": {"customerId": "cust-"}}), vec![]).await;
    case(
        json!({"filter": {"channelGroupIds": [GROUP_AB]}}),
        vec![&k2],
    )
    .await;
    case(
        json!({"filter": {"pgProviders": ["FAKE_PG"]}}),
        vec![&k3, &k2, &k1],
    )
    .await;
    case(json!({"filter": {"pgProviders": ["NICE_V2"]}}), vec![]).await;
    case(
        json!({"filter": {"methods": ["CARD"]}}),
        vec![&k3, &k2, &k1],
    )
    .await;
    case(json!({"filter": {"methods": ["MOBILE"]}}), vec![]).await;
    case(json!({"filter": {"version": "V1"}}), vec![]).await;
    let (from, until) = (t0.to_rfc3339(), t1.to_rfc3339());
    case(
        json!({"filter": {"from": from, "until": until}}),
        vec![&k3, &k2, &k1],
    )
    .await;
    case(json!({"filter": {"until": from}}), vec![]).await;
    case(
        json!({"filter": {"timeRangeField": "DELETED_AT", "from": from}}),
        vec![&k3],
    )
    .await;
    case(
        json!({"sort": {"by": "STATUS_TIMESTAMP", "order": "DESC"}}),
        vec![&k3, &k2, &k1],
    )
    .await;
    let ts = |field: &str, value: &str| json!({"filter": {"textSearch": {"field": field, "value": value}}});
    case(ts("BILLING_KEY", &k2), vec![&k2]).await;
    case(ts("CUSTOMER_EMAIL", "a@example.com"), vec![&k1]).await;
    case(ts("CUSTOMER_PHONE_NUMBER", "01011112222"), vec![&k1]).await;
    case(ts("CUSTOMER_NAME", "김철수"), vec![&k1]).await;
    case(ts("CARD_NUMBER", "1111"), vec![&k3, &k2, &k1]).await;
    case(ts("CARD_NUMBER", "9999"), vec![]).await;
    let (_, v) = list(
        &h,
        "/billing-keys",
        &json!({"page": {"number": 1, "size": 2}}),
    )
    .await;
    assert_eq!(v["page"], json!({"number": 1, "size": 2, "totalCount": 3}));
    assert_eq!(v["items"][0]["billingKey"], k1.as_str());
    for (body, names) in [
        (json!({"filter": {"status": ["ISSUING"]}}), "filter.status"),
        (
            json!({"filter": {"timeRangeField": "PAID_AT"}}),
            "filter.timeRangeField",
        ),
        (
            json!({"filter": {"platformType": "PC"}}),
            "filter.platformType",
        ),
        (
            json!({"filter": {"pgCompanies": ["NOPE"]}}),
            "filter.pgCompanies[0]",
        ),
        (
            json!({"filter": {"textSearch": [{"field": "BILLING_KEY", "value": "x"}]}}),
            "filter.textSearch",
        ),
        (
            json!({"filter": {"textSearch": {"field": "CARD_BIN", "value": "411111"}}}),
            "filter.textSearch.field",
        ),
        (
            json!({"filter": {"textSearch": {"field": "CARD_NUMBER", "value": "41"}}}),
            "filter.textSearch.value",
        ),
        (json!({"sort": {"by": "NAME"}}), "sort.by"),
        (json!({"page": {"size": -5}}), "page.size"),
    ] {
        let (s, v) = list(&h, "/billing-keys", &body).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{body}: {v}");
        assert_eq!(type_of(&v), "INVALID_REQUEST");
        assert!(
            v["message"].as_str().unwrap().contains(names),
            "{body}: {v}"
        );
    }
    let (s, v) = h.get("/billing-keys?requestBody=%5B").await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
}

/// `POST /payments/{id}/pre-register`: a later payment of the id with another total, tax-free
/// part or currency is refused before anything is written or sent; the registered one goes
/// through; a paid id can no longer be pre-registered.
pub async fn pre_registered_payments(h: Arc<Harness>) {
    let id = uid("pre");
    let pre = format!("/payments/{id}/pre-register");
    let (s, v) = h
        .post(
            &pre,
            &json!({"totalAmount": 10_000, "taxFreeAmount": 0, "currency": "KRW"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v, json!({}));
    let pay = format!("/payments/{id}/instant");
    // Another total; another tax-free part: 400 naming the field, nothing charged or stored.
    let (s, v) = h
        .post(
            &pay,
            &instant_body(("channelKey", "fake-a"), CARD_OK, 9_000),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
    assert_eq!(type_of(&v), "INVALID_REQUEST");
    assert!(
        v["message"].as_str().unwrap().contains("amount.total"),
        "{v}"
    );
    let mut b = instant_body(("channelKey", "fake-a"), CARD_OK, 10_000);
    b["amount"]["taxFree"] = json!(1000);
    let (s, v) = h.post(&pay, &b).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
    assert!(
        v["message"].as_str().unwrap().contains("amount.taxFree"),
        "{v}"
    );
    // With a billing key too.
    let key = issue_key(&h, "fake-a").await;
    let (s, v) = h
        .post(
            &format!("/payments/{id}/billing-key"),
            &json!({"billingKey": key, "orderName": "x", "amount": {"total": 5000}, "currency": "KRW"}),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
    assert_eq!(h.sim.count("pay", &id), 0);
    let (s, _) = h.get(&format!("/payments/{id}")).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    // The registered amount goes through.
    let (s, v) = h
        .post(
            &pay,
            &instant_body(("channelKey", "fake-a"), CARD_OK, 10_000),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(h.sim.count("pay", &id), 1);
    // Paid: no more pre-registering.
    let (s, v) = h.post(&pre, &json!({"totalAmount": 1})).await;
    assert_eq!(s, StatusCode::CONFLICT, "{v}");
    assert_eq!(type_of(&v), "ALREADY_PAID");
    // Only the given fields are locked; registering again replaces the lock.
    let id2 = uid("pre");
    let (s, _) = h
        .post(
            &format!("/payments/{id2}/pre-register"),
            &json!({"totalAmount": 1}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let (s, _) = h
        .post(
            &format!("/payments/{id2}/pre-register"),
            &json!({"currency": "KRW"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let (s, v) = h
        .post(
            &format!("/payments/{id2}/instant"),
            &instant_body(("channelKey", "fake-a"), CARD_OK, 2_000),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    // A declined payment is tried again under the lock too (the claim's retry path).
    let id3 = uid("pre");
    let (s, _) = h
        .post(
            &format!("/payments/{id3}/pre-register"),
            &json!({"totalAmount": 3_000}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let pay3 = format!("/payments/{id3}/instant");
    let (s, v) = h
        .post(
            &pay3,
            &instant_body(("channelKey", "fake-a"), CARD_DECLINED, 3_000),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_GATEWAY, "{v}");
    let (s, v) = h
        .post(
            &pay3,
            &instant_body(("channelKey", "fake-a"), CARD_OK, 3_100),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
    assert!(
        v["message"].as_str().unwrap().contains("amount.total"),
        "{v}"
    );
    let (_, v) = h.get(&format!("/payments/{id3}")).await;
    assert_eq!(v["status"], "FAILED", "{v}");
    assert_eq!(h.sim.count("pay", &id3), 1);
    let (s, v) = h
        .post(
            &pay3,
            &instant_body(("channelKey", "fake-a"), CARD_OK, 3_000),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    // Hostile input.
    for (body, names) in [
        (json!({"totalAmount": -1}), "totalAmount"),
        (json!({"totalAmount": 0}), "totalAmount"),
        (
            json!({"totalAmount": 100, "taxFreeAmount": 101}),
            "taxFreeAmount",
        ),
        (json!({"taxFreeAmount": -5}), "taxFreeAmount"),
        (json!({"currency": "won"}), "currency"),
        (json!({"totalAmount": "100"}), "totalAmount"),
        (json!({"amount": 100}), "amount"),
    ] {
        let (s, v) = h
            .post(&format!("/payments/{}/pre-register", uid("pre")), &body)
            .await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{body}: {v}");
        assert_eq!(type_of(&v), "INVALID_REQUEST");
        assert!(
            v["message"].as_str().unwrap().contains(names),
            "{body}: {v}"
        );
    }
    let r = h
        .http
        .post(h.url(&format!("/payments/{}/pre-register", uid("pre"))))
        .header("authorization", format!("PortOne {API_SECRET}"))
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 400);
}

/// `[webhooks] max_backoff_ms`: with a one-hour base and a 300 ms cap, each retry of a failing
/// delivery is due after the cap, not after hours (run with that tuning by main.rs).
pub async fn webhook_backoff_is_capped(h: Arc<Harness>) {
    *h.hooks.fail_first.lock().unwrap() = 2;
    let (s, _) = h
        .post(
            &format!("/payments/{}/instant", uid("cap")),
            &instant_body(("channelKey", "fake-a"), CARD_OK, 3000),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(h.gw.deliver_webhooks_once().await.unwrap(), 1); // fails
    assert_eq!(h.gw.deliver_webhooks_once().await.unwrap(), 0); // not due yet
    tokio::time::sleep(std::time::Duration::from_millis(400)).await;
    assert_eq!(h.gw.deliver_webhooks_once().await.unwrap(), 1); // fails again
    assert_eq!(h.gw.deliver_webhooks_once().await.unwrap(), 0);
    // Uncapped this retry would wait 4 hours.
    tokio::time::sleep(std::time::Duration::from_millis(400)).await;
    assert_eq!(h.gw.deliver_webhooks_once().await.unwrap(), 1);
    assert_eq!(h.hooks.events().len(), 1);
}
