//! The browser SDKs in a real browser: headless Chromium driven by `tests/browser/sdk.mjs`
//! loads merchant pages (on their own origin) that call `IMP.request_pay` (the Galaxia
//! document's card payment, as written) and `PortOne.requestPayment` (popup, declined,
//! redirect), against this harness's gateway with the sandbox's store and channel names; then
//! the gateway's side is checked here: the payment's state, its webhooks, Galaxia's books.
//!
//! Needs what [`crate::browser`] needs; skipped loudly without it (a failure under `CI`).

use std::process::{Command, Stdio};
use std::sync::Arc;

use paymux_core::simulator::Simulator;
use serde_json::Value;

use crate::browser::{chromium, driver_dir, missing, node, run_driver};
use crate::harness::*;
use crate::sdk::{browser_stores, SANDBOX_STORE};

pub async fn run() {
    let missing = missing();
    if !missing.is_empty() {
        let what = missing.join("; ");
        assert!(
            std::env::var_os("CI").is_none(),
            "the headless-Chromium browser-SDK test cannot run: missing {what}"
        );
        eprintln!(
            "\n!!! SKIPPED: the headless-Chromium browser-SDK test did not run. Missing: {what}\n"
        );
        return;
    }
    run_with(Backend::Sqlite, browser_stores, scenario).await;
    // The document's third call reuses the first two's merchant_uid and customer_uid: a
    // fresh gateway.
    run_with(Backend::Sqlite, browser_stores, phone_scenario).await;
}

/// Every flow but the phone billing-key-and-pay.
const FLOWS: &str =
    "v1_galaxia_card,v1_galaxia_billing_key,v2_popup,v2_popup_declined,v2_iframe,v2_redirect,v2_phone,v2_npm_package,\
     v2_issue_billing_key,v2_issue_billing_key_and_pay,v1_rule_violation,\
     v2_popup_blocked,v2_smart_routing_example,v2_tampered_amount";

/// The paymentId pre-registered at 1,000 won that the tampered-amount flow tries to pay 10.
const PREREGISTERED: &str = "payment-3f1a2b4c-0000-4000-8000-00000000pre0";

/// Where the screenshots go (the test's artifacts).
fn artifacts() -> std::path::PathBuf {
    std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("browser-sdk")
}

/// The screenshots every run writes.
const SHOTS: &[&str] = &[
    "desktop-1280x800-merchant",
    "desktop-1280x800-pg-window",
    "desktop-1280x800-result",
    "phone-390x844-merchant",
    "phone-390x844-pg-window",
    "phone-390x844-result",
];

/// Run `sdk.mjs` (in a blocking thread: the gateway keeps serving on this runtime).
async fn drive(h: &Harness, flows: &str) -> (bool, Vec<Value>, String) {
    // The merchant's server pre-registers what the tampered-amount flow must pay.
    let (s, v) = h
        .post(
            &format!("/payments/{PREREGISTERED}/pre-register"),
            &serde_json::json!({"storeId": SANDBOX_STORE, "totalAmount": 1000, "currency": "KRW"}),
        )
        .await;
    assert_eq!(s.as_u16(), 200, "{v}");
    let mut cmd = Command::new(node());
    cmd.arg("sdk.mjs")
        .env("PAYMUX_FLOWS", flows)
        .env("PAYMUX_ARTIFACTS", artifacts())
        .current_dir(driver_dir())
        .env("PAYMUX_BASE_URL", &h.gw.base_url)
        .env("PAYMUX_STORE_ID", SANDBOX_STORE)
        .env("PAYMUX_GALAXIA_CHANNEL", "galaxia-test")
        .env("PAYMUX_GROUP_ID", GROUP_MIXED)
        .env("PAYMUX_PREREGISTERED_ID", PREREGISTERED)
        .env("PAYMUX_CHROMIUM", chromium())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    run_driver(cmd).await
}

fn flow<'a>(results: &'a [Value], name: &str) -> &'a Value {
    results
        .iter()
        .find(|r| r["flow"] == name)
        .unwrap_or_else(|| panic!("no result for flow {name}: {results:?}"))
}

fn text(v: &Value) -> String {
    v.as_str().unwrap_or_default().to_string()
}

