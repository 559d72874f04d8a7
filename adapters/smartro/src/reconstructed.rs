//! Every **reconstructed** part of the SmartroPay wire format, in one place.
//!
//! The public material (merchant samples in the code index, PortOne's Smartro guides) shows
//! the window, its approval, the cancel and the billing-key charge. It does not show a
//! server-side virtual-account issue, a server-side billing-key issue, a billing-key delete or
//! a status inquiry — yet PortOne offers all of them for Smartro (`POST /payments/{id}/instant`
//! with `virtualAccount`, `POST /billing-keys` with `card`, V1 `/vbanks`). Each call here is
//! paymux's reconstruction: the documented envelope (`{EncData, Mid}`, AES-256-CBC under the
//! merchant key) with the field names the documented calls and the window already use, and the
//! documented signature formula closest to it. Every path is a channel option, so a
//! correction needs no new release. Confirm each against Smartro's merchant manual before going
//! live; the simulator speaks exactly these, so the conformance suite cannot catch a wrong
//! guess — only Smartro can.
//!
//! | part | reconstruction | why |
//! |---|---|---|
//! | virtual-account issue (`payment.instant`) | `{EncData, Mid}` to `/payment/approval/vbank.do` (option `vbank_path`): the window's fields (`PayMethod=VBANK`, `Moid`, `Amt`, `GoodsName`, `GoodsCnt`, `Buyer*`, `VbankExpDate`, tax split) plus `VbankBankCode`, `VbankAccountName`, `VbankFixedId`, `RcptType`/`RcptTypeNo`, signed with the window's `EncryptData` | the window issues accounts with `PayMethod=VBANK` and `VbankExpDate` (id36707751919); the server API is NOT FOUND |
//! | virtual-account answer | `ResultCode` `4100`, `Tid`, `VbankBankCode`, `VbankBankName`, `VbankNum`, `VbankExpDate`, `VbankExpTime`, `Amt`, `AuthDate` | Smartro's documented codes (3001 card, 2001 cancel, 2211 refund) are NICE's; NICE answers `4100` with these `Vbank*` fields |
//! | window results of other methods | `4000` transfer, `4100` virtual account, `A000` mobile | as above (only `3001` card is documented for Smartro) |
//! | bank codes | KFTC standard 3-digit codes ([`crate::protocol::BANKS`]) | Smartro's card codes match NICE's (`12` = NH농협, id9043725511); NICE takes KFTC bank codes |
//! | billing-key issue (`billing-key.issue`) | `{EncData, Mid}` under the billing MID to `/payment/approval/billkey.do` (option `billkey_issue_path`): `CardNum`, `CardExpire` (YYMM), `BuyerAuthNum`, `CardPwd`, `MallUserId`, `Buyer*`, `Amt=0`, signed with the window's `EncryptData` | Smartro documents only the SS-Pay window (billModule.do); PortOne offers the API issue for Smartro (card), so a server call exists but is not public |
//! | billing-key issue answer | `ResultCode` `3001`, `BillTokenKey` (AES-encrypted like the window's), `DisplayCardNo`, `CardExpire`, `IssuerCardCd`, `IssuerCardNm` | the SS-Pay window's return (id27193638936) |
//! | billing-key delete | `{EncData, Mid}` to `/payment/approval/billkeyDelete.do` (option `billkey_delete_path`): `Mid`, `BillTokenKey`, `EdiDate`, `VerifyValue = base64(sha256(BillTokenKey + Mid + EdiDate))`; success `0000` | NOT FOUND; the charge's `VerifyValue` with the request time in place of the amount |
//! | status inquiry (`payment.get`) | `{EncData, Mid}` to `/payment/approval/inquiry.do` (option `inquiry_path`): `Mid`, `Moid`, `Tid` (when known), `EdiDate`, `HashData = base64(sha256(EdiDate + Mid + Moid + MerchantKey))`; answer `0000` + `StateCd` (`0` approved, `1` cancelled, `2` partly cancelled, `3` awaiting deposit), `Amt`, `RemainAmt` | `approvalInquiry.do` (id15011382861) needs the window's `TrAuthKey`, which API payments and lost answers do not have; a lookup by `Moid` is what resolves an unknown outcome |
//! | inquiry "not found" | [`crate::protocol::sim::NOT_FOUND`] read as `TxState::NotFound` | Smartro's code list is NOT FOUND |
//! | inquiry MID | the TID's MID; without a TID, the billing MID when `prior.pgBillingKey` is given | billing payments live under the billing MID (id42417833469) |
//! | virtual-account refund | cancel + `RefundBankCd`, `RefundAcctNo`, `RefundAcctNm`, `RefundTel`; answered `2211` and reported `Pending` | PortOne requires refund holder/account/bank/tel for Smartro and says the refund completes later by ping-back (V1 API guide); names are NICE's |
//! | undeposited virtual account cancel | the ordinary cancel, full amount only | PortOne's V1 "가상계좌 회수"; Smartro's own call is NOT FOUND |
//! | `GoodsCl` | `0` digital, `1` physical | id36707751919 says only "0 또는 1"; NICE's meaning |
//! | USD amounts | `Amt` is the minor-unit integer | PortOne: the MID decides the currency; Smartro's USD format is NOT FOUND |
//! | decline codes | [`SIMULATOR_CODES`] | Smartro's decline list is NOT FOUND |

