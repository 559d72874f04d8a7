//! Nice against the paymux conformance suite, on its own simulator.
//!
//! Every scenario the descriptor's capabilities call for runs here; a declared capability no
//! scenario exercises fails too. Until the adapter is implemented this test fails, listing
//! each scenario with "not implemented yet".

// The simulator is part of the default `simulator` feature.
#![cfg(feature = "simulator")]

use std::sync::Arc;

use paymux_nice::{NiceAdapter, NiceSimulator};
use paymux_testkit::{Conformance, Fixture};

/// What Nice needs on top of PortOne's fields (`Fixture::tailor`: e.g. a
/// `bypass.nice` value or a supported bank) and how its simulated payment window answers
/// (`Fixture::pay_in_window`). Nothing yet.
struct NiceFixture;

impl Fixture for NiceFixture {}

#[tokio::test]
async fn conformance() {
    Conformance::new(Arc::new(NiceAdapter), Arc::new(NiceSimulator::default()))
        .fixture(NiceFixture)
        .run()
        .await
        .assert_ok();
}
