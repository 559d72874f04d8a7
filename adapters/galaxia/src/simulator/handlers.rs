//! What the simulator does with each command. Pure bookkeeping on the [`Ledger`]; the
//! server decides when (and whether) the answer is written.

use paymux_core::money::Money;
use paymux_core::simulator::ledger::{CancelRefusal, State};
use paymux_core::simulator::TestCard;

use super::ledger::{self, Extra, Ledger, Payment, MERCHANT};
use crate::frame::Telegram;
use crate::protocol::{code, command, fixed, service, sim, tag};

/// What to do with the connection: answer now, answer late (test card `…0098`), or close
/// without answering, nothing recorded (`…0099`).
pub type Reply = paymux_core::simulator::server::Reply<Telegram>;

/// Handle one decrypted request at time `now` (`YYYYMMDDHHMMSS`).
pub fn handle(ledger: &mut Ledger, req: &Telegram, now: &str) -> Reply {
    let result = match (req.service_code.as_str(), req.command.as_str()) {
        (service::CARD, command::CERTIFY_AUTH) => approve(ledger, req, now, Approval::KeyedIn),
        (service::CARD | service::TRANSFER | service::MOBILE, command::AUTH) => {
            approve(ledger, req, now, Approval::Window)
        }
        (service::CARD, command::AUTO_BILL_CERTIFY) => issue_key(ledger, req),
        (service::CARD, command::AUTO_BILL_AUTH)
        | (service::MOBILE, command::AUTO_BILL_AGREE_BILL) => {
            approve(ledger, req, now, Approval::WithKey)
        }
        (service::MOBILE, command::AUTO_BILL_AGREE_AUTH) => {
            approve(ledger, req, now, Approval::AgreeAndPay)
        }
        (service::CARD, command::CANCEL) => delete_key(ledger, req),
        (service::CARD, command::CANCEL_SMS) => cancel(ledger, req, CancelStyle::Full),
        (service::CARD, command::CANCEL_ADMIN) => cancel(ledger, req, CancelStyle::CardPartial),
        (service::TRANSFER, command::BUY_CANCEL) => {
            cancel(ledger, req, CancelStyle::TransferPartial)
        }
        (service::TRANSFER | service::VIRTUAL_ACCOUNT, command::CANCEL) => {
            cancel(ledger, req, CancelStyle::Full)
        }
        (service::MOBILE, command::CANCEL) => cancel(ledger, req, CancelStyle::Mobile),
        (_, command::AUTH_QUERY) => inquiry(ledger, req),
        _ => Err(refuse(
            req,
            sim::UNKNOWN_COMMAND,
            "command not served for this service code",
        )),
    };
    result.unwrap_or_else(|refusal| Reply::Answer(*refusal))
}

/// A refusal answer, boxed: handlers return it as their error.
type Refusal = Box<Telegram>;

fn refuse(req: &Telegram, result: &str, message: &str) -> Refusal {
    Box::new(fail(req, result, message))
}

/// The answer skeleton: same header, response command, result code and message.
pub fn answer(req: &Telegram, result: &str, message: &str) -> Telegram {
    let cmd = command::response_of(&req.command).unwrap_or_else(|| "0000".into());
    let mut t = Telegram::new(
        &req.mid,
        &req.service_code,
        &cmd,
        &req.order_id,
        &req.order_date,
    );
    put(&mut t, tag::RESPONSE_CODE, result);
    put(&mut t, tag::RESPONSE_MESSAGE, message);
    put(&mut t, tag::DETAIL_RESPONSE_CODE, "00");
    put(&mut t, tag::DETAIL_RESPONSE_MESSAGE, message);
    t
}

/// A refusal answer.
pub fn fail(req: &Telegram, result: &str, message: &str) -> Telegram {
    answer(req, result, message)
}

fn ok(req: &Telegram) -> Telegram {
    answer(req, code::SUCCESS, "정상처리")
}

fn put(t: &mut Telegram, tag_code: &str, value: &str) {
    // Values written here are ASCII or fixed Hangul messages: always encodable.
    let _ = t.put(tag_code, tag_code, value);
}

fn required(req: &Telegram, tags: &[&str]) -> Result<(), Refusal> {
    match tags.iter().find(|t| req.get_nonblank(t).is_none()) {
        None => Ok(()),
        Some(missing) => Err(refuse(
            req,
            sim::INVALID_REQUEST,
            &format!("tag {missing} ({}) is required", tag::name(missing)),
        )),
    }
}

