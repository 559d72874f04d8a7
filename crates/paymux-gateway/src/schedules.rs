//! Scheduled billing-key payments: create (`POST /payments/{paymentId}/schedule`), get,
//! revoke (`DELETE /payment-schedules`, all-or-nothing), and the worker that runs due ones.
//!
//! Status: `SCHEDULED` → `STARTED` (claimed by one instance) → `SUCCEEDED` / `FAILED`
//! (`PENDING` while the payment's outcome is unknown), or `REVOKED`. A due schedule is claimed
//! by one atomic `UPDATE ... WHERE status = 'SCHEDULED' ... RETURNING` — with
//! `FOR UPDATE SKIP LOCKED` on PostgreSQL — so several instances never run it twice; and the
//! payment it makes is claimed like any other, so even a re-run could not charge twice.

use std::sync::Arc;

use paymux_core::model::{
    BillingKeyPaymentInput, CreatePaymentScheduleBody, RevokePaymentSchedulesBody, Validate,
};
use serde_json::Value;

use crate::domain::Origin;
use crate::domain::{BillingKeyStatus, PaymentStatus, ScheduleStatus};
use crate::error::ApiError;
use crate::payments;
use crate::state::AppState;
use crate::store;
use crate::store::schedules::{NewSchedule, RevokeError, RevokeRefusal, ScheduleRow};
use crate::util;
use crate::views;

/// `POST /payments/{paymentId}/schedule`.
pub async fn create(
    st: &AppState,
    payment_id: &str,
    body: CreatePaymentScheduleBody,
) -> Result<Value, ApiError> {
    const PARTS: &[&str] = &["payment.amount.taxFree", "payment.amount.vat"];
    const SUM: &str = "SUM_OF_PARTS_EXCEEDS_TOTAL_AMOUNT";
    body.validated()
        .map_err(|e| ApiError::amounts(&e, PARTS, SUM))?;
    // The amounts must add up now, not only when the schedule runs.
    body.payment
        .amount
        .resolve(&paymux_core::validation::FieldPath::root("payment.amount"))
        .map_err(|e| ApiError::amounts(&e, PARTS, SUM))?;
    let key = crate::billing_keys::load(st, &body.payment.billing_key)
        .await?
        .ok_or_else(|| {
            ApiError::not_found(
                "BILLING_KEY_NOT_FOUND",
                format!(
                    "payment.billingKey: no billing key `{}`",
                    body.payment.billing_key
                ),
            )
        })?;
    match key.status {
        BillingKeyStatus::Issued => {}
        BillingKeyStatus::Deleted => {
            return Err(ApiError::conflict(
                "BILLING_KEY_ALREADY_DELETED",
                format!("billing key `{}` was deleted", key.billing_key),
            ))
        }
        _ => {
            return Err(ApiError::not_found(
                "BILLING_KEY_NOT_FOUND",
                format!("payment.billingKey: `{}` is not issued", key.billing_key),
            ))
        }
    }
    if let Some(p) = store::payments::load(&st.db, payment_id).await? {
        if p.status != PaymentStatus::Failed {
            return Err(ApiError::conflict(
                "ALREADY_PAID_OR_WAITING",
                format!("payment `{payment_id}` already exists ({})", p.status),
            ));
        }
    }
    let payment_json = serde_json::to_string(&body.payment)
        .map_err(|_| ApiError::internal("serialize schedule"))?;
    // What the scheduler will charge, checked now against the channels' rules.
    let payment: BillingKeyPaymentInput = serde_json::from_str(&payment_json)
        .map_err(|_| ApiError::internal("read back the scheduled payment"))?;
    payments::check_billing_key_payment(st, payment_id, &payment, &key).await?;
    let id = uuid::Uuid::new_v4().hyphenated().to_string();
    let new = NewSchedule {
        id: id.clone(),
        payment_id: payment_id.to_string(),
        billing_key: key.billing_key.clone(),
        store_id: body
            .payment
            .store_id
            .clone()
            .unwrap_or_else(|| key.store_id.clone()),
        time_to_pay: body.time_to_pay.with_timezone(&chrono::Utc),
        payment_json,
    };
    if store::schedules::insert(&st.db, &new, util::now()).await? {
        Ok(views::render(
            &views::answers::CreatePaymentScheduleResponse {
                schedule: views::answers::PaymentScheduleSummary { id },
            },
        ))
    } else {
        Err(ApiError::conflict(
            "PAYMENT_SCHEDULE_ALREADY_EXISTS",
            format!("payment `{payment_id}` already has a schedule"),
        ))
    }
}

