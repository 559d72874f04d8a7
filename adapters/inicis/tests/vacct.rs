//! Virtual accounts end to end on the simulator: the window issues an account, the inquiry
//! says it awaits its deposit, the payer deposits (the simulator's INIpay notice decodes to a
//! deposit, `Unsigned`), and the deposited payment is refunded — partly, then the rest — to a
//! refund account sent `[ENC]` over v1.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::*;
use paymux_core::adapter::{IncomingNotice, NoticeEvent, NoticeTrust, PgAdapter};
use paymux_core::execute::execute;
use paymux_core::outcome::{ApprovedDetail, Outcome, TxState};
use paymux_core::simulator::Simulator;
use paymux_core::transport::{NetTransport, Timeouts};
use paymux_inicis::{InicisAdapter, InicisSimulator};
use serde_json::{json, Value};

fn timeouts() -> Timeouts {
    Timeouts {
        connect: Duration::from_secs(2),
        read: Duration::from_secs(5),
    }
}

#[tokio::test]
async fn issue_inquire_deposit_and_refund_a_virtual_account() {
    let sim = Arc::new(InicisSimulator::default());
    let handle = Arc::clone(&sim)
        .start("127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let ep = format!("http://{}", handle.endpoint());
    let ch = channel(&ep);
    let c = ctx(&ch);
    let net = NetTransport::new();

    // The window issues the account.
    let prepared = InicisAdapter
        .encode(&c, &checkout_va("va-1", 5000))
        .unwrap();
    let body = String::from_utf8(prepared.body.clone()).unwrap();
    assert!(body.contains("gopaymethod=VBank"), "{body}");
    assert!(body.contains("acceptmethod=vbank%2820250304%29"), "{body}");
    let returned = answer_window(&ep, &prepared.body, "vbank=88&ACTION=approve".into())
        .await
        .unwrap();
    let returned = Value::Object(
        returned
            .into_iter()
            .map(|(k, v)| (k, Value::String(v)))
            .collect(),
    );
    let mut req_json = json!({
        "paymentId": "va-1",
        "returned": returned,
        "prior": { "amount": { "total": 5000 }, "method": "VIRTUAL_ACCOUNT" }
    });
    let req = request(
        paymux_core::adapter::Operation::CheckoutComplete,
        req_json.take(),
    );
    let outcome = execute(&InicisAdapter, &net, &c, &req, timeouts())
        .await
        .unwrap();
    let Outcome::VirtualAccountIssued(va) = outcome else {
        panic!("{outcome:?}")
    };
    assert_eq!(va.bank.as_deref(), Some("SHINHAN"));
    assert_eq!(va.amount.unwrap().get(), 5000);
    assert_eq!(
        va.expires_at.unwrap().to_rfc3339(),
        "2025-03-04T23:59:59+09:00"
    );
    let tid = va.pg_tx_id.clone().unwrap();
    assert_eq!(sim.ledger()[0].state, "VIRTUAL_ACCOUNT_ISSUED");

    // The inquiry: awaiting its deposit.
    let q = inquiry(
        "va-1",
        json!({ "pgTxId": tid, "method": "VIRTUAL_ACCOUNT" }),
    );
    let o = paymux_core::execute::execute(&InicisAdapter, &net, &c, &q, timeouts())
        .await
        .unwrap();
    let Outcome::Approved(a) = o else { panic!() };
    let ApprovedDetail::Inquiry(r) = a.detail else {
        panic!()
    };
    assert_eq!(r.state, TxState::Pending);

    // The payer deposits: the simulator's notice decodes to that deposit.
    let notice = sim.deposit(&tid).expect("an account awaiting its deposit");
    assert!(sim.deposit(&tid).is_none(), "a second deposit is refused");
    let n = InicisAdapter
        .decode_notice(
            &ch,
            &IncomingNotice {
                content_type: &notice.content_type,
                headers: &notice.headers,
                body: &notice.body,
            },
        )
        .unwrap();
    assert_eq!(n.pg_tx_id.as_deref(), Some(tid.as_str()));
    assert_eq!(n.order_id.as_deref(), Some("va-1"));
    assert_eq!(n.trust, NoticeTrust::Unsigned);
    assert!(matches!(
        n.event,
        NoticeEvent::Deposited { amount: Some(a), .. } if a.get() == 5000
    ));

    // Refund 2,000 then the rest to the payer's account (v1 Vacct, account [ENC]).
    let part = vacct_refund("va-1", Some(2000), &tid, 5000);
    let o = paymux_core::execute::execute(&InicisAdapter, &net, &c, &part, timeouts())
        .await
        .unwrap();
    let Outcome::Approved(a) = o else {
        panic!("{o:?}")
    };
    let ApprovedDetail::Cancelled {
        cancelled,
        remaining,
        ..
    } = a.detail
    else {
        panic!()
    };
    assert_eq!((cancelled.get(), remaining.unwrap().get()), (2000, 3000));
    assert_eq!(sim.ledger()[0].state, "PARTIALLY_CANCELLED");
    let mut rest = vacct_refund("va-1", None, &tid, 5000);
    if let paymux_core::adapter::PgRequest::Cancel(c) = &mut rest {
        c.prior.amount.as_mut().unwrap().cancelled = paymux_core::money::Money::new(2000).unwrap();
        c.prior.cancel_count = 1;
    }
    let o = paymux_core::execute::execute(&InicisAdapter, &net, &c, &rest, timeouts())
        .await
        .unwrap();
    assert!(matches!(o, Outcome::Approved(_)), "{o:?}");
    assert_eq!(sim.ledger()[0].state, "CANCELLED");
}

#[test]
fn an_undeposited_account_is_cancelled_whole_and_a_refund_needs_an_account() {
    let ch = channel("");
    let c = ctx(&ch);
    let undeposited = cancel(
        "va-2",
        Some(100),
        json!({ "pgTxId": "T", "amount": { "total": 5000, "cancelled": 0 }, "method": "VIRTUAL_ACCOUNT" }),
    );
    let e = paymux_core::execute::validate(&InicisAdapter, &c, &undeposited).unwrap_err();
    assert!(e.to_string().contains("amount"), "{e}");
    let no_account = cancel("va-2", None, prior("T", "VIRTUAL_ACCOUNT", 5000, 0, 0));
    let e = paymux_core::execute::validate(&InicisAdapter, &c, &no_account).unwrap_err();
    assert!(e.to_string().contains("refundAccount"), "{e}");
}
