//! PortOne V2 shapes that report routing results: `SelectedChannel`, the `channelGroup`
//! summary of a payment, and `ChannelSpecificFailure`.

use paymux_core::channel::Environment;
use serde::{Deserialize, Serialize};
use std::fmt;

/// PortOne `SelectedChannel.type`: `LIVE` or `TEST`.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[cfg_attr(feature = "openapi", schema(as = SelectedChannelType))]
pub enum ChannelType {
    /// Real money.
    Live,
    /// Test.
    Test,
}

impl From<Environment> for ChannelType {
    fn from(e: Environment) -> Self {
        match e {
            Environment::Live => ChannelType::Live,
            Environment::Test => ChannelType::Test,
        }
    }
}

/// PortOne `SelectedChannel`: the channel a payment or key actually went to (the payment's
/// `channel` field, a billing key's `channels[]`).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SelectedChannel {
    /// `LIVE` / `TEST`.
    #[serde(rename = "type")]
    pub kind: ChannelType,
    /// Channel id (PortOne's internal id; paymux leaves it empty).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(nullable = false))]
    pub id: Option<String>,
    /// The channel key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(nullable = false))]
    pub key: Option<String>,
    /// Channel name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(nullable = false))]
    pub name: Option<String>,
    /// PortOne `PgProvider` of the adapter (e.g. `KSNET`, `SMARTRO_V2`).
    pub pg_provider: String,
    /// The merchant id at the PG.
    pub pg_merchant_id: String,
}

impl SelectedChannel {
    /// The channel key, or `""` when the record carries none.
    pub fn key_str(&self) -> &str {
        self.key.as_deref().unwrap_or_default()
    }

    /// A minimal record naming only the key (for channels the directory no longer knows).
    pub fn unknown(key: &str, environment: Environment) -> Self {
        SelectedChannel {
            kind: environment.into(),
            id: None,
            key: Some(key.to_string()),
            name: None,
            pg_provider: String::new(),
            pg_merchant_id: String::new(),
        }
    }
}

/// PortOne's `channelGroup` summary on a payment or billing key: `{id, name, isForTest}`.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChannelGroupSummary {
    /// Group id.
    pub id: String,
    /// Group name.
    pub name: String,
    /// Test group?
    pub is_for_test: bool,
}

/// PortOne `ChannelSpecificFailure`: why one channel of a super-billing-key operation failed.
///
/// Serialized with `type` as the discriminator: `INVALID_REQUEST {channel, message}` or
/// `PG_PROVIDER {channel, message, pgCode, pgMessage}`.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ChannelSpecificFailure {
    /// Nothing reached the PG: the request was invalid for this channel (validation,
    /// unsupported operation, channel configuration, encoding).
    #[serde(rename_all = "camelCase")]
    InvalidRequest {
        /// The channel.
        channel: SelectedChannel,
        /// Why.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[cfg_attr(feature = "openapi", schema(nullable = false))]
        message: Option<String>,
    },
    /// The PG refused, or its answer is unknown (see [`crate::super_key`] for the codes
    /// paymux uses when the PG gave none).
    #[serde(rename_all = "camelCase")]
    PgProvider {
        /// The channel.
        channel: SelectedChannel,
        /// Human-readable summary.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[cfg_attr(feature = "openapi", schema(nullable = false))]
        message: Option<String>,
        /// The PG's raw code.
        pg_code: String,
        /// The PG's raw message.
        pg_message: String,
    },
}

impl ChannelSpecificFailure {
    /// The failed channel.
    pub fn channel(&self) -> &SelectedChannel {
        match self {
            ChannelSpecificFailure::InvalidRequest { channel, .. }
            | ChannelSpecificFailure::PgProvider { channel, .. } => channel,
        }
    }

    /// The failed channel's key.
    pub fn channel_key(&self) -> &str {
        self.channel().key_str()
    }

    /// `INVALID_REQUEST` / `PG_PROVIDER`.
    pub fn type_str(&self) -> &'static str {
        match self {
            ChannelSpecificFailure::InvalidRequest { .. } => "INVALID_REQUEST",
            ChannelSpecificFailure::PgProvider { .. } => "PG_PROVIDER",
        }
    }

    /// The human-readable message, if any.
    pub fn message(&self) -> Option<&str> {
        match self {
            ChannelSpecificFailure::InvalidRequest { message, .. }
            | ChannelSpecificFailure::PgProvider { message, .. } => message.as_deref(),
        }
    }
}

impl fmt::Display for ChannelSpecificFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.channel_key(), self.type_str())?;
        if let ChannelSpecificFailure::PgProvider {
            pg_code,
            pg_message,
            ..
        } = self
        {
            write!(f, " [{pg_code}] {pg_message}")?;
        }
        if let Some(m) = self.message() {
            write!(f, ": {m}")?;
        }
        Ok(())
    }
}
