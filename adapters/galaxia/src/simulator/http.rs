//! The simulator's HTTP side: just enough HTTP/1.1 to serve the payment window to a browser.
//!
//! The simulator has one port. A connection whose first bytes are an HTTP method (`GET `,
//! `POST `, `HEAD `) is HTTP; anything else is a BillGate telegram (which starts with its
//! 4-digit length). One request per connection (`Connection: close`), bodies by
//! `Content-Length` only, bounded sizes and read times. Nothing here panics on bad input.

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Largest header block accepted.
const MAX_HEAD: usize = 16 * 1024;
/// Largest body accepted (a window form is a few hundred bytes).
const MAX_BODY: usize = 64 * 1024;
/// How long a browser may take to send its request.
const READ_TIMEOUT: Duration = Duration::from_secs(10);

/// Whether the first four bytes of a connection are an HTTP method.
pub(super) fn looks_like_http(first: &[u8]) -> bool {
    matches!(first, b"GET " | b"POST" | b"HEAD")
}

/// One parsed request.
#[derive(Debug)]
pub(super) struct Request {
    /// `GET`, `POST`, ...
    pub method: String,
    /// The path without the query string.
    pub path: String,
    /// The body (form bytes).
    pub body: Vec<u8>,
}

/// An answer.
#[derive(Debug)]
pub(super) struct Response {
    /// Status code.
    pub status: u16,
    /// `Content-Type`.
    pub content_type: &'static str,
    /// Body.
    pub body: Vec<u8>,
}

impl Response {
    /// An HTML page.
    pub fn html(status: u16, body: String) -> Response {
        Response {
            status,
            content_type: "text/html; charset=utf-8",
            body: body.into_bytes(),
        }
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        400 => "Bad Request",
        404 => "Not Found",
        405 => "Method Not Allowed",
        410 => "Gone",
        413 => "Payload Too Large",
        _ => "Error",
    }
}

/// Read one request. `None` when the peer sent something unreadable, too large or too slow.
pub(super) async fn read_request(stream: &mut TcpStream) -> Option<Request> {
    tokio::time::timeout(READ_TIMEOUT, read_inner(stream))
        .await
        .ok()
        .flatten()
}

async fn read_inner(stream: &mut TcpStream) -> Option<Request> {
    let mut buf = Vec::with_capacity(2048);
    let head_end = loop {
        if let Some(i) = find(&buf, b"\r\n\r\n") {
            break i;
        }
        if buf.len() > MAX_HEAD {
            return None;
        }
        let mut chunk = [0u8; 2048];
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = std::str::from_utf8(&buf[..head_end]).ok()?;
    let mut lines = head.split("\r\n");
    let mut first = lines.next()?.split(' ');
    let method = first.next()?.to_string();
    let target = first.next()?;
    let path = target.split('?').next().unwrap_or("/").to_string();
    let mut length = 0usize;
    for line in lines {
        let (name, value) = line.split_once(':')?;
        if name.trim().eq_ignore_ascii_case("content-length") {
            length = value.trim().parse().ok()?;
        }
        if name.trim().eq_ignore_ascii_case("transfer-encoding") {
            return None; // chunked bodies are not needed by a browser form post
        }
    }
    if length > MAX_BODY {
        return None;
    }
    let mut body = buf[head_end + 4..].to_vec();
    while body.len() < length {
        let mut chunk = vec![0u8; (length - body.len()).min(8192)];
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        body.extend_from_slice(&chunk[..n]);
    }
    body.truncate(length);
    Some(Request { method, path, body })
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Write `resp` and close.
pub(super) async fn write_response(stream: &mut TcpStream, resp: &Response) {
    let head = format!(
        "HTTP/1.1 {} {}\r\nContent-Type: {}\r\nContent-Length: {}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n",
        resp.status,
        reason(resp.status),
        resp.content_type,
        resp.body.len()
    );
    // The browser may have gone away: a failed write is nothing to report.
    let _ = stream.write_all(head.as_bytes()).await;
    let _ = stream.write_all(&resp.body).await;
    let _ = stream.shutdown().await;
}

/// Escape text for HTML content and attribute values.
pub(super) fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http_is_told_from_telegrams() {
        assert!(looks_like_http(b"GET "));
        assert!(looks_like_http(b"POST"));
        assert!(looks_like_http(b"HEAD"));
        assert!(!looks_like_http(b"0123"));
        assert!(!looks_like_http(b"zzzz"));
        assert!(!looks_like_http(b""));
        assert!(!looks_like_http(&[0xff; 4]));
    }

    #[test]
    fn escapes_markup() {
        assert_eq!(
            esc("<a href=\"x\">&'"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
    }
}
