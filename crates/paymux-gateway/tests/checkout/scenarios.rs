//! Plain-HTTP checkout scenarios (no browser): the API's rules, each window flow, and the
//! session state machine (double, concurrent, tampered and late returns).

use std::sync::Arc;
use std::time::Duration;

use axum::http::StatusCode;
use paymux_core::simulator::Simulator;
use serde_json::{json, Value};

pub use crate::galaxia_deposits::galaxia_virtual_account_deposits;
use crate::harness::*;
use crate::minibrowser::{self, form, query, submit, Form};

/// The card input, named `cardNumber` in every simulator's window.
fn card(n: &str) -> Vec<(&'static str, String)> {
    vec![("cardNumber", n.to_string())]
}

/// GET the checkout page and follow its hand-off form to the PG window.
/// Returns (hand-off form, window page, window URL).
pub async fn open_window(h: &Harness, checkout_url: &str) -> (Form, String, String) {
    let r = h.http.get(checkout_url).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let html = r.text().await.unwrap();
    let handoff = form(&html, "paymux_checkout");
    let (status, _, body, url) = submit(&h.http, checkout_url, &handoff).await;
    assert_eq!(status, 200, "{body}");
    (handoff, body, url)
}

/// Answer the PG window (`approve` or `cancel`); returns the form the window posts back.
pub async fn answer_window(
    h: &Harness,
    window_html: &str,
    window_url: &str,
    action: &str,
    inputs: &[(&str, String)],
) -> Form {
    let mut f = form(window_html, "window");
    for (k, v) in inputs {
        f.set(k, v);
    }
    f.set("ACTION", action);
    let (status, _, body, _) = submit(&h.http, window_url, &f).await;
    assert_eq!(status, 200, "{body}");
    form(&body, "return")
}

/// Post the window's return to the gateway: (status, Location, body).
pub async fn return_to_gateway(h: &Harness, ret: &Form) -> (u16, Option<String>, String) {
    let (s, l, b, _) = submit(&h.http, &ret.action, ret).await;
    (s, l, b)
}

/// Post the window's return as a browser with this `User-Agent` would.
async fn return_as(h: &Harness, ret: &Form, user_agent: &str) -> (u16, Option<String>) {
    let r = h
        .http
        .post(ret.action_url(&ret.action))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("user-agent", user_agent)
        .body(ret.body())
        .send()
        .await
        .unwrap();
    let location = r
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    (r.status().as_u16(), location)
}

/// The billing keys `GET /billing-keys` lists for `filter.platformType`.
async fn keys_from(h: &Harness, platform: &str) -> Vec<String> {
    let body = json!({"filter": {"platformType": platform}, "page": {"size": 1000}});
    let (s, v) = h
        .api(reqwest::Method::GET, "/billing-keys", Some(&body))
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["billingKey"].as_str().unwrap().to_string())
        .collect()
}

/// The payments `GET /payments` lists with `filter.platformType`.
async fn payments_from(h: &Harness, platform: &str) -> Vec<String> {
    listed(h, json!({"platformType": platform})).await
}

/// Create a session, open its window, answer it: the return form, not yet posted.
pub async fn window_return(
    h: &Harness,
    body: &Value,
    action: &str,
    inputs: &[(&str, String)],
) -> (Value, Form) {
    let s = h.session(body).await;
    let (_, win, url) = open_window(h, s["checkoutUrl"].as_str().unwrap()).await;
    let ret = answer_window(h, &win, &url, action, inputs).await;
    (s, ret)
}

pub async fn get_payment(h: &Harness, id: &str) -> Value {
    let (s, p) = h.get(&format!("/payments/{id}")).await;
    assert_eq!(s, StatusCode::OK, "{p}");
    p
}

async fn session_status(h: &Harness, sid: &str) -> String {
    let (s, v) = h.get(&format!("/checkout/sessions/{sid}")).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    v["status"].as_str().unwrap().to_string()
}

fn err_message(v: &Value) -> String {
    v["message"].as_str().unwrap_or_default().to_string()
}

