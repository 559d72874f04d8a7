//! Storage backends: SQLite (default, one file) and PostgreSQL (several gateway instances
//! sharing one database), behind one small API.
//!
//! Queries are runtime SQL written once in the dialect both engines accept (`$1` placeholders,
//! `ON CONFLICT`, `RETURNING`, partial indexes). Where they differ (`FOR UPDATE SKIP LOCKED`),
//! callers branch on [`Db::backend`]. Every column is `TEXT` or `BIGINT` (times are
//! microseconds since the Unix epoch, UTC), so a row decodes the same way on both engines.
//!
//! SQLite runs in WAL mode with **one writer connection** and a pool of readers. SQLite allows
//! one writer at a time anyway; queueing writers in the process (FIFO, woken when the
//! connection is free) instead of on SQLite's lock matters for latency, because SQLite's busy
//! handler *sleeps* between lock attempts (1, 2, 5, 10 … 100 ms): with several writing
//! connections a payment could wait tens of milliseconds, and seconds in the worst case, for a
//! lock that had been free for most of that time. The writer commits in groups
//! ([`crate::store::group_commit`]): one fsync for every transaction that was waiting. Statements are
//! routed by their first word (`SELECT` → readers, everything else → the writer). The busy
//! timeout stays for other processes on the same file.

use std::borrow::Cow;
use std::str::FromStr;
use std::time::Duration;

use sqlx::migrate::{Migration, MigrationType, Migrator};
use sqlx::postgres::{PgPoolOptions, PgRow};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteRow, SqliteSynchronous,
};
use sqlx::{ConnectOptions as _, PgPool, Row as _, SqlitePool};

use crate::store::group_commit::{GroupWriter, SqliteTx};

/// The schema, applied at start (tracked in `_sqlx_migrations`; PostgreSQL takes an advisory
/// lock so instances starting together migrate once).
const MIGRATIONS: &[(i64, &str, &str)] = &[
    (1, "init", include_str!("../../migrations/0001_init.sql")),
    (
        2,
        "checkout",
        include_str!("../../migrations/0002_checkout.sql"),
    ),
    (
        3,
        "payment_search",
        include_str!("../../migrations/0003_payment_search.sql"),
    ),
    (
        4,
        "payment_attempts",
        include_str!("../../migrations/0004_payment_attempts.sql"),
    ),
    (
        5,
        "list_indexes",
        include_str!("../../migrations/0005_list_indexes.sql"),
    ),
    (
        6,
        "preregistrations",
        include_str!("../../migrations/0006_preregistrations.sql"),
    ),
    (
        7,
        "notices",
        include_str!("../../migrations/0007_notices.sql"),
    ),
    (
        8,
        "routing_stats",
        include_str!("../../migrations/0008_routing_stats.sql"),
    ),
    (
        9,
        "console_sessions",
        include_str!("../../migrations/0009_console_sessions.sql"),
    ),
    (
        10,
        "tokens_receipts",
        include_str!("../../migrations/0010_tokens_receipts.sql"),
    ),
    (
        11,
        "cash_receipts",
        include_str!("../../migrations/0011_cash_receipts.sql"),
    ),
    (
        13,
        "attempt_wire_views",
        include_str!("../../migrations/0013_attempt_wire_views.sql"),
    ),
    (
        14,
        "list_bench_indexes",
        include_str!("../../migrations/0014_list_bench_indexes.sql"),
    ),
    (
        15,
        "payment_store_status_index",
        include_str!("../../migrations/0015_payment_store_status_index.sql"),
    ),
    (
        16,
        "billing_key_platform",
        include_str!("../../migrations/0016_billing_key_platform.sql"),
    ),
    (
        17,
        "escrow_status",
        include_str!("../../migrations/0017_escrow_status.sql"),
    ),
    (
        18,
        "payment_platform",
        include_str!("../../migrations/0018_payment_platform.sql"),
    ),
    (
        19,
        "partial_indexes",
        include_str!("../../migrations/0019_partial_indexes.sql"),
    ),
    (
        20,
        "attempt_wire_by_claim",
        include_str!("../../migrations/0020_attempt_wire_by_claim.sql"),
    ),
];

