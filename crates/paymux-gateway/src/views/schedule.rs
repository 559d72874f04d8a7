//! PortOne `PaymentSchedule`.

use serde::Serialize;
use serde_json::Value;

use super::time;
use crate::store::schedules::ScheduleRow;

/// PortOne `PaymentSchedule`. The payment's fields come from the stored request as it was
/// given.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PaymentSchedule {
    /// Status.
    pub status: &'static str,
    /// Schedule id.
    pub id: String,
    /// merchantId.
    pub merchant_id: String,
    /// storeId.
    pub store_id: String,
    /// The payment it makes.
    pub payment_id: String,
    /// The billing key it charges.
    pub billing_key: String,
    /// Order name.
    pub order_name: Value,
    /// Cultural expense (no).
    pub is_cultural_expense: bool,
    /// Escrow (no).
    pub is_escrow: bool,
    /// PortOne `Customer` (no birth date).
    pub customer: Value,
    /// customData (`""` when none).
    pub custom_data: Value,
    /// Total.
    pub total_amount: Value,
    /// Tax-free part.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tax_free_amount: Option<Value>,
    /// VAT.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vat_amount: Option<Value>,
    /// Currency.
    pub currency: Value,
    /// Installment months.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub installment_month: Option<Value>,
    /// noticeUrls.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notice_urls: Option<Value>,
    /// Products.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub products: Option<Value>,
    /// Created at.
    pub created_at: String,
    /// When to pay.
    pub time_to_pay: String,
    /// Started at.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub started_at: Option<String>,
    /// Completed at.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub completed_at: Option<String>,
    /// Revoked at.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revoked_at: Option<String>,
}

impl PaymentSchedule {
    /// The view of a stored schedule.
    pub fn of(s: &ScheduleRow, merchant_id: &str) -> PaymentSchedule {
        let p: Value = serde_json::from_str(&s.payment_json).unwrap_or(Value::Null);
        let present = |v: &Value| Some(v.clone()).filter(|v| !v.is_null());
        let customer: Option<paymux_core::model::CustomerInput> =
            serde_json::from_value(p["customer"].clone()).ok();
        PaymentSchedule {
            status: s.status.as_str(),
            id: s.id.clone(),
            merchant_id: merchant_id.to_string(),
            store_id: s.store_id.clone(),
            payment_id: s.payment_id.clone(),
            billing_key: s.billing_key.clone(),
            order_name: p["orderName"].clone(),
            is_cultural_expense: false,
            is_escrow: false,
            customer: crate::views::customer_json(customer.as_ref()),
            custom_data: present(&p["customData"]).unwrap_or_else(|| Value::from("")),
            total_amount: p["amount"]["total"].clone(),
            tax_free_amount: present(&p["amount"]["taxFree"]),
            vat_amount: present(&p["amount"]["vat"]),
            currency: p["currency"].clone(),
            installment_month: present(&p["installmentMonth"]),
            notice_urls: present(&p["noticeUrls"]),
            products: present(&p["products"]),
            created_at: time(s.created_at),
            time_to_pay: time(s.time_to_pay),
            started_at: s.started_at.map(time),
            completed_at: s.completed_at.map(time),
            revoked_at: s.revoked_at.map(time),
        }
    }
}
