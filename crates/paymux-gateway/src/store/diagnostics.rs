//! Where the diagnostic rows go: [`super::attempt_wire`] (the console's wire views) and
//! [`super::routing_stats`] (routing events), written in the background about payments rather
//! than as part of them.
//!
//! On SQLite they live in a file of their own beside the database (`NAME.diagnostics.EXT`
//! beside `NAME.EXT`), with its own writer and committed without an fsync. SQLite has one
//! writer per file: in the main file, every payment's claim waited behind these writes and each
//! commit rewrote their tables' last pages too, which cost the payment path 15–20 % of its
//! throughput (docs/BENCHMARKS.md §5e–5f). A crash of the machine may lose the last moments of
//! diagnostics; it cannot lose a payment. On PostgreSQL, where writers do not queue behind each
//! other, they stay in the main database.

use std::str::FromStr;

use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{ConnectOptions as _, Connection as _};

use super::db::{sqlite_path, Db, Durability};

/// The diagnostics file's schema (its own `_sqlx_migrations`): the main database's own
/// definitions of these tables and their indexes, so a moved row fits column for column.
/// Version 8 also creates `channel_health`, which stays empty here.
const MIGRATIONS: &[(i64, &str, &str)] = &[
    (
        1,
        "routing_stats",
        include_str!("../../migrations/0008_routing_stats.sql"),
    ),
    (
        2,
        "attempt_wire_views",
        include_str!("../../migrations/0013_attempt_wire_views.sql"),
    ),
    (
        3,
        "attempt_wire_by_claim",
        include_str!("../../migrations/0020_attempt_wire_by_claim.sql"),
    ),
];

/// The tables that moved here, with their columns.
const MOVED: &[(&str, &str)] = &[
    (
        "attempt_wire",
        "id, payment_id, transaction_id, channel_key, operation, request_view, answer_view, took_us, at",
    ),
    (
        "routing_events",
        "id, at, group_id, channel_key, payment_id, event, attempt_no, outcome, decline_kind, \
         failed_over, latency_bucket, rule",
    ),
];

/// The diagnostics store for the database at `url` (already open as `main`): on SQLite the
/// file beside it, opened and migrated, with the rows an earlier version wrote into the main
/// file moved over; on PostgreSQL `main` itself.
pub async fn open(url: &str, main: &Db) -> anyhow::Result<Db> {
    let Some(path) = sqlite_path(url) else {
        return Ok(main.clone());
    };
    let file = diagnostics_file(path);
    let db = Db::open_sqlite(&file, Durability::ProcessCrash).await?;
    db.migrate(MIGRATIONS).await?;
    move_earlier_rows(path, &file)
        .await
        .map_err(|e| anyhow::anyhow!("move diagnostics into `{file}`: {e}"))?;
    Ok(db)
}

/// The diagnostics file for the SQLite file `path` (which may carry `?options`, kept):
/// `.diagnostics` goes before the extension, or after a name without one.
pub fn diagnostics_file(path: &str) -> String {
    let (file, options) = match path.split_once('?') {
        Some((f, o)) => (f, Some(o)),
        None => (path, None),
    };
    let name_at = file.rfind(['/', '\\']).map_or(0, |i| i + 1);
    let mut out = match file[name_at..].rfind('.') {
        Some(dot) if dot > 0 => {
            let dot = name_at + dot;
            format!("{}.diagnostics{}", &file[..dot], &file[dot..])
        }
        _ => format!("{file}.diagnostics"),
    };
    if let Some(o) = options {
        out.push('?');
        out.push_str(o);
    }
    out
}

