//! WEBFEP wire structs: the JSON bodies of the KSPAY API Reference (code index id40551260010,
//! virtual accounts id44493855312), field names and order as documented. Every value is a JSON
//! string, as in the reference's examples (`"totalAmount": "1004"`).
//!
//! Card numbers, passwords and birth dates are [`Secret`]s: `Debug` never shows them, and
//! each request's `view()` is the masked form snapshots and `paymux wire` print. The exact
//! body is [`to_body`]: UTF-8 JSON, whose values must still be representable in EUC-KR
//! ("파라미터를 UTF-8을 전달하더라도 EUC-KR로 표현 가능한 문자여야 합니다").

use paymux_core::secret::{mask_all, mask_card_number, Secret};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{json, Map, Value};

/// `card/pay/noncert` and `card/pay/oldcert` (reference 1.3, 1.4).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CardPayRequest {
    /// 상점아이디 (10).
    pub mid: String,
    /// 가맹점데이터, echoed in the answer.
    #[serde(default)]
    pub payload: String,
    /// 가맹점 주문번호 (50).
    pub order_numb: String,
    /// 주문자명 (50).
    pub user_name: String,
    /// 주문자이메일 (50).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_email: Option<String>,
    /// REAL / DIGITAL.
    pub product_type: String,
    /// 상품명 (50).
    pub product_name: String,
    /// 총금액 (9).
    pub total_amount: String,
    /// 면세금액 (9).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tax_free_amount: Option<String>,
    /// 세금 (9).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tax: Option<String>,
    /// 카드번호 (20). For a batch charge (**reconstructed**), the batch key.
    pub card_numb: Secret<String>,
    /// 유효기간 yyMM (4).
    #[serde(default)]
    pub expiry_date: String,
    /// 할부개월수 (2).
    pub install_month: String,
    /// KRW / USD.
    pub currency_type: String,
    /// 카드비밀번호 앞2자리 (oldcert only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password2: Option<Secret<String>>,
    /// 생년월일 yyMMdd or 사업자번호 (oldcert only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_info: Option<Secret<String>>,
    /// **Reconstructed**: `1` marks a charge whose `cardNumb` is a batch key (the KSPay
    /// `BatchUseType`, see [`crate::reconstructed`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub batch_use_type: Option<String>,
}

impl CardPayRequest {
    /// The masked view.
    pub fn view(&self) -> Value {
        let batch = self.batch_use_type.is_some();
        masked(
            self,
            &[
                ("cardNumb", if batch { Masking::All } else { Masking::Card }),
                ("password2", Masking::All),
                ("userInfo", Masking::All),
            ],
        )
    }
}

/// `card/cert`: card-holder authentication without a charge (reference 1.2).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CardCertRequest {
    /// 상점아이디.
    pub mid: String,
    /// 가맹점데이터.
    #[serde(default)]
    pub payload: String,
    /// 가맹점 주문번호.
    pub order_numb: String,
    /// 주문자명.
    pub user_name: String,
    /// 상품명.
    pub product_name: String,
    /// 카드번호.
    pub card_numb: Secret<String>,
    /// 유효기간 yyMM.
    pub expiry_date: String,
    /// 카드비밀번호 앞2자리.
    pub password2: Secret<String>,
    /// 생년월일 yyMMdd or 사업자번호.
    pub user_info: Secret<String>,
}

impl CardCertRequest {
    /// The masked view.
    pub fn view(&self) -> Value {
        masked(
            self,
            &[
                ("cardNumb", Masking::Card),
                ("password2", Masking::All),
                ("userInfo", Masking::All),
            ],
        )
    }
}

