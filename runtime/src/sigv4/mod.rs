//! AWS Signature Version 4: signing a request with an `Authorization` header, or presigning it
//! into a URL.
//!
//! The canonical request and the string to sign are written by hand into per-thread buffers
//! reused from one request to the next, and [`Signer`] caches the derived signing key per
//! (secret, date, region, service), as the hash states of its HMAC pads; each thread keeps the
//! last key it used at hand. Signing a request therefore costs two short SHA-256 passes, and
//! allocates only for the header values it adds.
//!
//! Which headers are signed: every header of the request except those that proxies and the HTTP
//! layer may change or drop in transit (`authorization`, `connection`, `expect`,
//! `transfer-encoding`, `user-agent`, `x-amzn-trace-id`: the union of what the AWS SDKs for Go,
//! Java and Rust leave out), plus `host`. A request without a `Host` header is signed with the
//! host of its URI, with the port only when it is not the scheme's default, which is the header
//! hyper sends.
//!
//! The path of the URI is taken as it goes on the wire: percent-encoded, each escape standing for
//! one byte. Query parameters are decoded and re-encoded, so any valid escaping signs the same.

mod canonical;
pub(crate) mod hash;
mod key;

use std::cell::RefCell;
use std::fmt;
use std::io::Write as _;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::header::{HeaderName, HeaderValue, AUTHORIZATION, HOST};
use http::{Request, Uri};
use sha2::Digest;

use crate::credentials::Credentials;
use crate::time::DateTime;
use canonical::{HeaderEntry, Query};
use hash::{FirstBlock, HmacKey, Sha256};
use key::KeyCache;

const ALGORITHM: &str = "AWS4-HMAC-SHA256";
/// The payload hash of a request whose body is not signed.
pub const UNSIGNED_PAYLOAD: &str = "UNSIGNED-PAYLOAD";
/// The SHA-256 of an empty body, the payload hash of most requests without one.
pub const EMPTY_SHA256: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
const X_AMZ_DATE: HeaderName = HeaderName::from_static("x-amz-date");
const X_AMZ_CONTENT_SHA256: HeaderName = HeaderName::from_static("x-amz-content-sha256");
const X_AMZ_SECURITY_TOKEN: HeaderName = HeaderName::from_static("x-amz-security-token");
/// The header of an S3 Express session token (`sigv4-s3express`).
pub const S3_SESSION_TOKEN: HeaderName = HeaderName::from_static("x-amz-s3session-token");
/// How long a presigned URL stays valid unless the settings say otherwise: an hour, the AWS
/// CLI's default.
const DEFAULT_EXPIRY: Duration = Duration::from_secs(3600);
/// The longest a presigned URL may stay valid.
const MAX_EXPIRY: Duration = Duration::from_secs(7 * 24 * 3600);

/// How a service wants its requests signed. The presets are [`s3`](Self::s3),
/// [`s3_express`](Self::s3_express) and [`standard`](Self::standard); change single fields with
/// struct update syntax.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SigningSettings {
    /// Remove empty, `.` and `..` segments from the path before signing. S3 keys are taken
    /// literally (`a//b/../c` is a key), so S3 turns this off.
    pub normalize_path: bool,
    /// Encode the path's wire form, escapes included, once more (`%2F` is signed as `%252F`),
    /// as most services expect. S3 signs the path encoded once.
    pub double_encode_path: bool,
    /// With header signing, send `x-amz-content-sha256` with the payload hash, and sign it.
    /// S3 requires it; presigned URLs never carry it.
    pub content_sha256_header: bool,
    /// The header that carries the session token of temporary credentials. A presigned URL
    /// carries it in the query parameter of the same name, title-cased
    /// (`X-Amz-Security-Token`).
    pub session_token_header: HeaderName,
    /// Sign the session token. When off, the token is added after signing, as some services
    /// require.
    pub sign_session_token: bool,
    /// How long a presigned URL stays valid: from 1 second to 7 days.
    pub expires_in: Duration,
}

