//! What the simulator does with each request: pure bookkeeping on the [`Ledger`]; the server
//! decides when (and whether) the answer is written.
//!
//! Result codes are `common/code.md`'s (`U304` Basic auth failed, `U312` signData mismatch,
//! `U314` encData unreadable, `P007` a required field missing, `U112` orderId used, `U107` /
//! `U126` nothing found, `U309` / `U115` unknown or deleted bid, `2013` already cancelled,
//! `2032` over the balance, `2029` no partial cancel for the method, `P034` amount mismatch,
//! `U121` no such authentication, `U320` no such page), except the one
//! [`crate::protocol::sim`] code.

use std::collections::BTreeSet;
use std::ops::{Deref, DerefMut};

use chrono::{DateTime, FixedOffset};
use paymux_core::money::Money;
use paymux_core::simulator::http::Request;
use paymux_core::simulator::ledger::{self, Method, State};
use paymux_core::simulator::window::WindowBook;
use paymux_core::simulator::{Notice, TestCard};
use serde_json::{json, Map, Value};

use super::{secret_key, TEST_MID};
use crate::frame::{basic_credentials, dec_data, sign, signature_matches, CardData, EncMode};
use crate::protocol::{code, method, sim, status};

/// Test-only path standing in for the payer in the window: the prepared form plus
/// `cardNumber` (CARD) → the auth result the window would post to `returnUrl`, as JSON.
pub const WINDOW_PATH: &str = "/paymux/window";
/// Test-only path: `{"tid"}` — the payer deposits into a virtual account.
pub const DEPOSIT_PATH: &str = "/paymux/deposit";

/// What to do with the connection.
#[derive(Debug)]
pub enum Reply {
    /// Answer now: HTTP status and JSON body.
    Answer(u16, Vec<u8>),
    /// Answer after the late delay (`…0098`: recorded, answered late).
    AnswerLate(u16, Vec<u8>),
    /// Close without answering; nothing recorded (`…0099`).
    Drop,
    /// An HTML page of the payment window.
    Page(u16, String),
}

/// What only NICE keeps for a payment.
#[derive(Debug, Clone, Default)]
pub struct Extra {
    /// `payMethod`: `card`, `bank`, `vbank`.
    pub pay_method: &'static str,
    /// `goodsName`.
    pub goods_name: String,
    /// The card used, for the answer's masked `cardNum`.
    pub card_number: Option<String>,
    /// `vbankHolder`.
    pub vbank_holder: String,
    /// `approveNo`.
    pub approve_no: String,
    /// `paidAt` (ISO 8601) or `0`.
    pub paid_at: String,
    /// `cancelledAt` or `0`.
    pub cancelled_at: String,
    /// The last cancel's `cancelledTid`.
    pub cancelled_tid: Option<String>,
}

/// One payment.
pub type Payment = ledger::Payment<Extra>;

/// A window authentication waiting for its approval (`POST /v1/payments/{tid}`).
#[derive(Debug, Clone)]
pub struct WindowAuth {
    /// `tid` handed to the merchant.
    pub tid: String,
    /// `authToken`.
    pub auth_token: String,
    /// `orderId`.
    pub order_id: String,
    /// `amount`.
    pub amount: Money,
    /// `method`.
    pub pay_method: &'static str,
    /// The card entered (CARD).
    pub card_number: Option<String>,
    /// `goodsName`.
    pub goods_name: String,
    /// `vbankHolder` (VBANK).
    pub vbank_holder: String,
    /// `vbankValidHours` (VBANK), NICE's default D+7 when absent.
    pub valid_hours: i64,
    /// Approved already.
    pub used: bool,
}

/// A window page the payer has not answered yet.
#[derive(Debug, Clone)]
pub struct OpenWindow {
    /// The merchant's `requestPay` form (first value of each field).
    pub form: std::collections::BTreeMap<String, String>,
}

