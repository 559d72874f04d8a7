//! Reliability item 4 — PG faults: a TCP proxy between the gateway and the Galaxia simulator makes
//! the PG slow, refuse connections, answer garbage, or cut its answer short. KSNET stays healthy.
//! Checks: typed answers (502 when certainly not charged, 504 + inquiry when unknown), failover
//! only where nothing was charged, health skipping after 3 not-sent failures, a super billing key
//! issued with one PG down, and afterwards the books agree with every ledger. Nothing panics.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use reqwest::Method as M;
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use crate::common;
use crate::harness::*;

/// What the proxy does to a new connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fault {
    /// Relay both ways.
    Pass,
    /// Relay, but hold the PG's answer back this long.
    Slow(Duration),
    /// Read the request, never forward it, answer bytes no PG would send.
    Garbage,
    /// Forward the request, relay only the first half of the answer, close.
    Truncate,
    /// Nothing listens: connections are refused.
    Refuse,
}

struct FaultProxy {
    addr: SocketAddr,
    upstream: SocketAddr,
    fault: Arc<Mutex<Fault>>,
    accept: Mutex<Option<tokio::task::JoinHandle<()>>>,
    /// Connections handled per fault.
    seen: Arc<Mutex<BTreeMap<String, usize>>>,
}

impl FaultProxy {
    async fn start(upstream: SocketAddr) -> FaultProxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let p = FaultProxy {
            addr: listener.local_addr().unwrap(),
            upstream,
            fault: Arc::new(Mutex::new(Fault::Pass)),
            accept: Mutex::new(None),
            seen: Arc::default(),
        };
        p.serve(listener);
        p
    }

    fn serve(&self, listener: TcpListener) {
        let (fault, seen, upstream) = (self.fault.clone(), self.seen.clone(), self.upstream);
        let task = tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let f = *fault.lock().unwrap();
                *seen.lock().unwrap().entry(format!("{f:?}")).or_insert(0) += 1;
                tokio::spawn(handle(client, upstream, f));
            }
        });
        *self.accept.lock().unwrap() = Some(task);
    }

    async fn set(&self, f: Fault) {
        let was = std::mem::replace(&mut *self.fault.lock().unwrap(), f);
        if f == Fault::Refuse && was != Fault::Refuse {
            // Dropping the listener closes the port: connects get RST.
            let task = self.accept.lock().unwrap().take();
            if let Some(t) = task {
                t.abort();
                let _ = t.await;
            }
        } else if was == Fault::Refuse && f != Fault::Refuse {
            let listener = TcpListener::bind(self.addr)
                .await
                .expect("rebind the proxy port");
            self.serve(listener);
        }
    }
}

async fn handle(mut client: TcpStream, upstream: SocketAddr, fault: Fault) {
    let mut buf = vec![0u8; 64 * 1024];
    match fault {
        Fault::Refuse => {}
        Fault::Garbage => {
            if matches!(client.read(&mut buf).await, Ok(n) if n > 0) {
                let _ = client
                    .write_all(b"\x00\xff\xfe GARBAGE \x1b[0m not a telegram \xc3\x28")
                    .await;
            }
        }
        Fault::Pass | Fault::Slow(_) | Fault::Truncate => {
            let Ok(mut server) = TcpStream::connect(upstream).await else {
                return;
            };
            let (mut cr, mut cw) = client.split();
            let (mut sr, mut sw) = server.split();
            let up = async {
                let _ = tokio::io::copy(&mut cr, &mut sw).await;
                let _ = sw.shutdown().await;
            };
            let down = async {
                let mut first = true;
                loop {
                    let n = match sr.read(&mut buf).await {
                        Ok(0) | Err(_) => break,
                        Ok(n) => n,
                    };
                    if first {
                        first = false;
                        if let Fault::Slow(d) = fault {
                            tokio::time::sleep(d).await;
                        }
                        if fault == Fault::Truncate {
                            let _ = cw.write_all(&buf[..n / 2]).await;
                            break;
                        }
                    }
                    if cw.write_all(&buf[..n]).await.is_err() {
                        break;
                    }
                }
                let _ = cw.shutdown().await;
            };
            tokio::join!(up, down);
        }
    }
}