/// `card/cancel` (reference 1.1). Unused optional fields are sent as `""`, as in the
/// reference's example.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CancelRequest {
    /// 상점아이디.
    pub mid: String,
    /// 가맹점데이터.
    #[serde(default)]
    pub payload: String,
    /// FULL / PARTIAL.
    pub cancel_type: String,
    /// TID / ORDER_NUMB.
    pub org_trade_key_type: String,
    /// 원거래 키 (50): the TID or the order number.
    pub org_trade_key: Secret<String>,
    /// 원거래일자 yyyyMMdd (by order number only).
    #[serde(default)]
    pub org_trade_date: String,
    /// 취소 총금액 (partial only).
    #[serde(default)]
    pub cancel_total_amount: String,
    /// 취소 면세금액 (partial only).
    #[serde(default)]
    pub cancel_tax_free_amount: String,
    /// 취소일련번호 1–9 (partial only).
    #[serde(default)]
    pub cancel_seq: String,
}

impl CancelRequest {
    /// The masked view. `key_is_secret`: the key is a batch key (a billing-key delete), not an
    /// ordinary TID.
    pub fn view(&self, key_is_secret: bool) -> Value {
        let rules: &[(&str, Masking)] = if key_is_secret {
            &[("orgTradeKey", Masking::All)]
        } else {
            &[("orgTradeKey", Masking::Clear)]
        };
        masked(self, rules)
    }
}

/// `vaccount/permanent` (VA section). The reference's table lists `userName`, `productName`
/// and `virtAccountNum`, its example body `orderName`, `goodName` and `virtAccountNumb`;
/// paymux sends the example's names, in the example's order (see [`crate::reconstructed`]).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VaccountRequest {
    /// 상점아이디.
    pub mid: String,
    /// 가맹점 주문번호 (50).
    pub order_numb: String,
    /// 주문자명 (50).
    pub order_name: String,
    /// 상품명 (50).
    pub good_name: String,
    /// 결제금액 (9).
    pub total_amount: String,
    /// 가맹점데이터.
    #[serde(default)]
    pub payload: String,
    /// 은행타입 (`NONGHYUP`, ...).
    pub bank_type: String,
    /// 0 일반 / 2 영구성.
    pub virt_account_type: String,
    /// 0 적용 안함 / 1 에스크로.
    #[serde(default)]
    pub escrow_type: String,
    /// 마감일시 YYYYMMDDHHMISS (14).
    #[serde(default)]
    pub close_date_time: String,
    /// 가상계좌번호 (15), permanent accounts only.
    #[serde(default)]
    pub virt_account_numb: String,
}

impl VaccountRequest {
    /// The view (nothing secret: the account number is the merchant's own).
    pub fn view(&self) -> Value {
        masked(self, &[])
    }
}

/// The answer envelope (reference, "Response 공통").
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Envelope {
    /// KSNET's id of the request.
    #[serde(default, deserialize_with = "opt_text")]
    pub aid: Option<String>,
    /// `A0200` (the only success), `A0201`, `A0400`, ...
    pub code: String,
    /// Details of `code`.
    #[serde(default, deserialize_with = "opt_text")]
    pub message: Option<String>,
    /// The API's answer; may be `null`.
    #[serde(default)]
    pub data: Option<Value>,
}

