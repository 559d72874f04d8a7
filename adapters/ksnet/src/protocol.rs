//! KSNET protocol constants, for both interfaces: hosts, paths, envelope and status codes,
//! record types, fixed values, code tables and the decline table.
//!
//! Every value cites its public source: the WEBFEP reference (`KSPAY API Reference`, code
//! index id40551260010, virtual-account section id44493855312), the KSPay Java bean
//! `KSPayApprovalCancelBean` v1.3 (id46696420800), KSNET's sample `KSPayCancelForm.asp`
//! (id13501351461), the sample `KSPayCreditPostI` (id22319468307) and a merchant's keyed-in
//! ASP sample (id32623306956), or PortOne's KSNET guides. A value no public source shows is
//! **reconstructed** and listed in [`crate::reconstructed`] with the reason; codes the paymux
//! simulator invented are in [`sim`].

use paymux_core::outcome::{DeclineKind, DeclineRule};

/// WEBFEP (REST) constants.
pub mod webfep {
    /// Live API server (reference, "API 서버 / 운영 서버").
    pub const LIVE_BASE_URL: &str = "https://pay.ksnet.co.kr";
    /// Development API server (reference, "개발 서버").
    pub const TEST_BASE_URL: &str = "https://paydev.ksnet.co.kr";
    /// Every API path starts with this (reference, "HTTP Request").
    pub const PATH_PREFIX: &str = "/kspay/webfep/api/v1/";

    /// `POST card/pay/noncert`: keyed-in card approval, card number + expiry (reference 1.3).
    pub const CARD_PAY_NONCERT: &str = "card/pay/noncert";
    /// `POST card/pay/oldcert`: keyed-in approval with password + birth/BRN (reference 1.4).
    pub const CARD_PAY_OLDCERT: &str = "card/pay/oldcert";
    /// `POST card/cert`: card-holder authentication, no charge (reference 1.2).
    pub const CARD_CERT: &str = "card/cert";
    /// `POST card/cancel`: full or partial card cancel (reference 1.1).
    pub const CARD_CANCEL: &str = "card/cancel";
    /// `POST vaccount/permanent`: virtual-account issue (VA section, id44493855312).
    pub const VACCOUNT_PERMANENT: &str = "vaccount/permanent";

    /// `Authorization: pgapi {key}` (reference, "API 인증").
    pub const AUTH_SCHEME: &str = "pgapi";
    /// `Content-Type` of requests (reference, "API 사용 안내").
    pub const CONTENT_TYPE: &str = "application/json; charset=utf-8";

    /// Envelope `code` values (reference, "Response 공통").
    pub mod code {
        /// 처리 성공: the only success value.
        pub const SUCCESS: &str = "A0200";
        /// 처리 실패: see `data.respCode`.
        pub const FAILURE: &str = "A0201";
        /// 요청 파라미터 오류.
        pub const BAD_PARAMETER: &str = "A0400";
        /// 인증 오류.
        pub const AUTH_ERROR: &str = "A0401";
        /// 프로토콜 오류.
        pub const PROTOCOL_ERROR: &str = "A0403";
        /// 서버 오류 (KSNET 기술팀 문의).
        pub const SERVER_ERROR: &str = "A0500";
        /// 기타 오류.
        pub const OTHER_ERROR: &str = "A0999";
    }

    /// `cancelType` (reference 1.1).
    pub mod cancel_type {
        /// 전체취소.
        pub const FULL: &str = "FULL";
        /// 부분취소.
        pub const PARTIAL: &str = "PARTIAL";
    }

    /// `orgTradeKeyType` (reference 1.1).
    pub mod trade_key_type {
        /// 거래번호취소: by the PG's TID.
        pub const TID: &str = "TID";
        /// 주문번호취소: by the merchant's order number (+ `orgTradeDate`).
        pub const ORDER_NUMB: &str = "ORDER_NUMB";
    }

    /// `productType` (reference 1.3): REAL 실물상품, DIGITAL 디지털컨텐츠.
    pub mod product_type {
        /// 실물상품.
        pub const REAL: &str = "REAL";
        /// 디지털컨텐츠.
        pub const DIGITAL: &str = "DIGITAL";
    }

