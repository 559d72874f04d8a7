//! The simulator's books: the kit's [`paymux_core::simulator::ledger`] (payments with their
//! cancels and balances, billing keys, virtual accounts), plus what only SmartroPay keeps —
//! each payment's `PayMethod`, its TID shape, the window authorizations waiting for their
//! approval and the open window pages.

use std::collections::BTreeMap;
use std::ops::{Deref, DerefMut};

use paymux_core::money::Money;
use paymux_core::simulator::ledger::{self, Method};
use paymux_core::simulator::window::WindowBook;

pub use paymux_core::simulator::ledger::{BillingKey, State};

use crate::protocol::pay_method;

/// What only SmartroPay keeps for a payment.
#[derive(Debug, Clone)]
pub struct Extra {
    /// `CARD`, `BANK`, `VBANK`, `CELLPHONE`.
    pub pay_method: &'static str,
}

/// One payment.
pub type Payment = ledger::Payment<Extra>;

/// A new payment of `pay_method` under `mid`, in `state`.
pub fn payment(
    mid: &str,
    moid: &str,
    tid: String,
    pay_method: &'static str,
    amount: Money,
    state: State,
) -> Payment {
    let method = match pay_method {
        pay_method::BANK => Method::Transfer,
        pay_method::VBANK => Method::VirtualAccount,
        pay_method::CELLPHONE => Method::Mobile,
        _ => Method::Card,
    };
    let mut p = Payment::approved(mid, moid, tid, method, amount, "", Extra { pay_method });
    p.state = state;
    p
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
}

/// Everything the simulator remembers: the kit's books (reached through `Deref`) and
/// SmartroPay's window state.
#[derive(Debug, Default)]
pub struct Ledger {
    books: ledger::Ledger<Extra>,
    /// Window authorizations.
    pub auths: Vec<WindowAuth>,
    windows: WindowBook<OpenWindow>,
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
        self.windows.open(OpenWindow { form })
    }

    /// Take an opened, unexpired window page (answering it is one-time).
    pub fn take_window(&mut self, token: &str) -> Option<OpenWindow> {
        self.windows.take(token)
    }

    /// Put a window page back (the payer's answer was not usable; they may try again).
    pub fn put_back_window(&mut self, token: &str, w: OpenWindow) {
        self.windows.put_back(token, w);
    }

    /// The payment with this TID under this MID.
    pub fn by_tid(&mut self, mid: &str, tid: &str) -> Option<&mut Payment> {
        self.books
            .payments
            .iter_mut()
            .find(|p| p.tid == tid && p.merchant == mid)
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
