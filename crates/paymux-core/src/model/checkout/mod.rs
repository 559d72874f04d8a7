//! Browser SDK requests (checkout window): `PortOne.requestPayment`, `requestIssueBillingKey`
//! and `requestIssueBillingKeyAndPay` parameters.
//!
//! Field names and shapes follow PortOne's browser-SDK schema (`browser-sdk.yml`,
//! `resources/request/{PaymentRequest,IssueBillingKeyRequest,IssueBillingKeyAndPayRequest}`).
//! Unknown fields are ignored: PortOne adds SDK parameters often.
//!
//! The SDK accepts its enum values both bare (`"KRW"`, `"REAL"`, `"BC_CARD"`) and with the
//! schema's value prefix (`"CURRENCY_KRW"`, `"PRODUCT_TYPE_REAL"`, `"CARD_COMPANY_BC_CARD"`).
//! Small enums accept both and write the bare form; long code lists ([`CheckoutCurrency`],
//! [`CardCompany`], [`EasyPayProvider`], [`CheckoutBank`]) keep the string as written and
//! expose the bare code through `code()`.

use serde::{Deserialize, Serialize};
use std::fmt;

use chrono::{DateTime, NaiveDate, NaiveDateTime};

use super::common::{
    Country, CustomerInput, CustomerNameInput, CustomerSeparatedName, Gender, Locale,
    PaymentProduct, ProductType, SeparatedAddressInput,
};
use super::validate::{self as rules, Validate};
use crate::money::{Currency, Money, PaymentAmountInput};
use crate::secret::Secret;
use crate::validation::{FieldPath, ValidationErrors};

pub mod v1;

macro_rules! prefixed_code {
    ($(#[$doc:meta])* $name:ident, $prefix:literal) => {
        $(#[$doc])*
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        #[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub String);

        impl $name {
            #[doc = concat!("The code without the SDK's `", $prefix, "` prefix.")]
            pub fn code(&self) -> &str {
                self.0.strip_prefix($prefix).unwrap_or(&self.0)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

prefixed_code!(
    /// SDK `Currency` (`"KRW"` or `"CURRENCY_KRW"`).
    CheckoutCurrency,
    "CURRENCY_"
);
prefixed_code!(
    /// SDK `CardCompany` (`"BC_CARD"` or `"CARD_COMPANY_BC_CARD"`).
    CardCompany,
    "CARD_COMPANY_"
);
prefixed_code!(
    /// SDK `EasyPayProvider` (`"KAKAOPAY"` or `"EASY_PAY_PROVIDER_KAKAOPAY"`).
    EasyPayProvider,
    "EASY_PAY_PROVIDER_"
);
prefixed_code!(
    /// SDK `Bank` (`"KOOKMIN_BANK"` or `"BANK_KOOKMIN_BANK"`). The SDK's bank names differ
    /// from the REST API's [`Bank`](super::common::Bank) (`KOOKMIN`).
    CheckoutBank,
    "BANK_"
);

impl CheckoutCurrency {
    /// The currency, when the code is a valid ISO 4217 code.
    pub fn currency(&self) -> Option<Currency> {
        Currency::parse(self.code()).ok()
    }
}

/// SDK `ProductType`: `REAL` or `DIGITAL` (also `PRODUCT_TYPE_REAL`, `PRODUCT_TYPE_DIGITAL`).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum CheckoutProductType {
    /// Physical goods.
    #[serde(rename = "REAL", alias = "PRODUCT_TYPE_REAL")]
    Real,
    /// Digital goods.
    #[serde(rename = "DIGITAL", alias = "PRODUCT_TYPE_DIGITAL")]
    Digital,
}

impl From<CheckoutProductType> for ProductType {
    fn from(t: CheckoutProductType) -> Self {
        match t {
            CheckoutProductType::Real => ProductType::Physical,
            CheckoutProductType::Digital => ProductType::Digital,
        }
    }
}

/// SDK `PaymentPayMethod` (`payMethod`). An unknown value fails with serde's message listing
/// the allowed ones.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum PaymentPayMethod {
    /// Card.
    Card,
    /// Bank transfer (계좌이체).
    Transfer,
    /// Virtual account (가상계좌).
    VirtualAccount,
    /// Mobile phone micropayment (휴대폰 소액결제).
    Mobile,
    /// Easy pay (간편결제).
    EasyPay,
    /// Gift certificate (상품권).
    GiftCertificate,
    /// PayPal (SPB).
    Paypal,
    /// Alipay.
    Alipay,
    /// Convenience-store payment.
    ConvenienceStore,
    /// Alipay+.
    AlipayPlus,
}

/// SDK `BillingKeyMethod` (`billingKeyMethod`).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum BillingKeyMethod {
    /// Card.
    Card,
    /// Mobile phone.
    Mobile,
    /// Easy pay.
    EasyPay,
    /// PayPal (reference transactions).
    Paypal,
}

/// SDK `BillingKeyAndPayMethod` (`billingKeyAndPayMethod`): `MOBILE` only.
///
/// `"PHONE"` is accepted as an alias: PortOne's own KG Inicis and Welcome guides show
/// `billingKeyAndPayMethod: "PHONE"` although the schema says `MOBILE`.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum BillingKeyAndPayMethod {
    /// Mobile phone.
    #[serde(alias = "PHONE")]
    Mobile,
}

/// SDK `CashReceiptType`: `PERSONAL`, `CORPORATE`, `ANONYMOUS` (also `CASH_RECEIPT_TYPE_*`).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum CheckoutCashReceiptType {
    /// Income deduction.
    #[serde(rename = "PERSONAL", alias = "CASH_RECEIPT_TYPE_PERSONAL")]
    Personal,
    /// Expense proof.
    #[serde(rename = "CORPORATE", alias = "CASH_RECEIPT_TYPE_CORPORATE")]
    Corporate,
    /// Not issued (the PG may self-issue anonymously).
    #[serde(rename = "ANONYMOUS", alias = "CASH_RECEIPT_TYPE_ANONYMOUS")]
    Anonymous,
}

/// SDK `Carrier` (also `CARRIER_*`).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Carrier {
    /// SK Telecom.
    #[serde(rename = "SKT", alias = "CARRIER_SKT")]
    Skt,
    /// KT.
    #[serde(rename = "KT", alias = "CARRIER_KT")]
    Kt,
    /// LG U+.
    #[serde(rename = "LGU", alias = "CARRIER_LGU")]
    Lgu,
    /// Hello Mobile (MVNO).
    #[serde(rename = "HELLO", alias = "CARRIER_HELLO")]
    Hello,
    /// T plus (MVNO).
    #[serde(rename = "KCT", alias = "CARRIER_KCT")]
    Kct,
    /// SK 7mobile (MVNO).
    #[serde(rename = "SK7", alias = "CARRIER_SK7")]
    Sk7,
}

