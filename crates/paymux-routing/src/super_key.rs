//! Super billing keys: one PortOne billing key mapped to a PG key on every channel of a group.
//!
//! Rules (PortOne smart-routing docs, "API 빌링키 발급 및 정기결제 연동하기 — 유의사항"):
//!
//! - **Issue** ([`issue_targets`], [`issue_super_billing_key`]): on every *enabled* channel of
//!   the group, weight 0 included; disabled and removed channels get no key. Channels run
//!   concurrently. Partial success still issues the key, usable only on the channels that
//!   succeeded; the others come back as `channelSpecificFailures`. All failing is an error
//!   (PortOne: `502 CHANNEL_SPECIFIC` with empty `succeededChannels`).
//! - **Pay** ([`select_for_billing_key`]): an explicit `channelKey` forces that channel (it
//!   must hold a key). Otherwise the group's **current** weights decide, among channels that
//!   are enabled *and* hold a key: a channel added after issuance holds none and is never
//!   chosen (keys on A, B, C; group now B10/C30/D60 → B and C at 1:3). If no keyed channel has
//!   a weight above 0, an enabled keyed weight-0 channel is used (uniformly, deterministically
//!   by `paymentId`). If every keyed channel is disabled or removed, the payment fails.
//! - **Delete** ([`delete_targets`], [`delete_super_billing_key`]): on every channel holding a
//!   key, concurrently, failures reported per channel.
//!
//! How per-channel results become `ChannelSpecificFailure`s:
//!
//! | result | failure |
//! |---|---|
//! | `Ok(Approved)` | none: the channel succeeded |
//! | `Err(e)`, `e.is_certainly_not_sent()` | `INVALID_REQUEST {message: e}` |
//! | `Ok(Declined)` | `PG_PROVIDER {pgCode, pgMessage}` as the PG sent them, `message` = kind |
//! | `Ok(Unknown)` | `PG_PROVIDER {pgCode: "PAYMUX_OUTCOME_UNKNOWN", pgMessage: ""}`, `message` says the PG may hold an unmapped key (reconcile by inquiry or deletion) |
//! | `Err(e)` sent | as `Unknown`, with the error in `message` |
//! | `Ok(Pending / VirtualAccountIssued)` | `PG_PROVIDER {pgCode: "PAYMUX_UNEXPECTED_OUTCOME"}` (a key must be issued synchronously) |
//!
//! A channel that cannot issue at all (its adapter lacks `billing-key.issue` for CARD, the
//! channel is unknown or of the other environment) is not called and is reported as
//! `INVALID_REQUEST`.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use paymux_core::adapter::{Method, Operation};
use paymux_core::error::PgError;
use paymux_core::outcome::Outcome;

use crate::directory::ChannelDirectory;
use crate::error::{RoutingError, SkipReason, SkippedChannel};
use crate::group::ChannelGroup;
use crate::hash::routing_hash;
use crate::report::{ChannelSpecificFailure, SelectedChannel};
use crate::select::{
    accept_all, apply_rules, check_channel, draw, skip_reason, Eligible, JobSpec,
    MAX_ROUTABLE_CHANNELS,
};

/// `pgCode` reported when the PG's answer is unknown (paymux-specific, not a PG code).
pub const PG_CODE_OUTCOME_UNKNOWN: &str = "PAYMUX_OUTCOME_UNKNOWN";
/// `pgCode` reported when the PG answered with an outcome that makes no sense for the
/// operation (a pending billing-key issue).
pub const PG_CODE_UNEXPECTED_OUTCOME: &str = "PAYMUX_UNEXPECTED_OUTCOME";

/// One channel to call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChannelTarget {
    /// The channel, as PortOne reports it.
    pub channel: SelectedChannel,
}

impl ChannelTarget {
    /// The channel key.
    pub fn key(&self) -> &str {
        self.channel.key_str()
    }
}

/// The channels a super billing key is issued on, and those that cannot issue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssueTargets {
    /// The group.
    pub group_id: String,
    /// Enabled channels whose adapter supports `billing-key.issue` for CARD, in group order.
    pub targets: Vec<ChannelTarget>,
    /// Enabled channels that cannot issue, reported as `INVALID_REQUEST` failures.
    pub unsupported: Vec<ChannelSpecificFailure>,
}

