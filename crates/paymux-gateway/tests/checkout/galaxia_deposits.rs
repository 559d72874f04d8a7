//! Galaxia virtual accounts from issue to `PAID`: the window issues the account, the payer
//! deposits (`POST /sandbox/virtual-accounts/{id}/deposit`), the simulator posts Galaxia's
//! (**reconstructed**, unsigned) deposit notice to `POST /pg-notices/{channelKey}`, and the
//! gateway confirms it with the (reconstructed) 5000 inquiry before recording the deposit.
//! Resent, forged and unconfirmed notices change nothing.

use std::sync::Arc;

use axum::http::StatusCode;
use paymux_core::simulator::Simulator;
use paymux_core::wire::{form_urlencode, Charset};
use serde_json::{json, Value};

use crate::harness::*;
use crate::scenarios::{get_payment, return_to_gateway, window_return};

const EUC_KR_FORM: &str = "application/x-www-form-urlencoded; charset=EUC-KR";

/// Issue a virtual account through Galaxia's window on `galaxia-a`: the payment and the
/// fields the window returned.
async fn issue(h: &Harness, id: &str, amount: i64) -> (Value, crate::minibrowser::Form) {
    let (_, ret) = window_return(
        h,
        &payment(("channelKey", "galaxia-a"), id, "VIRTUAL_ACCOUNT", amount),
        "approve",
        &[("BANK_CODE", "0088".into())],
    )
    .await;
    let (status, _, body) = return_to_gateway(h, &ret).await;
    assert_eq!(status, 302, "{body}");
    let p = get_payment(h, id).await;
    assert_eq!(p["status"], "VIRTUAL_ACCOUNT_ISSUED", "{p}");
    (p, ret)
}

/// A deposit notice in the simulator's (reconstructed) format, as anyone could post it.
fn forged(ret: &crate::minibrowser::Form, over: &[(&str, &str)]) -> Vec<u8> {
    let mut fields: Vec<(&str, String)> = [
        "SERVICE_ID",
        "SERVICE_CODE",
        "ORDER_ID",
        "ORDER_DATE",
        "TRANSACTION_ID",
        "AMOUNT",
        "ACCOUNT_NUMBER",
        "BANK_CODE",
    ]
    .into_iter()
    .map(|k| (k, ret.get(k).unwrap_or_default().to_string()))
    .collect();
    fields.push(("DEPOSIT_DATE", "20261207120000".into()));
    fields.push(("RESPONSE_CODE", "0000".into()));
    for (k, v) in over {
        fields.iter_mut().find(|(n, _)| n == k).unwrap().1 = v.to_string();
    }
    let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    form_urlencode(&pairs, Charset::EucKr).unwrap()
}

async fn post_notice(h: &Harness, body: Vec<u8>) -> (u16, String) {
    let r = h
        .http
        .post(h.url("/pg-notices/galaxia-a"))
        .header("content-type", EUC_KR_FORM)
        .body(body)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

async fn verdicts(h: &Harness, id: &str) -> Vec<String> {
    let (s, v) = h.get(&format!("/pg-notices?paymentId={id}")).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["verdict"].as_str().unwrap().to_string())
        .collect()
}

pub async fn galaxia_virtual_account_deposits(h: Arc<Harness>) {
    let sim: Arc<dyn Simulator> = h.galaxia.clone();
    h.gw.attach_simulators(&[("galaxia-a".to_string(), sim)]);

    // An account nobody paid: a notice for it (right order, TID and amount) is not
    // confirmed — the 5000 inquiry says the account still waits — and changes nothing.
    let unpaid = uid("gvu");
    let (_, unpaid_ret) = issue(&h, &unpaid, 30000).await;
    let (s, body) = post_notice(&h, forged(&unpaid_ret, &[])).await;
    assert_eq!(s, 400, "{body}");
    assert!(body.contains("not confirmed"), "{body}");
    let p = get_payment(&h, &unpaid).await;
    assert_eq!(p["status"], "VIRTUAL_ACCOUNT_ISSUED", "{p}");
    assert!(p.get("paidAt").is_none(), "{p}");
    assert_eq!(verdicts(&h, &unpaid).await, ["NOT_CONFIRMED"]);

    // The payer deposits into another account: PAID, dated, one Transaction.Paid.
    let id = uid("gvd");
    let (_, ret) = issue(&h, &id, 45000).await;
    // Forged first: another amount, an order paymux does not know, another merchant.
    let (s, body) = post_notice(&h, forged(&ret, &[("AMOUNT", "100")])).await;
    assert_eq!(s, 400, "{body}");
    let (s, body) = post_notice(&h, forged(&ret, &[("ORDER_ID", "no-such-order")])).await;
    assert_eq!(s, 400, "its TID is another order's: {body}");
    let (s, body) = post_notice(
        &h,
        forged(
            &ret,
            &[("ORDER_ID", "no-such-order"), ("TRANSACTION_ID", "SIMX")],
        ),
    )
    .await;
    assert_eq!(s, 404, "{body}");
    let (s, body) = post_notice(&h, forged(&ret, &[("SERVICE_ID", "M0000000")])).await;
    assert_eq!(s, 400, "{body}");
    let p = get_payment(&h, &id).await;
    assert_eq!(p["status"], "VIRTUAL_ACCOUNT_ISSUED", "{p}");
    assert_eq!(verdicts(&h, &id).await, ["AMOUNT_MISMATCH"]);

    let (s, d) = h
        .post(
            &format!("/sandbox/virtual-accounts/{id}/deposit"),
            &json!({}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{d}");
    assert_eq!(d["notice"]["status"], 200, "{d}");
    assert_eq!(
        d["notice"]["body"], "0000",
        "Galaxia's (reconstructed) ack: {d}"
    );
    assert_eq!(d["payment"]["status"], "PAID", "{d}");
    let p = get_payment(&h, &id).await;
    assert_eq!(p["status"], "PAID", "{p}");
    let paid_at = p["paidAt"].clone();
    assert!(paid_at.is_string(), "{p}");
    h.flush_webhooks().await;
    assert_eq!(
        h.hooks.types_for(&id),
        [
            "Transaction.Ready",
            "Transaction.VirtualAccountIssued",
            "Transaction.Paid"
        ]
    );
    let history = p["webhooks"].as_array().unwrap();
    let last = history.last().unwrap();
    assert_eq!(last["trigger"], "VIRTUAL_ACCOUNT_DEPOSIT", "{p}");
    assert_eq!(last["paymentStatus"], "PAID", "{p}");

    // BillGate resends its notice: acknowledged, nothing changes.
    let (s, d) = h
        .post(
            &format!("/sandbox/virtual-accounts/{id}/deposit"),
            &json!({}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{d}");
    assert_eq!(d["notice"]["status"], 200, "{d}");
    let p = get_payment(&h, &id).await;
    assert_eq!(p["paidAt"], paid_at);
    assert_eq!(p["status"], "PAID");
    h.flush_webhooks().await;
    assert_eq!(h.hooks.types_for(&id).len(), 3, "one Transaction.Paid");
    assert_eq!(
        verdicts(&h, &id).await,
        ["DUPLICATE", "APPLIED", "AMOUNT_MISMATCH"]
    );

    // The unpaid account is still unpaid, at the PG and here.
    assert_eq!(
        get_payment(&h, &unpaid).await["status"],
        "VIRTUAL_ACCOUNT_ISSUED"
    );
    let states: Vec<String> = h.galaxia.ledger().into_iter().map(|e| e.state).collect();
    assert!(
        states.contains(&"VIRTUAL_ACCOUNT_ISSUED".to_string()),
        "{states:?}"
    );
}
