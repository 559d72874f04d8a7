//! Super billing keys: issue targets, concurrent issue with per-channel failures, selection
//! for payments (current weights among keyed channels, weight-0 fallback, explicit channel),
//! deletion.

mod common;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use common::*;
use paymux_core::outcome::{Outcome, Pending};
use paymux_routing::super_key::{PG_CODE_OUTCOME_UNKNOWN, PG_CODE_UNEXPECTED_OUTCOME};
use paymux_routing::{
    delete_super_billing_key, delete_targets, issue_super_billing_key, issue_targets,
    select_for_billing_key, BillingKeyRoute, ChannelSpecificFailure, RoutingError,
};
use serde_json::json;

#[test]
fn issue_targets_are_every_enabled_channel_including_weight_zero() {
    let dir = directory();
    let g = group(&[
        ("a", 100, true),
        ("b", 0, true),
        ("c", 0, false),
        ("card-1", 0, true),
    ]);
    let t = issue_targets(&g, &dir).unwrap();
    let keys: Vec<&str> = t.targets.iter().map(|t| t.key()).collect();
    assert_eq!(
        keys,
        ["a", "b", "card-1"],
        "disabled `c` gets no key; weight-0 `b` does"
    );
    assert!(t.unsupported.is_empty());
}

#[test]
fn channels_that_cannot_issue_are_reported_not_called() {
    let dir = directory();
    let g = group(&[
        ("a", 50, true),
        ("va-1", 50, true),
        ("ghost", 0, true),
        ("c", 0, false),
    ]);
    let t = issue_targets(&g, &dir).unwrap();
    assert_eq!(t.targets.len(), 1);
    let msgs: Vec<String> = t.unsupported.iter().map(|f| f.to_string()).collect();
    assert_eq!(
        msgs,
        [
            "va-1 INVALID_REQUEST: cannot issue a card billing key on this channel (va-1: adapter `vaonly` does not support it)",
            "ghost INVALID_REQUEST: cannot issue a card billing key on this channel (ghost: no such channel)",
        ]
    );
    let g = group(&[("va-1", 100, true), ("a", 0, false)]);
    let e = issue_targets(&g, &dir).unwrap_err();
    assert!(matches!(e, RoutingError::NoIssueTargets { .. }));
    assert!(
        e.to_string()
            .contains("no channel that can issue a card billing key"),
        "{e}"
    );
}

#[test]
fn partial_issue_success_reports_each_failure() {
    let dir = directory();
    let g = group(&[
        ("a", 40, true),
        ("b", 30, true),
        ("c", 20, true),
        ("d", 10, true),
        ("e", 0, true),
        ("va-1", 0, true),
    ]);
    let targets = issue_targets(&g, &dir).unwrap();
    let issued = block_on(issue_super_billing_key(&targets, |key| async move {
        match key {
            "a" => Ok(approved_key("PGKEY-A")),
            "b" => Err(validation()),
            "c" => Ok(card_declined()),
            "d" => Ok(unknown()),
            "e" => Ok(approved_key("PGKEY-E")),
            other => panic!("called for {other}"),
        }
    }))
    .unwrap();
    let ok: Vec<&str> = issued
        .succeeded
        .iter()
        .map(|s| s.channel.key_str())
        .collect();
    assert_eq!(ok, ["a", "e"]);
    let failures = serde_json::to_value(&issued.failures).unwrap();
    assert_eq!(failures[0]["type"], "INVALID_REQUEST");
    assert_eq!(failures[0]["channel"]["key"], "va-1");
    assert_eq!(
        failures[1],
        json!({"type": "INVALID_REQUEST",
               "channel": {"type": "TEST", "key": "b", "name": "b", "pgProvider": "FULL_PG", "pgMerchantId": ""},
               "message": "invalid request: customer.id: is required by this PG"})
    );
    assert_eq!(failures[2]["type"], "PG_PROVIDER");
    assert_eq!(failures[2]["pgCode"], "0002");
    assert_eq!(failures[2]["pgMessage"], "카드 거절");
    assert_eq!(failures[2]["message"], "declined by the PG (card_declined)");
    assert_eq!(failures[3]["type"], "PG_PROVIDER");
    assert_eq!(failures[3]["pgCode"], PG_CODE_OUTCOME_UNKNOWN);
    let m = failures[3]["message"].as_str().unwrap();
    assert!(
        m.contains("no usable answer") && m.contains("read timeout"),
        "{m}"
    );
    // The PG key of an issued channel stays masked in debug output.
    assert!(!format!("{issued:?}").contains("PGKEY-A"));
}

