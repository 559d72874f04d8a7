//! KSPay answer → [`Answer`].
//!
//! The answer must be for the request sent: same `StoreId` and `OrderNumber` in the mirrored
//! header, and a record of the kind the request calls for (card answer to an approval or
//! cancel, virtual-account answer to an issue, inquiry answer to an inquiry). `Status` `O` is
//! approved, `X` declined with the error code in `AuthNo` (card, "승인번호 or 거절시
//! 오류코드") or `RespCode` (virtual account, inquiry).

use paymux_core::adapter::{WireRequest, WireResponse};
use paymux_core::error::PgError;

use super::{amount_of, card_summary, malformed, AccountAnswer, Answer, InquiryAnswer};
use crate::frame::kspay::{Request, RequestRecord, Response, ResponseRecord};
use crate::protocol::kspay::{STATUS_DECLINED, STATUS_OK};
use crate::protocol::trade_status;
use crate::protocol::{bank_by_kftc, RESP_OK};

/// Read a KSPay answer to the frame `sent`.
pub fn read(sent: &WireRequest, resp: &WireResponse) -> Result<Answer, PgError> {
    // What was sent, read back from the frame this adapter encoded (fixed-width fields: a
    // plain parse, no cipher).
    let request = Request::parse(&sent.body)
        .map_err(|e| malformed(&format!("the request sent cannot be re-read: {e}")))?;
    let answer = Response::parse(&resp.body).map_err(|e| malformed(&e.to_string()))?;
    if answer.head.store_id.trim() != request.head.store_id.trim() {
        return Err(malformed("the answer is for another StoreId"));
    }
    if answer.head.order_number.trim() != request.head.order_number.trim() {
        return Err(malformed("the answer is for another OrderNumber"));
    }
    let (Some(asked), Some(got)) = (request.records.first(), answer.records.first()) else {
        return Err(malformed("the answer has no record"));
    };
    match (asked, got) {
        (RequestRecord::Credit(_) | RequestRecord::Cancel(_), ResponseRecord::Card(c)) => {
            let approved = status(&c.status)?;
            let code = if approved {
                STATUS_OK.to_string()
            } else {
                c.auth_no.trim().to_string()
            };
            Ok(Answer {
                approved,
                code,
                message: message(&c.message1, &c.message2),
                tid: nonblank(&c.transaction_no),
                at: datetime(&c.trade_date, &c.trade_time),
                amount: if approved {
                    amount_of("Amount", Some(&c.amount))?
                } else {
                    None
                },
                approval_number: if approved { nonblank(&c.auth_no) } else { None },
                card: card_summary(Some(&c.card_no), Some(&c.iss_code), None, Some(&c.aqu_code)),
                installment: c.installment.trim().parse().ok(),
                virtual_account: None,
                inquiry: None,
            })
        }
        (RequestRecord::VirtualAccount(_), ResponseRecord::VirtualAccount(v)) => {
            let ok = status(&v.status)?;
            let code = v.resp_code.trim().to_string();
            let approved = ok && (code.is_empty() || code == RESP_OK);
            Ok(Answer {
                approved,
                code: if code.is_empty() {
                    if ok {
                        RESP_OK.into()
                    } else {
                        STATUS_DECLINED.into()
                    }
                } else {
                    code
                },
                message: message(&v.message1, &v.message2),
                tid: nonblank(&v.transaction_no),
                at: datetime(&v.trade_date, &v.trade_time),
                amount: None,
                virtual_account: Some(AccountAnswer {
                    bank: nonblank(&v.bank_code)
                        .map(|b| bank_by_kftc(&b).map(|x| x.portone.to_string()).unwrap_or(b)),
                    number: nonblank(&v.vir_acct_no),
                    holder: nonblank(&v.name),
                    close: datetime(&v.close_date, &v.close_time),
                }),
                ..Answer::default()
            })
        }
        (RequestRecord::Inquiry(_), ResponseRecord::Inquiry(q)) => {
            let approved = status(&q.status)?;
            Ok(Answer {
                approved,
                code: if q.resp_code.trim().is_empty() {
                    q.status.trim().to_string()
                } else {
                    q.resp_code.trim().to_string()
                },
                message: message(&q.message1, &q.message2),
                tid: nonblank(&q.transaction_no),
                at: datetime(&q.trade_date, &q.trade_time),
                inquiry: approved
                    .then(|| -> Result<InquiryAnswer, PgError> {
                        Ok(InquiryAnswer {
                            status: trade_status::of_letter(q.trade_status.trim())
                                .map(str::to_string),
                            amount: amount_of("Amount", Some(&q.amount))?,
                            cancelled: amount_of("CancelAmount", Some(&q.cancel_amount))?,
                        })
                    })
                    .transpose()?,
                ..Answer::default()
            })
        }
        _ => Err(malformed(&format!(
            "the answer's record does not answer a {} record",
            asked.approval_type()
        ))),
    }
}

fn status(s: &str) -> Result<bool, PgError> {
    match s.trim() {
        STATUS_OK => Ok(true),
        STATUS_DECLINED => Ok(false),
        _ => Err(malformed("Status is neither O nor X")),
    }
}

fn nonblank(s: &str) -> Option<String> {
    Some(s.trim().to_string()).filter(|s| !s.is_empty())
}

/// The non-blank messages, joined by a space.
fn message(m1: &str, m2: &str) -> String {
    match (m1.trim(), m2.trim()) {
        ("", m) | (m, "") => m.to_string(),
        (a, b) => [a, " ", b].concat(),
    }
}

/// `yyyyMMdd` + `HHmmss`, when together they are 14 bytes (built only then).
fn datetime(date: &str, time: &str) -> Option<String> {
    let (d, t) = (date.trim(), time.trim());
    (d.len() + t.len() == 14).then(|| [d, t].concat())
}
