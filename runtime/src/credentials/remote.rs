//! What the providers that call a service, read a file or run a command share: their
//! configuration and HTTP client, the typed [`ProviderError`], requests, and the JSON shape of
//! credentials.

use std::borrow::Cow;
use std::fmt;
use std::io;
use std::path::Path;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use http::header::{HeaderName, HeaderValue};
use http::{Method, Request, Response, Uri};
use percent_encoding::{AsciiSet, PercentEncode, NON_ALPHANUMERIC};
use serde_json::{Map, Value};

use super::Credentials;
use crate::error::TransportError;
use crate::http::{HttpClient, HttpConfig, HttpError};
use crate::profile::Env;
use crate::sigv4::SigningError;
use crate::time::{DateTime, Format, SharedClock, SystemClock};
use crate::xml::{self, XmlError};

/// The region of STS calls when neither the environment nor the profile names one.
const DEFAULT_REGION: &str = "us-east-1";

/// What the credential providers share: the environment they read, the clock that dates STS
/// signatures and judges SSO tokens, and the HTTP client for STS, SSO and container endpoints.
///
/// Clones share the HTTP client, which is built on first use: a chain that finds credentials in
/// the environment never loads the system's root certificates.
#[derive(Debug, Clone)]
pub struct ProviderConfig {
    env: Env,
    clock: SharedClock,
    http: Arc<LazyClient>,
}

impl ProviderConfig {
    /// Reads `env`, with the system clock and an [`HttpClient`] with the CA bundle and proxies
    /// `env` configures (see [`HttpConfig::from_env`]), as the S3 client's.
    pub fn new(env: Env) -> Self {
        Self {
            http: Arc::new(LazyClient::new(HttpConfig::from_env(&env), false)),
            env,
            clock: Arc::new(SystemClock),
        }
    }

    /// Dates signatures and judges token expiry by `clock`.
    pub fn with_clock(mut self, clock: SharedClock) -> Self {
        self.clock = clock;
        self
    }

    /// Calls STS and SSO with `http`. The container and IMDS providers keep clients of their
    /// own, without proxies and with short timeouts, since their endpoints are on the host.
    pub fn with_http_client(mut self, http: HttpClient) -> Self {
        self.http = Arc::new(LazyClient {
            config: HttpConfig::default(),
            local: false,
            client: OnceLock::from(Ok(http)),
        });
        self
    }

    /// The environment the providers read.
    pub fn env(&self) -> &Env {
        &self.env
    }

    /// The clock.
    pub fn clock(&self) -> &SharedClock {
        &self.clock
    }

    pub(crate) fn http(&self) -> Result<&HttpClient, ProviderError> {
        self.http.get()
    }

    /// The region of STS calls: `AWS_REGION`, else `AWS_DEFAULT_REGION`, else the profile's
    /// `region`, else `us-east-1`.
    pub(crate) fn region(&self, profile_region: Option<&str>) -> String {
        self.env
            .get("AWS_REGION")
            .or_else(|| self.env.get("AWS_DEFAULT_REGION"))
            .or_else(|| profile_region.map(str::to_owned))
            .unwrap_or_else(|| DEFAULT_REGION.to_owned())
    }
}

impl From<Env> for ProviderConfig {
    fn from(env: Env) -> Self {
        Self::new(env)
    }
}

/// An HTTP client built on first use, so that a chain that never calls out builds none.
#[derive(Debug)]
pub(crate) struct LazyClient {
    config: HttpConfig,
    /// For endpoints on the host (IMDS, containers), mostly plain `http`: on a system without
    /// usable root certificates (a slim container image) the client trusts none rather than
    /// failing, so those still work and an `https` one fails with a certificate error.
    local: bool,
    client: OnceLock<Result<HttpClient, String>>,
}

impl LazyClient {
    pub(crate) fn new(config: HttpConfig, local: bool) -> Self {
        Self {
            config,
            local,
            client: OnceLock::new(),
        }
    }

    pub(crate) fn get(&self) -> Result<&HttpClient, ProviderError> {
        self.client
            .get_or_init(|| {
                let client = HttpClient::new(&self.config);
                match client {
                    Err(e) if self.local => {
                        let why = "credential providers: no root certificate to trust";
                        tracing::debug!(error = %e, "{why}");
                        no_roots().and_then(|tls| HttpClient::with_tls(&self.config, tls))
                    }
                    client => client,
                }
                .map_err(|e| e.to_string())
            })
            .as_ref()
            .map_err(|e| ProviderError::invalid(format!("cannot build an HTTP client: {e}")))
    }
}

/// A TLS configuration that trusts no certificate.
fn no_roots() -> Result<rustls::ClientConfig, TransportError> {
    let provider = rustls::crypto::ring::default_provider();
    Ok(rustls::ClientConfig::builder_with_provider(provider.into())
        .with_safe_default_protocol_versions()
        .map_err(|e| TransportError::new("cannot configure TLS", Some(e.into())))?
        .with_root_certificates(rustls::RootCertStore::empty())
        .with_no_client_auth())
}

