//! The simulated standard window (INIStdPay), on the kit's page shell.
//!
//! 1. `POST /window` takes the merchant's form as `checkout.prepare` built it (UTF-8; the
//!    gateway's sandbox adds `PAYMUX_WINDOW`, ignored). It checks the MID, `signature`,
//!    `verification` (with the MID's signKey) and `mKey`, remembers the form under a one-time
//!    token and shows the card window: the `cardNumber` input, `#pay` and `#cancel`.
//! 2. `POST /window/{token}` is the payer's answer. Pay mints an `authToken` and posts back to
//!    `returnUrl` what Inicis' window posts (manual stdpay STEP2): `resultCode` `0000`,
//!    `resultMsg`, `mid`, `orderNumber`, `authToken`, `idc_name` `stg`, `authUrl` and
//!    `netCancelUrl` (this simulator's `/api/payAuth` and `/api/netCancel`), `charset`.
//!    Cancel posts `resultCode` [`crate::protocol::sim::WINDOW_CANCELLED`].
//!
//! Nothing is approved here: the merchant's approval call does that, where the test cards
//! apply. The full card number is never shown on a page.

use paymux_core::simulator::window::{
    self as kit, answer_token, bank_select, card_input, entered_card, Window,
};
use paymux_core::wire::{form_urldecode, Charset};

use super::handlers::{mint_auth, Reply};
use super::{merchant, Books};
use crate::frame::{nvp_signature, sha256_hex};
use crate::protocol::{code, fixed, sim, BANKS, NET_CANCEL_PATH, PAY_AUTH_PATH};

const VENDOR: &str = "KG이니시스 결제창";

/// Whether `path` is a window page.
pub fn serves(path: &str) -> bool {
    path == kit::WINDOW_PATH || answer_token(path).is_some()
}

fn error(status: u16, msg: &str) -> Reply {
    Reply::Page(status, kit::error_page(VENDOR, msg))
}

fn get<'a>(form: &'a [(String, String)], k: &str) -> &'a str {
    form.iter()
        .find(|(n, _)| n == k)
        .map(|(_, v)| v.as_str())
        .unwrap_or_default()
}

/// Serve a window page.
pub fn handle(books: &mut Books, method: &str, path: &str, body: &[u8], host: &str) -> Reply {
    if method != "POST" {
        return error(405, "The window is opened by POSTing the merchant's form.");
    }
    let Ok(form) = form_urldecode(body, Charset::Utf8) else {
        return error(400, "The form is not UTF-8 form data.");
    };
    match answer_token(path) {
        None => open(books, form),
        Some(token) => answer(books, token, &form, host),
    }
}

fn open(books: &mut Books, form: Vec<(String, String)>) -> Reply {
    let mid = get(&form, "mid");
    let Some((_, _, sign_key)) = merchant(mid) else {
        return error(400, "Unknown mid.");
    };
    let (oid, price, ts) = (get(&form, "oid"), get(&form, "price"), get(&form, "timestamp"));
    if oid.is_empty() || price.is_empty() || ts.is_empty() || get(&form, "returnUrl").is_empty()
    {
        return error(400, "oid, price, timestamp and returnUrl are required.");
    }
    let sig = nvp_signature(&[("oid", oid), ("price", price), ("timestamp", ts)]);
    let ver = nvp_signature(&[
        ("oid", oid),
        ("price", price),
        ("signKey", sign_key),
        ("timestamp", ts),
    ]);
    if sig != get(&form, "signature")
        || ver != get(&form, "verification")
        || sha256_hex(sign_key) != get(&form, "mKey")
    {
        return error(400, "signature / verification / mKey does not match.");
    }
    let (item, order, amount) = (
        get(&form, "goodname").to_string(),
        oid.to_string(),
        price.to_string(),
    );
    let vbank = get(&form, "gopaymethod") == fixed::GOPAYMETHOD_VBANK;
    let token = books.windows.open(form);
    let inputs = if vbank {
        bank_select(
            "입금 은행",
            "vbank",
            BANKS.iter().map(|(name, code)| (*code, (*name).to_string())),
        )
    } else {
        card_input()
    };
    Reply::Page(
        200,
        Window {
            vendor: VENDOR,
            title: if vbank { "가상계좌" } else { "신용카드 결제" },
            token: &token,
            item: &item,
            order: &order,
            amount: &amount,
            inputs: &inputs,
            approve_label: "결제하기",
            error: None,
        }
        .render(),
    )
}

fn answer(books: &mut Books, token: &str, answer: &[(String, String)], host: &str) -> Reply {
    let Some(form) = books.windows.take(token) else {
        return error(404, "This window is closed or unknown.");
    };
    let return_url = get(&form, "returnUrl").to_string();
    let base = [
        ("mid", get(&form, "mid").to_string()),
        ("orderNumber", get(&form, "oid").to_string()),
        ("charset", "UTF-8".to_string()),
    ];
    if get(answer, "ACTION") != "approve" {
        let mut fields = vec![
            ("resultCode", sim::WINDOW_CANCELLED.to_string()),
            ("resultMsg", "사용자 취소".to_string()),
        ];
        fields.extend(base);
        return Reply::Page(200, kit::return_page(VENDOR, &return_url, "UTF-8", &fields));
    }
    let vbank = get(&form, "gopaymethod") == fixed::GOPAYMETHOD_VBANK;
    let auth = if vbank {
        let bank = get(answer, "vbank");
        let bank = if BANKS.iter().any(|(_, c)| *c == bank) {
            bank
        } else {
            "88"
        };
        mint_auth(books, &form, String::new(), bank.to_string())
    } else {
        let card = entered_card(|k| Some(get(answer, k)).filter(|v| !v.is_empty()), "cardNum");
        if card.len() < 13 {
            books.windows.put_back(token, form);
            return error(400, "Enter a card number.");
        }
        mint_auth(books, &form, card, String::new())
    };
    let origin = format!("http://{host}");
    let mut fields = vec![
        ("resultCode", code::STD_OK.to_string()),
        ("resultMsg", "인증 성공".to_string()),
    ];
    fields.extend(base);
    fields.extend([
        ("authToken", auth),
        ("idc_name", "stg".to_string()),
        ("authUrl", format!("{origin}{PAY_AUTH_PATH}")),
        ("netCancelUrl", format!("{origin}{NET_CANCEL_PATH}")),
    ]);
    Reply::Page(200, kit::return_page(VENDOR, &return_url, "UTF-8", &fields))
}
