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

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

const SECRET: &str = "smart-routing-browser-secret";

fn driver_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/browser")
}

fn chromium() -> String {
    std::env::var("PAYMUX_CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into())
}

fn node() -> String {
    std::env::var("PAYMUX_NODE").unwrap_or_else(|_| "node".into())
}

fn missing() -> Vec<String> {
    let mut m = Vec::new();
    if !std::path::Path::new(&chromium()).exists() {
        m.push(format!("Chromium at {}", chromium()));
    }
    if !Command::new(node())
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
    {
        m.push("Node.js".into());
    }
    if !driver_dir()
        .join("node_modules/playwright-core/package.json")
        .exists()
    {
        m.push("tests/browser/node_modules (npm ci there)".into());
    }
    m
}

#[test]
fn the_smart_routing_example_pays_through_the_sandbox_demo_group_in_chromium() {
    let missing = missing();
    if !missing.is_empty() {
        let what = missing.join("; ");
        assert!(
            std::env::var_os("CI").is_none(),
            "the smart-routing browser test cannot run: missing {what} (scripts/setup.sh)"
        );
        eprintln!("\n!!! SKIPPED: the smart-routing browser test did not run. Missing: {what}\n");
        return;
    }
    let sb = common::start_sandbox("smart-routing-browser", SECRET);
    let mut child = Command::new(node())
        .arg("sdk.mjs")
        .current_dir(driver_dir())
        .env("PAYMUX_BASE_URL", &sb.base)
        .env("PAYMUX_CHROMIUM", chromium())
        // The sandbox's own store and demo group (sdk.mjs's defaults, named here to be plain).
        .env("PAYMUX_STORE_ID", "store-paymux-sandbox")
        .env("PAYMUX_GROUP_ID", paymux_gateway::server::SANDBOX_GROUP_ID)
        .env(
            "PAYMUX_FLOWS",
            "v2_smart_routing_example,v2_smart_routing_redirect",
        )
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start node");
    let started = Instant::now();
    while child.try_wait().ok().flatten().is_none() {
        if started.elapsed() > Duration::from_secs(180) {
            // Our own child, by its handle.
            let _ = child.kill();
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    eprintln!("{stderr}");
    assert!(
        out.status.success(),
        "the browser run failed:\n{stderr}\n{stdout}"
    );
    let results: Vec<Value> = stdout
        .lines()
        .rev()
        .find_map(|l| l.strip_prefix("RESULT "))
        .and_then(|j| serde_json::from_str(j).ok())
        .unwrap_or_else(|| panic!("no RESULT line:\n{stdout}"));
    assert_eq!(results.len(), 2, "{results:?}");

    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        for r in &results {
            let id = r["paymentId"].as_str().unwrap_or_default().to_string();
            assert!(id.starts_with("payment-"), "{r}");
            let (s, p) = common::call_as(
                SECRET,
                reqwest::Method::GET,
                format!("{}/payments/{id}", sb.base),
                None,
            )
            .await;
            assert_eq!(s, 200, "{p}");
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
            let mut types = Vec::new();
            for _ in 0..50 {
                let (_, hooks) = common::call_as(
                    SECRET,
                    reqwest::Method::GET,
                    format!("{}/sandbox/webhooks", sb.base),
                    None,
                )
                .await;
                types = hooks["items"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter(|h| h["body"]["data"]["paymentId"] == id.as_str())
                    .filter_map(|h| h["type"].as_str().map(str::to_string))
                    .collect();
                if types.iter().any(|t| t == "Transaction.Paid") {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            assert!(
                types.iter().any(|t| t == "Transaction.Paid"),
                "{id}: {types:?}"
            );
        }
    });
}
