//! # paymux-tosspayments: Toss Payments (core API v1)
//!
//! Translates unified (PortOne V2) requests into Toss Payments' server API and standard
//! payment window, decodes its webhooks, and ships a Toss simulator. Toss's API is fully
//! public (<https://docs.tosspayments.com/reference>, API version `2022-11-16`), so nothing in
//! the wire format is reconstructed; [`reconstructed`] lists the few simulator and gateway-side
//! choices. Its shape follows `adapters/galaxia` and `adapters/smartro`:
//!
//! | file | what it holds |
//! |---|---|
//! | [`protocol`] | host, paths, headers, statuses, bank and card-company codes, the decline table |
//! | [`frame`] | Toss's messages (field names), JSON bytes, the Basic auth header, masked views |
//! | [`channel`] | secret key, client key, base URL |
//! | [`rules`] | Toss's validation rules, the cancel plan, the stored billing key, the idempotency key |
//! | [`checkout`] | the window's parameters (`checkout.prepare`) and its confirmation (`checkout.complete`) |
//! | [`encode`] / [`decode`] | unified request ⇄ Toss calls, per operation |
//! | [`notice`] | `DEPOSIT_CALLBACK` and `PAYMENT_STATUS_CHANGED` webhooks |
//! | [`reconstructed`] | what is not Toss's documented format, and why |
//! | `simulator` | an HTTP Toss server with a ledger, idempotency, the window and deposit notices |
//!
//! ## Operations
//!
//! | operation | methods | call |
//! |---|---|---|
//! | `payment.instant` | CARD | `POST /v1/payments/key-in` |
//! | `payment.instant` | VIRTUAL_ACCOUNT | `POST /v1/virtual-accounts` |
//! | `billing-key.issue` | CARD | `POST /v1/billing/authorizations/card` |
//! | `payment.billing-key` | CARD | `POST /v1/billing/{billingKey}` |
//! | `payment.cancel` | CARD, VIRTUAL_ACCOUNT | `POST /v1/payments/{paymentKey}/cancel` |
//! | `payment.get` | — | `GET /v1/payments/{paymentKey}`, or `GET /v1/payments/orders/{orderId}` without a key |
//! | `checkout.prepare` | CARD | the standard window (`requestPayment('카드', …)`) |
//! | `checkout.complete` | CARD | `POST /v1/payments/confirm` |
//! | `cash-receipt.issue` | — | `POST /v1/cash-receipts` |
//! | `cash-receipt.cancel` | — | `POST /v1/cash-receipts/{receiptKey}/cancel` |
//! | `cash-receipt.get` | — | `GET /v1/cash-receipts?requestDate=…` ([`receipt`]) |
//!
//! `billing-key.delete` is not declared: Toss's reference has no call for it, so the gateway
//! deletes the key on its side only.
//!
//! ## Channel
//!
//! ```toml
//! key = "tosspayments-test"
//! adapter = "tosspayments"
//! environment = "test"
//! [credentials]
//! secret_key = "test_sk_zXLkKEypNArWmo50nX3lmeaxYG5R"
//! client_key = "test_ck_D5GePWvyJnrK0W0k6q8gLzN97Eoq"   # checkout only
//! ```
#![warn(missing_docs)]

use std::sync::Arc;

use paymux_core::adapter::{
    AdapterDescriptor, Capabilities, Capability, CashReceiptOutcome, CashReceiptRequest,
    EncodeContext, FieldLimit, IncomingNotice, LimitUnit, Maturity, Method, Operation, PgAdapter,
    PgNotice, PgRequest, TransportKind, WireRequest, WireResponse,
};
use paymux_core::channel::ChannelContext;
use paymux_core::error::PgError;
use paymux_core::outcome::Outcome;

pub mod channel;
pub mod checkout;
pub mod decode;
pub mod encode;
pub mod frame;
pub mod notice;
pub mod protocol;
pub mod receipt;
pub mod reconstructed;
pub mod rules;

paymux_core::with_simulator! {
    pub mod simulator;
    pub use simulator::TossSimulator;
}

