//! # paymux-smartro: Smartro (SmartroPay)
//!
//! Translates unified (PortOne V2) requests into SmartroPay's server API and payment window,
//! and ships a SmartroPay simulator. Its shape follows `adapters/galaxia`:
//!
//! | file | what it holds |
//! |---|---|
//! | [`protocol`] | hosts, paths, result codes, fixed values, masking, bank and decline tables |
//! | [`frame`] | the vendor's messages (field names, order), JSON, AES-256-CBC `EncData`, hashes |
//! | [`channel`] | MIDs, merchant key, base URL, options |
//! | [`rules`] | Smartro's validation rules; limits read from [`DESCRIPTOR`] |
//! | [`encode`] / [`decode`] | unified request ⇄ wire structs, per operation |
//! | [`notice`] | the virtual-account deposit notice (`decode_notice`) |
//! | [`checkout`] | the window form (`checkout.prepare`) and its approval (`checkout.complete`) |
//! | [`reconstructed`] | the list of every call and field the public material does not show, with the reason (the items live with their job; re-exported here) |
//! | [`simulator`] | an HTTP SmartroPay server with a ledger, for tests and sandboxes |
//!
//! ## Wire format
//!
//! HTTPS POSTs of JSON in UTF-8 to `https://tapproval.smartropay.co.kr` (test) or
//! `https://approval.smartropay.co.kr` (live); a channel `endpoint` replaces the host. Server
//! calls carry `{"EncData", "Mid"}` where `EncData` is the base64 of AES-256-CBC (key = the
//! first 32 characters of the merchant key, IV = 16 zero bytes, PKCS#7) over the JSON of the
//! call's parameters; the window's approval carries `{"Tid", "TrAuthKey"}` in clear.
//! Signatures: `EncryptData = base64(sha256(EdiDate + Mid + Amt + MerchantKey))` (window),
//! `HashData = base64(sha256(Tid + MerchantKey + CancelAmt + PartialCancelCode))` (cancel),
//! `VerifyValue = base64(sha256(BillTokenKey + Mid + Amt))` (billing charge).
//!
//! **Charset: UTF-8.** SmartroPay's module charset is UTF-8 (`EncodingType` utf8/euckr); the
//! samples encrypt `getBytes("UTF-8")` and post JSON. paymux sends UTF-8 everywhere, sets
//! `EncodingType=utf8` on the window, and counts the manual's field lengths in UTF-8 bytes
//! (the strictest reading; see [`rules`]).
//!
//! ## Operations
//!
//! | operation | methods | call | source |
//! |---|---|---|---|
//! | `payment.instant` | VIRTUAL_ACCOUNT | `vacct.do` (`EncData`) | public merchant integration (vendor notes §3a) |
//! | `billing-key.issue` | CARD | `billkey.do` (`EncData`, billing MID) | **reconstructed** |
//! | `payment.billing-key` | CARD | `/payment/approval/ssbbill.do` (`EncData`, billing MID) | documented (id42417833469) |
//! | `payment.cancel` | CARD, TRANSFER, VIRTUAL_ACCOUNT, MOBILE | `/payment/approval/cancel.do` (`EncData`; option `cancel_path`) | documented (id36636996423); VA refund fields **reconstructed** |
//! | `payment.get` | any | `inquiry.do` (`EncData`) | **reconstructed** |
//! | `billing-key.delete` | — | `billkeyDelete.do` (`EncData`) | **reconstructed** |
//! | `checkout.prepare` | CARD, TRANSFER, VIRTUAL_ACCOUNT, MOBILE | window form for `SmartroPAY-1.0.min.js` | documented (id36707751919) |
//! | `checkout.complete` | CARD, TRANSFER, VIRTUAL_ACCOUNT, MOBILE | `/payment/approval/urlCallApproval.do` | documented (id9043725511); non-card result codes **reconstructed** |
//!
//! A keyed-in **card** payment is not offered by Smartro's API (PortOne: "가상계좌 발급만
//! 가능"): `payment.instant` declares VIRTUAL_ACCOUNT only, so routing skips Smartro for it and
//! validation refuses it with `PgError::Unsupported`.
//!
//! ## Channel
//!
//! ```toml
//! key = "smartro-test"
//! adapter = "smartro"
//! environment = "test"                 # tapproval.smartropay.co.kr; "live" = approval.…
//! # endpoint = "http://127.0.0.1:8085" # optional base URL (a simulator)
//! [credentials]
//! mid = "t_0000001m"                   # Mid
//! merchant_key = "…"                   # MerchantKey (first 32 characters = AES key)
//! # cancel_pwd = "…"                   # optional CancelPwd
//! [options]
//! # billing_mid = "t_0000002m"         # billing MID (default: mid)
//! # cancel_path = "/payment/approval/cancel.do"
//! # mall_ip = "127.0.0.1"
//! # vbank_path (vacct.do), billkey_issue_path, billkey_delete_path, inquiry_path
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
use paymux_core::money::VatRounding;
use paymux_core::outcome::Outcome;
use paymux_core::wire::Charset;

