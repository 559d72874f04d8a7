//! The TCP side: accept, tell HTTP from telegrams by the first bytes, then either serve the
//! payment window ([`super::http`], [`super::window`]) or read one frame, answer (or not),
//! and close.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use paymux_core::adapter::{kst, Framing};
use paymux_core::simulator::SimulatorHandle;
use paymux_core::transport::read_frame;
use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpStream};

use super::handlers::{self, Reply};
use super::{
    GalaxiaSimulator, TEST_IV, TEST_KEY, TEST_MID, TEST_MID_AUTO_BILLING, TEST_MID_KEYED_IN,
};
use crate::frame::{split_frame, Cipher, Telegram};
use crate::protocol::sim;

/// How long a client may take to send its frame.
const REQUEST_READ_TIMEOUT: Duration = Duration::from_secs(10);

pub(super) async fn start(
    sim: Arc<GalaxiaSimulator>,
    addr: SocketAddr,
) -> std::io::Result<SimulatorHandle> {
    let listener = TcpListener::bind(addr).await?;
    let local_addr = listener.local_addr()?;
    let (tx, mut rx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(async move {
        loop {
            tokio::select! {
                _ = &mut rx => break,
                accepted = listener.accept() => {
                    let Ok((stream, _)) = accepted else { continue };
                    let sim = Arc::clone(&sim);
                    tokio::spawn(async move { serve(&sim, stream).await });
                }
            }
        }
    });
    Ok(SimulatorHandle {
        local_addr,
        shutdown: Some(tx),
    })
}

/// The key of a known test merchant.
pub(super) fn merchant_cipher(mid: &str) -> Option<Cipher> {
    [TEST_MID, TEST_MID_AUTO_BILLING, TEST_MID_KEYED_IN]
        .contains(&mid)
        .then(|| Cipher::from_text(TEST_KEY, TEST_IV).ok())
        .flatten()
}

/// Wait for the first four bytes without consuming them (`None`: closed or silent).
async fn peek4(stream: &TcpStream) -> Option<[u8; 4]> {
    let mut buf = [0u8; 4];
    let deadline = tokio::time::Instant::now() + REQUEST_READ_TIMEOUT;
    loop {
        let n = tokio::time::timeout_at(deadline, stream.peek(&mut buf))
            .await
            .ok()?
            .ok()?;
        if n == 0 {
            return None;
        }
        if n >= 4 {
            return Some(buf);
        }
        // Fewer than four bytes so far: give the peer a moment to send the rest.
        tokio::time::sleep(Duration::from_millis(5)).await;
        if tokio::time::Instant::now() >= deadline {
            return None;
        }
    }
}

async fn serve(sim: &GalaxiaSimulator, mut stream: TcpStream) {
    if let Some(first) = peek4(&stream).await {
        if super::http::looks_like_http(&first) {
            if let Some(req) = super::http::read_request(&mut stream).await {
                let resp = super::window::handle(sim, &req);
                super::http::write_response(&mut stream, &resp).await;
            }
            return;
        }
    }
    let framing = Framing::AsciiLengthPrefix { digits: 4 };
    let Ok(Ok(frame)) =
        tokio::time::timeout(REQUEST_READ_TIMEOUT, read_frame(&mut stream, framing)).await
    else {
        return; // cut short, too slow or oversized: close
    };
    let Ok(((_, mid, _), _)) = split_frame(&frame) else {
        return;
    };
    let Some(cipher) = merchant_cipher(&mid) else {
        tracing::debug!("galaxia simulator: unknown MID, closing");
        return;
    };
    let Ok(request) = Telegram::from_frame(&frame, &cipher) else {
        return; // does not decrypt with the merchant's key: nothing sensible to answer
    };
    let now = chrono::Utc::now()
        .with_timezone(&kst())
        .format("%Y%m%d%H%M%S")
        .to_string();
    let reply = if request.records.is_empty() {
        Reply::Answer(handlers::fail(
            &request,
            sim::INVALID_REQUEST,
            "telegram has no records",
        ))
    } else {
        sim.with_ledger(|ledger| handlers::handle(ledger, &request, &now))
    };
    let answer = match reply {
        Reply::Drop => return,
        Reply::Answer(t) => t,
        Reply::AnswerLate(t) => {
            tokio::time::sleep(sim.late_delay).await;
            t
        }
    };
    if let Ok(bytes) = answer.to_frame(&cipher) {
        // The client may have given up (late answers): a failed write is expected.
        let _ = stream.write_all(&bytes).await;
        let _ = stream.shutdown().await;
    }
}