async fn pay(api: &Api, id: &str, target: (&str, &str)) -> (u16, Value) {
    api.call(
        M::POST,
        &format!("/payments/{id}/instant"),
        Some(card_body(target, CARD_OK, 1500)),
    )
    .await
}

async fn channel_of(api: &Api, id: &str) -> String {
    let p = api.payment(id).await.expect("payment exists");
    p["channel"]["key"].as_str().unwrap_or_default().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn pg_faults_give_typed_outcomes_and_fail_over_only_when_certain() {
    let ws = Workspace::new(Backend::Sqlite, "faults").await.unwrap();
    let sims = start_sims(&["galaxia", "ksnet"]).await;
    let galaxia_sim: SocketAddr = sims
        .channel("galaxia")
        .endpoint
        .as_deref()
        .unwrap()
        .parse()
        .unwrap();
    let proxy = FaultProxy::start(galaxia_sim).await;
    let proxied = proxy.addr.to_string();
    let (failover_group, plain_group, health_group) = (group_id(), group_id(), group_id());
    let members = [("galaxia-rel", 50), ("ksnet-rel", 50)];
    let mut sections = fast_tuning(1000);
    sections.push_str(&channel_toml(sims.channel("galaxia"), Some(&proxied)));
    sections.push_str(&channel_toml(sims.channel("ksnet"), None));
    sections.push_str(&group_toml(&failover_group, &members, true, false));
    sections.push_str(&group_toml(&plain_group, &members, false, false));
    sections.push_str(&group_toml(&health_group, &members, false, true));
    let config = ws.write_config(None, &sections);
    let gw = common::start_with_config(&config, &ws.dir, "info");
    let api = Api::new(&gw.base);
    let s = scale();
    let mut ids: Vec<String> = Vec::new();
    let mut findings: Vec<String> = Vec::new();

    // --- Galaxia refuses connections.
    proxy.set(Fault::Refuse).await;

    // Health skip: after 3 consecutive not-sent failures Galaxia is skipped (cool-down).
    let mut failed = 0;
    let mut after_threshold_ok = 0;
    for i in 0..16 * s {
        let id = format!("fhs{i:05}");
        let (st, r) = pay(&api, &id, ("channelGroupId", &health_group)).await;
        ids.push(id.clone());
        if failed < 3 {
            match st {
                200 => assert_eq!(channel_of(&api, &id).await, "ksnet-rel", "{r}"),
                502 => failed += 1,
                _ => panic!("{id}: {st} {r}"),
            }
        } else {
            assert_eq!(
                st, 200,
                "{id} after the threshold: Galaxia must be skipped: {r}"
            );
            after_threshold_ok += 1;
        }
    }
    assert_eq!(failed, 3, "three failures open the circuit");
    assert!(after_threshold_ok > 0);
    findings.push(format!(
        "health skip: 3 refused, then {after_threshold_ok} routed around Galaxia"
    ));

    // Without failover a refused connection is a 502 (nothing was charged) and FAILED.
    let (st, r) = pay(&api, "frefdirect", ("channelKey", "galaxia-rel")).await;
    ids.push("frefdirect".into());
    assert_eq!((st, r["type"].as_str()), (502, Some("PG_PROVIDER")), "{r}");

    // With failover, every payment ends at KSNET; the ones routed to Galaxia moved over.
    for i in 0..10 * s {
        let id = format!("ffo{i:05}");
        let (st, r) = pay(&api, &id, ("channelGroupId", &failover_group)).await;
        assert_eq!(st, 200, "{id}: {r}");
        ids.push(id);
    }
    let failed_over = gw.output.lock().unwrap().matches("failed over").count();
    assert!(
        failed_over > 0,
        "some failover-group payments were routed to Galaxia"
    );
    findings.push(format!(
        "refused: {failed_over} payments failed over to KSNET"
    ));

    // A super billing key with Galaxia down: issued on KSNET, Galaxia's failure reported.
    let (st, r) = issue_billing_key(&api, ("channelGroupId", &plain_group), CARD_OK).await;
    assert_eq!(st, 200, "{r}");
    let keyed: Vec<&str> = r["billingKeyInfo"]["channels"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["key"].as_str().unwrap())
        .collect();
    assert_eq!(keyed, ["ksnet-rel"], "{r}");
    let failures = r["channelSpecificFailures"].as_array().unwrap();
    assert_eq!(failures.len(), 1, "{r}");
    assert_eq!(failures[0]["channel"]["key"], "galaxia-rel", "{r}");
    let key = r["billingKeyInfo"]["billingKey"]
        .as_str()
        .unwrap()
        .to_string();
    let (st, r) = api
        .call(
            M::POST,
            "/payments/fsbk00001/billing-key",
            Some(json!({
                "billingKey": key, "orderName": "정기결제", "amount": { "total": 2200 },
                "currency": "KRW", "customer": customer(), "productType": "PHYSICAL"
            })),
        )
        .await;
    ids.push("fsbk00001".into());
    assert_eq!(st, 200, "{r}");
    assert_eq!(channel_of(&api, "fsbk00001").await, "ksnet-rel", "{r}");
    findings
        .push("super billing key with Galaxia down: issued on KSNET only, charged there".into());

    // --- Galaxia answers garbage: the request may have been processed, so 504, no failover.
    proxy.set(Fault::Garbage).await;
    let mut garbage_unknown = Vec::new();
    for i in 0..10 * s {
        let id = format!("fgb{i:05}");
        let (st, r) = pay(&api, &id, ("channelGroupId", &failover_group)).await;
        ids.push(id.clone());
        match st {
            200 => assert_eq!(channel_of(&api, &id).await, "ksnet-rel", "{r}"),
            504 => {
                assert_eq!(r["type"], "PAYMENT_OUTCOME_UNKNOWN", "{r}");
                garbage_unknown.push(id);
            }
            _ => panic!("{id}: {st} {r}"),
        }
    }
    assert!(!garbage_unknown.is_empty(), "some went to Galaxia");

    // --- Slow and truncated answers: approved at the PG, unknown to the gateway at first.
    let mut late = Vec::new();
    for (fault, prefix) in [
        (Fault::Slow(Duration::from_millis(2500)), "fsl"),
        (Fault::Truncate, "ftr"),
    ] {
        proxy.set(fault).await;
        for i in 0..3 * s {
            let id = format!("{prefix}{i:05}");
            let (st, r) = pay(&api, &id, ("channelKey", "galaxia-rel")).await;
            let answer = (st, r["type"].as_str());
            assert_eq!(
                answer,
                (504, Some("PAYMENT_OUTCOME_UNKNOWN")),
                "{fault:?}: {r}"
            );
            ids.push(id.clone());
            late.push(id);
        }
    }

    // --- Galaxia healthy again: the reconciler settles every unknown payment by inquiry.
    proxy.set(Fault::Pass).await;
    let payments = api.wait_settled(&ids, Duration::from_secs(60)).await;
    let counts = assert_books_agree(&payments, &sims);
    for id in &garbage_unknown {
        assert_eq!(
            payments[id].as_ref().unwrap()["status"],
            "FAILED",
            "{id}: the garbage answer hid a request the PG never got"
        );
    }
    for id in &late {
        assert_eq!(payments[id].as_ref().unwrap()["status"], "PAID", "{id}");
    }
    findings.push(format!(
        "garbage: {} unknown → FAILED by inquiry, none failed over; slow/truncated: {} unknown → PAID by inquiry",
        garbage_unknown.len(),
        late.len()
    ));
    let out = gw.output.lock().unwrap().clone();
    assert!(!out.contains("panicked"), "{out}");
    report(
        "4 PG faults",
        &format!(
            "{} payments, connections per fault {:?}; final {counts:?}; {}",
            ids.len(),
            proxy.seen.lock().unwrap(),
            findings.join("; ")
        ),
    );
    drop(gw);
    ws.remove().await;
}