/// `data` of the card, virtual-account and (reconstructed) inquiry answers, with every field
/// optional: each API fills its own subset. Numbers are accepted as strings or JSON numbers.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResultData {
    /// 가맹점데이터, echoed.
    #[serde(
        default,
        deserialize_with = "opt_text",
        skip_serializing_if = "Option::is_none"
    )]
    pub payload: Option<String>,
    /// PG거래번호 (12).
    #[serde(
        default,
        deserialize_with = "opt_text",
        skip_serializing_if = "Option::is_none"
    )]
    pub tid: Option<String>,
    /// 거래일시 yyyyMMddHHmmss.
    #[serde(
        default,
        deserialize_with = "opt_text",
        skip_serializing_if = "Option::is_none"
    )]
    pub trade_date_time: Option<String>,
    /// 총금액.
    #[serde(
        default,
        deserialize_with = "opt_text",
        skip_serializing_if = "Option::is_none"
    )]
    pub total_amount: Option<String>,
    /// 취소된금액 (cancel answers; the inquiry's total cancelled, **reconstructed**).
    #[serde(
        default,
        deserialize_with = "opt_text",
        skip_serializing_if = "Option::is_none"
    )]
    pub cancel_amount: Option<String>,
    /// 응답코드 (4).
    #[serde(
        default,
        deserialize_with = "opt_text",
        skip_serializing_if = "Option::is_none"
    )]
    pub resp_code: Option<String>,
    /// 응답메시지 (40).
    #[serde(
        default,
        deserialize_with = "opt_text",
        skip_serializing_if = "Option::is_none"
    )]
    pub resp_message: Option<String>,
    /// 발급사타입.
    #[serde(
        default,
        deserialize_with = "opt_text",
        skip_serializing_if = "Option::is_none"
    )]
    pub issuer_card_type: Option<String>,
    /// 발급사명.
    #[serde(
        default,
        deserialize_with = "opt_text",
        skip_serializing_if = "Option::is_none"
    )]
    pub issuer_card_name: Option<String>,
    /// 매입사타입.
    #[serde(
        default,
        deserialize_with = "opt_text",
        skip_serializing_if = "Option::is_none"
    )]
    pub purchase_card_type: Option<String>,
    /// 매입사명.
    #[serde(
        default,
        deserialize_with = "opt_text",
        skip_serializing_if = "Option::is_none"
    )]
    pub purchase_card_name: Option<String>,
    /// 승인번호 (12).
    #[serde(
        default,
        deserialize_with = "opt_text",
        skip_serializing_if = "Option::is_none"
    )]
    pub approval_numb: Option<String>,
    /// 카드번호, masked by KSNET (`40176201XXXX825X`).
    #[serde(
        default,
        deserialize_with = "opt_text",
        skip_serializing_if = "Option::is_none"
    )]
    pub card_numb: Option<String>,
    /// 유효기간.
    #[serde(
        default,
        deserialize_with = "opt_text",
        skip_serializing_if = "Option::is_none"
    )]
    pub expiry_date: Option<String>,
    /// 할부개월수.
    #[serde(
        default,
        deserialize_with = "opt_text",
        skip_serializing_if = "Option::is_none"
    )]
    pub install_month: Option<String>,
    /// CREDIT / CHECK / GIFT / PREPAID.
    #[serde(
        default,
        deserialize_with = "opt_text",
        skip_serializing_if = "Option::is_none"
    )]
    pub card_type: Option<String>,
    /// 부분취소가능여부.
    #[serde(
        default,
        deserialize_with = "opt_text",
        skip_serializing_if = "Option::is_none"
    )]
    pub part_cancel_yn: Option<String>,
    /// 은행타입 (virtual account).
    #[serde(
        default,
        deserialize_with = "opt_text",
        skip_serializing_if = "Option::is_none"
    )]
    pub bank_type: Option<String>,
    /// 은행명 (virtual account).
    #[serde(
        default,
        deserialize_with = "opt_text",
        skip_serializing_if = "Option::is_none"
    )]
    pub bank_name: Option<String>,
    /// 가상계좌번호 (virtual account).
    #[serde(
        default,
        deserialize_with = "opt_text",
        skip_serializing_if = "Option::is_none"
    )]
    pub virtual_account_numb: Option<String>,
    /// 예금주명 (virtual account).
    #[serde(
        default,
        deserialize_with = "opt_text",
        skip_serializing_if = "Option::is_none"
    )]
    pub account_holder: Option<String>,
    /// **Reconstructed** (inquiry): the transaction's state, see
    /// [`crate::protocol::trade_status`].
    #[serde(
        default,
        deserialize_with = "opt_text",
        skip_serializing_if = "Option::is_none"
    )]
    pub trade_status: Option<String>,
}

/// The exact request body: compact UTF-8 JSON, fields in the struct's (documented) order.
pub fn to_body<T: Serialize>(request: &T) -> Result<Vec<u8>, String> {
    serde_json::to_vec(request).map_err(|e| format!("cannot serialize the request: {e}"))
}

/// How a field is shown in a view.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Masking {
    /// As is.
    Clear,
    /// First 6 and last 4 digits kept.
    Card,
    /// Every character replaced by `*`.
    All,
}

