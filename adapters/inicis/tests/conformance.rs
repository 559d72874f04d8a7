//! Inicis against the paymux conformance suite, on its own simulator.
//!
//! Every scenario the descriptor's capabilities call for runs here; a declared capability no
//! scenario exercises fails too. Until the adapter is implemented this test fails, listing
//! each scenario with "not implemented yet".

// The simulator is part of the default `simulator` feature.
#![cfg(feature = "simulator")]

use std::sync::Arc;

use paymux_inicis::{InicisAdapter, InicisSimulator};
use paymux_testkit::{Conformance, Fixture};

/// What Inicis needs on top of PortOne's fields (`Fixture::tailor`: e.g. a
/// `bypass.inicis` value or a supported bank) and how its simulated payment window answers
/// (`Fixture::pay_in_window`). Nothing yet.
struct InicisFixture;

impl Fixture for InicisFixture {}

#[tokio::test]
async fn conformance() {
    Conformance::new(
        Arc::new(InicisAdapter),
        Arc::new(InicisSimulator::default()),
    )
    .fixture(InicisFixture)
    .run()
    .await
    .assert_ok();
}
