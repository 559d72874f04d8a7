//! End to end: every operation through the real HTTP transport (`NetTransport` + `execute`)
//! against the in-process SmartroPay simulator. Timeouts are limits, never assertions.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::*;
use paymux_core::adapter::{EncodeContext, PgAdapter, PgRequest, WireTarget};
use paymux_core::channel::ChannelContext;
use paymux_core::error::PgError;
use paymux_core::execute::execute;
use paymux_core::outcome::{Approved, ApprovedDetail, DeclineKind, Outcome, TxReport, TxState};
use paymux_core::secret::Secret;
use paymux_core::simulator::{Simulator, SimulatorHandle};
use paymux_core::transport::{NetTransport, Timeouts, Transport};
use paymux_smartro::frame::{self, Params};
use paymux_smartro::protocol::sim;
use paymux_smartro::simulator::handlers::{DEPOSIT_PATH, WINDOW_PATH};
use paymux_smartro::simulator::{BillingKey, TEST_MERCHANT_KEY};
use paymux_smartro::{SmartroAdapter, SmartroSimulator};
use serde_json::{json, Value};

/// A running simulator and a channel pointing at it.
struct Sandbox {
    sim: Arc<SmartroSimulator>,
    handle: SimulatorHandle,
    channel: ChannelContext,
}

/// The late answer (test card …0098) comes after this; clients then read for less.
const LATE: Duration = Duration::from_millis(1500);

async fn sandbox() -> Sandbox {
    let sim = Arc::new(SmartroSimulator::default().with_late_delay(LATE));
    let handle = sim
        .clone()
        .start("127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let channel = sim.sandbox_channel("smartro-e2e", &handle.endpoint());
    Sandbox {
        sim,
        handle,
        channel,
    }
}

fn timeouts(read: Duration) -> Timeouts {
    Timeouts {
        connect: Duration::from_secs(2),
        read,
    }
}

impl Sandbox {
    async fn run_with(&self, req: &PgRequest, read: Duration) -> Result<Outcome, PgError> {
        let ctx = EncodeContext::now(&self.channel);
        execute(
            &SmartroAdapter,
            &NetTransport::new(),
            &ctx,
            req,
            timeouts(read),
        )
        .await
    }

    /// A client that gives up reading long before the simulator's late answer.
    async fn run_short(&self, req: &PgRequest) -> Result<Outcome, PgError> {
        let ctx = EncodeContext::now(&self.channel);
        let t = Timeouts {
            connect: Duration::from_millis(200),
            read: Duration::from_millis(300),
        };
        execute(&SmartroAdapter, &NetTransport::new(), &ctx, req, t).await
    }

    async fn run(&self, req: &PgRequest) -> Result<Outcome, PgError> {
        self.run_with(req, Duration::from_secs(5)).await
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.handle.endpoint())
    }

    async fn post(&self, path: &str, body: Vec<u8>) -> (u16, Value) {
        let r = reqwest::Client::new()
            .post(self.url(path))
            .body(body)
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(Value::Null))
    }

    /// Issue a billing key for `card`; returns the PG key.
    async fn key(&self, card: &str) -> String {
        match approved(self.run(&issue_billing_key("bk1", card)).await).detail {
            ApprovedDetail::BillingKeyIssued { pg_billing_key, .. } => {
                pg_billing_key.expose().clone()
            }
            other => panic!("expected a billing key, got {other:?}"),
        }
    }

    fn ledger_state(&self, order: &str) -> Option<(String, i64)> {
        self.sim
            .ledger()
            .into_iter()
            .find(|e| e.order_id == order)
            .map(|e| (e.state, e.cancelled.get()))
    }
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

fn cancelled(a: &Approved) -> (i64, Option<i64>, Option<u32>) {
    match &a.detail {
        ApprovedDetail::Cancelled {
            cancelled,
            remaining,
            sequence,
        } => (cancelled.get(), remaining.map(|m| m.get()), *sequence),
        other => panic!("expected a cancel, got {other:?}"),
    }
}

