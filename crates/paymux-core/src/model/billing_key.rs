//! Billing keys: issue (`POST /billing-keys`), pay (`POST /payments/{id}/billing-key`),
//! schedule (`POST /payments/{id}/schedule`) and revoke schedules (`DELETE /payment-schedules`).

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};

use super::common::{
    CashReceiptInput, Country, CustomerInput, Locale, PaymentProduct, ProductType,
    SeparatedAddressInput,
};
use super::payment::CardCredential;
use super::validate::{self as rules, Validate};
use crate::money::{Currency, PaymentAmountInput};
use crate::validation::{FieldPath, ValidationErrors};

/// `IssueBillingKeyBody`: body of `POST /billing-keys`.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IssueBillingKeyBody {
    /// Store id (defaults to the token's store).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub store_id: Option<String>,
    /// Card to issue the key for.
    pub method: InstantBillingKeyPaymentMethodInput,
    /// Channel key; exactly one of this and `channelGroupId`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub channel_key: Option<String>,
    /// Channel group id (issues a super billing key on every active channel of the group).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub channel_group_id: Option<String>,
    /// Customer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub customer: Option<CustomerInput>,
    /// Merchant data (a string).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub custom_data: Option<String>,
    /// Per-PG extra parameters, keyed by PG.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub bypass: Option<serde_json::Value>,
    /// Webhook URLs overriding the store's.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notice_urls: Option<Vec<String>>,
    /// Do not send webhooks for this request.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub skip_webhook: Option<bool>,
}

impl Validate for IssueBillingKeyBody {
    fn validate(&self, path: &FieldPath, errs: &mut ValidationErrors) {
        rules::opt_non_empty(self.store_id.as_ref(), path.join("storeId"), errs);
        self.method.validate(&path.join("method"), errs);
        rules::exactly_one_channel(
            self.channel_key.as_ref(),
            self.channel_group_id.as_ref(),
            path,
            errs,
        );
        self.customer.validate(&path.join("customer"), errs);
        rules::bypass(self.bypass.as_ref(), path.join("bypass"), errs);
        rules::notice_urls(self.notice_urls.as_ref(), path.join("noticeUrls"), errs);
    }
}

/// `InstantBillingKeyPaymentMethodInput`: `{card?}` — PortOne: "`card`를 반드시 입력해 주세요".
///
/// Kept as PortOne's object with an optional field so a future method deserializes;
/// [`Validate`] requires `card`.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InstantBillingKeyPaymentMethodInput {
    /// The card.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub card: Option<InstantBillingKeyPaymentMethodInputCard>,
}

impl Validate for InstantBillingKeyPaymentMethodInput {
    fn validate(&self, path: &FieldPath, errs: &mut ValidationErrors) {
        match &self.card {
            None => errs.add(path.join("card"), "is required"),
            Some(c) => c
                .credential
                .validate(&path.join("card").join("credential"), errs),
        }
    }
}

/// `InstantBillingKeyPaymentMethodInputCard`: `{credential}`.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InstantBillingKeyPaymentMethodInputCard {
    /// Card data.
    pub credential: CardCredential,
}

/// `BillingKeyPaymentInput`: body of `POST /payments/{paymentId}/billing-key`.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BillingKeyPaymentInput {
    /// Store id (defaults to the token's store).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub store_id: Option<String>,
    /// The PortOne billing key (an opaque id, not card data).
    pub billing_key: String,
    /// Channel to pay on, for a key issued on several channels (super billing key).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub channel_key: Option<String>,
    /// Order name.
    pub order_name: String,
    /// Customer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub customer: Option<CustomerInput>,
    /// Merchant data (a string).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub custom_data: Option<String>,
    /// Amount breakdown.
    pub amount: PaymentAmountInput,
    /// Currency.
    pub currency: Currency,
    /// Instalment months (0 = lump sum).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub installment_month: Option<i32>,
    /// The merchant bears the interest of an interest-free plan.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub use_free_interest_from_merchant: Option<bool>,
    /// Pay with card points.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub use_card_point: Option<bool>,
    /// Cash receipt.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cash_receipt: Option<CashReceiptInput>,
    /// Country of the payment.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub country: Option<Country>,
    /// Webhook URLs overriding the store's.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notice_urls: Option<Vec<String>>,
    /// Order lines.
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
    /// UI / receipt language (Eximbay requires it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub locale: Option<Locale>,
    /// Per-PG extra parameters, keyed by PG.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub bypass: Option<serde_json::Value>,
    /// Do not send webhooks for this request.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub skip_webhook: Option<bool>,
}

