//! End to end: every operation through the real HTTP transport (`NetTransport` + `execute`)
//! against the in-process NICE simulator, the window pages over plain HTTP, and NICE's
//! webhook decoded by the adapter. Timeouts are limits, never assertions.

#![cfg(feature = "simulator")]

mod common;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use common::*;
use paymux_core::adapter::{
    EncodeContext, IncomingNotice, NoticeEvent, NoticeTrust, PgAdapter, PgRequest,
};
use paymux_core::channel::ChannelContext;
use paymux_core::error::PgError;
use paymux_core::execute::execute;
use paymux_core::outcome::{Approved, ApprovedDetail, DeclineKind, Outcome, TxReport, TxState};
use paymux_core::secret::Secret;
use paymux_core::simulator::{Simulator, SimulatorHandle};
use paymux_core::transport::{NetTransport, Timeouts};
use paymux_nice::{NiceAdapter, NiceSimulator};
use serde_json::{json, Value};

struct Sandbox {
    sim: Arc<NiceSimulator>,
    handle: SimulatorHandle,
    channel: ChannelContext,
}

const LATE: Duration = Duration::from_millis(1500);

async fn sandbox(enc_mode: Option<&str>) -> Sandbox {
    let sim = Arc::new(NiceSimulator::default().with_late_delay(LATE));
    let handle = sim
        .clone()
        .start("127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let channel = channel(&handle.endpoint(), enc_mode);
    Sandbox {
        sim,
        handle,
        channel,
    }
}

impl Sandbox {
    async fn run_with(&self, req: &PgRequest, t: Timeouts) -> Result<Outcome, PgError> {
        let ctx = EncodeContext::now(&self.channel);
        execute(&NiceAdapter, &NetTransport::new(), &ctx, req, t).await
    }

    async fn run(&self, req: &PgRequest) -> Result<Outcome, PgError> {
        let t = Timeouts {
            connect: Duration::from_secs(2),
            read: Duration::from_secs(5),
        };
        self.run_with(req, t).await
    }

    /// A client that gives up (connect + read, what HTTP bounds) long before the late answer.
    async fn run_short(&self, req: &PgRequest) -> Result<Outcome, PgError> {
        let t = Timeouts {
            connect: Duration::from_millis(200),
            read: Duration::from_millis(300),
        };
        self.run_with(req, t).await
    }

    async fn key(&self, card: &str) -> String {
        match approved(self.run(&issue_key("bk-1", card)).await).detail {
            ApprovedDetail::BillingKeyIssued { pg_billing_key, .. } => {
                pg_billing_key.expose().clone()
            }
            other => panic!("expected a billing key, got {other:?}"),
        }
    }

    fn state(&self, order: &str) -> Option<(String, i64)> {
        self.sim
            .ledger()
            .into_iter()
            .find(|e| e.order_id == order)
            .map(|e| (e.state, e.cancelled.get()))
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.handle.endpoint())
    }

    /// Open the window with the prepared form and answer it; the fields posted to returnUrl.
    async fn through_window(&self, prepared: &[u8], answer: &str) -> BTreeMap<String, String> {
        let http = reqwest::Client::new();
        let page = http
            .post(self.url("/window"))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(prepared.to_vec())
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            page.contains("id=\"pay\"") && page.contains("id=\"cancel\""),
            "{page}"
        );
        assert!(!page.contains(CLIENT_KEY) && !page.contains(SECRET_KEY));
        let action = page
            .split("action=\"")
            .nth(1)
            .and_then(|s| s.split('"').next())
            .unwrap()
            .to_string();
        let back = http
            .post(self.url(&action))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(answer.to_string())
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(back.contains("https://shop.example/return"), "{back}");
        hidden_fields(&back)
    }
}

/// The hidden inputs of the return page.
fn hidden_fields(page: &str) -> BTreeMap<String, String> {
    page.split("<input type=\"hidden\" ")
        .skip(1)
        .filter_map(|s| {
            let name = s.split("name=\"").nth(1)?.split('"').next()?;
            let value = s.split("value=\"").nth(1)?.split('"').next()?;
            Some((name.to_string(), value.replace("&amp;", "&")))
        })
        .collect()
}

fn as_json(m: &BTreeMap<String, String>) -> Value {
    json!(m)
}

