//! The operation loop over real sockets: retries, clock-skew correction, timeouts and the
//! errors a caller sees.

mod support;

use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use s3_runtime::client::{ClientConfig, Operation, Runtime};
use s3_runtime::credentials::Credentials;
use s3_runtime::endpoint::{AuthScheme, Endpoint};
use s3_runtime::error::{Error, TimeoutKind};
use s3_runtime::http::TimeoutConfig;
use s3_runtime::retry::RetryConfig;
use s3_runtime::time::{Clock, DateTime, Format};
use support::{error, respond, Reply, Server};

/// A clock that reads a fixed, settable time.
#[derive(Debug)]
struct FixedClock(Mutex<SystemTime>);

impl Clock for FixedClock {
    fn now(&self) -> SystemTime {
        *self.0.lock().unwrap()
    }
}

fn config() -> ClientConfig {
    ClientConfig::default()
        .credentials(Credentials::new("AKID", "SECRET", None, None))
        .retry(RetryConfig::standard().with_initial_backoff(Duration::from_millis(1)))
}

/// The support server's operation, signed with the auth scheme `scheme`.
fn operation(server: &Server, scheme: &str) -> Operation<'static, String, String> {
    let auth = AuthScheme::new(scheme.to_owned())
        .signing_name("s3")
        .signing_region("us-east-1");
    Operation {
        endpoint: Endpoint::new(server.uri("")).with_auth_schemes([auth]),
        endpoint_in_region: None,
        ..support::operation(server)
    }
}

async fn run(server: &Server, config: ClientConfig) -> Result<String, Error<String>> {
    Runtime::new(&config)
        .invoke(operation(server, "sigv4"))
        .await
}

#[tokio::test]
async fn a_503_is_retried_and_then_succeeds() {
    let server = Server::start(|i, _| match i {
        0 => error(503, "SlowDown", &[]),
        _ => respond(200, &[], "ok"),
    })
    .await;
    assert_eq!(run(&server, config()).await.unwrap(), "ok");
    assert_eq!(server.requests().len(), 2);
}

