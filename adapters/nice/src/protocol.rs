//! Nice protocol constants: hosts, ports, commands, field names, fixed values and the
//! decline table.
//!
//! Every value here cites its public source (a sample file, a manual page) in its doc comment.
//! A value no public source shows is **reconstructed**: say so, and list it in
//! [`crate::reconstructed`] with the reason.

use paymux_core::outcome::{DeclineKind, DeclineRule};

/// Vendor hosts.
pub mod host {
    /// Test host. TODO: from the vendor's sample configuration (cite the file).
    pub const TEST: &str = "test.nice.invalid";
    /// Live host. TODO: as above.
    pub const LIVE: &str = "api.nice.invalid";
}

/// The vendor's result code for success. TODO: cite the source.
pub const SUCCESS: &str = "0000";

/// Raw vendor code → normalized decline kind: data, not `if`s. Unknown codes map to
/// [`DeclineKind::Other`]. Keep the simulator's codes for the test cards here too.
pub const DECLINE_RULES: &[DeclineRule] = &[
    // TODO: the vendor's codes, e.g.
    // DeclineRule { code: "8326", kind: DeclineKind::LimitExceeded },
    DeclineRule {
        code: "SIM-0002",
        kind: DeclineKind::CardDeclined,
    },
    DeclineRule {
        code: "SIM-0051",
        kind: DeclineKind::InsufficientFunds,
    },
];
