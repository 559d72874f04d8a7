//! Failover (only when nothing was charged) and health tracking (skip, probe, recovery) with a
//! manual clock.

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::*;
use paymux_core::adapter::{Method, Operation};
use paymux_core::error::PgError;
use paymux_core::outcome::Outcome;
use paymux_routing::{
    may_fail_over, route_with_failover, select, select_with_health, Admission, AttemptResult,
    ChannelGroup, ChannelHealth, FailoverPlan, HealthConfig, HealthSignal, HealthTracker,
    ManualClock,
};

const CARD: Option<Method> = Some(Method::Card);
const OP: Operation = Operation::PaymentInstant;

fn failover_group() -> ChannelGroup {
    let mut g = group(&[
        ("a", 50, true),
        ("b", 30, true),
        ("c", 20, true),
        ("d", 0, true),
    ]);
    g.failover = true;
    g
}

#[test]
fn may_fail_over_only_when_nothing_was_charged() {
    assert!(may_fail_over(&Err(not_sent())));
    assert!(may_fail_over(&Err(validation())));
    assert!(may_fail_over(&Ok(maintenance())), "retry-safe decline");
    assert!(!may_fail_over(&Ok(unknown())), "never after Unknown");
    assert!(
        !may_fail_over(&Ok(card_declined())),
        "never after a card decline"
    );
    assert!(!may_fail_over(&Ok(insufficient_funds())));
    assert!(!may_fail_over(&Err(malformed())), "not certainly unsent");
    assert!(!may_fail_over(&Ok(approved())));
}

/// Run the driver with scripted results per channel; returns (final channel, attempts).
fn run(
    g: &ChannelGroup,
    id: &str,
    health: Option<&HealthTracker>,
    script: impl Fn(&str) -> Result<Outcome, PgError>,
) -> (
    String,
    Vec<(String, AttemptResult)>,
    Result<Outcome, PgError>,
) {
    let dir = directory();
    let calls = Mutex::new(Vec::new());
    let routed = block_on(route_with_failover(g, id, OP, CARD, &dir, health, |c| {
        calls.lock().unwrap().push(c.channel_key.to_string());
        let r = script(c.channel_key);
        async move { r }
    }))
    .unwrap();
    let attempts: Vec<(String, AttemptResult)> = routed
        .attempts
        .iter()
        .map(|a| (a.channel_key.clone(), a.result.clone()))
        .collect();
    assert_eq!(
        calls.into_inner().unwrap(),
        attempts.iter().map(|a| a.0.clone()).collect::<Vec<_>>(),
        "every call is recorded as an attempt"
    );
    (routed.channel_key.to_string(), attempts, routed.result)
}

#[test]
fn no_failover_after_unknown_or_card_decline() {
    let g = failover_group();
    for bad in [unknown(), card_declined(), insufficient_funds()] {
        let (last, attempts, result) = run(&g, "pay-1", None, |_| Ok(bad.clone()));
        assert_eq!(attempts.len(), 1, "{bad:?} must not fail over");
        assert_eq!(result.unwrap(), bad);
        let dir = directory();
        let primary = select(&g, "pay-1", OP, CARD, &dir).unwrap().channel_key;
        assert_eq!(last, primary);
    }
}