#[test]
fn all_channels_failing_is_an_error_with_every_failure() {
    let dir = directory();
    let g = group(&[("a", 50, true), ("b", 50, true), ("c", 0, true)]);
    let targets = issue_targets(&g, &dir).unwrap();
    let e = block_on(issue_super_billing_key(&targets, |key| async move {
        match key {
            "a" => Ok(insufficient_funds()),
            "b" => Err(not_sent()),
            _ => Ok(Outcome::Pending(Pending {
                pg_tx_id: None,
                pg_code: "P1".into(),
                pg_message: "later".into(),
            })),
        }
    }))
    .unwrap_err();
    let RoutingError::AllChannelsFailed { failures } = &e else {
        panic!("{e:?}")
    };
    let kinds: Vec<(&str, &str)> = failures
        .iter()
        .map(|f| (f.channel_key(), f.type_str()))
        .collect();
    assert_eq!(
        kinds,
        [
            ("a", "PG_PROVIDER"),
            ("b", "INVALID_REQUEST"),
            ("c", "PG_PROVIDER")
        ]
    );
    match &failures[2] {
        ChannelSpecificFailure::PgProvider { pg_code, .. } => {
            assert_eq!(pg_code, PG_CODE_UNEXPECTED_OUTCOME)
        }
        other => panic!("{other:?}"),
    }
    assert!(
        e.to_string()
            .starts_with("every channel failed: a PG_PROVIDER [0051] 잔액 부족"),
        "{e}"
    );
}

#[tokio::test(start_paused = true)]
async fn issue_runs_all_channels_concurrently() {
    // Every call waits at a barrier that only opens when all of them are in flight: a
    // sequential implementation never gets past the first call and times out (virtual time).
    let dir = directory();
    let g = group(&[("a", 40, true), ("b", 30, true), ("c", 30, true)]);
    let targets = issue_targets(&g, &dir).unwrap();
    let barrier = Arc::new(tokio::sync::Barrier::new(3));
    let run = issue_super_billing_key(&targets, |key| {
        let barrier = barrier.clone();
        async move {
            barrier.wait().await;
            Ok(approved_key(key))
        }
    });
    let issued = tokio::time::timeout(Duration::from_secs(60), run)
        .await
        .expect("calls did not run concurrently")
        .unwrap();
    assert_eq!(issued.succeeded.len(), 3);
}

fn share(keyed: &[&str], g: &paymux_routing::ChannelGroup) -> HashMap<String, usize> {
    let mut out = HashMap::new();
    for i in 0..10_000 {
        let s = select_for_billing_key(g, keyed, None, &format!("pay-{i}")).unwrap();
        *out.entry(s.channel_key.to_string()).or_default() += 1;
    }
    out
}

#[test]
fn keys_on_a_b_c_then_group_b10_c30_d60_routes_b_and_c_one_to_three() {
    let keyed = ["a", "b", "c"];
    let g = group(&[("b", 10, true), ("c", 30, true), ("d", 60, true)]);
    let c = share(&keyed, &g);
    assert_eq!(
        c.get("d"),
        None,
        "D was added after issuance: no key, never chosen"
    );
    assert_eq!(c.get("a"), None, "A was removed from the group");
    let b = c["b"] as i64;
    assert!(
        (b - 2_500).abs() <= 300,
        "B got {b} of 10000, expected 2500 (1:3)"
    );
    let s = select_for_billing_key(&g, &keyed, None, "pay-1").unwrap();
    assert_eq!(s.route, BillingKeyRoute::Weighted);
    assert_eq!(
        select_for_billing_key(&g, &keyed, None, "pay-1").unwrap(),
        s,
        "deterministic"
    );
}

#[test]
fn disabled_keyed_channels_are_not_chosen() {
    let keyed = ["a", "b", "c"];
    let g = group(&[("a", 50, false), ("b", 25, true), ("c", 25, true)]);
    let c = share(&keyed, &g);
    assert_eq!(c.get("a"), None);
}

