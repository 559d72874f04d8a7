//! The reconciler: resolves payments and cancels whose outcome is unknown by asking the PG
//! (`payment.get`), never by guessing.
//!
//! It looks at rows whose `reconcile_at` has come: payments still `READY` (the gateway died
//! mid-request) or `PAY_PENDING`, and cancellations still `REQUESTED`. Each row is leased
//! first (`reconcile_at` moved forward with a conditional `UPDATE`), so two instances never
//! ask about one row at once.
//!
//! | PG says | payment | cancellation |
//! |---|---|---|
//! | approved / partly / fully cancelled | `PAID` | balance = before − amount → `SUCCEEDED`; balance = before → `FAILED` |
//! | not found / failed | `FAILED` (once `not_found_grace` has passed since the request) | — (retry) |
//! | pending, unknown, error | retry later (backoff ×2, capped at 1 h) | retry later |
//!
//! Billing keys an interrupted issue left `ISSUING` become `FAILED` once nothing can still
//! complete them ([`crate::stale_keys`]).
//!
//! The same pass expires hosted-checkout sessions nobody came back to
//! ([`crate::checkout::expire_due`]): their `READY` payments become `FAILED`. A window payment
//! waiting for its customer has no `reconcile_at` (nothing was sent to the PG yet); it gets one
//! when the window returns and the approval is sent.

use std::sync::Arc;
use std::time::Duration;

use crate::domain::Transition;
use crate::domain::{Failure, PaymentStatus};
use crate::flow;
use crate::state::AppState;
use crate::store;
use crate::store::payments::PaymentRow;
use crate::store::reconcile::{self, Table};
use crate::util;
use paymux_core::adapter::{kst, GetPaymentCall, PgRequest};
use paymux_core::outcome::{ApprovedDetail, DeclineKind, Outcome, TxState};

/// What one pass did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Report {
    /// Rows looked at.
    pub examined: usize,
    /// Rows settled (paid, failed, cancel succeeded or failed).
    pub resolved: usize,
}

/// Look at every due row once.
pub async fn reconcile_once(st: &Arc<AppState>) -> Result<Report, sqlx::Error> {
    let mut report = Report::default();
    let now = util::now();
    for due in reconcile::due(&st.db, Table::Payments, now).await? {
        if !lease(st, Table::Payments, &due).await? {
            continue;
        }
        report.examined += 1;
        if let Some(p) = store::payments::load(&st.db, &due.id).await? {
            if resolve_payment(st, &p).await? {
                report.resolved += 1;
            }
        }
    }
    // Checkout sessions nobody came back to: expire them (their payments become FAILED).
    if let Err(e) = crate::checkout::expire_due(st).await {
        tracing::warn!(error = %e, "could not expire checkout sessions; will retry");
    }
    // Billing keys an interrupted issue left ISSUING (after the windows above expired).
    match crate::stale_keys::resolve_due(st).await {
        Ok(n) => report.resolved += n,
        Err(e) => {
            tracing::warn!(error = %e, "could not settle stale ISSUING billing keys; will retry")
        }
    }
    for due in reconcile::due(&st.db, Table::Cancellations, now).await? {
        if !lease(st, Table::Cancellations, &due).await? {
            continue;
        }
        report.examined += 1;
        if resolve_cancellation(st, &due.id).await? {
            report.resolved += 1;
        }
    }
    Ok(report)
}

/// Move `reconcile_at` forward so no other instance takes the row meanwhile.
async fn lease(st: &AppState, table: Table, due: &reconcile::Due) -> Result<bool, sqlx::Error> {
    let until =
        util::now() + chrono::Duration::from_std(st.tuning.stale_after()).unwrap_or_default();
    reconcile::lease(&st.db, table, due, until).await
}

fn retry_delay(st: &AppState, attempts: i64) -> Duration {
    let exp = u32::try_from(attempts.clamp(0, 12)).unwrap_or(12);
    st.tuning
        .reconcile_retry_base
        .saturating_mul(2u32.saturating_pow(exp))
        .min(Duration::from_secs(3600))
}

async fn retry_later(st: &AppState, table: Table, id: &str) -> Result<(), sqlx::Error> {
    let attempts = reconcile::attempts(&st.db, table, id).await?;
    let at =
        util::now() + chrono::Duration::from_std(retry_delay(st, attempts - 1)).unwrap_or_default();
    reconcile::retry_at(&st.db, table, id, at).await
}

