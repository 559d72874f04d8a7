//! Fixed-width fields measured in **bytes** of the vendor's charset, and a record
//! writer/reader that keeps a field-by-field layout for review and snapshots.
//!
//! Field kinds follow the COBOL-style notation Korean vendor specs use:
//!
//! - `X` ([`alpha`]): left-aligned, padded with spaces. A too-long value is cut at a
//!   character boundary (a Hangul syllable is never split); the gap is padded with spaces.
//!   [`alpha_strict`] rejects a too-long value instead.
//! - `9` ([`numeric`], [`numeric_str`]): right-aligned, zero-padded. A number that does not
//!   fit is an error ([`WireError::NumberTooWide`]), never truncated: it may be money.
//!
//! ```
//! use paymux_core::wire::{layout_table, Charset, RecordWriter};
//!
//! let mut w = RecordWriter::new(Charset::EucKr);
//! w.alpha("GoodName", "주문명", 8).numeric("Amount", 1004, 9);
//! let (bytes, spans) = w.finish().unwrap();
//! assert_eq!(bytes.len(), 17);
//! assert_eq!(&bytes[8..], b"000001004");
//! println!("{}", layout_table(&spans));
//! ```

use serde::Serialize;

use super::charset::{self, encode_fitted, Charset};
use super::WireError;

/// `X` field: `value` encoded in `cs`, left-aligned and space-padded to exactly `width` bytes.
///
/// A value longer than `width` is cut at the last character boundary that fits, so a
/// multi-byte character is never split (the gap is padded with a space). Every character
/// must be encodable, including those that are cut off ([`WireError::Unmappable`]).
pub fn alpha(field: &str, value: &str, width: usize, cs: Charset) -> Result<Vec<u8>, WireError> {
    let fitted = encode_fitted(field, value, Some(width), cs)?;
    let mut out = fitted.bytes;
    out.resize(width, b' ');
    Ok(out)
}

/// `X` field like [`alpha`], but a value longer than `width` is [`WireError::TooLong`].
pub fn alpha_strict(
    field: &str,
    value: &str,
    width: usize,
    cs: Charset,
) -> Result<Vec<u8>, WireError> {
    let mut out = Vec::with_capacity(width);
    alpha_strict_into(field, value, width, cs, &mut out)?;
    Ok(out)
}

/// `9` field: `value` in decimal, right-aligned and zero-padded to exactly `width` bytes.
///
/// A value needing more than `width` digits is [`WireError::NumberTooWide`].
pub fn numeric(field: &str, value: u64, width: usize) -> Result<Vec<u8>, WireError> {
    let mut out = Vec::with_capacity(width);
    numeric_into(field, value, width, &mut out)?;
    Ok(out)
}

/// `9` field from a digit string (for numbers that are identifiers, or wider than `u64`).
///
/// Only ASCII digits are accepted ([`WireError::NotNumeric`], also for an empty string).
/// Leading zeros beyond `width` are dropped; any other overflow is
/// [`WireError::NumberTooWide`].
pub fn numeric_str(field: &str, digits: &str, width: usize) -> Result<Vec<u8>, WireError> {
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(WireError::NotNumeric {
            field: field.to_owned(),
        });
    }
    let excess = digits.len().saturating_sub(width);
    let (dropped, kept) = digits.split_at(excess);
    if dropped.bytes().any(|b| b != b'0') {
        return Err(WireError::NumberTooWide {
            field: field.to_owned(),
            width,
        });
    }
    numeric_digits(field, kept, width)
}

fn numeric_digits(field: &str, digits: &str, width: usize) -> Result<Vec<u8>, WireError> {
    if digits.len() > width {
        return Err(WireError::NumberTooWide {
            field: field.to_owned(),
            width,
        });
    }
    let mut out = vec![b'0'; width - digits.len()];
    out.extend_from_slice(digits.as_bytes());
    Ok(out)
}

