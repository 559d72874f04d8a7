//! The standard window end to end on the simulator: prepare → the window → approval; the
//! approval URL the browser names is called only when it is the channel's allowed Inicis host;
//! an approval in doubt is net-cancelled.

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use common::*;
use paymux_core::adapter::{PgAdapter, WireRequest, WireResponse, WireTarget};
use paymux_core::error::PgError;
use paymux_core::execute::execute;
use paymux_core::outcome::REVERSED_CODE;
use paymux_core::outcome::{ApprovedDetail, Outcome};
use paymux_core::simulator::Simulator;
use paymux_core::transport::{NetTransport, Timeouts, Transport, TransportError};
use paymux_inicis::{InicisAdapter, InicisSimulator};
use serde_json::{json, Value};

async fn start(
    sim: InicisSimulator,
) -> (
    Arc<InicisSimulator>,
    String,
    paymux_core::simulator::SimulatorHandle,
) {
    let sim = Arc::new(sim);
    let handle = Arc::clone(&sim)
        .start("127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let ep = format!("http://{}", handle.endpoint());
    (sim, ep, handle)
}

/// HTTP bounds the whole exchange by connect + read: keep both short of the late delay.
fn timeouts(read_ms: u64) -> Timeouts {
    Timeouts {
        connect: Duration::from_millis(200),
        read: Duration::from_millis(read_ms),
    }
}

fn net() -> NetTransport {
    NetTransport::new().caller_read_wins(true)
}

/// Prepare the window and play it with `card`; the fields it posts back.
async fn window(ep: &str, payment_id: &str, total: i64, card: Option<&str>) -> Value {
    let ch = channel(ep);
    let prepared = InicisAdapter
        .encode(&ctx(&ch), &checkout(payment_id, total))
        .unwrap();
    let fields = pay_in_window(ep, &prepared.body, card).await.unwrap();
    Value::Object(
        fields
            .into_iter()
            .map(|(k, v)| (k, Value::String(v)))
            .collect(),
    )
}

#[tokio::test]
async fn a_window_payment_is_approved_without_a_net_cancel() {
    let (sim, ep, _h) = start(InicisSimulator::default()).await;
    let returned = window(&ep, "win-ok-1", 12500, Some(CARD_OK)).await;
    assert_eq!(returned["resultCode"], "0000");
    let ch = channel(&ep);
    let req = complete("win-ok-1", returned, 12500);
    let outcome = execute(&InicisAdapter, &net(), &ctx(&ch), &req, timeouts(2000))
        .await
        .unwrap();
    let Outcome::Approved(a) = outcome else {
        panic!("{outcome:?}")
    };
    assert_eq!(a.amount.unwrap().get(), 12500);
    assert!(matches!(a.detail, ApprovedDetail::Payment { .. }));
    let entry = &sim.ledger()[0];
    assert_eq!(entry.state, "APPROVED");
    assert_eq!(Some(entry.pg_tx_id.clone()), a.pg_tx_id);
}

#[tokio::test]
async fn a_late_approval_is_net_cancelled_and_nothing_stays_charged() {
    let (sim, ep, _h) =
        start(InicisSimulator::default().with_late_delay(Duration::from_millis(1500))).await;
    let returned = window(&ep, "win-late-1", 5000, Some(CARD_LATE)).await;
    let ch = channel(&ep);
    let req = complete("win-late-1", returned, 5000);
    let outcome = execute(&InicisAdapter, &net(), &ctx(&ch), &req, timeouts(300))
        .await
        .unwrap();
    // The net cancel was confirmed: a decline with paymux's own code.
    let Outcome::Declined(d) = &outcome else {
        panic!("{outcome:?}")
    };
    assert_eq!(d.pg_code, REVERSED_CODE);
    assert!(!d.retry_safe);
    let ledger = sim.ledger();
    assert_eq!(ledger.len(), 1);
    assert_eq!(
        ledger[0].state, "CANCELLED",
        "the net cancel voided the approval"
    );
}

#[tokio::test]
async fn declines_are_declines_and_need_no_net_cancel() {
    let (sim, ep, _h) = start(InicisSimulator::default()).await;
    let returned = window(&ep, "win-no-1", 5000, Some(CARD_DECLINED)).await;
    let ch = channel(&ep);
    let req = complete("win-no-1", returned, 5000);
    let outcome = execute(&InicisAdapter, &net(), &ctx(&ch), &req, timeouts(2000))
        .await
        .unwrap();
    let Outcome::Declined(d) = outcome else {
        panic!("{outcome:?}")
    };
    assert_ne!(d.pg_code, REVERSED_CODE, "no net cancel for a decline");
    assert_eq!(d.kind.as_str(), "card_declined");
    assert!(sim.ledger().is_empty());
}

#[tokio::test]
async fn a_cancelled_window_is_a_window_failure() {
    let (_sim, ep, _h) = start(InicisSimulator::default()).await;
    let returned = window(&ep, "win-x-1", 5000, None).await;
    assert_ne!(returned["resultCode"], "0000");
    let ch = channel(&ep);
    let e = InicisAdapter
        .encode(&ctx(&ch), &complete("win-x-1", returned, 5000))
        .unwrap_err();
    assert!(matches!(e, PgError::WindowFailed { .. }), "{e:?}");
}

/// Records what is sent; answers the approval with `approval` and the net cancel with
/// `net_cancel`.
struct Scripted {
    approval: Vec<u8>,
    net_cancel: Vec<u8>,
    sent: Mutex<Vec<(String, Vec<u8>)>>,
}

const NET_CANCEL_OK: &[u8] = br#"{"resultCode":"0000","resultMsg":"ok"}"#;

#[async_trait]
impl Transport for Scripted {
    async fn send(&self, req: &WireRequest, _: Timeouts) -> Result<WireResponse, TransportError> {
        let WireTarget::Http { url, .. } = &req.target else {
            panic!("HTTP only")
        };
        self.sent
            .lock()
            .unwrap()
            .push((url.clone(), req.body.clone()));
        let body = if url.ends_with("/api/netCancel") {
            self.net_cancel.clone()
        } else {
            self.approval.clone()
        };
        Ok(WireResponse {
            status: Some(200),
            headers: vec![],
            body,
        })
    }
}

#[tokio::test]
async fn a_tampered_approval_is_net_cancelled_with_the_approval_fields() {
    let ch = channel("");
    let ret = json!({
        "resultCode": "0000", "mid": "INIpayTest", "orderNumber": "win-t-1",
        "authToken": "TOKEN-1", "idc_name": "stg",
        "authUrl": "https://stgstdpay.inicis.com/api/payAuth",
        "netCancelUrl": "https://stgstdpay.inicis.com/api/netCancel"
    });
    for approval in [
        // 0000 with a forged authSignature.
        json!({"resultCode":"0000","tid":"T1","MOID":"win-t-1","TotPrice":"5000","authSignature":"00"}),
        // 0000 for another order.
        json!({"resultCode":"0000","tid":"T1","MOID":"other","TotPrice":"5000"}),
        // not JSON at all
        Value::String("<html>".into()),
    ] {
        let t = Scripted {
            approval: match &approval {
                Value::String(s) => s.clone().into_bytes(),
                v => v.to_string().into_bytes(),
            },
            net_cancel: NET_CANCEL_OK.to_vec(),
            sent: Mutex::default(),
        };
        let req = complete("win-t-1", ret.clone(), 5000);
        let outcome = execute(&InicisAdapter, &t, &ctx(&ch), &req, timeouts(1000))
            .await
            .unwrap();
        let Outcome::Declined(d) = &outcome else {
            panic!("{approval}: {outcome:?}")
        };
        assert_eq!(d.pg_code, REVERSED_CODE, "{approval}");
        let sent = t.sent.lock().unwrap();
        assert_eq!(sent.len(), 2);
        assert_eq!(sent[0].0, "https://stgstdpay.inicis.com/api/payAuth");
        assert_eq!(sent[1].0, "https://stgstdpay.inicis.com/api/netCancel");
        assert_eq!(
            sent[0].1, sent[1].1,
            "the net cancel re-sends the approval's fields"
        );
    }
}

/// A net cancel Inicis refuses (or answers with garbage) voids nothing: the outcome stays
/// unknown, for the gateway's inquiry, and says why.
#[tokio::test]
async fn an_unconfirmed_net_cancel_leaves_the_outcome_unknown() {
    let ch = channel("");
    let ret = json!({
        "resultCode": "0000", "mid": "INIpayTest", "orderNumber": "win-u-1",
        "authToken": "TOKEN-1", "idc_name": "stg",
        "authUrl": "https://stgstdpay.inicis.com/api/payAuth",
        "netCancelUrl": "https://stgstdpay.inicis.com/api/netCancel"
    });
    for net_cancel in [
        br#"{"resultCode":"V013","resultMsg":"refused"}"#.to_vec(),
        b"<html>".to_vec(),
    ] {
        let t = Scripted {
            approval: b"<html>".to_vec(),
            net_cancel: net_cancel.clone(),
            sent: Mutex::default(),
        };
        let req = complete("win-u-1", ret.clone(), 5000);
        let outcome = execute(&InicisAdapter, &t, &ctx(&ch), &req, timeouts(1000))
            .await
            .unwrap();
        let Outcome::Unknown(u) = &outcome else {
            panic!("{outcome:?}")
        };
        assert!(
            u.reason.contains("the reversal was not confirmed"),
            "{}",
            u.reason
        );
        assert_eq!(t.sent.lock().unwrap().len(), 2, "the net cancel was sent");
    }
}

#[test]
fn the_approval_url_is_called_only_when_it_is_the_named_inicis_idc() {
    let ch = channel("");
    let good = json!({
        "resultCode": "0000", "mid": "INIpayTest", "orderNumber": "p-1",
        "authToken": "TOKEN-1", "idc_name": "fc",
        "authUrl": "https://fcstdpay.inicis.com/api/payAuth",
        "netCancelUrl": "https://fcstdpay.inicis.com/api/netCancel"
    });
    let w = InicisAdapter
        .encode(&ctx(&ch), &complete("p-1", good.clone(), 1000))
        .unwrap();
    let WireTarget::Http { url, .. } = &w.target else {
        panic!()
    };
    assert_eq!(url, "https://fcstdpay.inicis.com/api/payAuth");

    let hostile = [
        (
            "authUrl",
            json!("https://evil.example/api/payAuth"),
            "returned.authUrl",
        ),
        (
            "authUrl",
            json!("https://fcstdpay.inicis.com.evil.test/api/payAuth"),
            "returned.authUrl",
        ),
        (
            "authUrl",
            json!("http://fcstdpay.inicis.com/api/payAuth"),
            "returned.authUrl",
        ),
        (
            "authUrl",
            json!("https://ksstdpay.inicis.com/api/payAuth"),
            "returned.authUrl",
        ),
        (
            "authUrl",
            json!("https://fcstdpay.inicis.com/api/payAuth?x=1"),
            "returned.authUrl",
        ),
        (
            "netCancelUrl",
            json!("https://evil.example/api/netCancel"),
            "returned.netCancelUrl",
        ),
        ("idc_name", json!("evil"), "returned.idc_name"),
        ("mid", json!("OTHERMID"), "returned.mid"),
        ("orderNumber", json!("someone-else"), "returned.orderNumber"),
        ("authToken", json!(""), "returned.authToken"),
    ];
    for (field, value, path) in hostile {
        let mut r = good.clone();
        r[field] = value.clone();
        let e = InicisAdapter
            .encode(&ctx(&ch), &complete("p-1", r, 1000))
            .unwrap_err();
        let PgError::Validation(v) = &e else {
            panic!("{field}: {e:?}")
        };
        assert!(
            v.0.iter().any(|x| x.path.to_string() == path),
            "{field}: {v:?}"
        );
        let text = e.to_string();
        if let Some(s) = value.as_str().filter(|s| !s.is_empty()) {
            assert!(
                !text.contains(s),
                "the error echoes the hostile value: {text}"
            );
        }
    }
    // A simulator channel allows its own endpoint only, never Inicis' hosts or another port.
    let sim = channel("http://127.0.0.1:9");
    let mut r = good.clone();
    r["authUrl"] = json!("http://127.0.0.1:9/api/payAuth");
    r["netCancelUrl"] = json!("http://127.0.0.1:9/api/netCancel");
    assert!(InicisAdapter
        .encode(&ctx(&sim), &complete("p-1", r.clone(), 1000))
        .is_ok());
    r["authUrl"] = json!("http://127.0.0.1:10/api/payAuth");
    assert!(InicisAdapter
        .encode(&ctx(&sim), &complete("p-1", r, 1000))
        .is_err());
    assert!(InicisAdapter
        .encode(&ctx(&sim), &complete("p-1", good, 1000))
        .is_err());
}
