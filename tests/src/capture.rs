//! A capture server on 127.0.0.1 for golden-request and response-fixture tests: it records every
//! request as it arrived (method, request target, headers, body) and answers each one with the
//! same canned response.

use std::sync::{Arc, Mutex};

use bytes::Bytes;
use http::header::{HeaderName, HeaderValue};
use http::{HeaderMap, Method, Request, Response, StatusCode};
use http_body_util::Full;

use crate::serve::LocalServer;

/// A request as the server received it.
#[derive(Debug, Clone)]
pub struct Captured {
    /// The method.
    pub method: Method,
    /// The request target: path and query exactly as sent, still percent-encoded.
    pub target: String,
    /// The headers as sent (names lowercase, as HTTP/1.1 treats them case-insensitively).
    pub headers: HeaderMap,
    /// The body.
    pub body: Bytes,
}

impl Captured {
    /// The path part of the target.
    pub fn path(&self) -> &str {
        self.target.split_once('?').map_or(&self.target, |(p, _)| p)
    }

    /// The query's `key=value` pairs (still percent-encoded) in sorted order, which is how
    /// SigV4 and S3 read them: the order on the wire carries no meaning.
    pub fn sorted_query(&self) -> Vec<&str> {
        let mut pairs: Vec<&str> = match self.target.split_once('?') {
            Some((_, query)) => query.split('&').collect(),
            None => Vec::new(),
        };
        pairs.sort_unstable();
        pairs
    }

    /// The request again, as an `http::Request`, e.g. for [`sigv4_check::verify`](crate::sigv4_check::verify).
    pub fn request(&self) -> Request<Bytes> {
        let mut request = Request::new(self.body.clone());
        *request.method_mut() = self.method.clone();
        *request.uri_mut() = self.target.parse().expect("the target as received");
        *request.headers_mut() = self.headers.clone();
        request
    }

    /// The one value of header `name`; panics when it is missing, repeated or not text, since a
    /// test that asks for it expects exactly one.
    pub fn header(&self, name: &str) -> &str {
        let mut values = self.headers.get_all(name).iter();
        let (Some(value), None) = (values.next(), values.next()) else {
            panic!("expected exactly one `{name}` header in {:?}", self.headers);
        };
        value
            .to_str()
            .unwrap_or_else(|_| panic!("header `{name}` is not text: {value:?}"))
    }
}

/// The response the server gives to every request.
#[derive(Debug, Clone)]
pub struct Canned {
    status: StatusCode,
    headers: HeaderMap,
    body: Bytes,
}

impl Canned {
    /// A response with `status`, no headers and an empty body.
    pub fn new(status: u16) -> Self {
        Self {
            status: StatusCode::from_u16(status).expect("a valid HTTP status"),
            headers: HeaderMap::new(),
            body: Bytes::new(),
        }
    }

    /// Adds a header; the value may be any bytes HTTP allows, text or not.
    pub fn header(mut self, name: &str, value: impl AsRef<[u8]>) -> Self {
        let name = HeaderName::try_from(name).expect("a valid header name");
        let value = HeaderValue::from_bytes(value.as_ref()).expect("a valid header value");
        self.headers.append(name, value);
        self
    }

    /// Sets the body (the server adds its `Content-Length`).
    pub fn body(mut self, body: impl Into<Bytes>) -> Self {
        self.body = body.into();
        self
    }
}

/// A running capture server, stopped when dropped.
pub struct CaptureServer {
    server: LocalServer,
    requests: Arc<Mutex<Vec<Captured>>>,
}

impl CaptureServer {
    /// Starts a server on a free loopback port that answers every request with `reply`.
    pub async fn start(reply: Canned) -> Self {
        Self::start_with(move |_| reply.clone()).await
    }

    /// Starts a server on a free loopback port that answers each request with what `reply`
    /// makes of it.
    pub async fn start_with(reply: impl Fn(&Captured) -> Canned + Send + Sync + 'static) -> Self {
        let requests = Arc::new(Mutex::new(Vec::new()));
        let seen = requests.clone();
        let reply = Arc::new(reply);
        let server = LocalServer::start(move |request| {
            let (seen, reply) = (seen.clone(), reply.clone());
            async move { answer(request, &seen, &*reply) }
        })
        .await;
        Self { server, requests }
    }

    /// `http://127.0.0.1:PORT`, the endpoint URL to configure a client with.
    pub fn endpoint(&self) -> String {
        format!("http://{}", self.server.addr())
    }

    /// `127.0.0.1:PORT`, the `Host` a client sends.
    pub fn host(&self) -> String {
        self.server.addr().to_string()
    }

    /// The requests received so far, oldest first.
    pub fn requests(&self) -> Vec<Captured> {
        self.requests.lock().expect("requests lock").clone()
    }
}

fn answer(
    request: Request<Bytes>,
    seen: &Mutex<Vec<Captured>>,
    reply: &dyn Fn(&Captured) -> Canned,
) -> Response<Full<Bytes>> {
    let (parts, body) = request.into_parts();
    let target = parts.uri.path_and_query().map_or("", |p| p.as_str());
    let captured = Captured {
        method: parts.method,
        target: target.to_owned(),
        headers: parts.headers,
        body,
    };
    let reply = reply(&captured);
    seen.lock().expect("requests lock").push(captured);
    let mut response = Response::new(Full::new(reply.body));
    *response.status_mut() = reply.status;
    *response.headers_mut() = reply.headers;
    response
}
