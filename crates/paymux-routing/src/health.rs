//! Channel health: skip a channel that keeps failing before anything reaches its PG.
//!
//! A paymux extension (PortOne has none), used only by groups with `healthSkip: true`.
//!
//! Per channel, a small circuit breaker:
//!
//! - **Healthy** (closed). Every channel-caused *not-sent failure* (see [`HealthSignal`]:
//!   connection never made, channel misconfigured, retry-safe decline) adds one to a
//!   consecutive count; any success resets it. At [`HealthConfig::failure_threshold`]
//!   (default 3) consecutive failures the channel becomes unhealthy.
//! - **Cooling down** (open) for [`HealthConfig::cool_down`] (default 30 s): selection skips it.
//! - **Probe** (half-open): after the cool-down, exactly one request is let through
//!   ([`Admission::Probe`]). Its success makes the channel healthy again; a failure (or no
//!   usable answer) starts a new cool-down. A probe whose result never comes back (the caller
//!   dropped it) expires after one more cool-down, so a lost probe cannot disable a channel
//!   forever.
//!
//! Selection never refuses a payment because of health: when every eligible channel is
//! unhealthy, health is ignored ("better to try than to refuse").
//!
//! Time comes from an injectable [`Clock`], so tests drive it with [`ManualClock`].

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use paymux_core::error::PgError;
use paymux_core::outcome::Outcome;

/// A monotonic time source.
pub trait Clock: Send + Sync {
    /// Now.
    fn now(&self) -> Instant;
}

/// The real clock (`Instant::now()`).
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Instant {
        Instant::now()
    }
}

/// A clock that moves only when told to (tests, simulations).
#[derive(Debug)]
pub struct ManualClock {
    base: Instant,
    offset_nanos: AtomicU64,
}

impl Default for ManualClock {
    fn default() -> Self {
        Self::new()
    }
}

impl ManualClock {
    /// A clock standing at an arbitrary start instant.
    pub fn new() -> Self {
        ManualClock {
            base: Instant::now(),
            offset_nanos: AtomicU64::new(0),
        }
    }

    /// Move the clock forward.
    pub fn advance(&self, by: Duration) {
        let nanos = u64::try_from(by.as_nanos()).unwrap_or(u64::MAX);
        self.offset_nanos.fetch_add(nanos, Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Instant {
        self.base + Duration::from_nanos(self.offset_nanos.load(Ordering::SeqCst))
    }
}

/// Thresholds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HealthConfig {
    /// Consecutive not-sent failures that make a channel unhealthy (default 3; at least 1).
    pub failure_threshold: u32,
    /// How long an unhealthy channel is skipped before one probe (default 30 s).
    pub cool_down: Duration,
}

impl Default for HealthConfig {
    fn default() -> Self {
        HealthConfig {
            failure_threshold: 3,
            cool_down: Duration::from_secs(30),
        }
    }
}

/// What a result says about a channel's health.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HealthSignal {
    /// The PG answered: an approval, a pending or virtual-account answer, or a decline that is
    /// about the card or the request (card declined, insufficient funds, ...). The channel works.
    Success,
    /// Nothing was done at the PG and the *channel* is the reason: `PgError::NotSent`
    /// (connection refused, DNS, connect timeout), `PgError::Config` (the channel's
    /// credentials or options are wrong), or a retry-safe decline (PG maintenance, merchant
    /// configuration at the PG).
    NotSentFailure,
    /// Says nothing about the channel: `Outcome::Unknown` (sent, no usable answer), a
    /// malformed answer, or a not-sent error caused by the *request* (validation, unsupported
    /// operation, a character the vendor's charset cannot carry) — a burst of bad requests
    /// must not mark a working PG unhealthy. It leaves the count unchanged (but a probe with
    /// this result has not proved the channel healthy, so the cool-down starts again).
    Inconclusive,
}

impl HealthSignal {
    /// Classify a result.
    pub fn of(result: &Result<Outcome, PgError>) -> Self {
        match result {
            Err(PgError::NotSent { .. } | PgError::Config(_)) => HealthSignal::NotSentFailure,
            Err(_) => HealthSignal::Inconclusive,
            Ok(Outcome::Declined(d)) if d.retry_safe => HealthSignal::NotSentFailure,
            Ok(Outcome::Unknown(_)) => HealthSignal::Inconclusive,
            Ok(_) => HealthSignal::Success,
        }
    }
}

/// Whether a request may go to a channel now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admission {
    /// The channel is healthy.
    Healthy,
    /// The channel's cool-down is over and this request is its single probe.
    Probe,
    /// Cooling down, or another request is already probing.
    Refused,
}

