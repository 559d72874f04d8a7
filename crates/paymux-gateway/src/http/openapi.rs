//! The gateway's OpenAPI document (`GET /openapi.json`), generated from the code with
//! `utoipa`:
//!
//! - every operation (method, path, operationId, parameters, request body, answers, security)
//!   from the `#[utoipa::path]` attribute on its handler, listed in [`ApiDoc`];
//! - every schema from a type that derives `utoipa::ToSchema`: the PortOne request bodies
//!   defined in `paymux-core` (its `openapi` feature), the routing shapes of
//!   `paymux-routing` (its `openapi` feature), and the gateway's views (`crate::views`), list
//!   bodies and filters, admin, checkout and browser shapes. The roots are listed in
//!   [`ApiDoc`]; what they contain is collected from them. A handler's attribute names its
//!   body by reference, and a test checks that every reference resolves.
//! - only the document's `info`, servers and security schemes come from
//!   `openapi-schemas.json` beside this file: it holds no schema.
//!
//! `crates/paymux-gateway/openapi.json` is this document as committed; a test fails when it
//! differs. Regenerate it with
//! `PAYMUX_WRITE_OPENAPI=1 cargo test -p paymux-gateway --all-features --lib http::openapi`.
//! Another test compares every PortOne operation paymux serves with PortOne's own schema
//! (`tests/portone/v2-operations.json`): paths, methods, parameters, and the names and types
//! of the request's and the answer's fields.

use std::collections::HashMap;
use std::sync::OnceLock;

use serde_json::{Map, Value};
use utoipa::OpenApi;

use super::{
    admin, auth, billing_keys, browser, cash_receipts, checkout, notices, payment_ops, payments,
};

/// The part that is not a schema: `info`, servers, security schemes.
const HAND_WRITTEN: &str = include_str!("openapi-schemas.json");

/// An HTML page (the hosted checkout's hand-off and result pages).
#[derive(utoipa::ToSchema)]
#[allow(dead_code)] // names a media type's schema; pages are rendered by `super::pages`
pub struct HtmlPage(String);

/// A JavaScript file (`/v2/browser-sdk.js`, `/v1/iamport.js`).
#[derive(utoipa::ToSchema)]
#[allow(dead_code)] // names a media type's schema; the scripts are static files
pub struct JavaScript(String);

/// This document (OpenAPI 3.1).
#[derive(utoipa::ToSchema)]
#[allow(dead_code)] // names the answer of `GET /openapi.json`, built by [`document`]
#[schema(value_type = Object)]
pub struct OpenApiDocument(Value);

/// The form a PG's payment window posts back to the gateway: the PG's own fields (Galaxia:
/// `SERVICE_ID`, `SERVICE_CODE`, `ORDER_ID`, `ORDER_DATE`, `RESPONSE_CODE`,
/// `RESPONSE_MESSAGE`, `MESSAGE`, `HASH_DATA`, ...), each PG's adapter reading its own.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)] // names the form's schema; the adapters read the fields
pub struct WindowReturnForm(HashMap<String, String>);

/// A PG's notice, exactly as the vendor sends it (at most 64 KiB); its adapter reads it.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)] // names the body's schema; the adapters read the bytes
#[schema(value_type = String, format = Binary)]
pub struct PgNoticeBody(Vec<u8>);

