//! The KSPay side of the simulator: reads a telegram, checks it the way the bean builds it
//! (known `StoreId`, `EncType` 0, one record, field contents) and answers with a mirrored header
//! and one answer record. A frame whose records cannot be read but whose header can is
//! answered with a protocol-error record; anything less is closed without an answer.

use paymux_core::simulator::TestCard;

use super::ledger::{self as books, CancelAsk, Cancelled, Ledger, Lookup, Payment, Refusal};
use super::{is_merchant, webfep::decline, Reply};
use crate::frame::kspay::{
    CardResult, CreditData, Head, Request, RequestRecord, Response, ResponseRecord,
    VirtualAccountResult,
};
use crate::protocol::kspay::{
    approval_type, batch, CANCEL_BY_ORDER, CANCEL_BY_TID, ENC_TYPE_NONE, HEAD_WIDTH, LEN_WIDTH,
    STATUS_DECLINED, STATUS_OK,
};
use crate::protocol::{bank_by_kftc, sim, RESP_OK};
use crate::reconstructed::{
    self, trade_status, KspayInquiryAnswer, KSPAY_INQUIRY_FAMILY, KSPAY_VIRTUAL_ACCOUNT,
    KSPAY_VIR_FIX_GIVEN, KSPAY_VIR_FIX_NONE,
};

