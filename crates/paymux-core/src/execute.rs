//! Running one operation: validate → encode → send → decode, with honest outcomes.
//!
//! [`execute`] does it all; [`prepare`] + [`execute_prepared`] split it where a caller must
//! know a request can be sent before it records anything (the gateway), without encoding twice.

use tracing::{info, warn};

use crate::adapter::{EncodeContext, PgAdapter, PgRequest, WireRequest};
use crate::error::PgError;
use crate::outcome::{Outcome, Unknown};
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
///   answer to a money-moving operation). Resolve it by inquiry or reversal.
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
            return Ok(Outcome::Unknown(Unknown { reason }));
        }
    };
    match adapter.decode(ctx, req, wire, &resp) {
        Ok(outcome) => {
            info!(adapter = desc.id, channel = %ctx.channel.key, %op, outcome = outcome.kind_str(), "pg answered");
            Ok(outcome)
        }
        Err(e) if op.moves_money() => {
            warn!(adapter = desc.id, channel = %ctx.channel.key, %op, error = %e, "undecodable answer; outcome unknown");
            Ok(Outcome::Unknown(Unknown {
                reason: e.to_string(),
            }))
        }
        Err(e) => Err(e),
    }
}
