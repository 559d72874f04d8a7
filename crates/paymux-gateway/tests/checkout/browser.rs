//! The checkout flows in a real browser: headless Chromium (Debian's `chromium`) driven by
//! `tests/browser/checkout.mjs` with `playwright-core`, against this harness's gateway; then
//! the gateway's side of each flow is checked here (payment or billing-key state, webhooks,
//! the simulator's books). The virtual-account flow runs on Smartro (channel `smartro-a`): its
//! simulator's payment window, then `checkout.complete` (`urlCallApproval.do`, answered `4100`).
//!
//! Needs `/usr/bin/chromium` (or `PAYMUX_CHROMIUM`), `node` (or `PAYMUX_NODE`) and
//! `tests/browser/node_modules` (`npm ci` there). Without them the test is skipped with a loud
//! notice — and fails under `CI`.

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::http::StatusCode;
use paymux_core::simulator::Simulator;
use serde_json::{json, Value};

use crate::harness::*;

/// The Node driver's directory.
pub(crate) fn driver_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/browser")
        .canonicalize()
        .unwrap_or_else(|_| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/browser"))
}

pub(crate) fn chromium() -> String {
    std::env::var("PAYMUX_CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into())
}

pub(crate) fn node() -> String {
    std::env::var("PAYMUX_NODE").unwrap_or_else(|_| "node".into())
}

/// What is missing to run the browser test, if anything.
pub(crate) fn missing() -> Vec<String> {
    let mut m = Vec::new();
    if !std::path::Path::new(&chromium()).exists() {
        m.push(format!(
            "Chromium at {} (apt-get install -y chromium, or set PAYMUX_CHROMIUM)",
            chromium()
        ));
    }
    let node_ok = Command::new(node())
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !node_ok {
        m.push(format!("Node.js (`{}`; or set PAYMUX_NODE)", node()));
    }
    if !driver_dir()
        .join("node_modules/playwright-core/package.json")
        .exists()
    {
        m.push(format!(
            "{}/node_modules (run `npm ci` there)",
            driver_dir().display()
        ));
    }
    m
}

pub async fn run() {
    let missing = missing();
    if !missing.is_empty() {
        let what = missing.join("; ");
        assert!(
            std::env::var_os("CI").is_none(),
            "the headless-Chromium checkout test cannot run: missing {what}. CI must run it \
             (scripts/setup.sh: apt-get install -y chromium; cd tests/browser && npm ci)"
        );
        eprintln!(
            "\n!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n\
             !!! SKIPPED: the headless-Chromium checkout test did not run. Missing: {what}\n\
             !!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n"
        );
        return;
    }
    run_with(Backend::Sqlite, |_| {}, scenario).await
}

/// Run the Node driver (in a blocking thread: the gateway keeps serving on this runtime).
async fn drive(h: &Harness) -> (bool, Vec<Value>, String) {
    let mut cmd = Command::new(node());
    cmd.arg("checkout.mjs")
        .current_dir(driver_dir())
        .env("PAYMUX_BASE_URL", &h.gw.base_url)
        .env("PAYMUX_API_SECRET", API_SECRET)
        .env("PAYMUX_GROUP_ID", GROUP_GALAXIA)
        .env("PAYMUX_VA_CHANNEL", SMARTRO_VA_CHANNEL)
        .env("PAYMUX_GALAXIA_CHANNEL", "galaxia-a")
        .env("PAYMUX_REDIRECT_URL", &h.hooks.shop_url)
        .env("PAYMUX_STORE_ID", "store-test")
        .env("PAYMUX_CHROMIUM", chromium())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    run_driver(cmd).await
}

/// The Smartro channel the virtual-account flow pays through.
const SMARTRO_VA_CHANNEL: &str = "smartro-a";

async fn payment(h: &Harness, id: &str) -> Value {
    let (s, p) = h.get(&format!("/payments/{id}")).await;
    assert_eq!(s, StatusCode::OK, "{p}");
    p
}

fn flow<'a>(results: &'a [Value], name: &str) -> &'a Value {
    results
        .iter()
        .find(|r| r["flow"] == name)
        .unwrap_or_else(|| panic!("no result for flow {name}: {results:?}"))
}

fn s(v: &Value) -> String {
    v.as_str().unwrap_or_default().to_string()
}

