//! # paymux-core
//!
//! The small core every paymux crate builds on:
//!
//! - [`model`]: the unified request model — PortOne V2 request bodies as Rust types.
//! - [`money`]: integer money, currencies and the VAT rule.
//! - [`adapter`]: the [`PgAdapter`] contract — a pure translator from a
//!   unified operation to a [`WireRequest`] and back to an
//!   [`Outcome`].
//! - [`outcome`]: honest outcomes (approved, declined with a normalized kind, unknown, ...).
//! - [`transport`]: HTTP and raw-TCP transports that move the bytes.
//! - [`wire`]: the wire toolkit shared by adapters (strict EUC-KR, fixed-width fields, TLV
//!   records, form encoding, hashes, AES/SEED-CBC).
//! - [`registry`]: adapters register themselves with `inventory`.
//! - [`display`]: amounts, bank names and decline reasons as shoppers read them (Korean).
//! - [`secret`] and [`validation`]: masked secrets and field-path validation errors.
#![warn(missing_docs)]

pub mod adapter;
pub mod channel;
pub mod display;
pub mod error;
pub mod execute;
pub mod html;
pub mod model;
pub mod money;
pub mod outcome;
pub mod registry;
pub mod secret;
pub mod simulator;
pub mod transport;
pub mod validation;
pub mod wire;

pub use adapter::{
    AdapterDescriptor, Capabilities, Capability, EncodeContext, FieldLimit, LimitUnit, Maturity,
    Method, Operation, PgAdapter, PgRequest, TransportKind, WireRequest, WireResponse, WireTarget,
    WireView,
};
pub use channel::{ChannelContext, Environment};
pub use error::PgError;
pub use money::{Currency, Money};
pub use outcome::{DeclineKind, Outcome};
pub use secret::Secret;
pub use validation::{FieldPath, ValidationError, ValidationErrors};

/// Re-exported so adapters can `inventory::submit!` without their own dependency.
pub use inventory;