impl SigningSettings {
    /// S3: no path normalisation, the path encoded once, and `x-amz-content-sha256` sent.
    pub const fn s3() -> Self {
        Self {
            normalize_path: false,
            double_encode_path: false,
            content_sha256_header: true,
            session_token_header: X_AMZ_SECURITY_TOKEN,
            sign_session_token: true,
            expires_in: DEFAULT_EXPIRY,
        }
    }

    /// S3 Express One Zone (`sigv4-s3express`): S3's rules, with the session token in
    /// `x-amz-s3session-token`.
    pub const fn s3_express() -> Self {
        Self {
            session_token_header: S3_SESSION_TOKEN,
            normalize_path: false,
            double_encode_path: false,
            content_sha256_header: true,
            sign_session_token: true,
            expires_in: DEFAULT_EXPIRY,
        }
    }

    /// The rules of most AWS services: the path normalised and encoded twice, no
    /// `x-amz-content-sha256`, the session token signed in `x-amz-security-token`, and presigned
    /// URLs valid for an hour (the AWS CLI's default).
    pub const fn standard() -> Self {
        Self {
            normalize_path: true,
            double_encode_path: true,
            content_sha256_header: false,
            session_token_header: X_AMZ_SECURITY_TOKEN,
            sign_session_token: true,
            expires_in: DEFAULT_EXPIRY,
        }
    }
}

/// What the canonical request says of the body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PayloadHash<'a> {
    /// The hex SHA-256 of the request's body.
    Body,
    /// [`UNSIGNED_PAYLOAD`]: the body is not signed (S3 over TLS, presigned URLs).
    Unsigned,
    /// A value the caller computed: the hash of a body it streams, or a marker such as
    /// `STREAMING-UNSIGNED-PAYLOAD-TRAILER`.
    Precomputed(&'a str),
}

/// Everything a signature depends on besides the request.
#[derive(Debug, Clone, Copy)]
pub struct SigningParams<'a> {
    /// Whose key signs.
    pub credentials: &'a Credentials,
    /// The region of the credential scope, such as `us-east-1`.
    pub region: &'a str,
    /// The signing name of the credential scope, such as `s3`.
    pub service: &'a str,
    /// The signing time; sub-second precision is ignored.
    pub time: DateTime,
    /// The payload hash, chosen per request.
    pub payload: PayloadHash<'a>,
    /// The service's rules.
    pub settings: &'a SigningSettings,
}

/// Where a signature goes, for [`Signer::trace`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignatureLocation {
    /// The `Authorization` header, as [`Signer::sign`] does.
    Headers,
    /// The query string of a presigned URL, as [`Signer::presign`] does.
    QueryString,
}

/// A signature: 64 lowercase hex digits.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Signature([u8; 64]);

impl Signature {
    /// The signature as a string.
    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).unwrap_or_default()
    }
}

impl fmt::Display for Signature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for Signature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Signature({})", self.as_str())
    }
}

/// The intermediate strings of one signature. S3 answers a mismatch (`SignatureDoesNotMatch`)
/// with its own canonical request and string to sign, to compare with these.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SigningTrace {
    /// The canonical request (header values that are not UTF-8 are shown lossily).
    pub canonical_request: String,
    /// The string to sign.
    pub string_to_sign: String,
    /// The signature.
    pub signature: Signature,
}

/// Why a request could not be signed.
#[derive(Debug)]
#[non_exhaustive]
pub enum SigningError {
    /// The request names no host: its URI has no authority and it has no `Host` header.
    MissingHost,
    /// A value the signer puts in this header (a session token, a precomputed payload hash, or
    /// the access key id, region or service in `authorization`) is not a valid header value.
    InvalidHeaderValue {
        /// The header.
        header: HeaderName,
    },
    /// A presigned URL's expiry is not between 1 second and 7 days.
    InvalidExpiry {
        /// The expiry asked for.
        expires_in: Duration,
    },
    /// The presigned URL is not a valid URI (it is too long).
    InvalidPresignedUri(http::uri::InvalidUri),
}

