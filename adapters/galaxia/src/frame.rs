//! The BillGate telegram and its exact bytes (`Service.php`, class `Message`,
//! `getData` / `setData`):
//!
//! ```text
//! LEN(4, zero-padded: bytes after it)
//! clear:  VERSION(10, left, space-padded)  MID(20, left)  SERVICE_CODE(4)
//! cipher: base64( SEED-CBC/PKCS#7( COMMAND(4) ORDER_ID(64, left) ORDER_DATE(14)
//!                                  NUM_RECORDS(4, zero-padded) BODY ) )
//! BODY:   per tag TAG(4) COUNT(4) TOTLEN(4) { VLEN(4) VALUE }×COUNT
//! ```
//!
//! Text is EUC-KR (strict KS X 1001). Key = base64-decoded channel `key`, IV = the 16 ASCII
//! bytes of the channel `iv`. A [`Telegram`] is the decrypted, parsed form; its `Debug` and
//! [`Telegram::view`] mask card data.

use std::fmt;

use chrono::{DateTime, FixedOffset};

use paymux_core::wire::{
    charset, codec, crypto, fixed, tlv, Charset, TlvRecord, TlvSpec, WireError,
};
use serde_json::{json, Value};

use crate::protocol::{tag, Masking, VERSION};

/// Widths of the header fields (`Message` constants).
const LEN_WIDTH: usize = 4;
const VERSION_WIDTH: usize = 10;
const MID_WIDTH: usize = 20;
const SERVICE_WIDTH: usize = 4;
const CLEAR_WIDTH: usize = VERSION_WIDTH + MID_WIDTH + SERVICE_WIDTH;
const COMMAND_WIDTH: usize = 4;
/// Width of ORDER_ID: the unified `paymentId` must fit it.
pub const ORDER_ID_WIDTH: usize = 64;
const ORDER_DATE_WIDTH: usize = 14;
const COUNT_WIDTH: usize = 4;
const OPAQUE_HEADER_WIDTH: usize = COMMAND_WIDTH + ORDER_ID_WIDTH + ORDER_DATE_WIDTH + COUNT_WIDTH;
/// Largest frame: the 4-digit length prefix can say at most 9999.
pub const MAX_FRAME_BODY: usize = 9999;

const CS: Charset = Charset::EucKr;

/// The SEED key and IV of a channel.
#[derive(Clone)]
pub struct Cipher {
    key: [u8; 16],
    iv: [u8; 16],
}

impl fmt::Debug for Cipher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Cipher(***)")
    }
}

impl Cipher {
    /// From the 16 raw key bytes and the 16 IV bytes.
    pub fn new(key: [u8; 16], iv: [u8; 16]) -> Self {
        Cipher { key, iv }
    }

    /// From the channel's text forms: `key` in base64, `iv` as 16 ASCII characters.
    /// Errors name the credential, never its value.
    pub fn from_text(key_b64: &str, iv: &str) -> Result<Self, &'static str> {
        let key = codec::b64_decode("credentials.key", key_b64)
            .map_err(|_| "credentials.key: must be base64")?;
        let key: [u8; 16] = key
            .try_into()
            .map_err(|_| "credentials.key: must decode to 16 bytes")?;
        let iv: [u8; 16] = iv
            .as_bytes()
            .try_into()
            .map_err(|_| "credentials.iv: must be 16 ASCII characters")?;
        Ok(Cipher { key, iv })
    }

    fn encrypt(&self, plain: &[u8]) -> Result<Vec<u8>, WireError> {
        crypto::seed_cbc_encrypt(&self.key, &self.iv, plain)
    }

    fn decrypt(&self, cipher: &[u8]) -> Result<Vec<u8>, WireError> {
        crypto::seed_cbc_decrypt(&self.key, &self.iv, cipher)
    }

    fn decrypt_prefix(&self, cipher: &[u8], blocks: usize) -> Result<Vec<u8>, WireError> {
        crypto::seed_cbc_decrypt_prefix(&self.key, &self.iv, cipher, blocks)
    }
}

