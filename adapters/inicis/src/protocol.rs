//! KG Inicis protocol constants: hosts, paths, `type` values, result codes, masking and the
//! decline table.
//!
//! Sources (public): the INIAPI manual <https://manual.inicis.com/iniapi/> (v1 form API, its
//! PHP samples, the test MID `INIpayTest` and its INIAPI key), Inicis' INIAPI FAQ
//! (<https://www.inicis.com/blog/archives/category/cs/cs_best/모듈연동-faq/INIAPI>: `[ENC]`
//! fields, the AES vector, "urlencode the whole request"), the standard-window manual
//! <https://manual.inicis.com/stdpay/> (window form, approval, net cancel) and copies of
//! Inicis' official samples in public repositories (README, "Sources"). Anything marked
//! **reconstructed** or **simulator** is paymux's own; [`crate::reconstructed`] lists it.

use paymux_core::outcome::{DeclineKind, DeclineRule};

/// Hosts.
pub mod host {
    /// INIAPI, live (manual: `https://iniapi.inicis.com/api/v1/{서비스api}`).
    pub const INIAPI_LIVE: &str = "https://iniapi.inicis.com";
    /// INIAPI, test (`stginiapi.inicis.com`, vendor notes; used by public samples).
    pub const INIAPI_TEST: &str = "https://stginiapi.inicis.com";
    /// The standard window's loader script, live (manual stdpay STEP1).
    pub const STDPAY_JS_LIVE: &str = "https://stdpay.inicis.com/stdjs/INIStdPay.js";
    /// The standard window's loader script, test (`stgstdpay`).
    pub const STDPAY_JS_TEST: &str = "https://stgstdpay.inicis.com/stdjs/INIStdPay.js";
}

/// INIAPI paths.
pub mod path {
    /// v1 refund (full and partial cancel, virtual-account refunds): manual sample.
    pub const V1_REFUND: &str = "/api/v1/refund";
    /// v1 billing (`Auth` issue, `Billing` charge): vendor notes §5, public merchant code.
    pub const V1_BILLING: &str = "/api/v1/billing";
    /// v1 form payment (keyed-in `Pay`): vendor notes §5 (`formpay`).
    pub const V1_FORMPAY: &str = "/api/v1/formpay";
    /// v2 full refund (public samples of the v2 JSON API).
    pub const V2_REFUND: &str = "/v2/pg/refund";
    /// v2 partial refund.
    pub const V2_PARTIAL_REFUND: &str = "/v2/pg/partialRefund";
    /// v2 inquiry.
    pub const V2_INQUIRY: &str = "/v2/pg/inquiry";
}

/// The standard window's approval and net-cancel hosts, by the `idc_name` the window's return
/// names. Documented: Inicis' sample `properties.php` (`getAuthUrl` / `getNetCancel`), which
/// the official return page compares the posted `authUrl` against before calling it.
pub const IDC: &[(&str, &str, &str)] = &[
    (
        "fc",
        "https://fcstdpay.inicis.com/api/payAuth",
        "https://fcstdpay.inicis.com/api/netCancel",
    ),
    (
        "ks",
        "https://ksstdpay.inicis.com/api/payAuth",
        "https://ksstdpay.inicis.com/api/netCancel",
    ),
    (
        "stg",
        "https://stgstdpay.inicis.com/api/payAuth",
        "https://stgstdpay.inicis.com/api/netCancel",
    ),
];

/// The approval path of the window (the path of every [`IDC`] approval URL).
pub const PAY_AUTH_PATH: &str = "/api/payAuth";
/// The net-cancel path of the window.
pub const NET_CANCEL_PATH: &str = "/api/netCancel";

