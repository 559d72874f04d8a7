//! `POST /payments/{paymentId}/cancel` (`CancelPaymentBody`) and the cancel-amount rules.

use serde::{Deserialize, Serialize};

use super::common::Bank;
use super::validate::{self as rules, Validate};
use crate::money::{Money, VatRounding};
use crate::secret::Secret;
use crate::validation::{FieldPath, ValidationError, ValidationErrors};

/// `CancelPaymentBody`: body of `POST /payments/{paymentId}/cancel`.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CancelPaymentBody {
    /// Store id (defaults to the token's store).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub store_id: Option<String>,
    /// Amount to cancel; absent = everything still cancellable.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub amount: Option<Money>,
    /// Tax-free part of the cancel; absent = the whole cancel is taxable.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tax_free_amount: Option<Money>,
    /// VAT part of the cancel; absent = computed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vat_amount: Option<Money>,
    /// Reason (취소 사유).
    pub reason: String,
    /// Who asked for the cancel.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub requester: Option<CancelRequester>,
    /// Keep or release the promotion's discount rate on a partial cancel (default RELEASE).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub promotion_discount_retain_option: Option<PromotionDiscountRetainOption>,
    /// The cancellable balance the caller believes is left; the cancel runs only if it matches.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub current_cancellable_amount: Option<Money>,
    /// Account to refund to (virtual-account refunds, next-month phone refunds).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refund_account: Option<CancelPaymentBodyRefundAccount>,
    /// E-mail for the refund notice.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refund_email: Option<String>,
    /// Do not send webhooks for this request.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub skip_webhook: Option<bool>,
}

impl CancelPaymentBody {
    /// [`CancelAmounts::resolve`] for this body.
    pub fn resolve_amounts(
        &self,
        cancellable: &CancellableAmounts,
    ) -> Result<ResolvedCancel, CancelRule> {
        CancelAmounts::resolve(self, cancellable)
    }
}

impl Validate for CancelPaymentBody {
    fn validate(&self, path: &FieldPath, errs: &mut ValidationErrors) {
        rules::opt_non_empty(self.store_id.as_ref(), path.join("storeId"), errs);
        rules::non_empty(&self.reason, path.join("reason"), errs);
        if let Err(e) = check_request_amounts(self, path) {
            errs.push(e);
        }
        self.refund_account
            .validate(&path.join("refundAccount"), errs);
        rules::email(self.refund_email.as_ref(), path.join("refundEmail"), errs);
    }
}

/// `CancelRequester`: `CUSTOMER` or `ADMIN`.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum CancelRequester {
    /// The customer asked.
    Customer,
    /// An administrator asked.
    Admin,
}

/// `PromotionDiscountRetainOption`: `RETAIN` or `RELEASE`.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum PromotionDiscountRetainOption {
    /// Keep the original discount rate (the cancel amount is adjusted).
    Retain,
    /// Re-apply the promotion to what remains.
    Release,
}

/// `CancelPaymentBodyRefundAccount`: `{bank, number, holderName, holderPhoneNumber?}`.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CancelPaymentBodyRefundAccount {
    /// Bank.
    pub bank: Bank,
    /// Account number (masked in `Debug`).
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub number: Secret<String>,
    /// Account holder.
    pub holder_name: String,
    /// Holder's phone number (Smartro virtual-account refunds need it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub holder_phone_number: Option<String>,
}

impl Validate for CancelPaymentBodyRefundAccount {
    fn validate(&self, path: &FieldPath, errs: &mut ValidationErrors) {
        self.bank.validate(&path.join("bank"), errs);
        let n = self.number.expose();
        if !n.bytes().any(|b| b.is_ascii_digit())
            || !n.bytes().all(|b| b.is_ascii_digit() || b == b'-')
        {
            errs.add(
                path.join("number"),
                "must be an account number: digits, optionally with '-'",
            );
        }
        rules::non_empty(&self.holder_name, path.join("holderName"), errs);
        rules::opt_non_empty(
            self.holder_phone_number.as_ref(),
            path.join("holderPhoneNumber"),
            errs,
        );
    }
}

