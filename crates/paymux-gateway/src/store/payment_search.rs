//! Searching the `payments` table: `GET /payments` (filters, sort, page and total) and
//! `GET /payments-by-cursor` (creation order, keyset cursor). Also the search columns a
//! payment's row carries beside its JSON (`method_type`, `card_last4`, `customer_*`), derived
//! here so every writer fills them the same way.

use serde_json::Value;

use super::db::Db;
use super::list_query::{self, PageStatements, Sort, Statement, Where};
use super::payments::PaymentRow;
use crate::domain::{
    MethodKind, PaymentMethod, PaymentStatus, PlatformType, PortOneCashReceiptStatus,
    WebhookOutcome,
};

/// The search columns of a method: PortOne `PaymentMethodType` (`CARD`, `VIRTUAL_ACCOUNT` …;
/// none for PayPal, which that enum lacks) and the last four digits of its masked card number.
pub fn method_columns(m: Option<&PaymentMethod>) -> (Option<&'static str>, Option<String>) {
    let Some(m) = m else {
        return (None, None);
    };
    let kind = match m.kind() {
        MethodKind::Card => Some("CARD"),
        MethodKind::Transfer => Some("TRANSFER"),
        MethodKind::VirtualAccount => Some("VIRTUAL_ACCOUNT"),
        MethodKind::GiftCertificate => Some("GIFT_CERTIFICATE"),
        MethodKind::Mobile => Some("MOBILE"),
        MethodKind::EasyPay => Some("EASY_PAY"),
        MethodKind::ConvenienceStore => Some("CONVENIENCE_STORE"),
        MethodKind::Paypal => None,
    };
    let last4 = m
        .details()
        .card
        .as_ref()
        .and_then(|c| c.as_ref()?.number.as_deref())
        .and_then(|n| n.get(n.len().checked_sub(4)?..))
        .filter(|tail| tail.bytes().all(|b| b.is_ascii_digit()))
        .map(str::to_string);
    (kind, last4)
}

/// The search columns of a stored PortOne `Customer` JSON: `name`, `email`, `phoneNumber` (one
/// parse for the three).
pub fn customer_columns(customer_json: Option<&str>) -> [Option<String>; 3] {
    let Some(v) = customer_json.and_then(|c| serde_json::from_str::<Value>(c).ok()) else {
        return [None, None, None];
    };
    ["name", "email", "phoneNumber"].map(|field| match v.get(field)? {
        Value::String(s) => Some(s.clone()),
        // PortOne's `CustomerName` object form.
        Value::Object(o) => o.get("full").and_then(Value::as_str).map(str::to_string),
        _ => None,
    })
}

/// PortOne `PaymentEscrow.status` of a stored payment's `extra_json` (`None`: not an escrow
/// payment).
pub fn escrow_status(extra_json: Option<&str>) -> Option<String> {
    // Most payments are not escrow ones: no JSON parsed for them.
    let text = extra_json.filter(|e| e.contains("\"escrow\""))?;
    let v: Value = serde_json::from_str(text).ok()?;
    v.get("escrow")?.get("status")?.as_str().map(str::to_string)
}

/// The next rows the backfill fills (answered from the partial index `payments_search_ready`:
/// `store::list_plans` checks it).
pub(crate) const BACKFILL_BATCH: &str =
    "SELECT id, method_json, customer_json FROM payments WHERE search_ready = 0 LIMIT 500";

/// Fill the search columns of rows written before they existed (schema version 3), in
/// batches. Idempotent: several instances starting together do the same writes.
pub async fn backfill(db: &Db) -> Result<u64, sqlx::Error> {
    let mut filled = 0;
    loop {
        let rows = db.fetch_all(BACKFILL_BATCH, vec![]).await?;
        if rows.is_empty() {
            return Ok(filled);
        }
        for r in &rows {
            let method = r.text("method_json")?;
            let customer = r.text("customer_json")?;
            let (kind, last4) =
                method_columns(super::payments::parse_method(method.as_deref()).as_ref());
            let [name, email, phone] = customer_columns(customer.as_deref());
            db.execute(
                "UPDATE payments SET method_type = $2, card_last4 = $3, customer_name = $4, customer_email = $5, \
                 customer_phone = $6, search_ready = 1 WHERE id = $1",
                crate::args![
                    r.req_text("id")?,
                    kind,
                    last4,
                    name,
                    email,
                    phone
                ],
            )
            .await?;
            filled += 1;
        }
    }
}

