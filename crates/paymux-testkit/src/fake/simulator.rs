//! The fake PG's simulator: the core kit's listener and fault hooks, its [`Ledger`] and its
//! window shell, with the handlers of [`super::wire`]'s protocol.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};

use async_trait::async_trait;
use paymux_core::channel::ChannelContext;
use paymux_core::money::Money;
use paymux_core::secret::mask_card_number;
use paymux_core::simulator::http::{HttpError, Request, Response};
use paymux_core::simulator::ledger::{Ledger, Method, Payment, State, VirtualAccount};
use paymux_core::simulator::server::{self, Incoming, Reply};
use paymux_core::simulator::window::{self, WindowBook};
use paymux_core::simulator::{LedgerEntry, Simulator, SimulatorHandle, TestCard};
use paymux_core::wire::{form_urldecode, Charset};
use serde_json::{json, Value};
use tokio::net::TcpStream;

use super::wire::{self, OK, WINDOW_CANCELLED};
use super::{Profile, FAKE, LATE_ANSWER};

/// Banks the window offers for a virtual account (PortOne's bank names), the first chosen by
/// default.
pub const BANKS: &[(&str, &str)] = &[("KOOKMIN", "KB국민은행"), ("SHINHAN", "신한은행")];

/// A window waiting for its payer.
#[derive(Debug, Clone)]
struct Order {
    order_id: String,
    order_name: String,
    amount: String,
    method: String,
    return_url: String,
}

/// What the payer entered in a window they approved, until `POST /approve`.
#[derive(Debug, Clone)]
struct Approval {
    order: Order,
    card: String,
    bank: Option<String>,
}

#[derive(Default)]
struct Book {
    ledger: Ledger,
    calls: Vec<(String, String)>,
    windows: WindowBook<Order>,
    approvals: HashMap<String, Approval>,
}

/// The simulator of a fake [`Profile`]: a ledger, billing keys, payment windows, and a record
/// of every request by operation.
pub struct FakeSim {
    profile: Profile,
    late_at_once: bool,
    book: Mutex<Book>,
}

impl Default for FakeSim {
    /// The [`FAKE`] profile's simulator.
    fn default() -> Self {
        FakeSim::new(FAKE)
    }
}

fn answer(code: &str, message: &str) -> Value {
    json!({"code": code, "message": message})
}

fn approved(mut fields: Value) -> Value {
    fields["code"] = json!(OK);
    fields["message"] = json!("OK");
    fields
}

impl FakeSim {
    /// A fresh simulator (empty ledger) for `profile`.
    pub fn new(profile: Profile) -> Self {
        FakeSim {
            profile,
            late_at_once: false,
            book: Mutex::default(),
        }
    }

    /// A broken simulator for the kit's self-tests: late answers (`…0098`) come at once.
    pub fn answer_late_at_once(mut self) -> Self {
        self.late_at_once = true;
        self
    }

    /// The profile it simulates.
    pub fn profile(&self) -> Profile {
        self.profile
    }

