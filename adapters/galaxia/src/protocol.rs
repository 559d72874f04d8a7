//! BillGate protocol constants: service codes, commands, tags, fixed values and code tables.
//!
//! Every number here comes from Galaxia's official PHP sample (`BillgatePay-PHP`, as copied in
//! `leehyunjun-code/pg-connection`: `billgateClass/Const.php`, `Service.php`, `PayInput.php`,
//! `CancelReturn.php`, `config/config.ini`) or the keyed-in Java sample (`Galaxia.java`), unless
//! its doc comment says **reconstructed** or **simulator**. The crate docs ("Documented vs
//! reconstructed") list those with the reason.

use paymux_core::outcome::{DeclineKind, DeclineRule};

/// Telegram version written in every header (`Message::setVersion("0100")`).
pub const VERSION: &str = "0100";

/// Payment-method service codes (`Const.php`, class `ServiceCode`). The TCP port is `3` +
/// the service code (`config.ini`: "포트 : 3 + 결제수단코드").
pub mod service {
    /// 신용카드 (credit card).
    pub const CARD: &str = "0900";
    /// 계좌이체 (real-time account transfer).
    pub const TRANSFER: &str = "1000";
    /// 휴대폰 (mobile phone billing).
    pub const MOBILE: &str = "1100";
    /// 가상계좌 (virtual account).
    pub const VIRTUAL_ACCOUNT: &str = "1800";

    /// The TCP port of a service code: `3` followed by the code (`0900` → 30900).
    pub fn port(code: &str) -> Option<u16> {
        format!("3{code}").parse().ok()
    }
}

/// Request commands (`Const.php`, class `Command`). Each response is the request code + 1.
pub mod command {
    /// 승인 요청: what the payment window's `MESSAGE` carries (**reconstructed**: see the crate docs).
    pub const AUTH: &str = "3000";
    /// 인증 및 승인 요청: keyed-in card approval (`Galaxia.java` `offlineProcess`).
    pub const CERTIFY_AUTH: &str = "3040";
    /// 자동과금 인증 요청: billing-key registration.
    pub const AUTO_BILL_CERTIFY: &str = "2100";
    /// 자동과금 승인 요청: card charge with a billing key.
    pub const AUTO_BILL_AUTH: &str = "3020";
    /// 자동 과금 동의 승인 요청: first mobile charge that also registers the key.
    pub const AUTO_BILL_AGREE_AUTH: &str = "3030";
    /// 자동 과금 동의 과금 요청: later mobile charges with the key.
    pub const AUTO_BILL_AGREE_BILL: &str = "3910";
    /// 승인 내역 조회 요청: status inquiry.
    pub const AUTH_QUERY: &str = "5000";
    /// 취소 요청: transfer / mobile / other cancels (`CancelReturn.php`).
    pub const CANCEL: &str = "9000";
    /// 취소 요청 (관리자용): card partial cancel.
    pub const CANCEL_ADMIN: &str = "9010";
    /// SMS 취소 요청: card full cancel.
    pub const CANCEL_SMS: &str = "9200";
    /// 매입 취소 요청: transfer partial cancel.
    pub const BUY_CANCEL: &str = "9300";

    /// The response command of a request command (request + 1, same width).
    pub fn response_of(request: &str) -> Option<String> {
        let n: u16 = request.parse().ok()?;
        Some(format!("{:04}", n + 1))
    }
}

