//! What the simulator does with each request: pure bookkeeping on the [`Ledger`]; the server
//! decides when (and whether) the answer is written.
//!
//! Every encrypted call is opened the way Smartro must: the outer `Mid` names the merchant,
//! `EncData` must decrypt with that merchant's key, the inner `Mid` must match, and the call's
//! signature (`HashData`, `VerifyValue` or `EncryptData`; `vacct.do` carries none) must match
//! the formula — a wrong one is refused with [`sim::HASH_MISMATCH`]. Anything malformed gets an error answer.

use chrono::{DateTime, FixedOffset};
use paymux_core::money::Money;
use paymux_core::secret::Secret;
use paymux_core::simulator::TestCard;
use paymux_core::wire::{form_urldecode, Charset};
use serde_json::{Map, Value};

use super::ledger::{payment, Ledger, Payment, State, WindowAuth};
use super::merchant_key;
use crate::frame::{self, Answer};
use crate::protocol::{code, fixed, path, pay_method, sim};
use crate::reconstructed::{self, code as rcode, state};

/// Test-only path standing in for the payment window: posts the prepared form (plus
/// `CardNum` for cards) and answers `{Tid, TrAuthKey}` as the window's callback would.
pub const WINDOW_PATH: &str = "/paymux/window";
/// Test-only path: `{"Tid"}` — the payer deposits into a virtual account.
pub const DEPOSIT_PATH: &str = "/paymux/deposit";

/// What to do with the connection.
#[derive(Debug)]
pub enum Reply {
    /// Answer now: HTTP status and JSON body.
    Answer(u16, Vec<u8>),
    /// Answer after the late delay (test card `…0098`: approved and recorded, answered late).
    AnswerLate(u16, Vec<u8>),
    /// Close without answering; nothing recorded (test card `…0099`).
    Drop,
    /// An HTML page of the payment window ([`super::window`]): HTTP status and page.
    Page(u16, String),
}

pub(super) type Fields = Map<String, Value>;

/// A refusal: the Smartro-style error answer (`ResultCode`, `ResultMsg`).
pub(super) struct Refusal(pub(super) &'static str, pub(super) String);

fn refuse(code: &'static str, msg: impl Into<String>) -> Refusal {
    Refusal(code, msg.into())
}

fn answer(pairs: &[(&str, String)]) -> Reply {
    Reply::Answer(200, Answer::from_pairs(pairs).to_bytes())
}

/// The error answer of a refusal.
pub fn error_body(code: &str, msg: &str) -> Vec<u8> {
    Answer::from_pairs(&[
        ("ResultCode", code.to_string()),
        ("ResultMsg", msg.to_string()),
    ])
    .to_bytes()
}

/// Handle one request at `now`.
pub fn handle(
    ledger: &mut Ledger,
    method: &str,
    req_path: &str,
    body: &[u8],
    now: &DateTime<FixedOffset>,
) -> Reply {
    if super::window::serves(req_path) {
        return super::window::handle(ledger, method, req_path, body);
    }
    if method != "POST" {
        return Reply::Answer(405, error_body(sim::UNKNOWN_PATH, "only POST is served"));
    }
    let result = match req_path {
        path::APPROVAL => approve_window(ledger, body, now),
        path::CANCEL | path::CANCEL_ALTERNATIVE => cancel(ledger, body, now),
        path::BILLING => bill(ledger, body, now),
        path::VACCT => vacct(ledger, body, now),
        reconstructed::path::BILLKEY_ISSUE => issue_key(ledger, body, now),
        reconstructed::path::BILLKEY_DELETE => delete_key(ledger, body),
        reconstructed::path::INQUIRY => inquiry(ledger, body),
        WINDOW_PATH => mint_window(ledger, body),
        DEPOSIT_PATH => deposit(ledger, body),
        _ => Err(refuse(sim::UNKNOWN_PATH, "no such endpoint")),
    };
    match result {
        Ok(reply) => reply,
        Err(Refusal(code, msg)) => {
            let status = if code == sim::UNKNOWN_PATH { 404 } else { 200 };
            Reply::Answer(status, error_body(code, &msg))
        }
    }
}

fn json_object(body: &[u8]) -> Result<Fields, Refusal> {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(m)) => Ok(m),
        _ => Err(refuse(
            sim::MALFORMED_REQUEST,
            "요청 형식 오류: JSON 객체가 아닙니다",
        )),
    }
}

