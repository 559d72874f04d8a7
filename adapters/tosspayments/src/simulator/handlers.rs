//! What the simulator does with each request: pure bookkeeping on the [`Books`]; the kit's
//! server decides when (and whether) the answer is written.

use std::collections::HashMap;

use chrono::{DateTime, Duration, FixedOffset};
use paymux_core::money::Money;
use paymux_core::simulator::http::Request;
use paymux_core::simulator::ledger::{Ledger, Method, Payment, State, VirtualAccount};
use paymux_core::simulator::server::Reply;
use paymux_core::simulator::window::WindowBook;
use paymux_core::simulator::{Notice, TestCard};
use paymux_core::wire::codec::b64_decode;
use serde_json::{json, Map, Value};

use crate::protocol::{header, method, path, status, TEST_KEY_PREFIX};

/// What to write back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// A JSON answer: HTTP status and body.
    Json(u16, Vec<u8>),
    /// An HTML page of the payment window.
    Page(u16, String),
}

/// What Toss keeps about a payment beyond the kit's ledger.
#[derive(Debug, Clone, Default)]
pub struct Extra {
    /// 구매상품.
    pub order_name: String,
    /// Toss's masked card number (cards).
    pub card_number: Option<String>,
    /// 승인 번호 (cards).
    pub approve_no: Option<String>,
    /// 할부 개월 수.
    pub installment: u32,
    /// 면세 금액.
    pub tax_free: i64,
    /// 요청 시각.
    pub requested_at: String,
    /// The virtual account's `secret` (authenticates its deposit notices).
    pub secret: Option<String>,
    /// 입금자명 / 고객명.
    pub customer_name: String,
    /// Cancels: amount, reason, tax-free, refundable after, time, transaction key.
    pub cancels: Vec<Value>,
}

/// A window payment the payer authenticated, waiting for `POST /v1/payments/confirm`.
#[derive(Debug, Clone)]
pub struct Authenticated {
    /// The merchant (secret key) the window was opened for.
    pub merchant: String,
    /// 주문번호.
    pub order_id: String,
    /// 구매상품.
    pub order_name: String,
    /// 금액 the window was opened for.
    pub amount: i64,
    /// The card the payer entered.
    pub card_number: String,
}

/// An open window: its parameters.
#[derive(Debug, Clone)]
pub struct OpenWindow {
    /// The merchant's secret key is not known to the window; its client key is.
    pub client_key: String,
    /// 주문번호.
    pub order_id: String,
    /// 구매상품.
    pub order_name: String,
    /// 금액.
    pub amount: i64,
    /// Where success goes.
    pub success_url: String,
    /// Where failure goes.
    pub fail_url: String,
}

/// Everything the simulator remembers.
#[derive(Debug, Default)]
pub struct Books {
    /// Payments, billing keys, virtual accounts (the kit's ledger).
    pub ledger: Ledger<Extra>,
    /// Billing keys' customer keys, by billing key.
    pub customer_keys: HashMap<String, String>,
    /// Answers by (secret key, Idempotency-Key, method, path): replayed to a repeated request.
    pub idempotent: HashMap<(String, String, String, String), Answer>,
    /// Open windows.
    pub windows: WindowBook<OpenWindow>,
    /// Window payments awaiting confirmation, by paymentKey.
    pub authenticated: HashMap<String, Authenticated>,
    /// Cash receipts (`/v1/cash-receipts`).
    pub receipts: Vec<super::receipts::SimReceipt>,
}

/// Toss's error body `{code, message}` with its HTTP status.
pub fn error(status: u16, code: &str, message: &str) -> Answer {
    Answer::Json(
        status,
        serde_json::to_vec(&json!({ "code": code, "message": message })).unwrap_or_default(),
    )
}

type Handled = Result<Reply<Answer>, Answer>;

fn ok(v: &Value) -> Reply<Answer> {
    Reply::Answer(Answer::Json(200, serde_json::to_vec(v).unwrap_or_default()))
}

