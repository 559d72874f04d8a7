//! The wire messages: what an adapter hands the transport ([`WireRequest`], its target and
//! framing, its masked [`WireView`]) and what comes back ([`WireResponse`]).

use serde::Serialize;
use std::fmt;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use crate::secret::Secret;

/// One HTTP header. Sensitive values (Authorization) are masked in every view.
#[derive(Clone, PartialEq, Eq)]
pub struct Header {
    /// Name.
    pub name: String,
    /// Value (exact).
    pub value: String,
    /// Mask in views.
    pub sensitive: bool,
}

impl Header {
    /// The value as views show it.
    pub fn view_value(&self) -> String {
        if self.sensitive {
            crate::secret::mask_all(&self.value)
        } else {
            self.value.clone()
        }
    }
}

impl fmt::Debug for Header {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.name, self.view_value())
    }
}

/// Where the bytes go.
#[derive(Clone, PartialEq, Eq)]
pub enum WireTarget {
    /// An HTTP request.
    Http {
        /// `POST`, `GET`, ...
        method: String,
        /// Full URL, exact (what is sent). Read it through [`WireTarget::url_view`] anywhere
        /// it is shown.
        url: String,
        /// Headers in order.
        headers: Vec<Header>,
        /// A secret the URL itself carries — Toss and NICE put the billing key in the path —
        /// so that `Debug`, `paymux wire` and transport errors show it masked. `None` for a URL
        /// that holds no secret. Set it with [`WireRequest::with_url_secret`].
        url_secret: Option<Secret<String>>,
    },
    /// A TCP exchange: one connection, one request frame, one response frame.
    Tcp {
        /// Host name or IP.
        host: String,
        /// Port.
        port: u16,
        /// How to read the response frame.
        framing: Framing,
    },
    /// A form the browser hands to the PG window (checkout); the server sends nothing.
    Browser {
        /// The window URL the form posts to, or the vendor's loader script
        /// ([`WindowOpen::Script`]).
        url: String,
        /// Charset the window expects (`EUC-KR`, `UTF-8`).
        accept_charset: &'static str,
        /// How the browser opens the window with the form.
        open: WindowOpen,
        /// The amount the window shows, when the adapter put one in the form (a billing-key
        /// window shows the vendor's default when the request gives none).
        shown_amount: Option<crate::money::Money>,
    },
    /// Nothing to send: the operation is already final at the PG, and its answer is here. A
    /// payment window can be the whole transaction — Galaxia's virtual-account window issues
    /// the account and returns it, with nothing left to approve — so its `checkout.complete`
    /// verifies the return and hands it on as this target.
    ///
    /// The request's `body` **is** the answer (what the adapter verified, in the form its
    /// `decode` reads) and its `view` shows it masked, so the pipeline stays one: `encode`
    /// builds it, [`execute_prepared`](crate::execute::execute_prepared) hands the body to
    /// `decode` as the [`WireResponse`] ([`WireRequest::local_answer`]) **without calling any
    /// transport and without a reversal**, and the view is recorded and snapshotted like any
    /// other. [`NetTransport`](crate::transport::NetTransport) refuses it
    /// ([`TransportError::NotSendable`](crate::transport::TransportError::NotSendable)); a
    /// transport of one's own should too, though the executor never gives it one.
    Local {
        /// What already answered, for views and logs (`"the payment window (service 1800)"`).
        answered_by: &'static str,
    },
}

/// How a checkout page opens the vendor's window with the adapter's form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase", tag = "kind")]
pub enum WindowOpen {
    /// Submit the form to the target URL.
    PostForm,
    /// The target URL is the vendor's loader script: load it, then make these calls in order.
    Script {
        /// The calls, e.g. `GX_pay(form, "submit", "https_pay")`.
        calls: Vec<ScriptCall>,
    },
    /// Only the vendor's own browser SDK can open this window; a page cannot drive it.
    VendorSdkOnly {
        /// Why, for the error a merchant sees.
        why: String,
    },
}

