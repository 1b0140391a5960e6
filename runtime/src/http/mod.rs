//! The HTTP client: pooled HTTP/1.1 connections over TCP, or TLS with rustls and its `ring`
//! provider (no C toolchain needed), directly or through a proxy, with connect and attempt
//! timeouts.
//!
//! A client sends through an [`HttpSend`]: the default [`HttpClient`], or one of your own. One
//! [`HttpClient`] serves a whole S3 client: clones share the connection pool. Whatever sends,
//! the runtime holds the exchange to its limits: a response body is read whole, within a size
//! cap, so an attempt either completes or fails as a unit, which is what retries need; only a
//! successful response with a streaming body is handed on unread, as a stream with the same
//! read and stalled-body timeouts. Failures are classified once, here, into an [`HttpError`]
//! whose variant tells the retry classifier whether another attempt can help.

mod proxy;
mod response;
mod tls;

pub use proxy::ProxyConfig;
pub(crate) use response::{Received, ResponseStream};

use std::error::Error as StdError;
use std::fmt;
use std::io;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use futures_core::Stream;
use http::header::{HeaderValue, HOST, PROXY_AUTHORIZATION};
use http::uri::{Authority, Scheme};
use http::{Request, Response, StatusCode};
use http_body::Body as _;
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::{TokioExecutor, TokioTimer};

use crate::body::{BodyError, ByteStream, Progress, RequestBody};
use crate::client::SendFuture;
use crate::error::{
    Error, ErrorMetadata, ResponseError, TimeoutError, TimeoutKind, TransportError,
};
use crate::profile::Env;
use crate::sigv4::uri_host;
use proxy::{Connector, Proxies};

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
    /// The most idle connections kept per host. Default 128: a burst of up to 128 concurrent
    /// requests to a host finds its connections again; beyond that, the extra ones close as
    /// they come back, so that the pool stays bounded whatever the burst.
    pub max_idle_per_host: usize,
    /// The largest response body read into memory. Default 64 MiB, far above any listing (a
    /// 10,000-bucket ListBuckets is about 1.5 MB). A larger body fails the call with a typed
    /// error, and its connection is closed rather than drained.
    pub max_response_body: usize,
    /// A PEM file of certificates trusted besides the system's roots (`AWS_CA_BUNDLE`), for a
    /// private CA or a TLS-inspecting proxy. A file that cannot be read or holds no certificate
    /// fails [`HttpClient::new`].
    pub ca_bundle: Option<PathBuf>,
    /// The proxies requests go through. Default none.
    pub proxy: ProxyConfig,
}

/// The default [`HttpConfig::max_response_body`].
pub const DEFAULT_MAX_RESPONSE_BODY: usize = 64 << 20;

impl Default for HttpConfig {
    fn default() -> Self {
        Self {
            timeouts: TimeoutConfig::default(),
            pool_idle_timeout: Duration::from_secs(15),
            max_idle_per_host: 128,
            max_response_body: DEFAULT_MAX_RESPONSE_BODY,
            ca_bundle: None,
            proxy: ProxyConfig::default(),
        }
    }
}

impl HttpConfig {
    /// The defaults, with the CA bundle (`AWS_CA_BUNDLE`) and proxies (`HTTPS_PROXY`,
    /// `HTTP_PROXY`, `NO_PROXY`, or their lowercase forms) of `env`.
    pub fn from_env(env: &Env) -> Self {
        Self::default().with_env(env)
    }

    /// These settings, with the CA bundle and proxies of `env` in place of their own.
    pub fn with_env(mut self, env: &Env) -> Self {
        self.ca_bundle = env.get("AWS_CA_BUNDLE").map(PathBuf::from);
        self.proxy = ProxyConfig::from_env(env);
        self
    }
}

