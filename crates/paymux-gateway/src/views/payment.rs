//! PortOne `Payment` (the variants by status share one shape; the fields of each status are
//! present only for it).

use serde::Serialize;
use serde_json::{Map, Value};

use paymux_core::model::{Country, PaymentProduct};
use paymux_routing::{ChannelGroupSummary, SelectedChannel};
use serde::Deserialize;

use super::cancellation::Cancellation;
use super::cash_receipt::PaymentCashReceipt;
use super::party::{Customer, Origin};
use super::payment_method::Method;
use super::payment_webhook::PaymentWebhook;
use super::{json_column, stored, time, Empty};
use crate::domain::{Failure, PaymentStatus};
use crate::store::cancellations::CancellationRow;
use crate::store::payments::PaymentRow;

/// PortOne `Payment`.
///
/// PortOne's `Payment` is a union discriminated on `status` (`READY`, `PAY_PENDING`,
/// `VIRTUAL_ACCOUNT_ISSUED`, `PAID`, `FAILED`, `PARTIAL_CANCELLED`, `CANCELLED`); paymux shows
/// every status with this one shape, each status's fields present only for it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Payment {
    /// Status: `READY`, `PAY_PENDING`, `VIRTUAL_ACCOUNT_ISSUED`, `PAID`, `FAILED`,
    /// `PARTIAL_CANCELLED` or `CANCELLED`.
    #[schema(value_type = crate::domain::PaymentStatus)]
    pub status: &'static str,
    /// paymentId.
    pub id: String,
    /// The current attempt. Always present in a `Payment`; absent only inside a
    /// [`PaymentTransaction`], whose `id` it is.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(required = true)]
    #[schema(nullable = false)]
    pub transaction_id: Option<String>,
    /// merchantId.
    pub merchant_id: String,
    /// storeId.
    pub store_id: String,
    /// PortOne `PaymentMethod` (masked).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<crate::domain::PaymentMethod>)]
    #[schema(nullable = false)]
    pub method: Option<Method>,
    /// `SelectedChannel`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub channel: Option<SelectedChannel>,
    /// `{id, name, isForTest}` of the group it was routed through.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub channel_group: Option<ChannelGroupSummary>,
    /// `V2`.
    #[schema(value_type = crate::list::VersionInput)]
    pub version: &'static str,
    /// The schedule that made it.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub schedule_id: Option<String>,
    /// The billing key it charged.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub billing_key: Option<String>,
    /// Requested at.
    pub requested_at: String,
    /// Updated at.
    pub updated_at: String,
    /// Status changed at.
    pub status_changed_at: String,
    /// Order name.
    pub order_name: String,
    /// Amounts.
    pub amount: Amount,
    /// Currency.
    pub currency: String,
    /// PortOne `Customer` (`{}` when none).
    pub customer: Customer,
    /// The other order fields as the request gave them (`products`, `country`, `origin`,
    /// `routing` …).
    #[serde(flatten)]
    pub order: OrderFields,
    /// customData.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub custom_data: Option<String>,
    /// Paid at (paid and cancelled payments; `null` when unknown).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub paid_at: Option<Option<String>>,
    /// The PG's transaction id.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub pg_tx_id: Option<String>,
    /// The PG's receipt page (paid and cancelled payments, when the PG gave one).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub receipt_url: Option<String>,
    /// Disputes (paid payments). paymux records none: always `[]`, so its elements stay
    /// free-form values.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Vec<Object>>)]
    #[schema(nullable = false)]
    pub disputes: Option<Vec<Value>>,
    /// Cancelled at (cancelled payments).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cancelled_at: Option<Option<String>>,
    /// Failed at (failed payments; `null` when unknown).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failed_at: Option<Option<String>>,
    /// Why it failed (failed payments).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub failure: Option<FailureView>,
    /// Cancellations (when there are any, or the payment is cancelled).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub cancellations: Option<Vec<Cancellation>>,
    /// Every webhook delivery about the payment, oldest first (`GET /payments/{paymentId}`
    /// only; absent when none).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub webhooks: Option<Vec<PaymentWebhook>>,
    /// The payment's issued or cancelled cash receipt (`GET /payments/{paymentId}` only;
    /// absent when none).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub cash_receipt: Option<PaymentCashReceipt>,
}