/// The longest prefix of `value` (at a character boundary) whose encoding in `cs` is at most
/// `max_bytes` bytes. Never splits a Hangul syllable: `("가나다", 5, EucKr)` gives `"가나"`.
///
/// Errors name the field `value`; use [`truncate_field_to_bytes`] to name it yourself.
pub fn truncate_to_bytes(value: &str, max_bytes: usize, cs: Charset) -> Result<String, WireError> {
    truncate_field_to_bytes("value", value, max_bytes, cs)
}

/// [`truncate_to_bytes`] with a field name for errors.
pub fn truncate_field_to_bytes(
    field: &str,
    value: &str,
    max_bytes: usize,
    cs: Charset,
) -> Result<String, WireError> {
    let fitted = encode_fitted(field, value, Some(max_bytes), cs)?;
    Ok(value[..fitted.str_end].to_owned())
}

/// Kind of a fixed-width field in a [`FieldSpan`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FieldKind {
    /// `X`: text, left-aligned, space-padded.
    Alpha,
    /// `9`: digits, right-aligned, zero-padded.
    Numeric,
    /// Bytes copied as they are.
    Raw,
}

impl FieldKind {
    /// Lower-case name (`alpha`, `numeric`, `raw`).
    pub const fn as_str(self) -> &'static str {
        match self {
            FieldKind::Alpha => "alpha",
            FieldKind::Numeric => "numeric",
            FieldKind::Raw => "raw",
        }
    }
}

/// One field of a fixed-width record: where it is and a human-readable (masked) view.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldSpan {
    /// Field name (the vendor's name, for reviewers).
    pub name: String,
    /// Byte offset from the start of the record.
    pub offset: usize,
    /// Width in bytes.
    pub width: usize,
    /// Field kind.
    pub kind: FieldKind,
    /// The value as written, without padding; secrets are masked with `*`.
    pub view: String,
}

fn mask(s: &str) -> String {
    "*".repeat(s.chars().count())
}

/// `raw` without its trailing spaces (0x20). Trimming the bytes before decoding gives the
/// same text, and the same success or failure, as trimming the decoded text: 0x20 is never
/// the second byte of a character in EUC-KR, CP949 or UTF-8. A blank field then decodes to
/// an empty string without allocating.
fn trim_end_spaces(raw: &[u8]) -> &[u8] {
    let kept = raw.iter().rposition(|&b| b != b' ').map_or(0, |i| i + 1);
    &raw[..kept]
}

fn raw_view(bytes: &[u8]) -> String {
    if bytes.iter().all(|b| (0x20..0x7F).contains(b)) {
        bytes.iter().map(|&b| char::from(b)).collect()
    } else {
        format!("hex:{}", hex::encode(bytes))
    }
}

/// Builds a fixed-width record field by field, recording a [`FieldSpan`] per field (unless
/// made with [`without_layout`](RecordWriter::without_layout)).
///
/// Methods chain on `&mut self`. The first error is kept (later fields are ignored) and
/// returned by [`finish`](RecordWriter::finish)(RecordWriter::finish), so call sites stay linear.
#[derive(Debug)]
pub struct RecordWriter {
    cs: Charset,
    bytes: Vec<u8>,
    spans: Vec<FieldSpan>,
    error: Option<WireError>,
    keep_layout: bool,
}

impl RecordWriter {
    /// A new, empty record whose text fields are encoded in `cs`.
    pub fn new(cs: Charset) -> Self {
        Self {
            cs,
            bytes: Vec::new(),
            spans: Vec::new(),
            error: None,
            keep_layout: true,
        }
    }

    /// A writer like [`new`](RecordWriter::new) that records no layout: [`finish`](RecordWriter::finish)
    /// (RecordWriter::finish) gives the same bytes and no spans. For when only the bytes are
    /// needed: a name and a view per field cost more than writing the field.
    pub fn without_layout(cs: Charset) -> Self {
        Self {
            keep_layout: false,
            ..Self::new(cs)
        }
    }

    /// The charset text fields are encoded in.
    pub fn charset(&self) -> Charset {
        self.cs
    }

