//! The books every simulator keeps: payments with their balance and cancels, billing keys,
//! virtual accounts and their deposits. Vendor rules (which cancels are allowed, how TIDs
//! look, cancel windows) stay in the adapter's handlers; this is the bookkeeping they share.
//!
//! [`Payment::extra`] and [`Ledger`]'s type parameter carry what only one vendor keeps (an
//! approval number, an order date).

use std::collections::{HashMap, HashSet};

use crate::money::Money;

use super::LedgerEntry;

/// How a payment was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// Card (also billing-key charges).
    Card,
    /// Bank transfer.
    Transfer,
    /// Mobile phone.
    Mobile,
    /// Virtual account.
    VirtualAccount,
}

impl Method {
    /// The name in [`LedgerEntry::method`].
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Card => "CARD",
            Method::Transfer => "TRANSFER",
            Method::Mobile => "MOBILE",
            Method::VirtualAccount => "VIRTUAL_ACCOUNT",
        }
    }
}

/// Where a payment stands besides its cancels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    /// Approved (money moved).
    Approved,
    /// A virtual account issued, waiting for the payer's deposit.
    AwaitingDeposit,
    /// A virtual account the payer deposited into.
    Deposited,
}

/// An issued virtual account.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VirtualAccount {
    /// The vendor's bank code.
    pub bank: String,
    /// Account number.
    pub number: String,
    /// Deposit deadline as the vendor writes it.
    pub due: String,
}

/// One payment.
#[derive(Debug, Clone)]
pub struct Payment<X = ()> {
    /// The merchant (MID) it was made under.
    pub merchant: String,
    /// The merchant's order id.
    pub order_id: String,
    /// The simulator's TID.
    pub tid: String,
    /// How it was paid.
    pub method: Method,
    /// Approved (or issued) amount, in the wire's units.
    pub amount: Money,
    /// Cancelled so far.
    pub cancelled: Money,
    /// Number of cancels.
    pub cancel_count: u32,
    /// When it was approved (or issued), as the vendor writes it.
    pub approved_at: String,
    /// Approved, awaiting deposit, deposited.
    pub state: State,
    /// The virtual account, for [`Method::VirtualAccount`].
    pub account: Option<VirtualAccount>,
    /// What only this vendor keeps.
    pub extra: X,
}

impl<X> Payment<X> {
    /// A new approved payment.
    pub fn approved(
        merchant: &str,
        order_id: &str,
        tid: String,
        method: Method,
        amount: Money,
        approved_at: &str,
        extra: X,
    ) -> Self {
        Payment {
            merchant: merchant.to_string(),
            order_id: order_id.to_string(),
            tid,
            method,
            amount,
            cancelled: Money::ZERO,
            cancel_count: 0,
            approved_at: approved_at.to_string(),
            state: State::Approved,
            account: None,
            extra,
        }
    }

    /// What is still cancellable.
    pub fn balance(&self) -> Money {
        self.amount
            .checked_sub(self.cancelled)
            .unwrap_or(Money::ZERO)
    }

    /// Record a cancel of `amount` (the balance when `None`): the amount taken and the
    /// cancel's sequence number (1 for the first).
    pub fn cancel(&mut self, amount: Option<Money>) -> Result<(Money, u32), CancelRefusal> {
        let left = self.balance();
        if left == Money::ZERO {
            return Err(CancelRefusal::NothingLeft);
        }
        let take = amount.unwrap_or(left);
        if take == Money::ZERO {
            return Err(CancelRefusal::Zero);
        }
        if take > left {
            return Err(CancelRefusal::ExceedsBalance);
        }
        self.cancelled = self.cancelled.checked_add(take).unwrap_or(self.amount);
        self.cancel_count += 1;
        Ok((take, self.cancel_count))
    }

    /// The trait's view of this payment.
    pub fn entry(&self) -> LedgerEntry {
        let state = if self.cancelled != Money::ZERO && self.balance() == Money::ZERO {
            "CANCELLED"
        } else if self.state == State::AwaitingDeposit && self.cancelled == Money::ZERO {
            "VIRTUAL_ACCOUNT_ISSUED"
        } else if self.cancelled == Money::ZERO {
            "APPROVED"
        } else {
            "PARTIALLY_CANCELLED"
        };
        LedgerEntry {
            order_id: self.order_id.clone(),
            pg_tx_id: self.tid.clone(),
            amount: self.amount,
            cancelled: self.cancelled,
            cancel_count: self.cancel_count,
            state: state.into(),
            method: self.method.as_str().into(),
        }
    }
}

