//! The operation loop: from a serialized request and its resolved endpoint to an output or a
//! typed error, with signing, retries, clock-skew correction and timeouts.
//!
//! Generated clients hold a [`Runtime`] built from a [`ClientConfig`] and hand it one
//! [`Operation`] per call; nothing here knows which operation it runs.
//!
//! Here: the loop. The settings are in `config`, what a call hands over in `operation`, the
//! request body's hash and checksum in `payload`, the request-metadata headers in `metadata`,
//! and the streaming response body in `response`.

mod config;
mod metadata;
mod operation;
mod payload;
mod region;
mod response;

use std::convert::Infallible;
use std::fmt;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::header::{HeaderName, HeaderValue, CONTENT_LENGTH};
use http::{Method, Request, Response, Uri};
use tracing::Instrument;

pub use config::{ClientConfig, PayloadSigning, ServiceRules};
use operation::Call;
pub use operation::{
    Checksums, Deserialize, DeserializeError, EndpointInRegion, Operation, PresignedRequest,
    SendFuture,
};

use crate::aws_chunked::STREAMING_UNSIGNED_PAYLOAD_TRAILER;
use crate::body::{ByteStream, RequestBody};
use crate::checksum::{Algorithm, ChecksumPolicy};
use crate::credentials::{Credentials, SharedCredentialsProvider};
use crate::endpoint::{AuthScheme, Endpoint};
use crate::error::{
    BuildError, CredentialsError, Error, ErrorMetadata, ServiceError, TimeoutError, TimeoutKind,
    TransportError,
};
use crate::express::{SessionCache, SharedCreateSession};
use crate::http::{HttpClient, HttpError, Limits, Received, SharedHttpClient};
use crate::rest::{self, SerializedRequest};
use crate::retry::{self, RetryConfig, RetryKind, RetryPermit, RetryQuota, SkewCorrectedClock};
use crate::sigv4::{PayloadHash, Signer, SigningParams, SigningSettings, S3_SESSION_TOKEN};
use crate::time::{Clock, SharedClock};
use crate::waiter::Poller;
use metadata::{add_request_metadata, invocation_id, user_agent};
use payload::{aws_chunked_headers, payload, Payload};
use region::BucketRegions;
use response::response_body;

/// A client's shared machinery: connection pool, signer and its key cache, retry quota and
/// skew-corrected clock.
pub struct Runtime {
    http: Result<SharedHttpClient, String>,
    credentials: Option<SharedCredentialsProvider>,
    signer: Signer,
    retry: RetryConfig,
    quota: RetryQuota,
    clock: Arc<SkewCorrectedClock>,
    /// `clock`, shared with the session cache and waiters.
    shared_clock: SharedClock,
    limits: Limits,
    sessions: SessionCache,
    session_mode: Option<Arc<str>>,
    create_session: Option<SharedCreateSession>,
    rules: ServiceRules,
    /// `rules.signing` with the session token in `x-amz-s3session-token`, for `sigv4-s3express`.
    session_signing: SigningSettings,
    checksum_policy: ChecksumPolicy,
    payload_signing: PayloadSigning,
    app_name: Option<Arc<str>>,
    /// `User-Agent` and `x-amz-user-agent`, from the client's name and the app name.
    user_agent: HeaderValue,
    /// With cross-region access, the regions learned for buckets outside the client's.
    bucket_regions: Option<BucketRegions>,
}

impl fmt::Debug for Runtime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Runtime")
            .field("http", &self.http)
            .field("credentials", &self.credentials)
            .field("retry", &self.retry)
            .field("quota", &self.quota)
            .field("clock", &self.clock)
            .field("sessions", &self.sessions)
            .finish_non_exhaustive()
    }
}

/// How one operation's requests are signed, from the endpoint's preferred auth scheme.
struct Auth<'a> {
    region: &'a str,
    service: &'a str,
    settings: SigningSettings,
    identity: Identity,
}

/// The most headers an attempt adds to the request: the signer's `x-amz-date`,
/// `x-amz-content-sha256`, session token and `authorization`, and the four of
/// `add_request_metadata`.
const ADDED_HEADERS: usize = 8;