#[tokio::test]
async fn virtual_account_is_issued_found_pending_and_revoked() {
    let sb = sandbox().await;
    let issued = match sb.run(&va("e2eva1", 10000)).await {
        Ok(Outcome::VirtualAccountIssued(v)) => v,
        other => panic!("expected a virtual account, got {other:?}"),
    };
    assert_eq!(issued.pg_code, "4100");
    assert_eq!(issued.bank.as_deref(), Some("SHINHAN"));
    assert_eq!(issued.amount.map(|m| m.get()), Some(10000));
    assert_eq!(issued.remittee_name.as_deref(), Some("테스트상점"));
    assert!(issued.expires_at.is_some());
    let tid = issued.pg_tx_id.clone().unwrap();
    assert_eq!(
        sb.ledger_state("e2eva1"),
        Some(("VIRTUAL_ACCOUNT_ISSUED".into(), 0))
    );

    let r = report(sb.run(&inquiry("e2eva1", json!({ "pgTxId": tid }))).await);
    assert_eq!(r.state, TxState::Pending);

    // Undeposited: revoked whole, no refund account; a partial cancel is refused first.
    let mut p = prior(&tid, "VIRTUAL_ACCOUNT", 10000, 0, 0);
    p.as_object_mut().unwrap().remove("paidAt");
    let e = sb
        .run(&cancel("e2eva1", Some(100), p.clone()))
        .await
        .unwrap_err();
    assert!(e.to_string().contains("amount"), "{e}");
    let done = approved(sb.run(&cancel("e2eva1", None, p)).await);
    assert_eq!(done.pg_code, "2001");
    assert_eq!(cancelled(&done).0, 10000);
    assert_eq!(sb.ledger_state("e2eva1"), Some(("CANCELLED".into(), 10000)));
}

#[tokio::test]
async fn a_fixed_virtual_account_is_issued_on_its_account_number() {
    let sb = sandbox().await;
    let fixed = |id: &str, fixed: Value| {
        virtual_account(
            id,
            10000,
            json!({ "validHours": 24 }),
            json!({ "type": "FIXED", "fixed": fixed }),
        )
    };
    let issued = match sb
        .run(&fixed(
            "e2evafix",
            json!({ "accountNumber": "562-1123-4567" }),
        ))
        .await
    {
        Ok(Outcome::VirtualAccountIssued(v)) => v,
        other => panic!("expected a virtual account, got {other:?}"),
    };
    // TransType 04: the account asked for, answered in VbankNum.
    assert_eq!(issued.account_number, "56211234567");
    assert_eq!(issued.bank.as_deref(), Some("SHINHAN"));
    // vacct.do has no field for a PG-side account id: refused before anything is sent.
    let e = sb
        .run(&fixed("e2evafix2", json!({ "pgAccountId": "cust-7" })))
        .await
        .unwrap_err();
    assert!(e.to_string().contains("option.fixed.pgAccountId"), "{e}");
    assert_eq!(sb.ledger_state("e2evafix2"), None);
}

#[tokio::test]
async fn deposited_virtual_account_refund_needs_the_holder_phone_and_is_pending() {
    let sb = sandbox().await;
    let Ok(Outcome::VirtualAccountIssued(v)) = sb.run(&va("e2eva2", 5000)).await else {
        panic!("no account");
    };
    let tid = v.pg_tx_id.unwrap();
    let (status, ok) = sb
        .post(DEPOSIT_PATH, json!({ "Tid": tid }).to_string().into_bytes())
        .await;
    assert_eq!((status, ok["ResultCode"].as_str()), (200, Some("0000")));

    let p = prior(&tid, "VIRTUAL_ACCOUNT", 5000, 0, 0);
    let mut acct = refund_account();
    acct.as_object_mut().unwrap().remove("holderPhoneNumber");
    let req = |acct: Value| {
        request(
            paymux_core::adapter::Operation::PaymentCancel,
            json!({ "paymentId": "e2eva2", "reason": "환불", "refundAccount": acct, "prior": p }),
        )
    };
    match sb.run(&req(acct)).await {
        Err(PgError::Validation(e)) => {
            assert_eq!(e.0[0].path.as_str(), "refundAccount.holderPhoneNumber")
        }
        other => panic!("expected a validation error, got {other:?}"),
    }
    match sb.run(&req(refund_account())).await {
        Ok(Outcome::Pending(p)) => assert_eq!(p.pg_code, "2211"),
        other => panic!("expected a pending refund, got {other:?}"),
    }
}