fn masked<T: Serialize>(request: &T, rules: &[(&str, Masking)]) -> Value {
    let mut v = serde_json::to_value(request).unwrap_or(Value::Null);
    if let Value::Object(map) = &mut v {
        for (name, how) in rules {
            if let Some(Value::String(s)) = map.get_mut(*name) {
                *s = match how {
                    Masking::Clear => continue,
                    Masking::Card => mask_card_number(s),
                    Masking::All => mask_all(s),
                };
            }
        }
    }
    v
}

/// A JSON string, number or null as text (KSNET's examples quote numbers; accept both).
fn opt_text<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::String(s) => Some(s),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    })
}

/// An envelope the simulator answers with.
pub fn envelope(aid: &str, code: &str, message: &str, data: Option<Value>) -> Value {
    let mut m = Map::new();
    m.insert("aid".into(), json!(aid));
    m.insert("code".into(), json!(code));
    m.insert("message".into(), json!(message));
    m.insert("data".into(), data.unwrap_or(Value::Null));
    Value::Object(m)
}

/// **Reconstructed** WEBFEP inquiry body (`POST trade/inquiry`), the cancel's key fields.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WebfepInquiryRequest {
    /// 상점아이디.
    pub mid: String,
    /// 가맹점데이터.
    #[serde(default)]
    pub payload: String,
    /// TID / ORDER_NUMB.
    pub org_trade_key_type: String,
    /// The TID or the order number.
    pub org_trade_key: String,
    /// yyyyMMdd (by order number).
    #[serde(default)]
    pub org_trade_date: String,
}

impl WebfepInquiryRequest {
    /// The view (nothing secret).
    pub fn view(&self) -> Value {
        serde_json::to_value(self).unwrap_or(Value::Null)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pay() -> CardPayRequest {
        CardPayRequest {
            mid: "2999199999".into(),
            payload: "order-1".into(),
            order_numb: "order-1".into(),
            user_name: "홍길동".into(),
            user_email: None,
            product_type: "REAL".into(),
            product_name: "핑크테디".into(),
            total_amount: "1004".into(),
            tax_free_amount: None,
            tax: None,
            card_numb: Secret::new("4017620101234567".into()),
            expiry_date: "3012".into(),
            install_month: "00".into(),
            currency_type: "KRW".into(),
            password2: Some(Secret::new("99".into())),
            user_info: Some(Secret::new("680102".into())),
            batch_use_type: None,
        }
    }

    #[test]
    fn body_keeps_the_documented_order_and_the_view_masks() {
        let body = String::from_utf8(to_body(&pay()).unwrap()).unwrap();
        assert!(body.starts_with(
            r#"{"mid":"2999199999","payload":"order-1","orderNumb":"order-1","userName":"#
        ));
        assert!(body.contains(r#""cardNumb":"4017620101234567","expiryDate":"3012","installMonth":"00","currencyType":"KRW","password2":"99","userInfo":"680102"}"#));
        let view = pay().view().to_string();
        assert!(view.contains("401762******4567"), "{view}");
        assert!(
            !view.contains("680102") && !view.contains("\"99\""),
            "{view}"
        );
        assert!(!format!("{:?}", pay()).contains("4017620101234567"));
    }

    #[test]
    fn envelope_and_data_accept_numbers_or_strings() {
        let e: Envelope = serde_json::from_str(
            r#"{"aid":"X","code":"A0200","message":"Success","data":{"tid":"189189011016","totalAmount":1004,"respCode":"0000"}}"#,
        )
        .unwrap();
        let d: ResultData = serde_json::from_value(e.data.unwrap()).unwrap();
        assert_eq!(d.total_amount.as_deref(), Some("1004"));
        assert_eq!(d.tid.as_deref(), Some("189189011016"));
        let e: Envelope = serde_json::from_str(r#"{"code":"A0401","data":null}"#).unwrap();
        assert!(e.data.is_none() || e.data == Some(Value::Null));
    }
}
