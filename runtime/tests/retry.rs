//! The standard retry mode: its pieces alone, then composed into an operation loop against real
//! sockets on 127.0.0.1.

mod support;

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use http::{HeaderMap, HeaderValue, Request, Response};
use s3_runtime::error::TimeoutKind;
use s3_runtime::http::{HttpClient, HttpConfig, HttpError, TimeoutConfig};
use s3_runtime::retry::{
    classify_error, classify_response, response_date, RetryConfig, RetryKind, RetryPermit,
    RetryQuota, SkewCorrectedClock,
};
use s3_runtime::time::{Clock, DateTime, Format, SystemClock};
use support::{error, respond, Reply, Server};

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

// ---- The operation loop, as the client composes the pieces, over real sockets. ----

/// The client under test: no backoff waits, plain HTTP.
struct Harness {
    http: HttpClient,
    config: RetryConfig,
    quota: RetryQuota,
    clock: SkewCorrectedClock,
}

impl Harness {
    fn new(attempt_timeout: Option<Duration>) -> Self {
        let tls = rustls::ClientConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(rustls::RootCertStore::empty())
        .with_no_client_auth();
        let config = HttpConfig {
            timeouts: TimeoutConfig {
                attempt: attempt_timeout,
                ..TimeoutConfig::default()
            },
            ..HttpConfig::default()
        };
        Self {
            http: HttpClient::with_tls(&config, tls),
            config: RetryConfig::standard().with_jitter(|| 0.0),
            quota: RetryQuota::default(),
            clock: SkewCorrectedClock::new(Arc::new(SystemClock)),
        }
    }

    /// Runs one operation: "signs" (stamps `x-amz-date` from the corrected clock), sends,
    /// classifies, and retries as the standard mode says. Returns the final outcome: a success,
    /// the last error response, or the last transport error.
    async fn run(&self, uri: &str) -> Result<Response<Bytes>, HttpError> {
        let mut attempts = 0;
        let mut last_retry: Option<RetryPermit> = None;
        loop {
            attempts += 1;
            let mut amz_date = String::new();
            DateTime::from(self.clock.now()).fmt_amz_date(&mut amz_date);
            let request = Request::get(uri)
                .header("x-amz-date", amz_date)
                .body(Bytes::new())
                .unwrap();
            let outcome = self.http.send(request, self.http.timeouts().attempt).await;
            let kind = match &outcome {
                Ok(response) if response.status().is_success() => {
                    self.quota.succeeded(last_retry.take());
                    return outcome;
                }
                Ok(response) => {
                    let date = response_date(response.headers());
                    let skewed = date.is_some_and(|d| self.clock.is_skewed(d));
                    let kind =
                        classify_response(response.status().as_u16(), error_code(response), skewed);
                    if let (Some(RetryKind::ClockSkew), Some(date)) = (kind, date) {
                        self.clock.correct(date);
                    }
                    kind
                }
                Err(e) => classify_error(e),
            };
            let Some(kind) = kind else { return outcome };
            if attempts >= self.config.max_attempts() {
                return outcome;
            }
            let Some(permit) = self.quota.acquire(kind) else {
                return outcome;
            };
            last_retry = Some(permit);
            tokio::time::sleep(self.config.backoff(attempts)).await;
        }
    }
}

fn error_code(response: &Response<Bytes>) -> Option<&str> {
    let body = std::str::from_utf8(response.body()).ok()?;
    let start = body.find("<Code>")? + "<Code>".len();
    Some(&body[start..start + body[start..].find("</Code>")?])
}

#[tokio::test]
async fn a_503_is_retried_and_the_retry_succeeds() {
    let server = Server::start(|i, _| match i {
        0 => error(503, "ServiceUnavailable", &[]),
        _ => respond(200, &[], "ok"),
    })
    .await;
    let harness = Harness::new(None);
    let response = harness.run(&server.uri("/k")).await.unwrap();
    assert_eq!(
        (response.status().as_u16(), response.body().as_ref()),
        (200, &b"ok"[..])
    );
    assert_eq!(server.requests().len(), 2);
    assert_eq!(
        harness.quota.available(),
        500,
        "the retry's cost was refunded"
    );
}

#[tokio::test]
async fn a_400_is_not_retried() {
    let server = Server::start(|_, _| error(400, "InvalidArgument", &[])).await;
    let harness = Harness::new(None);
    let response = harness.run(&server.uri("/k")).await.unwrap();
    assert_eq!(response.status(), 400);
    assert_eq!(server.requests().len(), 1);
    assert_eq!(harness.quota.available(), 500);
}

