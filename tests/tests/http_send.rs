//! A client's own `HttpSend`, through the generated client: it sees the signed requests, and
//! the runtime still holds its responses to the timeouts and the size cap.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use http::{Request, Response};
use s3_runtime::body::{BodyError, ByteStream};
use s3_runtime::client::SendFuture;
use s3_runtime::credentials::Credentials;
use s3_runtime::error::{Error, TimeoutKind};
use s3_runtime::http::{HttpError, HttpSend, TimeoutConfig};
use s3_runtime::profile::Env;

/// A request as the implementation received it, body read.
#[derive(Debug, Clone)]
struct Sent {
    method: http::Method,
    uri: String,
    headers: http::HeaderMap,
    body: Bytes,
}

type Answer = dyn Fn(&Sent) -> Response<ByteStream> + Send + Sync;

/// Answers from memory and records what it was sent.
#[derive(Clone)]
struct Recorder {
    sent: Arc<Mutex<Vec<Sent>>>,
    answer: Arc<Answer>,
}

impl std::fmt::Debug for Recorder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Recorder")
    }
}

impl Recorder {
    fn new(answer: impl Fn(&Sent) -> Response<ByteStream> + Send + Sync + 'static) -> Self {
        Self {
            sent: Arc::default(),
            answer: Arc::new(answer),
        }
    }

    fn sent(&self) -> Vec<Sent> {
        self.sent.lock().unwrap().clone()
    }
}

impl HttpSend for Recorder {
    fn send(
        &self,
        request: Request<ByteStream>,
    ) -> SendFuture<Result<Response<ByteStream>, HttpError>> {
        let this = self.clone();
        Box::pin(async move {
            let (parts, body) = request.into_parts();
            let body = body.collect().await.map_err(|e| {
                HttpError::Io(s3_runtime::error::TransportError::new(e.to_string(), None))
            })?;
            let sent = Sent {
                method: parts.method,
                uri: parts.uri.to_string(),
                headers: parts.headers,
                body,
            };
            let response = (this.answer)(&sent);
            this.sent.lock().unwrap().push(sent);
            Ok(response)
        })
    }
}

fn client(http: Recorder, timeouts: TimeoutConfig) -> s3_client::Client {
    let config = s3_client::Config::builder()
        .region("us-east-1")
        .credentials(Credentials::new("AKID", "secret", None, None))
        .timeouts(timeouts)
        .max_response_body(4096)
        .http_client(http)
        .build();
    s3_client::Client::new(&config)
}

const BUCKETS: &str = "<ListAllMyBucketsResult><Buckets><Bucket><Name>logs</Name>\
    <CreationDate>2024-01-01T00:00:00.000Z</CreationDate></Bucket></Buckets>\
    <Owner><ID>o</ID></Owner></ListAllMyBucketsResult>";

fn ok(body: impl Into<ByteStream>) -> Response<ByteStream> {
    Response::new(body.into())
}

#[tokio::test]
async fn a_custom_client_sends_the_signed_requests_and_its_answers_are_read() {
    let http = Recorder::new(|sent| match sent.method {
        http::Method::GET if sent.uri.contains("x-id=GetObject") => {
            // Two pieces, as a network would deliver them.
            let pieces = ["hello ", "world"].map(|p| Ok::<_, BodyError>(Bytes::from(p)));
            let stream = ByteStream::from_stream(Items(pieces.into()), Some(11));
            ok(stream)
        }
        http::Method::GET => ok(BUCKETS),
        _ => ok(""),
    });
    let client = client(http.clone(), TimeoutConfig::default());

    let buckets = client.list_buckets().send().await.unwrap();
    let names: Vec<_> = buckets
        .buckets
        .unwrap()
        .into_iter()
        .map(|b| b.name)
        .collect();
    assert_eq!(names, [Some("logs".to_owned())]);

    let object = client
        .get_object()
        .bucket("bkt")
        .key("k")
        .send()
        .await
        .unwrap();
    assert_eq!(object.body.collect().await.unwrap(), "hello world");

    client
        .put_object()
        .bucket("bkt")
        .key("k")
        .body("data")
        .send()
        .await
        .unwrap();

    let sent = http.sent();
    assert_eq!(sent.len(), 3);
    assert_eq!(
        sent[0].uri,
        "https://s3.us-east-1.amazonaws.com/?x-id=ListBuckets"
    );
    assert!(sent[0].headers["authorization"]
        .to_str()
        .unwrap()
        .starts_with("AWS4-HMAC-SHA256 Credential=AKID/"));
    assert_eq!(
        sent[1].uri,
        "https://bkt.s3.us-east-1.amazonaws.com/k?x-id=GetObject"
    );
    assert_eq!(
        (&sent[2].method, &sent[2].body[..]),
        (&http::Method::PUT, &b"data"[..])
    );
}

