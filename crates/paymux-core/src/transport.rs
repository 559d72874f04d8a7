//! Transports move an adapter's bytes: HTTP (reqwest + rustls) and raw TCP (tokio).
//!
//! The one distinction that matters for money: did any byte leave? A failure before that
//! ([`TransportError::NotSent`]) is certainly not a charge; after it
//! ([`TransportError::SentNoAnswer`]) the outcome is unknown and must be resolved by inquiry.

use async_trait::async_trait;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::adapter::{Framing, WireRequest, WireResponse, WireTarget};

/// Largest response accepted from a PG. Vendor answers are a few KiB; anything bigger is
/// garbage or hostile and must not exhaust memory.
pub const MAX_RESPONSE_BYTES: usize = 1 << 20;

/// Connect and read timeouts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    /// Time allowed to open the connection (nothing is sent before it succeeds).
    pub connect: Duration,
    /// Time allowed for the answer once the request was sent.
    pub read: Duration,
}

impl Default for Timeouts {
    /// 2 s connect (Galaxia's sample), 20 s read (Galaxia's default).
    fn default() -> Self {
        Timeouts {
            connect: Duration::from_secs(2),
            read: Duration::from_secs(20),
        }
    }
}

/// Why an exchange failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransportError {
    /// Nothing was sent (DNS, connection refused, connect timeout, TLS handshake).
    #[error("not sent: {0}")]
    NotSent(String),
    /// Bytes were sent but no complete answer came back.
    #[error("sent, no answer: {0}")]
    SentNoAnswer(String),
    /// The request cannot be sent by this transport (e.g. a browser form).
    #[error("not sendable: {0}")]
    NotSendable(String),
}

impl TransportError {
    /// The same error with `secret` masked wherever its text quotes it (reqwest's errors
    /// name the URL, and a URL may carry a billing key).
    pub fn masking(self, secret: Option<&crate::secret::Secret<String>>) -> Self {
        use crate::adapter::message::mask_in;
        match self {
            TransportError::NotSent(t) => TransportError::NotSent(mask_in(&t, secret)),
            TransportError::SentNoAnswer(t) => TransportError::SentNoAnswer(mask_in(&t, secret)),
            TransportError::NotSendable(t) => TransportError::NotSendable(mask_in(&t, secret)),
        }
    }
}

/// Moves bytes for adapters. Cross-cutting behavior (retries, metrics) wraps a transport from
/// outside, tower-style; adapters never re-implement it.
#[async_trait]
pub trait Transport: Send + Sync {
    /// Send one request, return the raw response.
    async fn send(
        &self,
        req: &WireRequest,
        timeouts: Timeouts,
    ) -> Result<WireResponse, TransportError>;
}

/// The network transport: HTTP via reqwest + rustls, TCP via tokio.
///
/// An adapter may recommend a read timeout ([`WireRequest::read_timeout`], what the vendor's
/// sample waits); by default it replaces the caller's. A caller whose read timeout was chosen
/// explicitly (a configured gateway, a test that wants a short wait) says so once with
/// [`NetTransport::caller_read_wins`], and then its [`Timeouts::read`] is used for every request.
#[derive(Clone)]
pub struct NetTransport {
    http: reqwest::Client,
    caller_read_wins: bool,
}

impl NetTransport {
    /// Build with a fresh HTTP client (rustls, no OpenSSL).
    pub fn new() -> Self {
        let http = reqwest::Client::builder()
            .use_rustls_tls()
            .build()
            .unwrap_or_else(|_| reqwest::Client::new());
        NetTransport {
            http,
            caller_read_wins: false,
        }
    }

    /// Whether the caller's read timeout wins over an adapter's recommended one: `true` when
    /// the caller set its read timeout explicitly.
    pub fn caller_read_wins(mut self, yes: bool) -> Self {
        self.caller_read_wins = yes;
        self
    }
}

impl Default for NetTransport {
    fn default() -> Self {
        Self::new()
    }
}