/// SDK `GiftCertificateType` (also `GIFT_CERTIFICATE_TYPE_*`).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum GiftCertificateType {
    /// 도서문화상품권.
    #[serde(rename = "BOOKNLIFE", alias = "GIFT_CERTIFICATE_TYPE_BOOKNLIFE")]
    Booknlife,
    /// 스마트문상.
    #[serde(
        rename = "SMART_MUNSANG",
        alias = "GIFT_CERTIFICATE_TYPE_SMART_MUNSANG"
    )]
    SmartMunsang,
    /// 컬쳐랜드 문화상품권.
    #[serde(rename = "CULTURELAND", alias = "GIFT_CERTIFICATE_TYPE_CULTURELAND")]
    Cultureland,
    /// 문화상품권.
    #[serde(rename = "CULTURE_GIFT", alias = "GIFT_CERTIFICATE_TYPE_CULTURE_GIFT")]
    CultureGift,
}

/// SDK `EasyPayPaymentMethod`.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum EasyPayPaymentMethod {
    /// Card.
    Card,
    /// Points (charged / earned).
    Charge,
    /// Account.
    Transfer,
    /// Points or account.
    Money,
}

/// SDK `WindowType`.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum WindowType {
    /// In an iframe.
    Iframe,
    /// In a pop-up.
    Popup,
    /// Full-page redirect.
    Redirection,
    /// Embedded UI.
    Ui,
}

/// SDK `WindowTypes`: `{pc?, mobile?}`.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WindowTypes {
    /// Window type on PC.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pc: Option<WindowType>,
    /// Window type on mobile.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mobile: Option<WindowType>,
}

/// SDK `OfferPeriod`: one of `range` / `interval`.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OfferPeriod {
    /// Period range.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub range: Option<OfferPeriodRange>,
    /// Interval such as `"30d"`, `"6m"`, `"1y"`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interval: Option<String>,
}

/// SDK `OfferPeriodRange`: `{from?, to?}` (RFC 3339 strings).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OfferPeriodRange {
    /// Start.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    /// End.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
}

/// SDK `Customer` (checkout window shape: `customerId`, `fullName`, ... — not the REST
/// [`CustomerInput`]).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CheckoutCustomer {
    /// Merchant's customer id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub customer_id: Option<String>,
    /// Full name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub full_name: Option<String>,
    /// Given name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    /// Family name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    /// Phone number.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone_number: Option<String>,
    /// E-mail address.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Address (same shape as [`SeparatedAddressInput`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address: Option<SeparatedAddressInput>,
    /// Postal code.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub zipcode: Option<String>,
    /// Gender (informational).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gender: Option<Gender>,
    /// Birth year `"1990"`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub birth_year: Option<Secret<String>>,
    /// Birth month `"07"`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub birth_month: Option<Secret<String>>,
    /// Birth day `"25"`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub birth_day: Option<Secret<String>>,
    /// Given name in kana (Japanese PGs).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_name_kana: Option<String>,
    /// Family name in kana (Japanese PGs).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_name_kana: Option<String>,
}

impl CheckoutCustomer {
    /// `fullName`, else `"{lastName} {firstName}"` — the SDK's documented fallback.
    pub fn full_name(&self) -> Option<String> {
        self.to_name_input().full_name()
    }

    fn to_name_input(&self) -> CustomerNameInput {
        match (&self.full_name, &self.first_name, &self.last_name) {
            (Some(full), _, _) if !full.trim().is_empty() => CustomerNameInput::full(full.clone()),
            (_, Some(first), Some(last)) => CustomerNameInput {
                full: None,
                separated: Some(CustomerSeparatedName {
                    first: first.clone(),
                    last: last.clone(),
                }),
            },
            (_, Some(one), None) | (_, None, Some(one)) => CustomerNameInput::full(one.clone()),
            (_, None, None) => CustomerNameInput::default(),
        }
    }

    /// The same customer in the REST API's [`CustomerInput`] shape.
    pub fn to_customer_input(&self) -> CustomerInput {
        let name = self.to_name_input();
        CustomerInput {
            id: self.customer_id.clone(),
            name: (name != CustomerNameInput::default()).then_some(name),
            birth_year: self.birth_year.clone(),
            birth_month: self.birth_month.clone(),
            birth_day: self.birth_day.clone(),
            country: self.address.as_ref().and_then(|a| a.country.clone()),
            gender: self.gender,
            email: self.email.clone(),
            phone_number: self.phone_number.clone(),
            address: self.address.clone(),
            zipcode: self.zipcode.clone(),
            business_registration_number: None,
        }
    }
}

