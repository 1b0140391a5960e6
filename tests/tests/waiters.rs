//! Waiters through the generated `wait_until_*` methods: on the client's clock, a wait gives up
//! before a poll would pass its maximum wait and says how long it really lasted (the clock here
//! jumps, so no test waits for real); each outcome holds the response it ended on.

use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use s3_client::{Client, Config};
use s3_runtime::credentials::Credentials;
use s3_runtime::time::Clock;
use s3_runtime::waiter::WaitError;
use s3_tests::capture::{Canned, CaptureServer};
use s3_tests::{on_both_servers, unique_bucket_name, TestServer};

/// Moves `step` forward every time it is read.
#[derive(Debug)]
struct JumpingClock {
    now: Mutex<SystemTime>,
    step: Duration,
}

impl Clock for JumpingClock {
    fn now(&self) -> SystemTime {
        let mut now = self.now.lock().unwrap();
        *now += self.step;
        *now
    }
}

/// A client of `server` with static credentials.
fn capture_config(server: &CaptureServer) -> s3_client::config::ConfigBuilder {
    Config::builder()
        .region("us-east-1")
        .endpoint_url(server.endpoint())
        .force_path_style(true)
        .credentials(Credentials::new("AKID", "SECRET", None, None))
}

#[tokio::test]
async fn a_wait_reports_the_time_it_really_took_on_the_clients_clock() {
    // HeadBucket answers 404: `BucketExists` retries on NotFound.
    let server = CaptureServer::start(Canned::new(404)).await;
    let clock = Arc::new(JumpingClock {
        now: Mutex::new(SystemTime::now()),
        step: Duration::from_secs(3),
    });
    let config = capture_config(&server).clock(clock).build();
    let started = std::time::Instant::now();
    let err = Client::new(&config)
        .head_bucket()
        .bucket("b")
        .wait_until_bucket_exists(Duration::from_secs(7))
        .await
        .unwrap_err();
    let WaitError::Timeout {
        last: timeout,
        max_wait,
    } = &err
    else {
        panic!("expected a timeout, got {err}");
    };
    // The elapsed time is the client's clock's, in its 3 s steps (real time is milliseconds),
    // and the next poll's 5 s minimum delay would have passed the 7 s maximum.
    assert_eq!((*max_wait, timeout.attempts), (Duration::from_secs(7), 1));
    assert_eq!(timeout.elapsed.as_secs() % 3, 0, "{err}");
    assert!(timeout.elapsed > Duration::from_secs(2), "{err}");
    assert_eq!(
        err.to_string(),
        format!(
            "waiter gave up after {:?} and 1 attempt: the next poll would pass the maximum \
             wait of 7s",
            timeout.elapsed
        )
    );
    // The last response is kept: the 404 the retry acceptor matched, also the error's source.
    let last = timeout.response.as_ref().unwrap_err();
    assert_eq!(last.code(), Some("NotFound"), "{err}");
    let source = std::error::Error::source(&err).map(ToString::to_string);
    assert_eq!(source, Some(last.to_string()));
    assert_eq!(server.requests().len(), 1);
    assert!(started.elapsed() < Duration::from_secs(2), "no real sleep");
}

#[tokio::test]
async fn an_error_no_acceptor_expects_ends_the_wait_at_once() {
    // `BucketExists` expects success or NotFound: a 403 stops it after one request.
    let server = CaptureServer::start(Canned::new(403)).await;
    let err = Client::new(&capture_config(&server).build())
        .head_bucket()
        .bucket("b")
        .wait_until_bucket_exists(Duration::from_secs(60))
        .await
        .unwrap_err();
    let WaitError::Unexpected {
        error, attempts: 1, ..
    } = &err
    else {
        panic!("expected an unexpected error, got {err}");
    };
    assert_eq!(error.code(), Some("Forbidden"), "{err}");
    let message = err.to_string();
    assert!(
        message.starts_with("waiter stopped after ") && message.ends_with(&error.to_string()),
        "{message}"
    );
    assert!(!message.contains('\n'), "one line: {message}");
    assert_eq!(server.requests().len(), 1);
}

on_both_servers!(object_waiters_end_on_the_response_that_decided);

/// `ObjectExists` succeeds with the object's metadata, `ObjectNotExists` with the `NotFound`
/// its acceptor matched, and an `ObjectNotExists` wait on an object that stays gives up with
/// the last output (its 5 s minimum delay is past the 1 s maximum wait: nothing sleeps).
async fn object_waiters_end_on_the_response_that_decided(server: TestServer) {
    let client = server.client();
    let bucket = unique_bucket_name("waiters");
    client.create_bucket().bucket(&bucket).send().await.unwrap();
    let put = client
        .put_object()
        .bucket(&bucket)
        .key("here")
        .body("12345");
    put.send().await.unwrap();
    let head = |key: &str| client.head_object().bucket(&bucket).key(key);

    let exists = head("here")
        .wait_until_object_exists(Duration::from_secs(30))
        .await
        .unwrap();
    assert_eq!(exists.attempts, 1);
    assert_eq!(exists.response.unwrap().content_length, Some(5));

    let gone = head("missing")
        .wait_until_object_not_exists(Duration::from_secs(30))
        .await
        .unwrap();
    let gone = gone.response.unwrap_err();
    assert_eq!(gone.code(), Some("NotFound"), "{}: {gone}", server.name);

    let err = head("here")
        .wait_until_object_not_exists(Duration::from_secs(1))
        .await
        .unwrap_err();
    let WaitError::Timeout { last, .. } = &err else {
        panic!("{}: expected a timeout, got {err}", server.name);
    };
    assert_eq!(last.attempts, 1);
    let output = last.response.as_ref().unwrap();
    assert_eq!(output.content_length, Some(5), "{}", server.name);
    assert!(
        std::error::Error::source(&err).is_none(),
        "the last response is no error"
    );

    client
        .delete_object()
        .bucket(&bucket)
        .key("here")
        .send()
        .await
        .unwrap();
    client.delete_bucket().bucket(&bucket).send().await.unwrap();
}