/// Sends requests for a client: the default [`HttpClient`], or an implementation of your own
/// (another HTTP stack, or a test double answering from memory), set with
/// [`ClientConfig::http_client`](crate::client::ClientConfig::http_client).
///
/// An implementation only exchanges messages: the runtime signs the request before, and holds
/// the exchange to the configuration's read, stalled-body and attempt timeouts and response
/// size cap, whatever the implementation does.
pub trait HttpSend: Send + Sync + fmt::Debug {
    /// Sends `request`, to an absolute `http` or `https` URI, and returns the response once its
    /// head has arrived, its body as it arrives.
    ///
    /// Any status is a response; only failing to get one is an error, whose variant says
    /// whether another attempt can help. The request body may be a stream that can be read
    /// once. A failing response body should yield [`BodyError::Transport`] or
    /// [`BodyError::Timeout`] (retried when the runtime reads the body whole); give it its
    /// length (as [`ByteStream::from`] bytes do) so that the size cap refuses a large one
    /// before reading it.
    fn send(
        &self,
        request: Request<ByteStream>,
    ) -> SendFuture<Result<Response<ByteStream>, HttpError>>;
}

/// A shared [`HttpSend`], as a client holds it.
pub type SharedHttpClient = Arc<dyn HttpSend>;

impl<T: HttpSend + ?Sized> HttpSend for Arc<T> {
    fn send(
        &self,
        request: Request<ByteStream>,
    ) -> SendFuture<Result<Response<ByteStream>, HttpError>> {
        (**self).send(request)
    }
}

/// A pooled HTTP/1.1 client for `http` and `https` URIs, the default [`HttpSend`]. Clones share
/// one pool.
#[derive(Clone)]
pub struct HttpClient {
    client: Client<HttpsConnector<Connector>, RequestBody>,
    proxies: Option<Arc<Proxies>>,
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
    /// A client that trusts the system's root certificates (loaded once per process) and
    /// those of [`HttpConfig::ca_bundle`].
    ///
    /// Fails when there is no root certificate to trust, the CA bundle cannot be read or
    /// holds no certificate, or a proxy URL is not an HTTP proxy's.
    pub fn new(config: &HttpConfig) -> Result<Self, TransportError> {
        Self::from_config(config).map_err(|e| TransportError::new(e, None))
    }

    /// [`new`](Self::new), failing with the message of the transport error.
    pub(crate) fn from_config(config: &HttpConfig) -> Result<Self, String> {
        Self::build(config, tls::client_config(config.ca_bundle.as_deref())?)
    }

    /// A client using the given TLS configuration, for custom roots or client certificates;
    /// [`HttpConfig::ca_bundle`] is not read (`tls` says what is trusted), and the client
    /// offers HTTP/1.1 by ALPN whatever `tls` offers.
    ///
    /// Fails when a proxy URL is not an HTTP proxy's.
    pub fn with_tls(
        config: &HttpConfig,
        mut tls: rustls::ClientConfig,
    ) -> Result<Self, TransportError> {
        tls.alpn_protocols = vec![b"http/1.1".to_vec()];
        Self::build(config, Arc::new(tls)).map_err(|e| TransportError::new(e, None))
    }

    fn build(config: &HttpConfig, tls: Arc<rustls::ClientConfig>) -> Result<Self, String> {
        let mut tcp = HttpConnector::new();
        tcp.enforce_http(false);
        tcp.set_nodelay(true);
        tcp.set_connect_timeout(Some(config.timeouts.connect));
        let proxies = Proxies::new(&config.proxy)?.map(Arc::new);
        let connector = Connector {
            tcp,
            proxies: proxies.clone(),
        };
        // Plain `http` URIs stay allowed: S3-compatible servers on a private network use them.
        let connector = HttpsConnector::from((connector, tls));
        let client = Client::builder(TokioExecutor::new())
            // The timer closes expired idle connections; without it they stay open until
            // the next checkout of their host.
            .pool_timer(TokioTimer::new())
            .pool_idle_timeout(config.pool_idle_timeout)
            .pool_max_idle_per_host(config.max_idle_per_host)
            .build(connector);
        Ok(Self {
            client,
            proxies,
            timeouts: config.timeouts,
            max_response_body: config.max_response_body,
        })
    }

