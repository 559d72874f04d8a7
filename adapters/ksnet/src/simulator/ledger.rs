//! The simulator's books, shared by both interfaces: the kit's
//! [`paymux_core::simulator::ledger`] plus KSNET's rules — partial cancels numbered 1–9, the
//! 6-month cancel window, batch keys that are the TID of their issuing transaction, and
//! lookups by order number and date. Amounts are kept as the wire carries them.

use chrono::{Months, NaiveDateTime};
use paymux_core::money::Money;
use paymux_core::simulator::ledger::{self, CancelRefusal, Method, State, VirtualAccount};

use crate::protocol::{policy, sim};
use crate::reconstructed::trade_status;

/// A refusal: a KSNET-style code and message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// Code (`S404`, `7003`, ...).
    pub code: &'static str,
    /// Message (Hangul, as KSNET answers).
    pub message: &'static str,
}

/// Build a refusal.
pub const fn refuse(code: &'static str, message: &'static str) -> Refusal {
    Refusal { code, message }
}

/// What only KSNET keeps for a payment.
#[derive(Debug, Clone, Default)]
pub struct Extra {
    /// Approval number (cards).
    pub approval_no: String,
}

/// Everything the simulator remembers.
pub type Ledger = ledger::Ledger<Extra>;
/// One payment.
pub type Payment = ledger::Payment<Extra>;

/// The books' merchant: the test mids share one book (an order number is unique across them).
const MERCHANT: &str = "ksnet-test";

/// How a request names a transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lookup {
    /// By TID.
    Tid(String),
    /// By order number and `yyyyMMdd`.
    Order(String, String),
}

/// A cancel as asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CancelAsk {
    /// Everything, first cancel only.
    Full,
    /// A partial cancel with its sequence number.
    Partial {
        /// Amount.
        amount: u64,
        /// 1–9.
        seq: u32,
    },
}

/// What a cancel did.
#[derive(Debug, Clone)]
pub enum Cancelled {
    /// A payment (partly) cancelled: TID and amount.
    Payment(String, u64, Box<Payment>),
    /// A batch key deleted (its issuing transaction cancelled).
    Key(String),
}

/// A payment's **reconstructed** inquiry state.
pub fn status(p: &Payment) -> &'static str {
    match p.method {
        Method::VirtualAccount if p.cancelled == Money::ZERO => trade_status::WAITING_DEPOSIT,
        _ if p.cancelled == Money::ZERO => trade_status::APPROVED,
        _ if p.balance() == Money::ZERO => trade_status::CANCELLED,
        _ => trade_status::PART_CANCELLED,
    }
}

/// A wire amount in the books.
fn money(v: u64) -> Money {
    Money::new(i64::try_from(v).unwrap_or(0)).unwrap_or(Money::ZERO)
}

/// A book amount on the wire.
pub fn wire(m: Money) -> u64 {
    u64::try_from(m.get()).unwrap_or(0)
}

/// A 12-character TID: `1…` for cards, `6…` for virtual accounts (as the reference's
/// examples: `189189011016`, `689449000007`).
fn new_tid(ledger: &mut Ledger, method: Method) -> String {
    let n = ledger.next_number() % 100_000_000_000;
    match method {
        Method::VirtualAccount => format!("6{n:011}"),
        _ => format!("1{n:011}"),
    }
}

/// Approve a card payment.
pub fn approve(
    ledger: &mut Ledger,
    order_id: &str,
    amount: u64,
    now: &str,
) -> Result<Payment, Refusal> {
    if ledger.has_order(MERCHANT, order_id) {
        return Err(refuse(sim::DUPLICATE_ORDER, "승인거절/중복주문번호"));
    }
    let tid = new_tid(ledger, Method::Card);
    let approval_no = format!("{:08}", ledger.next_number() % 100_000_000);
    Ok(ledger.record(Payment::approved(
        MERCHANT,
        order_id,
        tid,
        Method::Card,
        money(amount),
        now,
        Extra { approval_no },
    )))
}