use chrono::{DateTime, FixedOffset, NaiveDateTime, TimeZone};
use paymux_core::adapter::{
    kst, DeleteBillingKeyCall, EncodeContext, GetPaymentCall, InstantPaymentCall,
    IssueBillingKeyCall, WireRequest,
};
use paymux_core::error::PgError;
use paymux_core::model::{
    CashReceiptInputType, InstantPaymentMethodInput, VirtualAccountOptionType,
};
use paymux_core::money::Money;
use paymux_core::outcome::{
    Approved, ApprovedDetail, CardSummary, Outcome, TxReport, TxState, VirtualAccountIssued,
};
use paymux_core::secret::Secret;
use paymux_core::validation::{FieldPath, ValidationErrors};

use crate::channel::{Call, SmartroChannel};
use crate::encode::{buyer, digits, edi_date, encrypted_call, goods_cnt, stored_key};
use crate::frame::{self, Answer, Params};
use crate::protocol::{self, pay_method, sim};

/// Reconstructed paths (each overridable by a channel option).
pub mod path {
    /// Virtual-account issue (option `vbank_path`).
    pub const VBANK: &str = "/payment/approval/vbank.do";
    /// Billing-key issue (option `billkey_issue_path`).
    pub const BILLKEY_ISSUE: &str = "/payment/approval/billkey.do";
    /// Billing-key delete (option `billkey_delete_path`).
    pub const BILLKEY_DELETE: &str = "/payment/approval/billkeyDelete.do";
    /// Status inquiry (option `inquiry_path`).
    pub const INQUIRY: &str = "/payment/approval/inquiry.do";
}

/// Reconstructed `ResultCode`s.
pub mod code {
    /// 계좌이체 성공 (NICE's code; Smartro shares NICE's table).
    pub const BANK_SUCCESS: &str = "4000";
    /// 가상계좌 발급 성공 (as above).
    pub const VBANK_ISSUED: &str = "4100";
    /// 휴대폰 결제 성공 (as above).
    pub const CELLPHONE_SUCCESS: &str = "A000";
    /// Billing key issued: the SS-Pay window reports `3001` (id27193638936).
    pub const BILLKEY_ISSUED: &str = crate::protocol::code::CARD_SUCCESS;
    /// Billing key deleted (paymux's choice).
    pub const BILLKEY_DELETED: &str = "0000";
    /// Inquiry answered (paymux's choice).
    pub const INQUIRY_FOUND: &str = "0000";
    /// No such transaction (the simulator's code).
    pub const INQUIRY_NOT_FOUND: &str = crate::protocol::sim::NOT_FOUND;
}

/// The inquiry's `StateCd`.
pub mod state {
    /// Approved, nothing cancelled.
    pub const APPROVED: &str = "0";
    /// Fully cancelled.
    pub const CANCELLED: &str = "1";
    /// Partly cancelled.
    pub const PARTIALLY_CANCELLED: &str = "2";
    /// A virtual account awaiting its deposit.
    pub const WAITING_DEPOSIT: &str = "3";
}