    /// `virtAccountType` (VA section): 0 일반 가상계좌, 2 영구성 가상계좌.
    pub mod virt_account_type {
        /// 일반 가상계좌 (the PG numbers the account).
        pub const NORMAL: &str = "0";
        /// 영구성 가상계좌 (an account number the merchant was given).
        pub const PERMANENT: &str = "2";
    }

    /// `escrowType` (VA section): 0 적용 안함.
    pub const ESCROW_NONE: &str = "0";
}

/// KSPay socket constants (the Java bean and the ASP/PHP samples).
pub mod kspay {
    /// Host every official sample connects to (`KSPayCancelForm.asp`, the keyed-in ASP
    /// sample). No separate test host is documented: KSNET tells test from live by the store
    /// id, so a test channel uses this host too unless its `endpoint` overrides it.
    pub const HOST: &str = "210.181.28.137";
    /// Port of every official sample.
    pub const PORT: u16 = 21001;

    /// Width of the length prefix (`SendSocket`: `format(len, 4, '9')`).
    pub const LEN_WIDTH: usize = 4;
    /// Width of the header (`HeadMessage`).
    pub const HEAD_WIDTH: usize = 296;
    /// Largest frame body the 4-digit prefix can announce.
    pub const MAX_BODY: usize = 9999;

    /// Header `EncType` 0: 암호화안함. The samples send `2` (SEED), but how SEED would be
    /// applied is not visible in any public code (the bean holds no encryption): paymux sends
    /// the clear text the bean builds and says so with `0`.
    pub const ENC_TYPE_NONE: &str = "0";
    /// Header `Version`: `0603`, as the keyed-in ASP sample (the only keyed-in example, and the
    /// most recent one; KSNET's 2003 samples send `0210`).
    pub const VERSION: &str = "0603";
    /// Header `Type` (구분): `00` in every sample.
    pub const TYPE: &str = "00";
    /// Header `Resend` 0: 처음 (2 = 재전송).
    pub const RESEND_FIRST: &str = "0";
    /// Header `KeyInType` K: KeyIn (S = swipe).
    pub const KEY_IN: &str = "K";
    /// Header `LineType` 1: internet.
    pub const LINE_INTERNET: &str = "1";
    /// Header `ApprovalCount`: one record per request.
    pub const ONE_RECORD: &str = "1";
    /// Header `GoodType` 0 실물 (real goods). The bean's `HeadMessage` parameter, the PHP and
    /// the keyed-in ASP samples say 0 실물 / 1 디지털; the bean's field comment and the cancel
    /// form say 1 / 2. paymux follows the majority (and the comment on the parameter itself).
    pub const GOOD_REAL: &str = "0";
    /// Header `GoodType` 1 디지털.
    pub const GOOD_DIGITAL: &str = "1";

    /// Record types (`ApprovalType`, 승인구분).
    pub mod approval_type {
        /// 카드번호 + 유효기간 (keyed-in, no authentication: the sample comment
        /// "1300 (구인증 카유비생, 1000 카유)").
        pub const CARD_KEYED: &str = "1000";
        /// 카드번호 + 유효기간 + 비밀번호 + 생년월일 (구인증, the keyed-in ASP sample).
        pub const CARD_OLD_CERT: &str = "1300";
    }

    /// `InterestType` 1 일반 / 2 무이자.
    pub mod interest {
        /// 일반.
        pub const NORMAL: &str = "1";
        /// 무이자 (merchant-borne interest-free instalments).
        pub const FREE: &str = "2";
    }

    /// `CurrencyType` 0 원화 / 1 미화.
    pub mod currency {
        /// KRW.
        pub const KRW: &str = "0";
        /// USD.
        pub const USD: &str = "1";
    }

    /// `BatchUseType` 거래번호배치사용구분: 0 미사용 / 1 사용.
    pub mod batch {
        /// Not a batch transaction.
        pub const OFF: &str = "0";
        /// A transaction number in TrackII stands for the card (batch reuse).
        pub const ON: &str = "1";
    }

