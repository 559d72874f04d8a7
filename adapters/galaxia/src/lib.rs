//! # paymux-galaxia: Galaxia Money Tree (BillGate)
//!
//! The reference paymux adapter. It translates unified (PortOne V2) requests into BillGate
//! telegrams and back, and ships a BillGate simulator. Later adapters copy its shape:
//!
//! | file | what it holds |
//! |---|---|
//! | [`protocol`] | service codes, commands, tags, fixed values, code and decline tables |
//! | [`frame`] | the [`Telegram`](frame::Telegram) and its exact bytes (header, SEED-CBC, base64, TLV) |
//! | [`channel`] | MID, key, IV, host and port from the channel |
//! | [`rules`] | Galaxia's validation rules; limits read from [`DESCRIPTOR`] |
//! | [`encode`] / [`decode`] | unified request ⇄ telegram, per operation |
//! | [`reconstructed`] | every tag set the public material does not show, with the reason |
//! | [`checkout`] | payment window: form fields (`checkout.prepare`), `MESSAGE` re-wrap (`checkout.complete`) |
//! | [`v1`] | PortOne V1 `IMP.request_pay` parameters → unified checkout request |
//! | [`simulator`] | a BillGate TCP server with a ledger, for tests and sandboxes |
//!
//! ## Wire format
//!
//! Raw TCP, one connection per request, EUC-KR text. A frame is a 4-digit length, a clear
//! header (version `0100`, MID, service code) and the base64 of SEED-CBC over command, order
//! id, order date, record count and tag records (see [`frame`]). The port is `3` + service code
//! on `tapi.billgate.net` (test) or `api.billgate.net` (live); a channel `endpoint` replaces
//! both. Tag `1002` = `0000` is success.
//!
//! ## Operations
//!
//! | operation | methods | command(s) | source |
//! |---|---|---|---|
//! | `payment.instant` | CARD | 3040 on 0900 | documented (`Galaxia.java`) |
//! | `payment.cancel` | CARD, TRANSFER, MOBILE | 9200 / 9010 / 9000 / 9300 | documented (`CancelReturn.php`) |
//! | `payment.get` | any | 5000 | **reconstructed** |
//! | `billing-key.issue` | CARD | 2100 on 0900 | **reconstructed** |
//! | `payment.billing-key` | CARD (3020), MOBILE keys (3910 on 1100) | 3020 / 3910 | **reconstructed** |
//! | `billing-key.delete` | — | 9000 + 1018 on 0900 | **reconstructed** |
//! | `checkout.prepare` | CARD, TRANSFER, VIRTUAL_ACCOUNT, MOBILE (+ billing-key window, billing-key-and-pay) | window form | documented (`PayInput.php`) |
//! | `checkout.complete` | CARD, TRANSFER, MOBILE | `MESSAGE` re-wrapped | documented (`PayReturn.php`) |
//!
//! Virtual accounts are issued **only through the window** (service 1800): the server-side
//! `0100` tag set is not public, and the window's return already carries the account
//! ([`checkout::virtual_account_from_return`]).
//!
//! ## Channel
//!
//! ```toml
//! key = "galaxia-test"
//! adapter = "galaxia"
//! environment = "test"            # tapi.billgate.net; "live" = api.billgate.net
//! # endpoint = "127.0.0.1:30900"  # optional: one host:port for every service code
//! [credentials]
//! mid = "M2103135"                # SERVICE_ID
//! key = "QkZJRlBDRTI4T0c1OUtBMw==" # base64 of the 16-byte SEED key
//! iv = "PRJ59Q2GHPT844TQ"         # 16 ASCII characters
//! [options]
//! item_code = "ITEM0001"          # default ITEM_CODE (≤ 10 bytes EUC-KR)
//! ```
#![warn(missing_docs)]

use std::sync::Arc;

use paymux_core::adapter::{
    check_capabilities, AdapterDescriptor, Capabilities, Capability, EncodeContext, FieldLimit,
    LimitUnit, Maturity, Method, Operation, PgAdapter, PgRequest, TransportKind, WireRequest,
    WireResponse,
};
use paymux_core::channel::ChannelContext;
use paymux_core::error::PgError;
use paymux_core::outcome::Outcome;
use paymux_core::wire::Charset;