/// The `type` values.
pub mod kind {
    /// v1 full refund (manual sample: `$type = "Refund"`).
    pub const V1_REFUND: &str = "Refund";
    /// v1 partial refund.
    pub const V1_PARTIAL_REFUND: &str = "PartialRefund";
    /// v1 billing-key issue from card data (public merchant code).
    pub const V1_AUTH: &str = "Auth";
    /// v1 billing charge.
    pub const V1_BILLING: &str = "Billing";
    /// v1 keyed-in payment (`formpay`).
    pub const V1_PAY: &str = "Pay";
    /// v2 full refund.
    pub const V2_REFUND: &str = "refund";
    /// v2 partial refund.
    pub const V2_PARTIAL_REFUND: &str = "partialRefund";
    /// v2 inquiry.
    pub const V2_INQUIRY: &str = "inquiry";
}

/// `paymethod` values of v1 calls.
pub mod paymethod {
    /// 신용카드 (manual sample).
    pub const CARD: &str = "Card";
    /// 가상계좌 (vendor notes: `formpay Pay / Vacct`; VA refunds).
    pub const VACCT: &str = "Vacct";
}

/// Result codes.
pub mod code {
    /// INIAPI success (manual: `resultCode "00"`).
    pub const OK: &str = "00";
    /// Standard-window success: the window's return and the approval (`"0000"`, samples).
    pub const STD_OK: &str = "0000";
    /// INIAPI: a required buyer field is missing (vendor notes §5, `ER0102`).
    pub const MISSING_BUYER: &str = "ER0102";
}

/// Fixed values.
pub mod fixed {
    /// `clientIp` when the channel sets none (INIAPI wants the merchant server's IP).
    pub const LOOPBACK_IP: &str = "127.0.0.1";
    /// Window `version` (manual stdpay STEP1).
    pub const STD_VERSION: &str = "1.0";
    /// Window `currency` for KRW (manual stdpay: `WON`).
    pub const CURRENCY_WON: &str = "WON";
    /// `use_chkfake`: the window verifies `verification` (newer samples).
    pub const USE_CHKFAKE: &str = "Y";
    /// Window `gopaymethod` of a card window.
    pub const GOPAYMETHOD_CARD: &str = "Card";
    /// Window `gopaymethod` of a virtual-account window (manual stdpay: `VBank`).
    pub const GOPAYMETHOD_VBANK: &str = "VBank";
    /// Approval `charset` (samples: `UTF-8`).
    pub const CHARSET: &str = "UTF-8";
    /// Approval `format` (samples: `JSON`).
    pub const FORMAT: &str = "JSON";
    /// Billing `authentification` ("00": 비인증, vendor notes §5).
    pub const AUTHENTIFICATION: &str = "00";
    /// Billing `currency`.
    pub const BILLING_CURRENCY: &str = "WON";
    /// `quotaInterest` 0: no merchant-paid interest.
    pub const QUOTA_INTEREST_OFF: &str = "0";
}

/// Read timeout the samples use (`AbortController` 10 s, id53327593642).
pub const READ_TIMEOUT_MS: u64 = 10_000;

/// How a field's value shows in views.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Masking {
    /// As is.
    Clear,
    /// First 6 and last 4 digits.
    CardNumber,
    /// All `*`.
    Hidden,
}

