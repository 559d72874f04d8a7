//! Tests of the OpenAPI document: the committed file is the generated one, every reference
//! resolves, and every operation paymux implements matches PortOne's schema (names and types).

use std::collections::BTreeMap;

use super::*;

/// The committed `openapi.json` is the generated document. To regenerate:
/// `PAYMUX_WRITE_OPENAPI=1 cargo test -p paymux-gateway --all-features --lib http::openapi`.
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
         PAYMUX_WRITE_OPENAPI=1 cargo test -p paymux-gateway --all-features --lib http::openapi"
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

/// Fields paymux shows (or takes) inside a PortOne object beyond PortOne's schema: the
/// object's schema name in PortOne's document, the field, the reason.
const EXTRA_FIELDS: &[(&str, &str, &str)] = &[
    (
        "Payment",
        "origin",
        "paymux extension: where the payment was requested from (docs/API.md)",
    ),
    (
        "Payment",
        "routing",
        "paymux extension: the channels a group's rules refused (docs/API.md)",
    ),
    (
        "PaymentTransaction",
        "origin",
        "paymux extension, as on Payment (docs/API.md)",
    ),
    (
        "PaymentTransaction",
        "routing",
        "paymux extension, as on Payment (docs/API.md)",
    ),
    (
        "PaymentTransaction",
        "disputes",
        "shown as on the attempt's Payment (always `[]`)",
    ),
    (
        "PaymentTransaction",
        "transactionId",
        "flattened from Payment's schema; a transaction never shows it (its `id` is it)",
    ),
    (
        "BillingKeyPaymentInput",
        "skipWebhook",
        "PortOne's guides and SDK send it (docs/PORTONE.md §1)",
    ),
];

/// PortOne unions (discriminated on `status` or `type`) paymux shows as one object whose
/// fields are present per variant, each with its reason. Their fields are compared with
/// the fields of all the variants.
const FLAT_UNIONS: &[(&str, &str)] = &[
    (
        "Payment",
        "one shape for every status, fields present per status",
    ),
    ("PaymentTransaction", "as Payment"),
    ("BillingKeyInfo", "one shape for ISSUED and DELETED"),
    ("PaymentSchedule", "one shape for every status"),
    (
        "CashReceipt",
        "one shape for ISSUED, CANCELLED, ISSUE_FAILED",
    ),
    ("PaymentCashReceipt", "one shape for ISSUED and CANCELLED"),
    (
        "PaymentCancellation",
        "one shape for REQUESTED, SUCCEEDED, FAILED",
    ),
    ("Address", "paymux always shows the SEPARATED variant"),
    (
        "BillingKeyPaymentMethod",
        "the stored masked method, an object with its `type`",
    ),
];

/// Operations paymux serves but never answers with 200, whose answer is not compared.
const UNANSWERED: &[(&str, &str)] = &[(
    "getPromotion",
    "paymux has no promotions: always 404 PROMOTION_NOT_FOUND (docs/API.md)",
)];

/// PortOne's `PaymentFilterInput` fields paymux does not keep: taken as any JSON value and
/// refused with 400 when given (docs/API.md, "Listing payments").
const REFUSED_FILTERS: &[&str] = &[
    "webhookStatus",
    "platformType",
    "isEscrow",
    "escrowStatus",
    "cardBrand",
    "cardType",
    "cardOwnerType",
    "giftCertificateType",
    "cashReceiptType",
    "cashReceiptStatus",
    "cashReceiptIssuedAtRange",
    "cashReceiptCancelledAtRange",
];

/// PortOne enums paymux keeps as open strings (the lists are long and grow; the adapters
/// check the values they support), each with its reason.
const OPEN_ENUMS: &[(&str, &str)] = &[
    ("Currency", "ISO 4217 code, checked by the amount rules"),
    ("Country", "ISO 3166-1 alpha-2 code, checked for its shape"),
    (
        "Bank",
        "long and growing list; adapters map the banks they support",
    ),
    ("Locale", "the SDK knows more locales than the REST enum"),
    (
        "PgProvider",
        "the adapter's PortOne PgProvider, from its descriptor",
    ),
    (
        "PgCompany",
        "checked against PortOne's list by the list filters",
    ),
];

/// Fields whose type differs from PortOne's on purpose: PortOne's schema name of the
/// object holding the field (`<schema>.<field>` for a field of an inline object), the
/// field, the reason.
const TYPE_DIFFERENCES: &[(&str, &str, &str)] = &[
    (
        "InstantPaymentInput",
        "method",
        "PortOne's object with exactly one of card / virtualAccount, stated as a oneOf",
    ),
    (
        "Payment",
        "failure",
        "`{}` when no reason was recorded: a oneOf of PaymentFailure and an empty object",
    ),
    ("PaymentTransaction", "failure", "as Payment's `failure`"),
    (
        "PaymentWebhook",
        "trigger",
        "the trigger as the outbox row recorded it (PortOne's values)",
    ),
];

