//! The browser SDKs' session endpoints (`POST /browser/checkout`, `/browser/v1/checkout`)
//! over plain HTTP: what a hostile page can send, and the return to the result page.

use std::sync::Arc;

use paymux_core::channel::Environment;
use paymux_core::simulator::Simulator;
use paymux_gateway::config::BrowserStore;
use paymux_gateway::GatewayOptions;
use serde_json::{json, Value};

use crate::harness::*;
use crate::minibrowser::query;
use crate::scenarios::{answer_window, open_window, return_to_gateway};

/// The sandbox's store id.
pub const SANDBOX_STORE: &str = "store-paymux-sandbox";
/// The one origin of `store-other`.
pub const OTHER_ORIGIN: &str = "http://shop.other.example";
/// A merchant page's origin (the sandbox store takes any).
pub const SHOP_ORIGIN: &str = "http://shop.example";

/// Browser stores for the tests, and the sandbox's channel name `galaxia-test` (a copy of
/// `galaxia-a`, so the founding documents' calls run with the sandbox's channel key):
/// the sandbox store (any origin, every channel, test), `store-other` (one origin, only
/// `testwin-a`) and `store-live` (live channels and groups only).
pub fn browser_stores(o: &mut GatewayOptions) {
    let mut g = o
        .channels
        .iter()
        .find(|c| c.key == "galaxia-a")
        .expect("galaxia-a")
        .clone();
    g.key = "galaxia-test".into();
    o.channels.push(g);
    o.browser_stores = vec![
        BrowserStore::sandbox(SANDBOX_STORE),
        BrowserStore {
            id: "store-other".into(),
            origins: vec![OTHER_ORIGIN.into()],
            channels: vec!["testwin-a".into()],
            environment: Some(Environment::Test),
        },
        BrowserStore {
            id: "store-live".into(),
            origins: vec!["*".into()],
            channels: Vec::new(),
            environment: Some(Environment::Live),
        },
    ];
}

/// POST a browser-SDK body from a page of `origin`: (status, Access-Control-Allow-Origin, body).
async fn from_page(
    h: &Harness,
    path: &str,
    origin: &str,
    body: &Value,
) -> (u16, Option<String>, Value) {
    let r = h
        .http
        .post(h.url(path))
        .header("origin", origin)
        .json(body)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    let acao = r
        .headers()
        .get("access-control-allow-origin")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    (status, acao, r.json().await.unwrap_or(Value::Null))
}

/// A `requestPayment` body for `store` (popup mode).
fn pay(store: &str, channel: (&str, &str), id: &str) -> Value {
    let mut b = payment(channel, id, "CARD", 1000);
    b["storeId"] = json!(store);
    b.as_object_mut().unwrap().remove("redirectUrl");
    b["windowMode"] = json!("POPUP");
    b
}

async fn payment_absent(h: &Harness, id: &str) {
    let (s, v) = h.get(&format!("/payments/{id}")).await;
    assert_eq!(s.as_u16(), 404, "nothing may be recorded for {id}: {v}");
}

fn refused(status: u16, v: &Value, kind: &str, field: &str) {
    assert_eq!(status, 403, "{v}");
    assert_eq!(v["type"], kind, "{v}");
    let m = v["message"].as_str().unwrap_or_default();
    assert!(m.starts_with(field), "the message names {field}: {m}");
}

