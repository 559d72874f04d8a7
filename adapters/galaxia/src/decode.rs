//! BillGate answer → unified outcome. A frame that cannot be read, or that answers a
//! different command or order, is [`PgError::MalformedResponse`] (the executor turns it into
//! `Unknown` for money-moving operations) — never a panic.

use chrono::{DateTime, FixedOffset, NaiveDateTime, TimeZone};
use paymux_core::adapter::{kst, EncodeContext, PgRequest, WireRequest, WireResponse};
use paymux_core::error::PgError;
use paymux_core::money::Money;
use paymux_core::outcome::{
    classify, Approved, ApprovedDetail, CardSummary, Declined, Outcome, TxReport, TxState,
};
use paymux_core::secret::Secret;

use crate::channel::GalaxiaChannel;
use crate::frame::Telegram;
use crate::protocol::{code, command, service, sim, tag, DECLINE_RULES};

/// Decode the answer to `req` (whose frame was `sent`).
pub fn decode(
    ctx: &EncodeContext<'_>,
    req: &PgRequest,
    sent: &WireRequest,
    resp: &WireResponse,
) -> Result<Outcome, PgError> {
    if matches!(req, PgRequest::CheckoutPrepare(_)) {
        return Err(PgError::Unsupported {
            adapter: crate::ADAPTER_ID,
            what: "decoding checkout.prepare: the window answers the browser, not the server"
                .into(),
        });
    }
    if let (PgRequest::CheckoutComplete(_), Some(_)) = (req, sent.local_answer()) {
        // A virtual-account window's verified return: final, nothing was sent.
        return crate::checkout::decode_local(&resp.body).map(Outcome::VirtualAccountIssued);
    }
    let ch = GalaxiaChannel::from_context(ctx.channel)?;
    let request = sent_header(sent, &ch)?;
    let answer =
        Telegram::from_frame(&resp.body, &ch.cipher).map_err(|e| malformed(&e.to_string()))?;
    check_pairing(&request, &answer)?;
    let code = answer
        .get_nonblank(tag::RESPONSE_CODE)
        .ok_or_else(|| malformed("tag 1002 (RESPONSE_CODE) is missing"))?;

    if matches!(req, PgRequest::Get(_)) && code == sim::NOT_FOUND {
        return Ok(approved(
            &answer,
            ApprovedDetail::Inquiry(not_found_report()),
            None,
        ));
    }
    if code != code::SUCCESS {
        return Ok(Outcome::Declined(declined(&answer, &code)));
    }
    let detail = match req {
        PgRequest::Get(_) => ApprovedDetail::Inquiry(inquiry_report(&answer)?),
        PgRequest::Cancel(c) => {
            let plan = crate::rules::resolve_cancel(c).map_err(PgError::Validation)?;
            let reported = [
                tag::DEAL_AMOUNT,
                tag::CANCEL_AMOUNT,
                tag::MOBILE_CANCEL_AMOUNT,
            ]
            .iter()
            .find_map(|t| money(&answer, t).transpose())
            .transpose()?;
            let cancelled = reported.unwrap_or(plan.amount);
            let left = c
                .prior
                .amount
                .map(|a| a.cancellable())
                .unwrap_or(Money::ZERO);
            ApprovedDetail::Cancelled {
                cancelled,
                remaining: left.checked_sub(cancelled),
                sequence: [tag::CARD_CANCEL_SEQUENCE, tag::PROTOCOL_NUMBER]
                    .iter()
                    .find_map(|t| answer.get_nonblank(t))
                    .and_then(|s| s.parse().ok()),
            }
        }
        PgRequest::DeleteBillingKey(_) => ApprovedDetail::BillingKeyDeleted,
        _ if request.command == command::AUTO_BILL_CERTIFY => ApprovedDetail::BillingKeyIssued {
            pg_billing_key: user_key(&answer)?,
            card: card_summary(&answer),
        },
        _ => ApprovedDetail::Payment {
            approval_number: answer.get_nonblank(tag::AUTH_NUMBER),
            card: card_summary(&answer),
            installment_month: answer.get_nonblank(tag::QUOTA).and_then(|q| q.parse().ok()),
            pg_billing_key: answer.get_nonblank(tag::USER_KEY).map(Secret::new),
        },
    };
    let amount = match &detail {
        ApprovedDetail::Cancelled { cancelled, .. } => Some(*cancelled),
        _ => money(&answer, tag::AUTH_AMOUNT)?,
    };
    Ok(approved(&answer, detail, amount))
}

/// COMMAND and ORDER_ID of the telegram sent.
struct SentHeader {
    command: String,
    order_id: String,
}

/// Read from the frame sent: its first encrypted blocks, decrypted again.
fn sent_header(sent: &WireRequest, ch: &GalaxiaChannel) -> Result<SentHeader, PgError> {
    let (command, order_id) = crate::frame::command_and_order_id(&sent.body, &ch.cipher)?;
    Ok(SentHeader { command, order_id })
}

/// The answer must be the response to the command sent, for the same order.
fn check_pairing(request: &SentHeader, answer: &Telegram) -> Result<(), PgError> {
    let expected = command::response_of(&request.command).unwrap_or_default();
    if answer.command != expected {
        return Err(malformed(&format!(
            "answer command {} does not answer {}",
            answer.command, request.command
        )));
    }
    if answer.order_id != request.order_id {
        return Err(malformed("answer is for another ORDER_ID"));
    }
    Ok(())
}

