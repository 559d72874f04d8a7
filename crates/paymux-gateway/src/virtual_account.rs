//! `POST /payments/{paymentId}/virtual-account/close` (PortOne `closeVirtualAccount`, 가상계좌
//! 말소): revoke an issued account nobody has paid into, at its PG, through the adapter's
//! `virtual-account.close`.
//!
//! The payment becomes `CANCELLED` (never paid: no `paidAt`, no cancellation) and
//! `Transaction.Cancelled` is sent; a later deposit notice for it changes nothing (the notice
//! intake acknowledges it and keeps it for an operator). A close whose answer is lost or refused
//! is settled by asking the PG (`payment.get`): the account is recorded closed only when the PG
//! says the payment is cancelled, never on a guess.

use chrono::{DateTime, Utc};
use paymux_core::adapter::{kst, CloseVirtualAccountCall, Method, Operation, PgRequest};
use paymux_core::error::PgError;
use paymux_core::outcome::{ApprovedDetail, Outcome, TxState};
use serde_json::Value;

use crate::channels::ChannelEntry;
use crate::domain::{EventData, EventType, PaymentStatus};
use crate::error::ApiError;
use crate::events;
use crate::flow::not_sent_error;
use crate::state::AppState;
use crate::store;
use crate::store::payments::PaymentRow;
use crate::util;
use crate::views::virtual_account::CloseVirtualAccountResponse;

/// `POST /payments/{paymentId}/virtual-account/close?storeId=`.
pub async fn close(
    st: &AppState,
    payment_id: &str,
    store_id: Option<&str>,
) -> Result<Value, ApiError> {
    if payment_id.trim().is_empty() || payment_id.len() > 256 {
        return Err(ApiError::invalid("paymentId: must be 1 to 256 bytes"));
    }
    if store_id.is_some_and(|s| s.trim().is_empty()) {
        return Err(ApiError::invalid("storeId: must not be empty when given"));
    }
    let p = load_waiting(st, payment_id, store_id).await?;
    let Some(channel) = p.channel_key.as_deref().and_then(|k| st.channels.get(k)) else {
        return Err(ApiError::pg_provider(
            "the payment's channel is no longer configured; nothing was sent",
            crate::error::PG_CODE_NOT_SENT,
            "",
        ));
    };
    let caps = &channel.descriptor.capabilities;
    if !caps.supports(Operation::VirtualAccountClose, Some(Method::VirtualAccount)) {
        return Err(ApiError::pg_unsupported(
            &pg_name(channel),
            "closing a virtual account (가상계좌 말소)",
        ));
    }
    let req = PgRequest::CloseVirtualAccount(CloseVirtualAccountCall {
        payment_id: p.id.clone(),
        prior: p.prior(),
    });
    tracing::info!(payment_id, channel = %channel.ctx.key, "closing the virtual account at the PG");
    let result = st
        .call_pg(channel, util::now().with_timezone(&kst()), &req)
        .await;
    match result {
        Ok(Outcome::Approved(a)) if a.detail == ApprovedDetail::VirtualAccountClosed => {
            let at = a.at.map_or_else(util::now, |t| t.with_timezone(&Utc));
            record(st, &p, at).await
        }
        Ok(Outcome::Declined(d)) => {
            // Refused — perhaps because it is closed already (a close sent again): the PG's
            // own state decides.
            match settle_by_inquiry(st, channel, &p).await {
                Some(at) => record(st, &p, at).await,
                None => Err(ApiError::pg_provider(
                    format!("the PG refused to close the virtual account ({})", d.kind),
                    &d.pg_code,
                    &d.pg_message,
                )),
            }
        }
        Err(e) if e.is_certainly_not_sent() => Err(not_sent_error(&e)),
        other => {
            let why = match &other {
                Err(e) => e.to_string(),
                Ok(o) => format!("the PG's answer was {}", o.kind_str()),
            };
            tracing::warn!(payment_id, %why, "close outcome in doubt; asking the PG");
            match settle_by_inquiry(st, channel, &p).await {
                Some(at) => record(st, &p, at).await,
                None => Err(ApiError::pg_provider(
                    "the PG's answer to the close is unknown and the PG does not report the account \
                     closed; nothing was recorded: retry the close",
                    "PAYMUX_OUTCOME_UNKNOWN",
                    &PgError::MalformedResponse { detail: why }.to_string(),
                )),
            }
        }
    }
}