    /// `CardSendType` 2: the answer carries the card number's first digits + `X`s, expiry,
    /// instalments, amount and merchant number (the keyed-in ASP sample's value).
    pub const CARD_SEND_MASKED: &str = "2";
    /// `VisaAuthYn` 7: SSL (every sample).
    pub const VISA_AUTH_SSL: &str = "7";

    /// `CancelType` the samples send with a transaction number (`CancelDataMessage
    /// ApprovalType, "0", TrNo, ...`); the bean's comment says "1:거래번호, 2:주문번호".
    pub const CANCEL_BY_TID: &str = "0";
    /// `CancelType` 2: by order number (the bean's comment).
    pub const CANCEL_BY_ORDER: &str = "2";

    /// `EscrowSele` 0: 적용안함.
    pub const ESCROW_NONE: &str = "0";

    /// Answer `Status`: O approved.
    pub const STATUS_OK: &str = "O";
    /// Answer `Status`: X declined.
    pub const STATUS_DECLINED: &str = "X";
}

/// `data.respCode` 0000: approved (WEBFEP reference; the VA answers use it too).
pub const RESP_OK: &str = "0000";

/// Raw KSNET code → normalized decline kind: data, not `if`s. The same table serves both
/// interfaces (WEBFEP `data.respCode` / envelope `code`, KSPay `AuthNo` / `RespCode`). Unknown
/// codes map to [`DeclineKind::Other`].
pub const DECLINE_RULES: &[DeclineRule] = &[
    // WEBFEP envelope codes (reference, "Response 공통"): the request was refused at the gate.
    rule(webfep::code::BAD_PARAMETER, DeclineKind::InvalidRequest),
    rule(webfep::code::AUTH_ERROR, DeclineKind::ConfigError),
    rule(webfep::code::PROTOCOL_ERROR, DeclineKind::InvalidRequest),
    // Response codes the reference shows in its examples.
    rule("8326", DeclineKind::LimitExceeded), // 승인거절/월사용한도초과
    rule("6003", DeclineKind::AuthenticationFailed), // 비밀번호오류/비밀번호확인요망
    rule("7003", DeclineKind::CancelPeriodExpired), // 취소거절기간경과
    rule("B013", DeclineKind::InvalidRequest), // 발급거절/마감일자정보없음 (virtual account)
    rule("994", DeclineKind::NotFound),       // 취소거절/취소원거래없음 (account/cancel example)
    // The paymux simulator's own codes (not KSNET's; see `sim`).
    rule(sim::CARD_DECLINED, DeclineKind::CardDeclined),
    rule(sim::INSUFFICIENT_FUNDS, DeclineKind::InsufficientFunds),
    rule(sim::NOT_FOUND, DeclineKind::NotFound),
    rule(sim::KEY_NOT_FOUND, DeclineKind::NotFound),
    rule(sim::DUPLICATE_ORDER, DeclineKind::Duplicate),
    rule(sim::CANCEL_REFUSED, DeclineKind::CancelRefused),
    rule(sim::PARTIAL_CANCEL_LIMIT, DeclineKind::CancelRefused),
    rule(sim::INVALID_REQUEST, DeclineKind::InvalidRequest),
    rule(sim::UNKNOWN_MERCHANT, DeclineKind::ConfigError),
];

const fn rule(code: &'static str, kind: DeclineKind) -> DeclineRule {
    DeclineRule { code, kind }
}

/// Response codes the paymux simulator answers with. **Simulator**: KSNET's own list of
/// decline codes is NOT FOUND publicly, so these are paymux's (prefixed `S` so they cannot be
/// mistaken for KSNET's); the documented ones (`7003`, `8326`, ...) are used where they fit.
pub mod sim {
    /// Card declined (test card `…0002`).
    pub const CARD_DECLINED: &str = "S002";
    /// Insufficient funds (test card `…0051`).
    pub const INSUFFICIENT_FUNDS: &str = "S051";
    /// No such transaction.
    pub const NOT_FOUND: &str = "S404";
    /// No such (active) batch key.
    pub const KEY_NOT_FOUND: &str = "S405";
    /// Order number already approved.
    pub const DUPLICATE_ORDER: &str = "S409";
    /// Cancel refused: already cancelled, above the balance, wrong sequence, full after partial.
    pub const CANCEL_REFUSED: &str = "S410";
    /// A tenth partial cancel.
    pub const PARTIAL_CANCEL_LIMIT: &str = "S411";
    /// A field is missing or malformed.
    pub const INVALID_REQUEST: &str = "S400";
    /// Store id (mid) not known to the simulator.
    pub const UNKNOWN_MERCHANT: &str = "S401";
}