/// Fields whose values never appear in views: card data, birth dates, passwords, billing
/// keys, refund account numbers, the window's auth token, and the `mKey` (a hash of the sign
/// key). Hashes and signatures over keyed input cannot be reversed and stay visible.
pub fn masking(field: &str) -> Masking {
    match field {
        "cardNumber" | "CARD_Num" | "cardNum" => Masking::CardNumber,
        "regNo" | "cardPw" | "billKey" | "refundAcctNum" | "authToken" | "mKey" | "no_vacct"
        | "VACT_Num" => Masking::Hidden,
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

/// PortOne `Bank` → the KFTC bank code Inicis' `refundBankCode` takes (2 digits in Inicis'
/// bank table: 04 KB, 11 NH, 20 우리, 88 신한, 81 하나, …). **Reconstructed** in its width:
/// the manual's bank table is public but behind a popup the stored copy does not show; Inicis
/// samples send two-digit codes (`"11"`).
pub const BANKS: &[(&str, &str)] = &[
    ("KDB", "02"),
    ("IBK", "03"),
    ("KOOKMIN", "04"),
    ("SUHYUP", "07"),
    ("NONGHYUP", "11"),
    ("WOORI", "20"),
    ("STANDARD_CHARTERED", "23"),
    ("CITI", "27"),
    ("DAEGU", "31"),
    ("BUSAN", "32"),
    ("KWANGJU", "34"),
    ("JEJU", "35"),
    ("JEONBUK", "37"),
    ("KYONGNAM", "39"),
    ("KFCC", "45"),
    ("SHINHYUP", "48"),
    ("POST", "71"),
    ("HANA", "81"),
    ("SHINHAN", "88"),
    ("K_BANK", "89"),
    ("KAKAO", "90"),
    ("TOSS", "92"),
];

/// The Inicis code of a PortOne bank.
pub fn bank_code(portone: &str) -> Option<&'static str> {
    BANKS.iter().find(|(n, _)| *n == portone).map(|(_, c)| *c)
}

/// PortOne's name of an Inicis bank code (the same table read backwards; `088` and `88`
/// alike, as KFTC codes are written with or without the leading zero).
pub fn portone_bank(code: &str) -> Option<&'static str> {
    let code = code.trim().trim_start_matches('0');
    BANKS
        .iter()
        .find(|(_, c)| c.trim_start_matches('0') == code)
        .map(|(n, _)| *n)
}

/// Raw result code → normalized kind: the one table. Inicis' documented failure code
/// ([`code::MISSING_BUYER`]) first, then the simulator's own ([`sim`]). A live code missing
/// here maps to [`DeclineKind::Other`] and keeps its raw code and message.
pub const DECLINE_RULES: &[DeclineRule] = &[
    rule(code::MISSING_BUYER, DeclineKind::InvalidRequest),
    rule(sim::CARD_DECLINED, DeclineKind::CardDeclined),
    rule(sim::INSUFFICIENT_FUNDS, DeclineKind::InsufficientFunds),
    rule(sim::NOT_FOUND, DeclineKind::NotFound),
    rule(sim::BILLING_KEY_NOT_FOUND, DeclineKind::NotFound),
    rule(sim::CANCEL_EXCEEDS_BALANCE, DeclineKind::CancelRefused),
    rule(sim::ALREADY_CANCELLED, DeclineKind::CancelRefused),
    rule(sim::CONFIRM_PRICE_MISMATCH, DeclineKind::CancelRefused),
    rule(sim::DUPLICATE_ORDER, DeclineKind::Duplicate),
    rule(sim::HASH_MISMATCH, DeclineKind::ConfigError),
    rule(sim::UNKNOWN_MERCHANT, DeclineKind::ConfigError),
    rule(sim::DECRYPT_FAILED, DeclineKind::ConfigError),
    rule(sim::MALFORMED_REQUEST, DeclineKind::InvalidRequest),
    rule(sim::MISSING_FIELD, DeclineKind::InvalidRequest),
    rule(sim::UNKNOWN_PATH, DeclineKind::InvalidRequest),
    rule(sim::AUTH_TOKEN_INVALID, DeclineKind::InvalidRequest),
    rule(sim::WINDOW_CANCELLED, DeclineKind::Other),
];

const fn rule(code: &'static str, kind: DeclineKind) -> DeclineRule {
    DeclineRule { code, kind }
}