/// Which engine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// SQLite file.
    Sqlite,
    /// PostgreSQL server.
    Postgres,
}

/// A connection pool on one of the backends.
#[derive(Clone, Debug)]
pub enum Db {
    /// SQLite: one writer connection, several readers (see the module docs).
    Sqlite {
        /// The only connection that writes.
        writer: GroupWriter,
        /// Connections for plain `SELECT`s.
        readers: SqlitePool,
    },
    /// PostgreSQL.
    Postgres(PgPool),
}

/// What a committed SQLite transaction survives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Durability {
    /// Power loss: every commit waits for an fsync (`synchronous=FULL`). Money state.
    PowerLoss,
    /// A crash of the process, not of the machine (`synchronous=NORMAL` in WAL mode: no fsync
    /// per commit). Diagnostics ([`crate::store::diagnostics`]).
    ProcessCrash,
}

/// The file of a SQLite URL (`sqlite:FILE`, `sqlite://FILE`, a plain path; it may carry
/// `?options`), or `None` for PostgreSQL.
pub(crate) fn sqlite_path(url: &str) -> Option<&str> {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        return None;
    }
    Some(
        url.strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))
            .unwrap_or(url),
    )
}

/// How many SQLite connections serve reads.
const SQLITE_READERS: u32 = 4;

/// Whether a statement only reads (and may go to a SQLite reader connection).
fn is_read_only(sql: &str) -> bool {
    sql.trim_start()
        .get(..6)
        .is_some_and(|head| head.eq_ignore_ascii_case("select"))
}

/// A bound query argument. Every column is text or a 64-bit integer.
#[derive(Debug, Clone)]
pub enum Arg {
    /// `TEXT` (or NULL).
    Text(Option<String>),
    /// `BIGINT` (or NULL).
    Int(Option<i64>),
}

impl From<&str> for Arg {
    fn from(v: &str) -> Self {
        Arg::Text(Some(v.to_string()))
    }
}
impl From<String> for Arg {
    fn from(v: String) -> Self {
        Arg::Text(Some(v))
    }
}
impl From<&String> for Arg {
    fn from(v: &String) -> Self {
        Arg::Text(Some(v.clone()))
    }
}
impl From<Option<String>> for Arg {
    fn from(v: Option<String>) -> Self {
        Arg::Text(v)
    }
}
impl From<Option<&str>> for Arg {
    fn from(v: Option<&str>) -> Self {
        Arg::Text(v.map(str::to_string))
    }
}
impl From<i64> for Arg {
    fn from(v: i64) -> Self {
        Arg::Int(Some(v))
    }
}
impl From<Option<i64>> for Arg {
    fn from(v: Option<i64>) -> Self {
        Arg::Int(v)
    }
}
impl From<bool> for Arg {
    fn from(v: bool) -> Self {
        Arg::Int(Some(i64::from(v)))
    }
}

/// Build an argument list: `args![a, b, c]`.
#[macro_export]
#[doc(hidden)]
macro_rules! args {
    ($($a:expr),* $(,)?) => { vec![$($crate::store::db::Arg::from($a)),*] };
}

/// A fetched row.
pub enum Row {
    /// From SQLite.
    Sqlite(SqliteRow),
    /// From PostgreSQL.
    Postgres(PgRow),
}

impl Row {
    /// A nullable text column.
    pub fn text(&self, col: &str) -> Result<Option<String>, sqlx::Error> {
        match self {
            Row::Sqlite(r) => r.try_get::<Option<String>, _>(col),
            Row::Postgres(r) => r.try_get::<Option<String>, _>(col),
        }
    }
    /// A non-null text column.
    pub fn req_text(&self, col: &str) -> Result<String, sqlx::Error> {
        self.text(col)?.ok_or_else(|| null_column(col))
    }
    /// A nullable integer column.
    pub fn int(&self, col: &str) -> Result<Option<i64>, sqlx::Error> {
        match self {
            Row::Sqlite(r) => r.try_get::<Option<i64>, _>(col),
            Row::Postgres(r) => r.try_get::<Option<i64>, _>(col),
        }
    }
    /// A non-null integer column.
    pub fn req_int(&self, col: &str) -> Result<i64, sqlx::Error> {
        self.int(col)?.ok_or_else(|| null_column(col))
    }
    /// A 0/1 flag column.
    pub fn flag(&self, col: &str) -> Result<bool, sqlx::Error> {
        Ok(self.int(col)?.unwrap_or(0) != 0)
    }
    /// A non-null text column holding one of an enum's spellings (a status, a kind).
    pub fn spelled<T>(&self, col: &str, parse: fn(&str) -> Option<T>) -> Result<T, sqlx::Error> {
        let text = self.req_text(col)?;
        parse(&text).ok_or_else(|| sqlx::Error::ColumnDecode {
            index: col.to_string(),
            source: format!("unknown value `{text}`").into(),
        })
    }
}

