//! NICE answer → unified outcome, and NICE's webhooks → [`PgNotice`].
//!
//! Every payment answer (approval, billing-key charge, cancel, inquiry, webhook) is the same
//! "payment object" (`api/payment-window-server.md` 응답 명세): `resultCode`, `tid`,
//! `orderId`, `status`, `amount`, `balanceAmt`, `ediDate`, `signature`, and `card` / `vbank`
//! / `bank` objects. Success is read through [`protocol::SUCCESS_CODES`], failures through
//! [`protocol::DECLINE_RULES`]: one table each. An answer whose `signature` does not match
//! `hex(sha256(tid + amount + ediDate + SecretKey))`, that names another order or amount, or
//! that is not a JSON object with a `resultCode`, is [`PgError::MalformedResponse`] (the
//! executor makes it `Unknown` for money-moving operations, resolved by inquiry) — never a
//! panic.

use chrono::{DateTime, FixedOffset};
use paymux_core::adapter::{
    EncodeContext, IncomingNotice, Method, NoticeAck, NoticeEvent, NoticeTrust, PgNotice,
    PgRequest, WireRequest, WireResponse,
};
use paymux_core::channel::ChannelContext;
use paymux_core::error::PgError;
use paymux_core::money::Money;
use paymux_core::outcome::{
    classify, Approved, ApprovedDetail, CardSummary, Declined, Outcome, TxReport, TxState,
    VirtualAccountIssued,
};

use crate::channel::NiceChannel;
use crate::frame::Answer;
use crate::protocol::{self, method, status, Answered, DECLINE_RULES, NOT_FOUND_CODES};

