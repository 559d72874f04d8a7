//! Running one operation: validate → encode → send → decode, with honest outcomes.
//!
//! [`execute`] does it all. A caller that must know a request can be sent before it records
//! anything (the gateway) splits it, and each step runs once:
//!
//! 1. [`check`] (or [`check_routing`], for a front end that routes the request itself): PortOne's
//!    generic rules, once per request → [`Checked`].
//! 2. [`Checked::for_channel`]: one channel's own rules ([`PgAdapter::validate`]), once per
//!    channel asked → [`Validated`]. [`validate`] is both steps at once.
//! 3. [`encode`]: the adapter's encoder, given only a [`Validated`] request (a request that
//!    was not validated cannot be encoded here, and one that was is not validated again).
//! 4. [`execute_prepared`]: send and decode.
//!
//! [`prepare`] is steps 1–3 for one channel.

use std::borrow::Cow;

use tracing::{info, warn};

use crate::adapter::{
    check_cash_receipt_capability, CashReceiptOutcome, CashReceiptRequest, EncodeContext,
    PgAdapter, PgRequest, PriorTransaction, WireRequest,
};
use crate::channel::ChannelContext;
use crate::error::PgError;
use crate::outcome::{DeclineKind, Declined, Outcome, Unknown, REVERSED_CODE};
use crate::transport::{Timeouts, Transport, TransportError};
use crate::validation::ValidationErrors;

/// A request that passed PortOne's generic rules ([`check`], [`check_routing`]): what each
/// channel's own rules are asked about next ([`Checked::for_channel`]). Only this module makes
/// one. It borrows the request, or owns it ([`check_routing`], [`Checked::with_prior`]).
#[derive(Debug, Clone)]
pub struct Checked<'r> {
    req: Cow<'r, PgRequest>,
}

/// A request that passed PortOne's generic rules and one channel's own rules: what
/// [`encode`] takes. Only [`validate`] and [`Checked::for_channel`] make one, so a request
/// that was not validated cannot be encoded, and one that was is not validated again.
#[derive(Debug, Clone)]
pub struct Validated<'r> {
    req: &'r PgRequest,
    channel: &'r ChannelContext,
    adapter: &'static str,
}

impl<'r> Checked<'r> {
    /// The request.
    pub fn request(&self) -> &PgRequest {
        &self.req
    }

    /// The channel's own rules ([`PgAdapter::validate`]) on this request: `Ok` is the request
    /// validated for `channel` (on `adapter`), ready for [`encode`].
    pub fn for_channel<'a>(
        &'a self,
        adapter: &dyn PgAdapter,
        channel: &'a ChannelContext,
    ) -> Result<Validated<'a>, PgError> {
        adapter.validate(channel, &self.req)?;
        Ok(Validated {
            req: &self.req,
            channel,
            adapter: adapter.descriptor().id,
        })
    }

    /// The same request with another [`PriorTransaction`] (a billing-key payment carries each
    /// channel's PG key there), checked too: the generic rules never read `prior`. `None` for
    /// an operation without one.
    pub fn with_prior(&self, prior: PriorTransaction) -> Option<Checked<'static>> {
        let mut req = PgRequest::clone(&self.req);
        match &mut req {
            PgRequest::PayWithBillingKey(c) => c.prior = prior,
            PgRequest::Cancel(c) => c.prior = prior,
            PgRequest::Get(c) => c.prior = prior,
            PgRequest::DeleteBillingKey(c) => c.prior = prior,
            PgRequest::CheckoutComplete(c) => c.prior = prior,
            PgRequest::CloseVirtualAccount(c) => c.prior = prior,
            PgRequest::Instant(_)
            | PgRequest::IssueBillingKey(_)
            | PgRequest::CheckoutPrepare(_) => return None,
        }
        Some(Checked {
            req: Cow::Owned(req),
        })
    }
}

