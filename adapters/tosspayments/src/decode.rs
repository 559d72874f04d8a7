//! Toss Payments answer → unified outcome.
//!
//! - A 2xx answer is the Payment object (or, for a billing key, the billing object); its
//!   `status` decides: `DONE` approved, `WAITING_FOR_DEPOSIT` a virtual account issued,
//!   `CANCELED` / `PARTIAL_CANCELED` a cancel done; for an inquiry, the state.
//! - A 4xx `{code, message}` whose code is in [`DECLINE_RULES`] is a decline keeping the raw code
//!   and message. On a money-moving call, an error answer that is *not* a documented error —
//!   another shape, a code missing from the table, any 5xx (Toss's own 500s say "잠시 후 다시
//!   시도": the payment's fate is not stated) — is [`PgError::MalformedResponse`], which the
//!   executor turns into `Unknown`, to be resolved by `payment.get`. Never a guess.
//! - An inquiry answered 404 `NOT_FOUND_PAYMENT` is `Inquiry { state: NotFound }`.

use chrono::{DateTime, FixedOffset, NaiveDateTime, TimeZone};
use paymux_core::adapter::{kst, EncodeContext, PgRequest, WireRequest, WireResponse};
use paymux_core::error::PgError;
use paymux_core::money::Money;
use paymux_core::outcome::{
    Approved, ApprovedDetail, CardSummary, Declined, Outcome, TxReport, TxState,
    VirtualAccountIssued,
};

use crate::frame::{BillingAuth, ErrorBody, Payment};
use crate::protocol::{card_company, status, DECLINE_RULES};
use crate::rules::{resolve_cancel, window_return, StoredKey};

