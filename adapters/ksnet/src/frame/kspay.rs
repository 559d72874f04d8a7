//! The KSPay socket telegram, byte for byte as `KSPayApprovalCancelBean` v1.3 (id46696420800)
//! writes and reads it:
//!
//! ```text
//! LEN(4, '9': bytes of HEAD + DATA)  HEAD(296)  DATA record × ApprovalCount
//! ```
//!
//! `X` fields are left-aligned and space-padded, `9` fields right-aligned and zero-padded,
//! widths in **bytes of EUC-KR** (`MSG_ENCODING = "ksc5601"`): a Hangul syllable takes 2.
//! Requests are written in strict EUC-KR (KS X 1001); display fields that may be too long
//! (`GoodName`, `PhoneNo`) are cut at a character boundary, never inside a syllable, and
//! identity and secret fields are never cut (an error instead). The bean itself cuts at about
//! `len − 4` bytes ("적당히 여유를 두고 잘라버리자"); paymux keeps as much as fits.
//!
//! Answers are read field by field with [`RecordReader`]; text is decoded as CP949 (a superset
//! of EUC-KR: be liberal in what you accept), messages leniently. Every length is checked, so
//! arbitrary bytes give an error, never a panic.
//!
//! Record layouts the public code does not show (inquiry, the partial-cancel detail) are in
//! this module (each marked **reconstructed**).

use paymux_core::wire::{
    charset, fixed, Charset, FieldKind, FieldSpan, RecordReader, RecordWriter, WireError,
};
use serde_json::{json, Value};

use crate::protocol::kspay::{HEAD_WIDTH, LEN_WIDTH, MAX_BODY};
use crate::protocol::{KSPAY_CANCEL, KSPAY_INQUIRY, KSPAY_INQUIRY_FAMILY, KSPAY_VIRTUAL_ACCOUNT};
use paymux_core::secret::Secret;

/// Charset of requests: strict EUC-KR.
pub const CS: Charset = Charset::EucKr;
/// Charset answers are decoded in: CP949, EUC-KR's superset.
const READ_CS: Charset = Charset::Cp949;

/// The 296-byte header (`HeadMessage`). Answers mirror it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Head {
    /// EncType (1): 0 암호화안함, 1 openssl, 2 seed.
    pub enc_type: String,
    /// Version (4) 전문버전.
    pub version: String,
    /// Type (2) 구분.
    pub kind: String,
    /// Resend (1): 0 처음, 2 재전송.
    pub resend: String,
    /// RequestDate (14) yyyymmddhhmmss.
    pub request_date: String,
    /// StoreId (10) 상점아이디.
    pub store_id: String,
    /// OrderNumber (50) 주문번호.
    pub order_number: String,
    /// UserName (50) 주문자명.
    pub user_name: String,
    /// IdNum (13) 주민번호 or 사업자번호 (paymux leaves it blank).
    pub id_num: String,
    /// Email (50).
    pub email: String,
    /// GoodType (1): 0 실물, 1 디지털.
    pub good_type: String,
    /// GoodName (50) 제품명: cut at a character boundary when longer.
    pub good_name: String,
    /// KeyInType (1): K keyed in.
    pub key_in_type: String,
    /// LineType (1): 1 internet.
    pub line_type: String,
    /// PhoneNo (12) 휴대폰번호: cut when longer, as the keyed-in sample does.
    pub phone_no: String,
    /// ApprovalCount (1) 복합승인갯수.
    pub approval_count: String,
    /// Filler (35).
    pub filler: String,
}

impl Head {
    fn write(&self, w: &mut RecordWriter) {
        w.alpha_strict("HEAD.EncType", &self.enc_type, 1)
            .alpha_strict("HEAD.Version", &self.version, 4)
            .alpha_strict("HEAD.Type", &self.kind, 2)
            .alpha_strict("HEAD.Resend", &self.resend, 1)
            .alpha_strict("HEAD.RequestDate", &self.request_date, 14)
            .alpha_strict("HEAD.StoreId", &self.store_id, 10)
            .alpha_strict("HEAD.OrderNumber", &self.order_number, 50)
            .alpha_strict("HEAD.UserName", &self.user_name, 50)
            .alpha_strict("HEAD.IdNum", &self.id_num, 13)
            .alpha_strict("HEAD.Email", &self.email, 50)
            .alpha_strict("HEAD.GoodType", &self.good_type, 1)
            .alpha("HEAD.GoodName", &self.good_name, 50)
            .alpha_strict("HEAD.KeyInType", &self.key_in_type, 1)
            .alpha_strict("HEAD.LineType", &self.line_type, 1)
            .alpha("HEAD.PhoneNo", &self.phone_no, 12)
            .alpha_strict("HEAD.ApprovalCount", &self.approval_count, 1)
            .alpha_strict("HEAD.Filler", &self.filler, 35);
    }

    fn read(r: &mut RecordReader<'_>, lenient: bool) -> Result<Head, WireError> {
        let mut t = |name: &str, width: usize| text(r, name, width, lenient);
        Ok(Head {
            enc_type: t("HEAD.EncType", 1)?,
            version: t("HEAD.Version", 4)?,
            kind: t("HEAD.Type", 2)?,
            resend: t("HEAD.Resend", 1)?,
            request_date: t("HEAD.RequestDate", 14)?,
            store_id: t("HEAD.StoreId", 10)?,
            order_number: t("HEAD.OrderNumber", 50)?,
            user_name: t("HEAD.UserName", 50)?,
            id_num: t("HEAD.IdNum", 13)?,
            email: t("HEAD.Email", 50)?,
            good_type: t("HEAD.GoodType", 1)?,
            good_name: t("HEAD.GoodName", 50)?,
            key_in_type: t("HEAD.KeyInType", 1)?,
            line_type: t("HEAD.LineType", 1)?,
            phone_no: t("HEAD.PhoneNo", 12)?,
            approval_count: t("HEAD.ApprovalCount", 1)?,
            filler: t("HEAD.Filler", 35)?,
        })
    }
}

