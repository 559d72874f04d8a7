//! NICE Pay's wire structs, with the vendor's field names in the manual's order, their exact
//! bytes, and the manual's crypto. No mapping logic here (that is [`crate::encode`] and
//! [`crate::checkout`]).
//!
//! Every call is JSON in UTF-8 (`Content-type: application/json;charset=utf-8`) with
//! `Authorization: Basic base64(clientKey + ":" + secretKey)` (`common/api.md` Basic auth).
//! Amounts are JSON integers, flags booleans, everything else strings, as the request tables
//! type them.
//!
//! Crypto (`api/payment-subscribe.md`, known-answer tests below reproduce the manual's
//! vectors byte for byte):
//!
//! - `encData = hex(AES-128-ECB/PKCS5(cardNo=…&expYear=YY&expMonth=MM&idNo=…&cardPw=NN))`,
//!   key = the first 16 characters of the secret key;
//! - with `encMode: "A2"`: `hex(AES-256-CBC/PKCS5(…))`, key = the 32-character secret key,
//!   IV = its first 16 characters;
//! - `signData` / `signature` = `hex(sha256(<fields> + secretKey))`, lowercase hex, with the
//!   fields each call names ([`sign`]).

use aes::cipher::generic_array::GenericArray;
use aes::cipher::{BlockDecrypt, BlockEncrypt, KeyInit};
use chrono::{DateTime, FixedOffset};
use paymux_core::adapter::{Header, WireRequest, WireTarget, WireView};
use paymux_core::secret::Secret;
use paymux_core::wire::{codec, crypto, WireError};
use serde_json::{json, Map, Value};

use crate::protocol::mask;

/// How `encData` is encrypted: the channel option `enc_mode`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum EncMode {
    /// AES-128-ECB, key = the secret key's first 16 characters (no `encMode` sent).
    #[default]
    Default,
    /// `encMode: "A2"`: AES-256-CBC, key = the 32-character secret key, IV = its first 16.
    A2,
}

const BLOCK: usize = 16;

fn crypto_error(detail: &str) -> WireError {
    WireError::Crypto {
        what: "encData".into(),
        detail: detail.into(),
    }
}

/// AES-128-ECB with PKCS#5 padding (what `AES/ECB/PKCS5padding` means for a 16-byte block).
/// ECB is NICE's choice, not paymux's; core's toolkit has only CBC, so the block loop is here.
pub fn aes128_ecb_encrypt(key: &[u8], plaintext: &[u8]) -> Result<Vec<u8>, WireError> {
    let cipher = aes::Aes128::new_from_slice(key)
        .map_err(|_| crypto_error("the AES-128 key must be 16 bytes"))?;
    let pad = BLOCK - plaintext.len() % BLOCK;
    let mut data = plaintext.to_vec();
    data.extend(std::iter::repeat(pad as u8).take(pad));
    for block in data.chunks_mut(BLOCK) {
        cipher.encrypt_block(GenericArray::from_mut_slice(block));
    }
    Ok(data)
}

/// The reverse of [`aes128_ecb_encrypt`]; bad padding or length is an error.
pub fn aes128_ecb_decrypt(key: &[u8], ciphertext: &[u8]) -> Result<Vec<u8>, WireError> {
    let cipher = aes::Aes128::new_from_slice(key)
        .map_err(|_| crypto_error("the AES-128 key must be 16 bytes"))?;
    if ciphertext.is_empty() || ciphertext.len() % BLOCK != 0 {
        return Err(crypto_error(
            "ciphertext is not a positive multiple of 16 bytes",
        ));
    }
    let mut data = ciphertext.to_vec();
    for block in data.chunks_mut(BLOCK) {
        cipher.decrypt_block(GenericArray::from_mut_slice(block));
    }
    let pad = usize::from(*data.last().unwrap_or(&0));
    let ok = (1..=BLOCK).contains(&pad)
        && data.len() >= pad
        && data[data.len() - pad..]
            .iter()
            .all(|b| usize::from(*b) == pad);
    if !ok {
        return Err(crypto_error(
            "bad PKCS#5 padding (wrong key or corrupted data)",
        ));
    }
    data.truncate(data.len() - pad);
    Ok(data)
}