impl<'r> Validated<'r> {
    /// The request.
    pub fn request(&self) -> &'r PgRequest {
        self.req
    }

    /// The key of the channel whose rules it passed.
    pub fn channel_key(&self) -> &'r str {
        &self.channel.key
    }
}

/// PortOne's generic rules ([`PgRequest::validate_generic`]): once per request.
pub fn check(req: &PgRequest) -> Result<Checked<'_>, ValidationErrors> {
    req.validate_generic()?;
    Ok(Checked {
        req: Cow::Borrowed(req),
    })
}

/// [`check`] for a front end that routes the request itself (the gateway): the body's rule
/// on `channelKey` / `channelGroupId` (exactly one of them) is checked with the others. The
/// errors are the body's, as its `validated()` reports them, or — the body passing — the
/// request's own (an empty `paymentId`). The checked request is kept.
pub fn check_routing(req: PgRequest) -> Result<Checked<'static>, ValidationErrors> {
    req.generic_errors(true).into_result()?;
    Ok(Checked {
        req: Cow::Owned(req),
    })
}

/// Validate a request with the generic PortOne rules and the adapter's own ([`check`], then
/// [`Checked::for_channel`] on `ctx`'s channel).
pub fn validate<'r>(
    adapter: &dyn PgAdapter,
    ctx: &EncodeContext<'r>,
    req: &'r PgRequest,
) -> Result<Validated<'r>, PgError> {
    req.validate_generic()?;
    adapter.validate(ctx.channel, req)?;
    Ok(Validated {
        req,
        channel: ctx.channel,
        adapter: adapter.descriptor().id,
    })
}

/// Encode a request [`validate`]d for `ctx`'s channel on `adapter` (pure; nothing is
/// validated again). The result goes to [`execute_prepared`] with the same `ctx` (clock and
/// nonce). A request validated for another channel or adapter is refused, never encoded.
pub fn encode(
    adapter: &dyn PgAdapter,
    ctx: &EncodeContext<'_>,
    validated: &Validated<'_>,
) -> Result<WireRequest, PgError> {
    if validated.channel.key != ctx.channel.key || validated.adapter != adapter.descriptor().id {
        return Err(PgError::NotSent {
            reason: format!(
                "the request was validated for channel `{}` ({}), not for `{}` ({})",
                validated.channel.key,
                validated.adapter,
                ctx.channel.key,
                adapter.descriptor().id
            ),
        });
    }
    adapter.encode(ctx, validated.req)
}

/// Validate and encode: everything [`execute`] does before sending. An `Err` means nothing can
/// be sent. The result goes to [`execute_prepared`] with the same `ctx` (clock and nonce).
pub fn prepare(
    adapter: &dyn PgAdapter,
    ctx: &EncodeContext<'_>,
    req: &PgRequest,
) -> Result<WireRequest, PgError> {
    let validated = validate(adapter, ctx, req)?;
    encode(adapter, ctx, &validated)
}

/// Run one operation through `transport`.
///
/// - `Err(_)`: nothing reached the PG (invalid, unsupported, unencodable, not sent) — or, for
///   an inquiry, the answer was malformed. Never a charge.
/// - `Ok(Outcome::Unknown)`: sent, no usable answer (timeout, dropped connection, malformed
///   answer to a money-moving operation). Where the adapter documents a reversal
///   ([`PgAdapter::reversal`]) it has been sent already: a confirmed one turns the doubt into
///   a decline ([`REVERSED_CODE`]); otherwise resolve the doubt by inquiry.
pub async fn execute(
    adapter: &dyn PgAdapter,
    transport: &dyn Transport,
    ctx: &EncodeContext<'_>,
    req: &PgRequest,
    timeouts: Timeouts,
) -> Result<Outcome, PgError> {
    let wire = prepare(adapter, ctx, req)?;
    execute_prepared(adapter, transport, ctx, req, &wire, timeouts).await
}

