//! Adapter registration with `inventory`.
//!
//! Each adapter crate does, once:
//!
//! ```ignore
//! paymux_core::inventory::submit! {
//!     paymux_core::registry::AdapterRegistration {
//!         descriptor: &DESCRIPTOR,
//!         adapter: || std::sync::Arc::new(GalaxiaAdapter),
//!         #[cfg(feature = "simulator")]
//!         simulator: Some(|| std::sync::Arc::new(GalaxiaSimulator::default())),
//!         #[cfg(not(feature = "simulator"))]
//!         simulator: None,
//!     }
//! }
//! ```
//!
//! An adapter's simulator sits behind its default-on `simulator` cargo feature, so a
//! production build can leave every simulator out: its registration then has none.
//!
//! The facade crate `paymux` references each enabled adapter crate explicitly so the linker
//! keeps its registration; a test there asserts registered adapters == enabled features.

use std::sync::Arc;

use crate::adapter::{AdapterDescriptor, PgAdapter};
use crate::simulator::Simulator;

/// One adapter's registration: plain data, like a rustls provider.
pub struct AdapterRegistration {
    /// Static description.
    pub descriptor: &'static AdapterDescriptor,
    /// Build the adapter.
    pub adapter: fn() -> Arc<dyn PgAdapter>,
    /// Build a fresh simulator (own ledger); `None` in a build without the adapter's
    /// `simulator` feature.
    pub simulator: Option<fn() -> Arc<dyn Simulator>>,
}

inventory::collect!(AdapterRegistration);

/// Every registered adapter, sorted by id. Duplicate ids (two crates claiming one id) keep the
/// first and are reported by [`duplicate_ids`] — never a runtime panic.
pub fn adapters() -> Vec<&'static AdapterRegistration> {
    let mut v: Vec<_> = inventory::iter::<AdapterRegistration>.into_iter().collect();
    v.sort_by_key(|r| r.descriptor.id);
    v.dedup_by_key(|r| r.descriptor.id);
    v
}

/// Adapter ids registered more than once.
pub fn duplicate_ids() -> Vec<&'static str> {
    let mut ids: Vec<_> = inventory::iter::<AdapterRegistration>
        .into_iter()
        .map(|r| r.descriptor.id)
        .collect();
    ids.sort_unstable();
    let mut dups: Vec<_> = ids
        .windows(2)
        .filter(|w| w[0] == w[1])
        .map(|w| w[0])
        .collect();
    dups.dedup();
    dups
}

/// Find an adapter by id.
pub fn find(id: &str) -> Option<&'static AdapterRegistration> {
    adapters().into_iter().find(|r| r.descriptor.id == id)
}
