//! Answers: approvals mapped to PortOne's fields, the decline table, and everything else as
//! `MalformedResponse` (an unknown outcome for money-moving calls), never a panic.

mod common;

use common::*;
use paymux_core::adapter::{PgAdapter, PgRequest, WireRequest, WireResponse};
use paymux_core::error::PgError;
use paymux_core::outcome::{ApprovedDetail, DeclineKind, Outcome, TxState};
use paymux_tosspayments::TossAdapter;
use serde_json::{json, Value};

fn sent(req: &PgRequest) -> WireRequest {
    let ch = channel("");
    TossAdapter.encode(&ctx(&ch), req).unwrap()
}

fn decode(req: &PgRequest, status: u16, body: &[u8]) -> Result<Outcome, PgError> {
    let ch = channel("");
    let w = sent(req);
    TossAdapter.decode(
        &ctx(&ch),
        req,
        &w,
        &WireResponse {
            status: Some(status),
            headers: vec![],
            body: body.to_vec(),
        },
    )
}

/// A Payment object as the reference shows it (trimmed).
fn payment(order: &str, status: &str, total: i64) -> Value {
    json!({
        "mId": "tosspayments", "version": "2022-11-16",
        "paymentKey": "5zJ4xY7m0kODnyRpQWGrN2xqGlNvLrKwv1M9ENjbeoPaZdL6",
        "orderId": order, "orderName": "토스 티셔츠 외 2건", "currency": "KRW",
        "method": "카드", "status": status,
        "requestedAt": "2025-03-01T10:15:00+09:00", "approvedAt": "2025-03-01T10:15:03+09:00",
        "totalAmount": total, "balanceAmount": total, "taxFreeAmount": 0,
        "card": { "amount": total, "issuerCode": "61", "acquirerCode": "31",
                  "number": "43301234****123*", "installmentPlanMonths": 3,
                  "approveNo": "00000000", "cardType": "신용", "ownerType": "개인" },
        "receipt": { "url": "https://dashboard.tosspayments.com/receipt/redirection?transactionId=x" },
        "failure": null
    })
}

fn bytes(v: &Value) -> Vec<u8> {
    serde_json::to_vec(v).unwrap()
}

#[test]
fn an_approval_maps_the_payment_object() {
    let req = instant_card("order-0001", CARD_OK, 15000);
    let o = decode(&req, 200, &bytes(&payment("order-0001", "DONE", 15000))).unwrap();
    let Outcome::Approved(a) = o else {
        panic!("{o:?}")
    };
    assert_eq!(a.pg_code, "DONE");
    assert_eq!(a.amount.map(|m| m.get()), Some(15000));
    assert_eq!(a.at.unwrap().to_rfc3339(), "2025-03-01T10:15:03+09:00");
    let ApprovedDetail::Payment {
        card: Some(c),
        installment_month,
        approval_number,
        ..
    } = a.detail
    else {
        panic!()
    };
    assert_eq!(c.issuer_code.as_deref(), Some("61"));
    assert_eq!(c.issuer_name.as_deref(), Some("HYUNDAI_CARD"));
    assert_eq!(c.acquirer_code.as_deref(), Some("31"));
    assert_eq!(c.masked_number.as_deref(), Some("43301234****123*"));
    assert_eq!(installment_month, Some(3));
    assert_eq!(approval_number.as_deref(), Some("00000000"));
}

#[test]
fn an_approval_for_another_order_or_amount_is_not_trusted() {
    let req = instant_card("order-0001", CARD_OK, 15000);
    for body in [
        payment("order-9999", "DONE", 15000),
        payment("order-0001", "DONE", 100),
        payment("order-0001", "IN_PROGRESS", 15000),
    ] {
        let e = decode(&req, 200, &bytes(&body)).unwrap_err();
        assert!(matches!(e, PgError::MalformedResponse { .. }), "{e}");
    }
}

#[test]
fn documented_errors_are_declines_with_the_raw_code() {
    let req = instant_card("order-0001", CARD_OK, 15000);
    for (status, code, kind, retry) in [
        (403, "REJECT_CARD_COMPANY", DeclineKind::CardDeclined, false),
        (
            403,
            "REJECT_CARD_PAYMENT",
            DeclineKind::InsufficientFunds,
            false,
        ),
        (
            400,
            "INVALID_CARD_EXPIRATION",
            DeclineKind::ExpiredCard,
            false,
        ),
        (400, "INVALID_STOPPED_CARD", DeclineKind::InvalidCard, false),
        (400, "DUPLICATED_ORDER_ID", DeclineKind::Duplicate, false),
        (401, "UNAUTHORIZED_KEY", DeclineKind::ConfigError, true),
        (400, "PROVIDER_ERROR", DeclineKind::PgMaintenance, true),
    ] {
        let body = json!({ "code": code, "message": "메시지" });
        match decode(&req, status, &bytes(&body)).unwrap() {
            Outcome::Declined(d) => {
                assert_eq!(
                    (d.pg_code.as_str(), d.kind, d.retry_safe),
                    (code, kind, retry)
                );
                assert_eq!(d.pg_message, "메시지");
            }
            o => panic!("{code}: {o:?}"),
        }
    }
}

