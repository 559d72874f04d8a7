//! Group validation (exact paths), the admin JSON shape, and scheduled changes.

mod common;

use chrono::{DateTime, TimeZone, Utc};
use common::*;
use paymux_core::channel::Environment;
use paymux_routing::group::check_group_id;
use paymux_routing::{Applied, ChannelGroup, GroupChannel, GroupSchedule, GroupUpdate};
use serde_json::json;

fn errors(g: &ChannelGroup) -> Vec<String> {
    g.validate(&directory())
        .unwrap_err()
        .0
        .iter()
        .map(|e| e.to_string())
        .collect()
}

#[test]
fn a_valid_group_passes() {
    let g = group(&[("a", 70, true), ("b", 30, true), ("c", 0, false)]);
    g.validate(&directory()).unwrap();
    let g = ChannelGroup::new(
        "live",
        Environment::Live,
        vec![GroupChannel::new("live-a", 100)],
    );
    assert!(g.id.starts_with("channel-group-live-"), "{}", g.id);
    g.validate(&directory()).unwrap();
}

#[test]
fn weights_must_sum_to_exactly_100() {
    let g = group(&[("a", 70, true), ("b", 20, true)]);
    assert_eq!(
        errors(&g),
        ["channels: weights must sum to exactly 100 (they sum to 90)"]
    );
    // Disabled channels' weights count too.
    let g = group(&[("a", 70, true), ("b", 30, true), ("c", 10, false)]);
    assert_eq!(
        errors(&g),
        ["channels: weights must sum to exactly 100 (they sum to 110)"]
    );
}

#[test]
fn weight_above_100_names_the_channel() {
    let g = group(&[("a", 0, true), ("b", 0, true), ("c", 150, true)]);
    assert_eq!(
        errors(&g),
        [
            "channels[2].weight: must be an integer percent 0..=100 (got 150)",
            "channels: weights must sum to exactly 100 (they sum to 150)",
        ]
    );
}

#[test]
fn channel_count_limits() {
    let g = group(&[]);
    assert_eq!(errors(&g), ["channels: must have at least 1 channel"]);
    let keys = ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k"];
    let chans: Vec<(&str, u32, bool)> = keys
        .iter()
        .enumerate()
        .map(|(i, k)| (*k, if i == 0 { 100 } else { 0 }, true))
        .collect();
    assert_eq!(
        errors(&group(&chans)),
        ["channels: must have at most 10 channels (has 11)"]
    );
    group(&chans[..10]).validate(&directory()).unwrap();
}

#[test]
fn duplicate_unknown_and_foreign_channels() {
    let g = group(&[
        ("a", 25, true),
        ("ghost", 25, true),
        ("a", 25, true),
        ("live-a", 25, true),
    ]);
    assert_eq!(
        errors(&g),
        [
            "channels[1].channelKey: no channel `ghost` exists",
            "channels[2].channelKey: `a` is already channels[0]; a channel may appear only once",
            "channels[3].channelKey: channel `live-a` is a live channel; a test group (isForTest: true) takes only test channels",
        ]
    );
}

#[test]
fn id_and_name_rules() {
    let mut g = group(&[("a", 100, true)]);
    g.id = "channel-group-live-94ab2b51-b7e1-4b74-9a9c-9fb6e117a6ac".into();
    g.name = "  ".into();
    assert_eq!(
        errors(&g),
        [
            "id: `channel-group-live-...` is a live group id but isForTest is true; a test group id starts with `channel-group-test-`",
            "name: is required",
        ]
    );
    assert_eq!(
        check_group_id("channel-group-test-not-a-uuid", Environment::Test).unwrap_err(),
        "must be `channel-group-test-<uuid>` with a lowercase hyphenated UUID after the prefix"
    );
    assert_eq!(
        check_group_id("group-1", Environment::Test).unwrap_err(),
        "must be `channel-group-test-<uuid>`"
    );
    assert!(check_group_id(
        "channel-group-test-94AB2B51-B7E1-4B74-9A9C-9FB6E117A6AC",
        Environment::Test
    )
    .is_err());
}