async fn scenario(h: Arc<Harness>) {
    let started = Instant::now();
    let (ok, results, output) = drive(&h).await;
    eprintln!("{output}");
    assert!(ok, "the browser run failed:\n{output}");
    assert_eq!(results.len(), 6, "{results:?}");
    h.flush_webhooks().await;

    // 1. Card through a channel group (two Galaxia channels).
    let r = flow(&results, "card_via_group");
    let id = s(&r["paymentId"]);
    let p = payment(&h, &id).await;
    assert_eq!(p["status"], "PAID", "{p}");
    assert_eq!(p["channelGroup"]["id"], GROUP_GALAXIA);
    assert_eq!(p["channel"]["key"], r["channel"]);
    assert!(s(&r["channel"]).starts_with("galaxia-"));
    assert_eq!(p["method"]["card"]["number"], "411111******1111");
    assert_eq!(p["amount"]["paid"], 1004);
    assert_eq!(p["origin"]["platformType"], "PC");
    assert!(p["origin"]["userAgent"]
        .as_str()
        .is_some_and(|ua| ua.contains("HeadlessChrome")));
    assert_eq!(r["query"]["transactionType"], "PAYMENT");
    assert_eq!(
        h.hooks.types_for(&id),
        ["Transaction.Ready", "Transaction.Paid"]
    );

    // 2. Galaxia billing-key window: a key, no charge.
    let r = flow(&results, "galaxia_billing_key");
    let bk = s(&r["billingKey"]);
    let (st, k) = h.get(&format!("/billing-keys/{bk}")).await;
    assert_eq!(st, StatusCode::OK, "{k}");
    assert_eq!(k["status"], "ISSUED");
    assert_eq!(k["issueId"], r["issueId"]);
    assert_eq!(k["methods"][0]["card"]["number"], "511111******1118");
    assert_eq!(
        h.hooks.types_for(&bk),
        ["BillingKey.Ready", "BillingKey.Issued"]
    );
    // The key pays through the API.
    let pay = uid("browser-bk");
    let (st, v) = h
        .post(
            &format!("/payments/{pay}/billing-key"),
            &json!({"billingKey": bk, "orderName": "월간 구독 1회차", "amount": {"total": 9900},
                    "currency": "KRW", "customer": {"id": "cust-1"}}),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");

    // 3. Galaxia mobile billing-key-and-pay: paid, and a mobile key issued.
    let r = flow(&results, "galaxia_mobile_billing_key_and_pay");
    let id = s(&r["paymentId"]);
    let bk = s(&r["billingKey"]);
    let p = payment(&h, &id).await;
    assert_eq!(p["status"], "PAID", "{p}");
    assert_eq!(p["method"]["type"], "PaymentMethodMobile");
    assert_eq!(p["billingKey"], bk);
    let (_, k) = h.get(&format!("/billing-keys/{bk}")).await;
    assert_eq!(k["status"], "ISSUED");
    assert_eq!(k["methods"][0]["type"], "BillingKeyPaymentMethodMobile");
    assert_eq!(r["query"]["transactionType"], "ISSUE_BILLING_KEY_AND_PAY");
    assert_eq!(
        h.hooks.types_for(&id),
        ["Transaction.Ready", "Transaction.Paid"]
    );
    assert_eq!(h.hooks.types_for(&bk), ["BillingKey.Issued"]);

    // 4. Virtual account through Smartro: its window (bank choice), then `checkout.complete`
    // approves the window's Tid/TrAuthKey and Smartro answers `4100` with the account.
    let r = flow(&results, "virtual_account");
    let id = s(&r["paymentId"]);
    assert_eq!(r["channel"], SMARTRO_VA_CHANNEL);
    assert!(s(&r["windowUrl"]).ends_with("/window"), "{r}");
    let p = payment(&h, &id).await;
    assert_eq!(p["status"], "VIRTUAL_ACCOUNT_ISSUED", "{p}");
    assert_eq!(p["channel"]["key"], SMARTRO_VA_CHANNEL);
    assert_eq!(p["method"]["type"], "PaymentMethodVirtualAccount");
    // The simulator's answer: VbankBankCode 088, which the Smartro adapter reads as PortOne's
    // SHINHAN; VbankNum `9` + 13 digits, the buyer as VbankAccountName, VbankExpDate at
    // 23:59:59 KST.
    assert_eq!(p["method"]["bank"], "SHINHAN", "{p}");
    let account = s(&p["method"]["accountNumber"]);
    assert!(
        account.len() == 14
            && account.starts_with('9')
            && account.chars().all(|c| c.is_ascii_digit()),
        "{p}"
    );
    assert_eq!(p["method"]["remitteeName"], "홍길동", "{p}");
    assert_eq!(p["amount"]["total"], 45000);
    assert!(p["method"]["issuedAt"].is_string(), "{p}");
    // Smartro's books: one virtual account awaiting its deposit, under the payment's Tid.
    let issued: Vec<_> = h.smartro.with_ledger(|l| {
        l.payments
            .iter()
            .filter(|x| x.order_id == id)
            .map(|x| {
                (
                    x.tid.clone(),
                    x.extra.pay_method,
                    x.amount.to_string(),
                    x.state,
                )
            })
            .collect()
    });
    assert_eq!(issued.len(), 1, "{issued:?}");
    let (tid, method, amount, state) = &issued[0];
    assert_eq!(p["pgTxId"], tid.as_str(), "{p}");
    assert_eq!(*method, "VBANK");
    assert_eq!(amount, "45000");
    assert_eq!(*state, paymux_smartro::simulator::State::AwaitingDeposit);
    // The window form's VbankExpDate (the session's dueDate), echoed in the answer.
    let due = h.smartro.with_ledger(|l| {
        l.auths
            .iter()
            .find(|a| a.moid == id)
            .and_then(|a| a.vbank_exp_date.clone())
            .unwrap_or_default()
    });
    assert_eq!(due.len(), 8, "VbankExpDate {due:?}");
    assert_eq!(
        s(&p["method"]["expiredAt"]),
        format!("{}-{}-{}T14:59:59.000Z", &due[..4], &due[4..6], &due[6..]),
        "{p}"
    );
    assert_eq!(
        h.hooks.types_for(&id),
        ["Transaction.Ready", "Transaction.VirtualAccountIssued"]
    );

    // 5. Declined card.
    let r = flow(&results, "declined_card");
    let id = s(&r["paymentId"]);
    assert_eq!(r["query"]["pgCode"], "810100");
    let p = payment(&h, &id).await;
    assert_eq!(p["status"], "FAILED");
    assert_eq!(p["failure"]["pgCode"], "810100");
    assert_eq!(
        h.hooks.types_for(&id),
        ["Transaction.Ready", "Transaction.Failed"]
    );

    // 6. Cancelled in the window.
    let r = flow(&results, "cancel_in_window");
    let id = s(&r["paymentId"]);
    assert_eq!(r["query"]["pgCode"], "8701");
    let p = payment(&h, &id).await;
    assert_eq!(p["status"], "FAILED");
    assert_eq!(p["failure"]["pgCode"], "8701");
    assert_eq!(
        h.hooks.types_for(&id),
        ["Transaction.Ready", "Transaction.Failed"]
    );

    // The PG saw exactly the approvals: no decline or cancel reached a ledger as a payment.
    let approved: Vec<String> = h
        .galaxia
        .ledger()
        .iter()
        .chain(h.smartro.ledger().iter())
        .chain(h.testwin.ledger().iter())
        .map(|e| e.order_id.clone())
        .collect();
    for r in ["declined_card", "cancel_in_window"] {
        assert!(!approved.contains(&s(&flow(&results, r)["paymentId"])));
    }
    eprintln!(
        "headless Chromium checkout: 6 flows checked in {:.1} s",
        started.elapsed().as_secs_f64()
    );
}

/// Run a Node driver command in a blocking thread (the gateway keeps serving on this runtime),
/// killed after 240 s. Returns whether it succeeded, the results it printed on its last
/// `RESULT <json>` line, and everything it printed.
pub(crate) async fn run_driver(mut cmd: Command) -> (bool, Vec<Value>, String) {
    cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
    let out = tokio::task::spawn_blocking(move || {
        let mut child = cmd.spawn().expect("start node");
        let started = Instant::now();
        loop {
            match child.try_wait() {
                Ok(Some(_)) => break,
                Ok(None) if started.elapsed() > Duration::from_secs(240) => {
                    // Our own child, by its handle.
                    let _ = child.kill();
                    break;
                }
                Ok(None) => std::thread::sleep(Duration::from_millis(100)),
                Err(_) => break,
            }
        }
        child.wait_with_output().expect("node output")
    })
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let results = stdout
        .lines()
        .rev()
        .find_map(|l| l.strip_prefix("RESULT "))
        .and_then(|j| serde_json::from_str::<Vec<Value>>(j).ok())
        .unwrap_or_default();
    (out.status.success(), results, format!("{stderr}\n{stdout}"))
}
