//! KSNET answer → unified outcome.
//!
//! Each interface's answer is first read into a protocol-neutral [`Answer`]
//! ([`webfep::read`], [`kspay::read`]); [`finish`] then maps it to an [`Outcome`] for the
//! operation asked, once for both. An answer that cannot be read, that answers another
//! request, or whose meaning is ambiguous (WEBFEP `A0500` server error, `A0999`, a success
//! envelope without `respCode` `0000`) is [`PgError::MalformedResponse`]: the executor turns it
//! into `Outcome::Unknown` for money-moving operations, to be resolved by inquiry — never a
//! guessed decline. Declines keep KSNET's raw code and map it through
//! [`crate::protocol::DECLINE_RULES`]. Nothing here panics.

pub mod kspay;
pub mod webfep;

use chrono::{DateTime, FixedOffset, NaiveDateTime, TimeZone};
use paymux_core::adapter::{kst, EncodeContext, PgRequest, WireRequest, WireResponse};
use paymux_core::error::PgError;
use paymux_core::model::InstantPaymentMethodInput;
use paymux_core::money::Money;
use paymux_core::outcome::{
    classify, Approved, ApprovedDetail, CardSummary, DeclineKind, Declined, Outcome, TxReport,
    TxState, VirtualAccountIssued,
};
use paymux_core::secret::Secret;

use crate::channel::{KsnetChannel, Protocol};
use crate::encode::{prior_currency, resolve_cancel, window_unsupported, WireCurrency};
use crate::protocol::trade_status;
use crate::protocol::DECLINE_RULES;

/// Decode the answer to `req` (whose bytes were `sent`).
pub fn decode(
    ctx: &EncodeContext<'_>,
    req: &PgRequest,
    sent: &WireRequest,
    resp: &WireResponse,
) -> Result<Outcome, PgError> {
    if matches!(
        req,
        PgRequest::CheckoutPrepare(_) | PgRequest::CheckoutComplete(_)
    ) {
        return Err(window_unsupported());
    }
    let ch = KsnetChannel::from_context(ctx.channel)?;
    let answer = match ch.protocol {
        Protocol::Webfep => webfep::read(req, sent, resp)?,
        Protocol::Kspay => kspay::read(sent, resp)?,
    };
    finish(req, answer)
}

/// An answer, read from either interface.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Answer {
    /// KSNET approved (WEBFEP `A0200` + `0000`; KSPay `Status` `O`).
    pub approved: bool,
    /// The raw code: `respCode`, the envelope code, KSPay `AuthNo`/`RespCode`, or `O`.
    pub code: String,
    /// The raw message.
    pub message: String,
    /// The PG's TID.
    pub tid: Option<String>,
    /// When, `yyyyMMddHHmmss` KST.
    pub at: Option<String>,
    /// Amount on the wire (approved, or cancelled for a cancel).
    pub amount: Option<u64>,
    /// Approval number.
    pub approval_number: Option<String>,
    /// Masked card.
    pub card: Option<CardSummary>,
    /// Instalment months.
    pub installment: Option<u32>,
    /// Virtual-account fields.
    pub virtual_account: Option<AccountAnswer>,
    /// Inquiry fields (**reconstructed**).
    pub inquiry: Option<InquiryAnswer>,
}

/// The account of a virtual-account answer.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AccountAnswer {
    /// Bank (PortOne code when known, else KSNET's).
    pub bank: Option<String>,
    /// Account number.
    pub number: Option<String>,
    /// 예금주.
    pub holder: Option<String>,
    /// Deadline, `yyyyMMddHHmmss`.
    pub close: Option<String>,
}

/// The **reconstructed** inquiry fields.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InquiryAnswer {
    /// One of [`trade_status`].
    pub status: Option<String>,
    /// Approved amount.
    pub amount: Option<u64>,
    /// Cancelled so far.
    pub cancelled: Option<u64>,
}