impl Validate for CheckoutCustomer {
    fn validate(&self, path: &FieldPath, errs: &mut ValidationErrors) {
        rules::opt_non_empty(self.customer_id.as_ref(), path.join("customerId"), errs);
        rules::opt_non_empty(self.full_name.as_ref(), path.join("fullName"), errs);
        rules::opt_non_empty(self.phone_number.as_ref(), path.join("phoneNumber"), errs);
        rules::email(self.email.as_ref(), path.join("email"), errs);
        self.address.validate(&path.join("address"), errs);
        rules::birth_fields(
            self.birth_year.as_ref().map(|s| s.expose().as_str()),
            self.birth_month.as_ref().map(|s| s.expose().as_str()),
            self.birth_day.as_ref().map(|s| s.expose().as_str()),
            path,
            errs,
        );
    }
}

/// SDK `FreeInstallmentPlan`: `{cardCompany, months}`.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FreeInstallmentPlan {
    /// Card company offering the plan.
    pub card_company: CardCompany,
    /// Interest-free months.
    pub months: Vec<i32>,
}

/// SDK `InstallmentMonthOption`: `{fixedMonth?}` or `{availableMonthList?}`.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InstallmentMonthOption {
    /// One fixed number of months.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fixed_month: Option<i32>,
    /// Months the customer may choose from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub available_month_list: Option<Vec<i32>>,
}

/// SDK `Installment`: `{freeInstallmentPlans?, monthOption?}`.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Installment {
    /// Merchant-paid interest-free plans.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub free_installment_plans: Option<Vec<FreeInstallmentPlan>>,
    /// Month options.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub month_option: Option<InstallmentMonthOption>,
}

impl Validate for Installment {
    fn validate(&self, path: &FieldPath, errs: &mut ValidationErrors) {
        if let Some(opt) = &self.month_option {
            let p = path.join("monthOption");
            rules::installment_month(opt.fixed_month, p.join("fixedMonth"), errs);
            for (i, m) in opt.available_month_list.iter().flatten().enumerate() {
                rules::installment_month(Some(*m), p.join("availableMonthList").index(i), errs);
            }
        }
        for (i, plan) in self.free_installment_plans.iter().flatten().enumerate() {
            let p = path.join("freeInstallmentPlans").index(i).join("months");
            for (j, m) in plan.months.iter().enumerate() {
                rules::installment_month(Some(*m), p.index(j), errs);
            }
        }
    }
}

/// SDK `CardPromotion`: `{promotionId, discountAmount}` (KCP card-company coupons).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CardPromotion {
    /// Card company's promotion id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub promotion_id: Option<String>,
    /// Discount.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub discount_amount: Option<Money>,
}

/// `card` of `requestPayment` (`PaymentRequestUnionCard`).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CheckoutCard {
    /// Open this card company's UI directly.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub card_company: Option<CardCompany>,
    /// Offer only these card companies.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub available_cards: Option<Vec<CardCompany>>,
    /// Merchant-paid interest-free instalments.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub use_free_interest_from_mall: Option<bool>,
    /// Instalment settings.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub installment: Option<Installment>,
    /// Use card points.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub use_card_point: Option<bool>,
    /// App cards only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub use_app_card_only: Option<bool>,
    /// Allow instalments.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub use_installment: Option<bool>,
    /// Card-company coupon.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub card_promotion: Option<CardPromotion>,
}

impl Validate for CheckoutCard {
    fn validate(&self, path: &FieldPath, errs: &mut ValidationErrors) {
        self.installment.validate(&path.join("installment"), errs);
    }
}

/// `{validHours?, dueDate?}` — exactly one (`accountExpiry`, `paymentDeadline`).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CheckoutExpiry {
    /// Hours from now.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub valid_hours: Option<i32>,
    /// Deadline: `YYYYMMDD`, `YYYYMMDDHHmmss`, `YYYY-MM-DD`, `YYYY-MM-DD HH:mm:ss` or RFC 3339.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub due_date: Option<String>,
}

/// Parse an SDK `dueDate` in any of the formats PortOne documents.
pub fn parse_sdk_due_date(s: &str) -> Option<NaiveDateTime> {
    if let Ok(d) = DateTime::parse_from_rfc3339(s) {
        return Some(d.naive_local());
    }
    for fmt in ["%Y%m%d%H%M%S", "%Y-%m-%d %H:%M:%S"] {
        if let Ok(d) = NaiveDateTime::parse_from_str(s, fmt) {
            return Some(d);
        }
    }
    for fmt in ["%Y%m%d", "%Y-%m-%d"] {
        if let Ok(d) = NaiveDate::parse_from_str(s, fmt) {
            return d.and_hms_opt(23, 59, 59);
        }
    }
    None
}

impl Validate for CheckoutExpiry {
    fn validate(&self, path: &FieldPath, errs: &mut ValidationErrors) {
        match (self.valid_hours, &self.due_date) {
            (None, None) => errs.add(
                path.join("validHours"),
                "is required: give exactly one of validHours or dueDate",
            ),
            (Some(_), Some(_)) => errs.add(
                path.join("dueDate"),
                "must not be given together with validHours: give exactly one of them",
            ),
            (Some(h), None) if h <= 0 => {
                errs.add(path.join("validHours"), "must be greater than 0");
            }
            (Some(_), None) => {}
            (None, Some(d)) => {
                if parse_sdk_due_date(d).is_none() {
                    errs.add(
                        path.join("dueDate"),
                        "must be YYYYMMDD, YYYYMMDDHHmmss, YYYY-MM-DD, YYYY-MM-DD HH:mm:ss or RFC 3339",
                    );
                }
            }
        }
    }
}

/// `fixedOption` of a virtual account: one of `pgAccountId` / `accountNumber`.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CheckoutFixedOption {
    /// PG-side id of a fixed account.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pg_account_id: Option<String>,
    /// Fixed account number.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account_number: Option<String>,
}

