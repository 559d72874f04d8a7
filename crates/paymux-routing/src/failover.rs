//! Failover: after the chosen channel fails, try another — only when nothing was charged.
//!
//! A paymux extension, opt-in per group (`"failover": true`); PortOne documents no failover
//! and simply returns the PG's error, which is what a group without the flag does.
//!
//! **When** ([`may_fail_over`]): only when it is certain that nothing happened at the PG:
//!
//! - a `PgError` with `is_certainly_not_sent()` (validation, configuration, unsupported,
//!   encoding, connection never made: nothing reached the PG), or
//! - `Outcome::Declined` with `retry_safe == true` (PG maintenance, merchant configuration).
//!
//! Never after `Outcome::Unknown` (the first PG may have charged: retrying elsewhere could
//! charge twice; resolve by inquiry or net cancel), never after an error raised once the
//! request was sent, and never after a real decline (card declined, insufficient funds, ...:
//! retrying those on other PGs is card testing and will not change the issuer's answer).
//!
//! **Order**: the eligible channels (see [`mod@crate::select`]) drawn without replacement,
//! weight-proportionally, from the `paymentId`'s hash ([`WeightedOrder`]). It is deterministic
//! for a `paymentId`, and its first element is the channel plain selection picks. Weight-0
//! channels are not fallbacks: a weight of 0 means "send nothing here".

use std::future::Future;

use paymux_core::adapter::{Method, Operation};
use paymux_core::error::PgError;
use paymux_core::outcome::{DeclineKind, Outcome};
use serde::Serialize;

use crate::directory::ChannelDirectory;
use crate::error::RoutingError;
use crate::error::SkippedChannel;
use crate::group::ChannelGroup;
use crate::hash::routing_hash;
use crate::health::{Admission, HealthTracker};
use crate::select::{
    accept_all, apply_rules, health_filtered, no_eligible, scan, JobSpec, WeightedOrder,
    MAX_ROUTABLE_CHANNELS,
};
use crate::super_key::{keyed_eligible_with_rules, BillingKeyRoute};

/// May the router try another channel after this result? See the module docs.
pub fn may_fail_over(result: &Result<Outcome, PgError>) -> bool {
    match result {
        Err(e) => e.is_certainly_not_sent(),
        Ok(Outcome::Declined(d)) => d.retry_safe,
        Ok(_) => false,
    }
}

/// A channel about to be tried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Candidate<'a> {
    /// The channel key.
    pub channel_key: &'a str,
    /// Position in the group's `channels`, when the channel is in the group.
    pub index: Option<usize>,
    /// Its weight in the group (0 when not in the group).
    pub weight: u32,
    /// 0 for the primary channel, 1 for the first fallback, ...
    pub attempt: usize,
    /// `true` when this request is the channel's health probe.
    pub probe: bool,
}

/// What one attempt gave, summarized (no secrets, no PG payloads).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "result", rename_all = "SCREAMING_SNAKE_CASE")]
pub enum AttemptResult {
    /// Approved.
    Approved,
    /// Virtual account issued.
    VirtualAccountIssued,
    /// Accepted, result later.
    Pending,
    /// Declined by the PG.
    #[serde(rename_all = "camelCase")]
    Declined {
        /// Raw PG code.
        pg_code: String,
        /// Raw PG message.
        pg_message: String,
        /// Normalized kind.
        kind: DeclineKind,
        /// Retry-safe decline?
        retry_safe: bool,
    },
    /// Sent, no usable answer.
    Unknown {
        /// Why.
        reason: String,
    },
    /// An error before or after sending.
    #[serde(rename_all = "camelCase")]
    Error {
        /// The error's (masked) message.
        message: String,
        /// Certain that nothing reached the PG.
        not_sent: bool,
    },
}

impl AttemptResult {
    /// Summarize a result.
    pub fn of(result: &Result<Outcome, PgError>) -> Self {
        match result {
            Ok(Outcome::Approved(_)) => AttemptResult::Approved,
            Ok(Outcome::VirtualAccountIssued(_)) => AttemptResult::VirtualAccountIssued,
            Ok(Outcome::Pending(_)) => AttemptResult::Pending,
            Ok(Outcome::Declined(d)) => AttemptResult::Declined {
                pg_code: d.pg_code.clone(),
                pg_message: d.pg_message.clone(),
                kind: d.kind,
                retry_safe: d.retry_safe,
            },
            Ok(Outcome::Unknown(u)) => AttemptResult::Unknown {
                reason: u.reason.clone(),
            },
            Err(e) => AttemptResult::Error {
                message: e.to_string(),
                not_sent: e.is_certainly_not_sent(),
            },
        }
    }
}