/// The order fields of a payment as its request gave them (the `extra_json` column),
/// flattened into [`Payment`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct OrderFields {
    /// Order lines.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub products: Option<Vec<PaymentProduct>>,
    /// Number of products.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub product_count: Option<i32>,
    /// PortOne promotion id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub promotion_id: Option<String>,
    /// Cultural expense (문화비) flag.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub is_cultural_expense: Option<bool>,
    /// Country (ISO 3166-1 alpha-2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub country: Option<Country>,
    /// Where the payment was requested from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub origin: Option<Origin>,
    /// paymux extension: the channels of the group whose rules refused the payment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub routing: Option<RoutingNote>,
    /// Any other field a stored row carries, shown as stored (none is written today); kept
    /// as values because nothing defines them.
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

/// paymux extension `Payment.routing`: `{"refused": [{channelKey, rule}]}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RoutingNote {
    /// The channels whose rules refused the payment, in group order.
    pub refused: Vec<RefusedChannel>,
}

/// One channel in [`RoutingNote::refused`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RefusedChannel {
    /// The channel.
    pub channel_key: String,
    /// The rule that refused it, in words.
    pub rule: String,
}

impl OrderFields {
    /// The fields of a stored object, typed; all kept as values if they do not read as their
    /// types (the bytes shown are the bytes stored either way).
    fn of(map: Map<String, Value>) -> OrderFields {
        serde_json::from_value(Value::Object(map.clone())).unwrap_or(OrderFields {
            other: map,
            ..OrderFields::default()
        })
    }
}

/// PortOne `PaymentAmount`.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = PaymentAmount)]
#[serde(rename_all = "camelCase")]
pub struct Amount {
    /// Total.
    pub total: i64,
    /// Tax-free part.
    pub tax_free: i64,
    /// VAT.
    pub vat: i64,
    /// Supply value.
    pub supply: i64,
    /// Discount (none).
    pub discount: i64,
    /// Paid (the total once paid).
    pub paid: i64,
    /// Cancelled so far.
    pub cancelled: i64,
    /// Tax-free cancelled so far.
    pub cancelled_tax_free: i64,
}

/// A failed payment's `failure` (`{}` when the reason was not recorded): PortOne
/// `PaymentFailure`.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = PaymentFailure)]
#[serde(untagged)]
pub enum FailureView {
    /// The recorded failure.
    Known(Failure),
    /// Nothing recorded.
    Unknown(Empty),
}

/// Order fields kept out of the view (`productType` is for the PG only).
const HIDDEN_ORDER_FIELDS: &[&str] = &["productType"];

