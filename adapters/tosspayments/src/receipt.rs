//! Standalone cash receipts (현금영수증) — Toss's reference, "현금영수증"
//! (<https://docs.tosspayments.com/reference#현금영수증>, API version `2022-11-16`):
//!
//! | operation | call |
//! |---|---|
//! | `cash-receipt.issue` | `POST /v1/cash-receipts` `{amount, orderId, orderName, customerIdentityNumber, type, taxFreeAmount}` |
//! | `cash-receipt.cancel` | `POST /v1/cash-receipts/{receiptKey}/cancel` `{}` (no `amount`: "전액 취소") |
//! | `cash-receipt.get` | `GET /v1/cash-receipts?requestDate=YYYY-MM-DD&limit=10000`, the receipt found by `orderId` |
//!
//! Each answer is the `CashReceipt` object (`receiptKey`, `issueNumber`, `issueStatus`
//! `IN_PROGRESS` / `COMPLETED` / `FAILED`, `transactionType` `CONFIRM` / `CANCEL`,
//! `receiptUrl`, …); a failure is the `{code, message}` error object with a 4xx status ("실패했다면
//! HTTP 상태 코드와 함께 에러 객체가 돌아옵니다"), a decline. A 5xx or an answer of another shape
//! leaves the outcome unknown. Issue and cancel carry an `Idempotency-Key` derived from the
//! body ([`crate::rules::idempotency_key`]): sent again after a lost answer, Toss answers the
//! first answer instead of issuing twice.

use chrono::{DateTime, FixedOffset};
use paymux_core::adapter::{
    kst, CashReceiptCancelled, CashReceiptIssued, CashReceiptOutcome, CashReceiptRequest,
    CashReceiptType, IssueCashReceiptCall, WireRequest, WireResponse, WireView,
};
use paymux_core::error::PgError;
use paymux_core::money::Money;
use paymux_core::outcome::{DeclineKind, Declined};
use paymux_core::secret::Secret;
use paymux_core::validation::ValidationErrors;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::channel::TossChannel;
use crate::decode::parse_time;
use crate::frame::{self, ErrorBody};
use crate::protocol::{path, DECLINE_RULES};
use crate::rules::{self, idempotency_key};

/// `POST /v1/cash-receipts` (현금영수증 발급 요청).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CashReceiptIssueRequest {
    /// 현금영수증을 발급할 금액.
    pub amount: i64,
    /// 주문 ID: 6–64 characters of `[A-Za-z0-9-_.]`.
    pub order_id: String,
    /// 주문명 (≤ 100 characters).
    pub order_name: String,
    /// 소비자 인증수단: phone, resident, business or cash-receipt card number (digits, ≤ 30).
    pub customer_identity_number: Secret<String>,
    /// `소득공제` or `지출증빙`.
    pub r#type: &'static str,
    /// 면세 금액 (default 0).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tax_free_amount: Option<i64>,
}

/// `POST /v1/cash-receipts/{receiptKey}/cancel`: `amount` left out, "전액 취소".
#[derive(Debug, Clone, Serialize)]
pub struct CashReceiptCancelRequest {}

/// The `CashReceipt` object (the fields paymux reads).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CashReceipt {
    /// 현금영수증의 키.
    pub receipt_key: Option<String>,
    /// 현금영수증 발급 번호.
    pub issue_number: Option<String>,
    /// `IN_PROGRESS`, `COMPLETED`, `FAILED`.
    pub issue_status: Option<String>,
    /// 처리된 금액.
    pub amount: Option<i64>,
    /// 주문 ID.
    pub order_id: Option<String>,
    /// `CONFIRM` (발급) or `CANCEL` (취소).
    pub transaction_type: Option<String>,
    /// 실패 객체.
    pub failure: Option<crate::frame::Failure>,
    /// 요청 시각.
    pub requested_at: Option<String>,
    /// 현금영수증 주소.
    pub receipt_url: Option<String>,
}

/// `GET /v1/cash-receipts` answer.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CashReceiptList {
    /// More after this page.
    #[serde(default)]
    pub has_next: bool,
    /// The receipts.
    #[serde(default)]
    pub data: Vec<CashReceipt>,
}