/// Decode the answer to `req`.
pub fn decode(
    ctx: &EncodeContext<'_>,
    req: &PgRequest,
    _sent: &WireRequest,
    resp: &WireResponse,
) -> Result<Outcome, PgError> {
    match req {
        PgRequest::CheckoutPrepare(_) => {
            return Err(PgError::Unsupported {
                adapter: crate::ADAPTER_ID,
                what: "decoding checkout.prepare: the window answers the browser, not the server"
                    .into(),
            })
        }
        PgRequest::Instant(c) => {
            return Err(crate::rules::unsupported_instant(
                c.body.method.card().is_some(),
            ))
        }
        _ => {}
    }
    let ch = NiceChannel::from_context(ctx.channel)?;
    let answer = Answer::parse(&resp.body).map_err(|e| {
        malformed(match resp.status {
            Some(s) if !(200..300).contains(&s) => format!("HTTP {s}: {e}"),
            _ => e,
        })
    })?;
    let code = answer
        .result_code()
        .ok_or_else(|| malformed("resultCode is missing"))?;
    let secret = ch.secret_key.expose();
    match req {
        PgRequest::IssueBillingKey(_) => {
            if !protocol::success(Answered::BillingKeyIssue, &code) {
                return Ok(declined(&answer, &code));
            }
            billing_key_issued(&ch, &answer, &code)
        }
        PgRequest::PayWithBillingKey(c) => {
            if !protocol::success(Answered::Payment, &code) {
                return Ok(declined(&answer, &code));
            }
            let expected = c.body.amount.total;
            checked(&answer, secret, &c.payment_id, Some(expected))?;
            approved_payment(&answer, &code)
        }
        PgRequest::CheckoutComplete(c) => {
            let vbank = answer.get("payMethod").as_deref() == Some(method::VBANK)
                || answer.get("status").as_deref() == Some(status::READY);
            let family = if vbank {
                Answered::VirtualAccount
            } else {
                Answered::Payment
            };
            if !protocol::success(family, &code) {
                return Ok(declined(&answer, &code));
            }
            let expected = c.prior.amount.map(|a| a.total);
            checked(&answer, secret, &c.payment_id, expected)?;
            if vbank {
                return virtual_account_issued(&answer, &code);
            }
            approved_payment(&answer, &code)
        }
        PgRequest::Cancel(c) => {
            if !protocol::success(Answered::Cancel, &code) {
                return Ok(declined(&answer, &code));
            }
            if answer.signature_ok(secret) == Some(false) {
                return Err(bad_signature());
            }
            if let (Some(sent), Some(got)) = (c.prior.pg_tx_id.as_deref(), answer.get("tid")) {
                if sent.trim() != got {
                    return Err(malformed("the cancel answer is for another tid"));
                }
            }
            let plan = crate::rules::resolve_cancel(c).map_err(PgError::Validation)?;
            let remaining = money(&answer, "balanceAmt")?.or(Some(plan.remaining_after));
            Ok(Outcome::Approved(Approved {
                receipt_url: answer.get("receiptUrl"),
                pg_tx_id: answer.get("tid").or_else(|| c.prior.pg_tx_id.clone()),
                at: answer.get("cancelledAt").and_then(|t| parse_time(&t)),
                amount: Some(plan.amount),
                pg_code: code,
                pg_message: answer.result_msg(),
                detail: ApprovedDetail::Cancelled {
                    cancelled: plan.amount,
                    remaining,
                    sequence: Some(c.prior.cancel_count + 1),
                },
            }))
        }
        PgRequest::Get(c) => {
            if NOT_FOUND_CODES.contains(&code.as_str()) {
                return Ok(inquiry(&answer, &code, not_found_report()));
            }
            if !protocol::success(Answered::Inquiry, &code) {
                return Ok(declined(&answer, &code));
            }
            if answer.signature_ok(secret) == Some(false) {
                return Err(bad_signature());
            }
            if c.prior.pg_tx_id.is_none() {
                same_order(&answer, &c.payment_id)?;
            }
            let report = report(&answer)?;
            Ok(inquiry(&answer, &code, report))
        }
        PgRequest::DeleteBillingKey(_) => {
            if !protocol::success(Answered::BillingKeyDelete, &code) {
                return Ok(declined(&answer, &code));
            }
            Ok(Outcome::Approved(Approved {
                receipt_url: None,
                pg_tx_id: answer.get("tid"),
                at: answer.get("authDate").and_then(|t| parse_time(&t)),
                amount: None,
                pg_code: code,
                pg_message: answer.result_msg(),
                detail: ApprovedDetail::BillingKeyDeleted,
            }))
        }
        PgRequest::CloseVirtualAccount(c) => {
            if !protocol::success(Answered::Cancel, &code) {
                return Ok(declined(&answer, &code));
            }
            if answer.signature_ok(secret) == Some(false) {
                return Err(bad_signature());
            }
            if c.prior.pg_tx_id.as_deref().map(str::trim) != answer.get("tid").as_deref() {
                return Err(malformed("the close answer is for another tid"));
            }
            // Only `cancelled` says the account is closed; anything else leaves it in doubt.
            let status = answer.get("status").unwrap_or_default();
            if status != "cancelled" {
                return Err(malformed(
                    "the close answer's status is not cancelled: the account may still be open",
                ));
            }
            Ok(Outcome::Approved(Approved {
                receipt_url: None,
                pg_tx_id: answer.get("tid"),
                at: answer.get("cancelledAt").and_then(|t| parse_time(&t)),
                amount: None,
                pg_code: code,
                pg_message: answer.result_msg(),
                detail: ApprovedDetail::VirtualAccountClosed,
            }))
        }
        PgRequest::CheckoutPrepare(_) | PgRequest::Instant(_) => {
            Err(malformed("this operation has no answer"))
        }
    }
}

fn malformed(detail: impl Into<String>) -> PgError {
    PgError::MalformedResponse {
        detail: detail.into(),
    }
}

fn bad_signature() -> PgError {
    malformed(
        "the answer's signature does not match hex(sha256(tid + amount + ediDate + SecretKey))",
    )
}