/// [`execute`] of a request already validated and encoded by [`prepare`] (`wire`, from this
/// `req` with this `ctx`): send, then decode, with the same outcomes as [`execute`].
///
/// A [`WireTarget::Local`](crate::adapter::WireTarget::Local) request is never given to
/// `transport`: its body is the PG's answer already, and `decode` of it is the result as is
/// (an `Unknown` stays unknown, with no reversal: nothing was sent to reverse).
pub async fn execute_prepared(
    adapter: &dyn PgAdapter,
    transport: &dyn Transport,
    ctx: &EncodeContext<'_>,
    req: &PgRequest,
    wire: &WireRequest,
    timeouts: Timeouts,
) -> Result<Outcome, PgError> {
    let desc = adapter.descriptor();
    let op = req.operation();
    if let Some(answer) = wire.local_answer() {
        // Final without a PG call: no transport, no reversal; the adapter's reading of the
        // answer it verified is the outcome (an `Err` here reached no PG either).
        let outcome = adapter.decode(ctx, req, wire, &answer);
        match &outcome {
            Ok(o) => {
                info!(adapter = desc.id, channel = %ctx.channel.key, %op, outcome = o.kind_str(), "answered locally, nothing sent")
            }
            Err(e) => {
                warn!(adapter = desc.id, channel = %ctx.channel.key, %op, error = %e, "local answer unreadable, nothing sent")
            }
        }
        return outcome;
    }
    let resp = match transport.send(wire, timeouts).await {
        Ok(r) => r,
        Err(TransportError::NotSent(reason)) | Err(TransportError::NotSendable(reason)) => {
            warn!(adapter = desc.id, channel = %ctx.channel.key, %op, %reason, "not sent");
            return Err(PgError::NotSent { reason });
        }
        Err(TransportError::SentNoAnswer(reason)) => {
            warn!(adapter = desc.id, channel = %ctx.channel.key, %op, %reason, "outcome unknown");
            if !op.moves_money() {
                return Err(PgError::MalformedResponse { detail: reason });
            }
            return Ok(settle_doubt(adapter, transport, ctx, req, wire, timeouts, reason).await);
        }
    };
    match adapter.decode(ctx, req, wire, &resp) {
        Ok(Outcome::Unknown(u)) => {
            warn!(adapter = desc.id, channel = %ctx.channel.key, %op, reason = %u.reason, "outcome unknown");
            Ok(settle_doubt(adapter, transport, ctx, req, wire, timeouts, u.reason).await)
        }
        Ok(outcome) => {
            info!(adapter = desc.id, channel = %ctx.channel.key, %op, outcome = outcome.kind_str(), "pg answered");
            Ok(outcome)
        }
        Err(e) if op.moves_money() => {
            warn!(adapter = desc.id, channel = %ctx.channel.key, %op, error = %e, "undecodable answer; outcome unknown");
            Ok(settle_doubt(adapter, transport, ctx, req, wire, timeouts, e.to_string()).await)
        }
        Err(e) => Err(e),
    }
}

/// Check and encode a standalone cash-receipt operation: declared by the adapter, the generic
/// rules, then the adapter's encoder (its own rules). An `Err` means nothing can be sent.
pub fn prepare_cash_receipt(
    adapter: &dyn PgAdapter,
    ctx: &EncodeContext<'_>,
    req: &CashReceiptRequest,
) -> Result<WireRequest, PgError> {
    check_cash_receipt_capability(adapter.descriptor(), req)?;
    req.validate_generic()?;
    adapter.encode_cash_receipt(ctx, req)
}

