//! The scenarios, each gated on the adapter's declared capabilities.

use std::collections::BTreeSet;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use paymux_core::adapter::{
    AdapterDescriptor, Capabilities, FieldLimit, LimitUnit, Method, Operation, PgRequest,
    WireTarget,
};
use paymux_core::error::PgError;
use paymux_core::outcome::{Approved, ApprovedDetail, DeclineKind, Outcome, TxReport, TxState};
use paymux_core::wire::Charset;
use serde_json::{json, Value};

use crate::data::{get_path, set_path, Prior, PAYMENT_AMOUNT};
use crate::fixture::WindowVisit;
use crate::run::{expect_payment_approved, expect_refused, prior_of, show, Run, Sent, Verdict};

/// An operation with the method it is exercised with (`None`: method-less).
pub(crate) type Need = (Operation, Option<Method>);

type BoxFut = Pin<Box<dyn Future<Output = Verdict> + Send>>;
type Body = Box<dyn FnOnce(Arc<Run>) -> BoxFut + Send>;

/// One scenario.
pub(crate) struct Scenario {
    pub name: String,
    /// `Err(reason)`: skipped because something it needs is not declared.
    pub gate: Result<(), String>,
    /// The operation × method pairs it exercises (for the coverage check).
    pub covers: Vec<Need>,
    pub body: Body,
}

fn scenario<F, Fut>(
    name: impl Into<String>,
    gate: Result<(), String>,
    covers: Vec<Need>,
    f: F,
) -> Scenario
where
    F: FnOnce(Arc<Run>) -> Fut + Send + 'static,
    Fut: Future<Output = Verdict> + Send + 'static,
{
    Scenario {
        name: name.into(),
        gate,
        covers,
        body: Box::new(move |run| Box::pin(f(run))),
    }
}

const CARD: Option<Method> = Some(Method::Card);

fn need(caps: &Capabilities, op: Operation, method: Option<Method>) -> Result<(), String> {
    if caps.supports(op, method) {
        Ok(())
    } else {
        Err(match method {
            Some(m) => format!("{op} with {m} not declared"),
            None => format!("{op} not declared"),
        })
    }
}

fn all(gates: impl IntoIterator<Item = Result<(), String>>) -> Result<(), String> {
    gates
        .into_iter()
        .collect::<Result<Vec<()>, String>>()
        .map(|_| ())
}

/// A way to get an approved card payment: keyed-in, or with a billing key.
fn card_payment_gate(caps: &Capabilities) -> (Result<(), String>, Vec<Need>) {
    if caps.supports(Operation::PaymentInstant, CARD) {
        (Ok(()), vec![(Operation::PaymentInstant, CARD)])
    } else if caps.supports(Operation::BillingKeyIssue, CARD)
        && caps.supports(Operation::PaymentBillingKey, CARD)
    {
        (
            Ok(()),
            vec![
                (Operation::BillingKeyIssue, CARD),
                (Operation::PaymentBillingKey, CARD),
            ],
        )
    } else {
        (
            Err("no way to make a card payment: neither payment.instant with CARD nor billing-key.issue + payment.billing-key declared".into()),
            vec![],
        )
    }
}

/// The whole list, in run order. Masking and coverage run after these (see `lib.rs`).
pub(crate) fn all_scenarios(desc: &AdapterDescriptor) -> Vec<Scenario> {
    let caps = &desc.capabilities;
    let mut v = Vec::new();
    let instant_card = need(caps, Operation::PaymentInstant, CARD);
    let (pay_gate, pay_covers) = card_payment_gate(caps);
    let cancel_card = need(caps, Operation::PaymentCancel, CARD);

    v.push(scenario(
        "capabilities.declared",
        Ok(()),
        vec![],
        |run| async move { declared(&run) },
    ));
    v.push(scenario(
        "capabilities.undeclared_refused",
        if caps.operations.is_empty() {
            Err("no operations declared".into())
        } else {
            Ok(())
        },
        vec![],
        |run| async move { undeclared_refused(&run) },
    ));
    v.push(scenario(
        "capabilities.currency_refused",
        instant_card.clone(),
        vec![],
        |run| async move { currency_refused(&run) },
    ));
    v.push(scenario(
        "payment.instant.card.approve",
        instant_card.clone(),
        vec![(Operation::PaymentInstant, CARD)],
        |run| async move { approve(&run).await },
    ));
    for (label, which, kind) in [
        ("card_declined", 0, DeclineKind::CardDeclined),
        ("insufficient_funds", 1, DeclineKind::InsufficientFunds),
    ] {
        v.push(scenario(
            format!("payment.instant.card.decline[{label}]"),
            instant_card.clone(),
            vec![(Operation::PaymentInstant, CARD)],
            move |run| async move { decline(&run, which, kind).await },
        ));
    }
    let mut get_covers = pay_covers.clone();
    get_covers.push((Operation::PaymentGet, CARD));
    v.push(scenario(
        "payment.get.approved",
        all([pay_gate.clone(), need(caps, Operation::PaymentGet, CARD)]),
        get_covers,
        |run| async move { get_approved(&run).await },
    ));
    let mut cancel_covers = pay_covers.clone();
    cancel_covers.push((Operation::PaymentCancel, CARD));
    v.push(scenario(
        "payment.cancel.full",
        all([pay_gate.clone(), cancel_card.clone()]),
        cancel_covers.clone(),
        |run| async move { cancel_full(&run).await },
    ));
    let partial = if caps.partial_cancel {
        Ok(())
    } else {
        Err("partial_cancel not declared".to_string())
    };
    v.push(scenario(
        "payment.cancel.partial",
        all([pay_gate.clone(), cancel_card.clone(), partial.clone()]),
        cancel_covers.clone(),
        |run| async move { cancel_partial(&run).await },
    ));
    let limit_gate = match caps.max_partial_cancels {
        None => Err("max_partial_cancels not declared".to_string()),
        Some(m) if m > 20 => Err(format!(
            "max_partial_cancels = {m}: too many cancels to exercise"
        )),
        Some(_) => Ok(()),
    };
    v.push(scenario(
        "payment.cancel.partial_limit",
        all([pay_gate.clone(), cancel_card.clone(), partial, limit_gate]),
        cancel_covers.clone(),
        |run| async move { cancel_partial_limit(&run).await },
    ));
    v.push(scenario(
        "payment.cancel.over_balance",
        all([pay_gate.clone(), cancel_card.clone()]),
        cancel_covers,
        |run| async move { cancel_over_balance(&run).await },
    ));
    v.push(scenario(
        "billing_key.lifecycle",
        need(caps, Operation::BillingKeyIssue, CARD),
        vec![
            (Operation::BillingKeyIssue, CARD),
            (Operation::PaymentBillingKey, CARD),
            (Operation::BillingKeyDelete, None),
        ],
        |run| async move { billing_key_lifecycle(&run).await },
    ));
    v.push(scenario(
        "payment.billing-key.cash_receipt_not_dropped",
        all([
            need(caps, Operation::BillingKeyIssue, CARD),
            need(caps, Operation::PaymentBillingKey, CARD),
        ]),
        vec![(Operation::PaymentBillingKey, CARD)],
        |run| async move { billing_key_cash_receipt(&run).await },
    ));
    let va = Some(Method::VirtualAccount);
    v.push(scenario(
        "payment.instant.virtual_account",
        need(caps, Operation::PaymentInstant, va),
        vec![
            (Operation::PaymentInstant, va),
            (Operation::PaymentCancel, va),
            (Operation::PaymentGet, va),
            (Operation::VirtualAccountClose, va),
        ],
        |run| async move { virtual_account(&run).await },
    ));
    v.push(scenario(
        "unknown.late_answer",
        instant_card.clone(),
        vec![
            (Operation::PaymentInstant, CARD),
            (Operation::PaymentGet, CARD),
        ],
        |run| async move { unknown_late(&run).await },
    ));
    v.push(scenario(
        "unknown.connection_dropped",
        instant_card,
        vec![
            (Operation::PaymentInstant, CARD),
            (Operation::PaymentGet, CARD),
        ],
        |run| async move { unknown_dropped(&run).await },
    ));
    for limit in caps.field_limits {
        let limit = *limit;
        v.push(scenario(
            format!("validation.limit[{}]", limit.path),
            Ok(()),
            vec![],
            move |run| async move { field_limit(&run, limit) },
        ));
    }
    for m in WINDOW_METHODS {
        let method = Some(m);
        // Completing needs checkout.complete; cancelling needs a completed payment.
        let mut covers = vec![(Operation::CheckoutPrepare, method)];
        if caps.supports(Operation::CheckoutComplete, method) {
            covers.push((Operation::CheckoutComplete, method));
            covers.push((Operation::PaymentCancel, method));
            if m == Method::VirtualAccount {
                // A second account from the window is closed.
                covers.push((Operation::VirtualAccountClose, method));
            }
        }
        v.push(scenario(
            format!("checkout[{m}]"),
            need(caps, Operation::CheckoutPrepare, method),
            covers,
            move |run| async move { checkout(&run, m).await },
        ));
    }
    let mobile = Some(Method::Mobile);
    v.push(scenario(
        "checkout.billing_key_and_pay[MOBILE]",
        all([
            need(caps, Operation::CheckoutPrepare, mobile),
            need(caps, Operation::CheckoutComplete, mobile),
            need(caps, Operation::PaymentBillingKey, mobile),
        ]),
        vec![
            (Operation::CheckoutPrepare, mobile),
            (Operation::CheckoutComplete, mobile),
            (Operation::PaymentBillingKey, mobile),
        ],
        |run| async move { billing_key_and_pay_mobile(&run).await },
    ));
    let mut covers = vec![(Operation::CashReceiptIssue, None)];
    for op in [Operation::CashReceiptGet, Operation::CashReceiptCancel] {
        if caps.supports(op, None) {
            covers.push((op, None));
        }
    }
    v.push(scenario(
        "cash-receipt.lifecycle",
        need(caps, Operation::CashReceiptIssue, None),
        covers,
        |run| async move { crate::cash_receipts::lifecycle(&run).await },
    ));
    v
}