#[test]
fn fails_over_after_not_sent_and_retry_safe_decline() {
    let g = failover_group();
    let order: Vec<String> = FailoverPlan::for_payment(&g, "pay-1", OP, CARD, &directory(), None)
        .unwrap()
        .order()
        .map(String::from)
        .collect();
    assert_eq!(order.len(), 3, "weight-0 `d` is not a fallback: {order:?}");
    let first = order[0].clone();
    let second = order[1].clone();
    let (last, attempts, result) = run(&g, "pay-1", None, |k| {
        if k == first {
            Err(not_sent())
        } else if k == second {
            Ok(maintenance())
        } else {
            Ok(approved())
        }
    });
    assert_eq!(last, order[2]);
    assert!(matches!(result, Ok(Outcome::Approved(_))));
    assert_eq!(attempts.len(), 3);
    assert!(matches!(
        attempts[0].1,
        AttemptResult::Error { not_sent: true, .. }
    ));
    assert!(matches!(
        attempts[1].1,
        AttemptResult::Declined {
            retry_safe: true,
            ..
        }
    ));
    assert_eq!(attempts[2].1, AttemptResult::Approved);
    // A decline on the fallback stops the chain there.
    let (_, attempts, result) = run(&g, "pay-1", None, |k| {
        if k == first {
            Err(not_sent())
        } else {
            Ok(card_declined())
        }
    });
    assert_eq!(attempts.len(), 2);
    assert_eq!(result.unwrap(), card_declined());
}

#[test]
fn every_channel_unsent_returns_the_last_error_with_all_attempts() {
    let g = failover_group();
    let (_, attempts, result) = run(&g, "pay-9", None, |_| Err(not_sent()));
    assert_eq!(attempts.len(), 3);
    assert!(matches!(result, Err(PgError::NotSent { .. })));
}

#[test]
fn without_the_flag_there_is_no_failover() {
    let mut g = failover_group();
    g.failover = false;
    let (_, attempts, _) = run(&g, "pay-1", None, |_| Err(not_sent()));
    assert_eq!(attempts.len(), 1);
}

#[test]
fn fallback_order_is_deterministic_and_weight_proportional() {
    let g = failover_group();
    let dir = directory();
    let mut second_after_a = std::collections::HashMap::<String, u32>::new();
    for i in 0..10_000 {
        let id = format!("pay-{i}");
        let o1: Vec<&str> = FailoverPlan::for_payment(&g, &id, OP, CARD, &dir, None)
            .unwrap()
            .order()
            .collect();
        let o2: Vec<&str> = FailoverPlan::for_payment(&g, &id, OP, CARD, &dir, None)
            .unwrap()
            .order()
            .collect();
        assert_eq!(o1, o2);
        if o1[0] == "a" {
            *second_after_a.entry(o1[1].to_string()).or_default() += 1;
        }
    }
    // After `a`, b:c should be 30:20.
    let b = second_after_a["b"] as f64;
    let c = second_after_a["c"] as f64;
    let share = b / (b + c);
    assert!((share - 0.6).abs() < 0.03, "b's share after a: {share}");
}

fn tracker() -> (Arc<ManualClock>, HealthTracker) {
    let clock = Arc::new(ManualClock::new());
    let t = HealthTracker::with_clock(HealthConfig::default(), clock.clone());
    (clock, t)
}

#[test]
fn three_not_sent_failures_open_then_one_probe_after_cool_down() {
    let (clock, h) = tracker();
    h.record("a", &Err(not_sent()));
    h.record("a", &Err(not_sent()));
    assert_eq!(
        h.status("a"),
        ChannelHealth::Healthy {
            consecutive_failures: 2
        }
    );
    assert_eq!(h.admit("a"), Admission::Healthy);
    h.record("a", &Err(not_sent()));
    assert_eq!(h.admit("a"), Admission::Refused);
    clock.advance(Duration::from_secs(29));
    assert_eq!(
        h.status("a"),
        ChannelHealth::CoolingDown {
            remaining: Duration::from_secs(1)
        }
    );
    assert_eq!(h.admit("a"), Admission::Refused);
    clock.advance(Duration::from_secs(1));
    assert_eq!(h.status("a"), ChannelHealth::ProbeReady);
    assert_eq!(h.admit("a"), Admission::Probe);
    assert_eq!(h.admit("a"), Admission::Refused, "only one probe at a time");
    assert_eq!(h.status("a"), ChannelHealth::Probing);
    // The probe fails: a new cool-down.
    h.record("a", &Ok(maintenance()));
    assert_eq!(h.admit("a"), Admission::Refused);
    clock.advance(Duration::from_secs(30));
    assert_eq!(h.admit("a"), Admission::Probe);
    // The probe succeeds (a card decline proves the PG answers): healthy again.
    h.record("a", &Ok(card_declined()));
    assert_eq!(
        h.status("a"),
        ChannelHealth::Healthy {
            consecutive_failures: 0
        }
    );
    assert_eq!(h.admit("a"), Admission::Healthy);
    assert!(!h.any_unhealthy());
}

