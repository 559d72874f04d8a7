//! Routing and attempts: the plan of channels, the request each is sent, the precheck that
//! encodes before anything is written, and the attempts (with failover) of a claimed payment.

use std::sync::Mutex;
use std::time::Duration;

use chrono::{DateTime, FixedOffset, Utc};
use paymux_core::adapter::kst;
use paymux_core::error::PgError;
use paymux_core::execute::{Checked, Validated};
use paymux_core::outcome::Outcome;
use paymux_routing::{FailoverPlan, SkipReason, SkippedChannel};
use serde_json::{json, Value};

use super::record::{answer_from_row, apply_known};
use super::settle::{not_sent_error, settle};
use crate::domain::PaymentStatus;
use crate::error::ApiError;
use crate::state::{AppState, Encoded};
use crate::store;
use crate::store::payments::{Known, NewPayment};
use crate::util;

/// The channels routing left out because their rules refuse the request, as stored with the
/// payment (`routing.refused`) so an operator can see why a payment went where it went.
pub fn refused_json(refused: &[SkippedChannel]) -> Value {
    if refused.is_empty() {
        return Value::Null;
    }
    let list: Vec<Value> = refused
        .iter()
        .map(|r| {
            let rule = match &r.reason {
                SkipReason::Refused { rule } => rule.clone(),
                other => other.to_string(),
            };
            json!({"channelKey": r.channel_key, "rule": rule})
        })
        .collect();
    json!({ "refused": list })
}

/// Encode the request for the plan's first channel. With failover on, a channel whose rules
/// or encoder refuse (nothing sent) is passed over like one whose rules refuse in routing,
/// and the next is tried.
pub(super) fn precheck_plan(
    st: &AppState,
    plan: &mut Plan<'_>,
    now_kst: DateTime<FixedOffset>,
    requests: &Requests<'_>,
) -> Result<Option<Encoded>, ApiError> {
    loop {
        let primary = plan.primary();
        let Some(entry) = st.channels.get(primary) else {
            return Ok(None);
        };
        let encoded = match requests.validated(st, primary) {
            None => return Ok(None),
            Some(v) => v.and_then(|v| st.encode(entry, now_kst, &v)),
        };
        match encoded {
            Ok(e) => return Ok(Some(e)),
            Err(e) => {
                let passed_over = match plan {
                    Plan::Routed(p) if e.is_certainly_not_sent() => {
                        p.pass_over_primary(e.to_string())
                    }
                    _ => false,
                };
                if !passed_over {
                    return Err(not_sent_error(&e));
                }
            }
        }
    }
}

/// What each channel is sent: the request (one for every channel, or one per channel: a
/// billing-key payment carries each channel's PG key) that PortOne's generic rules passed once,
/// and the channels' validations of it. Routing asks every candidate channel's rules once
/// ([`AppState::rules_verdict`]); a channel not asked yet is asked when first needed.
pub struct Requests<'r> {
    checked: Checks<'r>,
    validated: Vec<Validated<'r>>,
}

enum Checks<'r> {
    Same(&'r Checked<'r>),
    PerChannel(&'r [(String, Checked<'r>)]),
}

impl<'r> Requests<'r> {
    /// One request for every channel, and the validations routing made of it.
    pub fn same(checked: &'r Checked<'r>, validated: Vec<Validated<'r>>) -> Self {
        Requests {
            checked: Checks::Same(checked),
            validated,
        }
    }

