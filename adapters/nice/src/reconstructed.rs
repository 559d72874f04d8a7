//! The index of every **reconstructed** part of the NICE Pay (start API) wire format.
//!
//! Public material rarely shows everything. Whatever this adapter sends or expects that no
//! cited source shows is a reconstruction. Its code lives with its job (wire structs in
//! [`crate::frame`], mapping in [`crate::encode`] / [`crate::decode`], codes in
//! [`crate::protocol`]) with a doc line saying it is **reconstructed** and why; this module only
//! lists them, with the closest documented evidence and why the guess was made (the README's
//! table says the same). Confirm each against the vendor before going live. The simulator
//! speaks exactly these reconstructions, so the conformance suite cannot catch a wrong guess —
//! only the vendor can.
//!
//! | part | reconstruction | why |
//! |---|---|---|
//! | `orderId` of calls that must not reuse one | the payment's (or billing key's) id, cut to fit 64 bytes, `-`, 12 hex digits of the request nonce ([`crate::encode::fresh_order_id`]) | `api/cancel.md`: a partial cancel "중복된 orderId로 재호출 불가"; every orderId is "Unique"; how to make one is not said |
//! | `orderId` of a billing-key issue | the billing key id the gateway assigned | `api/payment-subscribe.md` asks for a unique merchant id of the call |
//! | `orderDate` of an inquiry by orderId | the stored order date, else the payment time, else today (KST) ([`crate::encode::order_date`]) | `api/status-transaction.md` requires `orderDate`; an unknown outcome is looked up the day it happened |
//! | `vbankValidHours` from a `dueDate` | whole hours, rounded up ([`crate::checkout::valid_hours`]) | `vbankExpDate` has no documented format; `vbankValidHours` has |
//! | field-name case of the regist answer | read case-insensitively ([`crate::frame::Answer`]) | the sample answers `ResultCode`/`BID`, the table `resultCode`/`bid` |
//! | `reason` of a virtual-account close | `가상계좌 말소` ([`crate::protocol::fixed::CLOSE_REASON`]) | the cancel requires a reason; PortOne's `closeVirtualAccount` carries none |
//! | `ediDate` of a cash-receipt issue | sent, ISO 8601 as every other call ([`crate::receipt`]) | `api/payment-receipt.md`: the issue's `signData` hashes `ediDate`; its request table does not list it |
//! | the cash-receipt inquiry's answer | `cancelledAt` a time → cancelled, else issued ([`crate::receipt::decode`]) | the inquiry's answer table repeats the cancel answer's |
//! | insufficient-funds code | `3099` ([`crate::protocol::sim::INSUFFICIENT_FUNDS`]), **simulator** only | `common/code.md` has no such code (declines arrive as `3095` with the issuer's message) |

/// One reconstructed fact, for the README and reviews.
#[derive(Debug, Clone, Copy)]
pub struct Reconstruction {
    /// What part of the format.
    pub part: &'static str,
    /// What paymux sends or expects.
    pub guess: &'static str,
    /// The evidence and reasoning.
    pub why: &'static str,
}

/// Every reconstruction this adapter relies on.
pub const RECONSTRUCTIONS: &[Reconstruction] = &[
    Reconstruction {
        part: "reason of a virtual-account close",
        guess: "가상계좌 말소",
        why:
            "the cancel requires a reason (reason, 100); PortOne's closeVirtualAccount carries none",
    },
    Reconstruction {
        part: "orderId of a partial cancel or a billing-key expire",
        guess: "base id cut to 51 bytes + '-' + 12 hex digits of the nonce",
        why:
            "api/cancel.md forbids reusing an orderId for partial cancels; the format is not given",
    },
    Reconstruction {
        part: "orderId of /v1/subscribe/regist",
        guess: "the billing key id the gateway assigned",
        why: "the call needs a unique merchant id; the gateway's id is one",
    },
    Reconstruction {
        part: "orderDate of GET /v1/payments/find/{orderId}",
        guess: "stored order date, else paidAt, else today (KST)",
        why: "required by api/status-transaction.md; unknown outcomes are looked up the same day",
    },
    Reconstruction {
        part: "vbankValidHours from dueDate",
        guess: "hours until the deadline, rounded up",
        why: "vbankExpDate's format is not documented; vbankValidHours is (hours)",
    },
    Reconstruction {
        part: "case of the regist answer's field names",
        guess: "read case-insensitively",
        why: "api/payment-subscribe.md's sample says ResultCode/BID, its table resultCode/bid",
    },
    Reconstruction {
        part: "ediDate of POST /v1/receipt",
        guess: "sent as every other call sends it (ISO 8601, KST)",
        why: "api/payment-receipt.md hashes ediDate into signData but its table omits the field",
    },
    Reconstruction {
        part: "answer of GET /v1/receipt/{tid}",
        guess: "a cancelledAt that is a time means cancelled, else issued",
        why: "api/payment-receipt.md repeats the cancel answer's table for the inquiry",
    },
    Reconstruction {
        part: "insufficient-funds result code (simulator)",
        guess: "3099",
        why: "common/code.md has none; the shared test card ...0051 needs one",
    },
];
