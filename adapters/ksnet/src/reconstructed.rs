//! Every **reconstructed** part of the KSNET wire formats, in one place.
//!
//! KSNET's public material (the WEBFEP reference, the KSPay bean and samples) documents card
//! approvals, card cancels and virtual-account issue. Everything below is paymux's
//! reconstruction: the closest documented shape plus the reason for the guess. The simulator
//! speaks exactly these reconstructions, so the conformance suite cannot catch a wrong guess:
//! confirm each with KSNET before going live.
//!
//! | part | reconstruction | why |
//! |---|---|---|
//! | billing-key issue (WEBFEP) | `card/cert` with all five card fields; the PG billing key is the answer's `tid` | `card/cert` is documented (card-holder authentication, no charge) and takes exactly the five fields PortOne requires for a KSNET billing key; the only batch mechanism visible anywhere reuses a *transaction number* |
//! | billing-key issue (KSPay) | a 1300 approval of amount 0 with `BatchUseType` 1; the key is its `TransactionNo` | `BatchUseType` "거래번호배치사용구분" + a transaction number in `TrackII` is the only batch mechanism public code shows; no cert-only record type is documented |
//! | billing-key charge (KSPay) | 1000 with `BatchUseType` 1 and the key in `TrackII` | the bean: "TrackII: 카드번호=유효기간 or 거래번호", "BatchUseType 1: 사용" |
//! | billing-key charge (WEBFEP) | `card/pay/noncert` with the key in `cardNumb`, empty `expiryDate`, and `batchUseType: "1"` | the same mechanism transliterated: `cardNumb`/`expiryDate` are WEBFEP's TrackII; no billing endpoint is public |
//! | billing-key delete | a FULL cancel of the issuing transaction (`card/cancel` by TID; KSPay 1010 by `TransactionNo`) | a batch key that is a transaction number dies with its transaction; no delete call exists publicly |
//! | status inquiry (WEBFEP) | `POST trade/inquiry` `{mid, payload, orgTradeKeyType, orgTradeKey, orgTradeDate}`; answer `data.tradeStatus` + `totalAmount` + `cancelAmount` | the reference shows no inquiry; the request reuses the cancel's documented key fields |
//! | status inquiry (KSPay) | record `A800` (150 bytes) keyed like a cancel; answer `A801` (104 bytes) with `TradeStatus`, `Amount`, `CancelAmount` | the only documented inquiry family is `A700` 상점정보 상세요청; the transaction inquiry is NOT FOUND |
//! | KSPay cancel `ApprovalType` | `1010` | supplied by the caller in the samples (`authty`); the cancel form's fallback answer type `1011` suggests `1010` |
//! | KSPay answer types | request type with its last digit `1` (`1000`→`1001`, `1010`→`1011`, `6000`→`6001`) | the samples' fallback answers (`1001`, `1011`, `I001`) |
//! | KSPay partial cancel | `CancelData`(42) = `PartCancelYn`(1) `Y` + `CancelAmount`(9) + `CancelTaxFree`(9) + `CancelSeq`(1) + filler(22) | no partial-cancel field is visible; `CancelData` is the record's reserved "취소data(차후추가)" |
//! | KSPay virtual account | `ApprovalType` `6000`; `VirFixSele` `0` (PG numbers the account) / `1` (`VirAcctNo` given); `BankCode` = KFTC code | the type begins with 6, the rest is NOT FOUND; the bank-code table is NOT FOUND |
//! | KSPay USD amounts | thousandths of a dollar, as WEBFEP documents | KSPay's `CurrencyType` 1 is documented, its amount unit is not |
//! | WEBFEP virtual-account fields | the example body's `orderName`, `goodName`, `virtAccountNumb` | the reference's table says `userName`, `productName`, `virtAccountNum`; its example (and the answer's `virtualAccountNumb`) the former |
//! | WEBFEP virtual account, type 0 | the same `vaccount/permanent` path with `virtAccountType` `0` | the path is the only one public; the field documents type 0 |
//! | WEBFEP `bankType` values | PortOne's bank code (`NONGHYUP`, `KOOKMIN`, ...) | the 은행타입표 is NOT FOUND; its one value `NONGHYUP` is PortOne's spelling |
//! | response codes besides `0000` and the examples | see [`crate::protocol::sim`] | KSNET's code list is NOT FOUND |

