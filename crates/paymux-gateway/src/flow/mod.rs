//! The payment pipeline: validate, choose the channel, encode (the precheck), claim, attempt
//! (with failover), settle, record.
//!
//! [`run`] takes a [`Prepared`] payment — built by [`crate::payments`] for instant payments,
//! billing-key payments and scheduled runs — through every stage. Hosted-checkout completion
//! ([`crate::checkout::complete`]) and the reconciler ([`crate::reconciler`]) enter at the last
//! stages: [`settle()`] (what the PG's answer means) and [`record`] (the transition, its webhook
//! and its schedule, in one unit of work).
//!
//! **Never a double charge.** The payment row is claimed *before* any PG is called (see
//! [`crate::store::payments`]); of concurrent duplicate requests exactly one reaches the PG.
//! The others get `409 ALREADY_PAID` (paid) or `409 ALREADY_PAID_OR_WAITING` (in flight or
//! unresolved). A `FAILED` payment — failed for certain: declined, or never sent — may be
//! tried again with the same `paymentId` under a new `transactionId`.
//!
//! **Outcomes are honest.** Approved → `PAID`; declined → `FAILED` + `502 PG_PROVIDER`; not
//! sent → `FAILED` (safe to retry); unknown (sent, no usable answer) → `PAY_PENDING` with
//! `reconcile_at` set, answered `504 PAYMENT_OUTCOME_UNKNOWN`, and resolved only by asking the
//! PG ([`crate::reconciler`]).

pub mod record;
pub mod route;
pub mod settle;

use chrono::{DateTime, Utc};
use paymux_core::adapter::{kst, Method, PgRequest, PriorTransaction};
use paymux_core::money::AmountBreakdown;
use paymux_core::validation::FieldPath;
use serde_json::{Map, Value};

pub use record::{apply, claim, existing_error, preregistered_error, scheduled_error};
pub use route::{refused_json, Plan, Requests};
pub use settle::{not_sent_error, routing_error, settle};

use crate::channels::ChannelEntry;
use crate::domain::{MethodKind, PaymentStatus};
use crate::error::ApiError;
use crate::state::AppState;
use crate::store::payments::PaymentRow;
use crate::store::payments::{Claim, NewPayment};
use crate::util::{self, put};

/// A payment ready for the pipeline.
pub struct Prepared<'a> {
    /// Its row as the claim writes it. `extra_json`, `first_channel` and `first_channel_json`
    /// are filled by [`run`] (they depend on the precheck).
    pub payment: NewPayment,
    /// The order fields kept with it (`products`, `origin`, …); [`run`] adds `routing`.
    pub order_fields: Vec<(&'static str, Value)>,
    /// How the channel is chosen.
    pub plan: Plan<'a>,
    /// What each channel is sent, checked by PortOne's generic rules, and validated by the
    /// channels routing asked.
    pub requests: Requests<'a>,
}

/// Run a prepared payment through the pipeline at `now`. `Err` when it was refused before
/// anything was written (the precheck, or a taken `paymentId`); else the HTTP answer and the
/// payment's final status.
pub async fn run(
    st: &AppState,
    prepared: Prepared<'_>,
    now: DateTime<Utc>,
) -> Result<(Result<Value, ApiError>, PaymentStatus), ApiError> {
    let Prepared {
        payment: mut np,
        mut order_fields,
        mut plan,
        requests,
    } = prepared;
    // Encoded for the chosen channel before anything is written; what it encodes is sent.
    let prechecked = route::precheck_plan(st, &mut plan, now.with_timezone(&kst()), &requests)?;
    // The VAT recorded is the one the first channel's PG computes (an attempt elsewhere
    // records its own: see `route::attempt`).
    if let Some(a) = prechecked
        .as_ref()
        .and_then(|p| amounts_for(st, p.channel_key(), &requests))
    {
        np.amounts = a;
    }
    order_fields.push(("routing", refused_json(plan.refused())));
    np.extra_json = extra_fields(&order_fields);
    // The precheck's channel is where the first attempt goes.
    np.first_channel = prechecked.as_ref().map(|p| p.channel_key().to_string());
    np.first_channel_json = route::first_channel_json(st, prechecked.as_ref());
    let transaction_id = match claim(st, &np, now).await? {
        Claim::Claimed { transaction_id } => transaction_id,
        Claim::Existing(p) => return Err(existing_error(&p)),
        Claim::Scheduled => return Err(scheduled_error(&np.id)),
        Claim::Preregistered(pre) => return Err(preregistered_error(&pre, &np)),
    };
    Ok(route::execute_claimed(st, &np, &transaction_id, plan, &requests, now, prechecked).await)
}

