//! Standalone cash receipts (현금영수증): `POST /v1/receipt`, `POST /v1/receipt/{tid}/cancel`,
//! `GET /v1/receipt/{tid}` — `api/payment-receipt.md` of `nicepayments/nicepay-manual`.
//!
//! What the manual leaves open is marked **reconstructed** here and listed in
//! [`crate::reconstructed`]: the `ediDate` of an issue (its `signData` formula names it, its
//! table does not), and the inquiry's answer (the page repeats the cancel answer's table).
//!
//! The identity number (`receiptNo`: a phone or business registration number) is personal
//! data: views show it masked ([`crate::protocol::masking`]).

use paymux_core::adapter::{
    CancelCashReceiptCall, CashReceiptCancelled, CashReceiptIssued, CashReceiptOutcome,
    CashReceiptRequest, CashReceiptType, EncodeContext, GetCashReceiptCall, IssueCashReceiptCall,
    WireRequest, WireResponse, WireView,
};
use paymux_core::error::PgError;
use paymux_core::outcome::{classify, DeclineKind, DeclineRule, Declined};
use paymux_core::validation::ValidationErrors;
use serde_json::{json, Value};

use crate::channel::NiceChannel;
use crate::decode::{money, parse_time};
use crate::frame::{
    api_call, digits, edi_date, post, segment, sign, signature_matches, Answer, Params,
};
use crate::protocol::{fixed, path};

/// `receiptType` (`individual` 소득공제, `company` 지출증빙).
pub mod receipt_type {
    /// 개인 소득공제용.
    pub const INDIVIDUAL: &str = "individual";
    /// 사업자 지출증빙용.
    pub const COMPANY: &str = "company";
}

/// Codes of the receipt calls (`common/code.md`): `0000` and `7001` succeed.
pub mod code {
    /// 현금영수증 처리 성공.
    pub const RECEIPT_OK: &str = "7001";
    /// 취소 완료 거래 (cancelling a cancelled receipt).
    pub const ALREADY_CANCELLED: &str = "2013";
}

/// How NICE's receipt refusals map to decline kinds (`common/code.md` 70xx).
pub const RECEIPT_DECLINES: &[DeclineRule] = &[
    rule("7002", DeclineKind::InvalidRequest),
    rule("7003", DeclineKind::InvalidRequest),
    rule("7005", DeclineKind::InvalidRequest),
    rule("7012", DeclineKind::InvalidRequest),
    rule("7013", DeclineKind::InvalidRequest),
    rule("7041", DeclineKind::InvalidRequest),
    rule("7042", DeclineKind::LimitExceeded),
    rule("7010", DeclineKind::PgMaintenance),
    rule("U312", DeclineKind::ConfigError),
    rule("U304", DeclineKind::ConfigError),
];

const fn rule(code: &'static str, kind: DeclineKind) -> DeclineRule {
    DeclineRule { code, kind }
}

fn success(code: &str) -> bool {
    code == crate::protocol::code::OK || code == code::RECEIPT_OK
}

/// `POST /v1/receipt` (현금영수증 발급), in the table's order.
#[derive(Debug, Clone)]
pub struct ReceiptRequest {
    /// 상점 거래 고유번호 (64): the paymentId.
    pub order_id: String,
    /// 발행금액.
    pub amount: i64,
    /// 상품명 (40).
    pub goods_name: String,
    /// [`receipt_type`].
    pub receipt_type: &'static str,
    /// 발행대상 식별정보: phone (individual) or business number (company), digits.
    pub receipt_no: paymux_core::secret::Secret<String>,
    /// 공급가액.
    pub supply_amt: i64,
    /// 부가가치세.
    pub goods_vat: i64,
    /// 면세공급가액.
    pub tax_free_amt: i64,
    /// 봉사료: PortOne's amounts have none, so `0`.
    pub service_amt: i64,
    /// 구매자 이름 (30).
    pub buyer_name: Option<String>,
    /// 구매자 전화번호, digits (40).
    pub buyer_tel: Option<paymux_core::secret::Secret<String>>,
    /// 구매자 이메일 (60).
    pub buyer_email: Option<String>,
    /// ISO 8601. **Reconstructed**: `signData` hashes it; the table does not list it.
    pub edi_date: String,
    /// `hex(sha256(orderId + amount + ediDate + SecretKey))`.
    pub sign_data: String,
    /// `utf-8`.
    pub return_charset: &'static str,
}

