//! Masking for pages and stored views: the console never shows a full card number, key, password or secret,
//! even when a merchant put one where it does not belong (an order name, `customData`).
//!
//! - Text: any run of 13 to 19 digits (spaces and hyphens between them allowed) is shown as a
//!   masked card number (first six and last four kept, as PortOne's masked numbers are).
//! - JSON: a member whose name says it holds a secret (`password`, `secret`, `key`, `token`,
//!   `birth`, `cvc` …) is masked whole; every string is also masked as text.
//! - URLs: the query and any user info are left out (tokens travel there).

use paymux_core::secret::{mask_all, mask_card_number};
use serde_json::Value;

/// `text` with every card-number-like digit run masked.
pub fn text(text: &str) -> String {
    digit_runs(text, false)
}

/// Whether `digits` pass the Luhn check every card number passes.
fn luhn(digits: &str) -> bool {
    let sum: u32 = digits
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b - b'0');
            if i % 2 == 1 {
                let x = d * 2;
                if x > 9 {
                    x - 9
                } else {
                    x
                }
            } else {
                d
            }
        })
        .sum();
    sum % 10 == 0
}

/// `text` with 13–19-digit runs masked as card numbers: all of them, or (`only_luhn`) those
/// that pass the Luhn check (a PG's 14-digit timestamps stay legible in wire views).
fn digit_runs(text: &str, only_luhn: bool) -> String {
    match masked_digit_runs(text, only_luhn) {
        Some(masked) => masked,
        None => text.to_string(),
    }
}

/// [`digit_runs`], or `None` when nothing in `text` needs masking (most strings: fewer than
/// 13 digits in all), without copying it.
fn masked_digit_runs(text: &str, only_luhn: bool) -> Option<String> {
    if text.bytes().filter(u8::is_ascii_digit).count() < 13 {
        return None;
    }
    let masked = rewrite_digit_runs(text, only_luhn);
    (masked != text).then_some(masked)
}

fn rewrite_digit_runs(text: &str, only_luhn: bool) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        if chars[i].is_ascii_digit() {
            // The longest run of digits with single separators between them.
            let mut j = i;
            let mut digits = String::new();
            let mut end = i;
            while j < chars.len() {
                if chars[j].is_ascii_digit() {
                    digits.push(chars[j]);
                    end = j + 1;
                    j += 1;
                } else if (chars[j] == ' ' || chars[j] == '-')
                    && chars.get(j + 1).is_some_and(char::is_ascii_digit)
                {
                    j += 1;
                } else {
                    break;
                }
            }
            if (13..=19).contains(&digits.len()) && (!only_luhn || luhn(&digits)) {
                out.push_str(&mask_card_number(&digits));
            } else {
                out.extend(&chars[i..end]);
            }
            i = end;
        } else {
            out.push(chars[i]);
            i += 1;
        }
    }
    out
}

/// Whether a JSON member's name says its value is a secret.
fn secret_name(name: &str) -> bool {
    // One pass over the name, no lower-cased copy, each position compared only with the words
    // starting with its letter: this runs for every member of every stored wire view.
    let b = name.as_bytes();
    let secret = (0..b.len()).any(|i| {
        let words: &[&[u8]] = match b[i].to_ascii_lowercase() {
            b'p' => &[b"password", b"passwd", b"pin"],
            b's' => &[b"secret"],
            b'k' => &[b"key"],
            b't' => &[b"token"],
            b'b' => &[b"birth"],
            b'c' => &[b"cvc", b"cvv", b"credential"],
            b'r' => &[b"registrationnumber"],
            b'i' => &[b"identity"],
            _ => return false,
        };
        words.iter().any(|w| {
            b[i..]
                .get(..w.len())
                .is_some_and(|x| x.eq_ignore_ascii_case(w))
        })
    });
    // `channelKey` names a channel, not a credential.
    secret && !name.eq_ignore_ascii_case("channelkey")
}

/// `v` with secret-named members masked and every string masked as [`text`].
pub fn json(v: &Value) -> Value {
    json_with(v, false)
}

/// A wire view masked: secret-named members whole, and digit runs that pass the Luhn check
/// (every card number does) as card numbers. What the view's adapter already masked stays
/// masked; the request's own secrets are searched for when it is stored
/// ([`crate::wire_log`]).
pub fn wire_json(v: &Value) -> Value {
    json_with(v, true)
}

/// [`wire_json`] of JSON text, pretty-printed (text that is not JSON masked as text).
pub fn wire_json_text(s: &str) -> String {
    match serde_json::from_str::<Value>(s) {
        Ok(v) => serde_json::to_string_pretty(&wire_json(&v)).unwrap_or_default(),
        Err(_) => digit_runs(s, true),
    }
}

