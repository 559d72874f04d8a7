//! Weighted channel selection: a pure function of the `paymentId` and the group.
//!
//! 1. **Eligible channels**: enabled, weight > 0, known to the directory, of the group's
//!    environment, and whose adapter declares `supports(op, method)`. A channel that cannot do
//!    the job is skipped and the others are renormalized (a 50/30/20 group whose 50 cannot
//!    issue virtual accounts routes virtual accounts 30:20, i.e. 60 %/40 %).
//! 2. **Draw**: `h = routing_hash(paymentId)` ([`crate::hash`]), mapped by multiply-shift onto
//!    `[0, total eligible weight)` and located on the cumulative weights of the eligible
//!    channels in configuration order.
//!
//! 1½. **Rules** (the `*_with_rules` entry points): each channel still eligible is asked
//!    whether its own rules accept *this* request (what its adapter checks before encoding:
//!    id charset and length, required fields, byte limits, amounts, methods, currency). A
//!    channel that would refuse is skipped exactly like one lacking the capability, and the
//!    rest are renormalized; the refusals are reported ([`SkipReason::Refused`]). The rules are
//!    a pure function of the request, so the choice stays a pure function of the `paymentId`,
//!    the group and the request.
//!
//! The hot path does not allocate: eligibility is a `u64` bit mask (a group has at most 10
//! channels; selection refuses more than 64), and errors are only built when there is no
//! eligible channel.
//!
//! [`WeightedOrder`] continues the draw without replacement (round `k` uses
//! [`round_hash`]`(h, k)`), which gives failover its deterministic
//! order and makes the first element of that order the channel [`select()`] picks.

use paymux_core::adapter::{Method, Operation};
use paymux_core::channel::Environment;

use crate::directory::{ChannelDirectory, DirectoryEntry};
use crate::error::{Job, RoutingError, SkipReason, SkippedChannel};
use crate::group::ChannelGroup;
use crate::hash::{round_hash, routing_hash, scale};
use crate::health::{Admission, HealthTracker};
use crate::report::SelectedChannel;

/// Selection handles groups of at most this many channels (validation allows 10).
pub const MAX_ROUTABLE_CHANNELS: usize = 64;

/// The channel chosen for a job.
#[derive(Debug, Clone, Copy)]
pub struct Selection<'a> {
    /// The chosen channel's key.
    pub channel_key: &'a str,
    /// Its position in the group's `channels`.
    pub index: usize,
    /// Its configured weight.
    pub weight: u32,
    /// What the directory knows about it (environment, adapter, name, merchant id).
    pub entry: DirectoryEntry<'a>,
    /// The group it was chosen from.
    pub group_id: &'a str,
    /// `true` when health tracking let this channel through as its single recovery probe.
    pub probe: bool,
}

impl Selection<'_> {
    /// Test or live.
    pub fn environment(&self) -> Environment {
        self.entry.environment
    }

    /// The adapter id of the chosen channel.
    pub fn adapter_id(&self) -> &str {
        self.entry.descriptor.id
    }

    /// PortOne's `SelectedChannel` (the payment's `channel` field). Allocates.
    pub fn selected_channel(&self) -> SelectedChannel {
        self.entry.selected_channel(self.channel_key)
    }
}

/// Why a channel is not eligible (allocation-free; turned into [`SkipReason`] for errors).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Skip {
    Disabled,
    ZeroWeight,
    Unknown,
    Env(Environment),
    Unsupported,
}

/// The job being routed.
#[derive(Debug, Clone, Copy)]
pub(crate) struct JobSpec {
    pub op: Operation,
    pub method: Option<Method>,
}

impl JobSpec {
    pub(crate) fn describe(&self) -> Job {
        Job {
            operation: self.op.as_str(),
            method: self.method.map(method_name),
        }
    }
}

/// PortOne-style method name for messages (`CARD`, `VIRTUAL_ACCOUNT`, ...).
pub(crate) fn method_name(m: Method) -> String {
    m.as_str().to_string()
}

/// Check one channel. `Ok` carries its directory entry.
#[inline]
pub(crate) fn check_channel<'d, D: ChannelDirectory + ?Sized>(
    group: &ChannelGroup,
    index: usize,
    job: JobSpec,
    directory: &'d D,
    allow_zero_weight: bool,
) -> Result<DirectoryEntry<'d>, Skip> {
    check_with(group, index, job, allow_zero_weight, |key| {
        directory.lookup(key)
    })
}