/// Send a cash-receipt operation [`prepare_cash_receipt`] encoded, and decode the answer.
///
/// - `Err(_)`: nothing reached the PG — or, for an inquiry, the answer was unusable.
/// - `Ok(CashReceiptOutcome::Unknown)`: an issue or cancel was sent and no usable answer came
///   back (no answer, or one that cannot be decoded): the PG may have acted. Resolve it by
///   the PG's inquiry, never by guessing. No vendor documents a reversal of a receipt.
pub async fn execute_cash_receipt_prepared(
    adapter: &dyn PgAdapter,
    transport: &dyn Transport,
    ctx: &EncodeContext<'_>,
    req: &CashReceiptRequest,
    wire: &WireRequest,
    timeouts: Timeouts,
) -> Result<CashReceiptOutcome, PgError> {
    let desc = adapter.descriptor();
    let op = req.operation();
    let unknown = |reason: String| {
        warn!(adapter = desc.id, channel = %ctx.channel.key, %op, %reason, "outcome unknown");
        CashReceiptOutcome::Unknown(Unknown { reason })
    };
    if let Some(answer) = wire.local_answer() {
        // Final without a PG call, as in `execute_prepared`.
        return adapter.decode_cash_receipt(ctx, req, wire, &answer);
    }
    let resp = match transport.send(wire, timeouts).await {
        Ok(r) => r,
        Err(TransportError::NotSent(reason)) | Err(TransportError::NotSendable(reason)) => {
            warn!(adapter = desc.id, channel = %ctx.channel.key, %op, %reason, "not sent");
            return Err(PgError::NotSent { reason });
        }
        Err(TransportError::SentNoAnswer(reason)) if op.moves_money() => {
            return Ok(unknown(reason))
        }
        Err(TransportError::SentNoAnswer(reason)) => {
            return Err(PgError::MalformedResponse { detail: reason })
        }
    };
    match adapter.decode_cash_receipt(ctx, req, wire, &resp) {
        Ok(CashReceiptOutcome::Unknown(u)) => Ok(unknown(u.reason)),
        Ok(outcome) => {
            info!(adapter = desc.id, channel = %ctx.channel.key, %op, outcome = outcome.kind_str(), "pg answered");
            Ok(outcome)
        }
        Err(e) if op.moves_money() => Ok(unknown(e.to_string())),
        Err(e) => Err(e),
    }
}

/// [`prepare_cash_receipt`] then [`execute_cash_receipt_prepared`].
pub async fn execute_cash_receipt(
    adapter: &dyn PgAdapter,
    transport: &dyn Transport,
    ctx: &EncodeContext<'_>,
    req: &CashReceiptRequest,
    timeouts: Timeouts,
) -> Result<CashReceiptOutcome, PgError> {
    let wire = prepare_cash_receipt(adapter, ctx, req)?;
    execute_cash_receipt_prepared(adapter, transport, ctx, req, &wire, timeouts).await
}

