//! `testwin`: a test-only PG whose payment window completes card payments **and virtual
//! accounts** through the adapter contract (`checkout.complete` → an HTTP approval call), so the
//! gateway's virtual-account window path can be driven end to end. (Galaxia issues virtual
//! accounts inside its window and its adapter declares no `checkout.complete` for them; the
//! gateway refuses such windows, see `galaxia_virtual_account_windows_are_refused`.)
//!
//! Its simulator serves the window like Galaxia's (`POST /window`, the same element ids:
//! `#card-number` named `cardNumber`, `#bank`, `#pay`, `#cancel`), posts back `RESPONSE_CODE` (`0000` or
//! `CANCEL`), `token`, `orderId`, `amount` in UTF-8, and approves `POST /approve {token}`
//! following the shared test cards.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use axum::extract::{Path, State};
use axum::response::Html;
use axum::routing::post;
use axum::{Json, Router};
use paymux_core::adapter::{
    AdapterDescriptor, Capabilities, Capability, CheckoutRequest, EncodeContext, Header, Method,
    Operation, PgAdapter, PgRequest, TransportKind, WireRequest, WireResponse, WireTarget,
};
use paymux_core::channel::{ChannelContext, Environment};
use paymux_core::error::PgError;
use paymux_core::money::Money;
use paymux_core::outcome::{
    Approved, ApprovedDetail, CardSummary, DeclineKind, Declined, Outcome, VirtualAccountIssued,
};
use paymux_core::secret::{mask_card_number, Secret};
use paymux_core::simulator::{LedgerEntry, Simulator, SimulatorHandle, TestCard};
use paymux_core::validation::ValidationErrors;
use paymux_core::wire::{form_urlencode, Charset};
use serde_json::{json, Value};

pub const MID: &str = "TW-MID";

pub static DESCRIPTOR: AdapterDescriptor = AdapterDescriptor {
    id: "testwin",
    pg_provider: "TESTWIN",
    display_name: "Test window PG (tests)",
    transport: TransportKind::Http,
    maturity: paymux_core::adapter::Maturity::Ready,
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

pub struct TestWinAdapter;

fn invalid(path: &str, rule: &str) -> PgError {
    let mut e = ValidationErrors::default();
    e.add(path, rule);
    PgError::Validation(e)
}

impl PgAdapter for TestWinAdapter {
    fn descriptor(&self) -> &'static AdapterDescriptor {
        &DESCRIPTOR
    }

    fn encode(&self, ctx: &EncodeContext<'_>, req: &PgRequest) -> Result<WireRequest, PgError> {
        let mid = ctx.channel.credential("mid")?.expose().clone();
        let (host, port) = ctx
            .channel
            .endpoint_host_port()?
            .ok_or_else(|| ctx.channel.config_error("endpoint", "is required"))?;
        match req {
            PgRequest::CheckoutPrepare(c) => {
                let CheckoutRequest::Payment(r) = &c.checkout else {
                    return Err(PgError::Unsupported {
                        adapter: "testwin",
                        what: "billing-key windows".into(),
                    });
                };
                let amount = r.total_amount.to_string();
                let method = c.checkout.method().as_str();
                let return_url = c.return_url.clone().unwrap_or_default();
                let pairs = [
                    ("mid", mid.as_str()),
                    ("orderId", r.payment_id.as_str()),
                    ("orderName", r.order_name.as_str()),
                    ("amount", amount.as_str()),
                    ("method", method),
                    ("returnUrl", return_url.as_str()),
                ];
                Ok(WireRequest {
                    target: WireTarget::Browser {
                        url: format!("http://{host}:{port}/window"),
                        accept_charset: "UTF-8",
                    },
                    body: form_urlencode(&pairs, Charset::Utf8)?,
                    view: json!({"fields": pairs}).into(),
                    read_timeout: None,
                })
            }
            PgRequest::CheckoutComplete(c) => {
                let get = |k: &str| c.returned.get(k).map(|v| v.expose().clone());
                match get("RESPONSE_CODE").as_deref() {
                    Some("0000") => {}
                    Some(other) => {
                        return Err(PgError::WindowFailed {
                            pg_code: other.to_string(),
                            pg_message: "the payer cancelled the window".to_string(),
                        })
                    }
                    None => return Err(invalid("returned.RESPONSE_CODE", "is required")),
                }
                if get("orderId").as_deref() != Some(c.payment_id.as_str()) {
                    return Err(invalid("returned.orderId", "does not match paymentId"));
                }
                let expected = c.prior.amount.map(|a| a.total.to_string());
                if get("amount") != expected {
                    return Err(invalid(
                        "returned.amount",
                        "does not match the amount the window was opened with",
                    ));
                }
                let token = get("token").ok_or_else(|| invalid("returned.token", "is required"))?;
                let body = json!({"mid": mid, "token": token, "orderId": c.payment_id});
                Ok(WireRequest {
                    target: WireTarget::Http {
                        method: "POST".into(),
                        url: format!("http://{host}:{port}/approve"),
                        headers: vec![Header {
                            name: "content-type".into(),
                            value: "application/json".into(),
                            sensitive: false,
                        }],
                    },
                    body: body.to_string().into_bytes(),
                    view: json!({"token": "***", "orderId": c.payment_id}).into(),
                    read_timeout: None,
                })
            }
            other => Err(PgError::Unsupported {
                adapter: "testwin",
                what: other.operation().to_string(),
            }),
        }
    }

    fn decode(
        &self,
        _ctx: &EncodeContext<'_>,
        _req: &PgRequest,
        _sent: &WireRequest,
        resp: &WireResponse,
    ) -> Result<Outcome, PgError> {
        let v: Value =
            serde_json::from_slice(&resp.body).map_err(|e| PgError::MalformedResponse {
                detail: e.to_string(),
            })?;
        let s = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_string);
        let amount = v
            .get("amount")
            .and_then(Value::as_i64)
            .and_then(|a| Money::new(a).ok());
        Ok(match s("result").as_deref() {
            Some("PAID") => Outcome::Approved(Approved {
                receipt_url: None,
                pg_tx_id: s("tid"),
                at: None,
                amount,
                pg_code: "0000".into(),
                pg_message: "approved".into(),
                detail: ApprovedDetail::Payment {
                    approval_number: s("approvalNumber"),
                    card: Some(CardSummary {
                        masked_number: s("maskedCard"),
                        issuer_code: None,
                        issuer_name: None,
                        acquirer_code: None,
                    }),
                    installment_month: None,
                    pg_billing_key: None,
                },
            }),
            Some("VA") => Outcome::VirtualAccountIssued(VirtualAccountIssued {
                pg_tx_id: s("tid"),
                bank: s("bank"),
                account_number: s("accountNumber").unwrap_or_default(),
                remittee_name: Some("테스트상점".into()),
                expires_at: None,
                issued_at: None,
                amount,
                pg_code: "0000".into(),
                pg_message: "issued".into(),
            }),
            _ => {
                let code = s("code").unwrap_or_default();
                let kind = match code.as_str() {
                    "DECLINED" => DeclineKind::CardDeclined,
                    "NO_FUNDS" => DeclineKind::InsufficientFunds,
                    _ => DeclineKind::Other,
                };
                Outcome::Declined(Declined::new(code, s("message").unwrap_or_default(), kind))
            }
        })
    }
}

