//! The HTTP client: pooled HTTP/1.1 connections over TCP, or TLS with rustls and its `ring`
//! provider (no C toolchain needed), with connect and attempt timeouts.
//!
//! One [`HttpClient`] serves a whole S3 client: clones share the connection pool. A response
//! body is read whole, within a size cap, so an attempt either completes or fails as a unit,
//! which is what retries need; only a successful response with a streaming body is handed on
//! unread, as a stream with the same read and stalled-body timeouts. Failures are
//! classified once, here, into an [`HttpError`] whose variant tells the retry classifier whether
//! another attempt can help.

use std::error::Error as StdError;
use std::fmt;
use std::io;
use std::time::{Duration, Instant};

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use futures_core::Stream;
use http::uri::{Authority, Scheme};
use http::{Request, Response};
use http_body::Body as _;
use hyper_rustls::{ConfigBuilderExt, HttpsConnector};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::{TokioExecutor, TokioTimer};

use crate::body::{Progress, RequestBody};
use crate::error::{
    Error, ErrorMetadata, ResponseError, TimeoutError, TimeoutKind, TransportError,
};

/// The timeouts of an operation.
///
/// With the defaults no call waits forever: a server that accepts the connection and never
/// answers fails each attempt after `read` (30 s), and with the default retries (3 attempts,
/// backoff of at most 1 s and 2 s) the call fails with a timeout error after at most
/// 3 × 30 s + 3 s = 93 s.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeoutConfig {
    /// Establishing a TCP connection, per resolved address tried. Default 3.1 s, as in the AWS
    /// SDKs: long enough for a cross-ocean handshake, short enough to move on from a dead host.
    pub connect: Duration,
    /// The longest time without progress: between two pieces of the request body as they are
    /// sent, from its end to the response, and between two pieces of the response body.
    /// Default 30 s, as the AWS SDK for Java's socket timeout; `None` waits as long as the
    /// server takes. A read timeout is retried.
    pub read: Option<Duration>,
    /// Fails a response body that arrives slower than a minimum rate once a grace period has
    /// passed, so a trickling server cannot hold a call for hours. Default: below 1 byte per
    /// second after 5 s, as the AWS SDKs' stalled-stream protection; `None` turns it off.
    pub stalled_body: Option<StalledBody>,
    /// One attempt: sending the request and receiving the whole response. Default none, as in
    /// the AWS SDKs, since object bodies of any size go through one attempt.
    pub attempt: Option<Duration>,
    /// The whole operation, retries and backoff included. Default none.
    pub operation: Option<Duration>,
}

impl Default for TimeoutConfig {
    fn default() -> Self {
        Self {
            connect: Duration::from_millis(3100),
            read: Some(Duration::from_secs(30)),
            stalled_body: Some(StalledBody::default()),
            attempt: None,
            operation: None,
        }
    }
}

/// The slowest a response body may arrive: at least `min_bytes_per_sec` on average, measured
/// from the start of the body once `grace` has passed, and checked as each piece arrives (a
/// body that stops altogether is the read timeout's).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StalledBody {
    /// The lowest average rate.
    pub min_bytes_per_sec: u64,
    /// How long a body may start slowly.
    pub grace: Duration,
}

impl Default for StalledBody {
    fn default() -> Self {
        Self {
            min_bytes_per_sec: 1,
            grace: Duration::from_secs(5),
        }
    }
}

impl StalledBody {
    /// Whether `bytes` received over `elapsed` are too few.
    fn stalled(&self, bytes: usize, elapsed: Duration) -> bool {
        elapsed > self.grace
            && (bytes as f64) < self.min_bytes_per_sec as f64 * elapsed.as_secs_f64()
    }
}