/// A channel's state, for status pages and tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChannelHealth {
    /// Healthy, with this many consecutive not-sent failures so far (below the threshold).
    Healthy {
        /// Consecutive not-sent failures.
        consecutive_failures: u32,
    },
    /// Skipped until the cool-down ends.
    CoolingDown {
        /// Time left.
        remaining: Duration,
    },
    /// Cool-down over; the next request is the probe.
    ProbeReady,
    /// A probe is in flight.
    Probing,
}

#[derive(Debug, Clone, Copy, Default)]
struct State {
    failures: u32,
    /// Set while unhealthy: skipped until this instant.
    open_until: Option<Instant>,
    /// Set while a probe is in flight.
    probe_since: Option<Instant>,
}

/// Thread-safe per-channel health (a `Mutex` over a map, plus an atomic count of unhealthy
/// channels so selection skips the lock entirely while every channel is healthy).
pub struct HealthTracker {
    config: HealthConfig,
    clock: Arc<dyn Clock>,
    states: Mutex<HashMap<String, State>>,
    unhealthy: AtomicUsize,
}

impl std::fmt::Debug for HealthTracker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HealthTracker")
            .field("config", &self.config)
            .field("unhealthy", &self.unhealthy.load(Ordering::Relaxed))
            .finish()
    }
}

impl Default for HealthTracker {
    fn default() -> Self {
        Self::new()
    }
}

impl HealthTracker {
    /// Default thresholds, system clock.
    pub fn new() -> Self {
        Self::with_config(HealthConfig::default())
    }

    /// Given thresholds, system clock.
    pub fn with_config(config: HealthConfig) -> Self {
        Self::with_clock(config, Arc::new(SystemClock))
    }

    /// Given thresholds and clock.
    pub fn with_clock(config: HealthConfig, clock: Arc<dyn Clock>) -> Self {
        HealthTracker {
            config: HealthConfig {
                failure_threshold: config.failure_threshold.max(1),
                ..config
            },
            clock,
            states: Mutex::new(HashMap::new()),
            unhealthy: AtomicUsize::new(0),
        }
    }

