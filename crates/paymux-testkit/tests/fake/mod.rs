//! A tiny fake PG for testing the kit itself: a JSON-over-TCP protocol (4-digit length prefix),
//! an adapter with switchable bugs, and an in-memory simulator that honors the test cards.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use paymux_core::adapter::{
    check_capabilities, AdapterDescriptor, Capabilities, Capability, EncodeContext, FieldLimit,
    Framing, LimitUnit, Method, Operation, PgAdapter, PgRequest, TransportKind, WireRequest,
    WireResponse, WireTarget,
};
use paymux_core::channel::{ChannelContext, Environment};
use paymux_core::error::PgError;
use paymux_core::money::Money;
use paymux_core::outcome::{
    classify, Approved, ApprovedDetail, DeclineKind, DeclineRule, Declined, Outcome, TxReport,
    TxState, Unknown, VirtualAccountIssued,
};
use paymux_core::secret::Secret;
use paymux_core::simulator::{LedgerEntry, Simulator, SimulatorHandle, TestCard};
use paymux_core::validation::ValidationErrors;
use paymux_core::wire::{charset, Charset};
use serde_json::{json, Value};
use tokio::io::AsyncWriteExt;
use tokio::net::TcpListener;

pub const OPS: &[Capability] = &[
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
        methods: &[Method::Card, Method::VirtualAccount],
    },
    Capability {
        operation: Operation::PaymentGet,
        methods: &[],
    },
    Capability {
        operation: Operation::BillingKeyDelete,
        methods: &[],
    },
];

