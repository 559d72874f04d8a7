//! The gateway's OpenAPI document (`GET /openapi.json`), generated from the code with
//! `utoipa`:
//!
//! - every operation (method, path, operationId, parameters, request body, answers, security)
//!   from the `#[utoipa::path]` attribute on its handler, listed in [`ApiDoc`];
//! - the schemas of the types that derive `utoipa::ToSchema` (the token bodies and pair, the
//!   bank list, the pre-registration body);
//! - the other schemas (the PortOne request bodies defined in `paymux-core`, the `Payment`
//!   and other view objects, the admin and checkout shapes), the document's `info`, servers
//!   and security schemes from `openapi-schemas.json` beside this file, written by hand until
//!   those types derive `ToSchema` too.
//!
//! `crates/paymux-gateway/openapi.json` is this document as committed; a test fails when it
//! differs. Regenerate it with
//! `PAYMUX_WRITE_OPENAPI=1 cargo test -p paymux-gateway --lib http::openapi`.

use std::sync::OnceLock;

use serde_json::{Map, Value};
use utoipa::OpenApi;

use super::{
    admin, auth, billing_keys, browser, cash_receipts, checkout, notices, payment_ops, payments,
};

/// The hand-written part: `info`, servers, security schemes, and the schemas not derived yet.
const HAND_WRITTEN: &str = include_str!("openapi-schemas.json");

/// The operations and derived schemas.
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
        crate::auth::LoginViaApiSecretBody,
        crate::auth::RefreshTokenBody,
        crate::auth::TokenPair,
        crate::views::bank::GetBankInfosResponse,
        crate::views::bank::BankInfo,
        crate::views::bank::BankInfoName,
        crate::payments::PreRegisterPaymentBody,
        crate::views::virtual_account::CloseVirtualAccountResponse,
    )),
    modifiers(&WriteBodiesAreRequired)
)]
pub struct ApiDoc;

/// A `POST`/`PUT`/`PATCH` body given as a reference to a hand-written schema is required
/// (`json_body` refuses an empty one); `utoipa` marks required only the bodies whose Rust type
/// it sees. `GET`/`DELETE` bodies may come in the `requestBody` query parameter instead.
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