/// Why a provider could not use its source: the typed cause
/// ([`source`](std::error::Error::source)) of the [`CredentialsError`](crate::error::CredentialsError) it returns.
///
/// Messages never quote credentials, tokens or the output of `credential_process`.
#[derive(Debug)]
#[non_exhaustive]
pub enum ProviderError {
    /// No answer: the connection failed or timed out.
    Http(HttpError),
    /// The service answered with an error status.
    Status {
        /// The HTTP status.
        status: u16,
        /// The error code the answer names (`AccessDenied`), if any.
        code: Option<String>,
        /// The answer's error message, if any, cut to a line.
        message: Option<String>,
    },
    /// A request could not be signed.
    Signing(SigningError),
    /// An XML answer is malformed or lacks part of the credentials.
    Xml(XmlError),
    /// A JSON answer or file is not well-formed JSON.
    Json(serde_json::Error),
    /// An answer or file is well-formed but not what was expected; the message says how.
    Invalid(Cow<'static, str>),
    /// A file could not be read or a command could not be started.
    Io {
        /// What was being done.
        context: String,
        /// The failure.
        source: io::Error,
    },
    /// `credential_process` exited unsuccessfully.
    Process {
        /// How it exited.
        status: std::process::ExitStatus,
        /// The start of what it wrote to standard error.
        stderr: String,
    },
}

impl ProviderError {
    pub(crate) fn invalid(message: impl Into<Cow<'static, str>>) -> Self {
        Self::Invalid(message.into())
    }

    /// Whether the service answered `status`.
    pub fn is_status(&self, status: u16) -> bool {
        matches!(self, Self::Status { status: s, .. } if *s == status)
    }
}

impl fmt::Display for ProviderError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Http(e) => e.fmt(f),
            Self::Status {
                status,
                code,
                message,
            } => {
                write!(f, "HTTP {status}")?;
                for part in [code, message].into_iter().flatten() {
                    write!(f, ": {part}")?;
                }
                Ok(())
            }
            Self::Signing(e) => e.fmt(f),
            Self::Xml(e) => write!(f, "malformed XML answer: {e}"),
            Self::Json(e) => write!(f, "malformed JSON: {e}"),
            Self::Invalid(message) => f.write_str(message),
            Self::Io { context, source } => write!(f, "{context}: {source}"),
            Self::Process { status, stderr } if stderr.is_empty() => write!(f, "{status}"),
            Self::Process { status, stderr } => write!(f, "{status}: {stderr}"),
        }
    }
}

/// Transparent: the wrapped error's message is this one's, so its cause comes next.
impl std::error::Error for ProviderError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Http(e) => e.source(),
            Self::Signing(e) => e.source(),
            Self::Xml(e) => e.source(),
            Self::Json(e) => e.source(),
            _ => None,
        }
    }
}

/// The longest error message kept from an answer, in characters.
const MAX_MESSAGE: usize = 256;

/// `text` cut to [`MAX_MESSAGE`] characters.
pub(crate) fn truncate(text: &str) -> String {
    match text.char_indices().nth(MAX_MESSAGE) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text.to_owned(),
    }
}

/// A request with an empty body unless `body` says otherwise.
pub(crate) fn request(
    method: Method,
    uri: Uri,
    headers: impl IntoIterator<Item = (HeaderName, HeaderValue)>,
    body: Bytes,
) -> Request<Bytes> {
    let mut request = Request::new(body);
    *request.method_mut() = method;
    *request.uri_mut() = uri;
    request.headers_mut().extend(headers);
    request
}

/// Parses `url`, which `what` configured, as an absolute URI.
pub(crate) fn parse_uri(url: &str, what: &str) -> Result<Uri, ProviderError> {
    match Uri::try_from(url) {
        Ok(uri) if uri.scheme().is_some() && uri.authority().is_some() => Ok(uri),
        _ => Err(ProviderError::invalid(format!(
            "{what} `{}` is not an absolute URL",
            truncate(url)
        ))),
    }
}

/// A header value that `Debug` and logs never show, such as a token.
pub(crate) fn secret_header(value: &str, what: &str) -> Result<HeaderValue, ProviderError> {
    let mut value = HeaderValue::from_str(value).map_err(|_| {
        ProviderError::invalid(format!("{what} has characters a header cannot carry"))
    })?;
    value.set_sensitive(true);
    Ok(value)
}

/// Characters percent-encoded in form bodies and query strings: all but RFC 3986's unreserved.
const ENCODED: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// `value` percent-encoded for a form body or a query string.
pub(crate) fn encode(value: &str) -> PercentEncode<'_> {
    percent_encoding::utf8_percent_encode(value, ENCODED)
}

