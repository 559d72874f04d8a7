//! The simulator's protocol code: INIAPI v1 and v2 calls, the window's approval and net
//! cancel. Every request is checked as Inicis would (known MID, `hashData` over the bytes
//! sent, `[ENC]` fields that decrypt, window signatures); nothing panics on any input.

use chrono::{DateTime, FixedOffset};
use paymux_core::money::Money;
use paymux_core::simulator::http::Request;
use paymux_core::simulator::ledger::{CancelRefusal, Method, Payment, State, VirtualAccount};
use paymux_core::simulator::TestCard;
use paymux_core::wire::{form_urldecode, Charset};
use serde_json::{json, Map, Value};

use super::{merchant, window, Books, WindowAuth};
use crate::frame::{auth_signature, dec, nvp_signature, raw_data_of, sha512_hex};
use crate::protocol::{
    code, fixed, kind, path, paymethod, sim, NET_CANCEL_PATH, PAY_AUTH_PATH,
};

/// What to answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reply {
    /// JSON now.
    Answer(u16, Vec<u8>),
    /// JSON after the late delay (`…0098`).
    AnswerLate(u16, Vec<u8>),
    /// An HTML page (the window).
    Page(u16, String),
    /// Close without a byte (`…0099`).
    Drop,
}

/// A JSON `{resultCode, resultMsg}` body.
pub fn error_body(code: &str, msg: &str) -> Vec<u8> {
    json!({ "resultCode": code, "resultMsg": msg })
        .to_string()
        .into_bytes()
}

fn refuse(code: &str, msg: &str) -> Reply {
    Reply::Answer(200, error_body(code, msg))
}

fn ok(fields: Map<String, Value>) -> Reply {
    Reply::Answer(200, Value::Object(fields).to_string().into_bytes())
}

/// Route one request.
pub fn handle(books: &mut Books, req: &Request, now: &DateTime<FixedOffset>) -> Reply {
    if window::serves(&req.path) {
        let host = req.header("host").unwrap_or("127.0.0.1").to_string();
        return window::handle(books, &req.method, &req.path, &req.body, &host);
    }
    if req.method != "POST" {
        return Reply::Answer(405, error_body(sim::UNKNOWN_PATH, "POST only"));
    }
    match req.path.as_str() {
        path::V1_REFUND | path::V1_BILLING | path::V1_FORMPAY => v1(books, &req.body, now),
        path::V2_REFUND | path::V2_PARTIAL_REFUND | path::V2_INQUIRY => {
            v2(books, &req.path, &req.body, now)
        }
        PAY_AUTH_PATH => pay_auth(books, &req.body, now),
        NET_CANCEL_PATH => net_cancel(books, &req.body),
        _ => Reply::Answer(404, error_body(sim::UNKNOWN_PATH, "no such API")),
    }
}

/// Form fields as a lookup.
struct Form(Vec<(String, String)>);

impl Form {
    fn parse(body: &[u8]) -> Option<Form> {
        form_urldecode(body, Charset::Utf8).ok().map(Form)
    }
    fn get(&self, k: &str) -> &str {
        self.0
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.as_str())
            .unwrap_or_default()
    }
}

fn stamp(now: &DateTime<FixedOffset>) -> (String, String) {
    (
        now.format("%Y%m%d").to_string(),
        now.format("%H%M%S").to_string(),
    )
}

fn new_tid(books: &mut Books, prefix: &str, mid: &str, now: &DateTime<FixedOffset>) -> String {
    let n = books.ledger.next_number();
    format!("{prefix}{mid}{}{n:06}", now.format("%Y%m%d%H%M%S"))
}

fn amount(s: &str) -> Option<Money> {
    s.parse::<i64>().ok().and_then(|n| Money::new(n).ok())
}

