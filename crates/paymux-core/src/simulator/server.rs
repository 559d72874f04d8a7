//! The socket side every simulator shares: a listener with one task per connection, one
//! request per connection (HTTP, or a length-prefixed telegram on the same port), and the
//! fault hooks of [`Reply`] — answer now, answer late, close without a byte, answer garbage.
//!
//! A simulator supplies one async function that serves a connection; inside it
//! [`read_incoming`] reads the request and [`deliver`] writes the answer the way the reply
//! asks. Streams are generic, so a simulator can also be driven in memory
//! (`tokio::io::duplex`) by tests and fuzzers.

use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite};
use tokio::net::{TcpListener, TcpStream};

use super::http::{self, HttpError, Request};
use super::SimulatorHandle;
use crate::transport::parse_ascii_len;

/// How long a client may take to send its whole request.
pub const REQUEST_READ_TIMEOUT: Duration = Duration::from_secs(10);

/// What to do with a connection once the request is handled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reply<T> {
    /// Answer now.
    Answer(T),
    /// Answer after the simulator's late delay (test card `…0098`: recorded, answered after
    /// the client's read timeout).
    AnswerLate(T),
    /// Close without writing a byte (test card `…0099`, unreadable input).
    Drop,
    /// Write these bytes instead of an answer, then close: a garbled answer, for testing a
    /// client's decoder against what a broken PG or middlebox sends.
    Garbage(Vec<u8>),
}

impl<T> Reply<T> {
    /// The same reply with its answer mapped.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Reply<U> {
        match self {
            Reply::Answer(t) => Reply::Answer(f(t)),
            Reply::AnswerLate(t) => Reply::AnswerLate(f(t)),
            Reply::Drop => Reply::Drop,
            Reply::Garbage(b) => Reply::Garbage(b),
        }
    }
}

/// Write `reply` to `stream` (its answer turned into bytes by `to_bytes`) and close; a late
/// answer waits `late_delay` first, a dropped one writes nothing.
pub async fn deliver<S, T>(
    stream: &mut S,
    reply: Reply<T>,
    late_delay: Duration,
    to_bytes: impl FnOnce(T) -> Vec<u8>,
) where
    S: AsyncWrite + Unpin,
{
    let bytes = match reply {
        Reply::Drop => return,
        Reply::Answer(t) => to_bytes(t),
        Reply::AnswerLate(t) => {
            tokio::time::sleep(late_delay).await;
            to_bytes(t)
        }
        Reply::Garbage(bytes) => bytes,
    };
    http::write_and_close(stream, &bytes).await;
}

/// Bind `addr` and serve each accepted connection with `serve` (its own task) until the
/// returned handle is dropped or shut down.
pub async fn listen<F, Fut>(addr: SocketAddr, serve: F) -> std::io::Result<SimulatorHandle>
where
    F: Fn(TcpStream) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    let listener = TcpListener::bind(addr).await?;
    let local_addr = listener.local_addr()?;
    let (tx, mut rx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(async move {
        loop {
            tokio::select! {
                _ = &mut rx => break,
                accepted = listener.accept() => {
                    if let Ok((stream, _)) = accepted {
                        let _ = stream.set_nodelay(true);
                        tokio::spawn(serve(stream));
                    }
                }
            }
        }
    });
    Ok(SimulatorHandle {
        local_addr,
        shutdown: Some(tx),
    })
}

/// How a telegram PG frames its messages on the simulator's port.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TelegramFraming {
    /// Width of the ASCII decimal length prefix (Galaxia and KSPay: 4).
    pub digits: usize,
    /// Largest body after the prefix.
    pub max_len: usize,
}

/// What one connection sent.
#[derive(Debug)]
pub enum Incoming {
    /// An HTTP request, or why it could not be read.
    Http(Result<Request, HttpError>),
    /// A whole telegram, length prefix included.
    Telegram(Vec<u8>),
}

