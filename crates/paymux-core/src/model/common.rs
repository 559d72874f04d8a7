//! Pieces shared by several PortOne V2 request bodies: customer, products, addresses, banks,
//! countries, cash receipts.

use serde::{Deserialize, Serialize};
use std::fmt;

use super::validate::{self as rules, Validate};
use crate::money::Money;
use crate::secret::Secret;
use crate::validation::{FieldPath, ValidationErrors};

/// ISO 3166-1 alpha-2 country code (`"KR"`), PortOne's `Country`.
///
/// Kept as written: the browser SDK also accepts the prefixed spelling `"COUNTRY_KR"`, which
/// [`Country::code`] strips.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Country(pub String);

impl Country {
    /// The two-letter code, without the SDK's `COUNTRY_` prefix.
    pub fn code(&self) -> &str {
        self.0.strip_prefix("COUNTRY_").unwrap_or(&self.0)
    }
}

impl fmt::Debug for Country {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Validate for Country {
    fn validate(&self, path: &FieldPath, errs: &mut ValidationErrors) {
        let c = self.code();
        if c.len() != 2 || !c.bytes().all(|b| b.is_ascii_uppercase()) {
            errs.add(
                path.clone(),
                "must be an ISO 3166-1 alpha-2 country code such as KR",
            );
        }
    }
}

/// PortOne's `Bank` code (`"KOOKMIN"`, `"SHINHAN"`, `"NONGHYUP"`, ...).
///
/// The list is long and grows, so it is kept as a string; [`Validate`] checks only that it is
/// SCREAMING_SNAKE_CASE. Adapters map the codes they support and refuse the rest.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Bank(pub String);

impl Bank {
    /// A bank code as PortOne spells it.
    pub fn new(code: impl Into<String>) -> Self {
        Bank(code.into())
    }
    /// The code.
    pub fn code(&self) -> &str {
        &self.0
    }
    /// `true` for SCREAMING_SNAKE_CASE: `A-Z`/`0-9` words joined by single `_`, starting
    /// with a letter.
    pub fn is_well_formed(&self) -> bool {
        is_screaming_snake(&self.0)
    }
}

pub(crate) fn is_screaming_snake(s: &str) -> bool {
    s.bytes().next().is_some_and(|b| b.is_ascii_uppercase())
        && s.split('_').all(|w| {
            !w.is_empty()
                && w.bytes()
                    .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
        })
}

impl fmt::Debug for Bank {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Validate for Bank {
    fn validate(&self, path: &FieldPath, errs: &mut ValidationErrors) {
        if !self.is_well_formed() {
            errs.add(
                path.clone(),
                "must be a PortOne bank code in SCREAMING_SNAKE_CASE such as KOOKMIN",
            );
        }
    }
}

/// PortOne's `Gender`.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Gender {
    /// `MALE` (SDK also `GENDER_MALE`).
    #[serde(alias = "GENDER_MALE")]
    Male,
    /// `FEMALE` (SDK also `GENDER_FEMALE`).
    #[serde(alias = "GENDER_FEMALE")]
    Female,
    /// `OTHER` (SDK also `GENDER_OTHER`).
    #[serde(alias = "GENDER_OTHER")]
    Other,
}

/// PortOne's `PaymentProductType` (REST API): `PHYSICAL` or `DIGITAL`.
///
/// The browser SDK spells the same idea `REAL`/`DIGITAL`; see
/// [`CheckoutProductType`](super::checkout::CheckoutProductType).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ProductType {
    /// A physical good.
    Physical,
    /// A service or any other intangible good.
    Digital,
}

/// `CustomerSeparatedName`: `{first, last}`.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CustomerSeparatedName {
    /// Given name (이름).
    pub first: String,
    /// Family name (성).
    pub last: String,
}

/// `CustomerNameInput`: `{full?, separated?}` — PortOne asks for exactly one of the two.
///
/// Modelled exactly as PortOne's object (two optional fields) so any PortOne body
/// deserializes; [`Validate`] enforces "exactly one".
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CustomerNameInput {
    /// One-line name (한 줄 이름).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub full: Option<String>,
    /// Separated name (분리형 이름).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub separated: Option<CustomerSeparatedName>,
}

impl CustomerNameInput {
    /// A one-line name from a full name.
    pub fn full(name: impl Into<String>) -> Self {
        CustomerNameInput {
            full: Some(name.into()),
            separated: None,
        }
    }

