//! Index of the **reconstructed** parts of the Galaxia wire format (the table with the reasons
//! is in the crate docs, "Documented vs reconstructed", and the README).
//!
//! Nothing is defined here: each item lives with its job and says **reconstructed** in its doc
//! line. These re-exports keep the paths the simulator and older code use.

pub use crate::decode::{inquiry_report, not_found_report};
pub use crate::encode::{charge_billing_key, delete_billing_key, inquiry, issue_billing_key};
pub use crate::notice::decode_notice;
pub use crate::protocol::SIMULATOR_CODES;
