//! SmartroPay protocol constants: hosts, paths, field names, fixed values and code tables.
//!
//! Every value here comes from a public merchant sample (the `idN` numbers are files of a
//! public code-search index, listed in `docs/vendors/smartro.md`) unless its doc
//! comment says **reconstructed** or **simulator**; [`crate::reconstructed`] lists those with the
//! reason.

use paymux_core::outcome::{DeclineKind, DeclineRule};

/// Hosts. The server API lives under `/payment/...` on both.
pub mod host {
    /// Test approval host (`tapproval`, id15011382861, id36636996423).
    pub const TEST: &str = "https://tapproval.smartropay.co.kr";
    /// Live approval host (`approval`, id36636996423, id42417833469).
    pub const LIVE: &str = "https://approval.smartropay.co.kr";
    /// Payment-window script, PC, test (id36707751919: `tpay`).
    pub const WINDOW_SCRIPT_TEST: &str =
        "https://tpay.smartropay.co.kr/asset/js/SmartroPAY-1.0.min.js";
    /// Payment-window script, PC, live (id36707751919: `pay`).
    pub const WINDOW_SCRIPT_LIVE: &str =
        "https://pay.smartropay.co.kr/asset/js/SmartroPAY-1.0.min.js";
    /// Payment-window script, mobile, test (id36707751919: `tmpay`).
    pub const WINDOW_SCRIPT_MOBILE_TEST: &str =
        "https://tmpay.smartropay.co.kr/asset/js/SmartroPAY-1.0.min.js";
    /// Payment-window script, mobile, live (id36707751919: `mpay`).
    pub const WINDOW_SCRIPT_MOBILE_LIVE: &str =
        "https://mpay.smartropay.co.kr/asset/js/SmartroPAY-1.0.min.js";
    /// The script path, for a channel `endpoint` (a simulator) standing in for the window host.
    pub const WINDOW_SCRIPT_PATH: &str = "/asset/js/SmartroPAY-1.0.min.js";
}

/// Server API paths (appended to the host or to a channel `endpoint`): documented, then the
/// **reconstructed** ones (each overridable by a channel option).
pub mod path {
    /// Approval of a window payment, `{Tid, TrAuthKey}` (id9043725511, id36700873605).
    pub const APPROVAL: &str = "/payment/approval/urlCallApproval.do";
    /// Cancel, `{EncData, Mid}` (id36636996423, id9043725511, id42417833469). The default of
    /// the channel option `cancel_path`: three independent samples use it, and every other
    /// server call lives under `/payment/approval/`.
    pub const CANCEL: &str = "/payment/approval/cancel.do";
    /// The cancel path one merchant configuration names instead (id45269797227). Selectable
    /// with the channel option `cancel_path`; the simulator serves both.
    pub const CANCEL_ALTERNATIVE: &str = "/payment/cancel/cancelApproval.do";
    /// Billing-key charge, `{EncData, Mid}` (id42417833469: `ssbbill.do`).
    pub const BILLING: &str = "/payment/approval/ssbbill.do";
    /// Re-query of a window authorization, `{Tid, TrAuthKey}` (id15011382861). Not used by
    /// `payment.get`: API payments have no `TrAuthKey`.
    pub const APPROVAL_INQUIRY: &str = "/payment/approval/approvalInquiry.do";
    /// Server-side virtual-account issue, `{EncData, Mid}`: a public merchant integration calls
    /// it (vendor notes §3a, third-party evidence rather than Smartro's manual), so the path
    /// stays a channel option (`vbank_path`).
    pub const VACCT: &str = "/payment/approval/vacct.do";
    /// **Reconstructed**: billing-key issue (option `billkey_issue_path`).
    pub const BILLKEY_ISSUE: &str = "/payment/approval/billkey.do";
    /// **Reconstructed**: billing-key delete (option `billkey_delete_path`).
    pub const BILLKEY_DELETE: &str = "/payment/approval/billkeyDelete.do";
    /// **Reconstructed**: status inquiry (option `inquiry_path`).
    pub const INQUIRY: &str = "/payment/approval/inquiry.do";
}

