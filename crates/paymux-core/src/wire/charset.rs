//! Text encodings used on Korean PG wires: strict EUC-KR (KS X 1001), CP949 and UTF-8.
//!
//! `encoding_rs`'s `EUC_KR` is the WHATWG "EUC-KR", which is really CP949/UHC: it encodes all
//! 11,172 Hangul syllables, most of them (e.g. 똠 U+B620 → `8C 63`, 뷁 U+BDC1 → `94 EE`)
//! with a lead byte in 0x81–0xC6 and/or a trail byte below 0xA1. A vendor decoding with Java's
//! `EUC-KR`/`ksc5601` or iconv's `EUC-KR` garbles those. [`Charset::EucKr`] therefore accepts
//! only the KS X 1001 repertoire: every two-byte sequence has its lead **and** trail byte in
//! 0xA1–0xFE. [`Charset::Cp949`] is for vendors that document CP949/MS949.
//!
//! `encoding_rs` also replaces unmappable characters with `&#NNNN;` when used through its
//! convenience API. This module never does: it encodes without replacement and returns
//! [`WireError::Unmappable`] naming the field, the character's position and code point.

use std::fmt;

use encoding_rs::{EncoderResult, EUC_KR};
use serde::{Deserialize, Serialize};

use super::WireError;

/// A wire text encoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum Charset {
    /// Strict EUC-KR: ASCII plus the KS X 1001 repertoire (lead and trail bytes 0xA1–0xFE).
    /// The default: what Java's `EUC-KR` and iconv's `EUC-KR` accept.
    #[default]
    #[serde(rename = "euc-kr")]
    EucKr,
    /// CP949 / MS949 / UHC (the WHATWG "EUC-KR"): EUC-KR plus the remaining 8,822 Hangul
    /// syllables. Only where a vendor documents it.
    #[serde(rename = "cp949")]
    Cp949,
    /// UTF-8.
    #[serde(rename = "utf-8")]
    Utf8,
}

impl Charset {
    /// Human-readable name used in error messages, e.g. `EUC-KR (KS X 1001)`.
    pub const fn label(self) -> &'static str {
        match self {
            Charset::EucKr => "EUC-KR (KS X 1001)",
            Charset::Cp949 => "CP949",
            Charset::Utf8 => "UTF-8",
        }
    }
}

impl fmt::Display for Charset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// Encodes one character into `buf`, returning the number of bytes written, or `None` if the
/// character cannot be represented in `cs`.
fn encode_char(ch: char, cs: Charset, buf: &mut [u8; 4]) -> Option<usize> {
    if ch.is_ascii() {
        buf[0] = ch as u8;
        return Some(1);
    }
    match cs {
        Charset::Utf8 => Some(ch.encode_utf8(buf).len()),
        Charset::EucKr | Charset::Cp949 => {
            if let Some([lead, trail]) = hangul_syllable(ch) {
                if cs == Charset::EucKr && !(is_ksx1001_byte(lead) && is_ksx1001_byte(trail)) {
                    return None;
                }
                buf[0] = lead;
                buf[1] = trail;
                return Some(2);
            }
            let mut utf8 = [0u8; 4];
            let src: &str = ch.encode_utf8(&mut utf8);
            let mut encoder = EUC_KR.new_encoder();
            let (result, _read, written) =
                encoder.encode_from_utf8_without_replacement(src, buf, true);
            if result != EncoderResult::InputEmpty || written != 2 {
                return None;
            }
            if cs == Charset::EucKr && !(is_ksx1001_byte(buf[0]) && is_ksx1001_byte(buf[1])) {
                return None;
            }
            Some(2)
        }
    }
}

