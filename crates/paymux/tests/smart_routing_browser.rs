//! The smart-routing founding document's `PortOne.requestPayment` call, as written, in headless
//! Chromium against the binary a user runs: `paymux serve` in sandbox mode, its demo channel
//! group, popup and redirect mode (`tests/browser/sdk.mjs`, flows `v2_smart_routing_example`
//! and `v2_smart_routing_redirect`). The group passes over the channels whose rules refuse the
//! document's request (Galaxia: no `customerId`; Smartro: the `-` in `payment-<uuid>`; Inicis:
//! its length) and those without a window (KSNET), and the payment is paid in the window of a
//! channel that takes it.
//!
//! Needs Chromium, Node.js and `tests/browser/node_modules` (`scripts/setup.sh`); skipped
//! loudly without them, and a failure under `CI`.
#![cfg(all(feature = "nice", feature = "tosspayments"))]

mod common;

use std::time::Duration;

use serde_json::Value;

const SECRET: &str = "smart-routing-browser-secret";

/// `sdk.mjs`'s `flows` against the sandbox `base` with `env`: one result per flow.
fn drive(base: &str, flows: &str, env: &[(&str, String)]) -> Vec<Value> {
    let mut all = vec![
        ("PAYMUX_BASE_URL", base.to_string()),
        ("PAYMUX_FLOWS", flows.to_string()),
        // The sandbox's own store and demo group (sdk.mjs's defaults, named here to be plain).
        ("PAYMUX_STORE_ID", "store-paymux-sandbox".to_string()),
        (
            "PAYMUX_GROUP_ID",
            paymux_gateway::server::SANDBOX_GROUP_ID.to_string(),
        ),
    ];
    all.extend_from_slice(env);
    let (ok, stdout, stderr) = common::browser::run("sdk.mjs", &all, Duration::from_secs(180));
    assert!(ok, "the browser run failed:\n{stderr}\n{stdout}");
    let results = common::browser::result(&stdout);
    results.as_array().cloned().unwrap_or_default()
}

async fn payment(base: &str, id: &str) -> Value {
    let (s, p) = common::call_as(
        SECRET,
        reqwest::Method::GET,
        format!("{base}/payments/{id}"),
        None,
    )
    .await;
    assert_eq!(s, 200, "{p}");
    p
}

/// The types of the sandbox's webhooks about `id`, once `Transaction.Paid` is among them.
async fn paid_webhooks(base: &str, id: &str) -> Vec<String> {
    let mut types = Vec::new();
    for _ in 0..50 {
        let (_, hooks) = common::call_as(
            SECRET,
            reqwest::Method::GET,
            format!("{base}/sandbox/webhooks"),
            None,
        )
        .await;
        types = hooks["items"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|h| h["body"]["data"]["paymentId"] == id)
            .filter_map(|h| h["type"].as_str().map(str::to_string))
            .collect();
        if types.iter().any(|t| t == "Transaction.Paid") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    types
}

#[test]
fn the_smart_routing_example_pays_through_the_sandbox_demo_group_in_chromium() {
    if !common::browser::can_run("smart-routing") {
        return;
    }
    let sb = common::start_sandbox("smart-routing-browser", SECRET);
    let results = drive(
        &sb.base,
        "v2_smart_routing_example,v2_smart_routing_redirect",
        &[],
    );
    assert_eq!(results.len(), 2, "{results:?}");

    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        for r in &results {
            let id = r["paymentId"].as_str().unwrap_or_default().to_string();
            assert!(id.starts_with("payment-"), "{r}");
            let p = payment(&sb.base, &id).await;
            assert_eq!(p["status"], "PAID", "{p}");
            assert_eq!(
                p["channelGroup"]["id"],
                paymux_gateway::server::SANDBOX_GROUP_ID,
                "{p}"
            );
            let key = p["channel"]["key"].as_str().unwrap_or_default();
            assert!(
                ["nice-test", "tosspayments-test"].contains(&key),
                "paid on a channel that takes the request: {p}"
            );
            // The channels passed over, each with its rule.
            let refused = p["routing"]["refused"].to_string();
            for named in [
                "galaxia-test",
                "customer.customerId",
                "smartro-test",
                "inicis-test",
            ] {
                assert!(refused.contains(named), "{named}: {p}");
            }
            // The merchant's server sees the same transaction the browser was told about.
            let told = r["response"]["txId"]
                .as_str()
                .or_else(|| r["query"]["txId"].as_str());
            assert_eq!(told, p["transactionId"].as_str(), "{r} {p}");
            // And its webhooks went out (the sandbox keeps them).
            let types = paid_webhooks(&sb.base, &id).await;
            assert!(
                types.iter().any(|t| t == "Transaction.Paid"),
                "{id}: {types:?}"
            );
        }
    });
}

/// PortOne's own npm package (`@portone/browser-sdk`, with paymux's script loaded first) and
/// `PortOne.requestPayment` in a popup, paid in Toss Payments' and NICE Pay's simulated windows
/// of the sandbox (`channelKey`: `tosspayments-test`, `nice-test`).
#[test]
fn portones_browser_sdk_pays_in_the_toss_and_nice_windows_in_chromium() {
    if !common::browser::can_run("Toss/NICE window") {
        return;
    }
    let sb = common::start_sandbox("toss-nice-browser", SECRET);
    let rt = tokio::runtime::Runtime::new().unwrap();
    for channel in ["tosspayments-test", "nice-test"] {
        let results = drive(
            &sb.base,
            "v2_npm_package,v2_popup",
            &[("PAYMUX_GALAXIA_CHANNEL", channel.to_string())],
        );
        assert_eq!(results.len(), 2, "{channel}: {results:?}");
        for r in &results {
            if let Some(why) = r["skipped"].as_str() {
                assert!(
                    std::env::var_os("CI").is_none(),
                    "{channel}: the @portone/browser-sdk flow did not run: {why}"
                );
                eprintln!("\n!!! SKIPPED: {channel}: {why}\n");
                continue;
            }
            let id = r["paymentId"].as_str().unwrap_or_default().to_string();
            rt.block_on(async {
                let p = payment(&sb.base, &id).await;
                assert_eq!(p["status"], "PAID", "{channel}: {p}");
                assert_eq!(p["channel"]["key"], channel, "{p}");
                assert_eq!(r["response"]["txId"], p["transactionId"], "{r} {p}");
                let types = paid_webhooks(&sb.base, &id).await;
                assert!(types.iter().any(|t| t == "Transaction.Paid"), "{types:?}");
            });
            if r["flow"] == "v2_npm_package" {
                assert_eq!(
                    r["cdnRequests"],
                    serde_json::json!([]),
                    "PortOne's CDN was not asked"
                );
            }
        }
    }
}