fn approved(o: Result<Outcome, PgError>) -> Approved {
    match o {
        Ok(Outcome::Approved(a)) => a,
        other => panic!("expected approval, got {other:?}"),
    }
}

fn declined(o: Result<Outcome, PgError>) -> (String, DeclineKind) {
    match o {
        Ok(Outcome::Declined(d)) => (d.pg_code, d.kind),
        other => panic!("expected a decline, got {other:?}"),
    }
}

fn report(o: Result<Outcome, PgError>) -> TxReport {
    match approved(o).detail {
        ApprovedDetail::Inquiry(r) => r,
        other => panic!("expected an inquiry answer, got {other:?}"),
    }
}

fn remaining(a: &Approved) -> Option<i64> {
    match &a.detail {
        ApprovedDetail::Cancelled { remaining, .. } => remaining.map(|m| m.get()),
        other => panic!("expected a cancel, got {other:?}"),
    }
}

async fn billing_lifecycle(enc_mode: Option<&str>) {
    let s = sandbox(enc_mode).await;
    let key = s.key("4111111111111111").await;
    assert!(!key.contains("BIKY"), "the stored key is sealed");
    let a = approved(s.run(&pay_with_key("order-1", &key, 10_000)).await);
    assert_eq!(a.amount.map(|m| m.get()), Some(10_000));
    let tid = a.pg_tx_id.clone().unwrap();
    assert_eq!(
        report(s.run(&get("order-1", Some(&tid))).await).state,
        TxState::Approved
    );
    // Two partial cancels (each under a fresh orderId), then the rest.
    let c1 = approved(
        s.run(&cancel("order-1", &tid, 10_000, 0, 0, Some(3_000)))
            .await,
    );
    assert_eq!(remaining(&c1), Some(7_000));
    let c2 = approved(
        s.run(&cancel("order-1", &tid, 10_000, 3_000, 1, Some(2_000)))
            .await,
    );
    assert_eq!(remaining(&c2), Some(5_000));
    assert_eq!(
        s.state("order-1"),
        Some(("PARTIALLY_CANCELLED".into(), 5_000))
    );
    let r = report(s.run(&get("order-1", None)).await);
    assert_eq!(r.state, TxState::PartiallyCancelled);
    let c3 = approved(
        s.run(&cancel("order-1", &tid, 10_000, 5_000, 2, None))
            .await,
    );
    assert_eq!(remaining(&c3), Some(0));
    assert_eq!(s.state("order-1"), Some(("CANCELLED".into(), 10_000)));
    // A cancel past the balance: refused by NICE's rule before sending (validation).
    assert!(matches!(
        s.run(&cancel("order-1", &tid, 10_000, 10_000, 3, Some(1)))
            .await,
        Err(PgError::Validation(_))
    ));
    // Delete, then the key no longer charges.
    let d = approved(s.run(&delete_key(&key)).await);
    assert!(matches!(d.detail, ApprovedDetail::BillingKeyDeleted));
    let (code, kind) = declined(s.run(&pay_with_key("order-2", &key, 1_000)).await);
    assert_eq!((code.as_str(), kind), ("U309", DeclineKind::NotFound));
}

#[tokio::test]
async fn billing_lifecycle_default_cipher() {
    billing_lifecycle(None).await;
}

#[tokio::test]
async fn billing_lifecycle_a2_cipher() {
    billing_lifecycle(Some("A2")).await;
}