fn null_column(col: &str) -> sqlx::Error {
    sqlx::Error::ColumnDecode {
        index: col.to_string(),
        source: "unexpected NULL".into(),
    }
}

macro_rules! bind_all {
    ($q:expr, $args:expr) => {{
        let mut q = $q;
        for a in $args {
            q = match a {
                Arg::Text(v) => q.bind(v),
                Arg::Int(v) => q.bind(v),
            };
        }
        q
    }};
}

impl Db {
    /// Connect to `url` (`sqlite:FILE`, `sqlite://FILE`, a plain file path, or
    /// `postgres://...`) and apply the migrations.
    pub async fn connect(url: &str) -> anyhow::Result<Db> {
        let db = match sqlite_path(url) {
            Some(path) => Db::open_sqlite(path, Durability::PowerLoss).await?,
            None => {
                let pool = PgPoolOptions::new()
                    .max_connections(16)
                    .acquire_timeout(Duration::from_secs(10))
                    .connect(url)
                    .await
                    .map_err(|e| anyhow::anyhow!("connect to PostgreSQL: {e}"))?;
                Db::Postgres(pool)
            }
        };
        db.migrate(MIGRATIONS).await?;
        Ok(db)
    }

    /// Open (creating it if missing) the SQLite file at `path` (which may carry `?options`).
    pub(crate) async fn open_sqlite(path: &str, durability: Durability) -> anyhow::Result<Db> {
        let opts = SqliteConnectOptions::from_str(&format!("sqlite://{path}"))
            .map_err(|e| anyhow::anyhow!("database URL `{path}`: {e}"))?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(match durability {
                Durability::PowerLoss => SqliteSynchronous::Full,
                Durability::ProcessCrash => SqliteSynchronous::Normal,
            })
            .busy_timeout(Duration::from_secs(30))
            .foreign_keys(true);
        let open_err = |e: sqlx::Error| anyhow::anyhow!("open SQLite database `{path}`: {e}");
        // The writer first: it creates the file and switches it to WAL.
        let writer = GroupWriter::new(opts.connect().await.map_err(open_err)?);
        // No ping before each acquire (sqlx's default): an SQLite connection lives in this
        // process and cannot go stale, and the ping was one more round trip to the
        // connection's thread for every read (docs/BENCHMARKS.md §5g).
        let readers = SqlitePoolOptions::new()
            .max_connections(SQLITE_READERS)
            .test_before_acquire(false)
            .acquire_timeout(Duration::from_secs(30))
            .connect_with(opts)
            .await
            .map_err(open_err)?;
        Ok(Db::Sqlite { writer, readers })
    }

    /// Apply pending `migrations` (version, description, SQL).
    pub(crate) async fn migrate(
        &self,
        migrations: &[(i64, &'static str, &'static str)],
    ) -> anyhow::Result<()> {
        let migrations: Vec<Migration> = migrations
            .iter()
            .map(|(v, d, sql)| {
                Migration::new(
                    *v,
                    Cow::Borrowed(*d),
                    MigrationType::Simple,
                    Cow::Borrowed(*sql),
                    false,
                )
            })
            .collect();
        let migrator = Migrator {
            migrations: Cow::Owned(migrations),
            ..Migrator::DEFAULT
        };
        match self {
            // At start nothing else writes; a reader connection may (it is not read-only).
            Db::Sqlite { readers, .. } => migrator.run(readers).await,
            Db::Postgres(p) => migrator.run(p).await,
        }
        .map_err(|e| anyhow::anyhow!("migrate the database: {e}"))
    }

