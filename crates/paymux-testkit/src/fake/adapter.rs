//! The fake PG's adapter: [`super::wire`] requests from PortOne requests and outcomes from its
//! answers, with [`Bugs`] the kit's self-tests switch on.

use paymux_core::adapter::{
    check_capabilities, AdapterDescriptor, CheckoutRequest, EncodeContext, Header, LimitUnit,
    PgAdapter, PgRequest, WindowOpen, WireRequest, WireResponse, WireTarget,
};
use paymux_core::channel::ChannelContext;
use paymux_core::error::PgError;
use paymux_core::model::InstantPaymentMethodInput;
use paymux_core::money::Money;
use paymux_core::outcome::{
    Approved, ApprovedDetail, CardSummary, DeclineKind, Declined, Outcome, TxReport, TxState,
    Unknown, VirtualAccountIssued,
};
use paymux_core::secret::{mask_card_number, Secret};
use paymux_core::validation::ValidationErrors;
use paymux_core::wire::{charset, form_urlencode, Charset};
use serde_json::{json, Map, Value};

use super::wire::{self, FRAMING, OK};
use super::{Profile, LATE_CANCEL_REASON, RECOMMENDED_READ_TIMEOUT};

/// The holder name every issued account shows.
pub const REMITTEE: &str = "테스트상점";

/// Bugs the adapter can be built with, so the kit's self-tests can check that each is caught
/// by exactly the scenario meant to catch it.
#[derive(Debug, Clone, Copy, Default)]
pub struct Bugs {
    /// Map `D051` (insufficient funds) to card_declined.
    pub insufficient_as_declined: bool,
    /// Put the card number unmasked in the wire view.
    pub card_in_view: bool,
    /// Log the card number.
    pub card_in_log: bool,
    /// Skip the field-limit rules in `validate` (encode then fails, or the PG takes it).
    pub no_limit_rules: bool,
    /// Answer everything with "not implemented".
    pub unimplemented: bool,
}

/// The fake PG's adapter: a [`Profile`] (what it declares) and the [`Bugs`] it has.
#[derive(Debug, Clone, Copy)]
pub struct FakeAdapter {
    /// What it declares.
    pub profile: Profile,
    /// What is broken on purpose.
    pub bugs: Bugs,
}

impl FakeAdapter {
    /// A correct adapter for `profile`.
    pub const fn new(profile: Profile) -> Self {
        FakeAdapter {
            profile,
            bugs: Bugs {
                insufficient_as_declined: false,
                card_in_view: false,
                card_in_log: false,
                no_limit_rules: false,
                unimplemented: false,
            },
        }
    }

    /// The same adapter with `bugs`.
    pub const fn with_bugs(self, bugs: Bugs) -> Self {
        FakeAdapter { bugs, ..self }
    }

    fn id(&self) -> &'static str {
        self.profile.descriptor.id
    }
}

fn invalid(path: &str, rule: &str) -> PgError {
    let mut e = ValidationErrors::default();
    e.add(path, rule);
    PgError::Validation(e)
}

fn exposed(s: &Option<Secret<String>>) -> Option<String> {
    s.as_ref().map(|k| k.expose().clone())
}

