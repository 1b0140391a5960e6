//! Faults a server or network can produce, one test each, through `Runtime::invoke` against the
//! scripted server on 127.0.0.1: what the caller gets, how many attempts the server saw, and
//! the backoff between them.

mod support;

use std::time::{Duration, Instant, SystemTime};

use s3_runtime::client::{Runtime, ServiceRules};
use s3_runtime::error::{Error, TimeoutKind};
use s3_runtime::http::TimeoutConfig;
use s3_runtime::retry::RetryConfig;
use s3_runtime::time::{DateTime, Format};
use support::{
    config, distance, error, head, operation, reset, respond, signed_at, write, Reply, Server, Step,
};

/// The backoff scale of these tests: with jitter drawn as 1, the first retry waits 20 ms and
/// the second 40 ms.
const BACKOFF: Duration = Duration::from_millis(20);

/// Standard retries (3 attempts) with the jitter fixed at 1, so that each wait is exactly the
/// exponential backoff.
fn retry() -> RetryConfig {
    RetryConfig::standard()
        .with_initial_backoff(BACKOFF)
        .with_jitter(|| 1.0)
}

/// A read timeout short enough for stalls to fail fast.
const READ: Duration = Duration::from_millis(100);

fn short_read() -> TimeoutConfig {
    TimeoutConfig {
        read: Some(READ),
        ..TimeoutConfig::default()
    }
}

/// One operation against `server` with [`retry`] and `timeouts`.
async fn invoke(server: &Server, timeouts: TimeoutConfig) -> Result<String, Error<String>> {
    Runtime::new(&config(retry()).timeouts(timeouts))
        .invoke(operation(server))
        .await
}

/// Asserts that the server saw `attempts` requests, each retry after at least its backoff.
fn assert_attempts(server: &Server, attempts: usize) {
    assert_eq!(server.requests().len(), attempts, "attempts");
    for (n, gap) in server.gaps().into_iter().enumerate() {
        let backoff = BACKOFF * 2u32.pow(n as u32);
        assert!(
            gap >= backoff,
            "retry {} after {gap:?} < {backoff:?}",
            n + 1
        );
    }
}

/// The transport error of `err`, as text.
fn transport(err: &Error<String>) -> String {
    match err {
        Error::Transport(e) => e.to_string(),
        other => panic!("expected a transport error, got {other:?}"),
    }
}

/// Asserts that `err` is a transport error for a broken connection, whose message says `why`.
fn assert_broken(err: &Error<String>, why: &str) {
    let message = transport(err);
    assert!(message.contains("connection to 127.0.0.1:"), "{message}");
    assert!(message.contains(" broke: "), "{message}");
    assert!(message.contains(why), "{message}");
}

/// What the OS says of a connection reset (Linux and macOS).
const RESET: &str = if cfg!(unix) { "reset by peer" } else { "" };

/// hyper's word for a connection closed before the response head was complete.
const CLOSED: &str = "connection closed before message completed";

/// Asserts that `err` is a read timeout after `attempts` attempts.
fn assert_read_timeout(err: &Error<String>, attempts: u32) {
    let Error::Timeout(timeout) = err else {
        panic!("expected a timeout, got {err:?}");
    };
    assert_eq!(
        (timeout.kind(), timeout.after(), timeout.attempts()),
        (TimeoutKind::Read, READ, Some(attempts)),
        "{err}"
    );
}

// ---- Error statuses. ----

#[tokio::test]
async fn a_500_is_retried_then_succeeds() {
    let server = Server::start(|i, _| match i {
        0 => error(500, "InternalError", &[]),
        _ => respond(200, &[], "ok"),
    })
    .await;
    assert_eq!(invoke(&server, short_read()).await.unwrap(), "ok");
    assert_attempts(&server, 2);
}