/// [`check_channel`] with the lookup supplied (called only for enabled, weighted channels).
#[inline]
fn check_with<'d>(
    group: &ChannelGroup,
    index: usize,
    job: JobSpec,
    allow_zero_weight: bool,
    lookup: impl FnOnce(&str) -> Option<DirectoryEntry<'d>>,
) -> Result<DirectoryEntry<'d>, Skip> {
    let c = &group.channels[index];
    if !c.enabled {
        return Err(Skip::Disabled);
    }
    if c.weight == 0 && !allow_zero_weight {
        return Err(Skip::ZeroWeight);
    }
    let Some(entry) = lookup(&c.channel_key) else {
        return Err(Skip::Unknown);
    };
    if entry.environment != group.environment {
        return Err(Skip::Env(entry.environment));
    }
    if !entry.descriptor.capabilities.supports(job.op, job.method) {
        return Err(Skip::Unsupported);
    }
    Ok(entry)
}

/// Eligible channels as a bit mask plus their total weight.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Eligible {
    pub mask: u64,
    pub total: u64,
}

impl Eligible {
    pub(crate) fn without(self, group: &ChannelGroup, index: usize) -> Eligible {
        if self.mask & (1 << index) == 0 {
            return self;
        }
        Eligible {
            mask: self.mask & !(1 << index),
            total: self.total - u64::from(group.channels[index].weight),
        }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.mask == 0
    }
}

/// Scan the group for channels eligible for `job`.
#[inline]
pub(crate) fn scan<D: ChannelDirectory + ?Sized>(
    group: &ChannelGroup,
    job: JobSpec,
    directory: &D,
) -> Eligible {
    let mut e = Eligible::default();
    for (i, c) in group.channels.iter().enumerate() {
        if check_channel(group, i, job, directory, false).is_ok() {
            e.mask |= 1 << i;
            e.total += u64::from(c.weight);
        }
    }
    e
}

/// Locate `h` on the cumulative weights of the channels in `e` (configuration order).
/// With `uniform`, every channel in `e` counts 1 (used for weight-0 fallbacks).
#[inline]
pub(crate) fn draw(group: &ChannelGroup, e: Eligible, h: u64, uniform: bool) -> Option<usize> {
    let total = if uniform {
        u64::from(e.mask.count_ones())
    } else {
        e.total
    };
    if total == 0 {
        return None;
    }
    let mut point = scale(h, total);
    let mut mask = e.mask;
    while mask != 0 {
        let i = mask.trailing_zeros() as usize;
        mask &= mask - 1;
        let w = if uniform {
            1
        } else {
            u64::from(group.channels[i].weight)
        };
        if point < w {
            return Some(i);
        }
        point -= w;
    }
    None
}

/// Draws without replacement: the deterministic, weight-proportional order of a set of
/// channels for one `paymentId`. Round 0 is plain selection.
#[derive(Debug, Clone)]
pub struct WeightedOrder<'a> {
    group: &'a ChannelGroup,
    remaining: Eligible,
    hash: u64,
    round: u32,
    uniform: bool,
}

impl<'a> WeightedOrder<'a> {
    pub(crate) fn new(
        group: &'a ChannelGroup,
        remaining: Eligible,
        hash: u64,
        uniform: bool,
    ) -> Self {
        WeightedOrder {
            group,
            remaining,
            hash,
            round: 0,
            uniform,
        }
    }
}

impl Iterator for WeightedOrder<'_> {
    /// Index into the group's `channels`.
    type Item = usize;

    fn next(&mut self) -> Option<usize> {
        let i = draw(
            self.group,
            self.remaining,
            round_hash(self.hash, self.round),
            self.uniform,
        )?;
        self.round += 1;
        self.remaining = self.remaining.without(self.group, i);
        Some(i)
    }
}

/// Rules that accept every request: routing on the group and capabilities alone.
pub fn accept_all(_channel_key: &str) -> Result<(), String> {
    Ok(())
}

/// Narrow `eligible` to the channels whose `rules` accept the request. Each refusal is pushed
/// to `refused` (configuration order); nothing is allocated when every channel accepts.
pub(crate) fn apply_rules<R>(
    group: &ChannelGroup,
    eligible: Eligible,
    rules: &mut R,
    refused: &mut Vec<SkippedChannel>,
) -> Eligible
where
    R: FnMut(&str) -> Result<(), String> + ?Sized,
{
    let mut e = eligible;
    let mut mask = eligible.mask;
    while mask != 0 {
        let i = mask.trailing_zeros() as usize;
        mask &= mask - 1;
        let key = &group.channels[i].channel_key;
        if let Err(rule) = rules(key) {
            e = e.without(group, i);
            refused.push(SkippedChannel {
                channel_key: key.clone(),
                reason: SkipReason::Refused { rule },
            });
        }
    }
    e
}