/// The operations, and the schemas of their bodies and answers (with every schema these
/// contain).
#[derive(OpenApi)]
#[openapi(
    paths(
        payments::instant,
        payments::pay_billing_key,
        payments::create_schedule,
        payments::cancel_payment,
        payments::get_payment,
        billing_keys::issue_billing_key,
        billing_keys::list_billing_keys,
        billing_keys::get_billing_key,
        billing_keys::delete_billing_key,
        payments::get_schedule,
        payments::revoke_schedules,
        payments::list_schedules,
        admin::list_groups,
        admin::get_group,
        admin::put_group,
        admin::delete_group,
        admin::list_channels,
        checkout::create_checkout,
        checkout::get_checkout,
        checkout::checkout_page,
        checkout::checkout_return,
        super::openapi,
        admin::explain_group,
        browser::browser_sdk_js,
        browser::iamport_js,
        browser::browser_checkout,
        browser::browser_checkout_v1,
        browser::browser_result,
        browser::browser_v1_return,
        payments::list_payments,
        payments::payments_by_cursor,
        payments::payment_transactions,
        payments::pre_register,
        auth::login_via_api_secret,
        auth::refresh_token,
        auth::bank_infos,
        notices::pg_notice,
        notices::list_pg_notices,
        notices::resend_webhook,
        admin::group_stats,
        admin::metrics,
        payment_ops::close_virtual_account,
        payment_ops::apply_escrow_logistics,
        payment_ops::modify_escrow_logistics,
        payment_ops::confirm_escrow,
        payment_ops::register_store_receipt,
        payment_ops::get_promotion,
        payment_ops::get_kakaopay_payment_order,
        cash_receipts::issue_cash_receipt,
        cash_receipts::list_cash_receipts,
        cash_receipts::get_cash_receipt,
        cash_receipts::cancel_cash_receipt,
    ),
    components(schemas(
        // PortOne request bodies (paymux-core).
        paymux_core::model::InstantPaymentInput,
        paymux_core::model::BillingKeyPaymentInput,
        paymux_core::model::CreatePaymentScheduleBody,
        paymux_core::model::CancelPaymentBody,
        paymux_core::model::IssueBillingKeyBody,
        paymux_core::model::RevokePaymentSchedulesBody,
        paymux_core::model::CheckoutRequest,
        // Bodies the gateway defines.
        crate::auth::LoginViaApiSecretBody,
        crate::auth::RefreshTokenBody,
        crate::payments::PreRegisterPaymentBody,
        crate::payment_list::GetPaymentsBody,
        crate::payment_list::GetAllPaymentsByCursorBody,
        crate::billing_key_list::GetBillingKeyInfosBody,
        crate::schedule_list::GetPaymentSchedulesBody,
        crate::cash_receipt_list::GetCashReceiptsBody,
        crate::cash_receipts::IssueCashReceiptBody,
        crate::escrow::EscrowLogisticsBody,
        crate::escrow::ConfirmEscrowBody,
        crate::escrow::RegisterStoreReceiptBody,
        crate::webhook_history::ResendWebhookBody,
        crate::groups::ExplainRoutingBody,
        paymux_routing::GroupUpdate,
        crate::browser::BrowserCheckoutRequest,
        crate::browser::BrowserCheckoutRequestV1,
        WindowReturnForm,
        PgNoticeBody,
        // Answers.
        crate::error::ErrorBody,
        crate::auth::TokenPair,
        crate::views::bank::GetBankInfosResponse,
        crate::views::virtual_account::CloseVirtualAccountResponse,
        crate::views::answers::PaymentSummaryResponse,
        crate::views::answers::CreatePaymentScheduleResponse,
        crate::views::answers::CancelPaymentResponse,
        crate::views::answers::IssueBillingKeyResponse,
        crate::views::answers::DeleteBillingKeyResponse,
        crate::views::answers::RevokePaymentSchedulesResponse,
        crate::views::answers::PreRegisterPaymentResponse,
        crate::views::answers::ApplyEscrowLogisticsResponse,
        crate::views::answers::ModifyEscrowLogisticsResponse,
        crate::views::answers::ConfirmEscrowResponse,
        crate::views::answers::RegisterStoreReceiptResponse,
        crate::views::answers::Promotion,
        crate::views::answers::GetKakaopayPaymentOrderResponse,
        crate::views::payment::Payment,
        crate::views::billing_key::BillingKeyInfo,
        crate::views::schedule::PaymentSchedule,
        crate::views::cash_receipt::CashReceipt,
        crate::views::cash_receipt::IssueCashReceiptResponse,
        crate::views::cash_receipt::CancelCashReceiptResponse,
        crate::views::checkout::CheckoutSession,
        crate::views::checkout::CheckoutSessionCreated,
        crate::views::list::GetPaymentsResponse,
        crate::views::list::GetAllPaymentsByCursorResponse,
        crate::views::list::GetPaymentTransactionsResponse,
        crate::views::list::GetBillingKeyInfosResponse,
        crate::views::list::GetPaymentSchedulesResponse,
        crate::views::list::GetCashReceiptsResponse,
        crate::webhook_history::ResendWebhookResponse,
        crate::notices::PgNoticeLog,
        crate::groups::GroupView,
        crate::groups::GroupList,
        crate::groups::GroupDeleted,
        crate::channels::ChannelList,
        paymux_routing::Explanation,
        crate::stats::GroupStats,
        crate::browser::BrowserCheckoutAnswer,
        HtmlPage,
        JavaScript,
        OpenApiDocument,
    )),
    modifiers(&WriteBodiesAreRequired)
)]
pub struct ApiDoc;

/// A `POST`/`PUT`/`PATCH` body the handler's attribute names by reference to its schema is
/// required (`json_body` refuses an empty one); `utoipa` marks required only the bodies whose
/// Rust type it sees. `GET`/`DELETE` bodies may come in the `requestBody` query parameter instead.
struct WriteBodiesAreRequired;

impl utoipa::Modify for WriteBodiesAreRequired {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::{RefOr, Required};
        for item in doc.paths.paths.values_mut() {
            for op in [&mut item.post, &mut item.put, &mut item.patch]
                .into_iter()
                .flatten()
            {
                if let Some(body) = &mut op.request_body {
                    let by_ref = body
                        .content
                        .values()
                        .all(|c| matches!(c.schema, Some(RefOr::Ref(_))));
                    if by_ref && body.required.is_none() {
                        body.required = Some(Required::True);
                    }
                }
            }
        }
    }
}

/// The whole document: `info`, servers and security schemes from `openapi-schemas.json`,
/// with the generated operations and schemas.
pub fn document() -> Value {
    let mut doc: Value = serde_json::from_str(HAND_WRITTEN).expect("openapi-schemas.json is JSON");
    let generated = serde_json::to_value(ApiDoc::openapi()).expect("the OpenAPI model serializes");
    doc["paths"] = generated["paths"].clone();
    if doc["components"].get("schemas").is_none() {
        doc["components"]["schemas"] = Value::Object(Map::new());
    }
    let schemas = doc["components"]["schemas"]
        .as_object_mut()
        .expect("components.schemas is an object");
    if let Some(Value::Object(derived)) = generated.pointer("/components/schemas") {
        for (name, schema) in derived {
            // A derived schema replaces nothing written by hand: one place per schema.
            assert!(
                schemas.insert(name.clone(), schema.clone()).is_none(),
                "schema {name} is both derived and written by hand"
            );
        }
    }
    sort_keys(&mut doc["components"]["schemas"]);
    doc
}

fn sort_keys(v: &mut Value) {
    if let Value::Object(m) = v {
        let mut entries: Vec<(String, Value)> = std::mem::take(m).into_iter().collect();
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        *m = entries.into_iter().collect::<Map<String, Value>>();
    }
}

/// [`document`] as served and committed (pretty JSON, a final newline).
pub fn document_text() -> &'static str {
    static TEXT: OnceLock<String> = OnceLock::new();
    TEXT.get_or_init(|| {
        let mut s = serde_json::to_string_pretty(&document()).expect("JSON serializes");
        s.push('\n');
        s
    })
}

#[cfg(test)]
#[path = "openapi_tests.rs"]
mod tests;
