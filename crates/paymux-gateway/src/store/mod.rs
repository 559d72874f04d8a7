//! Storage: the only place with SQL text and column names.
//!
//! Each module owns one table (or two that always change together) and speaks in typed rows:
//! [`payments`], [`cancellations`], [`billing_keys`], [`schedules`], [`sessions`] (hosted
//! checkout), [`outbox`] (webhooks), [`groups`] (channel groups), [`reconcile`] (the
//! reconciler's leases), [`console`] (the operator console's sessions and what its pages
//! read), [`cash_receipts`] (standalone cash receipts). Every state change is one unit of work: a payment's row, its webhook outbox rows
//! and its schedule's row commit together. [`db`] runs the statements on SQLite
//! (one writer, group commit, `synchronous=FULL`) or PostgreSQL.

pub mod attempt_wire;
pub mod attempts;
pub mod auth_tokens;
pub mod backlog;
pub mod billing_key_search;
pub mod billing_keys;
pub mod cancellations;
pub mod cash_receipts;
pub mod console;
pub mod db;
pub mod diagnostics;
pub mod group_commit;
pub mod groups;
pub mod health;
#[cfg(test)]
mod list_plans;
pub mod list_query;
pub mod notices;
pub mod outbox;
pub mod payment_search;
pub mod payments;
pub mod preregistrations;
pub mod reconcile;
pub mod routing_stats;
pub mod schedules;
pub mod sessions;
pub mod virtual_accounts;
pub mod webhook_history;

use crate::domain::Destination;

impl Destination {
    /// From stored columns (`notice_urls_json`, `skip_webhook`).
    pub fn from_columns(notice_urls_json: Option<&str>, skip: bool) -> Self {
        Destination {
            notice_urls: notice_urls_json
                .and_then(|s| serde_json::from_str(s).ok())
                .unwrap_or_default(),
            skip,
        }
    }
}