/// Decode the answer to `req`.
pub fn decode(
    _ctx: &EncodeContext<'_>,
    req: &PgRequest,
    _sent: &WireRequest,
    resp: &WireResponse,
) -> Result<Outcome, PgError> {
    if matches!(req, PgRequest::CheckoutPrepare(_)) {
        return Err(PgError::Unsupported {
            adapter: crate::ADAPTER_ID,
            what: "decoding checkout.prepare: the window answers the browser, not the server"
                .into(),
        });
    }
    let http = resp
        .status
        .ok_or_else(|| malformed("no HTTP status".to_string()))?;
    if !(200..300).contains(&http) {
        return error_answer(req, http, &resp.body);
    }
    match req {
        PgRequest::Instant(c) => {
            let p = payment(&resp.body)?;
            same_order(&p, &c.payment_id)?;
            same_amount(&p, c.body.amount.total)?;
            match p.status.as_deref() {
                Some(status::DONE) => approved_payment(&p),
                Some(status::WAITING_FOR_DEPOSIT) => virtual_account_issued(&p),
                other => not_final(&p, other),
            }
        }
        PgRequest::PayWithBillingKey(c) => {
            let p = payment(&resp.body)?;
            same_order(&p, &c.payment_id)?;
            same_amount(&p, c.body.amount.total)?;
            match p.status.as_deref() {
                Some(status::DONE) => approved_payment(&p),
                other => not_final(&p, other),
            }
        }
        PgRequest::CheckoutComplete(c) => {
            let p = payment(&resp.body)?;
            same_order(&p, &c.payment_id)?;
            let ret = window_return(c).map_err(PgError::Validation)?;
            if p.payment_key.as_deref() != Some(ret.payment_key.as_str()) {
                return Err(malformed(
                    "the confirm answer is for another paymentKey".into(),
                ));
            }
            if p.total_amount != Some(ret.amount) {
                return Err(malformed("the confirm answer has another amount".into()));
            }
            match p.status.as_deref() {
                Some(status::DONE) => approved_payment(&p),
                Some(status::WAITING_FOR_DEPOSIT) => virtual_account_issued(&p),
                other => not_final(&p, other),
            }
        }
        PgRequest::IssueBillingKey(c) => {
            let b: BillingAuth = serde_json::from_slice(&resp.body).map_err(|e| {
                malformed(format!(
                    "the billing answer is not JSON: {}",
                    e.classify_str()
                ))
            })?;
            let key = b
                .billing_key
                .clone()
                .filter(|k| !k.expose().is_empty())
                .ok_or_else(|| malformed("the billing answer has no billingKey".into()))?;
            let sent_customer = c.body.customer.as_ref().and_then(|c| c.id.clone());
            let customer_key = b
                .customer_key
                .clone()
                .ok_or_else(|| malformed("the billing answer has no customerKey".into()))?;
            if sent_customer.as_deref() != Some(customer_key.as_str()) {
                return Err(malformed(
                    "the billing answer is for another customerKey".into(),
                ));
            }
            let stored = StoredKey {
                customer_key,
                billing_key: key,
            }
            .to_stored();
            let card = b
                .card
                .as_ref()
                .map(|c| card_summary(c, b.card_number.as_deref()));
            Ok(Outcome::Approved(Approved {
                receipt_url: None,
                pg_tx_id: None,
                at: b.authenticated_at.as_deref().and_then(parse_time),
                amount: None,
                pg_code: "OK".into(),
                pg_message: b.method.unwrap_or_default(),
                detail: ApprovedDetail::BillingKeyIssued {
                    pg_billing_key: stored,
                    card,
                },
            }))
        }
        PgRequest::Cancel(c) => {
            let p = payment(&resp.body)?;
            same_order(&p, &c.payment_id)?;
            if let (Some(sent), Some(got)) = (c.prior.pg_tx_id.as_deref(), p.payment_key.as_deref())
            {
                if sent != got {
                    return Err(malformed(
                        "the cancel answer is for another paymentKey".into(),
                    ));
                }
            }
            let st = p.status.clone().unwrap_or_default();
            if st != status::CANCELED && st != status::PARTIAL_CANCELED {
                return Err(malformed(format!(
                    "the cancel answer's status is {st:?}, not CANCELED or PARTIAL_CANCELED"
                )));
            }
            let plan = resolve_cancel(c).map_err(PgError::Validation)?;
            let last = p.cancels.as_ref().and_then(|v| v.last());
            let cancelled = money(last.and_then(|l| l.cancel_amount))?.unwrap_or(plan.amount);
            Ok(Outcome::Approved(Approved {
                receipt_url: receipt_url(&p),
                pg_tx_id: p.payment_key.clone(),
                at: last
                    .and_then(|l| l.canceled_at.as_deref())
                    .and_then(parse_time),
                amount: Some(cancelled),
                pg_code: st,
                pg_message: last
                    .and_then(|l| l.transaction_key.clone())
                    .unwrap_or_default(),
                detail: ApprovedDetail::Cancelled {
                    cancelled,
                    remaining: money(p.balance_amount)?.or(Some(plan.remaining_after)),
                    sequence: p
                        .cancels
                        .as_ref()
                        .map(|v| u32::try_from(v.len()).unwrap_or(u32::MAX))
                        .or(Some(c.prior.cancel_count + 1)),
                },
            }))
        }
        PgRequest::Get(c) => {
            let p = payment(&resp.body)?;
            same_order(&p, &c.payment_id)?;
            let st = p.status.clone().unwrap_or_default();
            let state =
                tx_state(&st).ok_or_else(|| malformed(format!("unknown payment status {st:?}")))?;
            let report = TxReport {
                state,
                amount: money(p.total_amount)?,
                balance: money(p.balance_amount)?,
                pg_tx_id: p.payment_key.clone(),
            };
            Ok(inquiry(report, st, p.method.unwrap_or_default()))
        }
        PgRequest::DeleteBillingKey(_) => {
            Err(malformed("billing-key.delete is not a Toss call".into()))
        }
        PgRequest::CheckoutPrepare(_) => Err(malformed("checkout.prepare has no answer".into())),
        PgRequest::CloseVirtualAccount(c) => {
            let p = payment(&resp.body)?;
            same_order(&p, &c.payment_id)?;
            if c.prior.pg_tx_id.as_deref() != p.payment_key.as_deref() {
                return Err(malformed(
                    "the close answer is for another paymentKey".into(),
                ));
            }
            // Only `CANCELED` says the account is closed; anything else leaves it in doubt.
            let st = p.status.clone().unwrap_or_default();
            if st != status::CANCELED {
                return Err(malformed(format!(
                    "the close answer's status is {st:?}, not CANCELED"
                )));
            }
            let last = p.cancels.as_ref().and_then(|v| v.last());
            Ok(Outcome::Approved(Approved {
                receipt_url: None,
                pg_tx_id: p.payment_key.clone(),
                at: last
                    .and_then(|l| l.canceled_at.as_deref())
                    .and_then(parse_time),
                amount: None,
                pg_code: st,
                pg_message: last
                    .and_then(|l| l.transaction_key.clone())
                    .unwrap_or_default(),
                detail: ApprovedDetail::VirtualAccountClosed,
            }))
        }
    }
}

