//! PortOne's smart-routing rules for the payment window (the V2 SDK with `channelGroupId`).
//!
//! From PortOne's smart-routing guide (SDK section): with a channel group the window needs
//! `customer.fullName` (or `firstName` + `lastName`), `customer.phoneNumber` and
//! `customer.email`; a virtual account needs `virtualAccount.accountExpiry`; an easy-pay
//! direct call needs `easyPay.easyPayProvider`; a mobile (휴대폰 소액결제) payment needs
//! `productType`. Every PG in a group may need them, so they are checked before routing,
//! whichever channel the group would pick. Billing-key windows take no group at all
//! ([`super::request::parse_request`]).

use paymux_core::model::{PaymentPayMethod, PaymentRequest};
use paymux_core::validation::ValidationErrors;

const WHY: &str = "with channelGroupId (smart routing)";

fn blank(v: Option<&String>) -> bool {
    v.map_or(true, |s| s.trim().is_empty())
}

/// Record every smart-routing rule `r` breaks.
pub fn smart_routing(r: &PaymentRequest, errs: &mut ValidationErrors) {
    let c = r.customer.clone().unwrap_or_default();
    let full = !blank(c.full_name.as_ref());
    let split = !blank(c.first_name.as_ref()) && !blank(c.last_name.as_ref());
    if !full && !split {
        errs.add(
            "customer.fullName",
            format!("is required {WHY}: give customer.fullName, or customer.firstName and customer.lastName"),
        );
    }
    if blank(c.phone_number.as_ref()) {
        errs.add("customer.phoneNumber", format!("is required {WHY}"));
    }
    if blank(c.email.as_ref()) {
        errs.add("customer.email", format!("is required {WHY}"));
    }
    match r.pay_method {
        PaymentPayMethod::VirtualAccount => {
            let expiry = r
                .virtual_account
                .as_ref()
                .and_then(|v| v.account_expiry.as_ref());
            if expiry.is_none() {
                errs.add(
                    "virtualAccount.accountExpiry",
                    format!("is required for VIRTUAL_ACCOUNT {WHY}"),
                );
            }
        }
        PaymentPayMethod::EasyPay => {
            let provider = r
                .easy_pay
                .as_ref()
                .and_then(|e| e.easy_pay_provider.as_ref());
            if provider.is_none() {
                errs.add(
                    "easyPay.easyPayProvider",
                    format!("is required for EASY_PAY {WHY}: easy pay is routed only as a direct call to one provider"),
                );
            }
        }
        PaymentPayMethod::Mobile if r.product_type.is_none() => {
            errs.add(
                "productType",
                format!("is required for MOBILE {WHY}: REAL or DIGITAL"),
            );
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(json: &str) -> Vec<String> {
        let r: PaymentRequest = serde_json::from_str(json).unwrap();
        let mut e = ValidationErrors::default();
        smart_routing(&r, &mut e);
        e.0.iter().map(|e| e.path.as_str().to_string()).collect()
    }

    const BASE: &str = r#""storeId": "s", "paymentId": "p", "orderName": "o", "totalAmount": 1000,
        "currency": "KRW", "channelGroupId": "channel-group-test-x""#;

    #[test]
    fn customer_fields_are_required() {
        let paths = check(&format!(r#"{{{BASE}, "payMethod": "CARD"}}"#));
        assert_eq!(
            paths,
            [
                "customer.fullName",
                "customer.phoneNumber",
                "customer.email"
            ]
        );
        let ok = check(&format!(
            r#"{{{BASE}, "payMethod": "CARD", "customer": {{"firstName": "길동", "lastName": "홍",
               "phoneNumber": "010", "email": "a@b.c"}}}}"#
        ));
        assert!(ok.is_empty(), "{ok:?}");
    }

    #[test]
    fn method_specific_fields_are_required() {
        let customer =
            r#""customer": {"fullName": "홍길동", "phoneNumber": "010", "email": "a@b.c"}"#;
        for (method, path) in [
            ("VIRTUAL_ACCOUNT", "virtualAccount.accountExpiry"),
            ("EASY_PAY", "easyPay.easyPayProvider"),
            ("MOBILE", "productType"),
        ] {
            let paths = check(&format!(
                r#"{{{BASE}, {customer}, "payMethod": "{method}"}}"#
            ));
            assert_eq!(paths, [path], "{method}");
        }
        let ok = check(&format!(
            r#"{{{BASE}, {customer}, "payMethod": "MOBILE", "productType": "DIGITAL"}}"#
        ));
        assert!(ok.is_empty());
    }
}
