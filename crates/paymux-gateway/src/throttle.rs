//! Throttling: what keeps a guesser or a flood from using the gateway's doors without end.
//!
//! - **Console sign-in** (`POST /console/login`): failed sign-ins per client address and in
//!   all; over either limit the console answers `429` with `Retry-After` *before* looking at
//!   the secret, so a guesser learns nothing while throttled.
//! - **Tokens** (`POST /login/api-secret`, `POST /token/refresh`): the same for refused
//!   secrets and refresh tokens. PortOne's error unions for these operations have no
//!   rate-limit error, so a throttled request is answered `429` with `Retry-After` and the
//!   body of PortOne's `UnauthorizedError` (`"type": "UNAUTHORIZED"`): PortOne's SDKs read the
//!   body's `type` and raise the error they know; the status says what happened.
//! - **PG notices** (`POST /pg-notices/{channelKey}`): every notice counts, per channel; over
//!   the cap a notice is answered `503` with `Retry-After` (never the adapter's
//!   acknowledgement), so the PG sends it again later, and logged.
//!
//! Each [`Limiter`] counts events in fixed windows per key (a client address, a channel key)
//! and, optionally, in all. Its table is bounded ([`Limit::max_keys`]): when it is full,
//! keys whose window has passed are dropped, then the oldest; the global count still holds
//! whatever the table forgets. The limits are per instance (instances do not share counts).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// One limiter's rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    /// Events allowed per key in one window.
    pub per_key: u32,
    /// Events allowed in all in one window (`None`: no global limit).
    pub global: Option<u32>,
    /// The window.
    pub window: Duration,
    /// Most keys tracked at once.
    pub max_keys: usize,
}

#[derive(Debug, Clone, Copy)]
struct Count {
    start: Instant,
    n: u32,
}

impl Count {
    fn current(&mut self, now: Instant, window: Duration) -> &mut Self {
        if now.duration_since(self.start) >= window {
            *self = Count { start: now, n: 0 };
        }
        self
    }
}

#[derive(Debug)]
struct Table {
    keys: HashMap<String, Count>,
    global: Count,
}

/// Counts events per key and in all, in fixed windows (see the module docs).
#[derive(Debug)]
pub struct Limiter {
    limit: Limit,
    table: Mutex<Table>,
}

