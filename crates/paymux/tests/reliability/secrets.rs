//! Reliability item 6 — Secrets: after a full end-to-end run (debug logging) on each backend — card
//! payments, declines, unknown outcomes, cancels, a super billing key across three PGs, a charge
//! and a schedule with it, a virtual account, webhooks — search the gateway's logs, the database,
//! every webhook body, the CLI's output and every committed wire snapshot for every card number,
//! birth date, card password, channel key and API/webhook secret used: zero hits.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::Duration;

use base64::Engine as _;
use reqwest::Method as M;
use serde_json::json;

use crate::harness::*;

/// What must never appear: `(label, needle)`.
fn needles(sims: &Sims) -> Vec<(String, String)> {
    let mut n: Vec<(String, String)> = [CARD_OK, CARD_LATE, CARD_DROP, CARD_DECLINED]
        .iter()
        .map(|c| ("card number".to_string(), c.to_string()))
        .collect();
    n.push(("birth date".into(), BIRTH.into()));
    // Two digits can't be searched for; the field carrying them must not be stored at all.
    n.push(("card password field".into(), "passwordTwoDigits".into()));
    n.push(("API secret".into(), SECRET.into()));
    n.push(("webhook secret".into(), WEBHOOK_SECRET.into()));
    let key = base64::engine::general_purpose::STANDARD
        .decode(WEBHOOK_SECRET.trim_start_matches("whsec_"))
        .unwrap();
    n.push(("webhook key".into(), String::from_utf8(key).unwrap()));
    for c in &sims.channels {
        for (name, v) in &c.credentials {
            // Merchant ids are identifiers printed on every receipt, not secrets.
            if name != "mid" && v.expose().len() >= 6 {
                n.push((
                    format!("{} credential {name}", c.adapter),
                    v.expose().clone(),
                ));
            }
        }
    }
    n
}

fn assert_clean(place: &str, text: &str, needles: &[(String, String)]) {
    for (label, needle) in needles {
        assert!(
            !text.contains(needle.as_str()),
            "{label} found in {place}: …{}…",
            context(text, needle)
        );
    }
}

fn context(text: &str, needle: &str) -> String {
    let i = text.find(needle).unwrap_or(0);
    let mut start = i.saturating_sub(60);
    while !text.is_char_boundary(start) {
        start -= 1;
    }
    let mut end = (i + needle.len() + 60).min(text.len());
    while !text.is_char_boundary(end) {
        end += 1;
    }
    text[start..end].replace(needle, "<HERE>")
}