/// Map an answer to the outcome of `req`.
pub fn finish(req: &PgRequest, a: Answer) -> Result<Outcome, PgError> {
    if let PgRequest::Get(c) = req {
        let currency = prior_currency(&c.prior).map_err(PgError::Validation)?;
        return inquiry(a, currency);
    }
    if !a.approved {
        return Ok(Outcome::Declined(declined(&a)));
    }
    let at = a.at.as_deref().and_then(parse_kst);
    let base = |detail, amount, tid| Approved {
        receipt_url: None,
        pg_tx_id: tid,
        at,
        amount,
        pg_code: a.code.clone(),
        pg_message: a.message.clone(),
        detail,
    };
    Ok(match req {
        PgRequest::Instant(c) => match &c.body.method {
            InstantPaymentMethodInput::VirtualAccount(_) => {
                let va = a.virtual_account.clone().unwrap_or_default();
                let number = va.number.filter(|n| !n.trim().is_empty()).ok_or_else(|| {
                    malformed("a virtual-account answer without an account number")
                })?;
                Outcome::VirtualAccountIssued(VirtualAccountIssued {
                    pg_tx_id: a.tid.clone(),
                    bank: va.bank,
                    account_number: number,
                    remittee_name: va.holder,
                    expires_at: va.close.as_deref().and_then(parse_kst),
                    issued_at: at,
                    amount: money(a.amount, WireCurrency::Krw)?,
                    pg_code: a.code.clone(),
                    pg_message: a.message.clone(),
                })
            }
            InstantPaymentMethodInput::Card(_) => {
                let currency = WireCurrency::of(c.body.currency.code())?;
                let amount = money(a.amount, currency)?;
                Outcome::Approved(base(payment_detail(&a), amount, a.tid.clone()))
            }
        },
        PgRequest::PayWithBillingKey(c) => {
            let currency = WireCurrency::of(c.body.currency.code())?;
            let amount = money(a.amount, currency)?;
            Outcome::Approved(base(payment_detail(&a), amount, a.tid.clone()))
        }
        PgRequest::IssueBillingKey(_) => {
            // The key is the TID (reconstructed): it goes only into the Secret.
            let key = a
                .tid
                .as_deref()
                .filter(|t| !t.trim().is_empty())
                .ok_or_else(|| malformed("a billing-key answer without a TID"))?;
            Outcome::Approved(base(
                ApprovedDetail::BillingKeyIssued {
                    pg_billing_key: key_of_tid(key),
                    card: a.card.clone(),
                },
                None,
                None,
            ))
        }
        PgRequest::DeleteBillingKey(_) => {
            Outcome::Approved(base(ApprovedDetail::BillingKeyDeleted, None, None))
        }
        PgRequest::Cancel(c) => {
            let plan = resolve_cancel(c).map_err(PgError::Validation)?;
            let cancelled = money(a.amount, plan.currency)?
                .filter(|m| *m > Money::ZERO)
                .unwrap_or(plan.amount);
            Outcome::Approved(base(
                ApprovedDetail::Cancelled {
                    cancelled,
                    remaining: plan.cancellable.checked_sub(cancelled),
                    sequence: plan.partial.map(|p| p.seq),
                },
                Some(cancelled),
                a.tid.clone(),
            ))
        }
        PgRequest::Get(_) | PgRequest::CheckoutPrepare(_) | PgRequest::CheckoutComplete(_) => {
            return Err(window_unsupported())
        }
        PgRequest::CloseVirtualAccount(_) => {
            return Err(PgError::Unsupported {
                adapter: crate::ADAPTER_ID,
                what: req.operation().to_string(),
            })
        }
    })
}

fn payment_detail(a: &Answer) -> ApprovedDetail {
    ApprovedDetail::Payment {
        approval_number: a.approval_number.clone(),
        card: a.card.clone(),
        installment_month: a.installment,
        pg_billing_key: None,
    }
}