#[tokio::test]
async fn billing_key_issue_charge_delete_then_charge_refused() {
    let sb = sandbox().await;
    let key = sb.key(CARD_OK).await;
    assert!(!key.contains("SIMBK"), "the key travels encrypted");

    let paid = approved(sb.run(&charge("e2ebill1", &key, 9900)).await);
    assert_eq!(paid.pg_code, "3001");
    assert_eq!(paid.amount.map(|m| m.get()), Some(9900));
    let tid = paid.pg_tx_id.clone().unwrap();
    assert!(
        tid.starts_with("pmxbill01m"),
        "billed under the billing MID: {tid}"
    );
    match &paid.detail {
        ApprovedDetail::Payment {
            approval_number: Some(_),
            card: Some(card),
            ..
        } => assert_eq!(card.masked_number.as_deref(), Some("451842******5678")),
        other => panic!("{other:?}"),
    }

    // A second charge with the same Moid is a duplicate.
    let (code, kind) = declined(sb.run(&charge("e2ebill1", &key, 9900)).await);
    assert_eq!(
        (code.as_str(), kind),
        (sim::DUPLICATE_ORDER, DeclineKind::Duplicate)
    );

    let deleted = approved(sb.run(&delete_billing_key("bk1", &key)).await);
    assert!(matches!(deleted.detail, ApprovedDetail::BillingKeyDeleted));
    let (code, kind) = declined(sb.run(&charge("e2ebill2", &key, 9900)).await);
    assert_eq!(
        (code.as_str(), kind),
        (sim::BILLING_KEY_NOT_FOUND, DeclineKind::NotFound)
    );
    // Deleting again is refused too.
    let (_, kind) = declined(sb.run(&delete_billing_key("bk1", &key)).await);
    assert_eq!(kind, DeclineKind::NotFound);
}

#[tokio::test]
async fn partial_cancels_down_to_zero_then_refused_and_over_balance_refused() {
    let sb = sandbox().await;
    let key = sb.key(CARD_OK).await;
    let tid = approved(sb.run(&charge("e2epart", &key, 10000)).await)
        .pg_tx_id
        .unwrap();

    let first = approved(
        sb.run(&cancel(
            "e2epart",
            Some(3000),
            prior(&tid, "CARD", 10000, 0, 0),
        ))
        .await,
    );
    assert_eq!(cancelled(&first), (3000, Some(7000), Some(1)));
    assert_eq!(first.pg_code, "2001");

    // Over the balance: refused before anything is sent.
    let e = sb
        .run(&cancel(
            "e2epart",
            Some(7001),
            prior(&tid, "CARD", 10000, 3000, 1),
        ))
        .await
        .unwrap_err();
    assert!(matches!(e, PgError::Validation(_)), "{e}");
    // A gateway that lost track (wrong cancelled so far): the simulator refuses the sequence.
    let (code, _) = declined(
        sb.run(&cancel(
            "e2epart",
            Some(1000),
            prior(&tid, "CARD", 10000, 0, 0),
        ))
        .await,
    );
    assert_eq!(code, sim::BAD_CANCEL_SEQUENCE);

    let last = approved(
        sb.run(&cancel(
            "e2epart",
            None,
            prior(&tid, "CARD", 10000, 3000, 1),
        ))
        .await,
    );
    assert_eq!(cancelled(&last), (7000, Some(0), Some(2)));
    assert_eq!(
        sb.ledger_state("e2epart"),
        Some(("CANCELLED".into(), 10000))
    );

    let e = sb
        .run(&cancel(
            "e2epart",
            Some(1),
            prior(&tid, "CARD", 10000, 10000, 2),
        ))
        .await
        .unwrap_err();
    assert!(e.to_string().contains("nothing is left"), "{e}");
    // The PG refuses it too if asked anyway (the gateway's books were wrong).
    let (code, kind) = declined(
        sb.run(&cancel("e2epart", None, prior(&tid, "CARD", 10000, 0, 2)))
            .await,
    );
    assert_eq!(
        (code.as_str(), kind),
        (sim::ALREADY_CANCELLED, DeclineKind::CancelRefused)
    );

    let r = report(sb.run(&inquiry("e2epart", json!({ "pgTxId": tid }))).await);
    assert_eq!(r.state, TxState::Cancelled);
}