use paymux_core::adapter::{
    BillingKeyPaymentCall, DeleteBillingKeyCall, EncodeContext, GetPaymentCall,
    IssueBillingKeyCall, Method, WireRequest, WireView,
};
use paymux_core::error::PgError;
use paymux_core::money::Money;
use paymux_core::outcome::TxState;
use paymux_core::secret::Secret;
use paymux_core::wire::{RecordReader, RecordWriter, WireError};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::channel::{KsnetChannel, Protocol};
use crate::encode::{
    amounts, installment, keyed_card, kspay as kspay_enc, order, trade_key, webfep as webfep_enc,
    Amounts, CancelPlan, CardSource, PartialCancel, Terms, TradeKey, WireCurrency,
};
use crate::frame::kspay::{Request, RequestRecord};
use crate::frame::webfep::{to_body, CardCertRequest};
use crate::protocol::webfep::CARD_CERT;

/// One reconstructed fact, for the README and reviews.
#[derive(Debug, Clone, Copy)]
pub struct Reconstruction {
    /// What part of the format.
    pub part: &'static str,
    /// What paymux sends or expects.
    pub guess: &'static str,
    /// The evidence and reasoning.
    pub why: &'static str,
}

/// Every reconstruction this adapter relies on (the table above, as data).
pub const RECONSTRUCTIONS: &[Reconstruction] = &[
    Reconstruction {
        part: "billing-key issue (WEBFEP)",
        guess: "card/cert with all five card fields; the PG billing key is the answer's tid",
        why: "card/cert is documented and takes exactly the five fields PortOne requires for a KSNET billing key; the only visible batch mechanism reuses a transaction number",
    },
    Reconstruction {
        part: "billing-key issue (KSPay)",
        guess: "1300 approval of amount 0 with BatchUseType 1; the key is its TransactionNo",
        why: "BatchUseType + a transaction number in TrackII is the only batch mechanism public code shows",
    },
    Reconstruction {
        part: "billing-key charge",
        guess: "KSPay 1000 with BatchUseType 1 and the key in TrackII; WEBFEP card/pay/noncert with the key in cardNumb and batchUseType \"1\"",
        why: "the bean: TrackII = 카드번호=유효기간 or 거래번호; no billing endpoint is public",
    },
    Reconstruction {
        part: "billing-key delete",
        guess: "FULL cancel of the issuing transaction by its TID",
        why: "a key that is a transaction number dies with its transaction; no delete call exists publicly",
    },
    Reconstruction {
        part: "status inquiry",
        guess: "WEBFEP POST trade/inquiry with the cancel's key fields; KSPay record A800 / answer A801",
        why: "no inquiry is public; the cancel's key fields and the A7xx inquiry family are the closest",
    },
    Reconstruction {
        part: "KSPay cancel ApprovalType",
        guess: "1010",
        why: "the cancel form's fallback answer type is 1011",
    },
    Reconstruction {
        part: "KSPay answer types",
        guess: "request type with its last digit 1",
        why: "the samples' fallback answers 1001, 1011, I001",
    },
    Reconstruction {
        part: "KSPay partial cancel",
        guess: "CancelData(42) = PartCancelYn Y + CancelAmount(9) + CancelTaxFree(9) + CancelSeq(1) + filler(22)",
        why: "no partial-cancel field is visible; CancelData is reserved (취소data 차후추가)",
    },
    Reconstruction {
        part: "KSPay virtual account",
        guess: "ApprovalType 6000, VirFixSele 0/1, BankCode = KFTC code",
        why: "the type begins with 6; the rest and the bank table are NOT FOUND",
    },
    Reconstruction {
        part: "KSPay USD amounts",
        guess: "thousandths of a dollar",
        why: "WEBFEP documents it; KSPay documents only CurrencyType 1",
    },
    Reconstruction {
        part: "WEBFEP virtual-account field names",
        guess: "orderName, goodName, virtAccountNumb (the example body)",
        why: "the reference's table and example disagree",
    },
    Reconstruction {
        part: "WEBFEP bankType values",
        guess: "PortOne's bank code",
        why: "the bank table is NOT FOUND; its one value NONGHYUP is PortOne's spelling",
    },
    Reconstruction {
        part: "response codes",
        guess: "the simulator's S-codes",
        why: "KSNET's code list is NOT FOUND",
    },
];

