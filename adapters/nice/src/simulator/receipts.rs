//! The simulator's cash receipts (`api/payment-receipt.md`): issue, cancel and inquiry, with
//! the manual's checks (Basic auth, `signData`, required fields, `receiptType`, the identity
//! number's length) and its answers signed `hex(sha256(tid + orderId + ediDate + SecretKey))`.
//!
//! **Simulator** choices: the NTS approval number (`approveNo`) and `approvedAt` come back at
//! once (the real service may report them only after the NTS approved, up to D+2); the
//! inquiry answers the cancel answer's fields plus `amount`, `approveNo` and `approvedAt`.

use chrono::{DateTime, FixedOffset};
use paymux_core::money::Money;
use paymux_core::simulator::TestCard;
use serde_json::{json, Map};

use super::handlers::{
    amount, answer, check_sign, json_object, nice_time, refuse, required, text, Fields, Ledger,
    Refusal, Reply,
};
use super::TEST_MID;
use crate::frame::sign;

/// One issued receipt.
#[derive(Debug, Clone)]
pub struct Receipt {
    /// The receipt's tid.
    pub tid: String,
    /// `orderId`.
    pub order_id: String,
    /// `amount`.
    pub amount: Money,
    /// The NTS approval number.
    pub approve_no: String,
    /// `approvedAt`.
    pub approved_at: String,
    /// `cancelledAt` once cancelled.
    pub cancelled_at: Option<String>,
}

fn signed(mut m: Fields, tid: &str, order_id: &str, secret: &str, now: &DateTime<FixedOffset>) -> Reply {
    let edi = nice_time(now);
    m.insert("ediDate".into(), json!(edi));
    m.insert("signature".into(), json!(sign(&[tid, order_id, &edi], secret)));
    answer(&m)
}

fn receipt_object(r: &Receipt, code: &str, msg: &str) -> Fields {
    let mut m = Map::new();
    m.insert("resultCode".into(), json!(code));
    m.insert("resultMsg".into(), json!(msg));
    m.insert("tid".into(), json!(r.tid));
    m.insert("orderId".into(), json!(r.order_id));
    m
}

/// `POST /v1/receipt`.
pub(super) fn issue(
    ledger: &mut Ledger,
    body: &[u8],
    secret: &str,
    now: &DateTime<FixedOffset>,
) -> Result<Reply, Refusal> {
    let f = json_object(body)?;
    let order_id = required(&f, "orderId")?;
    let total = amount(&f, "amount")?;
    required(&f, "goodsName")?;
    let kind = required(&f, "receiptType")?;
    let no = required(&f, "receiptNo")?;
    let edi = required(&f, "ediDate")?;
    check_sign(&sign(&[&order_id, &total.to_string(), &edi], secret), &f)?;
    let part = |k: &str| -> Result<i64, Refusal> {
        match f.get(k) {
            Some(v) => v
                .as_i64()
                .filter(|n| *n >= 0)
                .ok_or_else(|| refuse("P010", format!("파라미터 {k}가 숫자형식이 아닙니다."))),
            None => Err(refuse("P007", format!("필수 파라미터 {k}가 없습니다."))),
        }
    };
    let sum = part("supplyAmt")? + part("goodsVat")? + part("taxFreeAmt")? + part("serviceAmt")?;
    if sum != total.get() {
        return Err(refuse("7005", "현금영수증 부가가치세 오류"));
    }
    let digits_ok = no.bytes().all(|b| b.is_ascii_digit());
    match kind.as_str() {
        "individual" if digits_ok && (10..=11).contains(&no.len()) => {}
        "company" if digits_ok && no.len() == 10 => {}
        "individual" | "company" => return Err(refuse("7012", "현금영수증 Identity 번호 오류")),
        _ => {
            return Err(refuse(
                "7013",
                "현금영수증 요청구분 값 오류(1:소득공제, 2:지출증빙)",
            ))
        }
    }
    if ledger.receipts.iter().any(|r| r.order_id == order_id) {
        return Err(refuse("7003", "현금영수증 중복발급"));
    }
    let late = match TestCard::of(&no) {
        TestCard::Declined | TestCard::InsufficientFunds => {
            return Err(refuse("7010", "VAN응답실패"))
        }
        TestCard::Drop => return Ok(Reply::Drop),
        TestCard::ApproveLate => true,
        TestCard::Approve => false,
    };
    let n = ledger.next_number();
    let r = Receipt {
        tid: format!("{TEST_MID}0401{}{:04}", now.format("%y%m%d%H%M%S"), n % 10_000),
        order_id,
        amount: total,
        approve_no: format!("{:09}", 100_000_000 + n % 100_000_000),
        approved_at: nice_time(now),
        cancelled_at: None,
    };
    ledger.receipts.push(r.clone());
    let mut m = receipt_object(&r, "0000", "정상 처리되었습니다.");
    m.insert("approvedAt".into(), json!(r.approved_at));
    m.insert("approveNo".into(), json!(r.approve_no));
    let reply = signed(m, &r.tid, &r.order_id, secret, now);
    Ok(match (late, reply) {
        (true, Reply::Answer(s, b)) => Reply::AnswerLate(s, b),
        (_, reply) => reply,
    })
}

