//! The bodies of `@streaming` blob payloads: what a request sends (bytes in memory, a file, or
//! any stream) and what a response streams to the caller.
//!
//! A [`ByteStream`] is a handle on its source, cheap to clone. Bytes and files can be read
//! again, so a request with such a body is signed with its hash and retried like any other; a
//! stream is read once, by whichever attempt or clone takes it first, so a request with one is
//! not signed (`UNSIGNED-PAYLOAD`, or `aws-chunked` with a trailing checksum: see
//! [`crate::aws_chunked`]) and never retried.

use std::error::Error as StdError;
use std::fmt;
use std::future::Future;
use std::io;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{ready, Context, Poll};

use bytes::Bytes;
use futures_core::Stream;
use http_body::{Body, Frame, SizeHint};

use crate::aws_chunked::{self, AwsChunked};
use crate::checksum::Algorithm;
use crate::error::{BoxError, TimeoutError, TransportError, Untrusted};

/// The body of an operation with a `@streaming` blob payload: in a request, what is sent; in a
/// response, the body as it arrives, read with [`next`](Self::next), [`collect`](Self::collect)
/// or [`into_async_read`](Self::into_async_read).
///
/// Clones share the source: bytes and files are read again by each, a stream (and a response
/// body) by the first clone that reads it; the others then fail with
/// [`BodyError::AlreadyRead`].
#[derive(Default)]
pub struct ByteStream {
    source: Source,
    /// The stream this handle is reading, once it started. Only ever used through `&mut`
    /// (`Mutex::get_mut`); the mutex makes the handle `Sync`, as a shared reference to an input
    /// or output must be.
    reading: Option<Mutex<BoxStream>>,
}

impl Clone for ByteStream {
    /// Another handle on the source, not started.
    fn clone(&self) -> Self {
        Self::from_source(self.source.clone())
    }
}

#[derive(Clone)]
enum Source {
    Bytes(Bytes),
    File { path: Arc<Path>, len: u64 },
    Once { stream: Shared, len: Option<u64> },
}

impl Default for Source {
    fn default() -> Self {
        Source::Bytes(Bytes::new())
    }
}

type BoxStream = Pin<Box<dyn Stream<Item = Result<Bytes, BodyError>> + Send>>;

/// A one-shot stream, taken by the first reader.
#[derive(Clone)]
struct Shared(Arc<Mutex<Option<BoxStream>>>);

impl Shared {
    fn new(stream: BoxStream) -> Self {
        Self(Arc::new(Mutex::new(Some(stream))))
    }

    fn take(&self) -> Result<BoxStream, BodyError> {
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .take()
            .ok_or(BodyError::AlreadyRead)
    }
}

impl fmt::Debug for ByteStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.source {
            Source::Bytes(bytes) => write!(f, "ByteStream({} bytes)", bytes.len()),
            Source::File { path, len } => {
                write!(f, "ByteStream(file {}, {len} bytes)", path.display())
            }
            Source::Once { len: Some(len), .. } => write!(f, "ByteStream(stream, {len} bytes)"),
            Source::Once { len: None, .. } => f.write_str("ByteStream(stream)"),
        }
    }
}

impl<T: Into<Bytes>> From<T> for ByteStream {
    fn from(bytes: T) -> Self {
        Self::from_source(Source::Bytes(bytes.into()))
    }
}

/// The size of the pieces a body is sent in: files are read in pieces this size, and bytes in
/// memory are sent as slices this size, so that the read timeout sees the upload progress.
const PIECE: usize = 256 << 10;

impl ByteStream {
    fn from_source(source: Source) -> Self {
        Self {
            source,
            reading: None,
        }
    }

    /// The file at `path`, read when the request is sent (again for each attempt). Its length
    /// is taken now; a file that changes size before it is sent fails the request.
    pub async fn from_path(path: impl AsRef<Path>) -> io::Result<Self> {
        let path: PathBuf = path.as_ref().to_owned();
        let len = tokio::fs::metadata(&path).await?.len();
        Ok(Self::from_source(Source::File {
            path: path.into(),
            len,
        }))
    }