/// **Reconstructed** KSPay cancel `ApprovalType`.
pub const KSPAY_CANCEL: &str = "1010";
/// **Reconstructed** KSPay virtual-account `ApprovalType`.
pub const KSPAY_VIRTUAL_ACCOUNT: &str = "6000";
/// **Reconstructed** KSPay transaction inquiry `ApprovalType`.
pub const KSPAY_INQUIRY: &str = "A800";
/// Answer records whose type starts with this are inquiry answers.
pub const KSPAY_INQUIRY_FAMILY: &str = "A8";
/// **Reconstructed** `VirFixSele`: the PG numbers the account.
pub const KSPAY_VIR_FIX_NONE: &str = "0";
/// **Reconstructed** `VirFixSele`: `VirAcctNo` names the merchant's permanent account.
pub const KSPAY_VIR_FIX_GIVEN: &str = "1";
/// **Reconstructed** WEBFEP inquiry path.
pub const WEBFEP_INQUIRY: &str = "trade/inquiry";
/// **Reconstructed** WEBFEP `batchUseType` of a batch charge.
pub const WEBFEP_BATCH_USE: &str = "1";
/// The product name sent with a billing-key issue (`card/cert` requires one; the unified
/// request has none). paymux's choice.
pub const BILLING_KEY_PRODUCT_NAME: &str = "정기결제 카드등록";

/// **Reconstructed** answer type of a KSPay request type: its last digit becomes `1`.
pub fn kspay_answer_type(request_type: &str) -> String {
    let mut s: String = request_type.chars().take(3).collect();
    s.push('1');
    s
}

/// **Reconstructed** inquiry states (WEBFEP `data.tradeStatus`, KSPay `TradeStatus`).
pub mod trade_status {
    /// Approved, nothing cancelled.
    pub const APPROVED: &str = "APPROVED";
    /// Partly cancelled.
    pub const PART_CANCELLED: &str = "PART_CANCELLED";
    /// Fully cancelled.
    pub const CANCELLED: &str = "CANCELLED";
    /// Virtual account issued, waiting for the deposit.
    pub const WAITING_DEPOSIT: &str = "WAITING_DEPOSIT";
    /// Virtual account paid.
    pub const DEPOSITED: &str = "DEPOSITED";

    /// KSPay's one-letter form of a state.
    pub fn letter(state: &str) -> &'static str {
        match state {
            APPROVED => "A",
            PART_CANCELLED => "P",
            CANCELLED => "C",
            WAITING_DEPOSIT => "W",
            DEPOSITED => "D",
            _ => " ",
        }
    }

    /// The state of a KSPay letter.
    pub fn of_letter(letter: &str) -> Option<&'static str> {
        Some(match letter {
            "A" => APPROVED,
            "P" => PART_CANCELLED,
            "C" => CANCELLED,
            "W" => WAITING_DEPOSIT,
            "D" => DEPOSITED,
            _ => return None,
        })
    }
}

/// The unified state of a **reconstructed** inquiry state.
pub fn tx_state(status: &str) -> Option<TxState> {
    Some(match status {
        trade_status::APPROVED | trade_status::DEPOSITED => TxState::Approved,
        trade_status::PART_CANCELLED => TxState::PartiallyCancelled,
        trade_status::CANCELLED => TxState::Cancelled,
        trade_status::WAITING_DEPOSIT => TxState::Pending,
        _ => return None,
    })
}