/// Tags (`Const.php`, class `MessageTag`, plus the numbers the samples use directly).
pub mod tag {
    /// 고객 ID.
    pub const USER_ID: &str = "0001";
    /// 고객 이름.
    pub const USER_NAME: &str = "0002";
    /// 상품 코드.
    pub const ITEM_CODE: &str = "0003";
    /// 상품 이름.
    pub const ITEM_NAME: &str = "0004";
    /// 고객 IP.
    pub const USER_IP: &str = "0005";
    /// 고객 Email.
    pub const USER_EMAIL: &str = "0006";
    /// 휴대폰 번호.
    pub const MOBILE_NUMBER: &str = "0007";
    /// 핀 번호: the card number.
    pub const PIN_NUMBER: &str = "0008";
    /// 패스워드: first two digits of the card password.
    pub const PASSWORD: &str = "0009";
    /// 거래 금액.
    pub const DEAL_AMOUNT: &str = "0012";
    /// 부가세.
    pub const VAT: &str = "0013";
    /// 봉사료.
    pub const SERVICE_CHARGE: &str = "0014";
    /// 거래자 구분; also the transfer cancel type.
    pub const USING_TYPE: &str = "0015";
    /// 승인 요청시 주문 번호 (order id as a tag; used by the reconstructed inquiry).
    pub const ORDER_ID: &str = "0025";
    /// 통화 구분.
    pub const CURRENCY: &str = "0030";
    /// 할부 개월 수.
    pub const QUOTA: &str = "0031";
    /// 유효년월 (YYMM).
    pub const EXPIRE_DATE: &str = "0032";
    /// CVC2.
    pub const CVC2: &str = "0033";
    /// 카드사 코드.
    pub const CARD_COMPANY_CODE: &str = "0034";
    /// ISP/MIP 구분 (인증 타입).
    pub const CERT_TYPE: &str = "0035";
    /// 이동통신사 코드.
    pub const MOBILE_COMPANY_CODE: &str = "0059";
    /// 주민번호: birth date (YYMMDD) or business number.
    pub const SOCIAL_NUMBER: &str = "0069";
    /// OPCODE (언어구분).
    pub const OPCODE: &str = "0070";
    /// 수납필수여부, reused as the card cancel type.
    pub const REQUIRE_TYPE: &str = "0082";
    /// 전문번호: transfer partial-cancel sequence.
    pub const PROTOCOL_NUMBER: &str = "0096";
    /// 거래 번호 (TID).
    pub const TRANSACTION_ID: &str = "1001";
    /// 응답 코드.
    pub const RESPONSE_CODE: &str = "1002";
    /// 응답 메시지.
    pub const RESPONSE_MESSAGE: &str = "1003";
    /// 승인 번호.
    pub const AUTH_NUMBER: &str = "1004";
    /// 승인 일시 (YYYYMMDDHHMMSS).
    pub const AUTH_DATE: &str = "1005";
    /// 잔액.
    pub const BALANCE: &str = "1006";
    /// 결제 금액.
    pub const AUTH_AMOUNT: &str = "1007";
    /// 상세 응답 코드.
    pub const DETAIL_RESPONSE_CODE: &str = "1009";
    /// 상세 응답 메시지.
    pub const DETAIL_RESPONSE_MESSAGE: &str = "1010";
    /// 이전 거래 번호 (transfer partial cancel).
    pub const PRE_TRANSACTION_ID: &str = "1012";
    /// 사용자 키: the billing key.
    pub const USER_KEY: &str = "1018";
    /// 카드발급사코드.
    pub const ISSUE_COMPANY_CODE: &str = "1021";
    /// 카드매입사코드.
    pub const BUY_COMPANY_CODE: &str = "1022";
    /// 취소 금액 (seen in `CancelReturn.php`).
    pub const CANCEL_AMOUNT: &str = "1033";
    /// 발급사명 (seen in `Galaxia.java`).
    pub const ISSUE_COMPANY_NAME: &str = "5009";
    /// 매입사명 (seen in `Galaxia.java`).
    pub const BUY_COMPANY_NAME: &str = "5010";
    /// 부분취소 시퀀스, card (seen in `CancelReturn.php`).
    pub const CARD_CANCEL_SEQUENCE: &str = "5049";
    /// 과세 금액 (seen in `Galaxia.java`).
    pub const TAX_AMOUNT: &str = "5304";
    /// 면세 금액 (seen in `Galaxia.java`).
    pub const TAX_FREE_AMOUNT: &str = "5305";
    /// 부분취소금액, mobile (seen in `CancelReturn.php`).
    pub const MOBILE_CANCEL_AMOUNT: &str = "7043";