/// One call a checkout page makes after loading a vendor's loader script.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ScriptCall {
    /// The function, a JavaScript identifier or dotted path (`GX_pay`, `vendor.pay`).
    pub function: String,
    /// Its arguments in order.
    pub args: Vec<ScriptArg>,
}

/// An argument of a [`ScriptCall`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase", tag = "kind", content = "value")]
pub enum ScriptArg {
    /// The id of the page's form, as a string.
    FormId,
    /// A string.
    Text(String),
}

impl ScriptCall {
    /// True when `function` is an identifier or a dotted path of identifiers, so a page can
    /// write it into a script as is.
    pub fn is_safe_function(&self) -> bool {
        !self.function.is_empty()
            && self.function.split('.').all(|part| {
                let mut chars = part.chars();
                chars
                    .next()
                    .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == '$')
                    && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$')
            })
    }
}

/// How a TCP response frame is delimited.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Framing {
    /// `digits` ASCII decimal digits giving the length of what follows.
    AsciiLengthPrefix {
        /// Number of digits.
        digits: usize,
    },
    /// Exactly this many bytes.
    Fixed(usize),
}

/// What an adapter wants sent: exact bytes, where to, and a masked readable view.
#[derive(Clone)]
pub struct WireRequest {
    /// Destination.
    pub target: WireTarget,
    /// Exact bytes: the HTTP body, or the whole TCP frame (length prefix included).
    pub body: Vec<u8>,
    /// Decoded, masked view with the vendor's field names — what a reviewer reads. Built when
    /// first read ([`WireView`]).
    pub view: WireView,
    /// Read timeout the vendor's sample uses, if it recommends one.
    pub read_timeout: Option<Duration>,
}

/// The masked, readable view of a [`WireRequest`] (the vendor's field names, card data
/// masked): what `paymux wire`, snapshots and `Debug` show. A view only: nothing reads what
/// was sent from it (a decoder re-reads the bytes it encoded, `WireRequest::body`).
///
/// Built when first read, not by `encode`: sending never reads it, and for a large telegram it
/// costs more than the cipher (docs/BENCHMARKS.md). [`WireView::lazy`] takes the closure that
/// builds it (`move || telegram.view()`); a ready [`serde_json::Value`] converts with
/// `.into()`. Reads go through `Deref<Target = Value>` (`w.view["header"]`, `&*w.view`);
/// `Serialize`, `Debug` and `Display` are the built value's, so output is the same either way.
#[derive(Clone, Default)]
pub struct WireView(Arc<ViewCell>);

/// How a lazy view is built.
type BuildView = Box<dyn Fn() -> serde_json::Value + Send + Sync>;

#[derive(Default)]
struct ViewCell {
    built: OnceLock<serde_json::Value>,
    build: Option<BuildView>,
}

impl WireView {
    /// A view built by `build` when first read (once: clones share it).
    pub fn lazy<F>(build: F) -> Self
    where
        F: Fn() -> serde_json::Value + Send + Sync + 'static,
    {
        WireView(Arc::new(ViewCell {
            built: OnceLock::new(),
            build: Some(Box::new(build)),
        }))
    }

    /// The view as an owned value: taken without a copy when this is its last handle (the
    /// view is then not kept), else copied.
    pub fn into_value(self) -> serde_json::Value {
        match Arc::try_unwrap(self.0) {
            Ok(cell) => match cell.built.into_inner() {
                Some(built) => built,
                None => cell.build.map_or(serde_json::Value::Null, |b| b()),
            },
            Err(shared) => WireView(shared).value().clone(),
        }
    }

    /// The view, built now if it was not yet.
    pub fn value(&self) -> &serde_json::Value {
        self.0.built.get_or_init(|| {
            self.0
                .build
                .as_ref()
                .map_or(serde_json::Value::Null, |b| b())
        })
    }
}