/// How an [`HttpClient`] connects and pools connections.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpConfig {
    /// The operation timeouts; the client applies `connect` itself.
    pub timeouts: TimeoutConfig,
    /// How long an idle pooled connection is kept. Default 15 s: S3 closes idle connections
    /// after about 20 s, and reusing one it is closing fails the request.
    pub pool_idle_timeout: Duration,
    /// The most idle connections kept per host. Default unlimited: every connection a burst
    /// opened stays reusable until `pool_idle_timeout`.
    pub max_idle_per_host: usize,
    /// The largest response body read into memory. Default 64 MiB, far above any listing (a
    /// 10,000-bucket ListBuckets is about 1.5 MB). A larger body fails the call with a typed
    /// error, and its connection is closed rather than drained.
    pub max_response_body: usize,
}

/// The default [`HttpConfig::max_response_body`].
pub const DEFAULT_MAX_RESPONSE_BODY: usize = 64 << 20;

impl Default for HttpConfig {
    fn default() -> Self {
        Self {
            timeouts: TimeoutConfig::default(),
            pool_idle_timeout: Duration::from_secs(15),
            max_idle_per_host: usize::MAX,
            max_response_body: DEFAULT_MAX_RESPONSE_BODY,
        }
    }
}

/// A pooled HTTP/1.1 client for `http` and `https` URIs. Clones share one pool.
#[derive(Clone)]
pub struct HttpClient {
    client: Client<HttpsConnector<HttpConnector>, RequestBody>,
    timeouts: TimeoutConfig,
    max_response_body: usize,
}

impl fmt::Debug for HttpClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpClient")
            .field("timeouts", &self.timeouts)
            .finish_non_exhaustive()
    }
}

impl HttpClient {
    /// A client that trusts the system's root certificates.
    ///
    /// Fails when the system has no usable root certificates.
    pub fn new(config: &HttpConfig) -> Result<Self, TransportError> {
        let tls = rustls::ClientConfig::builder_with_provider(
            rustls::crypto::ring::default_provider().into(),
        )
        .with_safe_default_protocol_versions()
        .map_err(|e| TransportError::new("cannot configure TLS", Some(e.into())))?
        .with_native_roots()
        .map_err(|e| {
            TransportError::new("cannot load the system's root certificates", Some(e.into()))
        })?
        .with_no_client_auth();
        Ok(Self::with_tls(config, tls))
    }

    /// A client using the given TLS configuration, for custom roots or client certificates.
    pub fn with_tls(config: &HttpConfig, tls: rustls::ClientConfig) -> Self {
        let mut tcp = HttpConnector::new();
        tcp.enforce_http(false);
        tcp.set_nodelay(true);
        tcp.set_connect_timeout(Some(config.timeouts.connect));
        let connector = hyper_rustls::HttpsConnectorBuilder::new()
            .with_tls_config(tls)
            .https_or_http()
            .enable_http1()
            .wrap_connector(tcp);
        let client = Client::builder(TokioExecutor::new())
            // The timer closes expired idle connections; without it they stay open until
            // the next checkout of their host.
            .pool_timer(TokioTimer::new())
            .pool_idle_timeout(config.pool_idle_timeout)
            .pool_max_idle_per_host(config.max_idle_per_host)
            .build(connector);
        Self {
            client,
            timeouts: config.timeouts,
            max_response_body: config.max_response_body,
        }
    }

    /// The timeouts this client was configured with.
    pub fn timeouts(&self) -> &TimeoutConfig {
        &self.timeouts
    }

    /// Sends `request` (an absolute `http` or `https` URI) and reads the whole response, all
    /// within `attempt_timeout` if given.
    ///
    /// Any status is a response; only failing to get one is an error.
    pub async fn send(
        &self,
        request: Request<Bytes>,
        attempt_timeout: Option<Duration>,
    ) -> Result<Response<Bytes>, HttpError> {
        let request = request.map(RequestBody::from_bytes);
        let response = self.send_body(request, attempt_timeout, |_| false).await?;
        Ok(response.map(|body| match body {
            Received::Bytes(bytes) => bytes,
            Received::Stream(_) => Bytes::new(),
        }))
    }

