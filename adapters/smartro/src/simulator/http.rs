//! A deliberately small HTTP/1.1 server side: one request per connection, `Content-Length`
//! bodies only, capped sizes, `Connection: close` answers.
//!
//! Why not axum: the test-card convention needs "close the connection without writing a
//! byte" (`…0099`) and "answer after the client gave up" (`…0098`). A handler of a framework
//! always answers something; owning the socket makes both exact, and keeps every malformed
//! input an error answer or a clean close — never a panic.

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Largest request head (request line + headers).
pub const MAX_HEAD: usize = 16 * 1024;
/// Largest request body: Smartro's requests are a few KiB.
pub const MAX_BODY: usize = 64 * 1024;
/// How long a client may take to send its request.
pub const READ_TIMEOUT: Duration = Duration::from_secs(10);

/// One parsed request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// `POST`, `GET`, …
    pub method: String,
    /// The path, query removed.
    pub path: String,
    /// The body.
    pub body: Vec<u8>,
}

/// Why a request could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReadError {
    /// The connection closed, stalled or sent garbage: close without answering.
    Gone,
    /// Readable but refused with this status (400, 411, 413, 505) and reason.
    Refuse(u16, &'static str),
}

/// Read one request from `stream` (bounded in size and time).
pub async fn read_request(stream: &mut TcpStream) -> Result<Request, ReadError> {
    match tokio::time::timeout(READ_TIMEOUT, read_inner(stream)).await {
        Ok(r) => r,
        Err(_) => Err(ReadError::Gone),
    }
}

async fn read_inner(stream: &mut TcpStream) -> Result<Request, ReadError> {
    let mut buf: Vec<u8> = Vec::with_capacity(4096);
    let head_end = loop {
        if let Some(i) = find(&buf, b"\r\n\r\n") {
            break i;
        }
        if buf.len() > MAX_HEAD {
            return Err(ReadError::Refuse(431, "request head too large"));
        }
        let mut chunk = [0u8; 4096];
        let n = stream.read(&mut chunk).await.map_err(|_| ReadError::Gone)?;
        if n == 0 {
            return Err(ReadError::Gone);
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = std::str::from_utf8(&buf[..head_end])
        .map_err(|_| ReadError::Refuse(400, "request head is not text"))?;
    let mut lines = head.split("\r\n");
    let request_line = lines.next().unwrap_or_default();
    let mut parts = request_line.split(' ');
    let (Some(method), Some(target), Some(version)) = (parts.next(), parts.next(), parts.next())
    else {
        return Err(ReadError::Refuse(400, "bad request line"));
    };
    if !version.starts_with("HTTP/1.") {
        return Err(ReadError::Refuse(505, "HTTP/1.x only"));
    }
    let mut length: Option<usize> = None;
    for line in lines {
        let Some((name, value)) = line.split_once(':') else {
            return Err(ReadError::Refuse(400, "bad header line"));
        };
        let name = name.trim().to_ascii_lowercase();
        let value = value.trim();
        if name == "content-length" {
            length = Some(
                value
                    .parse()
                    .map_err(|_| ReadError::Refuse(400, "bad Content-Length"))?,
            );
        } else if name == "transfer-encoding" && !value.eq_ignore_ascii_case("identity") {
            return Err(ReadError::Refuse(411, "Content-Length required"));
        }
    }
    let length = length.unwrap_or(0);
    if length > MAX_BODY {
        return Err(ReadError::Refuse(413, "request body too large"));
    }
    let mut body = buf[head_end + 4..].to_vec();
    if body.len() > length {
        body.truncate(length);
    }
    while body.len() < length {
        let mut chunk = vec![0u8; (length - body.len()).min(16 * 1024)];
        let n = stream.read(&mut chunk).await.map_err(|_| ReadError::Gone)?;
        if n == 0 {
            return Err(ReadError::Gone);
        }
        body.extend_from_slice(&chunk[..n]);
    }
    let path = target.split('?').next().unwrap_or_default().to_string();
    Ok(Request {
        method: method.to_string(),
        path,
        body,
    })
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Write a complete JSON answer and close.
pub async fn write_response(stream: &mut TcpStream, status: u16, body: &[u8]) {
    write_typed(stream, status, "application/json;charset=UTF-8", body).await;
}

/// Write a complete HTML page (the payment window) and close.
pub async fn write_html(stream: &mut TcpStream, status: u16, page: &str) {
    write_typed(stream, status, "text/html;charset=UTF-8", page.as_bytes()).await;
}

async fn write_typed(stream: &mut TcpStream, status: u16, content_type: &str, body: &[u8]) {
    let reason = match status {
        200 => "OK",
        400 => "Bad Request",
        404 => "Not Found",
        405 => "Method Not Allowed",
        411 => "Length Required",
        410 => "Gone",
        413 => "Payload Too Large",
        431 => "Request Header Fields Too Large",
        505 => "HTTP Version Not Supported",
        _ => "Error",
    };
    let head = format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    // The client may have given up (late answers): a failed write is expected.
    let _ = stream.write_all(head.as_bytes()).await;
    let _ = stream.write_all(body).await;
    let _ = stream.shutdown().await;
}
