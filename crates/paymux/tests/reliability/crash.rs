//! Reliability item 3 — Crash: the gateway is SIGKILLed while instant payments and scheduled
//! payments are in flight (some PG answers take 3 s) and while every webhook is still in the outbox
//! (the merchant's endpoint refuses them until the restart). Started again on the same database:
//! every payment ends PAID, FAILED or CANCELLED consistently with the PG ledgers, every schedule
//! ran exactly once, and every final webhook arrives.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use reqwest::Method as M;
use serde_json::{json, Value};

use crate::harness::*;

async fn issue_key(api: &Api, card: &str) -> String {
    let (s, r) = issue_billing_key(api, ("channelKey", "galaxia-rel"), card).await;
    assert_eq!(s, 200, "{r}");
    r["billingKeyInfo"]["billingKey"]
        .as_str()
        .unwrap()
        .to_string()
}

async fn schedule_statuses(api: &Api, ids: &[String]) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for id in ids {
        let (s, r) = api
            .call(M::GET, &format!("/payment-schedules/{id}"), None)
            .await;
        assert_eq!(s, 200, "{r}");
        out.insert(id.clone(), r["status"].as_str().unwrap().to_string());
    }
    out
}

fn tally<'a>(it: impl Iterator<Item = &'a str>) -> BTreeMap<String, usize> {
    let mut m = BTreeMap::new();
    for s in it {
        *m.entry(s.to_string()).or_insert(0) += 1;
    }
    m
}

