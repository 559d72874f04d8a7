//! The state of one run and the helpers every scenario uses: build a request the PortOne way,
//! send it through the real executor and transport, record every human-readable view for the
//! masking scenario, and check outcomes.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, FixedOffset};
use paymux_core::adapter::{
    kst, AdapterDescriptor, EncodeContext, Method, Operation, PgAdapter, PgRequest, WireRequest,
};
use paymux_core::channel::ChannelContext;
use paymux_core::error::PgError;
use paymux_core::execute;
use paymux_core::outcome::{Approved, ApprovedDetail, Outcome};
use paymux_core::simulator::{LedgerEntry, Simulator};
use paymux_core::transport::{NetTransport, Timeouts, Transport, TransportError};
use serde_json::Value;

use crate::data::{Prior, TestData};
use crate::fixture::Fixture;

/// A scenario's verdict: `Err` carries the failure message.
pub(crate) type Verdict = Result<(), String>;

/// Shared state of one run.
pub(crate) struct Run {
    pub adapter: Arc<dyn PgAdapter>,
    pub simulator: Arc<dyn Simulator>,
    pub fixture: Arc<dyn Fixture>,
    pub channel: ChannelContext,
    pub endpoint: String,
    pub net: NetTransport,
    pub timeouts: Timeouts,
    pub late_read: Duration,
    pub data: TestData,
    /// Every human-readable view produced: (where, text).
    pub views: Mutex<Vec<(String, String)>>,
    /// Billing keys the PG issued (secrets to look for).
    pub pg_billing_keys: Mutex<Vec<String>>,
    /// Notes of the scenario being run, keyed by scenario name.
    pub notes: Mutex<Vec<(String, String)>>,
}

/// One operation as sent.
pub(crate) struct Sent {
    pub op: Operation,
    /// "Now" of the encode context: the order date a gateway would store.
    pub now: DateTime<FixedOffset>,
    pub result: Result<Outcome, PgError>,
}

impl Sent {
    /// `YYYYMMDDHHMMSS` of the encode context.
    pub fn order_date(&self) -> String {
        self.now.format("%Y%m%d%H%M%S").to_string()
    }
}

/// A transport that gives up reading after `read`, whatever the adapter recommends: the
/// client of the `0098` scenario.
struct ShortRead<'a> {
    inner: &'a NetTransport,
    read: Duration,
}

#[async_trait]
impl Transport for ShortRead<'_> {
    async fn send(
        &self,
        req: &WireRequest,
        timeouts: Timeouts,
    ) -> Result<paymux_core::adapter::WireResponse, TransportError> {
        let mut req = req.clone();
        req.read_timeout = None;
        self.inner
            .send(
                &req,
                Timeouts {
                    read: self.read,
                    ..timeouts
                },
            )
            .await
    }
}

