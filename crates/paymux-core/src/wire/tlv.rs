//! Decimal-ASCII tag-length-value records, as in the body of a Galaxia BillGate telegram.
//!
//! With [`TlvSpec::BILLGATE`] one record is
//!
//! ```text
//! TAG(4, left-aligned, space-padded)  COUNT(4, zero-padded)  TOTLEN(4, zero-padded)
//!     { VLEN(4, zero-padded)  VALUE(VLEN bytes) } × COUNT
//! ```
//!
//! **What TOTLEN covers.** TOTLEN is the byte length of everything after it in the record:
//! the COUNT `{VLEN VALUE}` pairs, *including* each pair's VLEN digits, and *excluding* TAG,
//! COUNT and TOTLEN itself. Source: Galaxia's official `BillgatePay-PHP` sample as copied in
//! `leehyunjun-code/pg-connection`, `BillgatePay-PHP/billgateClass/Service.php`, class
//! `Message`: `getBody()` builds `$s` by appending `sprintf("%04s", BgStrLen($v)) . $v` for
//! every value of a tag, then writes `sprintf("%-4s", $tag) . sprintf("%04s", count($vt)) .
//! sprintf("%04s", BgStrLen($s)) . $s`; `parseData()` reads TAG, COUNT and that length, takes
//! exactly that many bytes, then reads COUNT `VLEN VALUE` pairs out of them.
//!
//! Lengths there are `mb_strwidth` widths, equal to byte counts for EUC-KR text (the only
//! charset BillGate uses on the wire); here every length is a byte count of already-encoded
//! values. The sample's parser also `trim()`s each value; [`decode_records`] returns the raw
//! bytes and leaves trimming to the caller.

use std::fmt;

use super::WireError;

/// Field widths of a decimal tag-length-value format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TlvSpec {
    /// Width of the tag (ASCII, left-aligned, space-padded).
    pub tag_width: usize,
    /// Width of the value count; `None` means exactly one value per tag and no count field.
    pub count_width: Option<usize>,
    /// Width of the per-tag total length (see the [module docs](self) for what it covers);
    /// `None` means there is no such field.
    pub total_len_width: Option<usize>,
    /// Width of each value's length.
    pub value_len_width: usize,
}

impl TlvSpec {
    /// Galaxia BillGate: `TAG(4) COUNT(4) TOTLEN(4) { VLEN(4) VALUE }*COUNT`.
    pub const BILLGATE: TlvSpec = TlvSpec {
        tag_width: 4,
        count_width: Some(4),
        total_len_width: Some(4),
        value_len_width: 4,
    };

    fn validate(&self) -> Result<(), WireError> {
        let zero = self.tag_width == 0
            || self.value_len_width == 0
            || self.count_width == Some(0)
            || self.total_len_width == Some(0);
        if zero {
            return Err(WireError::Malformed {
                what: "TLV spec".into(),
                detail: "field widths must be at least 1".into(),
            });
        }
        Ok(())
    }
}

/// Galaxia BillGate's record format (same as [`TlvSpec::BILLGATE`]).
pub const BILLGATE: TlvSpec = TlvSpec::BILLGATE;

/// One tag with one or more values (already encoded bytes, e.g. EUC-KR).
///
/// `Debug` shows the tag and value lengths only: values may be card numbers or passwords.
#[derive(Clone, PartialEq, Eq)]
pub struct TlvRecord {
    /// The tag, e.g. `"0012"` (ASCII).
    pub tag: String,
    /// The values, in order.
    pub values: Vec<Vec<u8>>,
}

impl TlvRecord {
    /// A record with several values.
    pub fn new(tag: impl Into<String>, values: Vec<Vec<u8>>) -> Self {
        Self {
            tag: tag.into(),
            values,
        }
    }

    /// A record with one value.
    pub fn single(tag: impl Into<String>, value: impl Into<Vec<u8>>) -> Self {
        Self::new(tag, vec![value.into()])
    }

    /// The first value, if any.
    pub fn first(&self) -> Option<&[u8]> {
        self.values.first().map(Vec::as_slice)
    }
}

