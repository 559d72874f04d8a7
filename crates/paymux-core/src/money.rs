//! Money as integers in the currency's minor unit, and the amount breakdown rules.
//!
//! KRW has no minor unit, so `Money(1000)` is ₩1,000. Floats never appear: JSON numbers with a
//! fraction, negative values and values beyond 2^53 (the largest integer every JSON client can
//! carry exactly) are rejected at deserialization with a message naming the rule.

use serde::{Deserialize, Deserializer, Serialize};
use std::fmt;

use crate::validation::{FieldPath, ValidationError, ValidationErrors};

/// The largest amount accepted anywhere: 2^53 − 1, the largest integer a JSON client
/// (JavaScript, PortOne's SDKs) can represent exactly.
pub const MAX_AMOUNT: i64 = 9_007_199_254_740_991;

/// A non-negative amount in the currency's minor unit.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize)]
#[serde(transparent)]
pub struct Money(i64);

impl Money {
    /// Zero.
    pub const ZERO: Money = Money(0);

    /// A checked constructor: negative or overflowing values are refused.
    pub fn new(minor_units: i64) -> Result<Self, AmountRule> {
        if minor_units < 0 {
            Err(AmountRule::Negative)
        } else if minor_units > MAX_AMOUNT {
            Err(AmountRule::TooLarge)
        } else {
            Ok(Money(minor_units))
        }
    }

    /// The value in minor units.
    pub const fn get(self) -> i64 {
        self.0
    }

    /// `self − other`, or `None` when it would go below zero.
    pub fn checked_sub(self, other: Money) -> Option<Money> {
        self.0.checked_sub(other.0).filter(|v| *v >= 0).map(Money)
    }

    /// `self + other`, or `None` when it would exceed [`MAX_AMOUNT`].
    pub fn checked_add(self, other: Money) -> Option<Money> {
        self.0
            .checked_add(other.0)
            .filter(|v| *v <= MAX_AMOUNT)
            .map(Money)
    }
}

impl fmt::Debug for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Money({})", self.0)
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// Why an amount was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum AmountRule {
    /// Below zero.
    #[error("must not be negative")]
    Negative,
    /// Above [`MAX_AMOUNT`].
    #[error("must be at most 9007199254740991")]
    TooLarge,
    /// A JSON number with a fraction or exponent.
    #[error("must be an integer in the currency's minor unit")]
    NotInteger,
}

impl<'de> Deserialize<'de> for Money {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        // Go through serde_json::Number so 1000.5 and 1e3 are told apart from 1000.
        let n = serde_json::Number::deserialize(d)?;
        if let Some(i) = n.as_i64() {
            Money::new(i).map_err(D::Error::custom)
        } else if n.as_u64().is_some() {
            Err(D::Error::custom(AmountRule::TooLarge))
        } else {
            Err(D::Error::custom(AmountRule::NotInteger))
        }
    }
}

/// ISO 4217 currency code, as PortOne spells it (`"KRW"`, `"USD"`, ...).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Currency(String);

impl Currency {
    /// Korean won, the default of every Korean PG.
    pub fn krw() -> Self {
        Currency("KRW".into())
    }
    /// Build from a code; it must be three ASCII upper-case letters.
    pub fn parse(code: &str) -> Result<Self, &'static str> {
        if code.len() == 3 && code.bytes().all(|b| b.is_ascii_uppercase()) {
            Ok(Currency(code.to_string()))
        } else {
            Err("must be a three-letter ISO 4217 code such as KRW")
        }
    }
    /// The code.
    pub fn code(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// `PaymentAmountInput`: `{total, taxFree?, vat?}`.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PaymentAmountInput {
    /// Total amount including tax-free part and VAT.
    pub total: Money,
    /// Tax-free part of the total (absent → 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tax_free: Option<Money>,
    /// VAT; absent → computed by [`vat_of`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vat: Option<Money>,
}

/// A validated amount breakdown: `total = supply + vat + tax_free`.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AmountBreakdown {
    /// Total.
    pub total: Money,
    /// Tax-free part.
    pub tax_free: Money,
    /// VAT.
    pub vat: Money,
    /// Supply value of the taxable part (`total − tax_free − vat`).
    pub supply: Money,
}

