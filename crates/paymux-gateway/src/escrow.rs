//! PortOne's escrow operations — `applyEscrowLogistics` (`POST /payments/{paymentId}/escrow/logistics`,
//! 배송 정보 등록), `modifyEscrowLogistics` (`PATCH` the same path, 수정) and `confirmEscrow`
//! (`POST /payments/{paymentId}/escrow/complete`, 구매 확정) — and `registerStoreReceipt`
//! (`POST /payments/{paymentId}/register-store-receipt`, 영수증 내 하위 상점 거래 등록).
//!
//! Each is a call at the payment's PG. The request is checked as PortOne defines it (errors
//! name the field), then the payment (`404 PAYMENT_NOT_FOUND`, `409 PAYMENT_NOT_PAID`), then
//! the PG: no adapter linked into paymux has a public wire format for these calls (see
//! docs/API.md), so every PG answers PortOne's `502 PG_PROVIDER` naming itself, with nothing
//! sent — never a success the PG did not give.

use chrono::{DateTime, FixedOffset};
use paymux_core::model::{PaymentProduct, SeparatedAddressInput, Validate};
use paymux_core::validation::{FieldPath, ValidationErrors};
use serde::Deserialize;
use serde_json::Value;

use crate::domain::PaymentStatus;
use crate::error::ApiError;
use crate::state::AppState;
use crate::store;
use crate::virtual_account::pg_name;

/// PortOne's `PaymentLogisticsCompany` values.
pub const LOGISTICS_COMPANIES: &[&str] = &[
    "LOTTE",
    "LOGEN",
    "DONGWON",
    "POST",
    "CJ",
    "HANJIN",
    "DAESIN",
    "ILYANG",
    "KYUNGDONG",
    "CHUNIL",
    "POST_REGISTERED",
    "GS",
    "WOORI",
    "HAPDONG",
    "FEDEX",
    "UPS",
    "GSM_NTON",
    "SUNGWON",
    "LX_PANTOS",
    "ACI",
    "CJ_INTL",
    "USPS",
    "EMS",
    "DHL",
    "KGL",
    "GOODSTOLUCK",
    "KUNYOUNG",
    "SLX",
    "SF",
    "ETC",
];

/// PortOne `RegisterEscrowLogisticsBody` (`POST`) and `ModifyEscrowLogisticsBody` (`PATCH`):
/// the two have the same fields.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schema(as = RegisterEscrowLogisticsBody)]
pub struct EscrowLogisticsBody {
    /// storeId.
    pub store_id: Option<String>,
    /// `PaymentEscrowSenderInput`.
    pub sender: Option<EscrowSender>,
    /// `PaymentEscrowReceiverInput`.
    pub receiver: Option<EscrowReceiver>,
    /// `PaymentLogistics`.
    pub logistics: PaymentLogistics,
    /// Whether the PG e-mails the buyer at the purchase confirmation (accepted as PortOne
    /// defines it; read by no PG call yet).
    #[allow(dead_code)]
    pub send_email: Option<bool>,
    /// The goods shipped.
    pub products: Option<Vec<PaymentProduct>>,
}

/// PortOne `PaymentEscrowSenderInput`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schema(as = PaymentEscrowSenderInput)]
pub struct EscrowSender {
    /// Name.
    pub name: Option<String>,
    /// Phone number.
    pub phone_number: Option<String>,
    /// Postal code.
    pub zipcode: Option<String>,
    /// Relationship to the receiver.
    pub relationship: Option<String>,
    /// Address.
    pub address: Option<SeparatedAddressInput>,
}

/// PortOne `PaymentEscrowReceiverInput`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schema(as = PaymentEscrowReceiverInput)]
pub struct EscrowReceiver {
    /// Name.
    pub name: Option<String>,
    /// Phone number.
    pub phone_number: Option<String>,
    /// Postal code.
    pub zipcode: Option<String>,
    /// Address.
    pub address: Option<SeparatedAddressInput>,
}

/// PortOne `PaymentLogisticsCompany`: the schema of `PaymentLogistics.company`, a string
/// checked against [`LOGISTICS_COMPANIES`] (the 400 names the field).
pub struct LogisticsCompany;

impl utoipa::PartialSchema for LogisticsCompany {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::schema::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .enum_values(Some(LOGISTICS_COMPANIES.iter().copied()))
            .into()
    }
}

impl utoipa::ToSchema for LogisticsCompany {
    fn name() -> std::borrow::Cow<'static, str> {
        "PaymentLogisticsCompany".into()
    }
}

