//! Inicis against the paymux conformance suite, on its own simulator.
//!
//! Every scenario the descriptor's capabilities call for runs here; a declared capability no
//! scenario exercises fails too.

// The simulator is part of the default `simulator` feature.
#![cfg(feature = "simulator")]

mod common;

use std::collections::BTreeMap;
use std::sync::Arc;

use async_trait::async_trait;
use paymux_core::adapter::Method;
use paymux_inicis::{InicisAdapter, InicisSimulator};
use paymux_testkit::{Conformance, Fixture, WindowVisit};

/// How Inicis' simulated window answers: the fixture plays the payer on the real window
/// pages (`POST /window`, then `POST /window/{token}` with the card) and hands back what the
/// window posts to `returnUrl` (`authToken`, `authUrl`, `netCancelUrl`, `idc_name`, …).
struct InicisFixture;

#[async_trait]
impl Fixture for InicisFixture {
    async fn pay_in_window(
        &self,
        visit: WindowVisit<'_>,
    ) -> Result<BTreeMap<String, String>, String> {
        let endpoint = format!("http://{}", visit.endpoint.trim_start_matches("http://"));
        let answer = match visit.method {
            Method::VirtualAccount => "vbank=88&ACTION=approve".to_string(),
            _ => format!("cardNumber={}&ACTION=approve", visit.card_number),
        };
        let fields = common::answer_window(&endpoint, &visit.prepared.body, answer).await?;
        Ok(fields.into_iter().collect())
    }
}

#[tokio::test]
async fn conformance() {
    let report = Conformance::new(
        Arc::new(InicisAdapter),
        Arc::new(InicisSimulator::default()),
    )
    .fixture(InicisFixture)
    .run()
    .await;
    println!("{report}");
    report.assert_ok();
}
