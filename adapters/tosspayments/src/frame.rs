//! Toss Payments' messages with Toss's field names, and their exact bytes: JSON in UTF-8.
//! No mapping logic here ([`crate::encode`] / [`crate::decode`] do that), so each struct can be
//! held next to the reference page it cites.
//!
//! Card numbers, passwords, identity numbers and billing keys are [`Secret`]s: `Debug` never
//! shows them, and [`masked_view`] masks them (by field name, [`crate::protocol::mask`]) in
//! every view.

use paymux_core::adapter::{Header, WireRequest, WireTarget, WireView};
use paymux_core::secret::Secret;
use paymux_core::wire::codec::b64_encode;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::protocol::{header, mask};

/// `POST /v1/payments/key-in` (<https://docs.tosspayments.com/reference#카드-번호-결제>).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct KeyInRequest {
    /// 결제 금액.
    pub amount: i64,
    /// 주문번호 (paymentId): 6–64 characters of `[A-Za-z0-9_-]`.
    pub order_id: String,
    /// 구매상품 (≤ 100 characters).
    pub order_name: String,
    /// 카드 번호 (≤ 20 digits).
    pub card_number: Secret<String>,
    /// 유효 연도 (2 digits).
    pub card_expiration_year: String,
    /// 유효 월 (2 digits).
    pub card_expiration_month: String,
    /// 생년월일 6자리 (YYMMDD) or 사업자등록번호 10자리.
    pub customer_identity_number: Secret<String>,
    /// 카드 비밀번호 앞 2자리.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub card_password: Option<Secret<String>>,
    /// 할부 개월 수 (0 = 일시불).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub card_installment_plan: Option<i32>,
    /// 면세 금액.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tax_free_amount: Option<i64>,
    /// 구매자 이메일.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub customer_email: Option<String>,
    /// 구매자명.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub customer_name: Option<String>,
}

/// `POST /v1/payments/confirm` (<https://docs.tosspayments.com/reference#결제-승인>).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ConfirmRequest {
    /// The window's `paymentKey`.
    pub payment_key: String,
    /// 주문번호.
    pub order_id: String,
    /// 결제 금액: must be the amount the window was opened for.
    pub amount: i64,
}

/// `POST /v1/payments/{paymentKey}/cancel` (<https://docs.tosspayments.com/reference#결제-취소>).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CancelRequest {
    /// 취소 사유 (≤ 200 characters).
    pub cancel_reason: String,
    /// 취소 금액; omitted for a full cancel.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cancel_amount: Option<i64>,
    /// 취소할 면세 금액.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tax_free_amount: Option<i64>,
    /// 환불 계좌 (a deposited virtual account).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refund_receive_account: Option<RefundReceiveAccount>,
}

/// `refundReceiveAccount`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RefundReceiveAccount {
    /// 은행 코드.
    pub bank: String,
    /// 계좌번호 (digits, ≤ 20).
    pub account_number: Secret<String>,
    /// 예금주 (≤ 60 characters).
    pub holder_name: String,
}

/// `POST /v1/virtual-accounts` (<https://docs.tosspayments.com/reference#가상계좌-발급-요청>).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct VirtualAccountRequest {
    /// 결제 금액.
    pub amount: i64,
    /// 주문번호.
    pub order_id: String,
    /// 구매상품.
    pub order_name: String,
    /// 구매자명 (required).
    pub customer_name: String,
    /// 은행 코드.
    pub bank: String,
    /// 입금 가능 시간 (hours; at most 720), or
    #[serde(skip_serializing_if = "Option::is_none")]
    pub valid_hours: Option<u32>,
    /// 입금 기한 (ISO 8601, KST).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub due_date: Option<String>,
    /// 구매자 이메일.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub customer_email: Option<String>,
    /// 구매자 휴대폰 번호 (digits).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub customer_mobile_phone: Option<String>,
    /// 면세 금액.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tax_free_amount: Option<i64>,
    /// 현금영수증.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cash_receipt: Option<CashReceipt>,
}

/// `cashReceipt` of a virtual account: `type` 소득공제 / 지출증빙.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CashReceipt {
    /// `소득공제` (personal) or `지출증빙` (corporate).
    pub r#type: &'static str,
    /// 휴대폰 번호, 사업자등록번호 or 현금영수증 카드번호.
    pub registration_number: Secret<String>,
}

/// `POST /v1/billing/authorizations/card`
/// (<https://docs.tosspayments.com/reference#카드-정보로-빌링키-발급>).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BillingAuthCardRequest {
    /// 고객 ID (the merchant's; 2–300 characters of `[A-Za-z0-9-_=.@]`).
    pub customer_key: String,
    /// 카드 번호.
    pub card_number: Secret<String>,
    /// 유효 연도.
    pub card_expiration_year: String,
    /// 유효 월.
    pub card_expiration_month: String,
    /// 생년월일 or 사업자등록번호.
    pub customer_identity_number: Secret<String>,
    /// 카드 비밀번호 앞 2자리.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub card_password: Option<Secret<String>>,
    /// 구매자명.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub customer_name: Option<String>,
    /// 구매자 이메일.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub customer_email: Option<String>,
}