/// COMMAND and ORDER_ID of a frame, read from its first encrypted blocks only: what a decoder
/// checks its answer against in the frame it sent. Decrypting the whole telegram again (card
/// data and all) cost ~5 % of a gateway payment's instructions (docs/BENCHMARKS.md §5e).
pub fn command_and_order_id(frame: &[u8], cipher: &Cipher) -> Result<(String, String), WireError> {
    const BLOCKS: usize = (COMMAND_WIDTH + ORDER_ID_WIDTH).div_ceil(16);
    // The base64 characters that hold those blocks (4 characters per 3 bytes).
    const CHARS: usize = (BLOCKS * 16).div_ceil(3) * 4;
    let (_, cipher_b64) = split_frame(frame)?;
    let head = cipher_b64
        .get(..CHARS)
        .ok_or_else(|| WireError::Truncated {
            what: "encrypted header".into(),
            needed: CHARS,
            got: cipher_b64.len(),
        })?;
    let text =
        std::str::from_utf8(head).map_err(|_| malformed("cipher text", "not ASCII base64"))?;
    let opaque = cipher.decrypt_prefix(&codec::b64_decode("cipher text", text)?, BLOCKS)?;
    let field = |from: usize, width: usize, name: &str| -> Result<String, WireError> {
        charset::decode(name, &opaque[from..from + width], CS).map(|s| s.trim().to_string())
    };
    Ok((
        field(0, COMMAND_WIDTH, "COMMAND")?,
        field(COMMAND_WIDTH, ORDER_ID_WIDTH, "ORDER_ID")?,
    ))
}

/// One telegram, decrypted: header fields and tag records in order.
#[derive(Clone, PartialEq, Eq)]
pub struct Telegram {
    /// `0100`.
    pub version: String,
    /// The merchant's SERVICE_ID (MID).
    pub mid: String,
    /// Service code (`0900`, ...).
    pub service_code: String,
    /// Command (`3040`, ...).
    pub command: String,
    /// Merchant order id.
    pub order_id: String,
    /// Order date `YYYYMMDDHHMMSS`.
    pub order_date: String,
    /// Tag records, in the order they are written.
    pub records: Vec<TlvRecord>,
}

impl fmt::Debug for Telegram {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Telegram({})", self.view())
    }
}

impl Telegram {
    /// A telegram with no records yet.
    pub fn new(
        mid: &str,
        service_code: &str,
        command: &str,
        order_id: &str,
        order_date: &str,
    ) -> Self {
        Telegram {
            version: VERSION.to_string(),
            mid: mid.to_string(),
            service_code: service_code.to_string(),
            command: command.to_string(),
            order_id: order_id.to_string(),
            order_date: order_date.to_string(),
            records: Vec::new(),
        }
    }

    /// Append `tag` = `value` (EUC-KR). `field` names the unified field in errors.
    pub fn put(&mut self, tag: &str, field: &str, value: &str) -> Result<&mut Self, WireError> {
        let bytes = charset::encode(field, value, CS)?;
        match self.records.iter_mut().find(|r| r.tag == tag) {
            // `Message::put` appends to an existing tag: one record, several values.
            Some(r) => r.values.push(bytes),
            None => self.records.push(TlvRecord::single(tag, bytes)),
        }
        Ok(self)
    }

    /// The first value of `tag`, decoded and trimmed as `Message::parseData` does.
    pub fn get(&self, tag: &str) -> Option<String> {
        let raw = self.records.iter().find(|r| r.tag == tag)?.first()?;
        charset::decode(tag, raw, CS)
            .ok()
            .map(|s| s.trim().to_string())
    }

    /// The first value of `tag`, when present and not blank.
    pub fn get_nonblank(&self, tag: &str) -> Option<String> {
        self.get(tag).filter(|v| !v.is_empty())
    }

    /// Whether `tag` is present.
    pub fn has(&self, tag: &str) -> bool {
        self.records.iter().any(|r| r.tag == tag)
    }

    /// The exact frame: length prefix, clear header, base64 of the SEED-CBC cipher text.
    pub fn to_frame(&self, cipher: &Cipher) -> Result<Vec<u8>, WireError> {
        let mut clear = Vec::with_capacity(CLEAR_WIDTH);
        clear.extend(fixed::alpha_strict(
            "VERSION",
            &self.version,
            VERSION_WIDTH,
            CS,
        )?);
        clear.extend(fixed::alpha_strict(
            "credentials.mid",
            &self.mid,
            MID_WIDTH,
            CS,
        )?);
        clear.extend(fixed::alpha_strict(
            "SERVICE_CODE",
            &self.service_code,
            SERVICE_WIDTH,
            CS,
        )?);

        let mut opaque = Vec::new();
        opaque.extend(fixed::alpha_strict(
            "COMMAND",
            &self.command,
            COMMAND_WIDTH,
            CS,
        )?);
        opaque.extend(fixed::alpha_strict(
            "paymentId",
            &self.order_id,
            ORDER_ID_WIDTH,
            CS,
        )?);
        opaque.extend(fixed::alpha_strict(
            "ORDER_DATE",
            &self.order_date,
            ORDER_DATE_WIDTH,
            CS,
        )?);
        opaque.extend(fixed::numeric(
            "NUM_RECORDS",
            self.records.len() as u64,
            COUNT_WIDTH,
        )?);
        opaque.extend(tlv::encode_records(TlvSpec::BILLGATE, &self.records)?);

        let mut rest = clear;
        rest.extend(codec::b64_encode(&cipher.encrypt(&opaque)?).into_bytes());
        if rest.len() > MAX_FRAME_BODY {
            return Err(WireError::TooLong {
                field: "telegram".into(),
                max_bytes: MAX_FRAME_BODY,
                actual_bytes: rest.len(),
                charset: "raw bytes",
            });
        }
        let mut frame = fixed::numeric("LEN", rest.len() as u64, LEN_WIDTH)?;
        frame.extend(rest);
        Ok(frame)
    }

