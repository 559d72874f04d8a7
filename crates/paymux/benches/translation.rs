//! Translation cost of every adapter operation next to a baseline measured in the same run.
//!
//! For each linked adapter (cargo feature) and each operation it declares, the setup runs the
//! operation once against the adapter's own simulator (in-process, on a local port) to capture
//! the real request and answer bytes. Then it measures:
//!
//! - `encode`: [`PgAdapter::encode`] of the request (deterministic clock and nonce);
//! - `decode`: [`PgAdapter::decode`] of the captured answer;
//! - each one's **baseline**: the unavoidable work for those same bytes, done with
//!   `paymux_core::wire` alone — the cipher (SEED-CBC / AES-256-CBC, both directions), base64,
//!   the hashes a signed call needs (SHA-256 / MD5) and the charset conversion of the text
//!   (EUC-KR or UTF-8). JSON building and parsing, field mapping, validation of the answer and
//!   the masked view are *not* in the baseline: they are what the target (≤ 2× baseline)
//!   bounds.
//!
//! After criterion's own report, a same-run table is printed (and written to
//! `target/paymux-bench/translation.md`): op and baseline are timed in alternating batches, 15
//! rounds each, and the table gives the median ns/op, the spread (half the inter-quartile
//! range, in % of the median) and the median of the per-round ratios. Nothing is asserted.
//!
//! `cargo xtask bench` runs this and the routing bench. Environment: `PAYMUX_BENCH_QUICK=1`
//! skips criterion's per-function runs and prints only the same-run table;
//! `PAYMUX_BENCH_FILTER=TEXT` keeps only the cases whose `adapter operation` contains TEXT
//! (e.g. `galaxia payment.instant`, for a profiler run); `PAYMUX_BENCH_PROFILE=N` times
//! nothing and runs each step `N` times for an instruction-counting profiler ([`profile`]).

use std::collections::BTreeMap;
use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, FixedOffset};
use criterion::Criterion;
use paymux_core::adapter::{
    EncodeContext, Operation, PgAdapter, PgRequest, WireRequest, WireResponse, WireTarget,
};
use paymux_core::channel::ChannelContext;
use paymux_core::outcome::{ApprovedDetail, Outcome};
use paymux_core::simulator::{Simulator, SimulatorHandle};
use paymux_core::transport::{NetTransport, Timeouts, Transport};
use paymux_core::wire::{charset, codec, crypto, form_urldecode, Charset};
use serde_json::{json, Value};

/// "Now" for every encode: 2025-03-14 09:26:53 KST.
fn now() -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339("2025-03-14T09:26:53+09:00").expect("valid date")
}
const ORDER_DATE: &str = "20250314092653";
const NONCE: [u8; 16] = [
    0x1a, 0x2b, 0x3c, 0x4d, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
];
const CARD_OK: &str = "4518420012345678";

/// One piece of unavoidable work, on inputs prepared at setup.
#[allow(dead_code)] // Which variants are built depends on the linked adapters.
enum Step {
    SeedEnc {
        key: [u8; 16],
        iv: [u8; 16],
        plain: Vec<u8>,
    },
    SeedDec {
        key: [u8; 16],
        iv: [u8; 16],
        cipher: Vec<u8>,
    },
    AesEnc {
        key: Vec<u8>,
        plain: Vec<u8>,
    },
    AesDec {
        key: Vec<u8>,
        cipher: Vec<u8>,
    },
    B64Enc(Vec<u8>),
    B64Dec(String),
    Sha256(Vec<u8>),
    Sha512(Vec<u8>),
    Md5(Vec<u8>),
    /// Encode this text to the charset (strict, as adapters do).
    Enc(Charset, String),
    /// Decode these bytes from the charset.
    Dec(Charset, Vec<u8>),
}

impl Step {
    fn run(&self) -> usize {
        match self {
            Step::SeedEnc { key, iv, plain } => {
                crypto::seed_cbc_encrypt(key, iv, plain).map_or(0, |v| v.len())
            }
            Step::SeedDec { key, iv, cipher } => {
                crypto::seed_cbc_decrypt(key, iv, cipher).map_or(0, |v| v.len())
            }
            Step::AesEnc { key, plain } => {
                crypto::aes_cbc_encrypt(key, &[0; 16], plain).map_or(0, |v| v.len())
            }
            Step::AesDec { key, cipher } => {
                crypto::aes_cbc_decrypt(key, &[0; 16], cipher).map_or(0, |v| v.len())
            }
            Step::B64Enc(b) => codec::b64_encode(b).len(),
            Step::B64Dec(t) => codec::b64_decode("b", t).map_or(0, |v| v.len()),
            Step::Sha256(b) => crypto::sha256(b)[0] as usize,
            Step::Sha512(b) => crypto::sha512(b)[0] as usize,
            Step::Md5(b) => crypto::md5(b)[0] as usize,
            Step::Enc(cs, t) => charset::encode("f", t, *cs).map_or(0, |v| v.len()),
            Step::Dec(cs, b) => charset::decode("f", b, *cs).map_or(0, |v| v.len()),
        }
    }
}

fn run_steps(steps: &[Step]) -> usize {
    steps.iter().map(Step::run).sum()
}

/// One operation of one adapter, captured from its simulator.
struct Case {
    adapter_id: &'static str,
    /// `payment.instant (card)`, ...
    name: String,
    adapter: Arc<dyn PgAdapter>,
    channel: Arc<ChannelContext>,
    req: PgRequest,
    wire: WireRequest,
    /// `None` for `checkout.prepare` (the browser posts the form; nothing answers the server).
    resp: Option<WireResponse>,
    encode_base: Vec<Step>,
    decode_base: Vec<Step>,
    /// Why the ratio is what it is, for the table.
    note: &'static str,
}

impl Case {
    fn ctx(&self) -> EncodeContext<'_> {
        EncodeContext {
            channel: &self.channel,
            now: now(),
            nonce: NONCE,
        }
    }
    fn encode(&self) -> usize {
        match self.adapter.encode(&self.ctx(), black_box(&self.req)) {
            Ok(w) => w.body.len(),
            Err(_) => 0,
        }
    }
    fn decode(&self) -> usize {
        let resp = self.resp.as_ref().expect("decode only with an answer");
        match self
            .adapter
            .decode(&self.ctx(), &self.req, &self.wire, black_box(resp))
        {
            Ok(o) => o.kind_str().len(),
            Err(_) => 0,
        }
    }
}

fn request(op: Operation, v: Value) -> PgRequest {
    PgRequest::from_json(op, &v.to_string()).unwrap_or_else(|e| panic!("{op}: {e}\n{v:#}"))
}

/// A simulator running on a local port, and what setup needs to drive it.
struct Sim {
    adapter_id: &'static str,
    adapter: Arc<dyn PgAdapter>,
    simulator: Arc<dyn Simulator>,
    handle: SimulatorHandle,
    transport: NetTransport,
}

impl Sim {
    async fn start(id: &'static str) -> Sim {
        let reg = paymux_core::registry::find(id).unwrap_or_else(|| panic!("{id} is not linked"));
        let simulator = (reg
            .simulator
            .expect("benches need the `simulators` feature"))();
        let handle = simulator
            .clone()
            .start(([127, 0, 0, 1], 0).into())
            .await
            .unwrap_or_else(|e| panic!("start the {id} simulator: {e}"));
        Sim {
            adapter_id: id,
            adapter: (reg.adapter)(),
            simulator,
            handle,
            transport: NetTransport::new(),
        }
    }

    fn channel(&self, key: &str) -> Arc<ChannelContext> {
        Arc::new(self.simulator.sandbox_channel(key, &self.handle.endpoint()))
    }

    /// Encode `req`, send it to the simulator, decode the answer; the outcome must be approved
    /// (or pending). Returns the captured case (baselines filled in by the caller).
    async fn capture(
        &self,
        channel: &Arc<ChannelContext>,
        name: &str,
        req: PgRequest,
    ) -> (Case, Outcome) {
        let ctx = EncodeContext {
            channel,
            now: now(),
            nonce: NONCE,
        };
        paymux_core::execute::validate(self.adapter.as_ref(), &ctx, &req)
            .unwrap_or_else(|e| panic!("{} {name}: invalid: {e}", self.adapter_id));
        let wire = self
            .adapter
            .encode(&ctx, &req)
            .unwrap_or_else(|e| panic!("{} {name}: encode: {e}", self.adapter_id));
        let (resp, outcome) = if matches!(wire.target, WireTarget::Browser { .. }) {
            (None, Outcome::Approved(prepared()))
        } else {
            let timeouts = Timeouts {
                connect: Duration::from_secs(2),
                read: Duration::from_secs(5),
            };
            let resp = self
                .transport
                .send(&wire, timeouts)
                .await
                .unwrap_or_else(|e| panic!("{} {name}: send: {e}", self.adapter_id));
            let outcome = self
                .adapter
                .decode(&ctx, &req, &wire, &resp)
                .unwrap_or_else(|e| panic!("{} {name}: decode: {e}", self.adapter_id));
            (Some(resp), outcome)
        };
        assert!(
            matches!(
                outcome,
                Outcome::Approved(_) | Outcome::Pending(_) | Outcome::VirtualAccountIssued(_)
            ),
            "{} {name}: the simulator did not approve: {outcome:?}",
            self.adapter_id
        );
        let case = Case {
            adapter_id: self.adapter_id,
            name: name.to_string(),
            adapter: self.adapter.clone(),
            channel: channel.clone(),
            req,
            wire,
            resp,
            encode_base: Vec::new(),
            decode_base: Vec::new(),
            note: "",
        };
        (case, outcome)
    }
}

