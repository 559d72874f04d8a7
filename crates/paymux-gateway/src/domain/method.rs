//! A payment's method: PortOne's `PaymentMethod` union with the data paymux has (what the
//! request said, masked, and what the PG reported when it approved or issued an account).
//!
//! The serde form is the `method_json` column and, through `views::payment_method`, the
//! `Payment.method` PortOne reads: `type` names the variant. Fields PortOne makes optional are
//! left out when unknown; the few a request writes as `null` (`remitteeName` of a keyed-in
//! virtual account without one, `card` of a billing key that has none) stay `null`, as
//! they always were.

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::MethodUpdate;

/// PortOne `PaymentMethod`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "type")]
pub enum PaymentMethod {
    /// `PaymentMethodCard`.
    #[serde(rename = "PaymentMethodCard")]
    Card(MethodDetails),
    /// `PaymentMethodVirtualAccount`.
    #[serde(rename = "PaymentMethodVirtualAccount")]
    VirtualAccount(MethodDetails),
    /// `PaymentMethodTransfer`.
    #[serde(rename = "PaymentMethodTransfer")]
    Transfer(MethodDetails),
    /// `PaymentMethodMobile`.
    #[serde(rename = "PaymentMethodMobile")]
    Mobile(MethodDetails),
    /// `PaymentMethodEasyPay`.
    #[serde(rename = "PaymentMethodEasyPay")]
    EasyPay(MethodDetails),
    /// `PaymentMethodGiftCertificate`.
    #[serde(rename = "PaymentMethodGiftCertificate")]
    GiftCertificate(MethodDetails),
    /// `PaymentMethodPaypal`.
    #[serde(rename = "PaymentMethodPaypal")]
    Paypal(MethodDetails),
    /// `PaymentMethodConvenienceStore`.
    #[serde(rename = "PaymentMethodConvenienceStore")]
    ConvenienceStore(MethodDetails),
}

/// What paymux knows of a payment's method, whatever its type: the request's masked card
/// or account, and what the PG reported when it approved or issued an account. PortOne's
/// variants share it because a PG may report any of these with any method (an easy pay paid
/// by card reports the card, a mobile approval its approval number) and the stored method
/// keeps what was reported beside the type.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = PaymentMethodDetails)]
pub struct MethodDetails {
    /// The card (`Some(None)`: `null`, a billing key that recorded none).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "nullable"
    )]
    pub card: Option<Option<Card>>,
    /// Installment plan.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub installment: Option<Installment>,
    /// The approval number the PG reported.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub approval_number: Option<String>,
    /// A virtual account's fields.
    #[serde(flatten)]
    pub account: AccountDetails,
}

/// PortOne `Card` (masked).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Card {
    /// Masked number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub number: Option<String>,
    /// BIN (first six digits).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub bin: Option<String>,
    /// Issuer code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub issuer: Option<String>,
    /// Acquirer code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub publisher: Option<String>,
    /// Card name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub name: Option<String>,
}

/// PortOne `PaymentInstallment`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[schema(as = PaymentInstallment)]
#[serde(rename_all = "camelCase")]
pub struct Installment {
    /// Months.
    pub month: u32,
    /// Whether the merchant pays the interest.
    pub is_interest_free: bool,
}

/// A virtual account's fields (PortOne `PaymentMethodVirtualAccount`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[schema(as = PaymentMethodAccountDetails)]
#[serde(rename_all = "camelCase")]
pub struct AccountDetails {
    /// Bank code (`Some(None)`: `null`).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "nullable"
    )]
    pub bank: Option<Option<String>>,
    /// Account number (`""` until issued).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub account_number: Option<String>,
    /// Remittee name (`Some(None)`: `null`, a request that named none).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "nullable"
    )]
    pub remittee_name: Option<Option<String>>,
    /// Deposit deadline.
    #[serde(default, skip_serializing_if = "Option::is_none", with = "millis")]
    #[schema(nullable = false)]
    pub expired_at: Option<DateTime<Utc>>,
    /// Issued at.
    #[serde(default, skip_serializing_if = "Option::is_none", with = "millis")]
    #[schema(nullable = false)]
    pub issued_at: Option<DateTime<Utc>>,
}

impl PaymentMethod {
    /// A method of `kind` with nothing known yet (a window payment before the PG answers).
    pub fn empty(kind: MethodKind) -> PaymentMethod {
        PaymentMethod::with(kind, MethodDetails::default())
    }

    /// A method of `kind` with `details`.
    pub fn with(kind: MethodKind, details: MethodDetails) -> PaymentMethod {
        match kind {
            MethodKind::Card => PaymentMethod::Card(details),
            MethodKind::VirtualAccount => PaymentMethod::VirtualAccount(details),
            MethodKind::Transfer => PaymentMethod::Transfer(details),
            MethodKind::Mobile => PaymentMethod::Mobile(details),
            MethodKind::EasyPay => PaymentMethod::EasyPay(details),
            MethodKind::GiftCertificate => PaymentMethod::GiftCertificate(details),
            MethodKind::Paypal => PaymentMethod::Paypal(details),
            MethodKind::ConvenienceStore => PaymentMethod::ConvenienceStore(details),
        }
    }