    /// Tags whose values never appear in a view: card data, identity and the billing key.
    /// (`Service.php` drops 0009 and 0069 from its log line; paymux also masks the rest.)
    pub fn masking(tag: &str) -> super::Masking {
        use super::Masking;
        match tag {
            PIN_NUMBER => Masking::CardNumber,
            PASSWORD | SOCIAL_NUMBER | CVC2 | USER_KEY => Masking::Hidden,
            _ => Masking::Clear,
        }
    }

    /// The `Const.php` name of a tag, for readable views.
    pub fn name(tag: &str) -> &'static str {
        match tag {
            USER_ID => "USER_ID",
            USER_NAME => "USER_NAME",
            ITEM_CODE => "ITEM_CODE",
            ITEM_NAME => "ITEM_NAME",
            USER_IP => "USER_IP",
            USER_EMAIL => "USER_EMAIL",
            MOBILE_NUMBER => "MOBILE_NUMBER",
            PIN_NUMBER => "PIN_NUMBER",
            PASSWORD => "PASSWORD",
            DEAL_AMOUNT => "DEAL_AMOUNT",
            VAT => "VAT",
            SERVICE_CHARGE => "SERVICE_CHARGE",
            USING_TYPE => "USING_TYPE",
            ORDER_ID => "ORDER_ID",
            CURRENCY => "CURRENCY",
            QUOTA => "QUOTA",
            EXPIRE_DATE => "EXPIRE_DATE",
            CVC2 => "CVC2",
            CARD_COMPANY_CODE => "CARD_COMPANY_CODE",
            CERT_TYPE => "CERT_TYPE",
            MOBILE_COMPANY_CODE => "MOBILE_COMPANY_CODE",
            SOCIAL_NUMBER => "SOCIAL_NUMBER",
            OPCODE => "OPCODE",
            REQUIRE_TYPE => "REQUIRE_TYPE",
            PROTOCOL_NUMBER => "PROTOCOL_NUMBER",
            TRANSACTION_ID => "TRANSACTION_ID",
            RESPONSE_CODE => "RESPONSE_CODE",
            RESPONSE_MESSAGE => "RESPONSE_MESSAGE",
            AUTH_NUMBER => "AUTH_NUMBER",
            AUTH_DATE => "AUTH_DATE",
            BALANCE => "BALANCE",
            AUTH_AMOUNT => "AUTH_AMOUNT",
            DETAIL_RESPONSE_CODE => "DETAIL_RESPONSE_CODE",
            DETAIL_RESPONSE_MESSAGE => "DETAIL_RESPONSE_MESSAGE",
            PRE_TRANSACTION_ID => "PRE_TRANSACTION_ID",
            USER_KEY => "USER_KEY",
            ISSUE_COMPANY_CODE => "ISSUE_COMPANY_CODE",
            BUY_COMPANY_CODE => "BUY_COMPANY_CODE",
            CANCEL_AMOUNT => "CANCEL_AMOUNT",
            ISSUE_COMPANY_NAME => "ISSUE_COMPANY_NAME",
            BUY_COMPANY_NAME => "BUY_COMPANY_NAME",
            CARD_CANCEL_SEQUENCE => "CARD_CANCEL_SEQUENCE",
            TAX_AMOUNT => "TAX_AMOUNT",
            TAX_FREE_AMOUNT => "TAX_FREE_AMOUNT",
            MOBILE_CANCEL_AMOUNT => "MOBILE_CANCEL_AMOUNT",
            _ => "UNNAMED",
        }
    }
}

/// How a tag's value is shown in views.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Masking {
    /// Shown as is.
    Clear,
    /// First 6 and last 4 digits kept.
    CardNumber,
    /// Replaced by `***`.
    Hidden,
}

/// Fixed values the keyed-in sample marks "고정 값 수정 불가" (`Galaxia.java`).
pub mod fixed {
    /// CERT_TYPE 0002: 수기특약 (keyed-in contract).
    pub const CERT_TYPE_KEYED_IN: &str = "0002";
    /// USING_TYPE 0000: domestic card.
    pub const USING_TYPE_DOMESTIC: &str = "0000";
    /// CURRENCY 0000: KRW.
    pub const CURRENCY_KRW: &str = "0000";
    /// OPCODE 0000: Korean.
    pub const OPCODE_KOREAN: &str = "0000";
    /// REQUIRE_TYPE 0000: partial cancel of the given amount (`CancelReturn.php`).
    pub const CANCEL_TYPE_PARTIAL: &str = "0000";
    /// REQUIRE_TYPE 1000: cancel the remaining balance (`CancelReturn.php`).
    pub const CANCEL_TYPE_REMAINING: &str = "1000";
}

