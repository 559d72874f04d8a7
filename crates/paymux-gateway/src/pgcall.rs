//! The PG call as `tower` layers: what wraps every call to a PG, from outside in —
//!
//! 1. [`TraceLayer`]: a `pg_call` tracing span (channel, adapter, operation) around the call.
//! 2. [`HealthLayer`]: reports the result to the channel's health (routed payment attempts
//!    only, as routing always did), shared through the database on PostgreSQL
//!    ([`crate::health`]).
//! 3. [`MetricsLayer`]: `paymux_pg_calls_total` and `paymux_pg_call_duration_seconds`.
//! 4. [`TimeoutLayer`]: **the one place that decides the timeouts** of a call: the configured
//!    connect timeout, and the configured read timeout — or the adapter's recommended one
//!    ([`WireRequest::read_timeout`]) unless `[pg] read_timeout_ms` is set. The transport
//!    enforces what it is given (`NetTransport::caller_read_wins(true)`).
//! 5. [`SendService`]: sends the encoded request and decodes the answer
//!    ([`execute::execute_prepared`]): honest outcomes, unchanged. A request answered already
//!    ([`WireTarget::Local`](paymux_core::adapter::WireTarget::Local), a window's final
//!    return) goes through the same stack but reaches no transport, and layers 2–3 skip it.
//!
//! An adapter never sees any of this (the design brief's "tower" lesson). The stack is built
//! per call from borrowed parts ([`crate::state::AppState::send`]): building it allocates
//! nothing; each layer boxes its future (docs/BENCHMARKS.md measures the cost).

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use chrono::{DateTime, FixedOffset};
use paymux_core::adapter::{EncodeContext, PgRequest, WireRequest};
use paymux_core::error::PgError;
use paymux_core::execute;
use paymux_core::outcome::Outcome;
use paymux_core::transport::{Timeouts, Transport};
use tower::{Layer, Service};
use tracing::Instrument;

use crate::channels::ChannelEntry;
use crate::metrics::Metrics;

/// One call to a PG, as it goes through the layers.
pub struct PgCall<'a> {
    /// The channel.
    pub channel: &'a ChannelEntry,
    /// The request.
    pub req: &'a PgRequest,
    /// The clock and nonce it was encoded with.
    pub now: DateTime<FixedOffset>,
    /// Its nonce.
    pub nonce: [u8; 16],
    /// The encoded request, or why it cannot be sent (then nothing is sent, and the error is
    /// the call's result).
    pub wire: Result<WireRequest, PgError>,
    /// Report the result to the channel's health (routed payment attempts).
    pub record_health: bool,
    /// Set by [`TimeoutLayer`].
    pub timeouts: Timeouts,
}

/// A call's result and how long the PG took (zero when nothing was sent).
#[derive(Debug)]
pub struct PgAnswer {
    /// What the PG answered, honestly classified.
    pub result: Result<Outcome, PgError>,
    /// Send to decoded answer.
    pub took: Duration,
    /// The masked view of what was sent, when a request was encoded (set by
    /// [`crate::state::AppState::pg_call`]; a cheap handle, built only when read).
    pub sent_view: Option<paymux_core::adapter::WireView>,
}

/// The future every layer's service returns (boxed: one allocation per layer and call, and
/// futures whose `Send` the compiler can see through the layers' lifetimes).
pub type BoxFut<'a> =
    Pin<Box<dyn Future<Output = Result<PgAnswer, std::convert::Infallible>> + Send + 'a>>;

/// Sends an encoded call through a transport and decodes the answer.
#[derive(Clone, Copy)]
pub struct SendService<'t> {
    /// Moves the bytes.
    pub transport: &'t dyn Transport,
}

impl<'a, 't: 'a> Service<PgCall<'a>> for SendService<'t> {
    type Response = PgAnswer;
    type Error = std::convert::Infallible;
    type Future = BoxFut<'a>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, call: PgCall<'a>) -> Self::Future {
        let transport = self.transport;
        Box::pin(async move {
            let wire = match call.wire {
                Ok(w) => w,
                Err(e) => {
                    return Ok(PgAnswer {
                        result: Err(e),
                        took: Duration::ZERO,
                        sent_view: None,
                    })
                }
            };
            let ctx = EncodeContext {
                channel: &call.channel.ctx,
                now: call.now,
                nonce: call.nonce,
            };
            let start = Instant::now();
            let result = execute::execute_prepared(
                call.channel.adapter.as_ref(),
                transport,
                &ctx,
                call.req,
                &wire,
                call.timeouts,
            )
            .await;
            Ok(PgAnswer {
                result,
                took: start.elapsed(),
                sent_view: None,
            })
        })
    }
}

