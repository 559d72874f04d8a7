//! The `PgAdapter` contract: a pure translator between the unified model and one PG's wire
//! format.
//!
//! An adapter never does I/O. [`PgAdapter::encode`] turns a [`PgRequest`] into a
//! [`WireRequest`] (exact bytes plus a masked, readable view); [`PgAdapter::decode`] turns the
//! [`WireResponse`] back into an [`Outcome`]. A [`Transport`](crate::transport::Transport)
//! moves the bytes in between, and [`execute`](crate::execute::execute) ties the three
//! together. Keeping translation pure is what makes wire snapshots exact and cheap.
//!
//! The contract is split by idea: [`capability`] (what an adapter can do, as data),
//! [`request`] (the unified operations), [`message`] (the bytes and their views), [`notice`]
//! (what a PG sends on its own), [`cash_receipt`] (standalone cash receipts, optional) and, here,
//! the [`PgAdapter`] trait itself. Everything is re-exported at `paymux_core::adapter::*`.

use chrono::{DateTime, FixedOffset};

use crate::channel::ChannelContext;
use crate::error::PgError;
use crate::money::VatRounding;
use crate::outcome::Outcome;
use crate::validation::ValidationErrors;

pub mod capability;
pub mod cash_receipt;
pub mod message;
pub mod notice;
pub mod request;

pub use capability::*;
pub use cash_receipt::*;
pub use message::*;
pub use notice::*;
pub use request::*;

/// Inputs an encoder may need besides the request: the clock and fresh randomness, passed in
/// so encoding stays pure and tests are deterministic.
#[derive(Debug, Clone)]
pub struct EncodeContext<'a> {
    /// The channel.
    pub channel: &'a ChannelContext,
    /// "Now" in Korea Standard Time (UTC+9), as PGs want their dates.
    pub now: DateTime<FixedOffset>,
    /// 16 random bytes for nonces the vendor wants (e.g. a checksum salt).
    pub nonce: [u8; 16],
}

impl<'a> EncodeContext<'a> {
    /// A context at the current time with fresh randomness.
    pub fn now(channel: &'a ChannelContext) -> Self {
        EncodeContext {
            channel,
            now: chrono::Utc::now().with_timezone(&kst()),
            nonce: rand::random(),
        }
    }
}

/// Korea Standard Time, UTC+9 (no daylight saving).
pub fn kst() -> FixedOffset {
    FixedOffset::east_opt(9 * 3600).expect("UTC+9 is a valid offset")
}