/// Issue a virtual account.
pub fn issue_account(
    ledger: &mut Ledger,
    order_id: &str,
    amount: u64,
    fixed: Option<&str>,
    now: &str,
) -> Result<Payment, Refusal> {
    if ledger.has_order(MERCHANT, order_id) {
        return Err(refuse(sim::DUPLICATE_ORDER, "발급거절/중복주문번호"));
    }
    let tid = new_tid(ledger, Method::VirtualAccount);
    let number = match fixed {
        Some(a) => a.to_string(),
        None => format!("9{:013}", ledger.next_number()),
    };
    let mut p = Payment::approved(
        MERCHANT,
        order_id,
        tid,
        Method::VirtualAccount,
        money(amount),
        now,
        Extra::default(),
    );
    p.state = State::AwaitingDeposit;
    p.account = Some(VirtualAccount {
        number,
        ..VirtualAccount::default()
    });
    Ok(ledger.record(p))
}

/// Register a batch key for a card (the key is a fresh card TID).
pub fn issue_key(ledger: &mut Ledger, card_number: &str) -> String {
    let key = new_tid(ledger, Method::Card);
    ledger.issue_key(MERCHANT, key.clone(), Some(card_number.to_string()));
    key
}

/// The card an active key stands for.
pub fn key_card(ledger: &Ledger, key: &str) -> Option<String> {
    ledger
        .active_key(MERCHANT, key)
        .and_then(|k| k.card_number.clone())
}

/// The payment a lookup names. By order number, the date may be a day off (a request just
/// around midnight).
pub fn find<'a>(ledger: &'a Ledger, lookup: &Lookup) -> Option<&'a Payment> {
    ledger.payments.iter().find(|p| matches(p, lookup))
}

/// Cancel (or delete a batch key, when the TID is one).
pub fn cancel(
    ledger: &mut Ledger,
    lookup: &Lookup,
    ask: CancelAsk,
    now: &str,
) -> Result<Cancelled, Refusal> {
    if let Lookup::Tid(t) = lookup {
        if ledger.keys.iter().any(|k| &k.key == t) {
            if ask != CancelAsk::Full || !ledger.delete_key(MERCHANT, t) {
                return Err(refuse(sim::KEY_NOT_FOUND, "취소거절/배치키없음"));
            }
            return Ok(Cancelled::Key(t.clone()));
        }
    }
    let Some(p) = ledger.payments.iter_mut().find(|p| matches(p, lookup)) else {
        return Err(refuse(sim::NOT_FOUND, "취소거절/취소원거래없음"));
    };
    if expired(&p.approved_at, now) {
        return Err(refuse("7003", "취소거절기간경과"));
    }
    if p.balance() == Money::ZERO {
        return Err(refuse(sim::CANCEL_REFUSED, "취소거절/기취소거래"));
    }
    let amount = match ask {
        CancelAsk::Full if p.cancelled > Money::ZERO => {
            return Err(refuse(sim::CANCEL_REFUSED, "취소거절/부분취소후전체취소"))
        }
        CancelAsk::Full => None,
        CancelAsk::Partial { amount, seq } => {
            if p.cancel_count >= policy::MAX_PARTIAL_CANCELS {
                return Err(refuse(
                    sim::PARTIAL_CANCEL_LIMIT,
                    "취소거절/부분취소횟수초과",
                ));
            }
            if seq != p.cancel_count + 1 {
                return Err(refuse(sim::CANCEL_REFUSED, "취소거절/취소일련번호오류"));
            }
            Some(money(amount))
        }
    };
    match p.cancel(amount) {
        Ok((take, _)) => Ok(Cancelled::Payment(
            p.tid.clone(),
            wire(take),
            Box::new(p.clone()),
        )),
        Err(CancelRefusal::NothingLeft) => Err(refuse(sim::CANCEL_REFUSED, "취소거절/기취소거래")),
        Err(CancelRefusal::Zero | CancelRefusal::ExceedsBalance) => {
            Err(refuse(sim::CANCEL_REFUSED, "취소거절/취소금액초과"))
        }
    }
}

