//! `--fill`: bulk-load generated payments into a gateway's database (schema made by the
//! gateway's own migrations: the caller started `paymux serve` on it first).
//!
//! SQLite: multi-row `INSERT`s in large transactions on one connection with
//! `synchronous = OFF` (a bench fill, not a payment). PostgreSQL: `COPY … FROM STDIN`, then
//! `VACUUM ANALYZE` as autovacuum would do after such a load.

use std::str::FromStr;
use std::time::Instant;

use sqlx::postgres::PgConnection;
use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection};
use sqlx::{ConnectOptions as _, Connection as _};

use crate::data::{self, Channel, V};

/// The gateway's channels (`GET /channels`), as its payments store them.
pub async fn channels(base: &str, secret: &str) -> Result<Vec<Channel>, String> {
    let v: serde_json::Value = reqwest::Client::builder()
        .no_proxy()
        .timeout(std::time::Duration::from_secs(30))
        .build()
        .map_err(|e| e.to_string())?
        .get(format!("{base}/channels"))
        .header("Authorization", format!("PortOne {secret}"))
        .send()
        .await
        .map_err(|e| format!("GET /channels: {e}"))?
        .json()
        .await
        .map_err(|e| format!("GET /channels: {e}"))?;
    let items = v["items"].as_array().ok_or("GET /channels: no items")?;
    let channels: Vec<Channel> = items
        .iter()
        .filter_map(|c| {
            let mut selected = c.as_object()?.clone();
            let adapter = selected.remove("adapter")?.as_str()?.to_string();
            // The stored `SelectedChannel` keeps the gateway's key order.
            let json = serde_json::json!({
                "type": selected.get("type")?, "key": selected.get("key")?,
                "name": selected.get("name")?, "pgProvider": selected.get("pgProvider")?,
                "pgMerchantId": selected.get("pgMerchantId")?,
            });
            Some(Channel {
                key: selected.get("key")?.as_str()?.to_string(),
                adapter,
                json: json.to_string(),
            })
        })
        .collect();
    if channels.is_empty() {
        return Err("GET /channels: the gateway has no channels".into());
    }
    Ok(channels)
}