/// The CP949 bytes of a precomposed Hangul syllable (U+AC00–U+D7A3), from a table built once
/// from `encoding_rs`. Korean text is mostly syllables, and every field of every request is
/// checked for encodability (also by rule-aware routing, once per channel): a table lookup
/// instead of an encoder per character. `None` for any other character.
fn hangul_syllable(ch: char) -> Option<[u8; 2]> {
    const FIRST: u32 = 0xAC00;
    const COUNT: usize = 11_172;
    static TABLE: std::sync::OnceLock<Box<[[u8; 2]]>> = std::sync::OnceLock::new();
    let index = (ch as u32).checked_sub(FIRST)? as usize;
    if index >= COUNT {
        return None;
    }
    let table = TABLE.get_or_init(|| {
        let mut encoder = EUC_KR.new_encoder();
        (0..COUNT as u32)
            .map(|i| {
                let ch = char::from_u32(FIRST + i).expect("Hangul syllables are scalar values");
                let mut utf8 = [0u8; 4];
                let mut out = [0u8; 4];
                let (result, _, written) = encoder.encode_from_utf8_without_replacement(
                    ch.encode_utf8(&mut utf8),
                    &mut out,
                    false,
                );
                // CP949 encodes all 11,172 syllables in two bytes.
                assert!(result == EncoderResult::InputEmpty && written == 2);
                [out[0], out[1]]
            })
            .collect()
    });
    Some(table[index])
}

const fn is_ksx1001_byte(b: u8) -> bool {
    matches!(b, 0xA1..=0xFE)
}

/// The result of encoding a value with an optional byte budget.
pub(crate) struct Fitted {
    /// Encoded bytes of the longest prefix (at a character boundary) that fits the budget.
    pub bytes: Vec<u8>,
    /// End of that prefix as a byte index into the original `&str`.
    pub str_end: usize,
}

/// Encodes `value`, validating **every** character (also those past the budget), and keeps
/// the longest character-boundary prefix whose encoding fits in `max_bytes`.
pub(crate) fn encode_fitted(
    field: &str,
    value: &str,
    max_bytes: Option<usize>,
    cs: Charset,
) -> Result<Fitted, WireError> {
    let mut bytes = Vec::with_capacity(value.len());
    let (str_end, _) = encode_fitted_into(field, value, max_bytes, cs, &mut bytes)?;
    Ok(Fitted { bytes, str_end })
}

/// [`encode_fitted`] appending the kept bytes to `out` (a record being written, without a
/// buffer per field); returns `(str_end, full_len)`. On error, `out` may hold part of the
/// value: the caller truncates it.
pub(crate) fn encode_fitted_into(
    field: &str,
    value: &str,
    max_bytes: Option<usize>,
    cs: Charset,
    out: &mut Vec<u8>,
) -> Result<(usize, usize), WireError> {
    if value.is_ascii() {
        // One byte per character in every charset, all encodable: copy what fits.
        let kept = max_bytes.map_or(value.len(), |max| max.min(value.len()));
        out.extend_from_slice(&value.as_bytes()[..kept]);
        return Ok((kept, value.len()));
    }
    let bytes = out;
    let mut str_end = 0;
    let mut full_len = 0usize;
    let mut fits = true;
    let mut buf = [0u8; 4];
    for (position, (idx, ch)) in value.char_indices().enumerate() {
        let n = encode_char(ch, cs, &mut buf).ok_or_else(|| WireError::Unmappable {
            field: field.to_owned(),
            position,
            codepoint: u32::from(ch),
            charset: cs.label(),
        })?;
        full_len += n;
        let within = match max_bytes {
            Some(max) => full_len <= max,
            None => true,
        };
        if fits && within {
            bytes.extend_from_slice(&buf[..n]);
            str_end = idx + ch.len_utf8();
        } else {
            fits = false;
        }
    }
    Ok((str_end, full_len))
}

/// Encodes `value` in `cs`.
///
/// Fails with [`WireError::Unmappable`] (naming `field`, the character index and code point)
/// if any character cannot be represented; nothing is ever substituted.
pub fn encode(field: &str, value: &str, cs: Charset) -> Result<Vec<u8>, WireError> {
    if cs == Charset::Utf8 {
        return Ok(value.as_bytes().to_vec());
    }
    encode_fitted(field, value, None, cs).map(|f| f.bytes)
}

