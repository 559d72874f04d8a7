//! Nice answer → unified outcome. An answer that cannot be read is
//! [`PgError::MalformedResponse`] (the executor turns it into `Unknown` for money-moving
//! operations) — never a panic. Declines keep the raw code and map it through
//! [`DECLINE_RULES`](crate::protocol::DECLINE_RULES).

use paymux_core::adapter::{EncodeContext, PgRequest, WireRequest, WireResponse};
use paymux_core::error::PgError;
use paymux_core::outcome::Outcome;

use crate::not_implemented;

/// Decode the answer to `req` (whose bytes were `sent`).
pub fn decode(
    ctx: &EncodeContext<'_>,
    req: &PgRequest,
    sent: &WireRequest,
    resp: &WireResponse,
) -> Result<Outcome, PgError> {
    let _ = (ctx, sent, resp);
    Err(not_implemented(req.operation()))
}