/// The payment is PAID through `galaxia-test` for `amount`, its webhooks went out, and
/// Galaxia's books hold one approval for it with the payment's PG transaction id.
async fn paid(h: &Harness, id: &str, amount: i64) -> Value {
    let (s, p) = h.get(&format!("/payments/{id}")).await;
    assert_eq!(s.as_u16(), 200, "{p}");
    assert_eq!(p["status"], "PAID", "{p}");
    assert_eq!(p["storeId"], SANDBOX_STORE, "{p}");
    assert_eq!(p["channel"]["key"], "galaxia-test", "{p}");
    assert_eq!(p["amount"]["paid"], amount, "{p}");
    assert_eq!(
        h.hooks.types_for(id),
        ["Transaction.Ready", "Transaction.Paid"]
    );
    let books: Vec<_> = h
        .galaxia
        .ledger()
        .into_iter()
        .filter(|e| e.order_id == id)
        .collect();
    assert_eq!(books.len(), 1, "{books:?}");
    assert_eq!(p["pgTxId"], books[0].pg_tx_id.as_str(), "{p}");
    assert_eq!(books[0].amount.get(), amount);
    p
}

async fn scenario(h: Arc<Harness>) {
    let _ = std::fs::remove_dir_all(artifacts());
    std::fs::create_dir_all(artifacts()).unwrap();
    let (ok, results, output) = drive(&h, FLOWS).await;
    eprintln!("{output}");
    assert!(ok, "the browser run failed:\n{output}");
    assert_eq!(results.len(), 14, "{results:?}");
    h.flush_webhooks().await;

    // 1. The Galaxia document's IMP.request_pay (card): rsp, and the payment PAID.
    let r = flow(&results, "v1_galaxia_card");
    let rsp = &r["rsp"];
    assert_eq!(rsp["success"], true, "{rsp}");
    assert_eq!(rsp["merchant_uid"], "orderNo0001");
    let p = paid(&h, "orderNo0001", 1000).await;
    assert_eq!(rsp["imp_uid"], p["transactionId"], "{rsp} {p}");
    assert_eq!(p["customer"]["id"], "matthew", "{p}");
    assert_eq!(r["popupClosed"], true);

    // 2. PortOne.requestPayment in a popup: exactly PortOne's fields, and PAID.
    let r = flow(&results, "v2_popup");
    let id = text(&r["paymentId"]);
    let resp = &r["response"];
    let p = paid(&h, &id, 1000).await;
    let mut keys: Vec<_> = resp.as_object().unwrap().keys().cloned().collect();
    keys.sort();
    assert_eq!(keys, ["paymentId", "transactionType", "txId"], "{resp}");
    assert_eq!(resp["paymentId"], id.as_str());
    assert_eq!(resp["transactionType"], "PAYMENT");
    assert_eq!(resp["txId"], p["transactionId"]);
    assert_eq!(r["popupClosed"], true);
    assert!(
        !results
            .to_vec()
            .iter()
            .any(|r| r.to_string().contains("forged")),
        "a forged message was taken: {results:?}"
    );

    // 3. A declined card: code, message and the PG's code; the payment FAILED.
    let r = flow(&results, "v2_popup_declined");
    let id = text(&r["paymentId"]);
    let resp = &r["response"];
    assert_eq!(resp["code"], "FAILURE_TYPE_PG", "{resp}");
    assert!(
        resp["message"].is_string() && resp["pgCode"].is_string(),
        "{resp}"
    );
    let (_, p) = h.get(&format!("/payments/{id}")).await;
    assert_eq!(p["status"], "FAILED", "{p}");

    // 4. The document's billing-key window: the key is named by customer_uid, no charge.
    let r = flow(&results, "v1_galaxia_billing_key");
    let rsp = &r["rsp"];
    assert_eq!(rsp["success"], true, "{rsp}");
    assert_eq!(rsp["customer_uid"], "your-customer-unique-id", "{rsp}");
    assert_eq!(rsp["paid_amount"], 0, "{rsp}");
    let (s, k) = h.get("/billing-keys/your-customer-unique-id").await;
    assert_eq!(s.as_u16(), 200, "{k}");
    assert_eq!(k["status"], "ISSUED", "{k}");
    assert_eq!(k["issueId"], "orderMonthly0001", "{k}");
    assert_eq!(k["customer"]["id"], "matthew", "{k}");
    assert_eq!(
        h.hooks.types_for("your-customer-unique-id"),
        ["BillingKey.Ready", "BillingKey.Issued"]
    );
    // The key pays through the API.
    let (s, v) = h
        .post(
            &format!("/payments/{}/billing-key", uid("bk")),
            &serde_json::json!({"billingKey": "your-customer-unique-id", "orderName": "월간 구독 1회차",
                    "amount": {"total": 9900}, "currency": "KRW", "customer": {"id": "matthew"}}),
        )
        .await;
    assert_eq!(s.as_u16(), 200, "{v}");

    // 5. Iframe mode: resolved from the frame, which is removed.
    let r = flow(&results, "v2_iframe");
    let id = text(&r["paymentId"]);
    let p = paid(&h, &id, 1000).await;
    assert_eq!(r["response"]["txId"], p["transactionId"]);
    assert_eq!(r["frameGone"], true);

    // 6. Redirect mode: back on redirectUrl with the fields as query parameters.
    let r = flow(&results, "v2_redirect");
    let id = text(&r["paymentId"]);
    let q = &r["query"];
    let p = paid(&h, &id, 1000).await;
    assert_eq!(q["paymentId"], id.as_str(), "{q}");
    assert_eq!(q["txId"], p["transactionId"], "{q}");
    assert_eq!(q["transactionType"], "PAYMENT", "{q}");
    assert!(q.get("code").is_none(), "{q}");

    // 7. On a phone: redirect mode without windowType.
    let r = flow(&results, "v2_phone");
    let id = text(&r["paymentId"]);
    let p = paid(&h, &id, 1000).await;
    assert_eq!(r["query"]["txId"], p["transactionId"]);
    assert_eq!(p["origin"]["platformType"], "MOBILE", "{p}");

    // 8. PortOne's own npm package, with paymux's script loaded first.
    let r = flow(&results, "v2_npm_package");
    if let Some(why) = r["skipped"].as_str() {
        assert!(
            std::env::var_os("CI").is_none(),
            "the @portone/browser-sdk flow did not run: {why}"
        );
        eprintln!("\n!!! SKIPPED: the @portone/browser-sdk flow did not run: {why}\n");
    } else {
        let id = text(&r["paymentId"]);
        let p = paid(&h, &id, 1000).await;
        assert_eq!(r["response"]["txId"], p["transactionId"], "{r}");
        assert_eq!(
            r["cdnRequests"],
            serde_json::json!([]),
            "PortOne's CDN was not asked"
        );
    }

    // 9. PortOne.requestIssueBillingKey: the key, and nothing charged.
    let r = flow(&results, "v2_issue_billing_key");
    let resp = &r["response"];
    let mut keys: Vec<_> = resp.as_object().unwrap().keys().cloned().collect();
    keys.sort();
    assert_eq!(keys, ["billingKey", "transactionType"], "{resp}");
    assert_eq!(resp["transactionType"], "ISSUE_BILLING_KEY");
    let bk = text(&resp["billingKey"]);
    let (_, k) = h.get(&format!("/billing-keys/{bk}")).await;
    assert_eq!(k["status"], "ISSUED", "{k}");
    assert_eq!(k["issueId"], r["issueId"], "{k}");

    // 10. PortOne.requestIssueBillingKeyAndPay (phone): paid, with its key.
    let r = flow(&results, "v2_issue_billing_key_and_pay");
    let id = text(&r["paymentId"]);
    let resp = &r["response"];
    assert_eq!(
        resp["transactionType"], "ISSUE_BILLING_KEY_AND_PAY",
        "{resp}"
    );
    let p = paid(&h, &id, 3300).await;
    assert_eq!(resp["billingKey"], p["billingKey"], "{resp} {p}");
    assert_eq!(resp["txId"], p["transactionId"], "{resp} {p}");

    // 11. A V1 rule violation: error_msg names the parameter; nothing recorded or charged.
    let r = flow(&results, "v1_rule_violation");
    let rsp = &r["rsp"];
    assert_eq!(rsp["success"], false, "{rsp}");
    assert!(text(&rsp["error_msg"]).contains("ITEM_CODE"), "{rsp}");
    assert_eq!(r["popups"], 0, "the popup is closed: {r}");
    let (s, _) = h
        .get(&format!("/payments/{}", text(&rsp["merchant_uid"])))
        .await;
    assert_eq!(s.as_u16(), 404);

    // 12. A blocked popup: the window opens over the page instead, and pays.
    let r = flow(&results, "v2_popup_blocked");
    let id = text(&r["paymentId"]);
    let p = paid(&h, &id, 1000).await;
    assert_eq!(r["response"]["txId"], p["transactionId"]);
    assert_eq!(r["pages"], 1, "no popup: {r}");

    // 13. The smart-routing document's example through a group of Galaxia and the test PG:
    // its customer has no customerId, which Galaxia's rules require, so the group routes it to
    // the test PG (the sandbox demo group has no such channel: see the README).
    let r = flow(&results, "v2_smart_routing_example");
    let id = text(&r["paymentId"]);
    assert!(id.starts_with("payment-"), "{r}");
    let (_, p) = h.get(&format!("/payments/{id}")).await;
    assert_eq!(p["status"], "PAID", "{p}");
    assert_eq!(p["channelGroup"]["id"], GROUP_MIXED, "{p}");
    assert_eq!(p["channel"]["key"], "testwin-a", "{p}");
    let refused = p["routing"]["refused"].to_string();
    assert!(
        refused.contains("galaxia-a") && refused.contains("customerId"),
        "Galaxia was passed over for the missing customerId: {p}"
    );
    assert_eq!(r["response"]["txId"], p["transactionId"], "{r}");
    assert_eq!(
        h.hooks.types_for(&id),
        ["Transaction.Ready", "Transaction.Paid"]
    );

    // 14. A tampered amount after pre-registration: refused, no popup left, nothing
    // recorded or charged.
    let r = flow(&results, "v2_tampered_amount");
    let resp = &r["response"];
    assert!(
        text(&resp["message"]).contains("pre-registered totalAmount 1000"),
        "{resp}"
    );
    assert_eq!(r["pages"], 1, "the popup is closed: {r}");
    let (s, p) = h.get(&format!("/payments/{PREREGISTERED}")).await;
    assert!(s.as_u16() == 404 || p["status"] != "PAID", "{p}");
    assert!(
        !h.galaxia
            .ledger()
            .iter()
            .any(|e| e.order_id == PREREGISTERED),
        "charged at the PG"
    );

    // The screenshots, as PNGs.
    for name in SHOTS {
        let path = artifacts().join(format!("{name}.png"));
        let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert!(bytes.starts_with(b"\x89PNG"), "{}", path.display());
    }
    eprintln!("screenshots: {}", artifacts().display());
}

