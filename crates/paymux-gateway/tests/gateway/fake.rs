//! A test-only PG: the `fake` adapter (JSON frames with a 4-digit ASCII length prefix over
//! TCP) and its simulator, following the shared test-card convention. Registered with
//! `inventory`, so the gateway's sandbox starts it like any linked adapter.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use paymux_core::adapter::{
    AdapterDescriptor, Capabilities, Capability, EncodeContext, Framing, Method, Operation,
    PgAdapter, PgRequest, TransportKind, WireRequest, WireResponse, WireTarget,
};
use paymux_core::channel::ChannelContext;
use paymux_core::error::PgError;
use paymux_core::model::InstantPaymentMethodInput;
use paymux_core::money::Money;
use paymux_core::outcome::{
    Approved, ApprovedDetail, DeclineKind, Declined, Outcome, TxReport, TxState,
};
use paymux_core::secret::Secret;
use paymux_core::simulator::{LedgerEntry, Simulator, SimulatorHandle, TestCard};
use paymux_core::transport::read_frame;
use serde_json::{json, Value};
use tokio::io::AsyncWriteExt;

pub const MID: &str = "FAKE-MID";
/// A cancel with this reason is done at the simulator but answered late.
pub const LATE_CANCEL_REASON: &str = "__late__";
/// How long the simulator sits on a `0098` answer.
pub const LATE_ANSWER: Duration = Duration::from_millis(2500);

pub static DESCRIPTOR: AdapterDescriptor = AdapterDescriptor {
    id: "fake",
    pg_provider: "FAKE_PG",
    display_name: "Fake PG (tests)",
    transport: TransportKind::Tcp,
    maturity: paymux_core::adapter::Maturity::Ready,
    credentials: &["mid"],
    options: &[],
    capabilities: Capabilities {
        operations: &[
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
                operation: Operation::PaymentCancel,
                methods: &[],
            },
            Capability {
                operation: Operation::PaymentGet,
                methods: &[],
            },
            Capability {
                operation: Operation::BillingKeyDelete,
                methods: &[],
            },
        ],
        currencies: &["KRW"],
        field_limits: &[],
        partial_cancel: true,
        max_partial_cancels: None,
    },
};

pub struct FakeAdapter;

fn frame(v: &Value) -> Vec<u8> {
    let body = v.to_string();
    let mut out = format!("{:04}", body.len()).into_bytes();
    out.extend_from_slice(body.as_bytes());
    out
}