fn prepared() -> paymux_core::outcome::Approved {
    paymux_core::outcome::Approved {
        receipt_url: None,
        pg_tx_id: None,
        at: None,
        amount: None,
        pg_code: String::new(),
        pg_message: String::new(),
        detail: ApprovedDetail::CheckoutPrepared,
    }
}

fn tid(o: &Outcome) -> String {
    match o {
        Outcome::Approved(a) => a.pg_tx_id.clone().unwrap_or_default(),
        Outcome::Pending(p) => p.pg_tx_id.clone().unwrap_or_default(),
        Outcome::VirtualAccountIssued(v) => v.pg_tx_id.clone().unwrap_or_default(),
        _ => String::new(),
    }
}

fn pg_billing_key(o: &Outcome) -> String {
    match o {
        Outcome::Approved(a) => match &a.detail {
            ApprovedDetail::BillingKeyIssued { pg_billing_key, .. } => {
                pg_billing_key.expose().clone()
            }
            other => panic!("not a billing key: {other:?}"),
        },
        other => panic!("not approved: {other:?}"),
    }
}

fn text(cs: Charset, bytes: &[u8]) -> String {
    charset::decode("bench", bytes, cs).unwrap_or_else(|_| String::from_utf8_lossy(bytes).into())
}

/// Form bodies (`checkout.prepare`): the values, re-encoded to the window's charset.
#[allow(dead_code)]
fn form_values(body: &[u8], cs: Charset) -> String {
    form_urldecode(body, cs)
        .unwrap_or_default()
        .into_iter()
        .map(|(_, v)| v)
        .collect()
}

fn customer() -> Value {
    json!({ "id": "user_01", "name": { "full": "홍길동" }, "email": "buyer@example.com", "phoneNumber": "010-1234-5678" })
}

// ---------------------------------------------------------------------------------------------
// Galaxia: BillGate TCP, SEED-CBC, EUC-KR TLV.

#[cfg(feature = "galaxia")]
mod galaxia_cases {
    use super::*;
    use paymux::galaxia::checkout::hash_data;
    use paymux::galaxia::frame::{Cipher, Telegram};

    const CS: Charset = Charset::EucKr;

    fn key_iv(ch: &ChannelContext) -> ([u8; 16], [u8; 16]) {
        let key = codec::b64_decode("key", ch.credential("key").expect("key").expose())
            .expect("base64 key");
        let iv = ch
            .credential("iv")
            .expect("iv")
            .expose()
            .as_bytes()
            .to_vec();
        (
            key.try_into().expect("16-byte key"),
            iv.try_into().expect("16-byte iv"),
        )
    }

    /// LEN(4) + clear header(34) + base64(SEED-CBC(opaque)).
    fn split(frame: &[u8]) -> (&[u8], &str) {
        let clear = &frame[4..38];
        let b64 = std::str::from_utf8(&frame[38..]).expect("ASCII base64");
        (clear, b64)
    }

    /// Encoding a frame: the text to EUC-KR, SEED-CBC over the opaque part, base64.
    pub(super) fn encode_steps(ch: &ChannelContext, frame: &[u8]) -> Vec<Step> {
        let (key, iv) = key_iv(ch);
        let (clear, b64) = split(frame);
        let raw = codec::b64_decode("b", b64).expect("base64");
        let plain = crypto::seed_cbc_decrypt(&key, &iv, &raw).expect("decrypts");
        let mut all = clear.to_vec();
        all.extend_from_slice(&plain);
        vec![
            Step::Enc(CS, text(CS, &all)),
            Step::SeedEnc { key, iv, plain },
            Step::B64Enc(raw),
        ]
    }

    /// Decoding a frame: base64, SEED-CBC, the text from EUC-KR.
    pub(super) fn decode_steps(ch: &ChannelContext, frame: &[u8]) -> Vec<Step> {
        let (key, iv) = key_iv(ch);
        let (clear, b64) = split(frame);
        let raw = codec::b64_decode("b", b64).expect("base64");
        let plain = crypto::seed_cbc_decrypt(&key, &iv, &raw).expect("decrypts");
        let mut all = clear.to_vec();
        all.extend_from_slice(&plain);
        vec![
            Step::B64Dec(b64.to_string()),
            Step::SeedDec {
                key,
                iv,
                cipher: raw,
            },
            Step::Dec(CS, all),
        ]
    }

    fn card() -> Value {
        json!({ "card": { "credential": {
            "number": CARD_OK, "expiryYear": "28", "expiryMonth": "06",
            "birthOrBusinessRegistrationNumber": "880315", "passwordTwoDigits": "37"
        }, "installmentMonth": 3 } })
    }

    fn instant(pid: &str, total: i64) -> PgRequest {
        request(
            Operation::PaymentInstant,
            json!({
                "paymentId": pid, "channelKey": "galaxia-test", "method": card(),
                "orderName": "테스트상품_123", "customer": customer(),
                "amount": { "total": total, "taxFree": 100 }, "currency": "KRW",
                "bypass": { "galaxia": { "ITEM_CODE": "ITEM01" } }
            }),
        )
    }

    fn prior(tid: &str, total: i64) -> Value {
        json!({ "pgTxId": tid, "amount": { "total": total, "cancelled": 0 }, "method": "CARD", "orderDate": ORDER_DATE })
    }

