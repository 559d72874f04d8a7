//! Wire snapshots of every operation in both interfaces, deterministic through a fixed clock.
//!
//! - WEBFEP: method, URL, headers (the `pgapi` key masked) and the JSON body as sent, secrets
//!   masked. The test also checks that the masked view is the exact body, field for field and in
//!   order, except for the masked values.
//! - KSPay: the frame's layout field by field (`offset width kind name value`, as
//!   [`layout_table`] prints it) to check against the bean's tables, then the exact bytes with
//!   the secret fields starred. The test also checks that the layout covers every byte and that
//!   each shown value is what the bytes hold.
//!
//! After a deliberate change: `cargo insta review` (or `INSTA_UPDATE=always cargo test -p
//! paymux-ksnet --test snapshots` and read the diff).

mod common;

use common::*;
use paymux_core::adapter::{PgAdapter, PgRequest, WireRequest, WireTarget};
use paymux_core::wire::{charset, layout_table, Charset, FieldKind};
use paymux_ksnet::frame::kspay::spans_of_view;
use paymux_ksnet::{KsnetAdapter, Protocol, DESCRIPTOR};
use serde_json::{json, Value};

/// Validate and encode against KSNET's own hosts; render what a reviewer checks.
fn render(protocol: Protocol, req: &PgRequest) -> String {
    let ch = channel(protocol, "");
    let c = ctx(&ch);
    paymux_core::execute::validate(&KsnetAdapter, &c, req).expect("a valid request");
    let w = KsnetAdapter.encode(&c, req).expect("encodes");
    let head = format!("operation: {}\n", req.operation());
    match protocol {
        Protocol::Webfep => head + &render_http(&w),
        Protocol::Kspay => head + &render_tcp(&w),
    }
}

fn render_http(w: &WireRequest) -> String {
    let WireTarget::Http {
        method,
        url,
        headers,
        ..
    } = &w.target
    else {
        panic!("a WEBFEP request goes over HTTP");
    };
    // The view is the body, masked: the same fields, the same values but the secrets. The
    // snapshot prints the body's own field order (the view, a JSON map, is sorted).
    let body = Ordered::of(&w.body);
    let Value::Object(v) = &*w.view else {
        panic!("the view is a JSON object");
    };
    let mut keys: Vec<&String> = body.0.iter().map(|(k, _)| k).collect();
    keys.sort();
    assert_eq!(
        keys,
        v.keys().collect::<Vec<_>>(),
        "the view has the body's fields"
    );
    for (k, bv) in &body.0 {
        let masked = v[k].as_str().is_some_and(|s| s.contains('*'));
        assert!(masked || *bv == v[k], "{k}: the view differs from the body");
    }
    let mut out = format!("{method} {url}\n");
    for h in headers {
        out.push_str(&format!("{}: {}\n", h.name, h.view_value()));
    }
    out.push_str("\n{\n");
    let n = body.0.len();
    for (i, (k, _)) in body.0.iter().enumerate() {
        let sep = if i + 1 < n { "," } else { "" };
        out.push_str(&format!("  {}: {}{sep}\n", json!(k), v[k]));
    }
    out.push_str("}\n");
    out
}

/// A flat JSON object's fields in the order of the bytes.
struct Ordered(Vec<(String, Value)>);

impl Ordered {
    fn of(bytes: &[u8]) -> Ordered {
        serde_json::from_slice(bytes).expect("the body is a JSON object")
    }
}

impl<'de> serde::Deserialize<'de> for Ordered {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Ordered;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut m: A,
            ) -> Result<Ordered, A::Error> {
                let mut v = Vec::new();
                while let Some(e) = m.next_entry::<String, Value>()? {
                    v.push(e);
                }
                Ok(Ordered(v))
            }
        }
        d.deserialize_map(V)
    }
}