/// Card approval data (`CreditDataMessage`): 280 bytes, then `EncData` when `AuthType` is set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreditData {
    /// ApprovalType (4): 1000 카드번호+유효기간, 1300 + 비밀번호+생년월일.
    pub approval_type: String,
    /// InterestType (1): 1 일반, 2 무이자.
    pub interest_type: String,
    /// TrackII (40): `카드번호=YYMM`, or a transaction number for a batch charge.
    pub track2: Secret<String>,
    /// Installment (2, '9'): 00 일시불.
    pub installment: u64,
    /// Amount (9, '9').
    pub amount: u64,
    /// Passwd (2): 비밀번호 앞2자리.
    pub passwd: Secret<String>,
    /// IdNum (10): 생년월일 or 사업자번호.
    pub id_num: Secret<String>,
    /// CurrencyType (1): 0 원화, 1 미화.
    pub currency_type: String,
    /// BatchUseType (1): 0 미사용, 1 사용.
    pub batch_use_type: String,
    /// CardSendType (1).
    pub card_send_type: String,
    /// VisaAuthYn (1): 7 SSL.
    pub visa_auth_yn: String,
    /// Domain (40).
    pub domain: String,
    /// IpAddr (20).
    pub ip_addr: String,
    /// BusinessNumber (10).
    pub business_number: String,
    /// Filler (135).
    pub filler: String,
    /// AuthType (1): blank for an ordinary transaction.
    pub auth_type: String,
    /// MPIPositionType (1).
    pub mpi_position_type: String,
    /// MPIReUseType (1).
    pub mpi_reuse_type: String,
    /// EncData (MPI/ISP data, appended as is; empty for keyed-in approvals).
    pub enc_data: Vec<u8>,
}

/// Width of [`CreditData`] without `EncData`.
pub const CREDIT_WIDTH: usize = 280;

impl CreditData {
    fn write(&self, w: &mut RecordWriter) {
        w.alpha_strict("CREDIT.ApprovalType", &self.approval_type, 4)
            .alpha_strict("CREDIT.InterestType", &self.interest_type, 1)
            .alpha_secret("CREDIT.TrackII", self.track2.expose(), 40)
            .numeric("CREDIT.Installment", self.installment, 2)
            .numeric("CREDIT.Amount", self.amount, 9)
            .alpha_secret("CREDIT.Passwd", self.passwd.expose(), 2)
            .alpha_secret("CREDIT.IdNum", self.id_num.expose(), 10)
            .alpha_strict("CREDIT.CurrencyType", &self.currency_type, 1)
            .alpha_strict("CREDIT.BatchUseType", &self.batch_use_type, 1)
            .alpha_strict("CREDIT.CardSendType", &self.card_send_type, 1)
            .alpha_strict("CREDIT.VisaAuthYn", &self.visa_auth_yn, 1)
            .alpha_strict("CREDIT.Domain", &self.domain, 40)
            .alpha_strict("CREDIT.IpAddr", &self.ip_addr, 20)
            .alpha_strict("CREDIT.BusinessNumber", &self.business_number, 10)
            .alpha_strict("CREDIT.Filler", &self.filler, 135)
            .alpha_strict("CREDIT.AuthType", &self.auth_type, 1)
            .alpha_strict("CREDIT.MPIPositionType", &self.mpi_position_type, 1)
            .alpha_strict("CREDIT.MPIReUseType", &self.mpi_reuse_type, 1);
        if !self.enc_data.is_empty() {
            w.raw_secret("CREDIT.EncData", &self.enc_data);
        }
    }

    fn read(r: &mut RecordReader<'_>) -> Result<CreditData, WireError> {
        let approval_type = text(r, "CREDIT.ApprovalType", 4, false)?;
        let interest_type = text(r, "CREDIT.InterestType", 1, false)?;
        let track2 = Secret::new(r.alpha_secret("CREDIT.TrackII", 40)?);
        let installment = r.numeric("CREDIT.Installment", 2)?;
        let amount = r.numeric("CREDIT.Amount", 9)?;
        let passwd = Secret::new(r.alpha_secret("CREDIT.Passwd", 2)?);
        let id_num = Secret::new(r.alpha_secret("CREDIT.IdNum", 10)?);
        let mut t = |name: &str, width: usize| text(r, name, width, false);
        let mut c = CreditData {
            approval_type,
            interest_type,
            track2,
            installment,
            amount,
            passwd,
            id_num,
            currency_type: t("CREDIT.CurrencyType", 1)?,
            batch_use_type: t("CREDIT.BatchUseType", 1)?,
            card_send_type: t("CREDIT.CardSendType", 1)?,
            visa_auth_yn: t("CREDIT.VisaAuthYn", 1)?,
            domain: t("CREDIT.Domain", 40)?,
            ip_addr: t("CREDIT.IpAddr", 20)?,
            business_number: t("CREDIT.BusinessNumber", 10)?,
            filler: t("CREDIT.Filler", 135)?,
            auth_type: t("CREDIT.AuthType", 1)?,
            mpi_position_type: t("CREDIT.MPIPositionType", 1)?,
            mpi_reuse_type: t("CREDIT.MPIReUseType", 1)?,
            enc_data: Vec::new(),
        };
        if !c.auth_type.trim().is_empty() {
            c.enc_data = read_enc_data(r, "CREDIT")?;
        }
        Ok(c)
    }
}