/// A status inquiry's answer: found (with the **reconstructed** state), not found, or refused.
fn inquiry(a: Answer, currency: WireCurrency) -> Result<Outcome, PgError> {
    let report = |state, amount: Option<Money>, balance: Option<Money>, tid| {
        Outcome::Approved(Approved {
            receipt_url: None,
            pg_tx_id: tid,
            at: a.at.as_deref().and_then(parse_kst),
            amount,
            pg_code: a.code.clone(),
            pg_message: a.message.clone(),
            detail: ApprovedDetail::Inquiry(TxReport {
                state,
                amount,
                balance,
                pg_tx_id: None,
            }),
        })
    };
    if !a.approved {
        if classify(DECLINE_RULES, &a.code) == DeclineKind::NotFound {
            return Ok(report(TxState::NotFound, None, None, None));
        }
        return Ok(Outcome::Declined(declined(&a)));
    }
    let q = a.inquiry.clone().unwrap_or_default();
    let state = q
        .status
        .as_deref()
        .and_then(tx_state)
        .ok_or_else(|| malformed("an inquiry answer without a known trade status"))?;
    let amount = money(q.amount.or(a.amount), currency)?;
    let cancelled = money(q.cancelled, currency)?.unwrap_or(Money::ZERO);
    let balance = amount.and_then(|m| m.checked_sub(cancelled));
    let tid = a.tid.clone();
    let out = report(state, amount, balance, tid.clone());
    Ok(match out {
        Outcome::Approved(mut ap) => {
            if let ApprovedDetail::Inquiry(r) = &mut ap.detail {
                r.pg_tx_id = tid;
            }
            Outcome::Approved(ap)
        }
        other => other,
    })
}

/// A decline with the raw code kept and the kind from the table.
fn declined(a: &Answer) -> Declined {
    let code = if a.code.trim().is_empty() {
        "X".to_string()
    } else {
        a.code.clone()
    };
    Declined::new(
        code.clone(),
        a.message.clone(),
        classify(DECLINE_RULES, &code),
    )
}

fn money(v: Option<u64>, c: WireCurrency) -> Result<Option<Money>, PgError> {
    match v {
        None => Ok(None),
        Some(v) => c.from_wire(v).map(Some).ok_or_else(|| {
            malformed("an amount that does not convert to the currency's minor unit")
        }),
    }
}

/// `yyyyMMddHHmmss` in KST.
pub fn parse_kst(s: &str) -> Option<DateTime<FixedOffset>> {
    let naive =
        digits_datetime(s).or_else(|| NaiveDateTime::parse_from_str(s, "%Y%m%d%H%M%S").ok())?;
    kst().from_local_datetime(&naive).single()
}

/// The common case of [`parse_kst`] without chrono's format parser (which re-reads the format
/// string on every call): exactly 14 digits forming a valid date and time. Anything else
/// (including a leap second) is `None`, and `parse_from_str` decides as before.
fn digits_datetime(s: &str) -> Option<NaiveDateTime> {
    let b = s.as_bytes();
    if b.len() != 14 || !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let n = |i: usize, w: usize| {
        b[i..i + w]
            .iter()
            .fold(0u32, |acc, d| acc * 10 + u32::from(d - b'0'))
    };
    let date = chrono::NaiveDate::from_ymd_opt(i32::try_from(n(0, 4)).ok()?, n(4, 2), n(6, 2))?;
    date.and_hms_opt(n(8, 2), n(10, 2), n(12, 2))
}

/// A masked card number: KSNET masks with `X` (`40176201XXXX825X`); paymux keeps at most the
/// first 6 digits and shows every other digit as `*`, `X`s as they are.
pub fn mask_card(number: &str) -> Option<String> {
    let n = number.trim();
    if n.is_empty() {
        return None;
    }
    Some(
        n.chars()
            .enumerate()
            .map(|(i, c)| if i < 6 || !c.is_ascii_digit() { c } else { '*' })
            .collect(),
    )
}