/// Adapter id: the channel `adapter` value and the facade's cargo feature.
pub const ADAPTER_ID: &str = "tosspayments";

const fn chars(path: &'static str, max: usize) -> FieldLimit {
    FieldLimit {
        path,
        max,
        unit: LimitUnit::Chars,
    }
}

/// What Toss Payments can do, as data. Validation, routing and the conformance suite all read
/// it.
pub static DESCRIPTOR: AdapterDescriptor = AdapterDescriptor {
    id: ADAPTER_ID,
    pg_provider: "TOSSPAYMENTS",
    pg_company: "TOSSPAYMENTS",
    display_name: "Toss Payments",
    transport: TransportKind::Http,
    maturity: Maturity::Ready,
    credentials: channel::CREDENTIALS,
    options: channel::OPTIONS,
    capabilities: Capabilities {
        operations: &[
            Capability {
                operation: Operation::PaymentInstant,
                methods: &[Method::Card, Method::VirtualAccount],
            },
            Capability {
                operation: Operation::BillingKeyIssue,
                methods: &[Method::Card],
            },
            Capability {
                operation: Operation::PaymentBillingKey,
                methods: &[Method::Card],
            },
            Capability {
                operation: Operation::PaymentCancel,
                methods: &[Method::Card, Method::VirtualAccount],
            },
            Capability {
                operation: Operation::PaymentGet,
                methods: &[],
            },
            Capability {
                operation: Operation::CheckoutPrepare,
                methods: &[Method::Card],
            },
            Capability {
                operation: Operation::CheckoutComplete,
                methods: &[Method::Card],
            },
            Capability {
                operation: Operation::VirtualAccountClose,
                methods: &[Method::VirtualAccount],
            },
            Capability {
                operation: Operation::CashReceiptIssue,
                methods: &[],
            },
            Capability {
                operation: Operation::CashReceiptCancel,
                methods: &[],
            },
            Capability {
                operation: Operation::CashReceiptGet,
                methods: &[],
            },
        ],
        currencies: &["KRW"],
        // The reference's lengths, in characters (JSON, UTF-8): orderId 64, orderName 100,
        // customerName 100, customerEmail 100, cancelReason 200.
        field_limits: &[
            chars("paymentId", 64),
            chars("orderName", 100),
            chars("customer.name.full", 100),
            chars("customer.email", 100),
            chars("reason", 200),
        ],
        partial_cancel: true,
        max_partial_cancels: None,
    },
};

/// The Toss Payments adapter: a pure translator with no state.
#[derive(Debug, Clone, Copy, Default)]
pub struct TossAdapter;

impl PgAdapter for TossAdapter {
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

    /// `DEPOSIT_CALLBACK` and `PAYMENT_STATUS_CHANGED`, both [`NoticeTrust::Unsigned`]
    /// (see [`notice`] for why).
    ///
    /// [`NoticeTrust::Unsigned`]: paymux_core::adapter::NoticeTrust::Unsigned
    fn decode_notice(
        &self,
        channel: &ChannelContext,
        notice: &IncomingNotice<'_>,
    ) -> Result<PgNotice, PgError> {
        channel::TossChannel::from_context(channel)?;
        notice::decode_notice(notice)
    }

    fn encode_cash_receipt(
        &self,
        ctx: &EncodeContext<'_>,
        req: &CashReceiptRequest,
    ) -> Result<WireRequest, PgError> {
        let ch = channel::TossChannel::from_context(ctx.channel)?;
        receipt::encode(&ch, &ctx.now, req)
    }

    fn decode_cash_receipt(
        &self,
        ctx: &EncodeContext<'_>,
        req: &CashReceiptRequest,
        _sent: &WireRequest,
        resp: &WireResponse,
    ) -> Result<CashReceiptOutcome, PgError> {
        channel::TossChannel::from_context(ctx.channel)?;
        receipt::decode(req, resp)
    }
}

paymux_core::inventory::submit! {
    paymux_core::registry::AdapterRegistration {
        descriptor: &DESCRIPTOR,
        adapter: || Arc::new(TossAdapter),
        simulator: paymux_core::simulator_factory!(|| Arc::new(TossSimulator::default())),
    }
}
