//! NICE Pay "start" API constants: hosts, paths, field names, fixed values and the code tables.
//!
//! Every value here comes from NICE's public manual, the GitHub repository
//! `nicepayments/nicepay-manual` (commit b2769a0; paths such as `common/code.md` below are
//! files of that repository), unless its doc comment says **reconstructed** or **simulator**;
//! [`crate::reconstructed`] lists those with the reason.

use paymux_core::outcome::{DeclineKind, DeclineRule};

/// Hosts (`common/api.md`, `common/test.md`).
pub mod host {
    /// Sandbox API host (`common/test.md`: "API Host는 샌드박스 도메인(sandbox-api.nicepay.co.kr)").
    pub const SANDBOX: &str = "https://sandbox-api.nicepay.co.kr";
    /// Live API host (`api/*.md` samples).
    pub const LIVE: &str = "https://api.nicepay.co.kr";
    /// The JS SDK of the payment window, sandbox and live alike: the client key decides
    /// (`api/payment-window-server.md`, `common/test.md`).
    pub const JS_SDK: &str = "https://pay.nicepay.co.kr/v1/js/";
    /// The SDK's path, for a channel `endpoint` (a simulator) standing in for the window host.
    pub const JS_SDK_PATH: &str = "/v1/js/";
}

/// API paths (`common/api.md` URI table; each operation's page).
pub mod path {
    /// `POST /v1/payments/{tid}`: approve a window authorization (`api/payment-window-server.md` 승인).
    pub const PAYMENTS: &str = "/v1/payments";
    /// `POST /v1/subscribe/regist`: issue a billing key (`api/payment-subscribe.md` 빌키발급).
    pub const SUBSCRIBE_REGIST: &str = "/v1/subscribe/regist";
    /// `POST /v1/subscribe/{bid}/payments` and `/v1/subscribe/{bid}/expire`.
    pub const SUBSCRIBE: &str = "/v1/subscribe";
    /// `GET /v1/payments/find/{orderId}` (`api/status-transaction.md`).
    pub const FIND: &str = "/v1/payments/find";
    /// `POST /v1/receipt`, `POST /v1/receipt/{tid}/cancel`, `GET /v1/receipt/{tid}`
    /// (`api/payment-receipt.md` 현금영수증).
    pub const RECEIPT: &str = "/v1/receipt";
}

/// `resultCode`s and `authResultCode`s (`common/code.md` API 응답코드 unless marked).
pub mod code {
    /// `0000`: every API's success ("0000 : 성공 / 그외 실패", each response table).
    pub const OK: &str = "0000";
    /// 카드 결제 성공.
    pub const CARD_OK: &str = "3001";
    /// 계좌이체 결제 성공.
    pub const BANK_OK: &str = "4000";
    /// 가상계좌 발급 성공.
    pub const VBANK_ISSUED: &str = "4100";
    /// 가상계좌 입금 성공.
    pub const VBANK_DEPOSITED: &str = "4110";
    /// 휴대폰결제 처리 성공.
    pub const CELLPHONE_OK: &str = "A000";
    /// 취소 성공.
    pub const CANCEL_OK: &str = "2001";
    /// 환불 성공 ("2001과 함께 취소 성공 처리할 것").
    pub const REFUND_OK: &str = "2211";
    /// 빌키가 정상적으로 생성되었습니다.
    pub const BILLKEY_ISSUED: &str = "F100";
    /// 빌링 정보가 정상적으로 삭제되었습니다.
    pub const BILLKEY_DELETED: &str = "F101";
    /// 빌링 요청승인이 정상적으로 이루어졌습니다.
    pub const BILLING_OK: &str = "F200";
    /// 거래내역이 존재 하지 않습니다.
    pub const NO_TRANSACTION: &str = "U107";
    /// 조회내용이 없습니다.
    pub const NOTHING_FOUND: &str = "U111";
    /// orderId가 존재 하지 않습니다.
    pub const NO_ORDER: &str = "U126";
    /// 사용자가 결제를 취소하였습니다 (the window's own code).
    pub const PAYER_CANCELLED: &str = "I002";
}

/// What a call answered with success: one table, per operation family, read by
/// [`success`]. `0000` is every call's success; the others are `common/code.md`'s success
/// codes of that family (the legacy codes NICE's systems also answer with).
pub const SUCCESS_CODES: &[(Answered, &[&str])] = &[
    (
        Answered::Payment,
        &[
            code::OK,
            code::CARD_OK,
            code::BANK_OK,
            code::CELLPHONE_OK,
            code::BILLING_OK,
        ],
    ),
    (Answered::VirtualAccount, &[code::OK, code::VBANK_ISSUED]),
    (
        Answered::Cancel,
        &[code::OK, code::CANCEL_OK, code::REFUND_OK],
    ),
    (Answered::BillingKeyIssue, &[code::OK, code::BILLKEY_ISSUED]),
    (
        Answered::BillingKeyDelete,
        &[code::OK, code::BILLKEY_DELETED],
    ),
    (Answered::Inquiry, &[code::OK]),
];

