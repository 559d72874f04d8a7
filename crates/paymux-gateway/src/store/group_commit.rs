//! SQLite group commit: one writer connection, many short write transactions, one fsync.
//!
//! Every gateway write is a short transaction (claim a payment, record its outcome with its
//! webhook, …). With `synchronous=FULL`, each `COMMIT` waits for an fsync of the WAL — 0.2 ms on
//! a quiet disk, several ms on a busy one — and SQLite has one writer at a time, so with a
//! commit per transaction the disk, not the CPU, bounds payments per second and their p99.
//!
//! Here a caller's transaction is a `SAVEPOINT` inside one outer transaction that every caller
//! reaching the writer before the next commit shares. A flusher task takes its turn in the same
//! FIFO queue as the writers (the tokio mutex is fair), so everyone already waiting when a
//! caller finishes joins the batch, and then it `COMMIT`s once for all of them. A caller's
//! [`SqliteTx::commit`] returns only after that `COMMIT` is durable, so "committed" means what
//! it always meant. Callers of one batch share its fate: a failed `COMMIT` fails them all, and
//! none of them has acted on its write yet (nothing is sent to a PG before the claim's commit
//! returns). A transaction dropped without commit is rolled back to its savepoint by the next
//! holder of the connection, leaving the others' work in the batch intact.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Weak};

use sqlx::sqlite::SqliteConnection;
use tokio::sync::{watch, Mutex, Notify, OwnedMutexGuard};

/// A batch's result once committed (`None` while open). Errors are text: `sqlx::Error` is
/// not `Clone`, and every member gets one.
type BatchResult = Option<Result<(), String>>;

struct State {
    conn: SqliteConnection,
    /// The open outer transaction and the channel its members wait on.
    batch: Option<watch::Sender<BatchResult>>,
    /// A transaction was dropped without commit: its savepoint is still to be rolled back.
    abandoned: bool,
    /// Transactions begun in the open batch (`paymux_db_group_commit_batch_size`).
    members: u64,
}

impl State {
    async fn run(&mut self, sql: &str) -> Result<(), sqlx::Error> {
        sqlx::query(sql).execute(&mut self.conn).await.map(|_| ())
    }

    /// Roll back an abandoned transaction's savepoint (or, if that fails, the whole batch).
    async fn undo_abandoned(&mut self) {
        if !self.abandoned {
            return;
        }
        self.abandoned = false;
        let undone = match self.run("ROLLBACK TO w").await {
            Ok(()) => self.run("RELEASE w").await,
            Err(e) => Err(e),
        };
        if let Err(e) = undone {
            self.fail_batch(format!(
                "could not roll back a transaction of the batch: {e}"
            ))
            .await;
        }
    }

    /// Commit the open batch, if any, and tell its members. `true` when one was committed.
    async fn commit_batch(&mut self) -> bool {
        let Some(done) = self.batch.take() else {
            return false;
        };
        let result = match self.run("COMMIT").await {
            Ok(()) => Ok(()),
            // No transaction: a cancelled `begin` never sent BEGIN, so the batch's savepoint
            // was the outermost and its RELEASE already committed (SQLite's rule).
            Err(e) if e.to_string().contains("no transaction is active") => Ok(()),
            Err(e) => {
                // Left open by a failed COMMIT: undo it so the next batch starts clean.
                let _ = self.run("ROLLBACK").await;
                Err(format!("group commit failed: {e}"))
            }
        };
        let ok = result.is_ok();
        if ok {
            crate::metrics::GROUP_COMMIT_BATCH.observe(self.members as f64);
        }
        self.members = 0;
        done.send_replace(Some(result));
        ok
    }

    async fn fail_batch(&mut self, why: String) {
        if let Some(done) = self.batch.take() {
            let _ = self.run("ROLLBACK").await;
            self.members = 0;
            done.send_replace(Some(Err(why)));
        }
    }
}

struct Inner {
    state: Arc<Mutex<State>>,
    flush: Arc<Notify>,
    /// Batches committed so far (for tests and curiosity).
    commits: AtomicU64,
}

impl Drop for Inner {
    fn drop(&mut self) {
        // Lets the flusher see that the writer is gone and stop.
        self.flush.notify_one();
    }
}

/// The SQLite writer: one connection, transactions committed in groups (see the module docs).
#[derive(Clone)]
pub struct GroupWriter {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for GroupWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("GroupWriter")
    }
}

