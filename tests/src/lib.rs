//! Support for the integration tests in `tests/`: where the local S3-compatible servers are and
//! how to name buckets on them.
//!
//! `.ci/test` starts the servers (moto and s3s-fs, both checking SigV4 signatures) on free
//! loopback ports and passes their connection details in `S3_TEST_*` environment variables.
//! Tests that need a server fail loudly when these are missing instead of skipping, so a run
//! that forgot the servers cannot pass by testing nothing.

pub mod capture;
pub mod directory;
pub mod express;
mod s3_http;
pub mod serve;
pub mod sigv4_check;

use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

/// A running S3-compatible server and credentials it accepts.
#[derive(Clone)]
pub struct TestServer {
    /// Short name for messages: `"moto"` or `"s3s"`.
    pub name: &'static str,
    /// Base URL, for example `http://127.0.0.1:40123`; path-style addressing only.
    pub endpoint: String,
    pub access_key_id: String,
    pub secret_access_key: String,
    /// Region to sign requests for.
    pub region: String,
}

impl TestServer {
    /// A client configuration for this server: path-style addressing, its region and its
    /// credentials.
    pub fn config(&self) -> s3_client::config::ConfigBuilder {
        s3_client::Config::builder()
            .region(&self.region)
            .endpoint_url(self.endpoint.clone())
            .force_path_style(true)
            .credentials(s3_runtime::credentials::Credentials::new(
                self.access_key_id.clone(),
                self.secret_access_key.clone(),
                None,
                None,
            ))
    }

    /// A client with [`config`](Self::config).
    pub fn client(&self) -> s3_client::Client {
        s3_client::Client::new(&self.config().build())
    }
}

/// Runs async test functions taking a [`TestServer`] against each server, as
/// `<function>::moto` and `<function>::s3s`.
#[macro_export]
macro_rules! on_both_servers {
    ($($test:ident),* $(,)?) => {
        $(
            mod $test {
                #[tokio::test]
                async fn moto() {
                    super::$test($crate::moto()).await;
                }

                #[tokio::test]
                async fn s3s() {
                    super::$test($crate::s3s()).await;
                }
            }
        )*
    };
}

/// The moto server (Python): broad API coverage, signatures checked against its IAM.
pub fn moto() -> TestServer {
    from_env("moto", "S3_TEST_MOTO")
}

/// The s3s-fs server (Rust, files on disk): a second, independent implementation.
pub fn s3s() -> TestServer {
    from_env("s3s", "S3_TEST_S3S")
}

fn from_env(name: &'static str, prefix: &str) -> TestServer {
    let var = |suffix: &str| {
        let key = format!("{prefix}_{suffix}");
        std::env::var(&key).unwrap_or_else(|_| {
            panic!(
                "{key} is not set: run the integration tests with `.ci/test`, \
                 which starts the {name} server and sets it"
            )
        })
    };
    TestServer {
        name,
        endpoint: var("ENDPOINT"),
        access_key_id: var("ACCESS_KEY_ID"),
        secret_access_key: var("SECRET_ACCESS_KEY"),
        region: var("REGION"),
    }
}

/// Longest prefix [`unique_bucket_name`] accepts: bucket names have at most 63 characters
/// and the unique suffix takes up to 33 (pid, counter and seconds, each with a hyphen).
const MAX_PREFIX_LEN: usize = 30;

/// A valid S3 bucket name starting with `prefix`, different on every call in every process, so
/// tests can run in parallel and against a server that outlives one run.
///
/// `prefix` must be 1 to 30 characters, lowercase ASCII letters, digits and hyphens, starting
/// with a letter or digit (a test's own constant, so a bad one panics).
pub fn unique_bucket_name(prefix: &str) -> String {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let valid_chars = prefix
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    assert!(
        valid_chars && (1..=MAX_PREFIX_LEN).contains(&prefix.len()) && !prefix.starts_with('-'),
        "bucket name prefix {prefix:?} must be 1 to {MAX_PREFIX_LEN} lowercase letters, \
         digits and hyphens, not starting with a hyphen"
    );
    let count = COUNTER.fetch_add(1, Ordering::Relaxed);
    // The time tells apart two processes that got the same pid one after the other.
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    format!("{prefix}-{}-{count}-{secs}", std::process::id())
}

/// A stream over an iterator, for one-shot request bodies (`ByteStream::from_stream`).
pub struct Iter<I>(pub I);

impl<I: Iterator + Unpin> futures_core::Stream for Iter<I> {
    type Item = I::Item;

    fn poll_next(
        mut self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<I::Item>> {
        std::task::Poll::Ready(self.0.next())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// S3's rules for general purpose bucket names (the ones a generated name can break).
    fn is_valid_bucket_name(name: &str) -> bool {
        let bytes = name.as_bytes();
        (3..=63).contains(&name.len())
            && bytes
                .iter()
                .all(|&b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.')
            && bytes[0].is_ascii_alphanumeric()
            && bytes[bytes.len() - 1].is_ascii_alphanumeric()
            && !name.contains("..")
    }

    #[test]
    fn bucket_names_are_valid_and_unique() {
        let longest = "p".repeat(MAX_PREFIX_LEN);
        let names: Vec<String> = ["a", "test-bucket", longest.as_str()]
            .into_iter()
            .flat_map(|prefix| [unique_bucket_name(prefix), unique_bucket_name(prefix)])
            .collect();
        for name in &names {
            assert!(is_valid_bucket_name(name), "{name}");
        }
        let mut unique = names.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), names.len(), "{names:?}");
        assert!(names[2].starts_with("test-bucket-"), "{}", names[2]);
    }

    #[test]
    #[should_panic(expected = "must be 1 to 30 lowercase letters")]
    fn bad_prefix_panics() {
        unique_bucket_name("Upper_case");
    }

    #[test]
    #[should_panic(expected = "must be 1 to 30 lowercase letters")]
    fn too_long_prefix_panics() {
        unique_bucket_name(&"p".repeat(MAX_PREFIX_LEN + 1));
    }
}