    /// What the window posts back: a `MESSAGE` telegram encrypted with the sandbox key.
    fn window_return(ch: &ChannelContext, pid: &str, amount: i64) -> BTreeMap<String, String> {
        let mid = ch.credential("mid").expect("mid").expose().clone();
        let mut t = Telegram::new(&mid, "0900", "3000", pid, ORDER_DATE);
        for (tag, v) in [
            ("0001", "user_01"),
            ("0012", &amount.to_string()),
            ("0008", CARD_OK),
        ] {
            t.put(tag, tag, v).expect("EUC-KR");
        }
        let cipher = Cipher::from_text(
            ch.credential("key").expect("key").expose(),
            ch.credential("iv").expect("iv").expose(),
        )
        .expect("cipher");
        let message = String::from_utf8(t.to_frame(&cipher).expect("frame")).expect("ASCII");
        [
            ("SERVICE_ID", mid.clone()),
            ("SERVICE_CODE", "0900".into()),
            ("ORDER_ID", pid.into()),
            ("ORDER_DATE", ORDER_DATE.into()),
            ("RESPONSE_CODE", "0000".into()),
            ("RESPONSE_MESSAGE", "인증성공".into()),
            ("MESSAGE", message),
            (
                "HASH_DATA",
                hash_data(&mid, pid, ORDER_DATE, &amount.to_string()),
            ),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect()
    }

    pub(super) async fn cases() -> Vec<Case> {
        let sim = Sim::start("galaxia").await;
        let ch = sim.channel("galaxia-test");
        let mut out = Vec::new();
        let mut push = |mut c: Case, note: &'static str| {
            c.encode_base = match &c.wire.target {
                WireTarget::Browser { .. } => vec![
                    Step::Enc(CS, form_values(&c.wire.body, CS)),
                    // CHECK_SUM: MD5 over rnd + MID + ORDER_ID + AMOUNT + salt.
                    Step::Md5(vec![b'0'; 48]),
                ],
                _ => encode_steps(&c.channel, &c.wire.body),
            };
            if let Some(r) = &c.resp {
                c.decode_base = decode_steps(&c.channel, &r.body);
            }
            c.note = note;
            out.push(c);
        };

        let (c, o) = sim
            .capture(&ch, "payment.instant (card)", instant("bench-g-1", 10_000))
            .await;
        let t1 = tid(&o);
        push(c, "");
        let (c, _) = sim
            .capture(
                &ch,
                "payment.get",
                request(
                    Operation::PaymentGet,
                    json!({ "paymentId": "bench-g-1", "prior": prior(&t1, 10_000) }),
                ),
            )
            .await;
        push(c, "");
        let cancel = |pid: &str, amount: Option<i64>, tid: &str| {
            let mut b =
                json!({ "paymentId": pid, "reason": "고객 요청", "prior": prior(tid, 10_000) });
            if let Some(a) = amount {
                b["amount"] = json!(a);
            }
            request(Operation::PaymentCancel, b)
        };
        let (c, _) = sim
            .capture(
                &ch,
                "payment.cancel (partial)",
                cancel("bench-g-1", Some(3000), &t1),
            )
            .await;
        push(c, "");
        let (_, o) = sim
            .capture(&ch, "setup", instant("bench-g-2", 10_000))
            .await;
        let (c, _) = sim
            .capture(
                &ch,
                "payment.cancel (full)",
                cancel("bench-g-2", None, &tid(&o)),
            )
            .await;
        push(c, "");
        let (c, o) = sim
            .capture(
                &ch,
                "billing-key.issue",
                request(
                    Operation::BillingKeyIssue,
                    json!({ "billingKey": "bk-bench-g", "channelKey": "galaxia-test",
                            "method": { "card": card()["card"].clone() }, "customer": customer() }),
                ),
            )
            .await;
        let key = pg_billing_key(&o);
        push(c, "");
        let (c, _) = sim
            .capture(
                &ch,
                "payment.billing-key (card)",
                request(
                    Operation::PaymentBillingKey,
                    json!({ "paymentId": "bench-g-3", "billingKey": "bk-bench-g",
                            "orderName": "정기결제 3월", "customer": customer(),
                            "amount": { "total": 9900 }, "currency": "KRW",
                            "prior": { "pgBillingKey": key, "method": "CARD" } }),
                ),
            )
            .await;
        push(c, "");
        let (c, _) = sim
            .capture(
                &ch,
                "billing-key.delete",
                request(
                    Operation::BillingKeyDelete,
                    json!({ "billingKey": "bk-bench-g", "prior": { "pgBillingKey": key } }),
                ),
            )
            .await;
        push(c, "");
        let (c, _) = sim
            .capture(
                &ch,
                "checkout.prepare (card)",
                request(
                    Operation::CheckoutPrepare,
                    json!({ "returnUrl": "https://gw.example.com/galaxia/return", "checkout": {
                        "kind": "PAYMENT", "storeId": "store-1", "channelKey": "galaxia-test",
                        "paymentId": "bench-g-win", "orderName": "테스트상품_123",
                        "totalAmount": 1004, "currency": "KRW", "payMethod": "CARD",
                        "customer": { "customerId": "user_01", "fullName": "홍길동",
                                      "email": "buyer@example.com", "phoneNumber": "010-1234-5678" },
                        "redirectUrl": "https://shop.example.com/return",
                        "bypass": { "galaxia": { "ITEM_CODE": "ITEM01" } } } }),
                ),
            )
            .await;
        push(
            c,
            "form: EUC-KR percent-encoding and the masked view on top of the conversion",
        );
        let returned = window_return(&ch, "bench-g-win", 1004);
        let message = returned["MESSAGE"].clone();
        let (mut c, _) = sim
            .capture(
                &ch,
                "checkout.complete (card)",
                request(
                    Operation::CheckoutComplete,
                    json!({ "paymentId": "bench-g-win", "returned": returned,
                            "prior": { "amount": { "total": 1004 }, "method": "CARD" } }),
                ),
            )
            .await;
        // Reading the return: the MESSAGE telegram is decrypted and HASH_DATA checked first.
        let mut base = decode_steps(&ch, message.as_bytes());
        base.push(Step::Sha256(vec![b'0'; 64]));
        base.extend(encode_steps(&ch, &c.wire.body));
        c.note = "";
        let decode_base = decode_steps(&ch, &c.resp.as_ref().expect("answer").body);
        c.encode_base = base;
        c.decode_base = decode_base;
        out.push(c);
        drop(sim);
        out
    }
}

// ---------------------------------------------------------------------------------------------
// Smartro: HTTP JSON, AES-256-CBC `EncData`, SHA-256 signatures.

#[cfg(feature = "smartro")]
mod smartro_cases {
    use super::*;
    use paymux::smartro::simulator::handlers::WINDOW_PATH;

    const CS: Charset = Charset::Utf8;
    /// Field names of the SHA-256 signatures a call may carry.
    const SIGNED: &[&str] = &["HashData", "VerifyValue", "EncryptData", "SignData"];

    fn aes_key(ch: &ChannelContext) -> Vec<u8> {
        let mk = ch
            .credential("merchant_key")
            .expect("merchant_key")
            .expose();
        mk.as_bytes()[..32].to_vec()
    }

    /// Encoding a call: JSON text to UTF-8, AES-256-CBC over the params, base64, and the
    /// SHA-256 signature when the call carries one.
    fn encode_steps(ch: &ChannelContext, wire: &WireRequest) -> Vec<Step> {
        let body: Value = serde_json::from_slice(&wire.body).unwrap_or(Value::Null);
        let Some(enc) = body.get("EncData").and_then(Value::as_str) else {
            // A clear JSON call (the window's approval): the text alone.
            return vec![Step::Enc(CS, text(CS, &wire.body))];
        };
        let key = aes_key(ch);
        let raw = codec::b64_decode("b", enc).expect("base64");
        let plain = crypto::aes_cbc_decrypt(&key, &[0; 16], &raw).expect("decrypts");
        let plain_text = text(CS, &plain);
        let mut steps = vec![Step::Enc(CS, plain_text.clone())];
        if SIGNED
            .iter()
            .any(|f| plain_text.contains(&format!("\"{f}\"")))
        {
            // Signature input: ids, amount and the 88-character merchant key (~128 bytes).
            steps.push(Step::Sha256(vec![b'0'; 128]));
        }
        steps.push(Step::AesEnc { key, plain });
        steps.push(Step::B64Enc(raw));
        steps
    }

    fn decode_steps(wire: &WireResponse) -> Vec<Step> {
        vec![Step::Dec(CS, wire.body.clone())]
    }

    /// A stored billing key is the AES `BillTokenKey`: using it means decrypting it.
    fn key_steps(ch: &ChannelContext, stored: &str) -> Vec<Step> {
        let raw = codec::b64_decode("b", stored).expect("base64");
        vec![
            Step::B64Dec(stored.to_string()),
            Step::AesDec {
                key: aes_key(ch),
                cipher: raw,
            },
        ]
    }

    fn prior(tid: &str, method: &str, total: i64) -> Value {
        json!({ "pgTxId": tid, "paidAt": "2025-03-14T09:00:00+09:00",
                "amount": { "total": total, "cancelled": 0 }, "cancelCount": 0, "method": method })
    }