    /// Bytes written so far (the offset of the next field).
    pub fn len(&self) -> usize {
        self.bytes.len()
    }

    /// `true` if nothing has been written yet.
    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    /// Appends one field: `write` appends its bytes straight to the record (taken back on
    /// error); `view` gets what `write` returned and the field's bytes, and runs only when
    /// the layout is kept.
    fn put<T>(
        &mut self,
        name: &str,
        kind: FieldKind,
        write: impl FnOnce(&mut Vec<u8>, Charset) -> Result<T, WireError>,
        view: impl FnOnce(T, &[u8]) -> String,
    ) -> &mut Self {
        if self.error.is_some() {
            return self;
        }
        let offset = self.bytes.len();
        match write(&mut self.bytes, self.cs) {
            Ok(t) => {
                if self.keep_layout {
                    let view = view(t, &self.bytes[offset..]);
                    self.spans.push(FieldSpan {
                        name: name.to_owned(),
                        offset,
                        width: self.bytes.len() - offset,
                        kind,
                        view,
                    });
                }
            }
            Err(e) => {
                self.bytes.truncate(offset);
                self.error = Some(e);
            }
        }
        self
    }

    /// `X` field, cut at a character boundary if too long (see [`alpha`]).
    pub fn alpha(&mut self, name: &str, value: &str, width: usize) -> &mut Self {
        self.put(
            name,
            FieldKind::Alpha,
            |out, cs| {
                let start = out.len();
                let (str_end, _) = charset::encode_fitted_into(name, value, Some(width), cs, out)?;
                out.resize(start + width, b' ');
                Ok(str_end)
            },
            |str_end, _| value[..str_end].to_owned(),
        )
    }

    /// `X` field; a too-long value is [`WireError::TooLong`] (see [`alpha_strict`]).
    pub fn alpha_strict(&mut self, name: &str, value: &str, width: usize) -> &mut Self {
        self.put(
            name,
            FieldKind::Alpha,
            |out, cs| alpha_strict_into(name, value, width, cs, out),
            |(), _| value.to_owned(),
        )
    }

    /// `X` field holding a secret (card number, password, birth date): the bytes are real,
    /// the recorded view is `*` per character.
    ///
    /// Unlike [`alpha`](RecordWriter::alpha), a too-long secret is [`WireError::TooLong`]:
    /// a cut card number or password is never what the vendor wants.
    pub fn alpha_secret(&mut self, name: &str, value: &str, width: usize) -> &mut Self {
        self.put(
            name,
            FieldKind::Alpha,
            |out, cs| alpha_strict_into(name, value, width, cs, out),
            |(), _| mask(value),
        )
    }

    /// `9` field (see [`numeric`]).
    pub fn numeric(&mut self, name: &str, value: u64, width: usize) -> &mut Self {
        self.put(
            name,
            FieldKind::Numeric,
            |out, _| numeric_into(name, value, width, out),
            |(), b| raw_view(b),
        )
    }

    /// `9` field from a digit string (see [`numeric_str`]).
    pub fn numeric_str(&mut self, name: &str, digits: &str, width: usize) -> &mut Self {
        self.put(
            name,
            FieldKind::Numeric,
            |out, _| {
                out.extend_from_slice(&numeric_str(name, digits, width)?);
                Ok(())
            },
            |(), b| raw_view(b),
        )
    }

    /// Bytes copied as they are (already encoded, e.g. a nested block). The view is the text
    /// if all bytes are printable ASCII, else `hex:` and the bytes in hex.
    pub fn raw(&mut self, name: &str, bytes: &[u8]) -> &mut Self {
        self.raw_viewed(name, bytes, raw_view)
    }

    /// Raw bytes holding a secret: the view is `*` per byte.
    pub fn raw_secret(&mut self, name: &str, bytes: &[u8]) -> &mut Self {
        self.raw_viewed(name, bytes, |b| "*".repeat(b.len()))
    }

