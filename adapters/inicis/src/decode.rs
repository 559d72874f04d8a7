//! Inicis answers → unified outcomes, and the virtual-account deposit notice.
//!
//! An answer that is not a JSON object, has no `resultCode`, or names another order is
//! [`PgError::MalformedResponse`] (the executor turns it into `Unknown` for money-moving
//! operations) — never a panic. Declines keep the raw code and message and are classified by
//! [`DECLINE_RULES`], the one table.

use chrono::{DateTime, FixedOffset, NaiveDateTime, TimeZone};
use paymux_core::adapter::{
    kst, EncodeContext, IncomingNotice, NoticeAck, NoticeEvent, NoticeTrust, PgNotice, PgRequest,
    WireRequest, WireResponse,
};
use paymux_core::channel::ChannelContext;
use paymux_core::error::PgError;
use paymux_core::money::Money;
use paymux_core::outcome::{
    classify, Approved, ApprovedDetail, CardSummary, Declined, Outcome, TxReport, TxState,
    VirtualAccountIssued,
};
use paymux_core::secret::Secret;
use paymux_core::wire::Charset;

use crate::channel::InicisChannel;
use crate::checkout::SentApproval;
use crate::frame::{auth_signature, Answer};
use crate::protocol::{code, mask, sim, DECLINE_RULES};
use crate::rules::resolve_cancel;

/// Decode the answer to `req`.
pub fn decode(
    _ctx: &EncodeContext<'_>,
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
        PgRequest::CheckoutComplete(c) => {
            if code != code::STD_OK {
                return Ok(declined(&answer, &code));
            }
            let sent = SentApproval::read(sent, c)
                .ok_or_else(|| malformed("the approval was not sent by this adapter"))?;
            approval(&answer, &code, &sent, &c.payment_id)
        }
        _ if code != code::OK => {
            if matches!(req, PgRequest::Get(_)) && code == sim::NOT_FOUND {
                return Ok(inquiry(&answer, &code, not_found()));
            }
            Ok(declined(&answer, &code))
        }
        PgRequest::Instant(c) => {
            same_order(&answer, "moid", &c.payment_id)?;
            payment(&answer, &code)
        }
        PgRequest::PayWithBillingKey(c) => {
            same_order(&answer, "moid", &c.payment_id)?;
            payment(&answer, &code)
        }
        PgRequest::IssueBillingKey(_) => {
            let key = answer
                .get("billKey")
                .ok_or_else(|| malformed("billKey is missing from an Auth answer"))?;
            Ok(Outcome::Approved(Approved {
                receipt_url: None,
                pg_tx_id: answer.get("tid"),
                at: None,
                amount: None,
                pg_code: code,
                pg_message: answer.result_msg(),
                detail: ApprovedDetail::BillingKeyIssued {
                    pg_billing_key: Secret::new(key),
                    card: answer.get("cardCode").map(|c| CardSummary {
                        masked_number: None,
                        issuer_code: Some(c),
                        issuer_name: None,
                        acquirer_code: None,
                    }),
                },
            }))
        }
        PgRequest::Cancel(c) => {
            let plan = resolve_cancel(c).map_err(PgError::Validation)?;
            // A partial refund answers its own TID (`prtcTid`), the price cancelled
            // (`prtcPrice`) and the balance left (`prtcRemains`) (public samples).
            let cancelled = money(&answer, "prtcPrice")?.unwrap_or(plan.amount);
            let remaining = money(&answer, "prtcRemains")?.or(Some(plan.remaining_after));
            let at = match (answer.get("cancelDate"), answer.get("cancelTime")) {
                (Some(d), Some(t)) => parse_kst(&format!("{d}{t}")),
                _ => match (answer.get("prtcDate"), answer.get("prtcTime")) {
                    (Some(d), Some(t)) => parse_kst(&format!("{d}{t}")),
                    _ => None,
                },
            };
            Ok(Outcome::Approved(Approved {
                receipt_url: None,
                pg_tx_id: answer.get("prtcTid").or_else(|| c.prior.pg_tx_id.clone()),
                at,
                amount: Some(cancelled),
                pg_code: code,
                pg_message: answer.result_msg(),
                detail: ApprovedDetail::Cancelled {
                    cancelled,
                    remaining,
                    sequence: answer
                        .get("prtcCnt")
                        .and_then(|s| s.parse().ok())
                        .or(Some(c.prior.cancel_count + 1)),
                },
            }))
        }
        PgRequest::Get(c) => {
            if let (Some(sent), Some(got)) = (c.prior.pg_tx_id.as_deref(), answer.get("tid")) {
                if sent != got {
                    return Err(malformed("the inquiry answer is for another tid"));
                }
            }
            same_order(&answer, "oid", &c.payment_id)?;
            let report = inquiry_report(&answer)?;
            Ok(inquiry(&answer, &code, report))
        }
        PgRequest::DeleteBillingKey(_)
        | PgRequest::CheckoutPrepare(_)
        | PgRequest::CloseVirtualAccount(_) => Err(malformed("no answer is expected")),
    }
}

