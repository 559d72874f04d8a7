//! SmartroPay answer → unified outcome. An answer that is not a JSON object, has no
//! `ResultCode`, or answers another order is [`PgError::MalformedResponse`] (the executor turns
//! it into `Unknown` for money-moving operations) — never a panic.

use chrono::{DateTime, FixedOffset, NaiveDateTime, TimeZone};
use paymux_core::adapter::{
    kst, CheckoutCompleteCall, EncodeContext, InstantPaymentCall, Method, PgRequest, WireRequest,
    WireResponse,
};
use paymux_core::error::PgError;
use paymux_core::money::Money;
use paymux_core::outcome::{
    classify, Approved, ApprovedDetail, CardSummary, Declined, Outcome, Pending, TxReport, TxState,
    VirtualAccountIssued,
};
use paymux_core::secret::Secret;

use crate::channel::SmartroChannel;
use crate::frame::Answer;
use crate::protocol::{code, pay_method, state, DECLINE_RULES};

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
        PgRequest::CheckoutComplete(c) => decode_complete(c, &answer),
        PgRequest::Instant(c) => {
            if code != code::VBANK_ISSUED {
                return Ok(declined(&answer, &code));
            }
            same_order(&answer, &c.payment_id)?;
            vacct_issued(ctx, c, &answer, &code)
        }
        PgRequest::IssueBillingKey(_) => {
            if code != code::BILLKEY_ISSUED {
                return Ok(declined(&answer, &code));
            }
            billing_key_issued(&ch, &answer, &code)
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
            let plan = crate::rules::resolve_cancel(c).map_err(PgError::Validation)?;
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
                receipt_url: None,
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
            if code == code::INQUIRY_NOT_FOUND {
                return Ok(inquiry(&answer, &code, not_found_report()));
            }
            if code != code::INQUIRY_FOUND {
                return Ok(declined(&answer, &code));
            }
            same_order(&answer, &c.payment_id)?;
            let report = inquiry_report(&answer)?;
            Ok(inquiry(&answer, &code, report))
        }
        PgRequest::DeleteBillingKey(_) => {
            if code != code::BILLKEY_DELETED {
                return Ok(declined(&answer, &code));
            }
            Ok(Outcome::Approved(Approved {
                receipt_url: None,
                pg_tx_id: None,
                at: None,
                amount: None,
                pg_code: code,
                pg_message: answer.result_msg(),
                detail: ApprovedDetail::BillingKeyDeleted,
            }))
        }
        PgRequest::CheckoutPrepare(_) => Err(malformed("checkout.prepare has no answer")),
        PgRequest::CloseVirtualAccount(_) => Err(malformed("virtual-account.close is not sent")),
    }
}