/// Window methods the suite can open a `requestPayment` window for.
const WINDOW_METHODS: [Method; 4] = [
    Method::Card,
    Method::Transfer,
    Method::VirtualAccount,
    Method::Mobile,
];

// ------------------------------------------------------------------------------------------
// Capabilities
// ------------------------------------------------------------------------------------------

fn declared(run: &Run) -> Verdict {
    let d = run.descriptor();
    let c = &d.capabilities;
    let mut problems = Vec::new();
    if c.operations.is_empty() {
        problems.push(format!(
            "`{}` declares no operations: there is nothing to test. Declare what the adapter does in DESCRIPTOR.capabilities.operations and implement it (see CONTRIBUTING.md, \"Declare capabilities\")",
            d.id
        ));
    }
    if c.currencies.is_empty() {
        problems.push("no currency declared (capabilities.currencies is empty)".into());
    }
    let cancels = c
        .operations
        .iter()
        .any(|o| o.operation == Operation::PaymentCancel);
    if c.partial_cancel && !cancels {
        problems.push("partial_cancel is declared but payment.cancel is not".into());
    }
    match c.max_partial_cancels {
        Some(_) if !c.partial_cancel => {
            problems.push("max_partial_cancels is declared but partial_cancel is false".into())
        }
        Some(0) => problems
            .push("max_partial_cancels is Some(0): declare partial_cancel: false instead".into()),
        _ => {}
    }
    let mut seen = BTreeSet::new();
    for cap in c.operations {
        if !seen.insert(cap.operation) {
            problems.push(format!(
                "{} is declared twice: give all its methods in one Capability",
                cap.operation
            ));
        }
    }
    for l in c.field_limits {
        if l.path.trim().is_empty() {
            problems.push("a field limit has an empty path".into());
        }
    }
    if d.id.is_empty() || d.id != run.channel.adapter {
        problems.push(format!(
            "the descriptor id `{}` differs from the simulator's sandbox channel adapter `{}`",
            d.id, run.channel.adapter
        ));
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("\n"))
    }
}

/// Requests for every operation × method the suite can build, to probe what is not declared.
fn probes(run: &Run) -> Vec<(Need, Value)> {
    let d = &run.data;
    let prior = Prior {
        pg_tx_id: Some("T-PROBE".into()),
        paid_at: Some(chrono::Utc::now().with_timezone(&paymux_core::adapter::kst())),
        total: PAYMENT_AMOUNT,
        method: CARD,
        order_date: Some(chrono::Utc::now().format("%Y%m%d%H%M%S").to_string()),
        pg_billing_key: Some("PROBE-KEY".into()),
        ..Prior::default()
    };
    let pid = d.id("cfp");
    let now = chrono::Utc::now().with_timezone(&paymux_core::adapter::kst());
    let mut v = vec![
        (
            (Operation::PaymentInstant, CARD),
            d.instant_card(&pid, &d.approve, PAYMENT_AMOUNT),
        ),
        (
            (Operation::PaymentInstant, Some(Method::VirtualAccount)),
            d.instant_virtual_account(&pid, PAYMENT_AMOUNT),
        ),
        (
            (Operation::BillingKeyIssue, CARD),
            d.issue_billing_key("cfprobekey", &d.approve),
        ),
        (
            (Operation::PaymentBillingKey, CARD),
            d.pay_with_billing_key(&pid, "cfprobekey", &prior),
        ),
        (
            (Operation::PaymentCancel, CARD),
            d.cancel(&pid, None, &prior),
        ),
        ((Operation::PaymentGet, CARD), d.get(&pid, &prior)),
        (
            (Operation::VirtualAccountClose, Some(Method::VirtualAccount)),
            d.close_virtual_account(&pid, &prior),
        ),
        (
            (Operation::BillingKeyDelete, None),
            d.delete_billing_key("cfprobekey", &prior),
        ),
    ];
    for m in WINDOW_METHODS {
        v.push((
            (Operation::CheckoutPrepare, Some(m)),
            d.checkout_payment(&pid, m, PAYMENT_AMOUNT, now),
        ));
        let p = Prior {
            method: Some(m),
            ..prior.clone()
        };
        v.push((
            (Operation::CheckoutComplete, Some(m)),
            d.checkout_complete(&pid, &Default::default(), &p),
        ));
    }
    v
}