/// Which channels get a key: every **enabled** channel (weight 0 included) whose adapter
/// supports `billing-key.issue` for CARD. Disabled channels are left out silently (PortOne:
/// "빌링키 발급을 원하지 않는 경우 채널을 비활성화 상태로 두거나 그룹 내에서 삭제해야 합니다");
/// enabled channels that cannot issue are listed in [`IssueTargets::unsupported`].
/// Error when no channel can issue.
pub fn issue_targets<D: ChannelDirectory + ?Sized>(
    group: &ChannelGroup,
    directory: &D,
) -> Result<IssueTargets, RoutingError> {
    issue_targets_with_rules(group, directory, accept_all)
}

/// [`issue_targets`] for one request: a channel whose `rules` refuse it is not called and is
/// listed in [`IssueTargets::unsupported`] with the rule it broke. When no channel can issue,
/// the error names every channel and why (rule refusals included).
pub fn issue_targets_with_rules<D, R>(
    group: &ChannelGroup,
    directory: &D,
    mut rules: R,
) -> Result<IssueTargets, RoutingError>
where
    D: ChannelDirectory + ?Sized,
    R: FnMut(&str) -> Result<(), String>,
{
    let job = JobSpec {
        op: Operation::BillingKeyIssue,
        method: Some(Method::Card),
    };
    let mut out = IssueTargets {
        group_id: group.id.clone(),
        targets: Vec::new(),
        unsupported: Vec::new(),
    };
    let mut skipped = Vec::new();
    for (i, c) in group.channels.iter().enumerate() {
        match check_channel(group, i, job, directory, true) {
            Ok(entry) => match rules(&c.channel_key) {
                Ok(()) => out.targets.push(ChannelTarget {
                    channel: entry.selected_channel(&c.channel_key),
                }),
                Err(rule) => {
                    let skipped_channel = SkippedChannel {
                        channel_key: c.channel_key.clone(),
                        reason: SkipReason::Refused { rule },
                    };
                    out.unsupported
                        .push(ChannelSpecificFailure::InvalidRequest {
                            channel: entry.selected_channel(&c.channel_key),
                            message: Some(format!(
                                "not issued on this channel ({skipped_channel})"
                            )),
                        });
                    skipped.push(skipped_channel);
                }
            },
            Err(skip) => {
                let reason = skip_reason(group, i, skip, directory);
                if reason != SkipReason::Disabled {
                    let channel = match directory.lookup(&c.channel_key) {
                        Some(e) => e.selected_channel(&c.channel_key),
                        None => SelectedChannel::unknown(&c.channel_key, group.environment),
                    };
                    let skipped_channel = SkippedChannel {
                        channel_key: c.channel_key.clone(),
                        reason: reason.clone(),
                    };
                    out.unsupported
                        .push(ChannelSpecificFailure::InvalidRequest {
                            channel,
                            message: Some(format!(
                            "cannot issue a card billing key on this channel ({skipped_channel})"
                        )),
                        });
                }
                skipped.push(SkippedChannel {
                    channel_key: c.channel_key.clone(),
                    reason,
                });
            }
        }
    }
    if out.targets.is_empty() {
        return Err(RoutingError::NoIssueTargets {
            group_id: group.id.clone(),
            skipped,
        });
    }
    Ok(out)
}

/// A channel on which the key was issued.
#[derive(Debug, Clone, PartialEq)]
pub struct IssuedChannel {
    /// The channel.
    pub channel: SelectedChannel,
    /// The PG's answer (normally `Approved` with `ApprovedDetail::BillingKeyIssued`, which
    /// holds the PG's key).
    pub outcome: Outcome,
}

/// A super billing key issued on at least one channel.
#[derive(Debug, Clone, PartialEq)]
pub struct SuperKeyIssue {
    /// Channels holding a key (PortOne `billingKeyInfo.channels`), in group order.
    pub succeeded: Vec<IssuedChannel>,
    /// PortOne `channelSpecificFailures`, in group order (unsupported channels first).
    pub failures: Vec<ChannelSpecificFailure>,
}

impl SuperKeyIssue {
    /// The channels holding a key, as PortOne lists them.
    pub fn channels(&self) -> Vec<SelectedChannel> {
        self.succeeded.iter().map(|s| s.channel.clone()).collect()
    }
}