/// A decline keeping the raw code and message, mapped through [`DECLINE_RULES`].
fn declined(answer: &Answer, code: &str) -> Outcome {
    Outcome::Declined(Declined::new(
        code,
        answer.result_msg(),
        classify(DECLINE_RULES, code),
    ))
}

/// A payment answer must be signed right (when signed), for our order and amount.
fn checked(
    answer: &Answer,
    secret: &str,
    order_id: &str,
    amount: Option<Money>,
) -> Result<(), PgError> {
    if answer.signature_ok(secret) == Some(false) {
        return Err(bad_signature());
    }
    same_order(answer, order_id)?;
    if let (Some(expected), Some(got)) = (amount, money(answer, "amount")?) {
        if expected != got {
            return Err(malformed("the answer's amount is not the amount requested"));
        }
    }
    if answer.get("tid").is_none() {
        return Err(malformed("tid is missing from a payment answer"));
    }
    Ok(())
}

fn same_order(answer: &Answer, order_id: &str) -> Result<(), PgError> {
    match answer.get("orderId") {
        Some(o) if o != order_id => Err(malformed("the answer is for another orderId")),
        _ => Ok(()),
    }
}

/// A money field, if present; a non-amount is a malformed answer.
pub fn money(answer: &Answer, field: &str) -> Result<Option<Money>, PgError> {
    let Some(v) = answer.get(field) else {
        return Ok(None);
    };
    v.parse::<i64>()
        .ok()
        .and_then(|n| Money::new(n).ok())
        .map(Some)
        .ok_or_else(|| malformed(format!("{field} is not an amount")))
}

/// An ISO 8601 time as NICE writes it (`2021-11-05T17:14:35.000+0900`, also with `+09:00`);
/// `"0"` ("…이 아닐 경우 0") and anything unreadable is `None`.
pub fn parse_time(s: &str) -> Option<DateTime<FixedOffset>> {
    let s = s.trim();
    if s == "0" {
        return None;
    }
    DateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f%z")
        .or_else(|_| DateTime::parse_from_rfc3339(s))
        .ok()
}

/// The card of a payment answer; the issuer named by its PortOne `CardCompany` when the code
/// is in [`protocol::CARD_COMPANIES`], else by NICE's `cardName`.
fn card(answer: &Answer) -> Option<CardSummary> {
    let code = answer.get_in("card", "cardCode");
    let number = answer.get_in("card", "cardNum");
    if code.is_none() && number.is_none() {
        return None;
    }
    Some(CardSummary {
        masked_number: number.map(|n| mask_number(&n)),
        issuer_name: code
            .as_deref()
            .and_then(protocol::card_company)
            .map(str::to_string)
            .or_else(|| answer.get_in("card", "cardName")),
        issuer_code: code,
        acquirer_code: answer.get_in("card", "acquCardCode"),
    })
}

/// A card number as shown: NICE's masked form, or masked here should it come whole.
pub fn mask_number(n: &str) -> String {
    if n.contains('*') {
        n.to_string()
    } else {
        paymux_core::secret::mask_card_number(n)
    }
}

/// An approved payment (window approval or billing-key charge).
pub fn approved_payment(answer: &Answer, code: &str) -> Result<Outcome, PgError> {
    Ok(Outcome::Approved(Approved {
        receipt_url: answer.get("receiptUrl"),
        pg_tx_id: answer.get("tid"),
        at: answer.get("paidAt").and_then(|t| parse_time(&t)),
        amount: money(answer, "amount")?,
        pg_code: code.to_string(),
        pg_message: answer.result_msg(),
        detail: ApprovedDetail::Payment {
            approval_number: answer.get("approveNo"),
            card: card(answer),
            installment_month: answer
                .get_in("card", "cardQuota")
                .and_then(|q| q.parse().ok()),
            pg_billing_key: None,
        },
    }))
}