/// One try on one channel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Attempt {
    /// The channel tried.
    pub channel_key: String,
    /// Was it the channel's health probe?
    pub probe: bool,
    /// What happened.
    #[serde(flatten)]
    pub result: AttemptResult,
}

/// The end of a routed operation.
#[derive(Debug)]
pub struct Routed<'a> {
    /// The channel of the last attempt (the one whose result is returned).
    pub channel_key: &'a str,
    /// Its position in the group, when the channel is in the group.
    pub index: Option<usize>,
    /// The final result, exactly as the last channel returned it.
    pub result: Result<Outcome, PgError>,
    /// Every attempt in order; the last one is the final result.
    pub attempts: Vec<Attempt>,
}

/// The channels to try, in order, for one operation.
#[derive(Debug, Clone)]
pub struct FailoverPlan<'a> {
    group: &'a ChannelGroup,
    /// Group indexes in try order (or one explicit channel outside the group).
    order: Vec<PlanEntry<'a>>,
    /// Try more than the first?
    failover: bool,
    /// Ask the health tracker before each attempt?
    health_gate: bool,
    /// Channels left out because their rules refuse the request (configuration order).
    refused: Vec<SkippedChannel>,
}

#[derive(Debug, Clone, Copy)]
struct PlanEntry<'a> {
    channel_key: &'a str,
    index: Option<usize>,
    weight: u32,
}

impl<'a> FailoverPlan<'a> {
    /// The plan for a payment (or any operation routed through the group): eligible channels
    /// in [`WeightedOrder`]. With `healthSkip` and a tracker, unhealthy channels are left out
    /// unless that leaves none. Failover is on when the group says `failover: true`.
    pub fn for_payment<D: ChannelDirectory + ?Sized>(
        group: &'a ChannelGroup,
        payment_id: &str,
        op: Operation,
        method: Option<Method>,
        directory: &D,
        health: Option<&HealthTracker>,
    ) -> Result<Self, RoutingError> {
        Self::for_payment_with_rules(group, payment_id, op, method, directory, health, accept_all)
    }

    /// [`FailoverPlan::for_payment`] for one request: each eligible channel's `rules` are
    /// asked first (`Err(rule)` = this channel would refuse the request), refusing channels are
    /// left out like channels lacking the capability and listed in [`FailoverPlan::refused`].
    /// When every eligible channel refuses, the error names each channel and its rule.
    pub fn for_payment_with_rules<D, R>(
        group: &'a ChannelGroup,
        payment_id: &str,
        op: Operation,
        method: Option<Method>,
        directory: &D,
        health: Option<&HealthTracker>,
        mut rules: R,
    ) -> Result<Self, RoutingError>
    where
        D: ChannelDirectory + ?Sized,
        R: FnMut(&str) -> Result<(), String>,
    {
        if group.channels.len() > MAX_ROUTABLE_CHANNELS {
            return Err(RoutingError::TooManyChannels {
                group_id: group.id.clone(),
                count: group.channels.len(),
                max: MAX_ROUTABLE_CHANNELS,
            });
        }
        let job = JobSpec { op, method };
        let mut refused = Vec::new();
        let eligible = apply_rules(group, scan(group, job, directory), &mut rules, &mut refused);
        if eligible.is_empty() {
            return Err(no_eligible(group, job, directory, &refused));
        }
        let filtered = health_filtered(group, eligible, health);
        let set = filtered.unwrap_or(eligible);
        let order = WeightedOrder::new(group, set, routing_hash(payment_id), false)
            .map(|i| PlanEntry {
                channel_key: &group.channels[i].channel_key,
                index: Some(i),
                weight: group.channels[i].weight,
            })
            .collect();
        Ok(FailoverPlan {
            group,
            order,
            failover: group.failover,
            health_gate: filtered.is_some(),
            refused,
        })
    }