/// **Reconstructed** KSPay `CancelData`(42): blank for a full cancel (what the samples send),
/// `Y` + amounts + sequence for a partial one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PartialCancelDetail(pub Option<PartialCancel>);

/// Width of `CancelData`.
const CANCEL_DATA_WIDTH: usize = 42;

impl PartialCancelDetail {
    /// The detail of a plan's partial part.
    pub fn of(partial: Option<PartialCancel>) -> Self {
        PartialCancelDetail(partial)
    }

    /// Write the 42 bytes.
    pub fn write(&self, w: &mut RecordWriter) {
        match self.0 {
            None => {
                w.alpha_strict("CANCEL.CancelData", "", CANCEL_DATA_WIDTH);
            }
            Some(p) => {
                w.alpha_strict("CANCEL.CancelData.PartCancelYn", "Y", 1)
                    .numeric("CANCEL.CancelData.CancelAmount", p.amount, 9)
                    .numeric("CANCEL.CancelData.CancelTaxFree", p.tax_free, 9)
                    .numeric("CANCEL.CancelData.CancelSeq", u64::from(p.seq), 1)
                    .alpha_strict("CANCEL.CancelData.Filler", "", 22);
            }
        }
    }

    /// Read the 42 bytes.
    pub fn read(r: &mut RecordReader<'_>) -> Result<Self, WireError> {
        let raw = r.raw("CANCEL.CancelData", CANCEL_DATA_WIDTH)?;
        if raw.iter().all(|b| *b == b' ') {
            return Ok(PartialCancelDetail(None));
        }
        let digits = |from: usize, to: usize| -> Result<u64, WireError> {
            let s = &raw[from..to];
            if !s.iter().all(u8::is_ascii_digit) {
                return Err(WireError::NotNumeric {
                    field: "CANCEL.CancelData".into(),
                });
            }
            Ok(s.iter().fold(0u64, |acc, d| acc * 10 + u64::from(d - b'0')))
        };
        if raw[0] != b'Y' {
            return Err(WireError::Malformed {
                what: "CANCEL.CancelData".into(),
                detail: "neither blank nor a partial cancel (PartCancelYn Y)".into(),
            });
        }
        Ok(PartialCancelDetail(Some(PartialCancel {
            amount: digits(1, 10)?,
            tax_free: digits(10, 19)?,
            seq: u32::try_from(digits(19, 20)?).unwrap_or(0),
        })))
    }
}

/// **Reconstructed** KSPay inquiry request record `A800` (150 bytes, the cancel's width):
/// `ApprovalType`(4) `InquiryType`(1: 1 by TID, 2 by order number) `TransactionNo`(12)
/// `TradeDate`(8) `OrderNumber`(50) `Filler`(75).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KspayInquiryRequest {
    /// `A800`.
    pub approval_type: String,
    /// 1 by TID, 2 by order number.
    pub inquiry_type: String,
    /// TID.
    pub transaction_no: String,
    /// yyyyMMdd (by order number).
    pub trade_date: String,
    /// Order number (by order number).
    pub order_number: String,
    /// Filler (75).
    pub filler: String,
}

impl KspayInquiryRequest {
    /// Write the 150 bytes.
    pub fn write(&self, w: &mut RecordWriter) {
        w.alpha_strict("INQUIRY.ApprovalType", &self.approval_type, 4)
            .alpha_strict("INQUIRY.InquiryType", &self.inquiry_type, 1)
            .alpha_strict("INQUIRY.TransactionNo", &self.transaction_no, 12)
            .alpha_strict("INQUIRY.TradeDate", &self.trade_date, 8)
            .alpha_strict("INQUIRY.OrderNumber", &self.order_number, 50)
            .alpha_strict("INQUIRY.Filler", &self.filler, 75);
    }

    /// Read the 150 bytes.
    pub fn read(r: &mut RecordReader<'_>) -> Result<Self, WireError> {
        Ok(KspayInquiryRequest {
            approval_type: r.alpha("INQUIRY.ApprovalType", 4)?,
            inquiry_type: r.alpha("INQUIRY.InquiryType", 1)?,
            transaction_no: r.alpha("INQUIRY.TransactionNo", 12)?,
            trade_date: r.alpha("INQUIRY.TradeDate", 8)?,
            order_number: r.alpha("INQUIRY.OrderNumber", 50)?,
            filler: r.alpha("INQUIRY.Filler", 75)?,
        })
    }
}

