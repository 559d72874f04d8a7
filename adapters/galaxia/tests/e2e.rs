//! End to end: every operation through the real TCP transport (`NetTransport` + `execute`)
//! against the in-process BillGate simulator. Timeouts are limits, never assertions.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::*;
use paymux_core::adapter::{EncodeContext, PgRequest};
use paymux_core::channel::ChannelContext;
use paymux_core::error::PgError;
use paymux_core::execute::execute;
use paymux_core::outcome::{Approved, ApprovedDetail, DeclineKind, Outcome, TxState};
use paymux_core::simulator::{Simulator, SimulatorHandle};
use paymux_core::transport::{NetTransport, Timeouts};
use paymux_galaxia::encode::order_date;
use paymux_galaxia::{GalaxiaAdapter, GalaxiaSimulator};
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// A running simulator and a channel pointing at it.
struct Sandbox {
    sim: Arc<GalaxiaSimulator>,
    _handle: SimulatorHandle,
    channel: ChannelContext,
}

/// The late answer (test card …0098) comes after this; clients then read for less.
const LATE: Duration = Duration::from_millis(1500);

async fn sandbox() -> Sandbox {
    let sim = Arc::new(GalaxiaSimulator::default().with_late_delay(LATE));
    let handle = sim
        .clone()
        .start("127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let channel = sim.sandbox_channel("galaxia-e2e", &handle.endpoint());
    Sandbox {
        sim,
        _handle: handle,
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
    /// Run one operation now; returns the outcome and the ORDER_DATE used.
    async fn run_with(
        &self,
        req: &PgRequest,
        read: Duration,
    ) -> (Result<Outcome, PgError>, String) {
        let ctx = EncodeContext::now(&self.channel);
        let date = order_date(&ctx.now);
        let out = execute(
            &GalaxiaAdapter,
            &NetTransport::new(),
            &ctx,
            req,
            timeouts(read),
        )
        .await;
        (out, date)
    }

    async fn run(&self, req: &PgRequest) -> Result<Outcome, PgError> {
        self.run_with(req, Duration::from_secs(5)).await.0
    }
}

fn approved(o: Result<Outcome, PgError>) -> Approved {
    match o {
        Ok(Outcome::Approved(a)) => a,
        other => panic!("expected approval, got {other:?}"),
    }
}

fn cancelled(a: &Approved) -> (i64, Option<i64>) {
    match &a.detail {
        ApprovedDetail::Cancelled {
            cancelled,
            remaining,
            ..
        } => (cancelled.get(), remaining.map(|m| m.get())),
        other => panic!("expected a cancel, got {other:?}"),
    }
}

fn report(o: Result<Outcome, PgError>) -> paymux_core::outcome::TxReport {
    match approved(o).detail {
        ApprovedDetail::Inquiry(r) => r,
        other => panic!("expected an inquiry answer, got {other:?}"),
    }
}

fn validation_paths(e: &PgError) -> Vec<String> {
    match e {
        PgError::Validation(v) => v.0.iter().map(|e| e.path.to_string()).collect(),
        other => panic!("expected a validation error, got {other:?}"),
    }
}

#[tokio::test]
async fn approve_then_partial_cancels_down_to_zero_then_one_more_is_refused() {
    let sb = sandbox().await;
    let (out, date) = sb
        .run_with(
            &instant("e2e-partial", CARD_OK, 1000),
            Duration::from_secs(5),
        )
        .await;
    let paid = approved(out);
    let tid = paid.pg_tx_id.clone().unwrap();
    assert_eq!(paid.amount.map(|m| m.get()), Some(1000));
    assert!(matches!(
        paid.detail,
        ApprovedDetail::Payment {
            approval_number: Some(_),
            ..
        }
    ));

    let first = approved(
        sb.run(&cancel(
            "e2e-partial",
            Some(300),
            prior(&tid, "CARD", 1000, 0, &date),
        ))
        .await,
    );
    assert_eq!(cancelled(&first), (300, Some(700)));
    let second = approved(
        sb.run(&cancel(
            "e2e-partial",
            Some(700),
            prior(&tid, "CARD", 1000, 300, &date),
        ))
        .await,
    );
    assert_eq!(cancelled(&second), (700, Some(0)));

    // Nothing left: refused before anything is sent, naming `amount`.
    let e = sb
        .run(&cancel(
            "e2e-partial",
            Some(1),
            prior(&tid, "CARD", 1000, 1000, &date),
        ))
        .await
        .unwrap_err();
    assert_eq!(validation_paths(&e), ["amount"]);
    // More than the balance: refused too.
    let e = sb
        .run(&cancel(
            "e2e-partial",
            Some(800),
            prior(&tid, "CARD", 1000, 300, &date),
        ))
        .await
        .unwrap_err();
    assert_eq!(validation_paths(&e), ["amount"]);

    // A stale prior gets past validation; the PG's own books refuse it.
    let stale = sb
        .run(&cancel(
            "e2e-partial",
            Some(100),
            prior(&tid, "CARD", 1000, 0, &date),
        ))
        .await;
    match stale {
        Ok(Outcome::Declined(d)) => assert_eq!(d.kind, DeclineKind::CancelRefused),
        other => panic!("expected a refusal, got {other:?}"),
    }

    let entry = sb
        .sim
        .ledger()
        .into_iter()
        .find(|e| e.order_id == "e2e-partial")
        .unwrap();
    assert_eq!(
        (
            entry.cancelled.get(),
            entry.cancel_count,
            entry.state.as_str()
        ),
        (1000, 2, "CANCELLED")
    );
    let r = report(
        sb.run(&inquiry(
            "e2e-partial",
            prior(&tid, "CARD", 1000, 1000, &date),
        ))
        .await,
    );
    assert_eq!(r.state, TxState::Cancelled);
}

#[tokio::test]
async fn full_cancel_and_inquiry_states() {
    let sb = sandbox().await;
    let (out, date) = sb
        .run_with(&instant("e2e-full", CARD_OK, 5000), Duration::from_secs(5))
        .await;
    let tid = approved(out).pg_tx_id.unwrap();

    let r = report(
        sb.run(&inquiry("e2e-full", prior(&tid, "CARD", 5000, 0, &date)))
            .await,
    );
    assert_eq!(
        (r.state, r.amount.map(|m| m.get())),
        (TxState::Approved, Some(5000))
    );

    let partial = approved(
        sb.run(&cancel(
            "e2e-full",
            Some(1000),
            prior(&tid, "CARD", 5000, 0, &date),
        ))
        .await,
    );
    assert_eq!(cancelled(&partial), (1000, Some(4000)));
    let r = report(
        sb.run(&inquiry("e2e-full", prior(&tid, "CARD", 5000, 1000, &date)))
            .await,
    );
    assert_eq!(
        (r.state, r.balance.map(|m| m.get())),
        (TxState::PartiallyCancelled, Some(4000))
    );

    let sb2 = sandbox().await;
    let (out, date2) = sb2
        .run_with(
            &instant("e2e-full-2", CARD_OK, 5000),
            Duration::from_secs(5),
        )
        .await;
    let tid2 = approved(out).pg_tx_id.unwrap();
    let full = approved(
        sb2.run(&cancel(
            "e2e-full-2",
            None,
            prior(&tid2, "CARD", 5000, 0, &date2),
        ))
        .await,
    );
    assert_eq!(cancelled(&full), (5000, Some(0)));
    assert_eq!(sb2.sim.ledger()[0].state, "CANCELLED");
}

#[tokio::test]
async fn declines_keep_the_raw_code_and_map_the_kind() {
    let sb = sandbox().await;
    for (number, kind) in [
        (CARD_DECLINED, DeclineKind::CardDeclined),
        (CARD_NO_FUNDS, DeclineKind::InsufficientFunds),
    ] {
        let pid = format!("e2e-decline-{}", &number[12..]);
        match sb.run(&instant(&pid, number, 1000)).await {
            Ok(Outcome::Declined(d)) => {
                assert_eq!(d.kind, kind);
                assert!(!d.retry_safe);
                let raw = if kind == DeclineKind::CardDeclined {
                    "810100"
                } else {
                    "815100"
                };
                assert_eq!(d.pg_code, raw);
            }
            other => panic!("expected a decline, got {other:?}"),
        }
    }
    assert!(sb.sim.ledger().is_empty());
}

#[tokio::test]
async fn a_reused_order_id_is_declined_as_duplicate() {
    let sb = sandbox().await;
    approved(sb.run(&instant("e2e-dup", CARD_OK, 1000)).await);
    match sb.run(&instant("e2e-dup", CARD_OK, 1000)).await {
        Ok(Outcome::Declined(d)) => assert_eq!(d.kind, DeclineKind::Duplicate),
        other => panic!("expected a duplicate decline, got {other:?}"),
    }
}

#[tokio::test]
async fn billing_key_issue_charge_delete_then_charge_is_refused() {
    let sb = sandbox().await;
    let issued = approved(sb.run(&issue_billing_key("bk-e2e-1", CARD_OK)).await);
    let ApprovedDetail::BillingKeyIssued {
        pg_billing_key,
        card,
    } = issued.detail
    else {
        panic!("expected a billing key");
    };
    assert_eq!(
        card.unwrap().masked_number.as_deref(),
        Some("451842******5678")
    );
    let key = pg_billing_key.expose().clone();

    let paid = approved(
        sb.run(&charge_billing_key("e2e-bk-pay-1", &key, "CARD"))
            .await,
    );
    assert_eq!(paid.amount.map(|m| m.get()), Some(9900));

    let deleted = approved(sb.run(&delete_billing_key("bk-e2e-1", &key)).await);
    assert_eq!(deleted.detail, ApprovedDetail::BillingKeyDeleted);

    match sb
        .run(&charge_billing_key("e2e-bk-pay-2", &key, "CARD"))
        .await
    {
        Ok(Outcome::Declined(d)) => assert_eq!(d.kind, DeclineKind::NotFound),
        other => panic!("expected a refusal, got {other:?}"),
    }
    assert_eq!(sb.sim.ledger().len(), 1);
}

#[tokio::test]
async fn a_late_answer_is_unknown_and_inquiry_finds_the_approval() {
    let sb = sandbox().await;
    let (out, date) = sb
        .run_with(
            &instant("e2e-late", CARD_LATE, 2000),
            Duration::from_millis(300),
        )
        .await;
    assert!(matches!(out, Ok(Outcome::Unknown(_))), "{out:?}");

    // The gateway knows the order id and date it sent, not the TID.
    let r = report(
        sb.run(&inquiry(
            "e2e-late",
            json!({ "method": "CARD", "orderDate": date }),
        ))
        .await,
    );
    assert_eq!(r.state, TxState::Approved);
    let truth = sb
        .sim
        .ledger()
        .into_iter()
        .find(|e| e.order_id == "e2e-late")
        .unwrap();
    assert_eq!(r.pg_tx_id.as_deref(), Some(truth.pg_tx_id.as_str()));
    assert_eq!(r.amount, Some(truth.amount));
}

#[tokio::test]
async fn a_dropped_connection_is_unknown_and_inquiry_says_not_found() {
    let sb = sandbox().await;
    let (out, date) = sb
        .run_with(
            &instant("e2e-drop", CARD_DROP, 2000),
            Duration::from_secs(5),
        )
        .await;
    assert!(matches!(out, Ok(Outcome::Unknown(_))), "{out:?}");
    let r = report(
        sb.run(&inquiry(
            "e2e-drop",
            json!({ "method": "CARD", "orderDate": date }),
        ))
        .await,
    );
    assert_eq!(r.state, TxState::NotFound);
    assert!(sb.sim.ledger().is_empty());
}

#[tokio::test]
async fn window_card_payment_completes_and_tampering_is_refused() {
    let sb = sandbox().await;
    let prepared = sb
        .run(&checkout_payment("CARD", json!({})))
        .await
        .unwrap_err();
    assert!(
        matches!(prepared, PgError::NotSent { .. }),
        "the browser posts the form: {prepared:?}"
    );

    let returned = window_return("win-card", "0900", "3000", 1004, &[("0008", CARD_OK)]);
    let mut tampered = returned.clone();
    let ok = approved(
        sb.run(&checkout_complete("win-card", returned, "CARD", 1004))
            .await,
    );
    assert_eq!(ok.amount.map(|m| m.get()), Some(1004));

    // Same posted fields, but the gateway prepared another amount: HASH_DATA no longer fits.
    let e = sb
        .run(&checkout_complete("win-card", tampered.clone(), "CARD", 1))
        .await
        .unwrap_err();
    assert_eq!(validation_paths(&e), ["returned.HASH_DATA"]);
    tampered.insert(
        "HASH_DATA".into(),
        paymux_core::Secret::new("00".repeat(32)),
    );
    let e = sb
        .run(&checkout_complete("win-card", tampered, "CARD", 1004))
        .await
        .unwrap_err();
    assert_eq!(validation_paths(&e), ["returned.HASH_DATA"]);
}

#[tokio::test]
async fn window_transfer_and_mobile_payments_cancel_partially_then_fully() {
    let sb = sandbox().await;
    for (pid, service, method, partial_cmd) in [
        ("win-transfer", "1000", "TRANSFER", "9300"),
        ("win-mobile", "1100", "MOBILE", "9000"),
    ] {
        let returned = window_return(pid, service, "3000", 3000, &[]);
        let date = returned["ORDER_DATE"].expose().clone();
        let paid = approved(
            sb.run(&checkout_complete(pid, returned, method, 3000))
                .await,
        );
        let tid = paid.pg_tx_id.unwrap();
        let first = approved(
            sb.run(&cancel(
                pid,
                Some(1000),
                prior(&tid, method, 3000, 0, &date),
            ))
            .await,
        );
        assert_eq!(cancelled(&first), (1000, Some(2000)), "{partial_cmd}");
        let rest = approved(
            sb.run(&cancel(pid, None, prior(&tid, method, 3000, 1000, &date)))
                .await,
        );
        assert_eq!(cancelled(&rest), (2000, Some(0)));
    }
    assert!(sb.sim.ledger().iter().all(|e| e.state == "CANCELLED"));
}

#[tokio::test]
async fn billing_key_window_and_mobile_billing_key_and_pay() {
    let sb = sandbox().await;
    // Billing-key window (card): the window's MESSAGE registers a key, charges nothing.
    let returned = window_return("orderMonthly0001", "0900", "2100", 1000, &[]);
    let issued = approved(
        sb.run(&checkout_complete(
            "orderMonthly0001",
            returned,
            "CARD",
            1000,
        ))
        .await,
    );
    assert!(matches!(
        issued.detail,
        ApprovedDetail::BillingKeyIssued { .. }
    ));
    assert!(sb.sim.ledger().is_empty());

    // Billing-key-and-pay (mobile): pays and registers a key; later charges use 3910.
    let returned = window_return("orderNo0001", "1100", "3030", 1000, &[]);
    let paid = approved(
        sb.run(&checkout_complete("orderNo0001", returned, "MOBILE", 1000))
            .await,
    );
    let ApprovedDetail::Payment {
        pg_billing_key: Some(key),
        ..
    } = paid.detail
    else {
        panic!("expected a payment with a billing key");
    };
    let again = approved(
        sb.run(&charge_billing_key("e2e-mobile-2", key.expose(), "MOBILE"))
            .await,
    );
    assert_eq!(again.amount.map(|m| m.get()), Some(9900));
    assert_eq!(sb.sim.ledger().len(), 2);
}

#[tokio::test]
async fn the_simulator_survives_garbage_and_keeps_serving() {
    let sb = sandbox().await;
    let addr = sb.channel.endpoint.clone().unwrap();
    for garbage in [&b"zzzz"[..], b"0010hello", b"0040M2103135", &[0xff; 64][..]] {
        let mut s = tokio::net::TcpStream::connect(&addr).await.unwrap();
        s.write_all(garbage).await.unwrap();
        let _ = s.shutdown().await;
        let mut buf = Vec::new();
        let read = tokio::time::timeout(Duration::from_secs(12), s.read_to_end(&mut buf)).await;
        assert!(read.is_ok(), "the simulator closes bad connections");
        assert!(buf.is_empty(), "no answer to an unreadable frame");
    }
    approved(sb.run(&instant("e2e-after-garbage", CARD_OK, 1000)).await);
}
