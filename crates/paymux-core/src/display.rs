//! What people see: amounts, bank names and decline reasons in Korean, shared by the gateway's
//! result pages and the simulators' payment windows so both say the same thing.
//!
//! - [`format_amount`] / [`format_krw`]: `12,500원`, or `USD 12.50` for other currencies (the
//!   amount is in the currency's minor unit, see [`minor_unit_digits`]).
//! - [`bank_name`] and [`Bank::korean_name`]: PortOne's `Bank` codes (`KOOKMIN`) and the KFTC
//!   (금융결제원) numeric bank codes PGs answer with (`004`, `0004`) as Korean names, taken
//!   from PortOne's own titles for its `Bank` enum.
//! - [`decline_reason`]: a short Korean sentence for a [`DeclineKind`].

use crate::model::Bank;
use crate::money::Money;
use crate::outcome::DeclineKind;

/// `1234567` → `"1,234,567"`.
pub fn group_thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A won amount as shoppers read it: `Money(12500)` → `"12,500원"`. [`Money`] is never
/// negative, so there is no sign to show.
pub fn format_krw(amount: Money) -> String {
    format!("{}원", group_thousands(amount.get().unsigned_abs()))
}

/// Digits after the decimal point in a currency's minor unit (ISO 4217): 0 for KRW, JPY and
/// the other whole-unit currencies, 3 for the dinars and rials that use thousandths, 2
/// otherwise.
pub fn minor_unit_digits(currency: &str) -> u32 {
    match currency {
        "KRW" | "JPY" | "VND" | "CLP" | "ISK" | "PYG" | "UGX" | "XAF" | "XOF" | "XPF" | "KMF"
        | "GNF" | "DJF" | "BIF" | "RWF" | "VUV" | "UYI" => 0,
        "BHD" | "IQD" | "JOD" | "KWD" | "LYD" | "OMR" | "TND" => 3,
        _ => 2,
    }
}

/// An amount in `currency`'s minor unit as shoppers read it: KRW as `"12,500원"` (the
/// `CURRENCY_` prefix of the browser SDK is accepted), any other currency as its code and
/// the amount in major units, `"USD 12.50"`, `"JPY 1,000"`. Negative values (never a
/// [`Money`]) keep their sign: `"-1,000원"`.
pub fn format_amount(minor_units: i64, currency: &str) -> String {
    let code = currency.trim();
    let code = code.strip_prefix("CURRENCY_").unwrap_or(code);
    let sign = if minor_units < 0 { "-" } else { "" };
    let n = minor_units.unsigned_abs();
    if code.is_empty() || code.eq_ignore_ascii_case("KRW") {
        return format!("{sign}{}원", group_thousands(n));
    }
    let digits = minor_unit_digits(code);
    let scale = 10u64.pow(digits);
    let major = group_thousands(n / scale);
    if digits == 0 {
        format!("{code} {sign}{major}")
    } else {
        let minor = n % scale;
        format!(
            "{code} {sign}{major}.{minor:0width$}",
            width = digits as usize
        )
    }
}