/// PortOne `PaymentLogistics`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PaymentLogistics {
    /// `PaymentLogisticsCompany`: one of [`LOGISTICS_COMPANIES`].
    #[schema(value_type = LogisticsCompany)]
    pub company: String,
    /// Invoice (tracking) number.
    pub invoice_number: String,
    /// When it was sent (RFC 3339).
    pub sent_at: DateTime<FixedOffset>,
    /// When it was received (RFC 3339).
    pub received_at: Option<DateTime<FixedOffset>>,
    /// Address.
    pub address: Option<SeparatedAddressInput>,
}

/// PortOne `ConfirmEscrowBody`.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ConfirmEscrowBody {
    /// storeId.
    pub store_id: Option<String>,
    /// Whether the store (not the buyer) confirms (NaverPay only; read by no PG call).
    #[allow(dead_code)]
    pub from_store: Option<bool>,
}

/// PortOne `RegisterStoreReceiptBody`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RegisterStoreReceiptBody {
    /// The sub-stores' transactions to show on the sales slip.
    pub items: Vec<StoreReceiptItem>,
    /// storeId.
    pub store_id: Option<String>,
}

/// PortOne `RegisterStoreReceiptBodyItem`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schema(as = RegisterStoreReceiptBodyItem)]
pub struct StoreReceiptItem {
    /// The sub-store's business registration number (10 digits).
    pub store_business_registration_number: String,
    /// The sub-store's name.
    pub store_name: String,
    /// Total.
    pub total_amount: i64,
    /// Tax-free part.
    pub tax_free_amount: Option<i64>,
    /// VAT.
    pub vat_amount: Option<i64>,
    /// Supply value.
    pub supply_amount: Option<i64>,
    /// Currency (ISO 4217).
    pub currency: String,
}

fn not_blank(v: Option<&String>, path: &str, errs: &mut ValidationErrors) {
    if v.is_some_and(|s| s.trim().is_empty()) {
        errs.add(path, "must not be empty when given");
    }
}

impl EscrowLogisticsBody {
    fn validate(&self) -> Result<(), ApiError> {
        let mut errs = ValidationErrors::default();
        not_blank(self.store_id.as_ref(), "storeId", &mut errs);
        if let Some(s) = &self.sender {
            for (name, v) in [
                ("name", &s.name),
                ("phoneNumber", &s.phone_number),
                ("zipcode", &s.zipcode),
                ("relationship", &s.relationship),
            ] {
                not_blank(v.as_ref(), &format!("sender.{name}"), &mut errs);
            }
            s.address
                .validate(&FieldPath::root("sender.address"), &mut errs);
        }
        if let Some(r) = &self.receiver {
            for (name, v) in [
                ("name", &r.name),
                ("phoneNumber", &r.phone_number),
                ("zipcode", &r.zipcode),
            ] {
                not_blank(v.as_ref(), &format!("receiver.{name}"), &mut errs);
            }
            r.address
                .validate(&FieldPath::root("receiver.address"), &mut errs);
        }
        let l = &self.logistics;
        if !LOGISTICS_COMPANIES.contains(&l.company.as_str()) {
            errs.add(
                "logistics.company",
                "must be one of PortOne's PaymentLogisticsCompany values (CJ, HANJIN, POST, …, ETC)",
            );
        }
        if l.invoice_number.trim().is_empty() {
            errs.add("logistics.invoiceNumber", "must not be empty");
        }
        if l.received_at.is_some_and(|r| r < l.sent_at) {
            errs.add(
                "logistics.receivedAt",
                "must not be before logistics.sentAt",
            );
        }
        l.address
            .validate(&FieldPath::root("logistics.address"), &mut errs);
        if let Some(products) = &self.products {
            for (i, p) in products.iter().enumerate() {
                p.validate(&FieldPath::root(&format!("products[{i}]")), &mut errs);
            }
        }
        errs.into_result().map_err(|e| ApiError::validation(&e))
    }
}

