//! Plans → KSPay telegrams (documented records).

use paymux_core::adapter::{EncodeContext, Framing, WireRequest, WireTarget, WireView};
use paymux_core::error::PgError;
use paymux_core::secret::Secret;
use paymux_core::validation::ValidationErrors;

use super::{
    Amounts, CancelPlan, CardSource, Order, ProductKind, Terms, TradeKey, VirtualAccountPlan,
    WireCurrency,
};
use crate::channel::{KsnetChannel, Target};
use crate::frame::kspay::PartialCancelDetail;
use crate::frame::kspay::{
    self as wire, CancelData, CreditData, Head, Request, RequestRecord, VirtualAccountData,
};
use crate::protocol::kspay::{
    approval_type, batch, currency, interest, CANCEL_BY_ORDER, CANCEL_BY_TID, CARD_SEND_MASKED,
    ENC_TYPE_NONE, ESCROW_NONE, GOOD_DIGITAL, GOOD_REAL, KEY_IN, LINE_INTERNET, ONE_RECORD,
    RESEND_FIRST, TYPE, VERSION, VISA_AUTH_SSL,
};
use crate::protocol::{
    KSPAY_CANCEL, KSPAY_VIRTUAL_ACCOUNT, KSPAY_VIR_FIX_GIVEN, KSPAY_VIR_FIX_NONE,
};

/// The telegram as a TCP exchange: the exact frame, its field-by-field masked layout as the
/// (lazy) view ([`wire::SentRequest::view`]), and the 4-digit length framing of the answer.
/// Decode reads what was sent from the frame itself.
pub fn tcp_request(ch: &KsnetChannel, request: Request) -> Result<WireRequest, PgError> {
    let Target::Tcp { host, port } = &ch.target else {
        return Err(PgError::NotSent {
            reason: "a KSPay telegram on a WEBFEP channel".into(),
        });
    };
    // Bytes only: the layout is built when the view is read (`SentRequest`'s view).
    let frame = request.to_bytes()?;
    Ok(WireRequest {
        target: WireTarget::Tcp {
            host: host.clone(),
            port: *port,
            framing: Framing::AsciiLengthPrefix { digits: 4 },
        },
        body: frame,
        view: {
            let sent = wire::SentRequest { request };
            WireView::lazy(move || sent.view())
        },
        read_timeout: None,
    })
}

/// The header for one record (`HeadMessage`): fixed values as the samples send them,
/// `RequestDate` from the encode context's clock.
pub fn head(ctx: &EncodeContext<'_>, ch: &KsnetChannel, order: &Order) -> Head {
    Head {
        enc_type: ENC_TYPE_NONE.into(),
        version: VERSION.into(),
        kind: TYPE.into(),
        resend: RESEND_FIRST.into(),
        request_date: super::digits14(&ctx.now)
            .unwrap_or_else(|| ctx.now.format("%Y%m%d%H%M%S").to_string()),
        store_id: ch.mid.clone(),
        order_number: order.number.clone(),
        user_name: order.user_name.clone(),
        id_num: String::new(),
        email: order.email.clone().unwrap_or_default(),
        good_type: match order.product {
            Some(ProductKind::Digital) => GOOD_DIGITAL,
            _ => GOOD_REAL,
        }
        .into(),
        good_name: order.product_name.clone(),
        key_in_type: KEY_IN.into(),
        line_type: LINE_INTERNET.into(),
        phone_no: order.phone.clone().unwrap_or_default(),
        approval_count: ONE_RECORD.into(),
        filler: String::new(),
    }
}