/// Cancel data (`CancelDataMessage`): 150 bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CancelData {
    /// ApprovalType (4): supplied by the caller (`authty`); see [`crate::reconstructed::RECONSTRUCTIONS`].
    pub approval_type: String,
    /// CancelType (1): the samples send 0 with a transaction number; 2 = by order number.
    pub cancel_type: String,
    /// TransactionNo (12) 거래번호.
    pub transaction_no: Secret<String>,
    /// Whether `transaction_no` is a batch key (a billing-key delete): masked in views.
    pub transaction_no_is_secret: bool,
    /// TradeDate (8) 거래일자.
    pub trade_date: String,
    /// OrderNumber (50) 주문번호.
    pub order_number: String,
    /// CancelData (42) "취소data(차후추가)": carries the **reconstructed** partial cancel.
    pub cancel_data: PartialCancelDetail,
    /// Refundcheck (1) 현금영수증 취소여부.
    pub refund_check: String,
    /// Filler (32).
    pub filler: String,
}

/// Width of [`CancelData`].
pub const CANCEL_WIDTH: usize = 150;

impl CancelData {
    fn write(&self, w: &mut RecordWriter) {
        w.alpha_strict("CANCEL.ApprovalType", &self.approval_type, 4)
            .alpha_strict("CANCEL.CancelType", &self.cancel_type, 1);
        if self.transaction_no_is_secret {
            w.alpha_secret("CANCEL.TransactionNo", self.transaction_no.expose(), 12);
        } else {
            w.alpha_strict("CANCEL.TransactionNo", self.transaction_no.expose(), 12);
        }
        w.alpha_strict("CANCEL.TradeDate", &self.trade_date, 8)
            .alpha_strict("CANCEL.OrderNumber", &self.order_number, 50);
        self.cancel_data.write(w);
        w.alpha_strict("CANCEL.Refundcheck", &self.refund_check, 1)
            .alpha_strict("CANCEL.Filler", &self.filler, 32);
    }

    fn read(r: &mut RecordReader<'_>) -> Result<CancelData, WireError> {
        let approval_type = text(r, "CANCEL.ApprovalType", 4, false)?;
        let cancel_type = text(r, "CANCEL.CancelType", 1, false)?;
        let transaction_no = Secret::new(text(r, "CANCEL.TransactionNo", 12, false)?);
        Ok(CancelData {
            approval_type,
            cancel_type,
            transaction_no,
            transaction_no_is_secret: false,
            trade_date: text(r, "CANCEL.TradeDate", 8, false)?,
            order_number: text(r, "CANCEL.OrderNumber", 50, false)?,
            cancel_data: PartialCancelDetail::read(r)?,
            refund_check: text(r, "CANCEL.Refundcheck", 1, false)?,
            filler: text(r, "CANCEL.Filler", 32, false)?,
        })
    }
}

/// Virtual-account data (`VirtualAccountDataMessage`, the 10-argument form): 114 bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VirtualAccountData {
    /// ApprovalType (4): begins with 6; the full code is **reconstructed**.
    pub approval_type: String,
    /// BankCode (6) 은행코드.
    pub bank_code: String,
    /// Amount (9, '9').
    pub amount: u64,
    /// CloseDate (8) 마감일자 yyyymmdd.
    pub close_date: String,
    /// CloseTime (6) 마감시간 hhmmss.
    pub close_time: String,
    /// EscrowSele (1): 0 적용안함, 1 적용, 2 강제적용.
    pub escrow_sele: String,
    /// VirFixSele (1) 가상계좌번호지정구분.
    pub vir_fix_sele: String,
    /// VirAcctNo (15) 가상계좌번호.
    pub vir_acct_no: String,
    /// OrgTransactionNo (12) 원거래거래번호.
    pub org_transaction_no: String,
    /// Filler (52).
    pub filler: String,
}

/// Width of [`VirtualAccountData`].
pub const VIRTUAL_ACCOUNT_WIDTH: usize = 114;

impl VirtualAccountData {
    fn write(&self, w: &mut RecordWriter) {
        w.alpha_strict("VACCOUNT.ApprovalType", &self.approval_type, 4)
            .alpha_strict("VACCOUNT.BankCode", &self.bank_code, 6)
            .numeric("VACCOUNT.Amount", self.amount, 9)
            .alpha_strict("VACCOUNT.CloseDate", &self.close_date, 8)
            .alpha_strict("VACCOUNT.CloseTime", &self.close_time, 6)
            .alpha_strict("VACCOUNT.EscrowSele", &self.escrow_sele, 1)
            .alpha_strict("VACCOUNT.VirFixSele", &self.vir_fix_sele, 1)
            .alpha_strict("VACCOUNT.VirAcctNo", &self.vir_acct_no, 15)
            .alpha_strict("VACCOUNT.OrgTransactionNo", &self.org_transaction_no, 12)
            .alpha_strict("VACCOUNT.Filler", &self.filler, 52);
    }

