//! The simulator answers like the vendor's own sample code expects: the tags the samples read,
//! the rules they follow, and an error answer (not a closed connection) for a telegram that
//! decrypts but whose tag records do not parse.

mod common;

use common::*;
use paymux_core::adapter::{PgAdapter, WireResponse};
use paymux_core::outcome::{ApprovedDetail, DeclineKind, Outcome};
use paymux_core::wire::{codec, crypto};
use paymux_galaxia::frame::{Cipher, Telegram};
use paymux_galaxia::protocol::{sim, tag};
use paymux_galaxia::simulator::{TEST_IV, TEST_KEY, TEST_MID};
use paymux_galaxia::{GalaxiaAdapter, GalaxiaSimulator};

fn cipher() -> Cipher {
    Cipher::from_text(TEST_KEY, TEST_IV).unwrap()
}

#[tokio::test]
async fn a_card_approval_carries_every_tag_the_samples_read() {
    let sim = GalaxiaSimulator::default();
    let ch = channel("");
    let c = ctx(&ch);
    let req = instant("sim-tags-1", CARD_OK, 1004);
    let sent = GalaxiaAdapter.encode(&c, &req).unwrap();
    let body = sim.respond(&sent.body).await;
    let answer = Telegram::from_frame(&body, &cipher()).unwrap();
    for t in ["0034", "1021", "1022", "5009", "5010", "5304", "5305"] {
        assert!(answer.get_nonblank(t).is_some(), "tag {t} missing");
    }
    assert_eq!(
        answer
            .get_nonblank(tag::TAX_AMOUNT)
            .unwrap()
            .parse::<i64>()
            .unwrap()
            + answer
                .get_nonblank(tag::TAX_FREE_AMOUNT)
                .unwrap()
                .parse::<i64>()
                .unwrap(),
        1004
    );
    // The decoder's paths that read them are exercised.
    let resp = WireResponse {
        status: None,
        headers: vec![],
        body,
    };
    let Ok(Outcome::Approved(ok)) = GalaxiaAdapter.decode(&c, &req, &sent, &resp) else {
        panic!("approval expected")
    };
    let ApprovedDetail::Payment { card, .. } = ok.detail else {
        panic!("payment detail expected")
    };
    let card = card.unwrap();
    assert_eq!(card.issuer_code.as_deref(), Some("0001"));
    assert_eq!(card.acquirer_code.as_deref(), Some("0001"));
    assert_eq!(card.issuer_name.as_deref(), Some("시뮬레이터카드"));
}

#[tokio::test]
async fn a_tax_split_that_does_not_add_up_is_refused() {
    let sim = GalaxiaSimulator::default();
    let ch = channel("");
    let c = ctx(&ch);
    let req = instant("sim-tags-2", CARD_OK, 1004);
    let sent = GalaxiaAdapter.encode(&c, &req).unwrap();
    let mut t = Telegram::from_frame(&sent.body, &cipher()).unwrap();
    t.records.retain(|r| r.tag != tag::TAX_AMOUNT);
    t.put(tag::TAX_AMOUNT, "TAX_AMOUNT", "1").unwrap();
    let answer = Telegram::from_frame(
        &sim.respond(&t.to_frame(&cipher()).unwrap()).await,
        &cipher(),
    )
    .unwrap();
    assert_eq!(
        answer.get_nonblank(tag::RESPONSE_CODE).as_deref(),
        Some(sim::INVALID_REQUEST)
    );
    let resp = WireResponse {
        status: None,
        headers: vec![],
        body: answer.to_frame(&cipher()).unwrap(),
    };
    match GalaxiaAdapter.decode(&c, &req, &sent, &resp) {
        Ok(Outcome::Declined(d)) => assert_eq!(d.kind, DeclineKind::InvalidRequest),
        other => panic!("decline expected, got {other:?}"),
    }
    assert!(sim_ledger_is_empty(&sim));
}

fn sim_ledger_is_empty(sim: &GalaxiaSimulator) -> bool {
    use paymux_core::simulator::Simulator;
    sim.ledger().is_empty()
}

/// A frame with a valid header whose one tag record claims more bytes than follow.
fn frame_with_broken_record() -> Vec<u8> {
    let header = Telegram::new(TEST_MID, "0900", "3040", "sim-broken-1", "20250314092653")
        .to_frame(&cipher())
        .unwrap();
    // Decrypt the valid header, then claim one record and append a broken one.
    let clear_width = 10 + 20 + 4;
    let b64 = std::str::from_utf8(&header[4 + clear_width..]).unwrap();
    let key = codec::b64_decode("key", TEST_KEY).unwrap();
    let mut opaque = crypto::seed_cbc_decrypt(
        &key,
        TEST_IV.as_bytes(),
        &codec::b64_decode("c", b64).unwrap(),
    )
    .unwrap();
    let n = opaque.len();
    opaque[n - 4..].copy_from_slice(b"0001");
    opaque.extend_from_slice(b"0008\x00\x00\x99zz");
    let mut rest = header[4..4 + clear_width].to_vec();
    rest.extend(
        codec::b64_encode(&crypto::seed_cbc_encrypt(&key, TEST_IV.as_bytes(), &opaque).unwrap())
            .into_bytes(),
    );
    let mut frame = format!("{:04}", rest.len()).into_bytes();
    frame.extend(rest);
    frame
}

#[tokio::test]
async fn a_malformed_tag_record_gets_an_error_answer_not_a_closed_connection() {
    let sim = GalaxiaSimulator::default();
    let frame = frame_with_broken_record();
    assert!(
        Telegram::from_frame(&frame, &cipher()).is_err(),
        "the record must not parse"
    );
    let out = sim.respond(&frame).await;
    assert!(
        !out.is_empty(),
        "the connection was closed without an answer"
    );
    let answer = Telegram::from_frame(&out, &cipher()).unwrap();
    assert_eq!(answer.order_id, "sim-broken-1");
    assert_eq!(answer.command, "3041");
    assert_eq!(
        answer.get_nonblank(tag::RESPONSE_CODE).as_deref(),
        Some(sim::INVALID_REQUEST)
    );
    assert!(answer
        .get_nonblank(tag::RESPONSE_MESSAGE)
        .unwrap()
        .contains("malformed tag record"));
    // Still closed: a frame that does not decrypt with the merchant's key.
    let mut cut = frame[..frame.len() - 8].to_vec();
    let len = format!("{:04}", cut.len() - 4);
    cut[..4].copy_from_slice(len.as_bytes());
    assert!(
        sim.respond(&cut).await.is_empty(),
        "a cut cipher text does not decrypt"
    );
}

#[tokio::test]
async fn http_garbage_gets_an_error_page_and_telegram_garbage_a_close() {
    let sim = GalaxiaSimulator::default();
    let out = String::from_utf8(
        sim.respond(b"POST /window HTTP/1.1\r\nContent-Length: x\r\n\r\n")
            .await,
    )
    .unwrap();
    assert!(out.starts_with("HTTP/1.1 400 "), "{out}");
    assert!(out.contains("id=\"error\""));
    assert!(sim.respond(b"\xff\xfe\xfd\xfc").await.is_empty());
    assert!(sim.respond(b"0010short").await.is_empty());
}
