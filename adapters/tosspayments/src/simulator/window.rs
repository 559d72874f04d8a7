//! The simulated Toss standard payment window, served over HTTP on the simulator's port.
//!
//! 1. `POST /window` takes the window parameters exactly as `checkout.prepare` built them
//!    (`clientKey`, `method`, `amount`, `orderId`, `orderName`, `successUrl`, `failUrl`, …;
//!    UTF-8 form; the gateway's sandbox adds `PAYMUX_WINDOW`, ignored). A client key that is
//!    not a `test_ck_` key, or a missing parameter, is an error page (400). Otherwise the
//!    window opens under a one-time token: card number entry (`cardNumber`), **Pay** (`#pay`)
//!    and **Cancel** (`#cancel`).
//! 2. `POST /window/{token}` is the payer's answer. Pay authenticates the payment under a new
//!    `paymentKey` and goes back to `successUrl` with `paymentKey`, `orderId`, `amount` and
//!    `paymentType` (`NORMAL`); nothing is charged until the merchant confirms
//!    (`POST /v1/payments/confirm`), where the test cards apply. Cancel goes back to `failUrl`
//!    with `code` `PAY_PROCESS_CANCELED`, `message` and `orderId`.
//!
//! **Reconstructed** (the simulator's choice): Toss redirects the browser to the success and fail
//! URLs with the fields in the query string (`GET`); paymux's gateway takes a window's return
//! as a form `POST`, so the simulated window posts the same fields instead.

use chrono::{DateTime, FixedOffset};
use paymux_core::simulator::http::Request;
use paymux_core::simulator::server::Reply;
use paymux_core::simulator::window::{
    self as kit, answer_token, card_input, entered_card, return_page, Window,
};
use paymux_core::wire::{form_urldecode, Charset};

use super::handlers::{Answer, Authenticated, Books, OpenWindow};

/// The banner of the window.
const VENDOR: &str = "토스페이먼츠 결제창";
/// `code` of a window the payer cancelled (the JS SDK's documented error code).
pub const PAY_PROCESS_CANCELED: &str = "PAY_PROCESS_CANCELED";

/// Whether `path` belongs to the window pages.
pub fn serves(path: &str) -> bool {
    path == kit::WINDOW_PATH || answer_token(path).is_some()
}

fn page(status: u16, page: String) -> Reply<Answer> {
    Reply::Answer(Answer::Page(status, page))
}

fn error_page(status: u16, message: &str) -> Reply<Answer> {
    page(status, kit::error_page(VENDOR, message))
}

/// Serve one request to the window pages.
pub fn handle(books: &mut Books, req: &Request, now: &DateTime<FixedOffset>) -> Reply<Answer> {
    let Ok(form) = form_urldecode(&req.body, Charset::Utf8) else {
        return error_page(400, "The window form is not UTF-8 application/x-www-form-urlencoded.");
    };
    let get = |k: &str| {
        form.iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.trim().to_string())
            .filter(|v| !v.is_empty())
    };
    match (req.method.as_str(), answer_token(&req.path)) {
        ("POST", None) => {
            let client_key = get("clientKey").unwrap_or_default();
            if !client_key.starts_with("test_ck_") {
                return error_page(400, "clientKey is not a test client key (test_ck_…).");
            }
            let (Some(order_id), Some(order_name), Some(amount), Some(success), Some(fail)) = (
                get("orderId"),
                get("orderName"),
                get("amount").and_then(|a| a.parse::<i64>().ok()).filter(|a| *a > 0),
                get("successUrl"),
                get("failUrl"),
            ) else {
                return error_page(
                    400,
                    "orderId, orderName, amount, successUrl and failUrl are required.",
                );
            };
            let w = OpenWindow {
                client_key,
                order_id,
                order_name,
                amount,
                success_url: success,
                fail_url: fail,
            };
            let token = books.windows.open(w.clone());
            render(&w, &token, None)
        }
        ("POST", Some(token)) => {
            let Some(w) = books.windows.take(token) else {
                return error_page(404, "This payment window expired or was already answered.");
            };
            if get("ACTION").as_deref() == Some("cancel") {
                return page(
                    200,
                    return_page(
                        VENDOR,
                        &w.fail_url,
                        "UTF-8",
                        &[
                            ("code", PAY_PROCESS_CANCELED.to_string()),
                            ("message", "사용자에 의해 결제가 취소되었습니다.".to_string()),
                            ("orderId", w.order_id.clone()),
                        ],
                    ),
                );
            }
            let card = entered_card(|k| form.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str()), "cardNumber");
            if !(13..=19).contains(&card.len()) {
                let token = books.windows.open(w.clone());
                return render(&w, &token, Some("카드번호를 다시 확인해주세요."));
            }
            let n = books.ledger.next_number();
            let key = format!("tsim{}{n:08}", now.format("%Y%m%d%H%M%S"));
            books.authenticated.insert(
                key.clone(),
                Authenticated {
                    merchant: secret_key_of(&w.client_key),
                    order_id: w.order_id.clone(),
                    order_name: w.order_name.clone(),
                    amount: w.amount,
                    card_number: card,
                },
            );
            page(
                200,
                return_page(
                    VENDOR,
                    &w.success_url,
                    "UTF-8",
                    &[
                        ("paymentKey", key),
                        ("orderId", w.order_id.clone()),
                        ("amount", w.amount.to_string()),
                        ("paymentType", "NORMAL".to_string()),
                    ],
                ),
            )
        }
        _ => error_page(
            405,
            "The payment window is opened by POSTing the window parameters to /window.",
        ),
    }
}

/// The secret key paired with a client key: the published test pair, else (the simulator's
/// convention) `test_ck_X` ↔ `test_sk_X`. Only that merchant can confirm the window's payment.
pub fn secret_key_of(client_key: &str) -> String {
    use crate::protocol::{PUBLISHED_TEST_CLIENT_KEY, PUBLISHED_TEST_SECRET_KEY};
    if client_key == PUBLISHED_TEST_CLIENT_KEY {
        return PUBLISHED_TEST_SECRET_KEY.to_string();
    }
    format!("test_sk_{}", client_key.strip_prefix("test_ck_").unwrap_or_default())
}

fn render(w: &OpenWindow, token: &str, error: Option<&str>) -> Reply<Answer> {
    let inputs = card_input();
    let amount = w.amount.to_string();
    page(
        200,
        Window {
            vendor: VENDOR,
            title: "카드 결제",
            token,
            item: &w.order_name,
            order: &w.order_id,
            amount: &amount,
            inputs: &inputs,
            approve_label: "결제하기",
            error,
        }
        .render(),
    )
}