/// The error code of a request signed with a session that S3 considers expired.
const EXPIRED_SESSION: &str = "ExpiredToken";

/// Whose credentials sign a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Identity {
    /// The client's credentials provider (`sigv4`).
    Base,
    /// The S3 Express session of the request's bucket (`sigv4-s3express`).
    Session,
}

impl Runtime {
    /// The machinery for `config`. An HTTP client that cannot be built (no usable root
    /// certificates, an unreadable CA bundle, a bad proxy URL) fails each request with a
    /// transport error saying why, before sending anything.
    pub fn new(config: &ClientConfig) -> Self {
        let http = match &config.http_client {
            Some(client) => Ok(client.clone()),
            None => HttpClient::from_config(&config.http)
                .map(|client| Arc::new(client) as SharedHttpClient),
        };
        let clock = Arc::new(SkewCorrectedClock::new(config.clock.clone()));
        Self {
            http,
            credentials: config.credentials.clone(),
            signer: Signer::new(),
            retry: config.retry,
            quota: RetryQuota::default(),
            shared_clock: clock.clone(),
            clock,
            limits: Limits::new(&config.http),
            sessions: config.sessions.clone(),
            session_mode: config.session_mode.clone(),
            create_session: None,
            rules: ServiceRules::STANDARD,
            session_signing: session_signing(&ServiceRules::STANDARD.signing),
            checksum_policy: config.checksum_policy,
            payload_signing: config.payload_signing,
            user_agent: user_agent(ServiceRules::STANDARD.client, config.app_name.as_deref()),
            app_name: config.app_name.clone(),
            bucket_regions: config.cross_region_access.then(BucketRegions::default),
        }
    }

    /// Follows `rules`, the service's, rather than [`ServiceRules::STANDARD`].
    pub fn with_rules(mut self, rules: ServiceRules) -> Self {
        self.session_signing = session_signing(&rules.signing);
        self.user_agent = user_agent(rules.client, self.app_name.as_deref());
        self.rules = rules;
        self
    }

    /// Creates the S3 Express sessions that `sigv4-s3express` requests are signed with through
    /// `create_session`; without one, such requests fail before they are sent.
    pub fn with_create_session(mut self, create_session: SharedCreateSession) -> Self {
        self.create_session = Some(create_session);
        self
    }

    /// The S3 Express session credentials for `bucket`, as session-signed requests to it use
    /// them: cached, refreshed before they expire, created with the client's credentials.
    pub async fn session_credentials(&self, bucket: &str) -> Result<Credentials, CredentialsError> {
        let create_session = self.create_session.as_ref().ok_or_else(|| {
            CredentialsError::new("this client cannot create S3 Express sessions")
        })?;
        let base = self.base_credentials()?.provide_credentials().await?;
        self.sessions
            .get(
                bucket,
                self.session_mode.as_ref(),
                &base,
                create_session,
                &self.shared_clock,
            )
            .await
    }

    /// `request` to `endpoint` as a presigned request, valid for `expires_in` (1 second to 7
    /// days): its URL carries the signature, so whoever has it can send the request without
    /// credentials, with the same method and headers. The body is not signed
    /// (`UNSIGNED-PAYLOAD`), so the sender of a presigned upload chooses it.
    ///
    /// With `sigv4-s3express`, the URL is signed with `bucket`'s session, so it is valid for the
    /// shorter of `expires_in` and the session's remaining life.
    pub async fn presign<E>(
        &self,
        request: SerializedRequest,
        endpoint: &Endpoint,
        bucket: Option<&str>,
        expires_in: Duration,
    ) -> Result<PresignedRequest, Error<E>> {
        self.presign_request(request, endpoint, bucket, expires_in)
            .await
            .map_err(|e| e.map_service(|never, _| match never {}))
    }

