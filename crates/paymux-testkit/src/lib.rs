//! # paymux-testkit: the conformance kit
//!
//! One scenario suite that every PG adapter runs against its own simulator, gated on the
//! adapter's declared [`Capabilities`](paymux_core::Capabilities) — the way OpenDAL runs one
//! behavior suite against every storage backend.
//!
//! ```ignore
//! #[tokio::test]
//! async fn conformance() {
//!     paymux_testkit::Conformance::new(Arc::new(MyAdapter), Arc::new(MySimulator::default()))
//!         .fixture(MyFixture)
//!         .run()
//!         .await
//!         .assert_ok();
//! }
//! ```
//!
//! or, from the adapter's registration, [`assert_conformance`].
//!
//! With the `fake` feature, the `fake` module is the one fake PG the workspace's tests use (the
//! gateway's end-to-end and hosted-checkout tests, this kit's self-tests): an adapter and
//! simulator whose declared capabilities and bugs are data, registered only where a test binary
//! asks for it with `register_fake!`.
//!
//! Requests are PortOne V2 JSON bodies (the `paymux wire` request-file shape), passed through
//! [`Fixture::tailor`] for what the PG additionally needs, and parsed with
//! [`PgRequest::from_json`](paymux_core::PgRequest::from_json): the suite needs no adapter
//! type. They go through the real [`execute`](paymux_core::execute::execute) and
//! `NetTransport` to the simulator, listening on a local port.
//!
//! ## Scenarios
//!
//! Each runs only when the adapter declares what it needs; **a declared operation × method
//! that no scenario exercised fails the run** (`capabilities.coverage`), so an adapter cannot
//! declare what is not tested.
//!
//! | scenario | runs when declared | checks |
//! |---|---|---|
//! | `capabilities.declared` | always | at least one operation and currency; consistent cancel flags |
//! | `capabilities.undeclared_refused` | any operation | every buildable operation × method *not* declared is refused with `PgError::Unsupported` |
//! | `capabilities.currency_refused` | `payment.instant` CARD | a currency not declared (`XTS`) is refused at `currency` |
//! | `payment.instant.card.approve` | `payment.instant` CARD | approved with raw code, TID, amount; ledger `APPROVED` |
//! | `payment.instant.card.decline[…]` | `payment.instant` CARD | `…0002` → `card_declined`, `…0051` → `insufficient_funds`, raw `pg_code` kept, not retry-safe |
//! | `payment.get.approved` | a card payment + `payment.get` | inquiry answers `APPROVED` |
//! | `payment.cancel.full` | a card payment + `payment.cancel` CARD | full cancel; ledger `CANCELLED`; cancelling again refused |
//! | `payment.cancel.partial` | … + `partial_cancel` | partial cancels down to zero, then one more refused |
//! | `payment.cancel.partial_limit` | … + `max_partial_cancels` | the cancel past the cap is refused |
//! | `payment.cancel.over_balance` | a card payment + `payment.cancel` CARD | a cancel above the balance refused, ledger unchanged |
//! | `billing_key.lifecycle` | `billing-key.issue` | issue → charge → delete → charge refused (each step when declared) |
//! | `payment.instant.virtual_account` | `payment.instant` VIRTUAL_ACCOUNT | account issued; inquiry `PENDING`, cancel (when declared) |
//! | `unknown.late_answer` | `payment.instant` CARD | `…0098` with a 300 ms read timeout → `Unknown`; `payment.get` finds it approved |
//! | `unknown.connection_dropped` | `payment.instant` CARD | `…0099` → `Unknown`, nothing in the ledger; `payment.get` finds nothing |
//! | `validation.limit[path]` | each declared field limit | too long in the declared unit (Hangul where bytes count), unmappable characters (`똠`, emoji) → `PgError::Validation` naming exactly `path`; a value exactly at the limit passes |
//! | `checkout[METHOD]` | `checkout.prepare` METHOD | a browser form; with `checkout.complete`: pay in the window ([`Fixture::pay_in_window`]), approve, cancel |
//! | `checkout.billing_key_and_pay[MOBILE]` | prepare + complete + `payment.billing-key` MOBILE | window issues a key and pays; the key charges again |
//! | `cash-receipt.lifecycle` | `cash-receipt.issue` | issue → get (when declared) → cancel → a second cancel refused → get finds it cancelled |
//! | `masking` | always | no card number, birth date, card password, cash-receipt identity number, channel secret or PG billing key in any Debug output, error message or log line of the run |
//! | `capabilities.coverage` | always | every declared operation × method was exercised |
#![warn(missing_docs)]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use paymux_core::adapter::PgAdapter;
use paymux_core::registry::AdapterRegistration;
use paymux_core::simulator::Simulator;
use paymux_core::transport::{NetTransport, Timeouts};
use tracing::instrument::WithSubscriber;