/// Why a cancel was refused by the books.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CancelRefusal {
    /// Everything is cancelled already.
    NothingLeft,
    /// More than the balance.
    ExceedsBalance,
    /// A cancel of nothing.
    Zero,
}

/// Why a deposit was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DepositRefusal {
    /// No virtual account with that TID waits for a deposit (none, deposited, cancelled).
    NotAwaiting,
}

/// One billing key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BillingKey {
    /// The merchant it was issued to.
    pub merchant: String,
    /// The key handed out.
    pub key: String,
    /// The card it stands for (decides the test-card behaviour of later charges).
    pub card_number: Option<String>,
    /// `false` once deleted.
    pub active: bool,
}

/// Everything a simulator remembers.
#[derive(Debug)]
pub struct Ledger<X = ()> {
    /// Payments, in order. [`Ledger::record`] adds and indexes them; one pushed here directly
    /// is found by a scan until the next `record` indexes it.
    pub payments: Vec<Payment<X>>,
    /// Billing keys, in order.
    pub keys: Vec<BillingKey>,
    next: u64,
    /// Order ids by merchant, and payments by TID: a long sandbox or load run holds tens of
    /// thousands of payments, and a scan per payment made the simulator quadratic.
    orders: HashMap<String, HashSet<String>>,
    by_tid: HashMap<String, usize>,
    /// How many of `payments` (from the first) the two indexes cover.
    indexed: usize,
}

impl<X> Default for Ledger<X> {
    fn default() -> Self {
        Ledger {
            payments: Vec::new(),
            keys: Vec::new(),
            next: 0,
            orders: HashMap::new(),
            by_tid: HashMap::new(),
            indexed: 0,
        }
    }
}

impl<X: Clone> Ledger<X> {
    /// A fresh sequence number (TIDs, approval numbers, keys).
    pub fn next_number(&mut self) -> u64 {
        self.next += 1;
        self.next
    }

    /// Record a payment; a copy of it.
    pub fn record(&mut self, payment: Payment<X>) -> Payment<X> {
        self.payments.push(payment.clone());
        for (at, p) in self.payments.iter().enumerate().skip(self.indexed) {
            self.orders
                .entry(p.merchant.clone())
                .or_default()
                .insert(p.order_id.clone());
            self.by_tid.entry(p.tid.clone()).or_insert(at);
        }
        self.indexed = self.payments.len();
        payment
    }

    /// The payments not indexed yet (pushed directly), with their positions.
    fn unindexed(&self) -> impl Iterator<Item = (usize, &Payment<X>)> {
        self.payments.iter().enumerate().skip(self.indexed)
    }

    /// Whether `merchant` already has a payment for `order_id`.
    pub fn has_order(&self, merchant: &str, order_id: &str) -> bool {
        self.orders
            .get(merchant)
            .is_some_and(|orders| orders.contains(order_id))
            || self
                .unindexed()
                .any(|(_, p)| p.merchant == merchant && p.order_id == order_id)
    }

    /// The payment with this TID (the first recorded with it).
    pub fn by_tid(&mut self, tid: &str) -> Option<&mut Payment<X>> {
        let at = match self.by_tid.get(tid) {
            Some(&i) if self.payments.get(i).is_some_and(|p| p.tid == tid) => i,
            _ => self.unindexed().find(|(_, p)| p.tid == tid)?.0,
        };
        self.payments.get_mut(at)
    }

    /// Issue a billing key to `merchant` for `card_number`.
    pub fn issue_key(&mut self, merchant: &str, key: String, card_number: Option<String>) {
        self.keys.push(BillingKey {
            merchant: merchant.to_string(),
            key,
            card_number,
            active: true,
        });
    }

    /// An active billing key of `merchant`.
    pub fn active_key(&self, merchant: &str, key: &str) -> Option<&BillingKey> {
        self.keys
            .iter()
            .find(|k| k.key == key && k.merchant == merchant && k.active)
    }