    pub(super) async fn cases() -> Vec<Case> {
        let sim = Sim::start("smartro").await;
        let ch = sim.channel("smartro-test");
        let mut out = Vec::new();
        let mut push = |mut c: Case, extra_enc: Vec<Step>, extra_dec: Vec<Step>, note| {
            c.encode_base = match &c.wire.target {
                WireTarget::Browser { .. } => vec![
                    Step::Enc(CS, form_values(&c.wire.body, CS)),
                    Step::Sha256(vec![b'0'; 128]),
                ],
                _ => encode_steps(&c.channel, &c.wire),
            };
            c.encode_base.extend(extra_enc);
            if let Some(r) = &c.resp {
                c.decode_base = decode_steps(r);
            }
            c.decode_base.extend(extra_dec);
            c.note = note;
            out.push(c);
        };
        const JSON_NOTE: &str = "JSON: the params object, the masked view (encode) and the parse of a clear-JSON answer (decode) are the work; the baseline is AES/base64/SHA-256 + UTF-8 only";

        let (c, o) = sim
            .capture(
                &ch,
                "payment.instant (virtual account)",
                request(
                    Operation::PaymentInstant,
                    json!({
                        "paymentId": "benchsva", "channelKey": "smartro-test",
                        "orderName": "나이키 와플 트레이너 2 SD",
                        "amount": { "total": 10_000, "taxFree": 100 }, "currency": "KRW",
                        "customer": customer(),
                        "method": { "virtualAccount": {
                            "bank": "SHINHAN", "expiry": { "validHours": 72 },
                            "option": { "type": "NORMAL" },
                            "cashReceipt": { "type": "PERSONAL", "customerIdentityNumber": "01098765432" },
                            "remitteeName": "테스트상점" } },
                        "productCount": 2
                    }),
                ),
            )
            .await;
        let va_tid = tid(&o);
        push(c, vec![], vec![], JSON_NOTE);
        let (c, _) = sim
            .capture(
                &ch,
                "payment.get",
                request(
                    Operation::PaymentGet,
                    json!({ "paymentId": "benchsva", "prior": { "pgTxId": va_tid } }),
                ),
            )
            .await;
        push(c, vec![], vec![], JSON_NOTE);
        let (c, o) = sim
            .capture(
                &ch,
                "billing-key.issue",
                request(
                    Operation::BillingKeyIssue,
                    json!({ "billingKey": "bk-bench-s", "channelKey": "smartro-test",
                            "method": { "card": { "credential": {
                                "number": CARD_OK, "expiryYear": "28", "expiryMonth": "06",
                                "birthOrBusinessRegistrationNumber": "880315", "passwordTwoDigits": "37" } } },
                            "customer": customer() }),
                ),
            )
            .await;
        let key = pg_billing_key(&o);
        push(c, vec![], key_steps(&ch, &key), JSON_NOTE);
        let (c, o) = sim
            .capture(
                &ch,
                "payment.billing-key (card)",
                request(
                    Operation::PaymentBillingKey,
                    json!({ "paymentId": "benchs1", "billingKey": "bk-bench-s",
                            "orderName": "월간 이용권 정기결제", "customer": customer(),
                            "amount": { "total": 10_000 }, "currency": "KRW",
                            "installmentMonth": 0, "productCount": 1,
                            "prior": { "pgBillingKey": key, "method": "CARD" } }),
                ),
            )
            .await;
        let card_tid = tid(&o);
        push(c, key_steps(&ch, &key), vec![], JSON_NOTE);
        let (c, _) = sim
            .capture(
                &ch,
                "payment.cancel (partial)",
                request(
                    Operation::PaymentCancel,
                    json!({ "paymentId": "benchs1", "reason": "고객 요청", "amount": 3000,
                            "prior": prior(&card_tid, "CARD", 10_000) }),
                ),
            )
            .await;
        push(c, vec![], vec![], JSON_NOTE);
        let (c, _) = sim
            .capture(
                &ch,
                "billing-key.delete",
                request(
                    Operation::BillingKeyDelete,
                    json!({ "billingKey": "bk-bench-s", "prior": { "pgBillingKey": key } }),
                ),
            )
            .await;
        push(c, key_steps(&ch, &key), vec![], JSON_NOTE);
        let (c, _) = sim
            .capture(
                &ch,
                "checkout.prepare (card)",
                request(
                    Operation::CheckoutPrepare,
                    json!({ "returnUrl": "https://merchant.example/pay/return", "checkout": {
                        "kind": "PAYMENT", "storeId": "store-1", "paymentId": "benchswin",
                        "channelKey": "smartro-test", "orderName": "나이키 와플 트레이너 2 SD",
                        "totalAmount": 1004, "currency": "CURRENCY_KRW", "payMethod": "CARD",
                        "customer": { "customerId": "user01", "fullName": "홍길동",
                                      "phoneNumber": "010-1234-5678", "email": "buyer@example.com" },
                        "bypass": { "smartro_v2": { "GoodsCnt": 2, "SkinColor": "BLUE" } } } }),
                ),
            )
            .await;
        // Pay in the simulated window: post the form (+ card) to its test-only endpoint.
        let mut body = c.wire.body.clone();
        body.extend_from_slice(format!("&CardNum={CARD_OK}").as_bytes());
        let window = WireRequest {
            target: WireTarget::Http {
                url_secret: None,
                method: "POST".into(),
                url: format!("http://{}{WINDOW_PATH}", sim.handle.endpoint()),
                headers: vec![paymux_core::adapter::Header {
                    name: "Content-Type".into(),
                    value: "application/x-www-form-urlencoded".into(),
                    sensitive: false,
                }],
            },
            body,
            view: Value::Null.into(),
            read_timeout: None,
        };
        let answer = sim
            .transport
            .send(&window, Timeouts::default())
            .await
            .expect("the simulated window answers");
        let v: Value = serde_json::from_slice(&answer.body).expect("window JSON");
        push(
            c,
            vec![],
            vec![],
            "form: percent-encoding, the window's fields and the masked view on top of one SHA-256",
        );
        let (c, _) = sim
            .capture(
                &ch,
                "checkout.complete (card)",
                request(
                    Operation::CheckoutComplete,
                    json!({ "paymentId": "benchswin",
                            "returned": { "Tid": v["Tid"], "TrAuthKey": v["TrAuthKey"] },
                            "prior": { "amount": { "total": 1004 }, "method": "CARD" } }),
                ),
            )
            .await;
        push(
            c,
            vec![],
            vec![],
            "clear JSON both ways: the baseline is UTF-8 only",
        );
        drop(sim);
        out
    }
}

// ---------------------------------------------------------------------------------------------
// NICE (start API): clear JSON with Basic auth; card data in `encData` (AES-128-ECB, hex) at
// billing-key issue, SHA-256 `signData` on requests and `signature` on answers.

#[cfg(feature = "nice")]
mod nice_cases {
    use super::*;
    use paymux::nice::simulator::handlers::WINDOW_PATH;

    const CS: Charset = Charset::Utf8;

    fn secret(ch: &ChannelContext) -> Vec<u8> {
        ch.credential("secret_key")
            .expect("secret_key")
            .expose()
            .as_bytes()
            .to_vec()
    }

    /// Encoding a call: the JSON text to UTF-8, the Basic credential's base64, the
    /// `signData` hash (ids, date and the 32-character secret key, ~100 bytes) and, for a
    /// billing-key issue, the card data's AES (one 16-byte key, as ECB costs what CBC does).
    fn encode_steps(ch: &ChannelContext, wire: &WireRequest) -> Vec<Step> {
        let mut steps = vec![
            Step::Enc(CS, text(CS, &wire.body)),
            Step::B64Enc(vec![b'0'; 68]),
        ];
        let body: Value = serde_json::from_slice(&wire.body).unwrap_or(Value::Null);
        if body.get("signData").is_some() {
            steps.push(Step::Sha256(vec![b'0'; 100]));
        }
        if body.get("encData").is_some() {
            steps.push(Step::AesEnc {
                key: secret(ch)[..16].to_vec(),
                plain: vec![b'0'; 70],
            });
        }
        steps
    }

    /// Decoding an answer: UTF-8 and the `signature` check (one SHA-256) when it carries one.
    fn decode_steps(resp: &WireResponse) -> Vec<Step> {
        let mut steps = vec![Step::Dec(CS, resp.body.clone())];
        if resp.body.windows(11).any(|w| w == b"\"signature\"") {
            steps.push(Step::Sha256(vec![b'0'; 100]));
        }
        steps
    }

    /// A stored billing key is the sealed `bid`: using it means opening it (AES, hex).
    fn key_steps(ch: &ChannelContext, stored: &str) -> Vec<Step> {
        let raw = codec::hex_decode("k", stored).expect("hex");
        vec![Step::AesDec {
            key: secret(ch)[..16].to_vec(),
            cipher: raw,
        }]
    }

    fn prior(tid: &str, method: &str, total: i64) -> Value {
        json!({ "pgTxId": tid, "paidAt": "2025-03-14T09:00:00+09:00",
                "amount": { "total": total, "cancelled": 0 }, "cancelCount": 0, "method": method })
    }