/// The simulator's decline codes, with what they mean (paymux's choice, not Smartro's).
pub const SIMULATOR_CODES: &[(&str, &str)] = &[
    (sim::CARD_DECLINED, "카드 거절 (test card …0002)"),
    (sim::INSUFFICIENT_FUNDS, "잔액 부족 (test card …0051)"),
    (sim::DUPLICATE_ORDER, "Moid already approved"),
    (sim::NOT_FOUND, "no such transaction"),
    (sim::BILLING_KEY_NOT_FOUND, "no such active BillTokenKey"),
    (sim::CANCEL_EXCEEDS_BALANCE, "cancel exceeds the balance"),
    (sim::ALREADY_CANCELLED, "nothing left to cancel"),
    (
        sim::PARTIAL_CANCEL_REFUSED,
        "an undeposited virtual account is revoked whole",
    ),
    (
        sim::BAD_CANCEL_SEQUENCE,
        "CancelSeq is not the next sequence",
    ),
    (
        sim::MISSING_FIELD,
        "a required field is missing or malformed",
    ),
    (sim::MALFORMED_REQUEST, "the body is not the expected JSON"),
    (sim::REQUEST_TOO_LARGE, "the body exceeds the size cap"),
    (sim::UNKNOWN_PATH, "no such endpoint"),
    (sim::UNKNOWN_MERCHANT, "Mid unknown"),
    (
        sim::DECRYPT_FAILED,
        "EncData does not decrypt with the merchant key",
    ),
    (
        sim::HASH_MISMATCH,
        "HashData / VerifyValue / EncryptData does not match",
    ),
    (
        sim::WINDOW_AUTH_INVALID,
        "Tid / TrAuthKey unknown, used, or for another Mid",
    ),
];

/// Refund account of a deposited virtual account, appended to the cancel parameters.
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

/// Virtual-account issue parameters.
#[derive(Debug, Clone)]
pub struct VbankParams {
    /// `VBANK`.
    pub pay_method: &'static str,
    /// Payer IP.
    pub user_ip: String,
    /// Merchant server IP.
    pub mall_ip: String,
    /// MID.
    pub mid: String,
    /// Order id.
    pub moid: String,
    /// `yyyyMMddHHmmss`.
    pub edi_date: String,
    /// Number of goods.
    pub goods_cnt: String,
    /// Goods name.
    pub goods_name: String,
    /// Amount.
    pub amt: String,
    /// Taxable supply value.
    pub tax_amt: String,
    /// Tax-free part.
    pub tax_free_amt: String,
    /// VAT.
    pub vat_amt: String,
    /// Payer name.
    pub buyer_name: String,
    /// Payer phone.
    pub buyer_tel: String,
    /// Payer e-mail.
    pub buyer_email: String,
    /// Merchant's user id (may be empty).
    pub mall_user_id: String,
    /// KFTC bank code.
    pub vbank_bank_code: String,
    /// Deposit deadline `yyyyMMdd`.
    pub vbank_exp_date: String,
    /// Account holder shown to the payer (may be empty).
    pub vbank_account_name: String,
    /// Fixed account id (`option.fixed.pgAccountId`), empty for a rotating account.
    pub vbank_fixed_id: String,
    /// Cash receipt: `0` none, `1` income deduction, `2` expense proof.
    pub rcpt_type: &'static str,
    /// Cash-receipt identity number (may be empty).
    pub rcpt_type_no: Secret<String>,
    /// The window's `EncryptData`.
    pub encrypt_data: String,
}

impl Params for VbankParams {
    fn pairs(&self) -> Vec<(&'static str, String)> {
        vec![
            ("PayMethod", self.pay_method.to_string()),
            ("UserIp", self.user_ip.clone()),
            ("MallIp", self.mall_ip.clone()),
            ("Mid", self.mid.clone()),
            ("Moid", self.moid.clone()),
            ("EdiDate", self.edi_date.clone()),
            ("GoodsCnt", self.goods_cnt.clone()),
            ("GoodsName", self.goods_name.clone()),
            ("Amt", self.amt.clone()),
            ("TaxAmt", self.tax_amt.clone()),
            ("TaxFreeAmt", self.tax_free_amt.clone()),
            ("VatAmt", self.vat_amt.clone()),
            ("BuyerName", self.buyer_name.clone()),
            ("BuyerTel", self.buyer_tel.clone()),
            ("BuyerEmail", self.buyer_email.clone()),
            ("MallUserId", self.mall_user_id.clone()),
            ("VbankBankCode", self.vbank_bank_code.clone()),
            ("VbankExpDate", self.vbank_exp_date.clone()),
            ("VbankAccountName", self.vbank_account_name.clone()),
            ("VbankFixedId", self.vbank_fixed_id.clone()),
            ("RcptType", self.rcpt_type.to_string()),
            ("RcptTypeNo", self.rcpt_type_no.expose().clone()),
            ("EncryptData", self.encrypt_data.clone()),
        ]
    }
}

/// Billing-key issue parameters.
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