/// Which time a range filter or a sort looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeColumn {
    /// When the payment was requested (created).
    Requested,
    /// When its status last changed.
    StatusChanged,
}

impl TimeColumn {
    fn column(self) -> &'static str {
        match self {
            TimeColumn::Requested => "requested_at",
            TimeColumn::StatusChanged => "status_changed_at",
        }
    }
}

/// One text search term, each answered by one column.
#[derive(Debug, Clone)]
pub enum TextTerm {
    /// paymentId, exactly.
    PaymentId(String),
    /// transactionId (the current attempt), exactly.
    TransactionId(String),
    /// The PG's transaction id, exactly.
    PgTxId(String),
    /// The schedule id, exactly.
    ScheduleId(String),
    /// The billing key, exactly.
    BillingKey(String),
    /// The order name contains it.
    OrderName(String),
    /// The customer's name contains it.
    CustomerName(String),
    /// The customer's email, exactly.
    CustomerEmail(String),
    /// The customer's phone number, exactly.
    CustomerPhone(String),
    /// The card number ends with these four digits.
    CardLast4(String),
    /// Any of the above (`ALL`).
    Any(String),
}

/// What `GET /payments` asks for.
#[derive(Debug, Clone)]
pub struct PaymentFilter {
    /// Only this store.
    pub store_id: Option<String>,
    /// The time a range applies to.
    pub range_on: TimeColumn,
    /// From (µs, inclusive).
    pub from: Option<i64>,
    /// Until (µs, exclusive).
    pub until: Option<i64>,
    /// Any of these statuses (empty: any).
    pub statuses: Vec<PaymentStatus>,
    /// Any of these PortOne method types (empty: any).
    pub method_types: Vec<String>,
    /// Only payments made through these channels (`None`: any; `Some(empty)`: none).
    pub channel_keys: Option<Vec<String>>,
    /// Made by a schedule, or not.
    pub scheduled: Option<bool>,
    /// Currency.
    pub currency: Option<String>,
    /// Every term must match.
    pub text: Vec<TextTerm>,
    /// Where the payment came from (window payments not completed have none: never match).
    pub platform_type: Option<PlatformType>,
    /// An escrow payment, or not.
    pub escrow: Option<bool>,
    /// Its escrow status (PortOne `PaymentEscrow.status`).
    pub escrow_status: Option<String>,
    /// Its cash receipt (`Payment.cashReceipt`) is so.
    pub cash_receipt: Option<CashReceiptFilter>,
    /// One of its webhook deliveries went so (`Payment.webhooks[].status`).
    pub webhook_status: Option<WebhookOutcome>,
    /// Sort by.
    pub sort_by: TimeColumn,
    /// Newest first.
    pub descending: bool,
    /// Match nothing (a filter no payment here can satisfy, e.g. another merchant).
    pub nothing: bool,
}

/// The `PaymentFilterInput.cashReceipt*` filters: a payment matches when its cash receipt as
/// `Payment.cashReceipt` shows it (issued, or cancelled) satisfies all that are given.
#[derive(Debug, Clone, Default)]
pub struct CashReceiptFilter {
    /// `PERSONAL` or `CORPORATE`.
    pub receipt_type: Option<String>,
    /// The status PortOne shows (`ISSUED` while a cancel is in flight).
    pub status: Option<PortOneCashReceiptStatus>,
    /// Issued in `[from, until)` (µs).
    pub issued: Option<(i64, i64)>,
    /// Cancelled in `[from, until)` (µs).
    pub cancelled: Option<(i64, i64)>,
}

