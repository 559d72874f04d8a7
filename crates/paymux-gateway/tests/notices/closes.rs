//! `POST /payments/{paymentId}/virtual-account/close` (PortOne `closeVirtualAccount`) over
//! HTTP against the sandbox's simulators: Toss Payments closes the account at the PG; the
//! payment is CANCELLED unpaid with `Transaction.Cancelled`; deposits after it change nothing;
//! a PG without a close answers PG_PROVIDER naming itself; every refusal and hostile input.

use std::sync::Arc;

use serde_json::{json, Value};

use super::{pay_id, Gw};

const TOSS: &str = "tosspayments-test";

async fn close(g: &Gw, id: &str, query: &str) -> (u16, Value) {
    g.post(
        &format!("/payments/{id}/virtual-account/close{query}"),
        &json!({}),
    )
    .await
}

/// The sandbox channel `key` (its simulator's endpoint and credentials).
fn channel<'a>(g: &'a Gw, key: &str) -> &'a paymux_core::channel::ChannelContext {
    g._sandbox.channels.iter().find(|c| c.key == key).unwrap()
}

/// Cancel the Toss payment `payment_key` at the simulator directly, as Toss's console would:
/// behind the gateway's back.
async fn cancel_at_toss(g: &Gw, payment_key: &str) {
    let c = channel(g, TOSS);
    let secret = c.credentials["secret_key"].expose().clone();
    let r = g
        .http
        .post(format!(
            "{}/v1/payments/{payment_key}/cancel",
            c.endpoint.as_deref().unwrap()
        ))
        .basic_auth(secret, Some(""))
        .json(&json!({"cancelReason": "상점 관리자"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200, "{}", r.text().await.unwrap());
}

/// The status Toss's simulator reports for `payment_key`.
async fn status_at_toss(g: &Gw, payment_key: &str) -> String {
    let c = channel(g, TOSS);
    let secret = c.credentials["secret_key"].expose().clone();
    let v: Value = g
        .http
        .get(format!(
            "{}/v1/payments/{payment_key}",
            c.endpoint.as_deref().unwrap()
        ))
        .basic_auth(secret, Some(""))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    v["status"].as_str().unwrap_or_default().to_string()
}

pub async fn closing_virtual_accounts(g: Arc<Gw>) {
    // Issue, close: 200 {closedAt}.
    let id = pay_id("close");
    let (s, v) = g.issue_va(&id, TOSS, 25_000).await;
    assert_eq!(s, 200, "{v}");
    let issued = g.payment(&id).await;
    assert_eq!(issued["status"], "VIRTUAL_ACCOUNT_ISSUED", "{issued}");
    let payment_key = issued["pgTxId"].as_str().unwrap().to_string();
    assert_eq!(
        status_at_toss(&g, &payment_key).await,
        "WAITING_FOR_DEPOSIT"
    );
    let (s, v) = close(&g, &id, "?storeId=store-test").await;
    assert_eq!(s, 200, "{v}");
    let closed_at = v["closedAt"].as_str().expect("closedAt");
    assert!(
        chrono::DateTime::parse_from_rfc3339(closed_at).is_ok(),
        "{v}"
    );
    assert_eq!(v.as_object().unwrap().len(), 1, "{v}");
    // CANCELLED, never paid: no paidAt, nothing paid, no cancellation; the PG agrees.
    assert_eq!(status_at_toss(&g, &payment_key).await, "CANCELED");
    let p = g.payment(&id).await;
    assert_eq!(p["status"], "CANCELLED", "{p}");
    assert_eq!(p["cancelledAt"], closed_at, "{p}");
    assert!(p.get("paidAt").map_or(true, Value::is_null), "{p}");
    assert_eq!(p["amount"]["paid"], 0, "{p}");
    assert_eq!(p["cancellations"], json!([]), "{p}");
    // One Transaction.Cancelled after the issue's webhook.
    let hooks = g.inbox_for(&id).await;
    let types: Vec<&str> = hooks
        .iter()
        .map(|w| w["body"]["type"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(
        types
            .iter()
            .filter(|t| **t == "Transaction.Cancelled")
            .count(),
        1,
        "{types:?}"
    );
    // Closed once: again is 409, and so is a sandbox deposit; a cancel finds it cancelled.
    let (s, v) = close(&g, &id, "").await;
    assert_eq!(
        (s, v["type"].as_str()),
        (409, Some("PAYMENT_NOT_WAITING_FOR_DEPOSIT")),
        "{v}"
    );
    let (s, v) = g
        .post(
            &format!("/sandbox/virtual-accounts/{id}/deposit"),
            &json!({}),
        )
        .await;
    assert_eq!(
        (s, v["type"].as_str()),
        (409, Some("PAYMENT_NOT_WAITING_FOR_DEPOSIT")),
        "{v}"
    );
    let (s, v) = g
        .post(&format!("/payments/{id}/cancel"), &json!({"reason": "x"}))
        .await;
    assert_eq!(
        (s, v["type"].as_str()),
        (409, Some("PAYMENT_ALREADY_CANCELLED")),
        "{v}"
    );
    // Toss's deposit notice for it anyway: acknowledged (Toss stops resending), nothing
    // changes, kept in the notice log for an operator.
    let notice = json!({
        "createdAt": "2026-01-01T10:00:00.000000",
        "secret": "ps_forged_secret",
        "status": "DONE",
        "transactionKey": "txdep-late",
        "orderId": id,
    });
    let (s, _) = g
        .notice(TOSS, "application/json", notice.to_string().into_bytes())
        .await;
    assert_eq!(s, 200);
    assert_eq!(g.payment(&id).await["status"], "CANCELLED");
    let log = g.notice_log(&id).await;
    assert_eq!(log[0]["verdict"], "NOT_APPLICABLE", "{log:?}");
    assert!(!log[0].to_string().contains("ps_forged_secret"), "{log:?}");

    // Closed at the PG behind the gateway's back (Toss's console): the close is refused by
    // Toss (already cancelled), the gateway asks Toss, finds it cancelled, records it.
    let id2 = pay_id("close");
    assert_eq!(g.issue_va(&id2, TOSS, 7_000).await.0, 200);
    let key2 = g.payment(&id2).await["pgTxId"]
        .as_str()
        .unwrap()
        .to_string();
    cancel_at_toss(&g, &key2).await;
    let (s, v) = close(&g, &id2, "").await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(g.payment(&id2).await["status"], "CANCELLED");

    // A PG whose adapter cannot close (Smartro): 502 PG_PROVIDER naming it; nothing changes.
    let id3 = pay_id("close");
    assert_eq!(g.issue_va(&id3, "smartro-test", 9_000).await.0, 200);
    let (s, v) = close(&g, &id3, "").await;
    assert_eq!((s, v["type"].as_str()), (502, Some("PG_PROVIDER")), "{v}");
    assert_eq!(v["pgCode"], "PAYMUX_PG_UNSUPPORTED", "{v}");
    assert!(v["message"].as_str().unwrap().contains("SMARTRO_V2"), "{v}");
    assert_eq!(g.payment(&id3).await["status"], "VIRTUAL_ACCOUNT_ISSUED");

    // Refusals: unknown payment; another store; a paid payment; bad parameters.
    let (s, v) = close(&g, "no-such-payment", "").await;
    assert_eq!(
        (s, v["type"].as_str()),
        (404, Some("PAYMENT_NOT_FOUND")),
        "{v}"
    );
    let id4 = pay_id("close");
    assert_eq!(g.issue_va(&id4, TOSS, 5_000).await.0, 200);
    let (s, v) = close(&g, &id4, "?storeId=another-store").await;
    assert_eq!(
        (s, v["type"].as_str()),
        (404, Some("PAYMENT_NOT_FOUND")),
        "{v}"
    );
    let (s, v) = close(&g, &id4, "?storeId=").await;
    assert_eq!(
        (s, v["type"].as_str()),
        (400, Some("INVALID_REQUEST")),
        "{v}"
    );
    assert!(v["message"].as_str().unwrap().contains("storeId"), "{v}");
    let (s, v) = close(&g, &id4, "?stroeId=store-test").await;
    assert_eq!(
        (s, v["type"].as_str()),
        (400, Some("INVALID_REQUEST")),
        "{v}"
    );
    let long = "x".repeat(300);
    let (s, v) = close(&g, &long, "").await;
    assert_eq!(
        (s, v["type"].as_str()),
        (400, Some("INVALID_REQUEST")),
        "{v}"
    );
    assert!(!v.to_string().contains(&long), "the id is not echoed: {v}");
    // Deposited (PAID): not waiting any more.
    let (s, d) = g
        .post(
            &format!("/sandbox/virtual-accounts/{id4}/deposit"),
            &json!({}),
        )
        .await;
    assert_eq!(s, 200, "{d}");
    assert_eq!(g.payment(&id4).await["status"], "PAID");
    let (s, v) = close(&g, &id4, "").await;
    assert_eq!(
        (s, v["type"].as_str()),
        (409, Some("PAYMENT_NOT_WAITING_FOR_DEPOSIT")),
        "{v}"
    );
    // No credential: 401, nothing closed.
    let id5 = pay_id("close");
    assert_eq!(g.issue_va(&id5, TOSS, 5_000).await.0, 200);
    let r = g
        .http
        .post(g.url(&format!("/payments/{id5}/virtual-account/close")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 401);
    // Concurrent closes of one account: every answer is 200 (the PG repeats itself) or 409,
    // and one Transaction.Cancelled is sent.
    let mut set = tokio::task::JoinSet::new();
    for _ in 0..4 {
        let g = g.clone();
        let id5 = id5.clone();
        set.spawn(async move { close(&g, &id5, "").await });
    }
    let mut ok = 0;
    while let Some(r) = set.join_next().await {
        let (s, v) = r.unwrap();
        assert!(
            s == 200 || (s == 409 && v["type"] == "PAYMENT_NOT_WAITING_FOR_DEPOSIT"),
            "{s} {v}"
        );
        ok += usize::from(s == 200);
    }
    assert!(ok >= 1);
    assert_eq!(g.payment(&id5).await["status"], "CANCELLED");
    let cancelled = g
        .inbox_for(&id5)
        .await
        .iter()
        .filter(|w| w["body"]["type"] == "Transaction.Cancelled")
        .count();
    assert_eq!(cancelled, 1);
}
