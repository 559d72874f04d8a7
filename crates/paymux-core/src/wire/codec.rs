//! Base64 (standard alphabet, with padding), hex, and `yyyyMMddHHmmss` digits.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use chrono::{Datelike, Timelike};

use super::WireError;

/// Base64 with the standard alphabet and `=` padding (RFC 4648 §4).
pub fn b64_encode(bytes: &[u8]) -> String {
    STANDARD.encode(bytes)
}

/// Decodes standard, padded base64 strictly (no whitespace, no URL-safe alphabet).
/// `what` names the input in errors.
pub fn b64_decode(what: &str, text: &str) -> Result<Vec<u8>, WireError> {
    STANDARD.decode(text).map_err(|e| WireError::Malformed {
        what: what.to_owned(),
        detail: format!("invalid base64: {e}"),
    })
}

/// Lower-case hex.
pub fn hex_lower(bytes: &[u8]) -> String {
    hex::encode(bytes)
}

/// Upper-case hex.
pub fn hex_upper(bytes: &[u8]) -> String {
    hex::encode_upper(bytes)
}

/// Decodes hex (either case). `what` names the input in errors.
pub fn hex_decode(what: &str, text: &str) -> Result<Vec<u8>, WireError> {
    hex::decode(text).map_err(|e| WireError::Malformed {
        what: what.to_owned(),
        detail: format!("invalid hex: {e}"),
    })
}

/// `yyyyMMddHHmmss` as chrono's `format("%Y%m%d%H%M%S")` writes it, without chrono
/// re-reading the format string on every call. `None` (use chrono) outside years 0–9999 and
/// for a leap second, which chrono writes differently.
pub fn digits14(t: &(impl Datelike + Timelike)) -> Option<String> {
    if !(0..=9999).contains(&t.year()) || t.nanosecond() >= 1_000_000_000 {
        return None;
    }
    let mut out = String::with_capacity(14);
    // `year` is 0–9999 here: the cast keeps it.
    for (v, width) in [
        (t.year() as u32, 4),
        (t.month(), 2),
        (t.day(), 2),
        (t.hour(), 2),
        (t.minute(), 2),
        (t.second(), 2),
    ] {
        for p in (0..width).rev() {
            out.push(char::from(b'0' + (v / 10u32.pow(p) % 10) as u8));
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64() {
        assert_eq!(b64_encode(b""), "");
        assert_eq!(b64_encode(b"f"), "Zg==");
        assert_eq!(b64_encode(b"foobar"), "Zm9vYmFy");
        assert_eq!(
            b64_decode("key", "QkZJRlBDRTI4T0c1OUtBMw==").unwrap(),
            b"BFIFPCE28OG59KA3"
        );
        assert_eq!(b64_decode("x", "Zg==").unwrap(), b"f");
        for bad in ["Zg", "Zg=", "Z g==", "Zm9v_mFy", "****"] {
            let err = b64_decode("galaxia key", bad).unwrap_err();
            assert!(
                matches!(err, WireError::Malformed { ref what, .. } if what == "galaxia key"),
                "{bad}"
            );
        }
    }

    #[test]
    fn hex_round_trip() {
        assert_eq!(hex_lower(&[0xAB, 0x01]), "ab01");
        assert_eq!(hex_upper(&[0xAB, 0x01]), "AB01");
        assert_eq!(hex_decode("h", "aB01").unwrap(), [0xAB, 0x01]);
        assert!(matches!(
            hex_decode("hash", "abc"),
            Err(WireError::Malformed { ref what, .. }) if what == "hash"
        ));
        assert!(hex_decode("hash", "zz").is_err());
    }
}