/// An approved card (or transfer / mobile) payment: the approval answer's fields
/// (id9043725511).
pub fn approved_payment(answer: &Answer, code: &str) -> Result<Outcome, PgError> {
    let card = CardSummary {
        masked_number: answer.get("CardNum").map(|n| mask_number(&n)),
        issuer_code: answer.get("AppCardCode"),
        issuer_name: answer.get("AppCardName"),
        acquirer_code: answer.get("AcquCardCode"),
    };
    let has_card = card.masked_number.is_some() || card.issuer_code.is_some();
    Ok(Outcome::Approved(Approved {
        receipt_url: None,
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
        receipt_url: None,
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

fn malformed(detail: impl Into<String>) -> PgError {
    PgError::MalformedResponse {
        detail: detail.into(),
    }
}

/// A money field, if present; a non-number is a malformed answer.
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

/// `yyMMddHHmmss` (AuthDate, id9043725511) or `yyyyMMddHHmmss`, in KST.
pub fn parse_kst(s: &str) -> Option<DateTime<FixedOffset>> {
    let fmt = match s.len() {
        12 => "%y%m%d%H%M%S",
        14 => "%Y%m%d%H%M%S",
        _ => return None,
    };
    let naive = NaiveDateTime::parse_from_str(s, fmt).ok()?;
    kst().from_local_datetime(&naive).single()
}

/// The answer to `vacct.do` (vendor notes §3a): `Tid`, `Moid`, `VbankName`, `VbankNum`. What it
/// does not repeat (bank code, deadline, holder, amount) is what the request asked for: the
/// bank and holder as sent, the deadline at 23:59:59 KST of `VbankExpDate`.
pub fn vacct_issued(
    ctx: &EncodeContext<'_>,
    call: &InstantPaymentCall,
    answer: &Answer,
    code: &str,
) -> Result<Outcome, PgError> {
    let mut v = account_fields(answer, code)?;
    if let Some(va) = call.body.method.virtual_account() {
        if v.bank.is_none() {
            v.bank = Some(va.bank.code().to_string());
        }
        if v.remittee_name.is_none() {
            v.remittee_name = va.remittee_name.clone().filter(|n| !n.is_empty());
        }
        if v.expires_at.is_none() {
            v.expires_at = crate::rules::deposit_deadline(&va.expiry, &ctx.now)
                .ok()
                .and_then(|due| parse_kst(&format!("{}235959", due.format("%Y%m%d"))));
        }
    }
    if v.amount.is_none() {
        v.amount = Some(call.body.amount.total);
    }
    // No `AuthDate` in the answer: the account exists from the call.
    v.issued_at = v.issued_at.or(Some(ctx.now));
    Ok(Outcome::VirtualAccountIssued(v))
}

/// The answer to a virtual-account issue (or a `VBANK` window's approval). **Reconstructed**:
/// NICE's `4100` and `Vbank*` fields (Smartro shares NICE's tables).
pub fn virtual_account_issued(answer: &Answer, code: &str) -> Result<Outcome, PgError> {
    account_fields(answer, code).map(Outcome::VirtualAccountIssued)
}

fn account_fields(answer: &Answer, code: &str) -> Result<VirtualAccountIssued, PgError> {
    let account_number = answer
        .get("VbankNum")
        .ok_or_else(|| malformed("VbankNum is missing from a virtual-account answer"))?;
    let expires_at = answer.get("VbankExpDate").and_then(|d| {
        let time = answer
            .get("VbankExpTime")
            .unwrap_or_else(|| "235959".into());
        parse_kst(&format!("{d}{time}"))
    });
    Ok(VirtualAccountIssued {
        pg_tx_id: answer.get("Tid"),
        // PortOne's name for the KFTC code; a code outside the table is kept as sent.
        bank: answer
            .get("VbankBankCode")
            .map(|c| crate::protocol::portone_bank(&c).map_or(c, str::to_string)),
        account_number,
        remittee_name: answer.get("VbankAccountName"),
        expires_at,
        issued_at: answer.get("AuthDate").and_then(|d| parse_kst(&d)),
        amount: money(answer, "Amt")?,
        pg_code: code.to_string(),
        pg_message: answer.result_msg(),
    })
}

/// **Reconstructed** (the SS-Pay window's return) answer to a billing-key issue: the `BillTokenKey` as Smartro sends it (encrypted; the
/// charge decrypts it), checked to decrypt with the channel's key.
pub fn billing_key_issued(
    ch: &SmartroChannel,
    answer: &Answer,
    code: &str,
) -> Result<Outcome, PgError> {
    let key = answer
        .get("BillTokenKey")
        .map(Secret::new)
        .ok_or_else(|| malformed("BillTokenKey is missing from a billing-key answer"))?;
    crate::channel::bill_token_key(ch, &key).map_err(|why| {
        malformed(format!(
            "the BillTokenKey answered {why} with the merchant key"
        ))
    })?;
    let card = CardSummary {
        masked_number: answer.get("DisplayCardNo").map(|n| mask_number(&n)),
        issuer_code: answer.get("IssuerCardCd"),
        issuer_name: answer.get("IssuerCardNm"),
        acquirer_code: None,
    };
    Ok(Outcome::Approved(Approved {
        receipt_url: None,
        pg_tx_id: answer.get("Tid"),
        at: answer.get("AuthDate").and_then(|d| parse_kst(&d)),
        amount: None,
        pg_code: code.to_string(),
        pg_message: answer.result_msg(),
        detail: ApprovedDetail::BillingKeyIssued {
            pg_billing_key: key,
            card: Some(card),
        },
    }))
}

/// A card number as shown: the PG's masked form, or masked here should it come whole.
pub fn mask_number(n: &str) -> String {
    if n.contains('*') {
        n.to_string()
    } else {
        paymux_core::secret::mask_card_number(n)
    }
}

/// The inquiry answer. **Reconstructed**: `StateCd`, `Amt`, `RemainAmt`.
pub fn inquiry_report(answer: &Answer) -> Result<TxReport, PgError> {
    let amount = money(answer, "Amt")?;
    let balance = money(answer, "RemainAmt")?;
    let state = match answer.get("StateCd").as_deref() {
        Some(state::APPROVED) => TxState::Approved,
        Some(state::CANCELLED) => TxState::Cancelled,
        Some(state::PARTIALLY_CANCELLED) => TxState::PartiallyCancelled,
        Some(state::WAITING_DEPOSIT) => TxState::Pending,
        Some(_) => TxState::Failed,
        None => return Err(malformed("StateCd is missing from an inquiry answer")),
    };
    Ok(TxReport {
        state,
        amount,
        balance,
        pg_tx_id: answer.get("Tid"),
    })
}

/// The inquiry answer for "no such transaction" (**reconstructed**: the simulator's code).
pub fn not_found_report() -> TxReport {
    TxReport {
        state: TxState::NotFound,
        amount: None,
        balance: None,
        pg_tx_id: None,
    }
}

/// `PayMethod` → its success code in a window approval answer (**reconstructed** for all but
/// cards: NICE's codes).
pub fn window_success_code(pay_method: &str) -> Option<&'static str> {
    match pay_method {
        pay_method::CARD => Some(code::CARD_SUCCESS),
        pay_method::BANK => Some(code::BANK_SUCCESS),
        pay_method::VBANK => Some(code::VBANK_ISSUED),
        pay_method::CELLPHONE => Some(code::CELLPHONE_SUCCESS),
        _ => None,
    }
}

/// The approval answer (id9043725511): `3001` for cards; transfers, virtual accounts and mobile
/// answer with their own codes (**reconstructed**, [`window_success_code`]).
pub fn decode_complete(call: &CheckoutCompleteCall, answer: &Answer) -> Result<Outcome, PgError> {
    let code = answer
        .result_code()
        .ok_or_else(|| malformed("ResultCode is missing"))?;
    let pm = answer.get("PayMethod").unwrap_or_else(|| {
        match call.prior.method {
            Some(Method::Transfer) => pay_method::BANK,
            Some(Method::VirtualAccount) => pay_method::VBANK,
            Some(Method::Mobile) => pay_method::CELLPHONE,
            _ => pay_method::CARD,
        }
        .to_string()
    });
    if window_success_code(&pm) != Some(code.as_str()) {
        return Ok(Outcome::Declined(Declined::new(
            code.clone(),
            answer.result_msg(),
            paymux_core::outcome::classify(DECLINE_RULES, &code),
        )));
    }
    if answer.get("Moid").is_some_and(|m| m != call.payment_id) {
        return Err(malformed("the approval is for another Moid"));
    }
    if pm == pay_method::VBANK {
        return virtual_account_issued(answer, &code);
    }
    approved_payment(answer, &code)
}

#[cfg(test)]
mod tests {
    use super::*;
    use paymux_core::outcome::TxState;

    #[test]
    fn dates_in_both_widths() {
        assert_eq!(
            parse_kst("250725163656").unwrap().to_rfc3339(),
            "2025-07-25T16:36:56+09:00"
        );
        assert_eq!(
            parse_kst("20250725163656").unwrap().to_rfc3339(),
            "2025-07-25T16:36:56+09:00"
        );
        assert!(parse_kst("2507").is_none());
        assert!(parse_kst("99999999999999").is_none());
    }

    #[test]
    fn inquiry_states() {
        let a = Answer::from_pairs(&[
            ("StateCd", "2".into()),
            ("Amt", "1000".into()),
            ("RemainAmt", "700".into()),
        ]);
        let r = inquiry_report(&a).unwrap();
        assert_eq!(r.state, TxState::PartiallyCancelled);
        assert_eq!(r.balance.map(|m| m.get()), Some(700));
        let bad = Answer::from_pairs(&[("StateCd", "0".into()), ("Amt", "x".into())]);
        assert!(inquiry_report(&bad).is_err());
    }
}