/// A schema with `$ref`s followed, `Option`'s `oneOf [null, T]` unwrapped and a lone
/// `allOf [T]` taken as `T`.
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
        if let Some(Value::Array(parts)) = s.get("allOf") {
            if parts.len() == 1 && s.get("properties").is_none() {
                s = &parts[0];
                continue;
            }
        }
        return s;
    }
}

/// The type class of one of our schemas, in the words `extract.py` uses for PortOne's.
fn kind(doc: &Value, s: &Value) -> &'static str {
    let s = resolve(doc, s);
    if s.get("enum").is_some() {
        return "enum";
    }
    if s.get("oneOf").is_some() || s.get("anyOf").is_some() || s.get("discriminator").is_some() {
        return "union";
    }
    let t = match &s["type"] {
        Value::String(t) => Some(t.as_str()),
        // OpenAPI 3.1: `["string", "null"]`.
        Value::Array(ts) => ts.iter().filter_map(Value::as_str).find(|t| *t != "null"),
        _ => None,
    };
    match t {
        Some("string") => "string",
        Some("integer") => "integer",
        Some("number") => "number",
        Some("boolean") => "boolean",
        Some("array") => "array",
        Some("object") => "object",
        _ if s.get("properties").is_some()
            || s.get("allOf").is_some()
            || s.get("additionalProperties").is_some() =>
        {
            "object"
        }
        _ => "any",
    }
}

/// Every field of one of our objects: `allOf` parts merged (`serde(flatten)`), a union's
/// variants merged; each with the schemas it has (one per variant that has it).
fn properties<'a>(doc: &'a Value, s: &'a Value, out: &mut Vec<(String, &'a Value)>) {
    let s = resolve(doc, s);
    for key in ["allOf", "oneOf", "anyOf"] {
        if let Some(Value::Array(parts)) = s.get(key) {
            for p in parts {
                properties(doc, p, out);
            }
        }
    }
    if let Some(Value::Object(props)) = s.get("properties") {
        for (k, v) in props {
            out.push((k.clone(), v));
        }
    }
}

fn field_map<'a>(doc: &'a Value, s: &'a Value) -> BTreeMap<String, &'a Value> {
    let mut all = Vec::new();
    properties(doc, s, &mut all);
    let mut m = BTreeMap::new();
    for (k, v) in all {
        m.entry(k).or_insert(v);
    }
    m
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

/// Compares field types; counts what it compared.
struct Types<'a> {
    doc: &'a Value,
    compared: usize,
}

impl Types<'_> {
    /// Whether our field `ours` has PortOne's type `theirs` (see `extract.py`); the
    /// problem if not. `at` is PortOne's schema holding the field, `field` its name.
    fn check(&mut self, at: &str, field: &str, theirs: &Value, ours: &Value) -> Option<String> {
        let refused = at == "PaymentFilterInput" && REFUSED_FILTERS.contains(&field);
        if refused
            || TYPE_DIFFERENCES
                .iter()
                .any(|(s, f, _)| *s == at && *f == field)
        {
            return None;
        }
        self.compared += 1;
        let want: Vec<&str> = match &theirs["type"] {
            Value::String(t) => vec![t.as_str()],
            Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
            _ => vec![],
        };
        let listed = |list: &[(&str, &str)], name: &Value| {
            list.iter().any(|(n, _)| name.as_str() == Some(n))
        };
        let got = kind(self.doc, ours);
        // An enum is a string with listed values; an open enum a string paymux checks;
        // a flat union one object.
        let fits = want.contains(&got)
            || (got == "enum" && want.contains(&"string"))
            || (got == "string" && listed(OPEN_ENUMS, &theirs["ref"]))
            || (got == "object" && listed(FLAT_UNIONS, &theirs["ref"]));
        if !fits {
            return Some(format!(
                "`{at}.{field}` is {got}, PortOne's is {}",
                theirs["type"]
            ));
        }
        if got == "array" {
            let item = &resolve(self.doc, ours)["items"];
            let got_item = kind(self.doc, item);
            let want_item = theirs["items"].as_str().unwrap_or("any");
            let item_fits = got_item == want_item
                || (got_item == "enum" && want_item == "string")
                || (got_item == "string" && listed(OPEN_ENUMS, &theirs["itemsRef"]))
                || (got_item == "object" && listed(FLAT_UNIONS, &theirs["itemsRef"]));
            if !item_fits {
                return Some(format!(
                    "`{at}.{field}` is an array of {got_item}, PortOne's of {want_item}"
                ));
            }
        }
        None
    }

    /// Compare the fields of one level: PortOne's `theirs` (name to description) with our
    /// object schema `ours`, and one level further into the objects they hold.
    fn fields(
        &mut self,
        at: &str,
        theirs: &Map<String, Value>,
        ours: &Value,
        nested: bool,
        bad: &mut dyn FnMut(String),
    ) {
        let doc = self.doc;
        let mine = field_map(doc, ours);
        for (name, desc) in theirs {
            let Some(o) = mine.get(name) else { continue };
            if let Some(p) = self.check(at, name, desc, o) {
                bad(p);
                continue;
            }
            let Some(Value::Object(inner)) = desc.get("fields") else {
                continue;
            };
            if !nested {
                continue;
            }
            let holder = match desc["ref"].as_str().or(desc["itemsRef"].as_str()) {
                Some(r) => r.to_string(),
                None => format!("{at}.{name}"),
            };
            let o = resolve(doc, o);
            let o = if kind(doc, o) == "array" {
                &o["items"]
            } else {
                o
            };
            for f in field_map(doc, o).keys() {
                let extra = EXTRA_FIELDS.iter().any(|(s, x, _)| *s == holder && x == f);
                if !inner.contains_key(f) && !extra {
                    bad(format!("`{holder}.{f}` is not PortOne's"));
                }
            }
            self.fields(&holder, inner, o, false, bad);
        }
    }
}