/// The Galaxia document's phone billing-key-and-pay: paid, and a mobile key named by
/// customer_uid.
async fn phone_scenario(h: Arc<Harness>) {
    let (ok, results, output) = drive(&h, "v1_galaxia_phone").await;
    eprintln!("{output}");
    assert!(ok, "the browser run failed:\n{output}");
    h.flush_webhooks().await;
    let rsp = &flow(&results, "v1_galaxia_phone")["rsp"];
    assert_eq!(rsp["success"], true, "{rsp}");
    assert_eq!(rsp["customer_uid"], "your-customer-unique-id", "{rsp}");
    assert_eq!(rsp["paid_amount"], 1000, "{rsp}");
    let p = paid(&h, "orderNo0001", 1000).await;
    assert_eq!(p["method"]["type"], "PaymentMethodMobile", "{p}");
    assert_eq!(p["billingKey"], "your-customer-unique-id", "{p}");
    assert_eq!(rsp["imp_uid"], p["transactionId"], "{rsp}");
    let (_, k) = h.get("/billing-keys/your-customer-unique-id").await;
    assert_eq!(k["status"], "ISSUED", "{k}");
    assert_eq!(
        k["methods"][0]["type"], "BillingKeyPaymentMethodMobile",
        "{k}"
    );
}
