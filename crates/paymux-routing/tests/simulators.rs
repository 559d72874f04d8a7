//! Smart routing end to end: every routing decision is carried out against the **real**
//! adapters (Galaxia over TCP, Smartro over HTTP) through `NetTransport` + `execute`, each
//! channel on its own in-process simulator on `127.0.0.1:0`, and checked in the simulators'
//! ledgers.
//!
//! The group `G` mixes two PGs: `galaxia-a` and `galaxia-c` (Galaxia: keyed-in CARD, card
//! billing keys) and `smartro-b` (Smartro: keyed-in VIRTUAL_ACCOUNT only, card billing keys).
//! The directory is built from the channels' own contexts (`ChannelRecord::from_context`).
//!
//! Scenarios: capability skipping and weighted selection; the super-billing-key rules
//! (issue on every enabled channel incl. weight 0, partial and total failure, pay by current
//! weights among keyed channels, explicit channel, weight-0 fallback, nothing usable,
//! deletion); a scheduled group change; opt-in failover (only when nothing was sent); health
//! skipping with a manual clock.
//!
//! Time is never asserted: timeouts are limits, the health clock is manual, and the routing
//! hash is deterministic, so the weighted counts below are fixed numbers checked against wide
//! ranges.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use paymux_core::adapter::{
    AdapterDescriptor, EncodeContext, Method, Operation, PgAdapter, PgRequest,
};
use paymux_core::channel::{ChannelContext, Environment};
use paymux_core::error::PgError;
use paymux_core::execute::execute;
use paymux_core::outcome::{ApprovedDetail, DeclineKind, Outcome};
use paymux_core::secret::Secret;
use paymux_core::simulator::{Simulator, SimulatorHandle};
use paymux_core::transport::{NetTransport, Timeouts};
use paymux_galaxia::{GalaxiaAdapter, GalaxiaSimulator};
use paymux_routing::schedule::GroupSchedule;
use paymux_routing::{
    delete_super_billing_key, delete_targets, issue_super_billing_key, issue_targets,
    route_with_failover, select, select_for_billing_key, select_with_health, Applied,
    AttemptResult, BillingKeyRoute, ChannelGroup, ChannelHealth, ChannelRecord,
    ChannelSpecificFailure, FailoverPlan, GroupChannel, GroupUpdate, HealthConfig, HealthTracker,
    ManualClock, MapDirectory, RoutingError, SkipReason, SuperKeyIssue,
};
use paymux_smartro::{SmartroAdapter, SmartroSimulator};
use serde_json::{json, Value};

const A: &str = "galaxia-a";
const B: &str = "smartro-b";
const C: &str = "galaxia-c";
const D: &str = "galaxia-d";

/// Test cards (the shared simulator convention: the last four digits decide).
const CARD_OK: &str = "4518420012345678";
const CARD_DECLINED: &str = "4518420012340002";
const CARD_LATE: &str = "4518420012340098";

const GROUP_ID: &str = "channel-group-test-94ab2b51-b7e1-4b74-9a9c-9fb6e117a6ac";
const CARD: Option<Method> = Some(Method::Card);
const VA: Option<Method> = Some(Method::VirtualAccount);
const INSTANT: Operation = Operation::PaymentInstant;

// ---------------------------------------------------------------------------------------------
// The sandbox: channels on running simulators
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Pg {
    Galaxia,
    Smartro,
}

struct Channel {
    pg: Pg,
    adapter: &'static dyn PgAdapter,
    sim: Arc<dyn Simulator>,
    ctx: ChannelContext,
    handle: Option<SimulatorHandle>,
}

/// Channels, each on its own simulator, and the directory routing sees.
struct Sandbox {
    channels: BTreeMap<&'static str, Channel>,
    directory: MapDirectory,
    transport: NetTransport,
}

/// Enough for a loopback simulator; a limit, never an assertion.
const TIMEOUTS: Timeouts = Timeouts {
    connect: Duration::from_secs(2),
    read: Duration::from_secs(5),
};

