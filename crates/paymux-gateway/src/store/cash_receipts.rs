//! The `cash_receipts` table: standalone cash receipts, one per paymentId (migration 11).
//!
//! The claim ([`claim`]) is the only way a row is born, so two concurrent issues for one
//! paymentId cannot both reach the PG; every later change is guarded by the status it expects.

use super::db::{Arg, Db, Row};
use crate::domain::CashReceiptStatus;

/// A stored receipt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CashReceiptRow {
    /// paymentId.
    pub payment_id: String,
    /// storeId.
    pub store_id: String,
    /// The channel it was issued through.
    pub channel_key: String,
    /// The channel's `SelectedChannel` JSON.
    pub channel_json: Option<String>,
    /// Status.
    pub status: CashReceiptStatus,
    /// Issued by `POST /cash-receipts` (PortOne `isManual`).
    pub is_manual: bool,
    /// `PERSONAL` / `CORPORATE`.
    pub receipt_type: String,
    /// orderName.
    pub order_name: String,
    /// Currency.
    pub currency: String,
    /// Total.
    pub amount_total: i64,
    /// Tax-free part.
    pub amount_tax_free: i64,
    /// VAT.
    pub amount_vat: i64,
    /// The identity number's last four digits, masked (`*******1234`).
    pub identity_masked: Option<String>,
    /// The PG's receipt id.
    pub pg_receipt_id: Option<String>,
    /// The NTS approval number.
    pub issue_number: Option<String>,
    /// The PG's receipt page.
    pub url: Option<String>,
    /// The PG's code of a failed issue.
    pub failure_code: Option<String>,
    /// Its message.
    pub failure_message: Option<String>,
    /// When the issue was requested (µs).
    pub requested_at: i64,
    /// When issued.
    pub issued_at: Option<i64>,
    /// When cancelled.
    pub cancelled_at: Option<i64>,
    /// Amount cancelled.
    pub cancelled_amount: Option<i64>,
    /// When the status last changed.
    pub status_updated_at: i64,
}

fn row(r: &Row) -> Result<CashReceiptRow, sqlx::Error> {
    Ok(CashReceiptRow {
        payment_id: r.req_text("payment_id")?,
        store_id: r.req_text("store_id")?,
        channel_key: r.req_text("channel_key")?,
        channel_json: r.text("channel_json")?,
        status: r.spelled("status", CashReceiptStatus::parse)?,
        is_manual: r.flag("is_manual")?,
        receipt_type: r.req_text("receipt_type")?,
        order_name: r.req_text("order_name")?,
        currency: r.req_text("currency")?,
        amount_total: r.req_int("amount_total")?,
        amount_tax_free: r.req_int("amount_tax_free")?,
        amount_vat: r.req_int("amount_vat")?,
        identity_masked: r.text("identity_masked")?,
        pg_receipt_id: r.text("pg_receipt_id")?,
        issue_number: r.text("issue_number")?,
        url: r.text("url")?,
        failure_code: r.text("failure_code")?,
        failure_message: r.text("failure_message")?,
        requested_at: r.req_int("requested_at")?,
        issued_at: r.int("issued_at")?,
        cancelled_at: r.int("cancelled_at")?,
        cancelled_amount: r.int("cancelled_amount")?,
        status_updated_at: r.req_int("status_updated_at")?,
    })
}

/// Claim `r.payment_id` for an issue: insert the row `ISSUING`, or take over a row whose issue
/// failed. `false`: another receipt holds the id (issued, cancelled, or being issued).
pub async fn claim(db: &Db, r: &CashReceiptRow) -> Result<bool, sqlx::Error> {
    let args = crate::args![
        r.payment_id.as_str(),
        r.store_id.as_str(),
        r.channel_key.as_str(),
        r.channel_json.clone(),
        CashReceiptStatus::Issuing.as_str(),
        r.is_manual,
        r.receipt_type.as_str(),
        r.order_name.as_str(),
        r.currency.as_str(),
        r.amount_total,
        r.amount_tax_free,
        r.amount_vat,
        r.identity_masked.clone(),
        r.requested_at,
    ];
    let inserted = db
        .execute(
            "INSERT INTO cash_receipts (payment_id, store_id, channel_key, channel_json, status, is_manual, \
             receipt_type, order_name, currency, amount_total, amount_tax_free, amount_vat, identity_masked, \
             requested_at, status_updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14) \
             ON CONFLICT (payment_id) DO NOTHING",
            args.clone(),
        )
        .await?;
    if inserted == 1 {
        return Ok(true);
    }
    let mut retry = args;
    retry.push(Arg::from(CashReceiptStatus::IssueFailed.as_str()));
    let taken = db
        .execute(
            "UPDATE cash_receipts SET store_id = $2, channel_key = $3, channel_json = $4, status = $5, \
             is_manual = $6, receipt_type = $7, order_name = $8, currency = $9, amount_total = $10, \
             amount_tax_free = $11, amount_vat = $12, identity_masked = $13, requested_at = $14, \
             status_updated_at = $14, pg_receipt_id = NULL, issue_number = NULL, url = NULL, \
             failure_code = NULL, failure_message = NULL, issued_at = NULL, cancelled_at = NULL, \
             cancelled_amount = NULL WHERE payment_id = $1 AND status = $15",
            retry,
        )
        .await?;
    Ok(taken == 1)
}

