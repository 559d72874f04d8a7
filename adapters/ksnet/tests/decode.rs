//! Decoding KSNET's answers: the reference's own example answers (WEBFEP), hand-built KSPay
//! answer frames, and the ambiguous or foreign answers that must stay `Unknown`.

mod common;

use common::*;
use paymux_core::adapter::{PgAdapter, PgRequest, WireRequest, WireResponse};
use paymux_core::error::PgError;
use paymux_core::outcome::{ApprovedDetail, DeclineKind, Outcome};
use paymux_ksnet::frame::kspay::{
    CardResult, Request, Response, ResponseRecord, VirtualAccountResult,
};
use paymux_ksnet::{KsnetAdapter, Protocol};
use serde_json::json;

fn encode(
    protocol: Protocol,
    req: &PgRequest,
) -> (paymux_core::channel::ChannelContext, WireRequest) {
    let ch = channel(protocol, "");
    let w = KsnetAdapter.encode(&ctx(&ch), req).expect("encodes");
    (ch, w)
}

fn decode(protocol: Protocol, req: &PgRequest, body: Vec<u8>) -> Result<Outcome, PgError> {
    let (ch, sent) = encode(protocol, req);
    let resp = WireResponse {
        status: (protocol == Protocol::Webfep).then_some(200),
        headers: vec![],
        body,
    };
    KsnetAdapter.decode(&ctx(&ch), req, &sent, &resp)
}

fn webfep(req: &PgRequest, answer: serde_json::Value) -> Result<Outcome, PgError> {
    decode(Protocol::Webfep, req, serde_json::to_vec(&answer).unwrap())
}

fn declined(o: Result<Outcome, PgError>) -> (DeclineKind, String, String) {
    match o {
        Ok(Outcome::Declined(d)) => (d.kind, d.pg_code, d.pg_message),
        other => panic!("expected a decline, got {other:?}"),
    }
}

fn unknown(o: Result<Outcome, PgError>) {
    assert!(matches!(o, Err(PgError::MalformedResponse { .. })), "{o:?}");
}

/// The reference's "카드 비인증 결제 응답 예시" (1.3), success and failure.
#[test]
fn webfep_reference_card_answers() {
    let req = instant("KST20240604S021", CARD_OK, 1004);
    let ok = webfep(
        &req,
        json!({"aid":"WFVCCSE00000000000060121","code":"A0200","message":"Success","data":{
            "payload":"KST20240604S021","tid":"189189011016","tradeDateTime":"20240604103121",
            "totalAmount":"1004","respCode":"0000","respMessage":"현대카드/OK: 00112345",
            "issuerCardType":"HYUNDAI","issuerCardName":"현대카드","purchaseCardType":"HYUNDAI",
            "purchaseCardName":"현대카드","cardNumb":"40176201XXXX825X","approvalNumb":"00112345",
            "expiryDate":"","installMonth":"","cardType":"CREDIT","partCancelYn":"Y"}}),
    );
    let Ok(Outcome::Approved(a)) = ok else {
        panic!("expected an approval, got {ok:?}");
    };
    assert_eq!(a.pg_tx_id.as_deref(), Some("189189011016"));
    assert_eq!(a.amount.map(|m| m.get()), Some(1004));
    assert_eq!(
        a.at.map(|t| t.to_rfc3339()).as_deref(),
        Some("2024-06-04T10:31:21+09:00")
    );
    assert_eq!(
        (a.pg_code.as_str(), a.pg_message.as_str()),
        ("0000", "현대카드/OK: 00112345")
    );
    let ApprovedDetail::Payment {
        approval_number,
        card,
        ..
    } = a.detail
    else {
        panic!("a payment");
    };
    assert_eq!(approval_number.as_deref(), Some("00112345"));
    let card = card.unwrap();
    assert_eq!(card.masked_number.as_deref(), Some("401762**XXXX***X"));
    assert_eq!(card.issuer_name.as_deref(), Some("현대카드"));

    let fail = webfep(
        &req,
        json!({"aid":"WFVCCSE00000000000060120","code":"A0201","message":"Fail","data":{
            "payload":"KST20240604S021","tid":"Lbd124090920","tradeDateTime":"20240604103120",
            "totalAmount":"","respCode":"8326","respMessage":"승인거절/월사용한도초과"}}),
    );
    assert_eq!(
        declined(fail),
        (
            DeclineKind::LimitExceeded,
            "8326".into(),
            "승인거절/월사용한도초과".into()
        )
    );
}

