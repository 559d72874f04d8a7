//! Tests of the kit itself against a fake PG: the correct fake passes, and each deliberately
//! broken variant fails exactly the scenario that should catch it.

use std::collections::BTreeMap;
use std::sync::Arc;

use paymux_core::adapter::{Method, WireTarget};
use paymux_testkit::fake::{
    Bugs, FakeAdapter, FakeSim, FAKE, KIT, KIT_EMPTY, KIT_OVERCLAIMS, TESTWIN,
};
use paymux_testkit::{Conformance, Report, Status};

async fn run(adapter: FakeAdapter, simulator: FakeSim) -> Report {
    Conformance::new(Arc::new(adapter), Arc::new(simulator))
        .run()
        .await
}

fn correct() -> FakeAdapter {
    FakeAdapter::new(KIT)
}

fn simulator() -> FakeSim {
    FakeSim::new(KIT)
}

fn broken(bugs: Bugs) -> FakeAdapter {
    correct().with_bugs(bugs)
}

fn message<'a>(report: &'a Report, name: &str) -> &'a str {
    match &report
        .get(name)
        .unwrap_or_else(|| panic!("no {name}\n{report}"))
        .status
    {
        Status::Failed(m) => m,
        other => panic!("{name} did not fail: {other:?}\n{report}"),
    }
}

#[tokio::test]
async fn the_correct_fake_passes_every_declared_scenario() {
    let report = run(correct(), simulator()).await;
    assert!(report.is_ok(), "{report}");
    for name in [
        "capabilities.declared",
        "capabilities.undeclared_refused",
        "capabilities.currency_refused",
        "payment.instant.card.approve",
        "payment.instant.card.decline[card_declined]",
        "payment.instant.card.decline[insufficient_funds]",
        "payment.get.approved",
        "payment.cancel.full",
        "payment.cancel.partial",
        "payment.cancel.partial_limit",
        "payment.cancel.over_balance",
        "billing_key.lifecycle",
        "payment.instant.virtual_account",
        "unknown.late_answer",
        "unknown.connection_dropped",
        "validation.limit[orderName]",
        "validation.limit[customer.id]",
        "masking",
        "capabilities.coverage",
    ] {
        assert_eq!(
            report.get(name).map(|r| &r.status),
            Some(&Status::Passed),
            "{name}\n{report}"
        );
    }
    // Checkout and cash receipts are not declared: skipped, not failed.
    assert!(report
        .skipped_names()
        .iter()
        .all(|n| n.starts_with("checkout") || n.starts_with("cash-receipt")));
}

#[tokio::test]
async fn insufficient_funds_mapped_to_card_declined_fails_exactly_that_scenario() {
    let report = run(
        broken(Bugs {
            insufficient_as_declined: true,
            ..Bugs::default()
        }),
        simulator(),
    )
    .await;
    assert_eq!(
        report.failed_names(),
        ["payment.instant.card.decline[insufficient_funds]"],
        "{report}"
    );
    let m = message(&report, "payment.instant.card.decline[insufficient_funds]");
    assert!(m.contains("must be declined as insufficient_funds"), "{m}");
    assert!(m.contains("card_declined"), "{m}");
    assert!(m.contains("D051"), "{m}");
}

#[tokio::test]
async fn a_card_number_in_the_wire_view_fails_masking_only() {
    let report = run(
        broken(Bugs {
            card_in_view: true,
            ..Bugs::default()
        }),
        simulator(),
    )
    .await;
    assert_eq!(report.failed_names(), ["masking"], "{report}");
    let m = message(&report, "masking");
    assert!(m.contains("test card number"), "{m}");
    assert!(m.contains("WireRequest"), "{m}");
    assert!(m.contains("«SECRET»"), "{m}");
}

#[tokio::test]
async fn a_card_number_in_a_log_line_fails_masking() {
    let report = run(
        broken(Bugs {
            card_in_log: true,
            ..Bugs::default()
        }),
        simulator(),
    )
    .await;
    assert_eq!(report.failed_names(), ["masking"], "{report}");
    assert!(
        message(&report, "masking").contains("appears in a log line"),
        "{report}"
    );
}

#[tokio::test]
async fn limits_not_checked_in_validate_fail_each_limit_scenario() {
    let report = run(
        broken(Bugs {
            no_limit_rules: true,
            ..Bugs::default()
        }),
        simulator(),
    )
    .await;
    assert_eq!(
        report.failed_names(),
        [
            "validation.limit[orderName]",
            "validation.limit[customer.id]"
        ],
        "{report}"
    );
    let m = message(&report, "validation.limit[orderName]");
    // Hangul counted in EUC-KR bytes: 11 syllables are 22 bytes, over the 20-byte limit.
    assert!(m.contains("11 characters / 22 bytes in EUC-KR"), "{m}");
    assert!(m.contains("passed validation"), "{m}");
    assert!(m.contains("똠"), "{m}");
}

#[tokio::test]
async fn a_declared_capability_no_scenario_exercises_fails_coverage() {
    let adapter = FakeAdapter::new(KIT.with_descriptor(&KIT_OVERCLAIMS));
    let report = run(adapter, simulator()).await;
    assert_eq!(report.failed_names(), ["capabilities.coverage"], "{report}");
    let m = message(&report, "capabilities.coverage");
    assert!(
        m.contains("payment.cancel with TRANSFER is declared"),
        "{m}"
    );
    assert!(!m.contains("CARD"), "{m}");
}