    fn raw_viewed(&mut self, name: &str, bytes: &[u8], view: fn(&[u8]) -> String) -> &mut Self {
        self.put(
            name,
            FieldKind::Raw,
            |out, _| {
                out.extend_from_slice(bytes);
                Ok(())
            },
            |(), b| view(b),
        )
    }

    /// The record's bytes and layout, or the first error met while building it.
    pub fn finish(self) -> Result<(Vec<u8>, Vec<FieldSpan>), WireError> {
        match self.error {
            Some(e) => Err(e),
            None => Ok((self.bytes, self.spans)),
        }
    }
}

/// [`alpha_strict`] appending to `out` (a record being written). On error `out` may hold part
/// of the value: the caller truncates it.
fn alpha_strict_into(
    field: &str,
    value: &str,
    width: usize,
    cs: Charset,
    out: &mut Vec<u8>,
) -> Result<(), WireError> {
    let start = out.len();
    charset::encode_fitted_into(field, value, None, cs, out)?;
    let actual = out.len() - start;
    if actual > width {
        return Err(WireError::TooLong {
            field: field.to_owned(),
            max_bytes: width,
            actual_bytes: actual,
            charset: cs.label(),
        });
    }
    out.resize(start + width, b' ');
    Ok(())
}

/// [`numeric`] appending to `out`, without an intermediate string.
fn numeric_into(field: &str, value: u64, width: usize, out: &mut Vec<u8>) -> Result<(), WireError> {
    // u64::MAX has 20 digits.
    let mut digits = [0u8; 20];
    let mut n = value;
    let mut i = digits.len();
    loop {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    let digits = &digits[i..];
    if digits.len() > width {
        return Err(WireError::NumberTooWide {
            field: field.to_owned(),
            width,
        });
    }
    out.resize(out.len() + width - digits.len(), b'0');
    out.extend_from_slice(digits);
    Ok(())
}

/// Reads a fixed-width record field by field, recording a [`FieldSpan`] per field read
/// (unless made with [`without_layout`](RecordReader::without_layout)).
///
/// Every read checks the remaining length first ([`WireError::Truncated`]), so arbitrary
/// input never panics.
#[derive(Debug)]
pub struct RecordReader<'a> {
    bytes: &'a [u8],
    pos: usize,
    cs: Charset,
    spans: Vec<FieldSpan>,
    keep_layout: bool,
}

impl<'a> RecordReader<'a> {
    /// A reader over `bytes` whose text fields are in `cs`.
    pub fn new(bytes: &'a [u8], cs: Charset) -> Self {
        Self {
            bytes,
            pos: 0,
            cs,
            spans: Vec::new(),
            keep_layout: true,
        }
    }

    /// A reader like [`new`](RecordReader::new) that records no layout
    /// ([`spans`](RecordReader::spans) stays empty). For parsing only: building a name and a
    /// view per field costs more than reading the field.
    pub fn without_layout(bytes: &'a [u8], cs: Charset) -> Self {
        Self {
            keep_layout: false,
            ..Self::new(bytes, cs)
        }
    }

