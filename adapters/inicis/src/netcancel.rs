//! `checkout.complete` with Inicis' net cancel (망취소): send the approval; when its outcome is
//! in doubt — no answer, an unreadable answer, or a `0000` whose `authSignature`, `MOID` or
//! `TotPrice` does not match ([`crate::decode::approval`]) — send the documented net cancel
//! to the `netCancelUrl` the window named (already checked against the channel's allowed
//! hosts), so no payment is left charged without a record.
//!
//! The adapter stays pure: [`crate::checkout::net_cancel`] builds the bytes; this module is
//! the one place that sends them, through any [`Transport`]. The paymux gateway's generic
//! executor does not call it yet (the adapter contract has no reversal hook; the gateway
//! resolves an `Unknown` approval by inquiry instead) — see the README.

use paymux_core::adapter::{EncodeContext, PgAdapter, PgRequest};
use paymux_core::error::PgError;
use paymux_core::execute::{execute_prepared, prepare};
use paymux_core::outcome::{DeclineKind, Declined, Outcome};
use paymux_core::transport::{Timeouts, Transport};

use crate::checkout::net_cancel;
use crate::frame::Answer;
use crate::protocol::code;

/// The decline code paymux reports for an approval it reversed by net cancel. **paymux's own**
/// (not Inicis'): the payment did not happen because the merchant side undid it.
pub const NET_CANCELLED: &str = "PAYMUX_NETCANCEL";

/// What the net cancel did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NetCancel {
    /// Inicis answered `0000`: the approval is void.
    Confirmed,
    /// Inicis answered another code (kept raw).
    Refused {
        /// `resultCode`.
        code: String,
        /// `resultMsg`.
        message: String,
    },
    /// No usable answer: the approval stays in doubt (inquiry resolves it).
    NoAnswer {
        /// Why.
        reason: String,
    },
}

/// The approval's outcome and, when one was needed, the net cancel's.
#[derive(Debug, Clone)]
pub struct Completed {
    /// The outcome: the approval's, or a decline ([`NET_CANCELLED`]) when a net cancel voided
    /// an approval in doubt.
    pub outcome: Outcome,
    /// The net cancel, when the approval was in doubt.
    pub net_cancel: Option<NetCancel>,
}

/// Run `checkout.complete` (`req`) with the net cancel above.
pub async fn complete_checkout(
    adapter: &dyn PgAdapter,
    transport: &dyn Transport,
    ctx: &EncodeContext<'_>,
    req: &PgRequest,
    timeouts: Timeouts,
) -> Result<Completed, PgError> {
    let wire = prepare(adapter, ctx, req)?;
    let outcome = execute_prepared(adapter, transport, ctx, req, &wire, timeouts).await?;
    if !matches!(outcome, Outcome::Unknown(_)) {
        return Ok(Completed {
            outcome,
            net_cancel: None,
        });
    }
    let Some(cancel) = net_cancel(&wire) else {
        return Ok(Completed {
            outcome,
            net_cancel: None,
        });
    };
    tracing::warn!(
        adapter = crate::ADAPTER_ID,
        channel = %ctx.channel.key,
        "approval in doubt: sending Inicis' net cancel"
    );
    let result = match transport.send(&cancel, timeouts).await {
        Err(e) => NetCancel::NoAnswer {
            reason: e.to_string(),
        },
        Ok(resp) => match Answer::parse(&resp.body) {
            Err(e) => NetCancel::NoAnswer { reason: e },
            Ok(a) => match a.result_code() {
                Some(c) if c == code::STD_OK => NetCancel::Confirmed,
                Some(c) => NetCancel::Refused {
                    code: c,
                    message: a.result_msg(),
                },
                None => NetCancel::NoAnswer {
                    reason: "resultCode is missing".into(),
                },
            },
        },
    };
    let outcome = match &result {
        NetCancel::Confirmed => Outcome::Declined(Declined::new(
            NET_CANCELLED,
            "approval in doubt: reversed by net cancel",
            DeclineKind::Other,
        )),
        _ => outcome,
    };
    Ok(Completed {
        outcome,
        net_cancel: Some(result),
    })
}
