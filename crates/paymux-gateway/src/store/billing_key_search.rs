//! Searching the `billing_keys` table for `GET /billing-keys` (PortOne `getBillingKeyInfos`).
//!
//! Customer and card fields are matched inside the stored JSON: the customer is stored as
//! PortOne's `Customer` object and the method as the masked `PaymentMethod`, so a pattern of
//! the exact key and the JSON-escaped value (`"email":"a@b.c"`) matches that field only — a
//! value's own quotes are escaped in the JSON and cannot form a key.

use super::db::{Arg, Db};

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
    /// Issued on one of these channels (`None`: any; `Some(empty)`: none).
    pub channel_keys: Option<Vec<String>>,
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

/// One page of billing keys matching `f` (their ids, in order), and how many match in all.
pub async fn search(
    db: &Db,
    f: &KeyFilter,
    limit: i64,
    offset: i64,
) -> Result<(Vec<String>, i64), sqlx::Error> {
    let mut clauses: Vec<String> = vec!["status IN ('ISSUED', 'DELETED')".into()];
    let mut args: Vec<Arg> = Vec::new();
    let arg = |args: &mut Vec<Arg>, a: Arg| {
        args.push(a);
        format!("${}", args.len())
    };
    let list = |args: &mut Vec<Arg>, vs: &[String]| -> String {
        vs.iter()
            .map(|v| arg(args, v.as_str().into()))
            .collect::<Vec<_>>()
            .join(", ")
    };
    if f.nothing {
        clauses.push("1 = 0".into());
    }
    if let Some(s) = &f.store_id {
        let p = arg(&mut args, s.as_str().into());
        clauses.push(format!("store_id = {p}"));
    }
    let t = f.range_on.expr();
    if let Some(v) = f.from {
        let p = arg(&mut args, v.into());
        clauses.push(format!("{t} >= {p}"));
    }
    if let Some(v) = f.until {
        let p = arg(&mut args, v.into());
        clauses.push(format!("{t} < {p}"));
    }
    if !f.statuses.is_empty() {
        let ps = list(&mut args, &f.statuses);
        clauses.push(format!("status IN ({ps})"));
    }
    if !f.channel_group_ids.is_empty() {
        let ps = list(&mut args, &f.channel_group_ids);
        clauses.push(format!("channel_group_id IN ({ps})"));
    }
    if let Some(id) = &f.customer_id {
        let p = arg(&mut args, json_field_pattern("id", id, false).into());
        clauses.push(format!("customer_json LIKE {p} ESCAPE '\\'"));
    }
    match &f.channel_keys {
        Some(keys) if keys.is_empty() => clauses.push("1 = 0".into()),
        Some(keys) => {
            let ps = list(&mut args, keys);
            clauses.push(format!(
                "billing_key IN (SELECT billing_key FROM billing_key_channels WHERE channel_key IN ({ps}))"
            ));
        }
        None => {}
    }
    if let Some(term) = &f.text {
        let (col, pattern) = match term {
            KeyText::BillingKey(v) => {
                let p = arg(&mut args, v.as_str().into());
                clauses.push(format!("billing_key = {p}"));
                ("", String::new())
            }
            KeyText::CustomerName(v) => ("customer_json", json_field_pattern("name", v, false)),
            KeyText::CustomerEmail(v) => ("customer_json", json_field_pattern("email", v, false)),
            KeyText::CustomerPhone(v) => {
                ("customer_json", json_field_pattern("phoneNumber", v, false))
            }
            KeyText::CardLast4(v) => ("method_json", json_field_pattern("number", v, true)),
        };
        if !col.is_empty() {
            let p = arg(&mut args, pattern.into());
            clauses.push(format!("{col} LIKE {p} ESCAPE '\\'"));
        }
    }
    let filter = format!("WHERE {}", clauses.join(" AND "));
    let total = db
        .fetch_optional(
            &format!("SELECT COUNT(*) AS n FROM billing_keys {filter}"),
            args.clone(),
        )
        .await?
        .map(|r| r.req_int("n"))
        .transpose()?
        .unwrap_or(0);
    let order = if f.descending { "DESC" } else { "ASC" };
    let col = f.sort.expr();
    let pl = arg(&mut args, limit.into());
    let po = arg(&mut args, offset.into());
    let rows = db
        .fetch_all(
            &format!(
                "SELECT billing_key FROM billing_keys {filter} ORDER BY {col} {order}, billing_key {order} LIMIT {pl} OFFSET {po}"
            ),
            args,
        )
        .await?;
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
