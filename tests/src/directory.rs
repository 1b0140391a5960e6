//! A small S3 directory-bucket server for the operations no S3-compatible server here has:
//! ListDirectoryBuckets (with real continuation tokens) and CreateSession.
//!
//! It checks every request's SigV4 signature: it rebuilds the request from what arrived (the
//! signed headers only), signs it again with the secret key for the credential scope the client
//! claimed, and compares the signatures, so a request the client signed wrongly fails with
//! `SignatureDoesNotMatch` as it would at S3.

use std::sync::{Arc, Mutex};

use bytes::Bytes;
use http::{Request, Response, StatusCode};
use http_body_util::Full;
use s3_runtime::credentials::Credentials;
use s3_runtime::sigv4::{PayloadHash, Signer, SigningParams, SigningSettings};
use s3_runtime::time::{DateTime, Format};

use crate::serve::LocalServer;

/// The access key the server accepts.
pub const ACCESS_KEY_ID: &str = "AKIDDIRECTORY";
/// Its secret.
pub const SECRET_ACCESS_KEY: &str = "directory/secret/key";
/// The region the server signs for.
pub const REGION: &str = "us-west-2";

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
            return error(StatusCode::FORBIDDEN, "SignatureDoesNotMatch", &why);
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
        let mut xml = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ListAllMyDirectoryBucketsResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Buckets>");
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
        respond(StatusCode::OK, xml, &[])
    }

    fn create_session(&self, bucket: &str, request: &Request<Bytes>) -> Response<Full<Bytes>> {
        if !self.buckets.iter().any(|b| b == bucket) {
            return error(
                StatusCode::NOT_FOUND,
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
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<CreateSessionResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Credentials><SessionToken>token-for-{bucket}-{mode}</SessionToken><SecretAccessKey>session-secret</SecretAccessKey><AccessKeyId>ASIASESSION</AccessKeyId><Expiration>2030-01-02T03:04:05Z</Expiration></Credentials></CreateSessionResult>"
        );
        respond(
            StatusCode::OK,
            xml,
            &[
                ("x-amz-server-side-encryption", "AES256"),
                ("x-amz-server-side-encryption-bucket-key-enabled", "true"),
            ],
        )
    }
}

fn query_value<'a>(query: &'a str, key: &str) -> Option<&'a str> {
    query
        .split('&')
        .find_map(|pair| match pair.split_once('=') {
            Some((k, v)) if k == key => Some(v),
            None if pair == key => Some(""),
            _ => None,
        })
}

/// Signs the request again from what arrived and compares the `Authorization` headers.
fn verify_signature(request: &Request<Bytes>) -> Result<(), String> {
    let header = |name: &str| {
        request
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .ok_or_else(|| format!("no {name} header"))
    };
    let authorization = header("authorization")?;
    let fields = authorization
        .strip_prefix("AWS4-HMAC-SHA256 ")
        .ok_or("not a SigV4 authorization")?;
    let field = |name: &str| {
        fields
            .split(", ")
            .find_map(|f| f.strip_prefix(name))
            .ok_or_else(|| format!("authorization has no {name}"))
    };
    let scope: Vec<&str> = field("Credential=")?.split('/').collect();
    let [access_key, _date, region, service, "aws4_request"] = scope[..] else {
        return Err("malformed credential scope".into());
    };
    if access_key != ACCESS_KEY_ID {
        return Err(format!("unknown access key {access_key}"));
    }
    let signed: Vec<&str> = field("SignedHeaders=")?.split(';').collect();
    let time = DateTime::parse(&amz_to_rfc3339(header("x-amz-date")?)?, Format::DateTime)
        .map_err(|e| e.to_string())?;

    // Only the headers the client signed, as they arrived, and the URI it addressed.
    let mut resigned = Request::new(request.body().clone());
    *resigned.method_mut() = request.method().clone();
    let host = header("host")?;
    *resigned.uri_mut() = format!(
        "http://{host}{}",
        request.uri().path_and_query().map_or("/", |p| p.as_str())
    )
    .parse()
    .map_err(|e| format!("{e}"))?;
    for name in signed
        .iter()
        .filter(|n| !matches!(**n, "x-amz-date" | "x-amz-content-sha256"))
    {
        for value in request.headers().get_all(*name) {
            resigned.headers_mut().append(
                http::HeaderName::from_bytes(name.as_bytes()).map_err(|e| e.to_string())?,
                value.clone(),
            );
        }
    }
    let credentials = Credentials::new(ACCESS_KEY_ID, SECRET_ACCESS_KEY, None, None);
    let params = SigningParams {
        credentials: &credentials,
        region,
        service,
        time,
        payload: PayloadHash::Body,
        settings: &SigningSettings::s3(),
    };
    Signer::new()
        .sign(&mut resigned, &params)
        .map_err(|e| e.to_string())?;
    let expected = resigned
        .headers()
        .get("authorization")
        .and_then(|v| v.to_str().ok());
    if expected == Some(authorization) {
        Ok(())
    } else {
        Err("The request signature we calculated does not match the signature you provided.".into())
    }
}

/// `20150830T123600Z` as RFC 3339.
fn amz_to_rfc3339(amz: &str) -> Result<String, String> {
    let b = amz.as_bytes();
    if b.len() != 16 || b[8] != b'T' || b[15] != b'Z' {
        return Err(format!("bad x-amz-date {amz}"));
    }
    Ok(format!(
        "{}-{}-{}T{}:{}:{}Z",
        &amz[0..4],
        &amz[4..6],
        &amz[6..8],
        &amz[9..11],
        &amz[11..13],
        &amz[13..15]
    ))
}

fn respond(status: StatusCode, body: String, headers: &[(&str, &str)]) -> Response<Full<Bytes>> {
    let mut response = Response::builder()
        .status(status)
        .header("content-type", "application/xml")
        .header("x-amz-request-id", "DIRECTORY-REQUEST-ID");
    for (name, value) in headers {
        response = response.header(*name, *value);
    }
    response
        .body(Full::new(Bytes::from(body)))
        .expect("a valid response")
}

fn error(status: StatusCode, code: &str, message: &str) -> Response<Full<Bytes>> {
    let body = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>{code}</Code><Message>{message}</Message><RequestId>DIRECTORY-REQUEST-ID</RequestId></Error>"
    );
    respond(status, body, &[])
}