impl fmt::Debug for TlvRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        struct Len(usize);
        impl fmt::Debug for Len {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "<{} bytes>", self.0)
            }
        }
        struct Lens<'a>(&'a [Vec<u8>]);
        impl fmt::Debug for Lens<'_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_list()
                    .entries(self.0.iter().map(|v| Len(v.len())))
                    .finish()
            }
        }
        f.debug_struct("TlvRecord")
            .field("tag", &self.tag)
            .field("values", &Lens(&self.values))
            .finish()
    }
}

/// Largest number that fits in `width` decimal digits.
fn max_for_width(width: usize) -> usize {
    u32::try_from(width)
        .ok()
        .and_then(|w| 10usize.checked_pow(w))
        .map_or(usize::MAX, |p| p - 1)
}

fn push_decimal(out: &mut Vec<u8>, n: usize, width: usize) {
    let digits = n.to_string();
    out.resize(out.len() + width.saturating_sub(digits.len()), b'0');
    out.extend_from_slice(digits.as_bytes());
}

/// Encodes records (values already encoded) into a body.
///
/// Errors: a tag that is not printable ASCII or is empty or wider than `tag_width`
/// ([`WireError::Malformed`]); a value, or a tag's total, longer than its length field can
/// express ([`WireError::TooLong`]); more values than the count field can express
/// ([`WireError::NumberTooWide`]); several values for a spec without a count field
/// ([`WireError::Malformed`]).
pub fn encode_records(spec: TlvSpec, records: &[TlvRecord]) -> Result<Vec<u8>, WireError> {
    spec.validate()?;
    let mut out = Vec::new();
    for (index, record) in records.iter().enumerate() {
        let tag = record.tag.as_str();
        if tag.is_empty()
            || tag.len() > spec.tag_width
            || !tag.bytes().all(|b| b.is_ascii_graphic())
        {
            return Err(WireError::Malformed {
                what: format!("TLV record #{index} tag"),
                detail: format!(
                    "a tag must be 1 to {} printable ASCII characters",
                    spec.tag_width
                ),
            });
        }
        out.extend_from_slice(tag.as_bytes());
        out.resize(out.len() + spec.tag_width - tag.len(), b' ');

        match spec.count_width {
            Some(w) => {
                if record.values.len() > max_for_width(w) {
                    return Err(WireError::NumberTooWide {
                        field: format!("TLV tag {tag} value count"),
                        width: w,
                    });
                }
                push_decimal(&mut out, record.values.len(), w);
            }
            None if record.values.len() != 1 => {
                return Err(WireError::Malformed {
                    what: format!("TLV tag {tag}"),
                    detail: format!(
                        "this format has no count field, so a tag needs exactly 1 value, not {}",
                        record.values.len()
                    ),
                });
            }
            None => {}
        }

        let mut pairs = Vec::new();
        let max_value = max_for_width(spec.value_len_width);
        for (i, value) in record.values.iter().enumerate() {
            if value.len() > max_value {
                return Err(WireError::TooLong {
                    field: format!("TLV tag {tag} value #{i}"),
                    max_bytes: max_value,
                    actual_bytes: value.len(),
                    charset: "encoded bytes",
                });
            }
            push_decimal(&mut pairs, value.len(), spec.value_len_width);
            pairs.extend_from_slice(value);
        }

        if let Some(w) = spec.total_len_width {
            let max_total = max_for_width(w);
            if pairs.len() > max_total {
                return Err(WireError::TooLong {
                    field: format!("TLV tag {tag} total length"),
                    max_bytes: max_total,
                    actual_bytes: pairs.len(),
                    charset: "encoded bytes",
                });
            }
            push_decimal(&mut out, pairs.len(), w);
        }
        out.extend_from_slice(&pairs);
    }
    Ok(out)
}

/// A cursor over a byte slice where running short is either `Truncated` (the end of the
/// input) or `Malformed` (the end of a tag's declared total length).
struct Cursor<'a> {
    bytes: &'a [u8],
    pos: usize,
    /// `Some(tag)` inside a tag's TOTLEN window: running short there is an inconsistency.
    window_of: Option<&'a str>,
}