/// Turn a non-approved result into a failure (see the module table). `None` = success.
pub fn channel_failure(
    channel: &SelectedChannel,
    result: &Result<Outcome, PgError>,
) -> Option<ChannelSpecificFailure> {
    let channel = channel.clone();
    match result {
        Ok(Outcome::Approved(_)) => None,
        Err(e) if e.is_certainly_not_sent() => Some(ChannelSpecificFailure::InvalidRequest {
            channel,
            message: Some(e.to_string()),
        }),
        Err(e) => Some(ChannelSpecificFailure::PgProvider {
            channel,
            message: Some(format!(
                "outcome unknown: the request was sent but failed ({e}); the PG may have acted: reconcile by inquiry or deletion"
            )),
            pg_code: PG_CODE_OUTCOME_UNKNOWN.into(),
            pg_message: String::new(),
        }),
        Ok(Outcome::Declined(d)) => Some(ChannelSpecificFailure::PgProvider {
            channel,
            message: Some(format!("declined by the PG ({})", d.kind)),
            pg_code: d.pg_code.clone(),
            pg_message: d.pg_message.clone(),
        }),
        Ok(Outcome::Unknown(u)) => Some(ChannelSpecificFailure::PgProvider {
            channel,
            message: Some(format!(
                "outcome unknown: no usable answer from the PG ({}); the PG may have acted: reconcile by inquiry or deletion",
                u.reason
            )),
            pg_code: PG_CODE_OUTCOME_UNKNOWN.into(),
            pg_message: String::new(),
        }),
        Ok(o @ (Outcome::Pending(_) | Outcome::VirtualAccountIssued(_))) => {
            let (code, msg) = match o {
                Outcome::Pending(p) => (p.pg_code.clone(), p.pg_message.clone()),
                Outcome::VirtualAccountIssued(v) => (v.pg_code.clone(), v.pg_message.clone()),
                _ => unreachable!(),
            };
            Some(ChannelSpecificFailure::PgProvider {
                channel,
                message: Some(format!(
                    "unexpected `{}` outcome (PG code {code}: {msg})",
                    o.kind_str()
                )),
                pg_code: PG_CODE_UNEXPECTED_OUTCOME.into(),
                pg_message: msg,
            })
        }
    }
}

/// Issue the key on every target concurrently. `issue_fn(channel_key)` performs the PG call
/// (the crate stays transport-agnostic; it needs no runtime: the calls are polled together
/// in the caller's task).
///
/// `Ok` when at least one channel succeeded (failures listed); `Err(AllChannelsFailed)` with
/// every failure otherwise.
pub async fn issue_super_billing_key<'t, F, Fut>(
    targets: &'t IssueTargets,
    mut issue_fn: F,
) -> Result<SuperKeyIssue, RoutingError>
where
    F: FnMut(&'t str) -> Fut,
    Fut: Future<Output = Result<Outcome, PgError>>,
{
    let results = join_all(targets.targets.iter().map(|t| issue_fn(t.key())).collect()).await;
    let mut out = SuperKeyIssue {
        succeeded: Vec::new(),
        failures: targets.unsupported.clone(),
    };
    for (t, r) in targets.targets.iter().zip(results) {
        match channel_failure(&t.channel, &r) {
            Some(f) => {
                tracing::info!(channel = t.key(), failure = %f, "super billing key: channel failed");
                out.failures.push(f);
            }
            None => out.succeeded.push(IssuedChannel {
                channel: t.channel.clone(),
                outcome: r.expect("no failure means Ok"),
            }),
        }
    }
    if out.succeeded.is_empty() {
        return Err(RoutingError::AllChannelsFailed {
            failures: out.failures,
        });
    }
    Ok(out)
}

/// How a billing-key payment's channel was chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BillingKeyRoute {
    /// The request named the channel.
    Explicit,
    /// By the group's current weights among enabled keyed channels.
    Weighted,
    /// No keyed channel has a weight: an enabled keyed weight-0 channel, chosen uniformly.
    ZeroWeightFallback,
}

/// The channel for a super-billing-key payment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BillingKeySelection<'a> {
    /// The chosen channel.
    pub channel_key: &'a str,
    /// Its position in the group (`None` for an explicit channel no longer in the group).
    pub index: Option<usize>,
    /// Its current weight (0 when not in the group).
    pub weight: u32,
    /// How it was chosen.
    pub route: BillingKeyRoute,
}

