//! Notices a PG sends on its own — a virtual-account deposit, a payment-status webhook — as
//! the gateway receives them at `POST /pg-notices/{channelKey}`.
//!
//! Decoding stays pure like [`PgAdapter::encode`](super::PgAdapter::encode): the adapter
//! checks the vendor's authentication (signature, hash, shared secret) against the channel's
//! keys and says what the notice claims. The gateway decides what to do with the claim: it
//! acts on a [`NoticeTrust::Verified`] notice, and confirms an [`NoticeTrust::Unsigned`] one by
//! inquiry (`payment.get`) first, because anyone can POST an unsigned body.

use chrono::{DateTime, FixedOffset};

use crate::money::Money;
use crate::outcome::TxState;
use crate::wire::{Charset, WireError};

/// A notice as it arrived: the raw body and headers, untouched.
#[derive(Debug, Clone, Copy)]
pub struct IncomingNotice<'a> {
    /// `Content-Type` of the body (empty when none was sent).
    pub content_type: &'a str,
    /// Headers as received; names compare case-insensitively through [`Self::header`].
    pub headers: &'a [(String, String)],
    /// The body, exactly as received (vendors hash these bytes).
    pub body: &'a [u8],
}

impl<'a> IncomingNotice<'a> {
    /// The first header called `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&'a str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The body's `application/x-www-form-urlencoded` pairs in charset `cs` (a malformed
    /// body is a [`WireError`] naming what is wrong).
    pub fn form(&self, cs: Charset) -> Result<Vec<(String, String)>, WireError> {
        crate::wire::form::form_urldecode(self.body, cs)
    }
}

/// What the notice claims happened.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum NoticeEvent {
    /// The payer deposited into the virtual account of the payment.
    Deposited {
        /// The amount deposited, when the notice says.
        amount: Option<Money>,
        /// When the PG says the deposit was made.
        at: Option<DateTime<FixedOffset>>,
    },
    /// The PG says the payment's state changed (approved, cancelled, a virtual account
    /// expired…). The gateway learns the new state by inquiry.
    StatusChanged {
        /// The state the notice claims, when it names one.
        claimed: Option<TxState>,
    },
}

/// Whether the adapter could authenticate the notice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoticeTrust {
    /// The vendor's signature, hash or shared secret matched the channel's keys.
    Verified,
    /// The vendor does not sign this notice: the gateway must confirm by inquiry.
    Unsigned,
}

/// What to answer the PG so it stops resending.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoticeAck {
    /// HTTP status.
    pub status: u16,
    /// `Content-Type`.
    pub content_type: &'static str,
    /// Body (vendors expect a fixed text such as `OK` or `0000`).
    pub body: Vec<u8>,
}

impl NoticeAck {
    /// A 200 with a plain-text body.
    pub fn text(body: &str) -> Self {
        NoticeAck {
            status: 200,
            content_type: "text/plain; charset=utf-8",
            body: body.as_bytes().to_vec(),
        }
    }
}

/// A decoded notice.
#[derive(Debug, Clone, PartialEq)]
pub struct PgNotice {
    /// The PG's TID of the payment, when the notice carries it.
    pub pg_tx_id: Option<String>,
    /// The merchant's order id as the PG echoes it (paymux sends the paymentId, or the
    /// adapter's stored mapping of it).
    pub order_id: Option<String>,
    /// What it claims.
    pub event: NoticeEvent,
    /// Whether it was authenticated.
    pub trust: NoticeTrust,
    /// The answer the PG expects once the gateway has recorded the notice.
    pub ack: NoticeAck,
    /// The notice's fields for logs and the console, secrets masked.
    pub view: Vec<(String, String)>,
}
