//! `GET /payments` applies PortOne's default range (`PaymentFilterInput.from`: 90 days before
//! `until`; `until`: now): a payment requested longer ago is listed only when `from` reaches it.

use std::sync::Arc;

use axum::http::StatusCode;
use serde_json::{json, Value};
use sqlx::Connection;

use crate::harness::*;

fn uid(prefix: &str) -> String {
    format!("{prefix}-{}", uuid::Uuid::new_v4().simple())
}

/// Move a payment's request and status-change times `days` back, in the gateway's database.
async fn backdate(h: &Harness, id: &str, days: i64) {
    let shift = days * 86_400_000_000;
    let q = "UPDATE payments SET requested_at = requested_at - $1, \
             status_changed_at = status_changed_at - $1 WHERE id = $2";
    let n = match h.backend {
        Backend::Postgres => {
            let mut c = sqlx::PgConnection::connect(&h.database_url).await.unwrap();
            let r = sqlx::query(q).bind(shift).bind(id).execute(&mut c).await;
            r.unwrap().rows_affected()
        }
        Backend::Sqlite => {
            let mut c = sqlx::SqliteConnection::connect(&h.database_url)
                .await
                .unwrap();
            let r = sqlx::query(q).bind(shift).bind(id).execute(&mut c).await;
            r.unwrap().rows_affected()
        }
    };
    assert_eq!(n, 1, "backdate {id}");
}

/// The ids of a `GET /payments` answer for `filter`, and its `totalCount`.
async fn listed(h: &Harness, filter: Value) -> (Vec<String>, i64) {
    let (s, v) = h
        .send(
            reqwest::Method::GET,
            "/payments",
            Some(&json!({"filter": filter})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{filter}: {v}");
    let ids = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap().to_string())
        .collect();
    (ids, v["page"]["totalCount"].as_i64().unwrap())
}

pub async fn payments_list_the_last_90_days_by_default(h: Arc<Harness>) {
    let (old, recent) = (uid("old"), uid("new"));
    for id in [&old, &recent] {
        let body = instant_body(("channelKey", "fake-a"), CARD_OK, 1000);
        let (s, v) = h.post(&format!("/payments/{id}/instant"), &body).await;
        assert_eq!(s, StatusCode::OK, "{v}");
    }
    backdate(&h, &old, 100).await;
    let now = chrono::Utc::now();
    let ago = |days: i64| (now - chrono::Duration::days(days)).to_rfc3339();

    // No range: the last 90 days only, counted the same way.
    assert_eq!(listed(&h, json!({})).await, (vec![recent.clone()], 1));
    // The default follows `until`: 90 days before it.
    assert_eq!(
        listed(&h, json!({"until": ago(95)})).await,
        (vec![old.clone()], 1)
    );
    assert_eq!(listed(&h, json!({"until": ago(200)})).await, (vec![], 0));
    // The same on the status-change time.
    let by_change = json!({"timestampType": "STATUS_CHANGED_AT"});
    assert_eq!(listed(&h, by_change).await, (vec![recent.clone()], 1));
    // An explicit `from` reaches the old payment; `until` is still now.
    let from = json!({"from": ago(120)});
    assert_eq!(
        listed(&h, from).await,
        (vec![recent.clone(), old.clone()], 2)
    );
    // Found by id only within the range, as PortOne.
    let by_id = |from: Option<String>| {
        let mut f = json!({"textSearch": [{"field": "PAYMENT_ID", "value": old}]});
        if let Some(from) = from {
            f["from"] = json!(from);
        }
        f
    };
    assert_eq!(listed(&h, by_id(None)).await, (vec![], 0));
    assert_eq!(
        listed(&h, by_id(Some(ago(120)))).await,
        (vec![old.clone()], 1)
    );
    // A `from` in the future with no `until`: an empty range, not an error.
    let later = (now + chrono::Duration::days(1)).to_rfc3339();
    assert_eq!(listed(&h, json!({"from": later})).await, (vec![], 0));
    // The by-cursor list has the same default.
    let (s, v) = h.get("/payments-by-cursor").await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let ids: Vec<&str> = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["payment"]["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [recent.as_str()]);
}
