//! The WEBFEP side of the simulator: checks a request the way the reference describes
//! (POST, JSON, `Authorization: pgapi {key}` of a known merchant whose `mid` the body repeats,
//! field sizes in EUC-KR bytes) and answers with the `{aid, code, message, data}` envelope.

use paymux_core::simulator::TestCard;
use paymux_core::wire::{charset, Charset};
use serde::de::DeserializeOwned;
use serde_json::Value;

use paymux_core::simulator::http::Request as HttpRequest;

use super::ledger::{self as books, CancelAsk, Cancelled, Ledger, Lookup, Refusal};
use super::{merchant_of_key, Reply};
use crate::frame::webfep::{
    envelope, CancelRequest, CardCertRequest, CardPayRequest, ResultData, VaccountRequest,
};
use crate::protocol::webfep::{
    cancel_type, code, trade_key_type, virt_account_type, AUTH_SCHEME, CARD_CANCEL, CARD_CERT,
    CARD_PAY_NONCERT, CARD_PAY_OLDCERT, PATH_PREFIX, VACCOUNT_PERMANENT,
};
use crate::protocol::{bank_by_portone, sim, width, RESP_OK, SIM_CARD_TYPE};
use crate::reconstructed::{WebfepInquiryRequest, WEBFEP_BATCH_USE, WEBFEP_INQUIRY};

/// An HTTP answer: status and JSON body.
pub type HttpReply = Reply<(u16, Vec<u8>)>;

/// Handle one request at `now` (`yyyyMMddHHmmss`).
pub fn handle(ledger: &mut Ledger, req: &HttpRequest, now: &str) -> HttpReply {
    let aid = format!("WFVSIM{:018}", ledger.next_number());
    match route(ledger, req, now, &aid) {
        Ok(reply) => reply,
        Err((status, c, message)) => {
            Reply::Answer((status, bytes(&envelope(&aid, c, &message, None))))
        }
    }
}

