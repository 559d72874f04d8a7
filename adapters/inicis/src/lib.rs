//! # paymux-inicis: KG Inicis (INIAPI and the standard window)
//!
//! Translates unified (PortOne V2) requests into KG Inicis' server API (INIAPI, v1 form and
//! v2 JSON) and its standard payment window (INIStdPay), and ships an Inicis simulator. Its
//! shape follows `adapters/galaxia` and `adapters/smartro`:
//!
//! | file | what it holds |
//! |---|---|
//! | [`protocol`] | hosts, paths, `type` values, result codes, IDC table, masking, the decline table |
//! | [`frame`] | v1 form, v2 JSON, `[ENC]` AES-128-CBC, SHA-512 `hashData`, window signatures |
//! | [`channel`] | MIDs, INIAPI key / IV, signKey, base URL, allowed approval hosts |
//! | [`rules`] | Inicis' validation rules (limits read from [`DESCRIPTOR`]) and the cancel plan |
//! | [`checkout`] | the window form (`checkout.prepare`), the return check and approval (`checkout.complete`), the net cancel's bytes |
//! | [`encode`] / [`decode`] | unified request ⇄ INIAPI calls, per operation (which generation and why: [`encode`]); the deposit notice |
//! | [`netcancel`] | whether Inicis confirmed the net cancel of an approval in doubt |
//! | [`reconstructed`] | every part public material does not show, with the reason |
//! | `simulator` | an INIAPI + INIStdPay simulator with a ledger, on `paymux_core::simulator`'s kit |
//!
//! ## Channel
//!
//! ```toml
//! key = "inicis-test"
//! adapter = "inicis"
//! environment = "test"          # stginiapi.inicis.com
//! [credentials]
//! mid = "INIpayTest"
//! api_key = "…"                 # INIAPI key (16)
//! api_iv = "…"                  # INIAPI IV (16)
//! sign_key = "…"                # window signKey (checkout)
//! # billing_api_key / billing_api_iv: the billing MID's (default: api_key / api_iv)
//! [options]
//! # billing_mid = "INIBillTst"; client_ip = "…"; site_url = "…"
//! ```
#![warn(missing_docs)]

use std::sync::Arc;

use paymux_core::adapter::{
    AdapterDescriptor, Capabilities, Capability, EncodeContext, FieldLimit, IncomingNotice,
    LimitUnit, Maturity, Method, Operation, PgAdapter, PgNotice, PgRequest, TransportKind,
    WireRequest, WireResponse,
};
use paymux_core::channel::ChannelContext;
use paymux_core::error::PgError;
use paymux_core::outcome::Outcome;
use paymux_core::wire::Charset;

use crate::channel::InicisChannel;

pub mod channel;
pub mod checkout;
pub mod decode;
pub mod encode;
pub mod frame;
pub mod netcancel;
pub mod protocol;
pub mod reconstructed;
pub mod rules;

paymux_core::with_simulator! {
    pub mod simulator;
    pub use simulator::InicisSimulator;
}

/// Adapter id: the channel `adapter` value and the facade's cargo feature.
pub const ADAPTER_ID: &str = "inicis";

const fn utf8(path: &'static str, max: usize) -> FieldLimit {
    FieldLimit {
        path,
        max,
        unit: LimitUnit::Bytes(Charset::Utf8),
    }
}

const CARD: &[Method] = &[Method::Card];
/// The window's methods (and what their payments can be cancelled as).
const WINDOW: &[Method] = &[Method::Card, Method::VirtualAccount];

/// What Inicis can do, as data. Validation, routing and the conformance suite all read it.
pub static DESCRIPTOR: AdapterDescriptor = AdapterDescriptor {
    id: ADAPTER_ID,
    pg_provider: "INICIS_V2",
    pg_company: "INICIS",
    display_name: "KG Inicis",
    transport: TransportKind::Http,
    maturity: Maturity::Ready,
    credentials: channel::CREDENTIALS,
    options: channel::OPTIONS,
    capabilities: Capabilities {
        operations: &[
            Capability {
                operation: Operation::PaymentInstant,
                methods: CARD,
            },
            Capability {
                operation: Operation::BillingKeyIssue,
                methods: CARD,
            },
            Capability {
                operation: Operation::PaymentBillingKey,
                methods: CARD,
            },
            Capability {
                operation: Operation::PaymentCancel,
                methods: WINDOW,
            },
            Capability {
                operation: Operation::PaymentGet,
                methods: &[],
            },
            Capability {
                operation: Operation::CheckoutPrepare,
                methods: WINDOW,
            },
            Capability {
                operation: Operation::CheckoutComplete,
                methods: WINDOW,
            },
        ],
        currencies: &["KRW"],
        // The manual's byte lengths (oid / moid 40, goodname 40, buyername 30, buyeremail
        // 60), counted in UTF-8: INIAPI and the window are UTF-8.
        field_limits: &[
            utf8("paymentId", 40),
            utf8("orderName", 40),
            utf8("customer.name.full", 30),
            utf8("customer.fullName", 30),
            utf8("customer.email", 60),
        ],
        partial_cancel: true,
        max_partial_cancels: None,
    },
};

/// The Inicis adapter: a pure translator with no state.
#[derive(Debug, Clone, Copy, Default)]
pub struct InicisAdapter;

impl PgAdapter for InicisAdapter {
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

    /// Inicis' net cancel (망취소) of a window approval in doubt: the approval's own fields, to
    /// the `netCancelUrl` the window named (checked against the channel's allowed hosts).
    fn reversal(
        &self,
        ctx: &EncodeContext<'_>,
        req: &PgRequest,
        sent: &WireRequest,
    ) -> Option<WireRequest> {
        match req {
            PgRequest::CheckoutComplete(c) => {
                let ch = InicisChannel::from_context(ctx.channel).ok()?;
                checkout::net_cancel(&ch, c, sent)
            }
            _ => None,
        }
    }

    fn reversal_confirmed(&self, resp: &WireResponse) -> Result<(), String> {
        netcancel::confirmed(resp)
    }

    fn decode_notice(
        &self,
        channel: &ChannelContext,
        notice: &IncomingNotice<'_>,
    ) -> Result<PgNotice, PgError> {
        decode::decode_notice(channel, notice)
    }
}

paymux_core::inventory::submit! {
    paymux_core::registry::AdapterRegistration {
        descriptor: &DESCRIPTOR,
        adapter: || Arc::new(InicisAdapter),
        simulator: paymux_core::simulator_factory!(|| Arc::new(InicisSimulator::default())),
    }
}