/// PortOne's `Bank` codes and their Korean names (PortOne's own titles for the enum).
pub const BANK_NAMES: &[(&str, &str)] = &[
    ("BANK_OF_KOREA", "한국은행"),
    ("KDB", "산업은행"),
    ("IBK", "기업은행"),
    ("KOOKMIN", "국민은행"),
    ("SUHYUP", "수협은행"),
    ("KEXIM", "수출입은행"),
    ("NONGHYUP", "NH농협은행"),
    ("LOCAL_NONGHYUP", "지역농축협"),
    ("WOORI", "우리은행"),
    ("STANDARD_CHARTERED", "SC제일은행"),
    ("CITI", "한국씨티은행"),
    ("DAEGU", "아이엠뱅크"),
    ("BUSAN", "부산은행"),
    ("KWANGJU", "광주은행"),
    ("JEJU", "제주은행"),
    ("JEONBUK", "전북은행"),
    ("KYONGNAM", "경남은행"),
    ("KFCC", "새마을금고"),
    ("SHINHYUP", "신협"),
    ("SAVINGS_BANK", "저축은행"),
    ("MORGAN_STANLEY", "모간스탠리은행"),
    ("HSBC", "HSBC은행"),
    ("DEUTSCHE", "도이치은행"),
    ("JPMC", "제이피모간체이스은행"),
    ("MIZUHO", "미즈호은행"),
    ("MUFG", "엠유에프지은행"),
    ("BANK_OF_AMERICA", "BOA은행"),
    ("BNP_PARIBAS", "비엔피파리바은행"),
    ("ICBC", "중국공상은행"),
    ("BANK_OF_CHINA", "중국은행"),
    ("NFCF", "산림조합중앙회"),
    ("UOB", "대화은행"),
    ("BOCOM", "교통은행"),
    ("CCB", "중국건설은행"),
    ("POST", "우체국"),
    ("KODIT", "신용보증기금"),
    ("KIBO", "기술보증기금"),
    ("HANA", "하나은행"),
    ("SHINHAN", "신한은행"),
    ("K_BANK", "케이뱅크"),
    ("KAKAO", "카카오뱅크"),
    ("TOSS", "토스뱅크"),
    ("MISC_FOREIGN", "기타 외국계은행(중국 농업은행 등)"),
    ("SGI", "서울보증보험"),
    ("KCIS", "한국신용정보원"),
    ("YUANTA_SECURITIES", "유안타증권"),
    ("KB_SECURITIES", "KB증권"),
    ("SANGSANGIN_SECURITIES", "상상인증권"),
    ("HANYANG_SECURITIES", "한양증권"),
    ("LEADING_SECURITIES", "리딩투자증권"),
    ("BNK_SECURITIES", "BNK투자증권"),
    ("IBK_SECURITIES", "IBK투자증권"),
    ("DAOL_SECURITIES", "다올투자증권"),
    ("MIRAE_ASSET_SECURITIES", "미래에셋증권"),
    ("SAMSUNG_SECURITIES", "삼성증권"),
    ("KOREA_SECURITIES", "한국투자증권"),
    ("NH_SECURITIES", "NH투자증권"),
    ("KYOBO_SECURITIES", "교보증권"),
    ("HI_SECURITIES", "하이투자증권"),
    ("HYUNDAI_MOTOR_SECURITIES", "현대차증권"),
    ("KIWOOM_SECURITIES", "키움증권"),
    ("EBEST_SECURITIES", "LS증권"),
    ("SK_SECURITIES", "SK증권"),
    ("DAISHIN_SECURITIES", "대신증권"),
    ("HANHWA_SECURITIES", "한화투자증권"),
    ("HANA_SECURITIES", "하나증권"),
    ("TOSS_SECURITIES", "토스증권"),
    ("SHINHAN_SECURITIES", "신한투자증권"),
    ("DB_SECURITIES", "DB금융투자"),
    ("EUGENE_SECURITIES", "유진투자증권"),
    ("MERITZ_SECURITIES", "메리츠증권"),
    ("KAKAO_PAY_SECURITIES", "카카오페이증권"),
    ("BOOKOOK_SECURITIES", "부국증권"),
    ("SHINYOUNG_SECURITIES", "신영증권"),
    ("CAPE_SECURITIES", "케이프투자증권"),
    ("KOREA_SECURITIES_FINANCE", "한국증권금융"),
    ("KOREA_FOSS_SECURITIES", "한국포스증권"),
    ("WOORI_INVESTMENT_BANK", "우리종합금융"),
];