/// `issueStatus` values.
pub mod issue_status {
    /// 발급 진행 중 (the NTS approval comes in 1–2 days).
    pub const IN_PROGRESS: &str = "IN_PROGRESS";
    /// 발급 완료.
    pub const COMPLETED: &str = "COMPLETED";
    /// 발급 실패.
    pub const FAILED: &str = "FAILED";
}

/// `transactionType` values.
pub mod transaction_type {
    /// 발급.
    pub const CONFIRM: &str = "CONFIRM";
    /// 취소.
    pub const CANCEL: &str = "CANCEL";
}

/// Longest `customerIdentityNumber` (the reference's `maxLength: 30`).
pub const MAX_IDENTITY_DIGITS: usize = 30;

/// Toss's rules for an issue.
pub fn check_issue(c: &IssueCashReceiptCall) -> Result<(), PgError> {
    let mut e = ValidationErrors::default();
    if c.currency.code() != "KRW" {
        e.add("currency", "Toss Payments issues cash receipts in KRW only");
    }
    rules::order_id("paymentId", &c.payment_id, &mut e);
    rules::within_limit("orderName", &c.order_name, &mut e);
    if c.identity_number.expose().len() > MAX_IDENTITY_DIGITS {
        e.add(
            "customer.identityNumber",
            format!("Toss Payments takes at most {MAX_IDENTITY_DIGITS} digits"),
        );
    }
    if e.is_empty() {
        Ok(())
    } else {
        Err(PgError::Validation(e))
    }
}

/// The KST day a receipt was requested on: what `GET /v1/cash-receipts` is asked for.
pub fn request_date(at: &DateTime<FixedOffset>) -> String {
    at.with_timezone(&kst()).format("%Y-%m-%d").to_string()
}

/// Encode a receipt operation.
pub fn encode(
    ch: &TossChannel,
    now: &DateTime<FixedOffset>,
    req: &CashReceiptRequest,
) -> Result<WireRequest, PgError> {
    match req {
        CashReceiptRequest::Issue(c) => {
            check_issue(c)?;
            let msg = CashReceiptIssueRequest {
                amount: c.amount.total.get(),
                order_id: c.payment_id.clone(),
                order_name: c.order_name.clone(),
                customer_identity_number: c.identity_number.clone(),
                r#type: match c.receipt_type {
                    CashReceiptType::Personal => "소득공제",
                    CashReceiptType::Corporate => "지출증빙",
                },
                tax_free_amount: (c.amount.tax_free != Money::ZERO)
                    .then(|| c.amount.tax_free.get()),
            };
            Ok(frame::json_call(
                "POST",
                ch.url(path::CASH_RECEIPTS),
                ch.auth(),
                path::CASH_RECEIPTS.into(),
                Some(&|b: &[u8]| {
                    idempotency_key("cash-receipt", &c.payment_id, 1, &ch.secret_key, b)
                }),
                msg,
            ))
        }
        CashReceiptRequest::Cancel(c) => {
            let key = receipt_key(c.prior.pg_receipt_id.as_deref())?;
            let p = format!("{}/{key}{}", path::CASH_RECEIPTS, path::CANCEL_SUFFIX);
            Ok(frame::json_call(
                "POST",
                ch.url(&p),
                ch.auth(),
                p.clone(),
                Some(&|b: &[u8]| {
                    idempotency_key("cash-receipt-cancel", &c.payment_id, 1, &ch.secret_key, b)
                }),
                CashReceiptCancelRequest {},
            ))
        }
        CashReceiptRequest::Get(c) => {
            let day = request_date(c.prior.requested_at.as_ref().unwrap_or(now));
            let p = format!("{}?requestDate={day}&limit=10000", path::CASH_RECEIPTS);
            let shown = p.clone();
            Ok(frame::http_call(
                "GET",
                ch.url(&p),
                ch.auth(),
                None,
                Vec::new(),
                WireView::lazy(move || json!({ "request": format!("GET {shown}") })),
            ))
        }
    }
}