/// Give a claim back (nothing reached the PG).
pub async fn release(db: &Db, payment_id: &str) -> Result<(), sqlx::Error> {
    db.execute(
        "DELETE FROM cash_receipts WHERE payment_id = $1 AND status = $2",
        crate::args![payment_id, CashReceiptStatus::Issuing.as_str()],
    )
    .await?;
    Ok(())
}

/// What the PG said of an issue.
#[derive(Debug, Clone, Default)]
pub struct Issued {
    /// The PG's receipt id.
    pub pg_receipt_id: String,
    /// The NTS approval number, when known.
    pub issue_number: Option<String>,
    /// The receipt page, when the PG named one.
    pub url: Option<String>,
    /// When.
    pub issued_at: i64,
}

/// `ISSUING` → `ISSUED`. `false` when the row was not `ISSUING`.
pub async fn mark_issued(
    db: &Db,
    payment_id: &str,
    i: &Issued,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let n = db
        .execute(
            "UPDATE cash_receipts SET status = $2, pg_receipt_id = $3, issue_number = $4, url = $5, \
             issued_at = $6, status_updated_at = $7 WHERE payment_id = $1 AND status = $8",
            crate::args![
                payment_id,
                CashReceiptStatus::Issued.as_str(),
                i.pg_receipt_id.as_str(),
                i.issue_number.clone(),
                i.url.clone(),
                i.issued_at,
                now,
                CashReceiptStatus::Issuing.as_str()
            ],
        )
        .await?;
    Ok(n == 1)
}

/// `ISSUING` → `ISSUE_FAILED` with the PG's code and message.
pub async fn mark_failed(
    db: &Db,
    payment_id: &str,
    code: &str,
    message: &str,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let n = db
        .execute(
            "UPDATE cash_receipts SET status = $2, failure_code = $3, failure_message = $4, \
             status_updated_at = $5 WHERE payment_id = $1 AND status = $6",
            crate::args![
                payment_id,
                CashReceiptStatus::IssueFailed.as_str(),
                code,
                message,
                now,
                CashReceiptStatus::Issuing.as_str()
            ],
        )
        .await?;
    Ok(n == 1)
}

/// Move `from` → `to` (a cancel's claim `ISSUED` → `CANCELLING`, or its undoing). `false`
/// when the row was not `from`.
pub async fn transition(
    db: &Db,
    payment_id: &str,
    from: CashReceiptStatus,
    to: CashReceiptStatus,
) -> Result<bool, sqlx::Error> {
    let n = db
        .execute(
            "UPDATE cash_receipts SET status = $2 WHERE payment_id = $1 AND status = $3",
            crate::args![payment_id, to.as_str(), from.as_str()],
        )
        .await?;
    Ok(n == 1)
}

/// `from` (`CANCELLING`, or `ISSUING`/`ISSUED` when an inquiry finds it cancelled) →
/// `CANCELLED`.
pub async fn mark_cancelled(
    db: &Db,
    payment_id: &str,
    from: CashReceiptStatus,
    amount: i64,
    at: i64,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let n = db
        .execute(
            "UPDATE cash_receipts SET status = $2, cancelled_at = $3, cancelled_amount = $4, \
             status_updated_at = $5 WHERE payment_id = $1 AND status = $6",
            crate::args![
                payment_id,
                CashReceiptStatus::Cancelled.as_str(),
                at,
                amount,
                now,
                from.as_str()
            ],
        )
        .await?;
    Ok(n == 1)
}

/// The receipt of a paymentId.
pub async fn load(db: &Db, payment_id: &str) -> Result<Option<CashReceiptRow>, sqlx::Error> {
    db.fetch_optional(
        "SELECT * FROM cash_receipts WHERE payment_id = $1",
        crate::args![payment_id],
    )
    .await?
    .as_ref()
    .map(row)
    .transpose()
}

/// Which time a list's range and order apply to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(clippy::enum_variant_names)] // PortOne's names
pub enum TimeField {
    /// `issued_at`.
    IssuedAt,
    /// `cancelled_at`.
    CancelledAt,
    /// `status_updated_at`.
    StatusUpdatedAt,
}