/// Inquiry codes that mean "NICE has no such transaction" (`TxState::NotFound`).
pub const NOT_FOUND_CODES: &[&str] = &[code::NO_TRANSACTION, code::NOTHING_FOUND, code::NO_ORDER];

/// The family of an answer, for [`SUCCESS_CODES`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answered {
    /// A payment approval (window approval, billing-key charge).
    Payment,
    /// A virtual account issued through the window.
    VirtualAccount,
    /// A cancel or refund.
    Cancel,
    /// `/v1/subscribe/regist`.
    BillingKeyIssue,
    /// `/v1/subscribe/{bid}/expire`.
    BillingKeyDelete,
    /// `GET /v1/payments/...`.
    Inquiry,
}

/// Whether `code` is a success of `family`.
pub fn success(family: Answered, code: &str) -> bool {
    SUCCESS_CODES
        .iter()
        .any(|(f, codes)| *f == family && codes.contains(&code))
}

/// The payment object's `status` (every payment response table).
pub mod status {
    /// 결제완료.
    pub const PAID: &str = "paid";
    /// 준비됨: a virtual account waiting for its deposit.
    pub const READY: &str = "ready";
    /// 결제실패.
    pub const FAILED: &str = "failed";
    /// 취소됨.
    pub const CANCELLED: &str = "cancelled";
    /// 부분 취소됨.
    pub const PARTIAL_CANCELLED: &str = "partialCancelled";
    /// 만료됨.
    pub const EXPIRED: &str = "expired";
}

/// The window's `method` and the payment object's `payMethod`
/// (`api/payment-window-server.md`).
pub mod method {
    /// 신용카드.
    pub const CARD: &str = "card";
    /// 계좌이체.
    pub const BANK: &str = "bank";
    /// 가상계좌.
    pub const VBANK: &str = "vbank";
}

/// Fixed values paymux sends.
pub mod fixed {
    /// `returnCharSet`: UTF-8, the default (every request table).
    pub const RETURN_CHARSET: &str = "utf-8";
    /// `encMode` of AES-256-CBC `encData` (`api/payment-subscribe.md`).
    pub const ENC_MODE_A2: &str = "A2";
    /// `useShopInterest`: "현재 false만 사용 가능" (`api/payment-subscribe.md` 빌키승인).
    pub const USE_SHOP_INTEREST: bool = false;
    /// The answer a webhook expects: HTTP 200, `Content-Type: text/html`, body `OK`
    /// (`api/hook.md`).
    pub const WEBHOOK_ACK: &str = "OK";
    /// `reason` (취소사유, required, ≤ 100) of a virtual-account close: PortOne's
    /// `closeVirtualAccount` carries none, so paymux sends this one (**reconstructed**: paymux's
    /// choice, see `reconstructed.rs`).
    pub const CLOSE_REASON: &str = "가상계좌 말소";
}

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
/// the window's one-time token, the encrypted card data and refund account numbers. Hashes
/// (`signData`, `signature`) are shown: they cannot be reversed.
pub fn masking(field: &str) -> Masking {
    match field {
        "cardNo" | "cardNum" => Masking::CardNumber,
        "cardPw" | "idNo" | "bid" | "BID" | "authToken" | "encData" | "refundAccount"
        | "receiptNo" | "expYear" | "expMonth" => Masking::Hidden,
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

/// PortOne V2 `Bank` ⇄ NICE bank code (`common/code.md` 은행코드: the KFTC codes).
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
    ("SAVINGS_BANK", "050"),
    ("POST", "071"),
    ("HANA", "081"),
    ("SHINHAN", "088"),
    ("K_BANK", "089"),
    ("KAKAO", "090"),
];

/// The NICE code of a PortOne bank.
pub fn bank_code(portone: &str) -> Option<&'static str> {
    BANKS.iter().find(|(n, _)| *n == portone).map(|(_, c)| *c)
}

/// The PortOne name of a NICE bank code.
pub fn bank_name(nice: &str) -> Option<&'static str> {
    BANKS.iter().find(|(_, c)| *c == nice).map(|(n, _)| *n)
}

