//! PortOne's list answers: `GetPaymentsResponse` (items and `PageInfo`) and
//! `GetAllPaymentsByCursorResponse` (items with their cursors).

use serde::Serialize;
use serde_json::Value;

/// PortOne `PageInfo`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PageInfo {
    /// The page asked for (from 0).
    pub number: i64,
    /// Items per page asked for.
    pub size: i64,
    /// How many match in all.
    pub total_count: i64,
}

/// PortOne `GetPaymentsResponse` (and the other page-based lists: `items` + `page`).
#[derive(Debug, Clone, Serialize)]
pub struct Page {
    /// The rendered objects.
    pub items: Vec<Value>,
    /// Where this page is.
    pub page: PageInfo,
}

/// PortOne `PaymentWithCursor`.
#[derive(Debug, Clone, Serialize)]
pub struct WithCursor {
    /// The rendered `Payment`.
    pub payment: Value,
    /// Where the next page starts after this payment.
    pub cursor: String,
}

/// PortOne `GetAllPaymentsByCursorResponse`.
#[derive(Debug, Clone, Serialize)]
pub struct CursorPage {
    /// The payments in creation order.
    pub items: Vec<WithCursor>,
}

/// `{"items": [...]}`: PortOne's plain lists (`GetPaymentTransactionsResponse`, …).
#[derive(Debug, Clone, Serialize)]
pub struct Items {
    /// The rendered objects.
    pub items: Vec<Value>,
}
