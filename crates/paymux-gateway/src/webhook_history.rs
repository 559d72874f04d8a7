//! A payment's webhook history (`Payment.webhooks`) and PortOne's
//! `POST /payments/{paymentId}/resend-webhook`.
//!
//! Every outbox row about a payment is one PortOne `PaymentWebhook` (one event to one URL,
//! with its attempts). A resend writes a new row with the same body and URL, a new
//! `webhook-id` and trigger `MANUAL`, and delivers it at once (signed like any delivery; the
//! worker retries it if it fails). At most [`MAX_MANUAL_RESENDS`] resends of one delivery:
//! PortOne's `MAX_WEBHOOK_RETRY_COUNT_REACHED` after that.

use serde::Deserialize;
use serde_json::Value;

use crate::error::ApiError;
use crate::state::AppState;
use crate::store;
use crate::store::webhook_history::{self, WebhookRow};
use crate::util;
use crate::views::{self, payment_webhook::PaymentWebhook};

/// Manual resends allowed per delivery (PortOne caps them; its number is not published).
pub const MAX_MANUAL_RESENDS: i64 = 5;

/// PortOne `ResendWebhookBody`.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ResendWebhookBody {
    /// The payment's store (default: any).
    #[serde(default)]
    pub store_id: Option<String>,
    /// The delivery to repeat (default: the payment's newest).
    #[serde(default)]
    pub webhook_id: Option<String>,
}

/// PortOne `ResendWebhookResponse`.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct ResendWebhookResponse {
    /// The new delivery, after its first attempt.
    pub webhook: PaymentWebhook,
}

fn view(st: &AppState, row: &WebhookRow) -> PaymentWebhook {
    PaymentWebhook::of(row, st.tuning.webhook_max_attempts)
}

/// `Payment.webhooks`: every delivery about the payment, oldest first.
pub async fn for_payment(
    st: &AppState,
    payment_id: &str,
) -> Result<Vec<PaymentWebhook>, sqlx::Error> {
    Ok(webhook_history::for_payment(&st.db, payment_id)
        .await?
        .iter()
        .map(|r| view(st, r))
        .collect())
}

/// `POST /payments/{paymentId}/resend-webhook`: `{"webhook": PaymentWebhook}` of the new
/// delivery, after its first attempt.
pub async fn resend(
    st: &AppState,
    payment_id: &str,
    body: ResendWebhookBody,
) -> Result<Value, ApiError> {
    let payment = store::payments::load(&st.db, payment_id)
        .await?
        .filter(|p| body.store_id.as_deref().map_or(true, |s| s == p.store_id));
    if payment.is_none() {
        return Err(ApiError::not_found(
            "PAYMENT_NOT_FOUND",
            format!("no payment `{payment_id}`"),
        ));
    }
    let original = match body.webhook_id.as_deref() {
        Some(id) => webhook_history::load(&st.db, payment_id, id).await?,
        None => webhook_history::for_payment(&st.db, payment_id)
            .await?
            .into_iter()
            .last(),
    };
    let Some(original) = original else {
        return Err(ApiError::not_found(
            "WEBHOOK_NOT_FOUND",
            match body.webhook_id {
                Some(_) => format!("webhookId: payment `{payment_id}` has no such webhook"),
                None => format!("payment `{payment_id}` has no webhook to resend"),
            },
        ));
    };
    let root = original.resend_of.as_deref().unwrap_or(&original.id);
    if webhook_history::resends_of(&st.db, root).await? >= MAX_MANUAL_RESENDS {
        return Err(ApiError::new(
            axum::http::StatusCode::BAD_REQUEST,
            "MAX_WEBHOOK_RETRY_COUNT_REACHED",
            format!("webhook `{root}` was resent {MAX_MANUAL_RESENDS} times already"),
        ));
    }
    // Written leased to this request, so the outbox worker cannot deliver it a second time
    // meanwhile.
    let now = util::now();
    let due = webhook_history::insert_resend(
        &st.db,
        payment_id,
        &original,
        now,
        crate::webhooks::lease_until(st, now),
    )
    .await?;
    let id = due.id.clone();
    crate::webhooks::deliver_leased(st, due).await?;
    let row = webhook_history::load(&st.db, payment_id, &id)
        .await?
        .ok_or_else(|| ApiError::internal("the resent webhook vanished"))?;
    tracing::info!(payment_id, webhook_id = %id, resend_of = %original.id, "webhook resent by request");
    Ok(views::render(&ResendWebhookResponse {
        webhook: view(st, &row),
    }))
}