    /// Sends `request` and reads the response: its body streamed if `stream(status)` says so,
    /// else read whole within the size cap. `attempt_timeout` bounds the exchange up to the
    /// body it streams, and the whole of a body it reads.
    pub(crate) async fn send_body(
        &self,
        request: Request<RequestBody>,
        attempt_timeout: Option<Duration>,
        stream: impl FnOnce(http::StatusCode) -> bool,
    ) -> Result<Response<Received>, HttpError> {
        let started = Instant::now();
        let method = request.method().clone();
        let authority = check_uri(request.uri())?;
        let exchange = self.exchange(request, authority.clone(), stream);
        let result = match attempt_timeout {
            Some(limit) => tokio::time::timeout(limit, exchange)
                .await
                .unwrap_or_else(|_| {
                    Err(HttpError::Timeout(TimeoutError::new(
                        TimeoutKind::Attempt,
                        limit,
                    )))
                }),
            None => exchange.await,
        };
        // Headers stay out of logs: they carry signatures and security tokens.
        tracing::debug!(
            %method,
            host = authority.host(),
            status = result.as_ref().ok().map(|r| r.status().as_u16()),
            error = result.as_ref().err().map(tracing::field::display),
            elapsed = ?started.elapsed(),
            "http exchange",
        );
        result
    }

    async fn exchange(
        &self,
        request: Request<RequestBody>,
        authority: Authority,
        stream: impl FnOnce(http::StatusCode) -> bool,
    ) -> Result<Response<Received>, HttpError> {
        let connect = self.timeouts.connect;
        let progress = Progress::new();
        let request = request.map(|body| body.with_progress(progress.clone()));
        let response = idle_within(self.timeouts.read, &progress, self.client.request(request))
            .await?
            // hyper-util's outer error only names the stage; its cause says what happened.
            .map_err(|e| {
                classify(
                    e.source().unwrap_or(&e),
                    e.is_connect(),
                    &authority,
                    connect,
                )
            })?;
        let (parts, body) = response.into_parts();
        let body = ResponseStream {
            // hyper's size of the body, not the header: a HEAD, 204 or 304 response declares
            // a length but has no body.
            len: hyper::body::Body::size_hint(&body).exact(),
            body,
            read: self
                .timeouts
                .read
                .map(|limit| (limit, Box::pin(tokio::time::sleep(limit)))),
            waiting: false,
            stall: self.timeouts.stalled_body,
            waited: Duration::ZERO,
            wait_started: Instant::now(),
            received: 0,
            authority,
            connect,
        };
        let body = if stream(parts.status) {
            Received::Stream(body)
        } else {
            Received::Bytes(
                body.read_all(parts.status.as_u16(), self.max_response_body)
                    .await?,
            )
        };
        Ok(Response::from_parts(parts, body))
    }
}

/// A response body: read whole, or left to stream.
pub(crate) enum Received {
    Bytes(Bytes),
    Stream(ResponseStream),
}

/// A response body as it arrives, within the read and stalled-body timeouts. Dropping it
/// unread closes its connection.
pub(crate) struct ResponseStream {
    body: hyper::body::Incoming,
    /// The body's length, when hyper knows it.
    len: Option<u64>,
    /// The read timeout and its timer, armed when the reader starts waiting for a piece.
    read: Option<(Duration, Pin<Box<tokio::time::Sleep>>)>,
    waiting: bool,
    stall: Option<StalledBody>,
    /// The time spent waiting for pieces, which the stall check measures the rate over (time
    /// the reader spends elsewhere does not count against the server).
    waited: Duration,
    wait_started: Instant,
    received: usize,
    authority: Authority,
    connect: Duration,
}

impl ResponseStream {
    /// The body's length, when the response declares it.
    pub(crate) fn len(&self) -> Option<u64> {
        self.len
    }

