//! Who a payment is for and where it came from: PortOne's `Customer` (never a birth date or
//! any other identity number: those are not stored) and `PaymentOrigin`.

use paymux_core::model::{CustomerInput, Gender, SeparatedAddressInput};
use serde::Serialize;
use serde_json::Value;

use super::render;
use crate::domain;

/// PortOne `Customer` (`{}` when there is none).
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Customer<'a> {
    /// Customer id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<&'a str>,
    /// Full name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Gender.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gender: Option<&'a Gender>,
    /// Email.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<&'a str>,
    /// Phone number.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone_number: Option<&'a str>,
    /// Address.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address: Option<Address<'a>>,
    /// Zip code.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub zipcode: Option<&'a str>,
}

/// PortOne `SeparatedAddress`: the given lines plus `type` and `oneLine`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Address<'a> {
    /// The address as given.
    #[serde(flatten)]
    pub given: &'a SeparatedAddressInput,
    /// `SEPARATED`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// The lines joined.
    pub one_line: String,
}

impl<'a> Customer<'a> {
    /// The customer of a request.
    pub fn of(c: Option<&'a CustomerInput>) -> Customer<'a> {
        let Some(c) = c else {
            return Customer::default();
        };
        Customer {
            id: c.id.as_deref(),
            name: c.full_name(),
            gender: c.gender.as_ref(),
            email: c.email.as_deref(),
            phone_number: c.phone_number.as_deref(),
            address: c.address.as_ref().map(|a| Address {
                given: a,
                kind: "SEPARATED",
                one_line: a.one_line(),
            }),
            zipcode: c.zipcode.as_deref(),
        }
    }
}

/// PortOne `PaymentOrigin`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Origin<'a> {
    /// `API`, `PC` or `MOBILE`.
    pub platform_type: &'static str,
    /// The client's IP address (empty when not known yet).
    pub ip_address: &'a str,
    /// The client's `User-Agent`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_agent: Option<&'a str>,
}

/// `origin` of an API request (`platform_type` `API`) or of a customer's browser coming back
/// from a payment window (`PC` / `MOBILE`).
pub fn origin_of(o: &domain::Origin, platform_type: &'static str) -> Value {
    render(&Origin {
        platform_type,
        ip_address: &o.ip,
        user_agent: o.user_agent.as_deref(),
    })
}

/// `origin` of a window payment when its session is created: a browser will pay (`PC`); the
/// browser's own address replaces this when the window returns.
pub fn origin_for_checkout() -> Value {
    render(&Origin {
        platform_type: "PC",
        ip_address: "",
        user_agent: None,
    })
}

/// `origin` of a window payment as the customer's browser came back: `MOBILE` for a mobile
/// user agent, else `PC`.
pub fn origin_for_browser(o: &domain::Origin) -> Value {
    origin_of(o, if o.is_mobile() { "MOBILE" } else { "PC" })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn customer_view_drops_birth_date() {
        let c: CustomerInput = serde_json::from_str(
            r#"{"id":"c1","name":{"full":"홍길동"},"birthYear":"1990","birthMonth":"07","birthDay":"25"}"#,
        )
        .unwrap();
        let v = render(&Customer::of(Some(&c)));
        let s = v.to_string();
        assert!(!s.contains("1990") && !s.contains("birth"), "{s}");
        assert_eq!(v["name"], "홍길동");
        assert_eq!(render(&Customer::of(None)).to_string(), "{}");
    }

    #[test]
    fn addresses_are_separated_with_one_line() {
        let c: CustomerInput = serde_json::from_str(
            r#"{"address":{"addressLine1":"서울 강남구","addressLine2":"101호"}}"#,
        )
        .unwrap();
        let v = render(&Customer::of(Some(&c)));
        assert_eq!(v["address"]["type"], "SEPARATED");
        assert_eq!(v["address"]["addressLine1"], "서울 강남구");
        assert!(v["address"]["oneLine"].as_str().unwrap().contains("101호"));
    }
}