/// `GET /payment-schedules/{id}`.
///
/// `store_id`, when given, must be the schedule's store (PortOne's optional `storeId`).
pub async fn get(st: &AppState, id: &str, store_id: Option<&str>) -> Result<Value, ApiError> {
    match store::schedules::load(&st.db, id).await? {
        Some(s) if store_id.map_or(true, |want| want == s.store_id) => Ok(views::render(
            &views::schedule::PaymentSchedule::of(&s, &st.merchant_id),
        )),
        _ => Err(ApiError::not_found(
            "PAYMENT_SCHEDULE_NOT_FOUND",
            format!("no payment schedule `{id}`"),
        )),
    }
}

/// `DELETE /payment-schedules`: revoke by ids and/or billing key, all or nothing.
pub async fn revoke(st: &AppState, body: RevokePaymentSchedulesBody) -> Result<Value, ApiError> {
    body.validated().map_err(|e| ApiError::validation(&e))?;
    let now = util::now();
    let check = |targets: &[ScheduleRow]| -> Result<(), ApiError> {
        for s in targets {
            match s.status {
                ScheduleStatus::Scheduled => {}
                ScheduleStatus::Revoked => {
                    return Err(ApiError::conflict(
                        "PAYMENT_SCHEDULE_ALREADY_REVOKED",
                        format!("payment schedule `{}` is already revoked", s.id),
                    ))
                }
                other => {
                    return Err(ApiError::conflict(
                        "PAYMENT_SCHEDULE_ALREADY_PROCESSED",
                        format!("payment schedule `{}` is already {other}", s.id),
                    ))
                }
            }
        }
        Ok(())
    };
    let ids = body.schedule_ids.clone().unwrap_or_default();
    let targets =
        match store::schedules::revoke(&st.db, &ids, body.billing_key.as_deref(), now, check).await
        {
            Ok(t) => t,
            Err(RevokeError::Check(e)) => return Err(e),
            Err(RevokeError::Db(e)) => return Err(e.into()),
            Err(RevokeError::Refused(r)) => return Err(refusal_error(&r)),
        };
    let ids: Vec<&str> = targets.iter().map(|s| s.id.as_str()).collect();
    Ok(views::render(
        &views::answers::RevokePaymentSchedulesResponse {
            revoked_schedule_ids: ids.iter().map(|s| (*s).to_string()).collect(),
            revoked_at: util::rfc3339(now),
        },
    ))
}

fn refusal_error(r: &RevokeRefusal) -> ApiError {
    match r {
        RevokeRefusal::NoSchedule(id) => ApiError::not_found(
            "PAYMENT_SCHEDULE_NOT_FOUND",
            format!("scheduleIds: no payment schedule `{id}`"),
        ),
        RevokeRefusal::NotOfKey(id) => ApiError::invalid(format!(
            "scheduleIds: schedule `{id}` does not belong to billingKey"
        )),
        RevokeRefusal::NoBillingKey(k) => ApiError::not_found(
            "BILLING_KEY_NOT_FOUND",
            format!("billingKey: no billing key `{k}`"),
        ),
        // The worker started it meanwhile: nothing is revoked.
        RevokeRefusal::StartedMeanwhile(id) => ApiError::conflict(
            "PAYMENT_SCHEDULE_ALREADY_PROCESSED",
            format!("payment schedule `{id}` started meanwhile"),
        ),
    }
}