fn amount_of(req: &Telegram, tag_code: &str) -> Result<Money, Refusal> {
    req.get_nonblank(tag_code)
        .and_then(|v| v.parse::<i64>().ok())
        .and_then(|n| Money::new(n).ok())
        .filter(|m| *m > Money::ZERO)
        .ok_or_else(|| {
            refuse(
                req,
                sim::INVALID_REQUEST,
                &format!("tag {tag_code} is not an amount"),
            )
        })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Approval {
    KeyedIn,
    Window,
    WithKey,
    AgreeAndPay,
}

fn approve(
    ledger: &mut Ledger,
    req: &Telegram,
    now: &str,
    kind: Approval,
) -> Result<Reply, Refusal> {
    let needed: &[&str] = match kind {
        Approval::KeyedIn => &[
            tag::USER_ID,
            tag::ITEM_CODE,
            tag::ITEM_NAME,
            tag::DEAL_AMOUNT,
            tag::PIN_NUMBER,
            tag::EXPIRE_DATE,
        ],
        Approval::Window => &[tag::DEAL_AMOUNT],
        Approval::WithKey => &[
            tag::USER_ID,
            tag::ITEM_CODE,
            tag::DEAL_AMOUNT,
            tag::USER_KEY,
        ],
        Approval::AgreeAndPay => &[tag::USER_ID, tag::DEAL_AMOUNT],
    };
    required(req, needed)?;
    let amount = amount_of(req, tag::DEAL_AMOUNT)?;
    tax_split(req, amount)?;
    let card = match kind {
        Approval::WithKey => {
            let key = req.get_nonblank(tag::USER_KEY).unwrap_or_default();
            let Some(k) = ledger.active_key(MERCHANT, &key) else {
                return Err(refuse(
                    req,
                    sim::BILLING_KEY_NOT_FOUND,
                    "USER_KEY not found or deleted",
                ));
            };
            k.card_number.clone()
        }
        _ => req.get_nonblank(tag::PIN_NUMBER),
    };
    // A mobile payment has no card: the phone number follows the test-card convention.
    let phone = (req.service_code == service::MOBILE)
        .then(|| req.get_nonblank(tag::MOBILE_NUMBER))
        .flatten();
    let behaviour = card
        .as_deref()
        .or(phone.as_deref())
        .map(TestCard::of)
        .unwrap_or(TestCard::Approve);
    match behaviour {
        TestCard::Drop => return Ok(Reply::Drop),
        TestCard::Declined => return Err(refuse(req, sim::CARD_DECLINED, "카드사 거절")),
        TestCard::InsufficientFunds => {
            return Err(refuse(req, sim::INSUFFICIENT_FUNDS, "잔액 부족"))
        }
        TestCard::Approve | TestCard::ApproveLate => {}
    }
    if ledger.has_order(MERCHANT, &req.order_id) {
        return Err(refuse(req, sim::DUPLICATE_ORDER, "중복 주문번호"));
    }
    let tid = ledger::new_tid(ledger, &req.service_code);
    let approval_no = format!("{:08}", ledger.next_number());
    ledger.record(Payment::approved(
        MERCHANT,
        &req.order_id,
        tid.clone(),
        ledger::method(&req.service_code),
        amount,
        now,
        Extra {
            service_code: req.service_code.clone(),
            order_date: req.order_date.clone(),
            deposited_at: String::new(),
        },
    ));
    let mut t = ok(req);
    put(&mut t, tag::TRANSACTION_ID, &tid);
    put(&mut t, tag::AUTH_NUMBER, &approval_no);
    put(&mut t, tag::AUTH_DATE, now);
    put(&mut t, tag::AUTH_AMOUNT, &amount.to_string());
    if req.service_code == service::CARD {
        card_company_tags(&mut t, req, amount);
        put(
            &mut t,
            tag::QUOTA,
            &req.get_nonblank(tag::QUOTA).unwrap_or_else(|| "00".into()),
        );
        if let Some(number) = &card {
            put(
                &mut t,
                tag::PIN_NUMBER,
                &paymux_core::secret::mask_card_number(number),
            );
        }
    }
    if kind == Approval::AgreeAndPay {
        let key = new_key(ledger, None);
        put(&mut t, tag::USER_KEY, &key);
    }
    Ok(match behaviour {
        TestCard::ApproveLate => Reply::AnswerLate(t),
        _ => Reply::Answer(t),
    })
}

/// The card company the simulator answers for every card (its own codes: BillGate's code
/// tables are not public).
pub const SIM_CARD_COMPANY: (&str, &str) = ("0001", "시뮬레이터카드");

/// The tags the vendor's samples read from a card approval: `0034` card company
/// (`PayReturn.php`), `1021`/`1022` issuer and acquirer codes, `5009`/`5010` their names and
/// `5304`/`5305` the taxable and tax-free split (the merchant Java class).
fn card_company_tags(t: &mut Telegram, req: &Telegram, amount: Money) {
    let (code, name) = SIM_CARD_COMPANY;
    for tag_code in [
        tag::CARD_COMPANY_CODE,
        tag::ISSUE_COMPANY_CODE,
        tag::BUY_COMPANY_CODE,
    ] {
        put(t, tag_code, code);
    }
    put(t, tag::ISSUE_COMPANY_NAME, name);
    put(t, tag::BUY_COMPANY_NAME, name);
    let tax_free = req
        .get_nonblank(tag::TAX_FREE_AMOUNT)
        .and_then(|v| v.parse::<i64>().ok())
        .and_then(|n| Money::new(n).ok())
        .unwrap_or(Money::ZERO);
    let taxable = amount.checked_sub(tax_free).unwrap_or(Money::ZERO);
    put(t, tag::TAX_AMOUNT, &taxable.to_string());
    put(t, tag::TAX_FREE_AMOUNT, &tax_free.to_string());
}

/// The samples' rule for the split they send: taxable `5304` + tax-free `5305` = amount
/// `0012` (checked when the request carries the split).
fn tax_split(req: &Telegram, amount: Money) -> Result<(), Refusal> {
    let part = |t: &str| -> Result<Option<i64>, Refusal> {
        match req.get_nonblank(t) {
            None => Ok(None),
            Some(v) => v
                .parse::<i64>()
                .ok()
                .filter(|n| *n >= 0)
                .map(Some)
                .ok_or_else(|| {
                    refuse(
                        req,
                        sim::INVALID_REQUEST,
                        &format!("tag {t} ({}) is not an amount", tag::name(t)),
                    )
                }),
        }
    };
    match (part(tag::TAX_AMOUNT)?, part(tag::TAX_FREE_AMOUNT)?) {
        (Some(taxable), Some(free)) if taxable.checked_add(free) != Some(amount.get()) => {
            Err(refuse(
                req,
                sim::INVALID_REQUEST,
                "tags 5304 (TAX_AMOUNT) + 5305 (TAX_FREE_AMOUNT) must equal 0012 (DEAL_AMOUNT)",
            ))
        }
        _ => Ok(()),
    }
}

fn new_key(ledger: &mut Ledger, card_number: Option<String>) -> String {
    let user_key = format!("SIMBK{:015}", ledger.next_number());
    ledger.issue_key(MERCHANT, user_key.clone(), card_number);
    user_key
}

fn issue_key(ledger: &mut Ledger, req: &Telegram) -> Result<Reply, Refusal> {
    required(req, &[tag::USER_ID])?;
    let card = req.get_nonblank(tag::PIN_NUMBER);
    match card.as_deref().map(TestCard::of) {
        Some(TestCard::Drop) => return Ok(Reply::Drop),
        Some(TestCard::Declined) => return Err(refuse(req, sim::CARD_DECLINED, "카드사 거절")),
        Some(TestCard::InsufficientFunds)
        | Some(TestCard::Approve)
        | Some(TestCard::ApproveLate)
        | None => {}
    }
    let key = new_key(ledger, card.clone());
    let tid = ledger::new_tid(ledger, &req.service_code);
    let mut t = ok(req);
    put(&mut t, tag::TRANSACTION_ID, &tid);
    put(&mut t, tag::USER_KEY, &key);
    if let Some(number) = &card {
        put(
            &mut t,
            tag::PIN_NUMBER,
            &paymux_core::secret::mask_card_number(number),
        );
    }
    Ok(Reply::Answer(t))
}

fn delete_key(ledger: &mut Ledger, req: &Telegram) -> Result<Reply, Refusal> {
    required(req, &[tag::USER_KEY])?;
    let key = req.get_nonblank(tag::USER_KEY).unwrap_or_default();
    if ledger.delete_key(MERCHANT, &key) {
        Ok(Reply::Answer(ok(req)))
    } else {
        Err(refuse(
            req,
            sim::BILLING_KEY_NOT_FOUND,
            "USER_KEY not found or deleted",
        ))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CancelStyle {
    /// Everything left (9200, 9000).
    Full,
    /// 9010: 0012 amount, 0082 type.
    CardPartial,
    /// 9300: 1012 TID, 1033 amount, 0015 type.
    TransferPartial,
    /// 9000 on 1100, partial when 7043 is present.
    Mobile,
}

fn cancel(ledger: &mut Ledger, req: &Telegram, style: CancelStyle) -> Result<Reply, Refusal> {
    let tid_tag = match style {
        CancelStyle::TransferPartial => tag::PRE_TRANSACTION_ID,
        _ => tag::TRANSACTION_ID,
    };
    required(req, &[tid_tag])?;
    let (amount_tag, type_tag) = match style {
        CancelStyle::CardPartial => (Some(tag::DEAL_AMOUNT), Some(tag::REQUIRE_TYPE)),
        CancelStyle::TransferPartial => (Some(tag::CANCEL_AMOUNT), Some(tag::USING_TYPE)),
        CancelStyle::Mobile if req.has(tag::MOBILE_CANCEL_AMOUNT) => {
            (Some(tag::MOBILE_CANCEL_AMOUNT), None)
        }
        _ => (None, None),
    };
    // 1000 = cancel what is left; the amount is then computed (`CancelReturn.php`).
    let rest =
        type_tag.and_then(|t| req.get_nonblank(t)).as_deref() == Some(fixed::CANCEL_TYPE_REMAINING);
    let asked = match amount_tag {
        Some(t) if !rest => Some(amount_of(req, t)?),
        _ => None,
    };
    let tid = req.get_nonblank(tid_tag).unwrap_or_default();
    let Some(p) = ledger
        .by_tid(&tid)
        .filter(|p| p.extra.service_code == req.service_code)
    else {
        return Err(refuse(req, sim::NOT_FOUND, "거래 없음"));
    };
    let (take, seq) = p.cancel(asked).map_err(|r| match r {
        CancelRefusal::NothingLeft => refuse(req, sim::ALREADY_CANCELLED, "이미 취소된 거래"),
        CancelRefusal::ExceedsBalance | CancelRefusal::Zero => {
            refuse(req, sim::CANCEL_EXCEEDS_BALANCE, "취소 금액이 잔액을 초과")
        }
    })?;
    let (seq, amount) = (seq.to_string(), take.to_string());
    let mut t = ok(req);
    put(&mut t, tid_tag, &tid);
    match style {
        CancelStyle::CardPartial => {
            put(&mut t, tag::DEAL_AMOUNT, &amount);
            put(&mut t, tag::CARD_CANCEL_SEQUENCE, &seq);
        }
        CancelStyle::TransferPartial => {
            put(&mut t, tag::CANCEL_AMOUNT, &amount);
            put(&mut t, tag::PROTOCOL_NUMBER, &seq);
        }
        CancelStyle::Mobile if asked.is_some() => put(&mut t, tag::MOBILE_CANCEL_AMOUNT, &amount),
        CancelStyle::Mobile => put(&mut t, tag::AUTH_AMOUNT, &amount),
        CancelStyle::Full => put(&mut t, tag::CANCEL_AMOUNT, &amount),
    }
    Ok(Reply::Answer(t))
}

fn inquiry(ledger: &mut Ledger, req: &Telegram) -> Result<Reply, Refusal> {
    let tid = req.get_nonblank(tag::TRANSACTION_ID);
    let found = ledger.payments.iter().find(|p| {
        p.extra.service_code == req.service_code
            && match &tid {
                Some(tid) => &p.tid == tid,
                None => p.order_id == req.order_id && p.extra.order_date == req.order_date,
            }
    });
    let Some(p) = found else {
        return Err(refuse(req, sim::NOT_FOUND, "거래 없음"));
    };
    let mut t = ok(req);
    put(&mut t, tag::TRANSACTION_ID, &p.tid);
    // **Reconstructed**: a virtual account's AUTH_DATE is its deposit time, absent while the
    // account waits for the payer (the decoder reads that as pending, never as paid).
    match p.state {
        State::AwaitingDeposit => {}
        State::Deposited => put(&mut t, tag::AUTH_DATE, &p.extra.deposited_at),
        State::Approved => put(&mut t, tag::AUTH_DATE, &p.approved_at),
    }
    put(&mut t, tag::AUTH_AMOUNT, &p.amount.to_string());
    put(&mut t, tag::BALANCE, &p.balance().to_string());
    Ok(Reply::Answer(t))
}