fn json_with(v: &Value, only_luhn: bool) -> Value {
    let mut out = v.clone();
    mask_in_place(&mut out, only_luhn);
    out
}

/// [`wire_json`] of a view the caller owns, masked where it is (no copy).
pub fn wire_json_in_place(v: &mut Value) {
    mask_in_place(v, true);
}

fn mask_in_place(v: &mut Value, only_luhn: bool) {
    match v {
        Value::String(s) => {
            if let Some(masked) = masked_digit_runs(s, only_luhn) {
                *s = masked;
            }
        }
        Value::Array(a) => a.iter_mut().for_each(|x| mask_in_place(x, only_luhn)),
        Value::Object(m) => {
            for (k, x) in m.iter_mut() {
                if !secret_name(k) {
                    mask_in_place(x, only_luhn);
                    continue;
                }
                match x {
                    Value::Null => {}
                    Value::String(s) => *s = mask_all(s),
                    other => *other = Value::String("****".into()),
                }
            }
        }
        _ => {}
    }
}

/// JSON text pretty-printed and masked; text that is not JSON is masked as [`text`].
pub fn json_text(s: &str) -> String {
    match serde_json::from_str::<Value>(s) {
        Ok(v) => serde_json::to_string_pretty(&json(&v)).unwrap_or_default(),
        Err(_) => text(s),
    }
}

/// A URL without its query, fragment or user info.
pub fn url(u: &str) -> String {
    match reqwest::Url::parse(u) {
        Ok(p) if p.has_host() => {
            let port = p.port().map(|n| format!(":{n}")).unwrap_or_default();
            let query = if p.query().is_some() { "?…" } else { "" };
            format!(
                "{}://{}{port}{}{query}",
                p.scheme(),
                p.host_str().unwrap_or(""),
                p.path()
            )
        }
        _ => text(u),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn card_numbers_keys_and_url_tokens_never_show() {
        assert_eq!(
            text("card 4111 1111 1111 1111 ok"),
            "card 411111******1111 ok"
        );
        assert_eq!(text("4111-1111-1111-1111"), "411111******1111");
        assert_eq!(text("order 1234 of 2026-05-01"), "order 1234 of 2026-05-01");
        assert_eq!(text("010-1234-5678"), "010-1234-5678");
        let v = json(&json!({
            "billingKey": "billing-key-abcdef123456",
            "channelKey": "galaxia-test",
            "card": {"number": "4111111111111111", "password": "12"},
            "note": ["4111111111111111"]
        }));
        let s = v.to_string();
        assert!(
            !s.contains("4111111111111111") && !s.contains("abcdef123456"),
            "{s}"
        );
        assert_eq!(v["channelKey"], "galaxia-test");
        assert_eq!(v["card"]["password"], "**");
        assert_eq!(
            url("https://u:p@shop.example/hook?token=abc"),
            "https://shop.example/hook?…"
        );
        assert_eq!(url("paymux-sandbox:inbox"), "paymux-sandbox:inbox");
        // Wire views: card numbers (Luhn) masked, a PG's timestamps kept.
        let w = wire_json(
            &json!({"CARD_NO": "4111111111111111", "ORDER_DATE": "20250301101500", "PIN": "1234"}),
        );
        assert_eq!(w["CARD_NO"], "411111******1111");
        assert_eq!(w["ORDER_DATE"], "20250301101500");
        assert_eq!(w["PIN"], "****");
        assert_eq!(json(&json!("20250301101500")), json!("202503****1500"));
    }

    #[test]
    fn names_of_any_length_and_nested_members_are_masked() {
        let long = format!("{}Password", "x".repeat(80));
        let mut v = json!({
            long.clone(): "hunter22",
            "비밀번호Key": 42,
            "list": [{"cardPin": "1234"}, "4111 1111 1111 1111", "20250301101500"],
            "digits": "order 1234567890123",
        });
        wire_json_in_place(&mut v);
        assert_eq!(v[long.as_str()], "********");
        assert_eq!(v["비밀번호Key"], "****");
        assert_eq!(v["list"][0]["cardPin"], "****");
        assert_eq!(v["list"][1], "411111******1111");
        // Not a card number (Luhn): a wire view keeps it.
        assert_eq!(v["list"][2], "20250301101500");
        assert_eq!(v["digits"], "order 1234567890123");
        assert_eq!(
            wire_json(&json!({"a": "4111111111111111"}))["a"],
            "411111******1111"
        );
    }
}
