//! What a simulator sends on its own, as the real PG does: a virtual-account deposit notice or
//! a payment-status webhook, POSTed to a URL the test gives.

use std::time::Duration;

use super::Notice;

/// How long a notice may take to be delivered.
pub const NOTICE_TIMEOUT: Duration = Duration::from_secs(10);

/// What the receiver answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivered {
    /// HTTP status.
    pub status: u16,
    /// Body (the vendors expect a fixed acknowledgement such as `OK`).
    pub body: Vec<u8>,
}

/// POST `notice` to `url`. An error names what failed (bad URL, connection, timeout); any
/// HTTP status is returned for the caller to judge (a PG retries on a non-2xx).
pub async fn send(url: &str, notice: &Notice) -> Result<Delivered, String> {
    let client = reqwest::Client::builder()
        .timeout(NOTICE_TIMEOUT)
        .build()
        .map_err(|e| format!("notice client: {e}"))?;
    let mut req = client
        .post(url)
        .header(reqwest::header::CONTENT_TYPE, notice.content_type.as_str())
        .body(notice.body.clone());
    for (name, value) in &notice.headers {
        req = req.header(name.as_str(), value.as_str());
    }
    let resp = req
        .send()
        .await
        .map_err(|e| format!("notice to {url}: {e}"))?;
    let status = resp.status().as_u16();
    let body = resp
        .bytes()
        .await
        .map_err(|e| format!("notice answer from {url}: {e}"))?
        .to_vec();
    Ok(Delivered { status, body })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::simulator::http::Response;
    use crate::simulator::server::{deliver, listen, read_incoming, Incoming, Reply};
    use std::sync::{Arc, Mutex};

    #[tokio::test]
    async fn a_notice_arrives_with_its_headers_and_body() {
        let seen = Arc::new(Mutex::new(None));
        let got = Arc::clone(&seen);
        let receiver = listen("127.0.0.1:0".parse().unwrap(), move |mut s| {
            let got = Arc::clone(&got);
            async move {
                if let Some(Incoming::Http(Ok(req))) = read_incoming(&mut s, None).await {
                    *got.lock().unwrap() = Some(req);
                }
                let ok = Reply::Answer(Response::html(200, "OK".into()));
                deliver(&mut s, ok, Duration::ZERO, |r| r.to_bytes()).await;
            }
        })
        .await
        .unwrap();
        let notice = Notice {
            content_type: "application/x-www-form-urlencoded".into(),
            headers: vec![("X-Sim-Signature".into(), "abc".into())],
            body: b"Tid=T1&ResultCode=4110".to_vec(),
        };
        let url = format!("http://{}/notice?pg=x", receiver.local_addr);
        let d = send(&url, &notice).await.unwrap();
        assert_eq!((d.status, d.body.as_slice()), (200, &b"OK"[..]));
        let req = seen.lock().unwrap().take().unwrap();
        assert_eq!(
            (req.method.as_str(), req.path.as_str()),
            ("POST", "/notice")
        );
        assert_eq!(req.query, "pg=x");
        assert_eq!(req.header("x-sim-signature"), Some("abc"));
        assert_eq!(
            req.header("content-type"),
            Some("application/x-www-form-urlencoded")
        );
        assert_eq!(req.body, notice.body);
        drop(receiver);
        let err = send("not a url", &notice).await.unwrap_err();
        assert!(err.contains("not a url"), "{err}");
    }
}
