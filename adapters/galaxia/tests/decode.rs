//! Decoding answers: approvals, the decline table, and malformed answers as
//! `MalformedResponse` (never a panic).

mod common;

use common::*;
use paymux_core::adapter::{PgAdapter, PgRequest, WireResponse};
use paymux_core::error::PgError;
use paymux_core::outcome::{ApprovedDetail, DeclineKind, Outcome, TxState};
use paymux_galaxia::frame::{Cipher, Telegram};
use paymux_galaxia::simulator::{TEST_IV, TEST_KEY, TEST_MID};
use paymux_galaxia::GalaxiaAdapter;
use serde_json::json;

fn cipher() -> Cipher {
    Cipher::from_text(TEST_KEY, TEST_IV).unwrap()
}

/// Encode `req`, then decode `answer` as its response.
fn decode(req: &PgRequest, answer: &[u8]) -> Result<Outcome, PgError> {
    let ch = channel("");
    let c = ctx(&ch);
    let sent = GalaxiaAdapter.encode(&c, req).unwrap();
    let resp = WireResponse {
        status: None,
        headers: vec![],
        body: answer.to_vec(),
    };
    GalaxiaAdapter.decode(&c, req, &sent, &resp)
}

fn answer(command: &str, order_id: &str, tags: &[(&str, &str)]) -> Vec<u8> {
    let mut t = Telegram::new(TEST_MID, "0900", command, order_id, "20250314092653");
    for (tag, v) in tags {
        t.put(tag, tag, v).unwrap();
    }
    t.to_frame(&cipher()).unwrap()
}

#[test]
fn an_approval_reads_tid_amount_date_and_card() {
    let req = instant("order-0001", CARD_OK, 1004);
    let a = answer(
        "3041",
        "order-0001",
        &[
            ("1002", "0000"),
            ("1003", "정상"),
            ("1001", "T0001"),
            ("1004", "30001234"),
            ("1005", "20250314092655"),
            ("1007", "1004"),
            ("0031", "03"),
            ("0008", "451842******5678"),
            ("1021", "0053"),
            ("5009", "신한"),
        ],
    );
    let Ok(Outcome::Approved(ok)) = decode(&req, &a) else {
        panic!("approval expected")
    };
    assert_eq!(ok.pg_tx_id.as_deref(), Some("T0001"));
    assert_eq!(ok.amount.map(|m| m.get()), Some(1004));
    assert_eq!(ok.at.unwrap().to_rfc3339(), "2025-03-14T09:26:55+09:00");
    let ApprovedDetail::Payment {
        approval_number,
        card,
        installment_month,
        ..
    } = ok.detail
    else {
        panic!()
    };
    assert_eq!(approval_number.as_deref(), Some("30001234"));
    assert_eq!(installment_month, Some(3));
    let card = card.unwrap();
    assert_eq!(card.masked_number.as_deref(), Some("451842******5678"));
    assert_eq!(card.issuer_name.as_deref(), Some("신한"));
}

#[test]
fn declines_use_the_table_and_keep_the_raw_code() {
    let req = instant("order-0001", CARD_OK, 1004);
    for (code, detail, kind) in [
        ("0920", "02", DeclineKind::PgMaintenance),
        ("8151", "00", DeclineKind::InsufficientFunds),
        ("7777", "12", DeclineKind::Other),
    ] {
        let a = answer(
            "3041",
            "order-0001",
            &[("1002", code), ("1009", detail), ("1010", "사유")],
        );
        let Ok(Outcome::Declined(d)) = decode(&req, &a) else {
            panic!("decline expected")
        };
        assert_eq!(d.pg_code, format!("{code}{detail}"));
        assert_eq!(d.kind, kind, "{code}");
    }
}

