//! The payments the list bench loads: realistic rows, generated deterministically from a seed
//! and the row's index, so the measuring run can name payments the filling run wrote.
//!
//! The shapes are what the gateway writes (`store::payments::claim` and the transitions):
//! the masked `PaymentMethod` JSON of an approved or declined card and of an issued virtual
//! account, the `Customer` JSON without birth date, the `SelectedChannel` JSON of the running
//! gateway's channels, and the search columns (`method_type`, `card_last4`, `customer_*`)
//! derived from them. Every row is settled (`reconcile_at` NULL), so the reconciler leaves
//! the loaded store alone during the measurement.

use chrono::{DateTime, FixedOffset, TimeZone, Utc};
use serde_json::{json, Value};

/// The columns of `payments` the loader writes, in order (the claim's columns).
pub const PAYMENT_COLUMNS: &[&str] = &[
    "id",
    "store_id",
    "transaction_id",
    "kind",
    "status",
    "outcome_unknown",
    "channel_key",
    "channel_json",
    "channel_group_json",
    "method_json",
    "billing_key",
    "schedule_id",
    "order_name",
    "currency",
    "amount_total",
    "amount_tax_free",
    "amount_vat",
    "amount_supply",
    "amount_cancelled",
    "amount_cancelled_tax_free",
    "amount_cancelled_vat",
    "customer_json",
    "custom_data",
    "extra_json",
    "notice_urls_json",
    "skip_webhook",
    "order_date",
    "pg_tx_id",
    "receipt_url",
    "paid_at",
    "failed_at",
    "failure_json",
    "cancelled_at",
    "cancel_count",
    "requested_at",
    "updated_at",
    "status_changed_at",
    "reconcile_at",
    "reconcile_attempts",
    "method_type",
    "customer_name",
    "customer_email",
    "customer_phone",
    "card_last4",
    "search_ready",
];

/// The columns of `cancellations` the loader writes.
pub const CANCELLATION_COLUMNS: &[&str] = &[
    "id",
    "payment_id",
    "status",
    "total_amount",
    "tax_free_amount",
    "vat_amount",
    "balance_before",
    "reason",
    "pg_cancellation_id",
    "requested_at",
    "cancelled_at",
    "skip_webhook",
    "reconcile_attempts",
];

/// One column value.
#[derive(Debug, Clone)]
pub enum V {
    /// TEXT (NULL when `None`).
    T(Option<String>),
    /// BIGINT (NULL when `None`).
    I(Option<i64>),
}

fn t(s: impl Into<String>) -> V {
    V::T(Some(s.into()))
}
fn i(v: i64) -> V {
    V::I(Some(v))
}
const NULL_I: V = V::I(None);

/// SplitMix64: a bijection on `u64`, so distinct inputs give distinct ids.
pub fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A small deterministic generator (no dependency, same stream on every machine).
pub struct Rng(u64);

impl Rng {
    /// Seeded.
    pub fn new(seed: u64) -> Rng {
        Rng(mix(seed))
    }
    /// Next 64 bits.
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(1);
        mix(self.0)
    }
    /// Uniform in `0..n`.
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    /// Uniform in `[0, 1)`.
    pub fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    /// One of `xs`.
    pub fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len() as u64) as usize]
    }
    /// One of `xs` by weight.
    pub fn weighted<'a, T>(&mut self, xs: &'a [(T, u32)]) -> &'a T {
        let total: u64 = xs.iter().map(|(_, w)| u64::from(*w)).sum();
        let mut r = self.below(total);
        for (x, w) in xs {
            if r < u64::from(*w) {
                return x;
            }
            r -= u64::from(*w);
        }
        &xs[xs.len() - 1].0
    }
}

fn base36(mut v: u64, width: usize) -> String {
    const DIGITS: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    let mut out = vec![b'0'; width];
    for slot in out.iter_mut().rev() {
        *slot = DIGITS[(v % 36) as usize];
        v /= 36;
    }
    String::from_utf8(out).unwrap_or_default()
}

/// The `paymentId` of row `i` (letters and digits only, as every PG accepts).
pub fn payment_id(seed: u64, i: u64) -> String {
    format!(
        "pay{}",
        base36(mix(seed ^ i.wrapping_mul(0xD1B5_4A32_D192_ED03)), 13)
    )
}