    /// [`Runtime::presign`], which fails before any service error could be.
    async fn presign_request(
        &self,
        request: SerializedRequest,
        endpoint: &Endpoint,
        bucket: Option<&str>,
        expires_in: Duration,
    ) -> Result<PresignedRequest, Error<Infallible>> {
        let mut auth = auth(endpoint, &self.rules.signing, &self.session_signing)?;
        auth.settings.expires_in = expires_in;
        // The length is the sender's: a signed `Content-Length: 0` would refuse every body.
        let request = http_request(request, endpoint, false)?;
        let (mut head, _) = request.into_parts();
        head.headers.remove(CONTENT_LENGTH);
        let credentials = self
            .credentials(auth.identity, bucket)
            .await
            .map_err(Error::Credentials)?;
        let params = SigningParams {
            credentials: &credentials,
            region: auth.region,
            service: auth.service,
            time: self.clock.now().into(),
            payload: PayloadHash::Unsigned,
            settings: &auth.settings,
        };
        let head = Request::from_parts(head, Bytes::new());
        let uri = self
            .signer
            .presign(&head, &params)
            .map_err(|e| BuildError::invalid_value("expires_in", e.to_string()))?;
        let (parts, _) = head.into_parts();
        Ok(PresignedRequest {
            method: parts.method,
            uri,
            headers: parts.headers,
            expires_in,
        })
    }

    /// The polling schedule of a waiter, on the client's clock and retry jitter.
    pub fn poller(&self, min_delay: Duration, max_delay: Duration, max_wait: Duration) -> Poller {
        Poller::new(
            min_delay,
            max_delay,
            max_wait,
            self.shared_clock.clone(),
            self.retry.jitter(),
        )
    }

    fn base_credentials(&self) -> Result<&SharedCredentialsProvider, CredentialsError> {
        self.credentials
            .as_ref()
            .ok_or_else(|| CredentialsError::new("the client has no credentials provider"))
    }

    /// The credentials for one attempt of a request to `bucket`.
    async fn credentials(
        &self,
        identity: Identity,
        bucket: Option<&str>,
    ) -> Result<Credentials, CredentialsError> {
        match (identity, bucket) {
            (Identity::Base, _) => self.base_credentials()?.provide_credentials().await,
            (Identity::Session, Some(bucket)) => self.session_credentials(bucket).await,
            (Identity::Session, None) => Err(CredentialsError::new(
                "S3 Express session auth needs the request's bucket, and the operation names none",
            )),
        }
    }

    /// Runs `operation`: signs, sends and retries until it succeeds, fails for good, or runs out
    /// of attempts, retry quota or time.
    ///
    /// Only reading the output and the error depends on the operation's types: the loop is not
    /// generic, so that it is compiled once rather than once per operation.
    pub async fn invoke<O, E>(&self, operation: Operation<'_, O, E>) -> Result<O, Error<E>> {
        let (call, deserialize, deserialize_error) = operation.into_call();
        let success = self
            .call(call)
            .await
            .map_err(|e| e.map_service(|response, meta| deserialize_error(&response, meta)))?;
        match (success, deserialize) {
            (Success::Buffered(response), Deserialize::Buffered(deserialize)) => {
                deserialize(&response)
                    .map_err(|e| Error::Response(e.with_meta(response_metadata(&response))))
            }
            (Success::Streaming(response), Deserialize::Streaming(deserialize)) => {
                let meta = response_metadata(&response);
                deserialize(response).map_err(|e| Error::Response(e.with_meta(meta)))
            }
            _ => unreachable!("a response is buffered or streaming as its operation's output"),
        }
    }

    /// The successful response to `call`, or why there is none; a service error is the error
    /// response, for the operation to read.
    async fn call(&self, call: Call<'_>) -> Result<Success, Error<ErrorResponse>> {
        let span = tracing::debug_span!("operation", name = call.name);
        // Attempts made so far, for the operation timeout's message.
        let made = AtomicU32::new(0);
        let attempts = self.attempts_in_region(call, &made).instrument(span);
        match self.limits.timeouts.operation {
            Some(limit) => tokio::time::timeout(limit, attempts)
                .await
                .unwrap_or_else(|_| {
                    let error = TimeoutError::new(TimeoutKind::Operation, limit);
                    Err(Error::Timeout(
                        error.with_attempts(made.load(Ordering::Relaxed)),
                    ))
                }),
            None => attempts.await,
        }
    }

