//! A small S3 directory-bucket server for the operations no S3-compatible server here has:
//! ListDirectoryBuckets (with real continuation tokens) and CreateSession.
//!
//! It checks every request's SigV4 signature with `aws-sigv4` ([`crate::sigv4_check`]), so a
//! request the client signed wrongly fails with `SignatureDoesNotMatch` as it would at S3.

use std::sync::{Arc, Mutex};

use bytes::Bytes;
use http::{Request, Response, StatusCode};
use http_body_util::Full;

use crate::s3_http::{error, query_value, respond, S3_NAMESPACE, XML_DECLARATION};
use crate::serve::LocalServer;
use crate::sigv4_check::{self, TokenHeader};

/// The access key the server accepts.
pub const ACCESS_KEY_ID: &str = "AKIDDIRECTORY";
/// Its secret.
pub const SECRET_ACCESS_KEY: &str = "directory/secret/key";
/// The region the server signs for.
pub const REGION: &str = "us-west-2";
/// The `x-amz-request-id` of every response.
const REQUEST_ID: &str = "DIRECTORY-REQUEST-ID";

/// A running directory-bucket server on 127.0.0.1, stopped when dropped.
pub struct DirectoryServer {
    /// `http://127.0.0.1:PORT`.
    pub endpoint: String,
    state: Arc<State>,
    _server: LocalServer,
}

struct State {
    buckets: Vec<String>,
    /// `(method, path and query)` of each request that passed the signature check.
    requests: Mutex<Vec<(String, String)>>,
}

impl DirectoryServer {
    /// Starts a server holding `buckets` (directory bucket names such as `a--usw2-az1--x-s3`).
    pub async fn start(buckets: &[&str]) -> Self {
        let state = Arc::new(State {
            buckets: buckets.iter().map(|b| (*b).to_owned()).collect(),
            requests: Mutex::new(Vec::new()),
        });
        let served = state.clone();
        let server = LocalServer::start(move |request| {
            let state = served.clone();
            async move { state.handle(&request) }
        })
        .await;
        Self {
            endpoint: format!("http://{}", server.addr()),
            state,
            _server: server,
        }
    }

    /// `(method, path and query)` of each correctly signed request so far.
    pub fn requests(&self) -> Vec<(String, String)> {
        self.state.requests.lock().expect("requests lock").clone()
    }
}

impl State {
    fn handle(&self, request: &Request<Bytes>) -> Response<Full<Bytes>> {
        if let Err(why) = verify_signature(request) {
            return error(
                StatusCode::FORBIDDEN,
                REQUEST_ID,
                "SignatureDoesNotMatch",
                &why,
            );
        }
        let target = request
            .uri()
            .path_and_query()
            .map_or("/", |p| p.as_str())
            .to_owned();
        self.requests
            .lock()
            .expect("requests lock")
            .push((request.method().to_string(), target));
        let path = request.uri().path().trim_matches('/');
        let query = request.uri().query().unwrap_or("");
        match (path, query_value(query, "x-id")) {
            ("", Some("ListDirectoryBuckets")) => self.list(query),
            (bucket, _) if query.split('&').any(|p| p == "session") => {
                self.create_session(bucket, request)
            }
            _ => error(
                StatusCode::NOT_IMPLEMENTED,
                REQUEST_ID,
                "NotImplemented",
                "not a directory-bucket operation",
            ),
        }
    }

    /// One page of buckets: the continuation token is the name to start from.
    fn list(&self, query: &str) -> Response<Full<Bytes>> {
        let max = match query_value(query, "max-directory-buckets").map(str::parse::<usize>) {
            None => 1000,
            Some(Ok(max)) if max > 0 => max,
            Some(_) => {
                return error(
                    StatusCode::BAD_REQUEST,
                    REQUEST_ID,
                    "InvalidArgument",
                    "bad max-directory-buckets",
                )
            }
        };
        let start = query_value(query, "continuation-token").unwrap_or("");
        let mut names: Vec<&String> = self
            .buckets
            .iter()
            .filter(|b| b.as_str() >= start)
            .collect();
        names.sort();
        let next = names.get(max).map(|b| b.as_str());
        let mut xml = format!(
            "{XML_DECLARATION}<ListAllMyDirectoryBucketsResult xmlns=\"{S3_NAMESPACE}\"><Buckets>"
        );
        for name in names.iter().take(max) {
            xml.push_str(&format!(
                "<Bucket><Name>{name}</Name><CreationDate>2024-11-05T10:20:30.000Z</CreationDate><BucketRegion>{REGION}</BucketRegion></Bucket>"
            ));
        }
        xml.push_str("</Buckets>");
        if let Some(next) = next {
            xml.push_str(&format!("<ContinuationToken>{next}</ContinuationToken>"));
        }
        xml.push_str("</ListAllMyDirectoryBucketsResult>");
        respond(StatusCode::OK, REQUEST_ID, xml, &[])
    }

    fn create_session(&self, bucket: &str, request: &Request<Bytes>) -> Response<Full<Bytes>> {
        if !self.buckets.iter().any(|b| b == bucket) {
            return error(
                StatusCode::NOT_FOUND,
                REQUEST_ID,
                "NoSuchBucket",
                "The specified bucket does not exist",
            );
        }
        let mode = request
            .headers()
            .get("x-amz-create-session-mode")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("ReadWrite");
        let xml = format!(
            "{XML_DECLARATION}<CreateSessionResult xmlns=\"{S3_NAMESPACE}\"><Credentials><SessionToken>token-for-{bucket}-{mode}</SessionToken><SecretAccessKey>session-secret</SecretAccessKey><AccessKeyId>ASIASESSION</AccessKeyId><Expiration>2030-01-02T03:04:05Z</Expiration></Credentials></CreateSessionResult>"
        );
        respond(
            StatusCode::OK,
            REQUEST_ID,
            xml,
            &[
                ("x-amz-server-side-encryption", "AES256"),
                ("x-amz-server-side-encryption-bucket-key-enabled", "true"),
            ],
        )
    }
}

/// Checks the signature with `aws-sigv4`, for the one identity the server knows.
fn verify_signature(request: &Request<Bytes>) -> Result<(), String> {
    let claimed = sigv4_check::claimed(request, TokenHeader::SecurityToken)?;
    if claimed.access_key_id != ACCESS_KEY_ID {
        return Err(format!("unknown access key {}", claimed.access_key_id));
    }
    sigv4_check::verify(request, SECRET_ACCESS_KEY, None, TokenHeader::SecurityToken)
}
