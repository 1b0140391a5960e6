//! Error types shared by every operation.
//!
//! An operation returns `Result<Output, Error<E>>`, where `E` is the operation's generated error
//! enum: its modeled errors plus `Unhandled`. Every error is `Send + Sync + 'static`, says what
//! happened in one lowercase line, and never carries secrets.

use std::borrow::Cow;
use std::fmt;
use std::time::Duration;

/// A boxed error that can move between threads.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// The error of an operation whose modeled errors are `E`.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error<E> {
    /// The input could not be turned into a request: a required member is missing, a value is
    /// invalid, or no endpoint exists for the input and configuration.
    Build(BuildError),
    /// No credentials could be loaded to sign the request.
    Credentials(CredentialsError),
    /// The request could not be sent or the response could not be received.
    Transport(TransportError),
    /// A connect, attempt or operation timeout elapsed.
    Timeout(TimeoutError),
    /// The service answered, but the response could not be understood.
    Response(ResponseError),
    /// The service answered with an error.
    Service(ServiceError<E>),
}

impl<E> Error<E> {
    /// The modeled error, when the service returned one.
    pub fn as_service_error(&self) -> Option<&E> {
        match self {
            Error::Service(e) => Some(&e.error),
            _ => None,
        }
    }

    /// Metadata of the service's error response, when there was one.
    pub fn meta(&self) -> Option<&ErrorMetadata> {
        match self {
            Error::Service(e) => Some(&e.meta),
            Error::Response(e) => Some(&e.meta),
            _ => None,
        }
    }

    /// The service's error code, such as `NoSuchBucket`.
    pub fn code(&self) -> Option<&str> {
        self.meta().and_then(ErrorMetadata::code)
    }

    /// The service's error message.
    pub fn message(&self) -> Option<&str> {
        self.meta().and_then(ErrorMetadata::message)
    }

    /// The `x-amz-request-id` of the failed response.
    pub fn request_id(&self) -> Option<&str> {
        self.meta().and_then(ErrorMetadata::request_id)
    }

    /// The `x-amz-id-2` of the failed response.
    pub fn extended_request_id(&self) -> Option<&str> {
        self.meta().and_then(ErrorMetadata::extended_request_id)
    }

    /// The HTTP status of the failed response.
    pub fn status(&self) -> Option<u16> {
        self.meta().map(ErrorMetadata::status)
    }

    /// The region the service says the request's bucket is in (see [`ErrorMetadata::region`]).
    pub fn region(&self) -> Option<&str> {
        self.meta().and_then(ErrorMetadata::region)
    }

    /// The same error, with a service error made by `f` from this one's and its metadata.
    pub(crate) fn map_service<F>(self, f: impl FnOnce(E, &ErrorMetadata) -> F) -> Error<F> {
        match self {
            Error::Build(e) => Error::Build(e),
            Error::Credentials(e) => Error::Credentials(e),
            Error::Transport(e) => Error::Transport(e),
            Error::Timeout(e) => Error::Timeout(e),
            Error::Response(e) => Error::Response(e),
            Error::Service(ServiceError { error, meta }) => Error::Service(ServiceError {
                error: f(error, &meta),
                meta,
            }),
        }
    }
}

impl<E: fmt::Display> fmt::Display for Error<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Build(e) => e.fmt(f),
            Error::Credentials(e) => e.fmt(f),
            Error::Transport(e) => e.fmt(f),
            Error::Timeout(e) => e.fmt(f),
            Error::Response(e) => e.fmt(f),
            Error::Service(e) => e.fmt(f),
        }
    }
}

impl<E> std::error::Error for Error<E>
where
    E: std::error::Error + 'static,
{
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Build(e) => Some(e),
            Error::Credentials(e) => Some(e),
            Error::Transport(e) => Some(e),
            Error::Timeout(e) => Some(e),
            Error::Response(e) => Some(e),
            Error::Service(e) => Some(&e.error),
        }
    }
}

impl<E> From<BuildError> for Error<E> {
    fn from(e: BuildError) -> Self {
        Error::Build(e)
    }
}

