//! The standard retry mode: its pieces alone, then as `Runtime::invoke` composes them, against
//! real sockets on 127.0.0.1.

mod support;

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use http::{HeaderMap, HeaderValue, Method};
use s3_runtime::client::Runtime;
use s3_runtime::error::{Error, TimeoutKind};
use s3_runtime::http::{HttpError, TimeoutConfig};
use s3_runtime::rest::SerializedRequest;
use s3_runtime::retry::{
    classify_error, classify_response, response_date, RetryConfig, RetryKind, RetryPermit,
    RetryQuota, SkewCorrectedClock,
};
use s3_runtime::time::{Clock, DateTime, Format};
use support::{config, distance, error, operation, respond, signed_at, Reply, Server};

#[test]
fn classifies_responses_by_code_then_status() {
    use RetryKind::*;
    let cases: &[(u16, Option<&str>, bool, Option<RetryKind>)] = &[
        (503, Some("SlowDown"), false, Some(Throttling)),
        (429, None, false, Some(Throttling)),
        (400, Some("ThrottlingException"), false, Some(Throttling)),
        (503, None, false, Some(Transient)),
        (503, Some("ServiceUnavailable"), false, Some(Transient)),
        (500, Some("InternalError"), false, Some(Transient)),
        (502, None, false, Some(Transient)),
        (504, None, false, Some(Transient)),
        (200, Some("InternalError"), false, Some(Transient)),
        (400, Some("RequestTimeout"), false, Some(Transient)),
        (403, Some("RequestTimeTooSkewed"), false, Some(ClockSkew)),
        (400, Some("RequestExpired"), false, Some(ClockSkew)),
        (403, Some("SignatureDoesNotMatch"), true, Some(ClockSkew)),
        (403, None, true, Some(ClockSkew)),
        (403, Some("SignatureDoesNotMatch"), false, None),
        (403, Some("AccessDenied"), false, None),
        (400, None, false, None),
        (400, Some("InvalidArgument"), true, None),
        (404, Some("NoSuchKey"), false, None),
        (409, Some("BucketAlreadyExists"), false, None),
        (501, Some("NotImplemented"), false, None),
        (505, None, false, None),
    ];
    for &(status, code, skewed, expected) in cases {
        assert_eq!(
            classify_response(status, code, skewed),
            expected,
            "{status} {code:?} skewed={skewed}"
        );
    }
}

#[test]
fn backoff_is_full_jitter_exponential_capped_at_max() {
    let max = RetryConfig::standard().with_jitter(|| 1.0);
    let secs: Vec<f64> = (1..=7).map(|n| max.backoff(n).as_secs_f64()).collect();
    assert_eq!(secs, [1.0, 2.0, 4.0, 8.0, 16.0, 20.0, 20.0]);
    assert_eq!(max.backoff(u32::MAX), Duration::from_secs(20));

    let half = RetryConfig::standard()
        .with_initial_backoff(Duration::from_millis(100))
        .with_max_backoff(Duration::from_secs(1))
        .with_jitter(|| 0.5);
    let millis: Vec<u128> = (1..=6).map(|n| half.backoff(n).as_millis()).collect();
    assert_eq!(millis, [50, 100, 200, 400, 800, 1000]);

    assert_eq!(max.with_jitter(|| 0.0).backoff(5), Duration::ZERO);
    // A broken jitter source can neither panic nor exceed the cap.
    assert_eq!(
        max.with_jitter(|| f64::NAN).backoff(1),
        Duration::from_secs(20)
    );
    assert_eq!(max.with_jitter(|| 7.0).backoff(1), Duration::from_secs(1));
    assert_eq!(max.with_jitter(|| -1.0).backoff(1), Duration::ZERO);
}

#[test]
fn default_jitter_spreads_over_the_whole_range() {
    let config = RetryConfig::standard();
    let samples: Vec<Duration> = (0..1000).map(|_| config.backoff(1)).collect();
    assert!(samples.iter().all(|d| *d < Duration::from_secs(1)));
    assert!(samples.iter().any(|d| *d < Duration::from_millis(100)));
    assert!(samples.iter().any(|d| *d > Duration::from_millis(900)));
}