    /// A request per channel key, and the validations routing made of them.
    pub fn per_channel(
        checked: &'r [(String, Checked<'r>)],
        validated: Vec<Validated<'r>>,
    ) -> Self {
        Requests {
            checked: Checks::PerChannel(checked),
            validated,
        }
    }

    /// The request for channel `key`.
    pub fn for_channel(&self, key: &str) -> Option<&'r Checked<'r>> {
        match self.checked {
            Checks::Same(c) => Some(c),
            Checks::PerChannel(v) => v.iter().find(|(k, _)| k == key).map(|(_, c)| c),
        }
    }

    /// The request for channel `key` validated by that channel's rules: routing's
    /// validation, or (a channel routing did not ask) the channel's rules asked now. `None`
    /// when there is no request for the channel.
    pub fn validated(&self, st: &'r AppState, key: &str) -> Option<Result<Validated<'r>, PgError>> {
        if let Some(v) = self.validated.iter().find(|v| v.channel_key() == key) {
            return Some(Ok(v.clone()));
        }
        let checked = self.for_channel(key)?;
        Some(match st.channels.get(key) {
            Some(entry) => checked.for_channel(entry.adapter.as_ref(), &entry.ctx),
            None => Err(PgError::NotSent {
                reason: format!("channel `{key}` is not configured"),
            }),
        })
    }
}

/// How the channel is chosen.
pub enum Plan<'a> {
    /// One channel.
    Single(String),
    /// Routed through a group.
    Routed(FailoverPlan<'a>),
}

impl Plan<'_> {
    /// The channel the first attempt goes to.
    pub fn primary(&self) -> &str {
        match self {
            Plan::Single(k) => k,
            Plan::Routed(p) => p.primary(),
        }
    }

    /// Channels left out because their rules refuse the request.
    pub fn refused(&self) -> &[SkippedChannel] {
        match self {
            Plan::Single(_) => &[],
            Plan::Routed(p) => p.refused(),
        }
    }
}

/// Record the channel an attempt goes to (unless the row already names it: the claim records
/// the first channel), then call the PG: send what the precheck encoded (`encoded`, for the
/// first channel), or encode the request validated for this channel.
#[allow(clippy::too_many_arguments)]
async fn attempt(
    st: &AppState,
    payment_id: &str,
    transaction_id: &str,
    channel_key: &str,
    recorded: &Mutex<Option<String>>,
    now_kst: DateTime<FixedOffset>,
    requests: &Requests<'_>,
    encoded: Option<Encoded>,
    routed: Option<&Mutex<Vec<Duration>>>,
) -> Result<Outcome, PgError> {
    let Some(entry) = st.channels.get(channel_key) else {
        return Err(PgError::NotSent {
            reason: format!("channel `{channel_key}` is not configured"),
        });
    };
    let Some(req) = requests.for_channel(channel_key).map(Checked::request) else {
        return Err(PgError::NotSent {
            reason: format!("the billing key holds no key on channel `{channel_key}`"),
        });
    };
    let already = lock(recorded).as_deref() == Some(channel_key);
    if !already {
        let channel_json = util::to_json_text(&entry.selected());
        if let Err(e) = store::payments::record_channel(
            &st.db,
            payment_id,
            transaction_id,
            channel_key,
            channel_json,
            util::now(),
        )
        .await
        {
            tracing::error!(error = %e, payment_id, "could not record the channel; not sending");
            return Err(PgError::NotSent {
                reason: "the gateway could not record the attempt".into(),
            });
        }
        // This channel's PG may round the VAT it computes differently from the first's.
        if let Some(a) = super::amounts_on(entry, req) {
            if let Err(e) =
                store::payments::record_vat(&st.db, payment_id, transaction_id, &a).await
            {
                tracing::error!(error = %e, payment_id, "could not record the amounts; not sending");
                return Err(PgError::NotSent {
                    reason: "the gateway could not record the attempt".into(),
                });
            }
        }
        *lock(recorded) = Some(channel_key.to_string());
    }
    tracing::info!(payment_id, transaction_id, channel = channel_key, op = %req.operation(), "calling PG");
    // The first channel sends what the precheck encoded; another encodes what it validated.
    let encoded = match encoded {
        Some(e) => Ok(e),
        None => match requests.validated(st, channel_key) {
            Some(v) => v.and_then(|v| st.encode(entry, now_kst, &v)),
            None => Err(PgError::NotSent {
                reason: format!("the billing key holds no key on channel `{channel_key}`"),
            }),
        },
    };
    // A routed attempt's result counts for the channel's health, and its latency for the
    // group's stats.
    let answer = st.pg_call(entry, req, encoded, routed.is_some()).await;
    if let Some(took) = routed {
        lock_vec(took).push(answer.took);
    }
    // What was sent and answered, masked, for the console (buffered; built when written),
    // unless the operator turned wire views off.
    if st.tuning.wire_views {
        st.wire_log
            .record(payment_id, transaction_id, channel_key, req, &answer);
    }
    answer.result
}

