//! PortOne's list answers: the page-based ones (`items` and a `PageInfo`), the cursor-based
//! `GetAllPaymentsByCursorResponse` and the plain `GetPaymentTransactionsResponse`.

use serde::Serialize;

use super::billing_key::BillingKeyInfo;
use super::cash_receipt::CashReceipt;
use super::payment::{Payment, PaymentTransaction};
use super::schedule::PaymentSchedule;

/// PortOne `PageInfo`.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PageInfo {
    /// The page asked for (from 0).
    pub number: i64,
    /// Items per page asked for.
    pub size: i64,
    /// How many match in all.
    pub total_count: i64,
}

/// A page-based PortOne answer: `{items, page}`.
pub trait PageAnswer: Serialize {
    /// The item type.
    type Item;
    /// The answer of one page.
    fn new(items: Vec<Self::Item>, page: PageInfo) -> Self;
}

macro_rules! page_answer {
    ($(#[$doc:meta])* $name:ident, $item:ty) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
        pub struct $name {
            /// The objects of this page.
            pub items: Vec<$item>,
            /// Where this page is.
            pub page: PageInfo,
        }

        impl PageAnswer for $name {
            type Item = $item;
            fn new(items: Vec<$item>, page: PageInfo) -> Self {
                $name { items, page }
            }
        }
    };
}

page_answer!(
    /// PortOne `GetPaymentsResponse`.
    GetPaymentsResponse,
    Payment
);
page_answer!(
    /// PortOne `GetBillingKeyInfosResponse`.
    GetBillingKeyInfosResponse,
    BillingKeyInfo
);
page_answer!(
    /// PortOne `GetPaymentSchedulesResponse`.
    GetPaymentSchedulesResponse,
    PaymentSchedule
);
page_answer!(
    /// PortOne `GetCashReceiptsResponse`.
    GetCashReceiptsResponse,
    CashReceipt
);

/// PortOne `PaymentWithCursor`.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PaymentWithCursor {
    /// The payment.
    pub payment: Payment,
    /// Where the next page starts after this payment.
    pub cursor: String,
}

/// PortOne `GetAllPaymentsByCursorResponse`.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct GetAllPaymentsByCursorResponse {
    /// The payments in creation order.
    pub items: Vec<PaymentWithCursor>,
}

/// PortOne `GetPaymentTransactionsResponse`.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct GetPaymentTransactionsResponse {
    /// Every attempt, oldest first.
    pub items: Vec<PaymentTransaction>,
}