/// `POST /v1/billing/{billingKey}` (<https://docs.tosspayments.com/reference#빌링키로-결제-승인>).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BillingPayRequest {
    /// 고객 ID the key was issued for.
    pub customer_key: String,
    /// 결제 금액.
    pub amount: i64,
    /// 주문번호.
    pub order_id: String,
    /// 구매상품.
    pub order_name: String,
    /// 구매자 이메일.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub customer_email: Option<String>,
    /// 구매자명.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub customer_name: Option<String>,
    /// 면세 금액.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tax_free_amount: Option<i64>,
    /// 할부 개월 수.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub card_installment_plan: Option<i32>,
}

/// The Payment object (<https://docs.tosspayments.com/reference#payment-객체>), read leniently:
/// every field optional, unknown fields ignored; [`crate::decode`] decides what must be there.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Payment {
    /// 상점 아이디.
    pub m_id: Option<String>,
    /// The payment's key (paymux's `pgTxId`).
    pub payment_key: Option<String>,
    /// 주문번호.
    pub order_id: Option<String>,
    /// 구매상품.
    pub order_name: Option<String>,
    /// `카드`, `가상계좌`, ...
    pub method: Option<String>,
    /// [`crate::protocol::status`].
    pub status: Option<String>,
    /// 결제 요청 시각 (ISO 8601).
    pub requested_at: Option<String>,
    /// 승인 시각 (ISO 8601).
    pub approved_at: Option<String>,
    /// 통화.
    pub currency: Option<String>,
    /// 총 결제 금액.
    pub total_amount: Option<i64>,
    /// 취소할 수 있는 금액 (잔고).
    pub balance_amount: Option<i64>,
    /// 면세 금액.
    pub tax_free_amount: Option<i64>,
    /// 카드 결제 정보.
    pub card: Option<Card>,
    /// 가상계좌 정보.
    pub virtual_account: Option<VirtualAccount>,
    /// 취소 이력.
    pub cancels: Option<Vec<Cancel>>,
    /// 영수증.
    pub receipt: Option<Receipt>,
    /// 실패 정보.
    pub failure: Option<Failure>,
    /// 가상계좌 웹훅 검증 값 (masked: it authenticates deposit notices).
    pub secret: Option<Secret<String>>,
    /// 마지막 거래의 키.
    pub last_transaction_key: Option<String>,
}

/// `card` of the Payment object.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Card {
    /// 카드 금액.
    pub amount: Option<i64>,
    /// 발급사 코드.
    pub issuer_code: Option<String>,
    /// 매입사 코드.
    pub acquirer_code: Option<String>,
    /// 카드 번호, masked by Toss (`43301234****123*`).
    pub number: Option<String>,
    /// 할부 개월 수.
    pub installment_plan_months: Option<u32>,
    /// 승인 번호.
    pub approve_no: Option<String>,
    /// 신용 / 체크 / 기프트.
    pub card_type: Option<String>,
    /// 개인 / 법인.
    pub owner_type: Option<String>,
    /// 매입 상태.
    pub acquire_status: Option<String>,
}

/// `virtualAccount` of the Payment object.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VirtualAccount {
    /// 일반 / 고정.
    pub account_type: Option<String>,
    /// 계좌번호.
    pub account_number: Option<String>,
    /// 은행 코드.
    pub bank_code: Option<String>,
    /// 가상계좌 발급 고객 이름.
    pub customer_name: Option<String>,
    /// 입금 기한 (ISO 8601).
    pub due_date: Option<String>,
    /// 만료 여부.
    pub expired: Option<bool>,
}

/// One entry of `cancels`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Cancel {
    /// 취소 금액.
    pub cancel_amount: Option<i64>,
    /// 취소 사유.
    pub cancel_reason: Option<String>,
    /// 취소된 면세 금액.
    pub tax_free_amount: Option<i64>,
    /// 취소 후 환불 가능한 잔액.
    pub refundable_amount: Option<i64>,
    /// 취소 시각.
    pub canceled_at: Option<String>,
    /// 취소 건의 키.
    pub transaction_key: Option<String>,
}

/// `receipt`.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Receipt {
    /// 영수증 URL.
    pub url: Option<String>,
}

/// `failure`.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Failure {
    /// 오류 코드.
    pub code: Option<String>,
    /// 오류 메시지.
    pub message: Option<String>,
}

/// The error answer `{code, message}` (<https://docs.tosspayments.com/reference/error-codes>).
#[derive(Debug, Clone, Deserialize)]
pub struct ErrorBody {
    /// `REJECT_CARD_COMPANY`, ...
    pub code: String,
    /// 메시지.
    pub message: String,
}