/// [`attempt`] of a routed payment: notes a zero latency for an attempt that ended before the
/// PG call, so latencies line up with routing's attempts.
#[allow(clippy::too_many_arguments)]
async fn routed_attempt(
    st: &AppState,
    payment_id: &str,
    transaction_id: &str,
    channel_key: &str,
    recorded: &Mutex<Option<String>>,
    now_kst: DateTime<FixedOffset>,
    requests: &Requests<'_>,
    encoded: Option<Encoded>,
    took: &Mutex<Vec<Duration>>,
) -> Result<Outcome, PgError> {
    let before = lock_vec(took).len();
    let result = attempt(
        st,
        payment_id,
        transaction_id,
        channel_key,
        recorded,
        now_kst,
        requests,
        encoded,
        Some(took),
    )
    .await;
    let called = {
        let mut t = lock_vec(took);
        let called = t.len() > before;
        if !called {
            t.push(Duration::ZERO);
        }
        called
    };
    // Ended before the PG call (so before its health layer): health hears of it here, as
    // routing always reported every attempt.
    if !called {
        st.shared_health().record(channel_key, &result).await;
    }
    result
}

fn lock_vec(m: &Mutex<Vec<Duration>>) -> std::sync::MutexGuard<'_, Vec<Duration>> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn lock(m: &Mutex<Option<String>>) -> std::sync::MutexGuard<'_, Option<String>> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Run a claimed payment through its plan and settle it. Returns the HTTP answer and the
/// final status.
pub(super) async fn execute_claimed(
    st: &AppState,
    np: &NewPayment,
    transaction_id: &str,
    plan: Plan<'_>,
    requests: &Requests<'_>,
    now: DateTime<Utc>,
    mut prechecked: Option<Encoded>,
) -> (Result<Value, ApiError>, PaymentStatus) {
    let payment_id = np.id.as_str();
    let now_kst = now.with_timezone(&kst());
    // The channel the row names now: the claim recorded the precheck's channel
    // (`NewPayment::first_channel`). Attempts are sequential.
    let recorded = Mutex::new(prechecked.as_ref().map(|p| p.channel_key().to_string()));
    let result = match plan {
        Plan::Single(key) => {
            attempt(
                st,
                payment_id,
                transaction_id,
                &key,
                &recorded,
                now_kst,
                requests,
                prechecked,
                None,
            )
            .await
        }
        Plan::Routed(p) => {
            let group_id = p.group().id.as_str();
            let refused = p.refused().to_vec();
            let took = Mutex::new(Vec::new());
            // Health is recorded around each PG call (`crate::pgcall::HealthLayer`).
            let routed = p
                .run_admitting(Some(&st.health), |c| {
                    // The precheck encoded for the primary; any other channel encodes its own.
                    let mine = match &prechecked {
                        Some(pre) if pre.channel_key() == c.channel_key => prechecked.take(),
                        _ => None,
                    };
                    routed_attempt(
                        st,
                        payment_id,
                        transaction_id,
                        c.channel_key,
                        &recorded,
                        now_kst,
                        requests,
                        mine,
                        &took,
                    )
                })
                .await;
            let took = lock_vec(&took).clone();
            let records: Vec<crate::stats::AttemptRecord<'_>> = routed
                .attempts
                .iter()
                .enumerate()
                .map(|(i, a)| crate::stats::AttemptRecord {
                    channel_key: &a.channel_key,
                    result: &a.result,
                    took: took.get(i).copied().unwrap_or_default(),
                })
                .collect();
            st.routing_log.record(
                st.tuning.observability.then_some(&st.metrics),
                group_id,
                payment_id,
                &records,
                &refused,
            );
            if routed.attempts.len() > 1 {
                tracing::info!(
                    payment_id,
                    attempts = routed.attempts.len(),
                    channel = routed.channel_key,
                    "failed over"
                );
                keep_failed_over(st, np, transaction_id, &routed.attempts, now).await;
            }
            routed.result
        }
    };
    let retry_at = util::now()
        + chrono::Duration::from_std(st.tuning.reconcile_retry_base).unwrap_or_default();
    let (transition, answer) = settle(payment_id, &result, retry_at);
    let final_status = transition.status();
    // This request claimed the row: what a transition needs of it is known, no read.
    match apply_known(
        st,
        payment_id,
        transaction_id,
        &transition,
        &Known::claimed(np),
    )
    .await
    {
        Ok(true) => (answer, final_status),
        Ok(false) => {
            // Settled meanwhile (the reconciler asked the PG first): answer from the record.
            match store::payments::load(&st.db, payment_id).await {
                Ok(Some(p)) => (answer_from_row(&p), p.status),
                _ => (
                    Err(ApiError::outcome_unknown(payment_id)),
                    PaymentStatus::PayPending,
                ),
            }
        }
        Err(e) => {
            // The PG answered but the answer could not be recorded: the row keeps its
            // reconcile_at, and the reconciler will ask the PG again. Never report failure.
            tracing::error!(error = %e, payment_id, "could not record the PG's answer; left to the reconciler");
            (
                Err(ApiError::outcome_unknown(payment_id)),
                PaymentStatus::PayPending,
            )
        }
    }
}