pub async fn browser_sessions_refuse_hostile_input(h: Arc<Harness>) {
    // An unknown storeId: refused before anything is read or recorded.
    let id = uid("sdk");
    let (s, acao, v) = from_page(
        &h,
        "/browser/checkout",
        SHOP_ORIGIN,
        &pay("store-nope", ("channelKey", "galaxia-test"), &id),
    )
    .await;
    refused(s, &v, "STORE_NOT_FOUND", "storeId");
    assert_eq!(acao.as_deref(), Some(SHOP_ORIGIN), "the SDK can read why");
    payment_absent(&h, &id).await;
    // The same through V1.
    let (s, _, v) = from_page(
        &h,
        "/browser/v1/checkout",
        SHOP_ORIGIN,
        &json!({"storeId": "store-nope", "params": {"pay_method": "card", "merchant_uid": id}}),
    )
    .await;
    refused(s, &v, "STORE_NOT_FOUND", "storeId");

    // A channel of another store (and an unknown one: the same answer).
    for key in ["galaxia-a", "no-such-channel"] {
        let (s, _, v) = from_page(
            &h,
            "/browser/checkout",
            OTHER_ORIGIN,
            &pay("store-other", ("channelKey", key), &id),
        )
        .await;
        refused(s, &v, "FORBIDDEN", "channelKey");
        payment_absent(&h, &id).await;
    }
    // A group with another store's channels.
    let (s, _, v) = from_page(
        &h,
        "/browser/checkout",
        OTHER_ORIGIN,
        &pay("store-other", ("channelGroupId", GROUP_MIXED), &id),
    )
    .await;
    refused(s, &v, "FORBIDDEN", "channelGroupId");
    // A test group, and a test channel, for a live store.
    let (s, _, v) = from_page(
        &h,
        "/browser/checkout",
        SHOP_ORIGIN,
        &pay("store-live", ("channelGroupId", GROUP_GALAXIA), &id),
    )
    .await;
    refused(s, &v, "FORBIDDEN", "channelGroupId");
    assert!(v["message"].as_str().unwrap().contains("test group"), "{v}");
    let (s, _, v) = from_page(
        &h,
        "/browser/checkout",
        SHOP_ORIGIN,
        &pay("store-live", ("channelKey", "galaxia-a"), &id),
    )
    .await;
    refused(s, &v, "FORBIDDEN", "channelKey");
    payment_absent(&h, &id).await;

    // A page of an origin the store does not list; and no Origin at all.
    let (s, _, v) = from_page(
        &h,
        "/browser/checkout",
        "http://evil.example",
        &pay("store-other", ("channelKey", "testwin-a"), &id),
    )
    .await;
    refused(s, &v, "FORBIDDEN", "Origin");
    let r = h
        .http
        .post(h.url("/browser/checkout"))
        .json(&pay("store-other", ("channelKey", "testwin-a"), &id))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 403);
    // Redirect mode back to a foreign site.
    let mut b = pay("store-other", ("channelKey", "testwin-a"), &id);
    b["windowMode"] = json!("REDIRECTION");
    b["redirectUrl"] = json!("https://evil.example/steal");
    let (s, _, v) = from_page(&h, "/browser/checkout", OTHER_ORIGIN, &b).await;
    refused(s, &v, "FORBIDDEN", "redirectUrl");
    b["windowMode"] = json!("FULLSCREEN");
    let (s, _, v) = from_page(&h, "/browser/checkout", OTHER_ORIGIN, &b).await;
    assert_eq!(s, 400, "{v}");
    assert!(v["message"].as_str().unwrap().starts_with("windowMode"));
    payment_absent(&h, &id).await;

    // CORS preflight: the store's origin only.
    let preflight = |origin: &'static str| {
        h.http
            .request(reqwest::Method::OPTIONS, h.url("/browser/checkout"))
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .send()
    };
    let r = preflight(OTHER_ORIGIN).await.unwrap();
    assert_eq!(r.status().as_u16(), 204);
    assert_eq!(
        r.headers()["access-control-allow-origin"].to_str().unwrap(),
        OTHER_ORIGIN
    );
    // The API itself answers no browser.
    let r = h
        .http
        .request(reqwest::Method::OPTIONS, h.url("/checkout/sessions"))
        .header("origin", OTHER_ORIGIN)
        .send()
        .await
        .unwrap();
    assert!(r.headers().get("access-control-allow-origin").is_none());

    // A V1 rule violation names the V1 parameter.
    let (s, _, v) = from_page(
        &h,
        "/browser/v1/checkout",
        SHOP_ORIGIN,
        &json!({"storeId": SANDBOX_STORE, "params": {"channelKey": "galaxia-test", "pay_method": "bitcoin", "merchant_uid": id, "name": "x", "amount": 1000}}),
    )
    .await;
    assert_eq!(s, 400, "{v}");
    assert!(v["message"].as_str().unwrap().contains("pay_method"), "{v}");
    payment_absent(&h, &id).await;
    // customer_uid names the billing key: a path segment, and never an existing key.
    let v1_key = |customer_uid: &str| {
        json!({"storeId": SANDBOX_STORE, "params": {"channelKey": "galaxia-test", "pay_method": "card",
            "merchant_uid": uid("m"), "name": "빌링키 발급", "amount": 1000, "customer_id": "matthew",
            "customer_uid": customer_uid, "bypass": {"galaxia": {"ITEM_CODE": "상품코드"}}}})
    };
    let (s, _, v) = from_page(&h, "/browser/v1/checkout", SHOP_ORIGIN, &v1_key("a/../b")).await;
    assert_eq!(s, 400, "{v}");
    assert!(
        v["message"].as_str().unwrap().starts_with("customer_uid"),
        "{v}"
    );
    let key = uid("cuid");
    let (s, _, v) = from_page(&h, "/browser/v1/checkout", SHOP_ORIGIN, &v1_key(&key)).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["billingKey"], key.as_str(), "{v}");
    let (s, _, v) = from_page(&h, "/browser/v1/checkout", SHOP_ORIGIN, &v1_key(&key)).await;
    assert_eq!(s, 409, "{v}");
    assert!(
        v["message"].as_str().unwrap().starts_with("customer_uid"),
        "{v}"
    );
    assert!(h.galaxia.ledger().is_empty(), "nothing reached the PG");
}

