//! `paymux route` (offline) and `POST /channel-groups/{id}/explain` (the gateway) explain what
//! the gateway then does: for the same group and requests, the channel they name is the
//! channel the sandbox charges.
#![cfg(all(feature = "galaxia", feature = "ksnet", feature = "smartro"))]

mod common;

use std::process::Command;

use serde_json::{json, Value};

const SECRET: &str = "route-secret";
const GROUP_ID: &str = "channel-group-test-94ab2b51-b7e1-4b74-9a9c-9fb6e117a6ac";

fn route(dir: &std::path::Path, args: &[&str]) -> (i32, Value, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_paymux"))
        .arg("route")
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    (
        out.status.code().unwrap_or(-1),
        serde_json::from_str(&stdout).unwrap_or(Value::Null),
        String::from_utf8_lossy(&out.stderr).to_string(),
    )
}

fn body(customer_id: Option<&str>) -> Value {
    let mut customer = json!({ "name": { "full": "김포트" },
                               "phoneNumber": "01000001234", "email": "port@portone.io" });
    if let Some(id) = customer_id {
        customer["id"] = json!(id);
    }
    json!({
        "channelGroupId": GROUP_ID,
        "orderName": "월간 이용권 정기결제",
        "customer": customer,
        "amount": { "total": 8900 },
        "currency": "KRW",
        "productType": "PHYSICAL",
        "bypass": { "galaxia": { "ITEM_CODE": "ITEM0001" } },
        "method": { "card": { "credential": {
            "number": "0000123400001234", "expiryYear": "30", "expiryMonth": "12",
            "birthOrBusinessRegistrationNumber": "900101", "passwordTwoDigits": "00"
        } } }
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn route_names_the_channel_the_gateway_charges() {
    let sb = common::start_sandbox("route", SECRET);
    let base = sb.base.clone();
    let group = json!({
        "id": GROUP_ID, "name": "스마트 라우팅 테스트", "isForTest": true,
        "channels": [
            { "channelKey": "galaxia-test", "weight": 50 },
            { "channelKey": "ksnet-test", "weight": 30 },
            { "channelKey": "smartro-test", "weight": 20 }
        ]
    });
    let (s, r) = common::call_as(
        SECRET,
        reqwest::Method::PUT,
        format!("{base}/channel-groups/{GROUP_ID}"),
        Some(group.clone()),
    )
    .await;
    assert_eq!(s, 200, "{r}");
    let dir = sb.dir.clone();
    std::fs::write(dir.join("group.json"), group.to_string()).unwrap();

    let mut seen = std::collections::BTreeSet::new();
    for i in 0..40 {
        // Half without a customer id: Galaxia refuses those, and both must say so.
        let customer_id = (i % 2 == 0).then_some("customerId_2333");
        let id = format!("payment-{}", uuid::Uuid::new_v4());
        let mut file = body(customer_id);
        file["paymentId"] = json!(id);
        std::fs::write(dir.join("req.json"), file.to_string()).unwrap();
        let (code, x, err) = route(&dir, &["--group", "group.json", "--request", "req.json"]);
        assert_eq!(code, 0, "{err}");
        let predicted = x["channelKey"].as_str().unwrap().to_string();
        assert_eq!(
            x["skipped"]
                .as_array()
                .unwrap()
                .iter()
                .any(|s| s["channelKey"] == "galaxia-test" && s["refusedByRules"] == true),
            customer_id.is_none(),
            "{x}"
        );
        // The gateway's own explain answers the same, for the group in force.
        let (s, api) = common::call_as(
            SECRET,
            reqwest::Method::POST,
            format!("{base}/channel-groups/{GROUP_ID}/explain"),
            Some(file.clone()),
        )
        .await;
        assert_eq!(s, 200, "{api}");
        assert_eq!(api["channelKey"], predicted.as_str(), "{api}");
        assert_eq!(api["skipped"], x["skipped"], "{api}");
        let (s, r) = common::call_as(
            SECRET,
            reqwest::Method::POST,
            format!("{base}/payments/{id}/instant"),
            Some(body(customer_id)),
        )
        .await;
        assert_eq!(s, 200, "{r}");
        let (_, p) = common::call_as(
            SECRET,
            reqwest::Method::GET,
            format!("{base}/payments/{id}"),
            None,
        )
        .await;
        assert_eq!(p["channel"]["key"], predicted.as_str(), "{x}");
        seen.insert(predicted);
    }
    assert!(
        seen.contains("galaxia-test") && seen.contains("ksnet-test"),
        "{seen:?}"
    );

    // The explain endpoint: nothing was recorded for an explained id; hostile bodies get a
    // 400 naming the field, an unknown group 404, no secret 401.
    let url = format!("{base}/channel-groups/{GROUP_ID}/explain");
    let id = format!("payment-{}", uuid::Uuid::new_v4());
    let mut file = body(None);
    file["paymentId"] = json!(id);
    let (s, _) = common::call_as(SECRET, reqwest::Method::POST, url.clone(), Some(file)).await;
    assert_eq!(s, 200);
    let (s, _) = common::call_as(
        SECRET,
        reqwest::Method::GET,
        format!("{base}/payments/{id}"),
        None,
    )
    .await;
    assert_eq!(s, 404, "explain records nothing");
    for (bad, needle) in [
        (body(None), "paymentId"),
        (json!({"paymentId": 7}), "paymentId"),
        (json!([1, 2]), "body"),
        (
            json!({"paymentId": "p-1", "orderName": ["<script>"]}),
            "orderName",
        ),
        (json!({"paymentId": "p-1"}), "is required"),
    ] {
        let (s, r) = common::call_as(
            SECRET,
            reqwest::Method::POST,
            url.clone(),
            Some(bad.clone()),
        )
        .await;
        assert_eq!(s, 400, "{bad} -> {r}");
        let msg = r["message"].as_str().unwrap();
        assert!(msg.contains(needle), "{bad} -> {msg}");
        assert!(!msg.contains("<script>"), "the value is not echoed: {msg}");
    }
    let mut ok = body(None);
    ok["paymentId"] = json!("payment-1");
    let (s, r) = common::call_as(
        SECRET,
        reqwest::Method::POST,
        format!(
            "{base}/channel-groups/channel-group-test-00000000-0000-4000-8000-00000000dead/explain"
        ),
        Some(ok.clone()),
    )
    .await;
    assert_eq!(s, 404, "{r}");
    assert_eq!(r["type"], "CHANNEL_GROUP_NOT_FOUND");
    let (s, _) = common::call_as("wrong", reqwest::Method::POST, url, Some(ok)).await;
    assert_eq!(s, 401);

    // Bad input: a clear message, a non-zero exit.
    std::fs::write(dir.join("bad.json"), r#"{"name": "x", "isForTest": "yes"}"#).unwrap();
    let (code, _, err) = route(&dir, &["--group", "bad.json", "--request", "req.json"]);
    assert_eq!(code, 2);
    assert!(err.contains("isForTest"), "{err}");
    let (code, _, err) = route(
        &dir,
        &[
            "--group",
            "group.json",
            "--request",
            "req.json",
            "--operation",
            "payment.cancel",
        ],
    );
    assert_eq!(code, 2);
    assert!(err.contains("--operation"), "{err}");
}
