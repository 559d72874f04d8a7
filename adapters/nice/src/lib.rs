//! # paymux-nice: NICE Pay ("start" API)
//!
//! Translates unified (PortOne V2) requests into NICE Pay's server API
//! (`api.nicepay.co.kr`) and its payment window with server approval, decodes NICE's
//! webhooks, and ships a NICE simulator. The source is NICE's public manual, the GitHub
//! repository `nicepayments/nicepay-manual` (paths below are files of it). Its shape follows
//! `adapters/galaxia` and `adapters/smartro`:
//!
//! | file | what it holds |
//! |---|---|
//! | [`protocol`] | hosts, paths, the result-code tables (success and decline), bank and card tables, masking |
//! | [`frame`] | the vendor's messages (field names, order), JSON, `encData` AES, SHA-256 signatures |
//! | [`channel`] | client key, secret key, `enc_mode`, base URL |
//! | [`rules`] | NICE's validation rules; limits read from [`DESCRIPTOR`] |
//! | [`encode`] / [`decode`] | unified request ⇄ wire structs per operation; webhooks |
//! | [`checkout`] | the window (`checkout.prepare`) and its server approval (`checkout.complete`) |
//! | [`reconstructed`] | the list of what the manual leaves open, and paymux's choice |
//! | `simulator` | an HTTP NICE server with a ledger, a window page and webhooks |
//!
//! ## Wire format
//!
//! HTTPS JSON in UTF-8 to `https://sandbox-api.nicepay.co.kr` (test) or
//! `https://api.nicepay.co.kr` (live) with `Authorization: Basic base64(clientKey:secretKey)`
//! (`common/api.md`). Card data for billing keys travels in `encData` (AES-128-ECB under the
//! secret key's first 16 characters, or AES-256-CBC with `encMode: "A2"`); requests carry
//! `ediDate` and `signData = hex(sha256(… + secretKey))`; answers and webhooks carry
//! `signature = hex(sha256(tid + amount + ediDate + secretKey))`, which paymux checks.
//!
//! ## Operations
//!
//! | operation | methods | call | source |
//! |---|---|---|---|
//! | `billing-key.issue` | CARD | `POST /v1/subscribe/regist` | `api/payment-subscribe.md` |
//! | `payment.billing-key` | CARD | `POST /v1/subscribe/{bid}/payments` | `api/payment-subscribe.md` |
//! | `billing-key.delete` | — | `POST /v1/subscribe/{bid}/expire` | `api/payment-subscribe.md` |
//! | `payment.cancel` | CARD, TRANSFER, VIRTUAL_ACCOUNT | `POST /v1/payments/{tid}/cancel` | `api/cancel.md` |
//! | `payment.get` | any | `GET /v1/payments/{tid}`, `GET /v1/payments/find/{orderId}` | `api/status-transaction.md` |
//! | `checkout.prepare` | CARD, TRANSFER, VIRTUAL_ACCOUNT | `AUTHNICE.requestPay({...})` | `api/payment-window-server.md` |
//! | `checkout.complete` | CARD, TRANSFER, VIRTUAL_ACCOUNT | `POST /v1/payments/{tid}` | `api/payment-window-server.md` |
//! | notices | — | webhook POST (JSON, `signature`) | `api/hook.md` |
//! | `cash-receipt.issue` | — | `POST /v1/receipt` | `api/payment-receipt.md` |
//! | `cash-receipt.cancel` | — | `POST /v1/receipt/{tid}/cancel` | `api/payment-receipt.md` |
//! | `cash-receipt.get` | — | `GET /v1/receipt/{tid}` | `api/payment-receipt.md` |
//!
//! Not offered: keyed-in card payments and server-side virtual accounts (`payment.instant`):
//! the start API has neither, so they are not declared, routing skips NICE for them and
//! validation answers [`PgError::Unsupported`] saying why.
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
use paymux_core::wire::Charset;

pub mod channel;
pub mod checkout;
pub mod decode;
pub mod encode;
pub mod frame;
pub mod protocol;
pub mod receipt;
pub mod reconstructed;
pub mod rules;

paymux_core::with_simulator! {
    pub mod simulator;
    pub use simulator::NiceSimulator;
}

/// Adapter id: the channel `adapter` value and the facade's cargo feature.
pub const ADAPTER_ID: &str = "nice";

/// The window methods (and what their payments can be cancelled as).
const WINDOW_METHODS: &[Method] = &[Method::Card, Method::Transfer, Method::VirtualAccount];

const fn utf8(path: &'static str, max: usize) -> FieldLimit {
    FieldLimit {
        path,
        max,
        unit: LimitUnit::Bytes(Charset::Utf8),
    }
}

/// What NICE can do, as data. Validation, routing and the conformance suite all read it.
pub static DESCRIPTOR: AdapterDescriptor = AdapterDescriptor {
    id: ADAPTER_ID,
    pg_provider: "NICE_V2",
    pg_company: "NICE",
    display_name: "NICE Pay (start API)",
    transport: TransportKind::Http,
    maturity: Maturity::Ready,
    credentials: channel::CREDENTIALS,
    options: channel::OPTIONS,
    capabilities: Capabilities {
        operations: &[
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
                methods: WINDOW_METHODS,
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
                methods: WINDOW_METHODS,
            },
            Capability {
                operation: Operation::CheckoutComplete,
                methods: WINDOW_METHODS,
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
        // The manual's "Byte" column (orderId 64, goodsName 40, buyerName 30, buyerTel 20,
        // buyerEmail 60, mallUserId 20, reason 100), counted in UTF-8 bytes (see `rules`).
        field_limits: &[
            utf8("paymentId", 64),
            utf8("orderName", 40),
            utf8("customer.name.full", 30),
            utf8("customer.fullName", 30),
            utf8("customer.phoneNumber", 20),
            utf8("customer.email", 60),
            utf8("customer.customerId", 20),
            utf8("reason", 100),
        ],
        partial_cancel: true,
        max_partial_cancels: None,
    },
};

/// The NICE adapter: a pure translator with no state.
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

    fn decode_notice(
        &self,
        channel: &ChannelContext,
        notice: &IncomingNotice<'_>,
    ) -> Result<PgNotice, PgError> {
        decode::decode_notice(channel, notice)
    }

    fn encode_cash_receipt(
        &self,
        ctx: &EncodeContext<'_>,
        req: &CashReceiptRequest,
    ) -> Result<WireRequest, PgError> {
        let ch = channel::NiceChannel::from_context(ctx.channel)?;
        receipt::encode(ctx, &ch, req)
    }

    fn decode_cash_receipt(
        &self,
        ctx: &EncodeContext<'_>,
        req: &CashReceiptRequest,
        _sent: &WireRequest,
        resp: &WireResponse,
    ) -> Result<CashReceiptOutcome, PgError> {
        let ch = channel::NiceChannel::from_context(ctx.channel)?;
        receipt::decode(&ch, req, resp)
    }
}

paymux_core::inventory::submit! {
    paymux_core::registry::AdapterRegistration {
        descriptor: &DESCRIPTOR,
        adapter: || Arc::new(NiceAdapter),
        simulator: paymux_core::simulator_factory!(|| Arc::new(NiceSimulator::default())),
    }
}