impl Params for ReceiptRequest {
    fn pairs(&self) -> Vec<(&'static str, Value)> {
        let mut v = vec![
            ("orderId", json!(self.order_id)),
            ("amount", json!(self.amount)),
            ("goodsName", json!(self.goods_name)),
            ("receiptType", json!(self.receipt_type)),
            ("receiptNo", json!(self.receipt_no.expose())),
            ("supplyAmt", json!(self.supply_amt)),
            ("goodsVat", json!(self.goods_vat)),
            ("taxFreeAmt", json!(self.tax_free_amt)),
            ("serviceAmt", json!(self.service_amt)),
        ];
        if let Some(n) = self.buyer_name.as_deref().filter(|s| !s.is_empty()) {
            v.push(("buyerName", json!(n)));
        }
        if let Some(t) = &self.buyer_tel {
            v.push(("buyerTel", json!(t.expose())));
        }
        if let Some(e) = self.buyer_email.as_deref().filter(|s| !s.is_empty()) {
            v.push(("buyerEmail", json!(e)));
        }
        v.extend([
            ("ediDate", json!(self.edi_date)),
            ("signData", json!(self.sign_data)),
            ("returnCharSet", json!(self.return_charset)),
        ]);
        v
    }
}

/// `POST /v1/receipt/{tid}/cancel` (현금영수증 취소): the whole receipt (no `cancelAmt`).
#[derive(Debug, Clone)]
pub struct ReceiptCancelRequest {
    /// 상점 거래 고유번호: the receipt's orderId (the paymentId).
    pub order_id: String,
    /// 취소사유 (100).
    pub reason: String,
    /// ISO 8601.
    pub edi_date: String,
    /// `hex(sha256(tid + ediDate + SecretKey))`.
    pub sign_data: String,
    /// `utf-8`.
    pub return_charset: &'static str,
}

impl Params for ReceiptCancelRequest {
    fn pairs(&self) -> Vec<(&'static str, Value)> {
        vec![
            ("orderId", json!(self.order_id)),
            ("reason", json!(self.reason)),
            ("ediDate", json!(self.edi_date)),
            ("signData", json!(self.sign_data)),
            ("returnCharSet", json!(self.return_charset)),
        ]
    }
}

fn invalid(errs: ValidationErrors) -> Result<(), PgError> {
    if errs.is_empty() {
        Ok(())
    } else {
        Err(PgError::Validation(errs))
    }
}

fn utf8_limit(path: &str, value: &str, max: usize, errs: &mut ValidationErrors) {
    if value.len() > max {
        errs.add(
            path,
            format!("must be at most {max} bytes in UTF-8 (is {})", value.len()),
        );
    }
}

/// NICE's rules for an issue (the table's sizes; `receiptNo` by type).
pub fn check_issue(c: &IssueCashReceiptCall) -> Result<(), PgError> {
    let mut e = ValidationErrors::default();
    if c.currency.code() != "KRW" {
        e.add("currency", "NICE Pay issues cash receipts in KRW only");
    }
    utf8_limit("paymentId", &c.payment_id, 64, &mut e);
    utf8_limit("orderName", &c.order_name, 40, &mut e);
    if let Some(n) = &c.customer_name {
        utf8_limit("customer.name", n, 30, &mut e);
    }
    if let Some(m) = &c.customer_email {
        utf8_limit("customer.email", m, 60, &mut e);
    }
    let n = c.identity_number.expose().len();
    match c.receipt_type {
        CashReceiptType::Personal if !(10..=11).contains(&n) => e.add(
            "customer.identityNumber",
            "NICE Pay issues a PERSONAL receipt to a phone number: 10 or 11 digits",
        ),
        CashReceiptType::Corporate if n != 10 => e.add(
            "customer.identityNumber",
            "NICE Pay issues a CORPORATE receipt to a business registration number: 10 digits",
        ),
        _ => {}
    }
    invalid(e)
}

