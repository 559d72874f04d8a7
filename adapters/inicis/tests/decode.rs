//! Answers: approvals, the decline table, malformed answers as `MalformedResponse`; the
//! deposit notice (decoded, MID checked, honestly `Unsigned`); and no panic on arbitrary bytes
//! (decoder, notice decoder, simulator).

mod common;

use common::*;
use paymux_core::adapter::{IncomingNotice, NoticeEvent, NoticeTrust, PgAdapter, WireResponse};
use paymux_core::error::PgError;
use paymux_core::outcome::{ApprovedDetail, Outcome, TxState};
use paymux_core::simulator::http::Request;
use paymux_inicis::simulator::{handle, Books};
use paymux_inicis::InicisAdapter;
use proptest::prelude::*;
use serde_json::json;

fn answer(v: serde_json::Value) -> WireResponse {
    WireResponse {
        status: Some(200),
        headers: vec![],
        body: v.to_string().into_bytes(),
    }
}

fn run(req: &paymux_core::adapter::PgRequest, resp: &WireResponse) -> Result<Outcome, PgError> {
    let ch = channel("");
    let c = ctx(&ch);
    let w = InicisAdapter.encode(&c, req).unwrap();
    InicisAdapter.decode(&c, req, &w, resp)
}

#[test]
fn declines_keep_the_raw_code_and_map_through_the_one_table() {
    let req = instant("o-1", CARD_OK, 1000);
    for (code, kind) in [
        ("SIM0002", "card_declined"),
        ("SIM0051", "insufficient_funds"),
        ("ER0102", "invalid_request"),
        ("SIM0901", "config_error"),
        ("XYZ123", "other"),
    ] {
        let o = run(&req, &answer(json!({"resultCode": code, "resultMsg": "m"}))).unwrap();
        let Outcome::Declined(d) = o else {
            panic!("{code}")
        };
        assert_eq!(d.pg_code, code);
        assert_eq!(d.kind.as_str(), kind, "{code}");
    }
}

#[test]
fn approvals_cancels_and_inquiries() {
    let o = run(
        &instant("o-1", CARD_OK, 1000),
        &answer(json!({"resultCode":"00","tid":"T1","moid":"o-1","price":"1000","payDate":"20250301","payTime":"101500","payAuthCode":"123"})),
    )
    .unwrap();
    let Outcome::Approved(a) = o else { panic!() };
    assert_eq!(a.pg_tx_id.as_deref(), Some("T1"));
    assert_eq!(a.amount.unwrap().get(), 1000);

    let o = run(
        &cancel("o-1", Some(300), prior("T1", "CARD", 1000, 0, 0)),
        &answer(json!({"resultCode":"00","prtcTid":"T1P","prtcPrice":"300","prtcRemains":"700","prtcCnt":"1"})),
    )
    .unwrap();
    let Outcome::Approved(a) = o else { panic!() };
    let ApprovedDetail::Cancelled {
        cancelled,
        remaining,
        ..
    } = a.detail
    else {
        panic!()
    };
    assert_eq!((cancelled.get(), remaining.unwrap().get()), (300, 700));

    let o = run(
        &inquiry("o-1", prior("T1", "CARD", 1000, 0, 0)),
        &answer(json!({"resultCode":"SIM0404","resultMsg":"거래 없음"})),
    )
    .unwrap();
    let Outcome::Approved(a) = o else { panic!() };
    let ApprovedDetail::Inquiry(r) = a.detail else {
        panic!()
    };
    assert_eq!(r.state, TxState::NotFound);

    let o = run(
        &inquiry("o-1", prior("T1", "CARD", 1000, 0, 0)),
        &answer(json!({"resultCode":"00","tid":"T1","oid":"o-1","price":"1000","transactionStatus":"PART_CANCEL","availablePartCancelPrice":"700"})),
    )
    .unwrap();
    let Outcome::Approved(a) = o else { panic!() };
    let ApprovedDetail::Inquiry(r) = a.detail else {
        panic!()
    };
    assert_eq!(r.state, TxState::PartiallyCancelled);
    assert_eq!(r.balance.unwrap().get(), 700);
}

#[test]
fn malformed_answers_are_typed_errors() {
    let req = instant("o-1", CARD_OK, 1000);
    for body in [
        b"".to_vec(),
        b"<html>".to_vec(),
        b"[]".to_vec(),
        br#"{"resultMsg":"no code"}"#.to_vec(),
        br#"{"resultCode":"00","moid":"another","tid":"T"}"#.to_vec(),
        br#"{"resultCode":"00","moid":"o-1"}"#.to_vec(),
        br#"{"resultCode":"00","tid":"T","price":"abc"}"#.to_vec(),
    ] {
        let e = run(
            &req,
            &WireResponse {
                status: Some(200),
                headers: vec![],
                body: body.clone(),
            },
        )
        .unwrap_err();
        assert!(
            matches!(e, PgError::MalformedResponse { .. }),
            "{}: {e:?}",
            String::from_utf8_lossy(&body)
        );
    }
    // An issued billing key without billKey is not a key.
    let e = run(
        &issue_billing_key("bk-1", CARD_OK),
        &answer(json!({"resultCode":"00"})),
    )
    .unwrap_err();
    assert!(matches!(e, PgError::MalformedResponse { .. }));
}