/// A PG adapter: a pure translator. Implementations are plain data + functions; they hold no
/// connections and no mutable state.
pub trait PgAdapter: Send + Sync + 'static {
    /// Static description and capabilities.
    fn descriptor(&self) -> &'static AdapterDescriptor;

    /// The PG's own rules on top of the generic ones. Must not do I/O. The default checks
    /// the declared capabilities (operation × method, currency); adapters add their rules.
    fn validate(&self, channel: &ChannelContext, req: &PgRequest) -> Result<(), PgError> {
        let _ = channel;
        check_capabilities(self.descriptor(), req)
    }

    /// How this PG rounds the VAT it is sent when the request leaves it out (taxable / 11).
    /// Half up unless the PG's material says otherwise; callers that resolve amounts for
    /// this adapter (its encoder, a gateway storing the breakdown) use it.
    fn vat_rounding(&self) -> VatRounding {
        VatRounding::HalfUp
    }

    /// Translate to the exact wire bytes. Pure.
    fn encode(&self, ctx: &EncodeContext<'_>, req: &PgRequest) -> Result<WireRequest, PgError>;

    /// Translate the vendor's answer. Pure. A malformed answer is an `Err`
    /// ([`PgError::MalformedResponse`]); the executor turns it into `Outcome::Unknown` when the
    /// operation may have moved money.
    fn decode(
        &self,
        ctx: &EncodeContext<'_>,
        req: &PgRequest,
        sent: &WireRequest,
        resp: &WireResponse,
    ) -> Result<Outcome, PgError>;

    /// The vendor's documented reversal of `sent` (a net cancel, 망취소) for when its outcome is
    /// in doubt — no answer, or one that cannot be decoded or trusted. The executor sends it at
    /// once, so no payment stays charged without a record; the default (`None`) leaves the
    /// doubt to an inquiry. Pure.
    fn reversal(
        &self,
        ctx: &EncodeContext<'_>,
        req: &PgRequest,
        sent: &WireRequest,
    ) -> Option<WireRequest> {
        let _ = (ctx, req, sent);
        None
    }

    /// Whether the vendor's answer to [`Self::reversal`] confirms it: `Ok(())` when the
    /// operation is void, `Err(why)` when it is not certain (the doubt stays, for an inquiry).
    /// Pure.
    fn reversal_confirmed(&self, resp: &WireResponse) -> Result<(), String> {
        let _ = resp;
        Err("this adapter documents no reversal".into())
    }

    /// Decode a notice the PG sent on its own (a deposit, a status webhook) and check its
    /// authentication against `channel`'s keys. Pure. A notice whose signature does not match
    /// is [`PgError::NoticeRefused`]; so is one that cannot be decoded. The default: this
    /// adapter takes no notices.
    fn decode_notice(
        &self,
        channel: &ChannelContext,
        notice: &IncomingNotice<'_>,
    ) -> Result<PgNotice, PgError> {
        let _ = (channel, notice);
        Err(PgError::Unsupported {
            adapter: self.descriptor().id,
            what: "notices from the PG".into(),
        })
    }

    /// Translate a standalone cash-receipt operation ([`CashReceiptRequest`]) to the exact
    /// wire bytes, after the PG's own rules (a refusal names the field). Pure. Declare what is
    /// implemented with [`Operation::CashReceiptIssue`], [`Operation::CashReceiptCancel`] and
    /// [`Operation::CashReceiptGet`]; the default: this PG issues no standalone receipts
    /// ([`cash_receipts_unsupported`]).
    fn encode_cash_receipt(
        &self,
        ctx: &EncodeContext<'_>,
        req: &CashReceiptRequest,
    ) -> Result<WireRequest, PgError> {
        let _ = ctx;
        Err(cash_receipts_unsupported(
            self.descriptor(),
            req.operation(),
        ))
    }

    /// Translate the vendor's answer to [`Self::encode_cash_receipt`]. Pure. A malformed answer
    /// is [`PgError::MalformedResponse`] (the executor makes it [`CashReceiptOutcome::Unknown`]
    /// for an issue or a cancel).
    fn decode_cash_receipt(
        &self,
        ctx: &EncodeContext<'_>,
        req: &CashReceiptRequest,
        sent: &WireRequest,
        resp: &WireResponse,
    ) -> Result<CashReceiptOutcome, PgError> {
        let _ = (ctx, sent, resp);
        Err(cash_receipts_unsupported(
            self.descriptor(),
            req.operation(),
        ))
    }
}

/// The generic capability check every adapter gets: operation × method, and the currency of
/// payments, billing-key charges and checkout windows.
pub fn check_capabilities(desc: &AdapterDescriptor, req: &PgRequest) -> Result<(), PgError> {
    let op = req.operation();
    let method = req.method();
    if !desc.capabilities.supports(op, method) {
        return Err(PgError::Unsupported {
            adapter: desc.id,
            what: match method {
                Some(m) => format!("{op} with {m}"),
                None => op.to_string(),
            },
        });
    }
    let currency = match req {
        PgRequest::Instant(c) => Some(c.body.currency.code()),
        PgRequest::PayWithBillingKey(c) => Some(c.body.currency.code()),
        PgRequest::CheckoutPrepare(c) => c.checkout.currency(),
        _ => None,
    };
    if let Some(code) = currency {
        if !desc.capabilities.supports_currency(code) {
            let mut e = ValidationErrors::default();
            e.add(
                "currency",
                format!(
                    "{} accepts only {}",
                    desc.display_name,
                    desc.capabilities.currencies.join(", ")
                ),
            );
            return Err(PgError::Validation(e));
        }
    }
    Ok(())
}
