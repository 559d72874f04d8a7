//! SmartroPay answer → unified outcome. An answer that is not a JSON object, has no
//! `ResultCode`, or answers another order is [`PgError::MalformedResponse`] (the executor turns
//! it into `Unknown` for money-moving operations) — never a panic.

use paymux_core::adapter::{EncodeContext, PgRequest, WireRequest, WireResponse};
use paymux_core::error::PgError;
use paymux_core::money::Money;
use paymux_core::outcome::{
    classify, Approved, ApprovedDetail, CardSummary, Declined, Outcome, Pending,
};

use crate::channel::SmartroChannel;
use crate::frame::Answer;
use crate::protocol::{code, DECLINE_RULES};
use crate::reconstructed::{self, money, parse_kst};

/// Decode the answer to `req`.
pub fn decode(
    ctx: &EncodeContext<'_>,
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
    let ch = SmartroChannel::from_context(ctx.channel)?;
    let answer = Answer::parse(&resp.body).map_err(|e| {
        malformed(&match resp.status {
            Some(s) if !(200..300).contains(&s) => format!("HTTP {s}: {e}"),
            _ => e,
        })
    })?;
    let code = answer
        .result_code()
        .ok_or_else(|| malformed("ResultCode is missing"))?;
    match req {
        PgRequest::CheckoutComplete(c) => crate::checkout::decode_complete(c, &answer),
        PgRequest::Instant(c) => {
            if code != reconstructed::code::VBANK_ISSUED {
                return Ok(declined(&answer, &code));
            }
            same_order(&answer, &c.payment_id)?;
            reconstructed::virtual_account_issued(&answer, &code)
        }
        PgRequest::IssueBillingKey(_) => {
            if code != reconstructed::code::BILLKEY_ISSUED {
                return Ok(declined(&answer, &code));
            }
            reconstructed::billing_key_issued(&ch, &answer, &code)
        }
        PgRequest::PayWithBillingKey(c) => {
            if code != code::CARD_SUCCESS {
                return Ok(declined(&answer, &code));
            }
            same_order(&answer, &c.payment_id)?;
            approved_payment(&answer, &code)
        }
        PgRequest::Cancel(c) => {
            if code != code::CANCEL_SUCCESS && code != code::REFUND_SUCCESS {
                return Ok(declined(&answer, &code));
            }
            let plan = crate::encode::resolve_cancel(c).map_err(PgError::Validation)?;
            if let (Some(sent), Some(got)) = (c.prior.pg_tx_id.as_deref(), answer.get("Tid")) {
                if sent != got {
                    return Err(malformed("the cancel answer is for another Tid"));
                }
            }
            if plan.refund {
                // PortOne: a virtual-account refund completes when Smartro pays the refund
                // account and pings back; the answer only accepts it.
                return Ok(Outcome::Pending(Pending {
                    pg_tx_id: answer.get("Tid").or_else(|| c.prior.pg_tx_id.clone()),
                    pg_code: code,
                    pg_message: answer.result_msg(),
                }));
            }
            let cancelled = money(&answer, "CancelAmt")?.unwrap_or(plan.amount);
            let left = c
                .prior
                .amount
                .map(|a| a.cancellable())
                .unwrap_or(Money::ZERO);
            let at = match (answer.get("CancelDate"), answer.get("CancelTime")) {
                (Some(d), Some(t)) => parse_kst(&format!("{d}{t}")),
                _ => None,
            };
            Ok(Outcome::Approved(Approved {
                pg_tx_id: answer.get("Tid").or_else(|| c.prior.pg_tx_id.clone()),
                at,
                amount: Some(cancelled),
                pg_code: code,
                pg_message: answer.result_msg(),
                detail: ApprovedDetail::Cancelled {
                    cancelled,
                    remaining: money(&answer, "RemainAmt")?.or(left.checked_sub(cancelled)),
                    sequence: answer
                        .get("CancelSeq")
                        .and_then(|s| s.parse().ok())
                        .or(Some(c.prior.cancel_count + 1)),
                },
            }))
        }
        PgRequest::Get(c) => {
            if code == reconstructed::code::INQUIRY_NOT_FOUND {
                return Ok(inquiry(&answer, &code, reconstructed::not_found_report()));
            }
            if code != reconstructed::code::INQUIRY_FOUND {
                return Ok(declined(&answer, &code));
            }
            same_order(&answer, &c.payment_id)?;
            let report = reconstructed::inquiry_report(&answer)?;
            Ok(inquiry(&answer, &code, report))
        }
        PgRequest::DeleteBillingKey(_) => {
            if code != reconstructed::code::BILLKEY_DELETED {
                return Ok(declined(&answer, &code));
            }
            Ok(Outcome::Approved(Approved {
                pg_tx_id: None,
                at: None,
                amount: None,
                pg_code: code,
                pg_message: answer.result_msg(),
                detail: ApprovedDetail::BillingKeyDeleted,
            }))
        }
        PgRequest::CheckoutPrepare(_) => Err(malformed("checkout.prepare has no answer")),
    }
}

/// An approved card (or transfer / mobile) payment: the approval answer's fields
/// (id9043725511).
pub fn approved_payment(answer: &Answer, code: &str) -> Result<Outcome, PgError> {
    let card = CardSummary {
        masked_number: answer
            .get("CardNum")
            .map(|n| reconstructed::mask_number(&n)),
        issuer_code: answer.get("AppCardCode"),
        issuer_name: answer.get("AppCardName"),
        acquirer_code: answer.get("AcquCardCode"),
    };
    let has_card = card.masked_number.is_some() || card.issuer_code.is_some();
    Ok(Outcome::Approved(Approved {
        pg_tx_id: answer.get("Tid"),
        at: answer.get("AuthDate").and_then(|d| parse_kst(&d)),
        amount: money(answer, "Amt")?,
        pg_code: code.to_string(),
        pg_message: answer.result_msg(),
        detail: ApprovedDetail::Payment {
            approval_number: answer.get("AuthCode"),
            card: has_card.then_some(card),
            installment_month: answer.get("CardQuota").and_then(|q| q.parse().ok()),
            pg_billing_key: None,
        },
    }))
}

fn inquiry(answer: &Answer, code: &str, report: paymux_core::outcome::TxReport) -> Outcome {
    Outcome::Approved(Approved {
        pg_tx_id: report.pg_tx_id.clone(),
        at: None,
        amount: report.amount,
        pg_code: code.to_string(),
        pg_message: answer.result_msg(),
        detail: ApprovedDetail::Inquiry(report),
    })
}

/// A decline keeping the raw code and message, mapped through [`DECLINE_RULES`].
fn declined(answer: &Answer, code: &str) -> Outcome {
    Outcome::Declined(Declined::new(
        code,
        answer.result_msg(),
        classify(DECLINE_RULES, code),
    ))
}

/// An answer naming a `Moid` must name ours.
fn same_order(answer: &Answer, payment_id: &str) -> Result<(), PgError> {
    match answer.get("Moid") {
        Some(m) if m != payment_id => Err(malformed("the answer is for another Moid")),
        _ => Ok(()),
    }
}

fn malformed(detail: &str) -> PgError {
    PgError::MalformedResponse {
        detail: detail.to_string(),
    }
}