/// Decodes `bytes` in `cs`, strictly: any malformed or unassigned sequence is
/// [`WireError::Undecodable`]; nothing is replaced with U+FFFD.
///
/// Under [`Charset::EucKr`] a two-byte sequence outside KS X 1001 (e.g. CP949's `81 41`)
/// is rejected even though CP949 would decode it.
pub fn decode(field: &str, bytes: &[u8], cs: Charset) -> Result<String, WireError> {
    let undecodable = || WireError::Undecodable {
        field: field.to_owned(),
        charset: cs.label(),
    };
    match cs {
        Charset::Utf8 => std::str::from_utf8(bytes)
            .map(str::to_owned)
            .map_err(|_| undecodable()),
        Charset::EucKr | Charset::Cp949 => {
            if cs == Charset::EucKr {
                let mut i = 0;
                while i < bytes.len() {
                    let b = bytes[i];
                    if b.is_ascii() {
                        i += 1;
                    } else if is_ksx1001_byte(b)
                        && bytes.get(i + 1).is_some_and(|&t| is_ksx1001_byte(t))
                    {
                        i += 2;
                    } else {
                        return Err(undecodable());
                    }
                }
            }
            EUC_KR
                .decode_without_bom_handling_and_without_replacement(bytes)
                .map(|s| s.into_owned())
                .ok_or_else(undecodable)
        }
    }
}

/// Number of bytes `value` takes in `cs` (a Hangul syllable is 2 bytes in EUC-KR, 3 in UTF-8).
pub fn byte_len(field: &str, value: &str, cs: Charset) -> Result<usize, WireError> {
    if cs == Charset::Utf8 || value.is_ascii() {
        return Ok(value.len());
    }
    // Counted without building the bytes: validation asks this of every text field.
    let mut buf = [0u8; 4];
    value
        .chars()
        .enumerate()
        .try_fold(0usize, |len, (position, ch)| {
            encode_char(ch, cs, &mut buf)
                .map(|n| len + n)
                .ok_or_else(|| WireError::Unmappable {
                    field: field.to_owned(),
                    position,
                    codepoint: u32::from(ch),
                    charset: cs.label(),
                })
        })
}