/// Result codes the paymux simulator answers with. **Simulator**: Inicis' decline table is
/// not public; these are paymux's own, in a `SIM` range no documented code uses.
pub mod sim {
    /// 카드 거절 (test card `…0002`).
    pub const CARD_DECLINED: &str = "SIM0002";
    /// 잔액 부족 (test card `…0051`).
    pub const INSUFFICIENT_FUNDS: &str = "SIM0051";
    /// 거래 없음.
    pub const NOT_FOUND: &str = "SIM0404";
    /// 빌키 없음.
    pub const BILLING_KEY_NOT_FOUND: &str = "SIM0405";
    /// 취소 금액 초과.
    pub const CANCEL_EXCEEDS_BALANCE: &str = "SIM0410";
    /// 이미 취소된 거래.
    pub const ALREADY_CANCELLED: &str = "SIM0411";
    /// `confirmPrice` is not the balance after this cancel.
    pub const CONFIRM_PRICE_MISMATCH: &str = "SIM0412";
    /// 중복 주문번호.
    pub const DUPLICATE_ORDER: &str = "SIM0409";
    /// hashData / signature / verification does not match.
    pub const HASH_MISMATCH: &str = "SIM0901";
    /// 미등록 상점.
    pub const UNKNOWN_MERCHANT: &str = "SIM0902";
    /// An `[ENC]` field does not decrypt.
    pub const DECRYPT_FAILED: &str = "SIM0903";
    /// The body is not the expected form / JSON.
    pub const MALFORMED_REQUEST: &str = "SIM0910";
    /// A required field is missing.
    pub const MISSING_FIELD: &str = "SIM0911";
    /// No such endpoint.
    pub const UNKNOWN_PATH: &str = "SIM0912";
    /// authToken unknown, used, or for another MID.
    pub const AUTH_TOKEN_INVALID: &str = "SIM0913";
    /// The payer cancelled the window.
    pub const WINDOW_CANCELLED: &str = "SIM0920";
}

/// The simulator's codes with what they mean (README table).
pub const SIMULATOR_CODES: &[(&str, &str)] = &[
    (sim::CARD_DECLINED, "카드 거절 (test card …0002)"),
    (sim::INSUFFICIENT_FUNDS, "잔액 부족 (test card …0051)"),
    (sim::NOT_FOUND, "no such transaction"),
    (sim::BILLING_KEY_NOT_FOUND, "no such active billKey"),
    (sim::CANCEL_EXCEEDS_BALANCE, "cancel exceeds the balance"),
    (sim::ALREADY_CANCELLED, "nothing left to cancel"),
    (
        sim::CONFIRM_PRICE_MISMATCH,
        "confirmPrice is not the balance after the cancel",
    ),
    (sim::DUPLICATE_ORDER, "moid already approved"),
    (
        sim::HASH_MISMATCH,
        "hashData / signature / verification mismatch",
    ),
    (sim::UNKNOWN_MERCHANT, "mid unknown"),
    (sim::DECRYPT_FAILED, "an [ENC] field does not decrypt"),
    (
        sim::MALFORMED_REQUEST,
        "the body is not the expected format",
    ),
    (sim::MISSING_FIELD, "a required field is missing"),
    (sim::UNKNOWN_PATH, "no such endpoint"),
    (
        sim::AUTH_TOKEN_INVALID,
        "authToken unknown, used, or for another mid",
    ),
    (sim::WINDOW_CANCELLED, "the payer cancelled the window"),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_card_data_and_keys_only() {
        assert_eq!(mask("cardNumber", "4111111111111111"), "411111******1111");
        assert_eq!(mask("billKey", "abc"), "***");
        assert_eq!(mask("price", "1004"), "1004");
        assert_eq!(mask("hashData", "ff"), "ff");
    }

    #[test]
    fn simulator_codes_never_collide_with_successes() {
        for r in DECLINE_RULES {
            assert!(![code::OK, code::STD_OK].contains(&r.code));
        }
        assert_eq!(bank_code("SHINHAN"), Some("88"));
        assert_eq!(portone_bank("88"), Some("SHINHAN"));
        assert_eq!(portone_bank("088"), Some("SHINHAN"));
        assert_eq!(portone_bank("99"), None);
        for (name, code) in BANKS {
            assert_eq!(portone_bank(code), Some(*name));
        }
        assert_eq!(bank_code("NOPE"), None);
    }
}