/// Response codes (tag 1002). `0000` is the only one the public material defines.
pub mod code {
    /// Success (`Galaxia.java`: `responseCode.equals("0000")`).
    pub const SUCCESS: &str = "0000";
}

/// Hosts (`config.ini`). Test is `mode=0`, live `mode=1`.
pub mod host {
    /// Live transaction host (`main_ip`; `backup_ip` is the same name).
    pub const LIVE: &str = "api.billgate.net";
    /// Test transaction host (`test_ip`).
    pub const TEST: &str = "tapi.billgate.net";
    /// Payment-window loader script, test (`PayInput.php`).
    pub const WINDOW_SCRIPT_TEST: &str =
        "https://tpay.billgate.net/paygate/plugin/gx_web_client.js";
    /// Payment-window loader script, live (`PayInput.php`, commented-out line).
    pub const WINDOW_SCRIPT_LIVE: &str = "https://pay.billgate.net/paygate/plugin/gx_web_client.js";
}

/// Read timeout of the sample (`config.ini` `timeout = 20000`).
pub const READ_TIMEOUT_MS: u64 = 20_000;

/// Card company codes for the window's `CARD_TYPE` (`PayInput.php`), keyed by PortOne V2
/// `CardCompany`.
pub const CARD_COMPANIES_V2: &[(&str, &str)] = &[
    ("BC_CARD", "0052"),
    ("KOOKMIN_CARD", "0050"),
    ("HYUNDAI_CARD", "0073"),
    ("SAMSUNG_CARD", "0054"),
    ("SHINHAN_CARD", "0053"),
    ("LOTTE_CARD", "0055"),
    ("SAVINGS_BANK_KOREA", "0089"),
    ("HANA_CARD", "0076"),
    ("JEJU_CARD", "0079"),
    ("GWANGJU_CARD", "0080"),
    ("SHINHYUP", "0073"),
    ("SUHYUP_CARD", "0075"),
    ("JEONBUK_CARD", "0081"),
    ("NH_CARD", "0078"),
    ("CITI_CARD", "0084"),
];

/// Carriers: PortOne V1 name, PortOne V2 SDK `Carrier` name, Galaxia's `MOBILE_COMPANY_CODE`
/// (`PayInput.php`: "0000:SKT, 0001:KT, 0002:LGU, 0011:CJH, 0010:KCT, 0012:SKL"). KTF is KT,
/// LGT is LG U+, CJH (CJ Hello) is the SDK's HELLO, SKL (SK Telink) its SK7.
pub const CARRIERS: &[(&str, &str, &str)] = &[
    ("SKT", "SKT", "0000"),
    ("KTF", "KT", "0001"),
    ("LGT", "LGU", "0002"),
    ("CJH", "HELLO", "0011"),
    ("KCT", "KCT", "0010"),
    ("SKL", "SK7", "0012"),
];

