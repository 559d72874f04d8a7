//! The index of every **reconstructed** part of the Nice wire format.
//!
//! Public material rarely shows everything. Whatever this adapter sends or expects that no
//! cited source shows is a reconstruction. Its code lives with its job (wire structs in
//! [`crate::frame`], mapping in [`crate::encode`] / [`crate::decode`], codes in
//! [`crate::protocol`]) with a doc line saying it is **reconstructed** and why; this module only
//! lists them, with the closest documented evidence and why the guess was made (the README's
//! table says the same). Confirm each against the vendor before going live. The simulator
//! speaks exactly these reconstructions, so the conformance suite cannot catch a wrong guess —
//! only the vendor can.
//!
//! | part | reconstruction | why |
//! |---|---|---|
//! | (none yet) | | |

/// One reconstructed fact, for the README and reviews.
#[derive(Debug, Clone, Copy)]
pub struct Reconstruction {
    /// What part of the format.
    pub part: &'static str,
    /// What paymux sends or expects.
    pub guess: &'static str,
    /// The evidence and reasoning.
    pub why: &'static str,
}

/// Every reconstruction this adapter relies on.
pub const RECONSTRUCTIONS: &[Reconstruction] = &[];