impl Run {
    pub fn descriptor(&self) -> &'static AdapterDescriptor {
        self.adapter.descriptor()
    }

    pub fn supports(&self, op: Operation, method: Option<Method>) -> bool {
        self.descriptor().capabilities.supports(op, method)
    }

    pub fn note(&self, scenario: &str, text: impl Into<String>) {
        self.notes
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push((scenario.to_string(), text.into()));
    }

    pub fn record(&self, place: impl Into<String>, text: String) {
        self.views
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push((place.into(), text));
    }

    /// The suite's body → `Fixture::tailor` → `PgRequest::from_json`.
    pub fn build(&self, op: Operation, mut json: Value) -> Result<PgRequest, String> {
        self.fixture.tailor(&mut json, op);
        self.parse(op, &json)
    }

    /// Parse without tailoring (the body was already tailored).
    pub fn parse(&self, op: Operation, json: &Value) -> Result<PgRequest, String> {
        PgRequest::from_json(op, &json.to_string()).map_err(|e| {
            format!("the suite's {op} request does not parse (after Fixture::tailor): {e}")
        })
    }

    pub fn context(&self) -> EncodeContext<'_> {
        EncodeContext {
            channel: &self.channel,
            now: chrono::Utc::now().with_timezone(&kst()),
            nonce: rand::random(),
        }
    }

    /// Record the Debug views of a request and, when it validates, of what it encodes to.
    fn record_request(&self, ctx: &EncodeContext<'_>, req: &PgRequest) {
        let op = req.operation();
        self.record(format!("Debug of the {op} request"), format!("{req:?}"));
        self.record(format!("Debug of the {op} request"), format!("{req:#?}"));
        if execute::validate(self.adapter.as_ref(), ctx, req).is_ok() {
            let adapter = self.adapter.clone();
            let enc =
                std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| adapter.encode(ctx, req)));
            match enc {
                Ok(Ok(w)) => {
                    self.record(format!("Debug of the {op} WireRequest"), format!("{w:?}"));
                    self.record(
                        format!("view of the {op} WireRequest"),
                        serde_json::to_string_pretty(&w.view).unwrap_or_default(),
                    );
                }
                Ok(Err(e)) => self.record_error(op, &e),
                Err(_) => {}
            }
        }
    }

    fn record_error(&self, op: Operation, e: &PgError) {
        self.record(format!("message of a {op} error"), e.to_string());
        self.record(format!("Debug of a {op} error"), format!("{e:?}"));
    }

    fn record_result(&self, op: Operation, r: &Result<Outcome, PgError>) {
        match r {
            Ok(o) => {
                self.record(format!("Debug of a {op} outcome"), format!("{o:?}"));
                self.record(format!("Debug of a {op} outcome"), format!("{o:#?}"));
                if let Outcome::Approved(Approved {
                    detail: ApprovedDetail::BillingKeyIssued { pg_billing_key, .. },
                    ..
                }) = o
                {
                    self.pg_billing_keys
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .push(pg_billing_key.expose().clone());
                }
            }
            Err(e) => self.record_error(op, e),
        }
    }

    /// Send a request through `execute` with the normal timeouts.
    pub async fn send(&self, op: Operation, json: Value) -> Result<Sent, String> {
        let req = self.build(op, json)?;
        self.send_request(req, None).await
    }

    /// Send a request whose answer the client stops waiting for after the short read timeout.
    pub async fn send_short_read(&self, op: Operation, json: Value) -> Result<Sent, String> {
        let req = self.build(op, json)?;
        self.send_request(req, Some(self.late_read)).await
    }

    pub async fn send_request(
        &self,
        req: PgRequest,
        short_read: Option<Duration>,
    ) -> Result<Sent, String> {
        let op = req.operation();
        let ctx = self.context();
        self.record_request(&ctx, &req);
        let short = short_read.map(|read| ShortRead {
            inner: &self.net,
            read,
        });
        let transport: &dyn Transport = match &short {
            Some(s) => s,
            None => &self.net,
        };
        let result =
            execute::execute(self.adapter.as_ref(), transport, &ctx, &req, self.timeouts).await;
        self.record_result(op, &result);
        Ok(Sent {
            op,
            now: ctx.now,
            result,
        })
    }

    /// Validate only (no I/O), recording views.
    pub fn validate_only(&self, req: &PgRequest) -> Result<(), PgError> {
        let ctx = self.context();
        self.record(
            format!("Debug of the {} request", req.operation()),
            format!("{req:?}"),
        );
        let r = execute::validate(self.adapter.as_ref(), &ctx, req).map(|_| ());
        if let Err(e) = &r {
            self.record_error(req.operation(), e);
        }
        r
    }

    /// Validate and encode (no I/O), recording views: what a gateway does for
    /// `checkout.prepare`.
    pub fn prepare(
        &self,
        req: &PgRequest,
    ) -> (DateTime<FixedOffset>, Result<WireRequest, PgError>) {
        let ctx = self.context();
        let op = req.operation();
        self.record(format!("Debug of the {op} request"), format!("{req:?}"));
        let r = execute::validate(self.adapter.as_ref(), &ctx, req)
            .and_then(|v| execute::encode(self.adapter.as_ref(), &ctx, &v));
        match &r {
            Ok(w) => {
                self.record(format!("Debug of the {op} WireRequest"), format!("{w:?}"));
            }
            Err(e) => self.record_error(op, e),
        }
        (ctx.now, r)
    }

    pub fn ledger(&self) -> Vec<LedgerEntry> {
        self.simulator.ledger()
    }

    /// The ledger entry of a payment: by TID when known, else by order id.
    pub fn ledger_entry(&self, payment_id: &str, pg_tx_id: Option<&str>) -> Option<LedgerEntry> {
        let ledger = self.ledger();
        if let Some(t) = pg_tx_id {
            if let Some(e) = ledger.iter().find(|e| e.pg_tx_id == t) {
                return Some(e.clone());
            }
        }
        ledger.into_iter().find(|e| e.order_id == payment_id)
    }

    // --------------------------------------------------------------------------------------
    // Building blocks shared by scenarios.
    // --------------------------------------------------------------------------------------

    /// Make an approved card payment of `amount`: keyed-in when `payment.instant` with CARD is
    /// declared, else with a fresh billing key. Returns the payment id and what a gateway
    /// stores about it.
    pub async fn card_payment(&self, amount: i64) -> Result<(String, Prior), String> {
        let payment_id = self.data.id("cf");
        if self.supports(Operation::PaymentInstant, Some(Method::Card)) {
            let sent = self
                .send(
                    Operation::PaymentInstant,
                    self.data
                        .instant_card(&payment_id, &self.data.approve, amount),
                )
                .await?;
            let a = expect_payment_approved(&sent, amount)?;
            return Ok((payment_id, prior_of(&sent, &a, amount, Method::Card)));
        }
        let (key, mut prior) = self.billing_key().await?;
        prior.total = amount;
        let sent = self
            .send(
                Operation::PaymentBillingKey,
                self.data.pay_with_billing_key(&payment_id, &key, &prior),
            )
            .await?;
        let a = expect_payment_approved(&sent, amount)?;
        Ok((payment_id, prior_of(&sent, &a, amount, Method::Card)))
    }

    /// Issue a billing key for the approve card. Returns the key id and the stored prior
    /// (`pgBillingKey`).
    pub async fn billing_key(&self) -> Result<(String, Prior), String> {
        let key = self.data.id("cfbk");
        let sent = self
            .send(
                Operation::BillingKeyIssue,
                self.data.issue_billing_key(&key, &self.data.approve),
            )
            .await?;
        let pg_key = match &sent.result {
            Ok(Outcome::Approved(Approved {
                detail: ApprovedDetail::BillingKeyIssued { pg_billing_key, .. },
                pg_code,
                ..
            })) => {
                if pg_code.trim().is_empty() {
                    return Err(
                        "billing-key.issue: approved with an empty pg_code (keep the PG's raw code)"
                            .into(),
                    );
                }
                pg_billing_key.expose().clone()
            }
            other => {
                return Err(format!(
                    "billing-key.issue: expected Approved(BillingKeyIssued), got {}",
                    show(other)
                ))
            }
        };
        if pg_key.trim().is_empty() {
            return Err("billing-key.issue: the PG billing key is empty".into());
        }
        Ok((
            key,
            Prior {
                pg_billing_key: Some(pg_key),
                method: Some(Method::Card),
                order_date: Some(sent.order_date()),
                ..Prior::default()
            },
        ))
    }

    /// Cancel and expect success; returns the updated prior.
    pub async fn cancel_ok(
        &self,
        payment_id: &str,
        amount: Option<i64>,
        prior: &Prior,
    ) -> Result<Prior, String> {
        let what = match amount {
            Some(a) => format!("payment.cancel of {a} (balance {})", prior.balance()),
            None => format!("payment.cancel of everything ({})", prior.balance()),
        };
        let sent = self
            .send(
                Operation::PaymentCancel,
                self.data.cancel(payment_id, amount, prior),
            )
            .await?;
        let expected = amount.unwrap_or(prior.balance());
        match &sent.result {
            Ok(Outcome::Approved(Approved {
                detail:
                    ApprovedDetail::Cancelled {
                        cancelled,
                        remaining,
                        ..
                    },
                pg_code,
                ..
            })) => {
                if cancelled.get() != expected {
                    return Err(format!(
                        "{what}: the outcome says {} was cancelled, expected {expected}",
                        cancelled.get()
                    ));
                }
                let left = prior.balance() - expected;
                if let Some(r) = remaining {
                    if r.get() != left {
                        return Err(format!(
                            "{what}: the outcome says {} remains, expected {left}",
                            r.get()
                        ));
                    }
                }
                if pg_code.trim().is_empty() {
                    return Err(format!("{what}: approved with an empty pg_code"));
                }
            }
            other => {
                return Err(format!(
                    "{what}: expected Approved(Cancelled), got {}",
                    show(other)
                ))
            }
        }
        let mut next = prior.clone();
        next.cancelled += expected;
        next.cancel_count += 1;
        Ok(next)
    }

    /// Cancel and expect a refusal: a validation error before sending, or a PG decline.
    pub async fn cancel_refused(
        &self,
        payment_id: &str,
        amount: Option<i64>,
        prior: &Prior,
        why: &str,
    ) -> Verdict {
        let sent = self
            .send(
                Operation::PaymentCancel,
                self.data.cancel(payment_id, amount, prior),
            )
            .await?;
        expect_refused(&sent, why)
    }
}

