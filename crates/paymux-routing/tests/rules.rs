//! Rule-aware selection: a channel whose own rules refuse the request is skipped like one
//! lacking the capability, the rest renormalized; the choice stays a pure function of the
//! paymentId, the group and the request; an all-refusing group names every channel and rule.

mod common;

use std::collections::{BTreeSet, HashMap};

use common::*;
use paymux_core::adapter::{Method, Operation};
use paymux_routing::{
    accept_all, issue_targets_with_rules, select, select_with_rules, ChannelGroup,
    ChannelSpecificFailure, FailoverPlan, RoutingError, SkipReason,
};
use proptest::prelude::*;

const CARD: (Operation, Option<Method>) = (Operation::PaymentInstant, Some(Method::Card));

/// Rules that refuse every channel in `refusing` with a rule naming it.
fn refusing<'a>(refusing: &'a [&'a str]) -> impl FnMut(&str) -> Result<(), String> + 'a {
    move |key: &str| {
        if refusing.contains(&key) {
            Err(format!("paymentId: {key} accepts only letters and digits"))
        } else {
            Ok(())
        }
    }
}

fn shares(
    g: &ChannelGroup,
    refuse: &[&str],
    n: usize,
    id: impl Fn(usize) -> String,
) -> HashMap<String, usize> {
    let dir = directory();
    let mut out = HashMap::new();
    for i in 0..n {
        let (s, refused) =
            select_with_rules(g, &id(i), CARD.0, CARD.1, &dir, refusing(refuse)).unwrap();
        assert!(
            !refuse.contains(&s.channel_key),
            "a refusing channel was chosen"
        );
        assert_eq!(refused.len(), refuse.len());
        *out.entry(s.channel_key.to_string()).or_default() += 1;
    }
    out
}

#[test]
fn a_refusing_channel_is_skipped_and_the_rest_renormalized() {
    // 50/30/20 with `a` refusing: 30:20 = 60 % / 40 %, like a channel lacking the capability.
    let g = group(&[("a", 50, true), ("b", 30, true), ("c", 20, true)]);
    let c = shares(&g, &["a"], 10_000, |i| {
        format!("payment-{i:08x}-7c1e-4b5a-9d2f-3e8a1c2b4d6f")
    });
    assert!(!c.contains_key("a"));
    let b = c["b"] as i64;
    assert!((b - 6_000).abs() <= 300, "b got {b}, expected 6000 ± 300");
    assert_eq!(c["b"] + c["c"], 10_000);
}

#[test]
fn with_every_channel_accepting_the_choice_is_plain_selection() {
    let dir = directory();
    let g = group(&[("a", 50, true), ("b", 30, true), ("c", 20, true)]);
    for i in 0..2_000 {
        let id = format!("payment-{i}");
        let plain = select(&g, &id, CARD.0, CARD.1, &dir).unwrap().channel_key;
        let (ruled, refused) =
            select_with_rules(&g, &id, CARD.0, CARD.1, &dir, accept_all).unwrap();
        assert_eq!(plain, ruled.channel_key);
        assert!(refused.is_empty());
    }
}

#[test]
fn all_refusing_names_every_channel_and_its_rule() {
    let dir = directory();
    let g = group(&[
        ("a", 40, true),
        ("b", 40, true),
        ("c", 20, false),
        ("va-1", 0, true),
    ]);
    let e = select_with_rules(&g, "payment-1", CARD.0, CARD.1, &dir, refusing(&["a", "b"]))
        .unwrap_err();
    let RoutingError::NoEligibleChannel { skipped, .. } = &e else {
        panic!("unexpected error {e:?}");
    };
    let reasons: Vec<(&str, &SkipReason)> = skipped
        .iter()
        .map(|s| (s.channel_key.as_str(), &s.reason))
        .collect();
    assert_eq!(
        reasons,
        vec![
            (
                "a",
                &SkipReason::Refused {
                    rule: "paymentId: a accepts only letters and digits".into()
                }
            ),
            (
                "b",
                &SkipReason::Refused {
                    rule: "paymentId: b accepts only letters and digits".into()
                }
            ),
            ("c", &SkipReason::Disabled),
            ("va-1", &SkipReason::ZeroWeight),
        ]
    );
    let msg = e.to_string();
    assert!(
        msg.contains("no channel that can take the job accepts this request"),
        "{msg}"
    );
    assert!(
        msg.contains("a: refuses the request: paymentId: a accepts only letters and digits"),
        "{msg}"
    );
    assert!(msg.contains("b: refuses the request"), "{msg}");
}

#[test]
fn failover_order_holds_only_accepting_channels_and_lists_the_refusals() {
    let dir = directory();
    let mut g = group(&[("a", 40, true), ("b", 30, true), ("c", 30, true)]);
    g.failover = true;
    let plan = FailoverPlan::for_payment_with_rules(
        &g,
        "payment-1",
        CARD.0,
        CARD.1,
        &dir,
        None,
        refusing(&["b"]),
    )
    .unwrap();
    let order: BTreeSet<&str> = plan.order().collect();
    assert_eq!(order, BTreeSet::from(["a", "c"]));
    assert_eq!(plan.refused().len(), 1);
    assert_eq!(plan.refused()[0].channel_key, "b");
}

#[test]
fn passing_over_the_primary_needs_failover_and_another_channel() {
    let dir = directory();
    let mut g = group(&[("a", 50, true), ("b", 50, true)]);
    let mut plan =
        FailoverPlan::for_payment_with_rules(&g, "p-1", CARD.0, CARD.1, &dir, None, accept_all)
            .unwrap();
    assert!(!plan.pass_over_primary("no failover".into()));
    assert_eq!(plan.order().count(), 2);
    g.failover = true;
    let mut plan =
        FailoverPlan::for_payment_with_rules(&g, "p-1", CARD.0, CARD.1, &dir, None, accept_all)
            .unwrap();
    let first = plan.primary();
    assert!(plan.pass_over_primary("orderName: not encodable".into()));
    assert_ne!(plan.primary(), first);
    assert_eq!(plan.refused()[0].channel_key, first);
    assert!(!plan.pass_over_primary("the last one stays".into()));
}

#[test]
fn super_key_payments_skip_keyed_channels_that_refuse() {
    let g = group(&[("a", 50, true), ("b", 30, true), ("c", 20, true)]);
    let keyed = vec!["a".to_string(), "b".to_string(), "c".to_string()];
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for i in 0..5_000 {
        let id = format!("payment-{i}");
        let plan =
            FailoverPlan::for_billing_key_with_rules(&g, &keyed, None, &id, None, refusing(&["a"]))
                .unwrap();
        *counts.entry(plan.primary()).or_default() += 1;
    }
    assert!(!counts.contains_key("a"));
    let b = counts["b"] as i64;
    assert!((b - 3_000).abs() <= 200, "b got {b}, expected 3000 ± 200");
    // Every keyed channel refusing: one error naming each.
    let e = FailoverPlan::for_billing_key_with_rules(
        &g,
        &keyed,
        None,
        "payment-1",
        None,
        refusing(&["a", "b", "c"]),
    )
    .unwrap_err();
    assert!(
        e.skipped().iter().all(|s| s.is_refusal()) && e.skipped().len() == 3,
        "{e:?}"
    );
    assert!(
        e.to_string()
            .contains("no channel holding this billing key accepts this request"),
        "{e}"
    );
    // An explicit channelKey whose rules refuse is refused, not moved elsewhere.
    let e = FailoverPlan::for_billing_key_with_rules(
        &g,
        &keyed,
        Some("a"),
        "payment-1",
        None,
        refusing(&["a"]),
    )
    .unwrap_err();
    assert_eq!(e.skipped()[0].channel_key, "a");
}

#[test]
fn super_key_issue_leaves_refusing_channels_out_and_reports_them() {
    let dir = directory();
    let g = group(&[("a", 50, true), ("b", 50, true), ("c", 0, true)]);
    let t = issue_targets_with_rules(&g, &dir, refusing(&["b"])).unwrap();
    let keys: Vec<&str> = t.targets.iter().map(|t| t.key()).collect();
    assert_eq!(keys, ["a", "c"]);
    assert_eq!(t.unsupported.len(), 1);
    match &t.unsupported[0] {
        ChannelSpecificFailure::InvalidRequest { channel, message } => {
            assert_eq!(channel.key_str(), "b");
            assert!(
                message
                    .as_deref()
                    .unwrap_or_default()
                    .contains("paymentId: b accepts only letters and digits"),
                "{message:?}"
            );
        }
        other => panic!("unexpected failure {other:?}"),
    }
    let e = issue_targets_with_rules(&g, &dir, refusing(&["a", "b", "c"])).unwrap_err();
    assert_eq!(e.skipped().len(), 3);
    assert!(e.skipped().iter().all(|s| s.is_refusal()));
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    /// Deterministic: the same id, group and rules always give the same channel.
    #[test]
    fn rule_aware_choice_is_deterministic(
        g in arb_abc_group(),
        id in ".{0,64}",
        refuse in prop::collection::btree_set(prop::sample::select(vec!["a", "b", "c", "d", "e"]), 0..5),
    ) {
        let dir = directory();
        let refuse: Vec<&str> = refuse.into_iter().collect();
        let first = select_with_rules(&g, &id, CARD.0, CARD.1, &dir, refusing(&refuse))
            .map(|(s, _)| s.channel_key.to_string());
        let again = select_with_rules(&g.clone(), &id.clone(), CARD.0, CARD.1, &directory(), refusing(&refuse))
            .map(|(s, _)| s.channel_key.to_string());
        prop_assert_eq!(first, again);
    }

    /// A refusing channel is never chosen; a refusal only happens when every enabled,
    /// weighted channel refuses, and then every channel is named with its reason.
    #[test]
    fn refusing_channels_are_never_chosen(
        g in arb_abc_group(),
        id in "payment-[a-f0-9-]{8,36}",
        refuse in prop::collection::btree_set(prop::sample::select(vec!["a", "b", "c", "d", "e", "f", "g", "h", "i", "j"]), 0..10),
    ) {
        let dir = directory();
        let refuse: Vec<&str> = refuse.into_iter().collect();
        let accepting_exists = g
            .channels
            .iter()
            .any(|c| c.enabled && c.weight > 0 && !refuse.contains(&c.channel_key.as_str()));
        match select_with_rules(&g, &id, CARD.0, CARD.1, &dir, refusing(&refuse)) {
            Ok((s, refused)) => {
                prop_assert!(!refuse.contains(&s.channel_key));
                prop_assert!(g.channels[s.index].enabled && s.weight > 0);
                prop_assert!(refused.iter().all(|r| refuse.contains(&r.channel_key.as_str())));
            }
            Err(e) => {
                prop_assert!(!accepting_exists, "refused although a channel accepts: {}", e);
                prop_assert_eq!(e.skipped().len(), g.channels.len());
                for s in e.skipped() {
                    let c = g.channel(&s.channel_key).unwrap();
                    let expected_refusal = c.enabled && c.weight > 0;
                    prop_assert_eq!(s.is_refusal(), expected_refusal, "{}", s);
                }
            }
        }
    }
}
