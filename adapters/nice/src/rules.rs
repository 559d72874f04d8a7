//! Nice's own rules, on top of PortOne's generic ones. Every broken rule names the
//! unified field path (`orderName`, `customer.id`, `bypass.nice.FIELD`) and never the value.
//! Length limits are declared in [`DESCRIPTOR`](crate::DESCRIPTOR)'s `field_limits` and
//! checked with core's `AdapterDescriptor::check_field`, counted in the declared unit (EUC-KR
//! bytes: a Hangul syllable is 2). Cancel plans and other resolutions that validation and the
//! encoder both need live here too, so `rules` never imports `encode`.

use paymux_core::adapter::{check_capabilities, PgRequest};
use paymux_core::channel::ChannelContext;
use paymux_core::error::PgError;
use paymux_core::validation::ValidationErrors;

use crate::channel::NiceChannel;
use crate::DESCRIPTOR;

/// Check a request: declared capabilities first, then the channel, then the PG's rules.
pub fn validate(ctx: &ChannelContext, req: &PgRequest) -> Result<(), PgError> {
    check_capabilities(&DESCRIPTOR, req)?;
    NiceChannel::from_context(ctx)?;
    let mut errs = ValidationErrors::default();
    if let PgRequest::Instant(c) = req {
        within_limit("orderName", &c.body.order_name, &mut errs);
        within_limit("paymentId", &c.payment_id, &mut errs);
    }
    errs.into_result().map_err(PgError::Validation)
}

/// Check `value` against the descriptor's limit on `path`, if one is declared: core's one
/// field checker (representable in the declared charset, not longer than declared; the error
/// names `path`, never the value).
pub fn within_limit(path: &str, value: &str, errs: &mut ValidationErrors) {
    DESCRIPTOR.check_field(path, path, value, None, errs);
}