#[test]
fn admin_json_round_trip_and_generated_id() {
    let u = GroupUpdate::from_json(&json!({
        "name": "card split",
        "isForTest": true,
        "channels": [{"channelKey": "a", "weight": 70}, {"channelKey": "b", "weight": 30, "enabled": false}],
        "failover": true
    }))
    .unwrap();
    assert!(u.group.id.starts_with("channel-group-test-"));
    check_group_id(&u.group.id, Environment::Test).unwrap();
    assert!(u.group.channels[0].enabled, "enabled defaults to true");
    assert!(!u.group.channels[1].enabled);
    assert!(u.group.failover && !u.group.health_skip);
    u.group.validate(&directory()).unwrap();

    let v = serde_json::to_value(&u.group).unwrap();
    assert_eq!(v["isForTest"], json!(true));
    assert_eq!(
        v["channels"][1],
        json!({"channelKey": "b", "weight": 30, "enabled": false})
    );
    let back: ChannelGroup = serde_json::from_value(v).unwrap();
    assert_eq!(back, u.group);
    assert_eq!(
        serde_json::to_value(u.group.summary()).unwrap(),
        json!({"id": u.group.id, "name": "card split", "isForTest": true})
    );
}

#[test]
fn admin_json_type_errors_have_paths() {
    let e = GroupUpdate::from_json(&json!({
        "name": 5,
        "isForTest": "yes",
        "channels": [
            {"channelKey": "a", "weight": 50.5},
            {"channelKey": "b", "weight": "30"},
            {"channelKey": "c", "weigth": 20},
            {"weight": -1, "enabled": 1}
        ],
        "healthskip": true,
        "effectiveAt": "tomorrow"
    }))
    .unwrap_err();
    let got: Vec<String> = e.0.iter().map(|e| e.to_string()).collect();
    assert_eq!(
        got,
        [
            "healthskip: is not a known field (expected one of: id, name, isForTest, channels, failover, healthSkip, effectiveAt)",
            "name: must be a string",
            "isForTest: must be true or false",
            "effectiveAt: must be an RFC 3339 date-time such as 2026-12-01T10:00:00+09:00",
            "channels[0].weight: must be an integer percent 0..=100 (got 50.5)",
            "channels[1].weight: must be an integer percent 0..=100",
            "channels[2].weigth: is not a known field (expected one of: channelKey, weight, enabled)",
            "channels[2].weight: is required (an integer percent 0..=100)",
            "channels[3].channelKey: is required",
            "channels[3].weight: must be an integer percent 0..=100 (got -1)",
            "channels[3].enabled: must be true or false",
        ]
    );
    let e = GroupUpdate::from_json_str("{\"name\": \"x\"}").unwrap_err();
    assert_eq!(
        e.to_string(),
        "isForTest: is required (true for a test group, false for live); channels: is required"
    );
    assert!(GroupUpdate::from_json_str("[1]")
        .unwrap_err()
        .to_string()
        .starts_with("body:"));
}

fn t(h: u32, m: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 22, h, m, 0).unwrap()
}

fn schedule() -> GroupSchedule {
    GroupSchedule::create(GroupUpdate::now(group(&[("a", 100, true)])), &directory()).unwrap()
}

#[test]
fn scheduled_change_applies_only_from_its_hour() {
    let dir = directory();
    let mut s = schedule();
    let next = group(&[("a", 50, true), ("b", 50, true)]);
    let now = t(9, 17);
    assert_eq!(
        s.apply(GroupUpdate::at(next.clone(), t(11, 0)), &dir, now)
            .unwrap(),
        Applied::Scheduled(t(11, 0))
    );
    assert_eq!(s.config_at(now).channels.len(), 1);
    assert_eq!(s.config_at(t(10, 59)).channels.len(), 1);
    let just_before = t(11, 0) - chrono::Duration::nanoseconds(1);
    assert_eq!(s.config_at(just_before).channels.len(), 1);
    assert_eq!(s.config_at(t(11, 0)), &next, "in force exactly at its hour");
    assert_eq!(s.config_at(t(15, 0)), &next);
}

