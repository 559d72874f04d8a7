//! What the adapter reads from a channel: credentials and options.
//!
//! The names are part of the channel TOML contract: list them in the README's channel section.

use paymux_core::channel::{ChannelConfigError, ChannelContext};

/// Credential names the channel must carry (all secrets; never logged).
pub const CREDENTIALS: &[&str] = &["mid"];
/// Option names the channel may carry.
pub const OPTIONS: &[&str] = &[];

/// A channel's Nice settings, parsed.
#[derive(Debug, Clone)]
pub struct NiceChannel {
    /// Merchant id.
    pub mid: String,
    /// The channel's `endpoint` override (a simulator), if any.
    pub endpoint: Option<String>,
}

impl NiceChannel {
    /// Read and check the channel. Errors name the credential, never its value.
    pub fn from_context(ctx: &ChannelContext) -> Result<Self, ChannelConfigError> {
        Ok(NiceChannel {
            mid: ctx.credential("mid")?.expose().clone(),
            endpoint: ctx.endpoint.clone(),
        })
    }
}
