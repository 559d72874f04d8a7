//! A test-only adapter whose PG sends **unsigned** deposit notices: `smartro-unsigned`
//! speaks Smartro's protocol (it delegates every call to the Smartro adapter, and its sandbox
//! simulator is Smartro's), but its `decode_notice` ignores `SignValue` and says
//! [`NoticeTrust::Unsigned`]. So the gateway must confirm each of its notices by inquiry —
//! the path every vendor without signed notices takes.

use std::net::SocketAddr;
use std::sync::Arc;

use async_trait::async_trait;
use paymux_core::adapter::{
    AdapterDescriptor, Capabilities, Capability, EncodeContext, IncomingNotice, Maturity, Method,
    NoticeAck, NoticeEvent, NoticeTrust, Operation, PgAdapter, PgNotice, PgRequest, TransportKind,
    WireRequest, WireResponse,
};
use paymux_core::channel::ChannelContext;
use paymux_core::error::PgError;
use paymux_core::money::Money;
use paymux_core::outcome::Outcome;
use paymux_core::simulator::{LedgerEntry, Notice, Simulator, SimulatorHandle};
use paymux_core::wire::Charset;
use paymux_smartro::{SmartroAdapter, SmartroSimulator};

pub const ID: &str = "smartro-unsigned";

pub static DESCRIPTOR: AdapterDescriptor = AdapterDescriptor {
    id: ID,
    pg_provider: "SMARTRO_V2",
    pg_company: "SMARTRO",
    display_name: "Smartro with unsigned notices (tests)",
    transport: TransportKind::Http,
    maturity: Maturity::Draft,
    credentials: paymux_smartro::channel::CREDENTIALS,
    options: paymux_smartro::channel::OPTIONS,
    capabilities: Capabilities {
        operations: &[
            Capability {
                operation: Operation::PaymentInstant,
                methods: &[Method::VirtualAccount],
            },
            Capability {
                operation: Operation::PaymentGet,
                methods: &[],
            },
        ],
        currencies: &["KRW"],
        field_limits: &[],
        partial_cancel: false,
        max_partial_cancels: None,
    },
};

pub struct UnsignedAdapter;

impl PgAdapter for UnsignedAdapter {
    fn descriptor(&self) -> &'static AdapterDescriptor {
        &DESCRIPTOR
    }

    fn validate(&self, channel: &ChannelContext, req: &PgRequest) -> Result<(), PgError> {
        SmartroAdapter.validate(channel, req)
    }

    fn encode(&self, ctx: &EncodeContext<'_>, req: &PgRequest) -> Result<WireRequest, PgError> {
        SmartroAdapter.encode(ctx, req)
    }

    fn decode(
        &self,
        ctx: &EncodeContext<'_>,
        req: &PgRequest,
        sent: &WireRequest,
        resp: &WireResponse,
    ) -> Result<Outcome, PgError> {
        SmartroAdapter.decode(ctx, req, sent, resp)
    }

    /// Smartro's deposit form, read without checking `SignValue`.
    fn decode_notice(
        &self,
        _channel: &ChannelContext,
        notice: &IncomingNotice<'_>,
    ) -> Result<PgNotice, PgError> {
        let refused = |d: &str| PgError::NoticeRefused { detail: d.into() };
        let pairs = notice
            .form(Charset::Utf8)
            .map_err(|_| refused("not a form"))?;
        let get = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
        if get("ResultCode").as_deref() != Some("4110") {
            return Err(refused("ResultCode is not 4110"));
        }
        let amount = match get("Amt") {
            Some(a) => Some(
                a.parse::<i64>()
                    .ok()
                    .and_then(|n| Money::new(n).ok())
                    .ok_or_else(|| refused("Amt"))?,
            ),
            None => None,
        };
        Ok(PgNotice {
            pg_tx_id: get("Tid"),
            order_id: get("Moid"),
            event: NoticeEvent::Deposited { amount, at: None },
            trust: NoticeTrust::Unsigned,
            ack: NoticeAck::text("OK"),
            view: vec![("Tid".into(), get("Tid").unwrap_or_default())],
        })
    }
}

/// Smartro's simulator, handing out `smartro-unsigned` channels.
#[derive(Default)]
pub struct UnsignedSim(Arc<SmartroSimulator>);

#[async_trait]
impl Simulator for UnsignedSim {
    fn adapter_id(&self) -> &'static str {
        ID
    }
    async fn start(self: Arc<Self>, addr: SocketAddr) -> std::io::Result<SimulatorHandle> {
        self.0.clone().start(addr).await
    }
    fn sandbox_channel(&self, key: &str, endpoint: &str) -> ChannelContext {
        let mut c = self.0.sandbox_channel(key, endpoint);
        c.adapter = ID.to_string();
        c
    }
    fn ledger(&self) -> Vec<LedgerEntry> {
        self.0.ledger()
    }
    fn deposit(&self, pg_tx_id: &str) -> Option<Notice> {
        self.0.deposit(pg_tx_id)
    }
}

paymux_core::inventory::submit! {
    paymux_core::registry::AdapterRegistration {
        descriptor: &DESCRIPTOR,
        adapter: || Arc::new(UnsignedAdapter),
        simulator: Some(|| Arc::new(UnsignedSim::default())),
    }
}
