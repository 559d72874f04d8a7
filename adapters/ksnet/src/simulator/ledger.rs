//! The simulator's books, shared by both interfaces: payments with their cancels and balance,
//! virtual accounts, and batch keys. Amounts are kept as the wire carries them.

use chrono::{Months, NaiveDateTime};
use paymux_core::money::Money;
use paymux_core::simulator::LedgerEntry;

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

/// What a payment is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Card approval.
    Card,
    /// Virtual account (issued, waiting for the deposit).
    VirtualAccount,
}

/// One payment.
#[derive(Debug, Clone)]
pub struct Payment {
    /// The merchant's order number.
    pub order_id: String,
    /// TID.
    pub tid: String,
    /// Card or virtual account.
    pub kind: Kind,
    /// Amount (wire units).
    pub amount: u64,
    /// Cancelled so far.
    pub cancelled: u64,
    /// Cancels so far.
    pub cancel_count: u32,
    /// `yyyyMMddHHmmss`.
    pub approved_at: String,
    /// Approval number (cards).
    pub approval_no: String,
    /// Virtual account number.
    pub account: Option<String>,
}

impl Payment {
    /// What is left.
    pub fn balance(&self) -> u64 {
        self.amount.saturating_sub(self.cancelled)
    }

    /// The **reconstructed** inquiry state.
    pub fn status(&self) -> &'static str {
        match self.kind {
            Kind::VirtualAccount if self.cancelled == 0 => trade_status::WAITING_DEPOSIT,
            _ if self.cancelled == 0 => trade_status::APPROVED,
            _ if self.balance() == 0 => trade_status::CANCELLED,
            _ => trade_status::PART_CANCELLED,
        }
    }
}

/// A batch key (the TID of its issuing transaction) and the card it stands for.
#[derive(Debug, Clone)]
pub struct BatchKey {
    /// The key.
    pub key: String,
    /// The card number (decides test-card behaviour of charges).
    pub card_number: String,
    /// `false` once deleted.
    pub active: bool,
}

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
    Payment(String, u64, Payment),
    /// A batch key deleted (its issuing transaction cancelled).
    Key(String),
}

/// Everything the simulator remembers.
#[derive(Debug, Default)]
pub struct Ledger {
    /// Payments, in order.
    pub payments: Vec<Payment>,
    /// Batch keys.
    pub keys: Vec<BatchKey>,
    next: u64,
}

impl Ledger {
    /// A fresh sequence number.
    pub fn next_number(&mut self) -> u64 {
        self.next += 1;
        self.next
    }

    /// A 12-character TID: `1…` for cards, `6…` for virtual accounts (as the reference's
    /// examples: `189189011016`, `689449000007`).
    pub fn new_tid(&mut self, kind: Kind) -> String {
        let n = self.next_number() % 100_000_000_000;
        match kind {
            Kind::Card => format!("1{n:011}"),
            Kind::VirtualAccount => format!("6{n:011}"),
        }
    }

    /// Approve a card payment.
    pub fn approve(&mut self, order_id: &str, amount: u64, now: &str) -> Result<Payment, Refusal> {
        if self.payments.iter().any(|p| p.order_id == order_id) {
            return Err(refuse(sim::DUPLICATE_ORDER, "승인거절/중복주문번호"));
        }
        let tid = self.new_tid(Kind::Card);
        let approval_no = format!("{:08}", self.next_number() % 100_000_000);
        let p = Payment {
            order_id: order_id.to_string(),
            tid,
            kind: Kind::Card,
            amount,
            cancelled: 0,
            cancel_count: 0,
            approved_at: now.to_string(),
            approval_no,
            account: None,
        };
        self.payments.push(p.clone());
        Ok(p)
    }

    /// Issue a virtual account.
    pub fn issue_account(
        &mut self,
        order_id: &str,
        amount: u64,
        fixed: Option<&str>,
        now: &str,
    ) -> Result<Payment, Refusal> {
        if self.payments.iter().any(|p| p.order_id == order_id) {
            return Err(refuse(sim::DUPLICATE_ORDER, "발급거절/중복주문번호"));
        }
        let tid = self.new_tid(Kind::VirtualAccount);
        let account = match fixed {
            Some(a) => a.to_string(),
            None => format!("9{:013}", self.next_number()),
        };
        let p = Payment {
            order_id: order_id.to_string(),
            tid,
            kind: Kind::VirtualAccount,
            amount,
            cancelled: 0,
            cancel_count: 0,
            approved_at: now.to_string(),
            approval_no: String::new(),
            account: Some(account),
        };
        self.payments.push(p.clone());
        Ok(p)
    }

    /// Register a batch key for a card (the key is a fresh card TID).
    pub fn issue_key(&mut self, card_number: &str) -> String {
        let key = self.new_tid(Kind::Card);
        self.keys.push(BatchKey {
            key: key.clone(),
            card_number: card_number.to_string(),
            active: true,
        });
        key
    }