/// The key material of `mode` from the secret key: an error names the rule, never the key.
fn keys(mode: EncMode, secret_key: &str) -> Result<(&[u8], Option<&[u8]>), &'static str> {
    let k = secret_key.as_bytes();
    if !secret_key.is_ascii() {
        return Err("must be ASCII (its characters are the AES key bytes)");
    }
    match mode {
        EncMode::Default if k.len() >= 16 => Ok((&k[..16], None)),
        EncMode::Default => {
            Err("must be at least 16 characters (its first 16 are the AES-128 key)")
        }
        EncMode::A2 if k.len() == 32 => Ok((k, Some(&k[..16]))),
        EncMode::A2 => Err("must be 32 characters with enc_mode A2 (the AES-256 key)"),
    }
}

/// Check that the secret key fits `mode`.
pub fn check_secret_key(mode: EncMode, secret_key: &str) -> Result<(), &'static str> {
    keys(mode, secret_key).map(|_| ())
}

/// `encData` of `plaintext`: lowercase hex of the ciphertext.
pub fn enc_data(mode: EncMode, secret_key: &str, plaintext: &[u8]) -> Result<String, WireError> {
    let (key, iv) = keys(mode, secret_key).map_err(crypto_error)?;
    let raw = match iv {
        None => aes128_ecb_encrypt(key, plaintext)?,
        Some(iv) => crypto::aes_cbc_encrypt(key, iv, plaintext)?,
    };
    Ok(codec::hex_lower(&raw))
}

/// The reverse of [`enc_data`] (the simulator reads `encData` with it).
pub fn dec_data(mode: EncMode, secret_key: &str, hex: &str) -> Result<Vec<u8>, WireError> {
    let (key, iv) = keys(mode, secret_key).map_err(crypto_error)?;
    let raw = codec::hex_decode("encData", hex)?;
    match iv {
        None => aes128_ecb_decrypt(key, &raw),
        Some(iv) => crypto::aes_cbc_decrypt(key, iv, &raw),
    }
}

/// `hex(sha256(parts… + secretKey))`, lowercase: every `signData` and `signature`.
pub fn sign(parts: &[&str], secret_key: &str) -> String {
    let mut text = String::with_capacity(parts.iter().map(|p| p.len()).sum::<usize>() + 32);
    for p in parts {
        text.push_str(p);
    }
    text.push_str(secret_key);
    codec::hex_lower(&crypto::sha256(text.as_bytes()))
}

/// Whether `got` is `expected` (constant time, case-insensitive hex).
pub fn signature_matches(expected: &str, got: &str) -> bool {
    crypto::ct_eq(
        expected.as_bytes(),
        got.trim().to_ascii_lowercase().as_bytes(),
    )
}

/// `Basic base64(clientKey:secretKey)` (`common/api.md`).
pub fn basic_credentials(client_key: &str, secret_key: &str) -> String {
    format!(
        "Basic {}",
        codec::b64_encode(format!("{client_key}:{secret_key}").as_bytes())
    )
}

/// `ediDate`: ISO 8601 in KST with its offset (`2025-03-01T10:15:00+09:00`); the manual asks
/// for "ISO 8601 형식" and hashes it as sent.
pub fn edi_date(now: &DateTime<FixedOffset>) -> String {
    now.with_timezone(&paymux_core::adapter::kst())
        .format("%Y-%m-%dT%H:%M:%S%:z")
        .to_string()
}

/// `encData`'s plaintext (`api/payment-subscribe.md` encData 필드 상세), in the manual's
/// order: `cardNo=…&expYear=YY&expMonth=MM&idNo=…&cardPw=NN`. Values are digits, sent as they
/// are (the manual's example is not percent-encoded).
#[derive(Debug, Clone)]
pub struct CardData {
    /// Card number, digits (16).
    pub card_no: Secret<String>,
    /// Expiry year `YY`.
    pub exp_year: Secret<String>,
    /// Expiry month `MM`.
    pub exp_month: Secret<String>,
    /// Birth date `YYMMDD` or a 10-digit business number.
    pub id_no: Secret<String>,
    /// First two digits of the card password.
    pub card_pw: Secret<String>,
}