/// Why an input could not be turned into a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuildError {
    kind: BuildErrorKind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum BuildErrorKind {
    MissingMember {
        shape: &'static str,
        member: &'static str,
    },
    InvalidValue {
        member: &'static str,
        reason: Cow<'static, str>,
    },
    Endpoint(Cow<'static, str>),
}

impl BuildError {
    /// The required `member` (its Rust name) of the `shape` (its Rust type) was not set.
    pub fn missing_member(shape: &'static str, member: &'static str) -> Self {
        Self {
            kind: BuildErrorKind::MissingMember { shape, member },
        }
    }

    /// The value of `member` cannot be sent, for the given reason.
    pub fn invalid_value(member: &'static str, reason: impl Into<Cow<'static, str>>) -> Self {
        Self {
            kind: BuildErrorKind::InvalidValue {
                member,
                reason: reason.into(),
            },
        }
    }

    /// The endpoint rules found no endpoint for this input and configuration.
    pub fn endpoint(message: impl Into<Cow<'static, str>>) -> Self {
        Self {
            kind: BuildErrorKind::Endpoint(message.into()),
        }
    }

    /// The member at fault, by its Rust name, if the error is about one member.
    pub fn member(&self) -> Option<&'static str> {
        match &self.kind {
            BuildErrorKind::MissingMember { member, .. }
            | BuildErrorKind::InvalidValue { member, .. } => Some(member),
            BuildErrorKind::Endpoint(_) => None,
        }
    }

    /// Whether the error is a missing required member.
    pub fn is_missing_member(&self) -> bool {
        matches!(self.kind, BuildErrorKind::MissingMember { .. })
    }
}

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            BuildErrorKind::MissingMember { shape, member } => {
                write!(f, "missing required member `{member}` of `{shape}`")
            }
            BuildErrorKind::InvalidValue { member, reason } => {
                write!(f, "invalid value for `{member}`: {reason}")
            }
            BuildErrorKind::Endpoint(message) => write!(f, "no endpoint: {message}"),
        }
    }
}

impl std::error::Error for BuildError {}

/// No credentials could be loaded.
#[derive(Debug)]
pub struct CredentialsError {
    not_found: bool,
    message: Cow<'static, str>,
    source: Option<BoxError>,
}

impl CredentialsError {
    /// An error with a message and no underlying cause.
    pub fn new(message: impl Into<Cow<'static, str>>) -> Self {
        Self {
            not_found: false,
            message: message.into(),
            source: None,
        }
    }

    /// An error caused by `source`.
    pub fn with_source(message: impl Into<Cow<'static, str>>, source: impl Into<BoxError>) -> Self {
        Self {
            not_found: false,
            message: message.into(),
            source: Some(source.into()),
        }
    }

    /// The source holds no credentials, which is not a fault: a chain of providers moves on to
    /// its next source instead of failing. `message` says what was looked for.
    pub fn not_found(message: impl Into<Cow<'static, str>>) -> Self {
        Self {
            not_found: true,
            ..Self::new(message)
        }
    }

    /// Whether the source simply held no credentials, rather than failing to load them.
    pub fn is_not_found(&self) -> bool {
        self.not_found
    }

    /// What went wrong, without the cause and the `no credentials` prefix.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for CredentialsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "no credentials: {}", self.message)?;
        if let Some(source) = &self.source {
            write!(f, ": {source}")?;
        }
        Ok(())
    }
}

impl std::error::Error for CredentialsError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source.as_deref().map(|e| e as _)
    }
}

/// The accessors of an error's `attempts` (how many the operation made) and `not_retried` (why
/// a failure another attempt might have fixed was not retried), for the two errors that carry
/// them.
macro_rules! attempt_accessors {
    () => {
        /// The same, after `attempts` attempts of the operation.
        pub fn with_attempts(mut self, attempts: u32) -> Self {
            self.attempts = Some(attempts);
            self
        }

        /// The same, not retried for the reason `why`.
        pub fn not_retried(mut self, why: &'static str) -> Self {
            self.not_retried = Some(why);
            self
        }

        /// How many attempts the operation made, when known.
        pub fn attempts(&self) -> Option<u32> {
            self.attempts
        }

        /// Why a failure another attempt might have fixed was not retried.
        pub fn why_not_retried(&self) -> Option<&'static str> {
            self.not_retried
        }
    };
}

/// The request could not be sent or its response could not be received.
#[derive(Debug)]
pub struct TransportError {
    message: Cow<'static, str>,
    source: Option<BoxError>,
    attempts: Option<u32>,
    not_retried: Option<&'static str>,
}

impl TransportError {
    /// A transport failure described by `message`, caused by `source`.
    pub fn new(message: impl Into<Cow<'static, str>>, source: Option<BoxError>) -> Self {
        Self {
            message: message.into(),
            source,
            attempts: None,
            not_retried: None,
        }
    }

    attempt_accessors!();
}

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "transport error: {}", self.message)?;
        if let Some(source) = &self.source {
            write!(f, ": {source}")?;
        }
        write_attempts(f, self.attempts, self.not_retried)
    }
}

/// ` (3 attempts)`, when the count is known, and why there were no more.
fn write_attempts(
    f: &mut fmt::Formatter<'_>,
    attempts: Option<u32>,
    not_retried: Option<&str>,
) -> fmt::Result {
    match (attempts, not_retried) {
        (Some(1), None) => f.write_str(" (1 attempt)"),
        (Some(n), None) => write!(f, " ({n} attempts)"),
        (Some(1), Some(why)) => write!(f, " (1 attempt; not retried: {why})"),
        (Some(n), Some(why)) => write!(f, " ({n} attempts; not retried: {why})"),
        (None, Some(why)) => write!(f, " (not retried: {why})"),
        (None, None) => Ok(()),
    }
}