/// The card summary of an answer, when it has anything.
pub fn card_summary(
    number: Option<&str>,
    issuer_code: Option<&str>,
    issuer_name: Option<&str>,
    acquirer_code: Option<&str>,
) -> Option<CardSummary> {
    let nonblank = |s: Option<&str>| {
        s.map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    let s = CardSummary {
        masked_number: number.and_then(mask_card),
        issuer_code: nonblank(issuer_code),
        issuer_name: nonblank(issuer_name),
        acquirer_code: nonblank(acquirer_code),
    };
    let empty = s.masked_number.is_none()
        && s.issuer_code.is_none()
        && s.issuer_name.is_none()
        && s.acquirer_code.is_none();
    (!empty).then_some(s)
}

/// Digits as an amount; blank is `None`, anything else malformed.
pub fn amount_of(what: &str, s: Option<&str>) -> Result<Option<u64>, PgError> {
    let Some(s) = s.map(str::trim).filter(|s| !s.is_empty()) else {
        return Ok(None);
    };
    if !s.bytes().all(|b| b.is_ascii_digit()) || s.len() > 15 {
        return Err(malformed(&format!("{what} is not an amount")));
    }
    Ok(s.parse().ok())
}

/// A malformed (or ambiguous) answer: the outcome stays unknown.
pub fn malformed(detail: &str) -> PgError {
    PgError::MalformedResponse {
        detail: detail.to_string(),
    }
}

/// The unified state of a **reconstructed** inquiry state.
pub fn tx_state(status: &str) -> Option<TxState> {
    Some(match status {
        trade_status::APPROVED | trade_status::DEPOSITED => TxState::Approved,
        trade_status::PART_CANCELLED => TxState::PartiallyCancelled,
        trade_status::CANCELLED => TxState::Cancelled,
        trade_status::WAITING_DEPOSIT => TxState::Pending,
        _ => return None,
    })
}

/// Whether a request is a billing-key operation whose TID is the key (views and outcomes
/// must not show it). **Reconstructed**: a KSNET billing key is a transaction number.
pub fn tid_is_billing_key(req: &paymux_core::adapter::PgRequest) -> bool {
    matches!(
        req,
        paymux_core::adapter::PgRequest::IssueBillingKey(_)
            | paymux_core::adapter::PgRequest::DeleteBillingKey(_)
    )
}

/// A secret from the PG's TID (a billing key, **reconstructed**: see [`tid_is_billing_key`]).
pub fn key_of_tid(tid: &str) -> Secret<String> {
    Secret::new(tid.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn card_numbers_are_masked_past_the_bin() {
        assert_eq!(
            mask_card("40176201XXXX825X").as_deref(),
            Some("401762**XXXX***X")
        );
        assert_eq!(
            mask_card("451842001234XXXX").as_deref(),
            Some("451842******XXXX")
        );
        assert_eq!(mask_card("  ").as_deref(), None);
    }

    #[test]
    fn kst_dates_parse() {
        let d = parse_kst("20240604103121").unwrap();
        assert_eq!(d.to_rfc3339(), "2024-06-04T10:31:21+09:00");
        assert!(parse_kst("2024").is_none());
    }

    #[test]
    fn the_digits_fast_path_agrees_with_chrono() {
        for s in [
            "20240604103121",
            "20240229235959",
            "20230229000000",
            "20241301000000",
            "20240604240000",
            "20240604236000",
            "20240604235960",
            "00000101000000",
            "99991231235959",
            "2024060410312",
            "202406041031211",
            "2024-6-04103121",
            "+2024060410312",
        ] {
            let chrono = NaiveDateTime::parse_from_str(s, "%Y%m%d%H%M%S").ok();
            if let Some(fast) = digits_datetime(s) {
                assert_eq!(Some(fast), chrono, "{s}");
            }
            assert_eq!(
                parse_kst(s),
                chrono.and_then(|n| kst().from_local_datetime(&n).single()),
                "{s}"
            );
        }
    }

    #[test]
    fn inquiry_states_map() {
        assert_eq!(
            tx_state(trade_status::WAITING_DEPOSIT),
            Some(TxState::Pending)
        );
        assert_eq!(
            trade_status::of_letter(trade_status::letter(trade_status::CANCELLED)),
            Some(trade_status::CANCELLED)
        );
        assert_eq!(tx_state("???"), None);
    }
}