/// A virtual account issued through the window: the `vbank` object.
pub fn virtual_account_issued(answer: &Answer, code: &str) -> Result<Outcome, PgError> {
    let account_number = answer
        .get_in("vbank", "vbankNumber")
        .ok_or_else(|| malformed("vbank.vbankNumber is missing from a virtual-account answer"))?;
    Ok(Outcome::VirtualAccountIssued(VirtualAccountIssued {
        pg_tx_id: answer.get("tid"),
        bank: answer.get_in("vbank", "vbankCode"),
        account_number,
        remittee_name: answer.get_in("vbank", "vbankHolder"),
        expires_at: answer
            .get_in("vbank", "vbankExpDate")
            .and_then(|t| parse_time(&t)),
        issued_at: answer.get("ediDate").and_then(|t| parse_time(&t)),
        amount: money(answer, "amount")?,
        pg_code: code.to_string(),
        pg_message: answer.result_msg(),
    }))
}

/// The answer to `/v1/subscribe/regist`: `bid`, `tid`, `cardCode`, `cardName`, `authDate`.
/// The billing key returned is the `bid` sealed under the channel's secret key
/// ([`crate::channel::seal_bid`]).
pub fn billing_key_issued(
    ch: &NiceChannel,
    answer: &Answer,
    code: &str,
) -> Result<Outcome, PgError> {
    let raw = answer
        .get("bid")
        .ok_or_else(|| malformed("bid is missing from a billing-key answer"))?;
    if raw.len() > 64 || !raw.bytes().all(|b| b.is_ascii_graphic() && b != b'/') {
        return Err(malformed("the bid answered is not a NICE bid"));
    }
    let bid = crate::channel::seal_bid(ch, &raw).map_err(malformed)?;
    let card_code = answer.get("cardCode");
    Ok(Outcome::Approved(Approved {
        receipt_url: None,
        pg_tx_id: answer.get("tid"),
        at: answer.get("authDate").and_then(|t| parse_time(&t)),
        amount: None,
        pg_code: code.to_string(),
        pg_message: answer.result_msg(),
        detail: ApprovedDetail::BillingKeyIssued {
            pg_billing_key: bid,
            card: Some(CardSummary {
                masked_number: None,
                issuer_name: card_code
                    .as_deref()
                    .and_then(protocol::card_company)
                    .map(str::to_string)
                    .or_else(|| answer.get("cardName")),
                issuer_code: card_code,
                acquirer_code: None,
            }),
        },
    }))
}

/// The payment object's `status` → [`TxState`].
pub fn state_of(status: &str) -> Option<TxState> {
    Some(match status {
        status::PAID => TxState::Approved,
        status::READY => TxState::Pending,
        status::CANCELLED => TxState::Cancelled,
        status::PARTIAL_CANCELLED => TxState::PartiallyCancelled,
        status::FAILED | status::EXPIRED => TxState::Failed,
        _ => return None,
    })
}

/// The inquiry's report: `status`, `amount`, `balanceAmt`, `tid`.
pub fn report(answer: &Answer) -> Result<TxReport, PgError> {
    let state = answer
        .get("status")
        .as_deref()
        .and_then(state_of)
        .ok_or_else(|| malformed("status is missing or unknown in an inquiry answer"))?;
    Ok(TxReport {
        state,
        amount: money(answer, "amount")?,
        balance: money(answer, "balanceAmt")?,
        pg_tx_id: answer.get("tid"),
    })
}

/// "No such transaction".
pub fn not_found_report() -> TxReport {
    TxReport {
        state: TxState::NotFound,
        amount: None,
        balance: None,
        pg_tx_id: None,
    }
}

fn inquiry(answer: &Answer, code: &str, report: TxReport) -> Outcome {
    Outcome::Approved(Approved {
        receipt_url: None,
        pg_tx_id: report.pg_tx_id.clone(),
        at: None,
        amount: report.amount,
        pg_code: code.to_string(),
        pg_message: answer.result_msg(),
        detail: ApprovedDetail::Inquiry(report),
    })
}

