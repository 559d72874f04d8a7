//! The unified request model: PortOne V2 request bodies as Rust types.
//!
//! A PortOne client's JSON deserializes straight into these types (camelCase fields, PortOne's
//! enum spellings), and serializes back to the same shape. Money is [`Money`](crate::Money)
//! (integer minor units); card numbers, passwords, birth dates and identity numbers are
//! [`Secret`](crate::Secret)s that never show in `Debug`.
//!
//! - [`payment`]: keyed-in instant payment (`InstantPaymentInput`).
//! - [`billing_key`]: billing-key issue, payment, schedule and revoke bodies.
//! - [`cancel`]: cancel body and the cancel-amount rules ([`CancelAmounts::resolve`]).
//! - [`checkout`]: browser-SDK `requestPayment` / `requestIssueBillingKey(AndPay)` parameters.
//! - [`common`]: customer, products, addresses, banks, countries, cash receipts.
//! - [`validate`]: the [`Validate`] trait and PortOne's generic rules; PG-specific rules live in
//!   the adapters.

pub mod billing_key;
pub mod cancel;
pub mod checkout;
pub mod common;
pub mod payment;
pub mod validate;

#[cfg(test)]
mod tests;

pub use billing_key::*;
pub use cancel::*;
pub use checkout::*;
pub use common::*;
pub use payment::*;
pub use validate::{Validate, MAX_INSTALLMENT_MONTH};