fn holds_key<K: AsRef<str>>(keyed: &[K], key: &str) -> bool {
    keyed.iter().any(|k| k.as_ref() == key)
}

/// Enabled keyed channels with a weight; else enabled keyed weight-0 ones (uniform).
pub(crate) fn keyed_eligible<K: AsRef<str>>(
    group: &ChannelGroup,
    keyed: &[K],
) -> Result<(Eligible, BillingKeyRoute), RoutingError> {
    keyed_eligible_with_rules(group, keyed, &mut accept_all, &mut Vec::new())
}

/// [`keyed_eligible`] where each candidate's `rules` must also accept the request: the
/// weighted keyed channels that accept; else the weight-0 keyed channels that accept.
/// Refusals are pushed to `refused`.
pub(crate) fn keyed_eligible_with_rules<K: AsRef<str>, R>(
    group: &ChannelGroup,
    keyed: &[K],
    rules: &mut R,
    refused: &mut Vec<SkippedChannel>,
) -> Result<(Eligible, BillingKeyRoute), RoutingError>
where
    R: FnMut(&str) -> Result<(), String> + ?Sized,
{
    if keyed.is_empty() {
        return Err(RoutingError::NoKeyedChannels);
    }
    if group.channels.len() > MAX_ROUTABLE_CHANNELS {
        return Err(RoutingError::TooManyChannels {
            group_id: group.id.clone(),
            count: group.channels.len(),
            max: MAX_ROUTABLE_CHANNELS,
        });
    }
    let mut weighted = Eligible::default();
    let mut zero = Eligible::default();
    for (i, c) in group.channels.iter().enumerate() {
        if !c.enabled || !holds_key(keyed, &c.channel_key) {
            continue;
        }
        if c.weight > 0 {
            weighted.mask |= 1 << i;
            weighted.total += u64::from(c.weight);
        } else {
            zero.mask |= 1 << i;
        }
    }
    let weighted = apply_rules(group, weighted, rules, refused);
    if !weighted.is_empty() {
        return Ok((weighted, BillingKeyRoute::Weighted));
    }
    let zero = apply_rules(group, zero, rules, refused);
    if !zero.is_empty() {
        return Ok((zero, BillingKeyRoute::ZeroWeightFallback));
    }
    let skipped = keyed
        .iter()
        .map(|k| SkippedChannel {
            channel_key: k.as_ref().to_string(),
            reason: if let Some(r) = refused.iter().find(|r| r.channel_key == k.as_ref()) {
                r.reason.clone()
            } else if group.channel(k.as_ref()).is_some() {
                SkipReason::Disabled
            } else {
                SkipReason::NotInGroup
            },
        })
        .collect();
    Err(RoutingError::NoKeyedChannelAvailable {
        group_id: group.id.clone(),
        skipped,
    })
}

/// Choose the channel for a payment with a super billing key (see the module docs).
///
/// - `group`: the group's configuration **in force now** (not the one at issuance).
/// - `keyed`: the channels holding a PG key (the key's `channels`).
/// - `explicit_channel_key`: the request's `channelKey`, if any. It must hold a key; it is
///   used even if it is now disabled or removed from the group (the merchant asked for it).
///
/// Pure and allocation-free on success; deterministic for a `paymentId`.
pub fn select_for_billing_key<'a, K: AsRef<str>>(
    group: &'a ChannelGroup,
    keyed: &'a [K],
    explicit_channel_key: Option<&str>,
    payment_id: &str,
) -> Result<BillingKeySelection<'a>, RoutingError> {
    if let Some(explicit) = explicit_channel_key {
        let Some(k) = keyed.iter().find(|k| k.as_ref() == explicit) else {
            return Err(RoutingError::ChannelHoldsNoKey {
                channel_key: explicit.to_string(),
                keyed: keyed.iter().map(|k| k.as_ref().to_string()).collect(),
            });
        };
        let index = group
            .channels
            .iter()
            .position(|c| c.channel_key == explicit);
        return Ok(BillingKeySelection {
            channel_key: k.as_ref(),
            index,
            weight: index.map_or(0, |i| group.channels[i].weight),
            route: BillingKeyRoute::Explicit,
        });
    }
    let (eligible, route) = keyed_eligible(group, keyed)?;
    let uniform = route == BillingKeyRoute::ZeroWeightFallback;
    let i = draw(group, eligible, routing_hash(payment_id), uniform)
        .expect("eligible set is not empty");
    Ok(BillingKeySelection {
        channel_key: &group.channels[i].channel_key,
        index: Some(i),
        weight: group.channels[i].weight,
        route,
    })
}