fn approved(answer: &Telegram, detail: ApprovedDetail, amount: Option<Money>) -> Outcome {
    Outcome::Approved(Approved {
        receipt_url: None,
        pg_tx_id: answer.get_nonblank(tag::TRANSACTION_ID),
        at: answer
            .get_nonblank(tag::AUTH_DATE)
            .and_then(|d| parse_kst(&d)),
        amount,
        pg_code: raw_code(answer, code::SUCCESS),
        pg_message: message(answer),
        detail,
    })
}

/// A decline, keeping the raw code and mapping it through [`DECLINE_RULES`].
fn declined(answer: &Telegram, code_1002: &str) -> Declined {
    let raw = raw_code(answer, code_1002);
    let mut kind = classify(DECLINE_RULES, &raw);
    if kind == paymux_core::outcome::DeclineKind::Other {
        kind = classify(DECLINE_RULES, code_1002);
    }
    Declined::new(raw, message(answer), kind)
}

/// The raw code as the vendor library composes its own: 1002 followed by 1009 (`092001`).
fn raw_code(answer: &Telegram, code_1002: &str) -> String {
    let detail = answer
        .get_nonblank(tag::DETAIL_RESPONSE_CODE)
        .unwrap_or_default();
    format!("{code_1002}{detail}")
}

/// `1003`, with `1010` after it when both are there.
fn message(answer: &Telegram) -> String {
    match (
        answer.get_nonblank(tag::RESPONSE_MESSAGE),
        answer.get_nonblank(tag::DETAIL_RESPONSE_MESSAGE),
    ) {
        (Some(m), Some(d)) if m != d => format!("{m}: {d}"),
        (Some(m), _) => m,
        (None, Some(d)) => d,
        (None, None) => String::new(),
    }
}

fn card_summary(answer: &Telegram) -> Option<CardSummary> {
    let summary = CardSummary {
        // BillGate answers a masked number; mask it ourselves should it ever send it whole.
        masked_number: answer.get_nonblank(tag::PIN_NUMBER).map(|n| {
            if n.contains('*') {
                n
            } else {
                paymux_core::secret::mask_card_number(&n)
            }
        }),
        issuer_code: answer.get_nonblank(tag::ISSUE_COMPANY_CODE),
        issuer_name: answer.get_nonblank(tag::ISSUE_COMPANY_NAME),
        acquirer_code: answer.get_nonblank(tag::BUY_COMPANY_CODE),
    };
    let empty = summary.masked_number.is_none()
        && summary.issuer_code.is_none()
        && summary.issuer_name.is_none()
        && summary.acquirer_code.is_none();
    (!empty).then_some(summary)
}

fn user_key(answer: &Telegram) -> Result<Secret<String>, PgError> {
    answer
        .get_nonblank(tag::USER_KEY)
        .map(Secret::new)
        .ok_or_else(|| malformed("tag 1018 (USER_KEY) is missing from a billing-key answer"))
}

/// `YYYYMMDDHHMMSS` in KST.
pub fn parse_kst(s: &str) -> Option<DateTime<FixedOffset>> {
    let naive = NaiveDateTime::parse_from_str(s, "%Y%m%d%H%M%S").ok()?;
    kst().from_local_datetime(&naive).single()
}

fn malformed(detail: &str) -> PgError {
    PgError::MalformedResponse {
        detail: detail.to_string(),
    }
}

/// **Reconstructed** inquiry answer: `1007` approved amount and `1006` balance give the state.
/// A virtual account (service 1800) is paid only once BillGate dates it: `1005` AUTH_DATE is
/// the deposit time, absent while the account waits for the payer ([`TxState::Pending`]) — so
/// an inquiry never confirms a deposit that has not happened.
pub fn inquiry_report(answer: &Telegram) -> Result<TxReport, PgError> {
    let amount = money(answer, tag::AUTH_AMOUNT)?;
    let balance = money(answer, tag::BALANCE)?;
    let awaiting_deposit = answer.service_code == service::VIRTUAL_ACCOUNT
        && answer.get_nonblank(tag::AUTH_DATE).is_none();
    let state = match (amount, balance) {
        _ if awaiting_deposit => TxState::Pending,
        (_, Some(b)) if b == Money::ZERO => TxState::Cancelled,
        (Some(a), Some(b)) if b < a => TxState::PartiallyCancelled,
        _ => TxState::Approved,
    };
    Ok(TxReport {
        state,
        amount,
        balance,
        pg_tx_id: answer.get_nonblank(tag::TRANSACTION_ID),
    })
}

/// The inquiry answer for "no such transaction" (**reconstructed**: the simulator's
/// [`sim::NOT_FOUND`]).
pub fn not_found_report() -> TxReport {
    TxReport {
        state: TxState::NotFound,
        amount: None,
        balance: None,
        pg_tx_id: None,
    }
}

/// A money tag, if present. A non-number is a malformed answer.
pub(crate) fn money(t: &Telegram, tag_code: &str) -> Result<Option<Money>, PgError> {
    let Some(v) = t.get_nonblank(tag_code) else {
        return Ok(None);
    };
    v.parse::<i64>()
        .ok()
        .and_then(|n| Money::new(n).ok())
        .map(Some)
        .ok_or_else(|| PgError::MalformedResponse {
            detail: format!("tag {tag_code} ({}) is not an amount", tag::name(tag_code)),
        })
}