#[tokio::test]
async fn a_503_is_retried_then_succeeds() {
    let server = Server::start(|i, _| match i {
        0 => respond(503, &[], ""),
        _ => respond(200, &[], "ok"),
    })
    .await;
    assert_eq!(invoke(&server, short_read()).await.unwrap(), "ok");
    assert_attempts(&server, 2);
}

#[tokio::test]
async fn a_503_slow_down_is_retried_then_succeeds() {
    let server = Server::start(|i, _| match i {
        0 => error(503, "SlowDown", &[]),
        _ => respond(200, &[], "ok"),
    })
    .await;
    assert_eq!(invoke(&server, short_read()).await.unwrap(), "ok");
    assert_attempts(&server, 2);
}

#[tokio::test]
async fn a_503_every_time_is_a_service_error_after_three_attempts() {
    let server =
        Server::start(|_, _| error(503, "ServiceUnavailable", &[("x-amz-request-id", "R503")]))
            .await;
    let err = invoke(&server, short_read()).await.unwrap_err();
    let Error::Service(service) = &err else {
        panic!("expected a service error, got {err:?}");
    };
    assert_eq!(service.error(), "ServiceUnavailable");
    assert_eq!(service.meta().status(), 503);
    assert_eq!(err.request_id(), Some("R503"));
    assert_attempts(&server, 3);
}

// ---- Broken connections: each a transport error, retried. ----

#[tokio::test]
async fn a_close_before_any_header_is_a_retried_transport_error() {
    let server = Server::start(|_, _| Reply::Close).await;
    let err = invoke(&server, short_read()).await.unwrap_err();
    assert_broken(&err, CLOSED);
    assert_attempts(&server, 3);
    assert_eq!(server.connections(), 3);
}

#[tokio::test]
async fn a_reset_before_any_header_is_a_retried_transport_error() {
    let server = Server::start(|_, _| reset()).await;
    let err = invoke(&server, short_read()).await.unwrap_err();
    assert_broken(&err, RESET);
    assert_attempts(&server, 3);
    assert_eq!(server.connections(), 3);
}

#[tokio::test]
async fn a_reset_before_any_header_then_an_answer_succeeds() {
    let server = Server::start(|i, _| match i {
        0 => reset(),
        _ => respond(200, &[], "ok"),
    })
    .await;
    assert_eq!(invoke(&server, short_read()).await.unwrap(), "ok");
    assert_attempts(&server, 2);
}

#[tokio::test]
async fn a_close_mid_headers_is_a_retried_transport_error() {
    let server =
        Server::start(|_, _| Reply::RawThenClose("HTTP/1.1 200 OK\r\ncontent-le".into())).await;
    let err = invoke(&server, short_read()).await.unwrap_err();
    assert_broken(&err, CLOSED);
    assert_attempts(&server, 3);
}

#[tokio::test]
async fn a_reset_mid_headers_is_a_retried_transport_error() {
    let server = Server::start(|_, _| {
        Reply::Steps(vec![
            write("HTTP/1.1 200 OK\r\ncontent-le"),
            Step::Sleep(Duration::from_millis(5)),
            Step::Reset,
        ])
    })
    .await;
    let err = invoke(&server, short_read()).await.unwrap_err();
    assert_broken(&err, RESET);
    assert_attempts(&server, 3);
}

#[tokio::test]
async fn a_reset_mid_body_is_a_retried_transport_error() {
    let server = Server::start(|_, _| {
        Reply::Steps(vec![
            write(&format!("{}abc", head(200, 10))),
            Step::Sleep(Duration::from_millis(5)),
            Step::Reset,
        ])
    })
    .await;
    let err = invoke(&server, short_read()).await.unwrap_err();
    assert_broken(&err, RESET);
    assert_attempts(&server, 3);
}

#[tokio::test]
async fn a_truncated_body_is_a_retried_transport_error() {
    // Declares 100 bytes, sends 10, closes in order.
    let server =
        Server::start(|_, _| Reply::RawThenClose(format!("{}0123456789", head(200, 100)))).await;
    let err = invoke(&server, short_read()).await.unwrap_err();
    assert_broken(&err, "end of file before message length reached");
    assert_attempts(&server, 3);
}

