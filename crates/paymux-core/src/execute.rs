//! Running one operation: validate → encode → send → decode, with honest outcomes.
//!
//! [`execute`] does it all; [`prepare`] + [`execute_prepared`] split it where a caller must
//! know a request can be sent before it records anything (the gateway), without encoding twice.

use tracing::{info, warn};

use crate::adapter::{
    check_cash_receipt_capability, CashReceiptOutcome, CashReceiptRequest, EncodeContext,
    PgAdapter, PgRequest, WireRequest,
};
use crate::error::PgError;
use crate::outcome::{DeclineKind, Declined, Outcome, Unknown, REVERSED_CODE};
use crate::transport::{Timeouts, Transport, TransportError};

/// Validate a request with the generic PortOne rules and the adapter's own.
pub fn validate(
    adapter: &dyn PgAdapter,
    ctx: &EncodeContext<'_>,
    req: &PgRequest,
) -> Result<(), PgError> {
    req.validate_generic()?;
    adapter.validate(ctx.channel, req)
}

/// Validate and encode: everything [`execute`] does before sending. An `Err` means nothing can
/// be sent. The result goes to [`execute_prepared`] with the same `ctx` (clock and nonce).
pub fn prepare(
    adapter: &dyn PgAdapter,
    ctx: &EncodeContext<'_>,
    req: &PgRequest,
) -> Result<WireRequest, PgError> {
    validate(adapter, ctx, req)?;
    adapter.encode(ctx, req)
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