/// VAT of a taxable amount when the merchant gives none: `taxable / 11`, **rounded half up**
/// to the minor unit.
///
/// The taxable amount is supply + 10 % VAT, so VAT = taxable × 10/110 = taxable / 11. PortOne
/// documents "1/11 of the taxable amount" without a rounding rule; Korean PGs and the National
/// Tax Service's calculators round the VAT half up (四捨五入), which we follow. Example:
/// 1,000 → 90.909… → 91; 1,005 → 91.36… → 91; 1,012 → 92.
pub fn vat_of(taxable: Money) -> Money {
    VatRounding::HalfUp.vat_of(taxable)
}

/// How a PG turns taxable / 11 into whole VAT: a per-adapter rule
/// ([`PgAdapter::vat_rounding`](crate::adapter::PgAdapter::vat_rounding)).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum VatRounding {
    /// Half up (四捨五入): PortOne's and most PGs' rule ([`vat_of`]).
    #[default]
    HalfUp,
    /// Truncated (절사): the fraction is dropped (Smartro's billing charges and cancels).
    Floor,
}

impl VatRounding {
    /// The VAT in a taxable amount under this rule.
    pub fn vat_of(self, taxable: Money) -> Money {
        match self {
            // (2t + 11) / 22 == round_half_up(t / 11) for t >= 0, in integers.
            VatRounding::HalfUp => Money((taxable.0 * 2 + 11) / 22),
            VatRounding::Floor => Money(taxable.0 / 11),
        }
    }
}

impl PaymentAmountInput {
    /// Check the breakdown rules and fill in the VAT (half up). `path` is the field path of
    /// this amount (`amount`), used in error messages.
    pub fn resolve(&self, path: &FieldPath) -> Result<AmountBreakdown, ValidationErrors> {
        self.resolve_with(path, VatRounding::HalfUp)
    }