/// What is still cancellable on a payment, as the gateway stored it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CancellableAmounts {
    /// Remaining cancellable total (paid − cancelled so far).
    pub total: Money,
    /// Remaining cancellable tax-free part.
    pub tax_free: Money,
    /// Remaining VAT, when known. Used for a cancel of everything left without `vatAmount`, so
    /// the cancelled VAT adds up to the paid VAT exactly instead of being recomputed.
    pub vat: Option<Money>,
}

/// The cancel to perform, after defaults and rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ResolvedCancel {
    /// Amount cancelled now.
    pub amount: Money,
    /// Tax-free part of it.
    pub tax_free: Money,
    /// VAT part of it.
    pub vat: Money,
    /// `true` when something stays cancellable afterwards.
    pub is_partial: bool,
}

/// Why a cancel is refused; each maps 1:1 to a PortOne error `type`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CancelRule {
    /// The request itself is wrong (`INVALID_REQUEST`, 400); names the field and the rule.
    #[error("{0}")]
    InvalidRequest(ValidationError),
    /// `currentCancellableAmount` differs from the real balance
    /// (`CANCELLABLE_AMOUNT_CONSISTENCY_BROKEN`, 409).
    #[error("currentCancellableAmount does not match the cancellable amount")]
    ConsistencyBroken,
    /// `amount` is above the cancellable balance (`CANCEL_AMOUNT_EXCEEDS_CANCELLABLE_AMOUNT`, 409).
    #[error("amount exceeds the cancellable amount")]
    ExceedsCancellable,
    /// `taxFreeAmount` is above the cancellable tax-free balance
    /// (`CANCEL_TAX_FREE_AMOUNT_EXCEEDS_CANCELLABLE_TAX_FREE_AMOUNT`, 409).
    #[error("taxFreeAmount exceeds the cancellable tax-free amount")]
    TaxFreeExceedsCancellable,
    /// The taxable part (`amount − taxFreeAmount`) is above the cancellable taxable balance
    /// (`CANCEL_TAX_AMOUNT_EXCEEDS_CANCELLABLE_TAX_AMOUNT`, 409).
    #[error("the taxable part of the cancel exceeds the cancellable taxable amount")]
    TaxableExceedsCancellable,
    /// Nothing is left to cancel (`PAYMENT_ALREADY_CANCELLED`, 409).
    #[error("the payment is already fully cancelled")]
    AlreadyCancelled,
}

impl CancelRule {
    /// PortOne's error `type` for this rule.
    pub fn portone_type(&self) -> &'static str {
        match self {
            CancelRule::InvalidRequest(_) => "INVALID_REQUEST",
            CancelRule::ConsistencyBroken => "CANCELLABLE_AMOUNT_CONSISTENCY_BROKEN",
            CancelRule::ExceedsCancellable => "CANCEL_AMOUNT_EXCEEDS_CANCELLABLE_AMOUNT",
            CancelRule::TaxFreeExceedsCancellable => {
                "CANCEL_TAX_FREE_AMOUNT_EXCEEDS_CANCELLABLE_TAX_FREE_AMOUNT"
            }
            CancelRule::TaxableExceedsCancellable => {
                "CANCEL_TAX_AMOUNT_EXCEEDS_CANCELLABLE_TAX_AMOUNT"
            }
            CancelRule::AlreadyCancelled => "PAYMENT_ALREADY_CANCELLED",
        }
    }

    /// PortOne's HTTP status for this rule.
    pub fn http_status(&self) -> u16 {
        match self {
            CancelRule::InvalidRequest(_) => 400,
            _ => 409,
        }
    }
}

/// The cancel-amount rules, as one function.
#[derive(Debug, Clone, Copy)]
pub struct CancelAmounts;