pub async fn api_rules(h: Arc<Harness>) {
    // Auth.
    let r = h
        .http
        .post(h.url("/checkout/sessions"))
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 401);

    // Smart routing: customer name, phone, e-mail.
    let mut b = payment(("channelGroupId", GROUP_MIXED), &uid("r"), "CARD", 1000);
    b["customer"] = json!({"customerId": "c"});
    let (s, v) = h.post("/checkout/sessions", &b).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
    assert_eq!(v["type"], "INVALID_REQUEST");
    let m = err_message(&v);
    for path in [
        "customer.fullName",
        "customer.phoneNumber",
        "customer.email",
    ] {
        assert!(
            m.contains(&format!("{path}: is required with channelGroupId")),
            "{m}"
        );
    }
    // firstName + lastName stand in for fullName.
    b["customer"] = json!({"customerId": "c", "firstName": "길동", "lastName": "홍",
        "phoneNumber": "01012345678", "email": "a@b.example"});
    let (s, v) = h.post("/checkout/sessions", &b).await;
    assert_eq!(s, StatusCode::OK, "{v}");

    // Method-specific smart-routing fields.
    for (method, path) in [
        ("VIRTUAL_ACCOUNT", "virtualAccount.accountExpiry"),
        ("EASY_PAY", "easyPay.easyPayProvider"),
        ("MOBILE", "productType"),
    ] {
        let mut b = payment(("channelGroupId", GROUP_MIXED), &uid("r"), method, 1000);
        if let Some(o) = b.as_object_mut() {
            o.remove("virtualAccount");
            o.remove("productType");
        }
        let (s, v) = h.post("/checkout/sessions", &b).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{method}: {v}");
        assert!(
            err_message(&v).contains(&format!(
                "{path}: is required for {method} with channelGroupId"
            )),
            "{v}"
        );
    }

    // Billing-key windows take no group.
    for kind in ["ISSUE_BILLING_KEY", "ISSUE_BILLING_KEY_AND_PAY"] {
        let mut b = if kind == "ISSUE_BILLING_KEY" {
            issue_billing_key("galaxia-a", &uid("bk"))
        } else {
            billing_key_and_pay("galaxia-a", &uid("bp"), 1000)
        };
        b.as_object_mut().unwrap().remove("channelKey");
        b["channelGroupId"] = json!(GROUP_GALAXIA);
        let (s, v) = h.post("/checkout/sessions", &b).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
        let m = err_message(&v);
        assert!(m.starts_with("channelGroupId: "), "{m}");
        assert!(m.contains("POST /billing-keys"), "{m}");
    }

    // kind, channels, JSON paths.
    let mut b = payment(("channelKey", "galaxia-a"), &uid("r"), "CARD", 1000);
    b["kind"] = json!("REFUND");
    let (s, v) = h.post("/checkout/sessions", &b).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(err_message(&v).starts_with("kind: "), "{v}");
    let (s, v) = h
        .post(
            "/checkout/sessions",
            &payment(("channelKey", "nope"), &uid("r"), "CARD", 1000),
        )
        .await;
    assert_eq!(
        (s, v["type"].as_str()),
        (StatusCode::NOT_FOUND, Some("CHANNEL_NOT_FOUND"))
    );
    let mut b = payment(("channelKey", "galaxia-a"), &uid("r"), "CARD", 1000);
    b["channelGroupId"] = json!(GROUP_MIXED);
    let (s, v) = h.post("/checkout/sessions", &b).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
    assert!(err_message(&v).contains("channelGroupId"), "{v}");
    let mut b = payment(("channelKey", "galaxia-a"), &uid("r"), "CARD", 1000);
    b["totalAmount"] = json!("1000");
    let (s, v) = h.post("/checkout/sessions", &b).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(err_message(&v).starts_with("totalAmount: "), "{v}");
    // The adapter's own rules (Galaxia needs customer.customerId).
    let mut b = payment(("channelKey", "galaxia-a"), &uid("r"), "CARD", 1000);
    b["customer"] = json!({"fullName": "홍길동"});
    let (s, v) = h.post("/checkout/sessions", &b).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
    assert!(err_message(&v).contains("customer.customerId"), "{v}");
    // Nothing was recorded for refused requests.
    assert!(h.galaxia.ledger().is_empty());
}

/// Galaxia's virtual-account window (service 1800) issues the account itself: its verified
/// return completes the payment as VIRTUAL_ACCOUNT_ISSUED with nothing sent to BillGate, as
/// testwin's window does through its approval call. Tampered returns change nothing.
pub async fn galaxia_virtual_account_windows_issue_accounts(h: Arc<Harness>) {
    let id = uid("gva");
    let (s, ret) = window_return(
        &h,
        &payment(("channelKey", "galaxia-a"), &id, "VIRTUAL_ACCOUNT", 45000),
        "approve",
        &[("BANK_CODE", "0088".into())],
    )
    .await;
    let sid = s["sessionId"].as_str().unwrap();
    assert_eq!(ret.get("SERVICE_CODE"), Some("1800"));
    assert_eq!(ret.get("MESSAGE"), None, "nothing to approve: {ret:?}");
    // The window issued the account at the PG; the gateway has not recorded it yet.
    assert_eq!(h.galaxia.ledger().len(), 1);
    let mut bad_order = ret.clone();
    bad_order.set("ORDER_ID", "someone-elses-order");
    let mut bad_mid = ret.clone();
    bad_mid.set("SERVICE_ID", "M0000000");
    let mut bad_amount = ret.clone();
    bad_amount.set("AMOUNT", "100");
    let mut bad_hash = ret.clone();
    bad_hash.set("HASH_DATA", &"00".repeat(32));
    let mut no_hash = ret.clone();
    no_hash.fields.retain(|(k, _)| k != "HASH_DATA");
    for (what, f) in [
        ("ORDER_ID", &bad_order),
        ("SERVICE_ID", &bad_mid),
        ("AMOUNT", &bad_amount),
        ("HASH_DATA", &bad_hash),
        ("HASH_DATA", &no_hash),
    ] {
        let (status, _, body) = return_to_gateway(&h, f).await;
        assert_eq!(status, 400, "{what}: {body}");
        assert!(body.contains(&format!("returned.{what}")), "{what}: {body}");
        assert_eq!(session_status(&h, sid).await, "OPEN");
        let p = get_payment(&h, &id).await;
        assert_eq!(p["status"], "READY", "{what}: {p}");
    }
    h.flush_webhooks().await;
    assert_eq!(h.hooks.types_for(&id), ["Transaction.Ready"]);

    let (status, location, body) = return_to_gateway(&h, &ret).await;
    assert_eq!(status, 302, "{body}");
    let q = query(&location.unwrap());
    assert!(!q.contains_key("code"), "{q:?}");
    assert_eq!(q["paymentId"], id);
    assert_eq!(session_status(&h, sid).await, "COMPLETED");
    let p = get_payment(&h, &id).await;
    assert_eq!(p["status"], "VIRTUAL_ACCOUNT_ISSUED", "{p}");
    assert_eq!(p["channel"]["key"], "galaxia-a");
    let m = &p["method"];
    assert_eq!(m["type"], "PaymentMethodVirtualAccount", "{p}");
    assert_eq!(m["bank"], "SHINHAN", "{p}");
    assert_eq!(
        m["accountNumber"],
        ret.get("ACCOUNT_NUMBER").unwrap(),
        "{p}"
    );
    assert!(
        m["accountNumber"].as_str().unwrap().starts_with("5621"),
        "{p}"
    );
    // EXPIRE_DATE + EXPIRE_TIME (23:59:59 KST) is the deposit deadline.
    let expire = ret.get("EXPIRE_DATE").unwrap();
    let expired_at = chrono::DateTime::parse_from_rfc3339(m["expiredAt"].as_str().unwrap())
        .unwrap()
        .with_timezone(&chrono::FixedOffset::east_opt(9 * 3600).unwrap());
    assert_eq!(
        expired_at.format("%Y%m%d%H%M%S").to_string(),
        format!("{expire}235959"),
        "{p}"
    );
    assert_eq!(p["pgTxId"], ret.get("TRANSACTION_ID").unwrap(), "{p}");
    assert_eq!(p["amount"]["total"], 45000);
    h.flush_webhooks().await;
    assert_eq!(
        h.hooks.types_for(&id),
        ["Transaction.Ready", "Transaction.VirtualAccountIssued"]
    );
    // Nothing else reached BillGate: the ledger holds the window's account only.
    let ledger = h.galaxia.ledger();
    assert_eq!(ledger.len(), 1);
    assert_eq!(ledger[0].state, "VIRTUAL_ACCOUNT_ISSUED");
    // The same return again changes nothing.
    let (status, _, _) = return_to_gateway(&h, &ret).await;
    assert_eq!(status, 409);
    assert_eq!(
        get_payment(&h, &id).await["status"],
        "VIRTUAL_ACCOUNT_ISSUED"
    );

    // Through a group of Galaxia channels, too.
    let id = uid("gva");
    let (s, ret) = window_return(
        &h,
        &payment(
            ("channelGroupId", GROUP_GALAXIA),
            &id,
            "VIRTUAL_ACCOUNT",
            5000,
        ),
        "approve",
        &[("BANK_CODE", "0004".into())],
    )
    .await;
    assert!(
        s["channel"]["key"]
            .as_str()
            .unwrap()
            .starts_with("galaxia-"),
        "{s}"
    );
    let (status, _, body) = return_to_gateway(&h, &ret).await;
    assert_eq!(status, 302, "{body}");
    let p = get_payment(&h, &id).await;
    assert_eq!(p["status"], "VIRTUAL_ACCOUNT_ISSUED", "{p}");
    assert_eq!(p["method"]["bank"], "KOOKMIN", "{p}");
    assert_eq!(p["channelGroup"]["id"], GROUP_GALAXIA);
}