fn undeclared_refused(run: &Run) -> Verdict {
    let mut problems = Vec::new();
    for ((op, method), body) in probes(run) {
        if run.supports(op, method) {
            continue;
        }
        let what = match method {
            Some(m) => format!("{op} with {m}"),
            None => op.to_string(),
        };
        let req = run.build(op, body)?;
        match run.validate_only(&req) {
            Err(PgError::Unsupported { .. }) => {}
            other => problems.push(format!(
                "{what} is not declared, so validation must refuse it with PgError::Unsupported (call check_capabilities first in PgAdapter::validate); got {}",
                match other {
                    Ok(()) => "Ok(())".to_string(),
                    Err(e) => format!("error {e}"),
                }
            )),
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("\n"))
    }
}

fn currency_refused(run: &Run) -> Verdict {
    // XTS is ISO 4217's code reserved for testing: no PG settles it.
    if run.descriptor().capabilities.supports_currency("XTS") {
        return Err("the adapter declares currency XTS (ISO 4217's testing code)".into());
    }
    let mut body = run
        .data
        .instant_card(&run.data.id("cf"), &run.data.approve, PAYMENT_AMOUNT);
    run.fixture.tailor(&mut body, Operation::PaymentInstant);
    body["currency"] = json!("XTS");
    let req = run.parse(Operation::PaymentInstant, &body)?;
    match run.validate_only(&req) {
        Err(PgError::Validation(e)) if e.0.iter().any(|x| x.path.as_str() == "currency") => Ok(()),
        Err(PgError::Unsupported { .. }) => Ok(()),
        Ok(()) => Err("payment.instant in XTS, a currency not declared, passed validation: check_capabilities must refuse it at `currency`".into()),
        Err(e) => Err(format!(
            "payment.instant in XTS, a currency not declared, must be refused at `currency`; got error {e}"
        )),
    }
}

// ------------------------------------------------------------------------------------------
// Card payments
// ------------------------------------------------------------------------------------------

async fn approve(run: &Run) -> Verdict {
    let pid = run.data.id("cf");
    let sent = run
        .send(
            Operation::PaymentInstant,
            run.data
                .instant_card(&pid, &run.data.approve, PAYMENT_AMOUNT),
        )
        .await?;
    let a = expect_payment_approved(&sent, PAYMENT_AMOUNT)?;
    let entry = run
        .ledger_entry(&pid, a.pg_tx_id.as_deref())
        .ok_or_else(|| {
            format!(
                "the simulator's ledger has no entry for payment {pid} (TID {:?}) after an approval",
                a.pg_tx_id
            )
        })?;
    if entry.state != "APPROVED" || entry.amount.get() != PAYMENT_AMOUNT {
        return Err(format!(
            "the simulator's ledger shows {} of {} for the approved payment, expected APPROVED of {PAYMENT_AMOUNT}",
            entry.state,
            entry.amount.get()
        ));
    }
    Ok(())
}

async fn decline(run: &Run, which: usize, kind: DeclineKind) -> Verdict {
    let card = if which == 0 {
        &run.data.declined
    } else {
        &run.data.insufficient
    };
    let pid = run.data.id("cf");
    let sent = run
        .send(
            Operation::PaymentInstant,
            run.data.instant_card(&pid, card, PAYMENT_AMOUNT),
        )
        .await?;
    let suffix = &card[card.len() - 4..];
    match &sent.result {
        Ok(Outcome::Declined(d)) => {
            let mut problems = Vec::new();
            if d.kind != kind {
                problems.push(format!(
                    "test card …{suffix} must be declined as {kind}, the adapter says {} (PG code {:?}: map it in the decline table)",
                    d.kind, d.pg_code
                ));
            }
            if d.pg_code.trim().is_empty() {
                problems.push(format!(
                    "the decline of test card …{suffix} has an empty pg_code: keep the PG's raw code"
                ));
            }
            if d.retry_safe {
                problems.push(format!(
                    "the decline of test card …{suffix} is marked retry_safe: a card-holder decline retried elsewhere is card testing"
                ));
            }
            if let Some(e) = run
                .ledger()
                .iter()
                .find(|e| e.order_id == pid && e.state == "APPROVED")
            {
                problems.push(format!(
                    "the simulator recorded the declined payment as APPROVED (TID {})",
                    e.pg_tx_id
                ));
            }
            if problems.is_empty() {
                Ok(())
            } else {
                Err(problems.join("\n"))
            }
        }
        other => Err(format!(
            "test card …{suffix} must be declined ({kind}), got {}",
            show(other)
        )),
    }
}

fn expect_inquiry(sent: &Sent, want: &[TxState], context: &str) -> Result<TxReport, String> {
    match &sent.result {
        Ok(Outcome::Approved(Approved {
            detail: ApprovedDetail::Inquiry(r),
            ..
        })) if want.contains(&r.state) => Ok(r.clone()),
        Ok(Outcome::Declined(d))
            if d.kind == DeclineKind::NotFound && want.contains(&TxState::NotFound) =>
        {
            Ok(TxReport {
                state: TxState::NotFound,
                amount: None,
                balance: None,
                pg_tx_id: None,
            })
        }
        other => Err(format!(
            "payment.get {context}: expected the PG's answer {want:?}, got {}",
            show(other)
        )),
    }
}

async fn get_approved(run: &Run) -> Verdict {
    let (pid, prior) = run.card_payment(PAYMENT_AMOUNT).await?;
    let sent = run
        .send(Operation::PaymentGet, run.data.get(&pid, &prior))
        .await?;
    let r = expect_inquiry(&sent, &[TxState::Approved], "of an approved payment")?;
    if let Some(a) = r.amount {
        if a.get() != PAYMENT_AMOUNT {
            return Err(format!(
                "payment.get reports amount {}, the payment was {PAYMENT_AMOUNT}",
                a.get()
            ));
        }
    }
    Ok(())
}

