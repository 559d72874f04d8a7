//! Weighted selection: determinism, exclusion rules, capability skipping, distribution.

mod common;

use std::collections::HashMap;

use common::*;
use paymux_core::adapter::{Method, Operation};
use paymux_core::channel::Environment;
use paymux_routing::{
    select, ChannelGroup, CompiledGroup, FailoverPlan, GroupChannel, MapDirectory, RoutingError,
    SkipReason,
};
use proptest::prelude::*;

fn count(
    group: &ChannelGroup,
    dir: &MapDirectory,
    op: Operation,
    m: Option<Method>,
) -> HashMap<String, usize> {
    let mut out = HashMap::new();
    for i in 0..10_000 {
        let id = format!("pay-{i}");
        let s = select(group, &id, op, m, dir).unwrap();
        *out.entry(s.channel_key.to_string()).or_default() += 1;
    }
    out
}

#[test]
fn eighty_twenty_over_ten_thousand_ids() {
    let dir = directory();
    let g = group(&[("a", 80, true), ("b", 20, true)]);
    let c = count(&g, &dir, Operation::PaymentInstant, Some(Method::Card));
    let a = c["a"];
    assert!(
        (7_500..=8_500).contains(&a),
        "80-weight channel got {a} of 10000"
    );
    assert_eq!(a + c["b"], 10_000);
}

#[test]
fn fifty_thirty_twenty_within_three_points() {
    let dir = directory();
    let g = group(&[("a", 50, true), ("b", 30, true), ("c", 20, true)]);
    let c = count(&g, &dir, Operation::PaymentInstant, Some(Method::Card));
    for (k, expect) in [("a", 5_000i64), ("b", 3_000), ("c", 2_000)] {
        let got = c[k] as i64;
        assert!(
            (got - expect).abs() <= 300,
            "{k}: {got}, expected {expect} ± 300 (3 %)"
        );
    }
}

#[test]
fn unsupported_channel_is_skipped_and_the_rest_renormalized() {
    // va-1 can only do virtual accounts: for CARD the 50/30/20 group is 30:20 = 60 % / 40 %.
    let dir = directory();
    let g = group(&[("va-1", 50, true), ("b", 30, true), ("c", 20, true)]);
    let c = count(&g, &dir, Operation::PaymentInstant, Some(Method::Card));
    assert!(!c.contains_key("va-1"));
    let b = c["b"] as i64;
    assert!((b - 6_000).abs() <= 300, "b got {b}, expected 6000 ± 300");
    // For VIRTUAL_ACCOUNT card-1 (card only) is skipped instead.
    let g = group(&[("card-1", 50, true), ("va-1", 50, true)]);
    let c = count(
        &g,
        &dir,
        Operation::PaymentInstant,
        Some(Method::VirtualAccount),
    );
    assert_eq!(c.get("va-1"), Some(&10_000));
}

#[test]
fn the_same_payment_id_keeps_its_channel_across_directory_kinds() {
    // A pure function of paymentId and config: the directory implementation does not matter.
    let g = group(&[("a", 40, true), ("b", 35, true), ("c", 25, true)]);
    let d1 = directory();
    let d2 = map_directory();
    for i in 0..500 {
        let id = format!("payment-{i}");
        let s1 = select(&g, &id, Operation::PaymentInstant, Some(Method::Card), &d1).unwrap();
        let s2 = select(&g, &id, Operation::PaymentInstant, Some(Method::Card), &d2).unwrap();
        assert_eq!(s1.channel_key, s2.channel_key);
    }
}

#[test]
fn pinned_choices_do_not_drift() {
    // If the hash or the mapping changes, retried payments re-route: these are fixed.
    let dir = directory();
    let g = group(&[("a", 50, true), ("b", 30, true), ("c", 20, true)]);
    let picks: Vec<&str> = (0..12)
        .map(|i| {
            select(
                &g,
                &format!("pay-{i}"),
                Operation::PaymentInstant,
                Some(Method::Card),
                &dir,
            )
            .unwrap()
            .channel_key
        })
        .collect();
    assert_eq!(picks, PINNED);
}