/// "취소거절기간경과" (1.1) and "비밀번호오류" (1.2), "마감일자정보없음" (VA section).
#[test]
fn webfep_reference_refusals_map_their_kinds() {
    let c = cancel("KST20240604S027", None, prior("Lbd124090990", 1000, 0, 0));
    let d = declined(webfep(
        &c,
        json!({"aid":"X","code":"A0201","message":"Fail","data":{
        "payload":"KST20240604S027","respCode":"7003","respMessage":"취소거절기간경과/Tel:1544-6030"}}),
    ));
    assert_eq!(d.0, DeclineKind::CancelPeriodExpired);
    let i = instant("o-6003", CARD_OK, 1000);
    let d = declined(webfep(
        &i,
        json!({"code":"A0201","data":{"respCode":"6003","respMessage":"비밀번호오류"}}),
    ));
    assert_eq!(d.0, DeclineKind::AuthenticationFailed);
    let va = virtual_account("carrot12212", 1004, None);
    let d = declined(webfep(
        &va,
        json!({"aid":"WFVVPSI00000000003100222","code":"A0201","message":"Fail","data":{
        "payload":"","tid":"689449000006","tradeDateTime":"20240624094116","totalAmount":"1004",
        "respCode":"B013","respMessage":"발급거절/마감일자정보없음","bankType":"NONGHYUP","bankName":"농협중앙",
        "virtualAccountNumb":"","accountHolder":""}}),
    ));
    assert_eq!((d.0, d.1.as_str()), (DeclineKind::InvalidRequest, "B013"));
}

/// The VA section's success example.
#[test]
fn webfep_reference_virtual_account_answer() {
    let va = virtual_account("carrot12212", 1004, Some("10185164017326"));
    let o = webfep(
        &va,
        json!({"aid":"WFVVPSI00000000003100223","code":"A0200","message":"Success","data":{
        "payload":"","tid":"689449000007","tradeDateTime":"20240624094405","totalAmount":"1004",
        "respCode":"0000","respMessage":"계좌요청완료","bankType":"NONGHYUP","bankName":"농협중앙",
        "virtualAccountNumb":"10185164017326","accountHolder":"(T)우체국쇼핑"}}),
    );
    let Ok(Outcome::VirtualAccountIssued(v)) = o else {
        panic!("expected an issued account, got {o:?}");
    };
    assert_eq!(v.account_number, "10185164017326");
    assert_eq!(v.bank.as_deref(), Some("NONGHYUP"));
    assert_eq!(v.remittee_name.as_deref(), Some("(T)우체국쇼핑"));
    assert_eq!(v.amount.map(|m| m.get()), Some(1004));
    assert_eq!(
        v.expires_at.map(|t| t.to_rfc3339()).as_deref(),
        Some("2025-03-21T23:59:59+09:00")
    );
}

#[test]
fn webfep_gate_codes_are_declines_and_ambiguous_answers_stay_unknown() {
    let req = instant("o-1", CARD_OK, 1000);
    let d = declined(webfep(
        &req,
        json!({"aid":"X","code":"A0401","message":"인증 오류","data":null}),
    ));
    assert_eq!((d.0, d.1.as_str()), (DeclineKind::ConfigError, "A0401"));
    let d = declined(webfep(
        &req,
        json!({"code":"A0400","message":"요청 파라미터 오류"}),
    ));
    assert_eq!(d.0, DeclineKind::InvalidRequest);
    // Server error, other error, unknown code: the PG may have acted.
    for code in ["A0500", "A0999", "B0000", ""] {
        unknown(webfep(
            &req,
            json!({"code": code, "message": "x", "data": null}),
        ));
    }
    // Success envelope without 0000, failure envelope with 0000, approval without data.
    unknown(webfep(
        &req,
        json!({"code":"A0200","data":{"respCode":"8326"}}),
    ));
    unknown(webfep(
        &req,
        json!({"code":"A0201","data":{"respCode":"0000"}}),
    ));
    unknown(webfep(&req, json!({"code":"A0200","data":null})));
    // Another request's answer, a non-JSON body, a non-object data.
    unknown(webfep(
        &req,
        json!({"code":"A0200","data":{"payload":"o-2","respCode":"0000"}}),
    ));
    unknown(decode(
        Protocol::Webfep,
        &req,
        b"<html>502 Bad Gateway</html>".to_vec(),
    ));
    unknown(webfep(&req, json!({"code":"A0200","data":[1,2]})));
    unknown(webfep(
        &req,
        json!({"code":"A0200","data":{"respCode":"0000","totalAmount":"12x"}}),
    ));
}