/// Build the "no eligible channel" error with a reason per channel (error path only).
/// `refused` holds the channels whose rules refused the request.
pub(crate) fn no_eligible<D: ChannelDirectory + ?Sized>(
    group: &ChannelGroup,
    job: JobSpec,
    directory: &D,
    refused: &[SkippedChannel],
) -> RoutingError {
    let skipped = group
        .channels
        .iter()
        .enumerate()
        .map(|(i, c)| SkippedChannel {
            channel_key: c.channel_key.clone(),
            reason: match check_channel(group, i, job, directory, false) {
                Ok(_) => refused
                    .iter()
                    .find(|r| r.channel_key == c.channel_key)
                    .map_or(SkipReason::Unhealthy, |r| r.reason.clone()),
                Err(s) => skip_reason(group, i, s, directory),
            },
        })
        .collect();
    RoutingError::NoEligibleChannel {
        group_id: group.id.clone(),
        job: job.describe(),
        skipped,
    }
}

pub(crate) fn skip_reason<D: ChannelDirectory + ?Sized>(
    group: &ChannelGroup,
    index: usize,
    skip: Skip,
    directory: &D,
) -> SkipReason {
    match skip {
        Skip::Disabled => SkipReason::Disabled,
        Skip::ZeroWeight => SkipReason::ZeroWeight,
        Skip::Unknown => SkipReason::UnknownChannel,
        Skip::Env(channel) => SkipReason::EnvironmentMismatch {
            channel,
            group: group.environment,
        },
        Skip::Unsupported => SkipReason::Unsupported {
            adapter: directory
                .lookup(&group.channels[index].channel_key)
                .map(|e| e.descriptor.id.to_string())
                .unwrap_or_default(),
        },
    }
}

fn too_many(group: &ChannelGroup) -> Option<RoutingError> {
    (group.channels.len() > MAX_ROUTABLE_CHANNELS).then(|| RoutingError::TooManyChannels {
        group_id: group.id.clone(),
        count: group.channels.len(),
        max: MAX_ROUTABLE_CHANNELS,
    })
}

pub(crate) fn selection_at<'a, D: ChannelDirectory + ?Sized>(
    group: &'a ChannelGroup,
    index: usize,
    directory: &'a D,
    probe: bool,
) -> Selection<'a> {
    let c = &group.channels[index];
    Selection {
        channel_key: &c.channel_key,
        index,
        weight: c.weight,
        entry: directory
            .lookup(&c.channel_key)
            .expect("eligible channels are in the directory"),
        group_id: &group.id,
        probe,
    }
}

/// Choose the channel for `payment_id` (see the module docs). Pure: the same id and the same
/// configuration always give the same channel. Health is ignored (see [`select_with_health`]).
pub fn select<'a, D: ChannelDirectory + ?Sized>(
    group: &'a ChannelGroup,
    payment_id: &str,
    op: Operation,
    method: Option<Method>,
    directory: &'a D,
) -> Result<Selection<'a>, RoutingError> {
    if let Some(e) = too_many(group) {
        return Err(e);
    }
    let job = JobSpec { op, method };
    let eligible = scan(group, job, directory);
    match draw(group, eligible, routing_hash(payment_id), false) {
        Some(i) => Ok(selection_at(group, i, directory, false)),
        None => Err(no_eligible(group, job, directory, &[])),
    }
}