    /// Which variant.
    pub fn kind(&self) -> MethodKind {
        match self {
            PaymentMethod::Card(_) => MethodKind::Card,
            PaymentMethod::VirtualAccount(_) => MethodKind::VirtualAccount,
            PaymentMethod::Transfer(_) => MethodKind::Transfer,
            PaymentMethod::Mobile(_) => MethodKind::Mobile,
            PaymentMethod::EasyPay(_) => MethodKind::EasyPay,
            PaymentMethod::GiftCertificate(_) => MethodKind::GiftCertificate,
            PaymentMethod::Paypal(_) => MethodKind::Paypal,
            PaymentMethod::ConvenienceStore(_) => MethodKind::ConvenienceStore,
        }
    }

    /// What paymux knows of the method, whatever its type.
    pub fn details(&self) -> &MethodDetails {
        match self {
            PaymentMethod::Card(d)
            | PaymentMethod::VirtualAccount(d)
            | PaymentMethod::Transfer(d)
            | PaymentMethod::Mobile(d)
            | PaymentMethod::EasyPay(d)
            | PaymentMethod::GiftCertificate(d)
            | PaymentMethod::Paypal(d)
            | PaymentMethod::ConvenienceStore(d) => d,
        }
    }

    fn details_mut(&mut self) -> &mut MethodDetails {
        match self {
            PaymentMethod::Card(d)
            | PaymentMethod::VirtualAccount(d)
            | PaymentMethod::Transfer(d)
            | PaymentMethod::Mobile(d)
            | PaymentMethod::EasyPay(d)
            | PaymentMethod::GiftCertificate(d)
            | PaymentMethod::Paypal(d)
            | PaymentMethod::ConvenienceStore(d) => d,
        }
    }

    /// The method with what the PG reported merged in: reported fields replace stored ones,
    /// fields it did not report stay.
    pub fn merge(&mut self, u: &MethodUpdate) {
        let d = self.details_mut();
        if let Some(n) = &u.approval_number {
            d.approval_number = Some(n.clone());
        }
        let reported = [
            &u.card_issuer,
            &u.card_publisher,
            &u.card_name,
            &u.card_number,
            &u.card_bin,
        ];
        if reported.iter().any(|f| f.is_some()) {
            let c = d.card.get_or_insert(None).get_or_insert_with(Card::default);
            for (slot, v) in [
                (&mut c.issuer, &u.card_issuer),
                (&mut c.publisher, &u.card_publisher),
                (&mut c.name, &u.card_name),
                (&mut c.number, &u.card_number),
                (&mut c.bin, &u.card_bin),
            ] {
                if v.is_some() {
                    slot.clone_from(v);
                }
            }
        }
        if let Some(month) = u.installment_month {
            d.installment = Some(Installment {
                month,
                is_interest_free: false,
            });
        }
        if let Some(v) = &u.virtual_account {
            let a = &mut d.account;
            a.account_number = Some(v.account_number.clone());
            if v.bank.is_some() {
                a.bank = Some(v.bank.clone());
            }
            if v.remittee_name.is_some() {
                a.remittee_name = Some(v.remittee_name.clone());
            }
            if v.expires_at.is_some() {
                a.expired_at = v.expires_at;
            }
            a.issued_at = Some(v.issued_at);
        }
    }
}

/// Which `PaymentMethod` variant (PortOne's `PaymentMethodType`, plus PayPal).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MethodKind {
    /// Card.
    Card,
    /// Virtual account.
    VirtualAccount,
    /// Bank transfer.
    Transfer,
    /// Mobile.
    Mobile,
    /// Easy pay.
    EasyPay,
    /// Gift certificate.
    GiftCertificate,
    /// PayPal.
    Paypal,
    /// Convenience store.
    ConvenienceStore,
}

/// `Option<Option<T>>` from a field that may be `null`: present-and-null is `Some(None)`.
fn nullable<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

/// Times as PortOne writes them (RFC 3339, milliseconds, `Z`).
mod millis {
    use super::*;

    pub fn serialize<S: Serializer>(t: &Option<DateTime<Utc>>, s: S) -> Result<S::Ok, S::Error> {
        match t {
            Some(t) => s.serialize_str(&t.to_rfc3339_opts(SecondsFormat::Millis, true)),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<DateTime<Utc>>, D::Error> {
        let s = Option::<String>::deserialize(d)?;
        s.map(|s| {
            DateTime::parse_from_rfc3339(&s)
                .map(|t| t.with_timezone(&Utc))
                .map_err(serde::de::Error::custom)
        })
        .transpose()
    }
}