/// Sends `request` and returns the body of a successful answer. An error status becomes
/// [`ProviderError::Status`] with the code and message of its XML or JSON body.
pub(crate) async fn fetch(
    http: &HttpClient,
    request: Request<Bytes>,
    timeout: Option<Duration>,
) -> Result<Bytes, ProviderError> {
    let response = http
        .send(request, timeout)
        .await
        .map_err(ProviderError::Http)?;
    if response.status().is_success() {
        Ok(response.into_body())
    } else {
        Err(status_error(&response))
    }
}

fn status_error(response: &Response<Bytes>) -> ProviderError {
    let body = response.body();
    // STS sends `<ErrorResponse><Error>`; moto wraps the `<Error>` in `<Errors>`, as EC2 does,
    // so that element alone is read when the whole body does not do.
    let error = xml::parse_error_body(body).ok().flatten().or_else(|| {
        let start = find(body, b"<Error>")?;
        let end = find(&body[start..], b"</Error>")? + start + b"</Error>".len();
        xml::parse_error_body(&body[start..end]).ok().flatten()
    });
    let (code, message) = match error {
        Some(error) => (
            error.code.map(Cow::into_owned),
            error.message.map(Cow::into_owned),
        ),
        None => match object(body) {
            Ok(object) => {
                let text = |names: &[&str]| {
                    names
                        .iter()
                        .find_map(|name| object.get(*name)?.as_str())
                        .map(str::to_owned)
                };
                (
                    text(&["code", "Code", "__type"]),
                    text(&["message", "Message"]),
                )
            }
            Err(_) => (None, None),
        },
    };
    // AWS JSON services name the error in a header, `Code:details`.
    let code = code.or_else(|| {
        let header = response.headers().get("x-amzn-errortype")?.to_str().ok()?;
        header.split(':').next().map(str::to_owned)
    });
    ProviderError::Status {
        status: response.status().as_u16(),
        code: code.map(|c| truncate(&c)),
        message: message.map(|m| truncate(&m)),
    }
}

/// Where `needle` first occurs in `haystack`.
fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Runs `f` on the blocking thread pool, so that file reads and processes do not stall the
/// async runtime; outside a Tokio runtime (a caller polling by hand), in place.
pub(crate) async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> T + Send + 'static,
) -> Result<T, ProviderError> {
    let Ok(runtime) = tokio::runtime::Handle::try_current() else {
        return Ok(f());
    };
    runtime
        .spawn_blocking(f)
        .await
        .map_err(|e| ProviderError::Io {
            context: "a blocking task failed".to_owned(),
            source: io::Error::other(e),
        })
}

/// Reads the file at `path`, which holds `what`, without blocking the runtime.
pub(crate) async fn read_file(path: &Path, what: &str) -> Result<String, ProviderError> {
    let owned = path.to_owned();
    blocking(move || std::fs::read_to_string(owned))
        .await?
        .map_err(|source| ProviderError::Io {
            context: format!("cannot read {what} {}", path.display()),
            source,
        })
}

/// A JSON object: an answer or a file.
pub(crate) type Object = Map<String, Value>;

/// Parses `body` as a JSON object.
pub(crate) fn object(body: &[u8]) -> Result<Object, ProviderError> {
    match serde_json::from_slice(body).map_err(ProviderError::Json)? {
        Value::Object(object) => Ok(object),
        _ => Err(ProviderError::invalid("the JSON is not an object")),
    }
}

/// The string `field` of `object`; `None` when it is absent, null or empty.
///
/// Reading fields by hand rather than deserializing into structs keeps values out of messages:
/// serde's own errors quote the offending value, which may be a secret.
pub(crate) fn optional<'a>(
    object: &'a Object,
    field: &str,
) -> Result<Option<&'a str>, ProviderError> {
    match object.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.as_str()).filter(|s| !s.is_empty())),
        Some(_) => Err(ProviderError::invalid(format!("`{field}` is not a string"))),
    }
}

/// The string `field` of `object`, which must be there.
pub(crate) fn required<'a>(object: &'a Object, field: &str) -> Result<&'a str, ProviderError> {
    optional(object, field)?.ok_or_else(|| ProviderError::invalid(format!("`{field}` is missing")))
}

/// The RFC 3339 timestamp `text` of `field`. Some AWS CLI releases wrote the SSO token cache's
/// times with a `UTC` suffix instead of `Z`, which is accepted too.
pub(crate) fn timestamp(field: &str, text: &str) -> Result<SystemTime, ProviderError> {
    let text = match text.strip_suffix("UTC") {
        Some(time) => Cow::Owned(format!("{time}Z")),
        None => Cow::Borrowed(text),
    };
    DateTime::parse(&text, Format::DateTime)
        .map(SystemTime::from)
        .map_err(|_| ProviderError::invalid(format!("`{field}` is not an RFC 3339 timestamp")))
}