    /// Which engine.
    pub fn backend(&self) -> Backend {
        match self {
            Db::Sqlite { .. } => Backend::Sqlite,
            Db::Postgres(_) => Backend::Postgres,
        }
    }

    /// Run a statement; returns the number of rows affected.
    pub async fn execute(&self, sql: &str, args: Vec<Arg>) -> Result<u64, sqlx::Error> {
        match self {
            Db::Sqlite { writer, .. } => {
                let mut tx = writer.begin().await?;
                let n = bind_all!(sqlx::query(sql), args)
                    .execute(tx.conn())
                    .await?
                    .rows_affected();
                tx.commit().await?;
                Ok(n)
            }
            Db::Postgres(p) => Ok(bind_all!(sqlx::query(sql), args)
                .execute(p)
                .await?
                .rows_affected()),
        }
    }

    /// Fetch every row.
    pub async fn fetch_all(&self, sql: &str, args: Vec<Arg>) -> Result<Vec<Row>, sqlx::Error> {
        match self {
            Db::Sqlite { readers, .. } if is_read_only(sql) => {
                Ok(bind_all!(sqlx::query(sql), args)
                    .fetch_all(readers)
                    .await?
                    .into_iter()
                    .map(Row::Sqlite)
                    .collect())
            }
            Db::Sqlite { .. } => {
                let mut tx = self.begin().await?;
                let rows = tx.fetch_all(sql, args).await?;
                tx.commit().await?;
                Ok(rows)
            }
            Db::Postgres(p) => Ok(bind_all!(sqlx::query(sql), args)
                .fetch_all(p)
                .await?
                .into_iter()
                .map(Row::Postgres)
                .collect()),
        }
    }

    /// Fetch at most one row.
    pub async fn fetch_optional(
        &self,
        sql: &str,
        args: Vec<Arg>,
    ) -> Result<Option<Row>, sqlx::Error> {
        Ok(self.fetch_all(sql, args).await?.into_iter().next())
    }

    /// Start a write transaction.
    pub async fn begin(&self) -> Result<Tx, sqlx::Error> {
        match self {
            Db::Sqlite { writer, .. } => Ok(Tx::Sqlite(writer.begin().await?)),
            Db::Postgres(p) => Ok(Tx::Postgres(p.begin().await?)),
        }
    }

    /// Start a write transaction for diagnostics (wire views, routing events) whose commit
    /// need not wait for the disk: PostgreSQL's `synchronous_commit = off` for this transaction
    /// only (a crash of the server may lose the last moments of them, never corrupt anything;
    /// the diagnostics file on SQLite commits that way already).
    pub async fn begin_background(&self) -> Result<Tx, sqlx::Error> {
        let mut tx = self.begin().await?;
        if let Tx::Postgres(_) = tx {
            tx.execute("SET LOCAL synchronous_commit = off", Vec::new())
                .await?;
        }
        Ok(tx)
    }

    /// Close the pool.
    pub async fn close(&self) {
        match self {
            Db::Sqlite { writer, readers } => {
                readers.close().await;
                writer.flush().await;
            }
            Db::Postgres(p) => p.close().await,
        }
    }
}

/// Most rows a background writer (routing events, wire views) puts in one transaction. When they
/// shared SQLite's main file, one transaction of a quarter second's rows held its one writer
/// long enough to add ~15 ms to the gateway's p99 (docs/BENCHMARKS.md §5e); on PostgreSQL it
/// still keeps each transaction short.
pub const BACKGROUND_ROWS: usize = 32;

