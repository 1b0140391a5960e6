//! A scripted HTTP/1.1 server on 127.0.0.1 for the HTTP, client, retry and fault tests, and the
//! operation the retry and fault tests run through `Runtime::invoke`.

// Each test crate uses a different part of it.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use bytes::Bytes;
use http::{Method, Response};
use s3_runtime::client::{Checksums, ClientConfig, Deserialize, Operation};
use s3_runtime::credentials::Credentials;
use s3_runtime::endpoint::{AuthScheme, Endpoint};
use s3_runtime::error::{ErrorMetadata, ResponseError};
use s3_runtime::rest::SerializedRequest;
use s3_runtime::retry::RetryConfig;
use s3_runtime::time::{DateTime, Format};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// What the server does with a request.
pub enum Reply {
    /// Writes these bytes, then waits for the next request on the connection.
    Raw(String),
    /// Writes these bytes, then closes the connection.
    RawThenClose(String),
    /// Closes the connection without answering.
    Close,
    /// Never answers, keeping the connection open until the client gives up.
    Hang,
    /// Writes the head at once, then the body one byte every `every`, then closes.
    Trickle {
        head: String,
        body: String,
        every: std::time::Duration,
    },
    /// Runs these steps in order, then, unless one of them ended the connection, waits for the
    /// next request on it.
    Steps(Vec<Step>),
}

/// One step of a [`Reply::Steps`] script.
pub enum Step {
    /// Writes these bytes.
    Write(Vec<u8>),
    /// Waits this long.
    Sleep(Duration),
    /// Closes the connection in order (FIN).
    Close,
    /// Aborts the connection: `SO_LINGER` 0, then close, so the client sees a TCP RST.
    Reset,
    /// Stops answering, keeping the connection open until the client closes it.
    Hang,
}

/// A [`Step::Write`] of `text`.
pub fn write(text: &str) -> Step {
    Step::Write(text.as_bytes().to_vec())
}

/// A connection reset (RST) without a byte of answer.
pub fn reset() -> Reply {
    Reply::Steps(vec![Step::Reset])
}

/// The head of a response whose `content-length` is `length`, without its body.
pub fn head(status: u16, length: usize) -> String {
    format!("HTTP/1.1 {status} Status\r\ncontent-length: {length}\r\n\r\n")
}

/// A complete response with a `Content-Length`.
pub fn respond(status: u16, headers: &[(&str, &str)], body: &str) -> Reply {
    let mut out = format!(
        "HTTP/1.1 {status} Status\r\ncontent-length: {}\r\n",
        body.len()
    );
    for (name, value) in headers {
        out.push_str(&format!("{name}: {value}\r\n"));
    }
    out.push_str("\r\n");
    out.push_str(body);
    Reply::Raw(out)
}

/// An S3-style XML error response.
pub fn error(status: u16, code: &str, headers: &[(&str, &str)]) -> Reply {
    let body = format!("<Error><Code>{code}</Code><Message>m</Message></Error>");
    respond(status, headers, &body)
}

type Handler = dyn Fn(usize, &str) -> Reply + Send + Sync;

/// A server answering each request with `handler(index, raw request)`, where `index` counts
/// requests from 0 across connections.
pub struct Server {
    addr: SocketAddr,
    requests: Arc<Mutex<Vec<(String, Instant)>>>,
    connections: Arc<AtomicUsize>,
    closed: Arc<AtomicUsize>,
}

impl Server {
    pub async fn start(handler: impl Fn(usize, &str) -> Reply + Send + Sync + 'static) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let requests = Arc::new(Mutex::new(Vec::new()));
        let connections = Arc::new(AtomicUsize::new(0));
        let closed = Arc::new(AtomicUsize::new(0));
        let handler: Arc<Handler> = Arc::new(handler);
        let (seen, opened, ended) = (requests.clone(), connections.clone(), closed.clone());
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                opened.fetch_add(1, Ordering::SeqCst);
                let (handler, seen, ended) = (handler.clone(), seen.clone(), ended.clone());
                tokio::spawn(async move {
                    serve(stream, handler, seen).await;
                    ended.fetch_add(1, Ordering::SeqCst);
                });
            }
        });
        Self {
            addr,
            requests,
            connections,
            closed,
        }
    }

    /// An `http://` URI to `path` on this server.
    pub fn uri(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The raw requests received so far (head and body).
    pub fn requests(&self) -> Vec<String> {
        let requests = self.requests.lock().unwrap();
        requests
            .iter()
            .map(|(request, _)| request.clone())
            .collect()
    }

    /// When each request received so far had arrived in full.
    pub fn arrivals(&self) -> Vec<Instant> {
        let requests = self.requests.lock().unwrap();
        requests.iter().map(|&(_, at)| at).collect()
    }

    /// The time between each request and the next: after a failed attempt, the retry's backoff
    /// plus the time the client took to fail and re-sign.
    pub fn gaps(&self) -> Vec<Duration> {
        let arrivals = self.arrivals();
        arrivals.windows(2).map(|w| w[1] - w[0]).collect()
    }

    /// The connections accepted so far.
    pub fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }

    /// The connections that have ended so far, by either side.
    pub fn closed(&self) -> usize {
        self.closed.load(Ordering::SeqCst)
    }
}