/// The window's approval answer: `resultCode` `0000`, and `authSignature` (Inicis'
/// `makeSignatureAuth` over `mid`, the approval's timestamp, `MOID`, `TotPrice`) must match,
/// `MOID` must be the payment and `TotPrice` the price sent. Anything else after a `0000` is
/// an approval in doubt: a [`PgError::MalformedResponse`] (so `Unknown`), which the caller
/// resolves by net cancel ([`crate::netcancel`]).
pub fn approval(
    answer: &Answer,
    code: &str,
    sent: &SentApproval,
    payment_id: &str,
) -> Result<Outcome, PgError> {
    let moid = answer
        .get("MOID")
        .ok_or_else(|| malformed("MOID is missing from an approval"))?;
    let total = answer
        .get("TotPrice")
        .ok_or_else(|| malformed("TotPrice is missing from an approval"))?;
    let expected = auth_signature(&sent.mid, &sent.timestamp, &moid, &total);
    match answer.get("authSignature") {
        Some(sig) if paymux_core::wire::crypto::ct_eq(sig.as_bytes(), expected.as_bytes()) => {}
        _ => return Err(malformed("authSignature does not match: approval in doubt")),
    }
    if moid != payment_id || moid != sent.oid {
        return Err(malformed("the approval is for another MOID"));
    }
    if let Some(p) = &sent.price {
        if &total != p {
            return Err(malformed("TotPrice is not the price of the order"));
        }
    }
    let tid = answer
        .get("tid")
        .ok_or_else(|| malformed("tid is missing from an approval"))?;
    if answer.get("payMethod").as_deref() == Some("VBank") {
        // The window issued an account (INIStdPay result fields `VACT_Num`, `VACT_BankCode`,
        // `VACT_Name`, `VACT_Date` + `VACT_Time`).
        return Ok(Outcome::VirtualAccountIssued(VirtualAccountIssued {
            pg_tx_id: Some(tid),
            // PortOne's `Bank` name; a code outside Inicis' table is left out, not passed on.
            bank: answer
                .get("VACT_BankCode")
                .and_then(|c| crate::protocol::portone_bank(&c))
                .map(str::to_string),
            account_number: answer
                .get("VACT_Num")
                .ok_or_else(|| malformed("VACT_Num is missing from a VBank approval"))?,
            remittee_name: answer.get("VACT_Name"),
            expires_at: match (answer.get("VACT_Date"), answer.get("VACT_Time")) {
                (Some(d), Some(t)) => parse_kst(&format!("{d}{t}")),
                (Some(d), None) => parse_kst(&format!("{d}235959")),
                _ => None,
            },
            issued_at: match (answer.get("applDate"), answer.get("applTime")) {
                (Some(d), Some(t)) => parse_kst(&format!("{d}{t}")),
                _ => None,
            },
            amount: Some(parse_money("TotPrice", &total)?),
            pg_code: code.to_string(),
            pg_message: answer.result_msg(),
        }));
    }
    let card = CardSummary {
        masked_number: answer.get("CARD_Num").map(|n| mask("CARD_Num", &n)),
        issuer_code: answer.get("CARD_Code"),
        issuer_name: None,
        acquirer_code: answer.get("CARD_BankCode"),
    };
    let has_card = card.masked_number.is_some() || card.issuer_code.is_some();
    Ok(Outcome::Approved(Approved {
        receipt_url: None,
        pg_tx_id: Some(tid),
        at: match (answer.get("applDate"), answer.get("applTime")) {
            (Some(d), Some(t)) => parse_kst(&format!("{d}{t}")),
            _ => None,
        },
        amount: Some(parse_money("TotPrice", &total)?),
        pg_code: code.to_string(),
        pg_message: answer.result_msg(),
        detail: ApprovedDetail::Payment {
            approval_number: answer.get("applNum"),
            card: has_card.then_some(card),
            installment_month: answer.get("CARD_Quota").and_then(|q| q.parse().ok()),
            pg_billing_key: None,
        },
    }))
}