#[test]
fn success_resets_the_count_and_request_faults_do_not_count() {
    let (_, h) = tracker();
    h.record("a", &Err(not_sent()));
    h.record("a", &Err(not_sent()));
    h.record("a", &Ok(approved()));
    h.record("a", &Err(not_sent()));
    h.record("a", &Err(not_sent()));
    assert_eq!(
        h.admit("a"),
        Admission::Healthy,
        "the success broke the streak"
    );
    for _ in 0..10 {
        h.record("b", &Err(validation()));
        h.record("b", &Ok(unknown()));
        h.record("b", &Err(malformed()));
    }
    assert_eq!(h.admit("b"), Admission::Healthy);
    assert_eq!(
        HealthSignal::of(&Err(validation())),
        HealthSignal::Inconclusive
    );
    assert_eq!(
        HealthSignal::of(&Ok(maintenance())),
        HealthSignal::NotSentFailure
    );
}

#[test]
fn a_lost_probe_expires() {
    let (clock, h) = tracker();
    for _ in 0..3 {
        h.record("a", &Err(not_sent()));
    }
    clock.advance(Duration::from_secs(30));
    assert_eq!(h.admit("a"), Admission::Probe);
    // Never reported back.
    clock.advance(Duration::from_secs(29));
    assert_eq!(h.admit("a"), Admission::Refused);
    clock.advance(Duration::from_secs(1));
    assert_eq!(h.admit("a"), Admission::Probe);
}

#[test]
fn health_skip_routes_around_an_unhealthy_channel_then_probes_it() {
    let (clock, h) = tracker();
    let mut g2 = group(&[("a", 90, true), ("b", 10, true)]);
    g2.health_skip = true;
    let dir = directory();
    for _ in 0..3 {
        h.record("a", &Err(not_sent()));
    }
    for i in 0..200 {
        let s = select_with_health(&g2, &format!("pay-{i}"), OP, CARD, &dir, &h).unwrap();
        assert_eq!(s.channel_key, "b", "unhealthy `a` is skipped");
    }
    // Without healthSkip the group ignores health.
    g2.health_skip = false;
    let picks_a = (0..200)
        .filter(|i| {
            select_with_health(&g2, &format!("pay-{i}"), OP, CARD, &dir, &h)
                .unwrap()
                .channel_key
                == "a"
        })
        .count();
    assert!(picks_a > 150);
    g2.health_skip = true;
    // After the cool-down exactly one request probes `a`.
    clock.advance(Duration::from_secs(30));
    let picks: Vec<(String, bool)> = (0..200)
        .map(|i| {
            let s = select_with_health(&g2, &format!("pay-{i}"), OP, CARD, &dir, &h).unwrap();
            (s.channel_key.to_string(), s.probe)
        })
        .collect();
    let probes: Vec<&(String, bool)> = picks.iter().filter(|p| p.0 == "a").collect();
    assert_eq!(probes.len(), 1, "one probe only: {probes:?}");
    assert!(probes[0].1, "the probe is flagged");
    h.record("a", &Ok(approved()));
    let picks_a = (0..200)
        .filter(|i| {
            select_with_health(&g2, &format!("pay-{i}"), OP, CARD, &dir, &h)
                .unwrap()
                .channel_key
                == "a"
        })
        .count();
    assert!(picks_a > 150, "recovered: {picks_a}");
}