fn text(f: &Fields, k: &str) -> Option<String> {
    match f.get(k)? {
        Value::String(s) => Some(s.trim().to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn required(f: &Fields, k: &str) -> Result<String, Refusal> {
    text(f, k)
        .filter(|v| !v.is_empty())
        .ok_or_else(|| refuse(sim::MISSING_FIELD, format!("필수 파라미터 누락: {k}")))
}

fn amount(f: &Fields, k: &str) -> Result<Money, Refusal> {
    required(f, k)?
        .parse::<i64>()
        .ok()
        .and_then(|n| Money::new(n).ok())
        .filter(|m| *m > Money::ZERO)
        .ok_or_else(|| refuse(sim::MISSING_FIELD, format!("금액 형식 오류: {k}")))
}

/// `{EncData, Mid}` → the merchant's MID and the decrypted, parsed params.
fn open(body: &[u8]) -> Result<(String, Fields), Refusal> {
    let outer = json_object(body)?;
    let mid = required(&outer, "Mid")?;
    let enc = required(&outer, "EncData")?;
    let key = merchant_key(&mid).ok_or_else(|| refuse(sim::UNKNOWN_MERCHANT, "미등록 상점"))?;
    let aes = frame::aes_key(&Secret::new(key.to_string()))
        .map_err(|_| refuse(sim::UNKNOWN_MERCHANT, "상점키 오류"))?;
    let plain = frame::decrypt(&aes, &enc)
        .map_err(|_| refuse(sim::DECRYPT_FAILED, "EncData 복호화 실패"))?;
    let inner = json_object(&plain)?;
    if text(&inner, "Mid").as_deref() != Some(mid.as_str()) {
        return Err(refuse(sim::MISSING_FIELD, "Mid 불일치"));
    }
    Ok((mid, inner))
}

fn check_hash(expected: &str, got: &str, what: &str) -> Result<(), Refusal> {
    if paymux_core::wire::crypto::ct_eq(expected.as_bytes(), got.as_bytes()) {
        Ok(())
    } else {
        Err(refuse(
            sim::HASH_MISMATCH,
            format!("위변조 검증 실패: {what}"),
        ))
    }
}

fn yymmdd_hhmmss(now: &DateTime<FixedOffset>) -> String {
    now.format("%y%m%d%H%M%S").to_string()
}

fn display_card(number: &str) -> String {
    paymux_core::secret::mask_card_number(number)
}

/// A test card's refusal, or how to answer an approval.
fn card_behaviour(number: &str) -> Result<Option<bool>, Refusal> {
    match TestCard::of(number) {
        TestCard::Declined => Err(refuse(sim::CARD_DECLINED, "카드 거절")),
        TestCard::InsufficientFunds => Err(refuse(sim::INSUFFICIENT_FUNDS, "잔액 부족")),
        TestCard::ApproveLate => Ok(Some(true)),
        TestCard::Drop => Ok(None),
        TestCard::Approve => Ok(Some(false)),
    }
}

fn card_answer(
    p: &Payment,
    card: &str,
    goods_name: &str,
    now: &DateTime<FixedOffset>,
    auth_code: u64,
) -> Vec<(&'static str, String)> {
    vec![
        ("ResultCode", code::CARD_SUCCESS.into()),
        ("ResultMsg", "카드 결제 성공".into()),
        ("Tid", p.tid.clone()),
        ("Mid", p.merchant.clone()),
        ("Moid", p.order_id.clone()),
        ("PayMethod", pay_method::CARD.into()),
        ("Amt", p.amount.to_string()),
        ("GoodsName", goods_name.into()),
        ("AuthDate", yymmdd_hhmmss(now)),
        ("AuthCode", format!("{:08}", auth_code % 100_000_000)),
        ("AppCardCode", "12".into()),
        ("AppCardName", "NH농협".into()),
        ("AcquCardCode", "12".into()),
        ("AcquCardName", "NH농협".into()),
        ("CardNum", display_card(card)),
        ("CardQuota", "00".into()),
        ("CardInterest", "0".into()),
        ("Currency", "KRW".into()),
    ]
}

fn approval_reply(late: bool, pairs: &[(&str, String)]) -> Reply {
    let body = Answer::from_pairs(pairs).to_bytes();
    if late {
        Reply::AnswerLate(200, body)
    } else {
        Reply::Answer(200, body)
    }
}

/// Test-only window: the prepared form (UTF-8, urlencoded) with `CardNum` for cards.
fn mint_window(ledger: &mut Ledger, body: &[u8]) -> Result<Reply, Refusal> {
    let pairs = form_urldecode(body, Charset::Utf8)
        .map_err(|_| refuse(sim::MALFORMED_REQUEST, "폼 형식 오류"))?;
    let f: Fields = pairs
        .into_iter()
        .map(|(k, v)| (k, Value::String(v)))
        .collect();
    let pm = check_window_form(&f)?;
    let card_number = if pm == pay_method::CARD {
        Some(required(&f, "CardNum")?)
    } else {
        None
    };
    let (tid, tr_auth_key) = mint_auth(ledger, &f, card_number, false)?;
    Ok(answer(&[
        ("ResultCode", "0000".into()),
        ("ResultMsg", "인증 성공".into()),
        ("Tid", tid),
        ("TrAuthKey", tr_auth_key),
    ]))
}

/// Check a window form as `checkout.prepare` built it: a known `Mid`, `Amt`, `EdiDate`,
/// `EncryptData = base64(sha256(EdiDate + Mid + Amt + MerchantKey))`, `Moid`, a `PayMethod`
/// (and `VbankExpDate` for `VBANK`). Its `PayMethod`.
pub(super) fn check_window_form(f: &Fields) -> Result<&'static str, Refusal> {
    let mid = required(f, "Mid")?;
    let key = merchant_key(&mid).ok_or_else(|| refuse(sim::UNKNOWN_MERCHANT, "미등록 상점"))?;
    let amt = amount(f, "Amt")?;
    let edi = required(f, "EdiDate")?;
    let expected = frame::encrypt_data(&edi, &mid, &amt.to_string(), key);
    check_hash(&expected, &required(f, "EncryptData")?, "EncryptData")?;
    required(f, "Moid")?;
    let pm = match required(f, "PayMethod")?.as_str() {
        pay_method::CARD => pay_method::CARD,
        pay_method::BANK => pay_method::BANK,
        pay_method::VBANK => pay_method::VBANK,
        pay_method::CELLPHONE => pay_method::CELLPHONE,
        _ => return Err(refuse(sim::MISSING_FIELD, "PayMethod 오류")),
    };
    if pm == pay_method::VBANK {
        required(f, "VbankExpDate")?;
    }
    Ok(pm)
}

/// Mint a window authorization (`Tid`, `TrAuthKey`) for a checked form; `cancelled` when the
/// payer pressed Cancel (its approval is then refused).
pub(super) fn mint_auth(
    ledger: &mut Ledger,
    f: &Fields,
    card_number: Option<String>,
    cancelled: bool,
) -> Result<(String, String), Refusal> {
    let pm = check_window_form(f)?;
    let mid = required(f, "Mid")?;
    let amt = amount(f, "Amt")?;
    let moid = required(f, "Moid")?;
    let vbank_exp_date = if pm == pay_method::VBANK {
        Some(required(f, "VbankExpDate")?)
    } else {
        None
    };
    let now = chrono::Utc::now().with_timezone(&paymux_core::adapter::kst());
    let tid = ledger.new_tid(&mid, pm, &yymmdd_hhmmss(&now));
    let n = ledger.next_number();
    let tr_auth_key = frame::sha256_b64(&format!("{tid}:{n}:paymux-window"))
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .take(24)
        .collect::<String>();
    ledger.auths.push(WindowAuth {
        tid: tid.clone(),
        tr_auth_key: tr_auth_key.clone(),
        mid,
        moid,
        amount: amt,
        pay_method: pm,
        card_number,
        goods_name: text(f, "GoodsName").unwrap_or_default(),
        buyer_name: text(f, "BuyerName").unwrap_or_default(),
        vbank_exp_date,
        used: false,
        cancelled,
    });
    Ok((tid, tr_auth_key))
}

/// `urlCallApproval.do`: approve a window authorization.
fn approve_window(
    ledger: &mut Ledger,
    body: &[u8],
    now: &DateTime<FixedOffset>,
) -> Result<Reply, Refusal> {
    let f = json_object(body)?;
    let tid = required(&f, "Tid")?;
    let key = required(&f, "TrAuthKey")?;
    let Some(i) = ledger
        .auths
        .iter()
        .position(|a| a.tid == tid && a.tr_auth_key == key && !a.used)
    else {
        return Err(refuse(sim::WINDOW_AUTH_INVALID, "유효하지 않은 인증 정보"));
    };
    let auth = ledger.auths[i].clone();
    if auth.cancelled {
        ledger.auths[i].used = true;
        return Err(refuse(
            super::window::WINDOW_CANCELLED,
            "결제창에서 취소된 거래",
        ));
    }
    if ledger.has_order(&auth.mid, &auth.moid) {
        return Err(refuse(sim::DUPLICATE_ORDER, "중복 주문번호"));
    }
    let mut late = false;
    if let Some(card) = &auth.card_number {
        match card_behaviour(card)? {
            None => return Ok(Reply::Drop),
            Some(l) => late = l,
        }
    }
    ledger.auths[i].used = true;
    let state = if auth.pay_method == pay_method::VBANK {
        State::AwaitingDeposit
    } else {
        State::Approved
    };
    let p = payment(
        &auth.mid,
        &auth.moid,
        auth.tid.clone(),
        auth.pay_method,
        auth.amount,
        state,
    );
    ledger.record(p.clone());
    let n = ledger.next_number();
    let mut pairs = match auth.pay_method {
        pay_method::CARD => card_answer(
            &p,
            auth.card_number.as_deref().unwrap_or_default(),
            &auth.goods_name,
            now,
            n,
        ),
        pm => {
            let (code, msg) = match pm {
                pay_method::BANK => (rcode::BANK_SUCCESS, "계좌이체 성공"),
                pay_method::VBANK => (rcode::VBANK_ISSUED, "가상계좌 발급 성공"),
                _ => (rcode::CELLPHONE_SUCCESS, "휴대폰 결제 성공"),
            };
            let mut v = vec![
                ("ResultCode", code.to_string()),
                ("ResultMsg", msg.to_string()),
                ("Tid", p.tid.clone()),
                ("Mid", p.merchant.clone()),
                ("Moid", p.order_id.clone()),
                ("PayMethod", pm.to_string()),
                ("Amt", p.amount.to_string()),
                ("GoodsName", auth.goods_name.clone()),
                ("AuthDate", yymmdd_hhmmss(now)),
            ];
            if pm == pay_method::VBANK {
                v.extend(vbank_fields(
                    n,
                    "088",
                    auth.vbank_exp_date.as_deref().unwrap_or_default(),
                    &auth.buyer_name,
                ));
            } else {
                v.push(("AuthCode", format!("{:08}", n % 100_000_000)));
            }
            v
        }
    };
    pairs.push(("BuyerName", auth.buyer_name));
    Ok(approval_reply(late, &pairs))
}

fn vbank_fields(n: u64, bank: &str, exp_date: &str, holder: &str) -> Vec<(&'static str, String)> {
    let name = crate::protocol::BANKS
        .iter()
        .find(|(_, c)| *c == bank)
        .map(|(n, _)| *n)
        .unwrap_or("BANK");
    vec![
        ("VbankBankCode", bank.to_string()),
        ("VbankBankName", name.to_string()),
        ("VbankNum", format!("9{:013}", n)),
        ("VbankExpDate", exp_date.to_string()),
        ("VbankExpTime", "235959".into()),
        (
            "VbankAccountName",
            if holder.is_empty() {
                "paymux".to_string()
            } else {
                holder.to_string()
            },
        ),
    ]
}

/// The cancel (`cancel.do` and `cancelApproval.do`).
fn cancel(ledger: &mut Ledger, body: &[u8], now: &DateTime<FixedOffset>) -> Result<Reply, Refusal> {
    let (mid, f) = open(body)?;
    if required(&f, "SERVICE_MODE")? != fixed::SERVICE_MODE_CANCEL {
        return Err(refuse(sim::MISSING_FIELD, "SERVICE_MODE 오류"));
    }
    let tid = required(&f, "Tid")?;
    let amt_text = required(&f, "CancelAmt")?;
    let amt = amount(&f, "CancelAmt")?;
    let partial = required(&f, "PartialCancelCode")?;
    let key = merchant_key(&mid).unwrap_or_default();
    let expected = frame::cancel_hash(&tid, key, &amt_text, &partial);
    check_hash(&expected, &required(&f, "HashData")?, "HashData")?;
    let seq: u32 = required(&f, "CancelSeq")?
        .parse()
        .map_err(|_| refuse(sim::MISSING_FIELD, "CancelSeq 형식 오류"))?;
    let p = ledger
        .by_tid(&mid, &tid)
        .ok_or_else(|| refuse(sim::NOT_FOUND, "거래 없음"))?;
    let balance = p.balance();
    if balance == Money::ZERO {
        return Err(refuse(sim::ALREADY_CANCELLED, "이미 취소된 거래"));
    }
    if amt > balance {
        return Err(refuse(sim::CANCEL_EXCEEDS_BALANCE, "취소 금액 초과"));
    }
    if seq != p.cancel_count + 1 {
        return Err(refuse(sim::BAD_CANCEL_SEQUENCE, "취소 차수 오류"));
    }
    let full = amt == p.amount && p.cancelled == Money::ZERO;
    let expected_code = if full {
        fixed::FULL_CANCEL
    } else {
        fixed::PARTIAL_CANCEL
    };
    if partial != expected_code {
        return Err(refuse(sim::MISSING_FIELD, "PartialCancelCode 오류"));
    }
    let result = match (p.extra.pay_method, p.state) {
        (pay_method::VBANK, State::AwaitingDeposit) if !full => {
            return Err(refuse(
                sim::PARTIAL_CANCEL_REFUSED,
                "입금 전 가상계좌는 전체 취소만 가능",
            ))
        }
        (pay_method::VBANK, State::Deposited) => {
            for k in ["RefundBankCd", "RefundAcctNo", "RefundAcctNm", "RefundTel"] {
                required(&f, k)?;
            }
            (code::REFUND_SUCCESS, "환불 접수 성공")
        }
        (pay_method::BANK, _) => (code::REFUND_SUCCESS, "환불 성공"),
        _ => (code::CANCEL_SUCCESS, "취소 성공"),
    };
    p.cancel(Some(amt))
        .map_err(|_| refuse(sim::CANCEL_EXCEEDS_BALANCE, "취소 금액 초과"))?;
    let (p_tid, p_moid, p_remaining, p_method) = (
        p.tid.clone(),
        p.order_id.clone(),
        p.balance(),
        p.extra.pay_method,
    );
    let n = ledger.next_number();
    Ok(answer(&[
        ("ResultCode", result.0.into()),
        ("ResultMsg", result.1.into()),
        ("Tid", p_tid),
        ("Mid", mid),
        ("Moid", p_moid),
        ("PayMethod", p_method.into()),
        ("CancelAmt", amt.to_string()),
        ("CancelSeq", seq.to_string()),
        ("RemainAmt", p_remaining.to_string()),
        ("CancelDate", now.format("%Y%m%d").to_string()),
        ("CancelTime", now.format("%H%M%S").to_string()),
        ("CancelNum", format!("{:08}", n % 100_000_000)),
    ]))
}

/// `ssbbill.do`: charge a billing key.
fn bill(ledger: &mut Ledger, body: &[u8], now: &DateTime<FixedOffset>) -> Result<Reply, Refusal> {
    let (mid, f) = open(body)?;
    let token = required(&f, "BillTokenKey")?;
    let amt_text = required(&f, "Amt")?;
    let amt = amount(&f, "Amt")?;
    let moid = required(&f, "Moid")?;
    required(&f, "EdiDate")?;
    required(&f, "MallUserId")?;
    let expected = frame::bill_verify_value(&token, &mid, &amt_text);
    check_hash(&expected, &required(&f, "VerifyValue")?, "VerifyValue")?;
    let card = ledger
        .active_key(&mid, &token)
        .and_then(|k| k.card_number.clone())
        .ok_or_else(|| refuse(sim::BILLING_KEY_NOT_FOUND, "빌링키 없음"))?;
    if ledger.has_order(&mid, &moid) {
        return Err(refuse(sim::DUPLICATE_ORDER, "중복 주문번호"));
    }
    let late = match card_behaviour(&card)? {
        None => return Ok(Reply::Drop),
        Some(l) => l,
    };
    let tid = ledger.new_tid(&mid, pay_method::CARD, &yymmdd_hhmmss(now));
    let p = payment(&mid, &moid, tid, pay_method::CARD, amt, State::Approved);
    ledger.record(p.clone());
    let n = ledger.next_number();
    let goods = text(&f, "GoodsName").unwrap_or_default();
    let mut pairs = card_answer(&p, &card, &goods, now, n);
    pairs.push((
        "CardQuota",
        text(&f, "CardQuota").unwrap_or_else(|| "00".into()),
    ));
    Ok(approval_reply(late, &pairs))
}

/// `vacct.do`: issue a virtual account, as the public merchant integration calls it (vendor
/// notes §3a): no signature field (the merchant key behind `EncData` is the proof),
/// `TransType` `00` for a new account or `04` with the account in `SubId`, the cash-receipt
/// type and split, and an answer of `Tid`, `Moid`, `VbankName`, `VbankNum`.
fn vacct(ledger: &mut Ledger, body: &[u8], now: &DateTime<FixedOffset>) -> Result<Reply, Refusal> {
    let (mid, f) = open(body)?;
    if required(&f, "PayMethod")? != pay_method::VBANK {
        return Err(refuse(sim::MISSING_FIELD, "PayMethod 오류"));
    }
    let amt = amount(&f, "Amt")?;
    let moid = required(&f, "Moid")?;
    let edi = required(&f, "EdiDate")?;
    required(&f, "GoodsName")?;
    required(&f, "BuyerName")?;
    let count_ok = required(&f, "GoodsCnt")?
        .parse::<u32>()
        .is_ok_and(|n| (1..=99).contains(&n));
    let bank = required(&f, "VbankBankCode")?;
    let exp = required(&f, "VbankExpDate")?;
    if !count_ok || !all_digits(&edi, 14) || !all_digits(&bank, 3) || !all_digits(&exp, 8) {
        return Err(refuse(
            sim::MISSING_FIELD,
            "GoodsCnt / EdiDate / VbankBankCode / VbankExpDate 형식 오류",
        ));
    }
    let account = match required(&f, "TransType")?.as_str() {
        fixed::TRANS_TYPE_NEW => None,
        fixed::TRANS_TYPE_FIXED => {
            let sub = required(&f, "SubId")?;
            if !sub.bytes().all(|b| b.is_ascii_digit()) {
                return Err(refuse(sim::MISSING_FIELD, "SubId 형식 오류"));
            }
            Some(sub)
        }
        _ => return Err(refuse(sim::MISSING_FIELD, "TransType 오류")),
    };
    receipt(&f, amt)?;
    if ledger.has_order(&mid, &moid) {
        return Err(refuse(sim::DUPLICATE_ORDER, "중복 주문번호"));
    }
    let tid = ledger.new_tid(&mid, pay_method::VBANK, &yymmdd_hhmmss(now));
    ledger.record(payment(
        &mid,
        &moid,
        tid.clone(),
        pay_method::VBANK,
        amt,
        State::AwaitingDeposit,
    ));
    let n = ledger.next_number();
    let name = crate::protocol::BANKS
        .iter()
        .find(|(_, c)| *c == bank)
        .map_or("BANK", |(n, _)| *n);
    Ok(answer(&[
        ("ResultCode", rcode::VBANK_ISSUED.to_string()),
        ("ResultMsg", "가상계좌 채번 성공".to_string()),
        ("Tid", tid),
        ("Moid", moid),
        ("VbankName", name.to_string()),
        ("VbankNum", account.unwrap_or_else(|| format!("9{:013}", n))),
    ]))
}

fn all_digits(v: &str, len: usize) -> bool {
    v.len() == len && v.bytes().all(|b| b.is_ascii_digit())
}

/// `vacct.do`'s cash receipt: `CashReceiptType` 0 (none) to 3 (self-issued), `ReceiptAmt` the
/// payment's amount; an issued receipt names its identity and splits the amount into taxable
/// (supply + VAT) and tax-free parts.
fn receipt(f: &Fields, amt: Money) -> Result<(), Refusal> {
    let bad = |what: &str| refuse(sim::MISSING_FIELD, format!("현금영수증 오류: {what}"));
    let number = |k: &str| -> Result<i64, Refusal> {
        text(f, k)
            .and_then(|v| v.parse::<i64>().ok())
            .filter(|n| *n >= 0)
            .ok_or_else(|| bad(k))
    };
    let kind = required(f, "CashReceiptType")?;
    if !matches!(kind.as_str(), "0" | "1" | "2" | "3") {
        return Err(bad("CashReceiptType"));
    }
    if number("ReceiptAmt")? != amt.get() {
        return Err(bad("ReceiptAmt"));
    }
    let [tax, free, supply, vat] = [
        number("ReceiptTaxAmt")?,
        number("ReceiptTaxFreeAmt")?,
        number("ReceiptSupplyAmt")?,
        number("ReceiptVatAmt")?,
    ];
    if kind == "0" {
        return Ok(());
    }
    if kind != "3"
        && text(f, "ReceiptIdentity")
            .filter(|v| !v.is_empty())
            .is_none()
    {
        return Err(bad("ReceiptIdentity"));
    }
    if tax + free != amt.get() || supply + vat != tax {
        return Err(bad(
            "ReceiptTaxAmt + ReceiptTaxFreeAmt, ReceiptSupplyAmt + ReceiptVatAmt",
        ));
    }
    Ok(())
}

/// Reconstructed `billkey.do`: issue a billing key.
fn issue_key(
    ledger: &mut Ledger,
    body: &[u8],
    now: &DateTime<FixedOffset>,
) -> Result<Reply, Refusal> {
    let (mid, f) = open(body)?;
    let key = merchant_key(&mid).unwrap_or_default();
    let edi = required(&f, "EdiDate")?;
    let amt = required(&f, "Amt")?;
    let expected = frame::encrypt_data(&edi, &mid, &amt, key);
    check_hash(&expected, &required(&f, "EncryptData")?, "EncryptData")?;
    let card = required(&f, "CardNum")?;
    if !(13..=19).contains(&card.len()) || !card.bytes().all(|b| b.is_ascii_digit()) {
        return Err(refuse(sim::MISSING_FIELD, "카드번호 형식 오류"));
    }
    let expire = required(&f, "CardExpire")?;
    if expire.len() != 4 || !expire.bytes().all(|b| b.is_ascii_digit()) {
        return Err(refuse(sim::MISSING_FIELD, "유효기간 형식 오류"));
    }
    required(&f, "BuyerAuthNum")?;
    required(&f, "CardPwd")?;
    required(&f, "MallUserId")?;
    // Registering a card moves no money: …0002 is refused by the issuer and …0099 drops the
    // connection (nothing recorded); …0051 and …0098 register normally and show their
    // behaviour at the charge, where money moves (as the Galaxia simulator does).
    match TestCard::of(&card) {
        TestCard::Declined => return Err(refuse(sim::CARD_DECLINED, "카드 거절")),
        TestCard::Drop => return Ok(Reply::Drop),
        TestCard::ApproveLate | TestCard::Approve | TestCard::InsufficientFunds => {}
    }
    let n = ledger.next_number();
    let token = format!("SIMBK{:015}", n);
    let aes = frame::aes_key(&Secret::new(key.to_string()))
        .map_err(|_| refuse(sim::UNKNOWN_MERCHANT, "상점키 오류"))?;
    let encrypted = frame::encrypt(&aes, token.as_bytes())
        .map_err(|_| refuse(sim::UNKNOWN_MERCHANT, "상점키 오류"))?;
    ledger.issue_key(&mid, token, Some(card.clone()));
    let pairs = vec![
        ("ResultCode", rcode::BILLKEY_ISSUED.to_string()),
        ("ResultMsg", "빌링키 발급 성공".to_string()),
        ("Mid", mid),
        ("BillTokenKey", encrypted),
        ("DisplayCardNo", display_card(&card)),
        ("CardExpire", expire),
        ("IssuerCardCd", "12".to_string()),
        ("IssuerCardNm", "NH농협".to_string()),
        ("AuthDate", yymmdd_hhmmss(now)),
    ];
    Ok(answer(&pairs))
}

/// Reconstructed `billkeyDelete.do`.
fn delete_key(ledger: &mut Ledger, body: &[u8]) -> Result<Reply, Refusal> {
    let (mid, f) = open(body)?;
    let token = required(&f, "BillTokenKey")?;
    let edi = required(&f, "EdiDate")?;
    let expected = reconstructed::delete_verify_value(&token, &mid, &edi);
    check_hash(&expected, &required(&f, "VerifyValue")?, "VerifyValue")?;
    if !ledger.delete_key(&mid, &token) {
        return Err(refuse(sim::BILLING_KEY_NOT_FOUND, "빌링키 없음"));
    }
    Ok(answer(&[
        ("ResultCode", rcode::BILLKEY_DELETED.to_string()),
        ("ResultMsg", "빌링키 삭제 성공".to_string()),
        ("Mid", mid),
    ]))
}

/// Reconstructed `inquiry.do`: by `Tid`, else the latest payment of `Moid`.
fn inquiry(ledger: &mut Ledger, body: &[u8]) -> Result<Reply, Refusal> {
    let (mid, f) = open(body)?;
    let moid = required(&f, "Moid")?;
    let edi = required(&f, "EdiDate")?;
    let key = merchant_key(&mid).unwrap_or_default();
    let expected = reconstructed::inquiry_hash(&edi, &mid, &moid, key);
    check_hash(&expected, &required(&f, "HashData")?, "HashData")?;
    let tid = text(&f, "Tid").filter(|t| !t.is_empty());
    let p = ledger
        .payments
        .iter()
        .rev()
        .find(|p| {
            p.merchant == mid
                && match &tid {
                    Some(t) => &p.tid == t,
                    None => p.order_id == moid,
                }
        })
        .ok_or_else(|| refuse(sim::NOT_FOUND, "거래 없음"))?;
    let st = if p.cancelled != Money::ZERO && p.balance() == Money::ZERO {
        state::CANCELLED
    } else if p.state == State::AwaitingDeposit {
        state::WAITING_DEPOSIT
    } else if p.cancelled == Money::ZERO {
        state::APPROVED
    } else {
        state::PARTIALLY_CANCELLED
    };
    Ok(answer(&[
        ("ResultCode", rcode::INQUIRY_FOUND.to_string()),
        ("ResultMsg", "조회 성공".to_string()),
        ("Tid", p.tid.clone()),
        ("Mid", p.merchant.clone()),
        ("Moid", p.order_id.clone()),
        ("PayMethod", p.extra.pay_method.to_string()),
        ("StateCd", st.to_string()),
        ("Amt", p.amount.to_string()),
        ("CancelAmt", p.cancelled.to_string()),
        ("RemainAmt", p.balance().to_string()),
    ]))
}

/// Test-only: the payer deposits into a virtual account.
fn deposit(ledger: &mut Ledger, body: &[u8]) -> Result<Reply, Refusal> {
    let f = json_object(body)?;
    let tid = required(&f, "Tid")?;
    ledger
        .deposit(&tid)
        .map_err(|_| refuse(sim::NOT_FOUND, "입금 대기 가상계좌 없음"))?;
    Ok(answer(&[
        ("ResultCode", "0000".to_string()),
        ("ResultMsg", "입금 완료".to_string()),
        ("Tid", tid),
    ]))
}