#[tokio::test]
async fn full_cancel_on_the_alternative_cancel_path() {
    let mut sb = sandbox().await;
    sb.channel.options.insert(
        "cancel_path".into(),
        "/payment/cancel/cancelApproval.do".into(),
    );
    let key = sb.key(CARD_OK).await;
    let tid = approved(sb.run(&charge("e2ealt", &key, 5000)).await)
        .pg_tx_id
        .unwrap();
    let done = approved(
        sb.run(&cancel("e2ealt", None, prior(&tid, "CARD", 5000, 0, 0)))
            .await,
    );
    assert_eq!(cancelled(&done), (5000, Some(0), Some(1)));
}

#[tokio::test]
async fn declines_are_mapped_and_not_retry_safe() {
    let sb = sandbox().await;
    // …0002: the issuer refuses to register the card.
    let o = sb.run(&issue_billing_key("bk2", CARD_DECLINED)).await;
    let Ok(Outcome::Declined(d)) = o else {
        panic!("{o:?}")
    };
    assert_eq!(
        (d.pg_code.as_str(), d.kind),
        (sim::CARD_DECLINED, DeclineKind::CardDeclined)
    );
    assert!(!d.retry_safe);
    assert!(!d.pg_message.is_empty());

    // …0051: registered (no money moves), the charge fails for funds.
    let key = sb.key(CARD_NO_FUNDS).await;
    let o = sb.run(&charge("e2efunds", &key, 5000)).await;
    let Ok(Outcome::Declined(d)) = o else {
        panic!("{o:?}")
    };
    assert_eq!(
        (d.pg_code.as_str(), d.kind),
        (sim::INSUFFICIENT_FUNDS, DeclineKind::InsufficientFunds)
    );
    assert!(!d.retry_safe);
    assert!(sb.ledger_state("e2efunds").is_none());
}

#[tokio::test]
async fn a_late_answer_is_unknown_and_the_inquiry_finds_it_approved() {
    let sb = sandbox().await;
    let key = sb.key(CARD_LATE).await;
    let o = sb.run_short(&charge("e2elate", &key, 7000)).await;
    assert!(matches!(o, Ok(Outcome::Unknown(_))), "{o:?}");
    // No TID was seen: the inquiry asks by Moid under the billing MID.
    let r = report(
        sb.run(&inquiry(
            "e2elate",
            json!({ "pgBillingKey": key, "method": "CARD" }),
        ))
        .await,
    );
    assert_eq!(r.state, TxState::Approved);
    assert_eq!(r.amount.map(|m| m.get()), Some(7000));
}

#[tokio::test]
async fn a_dropped_connection_is_unknown_records_nothing_and_the_inquiry_finds_nothing() {
    let sb = sandbox().await;
    // At issue, …0099 drops the connection and registers nothing.
    let o = sb.run(&issue_billing_key("bk9", CARD_DROP)).await;
    assert!(matches!(o, Ok(Outcome::Unknown(_))), "{o:?}");
    assert!(sb.sim.with_ledger(|l| l.keys.is_empty()));
    // A key that stands for a …0099 card (registered before the card went bad): its charge
    // drops the connection too.
    sb.sim.with_ledger(|l| {
        l.keys.push(BillingKey {
            key: "SIMBKDROP".into(),
            merchant: "pmxbill01m".into(),
            card_number: Some(CARD_DROP.into()),
            active: true,
        })
    });
    let key = pg_key("SIMBKDROP");
    let o = sb.run(&charge("e2edrop", &key, 7000)).await;
    assert!(matches!(o, Ok(Outcome::Unknown(_))), "{o:?}");
    assert!(sb.ledger_state("e2edrop").is_none());
    let r = report(
        sb.run(&inquiry(
            "e2edrop",
            json!({ "pgBillingKey": key, "method": "CARD" }),
        ))
        .await,
    );
    assert_eq!(r.state, TxState::NotFound);
}

/// Tamper with the decrypted parameters of an encoded request and re-encrypt them, the way a
/// buggy client (or a wrong key) would.
fn tamper(req: &paymux_core::adapter::WireRequest, field: &str, value: &str) -> Vec<u8> {
    let outer: Value = serde_json::from_slice(&req.body).unwrap();
    let key = frame::aes_key(&Secret::new(TEST_MERCHANT_KEY.to_string())).unwrap();
    let plain = frame::decrypt(&key, outer["EncData"].as_str().unwrap()).unwrap();
    let mut inner: Value = serde_json::from_slice(&plain).unwrap();
    inner[field] = json!(value);
    let enc = frame::encrypt(&key, inner.to_string().as_bytes()).unwrap();
    json!({ "EncData": enc, "Mid": outer["Mid"] })
        .to_string()
        .into_bytes()
}