async fn full_run(api: &Api, group: &str, tag: &str) -> Vec<String> {
    let mut ids = Vec::new();
    for (i, card) in [CARD_OK, CARD_OK, CARD_DECLINED, CARD_LATE, CARD_DROP]
        .iter()
        .enumerate()
    {
        let id = format!("sec{tag}pay{i}");
        let _ = api
            .call(
                M::POST,
                &format!("/payments/{id}/instant"),
                Some(card_body(("channelGroupId", group), card, 5000 + i as i64)),
            )
            .await;
        ids.push(id);
    }
    let first = &ids[0];
    let (s, r) = api
        .call(
            M::POST,
            &format!("/payments/{first}/cancel"),
            Some(json!({ "amount": 1000, "reason": "partial" })),
        )
        .await;
    assert_eq!(s, 200, "{r}");
    let (s, r) = api
        .call(
            M::POST,
            &format!("/payments/{}/cancel", ids[1]),
            Some(json!({ "reason": "full" })),
        )
        .await;
    assert_eq!(s, 200, "{r}");
    let (s, r) = issue_billing_key(api, ("channelGroupId", group), CARD_OK).await;
    assert_eq!(s, 200, "{r}");
    let key = r["billingKeyInfo"]["billingKey"]
        .as_str()
        .unwrap()
        .to_string();
    let charge = json!({
        "billingKey": key, "orderName": "정기결제", "amount": { "total": 4400 },
        "currency": "KRW", "customer": customer(), "productType": "PHYSICAL",
        "bypass": { "galaxia": { "ITEM_CODE": "ITEM0001" } }
    });
    let id = format!("sec{tag}bk");
    let (s, r) = api
        .call(
            M::POST,
            &format!("/payments/{id}/billing-key"),
            Some(charge.clone()),
        )
        .await;
    assert_eq!(s, 200, "{r}");
    ids.push(id);
    let id = format!("sec{tag}sch");
    let due = chrono::Utc::now() + chrono::Duration::milliseconds(500);
    let (s, r) = api
        .call(
            M::POST,
            &format!("/payments/{id}/schedule"),
            Some(json!({ "payment": charge, "timeToPay": due.to_rfc3339() })),
        )
        .await;
    assert_eq!(s, 200, "{r}");
    ids.push(id);
    let id = format!("sec{tag}va");
    let (s, r) = api
        .call(
            M::POST,
            &format!("/payments/{id}/instant"),
            Some(json!({
                "channelGroupId": group, "orderName": "가상계좌", "amount": { "total": 15000 },
                "currency": "KRW", "customer": customer(), "productCount": 1,
                "method": { "virtualAccount": {
                    "bank": "SHINHAN", "expiry": { "validHours": 72 },
                    "option": { "type": "NORMAL" }, "cashReceipt": { "type": "NO_RECEIPT" },
                    "remitteeName": "테스트상점"
                } }
            })),
        )
        .await;
    assert_eq!(s, 200, "{r}");
    ids.push(id);
    // The schedule runs (its payment appears), then the key can go.
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while api.payment(&format!("sec{tag}sch")).await.is_none() {
        assert!(std::time::Instant::now() < deadline, "the schedule ran");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // The schedule stays STARTED until its payment settles; until then deletion is refused.
    let (s, r) = loop {
        let (s, r) = api
            .call(M::DELETE, &format!("/billing-keys/{key}"), None)
            .await;
        if s != 409 || std::time::Instant::now() > deadline {
            break (s, r);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(s, 200, "{r}");
    ids
}

async fn run(backend: Backend) -> Option<(usize, usize, usize)> {
    let hooks = start_hooks().await;
    let members = [("galaxia", 40), ("ksnet", 40), ("smartro", 20)];
    let sc = Scenario::new(backend, "sec", &members, 1000, Some(&hooks.url)).await?;
    let gw = sc.gateway("debug");
    let api = Api::new(&gw.base);
    let ids = full_run(&api, &sc.group, tag(backend)).await;
    let payments = api.wait_settled(&ids, Duration::from_secs(60)).await;
    let expected: BTreeSet<(String, String)> = payments
        .iter()
        .filter_map(|(id, p)| {
            let status = p.as_ref()?["status"].as_str()?;
            let ev = match status {
                "PARTIAL_CANCELLED" => "Transaction.PartialCancelled",
                s => final_event(s)?,
            };
            Some((ev.to_string(), id.clone()))
        })
        .collect();
    hooks.wait_for(&expected, Duration::from_secs(30)).await;
    tokio::time::sleep(Duration::from_millis(300)).await;

    let needles = needles(&sc.sims);
    let logs = gw.output.lock().unwrap().clone();
    assert!(logs.lines().count() > 20, "debug logging produced output");
    assert_clean("the gateway's logs", &logs, &needles);
    let dump = sc.ws.dump().await;
    assert!(dump.contains(&ids[0]), "the dump holds the payments");
    assert_clean(&format!("the {backend:?} database"), &dump, &needles);
    let bodies = hooks.raw.lock().unwrap().join("\n");
    assert_clean("webhook bodies", &bodies, &needles);
    sc.finish(vec![gw]).await;
    Some((logs.len(), dump.len(), bodies.len()))
}

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Every committed snapshot file.
fn snapshots(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        let name = e.file_name().to_string_lossy().into_owned();
        if name == "target" || name == "node_modules" || name.starts_with('.') {
            continue;
        }
        if p.is_dir() {
            snapshots(&p, out);
        } else if name.ends_with(".snap") {
            out.push(p);
        }
    }
}

/// Card numbers and birth dates the repository's tests use (the snapshots come from them).
fn test_inputs() -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    let mut sources = Vec::new();
    for dir in ["adapters", "crates"] {
        collect_rs(&repo_root().join(dir), &mut sources);
    }
    for p in sources {
        let text = std::fs::read_to_string(&p).unwrap_or_default();
        for (i, _) in text.match_indices('"') {
            let rest = &text[i + 1..];
            let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
            let closes = rest[digits.len()..].starts_with('"');
            if closes && (15..=16).contains(&digits.len()) && digits.starts_with('4') {
                found.insert(digits);
            }
        }
    }
    found.insert(BIRTH.into());
    found
}

fn collect_rs(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        let name = e.file_name().to_string_lossy().into_owned();
        if name == "target" || name.starts_with('.') {
            continue;
        }
        if p.is_dir() {
            collect_rs(&p, out);
        } else if name.ends_with(".rs") {
            out.push(p);
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn no_secret_in_logs_databases_webhooks_cli_output_or_snapshots() {
    let sqlite = run(Backend::Sqlite).await.expect("SQLite always runs");
    let postgres = run(Backend::Postgres).await;

    // The CLI: the adapter list, a dry run per adapter (pretty and JSON), a simulator's
    // announcement (its channel file holds the keys; its output must not).
    let sims = start_sims(&["galaxia", "ksnet", "smartro"]).await;
    let needles = needles(&sims);
    let dir = std::env::temp_dir().join(format!("paymux-sec-cli-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let request = dir.join("request.json");
    let mut body = card_body(("channelKey", "x"), CARD_OK, 1000);
    body["paymentId"] = json!("seccli0001");
    std::fs::write(&request, body.to_string()).unwrap();
    let bin = env!("CARGO_BIN_EXE_paymux");
    let mut cli = String::new();
    let mut runs = 0;
    for adapter in ["galaxia", "ksnet", "smartro"] {
        for format in ["pretty", "json"] {
            let out = std::process::Command::new(bin)
                .args(["wire", adapter, "payment.billing-key", "--format", format])
                .arg("--request")
                .arg(&request)
                .output()
                .unwrap();
            cli.push_str(&String::from_utf8_lossy(&out.stdout));
            cli.push_str(&String::from_utf8_lossy(&out.stderr));
            let out = std::process::Command::new(bin)
                .args(["wire", adapter, "payment.instant", "--format", format])
                .arg("--request")
                .arg(&request)
                .output()
                .unwrap();
            // Smartro takes no keyed-in card (a clear refusal is output too).
            assert!(
                out.status.success() || adapter == "smartro",
                "{adapter}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            cli.push_str(&String::from_utf8_lossy(&out.stdout));
            cli.push_str(&String::from_utf8_lossy(&out.stderr));
            runs += 2;
        }
        let mut child = std::process::Command::new(bin)
            .args([
                "simulate",
                adapter,
                "--listen",
                "127.0.0.1:0",
                "--channel-out",
            ])
            .arg(dir.join(format!("{adapter}.toml")))
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdout = child.stdout.take().unwrap();
        let file = dir.join(format!("{adapter}.toml"));
        let deadline = std::time::Instant::now() + Duration::from_secs(30);
        while !file.exists() && std::time::Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(50));
        }
        std::thread::sleep(Duration::from_millis(200));
        let _ = child.kill();
        let _ = child.wait();
        let mut text = String::new();
        std::io::Read::read_to_string(&mut stdout, &mut text).unwrap();
        assert!(text.contains("simulator listening"), "{text}");
        // The channel file is the operator's and holds the key; the console shows it masked.
        let sim_needles: Vec<(String, String)> = std::fs::read_to_string(&file)
            .unwrap()
            .lines()
            .skip_while(|l| !l.trim().ends_with("credentials]"))
            .skip(1)
            .take_while(|l| !l.starts_with('['))
            .filter_map(|l| l.split_once(" = "))
            .filter(|(k, v)| k.trim() != "mid" && v.len() > 8)
            .map(|(k, v)| {
                let label = format!("{adapter} simulator credential {}", k.trim());
                (label, v.trim_matches('"').to_string())
            })
            .collect();
        assert!(
            !sim_needles.is_empty(),
            "{adapter}: credentials in the channel file"
        );
        assert_clean(
            &format!("`paymux simulate {adapter}` output"),
            &text,
            &sim_needles,
        );
        cli.push_str(&text);
        runs += 1;
    }
    let out = std::process::Command::new(bin)
        .args(["adapters", "--json"])
        .output()
        .unwrap();
    cli.push_str(&String::from_utf8_lossy(&out.stdout));
    assert!(cli.contains("payment.instant"), "{cli}");
    assert_clean("CLI output", &cli, &needles);
    let _ = std::fs::remove_dir_all(&dir);

    // Every committed wire snapshot: no input the tests feed the adapters.
    let mut snaps = Vec::new();
    snapshots(&repo_root(), &mut snaps);
    assert!(snaps.len() > 50, "found the snapshots: {}", snaps.len());
    let inputs = test_inputs();
    assert!(inputs.contains(CARD_OK) && inputs.len() >= 4, "{inputs:?}");
    let snap_needles: Vec<(String, String)> = inputs
        .iter()
        .map(|s| ("test input".to_string(), s.clone()))
        .chain(
            needles
                .iter()
                .filter(|(l, _)| l.contains("credential"))
                .cloned(),
        )
        .collect();
    for p in &snaps {
        let text = std::fs::read_to_string(p).unwrap();
        assert_clean(&p.display().to_string(), &text, &snap_needles);
    }
    report(
        "6 secrets",
        &format!(
            "{} needles (cards, birth date, password field, API and webhook secrets, channel keys) \
             searched in: gateway debug logs + database + webhook bodies on SQLite ({} + {} + {} bytes) \
             and PostgreSQL ({}); {runs} CLI runs; {} snapshots against {} test inputs: 0 hits",
            needles.len(),
            sqlite.0,
            sqlite.1,
            sqlite.2,
            postgres.map_or("skipped".into(), |p| format!("{} + {} + {} bytes", p.0, p.1, p.2)),
            snaps.len(),
            inputs.len()
        ),
    );
}
