//! Cancels (`POST /payments/{paymentId}/cancel`): full or partial, with PortOne's amount rules
//! ([`CancelAmounts::resolve`]).
//!
//! One cancel at a time per payment: the payment's `cancel_lock` is taken with a conditional
//! `UPDATE` before the PG is called, so two concurrent cancels can never both pass the balance
//! check. A cancel whose answer is unknown stays `REQUESTED` (answered `200` with
//! `status: REQUESTED`, as PortOne may) and keeps the lock until the reconciler learns the
//! outcome from the PG's balance.

use paymux_core::adapter::{kst, CancelCall, PgRequest};
use paymux_core::model::{CancelAmounts, CancelPaymentBody, CancellableAmounts, Validate};
use paymux_core::money::Money;
use paymux_core::outcome::{ApprovedDetail, Outcome};
use serde_json::Value;

use crate::domain::Destination;
use crate::domain::{EventData, EventType};
use crate::domain::{Failure, PaymentStatus};
use crate::error::ApiError;
use crate::events;
use crate::flow::not_sent_error;
use crate::state::AppState;
use crate::store;
use crate::store::cancellations::NewCancellation;
use crate::store::payments::PaymentRow;
use crate::util;
use crate::views;

pub use crate::store::cancellations::CancellationRow;

/// Every cancellation of a payment, oldest first.
pub async fn list(st: &AppState, payment_id: &str) -> Result<Vec<CancellationRow>, sqlx::Error> {
    store::cancellations::list(&st.db, payment_id).await
}

/// Load one cancellation.
pub async fn load(st: &AppState, id: &str) -> Result<Option<CancellationRow>, sqlx::Error> {
    store::cancellations::load(&st.db, id).await
}

fn cancellable(p: &PaymentRow) -> CancellableAmounts {
    let m = |v: i64| Money::new(v.max(0)).unwrap_or(Money::ZERO);
    CancellableAmounts {
        total: m(p.amount_total - p.amount_cancelled),
        tax_free: m(p.amount_tax_free - p.amount_cancelled_tax_free),
        vat: Some(m(p.amount_vat - p.amount_cancelled_vat)),
    }
}

