//! The index of everything in this adapter that is **not** Toss's documented format.
//!
//! Toss publishes its whole server API (<https://docs.tosspayments.com/reference>), so every
//! request, answer, header and error code the adapter sends or reads is documented and cited
//! where it lives. What is left are paymux's own choices where paymux's contracts meet Toss's,
//! and the simulator's stand-ins; each is listed here (the README's table says the same).
//!
//! | part | choice | why |
//! |---|---|---|
//! | stored billing key | `customerKey|billingKey` in `pgBillingKey` | every charge must repeat the issue's `customerKey`, and PortOne's charge body need not carry it |
//! | `Idempotency-Key` | `paymux-{call}-{paymentId}-{attempt}-{HMAC-SHA256(secret key, body)[..8] hex}` | Toss only requires ≤ 300 characters and uniqueness; derived from the request, so a retried request repeats it and another attempt does not |
//! | window return | the simulator posts `paymentKey`, `orderId`, `amount` as a form to `successUrl` | Toss redirects with a query string (`GET`); paymux's gateway reads a window's return as a form `POST` |
//! | window launch | the form carries the `requestPayment` parameters; the simulator serves it at `/window` | the real window is opened by Toss's JS SDK, which paymux's gateway cannot drive yet |
//! | simulator keys | `test_ck_X` pairs with `test_sk_X` (besides the published pair) | Toss pairs client and secret keys in its developer center |
//! | close reason | `virtual-account.close` sends `cancelReason` `가상계좌 말소` | Toss's cancel requires a reason and PortOne's `closeVirtualAccount` carries none |

/// One item of the table above, for the README and reviews.
#[derive(Debug, Clone, Copy)]
pub struct Reconstruction {
    /// What part.
    pub part: &'static str,
    /// What paymux does.
    pub guess: &'static str,
    /// Why.
    pub why: &'static str,
}

/// Every choice this adapter makes beyond Toss's documented format (the table above, as data).
pub const RECONSTRUCTIONS: &[Reconstruction] = &[
    Reconstruction {
        part: "stored billing key",
        guess: "customerKey|billingKey in pgBillingKey",
        why: "every charge must repeat the issue's customerKey, and PortOne's charge body need not carry it",
    },
    Reconstruction {
        part: "Idempotency-Key",
        guess: "paymux-{call}-{paymentId}-{attempt}-{HMAC-SHA256(secret key, body)[..8] hex}",
        why: "Toss only requires at most 300 characters and uniqueness; derived from the request, so a retried request repeats it and another attempt does not",
    },
    Reconstruction {
        part: "window return",
        guess: "the simulator posts paymentKey, orderId, amount as a form to successUrl",
        why: "Toss redirects with a query string (GET); paymux's gateway reads a window's return as a form POST",
    },
    Reconstruction {
        part: "window launch",
        guess: "the form carries the requestPayment parameters; the simulator serves it at /window",
        why: "the real window is opened by Toss's JS SDK, which paymux's gateway cannot drive yet",
    },
    Reconstruction {
        part: "simulator keys",
        guess: "test_ck_X pairs with test_sk_X (besides the published pair)",
        why: "Toss pairs client and secret keys in its developer center",
    },
    Reconstruction {
        part: "close reason",
        guess: "virtual-account.close sends cancelReason 가상계좌 말소",
        why: "Toss's cancel requires a reason and PortOne's closeVirtualAccount carries none",
    },
];