    /// Parse a whole frame (length prefix included). Every length is checked; nothing panics.
    pub fn from_frame(frame: &[u8], cipher: &Cipher) -> Result<Telegram, WireError> {
        let (clear, cipher_b64) = split_frame(frame)?;
        let (version, mid, service_code) = clear;
        let text = std::str::from_utf8(cipher_b64)
            .map_err(|_| malformed("cipher text", "not ASCII base64"))?;
        let opaque = cipher.decrypt(&codec::b64_decode("cipher text", text)?)?;
        if opaque.len() < OPAQUE_HEADER_WIDTH {
            return Err(WireError::Truncated {
                what: "encrypted header".into(),
                needed: OPAQUE_HEADER_WIDTH,
                got: opaque.len(),
            });
        }
        let field = |from: usize, width: usize, name: &str| -> Result<String, WireError> {
            charset::decode(name, &opaque[from..from + width], CS).map(|s| s.trim().to_string())
        };
        let command = field(0, COMMAND_WIDTH, "COMMAND")?;
        let order_id = field(COMMAND_WIDTH, ORDER_ID_WIDTH, "ORDER_ID")?;
        let order_date = field(
            COMMAND_WIDTH + ORDER_ID_WIDTH,
            ORDER_DATE_WIDTH,
            "ORDER_DATE",
        )?;
        let count_at = COMMAND_WIDTH + ORDER_ID_WIDTH + ORDER_DATE_WIDTH;
        let count = field(count_at, COUNT_WIDTH, "NUM_RECORDS")?
            .parse::<usize>()
            .map_err(|_| malformed("NUM_RECORDS", "not a number"))?;
        let records = tlv::decode_records(
            TlvSpec::BILLGATE,
            &opaque[OPAQUE_HEADER_WIDTH..],
            Some(count),
        )?;
        Ok(Telegram {
            version,
            mid,
            service_code,
            command,
            order_id,
            order_date,
            records,
        })
    }

    /// The readable, masked view: header fields and every tag with its `Const.php` name.
    pub fn view(&self) -> Value {
        let body: Vec<Value> = self
            .records
            .iter()
            .map(|r| {
                let values: Vec<Value> = r
                    .values
                    .iter()
                    .map(|v| Value::String(view_value(&r.tag, v)))
                    .collect();
                let value = if values.len() == 1 {
                    values.into_iter().next().unwrap_or(Value::Null)
                } else {
                    Value::Array(values)
                };
                json!({ "tag": r.tag, "name": tag::name(&r.tag), "value": value })
            })
            .collect();
        json!({
            "header": {
                "VERSION": self.version,
                "MID": self.mid,
                "SERVICE_CODE": self.service_code,
                "COMMAND": self.command,
                "ORDER_ID": self.order_id,
                "ORDER_DATE": self.order_date,
                "NUM_RECORDS": self.records.len(),
            },
            "body": body,
        })
    }
}

/// Read only the clear part of a frame: `(VERSION, MID, SERVICE_CODE)` and the base64 rest.
/// The simulator uses it to find the merchant's key before decrypting.
#[allow(clippy::type_complexity)]
pub fn split_frame(frame: &[u8]) -> Result<((String, String, String), &[u8]), WireError> {
    if frame.len() < LEN_WIDTH + CLEAR_WIDTH {
        return Err(WireError::Truncated {
            what: "telegram header".into(),
            needed: LEN_WIDTH + CLEAR_WIDTH,
            got: frame.len(),
        });
    }
    let (prefix, rest) = frame.split_at(LEN_WIDTH);
    let declared = std::str::from_utf8(prefix)
        .ok()
        .filter(|s| s.bytes().all(|b| b.is_ascii_digit()))
        .and_then(|s| s.parse::<usize>().ok())
        .ok_or_else(|| malformed("LEN", "not 4 decimal digits"))?;
    if declared != rest.len() {
        return Err(malformed(
            "LEN",
            &format!("says {declared} bytes but {} follow", rest.len()),
        ));
    }
    let text = |from: usize, width: usize, name: &str| -> Result<String, WireError> {
        charset::decode(name, &rest[from..from + width], CS).map(|s| s.trim().to_string())
    };
    let version = text(0, VERSION_WIDTH, "VERSION")?;
    let mid = text(VERSION_WIDTH, MID_WIDTH, "MID")?;
    let service = text(VERSION_WIDTH + MID_WIDTH, SERVICE_WIDTH, "SERVICE_CODE")?;
    Ok(((version, mid, service), &rest[CLEAR_WIDTH..]))
}

