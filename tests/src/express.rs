//! An S3 Express One Zone server on 127.0.0.1 that plays both parts a client meets: CreateSession,
//! which hands out short-lived session credentials, and the zonal data plane (ListObjectsV2,
//! HeadObject, PutObject, GetObject) that takes requests signed with them (or, as S3 does, with
//! base credentials). HeadBucket, which S3 wants signed with the base credentials, is there too.
//!
//! Signatures are checked with `aws-sigv4` ([`crate::sigv4_check`]), and so is the payload: a
//! request's `x-amz-content-sha256` must be the SHA-256 of the body that arrived, unless it is
//! `UNSIGNED-PAYLOAD` (a PutObject's `x-amz-checksum-*` header is checked too; `aws-chunked`
//! bodies are not implemented). Sessions expire by the server's clock, which the test controls,
//! so both a client's refresh ahead of expiry and its handling of `ExpiredToken` can be tested;
//! CreateSession failures and delays can be injected to test a session cache under errors and
//! concurrent callers. The client addresses it path-style (`/{bucket}/{key}`) and signs with the
//! signing name `s3express`.

use std::collections::{BTreeMap, HashMap};
use std::ops::Bound;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use http::header::{HeaderName, HeaderValue};
use http::{HeaderMap, Method, Request, Response, StatusCode};
use http_body_util::Full;
use percent_encoding::{percent_decode_str, utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use s3_runtime::time::{DateTime, Format, SharedClock, SystemClock};

use crate::s3_http::{error, escape_into, query_value, respond, S3_NAMESPACE, XML_DECLARATION};
use crate::serve::LocalServer;
use crate::sigv4_check::{self, Claimed, TokenHeader};

/// The signing name of every request, CreateSession included.
const SERVICE: &str = "s3express";
const SESSION_TOKEN: &str = TokenHeader::S3Session.name();
const SESSION_MODE: &str = "x-amz-create-session-mode";
const CONTENT_SHA256: &str = "x-amz-content-sha256";
const UNSIGNED_PAYLOAD: &str = "UNSIGNED-PAYLOAD";
/// The canonical user id reported as every object's owner (`fetch-owner=true`).
const OWNER_ID: &str = "75aa57f09aa0c8caeab4f8c24e99d10f8e7faeebf76c078efc7c6caea54ba06a";
/// What `encoding-type=url` leaves as it is: the unreserved characters and `/`, as S3 does.
const KEEP_IN_URL: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~')
    .remove(b'/');

/// What the server holds and whom it trusts.
#[derive(Debug, Clone)]
pub struct ExpressOptions {
    /// The region requests are signed for.
    pub region: String,
    /// Directory bucket names, `{base}--{zone id}--x-s3`, such as `data--usw2-az1--x-s3`.
    pub buckets: Vec<String>,
    /// The base identities it accepts: (access key id, secret access key).
    pub identities: Vec<(String, String)>,
    /// The server's notion of now: session expiries are issued and judged by it.
    pub clock: SharedClock,
    /// How long an issued session is valid.
    pub session_lifetime: Duration,
    /// The objects every bucket holds at the start, by key (metadata only, so GetObject of one
    /// is not implemented); keys may hold any character. PutObject adds to them, with content.
    pub objects: Vec<(String, Object)>,
}

impl Default for ExpressOptions {
    /// `us-west-2`, nothing held, nobody trusted, the system clock, 300-second sessions (S3's).
    fn default() -> Self {
        Self {
            region: "us-west-2".to_owned(),
            buckets: Vec::new(),
            identities: Vec::new(),
            clock: Arc::new(SystemClock),
            session_lifetime: Duration::from_secs(300),
            objects: Vec::new(),
        }
    }
}

/// An object's metadata.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Object {
    pub size: u64,
    /// Without the quotes, which the server adds.
    pub etag: String,
    pub last_modified: SystemTime,
    /// User metadata, sent as `x-amz-meta-{name}: {value}` with the value's bytes as they are,
    /// which may be obs-text (bytes 0x80 to 0xFF) as S3 sends non-ASCII metadata.
    pub metadata: Vec<(String, Vec<u8>)>,
}

/// How an injected CreateSession failure answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionFailure {
    /// 500 `InternalError`, which a client should retry.
    InternalError,
    /// 403 `AccessDenied`.
    AccessDenied,
    /// 200 with a `CreateSessionResult` lacking `<Credentials>`.
    NoCredentials,
    /// 200 with an empty `<SecretAccessKey>`; no session is issued.
    EmptySecret,
}

/// A request as the server saw it and answered it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recorded {
    pub method: String,
    /// As sent, still percent-encoded.
    pub path: String,
    /// As sent, still percent-encoded; empty without one.
    pub query: String,
    /// The first path segment; empty for `/`.
    pub bucket: String,
    pub auth: Auth,
    pub status: u16,
    /// The `x-amz-create-session-mode` header, which CreateSession carries.
    pub session_mode: Option<String>,
    /// The `x-amz-content-sha256` header: the body's hex SHA-256 or `UNSIGNED-PAYLOAD`.
    pub content_sha256: Option<String>,
}

/// How a request authenticated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Auth {
    /// Signed by a base identity: CreateSession, HeadBucket, or a data-plane request without a
    /// session token.
    Base { access_key_id: String },
    /// Signed with the session the server issued as number `id` (1 for the first).
    Session { id: u64 },
    /// Not authenticated, and why (the request was answered with an error).
    Rejected(String),
}

/// A running S3 Express server, stopped when dropped.
pub struct ExpressServer {
    /// `http://127.0.0.1:PORT`.
    pub endpoint: String,
    state: Arc<State>,
    _server: LocalServer,
}

struct State {
    region: String,
    /// Bucket name to its zone id, from the name.
    buckets: HashMap<String, String>,
    /// Access key id to secret.
    identities: HashMap<String, String>,
    clock: SharedClock,
    session_lifetime: Duration,
    /// Shared by every bucket, as [`ExpressOptions::objects`] says.
    objects: Mutex<BTreeMap<String, Stored>>,
    sessions: Mutex<Sessions>,
    /// With the arrival number of each, which orders them.
    requests: Mutex<Vec<(u64, Recorded)>>,
    arrivals: AtomicU64,
    create_session_calls: AtomicUsize,
    /// How many CreateSession answers still fail, and how.
    failures: Mutex<(usize, SessionFailure)>,
    create_session_delay: Mutex<Duration>,
}

struct Stored {
    object: Object,
    /// The HeadObject (and GetObject) headers, built once.
    head: HeaderMap,
    /// The content, for an object that PutObject stored.
    body: Option<Bytes>,
}

#[derive(Default)]
struct Sessions {
    issued: u64,
    by_token: HashMap<String, Arc<Session>>,
}

struct Session {
    id: u64,
    bucket: String,
    access_key_id: String,
    secret: String,
    read_only: bool,
    expiry: SystemTime,
}

/// An answer and how the request authenticated, for the record.
type Reply = (Auth, Response<Full<Bytes>>);

/// Why a request was turned away before it authenticated: the error answer's status and code,
/// and the message, which is also the record's [`Auth::Rejected`].
struct Rejection {
    status: StatusCode,
    code: &'static str,
    why: String,
}

impl Rejection {
    fn new(status: StatusCode, code: &'static str, why: impl Into<String>) -> Self {
        Self {
            status,
            code,
            why: why.into(),
        }
    }
}

