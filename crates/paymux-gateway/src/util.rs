//! Small helpers: time representation, ids, JSON columns.

use chrono::{DateTime, FixedOffset, SecondsFormat, TimeZone, Utc};
use serde_json::{Map, Value};

/// Now, UTC.
pub fn now() -> DateTime<Utc> {
    Utc::now()
}

/// Stored time: microseconds since the Unix epoch.
pub fn micros(t: DateTime<Utc>) -> i64 {
    t.timestamp_micros()
}

/// From stored microseconds.
pub fn from_micros(us: i64) -> DateTime<Utc> {
    Utc.timestamp_micros(us).single().unwrap_or_default()
}

/// RFC 3339 with milliseconds, UTC (`2024-04-25T10:00:00.000Z`), as PortOne writes times.
pub fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// Stored microseconds as RFC 3339 JSON (or `null`).
pub fn time_json(us: Option<i64>) -> Value {
    us.map(|u| Value::String(rfc3339(from_micros(u))))
        .unwrap_or(Value::Null)
}

/// `YYYYMMDDHHMMSS` in KST: the order date PGs key transactions by.
pub fn order_date(now_kst: DateTime<FixedOffset>) -> String {
    now_kst.format("%Y%m%d%H%M%S").to_string()
}

/// A new id for a row written with every payment (transaction ids, webhook messages, wire
/// views, routing events, attempts): a UUID v7, whose leading timestamp keeps each table's
/// inserts at the end of its index. A random v4 put every row on a random index page, and
/// SQLite writes each page a commit touches whole: 4× the bytes written per payment
/// (docs/BENCHMARKS.md §5e).
pub fn row_uuid() -> uuid::Uuid {
    uuid::Uuid::now_v7()
}

/// A fresh id with a prefix: `prefix-<uuid>`.
pub fn new_id(prefix: &str) -> String {
    format!("{prefix}-{}", uuid::Uuid::new_v4().hyphenated())
}

/// Parse a stored JSON column (invalid or absent → `null`).
pub fn parse_json(s: Option<&str>) -> Value {
    s.and_then(|s| serde_json::from_str(s).ok())
        .unwrap_or(Value::Null)
}

/// Serialize for a JSON column.
pub fn to_json_text<T: serde::Serialize>(v: &T) -> Option<String> {
    serde_json::to_string(v).ok()
}

/// Insert `key: value` into a JSON object when `value` is not null.
pub fn put(m: &mut Map<String, Value>, key: &str, value: Value) {
    if !value.is_null() {
        m.insert(key.to_string(), value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_round_trip() {
        let t = Utc.with_ymd_and_hms(2024, 4, 25, 10, 0, 0).unwrap();
        assert_eq!(from_micros(micros(t)), t);
        assert_eq!(rfc3339(t), "2024-04-25T10:00:00.000Z");
        let kst = t.with_timezone(&paymux_core::adapter::kst());
        assert_eq!(order_date(kst), "20240425190000");
    }
}