/// Everything the simulator remembers: the kit's books (through `Deref`) and NICE's own.
#[derive(Debug, Default)]
pub struct Ledger {
    books: ledger::Ledger<Extra>,
    /// Window authentications.
    pub auths: Vec<WindowAuth>,
    /// orderIds of cancels (a partial cancel may not reuse one).
    pub cancel_orders: BTreeSet<String>,
    windows: WindowBook<OpenWindow>,
    /// Cash receipts issued through `/v1/receipt`.
    pub receipts: Vec<super::receipts::Receipt>,
}

impl Deref for Ledger {
    type Target = ledger::Ledger<Extra>;
    fn deref(&self) -> &Self::Target {
        &self.books
    }
}

impl DerefMut for Ledger {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.books
    }
}

impl Ledger {
    /// A new 30-character tid: MID (10), method (2), medium (2), `yyMMddHHmmss`, sequence
    /// (4) — the shape of the manual's tids (`nictest00m01011104191651325596`).
    pub fn new_tid(&mut self, pay_method: &str, now: &DateTime<FixedOffset>) -> String {
        let m = match pay_method {
            method::BANK => "02",
            method::VBANK => "03",
            _ => "01",
        };
        let n = self.next_number() % 10_000;
        format!("{TEST_MID}{m}01{}{n:04}", now.format("%y%m%d%H%M%S"))
    }

    /// Remember an opened window page; its one-time token.
    pub fn open_window(&mut self, w: OpenWindow) -> String {
        self.windows.open(w)
    }

    /// Take an opened window page (answering is one-time).
    pub fn take_window(&mut self, token: &str) -> Option<OpenWindow> {
        self.windows.take(token)
    }

    /// Put a window page back (the payer may try again).
    pub fn put_back_window(&mut self, token: &str, w: OpenWindow) {
        self.windows.put_back(token, w);
    }
}

/// A refusal: NICE's error answer.
pub(super) struct Refusal(pub(super) u16, pub(super) &'static str, pub(super) String);

pub(super) fn refuse(code: &'static str, msg: impl Into<String>) -> Refusal {
    Refusal(200, code, msg.into())
}

/// The error answer of a refusal.
pub fn error_body(code: &str, msg: &str) -> Vec<u8> {
    serde_json::to_vec(&json!({ "resultCode": code, "resultMsg": msg })).unwrap_or_default()
}

/// NICE's answer time: `2021-11-05T17:14:35.150+0900` (README.md example).
pub fn nice_time(now: &DateTime<FixedOffset>) -> String {
    now.format("%Y-%m-%dT%H:%M:%S%.3f%z").to_string()
}

pub(super) type Fields = Map<String, Value>;

pub(super) fn json_object(body: &[u8]) -> Result<Fields, Refusal> {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(m)) => Ok(m),
        _ => Err(refuse("U125", "잘못된 요청 입니다.")),
    }
}