    pub(super) async fn cases() -> Vec<Case> {
        let sim = Sim::start("nice").await;
        let ch = sim.channel("nice-test");
        let mut out = Vec::new();
        let mut push = |mut c: Case, extra_enc: Vec<Step>, note| {
            c.encode_base = match &c.wire.target {
                WireTarget::Browser { .. } => vec![Step::Enc(CS, form_values(&c.wire.body, CS))],
                _ => encode_steps(&c.channel, &c.wire),
            };
            c.encode_base.extend(extra_enc);
            if let Some(r) = &c.resp {
                c.decode_base = decode_steps(r);
            }
            c.note = note;
            out.push(c);
        };
        const JSON_NOTE: &str = "JSON: the ordered body, the masked view (encode) and the payment object's parse and checks (decode) are the work; the baseline is UTF-8, base64, SHA-256 (+ AES) only";

        let (c, o) = sim
            .capture(
                &ch,
                "billing-key.issue",
                request(
                    Operation::BillingKeyIssue,
                    json!({ "billingKey": "bk-bench-n", "channelKey": "nice-test",
                            "method": { "card": { "credential": {
                                "number": CARD_OK, "expiryYear": "28", "expiryMonth": "06",
                                "birthOrBusinessRegistrationNumber": "880315", "passwordTwoDigits": "37" } } },
                            "customer": customer() }),
                ),
            )
            .await;
        let key = pg_billing_key(&o);
        // Decoding seals the bid: one AES block or two.
        push(c, vec![], JSON_NOTE);
        let (c, o) = sim
            .capture(
                &ch,
                "payment.billing-key (card)",
                request(
                    Operation::PaymentBillingKey,
                    json!({ "paymentId": "benchn1", "billingKey": "bk-bench-n",
                            "orderName": "월간 이용권 정기결제", "customer": customer(),
                            "amount": { "total": 10_000 }, "currency": "KRW",
                            "prior": { "pgBillingKey": key, "method": "CARD" } }),
                ),
            )
            .await;
        let card_tid = tid(&o);
        push(c, key_steps(&ch, &key), JSON_NOTE);
        let (c, _) = sim
            .capture(
                &ch,
                "payment.get",
                request(
                    Operation::PaymentGet,
                    json!({ "paymentId": "benchn1", "prior": { "pgTxId": card_tid } }),
                ),
            )
            .await;
        push(c, vec![], JSON_NOTE);
        let (c, _) = sim
            .capture(
                &ch,
                "payment.cancel (partial)",
                request(
                    Operation::PaymentCancel,
                    json!({ "paymentId": "benchn1", "reason": "고객 요청", "amount": 3000,
                            "prior": prior(&card_tid, "CARD", 10_000) }),
                ),
            )
            .await;
        push(c, vec![], JSON_NOTE);
        let (c, _) = sim
            .capture(
                &ch,
                "billing-key.delete",
                request(
                    Operation::BillingKeyDelete,
                    json!({ "billingKey": "bk-bench-n", "prior": { "pgBillingKey": key } }),
                ),
            )
            .await;
        push(c, key_steps(&ch, &key), JSON_NOTE);
        let (c, _) = sim
            .capture(
                &ch,
                "checkout.prepare (card)",
                request(
                    Operation::CheckoutPrepare,
                    json!({ "returnUrl": "https://merchant.example/pay/return", "checkout": {
                        "kind": "PAYMENT", "storeId": "store-1", "paymentId": "benchnwin",
                        "channelKey": "nice-test", "orderName": "나이키 와플 트레이너 2 SD",
                        "totalAmount": 1004, "currency": "CURRENCY_KRW", "payMethod": "CARD",
                        "customer": { "customerId": "user01", "fullName": "홍길동",
                                      "phoneNumber": "010-1234-5678", "email": "buyer@example.com" } } }),
                ),
            )
            .await;
        // Pay in the simulated window: post the form (+ card) to its test-only endpoint.
        let mut body = c.wire.body.clone();
        body.extend_from_slice(format!("&cardNumber={CARD_OK}").as_bytes());
        let window = WireRequest {
            target: WireTarget::Http {
                url_secret: None,
                method: "POST".into(),
                url: format!("http://{}{WINDOW_PATH}", sim.handle.endpoint()),
                headers: vec![paymux_core::adapter::Header {
                    name: "Content-Type".into(),
                    value: "application/x-www-form-urlencoded".into(),
                    sensitive: false,
                }],
            },
            body,
            view: Value::Null.into(),
            read_timeout: None,
        };
        let answer = sim
            .transport
            .send(&window, Timeouts::default())
            .await
            .expect("the simulated window answers");
        let returned: Value = serde_json::from_slice(&answer.body).expect("window JSON");
        push(
            c,
            vec![],
            "form: percent-encoding, the requestPay fields and the masked view; the baseline is UTF-8 only",
        );
        let (c, _) = sim
            .capture(
                &ch,
                "checkout.complete (card)",
                request(
                    Operation::CheckoutComplete,
                    json!({ "paymentId": "benchnwin", "returned": returned,
                            "prior": { "amount": { "total": 1004 }, "method": "CARD" } }),
                ),
            )
            .await;
        // The window's signature is checked before the approval is built: one more SHA-256.
        push(
            c,
            vec![Step::Sha256(vec![b'0'; 110])],
            "the return's checks (signature, client, order, amount) are the work; the baseline is UTF-8, base64 and two SHA-256",
        );
        drop(sim);
        out
    }
}

// ---------------------------------------------------------------------------------------------
// KG Inicis: INIAPI v1 (form, AES-128-CBC `[ENC]` fields, SHA-512) and v2 (JSON, SHA-512), and
// the standard window (form, SHA-256 signatures).

#[cfg(feature = "inicis")]
mod inicis_cases {
    use super::*;

    const CS: Charset = Charset::Utf8;
    /// The `[ENC]` fields of a v1 call.
    const ENC: &[&str] = &["cardNumber", "regNo", "cardPw", "refundAcctNum"];

    /// The INIAPI key and IV of the MID a call is made under (the billing MID has its own key).
    fn key_iv(ch: &ChannelContext, mid: &str) -> (Vec<u8>, Vec<u8>) {
        let billing = ch.option("billing_mid") == Some(mid);
        let key = match ch.credentials.get("billing_api_key") {
            Some(k) if billing => k.expose().clone(),
            _ => ch.credential("api_key").expect("api_key").expose().clone(),
        };
        let iv = ch.credential("api_iv").expect("api_iv").expose().clone();
        (key.into_bytes(), iv.into_bytes())
    }

    /// Encoding a call: the text to UTF-8, AES-128-CBC + base64 of each `[ENC]` field, and the
    /// SHA-512 `hashData` (v1 and v2) over ~200 bytes; a window form's SHA-256 signatures.
    fn encode_steps(ch: &ChannelContext, wire: &WireRequest) -> Vec<Step> {
        let is_json = wire.body.first() == Some(&b'{');
        let mut steps = vec![Step::Enc(
            CS,
            if is_json {
                text(CS, &wire.body)
            } else {
                form_values(&wire.body, CS)
            },
        )];
        match &wire.target {
            WireTarget::Browser { .. } => {
                steps.extend((0..3).map(|_| Step::Sha256(vec![b'0'; 96])));
                return steps;
            }
            WireTarget::Http { url, .. } if url.ends_with("/api/payAuth") => {
                steps.extend((0..2).map(|_| Step::Sha256(vec![b'0'; 96])));
                return steps;
            }
            _ => {}
        }
        if !is_json {
            let form = form_urldecode(&wire.body, CS).unwrap_or_default();
            let mid = form
                .iter()
                .find(|(k, _)| k == "mid")
                .map(|(_, v)| v.clone())
                .unwrap_or_default();
            let (key, iv) = key_iv(ch, &mid);
            for (k, v) in form {
                if ENC.contains(&k.as_str()) && !v.is_empty() {
                    let raw = codec::b64_decode("b", &v).expect("base64");
                    let plain = crypto::aes_cbc_decrypt(&key, &iv, &raw).expect("decrypts");
                    steps.push(Step::AesEnc {
                        key: key.clone(),
                        plain,
                    });
                    steps.push(Step::B64Enc(raw));
                }
            }
        }
        steps.push(Step::Sha512(vec![b'0'; 200]));
        steps
    }

    fn prior(tid: &str, total: i64) -> Value {
        json!({ "pgTxId": tid, "paidAt": "2025-03-14T09:00:00+09:00",
                "amount": { "total": total, "cancelled": 0 }, "cancelCount": 0, "method": "CARD" })
    }

    /// Play the simulated window: open it with the form, pay with the card; the fields it
    /// posts back.
    async fn pay_in_window(sim: &Sim, form: &[u8]) -> BTreeMap<String, String> {
        let base = format!("http://{}", sim.handle.endpoint());
        let post = |url: String, body: Vec<u8>| WireRequest {
            target: WireTarget::Http {
                url_secret: None,
                method: "POST".into(),
                url,
                headers: vec![paymux_core::adapter::Header {
                    name: "Content-Type".into(),
                    value: "application/x-www-form-urlencoded".into(),
                    sensitive: false,
                }],
            },
            body,
            view: Value::Null.into(),
            read_timeout: None,
        };
        let page = sim
            .transport
            .send(
                &post(format!("{base}/window"), form.to_vec()),
                Timeouts::default(),
            )
            .await
            .expect("the window answers");
        let page = String::from_utf8_lossy(&page.body).into_owned();
        let token = page
            .split("action=\"/window/")
            .nth(1)
            .and_then(|r| r.split('"').next())
            .expect("a window form")
            .to_string();
        let ret = sim
            .transport
            .send(
                &post(
                    format!("{base}/window/{token}"),
                    format!("cardNumber={CARD_OK}&ACTION=approve").into_bytes(),
                ),
                Timeouts::default(),
            )
            .await
            .expect("the window posts back");
        let page = String::from_utf8_lossy(&ret.body).into_owned();
        page.split("<input type=\"hidden\" name=\"")
            .skip(1)
            .filter_map(|p| {
                let (k, rest) = p.split_once("\" value=\"")?;
                let (v, _) = rest.split_once('"')?;
                Some((k.to_string(), v.to_string()))
            })
            .collect()
    }

