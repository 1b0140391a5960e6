//! What the wire tests share: a client with fixed credentials, a fixed clock and no retries, so
//! that everything it sends but the `Host` port is known in advance.

// Each test crate uses a different part of it.
#![allow(dead_code)]

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use s3_client::{Client, Config};
use s3_runtime::credentials::Credentials;
use s3_runtime::retry::RetryConfig;
use s3_runtime::time::Clock;
use s3_tests::capture::CaptureServer;

pub const ACCESS_KEY_ID: &str = "AKIDEXAMPLE";
pub const SECRET_ACCESS_KEY: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
pub const REGION: &str = "us-east-1";
/// 2013-05-24T00:00:00Z, the date of the AWS SigV4 examples.
pub const NOW_SECS: u64 = 1_369_353_600;
/// [`NOW_SECS`] as `x-amz-date` writes it.
pub const AMZ_DATE: &str = "20130524T000000Z";

/// A clock that always says [`NOW_SECS`].
#[derive(Debug)]
pub struct FixedClock;

impl Clock for FixedClock {
    fn now(&self) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(NOW_SECS)
    }
}

/// The configuration of [`client`], to change before building.
pub fn config(server: &CaptureServer) -> s3_client::config::ConfigBuilder {
    Config::builder()
        .region(REGION)
        .endpoint_url(server.endpoint())
        .force_path_style(true)
        .credentials(Credentials::new(
            ACCESS_KEY_ID,
            SECRET_ACCESS_KEY,
            None,
            None,
        ))
        .clock(Arc::new(FixedClock))
        .retry(RetryConfig::disabled())
}

/// A client for `server`: path-style, fixed credentials and clock, one attempt per call.
pub fn client(server: &CaptureServer) -> Client {
    Client::new(&config(server).build())
}
