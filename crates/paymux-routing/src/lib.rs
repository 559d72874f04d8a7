//! # paymux-routing
//!
//! Smart routing for paymux, with PortOne V2 semantics ("스마트 라우팅"):
//!
//! - [`group`]: channel groups (`{id, name, isForTest, channels: [{channelKey, weight,
//!   enabled}]}`) and their validation; [`schedule`]: changes scheduled on the hour.
//! - [`mod@select`]: weighted channel selection, a pure function of the `paymentId` (stable hash:
//!   [`hash`]) that skips channels which cannot do the job.
//! - [`super_key`]: super billing keys — issue on every enabled channel, pay by current weights
//!   among keyed channels, delete everywhere.
//! - [`failover`] and [`health`]: paymux extensions beyond PortOne, opt-in per group — try
//!   another channel only when nothing was charged, skip channels that keep failing.
//! - [`mod@explain`]: the routing decision for one request laid out (eligible channels with
//!   their renormalized shares, skipped ones with reasons), nothing sent.
//! - [`report`]: PortOne's `SelectedChannel` / `ChannelSpecificFailure` shapes.
//!
//! The crate does no I/O: it decides, and the gateway calls the PG through closures
//! (`attempt_fn`, `issue_fn`, `delete_fn`) returning `Result<Outcome, PgError>`.
#![warn(missing_docs)]

pub mod directory;
pub mod error;
pub mod explain;
pub mod failover;
pub mod group;
pub mod hash;
pub mod health;
pub mod report;
pub mod schedule;
pub mod select;
pub mod super_key;

pub use directory::{ChannelDirectory, ChannelRecord, DirectoryEntry, MapDirectory};
pub use error::{RoutingError, SkipReason, SkippedChannel};
pub use explain::{explain, EligibleChannel, Explanation, SkippedEntry};
pub use failover::{
    may_fail_over, route_with_failover, Attempt, AttemptResult, Candidate, FailoverPlan, Routed,
};
pub use group::{ChannelGroup, GroupChannel, GroupUpdate, MAX_CHANNELS, TOTAL_WEIGHT};
pub use health::{
    Admission, ChannelHealth, Clock, HealthConfig, HealthSignal, HealthTracker, ManualClock,
    SystemClock,
};
pub use report::{ChannelGroupSummary, ChannelSpecificFailure, ChannelType, SelectedChannel};
pub use schedule::{Applied, GroupSchedule, ScheduledChange};
pub use select::{
    accept_all, select, select_with_health, select_with_rules, CompiledGroup, Selection,
    WeightedOrder,
};
pub use super_key::{
    delete_super_billing_key, delete_targets, issue_super_billing_key, issue_targets,
    issue_targets_with_rules, select_for_billing_key, BillingKeyRoute, BillingKeySelection,
    ChannelTarget, IssueTargets, IssuedChannel, SuperKeyDelete, SuperKeyIssue,
};