/// An approved INIAPI payment (billing charge, keyed-in): `tid`, `price`, `payDate` +
/// `payTime`, `payAuthCode`, `cardCode`, `cardQuota`.
fn payment(answer: &Answer, code: &str) -> Result<Outcome, PgError> {
    Ok(Outcome::Approved(Approved {
        receipt_url: None,
        pg_tx_id: Some(
            answer
                .get("tid")
                .ok_or_else(|| malformed("tid is missing from an approval"))?,
        ),
        at: match (answer.get("payDate"), answer.get("payTime")) {
            (Some(d), Some(t)) => parse_kst(&format!("{d}{t}")),
            _ => None,
        },
        amount: money(answer, "price")?,
        pg_code: code.to_string(),
        pg_message: answer.result_msg(),
        detail: ApprovedDetail::Payment {
            approval_number: answer.get("payAuthCode"),
            card: answer.get("cardCode").map(|c| CardSummary {
                masked_number: None,
                issuer_code: Some(c),
                issuer_name: None,
                acquirer_code: None,
            }),
            installment_month: answer.get("cardQuota").and_then(|q| q.parse().ok()),
            pg_billing_key: None,
        },
    }))
}

/// The v2 inquiry's state (`transactionStatus`, **reconstructed** names from a public
/// merchant integration's tests): `APPROVAL`, `PART_CANCEL`, `CANCEL`, `WAIT_DEPOSIT`.
pub fn inquiry_report(answer: &Answer) -> Result<TxReport, PgError> {
    let amount = money(answer, "price")?;
    let balance = money(answer, "availablePartCancelPrice")?;
    let state = match answer.get("transactionStatus").as_deref() {
        Some("APPROVAL") => TxState::Approved,
        Some("PART_CANCEL") => TxState::PartiallyCancelled,
        Some("CANCEL") => TxState::Cancelled,
        Some("WAIT_DEPOSIT") => TxState::Pending,
        Some(_) => TxState::Failed,
        None => return Err(malformed("transactionStatus is missing from an inquiry")),
    };
    Ok(TxReport {
        state,
        amount,
        balance,
        pg_tx_id: answer.get("tid"),
    })
}