fn matches(p: &Payment, lookup: &Lookup) -> bool {
    match lookup {
        Lookup::Tid(t) => &p.tid == t,
        Lookup::Order(number, date) => {
            &p.order_id == number && same_day_or_adjacent(&p.approved_at, date)
        }
    }
}

fn day(s: &str) -> Option<chrono::NaiveDate> {
    chrono::NaiveDate::parse_from_str(s.get(..8)?, "%Y%m%d").ok()
}

fn same_day_or_adjacent(approved_at: &str, date: &str) -> bool {
    match (day(approved_at), day(date)) {
        (Some(a), Some(b)) => (a - b).num_days().abs() <= 1,
        _ => false,
    }
}

/// Older than KSNET's 6-month cancel window.
fn expired(approved_at: &str, now: &str) -> bool {
    let parse = |s: &str| NaiveDateTime::parse_from_str(s, "%Y%m%d%H%M%S").ok();
    match (parse(approved_at), parse(now)) {
        (Some(a), Some(n)) => a
            .checked_add_months(Months::new(policy::CANCEL_WINDOW_MONTHS))
            .is_some_and(|limit| n > limit),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: &str = "20250301101500";

    #[test]
    fn partial_cancels_follow_the_sequence_and_stop_at_nine() {
        let mut l = Ledger::default();
        let p = approve(&mut l, "o1", 10_000, NOW).unwrap();
        let by = Lookup::Tid(p.tid.clone());
        assert_eq!(
            cancel(
                &mut l,
                &by,
                CancelAsk::Partial {
                    amount: 100,
                    seq: 2
                },
                NOW
            )
            .unwrap_err()
            .code,
            sim::CANCEL_REFUSED
        );
        for seq in 1..=9 {
            cancel(&mut l, &by, CancelAsk::Partial { amount: 100, seq }, NOW).unwrap();
        }
        assert_eq!(
            cancel(
                &mut l,
                &by,
                CancelAsk::Partial {
                    amount: 100,
                    seq: 10
                },
                NOW
            )
            .unwrap_err()
            .code,
            sim::PARTIAL_CANCEL_LIMIT
        );
        assert_eq!(
            cancel(&mut l, &by, CancelAsk::Full, NOW).unwrap_err().code,
            sim::CANCEL_REFUSED
        );
        assert_eq!(l.entries()[0].state, "PARTIALLY_CANCELLED");
    }

    #[test]
    fn cancels_after_six_months_are_refused_with_7003() {
        let mut l = Ledger::default();
        let p = approve(&mut l, "o1", 1000, "20240101000000").unwrap();
        let e = cancel(
            &mut l,
            &Lookup::Tid(p.tid),
            CancelAsk::Full,
            "20240702000000",
        )
        .unwrap_err();
        assert_eq!(e.code, "7003");
    }

    #[test]
    fn keys_die_with_their_cancel_and_orders_are_found_by_date() {
        let mut l = Ledger::default();
        let k = issue_key(&mut l, "4111111111111111");
        assert!(key_card(&l, &k).is_some());
        assert!(matches!(
            cancel(&mut l, &Lookup::Tid(k.clone()), CancelAsk::Full, NOW),
            Ok(Cancelled::Key(_))
        ));
        assert!(key_card(&l, &k).is_none());
        approve(&mut l, "o2", 1000, NOW).unwrap();
        assert!(find(&l, &Lookup::Order("o2".into(), "20250301".into())).is_some());
        assert!(find(&l, &Lookup::Order("o2".into(), "20250310".into())).is_none());
        assert_eq!(
            approve(&mut l, "o2", 1000, NOW).unwrap_err().code,
            sim::DUPLICATE_ORDER
        );
    }
}