impl CardData {
    /// The exact plaintext.
    pub fn plaintext(&self) -> Secret<String> {
        Secret::new(format!(
            "cardNo={}&expYear={}&expMonth={}&idNo={}&cardPw={}",
            self.card_no.expose(),
            self.exp_year.expose(),
            self.exp_month.expose(),
            self.id_no.expose(),
            self.card_pw.expose()
        ))
    }

    /// The masked fields, for the view.
    pub fn view(&self) -> Value {
        let f = |k: &'static str, v: &Secret<String>| (k, Value::String(v.expose().clone()));
        masked_view(&[
            f("cardNo", &self.card_no),
            f("expYear", &self.exp_year),
            f("expMonth", &self.exp_month),
            f("idNo", &self.id_no),
            f("cardPw", &self.card_pw),
        ])
    }

    /// Parse a plaintext (the simulator's side). `None` when a field is missing.
    pub fn parse(plain: &str) -> Option<CardData> {
        let mut m = std::collections::BTreeMap::new();
        for pair in plain.split('&') {
            let (k, v) = pair.split_once('=')?;
            m.insert(k, v);
        }
        let get = |k: &str| m.get(k).map(|v| Secret::new((*v).to_string()));
        Some(CardData {
            card_no: get("cardNo")?,
            exp_year: get("expYear")?,
            exp_month: get("expMonth")?,
            id_no: get("idNo")?,
            card_pw: get("cardPw")?,
        })
    }
}

