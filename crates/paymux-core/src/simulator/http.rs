//! Just enough HTTP/1.1 for a simulator: one request per connection, `Content-Length` bodies
//! only, capped sizes, `Connection: close` answers.
//!
//! Hand-written rather than a framework on purpose: the test cards need "close the connection
//! without writing a byte" (`…0099`) and "answer after the client gave up" (`…0098`), and a
//! framework handler always answers something. Every malformed input is an [`HttpError`] (a
//! status and a reason the simulator turns into its vendor's error answer), never a panic.

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

/// Largest request head (request line + headers).
pub const MAX_HEAD: usize = 16 * 1024;
/// Largest request body (the PGs' requests and window forms are a few KiB).
pub const MAX_BODY: usize = 64 * 1024;

/// One request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// `POST`, `GET`, ...
    pub method: String,
    /// The path, query string removed.
    pub path: String,
    /// The query string (after `?`), empty when none.
    pub query: String,
    /// Headers in order, names lower-cased.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
}

impl Request {
    /// The first header named `name` (lower case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Why a request could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HttpError {
    /// The client closed (or stalled) before a whole request arrived: nobody to answer.
    Closed,
    /// Readable enough to answer: refuse with this HTTP status (400, 411, 413, 431, 505) and
    /// reason.
    Refused(u16, &'static str),
}

/// Read one request. `first` holds bytes already read from `stream` to tell HTTP from a
/// telegram (may be empty). Bounded in size; the caller bounds the time.
pub async fn read_request<S: AsyncRead + Unpin>(
    stream: &mut S,
    first: &[u8],
) -> Result<Request, HttpError> {
    let mut buf = first.to_vec();
    let head_end = loop {
        if let Some(i) = find(&buf, b"\r\n\r\n") {
            break i;
        }
        if buf.len() > MAX_HEAD {
            return Err(HttpError::Refused(431, "request head too large"));
        }
        let mut chunk = [0u8; 4096];
        let n = stream
            .read(&mut chunk)
            .await
            .map_err(|_| HttpError::Closed)?;
        if n == 0 {
            return Err(HttpError::Closed);
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    if head_end > MAX_HEAD {
        return Err(HttpError::Refused(431, "request head too large"));
    }
    let head = std::str::from_utf8(&buf[..head_end])
        .map_err(|_| HttpError::Refused(400, "request head is not UTF-8"))?;
    let mut lines = head.split("\r\n");
    let mut parts = lines.next().unwrap_or_default().split(' ');
    let (Some(method), Some(target), Some(version), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(HttpError::Refused(400, "bad request line"));
    };
    if method.is_empty() || !target.starts_with('/') {
        return Err(HttpError::Refused(400, "bad request line"));
    }
    if !version.starts_with("HTTP/1.") {
        return Err(HttpError::Refused(505, "HTTP/1.x only"));
    }
    let mut headers = Vec::new();
    for line in lines {
        let (name, value) = line
            .split_once(':')
            .ok_or(HttpError::Refused(400, "bad header line"))?;
        headers.push((name.trim().to_ascii_lowercase(), value.trim().to_string()));
    }
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let request = Request {
        method: method.to_string(),
        path: path.to_string(),
        query: query.to_string(),
        headers,
        body: Vec::new(),
    };
    if request
        .header("transfer-encoding")
        .is_some_and(|t| !t.eq_ignore_ascii_case("identity"))
    {
        return Err(HttpError::Refused(411, "send the body with Content-Length"));
    }
    let len = match request.header("content-length") {
        None => 0,
        Some(v) => v
            .parse::<usize>()
            .map_err(|_| HttpError::Refused(400, "bad Content-Length"))?,
    };
    if len > MAX_BODY {
        return Err(HttpError::Refused(413, "request body too large"));
    }
    let mut body = buf[head_end + 4..].to_vec();
    if body.len() > len {
        return Err(HttpError::Refused(400, "more bytes than Content-Length"));
    }
    let have = body.len();
    body.resize(len, 0);
    stream
        .read_exact(&mut body[have..])
        .await
        .map_err(|_| HttpError::Closed)?;
    Ok(Request { body, ..request })
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// One answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    /// Status code.
    pub status: u16,
    /// `Content-Type`.
    pub content_type: &'static str,
    /// Body.
    pub body: Vec<u8>,
}

impl Response {
    /// A JSON body.
    pub fn json(status: u16, body: Vec<u8>) -> Response {
        Response {
            status,
            content_type: "application/json;charset=UTF-8",
            body,
        }
    }

    /// An HTML page (a payment window).
    pub fn html(status: u16, page: String) -> Response {
        Response {
            status,
            content_type: "text/html;charset=UTF-8",
            body: page.into_bytes(),
        }
    }

    /// The whole answer as bytes: status line, headers, body.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = format!(
            "HTTP/1.1 {} {}\r\nContent-Type: {}\r\nContent-Length: {}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n",
            self.status,
            reason(self.status),
            self.content_type,
            self.body.len()
        )
        .into_bytes();
        out.extend_from_slice(&self.body);
        out
    }
}

/// The reason phrase of a status code.
pub fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        204 => "No Content",
        400 => "Bad Request",
        401 => "Unauthorized",
        404 => "Not Found",
        405 => "Method Not Allowed",
        410 => "Gone",
        411 => "Length Required",
        413 => "Payload Too Large",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        505 => "HTTP Version Not Supported",
        _ => "Error",
    }
}