impl std::error::Error for TransportError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source.as_deref().map(|e| e as _)
    }
}

/// Which timeout elapsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TimeoutKind {
    /// Establishing a connection.
    Connect,
    /// Waiting for the response to start, or for the next piece of its body.
    Read,
    /// The response body arrived slower than the minimum rate after the grace period.
    StalledBody,
    /// One attempt: sending the request and reading the whole response.
    Attempt,
    /// The whole operation, retries included.
    Operation,
}

/// A timeout elapsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimeoutError {
    kind: TimeoutKind,
    after: Duration,
    attempts: Option<u32>,
    not_retried: Option<&'static str>,
}

impl TimeoutError {
    /// The `kind` timeout elapsed after `after`.
    pub fn new(kind: TimeoutKind, after: Duration) -> Self {
        Self {
            kind,
            after,
            attempts: None,
            not_retried: None,
        }
    }

    attempt_accessors!();

    /// Which timeout elapsed.
    pub fn kind(&self) -> TimeoutKind {
        self.kind
    }

    /// The configured duration that elapsed.
    pub fn after(&self) -> Duration {
        self.after
    }
}

impl fmt::Display for TimeoutError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind {
            TimeoutKind::Connect => write!(f, "connect timeout after {:?}", self.after),
            TimeoutKind::Read => write!(f, "read timeout: no response for {:?}", self.after),
            TimeoutKind::StalledBody => write!(
                f,
                "the response body stalled: too slow after the {:?} grace period",
                self.after
            ),
            TimeoutKind::Attempt => write!(f, "attempt timeout after {:?}", self.after),
            TimeoutKind::Operation => write!(f, "operation timeout after {:?}", self.after),
        }?;
        write_attempts(f, self.attempts, self.not_retried)
    }
}

impl std::error::Error for TimeoutError {}

/// What a service's error response says, and which request it answers.
///
/// Boxed, so that results carrying it stay small on the success path.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ErrorMetadata(Box<MetadataFields>);

#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct MetadataFields {
    status: u16,
    code: Option<String>,
    message: Option<String>,
    request_id: Option<String>,
    extended_request_id: Option<String>,
    region: Option<String>,
}

impl ErrorMetadata {
    /// Metadata for a response with this HTTP status.
    pub fn new(status: u16) -> Self {
        Self(Box::new(MetadataFields {
            status,
            ..MetadataFields::default()
        }))
    }

    /// Sets the error code.
    pub fn with_code(mut self, code: impl Into<String>) -> Self {
        self.0.code = Some(code.into());
        self
    }

    /// Sets the error message.
    pub fn with_message(mut self, message: impl Into<String>) -> Self {
        self.0.message = Some(message.into());
        self
    }

    /// Sets the `x-amz-request-id`.
    pub fn with_request_id(mut self, id: impl Into<String>) -> Self {
        self.0.request_id = Some(id.into());
        self
    }

    /// Sets the `x-amz-id-2`.
    pub fn with_extended_request_id(mut self, id: impl Into<String>) -> Self {
        self.0.extended_request_id = Some(id.into());
        self
    }

    /// Sets the region the service says the bucket is in.
    pub fn with_region(mut self, region: impl Into<String>) -> Self {
        self.0.region = Some(region.into());
        self
    }

    /// The HTTP status.
    pub fn status(&self) -> u16 {
        self.0.status
    }

    /// The region the service says the request's bucket is in: S3 names it in
    /// `x-amz-bucket-region` (a wrong-region `301` or `400`, a `403`), in the body's `Region`
    /// (`AuthorizationHeaderMalformed`) or in its `Endpoint` (`PermanentRedirect`).
    pub fn region(&self) -> Option<&str> {
        self.0.region.as_deref()
    }

    /// The error code, such as `NoSuchBucket`.
    pub fn code(&self) -> Option<&str> {
        self.0.code.as_deref()
    }

    /// The error message.
    pub fn message(&self) -> Option<&str> {
        self.0.message.as_deref()
    }

    /// The `x-amz-request-id`.
    pub fn request_id(&self) -> Option<&str> {
        self.0.request_id.as_deref()
    }

    /// The `x-amz-id-2`.
    pub fn extended_request_id(&self) -> Option<&str> {
        self.0.extended_request_id.as_deref()
    }
}