/// Handle one request at `now`.
pub fn handle(books: &mut Books, req: &Request, now: &DateTime<FixedOffset>) -> Reply<Answer> {
    if super::window::serves(&req.path) {
        return super::window::handle(books, req, now);
    }
    let merchant = match merchant(req) {
        Ok(m) => m,
        Err(a) => return Reply::Answer(a),
    };
    let idem = req
        .header(&header::IDEMPOTENCY_KEY.to_ascii_lowercase())
        .map(str::to_string);
    if let Some(key) = &idem {
        if key.is_empty() || key.chars().count() > crate::protocol::IDEMPOTENCY_KEY_MAX {
            return Reply::Answer(error(
                400,
                "INVALID_REQUEST",
                "멱등키는 1자 이상 300자 이하여야 합니다.",
            ));
        }
        let slot = (merchant.clone(), key.clone(), req.method.clone(), req.path.clone());
        if let Some(first) = books.idempotent.get(&slot) {
            // The first answer again; nothing is booked twice.
            return Reply::Answer(first.clone());
        }
    }
    let result = route(books, &merchant, req, now);
    let reply = match result {
        Ok(r) => r,
        Err(a) => Reply::Answer(a),
    };
    if let Some(key) = idem {
        if let Reply::Answer(a) | Reply::AnswerLate(a) = &reply {
            books
                .idempotent
                .insert((merchant, key, req.method.clone(), req.path.clone()), a.clone());
        }
    }
    reply
}

/// The merchant of a call: its `Authorization: Basic base64(secretKey + ":")`.
fn merchant(req: &Request) -> Result<String, Answer> {
    let unauthorized = || error(401, "UNAUTHORIZED_KEY", "인증되지 않은 시크릿 키 혹은 클라이언트 키 입니다.");
    let value = req.header("authorization").ok_or_else(unauthorized)?;
    let encoded = value
        .strip_prefix("Basic ")
        .ok_or_else(|| error(401, "INCORRECT_BASIC_AUTH_FORMAT", "잘못된 요청입니다. ':' 를 포함해 인코딩해주세요."))?;
    let decoded = b64_decode("Authorization", encoded.trim())
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .ok_or_else(|| error(401, "INCORRECT_BASIC_AUTH_FORMAT", "잘못된 요청입니다. ':' 를 포함해 인코딩해주세요."))?;
    let key = decoded
        .strip_suffix(':')
        .ok_or_else(|| error(401, "INCORRECT_BASIC_AUTH_FORMAT", "잘못된 요청입니다. ':' 를 포함해 인코딩해주세요."))?;
    if !key.starts_with(TEST_KEY_PREFIX) || key.len() <= TEST_KEY_PREFIX.len() || key.contains(':') {
        return Err(unauthorized());
    }
    Ok(key.to_string())
}

fn route(
    books: &mut Books,
    merchant: &str,
    req: &Request,
    now: &DateTime<FixedOffset>,
) -> Handled {
    let p = req.path.as_str();
    match req.method.as_str() {
        "POST" => {
            if p == path::KEY_IN {
                key_in(books, merchant, &body(req)?, now)
            } else if p == path::VIRTUAL_ACCOUNTS {
                virtual_account(books, merchant, &body(req)?, now)
            } else if p == path::BILLING_AUTH_CARD {
                issue_billing_key(books, merchant, &body(req)?, now)
            } else if p == path::CASH_RECEIPTS {
                super::receipts::issue(books, merchant, &body(req)?, now)
            } else if let Some(key) = p
                .strip_prefix(path::CASH_RECEIPTS)
                .and_then(|r| r.strip_prefix('/'))
                .and_then(|r| r.strip_suffix(path::CANCEL_SUFFIX))
            {
                super::receipts::cancel(books, merchant, key, &body(req)?, now)
            } else if p == path::CONFIRM {
                confirm(books, merchant, &body(req)?, now)
            } else if let Some(key) = p
                .strip_prefix(path::PAYMENTS)
                .and_then(|r| r.strip_suffix(path::CANCEL_SUFFIX))
            {
                cancel(books, merchant, key, &body(req)?, now)
            } else if let Some(key) = p.strip_prefix(path::BILLING) {
                if key.is_empty() || key.contains('/') {
                    return Err(not_found_path());
                }
                bill(books, merchant, key, &body(req)?, now)
            } else {
                Err(not_found_path())
            }
        }
        "GET" => {
            if p == path::CASH_RECEIPTS {
                super::receipts::list(books, merchant, &req.query)
            } else if let Some(order) = p.strip_prefix(path::BY_ORDER) {
                let found = books
                    .ledger
                    .payments
                    .iter()
                    .rev()
                    .find(|x| x.merchant == merchant && x.order_id == order);
                found.map(|x| ok(&payment_json(x))).ok_or_else(not_found_payment)
            } else if let Some(key) = p.strip_prefix(path::PAYMENTS) {
                let found = books
                    .ledger
                    .payments
                    .iter()
                    .find(|x| x.merchant == merchant && x.tid == key);
                found.map(|x| ok(&payment_json(x))).ok_or_else(not_found_payment)
            } else {
                Err(not_found_path())
            }
        }
        _ => Err(error(405, "INVALID_REQUEST", "지원하지 않는 메서드입니다.")),
    }
}

