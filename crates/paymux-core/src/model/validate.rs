//! The [`Validate`] trait and the generic PortOne request rules.
//!
//! Only rules PortOne applies to every request live here (formats, ranges, "exactly one of").
//! PG-specific rules (byte limits, required customer fields, supported banks) belong to the
//! adapters, which read them from their capability declaration.
//!
//! Every error names the field path as the JSON spells it (`method.card.credential.expiryMonth`,
//! `products[1].quantity`) and the rule broken, never the value: values may be secrets.

use chrono::NaiveDate;

use crate::money::Currency;
use crate::validation::{FieldPath, ValidationErrors};

/// Highest accepted `installmentMonth`.
///
/// PortOne types the field as a plain int32 without a bound. Korean card issuers offer at most
/// 36 monthly instalments (most stop at 12 or 24), and `0` (or `1`, which issuers treat the
/// same) means a lump-sum payment, so paymux accepts `0..=36` and leaves tighter per-PG limits
/// to the adapters.
pub const MAX_INSTALLMENT_MONTH: i32 = 36;

/// A request (or part of one) that can check PortOne's generic rules.
pub trait Validate {
    /// Record every broken rule under `path` (the path of `self` in the request; an empty
    /// path for a whole request body).
    fn validate(&self, path: &FieldPath, errs: &mut ValidationErrors);

    /// Validate a whole request body: `Ok(())` or every broken rule.
    fn validated(&self) -> Result<(), ValidationErrors> {
        let mut errs = ValidationErrors::default();
        self.validate(&FieldPath::root(""), &mut errs);
        errs.into_result()
    }
}

impl<T: Validate> Validate for Option<T> {
    fn validate(&self, path: &FieldPath, errs: &mut ValidationErrors) {
        if let Some(v) = self {
            v.validate(path, errs);
        }
    }
}

