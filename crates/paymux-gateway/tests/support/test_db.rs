//! A throwaway database for one gateway test: an SQLite file in a temp directory, or a schema
//! of its own in PostgreSQL's `test` database. Shared by the `gateway` and `checkout` test
//! binaries (`#[path]`-included, so each keeps a single test binary).

use std::path::PathBuf;
use std::time::Duration;

use sqlx::Connection;

/// Which backend a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// What to remove afterwards.
pub enum Cleanup {
    Dir(PathBuf),
    Schema { base: String, schema: String },
}

/// PostgreSQL server URL (`PAYMUX_TEST_POSTGRES_URL`, default the local `test` database).
pub fn pg_base() -> String {
    std::env::var("PAYMUX_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into())
}

/// Create the database; returns its URL. `None` (after a loud notice) when PostgreSQL is
/// unreachable — and under `CI` that is a test failure, not a skip.
pub async fn create(backend: Backend, prefix: &str) -> Option<(String, Cleanup)> {
    let id = uuid::Uuid::new_v4().simple();
    match backend {
        Backend::Sqlite => {
            let dir = std::env::temp_dir().join(format!("paymux-{prefix}-test-{id}"));
            std::fs::create_dir_all(&dir).unwrap();
            Some((
                format!("sqlite://{}", dir.join("gw.sqlite").display()),
                Cleanup::Dir(dir),
            ))
        }
        Backend::Postgres => {
            let base = pg_base();
            let conn =
                tokio::time::timeout(Duration::from_secs(3), sqlx::PgConnection::connect(&base))
                    .await;
            let mut conn = match conn {
                Ok(Ok(c)) => c,
                Ok(Err(e)) => return skip_notice(&base, &e.to_string()),
                Err(_) => return skip_notice(&base, "connect timed out"),
            };
            let schema = format!("paymux_{prefix}_{id}");
            sqlx::query(&format!("CREATE SCHEMA {schema}"))
                .execute(&mut conn)
                .await
                .unwrap();
            let _ = conn.close().await;
            let sep = if base.contains('?') { '&' } else { '?' };
            Some((
                format!("{base}{sep}options=-c%20search_path%3D{schema}"),
                Cleanup::Schema { base, schema },
            ))
        }
    }
}

/// Remove what [`create`] made.
pub async fn remove(cleanup: Cleanup) {
    match cleanup {
        Cleanup::Dir(d) => {
            let _ = std::fs::remove_dir_all(d);
        }
        Cleanup::Schema { base, schema } => {
            if let Ok(mut c) = sqlx::PgConnection::connect(&base).await {
                let _ = sqlx::query(&format!("DROP SCHEMA {schema} CASCADE"))
                    .execute(&mut c)
                    .await;
            }
        }
    }
}

fn skip_notice<T>(url: &str, why: &str) -> Option<T> {
    // CI must exercise both backends: there a missing server is a failure, not a skip.
    assert!(
        std::env::var_os("CI").is_none(),
        "PostgreSQL at {url} is unreachable ({why}); CI must run the PostgreSQL variants"
    );
    eprintln!(
        "\n!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n\
         !!! SKIPPED: PostgreSQL at {url} is unreachable ({why}).\n\
         !!! The PostgreSQL variant of this test did not run. Set PAYMUX_TEST_POSTGRES_URL.\n\
         !!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n"
    );
    None
}