fn not_found_path() -> Answer {
    error(404, "NOT_FOUND", "존재하지 않는 API 입니다.")
}

fn not_found_payment() -> Answer {
    error(404, "NOT_FOUND_PAYMENT", "존재하지 않는 결제 정보 입니다.")
}

fn invalid(message: &str) -> Answer {
    error(400, "INVALID_REQUEST", message)
}

fn body(req: &Request) -> Result<Map<String, Value>, Answer> {
    match serde_json::from_slice::<Value>(&req.body) {
        Ok(Value::Object(m)) => Ok(m),
        _ => Err(invalid("잘못된 요청입니다. JSON 본문이 필요합니다.")),
    }
}

fn text(f: &Map<String, Value>, k: &str) -> Option<String> {
    f.get(k)?.as_str().map(str::to_string)
}

fn required(f: &Map<String, Value>, k: &str) -> Result<String, Answer> {
    text(f, k)
        .filter(|v| !v.trim().is_empty())
        .ok_or_else(|| invalid(&format!("{k} 값이 필요합니다.")))
}

fn int(f: &Map<String, Value>, k: &str) -> Result<Option<i64>, Answer> {
    match f.get(k) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => v
            .as_i64()
            .filter(|n| *n >= 0)
            .map(Some)
            .ok_or_else(|| invalid(&format!("{k} 값이 올바르지 않습니다."))),
    }
}

fn amount(f: &Map<String, Value>) -> Result<i64, Answer> {
    match int(f, "amount")? {
        Some(a) if a >= 100 => Ok(a),
        Some(_) => Err(error(400, "BELOW_MINIMUM_AMOUNT", "최소 결제 금액보다 작습니다.")),
        None => Err(invalid("amount 값이 필요합니다.")),
    }
}

fn order_id(f: &Map<String, Value>) -> Result<String, Answer> {
    let id = required(f, "orderId")?;
    let ok = (6..=64).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if ok {
        Ok(id)
    } else {
        Err(invalid("orderId는 영문 대소문자, 숫자, -, _로 이루어진 6자 이상 64자 이하여야 합니다."))
    }
}

fn card_fields(f: &Map<String, Value>) -> Result<String, Answer> {
    let number = required(f, "cardNumber")?;
    if number.len() > 20 || number.len() < 13 || !number.bytes().all(|b| b.is_ascii_digit()) {
        return Err(error(400, "INVALID_CARD_NUMBER", "카드번호를 다시 확인해주세요."));
    }
    let year = required(f, "cardExpirationYear")?;
    let month = required(f, "cardExpirationMonth")?;
    let month_ok = month.len() == 2 && month.parse::<u32>().is_ok_and(|m| (1..=12).contains(&m));
    if year.len() != 2 || !year.bytes().all(|b| b.is_ascii_digit()) || !month_ok {
        return Err(error(400, "INVALID_CARD_EXPIRATION", "카드 정보를 다시 확인해주세요. (유효기간)"));
    }
    let id = required(f, "customerIdentityNumber")?;
    if !(id.len() == 6 || id.len() == 10) || !id.bytes().all(|b| b.is_ascii_digit()) {
        return Err(error(400, "INVALID_BIRTH_DAY_FORMAT", "생년월일 정보는 6자리의 yyMMdd 형식이어야 합니다. 사업자등록번호는 10자리의 숫자여야 합니다."));
    }
    if let Some(pw) = text(f, "cardPassword") {
        if pw.len() != 2 || !pw.bytes().all(|b| b.is_ascii_digit()) {
            return Err(error(400, "INVALID_CARD_PASSWORD", "카드 정보를 다시 확인해주세요. (비밀번호)"));
        }
    }
    Ok(number)
}