/// Load `n` payments (and their cancellations) into `database`.
pub async fn fill(
    database: &str,
    channels: &[Channel],
    seed: u64,
    n: u64,
    now_us: i64,
) -> Result<(), String> {
    let started = Instant::now();
    let times = data::request_times(seed, n, now_us);
    let rows = (0..n).map(|i| data::payment(seed, i, times[i as usize], now_us, channels));
    let cancels = if database.starts_with("postgres") {
        fill_postgres(database, rows).await?
    } else {
        fill_sqlite(database, rows).await?
    };
    eprintln!(
        "list-bench: loaded {n} payments and {cancels} cancellations in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

fn progress(i: u64) {
    if i > 0 && i % 200_000 == 0 {
        eprintln!("list-bench: {i} rows");
    }
}

async fn fill_postgres(
    url: &str,
    rows: impl Iterator<Item = (Vec<V>, Option<Vec<V>>)>,
) -> Result<u64, String> {
    let mut conn = PgConnection::connect(url)
        .await
        .map_err(|e| format!("connect to {url}: {e}"))?;
    let mut cancels = Vec::new();
    let payments = (0u64..).zip(rows).map(|(i, (row, cancel))| {
        progress(i);
        cancels.extend(cancel);
        row
    });
    copy(&mut conn, "payments", data::PAYMENT_COLUMNS, payments).await?;
    let ncancel = cancels.len() as u64;
    copy(
        &mut conn,
        "cancellations",
        data::CANCELLATION_COLUMNS,
        cancels.into_iter(),
    )
    .await?;
    eprintln!("list-bench: VACUUM ANALYZE");
    // One statement each: several in one string would run in a transaction block.
    for table in ["payments", "cancellations"] {
        sqlx::raw_sql(&format!("VACUUM ANALYZE {table}"))
            .execute(&mut conn)
            .await
            .map_err(|e| format!("VACUUM ANALYZE {table}: {e}"))?;
    }
    Ok(ncancel)
}

/// `COPY table (columns) FROM STDIN` of `rows`, sent in 4 MiB pieces.
async fn copy(
    conn: &mut PgConnection,
    table: &str,
    columns: &[&str],
    rows: impl Iterator<Item = Vec<V>>,
) -> Result<(), String> {
    let err = |e: sqlx::Error| format!("COPY {table}: {e}");
    let sql = format!("COPY {table} ({}) FROM STDIN", columns.join(", "));
    let mut copy = conn.copy_in_raw(&sql).await.map_err(err)?;
    let mut buf = String::with_capacity(4 << 20);
    for row in rows {
        data::copy_line(&row, &mut buf);
        if buf.len() > (4 << 20) - 8192 {
            copy.send(buf.as_bytes()).await.map_err(err)?;
            buf.clear();
        }
    }
    copy.send(buf.as_bytes()).await.map_err(err)?;
    copy.finish().await.map_err(err)?;
    Ok(())
}

/// Rows per SQLite `INSERT` (45 columns × 20 stays under SQLite's 32,766 parameters).
const SQLITE_BATCH: usize = 20;

async fn fill_sqlite(
    url: &str,
    rows: impl Iterator<Item = (Vec<V>, Option<Vec<V>>)>,
) -> Result<u64, String> {
    let path = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .unwrap_or(url);
    let mut conn: SqliteConnection = SqliteConnectOptions::from_str(&format!("sqlite://{path}"))
        .map_err(|e| e.to_string())?
        .pragma("synchronous", "OFF")
        .pragma("cache_size", "-262144")
        .connect()
        .await
        .map_err(|e| format!("open {path}: {e}"))?;
    let mut batch: Vec<Vec<V>> = Vec::with_capacity(SQLITE_BATCH);
    let mut cancels: Vec<Vec<V>> = Vec::new();
    let mut ncancel = 0;
    let mut tx_rows = 0;
    sqlx::raw_sql("BEGIN")
        .execute(&mut conn)
        .await
        .map_err(|e| e.to_string())?;
    for (i, (row, cancel)) in (0u64..).zip(rows) {
        batch.push(row);
        if let Some(c) = cancel {
            cancels.push(c);
        }
        if batch.len() == SQLITE_BATCH {
            insert(&mut conn, "payments", data::PAYMENT_COLUMNS, &batch).await?;
            tx_rows += batch.len();
            batch.clear();
        }
        if cancels.len() == SQLITE_BATCH {
            insert(
                &mut conn,
                "cancellations",
                data::CANCELLATION_COLUMNS,
                &cancels,
            )
            .await?;
            ncancel += cancels.len() as u64;
            cancels.clear();
        }
        if tx_rows >= 50_000 {
            sqlx::raw_sql("COMMIT; BEGIN")
                .execute(&mut conn)
                .await
                .map_err(|e| e.to_string())?;
            tx_rows = 0;
        }
        progress(i);
    }
    insert(&mut conn, "payments", data::PAYMENT_COLUMNS, &batch).await?;
    insert(
        &mut conn,
        "cancellations",
        data::CANCELLATION_COLUMNS,
        &cancels,
    )
    .await?;
    ncancel += cancels.len() as u64;
    sqlx::raw_sql("COMMIT; PRAGMA wal_checkpoint(TRUNCATE)")
        .execute(&mut conn)
        .await
        .map_err(|e| e.to_string())?;
    conn.close().await.map_err(|e| e.to_string())?;
    Ok(ncancel)
}

async fn insert(
    conn: &mut SqliteConnection,
    table: &str,
    columns: &[&str],
    rows: &[Vec<V>],
) -> Result<(), String> {
    if rows.is_empty() {
        return Ok(());
    }
    let one = format!("({})", vec!["?"; columns.len()].join(", "));
    let sql = format!(
        "INSERT INTO {table} ({}) VALUES {}",
        columns.join(", "),
        vec![one.as_str(); rows.len()].join(", ")
    );
    let mut q = sqlx::query(&sql);
    for v in rows.iter().flatten() {
        q = match v {
            V::T(s) => q.bind(s.clone()),
            V::I(x) => q.bind(*x),
        };
    }
    q.execute(&mut *conn)
        .await
        .map_err(|e| format!("INSERT INTO {table}: {e}"))?;
    Ok(())
}