/// The stores the payments belong to, by share.
pub const STORES: &[(&str, u32)] = &[
    ("store-4f1c2a7e-0b3d-4e55-9a61-1c2d3e4f5a01", 48),
    ("store-8a9b0c1d-2e3f-4a5b-8c6d-7e8f9a0b1c02", 24),
    ("store-13579bdf-2468-4ace-9bdf-13579bdf2403", 14),
    ("store-02468ace-1357-49bd-8ace-02468ace1304", 9),
    ("store-fedcba98-7654-4321-8fed-cba987654305", 5),
];

/// What is sold: order name and price (KRW).
const PRODUCTS: &[(&str, i64)] = &[
    ("아메리카노 2잔", 9000),
    ("카페라떼 외 1건", 11500),
    ("무선 이어폰", 89000),
    ("무선 이어폰 케이스", 15900),
    ("겨울 패딩 점퍼", 129000),
    ("러닝화", 79000),
    ("월간 구독 (프리미엄)", 14900),
    ("월간 구독 (베이직)", 7900),
    ("연간 구독", 99000),
    ("책 3권", 45000),
    ("유기농 사과 5kg", 32000),
    ("제주 감귤 10kg", 28900),
    ("생수 2L x 12", 8900),
    ("노트북 거치대", 39000),
    ("기계식 키보드", 149000),
    ("USB-C 충전기 65W", 42000),
    ("영화 예매 2매", 28000),
    ("공연 티켓 R석", 154000),
    ("호텔 1박 (디럭스)", 189000),
    ("렌터카 24시간", 72000),
    ("배달 주문 (치킨)", 23000),
    ("배달 주문 (피자 외 2건)", 35900),
    ("화장품 세트", 58000),
    ("선크림 외 3건", 46700),
    ("반려동물 사료 6kg", 54000),
    ("유아 기저귀 대형", 31900),
    ("캠핑 의자", 67000),
    ("텀블러", 24000),
    ("온라인 강의 수강권", 210000),
    ("Gift card 50,000", 50000),
];

const SURNAMES: &[(&str, u32)] = &[
    ("김", 21),
    ("이", 15),
    ("박", 8),
    ("최", 5),
    ("정", 5),
    ("강", 2),
    ("조", 2),
    ("윤", 2),
    ("장", 2),
    ("임", 2),
    ("한", 1),
    ("오", 1),
    ("서", 1),
    ("신", 1),
    ("권", 1),
    ("황", 1),
    ("안", 1),
    ("송", 1),
    ("홍", 1),
];
const GIVEN: &[&str] = &[
    "민", "서", "지", "현", "준", "우", "하", "윤", "도", "연", "수", "영", "예", "은", "진", "호",
    "성", "재", "원", "아", "유", "주", "혜", "나", "경", "태", "승", "희", "빈", "율",
];
const MAIL_DOMAINS: &[&str] = &[
    "naver.com",
    "gmail.com",
    "daum.net",
    "kakao.com",
    "example.kr",
];
/// Card BIN, issuer code and name (as the simulators answer them).
const CARDS: &[(&str, &str, &str)] = &[
    ("451842", "0001", "시뮬레이터카드"),
    ("536181", "41", "SHINHAN_CARD"),
    ("940915", "11", "KB_KOOKMIN_CARD"),
    ("625817", "21", "HYUNDAI_CARD"),
    ("457973", "31", "SAMSUNG_CARD"),
    ("523558", "51", "LOTTE_CARD"),
];
const BANKS: &[&str] = &["SHINHAN", "KOOKMIN", "WOORI", "HANA", "NONGHYEOP", "IBK"];
const DECLINES: &[(&str, &str, &str)] = &[
    ("S002", "승인거절/카드사거절", "card_declined"),
    ("S051", "잔액부족", "insufficient_funds"),
    ("S054", "유효기간 오류", "expired_card"),
    ("S055", "비밀번호 오류", "incorrect_password"),
];
const AGENTS: &[&str] = &[
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15",
    "Mozilla/5.0 (Linux; Android 14; SM-S921N) AppleWebKit/537.36 Chrome/124.0 Mobile",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/124.0",
    "portone-server-sdk/0.9 node/20",
];