// Computed independently with the Python reference in `src/hash.rs`'s docs:
// point = (fmix64(fnv1a64(id)) * 100) >> 64; a < 50 <= b < 80 <= c.
const PINNED: [&str; 12] = ["a", "b", "b", "a", "b", "a", "a", "b", "a", "c", "a", "b"];

#[test]
fn all_disabled_error_says_so() {
    let dir = directory();
    let g = group(&[("a", 60, false), ("b", 40, false)]);
    let e = select(
        &g,
        "pay-1",
        Operation::PaymentInstant,
        Some(Method::Card),
        &dir,
    )
    .unwrap_err();
    let msg = e.to_string();
    assert!(msg.contains("every channel is disabled"), "{msg}");
    assert!(msg.contains("a: disabled; b: disabled"), "{msg}");
}

#[test]
fn none_supports_error_names_operation_and_method() {
    let dir = directory();
    let g = group(&[("card-1", 60, true), ("b", 40, false)]);
    let e = select(
        &g,
        "pay-1",
        Operation::PaymentInstant,
        Some(Method::VirtualAccount),
        &dir,
    )
    .unwrap_err();
    let msg = e.to_string();
    assert!(
        msg.contains("no enabled channel supports `payment.instant` with VIRTUAL_ACCOUNT"),
        "{msg}"
    );
    assert!(
        msg.contains("card-1: adapter `cardonly` does not support it"),
        "{msg}"
    );
    match e {
        RoutingError::NoEligibleChannel { skipped, .. } => {
            assert_eq!(skipped[1].reason, SkipReason::Disabled);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn only_zero_weights_left_is_an_error() {
    let dir = directory();
    let g = group(&[("a", 0, true), ("b", 100, false)]);
    let msg = select(&g, "p", Operation::PaymentInstant, Some(Method::Card), &dir)
        .unwrap_err()
        .to_string();
    assert!(
        msg.contains("no enabled channel has a weight above 0"),
        "{msg}"
    );
}

#[test]
fn environment_mismatch_and_unknown_channels_are_skipped() {
    let dir = directory();
    let g = group(&[("live-a", 50, true), ("ghost", 30, true), ("b", 20, true)]);
    let s = select(&g, "p", Operation::PaymentInstant, Some(Method::Card), &dir).unwrap();
    assert_eq!(s.channel_key, "b");
    let g = group(&[("live-a", 50, true), ("ghost", 50, true)]);
    let msg = select(&g, "p", Operation::PaymentInstant, Some(Method::Card), &dir)
        .unwrap_err()
        .to_string();
    assert!(
        msg.contains("live-a: live channel in a test group"),
        "{msg}"
    );
    assert!(msg.contains("ghost: no such channel"), "{msg}");
}

#[test]
fn selection_reports_portone_channel() {
    let mut dir = directory();
    dir.insert_record(
        "named",
        paymux_routing::ChannelRecord {
            environment: Environment::Test,
            descriptor: &FULL,
            name: Some("KSNET 테스트".into()),
            pg_merchant_id: Some("M1234".into()),
        },
    );
    let g = group(&[("named", 100, true)]);
    let s = select(&g, "p", Operation::PaymentInstant, Some(Method::Card), &dir).unwrap();
    let json = serde_json::to_value(s.selected_channel()).unwrap();
    assert_eq!(
        json,
        serde_json::json!({"type": "TEST", "key": "named", "name": "KSNET 테스트",
                           "pgProvider": "FULL_PG", "pgMerchantId": "M1234"})
    );
    assert_eq!(s.group_id, g.id);
    assert_eq!(s.index, 0);
}

fn arb_group() -> impl Strategy<Value = ChannelGroup> {
    prop::collection::vec((0u32..=100, any::<bool>(), 0usize..3), 1..=10).prop_map(|chs| {
        let mut g = group(&[]);
        g.channels = chs
            .iter()
            .enumerate()
            .map(|(i, (w, en, _))| GroupChannel {
                channel_key: format!("{}{}", ["full-", "card-", "va-"][chs[i].2], i),
                weight: *w,
                enabled: *en,
            })
            .collect();
        g
    })
}

fn arb_dir() -> MapDirectory {
    let mut d = MapDirectory::new();
    for i in 0..10 {
        for (p, desc) in ["full-", "card-", "va-"].iter().zip(ALL.iter()) {
            d.insert(format!("{p}{i}"), Environment::Test, desc);
        }
    }
    d
}

fn arb_job() -> impl Strategy<Value = (Operation, Option<Method>)> {
    prop_oneof![
        Just((Operation::PaymentInstant, Some(Method::Card))),
        Just((Operation::PaymentInstant, Some(Method::VirtualAccount))),
        Just((Operation::BillingKeyIssue, Some(Method::Card))),
        Just((Operation::PaymentCancel, None)),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn same_id_same_channel(g in arb_group(), id in ".{0,64}", (op, m) in arb_job()) {
        let dir = arb_dir();
        let first = select(&g, &id, op, m, &dir).map(|s| s.channel_key.to_string());
        let again = select(&g.clone(), &id.clone(), op, m, &arb_dir()).map(|s| s.channel_key.to_string());
        prop_assert_eq!(first, again);
    }

    #[test]
    fn chosen_channel_is_enabled_weighted_and_capable(g in arb_group(), id in "[a-z0-9-]{1,40}", (op, m) in arb_job()) {
        let dir = arb_dir();
        let capable = |c: &GroupChannel| {
            let d = ALL[["full-", "card-", "va-"].iter().position(|p| c.channel_key.starts_with(p)).unwrap()];
            d.capabilities.supports(op, m)
        };
        let any_eligible = g.channels.iter().any(|c| c.enabled && c.weight > 0 && capable(c));
        match select(&g, &id, op, m, &dir) {
            Ok(s) => {
                let c = &g.channels[s.index];
                prop_assert_eq!(c.channel_key.as_str(), s.channel_key);
                prop_assert!(c.enabled, "disabled channel chosen");
                prop_assert!(c.weight > 0, "weight-0 channel chosen");
                prop_assert!(capable(c), "channel without the capability chosen");
            }
            Err(e) => {
                prop_assert!(!any_eligible, "refused although a channel was eligible: {}", e);
                let is_no_eligible = matches!(e, RoutingError::NoEligibleChannel { .. });
                prop_assert!(is_no_eligible);
            }
        }
    }

    #[test]
    fn compiled_group_selects_exactly_like_select(g in arb_group(), id in ".{0,64}", (op, m) in arb_job()) {
        let dir = arb_dir();
        let compiled = CompiledGroup::new(&g, &dir);
        let a = select(&g, &id, op, m, &dir).map(|s| s.index).map_err(|e| e.to_string());
        let b = compiled.select(&id, op, m).map(|s| s.index).map_err(|e| e.to_string());
        prop_assert_eq!(a, b);
    }

    #[test]
    fn failover_order_starts_with_the_selection_and_covers_every_eligible_channel(
        g in arb_group(), id in "[a-z0-9-]{1,40}", (op, m) in arb_job()
    ) {
        let dir = arb_dir();
        if let Ok(s) = select(&g, &id, op, m, &dir) {
            let plan = FailoverPlan::for_payment(&g, &id, op, m, &dir, None).unwrap();
            let order: Vec<&str> = plan.order().collect();
            prop_assert_eq!(order[0], s.channel_key);
            let mut sorted = order.clone();
            sorted.sort_unstable();
            sorted.dedup();
            prop_assert_eq!(sorted.len(), order.len(), "a channel appears twice");
            let eligible = g.channels.iter().filter(|c| {
                c.enabled && c.weight > 0 && select(&group_of(c), &id, op, m, &dir).is_ok()
            }).count();
            prop_assert_eq!(order.len(), eligible);
            let again: Vec<&str> = FailoverPlan::for_payment(&g, &id, op, m, &dir, None).unwrap().order().collect();
            prop_assert_eq!(order, again);
        }
    }
}

fn group_of(c: &GroupChannel) -> ChannelGroup {
    let mut g = group(&[]);
    g.channels = vec![c.clone()];
    g
}
