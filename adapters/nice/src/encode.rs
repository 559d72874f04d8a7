//! Unified request → Nice wire structs → exact bytes, per operation. Pure: the clock
//! and randomness come from [`EncodeContext`].

use paymux_core::adapter::{EncodeContext, PgRequest, WireRequest};
use paymux_core::error::PgError;

use crate::not_implemented;

/// Encode any operation.
pub fn encode(ctx: &EncodeContext<'_>, req: &PgRequest) -> Result<WireRequest, PgError> {
    let _ = ctx;
    // TODO: build the `frame` structs from the request and return their exact bytes, e.g.
    // PgRequest::Instant(c) => approval(ctx, c),
    // with the masked view built only when someone reads it:
    // Ok(WireRequest { target, body, view: WireView::lazy(move || request.view()), read_timeout: None })
    Err(not_implemented(req.operation()))
}
