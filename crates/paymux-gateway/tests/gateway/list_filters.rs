//! `GET /billing-keys` by `pgCompanies` and `platformType` over HTTP: keys issued on the fake
//! PG (its descriptor says `KCP`), on NICE's simulator (`NICE`), and a super billing key on
//! both; the company is the channel adapter's, and a super key matches by any of its
//! channels. Unknown values, wrong types and huge lists are 400 naming the field, or answered.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::http::StatusCode;
use paymux_core::simulator::Simulator;
use paymux_nice::NiceSimulator;
use serde_json::{json, Value};

use crate::harness::{self, issue_body, Backend, Harness, CARD_OK};

const NICE: &str = "nice-bk";
const GROUP_FAKE_NICE: &str = "channel-group-test-0d0d0d0d-0000-4000-8000-000000000004";

/// Start NICE's simulator, add its channel and a group of it and `fake-a`, run the scenario.
pub async fn run(backend: Backend) {
    let nice = Arc::new(NiceSimulator::default());
    let handle = nice
        .clone()
        .start(SocketAddr::from(([127, 0, 0, 1], 0)))
        .await
        .unwrap();
    let channel = nice.sandbox_channel(NICE, &handle.endpoint());
    harness::run_with(
        backend,
        move |o| {
            o.channels.push(channel);
            o.channel_groups.push(json!({
                "id": GROUP_FAKE_NICE, "name": "fake and nice", "isForTest": true,
                "channels": [{"channelKey": "fake-a", "weight": 50}, {"channelKey": NICE, "weight": 50}],
            }));
        },
        move |h| async move {
            scenario(&h).await;
            drop(handle);
        },
    )
    .await
}

async fn list(h: &Harness, body: &Value) -> (StatusCode, Value) {
    h.send(reqwest::Method::GET, "/billing-keys", Some(body))
        .await
}

/// The keys a filter lists, newest first (and `totalCount` agrees).
async fn keys(h: &Harness, filter: Value) -> Vec<String> {
    let body = json!({"filter": filter, "page": {"size": 1000}});
    let (s, v) = list(h, &body).await;
    assert_eq!(s, StatusCode::OK, "{body}: {v}");
    let keys: Vec<String> = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["billingKey"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(v["page"]["totalCount"], keys.len(), "{body}: {v}");
    keys
}

async fn issue(h: &Harness, channel: (&str, &str), channels: usize) -> String {
    let (s, v) = h.post("/billing-keys", &issue_body(channel, CARD_OK)).await;
    assert_eq!(s, StatusCode::OK, "{channel:?}: {v}");
    let info = &v["billingKeyInfo"];
    assert_eq!(info["channels"].as_array().unwrap().len(), channels, "{v}");
    info["billingKey"].as_str().unwrap().to_string()
}

async fn scenario(h: &Harness) {
    let fake = issue(h, ("channelKey", "fake-a"), 1).await;
    let nice = issue(h, ("channelKey", NICE), 1).await;
    let both = issue(h, ("channelGroupId", GROUP_FAKE_NICE), 2).await;
    let all = vec![both.clone(), nice.clone(), fake.clone()];

    // pgCompanies: any of the key's channels.
    assert_eq!(keys(h, json!({})).await, all);
    assert_eq!(
        keys(h, json!({"pgCompanies": ["NICE"]})).await,
        [both.clone(), nice.clone()]
    );
    assert_eq!(
        keys(h, json!({"pgCompanies": ["KCP"]})).await,
        [both.clone(), fake.clone()]
    );
    assert_eq!(keys(h, json!({"pgCompanies": ["KCP", "NICE"]})).await, all);
    // Known companies no channel is: nothing.
    assert!(keys(h, json!({"pgCompanies": ["INICIS", "PAYLETTER"]}))
        .await
        .is_empty());
    assert!(keys(h, json!({"pgCompanies": []})).await.is_empty());
    // With the other filters: each applies (a super key has a FAKE_PG and a NICE channel).
    assert_eq!(
        keys(
            h,
            json!({"pgCompanies": ["NICE"], "pgProviders": ["FAKE_PG"]})
        )
        .await,
        [both.as_str()]
    );
    assert_eq!(
        keys(
            h,
            json!({"pgCompanies": ["NICE"], "channelGroupIds": [GROUP_FAKE_NICE]})
        )
        .await,
        [both.as_str()]
    );

    // platformType: all three came through the API.
    assert_eq!(keys(h, json!({"platformType": "API"})).await, all);
    assert!(keys(h, json!({"platformType": "SDK_PC"})).await.is_empty());
    assert!(keys(h, json!({"platformType": "SDK_MOBILE"}))
        .await
        .is_empty());
    assert_eq!(
        keys(h, json!({"platformType": "API", "pgCompanies": ["NICE"]})).await,
        [both.clone(), nice.clone()]
    );

    // Long lists of known companies are answered (up to the 64 KiB body limit); the first
    // unknown one is named; a larger body is refused whole.
    let mut many = vec![json!("NICE"); 8_000];
    let (s, v) = list(h, &json!({"filter": {"pgCompanies": many.clone()}})).await;
    assert_eq!(s, StatusCode::OK, "{}", v["message"]);
    assert_eq!(v["page"]["totalCount"], 2);
    many.push(json!("NOT_A_PG"));
    let (s, v) = list(h, &json!({"filter": {"pgCompanies": many}})).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
    assert!(
        v["message"]
            .as_str()
            .unwrap()
            .starts_with("filter.pgCompanies[8000]: must be a PortOne PgCompany"),
        "{v}"
    );
    let huge = vec![json!("NICE"); 100_000];
    let (s, v) = list(h, &json!({"filter": {"pgCompanies": huge}})).await;
    assert_eq!(s, StatusCode::PAYLOAD_TOO_LARGE, "{}", v["message"]);

    for (filter, names) in [
        (json!({"pgCompanies": ["nice"]}), "filter.pgCompanies[0]"),
        (
            json!({"pgCompanies": ["KCP", "NICE_V2"]}),
            "filter.pgCompanies[1]",
        ),
        (json!({"pgCompanies": ["KCP", ""]}), "filter.pgCompanies[1]"),
        (json!({"pgCompanies": "NICE"}), "filter.pgCompanies"),
        (json!({"pgCompanies": [1]}), "filter.pgCompanies"),
        (json!({"pgCompanies": {"0": "NICE"}}), "filter.pgCompanies"),
        (
            json!({"pgCompanies": null, "platformType": "PC"}),
            "filter.platformType",
        ),
        (json!({"platformType": "api"}), "filter.platformType"),
        (json!({"platformType": ["API"]}), "filter.platformType"),
        (json!({"platformType": 3}), "filter.platformType"),
    ] {
        let (s, v) = list(h, &json!({"filter": filter})).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{filter}: {v}");
        assert_eq!(v["type"], "INVALID_REQUEST", "{filter}: {v}");
        assert!(
            v["message"].as_str().unwrap().contains(names),
            "{filter}: {v}"
        );
    }
}
