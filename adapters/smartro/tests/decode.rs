//! Decoding answers: the documented shapes, the refusals, and everything malformed — which is
//! an error (the executor's `Unknown` for money-moving operations), never a panic.

mod common;

use common::*;
use paymux_core::adapter::{PgAdapter, PgRequest, WireResponse};
use paymux_core::error::PgError;
use paymux_core::outcome::{ApprovedDetail, DeclineKind, Outcome};
use paymux_smartro::SmartroAdapter;
use proptest::prelude::*;
use serde_json::json;

fn decode(req: &PgRequest, status: u16, body: &[u8]) -> Result<Outcome, PgError> {
    let ch = channel("");
    let c = ctx(&ch);
    let sent = SmartroAdapter.encode(&c, req).unwrap();
    let resp = WireResponse {
        status: Some(status),
        headers: vec![],
        body: body.to_vec(),
    };
    SmartroAdapter.decode(&c, req, &sent, &resp)
}

const TID: &str = "pmxtest01m01012507251636283998";

/// The approval answer of id9043725511 (values replaced, field names and formats kept).
fn approval_answer() -> serde_json::Value {
    json!({
        "CoNm": "스마트로", "Tid": TID, "MerchantReserved": "", "CardQuota": "00",
        "AppCardCode": "12", "AppCardName": "NH농협", "AcquCardCode": "12",
        "AcquCardName": "NH농협", "CardMerchantNo": "114964733", "CardNum": "40921675****082*",
        "UsePoint": "000000000", "BalancePoint": "000000000", "CardInterest": "0",
        "ResultCode": "3001", "ResultMsg": "카드 결제 성공", "AuthDate": "250725163656",
        "AuthCode": "53119044", "GoodsName": "액상 이눌린", "GoodsCnt": "1", "Amt": "500",
        "Moid": "order0007", "Mid": "pmxtest01m", "MallUserId": "", "BuyerName": "홍길동",
        "PayMethod": "CARD", "BuyerEmail": "", "EdiDate": "20250725110535",
        "SignValue": "twzu…", "BuyerTel": "01012345678", "EscrowCd": "0", "Currency": "KRW"
    })
}

