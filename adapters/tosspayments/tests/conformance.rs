//! Toss Payments against the paymux conformance suite, on its own simulator.
//!
//! Every scenario the descriptor's capabilities call for runs here; a declared capability no
//! scenario exercises fails too.

// The simulator is part of the default `simulator` feature.
#![cfg(feature = "simulator")]

mod common;

use std::collections::BTreeMap;
use std::sync::Arc;

use async_trait::async_trait;
use paymux_testkit::{Conformance, Fixture, WindowVisit};
use paymux_tosspayments::{TossAdapter, TossSimulator};

/// How Toss's simulated window answers; Toss needs nothing beyond PortOne's fields.
struct TossFixture;

#[async_trait]
impl Fixture for TossFixture {
    /// The window's client key is a browser key, public by design (Toss's window script gets
    /// it in the page); the secret key is not.
    fn is_public_credential(&self, name: &str) -> bool {
        name == "client_key"
    }

    /// Play the payer: open the simulated window with the prepared parameters, enter the card,
    /// press Pay, and read what the window posts back to the success URL.
    async fn pay_in_window(
        &self,
        visit: WindowVisit<'_>,
    ) -> Result<BTreeMap<String, String>, String> {
        common::pay_in_window(
            visit.endpoint,
            &visit.prepared.body,
            visit.card_number,
            true,
        )
        .await
    }
}

#[tokio::test]
async fn conformance() {
    let report = Conformance::new(Arc::new(TossAdapter), Arc::new(TossSimulator::default()))
        .fixture(TossFixture)
        .run()
        .await;
    println!("{report}");
    report.assert_ok();
}