impl RegisterStoreReceiptBody {
    fn validate(&self) -> Result<(), ApiError> {
        let mut errs = ValidationErrors::default();
        not_blank(self.store_id.as_ref(), "storeId", &mut errs);
        if self.items.is_empty() {
            errs.add("items", "must list at least one sub-store transaction");
        }
        for (i, it) in self.items.iter().enumerate() {
            let at = |f: &str| format!("items[{i}].{f}");
            let brn = &it.store_business_registration_number;
            if brn.len() != 10 || !brn.bytes().all(|b| b.is_ascii_digit()) {
                errs.add(
                    at("storeBusinessRegistrationNumber").as_str(),
                    "must be 10 digits",
                );
            }
            if it.store_name.trim().is_empty() {
                errs.add(at("storeName").as_str(), "must not be empty");
            }
            if it.total_amount < 1 {
                errs.add(at("totalAmount").as_str(), "must be at least 1");
            }
            for (f, v) in [
                ("taxFreeAmount", it.tax_free_amount),
                ("vatAmount", it.vat_amount),
                ("supplyAmount", it.supply_amount),
            ] {
                match v {
                    Some(v) if v < 0 => errs.add(at(f).as_str(), "must not be negative"),
                    Some(v) if v > it.total_amount => {
                        errs.add(at(f).as_str(), "must not exceed totalAmount")
                    }
                    _ => {}
                }
            }
            let c = &it.currency;
            if c.len() != 3 || !c.bytes().all(|b| b.is_ascii_uppercase()) {
                errs.add(
                    at("currency").as_str(),
                    "must be a three-letter ISO 4217 code (KRW, USD …)",
                );
            }
        }
        errs.into_result().map_err(|e| ApiError::validation(&e))
    }
}

/// `POST /payments/{paymentId}/escrow/logistics`.
pub async fn apply_logistics(
    st: &AppState,
    payment_id: &str,
    body: EscrowLogisticsBody,
) -> Result<Value, ApiError> {
    body.validate()?;
    at_the_pg(
        st,
        payment_id,
        body.store_id.as_deref(),
        "escrow delivery registration (에스크로 배송 정보 등록)",
    )
    .await
}

/// `PATCH /payments/{paymentId}/escrow/logistics`.
pub async fn modify_logistics(
    st: &AppState,
    payment_id: &str,
    body: EscrowLogisticsBody,
) -> Result<Value, ApiError> {
    body.validate()?;
    at_the_pg(
        st,
        payment_id,
        body.store_id.as_deref(),
        "escrow delivery changes (에스크로 배송 정보 수정)",
    )
    .await
}

/// `POST /payments/{paymentId}/escrow/complete`.
pub async fn confirm(
    st: &AppState,
    payment_id: &str,
    body: ConfirmEscrowBody,
) -> Result<Value, ApiError> {
    let mut errs = ValidationErrors::default();
    not_blank(body.store_id.as_ref(), "storeId", &mut errs);
    errs.into_result().map_err(|e| ApiError::validation(&e))?;
    at_the_pg(
        st,
        payment_id,
        body.store_id.as_deref(),
        "escrow purchase confirmation (에스크로 구매 확정)",
    )
    .await
}

/// `POST /payments/{paymentId}/register-store-receipt`.
pub async fn register_store_receipt(
    st: &AppState,
    payment_id: &str,
    body: RegisterStoreReceiptBody,
) -> Result<Value, ApiError> {
    body.validate()?;
    at_the_pg(
        st,
        payment_id,
        body.store_id.as_deref(),
        "sub-store transactions on the receipt (영수증 내 하위 상점 거래 등록)",
    )
    .await
}

/// The payment (`404`, `409 PAYMENT_NOT_PAID`), then its PG: none offers `what` through paymux.
async fn at_the_pg(
    st: &AppState,
    payment_id: &str,
    store_id: Option<&str>,
    what: &str,
) -> Result<Value, ApiError> {
    if payment_id.trim().is_empty() || payment_id.len() > 256 {
        return Err(ApiError::invalid("paymentId: must be 1 to 256 bytes"));
    }
    let Some(p) = store::payments::load(&st.db, payment_id)
        .await?
        .filter(|p| store_id.map_or(true, |s| s == p.store_id))
    else {
        return Err(ApiError::not_found(
            "PAYMENT_NOT_FOUND",
            format!("no payment `{payment_id}`"),
        ));
    };
    if !matches!(
        p.status,
        PaymentStatus::Paid | PaymentStatus::PartialCancelled
    ) {
        return Err(ApiError::conflict(
            "PAYMENT_NOT_PAID",
            format!("payment `{payment_id}` is {}, not paid", p.status),
        ));
    }
    let pg = match p.channel_key.as_deref().and_then(|k| st.channels.get(k)) {
        Some(channel) => pg_name(channel),
        None => "the payment's PG (its channel is no longer configured)".to_string(),
    };
    Err(ApiError::pg_unsupported(&pg, what))
}