fn receipt_key(stored: Option<&str>) -> Result<&str, PgError> {
    stored
        .map(str::trim)
        .filter(|k| !k.is_empty() && k.bytes().all(|b| b.is_ascii_graphic() && b != b'/'))
        .ok_or_else(|| {
            let mut e = ValidationErrors::default();
            e.add(
                "prior.pgReceiptId",
                "is required: Toss names a receipt by the receiptKey its issue answered",
            );
            PgError::Validation(e)
        })
}

fn malformed(detail: impl Into<String>) -> PgError {
    PgError::MalformedResponse {
        detail: detail.into(),
    }
}

fn parse<T: serde::de::DeserializeOwned>(body: &[u8], what: &str) -> Result<T, PgError> {
    serde_json::from_slice(body).map_err(|_| malformed(format!("the answer is not {what}")))
}

/// An issued (or failed) receipt object.
fn issued(r: &CashReceipt) -> Result<CashReceiptOutcome, PgError> {
    if r.issue_status.as_deref() == Some(issue_status::FAILED) {
        let f = r.failure.clone().unwrap_or_default();
        return Ok(CashReceiptOutcome::Declined(Declined::new(
            f.code.unwrap_or_else(|| issue_status::FAILED.into()),
            f.message.unwrap_or_default(),
            DeclineKind::Other,
        )));
    }
    let key = r
        .receipt_key
        .clone()
        .filter(|k| !k.is_empty())
        .ok_or_else(|| malformed("the CashReceipt object has no receiptKey"))?;
    Ok(CashReceiptOutcome::Issued(CashReceiptIssued {
        pg_receipt_id: key,
        issue_number: r.issue_number.clone().filter(|n| !n.is_empty()),
        url: r.receipt_url.clone().filter(|u| !u.is_empty()),
        issued_at: r.requested_at.as_deref().and_then(parse_time),
        amount: r.amount.and_then(|a| Money::new(a).ok()),
        pg_code: r.issue_status.clone().unwrap_or_default(),
        pg_message: String::new(),
    }))
}

fn cancelled(r: &CashReceipt) -> CashReceiptOutcome {
    CashReceiptOutcome::Cancelled(CashReceiptCancelled {
        cancelled_amount: r.amount.and_then(|a| Money::new(a).ok()),
        cancelled_at: r.requested_at.as_deref().and_then(parse_time),
        pg_code: r.issue_status.clone().unwrap_or_default(),
        pg_message: String::new(),
    })
}