/// What a gateway stores about an approved payment.
pub(crate) fn prior_of(sent: &Sent, a: &Approved, amount: i64, method: Method) -> Prior {
    Prior {
        pg_tx_id: a.pg_tx_id.clone(),
        paid_at: Some(a.at.unwrap_or(sent.now)),
        total: amount,
        cancelled: 0,
        cancel_count: 0,
        method: Some(method),
        order_date: Some(sent.order_date()),
        pg_billing_key: None,
    }
}

/// A short, masked description of a result for failure messages.
pub(crate) fn show(r: &Result<Outcome, PgError>) -> String {
    match r {
        Ok(o) => format!("{o:?}"),
        Err(e) => format!("error {e} ({e:?})"),
    }
}

/// An approved payment of `amount` with the PG's raw code and a TID.
pub(crate) fn expect_payment_approved(sent: &Sent, amount: i64) -> Result<Approved, String> {
    let op = sent.op;
    match &sent.result {
        Ok(Outcome::Approved(a)) => {
            if !matches!(a.detail, ApprovedDetail::Payment { .. }) {
                return Err(format!(
                    "{op}: approved, but the detail is {:?} instead of Payment",
                    a.detail
                ));
            }
            if a.pg_code.trim().is_empty() {
                return Err(format!(
                    "{op}: approved with an empty pg_code (keep the PG's raw result code)"
                ));
            }
            if !a.pg_tx_id.as_deref().is_some_and(|t| !t.trim().is_empty()) {
                return Err(format!(
                    "{op}: approved without a pg_tx_id: cancels and inquiries need the PG's TID"
                ));
            }
            if let Some(m) = a.amount {
                if m.get() != amount {
                    return Err(format!(
                        "{op}: approved amount is {}, {amount} was asked",
                        m.get()
                    ));
                }
            }
            Ok(a.clone())
        }
        other => Err(format!("{op}: expected Approved, got {}", show(other))),
    }
}

/// A refusal: `PgError::Validation` (nothing sent) or `Outcome::Declined`; never an approval.
pub(crate) fn expect_refused(sent: &Sent, why: &str) -> Verdict {
    match &sent.result {
        Err(PgError::Validation(_)) | Ok(Outcome::Declined(_)) => Ok(()),
        other => Err(format!(
            "{}: {why} must be refused (a validation error before sending, or a PG decline), got {}",
            sent.op,
            show(other)
        )),
    }
}