impl ExpressServer {
    /// Starts a server on a free loopback port. Panics on a bucket name without a zone id or
    /// metadata that cannot be a header, since those are the test's own constants.
    pub async fn start(options: ExpressOptions) -> Self {
        let buckets = options
            .buckets
            .iter()
            .map(|name| {
                let zone = name
                    .strip_suffix("--x-s3")
                    .and_then(|base| base.rsplit_once("--"))
                    .map(|(_, zone)| zone.to_owned())
                    .unwrap_or_else(|| panic!("{name} is not a directory bucket name"));
                (name.clone(), zone)
            })
            .collect();
        let objects = options
            .objects
            .into_iter()
            .map(|(key, object)| {
                let head = head_headers(&object, None);
                let stored = Stored {
                    object,
                    head,
                    body: None,
                };
                (key, stored)
            })
            .collect();
        let state = Arc::new(State {
            region: options.region,
            buckets,
            identities: options.identities.into_iter().collect(),
            clock: options.clock,
            session_lifetime: options.session_lifetime,
            objects: Mutex::new(objects),
            sessions: Mutex::default(),
            requests: Mutex::default(),
            arrivals: AtomicU64::new(0),
            create_session_calls: AtomicUsize::new(0),
            failures: Mutex::new((0, SessionFailure::InternalError)),
            create_session_delay: Mutex::default(),
        });
        let served = state.clone();
        let server = LocalServer::start(move |request| {
            let state = served.clone();
            async move { state.handle(request).await }
        })
        .await;
        Self {
            endpoint: format!("http://{}", server.addr()),
            state,
            _server: server,
        }
    }

    /// CreateSession requests that passed the signature check, whatever they were answered.
    pub fn create_session_calls(&self) -> usize {
        self.state.create_session_calls.load(Ordering::SeqCst)
    }

    /// Every request answered so far, rejected ones too, in order of arrival.
    pub fn requests(&self) -> Vec<Recorded> {
        let mut requests = self.state.requests.lock().expect("requests lock").clone();
        requests.sort_unstable_by_key(|(arrival, _)| *arrival);
        requests.into_iter().map(|(_, recorded)| recorded).collect()
    }

    /// Makes the next `n` CreateSession requests that pass the signature check fail as `how`
    /// (replacing any earlier instruction).
    pub fn fail_create_sessions(&self, n: usize, how: SessionFailure) {
        *self.state.failures.lock().expect("failures lock") = (n, how);
    }

    /// Makes CreateSession answers wait `delay` first, so that concurrent clients pile up.
    pub fn set_create_session_delay(&self, delay: Duration) {
        *self.state.create_session_delay.lock().expect("delay lock") = delay;
    }
}

impl State {
    async fn handle(&self, request: Request<Bytes>) -> Response<Full<Bytes>> {
        let arrival = self.arrivals.fetch_add(1, Ordering::SeqCst);
        let request_id = format!("EXPRESS{arrival:010}");
        let path = request.uri().path();
        let target = path.strip_prefix('/').unwrap_or(path);
        let (bucket, key) = match target.split_once('/') {
            Some((bucket, key)) => (bucket, Some(key).filter(|k| !k.is_empty())),
            None => (target, None),
        };
        let query = request.uri().query().unwrap_or("");
        let (auth, response) = match self.answer(&request, bucket, key, query, &request_id).await {
            Ok(reply) => reply,
            Err(r) => {
                let response = error(r.status, &request_id, r.code, &r.why);
                (Auth::Rejected(r.why), response)
            }
        };
        let recorded = Recorded {
            method: request.method().to_string(),
            path: path.to_owned(),
            query: query.to_owned(),
            bucket: bucket.to_owned(),
            auth,
            status: response.status().as_u16(),
            session_mode: header_text(&request, SESSION_MODE),
            content_sha256: header_text(&request, CONTENT_SHA256),
        };
        self.requests
            .lock()
            .expect("requests lock")
            .push((arrival, recorded));
        response
    }

    async fn answer(
        &self,
        request: &Request<Bytes>,
        bucket: &str,
        key: Option<&str>,
        query: &str,
        id: &str,
    ) -> Result<Reply, Rejection> {
        let Some(zone) = self.buckets.get(bucket) else {
            return Err(Rejection::new(
                StatusCode::NOT_FOUND,
                "NoSuchBucket",
                "The specified bucket does not exist",
            ));
        };
        check_payload(request)?;
        let method = request.method();
        let bucket_level = key.is_none();
        if bucket_level && method == Method::GET && query_value(query, "session").is_some() {
            return self.create_session(request, bucket, id).await;
        }
        if bucket_level && method == Method::HEAD {
            // S3: "You must use IAM credentials" for HeadBucket on a directory bucket.
            if request.headers().contains_key(SESSION_TOKEN) {
                return Err(Rejection::new(
                    StatusCode::FORBIDDEN,
                    "AccessDenied",
                    "HeadBucket must be signed with base credentials, not a session",
                ));
            }
            let auth = self.base_identity(request)?;
            return Ok((auth, self.head_bucket(zone, id)));
        }
        let claimed = sigv4_check::claimed(request, TokenHeader::S3Session)
            .map_err(|why| Rejection::new(StatusCode::FORBIDDEN, "AccessDenied", why))?;
        let (auth, read_only) = match claimed.session_token {
            Some(token) => {
                let session = self.session(request, &claimed, token, bucket)?;
                (Auth::Session { id: session.id }, session.read_only)
            }
            // S3 also takes SigV4 with base credentials on the data plane: what a client that
            // turns session auth off (`DisableS3ExpressSessionAuth`) sends.
            None => (self.base_identity(request)?, false),
        };
        let response = match (method, key) {
            _ if read_only && method != Method::GET && method != Method::HEAD => error(
                StatusCode::FORBIDDEN,
                id,
                "AccessDenied",
                "the session is ReadOnly",
            ),
            (&Method::GET, None) if query_value(query, "list-type") == Some("2") => {
                self.list(bucket, query, id)
            }
            (&Method::HEAD, Some(key)) => self.head_object(key, id),
            (&Method::PUT, Some(key)) => self.put_object(request, key, query, id),
            (&Method::GET, Some(key)) => self.get_object(request, key, query, id),
            _ => error(
                StatusCode::NOT_IMPLEMENTED,
                id,
                "NotImplemented",
                "not implemented by the S3 Express test server",
            ),
        };
        Ok((auth, response))
    }

    /// A request's credential scope must be this server's region and `s3express`.
    fn check_scope(&self, claimed: &Claimed<'_>) -> Result<(), Rejection> {
        if claimed.region == self.region && claimed.service == SERVICE {
            return Ok(());
        }
        Err(Rejection::new(
            StatusCode::BAD_REQUEST,
            "AuthorizationHeaderMalformed",
            format!(
                "the credential scope {}/{} is wrong; expecting {}/{SERVICE}",
                claimed.region, claimed.service, self.region
            ),
        ))
    }

    /// Checks that a base identity signed the request.
    fn base_identity(&self, request: &Request<Bytes>) -> Result<Auth, Rejection> {
        let claimed = sigv4_check::claimed(request, TokenHeader::SecurityToken)
            .map_err(|why| Rejection::new(StatusCode::FORBIDDEN, "AccessDenied", why))?;
        self.check_scope(&claimed)?;
        let Some(secret) = self.identities.get(claimed.access_key_id) else {
            return Err(Rejection::new(
                StatusCode::FORBIDDEN,
                "InvalidAccessKeyId",
                format!("unknown access key {}", claimed.access_key_id),
            ));
        };
        sigv4_check::verify(request, secret, None, TokenHeader::SecurityToken)
            .map_err(|why| Rejection::new(StatusCode::FORBIDDEN, "SignatureDoesNotMatch", why))?;
        Ok(Auth::Base {
            access_key_id: claimed.access_key_id.to_owned(),
        })
    }