/// A Toss payment `status` as the state an inquiry reports.
pub fn tx_state(s: &str) -> Option<TxState> {
    Some(match s {
        status::DONE => TxState::Approved,
        status::PARTIAL_CANCELED => TxState::PartiallyCancelled,
        status::CANCELED => TxState::Cancelled,
        status::WAITING_FOR_DEPOSIT | status::READY | status::IN_PROGRESS => TxState::Pending,
        status::ABORTED | status::EXPIRED => TxState::Failed,
        _ => return None,
    })
}

fn inquiry(report: TxReport, code: String, message: String) -> Outcome {
    Outcome::Approved(Approved {
        receipt_url: None,
        pg_tx_id: report.pg_tx_id.clone(),
        at: None,
        amount: report.amount,
        pg_code: code,
        pg_message: message,
        detail: ApprovedDetail::Inquiry(report),
    })
}

/// A non-2xx answer: a documented error is a decline; anything else on a money-moving call is
/// an unknown outcome.
fn error_answer(req: &PgRequest, http: u16, body: &[u8]) -> Result<Outcome, PgError> {
    let moves_money = req.operation().moves_money();
    let err: Option<ErrorBody> = serde_json::from_slice(body).ok();
    let Some(err) = err else {
        return Err(malformed(format!(
            "HTTP {http} without Toss's {{code, message}} error body"
        )));
    };
    if let PgRequest::Get(_) = req {
        if http == 404 {
            return Ok(inquiry(
                TxReport {
                    state: TxState::NotFound,
                    amount: None,
                    balance: None,
                    pg_tx_id: None,
                },
                err.code,
                err.message,
            ));
        }
    }
    let documented = DECLINE_RULES.iter().find(|r| r.code == err.code);
    match documented {
        Some(rule) if http < 500 || !moves_money => Ok(Outcome::Declined(Declined::new(
            err.code,
            err.message,
            rule.kind,
        ))),
        None if !moves_money => Ok(Outcome::Declined(Declined::new(
            err.code,
            err.message,
            paymux_core::outcome::DeclineKind::Other,
        ))),
        _ => Err(malformed(format!(
            "HTTP {http} error {} is not a documented refusal: the outcome is not certain",
            err.code
        ))),
    }
}

fn payment(body: &[u8]) -> Result<Payment, PgError> {
    let p: Payment = serde_json::from_slice(body).map_err(|e| {
        malformed(format!(
            "the answer is not a Payment object: {}",
            e.classify_str()
        ))
    })?;
    if p.payment_key.as_deref().map_or(true, str::is_empty) {
        return Err(malformed("the Payment object has no paymentKey".into()));
    }
    Ok(p)
}

/// Toss's `receipt.url` (PortOne's `receiptUrl`).
fn receipt_url(p: &Payment) -> Option<String> {
    p.receipt.as_ref().and_then(|r| r.url.clone())
}

/// A card (or billing) payment Toss approved.
fn approved_payment(p: &Payment) -> Result<Outcome, PgError> {
    let card = p.card.as_ref().map(|c| card_summary(c, None));
    Ok(Outcome::Approved(Approved {
        receipt_url: receipt_url(p),
        pg_tx_id: p.payment_key.clone(),
        at: p.approved_at.as_deref().and_then(parse_time),
        amount: money(p.total_amount)?,
        pg_code: status::DONE.into(),
        pg_message: p.method.clone().unwrap_or_default(),
        detail: ApprovedDetail::Payment {
            approval_number: p.card.as_ref().and_then(|c| c.approve_no.clone()),
            installment_month: p.card.as_ref().and_then(|c| c.installment_plan_months),
            card,
            pg_billing_key: None,
        },
    }))
}

fn card_summary(c: &crate::frame::Card, number: Option<&str>) -> CardSummary {
    CardSummary {
        // Toss masks the number itself (`43301234****123*`); keep only masked forms.
        masked_number: c
            .number
            .as_deref()
            .or(number)
            .filter(|n| n.contains('*'))
            .map(str::to_string),
        issuer_name: c
            .issuer_code
            .as_deref()
            .and_then(card_company)
            .map(str::to_string),
        issuer_code: c.issuer_code.clone(),
        acquirer_code: c.acquirer_code.clone(),
    }
}