    /// [`resolve`](Self::resolve) with a PG's own VAT rounding for an absent `vat`.
    pub fn resolve_with(
        &self,
        path: &FieldPath,
        rounding: VatRounding,
    ) -> Result<AmountBreakdown, ValidationErrors> {
        let mut errs = ValidationErrors::default();
        if self.total == Money::ZERO {
            // PortOne's schema allows 0, but no PG charges nothing: refusing here saves a
            // round trip that could only end in a decline and a FAILED payment.
            errs.push(ValidationError::new(
                path.join("total"),
                "must be at least 1 (a payment of nothing cannot be charged)",
            ));
            return Err(errs);
        }
        let tax_free = self.tax_free.unwrap_or(Money::ZERO);
        let Some(taxable) = self.total.checked_sub(tax_free) else {
            errs.push(ValidationError::new(
                path.join("taxFree"),
                "must not exceed amount.total",
            ));
            return Err(errs);
        };
        let vat = self.vat.unwrap_or_else(|| rounding.vat_of(taxable));
        let Some(supply) = taxable.checked_sub(vat) else {
            errs.push(ValidationError::new(
                path.join("vat"),
                "must not exceed the taxable amount (total − taxFree)",
            ));
            return Err(errs);
        };
        Ok(AmountBreakdown {
            total: self.total,
            tax_free,
            vat,
            supply,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn amount(json: &str) -> Result<PaymentAmountInput, String> {
        serde_json::from_str(json).map_err(|e| e.to_string())
    }

    #[test]
    fn vat_rounding_is_a_rule() {
        for (t, up, floor) in [
            (1000, 91, 90),
            (1100, 100, 100),
            (6, 1, 0),
            (50_004, 4546, 4545),
        ] {
            assert_eq!(VatRounding::HalfUp.vat_of(Money(t)).get(), up, "t={t}");
            assert_eq!(VatRounding::Floor.vat_of(Money(t)).get(), floor, "t={t}");
        }
        let a: PaymentAmountInput = serde_json::from_str(r#"{"total": 1000}"#).unwrap();
        let root = FieldPath::root("amount");
        assert_eq!(a.resolve(&root).unwrap().vat.get(), 91);
        let floor = a.resolve_with(&root, VatRounding::Floor).unwrap();
        assert_eq!((floor.vat.get(), floor.supply.get()), (90, 910));
        assert_eq!(VatRounding::default(), VatRounding::HalfUp);
    }

    #[test]
    fn vat_rounds_half_up() {
        assert_eq!(vat_of(Money(1000)).get(), 91); // 90.909
        assert_eq!(vat_of(Money(1100)).get(), 100); // exact
        assert_eq!(vat_of(Money(1001)).get(), 91); // 91.0
        assert_eq!(vat_of(Money(6)).get(), 1); // 0.545 → 1
        assert_eq!(vat_of(Money(5)).get(), 0); // 0.4545 → 0
        assert_eq!(vat_of(Money(0)).get(), 0);
        assert_eq!(vat_of(Money(MAX_AMOUNT)).get(), 818_836_295_885_545); // no overflow
                                                                          // Exhaustive check of the integer formula against exact rational rounding.
        for t in 0..100_000i64 {
            let exact_times_2 = 2 * t; // compare 2t/11 against 2·floor + 1 boundary
            let floor = t / 11;
            let rem2 = exact_times_2 - 22 * floor; // 2·(t mod 11)
            let expected = if rem2 >= 11 { floor + 1 } else { floor };
            assert_eq!(vat_of(Money(t)).get(), expected, "t={t}");
        }
    }

    #[test]
    fn vat_absent_is_computed_from_taxable_part() {
        let a = amount(r#"{"total": 11000, "taxFree": 1000}"#).unwrap();
        let b = a.resolve(&FieldPath::root("amount")).unwrap();
        assert_eq!(b.vat.get(), 909); // 10000/11 = 909.09
        assert_eq!(b.supply.get(), 11000 - 1000 - 909);
    }

    #[test]
    fn zero_total_is_refused_with_its_path() {
        let a = amount(r#"{"total": 0}"#).unwrap();
        let e = a
            .resolve(&FieldPath::root("amount"))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("amount.total") && e.contains("at least 1"),
            "{e}"
        );
        let one = amount(r#"{"total": 1}"#).unwrap();
        assert!(one.resolve(&FieldPath::root("amount")).is_ok());
    }

    #[test]
    fn explicit_vat_is_kept() {
        let a = amount(r#"{"total": 11000, "vat": 0}"#).unwrap();
        assert_eq!(a.resolve(&FieldPath::root("amount")).unwrap().vat.get(), 0);
    }

    #[test]
    fn tax_free_over_total_is_rejected_naming_the_field() {
        let a = amount(r#"{"total": 1000, "taxFree": 1001}"#).unwrap();
        let e = a.resolve(&FieldPath::root("amount")).unwrap_err();
        assert_eq!(e.0[0].path.to_string(), "amount.taxFree");
        assert!(e.to_string().contains("must not exceed amount.total"));
    }

    #[test]
    fn vat_over_taxable_is_rejected() {
        let a = amount(r#"{"total": 1000, "taxFree": 500, "vat": 501}"#).unwrap();
        let e = a.resolve(&FieldPath::root("amount")).unwrap_err();
        assert_eq!(e.0[0].path.to_string(), "amount.vat");
    }

    #[test]
    fn negative_fractional_and_overflowing_amounts_are_rejected() {
        assert!(amount(r#"{"total": -1}"#)
            .unwrap_err()
            .contains("must not be negative"));
        assert!(amount(r#"{"total": 10.5}"#)
            .unwrap_err()
            .contains("must be an integer"));
        assert!(amount(r#"{"total": 1e3}"#)
            .unwrap_err()
            .contains("must be an integer"));
        assert!(amount(r#"{"total": 9007199254740992}"#)
            .unwrap_err()
            .contains("at most"));
        assert!(amount(r#"{"total": 18446744073709551615}"#)
            .unwrap_err()
            .contains("at most"));
        assert!(amount(r#"{"total": 99999999999999999999999}"#).is_err());
        assert!(amount(r#"{"total": "1000"}"#).is_err());
    }

    #[test]
    fn checked_arithmetic_never_goes_negative_or_overflows() {
        assert_eq!(Money(5).checked_sub(Money(6)), None);
        assert_eq!(Money(MAX_AMOUNT).checked_add(Money(1)), None);
        assert_eq!(Money(5).checked_sub(Money(5)), Some(Money::ZERO));
    }

    #[test]
    fn currency_parse() {
        assert!(Currency::parse("KRW").is_ok());
        assert!(Currency::parse("krw").is_err());
        assert!(Currency::parse("KRWX").is_err());
    }
}