    /// The live session for `bucket`, named by `token`, that signed the request.
    fn session(
        &self,
        request: &Request<Bytes>,
        claimed: &Claimed<'_>,
        token: &str,
        bucket: &str,
    ) -> Result<Arc<Session>, Rejection> {
        let denied = |why: String| Rejection::new(StatusCode::FORBIDDEN, "AccessDenied", why);
        self.check_scope(claimed)?;
        let session = self
            .sessions
            .lock()
            .expect("sessions lock")
            .by_token
            .get(token)
            .cloned()
            .ok_or_else(|| denied("the session token was not issued here".to_owned()))?;
        if session.bucket != bucket {
            return Err(denied(format!(
                "the session is for bucket {}",
                session.bucket
            )));
        }
        if claimed.access_key_id != session.access_key_id {
            return Err(Rejection::new(
                StatusCode::FORBIDDEN,
                "InvalidAccessKeyId",
                "the access key is not the session's",
            ));
        }
        sigv4_check::verify(
            request,
            &session.secret,
            Some(token),
            TokenHeader::S3Session,
        )
        .map_err(|why| Rejection::new(StatusCode::FORBIDDEN, "SignatureDoesNotMatch", why))?;
        if session.expiry <= self.clock.now() {
            return Err(Rejection::new(
                StatusCode::BAD_REQUEST,
                "ExpiredToken",
                "The provided token has expired.",
            ));
        }
        Ok(session)
    }

    async fn create_session(
        &self,
        request: &Request<Bytes>,
        bucket: &str,
        id: &str,
    ) -> Result<Reply, Rejection> {
        if request.headers().contains_key(SESSION_TOKEN) {
            return Err(Rejection::new(
                StatusCode::BAD_REQUEST,
                "InvalidRequest",
                format!(
                    "CreateSession must be signed with base credentials, without {SESSION_TOKEN}"
                ),
            ));
        }
        let auth = self.base_identity(request)?;
        self.create_session_calls.fetch_add(1, Ordering::SeqCst);
        let read_only = match request.headers().get(SESSION_MODE).map(|v| v.as_bytes()) {
            None | Some(b"ReadWrite") => false,
            Some(b"ReadOnly") => true,
            Some(_) => {
                let why = format!("{SESSION_MODE} must be ReadWrite or ReadOnly");
                return Ok((
                    auth,
                    error(StatusCode::BAD_REQUEST, id, "InvalidArgument", &why),
                ));
            }
        };
        let failure = {
            let mut failures = self.failures.lock().expect("failures lock");
            (failures.0 > 0).then(|| {
                failures.0 -= 1;
                failures.1
            })
        };
        let delay = *self.create_session_delay.lock().expect("delay lock");
        if !delay.is_zero() {
            tokio::time::sleep(delay).await;
        }
        // Whole seconds, so that the expiry the client reads is the one the server judges by.
        let expiry = DateTime::from(self.clock.now() + self.session_lifetime).secs();
        let expiration = DateTime::from_secs(expiry).format(Format::DateTime);
        let response = match failure {
            Some(SessionFailure::InternalError) => error(
                StatusCode::INTERNAL_SERVER_ERROR,
                id,
                "InternalError",
                "We encountered an internal error. Please try again.",
            ),
            Some(SessionFailure::AccessDenied) => {
                error(StatusCode::FORBIDDEN, id, "AccessDenied", "Access Denied")
            }
            Some(SessionFailure::NoCredentials) => session_result(id, None),
            Some(SessionFailure::EmptySecret) => session_result(
                id,
                Some(("ASIAEMPTYSECRET", "", "empty-secret-token", &expiration)),
            ),
            None => {
                let session = self.issue(bucket, read_only, DateTime::from_secs(expiry).into());
                session_result(
                    id,
                    Some((
                        &session.access_key_id,
                        &session.secret,
                        &format!("session-token-{}", session.id),
                        &expiration,
                    )),
                )
            }
        };
        Ok((auth, response))
    }

    /// Remembers a new session and returns it.
    fn issue(&self, bucket: &str, read_only: bool, expiry: SystemTime) -> Arc<Session> {
        let mut sessions = self.sessions.lock().expect("sessions lock");
        sessions.issued += 1;
        let n = sessions.issued;
        let session = Arc::new(Session {
            id: n,
            bucket: bucket.to_owned(),
            access_key_id: format!("ASIASESSION{n}"),
            // `/` and `+` as in real secrets, which are base64.
            secret: format!("express/session+secret/{n:04}"),
            read_only,
            expiry,
        });
        sessions
            .by_token
            .insert(format!("session-token-{n}"), session.clone());
        session
    }

    fn head_bucket(&self, zone: &str, id: &str) -> Response<Full<Bytes>> {
        respond(
            StatusCode::OK,
            id,
            String::new(),
            &[
                ("x-amz-bucket-region", &self.region),
                ("x-amz-bucket-location-type", "AvailabilityZone"),
                ("x-amz-bucket-location-name", zone),
            ],
        )
    }

    fn head_object(&self, raw_key: &str, id: &str) -> Response<Full<Bytes>> {
        let objects = self.objects.lock().expect("objects lock");
        let stored = decode_key(raw_key).and_then(|key| objects.get(&key));
        let Some(stored) = stored else {
            // A HEAD answer has no body, errors included.
            return respond(StatusCode::NOT_FOUND, id, String::new(), &[]);
        };
        with_headers(&stored.head, id, Bytes::new())
    }

    /// PutObject: stores the body whole, with its user metadata and content type. Only the
    /// plain form: a copy, a part upload or a subresource (`?tagging`) is not implemented.
    fn put_object(
        &self,
        request: &Request<Bytes>,
        raw_key: &str,
        query: &str,
        id: &str,
    ) -> Response<Full<Bytes>> {
        let headers = request.headers();
        if !is_plain_object_request(query, "PutObject") || headers.contains_key("x-amz-copy-source")
        {
            return not_implemented(id);
        }
        let Some(key) = decode_key(raw_key) else {
            return error(
                StatusCode::BAD_REQUEST,
                id,
                "InvalidArgument",
                "the key is not percent-encoded UTF-8",
            );
        };
        // S3 takes no chunked upload without its length (nor does it take aws-chunked here).
        if !headers.contains_key(http::header::CONTENT_LENGTH) {
            return error(
                StatusCode::LENGTH_REQUIRED,
                id,
                "MissingContentLength",
                "You must provide the Content-Length HTTP header.",
            );
        }
        let body = request.body().clone();
        let mut echoed = Vec::new();
        for algorithm in s3_runtime::checksum::PREFERENCE {
            let Some(value) = headers.get(algorithm.header_name()) else {
                continue;
            };
            let actual = s3_runtime::checksum::checksum(*algorithm, &body);
            if value.as_bytes() != actual.as_bytes() {
                let why = format!(
                    "The {} you specified did not match the calculated checksum.",
                    algorithm.name()
                );
                return error(StatusCode::BAD_REQUEST, id, "BadDigest", &why);
            }
            echoed.push((algorithm.header_name(), actual));
        }
        let metadata = headers
            .iter()
            .filter_map(|(name, value)| {
                let name = name.as_str().strip_prefix("x-amz-meta-")?;
                Some((name.to_owned(), value.as_bytes().to_vec()))
            })
            .collect();
        // Directory buckets' ETags are not MD5s: any opaque value of the content will do.
        let etag = sha256_hex(&body)[..32].to_owned();
        let object = Object {
            size: body.len() as u64,
            etag: etag.clone(),
            last_modified: self.clock.now(),
            metadata,
        };
        let head = head_headers(&object, headers.get(http::header::CONTENT_TYPE));
        let stored = Stored {
            object,
            head,
            body: Some(body),
        };
        self.objects
            .lock()
            .expect("objects lock")
            .insert(key, stored);
        let etag = format!("\"{etag}\"");
        let mut answer = vec![
            ("etag", etag.as_str()),
            ("x-amz-server-side-encryption", "AES256"),
        ];
        answer.extend(echoed.iter().map(|(name, value)| (*name, value.as_str())));
        let mut response = respond(StatusCode::OK, id, String::new(), &answer);
        response.headers_mut().remove(http::header::CONTENT_TYPE);
        response
    }