/// NICE card code (`common/code.md` 카드코드) → PortOne V2 `CardCompany` (the V2 schema's
/// enum; 03 하나(외환) and 16 하나 are both `HANA_CARD`). Point and wallet issuers (31, 39–42)
/// are left out: they are not card companies.
pub const CARD_COMPANIES: &[(&str, &str)] = &[
    ("01", "BC_CARD"),
    ("02", "KOOKMIN_CARD"),
    ("03", "HANA_CARD"),
    ("04", "SAMSUNG_CARD"),
    ("06", "SHINHAN_CARD"),
    ("07", "HYUNDAI_CARD"),
    ("08", "LOTTE_CARD"),
    ("11", "CITI_CARD"),
    ("12", "NH_CARD"),
    ("13", "SUHYUP_CARD"),
    ("14", "SHINHYUP"),
    ("15", "WOORI_CARD"),
    ("16", "HANA_CARD"),
    ("21", "GWANGJU_CARD"),
    ("22", "JEONBUK_CARD"),
    ("23", "JEJU_CARD"),
    ("24", "KDBC"),
    ("25", "VISA_CARD"),
    ("26", "MASTER_CARD"),
    ("27", "DINERS_CARD"),
    ("28", "AMEX_CARD"),
    ("29", "JCB_CARD"),
    ("32", "EPOST"),
    ("33", "SAVINGS_BANK_KOREA"),
    ("34", "UNION_CARD"),
    ("35", "KFCC"),
    ("36", "KOREA_DEVELOPMENT_BANK"),
    ("37", "KAKAO_BANK"),
    ("38", "K_BANK"),
];

/// The PortOne card company of a NICE card code.
pub fn card_company(nice: &str) -> Option<&'static str> {
    CARD_COMPANIES
        .iter()
        .find(|(c, _)| *c == nice)
        .map(|(_, n)| *n)
}

/// Raw `resultCode` → normalized kind: `common/code.md`'s failure codes paymux can tell apart,
/// plus the simulator's own two ([`sim`]). A code missing here maps to
/// [`DeclineKind::Other`] and keeps its raw code and message.
pub const DECLINE_RULES: &[DeclineRule] = &[
    // Card approvals (30xx).
    rule("3011", DeclineKind::InvalidCard),
    rule("3012", DeclineKind::ConfigError),
    rule("3013", DeclineKind::ConfigError),
    rule("3014", DeclineKind::ConfigError),
    rule("3021", DeclineKind::ExpiredCard),
    rule("3022", DeclineKind::InvalidRequest),
    rule("3023", DeclineKind::LimitExceeded),
    rule("3024", DeclineKind::InvalidRequest),
    rule("3041", DeclineKind::InvalidRequest),
    rule("3053", DeclineKind::InvalidCard),
    rule("3057", DeclineKind::InvalidCard),
    rule("3081", DeclineKind::InsufficientFunds),
    rule("3095", DeclineKind::CardDeclined),
    rule(sim::INSUFFICIENT_FUNDS, DeclineKind::InsufficientFunds),
    // Transfers and virtual accounts.
    rule("4008", DeclineKind::PgMaintenance),
    rule("4101", DeclineKind::LimitExceeded),
    rule("4102", DeclineKind::InvalidRequest),
    rule("4117", DeclineKind::Other),
    // Cancels (20xx).
    rule("2003", DeclineKind::CancelRefused),
    rule("2010", DeclineKind::InvalidRequest),
    rule("2011", DeclineKind::CancelRefused),
    rule("2012", DeclineKind::NotFound),
    rule("2013", DeclineKind::CancelRefused),
    rule("2014", DeclineKind::CancelRefused),
    rule("2015", DeclineKind::CancelRefused),
    rule("2016", DeclineKind::CancelPeriodExpired),
    rule("2020", DeclineKind::CancelPeriodExpired),
    rule("2023", DeclineKind::CancelRefused),
    rule("2026", DeclineKind::CancelRefused),
    rule("2028", DeclineKind::CancelRefused),
    rule("2029", DeclineKind::CancelRefused),
    rule("2030", DeclineKind::CancelRefused),
    rule("2031", DeclineKind::CancelRefused),
    rule("2032", DeclineKind::CancelRefused),
    rule("2033", DeclineKind::CancelRefused),
    rule("1534", DeclineKind::CancelRefused),
    rule("2201", DeclineKind::Duplicate),
    // Billing (F1xx).
    rule("F112", DeclineKind::InvalidCard),
    rule("F113", DeclineKind::AuthenticationFailed),
    rule("F115", DeclineKind::ConfigError),
    rule("F116", DeclineKind::ConfigError),
    rule("F117", DeclineKind::ConfigError),
    rule("F118", DeclineKind::CardDeclined),
    // Requests (P0xx) and the API layer (U1xx, U3xx).
    rule("P007", DeclineKind::InvalidRequest),
    rule("P009", DeclineKind::InvalidRequest),
    rule("P014", DeclineKind::ConfigError),
    rule("P015", DeclineKind::Duplicate),
    rule("P034", DeclineKind::InvalidRequest),
    rule("P036", DeclineKind::InvalidRequest),
    rule("U100", DeclineKind::InvalidRequest),
    rule("U107", DeclineKind::NotFound),
    rule("U111", DeclineKind::NotFound),
    rule("U112", DeclineKind::Duplicate),
    rule("U113", DeclineKind::InvalidRequest),
    rule("U114", DeclineKind::Duplicate),
    rule("U115", DeclineKind::NotFound),
    rule("U120", DeclineKind::InvalidRequest),
    rule("U121", DeclineKind::InvalidRequest),
    rule("U122", DeclineKind::NotFound),
    rule("U123", DeclineKind::CancelRefused),
    rule("U125", DeclineKind::InvalidRequest),
    rule("U126", DeclineKind::NotFound),
    rule("U127", DeclineKind::InvalidRequest),
    rule("U128", DeclineKind::CancelRefused),
    rule("U303", DeclineKind::PgMaintenance),
    rule("U304", DeclineKind::ConfigError),
    rule("U305", DeclineKind::ConfigError),
    rule("U306", DeclineKind::ConfigError),
    rule("U308", DeclineKind::InvalidRequest),
    rule("U309", DeclineKind::NotFound),
    rule("U311", DeclineKind::AuthenticationFailed),
    rule("U312", DeclineKind::ConfigError),
    rule("U313", DeclineKind::ConfigError),
    rule("U314", DeclineKind::ConfigError),
    rule("U315", DeclineKind::ConfigError),
    rule("U316", DeclineKind::ConfigError),
    rule("U318", DeclineKind::CancelRefused),
    rule("U319", DeclineKind::CancelRefused),
    rule("U320", DeclineKind::InvalidRequest),
    rule("U501", DeclineKind::PgMaintenance),
    rule("U508", DeclineKind::PgMaintenance),
    rule("C002", DeclineKind::AuthenticationFailed),
    rule("I002", DeclineKind::Other),
];