async fn serve(
    mut stream: TcpStream,
    handler: Arc<Handler>,
    seen: Arc<Mutex<Vec<(String, Instant)>>>,
) {
    let mut buf = Vec::new();
    loop {
        let Some(request) = read_request(&mut stream, &mut buf).await else {
            return;
        };
        let index = {
            let mut seen = seen.lock().unwrap();
            seen.push((request.clone(), Instant::now()));
            seen.len() - 1
        };
        match handler(index, &request) {
            Reply::Raw(bytes) => {
                if stream.write_all(bytes.as_bytes()).await.is_err() {
                    return;
                }
            }
            Reply::RawThenClose(bytes) => {
                let _ = stream.write_all(bytes.as_bytes()).await;
                return;
            }
            Reply::Close => return,
            Reply::Trickle { head, body, every } => {
                if stream.write_all(head.as_bytes()).await.is_err() {
                    return;
                }
                for byte in body.as_bytes() {
                    tokio::time::sleep(every).await;
                    if stream.write_all(&[*byte]).await.is_err() {
                        return;
                    }
                }
                return;
            }
            Reply::Hang => {
                // Returns when the client closes the connection.
                let _ = stream.read(&mut [0; 1024]).await;
                return;
            }
            Reply::Steps(steps) => {
                for step in steps {
                    match step {
                        Step::Write(bytes) => {
                            if stream.write_all(&bytes).await.is_err() {
                                return;
                            }
                        }
                        Step::Sleep(pause) => tokio::time::sleep(pause).await,
                        Step::Close => return,
                        Step::Reset => {
                            let _ = stream.set_zero_linger();
                            return;
                        }
                        Step::Hang => {
                            let _ = stream.read(&mut [0; 1024]).await;
                            return;
                        }
                    }
                }
            }
        }
    }
}

/// Reads one request (head and `content-length` body) from `stream`, keeping what follows in
/// `buf`; `None` at end of stream.
async fn read_request(stream: &mut TcpStream, buf: &mut Vec<u8>) -> Option<String> {
    let mut chunk = [0; 4096];
    loop {
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..end + 4]).into_owned();
            let length = head
                .lines()
                .filter_map(|line| line.split_once(':'))
                .find(|(name, _)| name.eq_ignore_ascii_case("content-length"))
                .map_or(0, |(_, value)| value.trim().parse::<usize>().unwrap());
            while buf.len() < end + 4 + length {
                let n = stream.read(&mut chunk).await.ok()?;
                if n == 0 {
                    return None;
                }
                buf.extend_from_slice(&chunk[..n]);
            }
            let request = String::from_utf8_lossy(&buf[..end + 4 + length]).into_owned();
            buf.drain(..end + 4 + length);
            return Some(request);
        }
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
}

// ---- The operation the retry and fault tests invoke. ----

/// A client configuration with static credentials and `retry`.
pub fn config(retry: RetryConfig) -> ClientConfig {
    ClientConfig::default()
        .credentials(Credentials::new("AKID", "SECRET", None, None))
        .retry(retry)
}

/// A `GET /` to `server`, signed with SigV4, whose output is the response body as text and
/// whose modeled error is the response's error code (`"none"` without one); like CopyObject,
/// its 200 responses may carry an `<Error>` body.
pub fn operation(server: &Server) -> Operation<'static, String, String> {
    let auth = AuthScheme::new("sigv4".to_owned())
        .signing_name("s3")
        .signing_region("us-east-1");
    Operation {
        name: "Test",
        bucket: None,
        error_in_success: true,
        request: SerializedRequest::new(Method::GET),
        checksums: Checksums::default(),
        endpoint: Endpoint::new(server.uri("")).with_auth_schemes([auth]),
        endpoint_in_region: None,
        deserialize: Deserialize::Buffered(|response: &Response<Bytes>| {
            String::from_utf8(response.body().to_vec()).map_err(|_| ResponseError::new("not UTF-8"))
        }),
        deserialize_error: |_: &Response<Bytes>, meta: &ErrorMetadata| {
            meta.code().unwrap_or("none").to_owned()
        },
    }
}

/// The signing time of a raw request, from its `x-amz-date` header.
pub fn signed_at(request: &str) -> SystemTime {
    let s = request
        .lines()
        .find_map(|l| l.strip_prefix("x-amz-date: "))
        .unwrap_or_else(|| panic!("no x-amz-date in {request}"));
    let rfc3339 = format!(
        "{}-{}-{}T{}:{}:{}Z",
        &s[0..4],
        &s[4..6],
        &s[6..8],
        &s[9..11],
        &s[11..13],
        &s[13..15]
    );
    DateTime::parse(&rfc3339, Format::DateTime).unwrap().into()
}

/// How far apart two instants are, whichever comes first.
pub fn distance(a: SystemTime, b: SystemTime) -> Duration {
    a.duration_since(b).unwrap_or_else(|e| e.duration())
}