pub mod channel;
pub mod checkout;
pub mod decode;
pub mod encode;
pub mod frame;
pub mod notice;
pub mod protocol;
pub mod reconstructed;
pub mod rules;
#[cfg(feature = "simulator")]
pub mod simulator;

#[cfg(feature = "simulator")]
pub use simulator::SmartroSimulator;

/// Adapter id: the channel `adapter` value and the facade's cargo feature.
pub const ADAPTER_ID: &str = "smartro";

/// The window methods (and what their payments can be cancelled as).
const WINDOW_METHODS: &[Method] = &[
    Method::Card,
    Method::Transfer,
    Method::VirtualAccount,
    Method::Mobile,
];

const fn utf8(path: &'static str, max: usize) -> FieldLimit {
    FieldLimit {
        path,
        max,
        unit: LimitUnit::Bytes(Charset::Utf8),
    }
}

/// What Smartro can do, as data. Validation, routing and the conformance suite all read it.
pub static DESCRIPTOR: AdapterDescriptor = AdapterDescriptor {
    id: ADAPTER_ID,
    pg_provider: "SMARTRO_V2",
    pg_company: "SMARTRO",
    display_name: "Smartro (SmartroPay)",
    transport: TransportKind::Http,
    maturity: Maturity::Ready,
    credentials: channel::CREDENTIALS,
    options: channel::OPTIONS,
    capabilities: Capabilities {
        operations: &[
            Capability {
                operation: Operation::PaymentInstant,
                methods: &[Method::VirtualAccount],
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
        ],
        currencies: &["KRW", "USD"],
        // The manual's lengths (Moid 40, GoodsName 40, BuyerName 30, BuyerTel 40,
        // BuyerEmail 60, MallUserId 20, CancelMsg 100), counted in UTF-8 bytes.
        field_limits: &[
            utf8("paymentId", 40),
            utf8("orderName", 40),
            utf8("customer.name.full", 30),
            utf8("customer.fullName", 30),
            utf8("customer.phoneNumber", 40),
            utf8("customer.email", 60),
            utf8("customer.id", 20),
            utf8("customer.customerId", 20),
            utf8("reason", 100),
        ],
        partial_cancel: true,
        max_partial_cancels: None,
    },
};

/// The Smartro adapter: a pure translator with no state.
#[derive(Debug, Clone, Copy, Default)]
pub struct SmartroAdapter;

impl PgAdapter for SmartroAdapter {
    fn descriptor(&self) -> &'static AdapterDescriptor {
        &DESCRIPTOR
    }

    fn validate(&self, channel: &ChannelContext, req: &PgRequest) -> Result<(), PgError> {
        rules::validate(channel, req)
    }

    fn vat_rounding(&self) -> VatRounding {
        rules::VAT_ROUNDING
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
        notice::decode_notice(channel, notice)
    }
}

paymux_core::inventory::submit! {
    paymux_core::registry::AdapterRegistration {
        descriptor: &DESCRIPTOR,
        adapter: || Arc::new(SmartroAdapter),
        #[cfg(feature = "simulator")]
        simulator: Some(|| Arc::new(SmartroSimulator::default())),
        #[cfg(not(feature = "simulator"))]
        simulator: None,
    }
}