impl CancelAmounts {
    /// Resolve the amounts of `body` against what is still `cancellable`.
    ///
    /// - `amount` absent → everything left (`cancellable.total`); `amount` 0 → invalid.
    /// - `taxFreeAmount` absent → for a cancel of everything left, the tax-free balance;
    ///   otherwise 0 (PortOne: "값을 입력하지 않으면 전액 과세 취소"). `taxFreeAmount >
    ///   amount` → invalid.
    /// - `vatAmount` above `amount − taxFree` → invalid; absent → `vat_of(amount − taxFree)`,
    ///   except that cancelling exactly what is left uses `cancellable.vat` when known.
    /// - Request errors (400) are reported before balance errors (409): a
    ///   `currentCancellableAmount` that does not match, then amount, tax-free and taxable
    ///   balances, in that order.
    pub fn resolve(
        body: &CancelPaymentBody,
        cancellable: &CancellableAmounts,
    ) -> Result<ResolvedCancel, CancelRule> {
        Self::resolve_with(body, cancellable, VatRounding::HalfUp)
    }

    /// [`resolve`](Self::resolve) with a PG's own VAT rounding for an absent `vatAmount`.
    pub fn resolve_with(
        body: &CancelPaymentBody,
        cancellable: &CancellableAmounts,
        rounding: VatRounding,
    ) -> Result<ResolvedCancel, CancelRule> {
        check_request_amounts(body, &FieldPath::root("")).map_err(CancelRule::InvalidRequest)?;

        let remaining = cancellable.total;
        let remaining_tax_free = cancellable.tax_free.min(remaining);
        let remaining_taxable = remaining
            .checked_sub(remaining_tax_free)
            .unwrap_or(Money::ZERO);

        let amount = body.amount.unwrap_or(remaining);
        let tax_free = match body.tax_free_amount {
            Some(t) => t,
            None if body.amount.is_none() => remaining_tax_free,
            None => Money::ZERO,
        };
        // Only reachable for a full cancel with an explicit taxFreeAmount over the balance.
        let Some(taxable) = amount.checked_sub(tax_free) else {
            return Err(CancelRule::InvalidRequest(ValidationError::new(
                "taxFreeAmount",
                "must not exceed the cancel amount",
            )));
        };

        if let Some(current) = body.current_cancellable_amount {
            if current != remaining {
                return Err(CancelRule::ConsistencyBroken);
            }
        }
        if remaining == Money::ZERO {
            return Err(CancelRule::AlreadyCancelled);
        }
        if amount > remaining {
            return Err(CancelRule::ExceedsCancellable);
        }
        if tax_free > remaining_tax_free {
            return Err(CancelRule::TaxFreeExceedsCancellable);
        }
        if taxable > remaining_taxable {
            return Err(CancelRule::TaxableExceedsCancellable);
        }

        let everything_left = amount == remaining && tax_free == remaining_tax_free;
        let vat = match (body.vat_amount, cancellable.vat) {
            (Some(v), _) => v,
            (None, Some(left)) if everything_left && left <= taxable => left,
            (None, _) => rounding.vat_of(taxable),
        };
        if vat > taxable {
            return Err(CancelRule::InvalidRequest(ValidationError::new(
                "vatAmount",
                "must not exceed the taxable part of the cancel (amount − taxFreeAmount)",
            )));
        }
        Ok(ResolvedCancel {
            amount,
            tax_free,
            vat,
            is_partial: amount < remaining,
        })
    }
}