/// The billing-key answer: `{mId, customerKey, authenticatedAt, method, billingKey, card, …}`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BillingAuth {
    /// 상점 아이디.
    pub m_id: Option<String>,
    /// 고객 ID.
    pub customer_key: Option<String>,
    /// 인증 시각.
    pub authenticated_at: Option<String>,
    /// `카드`.
    pub method: Option<String>,
    /// The billing key.
    pub billing_key: Option<Secret<String>>,
    /// 카드사 이름.
    pub card_company: Option<String>,
    /// Masked card number.
    pub card_number: Option<String>,
    /// Card details.
    pub card: Option<Card>,
}

/// `Authorization: Basic base64(secretKey + ":")`: the secret key is the user name, the password
/// is empty, and the colon is required
/// (<https://docs.tosspayments.com/reference/using-api/authorization>).
pub fn basic_auth(secret_key: &Secret<String>) -> String {
    format!(
        "Basic {}",
        b64_encode(format!("{}:", secret_key.expose()).as_bytes())
    )
}

/// An HTTP call to Toss: the auth header (masked in views), JSON content type, the optional
/// `Idempotency-Key`, and the exact body.
pub fn http_call(
    method: &str,
    url: String,
    auth: String,
    idempotency_key: Option<String>,
    body: Vec<u8>,
    view: WireView,
) -> WireRequest {
    let mut headers = vec![Header {
        name: header::AUTHORIZATION.into(),
        value: auth,
        sensitive: true,
    }];
    if !body.is_empty() {
        headers.push(plain("Content-Type", "application/json"));
    }
    if let Some(key) = idempotency_key {
        headers.push(plain(header::IDEMPOTENCY_KEY, &key));
    }
    WireRequest {
        target: WireTarget::Http {
            url_secret: None,
            method: method.into(),
            url,
            headers,
        },
        body,
        view,
        read_timeout: None,
    }
}

fn plain(name: &str, value: &str) -> Header {
    Header {
        name: name.into(),
        value: value.into(),
        sensitive: false,
    }
}

/// Derives a call's `Idempotency-Key` from its exact body.
pub type DeriveKey<'a> = dyn Fn(&[u8]) -> String + 'a;

/// A JSON call: exact bytes, and the masked view (`request` line as shown — a path holding a
/// secret is given masked —, the `Idempotency-Key`, the masked body).
pub fn json_call<T: Serialize + Send + Sync + 'static>(
    method: &str,
    url: String,
    auth: String,
    shown_path: String,
    idempotency_key: Option<&DeriveKey<'_>>,
    body: T,
) -> WireRequest {
    let bytes = to_bytes(&body);
    let idempotency_key = idempotency_key.map(|derive| derive(&bytes));
    let m = method.to_string();
    let key = idempotency_key.clone();
    let view = WireView::lazy(move || {
        serde_json::json!({
            "request": format!("{m} {shown_path}"),
            "idempotencyKey": key,
            "json": masked_view(&body),
        })
    });
    http_call(method, url, auth, idempotency_key, bytes, view)
}

/// The exact JSON bytes of a message (struct field order).
pub fn to_bytes<T: Serialize>(msg: &T) -> Vec<u8> {
    // Plain structs of strings and integers always serialize.
    serde_json::to_vec(msg).unwrap_or_default()
}

/// The masked view of a message: its JSON with every secret field masked by name.
pub fn masked_view<T: Serialize>(msg: &T) -> Value {
    let v = serde_json::to_value(msg).unwrap_or(Value::Null);
    mask_value(v)
}

/// Mask a JSON value's secret fields by name, at any depth.
pub fn mask_value(v: Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.into_iter()
                .map(|(k, v)| {
                    let v = match v {
                        Value::String(s) => Value::String(mask(&k, &s)),
                        other => mask_value(other),
                    };
                    (k, v)
                })
                .collect::<Map<String, Value>>(),
        ),
        Value::Array(a) => Value::Array(a.into_iter().map(mask_value).collect()),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basic_auth_of_the_published_test_key() {
        // The value the cancel, billing and virtual-account pages show (and `base64` of
        // "test_sk_zXLkKEypNArWmo50nX3lmeaxYG5R:").
        let key = Secret::new(crate::protocol::PUBLISHED_TEST_SECRET_KEY.to_string());
        assert_eq!(
            basic_auth(&key),
            "Basic dGVzdF9za196WExrS0V5cE5BcldtbzUwblgzbG1lYXhZRzVSOg=="
        );
    }

    #[test]
    fn views_mask_card_data_at_any_depth() {
        let v = mask_value(serde_json::json!({
            "cardNumber": "4330123412341234",
            "refundReceiveAccount": { "accountNumber": "110123456789", "bank": "88" },
            "amount": 1000,
        }));
        assert_eq!(v["cardNumber"], "433012******1234");
        assert_eq!(v["refundReceiveAccount"]["accountNumber"], "************");
        assert_eq!(v["refundReceiveAccount"]["bank"], "88");
    }
}
