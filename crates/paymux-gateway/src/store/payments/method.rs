//! The `method_json` column: a payment's [`PaymentMethod`] as JSON text (keys sorted, as the
//! column always held them), and a transition's [`MethodUpdate`] merged into it.

use crate::domain::{MethodUpdate, PaymentMethod};

/// A method as its column stores it.
pub fn method_text(m: &PaymentMethod) -> Option<String> {
    // Through a `Value`: its object keys are sorted, the order the column always had.
    serde_json::to_value(m).ok().map(|v| v.to_string())
}

/// A stored method (`None` when absent or unreadable).
pub fn parse_method(text: Option<&str>) -> Option<PaymentMethod> {
    serde_json::from_str(text?).ok()
}

/// The stored method `base` with `update` merged into it; `None` when there is nothing to
/// merge (the column keeps what it holds).
pub(super) fn merged_method(
    base: Option<&PaymentMethod>,
    update: Option<&MethodUpdate>,
) -> Option<PaymentMethod> {
    let update = update.filter(|u| !u.is_empty())?;
    let mut m = base?.clone();
    m.merge(update);
    Some(m)
}
