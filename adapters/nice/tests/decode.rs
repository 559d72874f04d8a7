//! Answers: the manual's documented answers, the result-code table (success codes per
//! operation, declines with their kinds), forged and malformed answers as
//! `MalformedResponse`, webhooks, and property tests that neither decoding nor the
//! simulator ever panics — and that nothing decoded or refused shows a secret.

#![cfg(feature = "simulator")]

mod common;

use chrono::Utc;
use common::*;
use paymux_core::adapter::{IncomingNotice, PgAdapter, PgRequest, WireResponse};
use paymux_core::error::PgError;
use paymux_core::outcome::{ApprovedDetail, DeclineKind, Outcome, TxState};
use paymux_core::simulator::http::Request;
use paymux_nice::frame::sign;
use paymux_nice::simulator::{handle, Ledger};
use paymux_nice::NiceAdapter;
use proptest::prelude::*;
use serde_json::{json, Value};

fn decode(req: &PgRequest, body: &Value) -> Result<Outcome, PgError> {
    decode_bytes(req, body.to_string().as_bytes())
}

fn decode_bytes(req: &PgRequest, body: &[u8]) -> Result<Outcome, PgError> {
    let ch = channel("", None);
    let ctx = ctx(&ch);
    let sent = match NiceAdapter.encode(&ctx, req) {
        Ok(w) => w,
        Err(e) => panic!("encode: {e}"),
    };
    let resp = WireResponse {
        status: Some(200),
        headers: vec![],
        body: body.to_vec(),
    };
    NiceAdapter.decode(&ctx, req, &sent, &resp)
}

/// The README's approval answer (`nicepay-manual` README.md 결제(승인) 응답 예시), signed with
/// the sandbox secret key.
fn readme_approval() -> Value {
    json!({
        "resultCode": "0000", "resultMsg": "정상 처리되었습니다.",
        "tid": "UT0000113m01012111051714341073", "cancelledTid": null,
        "orderId": "c74a5960-830b-4cd8-82a9-fa1ce739a18f",
        "ediDate": "2021-11-05T17:14:35.150+0900",
        "signature": "63b251b31c909eebef1a9f4fcc19e77bdcb8f64fc1066a29670f8627186865cd",
        "status": "paid", "paidAt": "2021-11-05T17:14:35.000+0900", "failedAt": "0",
        "cancelledAt": "0", "payMethod": "card", "amount": 1004, "balanceAmt": 1004,
        "goodsName": "나이스페이-상품", "useEscrow": false, "currency": "KRW", "channel": "pc",
        "approveNo": "000000",
        "card": { "cardCode": "04", "cardName": "삼성", "cardNum": "123412******1234",
                  "cardQuota": 0, "isInterestFree": false, "cardType": "credit",
                  "canPartCancel": true, "acquCardCode": "04", "acquCardName": "삼성" }
    })
}

fn readme_complete() -> PgRequest {
    let returned = json!({
        "authResultCode": "0000", "tid": "UT0000113m01012111051714341073",
        "clientId": CLIENT_KEY, "orderId": "c74a5960-830b-4cd8-82a9-fa1ce739a18f",
        "amount": "1004", "authToken": "NICEUNTTB06096FF8F653AA366E7EEED1101AAAE",
        "signature": "99ea68bf15681741e793ece56ab87891b9bdc94cd54abdcb55b2884f4336155a"
    });
    complete(
        "c74a5960-830b-4cd8-82a9-fa1ce739a18f",
        &returned,
        1004,
        "CARD",
    )
}

