//! PortOne `PaymentMethod` as `Payment.method` shows it: the domain's
//! [`PaymentMethod`](crate::domain::PaymentMethod), masked when it was stored, rendered with
//! `type` naming the variant and the keys sorted as the gateway always wrote them.

use serde::Serialize;

use crate::domain::PaymentMethod;

/// `Payment.method`.
#[derive(Debug, Clone, Serialize)]
#[serde(transparent)]
pub struct Method(pub PaymentMethod);

#[cfg(test)]
mod tests {
    use chrono::TimeZone;
    use serde_json::{json, Value};

    use super::*;
    use crate::domain::{IssuedAccount, MethodUpdate};

    fn round_trip(v: Value) -> Value {
        let m: PaymentMethod = serde_json::from_value(v).expect("parses");
        super::super::render(&Method(m))
    }

    /// Every shape a writer stores shows exactly as it was stored (the view used to be the
    /// stored JSON itself).
    #[test]
    fn stored_shapes_show_unchanged() {
        for v in [
            json!({"type": "PaymentMethodCard", "card": {"number": "4111-11**-****-1111", "bin": "411111"}}),
            json!({"type": "PaymentMethodCard", "card": {"number": "4111", "bin": ""},
                   "installment": {"month": 3, "isInterestFree": true}}),
            json!({"type": "PaymentMethodCard", "card": null}),
            json!({"type": "PaymentMethodCard"}),
            json!({"type": "PaymentMethodMobile"}),
            json!({"type": "PaymentMethodEasyPay", "approvalNumber": "A1",
                   "card": {"issuer": "SHINHAN", "name": "x"}}),
            json!({"type": "PaymentMethodVirtualAccount", "bank": "SHINHAN", "accountNumber": "",
                   "remitteeName": null}),
            json!({"type": "PaymentMethodVirtualAccount", "bank": "KOOKMIN", "accountNumber": "123",
                   "remitteeName": "paymux", "expiredAt": "2026-01-02T03:04:05.000Z",
                   "issuedAt": "2026-01-01T00:00:00.123Z"}),
            json!({"type": "PaymentMethodTransfer"}),
            json!({"type": "PaymentMethodGiftCertificate"}),
            json!({"type": "PaymentMethodPaypal"}),
            json!({"type": "PaymentMethodConvenienceStore"}),
        ] {
            assert_eq!(round_trip(v.clone()), v);
        }
    }

    #[test]
    fn a_reported_card_and_account_merge_as_they_always_did() {
        let mut m: PaymentMethod = serde_json::from_value(json!({
            "type": "PaymentMethodCard", "card": {"number": "4111", "bin": "411111"},
            "installment": {"month": 2, "isInterestFree": true}
        }))
        .unwrap();
        m.merge(&MethodUpdate {
            approval_number: Some("12345678".into()),
            card_issuer: Some("SHINHAN".into()),
            card_name: Some("Deep".into()),
            installment_month: Some(3),
            ..MethodUpdate::default()
        });
        assert_eq!(
            super::super::render(&Method(m)),
            json!({"type": "PaymentMethodCard", "approvalNumber": "12345678",
                   "card": {"number": "4111", "bin": "411111", "issuer": "SHINHAN", "name": "Deep"},
                   "installment": {"month": 3, "isInterestFree": false}})
        );

        let mut va: PaymentMethod = serde_json::from_value(json!({
            "type": "PaymentMethodVirtualAccount", "bank": "SHINHAN", "accountNumber": "",
            "remitteeName": null
        }))
        .unwrap();
        va.merge(&MethodUpdate {
            virtual_account: Some(IssuedAccount {
                account_number: "110-1".into(),
                bank: None,
                remittee_name: None,
                expires_at: None,
                issued_at: chrono::Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap(),
            }),
            ..MethodUpdate::default()
        });
        assert_eq!(
            super::super::render(&Method(va)),
            json!({"type": "PaymentMethodVirtualAccount", "bank": "SHINHAN", "accountNumber": "110-1",
                   "remitteeName": null, "issuedAt": "2026-01-01T00:00:00.000Z"})
        );

        // A card reported for a billing key that recorded none replaces the `null`.
        let mut bk: PaymentMethod =
            serde_json::from_value(json!({"type": "PaymentMethodCard", "card": null})).unwrap();
        bk.merge(&MethodUpdate {
            card_number: Some("5555".into()),
            ..MethodUpdate::default()
        });
        assert_eq!(
            super::super::render(&Method(bk)),
            json!({"type": "PaymentMethodCard", "card": {"number": "5555"}})
        );
    }
}
