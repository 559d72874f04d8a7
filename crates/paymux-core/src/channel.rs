//! Channel context: which adapter, which environment, which credentials.
//!
//! A channel is the merchant's contract with one PG (one MID). It is configured in TOML
//! (`paymux wire --channel FILE`, `[[channels]]` of the server config):
//!
//! ```toml
//! key = "channel-key-galaxia-test"
//! adapter = "galaxia"
//! environment = "test"              # or "live"
//! endpoint = "127.0.0.1:30900"      # optional: overrides the vendor's host
//! [credentials]
//! mid = "M2103135"
//! key = "QkZJRlBDRTI4T0c1OUtBMw=="
//! iv = "PRJ59Q2GHPT844TQ"
//! [options]
//! item_code = "1234567890"
//! ```
//!
//! Credentials are [`Secret`]s: they never show in Debug output, logs or errors.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

use crate::secret::Secret;

/// Test or live. Test channels talk to the vendor's test host (or a simulator).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Environment {
    /// The vendor's test system.
    Test,
    /// Real money.
    Live,
}

impl Environment {
    /// `"test"` / `"live"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Environment::Test => "test",
            Environment::Live => "live",
        }
    }
}

impl fmt::Display for Environment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A channel as configured. Deserializes the channel TOML table.
#[derive(Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChannelContext {
    /// The channel key clients name (`channelKey`).
    pub key: String,
    /// Adapter id (`galaxia`, `ksnet`, `smartro`, ...).
    pub adapter: String,
    /// Test or live.
    pub environment: Environment,
    /// Human-readable channel name (PortOne `SelectedChannel.name`); defaults to the key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Overrides the vendor's host: `host:port` for socket PGs, a base URL for HTTP PGs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endpoint: Option<String>,
    /// Adapter-specific credentials (`mid`, keys, ...). All treated as secrets.
    #[serde(default)]
    pub credentials: BTreeMap<String, Secret<String>>,
    /// Adapter-specific options (`item_code`, `protocol`, ...), kept as strings.
    #[serde(default, deserialize_with = "options_as_strings")]
    pub options: BTreeMap<String, String>,
}

fn options_as_strings<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<BTreeMap<String, String>, D::Error> {
    use serde::de::Error;
    let raw = BTreeMap::<String, toml::Value>::deserialize(d)?;
    raw.into_iter()
        .map(|(k, v)| {
            let s = match v {
                toml::Value::String(s) => s,
                toml::Value::Integer(i) => i.to_string(),
                toml::Value::Boolean(b) => b.to_string(),
                toml::Value::Float(f) => f.to_string(),
                other => {
                    return Err(D::Error::custom(format!(
                        "options.{k}: must be a string, number or boolean, not {}",
                        other.type_str()
                    )))
                }
            };
            Ok((k, s))
        })
        .collect()
}

/// A channel configuration problem (missing or malformed credential/option).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("channel `{channel}`: {field}: {rule}")]
pub struct ChannelConfigError {
    /// Channel key.
    pub channel: String,
    /// `credentials.mid`, `options.protocol`, `endpoint`, ...
    pub field: String,
    /// The rule broken.
    pub rule: String,
}

impl ChannelContext {
    /// Parse a channel TOML document.
    pub fn from_toml(text: &str) -> Result<Self, String> {
        toml::from_str(text).map_err(|e| e.to_string())
    }

    /// A required credential, or an error naming `credentials.<name>`.
    pub fn credential(&self, name: &str) -> Result<&Secret<String>, ChannelConfigError> {
        match self.credentials.get(name) {
            Some(v) if !v.expose().is_empty() => Ok(v),
            _ => Err(self.config_error(&format!("credentials.{name}"), "is required")),
        }
    }

    /// An optional option value.
    pub fn option(&self, name: &str) -> Option<&str> {
        self.options.get(name).map(String::as_str)
    }

    /// Build a configuration error for this channel.
    pub fn config_error(&self, field: &str, rule: &str) -> ChannelConfigError {
        ChannelConfigError {
            channel: self.key.clone(),
            field: field.to_string(),
            rule: rule.to_string(),
        }
    }

    /// The endpoint override split as `host:port`, if it is one.
    pub fn endpoint_host_port(&self) -> Result<Option<(String, u16)>, ChannelConfigError> {
        let Some(ep) = &self.endpoint else {
            return Ok(None);
        };
        let (host, port) = ep
            .rsplit_once(':')
            .ok_or_else(|| self.config_error("endpoint", "must be host:port for this adapter"))?;
        let port = port
            .parse::<u16>()
            .map_err(|_| self.config_error("endpoint", "port must be a number 1-65535"))?;
        Ok(Some((host.trim_matches(['[', ']']).to_string(), port)))
    }

    /// The display name (`name`, else the key).
    pub fn display_name(&self) -> &str {
        self.name.as_deref().unwrap_or(&self.key)
    }
}

impl fmt::Debug for ChannelContext {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ChannelContext")
            .field("key", &self.key)
            .field("adapter", &self.adapter)
            .field("environment", &self.environment)
            .field("endpoint", &self.endpoint)
            .field("credentials", &self.credentials.keys().collect::<Vec<_>>())
            .field("options", &self.options)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOML: &str = r#"
key = "galaxia-test"
adapter = "galaxia"
environment = "test"
endpoint = "127.0.0.1:30900"
[credentials]
mid = "M2103135"
key = "QkZJRlBDRTI4T0c1OUtBMw=="
[options]
item_code = "ITEM1"
retries = 3
"#;

    #[test]
    fn parses_channel_toml_and_masks_credentials() {
        let c = ChannelContext::from_toml(TOML).unwrap();
        assert_eq!(c.environment, Environment::Test);
        assert_eq!(c.credential("mid").unwrap().expose(), "M2103135");
        assert_eq!(c.option("retries"), Some("3"));
        assert_eq!(
            c.endpoint_host_port().unwrap(),
            Some(("127.0.0.1".to_string(), 30900))
        );
        let dbg = format!("{c:?}");
        assert!(!dbg.contains("QkZJ"), "{dbg}");
        assert!(!dbg.contains("M2103135"), "{dbg}");
    }

    #[test]
    fn missing_credential_names_the_field() {
        let c = ChannelContext::from_toml(TOML).unwrap();
        let e = c.credential("iv").unwrap_err();
        assert_eq!(
            e.to_string(),
            "channel `galaxia-test`: credentials.iv: is required"
        );
    }

    #[test]
    fn unknown_top_level_field_is_refused() {
        let e = ChannelContext::from_toml("key='a'\nadapter='x'\nenvironment='test'\nmdi='1'")
            .unwrap_err();
        assert!(e.contains("mdi"), "{e}");
    }
}