impl PgAdapter for FakeAdapter {
    fn descriptor(&self) -> &'static AdapterDescriptor {
        &DESCRIPTOR
    }

    fn encode(&self, ctx: &EncodeContext<'_>, req: &PgRequest) -> Result<WireRequest, PgError> {
        let mid = ctx.channel.credential("mid")?.expose().clone();
        let (host, port) = ctx
            .channel
            .endpoint_host_port()?
            .ok_or_else(|| ctx.channel.config_error("endpoint", "is required"))?;
        let msg = match req {
            PgRequest::Instant(c) => {
                let card = match &c.body.method {
                    InstantPaymentMethodInput::Card(card) => {
                        card.credential.number.expose().clone()
                    }
                    InstantPaymentMethodInput::VirtualAccount(_) => String::new(),
                };
                json!({"op": "pay", "mid": mid, "orderId": c.payment_id, "amount": c.body.amount.total, "card": card})
            }
            PgRequest::IssueBillingKey(c) => {
                let card = c
                    .body
                    .method
                    .card
                    .as_ref()
                    .map(|c| c.credential.number.expose().clone())
                    .unwrap_or_default();
                json!({"op": "issue", "mid": mid, "card": card})
            }
            PgRequest::PayWithBillingKey(c) => json!({
                "op": "billing_pay", "mid": mid, "orderId": c.payment_id, "amount": c.body.amount.total,
                "billingKey": c.prior.pg_billing_key.as_ref().map(|k| k.expose().clone()),
            }),
            PgRequest::Cancel(c) => json!({
                "op": "cancel", "mid": mid, "orderId": c.payment_id, "tid": c.prior.pg_tx_id,
                "cancelAmount": c.body.amount,
                // Test hook: this reason makes the simulator answer after the read timeout.
                "late": c.body.reason == LATE_CANCEL_REASON,
            }),
            PgRequest::Get(c) => json!({"op": "get", "mid": mid, "orderId": c.payment_id}),
            PgRequest::DeleteBillingKey(c) => json!({
                "op": "delete", "mid": mid,
                "billingKey": c.prior.pg_billing_key.as_ref().map(|k| k.expose().clone()),
            }),
            _ => {
                return Err(PgError::Unsupported {
                    adapter: "fake",
                    what: req.operation().to_string(),
                })
            }
        };
        let mut view = msg.clone();
        if let Some(c) = view.get_mut("card") {
            *c = json!("****");
        }
        Ok(WireRequest {
            target: WireTarget::Tcp {
                host,
                port,
                framing: Framing::AsciiLengthPrefix { digits: 4 },
            },
            body: frame(&msg),
            view: view.into(),
            read_timeout: Some(Duration::from_secs(30)),
        })
    }

    fn decode(
        &self,
        _ctx: &EncodeContext<'_>,
        req: &PgRequest,
        _sent: &WireRequest,
        resp: &WireResponse,
    ) -> Result<Outcome, PgError> {
        let body = resp.body.get(4..).unwrap_or_default();
        let v: Value = serde_json::from_slice(body).map_err(|e| PgError::MalformedResponse {
            detail: e.to_string(),
        })?;
        let code = v["code"].as_str().unwrap_or("").to_string();
        let message = v["message"].as_str().unwrap_or("").to_string();
        if code != "0000" {
            let kind = match code.as_str() {
                "D002" => DeclineKind::CardDeclined,
                "D051" => DeclineKind::InsufficientFunds,
                "C001" => DeclineKind::ConfigError,
                "N404" => DeclineKind::NotFound,
                "DUP" => DeclineKind::Duplicate,
                "X001" => DeclineKind::CancelRefused,
                _ => DeclineKind::Other,
            };
            return Ok(Outcome::Declined(Declined::new(code, message, kind)));
        }
        let money = |k: &str| v[k].as_i64().and_then(|a| Money::new(a).ok());
        let tid = v["tid"].as_str().map(str::to_string);
        let detail = match req {
            PgRequest::Instant(_) | PgRequest::PayWithBillingKey(_) => ApprovedDetail::Payment {
                approval_number: v["approvalNo"].as_str().map(str::to_string),
                card: None,
                installment_month: None,
                pg_billing_key: None,
            },
            PgRequest::IssueBillingKey(_) => ApprovedDetail::BillingKeyIssued {
                pg_billing_key: Secret::new(v["billingKey"].as_str().unwrap_or("").to_string()),
                card: None,
            },
            PgRequest::Cancel(_) => ApprovedDetail::Cancelled {
                cancelled: money("cancelled").unwrap_or(Money::ZERO),
                remaining: money("remaining"),
                sequence: None,
            },
            PgRequest::Get(_) => ApprovedDetail::Inquiry(TxReport {
                state: match v["state"].as_str() {
                    Some("APPROVED") => TxState::Approved,
                    Some("PARTIALLY_CANCELLED") => TxState::PartiallyCancelled,
                    Some("CANCELLED") => TxState::Cancelled,
                    _ => TxState::NotFound,
                },
                amount: money("amount"),
                balance: money("balance"),
                pg_tx_id: tid.clone(),
            }),
            PgRequest::DeleteBillingKey(_) => ApprovedDetail::BillingKeyDeleted,
            _ => ApprovedDetail::CheckoutPrepared,
        };
        Ok(Outcome::Approved(Approved {
            receipt_url: v["receiptUrl"].as_str().map(str::to_string),
            pg_tx_id: tid,
            at: None,
            amount: money("amount"),
            pg_code: code,
            pg_message: message,
            detail,
        }))
    }
}

/// The simulator: a ledger, billing keys, and a count of every request by operation.
#[derive(Default)]
pub struct FakeSim {
    state: Mutex<SimState>,
}

#[derive(Default)]
struct SimState {
    ledger: Vec<LedgerEntry>,
    keys: HashMap<String, String>,
    calls: Vec<(String, String)>,
    seq: u64,
}