impl Validate for BillingKeyPaymentInput {
    fn validate(&self, path: &FieldPath, errs: &mut ValidationErrors) {
        rules::opt_non_empty(self.store_id.as_ref(), path.join("storeId"), errs);
        rules::non_empty(&self.billing_key, path.join("billingKey"), errs);
        rules::opt_non_empty(self.channel_key.as_ref(), path.join("channelKey"), errs);
        rules::non_empty(&self.order_name, path.join("orderName"), errs);
        self.customer.validate(&path.join("customer"), errs);
        errs.absorb(self.amount.resolve(&path.join("amount")));
        rules::currency(&self.currency, path.join("currency"), errs);
        rules::installment_month(self.installment_month, path.join("installmentMonth"), errs);
        self.cash_receipt.validate(&path.join("cashReceipt"), errs);
        self.country.validate(&path.join("country"), errs);
        rules::notice_urls(self.notice_urls.as_ref(), path.join("noticeUrls"), errs);
        self.products.validate(&path.join("products"), errs);
        rules::product_count(self.product_count, path.join("productCount"), errs);
        self.shipping_address
            .validate(&path.join("shippingAddress"), errs);
        rules::bypass(self.bypass.as_ref(), path.join("bypass"), errs);
    }
}

/// `BillingKeyPaymentScheduleInput`: the `payment` of a schedule.
///
/// PortOne's current schema uses the billing-key payment input here (older revisions named a
/// separate schema with the same fields minus `skipWebhook`), so this is the same type.
pub type BillingKeyPaymentScheduleInput = BillingKeyPaymentInput;

/// `CreatePaymentScheduleBody`: body of `POST /payments/{paymentId}/schedule`.
///
/// `timeToPay` is required by the type: a body without it fails to deserialize with
/// "missing field `timeToPay`".
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreatePaymentScheduleBody {
    /// The payment to make.
    pub payment: BillingKeyPaymentScheduleInput,
    /// When to pay (RFC 3339).
    pub time_to_pay: DateTime<FixedOffset>,
}

impl Validate for CreatePaymentScheduleBody {
    fn validate(&self, path: &FieldPath, errs: &mut ValidationErrors) {
        self.payment.validate(&path.join("payment"), errs);
    }
}

/// `RevokePaymentSchedulesBody`: body of `DELETE /payment-schedules` — at least one of
/// `billingKey` / `scheduleIds`.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RevokePaymentSchedulesBody {
    /// Store id (defaults to the token's store).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub store_id: Option<String>,
    /// Revoke every schedule of this billing key.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub billing_key: Option<String>,
    /// Revoke these schedules.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub schedule_ids: Option<Vec<String>>,
}

impl Validate for RevokePaymentSchedulesBody {
    fn validate(&self, path: &FieldPath, errs: &mut ValidationErrors) {
        rules::opt_non_empty(self.store_id.as_ref(), path.join("storeId"), errs);
        rules::opt_non_empty(self.billing_key.as_ref(), path.join("billingKey"), errs);
        let ids = self.schedule_ids.as_deref().unwrap_or_default();
        if self.billing_key.is_none() && ids.is_empty() {
            errs.add(
                path.join("scheduleIds"),
                "is required (non-empty) unless billingKey is given",
            );
        }
        for (i, id) in ids.iter().enumerate() {
            rules::non_empty(id, path.join("scheduleIds").index(i), errs);
        }
    }
}
