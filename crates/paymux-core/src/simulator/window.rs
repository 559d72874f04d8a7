//! The HTML shell of simulated payment windows, shared so every simulator's window looks and
//! drives the same: one browser driver fills them all.
//!
//! Stable interface (tests and browser drivers rely on it): the card number is the input named
//! `cardNumber` (id `card-number`), the pay button has id `pay`, the cancel button id
//! `cancel`; the window shows the shop (`#merchant`), item (`#item-name`), order
//! (`#order-id`) and amount (`#amount`, as `12,500원`); errors are `#error`. Every value is
//! escaped with [`crate::html::escape`].
//!
//! The flow is the vendor's: `POST /window` with the merchant's form opens a window under a
//! one-time token ([`WindowBook`]); `POST /window/{token}` is the payer's answer; the result
//! goes back to the merchant's return URL through an auto-submitting form ([`return_page`]).

use std::collections::HashMap;
use std::time::{Duration, Instant};

use crate::display;
use crate::html::escape as esc;
use crate::money::Money;

/// Path the merchant's window form is posted to.
pub const WINDOW_PATH: &str = "/window";
/// How long an opened window waits for the payer.
pub const WINDOW_TTL: Duration = Duration::from_secs(30 * 60);
/// The shop a window names: the PGs' forms carry only the MID, which a shopper should not
/// have to read (and the MID is never shown).
pub const SHOP_NAME: &str = "paymux 테스트 상점";

/// The token of a payer's answer path (`/window/{token}`), if `path` is one.
pub fn answer_token(path: &str) -> Option<&str> {
    path.strip_prefix(WINDOW_PATH)?.strip_prefix('/')
}

/// A whole page: `vendor` names the window in the banner (`BillGate 결제창`).
pub fn page(vendor: &str, title: &str, body: &str) -> String {
    format!(
        "<!doctype html>\n<html lang=\"ko\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{}</title><style>body{{font-family:sans-serif;max-width:28rem;margin:2rem auto;padding:0 1rem}}\
         dt{{color:#666}}dd{{margin:0 0 .5rem}}label{{display:block;margin:.8rem 0}}input,select{{font-size:1.1rem;width:100%}}\
         button{{font-size:1.1rem;margin:.4rem .4rem 0 0;padding:.4rem 1rem}}.err{{color:#b00}}</style></head>\
         <body><p><small>{} · paymux 시뮬레이터 (실제 결제가 아닙니다)</small></p>{body}</body></html>\n",
        esc(title),
        esc(vendor)
    )
}

/// The error page of a window (`#error` holds `message`).
pub fn error_page(vendor: &str, message: &str) -> String {
    page(
        vendor,
        "결제창 오류",
        &format!(
            "<h1>결제창 오류</h1><p id=\"error\" class=\"err\">{}</p>",
            esc(message)
        ),
    )
}

/// What one window shows.
#[derive(Debug, Clone, Copy)]
pub struct Window<'a> {
    /// Banner name of the vendor's window.
    pub vendor: &'a str,
    /// Heading (`신용카드 결제`).
    pub title: &'a str,
    /// The one-time token the answer is posted under.
    pub token: &'a str,
    /// Item name.
    pub item: &'a str,
    /// Order id.
    pub order: &'a str,
    /// Amount as the form carries it (shown as `12,500원`).
    pub amount: &'a str,
    /// The payer's inputs, already HTML ([`card_input`], [`phone_input`], [`bank_select`]).
    pub inputs: &'a str,
    /// Label of the pay button (`결제하기`).
    pub approve_label: &'a str,
    /// An error to show above the form (the payer's last answer was not usable).
    pub error: Option<&'a str>,
}

