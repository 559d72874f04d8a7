//! Inicis' wire messages and their exact bytes: the INIAPI v1 form, the INIAPI v2 JSON, the
//! standard window's form and approval, the `[ENC]` cipher and the hashes. No mapping from the
//! unified model here (that is [`crate::encode`]).
//!
//! - `[ENC]` fields: `base64(AES-128-CBC(key = INIAPI key, iv = INIAPI IV, PKCS#7))`, and the
//!   hash covers the **encrypted** value (Inicis' INIAPI FAQ; its vector
//!   `refundAcctNum=123456789` → `qwMHVJqsmXKoR+d8wQTS4g==` is a test).
//! - v1 (`application/x-www-form-urlencoded`, every value URL-encoded):
//!   `hashData = sha512hex(key + type + paymethod + timestamp + clientIp + mid + <tail>)`
//!   (manual sample: `hash("sha512", $key.$type.$paymethod.$timestamp.$clientIp.$mid.$tid)`).
//! - v2 (JSON `{mid, type, timestamp, clientIp, data, hashData}`):
//!   `hashData = sha512hex(key + mid + type + timestamp + <data exactly as sent>)` — the data
//!   object is serialized once, and those bytes are both hashed and embedded in the body.
//! - Window: `signature = sha256hex("oid=…&price=…&timestamp=…")` (keys sorted, NVP),
//!   `verification` the same with `signKey`, `mKey = sha256hex(signKey)`; approval
//!   `signature = sha256hex("authToken=…&timestamp=…")`; the approval answer's
//!   `authSignature` per Inicis' `makeSignatureAuth` (field order chosen by the last digit of
//!   the timestamp).

use std::collections::BTreeMap;
use std::fmt;

use paymux_core::wire::codec::{b64_decode, b64_encode, hex_lower};
use paymux_core::wire::crypto::{aes_cbc_decrypt, aes_cbc_encrypt, sha256, sha512};
use paymux_core::wire::{form_urlencode, Charset, WireError};
use serde_json::{json, Map, Value};

use crate::protocol::mask;

/// `sha512` as lower-case hex (INIAPI `hashData`).
pub fn sha512_hex(text: &str) -> String {
    hex_lower(&sha512(text.as_bytes()))
}

/// `sha256` as lower-case hex (window signatures).
pub fn sha256_hex(text: &str) -> String {
    hex_lower(&sha256(text.as_bytes()))
}

/// An `[ENC]` value: `base64(AES-128-CBC(key, iv, plain))`. The key and IV are the channel's
/// 16-byte INIAPI key and IV.
pub fn enc(key: &[u8], iv: &[u8], plain: &str) -> Result<String, WireError> {
    Ok(b64_encode(&aes_cbc_encrypt(key, iv, plain.as_bytes())?))
}

/// An `[ENC]` value decrypted (the simulator's side).
pub fn dec(key: &[u8], iv: &[u8], field: &str, text: &str) -> Result<String, WireError> {
    let raw = b64_decode(field, text)?;
    let plain = aes_cbc_decrypt(key, iv, &raw)?;
    String::from_utf8(plain).map_err(|_| WireError::Undecodable {
        field: field.to_string(),
        charset: "UTF-8",
    })
}

/// Inicis' `makeSignature`: the pairs sorted by key (PHP `ksort`, byte order), joined as
/// `k=v&k=v`, SHA-256 hex.
pub fn nvp_signature(pairs: &[(&str, &str)]) -> String {
    let mut sorted: Vec<_> = pairs.to_vec();
    sorted.sort_by(|a, b| a.0.cmp(b.0));
    let text = sorted
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&");
    sha256_hex(&text)
}

