//! What the credentials tests share: temporary directories, a manual clock, reading the raw
//! requests of the test server, and the check that cached credentials are refreshed before they
//! expire. The `credentials*.rs` test crates include it as a module; on its own it has no tests.

// Each test crate uses a different part of it.
#![allow(dead_code)]

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use s3_runtime::credentials::{
    CachedProvider, Credentials, ProvideCredentials, SharedCredentialsProvider,
    REFRESH_BEFORE_EXPIRY,
};
use s3_runtime::error::CredentialsError;
use s3_runtime::time::{Clock, DateTime, Format};

/// A directory of its own under the system temporary directory, removed on drop.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(test: &str) -> Self {
        let dir = std::env::temp_dir().join(format!(
            "s3-runtime-credentials-{}-{test}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Self(dir)
    }

    pub fn write(&self, name: &str, contents: &str) -> PathBuf {
        let path = self.0.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, contents).unwrap();
        path
    }

    pub fn path(&self, name: &str) -> String {
        self.0.join(name).display().to_string()
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A clock that moves only when told, starting at 2023-11-14T22:13:20Z.
#[derive(Debug)]
pub struct ManualClock(Mutex<SystemTime>);

impl ManualClock {
    pub fn new() -> Arc<Self> {
        Arc::new(Self(Mutex::new(
            SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000),
        )))
    }

    pub fn advance(&self, by: Duration) {
        *self.0.lock().unwrap() += by;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> SystemTime {
        *self.0.lock().unwrap()
    }
}

/// How long the credentials the test servers hand out live.
pub const LIFETIME: Duration = Duration::from_secs(3600);

/// `time` in RFC 3339, as credential answers give expirations.
pub fn rfc3339(time: SystemTime) -> String {
    DateTime::from(time).format(Format::DateTime)
}

pub async fn provide(provider: &dyn ProvideCredentials) -> Result<Credentials, CredentialsError> {
    provider.provide_credentials().await
}

pub fn assert_no_secret(text: &str, secrets: &[&str]) {
    for secret in secrets {
        assert!(!text.contains(secret), "`{secret}` leaked into {text}");
    }
}

/// The request line of a raw request: `GET /path HTTP/1.1`.
pub fn request_line(request: &str) -> &str {
    request.lines().next().unwrap_or_default()
}

/// The value of header `name` in a raw request.
pub fn header<'a>(request: &'a str, name: &str) -> Option<&'a str> {
    let head = request.split("\r\n\r\n").next()?;
    head.lines().skip(1).find_map(|line| {
        let (key, value) = line.split_once(':')?;
        key.eq_ignore_ascii_case(name).then(|| value.trim())
    })
}

/// The body of a raw request.
pub fn body(request: &str) -> &str {
    request.split_once("\r\n\r\n").map_or("", |(_, body)| body)
}

/// Checks that a [`CachedProvider`] keeps the credentials of `provider`, which live
/// [`LIFETIME`] from when they are issued on `clock`, until [`REFRESH_BEFORE_EXPIRY`] before
/// they expire, then loads new ones. `calls` counts what the provider's source served (requests
/// or runs); each load must cost the same.
pub async fn assert_refreshed_before_expiry(
    provider: SharedCredentialsProvider,
    clock: &Arc<ManualClock>,
    calls: impl Fn() -> usize,
) {
    let cache = CachedProvider::new(provider, clock.clone());
    let first = provide(&cache).await.unwrap();
    assert_eq!(first.expiry(), Some(clock.now() + LIFETIME));
    let per_load = calls();
    assert!(per_load > 0);

    clock.advance(LIFETIME - REFRESH_BEFORE_EXPIRY - Duration::from_secs(1));
    let cached = provide(&cache).await.unwrap();
    assert_eq!(cached.access_key_id(), first.access_key_id());
    assert_eq!(calls(), per_load, "loaded again before the refresh time");

    clock.advance(Duration::from_secs(1));
    let refreshed = provide(&cache).await.unwrap();
    assert_ne!(refreshed.access_key_id(), first.access_key_id());
    assert_eq!(
        calls(),
        2 * per_load,
        "not loaded again at the refresh time"
    );
}