/// A customer of the pool: name, and maybe email and phone (the same customer pays again).
fn customer(c: u64) -> (String, Option<String>, Option<String>) {
    let mut r = Rng::new(c ^ 0xC057_0000);
    let name = format!("{}{}{}", r.weighted(SURNAMES), r.pick(GIVEN), r.pick(GIVEN));
    let email = (r.unit() < 0.7).then(|| format!("user{c}@{}", r.pick(MAIL_DOMAINS)));
    let phone = (r.unit() < 0.75).then(|| format!("010{:08}", mix(c) % 100_000_000));
    (name, email, phone)
}

/// One channel of the running gateway: its key, adapter and `SelectedChannel` JSON.
#[derive(Debug, Clone)]
pub struct Channel {
    /// Channel key.
    pub key: String,
    /// Adapter id.
    pub adapter: String,
    /// `SelectedChannel` JSON as the gateway stores it.
    pub json: String,
}

/// Share of card payments by adapter (any adapter not listed: 5).
fn card_weight(adapter: &str) -> u32 {
    match adapter {
        "galaxia" | "tosspayments" => 25,
        "nice" => 20,
        "inicis" => 15,
        "ksnet" => 10,
        _ => 5,
    }
}

fn micros_kst(us: i64) -> DateTime<FixedOffset> {
    let kst = FixedOffset::east_opt(9 * 3600).expect("KST");
    kst.timestamp_micros(us).single().unwrap_or_else(|| {
        Utc.timestamp_opt(0, 0)
            .single()
            .expect("epoch")
            .with_timezone(&kst)
    })
}

fn rfc3339(us: i64) -> String {
    micros_kst(us)
        .with_timezone(&Utc)
        .format("%Y-%m-%dT%H:%M:%S%.3fZ")
        .to_string()
}

/// How many days of payments the store holds: a year, so `GET /payments`' default range (the
/// last 90 days, as PortOne) holds about a quarter of them, as a store in use for a while.
pub const SPAN_DAYS: i64 = 365;

/// `n` creation times over the [`SPAN_DAYS`] days before `now_us`, oldest first, busier in the
/// Korean daytime and evening than at night.
pub fn request_times(seed: u64, n: u64, now_us: i64) -> Vec<i64> {
    const DAY: i64 = 86_400_000_000;
    let start = now_us - SPAN_DAYS * DAY;
    let mut r = Rng::new(seed ^ 0x7133);
    let mut out = Vec::with_capacity(n as usize);
    while (out.len() as u64) < n {
        let at = start + (r.unit() * (SPAN_DAYS * DAY) as f64) as i64;
        let hour = ((at / 3_600_000_000) + 9).rem_euclid(24);
        let weight = match hour {
            2..=6 => 0.15,
            7..=9 => 0.6,
            10..=22 => 1.0,
            _ => 0.5,
        };
        if r.unit() < weight {
            out.push(at);
        }
    }
    out.sort_unstable();
    out
}