impl Validate for CheckoutFixedOption {
    fn validate(&self, path: &FieldPath, errs: &mut ValidationErrors) {
        match (&self.pg_account_id, &self.account_number) {
            (None, None) => errs.add(
                path.join("pgAccountId"),
                "is required: give exactly one of pgAccountId or accountNumber",
            ),
            (Some(_), Some(_)) => errs.add(
                path.join("accountNumber"),
                "must not be given together with pgAccountId: give exactly one of them",
            ),
            _ => {}
        }
    }
}

/// `virtualAccount` of `requestPayment` (`PaymentRequestUnionVirtualAccount`).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CheckoutVirtualAccount {
    /// Cash receipt type.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cash_receipt_type: Option<CheckoutCashReceiptType>,
    /// Cash receipt identity number (masked in `Debug`).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub customer_identifier: Option<Secret<String>>,
    /// Fixed account.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fixed_option: Option<CheckoutFixedOption>,
    /// Bank to issue at.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bank_code: Option<CheckoutBank>,
    /// Deposit deadline.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account_expiry: Option<CheckoutExpiry>,
    /// Banks offered in the UI.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub available_banks: Option<Vec<CheckoutBank>>,
}

impl Validate for CheckoutVirtualAccount {
    fn validate(&self, path: &FieldPath, errs: &mut ValidationErrors) {
        self.fixed_option.validate(&path.join("fixedOption"), errs);
        self.account_expiry
            .validate(&path.join("accountExpiry"), errs);
    }
}

/// `transfer` of `requestPayment` (`PaymentRequestUnionTransfer`).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CheckoutTransfer {
    /// Cash receipt type.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cash_receipt_type: Option<CheckoutCashReceiptType>,
    /// Cash receipt identity number.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub customer_identifier: Option<Secret<String>>,
    /// Bank.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bank_code: Option<CheckoutBank>,
}

/// `mobile` of `requestPayment` / `requestIssueBillingKey(AndPay)`.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CheckoutMobile {
    /// Open this carrier directly.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub carrier: Option<Carrier>,
    /// Offer only these carriers. PortOne spells the field `avaliableCarriers` (sic); the
    /// correct spelling is accepted too.
    #[serde(
        rename = "avaliableCarriers",
        alias = "availableCarriers",
        skip_serializing_if = "Option::is_none"
    )]
    pub available_carriers: Option<Vec<Carrier>>,
}

/// `giftCertificate` of `requestPayment`.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CheckoutGiftCertificate {
    /// Certificate type.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gift_certificate_type: Option<GiftCertificateType>,
}

/// `easyPay` of `requestPayment` (`PaymentRequestUnionEasyPay`).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CheckoutEasyPay {
    /// Open this provider's UI directly.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub easy_pay_provider: Option<EasyPayProvider>,
    /// Merchant-paid interest-free instalments.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub use_free_interest_from_mall: Option<bool>,
    /// Offer only these card companies.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub available_cards: Option<Vec<CardCompany>>,
    /// Instalment settings.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub installment: Option<Installment>,
    /// Cash receipt type.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cash_receipt_type: Option<CheckoutCashReceiptType>,
    /// Cash receipt identity number.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub customer_identifier: Option<Secret<String>>,
    /// Use card points.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub use_card_point: Option<bool>,
    /// Payment methods to show.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub available_pay_methods: Option<Vec<EasyPayPaymentMethod>>,
    /// Allow instalments.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub use_installment: Option<bool>,
}

impl Validate for CheckoutEasyPay {
    fn validate(&self, path: &FieldPath, errs: &mut ValidationErrors) {
        self.installment.validate(&path.join("installment"), errs);
    }
}

/// `convenienceStore` of `requestPayment`.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CheckoutConvenienceStore {
    /// Payment deadline.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub payment_deadline: Option<CheckoutExpiry>,
}

/// `alipayPlus` of `requestPayment`.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CheckoutAlipayPlus {
    /// Open this wallet directly.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub easy_pay_provider: Option<EasyPayProvider>,
}

/// An SDK method object with no fields (`paypal: {}`, `alipay: {}`).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckoutEmpty {}

/// `PaymentRequest`: the parameters of `PortOne.requestPayment(...)`.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PaymentRequest {
    /// Store id.
    pub store_id: String,
    /// Merchant's payment id.
    pub payment_id: String,
    /// Order name.
    pub order_name: String,
    /// Order detail (KICC Alipay+).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub order_detail: Option<String>,
    /// Total amount.
    pub total_amount: Money,
    /// Currency.
    pub currency: CheckoutCurrency,
    /// Payment method.
    pub pay_method: PaymentPayMethod,
    /// Channel key; exactly one of this and `channelGroupId`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub channel_key: Option<String>,
    /// Smart-routing channel group id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub channel_group_id: Option<String>,
    /// Tax-free part (absent = 0).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tax_free_amount: Option<Money>,
    /// VAT (absent = computed).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vat_amount: Option<Money>,
    /// Customer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub customer: Option<CheckoutCustomer>,
    /// Window type per platform.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub window_type: Option<WindowTypes>,
    /// Where to return in redirect mode.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub redirect_url: Option<String>,
    /// Always return by redirect.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub force_redirect: Option<bool>,
    /// Webhook URLs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notice_urls: Option<Vec<String>>,
    /// Confirm-process URL.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub confirm_url: Option<String>,
    /// App URL scheme to return to after app-card / ISP authentication.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub app_scheme: Option<String>,
    /// Escrow.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_escrow: Option<bool>,
    /// Order lines.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub products: Option<Vec<PaymentProduct>>,
    /// Cultural expense flag.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_cultural_expense: Option<bool>,
    /// UI language.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub locale: Option<Locale>,
    /// Merchant JSON data (any JSON value).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub custom_data: Option<serde_json::Value>,
    /// Country.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub country: Option<Country>,
    /// Product type (required for mobile payments through smart routing).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub product_type: Option<CheckoutProductType>,
    /// Service period.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub offer_period: Option<OfferPeriod>,
    /// Store details (kept as JSON).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub store_details: Option<serde_json::Value>,
    /// Shipping address.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shipping_address: Option<SeparatedAddressInput>,
    /// PortOne promotion id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub promotion_id: Option<String>,
    /// Pop-up options (kept as JSON).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub popup: Option<serde_json::Value>,
    /// Iframe options (kept as JSON).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub iframe: Option<serde_json::Value>,
    /// Per-PG extra parameters, keyed by PG.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub bypass: Option<serde_json::Value>,
    /// Card options.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub card: Option<CheckoutCard>,
    /// Virtual-account options.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub virtual_account: Option<CheckoutVirtualAccount>,
    /// Transfer options.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub transfer: Option<CheckoutTransfer>,
    /// Mobile options.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mobile: Option<CheckoutMobile>,
    /// Gift-certificate options.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gift_certificate: Option<CheckoutGiftCertificate>,
    /// Easy-pay options.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub easy_pay: Option<CheckoutEasyPay>,
    /// PayPal options (empty object).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub paypal: Option<CheckoutEmpty>,
    /// Alipay options (empty object).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub alipay: Option<CheckoutEmpty>,
    /// Convenience-store options.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub convenience_store: Option<CheckoutConvenienceStore>,
    /// Alipay+ options.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub alipay_plus: Option<CheckoutAlipayPlus>,
}