    /// The thresholds in use.
    pub fn config(&self) -> HealthConfig {
        self.config
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<String, State>> {
        // A panic while holding the lock cannot leave a State half-updated in a harmful way.
        self.states.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Is any channel unhealthy (cooling down or probing)? Lock-free.
    pub fn any_unhealthy(&self) -> bool {
        self.unhealthy.load(Ordering::Acquire) > 0
    }

    fn probe_free(&self, s: &State, now: Instant) -> bool {
        match s.probe_since {
            None => true,
            Some(t) => now >= t + self.config.cool_down,
        }
    }

    /// Would [`HealthTracker::admit`] let a request through now? No side effect.
    pub fn would_admit(&self, channel_key: &str) -> bool {
        if !self.any_unhealthy() {
            return true;
        }
        let now = self.clock.now();
        match self.lock().get(channel_key) {
            None => true,
            Some(s) => match s.open_until {
                None => true,
                Some(until) => now >= until && self.probe_free(s, now),
            },
        }
    }

    /// Ask to send a request to the channel. A channel past its cool-down admits exactly one
    /// request as [`Admission::Probe`]; report its result with [`HealthTracker::record`].
    pub fn admit(&self, channel_key: &str) -> Admission {
        if !self.any_unhealthy() {
            return Admission::Healthy;
        }
        let now = self.clock.now();
        let mut states = self.lock();
        let Some(s) = states.get_mut(channel_key) else {
            return Admission::Healthy;
        };
        match s.open_until {
            None => Admission::Healthy,
            Some(until) if now < until => Admission::Refused,
            Some(_) => {
                if self.probe_free(s, now) {
                    s.probe_since = Some(now);
                    Admission::Probe
                } else {
                    Admission::Refused
                }
            }
        }
    }

    /// Record a result from the channel (classified with [`HealthSignal::of`]).
    pub fn record(&self, channel_key: &str, result: &Result<Outcome, PgError>) {
        self.record_signal(channel_key, HealthSignal::of(result));
    }

    /// Record a classified result.
    pub fn record_signal(&self, channel_key: &str, signal: HealthSignal) {
        let now = self.clock.now();
        let mut states = self.lock();
        match signal {
            HealthSignal::Success => {
                if let Some(s) = states.remove(channel_key) {
                    if s.open_until.is_some() {
                        self.unhealthy.fetch_sub(1, Ordering::AcqRel);
                    }
                }
            }
            HealthSignal::NotSentFailure => {
                let s = states.entry(channel_key.to_string()).or_default();
                s.failures = s.failures.saturating_add(1);
                if s.open_until.is_some() {
                    // A failed probe (or a failure while health was being ignored): cool down again.
                    s.open_until = Some(now + self.config.cool_down);
                    s.probe_since = None;
                } else if s.failures >= self.config.failure_threshold {
                    s.open_until = Some(now + self.config.cool_down);
                    s.probe_since = None;
                    self.unhealthy.fetch_add(1, Ordering::AcqRel);
                    tracing::warn!(
                        channel = channel_key,
                        failures = s.failures,
                        cool_down_s = self.config.cool_down.as_secs(),
                        "channel marked unhealthy"
                    );
                }
            }
            HealthSignal::Inconclusive => {
                if let Some(s) = states.get_mut(channel_key) {
                    if s.probe_since.is_some() {
                        s.open_until = Some(now + self.config.cool_down);
                        s.probe_since = None;
                    }
                }
            }
        }
    }

    /// The channel's state now.
    pub fn status(&self, channel_key: &str) -> ChannelHealth {
        let now = self.clock.now();
        let states = self.lock();
        match states.get(channel_key) {
            None => ChannelHealth::Healthy {
                consecutive_failures: 0,
            },
            Some(s) => match s.open_until {
                None => ChannelHealth::Healthy {
                    consecutive_failures: s.failures,
                },
                Some(until) if now < until => ChannelHealth::CoolingDown {
                    remaining: until - now,
                },
                Some(_) if self.probe_free(s, now) => ChannelHealth::ProbeReady,
                Some(_) => ChannelHealth::Probing,
            },
        }
    }

    /// Take a channel's state from elsewhere (other gateway instances sharing a database):
    /// `failures` consecutive not-sent failures, and — when unhealthy — how long its cool-down
    /// still runs (`Some(Duration::ZERO)`: over, the next request is the probe). A probe this
    /// tracker has in flight is kept (its result will be recorded here). `(0, None)` forgets
    /// the channel, like [`HealthTracker::reset`].
    pub fn adopt(&self, channel_key: &str, failures: u32, open_for: Option<Duration>) {
        let now = self.clock.now();
        let mut states = self.lock();
        let was_open = states
            .get(channel_key)
            .is_some_and(|s| s.open_until.is_some());
        let probing = states
            .get(channel_key)
            .and_then(|s| s.probe_since)
            .filter(|t| now < *t + self.config.cool_down);
        let next = match open_for {
            None if failures == 0 => None,
            None => Some(State {
                failures,
                open_until: None,
                probe_since: None,
            }),
            Some(d) => Some(State {
                failures,
                open_until: Some(now + d),
                probe_since: probing.filter(|_| d.is_zero()),
            }),
        };
        let is_open = next.is_some_and(|s| s.open_until.is_some());
        match next {
            Some(s) => {
                states.insert(channel_key.to_string(), s);
            }
            None => {
                states.remove(channel_key);
            }
        }
        match (was_open, is_open) {
            (false, true) => {
                self.unhealthy.fetch_add(1, Ordering::AcqRel);
            }
            (true, false) => {
                self.unhealthy.fetch_sub(1, Ordering::AcqRel);
            }
            _ => {}
        }
    }

    /// The channels this tracker holds a state for (failures counted, or unhealthy).
    pub fn tracked(&self) -> Vec<String> {
        self.lock().keys().cloned().collect()
    }

    /// Forget everything about a channel (e.g. after its configuration was fixed).
    pub fn reset(&self, channel_key: &str) {
        self.record_signal(channel_key, HealthSignal::Success);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn adopting_a_shared_state_skips_then_probes_then_forgets() {
        let clock = Arc::new(ManualClock::new());
        let h = HealthTracker::with_clock(HealthConfig::default(), clock.clone());
        // Another instance counted two failures: still healthy here.
        h.adopt("a", 2, None);
        assert_eq!(
            h.status("a"),
            ChannelHealth::Healthy {
                consecutive_failures: 2
            }
        );
        assert_eq!(h.admit("a"), Admission::Healthy);
        // ... and then opened it for 10 s more.
        h.adopt("a", 3, Some(Duration::from_secs(10)));
        assert!(h.any_unhealthy());
        assert_eq!(h.admit("a"), Admission::Refused);
        clock.advance(Duration::from_secs(10));
        assert_eq!(h.admit("a"), Admission::Probe);
        // The shared cool-down is over too: the probe in flight here is kept.
        h.adopt("a", 3, Some(Duration::ZERO));
        assert_eq!(h.status("a"), ChannelHealth::Probing);
        assert_eq!(h.tracked(), vec!["a".to_string()]);
        // Another instance saw it work: forgotten, counted healthy again.
        h.adopt("a", 0, None);
        assert!(!h.any_unhealthy());
        assert!(h.tracked().is_empty());
        assert_eq!(h.admit("a"), Admission::Healthy);
    }
}
