//! Why a request would go where it goes: the routing decision laid out, nothing sent.
//!
//! [`explain`] runs exactly the selection a payment runs ([`FailoverPlan::for_payment_with_rules`])
//! and reports its inputs and result: every channel of the group either **eligible**, with its
//! weight and its renormalized share among the eligible channels, or **skipped**, with the
//! reason (disabled, weight 0, unknown channel, other environment, adapter lacks the operation,
//! its rules refuse the request, unhealthy). The chosen channel is the plan's first; the
//! failover order follows when the group fails over.

use paymux_core::adapter::{Method, Operation};
use serde::Serialize;

use crate::directory::ChannelDirectory;
use crate::error::SkipReason;
use crate::failover::FailoverPlan;
use crate::group::ChannelGroup;
use crate::health::HealthTracker;
use crate::select::{check_channel, skip_reason, JobSpec};

/// An eligible channel and its share of this request's traffic.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", schema(as = RoutingEligibleChannel))]
pub struct EligibleChannel {
    /// The channel key.
    pub channel_key: String,
    /// Its configured weight.
    pub weight: u32,
    /// Its share among the eligible channels, in percent (weights renormalized).
    pub share_percent: f64,
}

/// A channel that cannot take this request, and why.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", schema(as = RoutingSkippedChannel))]
pub struct SkippedEntry {
    /// The channel key.
    pub channel_key: String,
    /// Why, in words (`disabled`, `refuses the request: paymentId: ...`).
    pub reason: String,
    /// `true` when the channel's own rules refused the request (rather than the group's
    /// configuration or the adapter's capabilities).
    pub refused_by_rules: bool,
}

/// The routing decision for one request.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", schema(as = RoutingExplanation))]
pub struct Explanation {
    /// The group.
    pub group_id: String,
    /// The operation routed (`payment.instant`, ...).
    pub operation: &'static str,
    /// The method, when the operation has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub method: Option<&'static str>,
    /// The channel the request would take; `None` when no channel can.
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub channel_key: Option<String>,
    /// The channels it could take, in configuration order.
    pub eligible: Vec<EligibleChannel>,
    /// The channels it could not take, in configuration order.
    pub skipped: Vec<SkippedEntry>,
    /// With failover on: the order channels would be tried in (the first is `channelKey`).
    pub failover_order: Vec<String>,
    /// Why no channel can take it, when none can (the API's error message).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// Explain how `group` routes this request (see the module docs). `rules` is the same verdict
/// a payment asks of each channel (`Err(rule)` = refuses); `health` as for a payment.
pub fn explain<D, R>(
    group: &ChannelGroup,
    payment_id: &str,
    op: Operation,
    method: Option<Method>,
    directory: &D,
    health: Option<&HealthTracker>,
    rules: R,
) -> Explanation
where
    D: ChannelDirectory + ?Sized,
    R: FnMut(&str) -> Result<(), String>,
{
    let job = JobSpec { op, method };
    let mut out = Explanation {
        group_id: group.id.clone(),
        operation: op.as_str(),
        method: method.map(Method::as_str),
        channel_key: None,
        eligible: Vec::new(),
        skipped: Vec::new(),
        failover_order: Vec::new(),
        error: None,
    };
    let plan = FailoverPlan::for_payment_with_rules(
        group, payment_id, op, method, directory, health, rules,
    );
    let (refused, in_plan): (Vec<_>, Vec<String>) = match &plan {
        Ok(p) => (
            p.refused().to_vec(),
            p.order().map(str::to_string).collect(),
        ),
        Err(e) => (e.skipped().to_vec(), Vec::new()),
    };
    for (i, c) in group.channels.iter().enumerate() {
        let reason = match check_channel(group, i, job, directory, false) {
            Err(skip) => Some(skip_reason(group, i, skip, directory)),
            Ok(_) => match refused.iter().find(|r| r.channel_key == c.channel_key) {
                Some(r) => Some(r.reason.clone()),
                // Eligible by configuration and rules, but not in the plan: health left it out.
                None if plan.is_ok() && !in_plan.contains(&c.channel_key) => {
                    Some(SkipReason::Unhealthy)
                }
                None if plan.is_err() => Some(SkipReason::Unhealthy),
                None => None,
            },
        };
        match reason {
            Some(reason) => {
                out.skipped.push(SkippedEntry {
                    channel_key: c.channel_key.clone(),
                    refused_by_rules: matches!(reason, SkipReason::Refused { .. }),
                    reason: reason.to_string(),
                });
            }
            None => out.eligible.push(EligibleChannel {
                channel_key: c.channel_key.clone(),
                weight: c.weight,
                share_percent: 0.0,
            }),
        }
    }
    let total: u32 = out.eligible.iter().map(|e| e.weight).sum();
    for e in &mut out.eligible {
        if total > 0 {
            e.share_percent = (f64::from(e.weight) * 10_000.0 / f64::from(total)).round() / 100.0;
        }
    }
    match plan {
        Ok(p) => {
            out.channel_key = Some(p.primary().to_string());
            if p.fails_over() {
                out.failover_order = in_plan;
            }
        }
        Err(e) => out.error = Some(e.to_string()),
    }
    out
}