fn view_value(tag_code: &str, raw: &[u8]) -> String {
    let text =
        charset::decode(tag_code, raw, CS).unwrap_or_else(|_| format!("<{} bytes>", raw.len()));
    match tag::masking(tag_code) {
        Masking::Clear => text,
        Masking::CardNumber => paymux_core::secret::mask_card_number(&text),
        Masking::Hidden => "***".to_string(),
    }
}

fn malformed(what: &str, detail: &str) -> WireError {
    WireError::Malformed {
        what: what.to_string(),
        detail: detail.to_string(),
    }
}

/// ORDER_DATE: `YYYYMMDDHHMMSS` in KST.
pub fn order_date(now: &DateTime<FixedOffset>) -> String {
    now.format("%Y%m%d%H%M%S").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cipher() -> Cipher {
        Cipher::from_text("QkZJRlBDRTI4T0c1OUtBMw==", "PRJ59Q2GHPT844TQ").unwrap()
    }

    fn sample() -> Telegram {
        let mut t = Telegram::new("M2103135", "0900", "3040", "order-1", "20250101120000");
        t.put(tag::USER_NAME, "customer.name", "홍길동").unwrap();
        t.put(tag::PIN_NUMBER, "card", "4111111111111111").unwrap();
        t.put(tag::DEAL_AMOUNT, "amount", "1004").unwrap();
        t
    }

    #[test]
    fn frame_round_trips_and_prefix_counts_the_rest() {
        let t = sample();
        let frame = t.to_frame(&cipher()).unwrap();
        let len: usize = std::str::from_utf8(&frame[..4]).unwrap().parse().unwrap();
        assert_eq!(len, frame.len() - 4);
        assert_eq!(&frame[4..14], b"0100      ");
        assert_eq!(&frame[14..34], b"M2103135            ");
        assert_eq!(&frame[34..38], b"0900");
        let back = Telegram::from_frame(&frame, &cipher()).unwrap();
        assert_eq!(back, t);
        assert_eq!(back.get(tag::USER_NAME).as_deref(), Some("홍길동"));
    }

    #[test]
    fn the_header_alone_reads_as_the_whole_telegram_does() {
        let c = cipher();
        let mut t = sample();
        t.order_id = "payment-한글-0f3c".into();
        let frame = t.to_frame(&c).unwrap();
        assert_eq!(
            command_and_order_id(&frame, &c).unwrap(),
            (t.command.clone(), t.order_id.clone())
        );
        for bad in [&b""[..], b"0004abcd", &frame[..60]] {
            assert!(command_and_order_id(bad, &c).is_err());
        }
    }

    #[test]
    fn view_and_debug_mask_the_card() {
        let t = sample();
        let shown = format!("{t:?}");
        assert!(shown.contains("411111******1111"), "{shown}");
        assert!(!shown.contains("4111111111111111"), "{shown}");
    }

    #[test]
    fn repeated_put_makes_one_record_with_several_values() {
        let mut t = sample();
        t.put(tag::DEAL_AMOUNT, "amount", "5").unwrap();
        assert_eq!(t.records.len(), 3);
        assert_eq!(t.records[2].values.len(), 2);
    }

    #[test]
    fn garbage_is_an_error_never_a_panic() {
        let c = cipher();
        for bad in [
            &b""[..],
            b"0004abcd",
            b"12ab",
            b"0040",
            b"9999xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
        ] {
            assert!(Telegram::from_frame(bad, &c).is_err());
        }
        let mut frame = sample().to_frame(&c).unwrap();
        let n = frame.len();
        frame[n - 3] = b'!';
        assert!(Telegram::from_frame(&frame, &c).is_err());
        // Right length, wrong key: padding check fails.
        let other = Cipher::new([7; 16], [7; 16]);
        assert!(Telegram::from_frame(&sample().to_frame(&c).unwrap(), &other).is_err());
    }

    #[test]
    fn order_id_over_64_bytes_names_payment_id() {
        let mut t = sample();
        t.order_id = "가".repeat(33);
        let e = t.to_frame(&cipher()).unwrap_err().to_string();
        assert!(e.starts_with("paymentId:"), "{e}");
    }
}