mod capture;
mod cash_receipts;
mod checks;
mod data;
#[cfg(feature = "fake")]
pub mod fake;
mod fixture;
mod report;
mod run;
mod scenarios;

pub use fixture::{DefaultFixture, Fixture, WindowVisit};
pub use report::{Report, ScenarioResult, Status};

/// The conformance suite for one adapter and its simulator.
pub struct Conformance {
    adapter: Arc<dyn PgAdapter>,
    simulator: Arc<dyn Simulator>,
    fixture: Arc<dyn Fixture>,
    timeouts: Timeouts,
    late_read: Duration,
    scenario_timeout: Duration,
}

impl Conformance {
    /// A suite for `adapter` against `simulator`, with the [`DefaultFixture`].
    pub fn new(adapter: Arc<dyn PgAdapter>, simulator: Arc<dyn Simulator>) -> Self {
        Conformance {
            adapter,
            simulator,
            fixture: Arc::new(DefaultFixture),
            timeouts: Timeouts {
                connect: Duration::from_secs(2),
                read: Duration::from_secs(10),
            },
            late_read: Duration::from_millis(300),
            scenario_timeout: Duration::from_secs(60),
        }
    }

    /// A suite built from an adapter's registration (a fresh simulator with its own ledger).
    ///
    /// # Panics
    ///
    /// When the adapter was built without its simulator (its `simulator` cargo feature, on by
    /// default): conformance runs against the simulator.
    pub fn from_registration(registration: &AdapterRegistration) -> Self {
        let Some(simulator) = registration.simulator else {
            panic!(
                "the {} adapter was built without its `simulator` feature: conformance needs it",
                registration.descriptor.id
            );
        };
        Conformance::new((registration.adapter)(), simulator())
    }

    /// Use `fixture` for PG-specific request fields, the channel and payment windows.
    pub fn fixture(mut self, fixture: impl Fixture) -> Self {
        self.fixture = Arc::new(fixture);
        self
    }

    /// Connect and read timeouts of ordinary requests (default 2 s / 10 s).
    pub fn timeouts(mut self, timeouts: Timeouts) -> Self {
        self.timeouts = timeouts;
        self
    }

    /// The read timeout of the `…0098` scenario (default 300 ms): shorter than the simulator's
    /// late delay, overriding any read timeout the adapter recommends.
    pub fn late_read_timeout(mut self, read: Duration) -> Self {
        self.late_read = read;
        self
    }

    /// Longest time one scenario may take (default 60 s).
    pub fn scenario_timeout(mut self, t: Duration) -> Self {
        self.scenario_timeout = t;
        self
    }

    /// Run every scenario and report. Never panics on an adapter's failure (a scenario that
    /// panics is reported as failed).
    pub async fn run(&self) -> Report {
        let capture = capture::Capture::start();
        match capture.fallback.clone() {
            Some(d) => self.run_inner(&capture).with_subscriber(d).await,
            None => self.run_inner(&capture).await,
        }
    }

