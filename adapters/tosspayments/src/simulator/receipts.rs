//! The simulator's cash receipts (<https://docs.tosspayments.com/reference#현금영수증>): issue,
//! cancel (the whole receipt) and the list by request day, answering the `CashReceipt`
//! object. The identity number's last four digits pick the behaviour as a test card's do
//! (`…0002` refused, `…0098` issued and answered late, `…0099` dropped, nothing recorded).
//!
//! **Simulator** choices: an issue is `COMPLETED` at once with an `issueNumber` (Toss reports
//! `IN_PROGRESS` until the NTS approved, 1–2 days); the refusal codes are
//! `INVALID_REQUEST` (a field), `DUPLICATED_ORDER_ID` (a second receipt of an orderId),
//! `NOT_FOUND` (an unknown receiptKey) and `ALREADY_CANCELED_CASH_RECEIPT` (cancelled twice,
//! Toss's exact code is not in its public reference).

use chrono::{DateTime, FixedOffset};
use paymux_core::simulator::server::Reply;
use paymux_core::simulator::TestCard;
use serde_json::{json, Map, Value};

use super::handlers::{error, toss_time, Answer, Books};

/// One receipt the simulator issued.
#[derive(Debug, Clone)]
pub struct SimReceipt {
    /// The merchant (secret key).
    pub merchant: String,
    /// receiptKey.
    pub receipt_key: String,
    /// orderId.
    pub order_id: String,
    /// orderName.
    pub order_name: String,
    /// `소득공제` / `지출증빙`.
    pub kind: String,
    /// amount.
    pub amount: i64,
    /// taxFreeAmount.
    pub tax_free: i64,
    /// issueNumber.
    pub issue_number: String,
    /// requestedAt (issue).
    pub requested_at: String,
    /// The cancel's requestedAt, once cancelled.
    pub cancelled_at: Option<String>,
}

fn object(r: &SimReceipt, transaction: &str, at: &str) -> Value {
    json!({
        "mId": "tosssim",
        "receiptKey": r.receipt_key,
        "issueNumber": r.issue_number,
        "issueStatus": "COMPLETED",
        "amount": r.amount,
        "taxFreeAmount": r.tax_free,
        "orderId": r.order_id,
        "orderName": r.order_name,
        "type": r.kind,
        "transactionType": transaction,
        "businessNumber": "1234567890",
        "customerIdentityNumber": "***",
        "failure": null,
        "requestedAt": at,
        "receiptUrl": format!("https://dashboard.tosspayments.com/receipt/cash-receipt?receiptKey={}", r.receipt_key),
    })
}

fn ok(v: &Value) -> Answer {
    Answer::Json(200, serde_json::to_vec(v).unwrap_or_default())
}

fn invalid(message: &str) -> Answer {
    error(400, "INVALID_REQUEST", message)
}