pub const LIMITS: &[FieldLimit] = &[
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

const fn descriptor(operations: &'static [Capability]) -> AdapterDescriptor {
    AdapterDescriptor {
        id: "fake",
        pg_provider: "FAKE",
        display_name: "Fake PG",
        transport: TransportKind::Tcp,
        maturity: paymux_core::adapter::Maturity::Ready,
        credentials: &["mid", "secret"],
        options: &[],
        capabilities: Capabilities {
            operations,
            currencies: &["KRW"],
            field_limits: LIMITS,
            partial_cancel: true,
            max_partial_cancels: Some(3),
        },
    }
}

/// The correct fake.
pub static DESCRIPTOR: AdapterDescriptor = descriptor(OPS);

/// Declares cancel with TRANSFER too, which the suite cannot exercise (no transfer payment).
pub static DESCRIPTOR_OVERCLAIMS: AdapterDescriptor = descriptor(&[
    Capability {
        operation: Operation::PaymentInstant,
        methods: &[Method::Card],
    },
    Capability {
        operation: Operation::PaymentCancel,
        methods: &[Method::Card, Method::Transfer],
    },
    Capability {
        operation: Operation::PaymentGet,
        methods: &[],
    },
]);

/// Declares nothing at all.
pub static DESCRIPTOR_EMPTY: AdapterDescriptor = descriptor(&[]);

const DECLINES: &[DeclineRule] = &[
    DeclineRule {
        code: "D002",
        kind: DeclineKind::CardDeclined,
    },
    DeclineRule {
        code: "D051",
        kind: DeclineKind::InsufficientFunds,
    },
    DeclineRule {
        code: "N404",
        kind: DeclineKind::NotFound,
    },
    DeclineRule {
        code: "C409",
        kind: DeclineKind::CancelRefused,
    },
];

/// Bugs the fake adapter can be built with.
#[derive(Debug, Clone, Copy, Default)]
pub struct Bugs {
    /// Map `D051` (insufficient funds) to card_declined.
    pub insufficient_as_declined: bool,
    /// Put the card number unmasked in the wire view.
    pub card_in_view: bool,
    /// Log the card number.
    pub card_in_log: bool,
    /// Skip the field-limit rules in `validate` (encode then fails).
    pub no_limit_rules: bool,
    /// Answer everything with "not implemented".
    pub unimplemented: bool,
}

#[derive(Debug, Clone, Copy)]
pub struct FakeAdapter {
    pub desc: &'static AdapterDescriptor,
    pub bugs: Bugs,
}

impl FakeAdapter {
    pub fn correct() -> Self {
        FakeAdapter {
            desc: &DESCRIPTOR,
            bugs: Bugs::default(),
        }
    }
}

fn limit_rules(path: &str, value: &str, errs: &mut ValidationErrors) {
    let Some(l) = LIMITS.iter().find(|l| l.path == path) else {
        return;
    };
    let len = match l.unit {
        LimitUnit::Chars => Ok(value.chars().count()),
        LimitUnit::Bytes(cs) => charset::byte_len(path, value, cs),
    };
    match len {
        Ok(n) if n > l.max => errs.add(path, format!("must be at most {} (is {n})", l.max)),
        Ok(_) => {}
        Err(_) => errs.add(path, "has a character EUC-KR cannot carry"),
    }
}

impl PgAdapter for FakeAdapter {
    fn descriptor(&self) -> &'static AdapterDescriptor {
        self.desc
    }

    fn validate(&self, _channel: &ChannelContext, req: &PgRequest) -> Result<(), PgError> {
        check_capabilities(self.desc, req)?;
        if self.bugs.no_limit_rules {
            return Ok(());
        }
        let mut errs = ValidationErrors::default();
        let (name, customer) = match req {
            PgRequest::Instant(c) => (Some(&c.body.order_name), c.body.customer.as_ref()),
            PgRequest::PayWithBillingKey(c) => (Some(&c.body.order_name), c.body.customer.as_ref()),
            PgRequest::IssueBillingKey(c) => (None, c.body.customer.as_ref()),
            _ => (None, None),
        };
        if let Some(n) = name {
            limit_rules("orderName", n, &mut errs);
        }
        if let Some(id) = customer.and_then(|c| c.id.as_ref()) {
            limit_rules("customer.id", id, &mut errs);
        }
        errs.into_result().map_err(PgError::Validation)
    }

    fn encode(&self, ctx: &EncodeContext<'_>, req: &PgRequest) -> Result<WireRequest, PgError> {
        if self.bugs.unimplemented {
            return Err(PgError::Unsupported {
                adapter: "fake",
                what: format!(
                    "{}: not implemented yet: see CONTRIBUTING.md",
                    req.operation()
                ),
            });
        }
        let (host, port) = ctx
            .channel
            .endpoint_host_port()?
            .ok_or_else(|| ctx.channel.config_error("endpoint", "is required"))?;
        let mut m = serde_json::Map::new();
        m.insert("op".into(), json!(req.operation().as_str()));
        m.insert("mid".into(), json!(ctx.channel.credential("mid")?.expose()));
        let mut card = None;
        match req {
            PgRequest::Instant(c) => {
                charset::encode("orderName", &c.body.order_name, Charset::EucKr)?;
                m.insert("order".into(), json!(c.payment_id));
                m.insert("amount".into(), json!(c.body.amount.total.get()));
                match &c.body.method {
                    paymux_core::model::InstantPaymentMethodInput::Card(k) => {
                        card = Some(k.credential.number.expose().clone());
                    }
                    paymux_core::model::InstantPaymentMethodInput::VirtualAccount(_) => {
                        m.insert("va".into(), json!(true));
                    }
                }
            }
            PgRequest::IssueBillingKey(c) => {
                let k = c.body.method.card.as_ref().map(|k| &k.credential.number);
                card = k.map(|n| n.expose().clone());
            }
            PgRequest::PayWithBillingKey(c) => {
                m.insert("order".into(), json!(c.payment_id));
                m.insert("amount".into(), json!(c.body.amount.total.get()));
                let key = c.prior.pg_billing_key.as_ref().map(|k| k.expose().clone());
                m.insert("key".into(), json!(key));
            }
            PgRequest::Cancel(c) => {
                m.insert("order".into(), json!(c.payment_id));
                m.insert("tid".into(), json!(c.prior.pg_tx_id));
                let cancellable = c.prior.amount.map(|a| a.cancellable().get()).unwrap_or(0);
                m.insert(
                    "amount".into(),
                    json!(c.body.amount.map(|a| a.get()).unwrap_or(cancellable)),
                );
            }
            PgRequest::Get(c) => {
                m.insert("order".into(), json!(c.payment_id));
            }
            PgRequest::DeleteBillingKey(c) => {
                let key = c.prior.pg_billing_key.as_ref().map(|k| k.expose().clone());
                m.insert("key".into(), json!(key));
            }
            _ => {
                return Err(PgError::Unsupported {
                    adapter: "fake",
                    what: req.operation().to_string(),
                })
            }
        }
        let mut view = Value::Object(m.clone());
        if view.get("key").is_some() {
            view["key"] = json!("****");
        }
        if let Some(n) = &card {
            m.insert("card".into(), json!(n));
            view["card"] = json!(if self.bugs.card_in_view {
                n.clone()
            } else {
                paymux_core::secret::mask_card_number(n)
            });
            if self.bugs.card_in_log {
                tracing::info!(card = %n, "fake: sending card");
            }
        }
        let body = Value::Object(m).to_string();
        Ok(WireRequest {
            target: WireTarget::Tcp {
                host,
                port,
                framing: Framing::AsciiLengthPrefix { digits: 4 },
            },
            body: format!("{:04}{body}", body.len()).into_bytes(),
            view: view.into(),
            read_timeout: Some(Duration::from_secs(5)),
        })
    }

    fn decode(
        &self,
        _ctx: &EncodeContext<'_>,
        req: &PgRequest,
        _sent: &WireRequest,
        resp: &WireResponse,
    ) -> Result<Outcome, PgError> {
        let v: Value =
            serde_json::from_slice(resp.body.get(4..).unwrap_or_default()).map_err(|e| {
                PgError::MalformedResponse {
                    detail: e.to_string(),
                }
            })?;
        let s = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_string);
        let n = |k: &str| {
            v.get(k)
                .and_then(Value::as_i64)
                .and_then(|x| Money::new(x).ok())
        };
        let code = s("code").unwrap_or_default();
        let message = s("message").unwrap_or_default();
        if code != "0000" {
            let mut kind = classify(DECLINES, &code);
            if self.bugs.insufficient_as_declined && kind == DeclineKind::InsufficientFunds {
                kind = DeclineKind::CardDeclined;
            }
            return Ok(Outcome::Declined(Declined::new(code, message, kind)));
        }
        let detail = match req {
            PgRequest::Instant(c) if c.body.method.virtual_account().is_some() => {
                return Ok(Outcome::VirtualAccountIssued(VirtualAccountIssued {
                    pg_tx_id: s("tid"),
                    bank: Some("004".into()),
                    account_number: s("account").unwrap_or_default(),
                    remittee_name: None,
                    expires_at: None,
                    issued_at: None,
                    amount: n("amount"),
                    pg_code: code,
                    pg_message: message,
                }))
            }
            PgRequest::Instant(_) | PgRequest::PayWithBillingKey(_) => ApprovedDetail::Payment {
                approval_number: Some("12345678".into()),
                card: None,
                installment_month: Some(0),
                pg_billing_key: None,
            },
            PgRequest::IssueBillingKey(_) => ApprovedDetail::BillingKeyIssued {
                pg_billing_key: Secret::new(s("key").unwrap_or_default()),
                card: None,
            },
            PgRequest::DeleteBillingKey(_) => ApprovedDetail::BillingKeyDeleted,
            PgRequest::Cancel(_) => ApprovedDetail::Cancelled {
                cancelled: n("amount").unwrap_or(Money::ZERO),
                remaining: n("remaining"),
                sequence: None,
            },
            PgRequest::Get(_) => ApprovedDetail::Inquiry(TxReport {
                state: match s("state").as_deref() {
                    Some("APPROVED") => TxState::Approved,
                    Some("PARTIALLY_CANCELLED") => TxState::PartiallyCancelled,
                    Some("CANCELLED") => TxState::Cancelled,
                    Some("VIRTUAL_ACCOUNT_ISSUED") => TxState::Pending,
                    _ => TxState::NotFound,
                },
                amount: n("amount"),
                balance: None,
                pg_tx_id: s("tid"),
            }),
            _ => {
                return Ok(Outcome::Unknown(Unknown {
                    reason: "unexpected".into(),
                }))
            }
        };
        Ok(Outcome::Approved(Approved {
            receipt_url: None,
            pg_tx_id: s("tid"),
            at: None,
            amount: n("amount"),
            pg_code: code,
            pg_message: message,
            detail,
        }))
    }
}