/// Encode a receipt operation.
pub fn encode(
    ctx: &EncodeContext<'_>,
    ch: &NiceChannel,
    req: &CashReceiptRequest,
) -> Result<WireRequest, PgError> {
    match req {
        CashReceiptRequest::Issue(c) => issue(ctx, ch, c),
        CashReceiptRequest::Cancel(c) => cancel(ctx, ch, c),
        CashReceiptRequest::Get(c) => inquiry(ch, c),
    }
}

fn issue(
    ctx: &EncodeContext<'_>,
    ch: &NiceChannel,
    c: &IssueCashReceiptCall,
) -> Result<WireRequest, PgError> {
    check_issue(c)?;
    let edi = edi_date(&ctx.now);
    let amount = c.amount.total.get();
    let msg = ReceiptRequest {
        sign_data: sign(
            &[&c.payment_id, &amount.to_string(), &edi],
            ch.secret_key.expose(),
        ),
        order_id: c.payment_id.clone(),
        amount,
        goods_name: c.order_name.clone(),
        receipt_type: match c.receipt_type {
            CashReceiptType::Personal => receipt_type::INDIVIDUAL,
            CashReceiptType::Corporate => receipt_type::COMPANY,
        },
        receipt_no: c.identity_number.clone(),
        supply_amt: c.amount.supply.get(),
        goods_vat: c.amount.vat.get(),
        tax_free_amt: c.amount.tax_free.get(),
        service_amt: 0,
        buyer_name: c.customer_name.clone(),
        buyer_tel: c
            .customer_phone
            .as_ref()
            .map(|p| paymux_core::secret::Secret::new(digits(p.expose())))
            .filter(|p| !p.expose().is_empty()),
        buyer_email: c.customer_email.clone(),
        edi_date: edi,
        return_charset: fixed::RETURN_CHARSET,
    };
    Ok(post(ch.url(path::RECEIPT), &ch.credentials, &msg))
}

fn tid_of(prior: &paymux_core::adapter::PriorCashReceipt) -> Result<String, PgError> {
    prior
        .pg_receipt_id
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_string)
        .ok_or_else(|| {
            let mut e = ValidationErrors::default();
            e.add(
                "prior.pgReceiptId",
                "is required: NICE Pay names a receipt by the tid its issue answered",
            );
            PgError::Validation(e)
        })
}

fn cancel(
    ctx: &EncodeContext<'_>,
    ch: &NiceChannel,
    c: &CancelCashReceiptCall,
) -> Result<WireRequest, PgError> {
    let tid = tid_of(&c.prior)?;
    let mut e = ValidationErrors::default();
    utf8_limit("reason", &c.reason, 100, &mut e);
    if c.reason.trim().is_empty() {
        e.add("reason", "must not be empty (NICE requires a reason)");
    }
    invalid(e)?;
    let edi = edi_date(&ctx.now);
    let msg = ReceiptCancelRequest {
        sign_data: sign(&[&tid, &edi], ch.secret_key.expose()),
        order_id: c.payment_id.clone(),
        reason: c.reason.clone(),
        edi_date: edi,
        return_charset: fixed::RETURN_CHARSET,
    };
    Ok(post(
        ch.url(&format!("{}/{}/cancel", path::RECEIPT, segment(&tid))),
        &ch.credentials,
        &msg,
    ))
}

/// `GET /v1/receipt/{tid}`: needs the tid, so an issue whose answer was lost cannot be looked
/// up (the manual has no inquiry by orderId).
fn inquiry(ch: &NiceChannel, c: &GetCashReceiptCall) -> Result<WireRequest, PgError> {
    let tid = tid_of(&c.prior).map_err(|_| PgError::Unsupported {
        adapter: crate::ADAPTER_ID,
        what: "cash-receipt.get without a tid: NICE Pay's manual has no receipt inquiry by orderId, so an issue whose answer was lost cannot be looked up"
            .into(),
    })?;
    let view = json!({ "GET": "/v1/receipt/{tid}", "tid": tid });
    Ok(api_call(
        "GET",
        ch.url(&format!("{}/{}", path::RECEIPT, segment(&tid))),
        &ch.credentials,
        Vec::new(),
        WireView::lazy(move || view.clone()),
    ))
}