#[tokio::test]
async fn an_adapter_declaring_nothing_fails_with_a_clear_message() {
    let adapter = FakeAdapter::new(KIT.with_descriptor(&KIT_EMPTY));
    let report = run(adapter, simulator()).await;
    assert!(!report.is_ok());
    assert!(
        message(&report, "capabilities.declared").contains("declares no operations"),
        "{report}"
    );
    assert!(report.passed_names().is_empty() || !report.is_ok());
}

#[tokio::test]
async fn an_unimplemented_adapter_fails_with_the_not_implemented_message() {
    let report = run(
        broken(Bugs {
            unimplemented: true,
            ..Bugs::default()
        }),
        simulator(),
    )
    .await;
    let m = message(&report, "payment.instant.card.approve");
    assert!(
        m.contains("not implemented yet: see CONTRIBUTING.md"),
        "{m}"
    );
    let text = report.to_string();
    assert!(text.contains("FAILED"), "{text}");
}

#[tokio::test]
async fn a_simulator_answering_the_late_card_in_time_fails_the_unknown_scenario() {
    let sim = simulator().answer_late_at_once();
    let report = run(correct(), sim).await;
    assert_eq!(report.failed_names(), ["unknown.late_answer"], "{report}");
    assert!(message(&report, "unknown.late_answer").contains("Outcome::Unknown"));
}

#[tokio::test]
#[should_panic(expected = "payment.instant.card.decline[insufficient_funds]")]
async fn assert_ok_panics_listing_the_failures() {
    run(
        broken(Bugs {
            insufficient_as_declined: true,
            ..Bugs::default()
        }),
        simulator(),
    )
    .await
    .assert_ok();
}

#[tokio::test]
async fn assert_conformance_runs_a_registration() {
    use paymux_core::registry::AdapterRegistration;
    static REGISTRATION: AdapterRegistration = AdapterRegistration {
        descriptor: KIT.descriptor,
        adapter: || Arc::new(FakeAdapter::new(KIT)),
        simulator: Some(|| Arc::new(FakeSim::new(KIT))),
    };
    paymux_testkit::assert_conformance(&REGISTRATION, paymux_testkit::DefaultFixture).await;
}

#[test]
fn linking_the_testkit_registers_no_adapter() {
    // Registration is opt-in (`register_fake!`): this binary links the fake and registers
    // nothing, as adapters' conformance tests and the facade's tests must not see a `fake`.
    let ids: Vec<_> = paymux_core::registry::adapters()
        .iter()
        .map(|r| r.descriptor.id)
        .collect();
    assert!(ids.is_empty(), "{ids:?}");
}

#[tokio::test]
async fn the_gateway_profile_passes_conformance() {
    let report = run(FakeAdapter::new(FAKE), FakeSim::new(FAKE)).await;
    assert!(report.is_ok(), "{report}");
    for name in [
        "payment.instant.card.approve",
        "payment.cancel.partial",
        "billing_key.lifecycle",
        "unknown.late_answer",
        "unknown.connection_dropped",
        "masking",
        "capabilities.coverage",
    ] {
        assert_eq!(
            report.get(name).map(|r| &r.status),
            Some(&Status::Passed),
            "{name}\n{report}"
        );
    }
}

/// Pays in the fake's window as a payer would: open it with the prepared form, answer it, and
/// read the form it posts back.
struct FakeWindowPayer;

fn between<'a>(text: &'a str, start: &str, end: &str) -> Option<&'a str> {
    let from = text.find(start)? + start.len();
    Some(&text[from..from + text[from..].find(end)?])
}

fn unescape(s: &str) -> String {
    s.replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

#[async_trait::async_trait]
impl paymux_testkit::Fixture for FakeWindowPayer {
    async fn pay_in_window(
        &self,
        visit: paymux_testkit::WindowVisit<'_>,
    ) -> Result<BTreeMap<String, String>, String> {
        let WireTarget::Browser { url, .. } = &visit.prepared.target else {
            return Err(format!("not a window: {:?}", visit.prepared.target));
        };
        let http = reqwest::Client::new();
        let post = |url: String, body: Vec<u8>| {
            http.post(url)
                .header("content-type", "application/x-www-form-urlencoded")
                .body(body)
                .send()
        };
        let page = post(url.clone(), visit.prepared.body.clone())
            .await
            .map_err(|e| e.to_string())?
            .text()
            .await
            .map_err(|e| e.to_string())?;
        let token = between(&page, "action=\"/window/", "\"").ok_or(format!("no form: {page}"))?;
        let answer = match visit.method {
            Method::VirtualAccount => "ACTION=approve&bank=SHINHAN".to_string(),
            _ => format!("ACTION=approve&cardNumber={}", visit.card_number),
        };
        let back = post(
            format!("http://{}/window/{token}", visit.endpoint),
            answer.into_bytes(),
        )
        .await
        .map_err(|e| e.to_string())?
        .text()
        .await
        .map_err(|e| e.to_string())?;
        Ok(back
            .split("<input type=\"hidden\" ")
            .skip(1)
            .filter_map(|i| {
                let name = between(i, "name=\"", "\"")?;
                let value = between(i, "value=\"", "\"")?;
                Some((unescape(name), unescape(value)))
            })
            .collect())
    }
}

#[tokio::test]
async fn the_window_profile_passes_conformance_through_its_window() {
    let report = Conformance::new(
        Arc::new(FakeAdapter::new(TESTWIN)),
        Arc::new(FakeSim::new(TESTWIN)),
    )
    .fixture(FakeWindowPayer)
    .run()
    .await;
    assert!(report.is_ok(), "{report}");
    for name in ["checkout[CARD]", "checkout[VIRTUAL_ACCOUNT]", "masking"] {
        assert_eq!(
            report.get(name).map(|r| &r.status),
            Some(&Status::Passed),
            "{name}\n{report}"
        );
    }
}