impl FakeSim {
    /// Requests received, as `(op, orderId)`.
    pub fn calls(&self) -> Vec<(String, String)> {
        self.state.lock().unwrap().calls.clone()
    }

    /// How many `op` requests named `order_id`.
    pub fn count(&self, op: &str, order_id: &str) -> usize {
        self.calls()
            .iter()
            .filter(|(o, id)| o == op && id == order_id)
            .count()
    }

    /// Ledger entries of an order.
    pub fn entries(&self, order_id: &str) -> Vec<LedgerEntry> {
        self.ledger()
            .into_iter()
            .filter(|e| e.order_id == order_id)
            .collect()
    }

    /// Live billing keys.
    pub fn key_count(&self) -> usize {
        self.state.lock().unwrap().keys.len()
    }

    fn handle(&self, req: &Value) -> (Option<Value>, Duration) {
        let op = req["op"].as_str().unwrap_or("").to_string();
        let order = req["orderId"].as_str().unwrap_or("").to_string();
        let mut s = self.state.lock().unwrap();
        s.calls.push((op.clone(), order.clone()));
        if req["mid"] != MID {
            return (
                Some(json!({"code": "C001", "message": "unknown merchant"})),
                Duration::ZERO,
            );
        }
        s.seq += 1;
        let seq = s.seq;
        let approve = |s: &mut SimState, card: &str, amount: i64| -> (Option<Value>, Duration) {
            if s.ledger.iter().any(|e| e.order_id == order) {
                return (
                    Some(json!({"code": "DUP", "message": "duplicate order"})),
                    Duration::ZERO,
                );
            }
            let record = |s: &mut SimState| {
                let tid = format!("FAKE-T{seq:06}");
                s.ledger.push(LedgerEntry {
                    order_id: order.clone(),
                    pg_tx_id: tid.clone(),
                    amount: Money::new(amount).unwrap(),
                    cancelled: Money::ZERO,
                    cancel_count: 0,
                    state: "APPROVED".into(),
                    method: "CARD".into(),
                });
                json!({"code": "0000", "tid": tid, "approvalNo": format!("A{seq:05}"), "amount": amount,
                       "receiptUrl": format!("https://receipts.fake-pg.invalid/{tid}")})
            };
            match TestCard::of(card) {
                TestCard::Approve => (Some(record(s)), Duration::ZERO),
                TestCard::ApproveLate => (Some(record(s)), LATE_ANSWER),
                TestCard::Declined => (
                    Some(json!({"code": "D002", "message": "card declined"})),
                    Duration::ZERO,
                ),
                TestCard::InsufficientFunds => (
                    Some(json!({"code": "D051", "message": "insufficient funds"})),
                    Duration::ZERO,
                ),
                TestCard::Drop => (None, Duration::ZERO),
            }
        };
        match op.as_str() {
            "pay" => {
                let card = req["card"].as_str().unwrap_or("").to_string();
                approve(&mut s, &card, req["amount"].as_i64().unwrap_or(0))
            }
            "billing_pay" => {
                let key = req["billingKey"].as_str().unwrap_or("");
                match s.keys.get(key).cloned() {
                    Some(card) => approve(&mut s, &card, req["amount"].as_i64().unwrap_or(0)),
                    None => (
                        Some(json!({"code": "N404", "message": "no such billing key"})),
                        Duration::ZERO,
                    ),
                }
            }
            "issue" => {
                let card = req["card"].as_str().unwrap_or("").to_string();
                match TestCard::of(&card) {
                    TestCard::Declined | TestCard::InsufficientFunds => (
                        Some(json!({"code": "D002", "message": "card declined"})),
                        Duration::ZERO,
                    ),
                    TestCard::Drop => (None, Duration::ZERO),
                    _ => {
                        let key = format!("FBK-{seq:06}");
                        s.keys.insert(key.clone(), card);
                        (
                            Some(json!({"code": "0000", "billingKey": key})),
                            Duration::ZERO,
                        )
                    }
                }
            }
            "delete" => {
                let key = req["billingKey"].as_str().unwrap_or("");
                if s.keys.remove(key).is_some() {
                    (Some(json!({"code": "0000"})), Duration::ZERO)
                } else {
                    (
                        Some(json!({"code": "N404", "message": "no such billing key"})),
                        Duration::ZERO,
                    )
                }
            }
            "cancel" => {
                let amount = req["cancelAmount"].as_i64().unwrap_or(0);
                let Some(e) = s.ledger.iter_mut().find(|e| e.order_id == order) else {
                    return (
                        Some(json!({"code": "N404", "message": "no such transaction"})),
                        Duration::ZERO,
                    );
                };
                let balance = e.amount.get() - e.cancelled.get();
                if amount <= 0 || amount > balance {
                    return (
                        Some(json!({"code": "X001", "message": "cancel exceeds balance"})),
                        Duration::ZERO,
                    );
                }
                e.cancelled = Money::new(e.cancelled.get() + amount).unwrap();
                e.cancel_count += 1;
                let remaining = balance - amount;
                e.state = if remaining == 0 {
                    "CANCELLED".into()
                } else {
                    "PARTIALLY_CANCELLED".into()
                };
                let delay = if req["late"] == true {
                    LATE_ANSWER
                } else {
                    Duration::ZERO
                };
                (
                    Some(
                        json!({"code": "0000", "tid": format!("FAKE-C{seq:06}"), "cancelled": amount, "remaining": remaining}),
                    ),
                    delay,
                )
            }
            "get" => match s.ledger.iter().find(|e| e.order_id == order) {
                Some(e) => (
                    Some(json!({
                        "code": "0000", "state": e.state, "tid": e.pg_tx_id,
                        "amount": e.amount.get(), "balance": e.amount.get() - e.cancelled.get(),
                    })),
                    Duration::ZERO,
                ),
                None => (
                    Some(json!({"code": "0000", "state": "NOT_FOUND"})),
                    Duration::ZERO,
                ),
            },
            _ => (
                Some(json!({"code": "E999", "message": "unknown op"})),
                Duration::ZERO,
            ),
        }
    }
}

