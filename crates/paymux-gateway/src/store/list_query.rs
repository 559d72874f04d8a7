//! What the list searches share (`payment_search`, `billing_key_search`,
//! `schedules::search`): a `WHERE` clause built with numbered placeholders, and a page's two
//! statements — `COUNT(*)` for `totalCount` and the sorted, limited page — run together.
//!
//! The statements are built by plain functions so the query-plan test
//! (`store::list_plans`) checks the very SQL the lists run.

use super::db::{Arg, Db, Row};

/// A statement and its arguments.
#[derive(Debug, Clone)]
pub struct Statement {
    /// SQL with `$n` placeholders.
    pub sql: String,
    /// The arguments, in placeholder order.
    pub args: Vec<Arg>,
}

/// A page's statements.
#[derive(Debug, Clone)]
pub struct PageStatements {
    /// `SELECT COUNT(*) AS n …`: how many match in all.
    pub count: Statement,
    /// The page itself.
    pub page: Statement,
}

/// `AND`-ed conditions and their arguments.
#[derive(Debug, Default)]
pub struct Where {
    clauses: Vec<String>,
    args: Vec<Arg>,
}

impl Where {
    /// Add an argument; its placeholder.
    pub fn arg(&mut self, a: impl Into<Arg>) -> String {
        self.args.push(a.into());
        format!("${}", self.args.len())
    }

    /// Add a condition written by the caller.
    pub fn push(&mut self, clause: impl Into<String>) {
        self.clauses.push(clause.into());
    }

    /// `column = value`.
    pub fn eq(&mut self, column: &str, value: impl Into<Arg>) {
        let p = self.arg(value);
        self.push(format!("{column} = {p}"));
    }

    /// `column >= from` and `column < until`, each when given.
    pub fn range(&mut self, column: &str, from: Option<i64>, until: Option<i64>) {
        if let Some(from) = from {
            let p = self.arg(from);
            self.push(format!("{column} >= {p}"));
        }
        if let Some(until) = until {
            let p = self.arg(until);
            self.push(format!("{column} < {p}"));
        }
    }

    /// The placeholders of `values`, comma-separated.
    pub fn list(&mut self, values: &[String]) -> String {
        values
            .iter()
            .map(|v| self.arg(v.as_str()))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// `column IN (values…)`.
    pub fn any_of(&mut self, column: &str, values: &[String]) {
        let ps = self.list(values);
        self.push(format!("{column} IN ({ps})"));
    }

    /// Only rows whose billing key was issued on one of `channel_keys` (`None`: any;
    /// `Some(empty)`: none).
    pub fn issued_on(&mut self, channel_keys: Option<&[String]>) {
        match channel_keys {
            Some([]) => self.push("1 = 0"),
            Some(keys) => {
                let ps = self.list(keys);
                self.push(format!(
                    "billing_key IN (SELECT billing_key FROM billing_key_channels WHERE channel_key IN ({ps}))"
                ));
            }
            None => {}
        }
    }

    /// `WHERE …`, or nothing when there is no condition.
    pub fn sql(&self) -> String {
        if self.clauses.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", self.clauses.join(" AND "))
        }
    }

    /// The arguments so far (for a statement built from [`Where::sql`]).
    pub fn into_args(self) -> Vec<Arg> {
        self.args
    }
}

/// How a page is sorted: `ORDER BY {column} {order}, {tiebreak} {order}`.
#[derive(Debug, Clone, Copy)]
pub struct Sort<'a> {
    /// The time (or expression) sorted by.
    pub column: &'a str,
    /// The unique column that orders equal times.
    pub tiebreak: &'a str,
    /// Newest first.
    pub descending: bool,
}

/// The count and page statements of `SELECT {select} FROM {table}` under `w`.
pub fn page_statements(
    table: &str,
    select: &str,
    mut w: Where,
    sort: Sort<'_>,
    limit: i64,
    offset: i64,
) -> PageStatements {
    let filter = w.sql();
    let count = Statement {
        sql: format!("SELECT COUNT(*) AS n FROM {table} {filter}"),
        args: w.args.clone(),
    };
    let order = if sort.descending { "DESC" } else { "ASC" };
    let (pl, po) = (w.arg(limit), w.arg(offset));
    let page = Statement {
        sql: format!(
            "SELECT {select} FROM {table} {filter} ORDER BY {} {order}, {} {order} LIMIT {pl} OFFSET {po}",
            sort.column, sort.tiebreak
        ),
        args: w.args,
    };
    PageStatements { count, page }
}

/// Run a page's statements: its rows, and how many match in all.
pub async fn run(db: &Db, s: PageStatements) -> Result<(Vec<Row>, i64), sqlx::Error> {
    let total = db
        .fetch_optional(&s.count.sql, s.count.args)
        .await?
        .map(|r| r.req_int("n"))
        .transpose()?
        .unwrap_or(0);
    let rows = db.fetch_all(&s.page.sql, s.page.args).await?;
    Ok((rows, total))
}
