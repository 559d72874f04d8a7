//! Wire toolkit: the byte-exact building blocks every adapter shares.
//!
//! Korean PGs want exact bytes: strict EUC-KR (KS X 1001) text, fixed-width telegrams whose
//! field widths count **bytes**, form bodies percent-encoded from EUC-KR bytes, decimal
//! tag-length-value records, base64/hex, hashes and AES/SEED-CBC. This module provides those
//! pieces with three rules:
//!
//! 1. **Nothing is silently changed.** An unmappable character, a number that does not fit its
//!    field, a malformed record: each is a typed [`WireError`] naming the field. Nothing is
//!    replaced with `?` or `&#NNNN;`, no amount is truncated.
//! 2. **No panics.** Every input (including arbitrary bytes from the network) yields `Ok` or a
//!    [`WireError`]; lengths read from the wire are checked before they are used.
//! 3. **Errors never carry values.** Values may be card numbers or passwords, so errors name
//!    the field, a position, a code point or byte counts, never the value itself.
//!
//! Modules:
//!
//! - [`charset`]: strict EUC-KR / CP949 / UTF-8 encode and decode, byte lengths.
//! - [`fixed`]: fixed-width `X`/`9` fields, Hangul-safe truncation, a record writer/reader
//!   that keeps a reviewable field layout ([`FieldSpan`], [`layout_table`]).
//! - [`form`]: `application/x-www-form-urlencoded` bodies from charset-encoded bytes.
//! - [`tlv`]: decimal-ASCII tag-length-value records (Galaxia BillGate's body format).
//! - [`codec`]: base64 and hex.
//! - [`crypto`]: SHA-256/512, MD5, HMAC-SHA256, AES-CBC and SEED-CBC (RFC 4269) with PKCS#7.

pub mod charset;
pub mod codec;
pub mod crypto;
pub mod fixed;
pub mod form;
pub mod tlv;

pub use charset::Charset;
pub use fixed::{layout_table, FieldKind, FieldSpan, RecordReader, RecordWriter};
pub use form::{form_urldecode, form_urlencode};
pub use tlv::{TlvRecord, TlvSpec};

/// Everything that can go wrong while building or parsing wire bytes.
///
/// Every variant names the field (or, for structural errors, the thing being read) so the
/// message can be shown to an operator. No variant carries a field's value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WireError {
    /// A character has no representation in the target charset.
    #[error(
        "{field}: character U+{codepoint:04X} at position {position} cannot be encoded in {charset}"
    )]
    Unmappable {
        /// The field being encoded.
        field: String,
        /// Index of the offending character, counted in characters (Unicode scalar values)
        /// from 0.
        position: usize,
        /// The offending character's Unicode code point.
        codepoint: u32,
        /// Human-readable charset name, e.g. `EUC-KR (KS X 1001)`.
        charset: &'static str,
    },
    /// A value's encoded form is longer than the field allows.
    #[error("{field}: {actual_bytes} bytes in {charset} exceed the maximum of {max_bytes} bytes")]
    TooLong {
        /// The field being encoded.
        field: String,
        /// The maximum number of bytes the field allows.
        max_bytes: usize,
        /// The number of bytes the value needs.
        actual_bytes: usize,
        /// Charset the bytes were counted in (or `raw bytes` for already-encoded values).
        charset: &'static str,
    },
    /// A numeric (`9`) field was given something other than ASCII digits.
    #[error("{field}: not a number (only ASCII digits 0-9 are allowed)")]
    NotNumeric {
        /// The field being encoded or decoded.
        field: String,
    },
    /// A number does not fit its fixed-width field. Never truncated: it may be money.
    #[error("{field}: number does not fit in {width} digits")]
    NumberTooWide {
        /// The field being encoded or decoded.
        field: String,
        /// The field's width in digits.
        width: usize,
    },
    /// Input ended before a structure was complete.
    #[error("{what}: truncated input, needed {needed} bytes but only {got} available")]
    Truncated {
        /// What was being read.
        what: String,
        /// Bytes needed.
        needed: usize,
        /// Bytes available.
        got: usize,
    },
    /// Input is structurally wrong (bad digits, inconsistent lengths, bad escapes, ...).
    #[error("{what}: malformed: {detail}")]
    Malformed {
        /// What was being read or written.
        what: String,
        /// What is wrong with it (never the value itself).
        detail: String,
    },
    /// A cryptographic operation failed (bad key/IV length, bad padding, ...).
    #[error("{what}: {detail}")]
    Crypto {
        /// The operation, e.g. `SEED-CBC decrypt`.
        what: String,
        /// What went wrong.
        detail: String,
    },
    /// Bytes are not valid text in the expected charset.
    #[error("{field}: bytes are not valid {charset}")]
    Undecodable {
        /// The field being decoded.
        field: String,
        /// Human-readable charset name.
        charset: &'static str,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_messages_name_the_field_not_the_value() {
        let e = WireError::Unmappable {
            field: "orderName".into(),
            position: 3,
            codepoint: 0xB620,
            charset: "EUC-KR (KS X 1001)",
        };
        assert_eq!(
            e.to_string(),
            "orderName: character U+B620 at position 3 cannot be encoded in EUC-KR (KS X 1001)"
        );
        let e = WireError::TooLong {
            field: "goodName".into(),
            max_bytes: 50,
            actual_bytes: 52,
            charset: "EUC-KR (KS X 1001)",
        };
        assert_eq!(
            e.to_string(),
            "goodName: 52 bytes in EUC-KR (KS X 1001) exceed the maximum of 50 bytes"
        );
    }
}