#[tokio::test]
async fn a_wrong_hash_or_key_is_rejected_by_the_simulator() {
    let sb = sandbox().await;
    let key = sb.key(CARD_OK).await;
    let tid = approved(sb.run(&charge("e2ehash", &key, 5000)).await)
        .pg_tx_id
        .unwrap();
    let ctx = EncodeContext::now(&sb.channel);
    let req = cancel("e2ehash", None, prior(&tid, "CARD", 5000, 0, 0));
    let mut wire = SmartroAdapter.encode(&ctx, &req).unwrap();
    let WireTarget::Http { url, .. } = &wire.target else {
        panic!()
    };
    let url = url.clone();
    // HashData of another amount: refused, nothing cancelled.
    let other = frame::cancel_hash(&tid, TEST_MERCHANT_KEY, "1", "0");
    wire.body = tamper(&wire, "HashData", &other);
    let resp = NetTransport::new()
        .send(&wire, timeouts(Duration::from_secs(5)))
        .await
        .unwrap();
    let out = SmartroAdapter.decode(&ctx, &req, &wire, &resp).unwrap();
    let Outcome::Declined(d) = out else {
        panic!("{out:?}")
    };
    assert_eq!(
        (d.pg_code.as_str(), d.kind),
        (sim::HASH_MISMATCH, DeclineKind::ConfigError)
    );
    assert_eq!(sb.ledger_state("e2ehash"), Some(("APPROVED".into(), 0)));
    assert!(url.ends_with("/payment/approval/cancel.do"));

    // VerifyValue of a billing charge: the same.
    let charge_req = charge("e2ehash2", &key, 5000);
    let mut w = SmartroAdapter.encode(&ctx, &charge_req).unwrap();
    w.body = tamper(&w, "Amt", "1");
    let resp = NetTransport::new()
        .send(&w, timeouts(Duration::from_secs(5)))
        .await
        .unwrap();
    let Outcome::Declined(d) = SmartroAdapter.decode(&ctx, &charge_req, &w, &resp).unwrap() else {
        panic!()
    };
    assert_eq!(d.pg_code, sim::HASH_MISMATCH);
    // vacct.do carries no signature: an amount that disagrees with the receipt's is refused,
    // and nothing is issued.
    let va_req = va("e2ehash3", 5000);
    let mut w = SmartroAdapter.encode(&ctx, &va_req).unwrap();
    w.body = tamper(&w, "Amt", "1");
    let resp = NetTransport::new()
        .send(&w, timeouts(Duration::from_secs(5)))
        .await
        .unwrap();
    let Outcome::Declined(d) = SmartroAdapter.decode(&ctx, &va_req, &w, &resp).unwrap() else {
        panic!()
    };
    assert_eq!(d.pg_code, sim::MISSING_FIELD);
    assert!(d.pg_message.contains("ReceiptAmt"), "{}", d.pg_message);
    assert_eq!(sb.ledger_state("e2ehash3"), None);

    // A channel with another merchant key: EncData does not decrypt.
    let mut wrong = sb.channel.clone();
    wrong.credentials.insert(
        "merchant_key".into(),
        Secret::new("ZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZ".into()),
    );
    let o = execute(
        &SmartroAdapter,
        &NetTransport::new(),
        &EncodeContext::now(&wrong),
        &va("e2ehash4", 5000),
        timeouts(Duration::from_secs(5)),
    )
    .await;
    let Ok(Outcome::Declined(d)) = o else {
        panic!("{o:?}")
    };
    assert_eq!(
        (d.pg_code.as_str(), d.kind),
        (sim::DECRYPT_FAILED, DeclineKind::ConfigError)
    );
    assert!(
        d.retry_safe,
        "a configuration error is safe to retry elsewhere"
    );
}