    fn read(r: &mut RecordReader<'_>) -> Result<VirtualAccountData, WireError> {
        let approval_type = text(r, "VACCOUNT.ApprovalType", 4, false)?;
        let bank_code = text(r, "VACCOUNT.BankCode", 6, false)?;
        let amount = r.numeric("VACCOUNT.Amount", 9)?;
        let mut t = |name: &str, width: usize| text(r, name, width, false);
        Ok(VirtualAccountData {
            approval_type,
            bank_code,
            amount,
            close_date: t("VACCOUNT.CloseDate", 8)?,
            close_time: t("VACCOUNT.CloseTime", 6)?,
            escrow_sele: t("VACCOUNT.EscrowSele", 1)?,
            vir_fix_sele: t("VACCOUNT.VirFixSele", 1)?,
            vir_acct_no: t("VACCOUNT.VirAcctNo", 15)?,
            org_transaction_no: t("VACCOUNT.OrgTransactionNo", 12)?,
            filler: t("VACCOUNT.Filler", 52)?,
        })
    }
}

/// One request data record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RequestRecord {
    /// Card approval (also the **reconstructed** batch issue and charge).
    Credit(CreditData),
    /// Cancel (also the **reconstructed** batch-key delete).
    Cancel(CancelData),
    /// Virtual-account issue.
    VirtualAccount(VirtualAccountData),
    /// **Reconstructed** transaction inquiry.
    Inquiry(KspayInquiryRequest),
}

impl RequestRecord {
    fn write(&self, w: &mut RecordWriter) {
        match self {
            RequestRecord::Credit(c) => c.write(w),
            RequestRecord::Cancel(c) => c.write(w),
            RequestRecord::VirtualAccount(v) => v.write(w),
            RequestRecord::Inquiry(q) => q.write(w),
        }
    }

    /// The record's `ApprovalType`.
    pub fn approval_type(&self) -> &str {
        match self {
            RequestRecord::Credit(c) => &c.approval_type,
            RequestRecord::Cancel(c) => &c.approval_type,
            RequestRecord::VirtualAccount(v) => &v.approval_type,
            RequestRecord::Inquiry(q) => &q.approval_type,
        }
    }

    fn read(r: &mut RecordReader<'_>) -> Result<RequestRecord, WireError> {
        let code = peek_type(r)?;
        match code.as_str() {
            crate::protocol::kspay::approval_type::CARD_KEYED
            | crate::protocol::kspay::approval_type::CARD_OLD_CERT => {
                CreditData::read(r).map(RequestRecord::Credit)
            }
            KSPAY_CANCEL => CancelData::read(r).map(RequestRecord::Cancel),
            KSPAY_VIRTUAL_ACCOUNT => VirtualAccountData::read(r).map(RequestRecord::VirtualAccount),
            KSPAY_INQUIRY => KspayInquiryRequest::read(r).map(RequestRecord::Inquiry),
            _ => Err(malformed(
                "ApprovalType",
                "not a record type this adapter writes (1000, 1300, 1010, 6000, A800)",
            )),
        }
    }
}

/// A request telegram: header and data records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// Header.
    pub head: Head,
    /// Data records (`ApprovalCount` of them).
    pub records: Vec<RequestRecord>,
}

impl Request {
    /// The exact frame (length prefix included) and its field-by-field layout, offsets
    /// counted from the first byte of the frame. Secrets are masked in the layout only.
    pub fn to_frame(&self) -> Result<(Vec<u8>, Vec<FieldSpan>), WireError> {
        let (body, spans) = self.write(RecordWriter::new(CS))?;
        prefix(body, spans)
    }

    /// The exact frame of [`to_frame`](Request::to_frame) without building its layout (what
    /// encode sends; the lazy view rebuilds the layout only when read).
    pub fn to_bytes(&self) -> Result<Vec<u8>, WireError> {
        let (body, _) = self.write(RecordWriter::without_layout(CS))?;
        with_len(body)
    }

    fn write(&self, mut w: RecordWriter) -> Result<(Vec<u8>, Vec<FieldSpan>), WireError> {
        self.head.write(&mut w);
        for r in &self.records {
            r.write(&mut w);
        }
        w.finish()
    }

    /// Read only the header of a request frame (the simulator answers a frame whose records
    /// it cannot read with a protocol error under this header).
    pub fn parse_head(frame: &[u8]) -> Result<Head, WireError> {
        let body = split_len(frame)?;
        Head::read(&mut RecordReader::without_layout(body, CS), false)
    }

    /// Parse a request frame (the simulator, and decode's pairing check).
    pub fn parse(frame: &[u8]) -> Result<Request, WireError> {
        let body = split_len(frame)?;
        let mut r = RecordReader::without_layout(body, CS);
        let head = Head::read(&mut r, false)?;
        let count = record_count(&head)?;
        let mut records = Vec::with_capacity(count);
        for _ in 0..count {
            records.push(RequestRecord::read(&mut r)?);
        }
        r.expect_end("request telegram")?;
        Ok(Request { head, records })
    }
}