/// Inicis' `makeSignatureAuth` (INIStdPayUtil, "결제보안 추가 2016-05-18"): the approval
/// answer's `authSignature`, over `mid`, the approval request's `timestamp` (`tstamp`), the
/// answer's `MOID` and `TotPrice`, in an order the timestamp's last digit picks.
pub fn auth_signature(mid: &str, tstamp: &str, moid: &str, tot_price: &str) -> String {
    let last = tstamp
        .chars()
        .last()
        .and_then(|c| c.to_digit(10))
        .unwrap_or(0);
    let text = match last {
        1 => format!("MOID={moid}&mid={mid}&tstamp={tstamp}"),
        2 => format!("MOID={moid}&tstamp={tstamp}&mid={mid}"),
        3 => format!("mid={mid}&MOID={moid}&tstamp={tstamp}"),
        4 => format!("mid={mid}&tstamp={tstamp}&MOID={moid}"),
        5 => format!("tstamp={tstamp}&mid={mid}&MOID={moid}"),
        6 => format!("tstamp={tstamp}&MOID={moid}&mid={mid}"),
        7 => format!("TotPrice={tot_price}&mid={mid}&tstamp={tstamp}"),
        8 => format!("TotPrice={tot_price}&tstamp={tstamp}&mid={mid}"),
        9 => format!("TotPrice={tot_price}&MOID={moid}&tstamp={tstamp}"),
        _ => format!("TotPrice={tot_price}&tstamp={tstamp}&MOID={moid}"),
    };
    sha256_hex(&text)
}

/// A masked view of `pairs` (field names as sent).
pub fn masked_view(pairs: &[(&str, String)]) -> Value {
    let mut m = Map::new();
    for (k, v) in pairs {
        m.insert((*k).to_string(), Value::String(mask(k, v)));
    }
    Value::Object(m)
}

/// A JSON string literal of `s` (serde_json's escaping: `/` and non-ASCII left as they are,
/// like PHP's `JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE`).
fn json_str(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into())
}

/// An INIAPI v1 request: the common head, the call's fields in order, and `hashData` over the
/// key, the head and the call's tail fields (values exactly as sent, `[ENC]` ones encrypted).
#[derive(Clone)]
pub struct V1Form {
    /// `type`.
    pub kind: &'static str,
    /// `paymethod`.
    pub paymethod: &'static str,
    /// `timestamp` (`YYYYMMDDhhmmss`, KST).
    pub timestamp: String,
    /// `clientIp`.
    pub client_ip: String,
    /// `mid`.
    pub mid: String,
    /// The call's fields after `mid`, in the order sent.
    pub fields: Vec<(&'static str, String)>,
    /// The names of the fields the hash covers after `mid`, in order.
    pub tail: &'static [&'static str],
    /// `hashData`.
    pub hash_data: String,
}

impl V1Form {
    /// Compute `hashData` with the INIAPI `key` (build the struct with an empty one).
    pub fn signed(mut self, key: &str) -> V1Form {
        self.hash_data = sha512_hex(&self.hash_input(key));
        self
    }

    /// A field's value as sent.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.as_str())
    }

    /// What `hashData` hashes (the key first: never log it).
    pub fn hash_input(&self, key: &str) -> String {
        let mut s = format!(
            "{key}{}{}{}{}{}",
            self.kind, self.paymethod, self.timestamp, self.client_ip, self.mid
        );
        for name in self.tail {
            s.push_str(self.get(name).unwrap_or_default());
        }
        s
    }

    /// Every pair in the order sent.
    pub fn pairs(&self) -> Vec<(&'static str, String)> {
        let mut p = vec![
            ("type", self.kind.to_string()),
            ("paymethod", self.paymethod.to_string()),
            ("timestamp", self.timestamp.clone()),
            ("clientIp", self.client_ip.clone()),
            ("mid", self.mid.clone()),
        ];
        p.extend(self.fields.iter().cloned());
        p.push(("hashData", self.hash_data.clone()));
        p
    }

    /// The body: UTF-8, every key and value percent-encoded (a `+` of base64 becomes `%2B`).
    pub fn body(&self) -> Result<Vec<u8>, WireError> {
        let pairs = self.pairs();
        let refs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
        form_urlencode(&refs, Charset::Utf8)
    }
}