    /// A stream of pieces, read once. With `len` the request declares it as its
    /// `Content-Length` and the stream must yield exactly that many bytes.
    pub fn from_stream<S, E>(stream: S, len: Option<u64>) -> Self
    where
        S: Stream<Item = Result<Bytes, E>> + Send + 'static,
        E: Into<BoxError>,
    {
        Self::from_source(Source::Once {
            stream: Shared::new(Box::pin(MapErr(Box::pin(stream)))),
            len,
        })
    }

    /// A response body: read once, `len` from its `Content-Length`.
    pub(crate) fn from_response(
        stream: impl Stream<Item = Result<Bytes, BodyError>> + Send + 'static,
        len: Option<u64>,
    ) -> Self {
        Self::from_source(Source::Once {
            stream: Shared::new(Box::pin(stream)),
            len,
        })
    }

    /// The length, when it is known before reading.
    pub fn len(&self) -> Option<u64> {
        match &self.source {
            Source::Bytes(bytes) => Some(bytes.len() as u64),
            Source::File { len, .. } => Some(*len),
            Source::Once { len, .. } => *len,
        }
    }

    /// Whether the body is known to be empty.
    pub fn is_empty(&self) -> bool {
        self.len() == Some(0)
    }

    /// The bytes, if the body is in memory.
    pub fn as_bytes(&self) -> Option<&Bytes> {
        match &self.source {
            Source::Bytes(bytes) => Some(bytes),
            _ => None,
        }
    }

    /// Whether the body can be read again, so that a request sending it can be retried.
    pub fn is_replayable(&self) -> bool {
        !matches!(self.source, Source::Once { .. })
    }

    /// The next piece of the body; `None` at its end.
    pub async fn next(&mut self) -> Option<Result<Bytes, BodyError>> {
        std::future::poll_fn(|cx| Pin::new(&mut *self).poll_next(cx)).await
    }

    /// The whole body, read into memory.
    pub async fn collect(mut self) -> Result<Bytes, BodyError> {
        if let Source::Bytes(bytes) = &self.source {
            return Ok(bytes.clone());
        }
        let mut all = Vec::with_capacity(self.len().unwrap_or(0).min(64 << 20) as usize);
        while let Some(piece) = self.next().await {
            all.extend_from_slice(&piece?);
        }
        Ok(all.into())
    }

    /// The body as a `tokio::io::AsyncRead`; errors are `io::Error`s wrapping a [`BodyError`].
    pub fn into_async_read(self) -> impl tokio::io::AsyncRead + Send + Unpin {
        AsyncReader {
            body: self,
            pending: Bytes::new(),
        }
    }

    /// A new, unread stream of the body for one request attempt.
    pub(crate) fn open(&self) -> Result<BoxStream, BodyError> {
        Ok(match &self.source {
            Source::Bytes(bytes) => slices(bytes.clone()),
            Source::File { path, len } => Box::pin(FileStream::new(path.clone(), *len)),
            Source::Once { stream, .. } => stream.take()?,
        })
    }
}

impl Stream for ByteStream {
    type Item = Result<Bytes, BodyError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        let stream = match &mut this.reading {
            Some(stream) => stream,
            None => match this.open() {
                Ok(stream) => this.reading.insert(Mutex::new(stream)),
                Err(e) => return Poll::Ready(Some(Err(e))),
            },
        };
        let stream = stream.get_mut().unwrap_or_else(|p| p.into_inner());
        stream.as_mut().poll_next(cx)
    }
}

/// A stream of `bytes` in slices of [`PIECE`] bytes (none if empty), without copying.
fn slices(mut bytes: Bytes) -> BoxStream {
    Box::pin(PollFn(move |_: &mut Context<'_>| {
        let n = bytes.len().min(PIECE);
        Poll::Ready((n > 0).then(|| Ok(bytes.split_to(n))))
    }))
}

/// A stream from a closure, for the slices of an in-memory body.
struct PollFn<F>(F);

impl<F> Stream for PollFn<F>
where
    F: FnMut(&mut Context<'_>) -> Poll<Option<Result<Bytes, BodyError>>> + Unpin,
{
    type Item = Result<Bytes, BodyError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        (self.0)(cx)
    }
}

/// A caller's stream, its errors as [`BodyError::Source`].
struct MapErr<S>(Pin<Box<S>>);