    /// The plan for a payment with a super billing key holding keys on `keyed` channels.
    ///
    /// An explicit `channelKey` is the only candidate (no failover: the merchant chose it).
    /// Otherwise the order follows [`select_for_billing_key`](crate::super_key::select_for_billing_key):
    /// enabled keyed channels by current weight, or — when none has a weight — the enabled
    /// keyed weight-0 channels in a uniform deterministic order.
    pub fn for_billing_key<K: AsRef<str>>(
        group: &'a ChannelGroup,
        keyed: &'a [K],
        explicit_channel_key: Option<&str>,
        payment_id: &str,
        health: Option<&HealthTracker>,
    ) -> Result<Self, RoutingError> {
        Self::for_billing_key_with_rules(
            group,
            keyed,
            explicit_channel_key,
            payment_id,
            health,
            accept_all,
        )
    }

    /// [`FailoverPlan::for_billing_key`] for one request: keyed channels whose `rules` refuse
    /// it are left out (and listed in [`FailoverPlan::refused`]); when every usable keyed
    /// channel refuses, the error names each one and its rule. An explicit `channelKey` is
    /// still the only candidate: if its rules refuse, the payment is refused.
    pub fn for_billing_key_with_rules<K: AsRef<str>, R>(
        group: &'a ChannelGroup,
        keyed: &'a [K],
        explicit_channel_key: Option<&str>,
        payment_id: &str,
        health: Option<&HealthTracker>,
        mut rules: R,
    ) -> Result<Self, RoutingError>
    where
        R: FnMut(&str) -> Result<(), String>,
    {
        if let Some(explicit) = explicit_channel_key {
            let sel =
                crate::super_key::select_for_billing_key(group, keyed, Some(explicit), payment_id)?;
            if let Err(rule) = rules(sel.channel_key) {
                return Err(RoutingError::NoKeyedChannelAvailable {
                    group_id: group.id.clone(),
                    skipped: vec![SkippedChannel {
                        channel_key: sel.channel_key.to_string(),
                        reason: crate::error::SkipReason::Refused { rule },
                    }],
                });
            }
            return Ok(FailoverPlan {
                group,
                order: vec![PlanEntry {
                    channel_key: sel.channel_key,
                    index: sel.index,
                    weight: sel.weight,
                }],
                failover: false,
                health_gate: false,
                refused: Vec::new(),
            });
        }
        let mut refused = Vec::new();
        let (eligible, route) = keyed_eligible_with_rules(group, keyed, &mut rules, &mut refused)?;
        let uniform = route == BillingKeyRoute::ZeroWeightFallback;
        // Health narrows the set (weight-0 fallback included), never empties it.
        let filtered = health_filtered(group, eligible, health);
        let set = filtered.unwrap_or(eligible);
        let order = WeightedOrder::new(group, set, routing_hash(payment_id), uniform)
            .map(|i| PlanEntry {
                channel_key: &group.channels[i].channel_key,
                index: Some(i),
                weight: group.channels[i].weight,
            })
            .collect();
        Ok(FailoverPlan {
            group,
            order,
            failover: group.failover,
            health_gate: filtered.is_some(),
            refused,
        })
    }

    /// The channels left out because their rules refuse the request, with the rule each broke
    /// (empty for plans built without rules).
    pub fn refused(&self) -> &[SkippedChannel] {
        &self.refused
    }

    /// Leave the primary out because it refused the request after all (its encoder failed
    /// where its rules passed) and nothing was sent; the next channel becomes the primary.
    /// Only with failover on, and only while another channel remains: returns `false` (and
    /// changes nothing) otherwise.
    pub fn pass_over_primary(&mut self, rule: String) -> bool {
        if !self.failover || self.order.len() < 2 {
            return false;
        }
        let entry = self.order.remove(0);
        self.refused.push(SkippedChannel {
            channel_key: entry.channel_key.to_string(),
            reason: crate::error::SkipReason::Refused { rule },
        });
        true
    }