/// [`select()`] that first asks each eligible channel's `rules` whether it accepts this
/// request (see the module docs): refusing channels are skipped and the others renormalized.
/// Returns the selection and the refusals (empty when every channel accepted). With every
/// eligible channel refusing, the error names each channel and the rule it broke.
pub fn select_with_rules<'a, D, R>(
    group: &'a ChannelGroup,
    payment_id: &str,
    op: Operation,
    method: Option<Method>,
    directory: &'a D,
    mut rules: R,
) -> Result<(Selection<'a>, Vec<SkippedChannel>), RoutingError>
where
    D: ChannelDirectory + ?Sized,
    R: FnMut(&str) -> Result<(), String>,
{
    if let Some(e) = too_many(group) {
        return Err(e);
    }
    let job = JobSpec { op, method };
    let mut refused = Vec::new();
    let eligible = apply_rules(group, scan(group, job, directory), &mut rules, &mut refused);
    match draw(group, eligible, routing_hash(payment_id), false) {
        Some(i) => Ok((selection_at(group, i, directory, false), refused)),
        None => Err(no_eligible(group, job, directory, &refused)),
    }
}

/// The eligible channels minus the ones health tracking would refuse now. Returns the
/// health-filtered set, or `None` when health must be ignored (the group does not ask for it,
/// or it would leave no channel: better to try than to refuse).
pub(crate) fn health_filtered(
    group: &ChannelGroup,
    eligible: Eligible,
    health: Option<&HealthTracker>,
) -> Option<Eligible> {
    let health = health.filter(|_| group.health_skip)?;
    if !health.any_unhealthy() {
        return Some(eligible);
    }
    let mut e = eligible;
    let mut mask = eligible.mask;
    while mask != 0 {
        let i = mask.trailing_zeros() as usize;
        mask &= mask - 1;
        if !health.would_admit(&group.channels[i].channel_key) {
            e = e.without(group, i);
        }
    }
    (!e.is_empty()).then_some(e)
}

/// Like [`select()`], but when the group has `healthSkip` on, channels the tracker marks
/// unhealthy are skipped like disabled ones — unless that leaves none, then health is ignored.
/// A channel whose cool-down has elapsed is let through as the single probe
/// ([`Selection::probe`]); report its result to the tracker.
pub fn select_with_health<'a, D: ChannelDirectory + ?Sized>(
    group: &'a ChannelGroup,
    payment_id: &str,
    op: Operation,
    method: Option<Method>,
    directory: &'a D,
    health: &HealthTracker,
) -> Result<Selection<'a>, RoutingError> {
    if let Some(e) = too_many(group) {
        return Err(e);
    }
    let job = JobSpec { op, method };
    let eligible = scan(group, job, directory);
    if eligible.is_empty() {
        return Err(no_eligible(group, job, directory, &[]));
    }
    let h = routing_hash(payment_id);
    if let Some(filtered) = health_filtered(group, eligible, Some(health)) {
        for i in WeightedOrder::new(group, filtered, h, false) {
            match health.admit(&group.channels[i].channel_key) {
                Admission::Healthy => return Ok(selection_at(group, i, directory, false)),
                Admission::Probe => return Ok(selection_at(group, i, directory, true)),
                Admission::Refused => continue,
            }
        }
    }
    // Health ignored: every eligible channel is unhealthy (or the group does not skip).
    let i = draw(group, eligible, h, false).expect("eligible is not empty");
    Ok(selection_at(group, i, directory, false))
}

/// A group with its channels' directory entries resolved once, for the hottest paths.
///
/// [`select()`] looks every channel up in the directory on every call; with a `HashMap` that is
/// most of its cost. A `CompiledGroup` does the lookups once (rebuild it when the group or a
/// channel changes) and then selects with no lookup at all. Results are identical to
/// [`select()`] with the same directory.
#[derive(Debug, Clone)]
pub struct CompiledGroup<'a> {
    group: &'a ChannelGroup,
    entries: Vec<Option<DirectoryEntry<'a>>>,
}

impl<'a> CompiledGroup<'a> {
    /// Resolve every channel of `group` in `directory`.
    pub fn new<D: ChannelDirectory + ?Sized>(group: &'a ChannelGroup, directory: &'a D) -> Self {
        CompiledGroup {
            group,
            entries: group
                .channels
                .iter()
                .map(|c| directory.lookup(&c.channel_key))
                .collect(),
        }
    }

    /// The group.
    pub fn group(&self) -> &'a ChannelGroup {
        self.group
    }

    /// [`select()`] without directory lookups.
    pub fn select(
        &self,
        payment_id: &str,
        op: Operation,
        method: Option<Method>,
    ) -> Result<Selection<'a>, RoutingError> {
        let group = self.group;
        if let Some(e) = too_many(group) {
            return Err(e);
        }
        let job = JobSpec { op, method };
        let mut eligible = Eligible::default();
        for (i, c) in group.channels.iter().enumerate() {
            if check_with(group, i, job, false, |_| self.entries[i]).is_ok() {
                eligible.mask |= 1 << i;
                eligible.total += u64::from(c.weight);
            }
        }
        let Some(i) = draw(group, eligible, routing_hash(payment_id), false) else {
            return Err(no_eligible(group, job, self, &[]));
        };
        let c = &group.channels[i];
        Ok(Selection {
            channel_key: &c.channel_key,
            index: i,
            weight: c.weight,
            entry: self.entries[i].expect("eligible channels are resolved"),
            group_id: &group.id,
            probe: false,
        })
    }
}

impl ChannelDirectory for CompiledGroup<'_> {
    fn lookup(&self, channel_key: &str) -> Option<DirectoryEntry<'_>> {
        let i = self
            .group
            .channels
            .iter()
            .position(|c| c.channel_key == channel_key)?;
        self.entries[i]
    }
}