/// Card companies the simulator reports (`issuerCardType` values of the reference's
/// examples: `HYUNDAI`, and `UNDEFINED` for 미등록카드사).
pub const SIM_CARD_TYPE: (&str, &str) = ("HYUNDAI", "현대카드");

/// Banks for virtual accounts: PortOne V2 `Bank` → WEBFEP `bankType` → KSPay `BankCode`.
///
/// The WEBFEP 은행타입표 is NOT FOUND; its one documented value, `NONGHYUP`, is spelled as
/// PortOne spells the bank, so paymux passes PortOne's code through (**reconstructed**). KSPay's
/// 6-byte `BankCode` content is NOT FOUND too: paymux sends the KFTC (금융결제원) 3-digit code
/// left-aligned (**reconstructed**). Only these banks are accepted.
pub const BANKS: &[Bank] = &[
    bank("KDB", "002", "산업은행"),
    bank("IBK", "003", "기업은행"),
    bank("KOOKMIN", "004", "국민은행"),
    bank("SUHYUP", "007", "수협은행"),
    bank("NONGHYUP", "011", "농협중앙"),
    bank("WOORI", "020", "우리은행"),
    bank("STANDARD_CHARTERED", "023", "SC제일은행"),
    bank("CITI", "027", "씨티은행"),
    bank("DAEGU", "031", "대구은행"),
    bank("BUSAN", "032", "부산은행"),
    bank("KWANGJU", "034", "광주은행"),
    bank("JEJU", "035", "제주은행"),
    bank("JEONBUK", "037", "전북은행"),
    bank("KYONGNAM", "039", "경남은행"),
    bank("POST", "071", "우체국"),
    bank("HANA", "081", "하나은행"),
    bank("SHINHAN", "088", "신한은행"),
];

/// One row of [`BANKS`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bank {
    /// PortOne V2 `Bank` code, also the WEBFEP `bankType`.
    pub portone: &'static str,
    /// KFTC 3-digit code, sent as KSPay `BankCode`.
    pub kftc: &'static str,
    /// Name, as the simulator answers `bankName`.
    pub name: &'static str,
}

const fn bank(portone: &'static str, kftc: &'static str, name: &'static str) -> Bank {
    Bank {
        portone,
        kftc,
        name,
    }
}

/// The row of a PortOne bank code.
pub fn bank_by_portone(code: &str) -> Option<&'static Bank> {
    BANKS.iter().find(|b| b.portone == code)
}

/// The row of a KFTC code (KSPay answers).
pub fn bank_by_kftc(code: &str) -> Option<&'static Bank> {
    BANKS.iter().find(|b| b.kftc == code)
}

/// KSNET's policy limits (PortOne's KSNET guide, "기타", and the WEBFEP reference 1.1).
pub mod policy {
    /// "부분취소는 최대 9회까지" (`cancelSeq` 1–9).
    pub const MAX_PARTIAL_CANCELS: u32 = 9;
    /// "취소는 결제일 기준 6개월까지만 가능합니다."
    pub const CANCEL_WINDOW_MONTHS: u32 = 6;
    /// The widest amount field (9 digits).
    pub const MAX_WIRE_AMOUNT: u64 = 999_999_999;
    /// WEBFEP `currencyType` USD: "모든 금액을 1달러=1000으로 표기"; PortOne's USD amounts are
    /// cents, so the wire amount is cents × 10.
    pub const USD_CENTS_TO_WIRE: u64 = 10;
}

/// Field widths shared by both interfaces (bytes in EUC-KR).
pub mod width {
    /// mid / StoreId.
    pub const MID: usize = 10;
    /// orderNumb / OrderNumber.
    pub const ORDER_NUMBER: usize = 50;
    /// userName / UserName.
    pub const USER_NAME: usize = 50;
    /// userEmail / Email.
    pub const EMAIL: usize = 50;
    /// productName / GoodName.
    pub const PRODUCT_NAME: usize = 50;
    /// virtAccountNumb / VirAcctNo.
    pub const VIRTUAL_ACCOUNT: usize = 15;
    /// TID / TransactionNo.
    pub const TID: usize = 12;
    /// KSPay PhoneNo.
    pub const PHONE: usize = 12;
}

