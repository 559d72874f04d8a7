//! A transition's [`MethodUpdate`] merged into the payment's stored PortOne `PaymentMethod`.

use serde_json::{json, Map, Value};

use crate::domain::MethodUpdate;
use crate::util::{self, put};

/// The stored method `base` with `update` merged into it, as the column stores it; `None`
/// when there is nothing to merge (the column keeps what it holds).
pub(super) fn merged_method(base: Option<&str>, update: Option<&MethodUpdate>) -> Option<String> {
    let patch = method_patch(update?)?;
    let mut base = util::parse_json(base);
    merge(&mut base, &patch);
    util::to_json_text(&base)
}

/// The JSON merged into a payment's stored PortOne `PaymentMethod` for a method update.
fn method_patch(u: &MethodUpdate) -> Option<Value> {
    let mut patch = Map::new();
    if let Some(n) = &u.approval_number {
        patch.insert("approvalNumber".into(), json!(n));
    }
    let mut card = Map::new();
    put(&mut card, "issuer", json!(u.card_issuer));
    put(&mut card, "publisher", json!(u.card_publisher));
    put(&mut card, "name", json!(u.card_name));
    put(&mut card, "number", json!(u.card_number));
    put(&mut card, "bin", json!(u.card_bin));
    if !card.is_empty() {
        patch.insert("card".into(), Value::Object(card));
    }
    if let Some(m) = u.installment_month {
        patch.insert(
            "installment".into(),
            json!({"month": m, "isInterestFree": false}),
        );
    }
    if let Some(v) = &u.virtual_account {
        patch.insert("accountNumber".into(), json!(v.account_number));
        put(&mut patch, "bank", json!(v.bank));
        put(&mut patch, "remitteeName", json!(v.remittee_name));
        put(
            &mut patch,
            "expiredAt",
            json!(v.expires_at.map(util::rfc3339)),
        );
        patch.insert("issuedAt".into(), json!(util::rfc3339(v.issued_at)));
    }
    (!patch.is_empty()).then_some(Value::Object(patch))
}

fn merge(base: &mut Value, patch: &Value) {
    match (base, patch) {
        (Value::Object(b), Value::Object(p)) => {
            for (k, v) in p {
                merge(b.entry(k.clone()).or_insert(Value::Null), v);
            }
        }
        (b, p) => *b = p.clone(),
    }
}