/// `POST /payments/{paymentId}/cancel`.
pub async fn cancel(
    st: &AppState,
    payment_id: &str,
    body: CancelPaymentBody,
) -> Result<Value, ApiError> {
    const PARTS: &[&str] = &["taxFreeAmount", "vatAmount"];
    const SUM: &str = "SUM_OF_PARTS_EXCEEDS_CANCEL_AMOUNT";
    body.validated()
        .map_err(|e| ApiError::amounts(&e, PARTS, SUM))?;
    let Some(p) = store::payments::load(&st.db, payment_id)
        .await?
        .filter(|p| body.store_id.as_ref().map_or(true, |s| *s == p.store_id))
    else {
        return Err(ApiError::not_found(
            "PAYMENT_NOT_FOUND",
            format!("no payment `{payment_id}`"),
        ));
    };
    check_cancellable_status(&p)?;
    let Some(channel) = p.channel_key.as_deref().and_then(|k| st.channels.get(k)) else {
        return Err(ApiError::pg_provider(
            "the payment's channel is no longer configured; nothing was sent",
            crate::error::PG_CODE_NOT_SENT,
            "",
        ));
    };
    // An absent vatAmount is what the channel's PG computes (Smartro truncates).
    let rounding = channel.adapter.vat_rounding();
    let resolved =
        CancelAmounts::resolve_with(&body, &cancellable(&p), rounding).map_err(|rule| {
            if let paymux_core::model::CancelRule::InvalidRequest(e) = &rule {
                let errs = paymux_core::validation::ValidationErrors(vec![e.clone()]);
                return ApiError::amounts(&errs, PARTS, SUM);
            }
            ApiError::new(
                axum::http::StatusCode::from_u16(rule.http_status())
                    .unwrap_or(axum::http::StatusCode::CONFLICT),
                rule.portone_type(),
                rule.to_string(),
            )
        })?;

    // Take the cancel lock and record the request.
    let cancellation_id = uuid::Uuid::new_v4().hyphenated().to_string();
    let now = util::now();
    let stale = now + chrono::Duration::from_std(st.tuning.stale_after()).unwrap_or_default();
    let started = store::cancellations::start(
        &st.db,
        &NewCancellation {
            id: cancellation_id.clone(),
            payment_id: payment_id.to_string(),
            total_amount: resolved.amount.get(),
            tax_free_amount: resolved.tax_free.get(),
            vat_amount: resolved.vat.get(),
            balance_before: p.amount_total - p.amount_cancelled,
            reason: body.reason.clone(),
            requester: body.requester.and_then(|r| {
                serde_json::to_value(r)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_string))
            }),
            skip_webhook: body.skip_webhook.unwrap_or(false),
        },
        p.amount_cancelled,
        now,
        stale,
    )
    .await?;
    if !started {
        return Err(ApiError::conflict(
            "CANCELLABLE_AMOUNT_CONSISTENCY_BROKEN",
            format!("payment `{payment_id}` changed or another cancel is in progress; retry"),
        ));
    }

    let mut pg_body = body.clone();
    pg_body.amount = Some(resolved.amount);
    pg_body.tax_free_amount = Some(resolved.tax_free);
    pg_body.vat_amount = Some(resolved.vat);
    let req = PgRequest::Cancel(CancelCall {
        payment_id: payment_id.to_string(),
        body: pg_body,
        prior: p.prior(),
    });
    tracing::info!(payment_id, cancellation_id = %cancellation_id, amount = resolved.amount.get(), "cancelling at the PG");
    let result = st.call_pg(channel, now.with_timezone(&kst()), &req).await;
    match &result {
        Ok(Outcome::Approved(a)) => {
            let pg_cancel_id = a.pg_tx_id.clone();
            let at =
                a.at.map(|t| t.with_timezone(&chrono::Utc))
                    .unwrap_or_else(util::now);
            if let ApprovedDetail::Cancelled { cancelled, .. } = &a.detail {
                if *cancelled != resolved.amount {
                    tracing::warn!(
                        payment_id,
                        asked = resolved.amount.get(),
                        pg = cancelled.get(),
                        "the PG reports a different cancel amount"
                    );
                }
            }
            succeed(st, &cancellation_id, pg_cancel_id, at).await?;
        }
        Ok(Outcome::Declined(d)) => {
            let failure = Failure::from_pg(
                format!("declined by the PG ({})", d.kind),
                d.pg_code.clone(),
                d.pg_message.clone(),
            );
            fail(st, &cancellation_id, &failure).await?;
            return Err(ApiError::pg_provider(
                format!("the PG refused the cancel ({})", d.kind),
                &d.pg_code,
                &d.pg_message,
            ));
        }
        Err(e) if e.is_certainly_not_sent() => {
            fail(st, &cancellation_id, &Failure::reason(e.to_string())).await?;
            return Err(not_sent_error(e));
        }
        Ok(_) | Err(_) => {
            let retry = util::now()
                + chrono::Duration::from_std(st.tuning.reconcile_retry_base).unwrap_or_default();
            store::cancellations::set_reconcile_at(&st.db, &cancellation_id, retry).await?;
            tracing::warn!(payment_id, cancellation_id = %cancellation_id, "cancel outcome unknown; left to the reconciler");
        }
    }
    let c = load(st, &cancellation_id)
        .await?
        .ok_or_else(|| ApiError::internal("cancellation vanished"))?;
    Ok(views::render(&views::answers::CancelPaymentResponse {
        cancellation: views::cancellation::Cancellation::from(&c),
    }))
}

fn check_cancellable_status(p: &PaymentRow) -> Result<(), ApiError> {
    match p.status {
        PaymentStatus::Paid | PaymentStatus::PartialCancelled => Ok(()),
        PaymentStatus::Cancelled => Err(ApiError::conflict(
            "PAYMENT_ALREADY_CANCELLED",
            format!("payment `{}` is already fully cancelled", p.id),
        )),
        _ => Err(ApiError::conflict(
            "PAYMENT_NOT_PAID",
            format!("payment `{}` is not paid ({})", p.id, p.status),
        )),
    }
}

/// Record a successful cancel: cancellation `SUCCEEDED`, payment amounts and status, the
/// webhook, lock released — one transaction. `false` when it was already settled.
pub async fn succeed(
    st: &AppState,
    cancellation_id: &str,
    pg_cancellation_id: Option<String>,
    at: chrono::DateTime<chrono::Utc>,
) -> Result<bool, sqlx::Error> {
    let event_for = |c: &CancellationRow, p: &PaymentRow, full: bool| {
        let dest = Destination {
            skip: c.skip_webhook || p.skip_webhook,
            ..p.destination()
        };
        events::event(
            st,
            if full {
                EventType::TransactionCancelled
            } else {
                EventType::TransactionPartialCancelled
            },
            EventData::Transaction {
                store_id: p.store_id.clone(),
                payment_id: p.id.clone(),
                transaction_id: p.transaction_id.clone(),
                cancellation_id: Some(c.id.clone()),
            },
            &dest,
        )
    };
    store::cancellations::succeed(
        &st.db,
        cancellation_id,
        pg_cancellation_id,
        at,
        util::now(),
        event_for,
    )
    .await
}

/// Record a cancel that certainly did not happen; the lock is released.
pub async fn fail(
    st: &AppState,
    cancellation_id: &str,
    failure: &Failure,
) -> Result<bool, sqlx::Error> {
    store::cancellations::fail(
        &st.db,
        cancellation_id,
        store::payments::failure_text(failure),
        util::now(),
    )
    .await
}