fn ledger_check(run: &Run, pid: &str, prior: &Prior, state: &str) -> Verdict {
    let e = run
        .ledger_entry(pid, prior.pg_tx_id.as_deref())
        .ok_or_else(|| format!("the simulator's ledger has no entry for payment {pid}"))?;
    if e.state != state || e.cancelled.get() != prior.cancelled {
        return Err(format!(
            "the simulator's ledger shows {} with {} cancelled for payment {pid}, expected {state} with {} cancelled",
            e.state,
            e.cancelled.get(),
            prior.cancelled
        ));
    }
    Ok(())
}

async fn cancel_full(run: &Run) -> Verdict {
    let (pid, prior) = run.card_payment(PAYMENT_AMOUNT).await?;
    let after = run.cancel_ok(&pid, None, &prior).await?;
    ledger_check(run, &pid, &after, "CANCELLED")?;
    run.cancel_refused(&pid, None, &after, "a cancel of a fully cancelled payment")
        .await
}

async fn cancel_partial(run: &Run) -> Verdict {
    let k = run
        .descriptor()
        .capabilities
        .max_partial_cancels
        .unwrap_or(3)
        .clamp(1, 3) as usize;
    let (pid, mut prior) = run.card_payment(PAYMENT_AMOUNT).await?;
    for i in 0..k {
        let amount = if i + 1 == k { prior.balance() } else { 1_000 };
        prior = run.cancel_ok(&pid, Some(amount), &prior).await?;
    }
    ledger_check(run, &pid, &prior, "CANCELLED")?;
    if let Some(e) = run.ledger_entry(&pid, prior.pg_tx_id.as_deref()) {
        if e.cancel_count != prior.cancel_count {
            return Err(format!(
                "the simulator counted {} cancels, {} were made",
                e.cancel_count, prior.cancel_count
            ));
        }
    }
    run.cancel_refused(
        &pid,
        Some(1_000),
        &prior,
        "a partial cancel after the balance reached zero",
    )
    .await
}

async fn cancel_partial_limit(run: &Run) -> Verdict {
    let Some(max) = run.descriptor().capabilities.max_partial_cancels else {
        return Ok(());
    };
    let (pid, mut prior) = run.card_payment(PAYMENT_AMOUNT).await?;
    for _ in 0..max {
        prior = run.cancel_ok(&pid, Some(100), &prior).await?;
    }
    ledger_check(run, &pid, &prior, "PARTIALLY_CANCELLED")?;
    run.cancel_refused(
        &pid,
        Some(100),
        &prior,
        &format!(
            "partial cancel number {} (max_partial_cancels = {max})",
            max + 1
        ),
    )
    .await
}

async fn cancel_over_balance(run: &Run) -> Verdict {
    let (pid, mut prior) = run.card_payment(PAYMENT_AMOUNT).await?;
    if run.descriptor().capabilities.partial_cancel {
        prior = run.cancel_ok(&pid, Some(1_000), &prior).await?;
    }
    let over = prior.balance() + 1;
    run.cancel_refused(
        &pid,
        Some(over),
        &prior,
        &format!("a cancel of {over} on a balance of {}", prior.balance()),
    )
    .await?;
    let state = if prior.cancelled > 0 {
        "PARTIALLY_CANCELLED"
    } else {
        "APPROVED"
    };
    ledger_check(run, &pid, &prior, state)
}

// ------------------------------------------------------------------------------------------
// Billing keys and virtual accounts
// ------------------------------------------------------------------------------------------

async fn billing_key_lifecycle(run: &Run) -> Verdict {
    let (key, prior) = run.billing_key().await?;
    let charge = |pid: &str| {
        let p = Prior {
            total: 5_000,
            ..prior.clone()
        };
        run.data.pay_with_billing_key(pid, &key, &p)
    };
    let can_charge = run.supports(Operation::PaymentBillingKey, CARD);
    if can_charge {
        let sent = run
            .send(Operation::PaymentBillingKey, charge(&run.data.id("cf")))
            .await?;
        expect_payment_approved(&sent, 5_000)?;
    }
    if !run.supports(Operation::BillingKeyDelete, None) {
        return Ok(());
    }
    let sent = run
        .send(
            Operation::BillingKeyDelete,
            run.data.delete_billing_key(&key, &prior),
        )
        .await?;
    match &sent.result {
        Ok(Outcome::Approved(Approved {
            detail: ApprovedDetail::BillingKeyDeleted,
            ..
        })) => {}
        other => {
            return Err(format!(
                "billing-key.delete: expected Approved(BillingKeyDeleted), got {}",
                show(other)
            ))
        }
    }
    if can_charge {
        let sent = run
            .send(Operation::PaymentBillingKey, charge(&run.data.id("cf")))
            .await?;
        expect_refused(&sent, "a charge with a deleted billing key")?;
    }
    Ok(())
}

/// PortOne's billing-key payment takes a `cashReceipt`. The adapter either sends it (the bytes
/// differ from the same request without it, encoded with the same clock and nonce) or refuses
/// it with a validation error naming `cashReceipt`: dropping it silently would let a merchant
/// believe a receipt was issued.
async fn billing_key_cash_receipt(run: &Run) -> Verdict {
    let (key, prior) = run.billing_key().await?;
    let prior = Prior {
        total: 5_000,
        ..prior
    };
    let mut plain = run
        .data
        .pay_with_billing_key(&run.data.id("cr"), &key, &prior);
    run.fixture.tailor(&mut plain, Operation::PaymentBillingKey);
    let mut with = plain.clone();
    with["cashReceipt"] = json!({"type": "PERSONAL", "customerIdentityNumber": "01012345678"});
    let ctx = run.context();
    let plain = run.parse(Operation::PaymentBillingKey, &plain)?;
    let with = run.parse(Operation::PaymentBillingKey, &with)?;
    match run.validate_only(&with) {
        Err(PgError::Validation(e)) if e.0.iter().any(|x| x.path.as_str() == "cashReceipt") => {
            return Ok(())
        }
        Err(e) => {
            return Err(format!(
                "payment.billing-key with a cashReceipt: refused, but not naming `cashReceipt`: {e}"
            ))
        }
        Ok(()) => {}
    }
    let encode = |req: &PgRequest| run.adapter.encode(&ctx, req).map(|w| w.body);
    match (encode(&plain), encode(&with)) {
        (Ok(a), Ok(b)) if a != b => Ok(()),
        (Ok(_), Ok(_)) => Err("payment.billing-key: a cashReceipt passed validation but the encoded request is the same without it: send it, or refuse it in PgAdapter::validate naming `cashReceipt`".into()),
        (a, b) => Err(format!(
            "payment.billing-key with and without a cashReceipt must both encode once validated: {:?} / {:?}",
            a.err().map(|e| e.to_string()),
            b.err().map(|e| e.to_string())
        )),
    }
}

