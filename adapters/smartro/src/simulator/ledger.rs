//! The simulator's books: payments (with cancels and balances), billing keys, and the window
//! authorizations waiting for their approval.

use std::collections::{BTreeMap, HashMap};
use std::time::{Duration, Instant};

use paymux_core::money::Money;
use paymux_core::simulator::LedgerEntry;

use crate::protocol::pay_method;

/// Where a payment stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    /// Approved (card, transfer, mobile).
    Approved,
    /// A virtual account awaiting its deposit.
    WaitingDeposit,
    /// A virtual account whose deposit arrived.
    Deposited,
}

/// One payment.
#[derive(Debug, Clone)]
pub struct Payment {
    /// The MID it was made under.
    pub mid: String,
    /// Merchant order id.
    pub moid: String,
    /// The simulator's TID.
    pub tid: String,
    /// `CARD`, `BANK`, `VBANK`, `CELLPHONE`.
    pub pay_method: &'static str,
    /// Amount.
    pub amount: Money,
    /// Cancelled so far.
    pub cancelled: Money,
    /// Number of cancels.
    pub cancel_count: u32,
    /// State.
    pub state: State,
}

impl Payment {
    /// What is still cancellable.
    pub fn balance(&self) -> Money {
        self.amount
            .checked_sub(self.cancelled)
            .unwrap_or(Money::ZERO)
    }
}

/// One billing key.
#[derive(Debug, Clone)]
pub struct BillingKey {
    /// The plain BillTokenKey.
    pub token: String,
    /// The MID it was issued under.
    pub mid: String,
    /// The card it stands for (decides the test-card behaviour of charges).
    pub card_number: String,
    /// `false` once deleted.
    pub active: bool,
}

/// A window authorization (the test-only window minted it; `urlCallApproval.do` uses it).
#[derive(Debug, Clone)]
pub struct WindowAuth {
    /// TID handed to the browser.
    pub tid: String,
    /// One-time approval key.
    pub tr_auth_key: String,
    /// MID of the form.
    pub mid: String,
    /// Order id.
    pub moid: String,
    /// Amount.
    pub amount: Money,
    /// `PayMethod` of the form.
    pub pay_method: &'static str,
    /// Card entered (CARD windows).
    pub card_number: Option<String>,
    /// Goods name.
    pub goods_name: String,
    /// Buyer name.
    pub buyer_name: String,
    /// `VbankExpDate` of the form.
    pub vbank_exp_date: Option<String>,
    /// Approved already.
    pub used: bool,
    /// The payer pressed Cancel in the window ([`super::window`]): its approval is refused.
    pub cancelled: bool,
}

/// A window page the payer has not answered yet ([`super::window`]).
#[derive(Debug, Clone)]
pub struct OpenWindow {
    /// The merchant's form, as posted (first value of each field).
    pub form: BTreeMap<String, String>,
    /// When it was opened.
    pub opened: Instant,
}

/// How long an opened window waits for the payer.
const WINDOW_TTL: Duration = Duration::from_secs(30 * 60);

/// Everything the simulator remembers.
#[derive(Debug, Default)]
pub struct Ledger {
    /// Payments, in order.
    pub payments: Vec<Payment>,
    /// Billing keys.
    pub keys: Vec<BillingKey>,
    /// Window authorizations.
    pub auths: Vec<WindowAuth>,
    windows: HashMap<String, OpenWindow>,
    next: u64,
}

impl Ledger {
    /// A fresh sequence number.
    pub fn next_number(&mut self) -> u64 {
        self.next += 1;
        self.next
    }

    /// A new 30-character TID: MID (10), method (2), medium (2), `yyMMddHHmmss`, sequence (4)
    /// — the shape of the samples' TIDs (id9043725511).
    pub fn new_tid(&mut self, mid: &str, pay_method: &str, yymmddhhmmss: &str) -> String {
        let method = match pay_method {
            pay_method::BANK => "02",
            pay_method::VBANK => "03",
            pay_method::CELLPHONE => "05",
            _ => "01",
        };
        let n = self.next_number() % 10_000;
        format!("{mid:<10.10}{method}01{yymmddhhmmss}{n:04}")
    }

    /// Remember an opened window page; its one-time token.
    pub fn open_window(&mut self, form: BTreeMap<String, String>) -> String {
        self.windows.retain(|_, w| w.opened.elapsed() < WINDOW_TTL);
        let n = self.next_number();
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or_default();
        let token = format!("W{n:08}{nanos:08x}");
        self.windows.insert(
            token.clone(),
            OpenWindow {
                form,
                opened: Instant::now(),
            },
        );
        token
    }

    /// Take an opened, unexpired window page (answering it is one-time).
    pub fn take_window(&mut self, token: &str) -> Option<OpenWindow> {
        self.windows
            .remove(token)
            .filter(|w| w.opened.elapsed() < WINDOW_TTL)
    }

    /// Put a window page back (the payer's answer was not usable; they may try again).
    pub fn put_back_window(&mut self, token: &str, w: OpenWindow) {
        self.windows.insert(token.to_string(), w);
    }

    /// Whether an order was already paid (or issued) under this MID.
    pub fn has_order(&self, mid: &str, moid: &str) -> bool {
        self.payments.iter().any(|p| p.mid == mid && p.moid == moid)
    }

    /// The payment with this TID under this MID.
    pub fn by_tid(&mut self, mid: &str, tid: &str) -> Option<&mut Payment> {
        self.payments
            .iter_mut()
            .find(|p| p.tid == tid && p.mid == mid)
    }

    /// An active billing key issued under `mid`.
    pub fn active_key(&self, mid: &str, token: &str) -> Option<&BillingKey> {
        self.keys
            .iter()
            .find(|k| k.token == token && k.mid == mid && k.active)
    }

    /// The trait's view of the books.
    pub fn entries(&self) -> Vec<LedgerEntry> {
        self.payments
            .iter()
            .map(|p| LedgerEntry {
                order_id: p.moid.clone(),
                pg_tx_id: p.tid.clone(),
                amount: p.amount,
                cancelled: p.cancelled,
                cancel_count: p.cancel_count,
                state: if p.cancelled != Money::ZERO && p.balance() == Money::ZERO {
                    "CANCELLED"
                } else if p.state == State::WaitingDeposit {
                    "VIRTUAL_ACCOUNT_ISSUED"
                } else if p.cancelled == Money::ZERO {
                    "APPROVED"
                } else {
                    "PARTIALLY_CANCELLED"
                }
                .into(),
                method: match p.pay_method {
                    pay_method::BANK => "TRANSFER",
                    pay_method::VBANK => "VIRTUAL_ACCOUNT",
                    pay_method::CELLPHONE => "MOBILE",
                    _ => "CARD",
                }
                .into(),
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tids_have_the_samples_shape() {
        let mut l = Ledger::default();
        let t = l.new_tid("pmxtest01m", "CARD", "250301101500");
        assert_eq!(t.len(), 30);
        assert!(t.starts_with("pmxtest01m0101250301101500"));
    }
}
