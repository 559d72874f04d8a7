//! # paymux-ksnet: KSNET (WEBFEP REST and the KSPay socket)
//!
//! Translates unified (PortOne V2) requests into KSNET's two server-to-server interfaces and
//! back, and ships one simulator that speaks both. The channel option `protocol` picks the
//! interface: `webfep` (default) or `kspay`.
//!
//! | file | what it holds |
//! |---|---|
//! | [`protocol`] | hosts, paths, envelope/status codes, record types, fixed values, bank and decline tables |
//! | [`frame::webfep`] | WEBFEP JSON bodies and the `{aid, code, message, data}` envelope (no mapping logic) |
//! | [`frame::kspay`] | the KSPay telegram: 4-digit length, 296-byte header, fixed-width EUC-KR records, field-by-field layout |
//! | [`channel`] | `mid`, `api_key`, `protocol`, base URL or host:port |
//! | [`rules`] | KSNET's validation rules; limits read from [`DESCRIPTOR`] |
//! | [`encode`] | unified request → protocol-neutral plans → [`encode::webfep`] / [`encode::kspay`] |
//! | [`decode`] | WEBFEP / KSPay answer → neutral [`decode::Answer`] → outcome |
//! | [`reconstructed`] | every part no public source shows (billing keys, inquiry, …), with the reason |
//! | [`simulator`] | one TCP port serving both interfaces, with a ledger and the shared test cards |
//!
//! ## Wire formats
//!
//! **WEBFEP** (KSPAY API Reference, code index id40551260010 / id44493855312): HTTPS, `POST
//! {base}/kspay/webfep/api/v1/{api}`, `Content-Type: application/json; charset=utf-8`,
//! `Authorization: pgapi {api_key}` (masked in every view). Base URL `https://paydev.ksnet.co.kr`
//! (test) or `https://pay.ksnet.co.kr` (live); a channel `endpoint` (a base URL) replaces it.
//! Answers are `{aid, code, message, data}`: only `A0200` is success, and `data.respCode`
//! `0000` means approved. Values are JSON strings; text must be representable in EUC-KR.
//!
//! **KSPay** (`KSPayApprovalCancelBean` v1.3 id46696420800, `KSPayCancelForm.asp`
//! id13501351461, `KSPayCreditPostI` id22319468307, keyed-in ASP id32623306956): plain TCP to
//! `210.181.28.137:21001` (no separate test host is documented: KSNET tells test from live by
//! the store id; a channel `endpoint` `host:port` overrides it), one connection per request.
//! `LEN(4) HEAD(296) DATA…`, EUC-KR, `X` fields left/space-padded, `9` fields right/zero-padded,
//! widths in bytes; answer records carry `Status` `O` (approved) or `X` (declined).
//!
//! ## Operations
//!
//! | operation | methods | WEBFEP | KSPay | source |
//! |---|---|---|---|---|
//! | `payment.instant` | CARD | `card/pay/noncert`; `card/pay/oldcert` when password + birth/BRN are given | record 1000; 1300 with password + birth/BRN | documented |
//! | `payment.instant` | VIRTUAL_ACCOUNT | `vaccount/permanent` (type 0, or 2 with a fixed account) | record 6000 | documented (WEBFEP); type code **reconstructed** (KSPay) |
//! | `payment.cancel` | CARD | `card/cancel` FULL / PARTIAL + `cancelSeq` 1–9, by TID or order number + date | record 1010, by TID or order number; partial amounts in `CancelData` | documented (WEBFEP); 1010 and partial detail **reconstructed** (KSPay) |
//! | `payment.get` | any | `trade/inquiry` | record A800 | **reconstructed** |
//! | `billing-key.issue` | CARD | `card/cert` (key = its TID) | 1300 of 0 with `BatchUseType` 1 | **reconstructed** |
//! | `payment.billing-key` | CARD | `card/pay/noncert` with the key + `batchUseType` 1 | 1000 with `BatchUseType` 1, key in `TrackII` | **reconstructed** |
//! | `billing-key.delete` | — | `card/cancel` FULL of the key's TID | 1010 of the key's TID | **reconstructed** |
//!
//! The payment window (`checkout.*`) is not built: PortOne's KSNET window is an iframe whose
//! form is not public.
//!
//! ## Field mapping (card approval)
//!
//! | unified | WEBFEP | KSPay |
//! |---|---|---|
//! | channel `mid` | `mid` | `HEAD.StoreId` (10) |
//! | `paymentId` | `orderNumb` (50), `payload` | `HEAD.OrderNumber` (50) |
//! | `customer.name` | `userName` (50) | `HEAD.UserName` (50) |
//! | `customer.email` | `userEmail` (50) | `HEAD.Email` (50) |
//! | `customer.phoneNumber` digits | — | `HEAD.PhoneNo` (12, cut) |
//! | `productType` PHYSICAL / DIGITAL | `productType` REAL / DIGITAL | `HEAD.GoodType` 0 / 1 |
//! | `orderName` | `productName` (50 bytes, cut between syllables) | `HEAD.GoodName` (same) |
//! | `amount.total` (USD: cents × 10) | `totalAmount` | `CREDIT.Amount` (9, `9`) |
//! | `amount.taxFree` / `amount.vat` | `taxFreeAmount` / `tax` | — |
//! | card number, `expiryYear`+`expiryMonth` | `cardNumb`, `expiryDate` (yyMM) | `CREDIT.TrackII` `number=YYMM` |
//! | `passwordTwoDigits`, `birthOrBusinessRegistrationNumber` | `password2`, `userInfo` | `CREDIT.Passwd`, `CREDIT.IdNum` |
//! | `installmentMonth` | `installMonth` | `CREDIT.Installment` |
//! | `currency` KRW / USD | `currencyType` | `CREDIT.CurrencyType` 0 / 1 |
//!
//! Virtual accounts, cancels and the rest: see the README and [`encode`].
//!
//! ## Documented vs reconstructed
//!
//! Documented (sources above): WEBFEP hosts, auth, envelope, `card/pay/*`, `card/cert`,
//! `card/cancel`, `vaccount/permanent`; the KSPay host, framing, header, card / cancel /
//! virtual-account request records and answer records. **Reconstructed** (each with its
//! reason in [`reconstructed`] and [`reconstructed::RECONSTRUCTIONS`]): billing keys (issue,
//! charge, delete), the status inquiry of both interfaces, KSPay's cancel and virtual-account
//! record types, its partial-cancel detail and USD unit, WEBFEP's `bankType` values, the
//! virtual-account field names where the reference contradicts itself, and every response code
//! besides the reference's examples.
//!
//! ## Channel
//!
//! ```toml
//! key = "ksnet-test"
//! adapter = "ksnet"
//! environment = "test"
//! # endpoint = "http://127.0.0.1:21001"    # webfep: base URL; kspay: "127.0.0.1:21001"
//! [credentials]
//! mid = "2999199999"                        # 상점아이디
//! api_key = "Mjk5OTE5OTk5OTpNQTAxOkE0RTc2QkRBMzM3RENDQTk1Mjk4RkI0OTVBODREMzY5"  # pgapi key (WEBFEP)
//! [options]
//! protocol = "webfep"                       # or "kspay"
//! ```
#![warn(missing_docs)]