    /// The group.
    pub fn group(&self) -> &'a ChannelGroup {
        self.group
    }

    /// The channel keys in try order (the first is the primary).
    pub fn order(&self) -> impl Iterator<Item = &'a str> + '_ {
        self.order.iter().map(|e| e.channel_key)
    }

    /// The primary channel.
    pub fn primary(&self) -> &'a str {
        self.order[0].channel_key
    }

    /// Will more than one channel be tried when the first certainly did not charge?
    pub fn fails_over(&self) -> bool {
        self.failover
    }

    /// Try the channels in order: the first, then — with failover on and only while
    /// [`may_fail_over`] says so — the next. Every result is reported to `health` (when given).
    /// With health gating, a channel the tracker refuses at its turn is passed over; if that
    /// leaves nothing tried, the primary is tried anyway.
    pub async fn run<F, Fut>(self, health: Option<&HealthTracker>, attempt_fn: F) -> Routed<'a>
    where
        F: FnMut(Candidate<'a>) -> Fut,
        Fut: Future<Output = Result<Outcome, PgError>>,
    {
        self.run_with(health, true, attempt_fn).await
    }

    /// [`FailoverPlan::run`] where `attempt_fn` itself reports each result to the tracker
    /// (the gateway records health in a layer around the PG call): `health` only admits.
    pub async fn run_admitting<F, Fut>(
        self,
        health: Option<&HealthTracker>,
        attempt_fn: F,
    ) -> Routed<'a>
    where
        F: FnMut(Candidate<'a>) -> Fut,
        Fut: Future<Output = Result<Outcome, PgError>>,
    {
        self.run_with(health, false, attempt_fn).await
    }

    async fn run_with<F, Fut>(
        self,
        health: Option<&HealthTracker>,
        record: bool,
        mut attempt_fn: F,
    ) -> Routed<'a>
    where
        F: FnMut(Candidate<'a>) -> Fut,
        Fut: Future<Output = Result<Outcome, PgError>>,
    {
        let mut attempts = Vec::new();
        let mut last: Option<(PlanEntry<'a>, Result<Outcome, PgError>)> = None;
        for entry in &self.order {
            if last.is_some() && !self.failover {
                break;
            }
            let probe = match (self.health_gate, health) {
                (true, Some(h)) => match h.admit(entry.channel_key) {
                    Admission::Healthy => false,
                    Admission::Probe => true,
                    Admission::Refused => continue,
                },
                _ => false,
            };
            let result = attempt_fn(Candidate {
                channel_key: entry.channel_key,
                index: entry.index,
                weight: entry.weight,
                attempt: attempts.len(),
                probe,
            })
            .await;
            if let Some(h) = health.filter(|_| record) {
                h.record(entry.channel_key, &result);
            }
            attempts.push(Attempt {
                channel_key: entry.channel_key.to_string(),
                probe,
                result: AttemptResult::of(&result),
            });
            let again = may_fail_over(&result);
            tracing::debug!(
                channel = entry.channel_key,
                attempt = attempts.len(),
                fail_over = again && self.failover,
                "routed attempt"
            );
            last = Some((*entry, result));
            if !again {
                break;
            }
        }
        let (entry, result) = match last {
            Some(l) => l,
            None => {
                // Every channel was refused by health at its turn: better to try than refuse.
                let entry = self.order[0];
                let result = attempt_fn(Candidate {
                    channel_key: entry.channel_key,
                    index: entry.index,
                    weight: entry.weight,
                    attempt: 0,
                    probe: false,
                })
                .await;
                if let Some(h) = health.filter(|_| record) {
                    h.record(entry.channel_key, &result);
                }
                attempts.push(Attempt {
                    channel_key: entry.channel_key.to_string(),
                    probe: false,
                    result: AttemptResult::of(&result),
                });
                (entry, result)
            }
        };
        Routed {
            channel_key: entry.channel_key,
            index: entry.index,
            result,
            attempts,
        }
    }
}

/// Route an operation through the group with failover and health (see the module docs):
/// builds a [`FailoverPlan::for_payment`] and [runs](FailoverPlan::run) it.
///
/// `attempt_fn` performs the operation on one channel (the crate never does I/O itself).
/// Returns the final result plus every attempt, or a [`RoutingError`] when no channel is
/// eligible (nothing was tried).
pub async fn route_with_failover<'a, D, F, Fut>(
    group: &'a ChannelGroup,
    payment_id: &str,
    op: Operation,
    method: Option<Method>,
    directory: &D,
    health: Option<&HealthTracker>,
    attempt_fn: F,
) -> Result<Routed<'a>, RoutingError>
where
    D: ChannelDirectory + ?Sized,
    F: FnMut(Candidate<'a>) -> Fut,
    Fut: Future<Output = Result<Outcome, PgError>>,
{
    let plan = FailoverPlan::for_payment(group, payment_id, op, method, directory, health)?;
    Ok(plan.run(health, attempt_fn).await)
}
