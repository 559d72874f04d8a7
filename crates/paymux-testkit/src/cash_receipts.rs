//! The cash-receipt scenario: what an adapter declaring `cash-receipt.issue` (and `.get`,
//! `.cancel`) must do against its simulator — issue a receipt, find it, cancel it, and refuse
//! a second cancel (or replay the first answer to it) — with the identity number masked everywhere (the masking check looks for
//! [`CASH_RECEIPT_IDENTITY`]).

use paymux_core::adapter::{
    CancelCashReceiptCall, CashReceiptOutcome, CashReceiptRequest, CashReceiptType,
    GetCashReceiptCall, IssueCashReceiptCall, Operation, PriorCashReceipt,
};
use paymux_core::execute;
use paymux_core::money::{Currency, Money, PaymentAmountInput};
use paymux_core::secret::Secret;
use paymux_core::validation::FieldPath;

use crate::run::{Run, Verdict};

/// The phone number the suite issues receipts to (a test number: `010-0000-1234` style, no
/// simulator behaviour attached to its last four digits).
pub const CASH_RECEIPT_IDENTITY: &str = "01000001234";

/// Amount of the suite's receipts.
const RECEIPT_AMOUNT: i64 = 1000;

impl Run {
    /// Send a cash-receipt request, recording its views for the masking check.
    pub(crate) async fn send_cash_receipt(
        &self,
        req: &CashReceiptRequest,
    ) -> Result<CashReceiptOutcome, String> {
        let op = req.operation();
        let ctx = self.context();
        self.record(format!("Debug of the {op} request"), format!("{req:?}"));
        match execute::prepare_cash_receipt(self.adapter.as_ref(), &ctx, req) {
            Ok(w) => {
                self.record(format!("Debug of the {op} WireRequest"), format!("{w:?}"));
                self.record(
                    format!("view of the {op} WireRequest"),
                    serde_json::to_string_pretty(&w.view).unwrap_or_default(),
                );
            }
            Err(e) => {
                self.record(format!("message of a {op} error"), e.to_string());
                return Err(format!("{op} could not be encoded: {e}"));
            }
        }
        let r = execute::execute_cash_receipt(
            self.adapter.as_ref(),
            &self.net,
            &ctx,
            req,
            self.timeouts,
        )
        .await;
        match &r {
            Ok(o) => self.record(format!("Debug of a {op} outcome"), format!("{o:?}")),
            Err(e) => self.record(format!("message of a {op} error"), e.to_string()),
        }
        r.map_err(|e| format!("{op} failed: {e}"))
    }
}

fn issue_call(payment_id: &str) -> Result<IssueCashReceiptCall, String> {
    let amount = PaymentAmountInput {
        total: Money::new(RECEIPT_AMOUNT).map_err(|e| e.to_string())?,
        tax_free: None,
        vat: None,
    }
    .resolve(&FieldPath::root("amount"))
    .map_err(|e| e.to_string())?;
    Ok(IssueCashReceiptCall {
        payment_id: payment_id.to_string(),
        order_name: "현금영수증 테스트".into(),
        receipt_type: CashReceiptType::Personal,
        currency: Currency::krw(),
        amount,
        identity_number: Secret::new(CASH_RECEIPT_IDENTITY.into()),
        customer_name: Some("홍길동".into()),
        customer_email: None,
        customer_phone: None,
        paid_at: None,
    })
}

/// Issue → (get) → cancel → cancel again (refused) → (get: cancelled).
pub(crate) async fn lifecycle(run: &Run) -> Verdict {
    let pid = run.data.id("cashrcpt");
    let issue = issue_call(&pid)?;
    let amount = issue.amount;
    let issued = match run
        .send_cash_receipt(&CashReceiptRequest::Issue(issue))
        .await?
    {
        CashReceiptOutcome::Issued(i) => i,
        other => {
            return Err(format!(
                "cash-receipt.issue: expected Issued, got {other:?}"
            ))
        }
    };
    let prior = PriorCashReceipt {
        pg_receipt_id: Some(issued.pg_receipt_id.clone()),
        amount: Some(amount),
        requested_at: Some(run.context().now),
    };
    let get = |prior: PriorCashReceipt| {
        CashReceiptRequest::Get(GetCashReceiptCall {
            payment_id: pid.clone(),
            prior,
        })
    };
    if run.supports(Operation::CashReceiptGet, None) {
        match run.send_cash_receipt(&get(prior.clone())).await? {
            CashReceiptOutcome::Issued(i) if i.pg_receipt_id == issued.pg_receipt_id => {}
            other => {
                return Err(format!(
                    "cash-receipt.get after the issue: expected Issued with the same receipt id, got {other:?}"
                ))
            }
        }
    }
    if !run.supports(Operation::CashReceiptCancel, None) {
        return Ok(());
    }
    let cancel = CashReceiptRequest::Cancel(CancelCashReceiptCall {
        payment_id: pid.clone(),
        reason: "conformance".into(),
        prior: prior.clone(),
    });
    let first = match run.send_cash_receipt(&cancel).await? {
        CashReceiptOutcome::Cancelled(c) => c,
        other => {
            return Err(format!(
                "cash-receipt.cancel: expected Cancelled, got {other:?}"
            ))
        }
    };
    // The same cancel again: refused, or (a PG with idempotency keys) the first answer replayed.
    match run.send_cash_receipt(&cancel).await? {
        CashReceiptOutcome::Declined(_) => {}
        CashReceiptOutcome::Cancelled(c) if c == first => {}
        other => {
            return Err(format!(
                "cash-receipt.cancel of a cancelled receipt: expected Declined (or the first answer replayed), got {other:?}"
            ))
        }
    }
    if run.supports(Operation::CashReceiptGet, None) {
        match run.send_cash_receipt(&get(prior)).await? {
            CashReceiptOutcome::Cancelled(_) => {}
            other => {
                return Err(format!(
                    "cash-receipt.get after the cancel: expected Cancelled, got {other:?}"
                ))
            }
        }
    }
    Ok(())
}
