//! Channel groups (PortOne "smart routing groups") and their validation.
//!
//! JSON shape (the gateway admin API, `PUT /channel-groups/{id}`):
//!
//! ```json
//! {
//!   "id": "channel-group-test-94ab2b51-b7e1-4b74-9a9c-9fb6e117a6ac",
//!   "name": "card split",
//!   "isForTest": true,
//!   "channels": [
//!     {"channelKey": "ksnet-test", "weight": 70, "enabled": true},
//!     {"channelKey": "smartro-test", "weight": 30, "enabled": true}
//!   ],
//!   "failover": false,
//!   "healthSkip": false,
//!   "effectiveAt": "2026-12-01T10:00:00+09:00"
//! }
//! ```
//!
//! Rules (PortOne console guide, "스마트 라우팅 그룹 생성하기"):
//!
//! - `id` is `channel-group-test-<uuid>` or `channel-group-live-<uuid>` matching `isForTest`;
//!   generated when absent.
//! - `name` is required.
//! - 1 to 10 channels, each at most once, all existing and of the group's environment
//!   ("스마트 라우팅 그룹 내에 동일한 환경의 채널끼리만 설정이 가능합니다").
//! - Weights are integer percents 0..=100 that sum to exactly 100, disabled channels included
//!   ("비율의 합은 100% 미만이거나 초과될 수 없습니다"). A disabled channel is never routed to,
//!   whatever its weight. `enabled` defaults to `true` when absent.
//! - `effectiveAt` (optional) schedules the change: see [`crate::schedule`].
//!
//! **paymux extensions, beyond PortOne:** `failover` (try another channel when the chosen one
//! certainly did not charge, see [`crate::failover`]) and `healthSkip` (skip channels that keep
//! failing before anything is sent, see [`crate::health`]). Both default to `false`, which is
//! PortOne's behaviour: one channel per payment, a PG error is returned as is.

use chrono::{DateTime, Utc};
use paymux_core::channel::Environment;
use paymux_core::validation::{FieldPath, ValidationErrors};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::directory::ChannelDirectory;
use crate::report::ChannelGroupSummary;

/// A group has at most this many channels.
pub const MAX_CHANNELS: usize = 10;
/// Weights are percents: they sum to exactly this.
pub const TOTAL_WEIGHT: u32 = 100;

/// One channel in a group.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", schema(as = ChannelGroupChannel))]
pub struct GroupChannel {
    /// The channel's key.
    pub channel_key: String,
    /// Share of the traffic in percent (0..=100).
    pub weight: u32,
    /// A disabled channel is never routed to and gets no super billing key.
    #[serde(default = "yes")]
    pub enabled: bool,
}

fn yes() -> bool {
    true
}

impl GroupChannel {
    /// An enabled channel with a weight.
    pub fn new(channel_key: impl Into<String>, weight: u32) -> Self {
        GroupChannel {
            channel_key: channel_key.into(),
            weight,
            enabled: true,
        }
    }

    /// The same channel, disabled.
    pub fn disabled(mut self) -> Self {
        self.enabled = false;
        self
    }
}

/// A channel group: a named, weighted set of channels of one environment.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", schema(as = ChannelGroupConfig))]
pub struct ChannelGroup {
    /// `channel-group-test-<uuid>` / `channel-group-live-<uuid>`.
    pub id: String,
    /// Display name (required).
    pub name: String,
    /// Test or live; JSON `isForTest`.
    #[serde(rename = "isForTest", with = "is_for_test")]
    #[cfg_attr(feature = "openapi", schema(value_type = bool))]
    pub environment: Environment,
    /// The channels, in configuration order.
    pub channels: Vec<GroupChannel>,
    /// paymux extension: fail over to another channel when the chosen one certainly did not
    /// charge. Default `false` (PortOne has no failover).
    #[serde(default)]
    pub failover: bool,
    /// paymux extension: skip channels the [`HealthTracker`](crate::health::HealthTracker)
    /// marks unhealthy. Default `false`.
    #[serde(default)]
    pub health_skip: bool,
}