use std::sync::Arc;

use paymux_core::adapter::{
    AdapterDescriptor, Capabilities, Capability, EncodeContext, FieldLimit, LimitUnit, Maturity,
    Method, Operation, PgAdapter, PgRequest, TransportKind, WireRequest, WireResponse,
};
use paymux_core::channel::ChannelContext;
use paymux_core::error::PgError;
use paymux_core::outcome::Outcome;
use paymux_core::wire::Charset;

pub mod channel;
pub mod decode;
pub mod encode;
pub mod frame;
pub mod protocol;
pub mod reconstructed;
pub mod rules;
#[cfg(feature = "simulator")]
pub mod simulator;

pub use channel::Protocol;
#[cfg(feature = "simulator")]
pub use simulator::KsnetSimulator;

/// Adapter id: the channel `adapter` value and the facade's cargo feature.
pub const ADAPTER_ID: &str = "ksnet";

/// What KSNET can do, as data (the same for both interfaces). Validation reads the field
/// limits from here; routing and the conformance suite read the rest.
pub static DESCRIPTOR: AdapterDescriptor = AdapterDescriptor {
    id: ADAPTER_ID,
    pg_provider: "KSNET",
    pg_company: "KSNET",
    display_name: "KSNET (WEBFEP / KSPay)",
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
                methods: &[Method::Card],
            },
            Capability {
                operation: Operation::PaymentGet,
                methods: &[],
            },
            Capability {
                operation: Operation::BillingKeyDelete,
                methods: &[],
            },
        ],
        currencies: &["KRW", "USD"],
        field_limits: &[
            // orderNumb / OrderNumber (50).
            FieldLimit {
                path: "paymentId",
                max: protocol::width::ORDER_NUMBER,
                unit: LimitUnit::Bytes(Charset::EucKr),
            },
            // The billing key's issue goes out under its id as the order number.
            FieldLimit {
                path: "billingKey",
                max: protocol::width::ORDER_NUMBER,
                unit: LimitUnit::Bytes(Charset::EucKr),
            },
            // userName / UserName (50).
            FieldLimit {
                path: rules::CUSTOMER_NAME_PATH,
                max: protocol::width::USER_NAME,
                unit: LimitUnit::Bytes(Charset::EucKr),
            },
        ],
        partial_cancel: true,
        max_partial_cancels: Some(protocol::policy::MAX_PARTIAL_CANCELS),
    },
};

/// The KSNET adapter: a pure translator with no state.
#[derive(Debug, Clone, Copy, Default)]
pub struct KsnetAdapter;

impl PgAdapter for KsnetAdapter {
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

paymux_core::inventory::submit! {
    paymux_core::registry::AdapterRegistration {
        descriptor: &DESCRIPTOR,
        adapter: || Arc::new(KsnetAdapter),
        #[cfg(feature = "simulator")]
        simulator: Some(|| Arc::new(KsnetSimulator::default())),
        #[cfg(not(feature = "simulator"))]
        simulator: None,
    }
}