paymux_core::inventory::submit! {
    paymux_core::registry::AdapterRegistration {
        descriptor: &DESCRIPTOR,
        adapter: || Arc::new(TestWinAdapter),
        simulator: Some(|| Arc::new(TestWinSim::default())),
    }
}

#[derive(Clone, Debug)]
struct Order {
    order_id: String,
    order_name: String,
    amount: i64,
    method: String,
    return_url: String,
}

#[derive(Default)]
struct Book {
    windows: HashMap<String, Order>,
    approvals: HashMap<String, (Order, Option<String>, Option<String>)>,
    ledger: Vec<LedgerEntry>,
    next: u64,
}

#[derive(Default, Clone)]
pub struct TestWinSim {
    book: Arc<Mutex<Book>>,
}

use paymux_core::html::escape as esc;

fn page(body: &str) -> Html<String> {
    Html(format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>testwin</title></head><body>{body}</body></html>"
    ))
}

fn form_map(body: &[u8]) -> HashMap<String, String> {
    paymux_core::wire::form_urldecode(body, Charset::Utf8)
        .map(|p| p.into_iter().collect())
        .unwrap_or_default()
}

async fn open(State(sim): State<TestWinSim>, body: axum::body::Bytes) -> Html<String> {
    let f = form_map(&body);
    let get = |k: &str| f.get(k).cloned().unwrap_or_default();
    if get("mid") != MID {
        return page("<p id=\"error\">unknown mid</p>");
    }
    let order = Order {
        order_id: get("orderId"),
        order_name: get("orderName"),
        amount: get("amount").parse().unwrap_or(0),
        method: get("method"),
        return_url: get("returnUrl"),
    };
    let token = {
        let mut b = sim.book.lock().unwrap();
        b.next += 1;
        let t = format!("tw{:06}", b.next);
        b.windows.insert(t.clone(), order.clone());
        t
    };
    let input = if order.method == "VIRTUAL_ACCOUNT" {
        "<select id=\"bank\" name=\"bank\"><option value=\"KOOKMIN\">KB국민은행</option>\
         <option value=\"SHINHAN\">신한은행</option></select>"
    } else {
        "<input id=\"card-number\" name=\"cardNumber\">"
    };
    page(&format!(
        "<h1 id=\"window-title\">testwin {}</h1><p id=\"item-name\">{}</p><p id=\"amount\">{}</p>\
         <form id=\"window\" method=\"post\" action=\"/window/{token}\">{input}\
         <button id=\"pay\" name=\"ACTION\" value=\"approve\">pay</button>\
         <button id=\"cancel\" name=\"ACTION\" value=\"cancel\">cancel</button></form>",
        esc(&order.method),
        esc(&order.order_name),
        order.amount
    ))
}