/// Decides a call's timeouts (see the module docs).
#[derive(Clone, Copy, Debug)]
pub struct TimeoutLayer {
    /// Connect timeout.
    pub connect: Duration,
    /// The configured read timeout.
    pub read: Duration,
    /// Whether it beats an adapter's recommendation (`[pg] read_timeout_ms` was set).
    pub read_overrides_adapter: bool,
}

impl TimeoutLayer {
    /// The timeouts of a call sending `wire`.
    pub fn timeouts_for(&self, wire: Option<&WireRequest>) -> Timeouts {
        let read = match wire.and_then(|w| w.read_timeout) {
            Some(recommended) if !self.read_overrides_adapter => recommended,
            _ => self.read,
        };
        Timeouts {
            connect: self.connect,
            read,
        }
    }
}

impl<S> Layer<S> for TimeoutLayer {
    type Service = TimeoutService<S>;
    fn layer(&self, inner: S) -> Self::Service {
        TimeoutService {
            layer: *self,
            inner,
        }
    }
}

/// [`TimeoutLayer`]'s service.
#[derive(Clone)]
pub struct TimeoutService<S> {
    layer: TimeoutLayer,
    inner: S,
}

impl<'a, S> Service<PgCall<'a>> for TimeoutService<S>
where
    S: Service<PgCall<'a>, Response = PgAnswer, Error = std::convert::Infallible>,
{
    type Response = PgAnswer;
    type Error = std::convert::Infallible;
    type Future = S::Future;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut call: PgCall<'a>) -> Self::Future {
        call.timeouts = self.layer.timeouts_for(call.wire.as_ref().ok());
        self.inner.call(call)
    }
}

/// Counts and times PG calls ([`Metrics::pg_call`]); calls that could not be encoded, and
/// answers already at hand ([`WireTarget::Local`](paymux_core::adapter::WireTarget::Local)),
/// are not PG calls and are not counted. `None`: metrics off.
#[derive(Clone, Copy)]
pub struct MetricsLayer<'m> {
    /// Where to count.
    pub metrics: Option<&'m Metrics>,
}

impl<'m, S> Layer<S> for MetricsLayer<'m> {
    type Service = MetricsService<'m, S>;
    fn layer(&self, inner: S) -> Self::Service {
        MetricsService {
            metrics: self.metrics,
            inner,
        }
    }
}

/// [`MetricsLayer`]'s service.
#[derive(Clone)]
pub struct MetricsService<'m, S> {
    metrics: Option<&'m Metrics>,
    inner: S,
}

impl<'a, 'm: 'a, S> Service<PgCall<'a>> for MetricsService<'m, S>
where
    S: Service<
        PgCall<'a>,
        Response = PgAnswer,
        Error = std::convert::Infallible,
        Future = BoxFut<'a>,
    >,
{
    type Response = PgAnswer;
    type Error = std::convert::Infallible;
    type Future = BoxFut<'a>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, call: PgCall<'a>) -> Self::Future {
        let metrics = self.metrics.filter(|_| is_pg_call(&call));
        let labels = metrics.map(|_| {
            (
                call.channel.ctx.key.as_str(),
                call.channel.adapter.descriptor().id,
                call.req.operation().as_str(),
            )
        });
        let fut = self.inner.call(call);
        Box::pin(async move {
            let answer = fut.await?;
            if let (Some(m), Some((channel, adapter, op))) = (metrics, labels) {
                m.pg_call(
                    channel,
                    adapter,
                    op,
                    outcome_label(&answer.result),
                    answer.took,
                );
            }
            Ok(answer)
        })
    }
}

/// Whether `call` reaches a PG: encoded, and not answered locally (a window's final return).
pub fn is_pg_call(call: &PgCall<'_>) -> bool {
    call.wire.as_ref().is_ok_and(|w| !w.is_local())
}