    /// The attempts of `call`; with cross-region access, to the region learned for its bucket,
    /// and once more to the region S3 names if it answers that the bucket is elsewhere.
    async fn attempts_in_region(
        &self,
        mut call: Call<'_>,
        made: &AtomicU32,
    ) -> Result<Success, Error<ErrorResponse>> {
        let (Some(regions), Some(bucket), Some(endpoint_in)) =
            (&self.bucket_regions, call.bucket, call.endpoint_in_region)
        else {
            return self.attempts(call, made).await;
        };
        if let Some(region) = regions.get(bucket) {
            call.endpoint = endpoint_in(&region)?;
        }
        let signed_for = auth(&call.endpoint, &self.rules.signing, &self.session_signing)?
            .region
            .to_owned();
        let replay = call
            .request
            .body
            .is_replayable()
            .then(|| call.request.clone());
        let Call {
            name,
            error_in_success,
            checksums,
            streaming,
            ..
        } = call;
        let result = self.attempts(call, made).await;
        let (region, request) = match (&result, replay) {
            (Err(Error::Service(e)), Some(request)) => {
                match region::redirect(e.meta(), &signed_for) {
                    Some(region) => (region.to_owned(), request),
                    None => return result,
                }
            }
            _ => return result,
        };
        tracing::debug!(bucket, region, "following the bucket to its region");
        regions.insert(bucket, &region);
        let call = Call {
            name,
            bucket: Some(bucket),
            error_in_success,
            request,
            checksums,
            endpoint: endpoint_in(&region)?,
            endpoint_in_region: None,
            streaming,
        };
        self.attempts(call, made).await
    }