impl fmt::Display for SigningError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SigningError::MissingHost => {
                f.write_str("cannot sign a request without a host in its uri or headers")
            }
            SigningError::InvalidHeaderValue { header } => {
                write!(
                    f,
                    "cannot sign: the `{header}` value is not a valid header value"
                )
            }
            SigningError::InvalidExpiry { expires_in } => write!(
                f,
                "cannot presign for {expires_in:?}: the expiry must be from 1 second to 7 days"
            ),
            SigningError::InvalidPresignedUri(e) => write!(f, "invalid presigned url: {e}"),
        }
    }
}

impl std::error::Error for SigningError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            SigningError::InvalidPresignedUri(e) => Some(e),
            _ => None,
        }
    }
}

/// Signs requests; holds the signing-key cache. Clones share the cache, so one per client is
/// enough and cloning it is cheap.
#[derive(Clone, Default)]
pub struct Signer {
    keys: Arc<KeyCache>,
}

impl fmt::Debug for Signer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Signer").finish_non_exhaustive()
    }
}

/// A header the signer sets.
struct SetHeader<'a> {
    name: &'a str,
    value: &'a [u8],
    /// False for a session token added after signing.
    signed: bool,
}

/// The headers header signing adds to a request.
struct HeaderSigning {
    signature: Signature,
    date: HeaderValue,
    content_sha256: Option<HeaderValue>,
    session_token: Option<HeaderValue>,
    authorization: HeaderValue,
}

impl Signer {
    /// A signer with an empty key cache.
    pub fn new() -> Self {
        Self::default()
    }

    /// Signs `request` in place: sets `x-amz-date`, `x-amz-content-sha256` (when the settings
    /// say so), the session token header (with temporary credentials) and `authorization`,
    /// replacing any earlier values. On error the request is left unchanged.
    pub fn sign(
        &self,
        request: &mut Request<Bytes>,
        params: &SigningParams<'_>,
    ) -> Result<Signature, SigningError> {
        let signed = with_scratch(|s| self.header_signing(s, request, params))?;
        let headers = request.headers_mut();
        headers.insert(X_AMZ_DATE, signed.date);
        if let Some(value) = signed.content_sha256 {
            headers.insert(X_AMZ_CONTENT_SHA256, value);
        }
        if let Some(value) = signed.session_token {
            headers.insert(params.settings.session_token_header.clone(), value);
        }
        headers.insert(AUTHORIZATION, signed.authorization);
        Ok(signed.signature)
    }

    /// The presigned URL of `request`: its URI with the signature in the query string, valid
    /// for the settings' `expires_in`. Whoever uses the URL must send the same method and the
    /// same signed headers (all of the request's but those listed in the module docs), so build
    /// the request with only the headers the URL's user will send.
    pub fn presign(
        &self,
        request: &Request<Bytes>,
        params: &SigningParams<'_>,
    ) -> Result<Uri, SigningError> {
        with_scratch(|s| {
            let signature = self.query_signing(s, request, params)?;
            let Scratch {
                out,
                amz_date,
                scope,
                signed,
                ..
            } = s;
            out.clear();
            let uri = request.uri();
            // Writing to a Vec cannot fail.
            let _ = write!(out, "{uri}");
            match uri.query() {
                None => out.push(b'?'),
                Some("") => {}
                Some(_) => out.push(b'&'),
            }
            let mut first = true;
            let auth = AuthParams {
                params,
                amz_date,
                scope,
                signed_headers: signed,
            };
            auth.for_each(true, |key, value| {
                if !first {
                    out.push(b'&');
                }
                first = false;
                canonical::encode(out, key.as_bytes(), false, false);
                out.push(b'=');
                for part in value {
                    canonical::encode(out, part, false, false);
                }
            });
            out.extend_from_slice(b"&X-Amz-Signature=");
            out.extend_from_slice(&signature.0);
            Uri::from_maybe_shared(Bytes::copy_from_slice(out))
                .map_err(SigningError::InvalidPresignedUri)
        })
    }