/// The test card's refusal, or whether to answer late (`None` = drop).
fn card_behaviour(number: &str) -> Result<Option<bool>, Answer> {
    match TestCard::of(number) {
        TestCard::Declined => Err(error(403, "REJECT_CARD_COMPANY", "카드사에서 결제를 거절했습니다.")),
        TestCard::InsufficientFunds => Err(error(403, "REJECT_CARD_PAYMENT", "한도초과 혹은 잔액부족으로 결제에 실패했습니다.")),
        TestCard::ApproveLate => Ok(Some(true)),
        TestCard::Drop => Ok(None),
        TestCard::Approve => Ok(Some(false)),
    }
}

/// Toss's timestamp: `2024-01-01T10:00:00+09:00`.
pub fn toss_time(t: &DateTime<FixedOffset>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%:z").to_string()
}

fn payment_key(books: &mut Books, now: &DateTime<FixedOffset>) -> String {
    let n = books.ledger.next_number();
    format!("tsim{}{n:08}", now.format("%Y%m%d%H%M%S"))
}

fn masked_card(number: &str) -> String {
    // Toss's own masking: the first 8 digits, then `****`, then 3 digits and `*`.
    let n = number.len();
    if n < 12 {
        return "*".repeat(n);
    }
    format!("{}****{}*", &number[..8], &number[n - 4..n - 1])
}

/// Book an approved card payment and answer it (now or late).
#[allow(clippy::too_many_arguments)]
fn approve_card(
    books: &mut Books,
    merchant: &str,
    order_id: &str,
    order_name: &str,
    total: i64,
    tax_free: i64,
    installment: u32,
    card: &str,
    key: Option<String>,
    now: &DateTime<FixedOffset>,
) -> Handled {
    let late = match card_behaviour(card)? {
        None => return Ok(Reply::Drop),
        Some(late) => late,
    };
    let key = key.unwrap_or_else(|| payment_key(books, now));
    let n = books.ledger.next_number();
    let p = Payment::approved(
        merchant,
        order_id,
        key,
        Method::Card,
        Money::new(total).map_err(|_| invalid("amount"))?,
        &toss_time(now),
        Extra {
            order_name: order_name.to_string(),
            card_number: Some(masked_card(card)),
            approve_no: Some(format!("{:08}", n % 100_000_000)),
            installment,
            tax_free,
            requested_at: toss_time(now),
            ..Extra::default()
        },
    );
    let p = books.ledger.record(p);
    let v = payment_json(&p);
    let a = Answer::Json(200, serde_json::to_vec(&v).unwrap_or_default());
    Ok(if late {
        Reply::AnswerLate(a)
    } else {
        Reply::Answer(a)
    })
}

fn duplicate(books: &Books, merchant: &str, order: &str) -> Result<(), Answer> {
    if books.ledger.has_order(merchant, order) {
        return Err(error(400, "DUPLICATED_ORDER_ID", "이미 승인 및 취소가 진행된 중복된 주문번호 입니다. 다른 주문번호로 진행해주세요."));
    }
    Ok(())
}

fn installment(f: &Map<String, Value>) -> Result<u32, Answer> {
    match int(f, "cardInstallmentPlan")? {
        None => Ok(0),
        Some(m) if m <= 12 => Ok(u32::try_from(m).unwrap_or(0)),
        Some(_) => Err(error(400, "INVALID_CARD_INSTALLMENT_PLAN", "할부 개월 정보가 잘못되었습니다.")),
    }
}