/// `POST /v1/cash-receipts`.
pub(super) fn issue(
    books: &mut Books,
    merchant: &str,
    f: &Map<String, Value>,
    now: &DateTime<FixedOffset>,
) -> Result<Reply<Answer>, Answer> {
    let s = |k: &str| f.get(k).and_then(Value::as_str).map(str::to_string);
    let amount = f
        .get("amount")
        .and_then(Value::as_i64)
        .filter(|a| *a >= 1)
        .ok_or_else(|| invalid("amount 값이 올바르지 않습니다."))?;
    let tax_free = match f.get("taxFreeAmount") {
        None => 0,
        Some(v) => v
            .as_i64()
            .filter(|t| (0..=amount).contains(t))
            .ok_or_else(|| invalid("taxFreeAmount 값이 올바르지 않습니다."))?,
    };
    let order_id = s("orderId")
        .filter(|o| {
            (6..=64).contains(&o.len())
                && o.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
        })
        .ok_or_else(|| invalid("orderId 값이 올바르지 않습니다."))?;
    let order_name = s("orderName")
        .filter(|n| !n.is_empty() && n.chars().count() <= 100)
        .ok_or_else(|| invalid("orderName 값이 올바르지 않습니다."))?;
    let id = s("customerIdentityNumber")
        .filter(|n| !n.is_empty() && n.len() <= 30 && n.bytes().all(|b| b.is_ascii_digit()))
        .ok_or_else(|| invalid("customerIdentityNumber 값이 올바르지 않습니다."))?;
    let kind = s("type")
        .filter(|t| t == "소득공제" || t == "지출증빙")
        .ok_or_else(|| invalid("type 값이 올바르지 않습니다."))?;
    if books
        .receipts
        .iter()
        .any(|r| r.merchant == merchant && r.order_id == order_id)
    {
        return Err(error(400, "DUPLICATED_ORDER_ID", "이미 승인 및 취소가 진행된 중복된 주문번호 입니다."));
    }
    let late = match TestCard::of(&id) {
        TestCard::Declined | TestCard::InsufficientFunds => {
            return Err(invalid("현금영수증 발급이 거절되었습니다."))
        }
        TestCard::Drop => return Ok(Reply::Drop),
        TestCard::ApproveLate => true,
        TestCard::Approve => false,
    };
    let n = books.ledger.next_number();
    let r = SimReceipt {
        merchant: merchant.to_string(),
        receipt_key: format!("tcr{}{n:08}", now.format("%Y%m%d%H%M%S")),
        order_id,
        order_name,
        kind,
        amount,
        tax_free,
        issue_number: format!("{:09}", 200_000_000 + n % 100_000_000),
        requested_at: toss_time(now),
        cancelled_at: None,
    };
    books.receipts.push(r.clone());
    let a = ok(&object(&r, "CONFIRM", &r.requested_at));
    Ok(if late {
        Reply::AnswerLate(a)
    } else {
        Reply::Answer(a)
    })
}

/// `POST /v1/cash-receipts/{receiptKey}/cancel` (the whole receipt).
pub(super) fn cancel(
    books: &mut Books,
    merchant: &str,
    key: &str,
    f: &Map<String, Value>,
    now: &DateTime<FixedOffset>,
) -> Result<Reply<Answer>, Answer> {
    let r = books
        .receipts
        .iter_mut()
        .find(|r| r.merchant == merchant && r.receipt_key == key)
        .ok_or_else(|| error(404, "NOT_FOUND", "존재하지 않는 현금영수증 입니다."))?;
    if r.cancelled_at.is_some() {
        return Err(error(400, "ALREADY_CANCELED_CASH_RECEIPT", "이미 취소된 현금영수증 입니다."));
    }
    if let Some(a) = f.get("amount") {
        if a.as_i64() != Some(r.amount) {
            return Err(invalid("amount 값이 올바르지 않습니다."));
        }
    }
    let at = toss_time(now);
    r.cancelled_at = Some(at.clone());
    let r = r.clone();
    Ok(Reply::Answer(ok(&object(&r, "CANCEL", &at))))
}

/// `GET /v1/cash-receipts?requestDate=YYYY-MM-DD[&cursor&limit]`: the day's issues and
/// cancels, oldest first.
pub(super) fn list(books: &Books, merchant: &str, query: &str) -> Result<Reply<Answer>, Answer> {
    let day = query
        .split('&')
        .find_map(|kv| kv.strip_prefix("requestDate="))
        .filter(|d| d.len() == 10)
        .ok_or_else(|| invalid("requestDate 값이 필요합니다."))?;
    let mut data = Vec::new();
    for r in books.receipts.iter().filter(|r| r.merchant == merchant) {
        if r.requested_at.starts_with(day) {
            data.push(object(r, "CONFIRM", &r.requested_at));
        }
        if let Some(at) = r.cancelled_at.as_deref().filter(|a| a.starts_with(day)) {
            data.push(object(r, "CANCEL", at));
        }
    }
    Ok(Reply::Answer(ok(&json!({
        "hasNext": false,
        "lastCursor": null,
        "data": data,
    }))))
}
