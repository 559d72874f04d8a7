//! Explain: the decision laid out agrees with the decision taken.

mod common;

use common::*;
use paymux_core::adapter::{Method, Operation};
use paymux_routing::{explain, select_with_rules, HealthTracker};
use proptest::prelude::*;

const CARD: (Operation, Option<Method>) = (Operation::PaymentInstant, Some(Method::Card));

fn rules(refusing: &[&'static str]) -> impl FnMut(&str) -> Result<(), String> {
    let refusing = refusing.to_vec();
    move |key: &str| {
        if refusing.contains(&key) {
            Err(format!("customer.id: is required with {key}"))
        } else {
            Ok(())
        }
    }
}

#[test]
fn every_channel_is_eligible_or_skipped_with_its_reason() {
    let dir = directory();
    let mut g = group(&[
        ("a", 50, true),
        ("b", 30, true),
        ("c", 20, true),
        ("d", 0, true),
        ("e", 10, false),
        ("va-1", 10, true),
        ("nowhere", 10, true),
    ]);
    g.failover = true;
    let x = explain(&g, "payment-1", CARD.0, CARD.1, &dir, None, rules(&["a"]));
    let eligible: Vec<(&str, u32, f64)> = x
        .eligible
        .iter()
        .map(|e| (e.channel_key.as_str(), e.weight, e.share_percent))
        .collect();
    assert_eq!(eligible, [("b", 30, 60.0), ("c", 20, 40.0)]);
    let skipped: Vec<(&str, &str, bool)> = x
        .skipped
        .iter()
        .map(|s| {
            (
                s.channel_key.as_str(),
                s.reason.as_str(),
                s.refused_by_rules,
            )
        })
        .collect();
    assert_eq!(
        skipped,
        [
            (
                "a",
                "refuses the request: customer.id: is required with a",
                true
            ),
            ("d", "weight 0", false),
            ("e", "disabled", false),
            ("va-1", "adapter `vaonly` does not support it", false),
            ("nowhere", "no such channel", false),
        ]
    );
    let chosen = x.channel_key.clone().unwrap();
    assert!(chosen == "b" || chosen == "c");
    assert_eq!(x.failover_order.len(), 2);
    assert_eq!(x.failover_order[0], chosen);
    assert!(x.error.is_none());
    let json = serde_json::to_value(&x).unwrap();
    assert_eq!(json["operation"], "payment.instant");
    assert_eq!(json["method"], "CARD");
    assert_eq!(json["eligible"][0]["sharePercent"], 60.0);
}

#[test]
fn nothing_eligible_is_explained_not_an_error() {
    let dir = directory();
    let g = group(&[("a", 50, true), ("b", 50, true)]);
    let x = explain(
        &g,
        "payment-1",
        CARD.0,
        CARD.1,
        &dir,
        None,
        rules(&["a", "b"]),
    );
    assert_eq!(x.channel_key, None);
    assert!(x.eligible.is_empty());
    assert!(x.skipped.iter().all(|s| s.refused_by_rules));
    assert!(
        x.error
            .as_deref()
            .unwrap()
            .contains("no channel that can take the job accepts this request"),
        "{:?}",
        x.error
    );
}

#[test]
fn an_unhealthy_channel_is_reported_as_skipped() {
    use paymux_core::error::PgError;
    let dir = directory();
    let mut g = group(&[("a", 50, true), ("b", 50, true)]);
    g.health_skip = true;
    let health = HealthTracker::new();
    for _ in 0..5 {
        health.record(
            "a",
            &Err(PgError::NotSent {
                reason: "refused".into(),
            }),
        );
    }
    let x = explain(
        &g,
        "payment-1",
        CARD.0,
        CARD.1,
        &dir,
        Some(&health),
        rules(&[]),
    );
    assert_eq!(x.channel_key.as_deref(), Some("b"));
    assert_eq!(x.skipped[0].channel_key, "a");
    assert_eq!(x.skipped[0].reason, "unhealthy");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1_000, ..ProptestConfig::default() })]

    /// For 1,000 random groups, ids and refusals, explain names the channel selection takes.
    #[test]
    fn explain_agrees_with_the_choice(
        g in arb_abc_group(),
        id in "payment-[a-f0-9-]{8,36}",
        refuse in prop::collection::btree_set(prop::sample::select(vec!["a", "b", "c", "d", "e"]), 0..5),
    ) {
        let dir = directory();
        let refuse: Vec<&'static str> = refuse.into_iter().collect();
        let x = explain(&g, &id, CARD.0, CARD.1, &dir, None, rules(&refuse));
        let chosen = select_with_rules(&g, &id, CARD.0, CARD.1, &dir, rules(&refuse))
            .ok()
            .map(|(s, _)| s.channel_key.to_string());
        prop_assert_eq!(&x.channel_key, &chosen);
        prop_assert_eq!(x.eligible.len() + x.skipped.len(), g.channels.len());
        if !x.eligible.is_empty() && x.eligible.iter().any(|e| e.weight > 0) {
            let total: f64 = x.eligible.iter().map(|e| e.share_percent).sum();
            prop_assert!((total - 100.0).abs() < 0.1, "shares sum to {}", total);
        }
        for s in &x.skipped {
            // Rules are asked only of channels the configuration lets through.
            let c = g.channel(&s.channel_key).unwrap();
            let asked = c.enabled && c.weight > 0;
            prop_assert_eq!(s.refused_by_rules, asked && refuse.contains(&s.channel_key.as_str()));
        }
    }
}
