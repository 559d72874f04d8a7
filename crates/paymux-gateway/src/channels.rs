//! The configured channels: each one's context, adapter and PortOne `SelectedChannel` view.
//! Implements [`ChannelDirectory`] so routing can look channels up.

use std::collections::BTreeMap;
use std::sync::Arc;

use paymux_core::adapter::{AdapterDescriptor, PgAdapter};
use paymux_core::channel::ChannelContext;
use paymux_core::registry;
use paymux_routing::{ChannelDirectory, ChannelRecord, DirectoryEntry, SelectedChannel};

/// One configured channel.
pub struct ChannelEntry {
    /// The channel as configured (credentials are secrets).
    pub ctx: ChannelContext,
    /// Its adapter.
    pub adapter: Arc<dyn PgAdapter>,
    /// The adapter's description.
    pub descriptor: &'static AdapterDescriptor,
    /// What routing knows about it.
    pub record: ChannelRecord,
}

impl ChannelEntry {
    /// PortOne `SelectedChannel`.
    pub fn selected(&self) -> SelectedChannel {
        DirectoryEntry {
            environment: self.record.environment,
            descriptor: self.descriptor,
            name: self.record.name.as_deref(),
            pg_merchant_id: self.record.pg_merchant_id.as_deref(),
        }
        .selected_channel(&self.ctx.key)
    }

    /// The admin API view: `SelectedChannel` plus `adapter`.
    pub fn admin_view(&self) -> ChannelView {
        ChannelView {
            channel: self.selected(),
            adapter: self.descriptor.id.into(),
        }
    }
}

/// A configured channel as the admin API shows it: `SelectedChannel` plus `adapter`.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct ChannelView {
    /// The channel.
    #[serde(flatten)]
    pub channel: SelectedChannel,
    /// The adapter serving it (`galaxia`, `smartro`, …).
    pub adapter: String,
}

/// `GET /channels`.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct ChannelList {
    /// Every configured channel.
    pub items: Vec<ChannelView>,
}

/// Every configured channel by key.
#[derive(Default, Clone)]
pub struct ChannelRegistry {
    map: BTreeMap<String, Arc<ChannelEntry>>,
}

impl ChannelRegistry {
    /// Build from channel contexts; every adapter must be linked in this build.
    pub fn new(channels: Vec<ChannelContext>) -> anyhow::Result<ChannelRegistry> {
        let mut map = BTreeMap::new();
        for ctx in channels {
            let Some(reg) = registry::find(&ctx.adapter) else {
                let linked: Vec<_> = registry::adapters()
                    .iter()
                    .map(|r| r.descriptor.id)
                    .collect();
                anyhow::bail!(
                    "channel `{}`: adapter `{}` is not linked in this build (linked: {})",
                    ctx.key,
                    ctx.adapter,
                    if linked.is_empty() {
                        "none".to_string()
                    } else {
                        linked.join(", ")
                    }
                );
            };
            if ctx.key.trim().is_empty() {
                anyhow::bail!("a channel has an empty `key`");
            }
            if map.contains_key(&ctx.key) {
                anyhow::bail!("channel `{}` is configured twice", ctx.key);
            }
            let record = ChannelRecord::from_context(&ctx, reg.descriptor);
            let entry = ChannelEntry {
                adapter: (reg.adapter)(),
                descriptor: reg.descriptor,
                record,
                ctx,
            };
            map.insert(entry.ctx.key.clone(), Arc::new(entry));
        }
        Ok(ChannelRegistry { map })
    }

    /// A channel by key.
    pub fn get(&self, key: &str) -> Option<&Arc<ChannelEntry>> {
        self.map.get(key)
    }

    /// Every channel, by key.
    pub fn iter(&self) -> impl Iterator<Item = &Arc<ChannelEntry>> {
        self.map.values()
    }

    /// Number of channels.
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// No channel.
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }
}

impl ChannelDirectory for ChannelRegistry {
    fn lookup(&self, channel_key: &str) -> Option<DirectoryEntry<'_>> {
        self.map.get(channel_key).map(|e| DirectoryEntry {
            environment: e.record.environment,
            descriptor: e.descriptor,
            name: e.record.name.as_deref(),
            pg_merchant_id: e.record.pg_merchant_id.as_deref(),
        })
    }
}