impl PaymentRequest {
    /// The amounts in the REST API's [`PaymentAmountInput`] shape.
    pub fn amount(&self) -> PaymentAmountInput {
        PaymentAmountInput {
            total: self.total_amount,
            tax_free: self.tax_free_amount,
            vat: self.vat_amount,
        }
    }
}

/// `totalAmount` / `taxFreeAmount` / `vatAmount` with the SDK's field names in errors.
fn sdk_amounts(
    total: Money,
    tax_free: Option<Money>,
    vat: Option<Money>,
    path: &FieldPath,
    errs: &mut ValidationErrors,
) {
    let tax_free = tax_free.unwrap_or(Money::ZERO);
    match total.checked_sub(tax_free) {
        None => errs.add(path.join("taxFreeAmount"), "must not exceed totalAmount"),
        Some(taxable) => {
            if vat.is_some_and(|v| v > taxable) {
                errs.add(
                    path.join("vatAmount"),
                    "must not exceed the taxable amount (totalAmount − taxFreeAmount)",
                );
            }
        }
    }
}

fn sdk_currency(c: &CheckoutCurrency, path: FieldPath, errs: &mut ValidationErrors) {
    if c.currency().is_none() {
        errs.add(
            path,
            "must be a three-letter ISO 4217 currency code such as KRW",
        );
    }
}

fn opt_url(url: Option<&String>, path: FieldPath, errs: &mut ValidationErrors) {
    if let Some(u) = url {
        rules::http_url(u, path, errs);
    }
}

fn required_channel_key(key: Option<&String>, path: &FieldPath, errs: &mut ValidationErrors) {
    match key {
        None => errs.add(
            path.join("channelKey"),
            "is required (the SDK's billing-key windows take no channelGroupId)",
        ),
        Some(k) => rules::non_empty(k, path.join("channelKey"), errs),
    }
}

impl Validate for PaymentRequest {
    fn validate(&self, path: &FieldPath, errs: &mut ValidationErrors) {
        rules::non_empty(&self.store_id, path.join("storeId"), errs);
        rules::non_empty(&self.payment_id, path.join("paymentId"), errs);
        rules::non_empty(&self.order_name, path.join("orderName"), errs);
        sdk_amounts(
            self.total_amount,
            self.tax_free_amount,
            self.vat_amount,
            path,
            errs,
        );
        sdk_currency(&self.currency, path.join("currency"), errs);
        rules::exactly_one_channel(
            self.channel_key.as_ref(),
            self.channel_group_id.as_ref(),
            path,
            errs,
        );
        self.customer.validate(&path.join("customer"), errs);
        opt_url(self.redirect_url.as_ref(), path.join("redirectUrl"), errs);
        rules::notice_urls(self.notice_urls.as_ref(), path.join("noticeUrls"), errs);
        opt_url(self.confirm_url.as_ref(), path.join("confirmUrl"), errs);
        self.products.validate(&path.join("products"), errs);
        self.country.validate(&path.join("country"), errs);
        self.shipping_address
            .validate(&path.join("shippingAddress"), errs);
        rules::bypass(self.bypass.as_ref(), path.join("bypass"), errs);
        self.card.validate(&path.join("card"), errs);
        self.virtual_account
            .validate(&path.join("virtualAccount"), errs);
        self.easy_pay.validate(&path.join("easyPay"), errs);
        if let Some(cvs) = &self.convenience_store {
            cvs.payment_deadline
                .validate(&path.join("convenienceStore").join("paymentDeadline"), errs);
        }
    }
}

/// `card` of `requestIssueBillingKey`.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IssueBillingKeyCard {
    /// Open this card company's UI directly.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub card_company: Option<CardCompany>,
}

/// `easyPay` of `requestIssueBillingKey`.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IssueBillingKeyEasyPay {
    /// Offer only these card companies.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub available_cards: Option<Vec<CardCompany>>,
    /// Open this provider's UI directly.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub easy_pay_provider: Option<EasyPayProvider>,
    /// Payment methods to show.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub available_pay_methods: Option<Vec<EasyPayPaymentMethod>>,
}

