//! Toss Payments core API v1 constants: host, paths, headers, statuses, code tables.
//!
//! Every value cites its public source: the reference at <https://docs.tosspayments.com/reference>
//! (API version `2022-11-16`), its guides, and the error-code table at
//! <https://docs.tosspayments.com/reference/error-codes>. A value no public source shows is
//! **reconstructed** or **simulator** in its doc comment and listed in [`crate::reconstructed`].

use paymux_core::outcome::{DeclineKind, DeclineRule};

/// The API host: test and live share it, the key decides (`test_sk_` / `live_sk_`,
/// <https://docs.tosspayments.com/reference/using-api/authorization>).
pub const HOST: &str = "https://api.tosspayments.com";

/// The payment window's SDK script (v1 standard window,
/// <https://docs.tosspayments.com/reference/js-sdk>).
pub const WINDOW_SCRIPT: &str = "https://js.tosspayments.com/v1/payment";

/// Server API paths (appended to [`HOST`] or a channel `endpoint`).
pub mod path {
    /// 카드 번호 결제 (keyed-in): <https://docs.tosspayments.com/reference#카드-번호-결제>.
    pub const KEY_IN: &str = "/v1/payments/key-in";
    /// 결제 승인 of a window payment: <https://docs.tosspayments.com/reference#결제-승인>.
    pub const CONFIRM: &str = "/v1/payments/confirm";
    /// Prefix of `GET /v1/payments/{paymentKey}` and `POST /v1/payments/{paymentKey}/cancel`.
    pub const PAYMENTS: &str = "/v1/payments/";
    /// Suffix of the cancel: <https://docs.tosspayments.com/reference#결제-취소>.
    pub const CANCEL_SUFFIX: &str = "/cancel";
    /// Prefix of `GET /v1/payments/orders/{orderId}` (<https://docs.tosspayments.com/reference#orderid로-결제-조회>).
    pub const BY_ORDER: &str = "/v1/payments/orders/";
    /// 가상계좌 발급: <https://docs.tosspayments.com/reference#가상계좌-발급-요청>.
    pub const VIRTUAL_ACCOUNTS: &str = "/v1/virtual-accounts";
    /// `POST /v1/cash-receipts`, `POST /v1/cash-receipts/{receiptKey}/cancel`,
    /// `GET /v1/cash-receipts` (<https://docs.tosspayments.com/reference#현금영수증>).
    pub const CASH_RECEIPTS: &str = "/v1/cash-receipts";
    /// 카드 정보로 빌링키 발급: <https://docs.tosspayments.com/reference#카드-정보로-빌링키-발급>.
    pub const BILLING_AUTH_CARD: &str = "/v1/billing/authorizations/card";
    /// Prefix of `POST /v1/billing/{billingKey}` (자동결제 승인,
    /// <https://docs.tosspayments.com/reference#빌링키로-결제-승인>).
    pub const BILLING: &str = "/v1/billing/";
}

/// Header names.
pub mod header {
    /// `Authorization: Basic base64(secretKey + ":")`.
    pub const AUTHORIZATION: &str = "Authorization";
    /// `Idempotency-Key` (<https://docs.tosspayments.com/guides/using-api/idempotency-key>).
    pub const IDEMPOTENCY_KEY: &str = "Idempotency-Key";
}

/// The longest `Idempotency-Key` Toss takes ("최대 길이는 300자").
pub const IDEMPOTENCY_KEY_MAX: usize = 300;

/// The `cancelReason` of a virtual-account close (`virtual-account.close`): Toss requires a
/// reason (≤ 200 characters) and PortOne's close carries none, so paymux sends this one
/// (**paymux's choice**, see the README).
pub const CLOSE_REASON: &str = "가상계좌 말소";

/// Test secret keys start with this; live ones with `live_sk_`.
pub const TEST_KEY_PREFIX: &str = "test_sk_";
/// Live secret keys start with this.
pub const LIVE_KEY_PREFIX: &str = "live_sk_";

/// The published test secret key (<https://docs.tosspayments.com/guides/using-api>:
/// "로그인하지 않고 문서에 있는 테스트 키를 사용할 수 있지만, 결제 내역을 확인할 수 없어요").
pub const PUBLISHED_TEST_SECRET_KEY: &str = "test_sk_zXLkKEypNArWmo50nX3lmeaxYG5R";
/// The published test client key (same pages), for the window.
pub const PUBLISHED_TEST_CLIENT_KEY: &str = "test_ck_D5GePWvyJnrK0W0k6q8gLzN97Eoq";