    /// The canonical request, string to sign and signature of `request` signed at `location`,
    /// without changing it: for debugging a signature S3 rejected.
    pub fn trace(
        &self,
        request: &Request<Bytes>,
        params: &SigningParams<'_>,
        location: SignatureLocation,
    ) -> Result<SigningTrace, SigningError> {
        with_scratch(|s| {
            let signature = match location {
                SignatureLocation::Headers => self.header_signing(s, request, params)?.signature,
                SignatureLocation::QueryString => self.query_signing(s, request, params)?,
            };
            Ok(SigningTrace {
                canonical_request: String::from_utf8_lossy(&s.creq).into_owned(),
                string_to_sign: String::from_utf8_lossy(&s.sts).into_owned(),
                signature,
            })
        })
    }

    /// Computes the header signature of `request` and the header values that carry it.
    fn header_signing(
        &self,
        s: &mut Scratch,
        request: &Request<Bytes>,
        params: &SigningParams<'_>,
    ) -> Result<HeaderSigning, SigningError> {
        let settings = params.settings;
        let host = host_to_sign(request)?;
        s.set_scope(params);
        let date = s
            .date_value
            .clone()
            .ok_or(SigningError::InvalidHeaderValue { header: X_AMZ_DATE })?;
        let payload = Payload::new(params.payload, request.body());
        let content_sha256 = match (settings.content_sha256_header, &payload) {
            (false, _) => None,
            (true, Payload::Static(hash)) => Some(HeaderValue::from_static(hash)),
            (true, _) => Some(header_value(
                payload.as_str().as_bytes(),
                &X_AMZ_CONTENT_SHA256,
            )?),
        };
        let payload = payload.as_str();
        let session_token = match params.credentials.session_token() {
            Some(_) => Some(
                params
                    .credentials
                    .session_token_header()
                    .cloned()
                    .ok_or_else(|| SigningError::InvalidHeaderValue {
                        header: settings.session_token_header.clone(),
                    })?,
            ),
            None => None,
        };
        let set = [
            host.map(|host| SetHeader {
                name: HOST.as_str(),
                value: host.as_bytes(),
                signed: true,
            }),
            Some(SetHeader {
                name: "x-amz-date",
                value: date.as_bytes(),
                signed: true,
            }),
            content_sha256.as_ref().map(|value| SetHeader {
                name: "x-amz-content-sha256",
                value: value.as_bytes(),
                signed: true,
            }),
            session_token.as_ref().map(|value| SetHeader {
                name: settings.session_token_header.as_str(),
                value: value.as_bytes(),
                signed: settings.sign_session_token,
            }),
        ];
        let signature = self.signature(s, request, params, &set, payload, false);

        let out = &mut s.out;
        out.clear();
        out.extend_from_slice(ALGORITHM.as_bytes());
        out.extend_from_slice(b" Credential=");
        out.extend_from_slice(params.credentials.access_key_id().as_bytes());
        out.push(b'/');
        out.extend_from_slice(&s.scope);
        out.extend_from_slice(b", SignedHeaders=");
        out.extend_from_slice(&s.signed);
        out.extend_from_slice(b", Signature=");
        out.extend_from_slice(&signature.0);
        let mut authorization = header_value(out, &AUTHORIZATION)?;
        authorization.set_sensitive(true);
        Ok(HeaderSigning {
            signature,
            date,
            content_sha256,
            session_token,
            authorization,
        })
    }

    /// Computes the presigned (query string) signature of `request`.
    fn query_signing(
        &self,
        s: &mut Scratch,
        request: &Request<Bytes>,
        params: &SigningParams<'_>,
    ) -> Result<Signature, SigningError> {
        let expires_in = params.settings.expires_in;
        if expires_in.as_secs() == 0 || expires_in > MAX_EXPIRY {
            return Err(SigningError::InvalidExpiry { expires_in });
        }
        let host = host_to_sign(request)?;
        s.set_scope(params);
        let payload = Payload::new(params.payload, request.body());
        let set = [host.map(|host| SetHeader {
            name: HOST.as_str(),
            value: host.as_bytes(),
            signed: true,
        })];
        Ok(self.signature(s, request, params, &set, payload.as_str(), true))
    }