/// `ResultCode` values: the ones the public samples show, then the **reconstructed** ones.
pub mod code {
    /// 카드 결제 성공 (id9043725511, id42417833469, id27193638936).
    pub const CARD_SUCCESS: &str = "3001";
    /// 취소 성공 (id36636996423, id43819144556).
    pub const CANCEL_SUCCESS: &str = "2001";
    /// 환불 성공, transfers and virtual accounts (id43819144556).
    pub const REFUND_SUCCESS: &str = "2211";
    /// **Reconstructed**: 계좌이체 성공 (NICE's code; Smartro shares NICE's table).
    pub const BANK_SUCCESS: &str = "4000";
    /// 가상계좌 발급 (채번) 성공: the answer of `vacct.do` and the deposit notice's `4100`
    /// (vendor notes §3a).
    pub const VBANK_ISSUED: &str = "4100";
    /// **Reconstructed**: 휴대폰 결제 성공 (as above).
    pub const CELLPHONE_SUCCESS: &str = "A000";
    /// **Reconstructed**: billing key issued: the SS-Pay window reports `3001` (id27193638936).
    pub const BILLKEY_ISSUED: &str = CARD_SUCCESS;
    /// **Reconstructed**: billing key deleted (paymux's choice).
    pub const BILLKEY_DELETED: &str = "0000";
    /// **Reconstructed**: inquiry answered (paymux's choice).
    pub const INQUIRY_FOUND: &str = "0000";
    /// **Reconstructed**: no such transaction (the simulator's code).
    pub const INQUIRY_NOT_FOUND: &str = super::sim::NOT_FOUND;
    /// Deposit notice: 입금 완료 (vendor notes §3a).
    pub const DEPOSIT_DONE: &str = "4110";
    /// Deposit notice: 현금영수증 발급 (vendor notes §3a).
    pub const CASH_RECEIPT_ISSUED: &str = "7001";
    /// Deposit notice: 이미 취소된 거래 (vendor notes §3a).
    pub const ALREADY_CANCELLED: &str = "2013";
}

/// `PayMethod` values of the window (id36707751919: "CARD:신용카드, BANK:계좌이체,
/// VBANK:가상계좌, CELLPHONE:휴대폰결제").
pub mod pay_method {
    /// 신용카드.
    pub const CARD: &str = "CARD";
    /// 계좌이체.
    pub const BANK: &str = "BANK";
    /// 가상계좌.
    pub const VBANK: &str = "VBANK";
    /// 휴대폰결제.
    pub const CELLPHONE: &str = "CELLPHONE";
}

/// Fixed values the samples send.
pub mod fixed {
    /// Cancel `SERVICE_MODE` (id36636996423).
    pub const SERVICE_MODE_CANCEL: &str = "CL1";
    /// `PartialCancelCode` 0: 전체취소 (id36636996423).
    pub const FULL_CANCEL: &str = "0";
    /// `PartialCancelCode` 1: 부분취소 (id36636996423).
    pub const PARTIAL_CANCEL: &str = "1";
    /// `CardPoint` 0: 포인트 미사용 (id42417833469).
    pub const CARD_POINT_OFF: &str = "0";
    /// `SvcAmt` (봉사료): the sample sends 0 and the unified model has none (id42417833469).
    pub const SERVICE_AMOUNT: &str = "0";
    /// `GoodsCnt` when the request has no `productCount` (id42417833469: "인터넷 결제는 1").
    pub const GOODS_COUNT: &str = "1";
    /// `MallIp` / `UserIp` when the channel sets no `mall_ip` (id42417833469 sends 127.0.0.1).
    pub const LOOPBACK_IP: &str = "127.0.0.1";
    /// The window's `EncodingType`: paymux sends UTF-8 everywhere (module charset, notes §3a).
    pub const ENCODING_TYPE: &str = "utf8";
    /// `vacct.do` `TransType` 00: a new account (vendor notes §3a).
    pub const TRANS_TYPE_NEW: &str = "00";
    /// `vacct.do` `TransType` 04 (일괄 채번): the account number given in `SubId`.
    pub const TRANS_TYPE_FIXED: &str = "04";
    /// `smartropay.init({mode})` for the test host (id36707751919).
    pub const WINDOW_MODE_TEST: &str = "STG";
    /// `smartropay.init({mode})` for the live host (id36707751919).
    pub const WINDOW_MODE_LIVE: &str = "REAL";
}

/// The AES key is the first 32 characters of the merchant key (`substr($MerchantKey, 0, 32)`,
/// id36636996423; `merchantKey.substring(0,32)`, id41891908595).
pub const AES_KEY_CHARS: usize = 32;

/// The TID starts with the 10-character MID (`SMTNEW001m01012507251636283998`, id9043725511;
/// `t_2301101m01012301281347442061`, id42417833469): cancels and inquiries use the MID the
/// payment was made under (billing payments under the billing MID, id42417833469).
pub const MID_LEN: usize = 10;

