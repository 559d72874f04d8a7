//! WEBFEP answer → [`Answer`].
//!
//! - `A0200` with `data.respCode` `0000`: approved (the reference: "A0200 … 유일한 성공값").
//! - `A0201` with a `data.respCode`: declined with that code.
//! - `A0400`, `A0401`, `A0403`: refused at the gate (parameters, key, protocol), declined with
//!   the envelope code.
//! - `A0500` (server error), `A0999` (other), any other code, or a success envelope whose
//!   `respCode` is not `0000` (or a failure envelope whose `respCode` is): ambiguous → the
//!   outcome is unknown (a malformed-answer error).
//! - `data.payload` echoes what was sent: a different one answers another request.

use paymux_core::adapter::{PgRequest, WireRequest, WireResponse};
use paymux_core::error::PgError;

use super::{amount_of, card_summary, malformed, AccountAnswer, Answer, InquiryAnswer};
use crate::frame::webfep::{Envelope, ResultData};
use crate::protocol::webfep::code;
use crate::protocol::{bank_by_portone, RESP_OK};

/// Read a WEBFEP answer.
pub fn read(req: &PgRequest, sent: &WireRequest, resp: &WireResponse) -> Result<Answer, PgError> {
    let mut envelope: Envelope = serde_json::from_slice(&resp.body).map_err(|_| {
        malformed(&format!(
            "the answer (HTTP {}) is not KSNET's JSON envelope",
            resp.status.map_or("-".to_string(), |s| s.to_string())
        ))
    })?;
    // `data` is taken, not cloned: nothing reads it from the envelope afterwards.
    let data: Option<ResultData> = match envelope.data.take() {
        None | Some(serde_json::Value::Null) => None,
        Some(v) => Some(
            serde_json::from_value(v)
                .map_err(|_| malformed("the answer's data is not an object of KSNET's fields"))?,
        ),
    };
    if let (Some(d), Some(expected)) = (&data, expected_payload(req)) {
        if let Some(p) = d.payload.as_deref().filter(|p| !p.is_empty()) {
            if p != expected {
                return Err(malformed("the answer's payload belongs to another request"));
            }
        }
    }
    let resp_code = data
        .as_ref()
        .and_then(|d| d.resp_code.clone())
        .filter(|c| !c.trim().is_empty());
    let message = data
        .as_ref()
        .and_then(|d| d.resp_message.clone())
        .or_else(|| envelope.message.clone())
        .unwrap_or_default();
    let mut a = Answer {
        message,
        ..Answer::default()
    };
    match envelope.code.as_str() {
        code::SUCCESS => match resp_code.as_deref() {
            Some(RESP_OK) => {
                a.approved = true;
                a.code = RESP_OK.to_string();
            }
            _ => {
                return Err(malformed(
                    "A0200 (success) without respCode 0000: the outcome is ambiguous",
                ))
            }
        },
        code::FAILURE => match resp_code {
            Some(c) if c != RESP_OK => a.code = c,
            _ => {
                return Err(malformed(
                    "A0201 (failure) without a failure respCode: the outcome is ambiguous",
                ))
            }
        },
        code::BAD_PARAMETER | code::AUTH_ERROR | code::PROTOCOL_ERROR => {
            a.code = envelope.code.clone();
            if a.message.is_empty() {
                a.message = envelope.message.clone().unwrap_or_default();
            }
            return Ok(a);
        }
        other => {
            return Err(malformed(&format!(
                "KSNET answered {} ({}): the outcome is unknown",
                if other.is_empty() { "no code" } else { other },
                match other {
                    code::SERVER_ERROR => "server error",
                    code::OTHER_ERROR => "other error",
                    _ => "an undocumented code",
                }
            )))
        }
    }
    let Some(d) = data else {
        return if a.approved {
            Err(malformed("an approval without data"))
        } else {
            Ok(a)
        };
    };
    fill(&mut a, req, &d)?;
    if let Some(va) = &mut a.virtual_account {
        // The answer has no deadline; the request carried it.
        va.close = serde_json::from_slice::<serde_json::Value>(&sent.body)
            .ok()
            .and_then(|v| v.get("closeDateTime")?.as_str().map(str::to_string))
            .filter(|s| !s.is_empty());
    }
    Ok(a)
}

fn fill(a: &mut Answer, req: &PgRequest, d: &ResultData) -> Result<(), PgError> {
    let nonblank = |s: &Option<String>| {
        s.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    a.tid = nonblank(&d.tid);
    a.at = nonblank(&d.trade_date_time);
    a.approval_number = nonblank(&d.approval_numb);
    a.installment = nonblank(&d.install_month).and_then(|m| m.parse().ok());
    a.card = card_summary(
        d.card_numb.as_deref(),
        d.issuer_card_type.as_deref(),
        d.issuer_card_name.as_deref(),
        d.purchase_card_type.as_deref(),
    );
    let is_cancel = matches!(req, PgRequest::Cancel(_) | PgRequest::DeleteBillingKey(_));
    a.amount = if is_cancel {
        amount_of("cancelAmount", d.cancel_amount.as_deref())?
    } else {
        amount_of("totalAmount", d.total_amount.as_deref())?
    };
    if d.virtual_account_numb.is_some() || d.bank_type.is_some() {
        a.virtual_account = Some(AccountAnswer {
            bank: nonblank(&d.bank_type).map(|b| {
                bank_by_portone(&b)
                    .map(|x| x.portone.to_string())
                    .unwrap_or(b)
            }),
            number: nonblank(&d.virtual_account_numb),
            holder: nonblank(&d.account_holder),
            close: None,
        });
    }
    if matches!(req, PgRequest::Get(_)) {
        a.inquiry = Some(InquiryAnswer {
            status: nonblank(&d.trade_status),
            amount: amount_of("totalAmount", d.total_amount.as_deref())?,
            cancelled: amount_of("cancelAmount", d.cancel_amount.as_deref())?,
        });
    }
    Ok(())
}

/// The `payload` the request carried (see the encoders): the paymentId or billing-key id.
fn expected_payload(req: &PgRequest) -> Option<&str> {
    req.payment_id().or_else(|| req.billing_key_id())
}