#[test]
fn several_pending_changes_apply_in_order() {
    let dir = directory();
    let mut s = schedule();
    let now = t(8, 5);
    let g12 = group(&[("c", 100, true)]);
    let g10 = group(&[("b", 100, true)]);
    s.apply(GroupUpdate::at(g12.clone(), t(12, 0)), &dir, now)
        .unwrap();
    s.apply(GroupUpdate::at(g10.clone(), t(10, 0)), &dir, now)
        .unwrap();
    assert_eq!(s.pending().len(), 2);
    assert_eq!(s.pending()[0].effective_at, t(10, 0));
    assert_eq!(s.config_at(t(9, 0)).channels[0].channel_key, "a");
    assert_eq!(s.config_at(t(10, 0)), &g10);
    assert_eq!(s.config_at(t(11, 59)), &g10);
    assert_eq!(s.config_at(t(12, 0)), &g12);
    // Same hour again replaces the pending change.
    let g12b = group(&[("d", 100, true)]);
    assert_eq!(
        s.apply(GroupUpdate::at(g12b.clone(), t(12, 0)), &dir, now)
            .unwrap(),
        Applied::ReplacedPending(t(12, 0))
    );
    assert_eq!(s.config_at(t(13, 0)), &g12b);
    // Advancing folds due changes without changing any answer from then on.
    assert_eq!(s.advance(t(10, 30)), 1);
    assert_eq!(s.pending().len(), 1);
    assert_eq!(s.config_at(t(10, 30)), &g10);
    assert_eq!(s.config_at(t(12, 0)), &g12b);
    // An immediate change replaces what is in force, pending ones stay.
    let now_g = group(&[("e", 100, true)]);
    assert_eq!(
        s.apply(GroupUpdate::now(now_g.clone()), &dir, t(10, 45))
            .unwrap(),
        Applied::Immediately
    );
    assert_eq!(s.config_at(t(10, 45)), &now_g);
    assert_eq!(s.config_at(t(12, 0)), &g12b);
    // Storage round trip.
    let back: GroupSchedule = serde_json::from_value(serde_json::to_value(&s).unwrap()).unwrap();
    assert_eq!(back, s);
}

#[test]
fn effective_at_must_be_a_future_whole_hour() {
    let dir = directory();
    let mut s = schedule();
    let g = group(&[("b", 100, true)]);
    let now = t(9, 17);
    let msg = |r: Result<Applied, paymux_core::ValidationErrors>| r.unwrap_err().to_string();
    assert_eq!(
        msg(s.apply(GroupUpdate::at(g.clone(), t(10, 30)), &dir, now)),
        "effectiveAt: must be on the hour (minutes, seconds and fractions zero), got 2026-11-22T10:30:00+00:00"
    );
    let with_secs = Utc.with_ymd_and_hms(2026, 11, 22, 10, 0, 5).unwrap();
    assert!(msg(s.apply(GroupUpdate::at(g.clone(), with_secs), &dir, now)).contains("on the hour"));
    let with_nanos = t(10, 0) + chrono::Duration::milliseconds(1);
    assert!(
        msg(s.apply(GroupUpdate::at(g.clone(), with_nanos), &dir, now)).contains("on the hour")
    );
    assert_eq!(
        msg(s.apply(GroupUpdate::at(g.clone(), t(9, 0)), &dir, now)),
        "effectiveAt: must be in the future (it is 2026-11-22T09:00:00+00:00, now is 2026-11-22T09:17:00+00:00)"
    );
    // Exactly now is not the future.
    assert!(
        msg(s.apply(GroupUpdate::at(g.clone(), t(10, 0)), &dir, t(10, 0)))
            .contains("in the future")
    );
    assert!(s.pending().is_empty(), "nothing was scheduled");
    // KST input: 19:00+09:00 is 10:00Z, a whole hour.
    let u = GroupUpdate::from_json(&json!({
        "id": s.id(), "name": "x", "isForTest": true,
        "channels": [{"channelKey": "b", "weight": 100}],
        "effectiveAt": "2026-11-22T19:00:00+09:00"
    }))
    .unwrap();
    assert_eq!(s.apply(u, &dir, now).unwrap(), Applied::Scheduled(t(10, 0)));
}

#[test]
fn a_change_cannot_switch_id_or_environment_and_is_validated() {
    let dir = directory();
    let mut s = schedule();
    let mut other = ChannelGroup::new(
        "live",
        Environment::Live,
        vec![GroupChannel::new("live-a", 100)],
    );
    let msg = s
        .apply(GroupUpdate::now(other.clone()), &dir, t(9, 0))
        .unwrap_err()
        .to_string();
    assert!(msg.contains("id: is `channel-group-live-"), "{msg}");
    assert!(
        msg.contains("isForTest: cannot change a test group to live"),
        "{msg}"
    );
    other = group(&[("a", 60, true)]);
    let msg = s
        .apply(GroupUpdate::now(other), &dir, t(9, 0))
        .unwrap_err()
        .to_string();
    assert_eq!(
        msg,
        "channels: weights must sum to exactly 100 (they sum to 60)"
    );
    let msg = GroupSchedule::create(GroupUpdate::at(group(&[("a", 100, true)]), t(10, 0)), &dir)
        .unwrap_err()
        .to_string();
    assert!(
        msg.starts_with("effectiveAt: a new group takes effect immediately"),
        "{msg}"
    );
}