    async fn run_inner(&self, capture: &capture::Capture) -> Report {
        let desc = self.adapter.descriptor();
        let mut report = Report {
            adapter: desc.id.to_string(),
            results: Vec::new(),
        };
        let addr = std::net::SocketAddr::from(([127, 0, 0, 1], 0));
        let handle = match self.simulator.clone().start(addr).await {
            Ok(h) => h,
            Err(e) => {
                report.results.push(ScenarioResult {
                    name: "simulator.start".into(),
                    status: Status::Failed(format!("the simulator did not start: {e}")),
                    notes: vec![],
                });
                return report;
            }
        };
        let endpoint = handle.endpoint();
        let channel = self.fixture.channel(self.simulator.as_ref(), &endpoint);
        let run = Arc::new(run::Run {
            adapter: self.adapter.clone(),
            simulator: self.simulator.clone(),
            fixture: self.fixture.clone(),
            channel,
            endpoint,
            net: NetTransport::new(),
            timeouts: self.timeouts,
            late_read: self.late_read,
            data: data::TestData::new(),
            views: Mutex::new(Vec::new()),
            pg_billing_keys: Mutex::new(Vec::new()),
            notes: Mutex::new(Vec::new()),
        });
        let mut covered = Vec::new();
        for s in scenarios::all_scenarios(desc) {
            let status = match s.gate {
                Err(why) => Status::Skipped(why),
                Ok(()) => {
                    covered.extend(s.covers.iter().copied());
                    let fut = (s.body)(run.clone());
                    let mut task = match &capture.fallback {
                        Some(d) => tokio::spawn(fut.with_subscriber(d.clone())),
                        None => tokio::spawn(fut),
                    };
                    match tokio::time::timeout(self.scenario_timeout, &mut task).await {
                        Err(_) => {
                            task.abort();
                            Status::Failed(format!(
                                "did not finish within {:?}",
                                self.scenario_timeout
                            ))
                        }
                        Ok(Err(join)) => Status::Failed(format!("panicked: {}", panic_text(join))),
                        Ok(Ok(Ok(()))) => Status::Passed,
                        Ok(Ok(Err(msg))) => Status::Failed(msg),
                    }
                }
            };
            report.results.push(result(&run, s.name, status));
        }
        // Give late answers and log lines of the simulator's tasks a moment to land.
        tokio::time::sleep(Duration::from_millis(50)).await;
        let masking = checks::masking(&run, &capture.text(), capture.is_global());
        report
            .results
            .push(result(&run, "masking".into(), verdict(masking)));
        let coverage = checks::coverage(desc, &covered);
        report.results.push(result(
            &run,
            "capabilities.coverage".into(),
            verdict(coverage),
        ));
        drop(handle);
        report
    }
}

fn verdict(v: Result<(), String>) -> Status {
    match v {
        Ok(()) => Status::Passed,
        Err(m) => Status::Failed(m),
    }
}

fn result(run: &run::Run, name: String, status: Status) -> ScenarioResult {
    let notes = run
        .notes
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .iter()
        .filter(|(n, _)| *n == name)
        .map(|(_, t)| t.clone())
        .collect();
    ScenarioResult {
        name,
        status,
        notes,
    }
}

fn panic_text(e: tokio::task::JoinError) -> String {
    match e.try_into_panic() {
        Ok(p) => p
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_else(|| "(non-string panic)".into()),
        Err(e) => e.to_string(),
    }
}

/// Run the suite for a registered adapter (with a fresh simulator) and panic listing every
/// failed scenario. The one line an adapter's conformance test needs.
pub fn assert_conformance(
    registration: &AdapterRegistration,
    fixture: impl Fixture,
) -> impl std::future::Future<Output = ()> + '_ {
    let suite = Conformance::from_registration(registration).fixture(fixture);
    async move {
        let report = suite.run().await;
        if !report.is_ok() {
            panic!("{report}");
        }
    }
}
