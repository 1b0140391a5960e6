//! A successful response's streaming body, validated against its checksum if asked.

use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use futures_core::Stream;

use super::Checksums;
use crate::body::{BodyError, ByteStream};
use crate::checksum::{self, Hasher};
use crate::http::ResponseStream;

/// A successful response's streaming body, validated against its checksum if the caller asked.
pub(super) fn response_body(
    stream: ResponseStream,
    headers: &http::HeaderMap,
    checksums: &Checksums<'_>,
) -> ByteStream {
    let len = stream.len();
    match checksum::response_checksum(headers, checksums.validate) {
        Some((algorithm, expected)) => ByteStream::from_response(
            Validated {
                inner: stream,
                hasher: Some(algorithm.hasher()),
                expected,
            },
            len,
        ),
        None => ByteStream::from_response(stream, len),
    }
}

/// A body checked against the checksum its response declared, failing its last read on a
/// mismatch.
struct Validated<S> {
    inner: S,
    /// `None` once the body has been checked.
    hasher: Option<Hasher>,
    expected: String,
}

impl<S: Stream<Item = Result<Bytes, BodyError>> + Unpin> Stream for Validated<S> {
    type Item = Result<Bytes, BodyError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        match std::task::ready!(Pin::new(&mut this.inner).poll_next(cx)) {
            Some(Ok(piece)) => {
                if let Some(hasher) = &mut this.hasher {
                    hasher.update(&piece);
                }
                Poll::Ready(Some(Ok(piece)))
            }
            Some(Err(e)) => Poll::Ready(Some(Err(e))),
            None => match this.hasher.take() {
                Some(hasher) => {
                    let algorithm = hasher.algorithm().name();
                    let actual = hasher.finish();
                    if actual == this.expected {
                        Poll::Ready(None)
                    } else {
                        Poll::Ready(Some(Err(BodyError::ChecksumMismatch {
                            algorithm,
                            expected: std::mem::take(&mut this.expected),
                            actual,
                        })))
                    }
                }
                None => Poll::Ready(None),
            },
        }
    }
}