impl<'a> Cursor<'a> {
    fn take(&mut self, n: usize, what: impl FnOnce() -> String) -> Result<&'a [u8], WireError> {
        let rest = self.bytes.get(self.pos..).unwrap_or_default();
        match rest.get(..n) {
            Some(taken) => {
                self.pos += n;
                Ok(taken)
            }
            None => Err(match self.window_of {
                None => WireError::Truncated {
                    what: what(),
                    needed: n,
                    got: rest.len(),
                },
                Some(tag) => WireError::Malformed {
                    what: what(),
                    detail: format!(
                        "needs {n} bytes but only {} remain within tag {tag}'s total length",
                        rest.len()
                    ),
                },
            }),
        }
    }

    fn decimal(&mut self, width: usize, what: impl Fn() -> String) -> Result<usize, WireError> {
        let digits = self.take(width, &what)?;
        if !digits.iter().all(u8::is_ascii_digit) {
            return Err(WireError::Malformed {
                what: what(),
                detail: format!("expected {width} ASCII digits"),
            });
        }
        digits
            .iter()
            .try_fold(0usize, |acc, &d| {
                acc.checked_mul(10)?.checked_add(usize::from(d - b'0'))
            })
            .ok_or_else(|| WireError::Malformed {
                what: what(),
                detail: "number too large".into(),
            })
    }
}

/// Decodes a body into records.
///
/// With `expected_count: Some(n)` (the telegram header's record count) exactly `n` records
/// are read and any bytes left over are [`WireError::Malformed`]; with `None` records are
/// read until the input ends.
///
/// Every length is checked against the bytes actually present before it is used: input that
/// ends early is [`WireError::Truncated`]; non-digit lengths, a TOTLEN that does not equal the
/// size of its values, and bad tags are [`WireError::Malformed`]. Never panics, whatever the
/// input, and never allocates from an unchecked length.
pub fn decode_records(
    spec: TlvSpec,
    bytes: &[u8],
    expected_count: Option<usize>,
) -> Result<Vec<TlvRecord>, WireError> {
    spec.validate()?;
    let mut cur = Cursor {
        bytes,
        pos: 0,
        window_of: None,
    };
    let mut records = Vec::new();
    loop {
        match expected_count {
            Some(n) if records.len() == n => break,
            None if cur.pos >= bytes.len() => break,
            _ => {}
        }
        let index = records.len();
        let raw_tag = cur.take(spec.tag_width, || format!("TLV record #{index} tag"))?;
        let tag_text = std::str::from_utf8(raw_tag)
            .ok()
            .map(|t| t.trim_end_matches(' '))
            .filter(|t| !t.is_empty() && t.bytes().all(|b| b.is_ascii_graphic()));
        let Some(tag) = tag_text else {
            return Err(WireError::Malformed {
                what: format!("TLV record #{index} tag"),
                detail: "not a printable ASCII tag".into(),
            });
        };

        let count = match spec.count_width {
            Some(w) => cur.decimal(w, || format!("TLV tag {tag} value count"))?,
            None => 1,
        };

        let mut values = Vec::new();
        match spec.total_len_width {
            Some(w) => {
                let total = cur.decimal(w, || format!("TLV tag {tag} total length"))?;
                let window = cur.take(total, || format!("TLV tag {tag} values"))?;
                let mut inner = Cursor {
                    bytes: window,
                    pos: 0,
                    window_of: Some(tag),
                };
                read_values(&mut inner, spec, tag, count, &mut values)?;
                if inner.pos != window.len() {
                    return Err(WireError::Malformed {
                        what: format!("TLV tag {tag} total length"),
                        detail: format!(
                            "declares {total} bytes but its {count} values take {}",
                            inner.pos
                        ),
                    });
                }
            }
            None => read_values(&mut cur, spec, tag, count, &mut values)?,
        }
        records.push(TlvRecord {
            tag: tag.to_owned(),
            values,
        });
    }
    if let Some(n) = expected_count {
        let left = bytes.len().saturating_sub(cur.pos);
        if left > 0 {
            return Err(WireError::Malformed {
                what: "TLV body".into(),
                detail: format!("{left} trailing bytes after {n} records"),
            });
        }
    }
    Ok(records)
}