/// Claim and run every due schedule once. Returns how many were run.
pub async fn run_due(st: &Arc<AppState>) -> Result<usize, sqlx::Error> {
    recover_abandoned(st).await?;
    let claimed = store::schedules::claim_due(&st.db, util::now(), &st.instance_id).await?;
    let n = claimed.len();
    // Concurrently: one PG that answers slowly must not hold back the other claimed runs
    // (they were claimed together, so each would otherwise wait for all before it).
    let mut runs = tokio::task::JoinSet::new();
    for s in claimed {
        let st = st.clone();
        runs.spawn(async move { run_one(&st, s).await });
    }
    let mut first_error = None;
    while let Some(r) = runs.join_next().await {
        match r {
            Ok(Ok(())) => {}
            Ok(Err(e)) => {
                first_error.get_or_insert(e);
            }
            Err(e) => tracing::error!(error = %e, "a scheduled run panicked or was cancelled"),
        }
    }
    match first_error {
        Some(e) => Err(e),
        None => Ok(n),
    }
}

/// Schedules whose claiming instance stopped (crashed, was killed) before finishing them:
/// `STARTED` for longer than a payment can be in flight. Without a payment they go back to
/// `SCHEDULED` and run again — safe, because the payment itself is claimed by its `paymentId`,
/// so no run can charge twice. With one, they take its status (the reconciler settles an
/// unknown payment, and its transition moves the schedule on).
async fn recover_abandoned(st: &AppState) -> Result<(), sqlx::Error> {
    let cutoff =
        util::now() - chrono::Duration::from_std(st.tuning.stale_after()).unwrap_or_default();
    for r in store::schedules::started_before(&st.db, cutoff).await? {
        // Only this schedule's own payment decides; none (or an earlier, failed payment
        // under the same id) means the run never got as far as claiming it.
        let own = store::payments::load(&st.db, &r.payment_id)
            .await?
            .filter(|p| p.schedule_id.as_deref() == Some(r.id.as_str()));
        match own {
            None => {
                if store::schedules::unclaim(&st.db, &r).await? {
                    tracing::warn!(schedule_id = %r.id, "schedule abandoned before its payment was made; it will run again");
                }
            }
            Some(p) => {
                tracing::warn!(schedule_id = %r.id, payment_status = %p.status, "schedule abandoned after its payment was made; it follows the payment");
                finish(st, &r.id, ScheduleStatus::of_payment(p.status)).await?;
            }
        }
    }
    Ok(())
}

async fn run_one(st: &AppState, s: ScheduleRow) -> Result<(), sqlx::Error> {
    tracing::info!(schedule_id = %s.id, payment_id = %s.payment_id, "running scheduled payment");
    let body: BillingKeyPaymentInput = match serde_json::from_str(&s.payment_json) {
        Ok(b) => b,
        Err(e) => {
            tracing::error!(schedule_id = %s.id, error = %e, "stored schedule is unreadable");
            finish(st, &s.id, ScheduleStatus::Failed).await?;
            return Ok(());
        }
    };
    let (answer, final_status) =
        payments::pay_with_billing_key(st, &s.payment_id, body, Some(&s.id), &Origin::scheduler())
            .await;
    // The payment's transition already moved the schedule when a payment was made; a
    // request refused before any payment existed (key deleted, no channel) ends here. A
    // refused duplicate of this schedule's own payment (a re-run after a takeover) follows
    // that payment rather than failing the schedule.
    let mut status = ScheduleStatus::of_payment(final_status);
    if matches!(&answer, Err(e) if matches!(e.kind(), "ALREADY_PAID" | "ALREADY_PAID_OR_WAITING")) {
        if let Some(p) = store::payments::load(&st.db, &s.payment_id).await? {
            if p.schedule_id.as_deref() == Some(s.id.as_str()) {
                status = ScheduleStatus::of_payment(p.status);
            }
        }
    }
    if let Err(e) = &answer {
        tracing::info!(schedule_id = %s.id, error_type = e.kind(), "scheduled payment did not succeed");
    }
    finish(st, &s.id, status).await?;
    Ok(())
}

async fn finish(st: &AppState, id: &str, status: ScheduleStatus) -> Result<(), sqlx::Error> {
    store::schedules::finish(&st.db, id, status, util::now()).await
}
