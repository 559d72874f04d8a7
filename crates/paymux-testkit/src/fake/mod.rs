//! The one fake PG for tests (cargo feature `fake`): an adapter and its simulator, used by the
//! gateway's end-to-end tests, its hosted-checkout tests and the kit's own self-tests.
//!
//! It speaks a small protocol of its own, kept in [`wire`]: JSON telegrams with a 4-digit
//! ASCII length prefix over TCP for the server API (pay, billing keys, cancel, inquiry), and,
//! on the same port, HTTP for a payment window (`POST /window`, the kit's window shell) that
//! completes card payments and virtual accounts through `checkout.complete` → `POST /approve`.
//! The simulator is built from the core kit ([`paymux_core::simulator`]: listener, fault hooks,
//! ledger, window shell) and follows the shared test cards (`…0002` declined, `…0051`
//! insufficient funds, `…0098` answered after [`LATE_ANSWER`], `…0099` dropped).
//!
//! What differs between uses is data, a [`Profile`]: the descriptor (adapter id, declared
//! capabilities and limits, credentials) and the merchant id the simulator accepts.
//!
//! | profile | id | for |
//! |---|---|---|
//! | [`FAKE`] | `fake` | the gateway's API tests: card payments, billing keys, cancels, inquiry |
//! | [`TESTWIN`] | `testwin` | hosted checkout: a window for cards and virtual accounts |
//! | [`KIT`] | `fake` | the kit's self-tests: field limits, virtual accounts, a partial-cancel cap |
//!
//! The kit's self-tests break it on purpose with [`Bugs`] (adapter) and
//! [`FakeSim::answer_late_at_once`] (simulator), and with the descriptor variants
//! [`KIT_OVERCLAIMS`] and [`KIT_EMPTY`].
//!
//! Nothing is registered by linking this crate: a test binary that wants the gateway's sandbox
//! and channel config to know a profile says so with [`register_fake!`](crate::register_fake).

mod adapter;
mod simulator;
pub mod wire;

use std::time::Duration;

use paymux_core::adapter::{
    AdapterDescriptor, Capabilities, Capability, FieldLimit, LimitUnit, Maturity, Method,
    Operation, TransportKind,
};
use paymux_core::channel::ChannelContext;
use paymux_core::wire::Charset;

pub use adapter::{Bugs, FakeAdapter};
pub use simulator::FakeSim;

/// A cancel with this reason is done at the simulator but answered after [`LATE_ANSWER`].
pub const LATE_CANCEL_REASON: &str = "__late__";
/// How long the simulator sits on a late answer (test card `…0098`, a late cancel).
pub const LATE_ANSWER: Duration = Duration::from_millis(2500);
/// The read timeout the adapter recommends (tests override it to see late answers).
pub const RECOMMENDED_READ_TIMEOUT: Duration = Duration::from_secs(30);
/// The value of every sandbox credential other than `mid` (a secret the masking checks look
/// for; the fake never sends it).
pub const TEST_SECRET: &str = "s3cr3t-fake-signing-key";

/// What one use of the fake PG declares and accepts.
#[derive(Debug, Clone, Copy)]
pub struct Profile {
    /// Adapter id, capabilities, limits, credentials.
    pub descriptor: &'static AdapterDescriptor,
    /// The merchant id the simulator accepts; any other is answered `C001`.
    pub mid: &'static str,
}

impl Profile {
    /// The same profile declaring `descriptor` instead.
    pub const fn with_descriptor(self, descriptor: &'static AdapterDescriptor) -> Profile {
        Profile { descriptor, ..self }
    }

    /// A channel of this profile's adapter at `endpoint` (`host:port`) with merchant id
    /// `mid` and [`TEST_SECRET`] for every other credential the descriptor names.
    pub fn channel(&self, key: &str, endpoint: &str, mid: &str) -> ChannelContext {
        let mut toml = format!(
            "key = {key:?}\nadapter = {:?}\nenvironment = \"test\"\nendpoint = {endpoint:?}\n[credentials]\n",
            self.descriptor.id
        );
        for name in self.descriptor.credentials {
            let value = if *name == "mid" { mid } else { TEST_SECRET };
            toml.push_str(&format!("{name} = {value:?}\n"));
        }
        ChannelContext::from_toml(&toml).expect("a fake channel is valid TOML")
    }
}

const fn card_and(op: Operation) -> Capability {
    Capability {
        operation: op,
        methods: &[Method::Card],
    }
}

const ANY_METHOD: &[Method] = &[];

/// The gateway tests' PG: card payments, billing keys, partial cancels without a cap.
pub static FAKE_DESCRIPTOR: AdapterDescriptor = AdapterDescriptor {
    id: "fake",
    pg_provider: "FAKE_PG",
    pg_company: "KCP",
    display_name: "Fake PG (tests)",
    transport: TransportKind::Tcp,
    maturity: Maturity::Ready,
    credentials: &["mid"],
    options: &[],
    capabilities: Capabilities {
        operations: &[
            card_and(Operation::PaymentInstant),
            card_and(Operation::BillingKeyIssue),
            card_and(Operation::PaymentBillingKey),
            Capability {
                operation: Operation::PaymentCancel,
                methods: ANY_METHOD,
            },
            Capability {
                operation: Operation::PaymentGet,
                methods: ANY_METHOD,
            },
            Capability {
                operation: Operation::BillingKeyDelete,
                methods: ANY_METHOD,
            },
        ],
        currencies: &["KRW"],
        field_limits: &[],
        partial_cancel: true,
        max_partial_cancels: None,
    },
};