/// Write `bytes` and close the sending side. The client may have given up (late answers):
/// a failed write is expected and not reported.
pub async fn write_and_close<S: AsyncWrite + Unpin>(stream: &mut S, bytes: &[u8]) {
    let _ = stream.write_all(bytes).await;
    let _ = stream.flush().await;
    let _ = stream.shutdown().await;
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn read(raw: &[u8]) -> Result<Request, HttpError> {
        let split = raw.len().min(4);
        let mut rest: &[u8] = &raw[split..];
        read_request(&mut rest, &raw[..split]).await
    }

    #[tokio::test]
    async fn reads_a_request_and_refuses_garbage_with_a_status() {
        let r = read(b"POST /x?a=1 HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\n{}")
            .await
            .unwrap();
        assert_eq!(
            (r.method.as_str(), r.path.as_str(), r.query.as_str()),
            ("POST", "/x", "a=1")
        );
        assert_eq!(
            (r.body.as_slice(), r.header("host")),
            (&b"{}"[..], Some("a"))
        );
        for (bad, status) in [
            (&b"PO\r\n\r\n"[..], 400),
            (b"POST /x HTTP/1.1\r\nbad\r\n\r\n", 400),
            (b"POST /x HTTP/2\r\n\r\n", 505),
            (b"POST /x HTTP/1.1\r\nContent-Length: 99999999\r\n\r\n", 413),
            (b"POST /x HTTP/1.1\r\nContent-Length: x\r\n\r\n", 400),
            (
                b"POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n",
                411,
            ),
            (b"POST /x HTTP/1.1\r\nContent-Length: 1\r\n\r\nab", 400),
            (b"POST /x HTTP/1.1\r\n\xff: y\r\n\r\n", 400),
        ] {
            match read(bad).await {
                Err(HttpError::Refused(s, _)) => assert_eq!(s, status, "{bad:?}"),
                other => panic!("{bad:?}: {other:?}"),
            }
        }
        let huge = [b"GET / HTTP/1.1\r\nX: ".as_slice(), &[b'a'; MAX_HEAD + 10]].concat();
        assert_eq!(
            read(&huge).await.unwrap_err(),
            HttpError::Refused(431, "request head too large")
        );
        assert_eq!(read(b"POST").await.unwrap_err(), HttpError::Closed);
        assert_eq!(
            read(b"POST /x HTTP/1.1\r\nContent-Length: 5\r\n\r\nab")
                .await
                .unwrap_err(),
            HttpError::Closed
        );
    }

    #[test]
    fn answers_close_the_connection() {
        let bytes = Response::json(413, b"{}".to_vec()).to_bytes();
        let text = String::from_utf8(bytes).unwrap();
        assert!(text.starts_with("HTTP/1.1 413 Payload Too Large\r\n"));
        assert!(text.contains(
            "Content-Length: 2\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n{}"
        ));
    }
}