    fn take(&mut self, name: &str, width: usize) -> Result<&'a [u8], WireError> {
        let bytes: &'a [u8] = self.bytes;
        let rest = bytes.get(self.pos..).unwrap_or_default();
        let Some(field) = rest.get(..width) else {
            return Err(WireError::Truncated {
                what: name.to_owned(),
                needed: width,
                got: rest.len(),
            });
        };
        self.pos += width;
        Ok(field)
    }

    /// `view` is only called when the layout is kept.
    fn record(&mut self, name: &str, kind: FieldKind, width: usize, view: impl FnOnce() -> String) {
        if !self.keep_layout {
            return;
        }
        self.spans.push(FieldSpan {
            name: name.to_owned(),
            offset: self.pos - width,
            width,
            kind,
            view: view(),
        });
    }

    /// `X` field: decoded strictly in the reader's charset, trailing spaces removed.
    pub fn alpha(&mut self, name: &str, width: usize) -> Result<String, WireError> {
        let raw = self.take(name, width)?;
        let text = charset::decode(name, trim_end_spaces(raw), self.cs)?;
        self.record(name, FieldKind::Alpha, width, || text.clone());
        Ok(text)
    }

    /// `X` field holding a secret: like [`alpha`](RecordReader::alpha), view masked.
    pub fn alpha_secret(&mut self, name: &str, width: usize) -> Result<String, WireError> {
        let raw = self.take(name, width)?;
        let text = charset::decode(name, trim_end_spaces(raw), self.cs)?;
        self.record(name, FieldKind::Alpha, width, || mask(&text));
        Ok(text)
    }

    /// `9` field: all bytes must be ASCII digits ([`WireError::NotNumeric`]); a value that
    /// does not fit `u64` is [`WireError::NumberTooWide`].
    pub fn numeric(&mut self, name: &str, width: usize) -> Result<u64, WireError> {
        let raw = self.take(name, width)?;
        if raw.is_empty() || !raw.iter().all(u8::is_ascii_digit) {
            return Err(WireError::NotNumeric {
                field: name.to_owned(),
            });
        }
        let value = raw.iter().try_fold(0u64, |acc, &d| {
            acc.checked_mul(10)?.checked_add(u64::from(d - b'0'))
        });
        let value = value.ok_or_else(|| WireError::NumberTooWide {
            field: name.to_owned(),
            width,
        })?;
        self.record(name, FieldKind::Numeric, width, || raw_view(raw));
        Ok(value)
    }

    /// `width` bytes as they are.
    pub fn raw(&mut self, name: &str, width: usize) -> Result<&'a [u8], WireError> {
        let raw = self.take(name, width)?;
        self.record(name, FieldKind::Raw, width, || raw_view(raw));
        Ok(raw)
    }

    /// Skips `width` bytes (a filler), recording it as raw.
    pub fn skip(&mut self, name: &str, width: usize) -> Result<(), WireError> {
        self.raw(name, width).map(|_| ())
    }

    /// Bytes not read yet.
    pub fn remaining(&self) -> usize {
        self.bytes.len().saturating_sub(self.pos)
    }

    /// The unread bytes.
    pub fn rest(&self) -> &'a [u8] {
        let bytes: &'a [u8] = self.bytes;
        bytes.get(self.pos..).unwrap_or_default()
    }

    /// Offset of the next field.
    pub fn offset(&self) -> usize {
        self.pos
    }

    /// Fails with [`WireError::Malformed`] if unread bytes remain.
    pub fn expect_end(&self, what: &str) -> Result<(), WireError> {
        match self.remaining() {
            0 => Ok(()),
            n => Err(WireError::Malformed {
                what: what.to_owned(),
                detail: format!("{n} unexpected trailing bytes at offset {}", self.pos),
            }),
        }
    }

    /// The layout of the fields read so far.
    pub fn spans(&self) -> &[FieldSpan] {
        &self.spans
    }

    /// Consumes the reader, returning the layout of the fields read.
    pub fn into_spans(self) -> Vec<FieldSpan> {
        self.spans
    }
}

