//! The simulator's books: the kit's [`paymux_core::simulator::ledger`], plus what only
//! BillGate keeps (each payment's service code and order date) and its TID shape.

use paymux_core::simulator::ledger;

use crate::protocol::service;

/// What BillGate keeps beside the kit's payment fields.
#[derive(Debug, Clone, Default)]
pub struct Extra {
    /// Service code (method) the payment was made with.
    pub service_code: String,
    /// `ORDER_DATE` as sent (inquiries by order name it).
    pub order_date: String,
    /// When the payer deposited into a virtual account (`YYYYMMDDHHMMSS` KST; empty before).
    pub deposited_at: String,
}

/// Everything the simulator remembers.
pub type Ledger = ledger::Ledger<Extra>;
/// One payment.
pub type Payment = ledger::Payment<Extra>;

/// The books' merchant: the samples' test SERVICE_IDs are one merchant's ids (general,
/// auto-billing, keyed-in), so they share one book of orders and billing keys.
pub const MERCHANT: &str = "billgate-test";

/// A new TID for a service code.
pub fn new_tid(ledger: &mut Ledger, service_code: &str) -> String {
    let n = ledger.next_number();
    format!("SIM{service_code}{n:010}")
}

/// The kit's method of a service code.
pub fn method(service_code: &str) -> ledger::Method {
    match service_code {
        service::TRANSFER => ledger::Method::Transfer,
        service::MOBILE => ledger::Method::Mobile,
        service::VIRTUAL_ACCOUNT => ledger::Method::VirtualAccount,
        _ => ledger::Method::Card,
    }
}
