//! Selection cost next to a baseline measured in the same run.
//!
//! - `baseline/hash`: just `routing_hash(paymentId)` — the floor any selection pays.
//! - `select/10ch`: plain weighted selection over a 10-channel group (directory lookups and
//!   capability checks for every channel included).
//! - `compiled/10ch`: the same selection through a [`CompiledGroup`] (directory resolved once).
//! - `super_key/10ch`: `select_for_billing_key` over a 10-channel group with 8 keyed channels.
//!
//! After criterion's own report, a short table prints ns/op and the ratio to the baseline.

use std::hint::black_box;
use std::time::Instant;

use criterion::Criterion;
use paymux_core::adapter::{
    AdapterDescriptor, Capabilities, Capability, Method, Operation, TransportKind,
};
use paymux_core::channel::Environment;
use paymux_routing::hash::routing_hash;
use paymux_routing::{
    select, select_for_billing_key, ChannelGroup, CompiledGroup, GroupChannel, MapDirectory,
};

static FULL: AdapterDescriptor = AdapterDescriptor {
    id: "full",
    pg_provider: "FULL_PG",
    pg_company: "KCP",
    display_name: "full",
    transport: TransportKind::Http,
    maturity: paymux_core::adapter::Maturity::Ready,
    credentials: &[],
    options: &[],
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
                methods: &[],
            },
        ],
        currencies: &["KRW"],
        field_limits: &[],
        partial_cancel: true,
        max_partial_cancels: None,
    },
};

struct Fixture {
    group: &'static ChannelGroup,
    dir: &'static MapDirectory,
    compiled: CompiledGroup<'static>,
    keyed: Vec<String>,
    ids: Vec<String>,
}

impl Fixture {
    fn compiled(&self) -> &CompiledGroup<'static> {
        &self.compiled
    }
}

fn fixture() -> Fixture {
    let weights = [20, 15, 15, 10, 10, 10, 5, 5, 5, 5];
    let mut dir = MapDirectory::new();
    let channels: Vec<GroupChannel> = weights
        .iter()
        .enumerate()
        .map(|(i, w)| {
            let key = format!("channel-key-{i:02}-3f1c9a2e-7b4d-4c1e-9f0a");
            dir.insert(key.clone(), Environment::Test, &FULL);
            GroupChannel::new(key, *w)
        })
        .collect();
    let keyed = channels[2..]
        .iter()
        .map(|c| c.channel_key.clone())
        .collect();
    let group: &'static ChannelGroup = Box::leak(Box::new(ChannelGroup::new(
        "bench",
        Environment::Test,
        channels,
    )));
    let dir: &'static MapDirectory = Box::leak(Box::new(dir));
    let compiled = CompiledGroup::new(group, dir);
    let ids = (0..1024)
        .map(|i| format!("payment-{i:08}-0e7c3b6a-4b1f-4a47-9a0c"))
        .collect();
    Fixture {
        group,
        dir,
        compiled,
        keyed,
        ids,
    }
}

fn hash_only(f: &Fixture, i: usize) -> u64 {
    routing_hash(black_box(&f.ids[i & 1023]))
}

fn select_10(f: &Fixture, i: usize) -> usize {
    select(
        f.group,
        black_box(&f.ids[i & 1023]),
        Operation::PaymentInstant,
        Some(Method::Card),
        f.dir,
    )
    .unwrap()
    .index
}

fn compiled_10(f: &Fixture, i: usize) -> usize {
    f.compiled()
        .select(
            black_box(&f.ids[i & 1023]),
            Operation::PaymentInstant,
            Some(Method::Card),
        )
        .unwrap()
        .index
}

fn super_key_10(f: &Fixture, i: usize) -> usize {
    select_for_billing_key(f.group, &f.keyed, None, black_box(&f.ids[i & 1023]))
        .unwrap()
        .index
        .unwrap()
}

fn criterion_benches(c: &mut Criterion, f: &Fixture) {
    let mut g = c.benchmark_group("routing");
    let mut i = 0usize;
    g.bench_function("baseline/hash", |b| {
        b.iter(|| {
            i = i.wrapping_add(1);
            hash_only(f, i)
        })
    });
    g.bench_function("select/10ch", |b| {
        b.iter(|| {
            i = i.wrapping_add(1);
            select_10(f, i)
        })
    });
    g.bench_function("compiled/10ch", |b| {
        b.iter(|| {
            i = i.wrapping_add(1);
            compiled_10(f, i)
        })
    });
    g.bench_function("super_key/10ch", |b| {
        b.iter(|| {
            i = i.wrapping_add(1);
            super_key_10(f, i)
        })
    });
    g.finish();
}

/// Median ns/op over 7 runs of 200k calls (printed only; nothing is asserted).
fn ns_per_op<T>(f: &Fixture, op: fn(&Fixture, usize) -> T) -> f64 {
    const N: usize = 200_000;
    let mut runs: Vec<f64> = (0..7)
        .map(|_| {
            let t = Instant::now();
            for i in 0..N {
                black_box(op(f, i));
            }
            t.elapsed().as_nanos() as f64 / N as f64
        })
        .collect();
    runs.sort_by(|a, b| a.total_cmp(b));
    runs[3]
}

fn main() {
    let f = fixture();
    let mut c = Criterion::default().configure_from_args();
    criterion_benches(&mut c, &f);
    c.final_summary();

    let base = ns_per_op(&f, hash_only);
    let sel = ns_per_op(&f, select_10);
    let cg = ns_per_op(&f, compiled_10);
    let sk = ns_per_op(&f, super_key_10);
    println!();
    println!(
        "{:<28} {:>10} {:>12}",
        "same-run summary", "ns/op", "x baseline"
    );
    println!(
        "{:<28} {:>10.1} {:>12}",
        "baseline: routing_hash", base, "1.0"
    );
    println!(
        "{:<28} {:>10.1} {:>12.1}",
        "select, 10 channels",
        sel,
        sel / base
    );
    println!(
        "{:<28} {:>10.1} {:>12.1}",
        "compiled select, 10 ch",
        cg,
        cg / base
    );
    println!(
        "{:<28} {:>10.1} {:>12.1}",
        "super-key select, 10 ch",
        sk,
        sk / base
    );
}