/// What a payment sent to `channel_key` amounts to: the request's `amount` resolved with that
/// channel's adapter's VAT rounding ([`PgAdapter::vat_rounding`](paymux_core::adapter::PgAdapter::vat_rounding)), so a PG that truncates
/// the VAT it computes (Smartro) is recorded with the VAT it charged. `None` for an unknown
/// channel or a request without an amount.
pub fn amounts_for(
    st: &AppState,
    channel_key: &str,
    requests: &Requests<'_>,
) -> Option<AmountBreakdown> {
    amounts_on(
        st.channels.get(channel_key)?,
        requests.for_channel(channel_key)?.request(),
    )
}

/// [`amounts_for`] of one channel and its request.
pub fn amounts_on(channel: &ChannelEntry, req: &PgRequest) -> Option<AmountBreakdown> {
    let amount = match req {
        PgRequest::Instant(c) => &c.body.amount,
        PgRequest::PayWithBillingKey(c) => &c.body.amount,
        _ => return None,
    };
    amount
        .resolve_with(&FieldPath::root("amount"), channel.adapter.vat_rounding())
        .ok()
}

/// The order fields as their column stores them (null fields left out).
pub fn extra_fields(pairs: &[(&str, Value)]) -> Option<String> {
    let mut m = Map::new();
    for (k, v) in pairs {
        put(&mut m, k, v.clone());
    }
    (!m.is_empty()).then(|| Value::Object(m).to_string())
}

impl PaymentRow {
    /// The earlier transaction as adapters want it (cancel, inquiry).
    pub fn prior(&self) -> PriorTransaction {
        use paymux_core::adapter::PriorAmount;
        use paymux_core::money::Money;
        let m = |v: i64| Money::new(v).unwrap_or(Money::ZERO);
        let method = self.method().and_then(|m| match m.kind() {
            MethodKind::Card => Some(Method::Card),
            MethodKind::VirtualAccount => Some(Method::VirtualAccount),
            MethodKind::Mobile => Some(Method::Mobile),
            MethodKind::Transfer => Some(Method::Transfer),
            MethodKind::EasyPay => Some(Method::EasyPay),
            MethodKind::GiftCertificate | MethodKind::Paypal | MethodKind::ConvenienceStore => None,
        });
        PriorTransaction {
            pg_tx_id: self.pg_tx_id.clone(),
            paid_at: self
                .paid_at
                .map(|u| util::from_micros(u).with_timezone(&kst())),
            amount: Some(PriorAmount {
                total: m(self.amount_total),
                tax_free: m(self.amount_tax_free),
                cancelled: m(self.amount_cancelled),
                cancelled_tax_free: m(self.amount_cancelled_tax_free),
            }),
            cancel_count: u32::try_from(self.cancel_count).unwrap_or(0),
            pg_billing_key: None,
            method,
            order_date: self.order_date.clone(),
            currency: paymux_core::money::Currency::parse(&self.currency).ok(),
        }
    }

    /// Whether money was taken (and may be cancelled). A virtual account closed before any
    /// deposit is `CANCELLED` without ever being paid.
    pub fn is_paid(&self) -> bool {
        self.status.is_paid()
            && !(self.status == crate::domain::PaymentStatus::Cancelled && self.paid_at.is_none())
    }
}