#[test]
fn the_documented_approval_answer() {
    let req = complete("order0007", TID, "key", "CARD", 500);
    let out = decode(&req, 200, approval_answer().to_string().as_bytes()).unwrap();
    let Outcome::Approved(a) = out else {
        panic!("{out:?}")
    };
    assert_eq!(a.pg_code, "3001");
    assert_eq!(a.pg_tx_id.as_deref(), Some(TID));
    assert_eq!(a.amount.map(|m| m.get()), Some(500));
    assert_eq!(a.at.unwrap().to_rfc3339(), "2025-07-25T16:36:56+09:00");
    match a.detail {
        ApprovedDetail::Payment {
            approval_number,
            card: Some(card),
            installment_month,
            ..
        } => {
            assert_eq!(approval_number.as_deref(), Some("53119044"));
            assert_eq!(card.masked_number.as_deref(), Some("40921675****082*"));
            assert_eq!(card.issuer_name.as_deref(), Some("NH농협"));
            assert_eq!(installment_month, Some(0));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn an_approval_for_another_order_is_malformed() {
    let req = complete("order0099", TID, "key", "CARD", 500);
    let e = decode(&req, 200, approval_answer().to_string().as_bytes()).unwrap_err();
    assert!(matches!(e, PgError::MalformedResponse { .. }), "{e}");
}

#[test]
fn cancel_answers_2001_and_2211() {
    let req = cancel("o1", Some(300), prior(TID, "CARD", 1000, 0, 0));
    let out = decode(&req, 200, br#"{"ResultCode":"2001","ResultMsg":"ok","Tid":"pmxtest01m01012507251636283998","CancelAmt":"300","CancelDate":"20250725","CancelTime":"170000"}"#).unwrap();
    let Outcome::Approved(a) = out else {
        panic!("{out:?}")
    };
    assert_eq!(a.at.unwrap().to_rfc3339(), "2025-07-25T17:00:00+09:00");
    assert!(matches!(
        a.detail,
        ApprovedDetail::Cancelled {
            sequence: Some(1),
            ..
        }
    ));
    let req = cancel("o1", None, prior(TID, "TRANSFER", 1000, 0, 0));
    let out = decode(&req, 200, br#"{"ResultCode":"2211","ResultMsg":"refund"}"#).unwrap();
    assert!(matches!(out, Outcome::Approved(_)), "{out:?}");
    // A cancel answer for another Tid is not ours.
    let e = decode(&req, 200, br#"{"ResultCode":"2001","Tid":"x"}"#).unwrap_err();
    assert!(matches!(e, PgError::MalformedResponse { .. }));
}

#[test]
fn unknown_codes_keep_the_raw_code_and_message() {
    let req = charge("o2", &pg_key("SIMBK1"), 1000);
    let out = decode(
        &req,
        200,
        "{\"ResultCode\":\"X777\",\"ResultMsg\":\"한도 초과\"}".as_bytes(),
    )
    .unwrap();
    let Outcome::Declined(d) = out else {
        panic!("{out:?}")
    };
    assert_eq!(
        (d.pg_code.as_str(), d.pg_message.as_str(), d.kind),
        ("X777", "한도 초과", DeclineKind::Other)
    );
    assert!(!d.retry_safe);
}

#[test]
fn malformed_answers_are_errors() {
    let req = charge("o3", &pg_key("SIMBK1"), 1000);
    for (status, body) in [
        (502, &b"<html>Bad Gateway</html>"[..]),
        (200, b""),
        (200, b"[]"),
        (200, br#"{"ResultMsg":"no code"}"#),
        (200, br#"{"ResultCode":"3001","Amt":"abc"}"#),
        (200, br#"{"ResultCode":"3001","Moid":"other"}"#),
    ] {
        let e = decode(&req, status, body).unwrap_err();
        assert!(
            matches!(e, PgError::MalformedResponse { .. }),
            "{status}: {e}"
        );
    }
    // A billing key that does not decrypt with the merchant key is not ours.
    let issue = issue_billing_key("bk", CARD_OK);
    let e = decode(
        &issue,
        200,
        br#"{"ResultCode":"3001","BillTokenKey":"AAAAAAAAAAAAAAAAAAAAAA=="}"#,
    )
    .unwrap_err();
    assert!(matches!(e, PgError::MalformedResponse { .. }), "{e}");
    // An inquiry without StateCd.
    let get = inquiry("o4", prior(TID, "CARD", 1000, 0, 0));
    let e = decode(&get, 200, br#"{"ResultCode":"0000"}"#).unwrap_err();
    assert!(matches!(e, PgError::MalformedResponse { .. }), "{e}");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn decoding_arbitrary_bytes_never_panics(body in proptest::collection::vec(any::<u8>(), 0..512), status in 100u16..600) {
        for req in [
            charge("o5", &pg_key("SIMBK1"), 1000),
            va("o6", 1000),
            cancel("o7", None, prior(TID, "MOBILE", 1000, 0, 0)),
            inquiry("o8", prior(TID, "CARD", 1000, 0, 0)),
            complete("o9", TID, "k", "CARD", 1000),
        ] {
            let _ = decode(&req, status, &body);
        }
    }

    #[test]
    fn decoding_arbitrary_json_fields_never_panics(
        code in "[0-9A-Z]{0,5}",
        amt in ".{0,14}",
        date in "[0-9]{0,16}",
        tid in ".{0,40}",
    ) {
        let body = json!({"ResultCode": code, "Amt": amt, "AuthDate": date, "Tid": tid,
            "CancelDate": date, "CancelTime": date, "VbankNum": tid, "VbankExpDate": date,
            "StateCd": code, "BillTokenKey": tid}).to_string();
        for req in [
            charge("o5", &pg_key("SIMBK1"), 1000),
            va("o6", 1000),
            issue_billing_key("bk", CARD_OK),
            inquiry("o8", prior(TID, "CARD", 1000, 0, 0)),
        ] {
            let _ = decode(&req, 200, body.as_bytes());
        }
    }

    #[test]
    fn the_simulator_answers_any_request_without_panicking(
        path_ix in 0usize..10,
        body in proptest::collection::vec(any::<u8>(), 0..256),
    ) {
        let paths = [
            "/payment/approval/urlCallApproval.do", "/payment/approval/cancel.do",
            "/payment/cancel/cancelApproval.do", "/payment/approval/ssbbill.do",
            "/payment/approval/vacct.do", "/payment/approval/billkey.do",
            "/payment/approval/billkeyDelete.do", "/payment/approval/inquiry.do",
            "/paymux/window", "/paymux/deposit",
        ];
        let mut ledger = paymux_smartro::simulator::Ledger::default();
        let now = now();
        let reply = paymux_smartro::simulator::handle(&mut ledger, "POST", paths[path_ix], &body, &now);
        prop_assert!(matches!(reply, paymux_smartro::simulator::Reply::Answer(_, _)));
    }
}