/// Read the one request of a connection, within [`REQUEST_READ_TIMEOUT`]. With `telegrams`,
/// a connection starting with an ASCII digit is a length-prefixed telegram and one starting
/// with an upper-case letter (an HTTP method) is HTTP; without, everything is HTTP. `None`:
/// cut short, too slow, oversized, or neither protocol — close without answering.
pub async fn read_incoming<S: AsyncRead + Unpin>(
    stream: &mut S,
    telegrams: Option<TelegramFraming>,
) -> Option<Incoming> {
    let read = async {
        let Some(framing) = telegrams else {
            return Some(Incoming::Http(http::read_request(stream, &[]).await));
        };
        let mut first = vec![0u8; framing.digits.max(1)];
        stream.read_exact(&mut first).await.ok()?;
        if first.iter().all(u8::is_ascii_digit) {
            let len = parse_ascii_len(&first)?;
            if len > framing.max_len {
                return None;
            }
            let mut frame = first;
            frame.resize(framing.digits + len, 0);
            stream.read_exact(&mut frame[framing.digits..]).await.ok()?;
            Some(Incoming::Telegram(frame))
        } else if first[0].is_ascii_uppercase() {
            Some(Incoming::Http(http::read_request(stream, &first).await))
        } else {
            None
        }
    };
    tokio::time::timeout(REQUEST_READ_TIMEOUT, read)
        .await
        .ok()
        .flatten()
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::AsyncWriteExt;

    const FRAMING: TelegramFraming = TelegramFraming {
        digits: 4,
        max_len: 9999,
    };

    async fn incoming(input: &[u8], telegrams: Option<TelegramFraming>) -> Option<Incoming> {
        let mut rest = input;
        read_incoming(&mut rest, telegrams).await
    }

    #[tokio::test]
    async fn one_port_tells_telegrams_from_http() {
        match incoming(b"0003abcZZ", Some(FRAMING)).await {
            Some(Incoming::Telegram(f)) => assert_eq!(f, b"0003abc"),
            other => panic!("{other:?}"),
        }
        match incoming(b"GET / HTTP/1.1\r\n\r\n", Some(FRAMING)).await {
            Some(Incoming::Http(Ok(r))) => assert_eq!(r.path, "/"),
            other => panic!("{other:?}"),
        }
        assert!(incoming(b"\xff\xff\xff\xff", Some(FRAMING)).await.is_none());
        assert!(
            incoming(b"0005ab", Some(FRAMING)).await.is_none(),
            "cut short"
        );
        let small = TelegramFraming {
            digits: 4,
            max_len: 10,
        };
        assert!(incoming(b"0011abcdefghijk", Some(small)).await.is_none());
        match incoming(b"POST /a HTTP/1.1\r\n\r\n", None).await {
            Some(Incoming::Http(Ok(r))) => assert_eq!(r.method, "POST"),
            other => panic!("{other:?}"),
        }
    }

    async fn served(reply: Reply<&'static str>, delay: Duration) -> (Vec<u8>, Duration) {
        let (mut client, mut server) = tokio::io::duplex(1024);
        let started = tokio::time::Instant::now();
        tokio::spawn(async move {
            deliver(&mut server, reply, delay, |s| s.as_bytes().to_vec()).await;
        });
        let mut out = Vec::new();
        let _ = client.read_to_end(&mut out).await;
        (out, started.elapsed())
    }

    #[tokio::test(start_paused = true)]
    async fn fault_hooks_answer_late_drop_and_garble() {
        let delay = Duration::from_secs(5);
        let (now, t) = served(Reply::Answer("ok"), delay).await;
        assert_eq!((now.as_slice(), t < delay), (&b"ok"[..], true));
        let (late, t) = served(Reply::AnswerLate("ok"), delay).await;
        assert_eq!((late.as_slice(), t >= delay), (&b"ok"[..], true));
        let (dropped, _) = served(Reply::Drop, delay).await;
        assert!(dropped.is_empty());
        let (garbage, _) = served(Reply::Garbage(vec![0xff, 0x00]), delay).await;
        assert_eq!(garbage, [0xff, 0x00]);
        assert_eq!(Reply::Answer(2).map(|n| n * 2), Reply::Answer(4));
    }

    #[tokio::test]
    async fn the_listener_serves_each_connection_and_stops_on_shutdown() {
        let mut handle = listen(
            "127.0.0.1:0".parse().unwrap(),
            |mut s: TcpStream| async move {
                let reply = match read_incoming(&mut s, Some(FRAMING)).await {
                    Some(Incoming::Telegram(f)) => Reply::Answer(f),
                    _ => Reply::Drop,
                };
                deliver(&mut s, reply, Duration::ZERO, |f| f).await;
            },
        )
        .await
        .unwrap();
        let mut c = TcpStream::connect(handle.local_addr).await.unwrap();
        c.write_all(b"0002hi").await.unwrap();
        let mut out = Vec::new();
        c.read_to_end(&mut out).await.unwrap();
        assert_eq!(out, b"0002hi");
        handle.shutdown();
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert!(TcpStream::connect(handle.local_addr).await.is_err());
    }
}