/// Handle one frame (length prefix included) at `now` (`yyyyMMddHHmmss`).
pub fn handle(ledger: &mut Ledger, frame: &[u8], now: &str) -> Reply<Vec<u8>> {
    let request = match Request::parse(frame) {
        Ok(r) => r,
        Err(_) => {
            // The header reads: answer with a record of the request's own type.
            return match Request::parse_head(frame) {
                Ok(head) => answer(
                    &head,
                    refusal_of_type(record_type(frame), &protocol_error(), now),
                ),
                Err(_) => Reply::Drop,
            };
        }
    };
    let head = &request.head;
    let Some(record) = request.records.first() else {
        return Reply::Drop;
    };
    let answer_type = reconstructed::kspay_answer_type(record.approval_type());
    let refuse_card = |r: &Refusal| answer(head, card_refusal(&answer_type, r, now));
    if !is_merchant(head.store_id.trim()) {
        return refuse_card(&Refusal {
            code: sim::UNKNOWN_MERCHANT,
            message: "거절/미등록상점",
        });
    }
    if head.enc_type != ENC_TYPE_NONE || request.records.len() != 1 {
        return refuse_card(&protocol_error());
    }
    match record {
        RequestRecord::Credit(c) => credit(ledger, head, c, &answer_type, now),
        RequestRecord::Cancel(c) => {
            let lookup = match c.cancel_type.as_str() {
                CANCEL_BY_TID | CANCEL_BY_TID_BEAN if !c.transaction_no.expose().is_empty() => {
                    Lookup::Tid(c.transaction_no.expose().clone())
                }
                CANCEL_BY_ORDER if c.trade_date.len() == 8 && !c.order_number.is_empty() => {
                    Lookup::Order(c.order_number.clone(), c.trade_date.clone())
                }
                _ => return refuse_card(&protocol_error()),
            };
            let ask = match c.cancel_data.0 {
                None => CancelAsk::Full,
                Some(p) => CancelAsk::Partial {
                    amount: p.amount,
                    seq: p.seq,
                },
            };
            match books::cancel(ledger, &lookup, ask, now) {
                Err(r) => refuse_card(&r),
                Ok(Cancelled::Key(tid)) => answer(
                    head,
                    ResponseRecord::Card(Box::new(card_ok(
                        &answer_type,
                        &tid,
                        now,
                        "00000000",
                        "배치키해지",
                        "정상처리",
                        "",
                        0,
                    ))),
                ),
                Ok(Cancelled::Payment(tid, amount, p)) => answer(
                    head,
                    ResponseRecord::Card(Box::new(card_ok(
                        &answer_type,
                        &tid,
                        now,
                        &p.extra.approval_no,
                        "취소완료",
                        "정상처리",
                        "",
                        amount,
                    ))),
                ),
            }
        }
        RequestRecord::VirtualAccount(v) => {
            let refuse_va =
                |r: &Refusal| answer(head, va_refusal(&answer_type, v.bank_code.clone(), r, now));
            let Some(bank) = bank_by_kftc(v.bank_code.trim()) else {
                return refuse_va(&protocol_error());
            };
            if v.close_date.len() != 8 || v.close_time.len() != 6 {
                return refuse_va(&Refusal {
                    code: "B013",
                    message: "발급거절/마감일자정보없음",
                });
            }
            let fixed = match v.vir_fix_sele.as_str() {
                KSPAY_VIR_FIX_NONE => None,
                KSPAY_VIR_FIX_GIVEN if !v.vir_acct_no.is_empty() => Some(v.vir_acct_no.as_str()),
                _ => return refuse_va(&protocol_error()),
            };
            if v.amount == 0 {
                return refuse_va(&protocol_error());
            }
            match books::issue_account(ledger, head.order_number.trim(), v.amount, fixed, now) {
                Err(r) => refuse_va(&r),
                Ok(p) => answer(
                    head,
                    ResponseRecord::VirtualAccount(VirtualAccountResult {
                        approval_type: answer_type.clone(),
                        transaction_no: p.tid.clone(),
                        status: STATUS_OK.into(),
                        trade_date: now[..8].into(),
                        trade_time: now[8..].into(),
                        bank_code: bank.kftc.into(),
                        vir_acct_no: p.account.clone().map(|a| a.number).unwrap_or_default(),
                        name: "(T)페이먹스상점".into(),
                        close_date: v.close_date.clone(),
                        close_time: v.close_time.clone(),
                        resp_code: RESP_OK.into(),
                        message1: "계좌요청완료".into(),
                        message2: bank.name.into(),
                        filler: String::new(),
                    }),
                ),
            }
        }
        RequestRecord::Inquiry(q) => {
            let lookup = match q.inquiry_type.as_str() {
                "1" => Lookup::Tid(q.transaction_no.clone()),
                "2" => Lookup::Order(q.order_number.clone(), q.trade_date.clone()),
                _ => return refuse_card(&protocol_error()),
            };
            let record = match books::find(ledger, &lookup) {
                None => inquiry_refusal(
                    &answer_type,
                    &Refusal {
                        code: sim::NOT_FOUND,
                        message: "조회거절/원거래없음",
                    },
                    now,
                ),
                Some(p) => inquiry_answer(&answer_type, p),
            };
            answer(head, ResponseRecord::Inquiry(record))
        }
    }
}

