//! Streams one object up to s3s-fs and back down through the generated client, then prints how
//! many bytes came back and the process's peak resident set size: the measurement behind
//! `tests/tests/streaming_memory.rs`, in a process of its own so that the test harness's memory
//! does not count.
//!
//! Usage: `stream_rss [BYTES]` (default 256 MiB), with the `S3_TEST_S3S_*` variables that
//! `.ci/test` sets. Nothing is held whole: the upload is a stream of 64 KiB pieces made as they
//! are sent, and the download is read piece by piece and checked against the same pattern.
//! Prints one line, `stream_rss bytes=<read> vmhwm_kib=<peak RSS in KiB>`.

use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use s3_runtime::body::ByteStream;
use s3_tests::{s3s, unique_bucket_name};

/// The size of the pieces the upload is made of.
const PIECE: usize = 64 << 10;
/// The pattern's period: a prime above `PIECE`, so that no piece size is a multiple of it and a
/// shifted, repeated or dropped run of bytes shows.
const PERIOD: usize = 65_537;

fn main() {
    let len: u64 = match std::env::args().nth(1) {
        Some(arg) => arg
            .parse()
            .unwrap_or_else(|_| panic!("BYTES must be a whole number, not {arg:?}")),
        None => 256 << 20,
    };
    // One thread: the client needs no more, and each worker thread would add its stack and
    // allocator arenas to the figure.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");
    let read = runtime.block_on(round_trip(len));
    drop(runtime);
    println!("stream_rss bytes={read} vmhwm_kib={}", vm_hwm_kib());
}

/// Uploads `len` bytes of the pattern, downloads them checking each piece, and cleans up;
/// returns how many bytes the download yielded.
async fn round_trip(len: u64) -> u64 {
    let server = s3s();
    let client = server.client();
    let pattern = Pattern::new();
    let bucket = unique_bucket_name("stream-rss");
    let key = "streamed";
    client
        .create_bucket()
        .bucket(&bucket)
        .send()
        .await
        .unwrap_or_else(|e| panic!("CreateBucket {bucket}: {e}"));

    let upload = Upload {
        pattern: pattern.clone(),
        sent: 0,
        len,
    };
    let body = ByteStream::from_stream(upload, Some(len));
    client
        .put_object()
        .bucket(&bucket)
        .key(key)
        .body(body)
        .send()
        .await
        .unwrap_or_else(|e| panic!("PutObject of {len} B: {e}"));

    let output = client
        .get_object()
        .bucket(&bucket)
        .key(key)
        .send()
        .await
        .unwrap_or_else(|e| panic!("GetObject: {e}"));
    assert_eq!(output.content_length, Some(len as i64), "Content-Length");
    let mut body = output.body;
    let mut read = 0u64;
    while let Some(piece) = body.next().await {
        let piece = piece.unwrap_or_else(|e| panic!("reading the body after {read} B: {e}"));
        assert!(
            pattern.matches(read, &piece),
            "the {} B at offset {read} differ from what was uploaded",
            piece.len()
        );
        read += piece.len() as u64;
    }

    client
        .delete_object()
        .bucket(&bucket)
        .key(key)
        .send()
        .await
        .unwrap_or_else(|e| panic!("DeleteObject: {e}"));
    client
        .delete_bucket()
        .bucket(&bucket)
        .send()
        .await
        .unwrap_or_else(|e| panic!("DeleteBucket {bucket}: {e}"));
    read
}

/// The object's bytes: byte `i` is `table[i % PERIOD]`, from a table of pseudo-random bytes
/// held twice over, so that any run of up to `PERIOD` bytes is one slice of it.
#[derive(Clone)]
struct Pattern(std::sync::Arc<[u8]>);

impl Pattern {
    fn new() -> Self {
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        let period: Vec<u8> = (0..PERIOD)
            .map(|_| {
                // xorshift64
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                (state >> 56) as u8
            })
            .collect();
        Self(period.repeat(2).into())
    }

    /// The `len` (at most `PERIOD`) bytes at `offset`.
    fn at(&self, offset: u64, len: usize) -> &[u8] {
        let start = (offset % PERIOD as u64) as usize;
        &self.0[start..start + len]
    }

    /// Whether `piece` is the pattern's bytes at `offset`.
    fn matches(&self, mut offset: u64, piece: &[u8]) -> bool {
        piece.chunks(PERIOD).all(|chunk| {
            let same = chunk == self.at(offset, chunk.len());
            offset += chunk.len() as u64;
            same
        })
    }
}

/// `len` bytes of the pattern as a stream of `PIECE`-sized pieces, each made when asked for.
struct Upload {
    pattern: Pattern,
    sent: u64,
    len: u64,
}

impl futures_core::Stream for Upload {
    type Item = Result<Bytes, std::io::Error>;

    fn poll_next(mut self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let n = PIECE.min((self.len - self.sent) as usize);
        if n == 0 {
            return Poll::Ready(None);
        }
        let piece = Bytes::copy_from_slice(self.pattern.at(self.sent, n));
        self.sent += n as u64;
        Poll::Ready(Some(Ok(piece)))
    }
}

/// The peak resident set size so far, in KiB: `VmHWM` in `/proc/self/status`.
fn vm_hwm_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|value| value.trim().strip_suffix("kB"))
        .and_then(|kib| kib.trim().parse().ok())
        .expect("a VmHWM line in /proc/self/status")
}