#[tokio::test]
async fn a_truncated_body_then_a_whole_one_succeeds_with_the_whole_one() {
    let server = Server::start(|i, _| match i {
        0 => Reply::RawThenClose(format!("{}partial", head(200, 100))),
        _ => respond(200, &[], "whole"),
    })
    .await;
    assert_eq!(invoke(&server, short_read()).await.unwrap(), "whole");
    assert_attempts(&server, 2);
}

// ---- Stalls: read timeouts, retried. ----

#[tokio::test]
async fn a_stall_before_headers_is_a_read_timeout() {
    let server = Server::start(|_, _| Reply::Hang).await;
    let err = invoke(&server, short_read()).await.unwrap_err();
    assert_read_timeout(&err, 3);
    assert_attempts(&server, 3);
    // Each attempt waited out the read timeout before its retry's backoff.
    for gap in server.gaps() {
        assert!(gap >= READ, "{gap:?}");
    }
}

#[tokio::test]
async fn a_stall_mid_body_is_a_read_timeout() {
    let server = Server::start(|_, _| {
        Reply::Steps(vec![write(&format!("{}abc", head(200, 10))), Step::Hang])
    })
    .await;
    let err = invoke(&server, short_read()).await.unwrap_err();
    assert_read_timeout(&err, 3);
    assert_attempts(&server, 3);
    for gap in server.gaps() {
        assert!(gap >= READ, "{gap:?}");
    }
}

// ---- Framing. ----

#[tokio::test]
async fn bytes_beyond_the_content_length_do_not_reach_the_next_response() {
    // The first answer declares 2 bytes and is followed by a whole forged response: a client
    // that kept reading the connection would take it for the answer to the next request.
    let forged = "HTTP/1.1 200 OK\r\ncontent-length: 6\r\n\r\nforged";
    let server = Server::start(move |i, _| match i {
        0 => Reply::Raw(format!("{}ok{forged}", head(200, 2))),
        _ => respond(200, &[], "second"),
    })
    .await;
    let runtime = Runtime::new(&config(retry()).timeouts(short_read()));
    assert_eq!(runtime.invoke(operation(&server)).await.unwrap(), "ok");
    assert_eq!(runtime.invoke(operation(&server)).await.unwrap(), "second");
    assert_eq!(server.requests().len(), 2, "no retry");
    // The connection with unread bytes was discarded, not reused.
    assert_eq!(server.connections(), 2);
}

#[tokio::test]
async fn bytes_arriving_on_an_idle_connection_do_not_reach_the_next_response() {
    // The same, with the stray bytes arriving after the response, while the connection idles.
    let server = Server::start(|i, _| match i {
        0 => Reply::Steps(vec![
            write(&format!("{}ok", head(200, 2))),
            Step::Sleep(Duration::from_millis(20)),
            write("HTTP/1.1 200 OK\r\ncontent-length: 6\r\n\r\nforged"),
        ]),
        _ => respond(200, &[], "second"),
    })
    .await;
    let runtime = Runtime::new(&config(retry()).timeouts(short_read()));
    assert_eq!(runtime.invoke(operation(&server)).await.unwrap(), "ok");
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(runtime.invoke(operation(&server)).await.unwrap(), "second");
    assert_eq!(server.requests().len(), 2, "no retry");
    assert_eq!(server.connections(), 2);
}

// ---- Bodies that say something other than their status. ----

#[tokio::test]
async fn a_200_with_an_error_body_is_retried_then_succeeds() {
    let server = Server::start(|i, _| match i {
        0 => error(200, "InternalError", &[]),
        _ => respond(200, &[], "ok"),
    })
    .await;
    assert_eq!(invoke(&server, short_read()).await.unwrap(), "ok");
    assert_attempts(&server, 2);
}