/// The v1 hash tail of a `type` / `paymethod`.
fn v1_tail(kind_: &str, pm: &str) -> Option<&'static [&'static str]> {
    Some(match (kind_, pm) {
        (kind::V1_REFUND, paymethod::VACCT) => &["tid", "refundAcctNum"],
        (kind::V1_REFUND, _) => &["tid"],
        (kind::V1_PARTIAL_REFUND, paymethod::VACCT) => {
            &["tid", "price", "confirmPrice", "refundAcctNum"]
        }
        (kind::V1_PARTIAL_REFUND, _) => &["tid", "price", "confirmPrice"],
        (kind::V1_AUTH, _) => &["moid", "price", "cardNumber"],
        (kind::V1_BILLING, _) => &["moid", "price", "billKey"],
        (kind::V1_PAY, _) => &["moid", "price"],
        _ => return None,
    })
}

fn v1(books: &mut Books, body: &[u8], now: &DateTime<FixedOffset>) -> Reply {
    let Some(f) = Form::parse(body) else {
        return refuse(sim::MALFORMED_REQUEST, "not a UTF-8 form body");
    };
    let mid = f.get("mid").to_string();
    let Some((key, iv, _)) = merchant(&mid) else {
        return refuse(sim::UNKNOWN_MERCHANT, "unknown mid");
    };
    let (t, pm) = (f.get("type"), f.get("paymethod"));
    let Some(tail) = v1_tail(t, pm) else {
        return refuse(sim::MISSING_FIELD, "unknown type");
    };
    let mut input = format!(
        "{key}{t}{pm}{}{}{mid}",
        f.get("timestamp"),
        f.get("clientIp")
    );
    for name in tail {
        input.push_str(f.get(name));
    }
    if sha512_hex(&input) != f.get("hashData") {
        return refuse(sim::HASH_MISMATCH, "hashData mismatch");
    }
    let decrypt = |field: &str| {
        let v = f.get(field);
        if v.is_empty() {
            return Ok(String::new());
        }
        dec(key.as_bytes(), iv.as_bytes(), field, v).map_err(|_| ())
    };
    match t {
        kind::V1_REFUND | kind::V1_PARTIAL_REFUND => {
            if pm == paymethod::VACCT {
                match decrypt("refundAcctNum") {
                    Ok(n) if !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()) => {}
                    _ => return refuse(sim::DECRYPT_FAILED, "refundAcctNum does not decrypt"),
                }
            }
            let partial = (t == kind::V1_PARTIAL_REFUND)
                .then(|| (f.get("price").to_string(), f.get("confirmPrice").to_string()));
            refund(books, &mid, f.get("tid"), partial, now)
        }
        kind::V1_AUTH => {
            let Ok(card) = decrypt("cardNumber") else {
                return refuse(sim::DECRYPT_FAILED, "cardNumber does not decrypt");
            };
            if card.is_empty() || f.get("cardExpire").len() != 4 {
                return refuse(sim::MISSING_FIELD, "cardNumber / cardExpire");
            }
            match TestCard::of(&card) {
                TestCard::Declined => return refuse(sim::CARD_DECLINED, "카드 거절"),
                TestCard::Drop => return Reply::Drop,
                _ => {}
            }
            let n = books.ledger.next_number();
            let bill_key = format!("{mid}BK{}{n:06}", now.format("%Y%m%d%H%M%S"));
            books.ledger.issue_key(&mid, bill_key.clone(), Some(card));
            let mut m = Map::new();
            m.insert("resultCode".into(), code::OK.into());
            m.insert("resultMsg".into(), "정상처리".into());
            m.insert("billKey".into(), bill_key.into());
            m.insert("cardCode".into(), "11".into());
            ok(m)
        }
        kind::V1_BILLING => {
            let Some(k) = books.ledger.active_key(&mid, f.get("billKey")) else {
                return refuse(sim::BILLING_KEY_NOT_FOUND, "빌키 없음");
            };
            let card = k.card_number.clone().unwrap_or_default();
            pay(books, &f, &mid, &card, now)
        }
        kind::V1_PAY => {
            let Ok(card) = decrypt("cardNumber") else {
                return refuse(sim::DECRYPT_FAILED, "cardNumber does not decrypt");
            };
            if card.is_empty() {
                return refuse(sim::MISSING_FIELD, "cardNumber");
            }
            pay(books, &f, &mid, &card, now)
        }
        _ => refuse(sim::MISSING_FIELD, "unknown type"),
    }
}

