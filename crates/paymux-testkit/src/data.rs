//! Test data of one conformance run: test cards, payer secrets, ids, and the PortOne V2 JSON
//! bodies the scenarios send.
//!
//! Card numbers and birth dates are random per run (the test-card suffix is kept), so the
//! masking scenario can search every captured line for *this* run's secrets even when other
//! suites log concurrently in the same process.

use chrono::{DateTime, FixedOffset};
use paymux_core::adapter::Method;
use paymux_core::simulator::TestCard;
use rand::Rng;
use serde_json::{json, Map, Value};
use std::sync::atomic::{AtomicU32, Ordering};

/// The password (first two digits) every scenario card carries.
pub(crate) const CARD_PASSWORD: &str = "47";
/// Amount of a scenario payment, in KRW.
pub(crate) const PAYMENT_AMOUNT: i64 = 10_000;
/// Where a payment window returns to (never contacted).
pub(crate) const RETURN_URL: &str = "https://merchant.example/paymux/return";

/// The secrets and ids of one run.
#[derive(Debug)]
pub(crate) struct TestData {
    /// Eight hex digits unique to the run, in every id.
    pub run: String,
    /// Card numbers by test-card behavior.
    pub approve: String,
    pub declined: String,
    pub insufficient: String,
    pub late: String,
    pub dropped: String,
    /// Birth date `yyMMdd`.
    pub birth: String,
    /// Merchant's customer id.
    pub customer_id: String,
    seq: AtomicU32,
}

impl TestData {
    pub fn new() -> Self {
        let mut rng = rand::thread_rng();
        let run = format!("{:08x}", rng.gen::<u32>());
        let birth = format!(
            "{:02}{:02}{:02}",
            rng.gen_range(70..=99),
            rng.gen_range(1..=12),
            rng.gen_range(1..=28)
        );
        let data = TestData {
            customer_id: format!("cust{run}"),
            approve: card(&mut rng, "1111"),
            declined: card(&mut rng, "0002"),
            insufficient: card(&mut rng, "0051"),
            late: card(&mut rng, "0098"),
            dropped: card(&mut rng, "0099"),
            run,
            birth,
            seq: AtomicU32::new(0),
        };
        debug_assert_eq!(TestCard::of(&data.approve), TestCard::Approve);
        debug_assert_eq!(TestCard::of(&data.declined), TestCard::Declined);
        data
    }

    /// Every card number of the run.
    pub fn cards(&self) -> [&str; 5] {
        [
            &self.approve,
            &self.declined,
            &self.insufficient,
            &self.late,
            &self.dropped,
        ]
    }

    /// A fresh id with a prefix: `cf` + run + sequence (ASCII, ≤ 16 characters).
    pub fn id(&self, prefix: &str) -> String {
        let n = self.seq.fetch_add(1, Ordering::Relaxed);
        format!("{prefix}{}{n:03}", self.run)
    }

    fn credential(&self, number: &str) -> Value {
        json!({
            "number": number,
            "expiryYear": "30",
            "expiryMonth": "12",
            "birthOrBusinessRegistrationNumber": self.birth,
            "passwordTwoDigits": CARD_PASSWORD,
        })
    }

    fn customer(&self) -> Value {
        json!({
            "id": self.customer_id,
            "name": { "full": "홍길동" },
            "email": "payer@example.com",
            "phoneNumber": "01012345678",
        })
    }

    /// `payment.instant` with a keyed-in card.
    pub fn instant_card(&self, payment_id: &str, number: &str, amount: i64) -> Value {
        json!({
            "paymentId": payment_id,
            "channelKey": "conformance",
            "orderName": "테스트 주문",
            "amount": { "total": amount },
            "currency": "KRW",
            "method": { "card": { "credential": self.credential(number), "installmentMonth": 0 } },
            "customer": self.customer(),
        })
    }

    /// `payment.instant` issuing a virtual account.
    pub fn instant_virtual_account(&self, payment_id: &str, amount: i64) -> Value {
        json!({
            "paymentId": payment_id,
            "channelKey": "conformance",
            "orderName": "테스트 주문",
            "amount": { "total": amount },
            "currency": "KRW",
            "method": { "virtualAccount": {
                "bank": "KOOKMIN",
                "expiry": { "validHours": 72 },
                "option": { "type": "NORMAL" },
                "cashReceipt": { "type": "NO_RECEIPT" },
                "remitteeName": "테스트상점",
            } },
            "customer": self.customer(),
        })
    }

    /// `billing-key.issue`.
    pub fn issue_billing_key(&self, billing_key: &str, number: &str) -> Value {
        json!({
            "billingKey": billing_key,
            "channelKey": "conformance",
            "method": { "card": { "credential": self.credential(number) } },
            "customer": self.customer(),
        })
    }

    /// `payment.billing-key`.
    pub fn pay_with_billing_key(
        &self,
        payment_id: &str,
        billing_key: &str,
        prior: &Prior,
    ) -> Value {
        json!({
            "paymentId": payment_id,
            "billingKey": billing_key,
            "channelKey": "conformance",
            "orderName": "테스트 정기결제",
            "amount": { "total": prior.total },
            "currency": "KRW",
            "customer": self.customer(),
            "prior": prior.to_json(),
        })
    }

