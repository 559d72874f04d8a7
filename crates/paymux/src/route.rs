//! `paymux route --group FILE --request FILE`: which channel of a group a request would take,
//! and why, offline. The same decision a payment makes (rule-aware weighted selection), laid
//! out by [`paymux_routing::explain`]; nothing is sent.

use std::path::Path;

use paymux_core::adapter::{Operation, PgAdapter, PgRequest};
use paymux_core::channel::ChannelContext;
use paymux_core::registry;
use paymux_routing::{explain, Explanation, GroupUpdate, MapDirectory};

/// The channels a group's keys are looked up in: the server config's `[[channels]]` when
/// given, else every linked adapter's sandbox test channel (`<adapter>-test`).
fn channels(config: Option<&Path>) -> Result<Vec<ChannelContext>, String> {
    match config {
        Some(p) => {
            let text = std::fs::read_to_string(p).map_err(|e| format!("{}: {e}", p.display()))?;
            let cfg = paymux_gateway::FileConfig::from_toml(&text)
                .map_err(|e| format!("{}: {e}", p.display()))?;
            Ok(cfg.channels)
        }
        None => registry::adapters()
            .iter()
            .map(|reg| {
                crate::cli::test_channel(reg)
                    .map_err(|e| format!("{e}: name the channels with --config FILE"))
            })
            .collect(),
    }
}

/// Explain how `group` (admin-API JSON) routes `request` (the PortOne body plus `paymentId`,
/// as for `paymux wire`) for `operation`.
pub fn route(
    group: &Path,
    request: &Path,
    operation: &str,
    config: Option<&Path>,
) -> Result<Explanation, String> {
    let op = match Operation::parse(operation) {
        Some(op @ (Operation::PaymentInstant | Operation::CheckoutPrepare)) => op,
        _ => {
            return Err(format!(
                "--operation: `{operation}` cannot be explained offline; one of payment.instant, \
                 checkout.prepare (billing-key payments depend on the key's channels, which \
                 only the gateway knows)"
            ))
        }
    };
    let read = |p: &Path| std::fs::read_to_string(p).map_err(|e| format!("{}: {e}", p.display()));
    let group = GroupUpdate::from_json_str(&read(group)?)
        .map_err(|e| format!("{}: {e}", group.display()))?
        .group;
    let req = PgRequest::from_json(op, &read(request)?)
        .map_err(|e| format!("{}: {e}", request.display()))?;
    let payment_id = req
        .payment_id()
        .ok_or_else(|| format!("{}: paymentId: is required", request.display()))?
        .to_string();
    let channels = channels(config)?;
    let mut dir = MapDirectory::new();
    let mut adapters: Vec<(String, std::sync::Arc<dyn PgAdapter>, &ChannelContext)> = Vec::new();
    for c in &channels {
        let reg = registry::find(&c.adapter)
            .ok_or_else(|| format!("channel `{}`: adapter `{}` is not linked", c.key, c.adapter))?;
        dir.insert(c.key.clone(), c.environment, reg.descriptor);
        adapters.push((c.key.clone(), (reg.adapter)(), c));
    }
    // A payment window is routed on `checkout.complete` (it must be able to finish it).
    let (route_op, method) = match op {
        Operation::CheckoutPrepare => (Operation::CheckoutComplete, req.method()),
        other => (other, req.method()),
    };
    Ok(explain(
        &group,
        &payment_id,
        route_op,
        method,
        &dir,
        None,
        |key| {
            let (_, adapter, ctx) = adapters
                .iter()
                .find(|(k, _, _)| k == key)
                .ok_or_else(|| format!("channel `{key}` is not configured"))?;
            adapter.validate(ctx, &req).map_err(|e| match e {
                paymux_core::error::PgError::Validation(v) => v.to_string(),
                e => e.to_string(),
            })
        },
    ))
}