/// Billing-key delete parameters.
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

/// Inquiry parameters.
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

/// `VerifyValue` of a delete.
pub fn delete_verify_value(bill_token_key: &str, mid: &str, edi_date: &str) -> String {
    frame::sha256_b64(&format!("{bill_token_key}{mid}{edi_date}"))
}

/// `HashData` of an inquiry.
pub fn inquiry_hash(edi_date: &str, mid: &str, moid: &str, merchant_key: &str) -> String {
    frame::sha256_b64(&format!("{edi_date}{mid}{moid}{merchant_key}"))
}

fn validation(path: &str, rule: impl Into<String>) -> PgError {
    let mut e = ValidationErrors::default();
    e.add(path, rule.into());
    PgError::Validation(e)
}

/// **Reconstructed** virtual-account issue.
pub fn issue_virtual_account(
    ctx: &EncodeContext<'_>,
    ch: &SmartroChannel,
    call: &InstantPaymentCall,
) -> Result<WireRequest, PgError> {
    let body = &call.body;
    let InstantPaymentMethodInput::VirtualAccount(va) = &body.method else {
        return Err(PgError::Unsupported {
            adapter: crate::ADAPTER_ID,
            what: "payment.instant with CARD (Smartro's API keyed-in payments are virtual accounts only)".into(),
        });
    };
    let amount = body.amount.resolve(&FieldPath::root("amount"))?;
    let due = crate::rules::deposit_deadline(&va.expiry, &ctx.now)
        .map_err(|rule| validation("method.virtualAccount.expiry", rule))?;
    let bank = protocol::bank_code(va.bank.code()).ok_or_else(|| {
        validation(
            "method.virtualAccount.bank",
            format!("Smartro has no bank code for {}", va.bank.code()),
        )
    })?;
    let fixed_id = match (va.option.r#type, &va.option.fixed) {
        (VirtualAccountOptionType::Fixed, Some(f)) => match &f.pg_account_id {
            Some(id) => id.clone(),
            None => {
                return Err(validation(
                    "method.virtualAccount.option.fixed.accountNumber",
                    "Smartro issues fixed accounts by pgAccountId only",
                ))
            }
        },
        _ => String::new(),
    };
    let (rcpt_type, rcpt_no) = match &va.cash_receipt {
        Some(r) => (
            match r.r#type {
                CashReceiptInputType::NoReceipt => "0",
                CashReceiptInputType::Personal => "1",
                CashReceiptInputType::Corporate => "2",
            },
            r.customer_identity_number
                .as_ref()
                .map(|n| digits(n.expose()))
                .unwrap_or_default(),
        ),
        None => ("0", String::new()),
    };
    let (name, tel, email, user_id) = buyer(body.customer.as_ref());
    let edi = edi_date(&ctx.now);
    let amt = amount.total.to_string();
    let params = VbankParams {
        pay_method: pay_method::VBANK,
        user_ip: ch.mall_ip.clone(),
        mall_ip: ch.mall_ip.clone(),
        encrypt_data: frame::encrypt_data(&edi, &ch.mid, &amt, ch.merchant_key.expose()),
        mid: ch.mid.clone(),
        moid: call.payment_id.clone(),
        edi_date: edi,
        goods_cnt: goods_cnt(body.product_count),
        goods_name: body.order_name.clone(),
        amt,
        tax_amt: amount.supply.to_string(),
        tax_free_amt: amount.tax_free.to_string(),
        vat_amt: amount.vat.to_string(),
        buyer_name: name,
        buyer_tel: tel,
        buyer_email: email,
        mall_user_id: user_id,
        vbank_bank_code: bank.to_string(),
        vbank_exp_date: due.format("%Y%m%d").to_string(),
        vbank_account_name: va.remittee_name.clone().unwrap_or_default(),
        vbank_fixed_id: fixed_id,
        rcpt_type,
        rcpt_type_no: Secret::new(rcpt_no),
    };
    encrypted_call(ch, Call::Vbank, &ch.mid, &params)
}

