//! KSNET against the paymux conformance suite, once per interface, on its own simulator
//! (one port serving both).

use std::sync::Arc;

use paymux_core::adapter::Operation;
use paymux_core::channel::ChannelContext;
use paymux_core::simulator::Simulator;
use paymux_ksnet::{KsnetAdapter, KsnetSimulator, Protocol};
use paymux_testkit::{Conformance, Fixture};
use serde_json::{json, Value};

/// What KSNET needs on top of PortOne's fields: `productType` on card payments ("API 결제 시
/// 필수"), and the channel of the interface under test.
struct KsnetFixture(Protocol);

impl Fixture for KsnetFixture {
    fn tailor(&self, req: &mut Value, op: Operation) {
        let card_payment = match op {
            Operation::PaymentInstant => req.pointer("/method/card").is_some(),
            Operation::PaymentBillingKey => true,
            _ => false,
        };
        if let (true, Value::Object(b)) = (card_payment, req) {
            b.insert("productType".into(), json!("PHYSICAL"));
        }
    }

    fn channel(&self, _simulator: &dyn Simulator, endpoint: &str) -> ChannelContext {
        KsnetSimulator::sandbox_channel_for(self.0, "conformance", endpoint)
    }
}

async fn run(protocol: Protocol) {
    let report = Conformance::new(Arc::new(KsnetAdapter), Arc::new(KsnetSimulator::default()))
        .fixture(KsnetFixture(protocol))
        .run()
        .await;
    println!("{report}");
    assert!(report.is_ok(), "{report}");
    // Everything KSNET declares is exercised: cards, partial cancels up to the 9th, the
    // virtual account, the billing-key lifecycle, both unknown outcomes, the three limits.
    assert!(report.passed_names().len() >= 20, "{report}");
}

#[tokio::test]
async fn webfep_conforms() {
    run(Protocol::Webfep).await;
}

#[tokio::test]
async fn kspay_conforms() {
    run(Protocol::Kspay).await;
}