const fn rule(code: &'static str, kind: DeclineKind) -> DeclineRule {
    DeclineRule { code, kind }
}

/// Codes the paymux simulator answers with that `common/code.md` does not have.
/// **Simulator**: NICE's card declines all come back as `3095` (카드사 실패 응답) with the
/// issuer's message; the simulator needs a separate code for "insufficient funds" so the
/// shared test card `…0051` can be told apart. It uses a code of the 30xx family that
/// `common/code.md` leaves unused.
pub mod sim {
    /// 잔액 부족 (test card `…0051`). **Simulator**.
    pub const INSUFFICIENT_FUNDS: &str = "3099";
    /// 카드사 실패 응답 (test card `…0002`): documented `3095`.
    pub const CARD_DECLINED: &str = "3095";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_card_data_and_keys_only() {
        assert_eq!(mask("cardNo", "4111111111111111"), "411111******1111");
        assert_eq!(mask("cardNum", "123412******1234"), "123412******1234");
        assert_eq!(mask("bid", "BIKYabc"), "*******");
        assert_eq!(mask("amount", "1004"), "1004");
        assert_eq!(mask("signData", "ab"), "ab");
    }

    #[test]
    fn codes_are_unique_and_successes_never_decline() {
        let mut seen = std::collections::BTreeSet::new();
        for r in DECLINE_RULES {
            assert!(seen.insert(r.code), "{} twice", r.code);
            for (_, codes) in SUCCESS_CODES {
                assert!(!codes.contains(&r.code), "{} is a success", r.code);
            }
        }
        assert!(success(Answered::Cancel, "2211"));
        assert!(success(Answered::BillingKeyIssue, "F100"));
        assert!(!success(Answered::Cancel, "3001"));
        assert!(success(Answered::Payment, "3001"));
        assert!(success(Answered::VirtualAccount, "4100"));
    }

    #[test]
    fn bank_and_card_tables_are_unique() {
        let mut seen = std::collections::BTreeSet::new();
        for (name, code) in BANKS {
            assert_eq!(code.len(), 3, "{name}");
            assert!(seen.insert(code), "{code} twice");
            assert_eq!(bank_name(code), Some(*name));
        }
        assert_eq!(bank_code("SHINHAN"), Some("088"));
        assert_eq!(card_company("04"), Some("SAMSUNG_CARD"));
        assert_eq!(card_company("40"), None);
    }
}
