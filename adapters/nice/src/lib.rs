//! # paymux-nice: Nice
//!
//! Scaffolded by `cargo xtask new-adapter nice`. Nothing is implemented yet: every
//! operation answers "not implemented yet: see CONTRIBUTING.md" and the conformance test
//! (`tests/conformance.rs`) fails until it is. Modules are laid out by job, as in
//! `adapters/galaxia`, and never import in a circle (`paymux-testkit`'s layout test checks):
//!
//! | file | what it holds |
//! |---|---|
//! | [`protocol`] | hosts, ports, commands, field names, fixed values, the decline table |
//! | [`frame`] | the vendor's wire structs and their exact bytes (no mapping logic) |
//! | [`channel`] | credentials and options read from the channel |
//! | [`rules`] | the PG's validation rules (limits read from [`DESCRIPTOR`]) and resolutions both validation and encoding need |
//! | [`encode`] / [`decode`] | unified request ⇄ wire structs, per operation (documented and **reconstructed**, each marked) |
//! | [`reconstructed`] | the list of every part of the format public material does not show, and why |
//! | `simulator` | the vendor simulator: protocol handlers only, on `paymux_core::simulator`'s server and ledger |
//!
//! A PG with a payment window adds `checkout` (form fields and the window's return), as
//! Galaxia and Smartro do, and serves the window from its simulator with
//! `paymux_core::simulator::window`.
//!
//! The simulator is compiled with the default-on `simulator` feature (or whenever
//! `paymux-core`'s is on, as the facade's `simulators` feature turns it on):
//! `paymux_core::with_simulator!` gates it, so a production build leaves it out.
#![warn(missing_docs)]

use std::sync::Arc;

use paymux_core::adapter::{
    AdapterDescriptor, Capabilities, Capability, EncodeContext, Maturity, Method, Operation,
    PgAdapter, PgRequest, TransportKind, WireRequest, WireResponse,
};
use paymux_core::channel::ChannelContext;
use paymux_core::error::PgError;
use paymux_core::outcome::Outcome;

pub mod channel;
pub mod decode;
pub mod encode;
pub mod frame;
pub mod protocol;
pub mod reconstructed;
pub mod rules;

paymux_core::with_simulator! {
    pub mod simulator;
    pub use simulator::NiceSimulator;
}

/// Adapter id: the channel `adapter` value and the facade's cargo feature.
pub const ADAPTER_ID: &str = "nice";

/// What Nice can do, as data. Validation, routing and the conformance suite all read
/// it: declare only what is implemented and exercised (see CONTRIBUTING.md).
pub static DESCRIPTOR: AdapterDescriptor = AdapterDescriptor {
    id: ADAPTER_ID,
    // TODO: PortOne's `PgProvider` value for this PG.
    pg_provider: "NICE",
    display_name: "Nice",
    // TODO: `Tcp` for socket PGs.
    transport: TransportKind::Http,
    // Draft: the sandbox demo group gives this adapter weight 0 (no share of its traffic).
    // Flip to `Maturity::Ready` once `cargo test -p paymux-nice --no-fail-fast` passes,
    // conformance test included.
    maturity: Maturity::Draft,
    credentials: channel::CREDENTIALS,
    options: channel::OPTIONS,
    capabilities: Capabilities {
        // The one operation the scaffold declares, so the conformance suite has something to
        // run: it fails until `encode`/`decode` and the simulator implement it.
        operations: &[Capability {
            operation: Operation::PaymentInstant,
            methods: &[Method::Card],
        }],
        currencies: &["KRW"],
        field_limits: &[],
        partial_cancel: false,
        max_partial_cancels: None,
    },
};

/// The Nice adapter: a pure translator with no state.
#[derive(Debug, Clone, Copy, Default)]
pub struct NiceAdapter;

impl PgAdapter for NiceAdapter {
    fn descriptor(&self) -> &'static AdapterDescriptor {
        &DESCRIPTOR
    }

    fn validate(&self, channel: &ChannelContext, req: &PgRequest) -> Result<(), PgError> {
        rules::validate(channel, req)
    }

    fn encode(&self, ctx: &EncodeContext<'_>, req: &PgRequest) -> Result<WireRequest, PgError> {
        encode::encode(ctx, req)
    }

    fn decode(
        &self,
        ctx: &EncodeContext<'_>,
        req: &PgRequest,
        sent: &WireRequest,
        resp: &WireResponse,
    ) -> Result<Outcome, PgError> {
        decode::decode(ctx, req, sent, resp)
    }
}

/// The error every unimplemented operation answers.
pub fn not_implemented(what: impl std::fmt::Display) -> PgError {
    PgError::Unsupported {
        adapter: ADAPTER_ID,
        what: format!("{what}: not implemented yet: see CONTRIBUTING.md"),
    }
}

paymux_core::inventory::submit! {
    paymux_core::registry::AdapterRegistration {
        descriptor: &DESCRIPTOR,
        adapter: || Arc::new(NiceAdapter),
        simulator: paymux_core::simulator_factory!(|| Arc::new(NiceSimulator::default())),
    }
}