/// Which channels a super billing key is deleted on: every channel holding a key (given as
/// the key's stored `channels`), each once, in the given order.
pub fn delete_targets(keyed_channels: &[SelectedChannel]) -> Vec<ChannelTarget> {
    let mut out: Vec<ChannelTarget> = Vec::with_capacity(keyed_channels.len());
    for c in keyed_channels {
        if !out.iter().any(|t| t.channel.key == c.key) {
            out.push(ChannelTarget { channel: c.clone() });
        }
    }
    out
}

/// The result of deleting a super billing key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SuperKeyDelete {
    /// Channels whose PG key was deleted.
    pub succeeded: Vec<SelectedChannel>,
    /// Channels where deletion failed (see the module table).
    pub failures: Vec<ChannelSpecificFailure>,
}

impl SuperKeyDelete {
    /// Deleted everywhere?
    pub fn is_complete(&self) -> bool {
        self.failures.is_empty()
    }
}

/// Delete the PG keys on every target concurrently. `delete_fn(channel_key)` performs the PG
/// call. `Ok` when at least one channel succeeded (partial failures listed: PortOne answers
/// those as `502 CHANNEL_SPECIFIC` with `succeededChannels`); `Err(AllChannelsFailed)` when
/// every channel failed. An empty target list is a complete deletion.
pub async fn delete_super_billing_key<'t, F, Fut>(
    targets: &'t [ChannelTarget],
    mut delete_fn: F,
) -> Result<SuperKeyDelete, RoutingError>
where
    F: FnMut(&'t str) -> Fut,
    Fut: Future<Output = Result<Outcome, PgError>>,
{
    let results = join_all(targets.iter().map(|t| delete_fn(t.key())).collect()).await;
    let mut out = SuperKeyDelete {
        succeeded: Vec::new(),
        failures: Vec::new(),
    };
    for (t, r) in targets.iter().zip(results) {
        match channel_failure(&t.channel, &r) {
            Some(f) => out.failures.push(f),
            None => out.succeeded.push(t.channel.clone()),
        }
    }
    if out.succeeded.is_empty() && !out.failures.is_empty() {
        return Err(RoutingError::AllChannelsFailed {
            failures: out.failures,
        });
    }
    Ok(out)
}

/// Poll every future in the caller's task until all are done; outputs in input order.
/// (A minimal `join_all`, so the crate needs neither a runtime nor `futures`.)
pub(crate) fn join_all<F: Future>(futures: Vec<F>) -> JoinAll<F> {
    let n = futures.len();
    JoinAll {
        futures: futures.into_iter().map(|f| Some(Box::pin(f))).collect(),
        outputs: (0..n).map(|_| None).collect(),
        remaining: n,
    }
}

pub(crate) struct JoinAll<F: Future> {
    futures: Vec<Option<Pin<Box<F>>>>,
    outputs: Vec<Option<F::Output>>,
    remaining: usize,
}

// Sound: the futures are pinned in their own boxes; outputs are plain values never pinned.
impl<F: Future> Unpin for JoinAll<F> {}

impl<F: Future> Future for JoinAll<F> {
    type Output = Vec<F::Output>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        // JoinAll is Unpin: it holds only Vecs and pinned boxes.
        let this = self.get_mut();
        for (slot, out) in this.futures.iter_mut().zip(this.outputs.iter_mut()) {
            if let Some(f) = slot {
                if let Poll::Ready(v) = f.as_mut().poll(cx) {
                    *out = Some(v);
                    *slot = None;
                    this.remaining -= 1;
                }
            }
        }
        if this.remaining == 0 {
            Poll::Ready(
                this.outputs
                    .iter_mut()
                    .map(|o| o.take().expect("every future finished"))
                    .collect(),
            )
        } else {
            Poll::Pending
        }
    }
}
