//! What the simulator sends on its own: Smartro's virtual-account deposit notice, signed as
//! the vendor notes document it and delivered to a URL the test gives.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use paymux_core::money::Money;
use paymux_core::simulator::http::Response;
use paymux_core::simulator::server::{deliver, listen, read_incoming, Incoming, Reply};
use paymux_core::simulator::{notify, Simulator};
use paymux_core::wire::{form_urldecode, Charset};
use paymux_smartro::simulator::{payment, State, DEPOSIT_DONE, TEST_MERCHANT_KEY, TEST_MID};
use paymux_smartro::SmartroSimulator;

const TID: &str = "pmxtest01m03012503011015000001";

#[tokio::test]
async fn a_deposit_sends_the_signed_notice_to_the_given_url() {
    let sim = SmartroSimulator::default();
    sim.with_ledger(|l| {
        l.payments.push(payment(
            TEST_MID,
            "va-notice-1",
            TID.into(),
            "VBANK",
            Money::new(45000).unwrap(),
            State::AwaitingDeposit,
        ))
    });
    assert_eq!(sim.ledger()[0].state, "VIRTUAL_ACCOUNT_ISSUED");
    let notice = sim.deposit(TID).expect("a waiting account gives a notice");
    assert!(sim.deposit(TID).is_none(), "one deposit only");
    assert!(sim.deposit("unknown").is_none());
    assert_eq!(sim.ledger()[0].state, "APPROVED");

    let fields: Vec<(String, String)> = form_urldecode(&notice.body, Charset::Utf8).unwrap();
    let get = |k: &str| fields.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    assert_eq!(get("ResultCode").as_deref(), Some(DEPOSIT_DONE));
    assert_eq!(get("Tid").as_deref(), Some(TID));
    assert_eq!(get("Amt").as_deref(), Some("45000"));
    let expected = paymux_smartro::frame::sha256_b64(&format!(
        "{}{DEPOSIT_DONE}{}{TEST_MERCHANT_KEY}{}",
        &TID[..10],
        &TID[10..15],
        &TID[15..]
    ));
    assert_eq!(get("SignValue"), Some(expected));

    // Delivered to the merchant's URL as a form POST.
    let seen = Arc::new(Mutex::new(None));
    let got = Arc::clone(&seen);
    let merchant = listen("127.0.0.1:0".parse().unwrap(), move |mut s| {
        let got = Arc::clone(&got);
        async move {
            if let Some(Incoming::Http(Ok(req))) = read_incoming(&mut s, None).await {
                *got.lock().unwrap() = Some(req);
            }
            let ok = Reply::Answer(Response::html(200, "OK".into()));
            deliver(&mut s, ok, Duration::ZERO, |r| r.to_bytes()).await;
        }
    })
    .await
    .unwrap();
    let url = format!("http://{}/smartro/deposit", merchant.local_addr);
    let delivered = notify::send(&url, &notice).await.unwrap();
    assert_eq!(delivered.status, 200);
    let req = seen.lock().unwrap().take().unwrap();
    assert_eq!(req.path, "/smartro/deposit");
    assert!(req
        .header("content-type")
        .unwrap()
        .starts_with("application/x-www-form-urlencoded"));
    assert_eq!(req.body, notice.body);
}