impl V1Form {
    /// The masked view of the form (`{"form": …}`).
    pub fn view(&self) -> Value {
        json!({ "form": masked_view(&self.pairs()) })
    }
}

impl fmt::Debug for V1Form {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "V1Form({})", self.view())
    }
}

/// An INIAPI v2 request: `data` is serialized once ([`V2Json::data_json`]); the hash and the
/// body both use those bytes.
#[derive(Clone)]
pub struct V2Json {
    /// `mid`.
    pub mid: String,
    /// `type`.
    pub kind: &'static str,
    /// `timestamp` (`YYYYMMDDhhmmss`, KST).
    pub timestamp: String,
    /// `clientIp`.
    pub client_ip: String,
    /// `data`'s fields, in order.
    pub data: Vec<(&'static str, String)>,
    /// `data` exactly as sent.
    pub data_json: String,
    /// `hashData`.
    pub hash_data: String,
}

impl V2Json {
    /// Build and hash with the INIAPI `key`.
    pub fn new(
        key: &str,
        mid: String,
        kind: &'static str,
        timestamp: String,
        client_ip: String,
        data: Vec<(&'static str, String)>,
    ) -> V2Json {
        let data_json = format!(
            "{{{}}}",
            data.iter()
                .map(|(k, v)| format!("{}:{}", json_str(k), json_str(v)))
                .collect::<Vec<_>>()
                .join(",")
        );
        let hash_data = sha512_hex(&format!("{key}{mid}{kind}{timestamp}{data_json}"));
        V2Json {
            mid,
            kind,
            timestamp,
            client_ip,
            data,
            data_json,
            hash_data,
        }
    }

    /// A data field as sent.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.data
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The body: `{"mid","type","timestamp","clientIp","data","hashData"}`, `data` embedded
    /// byte for byte as hashed.
    pub fn body(&self) -> Vec<u8> {
        format!(
            "{{\"mid\":{},\"type\":{},\"timestamp\":{},\"clientIp\":{},\"data\":{},\"hashData\":{}}}",
            json_str(&self.mid),
            json_str(self.kind),
            json_str(&self.timestamp),
            json_str(&self.client_ip),
            self.data_json,
            json_str(&self.hash_data)
        )
        .into_bytes()
    }
}

impl V2Json {
    /// The masked view of the JSON body (`{"json": …}`).
    pub fn view(&self) -> Value {
        json!({ "json": {
            "mid": self.mid,
            "type": self.kind,
            "timestamp": self.timestamp,
            "clientIp": self.client_ip,
            "data": masked_view(&self.data),
            "hashData": self.hash_data,
        }})
    }
}

impl fmt::Debug for V2Json {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "V2Json({})", self.view())
    }
}

/// The raw bytes of the v2 body's `data` value, as the sender wrote them (the simulator
/// verifies the hash over these, never over a re-serialization).
pub fn raw_data_of(body: &[u8]) -> Option<&[u8]> {
    let v: Value = serde_json::from_slice(body).ok()?;
    v.get("data")?.as_object()?;
    // Find `"data"` as a key at the top level: scan with a tokenizer-free approach that is
    // safe because keys and string values are JSON-escaped (a quote inside a string is `\"`).
    let text = std::str::from_utf8(body).ok()?;
    let mut depth = 0usize;
    let mut in_str = false;
    let mut escaped = false;
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if in_str {
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                in_str = false;
            }
        } else if b == b'"' {
            if depth == 1 && text[i..].starts_with("\"data\"") {
                let rest = text[i + 6..].trim_start();
                let rest = rest.strip_prefix(':')?.trim_start();
                let start = bytes.len() - rest.len();
                let mut it =
                    serde_json::Deserializer::from_slice(&bytes[start..]).into_iter::<Value>();
                it.next()?.ok()?;
                return Some(&bytes[start..start + it.byte_offset()]);
            }
            in_str = true;
        } else if b == b'{' || b == b'[' {
            depth += 1;
        } else if b == b'}' || b == b']' {
            depth = depth.saturating_sub(1);
        }
        i += 1;
    }
    None
}