/// Row `i` of `payments`, created at `at`, and its cancellation row when it has one.
pub fn payment(
    seed: u64,
    row_index: u64,
    at: i64,
    now_us: i64,
    channels: &[Channel],
) -> (Vec<V>, Option<Vec<V>>) {
    let mut r = Rng::new(seed ^ mix(row_index));
    let id = payment_id(seed, row_index);
    let store = *r.weighted(STORES);
    let virtual_account = r.unit() < 0.12;
    let va_channels: Vec<&Channel> = channels
        .iter()
        .filter(|c| matches!(c.adapter.as_str(), "smartro" | "ksnet"))
        .collect();
    let channel = if virtual_account && !va_channels.is_empty() {
        *r.pick(&va_channels)
    } else {
        let ws: Vec<(&Channel, u32)> = channels
            .iter()
            .map(|c| (c, card_weight(&c.adapter)))
            .collect();
        *r.weighted(&ws)
    };
    let billing = !virtual_account && r.unit() < 0.2;
    let (order_name, price) = *r.pick(PRODUCTS);
    let total = if r.unit() < 0.3 {
        price * (1 + r.below(3) as i64)
    } else {
        price
    };
    let tax_free = if order_name.contains("책") { total } else { 0 };
    let vat = ((total - tax_free) as f64 / 11.0).round() as i64;
    let status = if virtual_account {
        if now_us - at < 3 * 86_400_000_000 && r.unit() < 0.5 {
            "VIRTUAL_ACCOUNT_ISSUED"
        } else {
            *r.weighted(&[("PAID", 85), ("CANCELLED", 15)])
        }
    } else {
        *r.weighted(&[
            ("PAID", 72),
            ("FAILED", 16),
            ("CANCELLED", 8),
            ("PARTIAL_CANCELLED", 3),
            ("READY", 1),
        ])
    };
    let cust = customer(r.below(200_000));
    let mut cust_json = serde_json::Map::new();
    if billing {
        cust_json.insert("id".into(), json!(format!("cust-{}", r.below(40_000))));
    }
    cust_json.insert("name".into(), json!(cust.0));
    if let Some(e) = &cust.1 {
        cust_json.insert("email".into(), json!(e));
    }
    if let Some(p) = &cust.2 {
        cust_json.insert("phoneNumber".into(), json!(p));
    }
    let (bin, issuer, card_name) = *r.pick(CARDS);
    let last4 = format!("{:04}", r.below(10_000));
    let tx_seq = mix(seed ^ row_index ^ 0x7E57);
    let pg_tx_id = (status != "READY").then(|| match channel.adapter.as_str() {
        "galaxia" => format!("SIM{:014}", tx_seq % 100_000_000_000_000),
        "tosspayments" => format!("tsim{}", base36(tx_seq, 22)),
        other => format!("{}{}", &other[..2.min(other.len())], base36(tx_seq, 20)),
    });
    let settled_at = at + 150_000 + r.below(2_500_000) as i64;
    let paid_like = matches!(status, "PAID" | "CANCELLED" | "PARTIAL_CANCELLED");
    let method = if virtual_account {
        json!({
            "accountNumber": format!("9{:013}", tx_seq % 10_000_000_000_000),
            "bank": r.pick(BANKS),
            "expiredAt": rfc3339(at + 86_400_000_000),
            "issuedAt": rfc3339(settled_at),
            "remitteeName": Value::Null,
            "type": "PaymentMethodVirtualAccount",
        })
    } else if paid_like {
        json!({
            "approvalNumber": format!("{:08}", tx_seq % 100_000_000),
            "card": {"bin": bin, "issuer": issuer, "name": card_name,
                     "number": format!("{bin}******{last4}"), "publisher": issuer},
            "type": "PaymentMethodCard",
        })
    } else {
        json!({"card": {"bin": bin, "number": format!("{bin}******{last4}")}, "type": "PaymentMethodCard"})
    };
    let mut extra = json!({"origin": {
        "ipAddress": format!("211.{}.{}.{}", r.below(256), r.below(256), 1 + r.below(254)),
        "platformType": "API",
        "userAgent": r.pick(AGENTS),
    }});
    if channel.adapter == "ksnet" {
        extra["productType"] = json!("PHYSICAL");
    }
    let grouped = r.unit() < 0.3;
    let group_json = grouped.then(|| {
        json!({"id": "channel-group-test-00000000-0000-4000-8000-000000000001",
               "isForTest": true, "name": "sandbox demo"})
        .to_string()
    });
    // When the status last changed: settled a moment after the request; a cancel up to a
    // week later (never after now).
    let cancelled_at = matches!(status, "CANCELLED" | "PARTIAL_CANCELLED")
        .then(|| (settled_at + r.below(7 * 86_400_000_000) as i64).min(now_us));
    let changed = cancelled_at.unwrap_or(if status == "READY" { at } else { settled_at });
    let cancelled_amount = match status {
        "CANCELLED" => total,
        "PARTIAL_CANCELLED" => (total / 3).max(1),
        _ => 0,
    };
    let cancelled_vat =
        ((cancelled_amount - cancelled_amount.min(tax_free)) as f64 / 11.0).round() as i64;
    let cancelled_tax_free = cancelled_amount.min(tax_free);
    let failure = (status == "FAILED").then(|| {
        let (code, msg, why) = *r.pick(DECLINES);
        json!({"pgCode": code, "pgMessage": msg, "reason": format!("declined by the PG ({why})")})
            .to_string()
    });
    let card_last4 = (!virtual_account).then(|| last4.clone());
    let transaction_id = uuid_of(mix(tx_seq));
    let row = vec![
        t(id.clone()),
        t(store),
        t(transaction_id),
        t(if billing { "BILLING_KEY" } else { "INSTANT" }),
        t(status),
        i(0),
        t(channel.key.clone()),
        t(channel.json.clone()),
        V::T(group_json),
        t(method.to_string()),
        V::T(billing.then(|| format!("billing-key-{}", uuid_of(r.below(20_000))))),
        V::T((billing && r.unit() < 0.4).then(|| uuid_of(mix(row_index ^ 0x5C4E)))),
        t(order_name),
        t("KRW"),
        i(total),
        i(tax_free),
        i(vat),
        i(total - tax_free - vat),
        i(cancelled_amount),
        i(cancelled_tax_free),
        i(cancelled_vat),
        t(Value::Object(cust_json).to_string()),
        V::T((r.unit() < 0.3).then(|| format!("{{\"cartId\":\"cart-{}\"}}", r.below(1 << 30)))),
        t(extra.to_string()),
        t("[]"),
        i(0),
        t(micros_kst(at).format("%Y%m%d%H%M%S").to_string()),
        V::T(pg_tx_id.clone()),
        V::T(
            (paid_like && channel.adapter == "tosspayments")
                .then(|| {
                    pg_tx_id.as_ref().map(|p| {
                        format!("https://dashboard.tosspayments.com/receipt/redirection?transactionId={p}")
                    })
                })
                .flatten(),
        ),
        if paid_like {
            i(settled_at / 1_000_000 * 1_000_000)
        } else {
            NULL_I
        },
        if status == "FAILED" {
            i(settled_at)
        } else {
            NULL_I
        },
        V::T(failure),
        V::I(cancelled_at.filter(|_| status == "CANCELLED")),
        i(i64::from(cancelled_at.is_some())),
        i(at),
        i(changed),
        i(changed),
        NULL_I,
        i(0),
        t(if virtual_account {
            "VIRTUAL_ACCOUNT"
        } else {
            "CARD"
        }),
        t(cust.0.clone()),
        V::T(cust.1.clone()),
        V::T(cust.2.clone()),
        V::T(card_last4),
        i(1),
    ];
    debug_assert_eq!(row.len(), PAYMENT_COLUMNS.len());
    let cancellation = cancelled_at.map(|when| {
        vec![
            t(uuid_of(mix(row_index ^ 0xCA9C))),
            t(id),
            t("SUCCEEDED"),
            i(cancelled_amount),
            i(cancelled_tax_free),
            i(cancelled_vat),
            i(total),
            t(*r.pick(&["고객 요청", "단순 변심", "재고 부족", "중복 결제"])),
            V::T(pg_tx_id),
            i(when - 200_000),
            i(when),
            i(0),
            i(0),
        ]
    });
    (row, cancellation)
}

/// A version-4-shaped UUID from 64 bits (two mixes, so neighbours differ everywhere).
fn uuid_of(v: u64) -> String {
    let a = mix(v);
    let b = mix(a);
    format!(
        "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xffff,
        a & 0xfff,
        0x8000 | (b >> 48) & 0x3fff,
        b & 0xffff_ffff_ffff
    )
}

/// Text of a row the way PostgreSQL's `COPY … FROM STDIN` (text format) reads it.
pub fn copy_line(row: &[V], out: &mut String) {
    for (n, v) in row.iter().enumerate() {
        if n > 0 {
            out.push('\t');
        }
        match v {
            V::T(None) | V::I(None) => out.push_str("\\N"),
            V::I(Some(x)) => out.push_str(&x.to_string()),
            V::T(Some(s)) => {
                for c in s.chars() {
                    match c {
                        '\\' => out.push_str("\\\\"),
                        '\t' => out.push_str("\\t"),
                        '\n' => out.push_str("\\n"),
                        '\r' => out.push_str("\\r"),
                        c => out.push(c),
                    }
                }
            }
        }
    }
    out.push('\n');
}