    /// The card an active key stands for.
    pub fn key_card(&self, key: &str) -> Option<String> {
        self.keys
            .iter()
            .find(|k| k.key == key && k.active)
            .map(|k| k.card_number.clone())
    }

    /// The payment a lookup names. By order number, the date may be a day off (a request
    /// just around midnight).
    pub fn find(&self, lookup: &Lookup) -> Option<&Payment> {
        self.payments.iter().find(|p| matches(p, lookup))
    }

    /// Cancel (or delete a batch key, when the TID is one).
    pub fn cancel(
        &mut self,
        lookup: &Lookup,
        ask: CancelAsk,
        now: &str,
    ) -> Result<Cancelled, Refusal> {
        if let Lookup::Tid(t) = lookup {
            if let Some(k) = self.keys.iter_mut().find(|k| &k.key == t) {
                if !k.active || ask != CancelAsk::Full {
                    return Err(refuse(sim::KEY_NOT_FOUND, "취소거절/배치키없음"));
                }
                k.active = false;
                return Ok(Cancelled::Key(t.clone()));
            }
        }
        let Some(p) = self.payments.iter_mut().find(|p| matches(p, lookup)) else {
            return Err(refuse(sim::NOT_FOUND, "취소거절/취소원거래없음"));
        };
        if expired(&p.approved_at, now) {
            return Err(refuse("7003", "취소거절기간경과"));
        }
        if p.balance() == 0 {
            return Err(refuse(sim::CANCEL_REFUSED, "취소거절/기취소거래"));
        }
        let take = match ask {
            CancelAsk::Full if p.cancelled > 0 => {
                return Err(refuse(sim::CANCEL_REFUSED, "취소거절/부분취소후전체취소"))
            }
            CancelAsk::Full => p.balance(),
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
                if amount == 0 || amount > p.balance() {
                    return Err(refuse(sim::CANCEL_REFUSED, "취소거절/취소금액초과"));
                }
                amount
            }
        };
        p.cancelled += take;
        p.cancel_count += 1;
        Ok(Cancelled::Payment(p.tid.clone(), take, p.clone()))
    }

    /// The trait's view of the books.
    pub fn entries(&self) -> Vec<LedgerEntry> {
        self.payments
            .iter()
            .map(|p| LedgerEntry {
                order_id: p.order_id.clone(),
                pg_tx_id: p.tid.clone(),
                amount: money(p.amount),
                cancelled: money(p.cancelled),
                cancel_count: p.cancel_count,
                state: match (p.kind, p.status()) {
                    (Kind::VirtualAccount, trade_status::WAITING_DEPOSIT) => {
                        "VIRTUAL_ACCOUNT_ISSUED"
                    }
                    (_, trade_status::CANCELLED) => "CANCELLED",
                    (_, trade_status::PART_CANCELLED) => "PARTIALLY_CANCELLED",
                    _ => "APPROVED",
                }
                .into(),
                method: match p.kind {
                    Kind::Card => "CARD",
                    Kind::VirtualAccount => "VIRTUAL_ACCOUNT",
                }
                .into(),
            })
            .collect()
    }
}

fn money(v: u64) -> Money {
    Money::new(i64::try_from(v).unwrap_or(0)).unwrap_or(Money::ZERO)
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
        let p = l.approve("o1", 10_000, NOW).unwrap();
        let by = Lookup::Tid(p.tid.clone());
        assert_eq!(
            l.cancel(
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
            l.cancel(&by, CancelAsk::Partial { amount: 100, seq }, NOW)
                .unwrap();
        }
        assert_eq!(
            l.cancel(
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
            l.cancel(&by, CancelAsk::Full, NOW).unwrap_err().code,
            sim::CANCEL_REFUSED
        );
        assert_eq!(l.entries()[0].state, "PARTIALLY_CANCELLED");
    }

    #[test]
    fn cancels_after_six_months_are_refused_with_7003() {
        let mut l = Ledger::default();
        let p = l.approve("o1", 1000, "20240101000000").unwrap();
        let e = l
            .cancel(&Lookup::Tid(p.tid), CancelAsk::Full, "20240702000000")
            .unwrap_err();
        assert_eq!(e.code, "7003");
    }

    #[test]
    fn keys_die_with_their_cancel_and_orders_are_found_by_date() {
        let mut l = Ledger::default();
        let k = l.issue_key("4111111111111111");
        assert!(l.key_card(&k).is_some());
        assert!(matches!(
            l.cancel(&Lookup::Tid(k.clone()), CancelAsk::Full, NOW),
            Ok(Cancelled::Key(_))
        ));
        assert!(l.key_card(&k).is_none());
        l.approve("o2", 1000, NOW).unwrap();
        assert!(l
            .find(&Lookup::Order("o2".into(), "20250301".into()))
            .is_some());
        assert!(l
            .find(&Lookup::Order("o2".into(), "20250310".into()))
            .is_none());
        assert_eq!(
            l.approve("o2", 1000, NOW).unwrap_err().code,
            sim::DUPLICATE_ORDER
        );
    }
}
