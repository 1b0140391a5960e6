//! A scripted HTTP/1.1 server on 127.0.0.1 for the HTTP and retry tests.

// Each test crate uses a different part of it.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

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
    requests: Arc<Mutex<Vec<String>>>,
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
        self.requests.lock().unwrap().clone()
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

async fn serve(mut stream: TcpStream, handler: Arc<Handler>, seen: Arc<Mutex<Vec<String>>>) {
    let mut buf = Vec::new();
    loop {
        let Some(request) = read_request(&mut stream, &mut buf).await else {
            return;
        };
        let index = {
            let mut seen = seen.lock().unwrap();
            seen.push(request.clone());
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