/// An operation whose outcome is in doubt (`reason`): send the adapter's reversal, if it
/// documents one. Confirmed, the operation is void — a decline nobody should retry blindly;
/// not confirmed (or none), the outcome stays unknown for an inquiry.
async fn settle_doubt(
    adapter: &dyn PgAdapter,
    transport: &dyn Transport,
    ctx: &EncodeContext<'_>,
    req: &PgRequest,
    wire: &WireRequest,
    timeouts: Timeouts,
    reason: String,
) -> Outcome {
    let desc = adapter.descriptor();
    let Some(reversal) = adapter.reversal(ctx, req, wire) else {
        return Outcome::Unknown(Unknown { reason });
    };
    warn!(adapter = desc.id, channel = %ctx.channel.key, op = %req.operation(), "outcome in doubt: sending the PG's reversal");
    let confirmed = match transport.send(&reversal, timeouts).await {
        Ok(resp) => adapter.reversal_confirmed(&resp),
        Err(e) => Err(e.to_string()),
    };
    match confirmed {
        Ok(()) => {
            info!(adapter = desc.id, channel = %ctx.channel.key, "reversal confirmed");
            let mut d = Declined::new(
                REVERSED_CODE,
                format!("outcome in doubt ({reason}); reversed by the PG's net cancel"),
                DeclineKind::Other,
            );
            d.retry_safe = false;
            Outcome::Declined(d)
        }
        Err(why) => {
            warn!(adapter = desc.id, channel = %ctx.channel.key, %why, "reversal not confirmed; outcome unknown");
            Outcome::Unknown(Unknown {
                reason: format!("{reason}; the reversal was not confirmed: {why}"),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::adapter::{
        AdapterDescriptor, Capabilities, Capability, Maturity, Method, Operation, TransportKind,
        WireResponse,
    };
    use crate::channel::ChannelContext;
    use crate::outcome::VirtualAccountIssued;
    use async_trait::async_trait;
    use std::sync::atomic::{AtomicUsize, Ordering};

    static DESC: AdapterDescriptor = AdapterDescriptor {
        id: "local",
        pg_provider: "T",
        pg_company: "KCP",
        display_name: "T",
        transport: TransportKind::Tcp,
        maturity: Maturity::Draft,
        credentials: &[],
        options: &[],
        capabilities: Capabilities {
            operations: &[Capability {
                operation: Operation::CheckoutComplete,
                methods: &[Method::VirtualAccount],
            }],
            currencies: &["KRW"],
            field_limits: &[],
            partial_cancel: false,
            max_partial_cancels: None,
        },
    };

    /// Answers `checkout.complete` locally with the returned account number; documents a
    /// reversal, which must never be sent for a local answer.
    struct Local;

    impl PgAdapter for Local {
        fn descriptor(&self) -> &'static AdapterDescriptor {
            &DESC
        }
        fn encode(&self, _: &EncodeContext<'_>, req: &PgRequest) -> Result<WireRequest, PgError> {
            let PgRequest::CheckoutComplete(c) = req else {
                unreachable!("only checkout.complete is declared")
            };
            let account = c.returned["ACCOUNT"].expose().clone();
            Ok(WireRequest::local(
                "the window",
                account.clone().into_bytes(),
                serde_json::json!({ "ACCOUNT": account }).into(),
            ))
        }
        fn decode(
            &self,
            _: &EncodeContext<'_>,
            _: &PgRequest,
            _: &WireRequest,
            resp: &WireResponse,
        ) -> Result<Outcome, PgError> {
            if resp.body.is_empty() {
                return Ok(Outcome::Unknown(Unknown {
                    reason: "no account".into(),
                }));
            }
            Ok(Outcome::VirtualAccountIssued(VirtualAccountIssued {
                pg_tx_id: None,
                bank: None,
                account_number: String::from_utf8_lossy(&resp.body).into_owned(),
                remittee_name: None,
                expires_at: None,
                issued_at: None,
                amount: None,
                pg_code: "0000".into(),
                pg_message: String::new(),
            }))
        }
        fn reversal(
            &self,
            _: &EncodeContext<'_>,
            _: &PgRequest,
            sent: &WireRequest,
        ) -> Option<WireRequest> {
            Some(sent.clone())
        }
    }

    /// Counts what it is asked to send.
    #[derive(Default)]
    struct Counting(AtomicUsize);

    #[async_trait]
    impl Transport for Counting {
        async fn send(&self, _: &WireRequest, _: Timeouts) -> Result<WireResponse, TransportError> {
            self.0.fetch_add(1, Ordering::SeqCst);
            Err(TransportError::SentNoAnswer("should not be here".into()))
        }
    }

    fn complete(account: &str) -> PgRequest {
        PgRequest::from_json(
            Operation::CheckoutComplete,
            &format!(
                r#"{{"paymentId": "p-1", "returned": {{"ACCOUNT": "{account}"}},
                    "prior": {{"method": "VIRTUAL_ACCOUNT"}}}}"#
            ),
        )
        .unwrap()
    }

    fn instant(payment_id: &str, extra: &str) -> PgRequest {
        PgRequest::from_json(
            Operation::PaymentInstant,
            &format!(
                r#"{{"paymentId": "{payment_id}", "orderName": "order", "amount": {{"total": 1000}},
                    "currency": "KRW", "method": {{"card": {{"credential": {{
                    "number": "4111111111111111", "expiryYear": "39", "expiryMonth": "06"}}}}}}{extra}}}"#
            ),
        )
        .unwrap()
    }

    #[test]
    fn a_front_end_checks_the_channel_rule_and_the_ids_after_the_body() {
        // Routing resolved the channel: the generic rules leave it out.
        let req = instant("p-1", "");
        assert!(check(&req).is_ok());
        let e = check_routing(req).unwrap_err().to_string();
        assert!(e.starts_with("channelKey: is required"), "{e}");
        let req = instant("p-1", r#", "channelKey": "k""#);
        assert_eq!(
            check_routing(req).unwrap().request().payment_id(),
            Some("p-1")
        );
        // An empty paymentId: reported alone when the body passes, after the body's errors
        // otherwise (as a front end always answered).
        let e = check_routing(instant(" ", r#", "channelKey": "k""#)).unwrap_err();
        assert_eq!(e.to_string(), "paymentId: must not be empty");
        let e = check_routing(instant(" ", "")).unwrap_err().to_string();
        assert!(!e.contains("paymentId"), "{e}");
        let e = check(&instant(" ", "")).unwrap_err().to_string();
        assert_eq!(e, "paymentId: must not be empty");
    }

    #[test]
    fn only_a_request_validated_for_the_channel_is_encoded() {
        let toml = |k: &str| format!("key = \"{k}\"\nadapter = \"local\"\nenvironment = \"test\"");
        let (l, m) = (
            ChannelContext::from_toml(&toml("l")).unwrap(),
            ChannelContext::from_toml(&toml("m")).unwrap(),
        );
        let (on_l, on_m) = (EncodeContext::now(&l), EncodeContext::now(&m));
        let req = complete("1");
        let v = validate(&Local, &on_l, &req).unwrap();
        assert_eq!(v.channel_key(), "l");
        assert!(encode(&Local, &on_l, &v).is_ok());
        let e = encode(&Local, &on_m, &v).unwrap_err();
        assert!(matches!(e, PgError::NotSent { .. }), "{e:?}");
        // Checked once, validated per channel.
        let checked = check(&req).unwrap();
        let v = checked.for_channel(&Local, &m).unwrap();
        assert_eq!(v.channel_key(), "m");
        assert!(encode(&Local, &on_m, &v).is_ok());
    }

    #[tokio::test]
    async fn a_local_answer_is_decoded_and_nothing_is_sent() {
        let ch =
            ChannelContext::from_toml("key = \"l\"\nadapter = \"local\"\nenvironment = \"test\"")
                .unwrap();
        let ctx = EncodeContext::now(&ch);
        let transport = Counting::default();
        let out = execute(
            &Local,
            &transport,
            &ctx,
            &complete("5621000001"),
            Timeouts::default(),
        )
        .await
        .unwrap();
        let Outcome::VirtualAccountIssued(va) = out else {
            panic!("{out:?}")
        };
        assert_eq!(va.account_number, "5621000001");
        // An answer the adapter cannot read stays unknown: no transport, no reversal.
        let out = execute(&Local, &transport, &ctx, &complete(""), Timeouts::default())
            .await
            .unwrap();
        assert!(matches!(out, Outcome::Unknown(_)), "{out:?}");
        assert_eq!(transport.0.load(Ordering::SeqCst), 0, "nothing was sent");
        // The network transport refuses it outright.
        let wire = Local.encode(&ctx, &complete("1")).unwrap();
        let err = crate::transport::NetTransport::new()
            .send(&wire, Timeouts::default())
            .await
            .unwrap_err();
        assert!(matches!(err, TransportError::NotSendable(_)), "{err:?}");
    }
}