    /// Delete an active billing key; whether there was one.
    pub fn delete_key(&mut self, merchant: &str, key: &str) -> bool {
        match self
            .keys
            .iter_mut()
            .find(|k| k.key == key && k.merchant == merchant && k.active)
        {
            Some(k) => {
                k.active = false;
                true
            }
            None => false,
        }
    }

    /// The payer deposits into the virtual account of TID `tid`.
    pub fn deposit(&mut self, tid: &str) -> Result<&Payment<X>, DepositRefusal> {
        let p = self
            .payments
            .iter_mut()
            .find(|p| {
                p.tid == tid && p.state == State::AwaitingDeposit && p.cancelled == Money::ZERO
            })
            .ok_or(DepositRefusal::NotAwaiting)?;
        p.state = State::Deposited;
        Ok(p)
    }

    /// The trait's view of the books.
    pub fn entries(&self) -> Vec<LedgerEntry> {
        self.payments.iter().map(Payment::entry).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn won(n: i64) -> Money {
        Money::new(n).unwrap()
    }

    #[test]
    fn cancels_keep_the_balance() {
        let mut l: Ledger = Ledger::default();
        let tid = format!("T{}", l.next_number());
        l.record(Payment::approved(
            "m",
            "o1",
            tid.clone(),
            Method::Card,
            won(1000),
            "t",
            (),
        ));
        assert!(l.has_order("m", "o1"));
        assert!(!l.has_order("other", "o1"));
        // One pushed directly is found too (by a scan), and indexed by the next record.
        let mut pushed = l.payments[0].clone();
        (pushed.order_id, pushed.tid) = ("o-pushed".into(), "t-pushed".into());
        l.payments.push(pushed);
        assert!(l.has_order("m", "o-pushed"));
        assert!(l.by_tid("t-pushed").is_some());
        l.payments.pop();
        let p = l.by_tid(&tid).unwrap();
        assert_eq!(p.cancel(Some(won(0))), Err(CancelRefusal::Zero));
        assert_eq!(
            p.cancel(Some(won(1001))),
            Err(CancelRefusal::ExceedsBalance)
        );
        assert_eq!(p.cancel(Some(won(300))), Ok((won(300), 1)));
        assert_eq!(l.entries()[0].state, "PARTIALLY_CANCELLED");
        let p = l.by_tid(&tid).unwrap();
        assert_eq!(p.cancel(None), Ok((won(700), 2)));
        assert_eq!(p.cancel(None), Err(CancelRefusal::NothingLeft));
        let e = &l.entries()[0];
        assert_eq!(
            (e.state.as_str(), e.cancel_count, e.method.as_str()),
            ("CANCELLED", 2, "CARD")
        );
    }

    #[test]
    fn virtual_accounts_take_one_deposit() {
        let mut l: Ledger = Ledger::default();
        let mut p = Payment::approved(
            "m",
            "o",
            "V1".into(),
            Method::VirtualAccount,
            won(5),
            "t",
            (),
        );
        p.state = State::AwaitingDeposit;
        l.record(p);
        assert_eq!(l.entries()[0].state, "VIRTUAL_ACCOUNT_ISSUED");
        assert_eq!(l.deposit("V1").unwrap().state, State::Deposited);
        assert_eq!(l.deposit("V1").unwrap_err(), DepositRefusal::NotAwaiting);
        assert_eq!(l.deposit("nope").unwrap_err(), DepositRefusal::NotAwaiting);
        assert_eq!(l.entries()[0].state, "APPROVED");
    }

    #[test]
    fn billing_keys_belong_to_their_merchant() {
        let mut l: Ledger = Ledger::default();
        l.issue_key("m", "K1".into(), Some("4111111111110002".into()));
        assert!(l.active_key("other", "K1").is_none());
        assert_eq!(
            l.active_key("m", "K1")
                .and_then(|k| k.card_number.as_deref()),
            Some("4111111111110002")
        );
        assert!(!l.delete_key("other", "K1"));
        assert!(l.delete_key("m", "K1"));
        assert!(!l.delete_key("m", "K1"));
        assert!(l.active_key("m", "K1").is_none());
    }
}