/// A billing charge or keyed-in payment.
fn pay(books: &mut Books, f: &Form, mid: &str, card: &str, now: &DateTime<FixedOffset>) -> Reply {
    let moid = f.get("moid");
    let Some(price) = amount(f.get("price")).filter(|p| *p != Money::ZERO) else {
        return refuse(sim::MISSING_FIELD, "price");
    };
    if moid.is_empty() || f.get("buyerName").is_empty() && f.get("buyerEmail").is_empty() {
        return refuse(code::MISSING_BUYER, "필수 파라미터 누락");
    }
    let test = TestCard::of(card);
    match test {
        TestCard::Declined => return refuse(sim::CARD_DECLINED, "카드 거절"),
        TestCard::InsufficientFunds => return refuse(sim::INSUFFICIENT_FUNDS, "잔액 부족"),
        TestCard::Drop => return Reply::Drop,
        _ => {}
    }
    if books.ledger.has_order(mid, moid) {
        return refuse(sim::DUPLICATE_ORDER, "중복 주문번호");
    }
    let tid = new_tid(books, "INIAPICARD", mid, now);
    let (d, t) = stamp(now);
    books.ledger.record(Payment::approved(
        mid,
        moid,
        tid.clone(),
        Method::Card,
        price,
        &format!("{d}{t}"),
        (),
    ));
    let mut m = Map::new();
    m.insert("resultCode".into(), code::OK.into());
    m.insert("resultMsg".into(), "정상처리".into());
    m.insert("tid".into(), tid.into());
    m.insert("moid".into(), moid.into());
    m.insert("price".into(), price.to_string().into());
    m.insert("payDate".into(), d.into());
    m.insert("payTime".into(), t.into());
    m.insert("payAuthCode".into(), "30001234".into());
    m.insert("cardCode".into(), "11".into());
    m.insert("cardQuota".into(), f.get("cardQuota").into());
    let body = Value::Object(m).to_string().into_bytes();
    if test == TestCard::ApproveLate {
        Reply::AnswerLate(200, body)
    } else {
        Reply::Answer(200, body)
    }
}

/// A full (`partial == None`) or partial refund.
fn refund(
    books: &mut Books,
    mid: &str,
    tid: &str,
    partial: Option<(String, String)>,
    now: &DateTime<FixedOffset>,
) -> Reply {
    let n = books.ledger.next_number();
    let Some(p) = books.ledger.by_tid(tid).filter(|p| p.merchant == mid) else {
        return refuse(sim::NOT_FOUND, "거래 없음");
    };
    let (d, t) = stamp(now);
    let mut m = Map::new();
    m.insert("resultCode".into(), code::OK.into());
    m.insert("resultMsg".into(), "정상처리".into());
    match partial {
        None => {
            if p.cancelled != Money::ZERO && p.balance() != Money::ZERO {
                return refuse(
                    sim::CANCEL_EXCEEDS_BALANCE,
                    "부분취소된 거래는 전체취소 불가",
                );
            }
            match p.cancel(None) {
                Err(_) => return refuse(sim::ALREADY_CANCELLED, "이미 취소된 거래"),
                Ok(_) => {
                    m.insert("cancelDate".into(), d.into());
                    m.insert("cancelTime".into(), t.into());
                }
            }
        }
        Some((price, confirm)) => {
            let Some(price) = amount(&price).filter(|p| *p != Money::ZERO) else {
                return refuse(sim::MISSING_FIELD, "price");
            };
            let left = p.balance();
            if left == Money::ZERO {
                return refuse(sim::ALREADY_CANCELLED, "이미 취소된 거래");
            }
            if price > left {
                return refuse(sim::CANCEL_EXCEEDS_BALANCE, "취소 금액 초과");
            }
            let after = left.checked_sub(price).unwrap_or(Money::ZERO);
            if amount(&confirm) != Some(after) {
                return refuse(sim::CONFIRM_PRICE_MISMATCH, "confirmPrice 불일치");
            }
            match p.cancel(Some(price)) {
                Err(CancelRefusal::ExceedsBalance) => {
                    return refuse(sim::CANCEL_EXCEEDS_BALANCE, "취소 금액 초과")
                }
                Err(_) => return refuse(sim::ALREADY_CANCELLED, "이미 취소된 거래"),
                Ok((_, count)) => {
                    m.insert(
                        "prtcTid".into(),
                        format!("{}P{count:02}{n:04}", &p.tid).into(),
                    );
                    m.insert("prtcPrice".into(), price.to_string().into());
                    m.insert("prtcRemains".into(), after.to_string().into());
                    m.insert("prtcCnt".into(), count.to_string().into());
                    m.insert("prtcDate".into(), d.into());
                    m.insert("prtcTime".into(), t.into());
                }
            }
        }
    }
    ok(m)
}