/// Move rows the main file holds (written before diagnostics had a file of their own) into the
/// diagnostics file. Copy first, then delete: a crash in between leaves copies that the next
/// start skips (same ids).
async fn move_earlier_rows(main_path: &str, diagnostics_path: &str) -> Result<(), sqlx::Error> {
    let main_file = main_path.split_once('?').map_or(main_path, |(f, _)| f);
    let mut conn = SqliteConnectOptions::from_str(&format!("sqlite://{diagnostics_path}"))?
        .busy_timeout(std::time::Duration::from_secs(30))
        .connect()
        .await?;
    sqlx::query("ATTACH DATABASE $1 AS earlier")
        .bind(main_file)
        .execute(&mut conn)
        .await?;
    for (table, columns) in MOVED {
        let held: Option<i64> =
            sqlx::query_scalar(&format!("SELECT 1 FROM earlier.{table} LIMIT 1"))
                .fetch_optional(&mut conn)
                .await?;
        if held.is_none() {
            continue;
        }
        sqlx::query(&format!(
            "INSERT OR IGNORE INTO main.{table} ({columns}) SELECT {columns} FROM earlier.{table}"
        ))
        .execute(&mut conn)
        .await?;
        let moved = sqlx::query(&format!("DELETE FROM earlier.{table}"))
            .execute(&mut conn)
            .await?
            .rows_affected();
        tracing::info!(table, moved, "moved diagnostics into their own file");
    }
    sqlx::query("DETACH DATABASE earlier")
        .execute(&mut conn)
        .await?;
    conn.close().await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::attempt_wire::{self, AttemptWireRow};
    use crate::store::routing_stats::{self, EventKind, RoutingEvent};

    #[test]
    fn the_file_sits_beside_the_database() {
        assert_eq!(diagnostics_file("gw.sqlite"), "gw.diagnostics.sqlite");
        assert_eq!(
            diagnostics_file("/var/lib/paymux/pay.db?mode=rwc"),
            "/var/lib/paymux/pay.diagnostics.db?mode=rwc"
        );
        assert_eq!(diagnostics_file("data/paymux"), "data/paymux.diagnostics");
        assert_eq!(
            diagnostics_file("./v1.2/paymux"),
            "./v1.2/paymux.diagnostics"
        );
        assert_eq!(diagnostics_file(".paymux"), ".paymux.diagnostics");
        assert_eq!(
            diagnostics_file(r"C:\v1.2\paymux"),
            r"C:\v1.2\paymux.diagnostics"
        );
    }

    fn wire_row(id: &str) -> AttemptWireRow {
        AttemptWireRow {
            id: id.into(),
            payment_id: "payment-earlier".into(),
            transaction_id: "tx".into(),
            channel_key: "galaxia-test".into(),
            operation: "payment.instant".into(),
            request_view: "{}".into(),
            answer_view: "{}".into(),
            took_us: 1,
            at: 1,
        }
    }

    #[tokio::test]
    async fn rows_an_earlier_version_wrote_into_the_database_move_to_the_file_once() {
        let dir = std::env::temp_dir().join(format!("paymux-diag-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        let url = format!("sqlite://{}", dir.join("gw.sqlite").display());
        let main = Db::connect(&url).await.unwrap();
        attempt_wire::insert(&main, &[wire_row("w1"), wire_row("w2")])
            .await
            .unwrap();
        let event = RoutingEvent {
            id: "e1".into(),
            at: 5,
            group_id: "g".into(),
            channel_key: "galaxia-test".into(),
            payment_id: "payment-earlier".into(),
            kind: EventKind::Refused {
                rule: "amount.total: over the limit".into(),
            },
        };
        routing_stats::insert(&main, &[event]).await.unwrap();

        let diagnostics = open(&url, &main).await.unwrap();
        assert!(dir.join("gw.diagnostics.sqlite").exists());
        // The money state waits for the disk at every commit; diagnostics do not.
        assert_eq!(synchronous(&main).await, 2, "FULL");
        assert_eq!(synchronous(&diagnostics).await, 1, "NORMAL");
        // Reads take a connection without a ping: an in-process connection cannot go stale.
        for db in [&main, &diagnostics] {
            let Db::Sqlite { readers, .. } = db else {
                panic!("an SQLite store")
            };
            assert!(!readers.options().get_test_before_acquire());
        }
        let moved = attempt_wire::for_claims(&diagnostics, "payment-earlier", &["tx"])
            .await
            .unwrap();
        assert_eq!(moved, vec![wire_row("w1"), wire_row("w2")]);
        assert_eq!(
            routing_stats::count_refusals(&diagnostics, "g", 0)
                .await
                .unwrap(),
            vec![(
                "galaxia-test".to_string(),
                "amount.total: over the limit".to_string(),
                1
            )]
        );
        // Gone from the database, and a second start finds nothing to move.
        assert!(attempt_wire::for_claims(&main, "payment-earlier", &["tx"])
            .await
            .unwrap()
            .is_empty());
        assert_eq!(
            routing_stats::count_payments(&main, "g", 0).await.unwrap(),
            0
        );
        diagnostics.close().await;
        let again = open(&url, &main).await.unwrap();
        assert_eq!(
            attempt_wire::for_claims(&again, "payment-earlier", &["tx"])
                .await
                .unwrap()
                .len(),
            2
        );
        // New rows go to the file, not to the database.
        attempt_wire::insert(&again, &[wire_row("w3")])
            .await
            .unwrap();
        assert_eq!(
            attempt_wire::for_claims(&main, "payment-earlier", &["tx"])
                .await
                .unwrap()
                .len(),
            0
        );
        again.close().await;
        main.close().await;
        let _ = std::fs::remove_dir_all(dir);
    }

    async fn synchronous(db: &Db) -> i64 {
        let row = db
            .fetch_optional("PRAGMA synchronous", Vec::new())
            .await
            .unwrap()
            .unwrap();
        row.req_int("synchronous").unwrap()
    }

    #[tokio::test]
    async fn postgres_commits_diagnostics_without_waiting_for_the_disk() {
        let base = std::env::var("PAYMUX_TEST_POSTGRES_URL")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into());
        let pool = sqlx::postgres::PgPoolOptions::new()
            .max_connections(1)
            .acquire_timeout(std::time::Duration::from_secs(3))
            .connect(&base)
            .await;
        let db = match pool {
            Ok(p) => Db::Postgres(p),
            Err(e) => {
                assert!(
                    std::env::var_os("CI").is_none(),
                    "PostgreSQL at {base} is unreachable ({e}); CI must run the PostgreSQL variants"
                );
                eprintln!("!!! SKIPPED: PostgreSQL at {base} is unreachable ({e})");
                return;
            }
        };
        let tx = db.begin_background().await.unwrap();
        assert_eq!(synchronous_commit(tx).await, "off");
        // For that transaction only: the payments' own transactions still wait.
        let tx = db.begin().await.unwrap();
        assert_ne!(synchronous_commit(tx).await, "off");
        db.close().await;
    }

    /// PostgreSQL's `synchronous_commit` inside `tx`, which is then committed.
    async fn synchronous_commit(mut tx: crate::store::db::Tx) -> String {
        let row = tx
            .fetch_optional(
                "SELECT current_setting('synchronous_commit') AS v",
                Vec::new(),
            )
            .await
            .unwrap()
            .unwrap();
        tx.commit().await.unwrap();
        row.req_text("v").unwrap()
    }
}