/// Pay in the simulated window: post the prepared form (+ card) to the test-only endpoint.
async fn through_window(sb: &Sandbox, req: &PgRequest, card: Option<&str>) -> (String, String) {
    let ctx = EncodeContext::now(&sb.channel);
    paymux_core::execute::validate(&SmartroAdapter, &ctx, req).unwrap();
    let prepared = SmartroAdapter.encode(&ctx, req).unwrap();
    let WireTarget::Browser { url, .. } = &prepared.target else {
        panic!("{:?}", prepared.target)
    };
    assert!(url.ends_with("/asset/js/SmartroPAY-1.0.min.js"), "{url}");
    let mut body = prepared.body.clone();
    if let Some(c) = card {
        body.extend_from_slice(format!("&CardNum={c}").as_bytes());
    }
    let (_, v) = sb.post(WINDOW_PATH, body).await;
    assert_eq!(v["ResultCode"], "0000", "{v}");
    (
        v["Tid"].as_str().unwrap().to_string(),
        v["TrAuthKey"].as_str().unwrap().to_string(),
    )
}

#[tokio::test]
async fn checkout_card_window_is_approved_once_then_cancelled() {
    let sb = sandbox().await;
    let (tid, key) = through_window(&sb, &checkout("e2ewin1", "CARD", 1004), Some(CARD_OK)).await;
    let done = approved(sb.run(&complete("e2ewin1", &tid, &key, "CARD", 1004)).await);
    assert_eq!(
        (done.pg_code.as_str(), done.pg_tx_id.as_deref()),
        ("3001", Some(tid.as_str()))
    );
    assert_eq!(done.amount.map(|m| m.get()), Some(1004));
    // The TrAuthKey is single-use.
    let (code, _) = declined(sb.run(&complete("e2ewin1", &tid, &key, "CARD", 1004)).await);
    assert_eq!(code, sim::WINDOW_AUTH_INVALID);
    let c = approved(
        sb.run(&cancel("e2ewin1", None, prior(&tid, "CARD", 1004, 0, 0)))
            .await,
    );
    assert_eq!(cancelled(&c).0, 1004);
}

#[tokio::test]
async fn checkout_windows_of_every_method() {
    let sb = sandbox().await;
    for (i, (method, code)) in [("TRANSFER", "4000"), ("MOBILE", "A000")]
        .into_iter()
        .enumerate()
    {
        let pid = format!("e2ewm{i}");
        let (tid, key) = through_window(&sb, &checkout(&pid, method, 1004), None).await;
        let done = approved(sb.run(&complete(&pid, &tid, &key, method, 1004)).await);
        assert_eq!(done.pg_code, code);
        let c = approved(
            sb.run(&cancel(&pid, None, prior(&tid, method, 1004, 0, 0)))
                .await,
        );
        assert_eq!(cancelled(&c).0, 1004);
    }
    let (tid, key) = through_window(&sb, &checkout("e2ewm9", "VIRTUAL_ACCOUNT", 1004), None).await;
    let o = sb
        .run(&complete("e2ewm9", &tid, &key, "VIRTUAL_ACCOUNT", 1004))
        .await;
    let Ok(Outcome::VirtualAccountIssued(v)) = o else {
        panic!("{o:?}")
    };
    assert_eq!(v.pg_code, "4100");
    assert!(!v.account_number.is_empty());
}

#[tokio::test]
async fn a_declined_card_in_the_window_and_a_foreign_tid_are_refused() {
    let sb = sandbox().await;
    let (tid, key) =
        through_window(&sb, &checkout("e2ewin2", "CARD", 1004), Some(CARD_DECLINED)).await;
    let (code, kind) = declined(sb.run(&complete("e2ewin2", &tid, &key, "CARD", 1004)).await);
    assert_eq!(
        (code.as_str(), kind),
        (sim::CARD_DECLINED, DeclineKind::CardDeclined)
    );
    // A Tid of another merchant never leaves the gateway.
    let e = sb
        .run(&complete(
            "e2ewin2",
            "othermid0m01012503011000000001",
            "k",
            "CARD",
            1004,
        ))
        .await
        .unwrap_err();
    assert!(e.to_string().contains("returned.Tid"), "{e}");
}

#[tokio::test]
async fn a_keyed_in_card_is_unsupported_before_anything_is_sent() {
    let sb = sandbox().await;
    let e = sb.run(&instant_card("e2ecard")).await.unwrap_err();
    assert!(matches!(e, PgError::Unsupported { .. }), "{e}");
    assert!(sb.sim.ledger().is_empty());
}