/// A message as the vendor names it: its fields in wire order.
pub trait Params {
    /// `(field, value)` in the order the bytes carry them; absent optional fields are left
    /// out. Values are exposed: only the byte writer and the masking view call this.
    fn pairs(&self) -> Vec<(&'static str, Value)>;
}

/// The bytes of a JSON object with the fields in order, compact, UTF-8.
pub fn json_object(pairs: &[(&'static str, Value)]) -> Vec<u8> {
    let mut out = Vec::with_capacity(64 * pairs.len() + 2);
    out.push(b'{');
    for (i, (k, v)) in pairs.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        // Writing into a Vec cannot fail.
        let _ = serde_json::to_writer(&mut out, k);
        out.push(b':');
        let _ = serde_json::to_writer(&mut out, v);
    }
    out.push(b'}');
    out
}

/// The masked view of ordered fields: a list of one-key objects, so order survives.
pub fn masked_view(pairs: &[(&'static str, Value)]) -> Value {
    Value::Array(
        pairs
            .iter()
            .map(|(k, v)| {
                let shown = match v {
                    Value::String(s) => Value::String(mask(k, s)),
                    other => other.clone(),
                };
                let mut m = Map::new();
                m.insert((*k).to_string(), shown);
                Value::Object(m)
            })
            .collect(),
    )
}

fn text(s: &str) -> Value {
    Value::String(s.to_string())
}

/// `POST /v1/subscribe/regist` (`api/payment-subscribe.md` 빌키발급), in the table's order.
#[derive(Debug, Clone)]
pub struct RegistRequest {
    /// The card data, encrypted ([`enc_data`]); the view shows [`CardData::view`] instead.
    pub enc_data: Secret<String>,
    /// 상점 거래 고유번호 (64).
    pub order_id: String,
    /// 구매자 (30), when known.
    pub buyer_name: Option<String>,
    /// 구매자 이메일 (60).
    pub buyer_email: Option<String>,
    /// 구매자 전화번호, digits (20).
    pub buyer_tel: Option<String>,
    /// `A2`, or absent for the default cipher.
    pub enc_mode: Option<&'static str>,
    /// ISO 8601.
    pub edi_date: String,
    /// `hex(sha256(orderId + ediDate + SecretKey))`.
    pub sign_data: String,
    /// `utf-8`.
    pub return_charset: &'static str,
}

impl Params for RegistRequest {
    fn pairs(&self) -> Vec<(&'static str, Value)> {
        let mut v = vec![
            ("encData", text(self.enc_data.expose())),
            ("orderId", text(&self.order_id)),
        ];
        push_opt(&mut v, "buyerName", &self.buyer_name);
        push_opt(&mut v, "buyerEmail", &self.buyer_email);
        push_opt(&mut v, "buyerTel", &self.buyer_tel);
        if let Some(m) = self.enc_mode {
            v.push(("encMode", text(m)));
        }
        v.extend([
            ("ediDate", text(&self.edi_date)),
            ("signData", text(&self.sign_data)),
            ("returnCharSet", text(self.return_charset)),
        ]);
        v
    }
}

fn push_opt(v: &mut Vec<(&'static str, Value)>, k: &'static str, value: &Option<String>) {
    if let Some(s) = value.as_deref().filter(|s| !s.is_empty()) {
        v.push((k, text(s)));
    }
}

/// `POST /v1/subscribe/{bid}/payments` (`api/payment-subscribe.md` 빌키승인).
#[derive(Debug, Clone)]
pub struct BillingPayRequest {
    /// 상점 거래 고유번호 (64): "결제된 orderId로 재호출 불가".
    pub order_id: String,
    /// 결제 금액.
    pub amount: i64,
    /// 상품명 (40).
    pub goods_name: String,
    /// 할부개월: `0` lump sum, `2`, `3`, ….
    pub card_quota: String,
    /// `false` (the only value NICE accepts today).
    pub use_shop_interest: bool,
    /// 구매자 이름.
    pub buyer_name: Option<String>,
    /// 구매자 전화번호, digits.
    pub buyer_tel: Option<String>,
    /// 구매자 이메일.
    pub buyer_email: Option<String>,
    /// 면세공급가액, when any.
    pub tax_free_amt: Option<i64>,
    /// ISO 8601.
    pub edi_date: String,
    /// `hex(sha256(orderId + bid + ediDate + SecretKey))`.
    pub sign_data: String,
    /// `utf-8`.
    pub return_charset: &'static str,
}

impl Params for BillingPayRequest {
    fn pairs(&self) -> Vec<(&'static str, Value)> {
        let mut v = vec![
            ("orderId", text(&self.order_id)),
            ("amount", json!(self.amount)),
            ("goodsName", text(&self.goods_name)),
            ("cardQuota", text(&self.card_quota)),
            ("useShopInterest", json!(self.use_shop_interest)),
        ];
        push_opt(&mut v, "buyerName", &self.buyer_name);
        push_opt(&mut v, "buyerTel", &self.buyer_tel);
        push_opt(&mut v, "buyerEmail", &self.buyer_email);
        if let Some(t) = self.tax_free_amt {
            v.push(("taxFreeAmt", json!(t)));
        }
        v.extend([
            ("ediDate", text(&self.edi_date)),
            ("signData", text(&self.sign_data)),
            ("returnCharSet", text(self.return_charset)),
        ]);
        v
    }
}

/// `POST /v1/subscribe/{bid}/expire` (`api/payment-subscribe.md` 빌키삭제).
#[derive(Debug, Clone)]
pub struct ExpireRequest {
    /// 상점 거래 고유번호 (64).
    pub order_id: String,
    /// ISO 8601.
    pub edi_date: String,
    /// `hex(sha256(orderId + bid + ediDate + SecretKey))`.
    pub sign_data: String,
    /// `utf-8`.
    pub return_charset: &'static str,
}

impl Params for ExpireRequest {
    fn pairs(&self) -> Vec<(&'static str, Value)> {
        vec![
            ("orderId", text(&self.order_id)),
            ("ediDate", text(&self.edi_date)),
            ("signData", text(&self.sign_data)),
            ("returnCharSet", text(self.return_charset)),
        ]
    }
}

/// `POST /v1/payments/{tid}/cancel` (`api/cancel.md` 요청 명세).
#[derive(Debug, Clone)]
pub struct CancelRequest {
    /// 취소사유 (100).
    pub reason: String,
    /// 상점 거래 고유번호 (64); a partial cancel cannot reuse one.
    pub order_id: String,
    /// 부분취소 금액; absent = "전액취소".
    pub cancel_amt: Option<i64>,
    /// ISO 8601.
    pub edi_date: String,
    /// `hex(sha256(tid + ediDate + SecretKey))`.
    pub sign_data: String,
    /// `utf-8`.
    pub return_charset: &'static str,
    /// 취소금액중 면세공급가액, when any.
    pub tax_free_amt: Option<i64>,
    /// 환불계좌번호 (16), for a deposited virtual account.
    pub refund_account: Option<Secret<String>>,
    /// 환불계좌코드 (3).
    pub refund_bank_code: Option<String>,
    /// 환불계좌 예금주명 (10).
    pub refund_holder: Option<String>,
}

impl Params for CancelRequest {
    fn pairs(&self) -> Vec<(&'static str, Value)> {
        let mut v = vec![
            ("reason", text(&self.reason)),
            ("orderId", text(&self.order_id)),
        ];
        if let Some(a) = self.cancel_amt {
            v.push(("cancelAmt", json!(a)));
        }
        v.extend([
            ("ediDate", text(&self.edi_date)),
            ("signData", text(&self.sign_data)),
            ("returnCharSet", text(self.return_charset)),
        ]);
        if let Some(t) = self.tax_free_amt {
            v.push(("taxFreeAmt", json!(t)));
        }
        if let Some(a) = &self.refund_account {
            v.push(("refundAccount", text(a.expose())));
        }
        push_opt(&mut v, "refundBankCode", &self.refund_bank_code);
        push_opt(&mut v, "refundHolder", &self.refund_holder);
        v
    }
}

/// `POST /v1/payments/{tid}` (`api/payment-window-server.md` 승인).
#[derive(Debug, Clone)]
pub struct ApproveRequest {
    /// 결제금액.
    pub amount: i64,
    /// ISO 8601.
    pub edi_date: String,
    /// `hex(sha256(tid + amount + ediDate + SecretKey))`.
    pub sign_data: String,
    /// `utf-8`.
    pub return_charset: &'static str,
}

impl Params for ApproveRequest {
    fn pairs(&self) -> Vec<(&'static str, Value)> {
        vec![
            ("amount", json!(self.amount)),
            ("ediDate", text(&self.edi_date)),
            ("signData", text(&self.sign_data)),
            ("returnCharSet", text(self.return_charset)),
        ]
    }
}

/// The `AUTHNICE.requestPay({...})` object of the window (`api/payment-window-server.md`
/// 요청 명세), as form fields, in the table's order.
#[derive(Debug, Clone, Default)]
pub struct WindowForm {
    /// 가맹점 식별코드: the client key.
    pub client_id: String,
    /// `card`, `bank`, `vbank`.
    pub method: String,
    /// 주문번호 (64).
    pub order_id: String,
    /// 결제금액.
    pub amount: i64,
    /// 상품명 (40).
    pub goods_name: String,
    /// Where the window posts the auth result (500).
    pub return_url: String,
    /// 상점에서 관리하는 사용자 아이디 (20).
    pub mall_user_id: Option<String>,
    /// 구매자 이름 (30).
    pub buyer_name: Option<String>,
    /// 구매자 전화번호, digits (40).
    pub buyer_tel: Option<String>,
    /// 구매자 이메일 (60).
    pub buyer_email: Option<String>,
    /// `utf-8`.
    pub return_charset: &'static str,
    /// 면세 금액, when any.
    pub tax_free_amt: Option<i64>,
    /// 가상계좌 예금주 ("가상계좌 채번시 필수").
    pub vbank_holder: Option<String>,
    /// 가상계좌 유효시간 (hours).
    pub vbank_valid_hours: Option<i64>,
}

impl WindowForm {
    /// The fields, values as text (a form carries text).
    pub fn pairs(&self) -> Vec<(&'static str, String)> {
        let mut v = vec![
            ("clientId", self.client_id.clone()),
            ("method", self.method.clone()),
            ("orderId", self.order_id.clone()),
            ("amount", self.amount.to_string()),
            ("goodsName", self.goods_name.clone()),
            ("returnUrl", self.return_url.clone()),
        ];
        let mut opt = |k: &'static str, val: &Option<String>| {
            if let Some(s) = val.as_deref().filter(|s| !s.is_empty()) {
                v.push((k, s.to_string()));
            }
        };
        opt("mallUserId", &self.mall_user_id);
        opt("buyerName", &self.buyer_name);
        opt("buyerTel", &self.buyer_tel);
        opt("buyerEmail", &self.buyer_email);
        v.push(("returnCharSet", self.return_charset.to_string()));
        if let Some(t) = self.tax_free_amt {
            v.push(("taxFreeAmt", t.to_string()));
        }
        if let Some(h) = &self.vbank_holder {
            v.push(("vbankHolder", h.clone()));
        }
        if let Some(h) = self.vbank_valid_hours {
            v.push(("vbankValidHours", h.to_string()));
        }
        v
    }
}

/// A NICE answer (or webhook): a JSON object. Field names are read case-insensitively when the
/// exact name is absent: the billing-key sample answers `ResultCode` / `BID` where its table
/// says `resultCode` / `bid` (`api/payment-subscribe.md`).
#[derive(Clone)]
pub struct Answer(Map<String, Value>);

impl std::fmt::Debug for Answer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Answer({})", self.view())
    }
}

impl Answer {
    /// Parse an answer body: not JSON, or not an object, is an error naming what was wrong
    /// (never the bytes).
    pub fn parse(body: &[u8]) -> Result<Answer, String> {
        match serde_json::from_slice::<Value>(body) {
            Ok(Value::Object(m)) => Ok(Answer(m)),
            Ok(_) => Err("the answer is JSON but not an object".into()),
            Err(e) => Err(format!(
                "the answer is not JSON (line {}, column {})",
                e.line(),
                e.column()
            )),
        }
    }

    /// Wrap an object (the simulator's answers).
    pub fn from_map(m: Map<String, Value>) -> Answer {
        Answer(m)
    }

    fn raw(&self, field: &str) -> Option<&Value> {
        self.0.get(field).or_else(|| {
            self.0
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(field))
                .map(|(_, v)| v)
        })
    }

    /// A field as text, trimmed; `None` when absent, null or blank. (NICE's `"0"` for "no
    /// time" in the `…At` fields comes back as `"0"`: the time parser reads it as none.)
    pub fn get(&self, field: &str) -> Option<String> {
        text_of(self.raw(field)?)
    }

    /// A field of a nested object (`card.cardCode`).
    pub fn get_in(&self, object: &str, field: &str) -> Option<String> {
        text_of(self.raw(object)?.get(field)?)
    }

    /// `resultCode`.
    pub fn result_code(&self) -> Option<String> {
        self.get("resultCode")
    }

    /// `resultMsg`, or empty.
    pub fn result_msg(&self) -> String {
        self.get("resultMsg").unwrap_or_default()
    }

    /// The exact JSON bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        serde_json::to_vec(&Value::Object(self.0.clone())).unwrap_or_default()
    }