/// Ask the PG about one payment. `true` when it was settled.
pub(crate) async fn resolve_payment(st: &AppState, p: &PaymentRow) -> Result<bool, sqlx::Error> {
    let Some(channel) = p.channel_key.as_deref().and_then(|k| st.channels.get(k)) else {
        if p.channel_key.is_none() && p.status == PaymentStatus::Ready {
            // Claimed but no channel was ever recorded: nothing was sent.
            let t = Transition::Failed {
                failure: Failure::reason(
                    "the gateway stopped before sending the payment to the PG",
                ),
            };
            return flow::apply(st, &p.id, &p.transaction_id, &t).await;
        }
        tracing::warn!(payment_id = %p.id, "cannot reconcile: the payment's channel is not configured");
        retry_later(st, Table::Payments, &p.id).await?;
        return Ok(false);
    };
    let req = PgRequest::Get(GetPaymentCall {
        payment_id: p.id.clone(),
        prior: p.prior(),
    });
    let result = st
        .call_pg(channel, util::now().with_timezone(&kst()), &req)
        .await;
    let transition = match &result {
        Ok(Outcome::Approved(a)) => match &a.detail {
            ApprovedDetail::Inquiry(report) => match report.state {
                TxState::Approved | TxState::PartiallyCancelled | TxState::Cancelled => {
                    if report.state != TxState::Approved {
                        tracing::warn!(payment_id = %p.id, state = ?report.state, "the PG reports the unknown payment as (partly) cancelled");
                    }
                    Some(Transition::Paid {
                        pg_tx_id: report.pg_tx_id.clone().or_else(|| a.pg_tx_id.clone()),
                        paid_at: a
                            .at
                            .map(|t| t.with_timezone(&chrono::Utc))
                            .unwrap_or_else(util::now),
                        method: None,
                        receipt_url: a.receipt_url.clone(),
                    })
                }
                TxState::NotFound | TxState::Failed => Some(Transition::Failed {
                    failure: Failure::from_pg(
                        "the PG has no completed payment (resolved by inquiry after an unknown outcome)",
                        a.pg_code.clone(),
                        a.pg_message.clone(),
                    ),
                }),
                TxState::Pending => None,
            },
            _ => None,
        },
        Ok(Outcome::Declined(d)) if d.kind == DeclineKind::NotFound => Some(Transition::Failed {
            failure: Failure::from_pg(
                "the PG has no such payment (resolved by inquiry after an unknown outcome)",
                d.pg_code.clone(),
                d.pg_message.clone(),
            ),
        }),
        _ => None,
    };
    // A fresh "not found" may only mean the PG has not finished recording the payment.
    let young = util::now().signed_duration_since(util::from_micros(p.requested_at))
        < chrono::Duration::from_std(st.tuning.not_found_grace).unwrap_or_default();
    let transition = match transition {
        Some(Transition::Failed { .. }) if young => None,
        t => t,
    };
    match transition {
        Some(t) => {
            let done = flow::apply(st, &p.id, &p.transaction_id, &t).await?;
            tracing::info!(payment_id = %p.id, settled = done, outcome = match t { Transition::Paid{..} => "paid", _ => "failed" }, "reconciled by inquiry");
            Ok(done)
        }
        None => {
            tracing::info!(payment_id = %p.id, "still unknown after inquiry; will ask again");
            retry_later(st, Table::Payments, &p.id).await?;
            Ok(false)
        }
    }
}

/// Ask the PG about a cancel whose outcome is unknown. `true` when it was settled.
async fn resolve_cancellation(st: &AppState, id: &str) -> Result<bool, sqlx::Error> {
    let Some(c) = crate::cancel::load(st, id).await? else {
        return Ok(false);
    };
    let Some(p) = store::payments::load(&st.db, &c.payment_id).await? else {
        return Ok(false);
    };
    let Some(channel) = p.channel_key.as_deref().and_then(|k| st.channels.get(k)) else {
        retry_later(st, Table::Cancellations, id).await?;
        return Ok(false);
    };
    let req = PgRequest::Get(GetPaymentCall {
        payment_id: p.id.clone(),
        prior: p.prior(),
    });
    let result = st
        .call_pg(channel, util::now().with_timezone(&kst()), &req)
        .await;
    if let Ok(Outcome::Approved(a)) = &result {
        if let ApprovedDetail::Inquiry(report) = &a.detail {
            let balance = report.balance.map(|b| b.get()).or(match report.state {
                TxState::Cancelled => Some(0),
                _ => None,
            });
            if let Some(balance) = balance {
                if balance == c.balance_before - c.total_amount {
                    return crate::cancel::succeed(st, id, None, util::now()).await;
                }
                if balance == c.balance_before {
                    let failure = Failure::reason(
                        "the PG did not cancel (resolved by inquiry after an unknown outcome)",
                    );
                    return crate::cancel::fail(st, id, &failure).await;
                }
                tracing::warn!(
                    cancellation_id = id,
                    balance,
                    before = c.balance_before,
                    amount = c.total_amount,
                    "PG balance matches neither outcome; needs a person"
                );
            }
        }
    }
    retry_later(st, Table::Cancellations, id).await?;
    Ok(false)
}