    /// The name on one line: `full` when given (and not blank), else `"{last} {first}"`.
    ///
    /// The separated form is joined the way PortOne's browser SDK documents it for PGs that
    /// want one name: `${lastName} ${firstName}` — family name first, one space. For Hangul
    /// names that gives "김 포트" rather than the usual "김포트"; an adapter that needs the
    /// unspaced form can join [`CustomerNameInput::separated`] itself.
    pub fn full_name(&self) -> Option<String> {
        if let Some(full) = self
            .full
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            return Some(full.to_string());
        }
        let sep = self.separated.as_ref()?;
        let joined = format!("{} {}", sep.last.trim(), sep.first.trim());
        let joined = joined.trim();
        (!joined.is_empty()).then(|| joined.to_string())
    }
}

impl Validate for CustomerNameInput {
    fn validate(&self, path: &FieldPath, errs: &mut ValidationErrors) {
        match (&self.full, &self.separated) {
            (None, None) => errs.add(
                path.join("full"),
                "is required: give exactly one of full or separated",
            ),
            (Some(_), Some(_)) => errs.add(
                path.join("separated"),
                "must not be given together with full: give exactly one of them",
            ),
            (Some(full), None) => rules::non_empty(full, path.join("full"), errs),
            (None, Some(sep)) => {
                let p = path.join("separated");
                rules::non_empty(&sep.first, p.join("first"), errs);
                rules::non_empty(&sep.last, p.join("last"), errs);
            }
        }
    }
}

/// `SeparatedAddressInput`: `{addressLine1, addressLine2, city?, province?, country?}`.
///
/// PortOne's input addresses (customer and shipping) are always this separated form; the
/// `Address` schema with `oneLine`/`type` is response-only.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SeparatedAddressInput {
    /// First address line (상세 주소 1).
    pub address_line1: String,
    /// Second address line (상세 주소 2); may be empty.
    pub address_line2: String,
    /// City / district (시/군/구).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    /// Province / state (주/도/시).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub province: Option<String>,
    /// Country.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub country: Option<Country>,
}

impl SeparatedAddressInput {
    /// The address on one line: `addressLine1 addressLine2`, blank parts skipped (PortOne
    /// builds its response `oneLine` by concatenating the separated parts).
    pub fn one_line(&self) -> String {
        [self.address_line1.trim(), self.address_line2.trim()]
            .into_iter()
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(" ")
    }
}

impl Validate for SeparatedAddressInput {
    fn validate(&self, path: &FieldPath, errs: &mut ValidationErrors) {
        rules::non_empty(&self.address_line1, path.join("addressLine1"), errs);
        self.country.validate(&path.join("country"), errs);
    }
}

/// `CustomerInput`: the customer of a REST request.
///
/// Birth year, month and day are [`Secret`]s: they never show in `Debug` output.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CustomerInput {
    /// Merchant's own customer id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<CustomerNameInput>,
    /// Birth year, `"1990"`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub birth_year: Option<Secret<String>>,
    /// Birth month, `"07"`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub birth_month: Option<Secret<String>>,
    /// Birth day, `"25"`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub birth_day: Option<Secret<String>>,
    /// Country.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub country: Option<Country>,
    /// Gender.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gender: Option<Gender>,
    /// E-mail address.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Phone number, as the merchant wrote it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone_number: Option<String>,
    /// Address.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address: Option<SeparatedAddressInput>,
    /// Postal code.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub zipcode: Option<String>,
    /// Business registration number (사업자 등록 번호).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub business_registration_number: Option<String>,
}

impl CustomerInput {
    /// [`CustomerNameInput::full_name`] of the name, if any.
    pub fn full_name(&self) -> Option<String> {
        self.name.as_ref().and_then(CustomerNameInput::full_name)
    }
}

impl Validate for CustomerInput {
    fn validate(&self, path: &FieldPath, errs: &mut ValidationErrors) {
        rules::opt_non_empty(self.id.as_ref(), path.join("id"), errs);
        self.name.validate(&path.join("name"), errs);
        rules::birth_fields(
            self.birth_year.as_ref().map(|s| s.expose().as_str()),
            self.birth_month.as_ref().map(|s| s.expose().as_str()),
            self.birth_day.as_ref().map(|s| s.expose().as_str()),
            path,
            errs,
        );
        self.country.validate(&path.join("country"), errs);
        rules::email(self.email.as_ref(), path.join("email"), errs);
        rules::opt_non_empty(self.phone_number.as_ref(), path.join("phoneNumber"), errs);
        self.address.validate(&path.join("address"), errs);
    }
}

/// `PaymentProduct`: one order line.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PaymentProduct {
    /// Merchant's product id.
    pub id: String,
    /// Product name.
    pub name: String,
    /// Tag (category).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tag: Option<String>,
    /// Product code.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// Unit price.
    pub amount: Money,
    /// Quantity ordered (int32; negative is refused by [`Validate`]).
    pub quantity: i32,
    /// Sales page URL.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub link: Option<String>,
}

