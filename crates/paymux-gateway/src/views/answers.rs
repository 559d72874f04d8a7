//! The small answers of PortOne's write operations, and the answers of the operations paymux
//! serves but never completes.
//!
//! [`PaymentSummaryResponse`] is the answer the payment flow (`crate::flow`) writes for
//! `payInstantly` and `payWithBillingKey`; the others are built from these types where the
//! operation answers.

use paymux_routing::{ChannelSpecificFailure, SelectedChannel};
use serde::Serialize;

use super::cancellation::Cancellation;

/// PortOne `PayInstantlyResponse` / `PayWithBillingKeyResponse`: `{payment: {pgTxId,
/// paidAt}}` (for an issued virtual account, `paidAt` is when it was issued).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PaymentSummaryResponse {
    /// The payment.
    pub payment: PaymentSummary,
}

/// PortOne `InstantPaymentSummary` / `BillingKeyPaymentSummary`.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PaymentSummary {
    /// The PG's transaction id (`null` when the PG gave none).
    #[schema(required = true)]
    pub pg_tx_id: Option<String>,
    /// Paid at, RFC 3339 (`null` when unknown).
    #[schema(required = true)]
    pub paid_at: Option<String>,
}

/// PortOne `CreatePaymentScheduleResponse`.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CreatePaymentScheduleResponse {
    /// The schedule.
    pub schedule: PaymentScheduleSummary,
}

/// PortOne `PaymentScheduleSummary`.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PaymentScheduleSummary {
    /// Schedule id.
    pub id: String,
}

/// PortOne `CancelPaymentResponse`.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CancelPaymentResponse {
    /// The cancellation.
    pub cancellation: Cancellation,
}

/// PortOne `IssueBillingKeyResponse`.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct IssueBillingKeyResponse {
    /// The issued key.
    pub billing_key_info: BillingKeyInfoSummary,
    /// The channels it could not be issued on (super billing keys).
    pub channel_specific_failures: Vec<ChannelSpecificFailure>,
}

/// PortOne `BillingKeyInfoSummary`.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct BillingKeyInfoSummary {
    /// The gateway's billing key.
    pub billing_key: String,
    /// The channels holding a key.
    pub channels: Vec<SelectedChannel>,
    /// Issued at (RFC 3339).
    pub issued_at: String,
}

/// PortOne `DeleteBillingKeyResponse`.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DeleteBillingKeyResponse {
    /// Deleted at (RFC 3339).
    pub deleted_at: String,
}

/// PortOne `RevokePaymentSchedulesResponse`.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RevokePaymentSchedulesResponse {
    /// The schedules revoked.
    pub revoked_schedule_ids: Vec<String>,
    /// Revoked at (RFC 3339).
    pub revoked_at: String,
}

/// PortOne `PreRegisterPaymentResponse`: `{}`.
#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct PreRegisterPaymentResponse {}

/// PortOne `ApplyEscrowLogisticsResponse`. Never answered: no PG offers escrow delivery
/// registration through paymux (the operation answers an error naming the PG).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
#[allow(dead_code)] // never built: see above
pub struct ApplyEscrowLogisticsResponse {
    /// Invoice (tracking) number.
    pub invoice_number: String,
    /// Sent at (RFC 3339).
    pub sent_at: String,
    /// Registered at (RFC 3339).
    pub applied_at: String,
}

/// PortOne `ModifyEscrowLogisticsResponse`. Never answered (as
/// [`ApplyEscrowLogisticsResponse`]).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
#[allow(dead_code)] // never built: see above
pub struct ModifyEscrowLogisticsResponse {
    /// Invoice (tracking) number.
    pub invoice_number: String,
    /// Sent at (RFC 3339).
    pub sent_at: String,
    /// Modified at (RFC 3339).
    pub modified_at: String,
}

/// PortOne `ConfirmEscrowResponse`. Never answered (as [`ApplyEscrowLogisticsResponse`]).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
#[allow(dead_code)] // never built: see above
pub struct ConfirmEscrowResponse {
    /// Confirmed at (RFC 3339).
    pub completed_at: String,
}

/// PortOne `RegisterStoreReceiptResponse`. Never answered (as
/// [`ApplyEscrowLogisticsResponse`]).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
#[allow(dead_code)] // never built: see above
pub struct RegisterStoreReceiptResponse {
    /// The sales slip's URL.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub receipt_url: Option<String>,
}

/// PortOne `Promotion`. Never answered: paymux has no promotions (`getPromotion` is always
/// `404 PROMOTION_NOT_FOUND`), so none of PortOne's promotion fields is modelled.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[allow(dead_code)] // never built: see above
pub struct Promotion {}

/// PortOne `GetKakaopayPaymentOrderResponse`. Never answered: no KakaoPay adapter is linked
/// into paymux (`400 INVALID_REQUEST` naming `channelKey`).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
#[allow(dead_code)] // never built: see above
pub struct GetKakaopayPaymentOrderResponse {
    /// KakaoPay's HTTP status.
    pub status_code: i32,
    /// KakaoPay's answer body.
    pub body: String,
}