/// `IssueBillingKeyRequest`: the parameters of `PortOne.requestIssueBillingKey(...)`.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IssueBillingKeyRequest {
    /// Amount shown in the window (no payment happens).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub display_amount: Option<Money>,
    /// Currency of `displayAmount`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub currency: Option<CheckoutCurrency>,
    /// Store id.
    pub store_id: String,
    /// Channel key (required in practice: no channel groups here).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub channel_key: Option<String>,
    /// Billing-key method.
    pub billing_key_method: BillingKeyMethod,
    /// Issue name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub issue_name: Option<String>,
    /// Merchant's issue id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub issue_id: Option<String>,
    /// Customer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub customer: Option<CheckoutCustomer>,
    /// Window type per platform.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub window_type: Option<WindowTypes>,
    /// Where to return in redirect mode.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub redirect_url: Option<String>,
    /// Always return by redirect.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub force_redirect: Option<bool>,
    /// UI language.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub locale: Option<Locale>,
    /// Merchant JSON data.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub custom_data: Option<serde_json::Value>,
    /// Service period.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub offer_period: Option<OfferPeriod>,
    /// App URL scheme.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub app_scheme: Option<String>,
    /// Webhook URLs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notice_urls: Option<Vec<String>>,
    /// Product type (required for mobile billing keys).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub product_type: Option<CheckoutProductType>,
    /// Per-PG extra parameters, keyed by PG.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub bypass: Option<serde_json::Value>,
    /// Pop-up options (kept as JSON).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub popup: Option<serde_json::Value>,
    /// Iframe options (kept as JSON).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub iframe: Option<serde_json::Value>,
    /// Card options.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub card: Option<IssueBillingKeyCard>,
    /// Mobile options.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mobile: Option<CheckoutMobile>,
    /// Easy-pay options.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub easy_pay: Option<IssueBillingKeyEasyPay>,
    /// PayPal options (empty object).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub paypal: Option<CheckoutEmpty>,
}

impl Validate for IssueBillingKeyRequest {
    fn validate(&self, path: &FieldPath, errs: &mut ValidationErrors) {
        rules::non_empty(&self.store_id, path.join("storeId"), errs);
        required_channel_key(self.channel_key.as_ref(), path, errs);
        if let Some(c) = &self.currency {
            sdk_currency(c, path.join("currency"), errs);
        }
        rules::opt_non_empty(self.issue_id.as_ref(), path.join("issueId"), errs);
        self.customer.validate(&path.join("customer"), errs);
        opt_url(self.redirect_url.as_ref(), path.join("redirectUrl"), errs);
        rules::notice_urls(self.notice_urls.as_ref(), path.join("noticeUrls"), errs);
        rules::bypass(self.bypass.as_ref(), path.join("bypass"), errs);
    }
}

/// `IssueBillingKeyAndPayRequest`: the parameters of
/// `PortOne.requestIssueBillingKeyAndPay(...)`.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IssueBillingKeyAndPayRequest {
    /// Store id.
    pub store_id: String,
    /// Merchant's payment id of the first payment.
    pub payment_id: String,
    /// Order name.
    pub order_name: String,
    /// Total amount of the first payment.
    pub total_amount: Money,
    /// Currency.
    pub currency: CheckoutCurrency,
    /// Channel key.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub channel_key: Option<String>,
    /// Method (`MOBILE`).
    pub billing_key_and_pay_method: BillingKeyAndPayMethod,
    /// Tax-free part.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tax_free_amount: Option<Money>,
    /// VAT.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vat_amount: Option<Money>,
    /// Customer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub customer: Option<CheckoutCustomer>,
    /// Order lines.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub products: Option<Vec<PaymentProduct>>,
    /// Window type per platform.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub window_type: Option<WindowTypes>,
    /// Where to return in redirect mode.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub redirect_url: Option<String>,
    /// Always return by redirect.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub force_redirect: Option<bool>,
    /// Webhook URLs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notice_urls: Option<Vec<String>>,
    /// UI language.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub locale: Option<Locale>,
    /// Cultural expense flag.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_cultural_expense: Option<bool>,
    /// Merchant JSON data.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub custom_data: Option<serde_json::Value>,
    /// Service period.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub offer_period: Option<OfferPeriod>,
    /// App URL scheme.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub app_scheme: Option<String>,
    /// Product type (required for mobile).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub product_type: Option<CheckoutProductType>,
    /// Store details (kept as JSON).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub store_details: Option<serde_json::Value>,
    /// Country.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub country: Option<Country>,
    /// Per-PG extra parameters, keyed by PG.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub bypass: Option<serde_json::Value>,
    /// Pop-up options (kept as JSON).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub popup: Option<serde_json::Value>,
    /// Iframe options (kept as JSON).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub iframe: Option<serde_json::Value>,
    /// Mobile options.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mobile: Option<CheckoutMobile>,
}

impl IssueBillingKeyAndPayRequest {
    /// The amounts in the REST API's [`PaymentAmountInput`] shape.
    pub fn amount(&self) -> PaymentAmountInput {
        PaymentAmountInput {
            total: self.total_amount,
            tax_free: self.tax_free_amount,
            vat: self.vat_amount,
        }
    }
}

impl Validate for IssueBillingKeyAndPayRequest {
    fn validate(&self, path: &FieldPath, errs: &mut ValidationErrors) {
        rules::non_empty(&self.store_id, path.join("storeId"), errs);
        rules::non_empty(&self.payment_id, path.join("paymentId"), errs);
        rules::non_empty(&self.order_name, path.join("orderName"), errs);
        sdk_amounts(
            self.total_amount,
            self.tax_free_amount,
            self.vat_amount,
            path,
            errs,
        );
        sdk_currency(&self.currency, path.join("currency"), errs);
        required_channel_key(self.channel_key.as_ref(), path, errs);
        self.customer.validate(&path.join("customer"), errs);
        self.products.validate(&path.join("products"), errs);
        opt_url(self.redirect_url.as_ref(), path.join("redirectUrl"), errs);
        rules::notice_urls(self.notice_urls.as_ref(), path.join("noticeUrls"), errs);
        self.country.validate(&path.join("country"), errs);
        rules::bypass(self.bypass.as_ref(), path.join("bypass"), errs);
    }
}