fn virtual_account_issued(p: &Payment) -> Result<Outcome, PgError> {
    let va = p
        .virtual_account
        .as_ref()
        .ok_or_else(|| malformed("WAITING_FOR_DEPOSIT without virtualAccount".into()))?;
    let number = va
        .account_number
        .clone()
        .filter(|n| !n.is_empty())
        .ok_or_else(|| malformed("virtualAccount has no accountNumber".into()))?;
    Ok(Outcome::VirtualAccountIssued(VirtualAccountIssued {
        pg_tx_id: p.payment_key.clone(),
        bank: va.bank_code.clone(),
        account_number: number,
        remittee_name: va.customer_name.clone(),
        expires_at: va.due_date.as_deref().and_then(parse_time),
        issued_at: p.requested_at.as_deref().and_then(parse_time),
        amount: money(p.total_amount)?,
        pg_code: status::WAITING_FOR_DEPOSIT.into(),
        pg_message: p.method.clone().unwrap_or_default(),
    }))
}

/// A 2xx Payment that is not final: a failure object is a decline by the table; anything
/// else (still `IN_PROGRESS`, an unknown status) leaves the outcome open.
fn not_final(p: &Payment, st: Option<&str>) -> Result<Outcome, PgError> {
    if let (Some(status::ABORTED), Some(f)) = (st, &p.failure) {
        if let Some(code) = f.code.clone() {
            if let Some(rule) = DECLINE_RULES.iter().find(|r| r.code == code) {
                return Ok(Outcome::Declined(Declined::new(
                    code,
                    f.message.clone().unwrap_or_default(),
                    rule.kind,
                )));
            }
        }
    }
    Err(malformed(format!(
        "the payment's status is {st:?}: not final, the outcome is not certain"
    )))
}

fn same_order(p: &Payment, order_id: &str) -> Result<(), PgError> {
    match p.order_id.as_deref() {
        Some(o) if o == order_id => Ok(()),
        Some(_) => Err(malformed("the answer is for another orderId".into())),
        None => Err(malformed("the Payment object has no orderId".into())),
    }
}

fn same_amount(p: &Payment, total: Money) -> Result<(), PgError> {
    match p.total_amount {
        Some(t) if t == total.get() => Ok(()),
        _ => Err(malformed(
            "the answer's totalAmount is not the amount sent".into(),
        )),
    }
}

fn money(v: Option<i64>) -> Result<Option<Money>, PgError> {
    v.map(|n| Money::new(n).map_err(|_| malformed("an amount is negative".into())))
        .transpose()
}

/// Toss's timestamps: ISO 8601 with an offset (`2024-01-01T10:00:00+09:00`), or without one
/// (webhooks' `createdAt`, `2022-05-12T00:00:00.000000`), read as KST.
pub fn parse_time(s: &str) -> Option<DateTime<FixedOffset>> {
    DateTime::parse_from_rfc3339(s).ok().or_else(|| {
        ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%dT%H:%M:%S"]
            .iter()
            .find_map(|f| NaiveDateTime::parse_from_str(s, f).ok())
            .and_then(|n| kst().from_local_datetime(&n).single())
    })
}

fn malformed(detail: String) -> PgError {
    PgError::MalformedResponse { detail }
}

trait Classify {
    fn classify_str(&self) -> &'static str;
}

impl Classify for serde_json::Error {
    /// The kind of JSON error, never its text (which can quote the body).
    fn classify_str(&self) -> &'static str {
        match self.classify() {
            serde_json::error::Category::Io => "I/O error",
            serde_json::error::Category::Syntax => "invalid JSON",
            serde_json::error::Category::Data => "unexpected JSON shape",
            serde_json::error::Category::Eof => "truncated JSON",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_with_and_without_offsets() {
        assert_eq!(
            parse_time("2024-01-01T10:00:00+09:00")
                .unwrap()
                .to_rfc3339(),
            "2024-01-01T10:00:00+09:00"
        );
        assert_eq!(
            parse_time("2022-05-12T00:00:00.000000")
                .unwrap()
                .to_rfc3339(),
            "2022-05-12T00:00:00+09:00"
        );
        assert!(parse_time("yesterday").is_none());
    }

    #[test]
    fn statuses_map_to_states() {
        assert_eq!(tx_state("DONE"), Some(TxState::Approved));
        assert_eq!(tx_state("WAITING_FOR_DEPOSIT"), Some(TxState::Pending));
        assert_eq!(tx_state("ABORTED"), Some(TxState::Failed));
        assert_eq!(tx_state("???"), None);
    }
}