pub(super) fn text(f: &Fields, k: &str) -> Option<String> {
    match f.get(k)? {
        Value::String(s) => Some(s.trim().to_string()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
    .filter(|s| !s.is_empty())
}

pub(super) fn required(f: &Fields, k: &str) -> Result<String, Refusal> {
    text(f, k).ok_or_else(|| refuse("P007", format!("필수 파라미터 {k}가 없습니다.")))
}

pub(super) fn amount(f: &Fields, k: &str) -> Result<Money, Refusal> {
    match f.get(k) {
        Some(Value::Number(n)) => n
            .as_i64()
            .and_then(|n| Money::new(n).ok())
            .filter(|m| *m > Money::ZERO)
            .ok_or_else(|| refuse("P010", format!("파라미터 {k}가 숫자형식이 아닙니다."))),
        None => Err(refuse("P007", format!("필수 파라미터 {k}가 없습니다."))),
        _ => Err(refuse("P010", format!("파라미터 {k}가 숫자형식이 아닙니다."))),
    }
}

pub(super) fn check_sign(expected: &str, f: &Fields) -> Result<(), Refusal> {
    let got = required(f, "signData")?;
    if signature_matches(expected, &got) {
        Ok(())
    } else {
        Err(refuse("U312", "SIGN DATA 검증에 실패하였습니다."))
    }
}

fn authorized(req: &Request) -> Result<&'static str, Refusal> {
    let expected = basic_credentials(super::TEST_CLIENT_KEY, super::TEST_SECRET_KEY);
    match req.header("authorization") {
        Some(h) if paymux_core::wire::crypto::ct_eq(h.trim().as_bytes(), expected.as_bytes()) => {
            Ok(secret_key(super::TEST_CLIENT_KEY).unwrap_or_default())
        }
        _ => Err(Refusal(401, "U304", "BASIC AUTHENTICATION 실패".into())),
    }
}

/// Handle one request at `now`.
pub fn handle(ledger: &mut Ledger, req: &Request, now: &DateTime<FixedOffset>) -> Reply {
    if super::window::serves(&req.path) {
        return super::window::handle(ledger, &req.method, &req.path, &req.body, now);
    }
    match route(ledger, req, now) {
        Ok(reply) => reply,
        Err(Refusal(status, code, msg)) => Reply::Answer(status, error_body(code, &msg)),
    }
}

fn route(ledger: &mut Ledger, req: &Request, now: &DateTime<FixedOffset>) -> Result<Reply, Refusal> {
    let p = req.path.as_str();
    match (req.method.as_str(), p) {
        ("POST", WINDOW_PATH) => return super::window::mint_for_test(ledger, &req.body, now),
        ("POST", DEPOSIT_PATH) => return deposit(ledger, &req.body),
        _ => {}
    }
    let secret = authorized(req)?;
    let segs: Vec<&str> = p.trim_start_matches('/').split('/').collect();
    match (req.method.as_str(), segs.as_slice()) {
        ("POST", ["v1", "subscribe", "regist"]) => regist(ledger, &req.body, secret, now),
        ("POST", ["v1", "subscribe", bid, "payments"]) => bill(ledger, bid, &req.body, secret, now),
        ("POST", ["v1", "subscribe", bid, "expire"]) => expire(ledger, bid, &req.body, secret, now),
        ("POST", ["v1", "payments", tid, "cancel"]) => cancel(ledger, tid, &req.body, secret, now),
        ("POST", ["v1", "payments", tid]) => approve(ledger, tid, &req.body, secret, now),
        ("GET", ["v1", "payments", "find", order_id]) => {
            let order_id = percent_decode(order_id);
            let has_date = req.query.split('&').any(|kv| {
                kv.strip_prefix("orderDate=")
                    .is_some_and(|d| d.len() == 8 && d.bytes().all(|b| b.is_ascii_digit()))
            });
            if !has_date {
                return Err(refuse("P007", "필수 파라미터 orderDate가 없습니다."));
            }
            let p = ledger
                .payments
                .iter()
                .rev()
                .find(|p| p.order_id == order_id)
                .cloned()
                .ok_or_else(|| refuse(code::NO_ORDER, "orderId가 존재 하지 않습니다."))?;
            Ok(answer(&payment_object(&p, secret, now, code::OK, "조회 성공")))
        }
        ("POST", ["v1", "receipt"]) => super::receipts::issue(ledger, &req.body, secret, now),
        ("POST", ["v1", "receipt", tid, "cancel"]) => {
            super::receipts::cancel(ledger, tid, &req.body, secret, now)
        }
        ("GET", ["v1", "receipt", tid]) => super::receipts::get(ledger, tid, secret, now),
        ("GET", ["v1", "payments", tid]) => {
            let p = ledger
                .by_tid(tid)
                .cloned()
                .ok_or_else(|| refuse(code::NO_TRANSACTION, "거래내역이 존재 하지 않습니다."))?;
            Ok(answer(&payment_object(&p, secret, now, code::OK, "조회 성공")))
        }
        (m, _) if m != "POST" && m != "GET" => {
            Err(Refusal(405, "U308", "Method Not Allowed.".into()))
        }
        _ => Err(Refusal(404, "U320", "페이지를 찾을 수 없습니다.".into())),
    }
}

pub(super) fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 3 <= bytes.len() && s.is_char_boundary(i + 3) {
            if let Ok(b) = u8::from_str_radix(&s[i + 1..i + 3], 16) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

pub(super) fn answer(m: &Fields) -> Reply {
    Reply::Answer(200, serde_json::to_vec(m).unwrap_or_default())
}

/// The manual's payment object for `p`, signed.
pub fn payment_object(
    p: &Payment,
    secret: &str,
    now: &DateTime<FixedOffset>,
    result_code: &str,
    result_msg: &str,
) -> Fields {
    let edi = nice_time(now);
    let st = if p.cancelled != Money::ZERO && p.balance() == Money::ZERO {
        status::CANCELLED
    } else if p.cancelled != Money::ZERO {
        status::PARTIAL_CANCELLED
    } else if p.state == State::AwaitingDeposit {
        status::READY
    } else {
        status::PAID
    };
    let amount = p.amount.to_string();
    let mut m = Map::new();
    let mut put = |k: &str, v: Value| {
        m.insert(k.to_string(), v);
    };
    put("resultCode", json!(result_code));
    put("resultMsg", json!(result_msg));
    put("tid", json!(p.tid));
    put("cancelledTid", json!(p.extra.cancelled_tid));
    put("orderId", json!(p.order_id));
    put("ediDate", json!(edi));
    put("signature", json!(sign(&[&p.tid, &amount, &edi], secret)));
    put("status", json!(st));
    put("paidAt", json!(p.extra.paid_at));
    put("failedAt", json!("0"));
    put("cancelledAt", json!(p.extra.cancelled_at));
    put("payMethod", json!(p.extra.pay_method));
    put("amount", json!(p.amount.get()));
    put("balanceAmt", json!(p.balance().get()));
    put("goodsName", json!(p.extra.goods_name));
    put("useEscrow", json!(false));
    put("currency", json!("KRW"));
    put("channel", json!("pc"));
    put("approveNo", json!(p.extra.approve_no));
    match p.extra.pay_method {
        method::CARD => put(
            "card",
            json!({
                "cardCode": "04",
                "cardName": "삼성",
                "cardNum": p.extra.card_number.as_deref().map(paymux_core::secret::mask_card_number),
                "cardQuota": 0,
                "isInterestFree": false,
                "cardType": "credit",
                "canPartCancel": true,
                "acquCardCode": "04",
                "acquCardName": "삼성",
            }),
        ),
        method::VBANK => {
            let a = p.account.clone().unwrap_or_default();
            put(
                "vbank",
                json!({
                    "vbankCode": a.bank,
                    "vbankName": "신한",
                    "vbankNumber": a.number,
                    "vbankExpDate": a.due,
                    "vbankHolder": p.extra.vbank_holder,
                }),
            )
        }
        _ => put("bank", json!({ "bankCode": "088", "bankName": "신한" })),
    }
    m
}

/// A test card's refusal, or how to answer: `None` drop, `Some(late)`.
fn card_behaviour(number: &str) -> Result<Option<bool>, Refusal> {
    match TestCard::of(number) {
        TestCard::Declined => Err(refuse(sim::CARD_DECLINED, "카드사 실패 응답")),
        TestCard::InsufficientFunds => Err(refuse(sim::INSUFFICIENT_FUNDS, "잔액 부족")),
        TestCard::ApproveLate => Ok(Some(true)),
        TestCard::Drop => Ok(None),
        TestCard::Approve => Ok(Some(false)),
    }
}

fn approval_reply(late: bool, m: &Fields) -> Reply {
    let body = serde_json::to_vec(m).unwrap_or_default();
    if late {
        Reply::AnswerLate(200, body)
    } else {
        Reply::Answer(200, body)
    }
}

/// `POST /v1/subscribe/regist`.
fn regist(
    ledger: &mut Ledger,
    body: &[u8],
    secret: &str,
    now: &DateTime<FixedOffset>,
) -> Result<Reply, Refusal> {
    let f = json_object(body)?;
    let enc = required(&f, "encData")?;
    let order_id = required(&f, "orderId")?;
    let edi = required(&f, "ediDate")?;
    check_sign(&sign(&[&order_id, &edi], secret), &f)?;
    let mode = match text(&f, "encMode").as_deref() {
        None => EncMode::Default,
        Some("A2") => EncMode::A2,
        Some(_) => return Err(refuse("U132", "허용된 옵션 내용이 아닙니다.[encMode]")),
    };
    let plain = dec_data(mode, secret, &enc)
        .ok()
        .and_then(|p| String::from_utf8(p).ok())
        .ok_or_else(|| refuse("U314", "전문 암호화 오류가 발생하였습니다."))?;
    let card = CardData::parse(&plain)
        .ok_or_else(|| refuse("U314", "전문 암호화 오류가 발생하였습니다."))?;
    let number = card.card_no.expose().clone();
    let digits2 = |s: &str| s.len() == 2 && s.bytes().all(|b| b.is_ascii_digit());
    if !(13..=16).contains(&number.len())
        || !number.bytes().all(|b| b.is_ascii_digit())
        || !digits2(card.exp_year.expose())
        || !digits2(card.exp_month.expose())
        || !digits2(card.card_pw.expose())
        || ![6, 10].contains(&card.id_no.expose().len())
    {
        return Err(refuse("F112", "유효하지않은 카드번호를 입력하셨습니다"));
    }
    match TestCard::of(&number) {
        TestCard::Declined => return Err(refuse(sim::CARD_DECLINED, "카드사 실패 응답")),
        TestCard::Drop => return Ok(Reply::Drop),
        _ => {}
    }
    let n = ledger.next_number() % 10_000;
    let bid = format!("BIKY{TEST_MID}{}{n:04}", now.format("%y%m%d%H%M%S"));
    ledger.issue_key(TEST_MID, bid.clone(), Some(number));
    let tid = ledger.new_tid(method::CARD, now);
    Ok(answer(
        &json!({
            "resultCode": code::OK,
            "resultMsg": "빌키가 정상적으로 생성되었습니다.",
            "tid": tid,
            "orderId": order_id,
            "bid": bid,
            "authDate": nice_time(now),
            "cardCode": "04",
            "cardName": "삼성",
        })
        .as_object()
        .cloned()
        .unwrap_or_default(),
    ))
}

/// `POST /v1/subscribe/{bid}/payments`.
fn bill(
    ledger: &mut Ledger,
    bid: &str,
    body: &[u8],
    secret: &str,
    now: &DateTime<FixedOffset>,
) -> Result<Reply, Refusal> {
    let f = json_object(body)?;
    let order_id = required(&f, "orderId")?;
    let amt = amount(&f, "amount")?;
    let goods = required(&f, "goodsName")?;
    required(&f, "cardQuota")?;
    if !matches!(f.get("useShopInterest"), Some(Value::Bool(false))) {
        return Err(refuse("P011", "파라미터 useShopInterest가 boolean형식이 아닙니다."));
    }
    let edi = required(&f, "ediDate")?;
    check_sign(&sign(&[&order_id, bid, &edi], secret), &f)?;
    let card = ledger
        .active_key(TEST_MID, bid)
        .and_then(|k| k.card_number.clone())
        .ok_or_else(|| refuse("U309", "발급되지 않은 BID 입니다."))?;
    if ledger.has_order(TEST_MID, &order_id) {
        return Err(refuse("U112", "이미 사용된 OrderId 입니다."));
    }
    let late = match card_behaviour(&card)? {
        None => return Ok(Reply::Drop),
        Some(l) => l,
    };
    let tid = ledger.new_tid(method::CARD, now);
    let n = ledger.next_number();
    let p = ledger.record(Payment::approved(
        TEST_MID,
        &order_id,
        tid,
        Method::Card,
        amt,
        &nice_time(now),
        Extra {
            pay_method: method::CARD,
            goods_name: goods,
            card_number: Some(card),
            approve_no: format!("{:08}", n % 100_000_000),
            paid_at: nice_time(now),
            cancelled_at: "0".into(),
            ..Extra::default()
        },
    ));
    Ok(approval_reply(
        late,
        &payment_object(&p, secret, now, code::OK, "정상 처리되었습니다."),
    ))
}

/// `POST /v1/subscribe/{bid}/expire`.
fn expire(
    ledger: &mut Ledger,
    bid: &str,
    body: &[u8],
    secret: &str,
    now: &DateTime<FixedOffset>,
) -> Result<Reply, Refusal> {
    let f = json_object(body)?;
    let order_id = required(&f, "orderId")?;
    let edi = required(&f, "ediDate")?;
    check_sign(&sign(&[&order_id, bid, &edi], secret), &f)?;
    if !ledger.delete_key(TEST_MID, bid) {
        return Err(refuse("U115", "삭제 처리된 BID 입니다."));
    }
    let tid = ledger.new_tid(method::CARD, now);
    Ok(answer(
        &json!({
            "resultCode": code::OK,
            "resultMsg": "정상 처리되었습니다.",
            "tid": tid,
            "orderId": order_id,
            "bid": bid,
            "authDate": nice_time(now),
        })
        .as_object()
        .cloned()
        .unwrap_or_default(),
    ))
}

/// `POST /v1/payments/{tid}/cancel`.
fn cancel(
    ledger: &mut Ledger,
    tid: &str,
    body: &[u8],
    secret: &str,
    now: &DateTime<FixedOffset>,
) -> Result<Reply, Refusal> {
    let f = json_object(body)?;
    required(&f, "reason")?;
    let order_id = required(&f, "orderId")?;
    let edi = required(&f, "ediDate")?;
    check_sign(&sign(&[tid, &edi], secret), &f)?;
    let partial = match f.get("cancelAmt") {
        None => None,
        Some(_) => Some(amount(&f, "cancelAmt")?),
    };
    if partial.is_some() && ledger.cancel_orders.contains(&order_id) {
        return Err(refuse("U112", "이미 사용된 OrderId 입니다."));
    }
    let refund_given = ["refundAccount", "refundBankCode", "refundHolder"]
        .iter()
        .all(|k| text(&f, k).is_some());
    let n = ledger.next_number();
    let p = ledger
        .by_tid(tid)
        .ok_or_else(|| refuse("2012", "취소 해당거래 없음"))?;
    let balance = p.balance();
    if balance == Money::ZERO {
        return Err(refuse("2013", "취소 완료 거래"));
    }
    if partial.is_some_and(|a| a > balance) {
        return Err(refuse("2032", "취소금액이 취소가능금액보다 큼"));
    }
    match p.state {
        State::AwaitingDeposit if partial.is_some_and(|a| a != p.amount) => {
            return Err(refuse("2029", "부분취소 불가능 결제수단"))
        }
        State::Deposited if !refund_given => {
            return Err(refuse("P007", "필수 파라미터 refundAccount가 없습니다."))
        }
        _ => {}
    }
    let code = if p.state == State::Deposited {
        code::REFUND_OK
    } else {
        code::OK
    };
    p.cancel(partial)
        .map_err(|_| refuse("2032", "취소금액이 취소가능금액보다 큼"))?;
    p.extra.cancelled_at = nice_time(now);
    p.extra.cancelled_tid = Some(format!(
        "{}{:04}",
        &p.tid[..p.tid.len().saturating_sub(4)],
        n % 10_000
    ));
    let snapshot = p.clone();
    ledger.cancel_orders.insert(order_id);
    Ok(answer(&payment_object(
        &snapshot,
        secret,
        now,
        code,
        "취소 성공",
    )))
}

/// `POST /v1/payments/{tid}`: approve a window authentication.
fn approve(
    ledger: &mut Ledger,
    tid: &str,
    body: &[u8],
    secret: &str,
    now: &DateTime<FixedOffset>,
) -> Result<Reply, Refusal> {
    let f = json_object(body)?;
    let amt = amount(&f, "amount")?;
    if let Some(edi) = text(&f, "ediDate") {
        check_sign(&sign(&[tid, &amt.to_string(), &edi], secret), &f)?;
    }
    let Some(i) = ledger.auths.iter().position(|a| a.tid == tid && !a.used) else {
        return Err(refuse("U121", "인증 요청내역이 존재하지 않습니다."));
    };
    let auth = ledger.auths[i].clone();
    if auth.amount != amt {
        return Err(refuse("P034", "요청된 금액과 내역 금액이 일치하지 않습니다."));
    }
    if ledger.has_order(TEST_MID, &auth.order_id) {
        return Err(refuse("U112", "이미 사용된 OrderId 입니다."));
    }
    let mut late = false;
    if let Some(card) = &auth.card_number {
        match card_behaviour(card)? {
            None => return Ok(Reply::Drop),
            Some(l) => late = l,
        }
    }
    ledger.auths[i].used = true;
    let n = ledger.next_number();
    let method_of = match auth.pay_method {
        method::BANK => Method::Transfer,
        method::VBANK => Method::VirtualAccount,
        _ => Method::Card,
    };
    let mut p = Payment::approved(
        TEST_MID,
        &auth.order_id,
        auth.tid.clone(),
        method_of,
        auth.amount,
        &nice_time(now),
        Extra {
            pay_method: auth.pay_method,
            goods_name: auth.goods_name.clone(),
            card_number: auth.card_number.clone(),
            vbank_holder: auth.vbank_holder.clone(),
            approve_no: format!("{:08}", n % 100_000_000),
            paid_at: nice_time(now),
            cancelled_at: "0".into(),
            cancelled_tid: None,
        },
    );
    let (code, msg) = if auth.pay_method == method::VBANK {
        p.state = State::AwaitingDeposit;
        p.extra.paid_at = "0".into();
        p.extra.approve_no = String::new();
        let due = *now + chrono::Duration::hours(auth.valid_hours);
        p.account = Some(ledger::VirtualAccount {
            bank: "088".into(),
            number: format!("5621{:010}", n % 10_000_000_000),
            due: nice_time(&due),
        });
        (code::OK, "가상계좌 발급 성공")
    } else {
        (code::OK, "정상 처리되었습니다.")
    };
    let p = ledger.record(p);
    Ok(approval_reply(
        late,
        &payment_object(&p, secret, now, code, msg),
    ))
}

/// Test-only: the payer deposits into a virtual account.
fn deposit(ledger: &mut Ledger, body: &[u8]) -> Result<Reply, Refusal> {
    let f = json_object(body)?;
    let tid = required(&f, "tid")?;
    let now = chrono::Utc::now().with_timezone(&paymux_core::adapter::kst());
    let notice = deposit_notice(ledger, &tid, &now)
        .ok_or_else(|| refuse("U107", "입금 대기 가상계좌 없음"))?;
    Ok(Reply::Answer(200, notice.body))
}

/// Record the payer's deposit into `tid`'s virtual account and build NICE's webhook for it:
/// the payment object (`status: paid`, `resultCode` `0000`), JSON, signed
/// (`api/hook.md`). `None` when no such account awaits a deposit.
pub fn deposit_notice(
    ledger: &mut Ledger,
    tid: &str,
    now: &DateTime<FixedOffset>,
) -> Option<Notice> {
    ledger.deposit(tid).ok()?;
    let p = ledger.by_tid(tid)?;
    p.extra.paid_at = nice_time(now);
    let p = p.clone();
    let secret = secret_key(super::TEST_CLIENT_KEY).unwrap_or_default();
    Some(webhook(&p, secret, now, "가상계좌 입금 성공"))
}

/// NICE's webhook for `p` (`api/hook.md`): the payment object as JSON, `resultCode`
/// `0000` ("0000 : 성공").
pub fn webhook(p: &Payment, secret: &str, now: &DateTime<FixedOffset>, result_msg: &str) -> Notice {
    let body = payment_object(p, secret, now, code::OK, result_msg);
    Notice {
        content_type: "application/json;charset=utf-8".into(),
        headers: Vec::new(),
        body: serde_json::to_vec(&body).unwrap_or_default(),
    }
}