#[tokio::test]
async fn test_cards_decline_and_unknown_outcomes_are_resolved_by_inquiry() {
    let s = sandbox(None).await;
    let (code, kind) = declined(s.run(&issue_key("bk-x", "4111111111110002")).await);
    assert_eq!((code.as_str(), kind), ("3095", DeclineKind::CardDeclined));
    let poor = s.key("4111111111110051").await;
    let (code, kind) = declined(s.run(&pay_with_key("order-p", &poor, 1_000)).await);
    assert_eq!(
        (code.as_str(), kind),
        ("3099", DeclineKind::InsufficientFunds)
    );
    // Late: approved at NICE, answered after the read timeout → Unknown; the inquiry by
    // orderId (no tid known) finds it approved.
    let late = s.key("4111111111110098").await;
    assert!(matches!(
        s.run_short(&pay_with_key("order-late", &late, 1_000)).await,
        Ok(Outcome::Unknown(_))
    ));
    assert_eq!(
        report(s.run(&get("order-late", None)).await).state,
        TxState::Approved
    );
    // Dropped (…0099): the connection closes without an answer and nothing is recorded.
    let r = s.run(&issue_key("bk-drop", "4111111111110099")).await;
    assert!(!matches!(r, Ok(Outcome::Approved(_))), "{r:?}");
    assert_eq!(
        s.sim.with_ledger(|l| l.keys.len()),
        2,
        "only the …0051 and …0098 keys"
    );
    assert_eq!(
        report(s.run(&get("order-never", None)).await).state,
        TxState::NotFound
    );
    // A duplicate orderId is NICE's U112.
    let k = s.key("4111111111111111").await;
    approved(s.run(&pay_with_key("order-dup", &k, 1_000)).await);
    let (code, kind) = declined(s.run(&pay_with_key("order-dup", &k, 1_000)).await);
    assert_eq!((code.as_str(), kind), ("U112", DeclineKind::Duplicate));
}