#[tokio::test]
async fn a_200_with_an_error_body_is_data_for_operations_that_do_not_say_otherwise() {
    let server = Server::start(|_, _| error(200, "InternalError", &[])).await;
    let object = Runtime::new(&config(retry()))
        .invoke(s3_runtime::client::Operation {
            error_in_success: false,
            ..operation(&server)
        })
        .await
        .unwrap();
    assert!(object.starts_with("<Error><Code>InternalError"), "{object}");
    assert_attempts(&server, 1);
}

#[tokio::test]
async fn a_200_with_an_error_body_every_time_is_a_service_error() {
    let server = Server::start(|_, _| error(200, "InternalError", &[])).await;
    let err = invoke(&server, short_read()).await.unwrap_err();
    assert!(matches!(err, Error::Service(_)), "{err:?}");
    assert_eq!(
        (err.status(), err.code(), err.message()),
        (Some(200), Some("InternalError"), Some("m"))
    );
    assert_eq!(
        err.as_service_error().map(String::as_str),
        Some("InternalError")
    );
    assert_attempts(&server, 3);
}

#[tokio::test]
async fn an_html_error_page_is_a_service_error_with_its_status() {
    // What a proxy or load balancer in front of S3 sends.
    let page = "<html><head><title>502 Bad Gateway</title></head><body>Bad Gateway</body></html>";
    let server =
        Server::start(move |_, _| respond(502, &[("content-type", "text/html")], page)).await;
    let err = invoke(&server, short_read()).await.unwrap_err();
    let Error::Service(service) = &err else {
        panic!("expected a service error, got {err:?}");
    };
    assert_eq!(service.meta().status(), 502);
    assert_eq!((err.code(), err.message()), (None, None));
    assert_eq!(service.error(), "none");
    assert!(!err.to_string().is_empty());
    // 502 is transient, whatever the body.
    assert_attempts(&server, 3);
}

#[tokio::test]
async fn an_html_page_with_a_final_status_is_not_retried() {
    let page = "<html><body>Forbidden</body></html>";
    let server =
        Server::start(move |_, _| respond(403, &[("content-type", "text/html")], page)).await;
    // A service whose bodiless 403 means `Forbidden`, as S3's does.
    let rules = ServiceRules {
        status_codes: &[(403, "Forbidden")],
        ..ServiceRules::STANDARD
    };
    let err = Runtime::new(&config(retry()))
        .with_rules(rules)
        .invoke(operation(&server))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Service(_)), "{err:?}");
    assert_eq!((err.status(), err.code()), (Some(403), Some("Forbidden")));
    assert_attempts(&server, 1);
}

// ---- Clock skew. ----

#[tokio::test]
async fn request_time_too_skewed_corrects_the_clock_and_the_retry_succeeds() {
    let ahead = Duration::from_secs(3600);
    // The server's clock is an hour ahead; it accepts a signature within 5 minutes of it.
    let server = Server::start(move |_, request| {
        let server_now = SystemTime::now() + ahead;
        let date = DateTime::from(server_now).format(Format::HttpDate);
        if distance(server_now, signed_at(request)) > Duration::from_secs(5 * 60) {
            error(403, "RequestTimeTooSkewed", &[("date", &date)])
        } else {
            respond(200, &[("date", &date)], "ok")
        }
    })
    .await;
    assert_eq!(invoke(&server, short_read()).await.unwrap(), "ok");
    assert_attempts(&server, 2);
    let requests = server.requests();
    let server_now = SystemTime::now() + ahead;
    assert!(distance(server_now, signed_at(&requests[0])) > Duration::from_secs(3590));
    assert!(distance(server_now, signed_at(&requests[1])) < Duration::from_secs(5 * 60));
}

// ---- Redirects. ----