#[tokio::test]
async fn throttling_exhausts_after_max_attempts() {
    let server = Server::start(|_, _| error(503, "SlowDown", &[])).await;
    let harness = Harness::new(None);
    let response = harness.run(&server.uri("/k")).await.unwrap();
    assert_eq!(response.status(), 503);
    assert_eq!(error_code(&response), Some("SlowDown"));
    assert_eq!(server.requests().len(), 3);
    assert_eq!(
        harness.quota.available(),
        490,
        "two retries paid, none refunded"
    );
}

#[tokio::test]
async fn a_connection_closed_without_answer_is_retried() {
    let server = Server::start(|i, _| match i {
        0 => Reply::Close,
        _ => respond(200, &[], "ok"),
    })
    .await;
    let harness = Harness::new(None);
    let response = harness.run(&server.uri("/k")).await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!((server.requests().len(), server.connections()), (2, 2));
}

#[tokio::test]
async fn attempt_timeouts_are_retried_at_the_timeout_cost() {
    let server = Server::start(|_, _| Reply::Hang).await;
    let harness = Harness::new(Some(Duration::from_millis(100)));
    let error = harness.run(&server.uri("/k")).await.unwrap_err();
    assert!(
        matches!(&error, HttpError::Timeout(t) if t.kind() == TimeoutKind::Attempt),
        "{error:?}"
    );
    assert_eq!(server.requests().len(), 3);
    assert_eq!(harness.quota.available(), 480);
}

#[tokio::test]
async fn an_empty_quota_stops_retries_across_operations() {
    let server = Server::start(|_, _| error(500, "InternalError", &[])).await;
    let mut harness = Harness::new(None);
    // Enough for one retry: the first operation retries once, the second not at all.
    harness.quota = RetryQuota::new(7);
    assert_eq!(harness.run(&server.uri("/a")).await.unwrap().status(), 500);
    assert_eq!(server.requests().len(), 2);
    assert_eq!(harness.run(&server.uri("/b")).await.unwrap().status(), 500);
    assert_eq!(server.requests().len(), 3);
    assert_eq!(harness.quota.available(), 2);
}

/// A server whose clock is `ahead` of ours: it rejects requests signed more than 15 minutes
/// from its time with `code`, like S3, and reports its time in `Date`.
async fn skewed_server(ahead: Duration, code: &'static str) -> Server {
    Server::start(move |_, request| {
        let server_now = SystemTime::now() + ahead;
        let date = DateTime::from(server_now).format(Format::HttpDate);
        let signed = request
            .lines()
            .find_map(|l| l.strip_prefix("x-amz-date: "))
            .map(parse_amz_date)
            .unwrap();
        let off = server_now
            .duration_since(signed)
            .unwrap_or_else(|e| e.duration());
        if off > Duration::from_secs(15 * 60) {
            error(403, code, &[("date", &date)])
        } else {
            respond(200, &[("date", &date)], "ok")
        }
    })
    .await
}

fn parse_amz_date(s: &str) -> SystemTime {
    let rfc3339 = format!(
        "{}-{}-{}T{}:{}:{}Z",
        &s[0..4],
        &s[4..6],
        &s[6..8],
        &s[9..11],
        &s[11..13],
        &s[13..15]
    );
    DateTime::parse(&rfc3339, Format::DateTime).unwrap().into()
}

#[tokio::test]
async fn a_skewed_clock_is_corrected_from_the_date_header_and_the_request_re_signed() {
    let hour = Duration::from_secs(3600);
    let server = skewed_server(hour, "RequestTimeTooSkewed").await;
    let harness = Harness::new(None);
    let response = harness.run(&server.uri("/k")).await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(server.requests().len(), 2);
    let offset = harness.clock.offset_millis();
    assert!((3_598_000..=3_601_000).contains(&offset), "{offset}");

    // The correction sticks: the next operation is signed right the first time.
    harness.run(&server.uri("/k")).await.unwrap();
    assert_eq!(server.requests().len(), 3);
}

#[tokio::test]
async fn a_bad_signature_is_blamed_on_skew_only_when_the_clocks_differ() {
    let server = skewed_server(Duration::from_secs(3600), "SignatureDoesNotMatch").await;
    let harness = Harness::new(None);
    assert_eq!(harness.run(&server.uri("/k")).await.unwrap().status(), 200);
    assert_eq!(server.requests().len(), 2);

    // Clocks agree, so the signature is simply wrong: final.
    let server = Server::start(|_, _| {
        let date = DateTime::from(SystemTime::now()).format(Format::HttpDate);
        error(403, "SignatureDoesNotMatch", &[("date", &date)])
    })
    .await;
    let harness = Harness::new(None);
    assert_eq!(harness.run(&server.uri("/k")).await.unwrap().status(), 403);
    assert_eq!(server.requests().len(), 1);
    assert_eq!(harness.clock.offset_millis(), 0);
}
