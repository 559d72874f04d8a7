//! The browser SDKs through the binary a user runs: `paymux serve` in sandbox mode serves
//! `/v2/browser-sdk.js` and `/v1/iamport.js`, prints how to use them, and opens payment
//! windows for `store-paymux-sandbox` from any page without the API secret. (The windows
//! themselves are paid in headless Chromium by the gateway's `browser_sdks_in_headless_chromium`.)
#![cfg(all(feature = "galaxia", feature = "ksnet", feature = "smartro"))]

mod common;

use std::time::Duration;

use serde_json::{json, Value};

const SECRET: &str = "browser-sdk-e2e-secret";
const PAGE: &str = "http://shop.example";

async fn from_page(base: &str, body: &Value) -> (u16, Option<String>, Value) {
    let r = reqwest::Client::new()
        .post(format!("{base}/browser/checkout"))
        .header("origin", PAGE)
        .json(body)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    let acao = r
        .headers()
        .get("access-control-allow-origin")
        .map(|v| v.to_str().unwrap().to_string());
    (status, acao, r.json().await.unwrap())
}

fn uuid_like() -> String {
    format!("{:08x}-0000-4000-8000-{:012x}", std::process::id(), 42)
}

#[tokio::test]
async fn sandbox_serves_the_browser_sdks_for_its_store() {
    let sb = common::start_sandbox("browser-sdk", SECRET);
    let base = sb.base.clone();
    let http = reqwest::Client::new();

    // The scripts: JavaScript, cached briefly, defining PortOne's globals.
    for (path, global) in [
        ("/v2/browser-sdk.js", "window.PortOne = {"),
        ("/v1/iamport.js", "window.IMP = {"),
    ] {
        let r = http.get(format!("{base}{path}")).send().await.unwrap();
        assert_eq!(r.status().as_u16(), 200, "{path}");
        assert_eq!(
            r.headers()["content-type"].to_str().unwrap(),
            "text/javascript; charset=utf-8"
        );
        assert_eq!(
            r.headers()["cache-control"].to_str().unwrap(),
            "public, max-age=300"
        );
        assert!(r.text().await.unwrap().contains(global), "{path}");
    }

    // The banner says how.
    let mut printed = String::new();
    for _ in 0..100 {
        printed = sb.output.lock().unwrap().clone();
        if printed.contains("browser SDK:") {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(
        printed.contains(&format!(
            "<script src=\"{base}/v2/browser-sdk.js\"></script>"
        )) && printed.contains("storeId: \"store-paymux-sandbox\""),
        "{printed}"
    );

    // A page of any origin opens a window for the sandbox store (CORS answered), no secret.
    let r = http
        .request(reqwest::Method::OPTIONS, format!("{base}/browser/checkout"))
        .header("origin", PAGE)
        .header("access-control-request-method", "POST")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 204);
    assert_eq!(r.headers()["access-control-allow-origin"], PAGE);
    let id = format!("payment-{}", std::process::id());
    let body = json!({
        "storeId": "store-paymux-sandbox", "channelKey": "galaxia-test", "paymentId": id,
        "orderName": "테스트 주문", "totalAmount": 1000, "currency": "CURRENCY_KRW", "payMethod": "CARD",
        "customer": {"customerId": "cust-1", "fullName": "홍길동", "phoneNumber": "010-1234-5678", "email": "buyer@example.com"},
        "windowMode": "POPUP"
    });
    let (s, acao, v) = from_page(&base, &body).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(acao.as_deref(), Some(PAGE));
    assert!(
        v["checkoutUrl"]
            .as_str()
            .unwrap()
            .starts_with(&format!("{base}/checkout/cs_")),
        "{v}"
    );
    let (s, p) = common::call_as(
        SECRET,
        reqwest::Method::GET,
        format!("{base}/payments/{id}"),
        None,
    )
    .await;
    assert_eq!(s, 200, "{p}");
    assert_eq!(p["status"], "READY");
    assert_eq!(p["storeId"], "store-paymux-sandbox");
    assert_eq!(p["transactionId"], v["txId"]);

    // The smart-routing document's example through the demo group (README): Galaxia wants
    // `customer.customerId`, Smartro refuses the `-` in the id, Inicis its length and KSNET has
    // no window, so it opens on NICE or Toss, and the payment says why the others were skipped.
    let (_, groups) = common::call_as(
        SECRET,
        reqwest::Method::GET,
        format!("{base}/channel-groups"),
        None,
    )
    .await;
    let example = json!({
        "storeId": "store-paymux-sandbox", "channelGroupId": groups["items"][0]["id"],
        "paymentId": format!("payment-{}", uuid_like()), "orderName": "나이키 와플 트레이너 2 SD",
        "totalAmount": 1000, "currency": "CURRENCY_KRW", "payMethod": "CARD",
        "customer": {"fullName": "홍길동", "phoneNumber": "010-1234-5678", "email": "test@test.com"},
        "windowMode": "POPUP"
    });
    let (s, _, v) = from_page(&base, &example).await;
    assert_eq!(s, 200, "{v}");
    let (s, p) = common::call_as(
        SECRET,
        reqwest::Method::GET,
        format!("{base}/payments/{}", example["paymentId"].as_str().unwrap()),
        None,
    )
    .await;
    assert_eq!(s, 200, "{p}");
    let key = p["channel"]["key"].as_str().unwrap_or_default();
    assert!(["nice-test", "tosspayments-test"].contains(&key), "{p}");
    let refused = p["routing"]["refused"].to_string();
    for named in [
        "galaxia-test",
        "smartro-test",
        "customer.customerId",
        "paymentId",
    ] {
        assert!(refused.contains(named), "{p}");
    }

    // Another storeId is not the sandbox's.
    let mut other = body.clone();
    other["storeId"] = json!("store-someone-else");
    other["paymentId"] = json!(format!("{id}-2"));
    let (s, _, v) = from_page(&base, &other).await;
    assert_eq!(s, 403, "{v}");
    assert_eq!(v["type"], "STORE_NOT_FOUND");
}
