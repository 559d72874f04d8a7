//! Views: PortOne's response objects as serde structs, each built from a typed row.
//!
//! A view is rendered with [`render`], which goes through `serde_json::Value` so that the
//! bytes on the wire stay what they always were (object keys in sorted order).
//! A payment's method is typed ([`crate::domain::PaymentMethod`], shown by
//! [`payment_method`]); the JSON columns (its channel, its group, its customer, its order
//! fields) are read back into the types that wrote them. Every view derives
//! `utoipa::ToSchema`: the OpenAPI document's schemas are these types.

pub mod answers;
pub mod bank;
pub mod billing_key;
pub mod cancellation;
pub mod cash_receipt;
pub mod checkout;
pub mod list;
pub mod party;
pub mod payment;
pub mod payment_method;
pub mod payment_webhook;
pub mod schedule;
pub mod virtual_account;
pub mod webhook;

use serde::Serialize;
use serde_json::Value;

use crate::util;

/// Render a view as the JSON value the gateway answers with.
pub fn render<T: Serialize>(view: &T) -> Value {
    serde_json::to_value(view).unwrap_or(Value::Null)
}

/// PortOne `Customer` of a request as JSON (stored with a payment or a billing key).
pub fn customer_json(c: Option<&paymux_core::model::CustomerInput>) -> Value {
    render(&party::Customer::of(c))
}

/// Stored microseconds as PortOne writes times (RFC 3339, milliseconds, UTC).
fn time(us: i64) -> String {
    util::rfc3339(util::from_micros(us))
}

/// A stored JSON column, `None` when absent or unreadable.
fn json_column(text: Option<&str>) -> Option<Value> {
    Some(util::parse_json(text)).filter(|v| !v.is_null())
}

/// A stored JSON column read as its type, `None` when absent or unreadable (the columns read
/// so are written from the same type).
fn stored<T: serde::de::DeserializeOwned>(text: Option<&str>) -> Option<T> {
    serde_json::from_str(text?).ok()
}

/// `{}`: what PortOne shows for an object it has nothing to say about.
#[derive(Debug, Clone, Copy, Default, Serialize, utoipa::ToSchema)]
pub struct Empty {}