    /// Reads the whole body, within `limit` bytes; a longer one fails unread.
    async fn read_all(mut self, status: u16, limit: usize) -> Result<Bytes, HttpError> {
        let too_large = || HttpError::BodyTooLarge { status, limit };
        if self.len.is_some_and(|len| len > limit as u64) {
            return Err(too_large());
        }
        let capacity = self.len.map_or(0, |len| len as usize);
        let mut collected = Collected::Empty;
        while let Some(data) = std::future::poll_fn(|cx| Pin::new(&mut self).poll_next(cx)).await {
            let data = data?;
            if self.received > limit {
                return Err(too_large());
            }
            collected.push(data, capacity);
        }
        Ok(collected.into_bytes())
    }
}

impl Stream for ResponseStream {
    type Item = Result<Bytes, HttpError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        if !this.waiting {
            this.waiting = true;
            this.wait_started = Instant::now();
            if let Some((limit, timer)) = &mut this.read {
                timer.as_mut().reset(tokio::time::Instant::now() + *limit);
            }
        }
        loop {
            let frame = match Pin::new(&mut this.body).poll_frame(cx) {
                Poll::Ready(frame) => frame,
                Poll::Pending => {
                    if let Some((limit, timer)) = &mut this.read {
                        if timer.as_mut().poll(cx).is_ready() {
                            let error = TimeoutError::new(TimeoutKind::Read, *limit);
                            return Poll::Ready(Some(Err(HttpError::Timeout(error))));
                        }
                    }
                    return Poll::Pending;
                }
            };
            this.waiting = false;
            let data = match frame {
                None => return Poll::Ready(None),
                Some(Err(e)) => {
                    let error = classify(&e, false, &this.authority, this.connect);
                    return Poll::Ready(Some(Err(error)));
                }
                Some(Ok(frame)) => match frame.into_data() {
                    Ok(data) => data,
                    Err(_) => continue, // trailers
                },
            };
            this.received += data.len();
            this.waited += this.wait_started.elapsed();
            if let Some(stall) = this.stall {
                if stall.stalled(this.received, this.waited) {
                    let error = TimeoutError::new(TimeoutKind::StalledBody, stall.grace);
                    return Poll::Ready(Some(Err(HttpError::Timeout(error))));
                }
            }
            return Poll::Ready(Some(Ok(data)));
        }
    }
}

/// Sorts a hyper error by what a retry can do about it; the message is the whole chain of
/// causes, since hyper's outer messages alone ("client error (Connect)") say little.
fn classify(
    error: &(dyn StdError + 'static),
    connecting: bool,
    authority: &Authority,
    connect_timeout: Duration,
) -> HttpError {
    let mut causes = String::new();
    let (mut tls, mut timed_out, mut broken) = (false, false, false);
    let mut next = Some(error);
    while let Some(e) = next {
        if let Some(io_error) = e.downcast_ref::<io::Error>() {
            timed_out |= io_error.kind() == io::ErrorKind::TimedOut;
            broken = true;
            // A wrapping io::Error displays as the error it wraps; show that one once.
            if let Some(inner) = io_error.get_ref() {
                next = Some(inner);
                continue;
            }
        }
        if let Some(hyper_error) = e.downcast_ref::<hyper::Error>() {
            broken |= hyper_error.is_incomplete_message()
                || hyper_error.is_closed()
                || hyper_error.is_canceled()
                || hyper_error.is_body_write_aborted();
        }
        tls |= e.is::<rustls::Error>();
        if !causes.is_empty() {
            causes.push_str(": ");
        }
        causes.push_str(&e.to_string());
        next = e.source();
    }
    let host = HostPort(authority);
    if tls {
        // Certificate and protocol failures repeat on every attempt.
        HttpError::Other(TransportError::new(
            format!("TLS with {host} failed: {causes}"),
            None,
        ))
    } else if connecting && timed_out {
        HttpError::Timeout(TimeoutError::new(TimeoutKind::Connect, connect_timeout))
    } else if connecting {
        HttpError::Connect(TransportError::new(
            format!("cannot connect to {host}: {causes}"),
            None,
        ))
    } else if broken {
        HttpError::Io(TransportError::new(
            format!("connection to {host} broke: {causes}"),
            None,
        ))
    } else {
        HttpError::Other(TransportError::new(
            format!("exchange with {host} failed: {causes}"),
            None,
        ))
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

/// The response to a request, failing with a read timeout once `limit` has passed since the
/// request's body last sent a piece (or, when it has been sent, since its end).
async fn idle_within<T>(
    limit: Option<Duration>,
    progress: &Progress,
    future: impl Future<Output = T>,
) -> Result<T, HttpError> {
    let Some(limit) = limit else {
        return Ok(future.await);
    };
    let mut future = std::pin::pin!(future);
    loop {
        tokio::select! {
            output = &mut future => return Ok(output),
            () = tokio::time::sleep_until(progress.last() + limit) => {
                if progress.last() + limit <= tokio::time::Instant::now() {
                    return Err(HttpError::Timeout(TimeoutError::new(TimeoutKind::Read, limit)));
                }
            }
        }
    }
}

/// The host and port of an authority, leaving out any `user:password@`.
struct HostPort<'a>(&'a Authority);

impl fmt::Display for HostPort<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0.host())?;
        match self.0.port_u16() {
            Some(port) => write!(f, ":{port}"),
            None => Ok(()),
        }
    }
}

