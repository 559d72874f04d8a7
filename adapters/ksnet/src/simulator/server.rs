//! The listener: one task per connection; the first four bytes pick the interface.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use paymux_core::adapter::kst;
use paymux_core::simulator::SimulatorHandle;
use paymux_core::transport::parse_ascii_len;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpListener;

use super::http::{self, HttpError};
use super::{kspay, webfep, KsnetSimulator, Reply};
use crate::frame::webfep::envelope;
use crate::protocol::kspay::{LEN_WIDTH, MAX_BODY};
use crate::protocol::webfep::code;

/// How long a client may take to send its request.
const REQUEST_READ_TIMEOUT: Duration = Duration::from_secs(10);

/// Bind `addr` and serve until the handle is dropped.
pub async fn start(sim: Arc<KsnetSimulator>, addr: SocketAddr) -> std::io::Result<SimulatorHandle> {
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
                        tokio::spawn(serve(sim.clone(), stream));
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

fn now() -> String {
    chrono::Utc::now()
        .with_timezone(&kst())
        .format("%Y%m%d%H%M%S")
        .to_string()
}

/// What one connection asked for.
enum Incoming {
    Kspay(Vec<u8>),
    Http(Result<http::HttpRequest, HttpError>),
}

/// Serve one connection (a socket, or an in-memory stream for [`KsnetSimulator::respond`]).
pub(super) async fn serve<S: AsyncRead + AsyncWrite + Unpin>(
    sim: Arc<KsnetSimulator>,
    mut stream: S,
) {
    let read = async {
        let mut first = [0u8; LEN_WIDTH];
        stream.read_exact(&mut first).await.ok()?;
        if first.iter().all(u8::is_ascii_digit) {
            let len = parse_ascii_len(&first)?;
            if len > MAX_BODY {
                return None;
            }
            let mut frame = first.to_vec();
            frame.resize(LEN_WIDTH + len, 0);
            stream.read_exact(&mut frame[LEN_WIDTH..]).await.ok()?;
            Some(Incoming::Kspay(frame))
        } else if first[0].is_ascii_uppercase() {
            Some(Incoming::Http(
                http::read_request(&mut stream, &first).await,
            ))
        } else {
            None
        }
    };
    let Ok(Some(incoming)) = tokio::time::timeout(REQUEST_READ_TIMEOUT, read).await else {
        return; // cut short, too slow, oversized or neither protocol: close
    };
    match incoming {
        Incoming::Kspay(frame) => {
            let reply = sim.with_ledger(|l| kspay::handle(l, &frame, &now()));
            let bytes = match reply {
                Reply::Drop => return,
                Reply::Answer(b) => b,
                Reply::AnswerLate(b) => {
                    tokio::time::sleep(sim.late_delay()).await;
                    b
                }
            };
            // The client may have given up (late answers): a failed write is expected.
            let _ = stream.write_all(&bytes).await;
            let _ = stream.shutdown().await;
        }
        Incoming::Http(Err(HttpError::Closed)) => {}
        Incoming::Http(Err(e)) => {
            let (status, what) = match e {
                HttpError::TooLarge(what) => (413, what),
                HttpError::Malformed(what) => (400, what),
                HttpError::Closed => (400, "closed"),
            };
            let body = envelope(
                "WFVSIM-PROTOCOL",
                code::PROTOCOL_ERROR,
                &format!("protocol error: {what}"),
                None,
            );
            let _ = http::write_json(
                &mut stream,
                status,
                &serde_json::to_vec(&body).unwrap_or_default(),
            )
            .await;
        }
        Incoming::Http(Ok(req)) => {
            let reply = sim.with_ledger(|l| webfep::handle(l, &req, &now()));
            let (status, body) = match reply {
                Reply::Drop => return,
                Reply::Answer(a) => a,
                Reply::AnswerLate(a) => {
                    tokio::time::sleep(sim.late_delay()).await;
                    a
                }
            };
            let _ = http::write_json(&mut stream, status, &body).await;
        }
    }
}