/// Card answer record (`ReceiveDataMessage`, `ApprovalType` starting with 1 or I): 276 bytes
/// after the type, then `EncLen(5)` + `EncData` when `AuthType` is set.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CardResult {
    /// ApprovalType (4).
    pub approval_type: String,
    /// TransactionNo (12) 거래번호.
    pub transaction_no: String,
    /// Status (1): O 승인, X 거절.
    pub status: String,
    /// TradeDate (8).
    pub trade_date: String,
    /// TradeTime (6).
    pub trade_time: String,
    /// IssCode (6) 발급사코드.
    pub iss_code: String,
    /// AquCode (6) 매입사코드.
    pub aqu_code: String,
    /// AuthNo (12): 승인번호, or the error code when declined.
    pub auth_no: String,
    /// Message1 (16).
    pub message1: String,
    /// Message2 (16).
    pub message2: String,
    /// CardNo (16), as `CardSendType` asked (masked by KSNET).
    pub card_no: String,
    /// ExpDate (4).
    pub exp_date: String,
    /// Installment (2).
    pub installment: String,
    /// Amount (9).
    pub amount: String,
    /// MerchantNo (15) 가맹점번호.
    pub merchant_no: String,
    /// AuthSendType (1).
    pub auth_send_type: String,
    /// ApprovalSendType (1): 0 거절, 1 승인, 2 원카드.
    pub approval_send_type: String,
    /// Point1–Point4 (12 each).
    pub points: [String; 4],
    /// VanTransactionNo (12).
    pub van_transaction_no: String,
    /// Filler (82).
    pub filler: String,
    /// AuthType (1).
    pub auth_type: String,
    /// MPIPositionType (1).
    pub mpi_position_type: String,
    /// MPIReUseType (1).
    pub mpi_reuse_type: String,
    /// EncData (only when `AuthType` is set).
    pub enc_data: Vec<u8>,
}

/// The names of `Point1`–`Point4` (constants: no `format!` per field read).
const POINT_NAMES: [&str; 4] = ["CARD.Point1", "CARD.Point2", "CARD.Point3", "CARD.Point4"];

impl CardResult {
    fn write(&self, w: &mut RecordWriter) {
        w.alpha("CARD.ApprovalType", &self.approval_type, 4)
            .alpha("CARD.TransactionNo", &self.transaction_no, 12)
            .alpha("CARD.Status", &self.status, 1)
            .alpha("CARD.TradeDate", &self.trade_date, 8)
            .alpha("CARD.TradeTime", &self.trade_time, 6)
            .alpha("CARD.IssCode", &self.iss_code, 6)
            .alpha("CARD.AquCode", &self.aqu_code, 6)
            .alpha("CARD.AuthNo", &self.auth_no, 12)
            .alpha("CARD.Message1", &self.message1, 16)
            .alpha("CARD.Message2", &self.message2, 16)
            .alpha("CARD.CardNo", &self.card_no, 16)
            .alpha("CARD.ExpDate", &self.exp_date, 4)
            .alpha("CARD.Installment", &self.installment, 2)
            .alpha("CARD.Amount", &self.amount, 9)
            .alpha("CARD.MerchantNo", &self.merchant_no, 15)
            .alpha("CARD.AuthSendType", &self.auth_send_type, 1)
            .alpha("CARD.ApprovalSendType", &self.approval_send_type, 1);
        for (name, p) in POINT_NAMES.iter().zip(&self.points) {
            w.alpha(name, p, 12);
        }
        w.alpha("CARD.VanTransactionNo", &self.van_transaction_no, 12)
            .alpha("CARD.Filler", &self.filler, 82)
            .alpha("CARD.AuthType", &self.auth_type, 1)
            .alpha("CARD.MPIPositionType", &self.mpi_position_type, 1)
            .alpha("CARD.MPIReUseType", &self.mpi_reuse_type, 1);
        if !self.auth_type.trim().is_empty() {
            let len = format!("{:05}", self.enc_data.len());
            w.raw("CARD.EncLen", len.as_bytes())
                .raw_secret("CARD.EncData", &self.enc_data);
        }
    }

    fn read(r: &mut RecordReader<'_>) -> Result<CardResult, WireError> {
        let mut t = |name: &str, width: usize| text(r, name, width, false);
        let mut c = CardResult {
            approval_type: t("CARD.ApprovalType", 4)?,
            transaction_no: t("CARD.TransactionNo", 12)?,
            status: t("CARD.Status", 1)?,
            trade_date: t("CARD.TradeDate", 8)?,
            trade_time: t("CARD.TradeTime", 6)?,
            iss_code: t("CARD.IssCode", 6)?,
            aqu_code: t("CARD.AquCode", 6)?,
            auth_no: t("CARD.AuthNo", 12)?,
            ..CardResult::default()
        };
        c.message1 = text(r, "CARD.Message1", 16, true)?;
        c.message2 = text(r, "CARD.Message2", 16, true)?;
        let mut t = |name: &str, width: usize| text(r, name, width, false);
        c.card_no = t("CARD.CardNo", 16)?;
        c.exp_date = t("CARD.ExpDate", 4)?;
        c.installment = t("CARD.Installment", 2)?;
        c.amount = t("CARD.Amount", 9)?;
        c.merchant_no = t("CARD.MerchantNo", 15)?;
        c.auth_send_type = t("CARD.AuthSendType", 1)?;
        c.approval_send_type = t("CARD.ApprovalSendType", 1)?;
        for (name, p) in POINT_NAMES.iter().zip(&mut c.points) {
            *p = text(r, name, 12, false)?;
        }
        let mut t = |name: &str, width: usize| text(r, name, width, true);
        c.van_transaction_no = t("CARD.VanTransactionNo", 12)?;
        c.filler = t("CARD.Filler", 82)?;
        c.auth_type = t("CARD.AuthType", 1)?;
        c.mpi_position_type = t("CARD.MPIPositionType", 1)?;
        c.mpi_reuse_type = t("CARD.MPIReUseType", 1)?;
        if !c.auth_type.trim().is_empty() {
            c.enc_data = read_enc_data(r, "CARD")?;
        }
        Ok(c)
    }
}