fn v2(books: &mut Books, api: &str, body: &[u8], now: &DateTime<FixedOffset>) -> Reply {
    let Ok(Value::Object(v)) = serde_json::from_slice::<Value>(body) else {
        return refuse(sim::MALFORMED_REQUEST, "not a JSON object");
    };
    let s = |k: &str| v.get(k).and_then(Value::as_str).unwrap_or_default();
    let mid = s("mid").to_string();
    let Some((key, _, _)) = merchant(&mid) else {
        return refuse(sim::UNKNOWN_MERCHANT, "unknown mid");
    };
    let Some(raw) = raw_data_of(body) else {
        return refuse(sim::MALFORMED_REQUEST, "data is missing");
    };
    let expected_type = match api {
        path::V2_REFUND => kind::V2_REFUND,
        path::V2_PARTIAL_REFUND => kind::V2_PARTIAL_REFUND,
        _ => kind::V2_INQUIRY,
    };
    if s("type") != expected_type {
        return refuse(sim::MISSING_FIELD, "type does not match the API");
    }
    let input = format!(
        "{key}{mid}{}{}{}",
        s("type"),
        s("timestamp"),
        String::from_utf8_lossy(raw)
    );
    if sha512_hex(&input) != s("hashData") {
        return refuse(sim::HASH_MISMATCH, "hashData mismatch");
    }
    let data = v.get("data").cloned().unwrap_or_default();
    let d = |k: &str| data.get(k).and_then(Value::as_str).unwrap_or_default();
    match expected_type {
        kind::V2_REFUND => refund(books, &mid, d("tid"), None, now),
        kind::V2_PARTIAL_REFUND => refund(
            books,
            &mid,
            d("tid"),
            Some((d("price").to_string(), d("confirmPrice").to_string())),
            now,
        ),
        _ => {
            let (tid, oid) = (d("tid"), d("oid"));
            let found = books.ledger.payments.iter().find(|p| {
                p.merchant == mid
                    && ((!tid.is_empty() && p.tid == tid) || (tid.is_empty() && p.order_id == oid))
            });
            let Some(p) = found else {
                return refuse(sim::NOT_FOUND, "거래 없음");
            };
            let status = match p.entry().state.as_str() {
                "CANCELLED" => "CANCEL",
                "PARTIALLY_CANCELLED" => "PART_CANCEL",
                "VIRTUAL_ACCOUNT_ISSUED" => "WAIT_DEPOSIT",
                _ => "APPROVAL",
            };
            let mut m = Map::new();
            m.insert("resultCode".into(), code::OK.into());
            m.insert("resultMsg".into(), "정상처리".into());
            m.insert("tid".into(), p.tid.clone().into());
            m.insert("oid".into(), p.order_id.clone().into());
            m.insert("price".into(), p.amount.to_string().into());
            m.insert("transactionStatus".into(), status.into());
            m.insert(
                "availablePartCancelPrice".into(),
                p.balance().to_string().into(),
            );
            m.insert("paymethod".into(), "Card".into());
            ok(m)
        }
    }
}