impl Validate for PaymentProduct {
    fn validate(&self, path: &FieldPath, errs: &mut ValidationErrors) {
        rules::non_empty(&self.id, path.join("id"), errs);
        rules::non_empty(&self.name, path.join("name"), errs);
        if self.quantity < 0 {
            errs.add(path.join("quantity"), "must not be negative");
        }
        if let Some(link) = &self.link {
            rules::http_url(link, path.join("link"), errs);
        }
    }
}

/// `CashReceiptInputType`: `PERSONAL`, `CORPORATE` or `NO_RECEIPT`.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum CashReceiptInputType {
    /// Income deduction (소득공제용).
    Personal,
    /// Expense proof (지출증빙용).
    Corporate,
    /// No receipt (미발행); the PG may still self-issue one.
    NoReceipt,
}

/// `CashReceiptInput`: `{type, customerIdentityNumber?}` (billing-key payments).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CashReceiptInput {
    /// Receipt type.
    pub r#type: CashReceiptInputType,
    /// Identity number the receipt is issued to (phone, resident or business number);
    /// omitted for `NO_RECEIPT`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub customer_identity_number: Option<Secret<String>>,
}

/// Shared rule: a receipt other than `NO_RECEIPT` needs the identity number.
pub(crate) fn cash_receipt_identity(
    ty: CashReceiptInputType,
    number: Option<&Secret<String>>,
    path: &FieldPath,
    errs: &mut ValidationErrors,
) {
    let p = path.join("customerIdentityNumber");
    match (ty, number) {
        (CashReceiptInputType::NoReceipt, _) => {}
        (_, None) => errs.add(p, "is required unless type is NO_RECEIPT"),
        (_, Some(n)) => rules::non_empty(n.expose(), p, errs),
    }
}

impl Validate for CashReceiptInput {
    fn validate(&self, path: &FieldPath, errs: &mut ValidationErrors) {
        cash_receipt_identity(
            self.r#type,
            self.customer_identity_number.as_ref(),
            path,
            errs,
        );
    }
}

/// `Locale` (`"KO_KR"`, `"EN_US"`, ...). A string: the SDK knows more locales than the REST
/// enum, and PGs support different subsets.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Locale(pub String);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_name_prefers_full_then_last_space_first() {
        assert_eq!(
            CustomerNameInput::full("김포트").full_name().as_deref(),
            Some("김포트")
        );
        let sep = CustomerNameInput {
            full: None,
            separated: Some(CustomerSeparatedName {
                first: "Gildong".into(),
                last: "Hong".into(),
            }),
        };
        assert_eq!(sep.full_name().as_deref(), Some("Hong Gildong"));
        let blank_full = CustomerNameInput {
            full: Some("  ".into()),
            ..sep.clone()
        };
        assert_eq!(blank_full.full_name().as_deref(), Some("Hong Gildong"));
        assert_eq!(CustomerNameInput::default().full_name(), None);
    }

    #[test]
    fn bank_codes_must_be_screaming_snake() {
        for ok in ["KOOKMIN", "K_BANK", "BANK_OF_KOREA", "KB_SECURITIES"] {
            assert!(Bank::new(ok).is_well_formed(), "{ok}");
        }
        for bad in ["kookmin", "K__BANK", "_KB", "KB_", "", "1BANK", "KOOK MIN"] {
            assert!(!Bank::new(bad).is_well_formed(), "{bad}");
        }
    }

    #[test]
    fn country_accepts_sdk_prefix() {
        let c: Country = serde_json::from_str("\"COUNTRY_KR\"").unwrap();
        assert_eq!(c.code(), "KR");
        assert_eq!(serde_json::to_string(&c).unwrap(), "\"COUNTRY_KR\"");
    }

    #[test]
    fn address_one_line() {
        let a: SeparatedAddressInput =
            serde_json::from_str(r#"{"addressLine1": "서울시 강남구 신사동", "addressLine2": ""}"#)
                .unwrap();
        assert_eq!(a.one_line(), "서울시 강남구 신사동");
    }

    #[test]
    fn gender_accepts_both_spellings_and_writes_portone_rest_form() {
        let g: Gender = serde_json::from_str("\"GENDER_FEMALE\"").unwrap();
        assert_eq!(g, Gender::Female);
        assert_eq!(serde_json::to_string(&g).unwrap(), "\"FEMALE\"");
        assert!(serde_json::from_str::<Gender>("\"female\"").is_err());
    }
}
