//! The fake PG's protocol, in one place: what the adapter writes and the simulator reads.
//!
//! Telegrams (TCP): `NNNN{json}`, a 4-digit ASCII length and a JSON object with `op` (one of
//! the `OP_*` names), `mid`, and per operation `orderId`, `amount`, `card`, `bank`,
//! `billingKey`, `tid`, `cancelAmount` (absent: the whole balance), `late`. Answers carry
//! `code` ([`OK`] or one of the decline codes), `message`, and per operation `tid`,
//! `approvalNo`, `amount`, `billingKey`, `cancelled`, `remaining`, `state`, `balance`,
//! `bank`, `account`, `maskedCard`, `receiptUrl`.
//!
//! HTTP on the same port: `POST /window` opens the payment window from the form fields
//! `mid`, `orderId`, `orderName`, `amount`, `method`, `returnUrl`; the window posts back
//! `RESPONSE_CODE` ([`OK`] or [`WINDOW_CANCELLED`]), `token`, `orderId`, `amount`;
//! `POST /approve` with JSON `{mid, token, orderId}` approves, answering like a telegram.

use paymux_core::adapter::Framing;
use paymux_core::outcome::DeclineKind;
use paymux_core::simulator::server::TelegramFraming;
use serde_json::Value;

/// How telegrams are framed.
pub const FRAMING: Framing = Framing::AsciiLengthPrefix { digits: 4 };
/// The same, for the simulator's reader.
pub const TELEGRAMS: TelegramFraming = TelegramFraming {
    digits: 4,
    max_len: 9999,
};

/// Keyed-in card payment (card or virtual account).
pub const OP_PAY: &str = "pay";
/// Charge a billing key.
pub const OP_BILLING_PAY: &str = "billing_pay";
/// Issue a billing key.
pub const OP_ISSUE: &str = "issue";
/// Delete a billing key.
pub const OP_DELETE: &str = "delete";
/// Cancel (all or part).
pub const OP_CANCEL: &str = "cancel";
/// Inquiry.
pub const OP_GET: &str = "get";
/// Approval of a window payment (`POST /approve`), as recorded in the simulator's calls.
pub const OP_APPROVE: &str = "approve";

/// Where the payment window is opened.
pub const WINDOW_PATH: &str = paymux_core::simulator::window::WINDOW_PATH;
/// Where a window payment is approved.
pub const APPROVE_PATH: &str = "/approve";

/// Success.
pub const OK: &str = "0000";
/// What the window posts back when the payer pressed cancel.
pub const WINDOW_CANCELLED: &str = "CANCEL";

/// Decline codes and what they mean.
pub const DECLINES: &[(&str, DeclineKind)] = &[
    ("D002", DeclineKind::CardDeclined),
    ("D051", DeclineKind::InsufficientFunds),
    ("C001", DeclineKind::ConfigError),
    ("N404", DeclineKind::NotFound),
    ("DUP", DeclineKind::Duplicate),
    ("C409", DeclineKind::CancelRefused),
];

/// The meaning of a decline code (`Other` for codes not in [`DECLINES`]).
pub fn decline_kind(code: &str) -> DeclineKind {
    DECLINES
        .iter()
        .find(|(c, _)| *c == code)
        .map_or(DeclineKind::Other, |(_, k)| *k)
}

/// `v` as a telegram.
pub fn frame(v: &Value) -> Vec<u8> {
    let body = v.to_string();
    let mut out = format!("{:04}", body.len()).into_bytes();
    out.extend_from_slice(body.as_bytes());
    out
}

/// The JSON of a telegram (its length prefix dropped) or of an HTTP body.
pub fn parse(bytes: &[u8], framed: bool) -> Result<Value, String> {
    let body = if framed {
        bytes.get(4..).unwrap_or_default()
    } else {
        bytes
    };
    serde_json::from_slice(body).map_err(|e| e.to_string())
}
