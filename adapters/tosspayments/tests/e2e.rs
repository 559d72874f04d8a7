//! End to end: every operation through the real HTTP transport (`NetTransport` + `execute`)
//! against the in-process Toss simulator, including the idempotency a retried request relies
//! on, the window, and deposit notices. Timeouts are limits, never assertions.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::*;
use paymux_core::adapter::{
    EncodeContext, IncomingNotice, NoticeEvent, NoticeTrust, PgAdapter, PgRequest, WireTarget,
};
use paymux_core::channel::ChannelContext;
use paymux_core::error::PgError;
use paymux_core::execute::{execute, execute_prepared, prepare};
use paymux_core::outcome::{ApprovedDetail, DeclineKind, Outcome, TxState};
use paymux_core::secret::Secret;
use paymux_core::simulator::{Simulator, SimulatorHandle};
use paymux_core::transport::{NetTransport, Timeouts};
use paymux_tosspayments::{TossAdapter, TossSimulator};
use serde_json::json;

struct Sandbox {
    sim: Arc<TossSimulator>,
    _handle: SimulatorHandle,
    channel: ChannelContext,
    endpoint: String,
}

/// The late answer (test card …0098) comes after this; clients then read for less.
const LATE: Duration = Duration::from_millis(1500);

async fn sandbox() -> Sandbox {
    let sim = Arc::new(TossSimulator::default().with_late_delay(LATE));
    let handle = sim
        .clone()
        .start("127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let endpoint = handle.endpoint();
    let channel = sim.sandbox_channel("tosspayments-e2e", &endpoint);
    Sandbox {
        sim,
        _handle: handle,
        channel,
        endpoint,
    }
}

fn timeouts(read: Duration) -> Timeouts {
    Timeouts {
        connect: Duration::from_secs(2),
        read,
    }
}

impl Sandbox {
    async fn run(&self, req: &PgRequest) -> Result<Outcome, PgError> {
        let ctx = EncodeContext::now(&self.channel);
        execute(
            &TossAdapter,
            &NetTransport::new(),
            &ctx,
            req,
            timeouts(Duration::from_secs(10)),
        )
        .await
    }

    /// A client that gives up long before the simulator's late answer (reqwest bounds the
    /// whole exchange by connect + read).
    async fn run_short(&self, req: &PgRequest) -> Result<Outcome, PgError> {
        let ctx = EncodeContext::now(&self.channel);
        let t = Timeouts {
            connect: Duration::from_millis(200),
            read: Duration::from_millis(300),
        };
        execute(&TossAdapter, &NetTransport::new(), &ctx, req, t).await
    }
}

fn key_of(o: &Outcome) -> String {
    match o {
        Outcome::Approved(a) => a.pg_tx_id.clone().expect("a paymentKey"),
        Outcome::VirtualAccountIssued(v) => v.pg_tx_id.clone().expect("a paymentKey"),
        other => panic!("not approved: {other:?}"),
    }
}

fn inquiry_state(o: &Outcome) -> TxState {
    match o {
        Outcome::Approved(a) => match &a.detail {
            ApprovedDetail::Inquiry(r) => r.state,
            d => panic!("not an inquiry: {d:?}"),
        },
        other => panic!("not answered: {other:?}"),
    }
}

#[tokio::test]
async fn card_payment_inquiry_and_cancels() {
    let s = sandbox().await;
    let paid = s
        .run(&instant_card("e2e-card-01", CARD_OK, 15000))
        .await
        .unwrap();
    let Outcome::Approved(a) = &paid else {
        panic!("{paid:?}")
    };
    assert_eq!(a.amount.map(|m| m.get()), Some(15000));
    match &a.detail {
        ApprovedDetail::Payment {
            card: Some(card),
            installment_month,
            approval_number,
            ..
        } => {
            assert_eq!(card.issuer_code.as_deref(), Some("41"));
            assert_eq!(card.issuer_name.as_deref(), Some("SHINHAN_CARD"));
            assert!(card.masked_number.as_deref().unwrap().contains('*'));
            assert_eq!(*installment_month, Some(3));
            assert!(approval_number.is_some());
        }
        d => panic!("{d:?}"),
    }
    let key = key_of(&paid);
    assert_eq!(
        inquiry_state(&s.run(&get("e2e-card-01", Some(&key))).await.unwrap()),
        TxState::Approved
    );
    // By orderId too (what resolves an unknown outcome).
    assert_eq!(
        inquiry_state(&s.run(&get("e2e-card-01", None)).await.unwrap()),
        TxState::Approved
    );
    let part = s
        .run(&cancel(
            "e2e-card-01",
            Some(5000),
            prior(&key, "CARD", 15000, 0, 0),
        ))
        .await
        .unwrap();
    match &part {
        Outcome::Approved(a) => assert!(matches!(
            a.detail,
            ApprovedDetail::Cancelled { remaining: Some(r), sequence: Some(1), .. } if r.get() == 10000
        )),
        o => panic!("{o:?}"),
    }
    let rest = s
        .run(&cancel(
            "e2e-card-01",
            None,
            prior(&key, "CARD", 15000, 5000, 1),
        ))
        .await
        .unwrap();
    assert!(matches!(rest, Outcome::Approved(_)), "{rest:?}");
    assert_eq!(
        inquiry_state(&s.run(&get("e2e-card-01", Some(&key))).await.unwrap()),
        TxState::Cancelled
    );
    assert_eq!(s.sim.ledger()[0].state, "CANCELLED");
}

#[tokio::test]
async fn declines_keep_tosss_code_and_map_through_the_table() {
    let s = sandbox().await;
    for (card, code, kind) in [
        (
            CARD_DECLINED,
            "REJECT_CARD_COMPANY",
            DeclineKind::CardDeclined,
        ),
        (
            CARD_NO_FUNDS,
            "REJECT_CARD_PAYMENT",
            DeclineKind::InsufficientFunds,
        ),
    ] {
        let o = s
            .run(&instant_card(&format!("e2e-dec-{code}"), card, 1000))
            .await
            .unwrap();
        match o {
            Outcome::Declined(d) => {
                assert_eq!(d.pg_code, code);
                assert_eq!(d.kind, kind);
                assert!(!d.retry_safe);
                assert!(!d.pg_message.is_empty());
            }
            o => panic!("{o:?}"),
        }
    }
    // A duplicate orderId is Toss's DUPLICATED_ORDER_ID.
    s.run(&instant_card("e2e-dup-01", CARD_OK, 1000))
        .await
        .unwrap();
    let mut ch = s.channel.clone();
    ch.key = "other".into();
    let ctx = EncodeContext::now(&ch);
    let req = instant_card("e2e-dup-01", CARD_OK, 2000);
    let o = execute(
        &TossAdapter,
        &NetTransport::new(),
        &ctx,
        &req,
        timeouts(Duration::from_secs(5)),
    )
    .await
    .unwrap();
    assert!(
        matches!(&o, Outcome::Declined(d) if d.pg_code == "DUPLICATED_ORDER_ID" && d.kind == DeclineKind::Duplicate),
        "{o:?}"
    );
}

#[tokio::test]
async fn a_wrong_secret_key_is_a_config_error() {
    let s = sandbox().await;
    let mut ch = s.channel.clone();
    ch.credentials
        .insert("secret_key".into(), Secret::new("test_sk_".into()));
    let ctx = EncodeContext::now(&ch);
    let o = execute(
        &TossAdapter,
        &NetTransport::new(),
        &ctx,
        &instant_card("e2e-auth-01", CARD_OK, 1000),
        timeouts(Duration::from_secs(5)),
    )
    .await
    .unwrap();
    assert!(
        matches!(&o, Outcome::Declined(d) if d.pg_code == "UNAUTHORIZED_KEY" && d.kind == DeclineKind::ConfigError && d.retry_safe),
        "{o:?}"
    );
    assert!(s.sim.ledger().is_empty());
}

/// The answer to a key-in is lost (…0098: the client stops reading); the same request sent
/// again carries the same Idempotency-Key and gets Toss's first answer: one charge, not two.
#[tokio::test]
async fn a_retried_payment_after_a_lost_answer_charges_once() {
    let s = sandbox().await;
    let req = instant_card("e2e-idem-01", CARD_LATE, 12000);
    let first = s.run_short(&req).await.unwrap();
    assert!(matches!(first, Outcome::Unknown(_)), "{first:?}");
    let again = s.run(&req).await.unwrap();
    let key = key_of(&again);
    let ledger = s.sim.ledger();
    assert_eq!(ledger.len(), 1, "charged twice: {ledger:?}");
    assert_eq!(ledger[0].pg_tx_id, key);
    assert_eq!(ledger[0].amount.get(), 12000);
}

/// A partial cancel whose answer was lost, sent again with the same attempt, cancels once; the
/// next cancel (the next attempt number) is a new one.
#[tokio::test]
async fn a_retried_cancel_cancels_once() {
    let s = sandbox().await;
    let key = key_of(
        &s.run(&instant_card("e2e-idem-02", CARD_OK, 10000))
            .await
            .unwrap(),
    );
    let req = cancel("e2e-idem-02", Some(3000), prior(&key, "CARD", 10000, 0, 0));
    let ctx = EncodeContext::now(&s.channel);
    let wire = prepare(&TossAdapter, &ctx, &req).unwrap();
    // The "lost" answer and the retry: the same bytes and the same Idempotency-Key.
    let t = timeouts(Duration::from_secs(5));
    let lost = execute_prepared(&TossAdapter, &NetTransport::new(), &ctx, &req, &wire, t)
        .await
        .unwrap();
    let retry = s.run(&req).await.unwrap();
    assert_eq!(lost, retry);
    let e = &s.sim.ledger()[0];
    assert_eq!((e.cancelled.get(), e.cancel_count), (3000, 1));
    // Without the header Toss would cancel again: the key is what protects the balance.
    let WireTarget::Http { headers, .. } = &wire.target else {
        panic!()
    };
    assert!(headers.iter().any(
        |h| h.name == "Idempotency-Key" && h.value.starts_with("paymux-cancel-e2e-idem-02-1-")
    ));
    let next = cancel(
        "e2e-idem-02",
        Some(3000),
        prior(&key, "CARD", 10000, 3000, 1),
    );
    s.run(&next).await.unwrap();
    let e = &s.sim.ledger()[0];
    assert_eq!((e.cancelled.get(), e.cancel_count), (6000, 2));
}

/// …0099: nothing recorded; the inquiry by orderId (no paymentKey came back) finds nothing.
#[tokio::test]
async fn an_unknown_outcome_is_resolved_by_order_id() {
    let s = sandbox().await;
    let o = s
        .run(&instant_card("e2e-drop-01", CARD_DROP, 1000))
        .await
        .unwrap();
    assert!(matches!(o, Outcome::Unknown(_)), "{o:?}");
    assert_eq!(
        inquiry_state(&s.run(&get("e2e-drop-01", None)).await.unwrap()),
        TxState::NotFound
    );
    let o = s
        .run_short(&instant_card("e2e-late-01", CARD_LATE, 1000))
        .await
        .unwrap();
    assert!(matches!(o, Outcome::Unknown(_)), "{o:?}");
    assert_eq!(
        inquiry_state(&s.run(&get("e2e-late-01", None)).await.unwrap()),
        TxState::Approved
    );
}

#[tokio::test]
async fn billing_key_issue_and_charges() {
    let s = sandbox().await;
    let o = s.run(&issue_billing_key("bk-1", CARD_OK)).await.unwrap();
    let stored = match &o {
        Outcome::Approved(a) => match &a.detail {
            ApprovedDetail::BillingKeyIssued {
                pg_billing_key,
                card,
            } => {
                assert_eq!(
                    card.as_ref().and_then(|c| c.issuer_code.as_deref()),
                    Some("41")
                );
                pg_billing_key.expose().clone()
            }
            d => panic!("{d:?}"),
        },
        o => panic!("{o:?}"),
    };
    assert!(stored.starts_with("user_01|"));
    let paid = s.run(&charge("e2e-bill-01", &stored, 9900)).await.unwrap();
    assert!(matches!(paid, Outcome::Approved(_)), "{paid:?}");
    // A key stored for another customer is refused by Toss.
    let (_, key) = stored.split_once('|').unwrap();
    let o = s
        .run(&charge("e2e-bill-02", &format!("someone_else|{key}"), 9900))
        .await
        .unwrap();
    assert!(
        matches!(&o, Outcome::Declined(d) if d.pg_code == "NOT_MATCHES_CUSTOMER_KEY"),
        "{o:?}"
    );
    // A card that declines when charged.
    let o = s
        .run(&issue_billing_key("bk-2", CARD_NO_FUNDS))
        .await
        .unwrap();
    let Outcome::Approved(a) = o else { panic!() };
    let ApprovedDetail::BillingKeyIssued { pg_billing_key, .. } = a.detail else {
        panic!()
    };
    let o = s
        .run(&charge("e2e-bill-03", pg_billing_key.expose(), 9900))
        .await
        .unwrap();
    assert!(matches!(&o, Outcome::Declined(d) if d.kind == DeclineKind::InsufficientFunds));
}

#[tokio::test]
async fn virtual_account_deposit_notice_and_refund() {
    let s = sandbox().await;
    let o = s
        .run(&virtual_account(
            "e2e-va-01",
            10000,
            json!({ "validHours": 72 }),
        ))
        .await
        .unwrap();
    let Outcome::VirtualAccountIssued(v) = &o else {
        panic!("{o:?}")
    };
    assert_eq!(v.bank.as_deref(), Some("20"));
    assert!(v.expires_at.is_some());
    let key = v.pg_tx_id.clone().unwrap();
    assert_eq!(
        inquiry_state(&s.run(&get("e2e-va-01", Some(&key))).await.unwrap()),
        TxState::Pending
    );
    let notice = s.sim.deposit(&key).expect("a deposit notice");
    assert!(s.sim.deposit(&key).is_none(), "one deposit only");
    let decoded = TossAdapter
        .decode_notice(
            &s.channel,
            &IncomingNotice {
                content_type: &notice.content_type,
                headers: &notice.headers,
                body: &notice.body,
            },
        )
        .unwrap();
    assert_eq!(decoded.order_id.as_deref(), Some("e2e-va-01"));
    assert_eq!(decoded.trust, NoticeTrust::Unsigned);
    assert!(matches!(decoded.event, NoticeEvent::Deposited { .. }));
    // The gateway confirms an unsigned notice by inquiry: now DONE.
    assert_eq!(
        inquiry_state(&s.run(&get("e2e-va-01", None)).await.unwrap()),
        TxState::Approved
    );
    // A deposited account is refunded to the payer's account.
    let mut req = json!({
        "paymentId": "e2e-va-01",
        "reason": "환불",
        "refundAccount": { "bank": "SHINHAN", "number": REFUND_ACCOUNT, "holderName": "박토스" },
        "prior": prior(&key, "VIRTUAL_ACCOUNT", 10000, 0, 0),
    });
    let o = s
        .run(&request(
            paymux_core::adapter::Operation::PaymentCancel,
            req.clone(),
        ))
        .await
        .unwrap();
    assert!(matches!(o, Outcome::Approved(_)), "{o:?}");
    req["paymentId"] = json!("e2e-va-01");
    assert_eq!(s.sim.ledger()[0].state, "CANCELLED");
}

#[tokio::test]
async fn window_confirm_and_a_tampered_amount() {
    let s = sandbox().await;
    let ctx = EncodeContext::now(&s.channel);
    let prepared = TossAdapter
        .encode(&ctx, &checkout("e2e-win-01", 15000))
        .unwrap();
    let back = pay_in_window(&s.endpoint, &prepared.body, CARD_OK, true)
        .await
        .unwrap();
    assert_eq!(back.get("orderId").map(String::as_str), Some("e2e-win-01"));
    assert_eq!(back.get("amount").map(String::as_str), Some("15000"));
    // The payer changed the amount on the way back: refused before anything is sent.
    let mut tampered = back.clone();
    tampered.insert("amount".into(), "100".into());
    let e = s
        .run(&complete("e2e-win-01", &tampered, 15000))
        .await
        .unwrap_err();
    assert!(e.to_string().contains("returned.amount"), "{e}");
    let o = s.run(&complete("e2e-win-01", &back, 15000)).await.unwrap();
    assert!(matches!(o, Outcome::Approved(_)), "{o:?}");
    // Confirming again is Toss's ALREADY_PROCESSED_PAYMENT... but the same request repeats its
    // Idempotency-Key, so it gets the first answer: still one payment.
    let again = s.run(&complete("e2e-win-01", &back, 15000)).await.unwrap();
    assert_eq!(o, again);
    assert_eq!(s.sim.ledger().len(), 1);
    // A payer who cancels the window.
    let prepared = TossAdapter
        .encode(&ctx, &checkout("e2e-win-02", 15000))
        .unwrap();
    let back = pay_in_window(&s.endpoint, &prepared.body, CARD_OK, false)
        .await
        .unwrap();
    let e = s
        .run(&complete("e2e-win-02", &back, 15000))
        .await
        .unwrap_err();
    assert!(
        matches!(&e, PgError::WindowFailed { pg_code, .. } if pg_code == "PAY_PROCESS_CANCELED"),
        "{e}"
    );
}
