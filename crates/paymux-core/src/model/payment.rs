//! `POST /payments/{paymentId}/instant` — keyed-in card or virtual-account payment
//! (`InstantPaymentInput`).

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Deserializer, Serialize};
use std::fmt;

use super::common::{
    cash_receipt_identity, Bank, CashReceiptInputType, Country, CustomerInput, PaymentProduct,
    ProductType, SeparatedAddressInput,
};
use super::validate::{self as rules, Validate};
use crate::money::{Currency, PaymentAmountInput};
use crate::secret::Secret;
use crate::validation::{FieldPath, ValidationError, ValidationErrors};

/// `InstantPaymentInput`: body of `POST /payments/{paymentId}/instant`.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InstantPaymentInput {
    /// Store id (defaults to the token's store).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub store_id: Option<String>,
    /// Channel key; exactly one of this and `channelGroupId`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub channel_key: Option<String>,
    /// Smart-routing channel group id; exactly one of this and `channelKey`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub channel_group_id: Option<String>,
    /// Card or virtual account.
    pub method: InstantPaymentMethodInput,
    /// Order name (주문명).
    pub order_name: String,
    /// Cultural expense (문화비) flag; default false.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_cultural_expense: Option<bool>,
    /// Escrow flag; default false.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_escrow: Option<bool>,
    /// Customer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub customer: Option<CustomerInput>,
    /// Merchant data echoed back (a string; JSON-encode objects).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub custom_data: Option<String>,
    /// Amount breakdown.
    pub amount: PaymentAmountInput,
    /// Currency.
    pub currency: Currency,
    /// Country of the payment.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub country: Option<Country>,
    /// Webhook URLs overriding the store's (absent = empty).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notice_urls: Option<Vec<String>>,
    /// Order lines (absent = empty).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub products: Option<Vec<PaymentProduct>>,
    /// Number of products.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub product_count: Option<i32>,
    /// Physical or digital goods.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub product_type: Option<ProductType>,
    /// Shipping address.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shipping_address: Option<SeparatedAddressInput>,
    /// PortOne promotion id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub promotion_id: Option<String>,
    /// Per-PG extra parameters, keyed by PG: `{"galaxia": {"ITEM_CODE": "..."}}`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub bypass: Option<serde_json::Value>,
    /// Do not send webhooks for this request.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub skip_webhook: Option<bool>,
}

impl Validate for InstantPaymentInput {
    fn validate(&self, path: &FieldPath, errs: &mut ValidationErrors) {
        rules::opt_non_empty(self.store_id.as_ref(), path.join("storeId"), errs);
        rules::exactly_one_channel(
            self.channel_key.as_ref(),
            self.channel_group_id.as_ref(),
            path,
            errs,
        );
        self.method.validate(&path.join("method"), errs);
        rules::non_empty(&self.order_name, path.join("orderName"), errs);
        self.customer.validate(&path.join("customer"), errs);
        errs.absorb(self.amount.resolve(&path.join("amount")));
        rules::currency(&self.currency, path.join("currency"), errs);
        self.country.validate(&path.join("country"), errs);
        rules::notice_urls(self.notice_urls.as_ref(), path.join("noticeUrls"), errs);
        self.products.validate(&path.join("products"), errs);
        rules::product_count(self.product_count, path.join("productCount"), errs);
        self.shipping_address
            .validate(&path.join("shippingAddress"), errs);
        rules::bypass(self.bypass.as_ref(), path.join("bypass"), errs);
    }
}

/// `InstantPaymentMethodInput`: exactly one of `card` / `virtualAccount`.
///
/// The JSON shape is PortOne's object with one field (`{"card": {...}}` or
/// `{"virtualAccount": {...}}`). Deserializing an object with both or neither fails with a
/// message naming `method` and the rule; other keys are ignored.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum InstantPaymentMethodInput {
    /// Keyed-in card.
    Card(InstantPaymentMethodInputCard),
    /// Virtual account issue.
    VirtualAccount(InstantPaymentMethodInputVirtualAccount),
}