impl<S, E> Stream for MapErr<S>
where
    S: Stream<Item = Result<Bytes, E>>,
    E: Into<BoxError>,
{
    type Item = Result<Bytes, BodyError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.0
            .as_mut()
            .poll_next(cx)
            .map(|item| item.map(|r| r.map_err(|e| BodyError::Source(e.into()))))
    }
}

/// A file read in pieces, checked against the length it had when the body was made.
struct FileStream {
    path: Arc<Path>,
    state: FileState,
    remaining: u64,
}

enum FileState {
    Opening(Pin<Box<dyn Future<Output = io::Result<tokio::fs::File>> + Send>>),
    Reading(tokio::fs::File, Vec<u8>),
    Done,
}

impl FileStream {
    fn new(path: Arc<Path>, len: u64) -> Self {
        let open = tokio::fs::File::open(path.to_path_buf());
        Self {
            path,
            state: FileState::Opening(Box::pin(open)),
            remaining: len,
        }
    }

    fn error(&mut self, e: io::Error) -> Poll<Option<Result<Bytes, BodyError>>> {
        self.state = FileState::Done;
        let message = format!("cannot read {}: {e}", self.path.display());
        Poll::Ready(Some(Err(BodyError::Source(
            io::Error::new(e.kind(), message).into(),
        ))))
    }
}

impl Stream for FileStream {
    type Item = Result<Bytes, BodyError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        use tokio::io::{AsyncRead, ReadBuf};
        let this = &mut *self;
        loop {
            match &mut this.state {
                FileState::Opening(open) => match ready!(open.as_mut().poll(cx)) {
                    Ok(file) => {
                        let size = PIECE.min(this.remaining as usize);
                        this.state = FileState::Reading(file, vec![0; size.max(1)]);
                    }
                    Err(e) => return this.error(e),
                },
                FileState::Reading(file, buf) => {
                    let mut read = ReadBuf::new(buf);
                    if let Err(e) = ready!(Pin::new(file).poll_read(cx, &mut read)) {
                        return this.error(e);
                    }
                    let n = read.filled().len() as u64;
                    return match (n, this.remaining) {
                        (0, 0) => {
                            this.state = FileState::Done;
                            Poll::Ready(None)
                        }
                        (n, remaining) if n > remaining || n == 0 => this.error(io::Error::new(
                            io::ErrorKind::UnexpectedEof,
                            "the file changed size after the body was made",
                        )),
                        (n, _) => {
                            this.remaining -= n;
                            Poll::Ready(Some(Ok(Bytes::copy_from_slice(read.filled()))))
                        }
                    };
                }
                FileState::Done => return Poll::Ready(None),
            }
        }
    }
}

/// [`ByteStream::into_async_read`].
struct AsyncReader {
    body: ByteStream,
    pending: Bytes,
}

impl tokio::io::AsyncRead for AsyncReader {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut tokio::io::ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        while self.pending.is_empty() {
            match ready!(Pin::new(&mut self.body).poll_next(cx)) {
                Some(Ok(piece)) => self.pending = piece,
                Some(Err(e)) => return Poll::Ready(Err(io::Error::other(e))),
                None => return Poll::Ready(Ok(())),
            }
        }
        let n = self.pending.len().min(buf.remaining());
        buf.put_slice(&self.pending.split_to(n));
        Poll::Ready(Ok(()))
    }
}

/// A request's body as hyper sends it: one attempt's stream of a [`ByteStream`], with its
/// length.
pub(crate) struct RequestBody {
    stream: Option<BoxStream>,
    len: Option<u64>,
    /// Told of every piece sent, so that the read timeout counts from the last one.
    progress: Option<Arc<Progress>>,
}

/// When a request's body last made progress, for the read timeout: a large upload may take
/// longer than the timeout, but not stall for that long.
#[derive(Debug)]
pub(crate) struct Progress {
    start: tokio::time::Instant,
    /// Milliseconds from `start` to the last piece.
    last: std::sync::atomic::AtomicU64,
}

impl Progress {
    pub(crate) fn new() -> Arc<Self> {
        Arc::new(Self {
            start: tokio::time::Instant::now(),
            last: Default::default(),
        })
    }