/// KFTC (금융결제원) standard bank codes → PortOne's `Bank` code. PGs answer virtual accounts
/// with these (`BANK_CODE=0088`, `VbankBankCode=088`).
pub const KFTC_BANKS: &[(&str, &str)] = &[
    ("001", "BANK_OF_KOREA"),
    ("002", "KDB"),
    ("003", "IBK"),
    ("004", "KOOKMIN"),
    ("007", "SUHYUP"),
    ("008", "KEXIM"),
    ("011", "NONGHYUP"),
    ("012", "LOCAL_NONGHYUP"),
    ("020", "WOORI"),
    ("023", "STANDARD_CHARTERED"),
    ("027", "CITI"),
    ("031", "DAEGU"),
    ("032", "BUSAN"),
    ("034", "KWANGJU"),
    ("035", "JEJU"),
    ("037", "JEONBUK"),
    ("039", "KYONGNAM"),
    ("045", "KFCC"),
    ("048", "SHINHYUP"),
    ("050", "SAVINGS_BANK"),
    ("054", "HSBC"),
    ("055", "DEUTSCHE"),
    ("057", "JPMC"),
    ("060", "BANK_OF_AMERICA"),
    ("064", "NFCF"),
    ("071", "POST"),
    ("081", "HANA"),
    ("088", "SHINHAN"),
    ("089", "K_BANK"),
    ("090", "KAKAO"),
    ("092", "TOSS"),
];

/// The PortOne `Bank` code of a KFTC bank code, given with 3 digits (`088`) or zero-padded
/// to 4 as some PGs do (`0088`).
pub fn bank_of_kftc(code: &str) -> Option<&'static str> {
    let code = code.trim();
    let code = match code.len() {
        4 => code.strip_prefix('0')?,
        _ => code,
    };
    KFTC_BANKS
        .iter()
        .find(|(k, _)| *k == code)
        .map(|(_, portone)| *portone)
}

/// The Korean name of a bank given as a PortOne `Bank` code (`KOOKMIN`) or a KFTC code (`004`, `0004`); `None` when it is neither.
pub fn bank_name(code: &str) -> Option<&'static str> {
    let code = code.trim();
    let portone = bank_of_kftc(code).unwrap_or(code);
    BANK_NAMES
        .iter()
        .find(|(k, _)| *k == portone)
        .map(|(_, name)| *name)
}

/// A bank for display: its Korean name, or the code as given when it is unknown (a new
/// PortOne code, a PG's private code), so the shopper still sees something to ask about.
pub fn bank_display(code: &str) -> String {
    bank_name(code).map_or_else(|| code.trim().to_string(), str::to_string)
}

impl Bank {
    /// The bank's Korean name (`KOOKMIN` → `국민은행`), `None` for a code PortOne does not
    /// list.
    pub fn korean_name(&self) -> Option<&'static str> {
        bank_name(self.code())
    }
}

/// A short Korean sentence telling the shopper why a payment did not go through.
pub fn decline_reason(kind: DeclineKind) -> &'static str {
    match kind {
        DeclineKind::CardDeclined => "카드사에서 승인을 거절했습니다.",
        DeclineKind::InsufficientFunds => "잔액이 부족합니다.",
        DeclineKind::InvalidCard => {
            "카드 정보가 올바르지 않습니다. 카드번호와 유효기간을 확인해 주세요."
        }
        DeclineKind::ExpiredCard => "유효기간이 지난 카드입니다.",
        DeclineKind::AuthenticationFailed => {
            "본인 인증에 실패했습니다. 비밀번호나 생년월일을 확인해 주세요."
        }
        DeclineKind::LimitExceeded => "결제 한도를 초과했습니다.",
        DeclineKind::PgMaintenance => "결제 서비스가 점검 중입니다. 잠시 후 다시 시도해 주세요.",
        DeclineKind::ConfigError => "상점의 결제 설정에 문제가 있습니다. 상점에 문의해 주세요.",
        DeclineKind::InvalidRequest => "결제 요청이 올바르지 않습니다. 상점에 문의해 주세요.",
        DeclineKind::NotFound => "결제 정보를 찾을 수 없습니다.",
        DeclineKind::CancelRefused => "취소할 수 없는 결제입니다.",
        DeclineKind::CancelPeriodExpired => "취소 가능 기간이 지났습니다.",
        DeclineKind::Duplicate => "이미 처리된 주문입니다.",
        _ => "결제가 승인되지 않았습니다.",
    }
}