/// Checks that `value` encodes to at most `max` bytes in `cs`.
///
/// Returns [`WireError::TooLong`] with both numbers, or [`WireError::Unmappable`].
pub fn check_max_bytes(field: &str, value: &str, max: usize, cs: Charset) -> Result<(), WireError> {
    let actual = byte_len(field, value, cs)?;
    if actual > max {
        return Err(WireError::TooLong {
            field: field.to_owned(),
            max_bytes: max,
            actual_bytes: actual,
            charset: cs.label(),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_syllable_table_agrees_with_encoding_rs_for_every_hangul_syllable() {
        let (mut strict, mut all) = (0, 0);
        for cp in 0xAC00u32..=0xD7A3 {
            let ch = char::from_u32(cp).unwrap();
            let s = ch.to_string();
            let (reference, _, unmappable) = EUC_KR.encode(&s);
            assert!(!unmappable);
            let cp949 = encode("f", &s, Charset::Cp949).unwrap();
            assert_eq!(cp949, reference.as_ref(), "U+{cp:04X} in CP949");
            all += 1;
            let in_ksx = reference.iter().all(|b| (0xA1..=0xFE).contains(b));
            match encode("f", &s, Charset::EucKr) {
                Ok(b) => {
                    assert!(in_ksx, "U+{cp:04X} is outside KS X 1001");
                    assert_eq!(b, reference.as_ref());
                    strict += 1;
                }
                Err(_) => assert!(!in_ksx, "U+{cp:04X} is in KS X 1001"),
            }
        }
        assert_eq!((strict, all), (2_350, 11_172));
    }

    #[test]
    fn euc_kr_known_bytes() {
        let bytes = encode("orderName", "주문명 테스트", Charset::EucKr).unwrap();
        assert_eq!(
            bytes,
            [0xC1, 0xD6, 0xB9, 0xAE, 0xB8, 0xED, 0x20, 0xC5, 0xD7, 0xBD, 0xBA, 0xC6, 0xAE]
        );
        assert_eq!(&bytes[..2], &[0xC1, 0xD6]); // 주
        assert_eq!(
            decode("orderName", &bytes, Charset::EucKr).unwrap(),
            "주문명 테스트"
        );
        assert_eq!(byte_len("f", "주문명 테스트", Charset::EucKr).unwrap(), 13);
        assert_eq!(byte_len("f", "주문명 테스트", Charset::Utf8).unwrap(), 19);
    }

    #[test]
    fn emoji_is_unmappable_and_named() {
        let err = encode("orderName", "커피☕x🍰", Charset::EucKr).unwrap_err();
        // ☕ U+2615 is not in KS X 1001 either; it comes first (position 2).
        assert_eq!(
            err,
            WireError::Unmappable {
                field: "orderName".into(),
                position: 2,
                codepoint: 0x2615,
                charset: "EUC-KR (KS X 1001)",
            }
        );
        let err = encode("orderName", "ab🍰", Charset::Cp949).unwrap_err();
        let msg = err.to_string();
        assert!(msg.starts_with("orderName: "), "{msg}");
        assert!(msg.contains("U+1F370 at position 2"), "{msg}");
        assert!(!msg.contains("ab"), "value must not leak: {msg}");
        // No `&#NNNN;` substitution anywhere.
        let msg = encode("orderName", "케이크🍰", Charset::EucKr)
            .unwrap_err()
            .to_string();
        assert_eq!(
            msg,
            "orderName: character U+1F370 at position 3 cannot be encoded in EUC-KR (KS X 1001)"
        );
        assert_eq!(encode("f", "🍰", Charset::Utf8).unwrap(), "🍰".as_bytes());
    }

    #[test]
    fn uhc_only_syllables_rejected_under_strict_euc_kr() {
        for (s, cp, cp949) in [
            ("똠", 0xB620u32, [0x8C, 0x63]),
            ("뷁", 0xBDC1, [0x94, 0xEE]),
        ] {
            let err = encode("orderName", &format!("abc{s}"), Charset::EucKr).unwrap_err();
            assert_eq!(
                err,
                WireError::Unmappable {
                    field: "orderName".into(),
                    position: 3,
                    codepoint: cp,
                    charset: "EUC-KR (KS X 1001)",
                }
            );
            assert_eq!(encode("orderName", s, Charset::Cp949).unwrap(), cp949);
            assert_eq!(decode("f", &cp949, Charset::Cp949).unwrap(), s);
            assert!(decode("f", &cp949, Charset::EucKr).is_err());
        }
        assert_eq!(
            encode("orderName", "똠", Charset::EucKr)
                .unwrap_err()
                .to_string(),
            "orderName: character U+B620 at position 0 cannot be encoded in EUC-KR (KS X 1001)"
        );
    }

    #[test]
    fn strict_decode() {
        assert_eq!(
            decode("resMsg", &[0x81, 0x41], Charset::EucKr).unwrap_err(),
            WireError::Undecodable {
                field: "resMsg".into(),
                charset: "EUC-KR (KS X 1001)"
            }
        );
        // 0x81 0x41 is 갂 in CP949.
        assert_eq!(decode("f", &[0x81, 0x41], Charset::Cp949).unwrap(), "갂");
        // Lone lead byte, stray 0x80, invalid UTF-8.
        assert!(decode("f", &[b'a', 0xB0], Charset::EucKr).is_err());
        assert!(decode("f", &[b'a', 0xB0], Charset::Cp949).is_err());
        assert!(decode("f", &[0x80], Charset::EucKr).is_err());
        assert!(decode("f", &[0xC0, 0x80], Charset::Utf8).is_err());
        // Unassigned KS X 1001 position (row 0xC9 is user-defined) is not replaced.
        assert!(decode("f", &[0xC9, 0xA1], Charset::EucKr).is_err());
    }

    #[test]
    fn max_bytes() {
        assert!(check_max_bytes("goodName", "가나", 4, Charset::EucKr).is_ok());
        assert_eq!(
            check_max_bytes("goodName", "가나", 4, Charset::Utf8).unwrap_err(),
            WireError::TooLong {
                field: "goodName".into(),
                max_bytes: 4,
                actual_bytes: 6,
                charset: "UTF-8",
            }
        );
    }

    #[test]
    fn charset_serde_names() {
        assert_eq!(
            serde_json::to_string(&Charset::EucKr).unwrap(),
            "\"euc-kr\""
        );
        assert_eq!(Charset::default(), Charset::EucKr);
        assert_eq!(Charset::Cp949.to_string(), "CP949");
    }
}
