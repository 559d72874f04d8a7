//! Reliability item 1 — Duplicates under concurrency: 200 concurrent requests carrying 20
//! paymentIds (10 each), on SQLite (one gateway) and on PostgreSQL (two gateways sharing the
//! database). Exactly one approval per paymentId in the simulators' ledgers; every other request a
//! PortOne 409; no 5xx.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::harness::*;

const PER_ID: usize = 10;

async fn run(backend: Backend, instances: usize) {
    let members = [("galaxia", 50), ("ksnet", 50)];
    let Some(sc) = Scenario::new(backend, "dup", &members, 5000, None).await else {
        return;
    };
    let (sims, group) = (&sc.sims, &sc.group);
    let gateways: Vec<_> = (0..instances).map(|_| sc.gateway("warn")).collect();
    let apis: Vec<Api> = gateways.iter().map(|g| Api::new(&g.base)).collect();

    let ids: Vec<String> = (0..20 * scale())
        .map(|i| format!("dup{}{i:05}", tag(backend)))
        .collect();
    // Every id 10 times, interleaved, spread over the instances; all in flight at once.
    let mut tasks = tokio::task::JoinSet::new();
    let started = Instant::now();
    for round in 0..PER_ID {
        for (i, id) in ids.iter().enumerate() {
            let api = apis[(round + i) % apis.len()].clone();
            let (id, group) = (id.clone(), group.clone());
            tasks.spawn(async move {
                let body = card_body(("channelGroupId", &group), CARD_OK, 1000 + i as i64);
                let (s, r) = api
                    .call(
                        reqwest::Method::POST,
                        &format!("/payments/{id}/instant"),
                        Some(body),
                    )
                    .await;
                (id, s, r)
            });
        }
    }
    let mut by_id: BTreeMap<String, Vec<(u16, Value)>> = BTreeMap::new();
    while let Some(r) = tasks.join_next().await {
        let (id, s, r) = r.unwrap();
        by_id.entry(id).or_default().push((s, r));
    }
    let elapsed = started.elapsed();
    let mut statuses: BTreeMap<String, usize> = BTreeMap::new();
    for (id, answers) in &by_id {
        assert_eq!(answers.len(), PER_ID);
        let ok = answers.iter().filter(|(s, _)| *s == 200).count();
        assert_eq!(ok, 1, "{id}: exactly one request is approved: {answers:?}");
        for (s, r) in answers {
            let kind = r["type"].as_str().unwrap_or("");
            *statuses.entry(format!("{s} {kind}")).or_insert(0) += 1;
            assert!(
                *s == 200
                    || (*s == 409 && matches!(kind, "ALREADY_PAID" | "ALREADY_PAID_OR_WAITING")),
                "{id}: a duplicate gets a PortOne 409, got {s} {r}"
            );
        }
    }
    let payments = apis[0].wait_settled(&ids, Duration::from_secs(30)).await;
    let counts = assert_books_agree(&payments, sims);
    assert_eq!(counts.get("PAID"), Some(&ids.len()), "{counts:?}");
    let approvals = sims
        .ledger()
        .iter()
        .filter(|(_, e)| ids.contains(&e.order_id))
        .count();
    assert_eq!(
        approvals,
        ids.len(),
        "one approval per paymentId in the ledgers"
    );
    report(
        &format!("1 duplicates ({backend:?}, {instances} instance(s))"),
        &format!(
            "{} requests, {} paymentIds, {} approvals at the PGs, answers {statuses:?}, {:.1} s",
            ids.len() * PER_ID,
            ids.len(),
            approvals,
            elapsed.as_secs_f64()
        ),
    );
    sc.finish(gateways).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn duplicates_on_sqlite_reach_the_pg_once() {
    run(Backend::Sqlite, 1).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn duplicates_on_postgres_with_two_instances_reach_the_pg_once() {
    run(Backend::Postgres, 2).await;
}