#[tokio::test]
async fn a_307_redirect_is_not_followed() {
    let elsewhere = Server::start(|_, _| respond(200, &[], "elsewhere")).await;
    let location = elsewhere.uri("/");
    let server = Server::start(move |_, _| {
        let body = "<Error><Code>TemporaryRedirect</Code><Message>Please re-send this request \
                    to the specified temporary endpoint.</Message></Error>";
        respond(307, &[("location", &location)], body)
    })
    .await;
    let err = invoke(&server, short_read()).await.unwrap_err();
    assert!(matches!(err, Error::Service(_)), "{err:?}");
    assert_eq!(
        (err.status(), err.code()),
        (Some(307), Some("TemporaryRedirect"))
    );
    assert_attempts(&server, 1);
    assert!(elsewhere.requests().is_empty());
}

#[tokio::test]
async fn a_bodiless_307_redirect_is_not_followed() {
    let elsewhere = Server::start(|_, _| respond(200, &[], "elsewhere")).await;
    let location = elsewhere.uri("/");
    let server = Server::start(move |_, _| respond(307, &[("location", &location)], "")).await;
    let err = invoke(&server, short_read()).await.unwrap_err();
    assert!(matches!(err, Error::Service(_)), "{err:?}");
    assert_eq!(err.status(), Some(307));
    assert_attempts(&server, 1);
    assert!(elsewhere.requests().is_empty());
}

// ---- Pooled connections. ----

#[tokio::test]
async fn a_pooled_connection_the_server_closed_while_idle_is_replaced() {
    let server = Server::start(|i, _| match i {
        // Keep-alive, then the server closes the idle connection after 50 ms.
        0 => Reply::Steps(vec![
            write(&format!("{}ok", head(200, 2))),
            Step::Sleep(Duration::from_millis(50)),
            Step::Close,
        ]),
        _ => respond(200, &[], "again"),
    })
    .await;
    // A retry would wait a whole second: the second call must not need one.
    let retry = RetryConfig::standard().with_jitter(|| 1.0);
    let runtime = Runtime::new(&config(retry).timeouts(short_read()));
    assert_eq!(runtime.invoke(operation(&server)).await.unwrap(), "ok");
    tokio::time::sleep(Duration::from_millis(200)).await;
    let started = Instant::now();
    assert_eq!(runtime.invoke(operation(&server)).await.unwrap(), "again");
    let elapsed = started.elapsed();
    assert!(elapsed < Duration::from_millis(500), "{elapsed:?}");
    assert_eq!(server.requests().len(), 2);
    assert_eq!((server.connections(), server.closed()), (2, 1));
}

// ---- The response-body cap. ----

#[tokio::test]
async fn a_body_above_the_cap_is_a_response_error_and_not_retried() {
    let body = "x".repeat(4096);
    let server = Server::start(move |_, _| respond(200, &[], &body)).await;
    let runtime = Runtime::new(
        &config(retry())
            .timeouts(short_read())
            .max_response_body(1024),
    );
    let err = runtime.invoke(operation(&server)).await.unwrap_err();
    assert!(matches!(err, Error::Response(_)), "{err:?}");
    assert_eq!(err.status(), Some(200));
    assert!(err.to_string().contains("1024-byte limit"), "{err}");
    assert_attempts(&server, 1);
}

#[tokio::test]
async fn a_chunked_body_above_the_cap_is_a_response_error_and_not_retried() {
    // No length to refuse up front: the cap applies as the chunks arrive.
    let chunk = "x".repeat(512);
    let mut reply = String::from("HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n");
    for _ in 0..8 {
        reply.push_str(&format!("200\r\n{chunk}\r\n"));
    }
    reply.push_str("0\r\n\r\n");
    let server = Server::start(move |_, _| Reply::Raw(reply.clone())).await;
    let runtime = Runtime::new(
        &config(retry())
            .timeouts(short_read())
            .max_response_body(1024),
    );
    let err = runtime.invoke(operation(&server)).await.unwrap_err();
    assert!(matches!(err, Error::Response(_)), "{err:?}");
    assert_eq!(err.status(), Some(200));
    assert!(err.to_string().contains("1024-byte limit"), "{err}");
    assert_attempts(&server, 1);
}