/// `($1, $2), ($3, $4)`: the `VALUES` of one statement inserting `rows` rows of `columns`
/// columns. A background writer inserts a chunk in one statement: on SQLite every statement is a
/// round trip to the connection's thread, and per-row statements made that hand-off the
/// largest cost of the diagnostics (docs/BENCHMARKS.md §5f).
///
/// On SQLite the placeholders are plain `?` (the arguments are in placeholder order): sqlx
/// asks SQLite for each numbered placeholder's name, a walk through the statement's list of
/// them, so binding the hundreds of a chunk's `$n` cost time that grew with their square
/// (§5g).
pub fn values_rows(backend: Backend, columns: usize, rows: usize) -> String {
    let mut out = String::with_capacity(rows * columns * 5);
    for r in 0..rows {
        out.push_str(if r == 0 { "(" } else { ", (" });
        for c in 0..columns {
            if c > 0 {
                out.push_str(", ");
            }
            match backend {
                Backend::Sqlite => out.push('?'),
                Backend::Postgres => {
                    out.push('$');
                    out.push_str(&(r * columns + c + 1).to_string());
                }
            }
        }
        out.push(')');
    }
    out
}

/// A write transaction: state changes and their webhook outbox rows commit together.
pub enum Tx {
    /// SQLite (a savepoint in a group commit).
    Sqlite(SqliteTx),
    /// PostgreSQL.
    Postgres(sqlx::Transaction<'static, sqlx::Postgres>),
}

impl Tx {
    /// Run a statement; returns the number of rows affected.
    pub async fn execute(&mut self, sql: &str, args: Vec<Arg>) -> Result<u64, sqlx::Error> {
        match self {
            Tx::Sqlite(t) => Ok(bind_all!(sqlx::query(sql), args)
                .execute(t.conn())
                .await?
                .rows_affected()),
            Tx::Postgres(t) => Ok(bind_all!(sqlx::query(sql), args)
                .execute(&mut **t)
                .await?
                .rows_affected()),
        }
    }

    /// Fetch every row.
    pub async fn fetch_all(&mut self, sql: &str, args: Vec<Arg>) -> Result<Vec<Row>, sqlx::Error> {
        match self {
            Tx::Sqlite(t) => Ok(bind_all!(sqlx::query(sql), args)
                .fetch_all(t.conn())
                .await?
                .into_iter()
                .map(Row::Sqlite)
                .collect()),
            Tx::Postgres(t) => Ok(bind_all!(sqlx::query(sql), args)
                .fetch_all(&mut **t)
                .await?
                .into_iter()
                .map(Row::Postgres)
                .collect()),
        }
    }

    /// Fetch at most one row.
    pub async fn fetch_optional(
        &mut self,
        sql: &str,
        args: Vec<Arg>,
    ) -> Result<Option<Row>, sqlx::Error> {
        Ok(self.fetch_all(sql, args).await?.into_iter().next())
    }

    /// Commit.
    pub async fn commit(self) -> Result<(), sqlx::Error> {
        match self {
            Tx::Sqlite(t) => t.commit().await,
            Tx::Postgres(t) => {
                let start = std::time::Instant::now();
                let r = t.commit().await;
                crate::metrics::DB_COMMIT_SECONDS
                    .with_label_values(&["postgres"])
                    .observe(start.elapsed().as_secs_f64());
                r
            }
        }
    }
}

/// Whether an error is a unique-constraint violation.
pub fn is_unique_violation(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Database(d) => d.is_unique_violation(),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::is_read_only;

    #[test]
    fn values_rows_number_the_placeholders_row_by_row() {
        use super::Backend::{Postgres, Sqlite};
        assert_eq!(super::values_rows(Postgres, 2, 1), "($1, $2)");
        assert_eq!(
            super::values_rows(Postgres, 3, 2),
            "($1, $2, $3), ($4, $5, $6)"
        );
        assert_eq!(super::values_rows(Sqlite, 3, 2), "(?, ?, ?), (?, ?, ?)");
    }

    #[test]
    fn statements_route_by_their_first_word() {
        assert!(is_read_only("SELECT id FROM payments"));
        assert!(is_read_only("  select 1"));
        assert!(!is_read_only("UPDATE t SET a = 1 RETURNING *"));
        assert!(!is_read_only("INSERT INTO t (a) SELECT 1 WHERE 1 = 1"));
        assert!(!is_read_only("sel"));
        // Not ASCII at the cut: no panic, not a read.
        assert!(!is_read_only("셀렉트 1"));
    }
}
