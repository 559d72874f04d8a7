//! # paymux-gateway
//!
//! The PortOne-V2-compatible HTTP gateway of paymux (`paymux serve`): PortOne's paths, request
//! and response shapes, errors and webhooks, in front of every PG adapter linked in the build.
//!
//! - [`domain`]: statuses and kinds as enums, the typed failure, payment transitions.
//! - [`http`]: the HTTP surface (PortOne V2 paths + the admin endpoints): parse, call the
//!   operation, answer with its view.
//! - [`checkout`]: hosted checkout — payment windows for the browser (`POST
//!   /checkout/sessions`, the hand-off page, the PG's return).
//! - [`payments`], [`cancel`], [`billing_keys`], [`schedules`]: the operations. Payments run
//!   through one pipeline, [`flow`]: a payment row is written before any PG is called, so
//!   duplicate requests reach the PG once.
//! - [`reconciler`]: resolves unknown outcomes by asking the PG, never by guessing.
//! - [`webhooks`]: durable outbox + Standard-Webhooks-signed delivery with retries.
//! - [`groups`]: channel groups (smart routing) stored in the database.
//! - `store`: the only place with SQL: typed rows and one unit of work per state change, on
//!   SQLite (default) or PostgreSQL (several instances on one database).
//! - [`server`]: startup, the sandbox, [`serve`].
//!
//! ```no_run
//! # async fn f() -> anyhow::Result<()> {
//! paymux_gateway::serve(paymux_gateway::ServeOptions::default()).await // sandbox
//! # }
//! ```
#![warn(missing_docs)]

pub mod billing_keys;
pub mod cancel;
pub mod channels;
pub mod checkout;
pub mod config;
pub mod domain;
pub mod error;
pub mod flow;
pub mod groups;
pub mod http;
pub mod payments;
pub mod reconciler;
pub mod schedules;
pub mod server;
pub mod state;
pub(crate) mod store;
pub mod util;
pub(crate) mod views;
pub mod webhooks;

pub use config::{FileConfig, ServeOptions, Tuning};
pub use error::ApiError;
/// The HTTP layer under its earlier name.
pub use http as api;
pub use server::{serve, start, start_sandbox, GatewayOptions, RunningGateway, Sandbox};