/// Which payment-window request is being prepared: `kind` and the SDK call's parameters.
///
/// The gateway's `POST /checkout/sessions` reads this shape and takes a missing `kind` as
/// `PAYMENT`.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "SCREAMING_SNAKE_CASE")]
#[cfg_attr(feature = "openapi", schema(as = CheckoutSessionInput))]
pub enum CheckoutRequest {
    /// `requestPayment`.
    Payment(Box<PaymentRequest>),
    /// `requestIssueBillingKey` (billing-key window).
    IssueBillingKey(Box<IssueBillingKeyRequest>),
    /// `requestIssueBillingKeyAndPay`.
    IssueBillingKeyAndPay(Box<IssueBillingKeyAndPayRequest>),
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `PortOne.requestPayment` example of the smart-routing guide
    /// (opi/ko/extra/smart-routing/integration.md, V2 SDK section). The template literal
    /// `` `payment-${crypto.randomUUID()}` `` is replaced by a fixed id.
    const SMART_ROUTING_SDK: &str = r#"{
        "storeId": "store-4ff4af41-85e3-4559-8eb8-0d08a2c6ceec",
        "channelGroupId": "channel-group-live-f042e8e2-92f1-4f68-ad61-cec6ede41529",
        "paymentId": "payment-0b3a5c1e-7e1b-4f0e-9a57-3c3c2f5d9a10",
        "orderName": "나이키 와플 트레이너 2 SD",
        "totalAmount": 1000,
        "currency": "CURRENCY_KRW",
        "payMethod": "CARD",
        "customer": {
            "fullName": "홍길동",
            "phoneNumber": "010-1234-5678",
            "email": "test@test.com"
        }
    }"#;

    /// KSNET guide (opi/ko/integration/pg/v2/ksnet.md): card-company direct call; the SDK's
    /// bare enum spelling `BC_CARD`. Same `paymentId` substitution.
    const KSNET_SDK: &str = r#"{
        "storeId": "store-4ff4af41-85e3-4559-8eb8-0d08a2c6ceec",
        "paymentId": "payment-3f1e0c2a",
        "orderName": "나이키 와플 트레이너 2 SD",
        "totalAmount": 1000,
        "currency": "CURRENCY_KRW",
        "channelKey": "channel-key-9987cb87-6458-4888-b94e-68d9a2da896d",
        "payMethod": "CARD",
        "card": { "cardCompany": "BC_CARD" }
    }"#;

    #[test]
    fn smart_routing_sdk_example_deserializes() {
        let r: PaymentRequest = serde_json::from_str(SMART_ROUTING_SDK).unwrap();
        assert_eq!(r.store_id, "store-4ff4af41-85e3-4559-8eb8-0d08a2c6ceec");
        assert_eq!(
            r.channel_group_id.as_deref(),
            Some("channel-group-live-f042e8e2-92f1-4f68-ad61-cec6ede41529")
        );
        assert_eq!(r.channel_key, None);
        assert_eq!(r.total_amount.get(), 1000);
        assert_eq!(r.currency.code(), "KRW");
        assert_eq!(r.currency.currency(), Some(Currency::krw()));
        assert_eq!(r.pay_method, PaymentPayMethod::Card);
        let c = r.customer.as_ref().unwrap();
        assert_eq!(c.full_name().as_deref(), Some("홍길동"));
        assert_eq!(c.phone_number.as_deref(), Some("010-1234-5678"));
        assert_eq!(r.validated(), Ok(()));
        let back: PaymentRequest =
            serde_json::from_str(&serde_json::to_string(&r).unwrap()).unwrap();
        assert_eq!(back, r);
        // Nothing is lost or invented: the JSON round-trips exactly.
        assert_eq!(
            serde_json::to_value(&r).unwrap(),
            serde_json::from_str::<serde_json::Value>(SMART_ROUTING_SDK).unwrap()
        );
    }

    #[test]
    fn ksnet_card_company_example_deserializes() {
        let r: PaymentRequest = serde_json::from_str(KSNET_SDK).unwrap();
        let card = r.card.as_ref().unwrap();
        assert_eq!(card.card_company.as_ref().unwrap().code(), "BC_CARD");
        let prefixed: CardCompany = serde_json::from_str("\"CARD_COMPANY_BC_CARD\"").unwrap();
        assert_eq!(prefixed.code(), "BC_CARD");
        assert_eq!(r.validated(), Ok(()));
    }

    #[test]
    fn unknown_fields_are_ignored_and_prefixed_enums_accepted() {
        let json = r#"{
            "storeId": "s", "paymentId": "p", "orderName": "o", "totalAmount": 100,
            "currency": "KRW", "channelKey": "k", "payMethod": "MOBILE",
            "productType": "PRODUCT_TYPE_REAL",
            "mobile": {"carrier": "CARRIER_SKT", "avaliableCarriers": ["KT", "LGU"]},
            "someFutureParameter": {"x": 1}
        }"#;
        let r: PaymentRequest = serde_json::from_str(json).unwrap();
        assert_eq!(r.product_type, Some(CheckoutProductType::Real));
        assert_eq!(
            ProductType::from(CheckoutProductType::Real),
            ProductType::Physical
        );
        let m = r.mobile.as_ref().unwrap();
        assert_eq!(m.carrier, Some(Carrier::Skt));
        assert_eq!(
            m.available_carriers.as_deref(),
            Some(&[Carrier::Kt, Carrier::Lgu][..])
        );
        let out = serde_json::to_value(&r).unwrap();
        assert_eq!(
            out["mobile"]["avaliableCarriers"],
            serde_json::json!(["KT", "LGU"])
        );
        assert_eq!(out["productType"], "REAL");
        assert!(out.get("someFutureParameter").is_none());
    }

    #[test]
    fn unknown_pay_method_lists_the_allowed_ones() {
        let json = r#"{"storeId": "s", "paymentId": "p", "orderName": "o", "totalAmount": 1,
            "currency": "KRW", "channelKey": "k", "payMethod": "BITCOIN"}"#;
        let e = serde_json::from_str::<PaymentRequest>(json)
            .unwrap_err()
            .to_string();
        assert!(e.contains("unknown variant `BITCOIN`"), "{e}");
        for allowed in [
            "CARD",
            "TRANSFER",
            "VIRTUAL_ACCOUNT",
            "MOBILE",
            "EASY_PAY",
            "GIFT_CERTIFICATE",
        ] {
            assert!(
                e.contains(&format!("`{allowed}`")),
                "{allowed} missing in {e}"
            );
        }
    }

    /// `requestIssueBillingKey` and `requestIssueBillingKeyAndPay` examples of the Welcome
    /// Payments guide (opi/ko/integration/pg/v2/welcome.md). The second uses
    /// `billingKeyAndPayMethod: "PHONE"` where the schema says `MOBILE`.
    #[test]
    fn billing_key_window_examples_deserialize() {
        let issue: IssueBillingKeyRequest = serde_json::from_str(
            r#"{
                "storeId": "store-4ff4af41-85e3-4559-8eb8-0d08a2c6ceec",
                "channelKey": "channel-key-3b37819a-1c72-4deb-a245-8c810af5403d",
                "billingKeyMethod": "CARD",
                "issueId": "test-issueId",
                "issueName": "test-issueName",
                "customer": {
                    "fullName": "포트원",
                    "phoneNumber": "010-0000-1234",
                    "email": "test@portone.io"
                }
            }"#,
        )
        .unwrap();
        assert_eq!(issue.billing_key_method, BillingKeyMethod::Card);
        assert_eq!(issue.issue_id.as_deref(), Some("test-issueId"));
        assert_eq!(issue.validated(), Ok(()));

        let and_pay: IssueBillingKeyAndPayRequest = serde_json::from_str(
            r#"{
                "storeId": "store-4ff4af41-85e3-4559-8eb8-0d08a2c6ceec",
                "channelKey": "channel-key-3b37819a-1c72-4deb-a245-8c810af5403d",
                "billingKeyAndPayMethod": "PHONE",
                "totalAmount": 1000,
                "currency": "KRW",
                "paymentId": "test-paymentId",
                "orderName": "test-orderName",
                "customer": {
                    "fullName": "포트원",
                    "phoneNumber": "010-0000-1234",
                    "email": "test@portone.io"
                }
            }"#,
        )
        .unwrap();
        assert_eq!(
            and_pay.billing_key_and_pay_method,
            BillingKeyAndPayMethod::Mobile
        );
        assert_eq!(and_pay.amount().total.get(), 1000);
        assert_eq!(and_pay.validated(), Ok(()));
        let v = serde_json::to_value(&and_pay).unwrap();
        assert_eq!(v["billingKeyAndPayMethod"], "MOBILE");
    }

    #[test]
    fn sdk_validation_uses_sdk_field_names() {
        let json = r#"{"storeId": "s", "paymentId": "p", "orderName": "o",
            "totalAmount": 1000, "taxFreeAmount": 1001, "currency": "won",
            "payMethod": "VIRTUAL_ACCOUNT",
            "virtualAccount": {"accountExpiry": {"validHours": 3, "dueDate": "2024-01-01"}}}"#;
        let r: PaymentRequest = serde_json::from_str(json).unwrap();
        let e = r.validated().unwrap_err().to_string();
        assert_eq!(
            e,
            "taxFreeAmount: must not exceed totalAmount; \
             currency: must be a three-letter ISO 4217 currency code such as KRW; \
             channelKey: is required: give exactly one of channelKey or channelGroupId; \
             virtualAccount.accountExpiry.dueDate: must not be given together with validHours: give exactly one of them"
        );
    }

    #[test]
    fn sdk_due_date_formats() {
        for ok in [
            "20240101",
            "20240101235959",
            "2024-01-01",
            "2024-01-01 23:59:59",
            "2024-01-01T23:59:59+09:00",
        ] {
            assert!(parse_sdk_due_date(ok).is_some(), "{ok}");
        }
        for bad in ["2024/01/01", "20241301", "tomorrow", ""] {
            assert!(parse_sdk_due_date(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn billing_key_window_requires_channel_key() {
        let r: IssueBillingKeyRequest =
            serde_json::from_str(r#"{"storeId": "s", "billingKeyMethod": "CARD"}"#).unwrap();
        let e = r.validated().unwrap_err();
        assert_eq!(e.0[0].path.as_str(), "channelKey");
    }

    #[test]
    fn checkout_customer_to_rest_shape() {
        let c = CheckoutCustomer {
            customer_id: Some("cust-1".into()),
            first_name: Some("Gildong".into()),
            last_name: Some("Hong".into()),
            birth_year: Some(Secret::new("1990".into())),
            ..Default::default()
        };
        assert_eq!(c.full_name().as_deref(), Some("Hong Gildong"));
        let rest = c.to_customer_input();
        assert_eq!(rest.id.as_deref(), Some("cust-1"));
        assert_eq!(
            rest.name.unwrap().separated.unwrap(),
            CustomerSeparatedName {
                first: "Gildong".into(),
                last: "Hong".into()
            }
        );
        assert!(!format!("{c:?}").contains("1990"));
    }
}
