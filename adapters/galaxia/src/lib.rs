//! # paymux-galaxia: Galaxia Money Tree (BillGate)
//!
//! The reference paymux adapter. It translates unified (PortOne V2) requests into BillGate
//! telegrams and back, and ships a BillGate simulator. Later adapters copy its shape:
//!
//! | module | its job |
//! |---|---|
//! | [`protocol`] | service codes, commands, tags, fixed values, code and decline tables |
//! | [`frame`] | the [`Telegram`](frame::Telegram) and its exact bytes (header, SEED-CBC, base64, TLV) |
//! | [`channel`] | MID, key, IV, host and port from the channel |
//! | [`rules`] | Galaxia's validation rules; limits read from [`DESCRIPTOR`] |
//! | [`encode`] / [`decode`] | unified request ⇄ telegram, per operation (documented and **reconstructed** layouts, each marked) |
//! | [`reconstructed`] | index only: re-exports of the reconstructed items (they live with their job) |
//! | [`checkout`] | payment window: form fields (`checkout.prepare`), `MESSAGE` re-wrap (`checkout.complete`) |
//! | [`notice`] | the virtual-account deposit notice (`decode_notice`, **reconstructed**, unsigned) |
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
//! | `checkout.complete` | CARD, TRANSFER, MOBILE; VIRTUAL_ACCOUNT | `MESSAGE` re-wrapped; a 1800 return is final, nothing sent | documented (`PayReturn.php`) |
//!
//! Virtual accounts are issued **only through the window** (service 1800): the server-side
//! `0100` tag set is not public, and the window's return already carries the account, so
//! `checkout.complete` verifies it and answers locally ([`checkout::local_answer`],
//! `WireTarget::Local`). Deposits arrive as a **reconstructed**, unsigned notice ([`notice`])
//! that the gateway confirms with `payment.get`: the 5000 answer tells an account still waiting
//! for the payer (pending) from a deposited one (approved).
//!
//! ## Documented vs reconstructed
//!
//! Galaxia's public material (the `BillgatePay-PHP` sample, the keyed-in `Galaxia.java`) names
//! the commands and tags below but never shows these requests being built. Each layout is
//! paymux's reconstruction: the closest documented layout (keyed-in approval 3040, the cancels
//! of `CancelReturn.php`) plus the tag whose meaning `Const.php` gives. Each lives with its job
//! and says **reconstructed** in its doc line. Confirm each against Galaxia's merchant manual
//! before going live; the simulator speaks exactly these.
//!
//! | operation | reconstruction | why | where |
//! |---|---|---|---|
//! | `billing-key.issue` | 2100 `AUTO_BILL_CERTIFY` on 0900: the 3040 customer and card tags (no amount, item name or instalments) | `Const.php` names 2100 "자동과금 인증 요청"; the tag set is NOT FOUND | [`encode::issue_billing_key`] |
//! | `payment.billing-key` (card) | 3020 `AUTO_BILL_AUTH` on 0900: the 3040 tags with `1018 USER_KEY` instead of card data | "자동과금 승인 요청"; tag set NOT FOUND | [`encode::charge_billing_key`] |
//! | `payment.billing-key` (mobile key) | 3910 `AUTO_BILL_AGREE_BILL` on 1100: amount + `1018` | "자동 과금 동의 과금 요청" (mobile auto-billing after consent); tag set NOT FOUND | [`encode::charge_billing_key`] |
//! | `billing-key.delete` | 9000 `CANCEL` on 0900 with `1018` only | no delete command exists; 9000 is the sample's generic cancel | [`encode::delete_billing_key`] |
//! | `payment.get` | 5000 `AUTH_QUERY`: original ORDER_ID/ORDER_DATE in the header, `0025 ORDER_ID`, `1001` when known; answer `1007` amount, `1006` balance; for 1800, `1005` AUTH_DATE = the deposit time, absent while the account waits (pending) | "승인 내역 조회 요청"; tags NOT FOUND | [`encode::inquiry`], [`decode::inquiry_report`] |
//! | window `MESSAGE` commands | 3000 (payment), 2100 (billing-key window), 3030 (mobile billing-key-and-pay) | the `MESSAGE` is opaque to the merchant; the simulator needs a concrete command | [`protocol::command`] |
//! | virtual-account deposit notice | EUC-KR form with the window return's field names + `DEPOSIT_DATE`, unsigned, answered `0000` | Galaxia's 입금 통보 is in no public source | [`notice`] |
//! | response codes other than `0000` | see [`protocol::SIMULATOR_CODES`] | Galaxia's code list is NOT FOUND | [`protocol::sim`] |
//! | inquiry "not found" | [`protocol::sim::NOT_FOUND`] answered as `TxState::NotFound` | as above | [`decode::not_found_report`] |
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
    IncomingNotice, LimitUnit, Maturity, Method, Operation, PgAdapter, PgNotice, PgRequest,
    TransportKind, WireRequest, WireResponse,
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
pub mod notice;
pub mod protocol;
pub mod reconstructed;
pub mod rules;
#[cfg(feature = "simulator")]
pub mod simulator;

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
    pg_company: "GALAXIA",
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
            // Not VIRTUAL_ACCOUNT yet: only a deposited account is cancellable, and that is a
            // refund to the payer's account (PortOne's `refundAccount`), which the 9000 mapping
            // does not carry (BillGate's 0105–0107 tags would; no public source shows them).
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
            // VIRTUAL_ACCOUNT: the window's return is final; nothing is sent
            // (`checkout::local_answer`).
            Capability {
                operation: Operation::CheckoutComplete,
                methods: PAYMENT_METHODS,
            },
        ],
        currencies: &["KRW"],
        field_limits: &[
            FieldLimit {
                path: channel::ITEM_CODE_PATH,
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
        adapter: || Arc::new(GalaxiaAdapter),
        #[cfg(feature = "simulator")]
        simulator: Some(|| Arc::new(GalaxiaSimulator::default())),
        #[cfg(not(feature = "simulator"))]
        simulator: None,
    }
}