/// The window approval's signatures: `signature = sha256("authToken=…&timestamp=…")` and
/// `verification` with the signKey.
fn check_auth_form(f: &Form) -> Result<(String, &'static str), Reply> {
    let mid = f.get("mid").to_string();
    let Some((_, _, sign_key)) = merchant(&mid) else {
        return Err(refuse(sim::UNKNOWN_MERCHANT, "unknown mid"));
    };
    let (token, ts) = (f.get("authToken"), f.get("timestamp"));
    if token.is_empty() || ts.is_empty() {
        return Err(refuse(sim::MISSING_FIELD, "authToken / timestamp"));
    }
    let sig = nvp_signature(&[("authToken", token), ("timestamp", ts)]);
    let ver = nvp_signature(&[("authToken", token), ("signKey", sign_key), ("timestamp", ts)]);
    if sig != f.get("signature") || ver != f.get("verification") {
        return Err(refuse(sim::HASH_MISMATCH, "signature / verification mismatch"));
    }
    Ok((mid, sign_key))
}

fn pay_auth(books: &mut Books, body: &[u8], now: &DateTime<FixedOffset>) -> Reply {
    let Some(f) = Form::parse(body) else {
        return refuse(sim::MALFORMED_REQUEST, "not a UTF-8 form body");
    };
    let mid = match check_auth_form(&f) {
        Ok((mid, _)) => mid,
        Err(r) => return r,
    };
    let token = f.get("authToken");
    let Some(i) = books
        .auths
        .iter()
        .position(|a| a.token == token && a.mid == mid && !a.used)
    else {
        return refuse(sim::AUTH_TOKEN_INVALID, "authToken 검증 실패");
    };
    let auth = books.auths[i].clone();
    if !f.get("price").is_empty() && f.get("price") != auth.price {
        books.auths[i].used = true;
        return refuse(sim::MALFORMED_REQUEST, "price does not match the window");
    }
    if auth.method == fixed::GOPAYMETHOD_VBANK {
        books.auths[i].used = true;
        return issue_account(books, i, &auth, f.get("timestamp"), now);
    }
    let test = TestCard::of(&auth.card);
    match test {
        TestCard::Drop => return Reply::Drop,
        TestCard::Declined => {
            books.auths[i].used = true;
            return refuse(sim::CARD_DECLINED, "카드 거절");
        }
        TestCard::InsufficientFunds => {
            books.auths[i].used = true;
            return refuse(sim::INSUFFICIENT_FUNDS, "잔액 부족");
        }
        _ => {}
    }
    let Some(price) = amount(&auth.price) else {
        return refuse(sim::MISSING_FIELD, "price");
    };
    let tid = new_tid(books, "StdpayCARD", &mid, now);
    let (d, t) = stamp(now);
    books.ledger.record(Payment::approved(
        &mid,
        &auth.oid,
        tid.clone(),
        Method::Card,
        price,
        &format!("{d}{t}"),
        (),
    ));
    books.auths[i].used = true;
    books.auths[i].tid = Some(tid.clone());
    let mut m = Map::new();
    m.insert("resultCode".into(), code::STD_OK.into());
    m.insert("resultMsg".into(), "정상처리되었습니다.".into());
    m.insert("tid".into(), tid.into());
    m.insert("mid".into(), mid.clone().into());
    m.insert("MOID".into(), auth.oid.clone().into());
    m.insert("TotPrice".into(), auth.price.clone().into());
    m.insert("goodName".into(), auth.goods.clone().into());
    m.insert("payMethod".into(), "Card".into());
    m.insert("applDate".into(), d.into());
    m.insert("applTime".into(), t.into());
    m.insert("applNum".into(), "30001234".into());
    m.insert(
        "CARD_Num".into(),
        paymux_core::secret::mask_card_number(&auth.card).into(),
    );
    m.insert("CARD_Code".into(), "11".into());
    m.insert("CARD_Quota".into(), "00".into());
    m.insert("currency".into(), "WON".into());
    m.insert(
        "authSignature".into(),
        auth_signature(&mid, f.get("timestamp"), &auth.oid, &auth.price).into(),
    );
    let body = Value::Object(m).to_string().into_bytes();
    if test == TestCard::ApproveLate {
        Reply::AnswerLate(200, body)
    } else {
        Reply::Answer(200, body)
    }
}