/// What a shopper is told when they cancelled in the payment window.
pub const USER_CANCELLED: &str = "결제를 취소했습니다.";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn won_amounts() {
        let krw = |n| format_krw(Money::new(n).unwrap());
        assert_eq!(krw(0), "0원");
        assert_eq!(krw(1), "1원");
        assert_eq!(krw(999), "999원");
        assert_eq!(krw(1000), "1,000원");
        assert_eq!(krw(12500), "12,500원");
        assert_eq!(krw(1234567), "1,234,567원");
        assert_eq!(krw(crate::money::MAX_AMOUNT), "9,007,199,254,740,991원");
        assert_eq!(format_amount(12500, "KRW"), "12,500원");
        assert_eq!(format_amount(12500, "CURRENCY_KRW"), "12,500원");
        assert_eq!(format_amount(-1000, "KRW"), "-1,000원");
        assert_eq!(
            format_amount(i64::MIN, "KRW"),
            "-9,223,372,036,854,775,808원"
        );
    }

    #[test]
    fn other_currencies_use_their_minor_unit() {
        assert_eq!(format_amount(1250, "USD"), "USD 12.50");
        assert_eq!(format_amount(5, "USD"), "USD 0.05");
        assert_eq!(format_amount(123456789, "CURRENCY_USD"), "USD 1,234,567.89");
        assert_eq!(format_amount(1000, "JPY"), "JPY 1,000");
        assert_eq!(format_amount(1500, "KWD"), "KWD 1.500");
        assert_eq!(format_amount(-1250, "EUR"), "EUR -12.50");
    }

    #[test]
    fn bank_names() {
        assert_eq!(Bank::new("KOOKMIN").korean_name(), Some("국민은행"));
        assert_eq!(bank_name("SHINHAN"), Some("신한은행"));
        assert_eq!(bank_name("NONGHYUP"), Some("NH농협은행"));
        assert_eq!(bank_name("K_BANK"), Some("케이뱅크"));
        assert_eq!(bank_name("KFCC"), Some("새마을금고"));
        assert_eq!(bank_name("BANK_OF_KOREA"), Some("한국은행"));
        // KFTC codes, 3 digits or zero-padded to 4.
        assert_eq!(bank_name("088"), Some("신한은행"));
        assert_eq!(bank_name("0004"), Some("국민은행"));
        assert_eq!(bank_name("0092"), Some("토스뱅크"));
        assert_eq!(bank_name("999"), None);
        assert_eq!(bank_name("NOT_A_BANK"), None);
        assert_eq!(bank_display("NEW_BANK"), "NEW_BANK");
        assert_eq!(bank_display("0081"), "하나은행");
        // Every KFTC row names a bank PortOne lists, every name is Korean text.
        for (kftc, portone) in KFTC_BANKS {
            assert!(bank_name(portone).is_some(), "{kftc} → {portone}");
        }
        for (code, name) in BANK_NAMES {
            assert!(Bank::new(*code).is_well_formed(), "{code}");
            assert!(!name.is_empty() && !name.is_ascii(), "{code}: {name}");
        }
    }

    #[test]
    fn decline_reasons_are_korean_sentences() {
        assert_eq!(
            decline_reason(DeclineKind::CardDeclined),
            "카드사에서 승인을 거절했습니다."
        );
        assert_eq!(
            decline_reason(DeclineKind::InsufficientFunds),
            "잔액이 부족합니다."
        );
        for k in [
            DeclineKind::CardDeclined,
            DeclineKind::InsufficientFunds,
            DeclineKind::InvalidCard,
            DeclineKind::ExpiredCard,
            DeclineKind::AuthenticationFailed,
            DeclineKind::LimitExceeded,
            DeclineKind::PgMaintenance,
            DeclineKind::ConfigError,
            DeclineKind::InvalidRequest,
            DeclineKind::NotFound,
            DeclineKind::CancelRefused,
            DeclineKind::CancelPeriodExpired,
            DeclineKind::Duplicate,
            DeclineKind::Other,
        ] {
            let s = decline_reason(k);
            assert!(s.ends_with('.') && !s.is_ascii(), "{k}: {s}");
        }
    }
}