/// **Reconstructed** billing-key issue, under the billing MID.
pub fn issue_billing_key(
    ctx: &EncodeContext<'_>,
    ch: &SmartroChannel,
    call: &IssueBillingKeyCall,
) -> Result<WireRequest, PgError> {
    let body = &call.body;
    let card = body
        .method
        .card
        .as_ref()
        .ok_or_else(|| PgError::Unsupported {
            adapter: crate::ADAPTER_ID,
            what: "billing-key.issue without a card".into(),
        })?;
    let cred = &card.credential;
    let (name, tel, email, user_id) = buyer(body.customer.as_ref());
    let edi = edi_date(&ctx.now);
    let mid = ch.billing_mid.clone();
    let amt = "0";
    let params = BillKeyIssueParams {
        user_ip: ch.mall_ip.clone(),
        mall_ip: ch.mall_ip.clone(),
        encrypt_data: frame::encrypt_data(&edi, &mid, amt, ch.merchant_key.expose()),
        mid: mid.clone(),
        edi_date: edi,
        mall_user_id: user_id,
        buyer_name: name,
        buyer_tel: tel,
        buyer_email: email,
        card_num: cred.number.clone(),
        card_expire: format!("{}{}", cred.expiry_year, cred.expiry_month),
        buyer_auth_num: cred
            .birth_or_business_registration_number
            .clone()
            .unwrap_or_default(),
        card_pwd: cred.password_two_digits.clone().unwrap_or_default(),
        amt,
    };
    encrypted_call(ch, Call::BillkeyIssue, &mid, &params)
}

/// **Reconstructed** billing-key delete.
pub fn delete_billing_key(
    ctx: &EncodeContext<'_>,
    ch: &SmartroChannel,
    call: &DeleteBillingKeyCall,
) -> Result<WireRequest, PgError> {
    let key = stored_key(ch, call.prior.pg_billing_key.as_ref())?;
    let edi = edi_date(&ctx.now);
    let mid = ch.billing_mid.clone();
    let params = BillKeyDeleteParams {
        verify_value: delete_verify_value(key.expose(), &mid, &edi),
        mid: mid.clone(),
        bill_token_key: key,
        edi_date: edi,
    };
    encrypted_call(ch, Call::BillkeyDelete, &mid, &params)
}

/// **Reconstructed** status inquiry by `Moid` (and `Tid` when known).
pub fn inquiry(
    ctx: &EncodeContext<'_>,
    ch: &SmartroChannel,
    call: &GetPaymentCall,
) -> Result<WireRequest, PgError> {
    let tid = call.prior.pg_tx_id.clone().unwrap_or_default();
    let mid = if !tid.is_empty() {
        ch.mid_of_tid(&tid).to_string()
    } else if call.prior.pg_billing_key.is_some() {
        ch.billing_mid.clone()
    } else {
        ch.mid.clone()
    };
    let edi = edi_date(&ctx.now);
    let params = InquiryParams {
        hash_data: inquiry_hash(&edi, &mid, &call.payment_id, ch.merchant_key.expose()),
        mid: mid.clone(),
        moid: call.payment_id.clone(),
        tid,
        edi_date: edi,
    };
    encrypted_call(ch, Call::Inquiry, &mid, &params)
}

fn malformed(detail: impl Into<String>) -> PgError {
    PgError::MalformedResponse {
        detail: detail.into(),
    }
}

/// A money field, if present; a non-number is a malformed answer.
pub fn money(answer: &Answer, field: &str) -> Result<Option<Money>, PgError> {
    let Some(v) = answer.get(field) else {
        return Ok(None);
    };
    v.parse::<i64>()
        .ok()
        .and_then(|n| Money::new(n).ok())
        .map(Some)
        .ok_or_else(|| malformed(format!("{field} is not an amount")))
}

/// `yyMMddHHmmss` (AuthDate, id9043725511) or `yyyyMMddHHmmss`, in KST.
pub fn parse_kst(s: &str) -> Option<DateTime<FixedOffset>> {
    let fmt = match s.len() {
        12 => "%y%m%d%H%M%S",
        14 => "%Y%m%d%H%M%S",
        _ => return None,
    };
    let naive = NaiveDateTime::parse_from_str(s, fmt).ok()?;
    kst().from_local_datetime(&naive).single()
}

/// The answer to a virtual-account issue (or a `VBANK` window's approval).
pub fn virtual_account_issued(answer: &Answer, code: &str) -> Result<Outcome, PgError> {
    let account_number = answer
        .get("VbankNum")
        .ok_or_else(|| malformed("VbankNum is missing from a virtual-account answer"))?;
    let expires_at = answer.get("VbankExpDate").and_then(|d| {
        let time = answer
            .get("VbankExpTime")
            .unwrap_or_else(|| "235959".into());
        parse_kst(&format!("{d}{time}"))
    });
    Ok(Outcome::VirtualAccountIssued(VirtualAccountIssued {
        pg_tx_id: answer.get("Tid"),
        bank: answer.get("VbankBankCode"),
        account_number,
        remittee_name: answer.get("VbankAccountName"),
        expires_at,
        issued_at: answer.get("AuthDate").and_then(|d| parse_kst(&d)),
        amount: money(answer, "Amt")?,
        pg_code: code.to_string(),
        pg_message: answer.result_msg(),
    }))
}