/// The condition on a payment's cash receipt (`cash_receipts`, one row per paymentId).
fn cash_receipt_condition(w: &mut Where, f: &CashReceiptFilter) -> String {
    // The statuses `Payment.cashReceipt` shows (views::cash_receipt::PaymentCashReceipt).
    let shown = match f.status {
        None => "c.status IN ('ISSUED', 'CANCELLING', 'CANCELLED')",
        Some(PortOneCashReceiptStatus::Issued) => "c.status IN ('ISSUED', 'CANCELLING')",
        Some(PortOneCashReceiptStatus::Cancelled) => "c.status = 'CANCELLED'",
        // Not a status `Payment.cashReceipt` ever has (refused by the HTTP layer).
        Some(PortOneCashReceiptStatus::IssueFailed) => "1 = 0",
    };
    let mut parts = vec![shown.to_string()];
    if let Some(t) = &f.receipt_type {
        parts.push(format!("c.receipt_type = {}", w.arg(t.as_str())));
    }
    if let Some((from, until)) = f.issued {
        let (a, b) = (w.arg(from), w.arg(until));
        parts.push(format!("c.issued_at >= {a} AND c.issued_at < {b}"));
    }
    if let Some((from, until)) = f.cancelled {
        let (a, b) = (w.arg(from), w.arg(until));
        if f.status != Some(PortOneCashReceiptStatus::Cancelled) {
            parts.push("c.status = 'CANCELLED'".into());
        }
        parts.push(format!("c.cancelled_at >= {a} AND c.cancelled_at < {b}"));
    }
    format!(
        "EXISTS (SELECT 1 FROM cash_receipts c WHERE c.payment_id = payments.id AND {})",
        parts.join(" AND ")
    )
}

/// The condition "one of the payment's webhook deliveries went `o`": the rule of
/// [`WebhookOutcome::of`], on `webhook_outbox` (found by its `payment_id` index).
fn webhook_condition(o: WebhookOutcome) -> String {
    let answered = "w.status <> 'DELIVERED' AND w.attempts > 0 AND w.last_attempt_at IS NOT NULL";
    let cond = match o {
        WebhookOutcome::Succeeded => "w.status = 'DELIVERED'".to_string(),
        WebhookOutcome::FailedNotOkResponse => format!("{answered} AND w.last_code IS NOT NULL"),
        WebhookOutcome::FailedUnexpectedError => format!("{answered} AND w.last_code IS NULL"),
    };
    format!("EXISTS (SELECT 1 FROM webhook_outbox w WHERE w.payment_id = payments.id AND {cond})")
}

/// Escape `%`, `_` and `\` for a `LIKE … ESCAPE '\'` pattern.
fn like_contains(v: &str) -> String {
    let mut out = String::with_capacity(v.len() + 2);
    out.push('%');
    for c in v.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}

/// The condition of one text term.
fn term(w: &mut Where, t: &TextTerm) -> String {
    let eq = |w: &mut Where, col: &str, v: &str| format!("{col} = {}", w.arg(v));
    let contains = |w: &mut Where, col: &str, v: &str| {
        format!("{col} LIKE {} ESCAPE '\\'", w.arg(like_contains(v)))
    };
    match t {
        TextTerm::PaymentId(v) => eq(w, "id", v),
        TextTerm::TransactionId(v) => eq(w, "transaction_id", v),
        TextTerm::PgTxId(v) => eq(w, "pg_tx_id", v),
        TextTerm::ScheduleId(v) => eq(w, "schedule_id", v),
        TextTerm::BillingKey(v) => eq(w, "billing_key", v),
        TextTerm::CustomerEmail(v) => eq(w, "customer_email", v),
        TextTerm::CustomerPhone(v) => eq(w, "customer_phone", v),
        TextTerm::CardLast4(v) => eq(w, "card_last4", v),
        TextTerm::OrderName(v) => contains(w, "order_name", v),
        TextTerm::CustomerName(v) => contains(w, "customer_name", v),
        TextTerm::Any(v) => {
            let mut parts = vec![
                term(w, &TextTerm::PaymentId(v.clone())),
                term(w, &TextTerm::TransactionId(v.clone())),
                term(w, &TextTerm::PgTxId(v.clone())),
                term(w, &TextTerm::ScheduleId(v.clone())),
                term(w, &TextTerm::BillingKey(v.clone())),
                term(w, &TextTerm::CustomerEmail(v.clone())),
                term(w, &TextTerm::CustomerPhone(v.clone())),
                term(w, &TextTerm::OrderName(v.clone())),
                term(w, &TextTerm::CustomerName(v.clone())),
            ];
            if v.len() == 4 && v.bytes().all(|b| b.is_ascii_digit()) {
                parts.push(term(w, &TextTerm::CardLast4(v.clone())));
            }
            format!("({})", parts.join(" OR "))
        }
    }
}