    pub(super) async fn cases() -> Vec<Case> {
        let sim = Sim::start("inicis").await;
        let ch = sim.channel("inicis-test");
        let mut out = Vec::new();
        let mut push = |mut c: Case, extra_dec: Vec<Step>, note| {
            c.encode_base = encode_steps(&c.channel, &c.wire);
            if let Some(r) = &c.resp {
                c.decode_base = vec![Step::Dec(CS, r.body.clone())];
            }
            c.decode_base.extend(extra_dec);
            c.note = note;
            out.push(c);
        };
        const V1: &str = "v1 form: percent-encoding, the fields and the masked view on top of AES/base64/SHA-512 + UTF-8";
        const V2: &str = "v2 JSON: the data object serialized once and embedded, the masked view; the baseline is SHA-512 + UTF-8";

        let (c, o) = sim
            .capture(
                &ch,
                "payment.instant (card)",
                request(
                    Operation::PaymentInstant,
                    json!({ "paymentId": "benchi1", "channelKey": "inicis-test",
                            "orderName": "나이키 와플 트레이너 2 SD", "customer": customer(),
                            "amount": { "total": 10_000 }, "currency": "KRW",
                            "method": { "card": { "credential": {
                                "number": CARD_OK, "expiryYear": "28", "expiryMonth": "06",
                                "birthOrBusinessRegistrationNumber": "880315", "passwordTwoDigits": "37" } } } }),
                ),
            )
            .await;
        let card_tid = tid(&o);
        push(c, vec![], V1);
        let (c, _) = sim
            .capture(
                &ch,
                "payment.get",
                request(
                    Operation::PaymentGet,
                    json!({ "paymentId": "benchi1", "prior": { "pgTxId": card_tid } }),
                ),
            )
            .await;
        push(c, vec![], V2);
        let (c, _) = sim
            .capture(
                &ch,
                "payment.cancel (partial)",
                request(
                    Operation::PaymentCancel,
                    json!({ "paymentId": "benchi1", "reason": "고객 요청", "amount": 3000,
                            "prior": prior(&card_tid, 10_000) }),
                ),
            )
            .await;
        push(c, vec![], V2);
        let (c, o) = sim
            .capture(
                &ch,
                "billing-key.issue",
                request(
                    Operation::BillingKeyIssue,
                    json!({ "billingKey": "bk-bench-i", "channelKey": "inicis-test",
                            "method": { "card": { "credential": {
                                "number": CARD_OK, "expiryYear": "28", "expiryMonth": "06",
                                "birthOrBusinessRegistrationNumber": "880315", "passwordTwoDigits": "37" } } },
                            "customer": customer() }),
                ),
            )
            .await;
        let key = pg_billing_key(&o);
        push(c, vec![], V1);
        let (c, _) = sim
            .capture(
                &ch,
                "payment.billing-key (card)",
                request(
                    Operation::PaymentBillingKey,
                    json!({ "paymentId": "benchi2", "billingKey": "bk-bench-i",
                            "orderName": "월간 이용권 정기결제", "customer": customer(),
                            "amount": { "total": 10_000 }, "currency": "KRW",
                            "installmentMonth": 0,
                            "prior": { "pgBillingKey": key, "method": "CARD" } }),
                ),
            )
            .await;
        push(c, vec![], V1);
        let (c, _) = sim
            .capture(
                &ch,
                "checkout.prepare (card)",
                request(
                    Operation::CheckoutPrepare,
                    json!({ "returnUrl": "https://merchant.example/pay/return", "checkout": {
                        "kind": "PAYMENT", "storeId": "store-1", "paymentId": "benchiwin",
                        "channelKey": "inicis-test", "orderName": "나이키 와플 트레이너 2 SD",
                        "totalAmount": 1004, "currency": "CURRENCY_KRW", "payMethod": "CARD",
                        "customer": { "customerId": "user01", "fullName": "홍길동",
                                      "phoneNumber": "010-1234-5678", "email": "buyer@example.com" } } }),
                ),
            )
            .await;
        let returned = pay_in_window(&sim, &c.wire.body).await;
        push(
            c,
            vec![],
            "form: percent-encoding, the window's fields and the masked view on top of three SHA-256",
        );
        let (c, _) = sim
            .capture(
                &ch,
                "checkout.complete (card)",
                request(
                    Operation::CheckoutComplete,
                    json!({ "paymentId": "benchiwin", "returned": returned,
                            "prior": { "amount": { "total": 1004 }, "method": "CARD" } }),
                ),
            )
            .await;
        push(
            c,
            vec![Step::Sha256(vec![b'0'; 96])],
            "the return checked against the allowed IDC URLs; the answer's authSignature verified",
        );
        drop(sim);
        out
    }
}

// ---------------------------------------------------------------------------------------------
// KSNET: WEBFEP (HTTP JSON, UTF-8 with EUC-KR-representable text) and KSPay (TCP, fixed-width
// EUC-KR). Neither has a cipher: the baseline is the charset work.

#[cfg(feature = "ksnet")]
mod ksnet_cases {
    use super::*;

    fn card() -> Value {
        json!({ "card": { "credential": {
            "number": CARD_OK, "expiryYear": "28", "expiryMonth": "06",
            "birthOrBusinessRegistrationNumber": "880315", "passwordTwoDigits": "37"
        }, "installmentMonth": 3 } })
    }

    fn prior(tid: &str, total: i64) -> Value {
        json!({ "pgTxId": tid, "paidAt": "2025-03-14T09:00:00+09:00",
                "amount": { "total": total, "cancelled": 0 }, "cancelCount": 0,
                "method": "CARD", "orderDate": ORDER_DATE })
    }

    async fn protocol_cases(sim: &Sim, ch: Arc<ChannelContext>, tag: &str) -> Vec<Case> {
        let (enc_cs, dec_cs, note) = if tag == "kspay" {
            (
                Charset::EucKr,
                Charset::EucKr,
                "no cipher: the baseline is the EUC-KR conversion only; fixed-width layout is the work",
            )
        } else {
            (
                Charset::EucKr,
                Charset::Utf8,
                "no cipher: the baseline is the charset work only; JSON is the work",
            )
        };
        let mut out = Vec::new();
        let mut push = |mut c: Case| {
            let body_text = text(
                if tag == "kspay" {
                    Charset::EucKr
                } else {
                    Charset::Utf8
                },
                &c.wire.body,
            );
            c.encode_base = vec![Step::Enc(enc_cs, body_text)];
            if let Some(r) = &c.resp {
                c.decode_base = vec![Step::Dec(dec_cs, r.body.clone())];
            }
            c.note = note;
            c.name = format!("{} [{tag}]", c.name);
            out.push(c);
        };
        let pid = |s: &str| format!("bench-k-{tag}-{s}");
        let instant = |p: &str| {
            request(
                Operation::PaymentInstant,
                json!({ "paymentId": p, "channelKey": "ksnet-test", "method": card(),
                        "orderName": "핑크테디 곰인형", "customer": customer(),
                        "amount": { "total": 10_000 }, "currency": "KRW", "productType": "PHYSICAL" }),
            )
        };
        let (c, o) = sim
            .capture(&ch, "payment.instant (card)", instant(&pid("1")))
            .await;
        let t1 = tid(&o);
        push(c);
        let (c, _) = sim
            .capture(
                &ch,
                "payment.instant (virtual account)",
                request(
                    Operation::PaymentInstant,
                    json!({ "paymentId": pid("va"), "channelKey": "ksnet-test",
                            "method": { "virtualAccount": {
                                "bank": "NONGHYUP", "expiry": { "dueDate": "2030-12-31T23:59:59+09:00" },
                                "option": { "type": "NORMAL" }, "cashReceipt": { "type": "NO_RECEIPT" } } },
                            "orderName": "당근 12kg", "customer": customer(),
                            "amount": { "total": 10_000 }, "currency": "KRW" }),
                ),
            )
            .await;
        push(c);
        let (c, _) = sim
            .capture(
                &ch,
                "payment.get",
                request(
                    Operation::PaymentGet,
                    json!({ "paymentId": pid("1"), "prior": prior(&t1, 10_000) }),
                ),
            )
            .await;
        push(c);
        let (c, _) = sim
            .capture(
                &ch,
                "payment.cancel (partial)",
                request(
                    Operation::PaymentCancel,
                    json!({ "paymentId": pid("1"), "reason": "고객 요청", "amount": 3000,
                            "prior": prior(&t1, 10_000) }),
                ),
            )
            .await;
        push(c);
        let (c, o) = sim
            .capture(
                &ch,
                "billing-key.issue",
                request(
                    Operation::BillingKeyIssue,
                    json!({ "billingKey": format!("bk-{}", pid("k")), "channelKey": "ksnet-test",
                            "method": { "card": { "credential": card()["card"]["credential"].clone() } },
                            "customer": customer() }),
                ),
            )
            .await;
        let key = pg_billing_key(&o);
        push(c);
        let (c, _) = sim
            .capture(
                &ch,
                "payment.billing-key (card)",
                request(
                    Operation::PaymentBillingKey,
                    json!({ "paymentId": pid("2"), "billingKey": format!("bk-{}", pid("k")),
                            "orderName": "정기결제 3월", "customer": customer(),
                            "amount": { "total": 9900 }, "currency": "KRW", "productType": "DIGITAL",
                            "prior": { "pgBillingKey": key, "method": "CARD" } }),
                ),
            )
            .await;
        push(c);
        let (c, _) = sim
            .capture(
                &ch,
                "billing-key.delete",
                request(
                    Operation::BillingKeyDelete,
                    json!({ "billingKey": format!("bk-{}", pid("k")), "prior": { "pgBillingKey": key } }),
                ),
            )
            .await;
        push(c);
        out
    }