/// See [`FAKE_DESCRIPTOR`].
pub const FAKE: Profile = Profile {
    descriptor: &FAKE_DESCRIPTOR,
    mid: "FAKE-MID",
};

/// The hosted-checkout tests' PG: a payment window that completes card payments **and
/// virtual accounts** through `checkout.complete` (Galaxia issues virtual accounts inside its
/// window and declares no `checkout.complete` for them).
pub static TESTWIN_DESCRIPTOR: AdapterDescriptor = AdapterDescriptor {
    id: "testwin",
    pg_provider: "TESTWIN",
    pg_company: "KICC",
    display_name: "Test window PG (tests)",
    transport: TransportKind::Http,
    maturity: Maturity::Ready,
    credentials: &["mid"],
    options: &[],
    capabilities: Capabilities {
        operations: &[
            Capability {
                operation: Operation::CheckoutPrepare,
                methods: &[Method::Card, Method::VirtualAccount],
            },
            Capability {
                operation: Operation::CheckoutComplete,
                methods: &[Method::Card, Method::VirtualAccount],
            },
        ],
        currencies: &["KRW"],
        field_limits: &[],
        partial_cancel: false,
        max_partial_cancels: None,
    },
};

/// See [`TESTWIN_DESCRIPTOR`].
pub const TESTWIN: Profile = Profile {
    descriptor: &TESTWIN_DESCRIPTOR,
    mid: "TW-MID",
};

/// The kit's limits: `orderName` counted in EUC-KR bytes, `customer.id` in characters.
pub const KIT_LIMITS: &[FieldLimit] = &[
    FieldLimit {
        path: "orderName",
        max: 20,
        unit: LimitUnit::Bytes(Charset::EucKr),
    },
    FieldLimit {
        path: "customer.id",
        max: 20,
        unit: LimitUnit::Chars,
    },
];

const fn kit_descriptor(operations: &'static [Capability]) -> AdapterDescriptor {
    AdapterDescriptor {
        id: "fake",
        pg_provider: "FAKE",
        pg_company: "KCP",
        display_name: "Fake PG",
        transport: TransportKind::Tcp,
        maturity: Maturity::Ready,
        credentials: &["mid", "secret"],
        options: &[],
        capabilities: Capabilities {
            operations,
            currencies: &["KRW"],
            field_limits: KIT_LIMITS,
            partial_cancel: true,
            max_partial_cancels: Some(3),
        },
    }
}

/// The kit's correct fake: every scenario without a window has something to run.
pub static KIT_DESCRIPTOR: AdapterDescriptor = kit_descriptor(&[
    Capability {
        operation: Operation::PaymentInstant,
        methods: &[Method::Card, Method::VirtualAccount],
    },
    card_and(Operation::BillingKeyIssue),
    card_and(Operation::PaymentBillingKey),
    Capability {
        operation: Operation::PaymentCancel,
        methods: &[Method::Card, Method::VirtualAccount],
    },
    Capability {
        operation: Operation::PaymentGet,
        methods: ANY_METHOD,
    },
    Capability {
        operation: Operation::BillingKeyDelete,
        methods: ANY_METHOD,
    },
]);

/// See [`KIT_DESCRIPTOR`].
pub const KIT: Profile = Profile {
    descriptor: &KIT_DESCRIPTOR,
    mid: "FAKEMID1",
};

/// Declares cancel with TRANSFER too, which the suite cannot exercise (no transfer payment).
pub static KIT_OVERCLAIMS: AdapterDescriptor = kit_descriptor(&[
    card_and(Operation::PaymentInstant),
    Capability {
        operation: Operation::PaymentCancel,
        methods: &[Method::Card, Method::Transfer],
    },
    Capability {
        operation: Operation::PaymentGet,
        methods: ANY_METHOD,
    },
]);

/// Declares nothing at all.
pub static KIT_EMPTY: AdapterDescriptor = kit_descriptor(&[]);

/// Register a fake [`Profile`] (a `const`, e.g. `paymux_testkit::fake::FAKE`) with
/// `inventory`, so the gateway's channel config and sandbox know its adapter id. Call it once,
/// in the test binary that wants it: linking the testkit registers nothing.
///
/// ```ignore
/// paymux_testkit::register_fake!(paymux_testkit::fake::FAKE);
/// ```
#[macro_export]
macro_rules! register_fake {
    ($profile:path) => {
        $crate::fake::__private::inventory::submit! {
            $crate::fake::__private::AdapterRegistration {
                descriptor: $profile.descriptor,
                adapter: || ::std::sync::Arc::new($crate::fake::FakeAdapter::new($profile)),
                simulator: ::std::option::Option::Some(|| {
                    ::std::sync::Arc::new($crate::fake::FakeSim::new($profile))
                }),
            }
        }
    };
}

#[doc(hidden)]
pub mod __private {
    pub use paymux_core::inventory;
    pub use paymux_core::registry::AdapterRegistration;
}