#[test]
fn malformed_answers_are_errors_not_panics() {
    let req = instant("order-0001", CARD_OK, 1004);
    let cases: Vec<Vec<u8>> = vec![
        b"".to_vec(),
        b"00".to_vec(),
        b"0005hello".to_vec(),
        answer("9001", "order-0001", &[("1002", "0000")]), // answers another command
        answer("3041", "order-9999", &[("1002", "0000")]), // another order
        answer("3041", "order-0001", &[("1003", "no code")]), // no 1002
        answer("3041", "order-0001", &[("1002", "0000"), ("1007", "12x")]), // bad amount
    ];
    for body in cases {
        let e = decode(&req, &body).unwrap_err();
        assert!(matches!(e, PgError::MalformedResponse { .. }), "{e:?}");
    }
}

#[test]
fn an_inquiry_miss_is_not_found_and_balances_give_the_state() {
    let req = inquiry(
        "order-0001",
        json!({ "method": "CARD", "orderDate": "20250301101500" }),
    );
    let miss = answer("5001", "order-0001", &[("1002", "8301")]);
    let Ok(Outcome::Approved(a)) = decode(&req, &miss) else {
        panic!()
    };
    assert!(matches!(a.detail, ApprovedDetail::Inquiry(ref r) if r.state == TxState::NotFound));
    let part = answer(
        "5001",
        "order-0001",
        &[("1002", "0000"), ("1007", "1000"), ("1006", "400")],
    );
    let Ok(Outcome::Approved(a)) = decode(&req, &part) else {
        panic!()
    };
    assert!(
        matches!(a.detail, ApprovedDetail::Inquiry(ref r) if r.state == TxState::PartiallyCancelled)
    );
}

/// **Reconstructed** 5000 answer for a virtual account (1800): `1005` AUTH_DATE is the deposit
/// time, so an account without one is still waiting (pending), never paid; a card answer
/// without a date stays approved.
#[test]
fn a_virtual_account_inquiry_is_pending_until_dated_with_the_deposit() {
    let req = inquiry(
        "va-0001",
        json!({ "method": "VIRTUAL_ACCOUNT", "orderDate": "20250301101500", "pgTxId": "T1" }),
    );
    let va_answer = |tags: &[(&str, &str)]| {
        let mut t = Telegram::new(TEST_MID, "1800", "5001", "va-0001", "20250314092653");
        for (tag, v) in tags {
            t.put(tag, tag, v).unwrap();
        }
        t.to_frame(&cipher()).unwrap()
    };
    let state = |body: &[u8]| match decode(&req, body) {
        Ok(Outcome::Approved(a)) => match a.detail {
            ApprovedDetail::Inquiry(r) => (r.state, a.at),
            other => panic!("{other:?}"),
        },
        other => panic!("{other:?}"),
    };
    let base = [
        ("1002", "0000"),
        ("1001", "T1"),
        ("1007", "45000"),
        ("1006", "45000"),
    ];
    assert_eq!(state(&va_answer(&base)), (TxState::Pending, None));
    let mut dated = base.to_vec();
    dated.push(("1005", "20250315103000"));
    let (s, at) = state(&va_answer(&dated));
    assert_eq!(s, TxState::Approved);
    assert_eq!(at.unwrap().to_rfc3339(), "2025-03-15T10:30:00+09:00");
    // A refunded deposit (dated, balance 0) is cancelled.
    let mut refunded = dated.clone();
    refunded[3] = ("1006", "0");
    assert_eq!(state(&va_answer(&refunded)).0, TxState::Cancelled);

    let card = inquiry(
        "order-0001",
        json!({ "method": "CARD", "orderDate": "20250301101500" }),
    );
    let undated = answer(
        "5001",
        "order-0001",
        &[("1002", "0000"), ("1007", "1000"), ("1006", "1000")],
    );
    let Ok(Outcome::Approved(a)) = decode(&card, &undated) else {
        panic!()
    };
    assert!(matches!(a.detail, ApprovedDetail::Inquiry(ref r) if r.state == TxState::Approved));
}