#[test]
fn attempts_default_to_three_and_never_drop_below_one() {
    assert_eq!(RetryConfig::default().max_attempts(), 3);
    assert_eq!(RetryConfig::disabled().max_attempts(), 1);
    assert_eq!(
        RetryConfig::standard().with_max_attempts(0).max_attempts(),
        1
    );
    assert_eq!(
        RetryConfig::standard().with_max_attempts(5).max_attempts(),
        5
    );
}

#[test]
fn the_quota_charges_retries_and_refunds_successes() {
    let quota = RetryQuota::default();
    assert_eq!(quota.available(), 500);
    let permit = quota.acquire(RetryKind::Transient).unwrap();
    assert_eq!(quota.available(), 495);
    quota.succeeded(Some(permit));
    assert_eq!(quota.available(), 500);

    let _lost = quota.acquire(RetryKind::Timeout).unwrap();
    assert_eq!(quota.available(), 490);
    quota.succeeded(None);
    assert_eq!(quota.available(), 491);
    for _ in 0..20 {
        quota.succeeded(None);
    }
    assert_eq!(quota.available(), 500, "never above capacity");
}

#[test]
fn the_quota_refuses_what_it_cannot_pay() {
    let quota = RetryQuota::new(12);
    let _first = quota.acquire(RetryKind::Throttling).unwrap();
    let _second = quota.acquire(RetryKind::ClockSkew).unwrap();
    assert!(quota.acquire(RetryKind::Transient).is_none());
    assert_eq!(quota.available(), 2);
    let quota = RetryQuota::new(9);
    assert!(quota.acquire(RetryKind::Timeout).is_none());
    assert!(quota.acquire(RetryKind::Transient).is_some());
}

#[test]
fn the_quota_is_exact_under_contention() {
    let quota = Arc::new(RetryQuota::new(500));
    let threads: Vec<_> = (0..8)
        .map(|_| {
            let quota = quota.clone();
            std::thread::spawn(move || {
                let mut permits = Vec::new();
                while let Some(p) = quota.acquire(RetryKind::Transient) {
                    permits.push(p);
                }
                permits
            })
        })
        .collect();
    let permits: Vec<RetryPermit> = threads
        .into_iter()
        .flat_map(|t| t.join().unwrap())
        .collect();
    assert_eq!((permits.len(), quota.available()), (100, 0));
}

#[test]
fn errors_without_a_response_are_retried_unless_final() {
    use s3_runtime::error::{TimeoutError, TransportError};
    let transport = || TransportError::new("x", None);
    let timeout = TimeoutError::new(TimeoutKind::Attempt, Duration::from_secs(1));
    assert_eq!(
        classify_error(&HttpError::Connect(transport())),
        Some(RetryKind::Transient)
    );
    assert_eq!(
        classify_error(&HttpError::Io(transport())),
        Some(RetryKind::Transient)
    );
    assert_eq!(
        classify_error(&HttpError::Timeout(timeout)),
        Some(RetryKind::Timeout)
    );
    assert_eq!(classify_error(&HttpError::Other(transport())), None);
}

#[test]
fn reads_the_date_header() {
    let mut headers = HeaderMap::new();
    assert_eq!(response_date(&headers), None);
    headers.insert(
        "date",
        HeaderValue::from_static("Sat, 12 Oct 2019 17:50:30 GMT"),
    );
    let expected = SystemTime::UNIX_EPOCH + Duration::from_secs(1_570_902_630);
    assert_eq!(response_date(&headers), Some(expected));
    headers.insert("date", HeaderValue::from_static("yesterday"));
    assert_eq!(response_date(&headers), None);
}

#[derive(Debug)]
struct FixedClock(SystemTime);

impl Clock for FixedClock {
    fn now(&self) -> SystemTime {
        self.0
    }
}

#[test]
fn the_corrected_clock_adopts_the_service_time() {
    let local = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
    let clock = SkewCorrectedClock::new(Arc::new(FixedClock(local)));
    assert_eq!(clock.now(), local);
    let minutes = |m: u64| Duration::from_secs(60 * m);

    assert!(!clock.is_skewed(local + minutes(3)));
    assert!(!clock.is_skewed(local - minutes(3)));
    assert!(clock.is_skewed(local + minutes(4)));
    assert!(clock.is_skewed(local - minutes(60)));

    let server = local - minutes(60) + Duration::from_millis(250);
    clock.correct(server);
    assert_eq!(clock.offset_millis(), -3_599_750);
    assert_eq!(clock.now(), server);
    assert!(!clock.is_skewed(server));
    assert!(clock.is_skewed(local));

    // Correcting sets the offset; repeating it (as concurrent operations do) changes nothing.
    clock.correct(server);
    assert_eq!(clock.now(), server);
    clock.correct(local + minutes(10));
    assert_eq!(clock.offset_millis(), 600_000);
}

