//! End to end: every operation through the real transports (`NetTransport` + `execute`:
//! reqwest for WEBFEP, a raw TCP socket for KSPay) against the in-process simulator, once per
//! interface. Timeouts are limits, never assertions.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::*;
use paymux_core::adapter::{EncodeContext, PgRequest};
use paymux_core::channel::ChannelContext;
use paymux_core::error::PgError;
use paymux_core::execute::execute;
use paymux_core::outcome::{Approved, ApprovedDetail, DeclineKind, Outcome, TxReport, TxState};
use paymux_core::simulator::{Simulator, SimulatorHandle};
use paymux_core::transport::{NetTransport, Timeouts};
use paymux_ksnet::{KsnetAdapter, KsnetSimulator, Protocol};
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// The late answer (test card …0098) comes after this; clients then read for less. Longer
/// than connect + read of the short client (2 s + 300 ms): reqwest's one timeout covers both.
const LATE: Duration = Duration::from_secs(3);

struct Sandbox {
    sim: Arc<KsnetSimulator>,
    _handle: SimulatorHandle,
    channel: ChannelContext,
    endpoint: String,
}

async fn sandbox(protocol: Protocol) -> Sandbox {
    let sim = Arc::new(KsnetSimulator::default().with_late_delay(LATE));
    let handle = sim
        .clone()
        .start("127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let endpoint = handle.endpoint();
    Sandbox {
        channel: KsnetSimulator::sandbox_channel_for(protocol, "ksnet-e2e", &endpoint),
        sim,
        _handle: handle,
        endpoint,
    }
}

impl Sandbox {
    /// Run one operation now; returns the outcome and the order date a gateway would store.
    async fn run_with(
        &self,
        req: &PgRequest,
        read: Duration,
    ) -> (Result<Outcome, PgError>, String) {
        let ctx = EncodeContext::now(&self.channel);
        let date = ctx.now.format("%Y%m%d%H%M%S").to_string();
        let timeouts = Timeouts {
            connect: Duration::from_secs(2),
            read,
        };
        (
            execute(&KsnetAdapter, &NetTransport::new(), &ctx, req, timeouts).await,
            date,
        )
    }

    async fn run(&self, req: &PgRequest) -> Result<Outcome, PgError> {
        self.run_with(req, Duration::from_secs(5)).await.0
    }
}

fn approved(o: Result<Outcome, PgError>) -> Approved {
    match o {
        Ok(Outcome::Approved(a)) => a,
        other => panic!("expected an approval, got {other:?}"),
    }
}

fn declined(o: Result<Outcome, PgError>) -> (DeclineKind, String) {
    match o {
        Ok(Outcome::Declined(d)) => (d.kind, d.pg_code),
        other => panic!("expected a decline, got {other:?}"),
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

fn report(o: Result<Outcome, PgError>) -> TxReport {
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

/// The prior a gateway stores after a payment.
fn stored(a: &Approved, total: i64, cancelled: i64, count: u32, date: &str) -> serde_json::Value {
    json!({
        "pgTxId": a.pg_tx_id,
        "paidAt": a.at.map(|t| t.to_rfc3339()),
        "amount": { "total": total, "cancelled": cancelled },
        "cancelCount": count,
        "method": "CARD",
        "orderDate": date
    })
}

macro_rules! both {
    ($($name:ident),* $(,)?) => {
        mod webfep {
            $(
                #[tokio::test]
                async fn $name() {
                    super::$name(paymux_ksnet::Protocol::Webfep).await;
                }
            )*
        }
        mod kspay {
            $(
                #[tokio::test]
                async fn $name() {
                    super::$name(paymux_ksnet::Protocol::Kspay).await;
                }
            )*
        }
    };
}

both!(
    approve_with_and_without_old_cert,
    declines_keep_the_raw_code_and_map_the_kind,
    nine_partial_cancels_then_the_tenth_is_refused,
    full_cancel_then_nothing_left,
    virtual_account_is_issued_and_pending,
    billing_key_issue_charge_delete_then_refused,
    late_answer_is_unknown_and_inquiry_finds_the_approval,
    dropped_connection_is_unknown_and_inquiry_finds_nothing,
    duplicate_order_is_declined,
    usd_amounts_round_trip,
    usd_partial_cancel_is_sent_in_the_payment_currency,
);

async fn approve_with_and_without_old_cert(p: Protocol) {
    let sb = sandbox(p).await;
    let a = approved(sb.run(&instant("e2e-oldcert", CARD_OK, 50_004)).await);
    assert_eq!(a.amount.map(|m| m.get()), Some(50_004));
    assert_eq!(a.pg_tx_id.as_deref().map(str::len), Some(12));
    let ApprovedDetail::Payment {
        approval_number,
        card,
        installment_month,
        ..
    } = &a.detail
    else {
        panic!("a payment detail");
    };
    assert!(approval_number.is_some());
    assert_eq!(*installment_month, Some(3));
    let masked = card.as_ref().and_then(|c| c.masked_number.clone()).unwrap();
    assert!(
        masked.starts_with("451842") && !masked.contains("12345678"),
        "{masked}"
    );
    assert!(a.at.is_some());

    let noncert = request(
        paymux_core::adapter::Operation::PaymentInstant,
        instant_body("e2e-noncert", CARD_OK, 1004, false),
    );
    approved(sb.run(&noncert).await);
    let ledger = sb.sim.ledger();
    assert_eq!(ledger.len(), 2);
    assert!(ledger
        .iter()
        .all(|e| e.state == "APPROVED" && e.method == "CARD"));
}

async fn declines_keep_the_raw_code_and_map_the_kind(p: Protocol) {
    let sb = sandbox(p).await;
    for (number, kind, code) in [
        (CARD_DECLINED, DeclineKind::CardDeclined, "S002"),
        (CARD_NO_FUNDS, DeclineKind::InsufficientFunds, "S051"),
    ] {
        let pid = format!("e2e-decline-{}", &number[12..]);
        let (k, c) = declined(sb.run(&instant(&pid, number, 1000)).await);
        assert_eq!((k, c.as_str()), (kind, code));
    }
    assert!(sb.sim.ledger().is_empty());

    // A wrong key (WEBFEP A0401) or an unknown store (KSPay S401): a configuration error,
    // retry-safe, nothing recorded.
    let mut wrong = sb.channel.clone();
    wrong
        .credentials
        .insert("mid".into(), paymux_core::Secret::new("2999100000".into()));
    let ctx = EncodeContext::now(&wrong);
    let out = execute(
        &KsnetAdapter,
        &NetTransport::new(),
        &ctx,
        &instant("e2e-wrong-mid", CARD_OK, 1000),
        Timeouts::default(),
    )
    .await;
    match out {
        Ok(Outcome::Declined(d)) => {
            assert_eq!(d.kind, DeclineKind::ConfigError);
            assert!(d.retry_safe);
        }
        other => panic!("expected a configuration decline, got {other:?}"),
    }
    assert!(sb.sim.ledger().is_empty());
}

async fn nine_partial_cancels_then_the_tenth_is_refused(p: Protocol) {
    let sb = sandbox(p).await;
    let (out, date) = sb
        .run_with(
            &instant("e2e-partial", CARD_OK, 10_000),
            Duration::from_secs(5),
        )
        .await;
    let paid = approved(out);
    for i in 0..9u32 {
        let done = i64::from(i) * 100;
        let a = approved(
            sb.run(&cancel(
                "e2e-partial",
                Some(100),
                stored(&paid, 10_000, done, i, &date),
            ))
            .await,
        );
        assert_eq!(cancelled(&a), (100, Some(10_000 - done - 100), Some(i + 1)));
    }
    // The tenth: refused before anything is sent, naming prior.cancelCount.
    let e = sb
        .run(&cancel(
            "e2e-partial",
            Some(100),
            stored(&paid, 10_000, 900, 9, &date),
        ))
        .await
        .unwrap_err();
    assert_eq!(validation_paths(&e), ["prior.cancelCount"]);
    // Cancelling the rest is a tenth partial cancel too.
    let e = sb
        .run(&cancel(
            "e2e-partial",
            None,
            stored(&paid, 10_000, 900, 9, &date),
        ))
        .await
        .unwrap_err();
    assert_eq!(validation_paths(&e), ["prior.cancelCount"]);
    // A stale prior gets past validation; KSNET's books refuse it (sequence 3 again).
    let stale = sb
        .run(&cancel(
            "e2e-partial",
            Some(100),
            stored(&paid, 10_000, 200, 2, &date),
        ))
        .await;
    assert_eq!(declined(stale).0, DeclineKind::CancelRefused);

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
        (900, 9, "PARTIALLY_CANCELLED")
    );
    let r = report(
        sb.run(&inquiry(
            "e2e-partial",
            stored(&paid, 10_000, 900, 9, &date),
        ))
        .await,
    );
    assert_eq!(
        (
            r.state,
            r.amount.map(|m| m.get()),
            r.balance.map(|m| m.get())
        ),
        (TxState::PartiallyCancelled, Some(10_000), Some(9_100))
    );
}

async fn full_cancel_then_nothing_left(p: Protocol) {
    let sb = sandbox(p).await;
    let (out, date) = sb
        .run_with(&instant("e2e-full", CARD_OK, 5_000), Duration::from_secs(5))
        .await;
    let paid = approved(out);
    let r = report(
        sb.run(&inquiry("e2e-full", stored(&paid, 5_000, 0, 0, &date)))
            .await,
    );
    assert_eq!(
        (r.state, r.pg_tx_id.clone()),
        (TxState::Approved, paid.pg_tx_id.clone())
    );

    let a = approved(
        sb.run(&cancel("e2e-full", None, stored(&paid, 5_000, 0, 0, &date)))
            .await,
    );
    assert_eq!(cancelled(&a), (5_000, Some(0), None));
    assert_eq!(sb.sim.ledger()[0].state, "CANCELLED");
    let e = sb
        .run(&cancel(
            "e2e-full",
            None,
            stored(&paid, 5_000, 5_000, 1, &date),
        ))
        .await
        .unwrap_err();
    assert_eq!(validation_paths(&e), ["amount"]);
    // Cancelled once already: the PG refuses a second FULL (stale prior).
    assert_eq!(
        declined(
            sb.run(&cancel("e2e-full", None, stored(&paid, 5_000, 0, 0, &date)))
                .await
        )
        .0,
        DeclineKind::CancelRefused
    );
    let r = report(
        sb.run(&inquiry("e2e-full", stored(&paid, 5_000, 5_000, 1, &date)))
            .await,
    );
    assert_eq!(r.state, TxState::Cancelled);

    // Older than six months: refused before sending, naming prior.paidAt.
    let old = json!({
        "pgTxId": paid.pg_tx_id, "paidAt": "2024-01-02T10:00:00+09:00",
        "amount": { "total": 5000 }, "method": "CARD"
    });
    let e = sb.run(&cancel("e2e-full", None, old)).await.unwrap_err();
    assert_eq!(validation_paths(&e), ["prior.paidAt"]);
}

async fn virtual_account_is_issued_and_pending(p: Protocol) {
    let sb = sandbox(p).await;
    let due = (chrono::Utc::now() + chrono::Duration::days(3))
        .with_timezone(&paymux_core::adapter::kst())
        .format("%Y-%m-%dT%H:%M:%S%:z")
        .to_string();
    let mut req = json!({
        "paymentId": "e2e-va",
        "channelKey": "ksnet-test",
        "method": { "virtualAccount": {
            "bank": "KOOKMIN", "expiry": { "dueDate": due },
            "option": { "type": "NORMAL" }, "cashReceipt": { "type": "NO_RECEIPT" }
        } },
        "orderName": "당근 12kg",
        "customer": customer(),
        "amount": { "total": 25_000 },
        "currency": "KRW"
    });
    let (out, date) = sb
        .run_with(
            &request(paymux_core::adapter::Operation::PaymentInstant, req.clone()),
            Duration::from_secs(5),
        )
        .await;
    let va = match out {
        Ok(Outcome::VirtualAccountIssued(v)) => v,
        other => panic!("expected a virtual account, got {other:?}"),
    };
    assert_eq!(va.bank.as_deref(), Some("KOOKMIN"));
    assert!(!va.account_number.is_empty());
    assert_eq!(va.expires_at.map(|t| t.to_rfc3339()), Some(due.clone()));
    assert_eq!(sb.sim.ledger()[0].state, "VIRTUAL_ACCOUNT_ISSUED");
    let r = report(
        sb.run(&inquiry(
            "e2e-va",
            json!({ "pgTxId": va.pg_tx_id, "method": "VIRTUAL_ACCOUNT", "orderDate": date }),
        ))
        .await,
    );
    assert_eq!(r.state, TxState::Pending);

    // A permanent account the merchant was given.
    req["paymentId"] = json!("e2e-va-fixed");
    req["method"]["virtualAccount"]["option"] =
        json!({ "type": "FIXED", "fixed": { "accountNumber": "10185164017326" } });
    match sb
        .run(&request(
            paymux_core::adapter::Operation::PaymentInstant,
            req.clone(),
        ))
        .await
    {
        Ok(Outcome::VirtualAccountIssued(v)) => assert_eq!(v.account_number, "10185164017326"),
        other => panic!("expected a virtual account, got {other:?}"),
    }
    // A deadline in the past is refused before sending.
    req["paymentId"] = json!("e2e-va-late");
    req["method"]["virtualAccount"]["expiry"] = json!({ "dueDate": "2020-01-01T00:00:00+09:00" });
    let e = sb
        .run(&request(
            paymux_core::adapter::Operation::PaymentInstant,
            req,
        ))
        .await
        .unwrap_err();
    assert_eq!(
        validation_paths(&e),
        ["method.virtualAccount.expiry.dueDate"]
    );
}

async fn billing_key_issue_charge_delete_then_refused(p: Protocol) {
    let sb = sandbox(p).await;
    let issued = approved(sb.run(&issue_billing_key("bk-e2e-1", CARD_OK)).await);
    assert!(issued.pg_tx_id.is_none(), "the key must not show as a TID");
    let ApprovedDetail::BillingKeyIssued {
        pg_billing_key,
        card,
    } = issued.detail
    else {
        panic!("expected a billing key");
    };
    assert!(card
        .and_then(|c| c.masked_number)
        .is_some_and(|m| m.starts_with("451842")));
    let key = pg_billing_key.expose().clone();
    assert!(sb.sim.ledger().is_empty(), "issuing charges nothing");

    let paid = approved(
        sb.run(&charge_billing_key("e2e-bk-pay-1", &key, 9_900))
            .await,
    );
    assert_eq!(paid.amount.map(|m| m.get()), Some(9_900));
    let again = approved(
        sb.run(&charge_billing_key("e2e-bk-pay-2", &key, 4_900))
            .await,
    );
    assert_ne!(paid.pg_tx_id, again.pg_tx_id);

    let deleted = approved(sb.run(&delete_billing_key("bk-e2e-1", &key)).await);
    assert_eq!(deleted.detail, ApprovedDetail::BillingKeyDeleted);
    assert!(deleted.pg_tx_id.is_none());
    assert_eq!(
        declined(
            sb.run(&charge_billing_key("e2e-bk-pay-3", &key, 9_900))
                .await
        )
        .0,
        DeclineKind::NotFound
    );
    assert_eq!(
        declined(sb.run(&delete_billing_key("bk-e2e-1", &key)).await).0,
        DeclineKind::NotFound
    );
    assert_eq!(sb.sim.ledger().len(), 2);

    // A key for a declining card is refused at issue.
    assert_eq!(
        declined(sb.run(&issue_billing_key("bk-e2e-2", CARD_DECLINED)).await).0,
        DeclineKind::CardDeclined
    );
}

async fn late_answer_is_unknown_and_inquiry_finds_the_approval(p: Protocol) {
    let sb = sandbox(p).await;
    let (out, date) = sb
        .run_with(
            &instant("e2e-late", CARD_LATE, 2_000),
            Duration::from_millis(300),
        )
        .await;
    assert!(matches!(out, Ok(Outcome::Unknown(_))), "{out:?}");
    // The gateway knows the order number and date it sent, not the TID.
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
    // Resolved: the payment can now be cancelled by its TID.
    let prior = json!({ "pgTxId": truth.pg_tx_id, "amount": { "total": 2000 }, "method": "CARD", "orderDate": date });
    let a = approved(sb.run(&cancel("e2e-late", None, prior)).await);
    assert_eq!(cancelled(&a).0, 2_000);
}

async fn dropped_connection_is_unknown_and_inquiry_finds_nothing(p: Protocol) {
    let sb = sandbox(p).await;
    let (out, date) = sb
        .run_with(
            &instant("e2e-drop", CARD_DROP, 2_000),
            Duration::from_secs(5),
        )
        .await;
    assert!(matches!(out, Ok(Outcome::Unknown(_))), "{out:?}");
    assert!(sb.sim.ledger().is_empty());
    let r = report(
        sb.run(&inquiry(
            "e2e-drop",
            json!({ "method": "CARD", "orderDate": date }),
        ))
        .await,
    );
    assert_eq!(r.state, TxState::NotFound);
    // Found nothing: paying again with the same order number is safe.
    approved(sb.run(&instant("e2e-drop", CARD_OK, 2_000)).await);
}

async fn duplicate_order_is_declined(p: Protocol) {
    let sb = sandbox(p).await;
    approved(sb.run(&instant("e2e-dup", CARD_OK, 1_000)).await);
    assert_eq!(
        declined(sb.run(&instant("e2e-dup", CARD_OK, 1_000)).await).0,
        DeclineKind::Duplicate
    );
}

async fn usd_amounts_round_trip(p: Protocol) {
    let sb = sandbox(p).await;
    let mut b = instant_body("e2e-usd", CARD_OK, 1_234, false);
    b["currency"] = json!("USD");
    let a = approved(
        sb.run(&request(paymux_core::adapter::Operation::PaymentInstant, b))
            .await,
    );
    // $12.34 travels as 12340 (1 dollar = 1000) and comes back as 1234 cents.
    assert_eq!(a.amount.map(|m| m.get()), Some(1_234));
    assert_eq!(sb.sim.ledger()[0].amount.get(), 12_340);
}

/// One port serves both interfaces, and garbage on it never stops it.
#[tokio::test]
async fn one_port_serves_both_and_survives_garbage() {
    let sb = sandbox(Protocol::Webfep).await;
    approved(sb.run(&instant("e2e-web", CARD_OK, 1_000)).await);
    let kspay = KsnetSimulator::sandbox_channel_for(Protocol::Kspay, "ksnet-e2e-tcp", &sb.endpoint);
    let ctx = EncodeContext::now(&kspay);
    let out = execute(
        &KsnetAdapter,
        &NetTransport::new(),
        &ctx,
        &instant("e2e-tcp", CARD_OK, 1_000),
        Timeouts::default(),
    )
    .await;
    approved(out);
    assert_eq!(sb.sim.ledger().len(), 2);

    for garbage in [
        &b"zzzz"[..],
        b"0010hello",
        b"9999",
        &[0xff; 64][..],
        b"GET / HTTP/1.1\r\n\r\n",
        b"POST /kspay/webfep/api/v1/card/cancel HTTP/1.1\r\nContent-Length: 5\r\n\r\n{{{{{",
        b"POST /x HTTP/1.1\r\nContent-Length: 999999\r\n\r\n",
    ] {
        let mut s = tokio::net::TcpStream::connect(&sb.endpoint).await.unwrap();
        s.write_all(garbage).await.unwrap();
        let _ = s.shutdown().await;
        let mut buf = Vec::new();
        let read = tokio::time::timeout(Duration::from_secs(12), s.read_to_end(&mut buf)).await;
        assert!(read.is_ok(), "the simulator answers or closes");
        if garbage.starts_with(b"GET") || garbage.starts_with(b"POST") {
            let text = String::from_utf8_lossy(&buf);
            assert!(
                text.starts_with("HTTP/1.1 4") || text.contains("A0403"),
                "{text}"
            );
        } else {
            assert!(buf.is_empty(), "no answer to an unreadable frame");
        }
    }
    // A KSPay frame whose header reads but whose record does not: a protocol-error record.
    let mut frame = b"0296".to_vec();
    frame.extend(std::iter::repeat(b' ').take(296));
    frame[4] = b'0';
    frame[268] = b'1';
    let mut s = tokio::net::TcpStream::connect(&sb.endpoint).await.unwrap();
    s.write_all(&frame).await.unwrap();
    let mut buf = Vec::new();
    tokio::time::timeout(Duration::from_secs(5), s.read_to_end(&mut buf))
        .await
        .unwrap()
        .unwrap();
    assert!(
        buf.windows(4).any(|w| w == b"S400"),
        "{}",
        buf.escape_ascii()
    );

    approved(sb.run(&instant("e2e-after-garbage", CARD_OK, 1_000)).await);
}

/// A cancel body has no currency: the original payment's comes in `prior.currency`, so a USD
/// partial cancel of $5.00 travels as 5000 (1 dollar = 1000), not as 500 "won".
async fn usd_partial_cancel_is_sent_in_the_payment_currency(p: Protocol) {
    let sb = sandbox(p).await;
    let mut b = instant_body("e2e-usd-cancel", CARD_OK, 1_234, false);
    b["currency"] = json!("USD");
    let (out, date) = sb
        .run_with(
            &request(paymux_core::adapter::Operation::PaymentInstant, b),
            Duration::from_secs(5),
        )
        .await;
    let paid = approved(out);
    let mut prior = stored(&paid, 1_234, 0, 0, &date);
    prior["currency"] = json!("USD");
    let a = approved(sb.run(&cancel("e2e-usd-cancel", Some(500), prior)).await);
    assert_eq!(cancelled(&a).0, 500);
    let entry = sb
        .sim
        .ledger()
        .into_iter()
        .find(|e| e.order_id == "e2e-usd-cancel")
        .unwrap();
    assert_eq!((entry.amount.get(), entry.cancelled.get()), (12_340, 5_000));
}