fn credit(
    ledger: &mut Ledger,
    head: &Head,
    c: &CreditData,
    answer_type: &str,
    now: &str,
) -> Reply<Vec<u8>> {
    let refuse_card = |r: &Refusal| answer(head, card_refusal(answer_type, r, now));
    let old_cert = c.approval_type == approval_type::CARD_OLD_CERT;
    let batch_use = c.batch_use_type == batch::ON;
    let track2 = c.track2.expose();
    // Batch issue (reconstructed): 1300 of 0 with BatchUseType 1. Batch charge: 1000 with the
    // key in TrackII.
    let (card, expiry) = if batch_use && !old_cert {
        match books::key_card(ledger, track2.trim()) {
            Some(card) => (card, String::new()),
            None => {
                return refuse_card(&Refusal {
                    code: sim::KEY_NOT_FOUND,
                    message: "승인거절/배치키없음",
                })
            }
        }
    } else {
        let Some((card, expiry)) = track2.split_once('=') else {
            return refuse_card(&protocol_error());
        };
        let month = expiry.get(2..).and_then(|m| m.parse::<u32>().ok());
        if !(13..=19).contains(&card.len())
            || !card.bytes().all(|b| b.is_ascii_digit())
            || expiry.len() != 4
            || !month.is_some_and(|m| (1..=12).contains(&m))
        {
            return refuse_card(&protocol_error());
        }
        (card.to_string(), expiry.to_string())
    };
    if old_cert {
        let pw = c.passwd.expose();
        let id = c.id_num.expose();
        if pw.len() != 2 || !(id.len() == 6 || id.len() == 10) {
            return refuse_card(&protocol_error());
        }
    }
    let behaviour = TestCard::of(&card);
    match behaviour {
        TestCard::Drop => return Reply::Drop,
        TestCard::Declined => return refuse_card(&decline(behaviour)),
        TestCard::InsufficientFunds if !(batch_use && old_cert) => {
            return refuse_card(&decline(behaviour))
        }
        _ => {}
    }
    let masked = crate::simulator::webfep::mask(&card);
    if batch_use && old_cert {
        if c.amount != 0 {
            return refuse_card(&protocol_error());
        }
        let key = books::issue_key(ledger, &card);
        return answer(
            head,
            ResponseRecord::Card(Box::new(card_ok(
                answer_type,
                &key,
                now,
                "00000000",
                "배치등록완료",
                "정상처리",
                &masked,
                0,
            ))),
        );
    }
    if c.amount == 0 {
        return refuse_card(&protocol_error());
    }
    let p = match books::approve(ledger, head.order_number.trim(), c.amount, now) {
        Ok(p) => p,
        Err(r) => return refuse_card(&r),
    };
    let mut record = card_ok(
        answer_type,
        &p.tid,
        now,
        &p.extra.approval_no,
        "현대카드",
        &format!("OK: {}", p.extra.approval_no),
        &masked,
        c.amount,
    );
    record.exp_date = expiry;
    record.installment = format!("{:02}", c.installment);
    let reply = answer(head, ResponseRecord::Card(Box::new(record)));
    match (behaviour, reply) {
        (TestCard::ApproveLate, Reply::Answer(bytes)) => Reply::AnswerLate(bytes),
        (_, reply) => reply,
    }
}

fn inquiry_answer(answer_type: &str, p: &Payment) -> KspayInquiryAnswer {
    KspayInquiryAnswer {
        approval_type: answer_type.into(),
        transaction_no: p.tid.clone(),
        status: STATUS_OK.into(),
        trade_date: p.approved_at.get(..8).unwrap_or_default().into(),
        trade_time: p.approved_at.get(8..).unwrap_or_default().into(),
        trade_status: trade_status::letter(books::status(p)).into(),
        amount: format!("{:09}", p.amount.get()),
        cancel_amount: format!("{:09}", p.cancelled.get()),
        resp_code: RESP_OK.into(),
        message1: "조회완료".into(),
        message2: String::new(),
        filler: String::new(),
    }
}

#[allow(clippy::too_many_arguments)]
fn card_ok(
    answer_type: &str,
    tid: &str,
    now: &str,
    auth_no: &str,
    m1: &str,
    m2: &str,
    card_no: &str,
    amount: u64,
) -> CardResult {
    CardResult {
        approval_type: answer_type.into(),
        transaction_no: tid.into(),
        status: STATUS_OK.into(),
        trade_date: now[..8].into(),
        trade_time: now[8..].into(),
        iss_code: "000007".into(),
        aqu_code: "000007".into(),
        auth_no: auth_no.into(),
        message1: m1.into(),
        message2: m2.into(),
        card_no: card_no.into(),
        installment: "00".into(),
        amount: format!("{amount:09}"),
        approval_send_type: "1".into(),
        points: std::array::from_fn(|_| "000000000000".to_string()),
        ..CardResult::default()
    }
}

