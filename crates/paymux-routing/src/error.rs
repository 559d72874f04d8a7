//! Routing errors. Every message says which group, which channels and why.

use std::fmt;

use paymux_core::channel::Environment;

use crate::report::ChannelSpecificFailure;

/// Why a channel of a group could not take a job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SkipReason {
    /// The channel is disabled in the group.
    Disabled,
    /// Its weight is 0 (plain selection never routes there).
    ZeroWeight,
    /// No channel with this key exists.
    UnknownChannel,
    /// The channel belongs to the other environment.
    EnvironmentMismatch {
        /// The channel's environment.
        channel: Environment,
        /// The group's environment.
        group: Environment,
    },
    /// The channel's adapter does not declare the operation (with that method).
    Unsupported {
        /// Adapter id.
        adapter: String,
    },
    /// Excluded by health tracking (only reported when health could not be ignored).
    Unhealthy,
    /// The super billing key holds no key for this channel.
    NoBillingKey,
    /// The channel is no longer in the group.
    NotInGroup,
    /// The channel's own rules refuse this request (what its adapter checks before encoding:
    /// id charset and length, required fields, byte limits, amount and method rules, currency).
    Refused {
        /// The rule it broke, naming the field path.
        rule: String,
    },
}

/// One channel that was not eligible, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkippedChannel {
    /// The channel key.
    pub channel_key: String,
    /// Why it was skipped.
    pub reason: SkipReason,
}

impl fmt::Display for SkipReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SkipReason::Disabled => f.write_str("disabled"),
            SkipReason::ZeroWeight => f.write_str("weight 0"),
            SkipReason::UnknownChannel => f.write_str("no such channel"),
            SkipReason::EnvironmentMismatch { channel, group } => {
                write!(f, "{channel} channel in a {group} group")
            }
            SkipReason::Unsupported { adapter } => {
                write!(f, "adapter `{adapter}` does not support it")
            }
            SkipReason::Unhealthy => f.write_str("unhealthy"),
            SkipReason::NoBillingKey => f.write_str("holds no billing key"),
            SkipReason::NotInGroup => f.write_str("removed from the group"),
            SkipReason::Refused { rule } => write!(f, "refuses the request: {rule}"),
        }
    }
}

impl fmt::Display for SkippedChannel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.channel_key, self.reason)
    }
}

/// What was being routed, for messages: `payment.instant` with `VIRTUAL_ACCOUNT`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Job {
    /// Operation name (`Operation::as_str`).
    pub operation: &'static str,
    /// Method name (`CARD`, `VIRTUAL_ACCOUNT`, ...), when the operation has one.
    pub method: Option<String>,
}

impl fmt::Display for Job {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "`{}`", self.operation)?;
        if let Some(m) = &self.method {
            write!(f, " with {m}")?;
        }
        Ok(())
    }
}