    fn record(&self) {
        let ms = self.start.elapsed().as_millis() as u64;
        self.last.store(ms, std::sync::atomic::Ordering::Relaxed);
    }

    /// When the body last sent a piece (or started).
    pub(crate) fn last(&self) -> tokio::time::Instant {
        let ms = self.last.load(std::sync::atomic::Ordering::Relaxed);
        self.start + std::time::Duration::from_millis(ms)
    }
}

impl RequestBody {
    pub(crate) fn from_bytes(bytes: Bytes) -> Self {
        Self {
            len: Some(bytes.len() as u64),
            stream: Some(slices(bytes)),
            progress: None,
        }
    }

    /// The same, telling `progress` of each piece it sends.
    pub(crate) fn with_progress(mut self, progress: Arc<Progress>) -> Self {
        self.progress = Some(progress);
        self
    }

    /// The body of one attempt.
    pub(crate) fn new(body: &ByteStream) -> Result<Self, BodyError> {
        Ok(Self {
            // An empty body has no piece to send, so no stream to open.
            stream: if body.is_empty() {
                None
            } else {
                Some(body.open()?)
            },
            len: body.len(),
            progress: None,
        })
    }

    /// The body of one attempt, `aws-chunked` with its `algorithm` checksum as the trailer.
    pub(crate) fn aws_chunked(body: &ByteStream, algorithm: Algorithm) -> Result<Self, BodyError> {
        Ok(Self {
            stream: Some(Box::pin(AwsChunked::new(body.open()?, algorithm))),
            len: body
                .len()
                .map(|len| aws_chunked::encoded_len(len, algorithm)),
            progress: None,
        })
    }
}

impl Body for RequestBody {
    type Data = Bytes;
    type Error = BodyError;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BodyError>>> {
        let Some(stream) = self.stream.as_mut() else {
            return Poll::Ready(None);
        };
        let piece = ready!(stream.as_mut().poll_next(cx));
        if let Some(progress) = &self.progress {
            progress.record();
        }
        if piece.is_none() {
            self.stream = None;
        }
        Poll::Ready(piece.map(|r| r.map(Frame::data)))
    }

    fn is_end_stream(&self) -> bool {
        self.stream.is_none() || self.len == Some(0)
    }

    fn size_hint(&self) -> SizeHint {
        match self.len {
            Some(len) => SizeHint::with_exact(len),
            None => SizeHint::default(),
        }
    }
}

/// Why a body could not be read or sent.
#[derive(Debug)]
#[non_exhaustive]
pub enum BodyError {
    /// The response body stopped arriving, or arrived too slowly (the read and stalled-body
    /// timeouts).
    Timeout(TimeoutError),
    /// The connection broke while the response body arrived.
    Transport(TransportError),
    /// The body does not match the checksum the response declared.
    ChecksumMismatch {
        /// The algorithm, as S3 names it (`CRC32`).
        algorithm: &'static str,
        /// The checksum the response's header declared.
        expected: String,
        /// The checksum of the body received.
        actual: String,
    },
    /// The body is a stream that another attempt or clone has already read.
    AlreadyRead,
    /// The body's source failed: a file could not be read, or the caller's stream yielded an
    /// error.
    Source(BoxError),
}

impl fmt::Display for BodyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BodyError::Timeout(e) => write!(f, "reading the body: {e}"),
            BodyError::Transport(e) => write!(f, "reading the body: {e}"),
            BodyError::ChecksumMismatch {
                algorithm,
                expected,
                actual,
            } => write!(
                f,
                "the body's {algorithm} checksum is {actual}, but the response declared {}",
                Untrusted(expected)
            ),
            BodyError::AlreadyRead => f.write_str(
                "the body is a stream that has already been read: a stream can be sent or read once",
            ),
            BodyError::Source(e) => write!(f, "the body's source failed: {e}"),
        }
    }
}

impl StdError for BodyError {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        match self {
            BodyError::Timeout(e) => Some(e),
            BodyError::Transport(e) => Some(e),
            BodyError::Source(e) => Some(&**e),
            BodyError::ChecksumMismatch { .. } | BodyError::AlreadyRead => None,
        }
    }
}