async fn virtual_account(run: &Run) -> Verdict {
    let pid = run.data.id("cf");
    let sent = run
        .send(
            Operation::PaymentInstant,
            run.data.instant_virtual_account(&pid, PAYMENT_AMOUNT),
        )
        .await?;
    let va = match &sent.result {
        Ok(Outcome::VirtualAccountIssued(v)) => v.clone(),
        other => {
            return Err(format!(
                "payment.instant with VIRTUAL_ACCOUNT: expected VirtualAccountIssued, got {}",
                show(other)
            ))
        }
    };
    if va.account_number.trim().is_empty() || va.pg_code.trim().is_empty() {
        return Err("the issued virtual account has an empty account number or pg_code".into());
    }
    if va.amount.is_some_and(|a| a.get() != PAYMENT_AMOUNT) {
        return Err(format!(
            "the virtual account is for {:?}, {PAYMENT_AMOUNT} was asked",
            va.amount
        ));
    }
    let entry = run
        .ledger_entry(&pid, va.pg_tx_id.as_deref())
        .ok_or_else(|| format!("the simulator's ledger has no entry for virtual account {pid}"))?;
    if entry.state != "VIRTUAL_ACCOUNT_ISSUED" {
        return Err(format!(
            "the simulator's ledger shows {} for the issued virtual account",
            entry.state
        ));
    }
    let prior = Prior {
        pg_tx_id: va.pg_tx_id.clone(),
        paid_at: None,
        total: PAYMENT_AMOUNT,
        method: Some(Method::VirtualAccount),
        order_date: Some(sent.order_date()),
        ..Prior::default()
    };
    if run.supports(Operation::PaymentGet, Some(Method::VirtualAccount)) {
        let sent = run
            .send(Operation::PaymentGet, run.data.get(&pid, &prior))
            .await?;
        expect_inquiry(
            &sent,
            &[TxState::Pending],
            "of a virtual account awaiting its deposit",
        )?;
    }
    if run.supports(Operation::PaymentCancel, Some(Method::VirtualAccount)) {
        run.cancel_ok(&pid, None, &prior).await?;
    }
    if run.supports(Operation::VirtualAccountClose, Some(Method::VirtualAccount)) {
        close_virtual_account(run).await?;
    }
    Ok(())
}

/// Issue another account and close it ([`close_issued_account`]).
async fn close_virtual_account(run: &Run) -> Verdict {
    let pid = run.data.id("cf");
    let sent = run
        .send(
            Operation::PaymentInstant,
            run.data.instant_virtual_account(&pid, PAYMENT_AMOUNT),
        )
        .await?;
    let Ok(Outcome::VirtualAccountIssued(va)) = &sent.result else {
        return Err(format!(
            "payment.instant with VIRTUAL_ACCOUNT (to close): expected VirtualAccountIssued, got {}",
            show(&sent.result)
        ));
    };
    let prior = Prior {
        pg_tx_id: va.pg_tx_id.clone(),
        paid_at: None,
        total: PAYMENT_AMOUNT,
        method: Some(Method::VirtualAccount),
        order_date: Some(sent.order_date()),
        ..Prior::default()
    };
    close_issued_account(run, &pid, va.pg_tx_id.as_deref(), &prior).await
}

/// Issue an account through the window and close it ([`close_issued_account`]).
async fn close_window_account(run: &Run) -> Verdict {
    let method = Method::VirtualAccount;
    let pid = run.data.id("cfw");
    let now = chrono::Utc::now().with_timezone(&paymux_core::adapter::kst());
    let body = run.data.checkout_payment(&pid, method, PAYMENT_AMOUNT, now);
    let (_, order_date, returned) = through_window(run, method, &pid, body).await?;
    let prior = Prior {
        total: PAYMENT_AMOUNT,
        method: Some(method),
        order_date: Some(order_date),
        ..Prior::default()
    };
    let sent = run
        .send(
            Operation::CheckoutComplete,
            run.data.checkout_complete(&pid, &returned, &prior),
        )
        .await?;
    let Ok(Outcome::VirtualAccountIssued(va)) = &sent.result else {
        return Err(format!(
            "checkout.complete with VIRTUAL_ACCOUNT (to close): expected VirtualAccountIssued, got {}",
            show(&sent.result)
        ));
    };
    let prior = Prior {
        pg_tx_id: va.pg_tx_id.clone(),
        ..prior
    };
    close_issued_account(run, &pid, va.pg_tx_id.as_deref(), &prior).await
}

/// Close the issued account of `pid`: approved as closed, the ledger's entry `CANCELLED`, the
/// inquiry (when declared) `Cancelled`, no deposit taken any more; the same close sent again is
/// refused or answered as closed (a PG with idempotency keys repeats its first answer).
async fn close_issued_account(
    run: &Run,
    pid: &str,
    pg_tx_id: Option<&str>,
    prior: &Prior,
) -> Verdict {
    let body = run.data.close_virtual_account(pid, prior);
    let closed = run
        .send(Operation::VirtualAccountClose, body.clone())
        .await?;
    match &closed.result {
        Ok(Outcome::Approved(Approved {
            detail: ApprovedDetail::VirtualAccountClosed,
            ..
        })) => {}
        other => {
            return Err(format!(
                "virtual-account.close of an issued account: expected Approved(VirtualAccountClosed), got {}",
                show(other)
            ))
        }
    }
    let entry = run
        .ledger_entry(pid, pg_tx_id)
        .ok_or_else(|| format!("the simulator's ledger lost virtual account {pid}"))?;
    if entry.state != "CANCELLED" {
        return Err(format!(
            "the simulator's ledger shows {} for the closed virtual account, expected CANCELLED",
            entry.state
        ));
    }
    if run.supports(Operation::PaymentGet, Some(Method::VirtualAccount)) {
        let sent = run
            .send(Operation::PaymentGet, run.data.get(pid, prior))
            .await?;
        expect_inquiry(&sent, &[TxState::Cancelled], "of a closed virtual account")?;
    }
    if let Some(tid) = pg_tx_id {
        if run.simulator.deposit(tid).is_some() {
            return Err("the simulator took a deposit into a closed virtual account".into());
        }
    }
    let again = run.send(Operation::VirtualAccountClose, body).await?;
    match &again.result {
        Ok(Outcome::Declined(_))
        | Err(PgError::Validation(_))
        | Ok(Outcome::Approved(Approved {
            detail: ApprovedDetail::VirtualAccountClosed,
            ..
        })) => Ok(()),
        other => Err(format!(
            "virtual-account.close sent again must be refused or answered as closed, got {}",
            show(other)
        )),
    }
}

// ------------------------------------------------------------------------------------------
// Unknown outcomes
// ------------------------------------------------------------------------------------------