/// The short card answer the bean reads when the type's second character is `5`: 65 bytes
/// after the type. paymux sends nothing that is answered this way; it is parsed so such an
/// answer is recognized rather than misread.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CardShortResult {
    /// ApprovalType (4).
    pub approval_type: String,
    /// TransactionNo (12).
    pub transaction_no: String,
    /// Status (1).
    pub status: String,
    /// TradeDate (8).
    pub trade_date: String,
    /// TradeTime (6).
    pub trade_time: String,
    /// IssCode (6).
    pub iss_code: String,
    /// Message1 (16).
    pub message1: String,
    /// Message2 (16).
    pub message2: String,
}

/// Virtual-account answer record (`ApprovalType` starting with 6): 163 bytes after the type.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VirtualAccountResult {
    /// ApprovalType (4).
    pub approval_type: String,
    /// TransactionNo (12).
    pub transaction_no: String,
    /// Status (1): O / X.
    pub status: String,
    /// TradeDate (8).
    pub trade_date: String,
    /// TradeTime (6).
    pub trade_time: String,
    /// BankCode (6).
    pub bank_code: String,
    /// VirAcctNo (15).
    pub vir_acct_no: String,
    /// Name (30) 예금주.
    pub name: String,
    /// CloseDate (8).
    pub close_date: String,
    /// CloseTime (6).
    pub close_time: String,
    /// RespCode (4).
    pub resp_code: String,
    /// Message1 (16).
    pub message1: String,
    /// Message2 (16).
    pub message2: String,
    /// Filler (36).
    pub filler: String,
}

impl VirtualAccountResult {
    fn write(&self, w: &mut RecordWriter) {
        w.alpha("VACCOUNT.ApprovalType", &self.approval_type, 4)
            .alpha("VACCOUNT.TransactionNo", &self.transaction_no, 12)
            .alpha("VACCOUNT.Status", &self.status, 1)
            .alpha("VACCOUNT.TradeDate", &self.trade_date, 8)
            .alpha("VACCOUNT.TradeTime", &self.trade_time, 6)
            .alpha("VACCOUNT.BankCode", &self.bank_code, 6)
            .alpha("VACCOUNT.VirAcctNo", &self.vir_acct_no, 15)
            .alpha("VACCOUNT.Name", &self.name, 30)
            .alpha("VACCOUNT.CloseDate", &self.close_date, 8)
            .alpha("VACCOUNT.CloseTime", &self.close_time, 6)
            .alpha("VACCOUNT.RespCode", &self.resp_code, 4)
            .alpha("VACCOUNT.Message1", &self.message1, 16)
            .alpha("VACCOUNT.Message2", &self.message2, 16)
            .alpha("VACCOUNT.Filler", &self.filler, 36);
    }

    fn read(r: &mut RecordReader<'_>) -> Result<VirtualAccountResult, WireError> {
        let mut t = |name: &str, width: usize| text(r, name, width, false);
        let mut v = VirtualAccountResult {
            approval_type: t("VACCOUNT.ApprovalType", 4)?,
            transaction_no: t("VACCOUNT.TransactionNo", 12)?,
            status: t("VACCOUNT.Status", 1)?,
            trade_date: t("VACCOUNT.TradeDate", 8)?,
            trade_time: t("VACCOUNT.TradeTime", 6)?,
            bank_code: t("VACCOUNT.BankCode", 6)?,
            vir_acct_no: t("VACCOUNT.VirAcctNo", 15)?,
            ..VirtualAccountResult::default()
        };
        v.name = text(r, "VACCOUNT.Name", 30, true)?;
        v.close_date = text(r, "VACCOUNT.CloseDate", 8, false)?;
        v.close_time = text(r, "VACCOUNT.CloseTime", 6, false)?;
        v.resp_code = text(r, "VACCOUNT.RespCode", 4, false)?;
        v.message1 = text(r, "VACCOUNT.Message1", 16, true)?;
        v.message2 = text(r, "VACCOUNT.Message2", 16, true)?;
        v.filler = text(r, "VACCOUNT.Filler", 36, true)?;
        Ok(v)
    }
}

/// One answer data record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResponseRecord {
    /// Card approval / cancel answer.
    Card(Box<CardResult>),
    /// The bean's short card answer (type `x5xx`).
    CardShort(CardShortResult),
    /// Virtual-account answer.
    VirtualAccount(VirtualAccountResult),
    /// **Reconstructed** inquiry answer.
    Inquiry(KspayInquiryAnswer),
}

impl ResponseRecord {
    fn write(&self, w: &mut RecordWriter) {
        match self {
            ResponseRecord::Card(c) => c.write(w),
            ResponseRecord::CardShort(c) => {
                w.alpha("CARD.ApprovalType", &c.approval_type, 4)
                    .alpha("CARD.TransactionNo", &c.transaction_no, 12)
                    .alpha("CARD.Status", &c.status, 1)
                    .alpha("CARD.TradeDate", &c.trade_date, 8)
                    .alpha("CARD.TradeTime", &c.trade_time, 6)
                    .alpha("CARD.IssCode", &c.iss_code, 6)
                    .alpha("CARD.Message1", &c.message1, 16)
                    .alpha("CARD.Message2", &c.message2, 16);
            }
            ResponseRecord::VirtualAccount(v) => v.write(w),
            ResponseRecord::Inquiry(q) => q.write(w),
        }
    }