pub mod channel;
pub mod checkout;
pub mod decode;
pub mod encode;
pub mod frame;
pub mod protocol;
pub mod reconstructed;
pub mod rules;
#[cfg(feature = "simulator")]
pub mod simulator;
pub mod v1;

#[cfg(feature = "simulator")]
pub use simulator::GalaxiaSimulator;

/// Adapter id: the channel `adapter` value and the facade's cargo feature.
pub const ADAPTER_ID: &str = "galaxia";

const PAYMENT_METHODS: &[Method] = &[
    Method::Card,
    Method::Transfer,
    Method::VirtualAccount,
    Method::Mobile,
];

/// What Galaxia can do, as data. Validation reads the field limits from here.
pub static DESCRIPTOR: AdapterDescriptor = AdapterDescriptor {
    id: ADAPTER_ID,
    pg_provider: "GALAXIA",
    display_name: "Galaxia Money Tree (BillGate)",
    transport: TransportKind::Tcp,
    maturity: Maturity::Ready,
    credentials: &["mid", "key", "iv"],
    options: &[channel::ITEM_CODE_OPTION],
    capabilities: Capabilities {
        operations: &[
            Capability {
                operation: Operation::PaymentInstant,
                methods: &[Method::Card],
            },
            Capability {
                operation: Operation::BillingKeyIssue,
                methods: &[Method::Card],
            },
            Capability {
                operation: Operation::PaymentBillingKey,
                methods: &[Method::Card, Method::Mobile],
            },
            // Not VIRTUAL_ACCOUNT: accounts are issued only through the window, whose return
            // `checkout.complete` cannot turn into a payment yet, so no paymux payment can be a
            // Galaxia virtual account to cancel. Declaring it would be untested.
            Capability {
                operation: Operation::PaymentCancel,
                methods: &[Method::Card, Method::Transfer, Method::Mobile],
            },
            Capability {
                operation: Operation::PaymentGet,
                methods: &[],
            },
            Capability {
                operation: Operation::BillingKeyDelete,
                methods: &[],
            },
            Capability {
                operation: Operation::CheckoutPrepare,
                methods: PAYMENT_METHODS,
            },
            Capability {
                operation: Operation::CheckoutComplete,
                methods: &[Method::Card, Method::Transfer, Method::Mobile],
            },
        ],
        currencies: &["KRW"],
        field_limits: &[
            FieldLimit {
                path: rules::ITEM_CODE_PATH,
                max: 10,
                unit: LimitUnit::Bytes(Charset::EucKr),
            },
            FieldLimit {
                path: "customer.id",
                max: 20,
                unit: LimitUnit::Chars,
            },
            FieldLimit {
                path: "customer.customerId",
                max: 20,
                unit: LimitUnit::Chars,
            },
            // ORDER_ID is a 64-byte header field: 64 characters for ASCII ids.
            FieldLimit {
                path: "paymentId",
                max: frame::ORDER_ID_WIDTH,
                unit: LimitUnit::Bytes(Charset::EucKr),
            },
            FieldLimit {
                path: "billingKey",
                max: frame::ORDER_ID_WIDTH,
                unit: LimitUnit::Bytes(Charset::EucKr),
            },
            FieldLimit {
                path: "issueId",
                max: frame::ORDER_ID_WIDTH,
                unit: LimitUnit::Bytes(Charset::EucKr),
            },
        ],
        partial_cancel: true,
        max_partial_cancels: None,
    },
};

/// The Galaxia adapter: a pure translator with no state.
#[derive(Debug, Clone, Copy, Default)]
pub struct GalaxiaAdapter;

impl PgAdapter for GalaxiaAdapter {
    fn descriptor(&self) -> &'static AdapterDescriptor {
        &DESCRIPTOR
    }

    fn validate(&self, channel: &ChannelContext, req: &PgRequest) -> Result<(), PgError> {
        check_capabilities(&DESCRIPTOR, req)?;
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

paymux_core::inventory::submit! {
    paymux_core::registry::AdapterRegistration {
        descriptor: &DESCRIPTOR,
        adapter: || Arc::new(GalaxiaAdapter),
        #[cfg(feature = "simulator")]
        simulator: Some(|| Arc::new(GalaxiaSimulator::default())),
        #[cfg(not(feature = "simulator"))]
        simulator: None,
    }
}
