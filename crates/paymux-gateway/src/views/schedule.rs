//! PortOne `PaymentSchedule`.

use paymux_core::model::{BillingKeyPaymentInput, PaymentProduct};
use paymux_core::money::{Currency, Money};
use serde::Serialize;

use super::party::Customer;
use super::time;
use crate::store::schedules::ScheduleRow;

/// PortOne `PaymentSchedule`. The payment's fields come from the stored request as it was
/// given.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PaymentSchedule {
    /// Status.
    #[schema(value_type = crate::domain::ScheduleStatus)]
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
    pub order_name: String,
    /// Cultural expense (no).
    pub is_cultural_expense: bool,
    /// Escrow (no).
    pub is_escrow: bool,
    /// PortOne `Customer` (no birth date).
    pub customer: Customer,
    /// customData (`""` when none).
    pub custom_data: String,
    /// Total.
    pub total_amount: Money,
    /// Tax-free part.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub tax_free_amount: Option<Money>,
    /// VAT.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub vat_amount: Option<Money>,
    /// Currency.
    pub currency: Currency,
    /// Installment months.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub installment_month: Option<i32>,
    /// noticeUrls.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub notice_urls: Option<Vec<String>>,
    /// Products.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub products: Option<Vec<PaymentProduct>>,
    /// Created at.
    pub created_at: String,
    /// When to pay.
    pub time_to_pay: String,
    /// Started at.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub started_at: Option<String>,
    /// Completed at.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub completed_at: Option<String>,
    /// Revoked at.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub revoked_at: Option<String>,
}

impl PaymentSchedule {
    /// The view of a stored schedule: the payment's fields from its stored request
    /// (`payment_json`, a `BillingKeyPaymentInput` as `POST .../schedule` accepted it).
    /// `None` if that request cannot be read (none is stored so).
    pub fn of(s: &ScheduleRow, merchant_id: &str) -> Option<PaymentSchedule> {
        let p: BillingKeyPaymentInput = serde_json::from_str(&s.payment_json).ok()?;
        Some(PaymentSchedule {
            status: s.status.as_str(),
            id: s.id.clone(),
            merchant_id: merchant_id.to_string(),
            store_id: s.store_id.clone(),
            payment_id: s.payment_id.clone(),
            billing_key: s.billing_key.clone(),
            order_name: p.order_name,
            is_cultural_expense: false,
            is_escrow: false,
            customer: Customer::of(p.customer.as_ref()),
            custom_data: p.custom_data.unwrap_or_default(),
            total_amount: p.amount.total,
            tax_free_amount: p.amount.tax_free,
            vat_amount: p.amount.vat,
            currency: p.currency,
            installment_month: p.installment_month,
            notice_urls: p.notice_urls,
            products: p.products,
            created_at: time(s.created_at),
            time_to_pay: time(s.time_to_pay),
            started_at: s.started_at.map(time),
            completed_at: s.completed_at.map(time),
            revoked_at: s.revoked_at.map(time),
        })
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{json, Value};

    use super::*;
    use crate::domain::ScheduleStatus;

    /// The payment's fields show exactly as the stored request gave them (they used to be
    /// copied from it as JSON values).
    #[test]
    fn the_stored_request_shows_byte_for_byte() {
        let payment = json!({
            "billingKey": "bk",
            "orderName": "월간 이용권",
            "customer": {"id": "c1", "name": {"full": "홍길동"}, "birthYear": "1990",
                         "email": "a@b.c"},
            "customData": "{\"plan\":1}",
            "amount": {"total": 1100, "taxFree": 100, "vat": 91},
            "currency": "KRW",
            "installmentMonth": 3,
            "noticeUrls": ["https://shop.example/hook"],
            "products": [{"id": "p1", "name": "P", "amount": 1100, "quantity": 1}]
        });
        let s = ScheduleRow {
            id: "sch".into(),
            payment_id: "p1".into(),
            billing_key: "bk".into(),
            store_id: "s".into(),
            status: ScheduleStatus::Scheduled,
            time_to_pay: 0,
            payment_json: payment.to_string(),
            created_at: 0,
            started_at: None,
            completed_at: None,
            revoked_at: None,
        };
        let v = crate::views::render(&PaymentSchedule::of(&s, "m"));
        for (field, want) in [
            ("orderName", payment["orderName"].clone()),
            ("customData", payment["customData"].clone()),
            ("totalAmount", payment["amount"]["total"].clone()),
            ("taxFreeAmount", payment["amount"]["taxFree"].clone()),
            ("vatAmount", payment["amount"]["vat"].clone()),
            ("currency", payment["currency"].clone()),
            ("installmentMonth", payment["installmentMonth"].clone()),
            ("noticeUrls", payment["noticeUrls"].clone()),
            ("products", payment["products"].clone()),
            (
                "customer",
                json!({"id": "c1", "name": "홍길동", "email": "a@b.c"}),
            ),
        ] {
            assert_eq!(v[field].to_string(), want.to_string(), "{field}");
        }
        // Absent parts stay absent; customData defaults to "".
        let bare = json!({"billingKey": "bk", "orderName": "o", "amount": {"total": 5},
                          "currency": "KRW"});
        let v = crate::views::render(&PaymentSchedule::of(
            &ScheduleRow {
                payment_json: bare.to_string(),
                ..s
            },
            "m",
        ));
        assert_eq!(v["customData"], "");
        assert_eq!(v["customer"], json!({}));
        for absent in [
            "taxFreeAmount",
            "vatAmount",
            "installmentMonth",
            "noticeUrls",
            "products",
        ] {
            assert!(v.get(absent).is_none(), "{absent}");
        }
        assert_eq!(v["totalAmount"], Value::from(5));
    }
}