/// The net cancel: the approval's fields; voids the payment the `authToken` approved.
fn net_cancel(books: &mut Books, body: &[u8]) -> Reply {
    let Some(f) = Form::parse(body) else {
        return refuse(sim::MALFORMED_REQUEST, "not a UTF-8 form body");
    };
    let mid = match check_auth_form(&f) {
        Ok((mid, _)) => mid,
        Err(r) => return r,
    };
    let token = f.get("authToken");
    let Some(tid) = books
        .auths
        .iter()
        .find(|a| a.token == token && a.mid == mid)
        .and_then(|a| a.tid.clone())
    else {
        return refuse(sim::NOT_FOUND, "승인 거래 없음");
    };
    if let Some(p) = books.ledger.by_tid(&tid) {
        if p.balance() != Money::ZERO {
            let _ = p.cancel(None);
        }
    }
    let mut m = Map::new();
    m.insert("resultCode".into(), code::STD_OK.into());
    m.insert("resultMsg".into(), "망취소 성공".into());
    ok(m)
}

/// Mint a window authorization (the payer approved in the window).
pub fn mint_auth(
    books: &mut Books,
    form: &[(String, String)],
    card: String,
    bank: String,
) -> String {
    let get = |k: &str| {
        form.iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let n = books.ledger.next_number();
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or_default();
    let token = format!("SIMAUTH{n:08}{nanos:08x}{}", sha512_hex(&get("oid")).get(..24).unwrap_or_default());
    books.auths.push(WindowAuth {
        token: token.clone(),
        mid: get("mid"),
        oid: get("oid"),
        price: get("price"),
        goods: get("goodname"),
        card,
        method: get("gopaymethod"),
        bank,
        accept: get("acceptmethod"),
        tid: None,
        used: false,
    });
    token
}

/// The approval of a virtual-account window: the account is issued and awaits its deposit
/// (INIStdPay result fields `VACT_Num`, `VACT_BankCode`, `VACT_Name`, `VACT_Date`,
/// `VACT_Time`).
fn issue_account(
    books: &mut Books,
    i: usize,
    auth: &WindowAuth,
    tstamp: &str,
    now: &DateTime<FixedOffset>,
) -> Reply {
    let Some(price) = amount(&auth.price) else {
        return refuse(sim::MISSING_FIELD, "price");
    };
    let tid = new_tid(books, "StdpayVBNK", &auth.mid, now);
    let n = books.ledger.next_number();
    let number = format!("5620{n:010}");
    let due = auth
        .accept
        .strip_prefix("vbank(")
        .and_then(|r| r.strip_suffix(')'))
        .filter(|d| d.len() == 8 && d.chars().all(|c| c.is_ascii_digit()))
        .map(str::to_string)
        .unwrap_or_else(|| (*now + chrono::Duration::days(7)).format("%Y%m%d").to_string());
    let (d, t) = stamp(now);
    let mut p = Payment::approved(
        &auth.mid,
        &auth.oid,
        tid.clone(),
        Method::VirtualAccount,
        price,
        &format!("{d}{t}"),
        (),
    );
    p.state = State::AwaitingDeposit;
    p.account = Some(VirtualAccount {
        bank: auth.bank.clone(),
        number: number.clone(),
        due: due.clone(),
    });
    books.ledger.record(p);
    books.auths[i].tid = Some(tid.clone());
    let mut m = Map::new();
    m.insert("resultCode".into(), code::STD_OK.into());
    m.insert("resultMsg".into(), "가상계좌 발급 성공".into());
    m.insert("tid".into(), tid.into());
    m.insert("mid".into(), auth.mid.clone().into());
    m.insert("MOID".into(), auth.oid.clone().into());
    m.insert("TotPrice".into(), auth.price.clone().into());
    m.insert("goodName".into(), auth.goods.clone().into());
    m.insert("payMethod".into(), "VBank".into());
    m.insert("applDate".into(), d.into());
    m.insert("applTime".into(), t.into());
    m.insert("VACT_Num".into(), number.into());
    m.insert("VACT_BankCode".into(), auth.bank.clone().into());
    m.insert("VACT_Name".into(), "paymux 테스트 상점".into());
    m.insert("VACT_Date".into(), due.into());
    m.insert("VACT_Time".into(), "235959".into());
    m.insert("currency".into(), "WON".into());
    m.insert(
        "authSignature".into(),
        auth_signature(&auth.mid, tstamp, &auth.oid, &auth.price).into(),
    );
    ok(m)
}