/// The whole document: the hand-written part, with the generated operations and schemas.
pub fn document() -> Value {
    let mut doc: Value = serde_json::from_str(HAND_WRITTEN).expect("openapi-schemas.json is JSON");
    let generated = serde_json::to_value(ApiDoc::openapi()).expect("the OpenAPI model serializes");
    doc["paths"] = generated["paths"].clone();
    let schemas = doc["components"]["schemas"]
        .as_object_mut()
        .expect("openapi-schemas.json has components.schemas");
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
mod tests {
    use super::*;

    /// The committed `openapi.json` is the generated document. To regenerate:
    /// `PAYMUX_WRITE_OPENAPI=1 cargo test -p paymux-gateway --lib http::openapi`.
    #[test]
    fn committed_document_is_the_generated_one() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/openapi.json");
        if std::env::var_os("PAYMUX_WRITE_OPENAPI").is_some() {
            std::fs::write(path, document_text()).unwrap();
        }
        let committed = std::fs::read_to_string(path).unwrap();
        assert!(
            committed == document_text(),
            "crates/paymux-gateway/openapi.json is not the generated document; regenerate it with \
             PAYMUX_WRITE_OPENAPI=1 cargo test -p paymux-gateway --lib http::openapi"
        );
    }

    #[test]
    fn every_reference_resolves() {
        let doc = document();
        let text = doc.to_string();
        for (i, _) in text.match_indices("\"#/components/schemas/") {
            let rest = &text[i + 22..];
            let name = &rest[..rest.find('"').unwrap()];
            assert!(
                doc["components"]["schemas"].get(name).is_some(),
                "{name} is referenced but not defined"
            );
        }
    }

    /// PortOne's V2 schema, reduced to what is compared (`tests/portone/extract.py`).
    const PORTONE: &str = include_str!("../../tests/portone/v2-operations.json");

    /// Request fields paymux takes beyond PortOne's schema 1.16.0, each with its reason.
    const EXTRA_BODY_FIELDS: &[(&str, &str, &str)] = &[
        (
            "issueBillingKey",
            "skipWebhook",
            "PortOne's guides and SDK send it (docs/PORTONE.md §1)",
        ),
        (
            "payWithBillingKey",
            "skipWebhook",
            "PortOne's guides and SDK send it (docs/PORTONE.md §1)",
        ),
        (
            "payInstantly",
            "skipWebhook",
            "PortOne's guides and SDK send it (docs/PORTONE.md §1)",
        ),
        (
            "payInstantly",
            "bypass",
            "PortOne's guides document `bypass` per PG (docs/PORTONE.md §1)",
        ),
        (
            "cancelPayment",
            "skipWebhook",
            "PortOne's guides and SDK send it (docs/PORTONE.md §1)",
        ),
        (
            "cancelPayment",
            "refundEmail",
            "PortOne's guides document it (docs/PORTONE.md §1)",
        ),
    ];

    /// A schema with `$ref`s followed and `Option`'s `oneOf [null, T]` unwrapped.
    fn resolve<'a>(doc: &'a Value, mut s: &'a Value) -> &'a Value {
        loop {
            if let Some(r) = s.get("$ref").and_then(Value::as_str) {
                let name = r.trim_start_matches("#/components/schemas/");
                s = &doc["components"]["schemas"][name];
                continue;
            }
            if let Some(Value::Array(alts)) = s.get("oneOf") {
                let not_null: Vec<&Value> = alts.iter().filter(|a| a["type"] != "null").collect();
                if not_null.len() == 1 {
                    s = not_null[0];
                    continue;
                }
            }
            return s;
        }
    }

    fn names(v: &Value) -> Vec<String> {
        v.as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|x| x.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    }

    fn keys(v: &Value) -> Vec<String> {
        v.as_object()
            .map(|m| m.keys().cloned().collect())
            .unwrap_or_default()
    }

    /// Every PortOne operation paymux serves matches PortOne's schema: operationId, path and
    /// method, parameters, the request body's fields (PortOne's required ones required,
    /// nothing PortOne does not define unless listed above) and the answer's required fields.
    #[test]
    fn implemented_operations_match_portones_schema() {
        let doc = document();
        let portone: Value = serde_json::from_str(PORTONE).unwrap();
        let mut problems = Vec::new();
        let mut compared = 0;
        for op in portone["operations"].as_array().unwrap() {
            let (id, method, path) = (
                op["operationId"].as_str().unwrap(),
                op["method"].as_str().unwrap(),
                op["path"].as_str().unwrap(),
            );
            let Some(ours) = doc["paths"][path].get(method) else {
                continue; // absent in paymux: docs/API.md says so
            };
            compared += 1;
            let mut bad = |what: String| problems.push(format!("{id} ({method} {path}): {what}"));
            if ours["operationId"] != id {
                bad(format!("operationId is {}", ours["operationId"]));
            }
            if op["authenticated"] == true && ours["security"] == serde_json::json!([{}]) {
                bad("PortOne requires credentials, paymux does not".into());
            }
            let params: Vec<(String, String)> = ours["parameters"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .map(|p| {
                            (
                                p["name"].as_str().unwrap().into(),
                                p["in"].as_str().unwrap().into(),
                            )
                        })
                        .collect()
                })
                .unwrap_or_default();
            for p in op["parameters"].as_array().unwrap() {
                let want = (
                    p["name"].as_str().unwrap().to_string(),
                    p["in"].as_str().unwrap().to_string(),
                );
                if !params.contains(&want) {
                    bad(format!("no {} parameter `{}`", want.1, want.0));
                }
            }
            if let Some(body) = op["requestBody"].as_object() {
                match ours["requestBody"]["content"]
                    .as_object()
                    .and_then(|c| c.values().next())
                {
                    None => bad("no request body".into()),
                    Some(media) => {
                        let s = resolve(&doc, &media["schema"]);
                        let props = keys(&s["properties"]);
                        let required = names(&s["required"]);
                        for f in names(&body["required"]) {
                            if !props.contains(&f) {
                                bad(format!("request body lacks the required field `{f}`"));
                            } else if !required.contains(&f) {
                                bad(format!("request body does not require `{f}`"));
                            }
                        }
                        let theirs = names(&body["properties"]);
                        for f in &props {
                            let allowed =
                                EXTRA_BODY_FIELDS.iter().any(|(o, x, _)| *o == id && x == f);
                            if !theirs.contains(f) && !allowed {
                                bad(format!("request body field `{f}` is not PortOne's"));
                            }
                        }
                        for f in &theirs {
                            if !props.contains(f) {
                                bad(format!("request body lacks PortOne's field `{f}`"));
                            }
                        }
                    }
                }
            }
            if let Some(answer) = op["response"].as_object() {
                match ours["responses"]["200"]["content"]
                    .as_object()
                    .and_then(|c| c.values().next())
                {
                    None => bad("no 200 answer body".into()),
                    Some(media) => {
                        let s = resolve(&doc, &media["schema"]);
                        let props = keys(&s["properties"]);
                        for f in names(&answer["required"]) {
                            if !props.contains(&f) {
                                bad(format!("the answer lacks PortOne's required field `{f}`"));
                            }
                        }
                    }
                }
            }
        }
        assert!(
            problems.is_empty(),
            "drift from PortOne's schema:\n{}",
            problems.join("\n")
        );
        // Not vacuous: the operations docs/API.md lists as implemented are compared.
        assert!(compared >= 26, "only {compared} operations compared");
    }
}
