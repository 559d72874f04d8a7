//! `POST /checkout/sessions`: the request as PortOne's browser SDK spells it (`kind` plus the
//! parameters of `requestPayment`, `requestIssueBillingKey` or `requestIssueBillingKeyAndPay`),
//! parsed and validated, and the order it describes.

use paymux_core::adapter::{CheckoutRequest, Method};
use paymux_core::model::{
    CheckoutCustomer, IssueBillingKeyAndPayRequest, IssueBillingKeyRequest, PaymentRequest,
    ProductType, Validate,
};
use paymux_core::money::PaymentAmountInput;
use paymux_core::validation::{FieldPath, ValidationErrors};
use serde_json::{json, Value};

use super::{rules, Kind};
use crate::error::ApiError;

/// The parsed request of `POST /checkout/sessions`.
#[derive(Debug, Clone)]
pub struct CreateRequest {
    /// The SDK call.
    pub kind: Kind,
    /// Its parameters.
    pub checkout: CheckoutRequest,
    /// The billing key's id when the caller names it (V1's `customer_uid`); else generated.
    pub billing_key_id: Option<String>,
    /// Whether the body named a `channelGroupId`.
    pub channel_group_id: Option<String>,
}

/// Parse the body: `kind` plus the SDK parameters. Errors name the field path.
pub fn parse_request(bytes: &[u8]) -> Result<CreateRequest, ApiError> {
    parse_value(crate::error::parse_body(bytes)?)
}

/// [`parse_request`] for a body already read as JSON.
pub fn parse_value(raw: Value) -> Result<CreateRequest, ApiError> {
    let Value::Object(mut obj) = raw else {
        return Err(ApiError::invalid("the request body must be a JSON object"));
    };
    let kind = match obj.remove("kind") {
        None | Some(Value::Null) => Kind::Payment,
        Some(Value::String(s)) => Kind::parse(&s).ok_or_else(|| {
            ApiError::invalid(
                "kind: must be PAYMENT (requestPayment), ISSUE_BILLING_KEY (requestIssueBillingKey) \
                 or ISSUE_BILLING_KEY_AND_PAY (requestIssueBillingKeyAndPay)",
            )
        })?,
        Some(_) => return Err(ApiError::invalid("kind: must be a string")),
    };
    let channel_group_id = match obj.get("channelGroupId") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(_) => return Err(ApiError::invalid("channelGroupId: must be a string")),
    };
    if kind != Kind::Payment && channel_group_id.is_some() {
        return Err(ApiError::invalid(format!(
            "channelGroupId: a {} window takes a channelKey only; PortOne issues billing keys \
             through a channel group only with the API (POST /billing-keys with channelGroupId)",
            match kind {
                Kind::IssueBillingKey => "billing-key (requestIssueBillingKey)",
                _ => "billing-key-and-pay (requestIssueBillingKeyAndPay)",
            }
        )));
    }
    let text = Value::Object(obj).to_string();
    let checkout = match kind {
        Kind::Payment => {
            CheckoutRequest::Payment(Box::new(crate::error::parse_body(text.as_bytes())?))
        }
        Kind::IssueBillingKey => {
            CheckoutRequest::IssueBillingKey(Box::new(crate::error::parse_body(text.as_bytes())?))
        }
        Kind::IssueBillingKeyAndPay => CheckoutRequest::IssueBillingKeyAndPay(Box::new(
            crate::error::parse_body(text.as_bytes())?,
        )),
    };
    Ok(CreateRequest {
        kind,
        checkout,
        billing_key_id: None,
        channel_group_id,
    })
}

/// PortOne's generic rules plus, with `channelGroupId`, the smart-routing rules.
pub fn validate_request(req: &CreateRequest) -> Result<(), ValidationErrors> {
    let mut errs = ValidationErrors::default();
    let root = FieldPath::root("");
    match &req.checkout {
        CheckoutRequest::Payment(r) => {
            r.validate(&root, &mut errs);
            if r.channel_group_id.is_some() {
                rules::smart_routing(r, &mut errs);
            }
        }
        CheckoutRequest::IssueBillingKey(r) => r.validate(&root, &mut errs),
        CheckoutRequest::IssueBillingKeyAndPay(r) => r.validate(&root, &mut errs),
    }
    errs.into_result()
}