impl Window<'_> {
    /// The page.
    pub fn render(&self) -> String {
        let err = self
            .error
            .map(|e| format!("<p id=\"error\" class=\"err\">{}</p>", esc(e)))
            .unwrap_or_default();
        page(
            self.vendor,
            self.title,
            &format!(
                "<h1 id=\"window-title\">{title}</h1>{err}<dl>\
                 <dt>상점</dt><dd id=\"merchant\">{shop}</dd>\
                 <dt>상품명</dt><dd id=\"item-name\">{item}</dd>\
                 <dt>주문번호</dt><dd id=\"order-id\">{order}</dd>\
                 <dt>금액</dt><dd id=\"amount\">{amount}</dd></dl>\
                 <form id=\"window\" method=\"post\" action=\"{WINDOW_PATH}/{token}\" accept-charset=\"UTF-8\">{inputs}\
                 <button id=\"pay\" type=\"submit\" name=\"ACTION\" value=\"approve\">{approve}</button>\
                 <button id=\"cancel\" type=\"submit\" name=\"ACTION\" value=\"cancel\">취소</button></form>",
                title = esc(self.title),
                shop = esc(SHOP_NAME),
                item = esc(self.item),
                order = esc(self.order),
                amount = esc(&amount_text(self.amount)),
                token = esc(self.token),
                inputs = self.inputs,
                approve = esc(self.approve_label),
            ),
        )
    }
}

/// The card number input (`cardNumber`, the stable name).
pub fn card_input() -> String {
    "<label>카드번호 <input id=\"card-number\" name=\"cardNumber\" inputmode=\"numeric\" \
     autocomplete=\"off\" placeholder=\"4111 1111 1111 1111\"></label>"
        .to_string()
}

/// The phone number input, named as the vendor names it, pre-filled with `value`.
pub fn phone_input(name: &str, value: &str) -> String {
    format!(
        "<label>휴대폰 번호 <input id=\"phone-number\" name=\"{}\" inputmode=\"numeric\" \
         autocomplete=\"off\" value=\"{}\"></label>",
        esc(name),
        esc(value)
    )
}

/// A bank choice named `name`: `label` (`입금 은행`) and `(code, shown name)` options.
pub fn bank_select<'a>(
    label: &str,
    name: &str,
    banks: impl IntoIterator<Item = (&'a str, String)>,
) -> String {
    let options: String = banks
        .into_iter()
        .map(|(code, shown)| format!("<option value=\"{}\">{}</option>", esc(code), esc(&shown)))
        .collect();
    format!(
        "<label>{} <select id=\"bank\" name=\"{}\">{options}</select></label>",
        esc(label),
        esc(name)
    )
}

/// An amount as shoppers read it (`12,500원`); an unreadable one as written.
pub fn amount_text(amount: &str) -> String {
    amount
        .trim()
        .parse::<i64>()
        .ok()
        .and_then(|a| Money::new(a).ok())
        .map_or_else(|| format!("{}원", amount.trim()), display::format_krw)
}

/// Only the digits of `s`.
pub fn digits(s: &str) -> String {
    s.chars().filter(char::is_ascii_digit).collect()
}

/// The card number the payer entered: the digits of `cardNumber`, or of `legacy` (a
/// window's earlier field name); empty when neither holds digits.
pub fn entered_card<'a>(mut field: impl FnMut(&str) -> Option<&'a str>, legacy: &str) -> String {
    ["cardNumber", legacy]
        .into_iter()
        .filter_map(&mut field)
        .map(digits)
        .find(|v| !v.is_empty())
        .unwrap_or_default()
}

/// The page that posts a window's result back to the merchant's `return_url`, in
/// `charset` (`UTF-8`, or `EUC-KR` as BillGate's window does).
pub fn return_page(
    vendor: &str,
    return_url: &str,
    charset: &str,
    fields: &[(&str, String)],
) -> String {
    let inputs: String = fields
        .iter()
        .map(|(k, v)| {
            format!(
                "<input type=\"hidden\" name=\"{}\" value=\"{}\">",
                esc(k),
                esc(v)
            )
        })
        .collect();
    page(
        vendor,
        "결제 결과 전송",
        &format!(
            "<form id=\"return\" method=\"post\" action=\"{}\" accept-charset=\"{}\">{inputs}\
             <noscript><button type=\"submit\">상점으로 돌아가기</button></noscript></form>\
             <script>document.getElementById('return').submit();</script>",
            esc(return_url),
            esc(charset)
        ),
    )
}

