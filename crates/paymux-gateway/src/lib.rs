//! # paymux-gateway
//!
//! The PortOne-V2-compatible HTTP gateway of paymux (`paymux serve`): PortOne's paths, request
//! and response shapes, errors and webhooks, in front of every PG adapter linked in the build.
//!
//! The crate is layered; each layer imports only the ones below it, and everything below
//! [`http`] is private to the crate (docs/ARCHITECTURE.md):
//!
//! - [`http`]: axum handlers and the customer's checkout pages — parse, call an operation,
//!   answer with its view. [`server`] wires it up ([`serve()`], [`start`], the sandbox).
//! - [`console`]: the operator console at `/console` (server-rendered pages over the same
//!   operations).
//! - operations: `payments`, `cancel`, `billing_keys`, `schedules`, `checkout`, `groups`, and
//!   the workers `reconciler` and `webhooks` (durable, signed delivery).
//! - `flow`: the one payment pipeline — precheck, claim, attempts with failover, settle,
//!   record. A payment row is written before any PG is called, so duplicate requests reach
//!   the PG once.
//! - `views`: PortOne's response objects as serde structs built from typed rows.
//! - `store`: the only place with SQL: typed rows and one unit of work per state change, on
//!   SQLite (default) or PostgreSQL (several instances on one database).
//! - `domain`: statuses and kinds as enums, the typed failure, payment transitions.
//!
//! ```no_run
//! # async fn f() -> anyhow::Result<()> {
//! paymux_gateway::serve(paymux_gateway::ServeOptions::default()).await // sandbox
//! # }
//! ```
#![warn(missing_docs)]

pub(crate) mod auth;
pub(crate) mod banks;
pub(crate) mod billing_key_list;
pub(crate) mod billing_keys;
pub(crate) mod browser;
pub(crate) mod cancel;
pub(crate) mod cash_receipt_list;
pub(crate) mod cash_receipts;
pub mod channels;
pub(crate) mod checkout;
pub mod config;
pub mod console;
pub(crate) mod domain;
pub mod error;
pub(crate) mod escrow;
pub(crate) mod events;
pub(crate) mod flow;
pub(crate) mod groups;
pub mod health;
pub mod http;
pub(crate) mod list;
pub(crate) mod lookups;
pub(crate) mod mask;
pub mod metrics;
pub(crate) mod notices;
pub(crate) mod payment_list;
pub(crate) mod payments;
pub mod pgcall;
pub(crate) mod reconciler;
pub mod sandbox;
pub(crate) mod schedule_list;
pub(crate) mod schedules;
pub mod serve;
pub mod server;
pub(crate) mod stale_keys;
pub mod state;
pub mod stats;
pub(crate) mod store;
pub mod throttle;
pub(crate) mod util;
pub(crate) mod views;
pub(crate) mod virtual_account;
pub(crate) mod webhook_history;
pub(crate) mod webhooks;
pub mod wire_log;

pub use config::{FileConfig, ServeOptions, Tuning};
pub use error::ApiError;
/// The HTTP layer under its earlier name (`api::ROUTES`, `api::OPENAPI`).
pub use http as api;
pub use server::{serve, start, start_sandbox, GatewayOptions, RunningGateway, Sandbox};