async fn answer(
    State(sim): State<TestWinSim>,
    Path(token): Path<String>,
    body: axum::body::Bytes,
) -> Html<String> {
    let f = form_map(&body);
    let Some(order) = sim.book.lock().unwrap().windows.remove(&token) else {
        return page("<p id=\"error\">window already used</p>");
    };
    let mut fields = vec![
        ("orderId", order.order_id.clone()),
        ("amount", order.amount.to_string()),
    ];
    if f.get("ACTION").map(String::as_str) == Some("approve") {
        let approval = format!("ap-{token}");
        sim.book.lock().unwrap().approvals.insert(
            approval.clone(),
            (
                order.clone(),
                f.get("cardNumber").cloned(),
                f.get("bank").cloned(),
            ),
        );
        fields.push(("RESPONSE_CODE", "0000".into()));
        fields.push(("token", approval));
    } else {
        fields.push(("RESPONSE_CODE", "CANCEL".into()));
    }
    let inputs: String = fields
        .iter()
        .map(|(k, v)| format!("<input type=\"hidden\" name=\"{k}\" value=\"{}\">", esc(v)))
        .collect();
    page(&format!(
        "<form id=\"return\" method=\"post\" action=\"{}\" accept-charset=\"UTF-8\">{inputs}</form>\
         <script>document.getElementById('return').submit()</script>",
        esc(&order.return_url)
    ))
}

async fn approve(State(sim): State<TestWinSim>, Json(v): Json<Value>) -> Json<Value> {
    let token = v.get("token").and_then(Value::as_str).unwrap_or_default();
    let mut b = sim.book.lock().unwrap();
    let Some((order, card, bank)) = b.approvals.remove(token) else {
        return Json(
            json!({"result": "DECLINED", "code": "NO_SUCH_TOKEN", "message": "unknown or used token"}),
        );
    };
    b.next += 1;
    let tid = format!("TW{:08}", b.next);
    let amount = Money::new(order.amount).unwrap_or(Money::ZERO);
    if order.method == "VIRTUAL_ACCOUNT" {
        b.ledger.push(LedgerEntry {
            order_id: order.order_id.clone(),
            pg_tx_id: tid.clone(),
            amount,
            cancelled: Money::ZERO,
            cancel_count: 0,
            state: "VIRTUAL_ACCOUNT_ISSUED".into(),
            method: "VIRTUAL_ACCOUNT".into(),
        });
        return Json(json!({
            "result": "VA", "tid": tid, "amount": order.amount,
            "bank": bank.unwrap_or_else(|| "KOOKMIN".into()),
            "accountNumber": format!("7777{:010}", b.next),
        }));
    }
    let card = card.unwrap_or_default();
    match TestCard::of(&card) {
        TestCard::Declined => {
            Json(json!({"result": "DECLINED", "code": "DECLINED", "message": "card declined"}))
        }
        TestCard::InsufficientFunds => {
            Json(json!({"result": "DECLINED", "code": "NO_FUNDS", "message": "insufficient funds"}))
        }
        _ => {
            b.ledger.push(LedgerEntry {
                order_id: order.order_id.clone(),
                pg_tx_id: tid.clone(),
                amount,
                cancelled: Money::ZERO,
                cancel_count: 0,
                state: "APPROVED".into(),
                method: "CARD".into(),
            });
            Json(json!({
                "result": "PAID", "tid": tid, "amount": order.amount,
                "approvalNumber": format!("{:08}", b.next),
                "maskedCard": mask_card_number(&card),
            }))
        }
    }
}

#[async_trait]
impl Simulator for TestWinSim {
    fn adapter_id(&self) -> &'static str {
        "testwin"
    }

    async fn start(self: Arc<Self>, addr: SocketAddr) -> std::io::Result<SimulatorHandle> {
        let app = Router::new()
            .route("/window", post(open))
            .route("/window/{token}", post(answer))
            .route("/approve", post(approve))
            .with_state((*self).clone());
        let listener = tokio::net::TcpListener::bind(addr).await?;
        let local_addr = listener.local_addr()?;
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(async move {
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(async move {
                    let _ = rx.await;
                })
                .await;
        });
        Ok(SimulatorHandle {
            local_addr,
            shutdown: Some(tx),
        })
    }

    fn sandbox_channel(&self, key: &str, endpoint: &str) -> ChannelContext {
        ChannelContext {
            key: key.into(),
            adapter: "testwin".into(),
            environment: Environment::Test,
            name: None,
            endpoint: Some(endpoint.into()),
            credentials: [("mid".to_string(), Secret::new(MID.to_string()))]
                .into_iter()
                .collect(),
            options: Default::default(),
        }
    }

    fn ledger(&self) -> Vec<LedgerEntry> {
        self.book.lock().unwrap().ledger.clone()
    }
}