    pub(super) async fn cases() -> Vec<Case> {
        let sim = Sim::start("ksnet").await;
        let webfep = sim.channel("ksnet-test");
        let mut kspay = (*webfep).clone();
        kspay.endpoint = Some(sim.handle.endpoint());
        kspay
            .options
            .insert("protocol".to_string(), "kspay".to_string());
        let mut out = protocol_cases(&sim, webfep, "webfep").await;
        out.extend(protocol_cases(&sim, Arc::new(kspay), "kspay").await);
        drop(sim);
        out
    }
}

// ---------------------------------------------------------------------------------------------
// Toss Payments: HTTP JSON, Basic auth, an HMAC-SHA256 idempotency key.

#[cfg(feature = "tosspayments")]
mod tosspayments_cases {
    use super::*;

    const CS: Charset = Charset::Utf8;

    /// Encoding a call: the JSON text to UTF-8, the Basic credential's base64 and, for a
    /// money-moving call, the HMAC-SHA256 of the body (two SHA-256 passes).
    fn encode_steps(ch: &ChannelContext, wire: &WireRequest) -> Vec<Step> {
        let secret = ch.credential("secret_key").expect("secret_key").expose();
        let mut steps = vec![
            Step::Enc(CS, text(CS, &wire.body)),
            Step::B64Enc(format!("{secret}:").into_bytes()),
        ];
        let WireTarget::Http { headers, .. } = &wire.target else {
            return steps;
        };
        if headers.iter().any(|h| h.name == "Idempotency-Key") {
            steps.push(Step::Sha256(wire.body.clone()));
            steps.push(Step::Sha256(vec![0; 96]));
        }
        steps
    }

    fn prior(key: &str, method: &str, total: i64) -> Value {
        json!({ "pgTxId": key, "paidAt": "2025-03-14T09:00:00+09:00",
                "amount": { "total": total, "cancelled": 0 }, "cancelCount": 0, "method": method })
    }

    fn card() -> Value {
        json!({ "number": CARD_OK, "expiryYear": "28", "expiryMonth": "06",
                "birthOrBusinessRegistrationNumber": "880315", "passwordTwoDigits": "37" })
    }

    /// POST `body` to the simulator and return the answer's text.
    async fn post(sim: &Sim, path: &str, body: Vec<u8>) -> String {
        let req = WireRequest {
            target: WireTarget::Http {
                url_secret: None,
                method: "POST".into(),
                url: format!("http://{}{path}", sim.handle.endpoint()),
                headers: vec![paymux_core::adapter::Header {
                    name: "Content-Type".into(),
                    value: "application/x-www-form-urlencoded".into(),
                    sensitive: false,
                }],
            },
            body,
            view: Value::Null.into(),
            read_timeout: None,
        };
        let answer = sim
            .transport
            .send(&req, Timeouts::default())
            .await
            .expect("the simulated window answers");
        String::from_utf8_lossy(&answer.body).into_owned()
    }

    /// Pay in the simulated window: open it with the prepared form, enter the card, and read
    /// the fields it posts back to the success URL.
    async fn pay_in_window(sim: &Sim, form: &[u8]) -> serde_json::Map<String, Value> {
        let page = post(sim, "/window", form.to_vec()).await;
        let start = page.find("action=\"/window/").expect("a window form") + 8;
        let end = page[start..].find('"').expect("an action") + start;
        let back = post(
            sim,
            &page[start..end],
            format!("cardNumber={CARD_OK}&ACTION=approve").into_bytes(),
        )
        .await;
        back.split("<input type=\"hidden\" ")
            .skip(1)
            .filter_map(|part| {
                let attr = |n: &str| {
                    let s = part.find(&format!("{n}=\""))? + n.len() + 2;
                    let e = part[s..].find('"')? + s;
                    Some(part[s..e].to_string())
                };
                Some((attr("name")?, Value::String(attr("value")?)))
            })
            .collect()
    }

    pub(super) async fn cases() -> Vec<Case> {
        let sim = Sim::start("tosspayments").await;
        let ch = sim.channel("tosspayments-test");
        let mut out = Vec::new();
        let mut push = |mut c: Case| {
            c.encode_base = match &c.wire.target {
                WireTarget::Browser { .. } => vec![Step::Enc(CS, form_values(&c.wire.body, CS))],
                _ => encode_steps(&c.channel, &c.wire),
            };
            if let Some(r) = &c.resp {
                c.decode_base = vec![Step::Dec(CS, r.body.clone())];
            }
            c.note = "JSON: the typed message, its masked view (encode) and the Payment object's parse and mapping (decode) are the work; the baseline is UTF-8, base64 and the idempotency HMAC only";
            out.push(c);
        };
        let (c, o) = sim
            .capture(
                &ch,
                "payment.instant (card)",
                request(
                    Operation::PaymentInstant,
                    json!({ "paymentId": "bench-toss-1", "channelKey": "tosspayments-test",
                            "orderName": "토스 티셔츠 외 2건", "customer": customer(),
                            "amount": { "total": 15_000 }, "currency": "KRW",
                            "method": { "card": { "credential": card(), "installmentMonth": 3 } } }),
                ),
            )
            .await;
        let card_key = tid(&o);
        push(c);
        let (c, _) = sim
            .capture(
                &ch,
                "payment.get",
                request(
                    Operation::PaymentGet,
                    json!({ "paymentId": "bench-toss-1", "prior": { "pgTxId": card_key } }),
                ),
            )
            .await;
        push(c);
        let (c, _) = sim
            .capture(
                &ch,
                "payment.cancel (partial)",
                request(
                    Operation::PaymentCancel,
                    json!({ "paymentId": "bench-toss-1", "reason": "고객 요청", "amount": 3000,
                            "prior": prior(&card_key, "CARD", 15_000) }),
                ),
            )
            .await;
        push(c);
        let (c, _) = sim
            .capture(
                &ch,
                "payment.instant (virtual account)",
                request(
                    Operation::PaymentInstant,
                    json!({ "paymentId": "bench-toss-va", "channelKey": "tosspayments-test",
                            "orderName": "토스 티셔츠", "customer": customer(),
                            "amount": { "total": 10_000 }, "currency": "KRW",
                            "method": { "virtualAccount": {
                                "bank": "WOORI", "expiry": { "validHours": 72 },
                                "option": { "type": "NORMAL" },
                                "cashReceipt": { "type": "PERSONAL", "customerIdentityNumber": "01098765432" } } } }),
                ),
            )
            .await;
        push(c);
        let (c, o) = sim
            .capture(
                &ch,
                "billing-key.issue",
                request(
                    Operation::BillingKeyIssue,
                    json!({ "billingKey": "bk-bench-t", "channelKey": "tosspayments-test",
                            "method": { "card": { "credential": card() } }, "customer": customer() }),
                ),
            )
            .await;
        let key = pg_billing_key(&o);
        push(c);
        let (c, _) = sim
            .capture(
                &ch,
                "payment.billing-key (card)",
                request(
                    Operation::PaymentBillingKey,
                    json!({ "paymentId": "bench-toss-2", "billingKey": "bk-bench-t",
                            "orderName": "월간 이용권 정기결제", "customer": customer(),
                            "amount": { "total": 9_900 }, "currency": "KRW",
                            "prior": { "pgBillingKey": key, "method": "CARD" } }),
                ),
            )
            .await;
        push(c);
        let (c, _) = sim
            .capture(
                &ch,
                "checkout.prepare (card)",
                request(
                    Operation::CheckoutPrepare,
                    json!({ "returnUrl": "https://merchant.example/pay/return", "checkout": {
                        "kind": "PAYMENT", "storeId": "store-1", "paymentId": "bench-toss-win",
                        "channelKey": "tosspayments-test", "orderName": "토스 티셔츠",
                        "totalAmount": 15_000, "currency": "KRW", "payMethod": "CARD",
                        "customer": { "fullName": "박토스", "email": "buyer@example.com" } } }),
                ),
            )
            .await;
        let returned = pay_in_window(&sim, &c.wire.body).await;
        push(c);
        let (c, _) = sim
            .capture(
                &ch,
                "checkout.complete (card)",
                request(
                    Operation::CheckoutComplete,
                    json!({ "paymentId": "bench-toss-win", "returned": returned,
                            "prior": { "amount": { "total": 15_000 }, "method": "CARD" } }),
                ),
            )
            .await;
        push(c);
        drop(sim);
        out
    }
}

