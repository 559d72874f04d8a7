//! The KSPay simulator answers like the vendor's own client expects: `CancelType` 1 (by
//! transaction number, as the Java client documents it) is a cancel by TID, and a request it
//! cannot parse is answered with a record of the request's own type.

mod common;

use common::*;
use paymux_core::adapter::{PgAdapter, PgRequest, WireResponse};
use paymux_core::outcome::Outcome;
use paymux_core::simulator::Simulator;
use paymux_ksnet::frame::kspay::{Response, ResponseRecord};
use paymux_ksnet::protocol::kspay::{HEAD_WIDTH, LEN_WIDTH};
use paymux_ksnet::{KsnetAdapter, KsnetSimulator, Protocol};

/// Send `req` through the adapter to the simulator; the answer frame and the outcome.
async fn exchange(sim: &KsnetSimulator, req: &PgRequest) -> (Vec<u8>, Outcome) {
    let ch = channel(Protocol::Kspay, "127.0.0.1:1");
    let c = ctx(&ch);
    let sent = KsnetAdapter.encode(&c, req).unwrap();
    let body = sim.respond(&sent.body).await;
    let resp = WireResponse {
        status: None,
        headers: vec![],
        body: body.clone(),
    };
    (body, KsnetAdapter.decode(&c, req, &sent, &resp).unwrap())
}

/// The encoded frame of `req`, with its first record's byte at `offset` set to `byte`.
fn patched(req: &PgRequest, offset: usize, byte: u8) -> Vec<u8> {
    let ch = channel(Protocol::Kspay, "127.0.0.1:1");
    let mut frame = KsnetAdapter.encode(&ctx(&ch), req).unwrap().body;
    frame[LEN_WIDTH + HEAD_WIDTH + offset] = byte;
    frame
}

#[tokio::test]
async fn cancel_type_1_cancels_by_transaction_number() {
    let sim = KsnetSimulator::default();
    let (_, approved) = exchange(&sim, &instant("ks-ct1", CARD_OK, 1000)).await;
    let Outcome::Approved(ok) = approved else {
        panic!("approval expected, got {approved:?}")
    };
    let tid = ok.pg_tx_id.unwrap();
    let cancel = cancel("ks-ct1", None, prior(&tid, 1000, 0, 0));
    // CancelType is the byte after the record's 4-byte ApprovalType; the adapter writes 0.
    let frame = patched(&cancel, 4, b'1');
    let answer = Response::parse(&sim.respond(&frame).await).unwrap();
    let ResponseRecord::Card(card) = &answer.records[0] else {
        panic!("card record expected")
    };
    assert_eq!(
        card.status, "O",
        "refused: {} {}",
        card.message1, card.message2
    );
    assert_eq!(card.transaction_no, tid);
    let entry = sim
        .ledger()
        .into_iter()
        .find(|e| e.pg_tx_id == tid)
        .unwrap();
    assert_eq!(entry.state, "CANCELLED");
    // An unknown CancelType is still refused.
    let (_, again) = exchange(&sim, &instant("ks-ct9", CARD_OK, 1000)).await;
    let Outcome::Approved(ok) = again else {
        panic!()
    };
    let tid = ok.pg_tx_id.unwrap();
    let frame = patched(&cancel_of(&tid), 4, b'9');
    let answer = Response::parse(&sim.respond(&frame).await).unwrap();
    let ResponseRecord::Card(card) = &answer.records[0] else {
        panic!()
    };
    assert_eq!(card.status, "X");
}

fn cancel_of(tid: &str) -> PgRequest {
    cancel("ks-ct9", None, prior(tid, 1000, 0, 0))
}

/// The frame of `req` with its last record byte cut off (the length prefix kept right), so
/// the header reads but the record does not.
fn cut(req: &PgRequest) -> Vec<u8> {
    let ch = channel(Protocol::Kspay, "127.0.0.1:1");
    let mut frame = KsnetAdapter.encode(&ctx(&ch), req).unwrap().body;
    frame.pop();
    let len = format!("{:04}", frame.len() - LEN_WIDTH);
    frame[..LEN_WIDTH].copy_from_slice(len.as_bytes());
    frame
}

#[tokio::test]
async fn an_unparsable_request_is_answered_with_a_record_of_its_own_type() {
    let sim = KsnetSimulator::default();
    let va = Response::parse(
        &sim.respond(&cut(&virtual_account("ks-va", 1000, None)))
            .await,
    )
    .unwrap();
    match &va.records[0] {
        ResponseRecord::VirtualAccount(v) => {
            assert_eq!((v.approval_type.as_str(), v.status.as_str()), ("6001", "X"))
        }
        other => panic!("virtual-account record expected, got {other:?}"),
    }
    let q = Response::parse(
        &sim.respond(&cut(&inquiry("ks-q", prior("100000000001", 1, 0, 0))))
            .await,
    )
    .unwrap();
    match &q.records[0] {
        ResponseRecord::Inquiry(i) => {
            assert_eq!((i.approval_type.as_str(), i.status.as_str()), ("A801", "X"))
        }
        other => panic!("inquiry record expected, got {other:?}"),
    }
    let card = Response::parse(&sim.respond(&cut(&instant("ks-c", CARD_OK, 1000))).await).unwrap();
    match &card.records[0] {
        ResponseRecord::Card(c) => {
            assert_eq!((c.approval_type.as_str(), c.status.as_str()), ("1301", "X"))
        }
        other => panic!("card record expected, got {other:?}"),
    }
    assert!(sim.ledger().is_empty(), "nothing is recorded");
}
