//! A minimal HTTP/1.1 client for tests: enough to post deliveries and read status and body.

use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Longest a test request may take before the test fails.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// A response: status code and body text.
#[derive(Debug)]
pub struct Response {
    pub status: u16,
    pub body: String,
}

/// Send one request and read the whole response (`Connection: close`).
pub async fn request(
    port: u16,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> std::io::Result<Response> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).await?;
    let mut head = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).await?;
    stream.write_all(body).await?;
    let mut raw = Vec::new();
    tokio::time::timeout(REQUEST_TIMEOUT, stream.read_to_end(&mut raw))
        .await
        .map_err(|_| std::io::Error::other("request timed out"))??;
    let text = String::from_utf8_lossy(&raw);
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| std::io::Error::other(format!("no status line in {text:?}")))?;
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    Ok(Response { status, body })
}

/// POST a GitHub delivery signed with `secret`.
pub async fn post_github(
    port: u16,
    secret: &str,
    event: &str,
    delivery: &str,
    body: &[u8],
) -> Response {
    let sig = forgehand::ingress::github::sign(secret, body);
    request(
        port,
        "POST",
        "/webhooks/github",
        &[
            ("Content-Type", "application/json"),
            ("X-GitHub-Event", event),
            ("X-GitHub-Delivery", delivery),
            ("X-Hub-Signature-256", &sig),
        ],
        body,
    )
    .await
    .expect("request to forgehand")
}

/// POST a GitLab delivery with its token.
pub async fn post_gitlab(
    port: u16,
    token: &str,
    event: &str,
    delivery: &str,
    body: &[u8],
) -> Response {
    request(
        port,
        "POST",
        "/webhooks/gitlab",
        &[
            ("Content-Type", "application/json"),
            ("X-Gitlab-Event", event),
            ("X-Gitlab-Token", token),
            ("Idempotency-Key", delivery),
        ],
        body,
    )
    .await
    .expect("request to forgehand")
}