/// Windows waiting for their payer, by one-time token; expired ones are forgotten.
#[derive(Debug)]
pub struct WindowBook<T> {
    open: HashMap<String, (T, Instant)>,
    next: u64,
}

impl<T> Default for WindowBook<T> {
    fn default() -> Self {
        WindowBook {
            open: HashMap::new(),
            next: 0,
        }
    }
}

impl<T> WindowBook<T> {
    /// Remember a window; its token (unguessable enough for a simulator: a counter and the
    /// clock's nanoseconds).
    pub fn open(&mut self, window: T) -> String {
        self.open.retain(|_, (_, at)| at.elapsed() < WINDOW_TTL);
        self.next += 1;
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or_default();
        let token = format!("W{:08}{nanos:08x}", self.next);
        self.open.insert(token.clone(), (window, Instant::now()));
        token
    }

    /// Take an open, unexpired window (answering it is one-time).
    pub fn take(&mut self, token: &str) -> Option<T> {
        self.open
            .remove(token)
            .filter(|(_, at)| at.elapsed() < WINDOW_TTL)
            .map(|(w, _)| w)
    }

    /// Put a window back (the payer's answer was not usable; they may try again).
    pub fn put_back(&mut self, token: &str, window: T) {
        self.open
            .insert(token.to_string(), (window, Instant::now()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_keep_the_stable_ids_and_escape_every_value() {
        let inputs = card_input();
        let page = Window {
            vendor: "Test<PG>",
            title: "신용카드 결제",
            token: "W1\"x",
            item: "<script>alert(1)</script>",
            order: "o'1",
            amount: "12500",
            inputs: &inputs,
            approve_label: "결제하기",
            error: Some("<b>bad</b>"),
        }
        .render();
        for stable in [
            "name=\"cardNumber\"",
            "id=\"pay\"",
            "id=\"cancel\"",
            "<dd id=\"amount\">12,500원</dd>",
            SHOP_NAME,
            "action=\"/window/W1&quot;x\"",
            "Test&lt;PG&gt;",
            "&lt;b&gt;bad&lt;/b&gt;",
            "o&#39;1",
        ] {
            assert!(page.contains(stable), "{stable} missing in {page}");
        }
        assert!(!page.contains("<script>alert"), "item not escaped");
        let back = return_page(
            "V",
            "https://shop/return?a=1&b=\"",
            "EUC-KR",
            &[("K", "<v>".into())],
        );
        assert!(back
            .contains("action=\"https://shop/return?a=1&amp;b=&quot;\" accept-charset=\"EUC-KR\""));
        assert!(back.contains("name=\"K\" value=\"&lt;v&gt;\""));
        assert!(error_page("V", "<x>").contains("<p id=\"error\" class=\"err\">&lt;x&gt;</p>"));
        let select = bank_select("은행", "BANK", [("004", "국민<은행>".to_string())]);
        assert!(select.contains("<option value=\"004\">국민&lt;은행&gt;</option>"));
        assert!(phone_input("P", "\"><").contains("value=\"&quot;&gt;&lt;\""));
    }

    #[test]
    fn helpers_read_what_payers_type() {
        assert_eq!(amount_text(" 1004 "), "1,004원");
        assert_eq!(amount_text("abc"), "abc원");
        assert_eq!(answer_token("/window/W1"), Some("W1"));
        assert_eq!(answer_token("/window"), None);
        assert_eq!(answer_token("/windowx"), None);
        let form = [("CARD_NUMBER", "4111-1111-1111-1111"), ("cardNumber", " ")];
        let get = |k: &str| form.iter().find(|(n, _)| *n == k).map(|(_, v)| *v);
        assert_eq!(entered_card(get, "CARD_NUMBER"), "4111111111111111");
        assert_eq!(entered_card(|_| None, "X"), "");
    }

    #[test]
    fn a_window_token_answers_once() {
        let mut book = WindowBook::default();
        let t = book.open(7);
        let u = book.open(8);
        assert_ne!(t, u);
        assert_eq!(book.take(&t), Some(7));
        assert_eq!(book.take(&t), None);
        book.put_back(&t, 9);
        assert_eq!(book.take(&t), Some(9));
        assert_eq!(book.take("nope"), None);
    }
}