    fn book(&self) -> MutexGuard<'_, Book> {
        // A poisoned lock means a handler panicked; the books are still the best we have.
        self.book.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Requests received, as `(op, orderId)` ([`wire`]'s `OP_*` names).
    pub fn calls(&self) -> Vec<(String, String)> {
        self.book().calls.clone()
    }

    /// How many `op` requests named `order_id`.
    pub fn count(&self, op: &str, order_id: &str) -> usize {
        self.book()
            .calls
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

    /// Billing keys not deleted.
    pub fn key_count(&self) -> usize {
        self.book().ledger.keys.iter().filter(|k| k.active).count()
    }

    async fn serve(&self, mut stream: TcpStream) {
        let reply = match server::read_incoming(&mut stream, Some(wire::TELEGRAMS)).await {
            None | Some(Incoming::Http(Err(HttpError::Closed))) => return,
            Some(Incoming::Telegram(frame)) => match wire::parse(&frame, true) {
                Ok(req) => self.telegram(&req),
                Err(why) => Reply::Answer(answer("E400", &format!("malformed telegram: {why}"))),
            }
            .map(|v| wire::frame(&v)),
            Some(Incoming::Http(Err(HttpError::Refused(status, why)))) => Reply::Answer(
                Response::json(status, answer("E400", why).to_string().into_bytes()).to_bytes(),
            ),
            Some(Incoming::Http(Ok(req))) => self.http(&req).map(|r| r.to_bytes()),
        };
        let late = if self.late_at_once {
            std::time::Duration::ZERO
        } else {
            LATE_ANSWER
        };
        server::deliver(&mut stream, reply, late, |bytes| bytes).await;
    }

    /// One telegram.
    fn telegram(&self, req: &Value) -> Reply<Value> {
        let s = |k: &str| req.get(k).and_then(Value::as_str).unwrap_or_default();
        let (op, order) = (s("op"), s("orderId"));
        let mut book = self.book();
        book.calls.push((op.to_string(), order.to_string()));
        if s("mid") != self.profile.mid {
            return Reply::Answer(answer("C001", "unknown merchant"));
        }
        let mid = self.profile.mid;
        let amount = || {
            req.get("amount")
                .and_then(Value::as_i64)
                .and_then(|a| Money::new(a).ok())
        };
        let ledger = &mut book.ledger;
        match op {
            wire::OP_PAY | wire::OP_BILLING_PAY => {
                let Some(amount) = amount() else {
                    return Reply::Answer(answer("E400", "amount must be a positive number"));
                };
                if ledger.has_order(mid, order) {
                    return Reply::Answer(answer("DUP", "duplicate order"));
                }
                if op == wire::OP_PAY {
                    if let Some(bank) = req.get("bank").and_then(Value::as_str) {
                        return Reply::Answer(issue_account(ledger, mid, order, amount, bank));
                    }
                    return charge(ledger, mid, order, amount, s("card"));
                }
                match ledger.active_key(mid, s("billingKey")) {
                    Some(key) => {
                        let card = key.card_number.clone().unwrap_or_default();
                        charge(ledger, mid, order, amount, &card)
                    }
                    None => Reply::Answer(answer("N404", "no such billing key")),
                }
            }
            wire::OP_ISSUE => match TestCard::of(s("card")) {
                TestCard::Declined | TestCard::InsufficientFunds => {
                    Reply::Answer(answer("D002", "card declined"))
                }
                TestCard::Drop => Reply::Drop,
                TestCard::Approve | TestCard::ApproveLate => {
                    let key = format!("FBK-{:06}", ledger.next_number());
                    ledger.issue_key(mid, key.clone(), Some(s("card").to_string()));
                    Reply::Answer(approved(json!({ "billingKey": key })))
                }
            },
            wire::OP_DELETE => Reply::Answer(if ledger.delete_key(mid, s("billingKey")) {
                approved(json!({}))
            } else {
                answer("N404", "no such billing key")
            }),
            wire::OP_CANCEL => self.cancel(ledger, req, order),
            wire::OP_GET => Reply::Answer(
                match ledger
                    .payments
                    .iter()
                    .find(|p| p.merchant == mid && p.order_id == order)
                {
                    Some(p) => approved(json!({
                        "state": p.entry().state, "tid": p.tid,
                        "amount": p.amount, "balance": p.balance(),
                    })),
                    None => approved(json!({"state": "NOT_FOUND"})),
                },
            ),
            _ => Reply::Answer(answer("E999", "unknown op")),
        }
    }

    fn cancel(&self, ledger: &mut Ledger, req: &Value, order: &str) -> Reply<Value> {
        let mid = self.profile.mid;
        let tid = req.get("tid").and_then(Value::as_str).unwrap_or_default();
        let take = match req.get("cancelAmount") {
            None | Some(Value::Null) => None,
            Some(v) => match v.as_i64().and_then(|a| Money::new(a).ok()) {
                Some(a) => Some(a),
                None => return Reply::Answer(answer("C409", "cancel amount is not an amount")),
            },
        };
        let cap = self.profile.descriptor.capabilities.max_partial_cancels;
        let seq = ledger.next_number();
        let Some(p) = ledger
            .payments
            .iter_mut()
            .filter(|p| p.merchant == mid)
            .find(|p| (!tid.is_empty() && p.tid == tid) || p.order_id == order)
        else {
            return Reply::Answer(answer("N404", "no such transaction"));
        };
        if cap.is_some_and(|max| p.cancel_count >= max) {
            return Reply::Answer(answer("C409", "no more cancels allowed"));
        }
        let Ok((taken, _)) = p.cancel(take) else {
            return Reply::Answer(answer("C409", "cancel exceeds balance"));
        };
        let a = approved(json!({
            "tid": format!("FAKE-C{seq:06}"), "cancelled": taken, "remaining": p.balance(),
        }));
        if req.get("late") == Some(&Value::Bool(true)) {
            Reply::AnswerLate(a)
        } else {
            Reply::Answer(a)
        }
    }

    /// One HTTP request: the payment window and its approval.
    fn http(&self, req: &Request) -> Reply<Response> {
        let vendor = self.profile.descriptor.display_name;
        let page = |status, html| Reply::Answer(Response::html(status, html));
        if req.method != "POST" {
            return page(405, window::error_page(vendor, "POST only"));
        }
        if req.path == wire::WINDOW_PATH {
            return page(200, self.open_window(&req.body));
        }
        if let Some(token) = window::answer_token(&req.path) {
            return match self.answer_window(token, &req.body) {
                Some(html) => page(200, html),
                None => page(410, window::error_page(vendor, "window already used")),
            };
        }
        if req.path == wire::APPROVE_PATH {
            return self
                .approve(&req.body)
                .map(|v| Response::json(200, v.to_string().into_bytes()));
        }
        Reply::Answer(Response::json(
            404,
            answer("E404", "no such path").to_string().into_bytes(),
        ))
    }

    fn open_window(&self, body: &[u8]) -> String {
        let vendor = self.profile.descriptor.display_name;
        let f = form_map(body);
        let get = |k: &str| f.get(k).cloned().unwrap_or_default();
        if get("mid") != self.profile.mid {
            return window::error_page(vendor, "unknown merchant");
        }
        let order = Order {
            order_id: get("orderId"),
            order_name: get("orderName"),
            amount: get("amount"),
            method: get("method"),
            return_url: get("returnUrl"),
        };
        let va = order.method == "VIRTUAL_ACCOUNT";
        let inputs = if va {
            let banks = BANKS.iter().map(|(code, name)| (*code, name.to_string()));
            window::bank_select("입금 은행", "bank", banks)
        } else {
            window::card_input()
        };
        let token = self.book().windows.open(order.clone());
        window::Window {
            vendor,
            title: if va {
                "가상계좌 발급"
            } else {
                "신용카드 결제"
            },
            token: &token,
            item: &order.order_name,
            order: &order.order_id,
            amount: &order.amount,
            inputs: &inputs,
            approve_label: "결제하기",
            error: None,
        }
        .render()
    }

    fn answer_window(&self, token: &str, body: &[u8]) -> Option<String> {
        let order = self.book().windows.take(token)?;
        let f = form_map(body);
        let return_url = order.return_url.clone();
        let mut fields = vec![
            ("orderId", order.order_id.clone()),
            ("amount", order.amount.clone()),
        ];
        if f.get("ACTION").map(String::as_str) == Some("approve") {
            let approval = format!("ap-{token}");
            let card = window::entered_card(|k| f.get(k).map(String::as_str), "cardNumber");
            let bank = f.get("bank").cloned();
            self.book()
                .approvals
                .insert(approval.clone(), Approval { order, card, bank });
            fields.push(("RESPONSE_CODE", OK.into()));
            fields.push(("token", approval));
        } else {
            fields.push(("RESPONSE_CODE", WINDOW_CANCELLED.into()));
        }
        let vendor = self.profile.descriptor.display_name;
        Some(window::return_page(vendor, &return_url, "UTF-8", &fields))
    }

    /// `POST /approve {mid, token, orderId}`: the window's payment, approved or declined.
    fn approve(&self, body: &[u8]) -> Reply<Value> {
        let Ok(req) = wire::parse(body, false) else {
            return Reply::Answer(answer("E400", "the body is not JSON"));
        };
        let s = |k: &str| req.get(k).and_then(Value::as_str).unwrap_or_default();
        let mut book = self.book();
        book.calls
            .push((wire::OP_APPROVE.to_string(), s("orderId").to_string()));
        let mid = self.profile.mid;
        if s("mid") != mid {
            return Reply::Answer(answer("C001", "unknown merchant"));
        }
        let Some(Approval { order, card, bank }) = book.approvals.remove(s("token")) else {
            return Reply::Answer(answer("NO_SUCH_TOKEN", "unknown or used token"));
        };
        let Some(amount) = order.amount.parse().ok().and_then(|a| Money::new(a).ok()) else {
            return Reply::Answer(answer("E400", "the window's amount is not an amount"));
        };
        let ledger = &mut book.ledger;
        if ledger.has_order(mid, &order.order_id) {
            return Reply::Answer(answer("DUP", "duplicate order"));
        }
        if order.method == "VIRTUAL_ACCOUNT" {
            let bank = bank.unwrap_or_else(|| BANKS[0].0.to_string());
            return Reply::Answer(issue_account(ledger, mid, &order.order_id, amount, &bank));
        }
        charge(ledger, mid, &order.order_id, amount, &card)
    }
}

fn form_map(body: &[u8]) -> HashMap<String, String> {
    form_urldecode(body, Charset::Utf8)
        .map(|p| p.into_iter().collect())
        .unwrap_or_default()
}

/// A card charge following the test cards.
fn charge(ledger: &mut Ledger, mid: &str, order: &str, amount: Money, card: &str) -> Reply<Value> {
    let late = match TestCard::of(card) {
        TestCard::Declined => return Reply::Answer(answer("D002", "card declined")),
        TestCard::InsufficientFunds => return Reply::Answer(answer("D051", "insufficient funds")),
        TestCard::Drop => return Reply::Drop,
        TestCard::ApproveLate => true,
        TestCard::Approve => false,
    };
    let seq = ledger.next_number();
    let tid = format!("FAKE-T{seq:06}");
    ledger.record(Payment::approved(
        mid,
        order,
        tid.clone(),
        Method::Card,
        amount,
        "",
        (),
    ));
    let a = approved(json!({
        "tid": tid, "approvalNo": format!("A{seq:05}"), "amount": amount,
        "maskedCard": mask_card_number(card),
        "receiptUrl": format!("https://receipts.fake-pg.invalid/{tid}"),
    }));
    if late {
        Reply::AnswerLate(a)
    } else {
        Reply::Answer(a)
    }
}

/// A virtual account at `bank`, waiting for its deposit.
fn issue_account(ledger: &mut Ledger, mid: &str, order: &str, amount: Money, bank: &str) -> Value {
    let seq = ledger.next_number();
    let tid = format!("FAKE-V{seq:06}");
    let number = format!("7777{seq:010}");
    let mut p = Payment::approved(
        mid,
        order,
        tid.clone(),
        Method::VirtualAccount,
        amount,
        "",
        (),
    );
    p.state = State::AwaitingDeposit;
    p.account = Some(VirtualAccount {
        bank: bank.to_string(),
        number: number.clone(),
        due: String::new(),
    });
    ledger.record(p);
    approved(json!({"tid": tid, "amount": amount, "bank": bank, "account": number}))
}

#[async_trait]
impl Simulator for FakeSim {
    fn adapter_id(&self) -> &'static str {
        self.profile.descriptor.id
    }

    async fn start(self: Arc<Self>, addr: SocketAddr) -> std::io::Result<SimulatorHandle> {
        server::listen(addr, move |stream| {
            let sim = Arc::clone(&self);
            async move { sim.serve(stream).await }
        })
        .await
    }

    fn sandbox_channel(&self, key: &str, endpoint: &str) -> ChannelContext {
        self.profile.channel(key, endpoint, self.profile.mid)
    }

    fn ledger(&self) -> Vec<LedgerEntry> {
        self.book().ledger.entries()
    }
}