impl Payment {
    /// The view of a stored payment and its cancellations.
    pub fn of(p: &PaymentRow, cancels: &[CancellationRow], merchant_id: &str) -> Payment {
        let mut order = Map::new();
        if let Some(Value::Object(extra)) = json_column(p.extra_json.as_deref()) {
            for (k, v) in extra {
                if !HIDDEN_ORDER_FIELDS.contains(&k.as_str()) && !v.is_null() {
                    order.insert(k, v);
                }
            }
        }
        order
            .entry("origin")
            .or_insert_with(|| serde_json::json!({"platformType": "API", "ipAddress": ""}));
        let paid_time = || Some(p.paid_at.map(time));
        let mut v = Payment {
            status: p.status.as_str(),
            id: p.id.clone(),
            transaction_id: Some(p.transaction_id.clone()),
            merchant_id: merchant_id.to_string(),
            store_id: p.store_id.clone(),
            method: p.method().map(Method),
            channel: stored(p.channel_json.as_deref()),
            channel_group: stored(p.channel_group_json.as_deref()),
            version: "V2",
            schedule_id: p.schedule_id.clone(),
            billing_key: p.billing_key.clone(),
            requested_at: time(p.requested_at),
            updated_at: time(p.updated_at),
            status_changed_at: time(p.status_changed_at),
            order_name: p.order_name.clone(),
            amount: Amount {
                total: p.amount_total,
                tax_free: p.amount_tax_free,
                vat: p.amount_vat,
                supply: p.amount_supply,
                discount: 0,
                paid: if p.is_paid() { p.amount_total } else { 0 },
                cancelled: p.amount_cancelled,
                cancelled_tax_free: p.amount_cancelled_tax_free,
            },
            currency: p.currency.clone(),
            customer: Customer::stored(p.customer_json.as_deref()),
            order: OrderFields::of(order),
            custom_data: p.custom_data.clone(),
            paid_at: None,
            pg_tx_id: None,
            receipt_url: None,
            disputes: None,
            cancelled_at: None,
            failed_at: None,
            failure: None,
            cancellations: None,
            webhooks: None,
            cash_receipt: None,
        };
        match p.status {
            PaymentStatus::Paid => {
                v.paid_at = paid_time();
                v.pg_tx_id = p.pg_tx_id.clone();
                v.receipt_url = p.receipt_url.clone();
                v.disputes = Some(Vec::new());
            }
            PaymentStatus::PartialCancelled | PaymentStatus::Cancelled => {
                v.paid_at = paid_time();
                v.pg_tx_id = p.pg_tx_id.clone();
                v.receipt_url = p.receipt_url.clone();
                v.cancelled_at = Some(Some(time(p.cancelled_at.unwrap_or(p.status_changed_at))));
            }
            PaymentStatus::Failed => {
                v.failed_at = Some(p.failed_at.map(time));
                v.failure = Some(match &p.failure {
                    Some(f) => FailureView::Known(f.clone()),
                    None => FailureView::Unknown(Empty {}),
                });
            }
            PaymentStatus::PayPending | PaymentStatus::VirtualAccountIssued => {
                v.pg_tx_id = p.pg_tx_id.clone();
            }
            PaymentStatus::Ready => {}
        }
        if !cancels.is_empty() || p.status.is_cancelled() {
            v.cancellations = Some(cancels.iter().map(Cancellation::from).collect());
        }
        v
    }
}

/// PortOne `PaymentTransaction`: one attempt of a payment, shaped as the `Payment` of that
/// attempt with `id` the attempt's transaction id (and no `transactionId`) and `paymentId`
/// the payment's id.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PaymentTransaction {
    /// The attempt, as a `Payment` whose `id` is the transaction id.
    #[serde(flatten)]
    pub attempt: Payment,
    /// The payment's id.
    pub payment_id: String,
}