#[derive(Default)]
pub struct State {
    entries: Vec<LedgerEntry>,
    keys: BTreeMap<String, bool>,
    next: u64,
}

/// The fake PG's simulator: in-memory ledger, JSON over TCP.
#[derive(Default)]
pub struct FakeSimulator {
    pub state: Mutex<State>,
    /// Answer `…0098` at once (a broken simulator).
    pub no_late_delay: bool,
}

impl FakeSimulator {
    fn handle(&self, req: &Value) -> Option<(Value, Duration)> {
        let s = |k: &str| {
            req.get(k)
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string()
        };
        let amount = req.get("amount").and_then(Value::as_i64).unwrap_or(0);
        let mut st = self.state.lock().unwrap();
        st.next += 1;
        let tid = format!("FT{:08}", st.next);
        let ok = |extra: Value| {
            let mut v = json!({"code": "0000", "message": "OK"});
            if let (Some(o), Some(e)) = (v.as_object_mut(), extra.as_object()) {
                o.extend(e.clone());
            }
            v
        };
        let decline = |code: &str| json!({"code": code, "message": "declined"});
        let mut delay = Duration::ZERO;
        let answer = match s("op").as_str() {
            "payment.instant" | "payment.billing-key" => {
                if req.get("va").is_some() {
                    st.entries
                        .push(entry(&s("order"), &tid, amount, "VIRTUAL_ACCOUNT_ISSUED"));
                    return Some((
                        ok(json!({"tid": tid, "amount": amount, "account": "99012345678"})),
                        delay,
                    ));
                }
                let card = if s("op") == "payment.billing-key" {
                    let key = s("key");
                    if st.keys.get(&key) != Some(&true) {
                        return Some((decline("N404"), delay));
                    }
                    "4111111111111111".to_string()
                } else {
                    s("card")
                };
                match TestCard::of(&card) {
                    TestCard::Declined => decline("D002"),
                    TestCard::InsufficientFunds => decline("D051"),
                    TestCard::Drop => return None,
                    t => {
                        if t == TestCard::ApproveLate && !self.no_late_delay {
                            delay = Duration::from_millis(1200);
                        }
                        st.entries
                            .push(entry(&s("order"), &tid, amount, "APPROVED"));
                        ok(json!({"tid": tid, "amount": amount}))
                    }
                }
            }
            "billing-key.issue" => {
                let key = format!("FK{}", st.next * 7919);
                st.keys.insert(key.clone(), true);
                ok(json!({"key": key}))
            }
            "billing-key.delete" => {
                let key = s("key");
                match st.keys.get_mut(&key) {
                    Some(active @ true) => {
                        *active = false;
                        ok(json!({}))
                    }
                    _ => decline("N404"),
                }
            }
            "payment.cancel" => {
                let t = s("tid");
                match st.entries.iter_mut().find(|e| e.pg_tx_id == t) {
                    None => decline("N404"),
                    Some(e) => {
                        let balance = e.amount.get() - e.cancelled.get();
                        if amount <= 0 || amount > balance || e.cancel_count >= 3 {
                            decline("C409")
                        } else {
                            e.cancelled = Money::new(e.cancelled.get() + amount).unwrap();
                            e.cancel_count += 1;
                            e.state = if e.cancelled == e.amount {
                                "CANCELLED".into()
                            } else {
                                "PARTIALLY_CANCELLED".into()
                            };
                            ok(json!({"tid": t, "amount": amount, "remaining": balance - amount}))
                        }
                    }
                }
            }
            "payment.get" => {
                let o = s("order");
                match st.entries.iter().find(|e| e.order_id == o) {
                    None => ok(json!({"state": "NOT_FOUND"})),
                    Some(e) => {
                        ok(json!({"state": e.state, "tid": e.pg_tx_id, "amount": e.amount.get()}))
                    }
                }
            }
            _ => decline("X999"),
        };
        Some((answer, delay))
    }
}