fn read_values(
    cur: &mut Cursor<'_>,
    spec: TlvSpec,
    tag: &str,
    count: usize,
    values: &mut Vec<Vec<u8>>,
) -> Result<(), WireError> {
    for i in 0..count {
        let len = cur.decimal(spec.value_len_width, || {
            format!("TLV tag {tag} value #{i} length")
        })?;
        let value = cur.take(len, || format!("TLV tag {tag} value #{i}"))?;
        values.push(value.to_vec());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn sample() -> Vec<TlvRecord> {
        vec![
            TlvRecord::single("0012", b"1004".to_vec()),
            TlvRecord::new(
                "0004",
                vec![
                    vec![0xC1, 0xD6, 0xB9, 0xAE], // 주문 in EUC-KR
                    b"x".to_vec(),
                    Vec::new(),
                ],
            ),
            TlvRecord::single("1002", b"0000".to_vec()),
        ]
    }

    #[test]
    fn billgate_layout_matches_php_get_body() {
        let body = encode_records(TlvSpec::BILLGATE, &sample()[..1]).unwrap();
        // TAG "0012", COUNT 1, TOTLEN = VLEN(4) + 4 value bytes = 8, VLEN 4, VALUE.
        assert_eq!(body, b"00120001000800041004");
        let body =
            encode_records(TlvSpec::BILLGATE, &[TlvRecord::single("7", b"ab".to_vec())]).unwrap();
        assert_eq!(body, b"7   000100060002ab");
        let body = encode_records(TlvSpec::BILLGATE, &sample()[1..2]).unwrap();
        let mut expected = b"0004000300170004".to_vec();
        expected.extend_from_slice(&[0xC1, 0xD6, 0xB9, 0xAE]);
        expected.extend_from_slice(b"0001x0000");
        assert_eq!(body, expected);
    }

    #[test]
    fn round_trip_multi_value() {
        let records = sample();
        let body = encode_records(TlvSpec::BILLGATE, &records).unwrap();
        assert_eq!(
            decode_records(TlvSpec::BILLGATE, &body, Some(3)).unwrap(),
            records
        );
        assert_eq!(
            decode_records(TlvSpec::BILLGATE, &body, None).unwrap(),
            records
        );
        // Other widths: 2-digit tag, no count, no total length.
        let spec = TlvSpec {
            tag_width: 2,
            count_width: None,
            total_len_width: None,
            value_len_width: 3,
        };
        let recs = vec![
            TlvRecord::single("A1", b"hello".to_vec()),
            TlvRecord::single("B", Vec::new()),
        ];
        let body = encode_records(spec, &recs).unwrap();
        assert_eq!(body, b"A1005helloB 000");
        assert_eq!(decode_records(spec, &body, None).unwrap(), recs);
    }

    #[test]
    fn encode_errors() {
        let too_long = TlvRecord::single("0004", vec![b'a'; 10_000]);
        assert!(matches!(
            encode_records(TlvSpec::BILLGATE, &[too_long]),
            Err(WireError::TooLong {
                max_bytes: 9999,
                actual_bytes: 10_000,
                ..
            })
        ));
        // Each value fits, but the tag's total does not.
        let total = TlvRecord::new("0004", vec![vec![b'a'; 5000], vec![b'b'; 5000]]);
        assert!(matches!(
            encode_records(TlvSpec::BILLGATE, &[total]),
            Err(WireError::TooLong { ref field, max_bytes: 9999, actual_bytes: 10_008, .. })
                if field == "TLV tag 0004 total length"
        ));
        assert!(matches!(
            encode_records(
                TlvSpec::BILLGATE,
                &[TlvRecord::single("00012", b"1".to_vec())]
            ),
            Err(WireError::Malformed { .. })
        ));
        assert!(matches!(
            encode_records(TlvSpec::BILLGATE, &[TlvRecord::single("가", b"1".to_vec())]),
            Err(WireError::Malformed { .. })
        ));
        let spec = TlvSpec {
            count_width: Some(1),
            ..TlvSpec::BILLGATE
        };
        assert!(matches!(
            encode_records(spec, &[TlvRecord::new("0001", vec![Vec::new(); 10])]),
            Err(WireError::NumberTooWide { width: 1, .. })
        ));
    }

    #[test]
    fn truncated_input() {
        let body = encode_records(TlvSpec::BILLGATE, &sample()).unwrap();
        for cut in 0..body.len() {
            let err = decode_records(TlvSpec::BILLGATE, &body[..cut], Some(3)).unwrap_err();
            assert!(
                matches!(err, WireError::Truncated { .. }),
                "cut at {cut}: {err:?}"
            );
        }
        assert_eq!(
            decode_records(TlvSpec::BILLGATE, b"00120001", Some(1)).unwrap_err(),
            WireError::Truncated {
                what: "TLV tag 0012 total length".into(),
                needed: 4,
                got: 0
            }
        );
        assert_eq!(
            decode_records(TlvSpec::BILLGATE, b"0012000100080004100", Some(1)).unwrap_err(),
            WireError::Truncated {
                what: "TLV tag 0012 values".into(),
                needed: 8,
                got: 7
            }
        );
    }

    #[test]
    fn inconsistent_input() {
        // Non-digit length.
        assert!(matches!(
            decode_records(TlvSpec::BILLGATE, b"00120001000800x41004", Some(1)),
            Err(WireError::Malformed { ref what, .. }) if what == "TLV tag 0012 value #0 length"
        ));
        // TOTLEN larger than its values.
        assert!(matches!(
            decode_records(TlvSpec::BILLGATE, b"001200010009000410045", Some(1)),
            Err(WireError::Malformed { ref what, .. }) if what == "TLV tag 0012 total length"
        ));
        // A value overrunning TOTLEN.
        assert!(matches!(
            decode_records(TlvSpec::BILLGATE, b"00120001000700041004", Some(1)),
            Err(WireError::Malformed { .. })
        ));
        // Count overrunning TOTLEN.
        assert!(matches!(
            decode_records(TlvSpec::BILLGATE, b"001299990008000410045", None),
            Err(WireError::Malformed { .. })
        ));
        // Trailing bytes after the expected records.
        assert!(matches!(
            decode_records(TlvSpec::BILLGATE, b"0012000100080004100400", Some(1)),
            Err(WireError::Malformed { ref what, .. }) if what == "TLV body"
        ));
        // Bad tag.
        assert!(matches!(
            decode_records(TlvSpec::BILLGATE, b"    000100080004100", Some(1)),
            Err(WireError::Malformed { .. })
        ));
        // Huge expected count on a short body.
        assert!(matches!(
            decode_records(TlvSpec::BILLGATE, b"001200010008000410", Some(usize::MAX)),
            Err(WireError::Truncated { .. })
        ));
    }

    #[test]
    fn debug_hides_values() {
        let r = TlvRecord::single("0008", b"4111111111111111".to_vec());
        let dbg = format!("{r:?}");
        assert_eq!(dbg, "TlvRecord { tag: \"0008\", values: [<16 bytes>] }");
    }

    fn arb_records() -> impl Strategy<Value = Vec<TlvRecord>> {
        let record = (
            "[0-9A-Z]{1,4}",
            proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..20), 0..4),
        )
            .prop_map(|(tag, values)| TlvRecord::new(tag, values));
        proptest::collection::vec(record, 0..6)
    }

    proptest! {
        #[test]
        fn round_trip_any(records in arb_records()) {
            let body = encode_records(TlvSpec::BILLGATE, &records).unwrap();
            prop_assert_eq!(decode_records(TlvSpec::BILLGATE, &body, Some(records.len())).unwrap(), records.clone());
            prop_assert_eq!(decode_records(TlvSpec::BILLGATE, &body, None).unwrap(), records);
        }

        #[test]
        fn decode_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..128),
                               n in proptest::option::of(0usize..10)) {
            let _ = decode_records(TlvSpec::BILLGATE, &bytes, n);
        }

        #[test]
        fn decode_never_panics_on_near_valid(records in arb_records(),
                                             edits in proptest::collection::vec((any::<usize>(), any::<u8>()), 1..4)) {
            let mut body = encode_records(TlvSpec::BILLGATE, &records).unwrap();
            if !body.is_empty() {
                for (at, b) in edits {
                    let i = at % body.len();
                    body[i] = b;
                }
            }
            let _ = decode_records(TlvSpec::BILLGATE, &body, Some(records.len()));
            let _ = decode_records(TlvSpec::BILLGATE, &body, None);
        }
    }
}