#[tokio::test]
async fn window_pays_by_card_and_the_return_is_checked_before_approving() {
    let s = sandbox(None).await;
    let prep = checkout("order-w1", "CARD", 12_500);
    let ctx = ctx(&s.channel);
    let prepared = NiceAdapter.encode(&ctx, &prep).unwrap();
    let returned = s
        .through_window(
            &prepared.body,
            "ACTION=approve&cardNumber=4111+1111+1111+1111",
        )
        .await;
    assert_eq!(returned["authResultCode"], "0000");
    // A tampered amount or signature is refused before anything is sent.
    let mut cheap = returned.clone();
    cheap.insert("amount".into(), "100".into());
    match s
        .run(&complete("order-w1", &as_json(&cheap), 12_500, "CARD"))
        .await
    {
        Err(PgError::Validation(e)) => {
            let t = e.to_string();
            assert!(
                t.contains("returned.amount") && t.contains("returned.signature"),
                "{t}"
            );
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
    match s
        .run(&complete("order-w1", &as_json(&returned), 10_000, "CARD"))
        .await
    {
        Err(PgError::Validation(e)) => assert!(e.to_string().contains("returned.amount")),
        other => panic!("expected a refusal, got {other:?}"),
    }
    assert_eq!(s.state("order-w1"), None, "nothing approved yet");
    let a = approved(
        s.run(&complete("order-w1", &as_json(&returned), 12_500, "CARD"))
            .await,
    );
    assert_eq!(a.amount.map(|m| m.get()), Some(12_500));
    assert_eq!(s.state("order-w1"), Some(("APPROVED".into(), 0)));
    match &a.detail {
        ApprovedDetail::Payment { card: Some(c), .. } => {
            assert_eq!(c.issuer_name.as_deref(), Some("SAMSUNG_CARD"));
            assert_eq!(c.masked_number.as_deref(), Some("411111******1111"));
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn window_cancel_is_the_windows_failure_and_nothing_is_sent() {
    let s = sandbox(None).await;
    let ctx = ctx(&s.channel);
    let prepared = NiceAdapter
        .encode(&ctx, &checkout("order-w2", "CARD", 5_000))
        .unwrap();
    let returned = s.through_window(&prepared.body, "ACTION=cancel").await;
    match s
        .run(&complete("order-w2", &as_json(&returned), 5_000, "CARD"))
        .await
    {
        Err(PgError::WindowFailed { pg_code, .. }) => assert_eq!(pg_code, "I002"),
        other => panic!("expected the window's failure, got {other:?}"),
    }
}

#[tokio::test]
async fn an_unknown_window_approval_is_resolved_by_inquiry() {
    let s = sandbox(None).await;
    let ctx = ctx(&s.channel);
    let prepared = NiceAdapter
        .encode(&ctx, &checkout("order-w3", "CARD", 5_000))
        .unwrap();
    let returned = s
        .through_window(&prepared.body, "ACTION=approve&cardNumber=4111111111110098")
        .await;
    let r = s
        .run_short(&complete("order-w3", &as_json(&returned), 5_000, "CARD"))
        .await;
    assert!(matches!(r, Ok(Outcome::Unknown(_))), "{r:?}");
    let rep = report(s.run(&get("order-w3", Some(&returned["tid"]))).await);
    assert_eq!(rep.state, TxState::Approved);
}

#[tokio::test]
async fn virtual_account_through_the_window_then_the_signed_deposit_webhook() {
    let s = sandbox(None).await;
    let ctx = ctx(&s.channel);
    let prepared = NiceAdapter
        .encode(&ctx, &checkout("order-va", "VIRTUAL_ACCOUNT", 30_000))
        .unwrap();
    let returned = s
        .through_window(&prepared.body, "ACTION=approve&bankCode=088")
        .await;
    let va = match s
        .run(&complete(
            "order-va",
            &as_json(&returned),
            30_000,
            "VIRTUAL_ACCOUNT",
        ))
        .await
    {
        Ok(Outcome::VirtualAccountIssued(v)) => v,
        other => panic!("expected a virtual account, got {other:?}"),
    };
    assert_eq!(va.bank.as_deref(), Some("088"));
    assert_eq!(va.remittee_name.as_deref(), Some("홍길동"));
    let tid = va.pg_tx_id.clone().unwrap();
    assert_eq!(
        report(s.run(&get("order-va", Some(&tid))).await).state,
        TxState::Pending
    );
    let notice = s.sim.deposit(&tid).expect("a deposit notice");
    let headers = vec![("Content-Type".to_string(), notice.content_type.clone())];
    let incoming = IncomingNotice {
        content_type: &notice.content_type,
        headers: &headers,
        body: &notice.body,
    };
    let n = NiceAdapter.decode_notice(&s.channel, &incoming).unwrap();
    assert_eq!(n.trust, NoticeTrust::Verified);
    assert_eq!(n.pg_tx_id.as_deref(), Some(tid.as_str()));
    assert_eq!(n.order_id.as_deref(), Some("order-va"));
    assert!(matches!(n.event, NoticeEvent::Deposited { amount: Some(a), .. } if a.get() == 30_000));
    assert_eq!(n.ack.body, b"OK");
    // A forged amount breaks the signature.
    let forged = String::from_utf8(notice.body.clone())
        .unwrap()
        .replace("\"amount\":30000", "\"amount\":3");
    let bad = IncomingNotice {
        content_type: &notice.content_type,
        headers: &headers,
        body: forged.as_bytes(),
    };
    assert!(matches!(
        NiceAdapter.decode_notice(&s.channel, &bad),
        Err(PgError::NoticeRefused { .. })
    ));
    // Another channel's secret key does not verify it either.
    let mut other = s.channel.clone();
    other.credentials.insert(
        "secret_key".into(),
        Secret::new("0123456789abcdef0123456789abcdef".into()),
    );
    assert!(matches!(
        NiceAdapter.decode_notice(&other, &incoming),
        Err(PgError::NoticeRefused { .. })
    ));
    assert_eq!(
        report(s.run(&get("order-va", Some(&tid))).await).state,
        TxState::Approved
    );
}

#[tokio::test]
async fn wrong_keys_are_nices_authentication_failure() {
    let s = sandbox(None).await;
    let mut ch = s.channel.clone();
    ch.credentials.insert(
        "secret_key".into(),
        Secret::new("0123456789abcdef0123456789abcdef".into()),
    );
    let ctx = EncodeContext::now(&ch);
    let t = Timeouts {
        connect: Duration::from_secs(2),
        read: Duration::from_secs(5),
    };
    let r = execute(
        &NiceAdapter,
        &NetTransport::new(),
        &ctx,
        &issue_key("bk-9", "4111111111111111"),
        t,
    )
    .await;
    let (code, kind) = declined(r);
    assert_eq!((code.as_str(), kind), ("U304", DeclineKind::ConfigError));
}

#[tokio::test]
async fn keyed_in_payment_is_unsupported_and_says_why() {
    let s = sandbox(None).await;
    match s.run(&instant_card("order-k")).await {
        Err(PgError::Unsupported { what, .. }) => {
            assert!(what.contains("no keyed-in card payment"), "{what}")
        }
        other => panic!("expected Unsupported, got {other:?}"),
    }
}