fn entry(order: &str, tid: &str, amount: i64, state: &str) -> LedgerEntry {
    LedgerEntry {
        order_id: order.into(),
        pg_tx_id: tid.into(),
        amount: Money::new(amount).unwrap(),
        cancelled: Money::ZERO,
        cancel_count: 0,
        state: state.into(),
        method: "CARD".into(),
    }
}

#[async_trait]
impl Simulator for FakeSimulator {
    fn adapter_id(&self) -> &'static str {
        "fake"
    }

    async fn start(self: Arc<Self>, addr: SocketAddr) -> std::io::Result<SimulatorHandle> {
        let listener = TcpListener::bind(addr).await?;
        let local_addr = listener.local_addr()?;
        let (tx, mut rx) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(async move {
            loop {
                tokio::select! {
                    _ = &mut rx => break,
                    acc = listener.accept() => {
                        let Ok((mut sock, _)) = acc else { continue };
                        let me = self.clone();
                        tokio::spawn(async move {
                            let framing = Framing::AsciiLengthPrefix { digits: 4 };
                            let Ok(frame) = paymux_core::transport::read_frame(&mut sock, framing).await else {
                                return;
                            };
                            let Ok(req) = serde_json::from_slice::<Value>(&frame[4..]) else {
                                return;
                            };
                            let Some((answer, delay)) = me.handle(&req) else {
                                return; // 0099: close without an answer
                            };
                            tokio::time::sleep(delay).await;
                            let body = answer.to_string();
                            let _ = sock.write_all(format!("{:04}{body}", body.len()).as_bytes()).await;
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
        ChannelContext {
            key: key.into(),
            adapter: "fake".into(),
            environment: Environment::Test,
            name: None,
            endpoint: Some(endpoint.into()),
            credentials: [
                ("mid".to_string(), Secret::new("FAKEMID1".to_string())),
                (
                    "secret".to_string(),
                    Secret::new("s3cr3t-fake-signing-key".to_string()),
                ),
            ]
            .into_iter()
            .collect(),
            options: BTreeMap::new(),
        }
    }

    fn ledger(&self) -> Vec<LedgerEntry> {
        self.state.lock().unwrap().entries.clone()
    }
}