impl GroupWriter {
    /// Take `conn` as the writer and start its flusher (on the current tokio runtime).
    pub fn new(conn: SqliteConnection) -> GroupWriter {
        let inner = Arc::new(Inner {
            state: Arc::new(Mutex::new(State {
                conn,
                batch: None,
                abandoned: false,
                members: 0,
            })),
            flush: Arc::new(Notify::new()),
            commits: AtomicU64::new(0),
        });
        tokio::spawn(flusher(Arc::downgrade(&inner), inner.flush.clone()));
        GroupWriter { inner }
    }

    /// Start a write transaction (a savepoint in the current batch).
    pub async fn begin(&self) -> Result<SqliteTx, sqlx::Error> {
        let mut g = self.inner.state.clone().lock_owned().await;
        g.undo_abandoned().await;
        if g.batch.is_none() {
            // IMMEDIATE: another process writing the same file makes this wait (busy
            // timeout) instead of failing later on a lock upgrade.
            match g.run("BEGIN IMMEDIATE").await {
                Ok(()) => {}
                // A `begin` cancelled after sending BEGIN (its caller went away) left the
                // transaction open without a batch: carry on in it rather than wedge the writer.
                Err(e) if e.to_string().contains("within a transaction") => {}
                Err(e) => return Err(e),
            }
            g.batch = Some(watch::channel(None).0);
        }
        if let Err(e) = g.run("SAVEPOINT w").await {
            drop(g);
            self.inner.flush.notify_one();
            return Err(e);
        }
        g.members += 1;
        Ok(SqliteTx {
            guard: Some(g),
            writer: self.clone(),
        })
    }