/// **Reconstructed** KSPay inquiry answer record `A801` (104 bytes): `ApprovalType`(4)
/// `TransactionNo`(12) `Status`(1: O found, X not) `TradeDate`(8) `TradeTime`(6)
/// `TradeStatus`(1: A P C W D) `Amount`(9) `CancelAmount`(9) `RespCode`(4) `Message1`(16)
/// `Message2`(16) `Filler`(18).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KspayInquiryAnswer {
    /// `A801`.
    pub approval_type: String,
    /// TID.
    pub transaction_no: String,
    /// O / X.
    pub status: String,
    /// yyyyMMdd.
    pub trade_date: String,
    /// HHmmss.
    pub trade_time: String,
    /// One letter of [`trade_status`].
    pub trade_status: String,
    /// Approved amount.
    pub amount: String,
    /// Cancelled so far.
    pub cancel_amount: String,
    /// Result code.
    pub resp_code: String,
    /// Message1.
    pub message1: String,
    /// Message2.
    pub message2: String,
    /// Filler.
    pub filler: String,
}

impl KspayInquiryAnswer {
    /// Write the 104 bytes (the simulator).
    pub fn write(&self, w: &mut RecordWriter) {
        w.alpha("INQUIRY.ApprovalType", &self.approval_type, 4)
            .alpha("INQUIRY.TransactionNo", &self.transaction_no, 12)
            .alpha("INQUIRY.Status", &self.status, 1)
            .alpha("INQUIRY.TradeDate", &self.trade_date, 8)
            .alpha("INQUIRY.TradeTime", &self.trade_time, 6)
            .alpha("INQUIRY.TradeStatus", &self.trade_status, 1)
            .alpha("INQUIRY.Amount", &self.amount, 9)
            .alpha("INQUIRY.CancelAmount", &self.cancel_amount, 9)
            .alpha("INQUIRY.RespCode", &self.resp_code, 4)
            .alpha("INQUIRY.Message1", &self.message1, 16)
            .alpha("INQUIRY.Message2", &self.message2, 16)
            .alpha("INQUIRY.Filler", &self.filler, 18);
    }

    /// Read the 104 bytes.
    pub fn read(r: &mut RecordReader<'_>) -> Result<Self, WireError> {
        let mut t = |name: &str, width: usize| r.alpha(name, width);
        Ok(KspayInquiryAnswer {
            approval_type: t("INQUIRY.ApprovalType", 4)?,
            transaction_no: t("INQUIRY.TransactionNo", 12)?,
            status: t("INQUIRY.Status", 1)?,
            trade_date: t("INQUIRY.TradeDate", 8)?,
            trade_time: t("INQUIRY.TradeTime", 6)?,
            trade_status: t("INQUIRY.TradeStatus", 1)?,
            amount: t("INQUIRY.Amount", 9)?,
            cancel_amount: t("INQUIRY.CancelAmount", 9)?,
            resp_code: t("INQUIRY.RespCode", 4)?,
            message1: t("INQUIRY.Message1", 16)?,
            message2: t("INQUIRY.Message2", 16)?,
            filler: t("INQUIRY.Filler", 18)?,
        })
    }
}

/// **Reconstructed** WEBFEP inquiry body (`POST trade/inquiry`), the cancel's key fields.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WebfepInquiryRequest {
    /// 상점아이디.
    pub mid: String,
    /// 가맹점데이터.
    #[serde(default)]
    pub payload: String,
    /// TID / ORDER_NUMB.
    pub org_trade_key_type: String,
    /// The TID or the order number.
    pub org_trade_key: String,
    /// yyyyMMdd (by order number).
    #[serde(default)]
    pub org_trade_date: String,
}