impl Sandbox {
    async fn new(spec: &[(&'static str, Pg)]) -> Sandbox {
        let mut sb = Sandbox {
            channels: BTreeMap::new(),
            directory: MapDirectory::new(),
            transport: NetTransport::new(),
        };
        for &(key, pg) in spec {
            let (sim, adapter): (Arc<dyn Simulator>, &'static dyn PgAdapter) = match pg {
                Pg::Galaxia => (Arc::new(GalaxiaSimulator::default()), &GalaxiaAdapter),
                Pg::Smartro => (Arc::new(SmartroSimulator::default()), &SmartroAdapter),
            };
            let handle = sim
                .clone()
                .start("127.0.0.1:0".parse().unwrap())
                .await
                .unwrap();
            let ctx = sim.sandbox_channel(key, &handle.endpoint());
            sb.directory
                .insert_record(key, ChannelRecord::from_context(&ctx, adapter.descriptor()));
            sb.channels.insert(
                key,
                Channel {
                    pg,
                    adapter,
                    sim,
                    ctx,
                    handle: Some(handle),
                },
            );
        }
        sb
    }

    /// The group's three channels: Galaxia, Smartro, Galaxia.
    async fn abc() -> Sandbox {
        Sandbox::new(&[(A, Pg::Galaxia), (B, Pg::Smartro), (C, Pg::Galaxia)]).await
    }

    fn channel(&self, key: &str) -> &Channel {
        self.channels
            .get(key)
            .unwrap_or_else(|| panic!("no channel {key}"))
    }

    /// Run one operation on a channel, for real.
    async fn run_with(
        &self,
        key: &str,
        req: &PgRequest,
        timeouts: Timeouts,
    ) -> Result<Outcome, PgError> {
        let ch = self.channel(key);
        let ctx = EncodeContext::now(&ch.ctx);
        execute(ch.adapter, &self.transport, &ctx, req, timeouts).await
    }

    async fn run(&self, key: &str, req: &PgRequest) -> Result<Outcome, PgError> {
        self.run_with(key, req, TIMEOUTS).await
    }

    /// A keyed-in card payment on `key`.
    async fn pay_card(
        &self,
        key: &str,
        payment_id: &str,
        number: &str,
    ) -> Result<Outcome, PgError> {
        self.pay_card_with(key, payment_id, number, TIMEOUTS).await
    }

    async fn pay_card_with(
        &self,
        key: &str,
        payment_id: &str,
        number: &str,
        timeouts: Timeouts,
    ) -> Result<Outcome, PgError> {
        let req = card_payment(self.channel(key).pg, payment_id, number);
        self.run_with(key, &req, timeouts).await
    }

    /// A keyed-in virtual account on `key`.
    async fn pay_va(&self, key: &str, payment_id: &str) -> Result<Outcome, PgError> {
        let req = va_payment(self.channel(key).pg, payment_id);
        self.run(key, &req).await
    }

    /// `billing-key.issue` on `key` (one leg of a super billing key).
    async fn issue_key(&self, key: &str, billing_key: &str) -> Result<Outcome, PgError> {
        let req = issue_request(self.channel(key).pg, billing_key, CARD_OK);
        self.run(key, &req).await
    }

    /// `payment.billing-key` on `key` with that channel's PG key.
    async fn charge(
        &self,
        key: &str,
        payment_id: &str,
        billing_key: &str,
        pg_keys: &BTreeMap<String, String>,
    ) -> Result<Outcome, PgError> {
        let pg_key = pg_keys
            .get(key)
            .unwrap_or_else(|| panic!("routing chose {key}, which holds no PG key"));
        let req = charge_request(self.channel(key).pg, payment_id, billing_key, pg_key);
        self.run(key, &req).await
    }

    /// `billing-key.delete` on `key`.
    async fn delete_key(
        &self,
        key: &str,
        billing_key: &str,
        pg_keys: &BTreeMap<String, String>,
    ) -> Result<Outcome, PgError> {
        let req = delete_request(billing_key, &pg_keys[key]);
        self.run(key, &req).await
    }

    /// The channels whose simulator recorded `payment_id`.
    fn holders(&self, payment_id: &str) -> Vec<&'static str> {
        self.channels
            .iter()
            .filter(|(_, ch)| ch.sim.ledger().iter().any(|e| e.order_id == payment_id))
            .map(|(k, _)| *k)
            .collect()
    }

    /// The state of `payment_id` in `key`'s ledger.
    fn ledger_state(&self, key: &str, payment_id: &str) -> Option<String> {
        self.channel(key)
            .sim
            .ledger()
            .into_iter()
            .find(|e| e.order_id == payment_id)
            .map(|e| e.state)
    }

    /// Stop `key`'s simulator and wait until its port refuses connections (so the next
    /// request is certainly "not sent", never accepted into a dying listener's backlog).
    async fn stop(&mut self, key: &str) {
        let ch = self.channels.get_mut(key).unwrap();
        let mut handle = ch.handle.take().expect("running");
        let addr = handle.local_addr;
        handle.shutdown();
        drop(handle);
        for _ in 0..400 {
            if tokio::net::TcpStream::connect(addr).await.is_err() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        panic!("{key}'s simulator still accepts connections after shutdown");
    }

    /// Start `key`'s simulator again (same books, new port) and point the channel at it.
    async fn restart(&mut self, key: &str) {
        let ch = self.channels.get_mut(key).unwrap();
        assert!(ch.handle.is_none(), "{key} is running");
        let handle = ch
            .sim
            .clone()
            .start("127.0.0.1:0".parse().unwrap())
            .await
            .unwrap();
        ch.ctx = ch.sim.sandbox_channel(key, &handle.endpoint());
        ch.handle = Some(handle);
    }

    /// Give a Smartro channel a MID its PG does not know (a misconfigured channel: the PG
    /// answers with a merchant-configuration decline).
    fn break_smartro_credentials(&mut self, key: &str) {
        let ch = self.channels.get_mut(key).unwrap();
        assert_eq!(ch.pg, Pg::Smartro);
        let unknown = "pmxnobody1";
        ch.ctx
            .credentials
            .insert("mid".into(), Secret::new(unknown.to_string()));
        ch.ctx
            .options
            .insert("billing_mid".into(), unknown.to_string());
    }
}

// ---------------------------------------------------------------------------------------------
// Requests (PortOne V2 JSON, as the gateway hands them to the adapter)
// ---------------------------------------------------------------------------------------------

fn request(op: Operation, v: Value) -> PgRequest {
    PgRequest::from_json(op, &v.to_string()).unwrap_or_else(|e| panic!("{op}: {e}"))
}

fn customer() -> Value {
    json!({
        "id": "cust_0001",
        "name": { "full": "김포트" },
        "phoneNumber": "01000001234",
        "email": "port@portone.io"
    })
}

fn credential(number: &str) -> Value {
    json!({
        "number": number,
        "expiryYear": "30",
        "expiryMonth": "12",
        "birthOrBusinessRegistrationNumber": "900101",
        "passwordTwoDigits": "00"
    })
}

/// Galaxia wants its 상품코드 (the sandbox channel has a default; the request names it too).
fn with_bypass(pg: Pg, mut v: Value) -> Value {
    if pg == Pg::Galaxia {
        v["bypass"] = json!({ "galaxia": { "ITEM_CODE": "ITEM01" } });
    }
    v
}

fn card_payment(pg: Pg, payment_id: &str, number: &str) -> PgRequest {
    request(
        INSTANT,
        with_bypass(
            pg,
            json!({
                "paymentId": payment_id,
                "channelGroupId": GROUP_ID,
                "orderName": "월간 이용권",
                "customer": customer(),
                "amount": { "total": 8900 },
                "currency": "KRW",
                "method": { "card": { "credential": credential(number) } },
                "productType": "PHYSICAL"
            }),
        ),
    )
}

fn va_payment(pg: Pg, payment_id: &str) -> PgRequest {
    request(
        INSTANT,
        with_bypass(
            pg,
            json!({
                "paymentId": payment_id,
                "channelGroupId": GROUP_ID,
                "orderName": "월간 이용권",
                "customer": customer(),
                "amount": { "total": 8900 },
                "currency": "KRW",
                "method": { "virtualAccount": {
                    "bank": "KOOKMIN",
                    "expiry": { "validHours": 72 },
                    "option": { "type": "NORMAL" },
                    "cashReceipt": { "type": "PERSONAL", "customerIdentityNumber": "01000001234" },
                    "remitteeName": "포트원"
                } },
                "productCount": 1
            }),
        ),
    )
}

fn issue_request(pg: Pg, billing_key: &str, number: &str) -> PgRequest {
    request(
        Operation::BillingKeyIssue,
        with_bypass(
            pg,
            json!({
                "billingKey": billing_key,
                "channelGroupId": GROUP_ID,
                "customer": customer(),
                "method": { "card": { "credential": credential(number) } }
            }),
        ),
    )
}

fn charge_request(pg: Pg, payment_id: &str, billing_key: &str, pg_key: &str) -> PgRequest {
    request(
        Operation::PaymentBillingKey,
        with_bypass(
            pg,
            json!({
                "paymentId": payment_id,
                "billingKey": billing_key,
                "orderName": "월간 이용권 정기결제",
                "customer": customer(),
                "amount": { "total": 8900 },
                "currency": "KRW",
                "productType": "PHYSICAL",
                "productCount": 1,
                "prior": { "pgBillingKey": pg_key, "method": "CARD" }
            }),
        ),
    )
}

fn delete_request(billing_key: &str, pg_key: &str) -> PgRequest {
    request(
        Operation::BillingKeyDelete,
        json!({ "billingKey": billing_key, "prior": { "pgBillingKey": pg_key } }),
    )
}

// ---------------------------------------------------------------------------------------------
// Groups and result helpers
// ---------------------------------------------------------------------------------------------

/// A test group with a fixed id, validated against the directory (weights sum to 100, every
/// channel exists and is a test channel).
fn group(sb: &Sandbox, channels: &[(&str, u32, bool)]) -> ChannelGroup {
    let g = ChannelGroup {
        id: GROUP_ID.into(),
        name: "galaxia + smartro".into(),
        environment: Environment::Test,
        channels: channels
            .iter()
            .map(|&(k, w, enabled)| GroupChannel {
                channel_key: k.into(),
                weight: w,
                enabled,
            })
            .collect(),
        failover: false,
        health_skip: false,
    };
    g.validate(&sb.directory)
        .unwrap_or_else(|e| panic!("invalid test group: {e:?}"));
    g
}

/// `G`: Galaxia 50 / Smartro 30 / Galaxia 20.
fn group_g(sb: &Sandbox) -> ChannelGroup {
    group(sb, &[(A, 50, true), (B, 30, true), (C, 20, true)])
}

fn is_approved(r: &Result<Outcome, PgError>) -> bool {
    matches!(r, Ok(Outcome::Approved(_)))
}

#[track_caller]
fn assert_approved(r: &Result<Outcome, PgError>, what: &str) {
    assert!(is_approved(r), "{what}: expected an approval, got {r:?}");
}

/// The first `n` ids `{prefix}{i}` for which `pred` holds (letters and digits only: Smartro
/// refuses any other character in its Moid, so every paymentId here is alphanumeric).
fn ids_where(prefix: &str, n: usize, pred: impl Fn(&str) -> bool) -> Vec<String> {
    let ids: Vec<String> = (0..10_000)
        .map(|i| format!("{prefix}{i}"))
        .filter(|id| pred(id))
        .take(n)
        .collect();
    assert_eq!(ids.len(), n, "not enough ids for {prefix}");
    ids
}

/// The keyed channels of a super billing key and each channel's PG key.
fn keys_of(issue: &SuperKeyIssue) -> (Vec<String>, BTreeMap<String, String>) {
    let mut keyed = Vec::new();
    let mut pg_keys = BTreeMap::new();
    for s in &issue.succeeded {
        let key = s.channel.key_str().to_string();
        let Outcome::Approved(a) = &s.outcome else {
            panic!("{key}: succeeded without an approval: {:?}", s.outcome);
        };
        let ApprovedDetail::BillingKeyIssued { pg_billing_key, .. } = &a.detail else {
            panic!("{key}: no PG billing key in {:?}", a.detail);
        };
        keyed.push(key.clone());
        pg_keys.insert(key, pg_billing_key.expose().clone());
    }
    (keyed, pg_keys)
}

/// Issue a super billing key with `group` through the real adapters.
async fn issue_super_key(
    sb: &Sandbox,
    group: &ChannelGroup,
    billing_key: &'static str,
) -> Result<SuperKeyIssue, RoutingError> {
    let targets = issue_targets(group, &sb.directory).unwrap();
    issue_super_billing_key(&targets, |key| sb.issue_key(key, billing_key)).await
}

fn failure_keys(failures: &[ChannelSpecificFailure]) -> Vec<&str> {
    failures.iter().map(|f| f.channel().key_str()).collect()
}

// ---------------------------------------------------------------------------------------------
// 1. Selection with capability skipping
// ---------------------------------------------------------------------------------------------

/// CARD through G lands only on the Galaxia channels (Smartro has no keyed-in card), split
/// 50:20 renormalized (5/7 : 2/7); VIRTUAL_ACCOUNT lands only on Smartro. Every payment is
/// really approved (or issued) by the chosen simulator and by no other.
#[tokio::test]
async fn keyed_in_payments_skip_channels_that_cannot_take_them_and_follow_renormalized_weights() {
    let sb = Sandbox::abc().await;
    let g = group_g(&sb);

    // The skip is not vacuous: each adapter really refuses the other method, before sending.
    for e in [
        sb.pay_card(B, "capcard", CARD_OK).await.unwrap_err(),
        sb.pay_va(A, "capva").await.unwrap_err(),
    ] {
        assert!(matches!(e, PgError::Unsupported { .. }), "{e}");
    }

    // The same channels as a plain map (the other directory implementation).
    let plain_dir: HashMap<String, (Environment, &'static AdapterDescriptor)> = sb
        .channels
        .iter()
        .map(|(k, ch)| (k.to_string(), (Environment::Test, ch.adapter.descriptor())))
        .collect();
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for i in 0..300 {
        let id = format!("card{i}");
        let sel = select(&g, &id, INSTANT, CARD, &sb.directory).unwrap();
        let key = sel.channel_key;
        assert_ne!(key, B, "{id}: Smartro cannot take a keyed-in card");
        assert_eq!(sel.selected_channel().pg_provider, "GALAXIA");
        // Pure: the same id with a rebuilt group and another directory gives the same channel.
        let g2 = g.clone();
        let again = select(&g2, &id, INSTANT, CARD, &plain_dir).unwrap();
        assert_eq!(again.channel_key, key, "{id}");
        *counts.entry(key).or_default() += 1;

        let r = sb.pay_card(key, &id, CARD_OK).await;
        assert_approved(&r, &id);
        assert_eq!(sb.holders(&id), [key], "{id}: only the chosen PG has it");
    }
    let (a, c) = (counts[A], counts[C]);
    assert_eq!(a + c, 300);
    // Expected 214 : 86 (5/7 of 300); the hash is fixed, so this is one fixed outcome.
    assert!(
        (180..=250).contains(&a),
        "galaxia-a got {a} of 300 (expected ~214)"
    );
    assert!(
        (50..=120).contains(&c),
        "galaxia-c got {c} of 300 (expected ~86)"
    );

    for i in 0..20 {
        let id = format!("va{i}");
        let sel = select(&g, &id, INSTANT, VA, &sb.directory).unwrap();
        assert_eq!(
            sel.channel_key, B,
            "{id}: only Smartro issues keyed-in virtual accounts"
        );
        assert_eq!(sel.selected_channel().pg_provider, "SMARTRO_V2");
        let r = sb.pay_va(B, &id).await;
        assert!(
            matches!(r, Ok(Outcome::VirtualAccountIssued(_))),
            "{id}: expected an account, got {r:?}"
        );
        assert_eq!(sb.holders(&id), [B]);
        assert_eq!(
            sb.ledger_state(B, &id).as_deref(),
            Some("VIRTUAL_ACCOUNT_ISSUED")
        );
    }

    // A group with no channel that can do the job says so, per channel.
    let only_smartro = group(&sb, &[(B, 100, true), (A, 0, false)]);
    let e = select(&only_smartro, "cardx", INSTANT, CARD, &sb.directory).unwrap_err();
    let msg = e.to_string();
    assert!(
        msg.contains("no enabled channel supports `payment.instant` with CARD"),
        "{msg}"
    );
    assert_eq!(
        e.skipped()
            .iter()
            .map(|s| (s.channel_key.as_str(), s.reason.clone()))
            .collect::<Vec<_>>(),
        [
            (
                B,
                SkipReason::Unsupported {
                    adapter: "smartro".into()
                }
            ),
            (A, SkipReason::Disabled)
        ]
    );
}

// ---------------------------------------------------------------------------------------------
// 2. Super billing key: issue
// ---------------------------------------------------------------------------------------------

/// Issued with the group: a real key on every enabled channel, weight 0 included, reported
/// as PortOne `channels` (provider and merchant id from the channel); each key really works.
#[tokio::test]
async fn super_key_is_issued_on_every_enabled_channel_including_weight_zero() {
    let sb = Sandbox::abc().await;
    let g = group(&sb, &[(A, 70, true), (B, 30, true), (C, 0, true)]);
    let issue = issue_super_key(&sb, &g, "bk-super-all").await.unwrap();
    assert!(issue.failures.is_empty(), "{:?}", issue.failures);
    let channels = issue.channels();
    let summary: Vec<(&str, &str, &str)> = channels
        .iter()
        .map(|c| {
            (
                c.key_str(),
                c.pg_provider.as_str(),
                c.pg_merchant_id.as_str(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            (A, "GALAXIA", paymux_galaxia::simulator::TEST_MID),
            (B, "SMARTRO_V2", paymux_smartro::simulator::TEST_MID),
            (C, "GALAXIA", paymux_galaxia::simulator::TEST_MID),
        ]
    );
    let (keyed, pg_keys) = keys_of(&issue);
    assert_eq!(keyed, [A, B, C]);
    // Each PG key is real at its own PG: the weight-0 channel's too.
    for (n, key) in [A, B, C].into_iter().enumerate() {
        let id = format!("skcheck{n}");
        let r = sb.charge(key, &id, "bk-super-all", &pg_keys).await;
        assert_approved(&r, key);
        assert_eq!(sb.holders(&id), [key]);
    }
}

/// A disabled channel gets no key (and is not called); a channel whose PG is down (not sent)
/// and one the PG refuses (merchant unknown) are reported per channel while the others
/// succeed; when every channel fails the issue is an error listing each.
#[tokio::test]
async fn super_key_issue_skips_disabled_reports_failures_and_errors_when_all_fail() {
    let mut sb = Sandbox::abc().await;

    // Disabled: silently left out, never called.
    let g = group(&sb, &[(A, 70, true), (B, 30, true), (C, 0, false)]);
    let targets = issue_targets(&g, &sb.directory).unwrap();
    let called = std::sync::Mutex::new(Vec::new());
    let issue = issue_super_billing_key(&targets, |key| {
        called.lock().unwrap().push(key.to_string());
        sb.issue_key(key, "bk-super-disabled")
    })
    .await
    .unwrap();
    assert_eq!(*called.lock().unwrap(), [A, B]);
    assert_eq!(keys_of(&issue).0, [A, B]);
    assert!(issue.failures.is_empty());

    // Partial: B refused by its PG, C's PG down.
    sb.break_smartro_credentials(B);
    sb.stop(C).await;
    let g = group(&sb, &[(A, 40, true), (B, 30, true), (C, 30, true)]);
    let issue = issue_super_key(&sb, &g, "bk-super-partial").await.unwrap();
    assert_eq!(keys_of(&issue).0, [A], "usable only where it succeeded");
    assert_eq!(failure_keys(&issue.failures), [B, C]);
    match &issue.failures[0] {
        ChannelSpecificFailure::PgProvider {
            pg_code, message, ..
        } => {
            assert_eq!(
                pg_code,
                paymux_smartro::protocol::sim::UNKNOWN_MERCHANT,
                "the PG's own code"
            );
            assert!(
                message.as_deref().unwrap_or("").contains("config_error"),
                "{message:?}"
            );
        }
        other => panic!("smartro-b: expected a PG refusal, got {other}"),
    }
    match &issue.failures[1] {
        ChannelSpecificFailure::InvalidRequest { message, .. } => {
            assert!(
                message.as_deref().unwrap_or("").contains("not sent"),
                "{message:?}"
            );
        }
        other => panic!("galaxia-c: expected a not-sent failure, got {other}"),
    }

    // All failing: an error with one failure per channel.
    sb.stop(A).await;
    let e = issue_super_key(&sb, &g, "bk-super-none").await.unwrap_err();
    let RoutingError::AllChannelsFailed { failures } = &e else {
        panic!("expected AllChannelsFailed, got {e}");
    };
    assert_eq!(failure_keys(failures), [A, B, C]);
    let msg = e.to_string();
    for key in [A, B, C] {
        assert!(msg.contains(key), "{key} missing from: {msg}");
    }
}

// ---------------------------------------------------------------------------------------------
// 3. Super billing key: pay
// ---------------------------------------------------------------------------------------------

/// Keys on A, B, C; the group is later changed to B 10 / C 30 / D 60 (D new, holds no key):
/// charges go only to B and C, about 1:3, each really charged with that channel's PG key.
/// An explicit channelKey forces that channel (it must hold a key); with no keyed channel
/// weighted a weight-0 keyed channel is used; with every keyed channel disabled or removed
/// the payment fails clearly.
#[tokio::test]
async fn super_key_payments_follow_current_weights_among_keyed_channels() {
    let sb = Sandbox::new(&[
        (A, Pg::Galaxia),
        (B, Pg::Smartro),
        (C, Pg::Galaxia),
        (D, Pg::Galaxia),
    ])
    .await;
    let bk = "bk-super-pay";
    let at_issue = group(&sb, &[(A, 40, true), (B, 30, true), (C, 30, true)]);
    let issue = issue_super_key(&sb, &at_issue, bk).await.unwrap();
    let (keyed, pg_keys) = keys_of(&issue);
    assert_eq!(keyed, [A, B, C]);

    let now = group(&sb, &[(B, 10, true), (C, 30, true), (D, 60, true)]);
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for i in 0..200 {
        let id = format!("sbkw{i}");
        let sel = select_for_billing_key(&now, &keyed, None, &id).unwrap();
        assert_eq!(sel.route, BillingKeyRoute::Weighted);
        assert!(
            [B, C].contains(&sel.channel_key),
            "{id}: routed to {}",
            sel.channel_key
        );
        let r = sb.charge(sel.channel_key, &id, bk, &pg_keys).await;
        assert_approved(&r, &id);
        assert_eq!(sb.holders(&id), [sel.channel_key], "{id}");
        *counts.entry(sel.channel_key).or_default() += 1;
    }
    let (b, c) = (counts[B], counts[C]);
    assert_eq!(b + c, 200, "nothing to A (removed) or D (no key)");
    // 10:30 → expected 50 : 150.
    assert!(
        (25..=80).contains(&b),
        "smartro-b got {b} of 200 (expected ~50)"
    );
    assert!(
        (120..=175).contains(&c),
        "galaxia-c got {c} of 200 (expected ~150)"
    );
    for key in [A, D] {
        assert!(
            sb.channel(key)
                .sim
                .ledger()
                .iter()
                .all(|e| !e.order_id.starts_with("sbkw")),
            "{key} was charged"
        );
    }

    // Explicit channelKey: that channel, even one since removed from the group.
    for (n, key) in [B, A].into_iter().enumerate() {
        let id = format!("sbkexplicit{n}");
        let sel = select_for_billing_key(&now, &keyed, Some(key), &id).unwrap();
        assert_eq!(
            (sel.channel_key, sel.route),
            (key, BillingKeyRoute::Explicit)
        );
        let r = sb.charge(sel.channel_key, &id, bk, &pg_keys).await;
        assert_approved(&r, &id);
        assert_eq!(sb.holders(&id), [key]);
    }
    // ... but it must hold a key.
    let e = select_for_billing_key(&now, &keyed, Some(D), "sbkexplicitd").unwrap_err();
    assert!(
        matches!(&e, RoutingError::ChannelHoldsNoKey { channel_key, .. } if channel_key == D),
        "{e}"
    );
    assert_eq!(
        e.to_string(),
        "channelKey `galaxia-d`: the billing key was not issued on this channel (issued on: galaxia-a, smartro-b, galaxia-c)"
    );

    // No keyed channel has a weight: a weight-0 keyed channel is used (both, over many ids).
    let zero = group(&sb, &[(B, 0, true), (C, 0, true), (D, 100, true)]);
    let mut used = BTreeMap::<&str, usize>::new();
    for i in 0..24 {
        let id = format!("sbkzero{i}");
        let sel = select_for_billing_key(&zero, &keyed, None, &id).unwrap();
        assert_eq!(sel.route, BillingKeyRoute::ZeroWeightFallback);
        assert!(
            [B, C].contains(&sel.channel_key),
            "{id}: {}",
            sel.channel_key
        );
        let r = sb.charge(sel.channel_key, &id, bk, &pg_keys).await;
        assert_approved(&r, &id);
        assert_eq!(sb.holders(&id), [sel.channel_key]);
        *used.entry(sel.channel_key).or_default() += 1;
    }
    assert_eq!(
        used.len(),
        2,
        "uniform among the weight-0 keyed channels: {used:?}"
    );

    // Every keyed channel disabled or removed: a clear error, nothing charged.
    let none = group(&sb, &[(B, 0, false), (D, 100, true)]);
    let e = select_for_billing_key(&none, &keyed, None, "sbknone").unwrap_err();
    let RoutingError::NoKeyedChannelAvailable { skipped, .. } = &e else {
        panic!("expected NoKeyedChannelAvailable, got {e}");
    };
    assert_eq!(
        skipped
            .iter()
            .map(|s| (s.channel_key.as_str(), s.reason.clone()))
            .collect::<Vec<_>>(),
        [
            (A, SkipReason::NotInGroup),
            (B, SkipReason::Disabled),
            (C, SkipReason::NotInGroup)
        ]
    );
    assert_eq!(
        e.to_string(),
        format!(
            "channel group `{GROUP_ID}`: no channel holding this billing key is enabled in the group (galaxia-a: removed from the group; smartro-b: disabled; galaxia-c: removed from the group)"
        )
    );
    assert!(sb.holders("sbknone").is_empty());
}

// ---------------------------------------------------------------------------------------------
// 4. Super billing key: delete
// ---------------------------------------------------------------------------------------------

/// Deleted on every keyed channel; a channel whose PG is down is reported, the others are
/// really deleted (a later charge with their PG key is refused); every channel failing is an
/// error.
#[tokio::test]
async fn super_key_deletion_reports_each_channel() {
    let mut sb = Sandbox::abc().await;
    let bk = "bk-super-del";
    let g = group(&sb, &[(A, 50, true), (B, 50, true), (C, 0, true)]);
    let issue = issue_super_key(&sb, &g, bk).await.unwrap();
    let (_, pg_keys) = keys_of(&issue);
    let targets = delete_targets(&issue.channels());
    assert_eq!(
        targets.iter().map(|t| t.key()).collect::<Vec<_>>(),
        [A, B, C]
    );

    sb.stop(B).await;
    let del = delete_super_billing_key(&targets, |key| sb.delete_key(key, bk, &pg_keys))
        .await
        .unwrap();
    assert!(!del.is_complete());
    assert_eq!(
        del.succeeded
            .iter()
            .map(|c| c.key_str())
            .collect::<Vec<_>>(),
        [A, C]
    );
    assert_eq!(failure_keys(&del.failures), [B]);
    assert!(
        matches!(&del.failures[0], ChannelSpecificFailure::InvalidRequest { message: Some(m), .. } if m.contains("not sent")),
        "{}",
        del.failures[0]
    );
    // Really gone at A and C.
    for (n, key) in [A, C].into_iter().enumerate() {
        let id = format!("delafter{n}");
        let r = sb.charge(key, &id, bk, &pg_keys).await;
        assert!(
            matches!(&r, Ok(Outcome::Declined(_))),
            "{key}: a deleted key must be refused, got {r:?}"
        );
        assert!(sb.holders(&id).is_empty());
    }

    // Retrying the deletion where everything fails now (A and C already deleted: their PGs
    // refuse; B still down) is an error with every channel.
    let e = delete_super_billing_key(&targets, |key| sb.delete_key(key, bk, &pg_keys))
        .await
        .unwrap_err();
    let RoutingError::AllChannelsFailed { failures } = &e else {
        panic!("expected AllChannelsFailed, got {e}");
    };
    assert_eq!(failure_keys(failures), [A, B, C]);
}

// ---------------------------------------------------------------------------------------------
// 5. Scheduled group change
// ---------------------------------------------------------------------------------------------

fn at(rfc3339: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(rfc3339).unwrap().to_utc()
}

/// A change scheduled for a future whole hour applies only from then, and selection (hence
/// the PG actually charged) follows the configuration in force at the payment's time.
#[tokio::test]
async fn scheduled_group_change_applies_from_its_hour() {
    let sb = Sandbox::abc().await;
    let before = group(&sb, &[(A, 70, true), (B, 30, true), (C, 0, true)]);
    let after = group(&sb, &[(A, 0, true), (B, 30, true), (C, 70, true)]);
    let mut schedule = GroupSchedule::create(GroupUpdate::now(before.clone()), &sb.directory)
        .expect("valid group");
    let now = at("2026-03-01T10:20:00+09:00");

    // Not on the hour, or not in the future: refused.
    for bad in ["2026-03-01T11:30:00+09:00", "2026-03-01T10:00:00+09:00"] {
        let e = schedule
            .apply(GroupUpdate::at(after.clone(), at(bad)), &sb.directory, now)
            .unwrap_err();
        assert!(
            e.0.iter().any(|e| e.path.as_str() == "effectiveAt"),
            "{bad}: {e:?}"
        );
    }
    let hour = at("2026-03-01T11:00:00+09:00");
    assert_eq!(
        schedule
            .apply(GroupUpdate::at(after.clone(), hour), &sb.directory, now)
            .unwrap(),
        Applied::Scheduled(hour)
    );
    assert_eq!(schedule.config_at(now), &before);
    assert_eq!(schedule.config_at(at("2026-03-01T10:59:59+09:00")), &before);
    assert_eq!(schedule.config_at(hour), &after);

    for (when, card_to, tag) in [
        ("2026-03-01T10:59:59+09:00", A, "pre"),
        ("2026-03-01T11:00:00+09:00", C, "post"),
    ] {
        let g = schedule.config_at(at(when));
        for i in 0..10 {
            let id = format!("sched{tag}card{i}");
            let sel = select(g, &id, INSTANT, CARD, &sb.directory).unwrap();
            assert_eq!(sel.channel_key, card_to, "{id} at {when}");
            assert_approved(&sb.pay_card(sel.channel_key, &id, CARD_OK).await, &id);
            assert_eq!(sb.holders(&id), [card_to]);
        }
        let id = format!("sched{tag}va");
        let sel = select(g, &id, INSTANT, VA, &sb.directory).unwrap();
        assert_eq!(sel.channel_key, B);
        assert!(matches!(
            sb.pay_va(B, &id).await,
            Ok(Outcome::VirtualAccountIssued(_))
        ));
    }

    // Folding the due change in changes nothing for times from then on.
    assert_eq!(schedule.advance(hour), 1);
    assert_eq!(schedule.config_at(hour), &after);
    assert!(schedule.pending().is_empty());
}

// ---------------------------------------------------------------------------------------------
// 6. Failover (opt-in)
// ---------------------------------------------------------------------------------------------

fn attempts(routed: &paymux_routing::Routed<'_>) -> Vec<(String, AttemptResult)> {
    routed
        .attempts
        .iter()
        .map(|a| (a.channel_key.clone(), a.result.clone()))
        .collect()
}

fn is_not_sent(r: &AttemptResult) -> bool {
    matches!(r, AttemptResult::Error { not_sent: true, .. })
}

/// A keyed-in card whose channel's PG is down (connection refused: certainly not sent) fails
/// over to the other Galaxia channel and is approved there — only in a group that opted in.
#[tokio::test]
async fn failover_moves_an_unsent_card_payment_to_the_next_channel() {
    let mut sb = Sandbox::abc().await;
    let plain = group_g(&sb);
    let mut fo = plain.clone();
    fo.failover = true;
    let ids = ids_where("focard", 2, |id| {
        select(&fo, id, INSTANT, CARD, &sb.directory)
            .unwrap()
            .channel_key
            == A
    });
    sb.stop(A).await;

    // Opted in: A refused the connection, C approved.
    let routed = route_with_failover(&fo, &ids[0], INSTANT, CARD, &sb.directory, None, |c| {
        sb.pay_card(c.channel_key, &ids[0], CARD_OK)
    })
    .await
    .unwrap();
    assert_eq!(routed.channel_key, C);
    assert_approved(&routed.result, "after failover");
    let tried = attempts(&routed);
    assert_eq!(tried.len(), 2, "{tried:?}");
    assert_eq!(tried[0].0, A);
    assert!(is_not_sent(&tried[0].1), "{:?}", tried[0].1);
    assert_eq!(tried[1], (C.to_string(), AttemptResult::Approved));
    assert_eq!(sb.holders(&ids[0]), [C]);

    // PortOne's behaviour (no flag): the error is returned as is, nothing else is tried.
    let routed = route_with_failover(&plain, &ids[1], INSTANT, CARD, &sb.directory, None, |c| {
        sb.pay_card(c.channel_key, &ids[1], CARD_OK)
    })
    .await
    .unwrap();
    assert_eq!(routed.channel_key, A);
    assert!(
        matches!(&routed.result, Err(PgError::NotSent { .. })),
        "{:?}",
        routed.result
    );
    assert_eq!(routed.attempts.len(), 1);
    assert!(sb.holders(&ids[1]).is_empty());
}

/// Across PGs: a super-billing-key charge whose Galaxia channel is down fails over to the
/// Smartro channel and is charged there with Smartro's own PG key. The weight-0 keyed channel
/// is not a fallback.
#[tokio::test]
async fn failover_moves_a_super_key_charge_from_galaxia_to_smartro() {
    let mut sb = Sandbox::abc().await;
    let bk = "bk-super-fo";
    let mut g = group(&sb, &[(A, 60, true), (B, 40, true), (C, 0, true)]);
    g.failover = true;
    let issue = issue_super_key(&sb, &g, bk).await.unwrap();
    let (keyed, pg_keys) = keys_of(&issue);
    assert_eq!(keyed, [A, B, C]);
    let id = &ids_where("fosbk", 1, |id| {
        select_for_billing_key(&g, &keyed, None, id)
            .unwrap()
            .channel_key
            == A
    })[0];
    let plan = FailoverPlan::for_billing_key(&g, &keyed, None, id, None).unwrap();
    assert_eq!(
        plan.order().collect::<Vec<_>>(),
        [A, B],
        "C (weight 0) is no fallback"
    );
    sb.stop(A).await;

    let routed = plan
        .run(None, |c| sb.charge(c.channel_key, id, bk, &pg_keys))
        .await;
    assert_eq!(routed.channel_key, B);
    assert_approved(&routed.result, "charged on Smartro");
    let tried = attempts(&routed);
    assert_eq!(tried.len(), 2, "{tried:?}");
    assert!(tried[0].0 == A && is_not_sent(&tried[0].1), "{tried:?}");
    assert_eq!(tried[1], (B.to_string(), AttemptResult::Approved));
    assert_eq!(sb.holders(id), [B]);
}

/// A card decline (…0002) and an unknown outcome (…0098: approved at the PG, answer after the
/// read timeout) are never failed over, even with failover on: the first could be card
/// testing, the second could charge twice.
#[tokio::test]
async fn failover_never_follows_a_decline_or_an_unknown_outcome() {
    let sb = Sandbox::abc().await;
    let mut fo = group_g(&sb);
    fo.failover = true;
    let ids = ids_where("fono", 2, |id| {
        select(&fo, id, INSTANT, CARD, &sb.directory)
            .unwrap()
            .channel_key
            == A
    });

    let declined = route_with_failover(&fo, &ids[0], INSTANT, CARD, &sb.directory, None, |c| {
        sb.pay_card(c.channel_key, &ids[0], CARD_DECLINED)
    })
    .await
    .unwrap();
    assert_eq!(declined.channel_key, A);
    match &declined.result {
        Ok(Outcome::Declined(d)) => {
            assert_eq!(d.kind, DeclineKind::CardDeclined);
            assert!(!d.retry_safe);
        }
        other => panic!("expected a decline, got {other:?}"),
    }
    assert_eq!(declined.attempts.len(), 1, "{:?}", declined.attempts);
    assert!(sb.holders(&ids[0]).is_empty(), "nothing charged anywhere");

    let short = Timeouts {
        connect: Duration::from_secs(2),
        read: Duration::from_millis(300),
    };
    let unknown = route_with_failover(&fo, &ids[1], INSTANT, CARD, &sb.directory, None, |c| {
        sb.pay_card_with(c.channel_key, &ids[1], CARD_LATE, short)
    })
    .await
    .unwrap();
    assert_eq!(unknown.channel_key, A);
    assert!(
        matches!(&unknown.result, Ok(Outcome::Unknown(_))),
        "{:?}",
        unknown.result
    );
    assert_eq!(unknown.attempts.len(), 1, "{:?}", unknown.attempts);
    // A did charge (its answer was just late); C was never asked: no double charge. (A
    // records before it answers; on a very busy machine the record may trail the client's
    // timeout, so wait for it — a bound, not a timing assertion.)
    for _ in 0..500 {
        if !sb.holders(&ids[1]).is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(sb.holders(&ids[1]), [A]);
}

// ---------------------------------------------------------------------------------------------
// 7. Health skip
// ---------------------------------------------------------------------------------------------

/// Repeated not-sent failures make a channel unhealthy: it is skipped for the cool-down (its
/// payments go to the other eligible channel), then one probe is let through; a failed probe
/// starts a new cool-down, a successful one makes the channel healthy again.
#[tokio::test]
async fn unhealthy_channel_is_skipped_for_the_cool_down_then_probed() {
    let mut sb = Sandbox::abc().await;
    let mut g = group_g(&sb);
    g.health_skip = true; // failover stays off: health alone keeps payments off the dead PG
    let clock = Arc::new(ManualClock::new());
    let cool_down = Duration::from_secs(30);
    let health = HealthTracker::with_clock(
        HealthConfig {
            failure_threshold: 3,
            cool_down,
        },
        clock.clone(),
    );
    // Ids whose plain selection is A.
    let ids = ids_where("hl", 9, |id| {
        select(&g, id, INSTANT, CARD, &sb.directory)
            .unwrap()
            .channel_key
            == A
    });
    sb.stop(A).await;

    async fn pay<'g>(
        sb: &Sandbox,
        g: &'g ChannelGroup,
        health: &HealthTracker,
        id: &str,
    ) -> paymux_routing::Routed<'g> {
        route_with_failover(g, id, INSTANT, CARD, &sb.directory, Some(health), |c| {
            sb.pay_card(c.channel_key, id, CARD_OK)
        })
        .await
        .unwrap()
    }

    // Three not-sent failures on A: each returned as is (no failover), then A is unhealthy.
    for (n, id) in ids[..3].iter().enumerate() {
        let r = pay(&sb, &g, &health, id).await;
        assert_eq!(r.channel_key, A);
        assert!(
            matches!(r.result, Err(PgError::NotSent { .. })),
            "{:?}",
            r.result
        );
        if n < 2 {
            assert_eq!(
                health.status(A),
                ChannelHealth::Healthy {
                    consecutive_failures: n as u32 + 1
                }
            );
        }
    }
    assert_eq!(
        health.status(A),
        ChannelHealth::CoolingDown {
            remaining: cool_down
        }
    );

    // Cooling down: A's payments go to C without A being tried.
    for id in &ids[3..5] {
        let sel = select_with_health(&g, id, INSTANT, CARD, &sb.directory, &health).unwrap();
        assert_eq!(sel.channel_key, C);
        let r = pay(&sb, &g, &health, id).await;
        assert_eq!(r.channel_key, C);
        assert_approved(&r.result, id);
        assert_eq!(attempts(&r), [(C.to_string(), AttemptResult::Approved)]);
        assert_eq!(sb.holders(id), [C]);
    }
    clock.advance(cool_down - Duration::from_secs(1));
    let r = pay(&sb, &g, &health, &ids[5]).await;
    assert_eq!(r.channel_key, C, "still cooling down");
    assert_approved(&r.result, &ids[5]);

    // Cool-down over, PG still down: one probe goes to A, fails, a new cool-down starts.
    clock.advance(Duration::from_secs(1));
    assert_eq!(health.status(A), ChannelHealth::ProbeReady);
    let r = pay(&sb, &g, &health, &ids[6]).await;
    assert_eq!(r.channel_key, A);
    assert!(r.attempts[0].probe, "{:?}", r.attempts);
    assert!(matches!(r.result, Err(PgError::NotSent { .. })));
    assert!(matches!(
        health.status(A),
        ChannelHealth::CoolingDown { .. }
    ));
    let r = pay(&sb, &g, &health, &ids[7]).await;
    assert_eq!(r.channel_key, C, "skipped again");

    // The PG is back: after the next cool-down the probe succeeds and A is healthy again.
    sb.restart(A).await;
    clock.advance(cool_down);
    let r = pay(&sb, &g, &health, &ids[8]).await;
    assert_eq!(r.channel_key, A);
    assert!(r.attempts[0].probe);
    assert_approved(&r.result, "probe");
    assert_eq!(sb.holders(&ids[8]), [A]);
    assert_eq!(
        health.status(A),
        ChannelHealth::Healthy {
            consecutive_failures: 0
        }
    );
    assert!(!health.any_unhealthy());
}