impl InstantPaymentMethodInput {
    /// Build from PortOne's two optional fields; both or neither is an error at `method`.
    pub fn from_parts(
        card: Option<InstantPaymentMethodInputCard>,
        virtual_account: Option<InstantPaymentMethodInputVirtualAccount>,
    ) -> Result<Self, ValidationError> {
        match (card, virtual_account) {
            (Some(c), None) => Ok(Self::Card(c)),
            (None, Some(v)) => Ok(Self::VirtualAccount(v)),
            (Some(_), Some(_)) => Err(ValidationError::new(
                "method",
                "must contain exactly one of card or virtualAccount, not both",
            )),
            (None, None) => Err(ValidationError::new(
                "method",
                "must contain exactly one of card or virtualAccount, found neither",
            )),
        }
    }

    /// The card, if this is a card payment.
    pub fn card(&self) -> Option<&InstantPaymentMethodInputCard> {
        match self {
            Self::Card(c) => Some(c),
            Self::VirtualAccount(_) => None,
        }
    }

    /// The virtual account, if this is a virtual-account payment.
    pub fn virtual_account(&self) -> Option<&InstantPaymentMethodInputVirtualAccount> {
        match self {
            Self::VirtualAccount(v) => Some(v),
            Self::Card(_) => None,
        }
    }
}

impl<'de> Deserialize<'de> for InstantPaymentMethodInput {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Raw {
            card: Option<InstantPaymentMethodInputCard>,
            virtual_account: Option<InstantPaymentMethodInputVirtualAccount>,
        }
        let raw = Raw::deserialize(d)?;
        Self::from_parts(raw.card, raw.virtual_account).map_err(serde::de::Error::custom)
    }
}

impl Validate for InstantPaymentMethodInput {
    fn validate(&self, path: &FieldPath, errs: &mut ValidationErrors) {
        match self {
            Self::Card(c) => c.validate(&path.join("card"), errs),
            Self::VirtualAccount(v) => v.validate(&path.join("virtualAccount"), errs),
        }
    }
}

/// `InstantPaymentMethodInputCard`: a keyed-in card.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InstantPaymentMethodInputCard {
    /// Card data.
    pub credential: CardCredential,
    /// Instalment months (0 = lump sum).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub installment_month: Option<i32>,
    /// Apply an interest-free instalment plan.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub use_free_installment_plan: Option<bool>,
    /// The merchant bears the interest of an interest-free plan.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub use_free_interest_from_merchant: Option<bool>,
    /// Pay with card points.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub use_card_point: Option<bool>,
}

impl Validate for InstantPaymentMethodInputCard {
    fn validate(&self, path: &FieldPath, errs: &mut ValidationErrors) {
        self.credential.validate(&path.join("credential"), errs);
        rules::installment_month(self.installment_month, path.join("installmentMonth"), errs);
    }
}

/// `CardCredential`: card number, expiry and the optional non-auth checks.
///
/// `Debug` shows the number masked to BIN + last four (`411111******1111`) and the birth date /
/// business number and password as `***`.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CardCredential {
    /// Card number, digits only.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub number: Secret<String>,
    /// Expiry year, two digits (`"28"`).
    pub expiry_year: String,
    /// Expiry month, two digits (`"06"`).
    pub expiry_month: String,
    /// Birth date `yyMMdd` or 10-digit business registration number.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub birth_or_business_registration_number: Option<Secret<String>>,
    /// First two digits of the card password.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub password_two_digits: Option<Secret<String>>,
}

impl fmt::Debug for CardCredential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CardCredential")
            .field("number", &self.number.masked_card())
            .field("expiry_year", &self.expiry_year)
            .field("expiry_month", &self.expiry_month)
            .field(
                "birth_or_business_registration_number",
                &self.birth_or_business_registration_number,
            )
            .field("password_two_digits", &self.password_two_digits)
            .finish()
    }
}