    /// GetObject: the whole body of an object PutObject stored, with its `Content-Length` and
    /// the HeadObject headers. Ranges, part numbers, conditions and subresources are not
    /// implemented, nor is the content of the objects the server started with.
    fn get_object(
        &self,
        request: &Request<Bytes>,
        raw_key: &str,
        query: &str,
        id: &str,
    ) -> Response<Full<Bytes>> {
        let headers = request.headers();
        let conditional = [
            "range",
            "if-match",
            "if-none-match",
            "if-modified-since",
            "if-unmodified-since",
        ]
        .iter()
        .any(|name| headers.contains_key(*name));
        if !is_plain_object_request(query, "GetObject") || conditional {
            return not_implemented(id);
        }
        let objects = self.objects.lock().expect("objects lock");
        let Some(stored) = decode_key(raw_key).and_then(|key| objects.get(&key)) else {
            return error(
                StatusCode::NOT_FOUND,
                id,
                "NoSuchKey",
                "The specified key does not exist.",
            );
        };
        match &stored.body {
            Some(body) => with_headers(&stored.head, id, body.clone()),
            None => error(
                StatusCode::NOT_IMPLEMENTED,
                id,
                "NotImplemented",
                "the S3 Express test server holds only this object's metadata",
            ),
        }
    }

    /// ListObjectsV2. The continuation token is the next key to list, percent-encoded.
    fn list(&self, bucket: &str, query: &str, id: &str) -> Response<Full<Bytes>> {
        let q = match ListQuery::parse(query) {
            Ok(q) => q,
            Err(why) => return error(StatusCode::BAD_REQUEST, id, "InvalidArgument", &why),
        };
        let prefix = q.prefix.as_str();
        // A continuation token takes over from start-after, as at S3.
        let lower = match (&q.resume, &q.start_after) {
            (Some(key), _) if key.as_str() > prefix => Bound::Included(key.as_str()),
            (None, Some(after)) if after.as_str() >= prefix => Bound::Excluded(after.as_str()),
            _ => Bound::Included(prefix),
        };
        let objects = self.objects.lock().expect("objects lock");
        let mut keys = objects
            .range::<str, _>((lower, Bound::Unbounded))
            .take_while(|(key, _)| key.starts_with(prefix))
            .peekable();
        let (mut contents, mut common_prefixes) = (Vec::new(), Vec::new());
        let mut next = None;
        while let Some((key, stored)) = keys.next() {
            if contents.len() + common_prefixes.len() == q.max_keys {
                // With max-keys=0 nothing is listed and nothing is left to continue with.
                next = (q.max_keys > 0).then_some(key);
                break;
            }
            let rolled_up = q.delimiter.as_deref().and_then(|d| {
                let rest = &key[prefix.len()..];
                rest.find(d).map(|i| &key[..prefix.len() + i + d.len()])
            });
            match rolled_up {
                Some(common) => {
                    while keys.next_if(|(k, _)| k.starts_with(common)).is_some() {}
                    common_prefixes.push(common);
                }
                None => contents.push((key, &stored.object)),
            }
        }

        let mut xml = format!("{XML_DECLARATION}<ListBucketResult xmlns=\"{S3_NAMESPACE}\">");
        push_element(&mut xml, "Name", bucket, false);
        push_element(&mut xml, "Prefix", prefix, q.url);
        if let Some(after) = &q.start_after {
            push_element(&mut xml, "StartAfter", after, q.url);
        }
        if let Some(token) = &q.token {
            push_element(&mut xml, "ContinuationToken", token, false);
        }
        if let Some(next) = next {
            push_element(&mut xml, "NextContinuationToken", &url_encode(next), false);
        }
        let count = contents.len() + common_prefixes.len();
        push_element(&mut xml, "KeyCount", &count.to_string(), false);
        push_element(&mut xml, "MaxKeys", &q.max_keys.to_string(), false);
        if let Some(delimiter) = &q.delimiter {
            push_element(&mut xml, "Delimiter", delimiter, q.url);
        }
        if q.url {
            push_element(&mut xml, "EncodingType", "url", false);
        }
        push_element(&mut xml, "IsTruncated", &next.is_some().to_string(), false);
        for (key, object) in contents {
            xml.push_str("<Contents>");
            push_element(&mut xml, "Key", key, q.url);
            let modified = xml_timestamp(object.last_modified);
            push_element(&mut xml, "LastModified", &modified, false);
            push_element(&mut xml, "ETag", &format!("\"{}\"", object.etag), false);
            push_element(&mut xml, "Size", &object.size.to_string(), false);
            if q.fetch_owner {
                xml.push_str(&format!("<Owner><ID>{OWNER_ID}</ID></Owner>"));
            }
            xml.push_str("<StorageClass>EXPRESS_ONEZONE</StorageClass></Contents>");
        }
        for common in common_prefixes {
            xml.push_str("<CommonPrefixes>");
            push_element(&mut xml, "Prefix", common, q.url);
            xml.push_str("</CommonPrefixes>");
        }
        xml.push_str("</ListBucketResult>");
        respond(StatusCode::OK, id, xml, &[])
    }
}

/// The parameters of a ListObjectsV2 request, decoded.
struct ListQuery {
    prefix: String,
    /// Absent when empty, as S3 treats it.
    delimiter: Option<String>,
    start_after: Option<String>,
    /// As sent (once decoded from the query), to echo.
    token: Option<String>,
    /// The key the token names.
    resume: Option<String>,
    max_keys: usize,
    /// `encoding-type=url`.
    url: bool,
    fetch_owner: bool,
}

impl ListQuery {
    fn parse(query: &str) -> Result<Self, String> {
        let param = |name: &str| match query_value(query, name) {
            None => Ok(None),
            Some(value) => decode_query_value(value)
                .map(Some)
                .ok_or_else(|| format!("{name} is not percent-encoded UTF-8")),
        };
        let token = param("continuation-token")?;
        let resume = match &token {
            None => None,
            Some(token) => Some(
                percent_decode_str(token)
                    .decode_utf8()
                    .map_err(|_| "The continuation token provided is incorrect")?
                    .into_owned(),
            ),
        };
        let max_keys = match param("max-keys")?.map(|m| m.parse::<usize>()) {
            None => 1000,
            // S3 returns at most 1000 whatever is asked.
            Some(Ok(max)) => max.min(1000),
            Some(Err(_)) => return Err("max-keys must be a non-negative integer".into()),
        };
        let url = match param("encoding-type")?.as_deref() {
            None => false,
            Some("url") => true,
            Some(_) => return Err("Invalid Encoding Method specified in Request".into()),
        };
        Ok(Self {
            prefix: param("prefix")?.unwrap_or_default(),
            delimiter: param("delimiter")?.filter(|d| !d.is_empty()),
            start_after: param("start-after")?,
            token,
            resume,
            max_keys,
            url,
            fetch_owner: param("fetch-owner")?.as_deref() == Some("true"),
        })
    }
}

/// A `CreateSessionResult`, with (access key id, secret, token, expiration) credentials or none.
fn session_result(
    id: &str,
    credentials: Option<(&str, &str, &str, &str)>,
) -> Response<Full<Bytes>> {
    let mut xml = format!("{XML_DECLARATION}<CreateSessionResult xmlns=\"{S3_NAMESPACE}\">");
    if let Some((access_key_id, secret, token, expiration)) = credentials {
        xml.push_str("<Credentials>");
        push_element(&mut xml, "SessionToken", token, false);
        push_element(&mut xml, "SecretAccessKey", secret, false);
        push_element(&mut xml, "AccessKeyId", access_key_id, false);
        push_element(&mut xml, "Expiration", expiration, false);
        xml.push_str("</Credentials>");
    }
    xml.push_str("</CreateSessionResult>");
    respond(
        StatusCode::OK,
        id,
        xml,
        &[("x-amz-server-side-encryption", "AES256")],
    )
}