/// The pieces of the request the records need, whatever its kind.
pub(super) struct Order<'a> {
    pub(super) store_id: &'a str,
    pub(super) payment_id: Option<&'a str>,
    pub(super) order_name: &'a str,
    pub(super) currency: String,
    pub(super) amount: Option<PaymentAmountInput>,
    pub(super) customer: Option<&'a CheckoutCustomer>,
    pub(super) custom_data: Option<&'a Value>,
    pub(super) redirect_url: Option<&'a str>,
    pub(super) notice_urls: Vec<String>,
    pub(super) extra: Vec<(&'static str, Value)>,
}

pub(super) fn order_of(c: &CheckoutRequest) -> Order<'_> {
    match c {
        CheckoutRequest::Payment(r) => order_of_payment(r),
        CheckoutRequest::IssueBillingKey(r) => order_of_issue(r),
        CheckoutRequest::IssueBillingKeyAndPay(r) => order_of_and_pay(r),
    }
}

/// `Payment.escrow.status` of an escrow window payment: paymux registers no delivery (no linked
/// adapter has a public escrow wire format), so it stays here.
const ESCROW_BEFORE_REGISTERED: &str = "BEFORE_REGISTERED";

pub(super) fn order_of_payment(r: &PaymentRequest) -> Order<'_> {
    Order {
        store_id: &r.store_id,
        payment_id: Some(&r.payment_id),
        order_name: &r.order_name,
        currency: r.currency.code().to_string(),
        amount: Some(r.amount()),
        customer: r.customer.as_ref(),
        custom_data: r.custom_data.as_ref(),
        redirect_url: r.redirect_url.as_deref(),
        notice_urls: r.notice_urls.clone().unwrap_or_default(),
        extra: vec![
            ("products", json!(r.products)),
            ("productType", json!(r.product_type.map(ProductType::from))),
            ("promotionId", json!(r.promotion_id)),
            ("isCulturalExpense", json!(r.is_cultural_expense)),
            ("country", json!(r.country)),
            // PortOne's `PaymentEscrow` is a union on `status`; an escrow payment starts
            // `BEFORE_REGISTERED` (no delivery registered yet).
            (
                "escrow",
                json!(r
                    .is_escrow
                    .filter(|e| *e)
                    .map(|_| json!({"status": ESCROW_BEFORE_REGISTERED}))),
            ),
        ],
    }
}

pub(super) fn order_of_issue(r: &IssueBillingKeyRequest) -> Order<'_> {
    Order {
        store_id: &r.store_id,
        payment_id: None,
        order_name: r.issue_name.as_deref().unwrap_or_default(),
        currency: r
            .currency
            .as_ref()
            .map(|c| c.code().to_string())
            .unwrap_or_else(|| "KRW".into()),
        amount: None,
        customer: r.customer.as_ref(),
        custom_data: r.custom_data.as_ref(),
        redirect_url: r.redirect_url.as_deref(),
        notice_urls: r.notice_urls.clone().unwrap_or_default(),
        extra: Vec::new(),
    }
}

pub(super) fn order_of_and_pay(r: &IssueBillingKeyAndPayRequest) -> Order<'_> {
    Order {
        store_id: &r.store_id,
        payment_id: Some(&r.payment_id),
        order_name: &r.order_name,
        currency: r.currency.code().to_string(),
        amount: Some(r.amount()),
        customer: r.customer.as_ref(),
        custom_data: r.custom_data.as_ref(),
        redirect_url: r.redirect_url.as_deref(),
        notice_urls: r.notice_urls.clone().unwrap_or_default(),
        extra: vec![
            ("products", json!(r.products)),
            ("productType", json!(r.product_type.map(ProductType::from))),
            ("isCulturalExpense", json!(r.is_cultural_expense)),
            ("country", json!(r.country)),
        ],
    }
}

/// `customData` as stored: a string stays itself, other JSON is kept as its text.
pub(super) fn custom_data_text(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::Null => None,
        Value::String(s) => Some(s.clone()),
        other => Some(other.to_string()),
    }
}

/// The masked `PaymentMethod` a window payment starts with (the PG's answer fills it in).
pub fn initial_method_json(m: Method) -> Value {
    let t = match m {
        Method::Card => "PaymentMethodCard",
        Method::VirtualAccount => "PaymentMethodVirtualAccount",
        Method::Transfer => "PaymentMethodTransfer",
        Method::Mobile => "PaymentMethodMobile",
        Method::EasyPay => "PaymentMethodEasyPay",
        Method::GiftCertificate => "PaymentMethodGiftCertificate",
        Method::Paypal => "PaymentMethodPaypal",
        Method::Alipay | Method::AlipayPlus => "PaymentMethodEasyPay",
        Method::ConvenienceStore => "PaymentMethodConvenienceStore",
    };
    json!({ "type": t })
}