type Gate = (u16, &'static str, String);

fn gate(status: u16, c: &'static str, message: impl Into<String>) -> Gate {
    (status, c, message.into())
}

fn route(ledger: &mut Ledger, req: &HttpRequest, now: &str, aid: &str) -> Result<HttpReply, Gate> {
    if req.method != "POST" {
        return Err(gate(405, code::PROTOCOL_ERROR, "POST only"));
    }
    let api = req
        .path
        .strip_prefix(PATH_PREFIX)
        .ok_or_else(|| gate(404, code::PROTOCOL_ERROR, "unknown API path"))?
        .to_string();
    if !req
        .header("content-type")
        .is_some_and(|c| c.to_ascii_lowercase().starts_with("application/json"))
    {
        return Err(gate(
            200,
            code::PROTOCOL_ERROR,
            "Content-Type must be application/json",
        ));
    }
    let key = req
        .header("authorization")
        .and_then(|a| a.strip_prefix(AUTH_SCHEME))
        .and_then(|a| a.strip_prefix(' '))
        .ok_or_else(|| {
            gate(
                200,
                code::AUTH_ERROR,
                "Authorization: pgapi {key} is required",
            )
        })?;
    let mid =
        merchant_of_key(key).ok_or_else(|| gate(200, code::AUTH_ERROR, "unknown pgapi key"))?;
    let body: Value = serde_json::from_slice(&req.body)
        .ok()
        .filter(Value::is_object)
        .ok_or_else(|| gate(200, code::PROTOCOL_ERROR, "the body is not a JSON object"))?;
    if body.get("mid").and_then(Value::as_str) != Some(mid) {
        return Err(gate(
            200,
            code::AUTH_ERROR,
            "mid does not belong to the pgapi key",
        ));
    }
    let ok = |data: ResultData| -> HttpReply { Reply::Answer((200, bytes(&success(aid, data)))) };
    match api.as_str() {
        CARD_PAY_NONCERT | CARD_PAY_OLDCERT => {
            let r: CardPayRequest = parse(&body)?;
            pay(ledger, &r, api == CARD_PAY_OLDCERT, now, aid)
        }
        CARD_CERT => {
            let r: CardCertRequest = parse(&body)?;
            check_order(&r.order_numb, &r.user_name, &r.product_name)?;
            check_card(r.card_numb.expose(), &r.expiry_date)?;
            check_old_cert(Some(r.password2.expose()), Some(r.user_info.expose()))?;
            match TestCard::of(r.card_numb.expose()) {
                TestCard::Drop => return Ok(Reply::Drop),
                TestCard::Declined => {
                    return Ok(fail(aid, &r.payload, &decline(TestCard::Declined), now))
                }
                _ => {}
            }
            let key = books::issue_key(ledger, r.card_numb.expose());
            Ok(ok(ResultData {
                payload: Some(r.payload.clone()),
                tid: Some(key),
                trade_date_time: Some(now.into()),
                total_amount: Some(String::new()),
                resp_code: Some(RESP_OK.into()),
                resp_message: Some(format!("{}/OK: 00000000", SIM_CARD_TYPE.1)),
                card_numb: Some(mask(r.card_numb.expose())),
                approval_numb: Some("00000000".into()),
                card_type: Some("CREDIT".into()),
                ..issuer()
            }))
        }
        CARD_CANCEL => {
            let r: CancelRequest = parse(&body)?;
            let lookup = lookup(
                &r.org_trade_key_type,
                r.org_trade_key.expose(),
                &r.org_trade_date,
            )?;
            let ask = match r.cancel_type.as_str() {
                cancel_type::FULL => CancelAsk::Full,
                cancel_type::PARTIAL => CancelAsk::Partial {
                    amount: digits(&r.cancel_total_amount, 9, "cancelTotalAmount")?,
                    seq: u32::try_from(digits(&r.cancel_seq, 1, "cancelSeq")?).unwrap_or(0),
                },
                _ => return Err(bad("cancelType must be FULL or PARTIAL")),
            };
            if !r.cancel_tax_free_amount.is_empty() {
                digits(&r.cancel_tax_free_amount, 9, "cancelTaxFreeAmount")?;
            }
            match books::cancel(ledger, &lookup, ask, now) {
                Err(refusal) => Ok(fail(aid, &r.payload, &refusal, now)),
                Ok(Cancelled::Key(tid)) => Ok(ok(ResultData {
                    payload: Some(r.payload.clone()),
                    tid: Some(tid),
                    trade_date_time: Some(now.into()),
                    cancel_amount: Some("0".into()),
                    resp_code: Some(RESP_OK.into()),
                    resp_message: Some("승인취소완료/배치키해지".into()),
                    ..ResultData::default()
                })),
                Ok(Cancelled::Payment(tid, amount, p)) => Ok(ok(ResultData {
                    payload: Some(r.payload.clone()),
                    tid: Some(tid),
                    trade_date_time: Some(now.into()),
                    cancel_amount: Some(amount.to_string()),
                    resp_code: Some(RESP_OK.into()),
                    resp_message: Some("승인취소완료/매입취소요청".into()),
                    approval_numb: Some(p.extra.approval_no),
                    install_month: Some(String::new()),
                    ..issuer()
                })),
            }
        }
        VACCOUNT_PERMANENT => {
            let r: VaccountRequest = parse(&body)?;
            check_order(&r.order_numb, &r.order_name, &r.good_name)?;
            let amount = digits(&r.total_amount, 9, "totalAmount")?;
            let bank =
                bank_by_portone(&r.bank_type).ok_or_else(|| bad("bankType is not a bank type"))?;
            let fixed = match r.virt_account_type.as_str() {
                virt_account_type::NORMAL => None,
                virt_account_type::PERMANENT => {
                    digits(
                        &r.virt_account_numb,
                        width::VIRTUAL_ACCOUNT,
                        "virtAccountNumb",
                    )?;
                    Some(r.virt_account_numb.as_str())
                }
                _ => return Err(bad("virtAccountType must be 0 or 2")),
            };
            if r.close_date_time.is_empty() {
                // The reference's own example of a refusal.
                return Ok(fail(
                    aid,
                    &r.payload,
                    &Refusal {
                        code: "B013",
                        message: "발급거절/마감일자정보없음",
                    },
                    now,
                ));
            }
            if r.close_date_time.len() != 14
                || !r.close_date_time.bytes().all(|b| b.is_ascii_digit())
            {
                return Err(bad("closeDateTime must be YYYYMMDDHHMISS"));
            }
            if r.close_date_time.as_str() <= now {
                return Ok(fail(
                    aid,
                    &r.payload,
                    &Refusal {
                        code: "B013",
                        message: "발급거절/마감일시경과",
                    },
                    now,
                ));
            }
            match books::issue_account(ledger, &r.order_numb, amount, fixed, now) {
                Err(refusal) => Ok(fail(aid, &r.payload, &refusal, now)),
                Ok(p) => Ok(ok(ResultData {
                    payload: Some(r.payload.clone()),
                    tid: Some(p.tid),
                    trade_date_time: Some(now.into()),
                    total_amount: Some(amount.to_string()),
                    resp_code: Some(RESP_OK.into()),
                    resp_message: Some("계좌요청완료".into()),
                    bank_type: Some(bank.portone.into()),
                    bank_name: Some(bank.name.into()),
                    virtual_account_numb: p.account.map(|a| a.number),
                    account_holder: Some("(T)페이먹스상점".into()),
                    ..ResultData::default()
                })),
            }
        }
        WEBFEP_INQUIRY => {
            let r: WebfepInquiryRequest = parse(&body)?;
            let lookup = lookup(&r.org_trade_key_type, &r.org_trade_key, &r.org_trade_date)?;
            match books::find(ledger, &lookup) {
                None => Ok(fail(
                    aid,
                    &r.payload,
                    &Refusal {
                        code: sim::NOT_FOUND,
                        message: "조회거절/원거래없음",
                    },
                    now,
                )),
                Some(p) => Ok(ok(ResultData {
                    payload: Some(r.payload.clone()),
                    tid: Some(p.tid.clone()),
                    trade_date_time: Some(p.approved_at.clone()),
                    total_amount: Some(p.amount.to_string()),
                    cancel_amount: Some(p.cancelled.to_string()),
                    resp_code: Some(RESP_OK.into()),
                    resp_message: Some("조회완료".into()),
                    trade_status: Some(books::status(p).into()),
                    ..ResultData::default()
                })),
            }
        }
        _ => Err(gate(404, code::PROTOCOL_ERROR, "unknown API path")),
    }
}

fn pay(
    ledger: &mut Ledger,
    r: &CardPayRequest,
    old_cert: bool,
    now: &str,
    aid: &str,
) -> Result<HttpReply, Gate> {
    check_order(&r.order_numb, &r.user_name, &r.product_name)?;
    if r.product_type != "REAL" && r.product_type != "DIGITAL" {
        return Err(bad("productType must be REAL or DIGITAL"));
    }
    if r.currency_type != "KRW" && r.currency_type != "USD" {
        return Err(bad("currencyType must be KRW or USD"));
    }
    let amount = digits(&r.total_amount, 9, "totalAmount")?;
    if amount == 0 {
        return Err(bad("totalAmount must be greater than 0"));
    }
    for (v, name) in [(&r.tax_free_amount, "taxFreeAmount"), (&r.tax, "tax")] {
        if let Some(v) = v {
            digits(v, 9, name)?;
        }
    }
    digits(&r.install_month, 2, "installMonth")?;
    if r.install_month.len() != 2 {
        return Err(bad("installMonth must be 2 digits"));
    }
    let batch = r.batch_use_type.as_deref() == Some(WEBFEP_BATCH_USE);
    let card = if batch {
        match books::key_card(ledger, r.card_numb.expose()) {
            Some(c) => c,
            None => {
                return Ok(fail(
                    aid,
                    &r.payload,
                    &Refusal {
                        code: sim::KEY_NOT_FOUND,
                        message: "승인거절/배치키없음",
                    },
                    now,
                ))
            }
        }
    } else {
        check_card(r.card_numb.expose(), &r.expiry_date)?;
        r.card_numb.expose().clone()
    };
    if old_cert {
        check_old_cert(
            r.password2.as_ref().map(|s| s.expose().as_str()),
            r.user_info.as_ref().map(|s| s.expose().as_str()),
        )?;
    }
    let behaviour = TestCard::of(&card);
    match behaviour {
        TestCard::Drop => return Ok(Reply::Drop),
        TestCard::Declined | TestCard::InsufficientFunds => {
            return Ok(fail(aid, &r.payload, &decline(behaviour), now))
        }
        TestCard::Approve | TestCard::ApproveLate => {}
    }
    let p = match books::approve(ledger, &r.order_numb, amount, now) {
        Ok(p) => p,
        Err(refusal) => return Ok(fail(aid, &r.payload, &refusal, now)),
    };
    let data = ResultData {
        payload: Some(r.payload.clone()),
        tid: Some(p.tid),
        trade_date_time: Some(now.into()),
        total_amount: Some(amount.to_string()),
        resp_code: Some(RESP_OK.into()),
        resp_message: Some(format!("{}/OK: {}", SIM_CARD_TYPE.1, p.extra.approval_no)),
        card_numb: Some(mask(&card)),
        approval_numb: Some(p.extra.approval_no),
        expiry_date: Some(String::new()),
        install_month: Some(r.install_month.clone()),
        card_type: Some("CREDIT".into()),
        part_cancel_yn: Some("Y".into()),
        ..issuer()
    };
    let answer = (200, bytes(&success(aid, data)));
    Ok(if behaviour == TestCard::ApproveLate {
        Reply::AnswerLate(answer)
    } else {
        Reply::Answer(answer)
    })
}

/// The refusal of a declining test card.
pub fn decline(card: TestCard) -> Refusal {
    match card {
        TestCard::InsufficientFunds => Refusal {
            code: sim::INSUFFICIENT_FUNDS,
            message: "승인거절/잔액부족",
        },
        _ => Refusal {
            code: sim::CARD_DECLINED,
            message: "승인거절/카드사거절",
        },
    }
}

fn issuer() -> ResultData {
    ResultData {
        issuer_card_type: Some(SIM_CARD_TYPE.0.into()),
        issuer_card_name: Some(SIM_CARD_TYPE.1.into()),
        purchase_card_type: Some(SIM_CARD_TYPE.0.into()),
        purchase_card_name: Some(SIM_CARD_TYPE.1.into()),
        ..ResultData::default()
    }
}

fn success(aid: &str, data: ResultData) -> Value {
    envelope(
        aid,
        code::SUCCESS,
        "Success",
        serde_json::to_value(data).ok(),
    )
}

fn fail(aid: &str, payload: &str, refusal: &Refusal, now: &str) -> HttpReply {
    let data = ResultData {
        payload: Some(payload.to_string()),
        tid: Some(String::new()),
        trade_date_time: Some(now.into()),
        resp_code: Some(refusal.code.into()),
        resp_message: Some(refusal.message.into()),
        ..ResultData::default()
    };
    Reply::Answer((
        200,
        bytes(&envelope(
            aid,
            code::FAILURE,
            "Fail",
            serde_json::to_value(data).ok(),
        )),
    ))
}

fn bytes(v: &Value) -> Vec<u8> {
    serde_json::to_vec(v).unwrap_or_default()
}

fn bad(message: impl Into<String>) -> Gate {
    gate(200, code::BAD_PARAMETER, message)
}

/// Deserialize a body; serde's message names the field, never a value.
fn parse<T: DeserializeOwned>(body: &Value) -> Result<T, Gate> {
    serde_json::from_value(body.clone()).map_err(|e| {
        let m = e.to_string();
        bad(m
            .split(" at line")
            .next()
            .unwrap_or("malformed body")
            .to_string())
    })
}

/// Text must be representable in EUC-KR and fit `max` bytes of it.
fn fits(value: &str, max: usize, name: &str) -> Result<(), Gate> {
    match charset::byte_len(name, value, Charset::EucKr) {
        Ok(n) if n <= max => Ok(()),
        Ok(_) => Err(bad(format!("{name} is longer than {max} bytes"))),
        Err(_) => Err(bad(format!("{name} is not representable in EUC-KR"))),
    }
}

fn required(value: &str, max: usize, name: &str) -> Result<(), Gate> {
    if value.trim().is_empty() {
        return Err(bad(format!("{name} is required")));
    }
    fits(value, max, name)
}

fn check_order(order: &str, user: &str, product: &str) -> Result<(), Gate> {
    required(order, width::ORDER_NUMBER, "orderNumb")?;
    required(user, width::USER_NAME, "userName")?;
    required(product, width::PRODUCT_NAME, "productName")
}

fn check_card(number: &str, expiry: &str) -> Result<(), Gate> {
    if !(13..=20).contains(&number.len()) || !number.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad("cardNumb must be 13 to 20 digits"));
    }
    let month = expiry.get(2..).and_then(|m| m.parse::<u32>().ok());
    if expiry.len() != 4
        || !expiry.bytes().all(|b| b.is_ascii_digit())
        || !month.is_some_and(|m| (1..=12).contains(&m))
    {
        return Err(bad("expiryDate must be yyMM"));
    }
    Ok(())
}