/// The amount rules that need no balance: amount > 0, taxFree ≤ amount, vat ≤ taxable.
fn check_request_amounts(
    body: &CancelPaymentBody,
    path: &FieldPath,
) -> Result<(), ValidationError> {
    if body.amount == Some(Money::ZERO) {
        return Err(ValidationError::new(
            path.join("amount"),
            "must be greater than 0 (omit it to cancel everything left)",
        ));
    }
    if let (Some(amount), Some(tax_free)) = (body.amount, body.tax_free_amount) {
        if tax_free > amount {
            return Err(ValidationError::new(
                path.join("taxFreeAmount"),
                "must not exceed the cancel amount",
            ));
        }
    }
    if let (Some(amount), Some(vat)) = (body.amount, body.vat_amount) {
        let taxable = amount
            .checked_sub(body.tax_free_amount.unwrap_or(Money::ZERO))
            .unwrap_or(Money::ZERO);
        if vat > taxable {
            return Err(ValidationError::new(
                path.join("vatAmount"),
                "must not exceed the taxable part of the cancel (amount − taxFreeAmount)",
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(json: &str) -> CancelPaymentBody {
        serde_json::from_str(json).unwrap()
    }

    fn m(v: i64) -> Money {
        Money::new(v).unwrap()
    }

    fn left(total: i64, tax_free: i64) -> CancellableAmounts {
        CancellableAmounts {
            total: m(total),
            tax_free: m(tax_free),
            vat: None,
        }
    }

    #[test]
    fn full_cancel_takes_everything_left() {
        let r =
            CancelAmounts::resolve(&body(r#"{"reason": "고객 요청"}"#), &left(11000, 0)).unwrap();
        assert_eq!(
            r,
            ResolvedCancel {
                amount: m(11000),
                tax_free: m(0),
                vat: m(1000),
                is_partial: false
            }
        );
    }

    #[test]
    fn full_cancel_keeps_the_tax_free_balance_and_known_vat() {
        let c = CancellableAmounts {
            total: m(12000),
            tax_free: m(1000),
            vat: Some(m(999)),
        };
        let r = CancelAmounts::resolve(&body(r#"{"reason": "x"}"#), &c).unwrap();
        assert_eq!((r.amount, r.tax_free, r.vat), (m(12000), m(1000), m(999)));
        assert!(!r.is_partial);
    }

    #[test]
    fn partial_cancel_computes_vat_half_up() {
        let r = CancelAmounts::resolve(&body(r#"{"reason": "x", "amount": 1000}"#), &left(5000, 0))
            .unwrap();
        assert_eq!((r.amount, r.tax_free, r.vat), (m(1000), m(0), m(91)));
        assert!(r.is_partial);

        let r = CancelAmounts::resolve(
            &body(r#"{"reason": "x", "amount": 3000, "taxFreeAmount": 800}"#),
            &left(5000, 1000),
        )
        .unwrap();
        assert_eq!(r.vat, crate::money::vat_of(m(2200)));
        assert_eq!(r.vat, m(200));
    }

    #[test]
    fn a_pg_may_truncate_the_vat_instead() {
        let b = body(r#"{"reason": "x", "amount": 1000}"#);
        let r = CancelAmounts::resolve_with(&b, &left(5000, 0), VatRounding::Floor).unwrap();
        assert_eq!(r.vat, m(90));
        // An explicit vatAmount is the caller's, whatever the rule.
        let b = body(r#"{"reason": "x", "amount": 1000, "vatAmount": 91}"#);
        let r = CancelAmounts::resolve_with(&b, &left(5000, 0), VatRounding::Floor).unwrap();
        assert_eq!(r.vat, m(91));
    }

    #[test]
    fn explicit_vat_is_kept() {
        let r = CancelAmounts::resolve(
            &body(r#"{"reason": "x", "amount": 1000, "vatAmount": 0}"#),
            &left(5000, 0),
        )
        .unwrap();
        assert_eq!(r.vat, m(0));
    }

    #[test]
    fn amount_over_balance_exceeds() {
        let e = CancelAmounts::resolve(&body(r#"{"reason": "x", "amount": 5001}"#), &left(5000, 0))
            .unwrap_err();
        assert_eq!(e, CancelRule::ExceedsCancellable);
        assert_eq!(e.portone_type(), "CANCEL_AMOUNT_EXCEEDS_CANCELLABLE_AMOUNT");
        assert_eq!(e.http_status(), 409);
    }

    #[test]
    fn consistency_broken_when_current_balance_differs() {
        let e = CancelAmounts::resolve(
            &body(r#"{"reason": "x", "amount": 100, "currentCancellableAmount": 4000}"#),
            &left(5000, 0),
        )
        .unwrap_err();
        assert_eq!(e, CancelRule::ConsistencyBroken);
        assert_eq!(e.portone_type(), "CANCELLABLE_AMOUNT_CONSISTENCY_BROKEN");
        // Matching balance passes.
        assert!(CancelAmounts::resolve(
            &body(r#"{"reason": "x", "amount": 100, "currentCancellableAmount": 5000}"#),
            &left(5000, 0),
        )
        .is_ok());
    }

    #[test]
    fn tax_free_over_amount_is_invalid_naming_the_field() {
        let e = CancelAmounts::resolve(
            &body(r#"{"reason": "x", "amount": 100, "taxFreeAmount": 101}"#),
            &left(5000, 5000),
        )
        .unwrap_err();
        assert_eq!(e.portone_type(), "INVALID_REQUEST");
        assert_eq!(e.http_status(), 400);
        assert_eq!(
            e.to_string(),
            "taxFreeAmount: must not exceed the cancel amount"
        );
    }

    #[test]
    fn tax_free_over_tax_free_balance() {
        let e = CancelAmounts::resolve(
            &body(r#"{"reason": "x", "amount": 1000, "taxFreeAmount": 600}"#),
            &left(5000, 500),
        )
        .unwrap_err();
        assert_eq!(e, CancelRule::TaxFreeExceedsCancellable);
        assert_eq!(
            e.portone_type(),
            "CANCEL_TAX_FREE_AMOUNT_EXCEEDS_CANCELLABLE_TAX_FREE_AMOUNT"
        );
    }

    #[test]
    fn taxable_over_taxable_balance() {
        // 5000 left of which 4000 tax-free: only 1000 taxable remains.
        let e = CancelAmounts::resolve(
            &body(r#"{"reason": "x", "amount": 2000}"#),
            &left(5000, 4000),
        )
        .unwrap_err();
        assert_eq!(e, CancelRule::TaxableExceedsCancellable);
        assert_eq!(
            e.portone_type(),
            "CANCEL_TAX_AMOUNT_EXCEEDS_CANCELLABLE_TAX_AMOUNT"
        );
    }

    #[test]
    fn zero_amount_and_vat_over_taxable_are_invalid() {
        let e = CancelAmounts::resolve(&body(r#"{"reason": "x", "amount": 0}"#), &left(5000, 0))
            .unwrap_err();
        assert!(matches!(&e, CancelRule::InvalidRequest(v) if v.path.as_str() == "amount"));
        let e = CancelAmounts::resolve(
            &body(r#"{"reason": "x", "amount": 1000, "taxFreeAmount": 500, "vatAmount": 501}"#),
            &left(5000, 5000),
        )
        .unwrap_err();
        assert!(matches!(&e, CancelRule::InvalidRequest(v) if v.path.as_str() == "vatAmount"));
        // Full cancel whose explicit VAT is over the taxable balance.
        let e = CancelAmounts::resolve(
            &body(r#"{"reason": "x", "vatAmount": 200}"#),
            &left(1000, 900),
        )
        .unwrap_err();
        assert!(matches!(&e, CancelRule::InvalidRequest(v) if v.path.as_str() == "vatAmount"));
    }

    #[test]
    fn nothing_left_is_already_cancelled() {
        let e = CancelAmounts::resolve(&body(r#"{"reason": "x"}"#), &left(0, 0)).unwrap_err();
        assert_eq!(e.portone_type(), "PAYMENT_ALREADY_CANCELLED");
    }

    #[test]
    fn refund_account_number_is_masked_in_debug() {
        let b = body(
            r#"{"reason": "x", "refundAccount": {"bank": "KOOKMIN", "number": "123-456-7890123", "holderName": "홍길동"}}"#,
        );
        let dbg = format!("{b:?}");
        assert!(!dbg.contains("7890123"), "{dbg}");
        assert_eq!(
            b.refund_account.as_ref().unwrap().number.expose(),
            "123-456-7890123"
        );
    }
}
