//! SmartroPay's wire structs, with the vendor's field names in the vendor's order, and their
//! exact bytes. No mapping logic here (that is [`crate::encode`] and [`crate::checkout`]).
//! Parameter structs of the **reconstructed** calls are here too, each marked.
//!
//! Two body shapes travel to the server, both JSON in UTF-8 with `Content-Type:
//! application/json` (id9043725511 `Curl`, id41891908595 `callApi`):
//!
//! - plain: `{"Tid": …, "TrAuthKey": …}` for the approval of a window payment;
//! - encrypted: `{"EncData": …, "Mid": …}` where
//!   `EncData = base64(AES-256-CBC(JSON(params), key = MerchantKey[0..32], IV = 16 zero bytes))`
//!   with PKCS#7 padding (id36636996423 `openssl_encrypt(…, 'aes-256-cbc', substr($MerchantKey,
//!   0, 32), true, str_repeat(chr(0), 16))`; id41891908595 `AES/CBC/PKCS5Padding`).
//!
//! Every value is a JSON string, as the samples send them (`"CancelSeq" => "1"`,
//! `String.valueOf(vatAmount)`). Card numbers, passwords, birth dates and keys are
//! [`Secret`]s; views mask them by field name ([`crate::protocol::mask`]).

use chrono::{DateTime, FixedOffset};
use paymux_core::adapter::{Header, WireRequest, WireTarget, WireView};
use paymux_core::secret::Secret;
use paymux_core::wire::codec::digits14;
use paymux_core::wire::{codec, crypto, WireError};
use serde_json::{json, Map, Value};

use crate::protocol::{mask, AES_KEY_CHARS};

/// The 16 zero bytes every sample uses as IV.
pub const ZERO_IV: [u8; 16] = [0; 16];