impl Validate for CardCredential {
    fn validate(&self, path: &FieldPath, errs: &mut ValidationErrors) {
        let number = self.number.expose();
        if !(13..=19).contains(&number.len()) || !rules::all_digits(number) {
            errs.add(path.join("number"), "must be 13 to 19 digits, digits only");
        }
        if self.expiry_year.len() != 2 || !rules::all_digits(&self.expiry_year) {
            errs.add(path.join("expiryYear"), "must be exactly 2 digits (YY)");
        }
        if !rules::is_two_digit_in(&self.expiry_month, 1, 12) {
            errs.add(
                path.join("expiryMonth"),
                "must be a 2-digit month from 01 to 12",
            );
        }
        if let Some(b) = &self.birth_or_business_registration_number {
            let b = b.expose();
            let ok = rules::is_yymmdd(b) || (b.len() == 10 && rules::all_digits(b));
            if !ok {
                errs.add(
                    path.join("birthOrBusinessRegistrationNumber"),
                    "must be a birth date as 6 digits yyMMdd or a 10-digit business registration number",
                );
            }
        }
        if let Some(p) = &self.password_two_digits {
            let p = p.expose();
            if p.len() != 2 || !rules::all_digits(p) {
                errs.add(path.join("passwordTwoDigits"), "must be exactly 2 digits");
            }
        }
    }
}

/// `InstantPaymentMethodInputVirtualAccount`: issue a virtual account.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InstantPaymentMethodInputVirtualAccount {
    /// Bank to issue at.
    pub bank: Bank,
    /// Deposit deadline.
    pub expiry: InstantPaymentMethodInputVirtualAccountExpiry,
    /// Rotating or fixed account.
    pub option: InstantPaymentMethodInputVirtualAccountOption,
    /// Cash receipt. PortOne's schema marks it required; it is optional here so a missing one
    /// is reported by [`Validate`] with its path instead of failing deserialization.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cash_receipt: Option<InstantPaymentMethodInputVirtualAccountCashReceiptInfo>,
    /// Account holder name shown to the payer (예금주명).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remittee_name: Option<String>,
}

impl Validate for InstantPaymentMethodInputVirtualAccount {
    fn validate(&self, path: &FieldPath, errs: &mut ValidationErrors) {
        self.bank.validate(&path.join("bank"), errs);
        self.expiry.validate(&path.join("expiry"), errs);
        self.option.validate(&path.join("option"), errs);
        match &self.cash_receipt {
            None => errs.add(path.join("cashReceipt"), "is required"),
            Some(c) => c.validate(&path.join("cashReceipt"), errs),
        }
        rules::opt_non_empty(self.remittee_name.as_ref(), path.join("remitteeName"), errs);
    }
}

/// `InstantPaymentMethodInputVirtualAccountExpiry`: exactly one of `validHours` / `dueDate`.
///
/// JSON: `{"validHours": 72}` or `{"dueDate": "2023-12-21T00:00:00+09:00"}` (RFC 3339).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum InstantPaymentMethodInputVirtualAccountExpiry {
    /// Hours from now.
    ValidHours(i32),
    /// Absolute deadline.
    DueDate(DateTime<FixedOffset>),
}

impl InstantPaymentMethodInputVirtualAccountExpiry {
    /// Build from PortOne's two optional fields; both or neither is an error.
    pub fn from_parts(
        valid_hours: Option<i32>,
        due_date: Option<DateTime<FixedOffset>>,
    ) -> Result<Self, ValidationError> {
        const AT: &str = "method.virtualAccount.expiry";
        match (valid_hours, due_date) {
            (Some(h), None) => Ok(Self::ValidHours(h)),
            (None, Some(d)) => Ok(Self::DueDate(d)),
            (Some(_), Some(_)) => Err(ValidationError::new(
                AT,
                "must contain exactly one of validHours or dueDate, not both",
            )),
            (None, None) => Err(ValidationError::new(
                AT,
                "must contain exactly one of validHours or dueDate, found neither",
            )),
        }
    }
}

