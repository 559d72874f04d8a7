//! Who a payment is for and where it came from: PortOne's `Customer` (never a birth date or
//! any other identity number: those are not stored) and `PaymentOrigin`.

use paymux_core::model::{CustomerInput, Gender, SeparatedAddressInput};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::render;
use crate::domain;

/// PortOne `Customer` (`{}` when there is none).
///
/// Stored with a payment or a billing key as this struct renders it, and read back into it
/// for the views: the bytes shown are the bytes stored.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Customer {
    /// Customer id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub id: Option<String>,
    /// Full name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub name: Option<String>,
    /// Gender.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub gender: Option<Gender>,
    /// Email.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub email: Option<String>,
    /// Phone number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub phone_number: Option<String>,
    /// Address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub address: Option<Address>,
    /// Zip code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub zipcode: Option<String>,
}

/// PortOne `SeparatedAddress`: the given lines plus `type` and `oneLine`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = SeparatedAddress)]
pub struct Address {
    /// The address as given.
    #[serde(flatten)]
    pub given: SeparatedAddressInput,
    /// `SEPARATED`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The lines joined.
    pub one_line: String,
}

impl Customer {
    /// The customer of a request.
    pub fn of(c: Option<&CustomerInput>) -> Customer {
        let Some(c) = c else {
            return Customer::default();
        };
        Customer {
            id: c.id.clone(),
            name: c.full_name(),
            gender: c.gender,
            email: c.email.clone(),
            phone_number: c.phone_number.clone(),
            address: c.address.as_ref().map(|a| Address {
                given: a.clone(),
                kind: "SEPARATED".into(),
                one_line: a.one_line(),
            }),
            zipcode: c.zipcode.clone(),
        }
    }

    /// A stored customer column (written by [`crate::views::customer_json`]); `{}` when absent.
    ///
    /// A column this struct cannot read (none is written so) shows as `{}`.
    pub fn stored(text: Option<&str>) -> Customer {
        text.and_then(|t| serde_json::from_str(t).ok())
            .unwrap_or_default()
    }
}

/// PortOne `PaymentOrigin`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = PaymentOrigin)]
pub struct Origin {
    /// `API`, `PC` or `MOBILE`.
    pub platform_type: String,
    /// The client's IP address (empty when not known yet).
    pub ip_address: String,
    /// The client's `User-Agent`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub user_agent: Option<String>,
}

/// `origin` of an API request (`platform_type` `API`) or of a customer's browser coming back
/// from a payment window (`PC` / `MOBILE`).
pub fn origin_of(o: &domain::Origin, platform_type: &'static str) -> Value {
    render(&Origin {
        platform_type: platform_type.into(),
        ip_address: o.ip.clone(),
        user_agent: o.user_agent.clone(),
    })
}

/// `origin` of a window payment when its session is created: a browser will pay (`PC`); the
/// browser's own address replaces this when the window returns.
pub fn origin_for_checkout() -> Value {
    render(&Origin {
        platform_type: "PC".into(),
        ip_address: String::new(),
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