/// `status` of the Payment object (<https://docs.tosspayments.com/reference#payment-객체>).
pub mod status {
    /// 결제 생성 (window opened).
    pub const READY: &str = "READY";
    /// 인증 완료, 승인 전.
    pub const IN_PROGRESS: &str = "IN_PROGRESS";
    /// 가상계좌 입금 대기.
    pub const WAITING_FOR_DEPOSIT: &str = "WAITING_FOR_DEPOSIT";
    /// 승인 완료.
    pub const DONE: &str = "DONE";
    /// 전체 취소.
    pub const CANCELED: &str = "CANCELED";
    /// 부분 취소.
    pub const PARTIAL_CANCELED: &str = "PARTIAL_CANCELED";
    /// 승인 실패.
    pub const ABORTED: &str = "ABORTED";
    /// 유효 시간 만료 (window or virtual account).
    pub const EXPIRED: &str = "EXPIRED";
}

/// `method` values of the Payment object (Korean, API version 2022-11-16).
pub mod method {
    /// 카드.
    pub const CARD: &str = "카드";
    /// 가상계좌.
    pub const VIRTUAL_ACCOUNT: &str = "가상계좌";
}

/// Webhook `eventType`s (<https://docs.tosspayments.com/guides/webhook>).
pub mod event {
    /// Any payment's status changed; the body's `data` is the Payment object. Unsigned.
    pub const PAYMENT_STATUS_CHANGED: &str = "PAYMENT_STATUS_CHANGED";
    /// A virtual account's deposit (or its cancel): `{createdAt, secret, status,
    /// transactionKey, orderId}`, authenticated only by the payment's `secret`.
    pub const DEPOSIT_CALLBACK: &str = "DEPOSIT_CALLBACK";
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

/// Fields whose values never appear in a view: card data, identity numbers, passwords, the
/// billing key, the window's `paymentKey`-independent secrets, refund account numbers.
pub fn masking(field: &str) -> Masking {
    match field {
        "cardNumber" => Masking::CardNumber,
        "cardPassword"
        | "customerIdentityNumber"
        | "billingKey"
        | "registrationNumber"
        | "accountNumber"
        | "secret"
        | "authKey" => Masking::Hidden,
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

/// PortOne V2 `Bank` → Toss's bank code (은행 코드, <https://docs.tosspayments.com/codes/org-codes>):
/// two digits, the KFTC code without its leading zero. `bank` also takes the Korean name
/// (`"20"` or `"우리"`, the virtual-account guide); paymux sends the code.
pub const BANKS: &[(&str, &str)] = &[
    ("KDB", "02"),
    ("IBK", "03"),
    ("KOOKMIN", "06"),
    ("SUHYUP", "07"),
    ("NONGHYUP", "11"),
    ("LOCAL_NONGHYUP", "12"),
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
    ("SAVINGS_BANK", "50"),
    ("POST", "71"),
    ("HANA", "81"),
    ("SHINHAN", "88"),
    ("K_BANK", "89"),
    ("KAKAO", "90"),
    ("TOSS", "92"),
];

/// Toss's code of a PortOne bank.
pub fn bank_code(portone: &str) -> Option<&'static str> {
    BANKS
        .iter()
        .find(|(name, _)| *name == portone)
        .map(|(_, code)| *code)
}

/// Toss card-company codes (`issuerCode` / `acquirerCode`, 카드사 코드,
/// <https://docs.tosspayments.com/codes/org-codes#카드사-코드>) → PortOne's `CardCompany`
/// names (the V2 schema), which the gateway reports as the card's issuer.
pub const CARD_COMPANIES: &[(&str, &str)] = &[
    ("3K", "IBK_BC"),
    ("46", "GWANGJU_CARD"),
    ("71", "LOTTE_CARD"),
    ("30", "KDB_CARD"),
    ("31", "BC_CARD"),
    ("51", "SAMSUNG_CARD"),
    ("38", "SAEMAUL_CARD"),
    ("41", "SHINHAN_CARD"),
    ("62", "SHINHYUP_CARD"),
    ("36", "CITI_CARD"),
    ("33", "WOORI_CARD"),
    ("W1", "WOORI_CARD"),
    ("37", "POST_CARD"),
    ("39", "SAVINGBANK_CARD"),
    ("35", "JEONBUK_CARD"),
    ("42", "JEJU_CARD"),
    ("15", "KAKAO_BANK_CARD"),
    ("3A", "K_BANK_CARD"),
    ("24", "TOSS_BANK_CARD"),
    ("21", "HANA_CARD"),
    ("61", "HYUNDAI_CARD"),
    ("11", "KOOKMIN_CARD"),
    ("91", "NH_CARD"),
    ("34", "SUHYUP_CARD"),
];

/// PortOne's name of a Toss card-company code.
pub fn card_company(code: &str) -> Option<&'static str> {
    CARD_COMPANIES
        .iter()
        .find(|(c, _)| *c == code)
        .map(|(_, name)| *name)
}

/// Toss error `code` → normalized kind: one table from the error-code reference
/// (<https://docs.tosspayments.com/reference/error-codes>). The raw code and message are always
/// kept; a code missing here maps to [`DeclineKind::Other`]. Retry-safety follows the kind:
/// only maintenance and merchant-configuration errors are retry-safe.
pub const DECLINE_RULES: &[DeclineRule] = &[
    // Card-holder and issuer refusals.
    rule("REJECT_CARD_COMPANY", DeclineKind::CardDeclined),
    rule("INVALID_REJECT_CARD", DeclineKind::CardDeclined),
    rule("REJECT_CARD_PAYMENT", DeclineKind::InsufficientFunds),
    rule("REJECT_ACCOUNT_PAYMENT", DeclineKind::InsufficientFunds),
    rule("NOT_ENOUGH_BALANCE", DeclineKind::InsufficientFunds),
    rule("INVALID_CARD_NUMBER", DeclineKind::InvalidCard),
    rule("INVALID_CARD_LOST_OR_STOLEN", DeclineKind::InvalidCard),
    rule("INVALID_STOPPED_CARD", DeclineKind::InvalidCard),
    rule("INVALID_CARD_EXPIRATION", DeclineKind::ExpiredCard),
    rule("INVALID_PASSWORD", DeclineKind::AuthenticationFailed),
    rule("INVALID_CARD_PASSWORD", DeclineKind::AuthenticationFailed),
    rule(
        "INVALID_BIRTH_DAY_FORMAT",
        DeclineKind::AuthenticationFailed,
    ),
    rule("INVALID_AUTHORIZE_AUTH", DeclineKind::AuthenticationFailed),
    rule("EXCEED_MAX_AUTH_COUNT", DeclineKind::AuthenticationFailed),
    rule("EXCEED_MAX_DAILY_PAYMENT_COUNT", DeclineKind::LimitExceeded),
    rule("EXCEED_MAX_PAYMENT_AMOUNT", DeclineKind::LimitExceeded),
    rule("EXCEED_MAX_ONE_DAY_AMOUNT", DeclineKind::LimitExceeded),
    rule(
        "EXCEED_MAX_ONE_DAY_WITHDRAW_AMOUNT",
        DeclineKind::LimitExceeded,
    ),
    rule(
        "EXCEED_MAX_ONE_TIME_WITHDRAW_AMOUNT",
        DeclineKind::LimitExceeded,
    ),
    rule(
        "EXCEED_MAX_MONTHLY_PAYMENT_AMOUNT",
        DeclineKind::LimitExceeded,
    ),
    rule("EXCEED_MAX_AMOUNT", DeclineKind::LimitExceeded),
    rule(
        "EXCEED_MAX_CARD_INSTALLMENT_PLAN",
        DeclineKind::InvalidRequest,
    ),
    rule("INVALID_CARD_INSTALLMENT_PLAN", DeclineKind::InvalidRequest),
    rule(
        "NOT_SUPPORTED_INSTALLMENT_PLAN_CARD_OR_MERCHANT",
        DeclineKind::InvalidRequest,
    ),
    rule(
        "NOT_SUPPORTED_MONTHLY_INSTALLMENT_PLAN",
        DeclineKind::InvalidRequest,
    ),
    rule("BELOW_MINIMUM_AMOUNT", DeclineKind::InvalidRequest),
    rule("INVALID_REQUEST", DeclineKind::InvalidRequest),
    rule("NOT_ALLOWED_POINT_USE", DeclineKind::InvalidRequest),
    rule("INVALID_BANK", DeclineKind::InvalidRequest),
    rule("INVALID_REFUND_ACCOUNT_INFO", DeclineKind::InvalidRequest),
    rule("INVALID_REFUND_ACCOUNT_NUMBER", DeclineKind::InvalidRequest),
    rule("NOT_MATCHES_CUSTOMER_KEY", DeclineKind::InvalidRequest),
    rule("INVALID_CUSTOMER_KEY", DeclineKind::InvalidRequest),
    rule("EXCEED_MAX_DUE_DATE", DeclineKind::InvalidRequest),
    rule("FDS_ERROR", DeclineKind::CardDeclined),
    // Duplicates and unknown references.
    rule("ALREADY_PROCESSED_PAYMENT", DeclineKind::Duplicate),
    rule("DUPLICATED_ORDER_ID", DeclineKind::Duplicate),
    rule("NOT_FOUND_PAYMENT", DeclineKind::NotFound),
    rule("NOT_FOUND_PAYMENT_SESSION", DeclineKind::NotFound),
    rule("NOT_FOUND_BILLING", DeclineKind::NotFound),
    rule("NOT_FOUND", DeclineKind::NotFound),
    // Cancels.
    rule("ALREADY_CANCELED_PAYMENT", DeclineKind::CancelRefused),
    rule("ALREADY_REFUND_PAYMENT", DeclineKind::CancelRefused),
    rule("NOT_CANCELABLE_AMOUNT", DeclineKind::CancelRefused),
    rule("NOT_CANCELABLE_PAYMENT", DeclineKind::CancelRefused),
    rule("NOT_MATCHES_REFUNDABLE_AMOUNT", DeclineKind::CancelRefused),
    rule(
        "EXCEED_CANCEL_AMOUNT_DISCOUNT_AMOUNT",
        DeclineKind::CancelRefused,
    ),
    rule("REFUND_REJECTED", DeclineKind::CancelRefused),
    rule(
        "NOT_CANCELABLE_PAYMENT_FOR_DORMANT_USER",
        DeclineKind::CancelRefused,
    ),
    rule("EXCEED_CANCEL_PERIOD", DeclineKind::CancelPeriodExpired),
    // Merchant configuration (retry-safe: nothing happened, another channel may work).
    rule("UNAUTHORIZED_KEY", DeclineKind::ConfigError),
    rule("INVALID_API_KEY", DeclineKind::ConfigError),
    rule("INCORRECT_BASIC_AUTH_FORMAT", DeclineKind::ConfigError),
    rule("FORBIDDEN_REQUEST", DeclineKind::ConfigError),
    rule("NOT_FOUND_TERMINAL_ID", DeclineKind::ConfigError),
    rule("INVALID_UNREGISTERED_SUBMALL", DeclineKind::ConfigError),
    rule("NOT_REGISTERED_BUSINESS", DeclineKind::ConfigError),
    rule("NOT_AVAILABLE_PAYMENT", DeclineKind::ConfigError),
    // Temporary trouble at Toss or the card company.
    rule("PROVIDER_ERROR", DeclineKind::PgMaintenance),
    rule("CARD_PROCESSING_ERROR", DeclineKind::PgMaintenance),
    rule("NOT_AVAILABLE_BANK", DeclineKind::PgMaintenance),
];

const fn rule(code: &'static str, kind: DeclineKind) -> DeclineRule {
    DeclineRule { code, kind }
}

/// Codes only paymux's simulator answers with: **simulator** (Toss's real answers to these
/// situations are the documented codes above; these cover what the simulator refuses that Toss
/// documents no code for).
pub mod sim {
    /// The body is not the JSON the path expects (Toss answers `INVALID_REQUEST` too).
    pub const INVALID_REQUEST: &str = "INVALID_REQUEST";
    /// An unknown path.
    pub const NOT_FOUND: &str = "NOT_FOUND";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_card_data_and_keys_only() {
        assert_eq!(mask("cardNumber", "4111111111111111"), "411111******1111");
        assert_eq!(mask("cardNumber", "41111111****111*"), "41111111****111*");
        assert_eq!(mask("billingKey", "abc"), "***");
        assert_eq!(mask("amount", "1004"), "1004");
    }

    #[test]
    fn decline_table_has_no_duplicates_and_codes_map() {
        let mut codes: Vec<_> = DECLINE_RULES.iter().map(|r| r.code).collect();
        codes.sort_unstable();
        let n = codes.len();
        codes.dedup();
        assert_eq!(codes.len(), n, "a code is listed twice");
        use paymux_core::outcome::classify;
        assert_eq!(
            classify(DECLINE_RULES, "REJECT_CARD_COMPANY"),
            DeclineKind::CardDeclined
        );
        assert_eq!(
            classify(DECLINE_RULES, "REJECT_CARD_PAYMENT"),
            DeclineKind::InsufficientFunds
        );
        assert_eq!(classify(DECLINE_RULES, "SOMETHING_NEW"), DeclineKind::Other);
    }

    #[test]
    fn banks_and_card_companies() {
        assert_eq!(bank_code("WOORI"), Some("20"));
        assert_eq!(bank_code("NOPE"), None);
        assert_eq!(card_company("11"), Some("KOOKMIN_CARD"));
    }
}