fn key_in(books: &mut Books, merchant: &str, f: &Map<String, Value>, now: &DateTime<FixedOffset>) -> Handled {
    let total = amount(f)?;
    let order = order_id(f)?;
    let name = required(f, "orderName")?;
    let card = card_fields(f)?;
    let tax_free = int(f, "taxFreeAmount")?.unwrap_or(0);
    let months = installment(f)?;
    duplicate(books, merchant, &order)?;
    approve_card(books, merchant, &order, &name, total, tax_free, months, &card, None, now)
}

fn virtual_account(books: &mut Books, merchant: &str, f: &Map<String, Value>, now: &DateTime<FixedOffset>) -> Handled {
    let total = amount(f)?;
    let order = order_id(f)?;
    let name = required(f, "orderName")?;
    let customer = required(f, "customerName")?;
    let bank = required(f, "bank")?;
    if !crate::protocol::BANKS.iter().any(|(_, c)| *c == bank) {
        return Err(error(400, "INVALID_BANK", "유효하지 않은 은행입니다."));
    }
    let due = match (int(f, "validHours")?, text(f, "dueDate")) {
        (Some(h), None) if (1..=720).contains(&h) => *now + Duration::hours(h),
        (None, Some(d)) => crate::decode::parse_time(&d)
            .filter(|d| d > now && *d <= *now + Duration::hours(720))
            .ok_or_else(|| error(400, "EXCEED_MAX_DUE_DATE", "가상 계좌의 최대 유효만료 기간을 초과했습니다."))?,
        (None, None) => *now + Duration::days(7),
        _ => return Err(invalid("validHours 또는 dueDate 중 하나만 보내주세요.")),
    };
    duplicate(books, merchant, &order)?;
    let key = payment_key(books, now);
    let n = books.ledger.next_number();
    let mut p = Payment::approved(
        merchant,
        &order,
        key.clone(),
        Method::VirtualAccount,
        Money::new(total).map_err(|_| invalid("amount"))?,
        "",
        Extra {
            order_name: name,
            tax_free: int(f, "taxFreeAmount")?.unwrap_or(0),
            requested_at: toss_time(now),
            secret: Some(format!("ps_sim{n:010}{}", now.format("%H%M%S"))),
            customer_name: customer,
            ..Extra::default()
        },
    );
    p.state = State::AwaitingDeposit;
    p.account = Some(VirtualAccount {
        bank,
        number: format!("X{:013}", 5_621_000_000_000u64 + n),
        due: toss_time(&due),
    });
    let p = books.ledger.record(p);
    Ok(ok(&payment_json(&p)))
}

fn issue_billing_key(books: &mut Books, merchant: &str, f: &Map<String, Value>, now: &DateTime<FixedOffset>) -> Handled {
    let customer_key = required(f, "customerKey")?;
    let ck_ok = (2..=300).contains(&customer_key.chars().count())
        && customer_key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_=.@".contains(&b));
    if !ck_ok {
        return Err(error(400, "INVALID_CUSTOMER_KEY", "고객키는 영문 대소문자, 숫자, 특수문자 -, _, =, ., @ 로 2자 이상 300자 이하여야 합니다."));
    }
    let card = card_fields(f)?;
    match TestCard::of(&card) {
        TestCard::Declined => return Err(error(403, "REJECT_CARD_COMPANY", "카드사에서 결제를 거절했습니다.")),
        TestCard::Drop => return Ok(Reply::Drop),
        _ => {}
    }
    let n = books.ledger.next_number();
    let key = format!("BKsim{n:08}{}", now.format("%H%M%S%3f"));
    books.ledger.issue_key(merchant, key.clone(), Some(card.clone()));
    books.customer_keys.insert(key.clone(), customer_key.clone());
    Ok(ok(&json!({
        "mId": "tosspayments",
        "customerKey": customer_key,
        "authenticatedAt": toss_time(now),
        "method": method::CARD,
        "billingKey": key,
        "cardCompany": "신한",
        "cardNumber": masked_card(&card),
        "card": { "issuerCode": "41", "acquirerCode": "41", "number": masked_card(&card), "cardType": "신용", "ownerType": "개인" },
    })))
}