    /// Writes the canonical request and the string to sign into `s` and returns the signature.
    /// `set` are the headers the signer sets (they replace the request's of the same name);
    /// `presign` adds the authentication parameters of a presigned URL to the query.
    fn signature(
        &self,
        s: &mut Scratch,
        request: &Request<Bytes>,
        params: &SigningParams<'_>,
        set: &[Option<SetHeader<'_>>],
        payload: &str,
        presign: bool,
    ) -> Signature {
        let Scratch {
            creq,
            sts,
            amz_date,
            scope,
            signed,
            query,
            last_key,
            ..
        } = s;
        let settings = params.settings;
        let headers = request.headers();
        let set_headers = || set.iter().flatten();

        let entries = headers
            .iter()
            .filter(|(name, _)| {
                !canonical::is_unsigned_header(name)
                    && !set_headers().any(|h| h.name == name.as_str())
            })
            .map(|(name, value)| (name.as_str(), value.as_bytes()))
            .chain(
                set_headers()
                    .filter(|h| h.signed)
                    .map(|h| (h.name, h.value)),
            );
        // On the stack for the usual dozen header values or fewer.
        let mut on_stack: [HeaderEntry<'_>; 16] = [("", b""); 16];
        let mut on_heap = Vec::new();
        let canonical_headers = if headers.len() + set.len() <= on_stack.len() {
            let mut n = 0;
            for (slot, entry) in on_stack.iter_mut().zip(entries) {
                *slot = entry;
                n += 1;
            }
            &mut on_stack[..n]
        } else {
            on_heap.extend(entries);
            &mut on_heap[..]
        };
        // Stable, so the values of a repeated header keep their order.
        canonical_headers.sort_by(|a, b| a.0.cmp(b.0));
        signed.clear();
        canonical::write_signed_headers(signed, canonical_headers);

        creq.clear();
        creq.extend_from_slice(request.method().as_str().as_bytes());
        creq.push(b'\n');
        let uri = request.uri();
        canonical::write_path(
            creq,
            uri.path(),
            settings.normalize_path,
            settings.double_encode_path,
        );
        creq.push(b'\n');
        query.clear();
        if let Some(raw) = uri.query() {
            query.add_raw(raw);
        }
        if presign {
            let auth = AuthParams {
                params,
                amz_date,
                scope,
                signed_headers: signed,
            };
            auth.for_each(settings.sign_session_token, |key, value| {
                query.add(key.as_bytes(), value, false)
            });
        }
        query.write_sorted(creq);
        creq.push(b'\n');
        canonical::write_headers(creq, canonical_headers);
        creq.push(b'\n');
        creq.extend_from_slice(signed);
        creq.push(b'\n');
        creq.extend_from_slice(payload.as_bytes());

        sts.clear();
        sts.extend_from_slice(ALGORITHM.as_bytes());
        sts.push(b'\n');
        sts.extend_from_slice(amz_date.as_bytes());
        sts.push(b'\n');
        sts.extend_from_slice(scope);
        sts.push(b'\n');
        let mut creq_hash = Sha256::new();
        creq_hash.update(creq);
        sts.extend_from_slice(&hex(&creq_hash.finish()));

        let last = match last_key {
            Some(last) if last.credentials.ptr_eq(params.credentials) && last.scope == *scope => {
                last
            }
            _ => {
                let date = &amz_date[..amz_date.find('T').unwrap_or(amz_date.len())];
                let key = self
                    .keys
                    .key(params.credentials, date, params.region, params.service);
                last_key.insert(LastKey {
                    credentials: params.credentials.clone(),
                    scope: scope.clone(),
                    key,
                    sts_start: None,
                })
            }
        };
        Signature(hex(&last.key.mac_resuming(&mut last.sts_start, sts)))
    }
}

/// The authentication parameters of a presigned URL, but the signature.
struct AuthParams<'a> {
    params: &'a SigningParams<'a>,
    amz_date: &'a str,
    scope: &'a [u8],
    signed_headers: &'a [u8],
}

impl AuthParams<'_> {
    /// Calls `f` with each parameter's name and the parts of its unencoded value, in the order
    /// the AWS SDKs write them; the session token only with `with_token`.
    fn for_each(&self, with_token: bool, mut f: impl FnMut(&str, &[&[u8]])) {
        let credentials = self.params.credentials;
        f("X-Amz-Algorithm", &[ALGORITHM.as_bytes()]);
        f(
            "X-Amz-Credential",
            &[credentials.access_key_id().as_bytes(), b"/", self.scope],
        );
        f("X-Amz-Date", &[self.amz_date.as_bytes()]);
        f("X-Amz-SignedHeaders", &[self.signed_headers]);
        let expires = self.params.settings.expires_in.as_secs().to_string();
        f("X-Amz-Expires", &[expires.as_bytes()]);
        if let (true, Some(token)) = (with_token, credentials.session_token()) {
            let name = title_case(self.params.settings.session_token_header.as_str());
            f(&name, &[token.as_bytes()]);
        }
    }
}