impl PgAdapter for FakeAdapter {
    fn descriptor(&self) -> &'static AdapterDescriptor {
        self.profile.descriptor
    }

    fn validate(&self, _channel: &ChannelContext, req: &PgRequest) -> Result<(), PgError> {
        check_capabilities(self.descriptor(), req)?;
        // The fake PG's billing-key charge has no cash-receipt field: refused, never dropped.
        if let PgRequest::PayWithBillingKey(c) = req {
            if c.body.cash_receipt.is_some() {
                let mut errs = ValidationErrors::default();
                errs.add(
                    "cashReceipt",
                    "cannot be sent with the fake PG's billing-key payment",
                );
                return Err(PgError::Validation(errs));
            }
        }
        if self.bugs.no_limit_rules {
            return Ok(());
        }
        let (name, customer) = match req {
            PgRequest::Instant(c) => (Some(&c.body.order_name), c.body.customer.as_ref()),
            PgRequest::PayWithBillingKey(c) => (Some(&c.body.order_name), c.body.customer.as_ref()),
            PgRequest::IssueBillingKey(c) => (None, c.body.customer.as_ref()),
            _ => (None, None),
        };
        let desc = self.descriptor();
        let mut errs = ValidationErrors::default();
        if let Some(n) = name {
            desc.check_field("orderName", "orderName", n, None, &mut errs);
        }
        if let Some(id) = customer.and_then(|c| c.id.as_ref()) {
            desc.check_field("customer.id", "customer.id", id, None, &mut errs);
        }
        errs.into_result().map_err(PgError::Validation)
    }

    fn encode(&self, ctx: &EncodeContext<'_>, req: &PgRequest) -> Result<WireRequest, PgError> {
        if self.bugs.unimplemented {
            return Err(PgError::Unsupported {
                adapter: self.id(),
                what: format!(
                    "{}: not implemented yet: see CONTRIBUTING.md",
                    req.operation()
                ),
            });
        }
        let mid = ctx.channel.credential("mid")?.expose().clone();
        let (host, port) = ctx
            .channel
            .endpoint_host_port()?
            .ok_or_else(|| ctx.channel.config_error("endpoint", "is required"))?;
        let mut m = Map::new();
        let mut card = None;
        let mut put = |k: &str, v: Value| {
            m.insert(k.into(), v);
        };
        match req {
            PgRequest::Instant(c) => {
                // The order name travels in the charset its declared limit counts in.
                if let Some(LimitUnit::Bytes(cs)) = self
                    .descriptor()
                    .capabilities
                    .field_limit("orderName")
                    .map(|l| l.unit)
                {
                    charset::encode("orderName", &c.body.order_name, cs)?;
                }
                put("op", json!(wire::OP_PAY));
                put("orderId", json!(c.payment_id));
                put("amount", json!(c.body.amount.total));
                match &c.body.method {
                    InstantPaymentMethodInput::Card(k) => {
                        card = Some(k.credential.number.expose().clone());
                    }
                    InstantPaymentMethodInput::VirtualAccount(va) => {
                        put("bank", json!(va.bank.0));
                    }
                }
            }
            PgRequest::IssueBillingKey(c) => {
                put("op", json!(wire::OP_ISSUE));
                let number = c.body.method.card.as_ref().map(|k| &k.credential.number);
                card = Some(number.map(|n| n.expose().clone()).unwrap_or_default());
            }
            PgRequest::PayWithBillingKey(c) => {
                put("op", json!(wire::OP_BILLING_PAY));
                put("orderId", json!(c.payment_id));
                put("amount", json!(c.body.amount.total));
                put("billingKey", json!(exposed(&c.prior.pg_billing_key)));
            }
            PgRequest::Cancel(c) => {
                put("op", json!(wire::OP_CANCEL));
                put("orderId", json!(c.payment_id));
                put("tid", json!(c.prior.pg_tx_id));
                if let Some(a) = c.body.amount {
                    put("cancelAmount", json!(a));
                }
                // Test hook: this reason makes the simulator answer after the read timeout.
                put("late", json!(c.body.reason == LATE_CANCEL_REASON));
            }
            PgRequest::Get(c) => {
                put("op", json!(wire::OP_GET));
                put("orderId", json!(c.payment_id));
            }
            PgRequest::DeleteBillingKey(c) => {
                put("op", json!(wire::OP_DELETE));
                put("billingKey", json!(exposed(&c.prior.pg_billing_key)));
            }
            PgRequest::CheckoutPrepare(_) | PgRequest::CheckoutComplete(_) => {
                return self.encode_window(req, &mid, &host, port);
            }
            // The fake PG issues no account it could revoke (validation refuses it first).
            PgRequest::CloseVirtualAccount(_) => {
                return Err(PgError::Unsupported {
                    adapter: self.id(),
                    what: req.operation().to_string(),
                })
            }
        }
        m.insert("mid".into(), json!(mid));
        let mut view = Value::Object(m.clone());
        if view.get("billingKey").is_some() {
            view["billingKey"] = json!("****");
        }
        if let Some(n) = &card {
            m.insert("card".into(), json!(n));
            view["card"] = json!(if self.bugs.card_in_view {
                n.clone()
            } else {
                mask_card_number(n)
            });
            if self.bugs.card_in_log {
                tracing::info!(card = %n, "fake: sending card");
            }
        }
        Ok(WireRequest {
            target: WireTarget::Tcp {
                host,
                port,
                framing: FRAMING,
            },
            body: wire::frame(&Value::Object(m)),
            view: view.into(),
            read_timeout: Some(RECOMMENDED_READ_TIMEOUT),
        })
    }

    fn decode(
        &self,
        _ctx: &EncodeContext<'_>,
        req: &PgRequest,
        sent: &WireRequest,
        resp: &WireResponse,
    ) -> Result<Outcome, PgError> {
        let framed = matches!(sent.target, WireTarget::Tcp { .. });
        let v = wire::parse(&resp.body, framed)
            .map_err(|detail| PgError::MalformedResponse { detail })?;
        let s = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_string);
        let money = |k: &str| {
            v.get(k)
                .and_then(Value::as_i64)
                .and_then(|a| Money::new(a).ok())
        };
        let code = s("code").unwrap_or_default();
        let message = s("message").unwrap_or_default();
        if code != OK {
            let mut kind = wire::decline_kind(&code);
            if self.bugs.insufficient_as_declined && kind == DeclineKind::InsufficientFunds {
                kind = DeclineKind::CardDeclined;
            }
            return Ok(Outcome::Declined(Declined::new(code, message, kind)));
        }
        let tid = s("tid");
        let detail = match req {
            PgRequest::Instant(_) | PgRequest::CheckoutComplete(_)
                if v.get("account").is_some() =>
            {
                return Ok(Outcome::VirtualAccountIssued(VirtualAccountIssued {
                    pg_tx_id: tid,
                    bank: s("bank"),
                    account_number: s("account").unwrap_or_default(),
                    remittee_name: Some(REMITTEE.into()),
                    expires_at: None,
                    issued_at: None,
                    amount: money("amount"),
                    pg_code: code,
                    pg_message: message,
                }))
            }
            PgRequest::Instant(_)
            | PgRequest::PayWithBillingKey(_)
            | PgRequest::CheckoutComplete(_) => ApprovedDetail::Payment {
                approval_number: s("approvalNo"),
                card: s("maskedCard").map(|masked| CardSummary {
                    masked_number: Some(masked),
                    issuer_code: None,
                    issuer_name: None,
                    acquirer_code: None,
                }),
                installment_month: None,
                pg_billing_key: None,
            },
            PgRequest::IssueBillingKey(_) => ApprovedDetail::BillingKeyIssued {
                pg_billing_key: Secret::new(s("billingKey").unwrap_or_default()),
                card: None,
            },
            PgRequest::DeleteBillingKey(_) => ApprovedDetail::BillingKeyDeleted,
            PgRequest::Cancel(_) => ApprovedDetail::Cancelled {
                cancelled: money("cancelled").unwrap_or(Money::ZERO),
                remaining: money("remaining"),
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
                amount: money("amount"),
                balance: money("balance"),
                pg_tx_id: tid.clone(),
            }),
            _ => {
                return Ok(Outcome::Unknown(Unknown {
                    reason: format!("the fake PG answered {} unexpectedly", req.operation()),
                }))
            }
        };
        Ok(Outcome::Approved(Approved {
            receipt_url: s("receiptUrl"),
            pg_tx_id: tid,
            at: None,
            amount: money("amount"),
            pg_code: code,
            pg_message: message,
            detail,
        }))
    }
}