/// Decode the answer to a receipt operation.
pub fn decode(
    req: &CashReceiptRequest,
    resp: &WireResponse,
) -> Result<CashReceiptOutcome, PgError> {
    let http = resp.status.ok_or_else(|| malformed("no HTTP status"))?;
    if !(200..300).contains(&http) {
        let err: ErrorBody = parse(&resp.body, "Toss's {code, message} error object")?;
        if http >= 500 {
            return Err(malformed(format!(
                "HTTP {http} error {}: Toss does not say whether it acted",
                err.code
            )));
        }
        let kind = DECLINE_RULES
            .iter()
            .find(|r| r.code == err.code)
            .map_or(DeclineKind::Other, |r| r.kind);
        return Ok(CashReceiptOutcome::Declined(Declined::new(
            err.code,
            err.message,
            kind,
        )));
    }
    match req {
        CashReceiptRequest::Issue(c) => {
            let r: CashReceipt = parse(&resp.body, "a CashReceipt object")?;
            if r.order_id.as_deref().is_some_and(|o| o != c.payment_id) {
                return Err(malformed("the receipt answered is for another orderId"));
            }
            issued(&r)
        }
        CashReceiptRequest::Cancel(_) => {
            let r: CashReceipt = parse(&resp.body, "a CashReceipt object")?;
            Ok(cancelled(&r))
        }
        CashReceiptRequest::Get(c) => {
            let list: CashReceiptList = parse(&resp.body, "a cash-receipt list")?;
            let mine = |t: &str| {
                list.data.iter().rev().find(|r| {
                    r.order_id.as_deref() == Some(c.payment_id.as_str())
                        && r.transaction_type.as_deref() == Some(t)
                })
            };
            if let Some(r) = mine(transaction_type::CANCEL) {
                return Ok(cancelled(r));
            }
            match mine(transaction_type::CONFIRM) {
                Some(r) => issued(r),
                None if list.has_next => Err(malformed(
                    "the receipt is not in the day's first 10,000 receipts; Toss has more",
                )),
                None => Ok(CashReceiptOutcome::NotFound {
                    pg_code: "NOT_FOUND".into(),
                    pg_message: "no receipt of this orderId was requested that day".into(),
                }),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use paymux_core::adapter::{GetCashReceiptCall, PriorCashReceipt};

    fn get() -> CashReceiptRequest {
        CashReceiptRequest::Get(GetCashReceiptCall {
            payment_id: "order-1".into(),
            prior: PriorCashReceipt::default(),
        })
    }

    fn resp(status: u16, v: serde_json::Value) -> WireResponse {
        WireResponse {
            status: Some(status),
            headers: Vec::new(),
            body: serde_json::to_vec(&v).unwrap(),
        }
    }

    fn receipt(order: &str, transaction: &str) -> serde_json::Value {
        json!({"receiptKey": "rk-1", "issueNumber": "123456789", "issueStatus": "COMPLETED",
               "amount": 1000, "orderId": order, "transactionType": transaction,
               "requestedAt": "2025-03-01T10:15:00+09:00", "receiptUrl": "https://r/1"})
    }

    #[test]
    fn the_inquiry_finds_the_orders_receipt_among_the_days() {
        let list = |data: Vec<serde_json::Value>, more: bool| {
            resp(
                200,
                json!({"hasNext": more, "lastCursor": null, "data": data}),
            )
        };
        let o = decode(
            &get(),
            &list(
                vec![receipt("other", "CONFIRM"), receipt("order-1", "CONFIRM")],
                false,
            ),
        )
        .unwrap();
        assert!(
            matches!(o, CashReceiptOutcome::Issued(ref i) if i.pg_receipt_id == "rk-1"),
            "{o:?}"
        );
        let o = decode(
            &get(),
            &list(
                vec![receipt("order-1", "CONFIRM"), receipt("order-1", "CANCEL")],
                false,
            ),
        )
        .unwrap();
        assert!(matches!(o, CashReceiptOutcome::Cancelled(_)), "{o:?}");
        let o = decode(&get(), &list(vec![receipt("other", "CONFIRM")], false)).unwrap();
        assert!(matches!(o, CashReceiptOutcome::NotFound { .. }), "{o:?}");
        // Not among the first page of a longer list: unusable, never "not found".
        let e = decode(&get(), &list(vec![], true)).unwrap_err();
        assert!(matches!(e, PgError::MalformedResponse { .. }), "{e:?}");
    }

    #[test]
    fn errors_decline_on_4xx_and_stay_unknown_on_5xx_or_garbage() {
        let o = decode(
            &get(),
            &resp(400, json!({"code": "INVALID_REQUEST", "message": "x"})),
        )
        .unwrap();
        assert!(
            matches!(o, CashReceiptOutcome::Declined(ref d) if d.pg_code == "INVALID_REQUEST"),
            "{o:?}"
        );
        for r in [
            resp(
                500,
                json!({"code": "FAILED_INTERNAL_SYSTEM_PROCESSING", "message": "x"}),
            ),
            resp(400, json!("not an error object")),
            resp(200, json!(["garbage"])),
        ] {
            let e = decode(&get(), &r).unwrap_err();
            assert!(matches!(e, PgError::MalformedResponse { .. }), "{e:?}");
        }
        let mut failed = receipt("order-1", "CONFIRM");
        failed["issueStatus"] = json!("FAILED");
        failed["failure"] = json!({"code": "REJECTED", "message": "no"});
        let o = decode(
            &get(),
            &resp(200, json!({"hasNext": false, "data": [failed]})),
        )
        .unwrap();
        assert!(
            matches!(o, CashReceiptOutcome::Declined(ref d) if d.pg_code == "REJECTED"),
            "{o:?}"
        );
    }
}