async fn unknown_late(run: &Run) -> Verdict {
    let pid = run.data.id("cf");
    let sent = run
        .send_short_read(
            Operation::PaymentInstant,
            run.data.instant_card(&pid, &run.data.late, PAYMENT_AMOUNT),
        )
        .await?;
    match &sent.result {
        Ok(Outcome::Unknown(_)) => {}
        other => {
            return Err(format!(
                "test card …0098 answered after the client's {} ms read timeout must give Outcome::Unknown, got {} (is the simulator's late delay longer than the read timeout?)",
                run.late_read.as_millis(),
                show(other)
            ))
        }
    }
    if !run.supports(Operation::PaymentGet, CARD) {
        run.note(
            "unknown.late_answer",
            "payment.get not declared: the Unknown outcome could not be resolved by inquiry",
        );
        return Ok(());
    }
    let prior = Prior {
        total: PAYMENT_AMOUNT,
        method: CARD,
        order_date: Some(sent.order_date()),
        ..Prior::default()
    };
    let got = run
        .send(Operation::PaymentGet, run.data.get(&pid, &prior))
        .await?;
    expect_inquiry(
        &got,
        &[TxState::Approved],
        "after a lost answer (the PG approved it)",
    )
    .map(|_| ())
}

async fn unknown_dropped(run: &Run) -> Verdict {
    let pid = run.data.id("cf");
    let sent = run
        .send(
            Operation::PaymentInstant,
            run.data
                .instant_card(&pid, &run.data.dropped, PAYMENT_AMOUNT),
        )
        .await?;
    match &sent.result {
        Ok(Outcome::Unknown(_)) => {}
        other => {
            return Err(format!(
                "test card …0099 (connection closed without an answer) must give Outcome::Unknown, got {}",
                show(other)
            ))
        }
    }
    if let Some(e) = run.ledger().iter().find(|e| e.order_id == pid) {
        return Err(format!(
            "test card …0099 must leave nothing in the simulator's ledger, found {} (TID {})",
            e.state, e.pg_tx_id
        ));
    }
    if !run.supports(Operation::PaymentGet, CARD) {
        run.note(
            "unknown.connection_dropped",
            "payment.get not declared: the Unknown outcome could not be resolved by inquiry",
        );
        return Ok(());
    }
    let prior = Prior {
        total: PAYMENT_AMOUNT,
        method: CARD,
        order_date: Some(sent.order_date()),
        ..Prior::default()
    };
    let got = run
        .send(Operation::PaymentGet, run.data.get(&pid, &prior))
        .await?;
    expect_inquiry(
        &got,
        &[TxState::NotFound],
        "after a dropped connection (nothing happened at the PG)",
    )
    .map(|_| ())
}

// ------------------------------------------------------------------------------------------
// Field limits
// ------------------------------------------------------------------------------------------

/// A request the suite sends, as a carrier for field-limit checks.
struct Carrier {
    label: String,
    op: Operation,
    method: Option<Method>,
    /// Untailored body.
    body: Value,
    /// Where the PortOne body sits in the call (`checkout` for checkout.prepare).
    root: &'static str,
    /// Creates something new (its fields are new values, not references).
    creating: bool,
    /// Fields that only refer to something created earlier.
    references: &'static [&'static str],
}

fn carriers(run: &Run) -> Vec<Carrier> {
    let d = &run.data;
    let now = chrono::Utc::now().with_timezone(&paymux_core::adapter::kst());
    let pid = d.id("cfl");
    let prior = Prior {
        pg_tx_id: Some("T-LIMIT".into()),
        paid_at: Some(now),
        total: PAYMENT_AMOUNT,
        method: CARD,
        order_date: Some(now.format("%Y%m%d%H%M%S").to_string()),
        pg_billing_key: Some("LIMIT-KEY".into()),
        ..Prior::default()
    };
    let c = |label: &str,
             op: Operation,
             method: Option<Method>,
             body: Value,
             root: &'static str,
             creating: bool,
             references: &'static [&'static str]| Carrier {
        label: label.to_string(),
        op,
        method,
        body,
        root,
        creating,
        references,
    };
    let mut v = vec![
        c(
            "payment.instant (CARD)",
            Operation::PaymentInstant,
            CARD,
            d.instant_card(&pid, &d.approve, PAYMENT_AMOUNT),
            "",
            true,
            &[],
        ),
        c(
            "payment.instant (VIRTUAL_ACCOUNT)",
            Operation::PaymentInstant,
            Some(Method::VirtualAccount),
            d.instant_virtual_account(&pid, PAYMENT_AMOUNT),
            "",
            true,
            &[],
        ),
        c(
            "billing-key.issue",
            Operation::BillingKeyIssue,
            CARD,
            d.issue_billing_key(&d.id("cflk"), &d.approve),
            "",
            true,
            &[],
        ),
        c(
            "payment.billing-key",
            Operation::PaymentBillingKey,
            CARD,
            d.pay_with_billing_key(&pid, "cflimitkey", &prior),
            "",
            true,
            &["billingKey"],
        ),
        c(
            "checkout.prepare (requestIssueBillingKey, CARD)",
            Operation::CheckoutPrepare,
            CARD,
            d.checkout_issue_billing_key(&d.id("cfli")),
            "checkout",
            true,
            &[],
        ),
        c(
            "checkout.prepare (requestIssueBillingKeyAndPay, MOBILE)",
            Operation::CheckoutPrepare,
            Some(Method::Mobile),
            d.checkout_billing_key_and_pay(&pid, PAYMENT_AMOUNT),
            "checkout",
            true,
            &[],
        ),
        c(
            "payment.cancel",
            Operation::PaymentCancel,
            CARD,
            d.cancel(&pid, Some(1_000), &prior),
            "",
            false,
            &[],
        ),
        c(
            "payment.get",
            Operation::PaymentGet,
            CARD,
            d.get(&pid, &prior),
            "",
            false,
            &[],
        ),
        c(
            "billing-key.delete",
            Operation::BillingKeyDelete,
            None,
            d.delete_billing_key("cflimitkey", &prior),
            "",
            false,
            &[],
        ),
    ];
    for m in WINDOW_METHODS {
        v.push(c(
            &format!("checkout.prepare (requestPayment, {m})"),
            Operation::CheckoutPrepare,
            Some(m),
            d.checkout_payment(&pid, m, PAYMENT_AMOUNT, now),
            "checkout",
            true,
            &[],
        ));
    }
    v
}

