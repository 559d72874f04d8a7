//! Secrets as types: card numbers, passwords, birth dates and keys whose `Debug`/`Display`
//! never show the value, plus the masking rules every human-readable view uses.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use subtle::ConstantTimeEq;

/// A value that must never appear in logs, errors, snapshots or debug output.
///
/// `Debug` and `Display` print a fixed mask; the value is only reachable through
/// [`Secret::expose`], which makes every use greppable. Serializing writes the real value
/// (the bytes that go to the PG need it) — views use [`Secret::masked`] instead.
#[derive(Clone, Default, PartialEq, Eq, Hash)]
pub struct Secret<T>(T);

impl<T> Secret<T> {
    /// Wrap a value.
    pub fn new(v: T) -> Self {
        Secret(v)
    }
    /// The real value. Use only to build the exact bytes for a PG or a cipher key.
    pub fn expose(&self) -> &T {
        &self.0
    }
    /// Unwrap.
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl Secret<String> {
    /// The masked view of the value as a card number: first 6 and last 4 digits kept when the
    /// number is long enough (PCI DSS display rule), the rest `*`.
    pub fn masked_card(&self) -> String {
        mask_card_number(&self.0)
    }
    /// Every character replaced by `*` (passwords, birth dates, keys).
    pub fn masked(&self) -> String {
        mask_all(&self.0)
    }
    /// Constant-time comparison, for API secrets and signatures.
    pub fn ct_eq(&self, other: &str) -> bool {
        constant_time_eq(self.0.as_bytes(), other.as_bytes())
    }
}

impl<T> From<T> for Secret<T> {
    fn from(v: T) -> Self {
        Secret(v)
    }
}

impl<T> fmt::Debug for Secret<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

impl<T> fmt::Display for Secret<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl<T: Serialize> Serialize for Secret<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(s)
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Secret<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        T::deserialize(d).map(Secret)
    }
}

/// Mask a card number for display: keep the first 6 and last 4 digits of numbers of 13 or
/// more digits, mask everything in shorter ones. Non-digits (spaces, dashes) are dropped.
pub fn mask_card_number(number: &str) -> String {
    let digits: Vec<char> = number.chars().filter(|c| c.is_ascii_digit()).collect();
    let n = digits.len();
    if n < 13 {
        return "*".repeat(n.max(1));
    }
    digits
        .iter()
        .enumerate()
        .map(|(i, c)| if i < 6 || i >= n - 4 { *c } else { '*' })
        .collect()
}

/// Replace every character by `*` (at least one, so an empty secret is still visibly masked).
pub fn mask_all(value: &str) -> String {
    "*".repeat(value.chars().count().max(1))
}

/// Compare two byte strings in time independent of where they differ.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    // Length is not secret (it is public for API secrets and signatures alike).
    a.len() == b.len() && bool::from(a.ct_eq(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_and_display_never_show_the_value() {
        let s = Secret::new("4111111111111111".to_string());
        assert_eq!(format!("{s:?}"), "Secret(***)");
        assert_eq!(format!("{s}"), "***");
        #[derive(Debug)]
        #[allow(dead_code)]
        struct Card {
            number: Secret<String>,
        }
        let dbg = format!("{:?}", Card { number: s.clone() });
        assert!(!dbg.contains("4111"), "{dbg}");
        assert!(!format!("{:#?}", Card { number: s }).contains("1111"));
    }

    #[test]
    fn card_mask_keeps_bin_and_last_four() {
        assert_eq!(mask_card_number("4111-1111-1111-1234"), "411111******1234");
        assert_eq!(mask_card_number("123456789012"), "************");
        assert_eq!(mask_all("12"), "**");
        assert_eq!(mask_all(""), "*");
    }

    #[test]
    fn serde_round_trips_the_real_value() {
        let s: Secret<String> = serde_json::from_str("\"12\"").unwrap();
        assert_eq!(s.expose(), "12");
        assert_eq!(serde_json::to_string(&s).unwrap(), "\"12\"");
    }

    #[test]
    fn constant_time_eq_compares() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"ab"));
    }
}