    async fn attempts(
        &self,
        call: Call<'_>,
        made: &AtomicU32,
    ) -> Result<Success, Error<ErrorResponse>> {
        let http = self
            .http
            .as_ref()
            .map_err(|e| Error::Transport(TransportError::new(e.clone(), None)))?;
        let auth = auth(&call.endpoint, &self.rules.signing, &self.session_signing)?;
        let request = http_request(
            call.request,
            &call.endpoint,
            self.rules.content_length_on_put_and_post,
        )?;
        let (mut head, body) = request.into_parts();
        let algorithm = self.request_checksum(&call.checksums)?;
        // A stream's checksum is known once it has been sent: it goes in an `aws-chunked`
        // trailer, and so does a CRC32 of a stream of unknown length, as the AWS SDKs send one.
        let trailer = match body.is_replayable() {
            true => None,
            false => algorithm.or_else(|| body.len().is_none().then_some(Algorithm::Crc32)),
        };
        let payload = match trailer {
            Some(algorithm) => {
                aws_chunked_headers(&mut head.headers, algorithm, body.len());
                Payload {
                    hash: STREAMING_UNSIGNED_PAYLOAD_TRAILER.into(),
                    checksum: None,
                }
            }
            None => {
                let https = head.uri.scheme() == Some(&http::uri::Scheme::HTTPS);
                let unsigned = !body.is_replayable()
                    || match self.payload_signing {
                        PayloadSigning::Always => false,
                        PayloadSigning::UnsignedOverHttps => https,
                        PayloadSigning::Never => true,
                    };
                payload(&body, algorithm, unsigned)
                    .await
                    .map_err(|e| Error::Build(BuildError::invalid_value("body", e.to_string())))?
            }
        };
        if let (Some(algorithm), Some(checksum)) = (algorithm, &payload.checksum) {
            let value = HeaderValue::try_from(checksum.as_str())
                .map_err(|_| BuildError::invalid_value("body", "checksum is not a header value"))?;
            head.headers
                .insert(HeaderName::from_static(algorithm.header_name()), value);
        }
        let head = Request::from_parts(head, Bytes::new());
        let replayable = body.is_replayable();
        let max_attempts = if replayable {
            self.retry.max_attempts()
        } else {
            1
        };
        let invocation_id = invocation_id();
        let mut permit: Option<RetryPermit> = None;
        let mut attempt = 0;
        loop {
            attempt += 1;
            made.store(attempt, Ordering::Relaxed);
            let credentials = self
                .credentials(auth.identity, call.bucket)
                .await
                .map_err(Error::Credentials)?;
            let mut signed = head.clone();
            // Room for what signing and the metadata add, so the map grows once.
            signed.headers_mut().reserve(ADDED_HEADERS);
            let params = SigningParams {
                credentials: &credentials,
                region: auth.region,
                service: auth.service,
                time: self.clock.now().into(),
                payload: PayloadHash::Precomputed(&payload.hash),
                settings: &auth.settings,
            };
            self.signer
                .sign(&mut signed, &params)
                .map_err(|e| Error::Build(BuildError::invalid_value("request", e.to_string())))?;
            add_request_metadata(
                signed.headers_mut(),
                &self.user_agent,
                &invocation_id,
                attempt,
                max_attempts,
            );
            let attempt_body = match trailer {
                Some(algorithm) => RequestBody::aws_chunked(&body, algorithm),
                None => RequestBody::new(&body),
            };
            let attempt_body = attempt_body.map_err(|e| {
                Error::Transport(TransportError::new(e.to_string(), None).with_attempts(attempt))
            })?;
            let signed = signed.map(|_| attempt_body);
            let sent = self
                .limits
                .exchange(&**http, signed, self.limits.timeouts.attempt, |status| {
                    call.streaming && status.is_success()
                })
                .instrument(tracing::debug_span!("attempt", attempt))
                .await;
            let failure = match sent {
                Ok(response) => match response.into_parts() {
                    (parts, Received::Stream(stream)) => {
                        self.quota.succeeded(permit.take());
                        let body = response_body(stream, &parts.headers, &call.checksums);
                        return Ok(Success::Streaming(Response::from_parts(parts, body)));
                    }
                    (parts, Received::Bytes(bytes)) => {
                        let response = Response::from_parts(parts, bytes);
                        if !rest::is_error(&response, call.error_in_success) {
                            self.quota.succeeded(permit.take());
                            return Ok(match call.streaming {
                                // Not reached: a streaming operation's 2xx body is handed on as
                                // a stream, and other statuses are errors.
                                true => Success::Streaming(response.map(ByteStream::from)),
                                false => Success::Buffered(response),
                            });
                        }
                        Failure::Response(response)
                    }
                },
                Err(e) => Failure::Transport(e),
            };
            let kind = match &failure {
                Failure::Response(response) => {
                    let meta = rest::error_metadata(response, self.rules.status_codes);
                    let date = retry::response_date(response.headers());
                    let skewed = date.is_some_and(|d| self.clock.is_skewed(d));
                    let kind = retry::classify_response(meta.status(), meta.code(), skewed);
                    if let (Some(RetryKind::ClockSkew), Some(date)) = (kind, date) {
                        self.clock.correct(date);
                    }
                    match (auth.identity, call.bucket) {
                        // The service's clock says the session is over: drop it so that the
                        // next attempt creates another.
                        (Identity::Session, Some(bucket))
                            if meta.code() == Some(EXPIRED_SESSION) =>
                        {
                            self.sessions.invalidate(bucket, &credentials);
                            Some(RetryKind::Transient)
                        }
                        _ => kind,
                    }
                }
                Failure::Transport(e) => retry::classify_error(e),
            };
            let retry_permit = kind
                .filter(|_| attempt < max_attempts)
                .and_then(|kind| self.quota.acquire(kind));
            let Some(retry_permit) = retry_permit else {
                let signed_for = call.bucket.map(|_| auth.region);
                let error = failure.into_error(&self.rules, attempt, signed_for);
                return Err(match (kind, replayable) {
                    (Some(_), false) => not_retried(error, ONE_SHOT),
                    _ => error,
                });
            };
            tracing::debug!(attempt, ?kind, "retrying");
            permit = Some(retry_permit);
            tokio::time::sleep(self.retry.backoff(attempt)).await;
        }
    }

