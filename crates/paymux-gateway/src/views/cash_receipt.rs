//! PortOne's cash-receipt objects: `CashReceipt` (`IssuedCashReceipt`, `CancelledCashReceipt`,
//! `IssueFailedCashReceipt`), `PaymentCashReceipt` (inside `Payment`) and `CashReceiptSummary`
//! (the issue's answer), built from a stored row. The customer's identity number is in none of
//! them (PortOne shows none).

use paymux_routing::SelectedChannel;
use serde::Serialize;

use super::{stored, time};
use crate::domain::PortOneCashReceiptStatus as Shown;
use crate::store::cash_receipts::CashReceiptRow;

/// PortOne `CashReceipt` (the three statuses share one shape; each status's fields are present
/// only for it).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CashReceipt {
    /// `ISSUED`, `CANCELLED` or `ISSUE_FAILED`.
    #[schema(value_type = crate::domain::PortOneCashReceiptStatus)]
    pub status: &'static str,
    /// merchantId.
    pub merchant_id: String,
    /// storeId.
    pub store_id: String,
    /// paymentId.
    pub payment_id: String,
    /// `SelectedChannel`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub channel: Option<SelectedChannel>,
    /// Amount (issued and cancelled receipts).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub amount: Option<i64>,
    /// Tax-free part.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub tax_free_amount: Option<i64>,
    /// VAT.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub vat_amount: Option<i64>,
    /// Currency.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub currency: Option<String>,
    /// orderName.
    pub order_name: String,
    /// Issued by `POST /cash-receipts`.
    pub is_manual: bool,
    /// `PERSONAL` / `CORPORATE` (stored as `CashReceiptType` spells it).
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<paymux_core::adapter::CashReceiptType>)]
    #[schema(nullable = false)]
    pub receipt_type: Option<String>,
    /// The PG's receipt id.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub pg_receipt_id: Option<String>,
    /// The NTS approval number (`""` until the PG reports one).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub issue_number: Option<String>,
    /// The PG's receipt page.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub url: Option<String>,
    /// Issued at.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub issued_at: Option<String>,
    /// Cancelled at.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub cancelled_at: Option<String>,
    /// Status updated at.
    pub status_updated_at: String,
}

impl CashReceipt {
    /// The view of a stored receipt (`None` while its issue is unsettled).
    pub fn of(r: &CashReceiptRow, merchant_id: &str) -> Option<CashReceipt> {
        let status = r.status.portone()?;
        let settled = status != Shown::IssueFailed;
        Some(CashReceipt {
            status: status.as_str(),
            merchant_id: merchant_id.to_string(),
            store_id: r.store_id.clone(),
            payment_id: r.payment_id.clone(),
            channel: stored(r.channel_json.as_deref()),
            amount: settled.then_some(r.amount_total),
            tax_free_amount: settled.then_some(r.amount_tax_free),
            vat_amount: settled.then_some(r.amount_vat),
            currency: settled.then(|| r.currency.clone()),
            order_name: r.order_name.clone(),
            is_manual: r.is_manual,
            receipt_type: settled.then(|| r.receipt_type.clone()),
            pg_receipt_id: r.pg_receipt_id.clone().filter(|_| settled),
            issue_number: settled.then(|| r.issue_number.clone().unwrap_or_default()),
            url: r.url.clone().filter(|_| settled),
            issued_at: r.issued_at.filter(|_| settled).map(time),
            cancelled_at: (status == Shown::Cancelled)
                .then(|| time(r.cancelled_at.unwrap_or(r.status_updated_at))),
            status_updated_at: time(r.status_updated_at),
        })
    }
}

/// PortOne `PaymentCashReceipt` (`Payment.cashReceipt`): issued or cancelled receipts only.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PaymentCashReceipt {
    /// `ISSUED` / `CANCELLED`.
    #[schema(value_type = crate::domain::PortOneCashReceiptStatus)]
    pub status: &'static str,
    /// `PERSONAL` / `CORPORATE` (stored as `CashReceiptType` spells it).
    #[serde(rename = "type")]
    #[schema(value_type = paymux_core::adapter::CashReceiptType)]
    pub receipt_type: String,
    /// The PG's receipt id.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub pg_receipt_id: Option<String>,
    /// The NTS approval number (`""` until the PG reports one).
    pub issue_number: String,
    /// Total.
    pub total_amount: i64,
    /// Tax-free part.
    pub tax_free_amount: i64,
    /// Currency.
    pub currency: String,
    /// The PG's receipt page.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub url: Option<String>,
    /// Issued at.
    pub issued_at: String,
    /// Cancelled at (cancelled receipts).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub cancelled_at: Option<String>,
}

impl PaymentCashReceipt {
    /// The view inside `Payment` (`None` unless issued or cancelled).
    pub fn of(r: &CashReceiptRow) -> Option<PaymentCashReceipt> {
        let status = r.status.portone().filter(|s| *s != Shown::IssueFailed)?;
        Some(PaymentCashReceipt {
            status: status.as_str(),
            receipt_type: r.receipt_type.clone(),
            pg_receipt_id: r.pg_receipt_id.clone(),
            issue_number: r.issue_number.clone().unwrap_or_default(),
            total_amount: r.amount_total,
            tax_free_amount: r.amount_tax_free,
            currency: r.currency.clone(),
            url: r.url.clone(),
            issued_at: time(r.issued_at.unwrap_or(r.requested_at)),
            cancelled_at: (status == Shown::Cancelled)
                .then(|| time(r.cancelled_at.unwrap_or(r.status_updated_at))),
        })
    }
}

/// PortOne `CashReceiptSummary` (`IssueCashReceiptResponse.cashReceipt`). Its three fields are
/// required strings: `issueNumber` and `url` are `""` when the PG's answer gave none.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CashReceiptSummary {
    /// The NTS approval number.
    pub issue_number: String,
    /// The PG's receipt page.
    pub url: String,
    /// The PG's receipt id.
    pub pg_receipt_id: String,
}

/// PortOne `IssueCashReceiptResponse`.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct IssueCashReceiptResponse {
    /// The receipt.
    pub cash_receipt: CashReceiptSummary,
}

impl IssueCashReceiptResponse {
    /// From an issued row.
    pub fn of(r: &CashReceiptRow) -> IssueCashReceiptResponse {
        IssueCashReceiptResponse {
            cash_receipt: CashReceiptSummary {
                issue_number: r.issue_number.clone().unwrap_or_default(),
                url: r.url.clone().unwrap_or_default(),
                pg_receipt_id: r.pg_receipt_id.clone().unwrap_or_default(),
            },
        }
    }
}

/// PortOne `CancelCashReceiptResponse`.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CancelCashReceiptResponse {
    /// Amount cancelled.
    pub cancelled_amount: i64,
    /// When.
    pub cancelled_at: String,
}
