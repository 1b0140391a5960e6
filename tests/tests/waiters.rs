//! Waiters on the client's clock: a wait gives up before a poll would pass its maximum wait and
//! says how long it really lasted. The clock here jumps, so the test needs no real waiting.

use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use s3_client::{Client, Config};
use s3_runtime::credentials::Credentials;
use s3_runtime::time::Clock;
use s3_runtime::waiter::WaitError;
use s3_tests::capture::{Canned, CaptureServer};

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

#[tokio::test]
async fn a_wait_reports_the_time_it_really_took_on_the_clients_clock() {
    // HeadBucket answers 404: `BucketExists` retries on NotFound.
    let server = CaptureServer::start(Canned::new(404)).await;
    let clock = Arc::new(JumpingClock {
        now: Mutex::new(SystemTime::now()),
        step: Duration::from_secs(3),
    });
    let config = Config::builder()
        .region("us-east-1")
        .endpoint_url(server.endpoint())
        .force_path_style(true)
        .credentials(Credentials::new("AKID", "SECRET", None, None))
        .clock(clock)
        .build();
    let started = std::time::Instant::now();
    let err = Client::new(&config)
        .head_bucket()
        .bucket("b")
        .wait_until_bucket_exists(Duration::from_secs(7))
        .await
        .unwrap_err();
    let WaitError::Timeout(timeout) = &err else {
        panic!("expected a timeout, got {err}");
    };
    // The elapsed time is the client's clock's, in its 3 s steps (real time is milliseconds),
    // and the next poll's 5 s minimum delay would have passed the 7 s maximum.
    assert_eq!(
        (timeout.max_wait, timeout.attempts),
        (Duration::from_secs(7), 1)
    );
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
    assert_eq!(server.requests().len(), 1);
    assert!(started.elapsed() < Duration::from_secs(2), "no real sleep");
}