impl Limiter {
    /// A limiter with `limit`.
    pub fn new(limit: Limit) -> Self {
        Limiter {
            limit,
            table: Mutex::new(Table {
                keys: HashMap::new(),
                global: Count {
                    start: Instant::now(),
                    n: 0,
                },
            }),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Table> {
        self.table.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// `Err(retry_after)` when `key`, or everyone, has used up the window at `now`.
    pub fn check_at(&self, key: &str, now: Instant) -> Result<(), Duration> {
        let mut t = self.lock();
        let window = self.limit.window;
        let global = t.global.current(now, window);
        if let Some(max) = self.limit.global {
            if global.n >= max {
                return Err(retry_after(global, now, window));
            }
        }
        if let Some(c) = t.keys.get_mut(key) {
            let c = c.current(now, window);
            if c.n >= self.limit.per_key {
                return Err(retry_after(c, now, window));
            }
        }
        Ok(())
    }

    /// Count one event of `key` (and of everyone) at `now`.
    pub fn hit_at(&self, key: &str, now: Instant) {
        let mut t = self.lock();
        let window = self.limit.window;
        t.global.current(now, window).n += 1;
        if !t.keys.contains_key(key) && t.keys.len() >= self.limit.max_keys {
            make_room(&mut t.keys, now, window);
        }
        let c = t
            .keys
            .entry(key.to_string())
            .or_insert(Count { start: now, n: 0 });
        let c = c.current(now, window);
        c.n = c.n.saturating_add(1);
    }

    /// [`Limiter::check_at`] now.
    pub fn check(&self, key: &str) -> Result<(), Duration> {
        self.check_at(key, Instant::now())
    }

    /// [`Limiter::hit_at`] now.
    pub fn hit(&self, key: &str) {
        self.hit_at(key, Instant::now())
    }

    /// Check and, when allowed, count (every event counts: a cap, not a failure limit).
    pub fn admit(&self, key: &str) -> Result<(), Duration> {
        let now = Instant::now();
        self.check_at(key, now)?;
        self.hit_at(key, now);
        Ok(())
    }

    /// Keys tracked now (bounded by [`Limit::max_keys`]).
    pub fn tracked(&self) -> usize {
        self.lock().keys.len()
    }
}

/// Drop the keys whose window has passed; if none has, the one whose window began first.
fn make_room(keys: &mut HashMap<String, Count>, now: Instant, window: Duration) {
    keys.retain(|_, c| now.duration_since(c.start) < window);
    if keys.is_empty() {
        return;
    }
    let oldest = keys
        .iter()
        .min_by_key(|(_, c)| c.start)
        .map(|(k, _)| k.clone());
    if let Some(k) = oldest {
        keys.remove(&k);
    }
}

/// Whole seconds until the window of `c` ends (at least 1).
fn retry_after(c: &Count, now: Instant, window: Duration) -> Duration {
    let left = window.saturating_sub(now.duration_since(c.start));
    Duration::from_secs(left.as_secs() + u64::from(left.subsec_nanos() > 0))
        .max(Duration::from_secs(1))
}

/// The gateway's limiters, built from `[limits]`.
#[derive(Debug)]
pub struct Limits {
    /// Failed console sign-ins.
    pub console_sign_in: Limiter,
    /// Refused `POST /login/api-secret` and `POST /token/refresh`.
    pub tokens: Limiter,
    /// PG notices per channel.
    pub pg_notices: Limiter,
}

impl Limits {
    /// From the resolved configuration.
    pub fn new(c: &crate::config::LimitsConfig) -> Self {
        Limits {
            console_sign_in: Limiter::new(c.console_sign_in),
            tokens: Limiter::new(c.tokens),
            pg_notices: Limiter::new(c.pg_notices),
        }
    }
}

/// A client's address as the limits key it (the peer's IP; behind a proxy, the proxy's).
pub fn client_key(peer: Option<std::net::SocketAddr>) -> String {
    peer.map_or_else(|| "unknown".to_string(), |a| a.ip().to_string())
}

/// `Retry-After`'s value for `d` (whole seconds).
pub fn retry_after_header(d: Duration) -> String {
    d.as_secs().max(1).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limit(per_key: u32, global: Option<u32>, max_keys: usize) -> Limit {
        Limit {
            per_key,
            global,
            window: Duration::from_secs(60),
            max_keys,
        }
    }

    #[test]
    fn a_key_over_its_limit_waits_for_the_window() {
        let l = Limiter::new(limit(5, None, 100));
        let t0 = Instant::now();
        for _ in 0..5 {
            assert_eq!(l.check_at("1.2.3.4", t0), Ok(()));
            l.hit_at("1.2.3.4", t0);
        }
        let t1 = t0 + Duration::from_secs(20);
        assert_eq!(l.check_at("1.2.3.4", t1), Err(Duration::from_secs(40)));
        assert_eq!(
            l.check_at("5.6.7.8", t1),
            Ok(()),
            "another client is not held"
        );
        assert_eq!(l.check_at("1.2.3.4", t0 + Duration::from_secs(60)), Ok(()));
    }

    #[test]
    fn the_global_limit_holds_many_clients() {
        let l = Limiter::new(limit(5, Some(10), 100));
        let t0 = Instant::now();
        for i in 0..10 {
            l.hit_at(&format!("10.0.0.{i}"), t0);
        }
        assert!(l.check_at("10.0.0.99", t0).is_err());
        assert_eq!(
            l.check_at("10.0.0.99", t0 + Duration::from_secs(61)),
            Ok(())
        );
    }

    #[test]
    fn the_table_stays_bounded_under_many_addresses() {
        let l = Limiter::new(limit(5, None, 500));
        let t0 = Instant::now();
        for i in 0..5_000u32 {
            l.hit_at(
                &format!("2001:db8::{i:x}"),
                t0 + Duration::from_millis(u64::from(i)),
            );
        }
        assert!(l.tracked() <= 500, "{}", l.tracked());
        // A key seen five times just now is still held.
        let now = t0 + Duration::from_millis(5_000);
        for _ in 0..5 {
            l.hit_at("203.0.113.9", now);
        }
        assert!(l.check_at("203.0.113.9", now).is_err());
    }

    #[test]
    fn admit_counts_every_event() {
        let l = Limiter::new(limit(3, None, 10));
        assert!((0..3).all(|_| l.admit("ch").is_ok()));
        let wait = l.admit("ch").unwrap_err();
        assert!(wait >= Duration::from_secs(1) && wait <= Duration::from_secs(60));
        assert_eq!(retry_after_header(wait), wait.as_secs().to_string());
    }
}