/// Record the attempts routing failed over from (all but the last), each under its own
/// transaction id, for `GET /payments/{id}/transactions`. A failure to record is logged: the
/// payment itself is settled either way.
async fn keep_failed_over(
    st: &AppState,
    np: &NewPayment,
    transaction_id: &str,
    attempts: &[paymux_routing::failover::Attempt],
    requested: DateTime<Utc>,
) {
    use crate::domain::Failure;
    use paymux_routing::failover::AttemptResult;
    let failed_at = util::micros(util::now());
    let rows: Vec<store::attempts::AttemptRow> = attempts[..attempts.len() - 1]
        .iter()
        .map(|a| {
            let failure = match &a.result {
                AttemptResult::Declined {
                    pg_code,
                    pg_message,
                    kind,
                    ..
                } => Failure::from_pg(
                    format!("declined by the PG ({kind})"),
                    pg_code.clone(),
                    pg_message.clone(),
                ),
                AttemptResult::Error { message, .. } => Failure::reason(message.clone()),
                AttemptResult::Unknown { reason } => Failure::reason(reason.clone()),
                other => Failure::reason(format!("failed over ({other:?})")),
            };
            store::attempts::AttemptRow {
                id: util::row_uuid().hyphenated().to_string(),
                payment_id: np.id.clone(),
                transaction_id: transaction_id.to_string(),
                channel_key: Some(a.channel_key.clone()),
                channel_json: st
                    .channels
                    .get(&a.channel_key)
                    .and_then(|e| util::to_json_text(&e.selected())),
                method_json: np.method.as_ref().and_then(store::payments::method_text),
                failure: Some(failure),
                requested_at: util::micros(requested),
                failed_at,
            }
        })
        .collect();
    if let Err(e) = store::attempts::insert(&st.db, &rows).await {
        tracing::error!(error = %e, payment_id = np.id, "could not record the failed-over attempts");
    }
}

/// The `SelectedChannel` JSON of the channel a precheck encoded for (where the first attempt
/// goes).
pub(super) fn first_channel_json(st: &AppState, prechecked: Option<&Encoded>) -> Option<String> {
    let entry = st.channels.get(prechecked?.channel_key())?;
    util::to_json_text(&entry.selected())
}
