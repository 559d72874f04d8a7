//! The sandbox: [`start_sandbox`] runs every linked adapter's simulator with a test channel
//! each and a demo group over them; and sandbox deposits —
//! `POST /sandbox/virtual-accounts/{paymentId}/deposit` makes the payer deposit into a virtual
//! account issued by a sandbox simulator.
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
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, RwLock};

use axum::http::StatusCode;
use paymux_core::adapter::Maturity;
use paymux_core::channel::ChannelContext;
use paymux_core::registry;
use paymux_core::simulator::{Notice, Simulator, SimulatorHandle};
use serde_json::{json, Value};

use crate::domain::PaymentStatus;
use crate::error::ApiError;
use crate::server::SANDBOX_GROUP_ID;
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

/// The sandbox: every linked adapter's simulator running in-process, one test channel per
/// adapter pointing at it, and a demo group over all of them (traffic only to ready adapters).
pub struct Sandbox {
    /// `<adapter>-test` channels.
    pub channels: Vec<ChannelContext>,
    /// The demo group (admin-API JSON), absent when no linked adapter is ready.
    pub group: Option<Value>,
    /// The running simulators (stop when dropped).
    pub simulators: Vec<SimulatorHandle>,
    /// Each sandbox channel's simulator, for deposits
    /// ([`RunningGateway::attach_simulators`](crate::RunningGateway::attach_simulators)).
    pub depositors: Vec<(String, Arc<dyn Simulator>)>,
}

/// The sandbox demo group over `(channel key, adapter maturity)`: the ready adapters share
/// 100 percent (the first ones get the remainder); a draft adapter is a member at weight 0
/// and disabled, so it takes no traffic — not even a super billing key's issue, which goes to
/// every enabled channel whatever its weight. `None` when no adapter is ready: a group's
/// weights must sum to 100.
fn demo_group(members: &[(String, Maturity)]) -> Option<Value> {
    let n = members
        .iter()
        .filter(|(_, m)| *m == Maturity::Ready)
        .count() as u32;
    if n == 0 {
        return None;
    }
    let mut ready_seen = 0u32;
    let channels: Vec<Value> = members
        .iter()
        .map(|(key, maturity)| match maturity {
            Maturity::Ready => {
                let extra = u32::from(ready_seen < 100 % n);
                ready_seen += 1;
                json!({"channelKey": key, "weight": 100 / n + extra, "enabled": true})
            }
            Maturity::Draft => json!({"channelKey": key, "weight": 0, "enabled": false}),
        })
        .collect();
    Some(json!({
        "id": SANDBOX_GROUP_ID,
        "name": "sandbox demo group",
        "isForTest": true,
        "channels": channels
    }))
}

/// Start every registered adapter's simulator on `127.0.0.1:0`. An error when an adapter was
/// built without its simulator (its `simulator` feature): such a build needs a configuration.
pub async fn start_sandbox() -> anyhow::Result<Sandbox> {
    let mut channels = Vec::new();
    let mut simulators = Vec::new();
    let mut depositors: Vec<(String, Arc<dyn Simulator>)> = Vec::new();
    let mut members = Vec::new();
    for reg in registry::adapters() {
        let Some(make) = reg.simulator else {
            anyhow::bail!(
                "the {} adapter was built without its simulator (cargo feature `simulator`): \
                 a sandbox needs simulators; start with --config FILE naming your channels",
                reg.descriptor.id
            );
        };
        let sim = make();
        let handle = sim
            .clone()
            .start(SocketAddr::from(([127, 0, 0, 1], 0)))
            .await
            .map_err(|e| anyhow::anyhow!("start the {} simulator: {e}", reg.descriptor.id))?;
        let key = format!("{}-test", reg.descriptor.id);
        channels.push(sim.sandbox_channel(&key, &handle.endpoint()));
        depositors.push((key.clone(), sim));
        members.push((key, reg.descriptor.maturity));
        simulators.push(handle);
    }
    let group = demo_group(&members);
    Ok(Sandbox {
        channels,
        group,
        simulators,
        depositors,
    })
}

#[cfg(test)]
mod start_tests {
    use super::*;

    fn weights(group: &Value) -> Vec<(String, u64, bool)> {
        group["channels"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| {
                (
                    c["channelKey"].as_str().unwrap().to_string(),
                    c["weight"].as_u64().unwrap(),
                    c["enabled"].as_bool().unwrap(),
                )
            })
            .collect()
    }

    fn members(list: &[(&str, Maturity)]) -> Vec<(String, Maturity)> {
        list.iter().map(|(k, m)| (k.to_string(), *m)).collect()
    }

    #[test]
    fn demo_group_gives_draft_adapters_no_traffic() {
        use Maturity::{Draft, Ready};
        let group = demo_group(&members(&[
            ("galaxia-test", Ready),
            ("ksnet-test", Ready),
            ("smartro-test", Ready),
            ("zzz-test", Draft),
        ]))
        .expect("a group when some adapter is ready");
        assert_eq!(
            weights(&group),
            [
                ("galaxia-test".into(), 34, true),
                ("ksnet-test".into(), 33, true),
                ("smartro-test".into(), 33, true),
                ("zzz-test".into(), 0, false),
            ]
        );
        // A draft listed first does not take the remainder either.
        let group = demo_group(&members(&[("a-test", Draft), ("b-test", Ready)])).unwrap();
        assert_eq!(
            weights(&group),
            [("a-test".into(), 0, false), ("b-test".into(), 100, true)]
        );
        paymux_routing::GroupUpdate::from_json(&group).expect("a well-formed group");
        // Weights sum to exactly 100, as the admin API requires, whatever the count.
        for n in 1..=9 {
            let mut list: Vec<(String, Maturity)> =
                (0..n).map(|i| (format!("r{i}-test"), Ready)).collect();
            list.push(("d-test".into(), Draft));
            let w = weights(&demo_group(&list).unwrap());
            assert_eq!(w.iter().map(|(_, w, _)| w).sum::<u64>(), 100, "{n} ready");
            assert!(w
                .iter()
                .all(|(k, w, on)| (k == "d-test") != (*w > 0 && *on)));
        }
        // Only drafts: no group (it could not sum to 100 without routing to one).
        assert!(demo_group(&members(&[("zzz-test", Draft)])).is_none());
        assert!(demo_group(&[]).is_none());
    }
}