impl FakeAdapter {
    /// `checkout.prepare`: the window form. `checkout.complete`: the approval call.
    fn encode_window(
        &self,
        req: &PgRequest,
        mid: &str,
        host: &str,
        port: u16,
    ) -> Result<WireRequest, PgError> {
        match req {
            PgRequest::CheckoutPrepare(c) => {
                let CheckoutRequest::Payment(r) = &c.checkout else {
                    return Err(PgError::Unsupported {
                        adapter: self.id(),
                        what: "billing-key windows".into(),
                    });
                };
                let amount = r.total_amount.to_string();
                let return_url = c.return_url.clone().unwrap_or_default();
                let pairs = [
                    ("mid", mid),
                    ("orderId", r.payment_id.as_str()),
                    ("orderName", r.order_name.as_str()),
                    ("amount", amount.as_str()),
                    ("method", c.checkout.method().as_str()),
                    ("returnUrl", return_url.as_str()),
                ];
                Ok(WireRequest {
                    target: WireTarget::Browser {
                        url: format!("http://{host}:{port}{}", wire::WINDOW_PATH),
                        accept_charset: "UTF-8",
                        open: WindowOpen::PostForm,
                        shown_amount: Some(r.total_amount),
                    },
                    body: form_urlencode(&pairs, Charset::Utf8)?,
                    view: json!({ "fields": pairs }).into(),
                    read_timeout: None,
                })
            }
            PgRequest::CheckoutComplete(c) => {
                let get = |k: &str| c.returned.get(k).map(|v| v.expose().clone());
                match get("RESPONSE_CODE").as_deref() {
                    Some(OK) => {}
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
                if get("amount") != c.prior.amount.map(|a| a.total.to_string()) {
                    return Err(invalid(
                        "returned.amount",
                        "does not match the amount the window was opened with",
                    ));
                }
                let token = get("token").ok_or_else(|| invalid("returned.token", "is required"))?;
                let body = json!({"mid": mid, "token": token, "orderId": c.payment_id});
                Ok(WireRequest {
                    target: WireTarget::Http {
                        url_secret: None,
                        method: "POST".into(),
                        url: format!("http://{host}:{port}{}", wire::APPROVE_PATH),
                        headers: vec![Header {
                            name: "content-type".into(),
                            value: "application/json".into(),
                            sensitive: false,
                        }],
                    },
                    body: body.to_string().into_bytes(),
                    view: json!({"token": "***", "orderId": c.payment_id}).into(),
                    read_timeout: Some(RECOMMENDED_READ_TIMEOUT),
                })
            }
            other => Err(PgError::Unsupported {
                adapter: self.id(),
                what: other.operation().to_string(),
            }),
        }
    }
}