impl WebfepInquiryRequest {
    /// The view (nothing secret).
    pub fn view(&self) -> Value {
        serde_json::to_value(self).unwrap_or(Value::Null)
    }
}

/// **Reconstructed** billing-key issue: WEBFEP `card/cert`; KSPay 1300 of 0 with
/// `BatchUseType` 1. The order number is the gateway's billing-key id.
pub fn issue_billing_key(
    ctx: &EncodeContext<'_>,
    ch: &KsnetChannel,
    call: &IssueBillingKeyCall,
) -> Result<WireRequest, PgError> {
    let body = &call.body;
    let Some(card) = body.method.card.as_ref() else {
        return Err(PgError::Unsupported {
            adapter: crate::ADAPTER_ID,
            what: "billing-key.issue without a card".into(),
        });
    };
    let keyed = keyed_card(&card.credential)?;
    let ord = order(
        &call.billing_key,
        BILLING_KEY_PRODUCT_NAME,
        body.customer.as_ref(),
    );
    let Some((password, birth)) = keyed.old_cert.clone() else {
        let mut e = paymux_core::validation::ValidationErrors::default();
        e.add(
            "method.card.credential.passwordTwoDigits",
            "is required to issue a KSNET billing key (with birthOrBusinessRegistrationNumber)",
        );
        return Err(e.into());
    };
    match ch.protocol {
        Protocol::Webfep => {
            let request = CardCertRequest {
                mid: ch.mid.clone(),
                payload: call.billing_key.clone(),
                order_numb: call.billing_key.clone(),
                user_name: ord.user_name.clone(),
                product_name: ord.product_name_50()?,
                card_numb: keyed.number.clone(),
                expiry_date: keyed.expiry.clone(),
                password2: password,
                user_info: birth,
            };
            let bytes = to_body(&request).map_err(|reason| PgError::NotSent { reason })?;
            webfep_enc::http_request(ch, CARD_CERT, bytes, WireView::lazy(move || request.view()))
        }
        Protocol::Kspay => {
            let zero = Amounts {
                total: 0,
                tax_free: None,
                vat: None,
                currency: WireCurrency::Krw,
            };
            let terms = Terms {
                installment: 0,
                free_interest: false,
            };
            let request = Request {
                head: kspay_enc::head(ctx, ch, &ord),
                records: vec![RequestRecord::Credit(kspay_enc::credit(
                    &zero,
                    &terms,
                    &CardSource::Keyed(keyed),
                    true,
                ))],
            };
            kspay_enc::tcp_request(ch, request)
        }
    }
}

/// **Reconstructed** billing-key charge: the key stands for the card (`BatchUseType` 1).
pub fn charge_billing_key(
    ctx: &EncodeContext<'_>,
    ch: &KsnetChannel,
    call: &BillingKeyPaymentCall,
) -> Result<WireRequest, PgError> {
    let body = &call.body;
    let key = call.prior.pg_billing_key.clone().unwrap_or_default();
    let ord = order(&call.payment_id, &body.order_name, body.customer.as_ref())
        .with_product(body.product_type);
    let currency = WireCurrency::of(body.currency.code())?;
    let amts = amounts(&body.amount, currency)?;
    let terms = Terms {
        installment: installment(body.installment_month),
        free_interest: body.use_free_interest_from_merchant == Some(true),
    };
    let source = CardSource::Batch(key);
    match ch.protocol {
        Protocol::Webfep => webfep_enc::approve(ch, &ord, &amts, &terms, &source),
        Protocol::Kspay => kspay_enc::approve(ctx, ch, &ord, &amts, &terms, &source),
    }
}

/// **Reconstructed** billing-key delete: a FULL cancel of the issuing transaction.
pub fn delete_billing_key(
    ctx: &EncodeContext<'_>,
    ch: &KsnetChannel,
    call: &DeleteBillingKeyCall,
) -> Result<WireRequest, PgError> {
    let key = call
        .prior
        .pg_billing_key
        .as_ref()
        .map(|k| k.expose().clone())
        .unwrap_or_default();
    let plan = CancelPlan {
        key: TradeKey::Tid(key),
        partial: None,
        amount: Money::ZERO,
        cancellable: Money::ZERO,
        method: Method::Card,
    };
    match ch.protocol {
        Protocol::Webfep => webfep_enc::cancel(ch, &call.billing_key, &plan, true),
        Protocol::Kspay => kspay_enc::cancel(ctx, ch, &call.billing_key, &plan, true),
    }
}