fn malformed(detail: impl Into<String>) -> PgError {
    PgError::MalformedResponse {
        detail: detail.into(),
    }
}

/// A receipt answer's `signature` checks against `hex(sha256(tid + orderId + ediDate +
/// SecretKey))` (the receipt pages' formula, not the payment object's).
fn signed(answer: &Answer, secret_key: &str) -> Result<(), PgError> {
    let Some(got) = answer.get("signature") else {
        return Ok(());
    };
    let expected = sign(
        &[
            &answer.get("tid").unwrap_or_default(),
            &answer.get("orderId").unwrap_or_default(),
            &answer.get("ediDate").unwrap_or_default(),
        ],
        secret_key,
    );
    if signature_matches(&expected, &got) {
        Ok(())
    } else {
        Err(malformed(
            "the receipt answer's signature does not match hex(sha256(tid + orderId + ediDate + SecretKey))",
        ))
    }
}

fn declined(answer: &Answer, code: &str) -> CashReceiptOutcome {
    CashReceiptOutcome::Declined(Declined::new(
        code,
        answer.result_msg(),
        classify(RECEIPT_DECLINES, code),
    ))
}

/// An issued receipt from an issue (or inquiry) answer: `tid`, `approveNo` (only once the NTS
/// approved: "발급 성공시 리턴"), `approvedAt` (`0` until then).
fn issued(answer: &Answer, code: &str) -> Result<CashReceiptOutcome, PgError> {
    let tid = answer
        .get("tid")
        .ok_or_else(|| malformed("tid is missing from a receipt answer"))?;
    Ok(CashReceiptOutcome::Issued(CashReceiptIssued {
        pg_receipt_id: tid,
        issue_number: answer.get("approveNo"),
        url: answer.get("receiptUrl"),
        issued_at: answer.get("approvedAt").and_then(|t| parse_time(&t)),
        amount: money(answer, "amount")?,
        pg_code: code.to_string(),
        pg_message: answer.result_msg(),
    }))
}

fn cancelled(answer: &Answer, code: &str) -> Result<CashReceiptOutcome, PgError> {
    Ok(CashReceiptOutcome::Cancelled(CashReceiptCancelled {
        cancelled_amount: money(answer, "cancelAmt")?,
        cancelled_at: answer.get("cancelledAt").and_then(|t| parse_time(&t)),
        pg_code: code.to_string(),
        pg_message: answer.result_msg(),
    }))
}