/// Read timeout of the samples (`readTimeout = 10000`, id41891908595, id15011382861).
pub const READ_TIMEOUT_MS: u64 = 10_000;

/// How a field's value is shown in views.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Masking {
    /// Shown as is.
    Clear,
    /// First 6 and last 4 digits kept.
    CardNumber,
    /// Replaced by `*`s.
    Hidden,
}

/// Fields whose values never appear in a view: card data, identity numbers, the billing key,
/// passwords and one-time keys. Everything else (hashes included: they cannot be reversed) is
/// shown.
pub fn masking(field: &str) -> Masking {
    match field {
        "CardNum" | "CardNo" | "DisplayCardNo" => Masking::CardNumber,
        "CardPwd" | "BuyerAuthNum" | "BillTokenKey" | "CancelPwd" | "TrAuthKey"
        | "ReceiptIdentity" | "RefundAcctNo" => Masking::Hidden,
        _ => Masking::Clear,
    }
}

/// The view of one field's value.
pub fn mask(field: &str, value: &str) -> String {
    if value.is_empty() {
        return String::new();
    }
    match masking(field) {
        Masking::Clear => value.to_string(),
        Masking::CardNumber if value.contains('*') => value.to_string(),
        Masking::CardNumber => paymux_core::secret::mask_card_number(value),
        Masking::Hidden => paymux_core::secret::mask_all(value),
    }
}

/// PortOne V2 `Bank` → the 금융결제원 (KFTC) standard bank code Smartro's `VbankBankCode`
/// takes. **Reconstructed**: Smartro's bank table is not public; its card table matches
/// NICE's (`AppCardCode` 12 = NH농협, id9043725511), and NICE takes the KFTC codes.
pub const BANKS: &[(&str, &str)] = &[
    ("KDB", "002"),
    ("IBK", "003"),
    ("KOOKMIN", "004"),
    ("SUHYUP", "007"),
    ("NONGHYUP", "011"),
    ("LOCAL_NONGHYUP", "012"),
    ("WOORI", "020"),
    ("STANDARD_CHARTERED", "023"),
    ("CITI", "027"),
    ("DAEGU", "031"),
    ("BUSAN", "032"),
    ("KWANGJU", "034"),
    ("JEJU", "035"),
    ("JEONBUK", "037"),
    ("KYONGNAM", "039"),
    ("KFCC", "045"),
    ("SHINHYUP", "048"),
    ("POST", "071"),
    ("HANA", "081"),
    ("SHINHAN", "088"),
    ("K_BANK", "089"),
    ("KAKAO", "090"),
    ("TOSS", "092"),
];

/// The KFTC code of a PortOne bank, if Smartro can issue accounts there.
pub fn bank_code(portone: &str) -> Option<&'static str> {
    BANKS
        .iter()
        .find(|(name, _)| *name == portone)
        .map(|(_, code)| *code)
}

/// The PortOne bank of a KFTC code Smartro answers with (`VbankBankCode` `088` →
/// `SHINHAN`): the same table read backwards, so a code is translated one way only.
pub fn portone_bank(code: &str) -> Option<&'static str> {
    let code = code.trim();
    BANKS
        .iter()
        .find(|(_, c)| *c == code)
        .map(|(name, _)| *name)
}

/// Raw `ResultCode` → normalized kind. Smartro's decline codes are **NOT FOUND** publicly, so
/// the table holds the codes the paymux simulator answers with ([`sim`], paymux's choice,
/// listed in [`SIMULATOR_CODES`]); a live code missing here maps to
/// [`DeclineKind::Other`] and keeps its raw code and message.
pub const DECLINE_RULES: &[DeclineRule] = &[
    rule(sim::CARD_DECLINED, DeclineKind::CardDeclined),
    rule(sim::INSUFFICIENT_FUNDS, DeclineKind::InsufficientFunds),
    rule(sim::DUPLICATE_ORDER, DeclineKind::Duplicate),
    rule(sim::NOT_FOUND, DeclineKind::NotFound),
    rule(sim::BILLING_KEY_NOT_FOUND, DeclineKind::NotFound),
    rule(sim::CANCEL_EXCEEDS_BALANCE, DeclineKind::CancelRefused),
    rule(sim::ALREADY_CANCELLED, DeclineKind::CancelRefused),
    rule(sim::PARTIAL_CANCEL_REFUSED, DeclineKind::CancelRefused),
    rule(sim::BAD_CANCEL_SEQUENCE, DeclineKind::InvalidRequest),
    rule(sim::MISSING_FIELD, DeclineKind::InvalidRequest),
    rule(sim::MALFORMED_REQUEST, DeclineKind::InvalidRequest),
    rule(sim::UNKNOWN_PATH, DeclineKind::InvalidRequest),
    rule(sim::REQUEST_TOO_LARGE, DeclineKind::InvalidRequest),
    rule(sim::UNKNOWN_MERCHANT, DeclineKind::ConfigError),
    rule(sim::DECRYPT_FAILED, DeclineKind::ConfigError),
    rule(sim::HASH_MISMATCH, DeclineKind::ConfigError),
    rule(sim::WINDOW_AUTH_INVALID, DeclineKind::InvalidRequest),
];