    /// `payment.cancel`; `amount: None` cancels everything left.
    pub fn cancel(&self, payment_id: &str, amount: Option<i64>, prior: &Prior) -> Value {
        let mut v = json!({
            "paymentId": payment_id,
            "reason": "테스트 취소",
            "prior": prior.to_json(),
        });
        if let Some(a) = amount {
            v["amount"] = json!(a);
        }
        v
    }

    /// `payment.get`.
    pub fn get(&self, payment_id: &str, prior: &Prior) -> Value {
        json!({ "paymentId": payment_id, "prior": prior.to_json() })
    }

    /// `virtual-account.close`.
    pub fn close_virtual_account(&self, payment_id: &str, prior: &Prior) -> Value {
        json!({ "paymentId": payment_id, "prior": prior.to_json() })
    }

    /// `billing-key.delete`.
    pub fn delete_billing_key(&self, billing_key: &str, prior: &Prior) -> Value {
        json!({ "billingKey": billing_key, "prior": prior.to_json() })
    }

    /// `checkout.prepare` of a `requestPayment` window.
    pub fn checkout_payment(
        &self,
        payment_id: &str,
        method: Method,
        amount: i64,
        now: DateTime<FixedOffset>,
    ) -> Value {
        let mut req = json!({
            "kind": "PAYMENT",
            "storeId": "store-conformance",
            "paymentId": payment_id,
            "channelKey": "conformance",
            "orderName": "테스트 주문",
            "totalAmount": amount,
            "currency": "KRW",
            "payMethod": method.as_str(),
            "customer": self.checkout_customer(),
            "redirectUrl": RETURN_URL,
        });
        match method {
            Method::VirtualAccount => {
                let due = (now + chrono::Duration::days(3)).format("%Y-%m-%d");
                req["virtualAccount"] = json!({ "accountExpiry": { "dueDate": due.to_string() } });
            }
            Method::Mobile => {
                req["productType"] = json!("DIGITAL");
                req["mobile"] = json!({});
            }
            Method::Card => req["card"] = json!({}),
            Method::Transfer => req["transfer"] = json!({}),
            _ => {}
        }
        json!({ "returnUrl": RETURN_URL, "checkout": req })
    }

    /// `checkout.prepare` of a `requestIssueBillingKey` window (CARD).
    pub fn checkout_issue_billing_key(&self, issue_id: &str) -> Value {
        json!({
            "returnUrl": RETURN_URL,
            "checkout": {
                "kind": "ISSUE_BILLING_KEY",
                "storeId": "store-conformance",
                "channelKey": "conformance",
                "billingKeyMethod": "CARD",
                "issueId": issue_id,
                "issueName": "테스트 정기결제",
                "customer": self.checkout_customer(),
                "redirectUrl": RETURN_URL,
            }
        })
    }

    /// `checkout.prepare` of a `requestIssueBillingKeyAndPay` window (MOBILE).
    pub fn checkout_billing_key_and_pay(&self, payment_id: &str, amount: i64) -> Value {
        json!({
            "returnUrl": RETURN_URL,
            "checkout": {
                "kind": "ISSUE_BILLING_KEY_AND_PAY",
                "storeId": "store-conformance",
                "paymentId": payment_id,
                "channelKey": "conformance",
                "orderName": "테스트 정기결제",
                "totalAmount": amount,
                "currency": "KRW",
                "billingKeyAndPayMethod": "MOBILE",
                "customer": self.checkout_customer(),
                "productType": "DIGITAL",
                "redirectUrl": RETURN_URL,
            }
        })
    }

    fn checkout_customer(&self) -> Value {
        json!({
            "customerId": self.customer_id,
            "fullName": "홍길동",
            "phoneNumber": "01012345678",
            "email": "payer@example.com",
        })
    }

    /// `checkout.complete` with what the window posted back.
    pub fn checkout_complete(
        &self,
        payment_id: &str,
        returned: &std::collections::BTreeMap<String, String>,
        prior: &Prior,
    ) -> Value {
        json!({
            "paymentId": payment_id,
            "returned": returned,
            "prior": prior.to_json(),
        })
    }
}

/// A random 16-digit, Luhn-valid card number ending in `suffix`.
fn card(rng: &mut impl Rng, suffix: &str) -> String {
    let mut digits: Vec<u32> = std::iter::once(4)
        .chain((0..11).map(|_| rng.gen_range(0..10)))
        .chain(suffix.chars().filter_map(|c| c.to_digit(10)))
        .collect();
    // Index 11 is an even position from the right (not doubled): pick it to make Luhn hold.
    for d in 0..10 {
        digits[11] = d;
        if luhn_ok(&digits) {
            break;
        }
    }
    digits
        .iter()
        .filter_map(|d| char::from_digit(*d, 10))
        .collect()
}