    /// The checksum algorithm of the request, if it carries one.
    fn request_checksum(&self, checksums: &Checksums<'_>) -> Result<Option<Algorithm>, BuildError> {
        Ok(match checksums.algorithm {
            Some(name) => Some(Algorithm::from_name(name).ok_or_else(|| {
                BuildError::invalid_value(
                    "checksum_algorithm",
                    format!("`{name}` is not a checksum algorithm this client computes"),
                )
            })?),
            None if checksums.required => Some(Algorithm::Crc32),
            None if checksums.supported
                && self.checksum_policy == ChecksumPolicy::WhenSupported =>
            {
                Some(Algorithm::Crc32)
            }
            None => None,
        })
    }
}

/// Why a failure was not retried when the request body was a one-shot stream.
const ONE_SHOT: &str = "the request body is a stream, which can be sent once";

fn not_retried<E>(error: Error<E>, why: &'static str) -> Error<E> {
    match error {
        Error::Transport(e) => Error::Transport(e.not_retried(why)),
        Error::Timeout(e) => Error::Timeout(e.not_retried(why)),
        other => other,
    }
}

/// An error response, for the operation to read its error from; boxed, so that the loop's
/// `Result`, moved up through each layer, stays small.
type ErrorResponse = Box<Response<Bytes>>;

/// A successful response, for the operation to read its output from.
enum Success {
    /// With its whole body.
    Buffered(Response<Bytes>),
    /// With its body still streaming, for a `@streaming` payload.
    Streaming(Response<ByteStream>),
}

/// Why an attempt failed.
enum Failure {
    Response(Response<Bytes>),
    Transport(HttpError),
}

impl Failure {
    /// The error the operation fails with after `attempts` attempts; `signed_for`, the region a
    /// request to a bucket was signed for.
    fn into_error(
        self,
        rules: &ServiceRules,
        attempts: u32,
        signed_for: Option<&str>,
    ) -> Error<ErrorResponse> {
        match self {
            Failure::Response(response) => {
                let mut meta = rest::error_metadata(&response, rules.status_codes);
                if let Some(region) = signed_for {
                    meta = region::hint_bare_400(meta, region, response.body().is_empty());
                }
                Error::Service(ServiceError::new(Box::new(response), meta))
            }
            Failure::Transport(HttpError::Timeout(e)) => Error::Timeout(e.with_attempts(attempts)),
            Failure::Transport(HttpError::Connect(e) | HttpError::Io(e) | HttpError::Other(e)) => {
                Error::Transport(e.with_attempts(attempts))
            }
            Failure::Transport(e @ HttpError::BodyTooLarge { .. }) => e.into(),
        }
    }
}

/// The status and request ids of a response, for an error about it.
fn response_metadata<B>(response: &Response<B>) -> ErrorMetadata {
    let ids = rest::RequestIds::from_response(response);
    let mut meta = ErrorMetadata::new(response.status().as_u16());
    if let Some(id) = ids.request_id() {
        meta = meta.with_request_id(id);
    }
    if let Some(id) = ids.extended_request_id() {
        meta = meta.with_extended_request_id(id);
    }
    meta
}

/// The signing settings of the endpoint's preferred auth scheme, from the service's `signing`.
fn auth<'a>(
    endpoint: &'a Endpoint,
    signing: &SigningSettings,
    session_signing: &SigningSettings,
) -> Result<Auth<'a>, BuildError> {
    let scheme: &AuthScheme = endpoint
        .auth_schemes
        .first()
        .ok_or_else(|| BuildError::endpoint("the endpoint names no auth scheme"))?;
    let (settings, identity) = match &*scheme.name {
        "sigv4" => (signing.clone(), Identity::Base),
        "sigv4-s3express" => (session_signing.clone(), Identity::Session),
        other => {
            return Err(BuildError::endpoint(format!(
                "auth scheme `{other}` is not supported"
            )))
        }
    };
    let settings = SigningSettings {
        double_encode_path: !scheme.disable_double_encoding.unwrap_or(false),
        ..settings
    };
    let (Some(region), Some(service)) = (&scheme.signing_region, &scheme.signing_name) else {
        return Err(BuildError::endpoint(
            "the endpoint's auth scheme names no signing region or name",
        ));
    };
    Ok(Auth {
        region,
        service,
        settings,
        identity,
    })
}