/// Credentials from the `AccessKeyId`, `SecretAccessKey`, `token_field` and `Expiration` of
/// `object`: the answer of IMDS and container endpoints (`Token`) and the output of
/// `credential_process` (`SessionToken`).
pub(crate) fn credentials(
    object: &Object,
    token_field: &str,
) -> Result<Credentials, ProviderError> {
    let expiry = optional(object, "Expiration")?
        .map(|text| timestamp("Expiration", text))
        .transpose()?;
    Ok(Credentials::new(
        required(object, "AccessKeyId")?,
        required(object, "SecretAccessKey")?,
        optional(object, token_field)?.map(str::to_owned),
        expiry,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_json_credentials_without_quoting_values() {
        let object = object(
            br#"{"AccessKeyId": "AKID", "SecretAccessKey": "s3cr3t", "Token": "tok",
                "Expiration": "2023-11-14T23:13:20Z"}"#,
        )
        .unwrap();
        let credentials = credentials(&object, "Token").unwrap();
        assert_eq!(credentials.access_key_id(), "AKID");
        assert_eq!(credentials.session_token(), Some("tok"));
        assert_eq!(
            credentials.expiry(),
            Some(SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_003_600))
        );

        for (body, expected) in [
            (
                &br#"{"AccessKeyId": "AKID"}"#[..],
                "`SecretAccessKey` is missing",
            ),
            (
                br#"{"AccessKeyId": "AKID", "SecretAccessKey": 12345678}"#,
                "`SecretAccessKey` is not a string",
            ),
            (
                br#"{"AccessKeyId": "AKID", "SecretAccessKey": "s", "Expiration": "soon-s3cr3t"}"#,
                "`Expiration` is not an RFC 3339 timestamp",
            ),
            (br#"["AKID"]"#, "the JSON is not an object"),
            (
                br#"{"AccessKeyId": "AKID", "Secr"#,
                "malformed JSON: EOF while parsing a string at line 1 column 29",
            ),
            (
                b"",
                "malformed JSON: EOF while parsing a value at line 1 column 0",
            ),
        ] {
            let error = object_credentials(body).unwrap_err().to_string();
            assert_eq!(error, expected);
            assert!(!error.contains("12345678") && !error.contains("s3cr3t"));
        }
    }

    fn object_credentials(body: &[u8]) -> Result<Credentials, ProviderError> {
        credentials(&object(body)?, "Token")
    }

    #[test]
    fn accepts_the_utc_suffix_of_old_cli_caches() {
        assert_eq!(
            timestamp("expiresAt", "2023-11-14T23:13:20UTC").unwrap(),
            timestamp("expiresAt", "2023-11-14T23:13:20Z").unwrap()
        );
    }

    #[test]
    fn error_answers_name_their_code_in_xml_json_or_a_header() {
        let answer = |body: &str, header: Option<&str>| {
            let mut response = Response::new(Bytes::from(body.to_owned()));
            *response.status_mut() = http::StatusCode::FORBIDDEN;
            if let Some(value) = header {
                response
                    .headers_mut()
                    .insert("x-amzn-errortype", HeaderValue::from_str(value).unwrap());
            }
            status_error(&response).to_string()
        };
        assert_eq!(
            answer(
                "<ErrorResponse><Error><Code>AccessDenied</Code><Message>no</Message></Error></ErrorResponse>",
                None
            ),
            "HTTP 403: AccessDenied: no"
        );
        assert_eq!(
            answer(r#"{"code": "Forbidden", "message": "bad token"}"#, None),
            "HTTP 403: Forbidden: bad token"
        );
        assert_eq!(
            answer(
                r#"{"message": "Session token not found or invalid"}"#,
                Some("UnauthorizedException:http://internal")
            ),
            "HTTP 403: UnauthorizedException: Session token not found or invalid"
        );
        assert_eq!(
            answer(
                "<ErrorResponse><Errors><Error><Code>SignatureDoesNotMatch</Code>\
                 <Message>m</Message></Error></Errors></ErrorResponse>",
                None
            ),
            "HTTP 403: SignatureDoesNotMatch: m"
        );
        assert_eq!(answer("<html>", None), "HTTP 403");
        assert_eq!(answer("<x><Error><Code>C</Code>", None), "HTTP 403");
        assert_eq!(answer("", None), "HTTP 403");
    }

    #[test]
    fn encodes_all_but_unreserved_characters() {
        assert_eq!(
            encode("arn:aws:iam::1:role/a b+c~d_e.f-g").to_string(),
            "arn%3Aaws%3Aiam%3A%3A1%3Arole%2Fa%20b%2Bc~d_e.f-g"
        );
    }
}
