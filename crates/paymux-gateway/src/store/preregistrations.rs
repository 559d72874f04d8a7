//! The `payment_preregistrations` table: the amounts and currency a `paymentId` is locked to.

use super::db::Db;
use super::payments::NewPayment;

/// A pre-registration (each `None` is not locked).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreRegistration {
    /// paymentId.
    pub payment_id: String,
    /// storeId.
    pub store_id: String,
    /// The total every payment of this id must have.
    pub total_amount: Option<i64>,
    /// The tax-free part it must have.
    pub tax_free_amount: Option<i64>,
    /// The currency it must be in.
    pub currency: Option<String>,
}

impl PreRegistration {
    /// What `np` breaks of this lock, one `field: rule` each (empty: it matches). The claim's
    /// SQL guard (`store::payments::claim`) is the same rule.
    pub fn mismatches(&self, np: &NewPayment) -> Vec<String> {
        let mut broken = Vec::new();
        if self.store_id != np.store_id {
            broken.push(format!(
                "storeId: must be the pre-registered store {}",
                self.store_id
            ));
        }
        if let Some(t) = self.total_amount.filter(|t| *t != np.amounts.total.get()) {
            broken.push(format!(
                "amount.total: must be the pre-registered totalAmount {t}"
            ));
        }
        if let Some(t) = self
            .tax_free_amount
            .filter(|t| *t != np.amounts.tax_free.get())
        {
            broken.push(format!(
                "amount.taxFree: must be the pre-registered taxFreeAmount {t}"
            ));
        }
        if let Some(c) = self.currency.as_deref().filter(|c| *c != np.currency) {
            broken.push(format!("currency: must be the pre-registered currency {c}"));
        }
        broken
    }

    /// Whether `np` matches this lock.
    pub fn admits(&self, np: &NewPayment) -> bool {
        self.mismatches(np).is_empty()
    }
}

/// Register (or replace) the lock on a `paymentId`.
pub async fn upsert(db: &Db, r: &PreRegistration, now: i64) -> Result<(), sqlx::Error> {
    db.execute(
        "INSERT INTO payment_preregistrations (payment_id, store_id, total_amount, tax_free_amount, currency, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $6) ON CONFLICT (payment_id) DO UPDATE SET store_id = $2, total_amount = $3, \
         tax_free_amount = $4, currency = $5, updated_at = $6",
        crate::args![
            r.payment_id.as_str(),
            r.store_id.as_str(),
            r.total_amount,
            r.tax_free_amount,
            r.currency.clone(),
            now
        ],
    )
    .await?;
    Ok(())
}

/// The lock on a `paymentId`, if any.
pub async fn load(db: &Db, payment_id: &str) -> Result<Option<PreRegistration>, sqlx::Error> {
    let Some(r) = db
        .fetch_optional(
            "SELECT * FROM payment_preregistrations WHERE payment_id = $1",
            crate::args![payment_id],
        )
        .await?
    else {
        return Ok(None);
    };
    Ok(Some(PreRegistration {
        payment_id: r.req_text("payment_id")?,
        store_id: r.req_text("store_id")?,
        total_amount: r.int("total_amount")?,
        tax_free_amount: r.int("tax_free_amount")?,
        currency: r.text("currency")?,
    }))
}