/// The signing settings of `sigv4-s3express`: the service's, with the session token in
/// `x-amz-s3session-token`.
fn session_signing(signing: &SigningSettings) -> SigningSettings {
    SigningSettings {
        session_token_header: S3_SESSION_TOKEN,
        ..signing.clone()
    }
}

/// The HTTP request: the endpoint's URL joined with the request's path and query, the request's
/// and the endpoint's headers, and the body with its length (when known).
fn http_request(
    request: SerializedRequest,
    endpoint: &Endpoint,
    content_length_on_put_and_post: bool,
) -> Result<Request<ByteStream>, BuildError> {
    // From the `String`, whose buffer the `Uri` keeps.
    let uri =
        Uri::try_from(join_url(&endpoint.url, &request.path, &request.query)).map_err(|e| {
            let uri = join_url(&endpoint.url, &request.path, &request.query);
            BuildError::endpoint(format!("invalid endpoint URL `{uri}`: {e}"))
        })?;
    let mut headers = request.headers;
    for (name, values) in &endpoint.headers {
        let name = HeaderName::try_from(&**name)
            .map_err(|_| BuildError::endpoint(format!("invalid endpoint header name `{name}`")))?;
        for value in values {
            let value = HeaderValue::try_from(&**value).map_err(|_| {
                BuildError::endpoint(format!("invalid value of endpoint header `{name}`"))
            })?;
            headers.append(name.clone(), value);
        }
    }
    let put_or_post = matches!(request.method, Method::PUT | Method::POST);
    match request.body.len() {
        Some(0) if !(content_length_on_put_and_post && put_or_post) => {}
        Some(len) => {
            headers.insert(CONTENT_LENGTH, HeaderValue::from(len));
        }
        None => {}
    }
    let mut http = Request::new(request.body);
    *http.method_mut() = request.method;
    *http.uri_mut() = uri;
    *http.headers_mut() = headers;
    Ok(http)
}

/// `url` followed by `path` and `query`. A path-style endpoint (`http://host/bucket`) takes the
/// request's path after its own, and a bare `/` adds nothing to it.
fn join_url(url: &str, path: &str, query: &str) -> String {
    let base = url.trim_end_matches('/');
    let has_path = base
        .split_once("://")
        .is_some_and(|(_, rest)| rest.contains('/'));
    let path = if has_path && path == "/" { "" } else { path };
    let query_len = if query.is_empty() { 0 } else { 1 + query.len() };
    // Exactly the length, so that the `Uri` takes the buffer over without another allocation.
    let mut out = String::with_capacity(base.len() + path.len() + query_len);
    out.push_str(base);
    out.push_str(path);
    if !query.is_empty() {
        out.push('?');
        out.push_str(query);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joins_endpoint_and_request_paths() {
        let cases = [
            (
                "https://b.s3.us-east-1.amazonaws.com",
                "/",
                "",
                "https://b.s3.us-east-1.amazonaws.com/",
            ),
            (
                "https://s3.us-east-1.amazonaws.com",
                "/",
                "x-id=ListBuckets",
                "https://s3.us-east-1.amazonaws.com/?x-id=ListBuckets",
            ),
            (
                "http://127.0.0.1:9000/bucket",
                "/",
                "location",
                "http://127.0.0.1:9000/bucket?location",
            ),
            (
                "http://127.0.0.1:9000/bucket",
                "/a/b",
                "",
                "http://127.0.0.1:9000/bucket/a/b",
            ),
            ("http://127.0.0.1:9000/", "/", "", "http://127.0.0.1:9000/"),
        ];
        for (url, path, query, expected) in cases {
            assert_eq!(join_url(url, path, query), expected);
        }
    }
}