    /// The timeouts this client was configured with.
    pub fn timeouts(&self) -> &TimeoutConfig {
        &self.timeouts
    }

    /// Sends `request` (an absolute `http` or `https` URI) and reads the whole response, all
    /// within `attempt_timeout` if given, and within this client's read and stalled-body
    /// timeouts and response size cap.
    ///
    /// Any status is a response; only failing to get one is an error.
    pub async fn send(
        &self,
        request: Request<Bytes>,
        attempt_timeout: Option<Duration>,
    ) -> Result<Response<Bytes>, HttpError> {
        let limits = Limits {
            timeouts: self.timeouts,
            max_response_body: self.max_response_body,
        };
        let request = request.map(RequestBody::from_bytes);
        let response = limits
            .exchange(self, request, attempt_timeout, |_| false)
            .await?;
        Ok(response.map(|body| match body {
            Received::Bytes(bytes) => bytes,
            Received::Stream(_) => Bytes::new(),
        }))
    }
}

impl HttpSend for HttpClient {
    fn send(
        &self,
        request: Request<ByteStream>,
    ) -> SendFuture<Result<Response<ByteStream>, HttpError>> {
        let (mut parts, body) = request.into_parts();
        let ready = check_uri(&parts.uri).and_then(|authority| {
            let body = RequestBody::new(&body)
                .map_err(|e| HttpError::Other(TransportError::new(e.to_string(), None)))?;
            Ok((authority, body))
        });
        let (authority, body) = match ready {
            Ok(ready) => ready,
            Err(e) => return Box::pin(std::future::ready(Err(e))),
        };
        if let Some(auth) = self
            .proxies
            .as_ref()
            .and_then(|p| p.http_authorization(&parts.uri))
        {
            parts.headers.insert(PROXY_AUTHORIZATION, auth);
        }
        // The host the signer signed, rather than hyper-util's (which writes it with
        // `format!`, and writes a port as a number where the URI may have leading zeros).
        if !parts.headers.contains_key(HOST) {
            if let Some(host) = uri_host(&parts.uri).and_then(|h| HeaderValue::from_str(h).ok()) {
                parts.headers.insert(HOST, host);
            }
        }
        let response = self.client.request(Request::from_parts(parts, body));
        let connect = self.timeouts.connect;
        Box::pin(async move {
            // hyper-util's outer error only names the stage; its cause says what happened.
            let response = response.await.map_err(|e| {
                classify(
                    e.source().unwrap_or(&e),
                    e.is_connect(),
                    &authority,
                    connect,
                )
            })?;
            // hyper's size of the body, not the header: a HEAD, 204 or 304 response declares
            // a length but has no body.
            let len = hyper::body::Body::size_hint(response.body()).exact();
            Ok(response.map(|body| {
                let body = IncomingStream {
                    body,
                    authority,
                    connect,
                };
                ByteStream::from_response(body, len)
            }))
        })
    }
}

/// A hyper response body as a stream of pieces, its errors classified.
struct IncomingStream {
    body: hyper::body::Incoming,
    /// The server, for error messages.
    authority: Authority,
    connect: Duration,
}

impl Stream for IncomingStream {
    type Item = Result<Bytes, BodyError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        loop {
            let frame = match std::task::ready!(Pin::new(&mut self.body).poll_frame(cx)) {
                None => return Poll::Ready(None),
                Some(Ok(frame)) => frame,
                Some(Err(e)) => {
                    let error = classify(&e, false, &self.authority, self.connect);
                    return Poll::Ready(Some(Err(error.into_body_error())));
                }
            };
            // Trailers are skipped.
            if let Ok(data) = frame.into_data() {
                return Poll::Ready(Some(Ok(data)));
            }
        }
    }
}

/// What the runtime holds any exchange to, whatever [`HttpSend`] makes it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limits {
    pub(crate) timeouts: TimeoutConfig,
    pub(crate) max_response_body: usize,
}

