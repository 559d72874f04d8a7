//! Claiming a payment and recording its transitions: the store's unit of work plus the
//! webhook each transition sends.

use chrono::{DateTime, Utc};
use serde_json::{json, Value};

use crate::domain::{EventData, EventType};
use crate::domain::{PaymentStatus, Transition};
use crate::error::ApiError;
use crate::events;
use crate::state::AppState;
use crate::store;
use crate::store::payments::{Claim, Known, NewPayment, PaymentRow};
use crate::store::preregistrations::PreRegistration;
use crate::util;

/// Claim `paymentId` (see the module docs). `now` is the encode time; its KST rendering is
/// stored as the order date the PG will know the payment by. A `paymentId` pre-registered with
/// another amount or currency is refused by the claim itself ([`Claim::Preregistered`], see
/// [`preregistered_error`]), before anything is written or sent.
pub async fn claim(st: &AppState, np: &NewPayment, now: DateTime<Utc>) -> Result<Claim, ApiError> {
    let stale = now + chrono::Duration::from_std(st.tuning.stale_after()).unwrap_or_default();
    Ok(store::payments::claim(&st.db, np, now, stale).await?)
}

/// 400: the payment does not match its pre-registration (total, tax-free part, currency or
/// store, each when locked); nothing was charged.
pub fn preregistered_error(pre: &PreRegistration, np: &NewPayment) -> ApiError {
    ApiError::invalid(format!(
        "payment `{}` was pre-registered differently; nothing was charged: {}",
        np.id,
        pre.mismatches(np).join("; ")
    ))
}

/// Apply a transition to a payment still in flight (`READY`/`PAY_PENDING`) for the attempt
/// `transaction_id`, with its webhook and the schedule's status, in one unit of work.
/// `false` when the payment had already moved on (someone else settled it).
pub async fn apply(
    st: &AppState,
    payment_id: &str,
    transaction_id: &str,
    t: &Transition,
) -> Result<bool, sqlx::Error> {
    match store::payments::load_known(&st.db, payment_id, transaction_id).await? {
        Some(known) => apply_known(st, payment_id, transaction_id, t, &known).await,
        None => Ok(false),
    }
}

/// [`apply`] for a payment whose [`Known`] columns the caller has (no read). The flow's own
/// payments use it with what they claimed ([`Known::claimed`]): reading them back instead costs
/// +2.6 % instructions per payment (docs/BENCHMARKS.md §5c), so the read is left to callers that
/// did not claim the payment (the reconciler, checkout).
pub async fn apply_known(
    st: &AppState,
    payment_id: &str,
    transaction_id: &str,
    t: &Transition,
    known: &Known,
) -> Result<bool, sqlx::Error> {
    let event_type = match t {
        Transition::Paid { .. } => Some(EventType::TransactionPaid),
        Transition::VirtualAccountIssued { .. } => Some(EventType::TransactionVirtualAccountIssued),
        Transition::Failed { .. } => Some(EventType::TransactionFailed),
        Transition::Pending { .. } => {
            (known.status != PaymentStatus::PayPending).then_some(EventType::TransactionPayPending)
        }
        Transition::Unknown { .. } => None,
    };
    let event = event_type.and_then(|e| {
        let data = EventData::transaction(&known.store_id, payment_id, transaction_id);
        events::event(st, e, data, &known.dest)
    });
    store::payments::apply(
        &st.db,
        payment_id,
        transaction_id,
        t,
        known,
        event.as_ref(),
        util::now(),
    )
    .await
}

/// The answer to a request whose `paymentId` is taken.
pub fn existing_error(p: &PaymentRow) -> ApiError {
    match p.status {
        PaymentStatus::Ready | PaymentStatus::PayPending => ApiError::conflict(
            "ALREADY_PAID_OR_WAITING",
            format!(
                "payment `{}` is already being processed ({}); its outcome comes by webhook or GET /payments/{}",
                p.id, p.status, p.id
            ),
        ),
        _ => ApiError::conflict(
            "ALREADY_PAID",
            format!("payment `{}` is already paid ({})", p.id, p.status),
        ),
    }
}

/// 409 `PAYMENT_SCHEDULE_ALREADY_EXISTS`: a schedule holds the `paymentId`.
pub fn scheduled_error(payment_id: &str) -> ApiError {
    ApiError::conflict(
        "PAYMENT_SCHEDULE_ALREADY_EXISTS",
        format!("payment `{payment_id}` is scheduled; revoke the schedule first"),
    )
}

/// The answer a request gets when its payment is already settled.
pub(super) fn answer_from_row(p: &PaymentRow) -> Result<Value, ApiError> {
    match p.status {
        s if s.is_paid() => Ok(json!({
            "payment": {"pgTxId": p.pg_tx_id, "paidAt": util::time_json(p.paid_at)}
        })),
        PaymentStatus::Failed => {
            let f = p.failure.as_ref();
            Err(ApiError::pg_provider(
                f.map_or("payment failed", |f| f.reason.as_str()),
                f.and_then(|f| f.pg_code.as_deref()).unwrap_or(""),
                f.and_then(|f| f.pg_message.as_deref()).unwrap_or(""),
            ))
        }
        _ => Err(ApiError::outcome_unknown(&p.id)),
    }
}