fn where_of(f: &PaymentFilter) -> Where {
    let mut w = Where::default();
    if f.nothing {
        w.push("1 = 0");
    }
    if let Some(s) = &f.store_id {
        w.eq("store_id", s.as_str());
    }
    w.range(f.range_on.column(), f.from, f.until);
    if !f.statuses.is_empty() {
        let s: Vec<String> = f.statuses.iter().map(|s| s.as_str().to_string()).collect();
        w.any_of("status", &s);
    }
    if !f.method_types.is_empty() {
        w.any_of("method_type", &f.method_types);
    }
    match &f.channel_keys {
        Some(keys) if keys.is_empty() => w.push("1 = 0"),
        Some(keys) => w.any_of("channel_key", keys),
        None => {}
    }
    match f.scheduled {
        Some(true) => w.push("schedule_id IS NOT NULL"),
        Some(false) => w.push("schedule_id IS NULL"),
        None => {}
    }
    if let Some(c) = &f.currency {
        w.eq("currency", c.as_str());
    }
    for t in &f.text {
        let c = term(&mut w, t);
        w.push(c);
    }
    if let Some(p) = f.platform_type {
        w.eq("platform_type", p.as_str());
    }
    match f.escrow {
        Some(true) => w.push("escrow_status IS NOT NULL"),
        Some(false) => w.push("escrow_status IS NULL"),
        None => {}
    }
    if let Some(s) = &f.escrow_status {
        w.eq("escrow_status", s.as_str());
    }
    if let Some(c) = &f.cash_receipt {
        let cond = cash_receipt_condition(&mut w, c);
        w.push(cond);
    }
    if let Some(o) = f.webhook_status {
        w.push(webhook_condition(o));
    }
    w
}

/// The statements of a page of payments matching `f`.
pub(crate) fn page_statements(f: &PaymentFilter, limit: i64, offset: i64) -> PageStatements {
    let sort = Sort {
        column: f.sort_by.column(),
        tiebreak: "id",
        descending: f.descending,
    };
    list_query::page_statements("payments", "*", where_of(f), sort, limit, offset)
}

/// One page of payments matching `f`, and how many match in all.
pub async fn search(
    db: &Db,
    f: &PaymentFilter,
    limit: i64,
    offset: i64,
) -> Result<(Vec<PaymentRow>, i64), sqlx::Error> {
    let (rows, total) = list_query::run(db, page_statements(f, limit, offset)).await?;
    let rows = rows
        .iter()
        .map(PaymentRow::from_row)
        .collect::<Result<_, _>>()?;
    Ok((rows, total))
}

/// The statement of [`after`].
pub(crate) fn after_statement(
    store_id: Option<&str>,
    from: Option<i64>,
    until: Option<i64>,
    after: Option<(i64, String)>,
    limit: i64,
) -> Statement {
    let mut w = Where::default();
    if let Some(s) = store_id {
        w.eq("store_id", s);
    }
    // The range starts at the cursor: both engines then search the index from the cursor's
    // time instead of walking it from `from` and filtering out the pages already seen.
    let start = match (&after, from) {
        (Some((t, _)), Some(f)) => Some(f.max(*t)),
        (Some((t, _)), None) => Some(*t),
        (None, f) => f,
    };
    w.range("requested_at", start, until);
    if let Some((t, id)) = after {
        let (pt, pt2, pid) = (w.arg(t), w.arg(t), w.arg(id));
        w.push(format!(
            "(requested_at > {pt} OR (requested_at = {pt2} AND id > {pid}))"
        ));
    }
    let filter = w.sql();
    let pl = w.arg(limit);
    Statement {
        sql: format!("SELECT * FROM payments {filter} ORDER BY requested_at, id LIMIT {pl}"),
        args: w.into_args(),
    }
}