/// A routing decision that could not be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RoutingError {
    /// No channel of the group can take the job. The message says the dominant reason
    /// ("every channel is disabled", "no enabled channel supports `payment.instant` with
    /// VIRTUAL_ACCOUNT", ...) followed by each channel's reason.
    #[error("channel group `{group_id}` cannot route {job}: {}", no_eligible_summary(.job, .skipped))]
    NoEligibleChannel {
        /// The group.
        group_id: String,
        /// What was being routed.
        job: Job,
        /// Every channel and why it was skipped.
        skipped: Vec<SkippedChannel>,
    },
    /// The group has more channels than routing handles (validated groups have at most 10).
    #[error("channel group `{group_id}` has {count} channels; routing handles at most {max}")]
    TooManyChannels {
        /// The group.
        group_id: String,
        /// Channels in the group.
        count: usize,
        /// The limit.
        max: usize,
    },
    /// A super-billing-key payment named a `channelKey` that holds no key.
    #[error(
        "channelKey `{channel_key}`: the billing key was not issued on this channel (issued on: {})",
        list_or_none(.keyed)
    )]
    ChannelHoldsNoKey {
        /// The requested channel.
        channel_key: String,
        /// Channels that do hold a key.
        keyed: Vec<String>,
    },
    /// A super-billing-key payment found no usable keyed channel: every channel holding a key
    /// is disabled in or removed from the group, or its rules refuse the request.
    #[error(
        "channel group `{group_id}`: {} ({})",
        no_keyed_headline(.skipped),
        skipped_list(.skipped)
    )]
    NoKeyedChannelAvailable {
        /// The group.
        group_id: String,
        /// Each keyed channel and why it is unusable.
        skipped: Vec<SkippedChannel>,
    },
    /// A super billing key holds no channel at all.
    #[error("the billing key holds no channel")]
    NoKeyedChannels,
    /// Super-billing-key issue: no channel of the group can issue a card billing key.
    #[error("channel group `{group_id}` has no channel that can issue a card billing key ({})", skipped_list(.skipped))]
    NoIssueTargets {
        /// The group.
        group_id: String,
        /// Each channel and why it cannot issue.
        skipped: Vec<SkippedChannel>,
    },
    /// Every channel failed (super-billing-key issue or delete). PortOne answers this as
    /// `502 CHANNEL_SPECIFIC` with empty `succeededChannels`.
    #[error("every channel failed: {}", failure_list(.failures))]
    AllChannelsFailed {
        /// One failure per channel.
        failures: Vec<ChannelSpecificFailure>,
    },
}

impl RoutingError {
    /// The channels skipped, for errors that carry them.
    pub fn skipped(&self) -> &[SkippedChannel] {
        match self {
            RoutingError::NoEligibleChannel { skipped, .. }
            | RoutingError::NoKeyedChannelAvailable { skipped, .. }
            | RoutingError::NoIssueTargets { skipped, .. } => skipped,
            _ => &[],
        }
    }
}

fn list_or_none(v: &[String]) -> String {
    if v.is_empty() {
        "none".to_string()
    } else {
        v.join(", ")
    }
}

fn skipped_list(v: &[SkippedChannel]) -> String {
    if v.is_empty() {
        return "the group has no channels".to_string();
    }
    v.iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

fn failure_list(v: &[ChannelSpecificFailure]) -> String {
    v.iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

/// The headline of a [`RoutingError::NoEligibleChannel`].
fn no_eligible_summary(job: &Job, skipped: &[SkippedChannel]) -> String {
    use SkipReason::*;
    let all =
        |p: fn(&SkipReason) -> bool| !skipped.is_empty() && skipped.iter().all(|s| p(&s.reason));
    let headline = if skipped.is_empty() {
        "the group has no channels".to_string()
    } else if all(|r| matches!(r, Disabled)) {
        "every channel is disabled".to_string()
    } else if all(|r| matches!(r, Disabled | ZeroWeight)) {
        "no enabled channel has a weight above 0".to_string()
    } else if all(|r| matches!(r, Disabled | ZeroWeight | Unsupported { .. })) {
        format!("no enabled channel supports {job}")
    } else if all(|r| {
        matches!(
            r,
            Disabled | ZeroWeight | Unsupported { .. } | Refused { .. }
        )
    }) {
        "no channel that can take the job accepts this request".to_string()
    } else if all(|r| matches!(r, UnknownChannel | EnvironmentMismatch { .. })) {
        "none of the group's channels is configured for this environment".to_string()
    } else {
        "no channel is eligible".to_string()
    };
    format!("{headline} ({})", skipped_list(skipped))
}

/// The headline of a [`RoutingError::NoKeyedChannelAvailable`].
fn no_keyed_headline(skipped: &[SkippedChannel]) -> &'static str {
    if skipped
        .iter()
        .any(|s| matches!(s.reason, SkipReason::Refused { .. }))
    {
        "no channel holding this billing key accepts this request"
    } else {
        "no channel holding this billing key is enabled in the group"
    }
}

impl SkippedChannel {
    /// Was the channel skipped because its rules refuse the request (rather than because of
    /// the group's configuration)?
    pub fn is_refusal(&self) -> bool {
        matches!(self.reason, SkipReason::Refused { .. })
    }
}