mod is_for_test {
    use paymux_core::channel::Environment;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(env: &Environment, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_bool(*env == Environment::Test)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Environment, D::Error> {
        Ok(if bool::deserialize(d)? {
            Environment::Test
        } else {
            Environment::Live
        })
    }
}

/// `channel-group-test-` / `channel-group-live-`.
pub fn group_id_prefix(environment: Environment) -> &'static str {
    match environment {
        Environment::Test => "channel-group-test-",
        Environment::Live => "channel-group-live-",
    }
}

/// A fresh group id for the environment: `channel-group-<env>-<uuid v4>`.
pub fn generate_group_id(environment: Environment) -> String {
    format!(
        "{}{}",
        group_id_prefix(environment),
        uuid::Uuid::new_v4().hyphenated()
    )
}

/// Check a group id against the environment. `Err` holds the rule broken.
pub fn check_group_id(id: &str, environment: Environment) -> Result<(), String> {
    let expected = group_id_prefix(environment);
    let other = match environment {
        Environment::Test => Environment::Live,
        Environment::Live => Environment::Test,
    };
    if id.is_empty() {
        return Err("is required".into());
    }
    let rest = if let Some(rest) = id.strip_prefix(expected) {
        rest
    } else if id.starts_with(group_id_prefix(other)) {
        return Err(format!(
            "`{}...` is a {other} group id but isForTest is {}; a {environment} group id starts with `{expected}`",
            group_id_prefix(other),
            environment == Environment::Test
        ));
    } else {
        return Err(format!("must be `{expected}<uuid>`"));
    };
    let is_uuid = rest.len() == 36
        && rest
            .bytes()
            .all(|b| b == b'-' || b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        && uuid::Uuid::try_parse(rest).is_ok();
    if !is_uuid {
        return Err(format!(
            "must be `{expected}<uuid>` with a lowercase hyphenated UUID after the prefix"
        ));
    }
    Ok(())
}

impl ChannelGroup {
    /// A new group with a generated id; `failover` and `health_skip` off.
    pub fn new(
        name: impl Into<String>,
        environment: Environment,
        channels: Vec<GroupChannel>,
    ) -> Self {
        ChannelGroup {
            id: generate_group_id(environment),
            name: name.into(),
            environment,
            channels,
            failover: false,
            health_skip: false,
        }
    }

    /// Test group? (JSON `isForTest`.)
    pub fn is_for_test(&self) -> bool {
        self.environment == Environment::Test
    }

    /// The group's channel with this key.
    pub fn channel(&self, channel_key: &str) -> Option<&GroupChannel> {
        self.channels.iter().find(|c| c.channel_key == channel_key)
    }

    /// PortOne's `channelGroup` summary `{id, name, isForTest}`.
    pub fn summary(&self) -> ChannelGroupSummary {
        ChannelGroupSummary {
            id: self.id.clone(),
            name: self.name.clone(),
            is_for_test: self.is_for_test(),
        }
    }

    /// Check every rule (see the module docs). Reports all broken rules, each with its path:
    /// `id`, `name`, `channels`, `channels[2].channelKey`, `channels[2].weight`.
    pub fn validate<D: ChannelDirectory + ?Sized>(
        &self,
        directory: &D,
    ) -> Result<(), ValidationErrors> {
        let mut errs = ValidationErrors::default();
        if let Err(rule) = check_group_id(&self.id, self.environment) {
            errs.add("id", rule);
        }
        if self.name.trim().is_empty() {
            errs.add("name", "is required");
        }
        let n = self.channels.len();
        if n == 0 {
            errs.add("channels", "must have at least 1 channel");
        } else if n > MAX_CHANNELS {
            errs.add(
                "channels",
                format!("must have at most {MAX_CHANNELS} channels (has {n})"),
            );
        }
        let mut sum: u64 = 0;
        for (i, c) in self.channels.iter().enumerate() {
            let path = FieldPath::root("channels").index(i);
            let key = c.channel_key.as_str();
            if key.trim().is_empty() {
                errs.add(path.join("channelKey"), "is required");
            } else if let Some(j) = self.channels[..i].iter().position(|o| o.channel_key == key) {
                errs.add(
                    path.join("channelKey"),
                    format!("`{key}` is already channels[{j}]; a channel may appear only once"),
                );
            } else {
                match directory.lookup(key) {
                    None => errs.add(path.join("channelKey"), format!("no channel `{key}` exists")),
                    Some(e) if e.environment != self.environment => errs.add(
                        path.join("channelKey"),
                        format!(
                            "channel `{key}` is a {} channel; a {} group (isForTest: {}) takes only {} channels",
                            e.environment,
                            self.environment,
                            self.is_for_test(),
                            self.environment
                        ),
                    ),
                    Some(_) => {}
                }
            }
            if c.weight > TOTAL_WEIGHT {
                errs.add(
                    path.join("weight"),
                    format!("must be an integer percent 0..=100 (got {})", c.weight),
                );
            }
            sum += u64::from(c.weight);
        }
        if n > 0 && sum != u64::from(TOTAL_WEIGHT) {
            errs.add(
                "channels",
                format!("weights must sum to exactly 100 (they sum to {sum})"),
            );
        }
        errs.into_result()
    }
}

/// A group as the admin API receives it: the group plus an optional `effectiveAt`. The
/// admin API takes a missing `id` as the one in its path, and a missing `enabled` as `true`.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", schema(as = ChannelGroupInput))]
pub struct GroupUpdate {
    /// The new configuration.
    #[serde(flatten)]
    pub group: ChannelGroup,
    /// When it takes effect: `None` = now. Must be a future whole hour.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub effective_at: Option<DateTime<Utc>>,
}

impl GroupUpdate {
    /// An immediate change.
    pub fn now(group: ChannelGroup) -> Self {
        GroupUpdate {
            group,
            effective_at: None,
        }
    }

    /// A change scheduled at `effective_at`.
    pub fn at(group: ChannelGroup, effective_at: DateTime<Utc>) -> Self {
        GroupUpdate {
            group,
            effective_at: Some(effective_at),
        }
    }

    /// Parse admin-API JSON text. See [`GroupUpdate::from_json`].
    pub fn from_json_str(text: &str) -> Result<Self, ValidationErrors> {
        let v: Value = serde_json::from_str(text).map_err(|e| {
            ValidationErrors::from(paymux_core::validation::ValidationError::new(
                "body",
                format!("must be valid JSON ({e})"),
            ))
        })?;
        Self::from_json(&v)
    }

    /// Parse the admin-API JSON shape, reporting every type error with its path
    /// (`channels[2].weight: must be an integer percent 0..=100`). Unknown fields are refused
    /// (a typo such as `healthskip` must not silently turn a feature off). A missing `id` is
    /// generated for the group's environment; a missing `enabled` is `true`.
    ///
    /// This only checks shapes; call [`ChannelGroup::validate`] (or
    /// [`GroupSchedule::apply`](crate::schedule::GroupSchedule::apply)) for the rules.
    pub fn from_json(value: &Value) -> Result<Self, ValidationErrors> {
        let mut errs = ValidationErrors::default();
        let Some(obj) = value.as_object() else {
            errs.add("body", "must be a JSON object");
            return Err(errs);
        };
        reject_unknown(
            obj,
            &FieldPath::root(""),
            &[
                "id",
                "name",
                "isForTest",
                "channels",
                "failover",
                "healthSkip",
                "effectiveAt",
            ],
            &mut errs,
        );
        let root = FieldPath::root("");
        let id = opt_string(obj, &root, "id", &mut errs);
        let name = opt_string(obj, &root, "name", &mut errs);
        if name.is_none() && !errs.0.iter().any(|e| e.path.as_str() == "name") {
            errs.add("name", "is required");
        }
        let is_for_test = opt_bool(obj, &root, "isForTest", &mut errs);
        if is_for_test.is_none() && !errs.0.iter().any(|e| e.path.as_str() == "isForTest") {
            errs.add(
                "isForTest",
                "is required (true for a test group, false for live)",
            );
        }
        let failover = opt_bool(obj, &root, "failover", &mut errs).unwrap_or(false);
        let health_skip = opt_bool(obj, &root, "healthSkip", &mut errs).unwrap_or(false);
        let effective_at = match obj.get("effectiveAt") {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => match DateTime::parse_from_rfc3339(s) {
                Ok(t) => Some(t.with_timezone(&Utc)),
                Err(_) => {
                    errs.add(
                        "effectiveAt",
                        "must be an RFC 3339 date-time such as 2026-12-01T10:00:00+09:00",
                    );
                    None
                }
            },
            Some(_) => {
                errs.add("effectiveAt", "must be an RFC 3339 date-time string");
                None
            }
        };
        let mut channels = Vec::new();
        match obj.get("channels") {
            None | Some(Value::Null) => errs.add("channels", "is required"),
            Some(Value::Array(items)) => {
                for (i, item) in items.iter().enumerate() {
                    let path = FieldPath::root("channels").index(i);
                    if let Some(c) = parse_channel(item, &path, &mut errs) {
                        channels.push(c);
                    }
                }
            }
            Some(_) => errs.add("channels", "must be an array of channels"),
        }
        if !errs.is_empty() {
            return Err(errs);
        }
        let environment = if is_for_test.unwrap_or(true) {
            Environment::Test
        } else {
            Environment::Live
        };
        let id = id.unwrap_or_else(|| generate_group_id(environment));
        Ok(GroupUpdate {
            group: ChannelGroup {
                id,
                name: name.unwrap_or_default(),
                environment,
                channels,
                failover,
                health_skip,
            },
            effective_at,
        })
    }
}

fn parse_channel(
    item: &Value,
    path: &FieldPath,
    errs: &mut ValidationErrors,
) -> Option<GroupChannel> {
    let Some(obj) = item.as_object() else {
        errs.add(
            path.clone(),
            "must be an object {channelKey, weight, enabled}",
        );
        return None;
    };
    let before = errs.0.len();
    reject_unknown(obj, path, &["channelKey", "weight", "enabled"], errs);
    let key = opt_string(obj, path, "channelKey", errs);
    if key.is_none() && errs.0.len() == before {
        errs.add(path.join("channelKey"), "is required");
    }
    let weight = match obj.get("weight") {
        None | Some(Value::Null) => {
            errs.add(
                path.join("weight"),
                "is required (an integer percent 0..=100)",
            );
            None
        }
        Some(Value::Number(n)) => match n.as_u64() {
            Some(w) if w <= u64::from(TOTAL_WEIGHT) => Some(w as u32),
            _ => {
                errs.add(
                    path.join("weight"),
                    format!("must be an integer percent 0..=100 (got {n})"),
                );
                None
            }
        },
        Some(_) => {
            errs.add(path.join("weight"), "must be an integer percent 0..=100");
            None
        }
    };
    let enabled = opt_bool(obj, path, "enabled", errs).unwrap_or(true);
    if errs.0.len() != before {
        return None;
    }
    Some(GroupChannel {
        channel_key: key?,
        weight: weight?,
        enabled,
    })
}

fn reject_unknown(
    obj: &Map<String, Value>,
    path: &FieldPath,
    known: &[&str],
    errs: &mut ValidationErrors,
) {
    // Sorted, so the report does not depend on serde_json's map ordering feature.
    let mut unknown: Vec<&String> = obj
        .keys()
        .filter(|k| !known.contains(&k.as_str()))
        .collect();
    unknown.sort();
    for k in unknown {
        {
            errs.add(
                path.join(k),
                format!(
                    "is not a known field (expected one of: {})",
                    known.join(", ")
                ),
            );
        }
    }
}

fn opt_string(
    obj: &Map<String, Value>,
    path: &FieldPath,
    name: &str,
    errs: &mut ValidationErrors,
) -> Option<String> {
    match obj.get(name) {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(_) => {
            errs.add(path.join(name), "must be a string");
            None
        }
    }
}

fn opt_bool(
    obj: &Map<String, Value>,
    path: &FieldPath,
    name: &str,
    errs: &mut ValidationErrors,
) -> Option<bool> {
    match obj.get(name) {
        None | Some(Value::Null) => None,
        Some(Value::Bool(b)) => Some(*b),
        Some(_) => {
            errs.add(path.join(name), "must be true or false");
            None
        }
    }
}
