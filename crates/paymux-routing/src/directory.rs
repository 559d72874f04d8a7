//! The channel directory: what routing needs to know about each configured channel.
//!
//! Routing never owns channels; it asks a [`ChannelDirectory`] for a channel's environment and
//! its adapter's [`AdapterDescriptor`] (whose capabilities decide whether the channel can do a
//! job). The gateway implements the trait over its channel registry; tests and small setups use
//! [`MapDirectory`] or a plain `HashMap<String, (Environment, &'static AdapterDescriptor)>`.

use std::collections::{BTreeMap, HashMap};
use std::hash::BuildHasher;

use paymux_core::adapter::AdapterDescriptor;
use paymux_core::channel::{ChannelContext, Environment};

use crate::report::SelectedChannel;

/// What the directory knows about one channel.
#[derive(Debug, Clone, Copy)]
pub struct DirectoryEntry<'a> {
    /// Test or live.
    pub environment: Environment,
    /// The channel's adapter (its capabilities, `pg_provider`, ...).
    pub descriptor: &'a AdapterDescriptor,
    /// Display name (PortOne `SelectedChannel.name`), if known.
    pub name: Option<&'a str>,
    /// The merchant id at the PG (PortOne `SelectedChannel.pgMerchantId`), if known.
    pub pg_merchant_id: Option<&'a str>,
}

impl<'a> DirectoryEntry<'a> {
    /// An entry with just an environment and a descriptor.
    pub fn new(environment: Environment, descriptor: &'a AdapterDescriptor) -> Self {
        DirectoryEntry {
            environment,
            descriptor,
            name: None,
            pg_merchant_id: None,
        }
    }

    /// PortOne's `SelectedChannel` for the channel `key` (allocates; not for the hot path).
    /// Unknown name defaults to the key, unknown merchant id to `""`.
    pub fn selected_channel(&self, key: &str) -> SelectedChannel {
        SelectedChannel {
            kind: self.environment.into(),
            id: None,
            key: Some(key.to_string()),
            name: Some(self.name.unwrap_or(key).to_string()),
            pg_provider: self.descriptor.pg_provider.to_string(),
            pg_merchant_id: self.pg_merchant_id.unwrap_or_default().to_string(),
        }
    }
}

/// Looks channels up by `channelKey`.
///
/// `lookup` is called once per group channel on every selection, so it should be cheap (a hash
/// map lookup is); it must not block.
pub trait ChannelDirectory {
    /// The channel's entry, or `None` when no channel has this key.
    fn lookup(&self, channel_key: &str) -> Option<DirectoryEntry<'_>>;
}

impl<T: ChannelDirectory + ?Sized> ChannelDirectory for &T {
    fn lookup(&self, channel_key: &str) -> Option<DirectoryEntry<'_>> {
        (**self).lookup(channel_key)
    }
}

impl<T: ChannelDirectory + ?Sized> ChannelDirectory for std::sync::Arc<T> {
    fn lookup(&self, channel_key: &str) -> Option<DirectoryEntry<'_>> {
        (**self).lookup(channel_key)
    }
}

impl<S: BuildHasher> ChannelDirectory
    for HashMap<String, (Environment, &'static AdapterDescriptor), S>
{
    fn lookup(&self, channel_key: &str) -> Option<DirectoryEntry<'_>> {
        self.get(channel_key)
            .map(|(env, d)| DirectoryEntry::new(*env, d))
    }
}

impl ChannelDirectory for BTreeMap<String, (Environment, &'static AdapterDescriptor)> {
    fn lookup(&self, channel_key: &str) -> Option<DirectoryEntry<'_>> {
        self.get(channel_key)
            .map(|(env, d)| DirectoryEntry::new(*env, d))
    }
}

/// One channel as [`MapDirectory`] stores it.
#[derive(Debug, Clone)]
pub struct ChannelRecord {
    /// Test or live.
    pub environment: Environment,
    /// The channel's adapter.
    pub descriptor: &'static AdapterDescriptor,
    /// Display name.
    pub name: Option<String>,
    /// Merchant id at the PG.
    pub pg_merchant_id: Option<String>,
}

impl ChannelRecord {
    /// A record from a configured channel: name from [`ChannelContext::display_name`], merchant
    /// id from the `mid` credential when the adapter has one (every documented adapter does).
    pub fn from_context(ctx: &ChannelContext, descriptor: &'static AdapterDescriptor) -> Self {
        ChannelRecord {
            environment: ctx.environment,
            descriptor,
            name: Some(ctx.display_name().to_string()),
            pg_merchant_id: ctx.credentials.get("mid").map(|m| m.expose().clone()),
        }
    }
}

/// A simple in-memory directory: `channelKey` → [`ChannelRecord`].
#[derive(Debug, Clone, Default)]
pub struct MapDirectory {
    entries: HashMap<String, ChannelRecord>,
}

impl MapDirectory {
    /// An empty directory.
    pub fn new() -> Self {
        Self::default()
    }

    /// Add (or replace) a channel with just an environment and an adapter.
    pub fn insert(
        &mut self,
        channel_key: impl Into<String>,
        environment: Environment,
        descriptor: &'static AdapterDescriptor,
    ) -> &mut Self {
        self.insert_record(
            channel_key,
            ChannelRecord {
                environment,
                descriptor,
                name: None,
                pg_merchant_id: None,
            },
        )
    }

    /// Add (or replace) a channel record.
    pub fn insert_record(
        &mut self,
        channel_key: impl Into<String>,
        record: ChannelRecord,
    ) -> &mut Self {
        self.entries.insert(channel_key.into(), record);
        self
    }

    /// Remove a channel.
    pub fn remove(&mut self, channel_key: &str) -> Option<ChannelRecord> {
        self.entries.remove(channel_key)
    }

    /// Number of channels.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// No channel at all.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

impl ChannelDirectory for MapDirectory {
    fn lookup(&self, channel_key: &str) -> Option<DirectoryEntry<'_>> {
        self.entries.get(channel_key).map(|r| DirectoryEntry {
            environment: r.environment,
            descriptor: r.descriptor,
            name: r.name.as_deref(),
            pg_merchant_id: r.pg_merchant_id.as_deref(),
        })
    }
}