#[tokio::test]
async fn malformed_input_gets_an_error_answer_and_the_simulator_keeps_serving() {
    let sb = sandbox().await;
    let cases: Vec<(&str, Vec<u8>, u16, &str)> = vec![
        (
            "/payment/approval/cancel.do",
            b"not json".to_vec(),
            200,
            sim::MALFORMED_REQUEST,
        ),
        (
            "/payment/approval/cancel.do",
            b"[1,2]".to_vec(),
            200,
            sim::MALFORMED_REQUEST,
        ),
        (
            "/payment/approval/cancel.do",
            br#"{"Mid":"pmxtest01m"}"#.to_vec(),
            200,
            sim::MISSING_FIELD,
        ),
        (
            "/payment/approval/cancel.do",
            br#"{"Mid":"nobody","EncData":"AAAA"}"#.to_vec(),
            200,
            sim::UNKNOWN_MERCHANT,
        ),
        (
            "/payment/approval/ssbbill.do",
            br#"{"Mid":"pmxbill01m","EncData":"!!"}"#.to_vec(),
            200,
            sim::DECRYPT_FAILED,
        ),
        (
            "/payment/approval/urlCallApproval.do",
            br#"{"Tid":"x","TrAuthKey":"y"}"#.to_vec(),
            200,
            sim::WINDOW_AUTH_INVALID,
        ),
        ("/nope", b"{}".to_vec(), 404, sim::UNKNOWN_PATH),
        (
            WINDOW_PATH,
            vec![0xff, 0xfe, b'%', b'Z'],
            200,
            sim::MALFORMED_REQUEST,
        ),
        (
            "/payment/approval/cancel.do",
            vec![b'{'; 70 * 1024],
            413,
            sim::REQUEST_TOO_LARGE,
        ),
    ];
    for (path, body, status, code) in cases {
        let (got_status, v) = sb.post(path, body).await;
        assert_eq!(
            (got_status, v["ResultCode"].as_str()),
            (status, Some(code)),
            "{path}: {v}"
        );
    }
    // Garbage that is not HTTP: the connection is closed, nothing breaks.
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut s = tokio::net::TcpStream::connect(sb.handle.endpoint())
        .await
        .unwrap();
    s.write_all(b"\x00\x01\x02 GARBAGE\r\n\r\n").await.unwrap();
    let mut buf = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(2), s.read_to_end(&mut buf)).await;
    // Still serving.
    assert!(matches!(
        sb.run(&va("e2ealive", 1000)).await,
        Ok(Outcome::VirtualAccountIssued(_))
    ));
}

#[tokio::test]
async fn an_unreachable_simulator_is_not_sent() {
    let port = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let ch = channel(&format!("127.0.0.1:{port}"));
    let e = execute(
        &SmartroAdapter,
        &NetTransport::new(),
        &EncodeContext::now(&ch),
        &va("e2enone", 1000),
        timeouts(Duration::from_secs(2)),
    )
    .await
    .unwrap_err();
    assert!(matches!(e, PgError::NotSent { .. }), "{e}");
}

#[test]
fn params_are_the_documented_cancel_fields_in_order() {
    let p = frame::CancelParams {
        service_mode: "CL1",
        tid: "T".into(),
        mid: "M".into(),
        cancel_amt: "1".into(),
        cancel_pwd: Secret::new(String::new()),
        cancel_msg: String::new(),
        cancel_seq: "1".into(),
        partial_cancel_code: "0",
        cancel_tax_amt: String::new(),
        cancel_tax_free_amt: String::new(),
        cancel_vat_amt: String::new(),
        divide_info: String::new(),
        hash_data: String::new(),
        refund: None,
    };
    let names: Vec<_> = p.pairs().into_iter().map(|(k, _)| k).collect();
    // id36636996423's $paramData, in order.
    assert_eq!(
        names,
        [
            "SERVICE_MODE",
            "Tid",
            "Mid",
            "CancelAmt",
            "CancelPwd",
            "CancelMsg",
            "CancelSeq",
            "PartialCancelCode",
            "CancelTaxAmt",
            "CancelTaxFreeAmt",
            "CancelVatAmt",
            "DivideInfo",
            "HashData"
        ]
    );
}