/// **Reconstructed** KSPay cancel `ApprovalType`.
pub const KSPAY_CANCEL: &str = "1010";
/// **Reconstructed** KSPay virtual-account `ApprovalType`.
pub const KSPAY_VIRTUAL_ACCOUNT: &str = "6000";
/// **Reconstructed** KSPay transaction inquiry `ApprovalType`.
pub const KSPAY_INQUIRY: &str = "A800";
/// Answer records whose type starts with this are inquiry answers (**reconstructed** with
/// [`KSPAY_INQUIRY`]).
pub const KSPAY_INQUIRY_FAMILY: &str = "A8";
/// **Reconstructed** `VirFixSele`: the PG numbers the account.
pub const KSPAY_VIR_FIX_NONE: &str = "0";
/// **Reconstructed** `VirFixSele`: `VirAcctNo` names the merchant's permanent account.
pub const KSPAY_VIR_FIX_GIVEN: &str = "1";
/// **Reconstructed** WEBFEP inquiry path.
pub const WEBFEP_INQUIRY: &str = "trade/inquiry";
/// **Reconstructed** WEBFEP `batchUseType` of a batch charge.
pub const WEBFEP_BATCH_USE: &str = "1";
/// The product name sent with a billing-key issue (`card/cert` requires one; the unified
/// request has none). paymux's choice.
pub const BILLING_KEY_PRODUCT_NAME: &str = "정기결제 카드등록";

/// **Reconstructed** answer type of a KSPay request type: its last digit becomes `1`.
pub fn kspay_answer_type(request_type: &str) -> String {
    let mut s: String = request_type.chars().take(3).collect();
    s.push('1');
    s
}

/// **Reconstructed** inquiry states (WEBFEP `data.tradeStatus`, KSPay `TradeStatus`).
pub mod trade_status {
    /// Approved, nothing cancelled.
    pub const APPROVED: &str = "APPROVED";
    /// Partly cancelled.
    pub const PART_CANCELLED: &str = "PART_CANCELLED";
    /// Fully cancelled.
    pub const CANCELLED: &str = "CANCELLED";
    /// Virtual account issued, waiting for the deposit.
    pub const WAITING_DEPOSIT: &str = "WAITING_DEPOSIT";
    /// Virtual account paid.
    pub const DEPOSITED: &str = "DEPOSITED";

    /// KSPay's one-letter form of a state.
    pub fn letter(state: &str) -> &'static str {
        match state {
            APPROVED => "A",
            PART_CANCELLED => "P",
            CANCELLED => "C",
            WAITING_DEPOSIT => "W",
            DEPOSITED => "D",
            _ => " ",
        }
    }

    /// The state of a KSPay letter.
    pub fn of_letter(letter: &str) -> Option<&'static str> {
        Some(match letter {
            "A" => APPROVED,
            "P" => PART_CANCELLED,
            "C" => CANCELLED,
            "W" => WAITING_DEPOSIT,
            "D" => DEPOSITED,
            _ => return None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bank_table_is_consistent() {
        for b in BANKS {
            assert_eq!(bank_by_portone(b.portone), Some(b));
            assert_eq!(bank_by_kftc(b.kftc), Some(b));
            assert_eq!(b.kftc.len(), 3);
        }
        assert!(bank_by_portone("TOSS").is_none());
    }

    #[test]
    fn decline_table_has_no_duplicates() {
        let mut codes: Vec<_> = DECLINE_RULES.iter().map(|r| r.code).collect();
        codes.sort_unstable();
        let n = codes.len();
        codes.dedup();
        assert_eq!(codes.len(), n);
    }

    #[test]
    fn answer_types_end_in_one() {
        assert_eq!(kspay_answer_type("1000"), "1001");
        assert_eq!(kspay_answer_type("1010"), "1011");
        assert_eq!(kspay_answer_type("A800"), "A801");
    }
}