    /// Commit whatever batch is open (at shutdown).
    pub async fn flush(&self) {
        let mut g = self.inner.state.lock().await;
        g.undo_abandoned().await;
        if g.commit_batch().await {
            self.inner.commits.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// How many batches were committed (each one fsync).
    pub fn commits(&self) -> u64 {
        self.inner.commits.load(Ordering::Relaxed)
    }
}

/// Commits batches: woken by every finished or abandoned transaction, it queues for the
/// connection behind the writers already waiting, then commits them all at once.
async fn flusher(writer: Weak<Inner>, flush: Arc<Notify>) {
    loop {
        flush.notified().await;
        let Some(inner) = writer.upgrade() else {
            return;
        };
        let mut g = inner.state.lock().await;
        g.undo_abandoned().await;
        if g.commit_batch().await {
            inner.commits.fetch_add(1, Ordering::Relaxed);
        }
    }
}

/// A write transaction on the SQLite writer. Holds the connection until [`SqliteTx::commit`]
/// or drop (drop = roll back, done by the connection's next holder).
pub struct SqliteTx {
    guard: Option<OwnedMutexGuard<State>>,
    writer: GroupWriter,
}

impl SqliteTx {
    /// The connection, inside this transaction's savepoint.
    pub fn conn(&mut self) -> &mut SqliteConnection {
        // The guard is only taken by commit, which consumes the transaction.
        &mut self.guard.as_mut().expect("a live transaction").conn
    }

    /// Release the savepoint and wait until the batch holding it is committed (durable).
    pub async fn commit(self) -> Result<(), sqlx::Error> {
        let start = std::time::Instant::now();
        let r = self.commit_inner().await;
        crate::metrics::DB_COMMIT_SECONDS
            .with_label_values(&["sqlite"])
            .observe(start.elapsed().as_secs_f64());
        r
    }

    async fn commit_inner(mut self) -> Result<(), sqlx::Error> {
        // However this ends (even cancelled mid-way), the flusher must look at the batch.
        let _wake = WakeFlusher(self.writer.inner.flush.clone());
        let mut g = self.guard.take().expect("a live transaction");
        if let Err(e) = g.run("RELEASE w").await {
            g.abandoned = true;
            drop(g);
            self.writer.inner.flush.notify_one();
            return Err(e);
        }
        let mut done = match &g.batch {
            Some(b) => b.subscribe(),
            None => return Err(sqlx::Error::Protocol("no open batch".into())),
        };
        drop(g);
        self.writer.inner.flush.notify_one();
        let result = match done.wait_for(Option::is_some).await {
            Ok(r) => r.clone().unwrap_or(Ok(())),
            Err(_) => Err("the writer stopped before committing".into()),
        };
        result.map_err(sqlx::Error::Protocol)
    }
}

/// Wakes the flusher when dropped.
struct WakeFlusher(Arc<Notify>);

impl Drop for WakeFlusher {
    fn drop(&mut self) {
        self.0.notify_one();
    }
}

impl Drop for SqliteTx {
    fn drop(&mut self) {
        if let Some(mut g) = self.guard.take() {
            g.abandoned = true;
            drop(g);
            self.writer.inner.flush.notify_one();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sqlx::sqlite::SqliteConnectOptions;
    use sqlx::{ConnectOptions as _, Row as _};

    async fn open() -> (GroupWriter, SqliteConnectOptions, std::path::PathBuf) {
        let path = std::env::temp_dir().join(format!(
            "paymux-group-commit-{}-{}.sqlite",
            std::process::id(),
            uuid::Uuid::new_v4().simple()
        ));
        let opts = SqliteConnectOptions::new()
            .filename(&path)
            .create_if_missing(true)
            .journal_mode(sqlx::sqlite::SqliteJournalMode::Wal);
        let mut conn = opts.connect().await.unwrap();
        sqlx::query("CREATE TABLE t (id INTEGER PRIMARY KEY)")
            .execute(&mut conn)
            .await
            .unwrap();
        (GroupWriter::new(conn), opts, path)
    }

    async fn ids(opts: &SqliteConnectOptions) -> Vec<i64> {
        // A separate connection sees only what was committed.
        let mut c = opts.connect().await.unwrap();
        sqlx::query("SELECT id FROM t ORDER BY id")
            .fetch_all(&mut c)
            .await
            .unwrap()
            .iter()
            .map(|r| r.get::<i64, _>("id"))
            .collect()
    }

    async fn insert(w: &GroupWriter, id: i64) -> Result<(), sqlx::Error> {
        let mut tx = w.begin().await?;
        sqlx::query("INSERT INTO t (id) VALUES ($1)")
            .bind(id)
            .execute(tx.conn())
            .await?;
        tx.commit().await
    }

    #[tokio::test]
    async fn concurrent_writers_share_commits_and_each_is_durable_when_commit_returns() {
        let (w, opts, path) = open().await;
        let tasks: Vec<_> = (0..50)
            .map(|i| {
                let (w, opts) = (w.clone(), opts.clone());
                tokio::spawn(async move {
                    insert(&w, i).await.unwrap();
                    // Committed means visible to another connection (and on disk).
                    assert!(ids(&opts).await.contains(&i), "row {i} not committed");
                })
            })
            .collect();
        for t in tasks {
            t.await.unwrap();
        }
        assert_eq!(ids(&opts).await, (0..50).collect::<Vec<_>>());
        let commits = w.commits();
        assert!(
            (1..50).contains(&commits),
            "{commits} commits for 50 writers"
        );
        let _ = std::fs::remove_file(path);
    }

    #[tokio::test]
    async fn a_begin_cancelled_halfway_does_not_wedge_the_writer() {
        let (w, opts, path) = open().await;
        // BEGIN sent, batch never recorded (the caller went away after sending it).
        w.inner
            .state
            .lock()
            .await
            .run("BEGIN IMMEDIATE")
            .await
            .unwrap();
        insert(&w, 1).await.unwrap();
        assert_eq!(ids(&opts).await, vec![1]);
        // A batch recorded, BEGIN never sent: the savepoint is the outermost transaction.
        w.inner.state.lock().await.batch = Some(watch::channel(None).0);
        insert(&w, 2).await.unwrap();
        insert(&w, 3).await.unwrap();
        assert_eq!(ids(&opts).await, vec![1, 2, 3]);
        let _ = std::fs::remove_file(path);
    }

    #[tokio::test]
    async fn a_failed_or_dropped_transaction_rolls_back_alone() {
        let (w, opts, path) = open().await;
        insert(&w, 1).await.unwrap();
        // A duplicate fails (the caller's `?` drops its transaction) ...
        let dup = insert(&w, 1).await.unwrap_err();
        assert!(crate::store::db::is_unique_violation(&dup), "{dup}");
        // ... and one dropped after writing leaves nothing, while a transaction of the same
        // batch commits.
        let mut dropped = w.begin().await.unwrap();
        sqlx::query("INSERT INTO t (id) VALUES (2)")
            .execute(dropped.conn())
            .await
            .unwrap();
        let next = tokio::spawn({
            let w = w.clone();
            async move { insert(&w, 3).await }
        });
        tokio::task::yield_now().await;
        drop(dropped);
        next.await.unwrap().unwrap();
        w.flush().await;
        assert_eq!(ids(&opts).await, vec![1, 3]);
        let _ = std::fs::remove_file(path);
    }
}