/// **Reconstructed** status inquiry, keyed like a cancel: by TID when the gateway has one,
/// else by order number and the original date (an `Unknown` outcome has no TID).
pub fn inquiry(
    ctx: &EncodeContext<'_>,
    ch: &KsnetChannel,
    call: &GetPaymentCall,
) -> Result<WireRequest, PgError> {
    let key = trade_key(&call.payment_id, &call.prior)?;
    match ch.protocol {
        Protocol::Webfep => {
            let (key_type, key, date) = webfep_enc::key_fields(&key);
            let request = WebfepInquiryRequest {
                mid: ch.mid.clone(),
                payload: call.payment_id.clone(),
                org_trade_key_type: key_type.to_string(),
                org_trade_key: key,
                org_trade_date: date,
            };
            let bytes = to_body(&request).map_err(|reason| PgError::NotSent { reason })?;
            webfep_enc::http_request(
                ch,
                WEBFEP_INQUIRY,
                bytes,
                WireView::lazy(move || request.view()),
            )
        }
        Protocol::Kspay => {
            let (inquiry_type, tid, date, number) = match &key {
                TradeKey::Tid(t) => ("1", t.clone(), String::new(), String::new()),
                TradeKey::Order { number, date } => {
                    ("2", String::new(), date.clone(), number.clone())
                }
            };
            let ord = order(&call.payment_id, "", None);
            let request = Request {
                head: kspay_enc::head(ctx, ch, &ord),
                records: vec![RequestRecord::Inquiry(KspayInquiryRequest {
                    approval_type: KSPAY_INQUIRY.into(),
                    inquiry_type: inquiry_type.into(),
                    transaction_no: tid,
                    trade_date: date,
                    order_number: number,
                    filler: String::new(),
                })],
            };
            kspay_enc::tcp_request(ch, request)
        }
    }
}

/// Whether a request is a billing-key operation whose TID is the key (views and outcomes
/// must not show it).
pub fn tid_is_billing_key(req: &paymux_core::adapter::PgRequest) -> bool {
    matches!(
        req,
        paymux_core::adapter::PgRequest::IssueBillingKey(_)
            | paymux_core::adapter::PgRequest::DeleteBillingKey(_)
    )
}

/// A secret from the PG's TID (a billing key).
pub fn key_of_tid(tid: &str) -> Secret<String> {
    Secret::new(tid.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answer_types_end_in_one() {
        assert_eq!(kspay_answer_type("1000"), "1001");
        assert_eq!(kspay_answer_type("1010"), "1011");
        assert_eq!(kspay_answer_type("A800"), "A801");
    }

    #[test]
    fn partial_cancel_detail_round_trips() {
        for d in [
            PartialCancelDetail(None),
            PartialCancelDetail(Some(PartialCancel {
                amount: 1000,
                tax_free: 100,
                seq: 3,
            })),
        ] {
            let mut w = RecordWriter::new(paymux_core::wire::Charset::EucKr);
            d.write(&mut w);
            let (bytes, _) = w.finish().unwrap();
            assert_eq!(bytes.len(), CANCEL_DATA_WIDTH);
            let mut r = RecordReader::new(&bytes, paymux_core::wire::Charset::EucKr);
            assert_eq!(PartialCancelDetail::read(&mut r).unwrap(), d);
        }
    }

    #[test]
    fn inquiry_states_map() {
        assert_eq!(
            tx_state(trade_status::WAITING_DEPOSIT),
            Some(TxState::Pending)
        );
        assert_eq!(
            trade_status::of_letter(trade_status::letter(trade_status::CANCELLED)),
            Some(trade_status::CANCELLED)
        );
        assert_eq!(tx_state("???"), None);
    }
}