/// The request's authority, if its URI is one the client can send to.
fn check_uri(uri: &http::Uri) -> Result<Authority, HttpError> {
    let supported = matches!(uri.scheme(), Some(s) if *s == Scheme::HTTP || *s == Scheme::HTTPS);
    match uri.authority() {
        Some(authority) if supported => Ok(authority.clone()),
        _ => Err(HttpError::Other(TransportError::new(
            "request URI is not an absolute http or https URI",
            None,
        ))),
    }
}

/// Why an attempt got no response, sorted by what a retry can do about it.
#[derive(Debug)]
#[non_exhaustive]
pub enum HttpError {
    /// No connection could be made: DNS failure, refused or reset connection. Retryable.
    Connect(TransportError),
    /// The connection broke while sending the request or reading the response. Retryable.
    Io(TransportError),
    /// The connect, read, stalled-body or attempt timeout elapsed. Retryable.
    Timeout(TimeoutError),
    /// Another attempt would fail the same way: the request URI is unusable, TLS failed
    /// (for example an untrusted certificate), or the response is not valid HTTP.
    Other(TransportError),
    /// The response body is larger than [`HttpConfig::max_response_body`]; it was not read,
    /// and its connection is closed. Not retryable: the same body would come back.
    BodyTooLarge {
        /// The response's status.
        status: u16,
        /// The limit it passed.
        limit: usize,
    },
}

impl fmt::Display for HttpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HttpError::Connect(e) | HttpError::Io(e) | HttpError::Other(e) => e.fmt(f),
            HttpError::Timeout(e) => e.fmt(f),
            HttpError::BodyTooLarge { limit, .. } => f.write_str(&body_too_large(*limit)),
        }
    }
}

fn body_too_large(limit: usize) -> String {
    format!(
        "the response body is larger than the {limit}-byte limit (HttpConfig::max_response_body)"
    )
}

impl StdError for HttpError {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        match self {
            HttpError::Connect(e) | HttpError::Io(e) | HttpError::Other(e) => e.source(),
            HttpError::Timeout(e) => e.source(),
            HttpError::BodyTooLarge { .. } => None,
        }
    }
}

impl<E> From<HttpError> for Error<E> {
    fn from(e: HttpError) -> Self {
        match e {
            HttpError::Connect(e) | HttpError::Io(e) | HttpError::Other(e) => Error::Transport(e),
            HttpError::Timeout(e) => Error::Timeout(e),
            HttpError::BodyTooLarge { status, limit } => Error::Response(
                ResponseError::new(body_too_large(limit)).with_meta(ErrorMetadata::new(status)),
            ),
        }
    }
}