/// The `outcome` label of a result: the outcome's kind, `not_sent`, or `error`.
pub fn outcome_label(result: &Result<Outcome, PgError>) -> &'static str {
    match result {
        Ok(o) => o.kind_str(),
        Err(e) if e.is_certainly_not_sent() => "not_sent",
        Err(_) => "error",
    }
}

/// Reports routed attempts' results to channel health (see [`crate::health`]).
#[derive(Clone, Copy)]
pub struct HealthLayer<'h> {
    /// Where health is kept.
    pub health: crate::health::SharedHealth<'h>,
}

impl<'h, S> Layer<S> for HealthLayer<'h> {
    type Service = HealthService<'h, S>;
    fn layer(&self, inner: S) -> Self::Service {
        HealthService {
            health: self.health,
            inner,
        }
    }
}

/// [`HealthLayer`]'s service.
#[derive(Clone)]
pub struct HealthService<'h, S> {
    health: crate::health::SharedHealth<'h>,
    inner: S,
}

impl<'a, 'h: 'a, S> Service<PgCall<'a>> for HealthService<'h, S>
where
    S: Service<
        PgCall<'a>,
        Response = PgAnswer,
        Error = std::convert::Infallible,
        Future = BoxFut<'a>,
    >,
{
    type Response = PgAnswer;
    type Error = std::convert::Infallible;
    type Future = BoxFut<'a>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, call: PgCall<'a>) -> Self::Future {
        // A local answer says nothing about the PG's health.
        let record =
            (call.record_health && is_pg_call(&call)).then_some(call.channel.ctx.key.as_str());
        let health = self.health;
        let fut = self.inner.call(call);
        Box::pin(async move {
            let answer = fut.await?;
            if let Some(key) = record {
                health.record(key, &answer.result).await;
            }
            Ok(answer)
        })
    }
}

/// Wraps the call in a `pg_call` span.
#[derive(Clone, Copy, Debug, Default)]
pub struct TraceLayer;

impl<S> Layer<S> for TraceLayer {
    type Service = TraceService<S>;
    fn layer(&self, inner: S) -> Self::Service {
        TraceService { inner }
    }
}

/// [`TraceLayer`]'s service.
#[derive(Clone)]
pub struct TraceService<S> {
    inner: S,
}

impl<'a, S> Service<PgCall<'a>> for TraceService<S>
where
    S: Service<
        PgCall<'a>,
        Response = PgAnswer,
        Error = std::convert::Infallible,
        Future = BoxFut<'a>,
    >,
{
    type Response = PgAnswer;
    type Error = std::convert::Infallible;
    type Future = BoxFut<'a>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, call: PgCall<'a>) -> Self::Future {
        let span = tracing::info_span!(
            "pg_call",
            channel = %call.channel.ctx.key,
            adapter = call.channel.adapter.descriptor().id,
            op = %call.req.operation(),
        );
        Box::pin(self.inner.call(call).instrument(span))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_configured_read_timeout_wins_only_when_set() {
        let mut wire = WireRequest {
            target: paymux_core::adapter::WireTarget::Browser {
                url: "http://127.0.0.1:1/x".into(),
                accept_charset: "UTF-8",
                open: paymux_core::adapter::WindowOpen::PostForm,
                shown_amount: None,
            },
            body: Vec::new(),
            view: serde_json::Value::Null.into(),
            read_timeout: None,
        };
        wire.read_timeout = Some(Duration::from_secs(5));
        let layer = |overrides| TimeoutLayer {
            connect: Duration::from_secs(2),
            read: Duration::from_secs(20),
            read_overrides_adapter: overrides,
        };
        assert_eq!(
            layer(false).timeouts_for(Some(&wire)).read,
            Duration::from_secs(5)
        );
        assert_eq!(
            layer(true).timeouts_for(Some(&wire)).read,
            Duration::from_secs(20)
        );
        wire.read_timeout = None;
        assert_eq!(
            layer(false).timeouts_for(Some(&wire)).read,
            Duration::from_secs(20)
        );
        assert_eq!(
            layer(false).timeouts_for(None).connect,
            Duration::from_secs(2)
        );
    }
}