fn render_tcp(w: &WireRequest) -> String {
    let WireTarget::Tcp { host, port, .. } = &w.target else {
        panic!("a KSPay request goes over TCP");
    };
    let spans = spans_of_view(&w.view);
    // The layout covers the frame byte for byte, and shows what the bytes hold.
    let mut at = 0;
    let mut shown = w.body.clone();
    for s in &spans {
        assert_eq!(
            s.offset, at,
            "{} starts where the previous field ended",
            s.name
        );
        at += s.width;
        let bytes = &w.body[s.offset..s.offset + s.width];
        let secret = !s.view.is_empty() && s.view.chars().all(|c| c == '*');
        if secret {
            shown[s.offset..s.offset + s.width].fill(b'*');
            continue;
        }
        match s.kind {
            FieldKind::Numeric => assert_eq!(bytes, s.view.as_bytes(), "{}", s.name),
            _ => {
                let text = charset::decode(&s.name, bytes, Charset::EucKr).expect("strict EUC-KR");
                assert_eq!(text.trim_end_matches(' '), s.view, "{}", s.name);
            }
        }
    }
    assert_eq!(at, w.body.len(), "the layout covers the whole frame");
    let len: usize = std::str::from_utf8(&w.body[..4]).unwrap().parse().unwrap();
    assert_eq!(len, w.body.len() - 4, "LEN counts HEAD + DATA");
    format!(
        "tcp {host}:{port}, {} bytes\n\n{}\nbytes (EUC-KR escaped, secret fields starred):\n\"{}\"\n",
        w.body.len(),
        layout_table(&spans),
        shown.escape_ascii()
    )
}

macro_rules! both {
    ($name:ident, $req:expr) => {
        mod $name {
            use super::*;

            #[test]
            fn webfep() {
                insta::assert_snapshot!("webfep", render(Protocol::Webfep, &$req));
            }

            #[test]
            fn kspay() {
                insta::assert_snapshot!("kspay", render(Protocol::Kspay, &$req));
            }
        }
    };
}

#[test]
fn descriptor() {
    insta::assert_yaml_snapshot!(&DESCRIPTOR);
}

both!(
    payment_instant_card_noncert,
    request(
        paymux_core::adapter::Operation::PaymentInstant,
        instant_body("order-0001", CARD_OK, 1004, false)
    )
);

both!(
    payment_instant_card_oldcert,
    instant("order-0002", CARD_OK, 50_004)
);

both!(
    payment_instant_card_long_order_name_is_cut_between_syllables,
    {
        let mut b = instant_body("order-0003", CARD_OK, 1000, false);
        // 27 syllables + 2 spaces = 56 bytes of EUC-KR: cut to 50 without splitting a syllable.
        b["orderName"] = json!("나이키 와플 트레이너 이 에스디 외 세 건 사이즈 이백칠십");
        b["amount"] = json!({ "total": 1000, "taxFree": 100, "vat": 82 });
        b["productType"] = json!("DIGITAL");
        request(paymux_core::adapter::Operation::PaymentInstant, b)
    }
);

both!(payment_instant_card_usd, {
    let mut b = instant_body("order-0004", CARD_OK, 1234, false);
    b["currency"] = json!("USD");
    request(paymux_core::adapter::Operation::PaymentInstant, b)
});

both!(
    payment_instant_virtual_account,
    virtual_account("order-va-01", 25_000, None)
);

both!(
    payment_instant_virtual_account_permanent,
    virtual_account("order-va-02", 25_000, Some("10185164017326"))
);

both!(
    billing_key_issue,
    issue_billing_key("bk-portone-1", CARD_OK)
);

both!(
    payment_billing_key,
    charge_billing_key("order-0005", PG_KEY, 9_900)
);

both!(
    billing_key_delete,
    delete_billing_key("bk-portone-1", PG_KEY)
);

both!(
    payment_cancel_full,
    cancel("order-0002", None, prior("100000000001", 50_004, 0, 0))
);

both!(
    payment_cancel_partial_third,
    cancel(
        "order-0002",
        Some(1_000),
        prior("100000000001", 50_004, 2_000, 2)
    )
);

both!(
    payment_cancel_partial_with_tax_free,
    request(
        paymux_core::adapter::Operation::PaymentCancel,
        json!({
            "paymentId": "order-0002", "reason": "부분 환불", "amount": 3000, "taxFreeAmount": 500,
            "prior": {
                "pgTxId": "100000000001", "paidAt": "2025-03-01T10:15:00+09:00",
                "amount": { "total": 50004, "taxFree": 1000 }, "cancelCount": 0, "method": "CARD"
            }
        })
    )
);

both!(
    payment_cancel_by_order_number,
    cancel(
        "order-0002",
        None,
        json!({ "amount": { "total": 50004 }, "method": "CARD", "orderDate": "20250301101500" })
    )
);

both!(
    payment_get_by_tid,
    inquiry("order-0002", prior("100000000001", 50_004, 0, 0))
);

both!(
    payment_get_by_order_number,
    inquiry(
        "order-0098",
        json!({ "method": "CARD", "orderDate": "20250314092653" })
    )
);