impl<'de> Deserialize<'de> for InstantPaymentMethodInputVirtualAccountExpiry {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Raw {
            valid_hours: Option<i32>,
            due_date: Option<DateTime<FixedOffset>>,
        }
        let raw = Raw::deserialize(d)?;
        Self::from_parts(raw.valid_hours, raw.due_date).map_err(serde::de::Error::custom)
    }
}

impl Validate for InstantPaymentMethodInputVirtualAccountExpiry {
    fn validate(&self, path: &FieldPath, errs: &mut ValidationErrors) {
        if let Self::ValidHours(h) = self {
            if *h <= 0 {
                errs.add(path.join("validHours"), "must be greater than 0");
            }
        }
    }
}

/// `InstantPaymentMethodInputVirtualAccountOptionType`: `NORMAL` (rotating) or `FIXED`.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum VirtualAccountOptionType {
    /// Rotating account numbered by the PG (회전식).
    Normal,
    /// Fixed account (고정식).
    Fixed,
}

/// `InstantPaymentMethodInputVirtualAccountOption`: `{type, fixed?}`.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InstantPaymentMethodInputVirtualAccountOption {
    /// Issue type.
    pub r#type: VirtualAccountOptionType,
    /// Fixed-account details; only with `type: FIXED`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fixed: Option<InstantPaymentMethodInputVirtualAccountOptionFixed>,
}

impl Validate for InstantPaymentMethodInputVirtualAccountOption {
    fn validate(&self, path: &FieldPath, errs: &mut ValidationErrors) {
        let p = path.join("fixed");
        match (self.r#type, &self.fixed) {
            (VirtualAccountOptionType::Fixed, None) => {
                errs.add(p, "is required when type is FIXED");
            }
            (VirtualAccountOptionType::Normal, Some(_)) => {
                errs.add(p, "must only be given when type is FIXED");
            }
            (VirtualAccountOptionType::Fixed, Some(f)) => f.validate(&p, errs),
            (VirtualAccountOptionType::Normal, None) => {}
        }
    }
}

/// `InstantPaymentMethodInputVirtualAccountOptionFixed`: exactly one of `pgAccountId` /
/// `accountNumber`.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InstantPaymentMethodInputVirtualAccountOptionFixed {
    /// PG-side id mapped to a fixed account number.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pg_account_id: Option<String>,
    /// One of the account numbers the PG handed to the merchant.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account_number: Option<String>,
}

impl Validate for InstantPaymentMethodInputVirtualAccountOptionFixed {
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
            (Some(id), None) => rules::non_empty(id, path.join("pgAccountId"), errs),
            (None, Some(n)) => rules::non_empty(n, path.join("accountNumber"), errs),
        }
    }
}

/// `InstantPaymentMethodInputVirtualAccountCashReceiptInfo`: `{type, customerIdentityNumber}`.
///
/// PortOne marks `customerIdentityNumber` required; paymux accepts its absence for
/// `NO_RECEIPT` (as PortOne's `CashReceiptInput` documents) and requires it otherwise.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InstantPaymentMethodInputVirtualAccountCashReceiptInfo {
    /// Receipt type.
    pub r#type: CashReceiptInputType,
    /// Identity number the receipt is issued to.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub customer_identity_number: Option<Secret<String>>,
}

impl Validate for InstantPaymentMethodInputVirtualAccountCashReceiptInfo {
    fn validate(&self, path: &FieldPath, errs: &mut ValidationErrors) {
        cash_receipt_identity(
            self.r#type,
            self.customer_identity_number.as_ref(),
            path,
            errs,
        );
    }
}