pub async fn browser_popup_return_posts_once(h: Arc<Harness>) {
    let id = uid("sdk");
    let (s, acao, v) = from_page(
        &h,
        "/browser/checkout",
        SHOP_ORIGIN,
        &pay(SANDBOX_STORE, ("channelKey", "galaxia-test"), &id),
    )
    .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(acao.as_deref(), Some(SHOP_ORIGIN));
    assert_eq!(v["paymentId"], id.as_str());
    assert_eq!(v["transactionType"], "PAYMENT");
    let tx = v["txId"].as_str().unwrap().to_string();
    assert!(
        v.get("sessionId").is_none() && v.get("channel").is_none(),
        "{v}"
    );
    // The amount recorded is the request's, for the merchant's server to compare.
    let (_, p) = h.get(&format!("/payments/{id}")).await;
    assert_eq!(p["status"], "READY");
    assert_eq!(p["amount"]["total"], 1000);

    let (_, win, url) = open_window(&h, v["checkoutUrl"].as_str().unwrap()).await;
    let ret = answer_window(
        &h,
        &win,
        &url,
        "approve",
        &[("cardNumber", "4111111111111111".to_string())],
    )
    .await;
    let (status, location, _) = return_to_gateway(&h, &ret).await;
    assert_eq!(status, 302);
    let location = location.unwrap();
    assert!(
        location.starts_with(&h.url("/browser/result?")),
        "{location}"
    );
    let q = query(&location);
    assert_eq!(q["origin"], SHOP_ORIGIN);
    assert_eq!(q["paymentId"], id);
    assert_eq!(q["txId"], tx);
    assert_eq!(q["transactionType"], "PAYMENT");
    assert!(!q.contains_key("code"), "{q:?}");
    // The result page posts exactly those fields, to the page's origin only.
    let page = h
        .http
        .get(&location)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("결제 완료"), "{page}");
    // The order, shown to whoever holds the txId (the window's own return).
    assert!(
        page.contains("<dd id=\"order-name\">테스트 주문</dd>") && page.contains("1,000원"),
        "{page}"
    );
    let other_tx = h
        .http
        .get(h.url(&format!(
            "/browser/result?paymentId={id}&txId=guess&transactionType=PAYMENT"
        )))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!other_tx.contains("테스트 주문"), "{other_tx}");
    let expected = json!({"paymentId": id, "txId": tx, "transactionType": "PAYMENT"});
    assert!(
        page.contains(&format!("postMessage({expected},\"{SHOP_ORIGIN}\")")),
        "{page}"
    );
    // A result page given a non-origin posts nothing.
    let forged = h
        .http
        .get(h.url("/browser/result?origin=javascript:alert(1)&paymentId=x"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!forged.contains("postMessage"), "{forged}");

    // The window's return replayed: refused, one approval at the PG.
    let (status, _, body) = return_to_gateway(&h, &ret).await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(h.galaxia.ledger().len(), 1);
    let (_, p) = h.get(&format!("/payments/{id}")).await;
    assert_eq!(p["status"], "PAID");
    h.flush_webhooks().await;
    assert_eq!(
        h.hooks.types_for(&id),
        ["Transaction.Ready", "Transaction.Paid"]
    );
}