/// [`PaymentTransaction`] of a stored payment row (an attempt's row or the payment's own).
pub fn transaction(
    p: &PaymentRow,
    cancels: &[CancellationRow],
    merchant_id: &str,
) -> PaymentTransaction {
    let mut attempt = Payment::of(p, cancels, merchant_id);
    attempt.id = p.transaction_id.clone();
    attempt.transaction_id = None;
    PaymentTransaction {
        attempt,
        payment_id: p.id.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::PaymentKind;

    fn row(status: PaymentStatus) -> PaymentRow {
        PaymentRow {
            id: "p1".into(),
            store_id: "s".into(),
            transaction_id: "t".into(),
            kind: PaymentKind::Instant,
            status,
            channel_key: None,
            channel_json: None,
            channel_group_json: None,
            method_json: None,
            billing_key: None,
            schedule_id: None,
            order_name: "o".into(),
            currency: "KRW".into(),
            amount_total: 1000,
            amount_tax_free: 0,
            amount_vat: 91,
            amount_supply: 909,
            amount_cancelled: 0,
            amount_cancelled_tax_free: 0,
            amount_cancelled_vat: 0,
            customer_json: None,
            custom_data: None,
            extra_json: Some(r#"{"productType":"DIGITAL","country":"KR"}"#.into()),
            notice_urls_json: None,
            skip_webhook: false,
            order_date: None,
            pg_tx_id: Some("tx".into()),
            receipt_url: Some("https://pg.example/receipt/tx".into()),
            paid_at: None,
            failed_at: None,
            failure: None,
            cancelled_at: None,
            cancel_count: 0,
            requested_at: 0,
            updated_at: 0,
            status_changed_at: 0,
        }
    }

    #[test]
    fn each_status_shows_its_own_fields() {
        let paid = super::super::render(&Payment::of(&row(PaymentStatus::Paid), &[], "m"));
        assert_eq!(paid["paidAt"], Value::Null);
        assert_eq!(paid["pgTxId"], "tx");
        assert_eq!(paid["receiptUrl"], "https://pg.example/receipt/tx");
        assert_eq!(paid["disputes"], serde_json::json!([]));
        assert_eq!(paid["amount"]["paid"], 1000);
        assert!(paid.get("failure").is_none() && paid.get("cancellations").is_none());

        let failed = super::super::render(&Payment::of(&row(PaymentStatus::Failed), &[], "m"));
        assert_eq!(failed["failure"], serde_json::json!({}));
        assert_eq!(failed["amount"]["paid"], 0);
        assert!(failed.get("pgTxId").is_none() && failed.get("paidAt").is_none());
        assert!(failed.get("receiptUrl").is_none());

        let cancelled =
            super::super::render(&Payment::of(&row(PaymentStatus::Cancelled), &[], "m"));
        assert_eq!(cancelled["cancellations"], serde_json::json!([]));
        assert_eq!(cancelled["cancelledAt"], "1970-01-01T00:00:00.000Z");
    }

    /// The typed columns show exactly the bytes stored (they used to be shown as the stored
    /// JSON values themselves).
    #[test]
    fn stored_columns_show_byte_for_byte() {
        let channel = r#"{"key":"ch-1","name":"Galaxia test","pgMerchantId":"M1","pgProvider":"GALAXIA","type":"TEST"}"#;
        let group = r#"{"id":"channel-group-test-1","isForTest":true,"name":"G"}"#;
        let customer = r#"{"address":{"addressLine1":"서울 강남구","addressLine2":"101호","city":"Seoul","country":"KR","oneLine":"서울 강남구 101호","type":"SEPARATED"},"email":"a@b.c","gender":"FEMALE","id":"c1","name":"홍길동","phoneNumber":"010","zipcode":"06000"}"#;
        let extra = r#"{"country":"KR","isCulturalExpense":false,"origin":{"ipAddress":"127.0.0.1","platformType":"PC","userAgent":"UA"},"productCount":2,"productType":"DIGITAL","products":[{"amount":500,"code":"C","id":"p1","link":"https://shop.example/p1","name":"P","quantity":2,"tag":"t"}],"promotionId":"promo","routing":{"refused":[{"channelKey":"ch-2","rule":"amount above 100"}]}}"#;
        let mut r = row(PaymentStatus::Paid);
        r.channel_json = Some(channel.into());
        r.channel_group_json = Some(group.into());
        r.customer_json = Some(customer.into());
        r.extra_json = Some(extra.into());
        let v = super::super::render(&Payment::of(&r, &[], "m"));
        assert_eq!(v["channel"].to_string(), channel);
        assert_eq!(v["channelGroup"].to_string(), group);
        assert_eq!(v["customer"].to_string(), customer);
        let mut order: Map<String, Value> = serde_json::from_str(extra).unwrap();
        order.remove("productType");
        for (k, stored) in &order {
            assert_eq!(v[k].to_string(), stored.to_string(), "{k}");
        }
        // A field no type names is shown as stored too.
        r.extra_json = Some(r#"{"country":"KR","somethingNew":{"a":[1,null]}}"#.into());
        let v = super::super::render(&Payment::of(&r, &[], "m"));
        assert_eq!(v["somethingNew"].to_string(), r#"{"a":[1,null]}"#);
        assert_eq!(v["country"], "KR");
    }

    #[test]
    fn a_transaction_is_its_attempts_payment_under_the_transaction_id() {
        let v = super::super::render(&transaction(&row(PaymentStatus::Paid), &[], "m"));
        assert_eq!(v["id"], "t");
        assert_eq!(v["paymentId"], "p1");
        assert!(v.get("transactionId").is_none());
        let p = super::super::render(&Payment::of(&row(PaymentStatus::Paid), &[], "m"));
        assert_eq!(p["transactionId"], "t");
    }

    #[test]
    fn order_fields_are_shown_except_the_product_type() {
        let v = super::super::render(&Payment::of(&row(PaymentStatus::Ready), &[], "m"));
        assert_eq!(v["country"], "KR");
        assert!(v.get("productType").is_none());
        assert_eq!(
            v["origin"],
            serde_json::json!({"platformType": "API", "ipAddress": ""})
        );
        assert_eq!(v["customer"], serde_json::json!({}));
        assert_eq!(v["version"], "V2");
    }
}