/// A message as the vendor names it: its fields in wire order.
pub trait Params {
    /// `(field, value)` in the order the bytes carry them. Values are exposed: only the byte
    /// writer and the masking view call this.
    fn pairs(&self) -> Vec<(&'static str, String)>;
}

/// The bytes of a JSON object with the fields in order, compact, UTF-8 (what `json_encode` /
/// `JSONObject` produce, modulo their optional escaping of `/` and non-ASCII, which JSON
/// readers undo).
pub fn json_object(pairs: &[(&'static str, String)]) -> Vec<u8> {
    // One buffer, strings escaped straight into it (no String per key and value).
    let room: usize = pairs.iter().map(|(k, v)| k.len() + v.len() + 6).sum();
    let mut out = Vec::with_capacity(room + 2);
    out.push(b'{');
    for (i, (k, v)) in pairs.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        json_string(&mut out, k);
        out.push(b':');
        json_string(&mut out, v);
    }
    out.push(b'}');
    out
}

/// `s` as a JSON string literal, as serde_json writes it. Most values need no escape (serde_json
/// escapes only `"`, `\` and control characters): they are copied as they are.
fn json_string(out: &mut Vec<u8>, s: &str) {
    // Without early exit, so the compiler can check many bytes at once (EncData is long).
    let needs_escape = s.bytes().fold(false, |acc, b| {
        acc | (b < 0x20) | (b == b'"') | (b == b'\\')
    });
    if needs_escape {
        // Writing a &str into a Vec cannot fail.
        let _ = serde_json::to_writer(&mut *out, s);
        return;
    }
    out.push(b'"');
    out.extend_from_slice(s.as_bytes());
    out.push(b'"');
}

/// The masked view of ordered fields: a list of one-key objects, so order survives.
pub fn masked_view(pairs: &[(&'static str, String)]) -> Value {
    Value::Array(
        pairs
            .iter()
            .map(|(k, v)| {
                let mut m = Map::new();
                m.insert((*k).to_string(), Value::String(mask(k, v)));
                Value::Object(m)
            })
            .collect(),
    )
}

/// The AES-256 key: the first 32 characters of the merchant key, as bytes (the samples call
/// `substr`/`substring` then `getBytes("UTF-8")`). The merchant key must be ASCII there.
pub fn aes_key(merchant_key: &Secret<String>) -> Result<Secret<Vec<u8>>, &'static str> {
    let k = merchant_key.expose();
    // The first 32 characters, sliced rather than collected (read on every call).
    let mut ends = k.char_indices().map(|(i, c)| i + c.len_utf8());
    let Some(end) = ends.nth(AES_KEY_CHARS - 1) else {
        return Err("must be at least 32 characters (its first 32 are the AES-256 key)");
    };
    let head = &k[..end];
    if !head.is_ascii() {
        return Err("its first 32 characters must be ASCII (they are the AES-256 key bytes)");
    }
    Ok(Secret::new(head.as_bytes().to_vec()))
}

/// `base64(AES-256-CBC(plaintext, key, zero IV))`.
pub fn encrypt(key: &Secret<Vec<u8>>, plaintext: &[u8]) -> Result<String, WireError> {
    Ok(codec::b64_encode(&crypto::aes_cbc_encrypt(
        key.expose(),
        &ZERO_IV,
        plaintext,
    )?))
}

/// The reverse of [`encrypt`]: bad base64, a wrong key or corrupted data is an error.
pub fn decrypt(key: &Secret<Vec<u8>>, b64: &str) -> Result<Vec<u8>, WireError> {
    let raw = codec::b64_decode("EncData", b64)?;
    crypto::aes_cbc_decrypt(key.expose(), &ZERO_IV, &raw)
}

/// `base64(sha256_raw(text))`: `encodeSHA256Base64` (id41891908595), `base64_encode(hash(
/// 'sha256', …, true))` (id36707751919). Used for `EncryptData`, `HashData` and `VerifyValue`.
pub fn sha256_b64(text: &str) -> String {
    codec::b64_encode(&crypto::sha256(text.as_bytes()))
}

/// The deposit notice's `SignValue`:
/// `base64(sha256(TID[0..10] + ResultCode + TID[10..15] + MerchantKey + TID[15..]))` (vendor
/// notes §3a). A TID shorter than a cut contributes what it has (Smartro's TIDs are 30
/// characters).
pub fn notice_sign_value(tid: &str, result_code: &str, merchant_key: &str) -> String {
    let part = |from: usize, to: usize| {
        let from = from.min(tid.len());
        tid.get(from..to.clamp(from, tid.len())).unwrap_or_default()
    };
    sha256_b64(&format!(
        "{}{result_code}{}{merchant_key}{}",
        part(0, 10),
        part(10, 15),
        part(15, usize::MAX)
    ))
}

/// `{"EncData": …, "Mid": …}`: the exact body and its view (the decrypted params, masked),
/// built when first read.
pub fn encrypted_body(
    mid: &str,
    key: &Secret<Vec<u8>>,
    params: &dyn Params,
) -> Result<(Vec<u8>, WireView), WireError> {
    let pairs = params.pairs();
    let plain = json_object(&pairs);
    let enc = encrypt(key, &plain)?;
    let base64_length = enc.len();
    let body = json_object(&[("EncData", enc), ("Mid", mid.to_string())]);
    let mid = mid.to_string();
    let view = WireView::lazy(move || {
        json!({
            "EncData": {
                "cipher": "base64(AES-256-CBC(JSON, key = MerchantKey[0..32], IV = 16 zero bytes), PKCS#7)",
                "base64Length": base64_length,
                "decrypted": masked_view(&pairs),
            },
            "Mid": mid,
        })
    });
    Ok((body, view))
}

/// The approval of a window payment: `{"Tid", "TrAuthKey"}` in clear JSON (id9043725511).
#[derive(Debug, Clone)]
pub struct ApprovalRequest {
    /// The window's transaction id.
    pub tid: String,
    /// The window's one-time approval key.
    pub tr_auth_key: Secret<String>,
}

impl Params for ApprovalRequest {
    fn pairs(&self) -> Vec<(&'static str, String)> {
        vec![
            ("Tid", self.tid.clone()),
            ("TrAuthKey", self.tr_auth_key.expose().clone()),
        ]
    }
}

/// Cancel parameters (id36636996423, id42417833469), in the samples' order.
#[derive(Debug, Clone)]
pub struct CancelParams {
    /// `SERVICE_MODE`: `CL1`.
    pub service_mode: &'static str,
    /// The payment's TID (30).
    pub tid: String,
    /// The MID the payment was made under (10).
    pub mid: String,
    /// Amount cancelled now (12).
    pub cancel_amt: String,
    /// Cancel password set in the merchant admin (20), empty when none.
    pub cancel_pwd: Secret<String>,
    /// Reason (100).
    pub cancel_msg: String,
    /// 1, 2, … per cancel of the payment (3).
    pub cancel_seq: String,
    /// `0` full, `1` partial.
    pub partial_cancel_code: &'static str,
    /// Taxable supply part of the cancel.
    pub cancel_tax_amt: String,
    /// Tax-free part of the cancel.
    pub cancel_tax_free_amt: String,
    /// VAT part of the cancel.
    pub cancel_vat_amt: String,
    /// Sub-mall split (empty: not used).
    pub divide_info: String,
    /// `base64(sha256(Tid + MerchantKey + CancelAmt + PartialCancelCode))`.
    pub hash_data: String,
    /// Refund account of a deposited virtual account (**reconstructed** field names).
    pub refund: Option<RefundAccountParams>,
}

impl Params for CancelParams {
    fn pairs(&self) -> Vec<(&'static str, String)> {
        let mut v = vec![
            ("SERVICE_MODE", self.service_mode.to_string()),
            ("Tid", self.tid.clone()),
            ("Mid", self.mid.clone()),
            ("CancelAmt", self.cancel_amt.clone()),
            ("CancelPwd", self.cancel_pwd.expose().clone()),
            ("CancelMsg", self.cancel_msg.clone()),
            ("CancelSeq", self.cancel_seq.clone()),
            ("PartialCancelCode", self.partial_cancel_code.to_string()),
            ("CancelTaxAmt", self.cancel_tax_amt.clone()),
            ("CancelTaxFreeAmt", self.cancel_tax_free_amt.clone()),
            ("CancelVatAmt", self.cancel_vat_amt.clone()),
            ("DivideInfo", self.divide_info.clone()),
            ("HashData", self.hash_data.clone()),
        ];
        if let Some(r) = &self.refund {
            v.extend(r.pairs());
        }
        v
    }
}

/// `HashData` of a cancel (id36636996423; manual cancelModule.do).
pub fn cancel_hash(tid: &str, merchant_key: &str, cancel_amt: &str, partial: &str) -> String {
    sha256_b64(&format!("{tid}{merchant_key}{cancel_amt}{partial}"))
}

/// Billing-key charge parameters (`ssbbill.do`, id42417833469), in the sample's order.
#[derive(Debug, Clone)]
pub struct BillParams {
    /// Payer IP.
    pub user_ip: String,
    /// Merchant server IP.
    pub mall_ip: String,
    /// The billing MID.
    pub mid: String,
    /// The billing key, decrypted.
    pub bill_token_key: Secret<String>,
    /// Order id (40).
    pub moid: String,
    /// `yyyyMMddHHmmss`.
    pub edi_date: String,
    /// Payer name (30).
    pub buyer_name: String,
    /// Payer phone, digits (40).
    pub buyer_tel: String,
    /// Payer e-mail (60).
    pub buyer_email: String,
    /// Instalment months, 2 digits (`00` lump sum).
    pub card_quota: String,
    /// Card points: `0` not used.
    pub card_point: &'static str,
    /// Number of goods.
    pub goods_cnt: String,
    /// Goods name (40).
    pub goods_name: String,
    /// Amount (12).
    pub amt: String,
    /// Service charge.
    pub svc_amt: &'static str,
    /// VAT.
    pub vat_amt: String,
    /// Taxable supply value.
    pub tax_amt: String,
    /// Tax-free part.
    pub tax_free_amt: String,
    /// Merchant's user id (20).
    pub mall_user_id: String,
    /// `base64(sha256(BillTokenKey + Mid + Amt))`.
    pub verify_value: String,
}

impl Params for BillParams {
    fn pairs(&self) -> Vec<(&'static str, String)> {
        vec![
            ("UserIp", self.user_ip.clone()),
            ("MallIp", self.mall_ip.clone()),
            ("Mid", self.mid.clone()),
            ("BillTokenKey", self.bill_token_key.expose().clone()),
            ("Moid", self.moid.clone()),
            ("EdiDate", self.edi_date.clone()),
            ("BuyerName", self.buyer_name.clone()),
            ("BuyerTel", self.buyer_tel.clone()),
            ("BuyerEmail", self.buyer_email.clone()),
            ("CardQuota", self.card_quota.clone()),
            ("CardPoint", self.card_point.to_string()),
            ("GoodsCnt", self.goods_cnt.clone()),
            ("GoodsName", self.goods_name.clone()),
            ("Amt", self.amt.clone()),
            ("SvcAmt", self.svc_amt.to_string()),
            ("VatAmt", self.vat_amt.clone()),
            ("TaxAmt", self.tax_amt.clone()),
            ("TaxFreeAmt", self.tax_free_amt.clone()),
            ("MallUserId", self.mall_user_id.clone()),
            ("VerifyValue", self.verify_value.clone()),
        ]
    }
}

/// `VerifyValue` of a billing charge (id42417833469).
pub fn bill_verify_value(bill_token_key: &str, mid: &str, amt: &str) -> String {
    sha256_b64(&format!("{bill_token_key}{mid}{amt}"))
}

/// `EncryptData` of the payment window (id36707751919).
pub fn encrypt_data(edi_date: &str, mid: &str, amt: &str, merchant_key: &str) -> String {
    sha256_b64(&format!("{edi_date}{mid}{amt}{merchant_key}"))
}

/// The payment-window form (id36707751919 `tranMgr`), in the sample's order. Optional fields
/// are left out when empty.
#[derive(Debug, Clone, Default)]
pub struct WindowForm {
    /// `CARD`, `BANK`, `VBANK`, `CELLPHONE`.
    pub pay_method: String,
    /// Number of goods (2).
    pub goods_cnt: String,
    /// Goods name (40).
    pub goods_name: String,
    /// Amount (12).
    pub amt: String,
    /// Order id (40, no special characters).
    pub moid: String,
    /// MID (10).
    pub mid: String,
    /// Where the PC window posts `Tid`/`TrAuthKey` back.
    pub return_url: String,
    /// Where the mobile window returns on stop ("Mobile 연동 시 필수").
    pub stop_url: Option<String>,
    /// Payer name (30).
    pub buyer_name: String,
    /// Payer phone (40).
    pub buyer_tel: String,
    /// Payer e-mail (60).
    pub buyer_email: String,
    /// Merchant server IP.
    pub mall_ip: String,
    /// Deposit deadline `yyyyMMdd` ("가상계좌 이용 시 필수").
    pub vbank_exp_date: Option<String>,
    /// `base64(sha256(EdiDate + Mid + Amt + MerchantKey))`.
    pub encrypt_data: String,
    /// Goods class `0`/`1` ("핸드폰결제 시 필수").
    pub goods_cl: Option<String>,
    /// `yyyyMMddHHmmss`.
    pub edi_date: String,
    /// Taxable supply value.
    pub tax_amt: String,
    /// Tax-free part.
    pub tax_free_amt: String,
    /// VAT.
    pub vat_amt: String,
    /// Merchant's user id (20; notes §3a).
    pub mall_user_id: Option<String>,
    /// Window colour (`RED`, `GREEN`, `BLUE`, `PURPLE`; PortOne `bypass.smartro_v2.SkinColor`).
    pub skin_color: Option<String>,
    /// `KR` domestic / `EN` foreign cards (PortOne `bypass.smartro_v2.OpenType`).
    pub open_type: Option<String>,
    /// `utf8` (notes §3a: `EncodingType` utf8/euckr).
    pub encoding_type: &'static str,
}

impl Params for WindowForm {
    fn pairs(&self) -> Vec<(&'static str, String)> {
        let mut v = vec![
            ("PayMethod", self.pay_method.clone()),
            ("GoodsCnt", self.goods_cnt.clone()),
            ("GoodsName", self.goods_name.clone()),
            ("Amt", self.amt.clone()),
            ("Moid", self.moid.clone()),
            ("Mid", self.mid.clone()),
            ("ReturnUrl", self.return_url.clone()),
        ];
        if let Some(s) = &self.stop_url {
            v.push(("StopUrl", s.clone()));
        }
        v.extend([
            ("BuyerName", self.buyer_name.clone()),
            ("BuyerTel", self.buyer_tel.clone()),
            ("BuyerEmail", self.buyer_email.clone()),
            ("MallIp", self.mall_ip.clone()),
        ]);
        if let Some(d) = &self.vbank_exp_date {
            v.push(("VbankExpDate", d.clone()));
        }
        v.push(("EncryptData", self.encrypt_data.clone()));
        if let Some(g) = &self.goods_cl {
            v.push(("GoodsCl", g.clone()));
        }
        v.extend([
            ("EdiDate", self.edi_date.clone()),
            ("TaxAmt", self.tax_amt.clone()),
            ("TaxFreeAmt", self.tax_free_amt.clone()),
            ("VatAmt", self.vat_amt.clone()),
        ]);
        if let Some(u) = &self.mall_user_id {
            v.push(("MallUserId", u.clone()));
        }
        if let Some(c) = &self.skin_color {
            v.push(("SkinColor", c.clone()));
        }
        if let Some(o) = &self.open_type {
            v.push(("OpenType", o.clone()));
        }
        v.push(("EncodingType", self.encoding_type.to_string()));
        v
    }
}

/// A Smartro answer: a JSON object whose values are strings (sometimes numbers).
#[derive(Clone)]
pub struct Answer(Map<String, Value>);

impl std::fmt::Debug for Answer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Answer({})", self.view())
    }
}

impl Answer {
    /// Parse an answer body. Not JSON, or not an object, is an error naming what was wrong
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