#[test]
fn weight_zero_keyed_channel_is_used_when_no_keyed_channel_has_weight() {
    // PortOne's example: keys on NICE, Inicis, Toss; group now Toss 0 %, Smartro 100 %.
    let keyed = ["nice", "inicis", "toss"];
    let g = group(&[("toss", 0, true), ("smartro", 100, true)]);
    for i in 0..100 {
        let s = select_for_billing_key(&g, &keyed, None, &format!("pay-{i}")).unwrap();
        assert_eq!(s.channel_key, "toss");
        assert_eq!(s.route, BillingKeyRoute::ZeroWeightFallback);
        assert_eq!(s.weight, 0);
    }
    // Several weight-0 keyed channels: deterministic per paymentId, all of them used.
    let g = group(&[
        ("nice", 0, true),
        ("inicis", 0, true),
        ("smartro", 100, true),
    ]);
    let c = share(&keyed, &g);
    assert_eq!(c.len(), 2);
    assert!(c["nice"] > 4_000 && c["inicis"] > 4_000, "{c:?}");
    let first = select_for_billing_key(&g, &keyed, None, "pay-7").unwrap();
    assert_eq!(
        select_for_billing_key(&g, &keyed, None, "pay-7").unwrap(),
        first
    );
    // A weighted keyed channel always wins over weight-0 ones.
    let g = group(&[
        ("nice", 0, true),
        ("inicis", 1, true),
        ("smartro", 99, true),
    ]);
    assert_eq!(share(&keyed, &g).get("inicis"), Some(&10_000));
}

#[test]
fn every_keyed_channel_disabled_or_removed_is_an_error() {
    let keyed = ["a", "b"];
    let g = group(&[("a", 0, false), ("c", 100, true)]);
    let e = select_for_billing_key(&g, &keyed, None, "pay-1").unwrap_err();
    assert_eq!(
        e.to_string(),
        format!(
            "channel group `{}`: no channel holding this billing key is enabled in the group (a: disabled; b: removed from the group)",
            g.id
        )
    );
    let none: [&str; 0] = [];
    assert_eq!(
        select_for_billing_key(&g, &none, None, "p").unwrap_err(),
        RoutingError::NoKeyedChannels
    );
}

#[test]
fn explicit_channel_key_forces_that_channel() {
    let keyed = vec!["a".to_string(), "b".to_string()];
    let g = group(&[("a", 100, true), ("b", 0, false)]);
    for i in 0..50 {
        let s = select_for_billing_key(&g, &keyed, Some("b"), &format!("pay-{i}")).unwrap();
        assert_eq!(
            (s.channel_key, s.route, s.index),
            ("b", BillingKeyRoute::Explicit, Some(1))
        );
    }
    let e = select_for_billing_key(&g, &keyed, Some("c"), "pay-1").unwrap_err();
    assert_eq!(
        e.to_string(),
        "channelKey `c`: the billing key was not issued on this channel (issued on: a, b)"
    );
}

#[test]
fn delete_runs_on_every_keyed_channel_and_reports_failures() {
    let dir = directory();
    let g = group(&[("a", 50, true), ("b", 50, true), ("c", 0, true)]);
    let targets = issue_targets(&g, &dir).unwrap();
    let issued = block_on(issue_super_billing_key(&targets, |k| async move {
        Ok(approved_key(k))
    }))
    .unwrap();
    let mut channels = issued.channels();
    channels.push(channels[0].clone()); // duplicates are deleted once
    let del = delete_targets(&channels);
    assert_eq!(del.len(), 3);
    let calls = std::sync::Mutex::new(Vec::new());
    let report = block_on(delete_super_billing_key(&del, |k| {
        calls.lock().unwrap().push(k.to_string());
        async move {
            match k {
                "b" => Ok(maintenance()),
                _ => Ok(approved()),
            }
        }
    }))
    .unwrap();
    assert_eq!(calls.into_inner().unwrap(), ["a", "b", "c"]);
    assert!(!report.is_complete());
    assert_eq!(report.succeeded.len(), 2);
    assert_eq!(report.failures.len(), 1);
    assert_eq!(report.failures[0].channel_key(), "b");
    let e = block_on(delete_super_billing_key(&del, |_| async {
        Err(not_sent())
    }))
    .unwrap_err();
    assert!(matches!(e, RoutingError::AllChannelsFailed { ref failures } if failures.len() == 3));
}