impl From<serde_json::Value> for WireView {
    fn from(v: serde_json::Value) -> Self {
        WireView(Arc::new(ViewCell {
            built: OnceLock::from(v),
            build: None,
        }))
    }
}

impl std::ops::Deref for WireView {
    type Target = serde_json::Value;
    fn deref(&self) -> &serde_json::Value {
        self.value()
    }
}

impl fmt::Debug for WireView {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.value(), f)
    }
}

impl fmt::Display for WireView {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self.value(), f)
    }
}

impl Serialize for WireView {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.value().serialize(s)
    }
}

impl WireTarget {
    /// The URL as views show it: an HTTP URL with its [`url_secret`](WireTarget::Http) masked,
    /// the window URL of a browser target; `None` for TCP and a local answer.
    pub fn url_view(&self) -> Option<String> {
        match self {
            WireTarget::Http {
                url, url_secret, ..
            } => Some(mask_in(url, url_secret.as_ref())),
            WireTarget::Browser { url, .. } => Some(url.clone()),
            WireTarget::Tcp { .. } | WireTarget::Local { .. } => None,
        }
    }
}

/// `text` with every occurrence of `secret` masked (nothing to mask: `text` as it is).
pub(crate) fn mask_in(text: &str, secret: Option<&Secret<String>>) -> String {
    match secret {
        Some(s) if !s.expose().is_empty() => text.replace(s.expose().as_str(), &s.masked()),
        _ => text.to_string(),
    }
}

impl fmt::Debug for WireTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WireTarget::Http {
                method, headers, ..
            } => f
                .debug_struct("Http")
                .field("method", method)
                .field("url", &self.url_view().unwrap_or_default())
                .field("headers", headers)
                .finish(),
            WireTarget::Tcp {
                host,
                port,
                framing,
            } => f
                .debug_struct("Tcp")
                .field("host", host)
                .field("port", port)
                .field("framing", framing)
                .finish(),
            WireTarget::Browser {
                url,
                accept_charset,
                open,
                shown_amount,
            } => f
                .debug_struct("Browser")
                .field("url", url)
                .field("accept_charset", accept_charset)
                .field("open", open)
                .field("shown_amount", shown_amount)
                .finish(),
            WireTarget::Local { answered_by } => f
                .debug_struct("Local")
                .field("answered_by", answered_by)
                .finish(),
        }
    }
}

impl WireRequest {
    /// Declare a secret the HTTP URL carries (a billing key in the path): every view of the
    /// URL masks it. A no-op for TCP and browser targets.
    pub fn with_url_secret(mut self, secret: Secret<String>) -> Self {
        if let WireTarget::Http { url_secret, .. } = &mut self.target {
            *url_secret = Some(secret);
        }
        self
    }
}

impl WireRequest {
    /// A request that sends nothing: `answer` is the PG's final answer, already at hand and
    /// verified by the adapter ([`WireTarget::Local`]); `view` shows it masked.
    pub fn local(answered_by: &'static str, answer: Vec<u8>, view: WireView) -> Self {
        WireRequest {
            target: WireTarget::Local { answered_by },
            body: answer,
            view,
            read_timeout: None,
        }
    }

    /// True when nothing is to be sent ([`WireTarget::Local`]).
    pub fn is_local(&self) -> bool {
        matches!(self.target, WireTarget::Local { .. })
    }

    /// The answer of a [`WireTarget::Local`] request, as the response its adapter's `decode`
    /// reads (no status, no headers, the body); `None` for a request that must be sent.
    pub fn local_answer(&self) -> Option<WireResponse> {
        self.is_local().then(|| WireResponse {
            status: None,
            headers: Vec::new(),
            body: self.body.clone(),
        })
    }
}

impl fmt::Debug for WireRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Never the bytes: they carry card data in the clear (or decryptably).
        f.debug_struct("WireRequest")
            .field("target", &self.target)
            .field("body_len", &self.body.len())
            .field("view", &self.view)
            .finish()
    }
}

