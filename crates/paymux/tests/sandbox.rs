//! End to end through the binary a user runs: `paymux serve` in sandbox mode (every linked
//! adapter's real simulator in-process), driven over HTTP as a PortOne V2 client would.
#![cfg(all(feature = "galaxia", feature = "ksnet", feature = "smartro"))]

mod common;

use std::time::Duration;

use serde_json::{json, Value};

const SECRET: &str = "sandbox-e2e-secret";
const CARD_OK: &str = "4518420012345678";
const CARD_DECLINED: &str = "4518420012340002";
const BIRTH: &str = "880315";

async fn call(method: reqwest::Method, url: String, body: Option<Value>) -> (u16, Value) {
    common::call_as(SECRET, method, url, body).await
}

fn customer() -> Value {
    json!({ "id": "matthew", "name": { "full": "홍길동" },
            "phoneNumber": "01012345678", "email": "buyer@example.com" })
}

/// A keyed-in card body every card-capable sandbox PG accepts (Galaxia wants ITEM_CODE and a
/// customer id, KSNET a productType).
fn card_body(group: &str, number: &str, total: i64) -> Value {
    json!({
        "channelGroupId": group,
        "orderName": "커피 2잔",
        "amount": { "total": total },
        "currency": "KRW",
        "customer": customer(),
        "productType": "PHYSICAL",
        "method": { "card": { "credential": {
            "number": number, "expiryYear": "28", "expiryMonth": "06",
            "birthOrBusinessRegistrationNumber": BIRTH, "passwordTwoDigits": "37"
        } } },
        "bypass": { "galaxia": { "ITEM_CODE": "ITEM0001" } }
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sandbox_pays_cancels_and_issues_super_billing_keys_across_real_simulators() {
    let sb = common::start_sandbox("sandbox-e2e", SECRET);
    let base = sb.base.clone();
    use reqwest::Method as M;

    // Every linked adapter has a test channel, and the demo group spans them.
    let (s, channels) = call(M::GET, format!("{base}/channels"), None).await;
    assert_eq!(s, 200, "{channels}");
    let mut keys: Vec<&str> = channels["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["key"].as_str().unwrap())
        .collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "galaxia-test",
            "inicis-test",
            "ksnet-test",
            "nice-test",
            "smartro-test",
            "tosspayments-test"
        ]
    );
    let (_, groups) = call(M::GET, format!("{base}/channel-groups"), None).await;
    let group = groups["items"][0]["id"].as_str().unwrap().to_string();

    // Keyed-in card through the group: Smartro cannot take it, so Galaxia, Inicis, KSNET or
    // Toss does.
    let mut used = std::collections::BTreeSet::new();
    for i in 0..12 {
        let id = format!("e2ecard{i:04}");
        let (s, r) = call(
            M::POST,
            format!("{base}/payments/{id}/instant"),
            Some(card_body(&group, CARD_OK, 9000)),
        )
        .await;
        assert_eq!(s, 200, "{id}: {r}");
        assert!(r["payment"]["pgTxId"].is_string(), "{r}");
        let (_, p) = call(M::GET, format!("{base}/payments/{id}"), None).await;
        assert_eq!(p["status"], "PAID", "{p}");
        used.insert(p["channel"]["key"].as_str().unwrap().to_string());
    }
    assert!(!used.contains("smartro-test"), "{used:?}");
    assert!(used.len() >= 2, "the card PGs share the traffic: {used:?}");

    // Partial then full cancel, then nothing left.
    let (s, r) = call(
        M::POST,
        format!("{base}/payments/e2ecard0000/cancel"),
        Some(json!({ "amount": 4000, "reason": "one coffee returned" })),
    )
    .await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(r["cancellation"]["totalAmount"], 4000);
    let (s, r) = call(
        M::POST,
        format!("{base}/payments/e2ecard0000/cancel"),
        Some(json!({ "reason": "the rest" })),
    )
    .await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(r["cancellation"]["totalAmount"], 5000);
    let (_, p) = call(M::GET, format!("{base}/payments/e2ecard0000"), None).await;
    assert_eq!(p["status"], "CANCELLED", "{p}");
    let (s, r) = call(
        M::POST,
        format!("{base}/payments/e2ecard0000/cancel"),
        Some(json!({ "amount": 1, "reason": "again" })),
    )
    .await;
    assert_eq!(s, 409, "{r}");

    // A declined card is a PG_PROVIDER error with the PG's own code, and a FAILED payment.
    let (s, r) = call(
        M::POST,
        format!("{base}/payments/e2edecl0001/instant"),
        Some(card_body(&group, CARD_DECLINED, 1000)),
    )
    .await;
    assert_eq!(s, 502, "{r}");
    assert_eq!(r["type"], "PG_PROVIDER", "{r}");
    assert!(r["pgCode"].as_str().is_some_and(|c| !c.is_empty()), "{r}");
    let (_, p) = call(M::GET, format!("{base}/payments/e2edecl0001"), None).await;
    assert_eq!(p["status"], "FAILED", "{p}");

    // Virtual account through the group: Galaxia cannot issue one by API.
    let (s, r) = call(
        M::POST,
        format!("{base}/payments/e2eva0001/instant"),
        Some(json!({
            "channelGroupId": group,
            "orderName": "가상계좌 테스트",
            "amount": { "total": 15000 },
            "currency": "KRW",
            "customer": customer(),
            "productCount": 1,
            "method": { "virtualAccount": {
                "bank": "SHINHAN",
                "expiry": { "validHours": 72 },
                "option": { "type": "NORMAL" },
                "cashReceipt": { "type": "NO_RECEIPT" },
                "remitteeName": "테스트상점"
            } }
        })),
    )
    .await;
    assert_eq!(s, 200, "{r}");
    let (_, p) = call(M::GET, format!("{base}/payments/e2eva0001"), None).await;
    assert_eq!(p["status"], "VIRTUAL_ACCOUNT_ISSUED", "{p}");
    assert_ne!(p["channel"]["key"], "galaxia-test", "{p}");

    // A super billing key over the group, then a charge with it.
    let (s, r) = call(
        M::POST,
        format!("{base}/billing-keys"),
        Some(json!({
            "channelGroupId": group,
            "customer": customer(),
            "method": { "card": { "credential": {
                "number": CARD_OK, "expiryYear": "28", "expiryMonth": "06",
                "birthOrBusinessRegistrationNumber": BIRTH, "passwordTwoDigits": "37"
            } } },
            "bypass": { "galaxia": { "ITEM_CODE": "ITEM0001" } }
        })),
    )
    .await;
    assert_eq!(s, 200, "{r}");
    let key = r["billingKeyInfo"]["billingKey"]
        .as_str()
        .unwrap()
        .to_string();
    let issued = r["billingKeyInfo"]["channels"].as_array().unwrap().len();
    let failed = r["channelSpecificFailures"].as_array().map_or(0, Vec::len);
    // Every adapter linked here is ready, so every sandbox channel is an enabled member.
    assert_eq!(
        issued + failed,
        keys.len(),
        "every enabled channel was tried: {r}"
    );
    assert!(issued >= 2, "{r}");
    let (s, r) = call(
        M::POST,
        format!("{base}/payments/e2ebk0001/billing-key"),
        Some(json!({
            "billingKey": key,
            "orderName": "정기결제",
            "amount": { "total": 5500 },
            "currency": "KRW",
            "customer": customer(),
            "productType": "PHYSICAL",
            "bypass": { "galaxia": { "ITEM_CODE": "ITEM0001" } }
        })),
    )
    .await;
    assert_eq!(s, 200, "{r}");

    // Nothing secret in what the process printed or in the sandbox database.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let printed = sb.output.lock().unwrap().clone();
    let mut db = Vec::new();
    for e in std::fs::read_dir(&sb.dir).unwrap().flatten() {
        db.extend(std::fs::read(e.path()).unwrap_or_default());
    }
    let db = String::from_utf8_lossy(&db);
    for secret in [CARD_OK, CARD_DECLINED, BIRTH] {
        assert!(
            !printed.contains(secret),
            "{secret} in the gateway's output"
        );
        assert!(!db.contains(secret), "{secret} in the sandbox database");
    }
}

/// Smartro truncates the VAT it computes (taxable / 11, fraction dropped): a billing charge of
/// 1,007 and a cancel of 512 through its channel record the VAT Smartro charged and refunded
/// (91 and 46), not the half-up figures (92 and 47).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn smartro_payments_and_cancels_record_the_vat_smartro_truncates() {
    let sb = common::start_sandbox("sandbox-vat", SECRET);
    let base = sb.base.clone();
    use reqwest::Method as M;
    let (s, r) = call(
        M::POST,
        format!("{base}/billing-keys"),
        Some(json!({
            "channelKey": "smartro-test",
            "customer": customer(),
            "method": { "card": { "credential": {
                "number": CARD_OK, "expiryYear": "28", "expiryMonth": "06",
                "birthOrBusinessRegistrationNumber": BIRTH, "passwordTwoDigits": "37"
            } } }
        })),
    )
    .await;
    assert_eq!(s, 200, "{r}");
    let key = r["billingKeyInfo"]["billingKey"]
        .as_str()
        .unwrap()
        .to_string();
    let (s, r) = call(
        M::POST,
        format!("{base}/payments/e2evat0001/billing-key"),
        Some(json!({
            "billingKey": key,
            "channelKey": "smartro-test",
            "orderName": "정기결제",
            "amount": { "total": 1007 },
            "currency": "KRW",
            "customer": customer()
        })),
    )
    .await;
    assert_eq!(s, 200, "{r}");
    let (_, p) = call(M::GET, format!("{base}/payments/e2evat0001"), None).await;
    assert_eq!(p["channel"]["key"], "smartro-test", "{p}");
    assert_eq!(
        (p["amount"]["vat"].as_i64(), p["amount"]["supply"].as_i64()),
        (Some(91), Some(916)),
        "{p}"
    );

    let (s, r) = call(
        M::POST,
        format!("{base}/payments/e2evat0001/cancel"),
        Some(json!({ "amount": 512, "reason": "part" })),
    )
    .await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(r["cancellation"]["vatAmount"], 46, "{r}");
    // The rest takes the VAT left: 91 − 46.
    let (s, r) = call(
        M::POST,
        format!("{base}/payments/e2evat0001/cancel"),
        Some(json!({ "reason": "rest" })),
    )
    .await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(
        (
            r["cancellation"]["totalAmount"].as_i64(),
            r["cancellation"]["vatAmount"].as_i64()
        ),
        (Some(495), Some(45)),
        "{r}"
    );
}

/// The value of the banner line `label: value` (waits for the banner to be printed).
fn printed(sb: &common::Sandbox, label: &str) -> String {
    for _ in 0..100 {
        let out = sb.output.lock().unwrap().clone();
        // The banner's last line: everything before it is there too.
        if out.contains("  try: curl") {
            return out
                .lines()
                .find_map(|l| l.split(&format!("{label}:")).nth(1))
                .map(|s| s.trim().to_string())
                .unwrap_or_else(|| panic!("no `{label}` printed:\n{out}"));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("the banner was not printed:\n{}", sb.output.lock().unwrap());
}

/// The webhook secret the binary printed at start.
fn printed_webhook_secret(sb: &common::Sandbox) -> String {
    printed(sb, "webhook secret")
}

/// Standard Webhooks, computed here independently of the gateway's code:
/// `base64(HMAC-SHA256(base64decode(secret without "whsec_"), "{id}.{timestamp}.{body}"))`.
fn expected_signature(secret: &str, id: &str, ts: &str, body: &str) -> String {
    use base64::Engine as _;
    use hmac::Mac as _;
    let b64 = base64::engine::general_purpose::STANDARD;
    let key = b64
        .decode(secret.strip_prefix("whsec_").unwrap())
        .expect("printed secret is base64");
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(&key).unwrap();
    mac.update(format!("{id}.{ts}.{body}").as_bytes());
    format!("v1,{}", b64.encode(mac.finalize().into_bytes()))
}

fn ksnet_card(total: i64) -> Value {
    json!({
        "channelKey": "ksnet-test",
        "orderName": "커피",
        "amount": { "total": total },
        "currency": "KRW",
        "customer": customer(),
        "productType": "PHYSICAL",
        "method": { "card": { "credential": {
            "number": CARD_OK, "expiryYear": "28", "expiryMonth": "06"
        } } }
    })
}

/// Poll `GET /sandbox/webhooks` until it holds `n` items.
async fn inbox_with(base: &str, n: usize) -> Vec<Value> {
    for _ in 0..100 {
        let (s, v) = call(
            reqwest::Method::GET,
            format!("{base}/sandbox/webhooks"),
            None,
        )
        .await;
        assert_eq!(s, 200, "{v}");
        let items = v["items"].as_array().unwrap().clone();
        if items.len() >= n {
            return items;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the sandbox inbox never held {n} webhooks");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sandbox_keeps_signed_webhooks_newest_first_behind_the_api_secret() {
    let sb = common::start_sandbox("sandbox-inbox", SECRET);
    let base = sb.base.clone();
    let secret = printed_webhook_secret(&sb);
    assert!(
        printed(&sb, "webhooks").starts_with(&format!("kept at GET {base}/sandbox/webhooks")),
        "the banner says where webhooks go"
    );
    use reqwest::Method as M;
    for id in ["inbox0001", "inbox0002"] {
        let (s, r) = call(
            M::POST,
            format!("{base}/payments/{id}/instant"),
            Some(ksnet_card(1000)),
        )
        .await;
        assert_eq!(s, 200, "{r}");
        // One at a time, so the second is the newer webhook.
        inbox_with(&base, if id == "inbox0001" { 1 } else { 2 }).await;
    }
    let items = inbox_with(&base, 2).await;
    assert_eq!(items.len(), 2, "{items:?}");
    let ids: Vec<&str> = items
        .iter()
        .map(|i| i["body"]["data"]["paymentId"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["inbox0002", "inbox0001"], "newest first");
    for item in &items {
        let h = &item["headers"];
        let raw = item["rawBody"].as_str().unwrap();
        let id = h["webhook-id"].as_str().unwrap();
        let ts = h["webhook-timestamp"].as_str().unwrap();
        assert_eq!(item["id"], id);
        assert_eq!(h["content-type"], "application/json");
        assert_eq!(item["type"], "Transaction.Paid");
        assert_eq!(item["body"]["type"], "Transaction.Paid");
        assert_eq!(item["body"]["data"]["storeId"], "store-paymux-sandbox");
        assert_eq!(
            serde_json::from_str::<Value>(raw).unwrap(),
            item["body"],
            "rawBody is the body"
        );
        assert_eq!(
            h["webhook-signature"],
            expected_signature(&secret, id, ts, raw),
            "signed with the printed secret over the raw body"
        );
        assert!(item["receivedAt"].is_string(), "{item}");
    }
    // `limit` takes the newest.
    let (s, v) = call(M::GET, format!("{base}/sandbox/webhooks?limit=1"), None).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["items"].as_array().unwrap().len(), 1);
    assert_eq!(v["items"][0]["body"]["data"]["paymentId"], "inbox0002");

    // The API secret is required: bodies carry payment data.
    let c = reqwest::Client::new();
    for auth in [None, Some("PortOne wrong"), Some(SECRET)] {
        let mut r = c.get(format!("{base}/sandbox/webhooks"));
        if let Some(a) = auth {
            r = r.header("Authorization", a);
        }
        let r = r.send().await.unwrap();
        assert_eq!(r.status().as_u16(), 401, "{auth:?}");
        let v: Value = r.json().await.unwrap();
        assert_eq!(v["type"], "UNAUTHORIZED");
    }

    // Hostile queries: a PortOne error naming the rule, never an echo, never a 500.
    let long = "9".repeat(10_000);
    for q in [
        "limit=0",
        "limit=1001",
        "limit=-1",
        "limit=abc",
        "limit=1.5",
        "limit=",
        &format!("limit={long}"),
        "limit=%F0%9F%92%A3",
        "limit=1&evil=%3Cscript%3E",
        "%3Cscript%3E=1",
    ] {
        let (s, v) = call(M::GET, format!("{base}/sandbox/webhooks?{q}"), None).await;
        assert_eq!(s, 400, "{q}: {v}");
        assert_eq!(v["type"], "INVALID_REQUEST", "{q}: {v}");
        let m = v["message"].as_str().unwrap();
        assert!(
            m.contains("limit") && !m.contains("script") && !m.contains(&long),
            "{q}: {m}"
        );
    }
    let (s, v) = call(M::GET, format!("{base}/sandbox/webhooks?limit=%FF"), None).await;
    assert_eq!(s, 400, "{v}");
    assert_eq!(v["type"], "INVALID_REQUEST", "{v}");
    for m in [M::POST, M::DELETE, M::PUT] {
        let (s, v) = call(m.clone(), format!("{base}/sandbox/webhooks"), None).await;
        assert_eq!(s, 405, "{m}: {v}");
    }

    // Logs go to a pipe here: no colour codes in them.
    let printed = sb.output.lock().unwrap().clone();
    assert!(printed.contains("paymux gateway started"), "{printed}");
    assert!(
        !printed.contains('\x1b'),
        "ANSI codes in piped logs:\n{printed}"
    );
}

/// A webhook receiver run by the test: every POST's headers and body.
async fn receiver() -> (
    String,
    tokio::sync::mpsc::UnboundedReceiver<(axum::http::HeaderMap, String)>,
) {
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    let app = axum::Router::new().route(
        "/hooks",
        axum::routing::post(move |h: axum::http::HeaderMap, body: String| {
            let tx = tx.clone();
            async move {
                let _ = tx.send((h, body));
                "ok"
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hooks", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, rx)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sandbox_with_webhook_url_sends_webhooks_there() {
    let (url, mut rx) = receiver().await;
    let sb = common::start_sandbox_with("sandbox-hookurl", SECRET, &["--webhook-url", &url]);
    let base = sb.base.clone();
    let secret = printed_webhook_secret(&sb);
    assert_eq!(
        printed(&sb, "webhooks"),
        format!("sent to {url}"),
        "the banner names the URL"
    );
    let (s, r) = call(
        reqwest::Method::POST,
        format!("{base}/payments/hookurl0001/instant"),
        Some(ksnet_card(2000)),
    )
    .await;
    assert_eq!(s, 200, "{r}");
    let (h, body) = tokio::time::timeout(Duration::from_secs(20), rx.recv())
        .await
        .expect("a webhook within 20 s")
        .unwrap();
    let v: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["type"], "Transaction.Paid");
    assert_eq!(v["data"]["paymentId"], "hookurl0001");
    let hv = |n: &str| h.get(n).unwrap().to_str().unwrap().to_string();
    assert_eq!(
        hv("webhook-signature"),
        expected_signature(&secret, &hv("webhook-id"), &hv("webhook-timestamp"), &body)
    );
    // No inbox then: the endpoint does not exist.
    let (s, v) = call(
        reqwest::Method::GET,
        format!("{base}/sandbox/webhooks"),
        None,
    )
    .await;
    assert_eq!(s, 404, "{v}");
}

/// Kills the simulator process when the test ends, however it ends.
struct KillOnDrop(std::process::Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn simulate_channel_out_is_a_config_serve_and_wire_take_as_it_is() {
    use std::io::BufRead as _;
    let dir = std::env::temp_dir().join(format!("paymux-simout-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("galaxia-sim.toml");
    let mut sim = KillOnDrop(
        std::process::Command::new(env!("CARGO_BIN_EXE_paymux"))
            .args(["simulate", "galaxia", "--channel-out"])
            .arg(&file)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap(),
    );
    let mut lines = std::io::BufReader::new(sim.0.stdout.take().unwrap()).lines();
    let mut listening = None;
    for line in lines.by_ref() {
        let line = line.unwrap();
        if let Some(a) = line.strip_prefix("galaxia simulator listening on ") {
            listening = Some(a.to_string());
        }
        if line.contains("written to") {
            break;
        }
    }
    let addr = listening.expect("the simulator printed its address");
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(text.contains("[[channels]]"), "{text}");
    // Keep reading (and dropping) what it prints, so it never blocks on a full pipe.
    std::thread::spawn(move || lines.for_each(drop));

    // `paymux wire --channel FILE` takes it: the frame goes to the simulator.
    let req = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples/galaxia/instant-card.json");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_paymux"))
        .args(["wire", "galaxia", "payment.instant", "--format", "json"])
        .arg("--request")
        .arg(&req)
        .arg("--channel")
        .arg(&file)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let w: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        format!("{}:{}", w["host"].as_str().unwrap(), w["port"]),
        addr
    );

    // `paymux serve --config FILE` takes it, and a payment by its channel key is approved by
    // the simulator.
    let gw = common::start_with_config(&file, &dir, "info");
    let base = gw.base.clone();
    let c = reqwest::Client::new();
    let api_secret = printed(&gw, "API secret");
    let auth = format!("PortOne {api_secret}");
    let mut body = card_body("", CARD_OK, 3000);
    body.as_object_mut().unwrap().remove("channelGroupId");
    body["channelKey"] = json!("galaxia-sim");
    let r = c
        .post(format!("{base}/payments/simout0001/instant"))
        .header("Authorization", &auth)
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    let v: Value = r.json().await.unwrap();
    assert_eq!(status, 200, "{v}");
    let p: Value = c
        .get(format!("{base}/payments/simout0001"))
        .header("Authorization", &auth)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(p["status"], "PAID", "{p}");
    assert_eq!(p["channel"]["key"], "galaxia-sim", "{p}");
    // Outside the sandbox there is no webhook inbox.
    let r = c
        .get(format!("{base}/sandbox/webhooks"))
        .header("Authorization", &auth)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 404);
    drop(gw);
    drop(sim);
    let _ = std::fs::remove_dir_all(&dir);
}
