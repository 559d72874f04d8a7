//! The listener: one task per connection, one request per connection;
//! [`handlers::handle`](super::handlers::handle) decides what to answer, and when.

use std::net::SocketAddr;
use std::sync::Arc;

use paymux_core::adapter::kst;
use paymux_core::simulator::SimulatorHandle;
use tokio::net::{TcpListener, TcpStream};

use super::handlers::{self, error_body, Reply};
use super::http::{read_request, write_html, write_response, ReadError};
use super::SmartroSimulator;
use crate::protocol::sim;

/// Bind `addr` and serve until the handle is dropped.
pub async fn start(
    sim: Arc<SmartroSimulator>,
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
                    if let Ok((stream, _)) = accepted {
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

async fn serve(sim: Arc<SmartroSimulator>, mut stream: TcpStream) {
    let _ = stream.set_nodelay(true);
    let request = match read_request(&mut stream).await {
        Ok(r) => r,
        Err(ReadError::Gone) => return,
        Err(ReadError::Refuse(status, why)) => {
            let code = if status == 413 {
                sim::REQUEST_TOO_LARGE
            } else {
                sim::MALFORMED_REQUEST
            };
            write_response(&mut stream, status, &error_body(code, why)).await;
            return;
        }
    };
    let now = chrono::Utc::now().with_timezone(&kst());
    let reply = sim.with_ledger(|ledger| {
        handlers::handle(ledger, &request.method, &request.path, &request.body, &now)
    });
    match reply {
        Reply::Answer(status, body) => write_response(&mut stream, status, &body).await,
        Reply::AnswerLate(status, body) => {
            tokio::time::sleep(sim.late_delay()).await;
            write_response(&mut stream, status, &body).await;
        }
        Reply::Page(status, page) => write_html(&mut stream, status, &page).await,
        Reply::Drop => {
            tracing::debug!("smartro simulator: test card …0099, closing without an answer");
        }
    }
}