/// `x-amz-security-token` → `X-Amz-Security-Token`.
fn title_case(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut upper = true;
    for c in name.chars() {
        out.push(if upper { c.to_ascii_uppercase() } else { c });
        upper = c == '-';
    }
    out
}

/// The `host` value to sign when the request has no `Host` header: the URI's host, and its port
/// unless it is the scheme's default. `None` when the request has a `Host` header.
fn host_to_sign(request: &Request<Bytes>) -> Result<Option<&str>, SigningError> {
    if request.headers().contains_key(HOST) {
        return Ok(None);
    }
    uri_host(request.uri())
        .map(Some)
        .ok_or(SigningError::MissingHost)
}

/// The `Host` header of a request to `uri`: its host, and its port unless it is the scheme's
/// default. The HTTP client sends this one, so that it is the value signed.
pub(crate) fn uri_host(uri: &Uri) -> Option<&str> {
    let authority = uri.authority()?;
    let default_port = matches!(
        (uri.scheme_str(), authority.port_u16()),
        (Some("https"), Some(443)) | (Some("http"), Some(80))
    );
    Some(if default_port {
        authority.host()
    } else {
        // Without user info: `user@host:port` → `host:port`.
        let all = authority.as_str();
        all.rsplit_once('@').map_or(all, |(_, host)| host)
    })
}

fn header_value(value: &[u8], header: &HeaderName) -> Result<HeaderValue, SigningError> {
    HeaderValue::from_bytes(value).map_err(|_| SigningError::InvalidHeaderValue {
        header: header.clone(),
    })
}