/// The answer to a billing-key issue: the `BillTokenKey` as Smartro sends it (encrypted; the
/// charge decrypts it), checked to decrypt with the channel's key.
pub fn billing_key_issued(
    ch: &SmartroChannel,
    answer: &Answer,
    code: &str,
) -> Result<Outcome, PgError> {
    let key = answer
        .get("BillTokenKey")
        .map(Secret::new)
        .ok_or_else(|| malformed("BillTokenKey is missing from a billing-key answer"))?;
    crate::encode::bill_token_key(ch, &key).map_err(|why| {
        malformed(format!(
            "the BillTokenKey answered {why} with the merchant key"
        ))
    })?;
    let card = CardSummary {
        masked_number: answer.get("DisplayCardNo").map(|n| mask_number(&n)),
        issuer_code: answer.get("IssuerCardCd"),
        issuer_name: answer.get("IssuerCardNm"),
        acquirer_code: None,
    };
    Ok(Outcome::Approved(Approved {
        pg_tx_id: answer.get("Tid"),
        at: answer.get("AuthDate").and_then(|d| parse_kst(&d)),
        amount: None,
        pg_code: code.to_string(),
        pg_message: answer.result_msg(),
        detail: ApprovedDetail::BillingKeyIssued {
            pg_billing_key: key,
            card: Some(card),
        },
    }))
}

/// A card number as shown: the PG's masked form, or masked here should it come whole.
pub fn mask_number(n: &str) -> String {
    if n.contains('*') {
        n.to_string()
    } else {
        paymux_core::secret::mask_card_number(n)
    }
}

/// The inquiry answer.
pub fn inquiry_report(answer: &Answer) -> Result<TxReport, PgError> {
    let amount = money(answer, "Amt")?;
    let balance = money(answer, "RemainAmt")?;
    let state = match answer.get("StateCd").as_deref() {
        Some(state::APPROVED) => TxState::Approved,
        Some(state::CANCELLED) => TxState::Cancelled,
        Some(state::PARTIALLY_CANCELLED) => TxState::PartiallyCancelled,
        Some(state::WAITING_DEPOSIT) => TxState::Pending,
        Some(_) => TxState::Failed,
        None => return Err(malformed("StateCd is missing from an inquiry answer")),
    };
    Ok(TxReport {
        state,
        amount,
        balance,
        pg_tx_id: answer.get("Tid"),
    })
}

/// The inquiry answer for "no such transaction".
pub fn not_found_report() -> TxReport {
    TxReport {
        state: TxState::NotFound,
        amount: None,
        balance: None,
        pg_tx_id: None,
    }
}

/// `PayMethod` → its success code in a window approval answer.
pub fn window_success_code(pay_method: &str) -> Option<&'static str> {
    match pay_method {
        pay_method::CARD => Some(crate::protocol::code::CARD_SUCCESS),
        pay_method::BANK => Some(code::BANK_SUCCESS),
        pay_method::VBANK => Some(code::VBANK_ISSUED),
        pay_method::CELLPHONE => Some(code::CELLPHONE_SUCCESS),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_in_both_widths() {
        assert_eq!(
            parse_kst("250725163656").unwrap().to_rfc3339(),
            "2025-07-25T16:36:56+09:00"
        );
        assert_eq!(
            parse_kst("20250725163656").unwrap().to_rfc3339(),
            "2025-07-25T16:36:56+09:00"
        );
        assert!(parse_kst("2507").is_none());
        assert!(parse_kst("99999999999999").is_none());
    }

    #[test]
    fn inquiry_states() {
        let a = Answer::from_pairs(&[
            ("StateCd", "2".into()),
            ("Amt", "1000".into()),
            ("RemainAmt", "700".into()),
        ]);
        let r = inquiry_report(&a).unwrap();
        assert_eq!(r.state, TxState::PartiallyCancelled);
        assert_eq!(r.balance.map(|m| m.get()), Some(700));
        let bad = Answer::from_pairs(&[("StateCd", "0".into()), ("Amt", "x".into())]);
        assert!(inquiry_report(&bad).is_err());
    }
}