async fn all_cases() -> Vec<Case> {
    #[allow(unused_mut)]
    let mut v: Vec<Case> = Vec::new();
    #[cfg(feature = "galaxia")]
    v.extend(galaxia_cases::cases().await);
    #[cfg(feature = "nice")]
    v.extend(nice_cases::cases().await);
    #[cfg(feature = "inicis")]
    v.extend(inicis_cases::cases().await);
    #[cfg(feature = "ksnet")]
    v.extend(ksnet_cases::cases().await);
    #[cfg(feature = "smartro")]
    v.extend(smartro_cases::cases().await);
    #[cfg(feature = "tosspayments")]
    v.extend(tosspayments_cases::cases().await);
    v
}

fn criterion_benches(c: &mut Criterion, cases: &[Case]) {
    for case in cases {
        let mut g = c.benchmark_group(format!("{}/{}", case.adapter_id, case.name));
        g.bench_function("encode", |b| b.iter(|| case.encode()));
        g.bench_function("encode-baseline", |b| {
            b.iter(|| run_steps(black_box(&case.encode_base)))
        });
        if case.resp.is_some() {
            g.bench_function("decode", |b| b.iter(|| case.decode()));
            g.bench_function("decode-baseline", |b| {
                b.iter(|| run_steps(black_box(&case.decode_base)))
            });
        }
        g.finish();
    }
}

/// Same-run figures of one op against its baseline.
struct Figures {
    op_ns: f64,
    op_spread_pct: f64,
    base_ns: f64,
    ratio: f64,
}

fn quantile(sorted: &[f64], q: f64) -> f64 {
    let i = (q * (sorted.len() - 1) as f64).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

/// Alternate batches of `op` and `base`, 15 rounds; medians, IQR spread, median ratio.
fn same_run(op: &dyn Fn() -> usize, base: &dyn Fn() -> usize) -> Figures {
    const ROUNDS: usize = 15;
    const BATCH: Duration = Duration::from_millis(20);
    let calibrate = |f: &dyn Fn() -> usize| {
        let mut n = 1u64;
        loop {
            let t = Instant::now();
            for _ in 0..n {
                black_box(f());
            }
            if t.elapsed() >= BATCH / 4 || n >= 1 << 24 {
                let per = t.elapsed().as_nanos() as f64 / n as f64;
                return ((BATCH.as_nanos() as f64 / per.max(1.0)) as u64).max(1);
            }
            n *= 2;
        }
    };
    let (n_op, n_base) = (calibrate(op), calibrate(base));
    let time = |f: &dyn Fn() -> usize, n: u64| {
        let t = Instant::now();
        for _ in 0..n {
            black_box(f());
        }
        t.elapsed().as_nanos() as f64 / n as f64
    };
    let mut ops = Vec::with_capacity(ROUNDS);
    let mut bases = Vec::with_capacity(ROUNDS);
    let mut ratios = Vec::with_capacity(ROUNDS);
    for _ in 0..ROUNDS {
        let o = time(op, n_op);
        let b = time(base, n_base);
        ops.push(o);
        bases.push(b);
        ratios.push(o / b.max(0.001));
    }
    for v in [&mut ops, &mut bases, &mut ratios] {
        v.sort_by(f64::total_cmp);
    }
    let op_ns = quantile(&ops, 0.5);
    Figures {
        op_ns,
        op_spread_pct: (quantile(&ops, 0.75) - quantile(&ops, 0.25)) / 2.0 / op_ns * 100.0,
        base_ns: quantile(&bases, 0.5),
        ratio: quantile(&ratios, 0.5),
    }
}

fn fmt_ns(ns: f64) -> String {
    if ns >= 10_000.0 {
        format!("{:.1} µs", ns / 1000.0)
    } else if ns >= 1000.0 {
        format!("{:.2} µs", ns / 1000.0)
    } else {
        format!("{ns:.0} ns")
    }
}

fn summary(cases: &[Case]) -> String {
    let mut s = String::new();
    s.push_str("| adapter | operation | step | median | spread | baseline | × baseline | ≤ 2× |\n");
    s.push_str("|---|---|---|---:|---:|---:|---:|:---:|\n");
    let mut notes: Vec<(String, &str)> = Vec::new();
    let (mut met, mut total) = (0, 0);
    for case in cases {
        let mut rows = vec![(
            "encode",
            same_run(&|| case.encode(), &|| run_steps(&case.encode_base)),
        )];
        if case.resp.is_some() {
            rows.push((
                "decode",
                same_run(&|| case.decode(), &|| run_steps(&case.decode_base)),
            ));
        }
        for (step, f) in rows {
            total += 1;
            let ok = f.ratio <= 2.0;
            met += usize::from(ok);
            let mark = if ok { "yes" } else { "**no**" };
            s.push_str(&format!(
                "| {} | {} | {step} | {} | ±{:.1}% | {} | {:.2} | {mark} |\n",
                case.adapter_id,
                case.name,
                fmt_ns(f.op_ns),
                f.op_spread_pct,
                fmt_ns(f.base_ns),
                f.ratio
            ));
            if !ok && !case.note.is_empty() {
                notes.push((
                    format!("{} {} {step}", case.adapter_id, case.name),
                    case.note,
                ));
            }
        }
    }
    s.push_str(&format!(
        "\n{met} of {total} encode/decode steps are within 2× of their baseline.\n"
    ));
    if !notes.is_empty() {
        s.push('\n');
        for (what, why) in notes {
            s.push_str(&format!("- {what}: {why}\n"));
        }
    }
    s
}

/// `encode` of one case, `n` times, in a function of its own (a profiler's unit).
#[inline(never)]
fn profile_encode(case: &Case, n: u64) -> usize {
    (0..n).map(|_| black_box(case.encode())).sum()
}

/// `decode` of one case, `n` times, in a function of its own.
#[inline(never)]
fn profile_decode(case: &Case, n: u64) -> usize {
    (0..n).map(|_| black_box(case.decode())).sum()
}

/// `PAYMUX_BENCH_PROFILE=N`: no timing; print the steps in order, then run each case's encode
/// and decode `N` times in [`profile_encode`] / [`profile_decode`], for an instruction count
/// that does not depend on the machine's load (`valgrind --tool=callgrind
/// --dump-after='*profile_encode*' --dump-after='*profile_decode*'`: one dump per step, in the
/// printed order; docs/BENCHMARKS.md §5).
fn profile(cases: &[Case], n: u64) {
    for case in cases {
        println!("profile {} | {} | encode | {n}", case.adapter_id, case.name);
        if case.resp.is_some() {
            println!("profile {} | {} | decode | {n}", case.adapter_id, case.name);
        }
    }
    let mut sink = 0;
    for case in cases {
        sink += profile_encode(case, n);
        if case.resp.is_some() {
            sink += profile_decode(case, n);
        }
    }
    black_box(sink);
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("tokio runtime");
    let mut cases = rt.block_on(all_cases());
    drop(rt);
    if let Ok(filter) = std::env::var("PAYMUX_BENCH_FILTER") {
        cases.retain(|c| format!("{} {}", c.adapter_id, c.name).contains(&filter));
    }
    if cases.is_empty() {
        println!("no adapter is linked (enable a feature such as `galaxia`): nothing to measure");
        return;
    }
    if let Some(n) = std::env::var("PAYMUX_BENCH_PROFILE")
        .ok()
        .and_then(|v| v.parse::<u64>().ok())
    {
        profile(&cases, n.max(1));
        return;
    }
    let quick = std::env::var_os("PAYMUX_BENCH_QUICK").is_some_and(|v| v != "0");
    if !quick {
        let mut c = Criterion::default()
            .warm_up_time(Duration::from_millis(300))
            .measurement_time(Duration::from_millis(800))
            .sample_size(20)
            .configure_from_args();
        criterion_benches(&mut c, &cases);
        c.final_summary();
    }
    let table = summary(&cases);
    println!("\nsame-run summary (translation vs baseline)\n");
    println!("{table}");
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/paymux-bench");
    if std::fs::create_dir_all(&dir).is_ok() {
        let _ = std::fs::write(dir.join("translation.md"), &table);
    }
}