fn luhn_ok(digits: &[u32]) -> bool {
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| {
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

/// The earlier transaction, as a gateway would have stored it.
#[derive(Debug, Clone, Default)]
pub(crate) struct Prior {
    pub pg_tx_id: Option<String>,
    pub paid_at: Option<DateTime<FixedOffset>>,
    pub total: i64,
    pub cancelled: i64,
    pub cancel_count: u32,
    pub method: Option<Method>,
    pub order_date: Option<String>,
    pub pg_billing_key: Option<String>,
}

impl Prior {
    pub fn balance(&self) -> i64 {
        self.total - self.cancelled
    }

    pub fn to_json(&self) -> Value {
        let mut m = Map::new();
        if let Some(t) = &self.pg_tx_id {
            m.insert("pgTxId".into(), json!(t));
        }
        if let Some(p) = &self.paid_at {
            m.insert("paidAt".into(), json!(p.to_rfc3339()));
        }
        if self.total > 0 {
            m.insert(
                "amount".into(),
                json!({ "total": self.total, "cancelled": self.cancelled }),
            );
        }
        m.insert("cancelCount".into(), json!(self.cancel_count));
        if let Some(me) = self.method {
            m.insert("method".into(), json!(me.as_str()));
        }
        if let Some(d) = &self.order_date {
            m.insert("orderDate".into(), json!(d));
        }
        if let Some(k) = &self.pg_billing_key {
            m.insert("pgBillingKey".into(), json!(k));
        }
        Value::Object(m)
    }
}

/// Where a field sits in a request: `customer.name.full`, `products[0].name`.
fn segments(path: &str) -> Vec<Seg> {
    let mut out = Vec::new();
    for part in path.split('.') {
        let (name, rest) = match part.find('[') {
            Some(i) => (&part[..i], &part[i..]),
            None => (part, ""),
        };
        if !name.is_empty() {
            out.push(Seg::Key(name.to_string()));
        }
        for idx in rest.split('[').filter(|s| !s.is_empty()) {
            if let Ok(i) = idx.trim_end_matches(']').parse() {
                out.push(Seg::Index(i));
            }
        }
    }
    out
}

enum Seg {
    Key(String),
    Index(usize),
}

/// Set `value` at a unified field `path`, creating missing objects on the way. Returns false
/// when the path runs through something that is not an object (or a missing array element).
pub(crate) fn set_path(root: &mut Value, path: &str, value: Value) -> bool {
    let segs = segments(path);
    let mut cur = root;
    for (i, seg) in segs.iter().enumerate() {
        let last = i + 1 == segs.len();
        match seg {
            Seg::Key(k) => {
                let Some(obj) = cur.as_object_mut() else {
                    return false;
                };
                if last {
                    obj.insert(k.clone(), value);
                    return true;
                }
                cur = obj.entry(k.clone()).or_insert_with(|| json!({}));
            }
            Seg::Index(n) => {
                let Some(el) = cur.as_array_mut().and_then(|a| a.get_mut(*n)) else {
                    return false;
                };
                if last {
                    *el = value;
                    return true;
                }
                cur = el;
            }
        }
    }
    false
}

/// The value at a unified field `path`, if present.
pub(crate) fn get_path<'a>(root: &'a Value, path: &str) -> Option<&'a Value> {
    let mut cur = root;
    for seg in segments(path) {
        cur = match seg {
            Seg::Key(k) => cur.get(&k)?,
            Seg::Index(n) => cur.get(n)?,
        };
    }
    Some(cur)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cards_keep_their_suffix_and_pass_luhn() {
        let d = TestData::new();
        for (c, want) in [
            (&d.approve, TestCard::Approve),
            (&d.declined, TestCard::Declined),
            (&d.insufficient, TestCard::InsufficientFunds),
            (&d.late, TestCard::ApproveLate),
            (&d.dropped, TestCard::Drop),
        ] {
            assert_eq!(c.len(), 16, "{c}");
            assert_eq!(TestCard::of(c), want, "{c}");
            let digits: Vec<u32> = c.chars().filter_map(|x| x.to_digit(10)).collect();
            assert!(luhn_ok(&digits), "{c}");
        }
        assert!(luhn_ok(&[4, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]));
    }

    #[test]
    fn paths_set_and_get() {
        let mut v = json!({"customer": {"id": "a"}, "products": [{"name": "x"}]});
        assert!(set_path(&mut v, "customer.name.full", json!("n")));
        assert!(set_path(&mut v, "bypass.galaxia.ITEM_CODE", json!("I")));
        assert!(set_path(&mut v, "products[0].name", json!("y")));
        assert!(!set_path(&mut v, "products[3].name", json!("y")));
        assert!(!set_path(&mut v, "customer.id.deeper", json!("y")));
        assert_eq!(get_path(&v, "customer.name.full"), Some(&json!("n")));
        assert_eq!(get_path(&v, "bypass.galaxia.ITEM_CODE"), Some(&json!("I")));
        assert_eq!(get_path(&v, "products[0].name"), Some(&json!("y")));
        assert_eq!(get_path(&v, "nope"), None);
    }
}
