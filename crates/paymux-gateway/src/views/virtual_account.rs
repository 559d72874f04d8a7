//! The answer of `POST /payments/{paymentId}/virtual-account/close`.

use serde::Serialize;

/// PortOne `CloseVirtualAccountResponse`.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CloseVirtualAccountResponse {
    /// When the account was closed (RFC 3339): the PG's time when it says, else the gateway's.
    pub closed_at: String,
}