fn not_found() -> TxReport {
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

/// A decline keeping the raw code and message, classified by [`DECLINE_RULES`].
fn declined(answer: &Answer, code: &str) -> Outcome {
    Outcome::Declined(Declined::new(
        code,
        answer.result_msg(),
        classify(DECLINE_RULES, code),
    ))
}

fn same_order(answer: &Answer, field: &str, payment_id: &str) -> Result<(), PgError> {
    match answer.get(field) {
        Some(m) if m != payment_id => Err(malformed(format!("the answer is for another {field}"))),
        _ => Ok(()),
    }
}

fn malformed(detail: impl Into<String>) -> PgError {
    PgError::MalformedResponse {
        detail: detail.into(),
    }
}

fn parse_money(field: &str, v: &str) -> Result<Money, PgError> {
    v.parse::<i64>()
        .ok()
        .and_then(|n| Money::new(n).ok())
        .ok_or_else(|| malformed(format!("{field} is not an amount")))
}

/// A money field, if present; a non-number is a malformed answer.
pub fn money(answer: &Answer, field: &str) -> Result<Option<Money>, PgError> {
    answer
        .get(field)
        .map(|v| parse_money(field, &v))
        .transpose()
}

/// `yyyyMMddHHmmss` in KST.
pub fn parse_kst(s: &str) -> Option<DateTime<FixedOffset>> {
    let naive = NaiveDateTime::parse_from_str(s, "%Y%m%d%H%M%S").ok()?;
    kst().from_local_datetime(&naive).single()
}

/// `type_msg` of a deposit (INIpay's virtual-account notice, `0200` 입금).
pub const NOTICE_DEPOSIT: &str = "0200";

/// Decode INIpay's virtual-account deposit notice (manual stdpay "가상계좌 입금통보"; the
/// fields as Inicis' samples read them: `no_tid`, `no_oid`, `id_merchant`, `type_msg`,
/// `amt_input`, `dt_trans`, `tm_trans`, `no_vacct`, `nm_input`…), a form POST in EUC-KR.
///
/// **Authentication**: Inicis signs nothing in this notice; its samples accept it only from
/// Inicis' source IPs, which a pure function cannot see. So this checks what it can — the
/// notice names the channel's MID and the fields parse — and answers
/// [`NoticeTrust::Unsigned`]: the gateway must confirm the deposit by inquiry before acting.
pub fn decode_notice(
    channel: &ChannelContext,
    notice: &IncomingNotice<'_>,
) -> Result<PgNotice, PgError> {
    let ch = InicisChannel::from_context(channel)?;
    let refuse = |d: &str| PgError::NoticeRefused { detail: d.into() };
    let pairs = notice
        .form(Charset::Cp949)
        .map_err(|e| refuse(&format!("not a form body: {e}")))?;
    let get = |k: &str| {
        pairs
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.trim().to_string())
            .filter(|v| !v.is_empty())
    };
    let tid = get("no_tid").ok_or_else(|| refuse("no_tid is missing"))?;
    let oid = get("no_oid").ok_or_else(|| refuse("no_oid is missing"))?;
    match get("id_merchant") {
        Some(m) if m == ch.main.mid || m == ch.billing.mid => {}
        Some(_) => return Err(refuse("id_merchant is not this channel's MID")),
        None => return Err(refuse("id_merchant is missing")),
    }
    let kind = get("type_msg").ok_or_else(|| refuse("type_msg is missing"))?;
    let event = if kind == NOTICE_DEPOSIT {
        let amount = match get("amt_input") {
            Some(a) => Some(
                a.parse::<i64>()
                    .ok()
                    .and_then(|n| Money::new(n).ok())
                    .ok_or_else(|| refuse("amt_input is not an amount"))?,
            ),
            None => None,
        };
        let at = match (get("dt_trans"), get("tm_trans")) {
            (Some(d), Some(t)) => parse_kst(&format!("{d}{t}")),
            _ => None,
        };
        NoticeEvent::Deposited { amount, at }
    } else {
        NoticeEvent::StatusChanged { claimed: None }
    };
    let view = pairs
        .iter()
        .map(|(k, v)| {
            let shown = match k.as_str() {
                "nm_input" | "no_vacct" => paymux_core::secret::mask_all(v),
                _ => mask(k, v),
            };
            (k.clone(), shown)
        })
        .collect();
    Ok(PgNotice {
        pg_tx_id: Some(tid),
        order_id: Some(oid),
        event,
        trust: NoticeTrust::Unsigned,
        ack: NoticeAck::text("OK"),
        view,
    })
}
