//! What the PG's answer means: the payment's transition and the HTTP answer.

use chrono::{DateTime, Utc};
use paymux_core::error::PgError;
use paymux_core::outcome::{ApprovedDetail, Outcome};
use paymux_routing::{RoutingError, SkippedChannel};
use serde_json::{json, Value};

use crate::domain::{Failure, IssuedAccount, MethodUpdate, Transition};
use crate::error::{ApiError, PG_CODE_NOT_SENT};
use crate::util;

/// What the PG's answer to a payment means, as HTTP and as a transition.
pub fn settle(
    payment_id: &str,
    result: &Result<Outcome, PgError>,
    retry_at: DateTime<Utc>,
) -> (Transition, Result<Value, ApiError>) {
    let now = util::now();
    match result {
        Ok(Outcome::Approved(a)) => {
            let paid_at = a.at.map(|t| t.with_timezone(&Utc)).unwrap_or(now);
            let mut update = MethodUpdate::default();
            if let ApprovedDetail::Payment {
                approval_number,
                card,
                installment_month,
                ..
            } = &a.detail
            {
                update.approval_number = approval_number.clone();
                if let Some(c) = card {
                    update.card_issuer = c.issuer_code.clone();
                    update.card_publisher = c.acquirer_code.clone();
                    update.card_name = c.issuer_name.clone();
                }
                update.installment_month = installment_month.filter(|m| *m > 0);
            }
            let t = Transition::Paid {
                pg_tx_id: a.pg_tx_id.clone(),
                paid_at,
                method: (!update.is_empty()).then_some(update),
                receipt_url: a.receipt_url.clone(),
            };
            let body = json!({"payment": {"pgTxId": a.pg_tx_id, "paidAt": util::rfc3339(paid_at)}});
            (t, Ok(body))
        }
        Ok(Outcome::VirtualAccountIssued(v)) => {
            let issued = v.issued_at.map(|t| t.with_timezone(&Utc)).unwrap_or(now);
            let t = Transition::VirtualAccountIssued {
                pg_tx_id: v.pg_tx_id.clone(),
                method: Some(MethodUpdate {
                    virtual_account: Some(IssuedAccount {
                        account_number: v.account_number.clone(),
                        bank: crate::banks::portone_bank(v.bank.as_deref(), payment_id),
                        remittee_name: v.remittee_name.clone(),
                        expires_at: v.expires_at.map(|t| t.with_timezone(&Utc)),
                        issued_at: issued,
                    }),
                    ..MethodUpdate::default()
                }),
            };
            let body = json!({"payment": {"pgTxId": v.pg_tx_id, "paidAt": util::rfc3339(issued)}});
            (t, Ok(body))
        }
        Ok(Outcome::Pending(p)) => (
            Transition::Pending {
                pg_tx_id: p.pg_tx_id.clone(),
                retry_at,
            },
            Err(ApiError::new(
                axum::http::StatusCode::GATEWAY_TIMEOUT,
                "PAYMENT_PENDING",
                format!(
                    "the PG accepted payment `{payment_id}` but its result comes later; it is PAY_PENDING. \
                     Check GET /payments/{payment_id} or wait for the webhook"
                ),
            )),
        ),
        Ok(Outcome::Declined(d)) => (
            Transition::Failed {
                failure: Failure::from_pg(
                    format!("declined by the PG ({})", d.kind),
                    d.pg_code.clone(),
                    d.pg_message.clone(),
                ),
            },
            Err(ApiError::pg_provider(
                format!("the PG declined the payment ({})", d.kind),
                &d.pg_code,
                &d.pg_message,
            )),
        ),
        Ok(Outcome::Unknown(_)) => (
            Transition::Unknown { retry_at },
            Err(ApiError::outcome_unknown(payment_id)),
        ),
        Err(e) if e.is_certainly_not_sent() => (
            Transition::Failed {
                failure: Failure::reason(e.to_string()),
            },
            Err(not_sent_error(e)),
        ),
        Err(_) => (
            Transition::Unknown { retry_at },
            Err(ApiError::outcome_unknown(payment_id)),
        ),
    }
}

/// The answer for an error raised before anything reached the PG.
pub fn not_sent_error(e: &PgError) -> ApiError {
    match e {
        PgError::Validation(v) => ApiError::validation(v),
        PgError::Unsupported { .. } | PgError::Wire(_) => ApiError::invalid(e.to_string()),
        PgError::Config(_) => ApiError::pg_provider(
            "the channel is misconfigured; nothing was sent to the PG",
            "PAYMUX_CHANNEL_CONFIG",
            &e.to_string(),
        ),
        _ => ApiError::pg_provider(
            "the PG could not be reached; nothing was sent, it is safe to retry",
            PG_CODE_NOT_SENT,
            &e.to_string(),
        ),
    }
}

/// Map a routing decision that could not be made.
pub fn routing_error(e: &RoutingError) -> ApiError {
    match e {
        RoutingError::AllChannelsFailed { failures } => {
            ApiError::channel_specific(e.to_string(), failures, &[])
        }
        // The request, not the configuration, is what no channel accepts: one 400 naming
        // each channel and the rule it broke.
        _ if e.skipped().iter().any(SkippedChannel::is_refusal) => ApiError::invalid(e.to_string()),
        _ => ApiError::not_found("CHANNEL_NOT_FOUND", e.to_string()),
    }
}
