//! Sandbox deposits: `POST /sandbox/virtual-accounts/{paymentId}/deposit` makes the payer
//! deposit into a virtual account issued by a sandbox simulator.
//!
//! The payment's channel's simulator records the deposit and hands back its vendor's deposit
//! notice ([`Simulator::deposit`]); the gateway then POSTs that notice to its own
//! `POST /pg-notices/{channelKey}` over HTTP, exactly as the PG would
//! (`paymux_core::simulator::notify::send`), so the whole path — the adapter's decoding and
//! signature check, the payment lookup, the transition and the webhook — runs as in
//! production. Calling it again for the same payment sends the same notice again, as a PG
//! resends one: the gateway acknowledges it and changes nothing.
//!
//! Simulators are attached by whoever starts them ([`crate::RunningGateway::attach_simulators`];
//! `paymux serve` in sandbox mode does). A channel without one answers `400`.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, RwLock};

use axum::http::StatusCode;
use paymux_core::simulator::{Notice, Simulator};
use serde_json::{json, Value};

use crate::domain::PaymentStatus;
use crate::error::ApiError;
use crate::state::AppState;
use crate::store;

/// How many sent deposit notices are kept for resending.
const MAX_REMEMBERED: usize = 10_000;

/// The simulators of the sandbox channels, by channel key, and the notices they sent.
#[derive(Default)]
pub struct SandboxDeposits {
    simulators: RwLock<BTreeMap<String, Arc<dyn Simulator>>>,
    /// The deposit notice each payment got (sent again on a repeated deposit).
    sent: Mutex<HashMap<String, Notice>>,
}

impl SandboxDeposits {
    /// Attach `sim` as the simulator behind channel `channel_key`.
    pub fn attach(&self, channel_key: &str, sim: Arc<dyn Simulator>) {
        self.simulators
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .insert(channel_key.to_string(), sim);
    }

    fn simulator(&self, channel_key: &str) -> Option<Arc<dyn Simulator>> {
        self.simulators
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .get(channel_key)
            .cloned()
    }

    fn remember(&self, payment_id: &str, notice: &Notice) {
        let mut sent = self.sent.lock().unwrap_or_else(|p| p.into_inner());
        // Bounded: forgetting only means an old payment's repeated deposit is answered
        // `409` (it is paid) instead of resending its notice.
        if sent.len() >= MAX_REMEMBERED {
            sent.clear();
        }
        sent.insert(payment_id.to_string(), notice.clone());
    }

    fn sent_before(&self, payment_id: &str) -> Option<Notice> {
        self.sent
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(payment_id)
            .cloned()
    }
}

/// `POST /sandbox/virtual-accounts/{paymentId}/deposit`: `{notice: {status, body}, payment}`
/// — what the gateway answered the simulated PG, and the payment afterwards.
pub async fn deposit(st: &AppState, payment_id: &str) -> Result<Value, ApiError> {
    let Some(p) = store::payments::load(&st.db, payment_id).await? else {
        return Err(ApiError::not_found(
            "PAYMENT_NOT_FOUND",
            format!("no payment `{payment_id}`"),
        ));
    };
    let earlier = st.sandbox.sent_before(payment_id);
    if p.status != PaymentStatus::VirtualAccountIssued && earlier.is_none() {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "PAYMENT_NOT_WAITING_FOR_DEPOSIT",
            format!(
                "payment `{payment_id}` is {}: only a VIRTUAL_ACCOUNT_ISSUED payment takes a deposit",
                p.status
            ),
        ));
    }
    let channel_key = p.channel_key.clone().unwrap_or_default();
    let Some(sim) = st.sandbox.simulator(&channel_key) else {
        return Err(ApiError::invalid(format!(
            "payment `{payment_id}` was made on channel `{channel_key}`, which no sandbox simulator serves: \
             only sandbox channels (`paymux serve` without --config) take simulated deposits"
        )));
    };
    let notice = match earlier {
        // Deposited already: the PG resends its notice.
        Some(n) => n,
        None => {
            let tid = p.pg_tx_id.clone().unwrap_or_default();
            let Some(n) = sim.deposit(&tid) else {
                return Err(ApiError::invalid(format!(
                    "the {} simulator sends no deposit notice for payment `{payment_id}` \
                     (its vendor's notice format is not implemented, or its account takes no deposit)",
                    sim.adapter_id()
                )));
            };
            st.sandbox.remember(payment_id, &n);
            n
        }
    };
    let url = notice_url(st, &channel_key)?;
    let (status, body) = deliver(&url, &notice)
        .await
        .map_err(|e| ApiError::internal(&format!("delivering the deposit notice: {e}")))?;
    tracing::info!(payment_id, channel = %channel_key, status, "sandbox deposit notice delivered");
    let payment = crate::payments::get(st, payment_id, None).await?;
    Ok(json!({
        "notice": {"status": status, "body": String::from_utf8_lossy(&body)},
        "payment": payment,
    }))
}

/// `http://<the gateway>/pg-notices/<channel key>` (the key percent-encoded).
fn notice_url(st: &AppState, channel_key: &str) -> Result<String, ApiError> {
    let mut addr = st.local_addr;
    if addr.ip().is_unspecified() {
        addr.set_ip(std::net::Ipv4Addr::LOCALHOST.into());
    }
    let mut url = reqwest::Url::parse(&format!("http://{addr}/"))
        .map_err(|_| ApiError::internal("the gateway's own address"))?;
    url.path_segments_mut()
        .map_err(|_| ApiError::internal("the gateway's own address"))?
        .pop_if_empty()
        .push("pg-notices")
        .push(channel_key);
    Ok(url.to_string())
}

#[cfg(feature = "simulators")]
async fn deliver(url: &str, notice: &Notice) -> Result<(u16, Vec<u8>), String> {
    paymux_core::simulator::notify::send(url, notice)
        .await
        .map(|d| (d.status, d.body))
}

/// Without the simulator kit no simulator can be attached, so this is never reached; it
/// answers honestly if it were.
#[cfg(not(feature = "simulators"))]
async fn deliver(_url: &str, _notice: &Notice) -> Result<(u16, Vec<u8>), String> {
    Err("this build has no simulator kit (cargo feature `simulators`)".into())
}