fn bill(books: &mut Books, merchant: &str, key: &str, f: &Map<String, Value>, now: &DateTime<FixedOffset>) -> Handled {
    let total = amount(f)?;
    let order = order_id(f)?;
    let name = required(f, "orderName")?;
    let customer_key = required(f, "customerKey")?;
    let card = books
        .ledger
        .active_key(merchant, key)
        .and_then(|k| k.card_number.clone())
        .ok_or_else(|| error(404, "NOT_FOUND_BILLING", "존재하지 않는 빌링키입니다."))?;
    if books.customer_keys.get(key) != Some(&customer_key) {
        return Err(error(400, "NOT_MATCHES_CUSTOMER_KEY", "빌링키 인증 시 사용한 고객키와 일치하지 않습니다."));
    }
    let months = installment(f)?;
    duplicate(books, merchant, &order)?;
    let tax_free = int(f, "taxFreeAmount")?.unwrap_or(0);
    approve_card(books, merchant, &order, &name, total, tax_free, months, &card, None, now)
}

fn confirm(books: &mut Books, merchant: &str, f: &Map<String, Value>, now: &DateTime<FixedOffset>) -> Handled {
    let key = required(f, "paymentKey")?;
    let order = order_id(f)?;
    let total = int(f, "amount")?.ok_or_else(|| invalid("amount 값이 필요합니다."))?;
    let auth = books
        .authenticated
        .get(&key)
        .filter(|a| a.merchant == merchant)
        .cloned();
    let Some(auth) = auth else {
        if books.ledger.payments.iter().any(|p| p.tid == key) {
            return Err(error(400, "ALREADY_PROCESSED_PAYMENT", "이미 처리된 결제 입니다."));
        }
        return Err(error(404, "NOT_FOUND_PAYMENT_SESSION", "결제 시간이 만료되어 결제 진행 데이터가 존재하지 않습니다."));
    };
    if auth.order_id != order || auth.amount != total {
        return Err(invalid("결제 금액 또는 주문번호가 결제 요청과 일치하지 않습니다."));
    }
    let reply = approve_card(books, merchant, &order, &auth.order_name, total, 0, 0, &auth.card_number, Some(key.clone()), now)?;
    if !matches!(reply, Reply::Drop) {
        books.authenticated.remove(&key);
    }
    Ok(reply)
}

fn cancel(books: &mut Books, merchant: &str, key: &str, f: &Map<String, Value>, now: &DateTime<FixedOffset>) -> Handled {
    let reason = required(f, "cancelReason")?;
    if reason.chars().count() > 200 {
        return Err(invalid("cancelReason은 200자 이하여야 합니다."));
    }
    let want = int(f, "cancelAmount")?;
    let tax_free = int(f, "taxFreeAmount")?.unwrap_or(0);
    let refund = f.get("refundReceiveAccount").cloned();
    let n = books.ledger.next_number();
    let p = books
        .ledger
        .payments
        .iter_mut()
        .find(|p| p.merchant == merchant && p.tid == key)
        .ok_or_else(not_found_payment)?;
    let awaiting = p.state == State::AwaitingDeposit;
    if awaiting && want.is_some_and(|w| w != p.balance().get()) {
        return Err(error(400, "NOT_CANCELABLE_AMOUNT", "입금 전 가상계좌는 부분 취소할 수 없습니다."));
    }
    if p.method == Method::VirtualAccount && p.state == State::Deposited {
        let ok = refund
            .as_ref()
            .and_then(Value::as_object)
            .is_some_and(|r| ["bank", "accountNumber", "holderName"].iter().all(|k| r.get(*k).and_then(Value::as_str).is_some_and(|v| !v.is_empty())));
        if !ok {
            return Err(error(400, "INVALID_REFUND_ACCOUNT_INFO", "환불 계좌 정보가 유효하지 않습니다."));
        }
    }
    let amount = match want {
        Some(w) => Some(Money::new(w).map_err(|_| invalid("cancelAmount"))?),
        None => None,
    };
    use paymux_core::simulator::ledger::CancelRefusal as R;
    let (took, _) = p.cancel(amount).map_err(|r| match r {
        R::NothingLeft => error(400, "ALREADY_CANCELED_PAYMENT", "이미 취소된 결제 입니다."),
        R::ExceedsBalance => error(400, "NOT_CANCELABLE_AMOUNT", "취소 할 수 없는 금액 입니다."),
        R::Zero => invalid("취소 금액은 0보다 커야 합니다."),
    })?;
    p.extra.cancels.push(json!({
        "cancelAmount": took.get(),
        "cancelReason": reason,
        "taxFreeAmount": tax_free,
        "refundableAmount": p.balance().get(),
        "canceledAt": toss_time(now),
        "transactionKey": format!("txsim{n:010}"),
    }));
    let v = payment_json(p);
    Ok(ok(&v))
}