// ---- The operation loop users run: `Runtime::invoke` over real sockets. ----

/// Standard retries without waits: full jitter drawn as 0.
fn immediate() -> RetryConfig {
    RetryConfig::standard().with_jitter(|| 0.0)
}

/// The retries `runtime`'s quota still pays for, measured as users meet it: operations that
/// always get a 500 until one is refused its retry. A retry costs 5 tokens, so `n` means that
/// 5n to 5n + 4 tokens were left (500 tokens: 100); afterwards fewer than 5 are. Needs a
/// runtime whose retries do not wait.
async fn retries_left(runtime: &Runtime) -> usize {
    let server = Server::start(|_, _| error(500, "InternalError", &[])).await;
    let mut operations = 0;
    loop {
        let before = server.requests().len();
        let err = runtime.invoke(operation(&server)).await.unwrap_err();
        assert_eq!(
            (err.status(), err.code()),
            (Some(500), Some("InternalError"))
        );
        operations += 1;
        if server.requests().len() - before == 1 {
            break;
        }
        assert!(operations < 1000, "the quota never ran out");
    }
    server.requests().len() - operations
}

#[tokio::test]
async fn a_503_is_retried_and_the_retry_succeeds() {
    let server = Server::start(|i, _| match i {
        0 => error(503, "ServiceUnavailable", &[]),
        _ => respond(200, &[], "ok"),
    })
    .await;
    let runtime = Runtime::new(&config(immediate()));
    assert_eq!(runtime.invoke(operation(&server)).await.unwrap(), "ok");
    assert_eq!(server.requests().len(), 2);
    // 500 tokens, 5 paid for the retry and refunded by its success.
    assert_eq!(retries_left(&runtime).await, 100);
}

#[tokio::test]
async fn a_400_is_not_retried() {
    let server = Server::start(|_, _| error(400, "InvalidArgument", &[])).await;
    let runtime = Runtime::new(&config(immediate()));
    let err = runtime.invoke(operation(&server)).await.unwrap_err();
    assert!(matches!(err, Error::Service(_)), "{err:?}");
    assert_eq!(
        err.as_service_error().map(String::as_str),
        Some("InvalidArgument")
    );
    assert_eq!(err.status(), Some(400));
    assert_eq!(server.requests().len(), 1);
    assert_eq!(retries_left(&runtime).await, 100, "nothing paid");
}

#[tokio::test]
async fn throttling_exhausts_after_max_attempts() {
    let server = Server::start(|_, _| error(503, "SlowDown", &[])).await;
    let runtime = Runtime::new(&config(immediate()));
    let err = runtime.invoke(operation(&server)).await.unwrap_err();
    assert!(matches!(err, Error::Service(_)), "{err:?}");
    assert_eq!((err.status(), err.code()), (Some(503), Some("SlowDown")));
    assert_eq!(server.requests().len(), 3);
    // Two retries paid (490 tokens left), none refunded.
    assert_eq!(retries_left(&runtime).await, 98);
}

