//! A minimal HTTP/1.1 server side for the WEBFEP simulator: one request per connection,
//! `Content-Length` bodies, `Connection: close` answers.
//!
//! Hand-written rather than a framework on purpose: the test cards need "close the
//! connection without any answer" (`…0099`) and "answer after the client gave up" (`…0098`),
//! and a framework always writes a status line first. Sizes are capped and every malformed
//! input is an [`HttpError`], never a panic.

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

/// Largest request head (request line + headers).
pub const MAX_HEAD: usize = 16 * 1024;
/// Largest request body.
pub const MAX_BODY: usize = 64 * 1024;

/// One request.
#[derive(Debug, Clone)]
pub struct HttpRequest {
    /// `POST`, ...
    pub method: String,
    /// The path (query string kept).
    pub path: String,
    /// Headers, names lower-cased.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
}

impl HttpRequest {
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
    /// The client closed before a whole request arrived.
    Closed,
    /// Head or body larger than allowed.
    TooLarge(&'static str),
    /// Not HTTP/1.x as this server speaks it.
    Malformed(&'static str),
}

/// Read one request whose first bytes (`first`) were already read to sniff the protocol.
pub async fn read_request<S: AsyncRead + Unpin>(
    stream: &mut S,
    first: &[u8],
) -> Result<HttpRequest, HttpError> {
    let mut buf = first.to_vec();
    let head_end = loop {
        if let Some(i) = find(&buf, b"\r\n\r\n") {
            break i;
        }
        if buf.len() > MAX_HEAD {
            return Err(HttpError::TooLarge("request head"));
        }
        let mut chunk = [0u8; 2048];
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
        return Err(HttpError::TooLarge("request head"));
    }
    let head = std::str::from_utf8(&buf[..head_end])
        .map_err(|_| HttpError::Malformed("head is not UTF-8"))?;
    let mut lines = head.split("\r\n");
    let request_line = lines.next().unwrap_or_default();
    let mut parts = request_line.split(' ');
    let (Some(method), Some(path), Some(version), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(HttpError::Malformed("request line"));
    };
    if !version.starts_with("HTTP/1.") || method.is_empty() || !path.starts_with('/') {
        return Err(HttpError::Malformed("request line"));
    }
    let mut headers = Vec::new();
    for line in lines {
        let (name, value) = line
            .split_once(':')
            .ok_or(HttpError::Malformed("header line"))?;
        headers.push((name.trim().to_ascii_lowercase(), value.trim().to_string()));
    }
    let request = HttpRequest {
        method: method.to_string(),
        path: path.to_string(),
        headers,
        body: Vec::new(),
    };
    if request
        .header("transfer-encoding")
        .is_some_and(|t| !t.eq_ignore_ascii_case("identity"))
    {
        return Err(HttpError::Malformed(
            "chunked bodies are not accepted: send Content-Length",
        ));
    }
    let len = match request.header("content-length") {
        None => 0,
        Some(v) => v
            .parse::<usize>()
            .map_err(|_| HttpError::Malformed("Content-Length"))?,
    };
    if len > MAX_BODY {
        return Err(HttpError::TooLarge("request body"));
    }
    let mut body = buf[head_end + 4..].to_vec();
    if body.len() > len {
        return Err(HttpError::Malformed("more bytes than Content-Length"));
    }
    let have = body.len();
    body.resize(len, 0);
    stream
        .read_exact(&mut body[have..])
        .await
        .map_err(|_| HttpError::Closed)?;
    Ok(HttpRequest { body, ..request })
}

/// Write one JSON answer and close.
pub async fn write_json<S: AsyncWrite + Unpin>(
    stream: &mut S,
    status: u16,
    body: &[u8],
) -> std::io::Result<()> {
    let reason = match status {
        200 => "OK",
        400 => "Bad Request",
        404 => "Not Found",
        405 => "Method Not Allowed",
        413 => "Payload Too Large",
        _ => "Error",
    };
    let head = format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: application/json;charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).await?;
    stream.write_all(body).await?;
    stream.flush().await?;
    stream.shutdown().await
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn reads_a_request_and_refuses_garbage() {
        let raw = b"POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\n{}";
        let mut rest: &[u8] = &raw[4..];
        let r = read_request(&mut rest, &raw[..4]).await.unwrap();
        assert_eq!(
            (r.method.as_str(), r.path.as_str(), r.body.as_slice()),
            ("POST", "/x", &b"{}"[..])
        );
        for bad in [
            &b"PO\r\n\r\n"[..],
            b"POST /x HTTP/1.1\r\nbad\r\n\r\n",
            b"POST /x HTTP/1.1\r\nContent-Length: 99999999\r\n\r\n",
        ] {
            let mut rest: &[u8] = &bad[4..];
            assert!(read_request(&mut rest, &bad[..4]).await.is_err());
        }
        let mut rest: &[u8] = b"";
        assert_eq!(
            read_request(&mut rest, b"POST").await.unwrap_err(),
            HttpError::Closed
        );
    }
}