impl fmt::Display for ErrorMetadata {
    /// `NoSuchBucket (status 404): The specified bucket does not exist (request id R)`, or for
    /// a response without an error code, `503 Service Unavailable, no error body`. Text from the
    /// server is escaped (see [`Untrusted`]).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.code() {
            Some(code) => write!(f, "{} (status {})", Untrusted(code), self.status())?,
            None => {
                let reason = http::StatusCode::from_u16(self.status())
                    .ok()
                    .and_then(|s| s.canonical_reason());
                match reason {
                    Some(reason) => write!(f, "{} {reason}, no error body", self.status())?,
                    None => write!(f, "status {}, no error body", self.status())?,
                }
            }
        }
        if let Some(message) = self.message() {
            write!(f, ": {}", Untrusted(message))?;
        }
        if let Some(region) = self.region() {
            write!(f, " (the bucket is in {})", Untrusted(region))?;
        }
        if let Some(id) = self.request_id() {
            write!(f, " (request id {})", Untrusted(id))?;
        }
        Ok(())
    }
}

/// Text that came from a server, displayed so that it cannot break a one-line message or
/// drive a terminal: control characters (ESC, CR, LF, …) and the bidirectional-text controls
/// that reorder what a reader sees are written as `\u{…}` escapes.
pub struct Untrusted<'a>(pub &'a str);

impl fmt::Display for Untrusted<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut rest = self.0;
        while let Some((at, c)) = rest.char_indices().find(|&(_, c)| needs_escape(c)) {
            f.write_str(&rest[..at])?;
            write!(f, "{}", c.escape_unicode())?;
            rest = &rest[at + c.len_utf8()..];
        }
        f.write_str(rest)
    }
}

fn needs_escape(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// An error response of the service: the operation's error `E` and the response's metadata.
#[derive(Debug)]
pub struct ServiceError<E> {
    error: E,
    meta: ErrorMetadata,
}

impl<E> ServiceError<E> {
    /// Pairs an operation error with the metadata of its response.
    pub fn new(error: E, meta: ErrorMetadata) -> Self {
        Self { error, meta }
    }

    /// The operation's error.
    pub fn error(&self) -> &E {
        &self.error
    }

    /// Takes the operation's error.
    pub fn into_error(self) -> E {
        self.error
    }

    /// The response's metadata.
    pub fn meta(&self) -> &ErrorMetadata {
        &self.meta
    }
}

impl<E> fmt::Display for ServiceError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "service error: {}", self.meta)
    }
}

/// An error response whose code is not one of the operation's modeled errors.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unhandled {
    meta: ErrorMetadata,
}

impl Unhandled {
    /// Wraps the metadata of an error response that matched no modeled error.
    pub fn new(meta: ErrorMetadata) -> Self {
        Self { meta }
    }

    /// The response's metadata.
    pub fn meta(&self) -> &ErrorMetadata {
        &self.meta
    }

    /// The error code, such as `AccessDenied`.
    pub fn code(&self) -> Option<&str> {
        self.meta.code()
    }

    /// The error message.
    pub fn message(&self) -> Option<&str> {
        self.meta.message()
    }

    /// The `x-amz-request-id`.
    pub fn request_id(&self) -> Option<&str> {
        self.meta.request_id()
    }

    /// The `x-amz-id-2`.
    pub fn extended_request_id(&self) -> Option<&str> {
        self.meta.extended_request_id()
    }

    /// The HTTP status.
    pub fn status(&self) -> u16 {
        self.meta.status()
    }
}

impl fmt::Display for Unhandled {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.meta.fmt(f)
    }
}

impl std::error::Error for Unhandled {}

/// The service answered, but its response could not be understood.
#[derive(Debug)]
pub struct ResponseError {
    message: Cow<'static, str>,
    meta: ErrorMetadata,
    source: Option<BoxError>,
}

impl ResponseError {
    /// A response that could not be understood, for the reason in `message`.
    pub fn new(message: impl Into<Cow<'static, str>>) -> Self {
        Self {
            message: message.into(),
            meta: ErrorMetadata::default(),
            source: None,
        }
    }

    /// Records the underlying cause.
    pub fn with_source(mut self, source: impl Into<BoxError>) -> Self {
        self.source = Some(source.into());
        self
    }

    /// Records the status and request ids of the response.
    pub fn with_meta(mut self, meta: ErrorMetadata) -> Self {
        self.meta = meta;
        self
    }

    /// The status and request ids of the response.
    pub fn meta(&self) -> &ErrorMetadata {
        &self.meta
    }
}

impl fmt::Display for ResponseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid response")?;
        if self.meta.status() != 0 {
            write!(f, " (status {})", self.meta.status())?;
        }
        write!(f, ": {}", self.message)?;
        if let Some(source) = &self.source {
            write!(f, ": {source}")?;
        }
        if let Some(id) = self.meta.request_id() {
            write!(f, " (request id {id})")?;
        }
        Ok(())
    }
}

impl std::error::Error for ResponseError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source.as_deref().map(|e| e as _)
    }
}