/// A KSPay answer to the request `req` with one record.
fn kspay_answer(req: &PgRequest, record: ResponseRecord, order_number: Option<&str>) -> Vec<u8> {
    let (_, sent) = encode(Protocol::Kspay, req);
    let mut head = Request::parse(&sent.body).unwrap().head;
    if let Some(o) = order_number {
        head.order_number = o.into();
    }
    Response {
        head,
        records: vec![record],
    }
    .to_frame()
    .unwrap()
}

fn card_answer(status: &str, auth_no: &str, amount: &str) -> ResponseRecord {
    ResponseRecord::Card(Box::new(CardResult {
        approval_type: "1301".into(),
        transaction_no: "100000000009".into(),
        status: status.into(),
        trade_date: "20250314".into(),
        trade_time: "092655".into(),
        iss_code: "000007".into(),
        auth_no: auth_no.into(),
        message1: "승인거절".into(),
        message2: "월사용한도초과".into(),
        card_no: "451842001234XXXX".into(),
        amount: amount.into(),
        installment: "03".into(),
        ..CardResult::default()
    }))
}

#[test]
fn kspay_card_answers() {
    let req = instant("order-0002", CARD_OK, 50_004);
    let ok = decode(
        Protocol::Kspay,
        &req,
        kspay_answer(&req, card_answer("O", "00112345", "000050004"), None),
    );
    let Ok(Outcome::Approved(a)) = ok else {
        panic!("expected an approval, got {ok:?}");
    };
    assert_eq!(a.amount.map(|m| m.get()), Some(50_004));
    assert_eq!(a.pg_tx_id.as_deref(), Some("100000000009"));
    assert_eq!(
        a.at.map(|t| t.to_rfc3339()).as_deref(),
        Some("2025-03-14T09:26:55+09:00")
    );
    let ApprovedDetail::Payment {
        card,
        approval_number,
        ..
    } = a.detail
    else {
        panic!("a payment");
    };
    assert_eq!(approval_number.as_deref(), Some("00112345"));
    assert_eq!(
        card.unwrap().masked_number.as_deref(),
        Some("451842******XXXX")
    );

    let no = decode(
        Protocol::Kspay,
        &req,
        kspay_answer(&req, card_answer("X", "8326", ""), None),
    );
    assert_eq!(
        declined(no),
        (
            DeclineKind::LimitExceeded,
            "8326".into(),
            "승인거절 월사용한도초과".into()
        )
    );
}

#[test]
fn kspay_foreign_or_broken_answers_stay_unknown() {
    let req = instant("order-0002", CARD_OK, 50_004);
    let good = kspay_answer(&req, card_answer("O", "00112345", "000050004"), None);
    // Another order, a status that is neither O nor X, a VA record to a card request.
    unknown(decode(
        Protocol::Kspay,
        &req,
        kspay_answer(&req, card_answer("O", "1", "1"), Some("order-9999")),
    ));
    unknown(decode(
        Protocol::Kspay,
        &req,
        kspay_answer(&req, card_answer("?", "1", "1"), None),
    ));
    let va = ResponseRecord::VirtualAccount(VirtualAccountResult {
        approval_type: "6001".into(),
        status: "O".into(),
        ..VirtualAccountResult::default()
    });
    unknown(decode(Protocol::Kspay, &req, kspay_answer(&req, va, None)));
    // Truncated, a lying length, trailing bytes, an approved amount that is not a number.
    unknown(decode(
        Protocol::Kspay,
        &req,
        good[..good.len() - 1].to_vec(),
    ));
    let mut lying = good.clone();
    lying[..4].copy_from_slice(b"0100");
    unknown(decode(Protocol::Kspay, &req, lying));
    let mut longer = good.clone();
    longer.push(b' ');
    unknown(decode(Protocol::Kspay, &req, longer));
    unknown(decode(
        Protocol::Kspay,
        &req,
        kspay_answer(&req, card_answer("O", "1", "12AB"), None),
    ));
}

#[test]
fn kspay_messages_cut_inside_a_character_still_decode() {
    let req = instant("order-0002", CARD_OK, 50_004);
    let mut frame = kspay_answer(&req, card_answer("X", "8326", ""), None);
    // Message1 sits after the header, the type and 51 bytes of the card record.
    let at = 4 + 296 + 4 + 12 + 1 + 8 + 6 + 6 + 6 + 12;
    // "승인거절" is 8 bytes; put a lone lead byte at the end of the 16-byte field.
    frame[at + 15] = 0xB0;
    let d = declined(decode(Protocol::Kspay, &req, frame));
    assert_eq!(d.1, "8326");
    assert!(d.2.starts_with("승인거절"), "{}", d.2);
}