async fn run(backend: Backend) {
    let hooks = start_hooks().await;
    let members = [("galaxia", 50), ("ksnet", 50)];
    let Some(sc) = Scenario::new(backend, "crash", &members, 1000, Some(&hooks.url)).await else {
        return;
    };
    let tag = tag(backend);
    let mut gw = sc.gateway("info");
    let api = Api::new(&gw.base);
    // The merchant's endpoint is down until the restart: every webhook stays in the outbox.
    hooks.accepting.store(false, Ordering::SeqCst);
    let key_ok = issue_key(&api, CARD_OK).await;
    // Charges with this key are approved, but answered after the gateway's read timeout.
    let key_late = issue_key(&api, CARD_LATE).await;

    let s = scale();
    let due = chrono::Utc::now() + chrono::Duration::milliseconds(1500);
    let mut schedule_ids = Vec::new();
    let mut scheduled_payments = Vec::new();
    for i in 0..10 * s {
        let pid = format!("crsch{tag}{i:05}");
        let key = if i % 2 == 0 { &key_ok } else { &key_late };
        let (st, r) = api
            .call(
                M::POST,
                &format!("/payments/{pid}/schedule"),
                Some(json!({
                    "payment": {
                        "billingKey": key,
                        "orderName": "정기결제",
                        "amount": { "total": 3000 + i as i64 },
                        "currency": "KRW",
                        "customer": customer(),
                        "productType": "PHYSICAL",
                        "bypass": { "galaxia": { "ITEM_CODE": "ITEM0001" } }
                    },
                    "timeToPay": due.to_rfc3339()
                })),
            )
            .await;
        assert_eq!(st, 200, "{r}");
        schedule_ids.push(r["schedule"]["id"].as_str().unwrap().to_string());
        scheduled_payments.push(pid);
    }

    // Instant payments in flight when the schedules come due; the kill lands among them.
    tokio::time::sleep_until(
        tokio::time::Instant::now()
            + (due - chrono::Utc::now())
                .to_std()
                .unwrap_or_default()
                .saturating_sub(Duration::from_millis(300)),
    )
    .await;
    let mut tasks = tokio::task::JoinSet::new();
    let mut instant_ids = Vec::new();
    for i in 0..30 * s {
        let id = format!("crpay{tag}{i:05}");
        instant_ids.push(id.clone());
        let card = if i % 3 == 0 { CARD_LATE } else { CARD_OK };
        let (api, group) = (api.clone(), sc.group.clone());
        tasks.spawn(async move {
            // Spread over ~0.8 s so some are answered, some in flight, some never sent.
            tokio::time::sleep(Duration::from_millis(27 * (i as u64 % 30))).await;
            let body = card_body(("channelGroupId", &group), card, 1000 + i as i64);
            let (s, r) = api
                .call(M::POST, &format!("/payments/{id}/instant"), Some(body))
                .await;
            (id, s, r)
        });
    }
    tokio::time::sleep(Duration::from_millis(700)).await;
    let killed_at = Instant::now();
    gw.kill();
    let mut answered_before_kill: BTreeMap<String, (u16, Value)> = BTreeMap::new();
    while let Some(r) = tasks.join_next().await {
        let (id, s, r) = r.unwrap();
        answered_before_kill.insert(id, (s, r));
    }
    let before_out = gw.output.lock().unwrap().clone();
    drop(gw);

    // Restart on the same database and configuration.
    let gw = sc.gateway("info");
    let api = Api::new(&gw.base);
    let at_restart = schedule_statuses(&api, &schedule_ids).await;
    let mut in_flight = 0;
    for id in instant_ids.iter().chain(&scheduled_payments) {
        if api
            .payment(id)
            .await
            .is_some_and(|p| matches!(p["status"].as_str(), Some("READY" | "PAY_PENDING")))
        {
            in_flight += 1;
        }
    }
    let refused_before = *hooks.refused.lock().unwrap();
    hooks.accepting.store(true, Ordering::SeqCst);

    // Schedules settle (abandoned claims are taken over after connect + read + margin).
    let deadline = Instant::now() + Duration::from_secs(60);
    let finals = loop {
        let st = schedule_statuses(&api, &schedule_ids).await;
        if st.values().all(|s| s == "SUCCEEDED" || s == "FAILED") {
            break st;
        }
        assert!(Instant::now() < deadline, "schedules never settled: {st:?}");
        tokio::time::sleep(Duration::from_millis(250)).await;
    };
    let mut all_ids = instant_ids.clone();
    all_ids.extend(scheduled_payments.iter().cloned());
    let payments = api.wait_settled(&all_ids, Duration::from_secs(60)).await;
    let settled_after = killed_at.elapsed();
    let counts = assert_books_agree(&payments, &sc.sims);

    // Answered before the kill: the answer stands.
    let mut answers = BTreeMap::new();
    for (id, (s, r)) in &answered_before_kill {
        *answers.entry(*s).or_insert(0) += 1;
        let status = payments[id].as_ref().map(|p| p["status"].as_str().unwrap());
        match s {
            200 => assert_eq!(status, Some("PAID"), "{id} was answered 200"),
            504 => assert!(
                matches!(status, Some("PAID" | "FAILED")),
                "{id}: {status:?}"
            ),
            0 => {} // the connection died with the gateway: whatever happened, the books agree
            other => panic!("{id}: unexpected answer {other} {r}"),
        }
    }
    // Every schedule ran exactly once: its payment is at one PG once, and it succeeded — except
    // a schedule killed between claiming its payment and sending it (`STARTED` at the restart):
    // by design (schedules.rs `recover_abandoned`) it follows its payment, which the reconciler
    // fails once the PG says it never had it. Then nothing may have been charged. (Running such
    // a schedule again instead is a possible improvement, not what paymux does today.)
    for (sid, pid) in schedule_ids.iter().zip(&scheduled_payments) {
        let charges = sc
            .sims
            .ledger()
            .iter()
            .filter(|(_, e)| &e.order_id == pid)
            .count();
        let status = payments[pid].as_ref().map(|p| p["status"].clone());
        if finals[sid] == "FAILED" && at_restart.get(sid).map(String::as_str) == Some("STARTED") {
            assert_eq!(status, Some(json!("FAILED")), "{pid}");
            assert_eq!(charges, 0, "failed schedule {sid} charged {charges} times");
            continue;
        }
        assert_eq!(
            finals[sid], "SUCCEEDED",
            "schedule {sid} ({pid}); at restart {at_restart:?}"
        );
        assert_eq!(status, Some(json!("PAID")), "{pid}");
        assert_eq!(charges, 1, "schedule {sid} charged {charges} times");
    }
    // No webhook lost: each final state was announced after the restart.
    let expected: BTreeSet<(String, String)> = payments
        .iter()
        .filter_map(|(id, p)| {
            let ev = final_event(p.as_ref()?["status"].as_str()?)?;
            Some((ev.to_string(), id.clone()))
        })
        .collect();
    // Retries back off ×4 from 50 ms, so an event refused for the few seconds before the
    // restart is next tried up to ~13 s (rarely ~51 s) later.
    hooks.wait_for(&expected, Duration::from_secs(120)).await;
    assert!(!before_out.contains("panicked"), "{before_out}");
    report(
        &format!("3 crash ({backend:?})"),
        &format!(
            "SIGKILL with {} instant + {} scheduled payments: instant answers before the kill \
             {answers:?} (0 = connection died); at restart {in_flight} payments in flight, \
             schedules {:?}; {refused_before} webhook deliveries refused before the restart, \
             {} final webhooks delivered after it; final {counts:?}; schedules {:?}; \
             settled {:.1} s after the kill",
            instant_ids.len(),
            scheduled_payments.len(),
            tally(at_restart.values().map(String::as_str)),
            expected.len(),
            tally(finals.values().map(String::as_str)),
            settled_after.as_secs_f64()
        ),
    );
    sc.finish(vec![gw]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn crash_on_sqlite_loses_nothing_and_charges_once() {
    run(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn crash_on_postgres_loses_nothing_and_charges_once() {
    run(Backend::Postgres).await;
}
