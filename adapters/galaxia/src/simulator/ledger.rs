//! The simulator's books: payments with their balances, and billing keys.

use paymux_core::money::Money;
use paymux_core::simulator::LedgerEntry;

use crate::protocol::service;

/// One approved payment.
#[derive(Debug, Clone)]
pub struct Payment {
    /// Merchant order id.
    pub order_id: String,
    /// Order date as sent.
    pub order_date: String,
    /// The simulator's TID.
    pub tid: String,
    /// Service code (method).
    pub service_code: String,
    /// Approved amount.
    pub amount: Money,
    /// Cancelled so far.
    pub cancelled: Money,
    /// Number of cancels.
    pub cancel_count: u32,
    /// Approval time `YYYYMMDDHHMMSS` (issue time for a virtual account).
    pub approved_at: String,
    /// A virtual account issued by the window, not deposited into yet.
    pub awaiting_deposit: bool,
}

impl Payment {
    /// What is still cancellable.
    pub fn balance(&self) -> Money {
        self.amount
            .checked_sub(self.cancelled)
            .unwrap_or(Money::ZERO)
    }
}

/// One billing key (USER_KEY).
#[derive(Debug, Clone)]
pub struct BillingKey {
    /// The key handed out.
    pub user_key: String,
    /// Card number it stands for (decides test-card behaviour of later charges).
    pub card_number: Option<String>,
    /// `false` once deleted.
    pub active: bool,
}

/// Everything the simulator remembers.
#[derive(Debug, Default)]
pub struct Ledger {
    /// Approved payments, in order.
    pub payments: Vec<Payment>,
    /// Issued billing keys.
    pub keys: Vec<BillingKey>,
    next: u64,
}

impl Ledger {
    /// A fresh sequence number for TIDs, approval numbers and keys.
    pub fn next_number(&mut self) -> u64 {
        self.next += 1;
        self.next
    }

    /// A new TID for a service code.
    pub fn new_tid(&mut self, service_code: &str) -> String {
        let n = self.next_number();
        format!("SIM{service_code}{n:010}")
    }

    /// Whether an order id was already approved.
    pub fn has_order(&self, order_id: &str) -> bool {
        self.payments.iter().any(|p| p.order_id == order_id)
    }

    /// The payment with this TID.
    pub fn by_tid(&mut self, tid: &str) -> Option<&mut Payment> {
        self.payments.iter_mut().find(|p| p.tid == tid)
    }

    /// An active billing key.
    pub fn active_key(&self, user_key: &str) -> Option<&BillingKey> {
        self.keys
            .iter()
            .find(|k| k.user_key == user_key && k.active)
    }

    /// The trait's view of the books.
    pub fn entries(&self) -> Vec<LedgerEntry> {
        self.payments
            .iter()
            .map(|p| LedgerEntry {
                order_id: p.order_id.clone(),
                pg_tx_id: p.tid.clone(),
                amount: p.amount,
                cancelled: p.cancelled,
                cancel_count: p.cancel_count,
                state: if p.awaiting_deposit && p.cancelled == Money::ZERO {
                    "VIRTUAL_ACCOUNT_ISSUED"
                } else if p.cancelled == Money::ZERO {
                    "APPROVED"
                } else if p.balance() == Money::ZERO {
                    "CANCELLED"
                } else {
                    "PARTIALLY_CANCELLED"
                }
                .into(),
                method: method_name(&p.service_code).into(),
            })
            .collect()
    }
}

fn method_name(service_code: &str) -> &'static str {
    match service_code {
        service::TRANSFER => "TRANSFER",
        service::MOBILE => "MOBILE",
        service::VIRTUAL_ACCOUNT => "VIRTUAL_ACCOUNT",
        _ => "CARD",
    }
}
