//! Billing keys left `ISSUING`: a `POST /billing-keys` (a super billing key on several
//! channels) interrupted mid-way — the gateway stopped, or its answer never came back — or a
//! billing-key window whose PG answer was lost.
//!
//! The PG results of such an issue were never recorded, so paymux holds no PG key for it and
//! can never charge it; no PortOne or vendor operation looks a billing key up by the gateway's
//! id, so there is nothing to ask. Once no request can still be running (the reconciler's
//! `stale_after`: connect + read timeout + margin) and no payment window can still complete it,
//! the key becomes `FAILED` with `BillingKey.Failed`: the truth from paymux's side. A key the
//! PG may have issued meanwhile moved no money and stays unused; the merchant issues again.
//! (The issue's `skipWebhook` is not stored with the key: the event goes to its `noticeUrls`,
//! else the configured webhook URL.)

use crate::domain::{Destination, EventData, EventType};
use crate::events;
use crate::state::AppState;
use crate::store;
use crate::util;

/// Settle every stale `ISSUING` key once. Returns how many became `FAILED`.
pub async fn resolve_due(st: &AppState) -> Result<usize, sqlx::Error> {
    let now = util::now();
    let cutoff = now - chrono::Duration::from_std(st.tuning.stale_after()).unwrap_or_default();
    let mut n = 0;
    for k in store::billing_keys::stale_issuing(&st.db, cutoff).await? {
        let dest = Destination::from_columns(k.notice_urls_json.as_deref(), false);
        let event = events::event(
            st,
            EventType::BillingKeyFailed,
            EventData::billing_key(&k.store_id, &k.billing_key),
            &dest,
        );
        store::billing_keys::fail_issuing(&st.db, &k.billing_key, event.as_ref(), now).await?;
        tracing::warn!(billing_key = %k.billing_key, "billing key left ISSUING by an interrupted issue: FAILED (paymux holds no PG key for it)");
        n += 1;
    }
    Ok(n)
}
