//! Rule-aware selection with the real adapters' rules, next to a baseline measured in the same
//! run.
//!
//! A 10-channel test group over every linked adapter (its sandbox channel context, no I/O), and
//! the smart-routing founding document's keyed-in card request (`payment-<uuid>` ids, a customer
//! without an id), which some channels' rules refuse:
//!
//! - `baseline`: the same plan with rules that accept at once (capabilities only), what
//!   routing cost before rules were asked.
//! - `with_rules`: `FailoverPlan::for_payment_with_rules`, each eligible channel's adapter
//!   `validate` asked first, exactly as the gateway does it.
//!
//! After criterion's own report, a short table prints ns/op and the ratio to the baseline.
//! `cargo xtask bench` runs it; nothing is asserted.

use std::hint::black_box;
use std::sync::Arc;
use std::time::Instant;

use criterion::Criterion;
// Links every enabled adapter so the registry sees them.
use paymux as _;
use paymux_core::adapter::{InstantPaymentCall, Method, Operation, PgAdapter, PgRequest};
use paymux_core::channel::{ChannelContext, Environment};
use paymux_core::model::InstantPaymentInput;
use paymux_core::registry;
use paymux_routing::{ChannelGroup, FailoverPlan, GroupChannel, MapDirectory};

struct Fixture {
    group: ChannelGroup,
    dir: MapDirectory,
    channels: Vec<(String, Arc<dyn PgAdapter>, ChannelContext)>,
    requests: Vec<PgRequest>,
}

fn fixture() -> Fixture {
    let regs = registry::adapters();
    assert!(
        !regs.is_empty(),
        "the bench needs at least one linked adapter"
    );
    let weights = [20, 15, 15, 10, 10, 10, 5, 5, 5, 5];
    let mut dir = MapDirectory::new();
    let mut channels = Vec::new();
    let mut members = Vec::new();
    for (i, w) in weights.iter().enumerate() {
        let reg = regs[i % regs.len()];
        let key = format!("{}-{i:02}", reg.descriptor.id);
        let simulator = reg
            .simulator
            .expect("benches need the `simulators` feature");
        let ctx = simulator().sandbox_channel(&key, "127.0.0.1:1");
        dir.insert(key.clone(), Environment::Test, reg.descriptor);
        channels.push((key.clone(), (reg.adapter)(), ctx));
        members.push(GroupChannel::new(key, *w));
    }
    let group = ChannelGroup::new("bench", Environment::Test, members);
    let requests = (0..256)
        .map(|i| {
            let body: InstantPaymentInput = serde_json::from_value(serde_json::json!({
                "channelGroupId": "bench",
                "orderName": "월간 이용권 정기결제",
                "customer": { "name": { "full": "김포트" },
                              "phoneNumber": "01000001234", "email": "port@portone.io" },
                "amount": { "total": 8900 },
                "currency": "KRW",
                "method": { "card": { "credential": {
                    "number": "0000123400001234", "expiryYear": "26", "expiryMonth": "12",
                    "birthOrBusinessRegistrationNumber": "900101", "passwordTwoDigits": "00"
                } } },
                "productType": "PHYSICAL"
            }))
            .expect("the founding document's body parses");
            PgRequest::Instant(InstantPaymentCall {
                payment_id: format!("payment-{i:08x}-6f2b-4c1d-9e3a-5b7c8d9e0f1a"),
                body,
            })
        })
        .collect();
    Fixture {
        group,
        dir,
        channels,
        requests,
    }
}

fn payment_id(req: &PgRequest) -> &str {
    req.payment_id().unwrap_or_default()
}

/// The plan for request `i`, with or without asking each channel's rules.
fn plan(f: &Fixture, i: usize, ask_rules: bool) -> usize {
    let req = &f.requests[i & 255];
    FailoverPlan::for_payment_with_rules(
        &f.group,
        black_box(payment_id(req)),
        Operation::PaymentInstant,
        Some(Method::Card),
        &f.dir,
        None,
        |key| {
            if !ask_rules {
                return Ok(());
            }
            let (_, adapter, ctx) = f
                .channels
                .iter()
                .find(|(k, _, _)| k == key)
                .expect("every group channel is built");
            adapter.validate(ctx, req).map_err(|e| e.to_string())
        },
    )
    .map(|p| p.order().count())
    .unwrap_or(0)
}

fn baseline(f: &Fixture, i: usize) -> usize {
    plan(f, i, false)
}

fn with_rules(f: &Fixture, i: usize) -> usize {
    plan(f, i, true)
}

/// Median ns/op over 7 runs of 50k calls (printed only; nothing is asserted).
fn ns_per_op(f: &Fixture, op: fn(&Fixture, usize) -> usize) -> f64 {
    const N: usize = 50_000;
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
    {
        let mut g = c.benchmark_group("routing_rules");
        let mut i = 0usize;
        g.bench_function("baseline/10ch", |b| {
            b.iter(|| {
                i = i.wrapping_add(1);
                baseline(&f, i)
            })
        });
        g.bench_function("with_rules/10ch", |b| {
            b.iter(|| {
                i = i.wrapping_add(1);
                with_rules(&f, i)
            })
        });
        g.finish();
    }
    c.final_summary();

    let accepting = with_rules(&f, 0);
    let base = ns_per_op(&f, baseline);
    let ruled = ns_per_op(&f, with_rules);
    println!();
    println!(
        "{:<40} {:>10} {:>12}",
        "same-run summary", "ns/op", "x baseline"
    );
    println!(
        "{:<40} {:>10.1} {:>12}",
        "baseline: plan without rules, 10 ch", base, "1.0"
    );
    println!(
        "{:<40} {:>10.1} {:>12.1}",
        format!("plan with rules, 10 ch ({accepting} accept)"),
        ruled,
        ruled / base
    );
    // Where the rules' time goes: one `validate` per adapter on the same request.
    for (key, adapter, ctx) in f.channels.iter().take(registry::adapters().len()) {
        const N: u32 = 20_000;
        let t = Instant::now();
        let mut refused = 0;
        for i in 0..N as usize {
            refused += usize::from(
                adapter
                    .validate(ctx, black_box(&f.requests[i & 255]))
                    .is_err(),
            );
        }
        println!(
            "{:<40} {:>10.1} {:>12}",
            format!(
                "  validate, {key} ({})",
                if refused > 0 { "refuses" } else { "accepts" }
            ),
            t.elapsed().as_nanos() as f64 / f64::from(N),
            "-"
        );
    }
}