/// Decode the answer to a receipt operation.
pub fn decode(
    ch: &NiceChannel,
    req: &CashReceiptRequest,
    resp: &WireResponse,
) -> Result<CashReceiptOutcome, PgError> {
    let answer = Answer::parse(&resp.body).map_err(|e| {
        malformed(match resp.status {
            Some(s) if !(200..300).contains(&s) => format!("HTTP {s}: {e}"),
            _ => e,
        })
    })?;
    let code = answer
        .result_code()
        .ok_or_else(|| malformed("resultCode is missing"))?;
    match req {
        CashReceiptRequest::Get(_) if crate::protocol::NOT_FOUND_CODES.contains(&code.as_str()) => {
            return Ok(CashReceiptOutcome::NotFound {
                pg_code: code.clone(),
                pg_message: answer.result_msg(),
            })
        }
        _ if !success(&code) => return Ok(declined(&answer, &code)),
        _ => {}
    }
    signed(&answer, ch.secret_key.expose())?;
    if let Some(o) = answer.get("orderId") {
        if o != req.payment_id() {
            return Err(malformed("the receipt answer is for another orderId"));
        }
    }
    match req {
        CashReceiptRequest::Issue(_) => issued(&answer, &code),
        CashReceiptRequest::Cancel(_) => cancelled(&answer, &code),
        // **Reconstructed**: the inquiry page repeats the cancel answer's table, so a receipt
        // whose `cancelledAt` is a time is cancelled, else issued.
        CashReceiptRequest::Get(_) => {
            if answer
                .get("cancelledAt")
                .and_then(|t| parse_time(&t))
                .is_some()
            {
                cancelled(&answer, &code)
            } else {
                issued(&answer, &code)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn receipt_codes_succeed_and_refusals_are_typed() {
        assert!(success("0000") && success("7001"));
        assert!(!success("7003"));
        assert_eq!(
            classify(RECEIPT_DECLINES, "7012"),
            DeclineKind::InvalidRequest
        );
    }
}

#[cfg(all(test, feature = "simulator"))]
mod decode_tests {
    use super::*;
    use paymux_core::adapter::{GetCashReceiptCall, PriorCashReceipt};

    const SECRET: &str = "9eb85607103646da9f9c02b128f2e5ee";

    fn ch() -> NiceChannel {
        let ctx = crate::simulator::NiceSimulator::default().sandbox_channel("n", "");
        NiceChannel::from_context(&ctx).unwrap()
    }

    fn get(order: &str) -> CashReceiptRequest {
        CashReceiptRequest::Get(GetCashReceiptCall {
            payment_id: order.into(),
            prior: PriorCashReceipt {
                pg_receipt_id: Some("T1".into()),
                ..PriorCashReceipt::default()
            },
        })
    }

    fn resp(v: serde_json::Value) -> WireResponse {
        WireResponse {
            status: Some(200),
            headers: Vec::new(),
            body: serde_json::to_vec(&v).unwrap(),
        }
    }

    fn signed(mut v: serde_json::Value) -> serde_json::Value {
        let s = sign(
            &[
                v["tid"].as_str().unwrap(),
                v["orderId"].as_str().unwrap(),
                v["ediDate"].as_str().unwrap(),
            ],
            SECRET,
        );
        v["signature"] = json!(s);
        v
    }

    use paymux_core::simulator::Simulator;

    #[test]
    fn inquiry_reads_issued_cancelled_and_not_found() {
        let base = json!({"resultCode": "0000", "resultMsg": "ok", "tid": "T1", "orderId": "o-1",
                          "ediDate": "2025-03-01T10:15:00.000+0900", "approveNo": "123456789",
                          "approvedAt": "2025-03-01T10:15:00.000+0900", "cancelledAt": "0"});
        let o = decode(&ch(), &get("o-1"), &resp(signed(base.clone()))).unwrap();
        assert!(
            matches!(o, CashReceiptOutcome::Issued(ref i) if i.issue_number.as_deref() == Some("123456789")),
            "{o:?}"
        );
        let mut c = base.clone();
        c["cancelledAt"] = json!("2025-03-02T10:00:00.000+0900");
        let o = decode(&ch(), &get("o-1"), &resp(signed(c))).unwrap();
        assert!(matches!(o, CashReceiptOutcome::Cancelled(_)), "{o:?}");
        let o = decode(
            &ch(),
            &get("o-1"),
            &resp(json!({"resultCode": "U107", "resultMsg": "없음"})),
        )
        .unwrap();
        assert!(matches!(o, CashReceiptOutcome::NotFound { .. }), "{o:?}");
    }

    #[test]
    fn forged_garbled_or_foreign_answers_are_malformed_never_a_receipt() {
        let base = json!({"resultCode": "0000", "resultMsg": "ok", "tid": "T1", "orderId": "o-1",
                          "ediDate": "2025-03-01T10:15:00.000+0900"});
        let mut forged = signed(base.clone());
        forged["signature"] = json!("00".repeat(32));
        for r in [
            resp(forged),
            resp(signed(
                json!({"resultCode": "0000", "tid": "T1", "orderId": "o-2", "ediDate": "x"}),
            )),
            resp(json!(["not", "an", "object"])),
            resp(json!({"resultMsg": "no code"})),
            WireResponse {
                status: Some(502),
                headers: Vec::new(),
                body: b"<html>".to_vec(),
            },
        ] {
            let e = decode(&ch(), &get("o-1"), &r).unwrap_err();
            assert!(matches!(e, PgError::MalformedResponse { .. }), "{e:?}");
        }
        let o = decode(
            &ch(),
            &get("o-1"),
            &resp(json!({"resultCode": "7012", "resultMsg": "Identity"})),
        )
        .unwrap();
        assert!(
            matches!(o, CashReceiptOutcome::Declined(ref d) if d.pg_code == "7012"),
            "{o:?}"
        );
    }
}