/// Every PortOne operation paymux serves matches PortOne's schema: operationId, path and
/// method, parameters, the request body's fields (PortOne's required ones required,
/// nothing PortOne does not define unless listed above), the answer's fields (PortOne's
/// required ones present, nothing PortOne does not define unless listed above), and the
/// type of every field both define in the body and the answer, and in the objects those
/// hold (one level down: `Payment.channel`'s fields, `GetPaymentsResponse.items`'
/// `Payment` fields …).
#[test]
fn implemented_operations_match_portones_schema() {
    let doc = document();
    let portone: Value = serde_json::from_str(PORTONE).unwrap();
    let mut problems = Vec::new();
    let mut compared = 0;
    let mut types = Types {
        doc: &doc,
        compared: 0,
    };
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
                    let props = field_map(&doc, s);
                    let required = names(&s["required"]);
                    for f in names(&body["required"]) {
                        if !props.contains_key(&f) {
                            bad(format!("request body lacks the required field `{f}`"));
                        } else if !required.contains(&f) {
                            bad(format!("request body does not require `{f}`"));
                        }
                    }
                    let theirs = keys(&body["properties"]);
                    for f in props.keys() {
                        let allowed = EXTRA_BODY_FIELDS.iter().any(|(o, x, _)| *o == id && x == f);
                        if !theirs.contains(f) && !allowed {
                            bad(format!("request body field `{f}` is not PortOne's"));
                        }
                    }
                    for f in &theirs {
                        if !props.contains_key(f) {
                            bad(format!("request body lacks PortOne's field `{f}`"));
                        }
                    }
                    let at = body["schema"].as_str().unwrap_or(id).to_string();
                    let theirs = body["properties"].as_object().unwrap();
                    types.fields(&at, theirs, s, true, &mut bad);
                }
            }
        }
        let unanswered = UNANSWERED.iter().any(|(o, _)| *o == id);
        if let Some(answer) = op["response"].as_object().filter(|_| !unanswered) {
            match ours["responses"]["200"]["content"]
                .as_object()
                .and_then(|c| c.values().next())
            {
                None => bad("no 200 answer body".into()),
                Some(media) => {
                    let s = resolve(&doc, &media["schema"]);
                    let props = field_map(&doc, s);
                    for f in names(&answer["required"]) {
                        if !props.contains_key(&f) {
                            bad(format!("the answer lacks PortOne's required field `{f}`"));
                        }
                    }
                    let at = answer["schema"].as_str().unwrap_or(id).to_string();
                    let theirs = answer["properties"].as_object().unwrap();
                    for f in props.keys() {
                        let allowed = EXTRA_FIELDS.iter().any(|(o, x, _)| *o == at && x == f);
                        if !theirs.contains_key(f) && !allowed {
                            bad(format!("the answer's field `{f}` is not PortOne's"));
                        }
                    }
                    types.fields(&at, theirs, s, true, &mut bad);
                }
            }
        }
    }
    assert!(
        problems.is_empty(),
        "drift from PortOne's schema:\n{}",
        problems.join("\n")
    );
    // Not vacuous: the operations docs/API.md lists as implemented are compared, and the
    // types of their fields.
    assert!(compared >= 26, "only {compared} operations compared");
    eprintln!("field types compared: {}", types.compared);
    assert!(
        types.compared >= 300,
        "only {} field types compared",
        types.compared
    );
}