pub async fn card_window_over_http(h: Arc<Harness>) {
    let id = uid("card");
    let s = h
        .session(&payment(("channelKey", "galaxia-a"), &id, "CARD", 1004))
        .await;
    assert_eq!(s["paymentId"], id);
    assert_eq!(s["channel"]["key"], "galaxia-a");
    assert_eq!(s["channel"]["pgProvider"], "GALAXIA");
    let checkout_url = s["checkoutUrl"].as_str().unwrap();
    assert!(checkout_url.starts_with(&h.gw.base_url), "{checkout_url}");
    let p = get_payment(&h, &id).await;
    assert_eq!(p["status"], "READY");
    assert_eq!(p["channel"]["key"], "galaxia-a");

    let (handoff, win, win_url) = open_window(&h, checkout_url).await;
    // The hand-off form is the adapter's form, in EUC-KR, to the simulator's window page.
    assert_eq!(handoff.charset, "EUC-KR");
    let ep =
        h.gw.state
            .channels
            .get("galaxia-a")
            .unwrap()
            .ctx
            .endpoint
            .clone()
            .unwrap();
    assert_eq!(handoff.action, format!("http://{ep}/window"));
    assert_eq!(handoff.get("ITEM_NAME"), Some("테스트 주문"));
    assert_eq!(handoff.get("ORDER_ID"), Some(id.as_str()));
    assert_eq!(handoff.get("AMOUNT"), Some("1004"));
    assert_eq!(handoff.get("PAYMUX_WINDOW"), Some("PAYMENT"));
    let ret_url = handoff.get("RETURN_URL").unwrap().to_string();
    assert!(ret_url.ends_with(&format!(
        "/checkout/return/{}",
        s["sessionId"].as_str().unwrap()
    )));
    assert!(
        win.contains("테스트 주문"),
        "the window shows the EUC-KR item name intact"
    );
    // The checkout page may be reloaded while open: same form.
    let (again, _, _) = open_window(&h, checkout_url).await;
    assert_eq!(again.fields, handoff.fields);

    let ret = answer_window(&h, &win, &win_url, "approve", &card("4111111111111111")).await;
    assert_eq!(ret.charset, "EUC-KR");
    assert_eq!(ret.get("RESPONSE_CODE"), Some("0000"));
    assert_eq!(ret.get("RESPONSE_MESSAGE"), Some("인증성공"));
    assert!(ret
        .get("MESSAGE")
        .is_some_and(|m| m[..4].chars().all(|c| c.is_ascii_digit())));
    let (status, location, body) = return_to_gateway(&h, &ret).await;
    assert_eq!(status, 302, "{body}");
    let location = location.unwrap();
    assert!(location.starts_with(REDIRECT_URL), "{location}");
    let q = query(&location);
    assert_eq!(q["paymentId"], id);
    assert_eq!(q["transactionType"], "PAYMENT");
    assert!(!q.contains_key("code"), "{q:?}");

    let p = get_payment(&h, &id).await;
    assert_eq!(p["status"], "PAID", "{p}");
    assert_eq!(p["amount"]["paid"], 1004);
    assert_eq!(p["method"]["type"], "PaymentMethodCard");
    assert_eq!(p["method"]["card"]["number"], "411111******1111");
    assert!(p["pgTxId"]
        .as_str()
        .is_some_and(|t| t.starts_with("SIM0900")));
    assert_eq!(p["origin"]["platformType"], "PC");
    assert_eq!(
        session_status(&h, s["sessionId"].as_str().unwrap()).await,
        "COMPLETED"
    );
    h.flush_webhooks().await;
    assert_eq!(
        h.hooks.types_for(&id),
        ["Transaction.Ready", "Transaction.Paid"]
    );
    let ledger = h.galaxia.ledger();
    assert_eq!(ledger.len(), 1);
    assert_eq!(ledger[0].order_id, id);

    // A window payment is cancelled like any other.
    let (st, c) = h
        .post(
            &format!("/payments/{id}/cancel"),
            &json!({"reason": "test", "amount": 4}),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{c}");
    assert_eq!(get_payment(&h, &id).await["status"], "PARTIAL_CANCELLED");
}

pub async fn double_and_concurrent_returns_approve_once(h: Arc<Harness>) {
    let id = uid("dbl");
    let (s, ret) = window_return(
        &h,
        &payment(("channelKey", "galaxia-a"), &id, "CARD", 2000),
        "approve",
        &card("4111111111111111"),
    )
    .await;
    // Eight copies of the same return at once: exactly one approval.
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let h = h.clone();
        let ret = ret.clone();
        tasks.push(tokio::spawn(
            async move { return_to_gateway(&h, &ret).await },
        ));
    }
    let mut statuses = Vec::new();
    for t in tasks {
        statuses.push(t.await.unwrap().0);
    }
    statuses.sort_unstable();
    assert_eq!(
        statuses.iter().filter(|s| **s == 302).count(),
        1,
        "{statuses:?}"
    );
    assert!(
        statuses.iter().all(|s| *s == 302 || *s == 409),
        "{statuses:?}"
    );
    // And later, once more.
    let (status, _, body) = return_to_gateway(&h, &ret).await;
    assert_eq!(status, 409);
    assert!(body.contains("이미 처리된 결제입니다"), "{body}");
    assert!(
        body.contains("continue"),
        "the page links back to the store: {body}"
    );
    assert_eq!(h.galaxia.ledger().len(), 1, "one approval at the PG");
    assert_eq!(get_payment(&h, &id).await["status"], "PAID");
    // The checkout page itself is finished too.
    let r = h
        .http
        .get(s["checkoutUrl"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 409);
    h.flush_webhooks().await;
    assert_eq!(
        h.hooks.types_for(&id),
        ["Transaction.Ready", "Transaction.Paid"]
    );
}

pub async fn tampered_returns_are_refused(h: Arc<Harness>) {
    let id = uid("tmp");
    let (s, ret) = window_return(
        &h,
        &payment(("channelKey", "galaxia-a"), &id, "CARD", 3000),
        "approve",
        &card("4111111111111111"),
    )
    .await;
    let sid = s["sessionId"].as_str().unwrap();
    let mut bad_hash = ret.clone();
    bad_hash.set("HASH_DATA", &"00".repeat(32));
    let mut bad_order = ret.clone();
    bad_order.set("ORDER_ID", "someone-elses-order");
    let mut bad_message = ret.clone();
    bad_message.set("MESSAGE", "0010abcdefghij");
    let mut bad_amount_date = ret.clone();
    bad_amount_date.set("ORDER_DATE", "20200101000000");
    for (what, f) in [
        ("HASH_DATA", &bad_hash),
        ("ORDER_ID", &bad_order),
        ("MESSAGE", &bad_message),
        ("HASH_DATA", &bad_amount_date),
    ] {
        let (status, _, body) = return_to_gateway(&h, f).await;
        assert_eq!(status, 400, "{what}: {body}");
        assert!(body.contains("결제 결과를 확인할 수 없습니다"), "{body}");
        assert!(
            body.contains("could not be verified"),
            "the detail for support: {body}"
        );
        assert!(body.contains(&format!("returned.{what}")), "{what}: {body}");
        assert_eq!(session_status(&h, sid).await, "OPEN");
        assert_eq!(get_payment(&h, &id).await["status"], "READY");
    }
    // Not a form post at all.
    let r = h
        .http
        .post(&ret.action)
        .header("content-type", "application/json")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 400);
    assert!(h.galaxia.ledger().is_empty(), "nothing reached the PG");
    // The genuine return still completes, once.
    let (status, _, _) = return_to_gateway(&h, &ret).await;
    assert_eq!(status, 302);
    assert_eq!(get_payment(&h, &id).await["status"], "PAID");
    assert_eq!(h.galaxia.ledger().len(), 1);
    // An unknown session.
    let r = h
        .http
        .post(h.url("/checkout/return/cs_00000000000000000000000000000000"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("a=b")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 404);
}

pub async fn expired_sessions_never_approve(h: Arc<Harness>) {
    // TTL is 4 s in this harness (`short_sessions`).
    let id = uid("exp");
    let (s, ret) = window_return(
        &h,
        &payment(("channelKey", "galaxia-a"), &id, "CARD", 1000),
        "approve",
        &card("4111111111111111"),
    )
    .await;
    // An open session blocks another one for the same payment.
    let (st, v) = h
        .post(
            "/checkout/sessions",
            &payment(("channelKey", "galaxia-a"), &id, "CARD", 1000),
        )
        .await;
    assert_eq!(st, StatusCode::CONFLICT, "{v}");
    assert_eq!(v["type"], "ALREADY_PAID_OR_WAITING");
    tokio::time::sleep(Duration::from_millis(4300)).await;
    let (status, _, body) = return_to_gateway(&h, &ret).await;
    assert_eq!(status, 410, "{body}");
    assert!(body.contains("결제 시간이 만료되었습니다"), "{body}");
    let (status, _, _) = return_to_gateway(&h, &ret).await;
    assert_eq!(status, 410, "still expired");
    assert!(h.galaxia.ledger().is_empty(), "nothing approved");
    let p = get_payment(&h, &id).await;
    assert_eq!(p["status"], "FAILED");
    assert!(p["failure"]["reason"].as_str().unwrap().contains("expired"));
    assert_eq!(
        session_status(&h, s["sessionId"].as_str().unwrap()).await,
        "EXPIRED"
    );
    let r = h
        .http
        .get(s["checkoutUrl"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 410);
    h.flush_webhooks().await;
    assert_eq!(
        h.hooks.types_for(&id),
        ["Transaction.Ready", "Transaction.Failed"]
    );
    // The failed payment id may be used for a new window, which completes.
    let (_, ret) = window_return(
        &h,
        &payment(("channelKey", "galaxia-a"), &id, "CARD", 1000),
        "approve",
        &card("4111111111111111"),
    )
    .await;
    let (status, _, _) = return_to_gateway(&h, &ret).await;
    assert_eq!(status, 302);
    assert_eq!(get_payment(&h, &id).await["status"], "PAID");

    // Sessions nobody returns to are expired by the reconciler's pass.
    let id = uid("exp2");
    let s = h
        .session(&payment(("channelKey", "galaxia-a"), &id, "CARD", 1000))
        .await;
    tokio::time::sleep(Duration::from_millis(4300)).await;
    h.gw.reconcile_once().await.unwrap();
    assert_eq!(get_payment(&h, &id).await["status"], "FAILED");
    assert_eq!(
        session_status(&h, s["sessionId"].as_str().unwrap()).await,
        "EXPIRED"
    );
}

pub async fn declined_and_cancelled_windows_fail(h: Arc<Harness>) {
    // Declined at approval (test card …0002).
    let id = uid("dec");
    let (_, ret) = window_return(
        &h,
        &payment(("channelKey", "galaxia-a"), &id, "CARD", 1000),
        "approve",
        &card("4111111111110002"),
    )
    .await;
    let (status, location, _) = return_to_gateway(&h, &ret).await;
    assert_eq!(status, 302);
    let q = query(&location.unwrap());
    assert_eq!(q["code"], "FAILURE_TYPE_PG");
    assert_eq!(q["pgCode"], "810100");
    assert_eq!(q["paymentId"], id);
    let p = get_payment(&h, &id).await;
    assert_eq!(p["status"], "FAILED");
    assert_eq!(p["failure"]["pgCode"], "810100");

    // Cancelled in the window.
    let id2 = uid("cnl");
    let (s, ret) = window_return(
        &h,
        &payment(("channelKey", "galaxia-a"), &id2, "CARD", 1000),
        "cancel",
        &[],
    )
    .await;
    assert_eq!(ret.get("RESPONSE_CODE"), Some("8701"));
    assert!(ret.get("MESSAGE").is_none());
    let (status, location, _) = return_to_gateway(&h, &ret).await;
    assert_eq!(status, 302);
    let q = query(&location.unwrap());
    assert_eq!(q["code"], "FAILURE_TYPE_PG");
    assert_eq!(q["pgCode"], "8701");
    assert_eq!(q["pgMessage"], "사용자 취소");
    let p = get_payment(&h, &id2).await;
    assert_eq!(p["status"], "FAILED");
    assert_eq!(p["failure"]["pgCode"], "8701");
    assert_eq!(
        session_status(&h, s["sessionId"].as_str().unwrap()).await,
        "FAILED"
    );
    // A second post of the cancel is refused too.
    let (status, _, _) = return_to_gateway(&h, &ret).await;
    assert_eq!(status, 409);
    assert!(h.galaxia.ledger().is_empty());
    h.flush_webhooks().await;
    for pid in [&id, &id2] {
        assert_eq!(
            h.hooks.types_for(pid),
            ["Transaction.Ready", "Transaction.Failed"]
        );
    }
}

pub async fn billing_key_windows(h: Arc<Harness>) {
    // Card billing-key window: a key, no charge; then the key pays through the API.
    let issue_id = uid("issue");
    let (s, ret) = window_return(
        &h,
        &issue_billing_key("galaxia-b", &issue_id),
        "approve",
        &card("5111111111111118"),
    )
    .await;
    let bk = s["billingKey"].as_str().unwrap().to_string();
    assert_eq!(s["issueId"], issue_id);
    let (s404, _) = h.get(&format!("/billing-keys/{bk}")).await;
    assert_eq!(s404, StatusCode::NOT_FOUND, "not issued yet");
    let (status, location, _) = return_to_gateway(&h, &ret).await;
    assert_eq!(status, 302);
    let q = query(&location.unwrap());
    assert_eq!(q["billingKey"], bk);
    assert_eq!(q["transactionType"], "ISSUE_BILLING_KEY");
    assert!(!q.contains_key("paymentId"));
    let (st, k) = h.get(&format!("/billing-keys/{bk}")).await;
    assert_eq!(st, StatusCode::OK, "{k}");
    assert_eq!(k["status"], "ISSUED");
    assert_eq!(k["channels"][0]["key"], "galaxia-b");
    assert_eq!(k["methods"][0]["type"], "BillingKeyPaymentMethodCard");
    assert_eq!(k["methods"][0]["card"]["number"], "511111******1118");
    assert!(
        h.galaxia.ledger().is_empty(),
        "the billing-key window charges nothing"
    );
    let pay = uid("bkpay");
    let (st, v) = h
        .post(
            &format!("/payments/{pay}/billing-key"),
            &json!({"billingKey": bk, "orderName": "월간 구독 1회차", "amount": {"total": 9900},
                    "currency": "KRW", "customer": {"id": "cust-1"}}),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert_eq!(get_payment(&h, &pay).await["status"], "PAID");

    // Mobile billing-key-and-pay: pays and issues a key; the key charges again (MOBILE).
    let id = uid("andpay");
    let (s, ret) = window_return(
        &h,
        &billing_key_and_pay("galaxia-a", &id, 3300),
        "approve",
        &[("PHONE_NUMBER", "01012345678".into())],
    )
    .await;
    let bk2 = s["billingKey"].as_str().unwrap().to_string();
    // Completed from an iPhone: the key is SDK_MOBILE (the card window's, from a browser
    // that names no phone, SDK_PC).
    let iphone = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1";
    let (status, location) = return_as(&h, &ret, iphone).await;
    assert_eq!(status, 302);
    let q = query(&location.unwrap());
    assert_eq!(q["paymentId"], id);
    assert_eq!(q["billingKey"], bk2);
    assert_eq!(q["transactionType"], "ISSUE_BILLING_KEY_AND_PAY");
    let p = get_payment(&h, &id).await;
    assert_eq!(p["status"], "PAID");
    assert_eq!(p["method"]["type"], "PaymentMethodMobile");
    assert_eq!(p["billingKey"], bk2);
    let (_, k) = h.get(&format!("/billing-keys/{bk2}")).await;
    assert_eq!(k["status"], "ISSUED", "{k}");
    assert_eq!(k["methods"][0]["type"], "BillingKeyPaymentMethodMobile");
    let (pc, mobile) = (
        keys_from(&h, "SDK_PC").await,
        keys_from(&h, "SDK_MOBILE").await,
    );
    assert!(pc.contains(&bk) && !pc.contains(&bk2), "{pc:?}");
    assert!(mobile.contains(&bk2) && !mobile.contains(&bk), "{mobile:?}");
    let api = keys_from(&h, "API").await;
    assert!(!api.contains(&bk) && !api.contains(&bk2), "{api:?}");
    // Payments too (`GET /payments` filter.platformType): the window's by its browser, the
    // billing-key charge by the API.
    let (pc, mobile, api) = (
        payments_from(&h, "SDK_PC").await,
        payments_from(&h, "SDK_MOBILE").await,
        payments_from(&h, "API").await,
    );
    assert!(
        mobile.contains(&id) && !pc.contains(&id) && !api.contains(&id),
        "{mobile:?}"
    );
    assert!(
        api.contains(&pay) && !pc.contains(&pay) && !mobile.contains(&pay),
        "{api:?}"
    );
    let pay2 = uid("mpay");
    let (st, v) = h
        .post(
            &format!("/payments/{pay2}/billing-key"),
            &json!({"billingKey": bk2, "orderName": "휴대폰 정기결제 2회차", "amount": {"total": 3300},
                    "currency": "KRW", "customer": {"id": "cust-1"}}),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    let p2 = get_payment(&h, &pay2).await;
    assert_eq!(p2["status"], "PAID");
    assert_eq!(p2["method"]["type"], "PaymentMethodMobile");
    let methods: Vec<String> = h
        .galaxia
        .ledger()
        .iter()
        .map(|e| e.method.clone())
        .collect();
    assert_eq!(methods, ["CARD", "MOBILE", "MOBILE"]);
    h.flush_webhooks().await;
    assert_eq!(
        h.hooks.types_for(&bk),
        ["BillingKey.Ready", "BillingKey.Issued"]
    );
    assert_eq!(
        h.hooks.types_for(&id),
        ["Transaction.Ready", "Transaction.Paid"]
    );
    assert_eq!(h.hooks.types_for(&bk2), ["BillingKey.Issued"]);

    // A declined card in the billing-key window: no key.
    let (s, ret) = window_return(
        &h,
        &issue_billing_key("galaxia-a", &uid("issue")),
        "approve",
        &card("4111111111110002"),
    )
    .await;
    let (status, location, _) = return_to_gateway(&h, &ret).await;
    assert_eq!(status, 302);
    assert_eq!(query(&location.unwrap())["code"], "FAILURE_TYPE_PG");
    let bk3 = s["billingKey"].as_str().unwrap();
    let (st, _) = h.get(&format!("/billing-keys/{bk3}")).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    h.flush_webhooks().await;
    assert_eq!(
        h.hooks.types_for(bk3),
        ["BillingKey.Ready", "BillingKey.Failed"]
    );
}

pub async fn group_and_virtual_account_windows(h: Arc<Harness>) {
    // A card window through the mixed group, for several ids: each lands on one channel, and
    // the payment records that channel and the group.
    let mut seen = std::collections::BTreeSet::new();
    for i in 0..6 {
        let id = uid(&format!("grp{i}"));
        let (s, ret) = window_return(
            &h,
            &payment(("channelGroupId", GROUP_MIXED), &id, "CARD", 1500),
            "approve",
            &card("4111111111111111"),
        )
        .await;
        let key = s["channel"]["key"].as_str().unwrap().to_string();
        assert_eq!(s["channelGroup"]["id"], GROUP_MIXED);
        let (status, _, body) = return_to_gateway(&h, &ret).await;
        assert_eq!(status, 302, "{body}");
        let p = get_payment(&h, &id).await;
        assert_eq!(p["status"], "PAID", "{p}");
        assert_eq!(p["channel"]["key"], key);
        assert_eq!(p["channelGroup"]["id"], GROUP_MIXED);
        seen.insert(key);
    }
    assert!(!seen.is_empty());

    // A virtual account (testwin completes it through checkout.complete; Galaxia's window
    // issues it itself: `galaxia_virtual_account_windows_issue_accounts`).
    let id = uid("va");
    let (_, ret) = window_return(
        &h,
        &payment(("channelKey", "testwin-a"), &id, "VIRTUAL_ACCOUNT", 45000),
        "approve",
        &[("bank", "SHINHAN".into())],
    )
    .await;
    assert_eq!(ret.charset, "UTF-8");
    let (status, location, _) = return_to_gateway(&h, &ret).await;
    assert_eq!(status, 302);
    assert!(!query(&location.unwrap()).contains_key("code"));
    let p = get_payment(&h, &id).await;
    assert_eq!(p["status"], "VIRTUAL_ACCOUNT_ISSUED", "{p}");
    assert_eq!(p["method"]["type"], "PaymentMethodVirtualAccount");
    assert_eq!(p["method"]["bank"], "SHINHAN");
    assert!(p["method"]["accountNumber"]
        .as_str()
        .unwrap()
        .starts_with("7777"));
    h.flush_webhooks().await;
    assert_eq!(
        h.hooks.types_for(&id),
        ["Transaction.Ready", "Transaction.VirtualAccountIssued"]
    );
    // testwin cancel: the adapter answers WindowFailed, so a failure with a redirect.
    let id = uid("twc");
    let (_, ret) = window_return(
        &h,
        &payment(("channelKey", "testwin-a"), &id, "CARD", 1000),
        "cancel",
        &[],
    )
    .await;
    let (status, location, _) = return_to_gateway(&h, &ret).await;
    assert_eq!(status, 302);
    assert_eq!(query(&location.unwrap())["pgCode"], "CANCEL");
    assert_eq!(get_payment(&h, &id).await["status"], "FAILED");
}

/// A window payment is recorded with the VAT its PG computes, as an API payment is: 1,007 won
/// is 91.5… won of VAT, 92 rounded half up (Galaxia), 91 truncated (Smartro).
pub async fn window_vat_follows_the_chosen_pg(h: Arc<Harness>) {
    for (channel, vat) in [("smartro-a", 91), ("galaxia-a", 92)] {
        // Letters and digits only: Smartro refuses other characters in a paymentId.
        let id = format!("vat{}", &uuid::Uuid::new_v4().simple().to_string()[..12]);
        let (s, v) = h
            .post(
                "/checkout/sessions",
                &payment(("channelKey", channel), &id, "CARD", 1007),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{channel}: {v}");
        let p = get_payment(&h, &id).await;
        assert_eq!(p["amount"]["total"], 1007, "{p}");
        assert_eq!(p["amount"]["vat"], vat, "{channel}: {p}");
    }
}

pub async fn no_redirect_url_shows_a_result_page(h: Arc<Harness>) {
    let id = uid("page");
    let mut b = payment(("channelKey", "galaxia-a"), &id, "CARD", 1000);
    b.as_object_mut().unwrap().remove("redirectUrl");
    let (_, ret) = window_return(&h, &b, "approve", &card("4111111111111111")).await;
    let (status, _, body) = return_to_gateway(&h, &ret).await;
    assert_eq!(status, 200);
    assert!(
        body.contains(&format!("id=\"result-paymentId\">{id}<")),
        "{body}"
    );
    // The shopper's page: Korean, the order and its amount, no developer dump.
    assert!(body.contains("id=\"title\">결제 완료<"), "{body}");
    assert!(body.contains("id=\"order-name\">테스트 주문<"), "{body}");
    assert!(body.contains("id=\"amount\">1,000원<"), "{body}");
    assert!(!body.contains("transactionType"), "{body}");

    // A declined card: 결제 실패 with the reason in Korean.
    let id = uid("page-declined");
    let mut b = payment(("channelKey", "galaxia-a"), &id, "CARD", 12500);
    b.as_object_mut().unwrap().remove("redirectUrl");
    let (_, ret) = window_return(&h, &b, "approve", &card("4111111111110002")).await;
    let (status, _, body) = return_to_gateway(&h, &ret).await;
    assert_eq!(status, 200);
    assert!(body.contains("id=\"title\">결제 실패<"), "{body}");
    assert!(body.contains("카드사에서 승인을 거절했습니다."), "{body}");
    assert!(body.contains("id=\"amount\">12,500원<"), "{body}");

    // Cancelled in the window.
    let id = uid("page-cancel");
    let mut b = payment(("channelKey", "galaxia-a"), &id, "CARD", 1000);
    b.as_object_mut().unwrap().remove("redirectUrl");
    let (_, ret) = window_return(&h, &b, "cancel", &[]).await;
    let (status, _, body) = return_to_gateway(&h, &ret).await;
    assert_eq!(status, 200);
    assert!(
        body.contains("id=\"message\">결제를 취소했습니다.<"),
        "{body}"
    );

    // A virtual account: where to deposit, the bank in Korean (the test window answers KOOKMIN).
    let id = uid("page-va");
    let mut b = payment(("channelKey", "testwin-a"), &id, "VIRTUAL_ACCOUNT", 45000);
    b.as_object_mut().unwrap().remove("redirectUrl");
    let (_, ret) = window_return(&h, &b, "approve", &[]).await;
    let (status, _, body) = return_to_gateway(&h, &ret).await;
    assert_eq!(status, 200);
    assert!(body.contains("id=\"title\">가상계좌 발급 완료<"), "{body}");
    assert!(body.contains("id=\"va-bank\">국민은행<"), "{body}");
    assert!(body.contains("id=\"va-account\">7777"), "{body}");
    assert!(body.contains("id=\"amount\">45,000원<"), "{body}");
}

pub async fn no_card_data_is_stored_or_logged(h: Arc<Harness>) {
    const CARD: &str = "4000123412341234";
    let (_, ret) = window_return(
        &h,
        &payment(("channelKey", "galaxia-a"), &uid("pci"), "CARD", 1000),
        "approve",
        &card(CARD),
    )
    .await;
    let (status, _, _) = return_to_gateway(&h, &ret).await;
    assert_eq!(status, 302);
    let (_, ret) = window_return(
        &h,
        &issue_billing_key("galaxia-a", &uid("pci")),
        "approve",
        &card(CARD),
    )
    .await;
    return_to_gateway(&h, &ret).await;
    let dump = h.dump().await;
    assert!(!dump.contains(CARD), "card number in the database");
    assert!(dump.contains("400012******1234"), "masked number stored");
    assert!(
        !minibrowser::unescape(&crate::harness::logs()).contains(CARD),
        "card number in the logs"
    );
}

pub async fn unknown_outcome_is_reconciled(h: Arc<Harness>) {
    // Test card …0098: approved at the PG, answered after the gateway gave up.
    let id = uid("late");
    let (s, ret) = window_return(
        &h,
        &payment(("channelKey", "galaxia-a"), &id, "CARD", 1000),
        "approve",
        &card("4111111111110098"),
    )
    .await;
    let (status, location, _) = return_to_gateway(&h, &ret).await;
    assert_eq!(status, 302);
    let q = query(&location.unwrap());
    assert_eq!(q["paymentId"], id);
    assert!(!q.contains_key("code"), "unknown is not a failure: {q:?}");
    assert_eq!(get_payment(&h, &id).await["status"], "PAY_PENDING");
    assert_eq!(
        session_status(&h, s["sessionId"].as_str().unwrap()).await,
        "COMPLETED"
    );
    // The reconciler asks the PG (by order id and the window's ORDER_DATE) and finds it paid.
    h.gw.reconcile_once().await.unwrap();
    assert_eq!(get_payment(&h, &id).await["status"], "PAID");
    assert_eq!(h.galaxia.ledger().len(), 1);
    h.flush_webhooks().await;
    assert_eq!(
        h.hooks.types_for(&id),
        ["Transaction.Ready", "Transaction.Paid"]
    );
}

/// An escrow window payment shows PortOne's `PaymentEscrow` (a union on `status`), not `{}`; a
/// payment without escrow has no `escrow` at all.
pub async fn escrow_windows_show_the_escrow_status(h: Arc<Harness>) {
    let id = uid("escrow");
    let mut body = payment(("channelKey", "galaxia-a"), &id, "TRANSFER", 30000);
    body["isEscrow"] = json!(true);
    let (_, ret) = window_return(&h, &body, "approve", &[]).await;
    assert_eq!(ret.get("RESPONSE_CODE"), Some("0000"), "{:?}", ret.fields);
    let (status, _, page) = return_to_gateway(&h, &ret).await;
    assert_eq!(status, 302, "{page}");
    let p = get_payment(&h, &id).await;
    assert_eq!(p["status"], "PAID", "{p}");
    assert_eq!(p["escrow"], json!({"status": "BEFORE_REGISTERED"}), "{p}");

    let id = uid("plain");
    let (_, ret) = window_return(
        &h,
        &payment(("channelKey", "galaxia-a"), &id, "TRANSFER", 30000),
        "approve",
        &[],
    )
    .await;
    let (status, _, page) = return_to_gateway(&h, &ret).await;
    assert_eq!(status, 302, "{page}");
    let p = get_payment(&h, &id).await;
    assert_eq!(p["status"], "PAID", "{p}");
    assert!(p.get("escrow").is_none(), "{p}");
    let plain = id;

    // `GET /payments` by `isEscrow` and `escrowStatus` (a delivery was never registered, so
    // no escrowStatus PortOne's filter names matches it); bad values name the field. The
    // two payments were completed from a PC browser (no mobile user agent): SDK_PC.
    let escrow = listed(&h, json!({"isEscrow": true})).await;
    let not_escrow = listed(&h, json!({"isEscrow": false})).await;
    let escrow_id = escrow.first().cloned().unwrap_or_default();
    assert!(escrow_id.starts_with("escrow"), "{escrow:?}");
    assert!(escrow.iter().all(|i| i.starts_with("escrow")), "{escrow:?}");
    assert!(not_escrow.contains(&plain) && !not_escrow.contains(&escrow_id));
    assert!(listed(&h, json!({"escrowStatus": "REGISTERED"}))
        .await
        .is_empty());
    let pc = listed(&h, json!({"platformType": "SDK_PC"})).await;
    assert!(pc.contains(&plain) && pc.contains(&escrow_id), "{pc:?}");
    for bad in [
        json!({"escrowStatus": "BEFORE_REGISTERED"}),
        json!({"isEscrow": "yes"}),
    ] {
        let body = json!({"filter": bad});
        let (s, v) = h.api(reqwest::Method::GET, "/payments", Some(&body)).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{body}: {v}");
        assert_eq!(v["type"], "INVALID_REQUEST", "{v}");
    }
}

/// The ids of the payments `GET /payments` lists with `filter`.
async fn listed(h: &Harness, filter: Value) -> Vec<String> {
    let body = json!({"filter": filter, "page": {"size": 1000}});
    let (s, v) = h.api(reqwest::Method::GET, "/payments", Some(&body)).await;
    assert_eq!(s, StatusCode::OK, "{body}: {v}");
    v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap().to_string())
        .collect()
}