/// The payload hash as the canonical request has it.
enum Payload<'a> {
    /// The hex SHA-256 of a non-empty body, on the stack.
    Computed([u8; 64]),
    /// A constant, which a header value can share without a copy.
    Static(&'static str),
    Given(&'a str),
}

impl<'a> Payload<'a> {
    fn new(payload: PayloadHash<'a>, body: &[u8]) -> Self {
        match payload {
            PayloadHash::Body if body.is_empty() => Payload::Static(EMPTY_SHA256),
            PayloadHash::Body => Payload::Computed(hex(&sha2::Sha256::digest(body).into())),
            PayloadHash::Unsigned => Payload::Static(UNSIGNED_PAYLOAD),
            // The constants a caller passes, shared by header values without a copy.
            PayloadHash::Precomputed(EMPTY_SHA256) => Payload::Static(EMPTY_SHA256),
            PayloadHash::Precomputed(UNSIGNED_PAYLOAD) => Payload::Static(UNSIGNED_PAYLOAD),
            PayloadHash::Precomputed(hash) => Payload::Given(hash),
        }
    }

    fn as_str(&self) -> &str {
        match self {
            Payload::Computed(hex) => std::str::from_utf8(hex).unwrap_or_default(),
            Payload::Static(hash) => hash,
            Payload::Given(hash) => hash,
        }
    }
}

/// Lowercase hex of a SHA-256 digest, on the stack.
pub(crate) fn hex(bytes: &[u8; 32]) -> [u8; 64] {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = [0; 64];
    for (pair, b) in out.chunks_exact_mut(2).zip(bytes) {
        pair[0] = DIGITS[usize::from(b >> 4)];
        pair[1] = DIGITS[usize::from(b & 15)];
    }
    out
}

/// Buffers reused by every signature made on a thread.
struct Scratch {
    /// The whole seconds of the signing time that `amz_date` and `date_value` hold: requests
    /// signed in the same second share them.
    date_secs: Option<i64>,
    /// The signing time, `20150830T123600Z`.
    amz_date: String,
    /// `amz_date` as a header value, whose clones share one buffer.
    date_value: Option<HeaderValue>,
    /// The credential scope, `20150830/us-east-1/s3/aws4_request`.
    scope: Vec<u8>,
    /// The signed header names, `host;x-amz-date`.
    signed: Vec<u8>,
    query: Query,
    /// The canonical request.
    creq: Vec<u8>,
    /// The string to sign.
    sts: Vec<u8>,
    /// The `authorization` value or the presigned URL.
    out: Vec<u8>,
    /// The signing key of the last signature, which most of the next ones reuse: comparing
    /// costs less than the key cache's lookup.
    last_key: Option<LastKey>,
}

/// A signing key with whose secret and for which credential scope.
struct LastKey {
    /// Held so that no other credentials can be at the same address.
    credentials: Credentials,
    scope: Vec<u8>,
    key: HmacKey,
    /// The string to sign starts with the algorithm, the time and the scope: its first block
    /// is the same for every request signed in the same second, and the MAC resumes after it.
    sts_start: Option<FirstBlock>,
}

/// Buffers that grew past this are dropped after use, so one huge request does not pin its
/// memory for the thread's lifetime.
const SCRATCH_LIMIT: usize = 64 * 1024;

impl Scratch {
    const fn new() -> Self {
        Self {
            date_secs: None,
            amz_date: String::new(),
            date_value: None,
            scope: Vec::new(),
            signed: Vec::new(),
            query: Query::new(),
            creq: Vec::new(),
            sts: Vec::new(),
            out: Vec::new(),
            last_key: None,
        }
    }

    fn set_scope(&mut self, params: &SigningParams<'_>) {
        let secs = params.time.secs();
        if self.date_secs != Some(secs) {
            self.amz_date.clear();
            params.time.fmt_amz_date(&mut self.amz_date);
            self.date_value = HeaderValue::from_str(&self.amz_date).ok();
            self.date_secs = Some(secs);
        }
        let date = self.amz_date.split_once('T').map_or("", |(d, _)| d);
        self.scope.clear();
        for part in [
            date,
            "/",
            params.region,
            "/",
            params.service,
            "/aws4_request",
        ] {
            self.scope.extend_from_slice(part.as_bytes());
        }
    }

    fn oversized(&self) -> bool {
        [&self.creq, &self.out, &self.signed]
            .iter()
            .any(|b| b.capacity() > SCRATCH_LIMIT)
            || self.query.capacity() > SCRATCH_LIMIT
    }
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = const { RefCell::new(Scratch::new()) };
}

fn with_scratch<R>(f: impl FnOnce(&mut Scratch) -> R) -> R {
    SCRATCH.with(|cell| match cell.try_borrow_mut() {
        Ok(mut scratch) => {
            let result = f(&mut scratch);
            if scratch.oversized() {
                *scratch = Scratch::new();
            }
            result
        }
        // Only reachable if signing re-entered itself on this thread; fresh buffers do.
        Err(_) => f(&mut Scratch::new()),
    })
}
