//! NICE against the paymux conformance suite, on its own simulator.
//!
//! Every scenario the descriptor's capabilities call for runs here; a declared capability no
//! scenario exercises fails too.

// The simulator is part of the default `simulator` feature.
#![cfg(feature = "simulator")]

use std::collections::BTreeMap;
use std::sync::Arc;

use async_trait::async_trait;
use paymux_core::adapter::Method;
use paymux_nice::simulator::handlers::WINDOW_PATH;
use paymux_nice::{NiceAdapter, NiceSimulator};
use paymux_testkit::{Conformance, Fixture, WindowVisit};
use serde_json::Value;

/// How NICE's simulated window answers.
struct NiceFixture;

#[async_trait]
impl Fixture for NiceFixture {
    /// The client key is public by design: NICE's JS window carries it as `clientId`. The
    /// secret key must never show.
    fn is_public_credential(&self, name: &str) -> bool {
        name == "client_key"
    }

    /// Play the payer: post the prepared `requestPay` form (plus the card for CARD, a bank
    /// otherwise) to the simulator's test-only window endpoint, which answers what the window
    /// posts to `returnUrl`.
    async fn pay_in_window(
        &self,
        visit: WindowVisit<'_>,
    ) -> Result<BTreeMap<String, String>, String> {
        let mut body = visit.prepared.body.clone();
        if visit.method == Method::Card {
            body.extend_from_slice(format!("&cardNumber={}", visit.card_number).as_bytes());
        } else {
            body.extend_from_slice(b"&bankCode=088");
        }
        let url = format!("http://{}{WINDOW_PATH}", visit.endpoint);
        let resp = reqwest::Client::new()
            .post(url)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .map_err(|e| format!("the simulated window did not answer: {e}"))?;
        let v: Value = resp
            .json()
            .await
            .map_err(|e| format!("the simulated window answered no JSON: {e}"))?;
        if v["authResultCode"] != "0000" {
            return Err(format!("the simulated window refused: {v}"));
        }
        v.as_object()
            .map(|m| {
                m.iter()
                    .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string()))
                    .collect()
            })
            .ok_or_else(|| "the window's answer is not an object".to_string())
    }
}

#[tokio::test]
async fn conformance() {
    let report = Conformance::new(Arc::new(NiceAdapter), Arc::new(NiceSimulator::default()))
        .fixture(NiceFixture)
        .run()
        .await;
    println!("{report}");
    report.assert_ok();
}