    /// Build one from fields (the simulator's answers).
    pub fn from_pairs(pairs: &[(&str, String)]) -> Answer {
        Answer(
            pairs
                .iter()
                .map(|(k, v)| ((*k).to_string(), Value::String(v.clone())))
                .collect(),
        )
    }

    /// A field as text, trimmed; `None` when absent, null or blank.
    pub fn get(&self, field: &str) -> Option<String> {
        let s = match self.0.get(field)? {
            Value::String(s) => s.trim().to_string(),
            Value::Number(n) => n.to_string(),
            Value::Bool(b) => b.to_string(),
            _ => return None,
        };
        (!s.is_empty()).then_some(s)
    }

    /// `ResultCode`.
    pub fn result_code(&self) -> Option<String> {
        self.get("ResultCode")
    }

    /// `ResultMsg`, or empty.
    pub fn result_msg(&self) -> String {
        self.get("ResultMsg").unwrap_or_default()
    }

    /// The exact JSON bytes (the simulator writes these).
    pub fn to_bytes(&self) -> Vec<u8> {
        serde_json::to_vec(&Value::Object(self.0.clone())).unwrap_or_default()
    }

    /// The masked view.
    pub fn view(&self) -> Value {
        Value::Object(
            self.0
                .iter()
                .map(|(k, v)| {
                    let shown = match v {
                        Value::String(s) => Value::String(mask(k, s)),
                        other => other.clone(),
                    };
                    (k.clone(), shown)
                })
                .collect(),
        )
    }
}

/// Refund account of a deposited virtual account, appended to the cancel parameters.
/// **Reconstructed**: PortOne requires these refund fields for Smartro; the names are NICE's.
#[derive(Debug, Clone)]
pub struct RefundAccountParams {
    /// KFTC bank code.
    pub refund_bank_cd: String,
    /// Account number, digits.
    pub refund_acct_no: Secret<String>,
    /// Holder name.
    pub refund_acct_nm: String,
    /// Holder phone, digits.
    pub refund_tel: String,
}

impl Params for RefundAccountParams {
    fn pairs(&self) -> Vec<(&'static str, String)> {
        vec![
            ("RefundBankCd", self.refund_bank_cd.clone()),
            ("RefundAcctNo", self.refund_acct_no.expose().clone()),
            ("RefundAcctNm", self.refund_acct_nm.clone()),
            ("RefundTel", self.refund_tel.clone()),
        ]
    }
}

/// Server-side virtual-account issue (`vacct.do`), the fields in the order of the public
/// merchant integration that calls it (vendor notes §3a): the window's order fields, the bank,
/// deadline and holder, and the cash-receipt split. No `EncryptData` / `VerifyValue`: the
/// `EncData` envelope under the merchant key is the only proof.
#[derive(Debug, Clone)]
pub struct VacctParams {
    /// `VBANK`.
    pub pay_method: &'static str,
    /// Number of goods.
    pub goods_cnt: String,
    /// Goods name.
    pub goods_name: String,
    /// Amount.
    pub amt: String,
    /// Order id.
    pub moid: String,
    /// `yyyyMMddHHmmss`.
    pub edi_date: String,
    /// MID.
    pub mid: String,
    /// `00` a new account; `04` (일괄 채번) the account given in `SubId`.
    pub trans_type: &'static str,
    /// The account number with `TransType` `04`, else empty.
    pub sub_id: String,
    /// Payer name.
    pub buyer_name: String,
    /// Payer phone.
    pub buyer_tel: String,
    /// Payer e-mail.
    pub buyer_email: String,
    /// Deposit deadline `yyyyMMdd`.
    pub vbank_exp_date: String,
    /// KFTC bank code.
    pub vbank_bank_code: String,
    /// Account holder shown to the payer (may be empty); `VBankAccountName`, capital B.
    pub vbank_account_name: String,
    /// `0` none, `1` income deduction, `2` expense proof, `3` self-issued.
    pub cash_receipt_type: &'static str,
    /// Receipt total.
    pub receipt_amt: String,
    /// Receipt taxable part (과세).
    pub receipt_tax_amt: String,
    /// Receipt tax-free part (비과세).
    pub receipt_tax_free_amt: String,
    /// Receipt supply value (공급가액).
    pub receipt_supply_amt: String,
    /// Receipt VAT (부가세).
    pub receipt_vat_amt: String,
    /// Cash-receipt identity number (may be empty).
    pub receipt_identity: Secret<String>,
}

impl Params for VacctParams {
    fn pairs(&self) -> Vec<(&'static str, String)> {
        vec![
            ("PayMethod", self.pay_method.to_string()),
            ("GoodsCnt", self.goods_cnt.clone()),
            ("GoodsName", self.goods_name.clone()),
            ("Amt", self.amt.clone()),
            ("Moid", self.moid.clone()),
            ("EdiDate", self.edi_date.clone()),
            ("Mid", self.mid.clone()),
            ("TransType", self.trans_type.to_string()),
            ("SubId", self.sub_id.clone()),
            ("BuyerName", self.buyer_name.clone()),
            ("BuyerTel", self.buyer_tel.clone()),
            ("BuyerEmail", self.buyer_email.clone()),
            ("VbankExpDate", self.vbank_exp_date.clone()),
            ("VbankBankCode", self.vbank_bank_code.clone()),
            ("VBankAccountName", self.vbank_account_name.clone()),
            ("CashReceiptType", self.cash_receipt_type.to_string()),
            ("ReceiptAmt", self.receipt_amt.clone()),
            ("ReceiptTaxAmt", self.receipt_tax_amt.clone()),
            ("ReceiptTaxFreeAmt", self.receipt_tax_free_amt.clone()),
            ("ReceiptSupplyAmt", self.receipt_supply_amt.clone()),
            ("ReceiptVatAmt", self.receipt_vat_amt.clone()),
            ("ReceiptIdentity", self.receipt_identity.expose().clone()),
        ]
    }
}

/// Billing-key issue parameters. **Reconstructed**: only the SS-Pay window is public.
#[derive(Debug, Clone)]
pub struct BillKeyIssueParams {
    /// Payer IP.
    pub user_ip: String,
    /// Merchant server IP.
    pub mall_ip: String,
    /// The billing MID.
    pub mid: String,
    /// `yyyyMMddHHmmss`.
    pub edi_date: String,
    /// Merchant's user id (20): Smartro verifies a customer once per id.
    pub mall_user_id: String,
    /// Payer name.
    pub buyer_name: String,
    /// Payer phone.
    pub buyer_tel: String,
    /// Payer e-mail.
    pub buyer_email: String,
    /// Card number.
    pub card_num: Secret<String>,
    /// Expiry `YYMM`.
    pub card_expire: String,
    /// Birth date (yyMMdd) or business number.
    pub buyer_auth_num: Secret<String>,
    /// First two digits of the card password.
    pub card_pwd: Secret<String>,
    /// `0`: registering a key charges nothing.
    pub amt: &'static str,
    /// The window's `EncryptData` over `EdiDate + Mid + Amt + MerchantKey`.
    pub encrypt_data: String,
}

impl Params for BillKeyIssueParams {
    fn pairs(&self) -> Vec<(&'static str, String)> {
        vec![
            ("UserIp", self.user_ip.clone()),
            ("MallIp", self.mall_ip.clone()),
            ("Mid", self.mid.clone()),
            ("EdiDate", self.edi_date.clone()),
            ("MallUserId", self.mall_user_id.clone()),
            ("BuyerName", self.buyer_name.clone()),
            ("BuyerTel", self.buyer_tel.clone()),
            ("BuyerEmail", self.buyer_email.clone()),
            ("CardNum", self.card_num.expose().clone()),
            ("CardExpire", self.card_expire.clone()),
            ("BuyerAuthNum", self.buyer_auth_num.expose().clone()),
            ("CardPwd", self.card_pwd.expose().clone()),
            ("Amt", self.amt.to_string()),
            ("EncryptData", self.encrypt_data.clone()),
        ]
    }
}

/// Billing-key delete parameters. **Reconstructed**: no delete call is public.
#[derive(Debug, Clone)]
pub struct BillKeyDeleteParams {
    /// The billing MID.
    pub mid: String,
    /// The key, decrypted.
    pub bill_token_key: Secret<String>,
    /// `yyyyMMddHHmmss`.
    pub edi_date: String,
    /// `base64(sha256(BillTokenKey + Mid + EdiDate))`.
    pub verify_value: String,
}

impl Params for BillKeyDeleteParams {
    fn pairs(&self) -> Vec<(&'static str, String)> {
        vec![
            ("Mid", self.mid.clone()),
            ("BillTokenKey", self.bill_token_key.expose().clone()),
            ("EdiDate", self.edi_date.clone()),
            ("VerifyValue", self.verify_value.clone()),
        ]
    }
}

/// Inquiry parameters. **Reconstructed**: a lookup by `Moid` is not public.
#[derive(Debug, Clone)]
pub struct InquiryParams {
    /// The MID the payment lives under.
    pub mid: String,
    /// Order id.
    pub moid: String,
    /// TID when known, else empty.
    pub tid: String,
    /// `yyyyMMddHHmmss`.
    pub edi_date: String,
    /// `base64(sha256(EdiDate + Mid + Moid + MerchantKey))`.
    pub hash_data: String,
}

impl Params for InquiryParams {
    fn pairs(&self) -> Vec<(&'static str, String)> {
        vec![
            ("Mid", self.mid.clone()),
            ("Moid", self.moid.clone()),
            ("Tid", self.tid.clone()),
            ("EdiDate", self.edi_date.clone()),
            ("HashData", self.hash_data.clone()),
        ]
    }
}

/// `VerifyValue` of a delete. **Reconstructed**: the charge's formula with the request time
/// in place of the amount.
pub fn delete_verify_value(bill_token_key: &str, mid: &str, edi_date: &str) -> String {
    sha256_b64(&format!("{bill_token_key}{mid}{edi_date}"))
}

/// `HashData` of an inquiry. **Reconstructed**: the documented formulas' shape.
pub fn inquiry_hash(edi_date: &str, mid: &str, moid: &str, merchant_key: &str) -> String {
    sha256_b64(&format!("{edi_date}{mid}{moid}{merchant_key}"))
}

/// A JSON POST as the samples send it (`Accept` and `Content-Type: application/json`).
pub fn post_json(url: String, body: Vec<u8>, view: WireView) -> WireRequest {
    WireRequest {
        target: WireTarget::Http {
            url_secret: None,
            method: "POST".into(),
            url,
            headers: vec![
                header("Accept", "application/json"),
                header("Content-Type", "application/json"),
            ],
        },
        body,
        view,
        // The samples read for 10 s (protocol::READ_TIMEOUT_MS); the caller's timeouts decide.
        read_timeout: None,
    }
}

fn header(name: &str, value: &str) -> Header {
    Header {
        name: name.into(),
        value: value.into(),
        sensitive: false,
    }
}

/// `EdiDate`: `yyyyMMddHHmmss` in KST (id36707751919 `date("YmdHis")`).
pub fn edi_date(now: &DateTime<FixedOffset>) -> String {
    let t = now.with_timezone(&paymux_core::adapter::kst());
    digits14(&t).unwrap_or_else(|| t.format("%Y%m%d%H%M%S").to_string())
}

/// A phone number as the samples send it: digits only (id42417833469: "\"-\" 제외").
pub fn digits(phone: &str) -> String {
    phone.chars().filter(char::is_ascii_digit).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> Secret<Vec<u8>> {
        aes_key(&Secret::new(
            "0123456789abcdef0123456789ABCDEF-rest-ignored".into(),
        ))
        .unwrap()
    }

    #[test]
    fn json_strings_are_what_serde_json_writes() {
        for s in [
            "",
            "plain 홍길동 /",
            "a\"b",
            "back\\slash",
            "tab\there",
            "\u{1}\u{1f}\u{7f}",
        ] {
            let mut out = Vec::new();
            json_string(&mut out, s);
            assert_eq!(out, serde_json::to_vec(s).unwrap(), "{s:?}");
        }
    }

    #[test]
    fn json_keeps_order_and_escapes() {
        let s = json_object(&[("B", "1".into()), ("A", "\"홍\"/".into())]);
        assert_eq!(s, r#"{"B":"1","A":"\"홍\"/"}"#.as_bytes());
        let v: Value = serde_json::from_slice(&s).unwrap();
        assert_eq!(v["A"], "\"홍\"/");
    }

    #[test]
    fn aes_round_trip_and_openssl_vector() {
        let k = key();
        let enc = encrypt(&k, b"{\"a\":\"b\"}").unwrap();
        assert_eq!(decrypt(&k, &enc).unwrap(), b"{\"a\":\"b\"}");
        // `printf '{"a":"b"}' | openssl enc -aes-256-cbc -K <hex of the key> -iv 00..00 -base64`
        assert_eq!(enc, "IeePBuF8ouJHY4czIRr7NQ==");
        assert!(decrypt(&k, "not base64!").is_err());
        assert!(decrypt(&k, "AAAA").is_err());
    }

    #[test]
    fn merchant_key_must_carry_32_ascii_characters() {
        assert!(aes_key(&Secret::new("short".into())).is_err());
        assert!(aes_key(&Secret::new("가".repeat(40))).is_err());
        assert_eq!(key().expose().len(), 32);
    }

    #[test]
    fn hashes_follow_the_samples() {
        // base64(sha256("abc")) — the standard test vector.
        assert_eq!(
            sha256_b64("abc"),
            "ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0="
        );
        assert_eq!(cancel_hash("a", "b", "c", "0"), sha256_b64("abc0"));
        assert_eq!(bill_verify_value("k", "m", "1"), sha256_b64("km1"));
        assert_eq!(encrypt_data("d", "m", "1", "k"), sha256_b64("dm1k"));
    }

    #[test]
    fn answers_read_strings_and_numbers() {
        let a = Answer::parse(br#"{"ResultCode":"3001","Amt":500,"X":null,"Y":"  "}"#).unwrap();
        assert_eq!(a.result_code().as_deref(), Some("3001"));
        assert_eq!(a.get("Amt").as_deref(), Some("500"));
        assert_eq!(a.get("X"), None);
        assert_eq!(a.get("Y"), None);
        assert!(Answer::parse(b"[1]").is_err());
        assert!(Answer::parse(b"<html>").is_err());
    }
}