/// Up to `limit` payments created in `[from, until)` after the position `after`
/// (`(requested_at, id)`), oldest first.
pub async fn after(
    db: &Db,
    store_id: Option<&str>,
    from: Option<i64>,
    until: Option<i64>,
    after: Option<(i64, String)>,
    limit: i64,
) -> Result<Vec<PaymentRow>, sqlx::Error> {
    let s = after_statement(store_id, from, until, after, limit);
    let rows = db.fetch_all(&s.sql, s.args).await?;
    rows.iter().map(PaymentRow::from_row).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_columns() {
        let method = |text: &str| super::super::payments::parse_method(Some(text));
        let m = method(
            r#"{"type":"PaymentMethodCard","card":{"number":"536181******1234","bin":"536181"}}"#,
        );
        assert_eq!(
            method_columns(m.as_ref()),
            (Some("CARD"), Some("1234".to_string()))
        );
        let va = method(r#"{"type":"PaymentMethodVirtualAccount","bank":"SHINHAN"}"#);
        assert_eq!(method_columns(va.as_ref()), (Some("VIRTUAL_ACCOUNT"), None));
        let short = method(r#"{"type":"PaymentMethodCard","card":{"number":"12**"}}"#);
        assert_eq!(method_columns(short.as_ref()), (Some("CARD"), None));
        assert_eq!(method_columns(None), (None, None));
        let c = r#"{"name":"홍길동","email":"a@b.c","phoneNumber":"01012345678"}"#;
        assert_eq!(
            customer_columns(Some(c)),
            [
                Some("홍길동".to_string()),
                Some("a@b.c".to_string()),
                Some("01012345678".to_string())
            ]
        );
        let full = r#"{"name":{"full":"Hong Gildong"}}"#;
        assert_eq!(
            customer_columns(Some(full))[0].as_deref(),
            Some("Hong Gildong")
        );
        assert_eq!(customer_columns(None), [None, None, None]);
    }

    fn filter() -> PaymentFilter {
        PaymentFilter {
            store_id: None,
            range_on: TimeColumn::Requested,
            from: None,
            until: None,
            statuses: vec![],
            method_types: vec![],
            channel_keys: None,
            scheduled: None,
            currency: None,
            text: vec![],
            platform_type: None,
            escrow: None,
            escrow_status: None,
            cash_receipt: None,
            webhook_status: None,
            sort_by: TimeColumn::Requested,
            descending: true,
            nothing: false,
        }
    }

    /// A row from before the search columns existed is found by them after the backfill.
    #[tokio::test]
    async fn backfill_fills_rows_written_before_the_search_columns() {
        let path =
            std::env::temp_dir().join(format!("paymux-fill-{}.sqlite", uuid::Uuid::new_v4()));
        let db = Db::connect(path.to_str().unwrap()).await.unwrap();
        db.execute(
            "INSERT INTO payments (id, store_id, transaction_id, kind, status, order_name, currency, amount_total, \
             amount_tax_free, amount_vat, amount_supply, requested_at, updated_at, status_changed_at, method_json, customer_json) \
             VALUES ('old', 's', 't', 'INSTANT', 'PAID', 'o', 'KRW', 1, 0, 0, 1, 1, 1, 1, $1, $2)",
            crate::args![
                r#"{"type":"PaymentMethodCard","card":{"number":"411111******4242"}}"#,
                r#"{"email":"old@example.com"}"#
            ],
        )
        .await
        .unwrap();
        let mut f = filter();
        f.text = vec![TextTerm::CardLast4("4242".into())];
        f.method_types = vec!["CARD".into()];
        assert_eq!(search(&db, &f, 10, 0).await.unwrap().1, 0);
        assert_eq!(backfill(&db).await.unwrap(), 1);
        assert_eq!(backfill(&db).await.unwrap(), 0);
        let (rows, total) = search(&db, &f, 10, 0).await.unwrap();
        assert_eq!((rows[0].id.as_str(), total), ("old", 1));
        f.text = vec![TextTerm::CustomerEmail("old@example.com".into())];
        assert_eq!(search(&db, &f, 10, 0).await.unwrap().1, 1);
        let _ = std::fs::remove_file(&path);
    }

    /// Migration 18 reads each older payment's platform from the `origin` its `extra_json`
    /// carries, as the gateway writes it (the view's own JSON, so the patterns match it).
    #[tokio::test]
    async fn migration_18_backfills_platform_and_escrow() {
        use crate::domain::Origin;
        use crate::views::party;
        let path =
            std::env::temp_dir().join(format!("paymux-platform-{}.sqlite", uuid::Uuid::new_v4()));
        let db = Db::connect(path.to_str().unwrap()).await.unwrap();
        let browser = |ua: &str| Origin {
            ip: "203.0.113.7".into(),
            user_agent: Some(ua.into()),
        };
        let iphone = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile/15E148";
        let rows = [
            (
                "api",
                party::origin_of(&browser("curl/8"), "API"),
                Some("API"),
            ),
            (
                "pc",
                party::origin_for_browser(&browser("Mozilla/5.0 (X11)")),
                Some("SDK_PC"),
            ),
            (
                "mobile",
                party::origin_for_browser(&browser(iphone)),
                Some("SDK_MOBILE"),
            ),
            // A window whose browser never came back: not known.
            ("window", party::origin_for_checkout(), None),
        ];
        for (id, origin, _) in &rows {
            let extra = serde_json::json!({"productType": "DIGITAL", "origin": origin}).to_string();
            db.execute(
                "INSERT INTO payments (id, store_id, transaction_id, kind, status, order_name, currency, amount_total, \
                 amount_tax_free, amount_vat, amount_supply, requested_at, updated_at, status_changed_at, extra_json) \
                 VALUES ($1, 's', 't', 'INSTANT', 'PAID', 'o', 'KRW', 1, 0, 0, 1, 1, 1, 1, $2)",
                crate::args![*id, extra],
            )
            .await
            .unwrap();
        }
        let escrow = serde_json::json!({"escrow": {"status": "BEFORE_REGISTERED"}}).to_string();
        db.execute(
            "INSERT INTO payments (id, store_id, transaction_id, kind, status, order_name, currency, amount_total, \
             amount_tax_free, amount_vat, amount_supply, requested_at, updated_at, status_changed_at, extra_json) \
             VALUES ('escrow', 's', 't', 'INSTANT', 'PAID', 'o', 'KRW', 1, 0, 0, 1, 1, 1, 1, $1)",
            crate::args![escrow.as_str()],
        )
        .await
        .unwrap();
        // The migration's backfills (its `UPDATE`s) again, on rows written without them.
        let sql = include_str!("../../migrations/0018_payment_platform.sql");
        let statements = sql.split(';').map(|s| {
            s.lines()
                .filter(|l| !l.starts_with("--"))
                .collect::<Vec<_>>()
                .join("\n")
        });
        let mut updates = 0;
        for s in statements.filter(|s| s.trim_start().starts_with("UPDATE")) {
            db.execute(&s, vec![]).await.unwrap();
            updates += 1;
        }
        assert_eq!(updates, 2, "the platform and escrow backfills");
        for (id, _, want) in rows {
            let r = db
                .fetch_all(
                    "SELECT platform_type FROM payments WHERE id = $1",
                    crate::args![id],
                )
                .await
                .unwrap();
            assert_eq!(r[0].text("platform_type").unwrap().as_deref(), want, "{id}");
        }
        let r = db
            .fetch_all(
                "SELECT id FROM payments WHERE escrow_status = 'BEFORE_REGISTERED'",
                vec![],
            )
            .await
            .unwrap();
        assert_eq!(r.len(), 1);
        assert_eq!(r[0].text("id").unwrap().as_deref(), Some("escrow"));
        // What a new row gets (the claim derives it the same way).
        assert_eq!(
            escrow_status(Some(&escrow)).as_deref(),
            Some("BEFORE_REGISTERED")
        );
        assert_eq!(escrow_status(Some(r#"{"productType":"DIGITAL"}"#)), None);
        let _ = std::fs::remove_file(&path);
    }

    #[test]
    fn like_patterns_escape_wildcards() {
        assert_eq!(like_contains("50%_off\\"), "%50\\%\\_off\\\\%");
    }
}
