//! PortOne `PaymentCancellation`.

use serde::Serialize;

use super::time;
use crate::store::cancellations::CancellationRow;

/// PortOne `PaymentCancellation`.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = PaymentCancellation)]
pub struct Cancellation {
    /// `REQUESTED` / `SUCCEEDED` / `FAILED`.
    #[schema(value_type = crate::domain::CancellationStatus)]
    pub status: &'static str,
    /// Cancellation id.
    pub id: String,
    /// The PG's cancel id.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub pg_cancellation_id: Option<String>,
    /// Amount.
    pub total_amount: i64,
    /// Tax-free part.
    pub tax_free_amount: i64,
    /// VAT part.
    pub vat_amount: i64,
    /// Reason.
    pub reason: String,
    /// Cancelled at.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub cancelled_at: Option<String>,
    /// Requested at.
    pub requested_at: String,
    /// Who triggered it (`API`).
    pub trigger: Trigger,
}

/// PortOne `Trigger`: who triggered a cancellation. paymux's are all requested through the
/// API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Trigger {
    /// `API`.
    Api,
}

impl From<&CancellationRow> for Cancellation {
    fn from(c: &CancellationRow) -> Self {
        Cancellation {
            status: c.status.as_str(),
            id: c.id.clone(),
            pg_cancellation_id: c.pg_cancellation_id.clone(),
            total_amount: c.total_amount,
            tax_free_amount: c.tax_free_amount,
            vat_amount: c.vat_amount,
            reason: c.reason.clone(),
            cancelled_at: c.cancelled_at.map(time),
            requested_at: time(c.requested_at),
            trigger: Trigger::Api,
        }
    }
}