#[test]
fn the_readmes_approval_decodes_with_its_signature() {
    match decode(&readme_complete(), &readme_approval()) {
        Ok(Outcome::Approved(a)) => {
            assert_eq!(
                a.pg_tx_id.as_deref(),
                Some("UT0000113m01012111051714341073")
            );
            assert_eq!(a.amount.map(|m| m.get()), Some(1004));
            assert_eq!(a.at.unwrap().to_rfc3339(), "2021-11-05T17:14:35+09:00");
            match a.detail {
                ApprovedDetail::Payment {
                    card: Some(c),
                    approval_number,
                    ..
                } => {
                    assert_eq!(c.issuer_name.as_deref(), Some("SAMSUNG_CARD"));
                    assert_eq!(approval_number.as_deref(), Some("000000"));
                }
                other => panic!("{other:?}"),
            }
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn forged_or_foreign_answers_are_malformed() {
    let mut forged = readme_approval();
    forged["amount"] = json!(10);
    forged["balanceAmt"] = json!(10);
    assert!(matches!(
        decode(&readme_complete(), &forged),
        Err(PgError::MalformedResponse { .. })
    ));
    let mut other_order = readme_approval();
    other_order["orderId"] = json!("someone-else");
    assert!(matches!(
        decode(&readme_complete(), &other_order),
        Err(PgError::MalformedResponse { .. })
    ));
    for body in [
        &b"<html>502</html>"[..],
        b"[]",
        b"{}",
        b"{\"resultMsg\":\"x\"}",
    ] {
        assert!(matches!(
            decode_bytes(&readme_complete(), body),
            Err(PgError::MalformedResponse { .. })
        ));
    }
}

/// `common/code.md`'s success codes per operation, through the one table.
#[test]
fn documented_success_codes_by_operation() {
    let now = "2025-03-01T10:15:00.000+0900";
    let signed = |tid: &str, amount: i64, code: &str, extra: Value| {
        let mut v = json!({
            "resultCode": code, "resultMsg": "ok", "tid": tid, "orderId": "order-1",
            "ediDate": now, "amount": amount, "balanceAmt": amount, "status": "paid",
            "signature": sign(&[tid, &amount.to_string(), now], SECRET_KEY),
        });
        if let (Some(o), Value::Object(e)) = (v.as_object_mut(), extra) {
            o.extend(e);
        }
        v
    };
    let key = {
        let ch = paymux_nice::channel::NiceChannel::from_context(&channel("", None)).unwrap();
        paymux_nice::channel::seal_bid(&ch, "BIKY1")
            .unwrap()
            .expose()
            .clone()
    };
    // 3001 approves a card charge; 2001 and 2211 are cancels; 3001 is no cancel.
    assert!(matches!(
        decode(
            &pay_with_key("order-1", &key, 500),
            &signed("T1", 500, "3001", json!({}))
        ),
        Ok(Outcome::Approved(_))
    ));
    let c = cancel("order-1", "T1", 500, 0, 0, None);
    for code in ["0000", "2001", "2211"] {
        let v = signed(
            "T1",
            500,
            code,
            json!({ "status": "cancelled", "balanceAmt": 0 }),
        );
        assert!(matches!(decode(&c, &v), Ok(Outcome::Approved(_))), "{code}");
    }
    assert!(matches!(
        decode(&c, &signed("T1", 500, "3001", json!({}))),
        Ok(Outcome::Declined(_))
    ));
    // F100 issues a billing key (the regist sample's capitalized fields too).
    let issued = json!({ "ResultCode": "F100", "ResultMsg": "빌키가 정상적으로 생성되었습니다.",
                         "BID": "BIKYnictest00m1104191651325596", "TID": "T2", "CardCode": "06" });
    match decode(&issue_key("bk-1", "4111111111111111"), &issued) {
        Ok(Outcome::Approved(a)) => match a.detail {
            ApprovedDetail::BillingKeyIssued {
                pg_billing_key,
                card,
            } => {
                assert!(!pg_billing_key.expose().contains("BIKY"), "stored sealed");
                assert_eq!(card.unwrap().issuer_name.as_deref(), Some("SHINHAN_CARD"));
            }
            other => panic!("{other:?}"),
        },
        other => panic!("{other:?}"),
    }
    // 4100 issues a virtual account through the window.
    let va = signed(
        "T3",
        30000,
        "4100",
        json!({ "orderId": "order-va", "status": "ready", "payMethod": "vbank",
                "vbank": { "vbankCode": "088", "vbankNumber": "56211234567890",
                           "vbankExpDate": "2025-03-03T10:15:00.000+0900", "vbankHolder": "홍길동" } }),
    );
    let returned = json!({
        "authResultCode": "0000", "tid": "T3", "clientId": CLIENT_KEY, "orderId": "order-va",
        "amount": "30000", "authToken": "tok",
        "signature": sign(&["tok", CLIENT_KEY, "30000"], SECRET_KEY)
    });
    match decode(
        &complete("order-va", &returned, 30000, "VIRTUAL_ACCOUNT"),
        &va,
    ) {
        Ok(Outcome::VirtualAccountIssued(v)) => {
            assert_eq!(v.account_number, "56211234567890");
            assert_eq!(
                v.expires_at.unwrap().to_rfc3339(),
                "2025-03-03T10:15:00+09:00"
            );
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn declines_keep_the_raw_code_and_map_through_the_table() {
    let key = {
        let ch = paymux_nice::channel::NiceChannel::from_context(&channel("", None)).unwrap();
        paymux_nice::channel::seal_bid(&ch, "BIKY1")
            .unwrap()
            .expose()
            .clone()
    };
    let req = pay_with_key("order-1", &key, 500);
    for (code, kind) in [
        ("3095", DeclineKind::CardDeclined),
        ("3021", DeclineKind::ExpiredCard),
        ("U112", DeclineKind::Duplicate),
        ("U309", DeclineKind::NotFound),
        ("U304", DeclineKind::ConfigError),
        ("2032", DeclineKind::CancelRefused),
        ("ZZ99", DeclineKind::Other),
    ] {
        match decode(&req, &json!({ "resultCode": code, "resultMsg": "거절" })) {
            Ok(Outcome::Declined(d)) => {
                assert_eq!((d.pg_code.as_str(), d.kind), (code, kind));
                assert_eq!(d.pg_message, "거절");
            }
            other => panic!("{code}: {other:?}"),
        }
    }
}

#[test]
fn inquiry_not_found_codes_are_not_found() {
    for code in ["U107", "U111", "U126"] {
        match decode(
            &get("order-1", None),
            &json!({ "resultCode": code, "resultMsg": "없음" }),
        ) {
            Ok(Outcome::Approved(a)) => match a.detail {
                ApprovedDetail::Inquiry(r) => assert_eq!(r.state, TxState::NotFound),
                other => panic!("{other:?}"),
            },
            other => panic!("{code}: {other:?}"),
        }
    }
}

fn notice(body: &[u8]) -> Result<paymux_core::adapter::PgNotice, PgError> {
    let ch = channel("", None);
    NiceAdapter.decode_notice(
        &ch,
        &IncomingNotice {
            content_type: "application/json",
            headers: &[],
            body,
        },
    )
}

#[test]
fn webhooks_are_verified_by_their_signature() {
    let ok = readme_approval();
    let n = notice(ok.to_string().as_bytes()).unwrap();
    assert_eq!(
        n.event,
        paymux_core::adapter::NoticeEvent::StatusChanged {
            claimed: Some(TxState::Approved)
        }
    );
    assert!(!format!("{:?}", n.view).contains("123412******1234x"));
    let mut unsigned = readme_approval();
    unsigned.as_object_mut().unwrap().remove("signature");
    assert!(matches!(
        notice(unsigned.to_string().as_bytes()),
        Err(PgError::NoticeRefused { .. })
    ));
    for junk in [&b""[..], b"tid=1&amount=2", b"{\"tid\":1}"] {
        assert!(matches!(notice(junk), Err(PgError::NoticeRefused { .. })));
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn decoding_never_panics(body in proptest::collection::vec(any::<u8>(), 0..400)) {
        let _ = decode_bytes(&readme_complete(), &body);
        let _ = decode_bytes(&get("order-1", None), &body);
        let _ = notice(&body);
    }

    #[test]
    fn mutated_answers_never_panic(i in 0usize..2000, b in any::<u8>()) {
        let mut body = readme_approval().to_string().into_bytes();
        let n = body.len();
        body[i % n] = b;
        let _ = decode_bytes(&readme_complete(), &body);
        let _ = notice(&body);
    }

    #[test]
    fn the_simulator_never_panics(
        method in prop_oneof![Just("GET"), Just("POST"), Just("PUT")],
        path in prop_oneof![
            Just("/v1/subscribe/regist".to_string()),
            Just("/v1/payments/x/cancel".to_string()),
            Just("/v1/payments/find/%E0%A".to_string()),
            Just("/window".to_string()),
            Just("/window/W1".to_string()),
            Just("/paymux/window".to_string()),
            "[a-z/%0-9]{0,30}",
        ],
        body in proptest::collection::vec(any::<u8>(), 0..300),
        auth in any::<bool>(),
    ) {
        let mut l = Ledger::default();
        let headers = if auth {
            vec![("authorization".to_string(),
                  paymux_nice::frame::basic_credentials(CLIENT_KEY, SECRET_KEY))]
        } else {
            vec![]
        };
        let req = Request { method: method.into(), path, query: "orderDate=20250301".into(), headers, body };
        let now = Utc::now().with_timezone(&paymux_core::adapter::kst());
        let _ = handle(&mut l, &req, &now);
    }
}