/// `POST /v1/receipt/{tid}/cancel` (the whole receipt; a `cancelAmt` below the amount is
/// refused: the simulator keeps no partial receipt cancels).
pub(super) fn cancel(
    ledger: &mut Ledger,
    tid: &str,
    body: &[u8],
    secret: &str,
    now: &DateTime<FixedOffset>,
) -> Result<Reply, Refusal> {
    let f = json_object(body)?;
    required(&f, "reason")?;
    let order_id = required(&f, "orderId")?;
    let edi = required(&f, "ediDate")?;
    check_sign(&sign(&[tid, &edi], secret), &f)?;
    let r = ledger
        .receipts
        .iter_mut()
        .find(|r| r.tid == tid)
        .ok_or_else(|| refuse("U107", "거래내역이 존재 하지 않습니다."))?;
    if r.order_id != order_id {
        return Err(refuse("U126", "orderId가 존재 하지 않습니다."));
    }
    if r.cancelled_at.is_some() {
        return Err(refuse("2013", "취소 완료 거래"));
    }
    if text(&f, "cancelAmt").is_some() && amount(&f, "cancelAmt")? != r.amount {
        return Err(refuse("7004", "현금영수증 취소오류"));
    }
    r.cancelled_at = Some(nice_time(now));
    let r = r.clone();
    let mut m = receipt_object(&r, "0000", "취소 성공");
    m.insert("cancelAmt".into(), json!(r.amount.get()));
    m.insert("balanceAmt".into(), json!(0));
    m.insert("cancelledAt".into(), json!(r.cancelled_at));
    m.insert("approveNo".into(), json!(r.approve_no));
    Ok(signed(m, &r.tid, &r.order_id, secret, now))
}

/// `GET /v1/receipt/{tid}`.
pub(super) fn get(
    ledger: &mut Ledger,
    tid: &str,
    secret: &str,
    now: &DateTime<FixedOffset>,
) -> Result<Reply, Refusal> {
    let r = ledger
        .receipts
        .iter()
        .find(|r| r.tid == tid)
        .cloned()
        .ok_or_else(|| refuse("U107", "거래내역이 존재 하지 않습니다."))?;
    let cancelled = r.cancelled_at.is_some();
    let mut m = receipt_object(&r, "0000", "조회 성공");
    m.insert("amount".into(), json!(r.amount.get()));
    m.insert("approveNo".into(), json!(r.approve_no));
    m.insert("approvedAt".into(), json!(r.approved_at));
    m.insert(
        "cancelAmt".into(),
        json!(if cancelled { r.amount.get() } else { 0 }),
    );
    m.insert(
        "balanceAmt".into(),
        json!(if cancelled { 0 } else { r.amount.get() }),
    );
    m.insert(
        "cancelledAt".into(),
        json!(r.cancelled_at.clone().unwrap_or_else(|| "0".into())),
    );
    Ok(signed(m, &r.tid, &r.order_id, secret, now))
}