/// The headers of a HeadObject answer for `object`, of `content_type` (by default
/// `application/octet-stream`).
fn head_headers(object: &Object, content_type: Option<&HeaderValue>) -> HeaderMap {
    let mut headers = HeaderMap::new();
    let mut set = |name: HeaderName, value: &[u8]| {
        let value = HeaderValue::from_bytes(value)
            .unwrap_or_else(|_| panic!("{name}: {value:?} is not a valid header value"));
        headers.append(name, value);
    };
    set(
        http::header::CONTENT_LENGTH,
        object.size.to_string().as_bytes(),
    );
    set(
        http::header::ETAG,
        format!("\"{}\"", object.etag).as_bytes(),
    );
    let modified = DateTime::from(object.last_modified).format(Format::HttpDate);
    set(http::header::LAST_MODIFIED, modified.as_bytes());
    let content_type = content_type.map_or(&b"application/octet-stream"[..], |v| v.as_bytes());
    set(http::header::CONTENT_TYPE, content_type);
    set(
        HeaderName::from_static("x-amz-storage-class"),
        b"EXPRESS_ONEZONE",
    );
    for (name, value) in &object.metadata {
        let name = HeaderName::try_from(format!("x-amz-meta-{name}"))
            .unwrap_or_else(|_| panic!("x-amz-meta-{name} is not a valid header name"));
        set(name, value);
    }
    headers
}

/// An answer with `headers` (a stored object's), the request id and `body`.
fn with_headers(headers: &HeaderMap, id: &str, body: Bytes) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(body));
    *response.headers_mut() = headers.clone();
    response.headers_mut().insert(
        "x-amz-request-id",
        HeaderValue::from_str(id).expect("a header value"),
    );
    response
}

fn not_implemented(id: &str) -> Response<Full<Bytes>> {
    error(
        StatusCode::NOT_IMPLEMENTED,
        id,
        "NotImplemented",
        "not implemented by the S3 Express test server",
    )
}

/// Whether `query` is that of the plain object operation `x_id` (no subresource): empty, or
/// only the `x-id` the client may add.
fn is_plain_object_request(query: &str, x_id: &str) -> bool {
    query
        .split('&')
        .filter(|pair| !pair.is_empty())
        .all(|pair| pair == format!("x-id={x_id}"))
}

/// An object key from the path, percent-decoded.
fn decode_key(raw_key: &str) -> Option<String> {
    percent_decode_str(raw_key)
        .decode_utf8()
        .ok()
        .map(|key| key.into_owned())
}

/// The value of header `name` as text, if sent (bytes beyond ASCII replaced).
fn header_text(request: &Request<Bytes>, name: &str) -> Option<String> {
    request
        .headers()
        .get(name)
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
}

/// Checks a request's `x-amz-content-sha256` against the body that arrived, as S3 does: a hex
/// SHA-256 must be the body's; `UNSIGNED-PAYLOAD` leaves the body unchecked. (The signature
/// check signs the body that arrived, so a wrong hash would fail there too, but as a signature
/// mismatch; S3 says what is wrong.)
fn check_payload(request: &Request<Bytes>) -> Result<(), Rejection> {
    let values: Vec<_> = request.headers().get_all(CONTENT_SHA256).iter().collect();
    let value = match values[..] {
        [] => {
            return Err(Rejection::new(
                StatusCode::BAD_REQUEST,
                "InvalidRequest",
                format!("Missing required header for this request: {CONTENT_SHA256}"),
            ))
        }
        [value] => value.as_bytes(),
        _ => {
            return Err(Rejection::new(
                StatusCode::BAD_REQUEST,
                "InvalidArgument",
                format!("more than one {CONTENT_SHA256} header"),
            ))
        }
    };
    if value == UNSIGNED_PAYLOAD.as_bytes() {
        return Ok(());
    }
    if value.starts_with(b"STREAMING-") {
        return Err(Rejection::new(
            StatusCode::NOT_IMPLEMENTED,
            "NotImplemented",
            "aws-chunked bodies are not implemented by the S3 Express test server",
        ));
    }
    let is_hash = value.len() == 64
        && value
            .iter()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(b));
    if !is_hash {
        return Err(Rejection::new(
            StatusCode::BAD_REQUEST,
            "InvalidArgument",
            format!("{CONTENT_SHA256} must be UNSIGNED-PAYLOAD or a lowercase hex SHA-256"),
        ));
    }
    if value != sha256_hex(request.body()).as_bytes() {
        return Err(Rejection::new(
            StatusCode::BAD_REQUEST,
            "XAmzContentSHA256Mismatch",
            "The provided 'x-amz-content-sha256' header does not match what was computed.",
        ));
    }
    Ok(())
}