fn notice(body: &str) -> Result<paymux_core::adapter::PgNotice, PgError> {
    InicisAdapter.decode_notice(
        &channel(""),
        &IncomingNotice {
            content_type: "application/x-www-form-urlencoded",
            headers: &[],
            body: body.as_bytes(),
        },
    )
}

#[test]
fn deposit_notices_are_decoded_and_marked_unsigned() {
    let n = notice("no_tid=T9&no_oid=o-9&id_merchant=INIpayTest&type_msg=0200&amt_input=5000&dt_trans=20250301&tm_trans=101500&nm_input=%C8%AB%B1%E6%B5%BF").unwrap();
    assert_eq!(n.pg_tx_id.as_deref(), Some("T9"));
    assert_eq!(n.order_id.as_deref(), Some("o-9"));
    assert_eq!(n.trust, NoticeTrust::Unsigned);
    assert_eq!(n.ack.body, b"OK");
    let NoticeEvent::Deposited { amount, at } = n.event else {
        panic!()
    };
    assert_eq!(amount.unwrap().get(), 5000);
    assert_eq!(at.unwrap().to_rfc3339(), "2025-03-01T10:15:00+09:00");
    // Another kind of message is a status change the gateway checks by inquiry.
    let n = notice("no_tid=T9&no_oid=o-9&id_merchant=INIpayTest&type_msg=0400").unwrap();
    assert!(matches!(n.event, NoticeEvent::StatusChanged { .. }));
}

#[test]
fn notices_for_another_merchant_or_broken_are_refused() {
    for body in [
        "no_tid=T9&no_oid=o-9&id_merchant=OTHERMID&type_msg=0200&amt_input=5000",
        "no_oid=o-9&id_merchant=INIpayTest&type_msg=0200",
        "no_tid=T9&no_oid=o-9&id_merchant=INIpayTest",
        "no_tid=T9&no_oid=o-9&id_merchant=INIpayTest&type_msg=0200&amt_input=-5x",
        "%zz",
    ] {
        let e = notice(body).unwrap_err();
        assert!(matches!(e, PgError::NoticeRefused { .. }), "{body}: {e:?}");
    }
}

fn sim_request(path: &str, body: Vec<u8>) -> Request {
    Request {
        method: "POST".into(),
        path: path.into(),
        query: String::new(),
        headers: vec![("host".into(), "127.0.0.1:1".into())],
        body,
    }
}

const PATHS: [&str; 9] = [
    "/api/v1/refund",
    "/api/v1/billing",
    "/api/v1/formpay",
    "/v2/pg/refund",
    "/v2/pg/partialRefund",
    "/v2/pg/inquiry",
    "/api/payAuth",
    "/api/netCancel",
    "/window",
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn decoders_never_panic(body in proptest::collection::vec(any::<u8>(), 0..512)) {
        let ch = channel("");
        let c = ctx(&ch);
        for req in [
            instant("o-1", CARD_OK, 1000),
            issue_billing_key("bk-1", CARD_OK),
            charge("o-2", "BK", 1000),
            cancel("o-1", Some(10), prior("T1", "CARD", 1000, 0, 0)),
            inquiry("o-1", json!({})),
        ] {
            let w = InicisAdapter.encode(&c, &req).unwrap();
            let _ = InicisAdapter.decode(&c, &req, &w, &WireResponse { status: Some(200), headers: vec![], body: body.clone() });
        }
        let _ = InicisAdapter.decode_notice(&ch, &IncomingNotice { content_type: "", headers: &[], body: &body });
    }

    #[test]
    fn the_simulator_never_panics(path in 0usize..PATHS.len(), body in proptest::collection::vec(any::<u8>(), 0..512)) {
        let mut books = Books::default();
        let now = now();
        let _ = handle(&mut books, &sim_request(PATHS[path], body), &now);
    }

    #[test]
    fn json_shaped_noise_never_panics(tid in "[A-Za-z0-9]{0,8}", code in "[0-9A-Z]{0,6}", price in "-?[0-9]{0,14}") {
        let req = cancel("o-1", Some(10), prior("T1", "CARD", 1000, 0, 0));
        let _ = run(&req, &answer(json!({"resultCode": code, "prtcTid": tid, "prtcPrice": price, "prtcRemains": price})));
        let mut books = Books::default();
        let body = json!({"mid":"INIpayTest","type":"refund","timestamp":"1","clientIp":"1","data":{"tid":tid},"hashData":code}).to_string();
        let _ = handle(&mut books, &sim_request("/v2/pg/refund", body.into_bytes()), &now());
    }
}