#[async_trait]
impl Transport for NetTransport {
    async fn send(
        &self,
        req: &WireRequest,
        timeouts: Timeouts,
    ) -> Result<WireResponse, TransportError> {
        let timeouts = match req.read_timeout {
            Some(recommended) if !self.caller_read_wins => Timeouts {
                read: recommended,
                ..timeouts
            },
            _ => timeouts,
        };
        match &req.target {
            WireTarget::Tcp {
                host,
                port,
                framing,
            } => tcp_exchange(host, *port, *framing, &req.body, timeouts).await,
            WireTarget::Http {
                method,
                url,
                headers,
                url_secret,
            } => self
                .http_exchange(method, url, headers, &req.body, timeouts)
                .await
                .map_err(|e| e.masking(url_secret.as_ref())),
            WireTarget::Browser { .. } => Err(TransportError::NotSendable(
                "a payment-window form is posted by the browser, not the server".into(),
            )),
            // Its answer is already here; nothing may leave (the executor never sends it).
            WireTarget::Local { answered_by } => Err(TransportError::NotSendable(format!(
                "nothing to send: answered already by {answered_by}"
            ))),
        }
    }
}

impl NetTransport {
    async fn http_exchange(
        &self,
        method: &str,
        url: &str,
        headers: &[crate::adapter::Header],
        body: &[u8],
        timeouts: Timeouts,
    ) -> Result<WireResponse, TransportError> {
        let method = reqwest::Method::from_bytes(method.as_bytes())
            .map_err(|_| TransportError::NotSendable(format!("bad HTTP method {method}")))?;
        let mut rb = self
            .http
            .request(method, url)
            .timeout(timeouts.connect + timeouts.read)
            .body(body.to_vec());
        for h in headers {
            rb = rb.header(&h.name, &h.value);
        }
        // Connect separately bounded: reqwest's per-request timeout covers the whole exchange.
        let resp = match tokio::time::timeout(timeouts.connect + timeouts.read, rb.send()).await {
            Err(_) => return Err(TransportError::SentNoAnswer("timed out".into())),
            Ok(Err(e)) if e.is_connect() || e.is_builder() => {
                return Err(TransportError::NotSent(http_error_text(&e)))
            }
            Ok(Err(e)) => return Err(TransportError::SentNoAnswer(http_error_text(&e))),
            Ok(Ok(r)) => r,
        };
        let status = resp.status().as_u16();
        let headers = resp
            .headers()
            .iter()
            .map(|(k, v)| {
                (
                    k.to_string(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect();
        let mut body = Vec::new();
        let mut resp = resp;
        loop {
            match resp.chunk().await {
                Ok(Some(c)) => {
                    if body.len() + c.len() > MAX_RESPONSE_BYTES {
                        return Err(TransportError::SentNoAnswer(format!(
                            "response larger than {MAX_RESPONSE_BYTES} bytes"
                        )));
                    }
                    body.extend_from_slice(&c);
                }
                Ok(None) => break,
                Err(e) => return Err(TransportError::SentNoAnswer(http_error_text(&e))),
            }
        }
        Ok(WireResponse {
            status: Some(status),
            headers,
            body,
        })
    }
}

fn http_error_text(e: &reqwest::Error) -> String {
    // reqwest's Display includes the URL, never the body.
    let mut s = e.to_string();
    let mut src = std::error::Error::source(e);
    while let Some(inner) = src {
        s.push_str(": ");
        s.push_str(&inner.to_string());
        src = inner.source();
    }
    s
}

/// One TCP exchange: connect, write the whole frame, read one framed answer, close.
pub async fn tcp_exchange(
    host: &str,
    port: u16,
    framing: Framing,
    frame: &[u8],
    timeouts: Timeouts,
) -> Result<WireResponse, TransportError> {
    let addr = format!("{host}:{port}");
    let mut stream = match tokio::time::timeout(timeouts.connect, TcpStream::connect(&addr)).await {
        Err(_) => {
            return Err(TransportError::NotSent(format!(
                "connect to {addr} timed out"
            )))
        }
        Ok(Err(e)) => return Err(TransportError::NotSent(format!("connect to {addr}: {e}"))),
        Ok(Ok(s)) => s,
    };
    let _ = stream.set_nodelay(true);
    // From here on a byte may have left: every failure is "sent, no answer".
    let exchange = async {
        stream
            .write_all(frame)
            .await
            .map_err(|e| format!("write: {e}"))?;
        stream.flush().await.map_err(|e| format!("flush: {e}"))?;
        read_frame(&mut stream, framing).await
    };
    match tokio::time::timeout(timeouts.read, exchange).await {
        Err(_) => Err(TransportError::SentNoAnswer(format!(
            "no answer from {addr} within {} ms",
            timeouts.read.as_millis()
        ))),
        Ok(Err(e)) => Err(TransportError::SentNoAnswer(e)),
        Ok(Ok(body)) => Ok(WireResponse {
            status: None,
            headers: Vec::new(),
            body,
        }),
    }
}

/// Read one frame from a stream. Returns the whole frame (prefix included).
pub async fn read_frame<R: AsyncReadExt + Unpin>(
    r: &mut R,
    framing: Framing,
) -> Result<Vec<u8>, String> {
    match framing {
        Framing::Fixed(n) => {
            if n > MAX_RESPONSE_BYTES {
                return Err(format!("frame of {n} bytes exceeds the limit"));
            }
            let mut buf = vec![0u8; n];
            r.read_exact(&mut buf)
                .await
                .map_err(|e| format!("read {n}-byte frame: {e}"))?;
            Ok(buf)
        }
        Framing::AsciiLengthPrefix { digits } => {
            let mut prefix = vec![0u8; digits];
            r.read_exact(&mut prefix)
                .await
                .map_err(|e| format!("read length prefix: {e}"))?;
            let len = parse_ascii_len(&prefix)
                .ok_or_else(|| "length prefix is not decimal digits".to_string())?;
            if len > MAX_RESPONSE_BYTES {
                return Err(format!("frame length {len} exceeds the limit"));
            }
            let mut frame = prefix;
            frame.resize(digits + len, 0);
            r.read_exact(&mut frame[digits..])
                .await
                .map_err(|e| format!("read {len}-byte frame body: {e}"))?;
            Ok(frame)
        }
    }
}

/// Parse an ASCII decimal length (no sign, no spaces).
pub fn parse_ascii_len(b: &[u8]) -> Option<usize> {
    if b.is_empty() || !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    std::str::from_utf8(b).ok()?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::net::TcpListener;

    fn tcp_req(port: u16, frame: &[u8]) -> WireRequest {
        WireRequest {
            target: WireTarget::Tcp {
                host: "127.0.0.1".into(),
                port,
                framing: Framing::AsciiLengthPrefix { digits: 4 },
            },
            body: frame.to_vec(),
            view: serde_json::Value::Null.into(),
            read_timeout: None,
        }
    }

    fn quick() -> Timeouts {
        Timeouts {
            connect: Duration::from_millis(500),
            read: Duration::from_millis(300),
        }
    }

    #[tokio::test]
    async fn refused_connection_is_not_sent() {
        // Bind then drop to get a port nobody listens on.
        let port = TcpListener::bind("127.0.0.1:0")
            .await
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let e = NetTransport::new()
            .send(&tcp_req(port, b"0002hi"), quick())
            .await
            .unwrap_err();
        assert!(matches!(e, TransportError::NotSent(_)), "{e:?}");
    }

    #[tokio::test]
    async fn framed_answer_is_read_whole() {
        let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = l.local_addr().unwrap().port();
        tokio::spawn(async move {
            let (mut s, _) = l.accept().await.unwrap();
            let got = read_frame(&mut s, Framing::AsciiLengthPrefix { digits: 4 })
                .await
                .unwrap();
            assert_eq!(got, b"0002hi");
            s.write_all(b"0005hello").await.unwrap();
        });
        let r = NetTransport::new()
            .send(&tcp_req(port, b"0002hi"), quick())
            .await
            .unwrap();
        assert_eq!(r.body, b"0005hello");
    }

    #[tokio::test]
    async fn silence_and_closed_connections_are_sent_no_answer() {
        let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = l.local_addr().unwrap().port();
        tokio::spawn(async move {
            // First: accept and stay silent. Second: accept and close. Third: truncated frame.
            let (_silent, _) = l.accept().await.unwrap();
            let (closed, _) = l.accept().await.unwrap();
            drop(closed);
            let (mut t, _) = l.accept().await.unwrap();
            t.write_all(b"0010abc").await.unwrap();
            drop(t);
            tokio::time::sleep(Duration::from_secs(2)).await;
        });
        let t = NetTransport::new();
        for _ in 0..3 {
            let e = t
                .send(&tcp_req(port, b"0002hi"), quick())
                .await
                .unwrap_err();
            assert!(matches!(e, TransportError::SentNoAnswer(_)), "{e:?}");
        }
    }

    #[tokio::test]
    async fn an_explicit_caller_read_timeout_wins_over_the_adapters() {
        // A PG that answers after 600 ms; the adapter recommends waiting 5 s, the caller 300 ms.
        let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = l.local_addr().unwrap().port();
        tokio::spawn(async move {
            loop {
                let (mut s, _) = l.accept().await.unwrap();
                tokio::spawn(async move {
                    let _ = read_frame(&mut s, Framing::AsciiLengthPrefix { digits: 4 }).await;
                    tokio::time::sleep(Duration::from_millis(600)).await;
                    let _ = s.write_all(b"0002ok").await;
                });
            }
        });
        let mut req = tcp_req(port, b"0002hi");
        req.read_timeout = Some(Duration::from_secs(5));
        // Default: the adapter's recommendation is used, so the late answer arrives.
        let r = NetTransport::new().send(&req, quick()).await.unwrap();
        assert_eq!(r.body, b"0002ok");
        // The caller's explicit 300 ms wins: no answer in time.
        let explicit = NetTransport::new().caller_read_wins(true);
        let e = explicit.send(&req, quick()).await.unwrap_err();
        assert!(matches!(e, TransportError::SentNoAnswer(_)), "{e:?}");
        // Without a recommendation the caller's timeout applies either way.
        req.read_timeout = None;
        let e = NetTransport::new().send(&req, quick()).await.unwrap_err();
        assert!(matches!(e, TransportError::SentNoAnswer(_)), "{e:?}");
    }

    #[tokio::test]
    async fn oversized_or_garbage_prefix_is_refused_without_allocating() {
        let mut r: &[u8] = b"9999999";
        assert!(read_frame(&mut r, Framing::AsciiLengthPrefix { digits: 7 })
            .await
            .is_err());
        let mut r: &[u8] = b"12a4xxxx";
        assert!(read_frame(&mut r, Framing::AsciiLengthPrefix { digits: 4 })
            .await
            .is_err());
    }

    #[tokio::test]
    async fn http_refused_is_not_sent() {
        let port = TcpListener::bind("127.0.0.1:0")
            .await
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let req = WireRequest {
            target: WireTarget::Http {
                method: "POST".into(),
                url: format!("http://127.0.0.1:{port}/v1/billing/bk_secret_in_path"),
                headers: vec![],
                url_secret: None,
            },
            body: b"{}".to_vec(),
            view: serde_json::Value::Null.into(),
            read_timeout: None,
        }
        .with_url_secret(crate::secret::Secret::new("bk_secret_in_path".into()));
        let e = NetTransport::new().send(&req, quick()).await.unwrap_err();
        assert!(matches!(e, TransportError::NotSent(_)), "{e:?}");
        // reqwest's error names the URL: the billing key in its path comes out masked, and so
        // it does in the request's Debug.
        for shown in [e.to_string(), format!("{req:?}")] {
            assert!(!shown.contains("bk_secret_in_path"), "{shown}");
        }
        assert!(format!("{req:?}").contains("/v1/billing/*****************"));
        assert!(e.to_string().contains("127.0.0.1"), "{e}");
    }
}
