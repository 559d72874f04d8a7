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
