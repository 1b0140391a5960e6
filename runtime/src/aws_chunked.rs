//! The `aws-chunked` content encoding with an unsigned trailer, as the AWS SDKs send a stream
//! whose checksum is only known once it has been read: the body in chunks of
//! `<hex length>\r\n<data>\r\n`, then `0\r\n`, the checksum header as a trailer, and `\r\n`.
//! The payload hash is `STREAMING-UNSIGNED-PAYLOAD-TRAILER`.
//!
//! Chunks are a fixed [`CHUNK`] bytes (the last one shorter), so that the encoded length of a
//! body of known length is known before it is sent.

use std::pin::Pin;
use std::task::{ready, Context, Poll};

use bytes::{Bytes, BytesMut};
use futures_core::Stream;

use crate::body::BodyError;
use crate::checksum::{Algorithm, Hasher};

/// The payload hash of an `aws-chunked` body with an unsigned trailer.
pub const STREAMING_UNSIGNED_PAYLOAD_TRAILER: &str = "STREAMING-UNSIGNED-PAYLOAD-TRAILER";

/// The size of every chunk but the last.
pub const CHUNK: usize = 64 << 10;

/// The encoded length of a body of `decoded` bytes with an `algorithm` trailer.
pub fn encoded_len(decoded: u64, algorithm: Algorithm) -> u64 {
    let chunk = CHUNK as u64;
    let framed = |len: u64| format!("{len:x}").len() as u64 + 2 + len + 2;
    let (full, rest) = (decoded / chunk, decoded % chunk);
    let mut total = full * framed(chunk);
    if rest > 0 {
        total += framed(rest);
    }
    total + 3 + trailer(algorithm, &crate::checksum::checksum(algorithm, b"")).len() as u64 + 2
}

/// `name:value\r\n`.
fn trailer(algorithm: Algorithm, value: &str) -> String {
    format!("{}:{value}\r\n", algorithm.header_name())
}

/// A body's pieces encoded as `aws-chunked` with its checksum in the trailer.
pub(crate) struct AwsChunked<S> {
    inner: S,
    /// The data of the chunk being filled.
    pending: BytesMut,
    /// `None` once the trailer is out.
    hasher: Option<Hasher>,
    inner_done: bool,
}

impl<S> AwsChunked<S> {
    pub(crate) fn new(inner: S, algorithm: Algorithm) -> Self {
        Self {
            inner,
            pending: BytesMut::new(),
            hasher: Some(algorithm.hasher()),
            inner_done: false,
        }
    }
}

/// One chunk: its length in hex, the data, and the line ends.
fn frame(data: &[u8]) -> Bytes {
    let head = format!("{:x}\r\n", data.len());
    let mut out = BytesMut::with_capacity(head.len() + data.len() + 2);
    out.extend_from_slice(head.as_bytes());
    out.extend_from_slice(data);
    out.extend_from_slice(b"\r\n");
    out.freeze()
}

impl<S: Stream<Item = Result<Bytes, BodyError>> + Unpin> Stream for AwsChunked<S> {
    type Item = Result<Bytes, BodyError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        while !this.inner_done && this.pending.len() < CHUNK {
            match ready!(Pin::new(&mut this.inner).poll_next(cx)) {
                Some(Ok(piece)) => {
                    if let Some(hasher) = &mut this.hasher {
                        hasher.update(&piece);
                    }
                    this.pending.extend_from_slice(&piece);
                }
                Some(Err(e)) => return Poll::Ready(Some(Err(e))),
                None => this.inner_done = true,
            }
        }
        if !this.pending.is_empty() {
            let n = this.pending.len().min(CHUNK);
            let data = this.pending.split_to(n);
            return Poll::Ready(Some(Ok(frame(&data))));
        }
        Poll::Ready(this.hasher.take().map(|hasher| {
            let algorithm = hasher.algorithm();
            let last = format!("0\r\n{}\r\n", trailer(algorithm, &hasher.finish()));
            Ok(Bytes::from(last))
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The pieces of `data` in `size`d slices.
    struct Pieces(Vec<Bytes>);

    impl Stream for Pieces {
        type Item = Result<Bytes, BodyError>;

        fn poll_next(mut self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Option<Self::Item>> {
            Poll::Ready((!self.0.is_empty()).then(|| Ok(self.0.remove(0))))
        }
    }

    fn encode(data: &[u8], size: usize) -> Vec<u8> {
        let pieces = data
            .chunks(size.max(1))
            .map(Bytes::copy_from_slice)
            .collect();
        let mut stream = AwsChunked::new(Pieces(pieces), Algorithm::Crc32);
        let mut out = Vec::new();
        let waker = std::task::Waker::noop();
        let mut cx = Context::from_waker(waker);
        while let Poll::Ready(Some(piece)) = Pin::new(&mut stream).poll_next(&mut cx) {
            out.extend_from_slice(&piece.unwrap());
        }
        out
    }

    #[test]
    fn encodes_fixed_chunks_and_the_trailer() {
        let crc = crate::checksum::checksum(Algorithm::Crc32, b"hello");
        let expected = format!("5\r\nhello\r\n0\r\nx-amz-checksum-crc32:{crc}\r\n\r\n");
        assert_eq!(encode(b"hello", 2), expected.as_bytes());
        let empty = crate::checksum::checksum(Algorithm::Crc32, b"");
        let expected = format!("0\r\nx-amz-checksum-crc32:{empty}\r\n\r\n");
        assert_eq!(encode(b"", 1), expected.as_bytes());
    }

    #[test]
    fn encoded_length_is_known_in_advance() {
        for len in [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 3 * CHUNK + 17] {
            let data = vec![7u8; len];
            for size in [1000, CHUNK, 3 * CHUNK] {
                let encoded = encode(&data, size);
                assert_eq!(
                    encoded.len() as u64,
                    encoded_len(len as u64, Algorithm::Crc32)
                );
            }
        }
    }
}