/// Renders spans as a fixed text table (`offset  width  kind  name  value`) for snapshots
/// and reviews. Values are shown quoted and escaped, so padding and control bytes are
/// visible; secret fields show only `*`.
pub fn layout_table(spans: &[FieldSpan]) -> String {
    let headers = ["offset", "width", "kind", "name", "value"];
    let rows: Vec<[String; 5]> = spans
        .iter()
        .map(|s| {
            [
                s.offset.to_string(),
                s.width.to_string(),
                s.kind.as_str().to_owned(),
                s.name.clone(),
                format!("{:?}", s.view),
            ]
        })
        .collect();
    let mut widths = headers.map(str::len);
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    let mut line = |cells: [&str; 5]| {
        let mut l = String::new();
        for (i, cell) in cells.iter().enumerate() {
            if i + 1 == cells.len() {
                l.push_str(cell);
            } else if i < 2 {
                // offset and width: right-aligned numbers.
                l.push_str(&format!("{cell:>w$}  ", w = widths[i]));
            } else {
                l.push_str(&format!("{cell:<w$}  ", w = widths[i]));
            }
        }
        out.push_str(l.trim_end());
        out.push('\n');
    };
    line(headers);
    for row in &rows {
        line([&row[0], &row[1], &row[2], &row[3], &row[4]]);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const EUC: Charset = Charset::EucKr;

    fn euc(s: &str) -> Vec<u8> {
        charset::encode("t", s, EUC).unwrap()
    }

    #[test]
    fn alpha_pads_and_truncates_at_char_boundary() {
        assert_eq!(alpha("f", "AB", 5, EUC).unwrap(), b"AB   ");
        let mut expected = euc("가나");
        expected.push(b' ');
        assert_eq!(alpha("f", "가나다", 5, EUC).unwrap(), expected);
        assert_eq!(alpha("f", "가나다", 5, EUC).unwrap().len(), 5);
        assert_eq!(alpha("f", "", 3, EUC).unwrap(), b"   ");
        // UTF-8: 3 bytes per syllable.
        assert_eq!(
            alpha("f", "가나", 5, Charset::Utf8).unwrap(),
            b"\xEA\xB0\x80  "
        );
        // Unmappable past the cut point is still an error.
        assert!(matches!(
            alpha("f", "가나다똠", 4, EUC),
            Err(WireError::Unmappable { position: 3, .. })
        ));
    }

    #[test]
    fn alpha_strict_rejects() {
        assert_eq!(
            alpha_strict("goodName", "가나다", 5, EUC).unwrap_err(),
            WireError::TooLong {
                field: "goodName".into(),
                max_bytes: 5,
                actual_bytes: 6,
                charset: "EUC-KR (KS X 1001)",
            }
        );
        assert_eq!(alpha_strict("f", "가나", 5, EUC).unwrap(), {
            let mut v = euc("가나");
            v.push(b' ');
            v
        });
    }

    #[test]
    fn numeric_pads_and_never_truncates() {
        assert_eq!(numeric("f", 42, 5).unwrap(), b"00042");
        assert_eq!(numeric("f", 0, 3).unwrap(), b"000");
        assert_eq!(numeric("f", 99999, 5).unwrap(), b"99999");
        assert_eq!(
            numeric("amount", 123_456, 5).unwrap_err(),
            WireError::NumberTooWide {
                field: "amount".into(),
                width: 5
            }
        );
        assert_eq!(numeric("f", u64::MAX, 20).unwrap(), b"18446744073709551615");
        assert!(numeric("f", 0, 0).is_err());
    }

    #[test]
    fn numeric_str_rules() {
        assert_eq!(numeric_str("f", "42", 5).unwrap(), b"00042");
        assert_eq!(numeric_str("f", "00042", 3).unwrap(), b"042");
        assert!(matches!(
            numeric_str("f", "10042", 3),
            Err(WireError::NumberTooWide { width: 3, .. })
        ));
        for bad in ["", "4 2", "-1", "１２", "0x1"] {
            assert_eq!(
                numeric_str("cardQuota", bad, 5).unwrap_err(),
                WireError::NotNumeric {
                    field: "cardQuota".into()
                }
            );
        }
    }

    #[test]
    fn truncation_examples() {
        assert_eq!(truncate_to_bytes("가나다", 5, EUC).unwrap(), "가나");
        assert_eq!(truncate_to_bytes("가나다", 6, EUC).unwrap(), "가나다");
        assert_eq!(truncate_to_bytes("가나다", 1, EUC).unwrap(), "");
        assert_eq!(truncate_to_bytes("a가나다", 5, EUC).unwrap(), "a가나");
        assert_eq!(truncate_to_bytes("가나다", 5, Charset::Utf8).unwrap(), "가");
        assert!(matches!(
            truncate_field_to_bytes("goodName", "가똠", 2, EUC),
            Err(WireError::Unmappable { ref field, .. }) if field == "goodName"
        ));
    }

    fn ks_text() -> impl Strategy<Value = String> {
        // ASCII and syllables from the KS X 1001 repertoire.
        let chars: Vec<char> = "aZ09 -_가나다라마바사아자차카타파하한글주문명테스트결제취소"
            .chars()
            .collect();
        proptest::collection::vec(proptest::sample::select(chars), 0..24)
            .prop_map(|v| v.into_iter().collect())
    }

    fn any_hangul_text() -> impl Strategy<Value = String> {
        proptest::collection::vec(
            prop_oneof![
                (0x20u32..0x7F).prop_map(|c| char::from_u32(c).unwrap_or(' ')),
                (0xAC00u32..=0xD7A3).prop_map(|c| char::from_u32(c).unwrap_or('가')),
            ],
            0..24,
        )
        .prop_map(|v| v.into_iter().collect())
    }

    fn check_truncation(s: &str, max: usize, cs: Charset) -> Result<(), TestCaseError> {
        let out = truncate_to_bytes(s, max, cs).unwrap();
        prop_assert!(s.starts_with(&out));
        prop_assert!(s.is_char_boundary(out.len()));
        let len = charset::byte_len("t", &out, cs).unwrap();
        prop_assert!(len <= max);
        if let Some(next) = s[out.len()..].chars().next() {
            let mut longer = out.clone();
            longer.push(next);
            prop_assert!(charset::byte_len("t", &longer, cs).unwrap() > max);
        } else {
            prop_assert_eq!(&out, s);
        }
        // `alpha` writes exactly those bytes plus spaces.
        let field = alpha("t", s, max, cs).unwrap();
        prop_assert_eq!(field.len(), max);
        prop_assert_eq!(&field[..len], &charset::encode("t", &out, cs).unwrap()[..]);
        prop_assert!(field[len..].iter().all(|&b| b == b' '));
        Ok(())
    }

    proptest! {
        #[test]
        fn truncation_never_splits_euc_kr(s in ks_text(), max in 0usize..40) {
            check_truncation(&s, max, EUC)?;
        }

        #[test]
        fn truncation_never_splits_cp949_utf8(s in any_hangul_text(), max in 0usize..60) {
            check_truncation(&s, max, Charset::Cp949)?;
            check_truncation(&s, max, Charset::Utf8)?;
        }
    }

    #[test]
    fn writer_records_layout_and_masks_secrets() {
        let mut w = RecordWriter::new(EUC);
        w.alpha("EncType", "2", 1)
            .alpha("GoodName", "주문명 테스트", 10)
            .alpha_secret("TrackII", "4111111111111111=2612", 40)
            .numeric("Installment", 0, 2)
            .numeric("Amount", 1004, 9)
            .raw("Filler", b"  ");
        assert_eq!(w.len(), 64);
        let (bytes, spans) = w.finish().unwrap();
        assert_eq!(bytes.len(), 64);
        assert_eq!(
            &bytes[1..11],
            &{
                let mut v = euc("주문명 테");
                v.push(b' ');
                v
            }[..]
        );
        assert_eq!(&bytes[11..32], b"4111111111111111=2612");
        assert_eq!(&bytes[53..62], b"000001004");
        let table = layout_table(&spans);
        assert!(!table.contains("4111"), "{table}");
        assert_eq!(
            table,
            "offset  width  kind     name         value\n\
             \x20    0      1  alpha    EncType      \"2\"\n\
             \x20    1     10  alpha    GoodName     \"주문명 테\"\n\
             \x20   11     40  alpha    TrackII      \"*********************\"\n\
             \x20   51      2  numeric  Installment  \"00\"\n\
             \x20   53      9  numeric  Amount       \"000001004\"\n\
             \x20   62      2  raw      Filler       \"  \"\n"
        );
        assert_eq!(
            serde_json::to_value(&spans[3]).unwrap(),
            serde_json::json!({"name": "Installment", "offset": 51, "width": 2,
                               "kind": "numeric", "view": "00"})
        );
    }

    #[test]
    fn writer_keeps_first_error() {
        let mut w = RecordWriter::new(EUC);
        w.alpha("A", "ok", 2)
            .numeric("Amount", 1_000_000_000, 9)
            .alpha("GoodName", "똠", 4);
        assert_eq!(
            w.finish().unwrap_err(),
            WireError::NumberTooWide {
                field: "Amount".into(),
                width: 9
            }
        );
        let mut w = RecordWriter::new(EUC);
        w.alpha_secret("Passwd", "123", 2);
        assert!(matches!(w.finish(), Err(WireError::TooLong { .. })));
    }

    #[test]
    fn reader_round_trip() {
        let mut w = RecordWriter::new(EUC);
        w.alpha("Status", "O", 1)
            .alpha("Message1", "정상승인", 16)
            .numeric("Amount", 1004, 9)
            .alpha_secret("CardNo", "411111******1111", 16)
            .raw("Tail", b"XY");
        let (bytes, written) = w.finish().unwrap();
        let mut r = RecordReader::new(&bytes, EUC);
        assert_eq!(r.alpha("Status", 1).unwrap(), "O");
        assert_eq!(r.alpha("Message1", 16).unwrap(), "정상승인");
        assert_eq!(r.numeric("Amount", 9).unwrap(), 1004);
        assert_eq!(r.alpha_secret("CardNo", 16).unwrap(), "411111******1111");
        assert_eq!(r.remaining(), 2);
        assert_eq!(r.raw("Tail", 2).unwrap(), b"XY");
        r.expect_end("card response").unwrap();
        assert_eq!(r.spans(), &written[..]);

        let mut r = RecordReader::without_layout(&bytes, EUC);
        assert_eq!(r.alpha("Status", 1).unwrap(), "O");
        assert_eq!(r.alpha("Message1", 16).unwrap(), "정상승인");
        assert_eq!(r.numeric("Amount", 9).unwrap(), 1004);
        assert_eq!(r.alpha_secret("CardNo", 16).unwrap(), "411111******1111");
        assert_eq!(r.raw("Tail", 2).unwrap(), b"XY");
        r.expect_end("card response").unwrap();
        assert!(r.spans().is_empty());
    }

    #[test]
    fn reader_errors() {
        let mut r = RecordReader::new(b"12a4   ", EUC);
        assert_eq!(
            r.numeric("Amount", 4).unwrap_err(),
            WireError::NotNumeric {
                field: "Amount".into()
            }
        );
        let mut r = RecordReader::new(b"0123", EUC);
        assert_eq!(
            r.alpha("Message1", 16).unwrap_err(),
            WireError::Truncated {
                what: "Message1".into(),
                needed: 16,
                got: 4
            }
        );
        assert_eq!(r.remaining(), 4);
        assert_eq!(r.numeric("N", 2).unwrap(), 1);
        assert!(matches!(
            r.raw("R", 3),
            Err(WireError::Truncated {
                needed: 3,
                got: 2,
                ..
            })
        ));
        assert!(r.expect_end("rec").is_err());
        let mut r = RecordReader::new(b"99999999999999999999", EUC);
        assert!(matches!(
            r.numeric("Big", 20),
            Err(WireError::NumberTooWide { width: 20, .. })
        ));
        let mut r = RecordReader::new(&[0x81, 0x41], EUC);
        assert!(matches!(
            r.alpha("Name", 2),
            Err(WireError::Undecodable { .. })
        ));
    }

    proptest! {
        #[test]
        fn reader_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..64),
                               widths in proptest::collection::vec(0usize..20, 0..8)) {
            let mut r = RecordReader::new(&bytes, EUC);
            for (i, w) in widths.iter().enumerate() {
                let _ = match i % 3 {
                    0 => r.alpha("a", *w).map(|_| ()),
                    1 => r.numeric("n", *w).map(|_| ()),
                    _ => r.raw("r", *w).map(|_| ()),
                };
            }
            prop_assert!(r.offset() <= bytes.len());
        }
    }
}
