//! Small fake adapters, a directory and outcome helpers shared by the integration tests.
#![allow(dead_code)]

use std::collections::HashMap;

use paymux_core::adapter::{
    AdapterDescriptor, Capabilities, Capability, Method, Operation, TransportKind,
};
use paymux_core::channel::Environment;
use paymux_core::error::PgError;
use paymux_core::outcome::{Approved, ApprovedDetail, DeclineKind, Declined, Outcome, Unknown};
use paymux_core::Secret;
use paymux_routing::{ChannelGroup, GroupChannel, MapDirectory};

const fn caps(operations: &'static [Capability]) -> Capabilities {
    Capabilities {
        operations,
        currencies: &["KRW"],
        field_limits: &[],
        partial_cancel: true,
        max_partial_cancels: None,
    }
}

const fn descriptor(id: &'static str, pg: &'static str, c: Capabilities) -> AdapterDescriptor {
    AdapterDescriptor {
        id,
        pg_provider: pg,
        pg_company: "KCP",
        display_name: id,
        transport: TransportKind::Http,
        maturity: paymux_core::adapter::Maturity::Ready,
        credentials: &[],
        options: &[],
        capabilities: c,
    }
}

/// Card and virtual-account keyed-in payments, card billing keys, cancel, inquiry.
pub static FULL: AdapterDescriptor = descriptor(
    "full",
    "FULL_PG",
    caps(&[
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
            operation: Operation::BillingKeyDelete,
            methods: &[],
        },
        Capability {
            operation: Operation::PaymentCancel,
            methods: &[],
        },
        Capability {
            operation: Operation::PaymentGet,
            methods: &[],
        },
    ]),
);

/// Card keyed-in and card billing keys only (no virtual accounts).
pub static CARD_ONLY: AdapterDescriptor = descriptor(
    "cardonly",
    "CARD_PG",
    caps(&[
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
            methods: &[Method::Card],
        },
        Capability {
            operation: Operation::BillingKeyDelete,
            methods: &[],
        },
    ]),
);

/// Virtual accounts only (like Smartro's keyed-in API): no card, no billing key.
pub static VA_ONLY: AdapterDescriptor = descriptor(
    "vaonly",
    "VA_PG",
    caps(&[Capability {
        operation: Operation::PaymentInstant,
        methods: &[Method::VirtualAccount],
    }]),
);

/// Every fake descriptor, for proptests.
pub static ALL: [&AdapterDescriptor; 3] = [&FULL, &CARD_ONLY, &VA_ONLY];

/// A directory with test channels `a`..`j` on FULL, plus `card-1`, `va-1` and the live
/// channel `live-a`.
pub fn directory() -> MapDirectory {
    let mut d = MapDirectory::new();
    for k in ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l"] {
        d.insert(k, Environment::Test, &FULL);
    }
    d.insert("card-1", Environment::Test, &CARD_ONLY);
    d.insert("va-1", Environment::Test, &VA_ONLY);
    d.insert("live-a", Environment::Live, &FULL);
    d
}

/// The same as a plain map (the other directory implementation).
pub fn map_directory() -> HashMap<String, (Environment, &'static AdapterDescriptor)> {
    let mut d = HashMap::new();
    for k in ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j"] {
        d.insert(k.to_string(), (Environment::Test, &FULL));
    }
    d
}

/// A test group with a fixed id.
pub fn group(channels: &[(&str, u32, bool)]) -> ChannelGroup {
    ChannelGroup {
        id: "channel-group-test-94ab2b51-b7e1-4b74-9a9c-9fb6e117a6ac".into(),
        name: "test group".into(),
        environment: Environment::Test,
        channels: channels
            .iter()
            .map(|(k, w, e)| GroupChannel {
                channel_key: (*k).into(),
                weight: *w,
                enabled: *e,
            })
            .collect(),
        failover: false,
        health_skip: false,
    }
}

pub fn approved_key(pg_key: &str) -> Outcome {
    Outcome::Approved(Approved {
        receipt_url: None,
        pg_tx_id: Some("tx-issue".into()),
        at: None,
        amount: None,
        pg_code: "0000".into(),
        pg_message: "OK".into(),
        detail: ApprovedDetail::BillingKeyIssued {
            pg_billing_key: Secret::new(pg_key.to_string()),
            card: None,
        },
    })
}

pub fn approved() -> Outcome {
    Outcome::Approved(Approved {
        receipt_url: None,
        pg_tx_id: Some("tx".into()),
        at: None,
        amount: None,
        pg_code: "0000".into(),
        pg_message: "OK".into(),
        detail: ApprovedDetail::BillingKeyDeleted,
    })
}

pub fn card_declined() -> Outcome {
    Outcome::Declined(Declined::new(
        "0002",
        "카드 거절",
        DeclineKind::CardDeclined,
    ))
}

pub fn insufficient_funds() -> Outcome {
    Outcome::Declined(Declined::new(
        "0051",
        "잔액 부족",
        DeclineKind::InsufficientFunds,
    ))
}

pub fn maintenance() -> Outcome {
    Outcome::Declined(Declined::new("9001", "점검 중", DeclineKind::PgMaintenance))
}

pub fn unknown() -> Outcome {
    Outcome::Unknown(Unknown {
        reason: "read timeout".into(),
    })
}

pub fn not_sent() -> PgError {
    PgError::NotSent {
        reason: "connection refused".into(),
    }
}

pub fn validation() -> PgError {
    let mut e = paymux_core::ValidationErrors::default();
    e.add("customer.id", "is required by this PG");
    PgError::Validation(e)
}

pub fn malformed() -> PgError {
    PgError::MalformedResponse {
        detail: "garbage".into(),
    }
}

/// Run a future to completion on a current-thread runtime.
pub fn block_on<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(f)
}

/// Groups of 1 to 10 channels `a`, `b`, ... (all on the FULL adapter of [`directory`]) with
/// random weights and enabled flags, for property tests.
pub fn arb_abc_group() -> impl proptest::strategy::Strategy<Value = ChannelGroup> {
    use proptest::prelude::*;
    prop::collection::vec((0u32..=100, any::<bool>()), 1..=10).prop_map(|chs| {
        let mut g = group(&[]);
        g.channels = chs
            .iter()
            .enumerate()
            .map(|(i, (w, en))| GroupChannel {
                channel_key: ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j"][i].into(),
                weight: *w,
                enabled: *en,
            })
            .collect();
        g
    })
}
