//! # paymux
//!
//! The facade: re-exports the core and every adapter enabled by a cargo feature (one feature
//! per PG, plus `all-adapters`), and hosts the `paymux` binary.
//!
//! ```toml
//! paymux = { version = "0.1", default-features = false, features = ["galaxia"] }
//! ```
//!
//! A gateway linking only the adapters it needs pays only for those. The `simulators` feature
//! (on by default) links each enabled adapter's vendor simulator, for the sandbox
//! (`paymux serve` without `--config`) and `paymux simulate`; a production build leaves it out
//! (`default-features = false`), and then `paymux serve` requires `--config`.

pub use paymux_core as core;

pub mod cli;
mod route;

// `pub use ::<adapter>;` for each enabled adapter, and `ENABLED_ADAPTERS`.
include!(concat!(env!("OUT_DIR"), "/adapters.rs"));

/// The adapters registered in this binary, sorted by id.
pub fn registered_adapters() -> Vec<&'static str> {
    paymux_core::registry::adapters()
        .iter()
        .map(|r| r.descriptor.id)
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn registered_adapters_equal_enabled_features() {
        let mut enabled: Vec<&str> = super::ENABLED_ADAPTERS.to_vec();
        enabled.sort_unstable();
        assert_eq!(super::registered_adapters(), enabled);
        assert!(paymux_core::registry::duplicate_ids().is_empty());
    }

    #[test]
    fn simulators_are_registered_exactly_with_the_simulators_feature() {
        for r in paymux_core::registry::adapters() {
            assert_eq!(
                r.simulator.is_some(),
                cfg!(feature = "simulators"),
                "adapter {}",
                r.descriptor.id
            );
        }
    }
}