impl<T: Validate> Validate for Vec<T> {
    fn validate(&self, path: &FieldPath, errs: &mut ValidationErrors) {
        for (i, v) in self.iter().enumerate() {
            v.validate(&path.index(i), errs);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Rule helpers shared by the model's `Validate` impls.
// ---------------------------------------------------------------------------------------------

/// `value` must contain something other than whitespace.
pub(crate) fn non_empty(value: &str, path: FieldPath, errs: &mut ValidationErrors) {
    if value.trim().is_empty() {
        errs.add(path, "must not be empty");
    }
}

/// Like [`non_empty`] for an optional field: absent is fine, present-but-blank is not.
pub(crate) fn opt_non_empty(value: Option<&String>, path: FieldPath, errs: &mut ValidationErrors) {
    if let Some(v) = value {
        non_empty(v, path, errs);
    }
}

/// ASCII digits only, and at least one.
pub(crate) fn all_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// Exactly one of `channelKey` / `channelGroupId` ("채널 키 또는 채널 그룹 ID 필수").
pub(crate) fn exactly_one_channel(
    channel_key: Option<&String>,
    channel_group_id: Option<&String>,
    path: &FieldPath,
    errs: &mut ValidationErrors,
) {
    match (channel_key, channel_group_id) {
        (None, None) => errs.add(
            path.join("channelKey"),
            "is required: give exactly one of channelKey or channelGroupId",
        ),
        (Some(_), Some(_)) => errs.add(
            path.join("channelGroupId"),
            "must not be given together with channelKey: give exactly one of them",
        ),
        (Some(k), None) => non_empty(k, path.join("channelKey"), errs),
        (None, Some(g)) => non_empty(g, path.join("channelGroupId"), errs),
    }
}

/// A three-letter upper-case ISO 4217 code.
pub(crate) fn currency(c: &Currency, path: FieldPath, errs: &mut ValidationErrors) {
    if Currency::parse(c.code()).is_err() {
        errs.add(
            path,
            "must be a three-letter ISO 4217 currency code such as KRW",
        );
    }
}

/// `0..=MAX_INSTALLMENT_MONTH`.
pub(crate) fn installment_month(month: Option<i32>, path: FieldPath, errs: &mut ValidationErrors) {
    if let Some(m) = month {
        if !(0..=MAX_INSTALLMENT_MONTH).contains(&m) {
            errs.add(path, "must be between 0 (lump sum) and 36 months");
        }
    }
}

/// `productCount` ≥ 1 when present.
pub(crate) fn product_count(count: Option<i32>, path: FieldPath, errs: &mut ValidationErrors) {
    if let Some(c) = count {
        if c < 1 {
            errs.add(path, "must be at least 1");
        }
    }
}

/// An absolute `http://` or `https://` URL with a host and no whitespace.
pub(crate) fn is_http_url(url: &str) -> bool {
    let lower = url
        .get(..8)
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    let rest = if lower.starts_with("https://") {
        &url[8..]
    } else if lower.starts_with("http://") {
        &url[7..]
    } else {
        return false;
    };
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    // Drop userinfo and port for the emptiness check.
    let host = host.rsplit('@').next().unwrap_or("");
    let host = host.split(':').next().unwrap_or("");
    !host.is_empty() && !url.chars().any(|c| c.is_whitespace() || c.is_control())
}

/// One URL field.
pub(crate) fn http_url(url: &str, path: FieldPath, errs: &mut ValidationErrors) {
    if !is_http_url(url) {
        errs.add(path, "must be an absolute http:// or https:// URL");
    }
}

/// `noticeUrls`: every entry an http(s) URL.
pub(crate) fn notice_urls(
    urls: Option<&Vec<String>>,
    path: FieldPath,
    errs: &mut ValidationErrors,
) {
    for (i, u) in urls.into_iter().flatten().enumerate() {
        http_url(u, path.index(i), errs);
    }
}

/// A plausible e-mail address: one `@`, something on both sides, a dot in the domain, no
/// whitespace. (PortOne: "올바른 형식의 이메일 주소여야 합니다"; full RFC 5322 is not attempted.)
pub(crate) fn email(value: Option<&String>, path: FieldPath, errs: &mut ValidationErrors) {
    let Some(v) = value else { return };
    let ok = match v.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && !domain.contains('@')
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !v.chars().any(char::is_whitespace)
        }
        None => false,
    };
    if !ok {
        errs.add(path, "must be an e-mail address such as name@example.com");
    }
}

/// `bypass` must be a JSON object (PortOne: `type: object`, keyed by PG).
pub(crate) fn bypass(
    value: Option<&serde_json::Value>,
    path: FieldPath,
    errs: &mut ValidationErrors,
) {
    if let Some(v) = value {
        if !v.is_object() {
            errs.add(
                path,
                "must be a JSON object keyed by PG (e.g. {\"galaxia\": {...}})",
            );
        }
    }
}

/// A 6-digit `yyMMdd` that is a real calendar date in 19yy or 20yy.
pub(crate) fn is_yymmdd(s: &str) -> bool {
    if s.len() != 6 || !all_digits(s) {
        return false;
    }
    let n = |r: std::ops::Range<usize>| s[r].parse::<u32>().unwrap_or(0);
    let (yy, mm, dd) = (n(0..2) as i32, n(2..4), n(4..6));
    NaiveDate::from_ymd_opt(2000 + yy, mm, dd).is_some()
        || NaiveDate::from_ymd_opt(1900 + yy, mm, dd).is_some()
}

/// Customer birth fields (`birthYear` "1990", `birthMonth` "07", `birthDay` "25", the formats
/// PortOne's SDK documents), and a real date when all three are given.
pub(crate) fn birth_fields(
    year: Option<&str>,
    month: Option<&str>,
    day: Option<&str>,
    path: &FieldPath,
    errs: &mut ValidationErrors,
) {
    let mut ok = true;
    if let Some(y) = year {
        if y.len() != 4 || !all_digits(y) {
            errs.add(
                path.join("birthYear"),
                "must be a 4-digit year such as 1990",
            );
            ok = false;
        }
    }
    if let Some(m) = month {
        if !is_two_digit_in(m, 1, 12) {
            errs.add(
                path.join("birthMonth"),
                "must be a 2-digit month from 01 to 12",
            );
            ok = false;
        }
    }
    if let Some(d) = day {
        if !is_two_digit_in(d, 1, 31) {
            errs.add(path.join("birthDay"), "must be a 2-digit day from 01 to 31");
            ok = false;
        }
    }
    if let (true, Some(y), Some(m), Some(d)) = (ok, year, month, day) {
        let date = NaiveDate::from_ymd_opt(
            y.parse().unwrap_or(0),
            m.parse().unwrap_or(0),
            d.parse().unwrap_or(0),
        );
        if date.is_none() {
            errs.add(
                path.join("birthDay"),
                "must form a real date with birthYear and birthMonth",
            );
        }
    }
}

/// Exactly two ASCII digits whose value is within `lo..=hi`.
pub(crate) fn is_two_digit_in(s: &str, lo: u32, hi: u32) -> bool {
    s.len() == 2 && all_digits(s) && s.parse::<u32>().is_ok_and(|v| (lo..=hi).contains(&v))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http_urls() {
        assert!(is_http_url("https://example.com/webhook"));
        assert!(is_http_url("HTTP://example.com"));
        assert!(is_http_url("http://127.0.0.1:8080/x?y=1"));
        assert!(!is_http_url("ftp://example.com"));
        assert!(!is_http_url("https://"));
        assert!(!is_http_url("https:///path"));
        assert!(!is_http_url("https://exa mple.com"));
        assert!(!is_http_url("example.com"));
        assert!(!is_http_url(""));
    }

    #[test]
    fn yymmdd_dates() {
        assert!(is_yymmdd("900101"));
        assert!(is_yymmdd("000229")); // 2000-02-29
        assert!(is_yymmdd("960229")); // 1996 and 2096 both leap
        assert!(!is_yymmdd("970229"));
        assert!(!is_yymmdd("901301"));
        assert!(!is_yymmdd("900132"));
        assert!(!is_yymmdd("90010"));
        assert!(!is_yymmdd("9001O1"));
    }

    #[test]
    fn option_and_vec_blanket_impls_use_indices() {
        struct Always;
        impl Validate for Always {
            fn validate(&self, path: &FieldPath, errs: &mut ValidationErrors) {
                errs.add(path.clone(), "bad");
            }
        }
        let mut e = ValidationErrors::default();
        vec![Always, Always].validate(&FieldPath::root("products"), &mut e);
        None::<Always>.validate(&FieldPath::root("x"), &mut e);
        assert_eq!(e.to_string(), "products[0]: bad; products[1]: bad");
    }
}