/// What came back.
#[derive(Clone)]
pub struct WireResponse {
    /// HTTP status (None for TCP).
    pub status: Option<u16>,
    /// HTTP headers (empty for TCP).
    pub headers: Vec<(String, String)>,
    /// The body, or the whole TCP frame (length prefix included).
    pub body: Vec<u8>,
}

impl fmt::Debug for WireResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WireResponse")
            .field("status", &self.status)
            .field("body_len", &self.body.len())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[test]
    fn into_value_takes_the_last_handle_and_copies_a_shared_one() {
        let lazy = WireView::lazy(|| json!({"A": 1}));
        let other = lazy.clone();
        assert_eq!(lazy.into_value(), json!({"A": 1}));
        assert_eq!(other.into_value(), json!({"A": 1}));
        assert_eq!(WireView::from(json!("x")).into_value(), json!("x"));
        assert_eq!(WireView::default().into_value(), Value::Null);
    }

    #[test]
    fn a_lazy_view_is_built_once_when_first_read() {
        static BUILT: AtomicUsize = AtomicUsize::new(0);
        let view = WireView::lazy(|| {
            BUILT.fetch_add(1, Ordering::SeqCst);
            json!({"CARD_NO": "451842******5678"})
        });
        let copy = view.clone();
        assert_eq!(BUILT.load(Ordering::SeqCst), 0, "nothing read yet");
        assert_eq!(view["CARD_NO"], "451842******5678");
        assert_eq!(copy["CARD_NO"], "451842******5678");
        assert_eq!(
            BUILT.load(Ordering::SeqCst),
            1,
            "clones share the built view"
        );
    }

    #[test]
    fn a_view_prints_and_serializes_as_its_value() {
        let value = json!({"header": {"COMMAND": "3040", "ORDER_ID": "o-1"}, "body": [1, "二"]});
        let v = value.clone();
        let lazy = WireView::lazy(move || v.clone());
        let ready = WireView::from(value.clone());
        for view in [&lazy, &ready] {
            assert_eq!(format!("{view:?}"), format!("{value:?}"));
            assert_eq!(format!("{view:#?}"), format!("{value:#?}"));
            assert_eq!(view.to_string(), value.to_string());
            assert_eq!(
                serde_json::to_string_pretty(view).unwrap(),
                serde_json::to_string_pretty(&value).unwrap()
            );
            assert_eq!(json!({"view": view}), json!({"view": value}));
            assert_eq!(**view, value);
        }
        assert_eq!(*WireView::default(), Value::Null);
    }

    #[test]
    fn a_local_request_carries_its_answer_and_no_url() {
        let w = WireRequest::local(
            "the window",
            b"{\"ACCOUNT_NUMBER\":\"562100\"}".to_vec(),
            json!({"ACCOUNT_NUMBER": "562100"}).into(),
        );
        assert!(w.is_local());
        assert_eq!(w.target.url_view(), None);
        let resp = w.local_answer().unwrap();
        assert_eq!((resp.status, resp.body), (None, w.body.clone()));
        assert!(format!("{w:?}").contains("Local { answered_by: \"the window\" }"));
        let tcp = WireRequest {
            target: WireTarget::Tcp {
                host: "h".into(),
                port: 1,
                framing: Framing::Fixed(4),
            },
            ..w
        };
        assert!(tcp.local_answer().is_none());
    }

    #[test]
    fn wire_request_debug_shows_the_view_never_the_bytes() {
        let w = WireRequest {
            target: WireTarget::Tcp {
                host: "127.0.0.1".into(),
                port: 1,
                framing: Framing::Fixed(4),
            },
            body: b"4518420012345678".to_vec(),
            view: WireView::lazy(|| json!({"CARD_NO": "451842******5678"})),
            read_timeout: None,
        };
        let dbg = format!("{w:?}");
        assert!(dbg.contains("451842******5678"), "{dbg}");
        assert!(!dbg.contains("4518420012345678"), "{dbg}");
    }
}