impl TimeField {
    fn column(self) -> &'static str {
        match self {
            TimeField::IssuedAt => "issued_at",
            TimeField::CancelledAt => "cancelled_at",
            TimeField::StatusUpdatedAt => "status_updated_at",
        }
    }
}

/// A list's filter. `None` / empty: no condition.
#[derive(Debug, Clone)]
pub struct ReceiptFilter {
    /// storeId.
    pub store_id: Option<String>,
    /// The range's time.
    pub range_on: TimeField,
    /// From (inclusive, µs).
    pub from: i64,
    /// Until (exclusive, µs).
    pub until: i64,
    /// paymentId.
    pub payment_id: Option<String>,
    /// orderName contains this.
    pub order_name: Option<String>,
    /// Statuses (`ISSUED`, `CANCELLED`, `ISSUE_FAILED`; a `CANCELLING` receipt counts as
    /// `ISSUED`).
    pub statuses: Vec<CashReceiptStatus>,
    /// isManual.
    pub is_manual: Option<bool>,
    /// pgReceiptId.
    pub pg_receipt_id: Option<String>,
    /// The channels matching the channel filters (`None`: no channel filter).
    pub channel_keys: Option<Vec<String>>,
    /// Order by.
    pub sort_by: TimeField,
    /// Newest first.
    pub descending: bool,
    /// Nothing can match (`version: V1`).
    pub nothing: bool,
}

fn like_contains(v: &str) -> String {
    let mut out = String::from("%");
    for c in v.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}

/// One page of receipts and how many match. Receipts still being issued are never listed
/// (PortOne has no status for them).
pub async fn search(
    db: &Db,
    f: &ReceiptFilter,
    limit: i64,
    offset: i64,
) -> Result<(Vec<CashReceiptRow>, i64), sqlx::Error> {
    let mut args: Vec<Arg> = Vec::new();
    let mut arg = |a: Arg| {
        args.push(a);
        format!("${}", args.len())
    };
    let mut w = vec![format!(
        "status <> {}",
        arg(CashReceiptStatus::Issuing.as_str().into())
    )];
    if f.nothing {
        w.push("1 = 0".into());
    }
    let t = f.range_on.column();
    w.push(format!("{t} >= {}", arg(f.from.into())));
    w.push(format!("{t} < {}", arg(f.until.into())));
    if let Some(s) = &f.store_id {
        w.push(format!("store_id = {}", arg(s.into())));
    }
    if let Some(p) = &f.payment_id {
        w.push(format!("payment_id = {}", arg(p.into())));
    }
    if let Some(n) = &f.order_name {
        w.push(format!(
            "order_name LIKE {} ESCAPE '\\'",
            arg(like_contains(n).into())
        ));
    }
    if let Some(m) = f.is_manual {
        w.push(format!("is_manual = {}", arg(m.into())));
    }
    if let Some(r) = &f.pg_receipt_id {
        w.push(format!("pg_receipt_id = {}", arg(r.into())));
    }
    if !f.statuses.is_empty() {
        let list: Vec<String> = f.statuses.iter().map(|s| arg(s.as_str().into())).collect();
        w.push(format!("status IN ({})", list.join(", ")));
    }
    if let Some(keys) = &f.channel_keys {
        if keys.is_empty() {
            w.push("1 = 0".into());
        } else {
            let list: Vec<String> = keys.iter().map(|k| arg(k.into())).collect();
            w.push(format!("channel_key IN ({})", list.join(", ")));
        }
    }
    let cond = w.join(" AND ");
    let total = db
        .fetch_optional(
            &format!("SELECT COUNT(*) AS n FROM cash_receipts WHERE {cond}"),
            args.clone(),
        )
        .await?
        .map(|r| r.req_int("n"))
        .transpose()?
        .unwrap_or(0);
    let order = if f.descending { "DESC" } else { "ASC" };
    let sort = f.sort_by.column();
    let mut page_args = args;
    page_args.push(limit.into());
    page_args.push(offset.into());
    let n = page_args.len();
    let rows = db
        .fetch_all(
            &format!(
                "SELECT * FROM cash_receipts WHERE {cond} ORDER BY {sort} {order}, payment_id {order} LIMIT ${} OFFSET ${n}",
                n - 1
            ),
            page_args,
        )
        .await?;
    let items = rows.iter().map(row).collect::<Result<Vec<_>, _>>()?;
    Ok((items, total))
}

#[cfg(test)]
mod tests {
    use super::like_contains;

    #[test]
    fn like_patterns_escape_wildcards() {
        assert_eq!(like_contains("a%b_c"), "%a\\%b\\_c%");
    }
}