#[test]
fn undocumented_errors_on_money_moving_calls_are_unknown() {
    let req = instant_card("order-0001", CARD_OK, 15000);
    for (status, body) in [
        (400, br#"{"code":"SOMETHING_NEW","message":"?"}"#.to_vec()),
        (
            500,
            br#"{"code":"FAILED_INTERNAL_SYSTEM_PROCESSING","message":"?"}"#.to_vec(),
        ),
        (500, br#"{"code":"PROVIDER_ERROR","message":"?"}"#.to_vec()),
        (502, b"<html>Bad Gateway</html>".to_vec()),
        (400, b"".to_vec()),
        (200, b"not json".to_vec()),
        (200, b"{}".to_vec()),
    ] {
        let e = decode(&req, status, &body).unwrap_err();
        assert!(
            matches!(e, PgError::MalformedResponse { .. }),
            "{status}: {e}"
        );
    }
    // An inquiry moves no money: an unknown code there is a plain decline.
    let get = get("order-0001", None);
    let o = decode(&get, 400, br#"{"code":"SOMETHING_NEW","message":"?"}"#).unwrap();
    assert!(matches!(o, Outcome::Declined(d) if d.kind == DeclineKind::Other));
}

#[test]
fn inquiries_report_the_state_and_not_found() {
    let get_req = get("order-0001", None);
    for (status, state) in [
        ("DONE", TxState::Approved),
        ("PARTIAL_CANCELED", TxState::PartiallyCancelled),
        ("CANCELED", TxState::Cancelled),
        ("WAITING_FOR_DEPOSIT", TxState::Pending),
        ("ABORTED", TxState::Failed),
        ("EXPIRED", TxState::Failed),
    ] {
        let o = decode(&get_req, 200, &bytes(&payment("order-0001", status, 1000))).unwrap();
        let Outcome::Approved(a) = o else { panic!() };
        assert!(
            matches!(a.detail, ApprovedDetail::Inquiry(r) if r.state == state),
            "{status}"
        );
    }
    let o = decode(
        &get_req,
        404,
        r#"{"code":"NOT_FOUND_PAYMENT","message":"존재하지 않는 결제 정보 입니다."}"#.as_bytes(),
    )
    .unwrap();
    let Outcome::Approved(a) = o else { panic!() };
    assert!(matches!(a.detail, ApprovedDetail::Inquiry(r) if r.state == TxState::NotFound));
}

#[test]
fn a_cancel_reports_what_was_cancelled_and_what_is_left() {
    let req = cancel(
        "order-0001",
        Some(3000),
        prior(
            "5zJ4xY7m0kODnyRpQWGrN2xqGlNvLrKwv1M9ENjbeoPaZdL6",
            "CARD",
            15000,
            0,
            0,
        ),
    );
    let mut p = payment("order-0001", "PARTIAL_CANCELED", 15000);
    p["balanceAmount"] = json!(12000);
    p["cancels"] = json!([{ "cancelAmount": 3000, "cancelReason": "고객 변심", "taxFreeAmount": 0,
        "refundableAmount": 12000, "canceledAt": "2025-03-01T11:00:00+09:00", "transactionKey": "tk1" }]);
    let Outcome::Approved(a) = decode(&req, 200, &bytes(&p)).unwrap() else {
        panic!()
    };
    assert!(matches!(
        a.detail,
        ApprovedDetail::Cancelled { cancelled, remaining: Some(r), sequence: Some(1) }
            if cancelled.get() == 3000 && r.get() == 12000
    ));
    // A cancel answer that still says DONE did not cancel: not trusted.
    let e = decode(&req, 200, &bytes(&payment("order-0001", "DONE", 15000))).unwrap_err();
    assert!(matches!(e, PgError::MalformedResponse { .. }));
}

#[test]
fn a_virtual_account_answer_is_an_issued_account() {
    let req = virtual_account("order-0002", 10000, json!({ "validHours": 72 }));
    let mut p = payment("order-0002", "WAITING_FOR_DEPOSIT", 10000);
    p["method"] = json!("가상계좌");
    p["card"] = Value::Null;
    p["secret"] = json!("ps_secret_never_shown");
    p["virtualAccount"] = json!({ "accountType": "일반", "accountNumber": "X6000123456789",
        "bankCode": "20", "customerName": "박토스", "dueDate": "2025-03-04T10:15:00+09:00", "expired": false });
    let o = decode(&req, 200, &bytes(&p)).unwrap();
    let Outcome::VirtualAccountIssued(v) = &o else {
        panic!("{o:?}")
    };
    assert_eq!(v.account_number, "X6000123456789");
    assert_eq!(v.bank.as_deref(), Some("20"));
    assert!(!format!("{o:?}").contains("ps_secret_never_shown"));
}