impl Limits {
    pub(crate) fn new(config: &HttpConfig) -> Self {
        Self {
            timeouts: config.timeouts,
            max_response_body: config.max_response_body,
        }
    }

    /// Sends `request` through `http` and reads the response: its body streamed if
    /// `stream(status)` says so, else read whole within the size cap. `attempt_timeout` bounds
    /// the exchange up to the body it streams, and the whole of a body it reads.
    pub(crate) async fn exchange(
        &self,
        http: &dyn HttpSend,
        request: Request<RequestBody>,
        attempt_timeout: Option<Duration>,
        stream: impl FnOnce(StatusCode) -> bool,
    ) -> Result<Response<Received>, HttpError> {
        let started = Instant::now();
        let method = request.method().clone();
        let authority = check_uri(request.uri())?;
        let exchange = self.exchange_within(http, request, stream);
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

    async fn exchange_within(
        &self,
        http: &dyn HttpSend,
        request: Request<RequestBody>,
        stream: impl FnOnce(StatusCode) -> bool,
    ) -> Result<Response<Received>, HttpError> {
        let started = tokio::time::Instant::now();
        let mut progress = None;
        let request = request.map(|body| match http_body::Body::size_hint(&body).exact() {
            // Nothing to send and no progress to tell.
            Some(0) => ByteStream::default(),
            len => {
                let progress = progress.insert(Progress::new()).clone();
                ByteStream::from_response(Frames(body.with_progress(progress)), len)
            }
        });
        let last_sent = || progress.as_ref().map_or(started, |p| p.last());
        let response = idle_within(self.timeouts.read, last_sent, http.send(request)).await??;
        let (parts, body) = response.into_parts();
        let body = ResponseStream::new(body, &self.timeouts);
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

/// A request body's data frames as a stream, for [`HttpSend`]'s [`ByteStream`].
struct Frames(RequestBody);

impl Stream for Frames {
    type Item = Result<Bytes, BodyError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        loop {
            match std::task::ready!(Pin::new(&mut self.0).poll_frame(cx)) {
                None => return Poll::Ready(None),
                Some(Err(e)) => return Poll::Ready(Some(Err(e))),
                Some(Ok(frame)) => {
                    if let Ok(data) = frame.into_data() {
                        return Poll::Ready(Some(Ok(data)));
                    }
                }
            }
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

/// The response to a request, failing with a read timeout once `limit` has passed since
/// `last_sent`: when the request's body last sent a piece (or, when it has been sent, its end).
async fn idle_within<T>(
    limit: Option<Duration>,
    last_sent: impl Fn() -> tokio::time::Instant,
    future: impl Future<Output = T>,
) -> Result<T, HttpError> {
    let Some(limit) = limit else {
        return Ok(future.await);
    };
    let mut future = std::pin::pin!(future);
    loop {
        tokio::select! {
            output = &mut future => return Ok(output),
            () = tokio::time::sleep_until(last_sent() + limit) => {
                if last_sent() + limit <= tokio::time::Instant::now() {
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

impl HttpError {
    /// The error as a body's: how a failing response body reports it.
    pub fn into_body_error(self) -> BodyError {
        match self {
            HttpError::Timeout(e) => BodyError::Timeout(e),
            HttpError::Connect(e) | HttpError::Io(e) | HttpError::Other(e) => {
                BodyError::Transport(e)
            }
            e @ HttpError::BodyTooLarge { .. } => {
                BodyError::Transport(TransportError::new(e.to_string(), None))
            }
        }
    }

    /// A response body's failure as the attempt's: a body that stops arriving or breaks is
    /// worth another attempt, one that is wrong in itself is not.
    fn from_body_error(error: BodyError) -> Self {
        match error {
            BodyError::Timeout(e) => HttpError::Timeout(e),
            BodyError::Transport(e) => HttpError::Io(e),
            e @ BodyError::Source(_) => HttpError::Io(TransportError::new(
                "the response body failed",
                Some(e.into()),
            )),
            e => HttpError::Other(TransportError::new(e.to_string(), None)),
        }
    }
}