/// Re-serialize a parsed request (the suite's view of "the field survived parsing").
fn to_json(req: &PgRequest) -> Value {
    let r = match req {
        PgRequest::Instant(c) => serde_json::to_value(c),
        PgRequest::IssueBillingKey(c) => serde_json::to_value(c),
        PgRequest::PayWithBillingKey(c) => serde_json::to_value(c),
        PgRequest::Cancel(c) => serde_json::to_value(c),
        PgRequest::Get(c) => serde_json::to_value(c),
        PgRequest::DeleteBillingKey(c) => serde_json::to_value(c),
        PgRequest::CheckoutPrepare(c) => serde_json::to_value(c),
        PgRequest::CheckoutComplete(c) => serde_json::to_value(c),
        PgRequest::CloseVirtualAccount(c) => serde_json::to_value(c),
    };
    r.unwrap_or(Value::Null)
}

fn full_path(root: &str, path: &str) -> String {
    if root.is_empty() {
        path.to_string()
    } else {
        format!("{root}.{path}")
    }
}

fn unit_text(unit: LimitUnit) -> String {
    match unit {
        LimitUnit::Chars => "characters".into(),
        LimitUnit::Bytes(cs) => format!("bytes in {cs}"),
    }
}

/// Values for a limit: too long, exactly at the limit (alternatives), unmappable.
fn limit_values(limit: &FieldLimit) -> (String, Vec<String>, Vec<(&'static str, String)>) {
    let (too_long, mut at_limit, unmappable) = limit_values_for_text(limit);
    // An e-mail field has a format rule of its own: the value at the limit must be an address.
    if limit.path.to_ascii_lowercase().ends_with("email") && limit.max >= 8 {
        let domain = "@ex.kr";
        at_limit.insert(
            0,
            format!("{}{domain}", "a".repeat(limit.max - domain.len())),
        );
    }
    (too_long, at_limit, unmappable)
}

/// Values for a plain text limit (see [`limit_values`]).
fn limit_values_for_text(limit: &FieldLimit) -> (String, Vec<String>, Vec<(&'static str, String)>) {
    let max = limit.max;
    let hangul = |n: usize| "가".repeat(n);
    match limit.unit {
        LimitUnit::Chars => (
            "A".repeat(max + 1),
            vec![hangul(max), "A".repeat(max), "1".repeat(max)],
            vec![],
        ),
        LimitUnit::Bytes(Charset::Utf8) => (
            hangul(max / 3 + 1),
            vec![
                format!("{}{}", hangul(max / 3), "A".repeat(max % 3)),
                "A".repeat(max),
                "1".repeat(max),
            ],
            vec![],
        ),
        LimitUnit::Bytes(cs) => {
            let mut unmappable = vec![("an emoji", "😀".to_string())];
            if cs == Charset::EucKr {
                unmappable.insert(0, ("똠 (CP949 only, not in KS X 1001)", "똠".to_string()));
            }
            (
                hangul(max / 2 + 1),
                vec![
                    format!("{}{}", hangul(max / 2), "A".repeat(max % 2)),
                    "A".repeat(max),
                    "1".repeat(max),
                ],
                unmappable,
            )
        }
    }
}

fn field_limit(run: &Run, limit: FieldLimit) -> Verdict {
    let name = format!("validation.limit[{}]", limit.path);
    let mut usable: Vec<(Carrier, Value)> = Vec::new();
    for carrier in carriers(run) {
        if !run.supports(carrier.op, carrier.method) || carrier.references.contains(&limit.path) {
            continue;
        }
        let mut body = carrier.body.clone();
        run.fixture.tailor(&mut body, carrier.op);
        let at = full_path(carrier.root, limit.path);
        let mut probe = body.clone();
        if !set_path(&mut probe, &at, json!("A")) {
            continue;
        }
        let Ok(parsed) = run.parse(carrier.op, &probe) else {
            continue;
        };
        if get_path(&to_json(&parsed), &at) != Some(&json!("A")) {
            continue; // the request type has no such field
        }
        let base = match run.parse(carrier.op, &body) {
            Ok(r) => r,
            Err(e) => {
                run.note(&name, format!("{}: {e}", carrier.label));
                continue;
            }
        };
        if let Err(e) = run.validate_only(&base) {
            run.note(
                &name,
                format!(
                    "{} not used: the adapter refuses the suite's request even before the change ({e})",
                    carrier.label
                ),
            );
            continue;
        }
        usable.push((carrier, body));
    }
    let creating: Vec<_> = usable.iter().filter(|(c, _)| c.creating).collect();
    let chosen: Vec<_> = if creating.is_empty() {
        usable.iter().collect()
    } else {
        creating
    };
    if chosen.is_empty() {
        return Err(format!(
            "the limit on `{}` cannot be exercised: no request the suite sends for the declared operations carries this field (or the adapter refuses them all; see notes). Add the field in Fixture::tailor, or do not declare the limit",
            limit.path
        ));
    }
    let (too_long, at_limit, unmappable) = limit_values(&limit);
    let unit = unit_text(limit.unit);
    let mut problems = Vec::new();
    for (carrier, body) in chosen {
        let at = full_path(carrier.root, limit.path);
        let with = |value: &str| -> Result<Result<(), PgError>, String> {
            let mut b = body.clone();
            set_path(&mut b, &at, json!(value));
            let req = run.parse(carrier.op, &b)?;
            Ok(run.validate_only(&req))
        };
        let must_refuse = |what: String, value: &str, problems: &mut Vec<String>| {
            match with(value) {
                Err(e) => problems.push(e),
                Ok(Err(PgError::Validation(errs)))
                    if !errs.0.is_empty()
                        && errs.0.iter().all(|e| e.path.as_str() == limit.path) => {}
                Ok(Err(PgError::Validation(errs))) => problems.push(format!(
                    "{}: {what} must fail validation naming exactly `{}`; the errors name {:?}",
                    carrier.label,
                    limit.path,
                    errs.0.iter().map(|e| e.to_string()).collect::<Vec<_>>()
                )),
                Ok(Err(e)) => problems.push(format!(
                    "{}: {what} must be a PgError::Validation naming `{}` (checked in PgAdapter::validate, before encoding); got {e}",
                    carrier.label, limit.path
                )),
                Ok(Ok(())) => {
                    let encoded = carrier_encode(run, carrier.op, body, &at, value);
                    problems.push(format!(
                        "{}: {what} passed validation{encoded}",
                        carrier.label
                    ))
                }
            }
        };
        let size = match limit.unit {
            LimitUnit::Chars => format!("{} characters", too_long.chars().count()),
            LimitUnit::Bytes(_) => format!(
                "{} characters / {} {unit}",
                too_long.chars().count(),
                measure(&too_long, limit.unit)
            ),
        };
        must_refuse(
            format!("a value of {size} (limit {})", limit.max),
            &too_long,
            &mut problems,
        );
        for (label, value) in &unmappable {
            must_refuse(
                format!(
                    "{label}, which {} cannot carry,",
                    match limit.unit {
                        LimitUnit::Bytes(cs) => cs.label(),
                        LimitUnit::Chars => "the charset",
                    }
                ),
                value,
                &mut problems,
            );
        }
        if limit.max > 0 {
            let mut accepted = false;
            let mut last = String::new();
            for v in &at_limit {
                match with(v) {
                    Ok(Ok(())) => {
                        accepted = true;
                        break;
                    }
                    Ok(Err(e)) => last = e.to_string(),
                    Err(e) => last = e,
                }
            }
            if !accepted {
                problems.push(format!(
                    "{}: a value of exactly {} {unit} is refused ({last}): the limit is counted in another unit than declared, or is smaller",
                    carrier.label, limit.max
                ));
            }
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("\n"))
    }
}

fn measure(value: &str, unit: LimitUnit) -> usize {
    match unit {
        LimitUnit::Chars => value.chars().count(),
        LimitUnit::Bytes(Charset::Utf8) => value.len(),
        LimitUnit::Bytes(_) => value
            .chars()
            .map(|c| if c.is_ascii() { 1 } else { 2 })
            .sum(),
    }
}

/// When validation let a bad value through, say what encoding did with it.
fn carrier_encode(run: &Run, op: Operation, body: &Value, at: &str, value: &str) -> String {
    let mut b = body.clone();
    set_path(&mut b, at, json!(value));
    let Ok(req) = run.parse(op, &b) else {
        return String::new();
    };
    let ctx = run.context();
    match run.adapter.encode(&ctx, &req) {
        Ok(_) => " and was encoded: the PG would receive it".into(),
        Err(e) => format!(
            " (encode then failed with \"{e}\": check it in PgAdapter::validate so the error is a validation error naming the field)"
        ),
    }
}

// ------------------------------------------------------------------------------------------
// Payment windows
// ------------------------------------------------------------------------------------------

/// Open a window with `checkout.prepare`, let the fixture pay in it, and return what came back.
async fn through_window(
    run: &Run,
    method: Method,
    payment_id: &str,
    body: Value,
) -> Result<
    (
        PgRequest,
        String,
        std::collections::BTreeMap<String, String>,
    ),
    String,
> {
    let req = run.build(Operation::CheckoutPrepare, body)?;
    let (now, prepared) = run.prepare(&req);
    let prepared = prepared.map_err(|e| {
        format!("checkout.prepare with {method}: expected a window form, got error {e}")
    })?;
    if !matches!(prepared.target, WireTarget::Browser { .. }) {
        return Err(format!(
            "checkout.prepare with {method}: expected a WireTarget::Browser form, got {:?}",
            prepared.target
        ));
    }
    if !run.supports(Operation::CheckoutComplete, Some(method)) {
        return Ok((
            req,
            now.format("%Y%m%d%H%M%S").to_string(),
            Default::default(),
        ));
    }
    let visit = WindowVisit {
        method,
        payment_id,
        amount: PAYMENT_AMOUNT,
        card_number: &run.data.approve,
        request: &req,
        prepared: &prepared,
        channel: &run.channel,
        endpoint: &run.endpoint,
    };
    let returned = run
        .fixture
        .pay_in_window(visit)
        .await
        .map_err(|e| format!("paying in the {method} window: {e}"))?;
    for (k, v) in &returned {
        run.record(format!("window return field {k}"), format!("{k}={v}"));
    }
    Ok((req, now.format("%Y%m%d%H%M%S").to_string(), returned))
}

async fn checkout(run: &Run, method: Method) -> Verdict {
    let pid = run.data.id("cfw");
    let now = chrono::Utc::now().with_timezone(&paymux_core::adapter::kst());
    let body = run.data.checkout_payment(&pid, method, PAYMENT_AMOUNT, now);
    let (_, order_date, returned) = through_window(run, method, &pid, body).await?;
    if !run.supports(Operation::CheckoutComplete, Some(method)) {
        return Ok(());
    }
    let prior = Prior {
        total: PAYMENT_AMOUNT,
        method: Some(method),
        order_date: Some(order_date),
        ..Prior::default()
    };
    let sent = run
        .send(
            Operation::CheckoutComplete,
            run.data.checkout_complete(&pid, &returned, &prior),
        )
        .await?;
    if method == Method::VirtualAccount {
        let va = match &sent.result {
            Ok(Outcome::VirtualAccountIssued(va)) => va.clone(),
            other => {
                return Err(format!(
                    "checkout.complete with VIRTUAL_ACCOUNT: expected VirtualAccountIssued, got {}",
                    show(other)
                ))
            }
        };
        if run.supports(Operation::PaymentCancel, Some(method)) {
            let p = Prior {
                pg_tx_id: va.pg_tx_id,
                ..prior
            };
            run.cancel_ok(&pid, None, &p).await?;
        }
        if run.supports(Operation::VirtualAccountClose, Some(method)) {
            close_window_account(run).await?;
        }
        return Ok(());
    }
    let a = expect_payment_approved(&sent, PAYMENT_AMOUNT)?;
    if run.supports(Operation::PaymentCancel, Some(method)) {
        let p = prior_of(&sent, &a, PAYMENT_AMOUNT, method);
        let p = Prior {
            order_date: prior.order_date.clone(),
            ..p
        };
        run.cancel_ok(&pid, None, &p).await?;
    }
    Ok(())
}

async fn billing_key_and_pay_mobile(run: &Run) -> Verdict {
    let pid = run.data.id("cfw");
    let body = run.data.checkout_billing_key_and_pay(&pid, PAYMENT_AMOUNT);
    let (_, order_date, returned) = through_window(run, Method::Mobile, &pid, body).await?;
    let prior = Prior {
        total: PAYMENT_AMOUNT,
        method: Some(Method::Mobile),
        order_date: Some(order_date),
        ..Prior::default()
    };
    let sent = run
        .send(
            Operation::CheckoutComplete,
            run.data.checkout_complete(&pid, &returned, &prior),
        )
        .await?;
    let a = expect_payment_approved(&sent, PAYMENT_AMOUNT)?;
    let key = match &a.detail {
        ApprovedDetail::Payment {
            pg_billing_key: Some(k),
            ..
        } if !k.expose().trim().is_empty() => k.expose().clone(),
        other => {
            return Err(format!(
                "checkout.complete of a requestIssueBillingKeyAndPay window must return the PG billing key in ApprovedDetail::Payment.pg_billing_key, got {other:?}"
            ))
        }
    };
    run.pg_billing_keys
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .push(key.clone());
    let p = Prior {
        total: 3_000,
        method: Some(Method::Mobile),
        pg_billing_key: Some(key),
        ..Prior::default()
    };
    let sent = run
        .send(
            Operation::PaymentBillingKey,
            run.data
                .pay_with_billing_key(&run.data.id("cf"), &run.data.id("cfbk"), &p),
        )
        .await?;
    expect_payment_approved(&sent, 3_000).map(|_| ())
}