#[test]
fn when_every_channel_is_unhealthy_health_is_ignored() {
    let (_, h) = tracker();
    let mut g = group(&[("a", 60, true), ("b", 40, true)]);
    g.health_skip = true;
    g.failover = true;
    for k in ["a", "b"] {
        for _ in 0..3 {
            h.record(k, &Err(not_sent()));
        }
    }
    let dir = directory();
    let plain = select(&g, "pay-3", OP, CARD, &dir).unwrap().channel_key;
    let s = select_with_health(&g, "pay-3", OP, CARD, &dir, &h).unwrap();
    assert_eq!(s.channel_key, plain, "better to try than refuse");
    let (_, attempts, result) = run(&g, "pay-3", Some(&h), |_| Ok(approved()));
    assert_eq!(attempts.len(), 1);
    assert!(result.is_ok());
    assert_eq!(h.admit(plain), Admission::Healthy, "the success healed it");
}

#[test]
fn driver_skips_unhealthy_channels_and_feeds_the_tracker() {
    let (_, h) = tracker();
    let mut g = failover_group();
    g.health_skip = true;
    // Make `a` unhealthy through the driver itself: every attempt on it is unsent.
    for i in 0..40 {
        let _ = run(&g, &format!("warm-{i}"), Some(&h), |k| {
            if k == "a" {
                Err(not_sent())
            } else {
                Ok(approved())
            }
        });
    }
    assert!(matches!(h.status("a"), ChannelHealth::CoolingDown { .. }));
    for i in 0..100 {
        let (_, attempts, _) = run(&g, &format!("pay-{i}"), Some(&h), |_| Ok(approved()));
        assert!(
            attempts.iter().all(|a| a.0 != "a"),
            "unhealthy `a` tried: {attempts:?}"
        );
    }
}

#[test]
fn billing_key_plan_uses_keyed_channels_and_explicit_channel_has_no_failover() {
    let mut g = group(&[("b", 10, true), ("c", 30, true), ("d", 60, true)]);
    g.failover = true;
    let keyed = ["a", "b", "c"];
    let plan = FailoverPlan::for_billing_key(&g, &keyed, None, "pay-1", None).unwrap();
    let mut order: Vec<&str> = plan.order().collect();
    let primary = paymux_routing::select_for_billing_key(&g, &keyed, None, "pay-1").unwrap();
    assert_eq!(order[0], primary.channel_key);
    order.sort_unstable();
    assert_eq!(order, ["b", "c"], "D holds no key");
    let plan = FailoverPlan::for_billing_key(&g, &keyed, Some("a"), "pay-1", None).unwrap();
    assert_eq!(plan.order().collect::<Vec<_>>(), ["a"]);
    assert!(!plan.fails_over());
    let routed = block_on(plan.run(None, |_| async { Err(not_sent()) }));
    assert_eq!(routed.attempts.len(), 1);
    // Failover on the keyed channels.
    let plan = FailoverPlan::for_billing_key(&g, &keyed, None, "pay-1", None).unwrap();
    let routed = block_on(plan.run(None, |c| {
        let first = c.attempt == 0;
        async move {
            if first {
                Ok(maintenance())
            } else {
                Ok(approved())
            }
        }
    }));
    assert_eq!(routed.attempts.len(), 2);
    assert_ne!(
        routed.attempts[0].channel_key,
        routed.attempts[1].channel_key
    );
    assert_eq!(
        routed.index,
        g.channels
            .iter()
            .position(|c| c.channel_key == routed.channel_key)
    );
}

#[test]
fn attempts_serialize_flat() {
    let g = failover_group();
    let dir = directory();
    let routed = block_on(route_with_failover(
        &g,
        "pay-1",
        OP,
        CARD,
        &dir,
        None,
        |_| async { Ok(card_declined()) },
    ))
    .unwrap();
    let v = serde_json::to_value(&routed.attempts).unwrap();
    assert_eq!(
        v,
        serde_json::json!([{"channelKey": routed.channel_key, "probe": false, "result": "DECLINED",
            "pgCode": "0002", "pgMessage": "카드 거절", "kind": "card_declined", "retrySafe": false}])
    );
}