    /// The masked view.
    pub fn view(&self) -> Value {
        fn masked(k: &str, v: &Value) -> Value {
            match v {
                Value::String(s) => Value::String(mask(k, s)),
                Value::Object(m) => {
                    Value::Object(m.iter().map(|(k, v)| (k.clone(), masked(k, v))).collect())
                }
                Value::Array(a) => Value::Array(a.iter().map(|v| masked(k, v)).collect()),
                other => other.clone(),
            }
        }
        Value::Object(
            self.0
                .iter()
                .map(|(k, v)| (k.clone(), masked(k, v)))
                .collect(),
        )
    }

    /// The answer's `signature` checks against `hex(sha256(tid + amount + ediDate +
    /// SecretKey))`: `Some(true)` / `Some(false)`, `None` when it carries none ("유효한
    /// 거래건에 한하여 응답").
    pub fn signature_ok(&self, secret_key: &str) -> Option<bool> {
        let got = self.get("signature")?;
        let expected = sign(
            &[
                &self.get("tid").unwrap_or_default(),
                &self.get("amount").unwrap_or_default(),
                &self.get("ediDate").unwrap_or_default(),
            ],
            secret_key,
        );
        Some(signature_matches(&expected, &got))
    }
}

fn text_of(v: &Value) -> Option<String> {
    let s = match v {
        Value::String(s) => s.trim().to_string(),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        _ => return None,
    };
    (!s.is_empty()).then_some(s)
}