    fn read(r: &mut RecordReader<'_>) -> Result<ResponseRecord, WireError> {
        let code = peek_type(r)?;
        let mut chars = code.chars();
        let (first, second) = (chars.next(), chars.next());
        match (first, second) {
            (Some('1' | 'I'), Some('5')) => {
                let mut t = |name: &str, width: usize| text(r, name, width, false);
                let mut c = CardShortResult {
                    approval_type: t("CARD.ApprovalType", 4)?,
                    transaction_no: t("CARD.TransactionNo", 12)?,
                    status: t("CARD.Status", 1)?,
                    trade_date: t("CARD.TradeDate", 8)?,
                    trade_time: t("CARD.TradeTime", 6)?,
                    iss_code: t("CARD.IssCode", 6)?,
                    ..CardShortResult::default()
                };
                c.message1 = text(r, "CARD.Message1", 16, true)?;
                c.message2 = text(r, "CARD.Message2", 16, true)?;
                Ok(ResponseRecord::CardShort(c))
            }
            (Some('1' | 'I'), _) => CardResult::read(r).map(|c| ResponseRecord::Card(Box::new(c))),
            (Some('6'), _) => VirtualAccountResult::read(r).map(ResponseRecord::VirtualAccount),
            _ if code.starts_with(KSPAY_INQUIRY_FAMILY) => {
                KspayInquiryAnswer::read(r).map(ResponseRecord::Inquiry)
            }
            _ => Err(malformed(
                "ApprovalType",
                "an answer record of a kind this adapter does not read",
            )),
        }
    }
}

/// An answer telegram.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    /// Header (mirrors the request's).
    pub head: Head,
    /// `ApprovalCount` records.
    pub records: Vec<ResponseRecord>,
}

impl Response {
    /// The exact frame (the simulator writes answers with it).
    pub fn to_frame(&self) -> Result<Vec<u8>, WireError> {
        let mut w = RecordWriter::new(CS);
        self.head.write_answer(&mut w);
        for r in &self.records {
            r.write(&mut w);
        }
        let (body, spans) = w.finish()?;
        prefix(body, spans).map(|(b, _)| b)
    }

    /// Parse an answer frame (length prefix included). Errors never carry values.
    pub fn parse(frame: &[u8]) -> Result<Response, WireError> {
        let body = split_len(frame)?;
        let mut r = RecordReader::without_layout(body, READ_CS);
        let head = Head::read(&mut r, true)?;
        let count = record_count(&head)?;
        let mut records = Vec::with_capacity(count);
        for _ in 0..count {
            records.push(ResponseRecord::read(&mut r)?);
        }
        r.expect_end("answer telegram")?;
        Ok(Response { head, records })
    }
}

impl Head {
    /// Answers are written like requests, except that text fields are cut to fit.
    fn write_answer(&self, w: &mut RecordWriter) {
        for (name, value, width) in [
            ("HEAD.EncType", &self.enc_type, 1),
            ("HEAD.Version", &self.version, 4),
            ("HEAD.Type", &self.kind, 2),
            ("HEAD.Resend", &self.resend, 1),
            ("HEAD.RequestDate", &self.request_date, 14),
            ("HEAD.StoreId", &self.store_id, 10),
            ("HEAD.OrderNumber", &self.order_number, 50),
            ("HEAD.UserName", &self.user_name, 50),
            ("HEAD.IdNum", &self.id_num, 13),
            ("HEAD.Email", &self.email, 50),
            ("HEAD.GoodType", &self.good_type, 1),
            ("HEAD.GoodName", &self.good_name, 50),
            ("HEAD.KeyInType", &self.key_in_type, 1),
            ("HEAD.LineType", &self.line_type, 1),
            ("HEAD.PhoneNo", &self.phone_no, 12),
            ("HEAD.ApprovalCount", &self.approval_count, 1),
            ("HEAD.Filler", &self.filler, 35),
        ] {
            w.alpha(name, value, width);
        }
    }
}

/// A request telegram as sent, kept for its lazy view (`encode::kspay::tcp_request`): the
/// layout is built only when the view is read.
#[derive(Debug)]
pub struct SentRequest {
    /// The request framed ([`Request::to_bytes`]).
    pub request: Request,
}

impl SentRequest {
    /// The layout, rebuilt from the request: the same writer gives the same frame, so this is
    /// the layout of the bytes sent (`to_bytes` succeeded on this very request).
    pub fn view(&self) -> Value {
        match self.request.to_frame() {
            Ok((_, spans)) => view(&spans),
            Err(_) => Value::Null,
        }
    }
}

/// The masked view of a request frame: its length and every field with offset and width.
pub fn view(spans: &[FieldSpan]) -> Value {
    let fields: Vec<Value> = spans
        .iter()
        .map(|s| {
            json!({
                "offset": s.offset,
                "width": s.width,
                "kind": s.kind.as_str(),
                "name": s.name,
                "value": s.view,
            })
        })
        .collect();
    let len = spans.last().map(|s| s.offset + s.width).unwrap_or(0);
    json!({ "frame": "kspay", "bytes": len, "fields": fields })
}