#[tokio::test]
async fn the_runtime_applies_its_limits_to_a_custom_client() {
    // A streamed body that stops: the read timeout fails the read.
    let http = Recorder::new(|_| ok(ByteStream::from_stream(Pending, Some(10))));
    let read = Duration::from_millis(100);
    let timeouts = TimeoutConfig {
        read: Some(read),
        ..TimeoutConfig::default()
    };
    let object = client(http.clone(), timeouts)
        .get_object()
        .bucket("bkt")
        .key("k")
        .send()
        .await
        .unwrap();
    match object.body.collect().await {
        Err(BodyError::Timeout(t)) => assert_eq!((t.kind(), t.after()), (TimeoutKind::Read, read)),
        other => panic!("{other:?}"),
    }

    // A buffered body above the cap is refused unread.
    let http = Recorder::new(|_| ok(vec![b' '; 5000]));
    let error = client(http, TimeoutConfig::default())
        .list_buckets()
        .send()
        .await
        .unwrap_err();
    assert!(error.to_string().contains("4096-byte limit"), "{error}");

    // A response that never comes: the read timeout, retried, then the call fails.
    #[derive(Debug)]
    struct Never;
    impl HttpSend for Never {
        fn send(
            &self,
            _: Request<ByteStream>,
        ) -> SendFuture<Result<Response<ByteStream>, HttpError>> {
            Box::pin(std::future::pending())
        }
    }
    let config = s3_client::Config::builder()
        .region("us-east-1")
        .credentials(Credentials::new("AKID", "secret", None, None))
        .timeouts(TimeoutConfig {
            read: Some(Duration::from_millis(20)),
            ..TimeoutConfig::default()
        })
        .retry(s3_runtime::retry::RetryConfig::disabled())
        .http_client(Never)
        .build();
    let error = s3_client::Client::new(&config)
        .list_buckets()
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(&error, Error::Timeout(t) if t.kind() == TimeoutKind::Read),
        "{error:?}"
    );
}

#[tokio::test]
async fn the_environment_sets_the_ca_bundle_and_proxies_and_a_bad_bundle_fails_before_sending() {
    let env = Env::from_vars([
        ("AWS_REGION", "us-east-1"),
        ("AWS_ACCESS_KEY_ID", "AKID"),
        ("AWS_SECRET_ACCESS_KEY", "secret"),
        ("AWS_CA_BUNDLE", "/nonexistent/ca.pem"),
        ("HTTPS_PROXY", "http://user:secret@127.0.0.1:3128"),
        ("AWS_CONFIG_FILE", "/nonexistent/config"),
        ("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/credentials"),
    ]);
    let config = s3_client::Config::from_env_with(env).unwrap();
    // The proxy is read too, and shown without its credentials.
    let debug = format!("{:?}", config.runtime());
    assert!(
        debug.contains("https: Some(\"http://***@127.0.0.1:3128\")"),
        "{debug}"
    );
    assert!(!debug.contains("secret"), "{debug}");
    let error = s3_client::Client::new(&config)
        .list_buckets()
        .send()
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Transport(_)), "{error:?}");
    let message = error.to_string();
    assert!(
        message.starts_with("transport error: cannot read CA bundle /nonexistent/ca.pem: "),
        "{message}"
    );
}

/// A stream of these items.
struct Items(std::collections::VecDeque<Result<Bytes, BodyError>>);

impl futures_core::Stream for Items {
    type Item = Result<Bytes, BodyError>;

    fn poll_next(
        mut self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Self::Item>> {
        std::task::Poll::Ready(self.0.pop_front())
    }
}

/// A body whose next piece never comes.
struct Pending;

impl futures_core::Stream for Pending {
    type Item = Result<Bytes, BodyError>;

    fn poll_next(
        self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Self::Item>> {
        std::task::Poll::Pending
    }
}