/// A NICE webhook (`api/hook.md`): the payment object, JSON, signed with `signature =
/// hex(sha256(tid + amount + ediDate + SecretKey))`. A missing or wrong signature, or a body
/// that is not the object, is [`PgError::NoticeRefused`]. A paid virtual account is a deposit;
/// anything else a status change. The PG expects HTTP 200 with body `OK` as `text/html`.
pub fn decode_notice(
    channel: &ChannelContext,
    notice: &IncomingNotice<'_>,
) -> Result<PgNotice, PgError> {
    let refused = |detail: &str| PgError::NoticeRefused {
        detail: detail.to_string(),
    };
    let ch = NiceChannel::from_context(channel)?;
    let answer = Answer::parse(notice.body).map_err(|e| refused(&e))?;
    for field in ["tid", "amount", "ediDate", "resultCode"] {
        if answer.get(field).is_none() {
            return Err(refused(&format!("{field} is missing from the webhook")));
        }
    }
    match answer.signature_ok(ch.secret_key.expose()) {
        Some(true) => {}
        Some(false) => {
            return Err(refused(
                "signature does not match hex(sha256(tid + amount + ediDate + SecretKey))",
            ))
        }
        None => return Err(refused("signature is missing from the webhook")),
    }
    let amount = money(&answer, "amount").map_err(|_| refused("amount is not an amount"))?;
    let st = answer.get("status").unwrap_or_default();
    let pay_method = answer.get("payMethod").unwrap_or_default();
    let event = if pay_method == method::VBANK && st == status::PAID {
        NoticeEvent::Deposited {
            amount,
            at: answer.get("paidAt").and_then(|t| parse_time(&t)),
        }
    } else {
        NoticeEvent::StatusChanged {
            claimed: state_of(&st),
        }
    };
    let view = match answer.view() {
        serde_json::Value::Object(m) => m
            .into_iter()
            .filter(|(_, v)| !v.is_null())
            .map(|(k, v)| {
                let shown = match v {
                    serde_json::Value::String(s) => s,
                    other => other.to_string(),
                };
                (k, shown)
            })
            .collect(),
        _ => Vec::new(),
    };
    Ok(PgNotice {
        pg_tx_id: answer.get("tid"),
        order_id: answer.get("orderId"),
        event,
        trust: NoticeTrust::Verified,
        ack: NoticeAck {
            status: 200,
            content_type: "text/html; charset=utf-8",
            body: protocol::fixed::WEBHOOK_ACK.as_bytes().to_vec(),
        },
        view,
    })
}

/// The method of a payment object's `payMethod`.
pub fn method_of(pay_method: &str) -> Option<Method> {
    match pay_method {
        method::CARD => Some(Method::Card),
        method::BANK => Some(Method::Transfer),
        method::VBANK => Some(Method::VirtualAccount),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_in_nices_forms() {
        assert_eq!(
            parse_time("2021-11-05T17:14:35.000+0900")
                .unwrap()
                .to_rfc3339(),
            "2021-11-05T17:14:35+09:00"
        );
        assert_eq!(
            parse_time("2025-03-01T10:15:00+09:00")
                .unwrap()
                .to_rfc3339(),
            "2025-03-01T10:15:00+09:00"
        );
        assert!(parse_time("0").is_none());
        assert!(parse_time("yesterday").is_none());
    }

    #[test]
    fn states() {
        assert_eq!(
            state_of("partialCancelled"),
            Some(TxState::PartiallyCancelled)
        );
        assert_eq!(state_of("ready"), Some(TxState::Pending));
        assert_eq!(state_of("expired"), Some(TxState::Failed));
        assert_eq!(state_of("nope"), None);
        assert_eq!(method_of("vbank"), Some(Method::VirtualAccount));
    }
}