pub async fn browser_v1_redirect_answers_m_redirect_url(h: Arc<Harness>) {
    let merchant_uid = uid("v1m");
    let params = |m_redirect_url: Value| {
        json!({"storeId": "store-other", "windowMode": "REDIRECTION", "params": {
            "channelKey": "testwin-a", "pay_method": "card", "merchant_uid": merchant_uid,
            "name": "주문명:결제테스트", "amount": 1000, "customer_id": "matthew",
            "m_redirect_url": m_redirect_url}})
    };
    // On a phone m_redirect_url is required, and must lead back to the store.
    for (url, status) in [(Value::Null, 400), (json!("https://evil.example/x"), 403)] {
        let (s, _, v) = from_page(&h, "/browser/v1/checkout", OTHER_ORIGIN, &params(url)).await;
        assert_eq!(s, status, "{v}");
        assert!(
            v["message"].as_str().unwrap().starts_with("m_redirect_url"),
            "{v}"
        );
    }
    payment_absent(&h, &merchant_uid).await;
    let back = format!("{OTHER_ORIGIN}/order/done?from=paymux");
    let (s, _, v) = from_page(
        &h,
        "/browser/v1/checkout",
        OTHER_ORIGIN,
        &params(json!(back)),
    )
    .await;
    assert_eq!(s, 200, "{v}");
    let (_, win, url) = open_window(&h, v["checkoutUrl"].as_str().unwrap()).await;
    let ret = answer_window(
        &h,
        &win,
        &url,
        "approve",
        &[("cardNumber", "4111111111111111".to_string())],
    )
    .await;
    let (status, location, _) = return_to_gateway(&h, &ret).await;
    assert_eq!(status, 302);
    let location = location.unwrap();
    assert!(
        location.starts_with(&h.url("/browser/v1/return?")),
        "{location}"
    );
    // The gateway's V1 return sends the browser to m_redirect_url in V1's words.
    let r = h.http.get(&location).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 302);
    let to = r.headers()["location"].to_str().unwrap().to_string();
    assert!(to.starts_with(&back), "{to}");
    let q = query(&to);
    assert_eq!(q["from"], "paymux");
    assert_eq!(q["merchant_uid"], merchant_uid);
    assert_eq!(q["imp_success"], "true");
    assert_eq!(q["imp_uid"], v["txId"].as_str().unwrap());
    assert!(!q.contains_key("error_code"), "{q:?}");
    let (_, p) = h.get(&format!("/payments/{merchant_uid}")).await;
    assert_eq!(p["status"], "PAID");
    // Anyone can write a V1 return URL: it never leads off the store's origins.
    let forged = reqwest::Url::parse_with_params(
        &h.url("/browser/v1/return"),
        &[
            ("store", "store-other"),
            ("to", "https://evil.example/"),
            ("txId", "x"),
        ],
    )
    .unwrap();
    let r = h.http.get(forged).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 400);
    assert!(r.headers().get("location").is_none());
}

/// Stores that name their origins (no `*`): only those may frame the customer's pages.
pub fn named_origin_stores(o: &mut GatewayOptions) {
    browser_stores(o);
    o.browser_stores
        .retain(|s| !s.origins.iter().any(|x| x == "*"));
    o.browser_stores.push(BrowserStore {
        id: "store-shop".into(),
        origins: vec![SHOP_ORIGIN.into(), OTHER_ORIGIN.into()],
        channels: vec!["galaxia-test".into()],
        environment: Some(Environment::Test),
    });
}

/// The pages a customer sees say who may frame them (`frame-ancestors`): the gateway and the
/// stores' origins, each once; API answers are not pages and carry no such policy.
pub async fn customer_pages_name_who_may_frame_them(h: Arc<Harness>) {
    for path in ["/browser/result?paymentId=x", "/checkout/no-such-session"] {
        let r = h.http.get(h.url(path)).send().await.unwrap();
        let csp = r
            .headers()
            .get("content-security-policy")
            .map(|v| v.to_str().unwrap().to_string());
        assert_eq!(
            csp.as_deref(),
            Some(format!("frame-ancestors 'self' {OTHER_ORIGIN} {SHOP_ORIGIN}").as_str()),
            "{path}"
        );
    }
    let r = h.http.get(h.url("/payments/x")).send().await.unwrap();
    assert!(r.headers().get("content-security-policy").is_none());
}