/// The hex SHA-256 of `data`.
fn sha256_hex(data: &[u8]) -> String {
    let base64 = s3_runtime::checksum::checksum(s3_runtime::checksum::Algorithm::Sha256, data);
    let digest = s3_runtime::types::base64_decode(&base64).expect("base64 from the runtime");
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Appends `<name>value</name>`, `value` escaped, and URL-encoded first when `url`.
fn push_element(out: &mut String, name: &str, value: &str, url: bool) {
    out.push('<');
    out.push_str(name);
    out.push('>');
    if url {
        escape_into(out, &url_encode(value));
    } else {
        escape_into(out, value);
    }
    out.push_str("</");
    out.push_str(name);
    out.push('>');
}

/// A query parameter's value: `+` is a space, then percent-escapes are decoded.
fn decode_query_value(value: &str) -> Option<String> {
    let value = value.replace('+', " ");
    percent_decode_str(&value)
        .decode_utf8()
        .ok()
        .map(|v| v.into_owned())
}

/// S3's `encoding-type=url` form of `text`.
fn url_encode(text: &str) -> String {
    utf8_percent_encode(text, KEEP_IN_URL).to_string()
}

/// `2024-01-02T03:04:05.678Z`: S3 writes milliseconds, always.
fn xml_timestamp(time: SystemTime) -> String {
    let time = DateTime::from(time);
    let whole = DateTime::from_secs(time.secs()).format(Format::DateTime);
    format!(
        "{}.{:03}Z",
        whole.trim_end_matches('Z'),
        time.subsec_nanos() / 1_000_000
    )
}

#[cfg(test)]
mod tests {
    use std::time::Instant;

    use http_body_util::BodyExt;
    use hyper_util::client::legacy::connect::HttpConnector;
    use hyper_util::client::legacy::Client;
    use hyper_util::rt::TokioExecutor;
    use s3_runtime::credentials::Credentials;
    use s3_runtime::sigv4::{PayloadHash, Signer, SigningParams, SigningSettings};
    use s3_runtime::time::Clock;

    use super::*;

    const BUCKET: &str = "data--usw2-az1--x-s3";
    const OTHER_BUCKET: &str = "logs--usw2-az3--x-s3";
    const ACCESS_KEY_ID: &str = "AKIDEXPRESS";
    const SECRET: &str = "base/secret+key";
    /// In key order.
    const KEYS: [&str; 6] = ["a/1", "a/2", "b", "caf\u{e9}", "ctl\u{1}key", "z z+"];

    /// A clock the test sets.
    #[derive(Debug)]
    struct TestClock(Mutex<SystemTime>);

    impl Clock for TestClock {
        fn now(&self) -> SystemTime {
            *self.0.lock().unwrap()
        }
    }

    impl TestClock {
        fn advance(&self, by: Duration) {
            *self.0.lock().unwrap() += by;
        }
    }

    struct Fixture {
        server: ExpressServer,
        clock: Arc<TestClock>,
        http: Client<HttpConnector, Full<Bytes>>,
    }

    struct Answer {
        status: StatusCode,
        headers: HeaderMap,
        body: String,
    }

    fn base() -> Credentials {
        Credentials::new(ACCESS_KEY_ID, SECRET, None, None)
    }

    async fn fixture() -> Fixture {
        let clock = Arc::new(TestClock(Mutex::new(
            SystemTime::UNIX_EPOCH + Duration::from_secs(1_704_164_645),
        )));
        let objects = KEYS
            .iter()
            .enumerate()
            .map(|(i, key)| {
                let object = Object {
                    size: 1000 + i as u64,
                    etag: format!("etag{i}"),
                    last_modified: SystemTime::UNIX_EPOCH
                        + Duration::from_millis(1_704_164_645_123),
                    metadata: vec![("note".to_owned(), b"caf\xe9".to_vec())],
                };
                ((*key).to_owned(), object)
            })
            .collect();
        let server = ExpressServer::start(ExpressOptions {
            buckets: vec![BUCKET.to_owned(), OTHER_BUCKET.to_owned()],
            identities: vec![(ACCESS_KEY_ID.to_owned(), SECRET.to_owned())],
            clock: clock.clone(),
            objects,
            ..ExpressOptions::default()
        })
        .await;
        Fixture {
            server,
            clock,
            http: Client::builder(TokioExecutor::new()).build_http(),
        }
    }

    /// Elements `name` of `xml`, as written.
    fn elements<'a>(xml: &'a str, name: &str) -> Vec<&'a str> {
        let (open, close) = (format!("<{name}>"), format!("</{name}>"));
        xml.split(open.as_str())
            .skip(1)
            .filter_map(|rest| rest.split_once(close.as_str()).map(|(text, _)| text))
            .collect()
    }

    impl Fixture {
        /// Sends `method target` signed with `credentials` (S3 Express settings when they are a
        /// session's) at the test clock's time.
        async fn send(
            &self,
            method: Method,
            target: &str,
            credentials: &Credentials,
            headers: &[(&str, &str)],
        ) -> Answer {
            self.send_body(method, target, credentials, headers, "", PayloadHash::Body)
                .await
        }

        /// [`send`](Self::send) with `body`, its payload signed as `payload` says.
        async fn send_body(
            &self,
            method: Method,
            target: &str,
            credentials: &Credentials,
            headers: &[(&str, &str)],
            body: &'static str,
            payload: PayloadHash<'_>,
        ) -> Answer {
            let mut request = Request::builder()
                .method(method)
                .uri(format!("{}{target}", self.server.endpoint));
            for (name, value) in headers {
                request = request.header(*name, *value);
            }
            let mut request = request.body(Bytes::from_static(body.as_bytes())).unwrap();
            let settings = match credentials.session_token() {
                Some(_) => SigningSettings::s3_express(),
                None => SigningSettings::s3(),
            };
            let params = SigningParams {
                credentials,
                region: "us-west-2",
                service: "s3express",
                time: DateTime::from(self.clock.now()),
                payload,
                settings: &settings,
            };
            Signer::new().sign(&mut request, &params).unwrap();
            let response = self.http.request(request.map(Full::new)).await.unwrap();
            let (parts, body) = response.into_parts();
            let body = body.collect().await.unwrap().to_bytes();
            assert!(parts.headers.contains_key("x-amz-request-id"));
            Answer {
                status: parts.status,
                headers: parts.headers,
                body: String::from_utf8(body.to_vec()).unwrap(),
            }
        }

        async fn create_session(&self, bucket: &str) -> Credentials {
            let answer = self
                .send(Method::GET, &format!("/{bucket}?session"), &base(), &[])
                .await;
            assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
            let one = |name| elements(&answer.body, name)[0];
            let expiry = DateTime::parse(one("Expiration"), Format::DateTime).unwrap();
            Credentials::new(
                one("AccessKeyId"),
                one("SecretAccessKey"),
                Some(one("SessionToken").to_owned()),
                Some(expiry.into()),
            )
        }

        fn code(answer: &Answer) -> &str {
            elements(&answer.body, "Code")
                .first()
                .copied()
                .unwrap_or("")
        }
    }

    #[tokio::test]
    async fn a_session_lists_until_it_expires() {
        let f = fixture().await;
        let session = f.create_session(BUCKET).await;
        assert_eq!(session.access_key_id(), "ASIASESSION1");
        assert_eq!(session.session_token(), Some("session-token-1"));
        assert!(session.secret_access_key().contains(['/', '+']));
        assert_eq!(
            session.expiry(),
            Some(f.clock.now() + Duration::from_secs(300))
        );
        let list = f
            .send(
                Method::GET,
                &format!("/{BUCKET}?list-type=2"),
                &session,
                &[],
            )
            .await;
        assert_eq!(list.status, StatusCode::OK, "{}", list.body);
        assert_eq!(elements(&list.body, "KeyCount"), ["6"]);

        f.clock.advance(Duration::from_secs(300));
        let expired = f
            .send(
                Method::GET,
                &format!("/{BUCKET}?list-type=2"),
                &session,
                &[],
            )
            .await;
        assert_eq!(expired.status, StatusCode::BAD_REQUEST);
        assert_eq!(Fixture::code(&expired), "ExpiredToken");

        let read_only = f
            .send(
                Method::GET,
                &format!("/{BUCKET}?session"),
                &base(),
                &[("x-amz-create-session-mode", "ReadOnly")],
            )
            .await;
        assert_eq!(elements(&read_only.body, "AccessKeyId"), ["ASIASESSION2"]);
        assert_eq!(f.server.create_session_calls(), 2);
        let requests = f.server.requests();
        let summary: Vec<_> = requests
            .iter()
            .map(|r| (r.method.as_str(), r.query.as_str(), r.status, &r.auth))
            .collect();
        let base_auth = Auth::Base {
            access_key_id: ACCESS_KEY_ID.to_owned(),
        };
        let expired_auth = Auth::Rejected("The provided token has expired.".to_owned());
        assert_eq!(
            summary,
            [
                ("GET", "session", 200, &base_auth),
                ("GET", "list-type=2", 200, &Auth::Session { id: 1 }),
                ("GET", "list-type=2", 400, &expired_auth),
                ("GET", "session", 200, &base_auth),
            ]
        );
        assert_eq!(requests[0].path, format!("/{BUCKET}"));
        assert_eq!(requests[0].bucket, BUCKET);
        assert_eq!(requests[0].session_mode, None);
        assert_eq!(requests[3].session_mode.as_deref(), Some("ReadOnly"));
    }

    #[tokio::test]
    async fn rejects_what_s3_rejects() {
        let f = fixture().await;
        let session = f.create_session(BUCKET).await;
        let list = format!("/{BUCKET}?list-type=2");
        let cases = [
            // CreateSession with a session.
            (
                Method::GET,
                format!("/{BUCKET}?session"),
                session.clone(),
                400,
                "InvalidRequest",
            ),
            (Method::HEAD, format!("/{BUCKET}"), session.clone(), 403, ""),
            (
                Method::GET,
                format!("/{OTHER_BUCKET}?list-type=2"),
                session.clone(),
                403,
                "AccessDenied",
            ),
            (
                Method::GET,
                "/nope--usw2-az1--x-s3?list-type=2".to_owned(),
                session.clone(),
                404,
                "NoSuchBucket",
            ),
            (
                Method::GET,
                format!("/{BUCKET}?session"),
                Credentials::new(ACCESS_KEY_ID, "wrong", None, None),
                403,
                "SignatureDoesNotMatch",
            ),
            (
                Method::GET,
                list.clone(),
                Credentials::new(
                    session.access_key_id(),
                    "wrong",
                    session.session_token().map(str::to_owned),
                    None,
                ),
                403,
                "SignatureDoesNotMatch",
            ),
            (
                Method::DELETE,
                format!("/{BUCKET}/b"),
                session.clone(),
                501,
                "NotImplemented",
            ),
            (
                Method::PUT,
                format!("/{BUCKET}/b?tagging"),
                session.clone(),
                501,
                "NotImplemented",
            ),
        ];
        for (method, target, credentials, status, code) in cases {
            let answer = f.send(method.clone(), &target, &credentials, &[]).await;
            assert_eq!(
                answer.status.as_u16(),
                status,
                "{method} {target}: {}",
                answer.body
            );
            assert_eq!(Fixture::code(&answer), code, "{method} {target}");
        }
        assert_eq!(f.server.create_session_calls(), 1);
        let unsessioned = f.send(Method::GET, &list, &base(), &[]).await;
        assert_eq!(unsessioned.status, StatusCode::OK);
        let last = f.server.requests().pop().unwrap();
        assert_eq!(
            last.auth,
            Auth::Base {
                access_key_id: ACCESS_KEY_ID.to_owned()
            }
        );
        let head = f
            .send(Method::HEAD, &format!("/{BUCKET}"), &base(), &[])
            .await;
        assert_eq!(head.status, StatusCode::OK);
        assert_eq!(head.headers["x-amz-bucket-region"], "us-west-2");
        assert_eq!(
            head.headers["x-amz-bucket-location-type"],
            "AvailabilityZone"
        );
        assert_eq!(head.headers["x-amz-bucket-location-name"], "usw2-az1");
    }

    #[tokio::test]
    async fn lists_pages_prefixes_and_encodings() {
        let f = fixture().await;
        let session = f.create_session(BUCKET).await;
        let list = |query: String| {
            let session = session.clone();
            let f = &f;
            async move {
                let answer = f
                    .send(
                        Method::GET,
                        &format!("/{BUCKET}?list-type=2{query}"),
                        &session,
                        &[],
                    )
                    .await;
                assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
                answer.body
            }
        };

        let mut keys = Vec::new();
        let mut token = None::<String>;
        loop {
            let mut query = "&encoding-type=url&max-keys=2".to_owned();
            if let Some(token) = &token {
                query.push_str("&continuation-token=");
                query.push_str(&utf8_percent_encode(token, NON_ALPHANUMERIC).to_string());
            }
            let body = list(query).await;
            assert_eq!(elements(&body, "EncodingType"), ["url"]);
            assert_eq!(
                elements(&body, "ContinuationToken"),
                token.as_slice(),
                "echoed"
            );
            for key in elements(&body, "Key") {
                keys.push(percent_decode_str(key).decode_utf8().unwrap().into_owned());
            }
            match elements(&body, "NextContinuationToken").first() {
                Some(next) => token = Some((*next).to_owned()),
                None => break,
            }
        }
        assert_eq!(keys, KEYS);

        let raw = list(String::new()).await;
        assert!(raw.contains("<Key>ctl&#x1;key</Key>"), "{raw}");
        assert!(raw.contains("<Key>caf\u{e9}</Key><LastModified>2024-01-02T03:04:05.123Z</LastModified><ETag>&quot;etag3&quot;</ETag><Size>1003</Size><StorageClass>EXPRESS_ONEZONE</StorageClass>"), "{raw}");
        let url = list("&encoding-type=url&prefix=c".to_owned()).await;
        assert_eq!(elements(&url, "Key"), ["caf%C3%A9", "ctl%01key"]);

        let grouped = list("&delimiter=%2F&start-after=a%2F0&fetch-owner=true".to_owned()).await;
        assert_eq!(elements(&grouped, "StartAfter"), ["a/0"]);
        assert_eq!(elements(&grouped, "Prefix"), ["", "a/"]);
        assert_eq!(elements(&grouped, "KeyCount"), ["5"]);
        assert_eq!(elements(&grouped, "ID").len(), 4);
        let spaced = list("&prefix=z%20z%2B".to_owned()).await;
        assert_eq!(elements(&spaced, "Key"), ["z z+"]);

        let bad = f
            .send(
                Method::GET,
                &format!("/{BUCKET}?list-type=2&encoding-type=base64"),
                &session,
                &[],
            )
            .await;
        assert_eq!(Fixture::code(&bad), "InvalidArgument");
    }

    #[tokio::test]
    async fn head_object_sends_metadata_bytes_as_they_are() {
        let f = fixture().await;
        let session = f.create_session(BUCKET).await;
        let head = f
            .send(Method::HEAD, &format!("/{BUCKET}/caf%C3%A9"), &session, &[])
            .await;
        assert_eq!(head.status, StatusCode::OK);
        assert_eq!(head.headers["content-length"], "1003");
        assert_eq!(head.headers["etag"], "\"etag3\"");
        assert_eq!(
            head.headers["last-modified"],
            "Tue, 02 Jan 2024 03:04:05 GMT"
        );
        assert_eq!(head.headers["x-amz-storage-class"], "EXPRESS_ONEZONE");
        assert_eq!(head.headers["x-amz-meta-note"].as_bytes(), b"caf\xe9");
        let control = f
            .send(Method::HEAD, &format!("/{BUCKET}/ctl%01key"), &session, &[])
            .await;
        assert_eq!(control.status, StatusCode::OK);
        let missing = f
            .send(Method::HEAD, &format!("/{BUCKET}/nope"), &session, &[])
            .await;
        assert_eq!(missing.status, StatusCode::NOT_FOUND);
        assert_eq!(missing.body, "");
    }

    #[tokio::test]
    async fn put_objects_are_got_back_whole() {
        let f = fixture().await;
        let session = f.create_session(BUCKET).await;
        let target = format!("/{BUCKET}/new%20one?x-id=PutObject");
        let headers = [
            ("content-type", "text/plain"),
            ("x-amz-meta-colour", "blue"),
            ("x-amz-checksum-crc32", "/6tyOg=="),
        ];
        let body = "hello, world";
        let put = f
            .send_body(
                Method::PUT,
                &target,
                &session,
                &headers,
                body,
                PayloadHash::Body,
            )
            .await;
        assert_eq!(put.status, StatusCode::OK, "{}", put.body);
        assert_eq!(put.headers["x-amz-checksum-crc32"], "/6tyOg==");
        let etag = put.headers["etag"].clone();

        let get = f
            .send(
                Method::GET,
                &format!("/{BUCKET}/new%20one?x-id=GetObject"),
                &session,
                &[],
            )
            .await;
        assert_eq!(get.status, StatusCode::OK, "{}", get.body);
        assert_eq!(get.body, body);
        assert_eq!(get.headers["content-length"], "12");
        assert_eq!(get.headers["content-type"], "text/plain");
        assert_eq!(get.headers["x-amz-meta-colour"], "blue");
        assert_eq!(get.headers["etag"], etag);
        let head = f
            .send(Method::HEAD, &format!("/{BUCKET}/new%20one"), &session, &[])
            .await;
        assert_eq!(head.headers["content-length"], "12");
        let list = f
            .send(
                Method::GET,
                &format!("/{BUCKET}?list-type=2&prefix=n"),
                &session,
                &[],
            )
            .await;
        assert_eq!(elements(&list.body, "Key"), ["new one"]);

        // Unsigned, the body is taken as it comes.
        let unsigned = f
            .send_body(
                Method::PUT,
                &format!("/{BUCKET}/unsigned"),
                &session,
                &[],
                "as it comes",
                PayloadHash::Unsigned,
            )
            .await;
        assert_eq!(unsigned.status, StatusCode::OK, "{}", unsigned.body);
        let got = f
            .send(Method::GET, &format!("/{BUCKET}/unsigned"), &session, &[])
            .await;
        assert_eq!(got.body, "as it comes");
        let recorded: Vec<_> = f
            .server
            .requests()
            .into_iter()
            .filter(|r| r.method == "PUT")
            .map(|r| (r.auth, r.content_sha256))
            .collect();
        assert_eq!(
            recorded,
            [
                (Auth::Session { id: 1 }, Some(sha256_hex(body.as_bytes()))),
                (Auth::Session { id: 1 }, Some("UNSIGNED-PAYLOAD".to_owned())),
            ]
        );

        // The objects the server started with have no content to get.
        let metadata_only = f
            .send(Method::GET, &format!("/{BUCKET}/b"), &session, &[])
            .await;
        assert_eq!(metadata_only.status, StatusCode::NOT_IMPLEMENTED);
        let missing = f
            .send(Method::GET, &format!("/{BUCKET}/nope"), &session, &[])
            .await;
        assert_eq!(missing.status, StatusCode::NOT_FOUND);
        assert_eq!(Fixture::code(&missing), "NoSuchKey");
        let ranged = f
            .send(
                Method::GET,
                &format!("/{BUCKET}/unsigned"),
                &session,
                &[("range", "bytes=0-1")],
            )
            .await;
        assert_eq!(ranged.status, StatusCode::NOT_IMPLEMENTED);
    }

    #[tokio::test]
    async fn a_body_that_is_not_the_one_signed_is_rejected() {
        let f = fixture().await;
        let session = f.create_session(BUCKET).await;
        let target = format!("/{BUCKET}/tampered");
        let other = sha256_hex(b"the body as signed");
        let cases = [
            (
                PayloadHash::Precomputed(&other),
                400,
                "XAmzContentSHA256Mismatch",
            ),
            (PayloadHash::Precomputed("0123"), 400, "InvalidArgument"),
            (
                PayloadHash::Precomputed("STREAMING-UNSIGNED-PAYLOAD-TRAILER"),
                501,
                "NotImplemented",
            ),
        ];
        for (payload, status, code) in cases {
            let answer = f
                .send_body(
                    Method::PUT,
                    &target,
                    &session,
                    &[],
                    "the body as sent",
                    payload,
                )
                .await;
            assert_eq!(
                answer.status.as_u16(),
                status,
                "{payload:?}: {}",
                answer.body
            );
            assert_eq!(Fixture::code(&answer), code, "{payload:?}");
        }
        let bad_digest = f
            .send_body(
                Method::PUT,
                &target,
                &session,
                &[("x-amz-checksum-sha256", "AAAA")],
                "the body as sent",
                PayloadHash::Body,
            )
            .await;
        assert_eq!(bad_digest.status, StatusCode::BAD_REQUEST);
        assert_eq!(Fixture::code(&bad_digest), "BadDigest");
        let read_only = f
            .send(
                Method::GET,
                &format!("/{BUCKET}?session"),
                &base(),
                &[("x-amz-create-session-mode", "ReadOnly")],
            )
            .await;
        let one = |name| elements(&read_only.body, name)[0].to_owned();
        let read_only = Credentials::new(
            one("AccessKeyId"),
            one("SecretAccessKey"),
            Some(one("SessionToken")),
            None,
        );
        let denied = f
            .send_body(
                Method::PUT,
                &target,
                &read_only,
                &[],
                "x",
                PayloadHash::Body,
            )
            .await;
        assert_eq!(denied.status, StatusCode::FORBIDDEN);
        let statuses: Vec<_> = f.server.requests().iter().map(|r| r.status).collect();
        assert_eq!(statuses, [200, 400, 400, 501, 400, 200, 403]);
        let missing = f
            .send(Method::GET, &format!("/{BUCKET}/tampered"), &session, &[])
            .await;
        assert_eq!(missing.status, StatusCode::NOT_FOUND, "nothing was stored");
    }

    /// A body of unknown length, which hyper sends chunked.
    struct Unsized(Option<Bytes>);

    impl hyper::body::Body for Unsized {
        type Data = Bytes;
        type Error = std::convert::Infallible;

        fn poll_frame(
            mut self: std::pin::Pin<&mut Self>,
            _: &mut std::task::Context<'_>,
        ) -> std::task::Poll<Option<Result<hyper::body::Frame<Bytes>, Self::Error>>> {
            std::task::Poll::Ready(self.0.take().map(|data| Ok(hyper::body::Frame::data(data))))
        }
    }

    #[tokio::test]
    async fn a_put_without_content_length_is_refused() {
        let f = fixture().await;
        let session = f.create_session(BUCKET).await;
        let mut request = Request::put(format!("{}/{BUCKET}/chunked", f.server.endpoint))
            .body(Bytes::new())
            .unwrap();
        let params = SigningParams {
            credentials: &session,
            region: "us-west-2",
            service: "s3express",
            time: DateTime::from(f.clock.now()),
            payload: PayloadHash::Unsigned,
            settings: &SigningSettings::s3_express(),
        };
        Signer::new().sign(&mut request, &params).unwrap();
        let http: Client<HttpConnector, Unsized> =
            Client::builder(TokioExecutor::new()).build_http();
        let body = Unsized(Some(Bytes::from_static(b"of unknown length")));
        let response = http.request(request.map(|_| body)).await.unwrap();
        assert_eq!(response.status(), StatusCode::LENGTH_REQUIRED);
        let recorded = f.server.requests().pop().unwrap();
        assert_eq!(recorded.auth, Auth::Session { id: 1 }, "signed as sent");
    }

    #[tokio::test]
    async fn injected_failures_come_first() {
        let f = fixture().await;
        let failures = [
            (SessionFailure::InternalError, 500),
            (SessionFailure::AccessDenied, 403),
            (SessionFailure::NoCredentials, 200),
            (SessionFailure::EmptySecret, 200),
        ];
        for (how, status) in failures {
            f.server.fail_create_sessions(1, how);
            let answer = f
                .send(Method::GET, &format!("/{BUCKET}?session"), &base(), &[])
                .await;
            assert_eq!(answer.status.as_u16(), status, "{how:?}");
            let secrets = elements(&answer.body, "SecretAccessKey");
            match how {
                SessionFailure::NoCredentials => assert!(!answer.body.contains("Credentials")),
                SessionFailure::EmptySecret => assert_eq!(secrets, [""]),
                _ => assert!(secrets.is_empty()),
            }
        }
        let session = f.create_session(BUCKET).await;
        assert_eq!(session.access_key_id(), "ASIASESSION1");
        assert_eq!(f.server.create_session_calls(), 5);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn serves_concurrent_callers() {
        let f = Arc::new(fixture().await);
        let delay = Duration::from_millis(200);
        f.server.set_create_session_delay(delay);
        let started = Instant::now();
        let mut sessions = tokio::task::JoinSet::new();
        for _ in 0..5 {
            let f = f.clone();
            sessions.spawn(async move { f.create_session(BUCKET).await });
        }
        let session = sessions.join_all().await.pop().unwrap();
        assert!(started.elapsed() >= delay);
        assert!(started.elapsed() < delay * 5, "answered one at a time");

        let mut lists = tokio::task::JoinSet::new();
        for _ in 0..500 {
            let (f, session) = (f.clone(), session.clone());
            lists.spawn(async move {
                let target = format!("/{BUCKET}?list-type=2&max-keys=1");
                f.send(Method::GET, &target, &session, &[]).await.status
            });
        }
        let statuses = lists.join_all().await;
        assert!(statuses.iter().all(|s| *s == StatusCode::OK));
        assert_eq!(f.server.requests().len(), 505);
    }

    #[test]
    fn url_encoding_keeps_unreserved_characters_and_slashes() {
        assert_eq!(
            url_encode("a/b-c_d.e~f g+h\u{1}\u{e9}"),
            "a/b-c_d.e~f%20g%2Bh%01%C3%A9"
        );
    }

    #[test]
    fn xml_timestamps_have_milliseconds() {
        let time = SystemTime::UNIX_EPOCH + Duration::from_millis(1_704_164_645_007);
        assert_eq!(xml_timestamp(time), "2024-01-02T03:04:05.007Z");
        let whole = SystemTime::UNIX_EPOCH + Duration::from_secs(1_704_164_645);
        assert_eq!(xml_timestamp(whole), "2024-01-02T03:04:05.000Z");
    }
}