fn header(name: &str, value: String, sensitive: bool) -> Header {
    Header {
        name: name.into(),
        value,
        sensitive,
    }
}

/// An API call: `method` `url` with the Basic credentials (a sensitive header: views mask it)
/// and, for POST, the JSON body.
pub fn api_call(
    method: &str,
    url: String,
    credentials: &Secret<String>,
    body: Vec<u8>,
    view: WireView,
) -> WireRequest {
    let mut headers = vec![header("Authorization", credentials.expose().clone(), true)];
    if method == "POST" {
        headers.push(header(
            "Content-Type",
            "application/json;charset=utf-8".into(),
            false,
        ));
    }
    WireRequest {
        target: WireTarget::Http {
            url_secret: None,
            method: method.into(),
            url,
            headers,
        },
        body,
        view,
        read_timeout: None,
    }
}

/// A JSON POST of `params`, with its masked view built when first read.
pub fn post(url: String, credentials: &Secret<String>, params: &dyn Params) -> WireRequest {
    post_with_view(url, credentials, params, None)
}

/// [`post`], with an extra entry in the view (the decrypted `encData`, masked).
pub fn post_with_view(
    url: String,
    credentials: &Secret<String>,
    params: &dyn Params,
    extra: Option<(&'static str, Value)>,
) -> WireRequest {
    let pairs = params.pairs();
    let body = json_object(&pairs);
    let view = WireView::lazy(move || {
        let mut v = json!({ "json": masked_view(&pairs) });
        if let Some((k, x)) = &extra {
            v[*k] = x.clone();
        }
        v
    });
    api_call("POST", url, credentials, body, view)
}

/// A path segment, percent-encoded (orderIds may hold any character).
pub fn segment(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A phone number as NICE wants it: digits only ("'-' 없이 숫자만 입력").
pub fn digits(s: &str) -> String {
    s.chars().filter(char::is_ascii_digit).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `api/payment-subscribe.md` "encData 필드 암호화 예시".
    const PLAIN: &[u8] = b"cardNo=1234567890123456&expYear=25&expMonth=12&idNo=800101&cardPw=12";
    const SECRET: &str = "2dcc2a0d63bf469490bb19a201be3735";

    #[test]
    fn enc_data_default_is_the_manuals_aes128_ecb_vector() {
        let got = enc_data(EncMode::Default, SECRET, PLAIN).unwrap();
        assert_eq!(
            got,
            "7c4b12eb43324290bd0e522900a892343f57e0d176cdadae757132c7f3cd442f023ef5c3ffa254ed04b6d47624d4c7847e8061f3be0d67adf1b463b46a542052cf47a5206bfd23945fc1851d426468f4"
        );
        assert_eq!(dec_data(EncMode::Default, SECRET, &got).unwrap(), PLAIN);
    }

    #[test]
    fn enc_data_a2_is_the_manuals_aes256_cbc_vector() {
        let got = enc_data(EncMode::A2, SECRET, PLAIN).unwrap();
        assert_eq!(
            got,
            "6ecfe97e521bc67c3053d74a9dbdba53033d343fc9e8e38e730964b22ef2e4a59607171b00a9da977141b3f79fffa1e80a16c08bc58666b479f554a966a363414347e62f2621f8df220c7a4a545592d0"
        );
        assert_eq!(dec_data(EncMode::A2, SECRET, &got).unwrap(), PLAIN);
    }

    #[test]
    fn card_data_plaintext_is_the_manuals() {
        let s = |v: &str| Secret::new(v.to_string());
        let c = CardData {
            card_no: s("1234567890123456"),
            exp_year: s("25"),
            exp_month: s("12"),
            id_no: s("800101"),
            card_pw: s("12"),
        };
        assert_eq!(c.plaintext().expose().as_bytes(), PLAIN);
        let back = CardData::parse(c.plaintext().expose()).unwrap();
        assert_eq!(back.card_no.expose(), "1234567890123456");
        let view = c.view().to_string();
        assert!(!view.contains("1234567890123456") && !view.contains("800101"));
    }

    #[test]
    fn keys_are_checked_and_never_echoed() {
        let e = enc_data(EncMode::A2, "short-key-0123456", b"x").unwrap_err();
        assert!(!e.to_string().contains("short-key"));
        assert!(check_secret_key(EncMode::Default, "0123456789abcdef").is_ok());
        assert!(check_secret_key(EncMode::Default, "0123456789").is_err());
        assert!(check_secret_key(EncMode::A2, "가나다라마바사아자차카타파하가나").is_err());
        assert!(dec_data(EncMode::Default, SECRET, "zz").is_err());
        assert!(dec_data(EncMode::Default, SECRET, "00").is_err());
        // A wrong key gives bad padding, not a panic.
        let ct = enc_data(EncMode::Default, SECRET, PLAIN).unwrap();
        assert!(dec_data(EncMode::Default, "ffffffffffffffffffffffffffffffff", &ct).is_err());
    }

    /// The published sandbox keys (README.md lines 169–174).
    const SANDBOX_CLIENT: &str = "S2_af4543a0be4d49a98122e01ec2059a56";
    const SANDBOX_SECRET: &str = "9eb85607103646da9f9c02b128f2e5ee";

    #[test]
    fn basic_credentials_are_the_readmes() {
        assert_eq!(
            basic_credentials(SANDBOX_CLIENT, SANDBOX_SECRET),
            "Basic UzJfYWY0NTQzYTBiZTRkNDlhOTgxMjJlMDFlYzIwNTlhNTY6OWViODU2MDcxMDM2NDZkYTlmOWMwMmIxMjhmMmU1ZWU="
        );
    }

    #[test]
    fn auth_signature_is_the_readmes() {
        // README.md 결제창 응답: signature = hex(sha256(authToken + clientId + amount + SecretKey)).
        assert_eq!(
            sign(
                &[
                    "NICEUNTTB06096FF8F653AA366E7EEED1101AAAE",
                    SANDBOX_CLIENT,
                    "1004"
                ],
                SANDBOX_SECRET
            ),
            "99ea68bf15681741e793ece56ab87891b9bdc94cd54abdcb55b2884f4336155a"
        );
    }

    #[test]
    fn response_signature_is_the_readmes() {
        // README.md 결제(승인) 응답 예시: hex(sha256(tid + amount + ediDate + SecretKey)).
        let answer = Answer::parse(
            br#"{"resultCode":"0000","tid":"UT0000113m01012111051714341073","amount":1004,
                "ediDate":"2021-11-05T17:14:35.150+0900",
                "signature":"63b251b31c909eebef1a9f4fcc19e77bdcb8f64fc1066a29670f8627186865cd"}"#,
        )
        .unwrap();
        assert_eq!(answer.signature_ok(SANDBOX_SECRET), Some(true));
        assert_eq!(
            answer.signature_ok("9eb85607103646da9f9c02b128f2e5ef"),
            Some(false)
        );
        assert!(signature_matches(
            &sign(&["a"], "k"),
            &sign(&["a"], "k").to_ascii_uppercase()
        ));
    }

    #[test]
    fn json_keeps_order_and_types() {
        let b = json_object(&[("b", json!(1)), ("a", text("\"홍\"")), ("c", json!(false))]);
        assert_eq!(b, r#"{"b":1,"a":"\"홍\"","c":false}"#.as_bytes());
    }

    #[test]
    fn answers_read_both_cases_and_nested_fields() {
        let a =
            Answer::parse(br#"{"ResultCode":"0000","BID":"B1","card":{"cardCode":"04"}}"#).unwrap();
        assert_eq!(a.result_code().as_deref(), Some("0000"));
        assert_eq!(a.get("bid").as_deref(), Some("B1"));
        assert_eq!(a.get_in("card", "cardCode").as_deref(), Some("04"));
        assert!(!a.view().to_string().contains("B1"));
        assert!(Answer::parse(b"[1]").is_err());
        assert!(Answer::parse(b"<html>").is_err());
    }

    #[test]
    fn segments_are_percent_encoded() {
        assert_eq!(segment("a b/c가"), "a%20b%2Fc%EA%B0%80");
        assert_eq!(segment("UT00-1_x.~"), "UT00-1_x.~");
    }
}