#[async_trait]
impl Simulator for FakeSim {
    fn adapter_id(&self) -> &'static str {
        "fake"
    }

    async fn start(self: Arc<Self>, addr: SocketAddr) -> std::io::Result<SimulatorHandle> {
        let listener = tokio::net::TcpListener::bind(addr).await?;
        let local_addr = listener.local_addr()?;
        let (tx, mut rx) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(async move {
            loop {
                tokio::select! {
                    _ = &mut rx => break,
                    acc = listener.accept() => {
                        let Ok((mut sock, _)) = acc else { continue };
                        let sim = self.clone();
                        tokio::spawn(async move {
                            let Ok(frame) = read_frame(&mut sock, Framing::AsciiLengthPrefix { digits: 4 }).await else { return };
                            let Ok(req) = serde_json::from_slice::<Value>(&frame[4..]) else { return };
                            let (answer, delay) = sim.handle(&req);
                            let Some(answer) = answer else { return };
                            if !delay.is_zero() {
                                tokio::time::sleep(delay).await;
                            }
                            let _ = sock.write_all(&frame_bytes(&answer)).await;
                        });
                    }
                }
            }
        });
        Ok(SimulatorHandle {
            local_addr,
            shutdown: Some(tx),
        })
    }

    fn sandbox_channel(&self, key: &str, endpoint: &str) -> ChannelContext {
        channel(key, endpoint, MID)
    }

    fn ledger(&self) -> Vec<LedgerEntry> {
        self.state.lock().unwrap().ledger.clone()
    }
}

fn frame_bytes(v: &Value) -> Vec<u8> {
    frame(v)
}

/// A `fake` channel at `endpoint` with merchant id `mid`.
pub fn channel(key: &str, endpoint: &str, mid: &str) -> ChannelContext {
    ChannelContext::from_toml(&format!(
        "key = {key:?}\nadapter = \"fake\"\nenvironment = \"test\"\nendpoint = {endpoint:?}\n[credentials]\nmid = {mid:?}\n"
    ))
    .unwrap()
}

paymux_core::inventory::submit! {
    paymux_core::registry::AdapterRegistration {
        descriptor: &DESCRIPTOR,
        adapter: || Arc::new(FakeAdapter),
        simulator: Some(|| Arc::new(FakeSim::default())),
    }
}
