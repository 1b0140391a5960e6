//! HTTP/1.1 by hand over loopback TCP, for the end-to-end benchmarks: a server that answers every
//! request on a listener with one response rendered up front, and the reads a raw-socket client
//! (the floor any client is measured against) shares with it.

use std::net::SocketAddr;

use bytes::Bytes;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// The size of a connection's read buffer.
pub const READ_BUF: usize = 256 << 10;

/// The position just past the blank line ending an HTTP head in `buf`, if it holds one.
pub fn head_end(buf: &[u8]) -> Option<usize> {
    buf.windows(4).position(|w| w == b"\r\n\r\n").map(|i| i + 4)
}

/// The `Content-Length` of an HTTP head; 0 without one.
pub fn content_length(head: &[u8]) -> usize {
    head.split(|&b| b == b'\n')
        .find_map(|line| {
            let (name, value) = line.split_at(line.iter().position(|&b| b == b':')?);
            name.eq_ignore_ascii_case(b"content-length")
                .then(|| std::str::from_utf8(&value[1..]).ok()?.trim().parse().ok())?
        })
        .unwrap_or(0)
}

/// A `200 OK` response with `headers` and `body` (and its `Content-Length`), in one buffer so
/// that it goes out in one write: a head and a body written apart would wait out Nagle's
/// algorithm against the client's delayed ACK (40 ms a request).
pub fn response(headers: &[(&str, &str)], body: &[u8]) -> Bytes {
    let mut wire = b"HTTP/1.1 200 OK\r\n".to_vec();
    for (name, value) in headers {
        wire.extend_from_slice(format!("{name}: {value}\r\n").as_bytes());
    }
    wire.extend_from_slice(format!("content-length: {}\r\n\r\n", body.len()).as_bytes());
    wire.extend_from_slice(body);
    Bytes::from(wire)
}

/// A zeroed buffer of [`READ_BUF`] bytes that starts on a page boundary. A `vec!` this large
/// starts 16 bytes past one, and on this machine (AMD EPYC, Zen 3) the kernel's copy from a
/// socket into such a buffer runs at half speed: its stores 4K-alias the loads of the
/// page-aligned socket data just behind them.
pub struct PageBuf {
    storage: Vec<u8>,
    base: usize,
}

impl PageBuf {
    pub fn new() -> Self {
        let storage = vec![0; READ_BUF + 4096];
        let base = storage.as_ptr().align_offset(4096);
        Self { storage, base }
    }
}

impl Default for PageBuf {
    fn default() -> Self {
        Self::new()
    }
}

impl std::ops::Deref for PageBuf {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        &self.storage[self.base..self.base + READ_BUF]
    }
}

impl std::ops::DerefMut for PageBuf {
    fn deref_mut(&mut self) -> &mut [u8] {
        &mut self.storage[self.base..self.base + READ_BUF]
    }
}

/// A connection's reads: `buf[start..filled]` has been read and not yet consumed.
pub struct Reader {
    pub stream: TcpStream,
    buf: PageBuf,
    start: usize,
    filled: usize,
}

impl Reader {
    pub fn new(stream: TcpStream) -> Self {
        stream.set_nodelay(true).expect("TCP_NODELAY");
        Self {
            stream,
            buf: PageBuf::new(),
            start: 0,
            filled: 0,
        }
    }

    /// The next message head, as `(starts with GET, Content-Length)`; `None` at end of stream.
    pub async fn head(&mut self) -> std::io::Result<Option<(bool, usize)>> {
        loop {
            if let Some(end) = head_end(&self.buf[self.start..self.filled]) {
                let head = &self.buf[self.start..self.start + end];
                let parsed = (head.starts_with(b"GET "), content_length(head));
                self.start += end;
                return Ok(Some(parsed));
            }
            // Heads are small: move the partial one to the front and read more.
            self.buf.copy_within(self.start..self.filled, 0);
            (self.filled, self.start) = (self.filled - self.start, 0);
            let n = self.stream.read(&mut self.buf[self.filled..]).await?;
            if n == 0 {
                return Ok(None);
            }
            self.filled += n;
        }
    }

    /// Reads and discards `len` bytes of body.
    pub async fn skip(&mut self, mut len: usize) -> std::io::Result<()> {
        loop {
            let n = len.min(self.filled - self.start);
            (self.start, len) = (self.start + n, len - n);
            if len == 0 {
                return Ok(());
            }
            (self.start, self.filled) = (0, self.stream.read(&mut self.buf).await?);
            if self.filled == 0 {
                return Err(std::io::ErrorKind::UnexpectedEof.into());
            }
        }
    }
}

/// Binds a listener on a free port of 127.0.0.1 and answers every request on it with
/// `response` (from [`response`]), over keep-alive connections, each served by its own task on
/// the current runtime. Request bodies are read by their `Content-Length` and discarded.
pub async fn serve(response: Bytes) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a loopback port");
    let addr = listener.local_addr().expect("a bound address");
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            tokio::spawn(answer_each(Reader::new(stream), response.clone()));
        }
    });
    addr
}

/// Answers each request on one connection with `response` until the peer closes it.
async fn answer_each(mut reader: Reader, response: Bytes) -> std::io::Result<()> {
    while let Some((_, len)) = reader.head().await? {
        reader.skip(len).await?;
        reader.stream.write_all(&response).await?;
    }
    Ok(())
}
