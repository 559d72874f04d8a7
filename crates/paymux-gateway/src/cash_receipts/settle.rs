//! Settling a receipt whose outcome is in doubt (`ISSUING`, `CANCELLING`) by the PG's
//! inquiry, where the adapter has one that can find it.

use paymux_core::adapter::{
    kst, CashReceiptOutcome, CashReceiptRequest, EncodeContext, GetCashReceiptCall, Operation,
    PriorCashReceipt,
};
use paymux_core::execute;
use paymux_core::money::{AmountBreakdown, Money};

use super::{micros, send};
use crate::domain::CashReceiptStatus as S;
use crate::error::ApiError;
use crate::state::AppState;
use crate::store;
use crate::store::cash_receipts::{CashReceiptRow, Issued};
use crate::util;

/// What the PG knows of a stored receipt (its inquiry and cancel need it).
pub(super) fn prior_of(r: &CashReceiptRow) -> PriorCashReceipt {
    let amount = AmountBreakdown {
        total: Money::new(r.amount_total).unwrap_or(Money::ZERO),
        tax_free: Money::new(r.amount_tax_free).unwrap_or(Money::ZERO),
        vat: Money::new(r.amount_vat).unwrap_or(Money::ZERO),
        supply: Money::new(r.amount_total - r.amount_tax_free - r.amount_vat)
            .unwrap_or(Money::ZERO),
    };
    PriorCashReceipt {
        pg_receipt_id: r.pg_receipt_id.clone(),
        amount: Some(amount),
        requested_at: Some(util::from_micros(r.requested_at).with_timezone(&kst())),
    }
}

/// How long a receipt the PG does not know may still be on its way before an inquiry's
/// "not found" counts as "never issued".
const NOT_FOUND_GRACE_MICROS: i64 = 10 * 60 * 1_000_000;

/// Settle an `ISSUING` or `CANCELLING` receipt by the PG's inquiry, when the adapter has one
/// that can find it. Returns the row as it is afterwards.
pub(super) async fn settle(st: &AppState, row: CashReceiptRow) -> Result<CashReceiptRow, ApiError> {
    if !matches!(row.status, S::Issuing | S::Cancelling) {
        return Ok(row);
    }
    let Some(channel) = st.channels.get(&row.channel_key) else {
        return Ok(row);
    };
    if !channel
        .descriptor
        .capabilities
        .supports(Operation::CashReceiptGet, None)
    {
        return Ok(row);
    }
    let req = CashReceiptRequest::Get(GetCashReceiptCall {
        payment_id: row.payment_id.clone(),
        prior: prior_of(&row),
    });
    let ctx = EncodeContext::now(&channel.ctx);
    let Ok(wire) = execute::prepare_cash_receipt(channel.adapter.as_ref(), &ctx, &req) else {
        // e.g. NICE without a tid: no inquiry can find it.
        return Ok(row);
    };
    let outcome = match send(st, channel, &ctx, &req, &wire).await {
        Ok(o) => o,
        Err(e) => {
            tracing::warn!(payment_id = %row.payment_id, error = %e, "cash-receipt inquiry failed");
            return Ok(row);
        }
    };
    let now = util::micros(util::now());
    let id = row.payment_id.as_str();
    match (row.status, outcome) {
        (S::Issuing, CashReceiptOutcome::Issued(i)) => {
            store::cash_receipts::mark_issued(&st.db, id, &issued_of(&i, now), now).await?;
        }
        (S::Issuing, CashReceiptOutcome::Declined(d)) => {
            store::cash_receipts::mark_failed(&st.db, id, &d.pg_code, &d.pg_message, now).await?;
        }
        (
            S::Issuing,
            CashReceiptOutcome::NotFound {
                pg_code,
                pg_message,
            },
        ) if now - row.requested_at > NOT_FOUND_GRACE_MICROS => {
            store::cash_receipts::mark_failed(&st.db, id, &pg_code, &pg_message, now).await?;
        }
        (from, CashReceiptOutcome::Cancelled(c)) => {
            if from == S::Issuing {
                // Issued and cancelled since: record both.
                let _ = store::cash_receipts::mark_issued(
                    &st.db,
                    id,
                    &Issued {
                        pg_receipt_id: row.pg_receipt_id.clone().unwrap_or_default(),
                        issued_at: row.requested_at,
                        ..Issued::default()
                    },
                    now,
                )
                .await?;
            }
            let from = if from == S::Issuing { S::Issued } else { from };
            store::cash_receipts::mark_cancelled(
                &st.db,
                id,
                from,
                c.cancelled_amount.map_or(row.amount_total, Money::get),
                micros(c.cancelled_at, now),
                now,
            )
            .await?;
        }
        (S::Cancelling, CashReceiptOutcome::Issued(_)) => {
            // The cancel did not take: still issued.
            store::cash_receipts::transition(&st.db, id, S::Cancelling, S::Issued).await?;
        }
        _ => {}
    }
    Ok(store::cash_receipts::load(&st.db, id).await?.unwrap_or(row))
}

pub(super) fn issued_of(i: &paymux_core::adapter::CashReceiptIssued, now: i64) -> Issued {
    Issued {
        pg_receipt_id: i.pg_receipt_id.clone(),
        issue_number: i.issue_number.clone(),
        url: i.url.clone(),
        issued_at: micros(i.issued_at, now),
    }
}