fn card_refusal(answer_type: &str, r: &Refusal, now: &str) -> ResponseRecord {
    let (m1, m2) = split(r.message);
    ResponseRecord::Card(Box::new(CardResult {
        approval_type: answer_type.into(),
        status: STATUS_DECLINED.into(),
        trade_date: now[..8].into(),
        trade_time: now[8..].into(),
        auth_no: r.code.into(),
        message1: m1,
        message2: m2,
        approval_send_type: "0".into(),
        points: std::array::from_fn(|_| "000000000000".to_string()),
        ..CardResult::default()
    }))
}

/// `CancelType` 1: by transaction number, as the bean's comment and the vendor's Java client
/// document it ("1:거래번호, 2:주문번호"); the samples send `0` ([`CANCEL_BY_TID`]). Both are
/// accepted.
const CANCEL_BY_TID_BEAN: &str = "1";

/// The `ApprovalType` of a frame's first record, read without parsing it (`1000` when the
/// frame is too short or it is not ASCII digits and letters).
fn record_type(frame: &[u8]) -> &str {
    frame
        .get(LEN_WIDTH + HEAD_WIDTH..LEN_WIDTH + HEAD_WIDTH + 4)
        .and_then(|b| std::str::from_utf8(b).ok())
        .filter(|t| t.bytes().all(|b| b.is_ascii_alphanumeric()))
        .unwrap_or(approval_type::CARD_KEYED)
}

/// A refusal written as the answer record of a request of type `request_type`: a
/// virtual-account record for `6000`, an inquiry record for the `A8…` family, a card record
/// otherwise (cards and cancels).
fn refusal_of_type(request_type: &str, r: &Refusal, now: &str) -> ResponseRecord {
    let answer_type = reconstructed::kspay_answer_type(request_type);
    match request_type {
        KSPAY_VIRTUAL_ACCOUNT => va_refusal(&answer_type, String::new(), r, now),
        t if t.starts_with(KSPAY_INQUIRY_FAMILY) => {
            ResponseRecord::Inquiry(inquiry_refusal(&answer_type, r, now))
        }
        _ => card_refusal(&answer_type, r, now),
    }
}

fn va_refusal(answer_type: &str, bank_code: String, r: &Refusal, now: &str) -> ResponseRecord {
    let (m1, m2) = split(r.message);
    ResponseRecord::VirtualAccount(VirtualAccountResult {
        approval_type: answer_type.into(),
        status: STATUS_DECLINED.into(),
        trade_date: now[..8].into(),
        trade_time: now[8..].into(),
        bank_code,
        resp_code: r.code.into(),
        message1: m1,
        message2: m2,
        ..VirtualAccountResult::default()
    })
}

fn inquiry_refusal(answer_type: &str, r: &Refusal, now: &str) -> KspayInquiryAnswer {
    let (m1, m2) = split(r.message);
    KspayInquiryAnswer {
        approval_type: answer_type.into(),
        status: STATUS_DECLINED.into(),
        trade_date: now[..8].into(),
        trade_time: now[8..].into(),
        resp_code: r.code.into(),
        message1: m1,
        message2: m2,
        ..KspayInquiryAnswer::default()
    }
}

fn protocol_error() -> Refusal {
    Refusal {
        code: sim::INVALID_REQUEST,
        message: "거절/전문오류",
    }
}

/// `승인거절/카드사거절` → (`승인거절`, `카드사거절`): the two 16-byte message fields.
fn split(message: &str) -> (String, String) {
    match message.split_once('/') {
        Some((a, b)) => (a.to_string(), b.to_string()),
        None => (message.to_string(), String::new()),
    }
}

fn answer(head: &Head, record: ResponseRecord) -> Reply<Vec<u8>> {
    let response = Response {
        head: Head {
            approval_count: "1".into(),
            ..head.clone()
        },
        records: vec![record],
    };
    match response.to_frame() {
        Ok(bytes) => Reply::Answer(bytes),
        Err(_) => Reply::Drop,
    }
}