const fn rule(code: &'static str, kind: DeclineKind) -> DeclineRule {
    DeclineRule { code, kind }
}

/// `ResultCode`s the paymux simulator answers with. **Simulator**: not Smartro's (its
/// decline list is not public); four digits like Smartro's documented codes, in ranges the
/// documented codes do not use.
pub mod sim {
    /// 카드 거절 (test card `…0002`).
    pub const CARD_DECLINED: &str = "3102";
    /// 잔액 부족 (test card `…0051`).
    pub const INSUFFICIENT_FUNDS: &str = "3151";
    /// 중복 주문번호 (Moid already approved).
    pub const DUPLICATE_ORDER: &str = "3201";
    /// 거래 없음.
    pub const NOT_FOUND: &str = "2301";
    /// 빌링키 없음 (unknown or deleted BillTokenKey).
    pub const BILLING_KEY_NOT_FOUND: &str = "3302";
    /// 취소 금액 초과.
    pub const CANCEL_EXCEEDS_BALANCE: &str = "2401";
    /// 이미 취소된 거래.
    pub const ALREADY_CANCELLED: &str = "2402";
    /// 부분취소 불가 (an undeposited virtual account is revoked whole).
    pub const PARTIAL_CANCEL_REFUSED: &str = "2403";
    /// 취소 차수 오류 (CancelSeq is not the next one).
    pub const BAD_CANCEL_SEQUENCE: &str = "2404";
    /// 필수 파라미터 누락 / 형식 오류.
    pub const MISSING_FIELD: &str = "9005";
    /// 요청 형식 오류 (not JSON, not `{EncData, Mid}`).
    pub const MALFORMED_REQUEST: &str = "9010";
    /// 요청 크기 초과.
    pub const REQUEST_TOO_LARGE: &str = "9011";
    /// 지원하지 않는 경로.
    pub const UNKNOWN_PATH: &str = "9012";
    /// 미등록 상점 (Mid unknown).
    pub const UNKNOWN_MERCHANT: &str = "9006";
    /// EncData 복호화 실패 (wrong merchant key).
    pub const DECRYPT_FAILED: &str = "9001";
    /// 위변조 검증 실패: HashData / VerifyValue / EncryptData does not match.
    pub const HASH_MISMATCH: &str = "9002";
    /// Tid / TrAuthKey unknown, used or for another merchant.
    pub const WINDOW_AUTH_INVALID: &str = "9013";
}

/// The inquiry's `StateCd` (**reconstructed** with the inquiry).
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

/// The simulator's decline codes, with what they mean: **reconstructed**, paymux's choice
/// (Smartro's decline list is NOT FOUND).
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_card_data_and_keys_only() {
        assert_eq!(mask("CardNum", "4111111111111111"), "411111******1111");
        assert_eq!(mask("CardNum", "40921675****082*"), "40921675****082*");
        assert_eq!(mask("BillTokenKey", "abc"), "***");
        assert_eq!(mask("Amt", "1004"), "1004");
        assert_eq!(mask("HashData", "x="), "x=");
    }

    #[test]
    fn bank_codes_are_three_digits_and_unique() {
        let mut seen = std::collections::BTreeSet::new();
        for (name, code) in BANKS {
            assert_eq!(code.len(), 3, "{name}");
            assert!(seen.insert(code), "{code} twice");
        }
        assert_eq!(bank_code("SHINHAN"), Some("088"));
        assert_eq!(bank_code("NOPE"), None);
        for (name, code) in BANKS {
            assert_eq!(portone_bank(code), Some(*name));
        }
        assert_eq!(portone_bank("999"), None);
    }

    #[test]
    fn simulator_codes_never_collide_with_documented_successes() {
        for r in DECLINE_RULES {
            assert!(![
                code::CARD_SUCCESS,
                code::CANCEL_SUCCESS,
                code::REFUND_SUCCESS
            ]
            .contains(&r.code));
        }
    }
}