/// Local error codes of the vendor library (`Service.php`: 1002 = first four characters,
/// 1009 = last two), plus the codes the paymux simulator answers with. BillGate's own decline
/// code list is **NOT FOUND** publicly, so the simulator's codes are paymux's choice (see
/// [`SIMULATOR_CODES`]); a live code missing here maps to `Other`.
pub const DECLINE_RULES: &[DeclineRule] = &[
    // Library-local: connect failure, read timeout, data length, file I/O, unknown.
    rule("0920", DeclineKind::PgMaintenance),
    rule("9999", DeclineKind::Other),
    // Simulator (paymux's choice, listed in [`SIMULATOR_CODES`]).
    rule(sim::CARD_DECLINED, DeclineKind::CardDeclined),
    rule(sim::INSUFFICIENT_FUNDS, DeclineKind::InsufficientFunds),
    rule(sim::DUPLICATE_ORDER, DeclineKind::Duplicate),
    rule(sim::NOT_FOUND, DeclineKind::NotFound),
    rule(sim::BILLING_KEY_NOT_FOUND, DeclineKind::NotFound),
    rule(sim::CANCEL_EXCEEDS_BALANCE, DeclineKind::CancelRefused),
    rule(sim::ALREADY_CANCELLED, DeclineKind::CancelRefused),
    rule(sim::INVALID_REQUEST, DeclineKind::InvalidRequest),
    rule(sim::UNKNOWN_COMMAND, DeclineKind::InvalidRequest),
    rule(sim::UNKNOWN_MERCHANT, DeclineKind::ConfigError),
];

const fn rule(code: &'static str, kind: DeclineKind) -> DeclineRule {
    DeclineRule { code, kind }
}

/// Response codes (tag 1002) the paymux simulator uses. **Simulator**: not Galaxia's.
pub mod sim {
    /// Card declined (test card `…0002`).
    pub const CARD_DECLINED: &str = "8101";
    /// Insufficient funds (test card `…0051`).
    pub const INSUFFICIENT_FUNDS: &str = "8151";
    /// Order id already used.
    pub const DUPLICATE_ORDER: &str = "8201";
    /// No such transaction.
    pub const NOT_FOUND: &str = "8301";
    /// No such (active) billing key.
    pub const BILLING_KEY_NOT_FOUND: &str = "8302";
    /// The cancel exceeds what is left.
    pub const CANCEL_EXCEEDS_BALANCE: &str = "8401";
    /// Nothing left to cancel.
    pub const ALREADY_CANCELLED: &str = "8402";
    /// A required tag is missing or malformed.
    pub const INVALID_REQUEST: &str = "8501";
    /// Command not served for this service code.
    pub const UNKNOWN_COMMAND: &str = "8502";
    /// MID not known.
    pub const UNKNOWN_MERCHANT: &str = "8601";
}

/// The simulator's response codes, with what they mean: **reconstructed**, paymux's choice
/// (Galaxia's code list is NOT FOUND).
pub const SIMULATOR_CODES: &[(&str, &str)] = &[
    (sim::CARD_DECLINED, "card declined (test card …0002)"),
    (
        sim::INSUFFICIENT_FUNDS,
        "insufficient funds (test card …0051)",
    ),
    (sim::DUPLICATE_ORDER, "ORDER_ID already used"),
    (sim::NOT_FOUND, "no such transaction"),
    (sim::BILLING_KEY_NOT_FOUND, "no such active USER_KEY"),
    (sim::CANCEL_EXCEEDS_BALANCE, "cancel exceeds the balance"),
    (sim::ALREADY_CANCELLED, "nothing left to cancel"),
    (sim::INVALID_REQUEST, "required tag missing or malformed"),
    (
        sim::UNKNOWN_COMMAND,
        "command not served for this service code",
    ),
    (sim::UNKNOWN_MERCHANT, "MID unknown"),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ports_are_three_plus_service_code() {
        assert_eq!(service::port(service::CARD), Some(30900));
        assert_eq!(service::port(service::TRANSFER), Some(31000));
        assert_eq!(service::port(service::MOBILE), Some(31100));
        assert_eq!(service::port(service::VIRTUAL_ACCOUNT), Some(31800));
    }

    #[test]
    fn responses_are_request_plus_one() {
        assert_eq!(command::response_of("3040").as_deref(), Some("3041"));
        assert_eq!(command::response_of("0100").as_deref(), Some("0101"));
    }

    #[test]
    fn v1_card_codes_all_map_to_a_galaxia_code() {
        // PortOne V1 pages reach Galaxia through core's V1 mapping: every V1 card code it
        // knows must have a Galaxia CARD_TYPE.
        for (_, v2) in paymux_core::model::checkout::v1::CARD_CODES {
            assert!(CARD_COMPANIES_V2.iter().any(|(n, _)| n == v2), "{v2}");
        }
    }
}