/// The payment, when it exists in `store_id` (if given) and waits for its deposit.
async fn load_waiting(
    st: &AppState,
    payment_id: &str,
    store_id: Option<&str>,
) -> Result<PaymentRow, ApiError> {
    let Some(p) = store::payments::load(&st.db, payment_id)
        .await?
        .filter(|p| store_id.map_or(true, |s| s == p.store_id))
    else {
        return Err(ApiError::not_found(
            "PAYMENT_NOT_FOUND",
            format!("no payment `{payment_id}`"),
        ));
    };
    if p.status != PaymentStatus::VirtualAccountIssued {
        return Err(ApiError::conflict(
            "PAYMENT_NOT_WAITING_FOR_DEPOSIT",
            format!(
                "payment `{payment_id}` is {}, not a virtual account waiting for its deposit",
                p.status
            ),
        ));
    }
    Ok(p)
}

/// `Some(when)` when the PG reports the payment cancelled (its account closed).
async fn settle_by_inquiry(
    st: &AppState,
    channel: &ChannelEntry,
    p: &PaymentRow,
) -> Option<DateTime<Utc>> {
    match crate::notices::inquire(st, channel, p).await {
        Ok(Some((r, at))) if r.state == TxState::Cancelled => Some(at.unwrap_or_else(util::now)),
        Ok(report) => {
            tracing::info!(payment_id = %p.id, state = ?report.map(|(r, _)| r.state), "the PG does not report the account closed");
            None
        }
        Err(e) => {
            tracing::warn!(payment_id = %p.id, error = %e, "could not ask the PG about the close");
            None
        }
    }
}

/// Record the close with its webhook; a close or deposit that got there first decides.
async fn record(st: &AppState, p: &PaymentRow, at: DateTime<Utc>) -> Result<Value, ApiError> {
    let data = EventData::transaction(&p.store_id, &p.id, &p.transaction_id);
    let event = events::event(st, EventType::TransactionCancelled, data, &p.destination());
    let done = store::virtual_accounts::record_close(
        &st.db,
        &p.id,
        &p.transaction_id,
        at,
        event.as_ref(),
        util::now(),
    )
    .await?;
    let closed_at = if done {
        tracing::info!(payment_id = %p.id, "virtual account closed: CANCELLED");
        at
    } else {
        // Lost a race: closed already (answer as closed), or paid in the meantime.
        let now = store::payments::load(&st.db, &p.id).await?;
        match now {
            Some(n) if n.status == PaymentStatus::Cancelled && n.paid_at.is_none() => {
                util::from_micros(n.cancelled_at.unwrap_or(n.status_changed_at))
            }
            Some(n) => {
                return Err(ApiError::conflict(
                    "PAYMENT_NOT_WAITING_FOR_DEPOSIT",
                    format!(
                        "payment `{}` became {} while it was being closed",
                        p.id, n.status
                    ),
                ))
            }
            None => return Err(ApiError::internal("payment vanished")),
        }
    };
    Ok(crate::views::render(&CloseVirtualAccountResponse {
        closed_at: util::rfc3339(closed_at),
    }))
}

/// The PG of a channel as errors name it: `Toss Payments (TOSSPAYMENTS)`.
pub fn pg_name(channel: &ChannelEntry) -> String {
    format!(
        "{} ({})",
        channel.descriptor.display_name, channel.descriptor.pg_provider
    )
}
