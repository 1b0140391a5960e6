//! A response body as it arrives: handed on as a stream, or read whole within the size cap.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use bytes::Bytes;
use futures_core::Stream;

use super::{HttpError, StalledBody, TimeoutConfig};
use crate::body::{BodyError, ByteStream};
use crate::error::{TimeoutError, TimeoutKind};

/// A response body: read whole, or left to stream.
pub(crate) enum Received {
    Bytes(Bytes),
    Stream(ResponseStream),
}

/// A response body as it arrives, within the read and stalled-body timeouts. Dropping it
/// unread closes its connection.
pub(crate) struct ResponseStream {
    body: ByteStream,
    read: Option<Duration>,
    /// The read timeout's timer, made the first time a piece is not there when asked for (a
    /// body that arrived with the head never needs one), and reset when the reader starts
    /// waiting for the next.
    timer: Option<Pin<Box<tokio::time::Sleep>>>,
    waiting: bool,
    stall: Option<StalledBody>,
    /// The time spent waiting for pieces, which the stall check measures the rate over (time
    /// the reader spends elsewhere does not count against the server).
    waited: Duration,
    wait_started: Instant,
    received: usize,
}

impl ResponseStream {
    pub(super) fn new(body: ByteStream, timeouts: &TimeoutConfig) -> Self {
        Self {
            body,
            read: timeouts.read,
            timer: None,
            waiting: false,
            stall: timeouts.stalled_body,
            waited: Duration::ZERO,
            wait_started: Instant::now(),
            received: 0,
        }
    }

    /// The body's length, when the response declares it.
    pub(crate) fn len(&self) -> Option<u64> {
        self.body.len()
    }

    /// Reads the whole body, within `limit` bytes; a longer one fails unread.
    pub(super) async fn read_all(mut self, status: u16, limit: usize) -> Result<Bytes, HttpError> {
        let too_large = || HttpError::BodyTooLarge { status, limit };
        let len = self.len();
        if len.is_some_and(|len| len > limit as u64) {
            return Err(too_large());
        }
        let capacity = len.map_or(0, |len| len as usize);
        let mut collected = Collected::Empty;
        while let Some(data) = std::future::poll_fn(|cx| Pin::new(&mut self).poll_next(cx)).await {
            let data = data.map_err(HttpError::from_body_error)?;
            if self.received > limit {
                return Err(too_large());
            }
            collected.push(data, capacity);
        }
        Ok(collected.into_bytes())
    }
}

impl Stream for ResponseStream {
    type Item = Result<Bytes, BodyError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        if !this.waiting {
            this.waiting = true;
            this.wait_started = Instant::now();
            if let (Some(limit), Some(timer)) = (this.read, &mut this.timer) {
                timer.as_mut().reset(tokio::time::Instant::now() + limit);
            }
        }
        let data = match Pin::new(&mut this.body).poll_next(cx) {
            Poll::Ready(Some(Ok(data))) => data,
            Poll::Ready(end_or_error) => {
                this.waiting = false;
                return Poll::Ready(end_or_error);
            }
            Poll::Pending => {
                if let Some(limit) = this.read {
                    // Made in the poll that started the wait, as a reset timer would be.
                    let timer = this
                        .timer
                        .get_or_insert_with(|| Box::pin(tokio::time::sleep(limit)));
                    if timer.as_mut().poll(cx).is_ready() {
                        let error = TimeoutError::new(TimeoutKind::Read, limit);
                        return Poll::Ready(Some(Err(BodyError::Timeout(error))));
                    }
                }
                return Poll::Pending;
            }
        };
        this.waiting = false;
        this.received += data.len();
        this.waited += this.wait_started.elapsed();
        if let Some(stall) = this.stall {
            if stall.stalled(this.received, this.waited) {
                let error = TimeoutError::new(TimeoutKind::StalledBody, stall.grace);
                return Poll::Ready(Some(Err(BodyError::Timeout(error))));
            }
        }
        Poll::Ready(Some(Ok(data)))
    }
}

/// A body as it arrives. The first piece is kept as it is, so a body that arrives in one piece
/// is not copied.
enum Collected {
    Empty,
    One(Bytes),
    Many(Vec<u8>),
}

impl Collected {
    /// Adds `data`; `capacity` is the expected total, for the one allocation of a body in pieces.
    fn push(&mut self, data: Bytes, capacity: usize) {
        *self = match std::mem::replace(self, Collected::Empty) {
            Collected::Empty => Collected::One(data),
            Collected::One(first) => {
                let mut all = Vec::with_capacity(capacity.max(first.len() + data.len()));
                all.extend_from_slice(&first);
                all.extend_from_slice(&data);
                Collected::Many(all)
            }
            Collected::Many(mut all) => {
                all.extend_from_slice(&data);
                Collected::Many(all)
            }
        }
    }

    fn into_bytes(self) -> Bytes {
        match self {
            Collected::Empty => Bytes::new(),
            Collected::One(data) => data,
            Collected::Many(all) => Bytes::from(all),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_body_in_one_piece_is_not_copied() {
        let piece = Bytes::from(vec![b'x'; 1000]);
        let mut collected = Collected::Empty;
        collected.push(piece.clone(), 1000);
        let body = collected.into_bytes();
        assert_eq!(body.as_ptr(), piece.as_ptr());
        assert!(Collected::Empty.into_bytes().is_empty());
    }

    #[test]
    fn a_body_in_pieces_is_copied_once_into_room_for_its_declared_length() {
        let mut collected = Collected::Empty;
        for piece in [&b"<a>"[..], b"text", b"</a>"] {
            collected.push(Bytes::copy_from_slice(piece), 100);
        }
        let Collected::Many(all) = &collected else {
            panic!("three pieces are collected into one buffer");
        };
        assert_eq!(all.capacity(), 100);
        assert_eq!(&collected.into_bytes()[..], b"<a>text</a>");

        // Without a declared length (or with a wrong one), the buffer grows as needed.
        let mut collected = Collected::Empty;
        for piece in [&b"abc"[..], b"def", b"ghi"] {
            collected.push(Bytes::copy_from_slice(piece), 0);
        }
        assert_eq!(&collected.into_bytes()[..], b"abcdefghi");
    }
}