/// The Payment object of `p`, as Toss answers it.
pub fn payment_json(p: &Payment<Extra>) -> Value {
    let st = if p.cancelled != Money::ZERO && p.balance() == Money::ZERO {
        status::CANCELED
    } else if p.cancelled != Money::ZERO {
        status::PARTIAL_CANCELED
    } else if p.state == State::AwaitingDeposit {
        status::WAITING_FOR_DEPOSIT
    } else {
        status::DONE
    };
    let x = &p.extra;
    let is_va = p.method == Method::VirtualAccount;
    let card = (!is_va).then(|| {
        json!({
            "amount": p.amount.get(),
            "issuerCode": "41",
            "acquirerCode": "41",
            "number": x.card_number,
            "installmentPlanMonths": x.installment,
            "approveNo": x.approve_no,
            "cardType": "신용",
            "ownerType": "개인",
            "acquireStatus": "READY",
        })
    });
    let va = p.account.as_ref().map(|a| {
        json!({
            "accountType": "일반",
            "accountNumber": a.number,
            "bankCode": a.bank,
            "customerName": x.customer_name,
            "dueDate": a.due,
            "expired": false,
        })
    });
    let approved_at = match (is_va, p.state) {
        (true, State::AwaitingDeposit) => Value::Null,
        _ => Value::String(p.approved_at.clone()),
    };
    json!({
        "mId": "tosspayments",
        "version": "2022-11-16",
        "paymentKey": p.tid,
        "orderId": p.order_id,
        "orderName": x.order_name,
        "currency": "KRW",
        "method": if is_va { method::VIRTUAL_ACCOUNT } else { method::CARD },
        "status": st,
        "requestedAt": x.requested_at,
        "approvedAt": approved_at,
        "totalAmount": p.amount.get(),
        "balanceAmount": p.balance().get(),
        "taxFreeAmount": x.tax_free,
        "card": card,
        "virtualAccount": va,
        "cancels": if x.cancels.is_empty() { Value::Null } else { Value::Array(x.cancels.clone()) },
        "secret": x.secret,
        "receipt": { "url": format!("https://dashboard.tosspayments.com/receipt/redirection?transactionId={}", p.tid) },
        "failure": Value::Null,
    })
}

/// The payer deposits into the virtual account `pg_tx_id`: Toss's `DEPOSIT_CALLBACK`.
pub fn deposit(books: &mut Books, pg_tx_id: &str, now: &DateTime<FixedOffset>) -> Option<Notice> {
    books.ledger.deposit(pg_tx_id).ok()?;
    let p = books.ledger.by_tid(pg_tx_id)?;
    p.approved_at = toss_time(now);
    Some(deposit_notice(p, now))
}

/// `DEPOSIT_CALLBACK` for `p`: `{createdAt, secret, status, transactionKey, orderId}` as the
/// webhook guide shows, JSON.
pub fn deposit_notice(p: &Payment<Extra>, now: &DateTime<FixedOffset>) -> Notice {
    let body = json!({
        "createdAt": now.format("%Y-%m-%dT%H:%M:%S%.6f").to_string(),
        "secret": p.extra.secret,
        "status": status::DONE,
        "transactionKey": format!("txdep{}", p.tid),
        "orderId": p.order_id,
    });
    Notice {
        content_type: "application/json".into(),
        headers: Vec::new(),
        body: serde_json::to_vec(&body).unwrap_or_default(),
    }
}