/// The card data record of an approval. `amount_override`: the **reconstructed** batch issue
/// sends 0.
pub fn credit(
    amounts: &Amounts,
    terms: &Terms,
    source: &CardSource,
    batch_issue: bool,
) -> CreditData {
    let none = || Secret::new(String::new());
    let (approval, track2, passwd, id_num, batch_use) = match source {
        CardSource::Keyed(card) => {
            let track2 = Secret::new(format!("{}={}", card.number.expose(), card.expiry));
            match &card.old_cert {
                Some((pw, birth)) => (
                    approval_type::CARD_OLD_CERT,
                    track2,
                    pw.clone(),
                    birth.clone(),
                    if batch_issue { batch::ON } else { batch::OFF },
                ),
                None => (
                    approval_type::CARD_KEYED,
                    track2,
                    none(),
                    none(),
                    batch::OFF,
                ),
            }
        }
        CardSource::Batch(key) => (
            approval_type::CARD_KEYED,
            key.clone(),
            none(),
            none(),
            batch::ON,
        ),
    };
    CreditData {
        approval_type: approval.into(),
        interest_type: if terms.free_interest {
            interest::FREE
        } else {
            interest::NORMAL
        }
        .into(),
        track2,
        installment: u64::from(terms.installment),
        amount: amounts.total,
        passwd,
        id_num,
        currency_type: match amounts.currency {
            WireCurrency::Krw => currency::KRW,
            WireCurrency::Usd => currency::USD,
        }
        .into(),
        batch_use_type: batch_use.into(),
        card_send_type: CARD_SEND_MASKED.into(),
        visa_auth_yn: VISA_AUTH_SSL.into(),
        domain: String::new(),
        ip_addr: String::new(),
        business_number: String::new(),
        filler: String::new(),
        auth_type: String::new(),
        mpi_position_type: String::new(),
        mpi_reuse_type: String::new(),
        enc_data: Vec::new(),
    }
}

/// Card approval: 1000 (card + expiry), or 1300 with password and birth/BRN.
pub fn approve(
    ctx: &EncodeContext<'_>,
    ch: &KsnetChannel,
    order: &Order,
    amounts: &Amounts,
    terms: &Terms,
    source: &CardSource,
) -> Result<WireRequest, PgError> {
    if order.product.is_none() {
        let mut e = ValidationErrors::default();
        e.add(
            "productType",
            "is required for a KSNET card payment (PHYSICAL or DIGITAL)",
        );
        return Err(e.into());
    }
    let request = Request {
        head: head(ctx, ch, order),
        records: vec![RequestRecord::Credit(credit(amounts, terms, source, false))],
    };
    tcp_request(ch, request)
}

/// The cancel record of a plan: by TID (`CancelType` 0, as the samples) or by order number
/// and trade date (`CancelType` 2); a partial cancel carries its amounts in `CancelData`
/// (**reconstructed**).
pub fn cancel_record(plan: &CancelPlan, key_is_secret: bool) -> CancelData {
    let (cancel_type, tid, date, order) = match &plan.key {
        TradeKey::Tid(t) => (CANCEL_BY_TID, t.clone(), String::new(), String::new()),
        TradeKey::Order { number, date } => {
            (CANCEL_BY_ORDER, String::new(), date.clone(), number.clone())
        }
    };
    CancelData {
        approval_type: KSPAY_CANCEL.into(),
        cancel_type: cancel_type.into(),
        transaction_no: Secret::new(tid),
        transaction_no_is_secret: key_is_secret,
        trade_date: date,
        order_number: order,
        cancel_data: PartialCancelDetail::of(plan.partial),
        refund_check: String::new(),
        filler: String::new(),
    }
}

/// A cancel telegram. The header carries the paymentId (or billingKey) as `OrderNumber`.
pub fn cancel(
    ctx: &EncodeContext<'_>,
    ch: &KsnetChannel,
    order_number: &str,
    plan: &CancelPlan,
    key_is_secret: bool,
) -> Result<WireRequest, PgError> {
    let order = super::order(order_number, "", None);
    let request = Request {
        head: head(ctx, ch, &order),
        records: vec![RequestRecord::Cancel(cancel_record(plan, key_is_secret))],
    };
    tcp_request(ch, request)
}

/// Virtual-account issue: the 114-byte record with bank, amount and deadline.
pub fn virtual_account(
    ctx: &EncodeContext<'_>,
    ch: &KsnetChannel,
    order: &Order,
    plan: &VirtualAccountPlan,
) -> Result<WireRequest, PgError> {
    let record = VirtualAccountData {
        approval_type: KSPAY_VIRTUAL_ACCOUNT.into(),
        bank_code: plan.bank.kftc.into(),
        amount: plan.amount,
        close_date: plan.close.format("%Y%m%d").to_string(),
        close_time: plan.close.format("%H%M%S").to_string(),
        escrow_sele: ESCROW_NONE.into(),
        vir_fix_sele: if plan.account.is_some() {
            KSPAY_VIR_FIX_GIVEN
        } else {
            KSPAY_VIR_FIX_NONE
        }
        .into(),
        vir_acct_no: plan.account.clone().unwrap_or_default(),
        org_transaction_no: String::new(),
        filler: String::new(),
    };
    let request = Request {
        head: head(ctx, ch, order),
        records: vec![RequestRecord::VirtualAccount(record)],
    };
    tcp_request(ch, request)
}