#[tokio::test]
async fn max_attempts_bounds_the_attempts() {
    let server = Server::start(|_, _| error(500, "InternalError", &[])).await;
    let runtime = Runtime::new(&config(immediate().with_max_attempts(5)));
    let err = runtime.invoke(operation(&server)).await.unwrap_err();
    assert_eq!(
        (err.status(), err.code()),
        (Some(500), Some("InternalError"))
    );
    assert_eq!(server.requests().len(), 5);

    let server = Server::start(|_, _| error(500, "InternalError", &[])).await;
    let runtime = Runtime::new(&config(RetryConfig::disabled()));
    let err = runtime.invoke(operation(&server)).await.unwrap_err();
    assert_eq!(err.code(), Some("InternalError"));
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn retries_wait_the_exponential_backoff_up_to_its_cap() {
    let server = Server::start(|_, _| error(500, "InternalError", &[])).await;
    // Jitter 1: the waits are 100 ms, 200 ms, then 400 ms capped to 300 ms.
    let retry = RetryConfig::standard()
        .with_max_attempts(4)
        .with_initial_backoff(Duration::from_millis(100))
        .with_max_backoff(Duration::from_millis(300))
        .with_jitter(|| 1.0);
    let runtime = Runtime::new(&config(retry));
    let err = runtime.invoke(operation(&server)).await.unwrap_err();
    assert_eq!(err.code(), Some("InternalError"));
    assert_eq!(server.requests().len(), 4);
    let gaps = server.gaps();
    let ms = Duration::from_millis;
    // Each wait is at least its backoff, and short of what a wrong exponent (one too many or
    // no doubling) or a missing cap would give.
    assert!(gaps[0] >= ms(100) && gaps[0] < ms(200), "{gaps:?}");
    assert!(gaps[1] >= ms(200) && gaps[1] < ms(300), "{gaps:?}");
    assert!(gaps[2] >= ms(300) && gaps[2] < ms(400), "{gaps:?}");
}

#[tokio::test]
async fn a_connection_closed_without_answer_is_retried() {
    let server = Server::start(|i, _| match i {
        0 => Reply::Close,
        _ => respond(200, &[], "ok"),
    })
    .await;
    let runtime = Runtime::new(&config(immediate()));
    assert_eq!(runtime.invoke(operation(&server)).await.unwrap(), "ok");
    assert_eq!((server.requests().len(), server.connections()), (2, 2));
    assert_eq!(retries_left(&runtime).await, 100, "the retry was refunded");
}

#[tokio::test]
async fn attempt_timeouts_are_retried_at_the_timeout_cost() {
    let server = Server::start(|_, _| Reply::Hang).await;
    let timeouts = TimeoutConfig {
        attempt: Some(Duration::from_millis(100)),
        ..TimeoutConfig::default()
    };
    let runtime = Runtime::new(&config(immediate()).timeouts(timeouts));
    let err = runtime.invoke(operation(&server)).await.unwrap_err();
    let Error::Timeout(timeout) = &err else {
        panic!("expected a timeout, got {err:?}");
    };
    assert_eq!(
        (timeout.kind(), timeout.attempts()),
        (TimeoutKind::Attempt, Some(3))
    );
    assert_eq!(server.requests().len(), 3);
    // Two retries at 10 tokens each: 480 left.
    assert_eq!(retries_left(&runtime).await, 96);
}

#[tokio::test]
async fn an_empty_quota_stops_retries_across_operations() {
    let failing = Server::start(|_, _| error(500, "InternalError", &[])).await;
    let working = Server::start(|_, _| respond(200, &[], "ok")).await;
    let runtime = Runtime::new(&config(immediate()));
    let attempts = |server: &Server, before: usize| server.requests().len() - before;

    // 500 tokens pay for 50 operations of 3 attempts (2 retries, 10 tokens each).
    for n in 0..50 {
        let before = failing.requests().len();
        let err = runtime.invoke(operation(&failing)).await.unwrap_err();
        assert_eq!(err.code(), Some("InternalError"));
        assert_eq!(attempts(&failing, before), 3, "operation {n}");
    }
    // The bucket is empty: one attempt each, whatever the operation.
    for _ in 0..2 {
        let before = failing.requests().len();
        runtime.invoke(operation(&failing)).await.unwrap_err();
        assert_eq!(attempts(&failing, before), 1);
    }
    // A success without retries adds one token; four are not enough for a retry...
    for _ in 0..4 {
        assert_eq!(runtime.invoke(operation(&working)).await.unwrap(), "ok");
    }
    let before = failing.requests().len();
    runtime.invoke(operation(&failing)).await.unwrap_err();
    assert_eq!(attempts(&failing, before), 1);
    // ... five are.
    runtime.invoke(operation(&working)).await.unwrap();
    let before = failing.requests().len();
    runtime.invoke(operation(&failing)).await.unwrap_err();
    assert_eq!(attempts(&failing, before), 2);
    let before = failing.requests().len();
    runtime.invoke(operation(&failing)).await.unwrap_err();
    assert_eq!(attempts(&failing, before), 1);
}

/// A server whose clock is `ahead` of ours: like S3, it rejects requests signed more than
/// 15 minutes from its time with `code`, and reports its time in `Date`.
async fn skewed_server(ahead: Duration, code: &'static str) -> Server {
    Server::start(move |_, request| {
        let server_now = SystemTime::now() + ahead;
        let date = DateTime::from(server_now).format(Format::HttpDate);
        if distance(server_now, signed_at(request)) > Duration::from_secs(15 * 60) {
            error(403, code, &[("date", &date)])
        } else {
            respond(200, &[("date", &date)], "ok")
        }
    })
    .await
}

#[tokio::test]
async fn a_skewed_clock_is_corrected_from_the_date_header_and_the_request_re_signed() {
    let hour = Duration::from_secs(3600);
    let server = skewed_server(hour, "RequestTimeTooSkewed").await;
    let runtime = Runtime::new(&config(immediate()));
    assert_eq!(runtime.invoke(operation(&server)).await.unwrap(), "ok");
    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    let server_now = SystemTime::now() + hour;
    assert!(distance(server_now, signed_at(&requests[0])) > Duration::from_secs(3590));
    // Re-signed at the server's time, to the `Date` header's second.
    assert!(distance(server_now, signed_at(&requests[1])) < Duration::from_secs(5));

    // The correction sticks: the next operation is signed right the first time.
    assert_eq!(runtime.invoke(operation(&server)).await.unwrap(), "ok");
    assert_eq!(server.requests().len(), 3);
    // The skew retry was refunded by its success.
    assert_eq!(retries_left(&runtime).await, 100);
}

#[tokio::test]
async fn a_bodiless_403_with_a_skewed_date_is_retried_as_skew() {
    // A HEAD error has no body, hence no code: the status and the `Date` must do.
    let ahead = Duration::from_secs(3600);
    let server = Server::start(move |_, request| {
        let server_now = SystemTime::now() + ahead;
        let date = DateTime::from(server_now).format(Format::HttpDate);
        if distance(server_now, signed_at(request)) > Duration::from_secs(15 * 60) {
            respond(403, &[("date", &date)], "")
        } else {
            respond(200, &[("date", &date)], "ok")
        }
    })
    .await;
    let runtime = Runtime::new(&config(immediate()));
    assert_eq!(runtime.invoke(operation(&server)).await.unwrap(), "ok");
    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    let server_now = SystemTime::now() + ahead;
    assert!(distance(server_now, signed_at(&requests[1])) < Duration::from_secs(5));
}

#[tokio::test]
async fn a_retried_put_sends_its_body_again_signed_again() {
    let server = Server::start(|i, _| match i {
        0 => error(500, "InternalError", &[]),
        _ => respond(200, &[], "ok"),
    })
    .await;
    let mut put = operation(&server);
    put.request = SerializedRequest::new(Method::PUT);
    put.request.body = Bytes::from_static(b"payload").into();
    let runtime = Runtime::new(&config(immediate()));
    assert_eq!(runtime.invoke(put).await.unwrap(), "ok");
    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    for request in &requests {
        assert!(request.starts_with("PUT / HTTP/1.1\r\n"), "{request}");
        assert!(request.contains("content-length: 7\r\n"), "{request}");
        assert!(
            request.contains("authorization: AWS4-HMAC-SHA256 "),
            "{request}"
        );
        assert!(request.ends_with("\r\n\r\npayload"), "{request}");
    }
}

#[tokio::test]
async fn a_bad_signature_is_blamed_on_skew_only_when_the_clocks_differ() {
    let server = skewed_server(Duration::from_secs(3600), "SignatureDoesNotMatch").await;
    let runtime = Runtime::new(&config(immediate()));
    assert_eq!(runtime.invoke(operation(&server)).await.unwrap(), "ok");
    assert_eq!(server.requests().len(), 2);

    // Clocks agree, so the signature is simply wrong: final, and the clock is left alone.
    let server = Server::start(|_, _| {
        let date = DateTime::from(SystemTime::now()).format(Format::HttpDate);
        error(403, "SignatureDoesNotMatch", &[("date", &date)])
    })
    .await;
    let runtime = Runtime::new(&config(immediate()));
    let err = runtime.invoke(operation(&server)).await.unwrap_err();
    assert!(matches!(err, Error::Service(_)), "{err:?}");
    assert_eq!(
        (err.status(), err.code()),
        (Some(403), Some("SignatureDoesNotMatch"))
    );
    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    assert!(distance(SystemTime::now(), signed_at(&requests[0])) < Duration::from_secs(5));
    let err = runtime.invoke(operation(&server)).await.unwrap_err();
    assert_eq!(err.status(), Some(403));
    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    assert!(distance(SystemTime::now(), signed_at(&requests[1])) < Duration::from_secs(5));
}