/// The spans of a [`view`], back from its JSON (for reviews and snapshots).
pub fn spans_of_view(view: &Value) -> Vec<FieldSpan> {
    let Some(fields) = view.get("fields").and_then(Value::as_array) else {
        return Vec::new();
    };
    fields
        .iter()
        .filter_map(|f| {
            let kind = match f.get("kind")?.as_str()? {
                "numeric" => FieldKind::Numeric,
                "raw" => FieldKind::Raw,
                _ => FieldKind::Alpha,
            };
            Some(FieldSpan {
                name: f.get("name")?.as_str()?.to_string(),
                offset: usize::try_from(f.get("offset")?.as_u64()?).ok()?,
                width: usize::try_from(f.get("width")?.as_u64()?).ok()?,
                kind,
                view: f.get("value")?.as_str()?.to_string(),
            })
        })
        .collect()
}

/// Prepend `LEN` and shift the spans past it.
fn prefix(body: Vec<u8>, spans: Vec<FieldSpan>) -> Result<(Vec<u8>, Vec<FieldSpan>), WireError> {
    let frame = with_len(body)?;
    let mut all = vec![FieldSpan {
        name: "LEN".into(),
        offset: 0,
        width: LEN_WIDTH,
        kind: FieldKind::Numeric,
        view: String::from_utf8_lossy(&frame[..LEN_WIDTH]).into_owned(),
    }];
    all.extend(spans.into_iter().map(|mut s| {
        s.offset += LEN_WIDTH;
        s
    }));
    Ok((frame, all))
}

/// Prepend `LEN` (checked against [`MAX_BODY`]).
fn with_len(body: Vec<u8>) -> Result<Vec<u8>, WireError> {
    if body.len() > MAX_BODY {
        return Err(WireError::TooLong {
            field: "telegram".into(),
            max_bytes: MAX_BODY,
            actual_bytes: body.len(),
            charset: "raw bytes",
        });
    }
    let mut frame = Vec::with_capacity(LEN_WIDTH + body.len());
    frame.extend(fixed::numeric("LEN", body.len() as u64, LEN_WIDTH)?);
    frame.extend(body);
    Ok(frame)
}

/// The body after a checked length prefix.
fn split_len(frame: &[u8]) -> Result<&[u8], WireError> {
    if frame.len() < LEN_WIDTH + HEAD_WIDTH {
        return Err(WireError::Truncated {
            what: "telegram".into(),
            needed: LEN_WIDTH + HEAD_WIDTH,
            got: frame.len(),
        });
    }
    let (len, body) = frame.split_at(LEN_WIDTH);
    let declared = std::str::from_utf8(len)
        .ok()
        .filter(|s| s.bytes().all(|b| b.is_ascii_digit()))
        .and_then(|s| s.parse::<usize>().ok())
        .ok_or_else(|| malformed("LEN", "not 4 decimal digits"))?;
    if declared != body.len() {
        return Err(malformed(
            "LEN",
            &format!("says {declared} bytes but {} follow", body.len()),
        ));
    }
    Ok(body)
}

fn record_count(head: &Head) -> Result<usize, WireError> {
    match head.approval_count.parse::<usize>() {
        Ok(n @ 1..=9) => Ok(n),
        _ => Err(malformed(
            "HEAD.ApprovalCount",
            "not a record count from 1 to 9",
        )),
    }
}

/// The next record's `ApprovalType`, without consuming it.
fn peek_type(r: &RecordReader<'_>) -> Result<String, WireError> {
    let rest = r.rest();
    let raw = rest.get(..4).ok_or_else(|| WireError::Truncated {
        what: "ApprovalType".into(),
        needed: 4,
        got: rest.len(),
    })?;
    std::str::from_utf8(raw)
        .map(str::to_string)
        .map_err(|_| malformed("ApprovalType", "not ASCII"))
}

/// `EncLen(5)` + `EncData`, lengths checked.
fn read_enc_data(r: &mut RecordReader<'_>, record: &str) -> Result<Vec<u8>, WireError> {
    let len = r.numeric(&format!("{record}.EncLen"), 5)?;
    let len = usize::try_from(len).map_err(|_| malformed("EncLen", "too large"))?;
    Ok(r.raw(&format!("{record}.EncData"), len)?.to_vec())
}

/// An `X` field as text, trailing spaces removed. `lenient`: a message field whose bytes do
/// not decode (a character cut by the sender) keeps what decodes instead of failing the whole
/// answer.
fn text(
    r: &mut RecordReader<'_>,
    name: &str,
    width: usize,
    lenient: bool,
) -> Result<String, WireError> {
    if !lenient {
        return r.alpha(name, width);
    }
    let raw = r.raw(name, width)?;
    // Trailing spaces cut before decoding, as `RecordReader::alpha` does: 0x20 is never the
    // second byte of a character, so the text is the same and a blank field allocates nothing.
    let mut end = raw.iter().rposition(|&b| b != b' ').map_or(0, |i| i + 1);
    while end > 0 {
        if let Ok(mut s) = charset::decode(name, &raw[..end], READ_CS) {
            // A shorter prefix may end in spaces again.
            s.truncate(s.trim_end_matches(' ').len());
            return Ok(s);
        }
        end -= 1;
    }
    Ok(String::new())
}

fn malformed(what: &str, detail: &str) -> WireError {
    WireError::Malformed {
        what: what.to_string(),
        detail: detail.to_string(),
    }
}

/// A partial cancel's amounts and sequence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PartialCancel {
    /// 취소 총금액.
    pub amount: u64,
    /// 취소 면세금액.
    pub tax_free: u64,
    /// 취소일련번호 1–9.
    pub seq: u32,
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
    /// One letter of [`crate::protocol::trade_status`].
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