#[tokio::test]
async fn a_400_is_not_retried() {
    let server = Server::start(|_, _| error(400, "InvalidArgument", &[])).await;
    let err = run(&server, config()).await.unwrap_err();
    assert_eq!(
        err.as_service_error().map(String::as_str),
        Some("InvalidArgument")
    );
    assert_eq!(err.status(), Some(400));
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn transient_errors_stop_after_the_last_attempt() {
    let server = Server::start(|_, _| error(500, "InternalError", &[])).await;
    let err = run(&server, config()).await.unwrap_err();
    assert_eq!(err.code(), Some("InternalError"));
    assert_eq!(server.requests().len(), 3);
}

#[tokio::test]
async fn a_skewed_clock_is_corrected_from_the_date_header() {
    let server_time = DateTime::parse("2030-01-01T00:00:00Z", Format::DateTime).unwrap();
    let date = server_time.format(Format::HttpDate);
    let server = Server::start(move |i, _| match i {
        0 => error(403, "RequestTimeTooSkewed", &[("date", &date)]),
        _ => respond(200, &[], "ok"),
    })
    .await;
    // The local clock is an hour behind the server's.
    let local = SystemTime::from(server_time) - Duration::from_secs(3600);
    let clock = Arc::new(FixedClock(Mutex::new(local)));
    assert_eq!(run(&server, config().clock(clock)).await.unwrap(), "ok");
    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    assert!(
        requests[0].contains("x-amz-date: 20291231T230000Z"),
        "{}",
        requests[0]
    );
    assert!(
        requests[1].contains("x-amz-date: 20300101T000000Z"),
        "{}",
        requests[1]
    );
}

#[tokio::test]
async fn the_operation_timeout_covers_every_attempt() {
    let server = Server::start(|_, _| Reply::Hang).await;
    let timeouts = TimeoutConfig {
        operation: Some(Duration::from_millis(200)),
        ..TimeoutConfig::default()
    };
    let err = run(&server, config().timeouts(timeouts)).await.unwrap_err();
    let Error::Timeout(timeout) = &err else {
        panic!("expected a timeout, got {err}");
    };
    assert_eq!(timeout.kind(), TimeoutKind::Operation);
    assert_eq!(timeout.attempts(), Some(1), "{err}");
}

#[tokio::test]
async fn a_server_that_never_answers_fails_every_attempt_on_the_read_timeout() {
    let server = Server::start(|_, _| Reply::Hang).await;
    let read = Duration::from_millis(150);
    let timeouts = TimeoutConfig {
        read: Some(read),
        ..TimeoutConfig::default()
    };
    let started = std::time::Instant::now();
    let err = run(&server, config().timeouts(timeouts)).await.unwrap_err();
    let elapsed = started.elapsed();
    let Error::Timeout(timeout) = &err else {
        panic!("expected a timeout, got {err}");
    };
    assert_eq!(
        (timeout.kind(), timeout.attempts()),
        (TimeoutKind::Read, Some(3))
    );
    assert_eq!(
        err.to_string(),
        "read timeout: no response for 150ms (3 attempts)"
    );
    assert_eq!(server.requests().len(), 3);
    // Three read timeouts and two backoffs of at most 1 ms and 2 ms: the documented bound.
    assert!(elapsed >= read * 3, "{elapsed:?}");
}

#[tokio::test]
async fn without_credentials_nothing_is_sent() {
    let server = Server::start(|_, _| respond(200, &[], "ok")).await;
    let err = run(&server, ClientConfig::default()).await.unwrap_err();
    assert!(matches!(err, Error::Credentials(_)), "{err}");
    assert!(server.requests().is_empty());
}

#[tokio::test]
async fn unsupported_auth_schemes_are_build_errors() {
    let server = Server::start(|_, _| respond(200, &[], "ok")).await;
    let err = Runtime::new(&config())
        .invoke(operation(&server, "sigv4a"))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Build(_)), "{err}");
    assert!(err.to_string().contains("sigv4a"), "{err}");
    assert!(server.requests().is_empty());
}

#[tokio::test]
async fn session_auth_without_a_session_source_sends_nothing() {
    let server = Server::start(|_, _| respond(200, &[], "ok")).await;
    let err = Runtime::new(&config())
        .invoke(Operation {
            bucket: Some("data--usw2-az1--x-s3"),
            ..operation(&server, "sigv4-s3express")
        })
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Credentials(_)), "{err}");
    assert!(
        err.to_string()
            .contains("cannot create S3 Express sessions"),
        "{err}"
    );
    assert!(server.requests().is_empty());
}

#[tokio::test]
async fn server_text_cannot_break_the_one_line_message() {
    let body = "<Error><Code>Bad\u{1b}[31mCode</Code><Message>m\nerror: forged\r\u{202e}</Message>\
                <RequestId>id\u{7}</RequestId></Error>";
    let server = Server::start(move |_, _| respond(400, &[], body)).await;
    let err = run(&server, config()).await.unwrap_err();
    let text = err.to_string();
    assert_eq!(
        text,
        "service error: Bad\\u{1b}[31mCode (status 400): m\\u{a}error: forged\\u{d}\\u{202e} \
         (request id id\\u{7})"
    );
    assert_eq!(
        err.code(),
        Some("Bad\u{1b}[31mCode"),
        "the accessor keeps the raw code"
    );
}

#[tokio::test]
async fn an_error_status_without_a_body_says_its_status_and_reason() {
    let server = Server::start(|_, _| respond(503, &[], "")).await;
    let err = run(&server, config()).await.unwrap_err();
    assert_eq!(
        err.to_string(),
        "service error: 503 Service Unavailable, no error body"
    );
    assert_eq!(server.requests().len(), 3, "retried");
}
