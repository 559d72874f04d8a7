//! `application/x-www-form-urlencoded` bodies whose values are percent-encoded from bytes in
//! a vendor charset (EUC-KR for most Korean PGs), as Java's `URLEncoder.encode(s, "EUC-KR")`
//! and PHP's `urlencode(iconv(..., "EUC-KR", ...))` produce them.
//!
//! Kept as is: `A-Z a-z 0-9 - . _ *`. Space becomes `+`. Every other byte becomes `%XX` with
//! upper-case hex digits.

use super::charset::{self, Charset};
use super::WireError;

fn is_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'*')
}

fn push_escaped(out: &mut Vec<u8>, bytes: &[u8]) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for &b in bytes {
        if is_unreserved(b) {
            out.push(b);
        } else if b == b' ' {
            out.push(b'+');
        } else {
            out.extend_from_slice(&[b'%', HEX[usize::from(b >> 4)], HEX[usize::from(b & 0x0F)]]);
        }
    }
}

/// Encodes `pairs` as a form body. Keys and values are first encoded in `cs` (errors name
/// the pair's key), then percent-encoded byte by byte. The result is ASCII.
///
/// ```
/// use paymux_core::wire::{form_urlencode, Charset};
/// let body = form_urlencode(&[("goodName", "가 A&")], Charset::EucKr).unwrap();
/// assert_eq!(body, b"goodName=%B0%A1+A%26");
/// ```
pub fn form_urlencode(pairs: &[(&str, &str)], cs: Charset) -> Result<Vec<u8>, WireError> {
    let mut out = Vec::new();
    for (i, (key, value)) in pairs.iter().enumerate() {
        if i > 0 {
            out.push(b'&');
        }
        push_escaped(&mut out, &charset::encode(key, key, cs)?);
        out.push(b'=');
        push_escaped(&mut out, &charset::encode(key, value, cs)?);
    }
    Ok(out)
}

fn hex_val(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Un-escapes one key or value; `start` is its offset in the body, for error messages.
fn unescape(part: &[u8], start: usize) -> Result<Vec<u8>, WireError> {
    let mut out = Vec::with_capacity(part.len());
    let mut i = 0;
    while i < part.len() {
        match part[i] {
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b'%' => {
                let hi = part.get(i + 1).copied().and_then(hex_val);
                let lo = part.get(i + 2).copied().and_then(hex_val);
                let (Some(hi), Some(lo)) = (hi, lo) else {
                    return Err(WireError::Malformed {
                        what: "form body".into(),
                        detail: format!("invalid percent escape at byte {}", start + i),
                    });
                };
                out.push(hi << 4 | lo);
                i += 3;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    Ok(out)
}

/// Decodes a form body: splits on `&` (empty segments are skipped) and the first `=`
/// (a segment without `=` has an empty value), un-escapes `+` and `%XX`, and decodes the
/// bytes strictly in `cs`.
///
/// A bad `%` escape is [`WireError::Malformed`]; bytes that are not valid `cs` are
/// [`WireError::Undecodable`] naming the key (or the pair's index when the key itself is bad).
pub fn form_urldecode(body: &[u8], cs: Charset) -> Result<Vec<(String, String)>, WireError> {
    let mut pairs = Vec::new();
    let mut offset = 0;
    for (index, segment) in body.split(|&b| b == b'&').enumerate() {
        let start = offset;
        offset += segment.len() + 1;
        if segment.is_empty() {
            continue;
        }
        let (raw_key, raw_value, value_start) = match segment.iter().position(|&b| b == b'=') {
            Some(eq) => (&segment[..eq], &segment[eq + 1..], start + eq + 1),
            None => (segment, &segment[segment.len()..], start + segment.len()),
        };
        let key_bytes = unescape(raw_key, start)?;
        let key = charset::decode(&format!("form field #{index} name"), &key_bytes, cs)?;
        let value = charset::decode(&key, &unescape(raw_value, value_start)?, cs)?;
        pairs.push((key, value));
    }
    Ok(pairs)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn euc_kr_example() {
        assert_eq!(
            form_urlencode(&[("goodName", "가 A&")], Charset::EucKr).unwrap(),
            b"goodName=%B0%A1+A%26"
        );
        let body = form_urlencode(
            &[
                ("mid", "M2103139"),
                ("goodName", "가 A&"),
                ("x", "a=b+c%*~"),
            ],
            Charset::EucKr,
        )
        .unwrap();
        assert_eq!(
            body,
            b"mid=M2103139&goodName=%B0%A1+A%26&x=a%3Db%2Bc%25*%7E".as_slice()
        );
        assert_eq!(
            form_urldecode(&body, Charset::EucKr).unwrap(),
            vec![
                ("mid".to_owned(), "M2103139".to_owned()),
                ("goodName".to_owned(), "가 A&".to_owned()),
                ("x".to_owned(), "a=b+c%*~".to_owned()),
            ]
        );
        // UTF-8 bytes differ.
        assert_eq!(
            form_urlencode(&[("n", "가")], Charset::Utf8).unwrap(),
            b"n=%EA%B0%80"
        );
    }

    #[test]
    fn unmappable_names_the_key() {
        let err = form_urlencode(&[("ok", "a"), ("goodName", "똠")], Charset::EucKr).unwrap_err();
        assert!(matches!(err, WireError::Unmappable { ref field, .. } if field == "goodName"));
    }

    #[test]
    fn decode_edge_cases() {
        assert_eq!(
            form_urldecode(b"a=1&&b&c=", Charset::EucKr).unwrap(),
            vec![
                ("a".to_owned(), "1".to_owned()),
                ("b".to_owned(), String::new()),
                ("c".to_owned(), String::new()),
            ]
        );
        assert_eq!(form_urldecode(b"", Charset::EucKr).unwrap(), vec![]);
        assert_eq!(
            form_urldecode(b"a=1&b=%G1", Charset::EucKr).unwrap_err(),
            WireError::Malformed {
                what: "form body".into(),
                detail: "invalid percent escape at byte 6".into()
            }
        );
        assert!(matches!(
            form_urldecode(b"a=%B", Charset::EucKr),
            Err(WireError::Malformed { .. })
        ));
        assert!(matches!(
            form_urldecode(b"msg=%81%41", Charset::EucKr),
            Err(WireError::Undecodable { ref field, .. }) if field == "msg"
        ));
        assert_eq!(
            form_urldecode(b"msg=%81%41", Charset::Cp949).unwrap(),
            vec![("msg".to_owned(), "갂".to_owned())]
        );
        // Lower-case hex is accepted on input.
        assert_eq!(
            form_urldecode(b"n=%b0%a1", Charset::EucKr).unwrap(),
            vec![("n".to_owned(), "가".to_owned())]
        );
    }

    proptest! {
        #[test]
        fn round_trip(values in proptest::collection::vec("[ -~가-힣]{0,12}", 0..6)) {
            let keys: Vec<String> = (0..values.len()).map(|i| format!("k{i}")).collect();
            let pairs: Vec<(&str, &str)> =
                keys.iter().map(String::as_str).zip(values.iter().map(String::as_str)).collect();
            let body = form_urlencode(&pairs, Charset::Cp949).unwrap();
            prop_assert!(body.is_ascii());
            let back = form_urldecode(&body, Charset::Cp949).unwrap();
            let expected: Vec<(String, String)> =
                pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
            prop_assert_eq!(back, expected);
        }

        #[test]
        fn decode_never_panics(body in proptest::collection::vec(any::<u8>(), 0..64)) {
            let _ = form_urldecode(&body, Charset::EucKr);
            let _ = form_urldecode(&body, Charset::Utf8);
        }
    }
}
