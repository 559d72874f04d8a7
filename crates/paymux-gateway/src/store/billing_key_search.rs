//! Searching the `billing_keys` table for `GET /billing-keys` (PortOne `getBillingKeyInfos`).
//!
//! Customer and card fields are matched inside the stored JSON: the customer is stored as
//! PortOne's `Customer` object and the method as the masked `PaymentMethod`, so a pattern of
//! the exact key and the JSON-escaped value (`"email":"a@b.c"`) matches that field only — a
//! value's own quotes are escaped in the JSON and cannot form a key.

use super::db::Db;
use super::list_query::{self, PageStatements, Sort, Where};
use crate::domain::PlatformType;

/// Which time a range or sort looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyTime {
    /// Requested at.
    Requested,
    /// Issued at.
    Issued,
    /// Deleted at.
    Deleted,
    /// When it took its current status (deleted, else issued).
    Status,
}

impl KeyTime {
    fn expr(self) -> &'static str {
        match self {
            KeyTime::Requested => "requested_at",
            KeyTime::Issued => "issued_at",
            KeyTime::Deleted => "deleted_at",
            KeyTime::Status => "COALESCE(deleted_at, issued_at)",
        }
    }
}

/// One text search term.
#[derive(Debug, Clone)]
pub enum KeyText {
    /// The billing key, exactly.
    BillingKey(String),
    /// The customer's name, exactly.
    CustomerName(String),
    /// The customer's email, exactly.
    CustomerEmail(String),
    /// The customer's phone number, exactly.
    CustomerPhone(String),
    /// The card number's last four digits.
    CardLast4(String),
}

/// What `GET /billing-keys` asks for.
#[derive(Debug, Clone)]
pub struct KeyFilter {
    /// Only this store.
    pub store_id: Option<String>,
    /// The time `from`/`until` apply to.
    pub range_on: KeyTime,
    /// From (µs, inclusive).
    pub from: Option<i64>,
    /// Until (µs, exclusive).
    pub until: Option<i64>,
    /// `ISSUED` / `DELETED` (empty: both).
    pub statuses: Vec<String>,
    /// Issued through one of these channel groups.
    pub channel_group_ids: Vec<String>,
    /// The customer's id, exactly.
    pub customer_id: Option<String>,
    /// Issued on one of these channels (`None`: any; `Some(empty)`: none): `pgProviders`.
    pub channel_keys: Option<Vec<String>>,
    /// And issued on one of these (the same rule): `pgCompanies`.
    pub company_channel_keys: Option<Vec<String>>,
    /// Issued from there.
    pub platform_type: Option<PlatformType>,
    /// The text search term.
    pub text: Option<KeyText>,
    /// Sort by.
    pub sort: KeyTime,
    /// Newest first.
    pub descending: bool,
    /// Match nothing.
    pub nothing: bool,
}

/// `%"key":"value"%` for a `LIKE … ESCAPE '\'`: the field `key` equal to `value`.
fn json_field_pattern(key: &str, value: &str, suffix_only: bool) -> String {
    let quoted = serde_json::to_string(value).unwrap_or_default();
    let inner = &quoted[1..quoted.len().saturating_sub(1).max(1)];
    let mut out = format!("%\"{key}\":\"");
    if suffix_only {
        out.push('%');
    }
    for c in inner.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push_str("\"%");
    out
}

/// The statements of a page of billing keys matching `f` (their ids).
pub(crate) fn page_statements(f: &KeyFilter, limit: i64, offset: i64) -> PageStatements {
    let mut w = Where::default();
    w.push("status IN ('ISSUED', 'DELETED')");
    if f.nothing {
        w.push("1 = 0");
    }
    if let Some(s) = &f.store_id {
        w.eq("store_id", s.as_str());
    }
    w.range(f.range_on.expr(), f.from, f.until);
    if !f.statuses.is_empty() {
        w.any_of("status", &f.statuses);
    }
    if !f.channel_group_ids.is_empty() {
        w.any_of("channel_group_id", &f.channel_group_ids);
    }
    let like = |w: &mut Where, col: &str, pattern: String| {
        let p = w.arg(pattern);
        w.push(format!("{col} LIKE {p} ESCAPE '\\'"));
    };
    if let Some(id) = &f.customer_id {
        like(&mut w, "customer_json", json_field_pattern("id", id, false));
    }
    w.issued_on(f.channel_keys.as_deref());
    w.issued_on(f.company_channel_keys.as_deref());
    if let Some(p) = f.platform_type {
        w.eq("platform_type", p.as_str());
    }
    match &f.text {
        Some(KeyText::BillingKey(v)) => w.eq("billing_key", v.as_str()),
        Some(KeyText::CustomerName(v)) => {
            like(
                &mut w,
                "customer_json",
                json_field_pattern("name", v, false),
            );
        }
        Some(KeyText::CustomerEmail(v)) => {
            like(
                &mut w,
                "customer_json",
                json_field_pattern("email", v, false),
            );
        }
        Some(KeyText::CustomerPhone(v)) => {
            let pattern = json_field_pattern("phoneNumber", v, false);
            like(&mut w, "customer_json", pattern);
        }
        Some(KeyText::CardLast4(v)) => {
            like(&mut w, "method_json", json_field_pattern("number", v, true));
        }
        None => {}
    }
    let sort = Sort {
        column: f.sort.expr(),
        tiebreak: "billing_key",
        descending: f.descending,
    };
    list_query::page_statements("billing_keys", "billing_key", w, sort, limit, offset)
}

/// One page of billing keys matching `f` (their ids, in order), and how many match in all.
pub async fn search(
    db: &Db,
    f: &KeyFilter,
    limit: i64,
    offset: i64,
) -> Result<(Vec<String>, i64), sqlx::Error> {
    let (rows, total) = list_query::run(db, page_statements(f, limit, offset)).await?;
    let keys = rows
        .iter()
        .map(|r| r.req_text("billing_key"))
        .collect::<Result<_, _>>()?;
    Ok((keys, total))
}

#[cfg(test)]
mod tests {
    use super::json_field_pattern;

    #[test]
    fn field_patterns_escape_json_and_like() {
        assert_eq!(
            json_field_pattern("id", "cust-1", false),
            "%\"id\":\"cust-1\"%"
        );
        assert_eq!(
            json_field_pattern("name", "a\"b%_", false),
            "%\"name\":\"a\\\\\"b\\%\\_\"%"
        );
        assert_eq!(
            json_field_pattern("number", "1234", true),
            "%\"number\":\"%1234\"%"
        );
    }
}