fn check_old_cert(password: Option<&str>, user_info: Option<&str>) -> Result<(), Gate> {
    if !password.is_some_and(|p| p.len() == 2 && p.bytes().all(|b| b.is_ascii_digit())) {
        return Err(bad("password2 must be 2 digits"));
    }
    if !user_info
        .is_some_and(|u| (u.len() == 6 || u.len() == 10) && u.bytes().all(|b| b.is_ascii_digit()))
    {
        return Err(bad("userInfo must be 6 (yyMMdd) or 10 digits"));
    }
    Ok(())
}

fn digits(value: &str, max: usize, name: &str) -> Result<u64, Gate> {
    if value.is_empty() || value.len() > max || !value.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad(format!("{name} must be at most {max} digits")));
    }
    value
        .parse()
        .map_err(|_| bad(format!("{name} must be a number")))
}

fn lookup(kind: &str, key: &str, date: &str) -> Result<Lookup, Gate> {
    match kind {
        trade_key_type::TID => {
            required(key, width::TID, "orgTradeKey")?;
            Ok(Lookup::Tid(key.to_string()))
        }
        trade_key_type::ORDER_NUMB => {
            required(key, width::ORDER_NUMBER, "orgTradeKey")?;
            if date.len() != 8 || !date.bytes().all(|b| b.is_ascii_digit()) {
                return Err(bad("orgTradeDate (yyyyMMdd) is required with ORDER_NUMB"));
            }
            Ok(Lookup::Order(key.to_string(), date.to_string()))
        }
        _ => Err(bad("orgTradeKeyType must be TID or ORDER_NUMB")),
    }
}

/// KSNET's masking of the reference's example: the first 8 digits, `XXXX`, the next digits,
/// the last one `X` (`40176201XXXX825X`).
pub fn mask(number: &str) -> String {
    number
        .chars()
        .enumerate()
        .map(|(i, c)| {
            if (8..12).contains(&i) || i + 1 == number.len() {
                'X'
            } else {
                c
            }
        })
        .collect()
}