/// An answer: a JSON object's scalar fields as text (numbers as written). Inicis answers
/// JSON for INIAPI and for the window's approval (`format=JSON`).
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Answer(pub BTreeMap<String, String>);

impl Answer {
    /// Parse; anything but a JSON object is an error naming what is wrong (never the bytes).
    pub fn parse(body: &[u8]) -> Result<Answer, String> {
        let v: Value =
            serde_json::from_slice(body).map_err(|e| format!("not JSON (line {})", e.line()))?;
        let Value::Object(m) = v else {
            return Err("not a JSON object".into());
        };
        let mut out = BTreeMap::new();
        for (k, v) in m {
            match v {
                Value::String(s) => {
                    out.insert(k, s);
                }
                Value::Number(n) => {
                    out.insert(k, n.to_string());
                }
                Value::Bool(b) => {
                    out.insert(k, b.to_string());
                }
                _ => {}
            }
        }
        Ok(Answer(out))
    }

    /// A non-empty field.
    pub fn get(&self, k: &str) -> Option<String> {
        self.0
            .get(k)
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
    }

    /// `resultCode`.
    pub fn result_code(&self) -> Option<String> {
        self.get("resultCode")
    }

    /// `resultMsg` (empty when absent).
    pub fn result_msg(&self) -> String {
        self.get("resultMsg").unwrap_or_default()
    }
}

impl fmt::Debug for Answer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let pairs: Vec<(&str, String)> = self
            .0
            .iter()
            .map(|(k, v)| (k.as_str(), v.clone()))
            .collect();
        write!(f, "Answer({})", masked_view(&pairs))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "ItEQKi3rY7uvDS8l";
    const IV: &str = "HYb3yQ4f65QL89==";

    #[test]
    fn the_published_aes_vector() {
        // Inicis' INIAPI FAQ: refundAcctNum=123456789, MID INIpayTest.
        let c = enc(KEY.as_bytes(), IV.as_bytes(), "123456789").unwrap();
        assert_eq!(c, "qwMHVJqsmXKoR+d8wQTS4g==");
        assert_eq!(
            dec(KEY.as_bytes(), IV.as_bytes(), "x", &c).unwrap(),
            "123456789"
        );
    }

    #[test]
    fn v2_body_embeds_the_hashed_bytes() {
        let v = V2Json::new(
            KEY,
            "INIpayTest".into(),
            "refund",
            "20250301101500".into(),
            "127.0.0.1".into(),
            vec![("tid", "T1".into()), ("msg", "취소/요청 \"x\"".into())],
        );
        let body = v.body();
        assert_eq!(raw_data_of(&body).unwrap(), v.data_json.as_bytes());
        assert!(v.data_json.contains("취소/요청"));
    }

    #[test]
    fn raw_data_ignores_a_data_key_inside_strings() {
        let body = br#"{"mid":"\"data\":{}","data":{"tid":"a"},"hashData":"x"}"#;
        assert_eq!(raw_data_of(body).unwrap(), br#"{"tid":"a"}"#);
        assert!(raw_data_of(b"[1]").is_none());
        assert!(raw_data_of(br#"{"data":1}"#).is_none());
    }

    #[test]
    fn auth_signature_order_follows_the_last_digit() {
        let a = auth_signature("INIpayTest", "1700000000001", "o1", "1000");
        assert_eq!(a, sha256_hex("MOID=o1&mid=INIpayTest&tstamp=1700000000001"));
        let z = auth_signature("INIpayTest", "1700000000000", "o1", "1000");
        assert_eq!(z, sha256_hex("TotPrice=1000&tstamp=1700000000000&MOID=o1"));
    }

    #[test]
    fn nvp_signature_sorts_keys() {
        assert_eq!(
            nvp_signature(&[("timestamp", "3"), ("oid", "1"), ("price", "2")]),
            sha256_hex("oid=1&price=2&timestamp=3")
        );
    }
}
